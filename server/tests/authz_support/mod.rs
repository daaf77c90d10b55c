//! Helpers shared by the `authz_*` integration tests: an in-process check
//! service on 127.0.0.1 port 0, Envoy `CheckRequest`s built from the same
//! `envoy-types` protos Envoy uses, and a raw HTTP/1.1 client.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use envoy_types::pb::envoy::config::core::v3::{
    address::Address, socket_address::PortSpecifier, HeaderMap, HeaderValue, SocketAddress,
};
use envoy_types::pb::envoy::service::auth::v3::attribute_context::{HttpRequest, Peer, Request};
use envoy_types::pb::envoy::service::auth::v3::authorization_client::AuthorizationClient;
use envoy_types::pb::envoy::service::auth::v3::{AttributeContext, CheckRequest};
use palisade_server::authz::{self, Args, AuthzConfig, Checker, Decision, DecisionHook, Running};
use palisade_server::runtime::clock::MonotonicClock;
use palisade_server::runtime::store::EngineStore;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "palisade-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Decisions the service made, by request id, and the threads that made them.
#[derive(Default, Clone)]
pub struct Decisions(pub Arc<Mutex<Vec<Decision>>>, pub Arc<Mutex<Vec<String>>>);

impl Decisions {
    pub fn hook(&self) -> DecisionHook {
        let (log, threads) = (Arc::clone(&self.0), Arc::clone(&self.1));
        Arc::new(move |d: &Decision| {
            log.lock().unwrap().push(d.clone());
            let thread = std::thread::current();
            threads
                .lock()
                .unwrap()
                .push(thread.name().unwrap_or("").to_string());
        })
    }

    /// Names of the threads that decided, one per decision.
    pub fn threads(&self) -> Vec<String> {
        self.1.lock().unwrap().clone()
    }

    pub fn by_id(&self, id: &str) -> Option<Decision> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|d| d.request_id == id)
            .cloned()
    }
}

/// An in-process check service.
pub struct Service {
    pub running: Option<Running>,
    pub store: Arc<EngineStore>,
    pub decisions: Decisions,
}

impl Service {
    pub fn grpc(&self) -> SocketAddr {
        self.running.as_ref().unwrap().grpc.unwrap()
    }

    pub fn http(&self) -> SocketAddr {
        self.running.as_ref().unwrap().http.unwrap()
    }

    pub fn admin(&self) -> SocketAddr {
        self.running.as_ref().unwrap().admin.unwrap()
    }

    pub async fn client(&self) -> AuthorizationClient<tonic::transport::Channel> {
        AuthorizationClient::connect(format!("http://{}", self.grpc()))
            .await
            .unwrap()
    }

    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await;
        }
    }
}

/// Starts a check service with both listeners and the admin endpoint.
pub async fn start(policy: Option<&Path>, paranoia: Option<u8>) -> Service {
    start_with(policy, paranoia, true, true).await
}

pub async fn start_with(
    policy: Option<&Path>,
    paranoia: Option<u8>,
    grpc: bool,
    http: bool,
) -> Service {
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let args = Args {
        grpc: grpc.then_some(any),
        http: http.then_some(any),
        admin: Some(any),
        policy: policy.map(Path::to_path_buf),
        paranoia,
        ..Args::default()
    };
    let config = AuthzConfig::from_args(&args).unwrap();
    let store = Arc::new(
        EngineStore::load(config.engine().clone(), Arc::new(MonotonicClock::new())).unwrap(),
    );
    let decisions = Decisions::default();
    let checker = Arc::new(Checker::new(Arc::clone(&store)).with_hook(decisions.hook()));
    let running = authz::start(&config, checker).await.unwrap();
    Service {
        running: Some(running),
        store,
        decisions,
    }
}

/// What a check describes: an HTTP request as Envoy would see it.
#[derive(Debug, Clone, Default)]
pub struct Described {
    pub method: String,
    pub uri: String,
    pub host: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
    pub peer: Option<SocketAddr>,
    pub partial: bool,
    pub id: String,
}

impl Described {
    pub fn get(uri: &str) -> Described {
        Described {
            method: "GET".into(),
            uri: uri.into(),
            host: "shop.example".into(),
            peer: Some("203.0.113.10:40000".parse().unwrap()),
            ..Described::default()
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Described {
        self.headers
            .push((name.to_string(), value.as_bytes().to_vec()));
        self
    }

    /// The ext_authz request, headers as `header_map` (Envoy's `encode_raw_headers`).
    pub fn check_request(&self) -> CheckRequest {
        let mut headers: Vec<HeaderValue> = self
            .headers
            .iter()
            .map(|(k, v)| HeaderValue {
                key: k.to_ascii_lowercase(),
                value: String::new(),
                raw_value: v.clone(),
            })
            .collect();
        if self.partial {
            headers.push(HeaderValue {
                key: "x-envoy-auth-partial-body".into(),
                value: String::new(),
                raw_value: b"true".to_vec(),
            });
        }
        CheckRequest {
            attributes: Some(AttributeContext {
                source: self.peer.map(|p| Peer {
                    address: Some(envoy_types::pb::envoy::config::core::v3::Address {
                        address: Some(Address::SocketAddress(SocketAddress {
                            address: p.ip().to_string(),
                            port_specifier: Some(PortSpecifier::PortValue(u32::from(p.port()))),
                            ..SocketAddress::default()
                        })),
                    }),
                    ..Peer::default()
                }),
                request: Some(Request {
                    time: None,
                    http: Some(HttpRequest {
                        id: self.id.clone(),
                        method: self.method.clone(),
                        header_map: Some(HeaderMap { headers }),
                        path: self.uri.clone(),
                        host: self.host.clone(),
                        scheme: "http".into(),
                        protocol: "HTTP/1.1".into(),
                        size: self.body.len() as i64,
                        raw_body: self.body.clone(),
                        ..HttpRequest::default()
                    }),
                }),
                ..AttributeContext::default()
            }),
        }
    }
}

/// A parsed HTTP/1.1 response.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one raw request (`Connection: close` is added) and reads the whole response.
pub async fn raw_http(
    addr: SocketAddr,
    method: &str,
    target: &[u8],
    headers: &[(String, Vec<u8>)],
) -> RawResponse {
    let mut request = Vec::new();
    request.extend_from_slice(method.as_bytes());
    request.push(b' ');
    request.extend_from_slice(target);
    request.extend_from_slice(b" HTTP/1.1\r\n");
    for (name, value) in headers {
        request.extend_from_slice(name.as_bytes());
        request.extend_from_slice(b": ");
        request.extend_from_slice(value);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"Connection: close\r\n\r\n");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(&request).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(20),
        stream.read_to_end(&mut raw),
    )
    .await
    .expect("response within 20 s")
    .unwrap();
    parse_response(&raw)
}

pub fn parse_response(raw: &[u8]) -> RawResponse {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of head in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status: u16 = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    RawResponse {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size =
            usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        let start = line_end + 2;
        out.extend_from_slice(&data[start..start + size]);
        data = &data[start + size + 2..];
    }
}
