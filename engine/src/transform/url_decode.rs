//! URL percent-decoding: `%XX`, IIS-style `%uXXXX`, and a bounded repeated form.
//!
//! Invalid escapes (`%zz`, a trailing `%`) are kept as they are. `%uXXXX` becomes
//! the UTF-8 encoding of the code point, except that code points below 0x100 become
//! the single byte (as IIS did), and the full-width ASCII forms (U+FF01..U+FF5E)
//! fold to their ASCII twins, a classic evasion.

use std::borrow::Cow;

/// How many passes `url_decode_multi` makes at most.
pub const MAX_PASSES: usize = 4;

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

fn push_code_point(out: &mut Vec<u8>, code: u32) {
    if code < 0x100 {
        out.push(code as u8);
        return;
    }
    let folded = if (0xFF01..=0xFF5E).contains(&code) {
        code - 0xFF01 + 0x21
    } else {
        code
    };
    match char::from_u32(folded) {
        Some(c) => {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        None => out.extend_from_slice("\u{FFFD}".as_bytes()),
    }
}

/// Decodes percent escapes; with `plus_as_space`, `+` becomes a space (form encoding).
pub fn percent_decode(input: &[u8], plus_as_space: bool) -> Cow<'_, [u8]> {
    let mut out = Vec::new();
    if percent_decode_into(input, plus_as_space, &mut out) {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(input)
    }
}

/// [`percent_decode`] into a buffer the caller reuses: `out` is cleared and,
/// when the input holds something to decode, filled with the decoded bytes.
/// Returns whether it did (if not, the input is its own decoding and `out`
/// is left empty).
pub fn percent_decode_into(input: &[u8], plus_as_space: bool, out: &mut Vec<u8>) -> bool {
    out.clear();
    percent_decode_append(input, plus_as_space, out)
}

/// [`percent_decode`] onto the end of `out`: returns whether the input held
/// something to decode; if not, `out` is left as it was.
pub fn percent_decode_append(input: &[u8], plus_as_space: bool, out: &mut Vec<u8>) -> bool {
    let start = out.len();
    // memchr: most values hold no escape, and this search is all they cost.
    let first = if plus_as_space {
        memchr::memchr2(b'%', b'+', input)
    } else {
        memchr::memchr(b'%', input)
    };
    let Some(first) = first else {
        return false;
    };
    // Decoding never lengthens: the input is copied once and decoded in
    // place from the first escape, the write position never passing the
    // read position.
    out.extend_from_slice(input);
    let mut write = start + first;
    let mut i = first;
    let mut changed = false;
    let put = |out: &mut Vec<u8>, write: &mut usize, byte: u8| {
        if let Some(slot) = out.get_mut(*write) {
            *slot = byte;
        }
        *write += 1;
    };
    while let Some(&byte) = input.get(i) {
        if byte == b'+' && plus_as_space {
            put(out, &mut write, b' ');
            changed = true;
            i += 1;
            continue;
        }
        if byte == b'%' {
            if let (Some(h), Some(l)) = (
                input.get(i + 1).copied().and_then(hex_value),
                input.get(i + 2).copied().and_then(hex_value),
            ) {
                put(out, &mut write, h << 4 | l);
                changed = true;
                i += 3;
                continue;
            }
            let code = match input.get(i + 1) {
                Some(b'u') | Some(b'U') => input.get(i + 2..i + 6).and_then(|digits| {
                    digits.iter().try_fold(0u32, |acc, &d| {
                        hex_value(d).map(|v| acc << 4 | u32::from(v))
                    })
                }),
                _ => None,
            };
            if let Some(code) = code {
                // At most three bytes for six read.
                let mut encoded = Vec::with_capacity(4);
                push_code_point(&mut encoded, code);
                for b in encoded {
                    put(out, &mut write, b);
                }
                changed = true;
                i += 6;
                continue;
            }
        }
        put(out, &mut write, byte);
        i += 1;
    }
    out.truncate(if changed { write } else { start });
    changed
}

/// One pass of `%XX` / `%uXXXX` decoding.
pub fn url_decode(input: &[u8]) -> Cow<'_, [u8]> {
    percent_decode(input, false)
}

/// Decodes repeatedly until the value is stable, at most [`MAX_PASSES`] passes.
pub fn url_decode_multi(input: &[u8]) -> Cow<'_, [u8]> {
    let mut current = match url_decode(input) {
        Cow::Borrowed(_) => return Cow::Borrowed(input),
        Cow::Owned(v) => v,
    };
    for _ in 1..MAX_PASSES {
        match url_decode(&current) {
            Cow::Borrowed(_) => break,
            Cow::Owned(next) => current = next,
        }
    }
    Cow::Owned(current)
}
