//! The paranoia index: which paranoia level each CRS test runs at.
//!
//! The file is tab-separated with a header line naming its columns (at least
//! `file`, `rule_id`, `test_id`, `rule_paranoia_level`). A test is looked up by
//! (file, test id), then by (rule id, test id), then by rule id alone (the level
//! belongs to the rule). An empty level means "no paranoia tag" and reads as 1.

use anyhow::{anyhow, Context, Result};
use palisade_engine::rule::Paranoia;
use std::collections::HashMap;
use std::path::Path;

/// Paranoia levels by test.
#[derive(Debug, Default, Clone)]
pub struct ParanoiaIndex {
    by_file_test: HashMap<(String, u64), Paranoia>,
    by_rule_test: HashMap<(u64, u64), Paranoia>,
    by_rule: HashMap<u64, Paranoia>,
}

impl ParanoiaIndex {
    /// Reads an index file.
    pub fn load(path: &Path) -> Result<ParanoiaIndex> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading paranoia index {}", path.display()))?;
        ParanoiaIndex::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    /// Parses index text.
    pub fn parse(text: &str) -> Result<ParanoiaIndex> {
        let mut lines = text.lines().enumerate();
        let (_, header) = lines.next().ok_or_else(|| anyhow!("empty index"))?;
        let columns: Vec<&str> = header.split('\t').map(str::trim).collect();
        let col = |name: &str| {
            columns
                .iter()
                .position(|c| *c == name)
                .ok_or_else(|| anyhow!("line 1: no `{name}` column"))
        };
        let (file_col, rule_col, test_col, level_col) = (
            col("file")?,
            col("rule_id")?,
            col("test_id")?,
            col("rule_paranoia_level")?,
        );
        let mut index = ParanoiaIndex::default();
        for (n, line) in lines {
            if line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let field = |i: usize| fields.get(i).map(|f| f.trim()).unwrap_or("");
            let number = |i: usize, what: &str| {
                field(i)
                    .parse::<u64>()
                    .map_err(|_| anyhow!("line {}: bad {what} `{}`", n + 1, field(i)))
            };
            let rule = number(rule_col, "rule_id")?;
            let test = number(test_col, "test_id")?;
            let level = match field(level_col) {
                "" => Paranoia::MIN,
                text => text
                    .parse::<u8>()
                    .ok()
                    .and_then(Paranoia::new)
                    .ok_or_else(|| anyhow!("line {}: bad paranoia level `{text}`", n + 1))?,
            };
            index
                .by_file_test
                .insert((field(file_col).to_string(), test), level);
            index.by_rule_test.insert((rule, test), level);
            index.by_rule.entry(rule).or_insert(level);
        }
        Ok(index)
    }

    /// The level for a test, if the index knows it.
    pub fn level(&self, file: &str, rule_id: u64, test_id: u64) -> Option<Paranoia> {
        self.by_file_test
            .get(&(file.to_string(), test_id))
            .or_else(|| self.by_rule_test.get(&(rule_id, test_id)))
            .or_else(|| self.by_rule.get(&rule_id))
            .copied()
    }

    /// The level of a rule (from any of its tests), if the index lists it.
    pub fn rule_level(&self, rule_id: u64) -> Option<Paranoia> {
        self.by_rule.get(&rule_id).copied()
    }

    /// How many tests the index lists.
    pub fn len(&self) -> usize {
        self.by_file_test.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_file_test.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_up_by_file_then_rule() {
        let text = "file\trule_id\ttest_id\trule_paranoia_level\tkind\texpect_ids\tno_expect_ids\n\
                    R-933/933200.yaml\t933200\t1\t2\texpect\t933200\t\n\
                    R-999/999999.yml\t999999\t1\t\tother\t\t\n";
        let idx = ParanoiaIndex::parse(text).unwrap();
        assert_eq!(idx.len(), 2);
        assert_eq!(idx.level("R-933/933200.yaml", 9331200, 1), Paranoia::new(2));
        assert_eq!(idx.level("elsewhere.yaml", 933200, 7), Paranoia::new(2));
        assert_eq!(
            idx.level("R-999/999999.yml", 999999, 1),
            Some(Paranoia::MIN)
        );
        assert_eq!(idx.level("x.yaml", 1, 1), None);
    }

    #[test]
    fn rejects_bad_rows_with_line_numbers() {
        let e = ParanoiaIndex::parse("file\trule_id\ttest_id\trule_paranoia_level\nf\tx\t1\t1\n")
            .unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        assert!(ParanoiaIndex::parse("file\trule_id\n").is_err());
    }
}
