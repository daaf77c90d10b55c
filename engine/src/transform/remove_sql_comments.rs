//! `remove_sql_comments` transform (placeholder: returns its input unchanged until implemented).

use std::borrow::Cow;

/// Applies `remove_sql_comments`.
pub fn remove_sql_comments(input: &[u8]) -> Cow<'_, [u8]> {
    Cow::Borrowed(input)
}
