//! Required punctuation of a pattern: sets of bytes such that every match of
//! the pattern contains at least one byte of each set. The matcher checks a
//! candidate's haystack against them (a few word-wide ANDs on the haystack's
//! byte set) before running the confirming regex, so a rule whose literal
//! (`user`, `ord`) turns up in ordinary prose but whose pattern needs a `(`
//! or a `;` costs nothing on that prose.
//!
//! Only sets without ASCII letters or digits are kept: a pattern's letters are
//! what its prefilter literals already require, so such sets would seldom turn
//! a candidate away. The walk over regex-syntax's HIR is conservative: a node
//! it cannot reason about requires nothing.

use crate::transform::summary::ByteSet;
use regex_syntax::hir::{Class, Hir, HirKind};

/// Most requirements kept per pattern (the narrowest).
const MAX_KEPT: usize = 4;

/// How often a set's bytes turn up in ordinary text, roughly: a space or a
/// comma is in most values, a letter in many, a `|` or a `=` in few. Where a
/// pattern offers a choice of requirements, the rarest one turns most values
/// away.
pub(crate) fn commonness(set: &ByteSet) -> u32 {
    const VERY_COMMON: ByteSet = ByteSet::of(b" ,.");
    const COMMON: ByteSet = ByteSet::of(b"\t\n\r-:/()'_;");
    const ALPHANUMERIC: ByteSet = ByteSet::range(b'0', b'9')
        .union(ByteSet::range(b'A', b'Z'))
        .union(ByteSet::range(b'a', b'z'));
    set.len()
        + 40 * set.intersection(VERY_COMMON).len()
        + 8 * set.intersection(COMMON).len()
        + 4 * set.intersection(ALPHANUMERIC).len()
}

/// The byte sets every match of `hir` must touch (each at least once).
pub(crate) fn required_byte_sets(hir: &Hir) -> Vec<ByteSet> {
    rarest_requirements(hir, false, MAX_KEPT)
}

/// The `max` rarest of `hir`'s requirements, with or without the sets that
/// hold a letter or digit.
fn rarest_requirements(hir: &Hir, letters: bool, max: usize) -> Vec<ByteSet> {
    let mut sets: Vec<ByteSet> = requirements(hir)
        .into_iter()
        .filter(|s| !s.is_empty() && (letters || !s.has_alphanumeric()))
        .collect();
    sets.sort_by_key(commonness);
    sets.dedup();
    sets.truncate(max);
    sets
}

/// The branches of `hir`'s top-level alternation (through capture groups):
/// every match of `hir` is a match of one of them. `hir` itself when it is
/// not an alternation.
pub(crate) fn branches(hir: &Hir) -> Vec<&Hir> {
    let mut node = hir;
    while let HirKind::Capture(cap) = node.kind() {
        node = &cap.sub;
    }
    match node.kind() {
        HirKind::Alternation(alternatives) => alternatives.iter().collect(),
        _ => vec![node],
    }
}

/// Like [`required_byte_sets`], letters and digits included, up to
/// `max` sets: for patterns the prefilter has no literal for, a set of
/// letters (`j` or `J`) turns away values that lack them.
pub(crate) fn required_byte_sets_with_letters(hir: &Hir, max: usize) -> Vec<ByteSet> {
    rarest_requirements(hir, true, max)
}

/// Every condition a match of `hir` satisfies (a conjunction).
fn requirements(hir: &Hir) -> Vec<ByteSet> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Vec::new(),
        HirKind::Literal(lit) => lit.0.iter().map(|&b| ByteSet::of(&[b])).collect(),
        HirKind::Class(class) => vec![class_bytes(class)],
        HirKind::Repetition(rep) if rep.min >= 1 => requirements(&rep.sub),
        HirKind::Repetition(_) => Vec::new(),
        HirKind::Capture(cap) => requirements(&cap.sub),
        HirKind::Concat(parts) => parts.iter().flat_map(requirements).collect(),
        HirKind::Alternation(branches) => {
            // Each branch contributes its rarest punctuation requirement;
            // a match satisfies the union of those. A branch with none makes
            // the alternation require nothing.
            let mut union = ByteSet::default();
            for branch in branches {
                let narrowest = requirements(branch)
                    .into_iter()
                    .filter(|s| !s.has_alphanumeric() && !s.is_empty())
                    .min_by_key(commonness);
                match narrowest {
                    Some(set) => union = union.union(set),
                    None => return Vec::new(),
                }
            }
            vec![union]
        }
    }
}

/// The bytes a class can match. A Unicode class (not produced with Unicode
/// off, but handled) stands for every byte its characters encode to: their
/// ASCII members, and every non-ASCII byte for the rest.
pub(crate) fn class_bytes(class: &Class) -> ByteSet {
    let mut set = ByteSet::default();
    match class {
        Class::Bytes(bytes) => {
            for range in bytes.iter() {
                for b in range.start()..=range.end() {
                    set.insert(b);
                }
            }
        }
        Class::Unicode(chars) => {
            for range in chars.iter() {
                let (start, end) = (u32::from(range.start()), u32::from(range.end()));
                for c in start..=end.min(0x7F) {
                    set.insert(c as u8);
                }
                if end > 0x7F {
                    for b in 0x80..=0xFFu8 {
                        set.insert(b);
                    }
                }
            }
        }
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets(pattern: &str) -> Vec<ByteSet> {
        let hir =
            crate::matcher::parse_hir(pattern, true).unwrap_or_else(|e| panic!("{pattern}: {e}"));
        required_byte_sets(&hir)
    }

    #[test]
    fn punctuation_a_match_needs_is_required() {
        assert_eq!(sets(r"\b(?:user|ord|char)\s*\("), vec![ByteSet::of(b"(")]);
        assert_eq!(sets(r"[;|&]\s*cat\b"), vec![ByteSet::of(b";|&")]);
        assert_eq!(
            sets(r"(?:;|\$\()\s*id"),
            vec![ByteSet::of(b";$")],
            "each branch's narrowest requirement, united"
        );
        assert_eq!(
            sets(r"union\s+select"),
            vec![ByteSet::of(b"\t\n\x0b\x0c\r ")]
        );
    }

    #[test]
    fn letters_optional_parts_and_open_branches_require_nothing() {
        assert!(sets(r"union.select").is_empty());
        assert!(sets(r"a(?:\()?b").is_empty());
        assert!(sets(r"(?:x\(|select)").is_empty());
    }

    #[test]
    fn requirements_hold_on_every_example_of_every_default_signature() {
        let signatures = crate::defaults::signatures().unwrap_or_default();
        assert!(signatures.len() > 100);
        let mut checked = 0;
        for sig in &signatures {
            let crate::signature::Pattern::Regex(pattern) = &sig.pattern else {
                continue;
            };
            let Ok(hir) = crate::matcher::parse_hir(pattern, !sig.case_sensitive) else {
                continue;
            };
            let required = required_byte_sets(&hir);
            for example in &sig.examples {
                let transformed = sig.chain.apply(example);
                let present = ByteSet::of(&transformed);
                for set in &required {
                    assert!(
                        present.intersects(set),
                        "signature {}: example {:?} lacks a required byte",
                        sig.id,
                        String::from_utf8_lossy(example)
                    );
                }
                checked += 1;
            }
        }
        assert!(checked > 500, "{checked} examples checked");
    }
}
