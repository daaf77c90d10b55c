//! URL percent-decoding: `%XX`, IIS-style `%uXXXX`, and a bounded repeated form.
//!
//! Invalid escapes (`%zz`, a trailing `%`) are kept as they are. `%uXXXX` becomes
//! the UTF-8 encoding of the code point, except that code points below 0x100 become
//! the single byte (as IIS did), and the full-width ASCII forms (U+FF01..U+FF5E)
//! fold to their ASCII twins, a classic evasion.

use super::common::{hex_number, hex_value};
use crate::word_bytes::bytes_equal;
use std::borrow::Cow;

/// How many passes `url_decode_multi` makes at most.
pub const MAX_PASSES: usize = 4;

/// The bytes `%uXXXX` with code point `code` decodes to, and how many:
/// one byte below 0x100 (as IIS did), the ASCII twin of a full-width form,
/// else UTF-8 (U+FFFD for a surrogate). At most three, never more than the
/// six of the escape.
fn code_point_bytes(code: u32) -> ([u8; 4], usize) {
    let mut bytes = [0u8; 4];
    if code < 0x100 {
        bytes[0] = code as u8;
        return (bytes, 1);
    }
    let folded = if (0xFF01..=0xFF5E).contains(&code) {
        code - 0xFF01 + 0x21
    } else {
        code
    };
    let len = char::from_u32(folded)
        .unwrap_or(char::REPLACEMENT_CHARACTER)
        .encode_utf8(&mut bytes)
        .len();
    (bytes, len)
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
    // memchr: most values hold no escape, and this search is all they cost.
    let first = if plus_as_space {
        memchr::memchr2(b'%', b'+', input)
    } else {
        memchr::memchr(b'%', input)
    };
    let Some(first) = first else {
        return false;
    };
    // Decoding never lengthens: the output is written in place of a copy
    // of the input (plus one word of slack), eight bytes at a time where
    // they hold no `%` (the `+` of every space turned in the word itself)
    // and whole words even where they do, the write position advancing
    // only past the bytes kept; a byte at a time only for the tail.
    let start = out.len();
    out.extend_from_slice(input);
    out.extend_from_slice(&[0; 8]);
    let Some(buf) = out.get_mut(start..) else {
        return false;
    };
    let mut w = first;
    let mut rest = input.get(first..).unwrap_or_default();
    let mut changed = false;
    let plus_mask = |word: u64| {
        if plus_as_space {
            bytes_equal(word, b'+')
        } else {
            0
        }
    };
    while let Some((block, after)) = rest.split_first_chunk::<8>() {
        let word = u64::from_le_bytes(*block);
        let plus = plus_mask(word);
        // Each `+` (0x2b) to a space (0x20): its high bit moved to the low
        // bit, times the difference.
        let decoded = (word ^ ((plus >> 7) * 0x0b)).to_le_bytes();
        changed |= plus != 0;
        if let Some(slot) = buf.get_mut(w..w + 8) {
            slot.copy_from_slice(&decoded);
        }
        let percent = bytes_equal(word, b'%');
        if percent == 0 {
            w += 8;
            rest = after;
            continue;
        }
        w += (percent.trailing_zeros() / 8) as usize;
        let escape = rest
            .get((percent.trailing_zeros() / 8) as usize + 1..)
            .unwrap_or_default();
        rest = write_escape(escape, buf, &mut w);
        changed |= rest.len() != escape.len();
    }
    while let Some((&byte, after)) = rest.split_first() {
        rest = after;
        match byte {
            b'+' if plus_as_space => {
                put(buf, &mut w, b' ');
                changed = true;
            }
            b'%' => {
                rest = write_escape(rest, buf, &mut w);
                changed |= rest.len() != after.len();
            }
            _ => put(buf, &mut w, byte),
        }
    }
    // Only invalid escapes (`100%`): the input is its own decoding.
    out.truncate(if changed { start + w } else { start });
    changed
}

/// Writes `byte` at `w` and moves past it.
#[inline]
fn put(buf: &mut [u8], w: &mut usize, byte: u8) {
    if let Some(slot) = buf.get_mut(*w) {
        *slot = byte;
    }
    *w += 1;
}

/// After a `%`: writes the decoding of the escape that `rest` opens at `w`
/// and returns what follows it, or writes the `%` itself (an invalid
/// escape is kept as it is) and returns `rest` unchanged. Never writes
/// more bytes than it consumes (with the `%`).
#[inline(always)]
fn write_escape<'a>(rest: &'a [u8], buf: &mut [u8], w: &mut usize) -> &'a [u8] {
    // `%XX`, by far the commonest, inline; the rest out of line.
    if let [h, l, after @ ..] = rest {
        let (h, l) = (HEX_DIGITS[usize::from(*h)], HEX_DIGITS[usize::from(*l)]);
        if (h | l) < 16 {
            put(buf, w, h << 4 | l);
            return after;
        }
    }
    write_other_escape(rest, buf, w)
}

/// [`write_escape`] for `%uXXXX` and invalid escapes.
#[inline(never)]
fn write_other_escape<'a>(rest: &'a [u8], buf: &mut [u8], w: &mut usize) -> &'a [u8] {
    if let Some((code, after)) = unicode_escape(rest) {
        let (bytes, len) = code_point_bytes(code);
        for &b in bytes.get(..len).unwrap_or_default() {
            put(buf, w, b);
        }
        return after;
    }
    put(buf, w, b'%');
    rest
}

/// The value of each hex digit; 0xff for every other byte.
const HEX_DIGITS: [u8; 256] = {
    let mut table = [0xffu8; 256];
    let mut b = 0;
    while b < 256 {
        if let Some(v) = hex_value(b as u8) {
            table[b] = v;
        }
        b += 1;
    }
    table
};

/// The code point of a `uXXXX` escape at the start of `rest`, and what follows.
fn unicode_escape(rest: &[u8]) -> Option<(u32, &[u8])> {
    let [b'u' | b'U', digits @ ..] = rest else {
        return None;
    };
    let code = hex_number(digits.get(..4)?)?;
    Some((code, digits.get(4..)?))
}

/// After a `%`: pushes the decoding of the escape that `rest` opens and
/// returns what follows it, or pushes the `%` itself (an invalid escape is
/// kept as it is) and returns `rest` unchanged. The byte-at-a-time
/// reference the tests compare [`percent_decode_append`] with.
#[cfg(test)]
fn push_escape<'a>(rest: &'a [u8], out: &mut Vec<u8>) -> &'a [u8] {
    if let [h, l, after @ ..] = rest {
        if let (Some(h), Some(l)) = (hex_value(*h), hex_value(*l)) {
            out.push(h << 4 | l);
            return after;
        }
    }
    if let Some((code, after)) = unicode_escape(rest) {
        let (bytes, len) = code_point_bytes(code);
        out.extend_from_slice(bytes.get(..len).unwrap_or_default());
        return after;
    }
    out.push(b'%');
    rest
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The decoding spelled out a byte at a time, for comparison.
    fn reference(input: &[u8], plus_as_space: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(&byte) = input.get(i) {
            i += 1;
            match byte {
                b'+' if plus_as_space => out.push(b' '),
                b'%' => {
                    let rest = input.get(i..).unwrap_or_default();
                    let after = push_escape(rest, &mut out);
                    i += rest.len() - after.len();
                }
                _ => out.push(byte),
            }
        }
        out
    }

    #[test]
    fn word_at_a_time_decoding_matches_the_byte_loop() {
        // Short random strings over the bytes that matter, so escapes and
        // pluses fall on every position of an eight-byte word and across
        // word boundaries.
        let alphabet = b"%+a2CcFu0e+%%g D8";
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 40) as usize;
            let input: Vec<u8> = (0..len)
                .map(|k| {
                    let pick = (seed >> (k % 60)) as usize ^ k.wrapping_mul(31);
                    alphabet[pick % alphabet.len()]
                })
                .collect();
            for plus_as_space in [false, true] {
                let expected = reference(&input, plus_as_space);
                let mut out = b"kept".to_vec();
                let changed = percent_decode_append(&input, plus_as_space, &mut out);
                let got = if changed {
                    out.get(4..).unwrap_or_default().to_vec()
                } else {
                    assert_eq!(out, b"kept", "{:?}", String::from_utf8_lossy(&input));
                    input.clone()
                };
                assert_eq!(
                    got,
                    expected,
                    "{:?} plus_as_space={plus_as_space}",
                    String::from_utf8_lossy(&input)
                );
                assert_eq!(
                    changed,
                    expected != input,
                    "{:?}",
                    String::from_utf8_lossy(&input)
                );
            }
        }
    }
}
