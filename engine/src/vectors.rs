//! Request vectors: TOML files of requests with the verdicts they must get.
//! Used by the engine's own tests and by `palisade policy test`, so the format
//! operators write for their CI is the one the project tests itself with.
//! The format is documented in `testdata/vectors/README.md`.

use crate::inspector::Inspector;
use crate::request::RequestHead;
use crate::verdict::Verdict;
use serde::Deserialize;

/// A vector file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorFile {
    /// A policy file (relative to the repository root or the vector file) to use instead of the default.
    #[serde(default)]
    pub policy: Option<String>,
    #[serde(rename = "case")]
    pub cases: Vec<Case>,
}

/// The outcome a case expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    Block,
    Allow,
}

/// One request and what it must get.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    #[serde(default = "get")]
    pub method: String,
    pub uri: String,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub body_hex: Option<String>,
    /// Paranoia override (1-4) for this case.
    #[serde(default)]
    pub paranoia: Option<u8>,
    /// The peer address the request comes from (`ip:port`).
    #[serde(default)]
    pub peer: Option<String>,
    /// Send the request this many times; the last verdict is judged.
    #[serde(default)]
    pub repeat: Option<u32>,
    pub expect: Expect,
    #[serde(default)]
    pub fires: Vec<u32>,
    #[serde(default)]
    pub not_fires: Vec<u32>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub retry_after: Option<bool>,
    #[serde(default)]
    pub bypass: Option<bool>,
    #[serde(default)]
    pub route: Option<String>,
}

fn get() -> String {
    "GET".into()
}

/// A case that cannot be turned into a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("case `{0}`: body and body_hex are both set")]
    TwoBodies(String),
    #[error("case `{0}`: body_hex is not hexadecimal")]
    Hex(String),
    #[error("case `{0}`: peer `{1}` is not an ip:port address")]
    Peer(String, String),
    #[error("case `{0}`: paranoia must be 1 to 4")]
    Paranoia(String),
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
        .collect()
}

impl Case {
    /// The request head and body this case describes.
    pub fn request(&self) -> Result<(RequestHead, Vec<u8>), CaseError> {
        let mut head = RequestHead::new(&self.method, self.uri.as_bytes());
        for (n, v) in &self.headers {
            head = head.with_header(n, v);
        }
        if let Some(p) = &self.peer {
            head.peer = Some(
                p.parse()
                    .map_err(|_| CaseError::Peer(self.name.clone(), p.clone()))?,
            );
        }
        let body = match (&self.body, &self.body_hex) {
            (Some(b), None) => b.as_bytes().to_vec(),
            (None, Some(h)) => decode_hex(h).ok_or_else(|| CaseError::Hex(self.name.clone()))?,
            (None, None) => Vec::new(),
            _ => return Err(CaseError::TwoBodies(self.name.clone())),
        };
        if self.paranoia.is_some_and(|p| !(1..=4).contains(&p)) {
            return Err(CaseError::Paranoia(self.name.clone()));
        }
        Ok((head, body))
    }

    /// Runs the case on an inspector (repeating it as asked), feeding the body
    /// in chunks whose sizes `sizes` gives.
    pub fn run(
        &self,
        inspector: &Inspector,
        head: &RequestHead,
        body: &[u8],
        sizes: &mut dyn FnMut() -> usize,
    ) -> Verdict {
        for _ in 1..self.repeat.unwrap_or(1).max(1) {
            let _ = inspector.inspect(head, body);
        }
        let mut tx = inspector.begin(head);
        let mut rest = body;
        while !rest.is_empty() {
            let n = sizes().clamp(1, rest.len());
            let (chunk, tail) = rest.split_at(n);
            let _ = tx.feed_body(chunk);
            rest = tail;
        }
        tx.finish()
    }

    /// Everything about the verdict that does not meet the case's expectations.
    pub fn judge(&self, verdict: &Verdict) -> Vec<String> {
        let mut problems = Vec::new();
        match (self.expect, verdict.is_block()) {
            (Expect::Block, false) => {
                problems.push(format!("expected block, got {}", verdict.summary()))
            }
            (Expect::Allow, true) => problems.push(format!(
                "expected allow, got {} (fired {:?})",
                verdict.summary(),
                verdict
                    .findings
                    .iter()
                    .map(|f| f.rule_id.0)
                    .collect::<Vec<_>>()
            )),
            _ => {}
        }
        let fired: Vec<u32> = verdict.findings.iter().map(|f| f.rule_id.0).collect();
        for id in &self.fires {
            if !fired.contains(id) {
                problems.push(format!("rule {id} did not fire (fired {fired:?})"));
            }
        }
        for id in &self.not_fires {
            if fired.contains(id) {
                problems.push(format!("rule {id} fired"));
            }
        }
        for cat in &self.categories {
            if !verdict.findings.iter().any(|f| f.category.name() == cat) {
                problems.push(format!("no {cat} finding (fired {fired:?})"));
            }
        }
        if let Some(status) = self.status {
            if verdict.status != status {
                problems.push(format!("expected status {status}, got {}", verdict.status));
            }
        }
        if let Some(want) = self.retry_after {
            if verdict.retry_after_seconds.is_some() != want {
                problems.push(format!("retry_after is {:?}", verdict.retry_after_seconds));
            }
        }
        if let Some(want) = self.bypass {
            if verdict.bypass.is_some() != want {
                problems.push(format!("bypass is {:?}", verdict.bypass));
            }
        }
        if let Some(route) = &self.route {
            if verdict.route.as_ref() != Some(route) {
                problems.push(format!("route is {:?}, expected {route}", verdict.route));
            }
        }
        problems
    }
}
