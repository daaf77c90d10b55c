//! IPv4 and IPv6 headers (IPv6 extension headers: hop-by-hop, routing,
//! destination options, fragment, AH) and the TCP header: from a network
//! packet to a TCP segment or an IP fragment to reassemble. Checksums are
//! not verified (captures on the sending host carry offloaded checksums).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

pub(crate) const PROTO_TCP: u8 = 6;

/// TCP flags used by reassembly.
pub(crate) mod flags {
    pub const FIN: u8 = 0x01;
    pub const SYN: u8 = 0x02;
    pub const RST: u8 = 0x04;
    pub const ACK: u8 = 0x10;
}

/// One TCP segment.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Segment<'a> {
    pub(crate) src: SocketAddr,
    pub(crate) dst: SocketAddr,
    pub(crate) seq: u32,
    pub(crate) ack: u32,
    pub(crate) flags: u8,
    pub(crate) payload: &'a [u8],
}

/// A fragment of an IP datagram.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fragment<'a> {
    pub(crate) src: IpAddr,
    pub(crate) dst: IpAddr,
    pub(crate) id: u32,
    /// Upper-layer protocol (from the first fragment for IPv6; every IPv4
    /// fragment carries it).
    pub(crate) protocol: u8,
    /// Byte offset of this fragment's data in the datagram payload.
    pub(crate) offset: usize,
    pub(crate) more: bool,
    pub(crate) data: &'a [u8],
}

/// What a network packet holds.
#[derive(Debug)]
pub(crate) enum Packet<'a> {
    Tcp(Segment<'a>),
    Fragment(Fragment<'a>),
    /// Another protocol, or a packet too damaged to use.
    Other,
}

fn be16(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*data.get(at)?, *data.get(at + 1)?]))
}

fn be32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

/// Parses an IPv4 packet.
pub(crate) fn ipv4(data: &[u8]) -> Packet<'_> {
    ipv4_inner(data).unwrap_or(Packet::Other)
}

fn ipv4_inner(data: &[u8]) -> Option<Packet<'_>> {
    let first = *data.first()?;
    if first >> 4 != 4 {
        return None;
    }
    let header_len = usize::from(first & 0x0F) * 4;
    // Total length 0: a segmentation-offload super-packet captured on the
    // sending host. Longer than captured: cut by the snap length; the lost
    // tail shows up as missing bytes in reassembly.
    let total = match usize::from(be16(data, 2)?) {
        0 => data.len(),
        n => n.min(data.len()),
    };
    if header_len < 20 || total < header_len {
        return None;
    }
    let frag = be16(data, 6)?;
    let protocol = *data.get(9)?;
    let src = Ipv4Addr::from(be32(data, 12)?);
    let dst = Ipv4Addr::from(be32(data, 16)?);
    let payload = data.get(header_len..total)?;
    let more = frag & 0x2000 != 0;
    let offset = usize::from(frag & 0x1FFF) * 8;
    if more || offset != 0 {
        return Some(Packet::Fragment(Fragment {
            src: IpAddr::V4(src),
            dst: IpAddr::V4(dst),
            id: u32::from(be16(data, 4)?),
            protocol,
            offset,
            more,
            data: payload,
        }));
    }
    Some(transport(
        IpAddr::V4(src),
        IpAddr::V4(dst),
        protocol,
        payload,
    ))
}

/// Parses an IPv6 packet, following its extension headers.
pub(crate) fn ipv6(data: &[u8]) -> Packet<'_> {
    ipv6_inner(data).unwrap_or(Packet::Other)
}

fn ipv6_inner(data: &[u8]) -> Option<Packet<'_>> {
    if data.first()? >> 4 != 6 {
        return None;
    }
    let payload_len = usize::from(be16(data, 4)?);
    let mut next = *data.get(6)?;
    let src = Ipv6Addr::from(<[u8; 16]>::try_from(data.get(8..24)?).ok()?);
    let dst = Ipv6Addr::from(<[u8; 16]>::try_from(data.get(24..40)?).ok()?);
    // Payload length 0 is a jumbogram (not handled: the packet is empty).
    let end = (40 + payload_len).min(data.len());
    let mut rest = data.get(40..end)?;
    for _ in 0..16 {
        match next {
            0 | 43 | 60 => {
                let len = (usize::from(*rest.get(1)?) + 1) * 8;
                next = *rest.first()?;
                rest = rest.get(len..)?;
            }
            51 => {
                let len = (usize::from(*rest.get(1)?) + 2) * 4;
                next = *rest.first()?;
                rest = rest.get(len..)?;
            }
            44 => {
                let frag = be16(rest, 2)?;
                return Some(Packet::Fragment(Fragment {
                    src: IpAddr::V6(src),
                    dst: IpAddr::V6(dst),
                    id: be32(rest, 4)?,
                    protocol: *rest.first()?,
                    offset: usize::from(frag & 0xFFF8),
                    more: frag & 1 != 0,
                    data: rest.get(8..)?,
                }));
            }
            _ => return Some(transport(IpAddr::V6(src), IpAddr::V6(dst), next, rest)),
        }
    }
    None
}

/// The upper-layer part of an (unfragmented or reassembled) datagram.
pub(crate) fn transport(src: IpAddr, dst: IpAddr, protocol: u8, data: &[u8]) -> Packet<'_> {
    if protocol != PROTO_TCP {
        return Packet::Other;
    }
    tcp(src, dst, data).map_or(Packet::Other, Packet::Tcp)
}

fn tcp(src: IpAddr, dst: IpAddr, data: &[u8]) -> Option<Segment<'_>> {
    let header_len = usize::from(*data.get(12)? >> 4) * 4;
    if header_len < 20 {
        return None;
    }
    Some(Segment {
        src: SocketAddr::new(src, be16(data, 0)?),
        dst: SocketAddr::new(dst, be16(data, 2)?),
        seq: be32(data, 4)?,
        ack: be32(data, 8)?,
        flags: *data.get(13)?,
        payload: data.get(header_len..)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp_header(sport: u16, dport: u16, seq: u32, flags: u8) -> Vec<u8> {
        let mut t = Vec::new();
        t.extend_from_slice(&sport.to_be_bytes());
        t.extend_from_slice(&dport.to_be_bytes());
        t.extend_from_slice(&seq.to_be_bytes());
        t.extend_from_slice(&0u32.to_be_bytes());
        t.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
        t
    }

    #[test]
    fn ipv4_tcp_with_trailing_padding() {
        let mut tcp = tcp_header(1234, 80, 7, flags::ACK);
        tcp.extend_from_slice(b"GET");
        let total = 20 + tcp.len();
        let mut p = vec![
            0x45,
            0,
            (total >> 8) as u8,
            total as u8,
            0,
            1,
            0,
            0,
            64,
            6,
            0,
            0,
        ];
        p.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2]);
        p.extend_from_slice(&tcp);
        p.extend_from_slice(&[0, 0, 0]); // Ethernet padding
        match ipv4(&p) {
            Packet::Tcp(s) => {
                assert_eq!(s.payload, b"GET");
                assert_eq!(s.src, "10.0.0.1:1234".parse().unwrap());
                assert_eq!(s.seq, 7);
            }
            other => panic!("{other:?}"),
        }
        p[6] = 0x20; // more fragments
        assert!(matches!(ipv4(&p), Packet::Fragment(f) if f.more && f.offset == 0));
        match ipv4(&p[..41]) {
            Packet::Fragment(f) => assert_eq!(f.data.len(), 21), // snap-length cut
            other => panic!("{other:?}"),
        }
        p[6] = 0;
        assert!(matches!(ipv4(&p[..30]), Packet::Other)); // TCP header cut
    }

    #[test]
    fn ipv6_extension_headers() {
        let mut tcp = tcp_header(1, 2, 3, flags::SYN);
        tcp.extend_from_slice(b"x");
        let mut ext = vec![60, 0, 0, 0, 0, 0, 0, 0]; // hop-by-hop -> dest opts
        ext.extend_from_slice(&[6, 0, 0, 0, 0, 0, 0, 0]); // dest opts -> TCP
        let len = ext.len() + tcp.len();
        let mut p = vec![0x60, 0, 0, 0, (len >> 8) as u8, len as u8, 0, 64];
        p.extend_from_slice(&[0; 15]);
        p.push(1);
        p.extend_from_slice(&[0; 15]);
        p.push(2);
        p.extend_from_slice(&ext);
        p.extend_from_slice(&tcp);
        match ipv6(&p) {
            Packet::Tcp(s) => {
                assert_eq!(s.payload, b"x");
                assert_eq!(s.dst, "[::2]:2".parse().unwrap());
            }
            other => panic!("{other:?}"),
        }
    }
}
