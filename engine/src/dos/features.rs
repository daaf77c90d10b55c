//! The features the DoS model sees of each request: who (client), where
//! (site), and a handful of categorical traits used to learn the normal mix and
//! to describe attack traffic (path, method, user agent, header-order
//! fingerprint, cookie and Accept-Language presence, protocol version).

use super::sketch::hash64;
use crate::request::{HttpVersion, RequestHead};
use std::borrow::Cow;
use std::net::IpAddr;

/// Number of categorical features.
pub const FEATURES: usize = 7;

/// Names of the categorical features, in index order.
pub const FEATURE_NAMES: [&str; FEATURES] = [
    "path",
    "method",
    "user_agent",
    "header_order",
    "cookie",
    "accept_language",
    "version",
];

/// One request as the DoS model sees it.
#[derive(Debug, Clone)]
pub struct RequestFeatures<'a> {
    /// The protected site (host).
    pub site: Cow<'a, str>,
    /// The client's key (IPv4 address, or IPv6 /64).
    pub client: u64,
    /// Hashes of the categorical features.
    pub values: [u64; FEATURES],
    /// Human-readable values, for explaining signatures.
    pub labels: [Cow<'a, str>; FEATURES],
}

/// The key of a client address: IPv4 as is, IPv6 by its /64 (one subscriber).
pub fn client_key(ip: IpAddr) -> u64 {
    match ip {
        IpAddr::V4(v4) => hash64(&v4.octets()),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => hash64(&v4.octets()),
            None => hash64(v6.octets().get(..8).unwrap_or_default()),
        },
    }
}

fn path_prefix(path: &[u8]) -> &[u8] {
    // The first two segments: `/product/123/reviews` -> `/product/123`.
    let mut slashes = 0;
    for (i, &b) in path.iter().enumerate() {
        if b == b'/' {
            slashes += 1;
            if slashes == 3 {
                return path.get(..i).unwrap_or(path);
            }
        }
        if b == b'?' {
            return path.get(..i).unwrap_or(path);
        }
    }
    path
}

impl<'a> RequestFeatures<'a> {
    /// Extracts features from a head; `client` is the resolved client address.
    pub fn from_head(
        head: &'a RequestHead,
        site: &'a str,
        client: Option<IpAddr>,
    ) -> RequestFeatures<'a> {
        let path = path_prefix(head.path());
        let ua = head.header("user-agent").unwrap_or_default();
        let mut order = Vec::with_capacity(head.headers.len() * 8);
        for h in &head.headers {
            order.extend(h.name.bytes().map(|b| b.to_ascii_lowercase()));
            order.push(b',');
        }
        let cookie = head.header("cookie").is_some();
        let lang = head.header("accept-language").is_some();
        let version = match (head.version, head.tls) {
            (HttpVersion::Http10, _) => "http/1.0",
            (HttpVersion::Http11, false) => "http/1.1",
            (HttpVersion::Http11, true) => "https/1.1",
            (HttpVersion::Http2, _) => "h2",
            (HttpVersion::Http3, _) => "h3",
        };
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        let order_hash = hash64(&order);
        RequestFeatures {
            site: Cow::Borrowed(site),
            client: client.map(client_key).unwrap_or(0),
            values: [
                hash64(path),
                hash64(head.method.as_bytes()),
                hash64(ua),
                order_hash,
                u64::from(cookie),
                u64::from(lang),
                hash64(version.as_bytes()),
            ],
            labels: [
                String::from_utf8_lossy(path),
                Cow::Borrowed(head.method.as_str()),
                String::from_utf8_lossy(ua),
                Cow::Borrowed(""),
                Cow::Borrowed(yes_no(cookie)),
                Cow::Borrowed(yes_no(lang)),
                Cow::Borrowed(version),
            ],
        }
    }
}
