//! The signature file format: TOML files of `[[signature]]` tables, parsed,
//! validated and turned into [`Signature`]s the matcher compiles.
//!
//! Validation rejects unknown keys, ids outside their category's range, duplicate
//! ids, unknown targets and transforms, and signatures without examples. Every
//! error names the file and line. Pattern compilation (where non-linear constructs
//! such as backreferences and look-around are refused) happens in the matcher,
//! whose errors carry the same [`Origin`].

use crate::detect::Detector;
use crate::rule::{Category, Paranoia, RuleId, Severity, TargetSelector};
use crate::transform::{Chain, Transform};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use toml::Spanned;

/// Where a signature was defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// How a signature matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    /// A regular expression in the linear-time, byte-oriented dialect.
    Regex(String),
    /// Literal phrases; any one matching is a match.
    Phrases(Vec<String>),
    /// A structural detector (tokenizer).
    Detector(Detector),
}

/// OWASP Top 10 (2021) categories a signature maps to.
pub const OWASP_2021: [&str; 10] = [
    "A01:2021", "A02:2021", "A03:2021", "A04:2021", "A05:2021", "A06:2021", "A07:2021", "A08:2021",
    "A09:2021", "A10:2021",
];

/// A validated signature, ready to compile.
#[derive(Debug, Clone)]
pub struct Signature {
    pub id: RuleId,
    pub name: String,
    pub category: Category,
    pub severity: Severity,
    pub paranoia: Paranoia,
    pub owasp: String,
    pub targets: Vec<TargetSelector>,
    pub chain: Chain,
    pub pattern: Pattern,
    pub case_sensitive: bool,
    pub tags: Vec<String>,
    /// Values that must match (after the chain).
    pub examples: Vec<Vec<u8>>,
    /// Values that must not match.
    pub near_misses: Vec<Vec<u8>>,
    pub origin: Origin,
}

/// A problem found while loading signature files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("{file}:{line}: {message}")]
    Syntax {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{origin}: signature {id}: {message}")]
    Invalid {
        origin: Origin,
        id: u32,
        message: String,
    },
    #[error("{origin}: signature {id}: duplicate id, first defined at {first}")]
    Duplicate {
        origin: Origin,
        id: u32,
        first: Origin,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    signature: Vec<Spanned<RawSignature>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignature {
    id: u32,
    name: String,
    category: Category,
    severity: Severity,
    #[serde(default)]
    paranoia: Paranoia,
    owasp: String,
    targets: Vec<String>,
    #[serde(default)]
    transforms: Vec<Transform>,
    #[serde(default)]
    regex: Option<String>,
    #[serde(default)]
    phrases: Option<Vec<String>>,
    #[serde(default)]
    detector: Option<Detector>,
    #[serde(default)]
    case_sensitive: bool,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    near_misses: Vec<String>,
    /// Examples as hex, for values that are not UTF-8.
    #[serde(default)]
    examples_hex: Vec<String>,
    #[serde(default)]
    near_misses_hex: Vec<String>,
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(s, 16).ok()
        })
        .collect()
}

/// The 1-based line of a byte offset in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Parses one signature file. `file` is the name used in errors.
pub fn parse_file(file: &str, text: &str) -> Result<Vec<Signature>, Vec<SignatureError>> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        vec![SignatureError::Syntax {
            file: file.to_string(),
            line: e.span().map(|s| line_of(text, s.start)).unwrap_or(1),
            message: e.message().to_string(),
        }]
    })?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for spanned in raw.signature {
        let origin = Origin {
            file: file.to_string(),
            line: line_of(text, spanned.span().start),
        };
        match validate(spanned.into_inner(), origin) {
            Ok(sig) => out.push(sig),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn validate(raw: RawSignature, origin: Origin) -> Result<Signature, SignatureError> {
    let invalid = |message: String| SignatureError::Invalid {
        origin: origin.clone(),
        id: raw.id,
        message,
    };
    let (low, high) = raw.category.id_range();
    if raw.category == Category::Custom || !(low..=high).contains(&raw.id) {
        return Err(invalid(format!(
            "id must be in {low}..={high} for category `{}`",
            raw.category
        )));
    }
    if raw.name.trim().is_empty() {
        return Err(invalid("name is empty".into()));
    }
    if !OWASP_2021.contains(&raw.owasp.as_str()) {
        return Err(invalid(format!(
            "owasp must be one of {} (got `{}`)",
            OWASP_2021.join(", "),
            raw.owasp
        )));
    }
    if raw.targets.is_empty() {
        return Err(invalid("targets is empty".into()));
    }
    let mut targets = Vec::with_capacity(raw.targets.len());
    for t in &raw.targets {
        targets.push(TargetSelector::parse(t).map_err(&invalid)?);
    }
    let pattern = match (raw.regex, raw.phrases, raw.detector) {
        (Some(r), None, None) if !r.is_empty() => Pattern::Regex(r),
        (None, Some(p), None) if !p.is_empty() && p.iter().all(|s| !s.is_empty()) => {
            Pattern::Phrases(p)
        }
        (None, None, Some(d)) => Pattern::Detector(d),
        _ => {
            return Err(invalid(
                "exactly one of `regex` (non-empty), `phrases` (non-empty strings) or `detector` is required"
                    .into(),
            ))
        }
    };
    let mut examples: Vec<Vec<u8>> = raw.examples.iter().map(|e| e.as_bytes().to_vec()).collect();
    let mut near_misses: Vec<Vec<u8>> = raw
        .near_misses
        .iter()
        .map(|e| e.as_bytes().to_vec())
        .collect();
    for (hex, into) in [
        (&raw.examples_hex, &mut examples),
        (&raw.near_misses_hex, &mut near_misses),
    ] {
        for h in hex {
            into.push(decode_hex(h).ok_or_else(|| invalid(format!("invalid hex example `{h}`")))?);
        }
    }
    if examples.is_empty() {
        return Err(invalid(
            "at least one example that must match is required".into(),
        ));
    }
    if near_misses.is_empty() {
        return Err(invalid(
            "at least one near_miss that must not match is required".into(),
        ));
    }
    Ok(Signature {
        id: RuleId(raw.id),
        name: raw.name,
        category: raw.category,
        severity: raw.severity,
        paranoia: raw.paranoia,
        owasp: raw.owasp,
        targets,
        chain: Chain(raw.transforms),
        pattern,
        case_sensitive: raw.case_sensitive,
        tags: raw.tags,
        examples,
        near_misses,
        origin,
    })
}

/// Parses several files (name, text) into one set, rejecting duplicate ids across files.
/// Returns every error found, not just the first.
pub fn parse_set<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<Signature>, Vec<SignatureError>> {
    let mut all = Vec::new();
    let mut errors = Vec::new();
    for (file, text) in files {
        match parse_file(file, text) {
            Ok(sigs) => all.extend(sigs),
            Err(e) => errors.extend(e),
        }
    }
    let mut seen: BTreeMap<u32, Origin> = BTreeMap::new();
    for sig in &all {
        if let Some(first) = seen.get(&sig.id.0) {
            errors.push(SignatureError::Duplicate {
                origin: sig.origin.clone(),
                id: sig.id.0,
                first: first.clone(),
            });
        } else {
            seen.insert(sig.id.0, sig.origin.clone());
        }
    }
    if errors.is_empty() {
        Ok(all)
    } else {
        Err(errors)
    }
}
