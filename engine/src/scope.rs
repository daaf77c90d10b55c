//! Scopes: where a policy entry applies, by host, path and method.
//!
//! Hosts match case-insensitively, without the port; `*.example.com` matches any
//! subdomain (not the bare domain). Paths match the *normalised* path (decoded,
//! dot-segments resolved), so `/search/../admin` is `/admin` for scoping:
//! `path` exact, `path_prefix`, or `path_glob` where `*` is any run within a
//! segment, `**` any run across segments and `?` one character. Methods match
//! case-insensitively. Empty parts match everything.

use crate::request::RequestHead;
use regex_automata::meta;
use regex_automata::util::syntax;

/// The scope keys as written in a policy entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeSpec {
    pub hosts: Vec<String>,
    pub path: Option<String>,
    pub path_prefix: Option<String>,
    pub path_glob: Option<String>,
    pub methods: Vec<String>,
}

/// The [`ScopeSpec`] of a policy entry that has the five scope keys
/// (`hosts`, `path`, `path_prefix`, `path_glob`, `methods`) as fields.
macro_rules! scope_spec_of {
    ($entry:expr) => {
        $crate::scope::ScopeSpec {
            hosts: $entry.hosts.clone(),
            path: $entry.path.clone(),
            path_prefix: $entry.path_prefix.clone(),
            path_glob: $entry.path_glob.clone(),
            methods: $entry.methods.clone(),
        }
    };
}
pub(crate) use scope_spec_of;

/// Why a scope is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("only one of path, path_prefix and path_glob may be set")]
    ManyPaths,
    #[error("{key} must start with `/` (got `{value}`)")]
    Relative { key: &'static str, value: String },
    #[error("invalid path_glob `{0}`")]
    Glob(String),
}

#[derive(Debug, Clone)]
enum PathMatch {
    Any,
    Exact(Vec<u8>),
    Prefix(Vec<u8>),
    Glob(Box<meta::Regex>),
}

/// A compiled scope.
#[derive(Debug, Clone)]
pub struct Scope {
    hosts: Vec<String>,
    path: PathMatch,
    methods: Vec<String>,
}

/// What a scope is checked against, computed once per request.
pub struct ScopeInput<'a> {
    pub host: &'a str,
    pub path: &'a [u8],
    pub method: &'a str,
}

/// The host of a request without its port, lowercased.
pub fn request_host(head: &RequestHead) -> String {
    let raw = head.host().map(String::from_utf8_lossy).unwrap_or_default();
    let host = raw.trim();
    let host = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else {
        host.rsplit_once(':')
            .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
            .map_or(host, |(h, _)| h)
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

fn glob_to_regex(glob: &str) -> String {
    let mut out = String::from("^");
    let bytes = glob.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'*' if bytes.get(i + 1) == Some(&b'*') => {
                out.push_str(".*");
                i += 2;
                continue;
            }
            b'*' => out.push_str("[^/]*"),
            b'?' => out.push_str("[^/]"),
            _ => out.push_str(&regex_syntax::escape(&(b as char).to_string())),
        }
        i += 1;
    }
    out.push('$');
    out
}

impl Scope {
    /// Compiles a scope.
    pub fn compile(spec: &ScopeSpec) -> Result<Scope, ScopeError> {
        let set = [&spec.path, &spec.path_prefix, &spec.path_glob]
            .iter()
            .filter(|p| p.is_some())
            .count();
        if set > 1 {
            return Err(ScopeError::ManyPaths);
        }
        for (key, value) in [
            ("path", &spec.path),
            ("path_prefix", &spec.path_prefix),
            ("path_glob", &spec.path_glob),
        ] {
            if let Some(v) = value {
                if !v.starts_with('/') {
                    return Err(ScopeError::Relative {
                        key,
                        value: v.clone(),
                    });
                }
            }
        }
        let path = if let Some(p) = &spec.path {
            PathMatch::Exact(p.as_bytes().to_vec())
        } else if let Some(p) = &spec.path_prefix {
            PathMatch::Prefix(p.as_bytes().to_vec())
        } else if let Some(g) = &spec.path_glob {
            let regex = meta::Regex::builder()
                .syntax(syntax::Config::new().unicode(false).utf8(false))
                .build(&glob_to_regex(g))
                .map_err(|_| ScopeError::Glob(g.clone()))?;
            PathMatch::Glob(Box::new(regex))
        } else {
            PathMatch::Any
        };
        Ok(Scope {
            hosts: spec.hosts.iter().map(|h| h.to_ascii_lowercase()).collect(),
            path,
            methods: spec
                .methods
                .iter()
                .map(|m| m.to_ascii_uppercase())
                .collect(),
        })
    }

    /// A scope that matches every request.
    pub fn everything() -> Scope {
        Scope {
            hosts: Vec::new(),
            path: PathMatch::Any,
            methods: Vec::new(),
        }
    }

    /// Whether the request is in scope.
    pub fn matches(&self, input: &ScopeInput<'_>) -> bool {
        let host_ok = self.hosts.is_empty()
            || self.hosts.iter().any(|h| match h.strip_prefix("*.") {
                Some(domain) => input
                    .host
                    .strip_suffix(domain)
                    .is_some_and(|sub| sub.ends_with('.') && sub.len() > 1),
                None => h == input.host,
            });
        let method_ok = self.methods.is_empty()
            || self
                .methods
                .iter()
                .any(|m| m.eq_ignore_ascii_case(input.method));
        let path_ok = match &self.path {
            PathMatch::Any => true,
            PathMatch::Exact(p) => p.as_slice() == input.path,
            PathMatch::Prefix(p) => input.path.starts_with(p),
            PathMatch::Glob(r) => r.is_match(input.path),
        };
        host_ok && method_ok && path_ok
    }

    /// Whether the scope restricts nothing.
    pub fn is_everything(&self) -> bool {
        self.hosts.is_empty() && self.methods.is_empty() && matches!(self.path, PathMatch::Any)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(host: &'a str, path: &'a str, method: &'a str) -> ScopeInput<'a> {
        ScopeInput {
            host,
            path: path.as_bytes(),
            method,
        }
    }

    #[test]
    fn hosts_paths_and_methods() {
        let s = Scope::compile(&ScopeSpec {
            hosts: vec!["*.example.com".into()],
            path_glob: Some("/users/*/edit".into()),
            methods: vec!["post".into()],
            ..ScopeSpec::default()
        })
        .unwrap();
        assert!(s.matches(&input("www.example.com", "/users/42/edit", "POST")));
        assert!(!s.matches(&input("example.com", "/users/42/edit", "POST")));
        assert!(!s.matches(&input("www.example.com", "/users/42/x/edit", "POST")));
        assert!(!s.matches(&input("www.example.com", "/users/42/edit", "GET")));
        let deep = Scope::compile(&ScopeSpec {
            path_glob: Some("/static/**".into()),
            ..ScopeSpec::default()
        })
        .unwrap();
        assert!(deep.matches(&input("a", "/static/css/x.css", "GET")));
    }

    #[test]
    fn host_without_port() {
        let head = RequestHead::new("GET", b"/").with_header("Host", "Shop.Example.com:8443");
        assert_eq!(request_host(&head), "shop.example.com");
        let v6 = RequestHead::new("GET", b"/").with_header("Host", "[::1]:80");
        assert_eq!(request_host(&v6), "::1");
    }

    #[test]
    fn rejects_two_path_kinds_and_relative_paths() {
        let two = ScopeSpec {
            path: Some("/a".into()),
            path_prefix: Some("/b".into()),
            ..ScopeSpec::default()
        };
        assert_eq!(Scope::compile(&two).err(), Some(ScopeError::ManyPaths));
        let rel = ScopeSpec {
            path: Some("a".into()),
            ..ScopeSpec::default()
        };
        assert!(Scope::compile(&rel).is_err());
    }
}
