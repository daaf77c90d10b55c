//! `palisade.toml` as written: the `[proxy]` table and its sub-tables, with
//! their defaults, and reading and parsing the file (errors name the file and
//! line). Validation into [`super::ProxySettings`] is in the parent module.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// What `palisade.toml` holds for the proxy: the `[proxy]` table. Other
/// tables belong to other front ends (`[authz]`) and are left alone, so one
/// file can configure both.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FileConfig {
    #[serde(default)]
    pub proxy: ProxySection,
}

/// `[proxy]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProxySection {
    /// Plain-text listener (HTTP/1.1 and h2c prior knowledge). Empty for none.
    pub listen: Option<String>,
    /// Policy file (relative paths are relative to the config file).
    pub policy: Option<PathBuf>,
    /// Signature directory.
    pub signatures: Option<PathBuf>,
    /// Admin listener: `/metrics`, `/healthz`, `/readyz`.
    pub admin: Option<String>,
    /// Upstream base URLs (`http://host:port`), used round-robin.
    pub upstreams: Vec<String>,
    /// `preserve` the client's Host, or send the `upstream` authority.
    pub host_header: HostHeader,
    /// Connections served at once (TLS and plain together); more wait in the accept queue.
    pub max_connections: usize,
    /// Tokio worker threads; 0 = one per core.
    pub worker_threads: usize,
    pub timeouts: TimeoutSection,
    pub limits: LimitSection,
    pub body: BodySection,
    pub health: HealthSection,
    pub tls: Option<TlsSection>,
    pub routes: Vec<RouteSection>,
    pub audit: AuditSection,
}

impl Default for ProxySection {
    fn default() -> Self {
        ProxySection {
            listen: None,
            policy: None,
            signatures: None,
            admin: None,
            upstreams: Vec::new(),
            host_header: HostHeader::Preserve,
            max_connections: 10_000,
            worker_threads: 0,
            timeouts: TimeoutSection::default(),
            limits: LimitSection::default(),
            body: BodySection::default(),
            health: HealthSection::default(),
            tls: None,
            routes: Vec::new(),
            audit: AuditSection::default(),
        }
    }
}

/// How the `Host` header reaches the upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum HostHeader {
    /// The client's `Host` (or HTTP/2 `:authority`) is passed on.
    #[default]
    Preserve,
    /// The upstream's own `host:port` is sent.
    Upstream,
}

/// `[proxy.timeouts]`; all in seconds (fractions allowed).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimeoutSection {
    /// Time a client has to send a complete request head (slowloris guard);
    /// also how long an idle keep-alive connection is kept.
    pub header_read_seconds: f64,
    /// Longest pause between two body chunks from the client.
    pub body_idle_seconds: f64,
    pub upstream_connect_seconds: f64,
    /// Time from sending the request to the upstream's response head.
    pub upstream_response_seconds: f64,
    /// Idle pooled upstream connections are closed after this.
    pub upstream_idle_seconds: f64,
    pub tls_handshake_seconds: f64,
    /// On SIGTERM, how long in-flight requests may take to finish.
    pub shutdown_drain_seconds: f64,
}

impl Default for TimeoutSection {
    fn default() -> Self {
        TimeoutSection {
            header_read_seconds: 10.0,
            body_idle_seconds: 30.0,
            upstream_connect_seconds: 5.0,
            upstream_response_seconds: 60.0,
            upstream_idle_seconds: 90.0,
            tls_handshake_seconds: 10.0,
            shutdown_drain_seconds: 30.0,
        }
    }
}

/// `[proxy.limits]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitSection {
    /// Sum of header name and value bytes (431 past it).
    pub max_header_bytes: usize,
    /// Request headers (431 past it).
    pub max_headers: usize,
    /// Request body bytes (413 past it), inspected or not.
    pub max_body_bytes: u64,
}

impl Default for LimitSection {
    fn default() -> Self {
        LimitSection {
            max_header_bytes: 32 * 1024,
            max_headers: 100,
            max_body_bytes: 100 * 1024 * 1024,
        }
    }
}

/// How a request body meets inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BodyMode {
    /// Hold the body (up to the policy's `max_inspected_body_bytes`) until the
    /// verdict is known; a request blocked on its body never reaches the upstream.
    #[default]
    Buffer,
    /// Forward chunks as they are inspected, holding back only the last one; a
    /// block aborts the upstream request before its body is complete.
    Stream,
}

/// `[proxy.body]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BodySection {
    pub mode: BodyMode,
}

/// `[proxy.health]`: passive health checks.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HealthSection {
    /// An upstream that refused a connection is skipped for this long.
    pub eject_seconds: f64,
}

impl Default for HealthSection {
    fn default() -> Self {
        HealthSection {
            eject_seconds: 10.0,
        }
    }
}

/// `[proxy.tls]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSection {
    pub listen: String,
    /// ALPN protocols offered, in order of preference.
    #[serde(default = "default_alpn")]
    pub alpn: Vec<String>,
    pub certificates: Vec<CertificateSection>,
}

fn default_alpn() -> Vec<String> {
    vec!["h2".to_string(), "http/1.1".to_string()]
}

/// `[[proxy.tls.certificates]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateSection {
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
    /// SNI names served with this certificate (`*.example.com` for subdomains).
    /// The first certificate also answers clients sending no or an unknown name.
    #[serde(default)]
    pub names: Vec<String>,
}

/// `[[proxy.routes]]`: per host/path proxy behaviour.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSection {
    #[serde(default)]
    pub hosts: Vec<String>,
    pub path: Option<String>,
    pub path_prefix: Option<String>,
    pub path_glob: Option<String>,
    #[serde(default)]
    pub methods: Vec<String>,
    pub body_mode: Option<BodyMode>,
}

/// Which requests the audit log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AuditMode {
    Off,
    /// Blocked requests and those with findings (detect mode included).
    #[default]
    Flagged,
    All,
}

/// `[proxy.audit]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditSection {
    pub mode: AuditMode,
    /// A file, or `-` for stdout.
    pub path: String,
    /// Rotate when the file would grow past this.
    pub max_file_bytes: u64,
    /// Rotated files kept (`audit.log.1` .. `.N`).
    pub max_files: usize,
}

impl Default for AuditSection {
    fn default() -> Self {
        AuditSection {
            mode: AuditMode::Flagged,
            path: "-".to_string(),
            max_file_bytes: 100 * 1024 * 1024,
            max_files: 5,
        }
    }
}

/// A configuration problem; `Display` names the file, line and key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("reading {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Parse {
        path: String,
        line: usize,
        message: String,
    },
    #[error("invalid proxy configuration:\n{}", .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<String>),
}

/// Reads and parses `palisade.toml`. Paths inside are made relative to its folder.
pub fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let mut config = parse(&path.display().to_string(), &text)?;
    let base = path.parent().unwrap_or(Path::new("."));
    let rebase = |p: &mut Option<PathBuf>| {
        if let Some(p) = p {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
    };
    rebase(&mut config.proxy.policy);
    rebase(&mut config.proxy.signatures);
    if let Some(tls) = &mut config.proxy.tls {
        for c in &mut tls.certificates {
            for p in [&mut c.cert_file, &mut c.key_file] {
                if p.is_relative() {
                    *p = base.join(&*p);
                }
            }
        }
    }
    let audit = &mut config.proxy.audit;
    if audit.path != "-" && Path::new(&audit.path).is_relative() {
        audit.path = base.join(&audit.path).display().to_string();
    }
    Ok(config)
}

/// Parses config text; `name` is used in errors.
pub fn parse(name: &str, text: &str) -> Result<FileConfig, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: name.to_string(),
        line: e
            .span()
            .map(|s| {
                text.get(..s.start)
                    .map_or(1, |t| t.matches('\n').count() + 1)
            })
            .unwrap_or(1),
        message: e.message().trim().to_string(),
    })
}
