//! `palisade dos simulate SCENARIO.toml`: drive the behavioural DoS model with
//! a synthetic scenario in virtual time and print a timeline and the figures
//! (detection delay, legitimate traffic served, attack refused, when
//! mitigation ended, memory).

use anyhow::{Context, Result};
use palisade_engine::dos::simulate::{run, Scenario, Second};
use std::path::Path;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

fn row(s: &Second) -> String {
    format!(
        "{:>5}  {:>8} {:>8} {:>9} {:>9}  {:<6} {:>7} {:>4} {}",
        s.second,
        s.legit_sent,
        s.legit_served,
        s.attack_sent,
        s.attack_refused,
        if s.attack { "ATTACK" } else { "-" },
        s.blocked_clients,
        s.signatures,
        if s.global_limit { "global" } else { "" }
    )
}

/// Runs a scenario file.
pub fn simulate(path: &Path, format: Format, every: u64) -> Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let scenario: Scenario = toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message()))?;
    if format == Format::Text {
        println!(
            "scenario {}: {} s of virtual time",
            scenario.name, scenario.duration_seconds
        );
        println!(
            "{:>5}  {:>8} {:>8} {:>9} {:>9}  {:<6} {:>7} {:>4}",
            "t(s)", "legit", "served", "attack", "refused", "state", "blocked", "sigs"
        );
    }
    let every = every.max(1);
    let summary = run(&scenario, |s| {
        if format == Format::Text && (s.second % every == 0 || s.attack) {
            println!("{}", row(s));
        }
    });
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&summary)?),
        Format::Text => {
            println!();
            let pct = |x: f64| format!("{:.2}%", x * 100.0);
            let opt = |x: Option<u64>| x.map(|v| format!("{v} s")).unwrap_or_else(|| "-".into());
            println!("requests simulated              {}", summary.requests);
            println!(
                "attack traffic                  {} .. {}",
                opt(summary.attack_start),
                opt(summary.attack_end)
            );
            println!(
                "detected after                  {}",
                opt(summary.detection_delay_seconds)
            );
            println!(
                "legit served during attack      {}",
                pct(summary.legit_served_during_attack)
            );
            println!(
                "attack refused after detection  {}",
                pct(summary.attack_refused_after_detection)
            );
            println!(
                "mitigation ended after attack   {}",
                opt(summary.mitigation_end_delay_seconds)
            );
            println!(
                "legit clients ever limited      {}",
                summary.legit_clients_limited
            );
            println!(
                "refusals: bad actor {} / signature {} / global {}",
                summary.refusals_bad_actor, summary.refusals_signature, summary.refusals_global
            );
            for s in &summary.signatures {
                println!("signature                       {s}");
            }
            println!(
                "peak model memory               {:.1} MiB",
                summary.peak_memory_bytes as f64 / (1 << 20) as f64
            );
        }
    }
    Ok(())
}
