//! `xss` detector (placeholder until implemented: detects nothing).

use super::Detection;

/// Runs the xss detector.
pub fn detect(_input: &[u8]) -> Option<Detection> {
    None
}
