//! The cross-request cache of clean header and cookie values never hides an
//! attack: a value is remembered only after a scan in which no rule was off,
//! and a remembered value is the only thing a later request can skip.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use palisade_engine::policy::Policy;
use palisade_engine::request::RequestHead;
use palisade_engine::verdict::Verdict;
use palisade_engine::{defaults, Inspector};

use std::sync::Arc;

const INJECTION: &str = "1' or '1'='1' union select password from users--";

/// Detect mode: nothing stops the scan once the score is reached, so every
/// header is scanned even after the query fired the same rules.
fn inspector() -> Inspector {
    let rules = Arc::new(defaults::compiled_rules().unwrap());
    let policy = Policy::parse("detect.toml", "[engine]\nmode = \"detect\"\n").unwrap();
    Inspector::new(rules, &policy)
}

fn user_agent_findings(verdict: &Verdict) -> Vec<u32> {
    verdict
        .findings
        .iter()
        .filter(|f| f.target == "header:user-agent")
        .map(|f| f.rule_id.0)
        .collect()
}

fn get(query: &str, user_agent: &str) -> RequestHead {
    RequestHead::new("GET", format!("/search{query}").as_bytes())
        .with_header("Host", "shop.example")
        .with_header("User-Agent", user_agent)
}

#[test]
fn a_value_scanned_while_rules_were_off_is_scanned_again_next_time() {
    let inspector = inspector();
    // Alone, the injected User-Agent is found.
    palisade_engine::head_cache::clear_this_thread();
    let alone = user_agent_findings(&inspector.inspect(&get("", INJECTION), b""));
    assert!(
        !alone.is_empty(),
        "the injected User-Agent is found on its own"
    );
    // The query fires the same rules first: the header scan skips them.
    palisade_engine::head_cache::clear_this_thread();
    let both = inspector.inspect(&get("?q=1%27%20or%20%271%27%3D%271", INJECTION), b"");
    assert!(!both.findings.is_empty());
    // That header scan must not have been remembered as clean.
    let again = user_agent_findings(&inspector.inspect(&get("", INJECTION), b""));
    assert_eq!(again, alone);
}

#[test]
fn repeated_benign_headers_give_the_same_verdict_and_attacks_still_show() {
    let inspector = inspector();
    palisade_engine::head_cache::clear_this_thread();
    let browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Safari/537.36";
    let first = inspector.inspect(&get("?q=boots", browser), b"");
    let second = inspector.inspect(&get("?q=boots", browser), b"");
    assert!(first.findings.is_empty() && second.findings.is_empty());
    assert_eq!(first.action, second.action);
    // A different value under the same header is scanned, not taken from the cache.
    let attack = user_agent_findings(&inspector.inspect(&get("?q=boots", INJECTION), b""));
    assert!(!attack.is_empty());
}
