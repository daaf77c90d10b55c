//! The plain-value screen: the cheapest possible look at a body value that
//! proves most ordinary values have no hit, in front of the quiet-value
//! screen (`matcher::screen`) and the full scan.
//!
//! A value is *plain* when it holds only ASCII letters, digits, spaces,
//! `.`, `,`, `-`, `_`, `@`, `+`, `[`, `]`, `:`, `?`, `!` and bytes from 0x80
//! up, minus any of them the classes' screens, the detectors or the caller
//! want looked at. A plain value is quiet for its classes' screens (no plain
//! byte is one a transform rewrites beyond case and separators) and opens
//! no XSS tag or attribute gate (`<`, `=` are not plain); what could still
//! give it a hit is looked for in one pass of a small automaton built for
//! the plan:
//! - the literal pieces of every rule a plain value could hold the bytes
//!   for (the quiet-value screen's pieces, fewer: a rule needing a byte no
//!   plain value has cannot match one);
//! - the SQL pre-check's signal words, as whole words;
//!
//! and, where those rules need them, `--` (SQL comments), invalid UTF-8
//! (overlong forms), a `@` outside an email address (the SQL pre-check),
//! and for a value holding a byte that opens a byte-gated rule (a rule
//! without pieces, e.g. a `:` with the letters of `script`) or the XSS
//! detector's `:` (a script URL): whether the value's bytes meet every
//! byte set of such a rule, or the XSS pre-check opens. So an ISO 8601
//! timestamp or a clock time stays plain.
//! A plain value with none of these is [`Plain::Quiet`] once its class's
//! whole-value checks pass; one holding pieces is quiet when the class's
//! screen finds none of their rules' bytes in it; one holding SQL signal
//! words ([`Plain::Sql`], English prose mostly: `and`, `or`, `not`) or
//! pieces the class's screen cannot dismiss is confirmed against only the
//! rules of those pieces and the SQL detectors
//! (`CompiledRules::plain_outcome`), with no other look at it; anything
//! else takes the usual way.
//!
//! Soundness is tested by inspecting bodies with the screen on and off
//! (`inspector::plain_screen_tests`) and by the SQL sign test in
//! `detect::sqli`.

use super::screen::{each_piece, output_bytes, Screen};
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
    .union(ByteSet::of(b" .,-_@+[]:?!"))
    .union(ByteSet::NON_ASCII);

/// Byte classes of [`PlainScreen::bytes`].
const LOUD: u8 = 1;
const DASH: u8 = 2;
const AT: u8 = 4;
const HIGH: u8 = 8;
/// Outside the base64 alphabets (a value holding one is not base64).
const NOT_BASE64: u8 = 16;
/// A byte a byte-gated rule (or the XSS pre-check) may need.
const GATE: u8 = 32;

/// What the plain-value screen looks for, for some classes at one level.
#[derive(Debug)]
pub(crate) struct PlainScreen {
    pub(crate) paranoia: Paranoia,
    /// For each byte: [`LOUD`] when it is not plain, else [`DASH`],
    /// [`AT`] or [`HIGH`] for the plain bytes that need a second look.
    bytes: [u8; 256],
    double_dash: bool,
    invalid_utf8: bool,
    sql: bool,
    /// The pieces, then the SQL signal words; `None` when there are none.
    automaton: Option<DFA>,
    /// For each piece of `automaton`, its id in the level's automaton;
    /// patterns from `piece_ids.len()` on are SQL words.
    piece_ids: Vec<usize>,
    /// The byte-gated rules a plain value could match: each the byte sets
    /// (of output bytes) it needs; checked on values holding a [`GATE`] byte.
    gates: Vec<Vec<ByteSet>>,
    /// The XSS detector is on: a `:` needs its pre-check.
    xss_colon: bool,
}

/// What the plain-value screen says of a value.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Plain {
    /// Not plain, or something plain that needs the usual scan.
    Loud,
    /// Plain and nothing found; `true` when the value might be base64
    /// (it holds only bytes of a base64 alphabet).
    Quiet(bool),
    /// Plain, holding the pieces left in the caller's list for the class's
    /// screen to judge; `true` when it might be base64.
    Pieces(bool),
    /// Like [`Plain::Pieces`] (the list may be empty), and holding an SQL
    /// signal word as well: the SQL detectors must look at it too.
    Sql(bool),
}

impl PlainScreen {
    /// A screen for values of the classes whose `screens` are given (each
    /// on at `paranoia`), with the `extra` bytes loud too; `piece(id)`
    /// gives a piece of the level's automaton. `None` when its automaton
    /// cannot be built.
    pub(crate) fn new<'a>(
        screens: &[&Screen],
        paranoia: Paranoia,
        extra: ByteSet,
        piece: impl Fn(usize) -> Option<&'a [u8]>,
    ) -> Option<PlainScreen> {
        let mut plain = PLAIN.minus(extra);
        let mut plan = PlainScreen {
            paranoia,
            bytes: [0; 256],
            double_dash: false,
            invalid_utf8: false,
            sql: false,
            automaton: None,
            piece_ids: Vec::new(),
            gates: Vec::new(),
            xss_colon: false,
        };
        for screen in screens {
            let parts = screen.loud_parts(paranoia);
            plain = plain.minus(parts.loud);
            plan.double_dash |= parts.double_dash;
            plan.invalid_utf8 |= parts.invalid_utf8;
            for detector in parts.detectors {
                match detector {
                    Detector::Xss => {
                        // `:` opens the detector's gate only with
                        // `might_be_xss` (`javascript:`); `<` and `=` are loud.
                        plain = plain.minus(ByteSet::of(b"<="));
                        plan.xss_colon = true;
                    }
                    Detector::Sqli | Detector::SqliAny => {
                        plan.sql = true;
                        plain = plain.minus(sqli::SQL_SIGNAL_BYTES);
                    }
                }
            }
        }
        let mut pieces: Vec<(&[u8], usize)> = Vec::new();
        // Bytes that open a byte-gated rule (or the XSS detector's `:`):
        // plain, but a value holding one has the gates checked on its bytes.
        let mut gate_bytes = if plan.xss_colon {
            ByteSet::of(b":")
        } else {
            ByteSet::default()
        };
        for screen in screens {
            let needs = screen.plain_needs(paranoia, plain);
            gate_bytes = gate_bytes.union(needs.gate_bytes);
            plan.gates.extend(needs.gates);
            for id in needs.pieces {
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
        for (b, slot) in plan.bytes.iter_mut().enumerate() {
            let b = b as u8;
            *slot = match b {
                _ if !plain.contains(b) => LOUD,
                _ if gate_bytes.contains(b) => GATE | NOT_BASE64,
                b'-' => DASH,
                b'@' => AT | NOT_BASE64,
                0x80.. => HIGH | NOT_BASE64,
                // Base64 bytes, and the space a base64 value may be
                // trimmed of.
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'_' | b' ' => 0,
                _ => NOT_BASE64,
            };
        }
        Some(plan)
    }

    /// Whether a byte-gated rule could match `value` (its outputs touch
    /// every byte set the rule needs), or the XSS pre-check opens on it.
    fn gate_opens(&self, value: &[u8]) -> bool {
        let bytes = output_bytes(ByteSet::collect(value));
        self.gates
            .iter()
            .any(|needs| needs.iter().all(|n| n.intersects(&bytes)))
            || (self.xss_colon && bytes.contains(b':') && crate::detect::xss::might_be_xss(value))
    }

    /// Judges `value`; the ids of the pieces it holds (in the level's
    /// automaton) are left in `pieces` for [`Plain::Pieces`].
    pub(crate) fn judge(&self, value: &[u8], pieces: &mut Vec<usize>) -> Plain {
        pieces.clear();
        // First the bytes alone (most loud values stop here), noting the
        // few that need a second look; then the automaton.
        let mut seen = 0u8;
        let mut blocks = value.chunks_exact(8);
        for block in &mut blocks {
            // Eight at a time, tested once.
            let classes = block
                .iter()
                .fold(0u8, |acc, &b| acc | self.bytes[usize::from(b)]);
            if classes & LOUD != 0 {
                return Plain::Loud;
            }
            seen |= classes;
        }
        for &b in blocks.remainder() {
            seen |= self.bytes[usize::from(b)];
        }
        if seen & LOUD != 0 {
            return Plain::Loud;
        }
        let loud = (self.double_dash
            && seen & DASH != 0
            && crate::word_bytes::holds_pair(value, b'-', b'-'))
            || (self.invalid_utf8 && seen & HIGH != 0 && std::str::from_utf8(value).is_err())
            || (self.sql
                && seen & AT != 0
                && memchr::memchr_iter(b'@', value).any(|at| sqli::at_sign_is_signal(value, at)));
        if loud || (seen & GATE != 0 && self.gate_opens(value)) {
            return Plain::Loud;
        }
        let base64 = seen & NOT_BASE64 == 0;
        let Some(automaton) = &self.automaton else {
            return Plain::Quiet(base64);
        };
        let mut sql_word = false;
        each_piece(automaton, value, |end, pattern| {
            match self.piece_ids.get(pattern) {
                Some(&id) => pieces.push(id),
                None if sql_word => {}
                None => {
                    // An SQL word counts only as a whole word.
                    let len = automaton.pattern_len(PatternID::new_unchecked(pattern));
                    let word = |at: Option<usize>| {
                        at.and_then(|i| value.get(i))
                            .is_some_and(|&b| sqli::is_word_byte(b))
                    };
                    sql_word = !word(end.checked_sub(len + 1)) && !word(Some(end));
                }
            }
        });
        if sql_word {
            Plain::Sql(base64)
        } else if pieces.is_empty() {
            Plain::Quiet(base64)
        } else {
            Plain::Pieces(base64)
        }
    }
}
