//! `normalise_path` transform (placeholder: returns its input unchanged until implemented).

use std::borrow::Cow;

/// Applies `normalise_path`.
pub fn normalise_path(input: &[u8]) -> Cow<'_, [u8]> {
    Cow::Borrowed(input)
}
