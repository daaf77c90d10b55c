//! `sqli` detector (placeholder until implemented: detects nothing).

use super::Detection;

/// Runs the sqli detector.
pub fn detect(_input: &[u8]) -> Option<Detection> {
    None
}
