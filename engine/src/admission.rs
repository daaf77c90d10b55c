//! Admission: the policy's request-level decisions, taken once per request
//! before (and, for argument-based custom rules, after) signature inspection.
//!
//! In order: the client address (behind trusted proxies), the route and its
//! settings, the exclusions in scope, the client deny and allow lists, custom
//! rules that need only the head, and static rate limits. The result is an
//! [`Admission`] the inspector starts its transaction from.

use crate::cidr::{any_contains, client_ip};
use crate::clock::Clock;
use crate::custom_rule::{Action as RuleAction, CustomRule, Facts};
use crate::dos::{DosDecision, Refusal, RequestFeatures};
use crate::inspector::Settings;
use crate::policy::Policy;
use crate::ratelimit::{Charge, Decision, LimitDecisions};
use crate::request::RequestHead;
use crate::rule::{Category, Paranoia, RuleId};
use crate::scope::{request_host, ScopeInput};
use crate::verdict::{BlockReason, Finding};
use std::net::IpAddr;

/// What admission decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// Inspect the request.
    Inspect,
    /// Skip inspection and allow (why).
    Bypass(String),
    /// Refuse without inspecting.
    Refuse {
        reason: BlockReason,
        status: u16,
        retry_after_seconds: Option<u64>,
        rate_limit: Option<String>,
    },
}

/// Per-request facts and decisions derived from the policy.
pub struct Admission {
    pub host: String,
    pub path: Vec<u8>,
    pub client_ip: Option<IpAddr>,
    pub route: Option<String>,
    pub settings: Settings,
    /// Indices of the exclusions in scope.
    pub exclusions: Vec<usize>,
    pub gate: Gate,
    /// Findings, score and tags from custom rules that log, score or tag.
    pub findings: Vec<Finding>,
    pub score: u32,
    pub tags: Vec<String>,
    /// Whether custom rules reading arguments remain to be evaluated at the end.
    pub deferred_rules: bool,
    /// The DoS mitigation that refused the request, if any.
    pub dos: Option<Refusal>,
}

/// A finding for a custom rule.
pub fn custom_finding(rule: &CustomRule, scored: bool) -> Finding {
    Finding {
        rule_id: RuleId(rule.id),
        category: Category::Custom,
        severity: rule.severity,
        paranoia: Paranoia::MIN,
        message: rule.name.clone(),
        target: "request".to_string(),
        transforms: "none".to_string(),
        excerpt: if scored {
            String::new()
        } else {
            "log".to_string()
        },
    }
}

fn retry_seconds(d: std::time::Duration) -> u64 {
    let whole = d.as_secs();
    if d.subsec_nanos() > 0 {
        whole + 1
    } else {
        whole.max(1)
    }
}

/// Applies custom-rule actions; returns a gate if one refuses or bypasses.
pub fn apply_rule_actions<'r>(
    rules: impl Iterator<Item = &'r CustomRule>,
    facts: &Facts<'_>,
    policy: &Policy,
    clock: &dyn Clock,
    admission: &mut Admission,
) -> Option<Gate> {
    apply_rule_actions_with(
        rules,
        facts,
        policy,
        clock,
        admission,
        &LimitDecisions::local(),
    )
}

/// [`apply_rule_actions`], with rate limits decided by `shared` where it has a decision.
pub fn apply_rule_actions_with<'r>(
    rules: impl Iterator<Item = &'r CustomRule>,
    facts: &Facts<'_>,
    policy: &Policy,
    clock: &dyn Clock,
    admission: &mut Admission,
    shared: &LimitDecisions,
) -> Option<Gate> {
    for rule in rules {
        if !rule.fires(facts) {
            continue;
        }
        match &rule.action {
            RuleAction::Allow => return Some(Gate::Bypass(format!("custom rule {}", rule.id))),
            RuleAction::Block => {
                admission.findings.push(custom_finding(rule, true));
                return Some(Gate::Refuse {
                    reason: BlockReason::CustomRule,
                    status: admission.settings.block_status,
                    retry_after_seconds: None,
                    rate_limit: None,
                });
            }
            RuleAction::Log => admission.findings.push(custom_finding(rule, false)),
            RuleAction::Score(points) => {
                admission.score = admission.score.saturating_add(*points);
                admission.findings.push(custom_finding(rule, true));
            }
            RuleAction::Tag(tag) => {
                if !admission.tags.contains(tag) {
                    admission.tags.push(tag.clone());
                }
            }
            RuleAction::RateLimit(name) => {
                let Some(limit) = policy.rate_limits.iter().find(|l| &l.name == name) else {
                    continue;
                };
                if let Some(Decision::Limited { retry_after }) =
                    limit.decide(facts, clock.now(), shared)
                {
                    return Some(Gate::Refuse {
                        reason: BlockReason::RateLimited,
                        status: 429,
                        retry_after_seconds: Some(retry_seconds(retry_after)),
                        rate_limit: Some(name.clone()),
                    });
                }
            }
        }
    }
    None
}

/// Runs admission for a request.
pub fn admit(policy: &Policy, base: &Settings, head: &RequestHead, clock: &dyn Clock) -> Admission {
    admit_with(policy, base, head, clock, &LimitDecisions::local())
}

/// The rate-limit charges admission would make for `head`, in order, up to
/// the point a decision could end admission: none for a denied or
/// allow-listed client or when a head custom rule allows or blocks first;
/// then the limits named by firing head rules (`action = "rate_limit"`), then
/// the static limits in scope. A shared store decides them in this order,
/// stopping at the first refusal, and [`admit_with`] consumes the decisions in
/// the same order. Limits named by rules that read arguments are decided at
/// the end of the body, locally.
pub fn rate_limit_charges(policy: &Policy, head: &RequestHead) -> Vec<Charge> {
    let mut charges = Vec::new();
    if policy.rate_limits.is_empty() {
        return charges;
    }
    let host = request_host(head);
    let path = head.normalised_path();
    let client = head
        .peer
        .map(|peer| client_ip(peer.ip(), head, &policy.clients.trusted_proxies));
    if let Some(ip) = client {
        if any_contains(&policy.clients.deny, ip) || any_contains(&policy.clients.allow, ip) {
            return charges;
        }
    }
    let facts = Facts {
        head,
        host: &host,
        path: &path,
        client_ip: client,
        args: &[],
    };
    for rule in policy.rules.iter().filter(|r| !r.reads_args()) {
        if !rule.fires(&facts) {
            continue;
        }
        match &rule.action {
            RuleAction::Allow | RuleAction::Block => return charges,
            RuleAction::RateLimit(name) => {
                if let Some(charge) = policy
                    .rate_limits
                    .iter()
                    .find(|l| &l.name == name)
                    .and_then(|l| l.charge(&facts))
                {
                    charges.push(charge);
                }
            }
            RuleAction::Log | RuleAction::Score(_) | RuleAction::Tag(_) => {}
        }
    }
    let input = ScopeInput {
        host: &host,
        path: &path,
        method: &head.method,
    };
    for limit in policy.rate_limits.iter().filter(|l| !l.only_from_rules) {
        if limit.in_scope(&input) {
            if let Some(charge) = limit.charge(&facts) {
                charges.push(charge);
            }
        }
    }
    charges
}

/// [`admit`], with rate limits decided by `shared` where it has a decision
/// (see [`rate_limit_charges`]) and locally otherwise.
pub fn admit_with(
    policy: &Policy,
    base: &Settings,
    head: &RequestHead,
    clock: &dyn Clock,
    shared: &LimitDecisions,
) -> Admission {
    let host = request_host(head);
    let path = head.normalised_path();
    let client = head
        .peer
        .map(|peer| client_ip(peer.ip(), head, &policy.clients.trusted_proxies));
    let input = ScopeInput {
        host: &host,
        path: &path,
        method: &head.method,
    };
    let mut settings = base.clone();
    let route = policy.routes.iter().find(|r| r.matches(&input));
    if let Some(r) = route {
        settings.mode = r.mode.unwrap_or(settings.mode);
        settings.paranoia = r.paranoia.unwrap_or(settings.paranoia);
        settings.anomaly_threshold = r.anomaly_threshold.unwrap_or(settings.anomaly_threshold);
        let l = &mut settings.limits;
        let o = &r.limits;
        l.max_inspected_body_bytes = o
            .max_inspected_body_bytes
            .unwrap_or(l.max_inspected_body_bytes);
        l.max_args_count = o.max_args_count.unwrap_or(l.max_args_count);
        l.max_value_bytes = o.max_value_bytes.unwrap_or(l.max_value_bytes);
        l.max_json_depth = o.max_json_depth.unwrap_or(l.max_json_depth);
        l.max_headers_count = o.max_headers_count.unwrap_or(l.max_headers_count);
        l.on_limit = o.on_limit.unwrap_or(l.on_limit);
    }
    let exclusions = policy
        .exclusions
        .iter()
        .enumerate()
        .filter(|(_, e)| e.in_scope(&input))
        .map(|(i, _)| i)
        .collect();
    let mut admission = Admission {
        host: host.clone(),
        path: path.clone(),
        client_ip: client,
        route: route.map(|r| r.name.clone()),
        settings,
        exclusions,
        gate: Gate::Inspect,
        findings: Vec::new(),
        score: 0,
        tags: Vec::new(),
        deferred_rules: policy.rules.iter().any(CustomRule::reads_args),
        dos: None,
    };
    if let Some(ip) = client {
        if any_contains(&policy.clients.deny, ip) {
            admission.gate = Gate::Refuse {
                reason: BlockReason::ClientDenied,
                status: admission.settings.block_status,
                retry_after_seconds: None,
                rate_limit: None,
            };
            return admission;
        }
        if any_contains(&policy.clients.allow, ip) {
            admission.gate = Gate::Bypass("client allow list".to_string());
            return admission;
        }
    }
    let facts = Facts {
        head,
        host: &host,
        path: &path,
        client_ip: client,
        args: &[],
    };
    let head_rules = policy.rules.iter().filter(|r| !r.reads_args());
    if let Some(gate) =
        apply_rule_actions_with(head_rules, &facts, policy, clock, &mut admission, shared)
    {
        admission.gate = gate;
        return admission;
    }
    for limit in policy.rate_limits.iter().filter(|l| !l.only_from_rules) {
        if !limit.in_scope(&input) {
            continue;
        }
        if let Some(Decision::Limited { retry_after }) = limit.decide(&facts, clock.now(), shared) {
            admission.gate = Gate::Refuse {
                reason: BlockReason::RateLimited,
                status: 429,
                retry_after_seconds: Some(retry_seconds(retry_after)),
                rate_limit: Some(limit.name.clone()),
            };
            return admission;
        }
    }
    if let Some(model) = &policy.dos {
        let features = RequestFeatures::from_head(head, &host, client);
        if let DosDecision::Refuse(refusal) = model.check(&features, clock.now()) {
            let retry = match refusal {
                Refusal::BadActor { .. } => model.config().block_seconds.max(1),
                _ => 1,
            };
            admission.gate = Gate::Refuse {
                reason: BlockReason::DosMitigation,
                status: 429,
                retry_after_seconds: Some(retry),
                rate_limit: None,
            };
            admission.dos = Some(refusal);
        }
    }
    admission
}
