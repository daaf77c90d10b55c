//! The compiled matcher: signatures grouped by (target class, transform chain).
//!
//! Each group scans a value once: the value is transformed by the group's chain
//! once, an Aho-Corasick prefilter over the required literals of every pattern in
//! the group selects the candidate rules, one multi-pattern regex checks the
//! patterns that have no usable literals (the residual), and only candidates are
//! confirmed with their own regex. Cost per value grows with the number of
//! distinct chains, not the number of rules; every engine involved is a finite
//! automaton, so matching is linear in the input (no backtracking, no ReDoS).
//!
//! [`CompiledRules`] is immutable and `Send + Sync`; share it behind an `Arc`.
//! Per-transaction state lives in a [`Scratch`].

mod chains;
mod factors;
pub mod literals;
mod plain;
mod required;
mod screen;
#[cfg(test)]
pub(crate) mod screen_tests;
mod starts;

use crate::detect::Detector;
use crate::rule::{Category, Paranoia, RuleId, Severity, TargetSelector};
use crate::signature::{Origin, Pattern, Signature};
use crate::target::{Target, TargetClass};
use crate::transform::summary::{ByteSet, Summary};
use crate::transform::Chain;
use literals::LiteralSet;
use plain::Plain;
pub(crate) use plain::PlainScreen;
use starts::StartPositions;
use std::sync::Arc;

/// What a plain-value screen is built for: level, classes (as bits), extra bytes.
type PlainKey = (u8, u64, ByteSet);
use regex_automata::meta;
use regex_automata::util::syntax;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Index of a rule in a [`CompiledRules`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleIndex(pub u32);

/// Shortest literal the prefilter accepts; patterns needing less are residual.
const MIN_LITERAL_LEN: usize = 2;
/// Most byte sets the quiet-value screen keeps per pattern branch.
const SCREEN_BYTE_SETS: usize = 8;
/// Lazy-DFA cache for each confirming regex.
const CONFIRM_CACHE_BYTES: usize = 1 << 20;
/// Lazy-DFA cache for a group's residual multi-regex.
const RESIDUAL_CACHE_BYTES: usize = 8 << 20;
/// Upper bound on one compiled pattern's NFA.
const NFA_LIMIT_BYTES: usize = 8 << 20;

/// Why a rule set failed to compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    #[error("{origin}: signature {id}: pattern rejected: {message}")]
    Pattern {
        origin: Origin,
        id: RuleId,
        message: String,
    },
    #[error("prefilter for target class {class:?} failed to build: {message}")]
    Prefilter { class: TargetClass, message: String },
}

/// What the engine keeps about each rule besides its pattern.
#[derive(Debug, Clone)]
pub struct RuleMeta {
    pub id: RuleId,
    pub name: String,
    pub category: Category,
    pub severity: Severity,
    pub paranoia: Paranoia,
    pub owasp: String,
    pub tags: Vec<String>,
    pub chain: Chain,
    pub targets: Vec<TargetSelector>,
}

/// A rule in a group: its index and the names it is limited to in that class.
type GroupMember = (usize, Option<Vec<String>>);

/// How a candidate rule is confirmed on a value.
enum Confirm {
    /// The rule's regex, and where its matches can start when that is
    /// narrow enough to search only there.
    Regex(meta::Regex, Option<StartPositions>),
    Detector(Detector),
}

impl Confirm {
    /// The match on `haystack`; `prechecked` when a detector's pre-check
    /// is known to pass on it (see `Detector::detect_prechecked`).
    fn find(&self, haystack: &[u8], prechecked: bool) -> Option<std::ops::Range<usize>> {
        match self {
            Confirm::Regex(r, Some(starts)) => starts.find(r, haystack),
            Confirm::Regex(r, None) => r.find(haystack).map(|m| m.range()),
            Confirm::Detector(d) if prechecked => {
                d.detect_prechecked(haystack).map(|det| det.start..det.end)
            }
            Confirm::Detector(d) => d.detect(haystack).map(|det| det.start..det.end),
        }
    }
}

struct GroupPattern {
    rule: RuleIndex,
    /// Lowercase names this pattern is limited to in this class; `None` = every value.
    names: Option<Vec<String>>,
}

struct Group {
    chain: Chain,
    patterns: Vec<GroupPattern>,
    /// Required literals of the non-residual patterns (lowercase), with the
    /// group pattern that needs each; folded into the class prefilter.
    literals: Vec<(Vec<u8>, u32)>,
    /// Index of this group's first pattern in the class-wide numbering.
    base: u32,
    /// Patterns without usable literals (pattern text, level), checked
    /// through the class's residual regexes; cleared once those are built.
    residual_sources: Vec<(String, Paranoia)>,
    /// The residual patterns and their paranoia levels.
    residual_patterns: Vec<(u32, Paranoia)>,
    /// Detector patterns: candidates for every value.
    always_patterns: Vec<u32>,
}

/// A compiled, immutable rule set.
pub struct CompiledRules {
    rules: Vec<RuleMeta>,
    confirmers: Vec<Confirm>,
    /// Per rule: byte sets every match touches (see [`required`]); a
    /// haystack missing one is not confirmed.
    required_bytes: Vec<Vec<ByteSet>>,
    /// Groups by target class (indexed by `TargetClass::index`).
    by_class: Vec<ClassIndex>,
    /// The literal pieces every class's quiet-value screen looks for.
    screen_pieces: screen::Pieces,
    /// Plain-value screens built so far, by (level, classes, extra bytes).
    plain_screens: std::sync::Mutex<Vec<(PlainKey, Option<Arc<PlainScreen>>)>>,
    /// Distinct for every compiled set in this process (what the head cache
    /// keys its entries by).
    generation: u64,
}

/// The groups of one target class and their shared literal prefilter.
#[derive(Default)]
struct ClassIndex {
    groups: Vec<Group>,
    /// One literal set over the required literals of every group.
    prefilter: Option<LiteralSet>,
    /// For each prefilter literal, the (group, pattern) pairs that require it.
    owners: Vec<Vec<(u16, u32)>>,
    /// Patterns across all groups (size of the candidate marks).
    patterns: usize,
    /// Multi-pattern regexes over the residual patterns of every group, one per
    /// paranoia level present (ascending), so that a scan at a low level never
    /// pays for higher-level patterns matching ordinary text.
    residual: Vec<(Paranoia, meta::Regex)>,
    /// For each residual regex: the required bytes of each of its patterns,
    /// or `None` when some pattern requires none (the regex always runs).
    /// The regex runs on a haystack only if some pattern's requirements hold.
    residual_gates: Vec<Option<Vec<Vec<ByteSet>>>>,
    /// The groups' chains as one prefix tree, and each group's node in it.
    chains: chains::ChainTree,
    group_node: Vec<u16>,
    /// Every target name some pattern of the class is limited to (lowercase,
    /// sorted, distinct): all a scan's outcome can depend on in a name.
    filter_names: Vec<String>,
    /// Clears ordinary values before any of the above runs.
    screen: Option<screen::Screen>,
}

/// A confirmed match of one rule on one value.
#[derive(Debug, Clone, Copy)]
pub struct Hit<'a> {
    pub rule: RuleIndex,
    pub chain: &'a Chain,
    /// The bytes the rule's pattern matched, in the transformed value.
    pub matched: &'a [u8],
}

/// Per-transaction scratch: candidate marks reused across values.
#[derive(Default)]
pub struct Scratch {
    marks: Vec<u32>,
    epoch: u32,
    candidates: Vec<u32>,
    /// For each group of the class being scanned, the group whose haystack it shares.
    representative: Vec<u16>,
    /// The chain tree's node aliases for the value being scanned.
    links: Vec<chains::Link>,
    /// The quiet-value screen's candidates for the value being scanned.
    quiet: Vec<screen::Candidate>,
    /// For each representative group of the value being scanned: the bytes
    /// its haystack holds, once computed.
    hay_bytes: Vec<Option<ByteSet>>,
    /// The pieces the plain-value screen found in the value it judged.
    plain_pieces: Vec<usize>,
    /// `quiet` holds the plain-value screen's candidates for the next value
    /// scanned (see [`CompiledRules::plain_outcome`]).
    preset: bool,
}

/// What the plain-value screen shows of a value (see
/// [`CompiledRules::plain_outcome`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlainOutcome {
    /// No hit possible, and nothing for the protocol value checks.
    Quiet,
    /// Only the candidates left in the scratch can match; nothing for the
    /// protocol value checks.
    Candidates,
    /// The usual scan and checks.
    Scan,
}

impl Scratch {
    /// Forgets candidates [`CompiledRules::plain_outcome`] left for a scan
    /// that did not happen (the value was found in a cache).
    pub(crate) fn clear_preset(&mut self) {
        self.preset = false;
    }
}

/// The bytes of group `r`'s haystack: `known` when the chain tree already
/// has them, else computed from `hay` on first use.
fn hay_bytes_of(
    cache: &mut [Option<ByteSet>],
    r: usize,
    known: Option<ByteSet>,
    hay: &[u8],
) -> ByteSet {
    if let Some(set) = known {
        return set;
    }
    match cache.get_mut(r) {
        Some(Some(set)) => *set,
        Some(slot) => *slot.insert(ByteSet::collect(hay)),
        None => ByteSet::collect(hay),
    }
}

/// Whether a haystack holding `present` can satisfy every requirement.
fn meets(present: &ByteSet, needs: &[ByteSet]) -> bool {
    needs.iter().all(|n| present.intersects(n))
}

impl Scratch {
    fn begin(&mut self, patterns: usize) {
        if self.marks.len() < patterns {
            self.marks.resize(patterns, 0);
        }
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.marks.iter_mut().for_each(|m| *m = 0);
            self.epoch = 1;
        }
        self.candidates.clear();
    }

    fn mark(&mut self, pattern: u32) {
        if let Some(slot) = self.marks.get_mut(pattern as usize) {
            if *slot != self.epoch {
                *slot = self.epoch;
                self.candidates.push(pattern);
            }
        }
    }
}

/// The chain a signature is scanned with: its own, without a final
/// `lowercase` when the pattern is case-insensitive (ASCII case folding in the
/// automaton gives the same matches without copying the value), so such rules
/// share groups with the same chain minus `lowercase`.
fn effective_chain(sig: &Signature) -> Chain {
    let mut chain = sig.chain.clone();
    if !sig.case_sensitive {
        while chain.0.last() == Some(&crate::transform::Transform::Lowercase) {
            chain.0.pop();
        }
    }
    chain
}

fn syntax_config(case_sensitive: bool) -> syntax::Config {
    syntax::Config::new()
        .unicode(false)
        .utf8(false)
        .case_insensitive(!case_sensitive)
}

fn pattern_text(sig: &Signature) -> String {
    match &sig.pattern {
        Pattern::Regex(r) => r.clone(),
        Pattern::Phrases(p) => {
            let alts: Vec<String> = p.iter().map(|s| regex_syntax::escape(s)).collect();
            format!("(?:{})", alts.join("|"))
        }
        Pattern::Detector(_) => String::new(),
    }
}

fn compile_confirm(sig: &Signature, pattern: &str) -> Result<meta::Regex, CompileError> {
    meta::Regex::builder()
        .syntax(syntax_config(sig.case_sensitive))
        .configure(
            meta::Config::new()
                .utf8_empty(false)
                .nfa_size_limit(Some(NFA_LIMIT_BYTES))
                .hybrid_cache_capacity(CONFIRM_CACHE_BYTES),
        )
        .build(pattern)
        .map_err(|e| CompileError::Pattern {
            origin: sig.origin.clone(),
            id: sig.id,
            message: e.to_string(),
        })
}

/// What the prefilter needs from a pattern: its required literals (if it has
/// usable ones) and the punctuation every match contains.
struct PatternNeeds {
    literals: Option<Vec<Vec<u8>>>,
    bytes: Vec<ByteSet>,
    /// What each top-level branch needs, for the quiet-value screen.
    branches: Vec<screen::BranchNeeds>,
    /// Where its matches can start, when few bytes can open one.
    starts: Option<StartPositions>,
}

/// A pattern's HIR in the matcher's dialect (bytes, no Unicode, no UTF-8
/// requirement), which literal and punctuation extraction walk; the error
/// is the parser's message.
pub(crate) fn parse_hir(
    pattern: &str,
    case_insensitive: bool,
) -> Result<regex_syntax::hir::Hir, String> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .case_insensitive(case_insensitive)
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())
}

fn needs_of(sig: &Signature, pattern: &str) -> Result<PatternNeeds, CompileError> {
    let hir = parse_hir(pattern, !sig.case_sensitive).map_err(|message| CompileError::Pattern {
        origin: sig.origin.clone(),
        id: sig.id,
        message,
    })?;
    if hir.properties().minimum_len() == Some(0) {
        return Err(CompileError::Pattern {
            origin: sig.origin.clone(),
            id: sig.id,
            message: "pattern can match the empty string".into(),
        });
    }
    let literals = factors::required_literals(&hir, MIN_LITERAL_LEN);
    // Per branch for the screen: a branch's own literals and bytes are
    // narrower than the whole pattern's union.
    let branches = required::branches(&hir)
        .into_iter()
        .map(|branch| {
            let literals = factors::required_literals(branch, MIN_LITERAL_LEN);
            // Without literals, letters a branch needs are worth checking too.
            let bytes = if literals.is_some() {
                required::required_byte_sets(branch)
            } else {
                required::required_byte_sets_with_letters(branch, SCREEN_BYTE_SETS)
            };
            screen::BranchNeeds { literals, bytes }
        })
        .collect();
    Ok(PatternNeeds {
        starts: StartPositions::of(&hir),
        bytes: required::required_byte_sets(&hir),
        literals,
        branches,
    })
}

impl CompiledRules {
    /// Compiles validated signatures. Fails on the first pattern that is not in
    /// the linear-time dialect (backreferences, look-around) or is too large.
    pub fn compile(signatures: &[Signature]) -> Result<CompiledRules, CompileError> {
        let mut rules = Vec::with_capacity(signatures.len());
        let mut confirmers = Vec::with_capacity(signatures.len());
        let mut literals = Vec::with_capacity(signatures.len());
        let mut patterns = Vec::with_capacity(signatures.len());
        let mut required_bytes = Vec::with_capacity(signatures.len());
        let mut branch_needs = Vec::with_capacity(signatures.len());
        for sig in signatures {
            if let Pattern::Detector(d) = sig.pattern {
                confirmers.push(Confirm::Detector(d));
                literals.push(None);
                patterns.push(None);
                required_bytes.push(Vec::new());
                branch_needs.push(Vec::new());
            } else {
                let pattern = pattern_text(sig);
                let regex = compile_confirm(sig, &pattern)?;
                let needs = needs_of(sig, &pattern)?;
                confirmers.push(Confirm::Regex(regex, needs.starts));
                literals.push(needs.literals);
                required_bytes.push(needs.bytes);
                branch_needs.push(needs.branches);
                patterns.push(Some(pattern));
            }
            rules.push(RuleMeta {
                id: sig.id,
                name: sig.name.clone(),
                category: sig.category,
                severity: sig.severity,
                paranoia: sig.paranoia,
                owasp: sig.owasp.clone(),
                tags: sig.tags.clone(),
                chain: effective_chain(sig),
                targets: sig.targets.clone(),
            });
        }

        // (class, chain) -> [(rule index, name filter)]
        let mut grouped: BTreeMap<(TargetClass, Chain), Vec<GroupMember>> = BTreeMap::new();
        for (index, sig) in signatures.iter().enumerate() {
            let mut per_class: BTreeMap<TargetClass, Option<Vec<String>>> = BTreeMap::new();
            for sel in &sig.targets {
                let entry = per_class
                    .entry(sel.class)
                    .or_insert_with(|| Some(Vec::new()));
                match (&sel.name, entry.as_mut()) {
                    (None, _) => *entry = None,
                    (Some(name), Some(names)) => names.push(name.clone()),
                    (Some(_), None) => {}
                }
            }
            for (class, names) in per_class {
                grouped
                    .entry((class, effective_chain(sig)))
                    .or_default()
                    .push((index, names));
            }
        }

        let mut by_class: Vec<ClassIndex> = TargetClass::ALL
            .iter()
            .map(|_| ClassIndex::default())
            .collect();
        for ((class, chain), members) in grouped {
            let group = build_group(class, chain, members, signatures, &patterns, &literals)?;
            if let Some(slot) = by_class.get_mut(class.index()) {
                slot.groups.push(group);
            }
        }
        for (class, index) in TargetClass::ALL.iter().zip(by_class.iter_mut()) {
            index.finish(*class, &required_bytes)?;
        }
        let drafts: Vec<Option<screen::Draft>> = by_class
            .iter()
            .map(|index| draft_screen(index, &rules, &confirmers, &branch_needs))
            .collect();
        let levels = [1u8, 2, 3, 4].map(|l| Paranoia::new(l).unwrap_or(Paranoia::MAX));
        let level_pieces: [Vec<Vec<u8>>; 4] = levels.map(|level| {
            let mut pieces: Vec<Vec<u8>> = drafts
                .iter()
                .flatten()
                .flat_map(|d| d.pieces_at(level))
                .map(<[u8]>::to_vec)
                .collect();
            pieces.sort();
            pieces.dedup();
            pieces
        });
        for (index, draft) in by_class.iter_mut().zip(drafts) {
            index.screen = draft.map(|d| {
                d.finish(|level, piece| {
                    level_pieces
                        .get(usize::from(level.get()) - 1)
                        .and_then(|all| all.binary_search_by(|p| p.as_slice().cmp(piece)).ok())
                })
            });
        }
        let screen_pieces = screen::Pieces::new(level_pieces);
        static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Ok(CompiledRules {
            rules,
            confirmers,
            required_bytes,
            by_class,
            screen_pieces,
            plain_screens: Default::default(),
            generation: GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        })
    }

    /// A number no other rule set compiled in this process has.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The rules, indexed by [`RuleIndex`].
    pub fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }

    /// The rule at an index.
    pub fn rule(&self, index: RuleIndex) -> Option<&RuleMeta> {
        self.rules.get(index.0 as usize)
    }

    /// Number of (class, chain) groups: the number of scans the heaviest value may cost.
    pub fn group_count(&self) -> usize {
        self.by_class.iter().map(|c| c.groups.len()).sum()
    }

    /// One line per group: class, chain, patterns, prefiltered, residual and
    /// detector counts, and the residual rule ids (for tuning signatures).
    pub fn describe_groups(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (class, index) in TargetClass::ALL.iter().zip(&self.by_class) {
            for g in &index.groups {
                let residual: Vec<String> = g
                    .residual_patterns
                    .iter()
                    .filter_map(|&(p, _)| g.patterns.get(p as usize))
                    .filter_map(|gp| self.rules.get(gp.rule.0 as usize))
                    .map(|m| m.id.to_string())
                    .collect();
                out.push(format!(
                    "{class:?} [{}] patterns={} residual={} detectors={} residual_ids={}",
                    g.chain,
                    g.patterns.len(),
                    g.residual_patterns.len(),
                    g.always_patterns.len(),
                    residual.join(",")
                ));
            }
        }
        out
    }

    /// What a scan's outcome depends on in a target name: which of the
    /// class's name-limited patterns the name selects, as a small number
    /// (`u16::MAX` for none). Two values of one class with the same
    /// `name_key` and the same bytes scan the same.
    pub fn name_key(&self, class: TargetClass, name: &str) -> u16 {
        self.by_class
            .get(class.index())
            .and_then(|index| {
                index
                    .filter_names
                    .iter()
                    .position(|n| n.eq_ignore_ascii_case(name))
            })
            .map_or(u16::MAX, |i| i as u16)
    }

    /// Builds what scanning at `paranoia` needs that is otherwise built on
    /// first use (the quiet-value screen's automaton for that level), so
    /// that the first request does not wait for it.
    pub fn prepare(&self, paranoia: Paranoia) {
        self.screen_pieces.prepare(paranoia);
    }

    /// A plain-value screen (see [`plain`]) for values of `classes` at
    /// `paranoia`, with the `extra` bytes loud too; `None` when some class
    /// with rules has no quiet-value screen on at that level. Built on
    /// first use and kept.
    pub(crate) fn plain_screen(
        &self,
        classes: &[TargetClass],
        paranoia: Paranoia,
        extra: ByteSet,
    ) -> Option<Arc<PlainScreen>> {
        let key = (
            paranoia.get(),
            classes.iter().fold(0u64, |m, c| m | 1 << c.index()),
            extra,
        );
        let mut screens = self.plain_screens.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, screen)) = screens.iter().find(|(k, _)| *k == key) {
            return screen.clone();
        }
        let screen = self
            .build_plain_screen(classes, paranoia, extra)
            .map(Arc::new);
        screens.push((key, screen.clone()));
        screen
    }

    fn build_plain_screen(
        &self,
        classes: &[TargetClass],
        paranoia: Paranoia,
        extra: ByteSet,
    ) -> Option<PlainScreen> {
        let mut screens = Vec::with_capacity(classes.len());
        for class in classes {
            let index = self.by_class.get(class.index())?;
            if index.groups.is_empty() {
                continue;
            }
            let screen = index.screen.as_ref().filter(|s| s.is_on(paranoia))?;
            screens.push(screen);
        }
        // The level's automaton must exist: the pieces are its pieces.
        self.screen_pieces.at(paranoia)?;
        PlainScreen::new(&screens, paranoia, extra, |id| {
            self.screen_pieces.piece(paranoia, id)
        })
    }

    /// What the plain-value `screen` shows of `value` of `class` (one of
    /// the screen's classes): no hit possible ([`PlainOutcome::Quiet`]: it
    /// need not be scanned), a few candidate patterns (left in `scratch`
    /// for the next [`CompiledRules::scan`], which confirms only those), or
    /// nothing (the full scan).
    pub(crate) fn plain_outcome(
        &self,
        class: TargetClass,
        screen: &PlainScreen,
        value: &[u8],
        scratch: &mut Scratch,
    ) -> PlainOutcome {
        scratch.preset = false;
        let Some(index) = self.by_class.get(class.index()) else {
            return PlainOutcome::Scan;
        };
        let Some(class_screen) = index.screen.as_ref() else {
            return if index.groups.is_empty() {
                PlainOutcome::Quiet
            } else {
                PlainOutcome::Scan
            };
        };
        let (sql, base64) = match screen.judge(value, &mut scratch.plain_pieces) {
            Plain::Loud => return PlainOutcome::Scan,
            Plain::Quiet(base64) => {
                return if class_screen.quiet_whole(value, base64) {
                    PlainOutcome::Quiet
                } else {
                    PlainOutcome::Scan
                };
            }
            Plain::Pieces(base64) => (false, base64),
            Plain::Sql(base64) => (true, base64),
        };
        let found = class_screen.plain_candidates(
            value,
            screen.paranoia,
            scratch.plain_pieces.iter().copied(),
            sql,
            base64,
            &mut scratch.quiet,
        );
        if !found {
            return PlainOutcome::Scan;
        }
        if scratch.quiet.is_empty() {
            return PlainOutcome::Quiet;
        }
        scratch.preset = true;
        PlainOutcome::Candidates
    }

    /// One line per class and paranoia level: what the quiet-value screen
    /// looks for, or the rules that keep it off (for tuning signatures).
    pub fn describe_screens(&self) -> Vec<String> {
        let mut out = vec![format!(
            "pieces automaton: {} bytes",
            self.screen_pieces.memory_bytes()
        )];
        for (class, index) in TargetClass::ALL.iter().zip(&self.by_class) {
            if let Some(screen) = &index.screen {
                out.push(format!("{class:?} {}", screen.describe()));
            }
        }
        out
    }

    /// Distinct transform chains across all groups.
    pub fn chain_count(&self) -> usize {
        let mut chains: Vec<&Chain> = self
            .by_class
            .iter()
            .flat_map(|c| c.groups.iter())
            .map(|g| &g.chain)
            .collect();
        chains.sort();
        chains.dedup();
        chains.len()
    }

    /// Scans one value. Rules above `paranoia` and rules for which `skip` returns
    /// true (already fired) are not confirmed. `on_hit` gets every confirmed rule.
    pub fn scan(
        &self,
        target: Target<'_>,
        paranoia: Paranoia,
        scratch: &mut Scratch,
        skip: &dyn Fn(RuleIndex) -> bool,
        on_hit: &mut dyn FnMut(Hit<'_>),
    ) {
        self.scan_screened(target, paranoia, scratch, skip, on_hit, true);
    }

    /// Confirms the `candidates` of a quiet value (see `matcher::screen`),
    /// each on its own chain's output, computed once per group (candidates
    /// are sorted by group). With `screened`, the screen has run the
    /// detectors' pre-checks on the value, which hold for a chain output
    /// that is the value itself.
    #[allow(clippy::too_many_arguments)]
    fn confirm_quiet(
        &self,
        index: &ClassIndex,
        candidates: &[screen::Candidate],
        value: &[u8],
        name: &str,
        paranoia: Paranoia,
        screened: bool,
        skip: &dyn Fn(RuleIndex) -> bool,
        on_hit: &mut dyn FnMut(Hit<'_>),
    ) {
        let mut output: Option<(u16, Cow<'_, [u8]>)> = None;
        for &(g, p) in candidates {
            let Some(group) = index.groups.get(usize::from(g)) else {
                continue;
            };
            if output.as_ref().is_none_or(|(last, _)| *last != g) {
                output = Some((g, screen::quiet_output(&group.chain, value)));
            }
            let Some((_, haystack)) = output.as_ref() else {
                continue;
            };
            let prechecked = screened && matches!(haystack, Cow::Borrowed(_));
            self.confirm(
                group,
                p,
                name,
                haystack,
                paranoia,
                None::<fn() -> ByteSet>,
                prechecked,
                skip,
                on_hit,
            );
        }
    }

    /// [`CompiledRules::scan`], with the quiet-value screen used or not
    /// (the tests compare the two).
    fn scan_screened(
        &self,
        target: Target<'_>,
        paranoia: Paranoia,
        scratch: &mut Scratch,
        skip: &dyn Fn(RuleIndex) -> bool,
        on_hit: &mut dyn FnMut(Hit<'_>),
        screened: bool,
    ) {
        let Target {
            source,
            name,
            value,
        } = target;
        let Some(index) = self.by_class.get(source.class().index()) else {
            return;
        };
        if index.groups.is_empty() {
            return;
        }
        if scratch.preset {
            // The plain-value screen's candidates: each confirmed on its own
            // chain's output, the detectors with their own pre-checks.
            scratch.preset = false;
            self.confirm_quiet(
                index,
                &scratch.quiet,
                value,
                name,
                paranoia,
                false,
                skip,
                on_hit,
            );
            return;
        }
        // One summary of the value for the screen and the chain tree.
        let summary = Summary::of(value);
        if let Some(screen) = index.screen.as_ref().filter(|_| screened) {
            let mut quiet = std::mem::take(&mut scratch.quiet);
            if screen.screen(&self.screen_pieces, value, &summary, paranoia, &mut quiet) {
                // A quiet value: only the screen's candidates, each on its
                // own chain's output (the value itself, mostly).
                self.confirm_quiet(index, &quiet, value, name, paranoia, true, skip, on_hit);
                scratch.quiet = quiet;
                return;
            }
            scratch.quiet = quiet;
        }
        // Every distinct chain prefix, once. Groups whose outputs are equal
        // ignoring ASCII case share one prefilter scan (the automaton is
        // case-insensitive): for an ordinary value most chains change nothing,
        // and the chain tree knows which without comparing bytes.
        let mut links = std::mem::take(&mut scratch.links);
        let outputs = index.chains.apply(value, &summary, &mut links);
        // Exact bytes, for confirming; bytes equal ignoring ASCII case, for
        // the case-insensitive prefilter and residual regexes (never made
        // just for them).
        let hay = |g: usize| -> &[u8] {
            index
                .group_node
                .get(g)
                .map_or(&[][..], |&node| outputs.bytes(node))
        };
        let hay_folded = |g: usize| -> &[u8] {
            index
                .group_node
                .get(g)
                .map_or(&[][..], |&node| outputs.folded_bytes(node))
        };
        let known_bytes = |g: usize| -> Option<ByteSet> {
            index
                .group_node
                .get(g)
                .and_then(|&node| outputs.known_byte_set(node))
        };
        scratch.representative.clear();
        for (g, &node) in index.group_node.iter().enumerate() {
            let folded = outputs.folded(node);
            let same = index
                .group_node
                .get(..g)
                .and_then(|earlier| earlier.iter().position(|&n| outputs.folded(n) == folded));
            scratch.representative.push(same.unwrap_or(g) as u16);
        }
        scratch.begin(index.patterns);
        scratch.hay_bytes.clear();
        scratch.hay_bytes.resize(index.groups.len(), None);
        if let Some(set) = &index.prefilter {
            for r in 0..index.groups.len() {
                if scratch.representative.get(r) != Some(&(r as u16)) {
                    continue;
                }
                set.for_each_match(hay_folded(r), |literal| {
                    let Some(owners) = index.owners.get(literal) else {
                        return;
                    };
                    for &(g, p) in owners {
                        if scratch.representative.get(usize::from(g)) == Some(&(r as u16)) {
                            if let Some(group) = index.groups.get(usize::from(g)) {
                                scratch.mark(group.base + p);
                            }
                        }
                    }
                });
            }
        }
        for (i, (level, residual)) in index.residual.iter().enumerate() {
            if *level > paranoia {
                break;
            }
            let gates = index.residual_gates.get(i).and_then(Option::as_ref);
            for r in 0..index.groups.len() {
                if scratch.representative.get(r) != Some(&(r as u16)) {
                    continue;
                }
                if let Some(gates) = gates {
                    let present =
                        hay_bytes_of(&mut scratch.hay_bytes, r, known_bytes(r), hay_folded(r));
                    if !gates.iter().any(|needs| meets(&present, needs)) {
                        continue;
                    }
                }
                // Rare on ordinary values: when any residual pattern of this
                // level matches, that level's residual patterns of the groups
                // sharing this haystack are confirmed one by one.
                if residual.is_match(hay_folded(r)) {
                    for (g, group) in index.groups.iter().enumerate() {
                        if scratch.representative.get(g) == Some(&(r as u16)) {
                            for &(p, _) in
                                group.residual_patterns.iter().filter(|(_, l)| l == level)
                            {
                                scratch.mark(group.base + p);
                            }
                        }
                    }
                }
            }
        }
        for group in &index.groups {
            for &p in &group.always_patterns {
                scratch.mark(group.base + p);
            }
        }
        if scratch.candidates.is_empty() {
            drop(outputs);
            scratch.links = links;
            return;
        }
        scratch.candidates.sort_unstable();
        let mut g = 0usize;
        for &c in &scratch.candidates {
            while index.groups.get(g + 1).is_some_and(|next| next.base <= c) {
                g += 1;
            }
            let Some(group) = index.groups.get(g) else {
                continue;
            };
            let haystack: &[u8] = hay(g);
            let r = scratch.representative.get(g).map_or(g, |&r| usize::from(r));
            let present = || hay_bytes_of(&mut scratch.hay_bytes, r, known_bytes(r), hay_folded(r));
            self.confirm(
                group,
                c - group.base,
                name,
                haystack,
                paranoia,
                Some(present),
                false,
                skip,
                on_hit,
            );
        }
        drop(outputs);
        scratch.links = links;
    }

    /// Confirms pattern `p` of `group` on `haystack` (its chain's output of
    /// a value named `name`): the rule's level, whether it already fired, its
    /// target names, the bytes it needs (when `present` can tell which the
    /// haystack holds), then its regex or detector (`prechecked`: the
    /// detector's pre-check is known to pass on the haystack).
    #[allow(clippy::too_many_arguments)]
    fn confirm(
        &self,
        group: &Group,
        p: u32,
        name: &str,
        haystack: &[u8],
        paranoia: Paranoia,
        present: Option<impl FnOnce() -> ByteSet>,
        prechecked: bool,
        skip: &dyn Fn(RuleIndex) -> bool,
        on_hit: &mut dyn FnMut(Hit<'_>),
    ) {
        let Some(gp) = group.patterns.get(p as usize) else {
            return;
        };
        let Some(meta) = self.rules.get(gp.rule.0 as usize) else {
            return;
        };
        if meta.paranoia > paranoia || skip(gp.rule) {
            return;
        }
        if let Some(names) = &gp.names {
            if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                return;
            }
        }
        if let (Some(needs), Some(present)) = (
            self.required_bytes
                .get(gp.rule.0 as usize)
                .filter(|n| !n.is_empty()),
            present,
        ) {
            if !meets(&present(), needs) {
                return;
            }
        }
        let Some(confirm) = self.confirmers.get(gp.rule.0 as usize) else {
            return;
        };
        if let Some(range) = confirm.find(haystack, prechecked) {
            on_hit(Hit {
                rule: gp.rule,
                chain: &group.chain,
                matched: haystack.get(range).unwrap_or_default(),
            });
        }
    }

    /// Whether one rule matches a value after its own chain, ignoring targets and
    /// paranoia: what a signature's examples are checked with.
    pub fn rule_matches(&self, index: RuleIndex, value: &[u8]) -> bool {
        match (
            self.rules.get(index.0 as usize),
            self.confirmers.get(index.0 as usize),
        ) {
            (Some(meta), Some(confirm)) => confirm.find(&meta.chain.apply(value), false).is_some(),
            _ => false,
        }
    }
}

/// Whether a pattern has an inline flag group that clears `i` (`(?-i)`,
/// `(?s-i:...)`). Conservative: any `(?` group with `i` after a `-` counts.
pub(crate) fn sets_case_sensitive_inline(pattern: &str) -> bool {
    pattern.match_indices("(?").any(|(at, _)| {
        let flags = pattern
            .get(at + 2..)
            .unwrap_or_default()
            .split([':', ')'])
            .next()
            .unwrap_or_default();
        flags
            .split_once('-')
            .is_some_and(|(_, cleared)| cleared.contains('i'))
    })
}

/// The quiet-value screen of a finished class, before the shared piece
/// automaton exists (none for a class without groups).
fn draft_screen(
    index: &ClassIndex,
    rules: &[RuleMeta],
    confirmers: &[Confirm],
    branch_needs: &[Vec<screen::BranchNeeds>],
) -> Option<screen::Draft> {
    if index.groups.is_empty() {
        return None;
    }
    let mut transforms: Vec<crate::transform::Transform> = index
        .groups
        .iter()
        .flat_map(|g| g.chain.0.iter().copied())
        .collect();
    transforms.sort();
    transforms.dedup();
    let members: Vec<screen::Member<'_>> = index
        .groups
        .iter()
        .enumerate()
        .flat_map(|(g, group)| {
            group
                .patterns
                .iter()
                .enumerate()
                .map(move |(p, gp)| ((g as u16, p as u32), gp))
        })
        .filter_map(|(at, gp)| {
            let r = gp.rule.0 as usize;
            let meta = rules.get(r)?;
            Some(screen::Member {
                at,
                id: meta.id,
                paranoia: meta.paranoia,
                branches: branch_needs.get(r).map_or(&[][..], Vec::as_slice),
                detector: match confirmers.get(r) {
                    Some(Confirm::Detector(d)) => Some(*d),
                    _ => None,
                },
            })
        })
        .collect();
    Some(screen::Screen::draft(&transforms, &members))
}

fn build_group(
    _class: TargetClass,
    chain: Chain,
    members: Vec<GroupMember>,
    signatures: &[Signature],
    patterns: &[Option<String>],
    literals: &[Option<Vec<Vec<u8>>>],
) -> Result<Group, CompileError> {
    let mut group_patterns = Vec::with_capacity(members.len());
    let mut group_literals = Vec::new();
    let mut residual_texts = Vec::new();
    let mut residual_patterns = Vec::new();
    let mut always_patterns = Vec::new();
    for (pos, (rule, names)) in members.into_iter().enumerate() {
        let pos = pos as u32;
        match literals.get(rule).and_then(Option::as_ref) {
            Some(lits) => {
                for lit in lits {
                    group_literals.push((lit.clone(), pos));
                }
            }
            None if patterns.get(rule).is_some_and(Option::is_none) => always_patterns.push(pos),
            // The residual regexes see bytes equal to the haystack only
            // ignoring case: a pattern that turns case sensitivity on inside
            // itself is confirmed on every value instead.
            None if patterns
                .get(rule)
                .and_then(Option::as_deref)
                .is_some_and(sets_case_sensitive_inline) =>
            {
                always_patterns.push(pos)
            }
            None => {
                let level = signatures
                    .get(rule)
                    .map(|s| s.paranoia)
                    .unwrap_or(Paranoia::MIN);
                let text = patterns.get(rule).cloned().flatten().unwrap_or_default();
                residual_texts.push((text, level));
                residual_patterns.push((pos, level));
            }
        }
        group_patterns.push(GroupPattern {
            rule: RuleIndex(rule as u32),
            names,
        });
    }
    Ok(Group {
        chain,
        patterns: group_patterns,
        literals: group_literals,
        base: 0,
        residual_sources: residual_texts,
        residual_patterns,
        always_patterns,
    })
}

impl ClassIndex {
    /// Numbers the groups' patterns class-wide and builds the shared prefilter.
    fn finish(
        &mut self,
        class: TargetClass,
        required_bytes: &[Vec<ByteSet>],
    ) -> Result<(), CompileError> {
        let mut filter_names: Vec<String> = self
            .groups
            .iter()
            .flat_map(|g| g.patterns.iter())
            .filter_map(|p| p.names.as_ref())
            .flatten()
            .map(|n| n.to_ascii_lowercase())
            .collect();
        filter_names.sort();
        filter_names.dedup();
        self.filter_names = filter_names;
        self.group_node = self
            .groups
            .iter()
            .map(|g| self.chains.insert(&g.chain))
            .collect();
        let mut base = 0u32;
        let mut literal_index: BTreeMap<Vec<u8>, usize> = BTreeMap::new();
        let mut owners: Vec<Vec<(u16, u32)>> = Vec::new();
        for (g, group) in self.groups.iter_mut().enumerate() {
            group.base = base;
            base += group.patterns.len() as u32;
            for (lit, pos) in std::mem::take(&mut group.literals) {
                let next = owners.len();
                let id = *literal_index.entry(lit).or_insert(next);
                if id == next {
                    owners.push(Vec::new());
                }
                if let Some(list) = owners.get_mut(id) {
                    list.push((g as u16, pos));
                }
            }
        }
        self.patterns = base as usize;
        // Case sensitivity is per pattern: wrap each in its own flag group.
        // The residual regexes run on bytes equal to a group's haystack
        // ignoring ASCII case (see `scan`), so every pattern is in them
        // case-insensitively: they only select candidates, which are then
        // confirmed with their own case sensitivity on the exact bytes.
        let mut residual_by_level: BTreeMap<Paranoia, Vec<String>> = BTreeMap::new();
        let mut gates_by_level: BTreeMap<Paranoia, Option<Vec<Vec<ByteSet>>>> = BTreeMap::new();
        for group in &mut self.groups {
            let sources = std::mem::take(&mut group.residual_sources);
            for ((p, level), &(pos, _)) in sources.into_iter().zip(group.residual_patterns.iter()) {
                residual_by_level
                    .entry(level)
                    .or_default()
                    .push(format!("(?i:{p})"));
                let needs = group
                    .patterns
                    .get(pos as usize)
                    .and_then(|gp| required_bytes.get(gp.rule.0 as usize))
                    .filter(|needs| !needs.is_empty());
                let gate = gates_by_level
                    .entry(level)
                    .or_insert_with(|| Some(Vec::new()));
                match (needs, gate.as_mut()) {
                    (Some(needs), Some(list)) => list.push(needs.clone()),
                    _ => *gate = None,
                }
            }
        }
        for (level, residual_texts) in residual_by_level {
            self.residual_gates
                .push(gates_by_level.remove(&level).flatten());
            let regex = meta::Regex::builder()
                .syntax(syntax_config(true))
                .configure(
                    meta::Config::new()
                        .utf8_empty(false)
                        .nfa_size_limit(Some(NFA_LIMIT_BYTES * 8))
                        .hybrid_cache_capacity(RESIDUAL_CACHE_BYTES),
                )
                .build_many(&residual_texts)
                .map_err(|e| CompileError::Prefilter {
                    class,
                    message: e.to_string(),
                })?;
            self.residual.push((level, regex));
        }
        if literal_index.is_empty() {
            return Ok(());
        }
        let mut ordered: Vec<(usize, Vec<u8>)> = literal_index
            .into_iter()
            .map(|(lit, id)| (id, lit))
            .collect();
        ordered.sort();
        let set = LiteralSet::build(ordered.iter().map(|(_, lit)| lit)).map_err(|e| {
            CompileError::Prefilter {
                class,
                message: e.to_string(),
            }
        })?;
        self.prefilter = Some(set);
        self.owners = owners;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::TargetSource;

    #[test]
    fn inline_flags_that_clear_case_insensitivity_are_seen() {
        assert!(sets_case_sensitive_inline("a(?-i)B"));
        assert!(sets_case_sensitive_inline("(?s-i:X)"));
        assert!(!sets_case_sensitive_inline("(?i:x)"));
        assert!(!sets_case_sensitive_inline("(?:a-i)"));
        assert!(!sets_case_sensitive_inline("a-i"));
    }

    /// A case-sensitive pattern without literals is found when the group
    /// whose haystack the prefilter reads first is a lowercased copy of it.
    #[test]
    fn case_sensitive_residual_pattern_behind_a_lowercased_group_is_found() {
        let text = r#"
[[signature]]
id = 16901
name = "lowercased first"
category = "sqli"
severity = "critical"
owasp = "A03:2021"
case_sensitive = true
targets = ["args"]
transforms = ["lowercase"]
regex = '[0-9]{3}q'
examples = ["123q"]
near_misses = ["12q"]

[[signature]]
id = 16902
name = "upper then digits"
category = "sqli"
severity = "critical"
owasp = "A03:2021"
case_sensitive = true
targets = ["args"]
transforms = ["remove_nulls"]
regex = '[A-Z]{2}[0-9]{2}'
examples = ["AB12"]
near_misses = ["ab12"]
"#;
        let sigs = crate::signature::parse_file("case.toml", text).unwrap_or_default();
        assert_eq!(sigs.len(), 2);
        let Ok(rules) = CompiledRules::compile(&sigs) else {
            panic!("compiles")
        };
        let mut scratch = Scratch::default();
        let mut hits = Vec::new();
        for value in [&b"AB12"[..], b"ab12"] {
            rules.scan(
                Target {
                    source: TargetSource::QueryArg,
                    name: "q",
                    value,
                },
                Paranoia::MIN,
                &mut scratch,
                &|_| false,
                &mut |hit| hits.push((value, rules.rules()[hit.rule.0 as usize].id)),
            );
        }
        assert_eq!(hits, vec![(&b"AB12"[..], RuleId(16902))]);
    }
}
