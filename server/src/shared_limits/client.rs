//! The shared limiter's link to Redis: a small pool of connections, each
//! used by one request at a time, and a background task that (re)connects,
//! loads the script and probes Redis once a second.
//!
//! The request path never connects and never waits longer than the policy's
//! `timeout_ms`: a request that finds no open connection, or whose exchange
//! fails or times out, gets `None` (the engine's local limiter then decides),
//! and the connection it held is dropped (a cancelled exchange may leave a
//! reply in flight). The background task notices the empty slot and
//! reconnects.

use crate::shared_limits::conn::{Conn, RedisError};
use crate::shared_limits::gcra;
use crate::shared_limits::resp::Reply;
use palisade_engine::ratelimit::{Charge, Decision, RedisEndpoint, SharedLimitsConfig};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex as AsyncMutex, Notify};

/// Longest wait for a connection to open (background task only).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// How often the background task probes and reconnects.
const PROBE_EVERY: Duration = Duration::from_millis(500);

/// Why a decision fell back to the local limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// No open connection.
    Unavailable,
    /// Redis did not answer within `timeout_ms`.
    Timeout,
    /// The exchange failed or Redis answered something unexpected.
    Error,
}

impl Fallback {
    pub fn as_str(self) -> &'static str {
        match self {
            Fallback::Unavailable => "unavailable",
            Fallback::Timeout => "timeout",
            Fallback::Error => "error",
        }
    }
}

/// A pool of Redis connections for one `[shared_limits]` configuration.
pub struct RedisLimiter {
    endpoint: RedisEndpoint,
    prefix: String,
    timeout: Duration,
    slots: Vec<AsyncMutex<Option<Conn>>>,
    next: AtomicUsize,
    sha: Mutex<Option<String>>,
    up: AtomicBool,
    wake: Notify,
    warn_every: Duration,
    last_warning: Mutex<Option<Instant>>,
}

impl RedisLimiter {
    /// A limiter for `config` (whose URL must be valid), with its background
    /// task started on `runtime` (default: the current one). The task ends when
    /// the limiter is dropped.
    pub fn start(
        config: &SharedLimitsConfig,
        endpoint: RedisEndpoint,
        runtime: Option<&tokio::runtime::Handle>,
    ) -> Arc<RedisLimiter> {
        let limiter = Arc::new(RedisLimiter {
            endpoint,
            prefix: config.key_prefix.clone(),
            timeout: Duration::from_millis(config.timeout_ms.max(1)),
            slots: (0..config.connections.max(1))
                .map(|_| AsyncMutex::new(None))
                .collect(),
            next: AtomicUsize::new(0),
            sha: Mutex::new(None),
            up: AtomicBool::new(false),
            wake: Notify::new(),
            warn_every: Duration::from_secs(config.warn_interval_seconds.max(1)),
            last_warning: Mutex::new(None),
        });
        let maintaining = maintain(Arc::downgrade(&limiter));
        match runtime {
            Some(handle) => drop(handle.spawn(maintaining)),
            None => drop(tokio::spawn(maintaining)),
        }
        limiter
    }

    /// Whether at least one connection is open.
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    /// Decides `charges` in Redis: the decisions in charge order, or why not.
    pub async fn decide(&self, charges: &[Charge]) -> Result<Vec<(String, Decision)>, Fallback> {
        match tokio::time::timeout(self.timeout, self.exchange(charges)).await {
            Ok(Ok(d)) => Ok(d),
            Ok(Err(f)) => Err(f),
            Err(_) => Err(Fallback::Timeout),
        }
    }

    async fn exchange(&self, charges: &[Charge]) -> Result<Vec<(String, Decision)>, Fallback> {
        let n = self.slots.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        // An idle open connection if there is one, else wait for one in turn.
        let mut guard = None;
        for i in 0..n {
            if let Some(slot) = self.slots.get((start + i) % n) {
                if let Ok(g) = slot.try_lock() {
                    if g.is_some() {
                        guard = Some(g);
                        break;
                    }
                }
            }
        }
        let mut guard = match guard {
            Some(g) => g,
            None => match self.slots.get(start % n) {
                Some(slot) => slot.lock().await,
                None => return Err(Fallback::Unavailable),
            },
        };
        // Taken out while in use: if this future is dropped mid-exchange, the
        // connection goes with it, and `lease` wakes the reconnecting task.
        let Some(mut conn) = guard.take() else {
            self.wake.notify_one();
            return Err(Fallback::Unavailable);
        };
        let mut lease = Lease {
            wake: &self.wake,
            returned: false,
        };
        let args = gcra::arguments(&self.prefix, charges);
        let sha = self.sha.lock().ok().and_then(|s| s.clone());
        let mut reply = match &sha {
            Some(sha) => call(&mut conn, b"EVALSHA", sha.as_bytes(), &args).await,
            None => Ok(Reply::Error("NOSCRIPT not loaded yet".into())),
        };
        if matches!(&reply, Ok(Reply::Error(e)) if e.starts_with("NOSCRIPT")) {
            reply = call(&mut conn, b"EVAL", gcra::SCRIPT.as_bytes(), &args).await;
        }
        match reply {
            Ok(r) => {
                *guard = Some(conn);
                lease.returned = true;
                gcra::decisions(charges, &r).ok_or_else(|| {
                    tracing::debug!(reply = ?r, "unexpected reply from the shared-limit script");
                    Fallback::Error
                })
            }
            Err(e) => {
                tracing::debug!(error = %e, "shared-limit exchange failed; connection dropped");
                Err(Fallback::Error)
            }
        }
    }

    /// Logs that Redis could not decide, at most once per `warn_interval_seconds`.
    pub fn warn(&self, why: Fallback) {
        let Ok(mut last) = self.last_warning.lock() else {
            return;
        };
        let now = Instant::now();
        if last.is_some_and(|t| now.duration_since(t) < self.warn_every) {
            return;
        }
        *last = Some(now);
        tracing::warn!(
            redis = %self.endpoint.address(),
            reason = why.as_str(),
            "shared rate limits: Redis did not decide; local limits apply until it is back"
        );
    }
}

/// A connection out of its slot: unless given back, its end (an error, or
/// the request's timeout dropping the exchange) wakes the background task to
/// open a new one at once.
struct Lease<'a> {
    wake: &'a Notify,
    returned: bool,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if !self.returned {
            self.wake.notify_one();
        }
    }
}

async fn call(
    conn: &mut Conn,
    verb: &[u8],
    script: &[u8],
    args: &[Vec<u8>],
) -> Result<Reply, RedisError> {
    let mut parts: Vec<&[u8]> = Vec::with_capacity(args.len() + 2);
    parts.push(verb);
    parts.push(script);
    parts.extend(args.iter().map(Vec::as_slice));
    conn.call(&parts).await
}

/// Opens a connection and loads the script; returns its SHA1.
async fn open(endpoint: &RedisEndpoint) -> Result<(Conn, String), RedisError> {
    let mut conn = Conn::connect(endpoint, CONNECT_TIMEOUT).await?;
    let command: [&[u8]; 3] = [b"SCRIPT", b"LOAD", gcra::SCRIPT.as_bytes()];
    let load = conn.call(&command);
    let reply = tokio::time::timeout(CONNECT_TIMEOUT, load)
        .await
        .map_err(|_| RedisError::ConnectTimeout)??;
    match reply {
        Reply::Bulk(Some(sha)) => Ok((conn, String::from_utf8_lossy(&sha).into_owned())),
        Reply::Error(e) => Err(RedisError::Server(e)),
        other => Err(RedisError::Unexpected(other)),
    }
}

/// The background task: fills empty slots, probes an idle connection, keeps
/// `up` and the `palisade_shared_limits_up` gauge current.
async fn maintain(limiter: Weak<RedisLimiter>) {
    let mut was_up: Option<bool> = None;
    loop {
        let Some(l) = limiter.upgrade() else {
            return;
        };
        let mut open_slots = 0;
        for slot in &l.slots {
            let Ok(mut guard) = slot.try_lock() else {
                // In use by a request: it is open.
                open_slots += 1;
                continue;
            };
            if let Some(conn) = guard.as_mut() {
                let probe = tokio::time::timeout(CONNECT_TIMEOUT, conn.call(&[b"PING"])).await;
                if matches!(probe, Ok(Ok(Reply::Simple(_)))) {
                    open_slots += 1;
                } else {
                    *guard = None;
                }
                continue;
            }
            match open(&l.endpoint).await {
                Ok((conn, sha)) => {
                    if let Ok(mut s) = l.sha.lock() {
                        *s = Some(sha);
                    }
                    *guard = Some(conn);
                    open_slots += 1;
                }
                Err(e) => {
                    tracing::debug!(error = %e, "shared rate limits: connecting to Redis");
                    // Redis is down: do not try the other slots this round.
                    break;
                }
            }
        }
        let up = open_slots > 0;
        l.up.store(up, Ordering::Relaxed);
        crate::shared_limits::record_up(up);
        if was_up != Some(up) {
            if up {
                tracing::info!(redis = %l.endpoint.address(), "shared rate limits: connected to Redis");
            } else if was_up.is_some() {
                tracing::warn!(redis = %l.endpoint.address(), "shared rate limits: Redis unreachable; local limits apply");
            }
            was_up = Some(up);
        }
        // Holding `l` this long only delays its drop by one round.
        let _ = tokio::time::timeout(PROBE_EVERY, l.wake.notified()).await;
    }
}
