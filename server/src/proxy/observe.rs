//! What the proxy reports about each exchange: the hook the DoS model (and
//! anything else) plugs into, and the proxy's own metrics.
//!
//! Contract: every request that got a response — from the upstream or from the
//! proxy — is reported exactly once to each [`ExchangeObserver`], after the
//! response head is known, with the verdict (when inspection ran), the status
//! sent, and the latencies. Observers run on the request path: they must be
//! quick and must not block.

use crate::runtime::telemetry;
use palisade_engine::Verdict;
use std::net::IpAddr;
use std::time::Duration;

/// Responses sent, by `class` (`2xx` .. `5xx`) and `source` (`upstream` | `proxy`).
pub const RESPONSES: &str = "palisade_proxy_responses_total";
/// Time from the request head to the response head, as the client sees it.
pub const REQUEST_SECONDS: &str = "palisade_proxy_request_seconds";
/// Client connections open now.
pub const CONNECTIONS: &str = "palisade_proxy_connections";
/// Requests answered by the proxy itself, by `kind` and `fault`.
pub const REFUSALS: &str = "palisade_proxy_refusals_total";
/// Upstreams ejected by passive health checks, by `upstream`.
pub const EJECTIONS: &str = "palisade_upstream_ejections_total";
/// Audit records dropped because the writer fell behind.
pub const AUDIT_DROPPED: &str = "palisade_audit_dropped_total";

/// One finished exchange.
pub struct Exchange<'a> {
    pub request_id: &'a str,
    /// The client address (the peer, or the forwarded client behind a trusted proxy).
    pub client: Option<IpAddr>,
    pub method: &'a str,
    /// The verdict, when the engine decided (absent for framing refusals).
    pub verdict: Option<&'a Verdict>,
    /// Status sent to the client.
    pub status: u16,
    /// Whether the status came from the upstream.
    pub from_upstream: bool,
    /// Request head to response head.
    pub latency: Duration,
    /// Request sent to upstream response head, when the upstream was asked.
    pub upstream_latency: Option<Duration>,
    /// Time spent in the engine.
    pub inspection: Duration,
}

/// Receives each finished exchange (for the behavioural DoS model: request
/// rate, error ratio and upstream latency per route and client).
pub trait ExchangeObserver: Send + Sync {
    fn observe(&self, exchange: &Exchange<'_>);
}

fn class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// Records the proxy metrics for an exchange.
pub fn record(exchange: &Exchange<'_>) {
    let source = if exchange.from_upstream {
        "upstream"
    } else {
        "proxy"
    };
    telemetry::count(
        RESPONSES,
        &[("class", class(exchange.status)), ("source", source)],
    );
    telemetry::record_seconds(REQUEST_SECONDS, exchange.latency);
}

pub fn refusal(kind: &'static str, fault: &'static str) {
    telemetry::count(REFUSALS, &[("kind", kind), ("fault", fault)]);
}

pub fn connection_opened() {
    metrics::gauge!(CONNECTIONS).increment(1.0);
}

pub fn connection_closed() {
    metrics::gauge!(CONNECTIONS).decrement(1.0);
}

pub fn upstream_ejected(upstream: &str) {
    metrics::counter!(EJECTIONS, "upstream" => upstream.to_string()).increment(1);
}

pub fn audit_dropped() {
    metrics::counter!(AUDIT_DROPPED).increment(1);
}
