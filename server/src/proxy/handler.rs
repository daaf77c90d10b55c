//! One request through the proxy. The stages, in order, and why there:
//!
//! 1. **Framing guard** (HTTP/1): a head the guard flagged as a smuggling shape
//!    is refused before anything else looks at it.
//! 2. **Head conversion and header limits** (431): the engine gets a bounded head.
//! 3. **Head inspection** (`Inspector::begin`): a block on the head (deny list,
//!    rate limit, signatures in the URI or headers) is answered before the body
//!    is read, so `Expect: 100-continue` clients never send it.
//! 4. **Body** (see [`crate::proxy::body`]): buffered or streamed per route,
//!    with the body size limit (413) and idle timeout (408).
//! 5. **Forwarding**: headers rewritten ([`crate::proxy::forward`]), an upstream
//!    chosen and asked ([`crate::proxy::upstream`]), upgrades tunnelled.
//! 6. **Report**: metrics, audit log, the engine's DoS model (upstream status
//!    and latency) and exchange observers, exactly once, for every outcome;
//!    errors become responses only in
//!    [`ProxyError::into_response`].

use crate::proxy::audit::{AuditLog, Entry};
use crate::proxy::body::{self, ClientStream, Collected, Inspecting, OutcomeSlot, UpstreamBody};
use crate::proxy::config::{BodyMode, ProxySettings};
use crate::proxy::error::ProxyError;
use crate::proxy::forward::{self, ClientFacts};
use crate::proxy::guard::GuardState;
use crate::proxy::head::{self, RequestIds};
use crate::proxy::observe::{self, Exchange, ExchangeObserver};
use crate::proxy::respbody::ResponseBody;
use crate::proxy::upgrade;
use crate::proxy::upstream::Upstreams;
use crate::runtime::store::{EngineStore, LoadedEngine};
use crate::runtime::telemetry;
use http::{HeaderValue, Request, Response, StatusCode, Version};
use http_body::Body as _;
use hyper::body::Incoming;
use palisade_engine::cidr::{any_contains, client_ip};
use palisade_engine::request::RequestHead;
use palisade_engine::scope::{request_host, ScopeInput};
use palisade_engine::Verdict;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What every connection of one proxy shares.
pub struct Shared {
    pub settings: Arc<ProxySettings>,
    pub store: Arc<EngineStore>,
    pub upstreams: Upstreams,
    pub audit: Option<AuditLog>,
    pub observers: Vec<Arc<dyn ExchangeObserver>>,
    pub ids: RequestIds,
    /// Rate limits shared through Redis (`[shared_limits]`), when configured.
    pub limits: crate::shared_limits::SharedLimits,
}

/// One client connection.
pub struct Connection {
    pub shared: Arc<Shared>,
    pub peer: SocketAddr,
    pub tls: bool,
    /// The HTTP/1 framing guard's findings (absent for HTTP/2).
    pub guard: Option<Arc<GuardState>>,
    /// The connection shard serving it (whose upstream pool it uses).
    pub shard: usize,
}

/// What is known about a request as it goes, for the report.
#[derive(Default)]
struct Trace {
    head: Option<RequestHead>,
    verdict: Option<Verdict>,
    client: Option<IpAddr>,
    upstream_latency: Option<Duration>,
    inspection: Duration,
    /// The client's body was not read to its end.
    body_unread: bool,
}

/// The hyper service function.
pub async fn handle(
    mut req: Request<Incoming>,
    conn: Arc<Connection>,
) -> Result<Response<ResponseBody>, Infallible> {
    let started = Instant::now();
    let engine = conn.shared.store.current();
    let h1 = req.version() != Version::HTTP_2;
    let upgrade = if h1 {
        forward::upgrade_protocol(req.headers())
    } else {
        None
    };
    let on_upgrade = upgrade.as_ref().map(|_| hyper::upgrade::on(&mut req));
    let (parts, body) = req.into_parts();
    let request_id = conn.shared.ids.for_request(&parts);
    let method = parts.method.clone();
    let mut trace = Trace::default();
    let outcome = process(
        &conn,
        &engine,
        parts,
        body,
        &request_id,
        (upgrade, on_upgrade),
        &mut trace,
    )
    .await;
    let (response, from_upstream) = match outcome {
        Ok(response) => (response, true),
        Err(err) => {
            observe::refusal(err.kind(), err.fault().as_str());
            tracing::debug!(request_id = %request_id, kind = err.kind(), fault = err.fault().as_str(), "refused");
            let block = &engine.inspector.policy().engine.block_response;
            let close = h1 && (trace.body_unread || err.breaks_framing());
            (err.into_response(&request_id, block, close), false)
        }
    };
    report(
        &conn,
        &engine,
        &request_id,
        method.as_str(),
        &trace,
        response.status(),
        from_upstream,
        started.elapsed(),
    );
    Ok(response)
}

/// The largest inspection limit any route of the policy may use.
fn buffer_limit(engine: &LoadedEngine) -> u64 {
    let policy = engine.inspector.policy();
    policy
        .routes
        .iter()
        .filter_map(|r| r.limits.max_inspected_body_bytes)
        .fold(
            engine.inspector.settings().limits.max_inspected_body_bytes,
            u64::max,
        )
}

fn refused(verdict: Verdict, trace: &mut Trace) -> ProxyError {
    let err = body::refusal(&verdict);
    trace.verdict = Some(verdict);
    err
}

type Upgrade = (Option<HeaderValue>, Option<hyper::upgrade::OnUpgrade>);

async fn process(
    conn: &Connection,
    engine: &LoadedEngine,
    mut parts: http::request::Parts,
    incoming: Incoming,
    request_id: &str,
    (upgrade, on_upgrade): Upgrade,
    trace: &mut Trace,
) -> Result<Response<ResponseBody>, ProxyError> {
    let shared = &conn.shared;
    let settings = &shared.settings;
    let version = parts.version;
    if let Some(shape) = conn.guard.as_ref().and_then(|g| g.take()) {
        return Err(ProxyError::Smuggling(shape));
    }
    trace.body_unread = !incoming.is_end_stream();
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > settings.max_body_bytes) {
        return Err(ProxyError::BodyTooLarge);
    }
    let head = head::engine_head(
        &parts,
        conn.peer,
        conn.tls,
        settings.max_headers,
        settings.max_header_bytes,
    )?;
    let policy = engine.inspector.policy();
    let trusted_peer = any_contains(&policy.clients.trusted_proxies, conn.peer.ip());
    trace.client = Some(if trusted_peer {
        client_ip(conn.peer.ip(), &head, &policy.clients.trusted_proxies)
    } else {
        conn.peer.ip()
    });
    let limits = shared.limits.decide(policy, &head).await;
    let began = Instant::now();
    let tx = engine.inspector.begin_with_limits(&head, &limits);
    trace.inspection += began.elapsed();
    if let Some(verdict) = tx.decision() {
        trace.head = Some(head);
        return Err(refused(verdict, trace));
    }
    let mut slot: Option<OutcomeSlot> = None;
    let upstream_body = if incoming.is_end_stream() {
        let began = Instant::now();
        let verdict = tx.finish();
        trace.inspection += began.elapsed();
        if verdict.is_block() {
            trace.head = Some(head);
            return Err(refused(verdict, trace));
        }
        trace.verdict = Some(verdict);
        UpstreamBody::empty()
    } else {
        let mode = if settings.routes.is_empty() {
            settings.body_mode
        } else {
            let host = request_host(&head);
            let path = head.normalised_path();
            settings.body_mode_for(&ScopeInput {
                host: &host,
                path: &path,
                method: &head.method,
            })
        };
        let stream = ClientStream::new(
            incoming,
            settings.timeouts.body_idle,
            settings.max_body_bytes,
        );
        match mode {
            BodyMode::Buffer => {
                let collected =
                    body::collect(stream, tx, buffer_limit(engine), &mut trace.inspection).await;
                let collected = match collected {
                    Ok(c) => c,
                    Err(e) => {
                        trace.head = Some(head);
                        return Err(e);
                    }
                };
                let (verdict, upstream_body) = match collected {
                    Collected::Decided(v) => (v, None),
                    Collected::Complete(chunks, v) => {
                        trace.body_unread = false;
                        (v, Some(UpstreamBody::Full(chunks)))
                    }
                    Collected::Overflow(chunks, v, rest) => {
                        (v, Some(UpstreamBody::Relay(chunks, rest)))
                    }
                };
                match upstream_body {
                    Some(b) if !verdict.is_block() => {
                        trace.verdict = Some(verdict);
                        b
                    }
                    _ => {
                        trace.head = Some(head);
                        return Err(refused(verdict, trace));
                    }
                }
            }
            BodyMode::Stream => {
                let s: OutcomeSlot = Arc::new(Mutex::new(body::StreamOutcome::default()));
                slot = Some(Arc::clone(&s));
                UpstreamBody::Inspecting(Box::new(Inspecting::new(stream, tx, s)))
            }
        }
    };
    let index = shared.upstreams.choose();
    let host = parts.headers.get(http::header::HOST).cloned().or_else(|| {
        parts
            .uri
            .authority()
            .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
    });
    let facts = ClientFacts {
        peer: conn.peer.ip(),
        tls: conn.tls,
        host: host.as_ref(),
        trusted_peer,
        request_id,
    };
    let mut headers = std::mem::take(&mut parts.headers);
    forward::request_headers(
        &mut headers,
        &facts,
        settings.host_header,
        shared.upstreams.authority(index),
        upgrade.clone(),
    );
    let mut request = Request::new(upstream_body);
    *request.method_mut() = parts.method.clone();
    *request.headers_mut() = headers;
    *request.version_mut() = Version::HTTP_11;
    *request.uri_mut() = parts.uri.path_and_query().map_or_else(
        || http::Uri::from_static("/"),
        |p| http::Uri::from(p.clone()),
    );
    let host_mode = settings.host_header;
    let sent = shared
        .upstreams
        .send(conn.shard, index, request, |req, authority| {
            if host_mode == crate::proxy::config::HostHeader::Upstream {
                if let Ok(v) = HeaderValue::from_str(authority) {
                    req.headers_mut().insert(http::header::HOST, v);
                }
            }
        })
        .await;
    trace.head = Some(head);
    if let Some(slot) = slot {
        if let Ok(mut out) = slot.lock() {
            trace.inspection += out.inspection;
            trace.verdict = out.verdict.take();
            if let Some(err) = out.error.take() {
                return Err(err);
            }
        }
    }
    let answer = sent?;
    trace.upstream_latency = Some(answer.latency);
    let mut response = answer.response;
    *response.version_mut() = version;
    let switching = response.status() == StatusCode::SWITCHING_PROTOCOLS;
    forward::response_headers(
        response.headers_mut(),
        request_id,
        switching && upgrade.is_some(),
    );
    if switching {
        return match (upgrade, on_upgrade) {
            (Some(_), Some(client)) => {
                if let Some(g) = &conn.guard {
                    g.stop();
                }
                let upstream = hyper::upgrade::on(&mut response);
                upgrade::tunnel(client, upstream);
                let (parts, _) = response.into_parts();
                Ok(Response::from_parts(parts, ResponseBody::empty()))
            }
            _ => Err(ProxyError::UpstreamFailed),
        };
    }
    Ok(response.map(ResponseBody::Upstream))
}

#[allow(clippy::too_many_arguments)]
fn report(
    conn: &Connection,
    engine: &LoadedEngine,
    request_id: &str,
    method: &str,
    trace: &Trace,
    status: StatusCode,
    from_upstream: bool,
    latency: Duration,
) {
    let shared = &conn.shared;
    if let Some(v) = &trace.verdict {
        telemetry::record_verdict(v, v.route.as_deref(), trace.inspection);
        if let (Some(audit), Some(head)) = (&shared.audit, &trace.head) {
            if audit.wants(v) {
                audit.record(&Entry {
                    request_id,
                    head,
                    verdict: v,
                    client: trace.client,
                    status: status.as_u16(),
                    policy_version: engine.version,
                });
            }
        }
    }
    // Server stress (upstream latency, 5xx) feeds the engine's DoS model.
    if let (true, Some(head), Some(upstream)) = (from_upstream, &trace.head, trace.upstream_latency)
    {
        engine
            .inspector
            .observe_response(head, status.as_u16(), upstream);
    }
    let exchange = Exchange {
        request_id,
        client: trace.client,
        method,
        verdict: trace.verdict.as_ref(),
        status: status.as_u16(),
        from_upstream,
        latency,
        upstream_latency: trace.upstream_latency,
        inspection: trace.inspection,
    };
    observe::record(&exchange);
    for o in &shared.observers {
        o.observe(&exchange);
    }
}
