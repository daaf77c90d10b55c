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

/// Decodes a corpus line the way a form value is decoded: `%XX` escapes and
/// `+` as space; a malformed escape stays as it is.
pub fn form_decode(line: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(line.len());
    let mut i = 0;
    while let Some(&b) = line.get(i) {
        let escaped = match (b, line.get(i + 1), line.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) => hex(h).zip(hex(l)).map(|(h, l)| (h * 16 + l) as u8),
            _ => None,
        };
        match (b, escaped) {
            (_, Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (other, None) => {
                out.push(other);
                i += 1;
            }
        }
    }
    out
}
