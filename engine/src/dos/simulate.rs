//! Virtual-time simulation of traffic against the DoS model: scenarios of
//! legitimate users, attackers (rates, source counts, feature mixes, spoofed
//! addresses) and flash crowds, with an optional upstream whose latency and
//! errors rise past its capacity. Used by `palisade dos simulate` and by the
//! acceptance tests; the same scenario and seed give the same figures.

use super::config::DosConfig;
use super::features::{RequestFeatures, FEATURES};
use super::sketch::hash64;
use super::{DosDecision, DosEvent, DosModel, Refusal};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashSet;
use std::time::Duration;

/// A scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub duration_seconds: u64,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Model settings (the policy's `[dos]` keys); `enabled` is forced on.
    #[serde(default)]
    pub model: DosConfig,
    #[serde(default)]
    pub upstream: Option<Upstream>,
    pub traffic: Vec<Traffic>,
}

fn default_seed() -> u64 {
    1
}

/// A simulated upstream: latency grows and 503s appear past its capacity.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upstream {
    pub capacity_rps: f64,
    #[serde(default = "default_latency")]
    pub base_latency_ms: f64,
}

fn default_latency() -> f64 {
    20.0
}

/// Whose traffic a group is, for the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Legit,
    Attack,
}

/// A group of clients.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Traffic {
    pub name: String,
    pub role: Role,
    pub clients: u32,
    pub rate_per_client: f64,
    #[serde(default)]
    pub start_seconds: u64,
    pub end_seconds: u64,
    /// Client i gets user_agents[i % len].
    #[serde(default = "default_agents")]
    pub user_agents: Vec<String>,
    #[serde(default = "default_paths")]
    pub paths: Vec<String>,
    /// Header-order fingerprint presets, client i gets header_orders[i % len].
    #[serde(default = "default_orders")]
    pub header_orders: Vec<String>,
    /// Share of clients sending cookies.
    #[serde(default = "default_cookie")]
    pub cookies: f64,
    /// Share of clients sending Accept-Language.
    #[serde(default = "default_cookie")]
    pub accept_language: f64,
    /// Every request from a new random address.
    #[serde(default)]
    pub spoof: bool,
    /// Distinguishes groups' addresses.
    #[serde(default)]
    pub address_space: u32,
}

fn default_agents() -> Vec<String> {
    vec![
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36".into(),
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15".into(),
        "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0".into(),
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1".into(),
    ]
}

fn default_paths() -> Vec<String> {
    [
        "/",
        "/products",
        "/products/42",
        "/cart",
        "/search",
        "/account",
        "/static/app.js",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn default_orders() -> Vec<String> {
    vec!["chrome".into(), "safari".into(), "firefox".into()]
}

fn default_cookie() -> f64 {
    0.9
}

/// One second of the timeline.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Second {
    pub second: u64,
    pub legit_sent: u32,
    pub legit_served: u32,
    pub attack_sent: u32,
    pub attack_refused: u32,
    pub attack: bool,
    pub blocked_clients: usize,
    pub signatures: usize,
    pub global_limit: bool,
}

/// The figures a scenario is judged by.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub scenario: String,
    pub requests: u64,
    pub attack_start: Option<u64>,
    pub attack_end: Option<u64>,
    pub detected_at: Option<u64>,
    pub detection_delay_seconds: Option<u64>,
    pub ended_at: Option<u64>,
    /// Seconds from the last attack traffic to the last mitigation (block,
    /// signature or global limit) ending.
    pub mitigation_end_delay_seconds: Option<u64>,
    /// Legit requests served / sent while the attack ran.
    pub legit_served_during_attack: f64,
    /// Attack requests refused / sent from detection to the attack's end.
    pub attack_refused_after_detection: f64,
    /// Distinct legitimate clients refused at least once.
    pub legit_clients_limited: usize,
    pub refusals_bad_actor: u64,
    pub refusals_signature: u64,
    pub refusals_global: u64,
    pub signatures: Vec<String>,
    pub peak_memory_bytes: usize,
    pub events: Vec<DosEvent>,
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn poisson(&mut self, lambda: f64) -> u32 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda > 30.0 {
            // Normal approximation for large rates.
            let u1 = self.unit().max(1e-12);
            let u2 = self.unit();
            let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            return (lambda + z * lambda.sqrt()).round().max(0.0) as u32;
        }
        let limit = (-lambda).exp();
        let mut p = 1.0;
        let mut k = 0;
        loop {
            p *= self.unit();
            if p <= limit {
                return k;
            }
            k += 1;
        }
    }
}

struct Event {
    at: f64,
    group: usize,
    client: u64,
    client_index: u32,
}

fn pick<'a>(list: &'a [String], i: u64, fallback: &'a str) -> &'a str {
    if list.is_empty() {
        return fallback;
    }
    list.get((i % list.len() as u64) as usize)
        .map(String::as_str)
        .unwrap_or(fallback)
}

/// Runs a scenario; `on_second` sees each second of the timeline.
pub fn run(scenario: &Scenario, mut on_second: impl FnMut(&Second)) -> Summary {
    let mut config = scenario.model.clone();
    config.enabled = true;
    let model = DosModel::new(config);
    let mut rng = Rng(scenario.seed.max(1) ^ 0x9e37_79b9_7f4a_7c15);
    let attack_start = scenario
        .traffic
        .iter()
        .filter(|t| t.role == Role::Attack)
        .map(|t| t.start_seconds)
        .min();
    let attack_end = scenario
        .traffic
        .iter()
        .filter(|t| t.role == Role::Attack)
        .map(|t| t.end_seconds)
        .max();
    let mut s = Summary {
        scenario: scenario.name.clone(),
        requests: 0,
        attack_start,
        attack_end,
        detected_at: None,
        detection_delay_seconds: None,
        ended_at: None,
        mitigation_end_delay_seconds: None,
        legit_served_during_attack: 1.0,
        attack_refused_after_detection: 0.0,
        legit_clients_limited: 0,
        refusals_bad_actor: 0,
        refusals_signature: 0,
        refusals_global: 0,
        signatures: Vec::new(),
        peak_memory_bytes: 0,
        events: Vec::new(),
    };
    let (mut legit_sent_attack, mut legit_served_attack) = (0u64, 0u64);
    let (mut attack_sent_detected, mut attack_refused_detected) = (0u64, 0u64);
    let mut limited_legit: HashSet<u64> = HashSet::new();
    let mut last_mitigated: Option<u64> = None;
    let mut served_last_second = 0f64;
    for second in 0..scenario.duration_seconds {
        let mut events = Vec::new();
        for (g, t) in scenario.traffic.iter().enumerate() {
            if second < t.start_seconds || second >= t.end_seconds {
                continue;
            }
            for c in 0..t.clients {
                let n = rng.poisson(t.rate_per_client);
                for _ in 0..n {
                    let client = if t.spoof {
                        rng.next()
                    } else {
                        hash64(&[&t.address_space.to_le_bytes()[..], &c.to_le_bytes()[..]].concat())
                    };
                    events.push(Event {
                        at: second as f64 + rng.unit(),
                        group: g,
                        client,
                        client_index: c,
                    });
                }
            }
        }
        events.sort_by(|a, b| a.at.total_cmp(&b.at));
        let latency = match &scenario.upstream {
            Some(u) => {
                let load = served_last_second / u.capacity_rps.max(1.0);
                u.base_latency_ms / 1000.0 * (1.0 + ((load - 0.8).max(0.0) * 20.0))
            }
            None => 0.02,
        };
        let error_ratio = match &scenario.upstream {
            Some(u) if served_last_second > u.capacity_rps => {
                (served_last_second - u.capacity_rps) / served_last_second
            }
            _ => 0.0,
        };
        let mut row = Second {
            second,
            ..Second::default()
        };
        let mut served = 0u32;
        for e in &events {
            let Some(t) = scenario.traffic.get(e.group) else {
                continue;
            };
            let idx = u64::from(e.client_index);
            let path = pick(&t.paths, rng.next(), "/");
            let ua = pick(&t.user_agents, idx, "");
            let order = pick(&t.header_orders, idx, "");
            let cookie = (hash64(&idx.to_le_bytes()) % 1000) as f64 / 1000.0 < t.cookies;
            let lang =
                (hash64(&(idx ^ 0x55).to_le_bytes()) % 1000) as f64 / 1000.0 < t.accept_language;
            let values: [u64; FEATURES] = [
                hash64(path.as_bytes()),
                hash64(b"GET"),
                hash64(ua.as_bytes()),
                hash64(order.as_bytes()),
                u64::from(cookie),
                u64::from(lang),
                hash64(b"https/1.1"),
            ];
            let features = RequestFeatures {
                site: Cow::Borrowed("sim.example"),
                client: e.client,
                values,
                labels: [
                    Cow::Borrowed(path),
                    Cow::Borrowed("GET"),
                    Cow::Borrowed(ua),
                    Cow::Borrowed(order),
                    Cow::Borrowed(if cookie { "yes" } else { "no" }),
                    Cow::Borrowed(if lang { "yes" } else { "no" }),
                    Cow::Borrowed("https/1.1"),
                ],
            };
            let now = Duration::from_secs_f64(e.at);
            let decision = model.check(&features, now);
            s.requests += 1;
            let in_attack =
                attack_start.is_some_and(|a| second >= a) && attack_end.is_some_and(|b| second < b);
            let detected = s.detected_at.is_some_and(|d| second >= d);
            let allowed = decision == DosDecision::Allow;
            if let DosDecision::Refuse(r) = &decision {
                last_mitigated = Some(second);
                match r {
                    Refusal::BadActor { .. } => s.refusals_bad_actor += 1,
                    Refusal::Signature { description, .. } => {
                        s.refusals_signature += 1;
                        if !s.signatures.contains(description) {
                            s.signatures.push(description.clone());
                        }
                    }
                    Refusal::Global => s.refusals_global += 1,
                }
            }
            match t.role {
                Role::Legit => {
                    row.legit_sent += 1;
                    if allowed {
                        row.legit_served += 1;
                    } else {
                        limited_legit.insert(e.client);
                    }
                    if in_attack {
                        legit_sent_attack += 1;
                        legit_served_attack += u64::from(allowed);
                    }
                }
                Role::Attack => {
                    row.attack_sent += 1;
                    row.attack_refused += u32::from(!allowed);
                    if detected && in_attack {
                        attack_sent_detected += 1;
                        attack_refused_detected += u64::from(!allowed);
                    }
                }
            }
            if allowed {
                served += 1;
                let failed = rng.unit() < error_ratio;
                model.observe_response(
                    "sim.example",
                    if failed { 503 } else { 200 },
                    Duration::from_secs_f64(latency),
                    now,
                );
            }
        }
        served_last_second = f64::from(served);
        model.tick(Duration::from_secs(second + 1));
        for ev in model.drain_events() {
            match &ev {
                DosEvent::AttackStarted { second: at, .. } if s.detected_at.is_none() => {
                    // Detection takes effect from the next second.
                    s.detected_at = Some(at + 1);
                }
                DosEvent::AttackEnded { second: at, .. } => s.ended_at = Some(*at),
                _ => {}
            }
            s.events.push(ev);
        }
        if let Some(status) = model.status("sim.example") {
            row.attack = status.attack.is_some();
            row.blocked_clients = status.blocked_clients;
            row.signatures = status.signatures.len();
            row.global_limit = status.global_limit.is_some();
            if row.blocked_clients > 0 || row.signatures > 0 || row.global_limit {
                last_mitigated = Some(second);
            }
        }
        s.peak_memory_bytes = s.peak_memory_bytes.max(model.memory_bytes());
        on_second(&row);
    }
    s.detection_delay_seconds = match (s.detected_at, attack_start) {
        (Some(d), Some(a)) => Some(d.saturating_sub(a)),
        _ => None,
    };
    s.mitigation_end_delay_seconds = match (last_mitigated, attack_end) {
        (Some(m), Some(e)) => Some((m + 1).saturating_sub(e)),
        _ => None,
    };
    if legit_sent_attack > 0 {
        s.legit_served_during_attack = legit_served_attack as f64 / legit_sent_attack as f64;
    }
    if attack_sent_detected > 0 {
        s.attack_refused_after_detection =
            attack_refused_detected as f64 / attack_sent_detected as f64;
    }
    s.legit_clients_limited = limited_legit.len();
    s
}
