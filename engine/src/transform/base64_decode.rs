//! `base64_decode` transform (placeholder: returns its input unchanged until implemented).

use std::borrow::Cow;

/// Applies `base64_decode`.
pub fn base64_decode(input: &[u8]) -> Cow<'_, [u8]> {
    Cow::Borrowed(input)
}
