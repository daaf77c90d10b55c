//! HTML character-reference decoding, one pass (`&amp;lt;` becomes `&lt;`).
//!
//! - Named references are case-sensitive, as in HTML (`&Tab;` is a tab, `&tab;`
//!   is nothing; `&lt;` and `&LT;` both exist). The table holds the names of
//!   ASCII punctuation (`&lpar;`, `&colon;`, `&Tab;`, `&NewLine;`, ...), the
//!   markup five, `&nbsp;`, typographic quotes, and invisible characters used to
//!   split keywords (`&shy;`, `&zwj;`, `&ZeroWidthSpace;`, ...): not the full
//!   HTML table. A name is decoded only with its `;`, except the legacy names
//!   HTML decodes without one (`amp`, `lt`, `gt`, `quot`, `nbsp`, and `AMP`,
//!   `LT`, `GT`, `QUOT`): those are decoded as the longest prefix of the
//!   following letters and digits, as a browser does in text (`&ltscript`
//!   becomes `<script`).
//! - Numeric references: `&#` + decimal digits, or `&#x` / `&#X` + hex digits,
//!   with or without the closing `;`, with any number of leading zeros. Each digit
//!   is read once and the value saturates, so long digit runs cost linear time.
//!   As in HTML, 0, surrogates and values above U+10FFFF become U+FFFD; the
//!   windows-1252 remapping of 0x80..0x9F is not applied.
//! - Code points are written as UTF-8 (below 0x80 as the ASCII byte).
//! - Anything else (`&foo;`, `&#;`, `&#xg;`, a lone `&`) is kept as it is.
//!
//! Every reference is at least as long as its UTF-8 output, so the output is
//! never longer than the input.

use super::common::{decode_escapes, hex_value, push_utf8, REPLACEMENT};
use std::borrow::Cow;

/// No table name is longer; a longer letter run is only checked for a legacy prefix.
const MAX_NAME_LEN: usize = 32;

/// Above the largest code point; numeric values saturate here.
const SATURATED: u32 = 0x11_0000;

/// Named references decoded only when followed by `;`.
fn named(name: &[u8]) -> Option<&'static str> {
    let value = match name {
        b"lt" | b"LT" => "<",
        b"gt" | b"GT" => ">",
        b"amp" | b"AMP" => "&",
        b"quot" | b"QUOT" => "\"",
        b"apos" => "'",
        b"nbsp" | b"NonBreakingSpace" => "\u{A0}",
        b"Tab" => "\t",
        b"NewLine" => "\n",
        b"excl" => "!",
        b"num" => "#",
        b"dollar" => "$",
        b"percnt" => "%",
        b"lpar" => "(",
        b"rpar" => ")",
        b"ast" | b"midast" => "*",
        b"plus" => "+",
        b"comma" => ",",
        b"period" => ".",
        b"sol" => "/",
        b"colon" => ":",
        b"semi" => ";",
        b"equals" => "=",
        b"quest" => "?",
        b"commat" => "@",
        b"lsqb" | b"lbrack" => "[",
        b"bsol" => "\\",
        b"rsqb" | b"rbrack" => "]",
        b"Hat" => "^",
        b"lowbar" | b"UnderBar" => "_",
        b"grave" | b"DiacriticalGrave" => "`",
        b"lcub" | b"lbrace" => "{",
        b"verbar" | b"vert" | b"VerticalLine" => "|",
        b"rcub" | b"rbrace" => "}",
        b"shy" => "\u{AD}",
        b"ZeroWidthSpace" => "\u{200B}",
        b"zwnj" => "\u{200C}",
        b"zwj" => "\u{200D}",
        b"NoBreak" => "\u{2060}",
        b"lsquo" => "\u{2018}",
        b"rsquo" => "\u{2019}",
        b"ldquo" => "\u{201C}",
        b"rdquo" => "\u{201D}",
        b"laquo" => "\u{AB}",
        b"raquo" => "\u{BB}",
        b"lsaquo" => "\u{2039}",
        b"rsaquo" => "\u{203A}",
        b"copy" => "\u{A9}",
        b"reg" => "\u{AE}",
        _ => return None,
    };
    Some(value)
}

/// Legacy names decoded even without `;`, longest first so a prefix match is maximal.
const LEGACY: [(&[u8], &str); 9] = [
    (b"nbsp", "\u{A0}"),
    (b"quot", "\""),
    (b"QUOT", "\""),
    (b"amp", "&"),
    (b"AMP", "&"),
    (b"lt", "<"),
    (b"LT", "<"),
    (b"gt", ">"),
    (b"GT", ">"),
];

/// Decodes the reference starting at `rest` (which begins with `&`), returning
/// the bytes consumed; `None` when it is not a valid reference.
fn decode_reference(rest: &[u8], out: &mut Vec<u8>) -> Option<usize> {
    let after_amp = rest.get(1..)?;
    if let Some(after_hash) = after_amp.strip_prefix(b"#") {
        return decode_numeric(after_hash, out).map(|len| len + 2);
    }
    let name_len = after_amp
        .iter()
        .take(MAX_NAME_LEN + 1)
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let name = after_amp.get(..name_len)?;
    if name_len <= MAX_NAME_LEN && after_amp.get(name_len) == Some(&b';') {
        if let Some(value) = named(name) {
            out.extend_from_slice(value.as_bytes());
            return Some(name_len + 2);
        }
    }
    let (legacy, value) = LEGACY.iter().find(|(legacy, _)| name.starts_with(legacy))?;
    out.extend_from_slice(value.as_bytes());
    Some(legacy.len() + 1)
}

/// Decodes the digits after `&#`, returning the bytes consumed after `&#`.
fn decode_numeric(rest: &[u8], out: &mut Vec<u8>) -> Option<usize> {
    let (digits, radix, prefix_len) = match rest.first() {
        Some(b'x' | b'X') => (rest.get(1..)?, 16, 1),
        _ => (rest, 10, 0),
    };
    let mut value: u32 = 0;
    let mut count = 0;
    for &byte in digits {
        let digit = match radix {
            16 => hex_value(byte),
            _ => byte.is_ascii_digit().then(|| byte - b'0'),
        };
        let Some(digit) = digit else { break };
        value = value
            .saturating_mul(radix)
            .saturating_add(u32::from(digit))
            .min(SATURATED);
        count += 1;
    }
    if count == 0 {
        return None;
    }
    let semicolon = usize::from(digits.get(count) == Some(&b';'));
    if value == 0 {
        out.extend_from_slice(REPLACEMENT);
    } else {
        push_utf8(out, value);
    }
    Some(prefix_len + count + semicolon)
}

/// Decodes HTML character references.
pub fn html_entity_decode(input: &[u8]) -> Cow<'_, [u8]> {
    decode_escapes(input, b'&', decode_reference)
}
