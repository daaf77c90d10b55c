//! `palisade ftw DIR`: the CRS conformance harness. Runs the OWASP CRS go-ftw
//! regression tests against Palisade's engine and judges them by category.
//!
//! Contract: every test file under DIR is loaded ([`model`]); each stage's
//! request is built byte for byte as go-ftw would send it ([`request`]), parsed
//! as a front end would ([`crate::rawhttp`]) and inspected in detect mode (every
//! finding collected) at the paranoia level of the test's rule ([`index`]), its
//! body fed in small chunks (and once whole, to count any difference). Each stage is judged by the categories of its
//! findings ([`judge`]), after setting aside forbidden ids that CRS itself
//! contradicts on the same request ([`siblings`]); a test passes when all its
//! judged stages pass. The
//! figures ([`report`]) count every test, and a run that finds no test is an
//! error, so a broken path never reads as a pass.

pub mod index;
pub mod judge;
pub mod model;
pub mod report;
pub mod request;
mod show;
pub mod siblings;
pub mod template;

use crate::rawhttp;
use anyhow::{bail, Context, Result};
use index::ParanoiaIndex;
use judge::{Expectation, Kind, Observed};
use model::{LoadError, TestCase, TestFile};
use palisade_engine::inspector::Settings;
use palisade_engine::rule::{Category, Paranoia};
use palisade_engine::verdict::Mode;
use palisade_engine::Inspector;
use siblings::Siblings;
use std::collections::BTreeSet;
use std::num::NonZeroUsize;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

/// Body chunk size fed to the engine, small to exercise streaming.
pub const DEFAULT_CHUNK_BYTES: NonZeroUsize = match NonZeroUsize::new(7) {
    Some(n) => n,
    None => NonZeroUsize::MIN,
};

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The test directory (`…/crs-tests/tests`).
    pub dir: PathBuf,
    /// The paranoia index; default `DIR/../rule-paranoia-index.tsv`.
    pub index: Option<PathBuf>,
    /// Run every request-phase test at this level instead of the index's.
    pub paranoia: Option<Paranoia>,
    pub chunk_bytes: NonZeroUsize,
    /// A directory of `deviations-*.toml` whose `crs_also_fires` claims set
    /// forbidden ids aside ([`siblings`]).
    pub deviations: Option<PathBuf>,
}

impl Options {
    pub fn new(dir: impl Into<PathBuf>) -> Options {
        Options {
            dir: dir.into(),
            index: None,
            paranoia: None,
            chunk_bytes: DEFAULT_CHUNK_BYTES,
            deviations: None,
        }
    }
}

/// How one test ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed(String),
    /// Request phase, but nothing in it can be judged by category.
    Unjudged(String),
    /// Response phase or anomaly evaluation: not run.
    NotJudged,
    /// The request could not be built (or the engine panicked).
    Error(String),
}

/// One test's result.
#[derive(Debug, Clone)]
pub struct TestResult {
    /// The test file, relative to DIR.
    pub file: String,
    /// The CRS rule-file prefix (942).
    pub prefix: u16,
    pub rule_id: u64,
    pub test_id: u64,
    pub kind: Kind,
    pub paranoia: Paranoia,
    pub outcome: Outcome,
    /// Categories found over all stages (a parser rejection is `protocol`).
    pub categories: BTreeSet<Category>,
    /// Feeding the body in chunks found other findings than one-shot inspection.
    pub chunking_differs: bool,
}

/// Everything a run produced.
#[derive(Debug, Default)]
pub struct Run {
    pub results: Vec<TestResult>,
    pub file_errors: Vec<LoadError>,
    pub files: usize,
    /// Tests the paranoia index did not list (run at paranoia 1).
    pub not_in_index: usize,
    /// Folder name by prefix (`942` → `REQUEST-942-APPLICATION-ATTACK-SQLI`).
    pub folders: std::collections::BTreeMap<u16, String>,
}

/// The default index location for a test directory.
pub fn default_index(dir: &Path) -> PathBuf {
    dir.join("..").join("rule-paranoia-index.tsv")
}

/// The paranoia index the options name: `--index`, else the default location;
/// none when a fixed `--paranoia` replaces it.
fn load_index(options: &Options) -> Result<Option<ParanoiaIndex>> {
    Ok(match (&options.index, options.paranoia) {
        (Some(path), _) => Some(ParanoiaIndex::load(path)?),
        (None, None) => {
            let path = default_index(&options.dir);
            Some(ParanoiaIndex::load(&path).with_context(|| {
                "no paranoia index next to the tests: give --index FILE, or --paranoia N to run every test at one level"
            })?)
        }
        (None, Some(_)) => None,
    })
}

/// Runs the harness with an inspector built from the policy and signatures; its
/// mode is forced to detect and its paranoia set per test.
pub fn run(inspector: &Inspector, options: &Options) -> Result<Run> {
    if !options.dir.is_dir() {
        bail!(
            "test directory {} does not exist or is not a directory",
            options.dir.display()
        );
    }
    let index = load_index(options)?;
    let corpus = model::load(&options.dir)
        .with_context(|| format!("reading test directory {}", options.dir.display()))?;
    let siblings = siblings_for(options, &corpus, index.as_ref())?;
    let levels = Levels::new(inspector);
    let mut run = Run {
        files: corpus.files.len() + corpus.errors.len(),
        file_errors: corpus.errors,
        ..Run::default()
    };
    for file in &corpus.files {
        let prefix = judge::file_prefix(&file.relative, file.rule_id);
        if let Some(folder) = file
            .relative
            .split('/')
            .next()
            .filter(|_| file.relative.contains('/'))
        {
            run.folders
                .entry(prefix)
                .or_insert_with(|| folder.to_string());
        }
        for test in &file.tests {
            let listed = index
                .as_ref()
                .and_then(|i| i.level(&file.relative, file.rule_id, test.test_id));
            if index.is_some() && listed.is_none() {
                run.not_in_index += 1;
            }
            let paranoia = if judge::group(prefix) == judge::Group::Benign {
                Paranoia::MIN
            } else {
                options.paranoia.or(listed).unwrap_or(Paranoia::MIN)
            };
            let inspector = levels.get(paranoia);
            run.results.push(run_test(
                inspector,
                &siblings,
                file,
                prefix,
                test,
                paranoia,
                options.chunk_bytes,
            ));
        }
    }
    if run.results.is_empty() {
        bail!(
            "no tests found under {} ({} files, {} unreadable)",
            options.dir.display(),
            run.files,
            run.file_errors.len()
        );
    }
    Ok(run)
}

/// The twins of the corpus and the claims of `--deviations`. Twins and claims
/// compare rule levels, so they use the default index even when a fixed
/// `--paranoia` replaces it for running the tests.
fn siblings_for(
    options: &Options,
    corpus: &model::Corpus,
    index: Option<&ParanoiaIndex>,
) -> Result<Siblings> {
    let claims = match &options.deviations {
        Some(dir) => siblings::load_claims(dir)?,
        None => Vec::new(),
    };
    let fallback = match index {
        Some(_) => None,
        None => ParanoiaIndex::load(&default_index(&options.dir)).ok(),
    };
    Ok(Siblings::new(corpus, index.or(fallback.as_ref()), claims))
}

/// One detect-mode inspector per paranoia level, sharing the compiled rules.
struct Levels([Inspector; 4]);

impl Levels {
    fn new(base: &Inspector) -> Levels {
        Levels(std::array::from_fn(|i| {
            let mut settings: Settings = base.settings().clone();
            settings.mode = Mode::Detect;
            settings.paranoia = Paranoia::new(i as u8 + 1).unwrap_or(Paranoia::MIN);
            Inspector::with_settings(base.rules().clone(), settings)
        }))
    }

    fn get(&self, level: Paranoia) -> &Inspector {
        &self.0[usize::from(level.get().clamp(1, 4)) - 1]
    }
}

fn run_test(
    inspector: &Inspector,
    siblings: &Siblings,
    file: &TestFile,
    prefix: u16,
    test: &TestCase,
    paranoia: Paranoia,
    chunk: NonZeroUsize,
) -> TestResult {
    let mut expectations: Vec<Expectation> = test
        .stages
        .iter()
        .map(|s| judge::expectation(prefix, file.rule_id, &s.output))
        .collect();
    // Requests, built once; a build error is reported when its stage runs.
    let raws: Vec<_> = test
        .stages
        .iter()
        .map(|s| request::build(&s.input))
        .collect();
    let mut sibling_error = None;
    for (e, raw) in expectations.iter_mut().zip(&raws) {
        if let Ok(raw) = raw {
            if let Err(message) = siblings.apply(file.rule_id, test.test_id, paranoia, raw, e) {
                sibling_error.get_or_insert(message);
            }
        }
    }
    let kind = expectations
        .iter()
        .map(|e| e.kind)
        .min()
        .unwrap_or(Kind::Unjudged);
    let mut result = TestResult {
        file: file.relative.clone(),
        prefix,
        rule_id: file.rule_id,
        test_id: test.test_id,
        kind,
        paranoia,
        outcome: Outcome::Passed,
        categories: BTreeSet::new(),
        chunking_differs: false,
    };
    if let Some(message) = sibling_error {
        result.outcome = Outcome::Error(message);
        return result;
    }
    let multi = test.stages.len() > 1;
    let mut failure = None;
    let mut judged = 0;
    for (n, (raw, expectation)) in raws.iter().zip(&expectations).enumerate() {
        let label = |msg: String| {
            if multi {
                format!("stage {}: {msg}", n + 1)
            } else {
                msg
            }
        };
        if matches!(expectation.kind, Kind::NotJudged | Kind::Unjudged) {
            continue;
        }
        let raw = match raw {
            Ok(raw) => raw,
            Err(e) => {
                result.outcome = Outcome::Error(label(e.to_string()));
                return result;
            }
        };
        let observed = match observe(inspector, raw, chunk) {
            Ok((o, differs)) => {
                result.chunking_differs |= differs;
                o
            }
            Err(e) => {
                result.outcome = Outcome::Error(label(e));
                return result;
            }
        };
        result.categories.extend(observed.categories());
        judged += 1;
        if let Err(reason) = judge::judge(expectation, &observed) {
            failure.get_or_insert_with(|| label(reason));
        }
    }
    result.outcome = match (failure, judged) {
        (Some(reason), _) => Outcome::Failed(reason),
        (None, 0) if kind == Kind::NotJudged => Outcome::NotJudged,
        (None, 0) => Outcome::Unjudged(
            expectations
                .iter()
                .find_map(|e| e.note.clone())
                .unwrap_or_else(|| "no stages".into()),
        ),
        (None, _) => Outcome::Passed,
    };
    result
}

/// Parses the raw request and inspects it, the body in `chunk`-byte pieces.
/// The second value tells whether one-shot inspection found a different set of
/// (rule, target) pairs: chunking must never change findings.
fn observe(
    inspector: &Inspector,
    raw: &[u8],
    chunk: NonZeroUsize,
) -> Result<(Observed, bool), String> {
    let request = match rawhttp::parse(raw) {
        Ok(r) => r,
        Err(e) => return Ok((Observed::Rejected(e.to_string()), false)),
    };
    std::panic::catch_unwind(AssertUnwindSafe(|| {
        let mut tx = inspector.begin(&request.head);
        for piece in request.body.chunks(chunk.get()) {
            let _ = tx.feed_body(piece);
        }
        let findings = tx.finish().findings;
        let whole = inspector.inspect(&request.head, &request.body).findings;
        let key = |f: &palisade_engine::verdict::Finding| (f.rule_id, f.target.clone());
        let a: BTreeSet<_> = findings.iter().map(key).collect();
        let b: BTreeSet<_> = whole.iter().map(key).collect();
        (Observed::Inspected(findings), a != b)
    }))
    .map_err(|_| "the engine panicked on this request".to_string())
}

/// `palisade ftw` command-line arguments.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The go-ftw test directory (e.g. ../shared/corpora/crs-tests/tests).
    pub dir: PathBuf,
    /// Paranoia index (TSV). Default: DIR/../rule-paranoia-index.tsv.
    #[arg(long, value_name = "FILE")]
    pub index: Option<PathBuf>,
    /// Run every request-phase test at this paranoia level instead of the index's.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=4))]
    pub paranoia: Option<u8>,
    /// Policy file (TOML). Default: the embedded rules/default.toml.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Directory of signature files. Default: the embedded signature set.
    #[arg(long, value_name = "DIR")]
    pub signatures: Option<PathBuf>,
    /// Write the failing tests here (TOML, or YAML for a .yaml/.yml name).
    #[arg(long, value_name = "FILE")]
    pub failures: Option<PathBuf>,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value = "text")]
    pub format: report::Format,
    /// Print one test (RULE:TEST, e.g. 942100:1) in detail instead: the bytes sent,
    /// the values the engine extracts, the findings and the judgement.
    #[arg(long, value_name = "RULE:TEST")]
    pub show: Option<String>,
    /// Directory of `deviations-*.toml` files whose `crs_also_fires` claims set
    /// forbidden ids aside (e.g. testdata/ftw).
    #[arg(long, value_name = "DIR")]
    pub deviations: Option<PathBuf>,
    /// Exit 1 unless the should-fire pass rate of request categories 913-944 is at least PCT.
    #[arg(long, value_name = "PCT")]
    pub min_fire: Option<f64>,
    /// Exit 1 unless the false-positive rate (100 - clean %) of request categories 913-944 is at most PCT.
    #[arg(long, value_name = "PCT")]
    pub max_false: Option<f64>,
}

/// Exit code for invalid policy or signatures, as `palisade check` uses.
const EXIT_CONFIG: u8 = 64;

/// Runs the command; returns the process exit code: 0 ran, 1 a `--min-fire` /
/// `--max-false` gate missed, 2 a runtime error, 64 invalid configuration.
pub fn main(args: &Args) -> u8 {
    let inspector = match crate::engine_setup::build_inspector(
        args.signatures.as_deref(),
        args.policy.as_deref(),
    ) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("palisade: {e:#}");
            return EXIT_CONFIG;
        }
    };
    let options = Options {
        index: args.index.clone(),
        paranoia: args.paranoia.and_then(Paranoia::new),
        deviations: args.deviations.clone(),
        ..Options::new(&args.dir)
    };
    if let Some(selector) = &args.show {
        let shown = show::parse_selector(selector).and_then(|(rule, test)| {
            show::show(
                &inspector,
                &options,
                rule,
                test,
                &mut std::io::stdout().lock(),
            )
        });
        return match shown {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("palisade: {e:#}");
                2
            }
        };
    }
    let outcome = run(&inspector, &options).and_then(|run| {
        let summary = report::Summary::new(&run);
        report::print(&summary, args.format)?;
        if let Some(path) = &args.failures {
            report::write_failures(&run, path)?;
        }
        Ok(summary)
    });
    let summary = match outcome {
        Ok(s) => s,
        Err(e) => {
            eprintln!("palisade: {e:#}");
            return 2;
        }
    };
    let gate = &summary.request;
    let mut code = 0;
    if let Some(min) = args.min_fire {
        if gate.should_fire.percent() < min {
            eprintln!(
                "palisade: should-fire pass rate {:.1}% is below --min-fire {min}",
                gate.should_fire.percent()
            );
            code = 1;
        }
    }
    if let Some(max) = args.max_false {
        let false_rate = 100.0 - gate.should_not_fire.percent();
        if false_rate > max {
            eprintln!("palisade: false-positive rate {false_rate:.1}% is above --max-false {max}");
            code = 1;
        }
    }
    code
}
