//! Exclusions: turning rules off where they misfire, by rule id, id range, tag
//! or category, for every target or only named ones, within a scope.
//!
//! An exclusion never widens anything: it only removes findings. A finding is
//! removed when the request is in the exclusion's scope, the rule is selected,
//! and the target is selected (or no targets are named).

use crate::matcher::RuleMeta;
use crate::rule::Category;
use crate::scope::{Scope, ScopeInput};
use serde::Deserialize;

/// An `[[exclusions]]` entry as written.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ExclusionSpec {
    /// Rule ids to turn off.
    #[serde(default)]
    pub rule_ids: Vec<u32>,
    /// Inclusive id ranges, `"16000-16999"`.
    #[serde(default)]
    pub rule_ranges: Vec<String>,
    /// Rules carrying any of these tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Rules of these categories.
    #[serde(default)]
    pub categories: Vec<Category>,
    /// Targets the exclusion is limited to (`args:q`, `json:comment.body`,
    /// `cookie:session`, `header:user-agent`, or a whole class such as `args`).
    #[serde(default)]
    pub targets: Vec<String>,
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub path_prefix: Option<String>,
    #[serde(default)]
    pub path_glob: Option<String>,
    #[serde(default)]
    pub methods: Vec<String>,
    /// Why the exclusion exists (shown by `policy explain`).
    #[serde(default)]
    pub reason: Option<String>,
}

/// Why an exclusion is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExclusionError {
    #[error("an exclusion must select rules: set rule_ids, rule_ranges, tags or categories")]
    NoRules,
    #[error("invalid rule range `{0}`: expected `FIRST-LAST` with FIRST <= LAST")]
    Range(String),
    #[error("invalid target `{0}`: expected `prefix` or `prefix:name` (args, args_names, json, json_keys, xml, xml_attrs, cookie, cookie_names, header, header_names, files, file_content, path, uri, query_string, body, method)")]
    Target(String),
    #[error(transparent)]
    Scope(#[from] crate::scope::ScopeError),
}

const TARGET_PREFIXES: [&str; 18] = [
    "args",
    "args_names",
    "json",
    "json_keys",
    "xml",
    "xml_attrs",
    "xml_markup",
    "cookie",
    "cookie_names",
    "header",
    "header_names",
    "files",
    "file_content",
    "path",
    "uri",
    "query_string",
    "body",
    "method",
];

#[derive(Debug, Clone, PartialEq, Eq)]
struct TargetFilter {
    prefix: String,
    name: Option<String>,
}

impl TargetFilter {
    fn parse(text: &str) -> Result<TargetFilter, ExclusionError> {
        let (prefix, name) = match text.split_once(':') {
            Some((p, n)) => (p.to_ascii_lowercase(), Some(n.to_string())),
            None => (text.to_ascii_lowercase(), None),
        };
        let prefix = match prefix.as_str() {
            "cookies" => "cookie".to_string(),
            "headers" => "header".to_string(),
            "arg_names" => "args_names".to_string(),
            _ => prefix,
        };
        if !TARGET_PREFIXES.contains(&prefix.as_str()) || name.as_deref() == Some("") {
            return Err(ExclusionError::Target(text.to_string()));
        }
        // `header:cookie` means the cookies, which are inspected one by one.
        if prefix == "header"
            && name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case("cookie"))
        {
            return Ok(TargetFilter {
                prefix: "cookie".into(),
                name: None,
            });
        }
        Ok(TargetFilter { prefix, name })
    }

    fn matches(&self, label: &str) -> bool {
        let (prefix, name) = match label.split_once(':') {
            Some((p, n)) => (p, Some(n)),
            None => (label, None),
        };
        let prefix_ok = prefix == self.prefix
            || (self.prefix == "cookie" && self.name.is_none() && prefix == "cookie_names");
        prefix_ok
            && match (&self.name, name) {
                (None, _) => true,
                (Some(want), Some(have)) => want.eq_ignore_ascii_case(have),
                (Some(_), None) => false,
            }
    }
}

/// A compiled exclusion.
#[derive(Debug, Clone)]
pub struct Exclusion {
    rule_ids: Vec<u32>,
    ranges: Vec<(u32, u32)>,
    tags: Vec<String>,
    categories: Vec<Category>,
    targets: Vec<TargetFilter>,
    scope: Scope,
    pub reason: Option<String>,
}

impl Exclusion {
    /// Validates and compiles an entry.
    pub fn compile(spec: &ExclusionSpec) -> Result<Exclusion, ExclusionError> {
        if spec.rule_ids.is_empty()
            && spec.rule_ranges.is_empty()
            && spec.tags.is_empty()
            && spec.categories.is_empty()
        {
            return Err(ExclusionError::NoRules);
        }
        let mut ranges = Vec::new();
        for r in &spec.rule_ranges {
            let parsed = r.split_once('-').and_then(|(a, b)| {
                Some((a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?))
            });
            match parsed {
                Some((a, b)) if a <= b => ranges.push((a, b)),
                _ => return Err(ExclusionError::Range(r.clone())),
            }
        }
        let targets = spec
            .targets
            .iter()
            .map(|t| TargetFilter::parse(t))
            .collect::<Result<Vec<_>, _>>()?;
        let scope = Scope::compile(&crate::scope::scope_spec_of!(spec))?;
        Ok(Exclusion {
            rule_ids: spec.rule_ids.clone(),
            ranges,
            tags: spec.tags.clone(),
            categories: spec.categories.clone(),
            targets,
            scope,
            reason: spec.reason.clone(),
        })
    }

    /// Whether the request is in the exclusion's scope.
    pub fn in_scope(&self, input: &ScopeInput<'_>) -> bool {
        self.scope.matches(input)
    }

    /// Whether the exclusion selects this rule (by id, range, tag or category).
    pub fn selects_rule(&self, id: u32, category: Category, tags: &[String]) -> bool {
        self.rule_ids.contains(&id)
            || self.ranges.iter().any(|&(a, b)| (a..=b).contains(&id))
            || self.categories.contains(&category)
            || self.tags.iter().any(|t| tags.contains(t))
    }

    /// Whether the exclusion selects a rule from the compiled set.
    pub fn selects(&self, rule: &RuleMeta) -> bool {
        self.selects_rule(rule.id.0, rule.category, &rule.tags)
    }

    /// Whether the exclusion covers this target label (`args:q`); true when no
    /// targets are named.
    pub fn covers_target(&self, label: &str) -> bool {
        self.targets.is_empty() || self.targets.iter().any(|t| t.matches(label))
    }

    /// Whether the exclusion switches the rule off everywhere (no target list).
    pub fn is_whole_rule(&self) -> bool {
        self.targets.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ExclusionSpec {
        ExclusionSpec {
            rule_ids: vec![16002],
            ..ExclusionSpec::default()
        }
    }

    #[test]
    fn selects_rules_by_id_range_tag_and_category() {
        let e = Exclusion::compile(&ExclusionSpec {
            rule_ranges: vec!["17000-17099".into()],
            tags: vec!["noisy".into()],
            ..spec()
        })
        .unwrap();
        assert!(e.selects_rule(16002, Category::Sqli, &[]));
        assert!(e.selects_rule(17050, Category::Xss, &[]));
        assert!(e.selects_rule(14001, Category::Rce, &["noisy".into()]));
        assert!(!e.selects_rule(14001, Category::Rce, &[]));
    }

    #[test]
    fn targets_match_labels() {
        let e = Exclusion::compile(&ExclusionSpec {
            targets: vec![
                "args:q".into(),
                "json:comment.body".into(),
                "header:cookie".into(),
            ],
            ..spec()
        })
        .unwrap();
        assert!(e.covers_target("args:q"));
        assert!(!e.covers_target("args:qq"));
        assert!(e.covers_target("json:comment.body"));
        assert!(e.covers_target("cookie:session"));
        assert!(!e.covers_target("header:user-agent"));
        let class = Exclusion::compile(&ExclusionSpec {
            targets: vec!["args".into()],
            ..spec()
        })
        .unwrap();
        assert!(class.covers_target("args:anything"));
        assert!(!class.covers_target("json:x"));
    }

    #[test]
    fn invalid_entries_are_rejected() {
        assert_eq!(
            Exclusion::compile(&ExclusionSpec::default()).err(),
            Some(ExclusionError::NoRules)
        );
        assert!(Exclusion::compile(&ExclusionSpec {
            rule_ranges: vec!["9-1".into()],
            ..spec()
        })
        .is_err());
        assert!(Exclusion::compile(&ExclusionSpec {
            targets: vec!["argz:q".into()],
            ..spec()
        })
        .is_err());
    }
}
