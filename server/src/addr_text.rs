//! Text of IP and socket addresses and of request ids, written byte by
//! byte for the per-request paths (forwarding headers, audit records).
//!
//! `core::fmt` formats an `Ipv4Addr` through its padding-aware `Display`
//! (about 1,300 instructions a call, and a proxied request needed five such
//! calls); these write the same text directly. IPv6 addresses keep the
//! standard library's form (compression of zero runs, embedded IPv4, scope
//! ids), which is rare enough on these paths to go through `Display`.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Appends the dotted-quad text of `ip` (what `Ipv4Addr`'s `Display` writes).
pub fn push_ipv4(out: &mut String, ip: Ipv4Addr) {
    let mut text = [0u8; 15];
    let mut len = 0;
    put_ipv4(&mut text, &mut len, ip);
    push_ascii(out, &text, len);
}

/// Appends the text of `ip` (what its `Display` writes).
pub fn push_ip(out: &mut String, ip: IpAddr) {
    match ip {
        IpAddr::V4(v4) => push_ipv4(out, v4),
        IpAddr::V6(v6) => {
            let _ = write!(out, "{v6}");
        }
    }
}

/// The text of `ip` (what its `Display` writes).
pub fn ip_text(ip: IpAddr) -> String {
    let mut out = String::with_capacity(15);
    push_ip(&mut out, ip);
    out
}

/// The text of `addr` (what its `Display` writes: `1.2.3.4:80`, `[::1]:80`).
pub fn socket_text(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(v4) => {
            let mut text = [0u8; 21];
            let mut len = 0;
            put_ipv4(&mut text, &mut len, *v4.ip());
            put(&mut text, &mut len, b':');
            put_decimal(&mut text, &mut len, v4.port());
            let mut out = String::with_capacity(len);
            push_ascii(&mut out, &text, len);
            out
        }
        SocketAddr::V6(v6) => v6.to_string(),
    }
}

// The text is built in a stack buffer and appended at once: a
// `String::push` a character cost about 20 instructions.

/// Writes the dotted quad of `ip` at `len`.
fn put_ipv4(text: &mut [u8], len: &mut usize, ip: Ipv4Addr) {
    for (i, octet) in ip.octets().into_iter().enumerate() {
        if i > 0 {
            put(text, len, b'.');
        }
        put_decimal(text, len, u16::from(octet));
    }
}

/// Writes `n` in decimal, without leading zeros, at `len`.
fn put_decimal(text: &mut [u8], len: &mut usize, n: u16) {
    let mut place = 10_000;
    while place > 1 && n < place {
        place /= 10;
    }
    while place > 0 {
        put(text, len, b'0' + (n / place % 10) as u8);
        place /= 10;
    }
}

/// Writes `byte` at `len` in `text` and counts it.
fn put(text: &mut [u8], len: &mut usize, byte: u8) {
    if let Some(slot) = text.get_mut(*len) {
        *slot = byte;
    }
    *len += 1;
}

/// Appends the first `len` bytes of `text` (ASCII written by `put`).
fn push_ascii(out: &mut String, text: &[u8], len: usize) {
    out.push_str(std::str::from_utf8(text.get(..len).unwrap_or_default()).unwrap_or_default());
}

/// Appends the low `digits` hex digits of `n`, lowercase, zero padded
/// (what `{:016x}` writes for 16 and an `n` that fits).
pub fn push_hex(out: &mut String, n: u64, digits: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for place in (0..digits.min(16)).rev() {
        let nibble = (n >> (place * 4)) & 0xf;
        out.push(char::from(HEX[nibble as usize]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv6Addr, SocketAddrV6};

    #[test]
    fn ipv4_text_is_display_for_every_octet_in_every_place() {
        for octet in 0..=255u8 {
            for place in 0..4 {
                let mut octets = [10, 0, 200, 7];
                octets[place] = octet;
                let ip = Ipv4Addr::from(octets);
                assert_eq!(ip_text(IpAddr::V4(ip)), ip.to_string());
            }
        }
        for ip in [
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::BROADCAST,
            Ipv4Addr::LOCALHOST,
        ] {
            assert_eq!(ip_text(IpAddr::V4(ip)), ip.to_string());
        }
    }

    #[test]
    fn socket_text_is_display() {
        let mut addrs: Vec<SocketAddr> = [0u16, 1, 9, 10, 80, 443, 8080, 9999, 10000, 65535]
            .into_iter()
            .map(|port| SocketAddr::from(([127, 0, 0, 1], port)))
            .collect();
        addrs.push(SocketAddr::V6(SocketAddrV6::new(
            Ipv6Addr::LOCALHOST,
            443,
            0,
            0,
        )));
        addrs.push(SocketAddr::V6(SocketAddrV6::new(
            "fe80::1".parse().unwrap_or(Ipv6Addr::LOCALHOST),
            8443,
            0,
            3,
        )));
        for addr in addrs {
            assert_eq!(socket_text(addr), addr.to_string());
        }
    }

    #[test]
    fn ipv6_keeps_the_standard_form() {
        for text in [
            "::1",
            "2001:db8::8a2e:370:7334",
            "::ffff:192.0.2.1",
            "fe80::",
        ] {
            let ip: IpAddr = text.parse().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
            assert_eq!(ip_text(ip), ip.to_string());
        }
    }

    #[test]
    fn hex_is_zero_padded_lowercase() {
        for n in [0u64, 1, 0xabc, 0xdead_beef_0000_0001, u64::MAX] {
            let mut out = String::new();
            push_hex(&mut out, n, 16);
            assert_eq!(out, format!("{n:016x}"));
            let mut low = String::new();
            push_hex(&mut low, n & 0xffff_ffff, 8);
            assert_eq!(low, format!("{:08x}", n & 0xffff_ffff));
        }
    }
}
