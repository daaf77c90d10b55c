//! JavaScript string-escape decoding, one pass.
//!
//! - `\xHH` (exactly two hex digits) and `\uHHHH` (exactly four) give the code
//!   point; a high surrogate `\uD8xx` directly followed by a low one `\uDCxx`
//!   gives the pair's code point. `\u{H..}` takes 1 to 6 hex digits up to
//!   U+10FFFF.
//! - Legacy octal: `\` + `0`..`3` and up to two more octal digits, or `4`..`7`
//!   and up to one more (so at most 3 digits and at most 0o377), as JavaScript
//!   reads them; `\0` is NUL. `\8` and `\9` give `8` and `9`.
//! - `\b \t \n \v \f \r` give their control characters.
//! - Line continuations (`\` + LF, CR, CRLF, U+2028 or U+2029) are removed.
//! - Any other `\c` gives `c` (`\\`, `\'`, `\"`, `\/`, `\a` ...).
//! - Malformed `\x` and `\u` escapes (too few digits, `\u{}`, more than six
//!   digits, above U+10FFFF) and a trailing `\` are kept as they are.
//!
//! Code points are written as UTF-8 (below 0x80 as the ASCII byte, so `\xe9` is
//! `C3 A9`), except that full-width ASCII (U+FF01..U+FF5E) folds to ASCII, as
//! `url_decode` does; lone surrogates become U+FFFD. Every escape is at least as
//! long as its output, so the output is never longer than the input.

use super::common::{decode_escapes, hex_number, push_utf8};
use std::borrow::Cow;

/// Reads exactly `N` hex digits at the start of `digits`.
fn fixed_hex<const N: usize>(digits: &[u8]) -> Option<u32> {
    hex_number(digits.get(..N)?)
}

fn push_code_point(out: &mut Vec<u8>, code: u32) {
    if (0xFF01..=0xFF5E).contains(&code) {
        push_utf8(out, code - 0xFF01 + 0x21);
    } else {
        push_utf8(out, code);
    }
}

/// Decodes `\u` forms; `rest` starts after `\u`. Returns the code point and the
/// bytes consumed after `\u`.
fn decode_unicode(rest: &[u8]) -> Option<(u32, usize)> {
    if let Some(braced) = rest.strip_prefix(b"{") {
        let count = braced
            .iter()
            .take(7)
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        if !(1..=6).contains(&count) || braced.get(count) != Some(&b'}') {
            return None;
        }
        let code = hex_number(braced.get(..count)?)?;
        return (code <= 0x10_FFFF).then_some((code, count + 2));
    }
    let high = fixed_hex::<4>(rest)?;
    if (0xD800..=0xDBFF).contains(&high) {
        if let Some(low) = rest
            .get(4..)
            .and_then(|tail| tail.strip_prefix(b"\\u"))
            .and_then(fixed_hex::<4>)
            .filter(|low| (0xDC00..=0xDFFF).contains(low))
        {
            let code = 0x1_0000 + ((high - 0xD800) << 10) + (low - 0xDC00);
            return Some((code, 10));
        }
    }
    Some((high, 4))
}

/// Decodes a legacy octal escape; `rest` starts at the first digit.
fn decode_octal(rest: &[u8]) -> Option<(u32, usize)> {
    let first = *rest.first()?;
    let max_len = match first {
        b'0'..=b'3' => 3,
        b'4'..=b'7' => 2,
        _ => return None,
    };
    let len = rest
        .iter()
        .take(max_len)
        .take_while(|b| matches!(b, b'0'..=b'7'))
        .count();
    let code = rest
        .get(..len)?
        .iter()
        .fold(0u32, |acc, &d| acc << 3 | u32::from(d - b'0'));
    Some((code, len))
}

/// Decodes the escape at the start of `rest` (which begins with `\`), returning
/// the bytes consumed, or `None` to keep the `\` as it is.
fn decode_escape(rest: &[u8], out: &mut Vec<u8>) -> Option<usize> {
    let after = rest.get(1..)?;
    let (code, len) = match after {
        [] => return None,
        [b'x', digits @ ..] => (fixed_hex::<2>(digits)?, 3),
        [b'u', tail @ ..] => {
            let (code, len) = decode_unicode(tail)?;
            (code, len + 1)
        }
        [b'0'..=b'7', ..] => decode_octal(after)?,
        [b'b', ..] => (0x08, 1),
        [b't', ..] => (0x09, 1),
        [b'n', ..] => (0x0A, 1),
        [b'v', ..] => (0x0B, 1),
        [b'f', ..] => (0x0C, 1),
        [b'r', ..] => (0x0D, 1),
        [b'\r', b'\n', ..] => return Some(3),
        [b'\n' | b'\r', ..] => return Some(2),
        [0xE2, 0x80, 0xA8 | 0xA9, ..] => return Some(4),
        [other, ..] => {
            out.push(*other);
            return Some(2);
        }
    };
    push_code_point(out, code);
    Some(len + 1)
}

/// Decodes JavaScript escapes.
pub fn js_decode(input: &[u8]) -> Cow<'_, [u8]> {
    decode_escapes(input, b'\\', decode_escape)
}
