//! Finding where a plain run of body bytes ends, eight bytes at a time.
//!
//! A JSON string's content runs until a quote, a backslash or a control
//! byte; looked for a byte at a time that is a load, a table lookup and two
//! branches per byte. Here each eight-byte word is tested for all three at
//! once (`crate::word_bytes`).

use crate::word_bytes::{bytes_below_from_first, bytes_equal_from_first, first_marked, word_of};

/// Whether `b` ends a JSON string's plain run: the closing quote, an escape,
/// or a control byte (malformed in a string).
const fn is_string_stop(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// The offset of the first byte of `bytes` that [`is_string_stop`].
#[inline]
pub(crate) fn string_stop(bytes: &[u8]) -> Option<usize> {
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut words {
        let word = word_of(chunk);
        // Each test is exact up to its first mark, so the lowest of all is.
        let marked = bytes_below_from_first(word, 0x20)
            | bytes_equal_from_first(word, b'"')
            | bytes_equal_from_first(word, b'\\');
        if let Some(first) = first_marked(marked) {
            return Some(at + first);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| is_string_stop(b))
        .map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn byte_at_a_time(bytes: &[u8]) -> Option<usize> {
        bytes.iter().position(|&b| is_string_stop(b))
    }

    /// Bytes on either side of every boundary the word tests draw.
    const EDGES: [u8; 14] = [
        0x00, 0x01, 0x1f, 0x20, 0x21, b'"', 0x23, b'[', b'\\', b']', 0x7f, 0x80, 0xa0, 0xff,
    ];

    #[test]
    fn every_byte_in_every_place_of_a_word() {
        for len in 0..=24 {
            for place in 0..len {
                for b in 0..=255u8 {
                    let mut bytes = vec![b'a'; len];
                    bytes[place] = b;
                    assert_eq!(
                        string_stop(&bytes),
                        byte_at_a_time(&bytes),
                        "byte {b:#04x} at {place} of {len}"
                    );
                }
            }
        }
    }

    #[test]
    fn pairs_of_edge_bytes_find_the_first() {
        // A borrow from a matching byte must not hide or fake the first.
        for len in 1..=17 {
            for i in 0..len {
                for j in i + 1..len {
                    for &x in &EDGES {
                        for &y in &EDGES {
                            let mut bytes = vec![b'z'; len];
                            bytes[i] = x;
                            bytes[j] = y;
                            assert_eq!(
                                string_stop(&bytes),
                                byte_at_a_time(&bytes),
                                "{x:#04x} at {i}, {y:#04x} at {j}, length {len}"
                            );
                        }
                    }
                }
            }
        }
    }
}
