//! Runs every request vector in `testdata/vectors/*.toml` (format:
//! `testdata/vectors/README.md`, parsed by `palisade_engine::vectors`) against the
//! embedded signatures and the default policy (or the file's policy), each case
//! whole, in 1-byte chunks and in pseudo-random chunks; the verdicts must be
//! identical and meet the case's expectations. Counts cases and fails on zero.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use palisade_engine::inspector::Settings;
use palisade_engine::rule::Paranoia;
use palisade_engine::vectors::VectorFile;
use palisade_engine::{defaults, Inspector, Policy};
use std::path::PathBuf;
use std::sync::Arc;

#[test]
fn request_vectors() {
    let rules = Arc::new(defaults::compiled_rules().expect("embedded rules"));
    let default_policy = defaults::policy().expect("embedded policy");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = root.join("testdata/vectors");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("testdata/vectors")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut total = 0;
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read vector file");
        let file: VectorFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!file.cases.is_empty(), "{} has no cases", path.display());
        for case in &file.cases {
            total += 1;
            // A fresh inspector (and fresh rate-limit state) for each way of feeding.
            let make_inspector = || {
                let policy = match &file.policy {
                    Some(rel) => {
                        let text = std::fs::read_to_string(root.join(rel)).expect("policy file");
                        Policy::parse(rel, &text).unwrap_or_else(|e| panic!("{rel}: {e:?}"))
                    }
                    None => default_policy.clone(),
                };
                match case.paranoia {
                    Some(p) => {
                        let mut settings = Settings::from_policy(&policy);
                        settings.paranoia = Paranoia::new(p).expect("paranoia 1-4");
                        Inspector::with_settings(Arc::clone(&rules), settings)
                    }
                    None => Inspector::new(Arc::clone(&rules), &policy),
                }
            };
            let (head, body) = case.request().expect("valid case");
            let whole = case.run(&make_inspector(), &head, &body, &mut || usize::MAX);
            let one = case.run(&make_inspector(), &head, &body, &mut || 1);
            let mut seed = 0x9e3779b97f4a7c15u64 ^ total as u64;
            let random = case.run(&make_inspector(), &head, &body, &mut || {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed % 23) as usize + 1
            });
            let label = format!(
                "{} / {}",
                path.file_name().unwrap_or_default().to_string_lossy(),
                case.name
            );
            if whole != one || whole != random {
                failures.push(format!(
                    "{label}: chunking changed the verdict:\n whole {whole:?}\n 1-byte {one:?}\n random {random:?}"
                ));
                continue;
            }
            failures.extend(
                case.judge(&whole)
                    .into_iter()
                    .map(|p| format!("{label}: {p}")),
            );
        }
    }
    assert!(total > 0, "no request vectors found in {}", dir.display());
    assert!(
        failures.is_empty(),
        "{} problems in {total} cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{total} request vectors passed, each whole, 1-byte and random-chunked");
}
