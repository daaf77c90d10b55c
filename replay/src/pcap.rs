//! The classic pcap file format: a 24-byte file header (microsecond or
//! nanosecond magic, either byte order) and records of at most
//! [`MAX_RECORD_BYTES`] captured bytes, streamed into the packet pipeline.

use crate::capture::Capture;
use crate::emit::Emitter;
use crate::exchange::Micros;
use crate::source::{Read, Source};
use std::io;

/// Largest record accepted; longer is taken as corruption (real snap
/// lengths are at most 256 KiB).
pub(crate) const MAX_RECORD_BYTES: usize = 256 * 1024;

pub(crate) const MAGIC_USEC: u32 = 0xA1B2_C3D4;
pub(crate) const MAGIC_NSEC: u32 = 0xA1B2_3C4D;

/// How reading a capture stopped without an I/O error.
#[derive(Debug)]
pub(crate) enum Stop {
    /// Clean end of input.
    End,
    /// Damage at `offset`; everything before it was read.
    Corrupt { offset: u64, message: String },
}

/// Why a capture could not be read at all.
#[derive(Debug)]
pub(crate) enum Fail {
    Io(io::Error),
    Format { offset: u64, message: String },
}

/// Whether an I/O error mid-file is damaged data (truncated or bad gzip)
/// rather than a failing device.
pub(crate) fn is_damage(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::UnexpectedEof
    )
}

pub(crate) fn io_stop(e: io::Error, offset: u64) -> Result<Stop, Fail> {
    if is_damage(&e) {
        Ok(Stop::Corrupt {
            offset,
            message: format!("unreadable data: {e}"),
        })
    } else {
        Err(Fail::Io(e))
    }
}

#[derive(Debug, Clone, Copy)]
struct Header {
    big_endian: bool,
    nanos: bool,
    link: u32,
}

impl Header {
    fn u32(&self, b: &[u8], at: usize) -> u32 {
        let bytes = b
            .get(at..at + 4)
            .and_then(|s| <[u8; 4]>::try_from(s).ok())
            .unwrap_or_default();
        if self.big_endian {
            u32::from_be_bytes(bytes)
        } else {
            u32::from_le_bytes(bytes)
        }
    }
}

fn parse_header(b: &[u8]) -> Result<Header, String> {
    let magic = b
        .get(..4)
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .map(u32::from_le_bytes)
        .unwrap_or_default();
    let (big_endian, nanos) = match magic {
        MAGIC_USEC => (false, false),
        MAGIC_NSEC => (false, true),
        m if m.swap_bytes() == MAGIC_USEC => (true, false),
        m if m.swap_bytes() == MAGIC_NSEC => (true, true),
        _ => return Err("not a pcap file".into()),
    };
    let mut header = Header {
        big_endian,
        nanos,
        link: 0,
    };
    let version = header.u32(b, 4);
    // major and minor are two u16s in the file's byte order
    let major = if big_endian {
        version >> 16
    } else {
        version & 0xFFFF
    };
    if major != 2 {
        return Err(format!("unsupported pcap version {major}"));
    }
    header.link = header.u32(b, 20) & 0xFFFF;
    Ok(header)
}

/// Reads a pcap stream into `capture`.
pub(crate) fn read(
    src: &mut Source<'_>,
    capture: &mut Capture,
    em: &mut Emitter<'_>,
    records: &mut u64,
) -> Result<Stop, Fail> {
    let header = match src.with(24, parse_header) {
        Ok(Read::Full(Ok(h))) => h,
        Ok(Read::Full(Err(message))) => return Err(Fail::Format { offset: 0, message }),
        Ok(Read::Short(_)) => {
            return Err(Fail::Format {
                offset: 0,
                message: "pcap file header cut short".into(),
            })
        }
        Err(e) => return Err(Fail::Io(e)),
    };
    loop {
        let offset = src.offset();
        let record = match src.with(16, |b| {
            (
                header.u32(b, 0),
                header.u32(b, 4),
                header.u32(b, 8) as usize,
            )
        }) {
            Ok(Read::Full(r)) => r,
            Ok(Read::Short(0)) => return Ok(Stop::End),
            Ok(Read::Short(got)) => {
                return Ok(Stop::Corrupt {
                    offset,
                    message: format!("record header cut short ({got} of 16 bytes)"),
                })
            }
            Err(e) => return io_stop(e, offset),
        };
        let (secs, frac, caplen) = record;
        if caplen > MAX_RECORD_BYTES {
            return Ok(Stop::Corrupt {
                offset,
                message: format!("record length {caplen} exceeds {MAX_RECORD_BYTES} bytes"),
            });
        }
        let micros = if header.nanos {
            Micros::from(frac / 1000)
        } else {
            Micros::from(frac)
        };
        let time = Micros::from(secs) * 1_000_000 + micros;
        match src.with(caplen, |frame| {
            capture.packet_to(header.link, time, frame, offset, em)
        }) {
            Ok(Read::Full(())) => *records += 1,
            Ok(Read::Short(got)) => {
                return Ok(Stop::Corrupt {
                    offset,
                    message: format!("record cut short ({got} of {caplen} bytes)"),
                })
            }
            Err(e) => return io_stop(e, offset),
        }
    }
}
