//! `palisade ftw DIR --show RULE:TEST`: one test laid open for checking the
//! harness by hand — the exact bytes go-ftw would send, the values the engine's
//! parsers extract from query and body, the findings, and the judgement.

use super::judge::{self, Observed};
use super::{model, observe, request, Levels, Options};
use crate::rawhttp;
use anyhow::{anyhow, bail, Context, Result};
use palisade_engine::body::{BodyIssue, BodyKind, ValueSink};
use palisade_engine::rule::Paranoia;
use palisade_engine::target::{TargetLabel, TargetSource};
use palisade_engine::Inspector;
use std::io::Write;

/// Parses `RULE:TEST` (`942100:1`).
pub fn parse_selector(text: &str) -> Result<(u64, u64)> {
    let (rule, test) = text
        .split_once(':')
        .ok_or_else(|| anyhow!("--show takes RULE:TEST, e.g. 942100:1"))?;
    Ok((
        rule.trim().parse().context("rule id in --show")?,
        test.trim().parse().context("test id in --show")?,
    ))
}

/// Collects what a body parser extracts.
#[derive(Default)]
struct Values(Vec<String>);

impl ValueSink for Values {
    fn value(&mut self, source: TargetSource, name: &str, value: &[u8]) {
        let label = TargetLabel { source, name };
        self.0.push(format!("{label} = \"{}\"", escape(value)));
    }

    fn issue(&mut self, issue: BodyIssue) {
        self.0.push(format!("issue: {issue:?}"));
    }
}

fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

/// Prints one test, every stage.
pub fn show(
    inspector: &Inspector,
    options: &Options,
    rule: u64,
    test_id: u64,
    out: &mut impl Write,
) -> Result<()> {
    let corpus = model::load(&options.dir)
        .with_context(|| format!("reading test directory {}", options.dir.display()))?;
    let Some((file, test)) = corpus.files.iter().find_map(|f| {
        (f.rule_id == rule)
            .then(|| {
                f.tests
                    .iter()
                    .find(|t| t.test_id == test_id)
                    .map(|t| (f, t))
            })
            .flatten()
    }) else {
        bail!("no test {rule}:{test_id} under {}", options.dir.display());
    };
    let prefix = judge::file_prefix(&file.relative, file.rule_id);
    let index = super::load_index(options)?;
    let paranoia = match judge::group(prefix) {
        judge::Group::Benign => Paranoia::MIN,
        _ => options
            .paranoia
            .or_else(|| {
                index
                    .as_ref()
                    .and_then(|i| i.level(&file.relative, rule, test_id))
            })
            .unwrap_or(Paranoia::MIN),
    };
    let levels = Levels::new(inspector);
    let siblings = super::siblings_for(options, &corpus, index.as_ref())?;
    writeln!(
        out,
        "{} test {test_id} (prefix {prefix}, paranoia {})",
        file.relative,
        paranoia.get()
    )?;
    for (n, stage) in test.stages.iter().enumerate() {
        writeln!(out, "--- stage {}", n + 1)?;
        let mut expectation = judge::expectation(prefix, file.rule_id, &stage.output);
        let raw = match request::build(&stage.input) {
            Ok(raw) => raw,
            Err(e) => {
                writeln!(out, "expectation: {:?}", expectation)?;
                writeln!(out, "cannot build the request: {e}")?;
                continue;
            }
        };
        if let Err(e) = siblings.apply(rule, test_id, paranoia, &raw, &mut expectation) {
            writeln!(out, "sibling claim error: {e}")?;
        }
        writeln!(out, "expectation: {:?}", expectation)?;
        writeln!(out, "request ({} bytes):", raw.len())?;
        for line in raw.split_inclusive(|&b| b == b'\n') {
            writeln!(out, "  {}", escape(line))?;
        }
        match rawhttp::parse(&raw) {
            Ok(parsed) => {
                let mut values = Values::default();
                let limits = inspector.settings().limits.body_limits();
                if let Some(query) = parsed.head.query() {
                    let mut p = BodyKind::UrlEncoded.parser(limits);
                    p.feed(query, &mut values);
                    p.finish(&mut values);
                }
                let kind = BodyKind::from_content_type(parsed.head.header("content-type"));
                let mut p = kind.parser(limits);
                p.feed(&parsed.body, &mut values);
                p.finish(&mut values);
                writeln!(
                    out,
                    "values (query parsed as urlencoded, body as {kind:?}):"
                )?;
                for v in &values.0 {
                    writeln!(out, "  {v}")?;
                }
            }
            Err(e) => writeln!(out, "rawhttp rejects it: {e}")?,
        }
        let (observed, differs) =
            observe(levels.get(paranoia), &raw, options.chunk_bytes).map_err(|e| anyhow!(e))?;
        if differs {
            writeln!(
                out,
                "WARNING: one-shot inspection finds something else than chunked"
            )?;
        }
        if let Observed::Inspected(findings) = &observed {
            writeln!(out, "findings:")?;
            for f in findings {
                writeln!(
                    out,
                    "  {} {} {} [{}] \"{}\"",
                    f.rule_id, f.category, f.target, f.transforms, f.excerpt
                )?;
            }
        }
        let unjudged = matches!(
            expectation.kind,
            judge::Kind::Unjudged | judge::Kind::NotJudged
        );
        match (unjudged, judge::judge(&expectation, &observed)) {
            (true, _) => writeln!(
                out,
                "judgement: not judged: {}",
                expectation.note.as_deref().unwrap_or("no expectation")
            )?,
            (false, Ok(())) => writeln!(out, "judgement: pass")?,
            (false, Err(reason)) => writeln!(out, "judgement: FAIL: {reason}")?,
        }
    }
    Ok(())
}
