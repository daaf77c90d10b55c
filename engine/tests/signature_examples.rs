//! Every embedded signature's examples must match and its near-misses must not,
//! through the compiled matcher and the signature's own transform chain.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use palisade_engine::defaults;
use palisade_engine::matcher::{CompiledRules, RuleIndex};

#[test]
fn embedded_signature_examples() {
    let signatures = signatures_under_test();
    let rules = CompiledRules::compile(&signatures).expect("embedded signatures compile");
    let mut checked = 0usize;
    let mut failures = Vec::new();
    for (i, sig) in signatures.iter().enumerate() {
        let index = RuleIndex(i as u32);
        for ex in &sig.examples {
            checked += 1;
            if !rules.rule_matches(index, ex) {
                failures.push(format!(
                    "{} ({}): example does not match: {:?}",
                    String::from_utf8_lossy(ex),
                    sig.id,
                    sig.origin
                ));
            }
        }
        for nm in &sig.near_misses {
            checked += 1;
            if rules.rule_matches(index, nm) {
                failures.push(format!(
                    "{} ({}): near-miss matches: {:?}",
                    String::from_utf8_lossy(nm),
                    sig.id,
                    sig.origin
                ));
            }
        }
    }
    assert!(
        signatures.len() >= 20,
        "only {} signatures",
        signatures.len()
    );
    assert!(checked > 0, "no examples checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "checked {checked} examples over {} signatures",
        signatures.len()
    );
}

/// The signatures under test: the embedded set, or the `*.toml` files in the
/// directory named by `PALISADE_SIGNATURES` (for iterating on signatures
/// without rebuilding).
fn signatures_under_test() -> Vec<palisade_engine::signature::Signature> {
    match std::env::var_os("PALISADE_SIGNATURES") {
        None => defaults::signatures().expect("embedded signatures load"),
        Some(dir) => {
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .expect("PALISADE_SIGNATURES directory")
                .map(|e| e.expect("entry").path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            files.sort();
            let texts: Vec<(String, String)> = files
                .iter()
                .map(|f| {
                    (
                        f.display().to_string(),
                        std::fs::read_to_string(f).expect("read"),
                    )
                })
                .collect();
            palisade_engine::signature::parse_set(
                texts.iter().map(|(n, t)| (n.as_str(), t.as_str())),
            )
            .unwrap_or_else(|e| panic!("{e:?}"))
        }
    }
}
