//! `palisade replay` on every recorded capture in `testdata/replay/`:
//! request count, each request's paired response status and verdict, and the
//! notices, all as listed in `testdata/replay/expected-verdicts.toml`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde::Deserialize;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

#[derive(Deserialize)]
struct Expected {
    requests: Vec<ExpectedRequest>,
    capture: Vec<Capture>,
}

#[derive(Deserialize)]
struct ExpectedRequest {
    method: String,
    uri: String,
    status: u64,
    action: String,
    category: Option<String>,
}

#[derive(Deserialize)]
struct Capture {
    file: String,
    requests: usize,
    #[serde(default)]
    notices: Vec<String>,
    #[serde(default)]
    incomplete: Vec<String>,
    #[serde(default)]
    allowed: Vec<String>,
    #[serde(default)]
    exit: i32,
}

fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/replay")
        .join(rel)
}

#[test]
fn every_recorded_capture_gives_the_expected_requests_statuses_and_verdicts() {
    let text = std::fs::read_to_string(testdata("expected-verdicts.toml")).unwrap();
    let expected: Expected = toml::from_str(&text).unwrap();
    assert!(expected.capture.len() >= 7);
    for capture in &expected.capture {
        let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
            .args(["replay", "--format", "jsonl"])
            .arg(testdata(&capture.file))
            .output()
            .unwrap();
        let file = &capture.file;
        assert_eq!(
            out.status.code(),
            Some(capture.exit),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines: Vec<Value> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let requests: Vec<&Value> = lines.iter().filter(|v| v.get("method").is_some()).collect();
        let notices: Vec<&str> = lines
            .iter()
            .filter_map(|v| v.get("notice").and_then(Value::as_str))
            .collect();
        assert_eq!(requests.len(), capture.requests, "{file}: request count");
        for want in &capture.notices {
            assert!(
                notices.contains(&want.as_str()),
                "{file}: no {want} notice in {notices:?}"
            );
        }
        if capture.notices.is_empty() {
            assert!(notices.is_empty(), "{file}: unexpected notices {notices:?}");
        }
        for (got, want) in requests.iter().zip(&expected.requests) {
            let uri = got["uri"].as_str().unwrap();
            assert_eq!(
                got["method"].as_str(),
                Some(want.method.as_str()),
                "{file} {uri}"
            );
            assert_eq!(uri, want.uri, "{file}: request order");
            assert_eq!(
                got["response_status"].as_u64(),
                Some(want.status),
                "{file} {uri}: paired status"
            );
            let incomplete = got["incomplete"].as_bool().unwrap_or(false);
            assert_eq!(
                incomplete,
                capture.incomplete.contains(&want.uri),
                "{file} {uri}: incomplete"
            );
            let action = if capture.allowed.contains(&want.uri) {
                "allow"
            } else {
                want.action.as_str()
            };
            assert_eq!(
                got["action"].as_str(),
                Some(action),
                "{file} {uri}: verdict"
            );
            if let (Some(category), "block") = (&want.category, action) {
                let categories: Vec<&str> = got["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|f| f["category"].as_str())
                    .collect();
                assert!(
                    categories.contains(&category.as_str()),
                    "{file} {uri}: {categories:?}"
                );
            }
        }
    }
}
