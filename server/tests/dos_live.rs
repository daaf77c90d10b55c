//! The behavioural DoS model live, through the real `palisade proxy` on
//! loopback: legitimate clients on 127.0.0.10-29 at a steady rate teach it
//! the baseline, then flood clients on 127.0.1.10-19 send at a much higher
//! rate. Asserted (wider tolerances than the virtual-time scenarios): the
//! attack is detected, legit clients keep being served, the flood is refused
//! once detected, and the mitigation ends after the flood stops. Bounded:
//! fixed client counts and rates, every phase has a deadline.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

mod palisade_bin;
mod proxy_support;

use palisade_bin::{metric, metric_with, ProxyProcess};
use proxy_support::{TempDir, Upstream};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const LEGIT_CLIENTS: u8 = 20;
const LEGIT_RPS: f64 = 2.0;
const FLOOD_CLIENTS: u8 = 10;
const FLOOD_RPS: f64 = 25.0;
const FLOOD_SECONDS: u64 = 10;
/// Bounds on each phase.
const READY_WITHIN: Duration = Duration::from_secs(30);
const END_WITHIN: Duration = Duration::from_secs(30);

/// One request: when it was sent, by whom, and the status (0: no answer).
#[derive(Clone, Copy)]
struct Sent {
    at: Instant,
    status: u16,
}

type Log = Arc<Mutex<Vec<Sent>>>;

/// A client bound to `source`, sending `GET /` at `rps` until `stop`.
fn spawn_client(
    proxy: String,
    source: Ipv4Addr,
    rps: f64,
    stop: Arc<AtomicBool>,
    log: Log,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let http = reqwest::Client::builder()
            .local_address(IpAddr::V4(source))
            .timeout(Duration::from_secs(5))
            .no_proxy()
            .build()
            .unwrap();
        let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rps));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        // Spread the clients' phases over the first interval.
        let offset = f64::from(source.octets()[3]) / 64.0 / rps;
        tokio::time::sleep(Duration::from_secs_f64(offset)).await;
        while !stop.load(Ordering::Relaxed) {
            tick.tick().await;
            let at = Instant::now();
            let status = match http
                .get(&proxy)
                .header(
                    "user-agent",
                    "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
                )
                .header("accept-language", "en")
                .send()
                .await
            {
                Ok(r) => {
                    let s = r.status().as_u16();
                    let _ = r.bytes().await;
                    s
                }
                Err(_) => 0,
            };
            log.lock().unwrap().push(Sent { at, status });
        }
    })
}

fn spawn_group(
    proxy: &str,
    third: u8,
    count: u8,
    rps: f64,
    stop: &Arc<AtomicBool>,
    log: &Log,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..count)
        .map(|i| {
            spawn_client(
                proxy.to_string(),
                Ipv4Addr::new(127, 0, third, 10 + i),
                rps,
                Arc::clone(stop),
                Arc::clone(log),
            )
        })
        .collect()
}

fn state(metrics: &str, state: &str) -> f64 {
    metric_with(metrics, "palisade_dos_state", &format!("state=\"{state}\"")).unwrap_or(0.0)
}

async fn wait_for(
    proxy: &ProxyProcess,
    within: Duration,
    what: &str,
    f: impl Fn(&str) -> bool,
) -> Duration {
    let started = Instant::now();
    loop {
        let m = proxy.metrics().await;
        if f(&m) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "{what} not reached within {within:?}:\n{m}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_flood_is_detected_and_refused_while_users_are_served() {
    let dir = TempDir::new("dos-live");
    let up = Upstream::start().await;
    let policy = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/dos/live-proxy.toml")
        .canonicalize()
        .unwrap();
    let config = dir.write(
        "palisade.toml",
        &format!(
            "[proxy]\nlisten = \"127.0.0.1:0\"\nadmin = \"127.0.0.1:0\"\nupstreams = [\"{}\"]\npolicy = \"{}\"\n\n[proxy.audit]\nmode = \"off\"\n",
            up.url(),
            policy.display()
        ),
    );
    let proxy = ProxyProcess::start(&config);
    let url = proxy.url("/");
    let test_started = Instant::now();

    // 1. Baseline: legit clients until the model is ready (plus 3 s of ready traffic).
    let legit_log: Log = Arc::default();
    let legit_stop = Arc::new(AtomicBool::new(false));
    let legit = spawn_group(&url, 0, LEGIT_CLIENTS, LEGIT_RPS, &legit_stop, &legit_log);
    let learned = wait_for(&proxy, READY_WITHIN, "the ready state", |m| {
        state(m, "ready") == 1.0
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let m = proxy.metrics().await;
    assert_eq!(
        metric(&m, "palisade_dos_attacks_total"),
        None,
        "attack declared on legit traffic:\n{m}"
    );

    // 2. The flood.
    let flood_log: Log = Arc::default();
    let flood_stop = Arc::new(AtomicBool::new(false));
    let flood_started = Instant::now();
    let flood = spawn_group(&url, 1, FLOOD_CLIENTS, FLOOD_RPS, &flood_stop, &flood_log);
    let detected = wait_for(
        &proxy,
        Duration::from_secs(FLOOD_SECONDS),
        "the attack state",
        |m| state(m, "attack") == 1.0,
    )
    .await;
    let left = Duration::from_secs(FLOOD_SECONDS).saturating_sub(flood_started.elapsed());
    tokio::time::sleep(left).await;
    flood_stop.store(true, Ordering::Relaxed);
    for t in flood {
        let _ = tokio::time::timeout(Duration::from_secs(10), t).await;
    }
    let flood_ended = Instant::now();

    // 3. After the flood: the mitigation ends, and a former flood address is served again.
    let ended = wait_for(&proxy, END_WITHIN, "the end of the attack", |m| {
        state(m, "attack") == 0.0 && metric(m, "palisade_dos_blocked_clients").unwrap_or(1.0) == 0.0
    })
    .await;
    let after = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 1, 10)))
        .build()
        .unwrap()
        .get(&url)
        .send()
        .await
        .unwrap()
        .status();
    legit_stop.store(true, Ordering::Relaxed);
    for t in legit {
        let _ = tokio::time::timeout(Duration::from_secs(10), t).await;
    }
    let m = proxy.metrics().await;

    // Figures.
    let legit_log = legit_log.lock().unwrap().clone();
    let flood_log = flood_log.lock().unwrap().clone();
    let during: Vec<&Sent> = legit_log
        .iter()
        .filter(|s| s.at >= flood_started && s.at < flood_ended)
        .collect();
    let legit_served = during.iter().filter(|s| s.status == 200).count();
    let legit_share = legit_served as f64 / during.len().max(1) as f64;
    let first_refusal = flood_log
        .iter()
        .filter(|s| s.status == 429)
        .map(|s| s.at)
        .min()
        .expect("no flood request was refused");
    let after_detection: Vec<&Sent> = flood_log.iter().filter(|s| s.at >= first_refusal).collect();
    let refused = after_detection.iter().filter(|s| s.status == 429).count();
    let refused_share = refused as f64 / after_detection.len().max(1) as f64;
    let flood_rps = flood_log.len() as f64 / FLOOD_SECONDS as f64;
    let errors = legit_log
        .iter()
        .chain(&flood_log)
        .filter(|s| s.status >= 500 || s.status == 0)
        .count();
    eprintln!(
        "dos live: ready after {learned:?}; flood {} requests (~{flood_rps:.0}/s) from {FLOOD_CLIENTS} clients vs {} legit requests (~{:.0}/s) from {LEGIT_CLIENTS}",
        flood_log.len(),
        legit_log.len(),
        f64::from(LEGIT_CLIENTS) * LEGIT_RPS
    );
    eprintln!(
        "dos live: attack state after {detected:?}, first flood 429 after {:?}; legit served during the flood {legit_served}/{} ({:.2}%); flood refused after the first refusal {refused}/{} ({:.2}%); mitigation over {ended:?} after the flood stopped; 5xx or no answer: {errors}; whole test {:?}",
        first_refusal - flood_started,
        during.len(),
        100.0 * legit_share,
        after_detection.len(),
        100.0 * refused_share,
        test_started.elapsed()
    );
    assert!(
        metric(&m, "palisade_dos_attacks_total").unwrap_or(0.0) >= 1.0,
        "{m}"
    );
    assert!(
        first_refusal - flood_started <= Duration::from_secs(8),
        "detected too late"
    );
    assert!(!during.is_empty());
    assert!(
        legit_share >= 0.95,
        "legit served during the flood: {:.2}%",
        100.0 * legit_share
    );
    assert!(
        refused_share >= 0.80,
        "flood refused after detection: {:.2}%",
        100.0 * refused_share
    );
    assert_eq!(errors, 0, "no request may fail with a 5xx or go unanswered");
    assert!(
        ended <= Duration::from_secs(20),
        "mitigation lasted {ended:?} after the flood"
    );
    assert_eq!(
        after, 200,
        "a former flood address is served once the attack is over"
    );
    let _ = flood_ended;
}
