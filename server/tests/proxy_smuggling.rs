//! Raw sockets against the proxy: request-smuggling shapes, header limits,
//! slowloris and a stalled body. For each refused shape the test also checks
//! what reached the upstream: nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

mod proxy_support;

use proxy_support::*;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SHAPES: &[(&str, &[u8])] = &[
    (
        "CL then TE, smuggled request in the body",
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
    ),
    (
        "TE then CL",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n0\r\n\r\n",
    ),
    (
        "duplicate identical Content-Length",
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
    ),
    (
        "conflicting Content-Length",
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 40\r\n\r\nhello",
    ),
    ("signed Content-Length", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello"),
    ("list Content-Length", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello"),
    (
        "Transfer-Encoding not only chunked",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    ),
    (
        "obfuscated Transfer-Encoding",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
    ),
    (
        "Transfer-Encoding on HTTP/1.0",
        b"POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ),
    ("obs-fold", b"GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\n\r\n"),
    ("bare LF line ends", b"GET / HTTP/1.1\nHost: a\nX-A: 1\n\n"),
    ("bare LF in one header line", b"GET / HTTP/1.1\r\nHost: a\nX-A: 1\r\n\r\n"),
];

#[tokio::test]
async fn smuggling_shapes_are_refused_and_nothing_reaches_the_upstream() {
    let up = Upstream::start().await;
    let proxy = start_proxy(&[up.url()], "", None).await;
    let addr = proxy.addr.unwrap();
    let mut ran = 0;
    for (name, bytes) in SHAPES {
        let raw = raw_exchange(addr, bytes).await;
        assert_eq!(
            status_of(&raw),
            Some(400),
            "{name}: {}",
            String::from_utf8_lossy(&raw)
        );
        let text = String::from_utf8_lossy(&raw);
        assert_eq!(
            text.matches("HTTP/1.").count(),
            1,
            "{name}: one response only: {text}"
        );
        ran += 1;
    }
    assert_eq!(ran, SHAPES.len());
    assert_eq!(
        up.heads.load(Ordering::SeqCst),
        0,
        "a refused request reached the upstream"
    );
    // The same connection handling still serves a well-formed request.
    let raw = raw_exchange(
        addr,
        b"GET /fine HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status_of(&raw), Some(200));
    let seen = up.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].uri, "/fine");
    proxy.stop().await;
}

#[tokio::test]
async fn pipelined_keep_alive_requests_are_each_checked() {
    let up = Upstream::start().await;
    let proxy = start_proxy(&[up.url()], "", None).await;
    let raw = raw_exchange(
        proxy.addr.unwrap(),
        b"POST /one HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc\
POST /two HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n\
GET /three HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
    )
    .await;
    let text = String::from_utf8_lossy(&raw);
    let statuses: Vec<&str> = text
        .match_indices("HTTP/1.1 ")
        .map(|(i, _)| &text[i + 9..i + 12])
        .collect();
    assert_eq!(statuses, ["200", "200", "400"], "{text}");
    let uris: Vec<String> = up.requests().into_iter().map(|r| r.uri).collect();
    assert_eq!(uris, ["/one", "/two"]);
    proxy.stop().await;
}

#[tokio::test]
async fn header_limits_give_431() {
    let up = Upstream::start().await;
    let proxy = start_proxy(
        &[up.url()],
        "[proxy.limits]\nmax_headers = 20\nmax_header_bytes = 4096\n",
        None,
    )
    .await;
    let mut many = String::from("GET / HTTP/1.1\r\nHost: a\r\n");
    for i in 0..40 {
        many.push_str(&format!("X-H{i}: v\r\n"));
    }
    many.push_str("\r\n");
    let raw = raw_exchange(proxy.addr.unwrap(), many.as_bytes()).await;
    assert_eq!(
        status_of(&raw),
        Some(431),
        "{}",
        String::from_utf8_lossy(&raw)
    );
    let big = format!(
        "GET / HTTP/1.1\r\nHost: a\r\nX-Big: {}\r\n\r\n",
        "b".repeat(6000)
    );
    let raw = raw_exchange(proxy.addr.unwrap(), big.as_bytes()).await;
    assert_eq!(
        status_of(&raw),
        Some(431),
        "{}",
        String::from_utf8_lossy(&raw)
    );
    assert_eq!(up.heads.load(Ordering::SeqCst), 0);
    proxy.stop().await;
}

#[tokio::test]
async fn slowloris_connection_is_cut() {
    let up = Upstream::start().await;
    let proxy = start_proxy(
        &[up.url()],
        "[proxy.timeouts]\nheader_read_seconds = 0.5\n",
        None,
    )
    .await;
    let mut s = tokio::net::TcpStream::connect(proxy.addr.unwrap())
        .await
        .unwrap();
    let started = Instant::now();
    s.write_all(b"GET / HTTP/1.1\r\nHost: a\r\n").await.unwrap();
    // Trickle a byte now and then; the head never completes.
    let mut cut = false;
    for _ in 0..100 {
        if s.write_all(b"X").await.is_err() {
            cut = true;
            break;
        }
        let mut buf = [0u8; 512];
        match tokio::time::timeout(Duration::from_millis(100), s.read(&mut buf)).await {
            Ok(Ok(_)) | Ok(Err(_)) => {
                cut = true;
                break;
            }
            Err(_) => {}
        }
    }
    assert!(cut, "the proxy kept a slowloris connection open");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "cut after {:?}",
        started.elapsed()
    );
    assert_eq!(up.heads.load(Ordering::SeqCst), 0);
    proxy.stop().await;
}

#[tokio::test]
async fn stalled_body_times_out_with_408() {
    let up = Upstream::start().await;
    let proxy = start_proxy(
        &[up.url()],
        "[proxy.timeouts]\nbody_idle_seconds = 0.3\n",
        None,
    )
    .await;
    let mut s = tokio::net::TcpStream::connect(proxy.addr.unwrap())
        .await
        .unwrap();
    s.write_all(b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nonly a part")
        .await
        .unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(WAIT, s.read_to_end(&mut out)).await;
    assert_eq!(
        status_of(&out),
        Some(408),
        "{}",
        String::from_utf8_lossy(&out)
    );
    assert_eq!(up.heads.load(Ordering::SeqCst), 0);
    proxy.stop().await;
}
