//! Hot reload under traffic (issue 4's acceptance test, through the proxy):
//! while requests flow, a valid policy change takes effect, an invalid one is
//! refused and the old policy keeps deciding, and no request fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

mod proxy_support;

use palisade_server::runtime::{store, telemetry};
use proxy_support::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BASE: &str = "[engine]\nmode = \"block\"\n";
const WITH_RULE: &str = "[engine]\nmode = \"block\"\n\n[[rules]]\nid = 90001\nname = \"probe path closed\"\naction = \"block\"\npath_prefix = \"/probe\"\n";
const INVALID: &str = "[engine]\nmode = \"block\"\nno_such_key = 1\n";

async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < WAIT, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn rejected_reloads(metrics: &metrics_exporter_prometheus::PrometheusHandle) -> u64 {
    metrics
        .render()
        .lines()
        .find(|l| l.starts_with("palisade_policy_reloads_total") && l.contains("rejected"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_reload_under_traffic() {
    let metrics = telemetry::install().expect("recorder");
    let up = Upstream::start().await;
    let proxy = start_proxy(&[up.url()], "", Some(BASE)).await;
    let policy = proxy.dir.0.join("policy.toml");
    store::spawn_reloader(Arc::clone(&proxy.store)).unwrap();
    let first_version = proxy.store.current().version;

    // Traffic: benign requests on several keep-alive connections, all must pass.
    let stop = Arc::new(AtomicBool::new(false));
    let (sent, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut workers = Vec::new();
    for w in 0..4 {
        let (stop, sent, failed, url) = (
            Arc::clone(&stop),
            Arc::clone(&sent),
            Arc::clone(&failed),
            proxy.url(""),
        );
        workers.push(tokio::spawn(async move {
            let c = client();
            let mut i = 0u64;
            while !stop.load(Ordering::SeqCst) {
                i += 1;
                let ok = match c.get(format!("{url}/page/{w}/{i}")).send().await {
                    Ok(r) => r.status() == 200 && r.text().await.is_ok(),
                    Err(_) => false,
                };
                sent.fetch_add(1, Ordering::SeqCst);
                if !ok {
                    failed.fetch_add(1, Ordering::SeqCst);
                }
            }
        }));
    }
    let c = client();
    let probe = proxy.url("/probe");
    assert_eq!(c.get(&probe).send().await.unwrap().status(), 200);

    // A valid change takes effect.
    std::fs::write(&policy, WITH_RULE).unwrap();
    eventually("the new rule blocks /probe", async || {
        c.get(&probe).send().await.unwrap().status() == 403
    })
    .await;
    let second_version = proxy.store.current().version;
    assert!(second_version > first_version);

    // An invalid change is refused; the previous policy keeps deciding.
    let rejected_before = rejected_reloads(&metrics);
    std::fs::write(&policy, INVALID).unwrap();
    eventually("the invalid policy is rejected", async || {
        rejected_reloads(&metrics) > rejected_before
    })
    .await;
    assert_eq!(proxy.store.current().version, second_version);
    assert_eq!(
        c.get(&probe).send().await.unwrap().status(),
        403,
        "the old policy must still decide"
    );

    stop.store(true, Ordering::SeqCst);
    for w in workers {
        tokio::time::timeout(WAIT, w).await.unwrap().unwrap();
    }
    let (sent, failed) = (sent.load(Ordering::SeqCst), failed.load(Ordering::SeqCst));
    assert!(sent >= 20, "too little traffic to prove anything: {sent}");
    assert_eq!(
        failed, 0,
        "{failed} of {sent} requests failed during reloads"
    );
    proxy.stop().await;
}
