//! Graceful shutdown drains in-flight requests: in process (the shutdown
//! handle) and for the binary (SIGTERM). Also: the binary refuses a bad
//! configuration with exit 64 before binding anything.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

mod proxy_support;

use proxy_support::*;
use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

async fn wait_for_head(up: &Upstream, n: usize) {
    let started = Instant::now();
    while up.heads.load(Ordering::SeqCst) < n {
        assert!(
            started.elapsed() < WAIT,
            "the upstream never saw the request"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn shutdown_drains_in_flight_requests_and_stops_accepting() {
    let up = Upstream::start().await;
    let proxy = start_proxy(&[up.url()], "", None).await;
    let addr = proxy.addr.unwrap();
    let url = proxy.url("/slow");
    let in_flight = tokio::spawn(async move {
        let r = client()
            .get(url)
            .header("x-delay-ms", "700")
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    });
    wait_for_head(&up, 1).await;
    proxy.shutdown.shutdown();
    let (status, body) = tokio::time::timeout(WAIT, in_flight)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(body, "ok\n");
    tokio::time::timeout(WAIT, proxy.task)
        .await
        .unwrap()
        .unwrap();
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "still accepting after shutdown"
    );
}

#[tokio::test]
async fn sigterm_drains_the_binary_and_exits_zero() {
    let up = Upstream::start().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args([
            "proxy",
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            &up.url(),
            "--admin",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    // "admin listening on ADDR", then "listening on http://ADDR".
    let lines = tokio::task::spawn_blocking(move || {
        let mut lines = std::io::BufReader::new(stdout).lines();
        let admin = lines.next().unwrap().unwrap();
        let proxy = lines.next().unwrap().unwrap();
        (admin, proxy)
    });
    let (admin, line) = tokio::time::timeout(WAIT, lines).await.unwrap().unwrap();
    let admin = admin.rsplit(' ').next().unwrap().to_string();
    let addr = line.rsplit("http://").next().unwrap().trim().to_string();
    let c = client();
    assert_eq!(
        c.get(format!("http://{addr}/warm"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let ready = c
        .get(format!("http://{admin}/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let metrics = c
        .get(format!("http://{admin}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for name in [
        "palisade_requests_total",
        "palisade_proxy_responses_total",
        "palisade_upstream_seconds",
    ] {
        assert!(
            metrics.contains(name),
            "{name} missing from /metrics:\n{metrics}"
        );
    }
    let url = format!("http://{addr}/slow");
    let in_flight = tokio::spawn(async move {
        client()
            .get(url)
            .header("x-delay-ms", "700")
            .send()
            .await
            .map(|r| r.status())
    });
    wait_for_head(&up, 2).await;
    // The shell's builtin `kill`: no extra package needed.
    let killed = Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.id())])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(WAIT, in_flight)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(status, 200, "the in-flight request must complete");
    let exit = tokio::task::spawn_blocking(move || child.wait().unwrap());
    let exit = tokio::time::timeout(WAIT, exit).await.unwrap().unwrap();
    assert_eq!(exit.code(), Some(0));
}

#[test]
fn bad_configuration_exits_64() {
    for args in [
        vec![
            "proxy",
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            "ftp://127.0.0.1:1",
        ],
        vec![
            "proxy",
            "--listen",
            "not-an-address",
            "--upstream",
            "http://127.0.0.1:1",
        ],
        vec!["proxy", "--listen", "127.0.0.1:0"],
        vec![
            "proxy",
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            "http://127.0.0.1:1",
            "--policy",
            "/nonexistent/policy.toml",
        ],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(64),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stdout.is_empty(),
            "nothing may listen: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
