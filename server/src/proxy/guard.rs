//! The HTTP/1 framing guard: sees the raw bytes of each request head before
//! hyper parses them and flags request-smuggling shapes that hyper accepts or
//! silently repairs.
//!
//! hyper's parser already refuses some shapes (a non-final or unknown
//! `Transfer-Encoding`, conflicting `Content-Length` values, obs-fold), but it
//! accepts bare LF line ends, accepts repeated identical `Content-Length`
//! headers, and answers `Content-Length` + `Transfer-Encoding` by dropping the
//! length. The proxy re-frames every request it forwards, so none of these can
//! desynchronise the upstream; still, a request that carries them is an attack
//! or a broken client, and it is refused with 400 and the connection closed.
//!
//! Contract: [`Guarded`] wraps a connection's byte stream and follows its
//! HTTP/1 framing (head, then `Content-Length` bytes or chunks) to find each
//! head; for every head it queues one entry, `Some(shape)` or `None`, which the
//! request handler takes in order ([`GuardState::take`]). Anything the guard
//! does not understand (HTTP/2 preface, an upgraded tunnel, malformed chunking,
//! an over-long head) switches it to pass-through: then hyper's own checks are
//! all that apply. The guard never changes a byte.

use crate::proxy::error::Smuggling;
use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Heads queued but not yet taken before the guard gives up (deep pipelining).
const MAX_QUEUED: usize = 64;

/// What the guard learned, shared with the connection's request handler.
#[derive(Default)]
pub struct GuardState {
    flags: Mutex<VecDeque<Option<Smuggling>>>,
    passthrough: AtomicBool,
}

impl GuardState {
    /// The entry for the next request on this connection.
    pub fn take(&self) -> Option<Smuggling> {
        if self.passthrough.load(Ordering::Relaxed) {
            return None;
        }
        self.flags
            .lock()
            .ok()
            .and_then(|mut q| q.pop_front())
            .flatten()
    }

    /// Stops inspecting (HTTP/2, or the connection became a tunnel).
    pub fn stop(&self) {
        self.passthrough.store(true, Ordering::Relaxed);
    }

    fn push(&self, flag: Option<Smuggling>) -> bool {
        match self.flags.lock() {
            Ok(mut q) if q.len() < MAX_QUEUED => {
                q.push_back(flag);
                true
            }
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    Size { value: u64, digits: u8, ext: bool },
    SizeLf { value: u64 },
    Data(u64),
    DataCr,
    DataLf,
    Trailer(usize),
    TrailerLf(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Head,
    Body(u64),
    Chunked(Chunk),
    Pass,
}

/// The framing tracker (no I/O; fed the bytes hyper reads).
pub struct Tracker {
    phase: Phase,
    head: Vec<u8>,
    max_head: usize,
}

/// What a complete head says about framing.
enum Framing {
    None,
    Length(u64),
    Chunked,
    /// Stop tracking (CONNECT, refused head).
    Pass,
}

fn analyse(head: &[u8]) -> (Option<Smuggling>, Framing) {
    let mut flag = None;
    for (i, &b) in head.iter().enumerate() {
        if b == b'\n' && (i == 0 || head.get(i - 1) != Some(&b'\r')) {
            flag = Some(Smuggling::BareLf);
        }
    }
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let request_line = lines.next().unwrap_or_default();
    let connect = request_line.starts_with(b"CONNECT ");
    let (mut lengths, mut encodings) = (Vec::new(), Vec::new());
    for line in lines {
        if line.is_empty() {
            continue;
        }
        if line.first().is_some_and(|&b| b == b' ' || b == b'\t') {
            flag = flag.or(Some(Smuggling::ObsFold));
            continue;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = line.get(..colon).unwrap_or_default();
        let value = line.get(colon + 1..).unwrap_or_default().trim_ascii();
        if name.eq_ignore_ascii_case(b"content-length") {
            lengths.push(value);
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            encodings.push(value);
        }
    }
    if !lengths.is_empty() && !encodings.is_empty() {
        flag = flag.or(Some(Smuggling::ContentLengthAndTransferEncoding));
    } else if lengths.len() > 1 {
        flag = flag.or(Some(Smuggling::DuplicateContentLength));
    }
    let length = match lengths.first() {
        Some(v) if !v.is_empty() && v.len() <= 18 && v.iter().all(u8::is_ascii_digit) => {
            std::str::from_utf8(v)
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
        }
        Some(_) => {
            flag = flag.or(Some(Smuggling::InvalidContentLength));
            None
        }
        None => None,
    };
    let chunked = match encodings.as_slice() {
        [] => false,
        [one] if one.eq_ignore_ascii_case(b"chunked") => true,
        _ => {
            flag = flag.or(Some(Smuggling::InvalidTransferEncoding));
            false
        }
    };
    let framing = if flag.is_some() || connect {
        Framing::Pass
    } else if chunked {
        Framing::Chunked
    } else {
        match length {
            Some(n) if n > 0 => Framing::Length(n),
            _ => Framing::None,
        }
    };
    (flag, framing)
}

impl Tracker {
    pub fn new(max_head: usize) -> Tracker {
        Tracker {
            phase: Phase::Head,
            head: Vec::new(),
            max_head,
        }
    }

    /// Follows `data`; queues an entry in `state` for each complete head.
    pub fn feed(&mut self, mut data: &[u8], state: &GuardState) {
        while !data.is_empty() {
            match self.phase {
                Phase::Pass => return,
                Phase::Head => data = self.feed_head(data, state),
                Phase::Body(n) => {
                    let take = (data.len() as u64).min(n);
                    data = data.get(take as usize..).unwrap_or_default();
                    self.phase = if n == take {
                        Phase::Head
                    } else {
                        Phase::Body(n - take)
                    };
                }
                Phase::Chunked(c) => data = self.feed_chunked(c, data),
            }
        }
    }

    fn feed_head<'d>(&mut self, data: &'d [u8], state: &GuardState) -> &'d [u8] {
        // A line at a time (memchr for its end), with the same outcome as
        // following the head byte by byte (`tests::feed_head_bytewise`).
        let mut rest = data;
        loop {
            // Blank lines before a request line are skipped (as hyper does).
            if self.head.is_empty() {
                let blank = rest
                    .iter()
                    .position(|&b| b != b'\r' && b != b'\n')
                    .unwrap_or(rest.len());
                rest = rest.get(blank..).unwrap_or_default();
            }
            if rest.is_empty() {
                return &[];
            }
            let Some(lf) = memchr::memchr(b'\n', rest) else {
                // No line end yet: kept, while the head stays under the limit.
                if self.head.len() + rest.len() > self.max_head {
                    self.phase = Phase::Pass;
                } else {
                    self.head.extend_from_slice(rest);
                }
                return &[];
            };
            // A byte of the line before its LF would pass the limit.
            if self.head.len() + lf > self.max_head {
                self.phase = Phase::Pass;
                return &[];
            }
            let (line, after) = rest.split_at_checked(lf + 1).unwrap_or((rest, &[]));
            self.head.extend_from_slice(line);
            rest = after;
            let n = self.head.len();
            let ended = self.head.get(n.wrapping_sub(2)) == Some(&b'\n')
                || (self.head.get(n.wrapping_sub(2)) == Some(&b'\r')
                    && self.head.get(n.wrapping_sub(3)) == Some(&b'\n'));
            if ended {
                return if self.head_ended(state) { rest } else { &[] };
            }
            if n > self.max_head {
                self.phase = Phase::Pass;
                return &[];
            }
        }
    }

    /// A whole head is in `head`: queues its entry and moves on to its
    /// body. `false` when the guard switched to pass-through instead.
    fn head_ended(&mut self, state: &GuardState) -> bool {
        if self.head.starts_with(b"PRI * HTTP/2.0") {
            state.stop();
            self.phase = Phase::Pass;
            return false;
        }
        let (flag, framing) = analyse(&self.head);
        self.head.clear();
        if !state.push(flag) {
            self.phase = Phase::Pass;
            return false;
        }
        self.phase = match framing {
            Framing::None => Phase::Head,
            Framing::Length(n) => Phase::Body(n),
            Framing::Chunked => Phase::Chunked(Chunk::Size {
                value: 0,
                digits: 0,
                ext: false,
            }),
            Framing::Pass => Phase::Pass,
        };
        true
    }

    fn feed_chunked<'d>(&mut self, state: Chunk, data: &'d [u8]) -> &'d [u8] {
        if let Chunk::Data(n) = state {
            let take = (data.len() as u64).min(n);
            self.phase = Phase::Chunked(if n == take {
                Chunk::DataCr
            } else {
                Chunk::Data(n - take)
            });
            return data.get(take as usize..).unwrap_or_default();
        }
        let Some((&b, rest)) = data.split_first() else {
            return data;
        };
        let next = match state {
            Chunk::Size { value, digits, ext } => match b {
                b'\r' if digits > 0 => Some(Chunk::SizeLf { value }),
                _ if ext => Some(state),
                b';' if digits > 0 => Some(Chunk::Size {
                    value,
                    digits,
                    ext: true,
                }),
                _ => (b as char)
                    .to_digit(16)
                    .filter(|_| digits < 15)
                    .map(|d| Chunk::Size {
                        value: value * 16 + u64::from(d),
                        digits: digits + 1,
                        ext,
                    }),
            },
            Chunk::SizeLf { value } => match (b, value) {
                (b'\n', 0) => Some(Chunk::Trailer(0)),
                (b'\n', n) => Some(Chunk::Data(n)),
                _ => None,
            },
            Chunk::DataCr => (b == b'\r').then_some(Chunk::DataLf),
            Chunk::DataLf => (b == b'\n').then_some(Chunk::Size {
                value: 0,
                digits: 0,
                ext: false,
            }),
            Chunk::Trailer(len) => match b {
                b'\r' => Some(Chunk::TrailerLf(len)),
                b'\n' => None,
                _ => Some(Chunk::Trailer(len + 1)),
            },
            Chunk::TrailerLf(len) => match (b, len) {
                (b'\n', 0) => {
                    self.phase = Phase::Head;
                    return rest;
                }
                (b'\n', _) => Some(Chunk::Trailer(0)),
                _ => None,
            },
            Chunk::Data(_) => Some(state),
        };
        self.phase = next.map_or(Phase::Pass, Phase::Chunked);
        rest
    }
}

/// A byte stream whose reads pass through a [`Tracker`].
pub struct Guarded<S> {
    inner: S,
    tracker: Tracker,
    state: std::sync::Arc<GuardState>,
}

impl<S> Guarded<S> {
    pub fn new(inner: S, state: std::sync::Arc<GuardState>, max_head: usize) -> Guarded<S> {
        Guarded {
            inner,
            tracker: Tracker::new(max_head),
            state,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            if this.state.passthrough.load(Ordering::Relaxed) {
                this.tracker.phase = Phase::Pass;
            }
            if this.tracker.phase != Phase::Pass {
                let fresh = buf.filled().get(before..).unwrap_or_default();
                this.tracker.feed(fresh, &this.state);
            }
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(bytes: &[u8], split: usize) -> Vec<Option<Smuggling>> {
        let state = GuardState::default();
        let mut t = Tracker::new(64 * 1024);
        for piece in bytes.chunks(split.max(1)) {
            t.feed(piece, &state);
        }
        let mut out = Vec::new();
        while let Some(f) = state.flags.lock().unwrap().pop_front() {
            out.push(f);
        }
        out
    }

    /// The head phase byte by byte, as the guard first followed it (what to
    /// do with a whole head is shared): the reference [`Tracker::feed_head`]
    /// must agree with.
    fn feed_head_bytewise<'d>(t: &mut Tracker, data: &'d [u8], state: &GuardState) -> &'d [u8] {
        for (i, &b) in data.iter().enumerate() {
            if t.head.is_empty() && (b == b'\r' || b == b'\n') {
                continue;
            }
            t.head.push(b);
            let n = t.head.len();
            let ended = b == b'\n'
                && (t.head.get(n.wrapping_sub(2)) == Some(&b'\n')
                    || (t.head.get(n.wrapping_sub(2)) == Some(&b'\r')
                        && t.head.get(n.wrapping_sub(3)) == Some(&b'\n')));
            if ended {
                return if t.head_ended(state) {
                    data.get(i + 1..).unwrap_or_default()
                } else {
                    &[]
                };
            }
            if n > t.max_head {
                t.phase = Phase::Pass;
                return &[];
            }
        }
        &[]
    }

    /// Follows `pieces` with the line-at-a-time head phase or the reference:
    /// the flags queued, the final phase, and the head bytes held.
    fn follow(
        pieces: &[&[u8]],
        max_head: usize,
        bytewise: bool,
    ) -> (Vec<Option<Smuggling>>, Phase, Vec<u8>) {
        let state = GuardState::default();
        let mut t = Tracker::new(max_head);
        for piece in pieces {
            if !bytewise {
                t.feed(piece, &state);
                continue;
            }
            // `feed` with the reference head phase.
            let mut data: &[u8] = piece;
            while !data.is_empty() {
                data = match t.phase {
                    Phase::Pass => break,
                    Phase::Head => feed_head_bytewise(&mut t, data, &state),
                    Phase::Body(n) => {
                        let take = (data.len() as u64).min(n);
                        t.phase = if n == take {
                            Phase::Head
                        } else {
                            Phase::Body(n - take)
                        };
                        data.get(take as usize..).unwrap_or_default()
                    }
                    Phase::Chunked(c) => t.feed_chunked(c, data),
                };
            }
        }
        let mut flags = Vec::new();
        while let Some(f) = state.flags.lock().unwrap().pop_front() {
            flags.push(f);
        }
        let held = if t.phase == Phase::Pass {
            Vec::new()
        } else {
            t.head.clone()
        };
        (flags, t.phase, held)
    }

    #[test]
    fn head_by_lines_agrees_with_head_by_bytes() {
        let heads: [&[u8]; 9] = [
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
            b"\r\n\n\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET / HTTP/1.1\nHost: x\n\n",
            b"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n",
            b"GET / HTTP/1.1\r\nX-Long: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n",
            b"GET / HTTP/1.1\r\n\r\n\r\n\r\nGET /b HTTP/1.1\r\n\n",
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut compared = 0;
        for _ in 0..400 {
            // Two to four heads in a row, cut at random places; limits
            // around the heads' lengths.
            let mut stream = Vec::new();
            for _ in 0..2 + next() % 3 {
                stream.extend_from_slice(heads[(next() % heads.len() as u64) as usize]);
            }
            let max_head = 16 + (next() % 80) as usize;
            let mut pieces = Vec::new();
            let mut rest: &[u8] = &stream;
            while !rest.is_empty() {
                let cut = (1 + next() % 24).min(rest.len() as u64) as usize;
                let (piece, tail) = rest.split_at(cut);
                pieces.push(piece);
                rest = tail;
            }
            assert_eq!(
                follow(&pieces, max_head, false),
                follow(&pieces, max_head, true),
                "max_head {max_head}, pieces {pieces:?}"
            );
            compared += 1;
        }
        assert_eq!(compared, 400);
    }

    #[test]
    fn follows_keep_alive_framing_in_any_split() {
        let stream = b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello\
POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n0\r\nT: 1\r\n\r\n\
GET /c HTTP/1.1\r\nHost: x\r\n\r\n";
        for split in [1, 2, 3, 7, 64, 4096] {
            assert_eq!(run(stream, split), vec![None, None, None], "split {split}");
        }
    }

    #[test]
    fn flags_each_shape() {
        let cases: [(&[u8], Smuggling); 6] = [
            (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", Smuggling::ContentLengthAndTransferEncoding),
            (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", Smuggling::DuplicateContentLength),
            (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc", Smuggling::InvalidContentLength),
            (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", Smuggling::InvalidTransferEncoding),
            (b"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n", Smuggling::ObsFold),
            (b"GET / HTTP/1.1\nHost: x\r\n\r\n", Smuggling::BareLf),
        ];
        for (bytes, shape) in cases {
            assert_eq!(
                run(bytes, 5),
                vec![Some(shape)],
                "{}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn h2_preface_passes_through() {
        let state = GuardState::default();
        let mut t = Tracker::new(1024);
        t.feed(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\n\n\n", &state);
        assert_eq!(t.phase, Phase::Pass);
        assert_eq!(state.take(), None);
        assert!(state.flags.lock().unwrap().is_empty());
    }
}
