//! Upstreams: keep-alive HTTP/1.1 connection pools (hyper-util's legacy
//! client), one per connection shard so that a request and its upstream
//! connection live on the same thread, shared by all upstreams; round-robin
//! selection, passive health checks and timeouts (both shared by the shards).
//!
//! Contract: an upstream that refuses or times out a connection is ejected
//! for `proxy.health.eject_seconds`; selection skips ejected upstreams unless
//! all are ejected (then it tries them anyway: failing open beats a certain
//! 502). A request whose connection could not be made is retried once on the
//! next upstream when its method is idempotent and its body is replayable; a
//! request that reached an upstream is never retried. Time to the response
//! head is bounded by `upstream_response_seconds` (504); connect failures give
//! 502.

use crate::proxy::body::{BodyStopped, UpstreamBody};
use crate::proxy::config::{ProxySettings, UpstreamAddr};
use crate::proxy::error::ProxyError;
use crate::proxy::observe;
use crate::runtime::telemetry;
use http::{Method, Request, Response, Uri};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// One upstream and its health.
struct Member {
    addr: UpstreamAddr,
    /// Milliseconds since `Upstreams::epoch` until which it is ejected.
    ejected_until_ms: AtomicU64,
}

/// The upstream set.
pub struct Upstreams {
    members: Vec<Member>,
    next: AtomicUsize,
    /// One pool per connection shard (`proxy::listener`).
    clients: Vec<Client<HttpConnector, UpstreamBody>>,
    epoch: Instant,
    eject_for: Duration,
    response_timeout: Duration,
}

/// A request's upstream answer or why there is none.
pub struct Answer {
    pub response: Response<Incoming>,
    /// Time from sending to the response head.
    pub latency: Duration,
}

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE | Method::TRACE
    )
}

/// The proxy error a failed upstream exchange means, unless it was the
/// client's body that stopped (then that error).
fn classify(err: &hyper_util::client::legacy::Error) -> ProxyError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(stopped) = e.downcast_ref::<BodyStopped>() {
            return stopped.0.clone();
        }
        source = e.source();
    }
    if err.is_connect() {
        ProxyError::UpstreamUnreachable
    } else {
        ProxyError::UpstreamFailed
    }
}

impl Upstreams {
    /// Upstreams with one connection pool for each of `shards` shards.
    pub fn new(settings: &ProxySettings, shards: usize) -> Upstreams {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(settings.timeouts.upstream_connect));
        connector.set_keepalive(Some(Duration::from_secs(60)));
        let clients = (0..shards.max(1))
            .map(|_| {
                Client::builder(TokioExecutor::new())
                    .pool_idle_timeout(settings.timeouts.upstream_idle)
                    .pool_max_idle_per_host(1024)
                    .pool_timer(TokioTimer::new())
                    .timer(TokioTimer::new())
                    .set_host(false)
                    .build(connector.clone())
            })
            .collect();
        Upstreams {
            members: settings
                .upstreams
                .iter()
                .map(|addr| Member {
                    addr: addr.clone(),
                    ejected_until_ms: AtomicU64::new(0),
                })
                .collect(),
            next: AtomicUsize::new(0),
            clients,
            epoch: Instant::now(),
            eject_for: settings.eject_for,
            response_timeout: settings.timeouts.upstream_response,
        }
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// The next upstream in rotation that is not ejected (or the next one).
    fn pick(&self) -> usize {
        let n = self.members.len().max(1);
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let now = self.now_ms();
        (0..n)
            .map(|i| start.wrapping_add(i) % n)
            .find(|&i| {
                self.members
                    .get(i)
                    .is_some_and(|m| m.ejected_until_ms.load(Ordering::Relaxed) <= now)
            })
            .unwrap_or(start % n)
    }

    fn eject(&self, index: usize) {
        if let Some(m) = self.members.get(index) {
            let until = self
                .now_ms()
                .saturating_add(self.eject_for.as_millis() as u64);
            m.ejected_until_ms.store(until, Ordering::Relaxed);
            observe::upstream_ejected(m.addr.authority.as_str());
            tracing::warn!(upstream = %m.addr.authority, "upstream refused a connection; ejected");
        }
    }

    /// The authority of the upstream a request will go to, chosen now.
    pub fn choose(&self) -> usize {
        self.pick()
    }

    pub fn authority(&self, index: usize) -> &str {
        self.members
            .get(index)
            .map_or("", |m| m.addr.authority.as_str())
    }

    fn uri_for(&self, index: usize, path_and_query: &str) -> Result<Uri, ProxyError> {
        let authority = self.authority(index);
        Uri::builder()
            .scheme("http")
            .authority(authority)
            .path_and_query(path_and_query)
            .build()
            .map_err(|_| ProxyError::BadRequest("request target cannot be forwarded"))
    }

    /// Sends a request (its URI holds only the path and query) to upstream
    /// `index` through shard `shard`'s pool, retrying once elsewhere on a
    /// connect failure when allowed. `set_host` is called with the chosen
    /// upstream's authority for each try.
    pub async fn send(
        &self,
        shard: usize,
        mut index: usize,
        mut request: Request<UpstreamBody>,
        retry_host: impl Fn(&mut Request<UpstreamBody>, &str),
    ) -> Result<Answer, ProxyError> {
        let path_and_query = request
            .uri()
            .path_and_query()
            .map_or_else(|| "/".to_string(), |p| p.as_str().to_string());
        let Some(client) = self.clients.get(shard).or_else(|| self.clients.first()) else {
            return Err(ProxyError::UpstreamUnreachable);
        };
        for attempt in 0..2 {
            *request.uri_mut() = self.uri_for(index, &path_and_query)?;
            let retry = if attempt == 0 && is_idempotent(request.method()) && self.members.len() > 1
            {
                request.body().replay().map(|body| {
                    let mut copy = Request::new(body);
                    *copy.method_mut() = request.method().clone();
                    *copy.headers_mut() = request.headers().clone();
                    *copy.version_mut() = request.version();
                    copy
                })
            } else {
                None
            };
            let started = Instant::now();
            let outcome =
                tokio::time::timeout(self.response_timeout, client.request(request)).await;
            let latency = started.elapsed();
            let err = match outcome {
                Ok(Ok(response)) => {
                    telemetry::record_seconds(telemetry::UPSTREAM_SECONDS, latency);
                    return Ok(Answer { response, latency });
                }
                Ok(Err(e)) => classify(&e),
                Err(_) => ProxyError::UpstreamTimeout,
            };
            let kind = match &err {
                ProxyError::UpstreamUnreachable => "connect",
                ProxyError::UpstreamTimeout => "timeout",
                ProxyError::UpstreamFailed => "other",
                _ => return Err(err),
            };
            metrics::counter!(telemetry::UPSTREAM_ERRORS, "kind" => kind).increment(1);
            if err != ProxyError::UpstreamUnreachable {
                return Err(err);
            }
            self.eject(index);
            match retry {
                Some(mut copy) => {
                    index = self.pick();
                    retry_host(&mut copy, self.authority(index));
                    request = copy;
                }
                None => return Err(err),
            }
        }
        Err(ProxyError::UpstreamUnreachable)
    }
}
