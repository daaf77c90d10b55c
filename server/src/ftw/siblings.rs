//! Should-not-fire stages that CRS itself contradicts by category.
//!
//! A CRS test that forbids rule N only says that N stays quiet; the harness
//! judges it as "no finding of N's categories" ([`super::judge`]). When CRS
//! fires *another* rule of a shared category on the very same request, at the
//! paranoia level the test runs at, that judgement would charge Palisade with
//! a false positive that CRS commits too. Two kinds of evidence set such a
//! forbidden id aside; the stage, left with nothing to judge, becomes
//! unjudged with the evidence as its note and leaves the should-not-fire
//! figures (it is not counted as clean):
//!
//! - **twin** (mechanical): another stage in the corpus sends byte for byte
//!   the same request and expects a rule of a shared category whose paranoia
//!   level (from the index) is at most the level this test runs at;
//! - **claim** (argued): an entry of a `deviations-*.toml` file (`--deviations
//!   DIR`) names the sibling with `crs_also_fires = M` and says in its
//!   `reason` why CRS fires M on the request. The harness checks the claim: M
//!   must share a category with the forbidden id and some test in the corpus
//!   must expect M, else the test is an error, never a silent pass; and the
//!   claim applies only when M's paranoia level is at most the level the test
//!   runs at (under a lower `--paranoia` CRS would not fire M either, so the
//!   stage is judged as usual).
//!
//! Nothing here ever touches a should-fire expectation.

use super::index::ParanoiaIndex;
use super::judge::{self, Expectation, Group, Kind};
use super::model::Corpus;
use super::request;
use anyhow::{bail, Context, Result};
use palisade_engine::rule::{Category, Paranoia};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

/// A should-fire stage that another stage may be the twin of.
#[derive(Debug, Clone)]
struct Twin {
    rule_id: u64,
    test_id: u64,
    level: Paranoia,
    categories: BTreeSet<Category>,
}

/// One `crs_also_fires` claim from a deviations file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub rule_id: u64,
    pub test_id: u64,
    /// The CRS rule said to fire on the test's request.
    pub sibling: u64,
    /// The deviations file it came from, for messages.
    pub source: String,
}

/// Deviations file layout; only what the claims need is read.
#[derive(Debug, serde::Deserialize)]
struct DeviationsFile {
    #[serde(default)]
    deviation: Vec<Deviation>,
}

#[derive(Debug, serde::Deserialize)]
struct Deviation {
    rule_id: u64,
    test_ids: Vec<u64>,
    kind: String,
    #[serde(default)]
    crs_also_fires: Option<u64>,
}

/// Reads the `crs_also_fires` claims of every `deviations-*.toml` in `dir`.
/// A claim on anything but a should-not-fire entry is an error.
pub fn load_claims(dir: &Path) -> Result<Vec<Claim>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading deviations directory {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("deviations-") && n.ends_with(".toml"))
        })
        .collect();
    paths.sort();
    let mut claims = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let file: DeviationsFile =
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        let source = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        for d in file.deviation {
            let Some(sibling) = d.crs_also_fires else {
                continue;
            };
            if d.kind != "should_not_fire" {
                bail!(
                    "{source}: {} {:?}: crs_also_fires only applies to should_not_fire entries",
                    d.rule_id,
                    d.test_ids
                );
            }
            claims.extend(d.test_ids.iter().map(|&test_id| Claim {
                rule_id: d.rule_id,
                test_id,
                sibling,
                source: source.clone(),
            }));
        }
    }
    Ok(claims)
}

/// The evidence, indexed for lookups while the tests run.
#[derive(Debug, Default)]
pub struct Siblings {
    twins: HashMap<Vec<u8>, Vec<Twin>>,
    claims: HashMap<(u64, u64), Claim>,
    expected: HashSet<u64>,
    levels: HashMap<u64, Paranoia>,
}

impl Siblings {
    /// Indexes the corpus's should-fire stages by their exact request bytes.
    /// Without an index nothing can be compared by level, so nothing is set
    /// aside.
    pub fn new(corpus: &Corpus, index: Option<&ParanoiaIndex>, claims: Vec<Claim>) -> Siblings {
        let Some(index) = index else {
            return Siblings::default();
        };
        let mut s = Siblings::default();
        for file in &corpus.files {
            let prefix = judge::file_prefix(&file.relative, file.rule_id);
            if !matches!(judge::group(prefix), Group::Request(_)) {
                continue;
            }
            for test in &file.tests {
                let level = index
                    .level(&file.relative, file.rule_id, test.test_id)
                    .unwrap_or(Paranoia::MIN);
                for stage in &test.stages {
                    let e = judge::expectation(prefix, file.rule_id, &stage.output);
                    if e.kind != Kind::ShouldFire {
                        continue;
                    }
                    s.expected
                        .extend(stage.output.log.expect_ids.iter().flatten());
                    let Ok(raw) = request::build(&stage.input) else {
                        continue;
                    };
                    s.twins.entry(raw).or_default().push(Twin {
                        rule_id: file.rule_id,
                        test_id: test.test_id,
                        level,
                        categories: e.required_categories(),
                    });
                }
            }
        }
        for claim in claims {
            if let Some(level) = index.rule_level(claim.sibling) {
                s.levels.insert(claim.sibling, level);
            }
            s.claims.insert((claim.rule_id, claim.test_id), claim);
        }
        s
    }

    /// Sets aside the forbidden ids of a should-not-fire stage of test
    /// `rule_id:test_id` (running at `paranoia`, sending `raw`) that CRS
    /// contradicts. `Err` when a claim for this test does not hold.
    pub fn apply(
        &self,
        rule_id: u64,
        test_id: u64,
        paranoia: Paranoia,
        raw: &[u8],
        e: &mut Expectation,
    ) -> Result<(), String> {
        if e.kind != Kind::ShouldNotFire {
            return Ok(());
        }
        let forbidden: Vec<(u64, &'static [Category])> = e.forbidden().collect();
        let claim = self.claims.get(&(rule_id, test_id));
        let mut claim_used = false;
        for (id, categories) in forbidden {
            let shares = |set: &BTreeSet<Category>| categories.iter().any(|c| set.contains(c));
            let twin = self.twins.get(raw).and_then(|twins| {
                twins.iter().find(|t| {
                    (t.rule_id, t.test_id) != (rule_id, test_id)
                        && t.level <= paranoia
                        && shares(&t.categories)
                })
            });
            if let Some(t) = twin {
                e.set_aside(
                    id,
                    format!(
                        "CRS test {}:{} sends the identical request and expects {} \
                         (paranoia {}), a rule of the same category",
                        t.rule_id,
                        t.test_id,
                        t.rule_id,
                        t.level.get()
                    ),
                );
                continue;
            }
            if let Some(claim) = claim {
                claim_used = true;
                if !self.check_claim(claim, categories, paranoia)? {
                    continue;
                }
                e.set_aside(
                    id,
                    format!(
                        "CRS fires {} on this request ({}: crs_also_fires)",
                        claim.sibling, claim.source
                    ),
                );
            }
        }
        match claim {
            Some(c) if !claim_used && e.kind == Kind::ShouldNotFire => Err(format!(
                "{}: crs_also_fires {} names no forbidden id of this test",
                c.source, c.sibling
            )),
            _ => Ok(()),
        }
    }

    /// `Err` when the claim is wrong; `Ok(false)` when it holds but CRS runs
    /// the sibling only above `paranoia`.
    fn check_claim(
        &self,
        claim: &Claim,
        categories: &[Category],
        paranoia: Paranoia,
    ) -> Result<bool, String> {
        let sibling = match judge::id_prefix(claim.sibling).map(judge::group) {
            Some(Group::Request(c)) => c,
            _ => {
                return Err(format!(
                    "{}: crs_also_fires {} is not a request-phase CRS rule",
                    claim.source, claim.sibling
                ))
            }
        };
        if !sibling.iter().any(|c| categories.contains(c)) {
            return Err(format!(
                "{}: crs_also_fires {} shares no category with the forbidden rule",
                claim.source, claim.sibling
            ));
        }
        if !self.expected.contains(&claim.sibling) {
            return Err(format!(
                "{}: no test in the corpus expects crs_also_fires {}",
                claim.source, claim.sibling
            ));
        }
        match self.levels.get(&claim.sibling) {
            Some(level) => Ok(*level <= paranoia),
            None => Err(format!(
                "{}: crs_also_fires {} is not in the paranoia index",
                claim.source, claim.sibling
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ftw::model;

    const SIBLING: &str = "rule_id: 932270\ntests:\n  - test_id: 1\n    stages:\n      - input:\n          uri: /?a=~%2B\n        output:\n          log:\n            expect_ids: [932270]\n";
    const QUIET: &str = "rule_id: 932271\ntests:\n  - test_id: 5\n    stages:\n      - input:\n          uri: /?a=~%2B\n        output:\n          log:\n            no_expect_ids: [932271]\n  - test_id: 6\n    stages:\n      - input:\n          uri: /?a=other\n        output:\n          log:\n            no_expect_ids: [932271]\n";
    const INDEX: &str = "file\trule_id\ttest_id\trule_paranoia_level\n\
        R-932/932270.yaml\t932270\t1\t1\n\
        R-932/932271.yaml\t932271\t5\t2\n\
        R-932/932271.yaml\t932271\t6\t2\n";

    fn corpus() -> Corpus {
        Corpus {
            files: vec![
                model::parse_file("REQUEST-932-X/932270.yaml", SIBLING).unwrap(),
                model::parse_file("REQUEST-932-X/932271.yaml", QUIET).unwrap(),
            ],
            errors: Vec::new(),
        }
    }

    fn stage(c: &Corpus, test: usize) -> (Expectation, Vec<u8>) {
        let s = &c.files[1].tests[test].stages[0];
        (
            judge::expectation(932, 932271, &s.output),
            request::build(&s.input).unwrap(),
        )
    }

    #[test]
    fn identical_should_fire_request_sets_the_forbidden_id_aside() {
        let c = corpus();
        let index = ParanoiaIndex::parse(INDEX).unwrap();
        let s = Siblings::new(&c, Some(&index), Vec::new());
        let (mut e, raw) = stage(&c, 0);
        s.apply(932271, 5, Paranoia::new(2).unwrap(), &raw, &mut e)
            .unwrap();
        assert_eq!(e.kind, Kind::Unjudged);
        assert!(e.note.unwrap().contains("932270:1"));
        // Below the twin's level CRS does not fire it: still judged.
        let (mut low, raw) = stage(&c, 0);
        let s2 = Siblings::new(
            &c,
            Some(&ParanoiaIndex::parse(&INDEX.replace("\t1\t1\n", "\t1\t3\n")).unwrap()),
            Vec::new(),
        );
        s2.apply(932271, 5, Paranoia::new(2).unwrap(), &raw, &mut low)
            .unwrap();
        assert_eq!(low.kind, Kind::ShouldNotFire);
    }

    #[test]
    fn claims_are_checked() {
        let c = corpus();
        let index = ParanoiaIndex::parse(INDEX).unwrap();
        let claim = |sibling| Claim {
            rule_id: 932271,
            test_id: 6,
            sibling,
            source: "deviations-rce.toml".into(),
        };
        let s = Siblings::new(&c, Some(&index), vec![claim(932270)]);
        let (mut e, raw) = stage(&c, 1);
        s.apply(932271, 6, Paranoia::new(2).unwrap(), &raw, &mut e)
            .unwrap();
        assert_eq!(e.kind, Kind::Unjudged);
        // A sibling of another category, or one no test expects, is refused.
        for bad in [942100, 932999] {
            let s = Siblings::new(&c, Some(&index), vec![claim(bad)]);
            let (mut e, raw) = stage(&c, 1);
            assert!(s
                .apply(932271, 6, Paranoia::new(2).unwrap(), &raw, &mut e)
                .is_err());
        }
        // At a level below the sibling's it does not apply: judged as usual.
        let index = ParanoiaIndex::parse(&INDEX.replace("\t1\t1\n", "\t1\t3\n")).unwrap();
        let s = Siblings::new(&c, Some(&index), vec![claim(932270)]);
        let (mut e, raw) = stage(&c, 1);
        s.apply(932271, 6, Paranoia::new(2).unwrap(), &raw, &mut e)
            .unwrap();
        assert_eq!(e.kind, Kind::ShouldNotFire);
    }

    #[test]
    fn claims_load_from_deviations_files() {
        let dir = std::env::temp_dir().join(format!("palisade-siblings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("deviations-x.toml"),
            "[[deviation]]\nrule_id = 1\ntest_ids = [2, 3]\nkind = \"should_not_fire\"\nreason = \"r\"\ncrs_also_fires = 4\n\n[[deviation]]\nrule_id = 5\ntest_ids = [6]\nkind = \"should_fire\"\nreason = \"r\"\n",
        )
        .unwrap();
        let claims = load_claims(&dir).unwrap();
        assert_eq!(claims.len(), 2);
        assert_eq!(claims[1].test_id, 3);
        std::fs::write(
            dir.join("deviations-y.toml"),
            "[[deviation]]\nrule_id = 1\ntest_ids = [2]\nkind = \"should_fire\"\nreason = \"r\"\ncrs_also_fires = 4\n",
        )
        .unwrap();
        assert!(load_claims(&dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
