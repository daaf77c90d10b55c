//! Proxy configuration: the `[proxy]` table of `palisade.toml`, command-line
//! overrides, and validation into [`ProxySettings`].
//!
//! Contract: [`ProxySettings::build`] checks every key (unknown keys are
//! errors; every problem is reported, each naming its key path, and file
//! errors their line) and is how `palisade proxy` gets its settings: nothing
//! binds a port before it succeeds, so bad configuration exits 64. Config keys carry
//! their unit (`_seconds`, `_bytes`); code uses `Duration`.

mod file;

pub use file::*;

use palisade_engine::scope::{Scope, ScopeInput, ScopeSpec};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Command-line values; each overrides the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub listen: Option<String>,
    pub upstreams: Vec<String>,
    pub policy: Option<PathBuf>,
    pub signatures: Option<PathBuf>,
    pub admin: Option<String>,
}

/// An upstream base address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamAddr {
    /// `host:port` as written (also what `host_header = "upstream"` sends).
    pub authority: http::uri::Authority,
}

/// One validated `[[proxy.routes]]` entry.
#[derive(Debug, Clone)]
pub struct ProxyRoute {
    scope: Scope,
    pub body_mode: Option<BodyMode>,
}

/// Validated TLS settings.
#[derive(Debug, Clone)]
pub struct TlsSettings {
    pub listen: SocketAddr,
    pub alpn: Vec<Vec<u8>>,
    pub certificates: Vec<CertificateSection>,
}

/// Validated audit settings.
#[derive(Debug, Clone)]
pub struct AuditSettings {
    pub mode: AuditMode,
    /// `None` for stdout.
    pub path: Option<PathBuf>,
    pub max_file_bytes: u64,
    pub max_files: usize,
}

/// Validated timeouts.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub header_read: Duration,
    pub body_idle: Duration,
    pub upstream_connect: Duration,
    pub upstream_response: Duration,
    pub upstream_idle: Duration,
    pub tls_handshake: Duration,
    pub shutdown_drain: Duration,
}

/// Everything the proxy needs, validated.
#[derive(Debug, Clone)]
pub struct ProxySettings {
    pub listen: Option<SocketAddr>,
    pub tls: Option<TlsSettings>,
    pub upstreams: Vec<UpstreamAddr>,
    pub host_header: HostHeader,
    pub max_connections: usize,
    pub worker_threads: usize,
    pub timeouts: Timeouts,
    pub max_header_bytes: usize,
    pub max_headers: usize,
    pub max_body_bytes: u64,
    pub body_mode: BodyMode,
    pub routes: Vec<ProxyRoute>,
    pub eject_for: Duration,
    pub admin: Option<SocketAddr>,
    pub audit: AuditSettings,
    pub policy: Option<PathBuf>,
    pub signatures: Option<PathBuf>,
}

fn seconds(key: &str, value: f64, problems: &mut Vec<String>) -> Duration {
    if !(value.is_finite() && value > 0.0 && value <= 86_400.0 * 365.0) {
        problems.push(format!(
            "{key} must be a positive number of seconds, got {value}"
        ));
        return Duration::from_secs(1);
    }
    Duration::from_secs_f64(value)
}

fn socket(key: &str, value: &str, problems: &mut Vec<String>) -> Option<SocketAddr> {
    match value.parse() {
        Ok(a) => Some(a),
        Err(_) => {
            problems.push(format!("{key}: `{value}` is not an ip:port address"));
            None
        }
    }
}

fn upstream(index: usize, value: &str, problems: &mut Vec<String>) -> Option<UpstreamAddr> {
    let key = format!("proxy.upstreams[{index}]");
    let uri: http::Uri = match value.parse() {
        Ok(u) => u,
        Err(e) => {
            problems.push(format!("{key}: `{value}` is not a URL: {e}"));
            return None;
        }
    };
    if uri.scheme_str() != Some("http") {
        problems.push(format!(
            "{key}: `{value}` must be an http:// URL (TLS to upstreams is not supported)"
        ));
        return None;
    }
    if uri.path_and_query().is_some_and(|p| p.as_str() != "/") {
        problems.push(format!("{key}: `{value}` must not have a path or query"));
        return None;
    }
    match uri.authority() {
        Some(a) if a.port_u16().is_some() || !a.host().is_empty() => Some(UpstreamAddr {
            authority: a.clone(),
        }),
        _ => {
            problems.push(format!("{key}: `{value}` has no host"));
            None
        }
    }
}

impl ProxySettings {
    /// Validates a file config with command-line overrides applied.
    pub fn build(mut file: FileConfig, overrides: Overrides) -> Result<ProxySettings, ConfigError> {
        let mut problems = Vec::new();
        if overrides.listen.is_some() {
            file.proxy.listen = overrides.listen;
        }
        if !overrides.upstreams.is_empty() {
            file.proxy.upstreams = overrides.upstreams;
        }
        if overrides.policy.is_some() {
            file.proxy.policy = overrides.policy;
        }
        if overrides.signatures.is_some() {
            file.proxy.signatures = overrides.signatures;
        }
        if overrides.admin.is_some() {
            file.proxy.admin = overrides.admin;
        }
        let p = &file.proxy;
        let listen = p
            .listen
            .as_deref()
            .and_then(|l| socket("proxy.listen", l, &mut problems));
        let tls = p.tls.as_ref().and_then(|t| {
            if t.certificates.is_empty() {
                problems.push("proxy.tls.certificates must list at least one certificate".into());
            }
            if t.alpn.iter().any(|a| a != "h2" && a != "http/1.1") || t.alpn.is_empty() {
                problems.push("proxy.tls.alpn: only `h2` and `http/1.1` are supported".into());
            }
            let listen = socket("proxy.tls.listen", &t.listen, &mut problems)?;
            Some(TlsSettings {
                listen,
                alpn: t.alpn.iter().map(|a| a.as_bytes().to_vec()).collect(),
                certificates: t.certificates.clone(),
            })
        });
        if listen.is_none() && tls.is_none() && p.listen.is_none() {
            problems.push("proxy.listen (or --listen) or proxy.tls.listen is required".into());
        }
        if p.upstreams.is_empty() {
            problems.push("proxy.upstreams (or --upstream) must name at least one upstream".into());
        }
        let upstreams: Vec<UpstreamAddr> = p
            .upstreams
            .iter()
            .enumerate()
            .filter_map(|(i, u)| upstream(i, u, &mut problems))
            .collect();
        if p.max_connections == 0 {
            problems.push("proxy.max_connections must be at least 1".into());
        }
        let t = &p.timeouts;
        let timeouts = Timeouts {
            header_read: seconds(
                "proxy.timeouts.header_read_seconds",
                t.header_read_seconds,
                &mut problems,
            ),
            body_idle: seconds(
                "proxy.timeouts.body_idle_seconds",
                t.body_idle_seconds,
                &mut problems,
            ),
            upstream_connect: seconds(
                "proxy.timeouts.upstream_connect_seconds",
                t.upstream_connect_seconds,
                &mut problems,
            ),
            upstream_response: seconds(
                "proxy.timeouts.upstream_response_seconds",
                t.upstream_response_seconds,
                &mut problems,
            ),
            upstream_idle: seconds(
                "proxy.timeouts.upstream_idle_seconds",
                t.upstream_idle_seconds,
                &mut problems,
            ),
            tls_handshake: seconds(
                "proxy.timeouts.tls_handshake_seconds",
                t.tls_handshake_seconds,
                &mut problems,
            ),
            shutdown_drain: seconds(
                "proxy.timeouts.shutdown_drain_seconds",
                t.shutdown_drain_seconds,
                &mut problems,
            ),
        };
        let l = &p.limits;
        if l.max_header_bytes < 1024 || l.max_header_bytes > 1 << 20 {
            problems.push("proxy.limits.max_header_bytes must be between 1024 and 1048576".into());
        }
        if l.max_headers == 0 || l.max_headers > 1000 {
            problems.push("proxy.limits.max_headers must be between 1 and 1000".into());
        }
        if l.max_body_bytes == 0 {
            problems.push("proxy.limits.max_body_bytes must be at least 1".into());
        }
        let mut routes = Vec::new();
        for (i, r) in p.routes.iter().enumerate() {
            let spec = ScopeSpec {
                hosts: r.hosts.clone(),
                path: r.path.clone(),
                path_prefix: r.path_prefix.clone(),
                path_glob: r.path_glob.clone(),
                methods: r.methods.clone(),
            };
            match Scope::compile(&spec) {
                Ok(scope) => routes.push(ProxyRoute {
                    scope,
                    body_mode: r.body_mode,
                }),
                Err(e) => problems.push(format!("proxy.routes[{i}]: {e}")),
            }
        }
        let eject_for = seconds(
            "proxy.health.eject_seconds",
            p.health.eject_seconds,
            &mut problems,
        );
        let admin = p
            .admin
            .as_deref()
            .and_then(|a| socket("proxy.admin", a, &mut problems));
        let a = &p.audit;
        if a.max_file_bytes < 4096 {
            problems.push("proxy.audit.max_file_bytes must be at least 4096".into());
        }
        if a.max_files == 0 {
            problems.push("proxy.audit.max_files must be at least 1".into());
        }
        let audit = AuditSettings {
            mode: a.mode,
            path: (a.path != "-").then(|| PathBuf::from(&a.path)),
            max_file_bytes: a.max_file_bytes,
            max_files: a.max_files,
        };
        if !problems.is_empty() {
            return Err(ConfigError::Invalid(problems));
        }
        Ok(ProxySettings {
            listen,
            tls,
            upstreams,
            host_header: p.host_header,
            max_connections: p.max_connections,
            worker_threads: p.worker_threads,
            timeouts,
            max_header_bytes: l.max_header_bytes,
            max_headers: l.max_headers,
            max_body_bytes: l.max_body_bytes,
            body_mode: p.body.mode,
            routes,
            eject_for,
            admin,
            audit,
            policy: p.policy.clone(),
            signatures: p.signatures.clone(),
        })
    }

    /// The body mode for a request: the first matching route's, else the default.
    pub fn body_mode_for(&self, input: &ScopeInput<'_>) -> BodyMode {
        self.routes
            .iter()
            .find(|r| r.body_mode.is_some() && r.scope.matches(input))
            .and_then(|r| r.body_mode)
            .unwrap_or(self.body_mode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(text: &str) -> Result<ProxySettings, ConfigError> {
        ProxySettings::build(parse("t.toml", text)?, Overrides::default())
    }

    #[test]
    fn minimal_file_validates() {
        let s =
            build("[proxy]\nlisten = \"127.0.0.1:0\"\nupstreams = [\"http://127.0.0.1:3000\"]\n")
                .unwrap();
        assert_eq!(s.upstreams.len(), 1);
        assert_eq!(s.body_mode, BodyMode::Buffer);
        assert_eq!(s.timeouts.header_read, Duration::from_secs(10));
    }

    #[test]
    fn unknown_key_names_its_line() {
        let err = build("[proxy]\nlisten = \"127.0.0.1:0\"\nupstream = \"x\"\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("t.toml:3:"), "{text}");
        assert!(text.contains("upstream"), "{text}");
    }

    #[test]
    fn every_problem_is_reported_with_its_key() {
        let err = build(
            "[proxy]\nlisten = \"nope\"\nupstreams = [\"https://a\", \"http://b/x\"]\n[proxy.timeouts]\nbody_idle_seconds = 0\n",
        )
        .unwrap_err()
        .to_string();
        for key in [
            "proxy.listen",
            "proxy.upstreams[0]",
            "proxy.upstreams[1]",
            "proxy.timeouts.body_idle_seconds",
        ] {
            assert!(err.contains(key), "{key} missing from {err}");
        }
    }

    #[test]
    fn other_front_ends_tables_are_left_alone() {
        build("[authz]\nanything = 1\n[proxy]\nlisten = \"127.0.0.1:0\"\nupstreams = [\"http://127.0.0.1:3000\"]\n").unwrap();
    }

    #[test]
    fn overrides_win_and_routes_pick_body_mode() {
        let file = parse(
            "t.toml",
            "[proxy]\nupstreams = [\"http://10.0.0.1:80\"]\n[[proxy.routes]]\npath_prefix = \"/upload\"\nbody_mode = \"stream\"\n",
        )
        .unwrap();
        let s = ProxySettings::build(
            file,
            Overrides {
                listen: Some("127.0.0.1:8080".into()),
                upstreams: vec!["http://127.0.0.1:3000".into()],
                ..Overrides::default()
            },
        )
        .unwrap();
        assert_eq!(s.upstreams[0].authority.as_str(), "127.0.0.1:3000");
        let input = |path: &'static [u8]| ScopeInput {
            host: "x",
            path,
            method: "POST",
        };
        assert_eq!(s.body_mode_for(&input(b"/upload/a")), BodyMode::Stream);
        assert_eq!(s.body_mode_for(&input(b"/other")), BodyMode::Buffer);
    }
}
