//! `remove_nulls` transform (placeholder: returns its input unchanged until implemented).

use std::borrow::Cow;

/// Applies `remove_nulls`.
pub fn remove_nulls(input: &[u8]) -> Cow<'_, [u8]> {
    Cow::Borrowed(input)
}
