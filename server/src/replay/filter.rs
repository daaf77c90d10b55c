//! The `--known-good` filter: which replayed requests are trusted traffic
//! whose findings are false positives. Syntax: comma-separated terms that
//! must all hold; each term is `key=value`, with `|` between alternatives:
//!
//! - `path=/search` (exact normalised path), `path=/api/*` or `path=/api/**`
//!   (globs as in policy scopes: `*` within a segment, `**` across segments)
//! - `host=example.com` or `host=*.example.com` (without port)
//! - `method=GET|POST`
//! - `client=10.0.0.0/8` (a network or one address; requests without a
//!   client address never match)
//! - `status=2xx`, `status=200`, `status=none` (no paired response)
//! - `source=good.pcap` (the input file, as named on the command line)

use palisade_engine::cidr::Cidr;
use palisade_engine::scope::{Scope, ScopeInput, ScopeSpec};
use palisade_replay::Exchange;

/// Why a filter did not parse.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FilterError {
    #[error("known-good filter term `{0}` is not `key=value`")]
    NotKeyValue(String),
    #[error(
        "unknown known-good filter key `{0}` (expected path, host, method, client, status, source)"
    )]
    UnknownKey(String),
    #[error("invalid value `{value}` for `{key}`: {why}")]
    Value {
        key: String,
        value: String,
        why: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum StatusMatch {
    Exact(u16),
    Class(u16),
    None,
}

#[derive(Debug)]
enum Term {
    /// Any of the scopes (paths, hosts or methods).
    Scope(Vec<Scope>),
    Client(Vec<Cidr>),
    Status(Vec<StatusMatch>),
    Source(Vec<String>),
}

/// A parsed filter; the empty filter matches everything.
#[derive(Debug, Default)]
pub struct KnownGood {
    terms: Vec<Term>,
}

fn value_error(key: &str, value: &str, why: impl ToString) -> FilterError {
    FilterError::Value {
        key: key.to_string(),
        value: value.to_string(),
        why: why.to_string(),
    }
}

fn scope_for(key: &str, value: &str) -> Result<Scope, FilterError> {
    let mut spec = ScopeSpec::default();
    match key {
        "path" if value.contains(['*', '?']) => spec.path_glob = Some(value.to_string()),
        "path" => spec.path = Some(value.to_string()),
        "host" => spec.hosts = vec![value.to_string()],
        _ => spec.methods = vec![value.to_string()],
    }
    Scope::compile(&spec).map_err(|e| value_error(key, value, e))
}

fn status_for(value: &str) -> Result<StatusMatch, FilterError> {
    let lower = value.to_ascii_lowercase();
    if lower == "none" {
        return Ok(StatusMatch::None);
    }
    if let Some(class) = lower.strip_suffix("xx") {
        if let Ok(d @ 1..=5) = class.parse::<u16>() {
            return Ok(StatusMatch::Class(d));
        }
    }
    match value.parse::<u16>() {
        Ok(s @ 100..=999) => Ok(StatusMatch::Exact(s)),
        _ => Err(value_error(
            "status",
            value,
            "expected a status (200), a class (2xx) or none",
        )),
    }
}

impl KnownGood {
    /// Parses the filter text.
    pub fn parse(text: &str) -> Result<KnownGood, FilterError> {
        let mut terms = Vec::new();
        for term in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (key, values) = term
                .split_once('=')
                .ok_or_else(|| FilterError::NotKeyValue(term.to_string()))?;
            let key = key.trim().to_ascii_lowercase();
            let values: Vec<&str> = values.split('|').map(str::trim).collect();
            if values.iter().any(|v| v.is_empty()) {
                return Err(value_error(&key, term, "empty value"));
            }
            terms.push(match key.as_str() {
                "path" | "host" | "method" => Term::Scope(
                    values
                        .iter()
                        .map(|v| scope_for(&key, v))
                        .collect::<Result<_, _>>()?,
                ),
                "client" => Term::Client(
                    values
                        .iter()
                        .map(|v| v.parse::<Cidr>().map_err(|e| value_error(&key, v, e)))
                        .collect::<Result<_, _>>()?,
                ),
                "status" => Term::Status(
                    values
                        .iter()
                        .map(|v| status_for(v))
                        .collect::<Result<_, _>>()?,
                ),
                "source" => Term::Source(values.iter().map(|v| v.to_string()).collect()),
                _ => return Err(FilterError::UnknownKey(key)),
            });
        }
        Ok(KnownGood { terms })
    }

    /// Whether the request from input `source` is known-good traffic.
    pub fn matches(&self, x: &Exchange, source: &str) -> bool {
        let host = palisade_engine::scope::request_host(&x.head);
        let path = x.head.normalised_path();
        let input = ScopeInput {
            host: &host,
            path: &path,
            method: &x.head.method,
        };
        let status = x.response.as_ref().map(|r| r.status);
        self.terms.iter().all(|term| match term {
            Term::Scope(scopes) => scopes.iter().any(|s| s.matches(&input)),
            Term::Client(nets) => x
                .client
                .is_some_and(|c| nets.iter().any(|n| n.contains(c.ip()))),
            Term::Status(wanted) => wanted.iter().any(|w| match (w, status) {
                (StatusMatch::None, None) => true,
                (StatusMatch::Exact(e), Some(s)) => *e == s,
                (StatusMatch::Class(c), Some(s)) => s / 100 == *c,
                _ => false,
            }),
            Term::Source(names) => names.iter().any(|n| {
                n == source
                    || std::path::Path::new(source)
                        .file_name()
                        .is_some_and(|f| f.to_string_lossy() == n.as_str())
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_engine::request::RequestHead;
    use palisade_replay::ResponseInfo;

    fn exchange(method: &str, uri: &str, client: &str, status: Option<u16>) -> Exchange {
        Exchange {
            index: 0,
            source: 0,
            time: 0,
            client: client.parse().ok(),
            server: None,
            head: RequestHead::new(method, uri.as_bytes()).with_header("Host", "shop.example:8080"),
            body: Vec::new(),
            body_truncated: false,
            incomplete: false,
            response: status.map(|status| ResponseInfo { status, time: 0 }),
            notes: Vec::new(),
        }
    }

    #[test]
    fn terms_must_all_hold() {
        let f = KnownGood::parse(
            "path=/api/*, client=10.0.0.0/8, status=2xx|none, host=*.example|shop.example",
        )
        .unwrap();
        assert!(f.matches(
            &exchange("GET", "/api/x?q=1", "10.1.2.3:5000", Some(204)),
            "a"
        ));
        assert!(f.matches(&exchange("GET", "/api/x", "10.1.2.3:5000", None), "a"));
        assert!(!f.matches(&exchange("GET", "/api/x/y", "10.1.2.3:5000", None), "a"));
        assert!(!f.matches(&exchange("GET", "/api/x", "192.0.2.1:5000", None), "a"));
        assert!(!f.matches(&exchange("GET", "/api/x", "10.1.2.3:5000", Some(500)), "a"));
        assert!(!f.matches(&exchange("GET", "/api/x", "-", None), "a"));
    }

    #[test]
    fn exact_paths_methods_and_sources() {
        let f = KnownGood::parse("path=/search,method=GET,source=good.har").unwrap();
        assert!(f.matches(&exchange("GET", "/search?q=1", "-", None), "dir/good.har"));
        assert!(!f.matches(&exchange("POST", "/search", "-", None), "good.har"));
        assert!(!f.matches(&exchange("GET", "/search", "-", None), "bad.har"));
        assert!(KnownGood::parse("")
            .unwrap()
            .matches(&exchange("GET", "/", "-", None), "x"));
    }

    #[test]
    fn bad_filters_are_errors() {
        assert!(matches!(
            KnownGood::parse("path"),
            Err(FilterError::NotKeyValue(_))
        ));
        assert!(matches!(
            KnownGood::parse("colour=red"),
            Err(FilterError::UnknownKey(_))
        ));
        assert!(KnownGood::parse("status=6xx").is_err());
        assert!(KnownGood::parse("client=10.0.0.0/99").is_err());
        assert!(KnownGood::parse("path=relative").is_err());
        assert!(KnownGood::parse("method=").is_err());
    }
}
