//! The policy model: how the engine enforces (mode, paranoia, threshold), the
//! bounds on what one request may make it hold, and the block response.
//!
//! Policies are TOML (`rules/default.toml` is the embedded default). Parsing
//! rejects unknown keys; validation rejects out-of-range values; every error names
//! the file and line. A [`Policy`] can only be built through [`Policy::parse`] or
//! [`Policy::default`], so an engine never runs on an unvalidated policy.

use crate::body::BodyLimits;
use crate::rule::Paranoia;
use crate::signature::line_of;
use crate::verdict::Mode;
use serde::Deserialize;

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
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            mode: Mode::Block,
            paranoia: Paranoia::MIN,
            anomaly_threshold: 5,
            limits: Limits::default(),
            block_response: BlockResponse::default(),
        }
    }
}

/// A validated policy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Policy {
    pub engine: EngineSettings,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default = "default_engine")]
    engine: toml::Spanned<EngineSettings>,
}

fn default_engine() -> toml::Spanned<EngineSettings> {
    toml::Spanned::new(0..0, EngineSettings::default())
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
        let line = line_of(text, raw.engine.span().start);
        let engine = raw.engine.into_inner();
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
        if errors.is_empty() {
            Ok(Policy { engine })
        } else {
            Err(errors)
        }
    }
}
