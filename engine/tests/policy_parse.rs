//! Policy files parse the way TOML readers expect.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use palisade_engine::Policy;

#[test]
fn a_subtable_alone_defines_its_parent() {
    let policy = Policy::parse("p.toml", "[engine.limits]\nmax_args_count = 10\n").unwrap();
    assert_eq!(policy.engine.limits.max_args_count, 10);
    assert_eq!(policy.engine.anomaly_threshold, 5);
}

#[test]
fn engine_value_errors_point_at_the_engine_header() {
    let errs =
        Policy::parse("p.toml", "# policy\n\n[engine]\nanomaly_threshold = 0\n").unwrap_err();
    assert_eq!(errs[0].line, 3, "{errs:?}");
    assert!(errs[0].message.contains("anomaly_threshold"));
}

#[test]
fn an_empty_file_is_the_default_policy() {
    let policy = Policy::parse("p.toml", "").unwrap();
    assert_eq!(policy.engine.anomaly_threshold, 5);
}
