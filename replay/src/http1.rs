//! HTTP/1.x over one reassembled connection: the client stream is parsed
//! into requests (heads with httparse; Content-Length and chunked bodies,
//! pipelined keep-alive), the server stream into response heads and body
//! framing (Content-Length, chunked, until close; none for 1xx, 204, 304 and
//! HEAD), and responses pair with requests in order. An exchange is emitted
//! once its request is read and its response head seen, or when the
//! connection ends. Gaps keep framing when the body length is known and
//! otherwise resynchronise on the next request (or status) line.

use crate::chunked::ChunkDecoder;
use crate::emit::Emitter;
use crate::exchange::{Exchange, Limits, Micros, NoticeKind, ResponseInfo};
use crate::http_head::{
    both_lengths, find_request_line, find_status_line, parse_request, parse_response,
    request_framing, trim_leading_newlines, Framing, HeadParse, ResponseHead,
};
use palisade_engine::request::RequestHead;
use std::collections::VecDeque;
use std::net::SocketAddr;

/// Requests waiting for their responses before the oldest is emitted without.
const MAX_QUEUED_REQUESTS: usize = 64;
/// Notes kept per exchange.
const MAX_NOTES: usize = 16;

/// Parser state of one stream direction.
#[derive(Debug)]
enum State {
    /// Between messages.
    Idle,
    /// Collecting a message head.
    Head,
    /// Reading a body of known length, this many bytes left.
    Body(u64),
    Chunked(ChunkDecoder),
    /// Response body delimited by the end of the connection.
    UntilClose,
    /// Bytes were lost where the framing cannot be followed: look for the
    /// next message start.
    Lost,
    /// Not parsed any further.
    Dead,
}

/// One stream direction's parser.
#[derive(Debug)]
struct Side {
    state: State,
    head_buf: Vec<u8>,
    head_time: Micros,
}

impl Side {
    fn new() -> Side {
        Side {
            state: State::Idle,
            head_buf: Vec::new(),
            head_time: 0,
        }
    }
}

/// A request read (or being read) and what is known of its response.
#[derive(Debug)]
struct Pending {
    exchange: Exchange,
    request_done: bool,
    response_seen: bool,
    is_head: bool,
    is_connect: bool,
}

/// Per-connection HTTP/1.x state: both parsers and the requests waiting for
/// their responses.
#[derive(Debug)]
pub(crate) struct Session {
    client: Option<SocketAddr>,
    server: Option<SocketAddr>,
    limits: Limits,
    req: Side,
    resp: Side,
    queue: VecDeque<Pending>,
    /// Responses still to come for requests emitted without theirs.
    responses_to_skip: usize,
    /// Notes for the next request when none is in progress.
    carry_notes: Vec<String>,
    requests_seen: u64,
}

impl Session {
    pub(crate) fn new(
        client: Option<SocketAddr>,
        server: Option<SocketAddr>,
        limits: &Limits,
    ) -> Session {
        Session {
            client,
            server,
            limits: *limits,
            req: Side::new(),
            resp: Side::new(),
            queue: VecDeque::new(),
            responses_to_skip: 0,
            carry_notes: Vec::new(),
            requests_seen: 0,
        }
    }

    /// Requests whose heads were read on this connection.
    pub(crate) fn requests_seen(&self) -> u64 {
        self.requests_seen
    }

    fn conn(&self) -> Option<(SocketAddr, SocketAddr)> {
        self.client.zip(self.server)
    }

    fn head_cap(&self) -> usize {
        self.limits.max_stream_buffer.max(1024)
    }

    /// Attaches a remark to the request in progress (or the newest one).
    pub(crate) fn note(&mut self, text: String) {
        match self.queue.back_mut() {
            Some(p) => push_note(&mut p.exchange, text),
            None if self.carry_notes.len() < MAX_NOTES => self.carry_notes.push(text),
            None => {}
        }
    }

    // ----- client -> server -------------------------------------------------

    /// Bytes of the client stream, in order.
    pub(crate) fn client_data(&mut self, mut data: &[u8], time: Micros, em: &mut Emitter<'_>) {
        let mut stalls = 0;
        while !data.is_empty() {
            let used = match &mut self.req.state {
                State::Idle => {
                    let rest = trim_leading_newlines(data);
                    if !rest.is_empty() {
                        self.req.state = State::Head;
                        self.req.head_time = time;
                    }
                    data.len() - rest.len()
                }
                State::Head => self.request_head(data, em),
                State::Body(left) => {
                    let take = usize::try_from(*left).unwrap_or(usize::MAX).min(data.len());
                    *left -= take as u64;
                    let done = *left == 0;
                    if let Some(p) = self.queue.back_mut() {
                        append_body(
                            &mut p.exchange,
                            data.get(..take).unwrap_or_default(),
                            self.limits.max_body,
                        );
                    }
                    if done {
                        self.request_finished(State::Idle);
                    }
                    take
                }
                State::Chunked(decoder) => {
                    let max_body = self.limits.max_body;
                    let exchange = self.queue.back_mut().map(|p| &mut p.exchange);
                    let mut sink = exchange;
                    let result = decoder.feed(data, &mut |d| {
                        if let Some(ex) = sink.as_deref_mut() {
                            append_body(ex, d, max_body);
                        }
                    });
                    match result {
                        Ok(used) => {
                            if decoder.is_done() {
                                self.request_finished(State::Idle);
                            }
                            used
                        }
                        Err(e) => {
                            self.bad_request(format!("chunked request body: {e}"), em);
                            data.len()
                        }
                    }
                }
                State::Lost => match find_request_line(data) {
                    Some(pos) => {
                        self.req.state = State::Head;
                        self.req.head_time = time;
                        pos
                    }
                    None => data.len(),
                },
                State::UntilClose | State::Dead => data.len(),
            };
            stalls = if used == 0 { stalls + 1 } else { 0 };
            if stalls > 2 {
                break;
            }
            data = data.get(used.min(data.len())..).unwrap_or_default();
        }
        self.emit_ready(em);
    }

    /// Bytes missing from the client stream.
    pub(crate) fn client_gap(&mut self, len: u64, em: &mut Emitter<'_>) {
        let note = format!("{len} bytes missing from the request stream");
        match &mut self.req.state {
            State::Body(left) => {
                let left_now = *left;
                self.mark_current(note);
                if len < left_now {
                    self.req.state = State::Body(left_now - len);
                } else {
                    let next = if len > left_now {
                        State::Lost
                    } else {
                        State::Idle
                    };
                    self.request_finished(next);
                }
            }
            State::Chunked(decoder) => {
                if len <= decoder.data_remaining() {
                    decoder.skip_data(len);
                    self.mark_current(note);
                } else {
                    self.mark_current(note);
                    self.request_finished(State::Lost);
                }
            }
            State::Head => {
                self.salvage_request_head(em);
                self.mark_current(note);
                if matches!(self.req.state, State::Body(_) | State::Chunked(_)) {
                    self.request_finished(State::Lost);
                }
                self.req.state = State::Lost;
            }
            State::Idle => self.req.state = State::Lost,
            State::Lost | State::UntilClose | State::Dead => {}
        }
        self.emit_ready(em);
    }

    /// The client stream ended (FIN, RST, end of capture).
    pub(crate) fn client_end(&mut self, em: &mut Emitter<'_>) {
        match self.req.state {
            State::Head => {
                self.salvage_request_head(em);
                if matches!(self.req.state, State::Body(_) | State::Chunked(_)) {
                    self.mark_current("request cut off by the end of the stream".into());
                    self.request_finished(State::Dead);
                }
            }
            State::Body(_) | State::Chunked(_) => {
                self.mark_current("request cut off by the end of the stream".into());
                self.request_finished(State::Dead);
            }
            _ => {}
        }
        self.req.state = State::Dead;
        self.emit_ready(em);
    }

    fn request_head(&mut self, data: &[u8], em: &mut Emitter<'_>) -> usize {
        let cap = self.head_cap();
        let (parsed, before) = if self.req.head_buf.is_empty() {
            (parse_request(data), 0)
        } else {
            let before = self.req.head_buf.len();
            let room = cap.saturating_sub(before);
            self.req
                .head_buf
                .extend_from_slice(data.get(..room.min(data.len())).unwrap_or_default());
            (parse_request(&self.req.head_buf), before)
        };
        match parsed {
            HeadParse::Complete(head, n) => {
                self.req.head_buf.clear();
                self.begin_request(head, em);
                n.saturating_sub(before)
            }
            HeadParse::Partial => {
                if before == 0 {
                    if data.len() >= cap {
                        self.bad_request(format!("request head longer than {cap} bytes"), em);
                        return data.len();
                    }
                    self.req.head_buf.extend_from_slice(data);
                } else if self.req.head_buf.len() >= cap {
                    self.req.head_buf.clear();
                    self.bad_request(format!("request head longer than {cap} bytes"), em);
                }
                data.len()
            }
            HeadParse::Invalid(why) => {
                self.req.head_buf.clear();
                self.bad_request(why, em);
                data.len()
            }
        }
    }

    /// A request head cut short: parse what there is, as an incomplete request.
    fn salvage_request_head(&mut self, em: &mut Emitter<'_>) {
        let mut buf = std::mem::take(&mut self.req.head_buf);
        self.req.state = State::Lost;
        if let Some(end) = buf.iter().rposition(|&b| b == b'\n') {
            buf.truncate(end + 1);
            buf.extend_from_slice(b"\r\n");
            if let HeadParse::Complete(head, _) = parse_request(&buf) {
                self.begin_request(head, em);
                if let Some(p) = self.queue.back_mut() {
                    p.exchange.incomplete = true;
                    push_note(&mut p.exchange, "request head cut off".into());
                }
                if !matches!(self.req.state, State::Body(_) | State::Chunked(_)) {
                    self.req.state = State::Lost;
                }
            }
        }
    }

    fn begin_request(&mut self, mut head: RequestHead, em: &mut Emitter<'_>) {
        head.peer = self.client;
        let framing = request_framing(&head);
        if self.queue.len() >= MAX_QUEUED_REQUESTS {
            if let Some(oldest) = self.queue.pop_front() {
                if !oldest.response_seen {
                    self.responses_to_skip += 1;
                }
                em.exchange(oldest.exchange);
            }
        }
        self.requests_seen += 1;
        let mut exchange = Exchange {
            index: em.take_index(),
            source: em.source(),
            time: self.req.head_time,
            client: self.client,
            server: self.server,
            head,
            body: Vec::new(),
            body_truncated: false,
            incomplete: false,
            response: None,
            notes: std::mem::take(&mut self.carry_notes),
        };
        let method = exchange.head.method.as_str();
        let pending_head = method.eq_ignore_ascii_case("HEAD");
        let pending_connect = method.eq_ignore_ascii_case("CONNECT");
        let state = match framing {
            Ok(Framing::Length(n)) if n > 0 => State::Body(n),
            Ok(Framing::Chunked) => State::Chunked(ChunkDecoder::new()),
            Ok(_) => State::Idle,
            Err(why) => {
                exchange.incomplete = true;
                push_note(&mut exchange, why.clone());
                em.notice(NoticeKind::BadHttp, None, self.conn(), why);
                State::Dead
            }
        };
        if both_lengths(&exchange.head) {
            push_note(
                &mut exchange,
                "request has both Content-Length and Transfer-Encoding".into(),
            );
        }
        let done = !matches!(state, State::Body(_) | State::Chunked(_));
        self.queue.push_back(Pending {
            exchange,
            request_done: done,
            response_seen: false,
            is_head: pending_head,
            is_connect: pending_connect,
        });
        self.req.state = state;
    }

    fn request_finished(&mut self, next: State) {
        if let Some(p) = self.queue.back_mut() {
            p.request_done = true;
        }
        self.req.state = next;
    }

    fn mark_current(&mut self, note: String) {
        if let Some(p) = self.queue.back_mut() {
            if !p.request_done || matches!(self.req.state, State::Head) {
                p.exchange.incomplete = true;
                push_note(&mut p.exchange, note);
            }
        }
    }

    fn bad_request(&mut self, why: String, em: &mut Emitter<'_>) {
        if let Some(p) = self.queue.back_mut() {
            if !p.request_done {
                p.exchange.incomplete = true;
                push_note(&mut p.exchange, why.clone());
                p.request_done = true;
            }
        }
        em.notice(
            NoticeKind::BadHttp,
            None,
            self.conn(),
            format!("request: {why}"),
        );
        self.req.state = State::Dead;
    }

    // ----- server -> client -------------------------------------------------

    /// Bytes of the server stream, in order.
    pub(crate) fn server_data(&mut self, mut data: &[u8], time: Micros, em: &mut Emitter<'_>) {
        let mut stalls = 0;
        while !data.is_empty() {
            let used = match &mut self.resp.state {
                State::Idle => {
                    let rest = trim_leading_newlines(data);
                    if !rest.is_empty() {
                        self.resp.state = State::Head;
                        self.resp.head_time = time;
                    }
                    data.len() - rest.len()
                }
                State::Head => self.response_head(data, em),
                State::Body(left) => {
                    let take = usize::try_from(*left).unwrap_or(usize::MAX).min(data.len());
                    *left -= take as u64;
                    if *left == 0 {
                        self.resp.state = State::Idle;
                    }
                    take
                }
                State::Chunked(decoder) => match decoder.feed(data, &mut |_| {}) {
                    Ok(used) => {
                        if decoder.is_done() {
                            self.resp.state = State::Idle;
                        }
                        used
                    }
                    Err(e) => {
                        em.notice(
                            NoticeKind::BadHttp,
                            None,
                            self.conn(),
                            format!("chunked response body: {e}"),
                        );
                        self.resp.state = State::Lost;
                        data.len()
                    }
                },
                State::Lost => match find_status_line(data) {
                    Some(pos) => {
                        self.resp.state = State::Head;
                        self.resp.head_time = time;
                        pos
                    }
                    None => data.len(),
                },
                State::UntilClose | State::Dead => data.len(),
            };
            stalls = if used == 0 { stalls + 1 } else { 0 };
            if stalls > 2 {
                break;
            }
            data = data.get(used.min(data.len())..).unwrap_or_default();
        }
        self.emit_ready(em);
    }

    /// Bytes missing from the server stream.
    pub(crate) fn server_gap(&mut self, len: u64, em: &mut Emitter<'_>) {
        match &mut self.resp.state {
            State::Body(left) if len < *left => *left -= len,
            State::Chunked(decoder) if len <= decoder.data_remaining() => decoder.skip_data(len),
            State::UntilClose | State::Dead => {}
            _ => {
                self.resp.head_buf.clear();
                self.resp.state = State::Lost;
            }
        }
        self.emit_ready(em);
    }

    /// The server stream ended.
    pub(crate) fn server_end(&mut self, em: &mut Emitter<'_>) {
        self.resp.state = State::Dead;
        self.resp.head_buf.clear();
        self.emit_ready(em);
    }

    fn response_head(&mut self, data: &[u8], em: &mut Emitter<'_>) -> usize {
        let cap = self.head_cap();
        let (parsed, before) = if self.resp.head_buf.is_empty() {
            (parse_response(data), 0)
        } else {
            let before = self.resp.head_buf.len();
            let room = cap.saturating_sub(before);
            self.resp
                .head_buf
                .extend_from_slice(data.get(..room.min(data.len())).unwrap_or_default());
            (parse_response(&self.resp.head_buf), before)
        };
        match parsed {
            HeadParse::Complete(head, n) => {
                self.resp.head_buf.clear();
                self.begin_response(head);
                n.saturating_sub(before)
            }
            HeadParse::Partial => {
                if before == 0 {
                    if data.len() >= cap {
                        self.bad_response(format!("response head longer than {cap} bytes"), em);
                        return data.len();
                    }
                    self.resp.head_buf.extend_from_slice(data);
                } else if self.resp.head_buf.len() >= cap {
                    self.bad_response(format!("response head longer than {cap} bytes"), em);
                }
                data.len()
            }
            HeadParse::Invalid(why) => {
                self.bad_response(why, em);
                data.len()
            }
        }
    }

    fn bad_response(&mut self, why: String, em: &mut Emitter<'_>) {
        self.resp.head_buf.clear();
        em.notice(
            NoticeKind::BadHttp,
            None,
            self.conn(),
            format!("response: {why}"),
        );
        self.resp.state = State::Lost;
    }

    fn begin_response(&mut self, head: ResponseHead) {
        let status = head.status;
        if (100..200).contains(&status) && status != 101 {
            self.resp.state = State::Idle;
            return;
        }
        let info = ResponseInfo {
            status,
            time: self.resp.head_time,
        };
        let mut request = None;
        if self.responses_to_skip > 0 {
            self.responses_to_skip -= 1;
        } else if let Some(p) = self.queue.iter_mut().find(|p| !p.response_seen) {
            p.response_seen = true;
            p.exchange.response = Some(info);
            request = Some((p.is_head, p.is_connect));
        }
        let (is_head, is_connect) = request.unwrap_or((false, false));
        if status == 101 || (is_connect && (200..300).contains(&status)) {
            // The connection leaves HTTP/1 (upgrade or tunnel).
            self.resp.state = State::Dead;
            self.req.state = State::Dead;
            if let Some(p) = self.queue.back_mut() {
                p.request_done = true;
            }
            return;
        }
        let framing = if is_head || status == 204 || status == 304 {
            Framing::None
        } else {
            head.framing
        };
        self.resp.state = match framing {
            Framing::None | Framing::Length(0) => State::Idle,
            Framing::Length(n) => State::Body(n),
            Framing::Chunked => State::Chunked(ChunkDecoder::new()),
            Framing::UntilClose => State::UntilClose,
        };
    }

    // ----- emission ---------------------------------------------------------

    fn emit_ready(&mut self, em: &mut Emitter<'_>) {
        while self
            .queue
            .front()
            .is_some_and(|p| p.request_done && p.response_seen)
        {
            if let Some(p) = self.queue.pop_front() {
                em.exchange(p.exchange);
            }
        }
    }

    /// The connection is over: everything still held is emitted.
    pub(crate) fn finish(&mut self, em: &mut Emitter<'_>) {
        if matches!(self.req.state, State::Head) {
            self.salvage_request_head(em);
        }
        if matches!(self.req.state, State::Body(_) | State::Chunked(_)) {
            self.mark_current("request cut off by the end of the stream".into());
        }
        self.req.state = State::Dead;
        self.resp.state = State::Dead;
        while let Some(p) = self.queue.pop_front() {
            em.exchange(p.exchange);
        }
    }
}

fn push_note(exchange: &mut Exchange, text: String) {
    if exchange.notes.len() < MAX_NOTES && !exchange.notes.contains(&text) {
        exchange.notes.push(text);
    }
}

fn append_body(exchange: &mut Exchange, data: &[u8], max_body: usize) {
    let room = max_body.saturating_sub(exchange.body.len());
    let take = room.min(data.len());
    exchange
        .body
        .extend_from_slice(data.get(..take).unwrap_or_default());
    if take < data.len() {
        exchange.body_truncated = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::{Event, Exchange, NoticeKind};

    struct Out {
        exchanges: Vec<Exchange>,
        notices: Vec<NoticeKind>,
    }

    /// Runs `script` against a session; steps are (from_client, bytes) or
    /// gaps (bytes = None, length in the usize).
    fn run(limits: &Limits, script: &[(bool, Option<&[u8]>, u64)]) -> Out {
        let mut events = Vec::new();
        {
            let mut sink = |e: Event| events.push(e);
            let mut em = Emitter::new(0, &mut sink);
            let client = "10.0.0.1:1000".parse().ok();
            let server = "10.0.0.2:80".parse().ok();
            let mut s = Session::new(client, server, limits);
            for (i, (from_client, data, gap)) in script.iter().enumerate() {
                let time = i as Micros;
                match (from_client, data) {
                    (true, Some(d)) => s.client_data(d, time, &mut em),
                    (false, Some(d)) => s.server_data(d, time, &mut em),
                    (true, None) => s.client_gap(*gap, &mut em),
                    (false, None) => s.server_gap(*gap, &mut em),
                }
            }
            s.finish(&mut em);
        }
        let mut out = Out {
            exchanges: Vec::new(),
            notices: Vec::new(),
        };
        for e in events {
            match e {
                Event::Exchange(x) => out.exchanges.push(*x),
                Event::Notice(n) => out.notices.push(n.kind),
            }
        }
        out
    }

    fn line(x: &Exchange) -> (String, String, String, Option<u16>, bool) {
        (
            x.head.method.clone(),
            String::from_utf8_lossy(&x.head.uri).into_owned(),
            String::from_utf8_lossy(&x.body).into_owned(),
            x.response.as_ref().map(|r| r.status),
            x.incomplete,
        )
    }

    const PIPELINE: &[u8] =
        b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: h\r\n\r\n\
POST /3 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n0\r\n\r\n\
POST /4 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
    const RESPONSES: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello\
HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n\
HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n\
HTTP/1.0 404 Not Found\r\n\r\nuntil close";

    #[test]
    fn pipelined_requests_pair_in_order_under_any_split() {
        for split in [1, 2, 7, 64, 10_000] {
            let mut script: Vec<(bool, Option<&[u8]>, u64)> = Vec::new();
            for piece in PIPELINE.chunks(split) {
                script.push((true, Some(piece), 0));
            }
            for piece in RESPONSES.chunks(split) {
                script.push((false, Some(piece), 0));
            }
            let out = run(&Limits::default(), &script);
            let got: Vec<_> = out.exchanges.iter().map(line).collect();
            assert_eq!(
                got,
                vec![
                    ("GET".into(), "/1".into(), String::new(), Some(200), false),
                    ("HEAD".into(), "/2".into(), String::new(), Some(200), false),
                    ("POST".into(), "/3".into(), "wiki".into(), Some(201), false),
                    ("POST".into(), "/4".into(), "abc".into(), Some(404), false),
                ],
                "split {split}"
            );
            assert!(out.notices.is_empty(), "{:?}", out.notices);
            let indexes: Vec<u64> = out.exchanges.iter().map(|x| x.index).collect();
            assert_eq!(indexes, vec![0, 1, 2, 3]);
        }
    }

    #[test]
    fn body_cap_and_unanswered_requests() {
        let limits = Limits {
            max_body: 2,
            ..Limits::default()
        };
        let out = run(
            &limits,
            &[(
                true,
                Some(b"POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\n12345GET /y HTTP/1.1\r\n\r\n"),
                0,
            )],
        );
        assert_eq!(out.exchanges.len(), 2);
        assert_eq!(out.exchanges[0].body, b"12");
        assert!(out.exchanges[0].body_truncated);
        assert!(out.exchanges[0].response.is_none());
    }

    #[test]
    fn gap_inside_a_length_body_keeps_framing() {
        let out = run(
            &Limits::default(),
            &[
                (
                    true,
                    Some(b"POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123"),
                    0,
                ),
                (true, None, 3),
                (true, Some(b"789GET /b HTTP/1.1\r\n\r\n"), 0),
            ],
        );
        let got: Vec<_> = out.exchanges.iter().map(line).collect();
        assert_eq!(
            got[0],
            ("POST".into(), "/a".into(), "0123789".into(), None, true)
        );
        assert_eq!(
            got[1],
            ("GET".into(), "/b".into(), String::new(), None, false)
        );
    }

    #[test]
    fn gap_in_a_head_resynchronises_on_the_next_request_line() {
        let out = run(
            &Limits::default(),
            &[
                (true, Some(b"GET /a HTTP/1.1\r\nHost: h\r\nX-Long: aaa"), 0),
                (true, None, 100),
                (true, Some(b"aaaa\r\n\r\nGET /b HTTP/1.1\r\n\r\n"), 0),
            ],
        );
        let got: Vec<_> = out.exchanges.iter().map(line).collect();
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].1.as_str(), got[0].4), ("/a", true));
        assert_eq!((got[1].1.as_str(), got[1].4), ("/b", false));
    }

    #[test]
    fn malformed_requests_are_reported() {
        let out = run(
            &Limits::default(),
            &[(
                true,
                Some(b"GET /a HTTP/1.1\r\nContent-Length: x\r\n\r\n"),
                0,
            )],
        );
        assert_eq!(out.notices, vec![NoticeKind::BadHttp]);
        assert!(out.exchanges[0].incomplete);
        let out = run(
            &Limits::default(),
            &[(
                true,
                Some(b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
                0,
            )],
        );
        assert_eq!(out.notices, vec![NoticeKind::BadHttp]);
        assert!(out.exchanges[0].incomplete);
    }
}
