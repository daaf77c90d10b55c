//! The one place a check request becomes the engine's request model.
//!
//! [`to_engine`] takes what a proxy sent — Envoy's ext_authz `CheckRequest`, or
//! the headers of an nginx `auth_request` / Traefik ForwardAuth subrequest — and
//! returns the engine's [`RequestHead`], the body bytes the proxy sent and what is
//! known about the body's completeness. Both check front ends call it and nothing
//! else builds a head from a check, so a request gets the same head, and so the
//! same verdict, whichever way it arrives (`server/tests/authz_parity.rs` holds
//! us to that against a direct `Inspector::inspect`).
//!
//! # What the head holds
//!
//! - **method, request-target**: Envoy's `http.method` and `http.path` (the raw
//!   request-target with its query); nginx's `X-Original-Method` and
//!   `X-Original-URI` (`$request_uri`, raw), or ingress-nginx's `X-Original-URL`
//!   (the full URL: its path and query, and its authority as `Host`); Traefik's
//!   `X-Forwarded-Method` and `X-Forwarded-Uri`.
//! - **headers**: the client's headers, in the order received, minus what the
//!   proxy added to describe the request: Envoy's pseudo-headers (`:path`,
//!   `:authority`, ...) and its `x-envoy-auth-partial-body` marker; nginx's
//!   `X-Original-Method`, `X-Original-URI` and `X-Real-IP` (ingress-nginx's
//!   `X-Original-URL`, `X-Sent-From`, `X-Auth-Request-Redirect` and its `Host`,
//!   which names Palisade); Traefik's
//!   `X-Forwarded-Method/-Proto/-Host/-Uri/-Port/-Server` and `X-Real-Ip`; and
//!   in both auth shapes the subrequest's own connection and framing headers
//!   (`Connection`, `Keep-Alive`, `TE`, `Upgrade`, `Content-Length`,
//!   `Transfer-Encoding`, ...), which proxies never copy from the original.
//!   `Host` is the client's: Envoy's `http.host` when the map has no `host`
//!   (HTTP/2 sends `:authority`), the subrequest's `Host` for nginx (the config
//!   must say `proxy_set_header Host $host;`), `X-Forwarded-Host` for Traefik
//!   (its subrequest's own `Host` names Palisade and is dropped).
//!   `X-Forwarded-For` is kept: the engine reads it (below).
//! - **version**: Envoy's `http.protocol`; HTTP/1.1 for auth subrequests (the
//!   original version is not sent). **tls**: scheme `https` (Envoy's
//!   `http.scheme`, else `X-Forwarded-Proto`).
//!
//! # The peer address, and trusted proxies
//!
//! The engine finds the client itself (`palisade_engine::cidr::client_ip`): it
//! starts at [`RequestHead::peer`] and walks `X-Forwarded-For` / `Forwarded`
//! back only while the hops are in `policy.clients.trusted_proxies`. So `peer`
//! must be the address that connected *to the proxy* — exactly what the proxy
//! itself would have seen — never the proxy's own connection to Palisade:
//!
//! - **Envoy**: `attributes.source.address` (the downstream connection's remote
//!   address). Without one the head has no peer, and client lists and
//!   per-client rate limits do not apply to the request.
//! - **nginx, ingress-nginx**: `X-Real-IP` (`$remote_addr`), else the last `X-Forwarded-For`
//!   entry, else the TCP peer of the subrequest.
//! - **Traefik**: the last `X-Forwarded-For` entry (Traefik appends the address
//!   that connected to it), else `X-Real-Ip`, else the TCP peer.
//!
//! With the peer set this way, a chain such as client → load balancer → nginx →
//! Palisade resolves to the client exactly when the load balancer is listed in
//! `trusted_proxies`, as it would in the inline proxy. The check listeners take
//! these headers on trust, like the method and URI: only the proxy may be able
//! to reach them (docs/deploy/*.md).
//!
//! # The body
//!
//! Envoy sends the body when `with_request_body` is on (`raw_body` with
//! `pack_as_bytes`, else `body`). With `allow_partial_message` it sends at most
//! `max_request_bytes` and adds `x-envoy-auth-partial-body: true` when it cut the
//! body: that is [`BodyState::Truncated`], settled by the policy in
//! `authz::settle_truncated`. nginx and Traefik never send the body:
//! [`BodyState::Unavailable`], the head alone is inspected.

use envoy_types::pb::envoy::config::core::v3::address::Address;
use envoy_types::pb::envoy::service::auth::v3::CheckRequest;
use palisade_engine::request::{Header, HttpVersion, RequestHead};
use std::net::{IpAddr, SocketAddr};

/// Envoy's marker for a body it cut at `max_request_bytes`.
pub const PARTIAL_BODY_HEADER: &str = "x-envoy-auth-partial-body";

/// Longest request id taken from a proxy; longer ones are replaced.
const MAX_REQUEST_ID_BYTES: usize = 128;

/// What the check service knows about the request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyState {
    /// The body came whole (possibly empty).
    Complete,
    /// The proxy sent only the first bytes.
    Truncated,
    /// The proxy never sends bodies (auth subrequests): the head alone is inspected.
    Unavailable,
}

/// A check request in the engine's terms.
#[derive(Debug, Clone)]
pub struct EngineRequest {
    pub head: RequestHead,
    pub body: Vec<u8>,
    pub body_state: BodyState,
    /// The proxy's request id (Envoy's `x-request-id`, nginx's `$request_id`),
    /// when it is a plausible id; otherwise the service makes one.
    pub request_id: Option<String>,
}

/// What a check request arrives as.
#[derive(Debug)]
pub enum CheckSource<'a> {
    /// An ext_authz v3 `CheckRequest` (owned: the body moves out without a copy).
    Envoy(Box<CheckRequest>),
    /// The headers of an HTTP auth subrequest and the address it came from.
    AuthRequest {
        headers: &'a http::HeaderMap,
        peer: SocketAddr,
    },
}

/// Why a check request cannot be inspected. The caller's fault: gRPC
/// `INVALID_ARGUMENT`, HTTP 400.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    #[error("missing {0}")]
    Missing(&'static str),
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error(
        "not an auth subrequest: expected X-Original-Method and X-Original-URI (nginx auth_request), \
         X-Original-Method and X-Original-URL (ingress-nginx) \
         or X-Forwarded-Method and X-Forwarded-Uri (Traefik ForwardAuth)"
    )]
    UnknownShape,
}

/// Turns a check request into the engine's request model (see the module docs).
pub fn to_engine(source: CheckSource<'_>) -> Result<EngineRequest, ConvertError> {
    match source {
        CheckSource::Envoy(request) => from_envoy(*request),
        CheckSource::AuthRequest { headers, peer } => from_auth_request(headers, peer),
    }
}

fn from_envoy(request: CheckRequest) -> Result<EngineRequest, ConvertError> {
    let attributes = request
        .attributes
        .ok_or(ConvertError::Missing("attributes"))?;
    let source_address = attributes
        .source
        .and_then(|peer| peer.address)
        .and_then(|address| address.address);
    let http = attributes
        .request
        .ok_or(ConvertError::Missing("attributes.request"))?
        .http
        .ok_or(ConvertError::Missing("attributes.request.http"))?;
    if http.method.is_empty() {
        return Err(ConvertError::Missing("attributes.request.http.method"));
    }
    if http.path.is_empty() {
        return Err(ConvertError::Missing("attributes.request.http.path"));
    }
    let peer = match source_address {
        Some(Address::SocketAddress(socket)) => {
            let ip: IpAddr = socket.address.parse().map_err(|_| ConvertError::Invalid {
                field: "attributes.source.address",
                reason: format!("`{}` is not an IP address", socket.address),
            })?;
            let port = match socket.port_specifier {
                Some(envoy_types::pb::envoy::config::core::v3::socket_address::PortSpecifier::PortValue(p)) => {
                    u16::try_from(p).unwrap_or(0)
                }
                _ => 0,
            };
            Some(SocketAddr::new(ip, port))
        }
        // Pipes and internal addresses name no client.
        _ => None,
    };
    let mut headers: Vec<Header> = match http.header_map {
        Some(map) if !map.headers.is_empty() => map
            .headers
            .into_iter()
            .map(|h| Header {
                value: if h.raw_value.is_empty() {
                    h.value.into_bytes()
                } else {
                    h.raw_value
                },
                name: h.key,
            })
            .collect(),
        _ => {
            let mut list: Vec<Header> = http
                .headers
                .into_iter()
                .map(|(name, value)| Header {
                    name,
                    value: value.into_bytes(),
                })
                .collect();
            // A protobuf map has no order; sort so that a request always gives the same head.
            list.sort_by(|a, b| a.name.cmp(&b.name));
            list
        }
    };
    let truncated = headers.iter().any(|h| {
        h.name.eq_ignore_ascii_case(PARTIAL_BODY_HEADER) && h.value.eq_ignore_ascii_case(b"true")
    });
    headers
        .retain(|h| !h.name.starts_with(':') && !h.name.eq_ignore_ascii_case(PARTIAL_BODY_HEADER));
    if !http.host.is_empty() && !headers.iter().any(|h| h.name.eq_ignore_ascii_case("host")) {
        headers.insert(
            0,
            Header {
                name: "host".to_string(),
                value: http.host.into_bytes(),
            },
        );
    }
    let mut uri = http.path.into_bytes();
    if !http.query.is_empty() && !uri.contains(&b'?') {
        uri.push(b'?');
        uri.extend_from_slice(http.query.as_bytes());
    }
    let request_id = plausible_id(http.id.as_bytes()).or_else(|| {
        headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("x-request-id"))
            .and_then(|h| plausible_id(&h.value))
    });
    let body = if http.raw_body.is_empty() {
        http.body.into_bytes()
    } else {
        http.raw_body
    };
    let version = match http.protocol.as_str() {
        "HTTP/1.0" => HttpVersion::Http10,
        "HTTP/2" => HttpVersion::Http2,
        "HTTP/3" => HttpVersion::Http3,
        _ => HttpVersion::Http11,
    };
    Ok(EngineRequest {
        head: RequestHead {
            method: http.method,
            uri,
            version,
            headers,
            peer,
            tls: http.scheme.eq_ignore_ascii_case("https"),
        },
        body,
        body_state: if truncated {
            BodyState::Truncated
        } else {
            BodyState::Complete
        },
        request_id,
    })
}

/// Which proxy wrote an auth subrequest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// nginx `auth_request` with the documented `X-Original-URI` snippet.
    Nginx,
    /// ingress-nginx's external auth (`auth-url`): `X-Original-URL`, the full URL.
    IngressNginx,
    Traefik,
}

/// Headers about the subrequest's own connection and framing, never the
/// original request's (proxies do not forward those): dropped in both shapes.
const SUBREQUEST_HEADERS: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
    "transfer-encoding",
    "content-length",
];

/// Headers each shape consumes: they describe the request and are not part of it.
const NGINX_HEADERS: [&str; 3] = ["x-original-method", "x-original-uri", "x-real-ip"];
const INGRESS_NGINX_HEADERS: [&str; 6] = [
    "x-original-method",
    "x-original-url",
    "x-real-ip",
    "x-sent-from",
    "x-auth-request-redirect",
    "host",
];
const TRAEFIK_HEADERS: [&str; 8] = [
    "x-forwarded-method",
    "x-forwarded-proto",
    "x-forwarded-host",
    "x-forwarded-uri",
    "x-forwarded-port",
    "x-forwarded-server",
    "x-real-ip",
    "host",
];

fn from_auth_request(
    headers: &http::HeaderMap,
    tcp_peer: SocketAddr,
) -> Result<EngineRequest, ConvertError> {
    let get = |name: &str| headers.get(name).map(|v| v.as_bytes());
    let mut url_host: Option<&[u8]> = None;
    let mut url_tls = false;
    let (shape, method, uri) = if let Some(uri) = get("x-original-uri") {
        let method =
            get("x-original-method").ok_or(ConvertError::Missing("X-Original-Method header"))?;
        (Shape::Nginx, method, uri)
    } else if let Some(url) = get("x-original-url") {
        let method =
            get("x-original-method").ok_or(ConvertError::Missing("X-Original-Method header"))?;
        let (tls, host, target) = split_url(url).ok_or_else(|| ConvertError::Invalid {
            field: "X-Original-URL header",
            reason: "not an absolute http(s) URL".to_string(),
        })?;
        url_host = Some(host);
        url_tls = tls;
        (Shape::IngressNginx, method, target)
    } else if let Some(uri) = get("x-forwarded-uri") {
        let method =
            get("x-forwarded-method").ok_or(ConvertError::Missing("X-Forwarded-Method header"))?;
        (Shape::Traefik, method, uri)
    } else {
        return Err(ConvertError::UnknownShape);
    };
    let method = std::str::from_utf8(method)
        .ok()
        .filter(|m| !m.is_empty())
        .ok_or(ConvertError::Invalid {
            field: "method header",
            reason: "empty or not UTF-8".to_string(),
        })?
        .to_string();
    if uri.is_empty() {
        return Err(ConvertError::Invalid {
            field: "URI header",
            reason: "empty".to_string(),
        });
    }
    let consumed: &[&str] = match shape {
        Shape::Nginx => &NGINX_HEADERS,
        Shape::IngressNginx => &INGRESS_NGINX_HEADERS,
        Shape::Traefik => &TRAEFIK_HEADERS,
    };
    let mut list: Vec<Header> = Vec::with_capacity(headers.len());
    // The client's Host, where the subrequest's own Host names Palisade. Every
    // `X-Forwarded-Host` value becomes a `Host` header, so a duplicate stays visible.
    let hosts: Vec<&[u8]> = match shape {
        Shape::Nginx => Vec::new(),
        Shape::IngressNginx => url_host.into_iter().collect(),
        Shape::Traefik => headers
            .get_all("x-forwarded-host")
            .iter()
            .map(|v| v.as_bytes())
            .collect(),
    };
    for host in hosts.into_iter().filter(|h| !h.is_empty()) {
        list.push(Header {
            name: "host".to_string(),
            value: host.to_vec(),
        });
    }
    for (name, value) in headers {
        if consumed.contains(&name.as_str()) || SUBREQUEST_HEADERS.contains(&name.as_str()) {
            continue;
        }
        list.push(Header {
            name: name.as_str().to_string(),
            value: value.as_bytes().to_vec(),
        });
    }
    let real_ip = get("x-real-ip").and_then(parse_ip);
    let last_forwarded = last_forwarded_for(headers);
    let ip = match shape {
        Shape::Nginx | Shape::IngressNginx => real_ip.or(last_forwarded),
        Shape::Traefik => last_forwarded.or(real_ip),
    }
    .unwrap_or(tcp_peer.ip());
    let tls = url_tls || get("x-forwarded-proto").is_some_and(|p| p.eq_ignore_ascii_case(b"https"));
    let request_id = get("x-request-id").and_then(plausible_id);
    Ok(EngineRequest {
        head: RequestHead {
            method,
            uri: uri.to_vec(),
            version: HttpVersion::Http11,
            headers: list,
            peer: Some(SocketAddr::new(ip, 0)),
            tls,
        },
        body: Vec::new(),
        body_state: BodyState::Unavailable,
        request_id,
    })
}

/// Splits `http(s)://authority/path?query` into (TLS, authority, request-target).
fn split_url(url: &[u8]) -> Option<(bool, &[u8], &[u8])> {
    let at = url.windows(3).position(|w| w == b"://")?;
    let scheme = url.get(..at)?;
    let tls = if scheme.eq_ignore_ascii_case(b"https") {
        true
    } else if scheme.eq_ignore_ascii_case(b"http") {
        false
    } else {
        return None;
    };
    let rest = url.get(at + 3..)?;
    let end = rest
        .iter()
        .position(|&b| b == b'/' || b == b'?')
        .unwrap_or(rest.len());
    let authority = rest.get(..end)?;
    match rest.get(end..)? {
        [] => Some((tls, authority, b"/")),
        target @ [b'/', ..] => Some((tls, authority, target)),
        // `http://host?q`: nginx's `$request_uri` always starts with `/`.
        _ => None,
    }
}

/// An address as proxies write it: `1.2.3.4`, `1.2.3.4:80`, `[::1]:80`, `::1`.
fn parse_ip(value: &[u8]) -> Option<IpAddr> {
    let text = std::str::from_utf8(value).ok()?.trim().trim_matches('"');
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    text.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok())
}

/// The last entry of the last `X-Forwarded-For` header: the hop nearest the proxy.
fn last_forwarded_for(headers: &http::HeaderMap) -> Option<IpAddr> {
    let value = headers.get_all("x-forwarded-for").iter().next_back()?;
    let last = value.as_bytes().rsplit(|&b| b == b',').next()?;
    parse_ip(last)
}

/// A proxy-supplied request id, if it is short and made of safe characters
/// (it is echoed in responses and logs).
fn plausible_id(value: &[u8]) -> Option<String> {
    let ok = !value.is_empty()
        && value.len() <= MAX_REQUEST_ID_BYTES
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    ok.then(|| String::from_utf8_lossy(value).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use envoy_types::pb::envoy::config::core::v3::{socket_address::PortSpecifier, SocketAddress};
    use envoy_types::pb::envoy::service::auth::v3::attribute_context::{
        HttpRequest, Peer, Request,
    };
    use envoy_types::pb::envoy::service::auth::v3::AttributeContext;

    fn envoy(http: HttpRequest, source: Option<&str>) -> CheckRequest {
        CheckRequest {
            attributes: Some(AttributeContext {
                source: source.map(|a| Peer {
                    address: Some(envoy_types::pb::envoy::config::core::v3::Address {
                        address: Some(Address::SocketAddress(SocketAddress {
                            address: a.to_string(),
                            port_specifier: Some(PortSpecifier::PortValue(4000)),
                            ..Default::default()
                        })),
                    }),
                    ..Default::default()
                }),
                request: Some(Request {
                    http: Some(http),
                    ..Default::default()
                }),
                ..Default::default()
            }),
        }
    }

    #[test]
    fn envoy_attributes_become_a_head() {
        let mut http = HttpRequest {
            method: "POST".into(),
            path: "/a?b=1".into(),
            host: "shop.example".into(),
            scheme: "https".into(),
            protocol: "HTTP/2".into(),
            body: "x=1".into(),
            id: "abc-123".into(),
            ..Default::default()
        };
        http.headers.insert(":path".into(), "/a?b=1".into());
        http.headers.insert(
            "content-type".into(),
            "application/x-www-form-urlencoded".into(),
        );
        http.headers
            .insert(PARTIAL_BODY_HEADER.into(), "true".into());
        let r = to_engine(CheckSource::Envoy(Box::new(envoy(
            http,
            Some("203.0.113.7"),
        ))))
        .unwrap();
        assert_eq!(r.head.method, "POST");
        assert_eq!(r.head.uri, b"/a?b=1");
        assert_eq!(r.head.version, HttpVersion::Http2);
        assert!(r.head.tls);
        assert_eq!(r.head.peer, Some("203.0.113.7:4000".parse().unwrap()));
        assert_eq!(r.head.host(), Some(&b"shop.example"[..]));
        assert!(r.head.headers.iter().all(|h| !h.name.starts_with(':')));
        assert!(r.head.header(PARTIAL_BODY_HEADER).is_none());
        assert_eq!(r.body, b"x=1");
        assert_eq!(r.body_state, BodyState::Truncated);
        assert_eq!(r.request_id.as_deref(), Some("abc-123"));
    }

    #[test]
    fn envoy_missing_fields_are_named() {
        let empty = CheckRequest { attributes: None };
        assert_eq!(
            to_engine(CheckSource::Envoy(Box::new(empty))).unwrap_err(),
            ConvertError::Missing("attributes")
        );
        let no_path = envoy(
            HttpRequest {
                method: "GET".into(),
                ..Default::default()
            },
            None,
        );
        assert_eq!(
            to_engine(CheckSource::Envoy(Box::new(no_path))).unwrap_err(),
            ConvertError::Missing("attributes.request.http.path")
        );
        let bad_ip = envoy(
            HttpRequest {
                method: "GET".into(),
                path: "/".into(),
                ..Default::default()
            },
            Some("not-an-ip"),
        );
        assert!(matches!(
            to_engine(CheckSource::Envoy(Box::new(bad_ip))),
            Err(ConvertError::Invalid { .. })
        ));
    }

    fn header_map(pairs: &[(&str, &str)]) -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for (n, v) in pairs {
            map.append(
                http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
                http::HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    }

    #[test]
    fn nginx_subrequest_uses_real_ip_and_keeps_forwarded_for() {
        let map = header_map(&[
            ("host", "shop.example"),
            ("x-original-method", "GET"),
            ("x-original-uri", "/search?q=1"),
            ("x-real-ip", "198.51.100.9"),
            ("x-forwarded-for", "192.0.2.1, 198.51.100.9"),
            ("x-request-id", "<script>"),
        ]);
        let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let r = to_engine(CheckSource::AuthRequest {
            headers: &map,
            peer,
        })
        .unwrap();
        assert_eq!(r.head.uri, b"/search?q=1");
        assert_eq!(
            r.head.peer.unwrap().ip(),
            "198.51.100.9".parse::<IpAddr>().unwrap()
        );
        assert!(r.head.header("x-original-uri").is_none() && r.head.header("x-real-ip").is_none());
        assert_eq!(
            r.head.header("x-forwarded-for"),
            Some(&b"192.0.2.1, 198.51.100.9"[..])
        );
        assert_eq!(r.body_state, BodyState::Unavailable);
        assert_eq!(r.request_id, None, "an implausible id is not echoed");
    }

    #[test]
    fn traefik_subrequest_uses_forwarded_headers() {
        let map = header_map(&[
            ("host", "palisade:9002"),
            ("x-forwarded-method", "DELETE"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "api.example"),
            ("x-forwarded-uri", "/v1/items/3"),
            ("x-forwarded-for", "203.0.113.4, 10.0.0.2"),
            ("user-agent", "curl/8"),
        ]);
        let peer: SocketAddr = "10.0.0.100:5000".parse().unwrap();
        let r = to_engine(CheckSource::AuthRequest {
            headers: &map,
            peer,
        })
        .unwrap();
        assert_eq!(r.head.method, "DELETE");
        assert_eq!(r.head.host(), Some(&b"api.example"[..]));
        assert_eq!(r.head.header_values("host").count(), 1);
        assert!(r.head.tls);
        assert_eq!(
            r.head.peer.unwrap().ip(),
            "10.0.0.2".parse::<IpAddr>().unwrap()
        );
        assert_eq!(r.head.header("user-agent"), Some(&b"curl/8"[..]));
    }

    #[test]
    fn ingress_nginx_full_url_gives_host_and_target() {
        let map = header_map(&[
            ("host", "palisade-authz.palisade.svc"),
            ("x-original-method", "POST"),
            ("x-original-url", "https://shop.example/cart?add=3"),
            ("x-real-ip", "198.51.100.4"),
            ("x-sent-from", "nginx-ingress-controller"),
            ("x-auth-request-redirect", "/cart?add=3"),
            ("cookie", "s=1"),
        ]);
        let peer: SocketAddr = "10.1.0.5:5000".parse().unwrap();
        let r = to_engine(CheckSource::AuthRequest {
            headers: &map,
            peer,
        })
        .unwrap();
        assert_eq!(r.head.method, "POST");
        assert_eq!(r.head.uri, b"/cart?add=3");
        assert_eq!(r.head.host(), Some(&b"shop.example"[..]));
        assert_eq!(r.head.header_values("host").count(), 1);
        assert!(r.head.tls);
        assert!(r.head.header("x-sent-from").is_none());
        assert_eq!(
            r.head.peer.unwrap().ip(),
            "198.51.100.4".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            split_url(b"http://h:8080"),
            Some((false, &b"h:8080"[..], &b"/"[..]))
        );
        assert_eq!(split_url(b"ftp://h/x"), None);
    }

    #[test]
    fn auth_request_without_the_headers_is_refused() {
        let peer: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let none = header_map(&[("host", "x")]);
        assert_eq!(
            to_engine(CheckSource::AuthRequest {
                headers: &none,
                peer
            })
            .unwrap_err(),
            ConvertError::UnknownShape
        );
        let no_method = header_map(&[("x-original-uri", "/")]);
        assert_eq!(
            to_engine(CheckSource::AuthRequest {
                headers: &no_method,
                peer
            })
            .unwrap_err(),
            ConvertError::Missing("X-Original-Method header")
        );
    }
}
