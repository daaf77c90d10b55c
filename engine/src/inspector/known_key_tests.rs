//! JSON keys the inspector says it needs to see only once (`ValueSink::json_key`,
//! the JSON parser's `known_keys`): the answer itself, and bodies of like
//! objects whose keys repeat, with attacks among them, giving the same
//! verdict as with every key reported (the plain screen off, which answers
//! `false` for every key).

use super::{Inspector, Settings};
use crate::body::ValueSink;
use crate::policy::Policy;
use crate::request::RequestHead;
use crate::rule::Paranoia;
use crate::verdict::{Mode, Verdict};
use std::sync::Arc;

fn inspector(plain_screen: bool, mode: Mode) -> Inspector {
    let rules = Arc::new(crate::defaults::compiled_rules().unwrap_or_else(|e| panic!("{e}")));
    let policy = crate::defaults::policy().unwrap_or_else(|_| Policy::default());
    let mut settings = Settings::from_policy(&policy);
    settings.paranoia = Paranoia::MIN;
    settings.mode = mode;
    settings.plain_screen = plain_screen;
    Inspector::with_settings(rules, settings)
}

fn head(referer: Option<&str>, length: usize) -> RequestHead {
    let head = RequestHead::new("POST", b"/api/orders")
        .with_header("Host", "shop.example")
        .with_header("Content-Type", "application/json")
        .with_header("Content-Length", length.to_string());
    match referer {
        Some(referer) => head.with_header("Referer", referer),
        None => head,
    }
}

fn verdict(inspector: &Inspector, referer: Option<&str>, body: &[u8], chunk: usize) -> Verdict {
    let mut tx = inspector.begin(&head(referer, body.len()));
    for piece in body.chunks(chunk.max(1)) {
        let _ = tx.feed_body(piece);
    }
    tx.finish()
}

#[test]
fn a_quiet_key_is_needed_once_unless_a_session_check_could_read_it() {
    let on = inspector(true, Mode::Detect);
    let same_site = Some("https://shop.example/cart");
    let mut tx = on.begin(&head(same_site, 2));
    let _ = tx.feed_body(b"{");
    assert!(tx.state.json_key("customer", b"customer"));
    assert!(tx.state.json_key("[0].name", b"name"));
    // Loud keys are reported every time.
    assert!(!tx.state.json_key("x", b"<script>alert(1)</script>"));
    assert!(!tx
        .state
        .json_key("x", b"1 union select password from users"));

    // No Referer: the session check reads key names without a `[`.
    let mut tx = on.begin(&head(None, 2));
    let _ = tx.feed_body(b"{");
    assert!(!tx.state.json_key("customer", b"customer"));
    assert!(tx.state.json_key("orders[0].customer", b"customer"));
    // A session parameter fires the check, and then none is pending.
    assert!(tx.state.findings.is_empty());
    assert!(tx.state.json_key("jsessionid", b"jsessionid"));
    assert_eq!(tx.state.findings.len(), 1);
    assert!(tx.state.json_key("customer", b"customer"));

    // With the plain screen off nothing is passed over.
    let off = inspector(false, Mode::Detect);
    let mut tx = off.begin(&head(same_site, 2));
    let _ = tx.feed_body(b"{");
    assert!(!tx.state.json_key("customer", b"customer"));
}

/// Arrays of like objects: the same keys in every element, and in one
/// element a key from `keys` in the place of a quiet one (before and after
/// it the quiet key again), so that kept keys meet attacks in their place.
fn bodies(keys: &[&[u8]]) -> Vec<Vec<u8>> {
    keys.iter()
        .map(|key| {
            let mut body = b"{\"orders\":[".to_vec();
            for i in 0..5 {
                if i > 0 {
                    body.push(b',');
                }
                body.extend_from_slice(format!("{{\"id\":{i},").as_bytes());
                let odd: &[u8] = if i == 2 || i == 4 { key } else { b"note" };
                body.push(b'"');
                body.extend_from_slice(odd);
                body.extend_from_slice(b"\":\"fine\",\"customer\":{\"name\":\"Ann\",\"");
                body.extend_from_slice(odd);
                body.extend_from_slice(b"\":1}}");
            }
            body.extend_from_slice(b"],\"");
            body.extend_from_slice(key);
            body.extend_from_slice(b"\":true}");
            body
        })
        .collect()
}

#[test]
fn repeated_keys_give_the_verdict_of_every_key_reported() {
    let keys: [&[u8]; 9] = [
        b"note",
        b"<script>alert(1)</script>",
        b"1 union select password from users",
        b"../../etc/passwd",
        b"__proto__",
        b"; cat /etc/shadow",
        b"jsessionid",
        b"PHPSESSID",
        b"customer",
    ];
    let bodies = bodies(&keys);
    let mut findings = 0;
    for mode in [Mode::Detect, Mode::Block] {
        let on = inspector(true, mode);
        let off = inspector(false, mode);
        for referer in [
            None,
            Some("https://shop.example/"),
            Some("https://evil.example/"),
        ] {
            for body in &bodies {
                let without = verdict(&off, referer, body, usize::MAX);
                findings += without.findings.len();
                for chunk in [usize::MAX, 1, 7, 64] {
                    let with = verdict(&on, referer, body, chunk);
                    assert_eq!(
                        (with.action, with.score, &with.findings),
                        (without.action, without.score, &without.findings),
                        "{mode:?} {referer:?} chunk {chunk}: {}",
                        String::from_utf8_lossy(body)
                    );
                }
            }
        }
    }
    // The attacks were found (else the comparison shows nothing).
    assert!(findings > 20, "{findings} findings");
}

/// The session check fires on a session parameter's key outside an array
/// even when the same key under an array was passed over before it.
#[test]
fn a_session_key_outside_an_array_is_reported_after_kept_repeats() {
    let on = inspector(true, Mode::Detect);
    let body =
        br#"{"list":[{"jsessionid":"a"},{"jsessionid":"b"},{"jsessionid":"c"}],"jsessionid":"d"}"#;
    for chunk in [usize::MAX, 1, 5] {
        let verdict = verdict(&on, None, body, chunk);
        assert!(
            verdict
                .findings
                .iter()
                .any(|f| f.rule_id == crate::session::SESSION_PARAMETER_OFF_SITE
                    && f.target.ends_with("jsessionid")
                    && !f.target.contains('[')),
            "chunk {chunk}: {:?}",
            verdict.findings
        );
    }
}
