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
//!
//! Shared limits: with `[shared_limits] redis_url` set, a front end asks
//! [`crate::admission::rate_limit_charges`] which [`Charge`]s a request would
//! make, has a shared store decide them (a fleet then enforces one limit), and
//! hands the outcome back as [`LimitDecisions`]. A limit without a shared
//! decision (the store was unreachable or slow) is decided locally, here.

use crate::custom_rule::Facts;
use crate::request::cookie_pairs;
use crate::scope::{Scope, ScopeInput};
use serde::Deserialize;
use std::cell::Cell;
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

    /// How far ahead of now the theoretical arrival time may run (the burst).
    pub fn tolerance(&self) -> Duration {
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

    /// The limit's rate and burst.
    pub fn quota(&self) -> Quota {
        self.limiter.quota
    }

    /// The charge a request makes against this limit, or `None` when a key part is missing.
    pub fn charge(&self, facts: &Facts<'_>) -> Option<Charge> {
        Some(Charge {
            limit: self.name.clone(),
            key: self.key(facts)?,
            quota: self.limiter.quota,
        })
    }

    /// Like [`RateLimitRule::check`], but takes the shared store's decision
    /// for this limit when `shared` has one (the local limiter is then not charged).
    pub fn decide(
        &self,
        facts: &Facts<'_>,
        now: Duration,
        shared: &LimitDecisions,
    ) -> Option<Decision> {
        let key = self.key(facts)?;
        Some(match shared.take(&self.name) {
            Some(decision) => decision,
            None => self.limiter.check(&key, now),
        })
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

/// One charge a request makes against a rate limit: what a shared store needs
/// to decide it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    /// The `[[rate_limits]]` name.
    pub limit: String,
    /// The client key (parts separated by 0x1f).
    pub key: Vec<u8>,
    pub quota: Quota,
}

/// Decisions a shared store took for one request's charges, in charge order.
/// Admission consumes them in the same order; a charge without a decision
/// (none given, or the store did not answer) is decided by the local limiter.
/// Used by one request on one thread.
#[derive(Debug, Default)]
pub struct LimitDecisions {
    decisions: Vec<(String, Decision)>,
    next: Cell<usize>,
}

impl LimitDecisions {
    /// No shared decisions: every limit is decided locally.
    pub fn local() -> LimitDecisions {
        LimitDecisions::default()
    }

    /// Adds the decision for the next charge (in [`Charge`] order).
    pub fn push(&mut self, limit: &str, decision: Decision) {
        self.decisions.push((limit.to_string(), decision));
    }

    /// Whether any decision was given.
    pub fn is_empty(&self) -> bool {
        self.decisions.is_empty()
    }

    /// The decision for the next charge, if it is for `limit`.
    fn take(&self, limit: &str) -> Option<Decision> {
        let i = self.next.get();
        let (name, decision) = self.decisions.get(i)?;
        if name != limit {
            return None;
        }
        self.next.set(i + 1);
        Some(*decision)
    }
}

/// The `[shared_limits]` policy section: rate limits shared through Redis.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SharedLimitsConfig {
    /// `redis://[[user]:password@]host[:port][/db]`; unset keeps limits local.
    pub redis_url: Option<String>,
    /// Prefix of every Redis key Palisade writes.
    pub key_prefix: String,
    /// Longest wait for Redis per decision before the local limiter decides.
    pub timeout_ms: u64,
    /// Connections kept open to Redis.
    pub connections: usize,
    /// At most one "Redis unavailable" warning per this many seconds.
    pub warn_interval_seconds: u64,
}

impl Default for SharedLimitsConfig {
    fn default() -> Self {
        SharedLimitsConfig {
            redis_url: None,
            key_prefix: "palisade:rl:".to_string(),
            timeout_ms: 10,
            connections: 4,
            warn_interval_seconds: 30,
        }
    }
}

/// Where Redis is, from a `redis://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisEndpoint {
    pub host: String,
    pub port: u16,
    pub db: u32,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl RedisEndpoint {
    /// `host:port`, with IPv6 hosts in brackets.
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Parses `redis://[[user]:password@]host[:port][/db]`.
pub fn parse_redis_url(url: &str) -> Result<RedisEndpoint, String> {
    let rest = url
        .strip_prefix("redis://")
        .ok_or_else(|| format!("`{url}` must start with redis:// (TLS is not supported)"))?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (username, password) = match userinfo {
        None => (None, None),
        Some(u) => match u.split_once(':') {
            Some((user, pass)) => (
                (!user.is_empty()).then(|| user.to_string()),
                Some(pass.to_string()),
            ),
            None => (Some(u.to_string()), None),
        },
    };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (h, after) = v6
            .split_once(']')
            .ok_or_else(|| format!("`{url}`: unclosed [ in the host"))?;
        (h, after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return Err(format!("`{url}` names no host"));
    }
    let port = match port {
        None => 6379,
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("`{url}`: port `{p}` is not 1-65535"))?,
    };
    let db = if path.is_empty() {
        0
    } else {
        path.parse::<u32>()
            .map_err(|_| format!("`{url}`: database `{path}` is not a number"))?
    };
    Ok(RedisEndpoint {
        host: host.to_string(),
        port,
        db,
        username,
        password,
    })
}

impl SharedLimitsConfig {
    /// Problems with the section, each naming its key.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if let Some(url) = &self.redis_url {
            if let Err(e) = parse_redis_url(url) {
                p.push(format!("shared_limits.redis_url: {e}"));
            }
        }
        if !(1..=1000).contains(&self.timeout_ms) {
            p.push("shared_limits.timeout_ms must be 1 to 1000".into());
        }
        if !(1..=64).contains(&self.connections) {
            p.push("shared_limits.connections must be 1 to 64".into());
        }
        if self.key_prefix.len() > 64 {
            p.push("shared_limits.key_prefix must be at most 64 bytes".into());
        }
        if self.warn_interval_seconds == 0 {
            p.push("shared_limits.warn_interval_seconds must be at least 1".into());
        }
        p
    }

    /// The Redis endpoint, when shared limits are on and the URL is valid.
    pub fn endpoint(&self) -> Option<RedisEndpoint> {
        self.redis_url
            .as_deref()
            .and_then(|u| parse_redis_url(u).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_urls() {
        let e = parse_redis_url("redis://127.0.0.1:6390/2").unwrap();
        assert_eq!((e.host.as_str(), e.port, e.db), ("127.0.0.1", 6390, 2));
        assert_eq!(e.address(), "127.0.0.1:6390");
        let e = parse_redis_url("redis://:s3cret@cache").unwrap();
        assert_eq!((e.port, e.db), (6379, 0));
        assert_eq!(e.password.as_deref(), Some("s3cret"));
        assert_eq!(e.username, None);
        let e = parse_redis_url("redis://app:pw@[::1]:7000/1").unwrap();
        assert_eq!(e.address(), "[::1]:7000");
        assert_eq!(e.username.as_deref(), Some("app"));
        for bad in [
            "http://x",
            "redis://",
            "redis://h:0",
            "redis://h:x",
            "redis://h/db",
        ] {
            assert!(parse_redis_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shared_decisions_are_taken_in_order_else_local() {
        let spec: RateLimitSpec = toml::from_str(
            "name = \"a\"\nkey = [\"client_ip\"]\nrequests = 1\nperiod_seconds = 60\n",
        )
        .unwrap();
        let rule = RateLimitRule::compile(&spec).unwrap();
        let head = crate::request::RequestHead::new("GET", b"/").with_header("Host", "h");
        let ip: std::net::IpAddr = "192.0.2.1".parse().unwrap();
        let facts = Facts {
            head: &head,
            host: "h",
            path: b"/",
            client_ip: Some(ip),
            args: &[],
        };
        let charge = rule.charge(&facts).unwrap();
        assert_eq!(charge.limit, "a");
        assert_eq!(charge.key, b"192.0.2.1\x1f");
        // The shared store allows twice: the local limiter (1 per minute) is not charged.
        let mut shared = LimitDecisions::local();
        shared.push("a", Decision::Allowed);
        shared.push("a", Decision::Allowed);
        assert_eq!(
            rule.decide(&facts, secs(1.0), &shared),
            Some(Decision::Allowed)
        );
        assert_eq!(
            rule.decide(&facts, secs(1.0), &shared),
            Some(Decision::Allowed)
        );
        // No decision left: local, which has not been charged yet.
        assert_eq!(
            rule.decide(&facts, secs(1.0), &shared),
            Some(Decision::Allowed)
        );
        assert!(matches!(
            rule.decide(&facts, secs(1.0), &shared),
            Some(Decision::Limited { .. })
        ));
    }

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

    #[test]
    fn shared_limits_policy_keys_are_validated_with_their_line() {
        let text = "[engine]\nmode = \"block\"\n\n[shared_limits]\nredis_url = \"redis://127.0.0.1:6390/1\"\ntimeout_ms = 7\n";
        let policy = crate::Policy::parse("p.toml", text).unwrap();
        assert_eq!(policy.shared_limits.timeout_ms, 7);
        assert_eq!(policy.shared_limits.endpoint().unwrap().port, 6390);
        assert_eq!(policy.shared_limits.key_prefix, "palisade:rl:");
        let bad = "[engine]\nmode = \"block\"\n\n[shared_limits]\nredis_url = \"http://x\"\ntimeout_ms = 0\n";
        let errs = crate::Policy::parse("p.toml", bad).unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs.iter().all(|e| e.line >= 4), "{errs:?}");
        assert!(
            errs[0].message.contains("shared_limits.redis_url"),
            "{errs:?}"
        );
        let unknown =
            crate::Policy::parse("p.toml", "[shared_limits]\nredis = \"x\"\n").unwrap_err();
        assert_eq!(unknown[0].line, 2, "{unknown:?}");
        assert!(crate::Policy::parse("p.toml", "")
            .unwrap()
            .shared_limits
            .endpoint()
            .is_none());
    }
}
