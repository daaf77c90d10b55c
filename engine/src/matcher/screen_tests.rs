//! Soundness of the quiet-value screen: with the default signatures, a
//! screened scan confirms exactly the rules a full scan confirms, on every
//! signature example and near miss, on those embedded in prose, and on
//! generated values rich in the bytes and words the rules look for.

use super::{CompiledRules, RuleIndex, Scratch};
use crate::rule::Paranoia;
use crate::target::{Target, TargetSource};
use crate::transform::summary::ByteSet;

fn hits(
    rules: &CompiledRules,
    source: TargetSource,
    name: &str,
    value: &[u8],
    paranoia: Paranoia,
    screened: bool,
) -> Vec<RuleIndex> {
    let mut scratch = Scratch::default();
    let mut found = Vec::new();
    rules.scan_screened(
        Target {
            source,
            name,
            value,
        },
        paranoia,
        &mut scratch,
        &|_| false,
        &mut |hit| found.push(hit.rule),
        screened,
    );
    found.sort();
    found.dedup();
    found
}

/// Values to compare the two scans on.
pub(crate) fn values(rules: &CompiledRules) -> Vec<Vec<u8>> {
    let signatures = crate::defaults::signatures().unwrap_or_default();
    let mut out: Vec<Vec<u8>> = Vec::new();
    for sig in &signatures {
        for v in sig.examples.iter().chain(&sig.near_misses) {
            out.push(v.clone());
            let mut embedded = b"Thanks, we saw ".to_vec();
            embedded.extend_from_slice(v);
            embedded.extend_from_slice(b" in the logs; see (page 2).");
            out.push(embedded);
            // Percent signs that open no escape, and ones that do.
            let mut percent = b"up 50% (".to_vec();
            percent.extend_from_slice(v);
            percent.extend_from_slice(b") 100%");
            out.push(percent);
            let mut escape = b"50%".to_vec();
            escape.extend_from_slice(v);
            out.push(escape);
            out.push(v.to_ascii_uppercase());
            // Separators around and inside: what the screen treats specially.
            out.push(
                v.iter()
                    .map(|&b| if b == b' ' { b',' } else { b })
                    .collect(),
            );
            out.push(
                v.iter()
                    .map(|&b| if b == b' ' { b'\t' } else { b })
                    .collect(),
            );
            out.push(
                v.iter()
                    .flat_map(|&b| if b == b' ' { vec![b' ', b' '] } else { vec![b] })
                    .collect(),
            );
        }
    }
    // Words the rules look for, glued by quiet punctuation.
    let words: Vec<Vec<u8>> = signatures
        .iter()
        .flat_map(|s| s.examples.iter())
        .flat_map(|e| e.split(|b| !b.is_ascii_alphanumeric()).map(<[u8]>::to_vec))
        .filter(|w| w.len() >= 2)
        .collect();
    let glue: &[&[u8]] = &[
        b" ", b", ", b"; ", b" (", b") ", b":", b"=", b".", b"-", b"  ", b"\t", b"|", b"@", b"?",
        b"!", b"[", b"]", b"{", b"}", b"<", b">", b"*", b"+", b"~", b"% ", b"%", b"%u",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| -> usize {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n.max(1) as u64) as usize
    };
    for _ in 0..3000 {
        let mut v = Vec::new();
        for _ in 0..1 + next(5) {
            if let Some(w) = words.get(next(words.len())) {
                v.extend_from_slice(w);
            }
            if let Some(g) = glue.get(next(glue.len())) {
                v.extend_from_slice(g);
            }
        }
        out.push(v);
    }
    let _ = rules;
    out
}

#[test]
fn screened_scans_confirm_what_full_scans_confirm() {
    let rules = crate::defaults::compiled_rules().expect("default rules");
    let values = values(&rules);
    assert!(values.len() > 8_000, "{} values", values.len());
    let sources = [
        TargetSource::QueryArg,
        TargetSource::QueryArgName,
        TargetSource::CookieName,
        TargetSource::Header,
        TargetSource::Path,
        TargetSource::MultipartFileName,
        TargetSource::RawBody,
    ];
    let mut compared = 0usize;
    let mut quiet = 0usize;
    let mut matched = 0usize;
    // Levels 1, 2 and 4: where the default and the higher sets differ.
    for level in [1u8, 2, 4] {
        let Some(paranoia) = Paranoia::new(level) else {
            continue;
        };
        for &source in &sources {
            let index = rules.by_class.get(source.class().index());
            let screen = index.and_then(|i| i.screen.as_ref());
            // Every value at the default level, a third of them above it.
            let step = if level == 1 { 1 } else { 3 };
            for value in values.iter().step_by(step) {
                let name = if source == TargetSource::Header {
                    "user-agent"
                } else {
                    "q"
                };
                let full = hits(&rules, source, name, value, paranoia, false);
                let screened = hits(&rules, source, name, value, paranoia, true);
                assert_eq!(
                    full,
                    screened,
                    "{source:?} at PL{level}: {:?}",
                    String::from_utf8_lossy(value)
                );
                compared += 1;
                matched += usize::from(!full.is_empty());
                let mut candidates = Vec::new();
                if screen.is_some_and(|s| {
                    s.screen(
                        &rules.screen_pieces,
                        value,
                        &crate::transform::summary::Summary::of(value),
                        paranoia,
                        &mut candidates,
                    )
                }) {
                    quiet += 1;
                }
            }
        }
    }
    // The comparison must have exercised both the screen and real matches.
    assert!(quiet > compared / 4, "{quiet} of {compared} quiet");
    assert!(matched > compared / 20, "{matched} of {compared} matched");
}

#[test]
fn quiet_values_keep_their_pieces_through_every_chain() {
    // What the screen relies on: on a quiet value every chain of the class
    // changes only letter case and separator runs.
    let rules = crate::defaults::compiled_rules().expect("default rules");
    let norm = |v: &[u8]| -> Vec<Vec<u8>> {
        v.split(|&b| super::screen::SEPARATORS.contains(b))
            .filter(|p| !p.is_empty())
            .map(<[u8]>::to_ascii_lowercase)
            .collect()
    };
    let alphabet: &[u8] = b"aZ09 .,;(-_:@!?=<>[]{}|*+~\t\n\r\x0b\x0c\xa0\xc3\xa9IFS%u";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut checked = 0usize;
    for index in &rules.by_class {
        let Some(screen) = &index.screen else {
            continue;
        };
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 14) as usize;
            let mut s = state;
            let value: Vec<u8> = (0..len)
                .map(|_| {
                    s = s
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    alphabet[(s >> 33) as usize % alphabet.len()]
                })
                .collect();
            if !screen.is_quiet_value(&value) {
                continue;
            }
            for group in &index.groups {
                let out = group.chain.apply(&value);
                assert_eq!(
                    norm(&out),
                    norm(&value),
                    "chain {} changed quiet {:?} to {:?}",
                    group.chain,
                    String::from_utf8_lossy(&value),
                    String::from_utf8_lossy(&out)
                );
                let quick = super::screen::quiet_output(&group.chain, &value);
                assert_eq!(quick.as_ref(), out.as_ref(), "chain {}", group.chain);
                let bytes = ByteSet::collect(&out);
                assert!(bytes.is_subset(&screen.quiet_bytes().union(ByteSet::of(b" "))));
                checked += 1;
            }
        }
    }
    assert!(checked > 10_000, "{checked} chain outputs checked");
}
