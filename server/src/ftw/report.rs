//! The harness's figures: a row per CRS rule file (by prefix) with should-fire
//! and should-not-fire counts, the overall figure for request categories
//! 913–944 (the acceptance figure), 999 benign traffic, and what was not judged;
//! as a text table or JSON, plus the list of failing tests for a file.
//!
//! Contract: every test appears in exactly one row; percentages are of judged
//! tests (an empty bucket reads 0.0 and is shown as `-`).

use super::judge::{self, Group, Kind};
use super::{Outcome, Run, TestResult};
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// How the summary is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Passed out of total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Rate {
    pub total: usize,
    pub passed: usize,
}

impl Rate {
    /// Percentage passed; 0.0 for an empty bucket.
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.passed as f64 * 100.0 / self.total as f64
        }
    }

    fn add(&mut self, passed: bool) {
        self.total += 1;
        self.passed += usize::from(passed);
    }

    fn merge(&mut self, other: &Rate) {
        self.total += other.total;
        self.passed += other.passed;
    }

    fn cells(&self) -> String {
        if self.total == 0 {
            format!("{:>6} {:>7} {:>6}", 0, "-", "-")
        } else {
            format!(
                "{:>6} {:>7} {:>6.1}",
                self.total,
                self.passed,
                self.percent()
            )
        }
    }
}

#[derive(Serialize)]
struct RateJson {
    total: usize,
    passed: usize,
    percent: f64,
}

impl From<&Rate> for RateJson {
    fn from(r: &Rate) -> Self {
        RateJson {
            total: r.total,
            passed: r.passed,
            percent: (r.percent() * 10.0).round() / 10.0,
        }
    }
}

/// Counts for one CRS rule file prefix, or a sum of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    pub should_fire: Rate,
    /// `passed` here is "clean": no finding of the forbidden categories.
    pub should_not_fire: Rate,
    pub unjudged: usize,
    pub not_judged: usize,
    pub errors: usize,
}

impl Counts {
    fn add(&mut self, r: &TestResult) {
        let passed = r.outcome == Outcome::Passed;
        match (&r.outcome, r.kind) {
            (Outcome::Error(_), _) => self.errors += 1,
            (_, Kind::ShouldFire) => self.should_fire.add(passed),
            (_, Kind::ShouldNotFire | Kind::Benign) => self.should_not_fire.add(passed),
            (_, Kind::Unjudged) => self.unjudged += 1,
            (_, Kind::NotJudged) => self.not_judged += 1,
        }
    }

    fn merge(&mut self, other: &Counts) {
        self.should_fire.merge(&other.should_fire);
        self.should_not_fire.merge(&other.should_not_fire);
        self.unjudged += other.unjudged;
        self.not_judged += other.not_judged;
        self.errors += other.errors;
    }

    fn tests(&self) -> usize {
        self.should_fire.total
            + self.should_not_fire.total
            + self.unjudged
            + self.not_judged
            + self.errors
    }
}

/// The figures of one run.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub tests: usize,
    pub files: usize,
    pub file_errors: usize,
    pub not_in_index: usize,
    /// Tests where chunked and one-shot inspection found different things.
    pub chunking_differs: usize,
    /// By CRS prefix.
    pub rows: BTreeMap<u16, Counts>,
    pub folders: BTreeMap<u16, String>,
    /// Request categories 913–944: the acceptance figure.
    pub request: Counts,
    /// 999: benign requests that must raise nothing at paranoia 1.
    pub benign: Counts,
    /// Response phase and anomaly evaluation (949, 95x, 959, 980): not judged.
    pub response: Counts,
}

impl Summary {
    pub fn new(run: &Run) -> Summary {
        let mut s = Summary {
            tests: run.results.len(),
            files: run.files,
            file_errors: run.file_errors.len(),
            not_in_index: run.not_in_index,
            folders: run.folders.clone(),
            ..Summary::default()
        };
        s.chunking_differs = run.results.iter().filter(|r| r.chunking_differs).count();
        for r in &run.results {
            s.rows.entry(r.prefix).or_default().add(r);
        }
        for (&prefix, counts) in &s.rows {
            match judge::group(prefix) {
                Group::Request(_) if (913..=944).contains(&prefix) => s.request.merge(counts),
                Group::Request(_) => {}
                Group::Benign => s.benign.merge(counts),
                Group::Response => s.response.merge(counts),
            }
        }
        s
    }

    fn label(&self, prefix: u16) -> String {
        let folder = self.folders.get(&prefix).map(String::as_str).unwrap_or("");
        // REQUEST-942-APPLICATION-ATTACK-SQLI → APPLICATION-ATTACK-SQLI
        let short = folder.splitn(3, '-').nth(2).unwrap_or(folder);
        let accepted = match judge::group(prefix) {
            Group::Request(c) => c.iter().map(|c| c.name()).collect::<Vec<_>>().join(","),
            Group::Benign => "benign".into(),
            Group::Response => "not judged".into(),
        };
        format!("{prefix} {short} [{accepted}]")
    }
}

/// Prints the summary to stdout.
pub fn print(summary: &Summary, format: Format) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Text => write_text(summary, &mut out)?,
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&json(summary))?)?,
    }
    out.flush()?;
    Ok(())
}

/// The text table.
pub fn write_text(s: &Summary, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "CRS conformance: {} tests in {} files ({} unreadable files, {} tests not in the paranoia index)",
        s.tests, s.files, s.file_errors, s.not_in_index
    )?;
    let width = s
        .rows
        .keys()
        .map(|&p| s.label(p).len())
        .max()
        .unwrap_or(10)
        .max(36);
    let groups = format!(
        "{:<width$}  {:^22}  {:^22}",
        "", "should fire", "should not fire"
    );
    writeln!(out, "{}", groups.trim_end())?;
    writeln!(
        out,
        "{:<width$}  {:>6} {:>7} {:>6}  {:>6} {:>7} {:>6}  {:>8} {:>6} {:>6}",
        "category", "total", "passed", "%", "total", "clean", "%", "unjudged", "errors", "other"
    )?;
    let line = |out: &mut dyn Write, label: &str, c: &Counts| {
        writeln!(
            out,
            "{label:<width$}  {}  {}  {:>8} {:>6} {:>6}",
            c.should_fire.cells(),
            c.should_not_fire.cells(),
            c.unjudged,
            c.errors,
            c.not_judged
        )
    };
    for (&prefix, counts) in &s.rows {
        line(out, &s.label(prefix), counts)?;
    }
    writeln!(out, "{}", "-".repeat(width + 66))?;
    line(out, "request categories 913-944", &s.request)?;
    line(out, "999 benign (no finding at PL1)", &s.benign)?;
    writeln!(
        out,
        "{:<width$}  {} tests (949, 95x, 959, 980)",
        "response/other (not judged)",
        s.response.tests()
    )?;
    if s.chunking_differs > 0 {
        writeln!(
            out,
            "WARNING: in {} tests, feeding the body in chunks changed the findings",
            s.chunking_differs
        )?;
    }
    Ok(())
}

#[derive(Serialize)]
struct CountsJson {
    should_fire: RateJson,
    should_not_fire: RateJson,
    unjudged: usize,
    not_judged: usize,
    errors: usize,
}

impl From<&Counts> for CountsJson {
    fn from(c: &Counts) -> Self {
        CountsJson {
            should_fire: (&c.should_fire).into(),
            should_not_fire: (&c.should_not_fire).into(),
            unjudged: c.unjudged,
            not_judged: c.not_judged,
            errors: c.errors,
        }
    }
}

#[derive(Serialize)]
struct RowJson {
    prefix: u16,
    folder: String,
    accepted: Vec<&'static str>,
    #[serde(flatten)]
    counts: CountsJson,
}

#[derive(Serialize)]
struct SummaryJson {
    tests: usize,
    files: usize,
    file_errors: usize,
    not_in_index: usize,
    chunking_differs: usize,
    categories: Vec<RowJson>,
    request_913_944: CountsJson,
    benign_999: CountsJson,
    response_other_tests: usize,
}

fn json(s: &Summary) -> SummaryJson {
    SummaryJson {
        tests: s.tests,
        files: s.files,
        file_errors: s.file_errors,
        not_in_index: s.not_in_index,
        chunking_differs: s.chunking_differs,
        categories: s
            .rows
            .iter()
            .map(|(&prefix, c)| RowJson {
                prefix,
                folder: s.folders.get(&prefix).cloned().unwrap_or_default(),
                accepted: match judge::group(prefix) {
                    Group::Request(cats) => cats.iter().map(|c| c.name()).collect(),
                    Group::Benign | Group::Response => Vec::new(),
                },
                counts: c.into(),
            })
            .collect(),
        request_913_944: (&s.request).into(),
        benign_999: (&s.benign).into(),
        response_other_tests: s.response.tests(),
    }
}

/// One entry of the failures file.
#[derive(Debug, Serialize)]
struct Failure<'a> {
    rule_id: u64,
    test_id: u64,
    file: &'a str,
    kind: &'static str,
    paranoia: u8,
    categories: Vec<&'static str>,
    reason: String,
}

#[derive(Serialize)]
struct FailuresFile<'a> {
    failures: Vec<Failure<'a>>,
}

/// Writes the failing tests (and unusable files and stages) to `path`: YAML when
/// it ends in `.yaml`/`.yml`, TOML otherwise.
pub fn write_failures(run: &Run, path: &Path) -> Result<()> {
    let mut failures: Vec<Failure> = run
        .file_errors
        .iter()
        .map(|e| Failure {
            rule_id: 0,
            test_id: 0,
            file: &e.relative,
            kind: "error",
            paranoia: 0,
            categories: Vec::new(),
            reason: e.message.clone(),
        })
        .collect();
    for r in &run.results {
        let (kind, reason) = match &r.outcome {
            Outcome::Failed(reason) => (r.kind.name(), reason.clone()),
            Outcome::Error(reason) => ("error", reason.clone()),
            Outcome::Passed | Outcome::Unjudged(_) | Outcome::NotJudged => continue,
        };
        failures.push(Failure {
            rule_id: r.rule_id,
            test_id: r.test_id,
            file: &r.file,
            kind,
            paranoia: r.paranoia.get(),
            categories: r.categories.iter().map(|c| c.name()).collect(),
            reason,
        });
    }
    let doc = FailuresFile { failures };
    let yaml = path.extension().is_some_and(|x| x == "yaml" || x == "yml");
    let header = "# Failing CRS tests from `palisade ftw` (kind, categories found, reason).\n";
    let body = if yaml {
        serde_yaml::to_string(&doc)?
    } else {
        toml::to_string(&doc)?
    };
    std::fs::write(path, format!("{header}{body}"))
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_engine::rule::{Category, Paranoia};

    fn result(prefix: u16, kind: Kind, outcome: Outcome) -> TestResult {
        TestResult {
            file: format!("REQUEST-{prefix}-X-Y/{prefix}100.yaml"),
            prefix,
            rule_id: u64::from(prefix) * 1000 + 100,
            test_id: 1,
            kind,
            paranoia: Paranoia::MIN,
            outcome,
            categories: [Category::Sqli].into(),
            chunking_differs: false,
        }
    }

    fn sample() -> Run {
        let failed = || Outcome::Failed("expected 942100 (sqli); found nothing".into());
        Run {
            results: vec![
                result(942, Kind::ShouldFire, Outcome::Passed),
                result(942, Kind::ShouldFire, failed()),
                result(942, Kind::ShouldNotFire, Outcome::Passed),
                result(911, Kind::ShouldFire, Outcome::Passed),
                result(999, Kind::Benign, failed()),
                result(951, Kind::NotJudged, Outcome::NotJudged),
                result(920, Kind::Unjudged, Outcome::Unjudged("x".into())),
                result(920, Kind::ShouldFire, Outcome::Error("bad base64".into())),
            ],
            files: 6,
            ..Run::default()
        }
    }

    #[test]
    fn counts_and_overall_lines() {
        let s = Summary::new(&sample());
        assert_eq!(s.tests, 8);
        assert_eq!(
            s.rows[&942].should_fire,
            Rate {
                total: 2,
                passed: 1
            }
        );
        assert_eq!(
            s.rows[&942].should_not_fire,
            Rate {
                total: 1,
                passed: 1
            }
        );
        // 911 is outside 913-944.
        assert_eq!(
            s.request.should_fire,
            Rate {
                total: 2,
                passed: 1
            }
        );
        assert_eq!(s.request.unjudged, 1);
        assert_eq!(s.request.errors, 1);
        assert_eq!(
            s.benign.should_not_fire,
            Rate {
                total: 1,
                passed: 0
            }
        );
        assert_eq!(s.response.tests(), 1);
        assert_eq!(s.request.should_fire.percent(), 50.0);
        let mut text = Vec::new();
        write_text(&s, &mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("request categories 913-944"), "{text}");
        let j = serde_json::to_value(json(&s)).unwrap();
        assert_eq!(j["request_913_944"]["should_fire"]["percent"], 50.0);
    }

    #[test]
    fn failures_file_in_both_formats() {
        let dir = std::env::temp_dir().join(format!("palisade-ftw-report-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let run = sample();
        let toml_path = dir.join("f.toml");
        write_failures(&run, &toml_path).unwrap();
        let parsed: toml::Value =
            toml::from_str(&std::fs::read_to_string(&toml_path).unwrap()).unwrap();
        let list = parsed["failures"].as_array().unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[0]["kind"].as_str(), Some("should_fire"));
        assert_eq!(
            list[0]["categories"].as_array().unwrap()[0].as_str(),
            Some("sqli")
        );
        let yaml_path = dir.join("f.yaml");
        write_failures(&run, &yaml_path).unwrap();
        let y: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(&yaml_path).unwrap()).unwrap();
        assert_eq!(y["failures"][2]["kind"].as_str(), Some("error"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
