//! Telemetry as named events: every metric Palisade exports is recorded here,
//! through the `metrics` facade, and exported in Prometheus format on the admin
//! listener. Names follow `palisade_<name>_<unit>`; labels are small, bounded
//! sets (verdict, route, category, result).

use metrics::{Counter, Histogram, Label};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use palisade_engine::Verdict;
use std::cell::RefCell;
use std::sync::OnceLock;
use std::time::Duration;

/// Requests decided, by `verdict` (allow | block | detect) and `route`.
pub const REQUESTS: &str = "palisade_requests_total";
/// Findings, by `category`.
pub const FINDINGS: &str = "palisade_findings_total";
/// Time spent inspecting one request (engine only).
pub const INSPECTION_SECONDS: &str = "palisade_inspection_seconds";
/// Upstream response time as seen by the proxy.
pub const UPSTREAM_SECONDS: &str = "palisade_upstream_seconds";
/// Upstream failures, by `kind` (connect | timeout | other).
pub const UPSTREAM_ERRORS: &str = "palisade_upstream_errors_total";
/// Policy reloads, by `result` (ok | rejected).
pub const POLICY_RELOADS: &str = "palisade_policy_reloads_total";
/// Version of the policy currently serving (increments on each successful reload).
pub const POLICY_VERSION: &str = "palisade_policy_version";

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the Prometheus recorder once per process; later calls return the
/// same handle. `None` if another recorder was installed first.
pub fn install() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    metrics_exporter_prometheus::Matcher::Suffix("_seconds".to_string()),
                    &[
                        0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5,
                        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                    ],
                )
                .ok()?;
            builder.install_recorder().ok()
        })
        .clone()
}

/// Records a decided request.
pub fn record_verdict(verdict: &Verdict, route: Option<&str>, inspection: Duration) {
    let label = match (verdict.is_block(), verdict.reason.is_some()) {
        (true, _) => "block",
        (false, true) => "detect",
        (false, false) => "allow",
    };
    count(
        REQUESTS,
        &[("verdict", label), ("route", route.unwrap_or("default"))],
    );
    for f in &verdict.findings {
        count(FINDINGS, &[("category", f.category.name())]);
    }
    record_seconds(INSPECTION_SECONDS, inspection);
}

/// Most counters (name and labels) a thread keeps handles for; past it,
/// each record looks its counter up. Labels are small sets, but a policy
/// may name many routes.
const MAX_HOT_COUNTERS: usize = 64;

/// Handles of the metrics recorded on every request, kept per thread once
/// the recorder is installed. `metrics::counter!` with labels builds the
/// label list (allocating) and looks the key up in the recorder's registry
/// on every call, several times the cost of the increment itself.
#[derive(Default)]
struct HotHandles {
    counters: Vec<(&'static str, OwnedLabels, Counter)>,
    histograms: Vec<(&'static str, Histogram)>,
}

/// A counter's labels as kept in [`HotHandles`].
type OwnedLabels = Vec<(&'static str, Box<str>)>;

thread_local! {
    static HOT: RefCell<HotHandles> = RefCell::new(HotHandles::default());
}

/// Whether this module's recorder is the installed one (a handle taken
/// before that would be the no-op recorder's, and kept).
fn installed() -> bool {
    matches!(HANDLE.get(), Some(Some(_)))
}

fn same_labels(kept: &[(&'static str, Box<str>)], labels: &[(&'static str, &str)]) -> bool {
    kept.len() == labels.len()
        && kept
            .iter()
            .zip(labels)
            .all(|((k1, v1), (k2, v2))| k1 == k2 && **v1 == **v2)
}

fn owned_labels(labels: &[(&'static str, &str)]) -> Vec<Label> {
    labels
        .iter()
        .map(|&(key, value)| Label::new(key, value.to_string()))
        .collect()
}

/// Adds one to the counter `name` with `labels`.
pub fn count(name: &'static str, labels: &[(&'static str, &str)]) {
    let counted = installed()
        && HOT.with(|hot| {
            let Ok(mut hot) = hot.try_borrow_mut() else {
                return false;
            };
            if let Some((_, _, handle)) = hot
                .counters
                .iter()
                .find(|(n, kept, _)| *n == name && same_labels(kept, labels))
            {
                handle.increment(1);
                return true;
            }
            if hot.counters.len() >= MAX_HOT_COUNTERS {
                return false;
            }
            let handle = metrics::counter!(name, owned_labels(labels));
            handle.increment(1);
            let kept = labels.iter().map(|&(k, v)| (k, Box::from(v))).collect();
            hot.counters.push((name, kept, handle));
            true
        });
    if !counted {
        metrics::counter!(name, owned_labels(labels)).increment(1);
    }
}

/// Records `elapsed` in the histogram `name` (no labels).
pub fn record_seconds(name: &'static str, elapsed: Duration) {
    let seconds = elapsed.as_secs_f64();
    let recorded = installed()
        && HOT.with(|hot| {
            let Ok(mut hot) = hot.try_borrow_mut() else {
                return false;
            };
            if let Some((_, handle)) = hot.histograms.iter().find(|(n, _)| *n == name) {
                handle.record(seconds);
                return true;
            }
            let handle = metrics::histogram!(name);
            handle.record(seconds);
            hot.histograms.push((name, handle));
            true
        });
    if !recorded {
        metrics::histogram!(name).record(seconds);
    }
}

/// Records a policy reload attempt.
pub fn record_reload(ok: bool, version: u64) {
    metrics::counter!(POLICY_RELOADS, "result" => if ok { "ok" } else { "rejected" }).increment(1);
    if ok {
        metrics::gauge!(POLICY_VERSION).set(version as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of the sample line `name{labels} value` in `text`.
    fn sample(text: &str, line_start: &str) -> Option<f64> {
        text.lines()
            .find(|l| l.starts_with(line_start))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
    }

    #[test]
    fn kept_handles_count_like_fresh_ones() {
        let Some(handle) = install() else {
            panic!("another recorder is installed in the test process");
        };
        // More distinct counters than a thread keeps, on a fresh thread,
        // each counted several times: the first MAX_HOT_COUNTERS through
        // kept handles, the rest looked up each time.
        let worker = std::thread::spawn(|| {
            for round in 0..3 {
                for i in 0..MAX_HOT_COUNTERS + 8 {
                    let value = format!("v{i}");
                    count("palisade_test_kept_total", &[("n", &value), ("k", "x")]);
                }
                record_seconds("palisade_test_kept_seconds", Duration::from_millis(round));
            }
        });
        assert!(worker.join().is_ok());
        let text = handle.render();
        for i in [
            0,
            1,
            MAX_HOT_COUNTERS - 1,
            MAX_HOT_COUNTERS,
            MAX_HOT_COUNTERS + 7,
        ] {
            let line = format!("palisade_test_kept_total{{n=\"v{i}\",k=\"x\"}}");
            assert_eq!(sample(&text, &line), Some(3.0), "{line} in:\n{text}");
        }
        assert_eq!(
            sample(&text, "palisade_test_kept_seconds_count"),
            Some(3.0),
            "{text}"
        );
    }
}
