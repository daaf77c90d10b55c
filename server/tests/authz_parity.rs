//! Same verdict everywhere: every request vector in `testdata/vectors/*.toml`
//! goes through a direct `Inspector::inspect`, the ext_authz gRPC service, and
//! the HTTP auth-request mode shaped as nginx and as Traefik send it; the
//! allow/block decision, the status and the rule ids must be identical.
//!
//! Each vector file (and paranoia override) gets its own services and direct
//! inspector, so rate-limit state evolves the same way in each. Every case gets
//! a peer (its own, else 203.0.113.200), the same in all four.
//!
//! Skips, each with its reason, counted and printed:
//! - a case with a body skips the HTTP modes: nginx's auth subrequest and
//!   Traefik's ForwardAuth never carry the body;
//! - a case whose headers cannot reach the HTTP modes as sent skips them:
//!   connection and framing headers (`Content-Length`, `Transfer-Encoding`,
//!   `Connection`, ...) belong to each hop and proxies do not copy them, a
//!   header the proxy itself sets (`X-Real-IP` for nginx, `X-Forwarded-*` for
//!   Traefik) is overwritten, and bytes HTTP cannot carry in a header line
//!   (controls, leading or trailing blanks) do not survive.
//!
//! The runner fails if any mode ran no case.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod authz_support;

use authz_support::{raw_http, repo, start_with, Described, Service};
use envoy_types::pb::envoy::service::auth::v3::check_response::HttpResponse;
use envoy_types::pb::google::protobuf::value::Kind;
use palisade_engine::matcher::CompiledRules;
use palisade_engine::vectors::{Case, VectorFile};
use palisade_engine::verdict::Action;
use palisade_engine::Inspector;
use palisade_server::engine_setup;
use palisade_server::runtime::clock::MonotonicClock;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const DEFAULT_PEER: &str = "203.0.113.200:40000";

/// What is compared: decision, status, rule ids (sorted).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    block: bool,
    status: u16,
    rules: Vec<u32>,
}

const HOP_HEADERS: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
    "transfer-encoding",
    "content-length",
];

fn header_safe(value: &[u8]) -> bool {
    value
        .iter()
        .all(|&b| (b >= 0x20 && b != 0x7f) || b == b'\t')
        && !value.first().is_some_and(|b| *b == b' ' || *b == b'\t')
        && !value.last().is_some_and(|b| *b == b' ' || *b == b'\t')
}

/// Why a case cannot go through an HTTP auth mode unchanged, if it cannot.
fn http_skip(case: &Case, body: &[u8], proxy_set: &[&str]) -> Option<&'static str> {
    if !body.is_empty() {
        return Some("has a body: auth subrequests never carry the body");
    }
    for (name, value) in &case.headers {
        let lower = name.to_ascii_lowercase();
        if HOP_HEADERS.contains(&lower.as_str()) {
            return Some("connection/framing header: set per hop, never copied by the proxy");
        }
        if proxy_set.contains(&lower.as_str()) {
            return Some("header the proxy sets itself (overwritten)");
        }
        if !header_safe(value.as_bytes()) {
            return Some("header value HTTP cannot carry unchanged");
        }
    }
    if !header_safe(case.uri.as_bytes()) || !header_safe(case.method.as_bytes()) {
        return Some("method or URI HTTP cannot carry in a header unchanged");
    }
    None
}

fn direct_outcome(inspector: &Inspector, case: &Case, peer: SocketAddr) -> Outcome {
    let (mut head, body) = case.request().unwrap();
    head.peer = Some(peer);
    let mut verdict = inspector.inspect(&head, &body);
    for _ in 1..case.repeat.unwrap_or(1).max(1) {
        verdict = inspector.inspect(&head, &body);
    }
    let mut rules: Vec<u32> = verdict.findings.iter().map(|f| f.rule_id.0).collect();
    rules.sort_unstable();
    Outcome {
        block: verdict.action == Action::Block,
        status: verdict.status,
        rules,
    }
}

async fn grpc_outcome(service: &Service, case: &Case, peer: SocketAddr) -> Outcome {
    let (_, body) = case.request().unwrap();
    let described = Described {
        method: case.method.clone(),
        uri: case.uri.clone(),
        host: String::new(),
        headers: case
            .headers
            .iter()
            .map(|(n, v)| (n.clone(), v.as_bytes().to_vec()))
            .collect(),
        body,
        peer: Some(peer),
        partial: false,
        id: String::new(),
    };
    let mut client = service.client().await;
    let mut response = None;
    for _ in 0..case.repeat.unwrap_or(1).max(1) {
        response = Some(
            client
                .check(described.check_request())
                .await
                .unwrap()
                .into_inner(),
        );
    }
    let response = response.unwrap();
    let (block, status) = match &response.http_response {
        Some(HttpResponse::OkResponse(_)) => (false, 200),
        Some(HttpResponse::DeniedResponse(d)) => {
            (true, d.status.as_ref().map_or(0, |s| s.code as u16))
        }
        other => panic!("{}: no http_response: {other:?}", case.name),
    };
    let mut rules: Vec<u32> = match response
        .dynamic_metadata
        .as_ref()
        .and_then(|m| m.fields.get("rule_ids"))
        .and_then(|v| v.kind.as_ref())
    {
        Some(Kind::ListValue(list)) => list
            .values
            .iter()
            .filter_map(|v| match v.kind {
                Some(Kind::NumberValue(n)) => Some(n as u32),
                _ => None,
            })
            .collect(),
        _ => panic!("{}: no rule_ids metadata", case.name),
    };
    rules.sort_unstable();
    Outcome {
        block,
        status,
        rules,
    }
}

fn h(name: &str, value: &[u8]) -> (String, Vec<u8>) {
    (name.to_string(), value.to_vec())
}

/// `X-Forwarded-For` as the proxy sends it: the client's, plus the peer.
fn forwarded_for(case: &Case, peer: SocketAddr) -> Vec<u8> {
    let prior: Vec<&str> = case
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("x-forwarded-for"))
        .map(|(_, v)| v.as_str())
        .collect();
    let mut value = prior.join(", ");
    if !value.is_empty() {
        value.push_str(", ");
    }
    value.push_str(&peer.ip().to_string());
    value.into_bytes()
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Shape {
    Nginx,
    Traefik,
}

async fn http_outcome(service: &Service, case: &Case, peer: SocketAddr, shape: Shape) -> Outcome {
    let mut headers: Vec<(String, Vec<u8>)> = Vec::new();
    match shape {
        Shape::Nginx => {
            for (n, v) in &case.headers {
                if !n.eq_ignore_ascii_case("x-forwarded-for") {
                    headers.push(h(n, v.as_bytes()));
                }
            }
            headers.push(h("X-Original-Method", case.method.as_bytes()));
            headers.push(h("X-Original-URI", case.uri.as_bytes()));
            headers.push(h("X-Real-IP", peer.ip().to_string().as_bytes()));
        }
        Shape::Traefik => {
            headers.push(h("Host", service.http().to_string().as_bytes()));
            for (n, v) in &case.headers {
                if n.eq_ignore_ascii_case("host") {
                    headers.push(h("X-Forwarded-Host", v.as_bytes()));
                } else if !n.eq_ignore_ascii_case("x-forwarded-for") {
                    headers.push(h(n, v.as_bytes()));
                }
            }
            headers.push(h("X-Forwarded-Method", case.method.as_bytes()));
            headers.push(h("X-Forwarded-Proto", b"http"));
            headers.push(h("X-Forwarded-Uri", case.uri.as_bytes()));
        }
    }
    headers.push(h("X-Forwarded-For", &forwarded_for(case, peer)));
    let mut response = None;
    for _ in 0..case.repeat.unwrap_or(1).max(1) {
        response = Some(raw_http(service.http(), "GET", b"/check", &headers).await);
    }
    let response = response.unwrap();
    assert_ne!(
        response.status,
        400,
        "{} ({shape:?}): {}",
        case.name,
        response.text()
    );
    // Requests are sequential: the last decision is this case's.
    let decision = service
        .decisions
        .0
        .lock()
        .unwrap()
        .last()
        .cloned()
        .expect("a decision");
    assert_eq!(
        response.header("x-palisade-request-id"),
        Some(decision.request_id.as_str())
    );
    let mut rules: Vec<u32> = decision
        .verdict
        .findings
        .iter()
        .map(|f| f.rule_id.0)
        .collect();
    rules.sort_unstable();
    Outcome {
        block: response.status != 200,
        status: response.status,
        rules,
    }
}

fn resolve_policy(file: &Path, policy: &str) -> PathBuf {
    let from_root = repo().join(policy);
    if from_root.exists() {
        return from_root;
    }
    file.parent().unwrap().join(policy)
}

#[derive(Default)]
struct Tally {
    ran: BTreeMap<&'static str, usize>,
    skipped: BTreeMap<String, usize>,
    mismatches: Vec<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grpc_http_and_direct_inspection_agree_on_every_vector() {
    let dir = repo().join("testdata/vectors");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vector files in {}", dir.display());
    let rules =
        Arc::new(CompiledRules::compile(&engine_setup::load_signatures(None).unwrap()).unwrap());
    let mut tally = Tally::default();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let vectors: VectorFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let policy_path = vectors.policy.as_deref().map(|p| resolve_policy(file, p));
        let mut by_paranoia: BTreeMap<Option<u8>, Vec<&Case>> = BTreeMap::new();
        for case in &vectors.cases {
            by_paranoia.entry(case.paranoia).or_default().push(case);
        }
        for (paranoia, cases) in by_paranoia {
            let mut policy = engine_setup::load_policy(policy_path.as_deref()).unwrap();
            if let Some(level) = paranoia.and_then(palisade_engine::rule::Paranoia::new) {
                policy.engine.paranoia = level;
            }
            let direct = Inspector::new(Arc::clone(&rules), &policy)
                .with_clock(Arc::new(MonotonicClock::new()));
            let grpc = start_with(policy_path.as_deref(), paranoia, true, false).await;
            let nginx = start_with(policy_path.as_deref(), paranoia, false, true).await;
            let traefik = start_with(policy_path.as_deref(), paranoia, false, true).await;
            for case in cases {
                let label = format!(
                    "{}: {}",
                    file.file_name().unwrap().to_string_lossy(),
                    case.name
                );
                let peer: SocketAddr = case
                    .peer
                    .as_deref()
                    .unwrap_or(DEFAULT_PEER)
                    .parse()
                    .unwrap();
                let (_, body) = case.request().unwrap();
                let want = direct_outcome(&direct, case, peer);
                *tally.ran.entry("direct").or_default() += 1;
                let got = grpc_outcome(&grpc, case, peer).await;
                *tally.ran.entry("grpc").or_default() += 1;
                if got != want {
                    tally
                        .mismatches
                        .push(format!("{label} [grpc]: {got:?} != direct {want:?}"));
                }
                let shapes = [
                    (
                        Shape::Nginx,
                        &nginx,
                        &["x-real-ip", "x-original-method", "x-original-uri"][..],
                    ),
                    (
                        Shape::Traefik,
                        &traefik,
                        &[
                            "x-real-ip",
                            "x-forwarded-method",
                            "x-forwarded-proto",
                            "x-forwarded-host",
                            "x-forwarded-uri",
                            "x-forwarded-port",
                            "x-forwarded-server",
                        ][..],
                    ),
                ];
                for (shape, service, proxy_set) in shapes {
                    let name = match shape {
                        Shape::Nginx => "http (nginx)",
                        Shape::Traefik => "http (traefik)",
                    };
                    if let Some(reason) = http_skip(case, &body, proxy_set) {
                        *tally
                            .skipped
                            .entry(format!("{name}: {reason}"))
                            .or_default() += 1;
                        continue;
                    }
                    let got = http_outcome(service, case, peer, shape).await;
                    *tally.ran.entry(name).or_default() += 1;
                    if got != want {
                        tally
                            .mismatches
                            .push(format!("{label} [{name}]: {got:?} != direct {want:?}"));
                    }
                }
            }
            grpc.stop().await;
            nginx.stop().await;
            traefik.stop().await;
        }
    }
    println!("parity: cases run per mode: {:?}", tally.ran);
    for (reason, n) in &tally.skipped {
        println!("parity: skipped {n}: {reason}");
    }
    for mode in ["direct", "grpc", "http (nginx)", "http (traefik)"] {
        assert!(
            tally.ran.get(mode).copied().unwrap_or(0) > 0,
            "mode {mode} ran no case"
        );
    }
    assert!(
        tally.mismatches.is_empty(),
        "{} verdicts differ:\n{}",
        tally.mismatches.len(),
        tally.mismatches.join("\n")
    );
}
