//! `palisade authz` flags and exit codes: the real binary.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod authz_support;

use authz_support::{raw_http, TempDir};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn palisade(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .output()
        .expect("run palisade")
}

#[test]
fn no_listener_is_a_configuration_error() {
    let out = palisade(&["authz", "--admin", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(64));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--grpc"),
        "{out:?}"
    );
}

#[test]
fn bad_policy_and_bad_config_exit_64_before_binding() {
    let dir = TempDir::new("authz-cli");
    let policy = dir.write("policy.toml", "[engine]\nanomaly_threshold = 0\n");
    let out = palisade(&[
        "authz",
        "--grpc",
        "127.0.0.1:0",
        "--policy",
        policy.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(64), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("anomaly_threshold"),
        "{out:?}"
    );
    let config = dir.write(
        "palisade.toml",
        "[authz]\ngrpc = \"127.0.0.1:0\"\ngrcp = \"127.0.0.1:0\"\n",
    );
    let out = palisade(&["authz", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(64), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("palisade.toml:3") && stderr.contains("grcp"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_file_starts_both_listeners_and_sigterm_stops_cleanly() {
    let dir = TempDir::new("authz-cli-run");
    dir.write("policy.toml", "[engine]\nmode = \"block\"\n");
    let config = dir.write(
        "palisade.toml",
        "[proxy]\nignored = true\n\n[authz]\ngrpc = \"127.0.0.1:0\"\nhttp = \"127.0.0.1:0\"\nadmin = \"127.0.0.1:0\"\npolicy = \"policy.toml\"\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["authz", "--config", config.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut addrs = std::collections::BTreeMap::new();
    for _ in 0..3 {
        let line = lines.next().unwrap().unwrap();
        let rest = line.strip_prefix("palisade authz: ").unwrap();
        let (name, addr) = rest.split_once(" listening on ").unwrap();
        addrs.insert(name.to_string(), addr.parse::<SocketAddr>().unwrap());
    }
    assert_eq!(
        addrs.keys().cloned().collect::<Vec<_>>(),
        ["admin", "grpc", "http"]
    );
    let ready = raw_http(addrs["admin"], "GET", b"/readyz", &[]).await;
    assert_eq!(ready.status, 200);
    let check = raw_http(
        addrs["http"],
        "GET",
        b"/",
        &[
            ("X-Original-Method".into(), b"GET".to_vec()),
            ("X-Original-URI".into(), b"/".to_vec()),
        ],
    )
    .await;
    assert_eq!(check.status, 200);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "palisade authz did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}
