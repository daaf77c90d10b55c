//! Embeds the default signature set (`signatures/*.toml`) and the default policy
//! (`rules/default.toml`) into the engine, so the binary runs with no files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    if std::env::var_os("CARGO_FEATURE_HYPERSCAN").is_some() {
        link_hyperscan();
    }
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.parent().map(Path::to_path_buf).unwrap_or_default();
    let sig_dir = root.join("signatures");
    let policy = root.join("rules").join("default.toml");
    println!("cargo:rerun-if-changed={}", sig_dir.display());
    println!("cargo:rerun-if-changed={}", policy.display());

    let mut files: Vec<PathBuf> = std::fs::read_dir(&sig_dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from("/// Embedded signature files: (path relative to the repository, contents).\npub static SIGNATURE_FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    (\"signatures/{name}\", include_str!({:?})),",
            f.display().to_string()
        );
    }
    out.push_str("];\n");
    let _ = writeln!(
        out,
        "/// The embedded default policy.\npub static DEFAULT_POLICY: &str = include_str!({:?});",
        policy.display().to_string()
    );
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("embedded.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
    }
}

/// With the `hyperscan` feature, links the system Hyperscan library: the
/// directories and names `pkg-config --libs libhs` gives, else plain `-lhs`.
fn link_hyperscan() {
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    let output = std::process::Command::new("pkg-config")
        .args(["--libs", "libhs"])
        .output();
    let flags = match output {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        _ => {
            println!(
                "cargo:warning=pkg-config found no libhs (install libhyperscan-dev); trying -lhs"
            );
            "-lhs".to_string()
        }
    };
    for flag in flags.split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={dir}");
        } else if let Some(lib) = flag.strip_prefix("-l") {
            println!("cargo:rustc-link-lib={lib}");
        }
    }
}
