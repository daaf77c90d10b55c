//! Judging a stage by category: what a CRS test expects, read as "findings of
//! these Palisade categories must (not) appear", and whether they did.
//!
//! Palisade's rules are not CRS rules, so a CRS rule id is mapped to the set of
//! Palisade categories that detect what its rule file is about (see
//! [`group`]). Contract:
//!
//! - `log.expect_ids: [N]` passes when a finding of one of N's categories appears;
//!   `log.no_expect_ids: [N]` passes when none does. An id whose categories are
//!   also required in the same stage cannot be told apart and is not judged.
//! - A request the parser rejects counts as a `protocol` finding (a front end
//!   answers 400); a stage expecting a 4xx other than 403, or `expect_error`,
//!   passes on a rejection outright.
//! - `match_regex` / `no_match_regex` naming `id "N"` expect / forbid N; a
//!   `no_match_regex` on any id (`\[id "\d+"\]`) forbids every finding; another
//!   `match_regex` is read as "the test's own rule logged a match".
//! - With no log expectation: a 4xx status expects the test's rule to fire, a
//!   2xx status expects it not to; anything else is unjudged.
//! - 999 tests (common exceptions: benign traffic) must raise no finding at all;
//!   response-phase and anomaly-evaluation files (949, 95x, 959, 980) are not
//!   judged.
//! - A forbidden id can be set aside ([`Expectation::set_aside`]) when CRS
//!   itself fires a rule of the same category on the request; the evidence
//!   rules live in [`super::siblings`].

use palisade_engine::rule::Category;
use palisade_engine::verdict::Finding;
use std::collections::BTreeSet;

use super::model::Output;

/// What a CRS rule file (by its three-digit prefix) is judged as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// A request-phase attack or protocol file: findings of these categories count.
    Request(&'static [Category]),
    /// Common exceptions (999): benign requests that must raise nothing.
    Benign,
    /// Response phase, anomaly evaluation, correlation: not judged.
    Response,
}

use Category as C;

/// The group of a CRS rule-file prefix.
pub fn group(prefix: u16) -> Group {
    match prefix {
        911 | 920 | 922 => Group::Request(&[C::Protocol]),
        921 => Group::Request(&[C::Protocol, C::HeaderInjection, C::Ldap]),
        913 => Group::Request(&[C::Scanner]),
        930 => Group::Request(&[C::Lfi]),
        931 => Group::Request(&[C::Rfi, C::Ssrf]),
        932 => Group::Request(&[C::Rce]),
        933 => Group::Request(&[C::Php]),
        // 934 is CRS's "generic" file: Node.js, SSRF, template, Perl/Ruby and
        // ORM filter injection (`username__startswith`), which Palisade files
        // under nosqli with the other operator-through-parameter-name attacks.
        934 => Group::Request(&[
            C::Nodejs,
            C::Ssrf,
            C::Ssti,
            C::Rce,
            C::Java,
            C::Php,
            C::Nosqli,
        ]),
        941 => Group::Request(&[C::Xss]),
        // CRS keeps its MongoDB operator rule (942290) in the SQLi file;
        // Palisade reports those as nosqli.
        942 => Group::Request(&[C::Sqli, C::Nosqli]),
        943 => Group::Request(&[C::SessionFixation]),
        944 => Group::Request(&[C::Java]),
        999 => Group::Benign,
        _ => Group::Response,
    }
}

/// The prefix of a test file from its folder (`REQUEST-942-…/942100.yaml` → 942),
/// else from the file's rule id.
pub fn file_prefix(relative: &str, rule_id: u64) -> u16 {
    relative
        .split('/')
        .find_map(|part| {
            let rest = part
                .strip_prefix("REQUEST-")
                .or_else(|| part.strip_prefix("RESPONSE-"))?;
            rest.get(..3)?.parse::<u16>().ok()
        })
        .or_else(|| id_prefix(rule_id))
        .unwrap_or(0)
}

/// The prefix of a six-digit CRS rule id (942100 → 942).
pub fn id_prefix(id: u64) -> Option<u16> {
    (100_000..=999_999)
        .contains(&id)
        .then_some((id / 1000) as u16)
}

/// How a test counts in the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    ShouldFire,
    ShouldNotFire,
    Benign,
    Unjudged,
    NotJudged,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::ShouldFire => "should_fire",
            Kind::ShouldNotFire => "should_not_fire",
            Kind::Benign => "benign",
            Kind::Unjudged => "unjudged",
            Kind::NotJudged => "not_judged",
        }
    }
}

/// A CRS rule id and the categories that stand for it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stand {
    id: u64,
    categories: &'static [Category],
}

/// What one stage expects, in categories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    pub kind: Kind,
    required: Vec<Stand>,
    forbidden: Vec<Stand>,
    /// No finding of any category may appear.
    forbid_all: bool,
    /// A parser rejection satisfies the stage (expected 400 / connection error).
    rejection_passes: bool,
    /// Why the stage is unjudged, when it is.
    pub note: Option<String>,
}

impl Expectation {
    fn new(kind: Kind) -> Expectation {
        Expectation {
            kind,
            required: Vec::new(),
            forbidden: Vec::new(),
            forbid_all: false,
            rejection_passes: false,
            note: None,
        }
    }

    fn unjudged(kind: Kind, note: String) -> Expectation {
        Expectation {
            note: Some(note),
            ..Expectation::new(kind)
        }
    }
}

impl Expectation {
    /// The categories the stage requires (empty for a should-not-fire stage).
    pub fn required_categories(&self) -> BTreeSet<Category> {
        self.required
            .iter()
            .flat_map(|r| r.categories.iter().copied())
            .collect()
    }

    /// The forbidden rule ids and the categories standing for each.
    pub fn forbidden(&self) -> impl Iterator<Item = (u64, &'static [Category])> + '_ {
        self.forbidden.iter().map(|f| (f.id, f.categories))
    }

    /// Stops judging forbidden id `id` (CRS itself fires a rule of the same
    /// category on this request, see [`super::siblings`]). A stage left with
    /// nothing to judge becomes unjudged, with `note` as the reason.
    pub fn set_aside(&mut self, id: u64, note: String) {
        self.forbidden.retain(|f| f.id != id);
        if self.required.is_empty() && self.forbidden.is_empty() && !self.forbid_all {
            self.kind = Kind::Unjudged;
            self.note = Some(note);
        }
    }
}

fn stand(id: u64, fallback: &'static [Category]) -> Option<Stand> {
    match id_prefix(id).map(group) {
        Some(Group::Request(categories)) => Some(Stand { id, categories }),
        Some(Group::Benign | Group::Response) => None,
        None => Some(Stand {
            id,
            categories: fallback,
        }),
    }
}

/// `id "N"` references in a log regex (with or without regex escapes).
fn regex_ids(regex: &str) -> Vec<u64> {
    let mut ids = Vec::new();
    let mut rest = regex;
    while let Some(i) = rest.find("id \"") {
        rest = rest.get(i + 4..).unwrap_or_default();
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(id) = digits.parse() {
            ids.push(id);
        }
    }
    ids
}

/// Reads a stage's expected output. `prefix` and `rule_id` are the test file's.
pub fn expectation(prefix: u16, rule_id: u64, output: &Output) -> Expectation {
    let own = match group(prefix) {
        Group::Response => return Expectation::new(Kind::NotJudged),
        Group::Benign => {
            let mut e = Expectation::new(Kind::Benign);
            e.forbid_all = true;
            return e;
        }
        Group::Request(categories) => Stand {
            id: rule_id,
            categories,
        },
    };
    let mut e = Expectation::new(Kind::ShouldFire);
    let log = &output.log;
    e.required.extend(
        log.expect_ids
            .iter()
            .flatten()
            .filter_map(|&id| stand(id, own.categories)),
    );
    e.forbidden.extend(
        log.no_expect_ids
            .iter()
            .flatten()
            .filter_map(|&id| stand(id, own.categories)),
    );
    if let Some(regex) = output.match_regex() {
        let ids = regex_ids(regex);
        if ids.is_empty() {
            if e.required.is_empty() {
                e.required.push(own.clone());
            }
        } else {
            e.required
                .extend(ids.into_iter().filter_map(|id| stand(id, own.categories)));
        }
    }
    let mut unjudged_regex = None;
    if let Some(regex) = output.no_match_regex() {
        let ids = regex_ids(regex);
        if !ids.is_empty() {
            e.forbidden
                .extend(ids.into_iter().filter_map(|id| stand(id, own.categories)));
        } else if regex.contains("id \"") {
            e.forbid_all = true;
        } else {
            unjudged_regex = Some(regex.to_string());
        }
    }
    let codes = output
        .status
        .as_ref()
        .map(|s| s.codes())
        .unwrap_or_default();
    let front_end_reject = codes.iter().any(|&c| (400..500).contains(&c) && c != 403);
    let expect_error = output.expect_error == Some(true);
    e.rejection_passes = front_end_reject || expect_error;
    let from_log = !e.required.is_empty() || !e.forbidden.is_empty() || e.forbid_all;
    if !from_log {
        if expect_error || (!codes.is_empty() && codes.iter().all(|c| (400..500).contains(c))) {
            e.required.push(own);
        } else if !codes.is_empty() && codes.iter().all(|c| (200..300).contains(c)) {
            e.forbidden.push(own);
        } else {
            let what = match unjudged_regex {
                Some(r) => format!("no_match_regex `{r}` names no rule id"),
                None if codes.is_empty() => "no expectation a category can answer".to_string(),
                None => format!("status {codes:?} alone"),
            };
            return Expectation::unjudged(Kind::Unjudged, what);
        }
    }
    // An id whose categories a required id also covers cannot be judged by category.
    let required = e.required.clone();
    e.forbidden.retain(|f| {
        !required
            .iter()
            .any(|r| r.categories.iter().any(|c| f.categories.contains(c)))
    });
    e.kind = if !e.required.is_empty() {
        Kind::ShouldFire
    } else if !e.forbidden.is_empty() || e.forbid_all {
        Kind::ShouldNotFire
    } else {
        return Expectation::unjudged(
            Kind::Unjudged,
            "forbidden ids share categories with required ids".into(),
        );
    };
    e
}

/// What the engine made of a stage's request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    /// The raw request could not be parsed (a front end would answer 400).
    Rejected(String),
    /// The engine's findings.
    Inspected(Vec<Finding>),
}

impl Observed {
    /// The categories seen; a rejection is a protocol finding.
    pub fn categories(&self) -> BTreeSet<Category> {
        match self {
            Observed::Rejected(_) => BTreeSet::from([Category::Protocol]),
            Observed::Inspected(findings) => findings.iter().map(|f| f.category).collect(),
        }
    }

    /// A short description of what was seen in `categories`.
    fn describe(&self, categories: &[Category]) -> String {
        match self {
            Observed::Rejected(reason) => format!("rejected by the parser: {reason}"),
            Observed::Inspected(findings) => {
                let shown: Vec<String> = findings
                    .iter()
                    .filter(|f| categories.is_empty() || categories.contains(&f.category))
                    .take(4)
                    .map(|f| format!("{} {} at {}", f.rule_id, f.category, f.target))
                    .collect();
                shown.join("; ")
            }
        }
    }
}

fn names(categories: &[Category]) -> String {
    categories
        .iter()
        .map(|c| c.name())
        .collect::<Vec<_>>()
        .join("/")
}

/// Judges one stage: `Ok` when it passes, else the reason.
pub fn judge(expectation: &Expectation, observed: &Observed) -> Result<(), String> {
    if expectation.rejection_passes && matches!(observed, Observed::Rejected(_)) {
        return Ok(());
    }
    let seen = observed.categories();
    if expectation.forbid_all && !seen.is_empty() {
        return Err(format!(
            "must raise nothing; found {}",
            observed.describe(&[])
        ));
    }
    for r in &expectation.required {
        if !r.categories.iter().any(|c| seen.contains(c)) {
            let found = if seen.is_empty() {
                "nothing".to_string()
            } else {
                observed.describe(&[])
            };
            return Err(format!(
                "expected {} ({}); found {found}",
                r.id,
                names(r.categories)
            ));
        }
    }
    for f in &expectation.forbidden {
        if f.categories.iter().any(|c| seen.contains(c)) {
            return Err(format!(
                "must not fire {} ({}); found {}",
                f.id,
                names(f.categories),
                observed.describe(f.categories)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ftw::model::{Log, Status};
    use palisade_engine::rule::{Paranoia, RuleId, Severity};

    fn finding(category: Category) -> Finding {
        Finding {
            rule_id: RuleId(category.id_range().0 + 1),
            category,
            severity: Severity::Critical,
            paranoia: Paranoia::MIN,
            message: String::new(),
            target: "args:var".into(),
            transforms: "none".into(),
            excerpt: String::new(),
        }
    }

    fn out(expect: &[u64], no_expect: &[u64]) -> Output {
        Output {
            log: Log {
                expect_ids: (!expect.is_empty()).then(|| expect.to_vec()),
                no_expect_ids: (!no_expect.is_empty()).then(|| no_expect.to_vec()),
                ..Log::default()
            },
            ..Output::default()
        }
    }

    fn seen(categories: &[Category]) -> Observed {
        Observed::Inspected(categories.iter().map(|&c| finding(c)).collect())
    }

    #[test]
    fn prefixes() {
        assert_eq!(
            file_prefix("REQUEST-933-APPLICATION-ATTACK-PHP/933200.yaml", 9331200),
            933
        );
        assert_eq!(file_prefix("RESPONSE-951-X/951110.yaml", 0), 951);
        assert_eq!(file_prefix("elsewhere/942100.yaml", 942100), 942);
        assert_eq!(id_prefix(9331200), None);
    }

    #[test]
    fn expect_and_no_expect_by_category() {
        let e = expectation(942, 942100, &out(&[942100], &[]));
        assert_eq!(e.kind, Kind::ShouldFire);
        assert!(judge(&e, &seen(&[Category::Sqli])).is_ok());
        let err = judge(&e, &seen(&[Category::Xss])).unwrap_err();
        assert!(err.contains("expected 942100 (sqli"), "{err}");
        let n = expectation(942, 942100, &out(&[], &[942100]));
        assert_eq!(n.kind, Kind::ShouldNotFire);
        assert!(judge(&n, &seen(&[Category::Xss])).is_ok());
        assert!(judge(&n, &seen(&[Category::Sqli])).is_err());
        // The other-prefix id in a 934 test counts with its own file's categories.
        let multi = expectation(934, 934190, &out(&[934110, 934190], &[]));
        assert!(judge(&multi, &seen(&[Category::Ssrf])).is_ok());
        // 921 accepts header injection.
        let hi = expectation(921, 921140, &out(&[921140], &[]));
        assert!(judge(&hi, &seen(&[Category::HeaderInjection])).is_ok());
    }

    #[test]
    fn rejection_is_protocol_and_passes_expected_400() {
        let rejected = Observed::Rejected("invalid token".into());
        let proto = expectation(920, 920100, &out(&[920100], &[]));
        assert!(judge(&proto, &rejected).is_ok());
        let sqli = expectation(942, 942100, &out(&[942100], &[]));
        assert!(judge(&sqli, &rejected)
            .unwrap_err()
            .contains("rejected by the parser"));
        let mut o = out(&[], &[921140]);
        o.status = Some(Status::One(400));
        let e = expectation(921, 921140, &o);
        assert!(judge(&e, &rejected).is_ok());
        let mut ok = out(&[], &[920160]);
        ok.status = Some(Status::One(200));
        assert!(judge(&expectation(920, 920160, &ok), &rejected).is_err());
    }

    #[test]
    fn status_only_and_regex_stages() {
        let status = |code| Output {
            status: Some(Status::One(code)),
            ..Output::default()
        };
        assert_eq!(
            expectation(920, 920100, &status(400)).kind,
            Kind::ShouldFire
        );
        assert_eq!(
            expectation(920, 920100, &status(200)).kind,
            Kind::ShouldNotFire
        );
        assert_eq!(expectation(920, 920100, &status(302)).kind, Kind::Unjudged);
        assert_eq!(
            expectation(920, 920100, &Output::default()).kind,
            Kind::Unjudged
        );
        let regex = |m: Option<&str>, n: Option<&str>| Output {
            log: Log {
                match_regex: m.map(str::to_string),
                no_match_regex: n.map(str::to_string),
                ..Log::default()
            },
            ..Output::default()
        };
        let own = expectation(933, 933120, &regex(Some("found within ARGS:var:"), None));
        assert!(judge(&own, &seen(&[Category::Php])).is_ok());
        let named = expectation(922, 922130, &regex(None, Some(r#"error|\[id "922130"\]"#)));
        assert_eq!(named.kind, Kind::ShouldNotFire);
        assert!(judge(&named, &seen(&[Category::Protocol])).is_err());
        let any = expectation(920, 920100, &regex(None, Some(r#"\[id "\d+"\]"#)));
        assert!(judge(&any, &seen(&[Category::Xss])).is_err());
        assert!(judge(&any, &seen(&[])).is_ok());
    }

    #[test]
    fn benign_and_response() {
        let b = expectation(999, 999999, &out(&[932237], &[]));
        assert_eq!(b.kind, Kind::Benign);
        assert!(judge(&b, &seen(&[])).is_ok());
        assert!(judge(&b, &seen(&[Category::Custom])).is_err());
        assert!(judge(&b, &Observed::Rejected("x".into())).is_err());
        assert_eq!(
            expectation(951, 951110, &out(&[951110], &[])).kind,
            Kind::NotJudged
        );
        assert_eq!(
            expectation(949, 949110, &out(&[949110], &[])).kind,
            Kind::NotJudged
        );
    }

    #[test]
    fn conflicting_forbidden_ids_are_not_judged() {
        let e = expectation(942, 942100, &out(&[942100], &[942101]));
        assert_eq!(e.kind, Kind::ShouldFire);
        assert!(judge(&e, &seen(&[Category::Sqli])).is_ok());
    }
}
