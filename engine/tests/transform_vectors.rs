//! Runs the transform test vectors in `testdata/transforms/<name>.toml`.
//!
//! Each file is named after a transform and holds `[[case]]` tables with a
//! `name`, the input (`input`, or `input_hex` for bytes that are not UTF-8) and
//! the expected output (`output` or `output_hex`). Every case also checks the
//! transform contract: `Cow::Borrowed` (of the input itself) exactly when the
//! output equals the input, and an output at most 4 times the input.
//!
//! The runner counts what it ran: it fails on a file with no cases, on a file
//! that names no transform, and on a transform without a vector file. A second
//! test feeds every transform deterministic pseudo-random bytes to check the
//! contract on inputs nobody wrote down.

use palisade_engine::transform::Transform;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Output may be at most this many times the input (plus a few bytes for tiny inputs).
const MAX_GROWTH: usize = 4;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VectorFile {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    input: Option<String>,
    input_hex: Option<String>,
    output: Option<String>,
    output_hex: Option<String>,
}

/// A test failure report; `Debug` prints it as is, since the test harness shows
/// an `Err` through `Debug`.
struct Report(String);

impl std::fmt::Debug for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/transforms")
}

fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return Err(format!("odd number of hex digits in {text:?}"));
    }
    digits
        .chunks(2)
        .map(|pair| {
            let pair = std::str::from_utf8(pair).map_err(|e| e.to_string())?;
            u8::from_str_radix(pair, 16).map_err(|e| format!("bad hex {pair:?}: {e}"))
        })
        .collect()
}

/// Exactly one of the text and hex forms.
fn bytes_of(text: &Option<String>, hex: &Option<String>, what: &str) -> Result<Vec<u8>, String> {
    match (text, hex) {
        (Some(text), None) => Ok(text.as_bytes().to_vec()),
        (None, Some(hex)) => parse_hex(hex),
        (Some(_), Some(_)) => Err(format!("both `{what}` and `{what}_hex`")),
        (None, None) => Err(format!("neither `{what}` nor `{what}_hex`")),
    }
}

/// Checks the contract of `transform` on `input`, returning the output.
fn apply_checked(transform: Transform, input: &[u8]) -> Result<Vec<u8>, String> {
    let result = transform.apply(input);
    let (output, borrowed) = match &result {
        Cow::Borrowed(bytes) => {
            if !std::ptr::eq(*bytes, input) {
                return Err("borrowed something other than the input".to_string());
            }
            (bytes.to_vec(), true)
        }
        Cow::Owned(bytes) => (bytes.clone(), false),
    };
    if borrowed != (output == input) {
        return Err(format!(
            "no-change contract broken: borrowed={borrowed} but output {} input",
            if output == input {
                "equals"
            } else {
                "differs from"
            }
        ));
    }
    if output.len() > input.len() * MAX_GROWTH + MAX_GROWTH {
        return Err(format!(
            "output grew from {} to {} bytes",
            input.len(),
            output.len()
        ));
    }
    Ok(output)
}

fn run_case(transform: Transform, case: &Case) -> Result<(), String> {
    let input = bytes_of(&case.input, &case.input_hex, "input")?;
    let expected = bytes_of(&case.output, &case.output_hex, "output")?;
    let output = apply_checked(transform, &input)?;
    if output != expected {
        return Err(format!(
            "input    {}\n      expected {}\n      got      {}",
            escape(&input),
            escape(&expected),
            escape(&output)
        ));
    }
    Ok(())
}

fn escape(bytes: &[u8]) -> String {
    format!("\"{}\"", bytes.escape_ascii())
}

#[test]
fn transform_vectors() -> Result<(), Report> {
    let dir = vectors_dir();
    let cannot_list = |e: std::io::Error| Report(format!("cannot list {}: {e}", dir.display()));
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(cannot_list)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(cannot_list)?;
    paths.retain(|p| p.extension().is_some_and(|ext| ext == "toml"));
    paths.sort();

    let mut failures = Vec::new();
    let mut counts: BTreeMap<Transform, usize> = BTreeMap::new();
    for path in &paths {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let Some(transform) = Transform::from_name(stem) else {
            failures.push(format!(
                "{}: no transform is named {stem:?}",
                path.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| Report(format!("cannot read {}: {e}", path.display())))?;
        let file: VectorFile = match toml::from_str(&text) {
            Ok(file) => file,
            Err(e) => {
                failures.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        let mut names = BTreeSet::new();
        for case in &file.case {
            if !names.insert(case.name.as_str()) {
                failures.push(format!("{stem}: duplicate case name {:?}", case.name));
            }
            if let Err(e) = run_case(transform, case) {
                failures.push(format!("{stem} / {}:\n      {e}", case.name));
            }
        }
        if file.case.is_empty() {
            failures.push(format!("{}: no cases", path.display()));
        }
        counts.insert(transform, file.case.len());
    }
    for transform in Transform::ALL {
        if !counts.contains_key(&transform) {
            failures.push(format!("{transform}: no vector file {transform}.toml"));
        }
    }

    let total: usize = counts.values().sum();
    for (transform, count) in &counts {
        eprintln!("{transform:>20}: {count} cases");
    }
    eprintln!("{:>20}: {total} cases in {} files", "total", counts.len());
    if total == 0 {
        return Err(Report(format!(
            "no transform vectors ran from {}",
            dir.display()
        )));
    }
    if !failures.is_empty() {
        return Err(Report(format!(
            "{} transform vector failure(s):\n  {}",
            failures.len(),
            failures.join("\n  ")
        )));
    }
    Ok(())
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Bytes that mean something to at least one transform, plus anything at all.
const INTERESTING: &[u8] = b"\\%&#;xXuU{}0123789aAfFzZ$IFS@*()'\"^`,./-!M= \t\r\n\x0b\x0c\0\xa0\xc0\xc1\xc2\xe0\xf0\x80\x81\xaf\xbf+_";

#[test]
fn transform_contract_on_random_inputs() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut failures = Vec::new();
    let mut runs = 0usize;
    for _ in 0..20_000 {
        let len = (rng.next() % 48) as usize;
        let input: Vec<u8> = (0..len)
            .map(|_| {
                let pick = rng.next();
                if pick.is_multiple_of(8) {
                    (pick >> 8) as u8
                } else {
                    INTERESTING[(pick >> 8) as usize % INTERESTING.len()]
                }
            })
            .collect();
        for transform in Transform::ALL {
            runs += 1;
            if let Err(e) = apply_checked(transform, &input) {
                failures.push(format!("{transform} on {}: {e}", escape(&input)));
            }
        }
    }
    assert!(runs > 0);
    assert!(
        failures.is_empty(),
        "{} contract failure(s), first ones:\n  {}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}
