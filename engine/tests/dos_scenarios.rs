//! The DoS acceptance scenarios (`testdata/dos/*.toml`), simulated in virtual
//! time, with their figures asserted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use palisade_engine::dos::simulate::{run, Scenario, Summary};
use std::path::PathBuf;

fn simulate(name: &str) -> Summary {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/dos")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let scenario: Scenario = toml::from_str(&text).unwrap();
    let summary = run(&scenario, |_| {});
    eprintln!("{}", serde_json::to_string_pretty(&summary).unwrap());
    summary
}

#[test]
fn flood_from_500_bots() {
    let s = simulate("flood.toml");
    let delay = s.detection_delay_seconds.expect("detected");
    assert!(delay <= 10, "detected after {delay} s");
    assert!(
        s.legit_served_during_attack >= 0.99,
        "{}",
        s.legit_served_during_attack
    );
    assert!(
        s.attack_refused_after_detection >= 0.95,
        "{}",
        s.attack_refused_after_detection
    );
    let end = s.mitigation_end_delay_seconds.expect("mitigation ended");
    assert!(end <= 60, "mitigation ended {end} s after the flood");
    assert!(s.refusals_bad_actor > 0);
}

#[test]
fn low_and_slow_found_by_signature() {
    let s = simulate("low-and-slow.toml");
    assert!(s.detection_delay_seconds.expect("detected") <= 10);
    assert!(s.refusals_signature > 0, "no signature refusals");
    assert!(
        s.signatures.iter().any(|d| d.contains("python")
            || d.contains("cookie=no")
            || d.contains("accept_language=no")),
        "{:?}",
        s.signatures
    );
    assert!(
        s.legit_served_during_attack >= 0.99,
        "{}",
        s.legit_served_during_attack
    );
    assert!(
        s.attack_refused_after_detection >= 0.90,
        "{}",
        s.attack_refused_after_detection
    );
}

#[test]
fn flash_crowd_limits_nobody() {
    let s = simulate("flash-crowd.toml");
    assert_eq!(s.legit_clients_limited, 0);
    assert_eq!(s.legit_served_during_attack, 1.0);
}

#[test]
fn a_million_spoofed_addresses_stay_within_memory() {
    let s = simulate("spoofed.toml");
    assert!(s.requests >= 1_000_000, "{}", s.requests);
    assert!(
        s.peak_memory_bytes <= 256 << 20,
        "{} bytes",
        s.peak_memory_bytes
    );
    assert!(s.detection_delay_seconds.expect("detected") <= 10);
    assert!(
        s.legit_served_during_attack >= 0.99,
        "{}",
        s.legit_served_during_attack
    );
}
