//! The `table` report: one aligned row per request (time, client, method,
//! target, response status, outcome, score, rules), for reading on a
//! terminal; the summary follows the rows.

use super::record::Replayed;
use palisade_replay::rfc3339;
use std::io::Write;

/// Longest request-target shown; longer ones are cut with `…`.
const TARGET_WIDTH: usize = 48;
/// Rule ids shown per row.
const RULES_SHOWN: usize = 4;

pub fn write_header(out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<23}  {:<15}  {:<7}  {:<width$}  {:>6}  {:<11}  {:>5}  rules",
        "time (UTC)",
        "client",
        "method",
        "target",
        "status",
        "outcome",
        "score",
        width = TARGET_WIDTH
    )
}

/// Cuts `text` to `width` characters, marking the cut.
fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// Printable form of a target: control characters escaped.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                format!("\\x{:02x}", u32::from(c) & 0xff)
            } else {
                c.to_string()
            }
        })
        .collect()
}

pub fn write_row(out: &mut dyn Write, r: &Replayed<'_>) -> std::io::Result<()> {
    let x = r.exchange;
    // `2026-11-27T16:23:40.678051Z` → `2026-11-27 16:23:40.678`.
    let time = rfc3339::format(x.time).replacen('T', " ", 1);
    let time = time.get(..23).unwrap_or(&time);
    let status = r
        .response_status()
        .map_or_else(|| "-".to_string(), |s| s.to_string());
    let mut ids: Vec<String> = Vec::new();
    for f in &r.verdict.findings {
        let id = f.rule_id.0.to_string();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let more = ids.len().saturating_sub(RULES_SHOWN);
    ids.truncate(RULES_SHOWN);
    let mut rules = ids.join(",");
    if more > 0 {
        rules.push_str(&format!(" +{more}"));
    }
    if let Some(limit) = &r.verdict.rate_limit {
        rules.push_str(&format!(" rate_limit:{limit}"));
    }
    if r.verdict.dos.is_some() {
        rules.push_str(" dos");
    }
    let mut outcome = r.disposition().name().to_string();
    if x.incomplete {
        outcome.push('*');
    }
    writeln!(
        out,
        "{time:<23}  {:<15}  {:<7}  {:<width$}  {status:>6}  {outcome:<11}  {:>5}  {rules}",
        cut(&r.client_ip(), 15),
        cut(&x.head.method, 7),
        cut(&printable(&r.target()), TARGET_WIDTH),
        r.verdict.score,
        width = TARGET_WIDTH
    )
}
