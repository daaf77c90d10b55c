//! The DoS model wired into the inspector: a policy with `[dos]` on, driven
//! with a manual clock, refuses a flooding client with 429 and keeps serving
//! the others.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use palisade_engine::clock::ManualClock;
use palisade_engine::request::RequestHead;
use palisade_engine::verdict::BlockReason;
use palisade_engine::{defaults, Inspector, Policy};
use std::sync::Arc;
use std::time::Duration;

fn request(ip: &str) -> RequestHead {
    let mut head = RequestHead::new("GET", b"/products?page=2")
        .with_header("Host", "shop.example")
        .with_header(
            "User-Agent",
            "Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0",
        )
        .with_header("Accept-Language", "en");
    head.peer = Some(format!("{ip}:40000").parse().unwrap());
    head
}

#[test]
fn flooding_client_is_refused_with_429_and_others_are_served() {
    let policy = Policy::parse(
        "dos.toml",
        "[dos]\nenabled = true\nlearning_seconds = 10\nmin_attack_rps = 20.0\n",
    )
    .unwrap();
    let clock = Arc::new(ManualClock::default());
    let inspector = Inspector::new(Arc::new(defaults::compiled_rules().unwrap()), &policy)
        .with_clock(clock.clone());
    // 20 clients at 1 request/s for 30 s.
    for second in 0..30u64 {
        for c in 0..20 {
            clock.set(Duration::from_millis(second * 1000 + c * 40));
            let v = inspector.inspect(&request(&format!("10.0.0.{c}")), b"");
            assert!(!v.is_block(), "learning traffic blocked at {second}s");
        }
    }
    // One client floods at 200 requests/s while the others go on.
    let (mut flood_refused, mut flood_sent, mut legit_refused) = (0, 0, 0);
    let mut reasons = Vec::new();
    for second in 30..40u64 {
        for i in 0..200u64 {
            clock.set(Duration::from_millis(second * 1000 + i * 5));
            let v = inspector.inspect(&request("203.0.113.66"), b"");
            flood_sent += 1;
            if v.is_block() {
                flood_refused += 1;
                assert_eq!(v.status, 429);
                assert!(v.retry_after_seconds.is_some());
                reasons.push(v.reason);
            }
            if i % 10 == 0 {
                let c = i / 10;
                let v = inspector.inspect(&request(&format!("10.0.0.{c}")), b"");
                legit_refused += usize::from(v.is_block());
            }
        }
    }
    assert_eq!(legit_refused, 0);
    assert!(
        flood_refused * 10 >= flood_sent * 7,
        "{flood_refused} of {flood_sent}"
    );
    assert!(reasons
        .iter()
        .all(|r| *r == Some(BlockReason::DosMitigation)));
    let events = inspector.drain_dos_events();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, palisade_engine::dos::DosEvent::AttackStarted { .. })),
        "{events:?}"
    );
}
