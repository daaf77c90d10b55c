//! The quiet-value screen of one target class: one pass over a value and one
//! literal search that reduce an ordinary value's scan to the few rules that
//! could match it, without running the class's chains, prefilter, residual
//! regexes or every detector. A value that is not quiet takes the full scan.
//!
//! A value is *quiet* for a class when no transform of any of the class's
//! chains changes it beyond ASCII case and separators: it has none of the
//! bytes that start a decoding (`&`, `\`; `%` only where it opens an
//! escape, i.e. is followed by a hex digit or `u`: `50% off` is quiet), no
//! NUL, none of the bytes the path, comment and shell transforms rewrite,
//! no `--`, valid UTF-8 when the class folds overlong forms, and is not
//! plausible base64 when the class decodes base64. Separators are
//! whitespace (NBSP included), `,`, `;` and
//! `(`: `cmdline` and `compress_whitespace` may turn them into one space or
//! drop a space before `(`, but never move or join the bytes between them.
//! So every chain's output is the value with its separator runs changed and
//! its letters lowercased, and any separator-free piece of a literal that
//! occurs in the output occurs in the value too (ignoring case).
//!
//! For each paranoia level the screen keeps the rules that could match such
//! an output (every byte set the rule needs intersects the quiet bytes) and
//! looks for the longest separator-free piece of each of their required
//! literals; a piece found makes its rules candidates when the value also
//! holds the bytes they need. Relevant rules with no such piece are
//! candidates when the value holds their bytes, and detectors when their
//! cheap gates open. A relevant rule with neither pieces nor required bytes
//! keeps the screen off at that level. The candidates are then confirmed on
//! their own chain's output, as in the full scan. Soundness is tested
//! against every chain of the default signatures.

use crate::detect::{sqli, Detector};
use crate::rule::{Paranoia, RuleId};
use crate::transform::summary::{ByteSet, Summary};
use crate::transform::{Chain, Transform};
use aho_corasick::automaton::Automaton;
use aho_corasick::{Anchored, MatchKind};
use std::borrow::Cow;
use std::sync::OnceLock;

/// The level automata's kind: a contiguous NFA (dense near the root,
/// sparse below, failure transitions) is about a tenth of a DFA's size for
/// the same pieces (342 KB against 3.85 MB at paranoia 1) and, with few
/// values left for this screen after the plain-value screen, no slower in
/// the benches.
pub(crate) type PiecesAutomaton = aho_corasick::nfa::contiguous::NFA;

/// Bytes that separate pieces: the transforms may rewrite runs of them.
pub(crate) const SEPARATORS: ByteSet = ByteSet::of(b" \t\n\r\x0b\x0c\xa0,;(");

/// Shortest literal piece worth looking for.
const MIN_PIECE_LEN: usize = 2;
/// A pattern of the class: its group and its position in the group.
pub(crate) type Candidate = (u16, u32);

/// What one top-level branch of a pattern needs: literals (every match of
/// the branch holds one; `None` when it has none usable) and byte sets
/// (every match touches each).
#[derive(Debug, Clone)]
pub(crate) struct BranchNeeds {
    pub literals: Option<Vec<Vec<u8>>>,
    pub bytes: Vec<ByteSet>,
}

/// What the plain-value screen takes from one class (see [`Screen::loud_parts`]).
pub(crate) struct LoudParts {
    /// Bytes no quiet value holds.
    pub loud: ByteSet,
    pub double_dash: bool,
    pub invalid_utf8: bool,
    pub detectors: Vec<Detector>,
}

/// What the plain-value screen must look for in one class (see
/// [`Screen::plain_needs`]).
pub(crate) struct PlainNeeds {
    /// Ids (in the level's automaton) of the pieces of every rule a plain
    /// value could hold the bytes for.
    pub pieces: Vec<usize>,
    /// Bytes (as value bytes) one of which every byte-gated rule such a
    /// value could match needs: its first, rarest set.
    pub gate_bytes: ByteSet,
    /// Those rules' byte sets, as output bytes: each holds for a value
    /// whose outputs touch every set of one of them.
    pub gates: Vec<Vec<ByteSet>>,
}

/// One rule of the class as the screen sees it.
pub(crate) struct Member<'a> {
    pub at: Candidate,
    pub id: RuleId,
    pub paranoia: Paranoia,
    /// What each branch of its pattern needs (see `required::branches`;
    /// empty for detectors).
    pub branches: &'a [BranchNeeds],
    /// Set for detector rules.
    pub detector: Option<Detector>,
}

/// One branch of a relevant rule: where the rule is, its level and the byte
/// sets every match of the branch touches (none for a detector).
struct Entry {
    at: Candidate,
    paranoia: Paranoia,
    needs: Vec<ByteSet>,
}

impl Entry {
    /// Bytes one of which every match needs: the first (rarest) set; every
    /// byte when the entry needs none.
    fn rarest_bytes(&self) -> ByteSet {
        self.needs
            .first()
            .copied()
            .unwrap_or(ByteSet::default().complement())
    }

    fn applies(&self, paranoia: Paranoia, bytes: &ByteSet) -> bool {
        self.paranoia <= paranoia && self.needs.iter().all(|n| n.intersects(bytes))
    }
}

/// The pieces of every class's screen, one automaton per paranoia level
/// (most pieces are shared by the argument, cookie and header classes; a
/// level's automaton holds only the pieces of rules at or below it).
pub(crate) struct Pieces {
    /// Each level's pieces, until its automaton is built.
    sources: [Vec<Vec<u8>>; 4],
    /// Built on first use (or by [`Pieces::prepare`]): a deployment pays
    /// time and memory only for the levels its policy uses. `None` inside
    /// when the automaton cannot be built, which keeps every screen off at
    /// that level.
    levels: [OnceLock<Option<PiecesAutomaton>>; 4],
}

impl Pieces {
    /// Holds each level's pieces, `pieces[level - 1]` (lowercase, distinct,
    /// in the order their ids are used).
    pub(crate) fn new(pieces: [Vec<Vec<u8>>; 4]) -> Pieces {
        Pieces {
            sources: pieces,
            levels: Default::default(),
        }
    }

    /// Builds the automaton for `paranoia` now, if it is not built yet.
    pub(crate) fn prepare(&self, paranoia: Paranoia) {
        let _ = self.at(paranoia);
    }

    /// Heap bytes of the automata built so far.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.levels
            .iter()
            .filter_map(|level| level.get().and_then(Option::as_ref))
            .map(PiecesAutomaton::memory_usage)
            .sum()
    }

    /// Piece `id` of the automaton for `paranoia`.
    pub(crate) fn piece(&self, paranoia: Paranoia, id: usize) -> Option<&[u8]> {
        self.sources
            .get(usize::from(paranoia.get()) - 1)?
            .get(id)
            .map(Vec::as_slice)
    }

    /// The automaton for `paranoia` (built now if need be).
    pub(crate) fn at(&self, paranoia: Paranoia) -> Option<&PiecesAutomaton> {
        let i = usize::from(paranoia.get()) - 1;
        let (level, source) = (self.levels.get(i)?, self.sources.get(i)?);
        level
            .get_or_init(|| {
                PiecesAutomaton::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .prefilter(false)
                    .build(source)
                    .ok()
            })
            .as_ref()
    }
}

/// Calls `found(end, piece)` for every occurrence of every piece of
/// `pieces` in `haystack` (overlapping ones too, ignoring ASCII case), in
/// the order of their ends. One automaton step per byte: the search loop is
/// written out here rather than taken from the crate's iterators, whose
/// per-match bookkeeping cost more than the walk itself; and the matches
/// are reported out of line, so that the walk between them keeps its state
/// in registers (with the caller's closure inlined into the loop, the
/// position and the state went to the stack at every byte: 18
/// instructions a byte instead of 13); a byte's only test is whether its
/// state is special (a match, the dead or the start state, told apart out
/// of line). Unrolled four bytes a turn the walk took 8 instructions a
/// byte, but ran some 4% slower on the clock, and as two walks side by
/// side (the two halves of the value) 9% slower.
#[inline]
pub(crate) fn each_piece<A: Automaton>(
    pieces: &A,
    haystack: &[u8],
    mut found: impl FnMut(usize, usize),
) {
    let Ok(mut sid) = pieces.start_state(Anchored::No) else {
        return;
    };
    for (i, &b) in haystack.iter().enumerate() {
        sid = pieces.next_state(Anchored::No, sid, b);
        if pieces.is_special(sid) {
            report_matches(pieces, sid, i + 1, &mut found);
        }
    }
}

/// Calls `found(end, piece)` for each piece the state `sid` holds, if it
/// is a match state (a special state may be the dead or start state).
#[inline(never)]
fn report_matches<A: Automaton>(
    pieces: &A,
    sid: aho_corasick::automaton::StateID,
    end: usize,
    found: &mut impl FnMut(usize, usize),
) {
    if !pieces.is_match(sid) {
        return;
    }
    for k in 0..pieces.match_len(sid) {
        found(end, pieces.match_pattern(sid, k).as_usize());
    }
}

/// What a class's screen is made of before the shared automata exist:
/// its pieces as bytes, each with its entry.
pub(crate) struct Draft {
    screen: Screen,
    pieces: Vec<(Vec<u8>, u32)>,
}

impl Draft {
    /// The pieces this class looks for at `paranoia`.
    pub(crate) fn pieces_at(&self, paranoia: Paranoia) -> impl Iterator<Item = &[u8]> {
        self.pieces.iter().filter_map(move |(piece, e)| {
            self.screen
                .entries
                .get(*e as usize)
                .filter(|entry| entry.paranoia <= paranoia)
                .map(|_| piece.as_slice())
        })
    }

    /// The finished screen; `id(level, piece)` gives a piece's id in that
    /// level's automaton.
    pub(crate) fn finish(mut self, id: impl Fn(Paranoia, &[u8]) -> Option<usize>) -> Screen {
        let mut pairs: [Vec<(u32, u32)>; 4] = Default::default();
        for (piece, e) in &self.pieces {
            let Some(level) = self.screen.entries.get(*e as usize).map(|x| x.paranoia) else {
                continue;
            };
            for (i, owners) in pairs.iter_mut().enumerate() {
                let Some(at) = Paranoia::new(i as u8 + 1).filter(|&at| at >= level) else {
                    continue;
                };
                let Some(id) = id(at, piece) else {
                    // A piece missing from the automaton could hide a match.
                    self.screen.off_from = Some(Paranoia::MIN);
                    continue;
                };
                owners.push((id as u32, *e));
            }
        }
        for (owners, mut pairs) in self.screen.owners.iter_mut().zip(pairs) {
            pairs.sort_unstable();
            let ids = pairs.last().map_or(0, |&(id, _)| id as usize + 1);
            let mut starts = vec![0u32; ids + 1];
            for &(id, _) in &pairs {
                if let Some(count) = starts.get_mut(id as usize + 1) {
                    *count += 1;
                }
            }
            for i in 1..starts.len() {
                let before = starts.get(i - 1).copied().unwrap_or(0);
                if let Some(start) = starts.get_mut(i) {
                    *start += before;
                }
            }
            *owners = Owners {
                starts,
                entries: pairs.into_iter().map(|(_, e)| e).collect(),
            };
        }
        self.screen
    }
}

/// Which entries each piece id stands for, in compressed rows: the entries
/// of piece `id` are `entries[starts[id]..starts[id + 1]]` (ids past the end
/// own none). Two flat vectors rather than a vector per piece: a class owns
/// few of the shared automaton's pieces.
#[derive(Default)]
struct Owners {
    starts: Vec<u32>,
    entries: Vec<u32>,
}

impl Owners {
    fn of(&self, id: usize) -> &[u32] {
        match (self.starts.get(id), self.starts.get(id + 1)) {
            (Some(&from), Some(&to)) => self
                .entries
                .get(from as usize..to as usize)
                .unwrap_or_default(),
            _ => &[],
        }
    }

    fn len(&self) -> usize {
        self.entries.len()
    }
}

/// The screen of one class.
pub(crate) struct Screen {
    /// Bytes a quiet value may hold.
    quiet_bytes: ByteSet,
    folds_overlong: bool,
    removes_sql_comments: bool,
    normalises_paths: bool,
    decodes_base64: bool,
    /// Some chain URL-decodes: a `%` must not open an escape.
    decodes_url: bool,
    /// Per level (index `level - 1`), for each piece id of that level's
    /// automaton, the entries it stands for.
    owners: [Owners; 4],
    entries: Vec<Entry>,
    /// Relevant rules without literal pieces.
    gated: Vec<Entry>,
    /// Bytes at least one of which every gated entry needs (the union of
    /// each entry's first, rarest set per branch): a value holding none of
    /// them skips the gated entries.
    gated_trigger: ByteSet,
    /// For each byte, the gated entries (as bits of a 256-bit set, indices
    /// into `gated`) whose first byte set holds it; empty when there are
    /// more than 256 gated entries (then all are checked).
    gated_by_byte: Vec<ByteSet>,
    /// Detector rules, with the detector each runs.
    detectors: Vec<(Entry, Detector)>,
    /// The lowest level with a relevant rule the screen cannot look for
    /// (neither pieces nor required bytes): off from there up.
    off_from: Option<Paranoia>,
    /// Those rules, for [`Screen::describe`].
    blockers: Vec<(Paranoia, RuleId)>,
}

impl Screen {
    /// Drafts the screen for a class whose chains use `transforms` and whose
    /// rules are `members`.
    pub(crate) fn draft(transforms: &[Transform], members: &[Member<'_>]) -> Draft {
        let quiet = quiet_bytes(transforms);
        let uses = |t: Transform| transforms.contains(&t);
        let mut screen = Screen {
            quiet_bytes: quiet,
            folds_overlong: uses(Transform::Utf8Overlong),
            removes_sql_comments: uses(Transform::RemoveSqlComments),
            normalises_paths: uses(Transform::NormalisePath),
            decodes_base64: uses(Transform::Base64Decode),
            decodes_url: uses(Transform::UrlDecode) || uses(Transform::UrlDecodeMulti),
            owners: Default::default(),
            entries: Vec::new(),
            gated: Vec::new(),
            gated_trigger: ByteSet::default(),
            gated_by_byte: Vec::new(),
            detectors: Vec::new(),
            off_from: None,
            blockers: Vec::new(),
        };
        let mut pieces: Vec<(Vec<u8>, u32)> = Vec::new();
        for m in members {
            if let Some(detector) = m.detector {
                let entry = Entry {
                    at: m.at,
                    paranoia: m.paranoia,
                    needs: Vec::new(),
                };
                screen.detectors.push((entry, detector));
                continue;
            }
            for branch in m.branches {
                // A branch needing a byte no quiet value's output holds
                // never matches one.
                if !branch.bytes.iter().all(|need| need.intersects(&quiet)) {
                    continue;
                }
                let entry = Entry {
                    at: m.at,
                    paranoia: m.paranoia,
                    needs: branch.bytes.clone(),
                };
                let found: Option<Vec<Vec<u8>>> = branch.literals.as_ref().and_then(|literals| {
                    literals
                        .iter()
                        .map(|l| longest_piece(l).map(<[u8]>::to_ascii_lowercase))
                        .collect()
                });
                match found {
                    Some(found) => {
                        let e = screen.entries.len() as u32;
                        screen.entries.push(entry);
                        pieces.extend(found.into_iter().map(|p| (p, e)));
                    }
                    None if !branch.bytes.is_empty() => screen.gated.push(entry),
                    None => screen.block(m),
                }
            }
        }
        pieces.sort();
        pieces.dedup();
        screen.blockers.sort();
        screen.gated_trigger = screen
            .gated
            .iter()
            .map(Entry::rarest_bytes)
            .fold(ByteSet::default(), ByteSet::union);
        if screen.gated.len() <= 256 {
            let mut by_byte = vec![ByteSet::default(); 256];
            for (i, entry) in screen.gated.iter().enumerate() {
                for b in entry.rarest_bytes().iter() {
                    if let Some(set) = by_byte.get_mut(usize::from(b)) {
                        set.insert(i as u8);
                    }
                }
            }
            screen.gated_by_byte = by_byte;
        }
        Draft { screen, pieces }
    }

    /// Records a relevant rule the screen cannot look for: the screen is
    /// off from its level up.
    fn block(&mut self, m: &Member<'_>) {
        self.blockers.push((m.paranoia, m.id));
        self.off_from = Some(self.off_from.map_or(m.paranoia, |o| o.min(m.paranoia)));
    }

    /// One line: how many pieces, gated rules and detectors the screen
    /// has, and the rules that keep it off from some level up.
    pub(crate) fn describe(&self) -> String {
        let blockers: Vec<String> = self
            .blockers
            .iter()
            .map(|(level, id)| format!("{id}@PL{}", level.get()))
            .collect();
        format!(
            "pieces={} gated={} detectors={} off_from={} blockers={}",
            self.owners.last().map_or(0, Owners::len),
            self.gated.len(),
            self.detectors.len(),
            self.off_from
                .map_or("never".to_string(), |l| format!("PL{}", l.get())),
            blockers.join(",")
        )
    }

    /// Screens `value` (of which `summary` is the [`Summary`]) at
    /// `paranoia` with the shared `pieces`: `false` when the value is not
    /// quiet (or the screen is off at that level) and the full scan must
    /// run; otherwise `true`, with `candidates` holding every pattern that
    /// could match the value (sorted, distinct; usually none).
    pub(crate) fn screen(
        &self,
        pieces: &Pieces,
        value: &[u8],
        summary: &Summary,
        paranoia: Paranoia,
        candidates: &mut Vec<Candidate>,
    ) -> bool {
        candidates.clear();
        if self.off_from.is_some_and(|off| paranoia >= off) {
            return false;
        }
        if !self.is_quiet(value, summary) {
            return false;
        }
        let bytes = output_bytes(summary.bytes());
        self.each_gated(paranoia, &bytes, |entry| candidates.push(entry.at));
        let mut sqli_gate: Option<bool> = None;
        for (entry, detector) in &self.detectors {
            if entry.paranoia > paranoia {
                continue;
            }
            let open = match detector {
                Detector::Xss => {
                    bytes.intersects(&ByteSet::of(b":<="))
                        && crate::detect::xss::might_be_xss(value)
                }
                Detector::Sqli | Detector::SqliAny => {
                    sql_gate_opens(*detector, value, &mut sqli_gate)
                }
            };
            if open {
                candidates.push(entry.at);
            }
        }
        let owners = self.owners.get(usize::from(paranoia.get()) - 1);
        if let (Some(automaton), Some(owners)) = (pieces.at(paranoia), owners) {
            each_piece(automaton, value, |_, piece| {
                for &e in owners.of(piece) {
                    if let Some(entry) = self.entries.get(e as usize) {
                        if entry.applies(paranoia, &bytes) {
                            candidates.push(entry.at);
                        }
                    }
                }
            });
        }
        if candidates.len() > 1 {
            candidates.sort_unstable();
            candidates.dedup();
        }
        true
    }

    fn is_quiet(&self, value: &[u8], summary: &Summary) -> bool {
        let bytes = summary.bytes();
        if !bytes.is_subset(&self.quiet_bytes) {
            return false;
        }
        if self.removes_sql_comments && summary.double_dash() {
            return false;
        }
        if self.decodes_url && bytes.contains(b'%') && !percent_signs_inert(value) {
            return false;
        }
        if self.normalises_paths && summary.dot_segment() {
            return false;
        }
        if self.folds_overlong
            && bytes.intersects(&ByteSet::NON_ASCII)
            && std::str::from_utf8(value).is_err()
        {
            return false;
        }
        if self.decodes_base64 && crate::transform::base64_decode::decodes(value) {
            return false;
        }
        true
    }

    /// What the plain-value screen (`matcher::plain`) needs of this class at
    /// `paranoia`, where the screen is on: the bytes no quiet value holds,
    /// the positional checks the class needs and its detectors at that
    /// level.
    pub(crate) fn loud_parts(&self, paranoia: Paranoia) -> LoudParts {
        LoudParts {
            loud: self.quiet_bytes.complement(),
            double_dash: self.removes_sql_comments,
            invalid_utf8: self.folds_overlong,
            detectors: self
                .detectors
                .iter()
                .filter(|(entry, _)| entry.paranoia <= paranoia)
                .map(|&(_, detector)| detector)
                .collect(),
        }
    }

    /// For a plain value (see `matcher::plain`) that passed the plain
    /// screen's checks other than its pieces and SQL words: the patterns
    /// that could match it, into `candidates` (sorted, distinct; empty when
    /// none of its pieces' rules finds the bytes it needs) — the
    /// entries of `pieces` (ids in the level's automaton) whose byte sets
    /// the value meets, and with `sql` (it holds an SQL signal word) the
    /// class's SQL detectors. Byte-gated rules and the XSS detector need
    /// nothing: the plain screen has ruled them out. `false` when the value
    /// fails the whole-value checks (then it takes the full scan).
    pub(crate) fn plain_candidates(
        &self,
        value: &[u8],
        paranoia: Paranoia,
        pieces: impl Iterator<Item = usize>,
        sql: bool,
        maybe_base64: bool,
        candidates: &mut Vec<Candidate>,
    ) -> bool {
        candidates.clear();
        if !self.quiet_whole(value, maybe_base64) {
            return false;
        }
        let Some(owners) = self.owners.get(usize::from(paranoia.get()) - 1) else {
            return false;
        };
        let mut bytes: Option<ByteSet> = None;
        for piece in pieces {
            for &e in owners.of(piece) {
                let Some(entry) = self.entries.get(e as usize) else {
                    return false;
                };
                let bytes = bytes.get_or_insert_with(|| output_bytes(ByteSet::collect(value)));
                if entry.applies(paranoia, bytes) {
                    candidates.push(entry.at);
                }
            }
        }
        if sql {
            // The SQL detectors' gates, as in [`Screen::screen`].
            let mut sqli_gate: Option<bool> = None;
            for (entry, detector) in &self.detectors {
                if entry.paranoia <= paranoia && sql_gate_opens(*detector, value, &mut sqli_gate) {
                    candidates.push(entry.at);
                }
            }
        }
        if candidates.len() > 1 {
            candidates.sort_unstable();
            candidates.dedup();
        }
        true
    }

    /// Calls `found` with each byte-gated entry that applies to a value
    /// whose outputs hold `bytes`.
    fn each_gated(&self, paranoia: Paranoia, bytes: &ByteSet, mut found: impl FnMut(&Entry)) {
        let triggered = bytes.intersection(self.gated_trigger);
        if triggered.is_empty() {
            return;
        }
        if self.gated_by_byte.is_empty() {
            self.gated
                .iter()
                .filter(|e| e.applies(paranoia, bytes))
                .for_each(found);
            return;
        }
        // Only the entries whose rarest bytes the value holds.
        let mut which = ByteSet::default();
        for b in triggered.iter() {
            if let Some(set) = self.gated_by_byte.get(usize::from(b)) {
                which = which.union(*set);
            }
        }
        for i in which.iter() {
            if let Some(entry) = self.gated.get(usize::from(i)) {
                if entry.applies(paranoia, bytes) {
                    found(entry);
                }
            }
        }
    }

    /// What the plain-value screen must look for at `paranoia` in values made of
    /// `plain` bytes only: the ids (in the level's automaton) of the pieces
    /// of every rule such a value could hold the bytes for, and the bytes
    /// one of which every such byte-gated rule needs (its first, rarest
    /// set, as value bytes).
    pub(crate) fn plain_needs(&self, paranoia: Paranoia, plain: ByteSet) -> PlainNeeds {
        let bytes = output_bytes(plain);
        let applicable = |entry: &Entry| {
            entry.paranoia <= paranoia && entry.needs.iter().all(|n| n.intersects(&bytes))
        };
        let mut ids = Vec::new();
        if let Some(owners) = self.owners.get(usize::from(paranoia.get()) - 1) {
            for id in 0..owners.starts.len().saturating_sub(1) {
                let any = owners
                    .of(id)
                    .iter()
                    .any(|&e| self.entries.get(e as usize).is_none_or(applicable));
                if any {
                    ids.push(id);
                }
            }
        }
        let gated: Vec<&Entry> = self.gated.iter().filter(|e| applicable(e)).collect();
        PlainNeeds {
            pieces: ids,
            gate_bytes: gated
                .iter()
                .map(|e| output_preimage(e.rarest_bytes()))
                .fold(ByteSet::default(), ByteSet::union),
            gates: gated.iter().map(|e| e.needs.clone()).collect(),
        }
    }

    /// Whether the screen is on at `paranoia`.
    pub(crate) fn is_on(&self, paranoia: Paranoia) -> bool {
        self.off_from.is_none_or(|off| paranoia < off)
    }

    /// The checks of [`Screen::is_quiet`] that look at a value as a whole
    /// (a path segment on its own, plausible base64): a value with no
    /// loud byte or mark the plain-value screen saw is quiet when it passes them.
    /// `maybe_base64` is false when the value is known to hold a byte
    /// outside the base64 alphabets (then it is not decoded).
    pub(crate) fn quiet_whole(&self, value: &[u8], maybe_base64: bool) -> bool {
        if self.normalises_paths && (value == b"." || value == b"..") {
            return false;
        }
        !(self.decodes_base64 && maybe_base64 && crate::transform::base64_decode::decodes(value))
    }

    /// Whether `value` is quiet for this class (for the tests).
    #[cfg(test)]
    pub(crate) fn is_quiet_value(&self, value: &[u8]) -> bool {
        self.is_quiet(value, &Summary::of(value))
    }

    /// The bytes a quiet value may hold (for tests and diagnostics).
    #[cfg(test)]
    pub(crate) fn quiet_bytes(&self) -> ByteSet {
        self.quiet_bytes
    }
}

/// Whether the SQL detector `detector` could report on `value` (`false`
/// for any other detector): the breakout detector's own exclusion, then
/// the pre-check `might_be_sql`, whose answer `gate` keeps for the value's
/// other SQL detector.
fn sql_gate_opens(detector: Detector, value: &[u8], gate: &mut Option<bool>) -> bool {
    match detector {
        Detector::Sqli => sqli::breakout_might_report(value, || {
            *gate.get_or_insert_with(|| sqli::might_be_sql(value))
        }),
        Detector::SqliAny => *gate.get_or_insert_with(|| sqli::might_be_sql(value)),
        Detector::Xss => false,
    }
}

/// `chain`'s output for a quiet value: only the steps that can change one
/// (case, separators) run; every other step returns a quiet value as it is.
pub(crate) fn quiet_output<'a>(chain: &Chain, value: &'a [u8]) -> Cow<'a, [u8]> {
    let mut out = Cow::Borrowed(value);
    for &step in &chain.0 {
        if matches!(
            step,
            Transform::Lowercase | Transform::Cmdline | Transform::CompressWhitespace
        ) {
            if let Cow::Owned(changed) = step.apply(&out) {
                out = Cow::Owned(changed);
            }
        }
    }
    out
}

/// The bytes a chain's output of a quiet value holding `bytes` may hold:
/// those bytes, their lowercase forms, and a space where a separator was.
pub(crate) fn output_bytes(bytes: ByteSet) -> ByteSet {
    let mut out = bytes.union(bytes.lowercased());
    if bytes.intersects(&SEPARATORS) {
        out.insert(b' ');
    }
    out
}

/// The bytes of a value whose [`output_bytes`] meet `set`: `set`, the
/// capitals of its lowercase letters, and every separator when it holds a
/// space.
fn output_preimage(set: ByteSet) -> ByteSet {
    let mut out = set;
    for b in set.iter().filter(u8::is_ascii_lowercase) {
        out.insert(b.to_ascii_uppercase());
    }
    if set.contains(b' ') {
        out = out.union(SEPARATORS);
    }
    out
}

/// Every byte but those some transform in `transforms` would act on other
/// than by lowercasing or rewriting separators.
fn quiet_bytes(transforms: &[Transform]) -> ByteSet {
    let mut loud = ByteSet::default();
    for t in transforms {
        let set = match t {
            // A `%` that opens no escape is left as it is (see
            // `percent_signs_inert`, checked on each value).
            Transform::UrlDecode | Transform::UrlDecodeMulti => ByteSet::default(),
            Transform::HtmlEntityDecode => ByteSet::of(b"&"),
            Transform::JsDecode | Transform::CssDecode => ByteSet::of(b"\\"),
            Transform::RemoveNulls => ByteSet::of(&[0]),
            Transform::NormalisePath => ByteSet::of(b"/\\"),
            Transform::RemoveSqlComments => ByteSet::of(b"/#"),
            Transform::Cmdline => ByteSet::of(b"\\\"'^$`/"),
            Transform::Lowercase
            | Transform::CompressWhitespace
            | Transform::Utf8Overlong
            | Transform::Base64Decode => ByteSet::default(),
        };
        loud = loud.union(set);
    }
    loud.complement()
}

/// Whether no `%` of `value` opens a URL escape: each is followed by
/// neither a hex digit nor `u`/`U` (the start of `%XX` and `%uXXXX`), so
/// URL decoding, once or repeatedly, returns the value as it is. Stricter
/// than the decoder (`%u` without four hex digits is kept too), and blind
/// to case: a chain that lowercases before decoding changes nothing here.
/// The other quiet rewrites cannot put a hex digit after a `%`: they only
/// change runs of separators, and drop a run only before `(` or `/`.
fn percent_signs_inert(value: &[u8]) -> bool {
    memchr::memchr_iter(b'%', value).all(|at| {
        value
            .get(at + 1)
            .is_none_or(|&next| !next.is_ascii_hexdigit() && !next.eq_ignore_ascii_case(&b'u'))
    })
}

/// The longest run of `literal` free of separators, if one is long enough.
fn longest_piece(literal: &[u8]) -> Option<&[u8]> {
    literal
        .split(|&b| SEPARATORS.contains(b))
        .max_by_key(|piece| piece.len())
        .filter(|piece| piece.len() >= MIN_PIECE_LEN)
}

#[cfg(test)]
mod tests {
    use super::each_piece;
    use crate::test_bytes::Xorshift;
    use aho_corasick::{dfa::DFA, MatchKind};

    /// `each_piece` against a search by hand: every occurrence of every
    /// piece (overlapping ones too, in any case), by end, at every length
    /// up to 23 and every end position.
    #[test]
    fn each_piece_reports_every_occurrence_at_its_end() {
        let pieces: [&[u8]; 5] = [b"ab", b"b", b"aba", b"cab", b"bb"];
        let dfa = DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(pieces)
            .expect("pieces build");
        let mut random = Xorshift(0x5eed);
        let mut checked = 0;
        for len in 0..=23 {
            for _ in 0..200 {
                let haystack = random.bytes_over(b"aAbBcx", len);
                let mut found = Vec::new();
                each_piece(&dfa, &haystack, |end, piece| found.push((end, piece)));
                // Ends in order; within one end, any order.
                assert!(found.windows(2).all(|w| w[0].0 <= w[1].0), "{found:?}");
                found.sort_unstable();
                let mut expected = Vec::new();
                for end in 1..=haystack.len() {
                    for (id, piece) in pieces.iter().enumerate() {
                        if haystack[..end].to_ascii_lowercase().ends_with(piece) {
                            expected.push((end, id));
                        }
                    }
                }
                assert_eq!(found, expected, "{:?}", String::from_utf8_lossy(&haystack));
                checked += expected.len();
            }
        }
        assert!(checked > 10_000, "{checked}");
    }
}
