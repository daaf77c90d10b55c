//! Measures the `sqli` detector on libinjection's public test inputs and on
//! Palisade's own lists, and holds it to fixed bars:
//!
//! - `sqli-*.txt` (attacks): at least 97% detected;
//! - `false_positives.txt` (benign but suspicious-looking): at most 2%;
//! - `testdata/sqli/benign.txt`: nothing detected;
//! - `testdata/sqli/attacks.txt`: everything detected.
//!
//! The libinjection files hold one URL-encoded input per line (as in a query
//! string: `%XX` escapes and `+` for space); blank lines and lines starting
//! with `#` are skipped, as libinjection's own harness does. Our files hold
//! one raw input per line; blank lines, `#` and `# …` lines are skipped.
//! Every runner counts what it read and fails on zero; a missing corpus is a
//! failure, never a skip. Run with `--nocapture` to see the figures.

#![allow(clippy::panic)] // test harness: a failure is a panic

mod common;

use palisade_engine::detect::sqli;
use std::fs;
use std::path::{Path, PathBuf};

/// Misses or hits printed per list, to keep failures readable.
const SHOWN: usize = 25;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn libinjection_dir() -> PathBuf {
    let dir = manifest_dir().join("../../shared/corpora/libinjection/data");
    assert!(
        dir.is_dir(),
        "libinjection corpus not found at {}: this test needs the shared corpora \
         checkout next to the workspace (../shared/corpora, see its README.md)",
        dir.display()
    );
    dir
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
}

/// libinjection's data format: URL-encoded, `#` comments, blanks skipped.
fn libinjection_inputs(path: &Path) -> Vec<Vec<u8>> {
    lines(&read(path))
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace) && !line.starts_with(b"#"))
        .map(common::form_decode)
        .collect()
}

/// Our data format: raw lines, `#` / `# …` comments, blanks skipped.
fn raw_inputs(path: &Path) -> Vec<Vec<u8>> {
    lines(&read(path))
        .filter(|line| !line.is_empty() && *line != b"#" && !line.starts_with(b"# "))
        .map(<[u8]>::to_vec)
        .collect()
}

fn show(input: &[u8]) -> String {
    let text = String::from_utf8_lossy(input);
    let short: String = text.chars().take(100).collect();
    format!("{short:?}")
}

/// Counts detections over `inputs`; prints up to [`SHOWN`] examples of
/// the outcome that is not wanted (`want_detected` says which that is).
struct Tally {
    total: usize,
    detected: usize,
}

impl Tally {
    fn run(label: &str, inputs: &[Vec<u8>], want_detected: bool) -> Tally {
        let mut tally = Tally {
            total: 0,
            detected: 0,
        };
        let mut shown = 0;
        for input in inputs {
            tally.total += 1;
            let found = sqli::detect(input);
            if found.is_some() {
                tally.detected += 1;
            }
            if found.is_some() != want_detected && shown < SHOWN {
                shown += 1;
                match found {
                    Some(d) => eprintln!("  {label}: detected [{}] {}", d.fingerprint, show(input)),
                    None => eprintln!(
                        "  {label}: missed {:?} {}",
                        sqli::fingerprints(input),
                        show(input)
                    ),
                }
            }
        }
        tally
    }

    fn percent(&self) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        100.0 * self.detected as f64 / self.total as f64
    }

    fn report(&self, label: &str) {
        eprintln!(
            "{label}: {} of {} detected ({:.2}%)",
            self.detected,
            self.total,
            self.percent()
        );
        assert!(self.total > 0, "{label}: read zero inputs");
    }
}

#[test]
fn libinjection_sqli_files_are_detected() {
    let dir = libinjection_dir();
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("sqli-") && name.ends_with(".txt")
        })
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no sqli-*.txt files in {}",
        dir.display()
    );

    let mut all = Tally {
        total: 0,
        detected: 0,
    };
    for path in &files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let tally = Tally::run(name, &libinjection_inputs(path), true);
        tally.report(name);
        all.total += tally.total;
        all.detected += tally.detected;
    }
    all.report(&format!("libinjection sqli-*.txt ({} files)", files.len()));
    assert!(
        all.percent() >= 97.0,
        "detection rate {:.2}% is below 97%",
        all.percent()
    );
}

#[test]
fn libinjection_false_positives_are_rare() {
    let path = libinjection_dir().join("false_positives.txt");
    let tally = Tally::run("false_positives.txt", &libinjection_inputs(&path), false);
    tally.report("libinjection false_positives.txt");
    assert!(
        tally.percent() <= 2.0,
        "false-positive rate {:.2}% is above 2%",
        tally.percent()
    );
}

#[test]
fn own_benign_list_is_clean() {
    let path = manifest_dir().join("../testdata/sqli/benign.txt");
    let tally = Tally::run("benign.txt", &raw_inputs(&path), false);
    tally.report("testdata/sqli/benign.txt");
    assert_eq!(
        tally.detected, 0,
        "benign inputs were detected (listed above)"
    );
}

#[test]
fn own_attack_list_is_detected() {
    let path = manifest_dir().join("../testdata/sqli/attacks.txt");
    let tally = Tally::run("attacks.txt", &raw_inputs(&path), true);
    tally.report("testdata/sqli/attacks.txt");
    assert_eq!(
        tally.detected, tally.total,
        "attacks were missed (listed above)"
    );
}

#[test]
fn url_decoding_matches_the_corpus_format() {
    assert_eq!(common::form_decode(b"1%27+OR+1%3D1"), b"1' OR 1=1");
    assert_eq!(common::form_decode(b"100%+%zz%4"), b"100% %zz%4");
    assert_eq!(common::form_decode(b"%ff%00"), [0xff, 0x00]);
}
