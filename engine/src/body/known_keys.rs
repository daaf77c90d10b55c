//! JSON keys a sink said it needs to see only once in this body, kept by
//! their place (a number the parser gives each object's n-th key, the
//! same for every element of an array), so that the same key in the next
//! element of an array of like objects is recognised by one comparison,
//! without a hash of its bytes.
//!
//! A fixed direct-mapped table, allocated when the first key is kept
//! (256 slots of 32 bytes, 8 KiB), no growth: a key replaces whatever shared
//! its slot, and a key that is not there is reported as usual. An entry
//! holds its place and its bytes, and both must match. Only keys of up to
//! [`MAX_KEY_BYTES`] are kept.

/// Longest key kept.
const MAX_KEY_BYTES: usize = 27;
/// Number of slots (a power of two; fewer left a third of the keys of
/// the bench's orders sharing slots).
const SLOTS: usize = 256;
/// The length of a slot never filled.
const EMPTY: u8 = u8::MAX;

/// A key's place, its length and its bytes (zero padded).
#[derive(Debug, Clone, Copy)]
struct Slot {
    place: u32,
    len: u8,
    bytes: [u8; MAX_KEY_BYTES],
}

const EMPTY_SLOT: Slot = Slot {
    place: 0,
    len: EMPTY,
    bytes: [0; MAX_KEY_BYTES],
};

#[derive(Debug, Default)]
pub(crate) struct KnownKeys {
    slots: Vec<Slot>,
}

fn slot_of(place: u32) -> usize {
    (place.wrapping_mul(0x9e37_79b9) >> 24) as usize & (SLOTS - 1)
}

/// Whether `a` and `b`, of the same length, hold the same bytes: a few
/// word comparisons (overlapping at the end) rather than a call to `memcmp`.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    fn word(bytes: &[u8], at: usize) -> u64 {
        bytes
            .get(at..at + 8)
            .and_then(|w| w.try_into().ok())
            .map_or(0, u64::from_le_bytes)
    }
    fn half(bytes: &[u8], at: usize) -> u32 {
        bytes
            .get(at..at + 4)
            .and_then(|w| w.try_into().ok())
            .map_or(0, u32::from_le_bytes)
    }
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n >= 8 {
        let mut at = 0;
        while at + 8 < n {
            if word(a, at) != word(b, at) {
                return false;
            }
            at += 8;
        }
        word(a, n - 8) == word(b, n - 8)
    } else if n >= 4 {
        half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4)
    } else {
        a == b
    }
}

impl KnownKeys {
    /// Whether `key` is the key kept for `place`.
    #[inline]
    pub(crate) fn holds(&self, place: u32, key: &[u8]) -> bool {
        // An empty slot's length is no key's.
        self.slots.get(slot_of(place)).is_some_and(|slot| {
            slot.place == place
                && usize::from(slot.len) == key.len()
                && slot
                    .bytes
                    .get(..key.len())
                    .is_some_and(|kept| same_bytes(kept, key))
        })
    }

    /// Keeps `key` for `place` (a longer key is not kept).
    pub(crate) fn keep(&mut self, place: u32, key: &[u8]) {
        let Ok(len) = u8::try_from(key.len()) else {
            return;
        };
        if key.len() > MAX_KEY_BYTES {
            return;
        }
        if self.slots.is_empty() {
            self.slots = vec![EMPTY_SLOT; SLOTS];
        }
        let mut bytes = [0u8; MAX_KEY_BYTES];
        if let Some(front) = bytes.get_mut(..key.len()) {
            front.copy_from_slice(key);
        }
        if let Some(slot) = self.slots.get_mut(slot_of(place)) {
            *slot = Slot { place, len, bytes };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_exactly_the_key_kept_for_its_place() {
        let mut known = KnownKeys::default();
        assert!(!known.holds(7, b"id"));
        assert!(!known.holds(0, b""));
        known.keep(7, b"id");
        // Empty slots hold nothing, not even an empty key at place 0.
        assert!(!known.holds(0, b""));
        assert_eq!(std::mem::size_of::<Slot>(), 32);
        assert!(known.holds(7, b"id"));
        assert!(!known.holds(8, b"id"));
        assert!(!known.holds(7, b"Id"));
        assert!(!known.holds(7, b"i"));
        assert!(!known.holds(7, b"id\0"));
        // A key of zeros is not the padding of a shorter one.
        known.keep(9, b"");
        assert!(known.holds(9, b""));
        assert!(!known.holds(9, b"\0"));
        // The longest key kept; one byte longer is not kept.
        let longest = [b'k'; MAX_KEY_BYTES];
        known.keep(10, &longest);
        assert!(known.holds(10, &longest));
        let long = [b'l'; MAX_KEY_BYTES + 1];
        known.keep(11, &long);
        assert!(!known.holds(11, &long));
        // A new key replaces the one before it in its slot.
        known.keep(7, b"uuid");
        assert!(known.holds(7, b"uuid"));
        assert!(!known.holds(7, b"id"));
    }

    #[test]
    fn same_bytes_compares_every_byte() {
        let text: Vec<u8> = (0..40u8).map(|i| b'a' + i % 26).collect();
        for len in 0..=text.len() {
            let a = &text[..len];
            assert!(same_bytes(a, a), "{len}");
            for at in 0..len {
                let mut b = a.to_vec();
                b[at] ^= 0x20;
                assert!(!same_bytes(a, &b), "{len} at {at}");
            }
        }
        assert!(!same_bytes(b"ab", b"abc"));
    }

    #[test]
    fn places_sharing_a_slot_are_told_apart() {
        let mut known = KnownKeys::default();
        let first = 3u32;
        let Some(other) = (4..100_000u32).find(|&p| slot_of(p) == slot_of(first)) else {
            panic!("no two places share a slot");
        };
        known.keep(first, b"name");
        assert!(known.holds(first, b"name"));
        assert!(!known.holds(other, b"name"));
    }
}
