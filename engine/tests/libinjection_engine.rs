//! The libinjection corpora through the whole engine (every signature and
//! detector, default policy, paranoia 1), each input sent as a query
//! argument value: attacks must be blocked, the known false positives must
//! mostly pass. The figures are printed; the assertions are the targets in
//! docs/detection.md. Fails, not skips, when the shared corpus is missing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use palisade_engine::request::RequestHead;
use palisade_engine::{defaults, Inspector};
use std::path::PathBuf;
use std::sync::Arc;

fn corpus_dir() -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora/libinjection/data");
    assert!(
        dir.is_dir(),
        "the libinjection corpus is missing at {} (it ships in ../shared/corpora)",
        dir.display()
    );
    dir
}

fn lines(prefix: &str) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".txt"))
        })
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        out.extend(
            text.lines()
                .map(str::trim_end)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from),
        );
    }
    out
}

fn blocked_share(inspector: &Inspector, inputs: &[String]) -> (usize, usize) {
    let blocked = inputs
        .iter()
        .filter(|line| {
            // The corpus lines are URL-encoded user inputs: send them as the value of `q`.
            let value = line
                .replace('&', "%26")
                .replace('#', "%23")
                .replace(' ', "+");
            let uri = format!("/search?q={value}");
            let head = RequestHead::new("GET", uri.as_bytes()).with_header("Host", "shop.example");
            inspector.inspect(&head, b"").is_block()
        })
        .count();
    (blocked, inputs.len())
}

#[test]
fn libinjection_corpora_through_the_engine() {
    let rules = Arc::new(defaults::compiled_rules().unwrap());
    let inspector = Inspector::new(Arc::clone(&rules), &defaults::policy().unwrap());
    let mut strict = defaults::policy().unwrap();
    strict.engine.paranoia = palisade_engine::rule::Paranoia::new(2).unwrap();
    let inspector_pl2 = Inspector::new(rules, &strict);
    let sqli = lines("sqli-");
    let xss = lines("xss-");
    let fps = lines("false_positives");
    assert!(sqli.len() > 1000 && xss.len() > 500 && fps.len() > 100);
    let (sb, st) = blocked_share(&inspector, &sqli);
    let (xb, xt) = blocked_share(&inspector, &xss);
    let (fb, ft) = blocked_share(&inspector, &fps);
    let (sb2, _) = blocked_share(&inspector_pl2, &sqli);
    let (xb2, _) = blocked_share(&inspector_pl2, &xss);
    let (fb2, _) = blocked_share(&inspector_pl2, &fps);
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b as f64;
    eprintln!("sqli inputs blocked: {sb} of {st} ({:.2}%)", pct(sb, st));
    eprintln!("xss inputs blocked: {xb} of {xt} ({:.2}%)", pct(xb, xt));
    eprintln!(
        "false positives blocked: {fb} of {ft} ({:.2}%)",
        pct(fb, ft)
    );
    eprintln!(
        "paranoia 2: sqli {:.2}%, xss {:.2}%, false positives {:.2}%",
        pct(sb2, st),
        pct(xb2, xt),
        pct(fb2, ft)
    );
    // Paranoia 1, the default: what blocks with no tuning at all.
    assert!(pct(sb, st) >= 97.0, "sqli at PL1");
    assert!(pct(xb, xt) >= 95.0, "xss at PL1");
    assert!(pct(fb, ft) <= 2.0, "false positives at PL1");
    // Paranoia 2 adds the strict SQL detector.
    assert!(pct(sb2, st) >= 97.0, "sqli at PL2");
}
