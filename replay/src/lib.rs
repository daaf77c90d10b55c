//! Reading captured HTTP traffic for offline replay: pcap and pcapng captures
//! (link layers, IP defragmentation, TCP reassembly, HTTP/1.x stream parsing),
//! HAR 1.2 archives and raw request files, all turned into one stream of
//! [`exchange::Event`]s: request/response exchanges and notices about what
//! could not be read.
//!
//! The crate knows nothing about verdicts; `palisade replay` in the server
//! feeds the exchanges to the engine. Entry point: [`input::read_path`].

pub mod capture;
mod chunked;
mod defrag;
mod emit;
pub mod error;
pub mod exchange;
mod flow;
pub mod har;
mod http1;
mod http_head;
pub mod input;
mod ip;
pub mod link;
mod pcap;
mod pcapng;
mod raw;
pub mod rfc3339;
mod source;
mod tcp;

pub use error::{ReadError, ReadStats};
pub use exchange::{Event, Exchange, Limits, Notice, NoticeKind, ResponseInfo};
