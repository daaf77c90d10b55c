//! SQL comment removal, for SQL-injection signatures.
//!
//! - `/* ... */` becomes one space; an unterminated `/*` turns the rest of the
//!   value into one space.
//! - MySQL executable comments `/*! ... */` and MariaDB's `/*M! ... */` keep their
//!   body: the opener becomes one space, a version number right after `!` (a run
//!   of exactly 5 or 6 digits, `/*!50000`) is dropped, and the closing `*/`
//!   becomes one space. Inside the body, ordinary comments are removed as above
//!   (`/*!union/**/select*/` is ` union select `), as MySQL reads them.
//! - `--` followed by whitespace or a control byte, or at the end of the value,
//!   and `#` start a comment to the end of the line; the comment becomes one space
//!   and the line break is kept. `--x` is not a comment (MySQL's rule): removing
//!   it could hide text a MySQL server would run.
//!
//! String literals are not tracked: a `#` or `/*` inside quotes is treated as a
//! comment too. Because `#` is not a comment outside MySQL (PostgreSQL reads it as
//! XOR), this transform can remove live text; signatures should not rely on it
//! alone. The output is never longer than the input.

use super::common::owned_if_changed;
use std::borrow::Cow;

/// Length of a MySQL version number at the start of `body` (5 or 6 digits), or 0.
fn version_len(body: &[u8]) -> usize {
    let digits = body
        .iter()
        .take(7)
        .take_while(|b| b.is_ascii_digit())
        .count();
    match digits {
        5 | 6 => digits,
        _ => 0,
    }
}

/// Length of the line comment at the start of `rest` (up to, not including, the
/// line break), if one starts there.
fn line_comment_len(rest: &[u8]) -> Option<usize> {
    let starts = match rest {
        [b'#', ..] => true,
        [b'-', b'-'] => true,
        [b'-', b'-', next, ..] => next.is_ascii_whitespace() || next.is_ascii_control(),
        _ => false,
    };
    starts.then(|| memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len()))
}

/// Replaces SQL comments with one space.
pub fn remove_sql_comments(input: &[u8]) -> Cow<'_, [u8]> {
    if memchr::memchr3(b'/', b'-', b'#', input).is_none() {
        return Cow::Borrowed(input);
    }
    let mut out = Vec::with_capacity(input.len());
    let mut rest = input;
    let mut in_executable = false;
    while let Some((&byte, tail)) = rest.split_first() {
        let consumed = match rest {
            [b'/', b'*', b'!', ..] | [b'/', b'*', b'M', b'!', ..] if !in_executable => {
                let opener = if rest.get(2) == Some(&b'!') { 3 } else { 4 };
                let body = rest.get(opener..).unwrap_or_default();
                out.push(b' ');
                in_executable = true;
                opener + version_len(body)
            }
            [b'/', b'*', ..] => {
                out.push(b' ');
                let body = rest.get(2..).unwrap_or_default();
                comment_end().find(body).map_or(rest.len(), |end| end + 4)
            }
            [b'*', b'/', ..] if in_executable => {
                out.push(b' ');
                in_executable = false;
                2
            }
            _ => match line_comment_len(rest) {
                Some(len) => {
                    out.push(b' ');
                    len
                }
                None => {
                    out.push(byte);
                    rest = tail;
                    continue;
                }
            },
        };
        rest = rest.get(consumed..).unwrap_or_default();
    }
    owned_if_changed(input, out)
}

/// One searcher for `*/`, built once (building one per call costs more than
/// the search on short values).
fn comment_end() -> &'static memchr::memmem::Finder<'static> {
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    FINDER.get_or_init(|| memchr::memmem::Finder::new(b"*/"))
}
