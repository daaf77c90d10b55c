//! The check service: Palisade as the policy decision point another proxy
//! calls, instead of another hop.
//!
//! Two front ends share one [`Checker`]:
//!
//! - [`grpc`]: Envoy's external authorization, `envoy.service.auth.v3.Authorization/Check`
//!   (Envoy, Istio, Gloo, Contour, Emissary), plus the standard `grpc.health.v1` service;
//! - [`http`]: auth subrequests, for nginx `auth_request` and Traefik ForwardAuth.
//!
//! Each request goes the same way: [`convert::to_engine`] (the only code that
//! builds an engine request from a check) → [`Checker::check`] (the serving
//! engine from the [`EngineStore`], hot-reloaded; the policy's handling of
//! truncated bodies; telemetry) → a [`Decision`] that each front end renders in
//! its own wire format in exactly one function.
//!
//! What the proxy is told (the contract, in docs/deploy/*.md):
//! - allow: headers to add upstream — [`REQUEST_ID_HEADER`], [`SCORE_HEADER`] and
//!   [`VERDICT_HEADER`] (`allow`, or `detect` when detect mode let a request through
//!   that it would have blocked);
//! - deny: the verdict's status (403 by default, 429 with `Retry-After` from a rate
//!   limit, 413 from `on_limit = "reject"`), the policy's `block_response` body
//!   with `{request_id}` filled in, its content type, and the request id header.
//!   Rule ids and findings never reach the client; they go to the logs and, for
//!   Envoy, to dynamic metadata the proxy's access log can print.

pub mod config;
pub mod convert;
pub mod grpc;
pub mod http;

pub use config::{Args, AuthzConfig};

use crate::runtime::store::EngineStore;
use crate::runtime::{admin, telemetry};
use anyhow::{Context, Result};
use convert::{BodyState, EngineRequest};
use palisade_engine::policy::{LimitAction, Policy};
use palisade_engine::protocol::ProtocolCheck;
use palisade_engine::ratelimit::LimitDecisions;
use palisade_engine::verdict::{Action, BlockReason, Mode};
use palisade_engine::Verdict;
use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Header carrying the request id, upstream on allow and to the client on deny.
pub const REQUEST_ID_HEADER: &str = "x-palisade-request-id";
/// Header carrying the anomaly score, upstream on allow.
pub const SCORE_HEADER: &str = "x-palisade-score";
/// Header carrying `allow` or `detect`, upstream on allow.
pub const VERDICT_HEADER: &str = "x-palisade-verdict";

/// Request ids: a random per-process prefix and a counter, 24 hex digits.
#[derive(Debug)]
struct RequestIds {
    prefix: u64,
    next: AtomicU64,
}

impl RequestIds {
    fn new() -> RequestIds {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            h.write_u128(t.as_nanos());
        }
        RequestIds {
            prefix: h.finish(),
            next: AtomicU64::new(1),
        }
    }

    fn next(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let mut id = String::with_capacity(24);
        crate::addr_text::push_hex(&mut id, self.prefix, 16);
        crate::addr_text::push_hex(&mut id, n & 0xffff_ffff, 8);
        id
    }
}

/// A refusal, ready to be written in any wire format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    pub status: u16,
    pub content_type: String,
    /// The policy's `block_response.body` with the request id in it.
    pub body: String,
    pub retry_after_seconds: Option<u64>,
}

/// What the check service decided about one request.
#[derive(Debug, Clone)]
pub struct Decision {
    pub request_id: String,
    pub verdict: Verdict,
    /// Version of the policy that decided (see `/readyz`).
    pub policy_version: u64,
    /// `Some` when the request is refused.
    pub denial: Option<Denial>,
}

impl Decision {
    /// Headers for the proxy to add to the request it forwards (on allow).
    pub fn upstream_headers(&self) -> [(&'static str, String); 3] {
        let verdict = if self.verdict.reason.is_some() {
            "detect"
        } else {
            "allow"
        };
        [
            (REQUEST_ID_HEADER, self.request_id.clone()),
            (SCORE_HEADER, self.verdict.score.to_string()),
            (VERDICT_HEADER, verdict.to_string()),
        ]
    }
}

/// Something told of every decision, on the request path (keep it cheap).
pub type DecisionHook = Arc<dyn Fn(&Decision) + Send + Sync>;

/// Decides check requests with the serving engine. Shared by both front ends.
pub struct Checker {
    store: Arc<EngineStore>,
    ids: RequestIds,
    hook: Option<DecisionHook>,
    /// Rate limits shared through Redis (`[shared_limits]`), when configured.
    limits: crate::shared_limits::SharedLimits,
}

impl std::fmt::Debug for Checker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checker")
            .field("ids", &self.ids)
            .finish_non_exhaustive()
    }
}

impl Checker {
    pub fn new(store: Arc<EngineStore>) -> Checker {
        Checker {
            store,
            ids: RequestIds::new(),
            hook: None,
            limits: crate::shared_limits::SharedLimits::new(),
        }
    }

    /// The same checker, telling `hook` of every decision (tests, audit sinks).
    pub fn with_hook(mut self, hook: DecisionHook) -> Checker {
        self.hook = Some(hook);
        self
    }

    /// The engine store this checker decides with.
    pub fn store(&self) -> &Arc<EngineStore> {
        &self.store
    }

    /// Inspects one converted check request and decides, with every rate
    /// limit decided locally.
    pub fn check(&self, request: EngineRequest) -> Decision {
        self.check_with(request, &LimitDecisions::local())
    }

    /// Opens the shared-limit connections now when the policy shares limits
    /// (inside the runtime, before the first request).
    pub fn prepare_shared_limits(&self) {
        self.limits.prepare(self.store.current().inspector.policy());
    }

    /// The shared store's rate-limit decisions for a request (empty when
    /// `[shared_limits]` is off or Redis could not decide in time).
    pub async fn shared_decisions(&self, request: &EngineRequest) -> LimitDecisions {
        let engine = self.store.current();
        self.limits
            .decide(engine.inspector.policy(), &request.head)
            .await
    }

    /// [`Checker::check`] with shared rate limits: Redis decides them first
    /// (asynchronously), then the engine decides the request.
    pub async fn check_shared(&self, request: EngineRequest) -> Decision {
        let limits = self.shared_decisions(&request).await;
        self.check_with(request, &limits)
    }

    /// Inspects one converted check request and decides, taking rate-limit
    /// decisions from `limits` where it has them.
    pub fn check_with(&self, request: EngineRequest, limits: &LimitDecisions) -> Decision {
        let engine = self.store.current();
        let inspector = &engine.inspector;
        let started = Instant::now();
        let mut tx = inspector.begin_with_limits(&request.head, limits);
        if !request.body.is_empty() {
            let _ = tx.feed_body(&request.body);
        }
        let mut verdict = tx.finish();
        if request.body_state == BodyState::Truncated {
            settle_truncated(&mut verdict, inspector.policy());
        }
        telemetry::record_verdict(&verdict, verdict.route.as_deref(), started.elapsed());
        let request_id = request.request_id.unwrap_or_else(|| self.ids.next());
        let denial = verdict.is_block().then(|| {
            let response = &inspector.policy().engine.block_response;
            Denial {
                status: verdict.status,
                content_type: response.content_type.clone(),
                body: response.body.replace("{request_id}", &request_id),
                retry_after_seconds: verdict.retry_after_seconds,
            }
        });
        if denial.is_some() || verdict.reason.is_some() {
            let rules: Vec<u32> = verdict.findings.iter().map(|f| f.rule_id.0).collect();
            tracing::info!(
                request_id = %request_id,
                action = if denial.is_some() { "block" } else { "detect" },
                status = verdict.status,
                score = verdict.score,
                ?rules,
                "check decided"
            );
        }
        let decision = Decision {
            request_id,
            verdict,
            policy_version: engine.version,
            denial,
        };
        if let Some(hook) = &self.hook {
            hook(&decision);
        }
        decision
    }
}

/// Applies the policy to a body the proxy cut short (Envoy `with_request_body`
/// with `allow_partial_message`, `x-envoy-auth-partial-body: true`).
///
/// A truncated body is treated exactly like a body past the engine's own
/// `max_inspected_body_bytes`: the bytes that came are inspected, finding 10006
/// ("body larger than the inspection limit") records that the rest was not,
/// and the request's `on_limit` (the route's, else `[engine.limits]`) decides —
/// `inspect_partial` lets the request through unless what was seen blocks it,
/// `reject` refuses it with 413. The unfinished structure at the cut (finding
/// 10002, "ended in the middle of a structure") is the proxy's doing, not the
/// client's, and is not held against the request. Gate decisions (client
/// lists, rate limits, custom rules) and bypasses are left as they are.
pub fn settle_truncated(verdict: &mut Verdict, policy: &Policy) {
    if verdict.bypass.is_some()
        || matches!(
            verdict.reason,
            Some(BlockReason::RateLimited | BlockReason::CustomRule | BlockReason::ClientDenied)
        )
    {
        return;
    }
    let on_limit = verdict
        .route
        .as_ref()
        .and_then(|name| policy.routes.iter().find(|r| &r.name == name))
        .and_then(|r| r.limits.on_limit)
        .unwrap_or(policy.engine.limits.on_limit);
    let cut = ProtocolCheck::BodyTruncated.id();
    if let Some(i) = verdict.findings.iter().position(|f| f.rule_id == cut) {
        let finding = verdict.findings.remove(i);
        verdict.score = verdict.score.saturating_sub(finding.severity.weight());
    }
    let over = ProtocolCheck::BodyOverLimit;
    if over.paranoia() <= verdict.paranoia
        && !verdict.findings.iter().any(|f| f.rule_id == over.id())
    {
        verdict
            .findings
            .push(over.finding("body", b"truncated by the proxy before inspection"));
        verdict.score = verdict.score.saturating_add(over.severity().weight());
    }
    let (reason, status) = if on_limit == LimitAction::Reject {
        (Some(BlockReason::LimitExceeded), 413)
    } else if verdict.score >= verdict.threshold {
        (
            Some(BlockReason::AnomalyScore),
            policy.engine.block_response.status,
        )
    } else {
        (None, 200)
    };
    let block = reason.is_some() && verdict.mode == Mode::Block;
    verdict.reason = reason;
    verdict.action = if block { Action::Block } else { Action::Allow };
    verdict.status = if block { status } else { 200 };
    verdict.retry_after_seconds = None;
}

/// The bound listeners of a running check service.
#[derive(Debug)]
pub struct Running {
    pub grpc: Option<SocketAddr>,
    pub http: Option<SocketAddr>,
    pub admin: Option<SocketAddr>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    /// Stops accepting, lets requests in flight finish, and returns.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Resolves when `stop` turns true (or its sender is gone).
async fn stopped(mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

async fn bind(addr: Option<SocketAddr>, what: &str) -> Result<Option<TcpListener>> {
    match addr {
        Some(a) => {
            Ok(Some(TcpListener::bind(a).await.with_context(|| {
                format!("binding the {what} listener on {a}")
            })?))
        }
        None => Ok(None),
    }
}

/// Binds the configured listeners and serves until [`Running::shutdown`].
/// The engine must already be loaded (configuration is checked before any
/// port is bound).
pub async fn start(config: &AuthzConfig, checker: Arc<Checker>) -> Result<Running> {
    let store = Arc::clone(checker.store());
    checker.prepare_shared_limits();
    let grpc_listener = bind(config.grpc, "gRPC").await?;
    let http_listener = bind(config.http, "HTTP check").await?;
    let admin_listener = bind(config.admin, "admin").await?;
    let local = |l: &Option<TcpListener>| l.as_ref().and_then(|l| l.local_addr().ok());
    let (grpc_addr, http_addr, admin_addr) = (
        local(&grpc_listener),
        local(&http_listener),
        local(&admin_listener),
    );
    let (stop, stop_rx) = watch::channel(false);
    let mut tasks = Vec::new();
    if let Some(listener) = grpc_listener {
        let checker = Arc::clone(&checker);
        let signal = stopped(stop_rx.clone());
        let (max, workers) = (config.max_message_bytes, config.workers);
        tasks.push(tokio::spawn(async move {
            if let Err(e) = grpc::serve(listener, checker, max, workers, signal).await {
                tracing::error!(error = %e, "gRPC check service failed");
            }
        }));
    }
    if let Some(listener) = http_listener {
        let checker = Arc::clone(&checker);
        let signal = stopped(stop_rx.clone());
        tasks.push(tokio::spawn(http::serve(listener, checker, signal)));
    }
    if let Some(listener) = admin_listener {
        let metrics = telemetry::install();
        let store = Arc::clone(&store);
        let signal = stopped(stop_rx.clone());
        tasks.push(tokio::spawn(async move {
            tokio::select! {
                () = admin::serve(listener, store, metrics) => {}
                () = signal => {}
            }
        }));
    }
    Ok(Running {
        grpc: grpc_addr,
        http: http_addr,
        admin: admin_addr,
        stop,
        tasks,
    })
}

/// `palisade authz`: validates the configuration and loads the engine before
/// binding anything (exit 64 on either), then serves until SIGINT or SIGTERM.
pub fn main(args: &Args) -> u8 {
    const EXIT_CONFIG: u8 = 64;
    let config = match AuthzConfig::from_args(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("palisade authz: {e:#}");
            return EXIT_CONFIG;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("palisade authz: starting the runtime: {e}");
            return 2;
        }
    };
    runtime.block_on(async move {
        // The recorder must exist before the first engine load records it.
        let _ = telemetry::install();
        let clock = Arc::new(crate::runtime::clock::MonotonicClock::new());
        let store = match EngineStore::load(config.engine.clone(), clock) {
            Ok(s) => Arc::new(s),
            Err(e) => {
                eprintln!("palisade authz: {e:#}");
                return EXIT_CONFIG;
            }
        };
        if let Err(e) = crate::runtime::store::spawn_reloader(Arc::clone(&store)) {
            eprintln!("palisade authz: watching the policy for reloads: {e:#}");
            return 2;
        }
        let dos = crate::runtime::dos::DosSupervisor::start(Arc::clone(&store));
        // Before the readiness lines: a SIGTERM right after them is a clean stop.
        let termination = crate::runtime::termination::Termination::install();
        let running = match start(&config, Arc::new(Checker::new(store))).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("palisade authz: {e:#}");
                return 2;
            }
        };
        for (name, addr) in [
            ("grpc", running.grpc),
            ("http", running.http),
            ("admin", running.admin),
        ] {
            if let Some(a) = addr {
                println!("palisade authz: {name} listening on {a}");
            }
        }
        termination.wait().await;
        eprintln!("palisade authz: shutting down");
        running.shutdown().await;
        dos.save_now();
        0
    })
}
