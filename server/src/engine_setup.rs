//! Building an [`Inspector`] from the embedded defaults or from files given on
//! the command line: signatures (a directory of TOML files) and a policy file.

use anyhow::{anyhow, Context, Result};
use palisade_engine::matcher::CompiledRules;
use palisade_engine::signature::{parse_set, Signature};
use palisade_engine::{defaults, Inspector, Policy};
use std::path::Path;
use std::sync::Arc;

/// Loads signatures from `dir` (every `*.toml`, sorted), or the embedded set.
pub fn load_signatures(dir: Option<&Path>) -> Result<Vec<Signature>> {
    let Some(dir) = dir else {
        return defaults::signatures().map_err(|e| anyhow!("{e}"));
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading signature directory {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut texts = Vec::with_capacity(files.len());
    for f in &files {
        let text =
            std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        texts.push((f.display().to_string(), text));
    }
    parse_set(texts.iter().map(|(n, t)| (n.as_str(), t.as_str()))).map_err(|errs| {
        anyhow!(
            "invalid signatures:\n{}",
            errs.iter()
                .map(|e| format!("  {e}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

/// Loads a policy file, or the embedded default policy.
pub fn load_policy(path: Option<&Path>) -> Result<Policy> {
    let Some(path) = path else {
        return defaults::policy().map_err(|e| anyhow!("{e}"));
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading policy {}", path.display()))?;
    Policy::parse(&path.display().to_string(), &text).map_err(|errs| {
        anyhow!(
            "invalid policy:\n{}",
            errs.iter()
                .map(|e| format!("  {e}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

/// Loads and compiles everything an inspector needs.
pub fn build_inspector(signatures: Option<&Path>, policy: Option<&Path>) -> Result<Inspector> {
    let sigs = load_signatures(signatures)?;
    let rules = CompiledRules::compile(&sigs).map_err(|e| anyhow!("{e}"))?;
    let policy = load_policy(policy)?;
    Ok(Inspector::new(Arc::new(rules), &policy))
}
