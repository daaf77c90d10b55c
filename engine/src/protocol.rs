//! Built-in protocol findings: problems with the request's framing or body that
//! are detected by code rather than by signatures (malformed bodies, limits,
//! smuggling markers). Each has a fixed id in the protocol range (10000–10999).

use crate::body::BodyIssue;
use crate::rule::{Category, Paranoia, RuleId, Severity};
use crate::verdict::Finding;

/// A protocol problem the engine detects in code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProtocolCheck {
    BodyMalformed,
    BodyTruncated,
    BodyTooDeep,
    ValueTruncated,
    TooManyArgs,
    BodyOverLimit,
    TooManyHeaders,
    ContentLengthAndTransferEncoding,
    InvalidContentLength,
    NulInRequestTarget,
}

impl ProtocolCheck {
    /// The check's rule id.
    pub fn id(self) -> RuleId {
        RuleId(match self {
            ProtocolCheck::BodyMalformed => 10_001,
            ProtocolCheck::BodyTruncated => 10_002,
            ProtocolCheck::BodyTooDeep => 10_003,
            ProtocolCheck::ValueTruncated => 10_004,
            ProtocolCheck::TooManyArgs => 10_005,
            ProtocolCheck::BodyOverLimit => 10_006,
            ProtocolCheck::TooManyHeaders => 10_007,
            ProtocolCheck::ContentLengthAndTransferEncoding => 10_010,
            ProtocolCheck::InvalidContentLength => 10_011,
            ProtocolCheck::NulInRequestTarget => 10_012,
        })
    }

    pub fn severity(self) -> Severity {
        match self {
            ProtocolCheck::ValueTruncated
            | ProtocolCheck::TooManyArgs
            | ProtocolCheck::BodyOverLimit
            | ProtocolCheck::TooManyHeaders => Severity::Notice,
            _ => Severity::Critical,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            ProtocolCheck::BodyMalformed => "request body could not be parsed for its content type",
            ProtocolCheck::BodyTruncated => "request body ended in the middle of a structure",
            ProtocolCheck::BodyTooDeep => "request body nests deeper than the limit",
            ProtocolCheck::ValueTruncated => "a value was longer than the inspection limit",
            ProtocolCheck::TooManyArgs => "more arguments than the inspection limit",
            ProtocolCheck::BodyOverLimit => "body larger than the inspection limit",
            ProtocolCheck::TooManyHeaders => "more headers than the inspection limit",
            ProtocolCheck::ContentLengthAndTransferEncoding => {
                "both Content-Length and Transfer-Encoding (request smuggling marker)"
            }
            ProtocolCheck::InvalidContentLength => "invalid or conflicting Content-Length",
            ProtocolCheck::NulInRequestTarget => "NUL byte in the request target",
        }
    }

    /// Whether this check reports a configured limit being exceeded.
    pub fn is_limit(self) -> bool {
        matches!(
            self,
            ProtocolCheck::TooManyArgs
                | ProtocolCheck::BodyOverLimit
                | ProtocolCheck::TooManyHeaders
                | ProtocolCheck::ValueTruncated
        )
    }

    /// The check that a body issue reports.
    pub fn from_body_issue(issue: &BodyIssue) -> ProtocolCheck {
        match issue {
            BodyIssue::ValueTruncated { .. } => ProtocolCheck::ValueTruncated,
            BodyIssue::TooDeep => ProtocolCheck::BodyTooDeep,
            BodyIssue::Malformed { .. } => ProtocolCheck::BodyMalformed,
            BodyIssue::Truncated { .. } => ProtocolCheck::BodyTruncated,
        }
    }

    /// A finding for this check.
    pub fn finding(self, target: &str, detail: &str) -> Finding {
        Finding {
            rule_id: self.id(),
            category: Category::Protocol,
            severity: self.severity(),
            paranoia: Paranoia::MIN,
            message: self.message().to_string(),
            target: target.to_string(),
            transforms: "none".to_string(),
            excerpt: crate::verdict::excerpt(detail.as_bytes(), 64),
        }
    }
}
