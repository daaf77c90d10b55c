//! Measures the `xss` detector on corpora.
//!
//! - libinjection's XSS inputs (`xss-*.txt` in the shared corpus,
//!   `../../shared/corpora/libinjection/data` from the engine crate): at least
//!   95% must be detected. `tbd-xss-github-issue-68.txt` is undecided upstream:
//!   its rate is printed, not counted.
//! - libinjection's `false_positives.txt` (benign, mostly SQL-looking): at most
//!   2% detected.
//! - `testdata/xss/benign.txt`: none detected; `testdata/xss/attacks.txt`: all
//!   detected.
//!
//! Every file holds one URL-encoded input per line (blank lines and lines
//! starting with `#` are skipped). Each line is decoded as a query-string
//! argument is (`%XX` and `+` as space), then through the chain an XSS
//! signature uses (`url_decode_multi`, `html_entity_decode`, `js_decode`),
//! then given to the detector.
//!
//! The runner counts what it read and fails on an empty or missing file; a
//! missing shared corpus is a failure, not a skip. Set `XSS_CORPUS_SHOW=1` to
//! print every miss and false positive.

#![allow(clippy::panic)]

use palisade_engine::detect::xss;
use palisade_engine::transform::url_decode::percent_decode;
use palisade_engine::transform::Transform;
use std::path::{Path, PathBuf};

const MIN_ATTACK_RATE: f64 = 0.95;
const MAX_FALSE_POSITIVE_RATE: f64 = 0.02;
const UNDECIDED: &str = "tbd-xss-github-issue-68.txt";

fn shared_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora/libinjection/data")
}

fn own_corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/xss")
        .join(name)
}

fn show() -> bool {
    std::env::var_os("XSS_CORPUS_SHOW").is_some()
}

/// The inputs of one corpus file, raw (still URL-encoded), with line numbers.
fn read_lines(path: &Path) -> Vec<(usize, Vec<u8>)> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| {
        panic!(
            "cannot read corpus file {}: {e} (the shared corpus must be present; it is not optional)",
            path.display()
        )
    });
    let lines: Vec<(usize, Vec<u8>)> = bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, line)| (i + 1, line.strip_suffix(b"\r").unwrap_or(line).to_vec()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with(b"#"))
        .collect();
    assert!(!lines.is_empty(), "no inputs read from {}", path.display());
    lines
}

/// Decodes a line as a query argument, then as an XSS signature chain does.
fn decode(line: &[u8]) -> Vec<u8> {
    let mut value = percent_decode(line, true).into_owned();
    for transform in [
        Transform::UrlDecodeMulti,
        Transform::HtmlEntityDecode,
        Transform::JsDecode,
    ] {
        value = transform.apply(&value).into_owned();
    }
    value
}

/// How many inputs of a file were read and detected.
#[derive(Default, Clone, Copy)]
struct Tally {
    read: usize,
    detected: usize,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.read += other.read;
        self.detected += other.detected;
    }

    fn rate(self) -> f64 {
        if self.read == 0 {
            0.0
        } else {
            self.detected as f64 / self.read as f64
        }
    }
}

/// Runs the detector over a file; prints the lines whose outcome is not
/// `expect_detected` when asked to (or always, with `always_show`).
fn run_file(path: &Path, expect_detected: bool, always_show: bool) -> (Tally, Vec<String>) {
    let mut tally = Tally::default();
    let mut unexpected = Vec::new();
    for (number, line) in read_lines(path) {
        let value = decode(&line);
        let detection = xss::detect(&value);
        if let Some(found) = &detection {
            assert!(
                found.start <= found.end && found.end <= value.len(),
                "{}:{number}: range {}..{} outside the value",
                path.display(),
                found.start,
                found.end
            );
        }
        tally.read += 1;
        tally.detected += usize::from(detection.is_some());
        if detection.is_some() != expect_detected {
            let what = match &detection {
                Some(found) => format!("detected as {}", found.fingerprint),
                None => "missed".to_string(),
            };
            let note = format!(
                "{}:{number}: {what}: {}",
                path.file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default(),
                String::from_utf8_lossy(&value).escape_debug()
            );
            if always_show || show() {
                println!("  {note}");
            }
            unexpected.push(note);
        }
    }
    (tally, unexpected)
}

fn percent(rate: f64) -> String {
    format!("{:.2}%", rate * 100.0)
}

#[test]
fn libinjection_xss_inputs_are_detected() {
    let dir = shared_corpus();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "shared libinjection corpus missing at {}: {e}; it is required, not optional",
            dir.display()
        )
    });
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("xss-") && n.ends_with(".txt"))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no xss-*.txt files in {}", dir.display());

    let mut total = Tally::default();
    for path in &files {
        let (tally, _) = run_file(path, true, false);
        println!(
            "{}: {}/{} detected ({})",
            path.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default(),
            tally.detected,
            tally.read,
            percent(tally.rate())
        );
        total.add(tally);
    }
    println!(
        "libinjection xss total: {}/{} detected ({}) over {} files",
        total.detected,
        total.read,
        percent(total.rate()),
        files.len()
    );

    let (undecided, _) = run_file(&dir.join(UNDECIDED), true, false);
    println!(
        "{UNDECIDED} (not counted): {}/{} detected ({})",
        undecided.detected,
        undecided.read,
        percent(undecided.rate())
    );

    assert!(total.read > 0, "no libinjection xss inputs read");
    assert!(
        total.rate() >= MIN_ATTACK_RATE,
        "libinjection xss detection {} is below {} (XSS_CORPUS_SHOW=1 lists the misses)",
        percent(total.rate()),
        percent(MIN_ATTACK_RATE)
    );
}

#[test]
fn libinjection_false_positives_are_rarely_detected() {
    let (tally, _) = run_file(&shared_corpus().join("false_positives.txt"), false, true);
    println!(
        "false_positives.txt: {}/{} detected ({})",
        tally.detected,
        tally.read,
        percent(tally.rate())
    );
    assert!(
        tally.rate() <= MAX_FALSE_POSITIVE_RATE,
        "false_positives.txt detection {} is above {}",
        percent(tally.rate()),
        percent(MAX_FALSE_POSITIVE_RATE)
    );
}

#[test]
fn own_benign_inputs_are_never_detected() {
    let (tally, unexpected) = run_file(&own_corpus("benign.txt"), false, true);
    println!("benign.txt: {}/{} detected", tally.detected, tally.read);
    assert!(
        tally.read >= 300,
        "benign.txt should hold at least 300 inputs, has {}",
        tally.read
    );
    assert!(
        unexpected.is_empty(),
        "benign inputs detected:\n{}",
        unexpected.join("\n")
    );
}

#[test]
fn own_attacks_are_all_detected() {
    let (tally, unexpected) = run_file(&own_corpus("attacks.txt"), true, true);
    println!("attacks.txt: {}/{} detected", tally.detected, tally.read);
    assert!(
        tally.read >= 100,
        "attacks.txt should hold at least 100 inputs, has {}",
        tally.read
    );
    assert!(
        unexpected.is_empty(),
        "attacks missed:\n{}",
        unexpected.join("\n")
    );
}
