//! `css_decode` transform (placeholder: returns its input unchanged until implemented).

use std::borrow::Cow;

/// Applies `css_decode`.
pub fn css_decode(input: &[u8]) -> Cow<'_, [u8]> {
    Cow::Borrowed(input)
}
