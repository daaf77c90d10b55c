//! Latency samples and their percentiles.

use std::time::Duration;

/// Every latency of a run, in nanoseconds.
#[derive(Debug, Default)]
pub struct Samples(Vec<u64>);

impl Samples {
    pub fn push(&mut self, d: Duration) {
        self.0.push(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    }

    pub fn extend(&mut self, other: Samples) {
        self.0.extend(other.0);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Sorts once, before reading percentiles.
    pub fn sort(&mut self) {
        self.0.sort_unstable();
    }

    /// The `q`-quantile (0.0..=1.0) in milliseconds, nearest rank; 0 with no samples.
    /// Call [`Samples::sort`] first.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.0.is_empty() {
            return 0.0;
        }
        let rank = ((q * self.0.len() as f64).ceil() as usize).clamp(1, self.0.len());
        self.0.get(rank - 1).copied().unwrap_or_default() as f64 / 1e6
    }
}
