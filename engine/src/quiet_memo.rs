//! Short JSON keys and values the plain-value screen (`matcher::plain`) has
//! passed over in this request, so that a repeat — a key in every element
//! of an array, a status, a flag — is passed over again without a second
//! look.
//!
//! Sound because the screen's verdict on a value depends only on the value
//! and its target class (the screen is fixed for the request; whether the
//! protocol checks read the value's *name* is asked before this memo).
//! Entries are compared in full.
//!
//! A fixed direct-mapped table, allocated on the first insert (4 KiB), no
//! growth: a new value replaces whatever shared its slot. A miss costs the
//! screen's look, never a wrong answer.

/// Longest value remembered (the key words are 24 bytes with its length
/// and class).
const MAX_VALUE_BYTES: usize = 22;
/// Number of slots (a power of two).
const SLOTS: usize = 128;

/// A value, its length and class packed into three words: zero padded, so
/// that two keys are equal exactly when the values and classes are.
type Key = [u64; 3];

#[derive(Debug, Default)]
pub(crate) struct QuietMemo {
    /// `None` in a slot never filled.
    slots: Vec<Option<Key>>,
}

/// Where a value stands in the memo: found, or the key it would be
/// remembered under (built once for both the look-up and the insert), or
/// too long to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    Found,
    Missing(Key),
    Unkept,
}

impl QuietMemo {
    /// Looks `value` of `class` (a class index) up.
    #[inline]
    pub(crate) fn look_up(&self, class: usize, value: &[u8]) -> Lookup {
        let Some(key) = key_of(class, value) else {
            return Lookup::Unkept;
        };
        if self
            .slots
            .get(slot_of(&key))
            .is_some_and(|slot| *slot == Some(key))
        {
            Lookup::Found
        } else {
            Lookup::Missing(key)
        }
    }

    /// Remembers that the screen passed over the value `lookup` missed.
    #[inline]
    pub(crate) fn remember(&mut self, lookup: Lookup) {
        let Lookup::Missing(key) = lookup else {
            return;
        };
        if self.slots.is_empty() {
            self.slots = vec![None; SLOTS];
        }
        if let Some(slot) = self.slots.get_mut(slot_of(&key)) {
            *slot = Some(key);
        }
    }

    /// Whether `value` of `class` was remembered.
    #[cfg(test)]
    fn contains(&self, class: usize, value: &[u8]) -> bool {
        self.look_up(class, value) == Lookup::Found
    }

    /// Remembers `value` of `class`.
    #[cfg(test)]
    fn insert(&mut self, class: usize, value: &[u8]) {
        let lookup = self.look_up(class, value);
        self.remember(lookup);
    }
}

/// The key of a value short enough to remember.
#[inline]
fn key_of(class: usize, value: &[u8]) -> Option<Key> {
    if value.len() > MAX_VALUE_BYTES {
        return None;
    }
    let mut bytes = [0u8; 24];
    bytes.get_mut(..value.len())?.copy_from_slice(value);
    // The last two bytes: length and class (a value's own bytes end
    // before them).
    bytes[22] = value.len() as u8;
    bytes[23] = u8::try_from(class).ok()?;
    let word = |i: usize| {
        let mut w = [0u8; 8];
        if let Some(part) = bytes.get(i * 8..i * 8 + 8) {
            w.copy_from_slice(part);
        }
        u64::from_le_bytes(w)
    };
    Some([word(0), word(1), word(2)])
}

fn slot_of(key: &Key) -> usize {
    let mixed = (key[0] ^ key[1].rotate_left(21) ^ key[2].rotate_left(42))
        .wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (mixed >> 57) as usize & (SLOTS - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_exact_values_per_class() {
        let mut memo = QuietMemo::default();
        assert!(!memo.contains(0, b"status"));
        memo.insert(0, b"status");
        assert!(memo.contains(0, b"status"));
        assert!(!memo.contains(1, b"status"));
        assert!(!memo.contains(0, b"Status"));
        assert!(!memo.contains(0, b"statu"));
        assert!(!memo.contains(0, b"status\0"));
        memo.insert(0, b"");
        assert!(memo.contains(0, b""));
        assert!(!memo.contains(1, b""));
        let long = [b'a'; MAX_VALUE_BYTES + 1];
        memo.insert(0, &long);
        assert!(!memo.contains(0, &long));
        let longest = [b'b'; MAX_VALUE_BYTES];
        memo.insert(2, &longest);
        assert!(memo.contains(2, &longest));
    }

    #[test]
    fn a_slot_holds_the_last_value_put_there() {
        let mut memo = QuietMemo::default();
        let values: Vec<String> = (0..4 * SLOTS).map(|i| format!("v{i}")).collect();
        for v in &values {
            memo.insert(0, v.as_bytes());
        }
        // The last SLOTS values inserted that did not collide later are
        // found; nothing never inserted is.
        let found = values
            .iter()
            .filter(|v| memo.contains(0, v.as_bytes()))
            .count();
        assert!(found > 0 && found <= SLOTS, "{found}");
        assert!(!memo.contains(0, b"never"));
    }
}
