//! `html_entity_decode` transform (placeholder: returns its input unchanged until implemented).

use std::borrow::Cow;

/// Applies `html_entity_decode`.
pub fn html_entity_decode(input: &[u8]) -> Cow<'_, [u8]> {
    Cow::Borrowed(input)
}
