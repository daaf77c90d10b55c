//! Necessary-literal ("factor") extraction for the prefilter.
//!
//! For a pattern, computes a set of lowercase byte strings such that every match
//! of the pattern contains at least one of them, compared ASCII
//! case-insensitively. The prefilter built from these sets never misses a match:
//! when no useful set exists the pattern is reported as having none, and the
//! matcher always checks it (the "residual" patterns).
//!
//! The walk is over regex-syntax's HIR: literals and small byte classes are exact
//! sets, concatenation crosses adjacent exact sets (bounded) and keeps the best
//! factor of its parts, alternation unions its branches, and a repetition with a
//! minimum of at least one keeps what its body requires.

use regex_syntax::hir::{Class, Hir, HirKind};
use std::collections::BTreeSet;

/// Most strings an exact set may hold before it is demoted to a factor.
const MAX_SET: usize = 64;
/// Longest string kept in an exact set when crossing.
const MAX_LEN: usize = 24;
/// Most distinct (lowercased) bytes a class may have to count as exact.
const MAX_CLASS: usize = 8;

type Set = BTreeSet<Vec<u8>>;

enum Info {
    /// The node matches exactly one of these strings (lowercased).
    Exact(Set),
    /// Every match contains one of these; `None` means nothing is required.
    Factor(Option<Set>),
}

fn quality(set: &Option<Set>) -> (usize, isize) {
    match set {
        None => (0, 0),
        Some(s) if s.is_empty() => (0, 0),
        Some(s) => {
            let min = s.iter().map(Vec::len).min().unwrap_or(0);
            (min.min(6), -(s.len() as isize))
        }
    }
}

fn better(a: Option<Set>, b: Option<Set>) -> Option<Set> {
    if quality(&b) > quality(&a) {
        b
    } else {
        a
    }
}

fn as_factor(info: Info) -> Option<Set> {
    match info {
        Info::Exact(s) => Some(s),
        Info::Factor(f) => f,
    }
}

fn cross(a: &Set, b: &Set) -> Option<Set> {
    if a.len().saturating_mul(b.len()) > MAX_SET {
        return None;
    }
    let mut out = Set::new();
    for x in a {
        for y in b {
            if x.len() + y.len() > MAX_LEN {
                return None;
            }
            let mut s = x.clone();
            s.extend_from_slice(y);
            out.insert(s);
        }
    }
    Some(out)
}

fn class_bytes(class: &Class) -> Option<Set> {
    let mut bytes = BTreeSet::new();
    match class {
        Class::Bytes(c) => {
            for range in c.iter() {
                for b in range.start()..=range.end() {
                    bytes.insert(b.to_ascii_lowercase());
                    if bytes.len() > MAX_CLASS {
                        return None;
                    }
                }
            }
        }
        Class::Unicode(c) => {
            // A small set of characters: their UTF-8 encodings (an alternation
            // of multi-byte sequences is folded into such a class).
            let mut encoded = Set::new();
            for range in c.iter() {
                for ch in range.start()..=range.end() {
                    let mut buf = [0u8; 4];
                    let mut s = ch.encode_utf8(&mut buf).as_bytes().to_vec();
                    s.make_ascii_lowercase();
                    encoded.insert(s);
                    if encoded.len() > MAX_CLASS {
                        return None;
                    }
                }
            }
            return Some(encoded);
        }
    }
    Some(bytes.into_iter().map(|b| vec![b]).collect())
}

fn info(hir: &Hir) -> Info {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Info::Exact(std::iter::once(Vec::new()).collect()),
        HirKind::Literal(lit) => {
            let lower: Vec<u8> = lit.0.iter().map(u8::to_ascii_lowercase).collect();
            if lower.len() > MAX_LEN {
                // Keep the longest useful piece: the whole literal is a fine factor.
                return Info::Factor(Some(std::iter::once(lower).collect()));
            }
            Info::Exact(std::iter::once(lower).collect())
        }
        HirKind::Class(class) => match class_bytes(class) {
            Some(set) => Info::Exact(set),
            None => Info::Factor(None),
        },
        HirKind::Capture(cap) => info(&cap.sub),
        HirKind::Repetition(rep) => {
            if rep.min == 0 {
                return Info::Factor(None);
            }
            let sub = info(&rep.sub);
            match sub {
                Info::Exact(set) if Some(rep.min) == rep.max && rep.min <= 4 => {
                    let mut acc: Set = std::iter::once(Vec::new()).collect();
                    for _ in 0..rep.min {
                        match cross(&acc, &set) {
                            Some(next) => acc = next,
                            None => return Info::Factor(Some(set)),
                        }
                    }
                    Info::Exact(acc)
                }
                other => Info::Factor(as_factor(other)),
            }
        }
        HirKind::Concat(children) => {
            let mut all_exact = true;
            let mut current: Option<Set> = None;
            let mut best: Option<Set> = None;
            for child in children {
                match info(child) {
                    Info::Exact(set) => {
                        current = match current.take() {
                            None => Some(set),
                            Some(cur) => match cross(&cur, &set) {
                                Some(next) => Some(next),
                                None => {
                                    all_exact = false;
                                    best = better(best, Some(cur));
                                    Some(set)
                                }
                            },
                        };
                    }
                    Info::Factor(f) => {
                        all_exact = false;
                        if let Some(cur) = current.take() {
                            best = better(best, Some(cur));
                        }
                        best = better(best, f);
                    }
                }
            }
            if all_exact {
                Info::Exact(current.unwrap_or_default())
            } else {
                Info::Factor(better(best, current))
            }
        }
        HirKind::Alternation(children) => {
            let infos: Vec<Info> = children.iter().map(info).collect();
            if infos.iter().all(|i| matches!(i, Info::Exact(_))) {
                let union: Set = infos
                    .into_iter()
                    .flat_map(|i| as_factor(i).unwrap_or_default())
                    .collect();
                if union.len() <= MAX_SET * 4 {
                    return Info::Exact(union);
                }
                return Info::Factor(None);
            }
            let mut union = Set::new();
            for i in infos {
                match as_factor(i) {
                    Some(set) if !set.is_empty() => union.extend(set),
                    _ => return Info::Factor(None),
                }
            }
            Info::Factor(Some(union))
        }
    }
}

/// The factor set of a pattern, if it is good enough to prefilter on: every
/// string at least `min_len` bytes long and at most 256 strings.
pub fn required_literals(hir: &Hir, min_len: usize) -> Option<Vec<Vec<u8>>> {
    let set = as_factor(info(hir))?;
    // Two letters or digits ("ls", "id", "or") occur in almost any text: a
    // prefilter on them selects nearly every value, so such a set is no better
    // than checking the pattern directly. Two bytes with punctuation ("${",
    // "..", "<s") are selective enough.
    let weak = |s: &Vec<u8>| s.len() < 3 && s.iter().all(u8::is_ascii_alphanumeric);
    if set.is_empty()
        || set.len() > 256
        || set.iter().any(|s| s.len() < min_len)
        || set.iter().any(weak)
    {
        return None;
    }
    Some(set.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(pattern: &str) -> Option<Vec<String>> {
        let hir = crate::matcher::parse_hir(pattern, true).ok()?;
        required_literals(&hir, 2).map(|v| {
            v.into_iter()
                .map(|s| String::from_utf8_lossy(&s).into_owned())
                .collect()
        })
    }

    #[test]
    fn picks_the_longest_required_word() {
        assert_eq!(
            lits(r"\bunion\b\s+(all\s+)?select\b"),
            Some(vec!["select".into()])
        );
    }

    #[test]
    fn alternation_unions_branches() {
        assert_eq!(
            lits(r"<(script|svg)\b"),
            Some(vec!["<script".into(), "<svg".into()])
        );
    }

    #[test]
    fn optional_parts_require_nothing() {
        assert_eq!(lits(r"(?:abc)?\d+"), None);
    }

    #[test]
    fn leading_class_does_not_hide_the_word() {
        assert_eq!(lits(r"[^a-z]sleep\s*\("), Some(vec!["sleep".into()]));
    }
}
