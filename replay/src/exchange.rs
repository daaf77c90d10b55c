//! The replay crate's output model: one [`Exchange`] per HTTP request seen in
//! the input (with its response status when the response was seen too), and
//! [`Notice`]s for everything skipped, damaged or suspicious.

use palisade_engine::request::RequestHead;
use std::net::SocketAddr;

/// Microseconds since the Unix epoch (capture timestamps; HAR `startedDateTime`).
pub type Micros = i64;

/// One request as read from the input, and what is known of its response.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// Position of this request in the input, counting from 0, in the order
    /// requests began (first byte of the request seen).
    pub index: u64,
    /// Which input file it came from (index into the list of inputs).
    pub source: usize,
    /// Time the request's first byte was captured (or HAR startedDateTime).
    pub time: Micros,
    /// Client and server socket addresses when the input has them.
    pub client: Option<SocketAddr>,
    pub server: Option<SocketAddr>,
    /// The request head, ready for the engine (`peer` = client, `tls` false
    /// except for HAR entries with an https URL).
    pub head: RequestHead,
    /// The request body with transfer coding removed (chunked decoded), at most
    /// the reader's body cap; `body_truncated` says when bytes were dropped.
    pub body: Vec<u8>,
    pub body_truncated: bool,
    /// The request could not be read to its end (missing TCP segments, capture
    /// ended mid-request, malformed chunked coding). It is still inspected as
    /// far as it goes.
    pub incomplete: bool,
    /// The paired response, if seen.
    pub response: Option<ResponseInfo>,
    /// Reassembly remarks specific to this request (gap, overlap, ...).
    pub notes: Vec<String>,
}

/// What replay keeps of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseInfo {
    pub status: u16,
    /// Time the response's first byte was captured.
    pub time: Micros,
}

/// Something in the input that is not a (complete) request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub source: usize,
    /// Byte offset in the input file, when it is the file that is at fault.
    pub offset: Option<u64>,
    /// The connection (client -> server) it concerns, if any.
    pub client: Option<SocketAddr>,
    pub server: Option<SocketAddr>,
    pub message: String,
}

/// Kinds of notice; reports count them by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// A TLS connection: counted and skipped.
    TlsSkipped,
    /// An HTTP/2 connection that could not be decoded: counted and skipped.
    Http2Skipped,
    /// A TCP stream that is neither HTTP nor TLS.
    NotHttp,
    /// Overlapping TCP segments carrying different bytes (first copy kept).
    OverlapEvasion,
    /// Bytes missing from a TCP stream.
    MissingSegment,
    /// A connection dropped because the half-open connection cap was reached.
    Evicted,
    /// A link type, protocol or record the reader does not handle.
    Unsupported,
    /// The file is corrupt or truncated at `offset`; reading stopped there.
    Corrupt,
    /// An HTTP message that could not be parsed.
    BadHttp,
}

/// The reader's output stream.
#[derive(Debug, Clone)]
pub enum Event {
    Exchange(Box<Exchange>),
    Notice(Notice),
}

/// Bounds on the reader's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Request body bytes kept per request (the rest is counted and dropped).
    pub max_body: usize,
    /// Bytes buffered per TCP direction waiting for a missing segment or for
    /// the end of a message head.
    pub max_stream_buffer: usize,
    /// Connections tracked at once; the least recently active is evicted.
    pub max_connections: usize,
    /// IP fragments buffered at once (datagrams being reassembled).
    pub max_fragment_sets: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body: 1 << 20,
            max_stream_buffer: 4 << 20,
            max_connections: 65_536,
            max_fragment_sets: 4_096,
        }
    }
}
