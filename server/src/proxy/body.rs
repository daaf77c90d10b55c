//! Request bodies: read from the client with an idle timeout and a size limit,
//! inspected as they arrive, and sent upstream in one of two modes.
//!
//! - **Buffer** ([`collect`]): chunks are fed to the engine and held until the
//!   verdict is known or the policy's inspection limit is passed. A request
//!   blocked on its body is answered before one byte goes upstream. Past the
//!   limit the engine inspects nothing more, so the verdict on what it saw is
//!   final and the held prefix plus the rest is relayed ([`UpstreamBody::Relay`]).
//!   Memory per request: at most the limit plus one chunk.
//! - **Stream** ([`UpstreamBody::Inspecting`]): each chunk is inspected, then
//!   forwarded; the last chunk is held back until the engine's final verdict,
//!   so a request blocked on its body never reaches the upstream complete (the
//!   upstream sees an aborted request). Memory per request: one chunk.
//!
//! Trailers from the client are dropped. Only the buffered, complete form
//! ([`UpstreamBody::Full`]) can be replayed to a second upstream.

use crate::proxy::error::ProxyError;
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use palisade_engine::{Progress, Transaction, Verdict};
use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::time::Sleep;

/// Why a body stream toward the upstream stopped.
#[derive(Debug, thiserror::Error)]
#[error("request body stopped: {0:?}")]
pub struct BodyStopped(pub ProxyError);

/// The client's body with an idle timeout and a size limit.
pub struct ClientStream {
    incoming: Incoming,
    idle: Duration,
    timer: Pin<Box<Sleep>>,
    seen: u64,
    max: u64,
}

impl ClientStream {
    pub fn new(incoming: Incoming, idle: Duration, max: u64) -> ClientStream {
        ClientStream {
            incoming,
            idle,
            timer: Box::pin(tokio::time::sleep(idle)),
            seen: 0,
            max,
        }
    }

    /// The next data chunk; `None` at the end. Trailers are skipped.
    pub fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, ProxyError>>> {
        loop {
            match Pin::new(&mut self.incoming).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    let Ok(data) = frame.into_data() else {
                        continue;
                    };
                    self.seen = self.seen.saturating_add(data.len() as u64);
                    if self.seen > self.max {
                        return Poll::Ready(Some(Err(ProxyError::BodyTooLarge)));
                    }
                    if let Some(deadline) = tokio::time::Instant::now().checked_add(self.idle) {
                        self.timer.as_mut().reset(deadline);
                    }
                    if data.is_empty() {
                        continue;
                    }
                    return Poll::Ready(Some(Ok(data)));
                }
                Poll::Ready(Some(Err(_))) => return Poll::Ready(Some(Err(ProxyError::BodyFailed))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => {
                    return match self.timer.as_mut().poll(cx) {
                        Poll::Ready(()) => Poll::Ready(Some(Err(ProxyError::BodyTimeout))),
                        Poll::Pending => Poll::Pending,
                    };
                }
            }
        }
    }

    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, ProxyError>> {
        poll_fn(|cx| self.poll_chunk(cx)).await
    }

    pub fn remaining_hint(&self) -> SizeHint {
        self.incoming.size_hint()
    }

    pub fn is_end_stream(&self) -> bool {
        self.incoming.is_end_stream()
    }
}

/// What buffering a body gave.
pub enum Collected {
    /// The whole body, inspected; the verdict is final.
    Complete(VecDeque<Bytes>, Verdict),
    /// The inspection limit was passed: the inspected prefix, the verdict on
    /// it, and the uninspected rest still to relay.
    Overflow(VecDeque<Bytes>, Verdict, ClientStream),
    /// The engine decided (a block) before the end; nothing was forwarded.
    Decided(Verdict),
}

/// Buffer mode: feeds and holds chunks until the verdict is known.
/// `inspection` accumulates the time spent in the engine.
pub async fn collect(
    mut stream: ClientStream,
    mut tx: Transaction,
    limit: u64,
    inspection: &mut Duration,
) -> Result<Collected, ProxyError> {
    let mut held = VecDeque::new();
    let mut held_bytes = 0u64;
    while let Some(chunk) = stream.next_chunk().await {
        let chunk = chunk?;
        held_bytes = held_bytes.saturating_add(chunk.len() as u64);
        let started = Instant::now();
        let progress = tx.feed_body(&chunk);
        *inspection += started.elapsed();
        held.push_back(chunk);
        if progress == Progress::Decided {
            return Ok(Collected::Decided(finish(tx, inspection)));
        }
        if held_bytes > limit {
            return Ok(Collected::Overflow(held, finish(tx, inspection), stream));
        }
    }
    Ok(Collected::Complete(held, finish(tx, inspection)))
}

fn finish(tx: Transaction, inspection: &mut Duration) -> Verdict {
    let started = Instant::now();
    let verdict = tx.finish();
    *inspection += started.elapsed();
    verdict
}

/// What a streamed inspection concluded; read by the handler after the
/// upstream answers (or fails).
#[derive(Default)]
pub struct StreamOutcome {
    pub verdict: Option<Verdict>,
    pub error: Option<ProxyError>,
    pub inspection: Duration,
}

/// Shared between an [`UpstreamBody::Inspecting`] and its handler.
pub type OutcomeSlot = Arc<Mutex<StreamOutcome>>;

/// Stream mode state.
pub struct Inspecting {
    stream: ClientStream,
    tx: Option<Transaction>,
    held: Option<Bytes>,
    slot: OutcomeSlot,
}

impl Inspecting {
    pub fn new(stream: ClientStream, tx: Transaction, slot: OutcomeSlot) -> Inspecting {
        Inspecting {
            stream,
            tx: Some(tx),
            held: None,
            slot,
        }
    }

    fn record(&self, verdict: Option<Verdict>, error: Option<ProxyError>, spent: Duration) {
        if let Ok(mut out) = self.slot.lock() {
            out.inspection += spent;
            if verdict.is_some() {
                out.verdict = verdict;
            }
            if error.is_some() {
                out.error = error;
            }
        }
    }

    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, BodyStopped>>> {
        loop {
            match self.stream.poll_chunk(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Err(e))) => {
                    self.tx = None;
                    self.record(None, Some(e.clone()), Duration::ZERO);
                    return Poll::Ready(Some(Err(BodyStopped(e))));
                }
                Poll::Ready(Some(Ok(chunk))) => {
                    if let Some(tx) = self.tx.as_mut() {
                        let started = Instant::now();
                        let progress = tx.feed_body(&chunk);
                        let spent = started.elapsed();
                        if progress == Progress::Decided {
                            let verdict = self.tx.take().map(Transaction::finish);
                            let refused = verdict.as_ref().map(refusal);
                            self.record(verdict, refused.clone(), spent);
                            let err = refused.unwrap_or(ProxyError::BodyFailed);
                            return Poll::Ready(Some(Err(BodyStopped(err))));
                        }
                        self.record(None, None, spent);
                    }
                    if let Some(previous) = self.held.replace(chunk) {
                        return Poll::Ready(Some(Ok(previous)));
                    }
                }
                Poll::Ready(None) => {
                    if let Some(tx) = self.tx.take() {
                        let started = Instant::now();
                        let verdict = tx.finish();
                        let spent = started.elapsed();
                        if verdict.is_block() {
                            let err = refusal(&verdict);
                            self.record(Some(verdict), Some(err.clone()), spent);
                            self.held = None;
                            return Poll::Ready(Some(Err(BodyStopped(err))));
                        }
                        self.record(Some(verdict), None, spent);
                    }
                    return Poll::Ready(self.held.take().map(Ok));
                }
            }
        }
    }
}

/// The refusal a blocking verdict turns into.
pub fn refusal(verdict: &Verdict) -> ProxyError {
    ProxyError::Refused {
        status: verdict.status,
        retry_after_seconds: verdict.retry_after_seconds,
    }
}

/// The body sent to the upstream.
pub enum UpstreamBody {
    /// A complete, inspected body (empty for none); replayable.
    Full(VecDeque<Bytes>),
    /// An inspected prefix, then the rest of the client's body as it comes.
    Relay(VecDeque<Bytes>, ClientStream),
    /// Stream mode: inspected chunk by chunk.
    Inspecting(Box<Inspecting>),
}

impl UpstreamBody {
    pub fn empty() -> UpstreamBody {
        UpstreamBody::Full(VecDeque::new())
    }

    /// A copy for a retry, if this body can be sent again.
    pub fn replay(&self) -> Option<UpstreamBody> {
        match self {
            UpstreamBody::Full(chunks) => Some(UpstreamBody::Full(chunks.clone())),
            _ => None,
        }
    }
}

impl Body for UpstreamBody {
    type Data = Bytes;
    type Error = BodyStopped;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyStopped>>> {
        let next = match self.get_mut() {
            UpstreamBody::Full(chunks) => Poll::Ready(chunks.pop_front().map(Ok)),
            UpstreamBody::Relay(prefix, stream) => match prefix.pop_front() {
                Some(chunk) => Poll::Ready(Some(Ok(chunk))),
                None => stream
                    .poll_chunk(cx)
                    .map(|c| c.map(|r| r.map_err(BodyStopped))),
            },
            UpstreamBody::Inspecting(state) => state.poll_next(cx),
        };
        next.map(|c| c.map(|r| r.map(Frame::data)))
    }

    fn is_end_stream(&self) -> bool {
        match self {
            UpstreamBody::Full(chunks) => chunks.is_empty(),
            UpstreamBody::Relay(prefix, stream) => prefix.is_empty() && stream.is_end_stream(),
            UpstreamBody::Inspecting(state) => {
                state.held.is_none() && state.tx.is_none() && state.stream.is_end_stream()
            }
        }
    }

    fn size_hint(&self) -> SizeHint {
        let (held, rest): (u64, Option<SizeHint>) = match self {
            UpstreamBody::Full(chunks) => (chunks.iter().map(|c| c.len() as u64).sum(), None),
            UpstreamBody::Relay(prefix, stream) => (
                prefix.iter().map(|c| c.len() as u64).sum(),
                Some(stream.remaining_hint()),
            ),
            UpstreamBody::Inspecting(state) => (
                state.held.as_ref().map_or(0, |c| c.len() as u64),
                Some(state.stream.remaining_hint()),
            ),
        };
        match rest {
            None => SizeHint::with_exact(held),
            Some(hint) => match hint.exact() {
                Some(n) => SizeHint::with_exact(held.saturating_add(n)),
                None => {
                    let mut h = SizeHint::new();
                    h.set_lower(held.saturating_add(hint.lower()));
                    h
                }
            },
        }
    }
}
