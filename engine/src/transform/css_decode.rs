//! CSS escape decoding, one pass, following CSS Syntax Level 3 with one
//! deliberate deviation for NUL.
//!
//! - `\` + 1 to 6 hex digits gives the code point, and one whitespace right after
//!   the digits (space, `\t`, `\n`, `\r`, FF, or the pair CRLF) is consumed with
//!   it. The code point is written as UTF-8 (below 0x80 as the ASCII byte);
//!   surrogates and values above U+10FFFF become U+FFFD.
//! - Code point 0 (`\0`, `\000000`) is removed, not turned into U+FFFD as the
//!   specification says: a NUL escape is a known way to split a keyword
//!   (`expr\0 ession`), and removing it exposes the keyword to the matcher.
//! - `\` + newline (LF, CR, CRLF or FF) is a line continuation and is removed.
//! - `\` + any other byte gives that byte (`\(` is `(`, `\e` is U+000E but `\g`
//!   is `g`). A trailing `\` is kept.
//!
//! Full-width forms are not folded (a browser does not read them as ASCII in
//! CSS). Every escape is at least as long as its output, so the output is never
//! longer than the input.

use super::common::{decode_escapes, hex_number, push_utf8};
use std::borrow::Cow;

/// Decodes the escape at the start of `rest` (which begins with `\`), returning
/// the bytes consumed, or `None` to keep the `\` as it is.
fn decode_escape(rest: &[u8], out: &mut Vec<u8>) -> Option<usize> {
    let after = rest.get(1..)?;
    match after {
        [] => None,
        [b'\r', b'\n', ..] => Some(3),
        [b'\n' | b'\r' | 0x0C, ..] => Some(2),
        [first, ..] if first.is_ascii_hexdigit() => {
            let count = after
                .iter()
                .take(6)
                .take_while(|b| b.is_ascii_hexdigit())
                .count();
            let code = hex_number(after.get(..count)?)?;
            if code != 0 {
                push_utf8(out, code);
            }
            let whitespace = match after.get(count..) {
                Some([b'\r', b'\n', ..]) => 2,
                Some([b' ' | b'\t' | b'\n' | b'\r' | 0x0C, ..]) => 1,
                _ => 0,
            };
            Some(1 + count + whitespace)
        }
        [other, ..] => {
            out.push(*other);
            Some(2)
        }
    }
}

/// Decodes CSS escapes.
pub fn css_decode(input: &[u8]) -> Cow<'_, [u8]> {
    decode_escapes(input, b'\\', decode_escape)
}
