//! `palisade policy check | test | explain` end to end.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn repo(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

fn palisade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .output()
        .expect("run palisade")
}

/// A file in a directory of its own, removed with the directory when dropped.
struct TempFile {
    dir: std::path::PathBuf,
    path: String,
}

impl std::ops::Deref for TempFile {
    type Target = str;
    fn deref(&self) -> &str {
        &self.path
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn temp_file(name: &str, text: &str) -> TempFile {
    let dir =
        std::env::temp_dir().join(format!("palisade-policy-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    TempFile {
        path: path.to_string_lossy().into_owned(),
        dir,
    }
}

#[test]
fn policy_test_passes_the_tuning_vectors() {
    let out = palisade(&[
        "policy",
        "test",
        &repo("testdata/policy/tuning.toml"),
        &repo("testdata/vectors/policy.toml"),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("15 passed, 0 failed"), "{stdout}");
}

#[test]
fn policy_test_fails_when_a_vector_fails() {
    // The default policy has no exclusion for the search box.
    let out = palisade(&[
        "policy",
        "test",
        &repo("rules/default.toml"),
        &repo("testdata/vectors/policy.toml"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("FAIL"));
}

#[test]
fn policy_check_reports_every_problem_with_lines() {
    let bad = temp_file(
        "bad.toml",
        "[engine]\nparanoia = 2\n\n[[exclusions]]\ntargets = [\"args:q\"]\n\n[[rules]]\nid = 5\nname = \"x\"\naction = \"block\"\n\n[[rules]]\nid = 90010\nname = \"y\"\naction = \"rate_limit\"\nrate_limit = \"missing\"\n",
    );
    let out = palisade(&["policy", "check", &bad]);
    assert_eq!(out.status.code(), Some(64));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml:4") && err.contains("exclusions[0]"),
        "{err}"
    );
    assert!(
        err.contains("bad.toml:7") && err.contains("90000..=99999"),
        "{err}"
    );
    assert!(
        err.contains("bad.toml:12") && err.contains("not defined"),
        "{err}"
    );
}

#[test]
fn policy_explain_names_route_exclusion_and_rules() {
    let req = temp_file(
        "search.http",
        "GET /search?q=union+select+committee+from+the+house HTTP/1.1\r\nHost: shop.example\r\n\r\n",
    );
    let out = palisade(&[
        "policy",
        "explain",
        "--peer",
        "203.0.113.9:4000",
        &repo("testdata/policy/tuning.toml"),
        &req,
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("exclusions[0] in scope"), "{text}");
    assert!(text.contains("excluded   16001"), "{text}");
    assert!(text.contains("custom rule  90001"), "{text}");
    assert!(text.contains("verdict      ALLOW"), "{text}");
}
