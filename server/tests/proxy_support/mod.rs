//! Shared by the proxy integration tests: a tiny recording upstream, an
//! in-process proxy on port 0, and raw-socket helpers. Everything binds
//! 127.0.0.1:0 and every wait is bounded.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use palisade_server::proxy::config::{self, Overrides, ProxySettings};
use palisade_server::proxy::{ProxyServer, ShutdownHandle};
use palisade_server::runtime::clock::MonotonicClock;
use palisade_server::runtime::store::{EngineSource, EngineStore};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Bound for any single wait in the tests.
pub const WAIT: Duration = Duration::from_secs(20);

/// What the upstream received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub uri: String,
    pub headers: http::HeaderMap,
    pub body: Vec<u8>,
    /// The body arrived complete (false when the proxy aborted it).
    pub complete: bool,
}

/// A test upstream. Paths: `/echo` answers with the request body, `/slow`
/// waits `x-delay-ms` first, `/ws` is a WebSocket echo; anything else `ok`.
pub struct Upstream {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Recorded>>>,
    /// Requests whose head arrived (counted before the body is read).
    pub heads: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Upstream {
    pub async fn start() -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let heads = Arc::new(AtomicUsize::new(0));
        let (s, h) = (Arc::clone(&seen), Arc::clone(&heads));
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (s, h) = (Arc::clone(&s), Arc::clone(&h));
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        upstream_handle(req, Arc::clone(&s), Arc::clone(&h))
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .with_upgrades()
                        .await;
                });
            }
        });
        Upstream {
            addr,
            seen,
            heads,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.seen.lock().unwrap().clone()
    }
}

async fn upstream_handle(
    mut req: Request<Incoming>,
    seen: Arc<Mutex<Vec<Recorded>>>,
    heads: Arc<AtomicUsize>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    heads.fetch_add(1, Ordering::SeqCst);
    if req.uri().path() == "/ws" {
        return Ok(websocket_echo(&mut req));
    }
    let (parts, body) = req.into_parts();
    let (body, complete) = match body.collect().await {
        Ok(b) => (b.to_bytes().to_vec(), true),
        Err(_) => (Vec::new(), false),
    };
    seen.lock().unwrap().push(Recorded {
        method: parts.method.to_string(),
        uri: parts.uri.to_string(),
        headers: parts.headers.clone(),
        body: body.clone(),
        complete,
    });
    if parts.uri.path() == "/slow" {
        let ms = parts
            .headers
            .get("x-delay-ms")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(500);
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let out = if parts.uri.path() == "/echo" {
        Bytes::from(body)
    } else {
        Bytes::from_static(b"ok\n")
    };
    let mut response = Response::new(Full::new(out));
    response
        .headers_mut()
        .insert("x-upstream", "1".parse().unwrap());
    response
        .headers_mut()
        .insert("keep-alive", "timeout=5".parse().unwrap());
    Ok(response)
}

fn websocket_echo(req: &mut Request<Incoming>) -> Response<Full<Bytes>> {
    let key = req.headers().get("sec-websocket-key").cloned();
    let Some(key) = key else {
        let mut r = Response::new(Full::new(Bytes::from_static(b"no key")));
        *r.status_mut() = StatusCode::BAD_REQUEST;
        return r;
    };
    let on_upgrade = hyper::upgrade::on(req);
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        let mut ws = tokio_tungstenite::WebSocketStream::from_raw_socket(
            TokioIo::new(upgraded),
            tokio_tungstenite::tungstenite::protocol::Role::Server,
            None,
        )
        .await;
        while let Some(Ok(msg)) = ws.next().await {
            if msg.is_text() || msg.is_binary() {
                if ws.send(msg).await.is_err() {
                    break;
                }
            } else if msg.is_close() {
                break;
            }
        }
    });
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    r.headers_mut()
        .insert("connection", "upgrade".parse().unwrap());
    r.headers_mut()
        .insert("upgrade", "websocket".parse().unwrap());
    r.headers_mut()
        .insert("sec-websocket-accept", accept.parse().unwrap());
    r
}

/// A scratch directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "palisade-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A proxy running in this process.
pub struct TestProxy {
    pub addr: Option<SocketAddr>,
    pub tls_addr: Option<SocketAddr>,
    pub shutdown: ShutdownHandle,
    pub store: Arc<EngineStore>,
    pub task: tokio::task::JoinHandle<()>,
    pub dir: TempDir,
}

impl TestProxy {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr.unwrap())
    }

    /// Shuts down and waits (bounded) for the drain to finish.
    pub async fn stop(self) {
        self.shutdown.shutdown();
        tokio::time::timeout(WAIT, self.task)
            .await
            .unwrap()
            .unwrap();
    }
}

/// Starts a proxy. `proxy_toml` is the rest of the `[proxy]` table and any
/// sub-tables (`listen` and `upstreams` are filled in); `policy`
/// is a policy file's text (the embedded default when `None`).
pub async fn start_proxy(
    upstreams: &[String],
    proxy_toml: &str,
    policy: Option<&str>,
) -> TestProxy {
    let dir = TempDir::new("proxy");
    let mut text = String::from("[proxy]\nlisten = \"127.0.0.1:0\"\n");
    let list = upstreams
        .iter()
        .map(|u| format!("\"{u}\""))
        .collect::<Vec<_>>()
        .join(", ");
    text.push_str(&format!("upstreams = [{list}]\n"));
    text.push_str(proxy_toml);
    if !proxy_toml.contains("[proxy.audit]") {
        text.push_str("\n[proxy.audit]\nmode = \"off\"\n");
    }
    let file = config::parse("test.toml", &text).unwrap();
    let mut settings = ProxySettings::build(file, Overrides::default()).unwrap();
    if let Some(p) = policy {
        settings.policy = Some(dir.write("policy.toml", p));
    }
    start_with(settings, dir).await
}

pub async fn start_with(settings: ProxySettings, dir: TempDir) -> TestProxy {
    start_observed(settings, dir, Vec::new()).await
}

/// Like [`start_with`], with exchange observers.
pub async fn start_observed(
    settings: ProxySettings,
    dir: TempDir,
    observers: Vec<Arc<dyn palisade_server::proxy::observe::ExchangeObserver>>,
) -> TestProxy {
    let source = EngineSource {
        signatures: settings.signatures.clone(),
        policy: settings.policy.clone(),
        paranoia: None,
    };
    let store = Arc::new(EngineStore::load(source, Arc::new(MonotonicClock::new())).unwrap());
    let mut server = ProxyServer::bind(settings, Arc::clone(&store))
        .await
        .unwrap();
    for o in observers {
        server.add_observer(o);
    }
    let addr = server.local_addr();
    let tls_addr = server.tls_addr();
    let shutdown = server.shutdown_handle();
    let task = tokio::spawn(async move {
        server.run().await.unwrap();
    });
    TestProxy {
        addr,
        tls_addr,
        shutdown,
        store,
        task,
        dir,
    }
}

/// A plain HTTP client (HTTP/1.1, keep-alive pool) for the tests.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(WAIT)
        .no_proxy()
        .build()
        .unwrap()
}

/// Sends raw bytes and reads until the peer closes or `WAIT` passes.
pub async fn raw_exchange(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(WAIT, s.read_to_end(&mut out)).await;
    out
}

/// The status code of the first response in `raw`.
pub fn status_of(raw: &[u8]) -> Option<u16> {
    let line = raw.split(|&b| b == b'\n').next()?;
    std::str::from_utf8(line)
        .ok()?
        .split(' ')
        .nth(1)?
        .parse()
        .ok()
}
