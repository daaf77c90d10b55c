//! Shared rate limits: the policy's `[[rate_limits]]` enforced by Redis, so a
//! fleet of Palisade instances enforces one limit (`[shared_limits]` in the
//! policy, docs/dos.md).
//!
//! The engine stays synchronous and free of network I/O: before
//! `Inspector::begin_with_limits`, a front end calls [`SharedLimits::decide`],
//! which asks the engine which charges the request makes
//! (`admission::rate_limit_charges`), has Redis decide them in one atomic
//! script ([`gcra`]) over a pooled connection ([`client`], [`conn`], [`resp`]),
//! and returns the decisions for the engine to apply — a refusal becomes the
//! same 429 with `Retry-After`, metrics and audit fields as a local one.
//!
//! When Redis is unreachable or slower than `timeout_ms`, the decision falls
//! back to the local limiter, `palisade_shared_limits_fallback_total` counts
//! it, a warning is logged at most once per `warn_interval_seconds`, and the
//! background task reconnects. No error reaches a client.

pub mod client;
pub mod conn;
pub mod gcra;
pub mod resp;

use crate::runtime::telemetry;
use arc_swap::ArcSwapOption;
use client::RedisLimiter;
use palisade_engine::admission::rate_limit_charges;
use palisade_engine::ratelimit::{Decision, LimitDecisions, SharedLimitsConfig};
use palisade_engine::{Policy, RequestHead};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Decisions that fell back to the local limiter, by `reason`
/// (`unavailable` | `timeout` | `error`).
pub const FALLBACK: &str = "palisade_shared_limits_fallback_total";
/// 1 while at least one connection to Redis is open, else 0.
pub const UP: &str = "palisade_shared_limits_up";
/// Requests decided by Redis, by `result` (`allowed` | `limited`).
pub const DECISIONS: &str = "palisade_shared_limits_decisions_total";
/// Time to get Redis's decision for one request.
pub const SECONDS: &str = "palisade_shared_limits_seconds";

pub(crate) fn record_up(up: bool) {
    metrics::gauge!(UP).set(if up { 1.0 } else { 0.0 });
}

/// The pool serving one `[shared_limits]` configuration.
struct Current {
    config: SharedLimitsConfig,
    limiter: Arc<RedisLimiter>,
}

/// The shared limiter of one process, following the serving policy's
/// `[shared_limits]` (a reload that changes it opens a new pool; the old
/// one closes when its last request is done).
#[derive(Default)]
pub struct SharedLimits {
    current: ArcSwapOption<Current>,
    /// Serialises replacing the pool.
    change: Mutex<()>,
    /// The runtime the pool's connections live on: the one this was made on,
    /// whichever thread later asks for a limiter.
    runtime: Option<tokio::runtime::Handle>,
}

impl SharedLimits {
    pub fn new() -> SharedLimits {
        SharedLimits {
            runtime: tokio::runtime::Handle::try_current().ok(),
            ..SharedLimits::default()
        }
    }

    /// The limiter for `config`, started on first use; `None` when shared
    /// limits are off. Must be called inside a tokio runtime. Lock-free
    /// unless the configuration changed.
    fn limiter(&self, config: &SharedLimitsConfig) -> Option<Arc<RedisLimiter>> {
        if let Some(c) = self.current.load().as_ref() {
            if c.config == *config {
                return Some(Arc::clone(&c.limiter));
            }
        }
        let _changing = match self.change.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let Some(endpoint) = config.endpoint() else {
            if self.current.swap(None).is_some() {
                record_up(false);
            }
            return None;
        };
        if let Some(c) = self.current.load().as_ref() {
            if c.config == *config {
                return Some(Arc::clone(&c.limiter));
            }
        }
        let limiter = RedisLimiter::start(config, endpoint, self.runtime.as_ref());
        self.current.store(Some(Arc::new(Current {
            config: config.clone(),
            limiter: Arc::clone(&limiter),
        })));
        Some(limiter)
    }

    /// Starts the connection pool for `policy` now (so the first requests
    /// find Redis connected) when shared limits are on.
    pub fn prepare(&self, policy: &Policy) {
        let _ = self.limiter(&policy.shared_limits);
    }

    /// The shared decisions for `head`'s rate-limit charges: empty (every
    /// limit decided locally) when shared limits are off, the request charges
    /// nothing, or Redis could not decide in time.
    pub async fn decide(&self, policy: &Policy, head: &RequestHead) -> LimitDecisions {
        let mut out = LimitDecisions::local();
        if policy.shared_limits.redis_url.is_none() || policy.rate_limits.is_empty() {
            return out;
        }
        let charges = rate_limit_charges(policy, head);
        if charges.is_empty() {
            return out;
        }
        let Some(limiter) = self.limiter(&policy.shared_limits) else {
            return out;
        };
        let started = Instant::now();
        match limiter.decide(&charges).await {
            Ok(decisions) => {
                telemetry::record_seconds(SECONDS, started.elapsed());
                let limited = decisions
                    .iter()
                    .any(|(_, d)| matches!(d, Decision::Limited { .. }));
                let result = if limited { "limited" } else { "allowed" };
                telemetry::count(DECISIONS, &[("result", result)]);
                for (limit, decision) in decisions {
                    out.push(&limit, decision);
                }
            }
            Err(why) => {
                metrics::counter!(FALLBACK, "reason" => why.as_str()).increment(1);
                limiter.warn(why);
            }
        }
        out
    }
}
