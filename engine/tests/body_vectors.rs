//! Data-driven tests for the streaming body parsers: `testdata/bodies/<parser>.toml`.
//!
//! Every case is fed whole, in 1-byte chunks, split in two at every offset, and in
//! pseudo-random chunks (several xorshift seeds, empty chunks included). All runs must
//! give exactly the same values and issues; the whole-body run must then equal the
//! case's `expect` and `issues`. Each file names the parser its cases are for, and
//! every case's `content_type` must select that parser, so a typo cannot silently
//! route a case elsewhere. Runners count cases and fail on zero.
//!
//! Vector format:
//! ```toml
//! parser = "urlencoded"            # urlencoded | multipart | json | xml | raw
//! [[case]]
//! name = "two pairs"
//! content_type = "application/x-www-form-urlencoded"
//! body = "a=1&b=2"                 # or body_hex = "613d31"
//! crlf = true                      # optional: every "\n" in `body` becomes "\r\n"
//! max_value_bytes = 16             # optional limits (defaults: BodyLimits::default())
//! max_depth = 4
//! expect = ["args_names:a=a", "args:a=1", { source = "args", name = "b", value = "2" }]
//! issues = ["value_truncated:a", "malformed@12", "truncated", "too_deep"]
//! ```
//! A value is written `prefix:name=value` (`prefix=value` for the unnamed `body`;
//! use the table form when a name contains `=`). Names and values are escaped: `\\`
//! for a backslash, `\xNN` for control characters and bytes that are not UTF-8.
//! An issue is `value_truncated:<name>`, `too_deep`, `malformed@<offset>` or
//! `truncated`; an expected issue may leave out the `:<name>` / `@<offset>` part.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test harness

use palisade_engine::body::urlencoded::parse_query;
use palisade_engine::body::{BodyIssue, BodyKind, BodyLimits, ValueSink};
use palisade_engine::target::TargetSource;
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VectorFile {
    parser: String,
    #[serde(default)]
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    content_type: String,
    body: Option<String>,
    body_hex: Option<String>,
    #[serde(default)]
    crlf: bool,
    max_value_bytes: Option<usize>,
    max_depth: Option<usize>,
    #[serde(default)]
    expect: Vec<Expected>,
    #[serde(default)]
    issues: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Expected {
    Line(String),
    Item {
        source: String,
        name: String,
        value: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    Value {
        source: TargetSource,
        name: String,
        value: Vec<u8>,
    },
    Issue(BodyIssue),
}

/// Records events and checks the sink-side invariants of the contract.
struct Recorder {
    events: Vec<Event>,
    max_value_bytes: usize,
    violations: Vec<String>,
}

impl ValueSink for Recorder {
    fn value(&mut self, source: TargetSource, name: &str, value: &[u8]) {
        if value.len() > self.max_value_bytes {
            self.violations.push(format!(
                "value {} is {} bytes, over max_value_bytes {}",
                label(source, name),
                value.len(),
                self.max_value_bytes
            ));
        }
        self.check_not_dead();
        self.events.push(Event::Value {
            source,
            name: name.to_owned(),
            value: value.to_vec(),
        });
    }

    fn issue(&mut self, issue: BodyIssue) {
        self.check_not_dead();
        self.events.push(Event::Issue(issue));
    }
}

impl Recorder {
    fn check_not_dead(&mut self) {
        let dead = self
            .events
            .iter()
            .any(|e| matches!(e, Event::Issue(i) if i.is_fatal()));
        if dead {
            self.violations
                .push("event reported after a fatal issue".to_owned());
        }
    }
}

/// How a body is cut into chunks.
#[derive(Debug, Clone, Copy)]
enum Split {
    Whole,
    Bytes,
    At(usize),
    Random(u64),
}

fn chunks(body: &[u8], split: Split) -> Vec<&[u8]> {
    match split {
        Split::Whole => vec![body],
        Split::Bytes => body.chunks(1).collect(),
        Split::At(at) => {
            let (a, b) = body.split_at(at);
            vec![a, b]
        }
        Split::Random(seed) => {
            let mut state = seed;
            let mut out = Vec::new();
            let mut rest = body;
            while !rest.is_empty() {
                // xorshift64
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let len = if state.is_multiple_of(11) {
                    0
                } else {
                    1 + (state % 23) as usize
                };
                let (head, tail) = rest.split_at(len.min(rest.len()));
                out.push(head);
                rest = tail;
            }
            out
        }
    }
}

const SEEDS: [u64; 4] = [0x9e37_79b9_7f4a_7c15, 1, 42, 0xdead_beef];

fn run(
    kind: &BodyKind,
    limits: BodyLimits,
    body: &[u8],
    split: Split,
) -> (Vec<Event>, Vec<String>) {
    let mut recorder = Recorder {
        events: Vec::new(),
        max_value_bytes: limits.max_value_bytes,
        violations: Vec::new(),
    };
    let mut parser = kind.parser(limits);
    for chunk in chunks(body, split) {
        parser.feed(chunk, &mut recorder);
    }
    parser.finish(&mut recorder);
    // A second finish must change nothing.
    let before = recorder.events.len();
    parser.finish(&mut recorder);
    if recorder.events.len() != before {
        recorder
            .violations
            .push("second finish reported more".to_owned());
    }
    (recorder.events, recorder.violations)
}

fn escape(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        let _ = write!(out, "\\x{b:02x}");
                    }
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// The prefix a value is written with; query sources get `query_` in front, since
/// they share `args` / `args_names` with body arguments.
fn prefix(source: TargetSource) -> String {
    match source {
        TargetSource::QueryArg | TargetSource::QueryArgName => {
            format!("query_{}", source.prefix())
        }
        _ => source.prefix().to_owned(),
    }
}

/// `prefix:name`, or just `prefix` for a source without names (`body`).
fn label(source: TargetSource, name: &str) -> String {
    if source.is_named() {
        format!("{}:{}", prefix(source), escape(name.as_bytes()))
    } else {
        prefix(source)
    }
}

fn render_issue(issue: &BodyIssue) -> String {
    match issue {
        BodyIssue::ValueTruncated { name } => {
            format!("value_truncated:{}", escape(name.as_bytes()))
        }
        BodyIssue::TooDeep => "too_deep".to_owned(),
        BodyIssue::Malformed { offset, .. } => format!("malformed@{offset}"),
        BodyIssue::Truncated { .. } => "truncated".to_owned(),
    }
}

/// Values rendered as `prefix:name=value`, and issues rendered.
fn render(events: &[Event]) -> (Vec<String>, Vec<String>) {
    let mut values = Vec::new();
    let mut issues = Vec::new();
    for event in events {
        match event {
            Event::Value {
                source,
                name,
                value,
            } => values.push(format!("{}={}", label(*source, name), escape(value))),
            Event::Issue(issue) => issues.push(render_issue(issue)),
        }
    }
    (values, issues)
}

fn issue_matches(expected: &str, actual: &str) -> bool {
    actual == expected
        || actual
            .strip_prefix(expected)
            .is_some_and(|rest| rest.starts_with(':') || rest.starts_with('@'))
}

fn decode_hex(hex: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return Err("odd number of hex digits".into());
    }
    digits
        .chunks(2)
        .map(|pair| {
            let text = std::str::from_utf8(pair).map_err(|e| e.to_string())?;
            u8::from_str_radix(text, 16).map_err(|e| format!("bad hex {text:?}: {e}"))
        })
        .collect()
}

fn parser_name(kind: &BodyKind) -> &'static str {
    match kind {
        BodyKind::UrlEncoded => "urlencoded",
        BodyKind::Multipart { .. } => "multipart",
        BodyKind::Json => "json",
        BodyKind::Xml => "xml",
        BodyKind::Raw => "raw",
    }
}

/// Checks one case; returns what is wrong with it, if anything.
fn check_case(file_parser: &str, case: &Case) -> Result<(), String> {
    let kind = BodyKind::from_content_type(Some(case.content_type.as_bytes()));
    if parser_name(&kind) != file_parser {
        return Err(format!(
            "content_type {:?} selects {}, not {file_parser}",
            case.content_type,
            parser_name(&kind)
        ));
    }
    let body = match (&case.body, &case.body_hex) {
        (Some(text), None) if case.crlf => text.replace('\n', "\r\n").into_bytes(),
        (Some(text), None) => text.clone().into_bytes(),
        (None, Some(hex)) if !case.crlf => decode_hex(hex)?,
        _ => return Err("give exactly one of body / body_hex (crlf only with body)".into()),
    };
    let defaults = BodyLimits::default();
    let limits = BodyLimits {
        max_value_bytes: case.max_value_bytes.unwrap_or(defaults.max_value_bytes),
        max_depth: case.max_depth.unwrap_or(defaults.max_depth),
    };

    let (reference, violations) = run(&kind, limits, &body, Split::Whole);
    if !violations.is_empty() {
        return Err(format!("whole body: {}", violations.join("; ")));
    }
    let mut splits = vec![Split::Bytes];
    splits.extend((0..=body.len()).map(Split::At));
    splits.extend(SEEDS.iter().map(|&s| Split::Random(s)));
    for split in splits {
        let (events, violations) = run(&kind, limits, &body, split);
        if !violations.is_empty() {
            return Err(format!("{split:?}: {}", violations.join("; ")));
        }
        if events != reference {
            return Err(format!(
                "{split:?} differs from the whole body:\n  whole: {reference:?}\n  split: {events:?}"
            ));
        }
    }

    let (values, issues) = render(&reference);
    let expected_values: Vec<String> = case
        .expect
        .iter()
        .map(|e| match e {
            Expected::Line(line) => line.clone(),
            Expected::Item {
                source,
                name,
                value,
            } if name.is_empty() && source == "body" => {
                format!("body={}", escape(value.as_bytes()))
            }
            Expected::Item {
                source,
                name,
                value,
            } => format!(
                "{source}:{}={}",
                escape(name.as_bytes()),
                escape(value.as_bytes())
            ),
        })
        .collect();
    let issues_ok = issues.len() == case.issues.len()
        && case
            .issues
            .iter()
            .zip(&issues)
            .all(|(e, a)| issue_matches(e, a));
    if values != expected_values || !issues_ok {
        return Err(format!(
            "\n  expected values: {expected_values:?}\n  actual values:   {values:?}\n  \
             expected issues: {:?}\n  actual issues:   {issues:?}\n  events: {reference:?}",
            case.issues
        ));
    }
    Ok(())
}

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/bodies")
}

/// Runs every case of `testdata/bodies/<parser>.toml`; returns how many ran.
fn run_file(parser: &str) -> usize {
    let path = vectors_dir().join(format!("{parser}.toml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file: VectorFile =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(file.parser, parser, "{}: wrong `parser`", path.display());
    let mut names = std::collections::HashSet::new();
    let mut failures = Vec::new();
    for case in &file.case {
        if !names.insert(case.name.as_str()) {
            failures.push(format!("duplicate case name {:?}", case.name));
        }
        if let Err(message) = check_case(parser, case) {
            failures.push(format!("case {:?}: {message}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{}: {} of {} cases failed:\n{}",
        path.display(),
        failures.len(),
        file.case.len(),
        failures.join("\n")
    );
    assert!(!file.case.is_empty(), "{}: no cases ran", path.display());
    eprintln!("{}: {} cases passed", path.display(), file.case.len());
    file.case.len()
}

const PARSERS: [&str; 5] = ["urlencoded", "multipart", "json", "xml", "raw"];

#[test]
fn urlencoded_vectors() {
    run_file("urlencoded");
}

#[test]
fn multipart_vectors() {
    run_file("multipart");
}

#[test]
fn json_vectors() {
    run_file("json");
}

#[test]
fn xml_vectors() {
    run_file("xml");
}

#[test]
fn raw_vectors() {
    run_file("raw");
}

/// Every vector file is run by one of the tests above: none is skipped silently.
#[test]
fn every_vector_file_has_a_runner() {
    let mut seen = 0;
    for entry in std::fs::read_dir(vectors_dir()).expect("testdata/bodies") {
        let path = entry.expect("dir entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            assert!(
                PARSERS.contains(&stem),
                "{} has no runner in body_vectors.rs",
                path.display()
            );
            seen += 1;
        }
    }
    assert_eq!(seen, PARSERS.len(), "a vector file is missing");
}

/// Query strings go through the urlencoded code path with query sources.
#[test]
fn query_strings_use_the_form_splitter() {
    let mut recorder = Recorder {
        events: Vec::new(),
        max_value_bytes: 8,
        violations: Vec::new(),
    };
    let limits = BodyLimits {
        max_value_bytes: 8,
        max_depth: 4,
    };
    parse_query(b"q=a+b%21&&flag&long=123456789", limits, &mut recorder);
    assert!(recorder.violations.is_empty(), "{:?}", recorder.violations);
    let (values, issues) = render(&recorder.events);
    assert_eq!(
        values,
        [
            "query_args_names:q=q",
            "query_args:q=a b!",
            "query_args_names:flag=flag",
            "query_args:flag=",
            "query_args_names:long=long",
            "query_args:long=12345678",
        ]
    );
    assert_eq!(issues, ["value_truncated:long"]);
}

/// Mutations of every vector body (bytes changed, inserted, removed, cut short), with
/// the case's limits and with tiny ones: chunking must still never change the outcome,
/// and no parser may panic or break the sink invariants.
#[test]
fn mutated_bodies_are_chunking_invariant() {
    let mut rng: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    const INTERESTING: &[u8] = b"\r\n-\"\\{}[]<>/&;=%+:,'!?u0aZ\xff";
    let mut runs = 0;
    for parser in PARSERS {
        let path = vectors_dir().join(format!("{parser}.toml"));
        let text = std::fs::read_to_string(&path).unwrap();
        let file: VectorFile = toml::from_str(&text).unwrap();
        for case in &file.case {
            let kind = BodyKind::from_content_type(Some(case.content_type.as_bytes()));
            let original = match (&case.body, &case.body_hex) {
                (Some(text), _) if case.crlf => text.replace('\n', "\r\n").into_bytes(),
                (Some(text), _) => text.clone().into_bytes(),
                (None, Some(hex)) => decode_hex(hex).unwrap(),
                (None, None) => Vec::new(),
            };
            let defaults = BodyLimits::default();
            let case_limits = BodyLimits {
                max_value_bytes: case.max_value_bytes.unwrap_or(defaults.max_value_bytes),
                max_depth: case.max_depth.unwrap_or(defaults.max_depth),
            };
            let tiny = BodyLimits {
                max_value_bytes: 3,
                max_depth: 2,
            };
            for round in 0..24 {
                let mut body = original.clone();
                for _ in 0..1 + next() % 3 {
                    let at = if body.is_empty() {
                        0
                    } else {
                        (next() % body.len() as u64) as usize
                    };
                    let byte = INTERESTING[(next() % INTERESTING.len() as u64) as usize];
                    match next() % 4 {
                        0 if !body.is_empty() => body[at] = byte,
                        1 => body.insert(at, byte),
                        2 if !body.is_empty() => {
                            body.remove(at);
                        }
                        _ => body.truncate(at),
                    }
                }
                let limits = if round % 2 == 0 { case_limits } else { tiny };
                let (reference, violations) = run(&kind, limits, &body, Split::Whole);
                assert!(
                    violations.is_empty(),
                    "{parser} {:?} {body:?}: {violations:?}",
                    case.name
                );
                for split in [Split::Bytes, Split::Random(next()), Split::Random(next())] {
                    let (events, violations) = run(&kind, limits, &body, split);
                    assert!(
                        violations.is_empty(),
                        "{parser} {:?} {body:?}: {violations:?}",
                        case.name
                    );
                    assert_eq!(
                        events,
                        reference,
                        "{parser} case {:?} mutated body {:?} split {split:?}",
                        case.name,
                        String::from_utf8_lossy(&body)
                    );
                }
                runs += 1;
            }
        }
    }
    assert!(runs > 0, "no mutated bodies ran");
}
