//! From a hyper request head to the engine's [`RequestHead`], with the proxy's
//! own header limits (431) and the request id.
//!
//! Contract: the engine sees what the client sent — method, the request-target
//! (origin-form for HTTP/2, whose `:path` is the origin-form), every header in
//! order (HTTP/2's `:authority` as `host`), the peer address and whether TLS
//! was used — so client lists, trusted proxies and rate limits work as in the
//! other front ends.

use crate::proxy::error::ProxyError;
use http::header::HeaderName;
use http::request::Parts;
use http::Version;
use palisade_engine::request::{Header, HttpVersion, RequestHead};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};

/// The request id header, passed through when valid, generated otherwise.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest request id accepted from a client.
const MAX_REQUEST_ID: usize = 128;

/// Checks the header limits and builds the engine's view of the head.
pub fn engine_head(
    parts: &Parts,
    peer: SocketAddr,
    tls: bool,
    max_headers: usize,
    max_header_bytes: usize,
) -> Result<RequestHead, ProxyError> {
    if parts.headers.len() > max_headers {
        return Err(ProxyError::HeadersTooLarge);
    }
    let mut bytes = 0usize;
    let mut headers = Vec::with_capacity(parts.headers.len() + 1);
    let h2 = parts.version == Version::HTTP_2;
    if h2 && !parts.headers.contains_key(http::header::HOST) {
        if let Some(authority) = parts.uri.authority() {
            headers.push(Header {
                name: "host".to_string(),
                value: authority.as_str().as_bytes().to_vec(),
            });
        }
    }
    for (name, value) in &parts.headers {
        bytes = bytes.saturating_add(name.as_str().len() + value.len());
        if bytes > max_header_bytes {
            return Err(ProxyError::HeadersTooLarge);
        }
        headers.push(Header {
            name: name.as_str().to_string(),
            value: value.as_bytes().to_vec(),
        });
    }
    let uri = if h2 || parts.uri.scheme().is_none() {
        parts
            .uri
            .path_and_query()
            .map_or(b"/".to_vec(), |p| p.as_str().as_bytes().to_vec())
    } else {
        parts.uri.to_string().into_bytes()
    };
    Ok(RequestHead {
        method: parts.method.as_str().to_string(),
        uri,
        version: match parts.version {
            Version::HTTP_10 | Version::HTTP_09 => HttpVersion::Http10,
            Version::HTTP_2 => HttpVersion::Http2,
            Version::HTTP_3 => HttpVersion::Http3,
            _ => HttpVersion::Http11,
        },
        headers,
        peer: Some(peer),
        tls,
    })
}

/// Generates request ids: a per-process random prefix and a counter, so ids
/// are unique without a lock or a random draw per request.
pub struct RequestIds {
    prefix: u64,
    next: AtomicU64,
}

impl Default for RequestIds {
    fn default() -> Self {
        RequestIds::new()
    }
}

impl RequestIds {
    pub fn new() -> RequestIds {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        h.write_u32(std::process::id());
        RequestIds {
            prefix: h.finish(),
            next: AtomicU64::new(1),
        }
    }

    /// The client's id when it is short and plain, else a new one.
    pub fn for_request(&self, parts: &Parts) -> String {
        if let Some(v) = parts.headers.get(&REQUEST_ID) {
            let b = v.as_bytes();
            if !b.is_empty()
                && b.len() <= MAX_REQUEST_ID
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || b"-_.:".contains(c))
            {
                return String::from_utf8_lossy(b).into_owned();
            }
        }
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let mut id = String::with_capacity(32);
        crate::addr_text::push_hex(&mut id, self.prefix, 16);
        crate::addr_text::push_hex(&mut id, n, 16);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(req: http::Request<()>) -> Parts {
        req.into_parts().0
    }

    #[test]
    fn h2_authority_becomes_host_and_path_is_origin_form() {
        let p = parts(
            http::Request::builder()
                .version(Version::HTTP_2)
                .uri("https://example.com/a?b=1")
                .body(())
                .unwrap(),
        );
        let head = engine_head(&p, "127.0.0.1:1".parse().unwrap(), true, 10, 4096).unwrap();
        assert_eq!(head.uri, b"/a?b=1");
        assert_eq!(head.host(), Some(&b"example.com"[..]));
        assert_eq!(head.version, HttpVersion::Http2);
    }

    #[test]
    fn header_limits_give_431() {
        let mut b = http::Request::builder().uri("/");
        for i in 0..5 {
            b = b.header(format!("x-{i}"), "v");
        }
        let p = parts(b.body(()).unwrap());
        assert_eq!(
            engine_head(&p, "127.0.0.1:1".parse().unwrap(), false, 4, 4096),
            Err(ProxyError::HeadersTooLarge)
        );
        assert_eq!(
            engine_head(&p, "127.0.0.1:1".parse().unwrap(), false, 10, 8),
            Err(ProxyError::HeadersTooLarge)
        );
    }

    #[test]
    fn request_ids_pass_through_only_when_plain() {
        let ids = RequestIds::new();
        let ok = parts(
            http::Request::builder()
                .header("x-request-id", "abc-1")
                .body(())
                .unwrap(),
        );
        assert_eq!(ids.for_request(&ok), "abc-1");
        let bad = parts(
            http::Request::builder()
                .header("x-request-id", "a b")
                .body(())
                .unwrap(),
        );
        let id = ids.for_request(&bad);
        assert_eq!(id.len(), 32);
        assert_ne!(id, ids.for_request(&bad));
    }
}
