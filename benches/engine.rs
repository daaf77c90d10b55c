//! Engine benches: rule-set compile, a benign and an attack browser GET, and 1 MiB
//! JSON and urlencoded bodies streamed in 16 KiB chunks (bytes/s).
//!
//! Each request bench checks its verdict once before timing: the benign requests
//! must be allowed with no finding (so the whole request is inspected, not cut
//! short by a block), the attack must be blocked. Run with
//! `cargo bench -p palisade-benches --bench engine`; see benches/README.md.

use criterion::{black_box, criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use palisade_benches::{
    attack_get, benign_get, form_body, json_body, post_head, whole_body_settings, CHUNK_BYTES,
    LARGE_BODY_BYTES,
};
use palisade_engine::request::RequestHead;
use palisade_engine::verdict::Action;
use palisade_engine::{defaults, CompiledRules, Inspector, Verdict};
use std::sync::Arc;
use std::time::Duration;

fn rules() -> Arc<CompiledRules> {
    Arc::new(defaults::compiled_rules().expect("embedded signatures compile"))
}

fn compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    // Tens of milliseconds per iteration: flat sampling keeps 20 samples within 5 s.
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(5));
    group.sample_size(20);
    let signatures = defaults::signatures().expect("embedded signatures parse");
    group.bench_function("compile", |b| {
        b.iter(|| CompiledRules::compile(black_box(&signatures)).expect("compiles"))
    });
    group.bench_function("parse_and_compile", |b| {
        b.iter(|| defaults::compiled_rules().expect("compiles"))
    });
    group.finish();
}

fn get(c: &mut Criterion) {
    let policy = defaults::policy().expect("embedded policy parses");
    let inspector = Inspector::new(rules(), &policy);
    let benign = benign_get();
    let verdict = inspector.inspect(&benign, b"");
    assert_clean("benign GET", &verdict);
    let attack = attack_get();
    let verdict = inspector.inspect(&attack, b"");
    assert!(
        verdict.is_block(),
        "attack GET not blocked: {}",
        verdict.summary()
    );

    let mut group = c.benchmark_group("get");
    group.measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(1));
    // The browser's header values repeat from request to request, so after
    // the first they come from the per-thread head cache.
    group.bench_function("benign_browser", |b| {
        b.iter(|| inspector.inspect(black_box(&benign), b""))
    });
    // The same request from a browser never seen before: every header and
    // cookie value scanned.
    group.bench_function("benign_browser_cold", |b| {
        b.iter(|| {
            palisade_engine::head_cache::clear_this_thread();
            inspector.inspect(black_box(&benign), b"")
        })
    });
    group.bench_function("attack_sqli", |b| {
        b.iter(|| inspector.inspect(black_box(&attack), b""))
    });
    group.finish();
}

fn large_bodies(c: &mut Criterion) {
    let policy = defaults::policy().expect("embedded policy parses");
    let inspector = Inspector::with_settings(rules(), whole_body_settings(&policy));
    let json = json_body(LARGE_BODY_BYTES);
    let json_head = post_head("/api/orders/import", "application/json", json.len());
    let form = form_body(LARGE_BODY_BYTES);
    let form_head = post_head(
        "/admin/products/bulk-edit",
        "application/x-www-form-urlencoded",
        form.len(),
    );
    assert_clean("1 MiB JSON", &streamed(&inspector, &json_head, &json));
    assert_clean("1 MiB form", &streamed(&inspector, &form_head, &form));

    let mut group = c.benchmark_group("body_1mib");
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(5));
    group.sample_size(20);
    for (name, head, body) in [
        ("json", &json_head, &json),
        ("urlencoded", &form_head, &form),
    ] {
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| streamed(&inspector, black_box(head), black_box(body)))
        });
    }
    group.finish();
}

/// Inspects `body` the way a proxy sees it: head first, then 16 KiB chunks.
fn streamed(inspector: &Inspector, head: &RequestHead, body: &[u8]) -> Verdict {
    let mut tx = inspector.begin(head);
    for chunk in body.chunks(CHUNK_BYTES) {
        let _ = black_box(tx.feed_body(chunk));
    }
    tx.finish()
}

fn assert_clean(what: &str, verdict: &Verdict) {
    assert!(
        verdict.action == Action::Allow && verdict.findings.is_empty(),
        "{what}: expected a clean allow, got {}: {:?}",
        verdict.summary(),
        verdict.findings
    );
}

criterion_group!(benches, compile, get, large_bodies);
criterion_main!(benches);
