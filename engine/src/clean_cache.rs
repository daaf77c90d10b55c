//! Body values a request has already had scanned without a hit, so that a
//! value repeated in the same body (the keys of a JSON array of objects,
//! `"true"`, the same tag) is not scanned again.
//!
//! Sound because a scan's outcome depends only on the target class, which
//! name-limited patterns the target name selects (`CompiledRules::name_key`,
//! so `[0].id` and `[1].id` share an entry) and the value: the paranoia level is fixed for the request,
//! and the set of rules already fired only grows, so a value that produced no
//! hit once cannot produce one later. Keys are compared byte for byte (no
//! hash-only matching), and the cache is bounded per request.

use std::collections::HashSet;

/// Longest (name + value) remembered; longer values are rarely repeated.
const MAX_ENTRY_BYTES: usize = 256;
/// Bytes of keys remembered per request.
const MAX_TOTAL_BYTES: usize = 64 * 1024;

#[derive(Debug, Default)]
pub(crate) struct CleanCache {
    seen: HashSet<Box<[u8]>>,
    bytes: usize,
    /// The key being looked up: class, name, a separator, value.
    key: Vec<u8>,
    /// Whether `key` holds a key for the current value.
    keyed: bool,
}

impl CleanCache {
    /// Builds the key for a value and tells whether it was scanned clean
    /// before in this request.
    pub(crate) fn seen_clean(&mut self, class: usize, name_key: u16, value: &[u8]) -> bool {
        self.keyed = false;
        if value.len() > MAX_ENTRY_BYTES {
            return false;
        }
        self.key.clear();
        self.key.push(class as u8);
        self.key.extend_from_slice(&name_key.to_le_bytes());
        self.key.extend_from_slice(value);
        self.keyed = true;
        self.seen.contains(self.key.as_slice())
    }

    /// Remembers the value last passed to [`CleanCache::seen_clean`] as clean.
    pub(crate) fn remember(&mut self) {
        if !self.keyed || self.bytes + self.key.len() > MAX_TOTAL_BYTES {
            return;
        }
        self.bytes += self.key.len();
        self.seen.insert(self.key.as_slice().into());
        self.keyed = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_by_class_name_and_value() {
        let mut cache = CleanCache::default();
        assert!(!cache.seen_clean(3, 7, b"42"));
        cache.remember();
        assert!(cache.seen_clean(3, 7, b"42"));
        assert!(!cache.seen_clean(4, 7, b"42"));
        assert!(!cache.seen_clean(3, 8, b"42"));
        assert!(!cache.seen_clean(3, 7, b"43"));
    }

    #[test]
    fn long_values_and_a_full_cache_are_not_remembered() {
        let mut cache = CleanCache::default();
        let long = vec![b'a'; MAX_ENTRY_BYTES + 1];
        assert!(!cache.seen_clean(0, 0, &long));
        cache.remember();
        assert!(!cache.seen_clean(0, 0, &long));
        for i in 0..10_000u32 {
            let value = format!("{i:0200}");
            cache.seen_clean(0, 1, value.as_bytes());
            cache.remember();
        }
        assert!(cache.bytes <= MAX_TOTAL_BYTES);
    }
}
