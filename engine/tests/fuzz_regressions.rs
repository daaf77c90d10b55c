//! Replays saved fuzz inputs: every file under `testdata/fuzz-regressions/<target>/`
//! goes through the same harness as the fuzz target `<target>` (the harnesses in
//! `fuzz/src/lib.rs` are included here verbatim), and must not panic.
//!
//! A directory that names no target fails the test, so a typo cannot skip files
//! silently. The runner counts the files it ran; zero is accepted only because
//! `testdata/fuzz-regressions/README.md` documents that the set starts empty.
//! How crashes become files: docs/fuzzing.md.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test harness

#[path = "../../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod harness;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn regressions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/fuzz-regressions")
}

/// The saved inputs of one target directory, sorted; README files are not inputs.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_file())
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !name.starts_with('.') && !name.eq_ignore_ascii_case("README.md")
        })
        .collect();
    files.sort();
    files
}

#[test]
fn fuzz_regressions_replay() {
    let root = regressions_dir();
    let readme = root.join("README.md");
    assert!(readme.is_file(), "{} is missing", readme.display());

    let mut ran = 0usize;
    let mut failures = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    entries.sort();
    for dir in entries {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let Some(target) = harness::TARGETS.iter().find(|t| t.name == name) else {
            let known: Vec<&str> = harness::TARGETS.iter().map(|t| t.name).collect();
            panic!(
                "{}: no fuzz target named {name:?} (known: {known:?})",
                dir.display()
            );
        };
        for file in inputs(&dir) {
            let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            ran += 1;
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| (target.run)(&data))) {
                let message = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "non-string panic".to_string());
                failures.push(format!("{}: {message}", file.display()));
            }
        }
    }
    eprintln!("fuzz regressions: {ran} file(s) replayed");
    assert!(
        failures.is_empty(),
        "{} of {ran} fuzz regression(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    if ran == 0 {
        // Allowed only because the README documents an empty set (checked above).
        let text = std::fs::read_to_string(&readme).expect("README.md readable");
        assert!(
            text.contains("empty"),
            "no fuzz regression files, and {} does not explain an empty set",
            readme.display()
        );
    }
}
