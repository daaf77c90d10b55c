//! The `jsonl` report: one JSON object per line — a request with its verdict
//! (the verdict's fields named as `palisade check` prints them), a notice
//! (`{"notice": kind, ...}`) or a DoS event (`{"dos_event": ...}`).

use super::record::Replayed;
use palisade_engine::dos::DosEvent;
use palisade_engine::Verdict;
use palisade_replay::rfc3339;
use palisade_replay::{Notice, NoticeKind};
use serde::Serialize;
use std::io::Write;
use std::net::SocketAddr;

#[derive(Serialize)]
struct RequestLine<'a> {
    time: String,
    source: &'a str,
    index: u64,
    client: Option<SocketAddr>,
    server: Option<SocketAddr>,
    method: &'a str,
    host: String,
    path: String,
    uri: String,
    /// The paired response's status, when the response was seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    response_status: Option<u16>,
    /// Microseconds from the request to the response's first byte.
    #[serde(skip_serializing_if = "Option::is_none")]
    response_latency_us: Option<i64>,
    incomplete: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    body_truncated: bool,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
    disposition: &'static str,
    #[serde(flatten)]
    verdict: &'a Verdict,
}

#[derive(Serialize)]
struct NoticeLine<'a> {
    notice: NoticeKind,
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    server: Option<SocketAddr>,
    message: &'a str,
}

#[derive(Serialize)]
struct DosLine<'a> {
    dos_event: &'a DosEvent,
    /// The event's second as an RFC 3339 time, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<String>,
}

/// Writes request lines.
pub fn write_request(out: &mut dyn Write, r: &Replayed<'_>) -> std::io::Result<()> {
    let x = r.exchange;
    let line = RequestLine {
        time: rfc3339::format(x.time),
        source: r.source,
        index: x.index,
        client: x.client,
        server: x.server,
        method: &x.head.method,
        host: r.host(),
        path: r.path(),
        uri: r.target(),
        response_status: r.response_status(),
        response_latency_us: x.response.as_ref().map(|resp| resp.time - x.time),
        incomplete: x.incomplete,
        body_truncated: x.body_truncated,
        notes: &x.notes,
        disposition: r.disposition().name(),
        verdict: r.verdict,
    };
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")
}

pub fn write_notice(out: &mut dyn Write, n: &Notice, source: &str) -> std::io::Result<()> {
    let line = NoticeLine {
        notice: n.kind,
        source,
        offset: n.offset,
        client: n.client,
        server: n.server,
        message: &n.message,
    };
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")
}

/// The capture second an event refers to, if it names one.
pub fn event_second(e: &DosEvent) -> Option<u64> {
    match e {
        DosEvent::AttackStarted { second, .. } | DosEvent::AttackEnded { second, .. } => {
            Some(*second)
        }
        DosEvent::GlobalLimit { .. } => None,
    }
}

pub fn write_dos_event(out: &mut dyn Write, e: &DosEvent) -> std::io::Result<()> {
    let line = DosLine {
        dos_event: e,
        time: event_second(e).map(|s| rfc3339::format(s as i64 * 1_000_000)),
    };
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")
}
