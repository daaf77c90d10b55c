//! Behavioural L7 DoS protection: learn each site's normal traffic, detect
//! when traffic is far above it (or the upstream is stressed while traffic is
//! raised), and mitigate narrowest first — bad actors (clients far above the
//! baseline busiest client), then dynamic signatures (feature values much
//! commoner under attack than in the baseline, covering much of the excess),
//! then a global limit at the learned healthy rate that serves clients known
//! before the attack first.
//!
//! Memory is fixed by [`DosConfig`] (sketches and bounded maps), whatever the
//! number of distinct clients. Time comes in as an argument (virtual time for
//! simulations and replay, a monotonic clock live); nothing here reads a clock.

pub mod baseline;
pub mod config;
pub mod features;
pub mod persist;
pub mod simulate;
pub mod site;
pub mod sketch;

pub use config::DosConfig;
pub use features::RequestFeatures;

use site::{Site, SiteStatus};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Why the DoS gate refused a request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Refusal {
    /// The client is far above the baseline per-client rate.
    BadActor { client: u64 },
    /// The request matches an attack signature over its budget.
    Signature { id: u32, description: String },
    /// The global limit is active and the request was not in the served share.
    Global,
}

/// The gate's decision for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DosDecision {
    Allow,
    Refuse(Refusal),
}

/// Something the model wants logged and counted.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum DosEvent {
    AttackStarted {
        site: String,
        id: u64,
        second: u64,
        rps: f64,
        baseline_rps: f64,
    },
    GlobalLimit {
        site: String,
        id: u64,
        rps: f64,
    },
    AttackEnded {
        site: String,
        id: u64,
        second: u64,
    },
}

/// The model for every site. `Send + Sync`; one lock per call.
pub struct DosModel {
    config: DosConfig,
    sites: Mutex<HashMap<String, Site>>,
    events: Mutex<Vec<DosEvent>>,
}

impl DosModel {
    pub fn new(config: DosConfig) -> DosModel {
        DosModel {
            config,
            sites: Mutex::new(HashMap::new()),
            events: Mutex::new(Vec::new()),
        }
    }

    pub fn config(&self) -> &DosConfig {
        &self.config
    }

    fn with_site<R>(&self, site: &str, now: Duration, f: impl FnOnce(&mut Site) -> R) -> Option<R> {
        let second = now.as_secs();
        let mut sites = match self.sites.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        if !sites.contains_key(site) {
            if sites.len() >= self.config.max_sites {
                // Unknown sites beyond the cap share one model.
                return self.with_overflow(&mut sites, second, f);
            }
            sites.insert(site.to_string(), Site::new(&self.config, second));
        }
        let entry = sites.get_mut(site)?;
        let mut events = Vec::new();
        entry.roll(second, &self.config, &mut events, site);
        let result = f(entry);
        drop(sites);
        if !events.is_empty() {
            if let Ok(mut e) = self.events.lock() {
                e.extend(events);
            }
        }
        Some(result)
    }

    fn with_overflow<R>(
        &self,
        sites: &mut HashMap<String, Site>,
        second: u64,
        f: impl FnOnce(&mut Site) -> R,
    ) -> Option<R> {
        let key = "*";
        if !sites.contains_key(key) {
            sites.insert(key.to_string(), Site::new(&self.config, second));
        }
        let entry = sites.get_mut(key)?;
        let mut events = Vec::new();
        entry.roll(second, &self.config, &mut events, key);
        let r = f(entry);
        if let Ok(mut e) = self.events.lock() {
            e.extend(events);
        }
        Some(r)
    }

    /// Counts a request and decides whether it may proceed.
    pub fn check(&self, features: &RequestFeatures<'_>, now: Duration) -> DosDecision {
        if !self.config.enabled {
            return DosDecision::Allow;
        }
        let config = &self.config;
        self.with_site(&features.site, now, |site| site.admit(features, config))
            .unwrap_or(DosDecision::Allow)
    }

    /// Feeds back an upstream response (status and latency) for a site.
    pub fn observe_response(&self, site: &str, status: u16, latency: Duration, now: Duration) {
        if !self.config.enabled {
            return;
        }
        let _ = self.with_site(site, now, |s| s.observe(status, latency.as_secs_f64()));
    }

    /// Advances time with no traffic (closes windows, ends attacks).
    pub fn tick(&self, now: Duration) {
        let second = now.as_secs();
        let mut events = Vec::new();
        if let Ok(mut sites) = self.sites.lock() {
            for (name, site) in sites.iter_mut() {
                site.roll(second, &self.config, &mut events, name);
            }
        }
        if let Ok(mut e) = self.events.lock() {
            e.extend(events);
        }
    }

    /// Takes the events produced since the last call.
    pub fn drain_events(&self) -> Vec<DosEvent> {
        self.events
            .lock()
            .map(|mut e| std::mem::take(&mut *e))
            .unwrap_or_default()
    }

    /// The state of one site.
    pub fn status(&self, site: &str) -> Option<SiteStatus> {
        self.sites.lock().ok()?.get(site).map(Site::status)
    }

    /// Every site's state, by site name (at most `max_sites` + 1).
    pub fn statuses(&self) -> Vec<(String, SiteStatus)> {
        self.sites
            .lock()
            .map(|s| s.iter().map(|(k, v)| (k.clone(), v.status())).collect())
            .unwrap_or_default()
    }

    /// The learned baseline of every site, for saving.
    pub fn snapshot(&self) -> persist::BaselineFile {
        let mut sites: Vec<persist::SiteBaseline> = self
            .sites
            .lock()
            .map(|s| s.iter().map(|(name, site)| site.baseline(name)).collect())
            .unwrap_or_default();
        sites.sort_by(|a, b| a.site.cmp(&b.site));
        persist::BaselineFile::new(sites)
    }

    /// Replaces the sites named in a saved baseline (at most `max_sites`)
    /// with their saved state at time `now`; returns how many were restored.
    pub fn restore(&self, saved: persist::BaselineFile, now: Duration) -> usize {
        let second = now.as_secs();
        let mut sites = match self.sites.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        let mut restored = 0;
        for baseline in saved.sites {
            if !sites.contains_key(&baseline.site) && sites.len() >= self.config.max_sites {
                continue;
            }
            let name = baseline.site.clone();
            sites.insert(name, Site::restored(&self.config, second, baseline));
            restored += 1;
        }
        restored
    }

    /// Approximate bytes held by the model.
    pub fn memory_bytes(&self) -> usize {
        self.sites
            .lock()
            .map(|s| s.values().map(|site| site.memory_bytes(&self.config)).sum())
            .unwrap_or(0)
    }
}
