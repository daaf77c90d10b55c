//! What reading an input can fail with, and what a finished read counted.

use std::path::PathBuf;

/// Why an input could not be read at all (or stopped being readable).
///
/// Damage *inside* a capture (a truncated record, a corrupt block) is not an
/// error: it is reported as a [`crate::exchange::NoticeKind::Corrupt`] notice
/// with its byte offset, after everything before it has been emitted.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file's format was recognised but it is unusable from the start
    /// (bad HAR JSON, unknown pcap version, ...).
    #[error("{path}: byte {offset}: {message}")]
    Format {
        path: PathBuf,
        offset: u64,
        message: String,
    },
    /// The file is none of the formats replay reads.
    #[error("{path}: not a pcap, pcapng, HAR or raw HTTP request file")]
    UnknownFormat { path: PathBuf },
}

/// Counts from one finished read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Bytes of the input consumed (after gzip decompression).
    pub bytes: u64,
    /// Packets (pcap records / pcapng packet blocks) or HAR entries read.
    pub records: u64,
    /// Exchanges emitted.
    pub exchanges: u64,
    /// Notices emitted.
    pub notices: u64,
}
