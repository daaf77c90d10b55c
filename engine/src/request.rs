//! The request model: what the engine knows about a request before its body.

use std::net::SocketAddr;

/// The HTTP version a request arrived with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum HttpVersion {
    #[serde(rename = "HTTP/1.0")]
    Http10,
    #[serde(rename = "HTTP/1.1")]
    Http11,
    #[serde(rename = "HTTP/2")]
    Http2,
    #[serde(rename = "HTTP/3")]
    Http3,
}

/// One header as received: name (case preserved) and raw value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub value: Vec<u8>,
}

/// A request head: method, request-target, version, headers in order, peer, TLS.
///
/// The raw request-target is kept byte for byte; [`RequestHead::path`] and
/// [`RequestHead::query`] split it, and [`RequestHead::normalised_path`] gives the
/// decoded, dot-segment-free path used for routing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    pub method: String,
    /// The request-target exactly as received (origin-form or absolute-form).
    pub uri: Vec<u8>,
    pub version: HttpVersion,
    pub headers: Vec<Header>,
    pub peer: Option<SocketAddr>,
    pub tls: bool,
}

impl RequestHead {
    /// A head with no headers, for building by hand.
    pub fn new(method: &str, uri: &[u8]) -> RequestHead {
        RequestHead {
            method: method.to_string(),
            uri: uri.to_vec(),
            version: HttpVersion::Http11,
            headers: Vec::new(),
            peer: None,
            tls: false,
        }
    }

    /// Adds a header (builder style).
    pub fn with_header(mut self, name: &str, value: impl AsRef<[u8]>) -> RequestHead {
        self.headers.push(Header {
            name: name.to_string(),
            value: value.as_ref().to_vec(),
        });
        self
    }

    /// The origin-form part of the request-target: for absolute-form
    /// (`http://host/p?q`) the scheme and authority are dropped.
    pub fn origin_form(&self) -> &[u8] {
        let uri = self.uri.as_slice();
        let lower_starts = |prefix: &[u8]| {
            uri.len() >= prefix.len()
                && uri
                    .get(..prefix.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
        };
        for scheme in [&b"http://"[..], &b"https://"[..]] {
            if lower_starts(scheme) {
                let rest = uri.get(scheme.len()..).unwrap_or_default();
                return match rest.iter().position(|&b| b == b'/' || b == b'?') {
                    Some(i) => rest.get(i..).unwrap_or_default(),
                    None => b"/",
                };
            }
        }
        uri
    }

    /// The raw (undecoded) path, without the query and fragment.
    pub fn path(&self) -> &[u8] {
        let target = self.origin_form();
        let end = target
            .iter()
            .position(|&b| b == b'?' || b == b'#')
            .unwrap_or(target.len());
        target.get(..end).unwrap_or_default()
    }

    /// The raw query string (after `?`, before `#`), if any.
    pub fn query(&self) -> Option<&[u8]> {
        let target = self.origin_form();
        let start = target.iter().position(|&b| b == b'?')? + 1;
        let rest = target.get(start..)?;
        let end = rest.iter().position(|&b| b == b'#').unwrap_or(rest.len());
        rest.get(..end)
    }

    /// The decoded (`%XX` once) and normalised path, for routing and display.
    pub fn normalised_path(&self) -> Vec<u8> {
        let decoded = crate::transform::url_decode::url_decode(self.path());
        crate::transform::normalise_path::normalise_path(&decoded).into_owned()
    }

    /// Header values with this name (case-insensitive), in order.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_slice())
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_slice())
    }

    /// The `Host` header (or the authority of an absolute-form target).
    pub fn host(&self) -> Option<&[u8]> {
        self.header("host")
    }
}

/// Splits a `Cookie` header value into (name, value) pairs: `a=1; b=2`.
/// Values are kept raw; a pair without `=` is a name with an empty value.
pub fn cookie_pairs(header: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    header.split(|&b| b == b';').filter_map(|pair| {
        let pair = trim(pair);
        if pair.is_empty() {
            return None;
        }
        Some(match pair.iter().position(|&b| b == b'=') {
            Some(i) => (
                trim(pair.get(..i).unwrap_or_default()),
                trim(pair.get(i + 1..).unwrap_or_default()),
            ),
            None => (pair, &b""[..]),
        })
    })
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    bytes.get(start..end).unwrap_or_default()
}
