//! Capture-side throughput: a synthetic Ethernet pcap built in memory
//! (keep-alive connections with GETs, 8 KiB form POSTs and 16 KiB responses
//! in MSS-sized segments) read end to end through `input::read_from`:
//! pcap records, link layer, IPv4, TCP reassembly, HTTP/1.1 parsing.
//! Criterion reports the throughput in bytes of pcap per second.
//!
//! `cargo bench -p palisade-replay --bench capture`

#![allow(clippy::expect_used, clippy::panic)] // bench harness: failing loudly is fine

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use palisade_replay::{input, Event, Limits};
use std::io::Cursor;
use std::path::Path;
use std::time::Instant;

#[path = "support/synthetic.rs"]
mod synthetic;

fn read_all(pcap: &[u8]) -> u64 {
    let mut exchanges = 0u64;
    let result = input::read_from(
        &mut Cursor::new(pcap),
        Path::new("synthetic.pcap"),
        0,
        &Limits::default(),
        &mut |e| {
            if let Event::Exchange(_) = e {
                exchanges += 1;
            }
        },
    );
    assert!(result.is_ok(), "{result:?}");
    exchanges
}

fn capture(c: &mut Criterion) {
    let mut pcap = Vec::new();
    let requests = synthetic::write_pcap(&mut pcap, 64 << 20).expect("writing to memory");
    assert_eq!(read_all(&pcap), requests);
    let start = Instant::now();
    let rounds = 3;
    for _ in 0..rounds {
        read_all(&pcap);
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "capture: {} bytes, {} requests; {:.0} MB/s ({:.0} bytes/s)",
        pcap.len(),
        requests,
        (pcap.len() * rounds) as f64 / secs / 1e6,
        (pcap.len() * rounds) as f64 / secs
    );
    let mut group = c.benchmark_group("capture");
    group.throughput(Throughput::Bytes(pcap.len() as u64));
    group.sample_size(10);
    group.bench_function("read_synthetic_pcap", |b| b.iter(|| read_all(&pcap)));
    group.finish();
}

criterion_group!(benches, capture);
criterion_main!(benches);
