//! Link layers: strips the link header of a captured frame and says which
//! network protocol follows. Ethernet (with stacked 802.1Q / 802.1ad VLAN
//! tags), Linux cooked capture v1 and v2, BSD null and OpenBSD loop, and
//! raw IP.

/// Link-layer header type numbers (LINKTYPE_* as stored in pcap/pcapng).
pub mod linktype {
    pub const NULL: u32 = 0;
    pub const ETHERNET: u32 = 1;
    /// LINKTYPE 12 and 14 are raw IP on the systems that write them.
    pub const RAW_12: u32 = 12;
    pub const RAW_14: u32 = 14;
    pub const RAW: u32 = 101;
    pub const LOOP: u32 = 108;
    pub const LINUX_SLL: u32 = 113;
    pub const IPV4: u32 = 228;
    pub const IPV6: u32 = 229;
    pub const LINUX_SLL2: u32 = 276;
}

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86DD;
const ETHERTYPE_VLAN: u16 = 0x8100;
const ETHERTYPE_QINQ: u16 = 0x88A8;
const ETHERTYPE_QINQ_OLD: u16 = 0x9100;
/// VLAN tags followed before giving up on a frame.
const MAX_VLAN_TAGS: usize = 8;

/// The network-layer packet inside a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Network<'a> {
    Ipv4(&'a [u8]),
    Ipv6(&'a [u8]),
    /// Not IP (ARP, LLC, ...) or too short: ignored.
    Other,
}

fn be16(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*data.get(at)?, *data.get(at + 1)?]))
}

fn by_ethertype(ethertype: u16, payload: &[u8]) -> Network<'_> {
    match ethertype {
        ETHERTYPE_IPV4 => Network::Ipv4(payload),
        ETHERTYPE_IPV6 => Network::Ipv6(payload),
        _ => Network::Other,
    }
}

fn by_version(payload: &[u8]) -> Network<'_> {
    match payload.first().map(|b| b >> 4) {
        Some(4) => Network::Ipv4(payload),
        Some(6) => Network::Ipv6(payload),
        _ => Network::Other,
    }
}

/// BSD address family values for IPv4 and the IPv6 values various BSDs use.
fn by_family(family: u32, payload: &[u8]) -> Network<'_> {
    match family {
        2 => Network::Ipv4(payload),
        10 | 24 | 28 | 30 => Network::Ipv6(payload),
        _ => Network::Other,
    }
}

fn ethernet(frame: &[u8]) -> Network<'_> {
    let mut at = 12;
    for _ in 0..=MAX_VLAN_TAGS {
        let Some(ethertype) = be16(frame, at) else {
            return Network::Other;
        };
        match ethertype {
            ETHERTYPE_VLAN | ETHERTYPE_QINQ | ETHERTYPE_QINQ_OLD => at += 4,
            _ => return by_ethertype(ethertype, frame.get(at + 2..).unwrap_or_default()),
        }
    }
    Network::Other
}

/// Decodes a frame of link type `link`; `None` for link types not handled.
pub(crate) fn decode(link: u32, frame: &[u8]) -> Option<Network<'_>> {
    use linktype::*;
    let network = match link {
        ETHERNET => ethernet(frame),
        LINUX_SLL => match be16(frame, 14) {
            Some(proto) => by_ethertype(proto, frame.get(16..).unwrap_or_default()),
            None => Network::Other,
        },
        LINUX_SLL2 => match be16(frame, 0) {
            Some(proto) => by_ethertype(proto, frame.get(20..).unwrap_or_default()),
            None => Network::Other,
        },
        NULL | LOOP => match frame.get(..4) {
            Some(f) => {
                let payload = frame.get(4..).unwrap_or_default();
                let bytes = [f[0], f[1], f[2], f[3]];
                // NULL is in the writer's byte order, LOOP in network order:
                // small family numbers tell the order apart.
                let be = u32::from_be_bytes(bytes);
                let family = if be < 256 {
                    be
                } else {
                    u32::from_le_bytes(bytes)
                };
                by_family(family, payload)
            }
            None => Network::Other,
        },
        RAW | RAW_12 | RAW_14 => by_version(frame),
        IPV4 => Network::Ipv4(frame),
        IPV6 => Network::Ipv6(frame),
        _ => return None,
    };
    Some(network)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ethernet_with_stacked_vlans() {
        let mut frame = vec![0u8; 12];
        frame.extend_from_slice(&[0x88, 0xA8, 0, 1, 0x81, 0x00, 0, 2, 0x08, 0x00, 0x45]);
        assert_eq!(
            decode(linktype::ETHERNET, &frame),
            Some(Network::Ipv4(&[0x45]))
        );
    }

    #[test]
    fn cooked_and_loopback_and_raw() {
        let mut sll = vec![0u8; 14];
        sll.extend_from_slice(&[0x86, 0xDD, 0x60]);
        assert_eq!(
            decode(linktype::LINUX_SLL, &sll),
            Some(Network::Ipv6(&[0x60]))
        );
        let mut sll2 = vec![0x08, 0x00];
        sll2.extend_from_slice(&[0u8; 18]);
        sll2.push(0x45);
        assert_eq!(
            decode(linktype::LINUX_SLL2, &sll2),
            Some(Network::Ipv4(&[0x45]))
        );
        assert_eq!(
            decode(linktype::NULL, &[2, 0, 0, 0, 0x45]),
            Some(Network::Ipv4(&[0x45]))
        );
        assert_eq!(
            decode(linktype::LOOP, &[0, 0, 0, 24, 0x60]),
            Some(Network::Ipv6(&[0x60]))
        );
        assert_eq!(decode(linktype::RAW, &[0x45]), Some(Network::Ipv4(&[0x45])));
        assert_eq!(decode(147, &[0x45]), None);
        assert_eq!(decode(linktype::ETHERNET, &[1, 2, 3]), Some(Network::Other));
    }
}
