//! The fuzz harnesses, one function per target, free of libFuzzer so the same code
//! replays saved crashes as a plain test (`engine/tests/fuzz_regressions.rs`
//! includes this file).
//!
//! Contract: a harness panics only when the engine breaks one of its documented
//! contracts — a panic inside the engine, a body parser whose values or issues
//! depend on how the body was chunked or exceed its limits, a transform that
//! lengthens its input or misreports whether it changed it, or a verdict that
//! depends on chunking. Every input, however malformed, is otherwise fine.
//!
//! Input layout: the first bytes are control bytes (limits, split seed, content
//! type, transform chain; see each target), the rest is the data under test. An
//! input shorter than its control bytes is padded with zeros, so no input is
//! rejected.

use palisade_engine::body::{BodyIssue, BodyKind, BodyLimits, ValueSink};
use palisade_engine::inspector::Settings;
use palisade_engine::request::RequestHead;
use palisade_engine::target::TargetSource;
use palisade_engine::transform::Transform;
use palisade_engine::verdict::Mode;
use palisade_engine::{defaults, Inspector, Verdict};
use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

/// A fuzz target: its name (the file in `fuzz/fuzz_targets/` and the directory in
/// `testdata/fuzz-regressions/`) and its harness.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
}

/// Every target, in the order `docs/fuzzing.md` lists them.
pub const TARGETS: [Target; 6] = [
    Target {
        name: "body_urlencoded",
        run: body_urlencoded,
    },
    Target {
        name: "body_multipart",
        run: body_multipart,
    },
    Target {
        name: "body_json",
        run: body_json,
    },
    Target {
        name: "body_xml",
        run: body_xml,
    },
    Target {
        name: "transform_chain",
        run: transform_chain,
    },
    Target {
        name: "verdict_chunking",
        run: verdict_chunking,
    },
];

/// Splits `data` into `N` control bytes (zero-padded) and the rest.
fn control<const N: usize>(data: &[u8]) -> ([u8; N], &[u8]) {
    let mut head = [0u8; N];
    let n = data.len().min(N);
    head[..n].copy_from_slice(&data[..n]);
    (head, &data[n..])
}

/// Chunk boundaries from a seed: chunks of 0 to 31 bytes (empty chunks included,
/// as a proxy may deliver them), from a xorshift sequence. Seed 0 gives 1-byte
/// chunks.
fn split(data: &[u8], seed: u8) -> Vec<&[u8]> {
    if seed == 0 {
        return data.chunks(1).collect();
    }
    let mut state = u64::from(seed).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut rest = data;
    let mut chunks = Vec::new();
    while !rest.is_empty() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let take = (state % 32) as usize;
        let (chunk, tail) = rest.split_at(take.min(rest.len()));
        chunks.push(chunk);
        rest = tail;
    }
    chunks
}

/// Parser limits from a control byte: small limits reach truncation and depth
/// paths that default limits never reach with fuzz-sized inputs.
fn limits(byte: u8) -> BodyLimits {
    const VALUE_BYTES: [usize; 4] = [1, 7, 64, 64 * 1024];
    const DEPTH: [usize; 4] = [1, 3, 16, 64];
    BodyLimits {
        max_value_bytes: VALUE_BYTES[usize::from(byte & 3)],
        max_depth: DEPTH[usize::from((byte >> 2) & 3)],
    }
}

/// What a parser reported, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    Value(TargetSource, String, Vec<u8>),
    Issue(BodyIssue),
}

#[derive(Default)]
struct Recorder(Vec<Event>);

impl ValueSink for Recorder {
    fn value(&mut self, source: TargetSource, name: &str, value: &[u8]) {
        self.0
            .push(Event::Value(source, name.to_string(), value.to_vec()));
    }

    fn issue(&mut self, issue: BodyIssue) {
        self.0.push(Event::Issue(issue));
    }
}

fn parse<'a>(
    kind: &BodyKind,
    limits: BodyLimits,
    chunks: impl IntoIterator<Item = &'a [u8]>,
) -> Vec<Event> {
    let mut parser = kind.parser(limits);
    let mut sink = Recorder::default();
    for chunk in chunks {
        parser.feed(chunk, &mut sink);
    }
    parser.finish(&mut sink);
    sink.0
}

/// Parses `body` whole, in 1-byte chunks and in seeded chunks; all three must
/// report the same events, within the limits, with nothing after a fatal issue.
fn body_differential(kind: &BodyKind, limits: BodyLimits, seed: u8, body: &[u8]) {
    let whole = parse(kind, limits, [body]);
    for (i, event) in whole.iter().enumerate() {
        match event {
            Event::Value(source, name, value) => assert!(
                value.len() <= limits.max_value_bytes,
                "{source:?} {name:?}: value of {} bytes over max_value_bytes {}",
                value.len(),
                limits.max_value_bytes
            ),
            Event::Issue(issue) if issue.is_fatal() => assert!(
                i + 1 == whole.len(),
                "events after fatal {issue:?}: {:?}",
                &whole[i + 1..]
            ),
            Event::Issue(_) => {}
        }
    }
    let bytewise = parse(kind, limits, body.chunks(1));
    assert_eq!(whole, bytewise, "whole vs 1-byte chunks differ");
    let seeded = parse(kind, limits, split(body, seed.max(1)));
    assert_eq!(whole, seeded, "whole vs chunks (seed {seed}) differ");
}

/// Control: limits, split seed.
pub fn body_urlencoded(data: &[u8]) {
    let ([lim, seed], body) = control(data);
    body_differential(&BodyKind::UrlEncoded, limits(lim), seed, body);
}

/// Control: limits, split seed, boundary length (1 to 16); then the boundary bytes.
pub fn body_multipart(data: &[u8]) {
    let ([lim, seed, len], rest) = control(data);
    let len = usize::from(len % 16) + 1;
    let (boundary, body) = rest.split_at(len.min(rest.len()));
    let boundary = if boundary.is_empty() { b"b" } else { boundary };
    let kind = BodyKind::Multipart {
        boundary: boundary.to_vec(),
    };
    body_differential(&kind, limits(lim), seed, body);
}

/// Control: limits, split seed.
pub fn body_json(data: &[u8]) {
    let ([lim, seed], body) = control(data);
    body_differential(&BodyKind::Json, limits(lim), seed, body);
}

/// Control: limits, split seed.
pub fn body_xml(data: &[u8]) {
    let ([lim, seed], body) = control(data);
    body_differential(&BodyKind::Xml, limits(lim), seed, body);
}

/// Longest chain the transform target builds.
const MAX_CHAIN: usize = 6;

/// Control: chain length (0 to 6), then one byte per transform (an index into
/// [`Transform::ALL`]). Every step must keep the transform contract: no output
/// longer than its input (each transform documents this, which is tighter than
/// the module's "small constant"), and `Borrowed` exactly when unchanged.
pub fn transform_chain(data: &[u8]) {
    let ([len], rest) = control(data);
    let len = usize::from(len) % (MAX_CHAIN + 1);
    let (picks, input) = rest.split_at(len.min(rest.len()));
    let mut current: Cow<'_, [u8]> = Cow::Borrowed(input);
    for &pick in picks {
        let transform = Transform::ALL[usize::from(pick) % Transform::ALL.len()];
        let before: &[u8] = &current;
        let after = transform.apply(before);
        match &after {
            Cow::Borrowed(out) => assert!(
                *out == before,
                "{transform}: borrowed output differs from the input"
            ),
            Cow::Owned(out) => assert!(
                out.as_slice() != before,
                "{transform}: owned output equals the input"
            ),
        }
        assert!(
            after.len() <= before.len(),
            "{transform}: {} bytes in, {} bytes out",
            before.len(),
            after.len()
        );
        current = Cow::Owned(after.into_owned());
    }
}

/// Content types the differential target picks from (control byte, low 3 bits).
const CONTENT_TYPES: [Option<&str>; 8] = [
    Some("application/x-www-form-urlencoded"),
    Some("multipart/form-data; boundary=XyZ"),
    Some("application/json"),
    Some("application/xml"),
    Some("text/plain"),
    None,
    Some("application/vnd.api+json; charset=utf-8"),
    Some("multipart/form-data; boundary=\"-\""),
];

/// The default rules with the default policy (block mode, early decisions) and
/// the same in detect mode (everything inspected to the end).
fn inspectors() -> &'static [Inspector; 2] {
    static INSPECTORS: OnceLock<[Inspector; 2]> = OnceLock::new();
    INSPECTORS.get_or_init(|| {
        let rules = Arc::new(defaults::compiled_rules().expect("embedded rules compile"));
        let policy = defaults::policy().expect("embedded policy parses");
        let block = Settings::from_policy(&policy);
        let detect = Settings {
            mode: Mode::Detect,
            ..block.clone()
        };
        [
            Inspector::with_settings(Arc::clone(&rules), block),
            Inspector::with_settings(rules, detect),
        ]
    })
}

fn chunked(inspector: &Inspector, head: &RequestHead, chunks: Vec<&[u8]>) -> Verdict {
    let mut tx = inspector.begin(head);
    for chunk in chunks {
        let _ = tx.feed_body(chunk);
    }
    tx.finish()
}

/// Control: content type (low 3 bits) and mode (bit 3: detect), split seed; the
/// rest is the body of a POST. The verdict for the whole body must equal the
/// verdicts for 1-byte chunks and for seeded chunks.
pub fn verdict_chunking(data: &[u8]) {
    let ([select, seed], body) = control(data);
    let inspector = &inspectors()[usize::from((select >> 3) & 1)];
    let mut head = RequestHead::new("POST", b"/fuzz/submit?source=fuzz")
        .with_header("Host", "fuzz.example")
        .with_header("Content-Length", body.len().to_string());
    if let Some(content_type) = CONTENT_TYPES[usize::from(select & 7)] {
        head = head.with_header("Content-Type", content_type);
    }
    let whole = inspector.inspect(&head, body);
    let bytewise = chunked(inspector, &head, body.chunks(1).collect());
    assert_eq!(whole, bytewise, "whole vs 1-byte chunks differ");
    let seeded = chunked(inspector, &head, split(body, seed.max(1)));
    assert_eq!(whole, seeded, "whole vs chunks (seed {seed}) differ");
}

/// Policy and signature loaders: any text parses or is rejected with errors
/// that name a file and line; a policy that loads also inspects a request.
pub fn policy_loader(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match palisade_engine::Policy::parse("fuzz.toml", &text) {
        Ok(policy) => {
            static RULES: std::sync::OnceLock<
                Option<std::sync::Arc<palisade_engine::CompiledRules>>,
            > = std::sync::OnceLock::new();
            let rules = RULES.get_or_init(|| {
                palisade_engine::defaults::compiled_rules()
                    .ok()
                    .map(std::sync::Arc::new)
            });
            if let Some(rules) = rules {
                let inspector = palisade_engine::Inspector::new(rules.clone(), &policy);
                let head = palisade_engine::RequestHead::new("GET", b"/admin?q=1")
                    .with_header("Host", "example.com");
                let _ = inspector.inspect(&head, b"");
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "rejected without a reason");
            for e in errors {
                assert!(e.line >= 1 && e.file == "fuzz.toml");
            }
        }
    }
    if let Err(errors) = palisade_engine::signature::parse_file("fuzz.toml", &text) {
        assert!(!errors.is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_accepts_empty_and_short_input() {
        for target in &TARGETS {
            (target.run)(b"");
            (target.run)(b"\x07");
            (target.run)(b"\x01\x02a=b&c=%41");
        }
    }

    #[test]
    fn split_covers_the_input() {
        let data: Vec<u8> = (0..=255).collect();
        for seed in 0..=255u8 {
            assert_eq!(split(&data, seed).concat(), data);
        }
    }
}
