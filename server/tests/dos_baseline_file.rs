//! `[dos] baseline_file`: the real `palisade proxy` saves the learned baseline
//! at shutdown and a restart resumes in the ready state at once; a corrupt
//! file is logged, counted and ignored (the proxy starts and learns).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

mod palisade_bin;
mod proxy_support;

use palisade_bin::{metric_with, ProxyProcess};
use proxy_support::{client, TempDir, Upstream};
use std::time::{Duration, Instant};

fn ready(metrics: &str) -> f64 {
    metric_with(metrics, "palisade_dos_state", "state=\"ready\"").unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_resumes_from_the_saved_baseline() {
    let dir = TempDir::new("dos-baseline");
    let up = Upstream::start().await;
    let baseline = dir.0.join("baseline.json");
    dir.write(
        "policy.toml",
        &format!(
            "[dos]\nenabled = true\nlearning_seconds = 3\nbaseline_file = \"{}\"\n",
            baseline.display()
        ),
    );
    let config = dir.write(
        "palisade.toml",
        &format!(
            "[proxy]\nlisten = \"127.0.0.1:0\"\nadmin = \"127.0.0.1:0\"\nupstreams = [\"{}\"]\npolicy = \"policy.toml\"\n\n[proxy.audit]\nmode = \"off\"\n",
            up.url()
        ),
    );

    // First run: learn for a few seconds, then stop gracefully.
    let mut first = ProxyProcess::start(&config);
    let c = client();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        assert_eq!(c.get(first.url("/")).send().await.unwrap().status(), 200);
        if ready(&first.metrics().await) == 1.0 {
            break;
        }
        assert!(Instant::now() < deadline, "the model never became ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = first
        .terminate()
        .expect("the proxy did not exit after SIGTERM");
    assert!(status.success(), "{status:?}");
    let saved = std::fs::read_to_string(&baseline).expect("no baseline saved at shutdown");
    assert!(saved.contains("palisade-dos-baseline"), "{saved}");

    // Second run: ready before any request.
    let second = ProxyProcess::start(&config);
    let m = second.metrics().await;
    assert_eq!(ready(&m), 1.0, "not ready at once after a restart:\n{m}");
    assert_eq!(
        metric_with(
            &m,
            "palisade_dos_baseline_file_total",
            "op=\"load\",result=\"ok\""
        ),
        Some(1.0),
        "{m}"
    );
    drop(second);

    // A corrupt file: logged and ignored, the proxy serves and learns.
    std::fs::write(
        &baseline,
        b"{\"format\": \"palisade-dos-baseline\", \"version\": ",
    )
    .unwrap();
    let third = ProxyProcess::start(&config);
    assert_eq!(c.get(third.url("/")).send().await.unwrap().status(), 200);
    let m = third.metrics().await;
    assert_eq!(
        metric_with(
            &m,
            "palisade_dos_baseline_file_total",
            "op=\"load\",result=\"error\""
        ),
        Some(1.0),
        "{m}"
    );
    assert_eq!(
        ready(&m),
        0.0,
        "a corrupt baseline must not make the model ready:\n{m}"
    );
}
