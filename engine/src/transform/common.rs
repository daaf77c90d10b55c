//! Helpers shared by the transform modules: hex digits, code-point output and the
//! no-change contract (`Cow::Borrowed` exactly when the output equals the input).

use std::borrow::Cow;

/// The value of one ASCII hex digit.
pub(crate) const fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// The value of a run of hex digits; `None` if any byte is not one. Callers pass
/// at most 7 digits, so the value cannot overflow.
pub(crate) fn hex_number(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |acc, &d| {
        hex_value(d).map(|v| acc << 4 | u32::from(v))
    })
}

/// U+FFFD, the replacement character, as UTF-8.
pub(crate) const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

/// Appends `code` encoded as UTF-8 (one byte below 0x80). Surrogates and values
/// above U+10FFFF become U+FFFD.
pub(crate) fn push_utf8(out: &mut Vec<u8>, code: u32) {
    let c = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

/// Returns `Cow::Borrowed(input)` when `out` equals `input`, else `Cow::Owned(out)`.
pub(crate) fn owned_if_changed(input: &[u8], out: Vec<u8>) -> Cow<'_, [u8]> {
    if out == input {
        Cow::Borrowed(input)
    } else {
        Cow::Owned(out)
    }
}

/// Drives an escape decoder over `input`: bytes are copied until the next
/// `marker`, where `decode` gets the input from the marker on, appends the decoded
/// bytes and returns how many input bytes it consumed (at least one), or `None`
/// to keep the marker as a literal byte. Linear as long as `decode` looks at a
/// bounded number of bytes.
pub(crate) fn decode_escapes(
    input: &[u8],
    marker: u8,
    mut decode: impl FnMut(&[u8], &mut Vec<u8>) -> Option<usize>,
) -> Cow<'_, [u8]> {
    let Some(first) = memchr::memchr(marker, input) else {
        return Cow::Borrowed(input);
    };
    let (head, mut rest) = input.split_at(first);
    let mut out = Vec::with_capacity(input.len());
    out.extend_from_slice(head);
    let mut changed = false;
    // Invariant: `rest` is empty or starts with `marker`.
    while !rest.is_empty() {
        let consumed = match decode(rest, &mut out) {
            Some(len) => {
                changed = true;
                len.max(1)
            }
            None => {
                out.push(marker);
                1
            }
        };
        rest = rest.get(consumed..).unwrap_or_default();
        let next = memchr::memchr(marker, rest).unwrap_or(rest.len());
        let (plain, tail) = rest.split_at(next);
        out.extend_from_slice(plain);
        rest = tail;
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(input)
    }
}
