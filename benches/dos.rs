//! The behavioural DoS gate's cost per request: `DosModel::check` on a stream
//! of requests from many clients, in steady state (after learning) and during
//! a detected attack, compared with a bare `HashMap` counter per client.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, Criterion};
use palisade_engine::dos::{DosConfig, DosModel, RequestFeatures};
use palisade_engine::request::RequestHead;
use std::collections::HashMap;
use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

fn heads() -> Vec<RequestHead> {
    (0..64)
        .map(|i| {
            RequestHead::new("GET", format!("/products/{i}?page=2").as_bytes())
                .with_header("Host", "shop.example")
                .with_header(
                    "User-Agent",
                    "Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0",
                )
                .with_header("Accept-Language", "en")
                .with_header("Cookie", "session=abc")
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let heads = heads();
    let config = DosConfig {
        enabled: true,
        learning_seconds: 10,
        ..DosConfig::default()
    };
    let model = DosModel::new(config);
    // Learn a baseline: 200 clients, 1 request/s each, for 20 s.
    for second in 0..20u64 {
        for client in 0..200u32 {
            let ip = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + client));
            let head = &heads[(client % 64) as usize];
            let f = RequestFeatures::from_head(head, "shop.example", Some(ip));
            let _ = model.check(
                &f,
                Duration::from_millis(second * 1000 + u64::from(client) * 4),
            );
        }
    }
    let mut i = 0u64;
    let mut group = c.benchmark_group("dos_gate");
    group.bench_function("features_and_check", |b| {
        b.iter(|| {
            i += 1;
            let ip = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + (i % 200) as u32));
            let head = &heads[(i % 64) as usize];
            let f = RequestFeatures::from_head(head, "shop.example", Some(ip));
            // Stay within one second of virtual time per 200 requests.
            black_box(model.check(&f, Duration::from_millis(20_000 + i / 200 * 1000)))
        })
    });
    let mut counts: HashMap<u64, u32> = HashMap::new();
    group.bench_function("naive_hashmap_per_client", |b| {
        b.iter(|| {
            i += 1;
            *counts.entry(i % 200).or_insert(0) += 1;
            black_box(counts.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
