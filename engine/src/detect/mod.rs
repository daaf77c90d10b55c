//! Detectors that are not regular expressions: tokenizers that recognise SQL
//! and HTML/JavaScript injection by structure, used by signatures as operators
//! (`detector = "sqli"`) beside the regex automata.
//!
//! Contract, for every detector: linear time in the input, bounded memory, never
//! panics on any byte sequence, and deterministic (same input, same answer).

use serde::Deserialize;

pub mod sqli;
pub mod xss;

/// A structural detector a signature can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Detector {
    /// SQL injection by token-sequence fingerprint, breaking out of a value.
    Sqli,
    /// Any SQL-like token sequence, including whole queries typed on their own.
    SqliAny,
    /// Cross-site scripting by HTML/JavaScript tokenization.
    Xss,
}

/// What a detector found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// A short description of why (a token fingerprint such as `s&1c`, or the tag/attribute).
    pub fingerprint: String,
    /// Byte range of the input that the detection is about.
    pub start: usize,
    pub end: usize,
}

impl Detector {
    /// Runs the detector on a (transformed) value.
    pub fn detect(self, input: &[u8]) -> Option<Detection> {
        match self {
            Detector::Sqli => sqli::detect_breakout(input),
            Detector::SqliAny => sqli::detect(input),
            Detector::Xss => xss::detect(input),
        }
    }

    /// [`Detector::detect`] on an input whose cheap pre-check
    /// ([`sqli::might_be_sql`], [`xss::might_be_xss`]) has already passed:
    /// the pre-check is not run again.
    pub fn detect_prechecked(self, input: &[u8]) -> Option<Detection> {
        match self {
            Detector::Sqli => sqli::detect_breakout_prechecked(input),
            Detector::SqliAny => sqli::detect_prechecked(input),
            Detector::Xss => xss::detect(input),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Detector::Sqli => "sqli",
            Detector::SqliAny => "sqli_any",
            Detector::Xss => "xss",
        }
    }
}
