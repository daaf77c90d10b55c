//! Header rewriting between client and upstream.
//!
//! Toward the upstream: hop-by-hop headers (RFC 9110 §7.6.1 and any named in
//! `Connection`) are removed, `Expect` is answered by the proxy and dropped,
//! framing headers are recomputed from the body, `Host` is preserved or
//! rewritten, `X-Forwarded-For`/`-Proto`/`-Host` and `Forwarded` are set, and
//! `X-Request-Id` is set. Forwarding headers from the client are kept (and
//! appended to) only when the peer is a trusted proxy in the policy; otherwise
//! they are replaced, so an upstream never trusts a value a client invented.
//! Toward the client: hop-by-hop headers of the upstream response are removed
//! and the request id is added.

use crate::addr_text;
use crate::proxy::config::HostHeader;
use crate::proxy::head::REQUEST_ID;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use std::net::IpAddr;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
const KEEP_ALIVE: HeaderName = HeaderName::from_static("keep-alive");
const PROXY_CONNECTION: HeaderName = HeaderName::from_static("proxy-connection");

const HOP_BY_HOP_COUNT: usize = 9;
/// Headers that never cross the proxy.
const HOP_BY_HOP: [HeaderName; HOP_BY_HOP_COUNT] = [
    header::CONNECTION,
    KEEP_ALIVE,
    PROXY_CONNECTION,
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

/// Removes hop-by-hop headers, including those the `Connection` header names.
pub fn strip_hop_by_hop(headers: &mut HeaderMap) {
    // One pass over the names first, noting which are present: most
    // messages carry none or one (`Connection: keep-alive`), and a removal
    // is a hash lookup.
    let mut present = [false; HOP_BY_HOP_COUNT];
    for name in headers.keys() {
        if let Some(i) = HOP_BY_HOP.iter().position(|h| h == name) {
            if let Some(slot) = present.get_mut(i) {
                *slot = true;
            }
        }
    }
    if !present.contains(&true) {
        return;
    }
    // `Connection` is first in the list.
    if present.first() == Some(&true) {
        let named: Vec<HeaderName> = headers
            .get_all(header::CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|t| HeaderName::from_bytes(t.trim().as_bytes()).ok())
            .filter(|name| !HOP_BY_HOP.contains(name))
            .collect();
        for name in named {
            headers.remove(name);
        }
    }
    for (name, present) in HOP_BY_HOP.into_iter().zip(present) {
        if present {
            headers.remove(name);
        }
    }
}

/// What the forwarding headers say about the client connection.
pub struct ClientFacts<'a> {
    pub peer: IpAddr,
    pub tls: bool,
    /// The host the client asked for (`Host` or `:authority`).
    pub host: Option<&'a HeaderValue>,
    /// Whether the peer is a trusted proxy (its forwarding headers are kept).
    pub trusted_peer: bool,
    pub request_id: &'a str,
}

/// Appends the `for=` node of `ip` to a `Forwarded` element (RFC 7239
/// §6: an IPv6 address is bracketed and quoted).
fn push_forwarded_node(out: &mut String, ip: IpAddr) {
    match ip {
        IpAddr::V4(v4) => addr_text::push_ipv4(out, v4),
        IpAddr::V6(_) => {
            out.push_str("\"[");
            addr_text::push_ip(out, ip);
            out.push_str("]\"");
        }
    }
}

fn append_or_set(headers: &mut HeaderMap, name: HeaderName, value: String, keep: bool, sep: &str) {
    let combined = match headers
        .get_all(&name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
    {
        prior if keep && !prior.is_empty() => format!("{}{sep}{value}", prior.join(sep)),
        _ => value,
    };
    headers.remove(&name);
    if let Ok(v) = HeaderValue::from_str(&combined) {
        headers.insert(name, v);
    }
}

/// Rewrites a client request's headers for the upstream.
/// `upgrade` keeps `Connection: upgrade` and `Upgrade` for a tunnel.
pub fn request_headers(
    headers: &mut HeaderMap,
    facts: &ClientFacts<'_>,
    host_mode: HostHeader,
    upstream_authority: &str,
    upgrade: Option<HeaderValue>,
) {
    strip_hop_by_hop(headers);
    headers.remove(header::EXPECT);
    headers.remove(header::CONTENT_LENGTH);
    let proto = if facts.tls { "https" } else { "http" };
    let host_value = facts.host.cloned();
    match (host_mode, &host_value) {
        (HostHeader::Preserve, Some(h)) => {
            headers.insert(header::HOST, h.clone());
        }
        _ => {
            if let Ok(v) = HeaderValue::from_str(upstream_authority) {
                headers.insert(header::HOST, v);
            }
        }
    }
    let keep = facts.trusted_peer;
    append_or_set(
        headers,
        X_FORWARDED_FOR,
        addr_text::ip_text(facts.peer),
        keep,
        ", ",
    );
    if !keep || !headers.contains_key(&X_FORWARDED_PROTO) {
        headers.insert(X_FORWARDED_PROTO, HeaderValue::from_static(proto));
    }
    if let Some(h) = &host_value {
        if !keep || !headers.contains_key(&X_FORWARDED_HOST) {
            headers.insert(X_FORWARDED_HOST, h.clone());
        }
    }
    let mut forwarded = String::with_capacity(64);
    forwarded.push_str("for=");
    push_forwarded_node(&mut forwarded, facts.peer);
    forwarded.push_str(";proto=");
    forwarded.push_str(proto);
    if let Some(h) = host_value.as_ref().and_then(|h| h.to_str().ok()) {
        if h.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
        {
            forwarded.push_str(";host=\"");
            forwarded.push_str(h);
            forwarded.push('"');
        }
    }
    append_or_set(headers, header::FORWARDED, forwarded, keep, ", ");
    if let Ok(v) = HeaderValue::from_str(facts.request_id) {
        headers.insert(REQUEST_ID, v);
    }
    if let Some(protocol) = upgrade {
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(header::UPGRADE, protocol);
    }
}

/// Rewrites an upstream response's headers for the client.
pub fn response_headers(headers: &mut HeaderMap, request_id: &str, upgrade: bool) {
    let protocol = if upgrade {
        headers.get(header::UPGRADE).cloned()
    } else {
        None
    };
    strip_hop_by_hop(headers);
    if let Some(p) = protocol {
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(header::UPGRADE, p);
    }
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert(REQUEST_ID, v);
    }
}

/// For an HTTP/1.1 upgrade request (`Connection: upgrade` + `Upgrade`), the
/// protocol asked for.
pub fn upgrade_protocol(headers: &HeaderMap) -> Option<HeaderValue> {
    let asks = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case("upgrade"));
    if asks {
        headers.get(header::UPGRADE).cloned()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(host: &'a HeaderValue, trusted: bool) -> ClientFacts<'a> {
        ClientFacts {
            peer: "192.0.2.7".parse().unwrap(),
            tls: true,
            host: Some(host),
            trusted_peer: trusted,
            request_id: "rid",
        }
    }

    #[test]
    fn hop_by_hop_and_forwarding() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONNECTION,
            HeaderValue::from_static("close, x-secret"),
        );
        h.insert("x-secret", HeaderValue::from_static("1"));
        h.insert(header::TE, HeaderValue::from_static("trailers"));
        h.insert(header::EXPECT, HeaderValue::from_static("100-continue"));
        h.insert(X_FORWARDED_FOR, HeaderValue::from_static("6.6.6.6"));
        let host = HeaderValue::from_static("app.example");
        request_headers(
            &mut h,
            &facts(&host, false),
            HostHeader::Preserve,
            "10.0.0.1:80",
            None,
        );
        assert!(h.get("x-secret").is_none());
        assert!(h.get(header::TE).is_none());
        assert!(h.get(header::EXPECT).is_none());
        assert!(h.get(header::CONNECTION).is_none());
        assert_eq!(h[X_FORWARDED_FOR], "192.0.2.7");
        assert_eq!(h[X_FORWARDED_PROTO], "https");
        assert_eq!(h[X_FORWARDED_HOST], "app.example");
        assert_eq!(
            h[header::FORWARDED],
            "for=192.0.2.7;proto=https;host=\"app.example\""
        );
        assert_eq!(h[header::HOST], "app.example");
        assert_eq!(h[REQUEST_ID], "rid");
    }

    #[test]
    fn every_hop_by_hop_header_goes_and_end_to_end_ones_stay() {
        for hop in HOP_BY_HOP {
            let mut h = HeaderMap::new();
            h.append(hop.clone(), HeaderValue::from_static("a"));
            h.append(hop.clone(), HeaderValue::from_static("b"));
            h.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
            h.insert("x-trace", HeaderValue::from_static("t"));
            strip_hop_by_hop(&mut h);
            assert!(h.get(&hop).is_none(), "{hop} kept");
            assert_eq!(h.len(), 2, "{hop}: {h:?}");
        }
        // Named in `Connection` (any case, several values), with and
        // without a listed hop-by-hop header beside it.
        let mut h = HeaderMap::new();
        h.append(
            header::CONNECTION,
            HeaderValue::from_static("X-One , keep-alive"),
        );
        h.append(header::CONNECTION, HeaderValue::from_static("x-two"));
        for name in ["x-one", "x-two", "x-three"] {
            h.insert(name, HeaderValue::from_static("1"));
        }
        strip_hop_by_hop(&mut h);
        assert!(h.get("x-one").is_none() && h.get("x-two").is_none());
        assert_eq!(h.len(), 1, "{h:?}");
        let mut untouched = HeaderMap::new();
        untouched.insert("x-one", HeaderValue::from_static("1"));
        strip_hop_by_hop(&mut untouched);
        assert_eq!(untouched.len(), 1);
    }

    #[test]
    fn trusted_peer_appends_and_host_rewrite() {
        let mut h = HeaderMap::new();
        h.insert(X_FORWARDED_FOR, HeaderValue::from_static("203.0.113.9"));
        let host = HeaderValue::from_static("app.example");
        request_headers(
            &mut h,
            &facts(&host, true),
            HostHeader::Upstream,
            "10.0.0.1:80",
            None,
        );
        assert_eq!(h[X_FORWARDED_FOR], "203.0.113.9, 192.0.2.7");
        assert_eq!(h[header::HOST], "10.0.0.1:80");
    }

    #[test]
    fn upgrade_is_kept_for_tunnels() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONNECTION,
            HeaderValue::from_static("keep-alive, Upgrade"),
        );
        h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        let proto = upgrade_protocol(&h);
        assert_eq!(proto.as_ref().unwrap(), "websocket");
        let host = HeaderValue::from_static("x");
        request_headers(
            &mut h,
            &facts(&host, false),
            HostHeader::Preserve,
            "u:1",
            proto,
        );
        assert_eq!(h[header::CONNECTION], "upgrade");
        assert_eq!(h[header::UPGRADE], "websocket");
    }
}
