//! Where a pattern's matches can start, and a confirmation that looks only
//! there.
//!
//! From a pattern's HIR: the bytes a match can open with, and whether a
//! match can start at the beginning of the value whatever byte is there (a
//! leading `^`). When those bytes are few, a candidate rule is confirmed by
//! running its regex anchored at each position that holds one of them (found
//! with `memchr`, or one table lookup a byte for up to [`MAX_TABLE_BYTES`]),
//! instead of a lazy-DFA scan of the whole value: a rule led by `[;|&]` or
//! by `(?:^|[&|(])\s*if` costs a `memchr` on prose that has none of those
//! bytes, and an anchored search that dies within a byte or two where it has.
//!
//! The answer is the unanchored search's: anchored searches at increasing
//! positions find the leftmost match first, and the regex sees the whole
//! value (look-behind such as `\b` reads the byte before a position). After
//! [`MAX_ANCHORED`] positions the rest of the value is searched unanchored
//! in one go, so a value full of such bytes costs at most one more scan.
//!
//! The walk is conservative: a node it cannot bound leaves the pattern
//! without start bytes, and its regex scans as before.

use super::required::class_bytes;
use crate::transform::summary::ByteSet;
use regex_automata::{meta, Anchored, Input};
use regex_syntax::hir::{Hir, HirKind, Look};
use std::ops::Range;

/// Most distinct start bytes looked for with a table (up to three take
/// `memchr`); more would stop too often to beat the scan.
const MAX_TABLE_BYTES: u32 = 8;
/// How often, per thousand bytes of ordinary text, a set of start bytes
/// may turn up at most. An anchored search in the meta engine costs about
/// 330 instructions, as much as scanning some 30 bytes with the lazy DFA,
/// so start bytes more common than one in fifty (a space, most lowercase
/// letters) leave the scan cheaper.
const MAX_DENSITY: u32 = 20;
/// Anchored searches tried before the rest is searched in one go.
const MAX_ANCHORED: usize = 16;

/// Roughly how many of a thousand bytes of English prose are this byte
/// (a letter's count stands for both its cases).
const DENSITY: [u8; 256] = {
    let mut table = [2u8; 256];
    let letters: [(u8, u8); 26] = [
        (b'e', 100),
        (b't', 73),
        (b'a', 65),
        (b'o', 60),
        (b'i', 56),
        (b'n', 54),
        (b's', 50),
        (b'h', 49),
        (b'r', 48),
        (b'd', 34),
        (b'l', 32),
        (b'c', 22),
        (b'u', 22),
        (b'm', 19),
        (b'w', 19),
        (b'f', 18),
        (b'g', 16),
        (b'y', 16),
        (b'p', 15),
        (b'b', 12),
        (b'v', 8),
        (b'k', 6),
        (b'j', 1),
        (b'x', 1),
        (b'q', 1),
        (b'z', 1),
    ];
    let mut i = 0;
    while i < letters.len() {
        let (letter, count) = letters[i];
        table[letter as usize] = count;
        table[letter.to_ascii_uppercase() as usize] = count;
        i += 1;
    }
    let mut d = b'0';
    while d <= b'9' {
        table[d as usize] = 5;
        d += 1;
    }
    table[b' ' as usize] = 160;
    table[b'.' as usize] = 10;
    table[b',' as usize] = 10;
    table
};

/// How common the bytes of `set` are in prose, per thousand (a letter
/// in both cases counted once).
fn density(set: ByteSet) -> u32 {
    set.iter()
        .filter(|b| !b.is_ascii_uppercase() || !set.contains(b.to_ascii_lowercase()))
        .map(|b| u32::from(DENSITY[usize::from(b)]))
        .sum()
}

/// How a pattern's matches start (see [`starts_of`]).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Starts {
    /// Bytes a match's first byte can be.
    bytes: ByteSet,
    /// A match can start at offset 0 without its first byte being one of
    /// `bytes` (it passes a `^` first).
    at_start: bool,
    /// The node can match the empty string at any position.
    empty: bool,
}

fn starts_of(hir: &Hir) -> Starts {
    match hir.kind() {
        HirKind::Empty => Starts {
            bytes: ByteSet::default(),
            at_start: false,
            empty: true,
        },
        HirKind::Literal(lit) => Starts {
            bytes: lit
                .0
                .first()
                .map_or_else(ByteSet::default, |&b| ByteSet::of(&[b])),
            at_start: false,
            empty: lit.0.is_empty(),
        },
        HirKind::Class(class) => Starts {
            bytes: class_bytes(class),
            at_start: false,
            empty: false,
        },
        // `^` (not multi-line): only at offset 0.
        HirKind::Look(Look::Start) => Starts {
            bytes: ByteSet::default(),
            at_start: true,
            empty: false,
        },
        // Any other assertion is zero-width and may hold anywhere: what
        // follows it decides.
        HirKind::Look(_) => Starts {
            bytes: ByteSet::default(),
            at_start: false,
            empty: true,
        },
        HirKind::Repetition(rep) => {
            let sub = starts_of(&rep.sub);
            Starts {
                empty: sub.empty || rep.min == 0,
                ..sub
            }
        }
        HirKind::Capture(cap) => starts_of(&cap.sub),
        HirKind::Alternation(branches) => {
            let mut all = Starts {
                bytes: ByteSet::default(),
                at_start: false,
                empty: false,
            };
            for branch in branches {
                let s = starts_of(branch);
                all.bytes = all.bytes.union(s.bytes);
                all.at_start |= s.at_start;
                all.empty |= s.empty;
            }
            all
        }
        HirKind::Concat(parts) => {
            let mut all = Starts {
                bytes: ByteSet::default(),
                at_start: false,
                empty: true,
            };
            for part in parts {
                let s = starts_of(part);
                all.bytes = all.bytes.union(s.bytes);
                all.at_start |= s.at_start;
                if !s.empty {
                    all.empty = false;
                    break;
                }
            }
            all
        }
    }
}

/// How to find the positions a match can start at.
#[derive(Debug, Clone)]
enum Finder {
    One(u8),
    Two(u8, u8),
    Three(u8, u8, u8),
    Table(Box<[bool; 256]>),
    /// No byte opens a match: only offset 0 can (`at_start`).
    None,
}

/// Where a regex's matches can start, when that is narrow enough to be
/// worth looking only there.
#[derive(Debug, Clone)]
pub(crate) struct StartPositions {
    finder: Finder,
    /// How far before a found byte the match starts (0, or 1 when the
    /// bytes are those after a leading one-byte part).
    offset: usize,
    at_start: bool,
}

impl StartPositions {
    /// For a pattern's HIR (in the dialect its regex was built with);
    /// `None` when its matches can start at too many kinds of byte.
    pub(crate) fn of(hir: &Hir) -> Option<StartPositions> {
        let starts = starts_of(hir);
        if starts.empty {
            return None;
        }
        if starts.bytes.len() > MAX_TABLE_BYTES || density(starts.bytes) > MAX_DENSITY {
            return Self::after_lead(hir);
        }
        Self::looking_for(starts, 0)
    }

    /// For a pattern that opens with a part one byte wide (or a `^`), such
    /// as `(?:^|[^a-z0-9])javascript:`, when the bytes after that part are
    /// few: a match starts one byte before one of them (or at offset 0).
    fn after_lead(hir: &Hir) -> Option<StartPositions> {
        let mut node = hir;
        while let HirKind::Capture(cap) = node.kind() {
            node = &cap.sub;
        }
        let HirKind::Concat(parts) = node.kind() else {
            return None;
        };
        let (lead, rest) = parts.split_first()?;
        let lead_starts = starts_of(lead);
        if lead.properties().maximum_len() != Some(1) || lead_starts.empty {
            return None;
        }
        let rest = Hir::concat(rest.to_vec());
        let after = starts_of(&rest);
        if after.empty
            || after.at_start
            || after.bytes.len() > MAX_TABLE_BYTES
            || density(after.bytes) > MAX_DENSITY
        {
            return None;
        }
        Self::looking_for(
            Starts {
                at_start: lead_starts.at_start,
                ..after
            },
            1,
        )
    }

    fn looking_for(starts: Starts, offset: usize) -> Option<StartPositions> {
        let bytes: Vec<u8> = starts.bytes.iter().collect();
        let finder = match bytes.as_slice() {
            [] => Finder::None,
            &[a] => Finder::One(a),
            &[a, b] => Finder::Two(a, b),
            &[a, b, c] => Finder::Three(a, b, c),
            _ if starts.bytes.len() <= MAX_TABLE_BYTES => {
                let mut table = Box::new([false; 256]);
                for &b in &bytes {
                    if let Some(slot) = table.get_mut(usize::from(b)) {
                        *slot = true;
                    }
                }
                Finder::Table(table)
            }
            _ => return None,
        };
        Some(StartPositions {
            finder,
            offset,
            at_start: starts.at_start,
        })
    }

    /// The first position at or after `from` a match can start at: where a
    /// start byte is, `offset` bytes before it.
    fn next(&self, haystack: &[u8], from: usize) -> Option<usize> {
        let from = from + self.offset;
        let rest = haystack.get(from..)?;
        let found = match &self.finder {
            Finder::One(a) => memchr::memchr(*a, rest),
            Finder::Two(a, b) => memchr::memchr2(*a, *b, rest),
            Finder::Three(a, b, c) => memchr::memchr3(*a, *b, *c, rest),
            Finder::Table(table) => rest.iter().position(|&b| table[usize::from(b)]),
            Finder::None => None,
        };
        found.map(|at| from + at - self.offset)
    }

    /// `regex`'s leftmost match in `haystack`, as `regex.find` would give
    /// it, searching anchored only where a match can start.
    pub(crate) fn find(&self, regex: &meta::Regex, haystack: &[u8]) -> Option<Range<usize>> {
        let anchored_at = |at: usize| {
            regex
                .search(&Input::new(haystack).range(at..).anchored(Anchored::Yes))
                .map(|m| m.range())
        };
        let mut from = 0;
        if self.at_start {
            if let Some(found) = anchored_at(0) {
                return Some(found);
            }
            // Every match starting at 0 has been looked for.
            from = 1;
        }
        let mut tried = 0;
        while let Some(at) = self.next(haystack, from) {
            if tried == MAX_ANCHORED {
                return regex
                    .search(&Input::new(haystack).range(at..))
                    .map(|m| m.range());
            }
            tried += 1;
            if let Some(found) = anchored_at(at) {
                return Some(found);
            }
            from = at + 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(pattern: &str) -> Starts {
        let hir =
            crate::matcher::parse_hir(pattern, true).unwrap_or_else(|e| panic!("{pattern}: {e}"));
        starts_of(&hir)
    }

    #[test]
    fn leading_bytes_anchors_and_optional_parts_are_followed() {
        let s = starts(r"(?:^|[&|(])\s*if[ \t/]");
        assert!(s.at_start && !s.empty);
        assert_eq!(
            s.bytes,
            ByteSet::of(b"&|("),
            "a match starts at 0 or at the byte"
        );
        let s = starts(r"\s*(?:a|b)?c");
        assert_eq!(s.bytes, ByteSet::of(b"\t\n\x0b\x0c\r aAbBcC"));
        let s = starts(r"[;|&](?:sh|ls)");
        assert_eq!((s.bytes, s.at_start), (ByteSet::of(b";|&"), false));
        let s = starts(r"\bfor\s+x");
        assert_eq!(s.bytes, ByteSet::of(b"fF"));
        let s = starts(r"^\s?(?:whoami|id)");
        assert!(s.at_start);
        assert!(starts(r"x*").empty);
        let positions = |pattern: &str| {
            StartPositions::of(
                &crate::matcher::parse_hir(pattern, true).unwrap_or_else(|e| panic!("{e}")),
            )
        };
        assert!(positions(r"[^a-z][^0-9]x").is_none());
        let lead = positions(r"(?:^|[^a-z0-9])(?:ja|vb)script:");
        assert!(lead.is_some_and(|p| p.offset == 1 && p.at_start));
        assert!(positions(r"[^a-z]x").is_some_and(|p| p.offset == 1 && !p.at_start));
        assert!(positions(r"[^a-z]\w").is_none());
        assert!(
            positions(r"(?:^|\s)(?:eat|tea)\b").is_none(),
            "spaces are everywhere"
        );
        assert!(positions(r"(?:^|\s)javascript:").is_some_and(|p| p.offset == 1));
        assert!(positions(r"\b(?:from|into)\s").is_none(), "so are f, i");
        assert!(positions(r"\bfor\s").is_some());
    }

    /// The positions search gives `find`'s answer on every example and
    /// near miss of every default signature it applies to, and on values
    /// built to cross its limits (many start bytes, a match after them).
    #[test]
    fn positions_search_agrees_with_the_scan() {
        let signatures = crate::defaults::signatures().unwrap_or_default();
        let mut compared = 0;
        let mut patterns = 0;
        for sig in &signatures {
            let crate::signature::Pattern::Regex(pattern) = &sig.pattern else {
                continue;
            };
            let Ok(hir) = crate::matcher::parse_hir(pattern, !sig.case_sensitive) else {
                continue;
            };
            let Some(positions) = StartPositions::of(&hir) else {
                continue;
            };
            let Ok(regex) = super::super::compile_confirm(sig, pattern) else {
                continue;
            };
            patterns += 1;
            let mut values: Vec<Vec<u8>> = Vec::new();
            for example in sig.examples.iter().chain(&sig.near_misses) {
                let out = sig.chain.apply(example).into_owned();
                let mut crowded = b";|&$(<'\"%".repeat(MAX_ANCHORED + 2);
                crowded.extend_from_slice(&out);
                let mut prefixed = b"prose before it ".to_vec();
                prefixed.extend_from_slice(&out);
                values.extend([out, crowded, prefixed]);
            }
            for value in values {
                let want = regex.find(&value).map(|m| m.range());
                assert_eq!(
                    positions.find(&regex, &value),
                    want,
                    "signature {} on {:?}",
                    sig.id,
                    String::from_utf8_lossy(&value)
                );
                compared += 1;
            }
        }
        assert!(patterns > 30, "{patterns} patterns");
        assert!(compared > 1000, "{compared} values");
    }
}
