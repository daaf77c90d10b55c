//! `cmdline` transform (placeholder: returns its input unchanged until implemented).

use std::borrow::Cow;

/// Applies `cmdline`.
pub fn cmdline(input: &[u8]) -> Cow<'_, [u8]> {
    Cow::Borrowed(input)
}
