//! Helpers shared by the engine's integration tests.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use palisade_engine::defaults;

/// The signatures under test: the embedded set, or the `*.toml` files in the
/// directory named by `PALISADE_SIGNATURES` (for iterating on signatures
/// without rebuilding).
pub fn signatures_under_test() -> Vec<palisade_engine::signature::Signature> {
    match std::env::var_os("PALISADE_SIGNATURES") {
        None => defaults::signatures().expect("embedded signatures load"),
        Some(dir) => {
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .expect("PALISADE_SIGNATURES directory")
                .map(|e| e.expect("entry").path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            files.sort();
            let texts: Vec<(String, String)> = files
                .iter()
                .map(|f| {
                    (
                        f.display().to_string(),
                        std::fs::read_to_string(f).expect("read"),
                    )
                })
                .collect();
            palisade_engine::signature::parse_set(
                texts.iter().map(|(n, t)| (n.as_str(), t.as_str())),
            )
            .unwrap_or_else(|e| panic!("{e:?}"))
        }
    }
}
