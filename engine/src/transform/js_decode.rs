//! `js_decode` transform (placeholder: returns its input unchanged until implemented).

use std::borrow::Cow;

/// Applies `js_decode`.
pub fn js_decode(input: &[u8]) -> Cow<'_, [u8]> {
    Cow::Borrowed(input)
}
