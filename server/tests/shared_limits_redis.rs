//! Shared rate limits through a real redis-server: two `palisade proxy`
//! processes sharing one limit enforce it jointly; with Redis stopped they
//! keep answering (local limits, no 5xx) and count the fallback; with Redis
//! back on the same port they reconnect and share again.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

mod palisade_bin;
mod proxy_support;

use palisade_bin::{metric, ProxyProcess, RedisServer, START};
use proxy_support::{client, TempDir, Upstream};
use std::time::{Duration, Instant};

/// The shared limit: 10 requests per 10 s per client address, burst 10.
const LIMIT: usize = 10;

fn policy(redis_url: &str) -> String {
    format!(
        r#"[engine]
mode = "block"

[shared_limits]
redis_url = "{redis_url}"
key_prefix = "palisade-test:"
# Generous for a loaded CI machine; the default is 10 ms.
timeout_ms = 250

[[rate_limits]]
name = "per-client"
key = ["client_ip"]
requests = {LIMIT}
period_seconds = 10
"#
    )
}

fn config(dir: &TempDir, name: &str, upstream: &str) -> std::path::PathBuf {
    dir.write(
        name,
        &format!(
            r#"[proxy]
listen = "127.0.0.1:0"
admin = "127.0.0.1:0"
upstreams = ["{upstream}"]
policy = "policy.toml"

[proxy.audit]
mode = "off"
"#
        ),
    )
}

/// Waits until `palisade_shared_limits_up` is `want` on every instance.
async fn wait_up(proxies: &[&ProxyProcess], want: f64) {
    let deadline = Instant::now() + START;
    for p in proxies {
        loop {
            let m = p.metrics().await;
            if metric(&m, "palisade_shared_limits_up") == Some(want) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "palisade_shared_limits_up never became {want}:\n{m}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Sends `n` requests alternating between the proxies; returns (allowed, refused).
async fn alternate(proxies: &[&ProxyProcess], n: usize) -> (usize, usize) {
    let c = client();
    let (mut allowed, mut refused) = (0, 0);
    for i in 0..n {
        let p = proxies[i % proxies.len()];
        let r = c.get(p.url("/shared")).send().await.unwrap();
        match r.status().as_u16() {
            200 => allowed += 1,
            429 => {
                let retry = r
                    .headers()
                    .get("retry-after")
                    .expect("429 without Retry-After");
                let seconds: u64 = retry.to_str().unwrap().parse().unwrap();
                assert!((1..=10).contains(&seconds), "Retry-After {seconds}");
                refused += 1;
            }
            other => panic!("request {i}: status {other} (no error may reach a client)"),
        }
    }
    (allowed, refused)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_proxies_share_one_limit_and_fall_back_when_redis_is_gone() {
    let dir = TempDir::new("shared-limits");
    let mut redis = RedisServer::start(&dir.0);
    let up = Upstream::start().await;
    dir.write("policy.toml", &policy(&redis.url()));
    let a = ProxyProcess::start(&config(&dir, "a.toml", &up.url()));
    let b = ProxyProcess::start(&config(&dir, "b.toml", &up.url()));
    let both = [&a, &b];
    wait_up(&both, 1.0).await;

    // 1. Joint enforcement: 30 requests from one client over both instances.
    let started = Instant::now();
    let (allowed, refused) = alternate(&both, 3 * LIMIT).await;
    let took = started.elapsed();
    eprintln!("shared: {allowed} allowed, {refused} refused in {took:?} across two instances");
    // One more request may conform for each second the burst took.
    let slack = took.as_secs() as usize + 1;
    assert!(
        (LIMIT..=LIMIT + slack).contains(&allowed),
        "the two instances allowed {allowed} together; the shared limit is {LIMIT}"
    );
    for p in &both {
        let m = p.metrics().await;
        assert!(metric(&m, "palisade_shared_limits_decisions_total").unwrap_or(0.0) > 0.0);
        assert_eq!(
            metric(&m, "palisade_shared_limits_fallback_total"),
            None,
            "{m}"
        );
    }

    // One key per limit and client, expiring within the limit's horizon
    // (period / requests * burst = 10 s).
    let ttl = redis.command("PTTL palisade-test:per-client:127.0.0.1\x1f");
    let ms: i64 = ttl.trim_start_matches(':').parse().unwrap();
    assert!((1..=10_000).contains(&ms), "PTTL {ttl}");

    // The script cache emptied (as by a Redis restart or failover): EVALSHA
    // answers NOSCRIPT, the instances send EVAL, and Redis still decides.
    let mut decided = 0.0;
    for p in &both {
        decided += metric(&p.metrics().await, "palisade_shared_limits_decisions_total").unwrap();
    }
    assert_eq!(redis.command("SCRIPT FLUSH"), "+OK");
    let (allowed, _) = alternate(&both, 4).await;
    assert!(allowed <= 1, "the limit is used up: {allowed} allowed");
    let mut decided_after = 0.0;
    for p in &both {
        let m = p.metrics().await;
        assert_eq!(
            metric(&m, "palisade_shared_limits_fallback_total"),
            None,
            "{m}"
        );
        decided_after += metric(&m, "palisade_shared_limits_decisions_total").unwrap();
    }
    assert_eq!(
        decided_after,
        decided + 4.0,
        "Redis decided after SCRIPT FLUSH"
    );

    // Redis slow (busy for 1.5 s, longer than timeout_ms): decided locally in time.
    let port = redis.port;
    let sleeper = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(b"DEBUG SLEEP 1.5\r\n").unwrap();
        let mut buf = [0u8; 16];
        let _ = s.read(&mut buf);
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let slow = Instant::now();
    let _ = alternate(&both, 2).await;
    let took = slow.elapsed();
    sleeper.join().unwrap();
    eprintln!("redis busy: two requests answered in {took:?}");
    assert!(
        took < Duration::from_millis(1200),
        "requests waited for a busy Redis: {took:?}"
    );
    for p in &both {
        let m = p.metrics().await;
        let timeouts = palisade_bin::metric_with(
            &m,
            "palisade_shared_limits_fallback_total",
            "reason=\"timeout\"",
        );
        assert_eq!(timeouts, Some(1.0), "{m}");
    }

    // 2. Redis gone: answers keep coming (local limits), fallback counted.
    redis.stop();
    let (allowed, refused) = alternate(&both, 3 * LIMIT).await;
    eprintln!("redis down: {allowed} allowed, {refused} refused (local limits)");
    assert!(
        allowed >= 1,
        "local limits should let a fresh client through"
    );
    assert!(
        allowed <= 2 * LIMIT + 2,
        "each local limiter allows at most {LIMIT} (+refill): {allowed}"
    );
    for p in &both {
        let m = p.metrics().await;
        let fallbacks = metric(&m, "palisade_shared_limits_fallback_total").unwrap_or(0.0);
        eprintln!("fallbacks on {}: {fallbacks}", p.addr);
        assert!(fallbacks > 0.0, "no fallback counted:\n{m}");
    }
    wait_up(&both, 0.0).await;

    // 3. Redis back on the same port: both reconnect and share again
    //    (the restarted Redis is empty, so the client starts afresh).
    redis.restart();
    let back = Instant::now();
    wait_up(&both, 1.0).await;
    eprintln!("reconnected within {:?}", back.elapsed());
    let started = Instant::now();
    let (allowed, _) = alternate(&both, 3 * LIMIT).await;
    let slack = started.elapsed().as_secs() as usize + 1;
    eprintln!("shared again: {allowed} allowed");
    assert!(
        (LIMIT..=LIMIT + slack).contains(&allowed),
        "after reconnecting the two instances allowed {allowed}; the shared limit is {LIMIT}"
    );
}

mod authz_support;

/// The check service shares limits too: one instance asked over gRPC (Envoy),
/// the other over HTTP (Traefik ForwardAuth), the same client, one limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_check_services_share_one_limit_over_grpc_and_http() {
    use authz_support::{raw_http, start, Described};
    let dir = TempDir::new("shared-limits-authz");
    let redis = RedisServer::start(&dir.0);
    let policy = dir.write("policy.toml", &policy(&redis.url()));
    let grpc = start(Some(&policy), None).await;
    let http = start(Some(&policy), None).await;
    let client_ip = "203.0.113.10";
    let mut envoy = grpc.client().await;
    let (mut allowed, mut refused) = (0, 0);
    // Both services connect in the background; give them a moment.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let started = Instant::now();
    for i in 0..3 * LIMIT {
        let status = if i % 2 == 0 {
            let mut request = Described::get("/shared").header("User-Agent", "Mozilla/5.0");
            request.peer = Some(format!("{client_ip}:40000").parse().unwrap());
            let response = envoy
                .check(request.check_request())
                .await
                .unwrap()
                .into_inner();
            if response.status.map(|s| s.code).unwrap_or(0) == 0 {
                200
            } else {
                429
            }
        } else {
            let headers: Vec<(String, Vec<u8>)> = [
                ("Host", "check"),
                ("User-Agent", "Mozilla/5.0"),
                ("X-Forwarded-Method", "GET"),
                ("X-Forwarded-Proto", "https"),
                ("X-Forwarded-Host", "shop.example"),
                ("X-Forwarded-Uri", "/shared"),
                ("X-Forwarded-For", client_ip),
            ]
            .iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect();
            raw_http(http.http(), "GET", b"/", &headers).await.status
        };
        match status {
            200 => allowed += 1,
            429 => refused += 1,
            other => panic!("check {i}: status {other}"),
        }
    }
    let slack = started.elapsed().as_secs() as usize + 1;
    eprintln!("check services: {allowed} allowed, {refused} refused");
    assert!(
        (LIMIT..=LIMIT + slack).contains(&allowed),
        "the two check services allowed {allowed} together; the shared limit is {LIMIT}"
    );
    grpc.stop().await;
    http.stop().await;
}
