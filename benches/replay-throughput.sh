#!/usr/bin/env bash
# Replay throughput and memory: builds synthetic benign pcaps (the benign
# corpus over keep-alive TCP, benches/replay-synth-pcap.py), replays each
# with `palisade replay --format summary` under /usr/bin/time -v, and prints
# MB/s (wall and per CPU second) and the maximum resident set size.
#
#   benches/replay-throughput.sh            # 200 MB and 1000 MB
#   benches/replay-throughput.sh 50 500     # other sizes, in MB
#
# Two response profiles (PROFILES, default "tiny web"): `tiny` answers every
# request with a 2-byte body (API-like; the capture is almost all requests,
# the worst case for MB/s of pcap), `web` with bodies of a web-page mix
# (median 8 KB, mean about 32 KB). Requests are the same benign corpus.
#
# Files are kept in ${REPLAY_BENCH_DIR:-/tmp} and reused when present.
# Set PALISADE to a binary to skip the release build.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(200 1000)
dir=${REPLAY_BENCH_DIR:-/tmp}
[ -x /usr/bin/time ] || { echo "replay-throughput.sh: /usr/bin/time is required (apt-get install time)" >&2; exit 1; }

if [ -z "${PALISADE:-}" ]; then
    cargo build --release -p palisade-server >&2
    PALISADE=target/release/palisade
fi

read -r -a profiles <<< "${PROFILES:-tiny web}"
printf '%-6s %-8s %12s %10s %10s %12s %12s %12s\n' resp size bytes requests wall_s MB/s_wall MB/s_cpu max_rss_MB
for profile in "${profiles[@]}"; do
for mb in "${sizes[@]}"; do
    file="$dir/palisade-replay-bench-${profile}-${mb}MB.pcap"
    [ -s "$file" ] || RESPONSE_PROFILE="$profile" python3 benches/replay-synth-pcap.py "$file" "$mb" >&2
    bytes=$(stat -L -c %s "$file")
    log=$(mktemp)
    report=$(mktemp)
    /usr/bin/time -v "$PALISADE" replay --format summary "$file" >"$report" 2>"$log"
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$log")
    user=$(awk -F': ' '/User time/ {print $2}' "$log")
    sys=$(awk -F': ' '/System time/ {print $2}' "$log")
    rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    requests=$(awk '/^requests / {print $2}' "$report")
    awk -v prof="$profile" -v mb="${mb}MB" -v b="$bytes" -v r="$requests" -v w="$wall" -v u="$user" -v s="$sys" -v rss="$rss_kb" 'BEGIN {
        cpu = u + s; if (cpu <= 0) cpu = 0.001; if (w <= 0) w = 0.001;
        printf "%-6s %-8s %12d %10d %10.1f %12.1f %12.1f %12.1f\n", prof, mb, b, r, w, b/1e6/w, b/1e6/cpu, rss/1024 }'
    rm -f "$log" "$report"
done
done
