//! Verdicts and findings: what the engine decided about a request, and why.

use crate::rule::{Category, Paranoia, RuleId, Severity};
use serde::Serialize;

/// Whether the policy enforces or only reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Requests reaching the threshold are blocked.
    #[default]
    Block,
    /// Findings are reported; nothing is blocked.
    Detect,
}

/// What to do with the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Allow,
    Block,
}

/// Why a request was (or, in detect mode, would have been) blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockReason {
    /// The anomaly score reached the threshold.
    AnomalyScore,
    /// A configured limit was exceeded and the policy rejects past limits.
    LimitExceeded,
    /// A `[[rate_limits]]` entry refused the request.
    RateLimited,
    /// A policy custom rule with `action = "block"` fired.
    CustomRule,
    /// The client address is on the policy's deny list.
    ClientDenied,
    /// The behavioural DoS model refused the request (see `dos`).
    DosMitigation,
}

/// One rule that fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule_id: RuleId,
    pub category: Category,
    pub severity: Severity,
    pub paranoia: Paranoia,
    pub message: String,
    /// Where the value came from: `args:q`, `json:user.name`, `header:user-agent`.
    pub target: String,
    /// The transform chain that exposed the match (`url_decode,lowercase`, or `none`).
    pub transforms: String,
    /// A short escaped excerpt of what matched.
    pub excerpt: String,
}

/// The engine's decision about one request.
#[must_use]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub action: Action,
    /// HTTP status to answer with when blocking (403, or 413 past a limit).
    pub status: u16,
    /// Set when the request is blocked, or would be in detect mode.
    pub reason: Option<BlockReason>,
    pub mode: Mode,
    pub score: u32,
    pub threshold: u32,
    pub paranoia: Paranoia,
    pub findings: Vec<Finding>,
    /// Tags added by custom rules.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The policy route that applied, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// Why inspection was skipped (an allow rule or the client allow list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bypass: Option<String>,
    /// The rate limit that refused the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<String>,
    /// For 429: seconds until the client may retry (the `Retry-After` value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
    /// Which DoS mitigation refused the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dos: Option<crate::dos::Refusal>,
}

impl Verdict {
    /// Whether the request is to be blocked.
    pub fn is_block(&self) -> bool {
        self.action == Action::Block
    }

    /// A short one-line human summary.
    pub fn summary(&self) -> String {
        let head = match (self.action, self.reason) {
            (Action::Block, _) => format!("BLOCK {}", self.status),
            (Action::Allow, Some(_)) => "ALLOW (detect mode: would block)".to_string(),
            (Action::Allow, None) => "ALLOW".to_string(),
        };
        format!(
            "{head} score={}/{} paranoia={} findings={}",
            self.score,
            self.threshold,
            self.paranoia.get(),
            self.findings.len()
        )
    }
}

/// Escapes bytes for display: printable ASCII as is, everything else `\xHH`,
/// cut to at most `max` input bytes (with `...` when cut).
pub fn excerpt(bytes: &[u8], max: usize) -> String {
    let mut out = String::with_capacity(bytes.len().min(max) + 4);
    for &b in bytes.iter().take(max) {
        match b {
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    if bytes.len() > max {
        out.push_str("...");
    }
    out
}
