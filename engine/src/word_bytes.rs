//! Tests on the eight bytes of a `u64` at once, for loops that look for a
//! few byte values in long runs (a JSON string's end, a `%` escape): each
//! answer has the high bit of every byte that passes, and of no other
//! (the low seven bits are added apart, so no carry crosses a byte). The
//! `*_from_first` forms are two operations shorter and exact only up to
//! the first byte that passes (a borrow may mark bytes above it): enough
//! to find the first, also of several tests or-ed together.

const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HIGH: u64 = !LOW7;

/// Eight copies of `b`, one in each byte of a word.
pub(crate) const fn splat(b: u8) -> u64 {
    u64::from_le_bytes([b; 8])
}

/// An eight-byte chunk (of `chunks_exact(8)`) as a word, its first byte
/// lowest; a shorter chunk is padded with zeros.
#[inline]
pub(crate) fn word_of(chunk: &[u8]) -> u64 {
    let mut eight = [0u8; 8];
    if let Some(slot) = eight.get_mut(..chunk.len()) {
        slot.copy_from_slice(chunk);
    }
    u64::from_le_bytes(eight)
}

/// The high bit of each byte of `word` equal to `byte`.
#[inline]
pub(crate) fn bytes_equal(word: u64, byte: u8) -> u64 {
    let diff = word ^ splat(byte);
    !(((diff & LOW7) + LOW7) | diff) & HIGH
}

/// The high bit of each byte of `word` below `limit` (at most 0x80): the
/// exact form, which the tests hold [`bytes_below_from_first`] to.
#[cfg(test)]
fn bytes_below(word: u64, limit: u8) -> u64 {
    // A byte's low seven bits plus `0x80 - limit` reach the high bit when
    // they are at least `limit`; a byte with its own high bit set is not below.
    !(((word & LOW7) + splat(0x80u8.wrapping_sub(limit))) | word) & HIGH
}

/// [`bytes_equal`], exact up to the first byte that passes.
#[inline]
pub(crate) fn bytes_equal_from_first(word: u64, byte: u8) -> u64 {
    let diff = word ^ splat(byte);
    diff.wrapping_sub(splat(1)) & !diff & HIGH
}

/// [`bytes_below`], exact up to the first byte that passes.
#[inline]
pub(crate) fn bytes_below_from_first(word: u64, limit: u8) -> u64 {
    word.wrapping_sub(splat(limit)) & !word & HIGH
}

/// Whether `first` stands directly before `second` somewhere in `bytes`
/// (`--`, ` /`), eight bytes at a time.
pub(crate) fn holds_pair(bytes: &[u8], first: u8, second: u8) -> bool {
    let mut words = bytes.chunks_exact(8);
    // The last byte of the previous word was `first`.
    let mut carried = false;
    for chunk in &mut words {
        let word = word_of(chunk);
        let firsts = bytes_equal(word, first);
        let seconds = if first == second {
            firsts
        } else {
            bytes_equal(word, second)
        };
        if firsts & (seconds >> 8) != 0 || (carried && seconds & 0x80 != 0) {
            return true;
        }
        carried = firsts >> 63 != 0;
    }
    words.remainder().iter().any(|&b| {
        let pair = carried && b == second;
        carried = b == first;
        pair
    })
}

/// The offset of the first byte a word test marked, if any.
#[inline]
pub(crate) fn first_marked(marked: u64) -> Option<usize> {
    (marked != 0).then(|| (marked.trailing_zeros() / 8) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word_with(b: u8, place: usize, fill: u8) -> u64 {
        let mut bytes = [fill; 8];
        bytes[place] = b;
        u64::from_le_bytes(bytes)
    }

    #[test]
    fn pairs_are_found_in_every_place() {
        let pairs: [&[u8; 2]; 4] = [b"--", b" /", b"/ ", b"\xff\x00"];
        for len in 0..=27 {
            for i in 0..len {
                for j in 0..len {
                    for fill in [b'a', b',', b' ', 0xad, 0xff] {
                        for pair in pairs {
                            let mut bytes = vec![fill; len];
                            bytes[i] = pair[0];
                            bytes[j] = pair[1];
                            let expected = bytes.windows(2).any(|w| w == pair);
                            assert_eq!(
                                holds_pair(&bytes, pair[0], pair[1]),
                                expected,
                                "{pair:?} {bytes:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// The high bit of each lane of `word` whose byte passes, lane by lane.
    fn lanes_where(word: u64, pass: impl Fn(u8) -> bool) -> u64 {
        (0..8)
            .filter(|&i| pass(word.to_le_bytes()[i]))
            .fold(0u64, |m, i| m | 0x80 << (8 * i))
    }

    /// Holds a test's exact and from-the-first forms to `expected`.
    fn check(exact: u64, from_first: u64, expected: u64, what: &str) {
        assert_eq!(exact, expected, "{what}");
        assert_eq!(
            first_marked(from_first),
            first_marked(expected),
            "{what}, from the first"
        );
    }

    #[test]
    fn each_byte_is_tested_alone() {
        for place in 0..8 {
            for b in 0..=255u8 {
                for fill in [0x00, 0x1f, 0x20, 0x7f, 0x80, 0xff] {
                    let word = word_with(b, place, fill);
                    for probe in [0x00, b'"', b'%', b'\\', 0x80, 0xff] {
                        check(
                            bytes_equal(word, probe),
                            bytes_equal_from_first(word, probe),
                            lanes_where(word, |x| x == probe),
                            &format!("{word:#x} = {probe:#x}"),
                        );
                    }
                    for limit in [0x01, 0x20, 0x21, 0x7f, 0x80] {
                        check(
                            bytes_below(word, limit),
                            bytes_below_from_first(word, limit),
                            lanes_where(word, |x| x < limit),
                            &format!("{word:#x} < {limit:#x}"),
                        );
                    }
                }
            }
        }
    }
}
