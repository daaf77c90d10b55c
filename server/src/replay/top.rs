//! Bounded counting tables for reports: at most `cap` distinct keys are
//! counted by name; keys first seen after the table is full are counted
//! together as "other", so memory stays flat whatever the input.

use std::collections::HashMap;
use std::hash::Hash;

/// Distinct keys kept per table unless a report says otherwise.
pub const DEFAULT_KEYS: usize = 10_000;

/// Counts of something per key, bounded.
#[derive(Debug, Clone)]
pub struct TopTable<K, V> {
    cap: usize,
    entries: HashMap<K, V>,
    other: V,
    other_keys_seen: bool,
}

impl<K: Eq + Hash + Clone + Ord, V: Default> TopTable<K, V> {
    pub fn new(cap: usize) -> TopTable<K, V> {
        TopTable {
            cap: cap.max(1),
            entries: HashMap::new(),
            other: V::default(),
            other_keys_seen: false,
        }
    }

    /// The value for `key`, created when there is room, else the "other" value.
    pub fn entry(&mut self, key: &K) -> &mut V {
        if !self.entries.contains_key(key) {
            if self.entries.len() >= self.cap {
                self.other_keys_seen = true;
                return &mut self.other;
            }
            self.entries.insert(key.clone(), V::default());
        }
        match self.entries.get_mut(key) {
            Some(v) => v,
            None => &mut self.other,
        }
    }

    /// The counted values, ordered by `rank` (largest first) then by key,
    /// at most `n` of them.
    pub fn top<R: Ord>(&self, n: usize, rank: impl Fn(&V) -> R) -> Vec<(&K, &V)> {
        let mut all: Vec<(&K, &V)> = self.entries.iter().collect();
        all.sort_by(|a, b| rank(b.1).cmp(&rank(a.1)).then_with(|| a.0.cmp(b.0)));
        all.truncate(n);
        all
    }

    /// What was counted for keys that did not fit, if any did not.
    pub fn other(&self) -> Option<&V> {
        self.other_keys_seen.then_some(&self.other)
    }

    /// The value counted for `key`, if it has its own entry.
    pub fn get(&self, key: &K) -> Option<&V> {
        self.entries.get(key)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every counted entry (unordered).
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_past_the_cap_count_as_other() {
        let mut t: TopTable<String, u64> = TopTable::new(2);
        for k in ["a", "b", "a", "c", "d", "a"] {
            *t.entry(&k.to_string()) += 1;
        }
        assert_eq!(t.len(), 2);
        assert_eq!(t.other(), Some(&2));
        let top = t.top(10, |v| *v);
        assert_eq!(top[0], (&"a".to_string(), &3));
        assert_eq!(top[1], (&"b".to_string(), &1));
    }
}
