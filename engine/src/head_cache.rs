//! Values of the request head (method, target, path, query arguments,
//! headers, cookies) this thread has already scanned clean, kept across
//! requests: the same browsers send the same `User-Agent`, `Accept`,
//! `sec-ch-ua` and cookie names request after request, and popular pages the
//! same paths and arguments. A scan's outcome
//! depends only on the rule set, the paranoia level, the target class, which
//! name-limited patterns the name selects (`CompiledRules::name_key`) and the
//! value's bytes.
//!
//! Sound by construction:
//! - an entry is written only after a scan that produced no hit while no rule
//!   was switched off (no exclusion, nothing fired yet), so a value found here
//!   is clean under any set of switched-off rules;
//! - entries are compared byte for byte, never by hash alone, and carry the
//!   rule set's generation and the paranoia level, so a reload or another
//!   level never reads an old answer;
//! - the table is direct-mapped with a fixed number of slots and a cap on the
//!   value length: at most [`SLOTS`] × [`MAX_VALUE_BYTES`] bytes per thread,
//!   and a colliding value replaces the slot (a miss costs a scan, never a
//!   wrong answer), so crafted values can only make it miss.

use std::cell::RefCell;

/// Slots per thread (a power of two).
pub const SLOTS: usize = 4096;
/// Longest value remembered.
pub const MAX_VALUE_BYTES: usize = 512;

/// What an entry is about, besides the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    /// `CompiledRules::generation` of the rule set that scanned it.
    pub rules: u64,
    pub paranoia: u8,
    pub class: u8,
    pub name_key: u16,
}

#[derive(Debug)]
struct Entry {
    key: Key,
    bytes: Box<[u8]>,
}

#[derive(Debug, Default)]
struct Table {
    slots: Vec<Option<Entry>>,
}

thread_local! {
    static TABLE: RefCell<Table> = RefCell::new(Table::default());
}

/// Whether this thread scanned `value` clean under `key` before.
pub(crate) fn seen_clean(key: Key, value: &[u8]) -> bool {
    if value.len() > MAX_VALUE_BYTES {
        return false;
    }
    let index = slot_of(key, value);
    TABLE.with(|table| {
        table.try_borrow().is_ok_and(|t| {
            t.slots
                .get(index)
                .and_then(Option::as_ref)
                .is_some_and(|e| e.key == key && *e.bytes == *value)
        })
    })
}

/// Remembers `value` as clean under `key`. Only for a scan with no hit and no
/// rule switched off.
pub(crate) fn remember(key: Key, value: &[u8]) {
    if value.len() > MAX_VALUE_BYTES {
        return;
    }
    let index = slot_of(key, value);
    TABLE.with(|table| {
        let Ok(mut t) = table.try_borrow_mut() else {
            return;
        };
        if t.slots.is_empty() {
            t.slots.resize_with(SLOTS, || None);
        }
        if let Some(slot) = t.slots.get_mut(index) {
            *slot = Some(Entry {
                key,
                bytes: value.into(),
            });
        }
    });
}

/// Forgets everything this thread remembered (for measuring the cold path).
pub fn clear_this_thread() {
    TABLE.with(|table| {
        if let Ok(mut t) = table.try_borrow_mut() {
            t.slots.clear();
        }
    });
}

/// A cheap hash of the entry, folded to a slot index.
fn slot_of(key: Key, value: &[u8]) -> usize {
    let seed = key.rules
        ^ (u64::from(key.paranoia) << 40)
        ^ (u64::from(key.class) << 32)
        ^ u64::from(key.name_key);
    crate::clean_cache::slot_index(seed, value, SLOTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(rules: u64, paranoia: u8, class: u8, name_key: u16) -> Key {
        Key {
            rules,
            paranoia,
            class,
            name_key,
        }
    }

    #[test]
    fn answers_only_for_the_same_key_and_bytes() {
        let k = key(7, 1, 3, 2);
        let ua = b"Mozilla/5.0 (X11; Linux x86_64)";
        assert!(!seen_clean(k, ua));
        remember(k, ua);
        assert!(seen_clean(k, ua));
        assert!(!seen_clean(key(8, 1, 3, 2), ua), "another rule set");
        assert!(!seen_clean(key(7, 2, 3, 2), ua), "another paranoia level");
        assert!(!seen_clean(key(7, 1, 4, 2), ua), "another class");
        assert!(!seen_clean(key(7, 1, 3, 9), ua), "another name key");
        assert!(!seen_clean(k, b"Mozilla/5.0 (X11; Linux x86_64))"));
        assert!(!seen_clean(k, b"Mozilla/5.0 (X11; Linux x86_64"));
    }

    #[test]
    fn long_values_are_not_kept_and_the_table_stays_bounded() {
        let k = key(1, 1, 1, 1);
        let long = vec![b'a'; MAX_VALUE_BYTES + 1];
        remember(k, &long);
        assert!(!seen_clean(k, &long));
        for i in 0..10 * SLOTS {
            remember(k, format!("value {i}").as_bytes());
        }
        let kept = (0..10 * SLOTS)
            .filter(|i| seen_clean(k, format!("value {i}").as_bytes()))
            .count();
        assert!(kept > 0 && kept <= SLOTS, "{kept}");
        TABLE.with(|t| assert_eq!(t.borrow().slots.len(), SLOTS));
    }
}
