//! The go-ftw test format (ftw-tests-schema v2, as the CRS regression tests use
//! it) and loading it from a directory tree.
//!
//! Contract: every `*.yaml` / `*.yml` file under the directory is read; a file
//! that cannot be read or parsed becomes a [`LoadError`] naming the file (never a
//! panic), and the others still load. Unknown keys are ignored, as go-ftw does.
//! Scalars where go-ftw expects strings (`Content-Length: 22`) are taken as
//! strings. A file holding no YAML document (only comments) has no tests and is
//! not an error. Defaults follow go-ftw: a missing `rule_id` is the first run of
//! digits in the file name, a missing or zero `test_id` is the test's 1-based
//! position, `autocomplete_headers` defaults to true (or to `!stop_magic`).

use serde::de::{self, Deserializer};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One test file.
#[derive(Debug, Clone, PartialEq)]
pub struct TestFile {
    /// Path relative to the test directory, with `/` separators
    /// (`REQUEST-942-APPLICATION-ATTACK-SQLI/942100.yaml`).
    pub relative: String,
    pub rule_id: u64,
    pub tests: Vec<TestCase>,
}

/// One test: a rule id, a test id and its stages.
#[derive(Debug, Clone, PartialEq)]
pub struct TestCase {
    pub test_id: u64,
    pub stages: Vec<Stage>,
}

/// A file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub relative: String,
    pub message: String,
}

#[derive(Debug, Deserialize)]
struct RawFile {
    #[serde(default)]
    rule_id: Option<u64>,
    #[serde(default)]
    tests: Vec<RawTest>,
}

#[derive(Debug, Deserialize)]
struct RawTest {
    #[serde(default)]
    test_id: Option<u64>,
    #[serde(default)]
    stages: Vec<RawStage>,
}

/// A stage as written: schema v2 puts input/output directly in the list item;
/// schema v1 wrapped them in `stage:`.
#[derive(Debug, Deserialize)]
struct RawStage {
    #[serde(default)]
    stage: Option<Stage>,
    #[serde(default)]
    input: Input,
    #[serde(default)]
    output: Output,
}

/// One request and what is expected of it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Stage {
    #[serde(default)]
    pub input: Input,
    #[serde(default)]
    pub output: Output,
}

/// The request side of a stage. `protocol`, `dest_addr` and `port` only say where
/// go-ftw connects and are ignored here.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Input {
    #[serde(default, deserialize_with = "scalar_string")]
    pub method: Option<String>,
    #[serde(default, deserialize_with = "scalar_string")]
    pub uri: Option<String>,
    #[serde(default, deserialize_with = "scalar_string")]
    pub version: Option<String>,
    /// Header name → value; go-ftw writes them sorted by name.
    #[serde(default, deserialize_with = "header_map")]
    pub headers: Option<Vec<(String, String)>>,
    #[serde(default, deserialize_with = "scalar_string")]
    pub data: Option<String>,
    /// Base64 of the body (goes through the same path as `data`).
    #[serde(default)]
    pub encoded_data: Option<String>,
    /// Base64 of a whole raw request, sent byte for byte.
    #[serde(default)]
    pub encoded_request: Option<String>,
    #[serde(default)]
    pub autocomplete_headers: Option<bool>,
    /// Legacy inverse of `autocomplete_headers`.
    #[serde(default)]
    pub stop_magic: Option<bool>,
}

impl Input {
    /// Whether go-ftw completes the headers (Content-Type, Content-Length, Connection).
    pub fn autocomplete(&self) -> bool {
        match (self.autocomplete_headers, self.stop_magic) {
            (Some(a), _) => a,
            (None, Some(stop)) => !stop,
            (None, None) => true,
        }
    }
}

/// What the stage expects.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Output {
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub response_contains: Option<String>,
    #[serde(default)]
    pub log: Log,
    /// Legacy forms of `log.match_regex` / `log.no_match_regex`.
    #[serde(default)]
    pub log_contains: Option<String>,
    #[serde(default)]
    pub no_log_contains: Option<String>,
    #[serde(default)]
    pub expect_error: Option<bool>,
}

impl Output {
    /// The positive log regex, with the legacy key folded in as go-ftw does.
    pub fn match_regex(&self) -> Option<&str> {
        non_empty(self.log.match_regex.as_deref()).or_else(|| {
            if self.log.expect_ids.is_none() {
                non_empty(self.log_contains.as_deref())
            } else {
                None
            }
        })
    }

    /// The negative log regex, with the legacy key folded in as go-ftw does.
    pub fn no_match_regex(&self) -> Option<&str> {
        non_empty(self.log.no_match_regex.as_deref()).or_else(|| {
            if self.log.no_expect_ids.is_none() {
                non_empty(self.no_log_contains.as_deref())
            } else {
                None
            }
        })
    }
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

/// `log:` expectations.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Log {
    #[serde(default)]
    pub expect_ids: Option<Vec<u64>>,
    #[serde(default)]
    pub no_expect_ids: Option<Vec<u64>>,
    #[serde(default)]
    pub match_regex: Option<String>,
    #[serde(default)]
    pub no_match_regex: Option<String>,
}

/// `status: 403` (v2) or `status: [200, 403]` (v1).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Status {
    One(u16),
    Any(Vec<u16>),
}

impl Status {
    /// The accepted statuses.
    pub fn codes(&self) -> &[u16] {
        match self {
            Status::One(c) => std::slice::from_ref(c),
            Status::Any(v) => v,
        }
    }
}

/// A YAML scalar as text: strings as they are, numbers and booleans printed,
/// null as empty.
fn scalar_text(value: serde_yaml::Value) -> Result<String, String> {
    match value {
        serde_yaml::Value::String(s) => Ok(s),
        serde_yaml::Value::Number(n) => Ok(n.to_string()),
        serde_yaml::Value::Bool(b) => Ok(b.to_string()),
        serde_yaml::Value::Null => Ok(String::new()),
        serde_yaml::Value::Tagged(t) => scalar_text(t.value),
        other => Err(format!("expected a scalar, found {other:?}")),
    }
}

fn scalar_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value: Option<serde_yaml::Value> = Option::deserialize(d)?;
    match value {
        None | Some(serde_yaml::Value::Null) => Ok(None),
        Some(v) => scalar_text(v).map(Some).map_err(de::Error::custom),
    }
}

fn header_map<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<(String, String)>>, D::Error> {
    let value: Option<serde_yaml::Mapping> = Option::deserialize(d)?;
    let Some(map) = value else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(map.len());
    for (k, v) in map {
        let name = scalar_text(k).map_err(de::Error::custom)?;
        let value = scalar_text(v).map_err(de::Error::custom)?;
        out.push((name, value));
    }
    // go-ftw builds its header list from the map sorted by name (Go string order = bytes).
    out.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok(Some(out))
}

/// Parses one file's text. `relative` names the file in errors and supplies the
/// rule id when the file has none.
pub fn parse_file(relative: &str, text: &str) -> Result<TestFile, LoadError> {
    let fail = |message: String| LoadError {
        relative: relative.to_string(),
        message,
    };
    let has_document = text.lines().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#') && t != "---" && t != "..."
    });
    if !has_document {
        return Ok(TestFile {
            relative: relative.to_string(),
            rule_id: rule_id_from_name(relative).unwrap_or(0),
            tests: Vec::new(),
        });
    }
    let raw: RawFile = serde_yaml::from_str(text).map_err(|e| fail(e.to_string()))?;
    let rule_id = match raw.rule_id.filter(|&id| id > 0) {
        Some(id) => id,
        None => rule_id_from_name(relative)
            .ok_or_else(|| fail("no rule_id, and the file name holds no digits".into()))?,
    };
    let tests = raw
        .tests
        .into_iter()
        .enumerate()
        .map(|(i, t)| TestCase {
            test_id: t.test_id.filter(|&id| id > 0).unwrap_or(i as u64 + 1),
            stages: t
                .stages
                .into_iter()
                .map(|s| match s.stage {
                    Some(inner) => inner,
                    None => Stage {
                        input: s.input,
                        output: s.output,
                    },
                })
                .collect(),
        })
        .collect();
    Ok(TestFile {
        relative: relative.to_string(),
        rule_id,
        tests,
    })
}

fn rule_id_from_name(relative: &str) -> Option<u64> {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    let digits: String = name
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Every test file under `dir` (recursively, sorted by relative path).
pub fn discover(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The loaded corpus: files that parsed and files that did not.
#[derive(Debug, Default)]
pub struct Corpus {
    pub files: Vec<TestFile>,
    pub errors: Vec<LoadError>,
}

/// Loads every test file under `dir`. Fails only when `dir` itself cannot be listed.
pub fn load(dir: &Path) -> std::io::Result<Corpus> {
    let mut corpus = Corpus::default();
    for path in discover(dir)? {
        let relative = relative_name(dir, &path);
        match std::fs::read_to_string(&path) {
            Ok(text) => match parse_file(&relative, &text) {
                Ok(f) => corpus.files.push(f),
                Err(e) => corpus.errors.push(e),
            },
            Err(e) => corpus.errors.push(LoadError {
                relative,
                message: format!("cannot read: {e}"),
            }),
        }
    }
    Ok(corpus)
}

fn relative_name(dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_v2_stage_with_scalar_headers_and_defaults() {
        let text = r#"
meta: {author: x}
rule_id: 920460
tests:
  - desc: no id
    stages:
      - input:
          headers:
            Host: localhost
            Content-Length: 22
            Accept: "*/*"
          data: "a=b"
          autocomplete_headers: false
          port: 80
          unknown_key: [1, 2]
        output:
          log:
            expect_ids: [920460]
          status: 403
"#;
        let f = parse_file("REQUEST-920-X/920460.yaml", text).unwrap();
        assert_eq!(f.rule_id, 920460);
        assert_eq!(f.tests[0].test_id, 1);
        let input = &f.tests[0].stages[0].input;
        assert_eq!(
            input.headers.as_deref().unwrap(),
            &[
                ("Accept".to_string(), "*/*".to_string()),
                ("Content-Length".to_string(), "22".to_string()),
                ("Host".to_string(), "localhost".to_string()),
            ]
        );
        assert!(!input.autocomplete());
        let out = &f.tests[0].stages[0].output;
        assert_eq!(out.log.expect_ids.as_deref(), Some(&[920460][..]));
        assert_eq!(out.status.as_ref().map(Status::codes), Some(&[403][..]));
    }

    #[test]
    fn v1_stage_wrapper_and_status_list() {
        let text = "rule_id: 1\ntests:\n  - test_id: 4\n    stages:\n      - stage:\n          input: {uri: /x}\n          output: {status: [200, 404], log_contains: id \"1\"}\n";
        let f = parse_file("a.yaml", text).unwrap();
        let stage = &f.tests[0].stages[0];
        assert_eq!(stage.input.uri.as_deref(), Some("/x"));
        assert_eq!(stage.output.status, Some(Status::Any(vec![200, 404])));
        assert_eq!(stage.output.match_regex(), Some("id \"1\""));
    }

    #[test]
    fn comment_only_file_has_no_tests_and_bad_yaml_is_an_error() {
        let f = parse_file("R/920539.yaml", "# nothing here\n# ---\n").unwrap();
        assert_eq!((f.rule_id, f.tests.len()), (920539, 0));
        let e = parse_file("R/1.yaml", "rule_id: [unclosed\n").unwrap_err();
        assert_eq!(e.relative, "R/1.yaml");
        let e = parse_file("R/2.yaml", "rule_id: 2\ntests: 7\n").unwrap_err();
        assert!(!e.message.is_empty());
    }

    #[test]
    fn stop_magic_is_the_inverse_default() {
        let input = Input {
            stop_magic: Some(true),
            ..Input::default()
        };
        assert!(!input.autocomplete());
        assert!(Input::default().autocomplete());
    }
}
