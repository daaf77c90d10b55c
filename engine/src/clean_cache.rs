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
//! The cache is set-associative ([`WAYS`] slots a set): a fixed table
//! allocated on first use (32 KiB per request at most), no growth, no
//! per-entry allocation. A new value takes an empty way, else one whose entry
//! has not been found again since it was stored: values seen once (ids,
//! timestamps, free text), the bulk of a body, do not push out the repeated
//! ones (statuses, flags, tag names) as they would in a direct-mapped table
//! (JSON 1 MiB bench: 7% fewer instructions). When every way has been found
//! again, the new value takes the last and the others must be found again to
//! stay. A miss costs a scan, never a wrong answer, so crafted collisions
//! cannot slow a request down.

/// Longest value remembered; longer values are rarely repeated.
const MAX_VALUE_BYTES: usize = 59;
/// Number of slots (a power of two), [`WAYS`] per set.
const SLOTS: usize = 512;
const WAYS: usize = 2;
const SETS: usize = SLOTS / WAYS;

#[derive(Debug, Clone, Copy)]
struct Slot {
    /// Value length + 1; 0 for an empty slot.
    len: u8,
    class: u8,
    name_key: u16,
    /// Found again since it was stored.
    found: bool,
    /// The protocol checks reported nothing new on this value either (see
    /// [`CleanCache::mark_protocol_clean`]).
    protocol_clean: bool,
    bytes: [u8; MAX_VALUE_BYTES],
}

const EMPTY: Slot = Slot {
    len: 0,
    class: 0,
    name_key: 0,
    found: false,
    protocol_clean: false,
    bytes: [0; MAX_VALUE_BYTES],
};

#[derive(Debug, Default)]
pub(crate) struct CleanCache {
    slots: Vec<Slot>,
    /// The slot and entry of the value last looked up, if it can be stored.
    pending: Option<(usize, Slot)>,
    /// The slot of the value last found or remembered.
    last: Option<usize>,
}

impl CleanCache {
    /// Tells whether this value was scanned clean before in this request,
    /// and prepares [`CleanCache::remember`] for it.
    pub(crate) fn seen_clean(&mut self, class: usize, name_key: u16, value: &[u8]) -> bool {
        self.pending = None;
        self.last = None;
        if value.len() > MAX_VALUE_BYTES {
            return false;
        }
        let len = value.len() as u8 + 1;
        let set = set_of(class, name_key, value);
        let ways = self
            .slots
            .get_mut(WAYS * set..WAYS * (set + 1))
            .unwrap_or_default();
        // Length, class and name first; the bytes only when those agree.
        let hit = ways.iter_mut().position(|slot| {
            let same = slot.len == len
                && slot.class == class as u8
                && slot.name_key == name_key
                && slot.bytes.get(..value.len()) == Some(value);
            slot.found |= same;
            same
        });
        match hit {
            Some(way) => self.last = Some(WAYS * set + way),
            None => {
                let mut entry = Slot {
                    len,
                    class: class as u8,
                    name_key,
                    found: false,
                    protocol_clean: false,
                    bytes: [0; MAX_VALUE_BYTES],
                };
                if let Some(prefix) = entry.bytes.get_mut(..value.len()) {
                    prefix.copy_from_slice(value);
                }
                self.pending = Some((set, entry));
            }
        }
        hit.is_some()
    }

    /// Whether the value last found was also marked protocol-clean.
    pub(crate) fn last_protocol_clean(&self) -> bool {
        self.last
            .and_then(|i| self.slots.get(i))
            .is_some_and(|slot| slot.protocol_clean)
    }

    /// Marks the value last found or remembered as one the protocol checks
    /// have nothing (more) to report on. The caller vouches that those checks
    /// depend only on the value and the entry's class for the rest of the
    /// request (true of JSON keys and values).
    pub(crate) fn mark_protocol_clean(&mut self) {
        if let Some(slot) = self.last.and_then(|i| self.slots.get_mut(i)) {
            slot.protocol_clean = true;
        }
    }

    /// Remembers the value last passed to [`CleanCache::seen_clean`] as clean.
    pub(crate) fn remember(&mut self) {
        let Some((set, entry)) = self.pending.take() else {
            return;
        };
        if self.slots.is_empty() {
            self.slots = vec![EMPTY; SLOTS];
        }
        let Some(ways) = self.slots.get_mut(WAYS * set..WAYS * (set + 1)) else {
            return;
        };
        let victim = match ways.iter().position(|w| w.len == 0 || !w.found) {
            Some(free) => free,
            None => {
                // All found again: the others must be found again to stay.
                ways.iter_mut().for_each(|w| w.found = false);
                WAYS - 1
            }
        };
        let Some(slot) = ways.get_mut(victim) else {
            return;
        };
        *slot = entry;
        self.last = Some(WAYS * set + victim);
    }
}

/// A cheap hash of the entry, folded to a set index.
fn set_of(class: usize, name_key: u16, value: &[u8]) -> usize {
    slot_index((class as u64) << 16 | u64::from(name_key), value, SETS)
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

    #[test]
    fn values_found_again_outlive_a_stream_of_values_seen_once() {
        let mut cache = CleanCache::default();
        let repeated = ["paid", "shipped", "GB", "true", "false", "en-GB"];
        for value in repeated {
            assert!(!cache.seen_clean(5, 0, value.as_bytes()));
            cache.remember();
            assert!(cache.seen_clean(5, 0, value.as_bytes()), "{value}");
        }
        // Ids and timestamps: each once, ten times as many as there are slots.
        for i in 0..10 * SLOTS {
            let once = format!("2024-06-11T10:{:02}:{:02}.{i:06}Z", i % 60, i % 59);
            assert!(!cache.seen_clean(5, 0, once.as_bytes()));
            cache.remember();
        }
        for value in repeated {
            assert!(
                cache.seen_clean(5, 0, value.as_bytes()),
                "{value} was pushed out"
            );
        }
    }
}
