//! Backend parity on the CRS harness: `palisade ftw` (as a library call) on the
//! OWASP CRS go-ftw regression tests in `../shared/corpora/crs-tests/tests`,
//! once with the literal prefilter forced to Aho-Corasick and once forced to
//! Hyperscan (`palisade_engine::matcher::literals::with_backend`, the in-process
//! equivalent of `PALISADE_MATCHER_BACKEND`). Every test's outcome, categories
//! and chunking flag must be equal, and so must the printed summaries.
//!
//! Without the server's `hyperscan` feature the Hyperscan run falls back to
//! Aho-Corasick (the comparison still runs); with it, the test also requires
//! that Hyperscan was really used. Fails when the corpus is missing.
//!
//! Run: `cargo test -p palisade-server --features hyperscan --test ftw_backend_parity -- --nocapture`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use palisade_engine::matcher::literals::{self, Backend, BackendChoice, HYPERSCAN_COMPILED_IN};
use palisade_server::engine_setup;
use palisade_server::ftw::report::{self, Summary};
use palisade_server::ftw::{self, Options, Run};
use std::path::PathBuf;

fn corpus_dir() -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora/crs-tests/tests");
    assert!(
        dir.is_dir(),
        "the CRS go-ftw corpus is missing: expected {} (shared/corpora/crs-tests/tests beside \
         the repository). This test never skips; restore the corpus.",
        dir.display()
    );
    dir
}

/// Runs the harness with every literal set built on `choice`.
fn run_with(choice: BackendChoice) -> (Run, String) {
    let (inspector, log) = literals::with_backend(choice, || {
        engine_setup::build_inspector(None, None).expect("embedded engine builds")
    });
    assert!(!log.sets.is_empty(), "{choice:?}: no literal set was built");
    match choice {
        BackendChoice::Hyperscan if HYPERSCAN_COMPILED_IN => {
            assert!(
                log.fallbacks().is_empty(),
                "Hyperscan was forced but fell back: {:?}",
                log.fallbacks()
            );
            assert_eq!(log.count(Backend::Hyperscan), log.sets.len());
        }
        _ => assert_eq!(log.count(Backend::AhoCorasick), log.sets.len()),
    }
    let run = ftw::run(&inspector, &Options::new(corpus_dir())).expect("harness runs");
    let mut text = Vec::new();
    report::write_text(&Summary::new(&run), &mut text).expect("summary");
    (run, String::from_utf8_lossy(&text).into_owned())
}

#[test]
fn crs_harness_gives_identical_results_on_both_backends() {
    let started = std::time::Instant::now();
    let (reference, reference_text) = run_with(BackendChoice::AhoCorasick);
    let (other, other_text) = run_with(BackendChoice::Hyperscan);
    eprintln!(
        "ran {} tests twice in {:?}",
        reference.results.len(),
        started.elapsed()
    );
    assert!(
        reference.results.len() > 4000,
        "only {} tests counted",
        reference.results.len()
    );
    assert_eq!(reference.results.len(), other.results.len());
    let mut differences = Vec::new();
    for (a, b) in reference.results.iter().zip(&other.results) {
        let key = |r: &ftw::TestResult| (r.file.clone(), r.rule_id, r.test_id);
        assert_eq!(key(a), key(b), "the two runs ran tests in different orders");
        if (&a.outcome, &a.categories, a.chunking_differs)
            != (&b.outcome, &b.categories, b.chunking_differs)
        {
            differences.push(format!(
                "{} {}-{}:\n    aho-corasick {:?} {:?} chunking_differs={}\n    hyperscan    {:?} {:?} chunking_differs={}",
                a.file,
                a.rule_id,
                a.test_id,
                a.outcome,
                a.categories,
                a.chunking_differs,
                b.outcome,
                b.categories,
                b.chunking_differs
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} CRS tests differ between backends:\n{}",
        differences.len(),
        reference.results.len(),
        differences.join("\n")
    );
    assert_eq!(
        reference_text, other_text,
        "the summaries differ between backends"
    );
}
