//! IP networks in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`, or a bare
//! address meaning a single host), and the rule for finding the real client
//! address behind trusted proxies.

use crate::request::RequestHead;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An IPv4 or IPv6 network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

/// Why a CIDR string did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid network `{0}`: expected an address or address/prefix such as 10.0.0.0/8")]
pub struct CidrError(pub String);

fn bits(addr: IpAddr) -> (u128, u8) {
    match addr {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
        IpAddr::V6(v6) => (u128::from(v6), 128),
    }
}

fn mask(prefix: u8, width: u8) -> u128 {
    let host_bits = u32::from(width.saturating_sub(prefix));
    let all = if width == 32 {
        u128::from(u32::MAX)
    } else {
        u128::MAX
    };
    match 1u128.checked_shl(host_bits) {
        Some(one) => all & !(one - 1),
        None => 0,
    }
}

impl Cidr {
    /// Whether `addr` is inside this network (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, addr: IpAddr) -> bool {
        let addr = match addr {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(addr),
            v4 => v4,
        };
        let (net, width) = bits(self.network);
        let (a, a_width) = bits(addr);
        if width != a_width {
            return false;
        }
        let m = mask(self.prefix, width);
        net & m == a & m
    }
}

impl FromStr for Cidr {
    type Err = CidrError;
    fn from_str(text: &str) -> Result<Cidr, CidrError> {
        let err = || CidrError(text.to_string());
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text.trim(), None),
        };
        let network: IpAddr = addr.parse().map_err(|_| err())?;
        let width = bits(network).1;
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().map_err(|_| err())?,
            None => width,
        };
        if prefix > width {
            return Err(err());
        }
        Ok(Cidr { network, prefix })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl<'de> serde::Deserialize<'de> for Cidr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Cidr, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Whether any network in the list contains `addr`.
pub fn any_contains(list: &[Cidr], addr: IpAddr) -> bool {
    list.iter().any(|c| c.contains(addr))
}

fn parse_forwarded_for(value: &str) -> Option<IpAddr> {
    let v = value.trim().trim_matches('"');
    if let Some(rest) = v.strip_prefix('[') {
        // [v6]:port
        return rest.split(']').next()?.parse().ok();
    }
    if let Ok(ip) = v.parse() {
        return Some(ip);
    }
    // v4:port
    v.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok())
}

/// The addresses a request says it was forwarded for, nearest proxy last:
/// `X-Forwarded-For` entries, else `Forwarded: for=` entries.
fn forwarded_chain(head: &RequestHead) -> Vec<IpAddr> {
    let mut chain = Vec::new();
    for value in head.header_values("x-forwarded-for") {
        for part in String::from_utf8_lossy(value).split(',') {
            if let Some(ip) = parse_forwarded_for(part) {
                chain.push(ip);
            }
        }
    }
    if chain.is_empty() {
        for value in head.header_values("forwarded") {
            for element in String::from_utf8_lossy(value).split(',') {
                for pair in element.split(';') {
                    if let Some((k, v)) = pair.split_once('=') {
                        if k.trim().eq_ignore_ascii_case("for") {
                            if let Some(ip) = parse_forwarded_for(v) {
                                chain.push(ip);
                            }
                        }
                    }
                }
            }
        }
    }
    chain
}

/// The client address: the peer, unless the peer is a trusted proxy, in which
/// case the forwarding chain is walked from the nearest hop back, skipping
/// trusted proxies; the first untrusted address is the client. Headers from an
/// untrusted peer are ignored (anyone can send them).
pub fn client_ip(peer: IpAddr, head: &RequestHead, trusted: &[Cidr]) -> IpAddr {
    if !any_contains(trusted, peer) {
        return peer;
    }
    let chain = forwarded_chain(head);
    let mut client = peer;
    for hop in chain.iter().rev() {
        client = *hop;
        if !any_contains(trusted, *hop) {
            return client;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn contains_v4_and_v6() {
        let net: Cidr = "10.1.0.0/16".parse().unwrap();
        assert!(net.contains(ip("10.1.200.3")));
        assert!(!net.contains(ip("10.2.0.1")));
        assert!(net.contains(ip("::ffff:10.1.0.9")));
        let v6: Cidr = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:1::5")));
        assert!(!v6.contains(ip("10.1.0.1")));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.9")));
        let host: Cidr = "192.0.2.7".parse().unwrap();
        assert!(host.contains(ip("192.0.2.7")) && !host.contains(ip("192.0.2.8")));
    }

    #[test]
    fn rejects_bad_networks() {
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        assert!("nonsense".parse::<Cidr>().is_err());
    }

    #[test]
    fn forwarded_for_only_from_trusted_peers() {
        let trusted: Vec<Cidr> = vec!["10.0.0.0/8".parse().unwrap()];
        let head =
            RequestHead::new("GET", b"/").with_header("X-Forwarded-For", "203.0.113.5, 10.0.0.7");
        assert_eq!(
            client_ip(ip("10.0.0.1"), &head, &trusted),
            ip("203.0.113.5")
        );
        assert_eq!(
            client_ip(ip("198.51.100.1"), &head, &trusted),
            ip("198.51.100.1")
        );
        let spoof =
            RequestHead::new("GET", b"/").with_header("X-Forwarded-For", "1.2.3.4, 203.0.113.5");
        assert_eq!(
            client_ip(ip("10.0.0.1"), &spoof, &trusted),
            ip("203.0.113.5")
        );
        let fwd = RequestHead::new("GET", b"/")
            .with_header("Forwarded", "for=\"[2001:db8::1]:443\";proto=https");
        assert_eq!(client_ip(ip("10.0.0.1"), &fwd, &trusted), ip("2001:db8::1"));
    }
}
