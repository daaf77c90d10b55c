//! Fixed-memory sketches for traffic features: HyperLogLog for distinct
//! clients, and Space-Saving for the heaviest clients of a window.
//!
//! Both use memory fixed at construction, whatever the number of distinct keys
//! seen (a flood from a million spoofed addresses costs no more than one from
//! ten).

use std::collections::HashMap;

/// A 64-bit hash of bytes (FNV-1a folded with a final mix); stable across runs
/// so virtual-time simulations are reproducible.
pub fn hash64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // splitmix64 finaliser for good high bits
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// HyperLogLog with 2^12 registers (4 KiB, ~1.6% standard error).
#[derive(Clone)]
pub struct HyperLogLog {
    registers: Vec<u8>,
}

const HLL_BITS: u32 = 12;

impl Default for HyperLogLog {
    fn default() -> Self {
        HyperLogLog {
            registers: vec![0; 1 << HLL_BITS],
        }
    }
}

impl HyperLogLog {
    pub fn insert(&mut self, hash: u64) {
        let index = (hash >> (64 - HLL_BITS)) as usize;
        let rest = (hash << HLL_BITS) | (1 << (HLL_BITS - 1));
        let rank = rest.leading_zeros() as u8 + 1;
        if let Some(r) = self.registers.get_mut(index) {
            if rank > *r {
                *r = rank;
            }
        }
    }

    /// Estimated number of distinct hashes inserted.
    pub fn estimate(&self) -> f64 {
        let m = self.registers.len() as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let sum: f64 = self
            .registers
            .iter()
            .map(|&r| 2f64.powi(-i32::from(r)))
            .sum();
        let raw = alpha * m * m / sum;
        let zeros = self.registers.iter().filter(|&&r| r == 0).count();
        if raw <= 2.5 * m && zeros > 0 {
            m * (m / zeros as f64).ln()
        } else {
            raw
        }
    }

    pub fn clear(&mut self) {
        self.registers.iter_mut().for_each(|r| *r = 0);
    }
}

/// Count-min sketch with conservative update: per-key counts that never
/// under-estimate and over-estimate by about `total / width`.
pub struct CountMin {
    width: usize,
    rows: Vec<Vec<u32>>,
}

impl CountMin {
    pub fn new(width: usize, depth: usize) -> CountMin {
        CountMin {
            width: width.max(16),
            rows: (0..depth.max(1)).map(|_| vec![0; width.max(16)]).collect(),
        }
    }

    fn slot(&self, row: usize, hash: u64) -> usize {
        let h = hash
            .rotate_left((row as u32) * 17)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15 ^ row as u64);
        (h >> 20) as usize % self.width
    }

    /// Counts one occurrence; returns the new estimate.
    pub fn insert(&mut self, hash: u64) -> u32 {
        let estimate = self.estimate(hash).saturating_add(1);
        for row in 0..self.rows.len() {
            let slot = self.slot(row, hash);
            if let Some(c) = self.rows.get_mut(row).and_then(|r| r.get_mut(slot)) {
                if *c < estimate {
                    *c = estimate;
                }
            }
        }
        estimate
    }

    pub fn estimate(&self, hash: u64) -> u32 {
        (0..self.rows.len())
            .map(|row| {
                let slot = self.slot(row, hash);
                self.rows
                    .get(row)
                    .and_then(|r| r.get(slot))
                    .copied()
                    .unwrap_or(0)
            })
            .min()
            .unwrap_or(0)
    }

    pub fn clear(&mut self) {
        for r in &mut self.rows {
            r.iter_mut().for_each(|c| *c = 0);
        }
    }

    pub fn bytes(&self) -> usize {
        self.rows.len() * self.width * 4
    }
}

/// Space-Saving top-k: the k heaviest keys of a stream with counts that
/// over-estimate by at most the smallest tracked count.
pub struct SpaceSaving<K> {
    capacity: usize,
    counts: HashMap<K, u32>,
}

impl<K: std::hash::Hash + Eq + Clone> SpaceSaving<K> {
    pub fn new(capacity: usize) -> SpaceSaving<K> {
        SpaceSaving {
            capacity: capacity.max(1),
            counts: HashMap::with_capacity(capacity.max(1)),
        }
    }

    /// Counts one occurrence; returns the key's (estimated) count.
    pub fn insert(&mut self, key: &K) -> u32 {
        if let Some(c) = self.counts.get_mut(key) {
            *c = c.saturating_add(1);
            return *c;
        }
        if self.counts.len() < self.capacity {
            self.counts.insert(key.clone(), 1);
            return 1;
        }
        // Replace the minimum: its count + 1 bounds the newcomer's true count.
        let min = self
            .counts
            .iter()
            .min_by_key(|(_, c)| **c)
            .map(|(k, c)| (k.clone(), *c));
        match min {
            Some((victim, count)) => {
                self.counts.remove(&victim);
                self.counts.insert(key.clone(), count.saturating_add(1));
                count.saturating_add(1)
            }
            None => 0,
        }
    }

    /// The tracked keys with their counts, heaviest first.
    pub fn top(&self) -> Vec<(K, u32)> {
        let mut v: Vec<(K, u32)> = self.counts.iter().map(|(k, c)| (k.clone(), *c)).collect();
        v.sort_by_key(|(_, c)| std::cmp::Reverse(*c));
        v
    }

    pub fn get(&self, key: &K) -> u32 {
        self.counts.get(key).copied().unwrap_or(0)
    }

    pub fn clear(&mut self) {
        self.counts.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hll_estimates_within_a_few_percent() {
        let mut h = HyperLogLog::default();
        for i in 0..100_000u32 {
            h.insert(hash64(&i.to_le_bytes()));
        }
        let e = h.estimate();
        assert!((e - 100_000.0).abs() / 100_000.0 < 0.05, "{e}");
        let mut small = HyperLogLog::default();
        for i in 0..50u32 {
            small.insert(hash64(&i.to_le_bytes()));
        }
        assert!(
            (small.estimate() - 50.0).abs() < 3.0,
            "{}",
            small.estimate()
        );
    }

    #[test]
    fn count_min_never_underestimates() {
        let mut cms = CountMin::new(4096, 4);
        for i in 0..50_000u64 {
            cms.insert(hash64(&i.to_le_bytes()));
        }
        for _ in 0..100 {
            cms.insert(hash64(b"heavy"));
        }
        let heavy = cms.estimate(hash64(b"heavy"));
        assert!((100..=140).contains(&heavy), "{heavy}");
        assert!(cms.estimate(hash64(&7u64.to_le_bytes())) < 30);
    }

    #[test]
    fn space_saving_keeps_heavy_hitters() {
        let mut s = SpaceSaving::new(16);
        for i in 0..10_000u32 {
            s.insert(&(i % 1000));
            if i % 3 == 0 {
                s.insert(&7777);
            }
        }
        assert_eq!(s.top()[0].0, 7777);
        assert!(s.counts.len() <= 16);
    }
}
