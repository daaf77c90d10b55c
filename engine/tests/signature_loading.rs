//! Signature files that are wrong fail to load, naming file, line and rule.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use palisade_engine::matcher::{CompileError, CompiledRules};
use palisade_engine::signature::{parse_file, parse_set, SignatureError};

const GOOD: &str = r#"
[[signature]]
id = 16900
name = "test"
category = "sqli"
severity = "critical"
owasp = "A03:2021"
targets = ["args"]
regex = 'union\s+select'
examples = ["union select"]
near_misses = ["union"]
"#;

fn with(extra_line: &str, replace: (&str, &str)) -> String {
    GOOD.replace(replace.0, replace.1)
        .replace("[[signature]]\n", &format!("[[signature]]\n{extra_line}"))
}

#[test]
fn good_file_loads() {
    let sigs = parse_file("good.toml", GOOD).expect("loads");
    assert_eq!(sigs.len(), 1);
    assert_eq!(sigs[0].origin.line, 2);
    CompiledRules::compile(&sigs).expect("compiles");
}

#[test]
fn unknown_key_is_rejected_with_line() {
    let text = with("colour = \"red\"\n", ("", ""));
    let errs = parse_file("bad.toml", &text).expect_err("must fail");
    let msg = errs[0].to_string();
    assert!(msg.starts_with("bad.toml:"), "{msg}");
    assert!(msg.contains("colour"), "{msg}");
}

#[test]
fn id_outside_category_range_is_rejected() {
    let text = GOOD.replace("16900", "17900");
    let errs = parse_file("bad.toml", &text).expect_err("must fail");
    assert!(
        matches!(&errs[0], SignatureError::Invalid { id: 17900, .. }),
        "{errs:?}"
    );
    assert!(errs[0].to_string().contains("bad.toml:2"), "{}", errs[0]);
}

#[test]
fn backreference_fails_to_compile_naming_rule_and_file() {
    let text = GOOD.replace(r"union\s+select", r"(a)\1");
    let sigs = parse_file("backref.toml", &text).expect("parses");
    let err = CompiledRules::compile(&sigs).err().expect("must fail");
    assert!(matches!(err, CompileError::Pattern { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("backref.toml:2") && msg.contains("16900"),
        "{msg}"
    );
}

#[test]
fn lookaround_fails_to_compile() {
    let text = GOOD.replace(r"union\s+select", r"union(?=\s+select)");
    let sigs = parse_file("look.toml", &text).expect("parses");
    let err = CompiledRules::compile(&sigs).err().expect("must fail");
    assert!(err.to_string().contains("16900"), "{err}");
}

#[test]
fn empty_matching_pattern_is_rejected() {
    let text = GOOD.replace(r"union\s+select", r"a*");
    let sigs = parse_file("empty.toml", &text).expect("parses");
    assert!(CompiledRules::compile(&sigs).is_err());
}

#[test]
fn duplicate_ids_across_files_are_rejected() {
    let errs = parse_set([("a.toml", GOOD), ("b.toml", GOOD)]).expect_err("must fail");
    assert!(
        matches!(&errs[0], SignatureError::Duplicate { id: 16900, .. }),
        "{errs:?}"
    );
}

#[test]
fn signature_without_examples_is_rejected() {
    let text = GOOD.replace("examples = [\"union select\"]\n", "");
    assert!(parse_file("noex.toml", &text).is_err());
}
