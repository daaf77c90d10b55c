//! The streaming inspector: [`Inspector::begin`] inspects a request head and
//! returns a [`Transaction`] that takes body chunks as they arrive and gives the
//! [`Verdict`] at [`Transaction::finish`] — or earlier, when the score already
//! decides (see [`Transaction::decision`]).
//!
//! Memory per transaction is bounded by the policy's [`Limits`]: inspected body
//! bytes, argument count, value size and nesting depth. Going past a limit is the
//! policy's configured outcome (inspect what fit, or reject with 413), never
//! unbounded buffering. Each rule adds to the score at most once per request.

use crate::admission::{apply_rule_actions, Admission, Gate};
use crate::body::urlencoded::parse_query;
use crate::body::{BodyIssue, BodyKind, BodyParser, ValueSink};
use crate::clean_cache::CleanCache;
use crate::clock::{Clock, ManualClock};
use crate::custom_rule::{CustomRule, Facts};
use crate::matcher::{CompiledRules, PlainOutcome, PlainScreen, RuleIndex, Scratch};
use crate::policy::{LimitAction, Limits, Policy, ProtocolSettings};
use crate::protocol::{self, ProtocolCheck};
use crate::quiet_memo::{Lookup, QuietMemo};
use crate::request::{cookie_pairs, RequestHead};
use crate::rule::Paranoia;
use crate::target::{Target, TargetLabel, TargetSource};
use crate::transform::summary::ByteSet;
use crate::transform::url_decode::url_decode;
use crate::verdict::{excerpt, Action, BlockReason, Finding, Mode, Verdict};
use std::sync::Arc;

/// Longest excerpt of matched bytes kept in a finding.
const EXCERPT_BYTES: usize = 48;

/// Per-request knobs: what the policy (or a route) says for this request.
#[derive(Debug, Clone)]
pub struct Settings {
    pub mode: Mode,
    pub paranoia: Paranoia,
    pub anomaly_threshold: u32,
    pub limits: Limits,
    pub block_status: u16,
    /// Allow-lists and bounds of the built-in protocol checks.
    pub protocol: Arc<ProtocolSettings>,
    /// Whether JSON and form body values the plain-value screen clears
    /// are passed over without a scan (on; off only to compare verdicts in
    /// tests).
    pub plain_screen: bool,
}

impl Settings {
    /// The settings a policy's `[engine]` section gives.
    pub fn from_policy(policy: &Policy) -> Settings {
        Settings {
            mode: policy.engine.mode,
            paranoia: policy.engine.paranoia,
            anomaly_threshold: policy.engine.anomaly_threshold,
            limits: policy.engine.limits,
            block_status: policy.engine.block_response.status,
            protocol: Arc::new(policy.engine.protocol.clone()),
            plain_screen: true,
        }
    }
}

/// Turns requests into verdicts with one compiled rule set and one policy.
/// Cheap to clone; share freely across threads.
#[derive(Clone)]
pub struct Inspector {
    rules: Arc<CompiledRules>,
    settings: Arc<Settings>,
    policy: Arc<Policy>,
    clock: Arc<dyn Clock>,
}

/// Whether inspection should go on.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Keep feeding the body.
    Continue,
    /// The verdict is already decided (a block); the rest of the body need not be read.
    Decided,
}

impl Inspector {
    /// An inspector for a policy. Its clock stands still until [`Inspector::with_clock`]
    /// gives it one (only rate limits read time).
    pub fn new(rules: Arc<CompiledRules>, policy: &Policy) -> Inspector {
        rules.prepare(policy.engine.paranoia);
        for level in policy.routes.iter().filter_map(|r| r.paranoia) {
            rules.prepare(level);
        }
        Inspector {
            rules,
            settings: Arc::new(Settings::from_policy(policy)),
            policy: Arc::new(policy.clone()),
            clock: Arc::new(ManualClock::default()),
        }
    }

    /// An inspector with explicit settings and no policy entries beyond them.
    pub fn with_settings(rules: Arc<CompiledRules>, settings: Settings) -> Inspector {
        rules.prepare(settings.paranoia);
        Inspector {
            rules,
            settings: Arc::new(settings),
            policy: Arc::new(Policy::default()),
            clock: Arc::new(ManualClock::default()),
        }
    }

    /// The same inspector reading time from `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Inspector {
        self.clock = clock;
        self
    }

    pub fn policy(&self) -> &Arc<Policy> {
        &self.policy
    }

    /// Feeds an upstream response back to the DoS model (server stress:
    /// latency and 5xx). A no-op when the model is off.
    pub fn observe_response(&self, head: &RequestHead, status: u16, latency: std::time::Duration) {
        if let Some(model) = &self.policy.dos {
            let host = crate::scope::request_host(head);
            model.observe_response(&host, status, latency, self.clock.now());
        }
    }

    /// DoS events (attack started, global limit, attack ended) since the last call.
    pub fn drain_dos_events(&self) -> Vec<crate::dos::DosEvent> {
        self.policy
            .dos
            .as_ref()
            .map(|m| m.drain_events())
            .unwrap_or_default()
    }

    pub fn rules(&self) -> &Arc<CompiledRules> {
        &self.rules
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Inspects the head and starts a transaction for the body.
    pub fn begin(&self, head: &RequestHead) -> Transaction {
        self.begin_with_limits(head, &crate::ratelimit::LimitDecisions::local())
    }

    /// [`Inspector::begin`], with rate limits decided by a shared store where
    /// `limits` has a decision (see `admission::rate_limit_charges`).
    pub fn begin_with_limits(
        &self,
        head: &RequestHead,
        limits: &crate::ratelimit::LimitDecisions,
    ) -> Transaction {
        let admission = crate::admission::admit_with(
            &self.policy,
            &self.settings,
            head,
            self.clock.as_ref(),
            limits,
        );
        let mut fired = vec![false; self.rules.rules().len()];
        // Exclusions without targets switch rules off before any scanning.
        let mut target_exclusions = Vec::new();
        for &i in &admission.exclusions {
            let Some(e) = self.policy.exclusions.get(i) else {
                continue;
            };
            if e.is_whole_rule() {
                for (slot, meta) in fired.iter_mut().zip(self.rules.rules()) {
                    if e.selects(meta) {
                        *slot = true;
                    }
                }
            } else {
                target_exclusions.push(i);
            }
        }
        let inspect = admission.gate == Gate::Inspect;
        let rules_switched_off = fired.iter().any(|&f| f);
        let mut state = State {
            rules: Arc::clone(&self.rules),
            policy: Arc::clone(&self.policy),
            clock: Arc::clone(&self.clock),
            settings: admission.settings.clone(),
            scratch: Scratch::default(),
            clean: CleanCache::default(),
            fired,
            rules_switched_off,
            target_exclusions,
            fired_checks: Vec::new(),
            hits: Vec::new(),
            findings: admission.findings.clone(),
            score: admission.score,
            args: 0,
            limit_rejected: false,
            stopped: false,
            collected_args: Vec::new(),
            protocol: Some(Box::new(ProtocolRun {
                state: protocol::RequestState::new(head),
                settings: Arc::clone(&admission.settings.protocol),
            })),
            session_off_site: crate::session::referer_is_off_site(head, &admission.host)
                .then_some(head.header("referer").is_some()),
            fired_url_check: false,
            plain: None,
            quiet_memo: QuietMemo::default(),
            last_quiet: false,
            host_header: head
                .host()
                .map(|h| String::from_utf8_lossy(h).into_owned())
                .unwrap_or_default(),
            admission,
        };
        let parser = if inspect {
            state.inspect_head(head);
            let kind = BodyKind::from_content_type(head.header("content-type"));
            // JSON and form names and values may be passed over by the
            // plain-value screen.
            let sources = match kind {
                BodyKind::Json => Some((TargetSource::JsonKey, TargetSource::JsonValue)),
                BodyKind::UrlEncoded => Some((TargetSource::BodyArgName, TargetSource::BodyArg)),
                _ => None,
            };
            if let Some((names, values)) = sources.filter(|_| state.settings.plain_screen) {
                let paranoia = state.settings.paranoia;
                let checked = protocol::checked_bytes(names, paranoia)
                    .union(protocol::checked_bytes(values, paranoia));
                state.plain = state.rules.plain_screen(
                    &[values.class(), names.class()],
                    paranoia,
                    // And JSON's escapes.
                    checked.union(ByteSet::of(b"\\\"")),
                );
            }
            Some(kind.parser(state.settings.limits.body_limits()))
        } else {
            None
        };
        Transaction {
            state,
            parser,
            body_bytes: 0,
            head: head.clone(),
        }
    }

    /// Inspects a whole request in one call.
    pub fn inspect(&self, head: &RequestHead, body: &[u8]) -> Verdict {
        let mut tx = self.begin(head);
        if !body.is_empty() {
            let _ = tx.feed_body(body);
        }
        tx.finish()
    }
}

/// One request under inspection.
pub struct Transaction {
    state: State,
    parser: Option<Box<dyn BodyParser>>,
    body_bytes: u64,
    /// Kept only for custom rules that read arguments at the end.
    head: RequestHead,
}

impl Transaction {
    /// The verdict, if it is already decided (a block in block mode).
    pub fn decision(&self) -> Option<Verdict> {
        self.state.decided().then(|| self.state.verdict())
    }

    /// Feeds the next body chunk.
    pub fn feed_body(&mut self, chunk: &[u8]) -> Progress {
        if self.state.decided() {
            return Progress::Decided;
        }
        let limit = self.state.settings.limits.max_inspected_body_bytes;
        let remaining = limit.saturating_sub(self.body_bytes);
        let take = (chunk.len() as u64).min(remaining) as usize;
        self.body_bytes = self.body_bytes.saturating_add(chunk.len() as u64);
        if let Some(parser) = self.parser.as_mut() {
            if take > 0 {
                let taken = chunk.get(..take).unwrap_or_default();
                self.state.protocol_chunk(taken);
                parser.feed(taken, &mut self.state);
            }
        }
        if take < chunk.len() && self.parser.is_some() {
            // Past the inspection limit: stop parsing (a cut body is not "truncated").
            self.parser = None;
            self.state
                .check(ProtocolCheck::BodyOverLimit, "body", limit.to_string());
        }
        if self.state.decided() {
            Progress::Decided
        } else {
            Progress::Continue
        }
    }

    /// Ends the body and gives the verdict.
    pub fn finish(mut self) -> Verdict {
        if !self.state.decided() {
            if let Some(mut parser) = self.parser.take() {
                parser.finish(&mut self.state);
            }
            self.state.protocol_finish();
        }
        if self.state.admission.deferred_rules
            && self.state.admission.gate == Gate::Inspect
            && !self.state.decided()
        {
            self.state.run_deferred_rules(&self.head);
        }
        self.state.verdict()
    }
}

struct State {
    rules: Arc<CompiledRules>,
    policy: Arc<Policy>,
    clock: Arc<dyn Clock>,
    settings: Settings,
    admission: Admission,
    scratch: Scratch,
    /// Body values already scanned without a hit in this request.
    clean: CleanCache,
    fired: Vec<bool>,
    /// Some rule is off for the rest of the request (excluded, or fired): a
    /// clean scan then says nothing about the rules skipped, and is not
    /// remembered across requests (`crate::head_cache`).
    rules_switched_off: bool,
    /// Exclusions in scope that name targets (checked on each hit).
    target_exclusions: Vec<usize>,
    /// Argument (name, value) pairs, kept only when custom rules read arguments.
    collected_args: Vec<(String, Vec<u8>)>,
    /// `Some(referer present)` when the request comes from another site or
    /// none: a session parameter then suggests fixation (`crate::session`).
    session_off_site: Option<bool>,
    /// The off-site URL check reports once per request.
    fired_url_check: bool,
    /// For a JSON or form body: the plain-value screen of its names and
    /// values (see `matcher::plain`), when their classes' screens are on.
    plain: Option<Arc<PlainScreen>>,
    /// Short values the plain screen passed over in this request.
    quiet_memo: QuietMemo,
    /// Whether the plain screen (or its memo) passed the last body value
    /// over (for `ValueSink::json_key`).
    last_quiet: bool,
    /// The Host header as sent (with its port), for the off-site URL check.
    host_header: String,
    /// What the built-in protocol checks remember about this request, and
    /// their settings; taken out while a check runs (the checks report to
    /// this `State`), a pointer's move rather than a copy.
    protocol: Option<Box<ProtocolRun>>,
    fired_checks: Vec<ProtocolCheck>,
    hits: Vec<(RuleIndex, String, String)>,
    findings: Vec<Finding>,
    score: u32,
    args: usize,
    limit_rejected: bool,
    /// No more values are inspected (argument limit reached).
    stopped: bool,
}

impl State {
    fn decided(&self) -> bool {
        match self.admission.gate {
            Gate::Inspect => {
                self.settings.mode == Mode::Block
                    && (self.limit_rejected || self.score >= self.settings.anomaly_threshold)
            }
            Gate::Bypass(_) => false,
            Gate::Refuse { .. } => self.settings.mode == Mode::Block,
        }
    }

    fn run_deferred_rules(&mut self, head: &RequestHead) {
        let policy = Arc::clone(&self.policy);
        let clock = Arc::clone(&self.clock);
        let args = std::mem::take(&mut self.collected_args);
        let host = self.admission.host.clone();
        let path = self.admission.path.clone();
        let facts = Facts {
            head,
            host: &host,
            path: &path,
            client_ip: self.admission.client_ip,
            args: &args,
        };
        let before = self.admission.findings.len();
        let score_before = self.admission.score;
        let rules = policy.rules.iter().filter(|r| CustomRule::reads_args(r));
        if let Some(gate) =
            apply_rule_actions(rules, &facts, &policy, clock.as_ref(), &mut self.admission)
        {
            self.admission.gate = gate;
        }
        let added: Vec<Finding> = self
            .admission
            .findings
            .get(before..)
            .unwrap_or_default()
            .to_vec();
        self.findings.extend(added);
        self.score = self
            .score
            .saturating_add(self.admission.score.saturating_sub(score_before));
    }

    fn check(&mut self, check: ProtocolCheck, target: &str, detail: impl AsRef<[u8]>) {
        if check.paranoia() > self.settings.paranoia || self.fired_checks.contains(&check) {
            return;
        }
        self.fired_checks.push(check);
        if check.is_limit() && self.settings.limits.on_limit == LimitAction::Reject {
            self.limit_rejected = true;
        }
        self.score = self.score.saturating_add(check.severity().weight());
        self.findings.push(check.finding(target, detail.as_ref()));
    }

    /// Runs `check` with the request's protocol state and settings, this
    /// `State` as the sink.
    fn with_protocol(
        &mut self,
        check: impl FnOnce(&mut protocol::RequestState, &ProtocolSettings, &mut State),
    ) {
        let Some(mut run) = self.protocol.take() else {
            return;
        };
        let ProtocolRun { state, settings } = &mut *run;
        check(state, settings, self);
        self.protocol = Some(run);
    }

    /// Runs the protocol head checks.
    fn protocol_head(&mut self, head: &RequestHead) {
        self.with_protocol(|state, settings, sink| {
            protocol::check_head(head, settings, state, sink)
        });
    }

    /// Runs the protocol value checks on one parsed value.
    fn protocol_value(&mut self, source: TargetSource, name: &str, value: &[u8]) {
        self.with_protocol(|state, settings, sink| {
            protocol::check_value(source, name, value, settings, state, sink)
        });
    }

    /// Shows raw body bytes to the protocol checks.
    fn protocol_chunk(&mut self, chunk: &[u8]) {
        self.with_protocol(|state, _, sink| protocol::check_body_chunk(chunk, state, sink));
    }

    /// Ends the protocol checks' view of the body.
    fn protocol_finish(&mut self) {
        self.with_protocol(|state, _, sink| protocol::finish_body(state, sink));
    }

    fn inspect_head(&mut self, head: &RequestHead) {
        if head.uri.contains(&0) {
            self.check(ProtocolCheck::NulInRequestTarget, "uri", "\\x00");
        }
        self.inspect(TargetSource::Method, "", head.method.as_bytes());
        // The whole-target views are capped like any value (a 1 MiB query
        // string is otherwise scanned three times); the parsed arguments below
        // still cover all of it, each value capped and reported when cut.
        let cap = self.settings.limits.max_value_bytes;
        let capped = |bytes: &[u8]| -> usize { bytes.len().min(cap) };
        self.inspect(
            TargetSource::Uri,
            "",
            head.uri.get(..capped(&head.uri)).unwrap_or_default(),
        );
        let raw_path = head.path();
        let path = url_decode(raw_path.get(..capped(raw_path)).unwrap_or_default());
        self.inspect(TargetSource::Path, "", &path);
        if let Some(query) = head.query() {
            self.inspect(
                TargetSource::QueryString,
                "",
                query.get(..capped(query)).unwrap_or_default(),
            );
            parse_query(query, self.settings.limits.body_limits(), self);
        }
        // One buffer for the lowercase header name, reused across headers.
        let mut lower = String::new();
        for (count, header) in head.headers.iter().enumerate() {
            if count >= self.settings.limits.max_headers_count {
                let max = self.settings.limits.max_headers_count.to_string();
                self.check(ProtocolCheck::TooManyHeaders, "headers", &max);
                break;
            }
            lower.clear();
            lower.push_str(&header.name);
            lower.make_ascii_lowercase();
            self.inspect(TargetSource::HeaderName, &lower, lower.as_bytes());
            if lower == "cookie" {
                for (name, value) in cookie_pairs(&header.value) {
                    let name = String::from_utf8_lossy(name);
                    self.inspect(TargetSource::CookieName, &name, name.as_bytes());
                    self.inspect(TargetSource::Cookie, &name, value);
                }
            } else {
                self.inspect(TargetSource::Header, &lower, &header.value);
            }
        }
        // After the signatures, so that an early decision keeps the attack's
        // own findings.
        self.protocol_head(head);
    }

    fn inspect(&mut self, source: TargetSource, name: &str, value: &[u8]) {
        if self.stopped || self.decided() {
            return;
        }
        let State {
            rules,
            settings,
            scratch,
            fired,
            rules_switched_off,
            hits,
            clean,
            ..
        } = self;
        hits.clear();
        // Values repeated within a body (JSON keys of an array of objects)
        // are scanned once.
        let cacheable = matches!(
            source,
            TargetSource::BodyArg
                | TargetSource::BodyArgName
                | TargetSource::JsonKey
                | TargetSource::JsonValue
                | TargetSource::XmlText
                | TargetSource::XmlAttr
        );
        let class = source.class();
        // Values of the request head repeat across requests (the same
        // browsers' headers, the same paths and query arguments).
        let head_key = matches!(
            source,
            TargetSource::Method
                | TargetSource::Uri
                | TargetSource::Path
                | TargetSource::QueryString
                | TargetSource::QueryArgName
                | TargetSource::QueryArg
                | TargetSource::Header
                | TargetSource::HeaderName
                | TargetSource::Cookie
                | TargetSource::CookieName
        )
        .then(|| crate::head_cache::Key {
            rules: rules.generation(),
            paranoia: settings.paranoia.get(),
            class: class.index() as u8,
            name_key: rules.name_key(class, name),
        });
        if let Some(key) = head_key {
            if crate::head_cache::seen_clean(key, value) {
                return;
            }
        }
        if cacheable && clean.seen_clean(class.index(), rules.name_key(class, name), value) {
            return;
        }
        rules.scan(
            Target {
                source,
                name,
                value,
            },
            settings.paranoia,
            scratch,
            &|r| fired.get(r.0 as usize).copied().unwrap_or(true),
            &mut |hit| {
                hits.push((
                    hit.rule,
                    hit.chain.describe(),
                    excerpt(hit.matched, EXCERPT_BYTES),
                ))
            },
        );
        if hits.is_empty() {
            if cacheable {
                clean.remember();
            }
            if let Some(key) = head_key.filter(|_| !*rules_switched_off) {
                crate::head_cache::remember(key, value);
            }
            return;
        }
        let label = TargetLabel { source, name }.to_string();
        for (rule, chain, matched) in hits.drain(..) {
            let Some(meta) = rules.rule(rule) else {
                continue;
            };
            let excluded = self.target_exclusions.iter().any(|&i| {
                self.policy
                    .exclusions
                    .get(i)
                    .is_some_and(|e| e.selects(meta) && e.covers_target(&label))
            });
            if excluded {
                continue;
            }
            if let Some(slot) = fired.get_mut(rule.0 as usize) {
                *slot = true;
                self.rules_switched_off = true;
            }
            self.score = self.score.saturating_add(meta.severity.weight());
            self.findings.push(Finding {
                rule_id: meta.id,
                category: meta.category,
                severity: meta.severity,
                paranoia: meta.paranoia,
                message: meta.name.clone(),
                target: label.clone(),
                transforms: chain,
                excerpt: matched,
            });
        }
    }

    fn verdict(&self) -> Verdict {
        let s = &self.settings;
        let (mut reason, mut status, mut retry_after_seconds, mut rate_limit, mut bypass) =
            (None, 200, None, None, None);
        match &self.admission.gate {
            Gate::Refuse {
                reason: why,
                status: code,
                retry_after_seconds: retry,
                rate_limit: limit,
            } => {
                reason = Some(*why);
                status = *code;
                retry_after_seconds = *retry;
                rate_limit = limit.clone();
            }
            Gate::Bypass(why) => bypass = Some(why.clone()),
            Gate::Inspect => {
                if self.limit_rejected {
                    reason = Some(BlockReason::LimitExceeded);
                    status = 413;
                } else if self.score >= s.anomaly_threshold {
                    reason = Some(BlockReason::AnomalyScore);
                    status = s.block_status;
                }
            }
        }
        let block = reason.is_some() && s.mode == Mode::Block;
        if !block {
            status = 200;
            retry_after_seconds = None;
        }
        Verdict {
            action: if block { Action::Block } else { Action::Allow },
            status,
            reason,
            mode: s.mode,
            score: self.score,
            threshold: s.anomaly_threshold,
            paranoia: s.paranoia,
            findings: self.findings.clone(),
            tags: self.admission.tags.clone(),
            route: self.admission.route.clone(),
            bypass,
            rate_limit,
            retry_after_seconds,
            dos: self.admission.dos.clone(),
        }
    }
}

/// Values the plain-value screen passed over (for the tests).
#[cfg(test)]
static PLAIN_QUIET: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[cfg(test)]
mod known_key_tests;
#[cfg(test)]
mod plain_screen_tests;

/// The protocol checks' per-request state with the settings they run under.
#[derive(Debug)]
struct ProtocolRun {
    state: protocol::RequestState,
    settings: Arc<ProtocolSettings>,
}

/// Whether `name` holds a `[` (which no session parameter's name does).
fn name_holds_bracket(name: &str) -> bool {
    memchr::memchr(b'[', name.as_bytes()).is_some()
}

fn is_arg(source: TargetSource) -> bool {
    matches!(
        source,
        TargetSource::QueryArg
            | TargetSource::BodyArg
            | TargetSource::JsonValue
            | TargetSource::XmlText
            | TargetSource::XmlAttr
    )
}

impl State {
    /// A value from the query or the body: counted, inspected and checked
    /// as far as the plain-value screen's `outcome` leaves anything to find
    /// (none for [`PlainOutcome::Quiet`]; for [`PlainOutcome::Candidates`]
    /// only its candidates, and no protocol finding).
    fn take_value(
        &mut self,
        source: TargetSource,
        name: &str,
        value: &[u8],
        outcome: PlainOutcome,
    ) {
        // Past the argument limit nothing more is inspected or counted.
        if self.stopped {
            return;
        }
        if is_arg(source) {
            if self.admission.deferred_rules
                && self.collected_args.len() < self.settings.limits.max_args_count
            {
                self.collected_args.push((name.to_string(), value.to_vec()));
            }
            self.args += 1;
            if self.args > self.settings.limits.max_args_count {
                let max = self.settings.limits.max_args_count.to_string();
                self.check(ProtocolCheck::TooManyArgs, "args", &max);
                self.stopped = true;
                return;
            }
        }
        // Signatures first: a protocol finding that decides the request must
        // not hide the attack category the value carries.
        if outcome != PlainOutcome::Quiet {
            self.inspect(source, name, value);
        }
        if self.settings.paranoia.get() >= 2
            && matches!(
                source,
                TargetSource::QueryArg | TargetSource::BodyArg | TargetSource::JsonValue
            )
            && !self.decided()
            && !self.fired_url_check
        {
            if let Some(url_host) = crate::session::off_site_url(value, &self.host_header) {
                self.fired_url_check = true;
                let finding = crate::session::url_finding(
                    &TargetLabel { source, name }.to_string(),
                    &url_host,
                );
                self.score = self.score.saturating_add(finding.severity.weight());
                self.findings.push(finding);
            }
        }
        if let Some(referer_present) = self.session_off_site {
            let is_name = matches!(
                source,
                TargetSource::QueryArgName | TargetSource::BodyArgName | TargetSource::JsonKey
            );
            if is_name && !self.decided() && crate::session::is_session_parameter(name) {
                self.session_off_site = None;
                let finding = crate::session::finding(
                    &TargetLabel { source, name }.to_string(),
                    referer_present,
                );
                self.score = self.score.saturating_add(finding.severity.weight());
                self.findings.push(finding);
            }
        }
        if outcome == PlainOutcome::Scan && !self.stopped && !self.decided() {
            // The protocol checks on a JSON key or value depend on nothing
            // but the value and whether it is a key: a repeat of one they
            // had nothing to report on is passed over, like its scan.
            let json = matches!(source, TargetSource::JsonKey | TargetSource::JsonValue);
            if json && self.clean.last_protocol_clean() {
                return;
            }
            let reported = self.findings.len();
            self.protocol_value(source, name, value);
            if json && self.findings.len() == reported {
                self.clean.mark_protocol_clean();
            }
        }
    }
}

impl ValueSink for State {
    fn value(&mut self, source: TargetSource, name: &str, value: &[u8]) {
        let outcome = match self.plain.as_deref() {
            Some(screen)
                if !protocol::name_is_checked(
                    source,
                    name,
                    value.len(),
                    &self.settings.protocol,
                    self.settings.paranoia,
                ) =>
            {
                // JSON keys repeat in every element of an array; form names
                // mostly do not (`rows[12][sku]`), so only JSON is memoised.
                let class = source.class();
                let memo = if matches!(source, TargetSource::JsonKey | TargetSource::JsonValue) {
                    self.quiet_memo.look_up(class.index(), value)
                } else {
                    Lookup::Unkept
                };
                if memo == Lookup::Found {
                    PlainOutcome::Quiet
                } else {
                    let outcome = self
                        .rules
                        .plain_outcome(class, screen, value, &mut self.scratch);
                    if outcome == PlainOutcome::Quiet {
                        self.quiet_memo.remember(memo);
                    }
                    outcome
                }
            }
            _ => PlainOutcome::Scan,
        };
        #[cfg(test)]
        if outcome != PlainOutcome::Scan {
            PLAIN_QUIET.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        self.last_quiet = outcome == PlainOutcome::Quiet;
        self.take_value(source, name, value, outcome);
        // Candidates the scan did not take (a cached value, a stopped
        // request) must not reach the next value's scan.
        self.scratch.clear_preset();
    }

    /// A quiet key does nothing in [`State::take_value`] (a key is not an
    /// argument; only the pending session check reads keys' names, and
    /// never a name holding `[`), and the plain screen's verdict on it
    /// depends on its bytes alone (`quiet_memo`; the protocol checks read
    /// no JSON key's name, `protocol::name_is_checked`). So a repeat of a
    /// quiet key changes nothing when no session check is pending (none
    /// ever is again) or its name, like this one's, holds a `[`.
    fn json_key(&mut self, name: &str, key: &[u8]) -> bool {
        self.value(TargetSource::JsonKey, name, key);
        self.last_quiet && (self.session_off_site.is_none() || name_holds_bracket(name))
    }

    fn wants_values(&self) -> bool {
        !self.stopped
    }

    fn part_header(&mut self, name: &[u8], value: &[u8]) {
        if !self.stopped && !self.decided() {
            let paranoia = self.settings.paranoia;
            if let Some(run) = self.protocol.as_deref_mut() {
                protocol::check_part_header(name, value, &run.settings, &mut run.state, paranoia);
            }
        }
    }

    fn issue(&mut self, issue: BodyIssue) {
        // Like values, issues after the decision are not recorded: where the
        // body was cut into chunks decides how much of it is parsed after that.
        if self.decided() {
            return;
        }
        let check = ProtocolCheck::from_body_issue(&issue);
        let (target, detail) = match &issue {
            BodyIssue::ValueTruncated { name } => (format!("args:{name}"), String::new()),
            BodyIssue::TooDeep => ("body".to_string(), String::new()),
            BodyIssue::Malformed { reason, offset } => {
                ("body".to_string(), format!("{reason} at byte {offset}"))
            }
            BodyIssue::Truncated { reason } => ("body".to_string(), reason.clone()),
        };
        self.check(check, &target, &detail);
    }
}

impl protocol::Sink for State {
    fn paranoia(&self) -> Paranoia {
        self.settings.paranoia
    }

    fn report(&mut self, check: ProtocolCheck, target: &str, detail: &[u8]) {
        self.check(check, target, detail);
    }
}
