//! The chunk screen: one pass over a raw body chunk that clears most of
//! its values at once. For a value the body parser took from the chunk
//! byte for byte (`chunk[at..at + len]`, no escape decoded), what the pass
//! found inside the value's span tells whether the quiet-value screen of
//! its class (`matcher::screen`) would find it quiet with no candidate; if
//! so, [`CompiledRules::scan`](super::CompiledRules::scan) would report no
//! hit and the inspector passes the value over.
//!
//! The pass looks only for what could matter in a *plain* value: one made
//! of ASCII letters, digits, spaces, `.`, `,`, `-`, `_`, `@`, `+`, `[`, `]` and bytes
//! from 0x80 up, minus any of them the classes' screens, the detectors or
//! the caller want looked at. It marks:
//! - *hard* positions: the second `-` of `--` where SQL comments are
//!   removed; invalid UTF-8 where overlong forms are folded; the SQL
//!   pre-check's signs where an SQL detector is in play (its signal words
//!   as whole words, a `@` outside an email address; its signal bytes are
//!   not plain);
//! - *pieces*: every occurrence of a literal piece of a rule a plain value
//!   could hold the bytes for, from one automaton built for the plan.
//!
//! A value that is not plain, or whose span holds a hard mark, takes its
//! full scan; a plain value with a clear span is quiet with no candidate
//! once the class's whole-value checks pass ([`Screen::quiet_whole`]); one
//! holding pieces is judged by the class's screen on the value's own bytes
//! ([`Screen::quiet_marked`]).
//!
//! Contract: the values are spans whose neighbouring bytes are none of
//! ASCII letters, digits, `_`, `.`, `+` and `-` (JSON strings between their
//! quotes, JSON numbers between structural bytes), which is what the SQL
//! signs need. Soundness is tested by inspecting bodies with the chunk
//! screen on and off (`inspector::chunk_screen_tests`) and by the SQL sign
//! test in `detect::sqli`.

use super::screen::{each_piece, Screen};
use crate::detect::{sqli, Detector};
use crate::rule::Paranoia;
use crate::transform::summary::ByteSet;
use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{MatchKind, PatternID};

/// Bytes a plain value may hold, before the plan takes some away.
const PLAIN: ByteSet = ByteSet::range(b'a', b'z')
    .union(ByteSet::range(b'A', b'Z'))
    .union(ByteSet::range(b'0', b'9'))
    .union(ByteSet::of(b" .,-_@+[]"))
    .union(ByteSet::range(0x80, 0xff));

/// What to mark in a chunk, for some classes at one paranoia level.
#[derive(Debug)]
pub(crate) struct LoudPlan {
    pub(crate) paranoia: Paranoia,
    /// 1 for each byte that is not plain: a value holding one is loud.
    hard: [u8; 256],
    double_dash: bool,
    invalid_utf8: bool,
    sql: bool,
    /// The pieces, then the SQL signal words; `None` when there are none.
    automaton: Option<DFA>,
    /// For each piece of `automaton`, its id in the level's automaton;
    /// patterns from `piece_ids.len()` on are SQL words.
    piece_ids: Vec<usize>,
}

impl LoudPlan {
    /// A plan for values of the classes whose `screens` are given (each
    /// on at `paranoia`), with the `extra` bytes marked too;
    /// `piece(id)` gives a piece of the level's automaton. `None` when its
    /// automaton cannot be built.
    pub(crate) fn new<'a>(
        screens: &[&Screen],
        paranoia: Paranoia,
        extra: ByteSet,
        piece: impl Fn(usize) -> Option<&'a [u8]>,
    ) -> Option<LoudPlan> {
        let mut plain = PLAIN.minus(extra);
        let mut plan = LoudPlan {
            paranoia,
            hard: [0; 256],
            double_dash: false,
            invalid_utf8: false,
            sql: false,
            automaton: None,
            piece_ids: Vec::new(),
        };
        for screen in screens {
            let parts = screen.loud_parts(paranoia);
            plain = plain.minus(parts.loud);
            plan.double_dash |= parts.double_dash;
            plan.invalid_utf8 |= parts.invalid_utf8;
            for detector in parts.detectors {
                match detector {
                    Detector::Xss => plain = plain.minus(ByteSet::of(b":<=")),
                    Detector::Sqli | Detector::SqliAny => {
                        plan.sql = true;
                        plain = plain.minus(sqli::SQL_SIGNAL_BYTES);
                    }
                }
            }
        }
        let mut pieces: Vec<(&[u8], usize)> = Vec::new();
        for screen in screens {
            let (ids, gated) = screen.plain_needs(paranoia, plain);
            plain = plain.minus(gated);
            for id in ids {
                // A piece with a byte no plain value holds is never in one.
                let fits = |p: &&[u8]| {
                    p.iter()
                        .all(|&b| plain.contains(b) || plain.contains(b.to_ascii_uppercase()))
                };
                if let Some(bytes) = piece(id).filter(fits) {
                    pieces.push((bytes, id));
                }
            }
        }
        pieces.sort_unstable();
        pieces.dedup();
        plan.piece_ids = pieces.iter().map(|&(_, id)| id).collect();
        let mut patterns: Vec<&'a [u8]> = pieces.iter().map(|&(p, _)| p).collect();
        if plan.sql {
            for word in sqli::signal_words() {
                patterns.push(word);
            }
        }
        if !patterns.is_empty() {
            plan.automaton = Some(
                DFA::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .prefilter(false)
                    .build(&patterns)
                    .ok()?,
            );
        }
        for (b, slot) in plan.hard.iter_mut().enumerate() {
            *slot = u8::from(!plain.contains(b as u8));
        }
        Some(plan)
    }

    /// Marks `chunk` in `map` (cleared first). Bytes that are not plain
    /// are not marked here: [`LoudPlan::span`] looks for them in the value
    /// itself, which is cheaper than a pass over every byte of the chunk.
    pub(crate) fn mark(&self, chunk: &[u8], map: &mut LoudMap) {
        map.reset(chunk.len());
        if self.double_dash {
            for at in memchr::memmem::find_iter(chunk, b"--") {
                map.mark(at + 1);
            }
        }
        if self.invalid_utf8 && !chunk.is_ascii() {
            let mut from = 0;
            while let Some(rest) = chunk.get(from..) {
                let Err(e) = std::str::from_utf8(rest) else {
                    break;
                };
                let bad = from + e.valid_up_to();
                let len = e.error_len().unwrap_or(chunk.len() - bad).max(1);
                for at in bad..bad + len {
                    map.mark(at);
                }
                from = bad + len;
            }
        }
        if self.sql {
            for at in memchr::memchr_iter(b'@', chunk) {
                if sqli::at_sign_is_signal(chunk, at) {
                    map.mark(at);
                }
            }
        }
        if let Some(automaton) = &self.automaton {
            let pieces = self.piece_ids.len();
            each_piece(automaton, chunk, |end, pattern| {
                let len = automaton.pattern_len(PatternID::new_unchecked(pattern));
                let start = end.saturating_sub(len);
                match self.piece_ids.get(pattern) {
                    Some(&id) => map.pieces.push((end as u32, start as u32, id as u32)),
                    None if pattern >= pieces => {
                        // An SQL word counts only as a whole word.
                        let word = |at: Option<usize>| {
                            at.and_then(|i| chunk.get(i))
                                .is_some_and(|&b| sqli::is_word_byte(b))
                        };
                        if !word(start.checked_sub(1)) && !word(Some(end)) {
                            map.mark(start);
                        }
                    }
                    None => {}
                }
            });
        }
        map.marks.sort_unstable();
    }

    /// The marks of `map` (left by [`LoudPlan::mark`]) inside `at..at +
    /// value.len()`, where `value` is the chunk's bytes there.
    pub(crate) fn span<'m>(&self, map: &'m mut LoudMap, at: usize, value: &[u8]) -> SpanMarks<'m> {
        let end = at.saturating_add(value.len());
        if end > map.len || !value.iter().all(|&b| self.hard[usize::from(b)] == 0) {
            return SpanMarks::Loud;
        }
        if at < map.last_at {
            // A span before the last one: search from the start.
            map.mark_cursor = 0;
            map.piece_cursor = 0;
        }
        map.last_at = at;
        while map
            .marks
            .get(map.mark_cursor)
            .is_some_and(|&m| (m as usize) < at)
        {
            map.mark_cursor += 1;
        }
        if map
            .marks
            .get(map.mark_cursor)
            .is_some_and(|&m| (m as usize) < end)
        {
            return SpanMarks::Loud;
        }
        while map
            .pieces
            .get(map.piece_cursor)
            .is_some_and(|&(e, _, _)| (e as usize) <= at)
        {
            map.piece_cursor += 1;
        }
        let rest = map.pieces.get(map.piece_cursor..).unwrap_or_default();
        let inside = rest
            .iter()
            .take_while(|&&(e, _, _)| (e as usize) <= end)
            .count();
        match rest.get(..inside) {
            Some(pieces) if !pieces.is_empty() => SpanMarks::Pieces {
                pieces,
                start: at as u32,
            },
            _ => SpanMarks::Clear,
        }
    }
}

/// The marks one chunk left.
#[derive(Debug, Default)]
pub struct LoudMap {
    /// Hard marks other than bytes that are not plain, ascending.
    marks: Vec<u32>,
    /// `(end, start, piece)` of every piece found, in the order of `end`.
    pieces: Vec<(u32, u32, u32)>,
    /// The first mark at or after, and the first piece ending after, the
    /// last span's start (values come in the chunk's order).
    mark_cursor: usize,
    piece_cursor: usize,
    /// The last span's start.
    last_at: usize,
    len: usize,
}

/// What a span of the chunk holds.
pub(crate) enum SpanMarks<'a> {
    /// Outside the chunk, or a hard mark: the value takes its full scan.
    Loud,
    /// Nothing at all.
    Clear,
    /// Pieces ending inside the span (some may start before it).
    Pieces {
        pieces: &'a [(u32, u32, u32)],
        start: u32,
    },
}

impl LoudMap {
    fn reset(&mut self, len: usize) {
        self.marks.clear();
        self.pieces.clear();
        self.mark_cursor = 0;
        self.piece_cursor = 0;
        self.last_at = 0;
        self.len = len;
    }

    fn mark(&mut self, at: usize) {
        self.marks.push(at as u32);
    }
}
