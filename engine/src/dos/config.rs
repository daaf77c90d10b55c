//! The `[dos]` policy section: how the behavioural model learns, detects and
//! mitigates. Every key has a default; units are in the key names.

use serde::Deserialize;

/// DoS model settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DosConfig {
    /// Whether the model runs at all.
    pub enabled: bool,
    /// Seconds of traffic to learn before detection starts.
    pub learning_seconds: u64,
    /// Half-life of the learned baseline.
    pub baseline_half_life_seconds: f64,
    /// Requests per second below which nothing is an attack.
    pub min_attack_rps: f64,
    /// Traffic must be this many times the baseline rate...
    pub rate_factor: f64,
    /// ...and this many standard deviations above it.
    pub z_threshold: f64,
    /// Consecutive anomalous seconds before an attack is declared.
    pub enter_seconds: u32,
    /// Consecutive normal seconds before an attack is over.
    pub exit_seconds: u32,
    /// A client is a bad actor above this multiple of the baseline busiest client...
    pub bad_actor_factor: f64,
    /// ...and above this many requests per second.
    pub bad_actor_min_rps: f64,
    /// How long a bad actor stays blocked after its last excess.
    pub block_seconds: u64,
    /// A feature value is suspicious when its share under attack is this many times its baseline share...
    pub signature_ratio: f64,
    /// ...and it covers at least this fraction of the excess traffic.
    pub signature_min_coverage: f64,
    /// Requests matching a signature are allowed at this multiple of their baseline rate.
    pub signature_budget_factor: f64,
    /// Upstream stress: latency above this multiple of baseline latency...
    pub stress_latency_factor: f64,
    /// ...or a 5xx ratio above this.
    pub stress_error_ratio: f64,
    /// Global protection serves at most this multiple of the learned healthy rate.
    pub global_capacity_factor: f64,
    /// Share of the global capacity reserved for clients known before the attack.
    pub known_client_reserve: f64,
    /// Most sites (hosts) tracked.
    pub max_sites: usize,
    /// Most clients remembered as blocked.
    pub max_blocked_clients: usize,
    /// Heaviest clients tracked per second.
    pub top_clients: usize,
    /// Distinct values tracked per feature per second.
    pub max_feature_values: usize,
    /// Requests sampled per second to find multi-feature signatures.
    pub sample_per_second: usize,
    /// Size of the filter remembering clients seen in normal traffic.
    pub known_clients_bits: usize,
    /// Where front ends save the learned baseline (on shutdown and every
    /// `baseline_save_seconds`) and load it at start; unset: not persisted.
    pub baseline_file: Option<String>,
    /// Seconds between periodic saves of the baseline.
    pub baseline_save_seconds: u64,
}

impl Default for DosConfig {
    fn default() -> Self {
        DosConfig {
            enabled: false,
            learning_seconds: 300,
            baseline_half_life_seconds: 600.0,
            min_attack_rps: 50.0,
            rate_factor: 3.0,
            z_threshold: 6.0,
            enter_seconds: 2,
            exit_seconds: 10,
            bad_actor_factor: 5.0,
            bad_actor_min_rps: 5.0,
            block_seconds: 30,
            signature_ratio: 5.0,
            signature_min_coverage: 0.3,
            signature_budget_factor: 2.0,
            stress_latency_factor: 3.0,
            stress_error_ratio: 0.2,
            global_capacity_factor: 1.2,
            known_client_reserve: 0.5,
            max_sites: 64,
            max_blocked_clients: 100_000,
            top_clients: 1024,
            max_feature_values: 256,
            sample_per_second: 2048,
            known_clients_bits: 1 << 22,
            baseline_file: None,
            baseline_save_seconds: 60,
        }
    }
}

impl DosConfig {
    /// Problems with the values, as messages naming the key.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if self.baseline_half_life_seconds <= 0.0 {
            p.push("dos.baseline_half_life_seconds must be positive".into());
        }
        if self.rate_factor < 1.0 {
            p.push("dos.rate_factor must be at least 1".into());
        }
        if self.enter_seconds == 0 || self.exit_seconds == 0 {
            p.push("dos.enter_seconds and dos.exit_seconds must be at least 1".into());
        }
        if !(0.0..=1.0).contains(&self.signature_min_coverage)
            || !(0.0..=1.0).contains(&self.known_client_reserve)
        {
            p.push(
                "dos.signature_min_coverage and dos.known_client_reserve are fractions (0 to 1)"
                    .into(),
            );
        }
        if self.max_sites == 0 || self.top_clients == 0 || self.max_blocked_clients == 0 {
            p.push(
                "dos.max_sites, dos.top_clients and dos.max_blocked_clients must be at least 1"
                    .into(),
            );
        }
        if self.baseline_file.as_deref() == Some("") {
            p.push("dos.baseline_file must not be empty (leave it out to not persist)".into());
        }
        if self.baseline_save_seconds == 0 {
            p.push("dos.baseline_save_seconds must be at least 1".into());
        }
        p
    }

    /// Per-second smoothing weight for the baseline.
    pub fn alpha(&self) -> f64 {
        1.0 - 0.5f64.powf(1.0 / self.baseline_half_life_seconds.max(1.0))
    }
}
