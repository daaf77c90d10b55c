//! `palisade replay`: read captured traffic (pcap, pcapng, HAR, raw HTTP
//! requests; see `palisade_replay`), inspect every request with the same
//! engine and policy as the live modes on a clock driven by the capture's
//! timestamps, and report: JSON lines, a table, or a summary; optionally
//! suggest exclusions for findings on known-good traffic.
//!
//! Exit codes: 0 when every input was read, 2 when an input could not be
//! read or was damaged (everything readable is still reported first), 64 on
//! invalid configuration (policy, signatures, filter).

pub mod filter;
pub mod jsonl;
pub mod progress;
pub mod record;
pub mod replayer;
pub mod suggest;
pub mod summary;
pub mod table;
pub mod top;

use crate::engine_setup;
use anyhow::{anyhow, Context, Result};
use filter::KnownGood;
use palisade_engine::dos::DosEvent;
use palisade_engine::rule::Paranoia;
use palisade_engine::{CompiledRules, Inspector};
use palisade_replay::{Event, Limits, NoticeKind};
use progress::Progress;
use record::Replayed;
use replayer::Replayer;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use suggest::Suggestions;
use summary::{InputFigures, Summary};

/// Exit code for invalid configuration.
const EXIT_CONFIG: u8 = 64;
/// Exit code when an input could not be read (in full).
const EXIT_READ: u8 = 2;

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `table` when stdout is a terminal (and no --out), `jsonl` otherwise.
    Auto,
    /// One JSON object per request, notice and DoS event.
    Jsonl,
    /// One row per request, then the summary.
    Table,
    /// Only the summary.
    Summary,
}

/// `palisade replay` arguments.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Captures to replay: pcap, pcapng, HAR or raw HTTP request files, optionally
    /// gzip-compressed (told by content, not by name). Read in the order given.
    #[arg(required = true, value_name = "FILE")]
    pub inputs: Vec<PathBuf>,
    /// Policy file (TOML). Default: the embedded rules/default.toml.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Directory of signature files. Default: the embedded signature set.
    #[arg(long, value_name = "DIR")]
    pub signatures: Option<PathBuf>,
    /// Override the policy's [engine] paranoia level (1-4).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=4))]
    pub paranoia: Option<u8>,
    /// Report format.
    #[arg(long, value_enum, default_value = "auto")]
    pub format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write suggested [[exclusions]] (TOML) for findings on known-good traffic to this file.
    #[arg(long, value_name = "FILE")]
    pub suggest_exclusions: Option<PathBuf>,
    /// Which requests are known-good for --suggest-exclusions (default: all), e.g.
    /// `path=/api/*,client=10.0.0.0/8,status=2xx` (see docs/replay.md).
    #[arg(long, value_name = "FILTER", requires = "suggest_exclusions")]
    pub known_good: Option<String>,
    /// Request body bytes kept per request; longer bodies are inspected up to this size.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_body)]
    pub max_body: usize,
    /// TCP connections tracked at once; the least recently active is evicted beyond it.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_connections)]
    pub max_connections: usize,
}

/// Builds the inspector exactly as the live modes do, with the paranoia
/// override applied to the policy's `[engine]` section.
fn build_inspector(args: &Args) -> Result<Inspector> {
    let signatures = engine_setup::load_signatures(args.signatures.as_deref())?;
    let rules = CompiledRules::compile(&signatures).map_err(|e| anyhow!("{e}"))?;
    let mut policy = engine_setup::load_policy(args.policy.as_deref())?;
    if let Some(level) = args.paranoia.and_then(Paranoia::new) {
        policy.engine.paranoia = level;
    }
    Ok(Inspector::new(Arc::new(rules), &policy))
}

/// Runs the command; returns the exit code.
pub fn main(args: &Args) -> u8 {
    let inspector = match build_inspector(args) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("palisade: {e:#}");
            return EXIT_CONFIG;
        }
    };
    let known_good = match KnownGood::parse(args.known_good.as_deref().unwrap_or_default()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("palisade: {e}");
            return EXIT_CONFIG;
        }
    };
    match run(args, inspector, known_good) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("palisade: {e:#}");
            EXIT_READ
        }
    }
}

/// The state of one replay: the engine, the report being written, the
/// counts.
struct Session<'a> {
    replayer: Replayer,
    format: Format,
    out: &'a mut dyn Write,
    /// Set when the output is gone (a closed pipe); later output is dropped.
    out_closed: bool,
    summary: Summary,
    suggestions: Option<(Suggestions, KnownGood)>,
    names: Vec<String>,
    progress: Progress,
    damaged: bool,
}

impl Session<'_> {
    fn source_name(&self, source: usize) -> &str {
        self.names.get(source).map_or("-", String::as_str)
    }

    fn write(&mut self, f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
        if self.out_closed {
            return Ok(());
        }
        match f(self.out) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.out_closed = true;
                Ok(())
            }
            Err(e) => Err(e).context("writing the report"),
        }
    }

    fn dos_events(&mut self, events: Vec<DosEvent>) -> Result<()> {
        for e in events {
            self.summary.add_dos_event(&e);
            if self.format == Format::Jsonl {
                self.write(|out| jsonl::write_dos_event(out, &e))?;
            }
        }
        Ok(())
    }

    fn event(&mut self, event: Event) -> Result<()> {
        match event {
            Event::Exchange(x) => {
                self.progress.request();
                let outcome = self.replayer.replay(&x);
                // DoS events first: an attack starting with this request
                // comes before the request it refused.
                self.dos_events(outcome.dos_events)?;
                let source = self.names.get(x.source).cloned().unwrap_or_default();
                let r = Replayed {
                    exchange: &x,
                    verdict: &outcome.verdict,
                    source: &source,
                };
                self.summary.add_request(&r);
                if let Some((suggestions, filter)) = &mut self.suggestions {
                    if filter.matches(&x, &source) {
                        suggestions.add(&r);
                    }
                }
                match self.format {
                    Format::Jsonl => self.write(|out| jsonl::write_request(out, &r))?,
                    Format::Table => self.write(|out| table::write_row(out, &r))?,
                    Format::Summary | Format::Auto => {}
                }
            }
            Event::Notice(n) => {
                self.summary.add_notice(&n);
                if n.kind == NoticeKind::Corrupt {
                    self.damaged = true;
                    let at = match n.offset {
                        Some(o) if !n.message.contains(&o.to_string()) => format!("byte {o}: "),
                        _ => String::new(),
                    };
                    eprintln!(
                        "palisade: {}: {at}{}",
                        self.source_name(n.source),
                        n.message
                    );
                }
                if self.format == Format::Jsonl {
                    let name = self.source_name(n.source).to_string();
                    self.write(|out| jsonl::write_notice(out, &n, &name))?;
                }
            }
        }
        Ok(())
    }
}

fn run(args: &Args, inspector: Inspector, known_good: KnownGood) -> Result<u8> {
    let started = Instant::now();
    let format = match args.format {
        Format::Auto if args.out.is_none() && std::io::stdout().is_terminal() => Format::Table,
        Format::Auto => Format::Jsonl,
        f => f,
    };
    let limits = Limits {
        max_body: args.max_body,
        max_connections: args.max_connections.max(1),
        ..Limits::default()
    };
    let sizes: Vec<u64> = args
        .inputs
        .iter()
        .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .collect();
    let suggestions = args.suggest_exclusions.as_ref().map(|_| {
        let ids = inspector.rules().rules().iter().map(|m| m.id.0).collect();
        (Suggestions::new(ids), known_good)
    });
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let mut session = Session {
        replayer: Replayer::new(inspector),
        format,
        out: &mut *out,
        out_closed: false,
        summary: Summary::default(),
        suggestions,
        names: args
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        progress: Progress::new(sizes.iter().sum()),
        damaged: false,
    };
    if format == Format::Table {
        session.write(table::write_header)?;
    }
    let mut read_failed = false;
    for (source, path) in args.inputs.iter().enumerate() {
        session.progress.start_file(path);
        let mut failure: Option<anyhow::Error> = None;
        let result = palisade_replay::input::read_path(path, source, &limits, &mut |event| {
            if failure.is_none() {
                if let Err(e) = session.event(event) {
                    failure = Some(e);
                }
            }
        });
        if let Some(e) = failure {
            return Err(e);
        }
        let mut figures = InputFigures {
            name: path.display().to_string(),
            ..InputFigures::default()
        };
        match result {
            Ok(stats) => {
                figures.bytes = stats.bytes;
                figures.records = stats.records;
            }
            Err(e) => {
                eprintln!("palisade: {e}");
                read_failed = true;
                figures.error = Some(e.to_string());
            }
        }
        session.summary.inputs.push(figures);
        session
            .progress
            .finish_file(sizes.get(source).copied().unwrap_or(0));
    }
    let last = session.replayer.finish();
    session.dos_events(last)?;
    session.progress.finish();
    if matches!(format, Format::Table | Format::Summary) {
        let elapsed = started.elapsed();
        let summary = &session.summary;
        let gap = format == Format::Table;
        let out = &mut *session.out;
        let written = (|| -> std::io::Result<()> {
            if gap {
                writeln!(out)?;
            }
            summary.render(out, elapsed)
        })();
        if let Err(e) = written {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                return Err(e).context("writing the report");
            }
        }
    }
    let damaged = session.damaged;
    let suggestions = session.suggestions.take();
    drop(session);
    match out.flush() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(e).context("writing the report")
        }
        _ => {}
    }
    if let (Some(path), Some((suggestions, _))) = (&args.suggest_exclusions, suggestions) {
        let names: Vec<String> = args
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let mut file = BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        );
        let count = suggestions
            .write(
                &mut file,
                args.known_good.as_deref().unwrap_or_default(),
                &names,
            )
            .and_then(|n| file.flush().map(|()| n))
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!(
            "palisade: wrote {count} suggested exclusion(s) to {} ({} known-good requests, {} with findings)",
            path.display(),
            suggestions.known_good,
            suggestions.with_findings
        );
    }
    Ok(if read_failed || damaged { EXIT_READ } else { 0 })
}
