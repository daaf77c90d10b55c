//! Static rate limits: GCRA (generic cell rate algorithm) per key, in a map of
//! bounded size, driven by time the caller passes in (no clock is read here).
//!
//! GCRA keeps one number per key, the theoretical arrival time (TAT). A request
//! at time `now` conforms when `TAT - burst_tolerance <= now`; it then moves TAT
//! to `max(TAT, now) + interval`. A refused request is told how long to wait
//! (`Retry-After`). Keys are spread over shards, each holding at most
//! `max_keys / SHARDS` entries; when a shard is full, the entry whose TAT lies
//! furthest in the past (the most idle) is evicted, which can only forgive a
//! client, never punish one.

use crate::custom_rule::Facts;
use crate::request::cookie_pairs;
use crate::scope::{Scope, ScopeInput};
use serde::Deserialize;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::time::Duration;

const SHARDS: usize = 16;

/// A limit: `requests` per `period`, with `burst` requests allowed at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Time between two conforming requests at the sustained rate.
    pub interval: Duration,
    /// Requests allowed back to back before the rate applies (at least 1).
    pub burst: u32,
}

impl Quota {
    /// `requests` per `period` with a burst. `None` when `requests` is 0 or `period` is zero.
    pub fn new(requests: u32, period: Duration, burst: u32) -> Option<Quota> {
        if requests == 0 || period.is_zero() {
            return None;
        }
        Some(Quota {
            interval: period / requests,
            burst: burst.max(1),
        })
    }

    fn tolerance(&self) -> Duration {
        self.interval.saturating_mul(self.burst.saturating_sub(1))
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// Refused; retry after this long.
    Limited {
        retry_after: Duration,
    },
}

/// A keyed GCRA limiter with bounded memory. `Send + Sync`.
pub struct KeyedLimiter {
    quota: Quota,
    max_keys: usize,
    per_shard: usize,
    shards: Vec<Mutex<HashMap<Vec<u8>, Duration>>>,
    hasher: std::collections::hash_map::RandomState,
}

impl KeyedLimiter {
    /// A limiter that remembers at most `max_keys` keys (at least one per shard).
    pub fn new(quota: Quota, max_keys: usize) -> KeyedLimiter {
        KeyedLimiter {
            quota,
            max_keys,
            per_shard: (max_keys / SHARDS).max(1),
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            hasher: std::collections::hash_map::RandomState::new(),
        }
    }

    pub fn quota(&self) -> Quota {
        self.quota
    }

    /// Checks (and on success records) one request for `key` at time `now`
    /// (any monotonic origin, the same for every call).
    pub fn check(&self, key: &[u8], now: Duration) -> Decision {
        let index = (self.hasher.hash_one(key) as usize) % SHARDS;
        let Some(shard) = self.shards.get(index) else {
            return Decision::Allowed;
        };
        let mut map = match shard.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        let tolerance = self.quota.tolerance();
        let tat = map.get(key).copied().unwrap_or(now);
        let earliest = tat.saturating_sub(tolerance);
        if now < earliest {
            return Decision::Limited {
                retry_after: earliest - now,
            };
        }
        let next = tat.max(now) + self.quota.interval;
        if !map.contains_key(key) && map.len() >= self.per_shard {
            // Entries whose TAT has passed are indistinguishable from new keys.
            map.retain(|_, t| *t > now);
            if map.len() >= self.per_shard {
                if let Some(idle) = map.iter().min_by_key(|(_, t)| **t).map(|(k, _)| k.clone()) {
                    map.remove(&idle);
                }
            }
        }
        map.insert(key.to_vec(), next);
        Decision::Allowed
    }

    /// Keys currently remembered.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().map(|m| m.len()).unwrap_or(0))
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A `[[rate_limits]]` entry as written.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSpec {
    /// Name, used by custom rules (`action = "rate_limit"`) and in findings.
    pub name: String,
    /// What identifies a client: any of `client_ip`, `header:NAME`, `cookie:NAME`,
    /// `path`, `host`, `method`. A request missing a key part is not limited by this entry.
    pub key: Vec<String>,
    /// Requests allowed per period, sustained.
    pub requests: u32,
    #[serde(default = "one")]
    pub period_seconds: u64,
    /// Requests allowed back to back (default: `requests`).
    #[serde(default)]
    pub burst: Option<u32>,
    /// Most keys remembered (bounded memory).
    #[serde(default = "default_max_keys")]
    pub max_keys: usize,
    /// Applies to every request in scope unless `only_from_rules` is set.
    #[serde(default)]
    pub only_from_rules: bool,
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub path_prefix: Option<String>,
    #[serde(default)]
    pub path_glob: Option<String>,
    #[serde(default)]
    pub methods: Vec<String>,
}

fn one() -> u64 {
    1
}

fn default_max_keys() -> usize {
    100_000
}

/// One part of a rate-limit key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyPart {
    ClientIp,
    Header(String),
    Cookie(String),
    Path,
    Host,
    Method,
}

/// Why a rate limit is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateLimitError {
    #[error("requests and period_seconds must be at least 1")]
    Quota,
    #[error("key is empty")]
    EmptyKey,
    #[error(
        "unknown key part `{0}` (expected client_ip, header:NAME, cookie:NAME, path, host, method)"
    )]
    KeyPart(String),
    #[error(transparent)]
    Scope(#[from] crate::scope::ScopeError),
}

/// A compiled rate limit with its own limiter state.
pub struct RateLimitRule {
    pub name: String,
    parts: Vec<KeyPart>,
    scope: Scope,
    pub only_from_rules: bool,
    limiter: KeyedLimiter,
}

impl RateLimitRule {
    /// Validates and compiles an entry.
    pub fn compile(spec: &RateLimitSpec) -> Result<RateLimitRule, RateLimitError> {
        let quota = Quota::new(
            spec.requests,
            Duration::from_secs(spec.period_seconds),
            spec.burst.unwrap_or(spec.requests),
        )
        .ok_or(RateLimitError::Quota)?;
        if spec.key.is_empty() {
            return Err(RateLimitError::EmptyKey);
        }
        let parts = spec
            .key
            .iter()
            .map(|k| match k.split_once(':') {
                None if k == "client_ip" => Ok(KeyPart::ClientIp),
                None if k == "path" => Ok(KeyPart::Path),
                None if k == "host" => Ok(KeyPart::Host),
                None if k == "method" => Ok(KeyPart::Method),
                Some(("header", n)) if !n.is_empty() => Ok(KeyPart::Header(n.to_ascii_lowercase())),
                Some(("cookie", n)) if !n.is_empty() => Ok(KeyPart::Cookie(n.to_string())),
                _ => Err(RateLimitError::KeyPart(k.clone())),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let scope = Scope::compile(&crate::scope::scope_spec_of!(spec))?;
        Ok(RateLimitRule {
            name: spec.name.clone(),
            parts,
            scope,
            only_from_rules: spec.only_from_rules,
            limiter: KeyedLimiter::new(quota, spec.max_keys),
        })
    }

    /// The same limit with no remembered keys.
    pub fn fresh(&self) -> RateLimitRule {
        RateLimitRule {
            name: self.name.clone(),
            parts: self.parts.clone(),
            scope: self.scope.clone(),
            only_from_rules: self.only_from_rules,
            limiter: KeyedLimiter::new(self.limiter.quota, self.limiter.max_keys),
        }
    }

    pub fn in_scope(&self, input: &ScopeInput<'_>) -> bool {
        self.scope.matches(input)
    }

    /// The key for a request, or `None` when a part is missing.
    pub fn key(&self, facts: &Facts<'_>) -> Option<Vec<u8>> {
        let mut key = Vec::new();
        for part in &self.parts {
            let value: Vec<u8> = match part {
                KeyPart::ClientIp => facts.client_ip?.to_string().into_bytes(),
                KeyPart::Path => facts.path.to_vec(),
                KeyPart::Host => facts.host.as_bytes().to_vec(),
                KeyPart::Method => facts.head.method.as_bytes().to_vec(),
                KeyPart::Header(n) => facts.head.header(n)?.to_vec(),
                KeyPart::Cookie(n) => facts
                    .head
                    .header_values("cookie")
                    .flat_map(cookie_pairs)
                    .find(|(name, _)| *name == n.as_bytes())
                    .map(|(_, v)| v.to_vec())?,
            };
            key.extend_from_slice(&value);
            key.push(0x1f);
        }
        Some(key)
    }

    /// Checks one request at time `now`.
    pub fn check(&self, facts: &Facts<'_>, now: Duration) -> Option<Decision> {
        let key = self.key(facts)?;
        Some(self.limiter.check(&key, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn burst_then_rate() {
        let q = Quota::new(2, Duration::from_secs(1), 3).unwrap();
        let l = KeyedLimiter::new(q, 100);
        for _ in 0..3 {
            assert_eq!(l.check(b"k", secs(10.0)), Decision::Allowed);
        }
        match l.check(b"k", secs(10.0)) {
            Decision::Limited { retry_after } => {
                assert!(retry_after <= secs(0.5) && !retry_after.is_zero())
            }
            d => panic!("{d:?}"),
        }
        assert_eq!(l.check(b"k", secs(10.5)), Decision::Allowed);
        assert_eq!(l.check(b"other", secs(10.5)), Decision::Allowed);
    }

    #[test]
    fn memory_is_bounded() {
        let q = Quota::new(1, Duration::from_secs(1), 1).unwrap();
        let l = KeyedLimiter::new(q, 160);
        for i in 0..10_000u32 {
            let _ = l.check(&i.to_be_bytes(), secs(f64::from(i)));
        }
        assert!(l.len() <= 160, "{}", l.len());
    }
}
