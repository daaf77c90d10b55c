//! One protected site's traffic model: the current one-second window, the
//! learned baseline, the detector's state machine and the active mitigations.
//!
//! Requests are counted into the current window as they arrive; when a second
//! ends, the closed window is compared with the baseline (and, in normal
//! times, folded into it). Mitigations are decided per request from state that
//! is already computed, so the per-request cost is a few hash-map updates.

use super::baseline::{Ewma, FreqTable};
use super::config::DosConfig;
use super::features::{RequestFeatures, FEATURES, FEATURE_NAMES};
use super::sketch::{CountMin, HyperLogLog};
use super::{DosDecision, DosEvent, Refusal};
use std::collections::HashMap;

/// A signature candidate: (coverage of the excess, feature values, baseline share).
type Candidate = (f64, Vec<(usize, u64)>, f64);

/// Key standing for "any other value" when a feature has too many values.
const OTHER: u64 = u64::MAX;

struct Window {
    second: u64,
    requests: u32,
    served: u32,
    served_known: u32,
    clients: CountMin,
    /// The largest per-client count this window.
    peak: u32,
    distinct: HyperLogLog,
    features: Vec<HashMap<u64, u32>>,
    sample: Vec<[u64; FEATURES]>,
    responses: u32,
    errors: u32,
    latency_sum: f64,
}

impl Window {
    fn new(second: u64, config: &DosConfig) -> Window {
        Window {
            second,
            requests: 0,
            served: 0,
            served_known: 0,
            clients: CountMin::new(config.top_clients.max(16) * 16, 4),
            peak: 0,
            distinct: HyperLogLog::default(),
            features: (0..FEATURES).map(|_| HashMap::new()).collect(),
            sample: Vec::new(),
            responses: 0,
            errors: 0,
            latency_sum: 0.0,
        }
    }

    fn reset(&mut self, second: u64) {
        self.second = second;
        self.requests = 0;
        self.served = 0;
        self.served_known = 0;
        self.clients.clear();
        self.peak = 0;
        self.distinct.clear();
        self.features.iter_mut().for_each(HashMap::clear);
        self.sample.clear();
        self.responses = 0;
        self.errors = 0;
        self.latency_sum = 0.0;
    }
}

/// A traffic signature: feature values that together mark attack traffic.
#[derive(Debug, Clone)]
pub struct Signature {
    pub id: u32,
    pub parts: Vec<(usize, u64)>,
    pub description: String,
    /// Matching requests allowed per second.
    pub budget_per_second: f64,
    used: u32,
    used_second: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Learning,
    Ready,
    Attack { id: u64, started: u64 },
}

/// What a site's model looks like from outside.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteStatus {
    pub learning: bool,
    pub attack: Option<u64>,
    pub baseline_rps: f64,
    pub blocked_clients: usize,
    pub signatures: Vec<String>,
    pub global_limit: Option<f64>,
}

/// A bit filter of clients seen in normal traffic (no false negatives).
struct KnownClients {
    bits: Vec<u64>,
}

impl KnownClients {
    fn new(bits: usize) -> KnownClients {
        KnownClients {
            bits: vec![0; bits.max(64) / 64],
        }
    }
    fn slots(&self, key: u64) -> [usize; 2] {
        let n = self.bits.len() * 64;
        [
            (key as usize) % n,
            ((key >> 32) as usize ^ (key as usize).rotate_left(17)) % n,
        ]
    }
    fn insert(&mut self, key: u64) {
        for s in self.slots(key) {
            if let Some(w) = self.bits.get_mut(s / 64) {
                *w |= 1 << (s % 64);
            }
        }
    }
    fn contains(&self, key: u64) -> bool {
        self.slots(key).iter().all(|&s| {
            self.bits
                .get(s / 64)
                .is_some_and(|w| w & (1 << (s % 64)) != 0)
        })
    }
}

pub struct Site {
    window: Window,
    rate: Ewma,
    client_peak: Ewma,
    client_rate: Ewma,
    latency: Ewma,
    error_ratio: Ewma,
    features: Vec<FreqTable>,
    learned_seconds: u64,
    phase: Phase,
    anomalous: u32,
    calm: u32,
    stressed: u32,
    blocked: HashMap<u64, u64>,
    signatures: Vec<Signature>,
    global: Option<f64>,
    known: KnownClients,
    labels: HashMap<(usize, u64), String>,
    next_signature: u32,
}

fn window_latency(w: &Window) -> Option<f64> {
    (w.responses > 0).then(|| w.latency_sum / f64::from(w.responses))
}

impl Site {
    pub fn new(config: &DosConfig, second: u64) -> Site {
        Site {
            window: Window::new(second, config),
            rate: Ewma::default(),
            client_peak: Ewma::default(),
            client_rate: Ewma::default(),
            latency: Ewma::default(),
            error_ratio: Ewma::default(),
            features: (0..FEATURES)
                .map(|_| FreqTable::new(config.max_feature_values))
                .collect(),
            learned_seconds: 0,
            phase: Phase::Learning,
            anomalous: 0,
            calm: 0,
            stressed: 0,
            blocked: HashMap::new(),
            signatures: Vec::new(),
            global: None,
            known: KnownClients::new(config.known_clients_bits),
            labels: HashMap::new(),
            next_signature: 1,
        }
    }

    /// The learned baseline, for saving.
    pub fn baseline(&self, site: &str) -> super::persist::SiteBaseline {
        super::persist::SiteBaseline {
            site: site.to_string(),
            learned_seconds: self.learned_seconds,
            rate: self.rate,
            client_peak: self.client_peak,
            client_rate: self.client_rate,
            latency: self.latency,
            error_ratio: self.error_ratio,
            features: self.features.clone(),
        }
    }

    /// A site resuming from a saved baseline: ready when it had learned for
    /// `learning_seconds`, else learning on from where it stopped.
    pub fn restored(config: &DosConfig, second: u64, saved: super::persist::SiteBaseline) -> Site {
        let mut site = Site::new(config, second);
        site.learned_seconds = saved.learned_seconds;
        site.rate = saved.rate;
        site.client_peak = saved.client_peak;
        site.client_rate = saved.client_rate;
        site.latency = saved.latency;
        site.error_ratio = saved.error_ratio;
        site.features = saved
            .features
            .into_iter()
            .map(|t| t.with_capacity(config.max_feature_values))
            .collect();
        if site.learned_seconds >= config.learning_seconds {
            site.phase = Phase::Ready;
        }
        site
    }

    pub fn status(&self) -> SiteStatus {
        SiteStatus {
            learning: self.phase == Phase::Learning,
            attack: match self.phase {
                Phase::Attack { id, .. } => Some(id),
                _ => None,
            },
            baseline_rps: self.rate.mean,
            blocked_clients: self.blocked.len(),
            signatures: self
                .signatures
                .iter()
                .map(|s| s.description.clone())
                .collect(),
            global_limit: self.global,
        }
    }

    /// Approximate bytes held (fixed parts plus bounded maps).
    pub fn memory_bytes(&self, config: &DosConfig) -> usize {
        let window = self.window.clients.bytes()
            + 4096
            + FEATURES * config.max_feature_values * 24
            + config.sample_per_second * FEATURES * 8;
        let baseline = FEATURES * config.max_feature_values * 24;
        window
            + baseline
            + self.blocked.capacity() * 24
            + self.known.bits.len() * 8
            + self.labels.len() * 64
    }

    /// Requests per second above which a client is a bad actor: well above the
    /// average client and clearly above the busiest normal client.
    fn bad_actor_threshold(&self, config: &DosConfig) -> f64 {
        (config.bad_actor_factor * self.client_rate.mean.max(0.1))
            .max(1.5 * self.client_peak.mean)
            .max(config.bad_actor_min_rps)
    }

    /// Advances to `second`, closing windows; returns events.
    pub fn roll(
        &mut self,
        second: u64,
        config: &DosConfig,
        events: &mut Vec<DosEvent>,
        site: &str,
    ) {
        if second <= self.window.second {
            return;
        }
        // Close the current window, then any empty seconds in between (bounded).
        let gap = (second - self.window.second).min(120);
        for step in 0..gap {
            self.close_window(config, events, site);
            let next = if step + 1 == gap {
                second
            } else {
                self.window.second + 1
            };
            self.window.reset(next);
        }
        let now = second;
        self.blocked.retain(|_, until| *until > now);
    }

    fn close_window(&mut self, config: &DosConfig, events: &mut Vec<DosEvent>, site: &str) {
        let w = &self.window;
        let rps = f64::from(w.requests);
        let alpha = config.alpha();
        let sd = self.rate.std().max(self.rate.mean.sqrt()).max(1.0);
        let z = (rps - self.rate.mean) / sd;
        let ready = self.learned_seconds >= config.learning_seconds;
        let high = rps >= config.min_attack_rps
            && rps >= config.rate_factor * self.rate.mean.max(1.0)
            && z >= config.z_threshold;
        let latency = window_latency(w);
        let errors = if w.responses > 0 {
            f64::from(w.errors) / f64::from(w.responses)
        } else {
            0.0
        };
        let stress = latency.is_some_and(|l| {
            self.latency.samples > 0
                && l > config.stress_latency_factor * self.latency.mean.max(0.000_1)
        }) || errors > config.stress_error_ratio;
        let raised = rps >= config.min_attack_rps && rps > 1.5 * self.rate.mean.max(1.0);
        let anomalous = ready && (high || (stress && raised));
        match self.phase {
            Phase::Learning | Phase::Ready => {
                if anomalous {
                    self.anomalous += 1;
                    if self.anomalous >= config.enter_seconds {
                        let id = u64::from(self.next_signature) << 32 | w.second;
                        self.phase = Phase::Attack {
                            id,
                            started: w.second,
                        };
                        self.calm = 0;
                        self.stressed = 0;
                        events.push(DosEvent::AttackStarted {
                            site: site.to_string(),
                            id,
                            second: w.second,
                            rps,
                            baseline_rps: self.rate.mean,
                        });
                        self.find_signatures(config);
                    }
                    return;
                }
                self.anomalous = 0;
                // Normal traffic: learn.
                self.rate.update(rps, alpha);
                self.client_peak.update(f64::from(w.peak), alpha);
                let distinct = w.distinct.estimate();
                if distinct >= 1.0 {
                    self.client_rate.update(rps / distinct, alpha);
                }
                if let Some(l) = latency {
                    self.latency.update(l, alpha);
                }
                if w.responses > 0 {
                    self.error_ratio.update(errors, alpha);
                }
                for (table, counts) in self.features.iter_mut().zip(&w.features) {
                    table.update(counts, alpha);
                }
                self.learned_seconds += 1;
                if self.learned_seconds >= config.learning_seconds {
                    self.phase = Phase::Ready;
                }
            }
            Phase::Attack { id, started } => {
                let over = rps >= config.min_attack_rps
                    && rps >= (self.rate.mean + 3.0 * sd).max(1.5 * self.rate.mean);
                if over || (stress && raised) {
                    self.calm = 0;
                    if self.signatures.is_empty() || (w.second - started).is_multiple_of(5) {
                        self.find_signatures(config);
                    }
                    if stress {
                        self.stressed += 1;
                        if self.stressed >= 3 && self.global.is_none() {
                            let capacity = (self.rate.mean + 3.0 * self.rate.std()).max(1.0)
                                * config.global_capacity_factor;
                            self.global = Some(capacity);
                            events.push(DosEvent::GlobalLimit {
                                site: site.to_string(),
                                id,
                                rps: capacity,
                            });
                        }
                    } else {
                        self.stressed = 0;
                    }
                } else {
                    self.calm += 1;
                    if self.calm >= config.exit_seconds {
                        self.phase = Phase::Ready;
                        self.signatures.clear();
                        self.global = None;
                        self.anomalous = 0;
                        events.push(DosEvent::AttackEnded {
                            site: site.to_string(),
                            id,
                            second: w.second,
                        });
                    }
                }
            }
        }
    }

    fn find_signatures(&mut self, config: &DosConfig) {
        let w = &self.window;
        let total = f64::from(w.requests);
        let base_rate = self.rate.mean;
        let excess = (total - base_rate).max(1.0);
        // Candidates: (coverage of the excess, parts, baseline share). The best
        // covers nearly the most excess with the least legitimate traffic.
        let mut candidates: Vec<Candidate> = Vec::new();
        let consider = |candidates: &mut Vec<Candidate>,
                        parts: Vec<(usize, u64)>,
                        count: f64,
                        base_share: f64| {
            let share = count / total.max(1.0);
            let ratio = share / base_share.max(0.001);
            let coverage = (count - base_share * base_rate) / excess;
            if ratio >= config.signature_ratio && coverage >= config.signature_min_coverage {
                candidates.push((coverage, parts, base_share));
            }
        };
        let pick = |candidates: &[Candidate]| {
            let top = candidates.iter().map(|c| c.0).fold(0.0, f64::max);
            candidates
                .iter()
                .filter(|c| c.0 >= 0.9 * top)
                .min_by(|a, b| a.2.total_cmp(&b.2).then(b.0.total_cmp(&a.0)))
                .cloned()
        };
        for (i, counts) in w.features.iter().enumerate() {
            for (&v, &c) in counts {
                if v == OTHER {
                    continue;
                }
                let base = self.features.get(i).map(|t| t.share(v)).unwrap_or(0.0);
                consider(&mut candidates, vec![(i, v)], f64::from(c), base);
            }
        }
        let mut best = pick(&candidates);
        if best.is_none() && !w.sample.is_empty() {
            // Pairs of the three commonest values of each feature, counted on the sample.
            let tops: Vec<Vec<u64>> = w
                .features
                .iter()
                .map(|counts| {
                    let mut v: Vec<(u64, u32)> = counts.iter().map(|(k, c)| (*k, *c)).collect();
                    v.sort_by_key(|&(_, c)| std::cmp::Reverse(c));
                    v.into_iter()
                        .take(3)
                        .map(|(k, _)| k)
                        .filter(|k| *k != OTHER)
                        .collect()
                })
                .collect();
            let scale = total / w.sample.len() as f64;
            for i in 0..FEATURES {
                for j in (i + 1)..FEATURES {
                    for &a in tops.get(i).map(Vec::as_slice).unwrap_or_default() {
                        for &b in tops.get(j).map(Vec::as_slice).unwrap_or_default() {
                            let hits = w
                                .sample
                                .iter()
                                .filter(|row| row.get(i) == Some(&a) && row.get(j) == Some(&b))
                                .count();
                            let base = self.features.get(i).map(|t| t.share(a)).unwrap_or(0.0)
                                * self.features.get(j).map(|t| t.share(b)).unwrap_or(0.0);
                            consider(
                                &mut candidates,
                                vec![(i, a), (j, b)],
                                hits as f64 * scale,
                                base,
                            );
                        }
                    }
                }
            }
            best = pick(&candidates);
        }
        if let Some((_, parts, base_share)) = best {
            if self.signatures.iter().any(|s| s.parts == parts) {
                return;
            }
            let description = parts
                .iter()
                .map(|(i, v)| {
                    let name = FEATURE_NAMES.get(*i).copied().unwrap_or("?");
                    match self.labels.get(&(*i, *v)) {
                        Some(l) if !l.is_empty() => format!("{name}={l}"),
                        _ => format!("{name}=#{v:016x}"),
                    }
                })
                .collect::<Vec<_>>()
                .join(" & ");
            let budget = (base_share * base_rate * config.signature_budget_factor).max(1.0);
            self.signatures.push(Signature {
                id: self.next_signature,
                parts,
                description,
                budget_per_second: budget,
                used: 0,
                used_second: 0,
            });
            self.next_signature += 1;
        }
    }

    /// Counts one request and decides it.
    pub fn admit(&mut self, f: &RequestFeatures<'_>, config: &DosConfig) -> DosDecision {
        let second = self.window.second;
        let w = &mut self.window;
        w.requests = w.requests.saturating_add(1);
        let client_count = w.clients.insert(f.client);
        w.peak = w.peak.max(client_count);
        w.distinct.insert(f.client);
        let attack = matches!(self.phase, Phase::Attack { .. });
        for (i, (counts, &v)) in w.features.iter_mut().zip(&f.values).enumerate() {
            let key = if counts.len() < config.max_feature_values || counts.contains_key(&v) {
                v
            } else {
                OTHER
            };
            let c = counts.entry(key).or_insert(0);
            *c += 1;
            if *c == 1 && self.labels.len() < 4096 && !self.labels.contains_key(&(i, v)) {
                if let Some(label) = f.labels.get(i) {
                    self.labels.insert((i, v), label.chars().take(80).collect());
                }
            }
        }
        if w.sample.len() < config.sample_per_second {
            w.sample.push(f.values);
        }
        let known = self.known.contains(f.client);
        if !attack {
            self.known.insert(f.client);
        }
        // Mitigations, narrowest first.
        if let Some(until) = self.blocked.get_mut(&f.client) {
            if *until > second {
                // Still sending well above the threshold: the block lasts.
                if attack && f64::from(client_count) > 2.0 * config.bad_actor_min_rps.max(1.0) {
                    *until = second + config.block_seconds;
                }
                return DosDecision::Refuse(Refusal::BadActor { client: f.client });
            }
        }
        if attack {
            if f64::from(client_count) > self.bad_actor_threshold(config) {
                if self.blocked.len() < config.max_blocked_clients
                    || self.blocked.contains_key(&f.client)
                {
                    self.blocked.insert(f.client, second + config.block_seconds);
                }
                return DosDecision::Refuse(Refusal::BadActor { client: f.client });
            }
            for sig in &mut self.signatures {
                if sig.parts.iter().all(|(i, v)| f.values.get(*i) == Some(v)) {
                    if sig.used_second != second {
                        sig.used_second = second;
                        sig.used = 0;
                    }
                    sig.used += 1;
                    if f64::from(sig.used) > sig.budget_per_second {
                        return DosDecision::Refuse(Refusal::Signature {
                            id: sig.id,
                            description: sig.description.clone(),
                        });
                    }
                }
            }
            if let Some(capacity) = self.global {
                let served = f64::from(self.window.served);
                let reserve = capacity * config.known_client_reserve;
                if served >= capacity || (!known && served >= capacity - reserve) {
                    return DosDecision::Refuse(Refusal::Global);
                }
            }
        }
        self.window.served += 1;
        if known {
            self.window.served_known += 1;
        }
        DosDecision::Allow
    }

    /// Records an upstream response.
    pub fn observe(&mut self, status: u16, latency_seconds: f64) {
        let w = &mut self.window;
        w.responses = w.responses.saturating_add(1);
        if status >= 500 {
            w.errors = w.errors.saturating_add(1);
        }
        w.latency_sum += latency_seconds;
    }

    pub fn second(&self) -> u64 {
        self.window.second
    }
}
