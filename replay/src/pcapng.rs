//! The pcapng file format: blocks in sections (each section header block
//! sets the byte order and starts a new interface list), interface
//! description blocks with their link type and timestamp resolution
//! (`if_tsresol`, `if_tsoffset`), and enhanced, simple and obsolete packet
//! blocks streamed into the packet pipeline. Other blocks are skipped
//! without being buffered.

use crate::capture::Capture;
use crate::emit::Emitter;
use crate::exchange::Micros;
use crate::pcap::{io_stop, Fail, Stop, MAX_RECORD_BYTES};
use crate::source::{Read, Source};

pub(crate) const SECTION_HEADER: u32 = 0x0A0D_0D0A;
const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;
const INTERFACE_DESCRIPTION: u32 = 1;
const OBSOLETE_PACKET: u32 = 2;
const SIMPLE_PACKET: u32 = 3;
const ENHANCED_PACKET: u32 = 6;
/// Largest interface description block read (options included).
const MAX_IDB_BYTES: usize = 64 * 1024;
/// Options (comments, flags, hashes) accepted after a packet's data.
const MAX_PACKET_OPTIONS_BYTES: usize = 64 * 1024;
/// Interfaces per section kept.
const MAX_INTERFACES: usize = 4096;

#[derive(Debug, Clone, Copy)]
struct Interface {
    link: u32,
    /// Timestamp units per second.
    units_per_second: u64,
    offset_seconds: i64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Order {
    big_endian: bool,
}

impl Order {
    fn u16(self, b: &[u8], at: usize) -> u16 {
        let bytes = b
            .get(at..at + 2)
            .and_then(|s| <[u8; 2]>::try_from(s).ok())
            .unwrap_or_default();
        if self.big_endian {
            u16::from_be_bytes(bytes)
        } else {
            u16::from_le_bytes(bytes)
        }
    }
    fn u32(self, b: &[u8], at: usize) -> u32 {
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

fn parse_interface(order: Order, body: &[u8]) -> Interface {
    let mut iface = Interface {
        link: u32::from(order.u16(body, 0)),
        units_per_second: 1_000_000,
        offset_seconds: 0,
    };
    let mut at = 8;
    while at + 4 <= body.len() {
        let code = order.u16(body, at);
        let len = usize::from(order.u16(body, at + 2));
        let value = body.get(at + 4..at + 4 + len).unwrap_or_default();
        match code {
            0 => break,
            9 => {
                if let Some(&v) = value.first() {
                    let exp = u32::from(v & 0x7F);
                    let base: u64 = if v & 0x80 != 0 { 2 } else { 10 };
                    if let Some(units) = base.checked_pow(exp) {
                        iface.units_per_second = units.max(1);
                    }
                }
            }
            14 => {
                if let Ok(bytes) = <[u8; 8]>::try_from(value) {
                    iface.offset_seconds = if order.big_endian {
                        i64::from_be_bytes(bytes)
                    } else {
                        i64::from_le_bytes(bytes)
                    };
                }
            }
            _ => {}
        }
        at += 4 + len.div_ceil(4) * 4;
    }
    iface
}

fn timestamp(iface: &Interface, high: u32, low: u32) -> Micros {
    let units = (u128::from(high) << 32) | u128::from(low);
    let micros = units * 1_000_000 / u128::from(iface.units_per_second.max(1));
    let micros = i64::try_from(micros).unwrap_or(i64::MAX);
    micros.saturating_add(iface.offset_seconds.saturating_mul(1_000_000))
}

fn corrupt(offset: u64, message: String) -> Result<Stop, Fail> {
    Ok(Stop::Corrupt { offset, message })
}

/// Reads a pcapng stream into `capture`.
pub(crate) fn read(
    src: &mut Source<'_>,
    capture: &mut Capture,
    em: &mut Emitter<'_>,
    records: &mut u64,
) -> Result<Stop, Fail> {
    let mut order = Order::default();
    let mut interfaces: Vec<Interface> = Vec::new();
    let mut first = true;
    loop {
        let offset = src.offset();
        // Block type, total length, and (for a section header) the byte-order magic.
        let head = match src.with(8, |b| {
            (
                <[u8; 4]>::try_from(b.get(..4).unwrap_or_default()).unwrap_or_default(),
                <[u8; 4]>::try_from(b.get(4..8).unwrap_or_default()).unwrap_or_default(),
            )
        }) {
            Ok(Read::Full(h)) => h,
            Ok(Read::Short(0)) if !first => return Ok(Stop::End),
            Ok(Read::Short(got)) if !first => {
                return corrupt(offset, format!("block header cut short ({got} of 8 bytes)"))
            }
            Ok(Read::Short(_)) => {
                return Err(Fail::Format {
                    offset: 0,
                    message: "pcapng section header cut short".into(),
                })
            }
            Err(e) => return io_stop(e, offset),
        };
        let (type_bytes, len_bytes) = head;
        let block_type_le = u32::from_le_bytes(type_bytes);
        if block_type_le == SECTION_HEADER {
            let magic = match src.with(4, |b| <[u8; 4]>::try_from(b).unwrap_or_default()) {
                Ok(Read::Full(m)) => m,
                Ok(Read::Short(_)) => return corrupt(offset, "section header cut short".into()),
                Err(e) => return io_stop(e, offset),
            };
            order = if u32::from_le_bytes(magic) == BYTE_ORDER_MAGIC {
                Order { big_endian: false }
            } else if u32::from_be_bytes(magic) == BYTE_ORDER_MAGIC {
                Order { big_endian: true }
            } else if first {
                return Err(Fail::Format {
                    offset: 8,
                    message: "pcapng byte-order magic missing".into(),
                });
            } else {
                return corrupt(offset, "section header with a bad byte-order magic".into());
            };
            interfaces.clear();
            let total = order.u32(&len_bytes, 0) as u64;
            if total < 28 || !total.is_multiple_of(4) {
                if first {
                    return Err(Fail::Format {
                        offset: 4,
                        message: format!("bad section header length {total}"),
                    });
                }
                return corrupt(offset, format!("bad section header length {total}"));
            }
            first = false;
            match src.skip(total - 12) {
                Ok(n) if n == total - 12 => continue,
                Ok(_) => return corrupt(offset, "section header cut short".into()),
                Err(e) => return io_stop(e, offset),
            }
        }
        if first {
            return Err(Fail::Format {
                offset: 0,
                message: "pcapng file does not start with a section header".into(),
            });
        }
        let block_type = order.u32(&type_bytes, 0);
        let total = order.u32(&len_bytes, 0) as usize;
        if total < 12 || !total.is_multiple_of(4) {
            return corrupt(offset, format!("bad block length {total}"));
        }
        let body_len = total - 12;
        let read_body = match block_type {
            INTERFACE_DESCRIPTION => body_len <= MAX_IDB_BYTES,
            ENHANCED_PACKET | SIMPLE_PACKET | OBSOLETE_PACKET => {
                body_len <= MAX_RECORD_BYTES + MAX_PACKET_OPTIONS_BYTES
            }
            _ => false,
        };
        if !read_body {
            if matches!(
                block_type,
                INTERFACE_DESCRIPTION | ENHANCED_PACKET | SIMPLE_PACKET | OBSOLETE_PACKET
            ) {
                return corrupt(
                    offset,
                    format!("block of type {block_type} is {total} bytes, over the limit"),
                );
            }
            // Skip the body and the trailing length.
            match src.skip(body_len as u64 + 4) {
                Ok(n) if n == body_len as u64 + 4 => continue,
                Ok(_) => {
                    return corrupt(offset, format!("block cut short ({total} bytes expected)"))
                }
                Err(e) => return io_stop(e, offset),
            }
        }
        let result = src.with(body_len + 4, |body| {
            block(
                block_type,
                order,
                body.get(..body_len).unwrap_or_default(),
                &mut interfaces,
                capture,
                em,
                offset,
            )
        });
        match result {
            Ok(Read::Full(Ok(counted))) => *records += u64::from(counted),
            Ok(Read::Full(Err(message))) => return corrupt(offset, message),
            Ok(Read::Short(got)) => {
                return corrupt(
                    offset,
                    format!("block cut short ({} of {total} bytes)", got + 8),
                )
            }
            Err(e) => return io_stop(e, offset),
        }
    }
}

/// Handles one block body; returns whether it was a packet.
fn block(
    block_type: u32,
    order: Order,
    body: &[u8],
    interfaces: &mut Vec<Interface>,
    capture: &mut Capture,
    em: &mut Emitter<'_>,
    offset: u64,
) -> Result<bool, String> {
    match block_type {
        INTERFACE_DESCRIPTION => {
            if body.len() < 8 {
                return Err("interface description block too short".into());
            }
            if interfaces.len() < MAX_INTERFACES {
                interfaces.push(parse_interface(order, body));
            }
            Ok(false)
        }
        ENHANCED_PACKET | OBSOLETE_PACKET => {
            if body.len() < 20 {
                return Err("packet block too short".into());
            }
            let (iface_id, high, low, caplen) = if block_type == ENHANCED_PACKET {
                (
                    order.u32(body, 0) as usize,
                    order.u32(body, 4),
                    order.u32(body, 8),
                    order.u32(body, 12) as usize,
                )
            } else {
                (
                    usize::from(order.u16(body, 0)),
                    order.u32(body, 4),
                    order.u32(body, 8),
                    order.u32(body, 12) as usize,
                )
            };
            let Some(frame) = body.get(20..20 + caplen) else {
                return Err(format!("packet length {caplen} exceeds its block"));
            };
            let Some(iface) = interfaces.get(iface_id) else {
                return Err(format!("packet on undeclared interface {iface_id}"));
            };
            let time = timestamp(iface, high, low);
            capture.packet_to(iface.link, time, frame, offset, em);
            Ok(true)
        }
        SIMPLE_PACKET => {
            let Some(iface) = interfaces.first() else {
                return Err("simple packet block without an interface".into());
            };
            let original = order.u32(body, 0) as usize;
            let data = body.get(4..).unwrap_or_default();
            let frame = data.get(..original.min(data.len())).unwrap_or_default();
            capture.packet_to(iface.link, 0, frame, offset, em);
            Ok(true)
        }
        _ => Ok(false),
    }
}
