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

/// Which alphabets a byte belongs to: [`BOTH`] for letters and digits, a
/// single alphabet's bit for its two symbols, nothing for other bytes.
const ALPHABETS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = match c {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => BOTH,
            b'+' | b'/' => IN_STANDARD,
            b'-' | b'_' => IN_URL_SAFE,
            _ => 0,
        };
        b += 1;
    }
    table
};
const IN_STANDARD: u8 = 1;
const IN_URL_SAFE: u8 = 2;
const BOTH: u8 = IN_STANDARD | IN_URL_SAFE;

/// The engine for `body` (padding stripped), if its bytes fit one alphabet.
fn engine_for(body: &[u8]) -> Option<&'static GeneralPurpose> {
    // The alphabets every byte so far fits; a byte in neither ends it.
    let mut fits = BOTH;
    for &byte in body {
        fits &= ALPHABETS[usize::from(byte)];
        if fits == 0 {
            return None;
        }
    }
    match fits {
        IN_URL_SAFE => Some(&URL_SAFE),
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
/// screens ask this of many short ordinary values, most of them words that
/// decode to binary ([`may_decode_to_text`] turns those away first).
pub fn decodes(input: &[u8]) -> bool {
    let Some((engine, body)) = candidate(input) else {
        return false;
    };
    if !may_decode_to_text(body) {
        return false;
    }
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

/// The six bits each base64 symbol stands for, in either alphabet (`+` and
/// `-` are 62, `/` and `_` are 63); 0 for the other bytes, which
/// [`candidate`] has already ruled out.
const SEXTETS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 26 {
        table[b'A' as usize + i] = i as u8;
        table[b'a' as usize + i] = 26 + i as u8;
        i += 1;
    }
    let mut d = 0;
    while d < 10 {
        table[b'0' as usize + d] = 52 + d as u8;
        d += 1;
    }
    table[b'+' as usize] = 62;
    table[b'-' as usize] = 62;
    table[b'/' as usize] = 63;
    table[b'_' as usize] = 63;
    table
};

/// A quick look at what `body` (a [`candidate`]'s unpadded symbols)
/// decodes to that can prove it is not mostly text: it counts the decoded
/// bytes that are text under no reading — ASCII controls other than tab and
/// line ends, DEL, bytes no UTF-8 holds, a continuation byte after an ASCII
/// byte or at the start, a lead byte not followed by a continuation byte —
/// and stops as soon as they are more than [`mostly_text`] allows. `false`
/// only when [`mostly_text`] of the decoding is false; `true` leaves the
/// decision to it.
fn may_decode_to_text(body: &[u8]) -> bool {
    let decoded_len = body.len() * 6 / 8;
    // `mostly_text` needs text * 10 >= len * 9.
    let allowed = decoded_len - (decoded_len * 9).div_ceil(10);
    let mut not_text = 0usize;
    let mut bits = 0u32;
    let mut pending = 0u32;
    // The byte before the one being judged (none at the start), and the
    // one being judged, which waits for its successor.
    let mut before: Option<u8> = None;
    let mut judged: Option<u8> = None;
    for &symbol in body {
        bits = (bits << 6) | u32::from(SEXTETS[usize::from(symbol)]);
        pending += 6;
        if pending < 8 {
            continue;
        }
        pending -= 8;
        let byte = (bits >> pending) as u8;
        bits &= (1 << pending) - 1;
        if let Some(current) = judged {
            if never_text(before, current, Some(byte)) {
                not_text += 1;
                if not_text > allowed {
                    return false;
                }
            }
        }
        before = judged;
        judged = Some(byte);
    }
    match judged {
        Some(last) if never_text(before, last, None) => not_text < allowed,
        _ => true,
    }
}

/// Whether `byte` (between `before` and `after`, `None` at either end) is
/// counted as text by [`mostly_text`] under no reading of the bytes around.
fn never_text(before: Option<u8>, byte: u8, after: Option<u8>) -> bool {
    let continuation = |b: Option<u8>| b.is_some_and(|b| (0x80..=0xbf).contains(&b));
    match byte {
        b'\t' | b'\n' | b'\r' | b' '..=b'~' => false,
        0x00..=0x7f => true,
        0x80..=0xbf => before.is_none_or(|b| b < 0x80),
        0xc2..=0xf4 => !continuation(after),
        // 0xc0, 0xc1, 0xf5..=0xff: in no well-formed UTF-8.
        _ => true,
    }
}

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

    /// The quick look turns away only decodings that are not mostly text:
    /// base64 of text with a few stray bytes (around the 90% line), of
    /// UTF-8 with cut sequences, of binary, and words read as base64.
    #[test]
    fn quick_look_agrees_with_decoding() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let pieces: [&[u8]; 8] = [
            b"plain words ",
            "caf\u{e9} cr\u{e8}me ".as_bytes(),
            "\u{1f600}".as_bytes(),
            &[0xc3],
            &[0x80, 0x81],
            &[0x00, 0x07],
            &[0xf5, 0xff],
            &[0xe2, 0x82],
        ];
        let mut checked = 0;
        for round in 0..20_000 {
            let mut raw = Vec::new();
            let len = 1 + (next() % 40) as usize;
            while raw.len() < len {
                let r = next();
                if round % 3 == 0 {
                    raw.push(r as u8);
                } else if let Some(piece) = pieces.get((r % 8) as usize) {
                    raw.extend_from_slice(piece);
                }
            }
            for encoded in [
                base64::engine::general_purpose::STANDARD_NO_PAD.encode(&raw),
                base64::engine::general_purpose::URL_SAFE.encode(&raw),
            ] {
                let value = encoded.as_bytes();
                let decoded = matches!(base64_decode(value), Cow::Owned(_));
                assert_eq!(decodes(value), decoded, "{raw:?}");
                if let Some((_, body)) = candidate(value) {
                    checked += 1;
                    assert!(
                        may_decode_to_text(body) || !decoded,
                        "quick look refused text: {raw:?}"
                    );
                }
            }
        }
        assert!(checked > 10_000);
        // Words of ordinary values read as base64 decode to binary, and
        // the quick look sees it.
        for word in [&b"username"[..], b"refunded", b"bestseller", b"processing"] {
            let body = candidate(word).map(|(_, body)| body);
            assert!(
                body.is_some_and(|body| !may_decode_to_text(body)),
                "{}",
                String::from_utf8_lossy(word)
            );
        }
    }
}
