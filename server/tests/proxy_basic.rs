//! The proxy on real sockets: pass-through, blocking, body modes, limits,
//! upstream failures and load balancing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

mod proxy_support;

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper_util::rt::TokioIo;
use proxy_support::*;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SQLI_FORM: &str = "user=alice&q=1%27%20UNION%20SELECT%20username,password%20FROM%20users--";

#[tokio::test]
async fn get_and_post_pass_through_with_forwarding_headers() {
    let up = Upstream::start().await;
    let proxy = start_proxy(&[up.url()], "", None).await;
    let c = client();
    let r = c
        .get(proxy.url("/hello?x=1"))
        .header("x-request-id", "client-id-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-request-id"], "client-id-1");
    assert_eq!(r.headers()["x-upstream"], "1");
    assert!(
        r.headers().get("keep-alive").is_none(),
        "hop-by-hop header leaked to the client"
    );
    assert_eq!(r.text().await.unwrap(), "ok\n");
    let r = c
        .post(proxy.url("/echo"))
        .header("content-type", "text/plain")
        .body("plain words")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let generated = r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(generated.len(), 32);
    assert_eq!(r.text().await.unwrap(), "plain words");
    let seen = up.requests();
    assert_eq!(seen.len(), 2);
    let get = &seen[0];
    assert_eq!(get.uri, "/hello?x=1");
    assert_eq!(get.headers["x-forwarded-for"], "127.0.0.1");
    assert_eq!(get.headers["x-forwarded-proto"], "http");
    assert_eq!(get.headers["x-request-id"], "client-id-1");
    assert_eq!(get.headers["host"], proxy.addr.unwrap().to_string());
    assert!(get.headers["forwarded"]
        .to_str()
        .unwrap()
        .starts_with("for=127.0.0.1;proto=http"));
    assert_eq!(seen[1].headers["x-request-id"], generated.as_str());
    assert_eq!(seen[1].body, b"plain words");
    proxy.stop().await;
}

#[tokio::test]
async fn client_forwarding_headers_are_replaced_unless_peer_is_trusted() {
    let up = Upstream::start().await;
    let proxy = start_proxy(&[up.url()], "host_header = \"upstream\"\n", None).await;
    client()
        .get(proxy.url("/"))
        .header("x-forwarded-for", "6.6.6.6")
        .header("forwarded", "for=6.6.6.6")
        .send()
        .await
        .unwrap();
    let seen = up.requests();
    assert_eq!(seen[0].headers["x-forwarded-for"], "127.0.0.1");
    assert!(!seen[0].headers["forwarded"]
        .to_str()
        .unwrap()
        .contains("6.6.6.6"));
    assert_eq!(seen[0].headers["host"], up.addr.to_string());
    proxy.stop().await;
    let trusting = "[clients]\ntrusted_proxies = [\"127.0.0.0/8\"]\n";
    let proxy = start_proxy(&[up.url()], "", Some(trusting)).await;
    client()
        .get(proxy.url("/"))
        .header("x-forwarded-for", "203.0.113.5")
        .send()
        .await
        .unwrap();
    let seen = up.requests();
    assert_eq!(
        seen.last().unwrap().headers["x-forwarded-for"],
        "203.0.113.5, 127.0.0.1"
    );
    proxy.stop().await;
}

#[tokio::test]
async fn attack_in_query_is_blocked_with_request_id_and_never_forwarded() {
    let up = Upstream::start().await;
    let proxy = start_proxy(&[up.url()], "", None).await;
    let r = client()
        .get(proxy.url("/search?q=%3Cscript%3Ealert(document.cookie)%3C/script%3E"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    let body = r.text().await.unwrap();
    assert!(
        body.contains(&id),
        "block page must carry the request id: {body}"
    );
    assert!(
        !body.contains("941"),
        "rule ids must not reach the client: {body}"
    );
    assert_eq!(up.heads.load(std::sync::atomic::Ordering::SeqCst), 0);
    proxy.stop().await;
}

#[tokio::test]
async fn request_blocked_on_its_body_never_reaches_the_upstream() {
    let up = Upstream::start().await;
    let proxy = start_proxy(&[up.url()], "", None).await;
    let r = client()
        .post(proxy.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(SQLI_FORM)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // The same body, benign: forwarded.
    let r = client()
        .post(proxy.url("/echo"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("user=alice&q=union+station")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let seen = up.requests();
    assert_eq!(
        up.heads.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "only the benign request may arrive"
    );
    assert_eq!(seen[0].body, b"user=alice&q=union+station");
    proxy.stop().await;
}

#[tokio::test]
async fn stream_mode_route_aborts_a_body_blocked_midway() {
    let up = Upstream::start().await;
    let routes = "[[proxy.routes]]\npath_prefix = \"/stream\"\nbody_mode = \"stream\"\n";
    let proxy = start_proxy(&[up.url()], routes, None).await;
    // Benign chunks first (forwarded as they come), the attack last.
    let mut chunks: Vec<Result<Frame<Bytes>, std::convert::Infallible>> = (0..8)
        .map(|i| Ok(Frame::data(Bytes::from(format!("a{i}=benign+value&")))))
        .collect();
    chunks.push(Ok(Frame::data(Bytes::from_static(
        b"q=1%27%20UNION%20SELECT%20username,password%20FROM%20users--",
    ))));
    let body = StreamBody::new(futures_util::stream::iter(chunks));
    let stream = tokio::net::TcpStream::connect(proxy.addr.unwrap())
        .await
        .unwrap();
    let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let req = http::Request::post("/stream/upload")
        .header("host", "app")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .unwrap();
    let r = tokio::time::timeout(WAIT, send.send_request(req))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status(), 403);
    // Give the upstream a bounded moment to record whatever it got.
    for _ in 0..50 {
        if up.heads.load(std::sync::atomic::Ordering::SeqCst) == up.requests().len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        up.requests().iter().all(|r| !r.complete),
        "the upstream must never receive the complete blocked body"
    );
    proxy.stop().await;
}

#[tokio::test]
async fn large_bodies_stream_through_byte_exact() {
    let up = Upstream::start().await;
    let proxy = start_proxy(&[up.url()], "", None).await;
    // 5 MiB with Content-Length: past the 1 MiB inspection limit, so relayed.
    let big: Vec<u8> = (0..5 * 1024 * 1024u32)
        .map(|i| b'a' + (i % 26) as u8)
        .collect();
    let r = client()
        .post(proxy.url("/echo"))
        .header("content-type", "application/octet-stream")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap() == big, "echoed body differs");
    // 3 MiB chunked in uneven pieces.
    let pieces: Vec<Result<Frame<Bytes>, std::convert::Infallible>> = big[..3 * 1024 * 1024]
        .chunks(70_001)
        .map(|c| Ok(Frame::data(Bytes::copy_from_slice(c))))
        .collect();
    let stream = tokio::net::TcpStream::connect(proxy.addr.unwrap())
        .await
        .unwrap();
    let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let req = http::Request::post("/echo")
        .header("host", "app")
        .header("content-type", "application/octet-stream")
        .body(StreamBody::new(futures_util::stream::iter(pieces)))
        .unwrap();
    let r = tokio::time::timeout(WAIT, send.send_request(req))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status(), 200);
    let echoed = r.into_body().collect().await.unwrap().to_bytes();
    assert!(echoed[..] == big[..3 * 1024 * 1024], "chunked echo differs");
    let seen = up.requests();
    assert!(seen.iter().all(|r| r.complete));
    proxy.stop().await;
}

#[tokio::test]
async fn body_limit_gives_413_and_expect_continue_is_honoured() {
    let up = Upstream::start().await;
    let proxy = start_proxy(&[up.url()], "[proxy.limits]\nmax_body_bytes = 1000\n", None).await;
    let r = client()
        .post(proxy.url("/echo"))
        .body(vec![b'x'; 2000])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    // Expect: 100-continue: the proxy asks for the body only after the head passed.
    let mut s = tokio::net::TcpStream::connect(proxy.addr.unwrap())
        .await
        .unwrap();
    s.write_all(b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 256];
    let n = tokio::time::timeout(WAIT, s.read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert!(
        buf[..n].starts_with(b"HTTP/1.1 100 Continue"),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
    s.write_all(b"hello").await.unwrap();
    let mut rest = Vec::new();
    let mut chunk = vec![0u8; 1024];
    while !String::from_utf8_lossy(&rest).contains("hello") {
        let n = tokio::time::timeout(WAIT, s.read(&mut chunk))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0);
        rest.extend_from_slice(&chunk[..n]);
    }
    assert_eq!(status_of(&rest), Some(200));
    // A head that is blocked is answered without asking for the body.
    let raw = raw_exchange(
        proxy.addr.unwrap(),
        b"POST /?q=%3Cscript%3Ealert(1)%3C/script%3E HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
    )
    .await;
    assert_eq!(
        status_of(&raw),
        Some(403),
        "{}",
        String::from_utf8_lossy(&raw)
    );
    proxy.stop().await;
}

#[tokio::test]
async fn rate_limit_gives_429_with_retry_after() {
    let up = Upstream::start().await;
    let policy = "[[rate_limits]]\nname = \"per-ip\"\nkey = [\"client_ip\"]\nrequests = 2\nperiod_seconds = 60\nburst = 2\n";
    let proxy = start_proxy(&[up.url()], "", Some(policy)).await;
    let c = client();
    for _ in 0..2 {
        assert_eq!(c.get(proxy.url("/")).send().await.unwrap().status(), 200);
    }
    let r = c.get(proxy.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "retry-after {retry}");
    assert!(r.headers().contains_key("x-request-id"));
    proxy.stop().await;
}

async fn dead_url() -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    format!("http://{addr}")
}

#[tokio::test]
async fn upstream_down_gives_502_and_slow_upstream_504() {
    let proxy = start_proxy(&[dead_url().await], "", None).await;
    let r = client().get(proxy.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 502);
    let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    let page = r.text().await.unwrap();
    assert!(
        page.contains("could not be reached") && page.contains(&id),
        "{page}"
    );
    proxy.stop().await;
    let up = Upstream::start().await;
    let proxy = start_proxy(
        &[up.url()],
        "[proxy.timeouts]\nupstream_response_seconds = 0.3\n",
        None,
    )
    .await;
    let r = client()
        .get(proxy.url("/slow"))
        .header("x-delay-ms", "3000")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 504);
    assert!(r.text().await.unwrap().contains("did not answer in time"));
    proxy.stop().await;
}

#[tokio::test]
async fn round_robin_skips_a_dead_upstream_and_retries_idempotent_requests() {
    let a = Upstream::start().await;
    let b = Upstream::start().await;
    let dead = dead_url().await;
    let proxy = start_proxy(&[a.url(), dead, b.url()], "", None).await;
    let c = client();
    for i in 0..9 {
        let r = c.get(proxy.url(&format!("/n{i}"))).send().await.unwrap();
        assert_eq!(r.status(), 200, "request {i}");
    }
    let (na, nb) = (a.requests().len(), b.requests().len());
    assert_eq!(na + nb, 9);
    assert!(na >= 3 && nb >= 3, "round robin: {na} / {nb}");
    proxy.stop().await;
}

#[tokio::test]
async fn h2c_prior_knowledge_is_served() {
    let up = Upstream::start().await;
    let proxy = start_proxy(&[up.url()], "", None).await;
    let c = reqwest::Client::builder()
        .http2_prior_knowledge()
        .timeout(WAIT)
        .no_proxy()
        .build()
        .unwrap();
    let r = c.get(proxy.url("/h2")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.version(), reqwest::Version::HTTP_2);
    let r = c
        .get(proxy.url("/?q=%3Cscript%3Ealert(1)%3C/script%3E"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let seen = up.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].headers["host"], proxy.addr.unwrap().to_string());
    proxy.stop().await;
}

/// (status, from upstream, upstream latency known, verdict blocks).
type Observed = (u16, bool, bool, Option<bool>);

#[derive(Default)]
struct Seen(std::sync::Mutex<Vec<Observed>>);

impl palisade_server::proxy::observe::ExchangeObserver for Seen {
    fn observe(&self, e: &palisade_server::proxy::observe::Exchange<'_>) {
        self.0.lock().unwrap().push((
            e.status,
            e.from_upstream,
            e.upstream_latency.is_some(),
            e.verdict.map(|v| v.is_block()),
        ));
    }
}

#[tokio::test]
async fn observers_see_every_exchange_with_verdict_status_and_latency() {
    let up = Upstream::start().await;
    let seen = std::sync::Arc::new(Seen::default());
    let text = format!(
        "[proxy]\nlisten = \"127.0.0.1:0\"\nupstreams = [\"{}\"]\n[proxy.audit]\nmode = \"off\"\n",
        up.url()
    );
    let settings = palisade_server::proxy::config::ProxySettings::build(
        palisade_server::proxy::config::parse("t.toml", &text).unwrap(),
        Default::default(),
    )
    .unwrap();
    let proxy = start_observed(settings, TempDir::new("observe"), vec![seen.clone()]).await;
    let c = client();
    assert_eq!(c.get(proxy.url("/a")).send().await.unwrap().status(), 200);
    let blocked = c
        .get(proxy.url("/?q=%3Cscript%3Ealert(1)%3C/script%3E"))
        .send()
        .await
        .unwrap();
    assert_eq!(blocked.status(), 403);
    proxy.stop().await;
    let seen = seen.0.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            (200, true, true, Some(false)),
            (403, false, false, Some(true))
        ]
    );
}

#[tokio::test]
async fn audit_log_records_blocks_with_credentials_redacted() {
    let up = Upstream::start().await;
    let logs = TempDir::new("audit");
    let path = logs.0.join("audit.log");
    let audit = format!(
        "[proxy.audit]\nmode = \"flagged\"\npath = \"{}\"\n",
        path.display()
    );
    let proxy = start_proxy(&[up.url()], &audit, None).await;
    let c = client();
    assert_eq!(
        c.get(proxy.url("/benign")).send().await.unwrap().status(),
        200
    );
    let r = c
        .get(proxy.url("/search?q=%3Cscript%3Ealert(1)%3C/script%3E"))
        .header("authorization", "Bearer top-secret-token")
        .header("cookie", "session=secret-cookie-value; theme=dark")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    let started = std::time::Instant::now();
    // Lines are written by a thread: wait (bounded) for ours.
    let (text, line) = loop {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let ours = text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find(|l| l["request_id"] == id.as_str());
        if let Some(line) = ours {
            break (text, line);
        }
        assert!(started.elapsed() < WAIT, "no audit line for {id}: {text}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(line["action"], "block");
    assert_eq!(line["reason"], "anomaly_score");
    assert_eq!(line["status"], 403);
    assert_eq!(line["path"], "/search");
    assert_eq!(line["client"], "127.0.0.1");
    assert_eq!(line["policy_version"], 1);
    assert!(line["findings"].as_array().is_some_and(|f| !f.is_empty()));
    assert!(
        !text.contains("top-secret-token") && !text.contains("secret-cookie-value"),
        "{text}"
    );
    assert!(text.contains("session=[redacted]"), "{text}");
    proxy.stop().await;
}
