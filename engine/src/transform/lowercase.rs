//! `lowercase` transform (placeholder: returns its input unchanged until implemented).

use std::borrow::Cow;

/// Applies `lowercase`.
pub fn lowercase(input: &[u8]) -> Cow<'_, [u8]> {
    Cow::Borrowed(input)
}
