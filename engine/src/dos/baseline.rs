//! Learned baselines: exponentially decayed mean and variance for numbers, and
//! decayed frequency tables (bounded) for categorical features.

use std::collections::HashMap;

/// Exponentially weighted mean and variance.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ewma {
    pub mean: f64,
    pub var: f64,
    pub samples: u64,
}

impl Ewma {
    /// Adds a sample with smoothing `alpha` (weight of the new sample).
    pub fn update(&mut self, x: f64, alpha: f64) {
        if self.samples == 0 {
            self.mean = x;
            self.var = 0.0;
        } else {
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
#[derive(Debug, Clone)]
pub struct FreqTable {
    capacity: usize,
    weights: HashMap<u64, f64>,
    total: f64,
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

    /// The learned share of a value (0 when unseen).
    pub fn share(&self, value: u64) -> f64 {
        if self.total <= 0.0 {
            return 0.0;
        }
        self.weights.get(&value).copied().unwrap_or(0.0) / self.total
    }
}
