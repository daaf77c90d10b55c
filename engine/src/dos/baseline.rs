//! Learned baselines: exponentially decayed mean and variance for numbers, and
//! decayed frequency tables (bounded) for categorical features. Both
//! serialise (serde) so a learned baseline can be saved and loaded
//! (`super::persist`).

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Exponentially weighted mean and variance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Ewma {
    pub mean: f64,
    pub var: f64,
    pub samples: u64,
}

impl Ewma {
    /// Adds a sample with smoothing `alpha` (weight of the new sample). The
    /// first `1 / alpha` samples are averaged evenly (weight `1 / n`), so a
    /// short learning period yields the mean of what it saw rather than
    /// staying near its first sample (often a partial second).
    pub fn update(&mut self, x: f64, alpha: f64) {
        if self.samples == 0 {
            self.mean = x;
            self.var = 0.0;
        } else {
            let alpha = alpha.max(1.0 / (self.samples as f64 + 1.0));
            let diff = x - self.mean;
            let incr = alpha * diff;
            self.mean += incr;
            self.var = (1.0 - alpha) * (self.var + diff * incr);
        }
        self.samples += 1;
    }

    pub fn std(&self) -> f64 {
        self.var.max(0.0).sqrt()
    }
}

/// Decayed frequencies of categorical values (hashed), at most `capacity`
/// values; the rarest are dropped when full. Shares sum to at most 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "SavedTable", into = "SavedTable")]
pub struct FreqTable {
    capacity: usize,
    weights: HashMap<u64, f64>,
    total: f64,
}

/// A table as saved: values as a list (hashes are u64, kept exact).
#[derive(Serialize, Deserialize)]
struct SavedTable {
    capacity: usize,
    total: f64,
    weights: Vec<(u64, f64)>,
}

impl From<SavedTable> for FreqTable {
    fn from(s: SavedTable) -> FreqTable {
        let capacity = s.capacity.max(1);
        let mut weights = s.weights;
        weights.retain(|(_, w)| w.is_finite() && *w >= 0.0);
        weights.sort_by(|a, b| b.1.total_cmp(&a.1));
        weights.truncate(capacity);
        FreqTable {
            capacity,
            weights: weights.into_iter().collect(),
            total: if s.total.is_finite() {
                s.total.max(0.0)
            } else {
                0.0
            },
        }
    }
}

impl From<FreqTable> for SavedTable {
    fn from(t: FreqTable) -> SavedTable {
        let mut weights: Vec<(u64, f64)> = t.weights.into_iter().collect();
        weights.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        SavedTable {
            capacity: t.capacity,
            total: t.total,
            weights,
        }
    }
}

impl FreqTable {
    pub fn new(capacity: usize) -> FreqTable {
        FreqTable {
            capacity: capacity.max(1),
            weights: HashMap::new(),
            total: 0.0,
        }
    }

    /// Folds one window's counts in with decay `alpha` (weight of the new window).
    pub fn update(&mut self, counts: &HashMap<u64, u32>, alpha: f64) {
        let window_total: f64 = counts.values().map(|&c| f64::from(c)).sum();
        if window_total <= 0.0 {
            return;
        }
        for w in self.weights.values_mut() {
            *w *= 1.0 - alpha;
        }
        self.total *= 1.0 - alpha;
        for (&k, &c) in counts {
            *self.weights.entry(k).or_insert(0.0) += alpha * f64::from(c) / window_total;
        }
        self.total += alpha;
        if self.weights.len() > self.capacity {
            let mut v: Vec<(u64, f64)> = self.weights.iter().map(|(k, w)| (*k, *w)).collect();
            v.sort_by(|a, b| b.1.total_cmp(&a.1));
            v.truncate(self.capacity);
            self.weights = v.into_iter().collect();
        }
    }

    /// The same table holding at most `capacity` values (the commonest).
    pub fn with_capacity(self, capacity: usize) -> FreqTable {
        let mut saved = SavedTable::from(self);
        saved.capacity = capacity;
        FreqTable::from(saved)
    }

    /// The learned share of a value (0 when unseen).
    pub fn share(&self, value: u64) -> f64 {
        if self.total <= 0.0 {
            return 0.0;
        }
        self.weights.get(&value).copied().unwrap_or(0.0) / self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slow_ewma_starts_as_the_running_mean() {
        let mut e = Ewma::default();
        // A partial first second, then a steady 40/s, with a 600 s half-life.
        let alpha = 1.0 - 0.5f64.powf(1.0 / 600.0);
        e.update(5.0, alpha);
        for _ in 0..29 {
            e.update(40.0, alpha);
        }
        assert!((e.mean - (5.0 + 29.0 * 40.0) / 30.0).abs() < 1e-9, "{e:?}");
        assert!(e.std() > 0.0 && e.std() < 10.0, "{e:?}");
    }
}
