//! The HTTP auth-request mode, called directly the way Traefik's ForwardAuth
//! middleware and nginx's auth_request call it (the real-nginx test is
//! `authz_nginx.rs`; Traefik is not packaged here, so its contract is tested
//! with requests shaped as Traefik sends them).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod authz_support;

use authz_support::{raw_http, start, RawResponse, TempDir};
use std::net::SocketAddr;

const ATTACK_URI: &str = "/search?q=1%27%20UNION%20SELECT%20username%2Cpassword%20FROM%20users--";

fn h(name: &str, value: &str) -> (String, Vec<u8>) {
    (name.to_string(), value.as_bytes().to_vec())
}

/// A ForwardAuth subrequest as Traefik sends it: the original headers, the
/// X-Forwarded-* set, and the auth server's own Host.
async fn traefik(
    addr: SocketAddr,
    method: &str,
    uri: &str,
    forwarded_for: &str,
    extra: &[(&str, &str)],
) -> RawResponse {
    let mut headers = vec![
        h("Host", &addr.to_string()),
        h("User-Agent", "Mozilla/5.0 (X11; Linux x86_64)"),
        h("Accept", "text/html"),
        h("X-Forwarded-Method", method),
        h("X-Forwarded-Proto", "https"),
        h("X-Forwarded-Host", "shop.example"),
        h("X-Forwarded-Uri", uri),
        h("X-Forwarded-Port", "443"),
        h("X-Forwarded-Server", "traefik-1"),
        h("X-Real-Ip", "192.0.2.250"),
        h("X-Forwarded-For", forwarded_for),
    ];
    headers.extend(extra.iter().map(|(n, v)| h(n, v)));
    raw_http(addr, "GET", b"/", &headers).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traefik_allow_answers_200_with_headers_to_copy() {
    let service = start(None, None).await;
    let r = traefik(
        service.http(),
        "GET",
        "/products?id=42",
        "203.0.113.5",
        &[("X-Request-Id", "trace-77")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-palisade-request-id"), Some("trace-77"));
    assert_eq!(r.header("x-palisade-score"), Some("0"));
    assert_eq!(r.header("x-palisade-verdict"), Some("allow"));
    assert!(r.body.is_empty());
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traefik_deny_is_the_response_the_client_gets() {
    let service = start(None, None).await;
    let r = traefik(service.http(), "GET", ATTACK_URI, "203.0.113.5", &[]).await;
    assert_eq!(r.status, 403);
    let id = r
        .header("x-palisade-request-id")
        .expect("request id")
        .to_string();
    let policy = palisade_engine::defaults::policy().unwrap();
    assert_eq!(
        r.text(),
        policy
            .engine
            .block_response
            .body
            .replace("{request_id}", &id)
    );
    assert_eq!(
        r.header("content-type"),
        Some(policy.engine.block_response.content_type.as_str())
    );
    let decision = service.decisions.by_id(&id).expect("decision logged");
    let ids: Vec<u32> = decision
        .verdict
        .findings
        .iter()
        .map(|f| f.rule_id.0)
        .collect();
    assert!(ids.contains(&16001), "{ids:?}");
    assert!(!r.text().contains("16001"));
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traefik_client_address_goes_through_trusted_proxies() {
    let dir = TempDir::new("authz-http-clients");
    let policy = dir.write(
        "policy.toml",
        "[clients]\ndeny = [\"198.51.100.0/24\"]\ntrusted_proxies = [\"10.0.0.0/8\"]\n",
    );
    let service = start(Some(&policy), None).await;
    let addr = service.http();
    // Traefik's peer is a trusted load balancer, which names the client.
    let r = traefik(addr, "GET", "/", "198.51.100.7, 10.0.0.2", &[]).await;
    assert_eq!(r.status, 403, "denied client behind a trusted hop");
    // The same claim from an untrusted peer is ignored: the peer is the client.
    let r = traefik(addr, "GET", "/", "198.51.100.7, 203.0.113.9", &[]).await;
    assert_eq!(r.status, 200);
    // The denied client connecting to Traefik directly.
    let r = traefik(addr, "GET", "/", "198.51.100.7", &[]).await;
    assert_eq!(r.status, 403);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_answers_429_with_retry_after() {
    let dir = TempDir::new("authz-http-rate");
    let policy = dir.write(
        "policy.toml",
        "[[rate_limits]]\nname = \"per-client\"\nkey = [\"client_ip\"]\nrequests = 1\nperiod_seconds = 30\n",
    );
    let service = start(Some(&policy), None).await;
    let first = traefik(service.http(), "GET", "/", "203.0.113.77", &[]).await;
    assert_eq!(first.status, 200);
    let second = traefik(service.http(), "GET", "/", "203.0.113.77", &[]).await;
    assert_eq!(second.status, 429);
    let retry: u64 = second
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry));
    assert!(second
        .text()
        .contains(second.header("x-palisade-request-id").unwrap()));
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_shaped_subrequest_is_understood() {
    let service = start(None, None).await;
    let base = |uri: &str| {
        vec![
            h("Host", "shop.example"),
            h("X-Original-Method", "GET"),
            h("X-Original-URI", uri),
            h("X-Real-IP", "203.0.113.5"),
            h("X-Forwarded-For", "203.0.113.5"),
        ]
    };
    let ok = raw_http(service.http(), "GET", b"/check", &base("/products?id=42")).await;
    assert_eq!(ok.status, 200);
    let blocked = raw_http(service.http(), "GET", b"/check", &base(ATTACK_URI)).await;
    assert_eq!(blocked.status, 403);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subrequest_without_the_protocol_headers_is_400() {
    let service = start(None, None).await;
    let r = raw_http(service.http(), "GET", b"/", &[h("Host", "x")]).await;
    assert_eq!(r.status, 400);
    assert!(
        r.text().contains("X-Original-URI") && r.text().contains("X-Forwarded-Uri"),
        "{}",
        r.text()
    );
    let r = raw_http(service.http(), "GET", b"/", &[h("X-Forwarded-Uri", "/")]).await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("X-Forwarded-Method"), "{}", r.text());
    service.stop().await;
}
