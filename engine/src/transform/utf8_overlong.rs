//! `utf8_overlong` transform (placeholder: returns its input unchanged until implemented).

use std::borrow::Cow;

/// Applies `utf8_overlong`.
pub fn utf8_overlong(input: &[u8]) -> Cow<'_, [u8]> {
    Cow::Borrowed(input)
}
