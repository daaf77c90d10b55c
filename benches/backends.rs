//! Prefilter backend benches: the whole engine with the literal prefilter on
//! Aho-Corasick, on Hyperscan and on `auto` (Hyperscan for the large sets), and
//! the prefilter alone on the real literal sets of the embedded signatures.
//!
//! Engine groups (full signature set, default policy, bodies inspected whole):
//! a benign browser GET and the same browser's SQL injection (ns/request), a
//! 4 KiB form, a 64 KiB JSON body and a 256 KiB multipart photo upload fed at
//! once, and 1 MiB JSON and form bodies streamed in 16 KiB chunks (bytes/s).
//! Each benign input is checked once, outside the timed loop, to be allowed with
//! no finding on every backend, so no bench measures an early block; the
//! attack is checked to be blocked.
//!
//! Prefilter group: every class's literal set rebuilt on each backend, scanning
//! benign text of 16 B to 64 KiB; this is where the `auto` threshold
//! (`literals::HYPERSCAN_MIN_LITERALS`) comes from.
//!
//! Run: `cargo bench -p palisade-benches --features hyperscan --bench backends`
//! (without the feature only the Aho-Corasick rows exist).

use criterion::{
    black_box, criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use palisade_benches::{
    attack_get, benign_get, form_body, json_body, multipart_upload, post_head, whole_body_settings,
    CHUNK_BYTES, LARGE_BODY_BYTES, MULTIPART_BOUNDARY,
};
use palisade_engine::matcher::literals::{
    self, Backend, BackendChoice, BuildLog, LiteralSet, HYPERSCAN_COMPILED_IN,
};
use palisade_engine::request::RequestHead;
use palisade_engine::verdict::Action;
use palisade_engine::{defaults, CompiledRules, Inspector, Verdict};
use std::sync::Arc;
use std::time::Duration;

/// The backends this build can compare.
fn choices() -> Vec<(&'static str, BackendChoice)> {
    let mut out = vec![("aho-corasick", BackendChoice::AhoCorasick)];
    if HYPERSCAN_COMPILED_IN {
        out.push(("hyperscan", BackendChoice::Hyperscan));
        out.push(("auto", BackendChoice::Auto));
    }
    out
}

fn rules(choice: BackendChoice) -> (Arc<CompiledRules>, BuildLog) {
    let signatures = defaults::signatures().expect("embedded signatures parse");
    let (rules, log) = literals::with_backend(choice, || CompiledRules::compile(&signatures));
    (Arc::new(rules.expect("embedded signatures compile")), log)
}

/// One inspector per backend, bodies inspected whole.
fn inspectors() -> Vec<(&'static str, Inspector)> {
    let policy = defaults::policy().expect("embedded policy parses");
    choices()
        .into_iter()
        .map(|(name, choice)| {
            let (rules, log) = rules(choice);
            eprintln!(
                "{name}: {} literal sets, {} on hyperscan, fallbacks {:?}",
                log.sets.len(),
                log.count(Backend::Hyperscan),
                log.fallbacks()
            );
            (
                name,
                Inspector::with_settings(rules, whole_body_settings(&policy)),
            )
        })
        .collect()
}

fn engine(c: &mut Criterion) {
    let inspectors = inspectors();
    let get = benign_get();
    let attack = attack_get();
    let upload = multipart_upload(256 * 1024);
    let upload_head = post_head(
        "/albums/upload",
        &format!("multipart/form-data; boundary={MULTIPART_BOUNDARY}"),
        upload.len(),
    );
    let form_4k = form_body(4 * 1024);
    let form_4k_head = post_head(
        "/account/profile",
        "application/x-www-form-urlencoded",
        form_4k.len(),
    );
    let json_64k = json_body(64 * 1024);
    let json_64k_head = post_head("/api/orders", "application/json", json_64k.len());
    let json_1m = json_body(LARGE_BODY_BYTES);
    let json_1m_head = post_head("/api/orders/import", "application/json", json_1m.len());
    let form_1m = form_body(LARGE_BODY_BYTES);
    let form_1m_head = post_head(
        "/admin/products/bulk-edit",
        "application/x-www-form-urlencoded",
        form_1m.len(),
    );
    for (name, inspector) in &inspectors {
        assert_clean(name, "benign GET", &inspector.inspect(&get, b""));
        assert_eq!(
            inspector.inspect(&attack, b"").action,
            Action::Block,
            "{name}: the attack GET must be blocked"
        );
        assert_clean(
            name,
            "256 KiB multipart upload",
            &inspector.inspect(&upload_head, &upload),
        );
        assert_clean(
            name,
            "4 KiB form",
            &inspector.inspect(&form_4k_head, &form_4k),
        );
        assert_clean(
            name,
            "64 KiB JSON",
            &inspector.inspect(&json_64k_head, &json_64k),
        );
        assert_clean(
            name,
            "1 MiB JSON",
            &streamed(inspector, &json_1m_head, &json_1m),
        );
        assert_clean(
            name,
            "1 MiB form",
            &streamed(inspector, &form_1m_head, &form_1m),
        );
    }

    for (group_name, head) in [("backend_get", &get), ("backend_get_attack", &attack)] {
        let mut group = c.benchmark_group(group_name);
        group.measurement_time(Duration::from_secs(3));
        group.throughput(Throughput::Elements(1));
        for (name, inspector) in &inspectors {
            group.bench_function(*name, |b| {
                b.iter(|| inspector.inspect(black_box(head), b""))
            });
        }
        group.finish();
    }

    for (group_name, head, body) in [
        ("backend_form_4k", &form_4k_head, &form_4k),
        ("backend_json_64k", &json_64k_head, &json_64k),
        ("backend_multipart_256k", &upload_head, &upload),
    ] {
        let mut group = c.benchmark_group(group_name);
        group.measurement_time(Duration::from_secs(3));
        group.throughput(Throughput::Bytes(body.len() as u64));
        for (name, inspector) in &inspectors {
            group.bench_function(*name, |b| {
                b.iter(|| inspector.inspect(black_box(head), black_box(body)))
            });
        }
        group.finish();
    }

    let mut group = c.benchmark_group("backend_body_1mib");
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(4));
    group.sample_size(10);
    for (kind, head, body) in [
        ("json", &json_1m_head, &json_1m),
        ("urlencoded", &form_1m_head, &form_1m),
    ] {
        group.throughput(Throughput::Bytes(body.len() as u64));
        for (name, inspector) in &inspectors {
            group.bench_function(BenchmarkId::new(kind, name), |b| {
                b.iter(|| streamed(inspector, black_box(head), black_box(body)))
            });
        }
    }
    group.finish();
}

/// The prefilter alone: each real literal set on each backend, on benign text.
fn prefilter(c: &mut Criterion) {
    let (_, log) = rules(BackendChoice::AhoCorasick);
    let text = json_body(64 * 1024);
    let mut group = c.benchmark_group("prefilter");
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(1));
    group.sample_size(20);
    let mut sizes: Vec<usize> = log.sets.iter().map(|s| s.literals.len()).collect();
    sizes.sort_unstable();
    sizes.dedup();
    for set in &log.sets {
        let n = set.literals.len();
        // One set per distinct size is enough; skip the trivial ones.
        if n < 4 || sizes.binary_search(&n).is_err() {
            continue;
        }
        if let Ok(pos) = sizes.binary_search(&n) {
            sizes.remove(pos);
        }
        let built: Vec<(&str, LiteralSet)> = choices()
            .into_iter()
            .filter(|(_, choice)| *choice != BackendChoice::Auto)
            .map(|(name, choice)| {
                let set = LiteralSet::build_with(&set.literals, choice).expect("literal set");
                (name, set)
            })
            .collect();
        for len in [16usize, 64, 256, 1024, 16 * 1024, 64 * 1024] {
            let hay = text.get(..len).unwrap_or(&text);
            group.throughput(Throughput::Bytes(hay.len() as u64));
            for (name, set) in &built {
                group.bench_function(BenchmarkId::new(format!("{n}lit/{name}"), len), |b| {
                    b.iter(|| {
                        let mut found = 0usize;
                        set.for_each_match(black_box(hay), |id| found += id);
                        found
                    })
                });
            }
        }
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

fn assert_clean(backend: &str, what: &str, verdict: &Verdict) {
    assert!(
        verdict.action == Action::Allow && verdict.findings.is_empty(),
        "{backend}: {what}: expected a clean allow, got {}: {:?}",
        verdict.summary(),
        verdict.findings
    );
}

criterion_group!(benches, prefilter, engine);
criterion_main!(benches);
