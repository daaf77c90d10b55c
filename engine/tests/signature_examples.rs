//! Every embedded signature's examples must match and its near-misses must not,
//! through the compiled matcher and the signature's own transform chain.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::signatures_under_test;

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
