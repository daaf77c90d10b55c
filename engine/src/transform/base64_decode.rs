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

/// Decodes the value if it is plausibly base64.
pub fn base64_decode(input: &[u8]) -> Cow<'_, [u8]> {
    let trimmed = input.trim_ascii();
    if trimmed.len() < MIN_LEN {
        return Cow::Borrowed(input);
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
        return Cow::Borrowed(input);
    }
    let Some(engine) = engine_for(body) else {
        return Cow::Borrowed(input);
    };
    match engine.decode(body) {
        Ok(decoded) if !decoded.is_empty() && mostly_text(&decoded) => Cow::Owned(decoded),
        _ => Cow::Borrowed(input),
    }
}
