//! Path normalisation, for paths and path-like values (`file=../../etc/passwd`).
//!
//! - `\` is a separator like `/` and is written as `/`; runs of separators
//!   collapse to one.
//! - `.` segments are dropped; a `..` segment removes the segment before it.
//! - A `..` that would climb above the start is dropped in an absolute path
//!   (`/../../etc/passwd` is `/etc/passwd`, as a server resolves it) but kept in a
//!   relative one (`a/../../etc/passwd` is `../etc/passwd`), so a traversal out of
//!   the base directory stays visible to the matcher.
//! - A Windows drive (`C:` followed by a separator) is a root: it is kept and
//!   never removed by `..` (`C:\..\boot.ini` is `C:/boot.ini`).
//! - A trailing separator is kept, and a path ending in `.` or in a resolved `..`
//!   gets one (`a/b/..` is `a/`). A relative path that resolves to nothing is
//!   the empty string (`a/..`, `./`).
//!
//! Only `/`, `\`, `.` and `..` are special: percent-escapes, `;` path parameters
//! (`/..;/`) and `...` are plain segment text. The output is never longer than the
//! input.

use super::common::owned_if_changed;
use std::borrow::Cow;

fn is_separator(byte: &u8) -> bool {
    matches!(byte, b'/' | b'\\')
}

/// Cheap check: does the path contain a `\`, an empty inner segment (`//`), or a
/// `.` / `..` segment?
fn needs_work(input: &[u8]) -> bool {
    if memchr::memchr(b'\\', input).is_some() {
        return true;
    }
    let last = input.split(|&b| b == b'/').count().saturating_sub(1);
    input
        .split(|&b| b == b'/')
        .enumerate()
        .any(|(index, segment)| match segment {
            b"." | b".." => true,
            b"" => index != 0 && index != last,
            _ => false,
        })
}

/// Splits a leading Windows drive (`C:` followed by a separator) off the path.
fn split_drive(input: &[u8]) -> (&[u8], &[u8]) {
    match input {
        [letter, b':', sep, ..] if letter.is_ascii_alphabetic() && is_separator(sep) => {
            input.split_at(2)
        }
        _ => (&[], input),
    }
}

/// Normalises a path.
pub fn normalise_path(input: &[u8]) -> Cow<'_, [u8]> {
    if !needs_work(input) {
        return Cow::Borrowed(input);
    }
    let (drive, path) = split_drive(input);
    let absolute = path.first().is_some_and(is_separator);
    let mut segments: Vec<&[u8]> = Vec::new();
    let mut trailing = false;
    for segment in path.split(is_separator) {
        trailing = true;
        match segment {
            b"" | b"." => {}
            b".." => match segments.last() {
                Some(&last) if last != b".." => {
                    segments.pop();
                }
                _ if absolute => {}
                _ => {
                    segments.push(segment);
                    trailing = false;
                }
            },
            _ => {
                segments.push(segment);
                trailing = false;
            }
        }
    }
    let mut out = Vec::with_capacity(input.len());
    out.extend_from_slice(drive);
    if absolute {
        out.push(b'/');
    }
    for (index, segment) in segments.iter().enumerate() {
        if index > 0 {
            out.push(b'/');
        }
        out.extend_from_slice(segment);
    }
    if trailing && !segments.is_empty() {
        out.push(b'/');
    }
    owned_if_changed(input, out)
}
