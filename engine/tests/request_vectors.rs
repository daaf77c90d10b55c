//! Runs every request vector in `testdata/vectors/*.toml` against the embedded
//! signatures and default policy, each case whole, in 1-byte chunks and in
//! pseudo-random chunks; the verdicts must be identical and meet the case's
//! expectations. Counts cases and fails on zero.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use palisade_engine::inspector::Settings;
use palisade_engine::request::RequestHead;
use palisade_engine::rule::Paranoia;
use palisade_engine::{defaults, Inspector, Policy, Verdict};
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    /// A policy file (relative to the repository root) instead of the default.
    #[serde(default)]
    policy: Option<String>,
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(default = "get")]
    method: String,
    uri: String,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    body_hex: Option<String>,
    #[serde(default)]
    paranoia: Option<u8>,
    expect: String,
    #[serde(default)]
    fires: Vec<u32>,
    #[serde(default)]
    not_fires: Vec<u32>,
    #[serde(default)]
    categories: Vec<String>,
    /// The peer address the request comes from.
    #[serde(default)]
    peer: Option<String>,
    /// Send the request this many times; the last verdict is judged.
    #[serde(default)]
    repeat: Option<u32>,
    /// Expected status of the verdict.
    #[serde(default)]
    status: Option<u16>,
    /// Whether a Retry-After is expected.
    #[serde(default)]
    retry_after: Option<bool>,
    /// Whether inspection must have been bypassed.
    #[serde(default)]
    bypass: Option<bool>,
    /// The route that must apply.
    #[serde(default)]
    route: Option<String>,
}

fn get() -> String {
    "GET".into()
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

fn run_chunked(inspector: &Inspector, head: &RequestHead, body: &[u8], sizes: &mut dyn FnMut() -> usize) -> Verdict {
    let mut tx = inspector.begin(head);
    let mut rest = body;
    while !rest.is_empty() {
        let n = sizes().clamp(1, rest.len());
        let _ = tx.feed_body(&rest[..n]);
        rest = &rest[n..];
    }
    tx.finish()
}

#[test]
fn request_vectors() {
    let rules = Arc::new(defaults::compiled_rules().expect("embedded rules"));
    let default_policy = defaults::policy().expect("embedded policy");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/vectors");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("testdata/vectors")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut total = 0;
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read vector file");
        let file: File = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!file.case.is_empty(), "{} has no cases", path.display());
        for case in &file.case {
            total += 1;
            let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
            let make_inspector = || {
                let policy = match &file.policy {
                    Some(rel) => {
                        let text = std::fs::read_to_string(root.join(rel)).expect("policy file");
                        Policy::parse(rel, &text).unwrap_or_else(|e| panic!("{rel}: {e:?}"))
                    }
                    None => default_policy.clone(),
                };
                let mut settings = Settings::from_policy(&policy);
                if let Some(p) = case.paranoia {
                    settings.paranoia = Paranoia::new(p).expect("paranoia 1-4");
                }
                if case.paranoia.is_some() {
                    Inspector::with_settings(Arc::clone(&rules), settings)
                } else {
                    Inspector::new(Arc::clone(&rules), &policy)
                }
            };
            let mut head = RequestHead::new(&case.method, case.uri.as_bytes());
            for (n, v) in &case.headers {
                head = head.with_header(n, v);
            }
            head.peer = case.peer.as_ref().map(|p| p.parse().expect("peer socket address"));
            let body = match (&case.body, &case.body_hex) {
                (Some(b), None) => b.as_bytes().to_vec(),
                (None, Some(h)) => hex(h),
                (None, None) => Vec::new(),
                _ => panic!("{}: body and body_hex both set", case.name),
            };
            let repeat = case.repeat.unwrap_or(1).max(1);
            let run = |sizes: &mut dyn FnMut() -> usize| {
                let inspector = make_inspector();
                for _ in 1..repeat {
                    let _ = inspector.inspect(&head, &body);
                }
                run_chunked(&inspector, &head, &body, sizes)
            };
            let whole = run(&mut || usize::MAX);
            let one = run(&mut || 1);
            let mut seed = 0x9e3779b97f4a7c15u64 ^ total as u64;
            let random = run(&mut || {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed % 23) as usize + 1
            });
            let label = format!("{} / {}", path.file_name().unwrap_or_default().to_string_lossy(), case.name);
            if whole != one || whole != random {
                failures.push(format!("{label}: chunking changed the verdict:\n whole {whole:?}\n 1-byte {one:?}\n random {random:?}"));
                continue;
            }
            let blocked = whole.is_block();
            match case.expect.as_str() {
                "block" if !blocked => failures.push(format!("{label}: expected block, got {}", whole.summary())),
                "allow" if blocked => failures.push(format!("{label}: expected allow, got {} {:?}", whole.summary(), whole.findings)),
                "block" | "allow" => {}
                other => panic!("{label}: expect must be block or allow, got {other}"),
            }
            let fired: Vec<u32> = whole.findings.iter().map(|f| f.rule_id.0).collect();
            for id in &case.fires {
                if !fired.contains(id) {
                    failures.push(format!("{label}: rule {id} did not fire (fired {fired:?})"));
                }
            }
            for id in &case.not_fires {
                if fired.contains(id) {
                    failures.push(format!("{label}: rule {id} fired"));
                }
            }
            if let Some(status) = case.status {
                if whole.status != status {
                    failures.push(format!("{label}: expected status {status}, got {}", whole.summary()));
                }
            }
            if let Some(want) = case.retry_after {
                if whole.retry_after_seconds.is_some() != want {
                    failures.push(format!("{label}: retry_after {:?}", whole.retry_after_seconds));
                }
            }
            if let Some(want) = case.bypass {
                if whole.bypass.is_some() != want {
                    failures.push(format!("{label}: bypass {:?}", whole.bypass));
                }
            }
            if let Some(route) = &case.route {
                if whole.route.as_ref() != Some(route) {
                    failures.push(format!("{label}: route {:?}, expected {route}", whole.route));
                }
            }
            for cat in &case.categories {
                if !whole.findings.iter().any(|f| f.category.name() == cat) {
                    failures.push(format!("{label}: no {cat} finding (fired {fired:?})"));
                }
            }
        }
    }
    assert!(total > 0, "no request vectors found in {}", dir.display());
    assert!(failures.is_empty(), "{} of {total} cases failed:\n{}", failures.len(), failures.join("\n"));
    eprintln!("{total} request vectors passed, each whole, 1-byte and random-chunked");
}
