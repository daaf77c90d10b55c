//! Soundness of the plain-value screen (`matcher::plain`): JSON and form
//! bodies give the same verdict, findings in the same order, with the
//! screen on and off — fed whole and in small chunks, at paranoia 1 (where
//! it is on) and 2, in
//! detect mode (every value inspected) and block mode. The values are the
//! quiet-value screen's test values (every signature example and near
//! miss, embedded, re-cased, re-spaced, and generated mixes), the
//! libinjection corpus, and plain API-like values; each as a string, as a
//! key, and the numeric ones as numbers.

use super::{Inspector, Settings};
use crate::matcher::CompiledRules;
use crate::policy::Policy;
use crate::request::RequestHead;
use crate::rule::Paranoia;
use crate::verdict::{Mode, Verdict};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// `value` as a JSON string (raw bytes from 0x80 up kept as they are).
fn json_string(value: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &b in value {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0..=0x1f => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

/// Bodies of about `per_body` values each: every value as a string in an
/// array and as a key, numbers as numbers.
fn bodies(values: &[Vec<u8>], per_body: usize) -> Vec<Vec<u8>> {
    values
        .chunks(per_body)
        .map(|group| {
            let mut body = b"{\"items\":[".to_vec();
            for (i, v) in group.iter().enumerate() {
                if i > 0 {
                    body.push(b',');
                }
                let numeric = !v.is_empty()
                    && v.iter().all(u8::is_ascii_digit)
                    && (v.len() == 1 || v.first() != Some(&b'0'));
                if numeric {
                    body.extend_from_slice(v);
                } else {
                    json_string(v, &mut body);
                }
            }
            body.extend_from_slice(b"],\"keys\":{");
            for (i, v) in group.iter().enumerate() {
                if i > 0 {
                    body.push(b',');
                }
                json_string(v, &mut body);
                body.extend_from_slice(b":{\"note\":");
                json_string(v, &mut body);
                body.push(b'}');
            }
            body.extend_from_slice(b"}}");
            body
        })
        .collect()
}

/// `value` form-encoded as a browser would (`+` for spaces, `%XX` for
/// anything but unreserved bytes); every third one left raw where that
/// keeps the pair intact, as hand-written clients send them.
fn form_encode(value: &[u8], raw: bool, out: &mut Vec<u8>) {
    for &b in value {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => out.push(b),
            b' ' => out.push(b'+'),
            b'&' | b'=' | b'%' | b'+' => out.extend_from_slice(format!("%{b:02X}").as_bytes()),
            _ if raw => out.push(b),
            _ => out.extend_from_slice(format!("%{b:02X}").as_bytes()),
        }
    }
}

/// Form bodies of about `per_body` pairs: each value under a plain name,
/// and as a name itself.
fn form_bodies(values: &[Vec<u8>], per_body: usize) -> Vec<Vec<u8>> {
    values
        .chunks(per_body)
        .enumerate()
        .map(|(n, group)| {
            let mut body = Vec::new();
            for (i, v) in group.iter().enumerate() {
                let raw = (n + i) % 3 == 0;
                body.extend_from_slice(format!("field{i}=").as_bytes());
                form_encode(v, raw, &mut body);
                body.push(b'&');
                form_encode(v, raw, &mut body);
                body.extend_from_slice(b"=x&");
            }
            body.extend_from_slice(b"_method=POST&_charset_=utf-8");
            body
        })
        .collect()
}

fn verdict(inspector: &Inspector, content_type: &str, body: &[u8], chunk: usize) -> Verdict {
    let head = RequestHead::new("POST", b"/api/items")
        .with_header("Host", "shop.example")
        .with_header("Content-Type", content_type)
        .with_header("Content-Length", body.len().to_string());
    let mut tx = inspector.begin(&head);
    for piece in body.chunks(chunk.max(1)) {
        let _ = tx.feed_body(piece);
    }
    tx.finish()
}

fn inspector(
    rules: &Arc<CompiledRules>,
    paranoia: u8,
    mode: Mode,
    plain_screen: bool,
) -> Inspector {
    let policy = crate::defaults::policy().unwrap_or_else(|_| Policy::default());
    let mut settings = Settings::from_policy(&policy);
    settings.paranoia = Paranoia::new(paranoia).unwrap_or(Paranoia::MIN);
    settings.mode = mode;
    settings.plain_screen = plain_screen;
    settings.limits.max_args_count = 1_000_000;
    settings.limits.max_inspected_body_bytes = 64 << 20;
    Inspector::with_settings(Arc::clone(rules), settings)
}

fn test_values(rules: &CompiledRules) -> Vec<Vec<u8>> {
    let mut values = crate::matcher::screen_tests::values(rules);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpora/libinjection/data");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let text = std::fs::read(entry.path()).unwrap_or_default();
        values.extend(text.split(|&b| b == b'\n').map(<[u8]>::to_vec));
    }
    for plain in [
        &b"Amelia M\xc3\xbcller"[..],
        b"amelia.mueller@example.org",
        b"+44 7166 141469",
        b"bb9cc917-7ea9-430d-ad7d-8bd7f7af900a",
        b"SGVsbG8gd29ybGQsIGhvdyBhcmUgeW91Pw==",
        // Base64 of a node-serialize payload, bare and trimmed of spaces.
        b"XyQkTkRfRlVOQyQkX2Z1bmN0aW9uKCl7cmVxdWlyZSgiY2hpbGRfcHJvY2VzcyIpLmV4ZWMoImlkIil9",
        b"  XyQkTkRfRlVOQyQkX2Z1bmN0aW9uKCl7cmVxdWlyZSgiY2hpbGRfcHJvY2VzcyIpLmV4ZWMoImlkIil9 ",
        b" c2VsZWN0ICogZnJvbSB1c2VycyB3aGVyZSBpZD0xIG9yIDE9MQ",
        b"XyQkTkRfRlVOQyQkXw",
        b"c2VsZWN0ICogZnJvbSB1c2Vycw",
        b"2147483648",
        b"18446744073709551616",
        b"0",
        b"..",
        b".",
        b"wait--what",
        b"a@b",
        b"@admin",
        b"Is it NULL or not",
        b"1 between 2",
        b"caf\xc3",
        b"\xc0\xae\xc0\xae",
        b"the name of the user",
        // `:` is plain but opens byte-gated rules and the XSS pre-check.
        b"2024-04-08T17:49:05Z",
        b"10:30",
        b"javascript:alert.call",
        b"JavaScript:history.back",
        b"vbscript:msgbox.x",
        b"http:localhost",
        // Prose: `?` and `!` are plain; SQL words send it to the detectors.
        b"Could you update the order? The invoice is wrong and late!",
        b"1 or 1?",
        b"select name from users!",
    ] {
        values.push(plain.to_vec());
    }
    values
}

#[test]
fn body_verdicts_are_the_same_with_and_without_the_plain_screen() {
    let rules = Arc::new(crate::defaults::compiled_rules().expect("default rules"));
    let values = test_values(&rules);
    assert!(values.len() > 20_000, "{} values", values.len());
    let before = super::PLAIN_QUIET.load(Ordering::Relaxed);
    let mut compared = 0usize;
    // Every other body whole at PL1; every few in small chunks, in block mode
    // and at PL2 (where the screen is off: nothing may change either).
    for (paranoia, mode, per_body, chunk, step) in [
        (1, Mode::Detect, 25, usize::MAX, 2),
        (1, Mode::Detect, 7, 13, 5),
        (1, Mode::Block, 25, 4096, 3),
        (2, Mode::Detect, 25, usize::MAX, 7),
    ] {
        let on = inspector(&rules, paranoia, mode, true);
        let off = inspector(&rules, paranoia, mode, false);
        let json = bodies(&values, per_body).into_iter().step_by(step);
        let forms = form_bodies(&values, per_body).into_iter().step_by(step);
        let all = json
            .map(|b| ("application/json", b))
            .chain(forms.map(|b| ("application/x-www-form-urlencoded", b)));
        for (content_type, body) in all {
            let with = verdict(&on, content_type, &body, chunk);
            let without = verdict(&off, content_type, &body, chunk);
            assert_eq!(
                (with.action, with.score, &with.findings),
                (without.action, without.score, &without.findings),
                "{content_type} PL{paranoia} {mode:?} chunk {chunk}: {}",
                String::from_utf8_lossy(&body)
            );
            compared += 1;
        }
    }
    // Values whose rule may already have fired in a body of many, alone.
    let on = inspector(&rules, 1, Mode::Detect, true);
    let off = inspector(&rules, 1, Mode::Detect, false);
    for lone in [&b"  XyQkTkRfRlVOQyQkXw "[..], b"XyQkTkRfRlVOQyQkXw  "] {
        for (content_type, body) in bodies(&[lone.to_vec()], 1)
            .into_iter()
            .map(|b| ("application/json", b))
            .chain(
                form_bodies(&[lone.to_vec()], 1)
                    .into_iter()
                    .map(|b| ("application/x-www-form-urlencoded", b)),
            )
        {
            let with = verdict(&on, content_type, &body, usize::MAX);
            let without = verdict(&off, content_type, &body, usize::MAX);
            assert!(
                !without.findings.is_empty(),
                "{}",
                String::from_utf8_lossy(&body)
            );
            assert_eq!(
                with.findings,
                without.findings,
                "{}",
                String::from_utf8_lossy(&body)
            );
        }
    }
    assert!(compared > 2_000, "{compared} bodies");
    // The screen did pass values over (else this test shows nothing).
    let passed_over = super::PLAIN_QUIET.load(Ordering::Relaxed) - before;
    assert!(passed_over > 40_000, "{passed_over} values passed over");
}
