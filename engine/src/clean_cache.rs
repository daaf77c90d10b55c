//! Body values a request has already had scanned without a hit, so that a
//! value repeated in the same body (`"true"`, a status, the same tag in every
//! element of a JSON array) is not scanned again.
//!
//! Sound because a scan's outcome depends only on the target class, which
//! name-limited patterns the target name selects (`CompiledRules::name_key`,
//! so `[0].status` and `[1].status` share an entry) and the value: the
//! paranoia level is fixed for the request, and the set of rules already
//! fired only grows, so a value that produced no hit once cannot produce one
//! later. Entries are compared byte for byte.
//!
//! The cache is direct-mapped: a fixed table of slots allocated on first use
//! (32 KiB per request at most), no growth, no per-entry allocation; a
//! colliding value just replaces the slot's entry (a miss costs a scan, never
//! a wrong answer), so crafted collisions cannot slow a request down.

/// Longest value remembered; longer values are rarely repeated.
const MAX_VALUE_BYTES: usize = 59;
/// Number of slots (a power of two).
const SLOTS: usize = 512;

#[derive(Debug, Clone, Copy)]
struct Slot {
    /// Value length + 1; 0 for an empty slot.
    len: u8,
    class: u8,
    name_key: u16,
    bytes: [u8; MAX_VALUE_BYTES],
}

const EMPTY: Slot = Slot {
    len: 0,
    class: 0,
    name_key: 0,
    bytes: [0; MAX_VALUE_BYTES],
};

#[derive(Debug, Default)]
pub(crate) struct CleanCache {
    slots: Vec<Slot>,
    /// The slot and entry of the value last looked up, if it can be stored.
    pending: Option<(usize, Slot)>,
}

impl CleanCache {
    /// Tells whether this value was scanned clean before in this request,
    /// and prepares [`CleanCache::remember`] for it.
    pub(crate) fn seen_clean(&mut self, class: usize, name_key: u16, value: &[u8]) -> bool {
        self.pending = None;
        if value.len() > MAX_VALUE_BYTES {
            return false;
        }
        let mut entry = Slot {
            len: value.len() as u8 + 1,
            class: class as u8,
            name_key,
            bytes: [0; MAX_VALUE_BYTES],
        };
        if let Some(prefix) = entry.bytes.get_mut(..value.len()) {
            prefix.copy_from_slice(value);
        }
        let index = slot_of(class, name_key, value);
        let hit = self.slots.get(index).is_some_and(|slot| {
            slot.len == entry.len
                && slot.class == entry.class
                && slot.name_key == name_key
                && slot.bytes == entry.bytes
        });
        if !hit {
            self.pending = Some((index, entry));
        }
        hit
    }

    /// Remembers the value last passed to [`CleanCache::seen_clean`] as clean.
    pub(crate) fn remember(&mut self) {
        let Some((index, entry)) = self.pending.take() else {
            return;
        };
        if self.slots.is_empty() {
            self.slots = vec![EMPTY; SLOTS];
        }
        if let Some(slot) = self.slots.get_mut(index) {
            *slot = entry;
        }
    }
}

/// A cheap hash of the entry, folded to a slot index.
fn slot_of(class: usize, name_key: u16, value: &[u8]) -> usize {
    slot_index((class as u64) << 16 | u64::from(name_key), value, SLOTS)
}

/// Folds `seed` and `value` into an index below `slots` (a power of two):
/// a cheap multiplicative hash over 8-byte words, for the direct-mapped
/// caches (this one and `crate::head_cache`). Not collision-resistant, and
/// need not be: entries are compared byte for byte.
pub(crate) fn slot_index(seed: u64, value: &[u8], slots: usize) -> usize {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = seed;
    for chunk in value.chunks(8) {
        let mut word = [0u8; 8];
        if let Some(prefix) = word.get_mut(..chunk.len()) {
            prefix.copy_from_slice(chunk);
        }
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    h ^= value.len() as u64;
    ((h.wrapping_mul(K) >> 32) as usize) & (slots - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_by_class_name_key_and_value() {
        let mut cache = CleanCache::default();
        assert!(!cache.seen_clean(3, 7, b"42"));
        cache.remember();
        assert!(cache.seen_clean(3, 7, b"42"));
        assert!(!cache.seen_clean(4, 7, b"42"));
        assert!(!cache.seen_clean(3, 8, b"42"));
        assert!(!cache.seen_clean(3, 7, b"43"));
        assert!(!cache.seen_clean(3, 7, b"42\0"));
        assert!(!cache.seen_clean(3, 7, b""));
    }

    #[test]
    fn only_remembered_values_hit_and_long_ones_never_do() {
        let mut cache = CleanCache::default();
        let long = vec![b'a'; MAX_VALUE_BYTES + 1];
        assert!(!cache.seen_clean(0, 0, &long));
        cache.remember();
        assert!(!cache.seen_clean(0, 0, &long));
        // Looked up but not remembered (the scan had a hit): still a miss.
        assert!(!cache.seen_clean(0, 0, b"<script>"));
        assert!(!cache.seen_clean(0, 0, b"<script>"));
        // Many values: each lookup is either a miss or the exact value.
        for i in 0..5_000u32 {
            let value = format!("value {i}");
            assert!(!cache.seen_clean(1, 2, value.as_bytes()));
            cache.remember();
        }
        let hits = (0..5_000u32)
            .filter(|i| cache.seen_clean(1, 2, format!("value {i}").as_bytes()))
            .count();
        assert!(hits > 0 && hits <= SLOTS, "{hits}");
    }
}
