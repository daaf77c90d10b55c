//! Profiling probe: inspects the 1 MiB form and JSON bench bodies (streamed
//! in 16 KiB chunks) in a loop and prints MB/s. For `perf record`; not a bench.
//! `WHAT=form|json` (default both), `N` iterations (default 20).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use palisade_benches::{form_body, json_body, post_head, whole_body_settings, CHUNK_BYTES};
use palisade_engine::{defaults, Inspector};
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let rules = Arc::new(defaults::compiled_rules().expect("rules"));
    let policy = defaults::policy().expect("policy");
    let inspector = Inspector::with_settings(rules, whole_body_settings(&policy));
    let n: u32 = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let what = std::env::var("WHAT").unwrap_or_default();
    let bodies = [
        (
            "form",
            "application/x-www-form-urlencoded",
            form_body(1 << 20),
        ),
        ("json", "application/json", json_body(1 << 20)),
    ];
    for (name, ctype, body) in &bodies {
        if !what.is_empty() && what != *name {
            continue;
        }
        let head = post_head("/import", ctype, body.len());
        let t = Instant::now();
        let cpu0 = cpu_ns();
        for _ in 0..n {
            let mut tx = inspector.begin(&head);
            for chunk in body.chunks(CHUNK_BYTES) {
                let _ = tx.feed_body(chunk);
            }
            let v = tx.finish();
            assert!(v.findings.is_empty(), "{name}: {:?}", v.findings);
        }
        let per = t.elapsed() / n;
        let cpu = (cpu_ns() - cpu0) as f64 / 1e9 / f64::from(n);
        println!(
            "{name}: {per:?} wall per 1 MiB, {:.1} MB/s wall, {:.1} MB/s on-CPU",
            body.len() as f64 / per.as_secs_f64() / 1e6,
            body.len() as f64 / cpu / 1e6
        );
    }
}

/// Nanoseconds this thread has run on a CPU (from /proc; 0 if unreadable).
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}
