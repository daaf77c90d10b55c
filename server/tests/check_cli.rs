//! `palisade check` end to end: the real binary on raw request files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(rel)
}

fn palisade(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_palisade"));
    cmd.args(args);
    match stdin {
        Some(bytes) => {
            use std::io::Write;
            cmd.stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = cmd.spawn().expect("spawn palisade");
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(bytes)
                .expect("write stdin");
            child.wait_with_output().expect("wait")
        }
        None => cmd.output().expect("run palisade"),
    }
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

fn categories(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["category"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn blocks_each_acceptance_attack_with_its_category() {
    let cases = [
        ("requests/attack/sqli-query.http", "sqli", "args:q"),
        ("requests/attack/xss-json.http", "xss", "json:post.body"),
        (
            "requests/attack/traversal-multipart-filename.http",
            "lfi",
            "files:upload",
        ),
        ("requests/attack/cmdi-cookie.http", "rce", "cookie:theme"),
    ];
    for (file, category, target) in cases {
        let path = testdata(file);
        let out = palisade(&["check", "--format", "json", path.to_str().unwrap()], None);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines = json_lines(&out);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["action"], "block", "{file}");
        assert_eq!(lines[0]["status"], 403);
        assert!(
            categories(&lines[0]).contains(&category.to_string()),
            "{file}: {}",
            lines[0]
        );
        assert_eq!(lines[0]["findings"][0]["target"], target, "{file}");
    }
}

#[test]
fn allows_realistic_benign_requests() {
    let dir = testdata("requests/benign");
    let out = palisade(&["check", "--format", "json", dir.to_str().unwrap()], None);
    let lines = json_lines(&out);
    assert!(
        lines.len() >= 3,
        "expected every benign file checked, got {}",
        lines.len()
    );
    for l in &lines {
        assert_eq!(l["action"], "allow", "{l}");
        assert_eq!(l["findings"].as_array().map(Vec::len), Some(0), "{l}");
    }
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn directory_with_attacks_exits_one_and_lists_every_file() {
    let dir = testdata("requests/attack");
    let out = palisade(&["check", "--format", "json", dir.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let count = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(json_lines(&out).len(), count);
}

#[test]
fn reads_stdin() {
    let req = b"GET /?q=%3Cscript%3Ealert(1)%3C/script%3E HTTP/1.1\r\nHost: x\r\n\r\n";
    let out = palisade(&["check", "--format", "json"], Some(req));
    assert_eq!(out.status.code(), Some(1));
    assert!(categories(&json_lines(&out)[0]).contains(&"xss".to_string()));
}

#[test]
fn malformed_request_exits_two_with_an_error() {
    let out = palisade(
        &["check", "--format", "json", "-"],
        Some(b"\x01\x02garbage\r\n\r\n"),
    );
    assert_eq!(out.status.code(), Some(2));
    let lines = json_lines(&out);
    assert!(
        lines[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("parsing")),
        "{}",
        lines[0]
    );
}

#[test]
fn text_format_is_human_readable() {
    let path = testdata("requests/attack/sqli-query.http");
    let out = palisade(&["check", "--format", "text", path.to_str().unwrap()], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("BLOCK 403"), "{text}");
    assert!(text.contains("16001"), "{text}");
}

#[test]
fn detect_mode_policy_allows_but_reports() {
    let dir = std::env::temp_dir().join(format!("palisade-detect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("detect.toml");
    std::fs::write(&policy, "[engine]\nmode = \"detect\"\n").unwrap();
    let path = testdata("requests/attack/sqli-query.http");
    let out = palisade(
        &[
            "check",
            "--format",
            "json",
            "--policy",
            policy.to_str().unwrap(),
            path.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let line = &json_lines(&out)[0];
    assert_eq!(line["action"], "allow");
    assert_eq!(line["reason"], "anomaly_score");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn invalid_policy_exits_64_naming_file_and_line() {
    let dir = std::env::temp_dir().join(format!("palisade-badpolicy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("bad.toml");
    std::fs::write(&policy, "[engine]\nmode = \"block\"\nparanoya = 2\n").unwrap();
    let out = palisade(&["policy", "check", policy.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(64));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml:3") && err.contains("paranoya"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn paranoia_flag_switches_on_stricter_rules() {
    // `alert(1)` alone is only caught by the paranoia-2 sink rule.
    let req = b"GET /?msg=alert(1) HTTP/1.1\r\nHost: x\r\n\r\n";
    let pl1 = palisade(&["check", "--format", "json"], Some(req));
    assert_eq!(pl1.status.code(), Some(0));
    let pl2 = palisade(&["check", "--format", "json", "--paranoia", "2"], Some(req));
    assert_eq!(json_lines(&pl2)[0]["findings"][0]["rule_id"], 17101);
}

#[test]
fn every_shipped_policy_is_valid() {
    let mut files = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules/default.toml")];
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules/examples");
    files.extend(
        std::fs::read_dir(examples)
            .unwrap()
            .map(|e| e.unwrap().path()),
    );
    assert!(files.len() >= 2);
    for f in files {
        let out = palisade(&["policy", "check", f.to_str().unwrap()], None);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            f.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
