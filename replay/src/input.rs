//! Opening one input: gzip is undone transparently, then the format is told
//! by its first bytes (pcap, pcapng, HAR JSON, raw HTTP) and the right reader
//! runs.

use crate::capture::Capture;
use crate::emit::Emitter;
use crate::error::{ReadError, ReadStats};
use crate::exchange::{Event, Limits, NoticeKind};
use crate::pcap::{Fail, Stop};
use crate::source::Source;
use crate::{har, http_head, pcap, pcapng, raw};
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::Path;

/// Read buffer size.
const BUFFER_BYTES: usize = 256 * 1024;
/// Bytes looked at to tell the format.
const PEEK_BYTES: usize = 64;

/// An input format, told by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Gzip,
    Pcap,
    Pcapng,
    Har,
    RawHttp,
}

/// Tells the format from the first bytes of an input (`None`: unknown).
pub fn detect(prefix: &[u8]) -> Option<Format> {
    if prefix.starts_with(&[0x1F, 0x8B]) {
        return Some(Format::Gzip);
    }
    if let Some(magic) = prefix.get(..4) {
        let le = u32::from_le_bytes([magic[0], magic[1], magic[2], magic[3]]);
        if [pcap::MAGIC_USEC, pcap::MAGIC_NSEC].contains(&le)
            || [pcap::MAGIC_USEC, pcap::MAGIC_NSEC].contains(&le.swap_bytes())
        {
            return Some(Format::Pcap);
        }
        if le == pcapng::SECTION_HEADER {
            return Some(Format::Pcapng);
        }
    }
    let text = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    let text = text.get(start..)?;
    if text.first() == Some(&b'{') {
        return Some(Format::Har);
    }
    (http_head::classify(text) == http_head::StreamStart::Request).then_some(Format::RawHttp)
}

/// Reads one input file, sending every exchange and notice to `sink` as soon
/// as it is complete. `source` is the input's index, copied into the events.
pub fn read_path(
    path: &Path,
    source: usize,
    limits: &Limits,
    sink: &mut dyn FnMut(Event),
) -> Result<ReadStats, ReadError> {
    let mut file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    read_from(&mut file, path, source, limits, sink)
}

/// Reads one input from any reader, like [`read_path`] (`path` names it in
/// errors).
pub fn read_from(
    input: &mut dyn Read,
    path: &Path,
    source: usize,
    limits: &Limits,
    sink: &mut dyn FnMut(Event),
) -> Result<ReadStats, ReadError> {
    let mut buffered = BufReader::with_capacity(BUFFER_BYTES, input);
    let prefix = peek(&mut buffered).map_err(|e| io_error(path, e))?;
    match detect(&prefix) {
        Some(Format::Gzip) => {
            let chained = Cursor::new(prefix).chain(buffered);
            let mut decoder = flate2::bufread::MultiGzDecoder::new(chained);
            let mut inner = BufReader::with_capacity(BUFFER_BYTES, &mut decoder as &mut dyn Read);
            let prefix = match peek(&mut inner) {
                Ok(p) => p,
                Err(e) => {
                    return Err(ReadError::Format {
                        path: path.to_path_buf(),
                        offset: 0,
                        message: format!("gzip data unreadable: {e}"),
                    })
                }
            };
            let format = match detect(&prefix) {
                Some(Format::Gzip) | None => {
                    return Err(ReadError::UnknownFormat {
                        path: path.to_path_buf(),
                    })
                }
                Some(f) => f,
            };
            let mut chained = Cursor::new(prefix).chain(inner);
            read_format(format, &mut chained, true, path, source, limits, sink)
        }
        Some(format) => {
            let mut chained = Cursor::new(prefix).chain(buffered);
            read_format(format, &mut chained, false, path, source, limits, sink)
        }
        None => Err(ReadError::UnknownFormat {
            path: path.to_path_buf(),
        }),
    }
}

fn io_error(path: &Path, source: io::Error) -> ReadError {
    ReadError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads up to [`PEEK_BYTES`] from the start of the input.
fn peek(input: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(PEEK_BYTES);
    input.take(PEEK_BYTES as u64).read_to_end(&mut prefix)?;
    Ok(prefix)
}

fn read_format(
    format: Format,
    input: &mut dyn BufRead,
    gzipped: bool,
    path: &Path,
    source: usize,
    limits: &Limits,
    sink: &mut dyn FnMut(Event),
) -> Result<ReadStats, ReadError> {
    if format == Format::Har {
        return har::read(input, path, source, limits, sink);
    }
    let mut em = Emitter::new(source, sink);
    let mut stats = ReadStats::default();
    if format == Format::RawHttp {
        let (bytes, requests, failure) = raw::read(input, limits, &mut em);
        stats.bytes = bytes;
        stats.records = requests;
        if let Some(e) = failure {
            if !pcap::is_damage(&e) {
                return Err(io_error(path, e));
            }
            em.notice(
                NoticeKind::Corrupt,
                Some(bytes),
                None,
                format!(
                    "unreadable data at byte {bytes}{}: {e}",
                    where_note(gzipped)
                ),
            );
        }
        stats.exchanges = em.exchanges;
        stats.notices = em.notices;
        return Ok(stats);
    }
    let mut capture = Capture::new(limits);
    let mut src = Source::new(input);
    let result = if format == Format::Pcap {
        pcap::read(&mut src, &mut capture, &mut em, &mut stats.records)
    } else {
        pcapng::read(&mut src, &mut capture, &mut em, &mut stats.records)
    };
    stats.bytes = src.offset();
    match result {
        Ok(Stop::End) => capture.finish_to(&mut em),
        Ok(Stop::Corrupt { offset, message }) => {
            capture.finish_to(&mut em);
            em.notice(
                NoticeKind::Corrupt,
                Some(offset),
                None,
                format!(
                    "corrupt or truncated at byte {offset}{}: {message}; reading stopped there",
                    where_note(gzipped)
                ),
            );
        }
        Err(Fail::Io(e)) => return Err(io_error(path, e)),
        Err(Fail::Format { offset, message }) => {
            return Err(ReadError::Format {
                path: path.to_path_buf(),
                offset,
                message,
            })
        }
    }
    stats.exchanges = em.exchanges;
    stats.notices = em.notices;
    Ok(stats)
}

fn where_note(gzipped: bool) -> &'static str {
    if gzipped {
        " of the decompressed stream"
    } else {
        ""
    }
}
