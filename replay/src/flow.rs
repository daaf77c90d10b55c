//! TCP connections: a table keyed by the 4-tuple (both directions share one
//! entry), with the least recently active connection evicted when the table
//! is full. Each connection reassembles both directions, works out which
//! side is the client (the SYN sender, else the side that sends a request
//! line), tells HTTP from TLS, HTTP/2 and other protocols, and feeds its
//! HTTP session. A new SYN on a closed (or reused) 4-tuple starts a new
//! connection.

use crate::emit::Emitter;
use crate::exchange::{Limits, Micros, NoticeKind};
use crate::http1::Session;
use crate::http_head::{classify, find_request_line, StreamStart};
use crate::ip::{flags, Segment};
use crate::tcp::{Chunk, Reassembler};
use std::collections::HashMap;
use std::net::SocketAddr;

/// Bytes seen on a connection whose client is unknown before it is called
/// "not HTTP".
const MAX_UNDECIDED_BYTES: u64 = 64 * 1024;
const NIL: u32 = u32::MAX;

/// Endpoints in a fixed order; endpoint 0 is the smaller address.
type FlowKey = (SocketAddr, SocketAddr);

#[derive(Debug)]
enum Kind {
    /// No application bytes classified yet.
    Undecided,
    Http(Box<Session>),
    /// TLS, HTTP/2 or another protocol: counted, then ignored.
    Ignored,
    /// Finished; kept so late packets of it are ignored.
    Closed,
}

#[derive(Debug)]
struct Direction {
    reasm: Reassembler,
    /// Stream offset of the FIN, once seen.
    fin_at: Option<u64>,
    ended: bool,
}

impl Direction {
    fn new(limits: &Limits) -> Direction {
        Direction {
            reasm: Reassembler::new(limits.max_stream_buffer),
            fin_at: None,
            ended: false,
        }
    }
}

/// Everything about a connection but its two reassemblers.
#[derive(Debug)]
struct ConnState {
    addrs: [SocketAddr; 2],
    /// Which endpoint is the client.
    client: Option<usize>,
    client_isn: Option<u32>,
    kind: Kind,
    undecided_bytes: u64,
    limits: Limits,
}

#[derive(Debug)]
struct Connection {
    dirs: [Direction; 2],
    state: ConnState,
}

#[derive(Debug)]
struct Slot {
    key: FlowKey,
    conn: Connection,
    /// Less recently active neighbour.
    prev: u32,
    /// More recently active neighbour.
    next: u32,
}

/// The connection table.
#[derive(Debug)]
pub(crate) struct FlowTable {
    map: HashMap<FlowKey, u32>,
    slots: Vec<Slot>,
    free: Vec<u32>,
    /// Least recently active.
    oldest: u32,
    /// Most recently active.
    newest: u32,
    limits: Limits,
}

fn direction_name(from_client: Option<bool>) -> &'static str {
    match from_client {
        Some(true) => "client-to-server",
        Some(false) => "server-to-client",
        None => "TCP",
    }
}

impl ConnState {
    fn new(addrs: [SocketAddr; 2], limits: &Limits) -> ConnState {
        ConnState {
            addrs,
            client: None,
            client_isn: None,
            kind: Kind::Undecided,
            undecided_bytes: 0,
            limits: *limits,
        }
    }

    /// (client, server) when known, else endpoint `from` first.
    fn pair(&self, from: usize) -> (SocketAddr, SocketAddr) {
        let c = self.client.unwrap_or(from);
        (self.addrs[c & 1], self.addrs[(c + 1) & 1])
    }

    fn sent_by_client(&self, d: usize) -> Option<bool> {
        self.client.map(|c| c == d)
    }

    /// Starts HTTP parsing with endpoint `client` as the client and feeds it
    /// the first bytes, sent by endpoint `from`.
    fn start_http(
        &mut self,
        client: usize,
        from: usize,
        bytes: &[u8],
        time: Micros,
        em: &mut Emitter<'_>,
    ) {
        self.client = Some(client);
        let mut session = Session::new(
            Some(self.addrs[client & 1]),
            Some(self.addrs[(client + 1) & 1]),
            &self.limits,
        );
        if from == client {
            session.client_data(bytes, time, em);
        } else {
            session.server_data(bytes, time, em);
        }
        self.kind = Kind::Http(Box::new(session));
    }

    fn ignore(&mut self, kind: NoticeKind, from: usize, message: String, em: &mut Emitter<'_>) {
        em.notice(kind, None, Some(self.pair(from)), message);
        self.kind = Kind::Ignored;
    }

    /// In-order bytes (or a gap) of direction `d`.
    fn deliver(&mut self, d: usize, chunk: Chunk<'_>, time: Micros, em: &mut Emitter<'_>) {
        match chunk {
            Chunk::Gap(len) => {
                if matches!(self.kind, Kind::Ignored | Kind::Closed) {
                    return;
                }
                let name = direction_name(self.sent_by_client(d));
                em.notice(
                    NoticeKind::MissingSegment,
                    None,
                    Some(self.pair(d)),
                    format!("{len} bytes missing from the {name} stream"),
                );
                let from_client = self.sent_by_client(d);
                if let Kind::Http(session) = &mut self.kind {
                    if from_client == Some(true) {
                        session.client_gap(len, em);
                    } else {
                        session.server_gap(len, em);
                    }
                }
            }
            Chunk::Data(bytes) => match &mut self.kind {
                Kind::Http(session) => {
                    if self.client == Some(d) {
                        session.client_data(bytes, time, em);
                    } else {
                        session.server_data(bytes, time, em);
                    }
                }
                Kind::Undecided => self.decide(d, bytes, time, em),
                Kind::Ignored | Kind::Closed => {}
            },
        }
    }

    /// First application bytes: which protocol, which side is the client.
    fn decide(&mut self, d: usize, bytes: &[u8], time: Micros, em: &mut Emitter<'_>) {
        let other = (d + 1) & 1;
        match classify(bytes) {
            StreamStart::Tls => self.ignore(
                NoticeKind::TlsSkipped,
                self.client.unwrap_or(d),
                "TLS connection skipped".into(),
                em,
            ),
            StreamStart::Http2Preface => self.ignore(
                NoticeKind::Http2Skipped,
                self.client.unwrap_or(d),
                "HTTP/2 (prior knowledge) connection skipped".into(),
                em,
            ),
            StreamStart::Request if self.client.is_none_or(|c| c == d) => {
                self.start_http(d, d, bytes, time, em);
            }
            StreamStart::Response if self.client.is_none_or(|c| c == other) => {
                self.start_http(other, d, bytes, time, em);
            }
            StreamStart::Unknown if self.client == Some(d) => {
                self.start_http(d, d, bytes, time, em);
            }
            _ if self.client.is_some() => self.ignore(
                NoticeKind::NotHttp,
                d,
                "TCP connection is not HTTP".into(),
                em,
            ),
            _ => {
                // Picked up mid-stream: wait for a request line.
                if let Some(pos) = find_request_line(bytes) {
                    let rest = bytes.get(pos..).unwrap_or_default();
                    self.start_http(d, d, rest, time, em);
                    return;
                }
                self.undecided_bytes += bytes.len() as u64;
                if self.undecided_bytes > MAX_UNDECIDED_BYTES {
                    self.ignore(
                        NoticeKind::NotHttp,
                        d,
                        "TCP connection (picked up mid-stream) is not HTTP".into(),
                        em,
                    );
                }
            }
        }
    }

    fn end_direction(&mut self, d: usize, em: &mut Emitter<'_>) {
        let from_client = self.sent_by_client(d);
        if let Kind::Http(session) = &mut self.kind {
            if from_client == Some(true) {
                session.client_end(em);
            } else {
                session.server_end(em);
            }
        }
    }

    fn finish(&mut self, em: &mut Emitter<'_>) {
        match &mut self.kind {
            Kind::Http(session) => session.finish(em),
            Kind::Undecided if self.undecided_bytes > 0 => {
                em.notice(
                    NoticeKind::NotHttp,
                    None,
                    Some(self.pair(0)),
                    "TCP connection (picked up mid-stream) is not HTTP".into(),
                );
            }
            _ => {}
        }
        self.kind = Kind::Closed;
    }
}

impl Connection {
    fn new(addrs: [SocketAddr; 2], limits: &Limits) -> Connection {
        Connection {
            dirs: [Direction::new(limits), Direction::new(limits)],
            state: ConnState::new(addrs, limits),
        }
    }

    fn is_closed(&self) -> bool {
        matches!(self.state.kind, Kind::Closed)
    }

    fn has_data(&self) -> bool {
        self.dirs
            .iter()
            .any(|d| d.reasm.delivered() > 0 || d.reasm.pending_bytes() > 0)
    }

    /// Ends the connection: buffered bytes are delivered (holes as gaps),
    /// both directions end and everything held is emitted.
    fn close(&mut self, time: Micros, em: &mut Emitter<'_>) {
        if self.is_closed() {
            return;
        }
        for d in 0..2 {
            let state = &mut self.state;
            if let Some(dir) = self.dirs.get_mut(d) {
                dir.reasm.flush(&mut |c| state.deliver(d, c, time, em));
                if !dir.ended {
                    dir.ended = true;
                    state.end_direction(d, em);
                }
            }
        }
        self.state.finish(em);
        // Drop the buffers; a closed connection only remembers it was there.
        let limits = self.state.limits;
        self.dirs = [Direction::new(&limits), Direction::new(&limits)];
    }

    fn segment(&mut self, from: usize, seg: &Segment<'_>, time: Micros, em: &mut Emitter<'_>) {
        let other = (from + 1) & 1;
        let state = &mut self.state;
        if seg.flags & flags::ACK != 0 && matches!(state.kind, Kind::Http(_)) {
            if let Some(dir) = self.dirs.get_mut(other) {
                let mut deliver = |c: Chunk<'_>| state.deliver(other, c, time, em);
                match dir.fin_at {
                    // The peer acknowledged the FIN: whatever is missing
                    // before it is not coming.
                    Some(fin) if dir.reasm.offset_of(seg.ack) > fin => {
                        dir.reasm.give_up_until(fin, &mut deliver);
                    }
                    _ => dir.reasm.acknowledged(seg.ack, &mut deliver),
                }
            }
        }
        let Some(dir) = self.dirs.get_mut(from) else {
            return;
        };
        if !seg.payload.is_empty() && !matches!(state.kind, Kind::Ignored) {
            let outcome = dir.reasm.segment(seg.seq, seg.payload, &mut |c| {
                state.deliver(from, c, time, em)
            });
            if outcome.conflict {
                let name = direction_name(state.sent_by_client(from));
                let at = outcome.conflict_offset;
                em.notice(
                    NoticeKind::OverlapEvasion,
                    None,
                    Some(state.pair(from)),
                    format!(
                        "overlapping TCP segments carry different bytes at offset {at} of the {name} stream (first copy kept)"
                    ),
                );
                if let Kind::Http(session) = &mut state.kind {
                    session.note(format!(
                        "overlapping TCP segments with different bytes at {name} stream offset {at} (first copy kept)"
                    ));
                }
            }
        }
        if seg.flags & flags::FIN != 0 {
            if !dir.reasm.is_started() {
                dir.reasm.start_at(seg.seq);
            }
            let fin_at = dir.reasm.offset_of(seg.seq) + seg.payload.len() as u64;
            dir.fin_at.get_or_insert(fin_at);
        }
        for d in 0..2 {
            if let Some(dir) = self.dirs.get_mut(d) {
                if !dir.ended && dir.fin_at.is_some_and(|f| dir.reasm.delivered() >= f) {
                    dir.ended = true;
                    self.state.end_direction(d, em);
                }
            }
        }
        if seg.flags & flags::RST != 0 || self.dirs.iter().all(|d| d.ended) {
            self.close(time, em);
        }
    }
}

impl FlowTable {
    pub(crate) fn new(limits: &Limits) -> FlowTable {
        FlowTable {
            map: HashMap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            oldest: NIL,
            newest: NIL,
            limits: *limits,
        }
    }

    /// Connections tracked (closed ones included until evicted).
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    fn slot(&mut self, i: u32) -> Option<&mut Slot> {
        self.slots.get_mut(i as usize)
    }

    fn unlink(&mut self, i: u32) {
        let (prev, next) = match self.slot(i) {
            Some(s) => (s.prev, s.next),
            None => return,
        };
        match self.slot(prev) {
            Some(p) => p.next = next,
            None => self.oldest = next,
        }
        match self.slot(next) {
            Some(n) => n.prev = prev,
            None => self.newest = prev,
        }
    }

    fn push_newest(&mut self, i: u32) {
        let newest = self.newest;
        if let Some(s) = self.slot(i) {
            s.prev = newest;
            s.next = NIL;
        }
        match self.slot(newest) {
            Some(n) => n.next = i,
            None => self.oldest = i,
        }
        self.newest = i;
    }

    fn touch(&mut self, i: u32) {
        if self.newest != i {
            self.unlink(i);
            self.push_newest(i);
        }
    }

    /// Removes the least recently active connection, closing it.
    fn evict_oldest(&mut self, time: Micros, em: &mut Emitter<'_>) {
        let i = self.oldest;
        self.unlink(i);
        let Some(slot) = self.slots.get_mut(i as usize) else {
            return;
        };
        if !slot.conn.is_closed() {
            let (client, server) = slot.conn.state.pair(0);
            em.notice(
                NoticeKind::Evicted,
                None,
                Some((client, server)),
                format!(
                    "connection evicted: more than {} connections open at once",
                    self.limits.max_connections
                ),
            );
            slot.conn.close(time, em);
        }
        let key = slot.key;
        self.map.remove(&key);
        self.free.push(i);
    }

    fn insert(&mut self, key: FlowKey, time: Micros, em: &mut Emitter<'_>) -> Option<u32> {
        while self.map.len() >= self.limits.max_connections.max(1) && self.oldest != NIL {
            self.evict_oldest(time, em);
        }
        let conn = Connection::new([key.0, key.1], &self.limits);
        let slot = Slot {
            key,
            conn,
            prev: NIL,
            next: NIL,
        };
        let i = match self.free.pop() {
            Some(i) => {
                *self.slots.get_mut(i as usize)? = slot;
                i
            }
            None => {
                let i = u32::try_from(self.slots.len()).ok().filter(|&i| i != NIL)?;
                self.slots.push(slot);
                i
            }
        };
        self.map.insert(key, i);
        self.push_newest(i);
        Some(i)
    }

    /// Takes one TCP segment.
    pub(crate) fn segment(&mut self, seg: &Segment<'_>, time: Micros, em: &mut Emitter<'_>) {
        let (key, from) = if seg.src <= seg.dst {
            ((seg.src, seg.dst), 0)
        } else {
            ((seg.dst, seg.src), 1)
        };
        let syn = seg.flags & flags::SYN != 0;
        let ack = seg.flags & flags::ACK != 0;
        let index = match self.map.get(&key) {
            Some(&i) => {
                self.touch(i);
                i
            }
            None if syn || !seg.payload.is_empty() => match self.insert(key, time, em) {
                Some(i) => i,
                None => return,
            },
            None => return,
        };
        let limits = self.limits;
        let Some(slot) = self.slots.get_mut(index as usize) else {
            return;
        };
        let conn = &mut slot.conn;
        if syn && !ack {
            let same_isn =
                conn.state.client_isn == Some(seg.seq) && conn.state.client == Some(from);
            if same_isn && !conn.is_closed() {
                return; // retransmitted SYN
            }
            if conn.is_closed() || conn.has_data() || conn.state.client_isn.is_some() {
                conn.close(time, em);
                *conn = Connection::new([key.0, key.1], &limits);
            }
            conn.state.client = Some(from);
            conn.state.client_isn = Some(seg.seq);
            if let Some(dir) = conn.dirs.get_mut(from) {
                dir.reasm.start_syn(seg.seq);
            }
            return;
        }
        if conn.is_closed() {
            return;
        }
        if syn {
            if let Some(dir) = conn.dirs.get_mut(from) {
                if !dir.reasm.is_started() {
                    dir.reasm.start_syn(seg.seq);
                }
            }
            if conn.state.client.is_none() {
                conn.state.client = Some((from + 1) & 1);
            }
            return;
        }
        conn.segment(from, seg, time, em);
    }

    /// End of input: every connection is closed, oldest first.
    pub(crate) fn finish(&mut self, time: Micros, em: &mut Emitter<'_>) {
        let mut i = self.oldest;
        while let Some(slot) = self.slots.get_mut(i as usize) {
            slot.conn.close(time, em);
            i = slot.next;
        }
        self.map.clear();
        self.slots.clear();
        self.free.clear();
        self.oldest = NIL;
        self.newest = NIL;
    }
}
