//! Profiling probe: inspects the bench's browser GET (or, with `ATTACK=1`,
//! its SQL-injection variant) `N` times (default 200). `COLD=1` empties the
//! per-thread head cache before each request (a browser never seen before);
//! `URI` replaces the request target; `MANY_ARGS=BYTES` makes it
//! `/search?a=1&a=1…` of that length (the linear-time bench's `many_args`);
//! `MINIMAL=1` sends wrk's request instead (`GET /`, Host and User-Agent).
//! For `valgrind --tool=callgrind --toggle-collect='*Inspector*inspect*'`;
//! not a bench.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use palisade_benches::{attack_get, benign_get};
use palisade_engine::{defaults, Inspector};
use std::sync::Arc;

fn main() {
    let rules = Arc::new(defaults::compiled_rules().expect("rules"));
    let policy = defaults::policy().expect("policy");
    let inspector = Inspector::new(rules, &policy);
    let mut head = if std::env::var_os("ATTACK").is_some() {
        attack_get()
    } else {
        benign_get()
    };
    if let Ok(uri) = std::env::var("URI") {
        head.uri = uri.into_bytes();
    }
    if let Some(size) = std::env::var("MANY_ARGS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        let mut uri = b"/search?a=1".to_vec();
        while uri.len() + 4 <= size {
            uri.extend_from_slice(b"&a=1");
        }
        head.uri = uri;
    }
    if std::env::var_os("MINIMAL").is_some() {
        head = palisade_engine::RequestHead::new("GET", b"/")
            .with_header("Host", "127.0.0.1:18083")
            .with_header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) bench");
    }
    let cold = std::env::var_os("COLD").is_some();
    let n: u32 = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    for _ in 0..n {
        if cold {
            palisade_engine::head_cache::clear_this_thread();
        }
        let _ = inspector.inspect(&head, b"");
    }
}
