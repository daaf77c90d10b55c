//! `compress_whitespace` transform (placeholder: returns its input unchanged until implemented).

use std::borrow::Cow;

/// Applies `compress_whitespace`.
pub fn compress_whitespace(input: &[u8]) -> Cow<'_, [u8]> {
    Cow::Borrowed(input)
}
