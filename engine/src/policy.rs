//! The policy model: how the engine enforces (mode, paranoia, threshold), the
//! bounds on what one request may make it hold, and the block response.
//!
//! Policies are TOML (`rules/default.toml` is the embedded default). Parsing
//! rejects unknown keys; validation rejects out-of-range values; every error names
//! the file and line. A [`Policy`] can only be built through [`Policy::parse`] or
//! [`Policy::default`], so an engine never runs on an unvalidated policy.

use crate::body::BodyLimits;
use crate::cidr::Cidr;
use crate::custom_rule::{CustomRule, CustomRuleSpec};
use crate::dos::{DosConfig, DosModel};
use crate::exclusion::{Exclusion, ExclusionSpec};
use crate::ratelimit::{RateLimitRule, RateLimitSpec, SharedLimitsConfig};
use crate::route::{Route, RouteSpec};
use crate::rule::Paranoia;
use crate::signature::line_of;
use crate::verdict::Mode;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::sync::Arc;
use toml::Spanned;

/// What happens when a request goes past a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LimitAction {
    /// Inspect what fit, report a protocol finding, let the rest through uninspected.
    #[default]
    InspectPartial,
    /// Refuse the request with 413.
    Reject,
}

/// Bounds on per-request inspection state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Body bytes inspected; bytes past this are not parsed.
    pub max_inspected_body_bytes: u64,
    /// Arguments (query and body values of every kind) inspected.
    pub max_args_count: usize,
    /// Longest single value or name kept for inspection.
    pub max_value_bytes: usize,
    /// Deepest JSON/XML nesting accepted.
    pub max_json_depth: usize,
    /// Most request headers inspected.
    pub max_headers_count: usize,
    /// What going past any of the above does.
    pub on_limit: LimitAction,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_inspected_body_bytes: 1 << 20,
            max_args_count: 1024,
            max_value_bytes: 64 * 1024,
            max_json_depth: 64,
            max_headers_count: 128,
            on_limit: LimitAction::InspectPartial,
        }
    }
}

impl Limits {
    /// The subset body parsers need.
    pub fn body_limits(&self) -> BodyLimits {
        BodyLimits {
            max_value_bytes: self.max_value_bytes,
            max_depth: self.max_json_depth,
        }
    }
}

/// The response sent when a request is blocked.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BlockResponse {
    pub status: u16,
    pub content_type: String,
    /// Body template; `{request_id}` is replaced by the request id.
    pub body: String,
}

impl Default for BlockResponse {
    fn default() -> Self {
        BlockResponse {
            status: 403,
            content_type: "text/plain; charset=utf-8".to_string(),
            body: "Request blocked. Request id: {request_id}\n".to_string(),
        }
    }
}

/// The `[engine]` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EngineSettings {
    pub mode: Mode,
    pub paranoia: Paranoia,
    pub anomaly_threshold: u32,
    pub limits: Limits,
    pub block_response: BlockResponse,
    /// `[engine.protocol]`: allow-lists and bounds of the built-in protocol checks.
    pub protocol: ProtocolSettings,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            mode: Mode::Block,
            paranoia: Paranoia::MIN,
            anomaly_threshold: 5,
            limits: Limits::default(),
            block_response: BlockResponse::default(),
            protocol: ProtocolSettings::default(),
        }
    }
}

/// The `[engine.protocol]` section: what the built-in protocol checks
/// (`crate::protocol`) accept. Names are compared ASCII case-insensitively,
/// except methods, which are case-sensitive as in HTTP.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProtocolSettings {
    /// Request methods accepted; `"*"` accepts any well-formed method.
    pub allowed_methods: Vec<String>,
    /// HTTP versions accepted: `HTTP/1.0`, `HTTP/1.1`, `HTTP/2`, `HTTP/3`.
    pub allowed_http_versions: Vec<String>,
    /// Media types a request body may have: `type/subtype`, `type/*`, or a
    /// structured-syntax suffix such as `application/*+json`.
    pub allowed_content_types: Vec<String>,
    /// Charsets a body, a multipart part or an `Accept` may name.
    pub allowed_charsets: Vec<String>,
    /// File extensions (with the dot) that may not be requested.
    pub restricted_extensions: Vec<String>,
    /// Request headers refused from paranoia 1.
    pub restricted_headers: Vec<String>,
    /// Request headers refused from paranoia 2.
    pub strict_restricted_headers: Vec<String>,
    /// Most byte ranges one `Range` header may ask for.
    pub max_byte_ranges: usize,
    /// Longest query or form argument name before a notice; 0 turns the check off.
    pub max_arg_name_bytes: usize,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_string()).collect()
}

impl Default for ProtocolSettings {
    fn default() -> Self {
        ProtocolSettings {
            allowed_methods: strings(&[
                "GET",
                "HEAD",
                "POST",
                "PUT",
                "PATCH",
                "DELETE",
                "OPTIONS",
                // WebDAV class 1 and CalDAV/CardDAV, without locking
                "PROPFIND",
                "PROPPATCH",
                "MKCOL",
                "COPY",
                "MOVE",
                "REPORT",
                "MKCALENDAR",
            ]),
            allowed_http_versions: strings(&["HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/3"]),
            allowed_content_types: strings(&[
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "application/json",
                "application/*+json",
                "application/xml",
                "text/xml",
                "application/*+xml",
                "text/plain",
                "application/octet-stream",
                "application/x-ndjson",
                "application/csp-report",
            ]),
            allowed_charsets: strings(&[
                "utf-8",
                "us-ascii",
                "iso-8859-1",
                "iso-8859-15",
                "windows-1252",
            ]),
            restricted_extensions: strings(&[
                // backups and editor leftovers
                ".bak",
                ".backup",
                ".old",
                ".orig",
                ".save",
                ".swp",
                ".tmp",
                // databases and dumps
                ".sql",
                ".db",
                ".sqlite",
                ".sqlite3",
                ".mdb",
                ".dbf",
                ".rdb",
                ".dump",
                // configuration, secrets and keys
                ".ini",
                ".conf",
                ".config",
                ".cfg",
                ".env",
                ".htpasswd",
                ".htaccess",
                ".pem",
                ".key",
                ".p12",
                ".pfx",
                ".jks",
                ".kdbx",
                // source, project and build files
                ".inc",
                ".cs",
                ".vb",
                ".csproj",
                ".vbproj",
                ".sln",
                ".pdb",
                ".class",
                ".java",
                // logs and Windows scripts
                ".log",
                ".bat",
                ".cmd",
                ".vbs",
                ".ps1",
                // ASP.NET internals
                ".asa",
                ".asax",
                ".ascx",
                ".resx",
                ".resources",
                ".licx",
            ]),
            restricted_headers: strings(&[
                "content-encoding",
                "proxy",
                "request-range",
                "lock-token",
                "if",
                "x-middleware-subrequest",
                "x-original-url",
                "x-rewrite-url",
            ]),
            strict_restricted_headers: strings(&["accept-charset"]),
            max_byte_ranges: 50,
            max_arg_name_bytes: 100,
        }
    }
}

impl ProtocolSettings {
    /// Problems with the section, each naming its key.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let lists = [
            ("allowed_methods", &self.allowed_methods),
            ("allowed_http_versions", &self.allowed_http_versions),
            ("allowed_content_types", &self.allowed_content_types),
            ("allowed_charsets", &self.allowed_charsets),
        ];
        for (key, list) in lists {
            if list.is_empty() {
                out.push(format!("engine.protocol.{key} must not be empty"));
            }
        }
        for version in &self.allowed_http_versions {
            if !["HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/3"].contains(&version.as_str()) {
                out.push(format!(
                    "engine.protocol.allowed_http_versions: unknown version `{version}` (expected HTTP/1.0, HTTP/1.1, HTTP/2 or HTTP/3)"
                ));
            }
        }
        for ty in &self.allowed_content_types {
            let ok = ty.split_once('/').is_some_and(|(t, s)| {
                let part = |p: &str| {
                    !p.is_empty()
                        && p.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+*".contains(&b))
                };
                part(t) && part(s)
            });
            if !ok {
                out.push(format!("engine.protocol.allowed_content_types: `{ty}` is not a media type (type/subtype)"));
            }
        }
        for ext in &self.restricted_extensions {
            if !ext.starts_with('.') || ext.len() < 2 {
                out.push(format!(
                    "engine.protocol.restricted_extensions: `{ext}` must start with a dot"
                ));
            }
        }
        let names = [
            ("allowed_methods", &self.allowed_methods),
            ("allowed_charsets", &self.allowed_charsets),
            ("restricted_headers", &self.restricted_headers),
            ("strict_restricted_headers", &self.strict_restricted_headers),
        ];
        for (key, list) in names {
            for item in list.iter() {
                if item.is_empty() || item.bytes().any(|b| b <= b' ' || b >= 0x7f) {
                    out.push(format!(
                        "engine.protocol.{key}: `{item}` is empty or has spaces or control bytes"
                    ));
                }
            }
        }
        if self.max_byte_ranges == 0 {
            out.push("engine.protocol.max_byte_ranges must be at least 1".into());
        }
        out
    }
}

/// The `[clients]` section: address lists and the proxies whose forwarding
/// headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClientLists {
    /// Clients whose requests skip inspection.
    pub allow: Vec<Cidr>,
    /// Clients whose requests are refused.
    pub deny: Vec<Cidr>,
    /// Peers whose `X-Forwarded-For` / `Forwarded` headers name the client.
    pub trusted_proxies: Vec<Cidr>,
}

/// A validated policy.
#[derive(Clone, Default)]
pub struct Policy {
    pub engine: EngineSettings,
    pub clients: ClientLists,
    pub exclusions: Vec<Exclusion>,
    pub rules: Vec<CustomRule>,
    pub routes: Vec<Route>,
    /// Rate limits carry their limiter state; clones of a policy share it.
    pub rate_limits: Vec<Arc<RateLimitRule>>,
    /// The `[dos]` settings.
    pub dos_config: DosConfig,
    /// The behavioural DoS model, when `[dos] enabled = true`; clones share it.
    pub dos: Option<Arc<DosModel>>,
    /// `[shared_limits]`: where rate limits are shared across instances.
    pub shared_limits: SharedLimitsConfig,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("engine", &self.engine)
            .field("clients", &self.clients)
            .field("exclusions", &self.exclusions.len())
            .field("rules", &self.rules.len())
            .field("routes", &self.routes.len())
            .field("rate_limits", &self.rate_limits.len())
            .field("dos", &self.dos.is_some())
            // Not the URL: it may carry a password.
            .field("shared_limits", &self.shared_limits.redis_url.is_some())
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    // Not `Spanned`: a table defined only through its subtables
    // (`[engine.limits]` with no `[engine]` line) has no span of its own.
    #[serde(default)]
    engine: EngineSettings,
    #[serde(default)]
    clients: ClientLists,
    #[serde(default)]
    exclusions: Vec<Spanned<ExclusionSpec>>,
    #[serde(default)]
    rules: Vec<Spanned<CustomRuleSpec>>,
    #[serde(default)]
    routes: Vec<Spanned<RouteSpec>>,
    #[serde(default)]
    rate_limits: Vec<Spanned<RateLimitSpec>>,
    #[serde(default = "default_dos")]
    dos: Spanned<DosConfig>,
    #[serde(default = "default_shared_limits")]
    shared_limits: Spanned<SharedLimitsConfig>,
}

fn default_dos() -> Spanned<DosConfig> {
    Spanned::new(0..0, DosConfig::default())
}

fn default_shared_limits() -> Spanned<SharedLimitsConfig> {
    Spanned::new(0..0, SharedLimitsConfig::default())
}

/// A problem with a policy file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct PolicyError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl Policy {
    /// A copy with its own, empty rate-limit state (for tests and explanations
    /// that must not consume a live policy's budget).
    pub fn clone_fresh(&self) -> Policy {
        let mut copy = self.clone();
        copy.dos = self
            .dos
            .as_ref()
            .map(|m| Arc::new(DosModel::new(m.config().clone())));
        copy.rate_limits = self
            .rate_limits
            .iter()
            .map(|r| Arc::new(r.fresh()))
            .collect();
        copy
    }

    /// Parses and validates a policy. `file` is the name used in errors. Returns
    /// every problem found.
    pub fn parse(file: &str, text: &str) -> Result<Policy, Vec<PolicyError>> {
        let raw: RawPolicy = toml::from_str(text).map_err(|e| {
            vec![PolicyError {
                file: file.to_string(),
                line: e.span().map(|s| line_of(text, s.start)).unwrap_or(1),
                message: e.message().trim().to_string(),
            }]
        })?;
        // Errors about `[engine]` values point at its header (or line 1).
        let line = text
            .find("[engine")
            .map(|offset| line_of(text, offset))
            .unwrap_or(1);
        let engine = raw.engine;
        let mut errors = Vec::new();
        let mut fail = |message: String| {
            errors.push(PolicyError {
                file: file.to_string(),
                line,
                message,
            })
        };
        if engine.anomaly_threshold == 0 {
            fail("engine.anomaly_threshold must be at least 1".into());
        }
        if !(400..=599).contains(&engine.block_response.status) {
            fail(format!(
                "engine.block_response.status must be a 4xx or 5xx status, got {}",
                engine.block_response.status
            ));
        }
        let l = &engine.limits;
        if l.max_value_bytes == 0 || l.max_args_count == 0 || l.max_json_depth == 0 {
            fail("engine.limits: max_value_bytes, max_args_count and max_json_depth must be at least 1".into());
        }
        if l.max_value_bytes > 16 << 20 {
            fail("engine.limits.max_value_bytes must be at most 16 MiB".into());
        }
        for problem in engine.protocol.problems() {
            fail(problem);
        }
        let at = |span: std::ops::Range<usize>, message: String| PolicyError {
            file: file.to_string(),
            line: line_of(text, span.start),
            message,
        };
        let mut exclusions = Vec::new();
        for (i, e) in raw.exclusions.iter().enumerate() {
            match Exclusion::compile(e.get_ref()) {
                Ok(x) => exclusions.push(x),
                Err(err) => errors.push(at(e.span(), format!("exclusions[{i}]: {err}"))),
            }
        }
        let mut rate_limits: Vec<Arc<RateLimitRule>> = Vec::new();
        let mut names = BTreeSet::new();
        for (i, r) in raw.rate_limits.iter().enumerate() {
            match RateLimitRule::compile(r.get_ref()) {
                Ok(x) => {
                    if !names.insert(x.name.clone()) {
                        errors.push(at(
                            r.span(),
                            format!("rate_limits[{i}]: duplicate name `{}`", x.name),
                        ));
                    }
                    rate_limits.push(Arc::new(x));
                }
                Err(err) => errors.push(at(r.span(), format!("rate_limits[{i}]: {err}"))),
            }
        }
        let mut rules = Vec::new();
        let mut ids = BTreeSet::new();
        for (i, r) in raw.rules.iter().enumerate() {
            match CustomRule::compile(r.get_ref()) {
                Ok(x) => {
                    if !ids.insert(x.id) {
                        errors.push(at(r.span(), format!("rules[{i}]: duplicate id {}", x.id)));
                    }
                    if let crate::custom_rule::Action::RateLimit(name) = &x.action {
                        if !names.contains(name) {
                            errors.push(at(
                                r.span(),
                                format!("rules[{i}]: rate_limit `{name}` is not defined in [[rate_limits]]"),
                            ));
                        }
                    }
                    rules.push(x);
                }
                Err(err) => errors.push(at(
                    r.span(),
                    format!("rules[{i}] (id {}): {err}", r.get_ref().id),
                )),
            }
        }
        let mut routes = Vec::new();
        for (i, r) in raw.routes.iter().enumerate() {
            match Route::compile(r.get_ref(), i) {
                Ok(x) => routes.push(x),
                Err(err) => errors.push(at(r.span(), format!("routes[{i}]: {err}"))),
            }
        }
        for problem in raw.dos.get_ref().problems() {
            errors.push(at(raw.dos.span(), problem));
        }
        for problem in raw.shared_limits.get_ref().problems() {
            errors.push(at(raw.shared_limits.span(), problem));
        }
        if errors.is_empty() {
            let dos_config = raw.dos.into_inner();
            let dos = dos_config
                .enabled
                .then(|| Arc::new(DosModel::new(dos_config.clone())));
            Ok(Policy {
                engine,
                clients: raw.clients,
                exclusions,
                rules,
                routes,
                rate_limits,
                dos_config,
                dos,
                shared_limits: raw.shared_limits.into_inner(),
            })
        } else {
            Err(errors)
        }
    }
}
