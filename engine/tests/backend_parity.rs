//! Backend parity: the literal prefilter on Aho-Corasick and on Hyperscan must
//! give identical results on everything the engine's tests use.
//!
//! The embedded signature set is compiled with the prefilter backend forced
//! through `literals::with_backend`: Aho-Corasick (the reference) and
//! Hyperscan (and once with `auto`, which must build). Then, for every
//! input — the request vectors (`testdata/vectors/*.toml`), every signature
//! example and near-miss, the benign corpus (`testdata/benign/*.jsonl`),
//! `testdata/sqli` and `testdata/xss`, and the libinjection corpora
//! (`../shared/corpora/libinjection/data`) — three levels must agree:
//!
//! 1. literal sets: each class's set, rebuilt on each backend, reports the same
//!    literal ids for the input;
//! 2. matcher: `CompiledRules::scan` of the input in every target class, at
//!    paranoia 4, confirms the same rules on the same bytes (all inputs but
//!    the libinjection corpora, see [`Depth`]);
//! 3. engine: whole requests get equal verdicts (action, score, findings and
//!    everything else in `Verdict`), with the default policy and with a
//!    detect-mode paranoia-4 policy that collects every finding.
//!
//! Without the `hyperscan` feature the "Hyperscan" rule set falls back to
//! Aho-Corasick, so the test still runs (and can still fail) through the same
//! API; with the feature it also requires that Hyperscan really was used.
//! A missing corpus fails the test; every runner counts what it compared.
//!
//! Run: `cargo test -p palisade-engine --features hyperscan --test backend_parity -- --nocapture`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use palisade_engine::inspector::Settings;
use palisade_engine::matcher::literals::{
    self, Backend, BackendChoice, BuildLog, LiteralSet, HYPERSCAN_COMPILED_IN,
};
use palisade_engine::matcher::{CompiledRules, Scratch};
use palisade_engine::request::RequestHead;
use palisade_engine::rule::Paranoia;
use palisade_engine::target::{Target, TargetSource};
use palisade_engine::vectors::VectorFile;
use palisade_engine::verdict::{Mode, Verdict};
use palisade_engine::{defaults, Inspector, Policy};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// One rule set per backend, compiled once for all tests.
struct Backends {
    /// (label, rules), the reference first.
    rules: Vec<(&'static str, Arc<CompiledRules>)>,
    /// Every literal set built, per backend: (reference, other) pairs per class.
    literal_sets: Vec<(LiteralSet, LiteralSet)>,
}

fn compile(choice: BackendChoice) -> (Arc<CompiledRules>, BuildLog) {
    let signatures = defaults::signatures().expect("embedded signatures parse");
    let (rules, log) = literals::with_backend(choice, || CompiledRules::compile(&signatures));
    (Arc::new(rules.expect("embedded signatures compile")), log)
}

fn backends() -> &'static Backends {
    static BACKENDS: OnceLock<Backends> = OnceLock::new();
    BACKENDS.get_or_init(|| {
        let (reference, ac_log) = compile(BackendChoice::AhoCorasick);
        let (forced, hs_log) = compile(BackendChoice::Hyperscan);
        let (auto, auto_log) = compile(BackendChoice::Auto);
        assert!(!ac_log.sets.is_empty(), "no literal set was built");
        assert_eq!(ac_log.count(Backend::AhoCorasick), ac_log.sets.len());
        assert_eq!(hs_log.sets.len(), ac_log.sets.len());
        assert_eq!(auto_log.sets.len(), ac_log.sets.len());
        if HYPERSCAN_COMPILED_IN {
            assert!(
                hs_log.fallbacks().is_empty(),
                "Hyperscan was forced but fell back: {:?}",
                hs_log.fallbacks()
            );
            assert_eq!(hs_log.count(Backend::Hyperscan), hs_log.sets.len());
        } else {
            assert_eq!(hs_log.count(Backend::AhoCorasick), hs_log.sets.len());
        }
        eprintln!(
            "literal sets: {} (sizes {:?}); forced hyperscan: {} on hyperscan; auto: {} on hyperscan",
            ac_log.sets.len(),
            ac_log
                .sets
                .iter()
                .map(|s| s.literals.len())
                .collect::<Vec<_>>(),
            hs_log.count(Backend::Hyperscan),
            auto_log.count(Backend::Hyperscan)
        );
        let literal_sets = ac_log
            .sets
            .iter()
            .map(|set| {
                let ac = LiteralSet::build_with(&set.literals, BackendChoice::AhoCorasick)
                    .expect("aho-corasick set");
                let other = LiteralSet::build_with(&set.literals, BackendChoice::Hyperscan)
                    .expect("hyperscan set (or its fallback)");
                (ac, other)
            })
            .collect();
        // `auto` picks per set between the two backends compared below; that
        // it builds is checked here, its sets' parity is the literal level's.
        drop(auto);
        Backends {
            rules: vec![("aho-corasick", reference), ("hyperscan", forced)],
            literal_sets,
        }
    })
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn files_in(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(&keep))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no input files in {}", dir.display());
    files
}

/// Non-blank, non-comment lines of a text corpus.
fn corpus_lines(path: &Path) -> Vec<Vec<u8>> {
    read(path)
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace) && !l.starts_with(b"#"))
        .map(<[u8]>::to_vec)
        .collect()
}

#[cfg(feature = "hyperscan")]
fn libinjection_files() -> Vec<PathBuf> {
    let dir = root().join("../shared/corpora/libinjection/data");
    assert!(
        dir.is_dir(),
        "the libinjection corpus is missing at {} (it ships in ../shared/corpora); \
         this test never skips",
        dir.display()
    );
    files_in(&dir, |n| n.ends_with(".txt"))
}

/// Percent-encodes everything but unreserved bytes.
fn url_encode(value: &[u8]) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for &b in value {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Collects disagreements and counts comparisons.
struct Parity {
    compared: usize,
    problems: Vec<String>,
    started: std::time::Instant,
}

impl Default for Parity {
    fn default() -> Parity {
        Parity {
            compared: 0,
            problems: Vec::new(),
            started: std::time::Instant::now(),
        }
    }
}

impl Parity {
    fn finish(self, what: &str, at_least: usize) {
        eprintln!(
            "{what}: {} comparisons in {:?}",
            self.compared,
            self.started.elapsed()
        );
        assert!(
            self.compared >= at_least,
            "{what}: only {} comparisons (expected at least {at_least}): inputs missing?",
            self.compared
        );
        let shown: Vec<&String> = self.problems.iter().take(30).collect();
        assert!(
            self.problems.is_empty(),
            "{what}: {} of {} comparisons differ between backends:\n{}",
            self.problems.len(),
            self.compared,
            shown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    /// Level 1: every class's literal set on both backends.
    fn literals(&mut self, label: &str, value: &[u8]) {
        for (i, (ac, other)) in backends().literal_sets.iter().enumerate() {
            self.compared += 1;
            let (want, got) = (ac.matches(value), other.matches(value));
            if want != got {
                self.problems.push(format!(
                    "{label}: literal set {i} ({}): aho-corasick {want:?}, {} {got:?}",
                    ac.len(),
                    other.backend()
                ));
            }
        }
    }

    /// Level 2: the matcher, in every target class, every rule level.
    fn matcher(&mut self, label: &str, value: &[u8], names: &[(TargetSource, Vec<String>)]) {
        let paranoia = Paranoia::new(4).expect("paranoia 4");
        for (source, class_names) in names {
            let name = class_names
                .get(self.compared % class_names.len().max(1))
                .map_or("q", String::as_str);
            let target = Target {
                source: *source,
                name,
                value,
            };
            let mut results = Vec::new();
            for (_, rules) in &backends().rules {
                let mut hits = Vec::new();
                let mut scratch = Scratch::default();
                rules.scan(target, paranoia, &mut scratch, &|_| false, &mut |hit| {
                    hits.push((hit.rule.0, hit.matched.to_vec()));
                });
                hits.sort();
                results.push(hits);
            }
            self.compared += 1;
            self.same(&format!("{label} [{source:?}:{name}]"), &results);
        }
    }

    /// Level 3: whole requests through an inspector per backend.
    fn engine(&mut self, label: &str, inspectors: &[Inspector], head: &RequestHead, body: &[u8]) {
        let verdicts: Vec<Verdict> = inspectors.iter().map(|i| i.inspect(head, body)).collect();
        self.compared += 1;
        self.same(label, &verdicts);
    }

    fn same<T: PartialEq + std::fmt::Debug>(&mut self, label: &str, results: &[T]) {
        let Some((reference, others)) = results.split_first() else {
            return;
        };
        for (other, (name, _)) in others.iter().zip(backends().rules.iter().skip(1)) {
            if other != reference {
                self.problems.push(format!(
                    "{label}: aho-corasick {reference:?}\n    {name} {other:?}"
                ));
            }
        }
    }
}

/// For each target class, one source of it and the names rules select in it.
fn class_targets() -> Vec<(TargetSource, Vec<String>)> {
    let rules = &backends().rules[0].1;
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for source in TargetSource::ALL {
        let class = source.class();
        if !seen.insert(class) {
            continue;
        }
        let mut names: BTreeSet<String> = rules
            .rules()
            .iter()
            .flat_map(|r| r.targets.iter())
            .filter(|t| t.class == class)
            .filter_map(|t| t.name.clone())
            .collect();
        names.insert("q".into());
        out.push((source, names.into_iter().collect()));
    }
    out
}

/// The default-policy inspectors and the detect-mode paranoia-4 inspectors.
/// Each inspector gets a policy of its own: rate-limit and DoS state live in it.
fn inspectors() -> (Vec<Inspector>, Vec<Inspector>) {
    let policy = || defaults::policy().expect("embedded policy");
    let detect_all = || {
        let mut all = Settings::from_policy(&policy());
        all.mode = Mode::Detect;
        all.paranoia = Paranoia::new(4).expect("paranoia 4");
        all
    };
    let rules = &backends().rules;
    (
        rules
            .iter()
            .map(|(_, r)| Inspector::new(Arc::clone(r), &policy()))
            .collect(),
        rules
            .iter()
            .map(|(_, r)| Inspector::with_settings(Arc::clone(r), detect_all()))
            .collect(),
    )
}

/// How much of the engine one input value goes through.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Depth {
    /// Literal sets, the matcher in every class, and a GET and a form POST
    /// through both inspector sets.
    Full,
    /// Literal sets, and a GET through the detect-mode paranoia-4 inspectors
    /// (every rule, every finding): for the large corpora, where the full
    /// depth would cost minutes in a debug build. Literal-set parity is the
    /// invariant the backends must keep (the rest of the matcher is shared
    /// code); the engine level checks that it carries through.
    Quick,
}

/// Runs one input value through the levels `depth` asks for, as a query
/// argument and as a form field.
fn value_everywhere(
    parity: &mut Parity,
    label: &str,
    value: &[u8],
    depth: Depth,
    names: &[(TargetSource, Vec<String>)],
    inspectors: &(Vec<Inspector>, Vec<Inspector>),
) {
    parity.literals(label, value);
    if depth == Depth::Full {
        parity.matcher(label, value, names);
    }
    let encoded = url_encode(value);
    let get = RequestHead::new("GET", format!("/search?q={encoded}").as_bytes())
        .with_header("Host", "shop.example");
    let post = RequestHead::new("POST", b"/form")
        .with_header("Host", "shop.example")
        .with_header("Content-Type", "application/x-www-form-urlencoded");
    let form = format!("name=a&comment={encoded}");
    if depth == Depth::Quick {
        parity.engine(&format!("{label} (GET)"), &inspectors.1, &get, b"");
        return;
    }
    for set in [&inspectors.0, &inspectors.1] {
        parity.engine(&format!("{label} (GET)"), set, &get, b"");
        parity.engine(&format!("{label} (form)"), set, &post, form.as_bytes());
    }
}

#[test]
fn request_vectors_agree() {
    let dir = root().join("testdata/vectors");
    let default_policy = defaults::policy().expect("embedded policy");
    let mut parity = Parity::default();
    for path in files_in(&dir, |n| n.ends_with(".toml")) {
        let text = String::from_utf8(read(&path)).expect("utf-8");
        let file: VectorFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // A fresh policy (and so fresh rate-limit state) for each inspector.
        let policy = || match &file.policy {
            Some(rel) => {
                let text = String::from_utf8(read(&root().join(rel))).expect("utf-8");
                Policy::parse(rel, &text).unwrap_or_else(|e| panic!("{rel}: {e:?}"))
            }
            None => default_policy.clone(),
        };
        for case in &file.cases {
            let (head, body) = case.request().expect("valid case");
            let verdicts: Vec<Verdict> = backends()
                .rules
                .iter()
                .map(|(_, rules)| {
                    let policy = policy();
                    let inspector = match case.paranoia {
                        Some(p) => {
                            let mut settings = Settings::from_policy(&policy);
                            settings.paranoia = Paranoia::new(p).expect("paranoia 1-4");
                            Inspector::with_settings(Arc::clone(rules), settings)
                        }
                        None => Inspector::new(Arc::clone(rules), &policy),
                    };
                    case.run(&inspector, &head, &body, &mut || 7)
                })
                .collect();
            parity.compared += 1;
            let label = format!("{} / {}", path.display(), case.name);
            parity.same(&label, &verdicts);
            parity.literals(&label, &body);
            parity.literals(&label, case.uri.as_bytes());
        }
    }
    parity.finish("request vectors", 100);
}

#[test]
fn signature_examples_agree() {
    let signatures = defaults::signatures().expect("embedded signatures");
    let names = class_targets();
    let inspectors = inspectors();
    let mut parity = Parity::default();
    for sig in &signatures {
        for (kind, values) in [("example", &sig.examples), ("near-miss", &sig.near_misses)] {
            for value in values {
                let label = format!("{} {kind} {:?}", sig.id, String::from_utf8_lossy(value));
                value_everywhere(&mut parity, &label, value, Depth::Full, &names, &inspectors);
            }
        }
    }
    parity.finish("signature examples", 1000);
}

#[derive(serde::Deserialize)]
#[cfg(feature = "hyperscan")]
struct BenignLine {
    name: String,
    method: String,
    uri: String,
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: Option<String>,
}

// Large corpora: only worth their minutes when a second backend exists.
#[cfg(feature = "hyperscan")]
#[test]
fn benign_corpus_agrees() {
    let (default, detect_all) = inspectors();
    let mut parity = Parity::default();
    for path in files_in(&root().join("testdata/benign"), |n| n.ends_with(".jsonl")) {
        let text = String::from_utf8(read(&path)).expect("utf-8");
        for raw in text.lines().filter(|l| !l.trim().is_empty()) {
            let line: BenignLine = serde_json::from_str(raw)
                .unwrap_or_else(|e| panic!("{}: {e}: {raw}", path.display()));
            let head = line.headers.iter().fold(
                RequestHead::new(&line.method, line.uri.as_bytes()),
                |head, (n, v)| head.with_header(n, v),
            );
            let body = line.body.as_deref().unwrap_or("").as_bytes();
            parity.engine(&line.name, &default, &head, body);
            parity.engine(&line.name, &detect_all, &head, body);
            parity.literals(&line.name, line.uri.as_bytes());
            parity.literals(&line.name, body);
        }
    }
    parity.finish("benign corpus", 2000);
}

#[test]
fn sqli_and_xss_lists_agree() {
    let names = class_targets();
    let inspectors = inspectors();
    let mut parity = Parity::default();
    for dir in ["testdata/sqli", "testdata/xss"] {
        for path in files_in(&root().join(dir), |n| n.ends_with(".txt")) {
            for (i, value) in corpus_lines(&path).iter().enumerate() {
                let label = format!("{}:{}", path.display(), i + 1);
                value_everywhere(&mut parity, &label, value, Depth::Full, &names, &inspectors);
            }
        }
    }
    parity.finish("testdata/sqli and testdata/xss", 1000);
}

// Large corpora: only worth their minutes when a second backend exists.
#[cfg(feature = "hyperscan")]
#[test]
fn libinjection_corpora_agree() {
    let names = class_targets();
    let inspectors = inspectors();
    let mut parity = Parity::default();
    for path in libinjection_files() {
        for (i, line) in corpus_lines(&path).iter().enumerate() {
            // The files hold URL-encoded inputs: the raw line is a query
            // string as sent; its decoded form is the value the rules see.
            let label = format!("{}:{}", path.display(), i + 1);
            let decoded = common::form_decode(line);
            value_everywhere(
                &mut parity,
                &label,
                &decoded,
                Depth::Quick,
                &names,
                &inspectors,
            );
            parity.literals(&label, line);
        }
    }
    parity.finish("libinjection corpora", 10_000);
}

#[test]
fn environment_variable_selects_the_backend() {
    // The variable is read at build time; a with_backend scope overrides it.
    // (Read, not set, here: tests share the process environment.)
    let from_env = BackendChoice::from_env();
    assert_eq!(BackendChoice::current(), from_env);
    let (_, log) = literals::with_backend(BackendChoice::AhoCorasick, || {
        assert_eq!(BackendChoice::current(), BackendChoice::AhoCorasick);
        LiteralSet::build(["union", "select"]).expect("set")
    });
    assert_eq!(log.count(Backend::AhoCorasick), 1);
    for (text, choice) in [
        ("aho-corasick", BackendChoice::AhoCorasick),
        ("hyperscan", BackendChoice::Hyperscan),
        ("auto", BackendChoice::Auto),
    ] {
        assert_eq!(text.parse::<BackendChoice>(), Ok(choice));
    }
}
