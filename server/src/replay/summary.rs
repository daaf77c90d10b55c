//! The `summary` report: counts over the whole replay — requests by outcome,
//! by category, by rule, by path, by client, verdict × response status,
//! notices by kind, DoS attacks with their mitigations, and read figures.
//! Every table is bounded ([`super::top`]); nothing is kept per request.

use super::record::{Disposition, Replayed};
use super::top::{TopTable, DEFAULT_KEYS};
use palisade_engine::dos::{DosEvent, Refusal};
use palisade_replay::rfc3339;
use palisade_replay::{Notice, NoticeKind};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::time::Duration;

/// Rows shown in the rule and path tables.
const TOP_ROWS: usize = 20;
/// Rows shown in the client table.
const TOP_CLIENTS: usize = 10;
/// DoS attacks remembered (later ones are counted only).
const MAX_ATTACKS: usize = 1_000;

/// Requests and flagged (blocked or would-block) requests for a key.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub requests: u64,
    pub flagged: u64,
}

/// A rule's count and what it is.
#[derive(Debug, Clone, Default)]
pub struct RuleCount {
    pub requests: u64,
    pub category: String,
    pub message: String,
}

/// One DoS attack seen in the capture.
#[derive(Debug, Clone)]
pub struct Attack {
    pub site: String,
    pub id: u64,
    pub start_second: u64,
    pub end_second: Option<u64>,
    pub rps: f64,
    pub baseline_rps: f64,
    pub global_limit: bool,
    /// Requests refused during the attack, by mitigation.
    pub refused: BTreeMap<&'static str, u64>,
}

/// One input's read figures.
#[derive(Debug, Clone, Default)]
pub struct InputFigures {
    pub name: String,
    pub bytes: u64,
    pub records: u64,
    pub error: Option<String>,
}

/// Everything the summary counts.
#[derive(Debug)]
pub struct Summary {
    pub inputs: Vec<InputFigures>,
    pub requests: u64,
    pub blocked: u64,
    pub would_block: u64,
    pub allowed: u64,
    pub incomplete: u64,
    pub body_truncated: u64,
    pub paired: u64,
    pub with_findings: u64,
    pub rate_limited: u64,
    pub categories: BTreeMap<String, u64>,
    pub rules: TopTable<u32, RuleCount>,
    pub paths: TopTable<String, Counts>,
    pub clients: TopTable<String, Counts>,
    /// (disposition, response status) → requests.
    pub status_pairs: BTreeMap<(&'static str, Option<u16>), u64>,
    pub notices: BTreeMap<NoticeKind, u64>,
    pub dos_refusals: BTreeMap<&'static str, u64>,
    pub attacks: Vec<Attack>,
    pub attacks_not_kept: u64,
    active_attacks: HashMap<String, usize>,
    pub first_time: Option<i64>,
    pub last_time: Option<i64>,
}

impl Default for Summary {
    fn default() -> Summary {
        Summary {
            inputs: Vec::new(),
            requests: 0,
            blocked: 0,
            would_block: 0,
            allowed: 0,
            incomplete: 0,
            body_truncated: 0,
            paired: 0,
            with_findings: 0,
            rate_limited: 0,
            categories: BTreeMap::new(),
            rules: TopTable::new(DEFAULT_KEYS),
            paths: TopTable::new(DEFAULT_KEYS),
            clients: TopTable::new(DEFAULT_KEYS),
            status_pairs: BTreeMap::new(),
            notices: BTreeMap::new(),
            dos_refusals: BTreeMap::new(),
            attacks: Vec::new(),
            attacks_not_kept: 0,
            active_attacks: HashMap::new(),
            first_time: None,
            last_time: None,
        }
    }
}

fn refusal_name(r: &Refusal) -> &'static str {
    match r {
        Refusal::BadActor { .. } => "bad_actor",
        Refusal::Signature { .. } => "signature",
        Refusal::Global => "global",
    }
}

impl Summary {
    pub fn add_request(&mut self, r: &Replayed<'_>) {
        self.requests += 1;
        let disposition = r.disposition();
        match disposition {
            Disposition::Allowed => self.allowed += 1,
            Disposition::Blocked => self.blocked += 1,
            Disposition::WouldBlock => self.would_block += 1,
        }
        let flagged = u64::from(disposition != Disposition::Allowed);
        let x = r.exchange;
        self.incomplete += u64::from(x.incomplete);
        self.body_truncated += u64::from(x.body_truncated);
        self.paired += u64::from(x.response.is_some());
        self.rate_limited += u64::from(r.verdict.rate_limit.is_some());
        self.first_time = Some(self.first_time.map_or(x.time, |t| t.min(x.time)));
        self.last_time = Some(self.last_time.map_or(x.time, |t| t.max(x.time)));
        let v = r.verdict;
        if !v.findings.is_empty() {
            self.with_findings += 1;
        }
        let mut categories: Vec<&str> = v.findings.iter().map(|f| f.category.name()).collect();
        categories.sort_unstable();
        categories.dedup();
        for c in categories {
            *self.categories.entry(c.to_string()).or_default() += 1;
        }
        let mut rules: Vec<u32> = v.findings.iter().map(|f| f.rule_id.0).collect();
        rules.sort_unstable();
        rules.dedup();
        for id in rules {
            let entry = self.rules.entry(&id);
            entry.requests += 1;
            if entry.message.is_empty() {
                if let Some(f) = v.findings.iter().find(|f| f.rule_id.0 == id) {
                    entry.category = f.category.name().to_string();
                    entry.message = f.message.clone();
                }
            }
        }
        for (table, key) in [
            (&mut self.paths, r.path()),
            (&mut self.clients, r.client_ip()),
        ] {
            let c = table.entry(&key);
            c.requests += 1;
            c.flagged += flagged;
        }
        *self
            .status_pairs
            .entry((disposition.name(), r.response_status()))
            .or_default() += 1;
        if let Some(refusal) = &v.dos {
            let name = refusal_name(refusal);
            *self.dos_refusals.entry(name).or_default() += 1;
            if let Some(&i) = self.active_attacks.get(&r.host()) {
                if let Some(a) = self.attacks.get_mut(i) {
                    *a.refused.entry(name).or_default() += 1;
                }
            }
        }
    }

    pub fn add_notice(&mut self, n: &Notice) {
        *self.notices.entry(n.kind).or_default() += 1;
    }

    pub fn add_dos_event(&mut self, e: &DosEvent) {
        match e {
            DosEvent::AttackStarted {
                site,
                id,
                second,
                rps,
                baseline_rps,
            } => {
                if self.attacks.len() >= MAX_ATTACKS {
                    self.attacks_not_kept += 1;
                    return;
                }
                self.active_attacks.insert(site.clone(), self.attacks.len());
                self.attacks.push(Attack {
                    site: site.clone(),
                    id: *id,
                    start_second: *second,
                    end_second: None,
                    rps: *rps,
                    baseline_rps: *baseline_rps,
                    global_limit: false,
                    refused: BTreeMap::new(),
                });
            }
            DosEvent::GlobalLimit { id, .. } => {
                if let Some(a) = self.attacks.iter_mut().rev().find(|a| a.id == *id) {
                    a.global_limit = true;
                }
            }
            DosEvent::AttackEnded { site, id, second } => {
                if let Some(a) = self.attacks.iter_mut().rev().find(|a| a.id == *id) {
                    a.end_second = Some(*second);
                }
                self.active_attacks.remove(site);
            }
        }
    }

    /// Bytes read over all inputs.
    pub fn bytes(&self) -> u64 {
        self.inputs.iter().map(|i| i.bytes).sum()
    }

    /// Writes the summary as text.
    pub fn render(&self, out: &mut dyn Write, elapsed: Duration) -> std::io::Result<()> {
        let seconds = elapsed.as_secs_f64().max(1e-6);
        let bytes = self.bytes();
        writeln!(out, "== Replay summary ==")?;
        writeln!(
            out,
            "inputs        {} file(s), {} read, {} records, {:.2} s ({:.1} MB/s, {:.0} requests/s)",
            self.inputs.len(),
            human_bytes(bytes),
            self.inputs.iter().map(|i| i.records).sum::<u64>(),
            seconds,
            bytes as f64 / 1e6 / seconds,
            self.requests as f64 / seconds,
        )?;
        for i in self.inputs.iter().filter(|i| i.error.is_some()) {
            writeln!(
                out,
                "read error    {}: {}",
                i.name,
                i.error.as_deref().unwrap_or_default()
            )?;
        }
        if let (Some(first), Some(last)) = (self.first_time, self.last_time) {
            writeln!(
                out,
                "capture time  {} .. {}",
                rfc3339::format(first),
                rfc3339::format(last)
            )?;
        }
        writeln!(
            out,
            "requests      {} (blocked {}, would block {}, allowed {}; with findings {})",
            self.requests, self.blocked, self.would_block, self.allowed, self.with_findings
        )?;
        writeln!(
            out,
            "responses     {} paired, {} without response",
            self.paired,
            self.requests - self.paired
        )?;
        writeln!(
            out,
            "incomplete    {} request(s) read only in part, {} body(ies) cut at --max-body",
            self.incomplete, self.body_truncated
        )?;
        if self.rate_limited > 0 || !self.dos_refusals.is_empty() {
            let refusals: Vec<String> = self
                .dos_refusals
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            writeln!(
                out,
                "refused       rate limits {}, DoS mitigations {}",
                self.rate_limited,
                if refusals.is_empty() {
                    "0".to_string()
                } else {
                    refusals.join(", ")
                }
            )?;
        }
        if !self.categories.is_empty() {
            writeln!(out, "\n-- by category (requests) --")?;
            let mut cats: Vec<_> = self.categories.iter().collect();
            cats.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
            for (c, n) in cats {
                writeln!(out, "  {n:>8}  {c}")?;
            }
        }
        if !self.rules.is_empty() {
            writeln!(out, "\n-- by rule (top {TOP_ROWS}, requests) --")?;
            for (id, r) in self.rules.top(TOP_ROWS, |r| r.requests) {
                writeln!(
                    out,
                    "  {:>8}  {id:<6} {:<14} {}",
                    r.requests, r.category, r.message
                )?;
            }
            if let Some(other) = self.rules.other() {
                writeln!(out, "  {:>8}  (other rules)", other.requests)?;
            }
        }
        write_counts(out, "by path", TOP_ROWS, &self.paths)?;
        write_counts(out, "top clients", TOP_CLIENTS, &self.clients)?;
        if !self.status_pairs.is_empty() {
            writeln!(out, "\n-- verdict x response status --")?;
            for ((d, status), n) in &self.status_pairs {
                let status = status.map_or_else(|| "none".to_string(), |s| s.to_string());
                writeln!(out, "  {n:>8}  {d:<12} {status}")?;
            }
        }
        if !self.notices.is_empty() {
            writeln!(out, "\n-- notices --")?;
            for (kind, n) in &self.notices {
                let name = serde_json::to_value(kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                writeln!(out, "  {n:>8}  {name}")?;
            }
        }
        writeln!(out, "\n-- DoS attacks --")?;
        if self.attacks.is_empty() {
            writeln!(out, "  none")?;
        }
        for a in &self.attacks {
            let end = a.end_second.map_or_else(
                || "ongoing at end of capture".to_string(),
                |s| rfc3339::format(s as i64 * 1_000_000),
            );
            let refused: Vec<String> = a.refused.iter().map(|(k, v)| format!("{k} {v}")).collect();
            writeln!(
                out,
                "  attack {} on {}: {} .. {}, {:.0} rps (baseline {:.1}){}; refused: {}",
                a.id,
                if a.site.is_empty() { "-" } else { &a.site },
                rfc3339::format(a.start_second as i64 * 1_000_000),
                end,
                a.rps,
                a.baseline_rps,
                if a.global_limit { ", global limit" } else { "" },
                if refused.is_empty() {
                    "none".to_string()
                } else {
                    refused.join(", ")
                }
            )?;
        }
        if self.attacks_not_kept > 0 {
            writeln!(out, "  ... and {} more", self.attacks_not_kept)?;
        }
        Ok(())
    }
}

fn write_counts(
    out: &mut dyn Write,
    title: &str,
    rows: usize,
    table: &TopTable<String, Counts>,
) -> std::io::Result<()> {
    if table.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\n-- {title} (top {rows} by flagged, then requests) --"
    )?;
    writeln!(out, "  {:>8}  {:>8}  key", "requests", "flagged")?;
    for (key, c) in table.top(rows, |c| (c.flagged, c.requests)) {
        writeln!(out, "  {:>8}  {:>8}  {key}", c.requests, c.flagged)?;
    }
    if let Some(other) = table.other() {
        writeln!(
            out,
            "  {:>8}  {:>8}  (other)",
            other.requests, other.flagged
        )?;
    }
    Ok(())
}

/// `12.3 MB`-style sizes (decimal units).
pub fn human_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{:.2} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.1} KB", b / 1e3)
    } else {
        format!("{bytes} B")
    }
}
