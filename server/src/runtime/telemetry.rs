//! Telemetry as named events: every metric Palisade exports is recorded here,
//! through the `metrics` facade, and exported in Prometheus format on the admin
//! listener. Names follow `palisade_<name>_<unit>`; labels are small, bounded
//! sets (verdict, route, category, result).

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use palisade_engine::Verdict;
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
    metrics::counter!(REQUESTS, "verdict" => label, "route" => route.unwrap_or("default").to_string())
        .increment(1);
    for f in &verdict.findings {
        metrics::counter!(FINDINGS, "category" => f.category.name()).increment(1);
    }
    metrics::histogram!(INSPECTION_SECONDS).record(inspection.as_secs_f64());
}

/// Records a policy reload attempt.
pub fn record_reload(ok: bool, version: u64) {
    metrics::counter!(POLICY_RELOADS, "result" => if ok { "ok" } else { "rejected" }).increment(1);
    if ok {
        metrics::gauge!(POLICY_VERSION).set(version as f64);
    }
}
