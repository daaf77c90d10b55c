//! `palisade check`: inspect raw HTTP/1.1 requests from files, directories or
//! stdin and print each verdict (JSON lines, or a short human form on a
//! terminal). Exit code 0 when all are allowed, 1 when any is blocked, 2 on error.

use crate::rawhttp;
use anyhow::{Context, Result};
use palisade_engine::Inspector;
use serde::Serialize;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

/// How verdicts are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human form on a terminal, JSON lines otherwise.
    Auto,
    Json,
    Text,
}

#[derive(Serialize)]
struct Line<'a> {
    input: &'a str,
    #[serde(flatten)]
    verdict: &'a palisade_engine::Verdict,
}

#[derive(Serialize)]
struct ErrorLine<'a> {
    input: &'a str,
    error: String,
}

/// The outcome over all inputs, as an exit code.
pub enum Outcome {
    AllAllowed,
    SomeBlocked,
    SomeFailed,
}

impl Outcome {
    pub fn exit_code(&self) -> i32 {
        match self {
            Outcome::AllAllowed => 0,
            Outcome::SomeBlocked => 1,
            Outcome::SomeFailed => 2,
        }
    }
}

/// Expands inputs: files as given, directories to their files (recursively, sorted).
fn expand(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut stack = vec![input.clone()];
            let mut found = Vec::new();
            while let Some(dir) = stack.pop() {
                for entry in std::fs::read_dir(&dir)
                    .with_context(|| format!("reading directory {}", dir.display()))?
                {
                    let path = entry?.path();
                    if path.is_dir() {
                        stack.push(path);
                    } else {
                        found.push(path);
                    }
                }
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(input.clone());
        }
    }
    Ok(out)
}

fn read_input(path: &Path) -> Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("reading stdin")?;
        return Ok(buf);
    }
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// Runs the command.
pub fn run(inspector: &Inspector, inputs: &[PathBuf], format: Format) -> Result<Outcome> {
    let inputs = if inputs.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        expand(inputs)?
    };
    let text = match format {
        Format::Auto => std::io::stdout().is_terminal(),
        Format::Json => false,
        Format::Text => true,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut blocked = false;
    let mut failed = false;
    for path in &inputs {
        let name = if path.as_os_str() == "-" {
            "<stdin>".to_string()
        } else {
            path.display().to_string()
        };
        let parsed = read_input(path)
            .and_then(|bytes| rawhttp::parse(&bytes).with_context(|| format!("parsing {name}")));
        let request = match parsed {
            Ok(r) => r,
            Err(e) => {
                failed = true;
                if text {
                    eprintln!("{name}: error: {e:#}");
                } else {
                    let line = ErrorLine {
                        input: &name,
                        error: format!("{e:#}"),
                    };
                    writeln!(out, "{}", serde_json::to_string(&line)?)?;
                }
                continue;
            }
        };
        let verdict = inspector.inspect(&request.head, &request.body);
        blocked |= verdict.is_block();
        if text {
            writeln!(out, "{name}: {}", verdict.summary())?;
            for f in &verdict.findings {
                writeln!(
                    out,
                    "  {} {:<16} {:<28} [{}] {}: \"{}\"",
                    f.rule_id,
                    f.category.name(),
                    f.target,
                    f.transforms,
                    f.message,
                    f.excerpt
                )?;
            }
        } else {
            let line = Line {
                input: &name,
                verdict: &verdict,
            };
            writeln!(out, "{}", serde_json::to_string(&line)?)?;
        }
    }
    out.flush()?;
    Ok(if failed {
        Outcome::SomeFailed
    } else if blocked {
        Outcome::SomeBlocked
    } else {
        Outcome::AllAllowed
    })
}
