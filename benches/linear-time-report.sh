#!/usr/bin/env bash
# The linear-time table: every input of benches/linear_time.rs at 100 B, 10 KiB,
# 100 KiB and 1 MiB, through the full engine (full signature set, paranoia 4,
# detect mode): median CPU time per request, MB/s, the 1 MiB / 10 KiB throughput
# ratio and PASS/FAIL (ratio >= 0.8, no request over 10 ms CPU up to the body
# limit). Exit status 0 even when rows fail: it is a report, not a test.
#
#   benches/linear-time-report.sh
#   LINEAR_ONLY=json_objects LINEAR_BUDGET_MS=1000 benches/linear-time-report.sh
#   LINEAR_LIMITS=default benches/linear-time-report.sh   # keep every default limit
#
# Env: LINEAR_ONLY (substring of "input/carrier"), LINEAR_BUDGET_MS (CPU per case,
#      300), LINEAR_LIMITS (raised | default). Extra arguments go to cargo bench.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- engine 2>/dev/null || echo ' (engine/ has uncommitted changes)')"
LINEAR_TIME_REPORT=1 cargo bench -q -p palisade-benches --bench linear_time "$@"
