//! Overlong UTF-8 folding: the overlong encodings of ASCII characters, a classic
//! way to smuggle `/`, `.` or `\` past a filter (`%c0%af` once URL-decoded), become
//! the ASCII byte they encode.
//!
//! Folded, with `cc` a continuation byte (0x80..=0xBF):
//! - 2 bytes: `C0 cc`, `C1 cc` (U+0000..U+007F);
//! - 3 bytes: `E0 80 cc`, `E0 81 cc` (U+0000..U+007F);
//! - 4 bytes: `F0 80 80 cc`, `F0 80 81 cc` (U+0000..U+007F).
//!
//! Everything else is copied unchanged: well-formed UTF-8, overlong forms of
//! non-ASCII code points (`E0 82..9F cc`), and lead bytes followed by anything
//! that is not a continuation byte (the lenient IIS reading of `C1 1C` as `\` is
//! not reproduced).

use std::borrow::Cow;

fn is_continuation(byte: u8) -> bool {
    (0x80..=0xBF).contains(&byte)
}

/// The ASCII byte an overlong sequence at the start of `rest` encodes, and the
/// sequence's length.
fn overlong_ascii(rest: &[u8]) -> Option<(u8, usize)> {
    match rest {
        [b0 @ (0xC0 | 0xC1), c1, ..] if is_continuation(*c1) => {
            Some(((b0 & 0x01) << 6 | (c1 & 0x3F), 2))
        }
        [0xE0, b1 @ (0x80 | 0x81), c2, ..] if is_continuation(*c2) => {
            Some(((b1 & 0x01) << 6 | (c2 & 0x3F), 3))
        }
        [0xF0, 0x80, b2 @ (0x80 | 0x81), c3, ..] if is_continuation(*c3) => {
            Some(((b2 & 0x01) << 6 | (c3 & 0x3F), 4))
        }
        _ => None,
    }
}

/// Folds overlong encodings of ASCII characters to the character.
pub fn utf8_overlong(input: &[u8]) -> Cow<'_, [u8]> {
    let is_lead = |b: &u8| matches!(b, 0xC0 | 0xC1 | 0xE0 | 0xF0);
    let Some(first) = input.iter().position(is_lead) else {
        return Cow::Borrowed(input);
    };
    let (head, mut rest) = input.split_at(first);
    let mut out = Vec::with_capacity(input.len());
    out.extend_from_slice(head);
    let mut changed = false;
    while let Some((&byte, tail)) = rest.split_first() {
        if let Some((ascii, len)) = overlong_ascii(rest) {
            out.push(ascii);
            changed = true;
            rest = rest.get(len..).unwrap_or_default();
        } else {
            out.push(byte);
            rest = tail;
        }
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(input)
    }
}
