//! `palisade policy test` and `palisade policy explain`: running request vectors
//! against a policy (for CI pipelines that change policies), and showing which
//! routes, exclusions and custom rules applied to one request and why.

use crate::rawhttp;
use anyhow::{anyhow, Context, Result};
use palisade_engine::admission::{admit, Gate};
use palisade_engine::clock::ManualClock;
use palisade_engine::custom_rule::Facts;
use palisade_engine::inspector::Settings;
use palisade_engine::matcher::CompiledRules;
use palisade_engine::rule::Paranoia;
use palisade_engine::vectors::VectorFile;
use palisade_engine::verdict::Mode;
use palisade_engine::{Inspector, Policy};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Runs vector files against a policy; returns (passed, failed).
pub fn test(
    rules: Arc<CompiledRules>,
    policy: &Policy,
    vectors: &[PathBuf],
) -> Result<(usize, usize)> {
    let mut passed = 0;
    let mut failed = 0;
    for path in vectors {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let file: VectorFile =
            toml::from_str(&text).map_err(|e| anyhow!("{}: {}", path.display(), e.message()))?;
        if file.policy.is_some() {
            eprintln!(
                "{}: note: the file names a policy; testing against the given policy instead",
                path.display()
            );
        }
        for case in &file.cases {
            let (head, body) = case.request()?;
            // Each case starts from fresh rate-limit state.
            let fresh = policy.clone_fresh();
            let inspector = match case.paranoia.and_then(Paranoia::new) {
                Some(p) => {
                    let mut s = Settings::from_policy(&fresh);
                    s.paranoia = p;
                    Inspector::with_settings(Arc::clone(&rules), s)
                }
                None => Inspector::new(Arc::clone(&rules), &fresh),
            };
            let verdict = case.run(&inspector, &head, &body, &mut || usize::MAX);
            let problems = case.judge(&verdict);
            if problems.is_empty() {
                passed += 1;
                println!("ok   {} / {}", path.display(), case.name);
            } else {
                failed += 1;
                println!("FAIL {} / {}", path.display(), case.name);
                for p in problems {
                    println!("       {p}");
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok((passed, failed))
}

/// Explains what a policy does with one raw request.
pub fn explain(
    rules: Arc<CompiledRules>,
    policy: &Policy,
    request: &Path,
    peer: Option<&str>,
) -> Result<()> {
    let bytes = std::fs::read(request).with_context(|| format!("reading {}", request.display()))?;
    let mut raw =
        rawhttp::parse(&bytes).with_context(|| format!("parsing {}", request.display()))?;
    if let Some(p) = peer {
        raw.head.peer = Some(
            p.parse()
                .map_err(|_| anyhow!("--peer `{p}` is not ip:port"))?,
        );
    }
    let head = &raw.head;
    let clock = ManualClock::default();
    let base = Settings::from_policy(policy);
    let adm = admit(&policy.clone_fresh(), &base, head, &clock);
    println!(
        "request      {} {}",
        head.method,
        String::from_utf8_lossy(&head.uri)
    );
    println!(
        "host         {}",
        if adm.host.is_empty() {
            "(none)"
        } else {
            &adm.host
        }
    );
    println!(
        "path         {} (normalised)",
        String::from_utf8_lossy(&adm.path)
    );
    match adm.client_ip {
        Some(ip) => println!(
            "client       {ip} (trusted proxies: {})",
            policy.clients.trusted_proxies.len()
        ),
        None => println!("client       (no peer address; pass --peer ip:port)"),
    }
    match &adm.route {
        Some(r) => println!("route        {r}"),
        None => println!("route        (none: [engine] settings)"),
    }
    let s = &adm.settings;
    println!(
        "settings     mode={:?} paranoia={} threshold={} body_limit={}B on_limit={:?}",
        s.mode,
        s.paranoia.get(),
        s.anomaly_threshold,
        s.limits.max_inspected_body_bytes,
        s.limits.on_limit
    );
    if adm.exclusions.is_empty() {
        println!("exclusions   (none in scope)");
    }
    for &i in &adm.exclusions {
        let reason = policy
            .exclusions
            .get(i)
            .and_then(|e| e.reason.clone())
            .unwrap_or_else(|| "(no reason given)".into());
        println!("exclusion    exclusions[{i}] in scope: {reason}");
    }
    let facts = Facts {
        head,
        host: &adm.host,
        path: &adm.path,
        client_ip: adm.client_ip,
        args: &[],
    };
    for rule in &policy.rules {
        let state = if rule.reads_args() {
            "reads arguments: decided after the body"
        } else if rule.fires(&facts) {
            "FIRES"
        } else {
            "does not fire"
        };
        println!(
            "custom rule  {} \"{}\" {:?}: {state}",
            rule.id, rule.name, rule.action
        );
    }
    match &adm.gate {
        Gate::Inspect => println!("gate         inspect"),
        Gate::Bypass(why) => println!("gate         bypass ({why})"),
        Gate::Refuse { reason, status, .. } => {
            println!("gate         refuse {status} ({reason:?})")
        }
    }
    // What the exclusions removed: the same request without them, in detect mode.
    let mut unexcluded = policy.clone_fresh();
    unexcluded.exclusions.clear();
    unexcluded.engine.mode = Mode::Detect;
    let all = Inspector::new(Arc::clone(&rules), &unexcluded).inspect(head, &raw.body);
    let verdict =
        Inspector::new(Arc::clone(&rules), &policy.clone_fresh()).inspect(head, &raw.body);
    println!("verdict      {}", verdict.summary());
    for f in &verdict.findings {
        println!(
            "  finding    {} {} {} [{}] \"{}\"",
            f.rule_id, f.category, f.target, f.transforms, f.excerpt
        );
    }
    for f in &all.findings {
        if !verdict
            .findings
            .iter()
            .any(|g| g.rule_id == f.rule_id && g.target == f.target)
        {
            println!(
                "  excluded   {} {} {} (an exclusion in scope removed it)",
                f.rule_id, f.category, f.target
            );
        }
    }
    Ok(())
}
