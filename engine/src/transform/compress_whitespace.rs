//! Whitespace compression: every run of whitespace becomes exactly one space.
//!
//! Whitespace is: space, `\t`, `\n`, `\r`, VT (0x0B), FF (0x0C), the UTF-8
//! no-break space `C2 A0`, and a lone `A0` byte (Latin-1 no-break space) that is
//! not part of a well-formed UTF-8 sequence — so `à` (`C3 A0`) and `†`
//! (`E2 80 A0`) are kept intact. Leading and trailing runs also become one space
//! (nothing is trimmed). Other Unicode spaces (U+2000.., U+3000) are not touched.

use super::common::owned_if_changed;
use std::borrow::Cow;

/// Length of the well-formed multi-byte UTF-8 sequence at the start of `rest`.
fn utf8_sequence_len(rest: &[u8]) -> Option<usize> {
    let len = match rest.first()? {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let sequence = rest.get(..len)?;
    std::str::from_utf8(sequence).ok().map(|_| len)
}

/// What starts the remaining input: whitespace, or bytes to copy as they are
/// (one byte, or a whole well-formed UTF-8 sequence); each with its length.
enum Unit {
    Space(usize),
    Copy(usize),
}

fn next_unit(rest: &[u8]) -> Unit {
    match rest {
        [b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C, ..] => Unit::Space(1),
        [0xC2, 0xA0, ..] => Unit::Space(2),
        _ => match utf8_sequence_len(rest) {
            Some(len) => Unit::Copy(len),
            None if rest.first() == Some(&0xA0) => Unit::Space(1),
            None => Unit::Copy(1),
        },
    }
}

/// Compresses each whitespace run to one space.
pub fn compress_whitespace(input: &[u8]) -> Cow<'_, [u8]> {
    let needs_work = input
        .iter()
        .any(|&b| matches!(b, b'\t' | b'\n' | b'\r' | 0x0B | 0x0C | 0xA0))
        || double_space().find(input).is_some();
    if !needs_work {
        return Cow::Borrowed(input);
    }
    let mut out = Vec::with_capacity(input.len());
    let mut rest = input;
    let mut in_run = false;
    while !rest.is_empty() {
        let len = match next_unit(rest) {
            Unit::Space(len) => {
                if !in_run {
                    out.push(b' ');
                    in_run = true;
                }
                len
            }
            Unit::Copy(len) => {
                out.extend_from_slice(rest.get(..len).unwrap_or(rest));
                in_run = false;
                len
            }
        };
        rest = rest.get(len..).unwrap_or_default();
    }
    owned_if_changed(input, out)
}

/// One searcher for two spaces, built once rather than per value.
fn double_space() -> &'static memchr::memmem::Finder<'static> {
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    FINDER.get_or_init(|| memchr::memmem::Finder::new(b"  "))
}
