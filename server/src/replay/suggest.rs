//! `--suggest-exclusions`: collects the findings on known-good requests as
//! rule × path × target and writes them as policy `[[exclusions]]` entries
//! (TOML), each commented with its counts and an example request, in a
//! deterministic order.
//!
//! Scopes are as narrow as the traffic allows: the host, the exact
//! normalised path and the methods seen. When at least
//! [`SIBLINGS_FOR_GLOB`] paths under the same parent directory (not `/`)
//! share the same rules and target, they become one `path_glob = "/dir/*"`
//! entry (one segment, never a prefix). Every entry is compiled with the
//! engine's own exclusion parser before it is written; findings no
//! exclusion can remove (built-in protocol checks, custom rules) are listed
//! in comments instead.

use super::record::Replayed;
use super::top::{TopTable, DEFAULT_KEYS};
use palisade_engine::exclusion::{Exclusion, ExclusionSpec};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Write;

/// Distinct paths under one directory that turn into a one-segment glob.
pub const SIBLINGS_FOR_GLOB: usize = 5;
/// Longest example request kept in a comment.
const EXAMPLE_CHARS: usize = 100;
/// Methods listed per entry; more than this many means "any method".
const MAX_METHODS: usize = 8;

/// Host, normalised path, target label.
type Key = (String, String, String);

#[derive(Debug, Clone, Default)]
struct RuleSeen {
    requests: u64,
    category: String,
    message: String,
}

#[derive(Debug, Clone, Default)]
struct Group {
    requests: u64,
    rules: BTreeMap<u32, RuleSeen>,
    methods: BTreeSet<String>,
    example: String,
}

/// Collects findings on known-good traffic.
pub struct Suggestions {
    excludable: HashSet<u32>,
    groups: TopTable<Key, Group>,
    /// Findings no exclusion removes: rule → (requests, message).
    not_excludable: BTreeMap<u32, (u64, String)>,
    /// Known-good requests seen, and those with findings.
    pub known_good: u64,
    pub with_findings: u64,
    /// Findings skipped because the path is not UTF-8 text.
    unusable_paths: u64,
}

fn printable(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.chars().take(max) {
        if c.is_control() {
            out.push_str(&format!("\\x{:02x}", u32::from(c) & 0xff));
        } else {
            out.push(c);
        }
    }
    if text.chars().count() > max {
        out.push_str("...");
    }
    out
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn toml_list(items: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(", "))
}

/// One entry to write.
struct Entry {
    host: String,
    path: String,
    glob: bool,
    target: String,
    group: Group,
    merged_paths: usize,
}

impl Suggestions {
    /// `excludable` are the ids of the compiled signature rules (what an
    /// exclusion can select).
    pub fn new(excludable: HashSet<u32>) -> Suggestions {
        Suggestions {
            excludable,
            groups: TopTable::new(DEFAULT_KEYS),
            not_excludable: BTreeMap::new(),
            known_good: 0,
            with_findings: 0,
            unusable_paths: 0,
        }
    }

    /// Counts the findings of a known-good request.
    pub fn add(&mut self, r: &Replayed<'_>) {
        self.known_good += 1;
        let findings = &r.verdict.findings;
        if findings.is_empty() {
            return;
        }
        self.with_findings += 1;
        let head = &r.exchange.head;
        let Ok(path) = String::from_utf8(head.normalised_path()) else {
            self.unusable_paths += 1;
            return;
        };
        let host = r.host();
        let mut seen_keys: Vec<(Key, u32)> = Vec::new();
        let mut seen_other: Vec<u32> = Vec::new();
        for f in findings {
            let id = f.rule_id.0;
            if !self.excludable.contains(&id) {
                if !seen_other.contains(&id) {
                    seen_other.push(id);
                    let e = self
                        .not_excludable
                        .entry(id)
                        .or_insert_with(|| (0, f.message.clone()));
                    e.0 += 1;
                }
                continue;
            }
            let key = (host.clone(), path.clone(), f.target.clone());
            if seen_keys.iter().any(|(k, i)| *k == key && *i == id) {
                continue;
            }
            let first_for_key = !seen_keys.iter().any(|(k, _)| *k == key);
            seen_keys.push((key.clone(), id));
            let group = self.groups.entry(&key);
            if first_for_key {
                group.requests += 1;
                if group.methods.len() <= MAX_METHODS {
                    group.methods.insert(head.method.clone());
                }
                if group.example.is_empty() {
                    group.example =
                        format!("{} {}", head.method, printable(&r.target(), EXAMPLE_CHARS));
                }
            }
            let rule = group.rules.entry(id).or_default();
            rule.requests += 1;
            if rule.message.is_empty() {
                rule.category = f.category.name().to_string();
                rule.message = f.message.clone();
            }
        }
    }

    /// The entries: exact paths, siblings merged into one-segment globs.
    fn entries(&self) -> Vec<Entry> {
        // (host, parent dir, target, rule ids) → paths under it.
        let mut by_parent: BTreeMap<(String, String, String, Vec<u32>), Vec<&Key>> =
            BTreeMap::new();
        for (key, group) in self.groups.iter() {
            let (host, path, target) = key;
            let parent = match path.rfind('/') {
                Some(i) if i > 0 => path.get(..i).unwrap_or_default().to_string(),
                _ => String::new(),
            };
            let rules: Vec<u32> = group.rules.keys().copied().collect();
            by_parent
                .entry((host.clone(), parent, target.clone(), rules))
                .or_default()
                .push(key);
        }
        let mut entries = Vec::new();
        for ((host, parent, target, _), keys) in by_parent {
            let globbable = !parent.is_empty()
                && !parent.contains(['*', '?'])
                && keys.len() >= SIBLINGS_FOR_GLOB;
            if globbable {
                let mut merged = Group::default();
                let mut keys = keys;
                keys.sort();
                for key in &keys {
                    let Some(g) = self.groups.get(key) else {
                        continue;
                    };
                    merged.requests += g.requests;
                    merged.methods.extend(g.methods.iter().cloned());
                    if merged.example.is_empty() {
                        merged.example = g.example.clone();
                    }
                    for (id, r) in &g.rules {
                        let m = merged.rules.entry(*id).or_default();
                        m.requests += r.requests;
                        m.category = r.category.clone();
                        m.message = r.message.clone();
                    }
                }
                entries.push(Entry {
                    host,
                    path: format!("{parent}/*"),
                    glob: true,
                    target,
                    group: merged,
                    merged_paths: keys.len(),
                });
            } else {
                for key in keys {
                    if let Some(g) = self.groups.get(key) {
                        entries.push(Entry {
                            host: key.0.clone(),
                            path: key.1.clone(),
                            glob: false,
                            target: key.2.clone(),
                            group: g.clone(),
                            merged_paths: 1,
                        });
                    }
                }
            }
        }
        entries.sort_by(|a, b| (&a.host, &a.path, &a.target).cmp(&(&b.host, &b.path, &b.target)));
        entries
    }

    /// Writes the TOML file; returns the number of `[[exclusions]]` written.
    pub fn write(
        &self,
        out: &mut dyn Write,
        filter: &str,
        inputs: &[String],
    ) -> std::io::Result<usize> {
        let entries = self.entries();
        writeln!(
            out,
            "# Exclusions suggested by `palisade replay --suggest-exclusions` from findings"
        )?;
        writeln!(
            out,
            "# on known-good traffic ({}).",
            if filter.is_empty() {
                "the whole input".to_string()
            } else {
                format!("--known-good {filter}")
            }
        )?;
        writeln!(out, "# Inputs: {}", printable(&inputs.join(" "), 400))?;
        writeln!(
            out,
            "# {} known-good requests, {} with findings. Review every entry before use:",
            self.known_good, self.with_findings
        )?;
        writeln!(
            out,
            "# an exclusion stops these rules from seeing this target on this path, for"
        )?;
        writeln!(
            out,
            "# attacks too. Paste the entries into your policy, then `palisade policy check`."
        )?;
        let mut written = 0;
        for e in &entries {
            let methods: Vec<String> = if e.group.methods.len() > MAX_METHODS {
                Vec::new()
            } else {
                e.group.methods.iter().cloned().collect()
            };
            let spec = ExclusionSpec {
                rule_ids: e.group.rules.keys().copied().collect(),
                targets: vec![e.target.clone()],
                hosts: if e.host.is_empty() {
                    Vec::new()
                } else {
                    vec![e.host.clone()]
                },
                path: (!e.glob).then(|| e.path.clone()),
                path_glob: e.glob.then(|| e.path.clone()),
                methods: methods.clone(),
                ..ExclusionSpec::default()
            };
            writeln!(out)?;
            if let Err(problem) = Exclusion::compile(&spec) {
                writeln!(
                    out,
                    "# not suggested: {} on {} {}: {problem}",
                    e.target,
                    printable(&e.host, 100),
                    printable(&e.path, 200)
                )?;
                continue;
            }
            let plural = if e.group.requests == 1 { "" } else { "s" };
            writeln!(
                out,
                "# {} request{plural}, e.g. {}",
                e.group.requests, e.group.example
            )?;
            if e.merged_paths > 1 {
                writeln!(
                    out,
                    "# {} sibling paths under this directory",
                    e.merged_paths
                )?;
            }
            for (id, r) in &e.group.rules {
                writeln!(
                    out,
                    "#   {id} {} {} ({})",
                    r.category,
                    printable(&r.message, 100),
                    r.requests
                )?;
            }
            writeln!(out, "[[exclusions]]")?;
            writeln!(
                out,
                "rule_ids = {}",
                toml_list(spec.rule_ids.iter().map(u32::to_string))
            )?;
            writeln!(out, "targets = {}", toml_list([toml_string(&e.target)]))?;
            if !spec.hosts.is_empty() {
                writeln!(out, "hosts = {}", toml_list([toml_string(&e.host)]))?;
            }
            if e.glob {
                writeln!(out, "path_glob = {}", toml_string(&e.path))?;
            } else {
                writeln!(out, "path = {}", toml_string(&e.path))?;
            }
            if !methods.is_empty() {
                writeln!(
                    out,
                    "methods = {}",
                    toml_list(methods.iter().map(|m| toml_string(m)))
                )?;
            }
            writeln!(
                out,
                "reason = {}",
                toml_string(&format!(
                    "suggested by palisade replay: {} known-good request{plural}",
                    e.group.requests
                ))
            )?;
            written += 1;
        }
        if let Some(other) = self.groups.other() {
            writeln!(
                out,
                "\n# {} more requests had findings on rule x path x target combinations past the table's {DEFAULT_KEYS} entries; replay again with a narrower --known-good filter.",
                other.requests
            )?;
        }
        if !self.not_excludable.is_empty() {
            writeln!(
                out,
                "\n# Findings no exclusion removes (built-in protocol checks and custom rules);"
            )?;
            writeln!(
                out,
                "# tune them with [engine.protocol] or the custom rule instead (docs/policy.md):"
            )?;
            for (id, (n, message)) in &self.not_excludable {
                writeln!(out, "#   {id} {} ({n} requests)", printable(message, 100))?;
            }
        }
        if self.unusable_paths > 0 {
            writeln!(
                out,
                "\n# {} requests with findings had a path that is not UTF-8 text; no entry suggested for them.",
                self.unusable_paths
            )?;
        }
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_engine::request::RequestHead;
    use palisade_engine::{defaults, CompiledRules, Inspector, Policy};
    use palisade_replay::Exchange;
    use std::sync::Arc;

    fn inspector() -> Inspector {
        let rules = CompiledRules::compile(&defaults::signatures().unwrap()).unwrap();
        Inspector::new(Arc::new(rules), &defaults::policy().unwrap())
    }

    fn exchange(uri: &str, host: &str) -> Exchange {
        Exchange {
            index: 0,
            source: 0,
            time: 0,
            client: None,
            server: None,
            head: RequestHead::new("GET", uri.as_bytes()).with_header("Host", host),
            body: Vec::new(),
            body_truncated: false,
            incomplete: false,
            response: None,
            notes: Vec::new(),
        }
    }

    fn suggest(requests: &[(&str, &str)]) -> String {
        let inspector = inspector();
        let ids = inspector.rules().rules().iter().map(|m| m.id.0).collect();
        let mut s = Suggestions::new(ids);
        for (uri, host) in requests {
            let x = exchange(uri, host);
            let verdict = inspector.inspect(&x.head, &x.body);
            s.add(&Replayed {
                exchange: &x,
                verdict: &verdict,
                source: "t",
            });
        }
        let mut out = Vec::new();
        s.write(&mut out, "", &["t".to_string()]).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn siblings_become_a_one_segment_glob_and_the_file_is_a_valid_policy() {
        let mut requests: Vec<(String, &str)> = (1..=6)
            .map(|n| {
                (
                    format!("/article/{n}?q=union+select+committee+from+x"),
                    "shop.example",
                )
            })
            .collect();
        requests.push((
            "/other?q=union+select+committee+from+x".into(),
            "shop.example",
        ));
        let borrowed: Vec<(&str, &str)> = requests.iter().map(|(u, h)| (u.as_str(), *h)).collect();
        let text = suggest(&borrowed);
        assert!(text.contains("path_glob = \"/article/*\""), "{text}");
        assert!(
            text.contains("# 6 sibling paths under this directory"),
            "{text}"
        );
        assert!(text.contains("path = \"/other\""), "{text}");
        assert_eq!(text.matches("[[exclusions]]").count(), 2, "{text}");
        let policy = Policy::parse("suggested.toml", &text);
        assert!(policy.is_ok(), "{policy:?}\n{text}");
        // Deterministic.
        assert_eq!(text, suggest(&borrowed));
    }

    #[test]
    fn protocol_checks_are_listed_not_excluded() {
        let text = suggest(&[("/", "192.0.2.1")]);
        assert_eq!(text.matches("[[exclusions]]").count(), 0, "{text}");
        assert!(text.contains("#   10020 "), "{text}");
    }
}
