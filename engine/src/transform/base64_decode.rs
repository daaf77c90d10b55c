//! Base64 decoding of values that are plausibly base64; any other value is
//! returned unchanged (borrowed).
//!
//! A value is decoded when, after trimming ASCII whitespace at both ends:
//! - it is at least 8 bytes long;
//! - it uses one alphabet only: standard (`A-Z a-z 0-9 + /`) or URL-safe
//!   (`A-Z a-z 0-9 - _`); a value with neither `+/` nor `-_` fits both;
//! - `=` appears only at the end, at most twice, and then the length is a
//!   multiple of 4; without padding the length modulo 4 is not 1;
//! - the decoded bytes are mostly text: at least 90% of them are printable ASCII,
//!   `\t`, `\n`, `\r`, or belong to well-formed non-control UTF-8 characters (so
//!   base64 of UTF-8 text passes while random tokens such as `username` decode to
//!   binary and are left alone).
//!
//! Non-zero trailing bits in the last character are accepted, as most decoders
//! do. The output is the decoded bytes (shorter than the input).

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use std::borrow::Cow;

const MIN_LEN: usize = 8;

const CONFIG: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::RequireNone)
    .with_decode_allow_trailing_bits(true);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, CONFIG);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, CONFIG);

/// The engine for `body` (padding stripped), if its bytes fit one alphabet.
fn engine_for(body: &[u8]) -> Option<&'static GeneralPurpose> {
    let mut standard = false;
    let mut url_safe = false;
    for &byte in body {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => {}
            b'+' | b'/' => standard = true,
            b'-' | b'_' => url_safe = true,
            _ => return None,
        }
    }
    match (standard, url_safe) {
        (true, true) => None,
        (false, true) => Some(&URL_SAFE),
        _ => Some(&STANDARD),
    }
}

/// Whether at least 90% of `bytes` are text.
fn mostly_text(bytes: &[u8]) -> bool {
    if bytes.is_ascii() {
        let text = bytes
            .iter()
            .filter(|&&b| matches!(b, b'\t' | b'\n' | b'\r' | b' '..=b'~'))
            .count();
        return text.saturating_mul(10) >= bytes.len().saturating_mul(9);
    }
    let mut text = 0usize;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            let is_text = match c {
                '\t' | '\n' | '\r' => true,
                ' '..='~' => true,
                _ => !c.is_ascii() && !c.is_control(),
            };
            if is_text {
                text += c.len_utf8();
            }
        }
    }
    text.saturating_mul(10) >= bytes.len().saturating_mul(9)
}

/// The engine and the unpadded body of a value that passes the checks
/// before decoding (length, alphabet, padding), else `None`.
fn candidate(input: &[u8]) -> Option<(&'static GeneralPurpose, &[u8])> {
    let trimmed = input.trim_ascii();
    if trimmed.len() < MIN_LEN {
        return None;
    }
    let body = trimmed
        .strip_suffix(b"==")
        .or_else(|| trimmed.strip_suffix(b"="));
    let padded = body.is_some();
    let body = body.unwrap_or(trimmed);
    let length_ok = if padded {
        trimmed.len().is_multiple_of(4)
    } else {
        body.len() % 4 != 1
    };
    if !length_ok {
        return None;
    }
    Some((engine_for(body)?, body))
}

/// Decodes the value if it is plausibly base64.
pub fn base64_decode(input: &[u8]) -> Cow<'_, [u8]> {
    let Some((engine, body)) = candidate(input) else {
        return Cow::Borrowed(input);
    };
    match engine.decode(body) {
        Ok(decoded) if !decoded.is_empty() && mostly_text(&decoded) => Cow::Owned(decoded),
        _ => Cow::Borrowed(input),
    }
}

/// Whether [`base64_decode`] would decode `input` (change it), without
/// allocating for values of up to [`STACK_DECODE`] bytes decoded: the
/// screens ask this of many short ordinary values.
pub fn decodes(input: &[u8]) -> bool {
    let Some((engine, body)) = candidate(input) else {
        return false;
    };
    let mut stack = [0u8; STACK_DECODE];
    if body.len() / 4 * 3 + 3 <= STACK_DECODE {
        return match engine.decode_slice(body, &mut stack) {
            Ok(len) => stack
                .get(..len)
                .is_some_and(|decoded| !decoded.is_empty() && mostly_text(decoded)),
            Err(_) => false,
        };
    }
    engine
        .decode(body)
        .is_ok_and(|decoded| !decoded.is_empty() && mostly_text(&decoded))
}

/// Largest decoded value [`decodes`] keeps on the stack.
const STACK_DECODE: usize = 192;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_agrees_with_decoding() {
        let long_text = "V2UgaGF2ZSBiZWVuIHVzaW5nIHRoaXMga2V0dGxlIGV2ZXJ5IG1vcm5pbmcgZm9yIHRocmVlIG1vbnRocywgYW5kIGl0IHN0aWxsIGxvb2tzIG5ldy4gV2UgaGF2ZSBiZWVuIHVzaW5nIHRoaXMga2V0dGxlIGV2ZXJ5IG1vcm5pbmcgZm9yIHRocmVlIG1vbnRocywgYW5kIGl0IHN0aWxsIGxvb2tzIG5ldy4gV2UgaGF2ZSBiZWVuIHVzaW5nIHRoaXMga2V0dGxlIGV2ZXJ5IG1vcm5pbmcgZm9yIHRocmVlIG1vbnRocy4=";
        let values: &[&[u8]] = &[
            b"",
            b"bestseller",
            b"delivered",
            b"refunded",
            b"SGVsbG8gd29ybGQ=",
            b"SGVsbG8gd29ybGQ",
            b"  SGVsbG8gd29ybGQ=  ",
            b"c2VsZWN0ICogZnJvbSB1c2Vycw",
            b"w6ljbGFpciDDoCBsYSBjcsOobWU=",
            b"SGVsbG8gd29ybGQ=x",
            b"SGVs-G8_d29ybGQ",
            b"SGVs+G8/d29ybGQ",
            b"SGVs-G8/d29ybGQ",
            b"AAAAAAAAAAAA",
            b"////////",
            long_text.as_bytes(),
            &long_text.as_bytes()[..long_text.len() - 1],
        ];
        for value in values {
            let decoded = matches!(base64_decode(value), Cow::Owned(_));
            assert_eq!(
                decodes(value),
                decoded,
                "{}",
                String::from_utf8_lossy(value)
            );
        }
        assert!(decodes(b"SGVsbG8gd29ybGQ="));
        assert!(decodes(long_text.as_bytes()));
        assert!(!decodes(b"bestseller"));
    }
}
