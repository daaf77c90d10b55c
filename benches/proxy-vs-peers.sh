#!/usr/bin/env bash
# Palisade's proxy side by side with nginx (plain proxy), nginx + ModSecurity v3 +
# OWASP CRS at paranoia 1 and at paranoia 2, in front of the same kind of upstream,
# driven by wrk; then the latency Palisade adds at half its peak load, driven at a
# fixed rate by http-load (benches/authz-load).
#
#   benches/proxy-vs-peers.sh                  # 10 s per run, one worker each
#   DURATION=5 WORKERS_LIST="1 2" benches/proxy-vs-peers.sh
#
# Needs: nginx, libnginx-mod-http-modsecurity, modsecurity-crs, wrk (Debian
# packages; the peer script installs the nginx ones), curl, python3, and release
# builds of palisade and http-load (built here unless given). Loopback only; every
# run is bounded by DURATION. Not run in CI.
#
# Workloads (all with the same wrk threads, connections and duration):
#   get     small benign GET
#   args    GET with 10 query arguments
#   post    POST, 4 KiB urlencoded form
#   json64  POST, 64 KiB JSON document (about 600 values, under the 1000/1024
#           argument limits of both WAFs, so both inspect all of it)
#   mix     attack mix: 1 request in 10 a SQL injection, 9 benign GETs
# Systems: nginx (plain proxy), nginx + ModSecurity + CRS at PL1 and at PL2 (two
# instances of the peer script, each with its own upstream server), Palisade
# (default policy, full embedded signature set). Same worker count for all: nginx
# worker_processes = Palisade's worker_threads (connection threads) = WORKERS.
#
# Prints, per workers value: req/s, p50/p99/p99.9 and non-2xx per system and
# workload, then the ratios Palisade/nginx and Palisade/ModSecurity. Then the
# added latency: Palisade's peak req/s (from the table, workers = first of
# WORKERS_LIST) for the two workloads of at most 8 KiB that Palisade passes
# (get, post), a fixed-rate run at half that rate against Palisade -> upstream and
# against the upstream directly (LATENCY_ROUNDS alternating rounds, medians),
# and the p99 difference. Then Palisade's RSS after start and under
# RSS_CONNECTIONS keep-alive connections.
#
# Env: DURATION (s, 10), CONNECTIONS (64), WRK_THREADS (1), WORKERS_LIST ("1"),
#      WORKLOADS ("get args post json64 mix"), LATENCY_DURATION (s, DURATION),
#      LATENCY_CONNECTIONS (8), LATENCY_ROUNDS (3), RSS_CONNECTIONS (1000, 0 skips), PALISADE_BIN,
#      HTTP_LOAD_BIN, PEER_SCRIPT, ports APP_PORT/WAF_PORT/PLAIN_PORT (PL1 peer),
#      PL2_APP_PORT/PL2_WAF_PORT/PL2_PLAIN_PORT, PAL_PORT.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
peer=${PEER_SCRIPT:-$root/../shared/peers/modsecurity-nginx.sh}
bin=${PALISADE_BIN:-$root/target/release/palisade}
load_bin=${HTTP_LOAD_BIN:-$root/target/release/http-load}
duration=${DURATION:-10}
connections=${CONNECTIONS:-64}
threads=${WRK_THREADS:-1}
workers_list=${WORKERS_LIST:-1}
workloads=${WORKLOADS:-get args post json64 mix}
latency_duration=${LATENCY_DURATION:-$duration}
latency_connections=${LATENCY_CONNECTIONS:-8}
latency_rounds=${LATENCY_ROUNDS:-3}
rss_connections=${RSS_CONNECTIONS:-1000}
app_port=${APP_PORT:-18081} waf_port=${WAF_PORT:-18080} plain_port=${PLAIN_PORT:-18082}
pl2_app_port=${PL2_APP_PORT:-18181} pl2_waf_port=${PL2_WAF_PORT:-18180} pl2_plain_port=${PL2_PLAIN_PORT:-18182}
pal_port=${PAL_PORT:-18083}

for tool in wrk curl nginx python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y nginx libnginx-mod-http-modsecurity modsecurity-crs wrk curl python3)" >&2; exit 1; }
done
[[ -f $peer ]] || { echo "peer script not found: $peer (set PEER_SCRIPT)" >&2; exit 1; }
# Built every time unless PALISADE_BIN names one (cargo does nothing when it
# is current): a binary left from an earlier commit would be measured instead.
if [[ -z ${PALISADE_BIN:-} ]]; then
  (cd "$root" && cargo build --release -p palisade-server)
fi
if [[ -z ${HTTP_LOAD_BIN:-} ]]; then
  (cd "$root" && cargo build --release -p palisade-authz-load --bin http-load)
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d /tmp/palisade-bench.XXXXXX)
# nginx workers (www-data) spool request bodies over 16 KiB to $work/peer-*/body.
chmod 755 "$work"
pal_pid=
start_peers() {
  APP_PORT=$app_port WAF_PORT=$waf_port PLAIN_PORT=$plain_port WORKERS=$1 \
    bash "$peer" start "$work/peer-pl1" 1 >/dev/null
  APP_PORT=$pl2_app_port WAF_PORT=$pl2_waf_port PLAIN_PORT=$pl2_plain_port WORKERS=$1 \
    bash "$peer" start "$work/peer-pl2" 2 >/dev/null
}
stop_peers() {
  bash "$peer" stop "$work/peer-pl1" >/dev/null 2>&1 || true
  bash "$peer" stop "$work/peer-pl2" >/dev/null 2>&1 || true
}
cleanup() {
  [[ -n $pal_pid ]] && kill "$pal_pid" 2>/dev/null && wait "$pal_pid" 2>/dev/null
  stop_peers
  rm -rf "$work"
}
trap cleanup EXIT

# The request shapes.
ua='Mozilla/5.0 (X11; Linux x86_64) bench'
args_path='/search?q=garden+tools&page=2&sort=price&order=asc&lang=en&cat=outdoor&min=10&max=200&brand=acme&ref=home'
attack_path='/search?q=1%27%20UNION%20SELECT%20username%2C%20password%20FROM%20users--%20&page=2'
python3 - "$work" <<'PY'
import json, random, sys
work = sys.argv[1]
words = ["garden", "kettle", "blue", "jacket", "river", "window", "coffee", "spring"]
out, i = [], 0
while len("&".join(out)) < 4096:
    out.append(f"field{i}=" + "+".join(words[j % 8] for j in range(i, i + 6)))
    i += 1
open(f"{work}/form.txt", "w").write("&".join(out)[:4096].rstrip("&+"))
# A 64 KiB JSON document: customer reviews with prose, 8 values each (about 600
# in all: ModSecurity's SecArgumentsLimit rule 200007 refuses 1000 or more).
rng = random.Random(20261127)
prose = [
    "The delivery arrived two days early and the box was in perfect condition.",
    "I have been using this kettle every morning for three months and it still looks new.",
    "Could you please update the shipping address on my last order to the one below?",
    "Battery life is excellent, about eleven hours of video playback at half brightness.",
    "The sizing runs a little small so I would recommend ordering one size up.",
    "Our team meets on Thursdays to review the quarterly roadmap and the budget.",
    "Thanks for the quick reply, the replacement part fixed the rattling noise.",
    "The cafe on the corner serves a wonderful dessert at weekends.",
    "Please note that orders placed in the afternoon are dispatched the next working day.",
    "The instructions were clear, although step seven could use a better diagram.",
    "This jacket kept me dry during a full day of hiking in steady rain.",
    "Setup took about twenty minutes, including the firmware download.",
]
first = ["Amelia", "Oliver", "Sofia", "Liam", "Chloe", "Mateo", "Hannah", "Noah"]
last = ["Johnson", "Garcia", "Nguyen", "Muller", "Okafor", "Rossi", "Tanaka", "Smith"]
cities = ["Manchester", "Lyon", "Porto", "Krakow", "Dublin", "Rotterdam"]
reviews, n = [], 0
while True:
    f, l = rng.choice(first), rng.choice(last)
    reviews.append({
        "id": 100000 + n,
        "author": f"{f} {l}",
        "email": f"{f.lower()}.{l.lower()}@example.org",
        "city": rng.choice(cities),
        "rating": rng.randint(1, 5),
        "title": rng.choice(["Great value", "Does the job", "Would buy again", "Not as pictured"]),
        "body": " ".join(rng.choice(prose) for _ in range(9)),
        "verified": rng.random() < 0.7,
    })
    n += 1
    doc = json.dumps({"reviews": reviews}, separators=(",", ":"))
    if len(doc) >= 64 * 1024:
        break
open(f"{work}/review.json", "w").write(doc)
PY
# One `done` for every script: exact percentiles (wrk --latency stops at p99).
done_lua='done = function(summary, latency, requests)
  io.write(string.format("PCT %d %d %d\n", latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
end'
printf '%s\n' "$done_lua" > "$work/get.lua"
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = io.open("$work/form.txt"):read("*a")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
$done_lua
LUA
cat > "$work/json64.lua" <<LUA
wrk.method = "POST"
wrk.body = io.open("$work/review.json"):read("*a")
wrk.headers["Content-Type"] = "application/json"
$done_lua
LUA
cat > "$work/mix.lua" <<LUA
local requests, n = {}, 0
init = function(args)
  for i = 1, 9 do requests[i] = wrk.format("GET", "/search?q=garden+tools&page=" .. i) end
  requests[10] = wrk.format("GET", "$attack_path")
end
request = function()
  n = n + 1
  return requests[(n - 1) % 10 + 1]
end
$done_lua
LUA

start_palisade() {
  local workers=$1
  cat > "$work/palisade.toml" <<TOML
[proxy]
listen = "127.0.0.1:$pal_port"
upstreams = ["http://127.0.0.1:$app_port"]
worker_threads = $workers
[proxy.audit]
path = "$work/audit.log"
TOML
  "$bin" proxy --config "$work/palisade.toml" >"$work/palisade.out" 2>&1 &
  pal_pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$pal_port/" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "palisade did not start:" >&2; cat "$work/palisade.out" >&2; exit 1
}

stop_palisade() {
  kill "$pal_pid" 2>/dev/null || true
  wait "$pal_pid" 2>/dev/null || true
  pal_pid=
}

# run_wrk WORKLOAD PORT -> "rps p50_ms p99_ms p999_ms non2xx requests errors"
run_wrk() {
  local shape=$1 port=$2 out url script
  url="http://127.0.0.1:$port/"
  script=$work/get.lua
  case $shape in
    args) url="http://127.0.0.1:$port$args_path" ;;
    post) url="http://127.0.0.1:$port/submit"; script=$work/post.lua ;;
    json64) url="http://127.0.0.1:$port/api/reviews"; script=$work/json64.lua ;;
    mix) script=$work/mix.lua ;;
  esac
  out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 10s \
    -H "User-Agent: $ua" -H "Accept: text/html" -s "$script" "$url")
  awk '
    /Requests\/sec:/ { rps = $2 }
    / requests in / { total = $1 }
    /Non-2xx or 3xx responses:/ { bad = $5 }
    /Socket errors:/ { gsub(",", ""); errs = $4 + $6 + $8 + $10 }
    $1 == "PCT" { p50 = $2 / 1000; p99 = $3 / 1000; p999 = $4 / 1000 }
    END { printf "%s %.2f %.2f %.2f %d %d %d\n", rps, p50, p99, p999, bad, total, errs }' <<<"$out"
}

check_status() {
  local shape=$1 port=$2 system=$3 code
  case $shape in
    get|mix) code=$(curl -s -o /dev/null -w '%{http_code}' -A "$ua" "http://127.0.0.1:$port/") ;;
    args) code=$(curl -s -o /dev/null -w '%{http_code}' -A "$ua" "http://127.0.0.1:$port$args_path") ;;
    post) code=$(curl -s -o /dev/null -w '%{http_code}' -A "$ua" -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "@$work/form.txt" "http://127.0.0.1:$port/submit") ;;
    json64) code=$(curl -s -o /dev/null -w '%{http_code}' -A "$ua" -H 'Content-Type: application/json' --data-binary "@$work/review.json" "http://127.0.0.1:$port/api/reviews") ;;
  esac
  [[ $code == 200 ]] || echo "note: $system answers the benign $shape request with $code" >&2
  if [[ $shape == mix ]]; then
    code=$(curl -s -o /dev/null -w '%{http_code}' -A "$ua" "http://127.0.0.1:$port$attack_path")
    [[ $system == nginx || $code == 403 ]] || echo "warning: $system lets the mix's attack through ($code)" >&2
  fi
}

port_of() {
  case $1 in nginx) echo "$plain_port" ;; modsec-pl1) echo "$waf_port" ;; modsec-pl2) echo "$pl2_waf_port" ;; palisade) echo "$pal_port" ;; esac
}

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "# proxy-vs-peers: wrk -t$threads -c$connections -d${duration}s, $(nproc) cores, load average $(load), $(date -u +%FT%TZ)"
echo "# palisade: $("$bin" --version 2>/dev/null || echo "$bin")"
if awk '{exit !($1 > 0.5)}' /proc/loadavg; then
  echo "warning: the machine is busy (load $(cut -d' ' -f1 /proc/loadavg)); figures will be noisy" >&2
fi
systems=(nginx modsec-pl1 modsec-pl2 palisade)
declare -A peak=()
first_workers=${workers_list%% *}
for workers in $workers_list; do
  start_peers "$workers"
  start_palisade "$workers"
  declare -A rps=()
  echo
  echo "## workers = $workers"
  echo
  echo "| workload | system | req/s | p50 ms | p99 ms | p99.9 ms | non-2xx | errors |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  for shape in $workloads; do
    for system in "${systems[@]}"; do
      port=$(port_of "$system")
      check_status "$shape" "$port" "$system"
      read -r r p50 p99 p999 bad total errs < <(run_wrk "$shape" "$port")
      rps[$shape.$system]=$r
      printf '| %s | %s | %s | %s | %s | %s | %s of %s | %s |\n' "$shape" "$system" "$r" "$p50" "$p99" "$p999" "$bad" "$total" "$errs"
      [[ $system == palisade && $workers == "$first_workers" ]] && peak[$shape]=$r
    done
  done
  echo
  echo "| workload | Palisade/nginx | Palisade/ModSecurity PL1 | Palisade/ModSecurity PL2 |"
  echo "| --- | ---: | ---: | ---: |"
  for shape in $workloads; do
    awk -v s="$shape" -v p="${rps[$shape.palisade]}" -v n="${rps[$shape.nginx]}" \
        -v m1="${rps[$shape.modsec-pl1]}" -v m2="${rps[$shape.modsec-pl2]}" \
      'function r(a, b, f) { return b > 0 ? sprintf(f, a / b) : "-" }
       BEGIN { printf "| %s | %s | %s | %s |\n", s, r(p, n, "%.2fx"), r(p, m1, "%.1fx"), r(p, m2, "%.1fx") }'
  done
  unset rps
  stop_palisade
  stop_peers
  sleep 0.5
done

# Added latency at half of Palisade's peak load, requests <= 8 KiB.
echo
echo "## added latency at half of Palisade's peak (workers = $first_workers, http-load fixed rate, $latency_connections connections, median of $latency_rounds rounds of ${latency_duration}s, load average $(load))"
echo
echo "| workload | Palisade peak req/s | rate | upstream direct p50 / p99 / p99.9 ms | via Palisade p50 / p99 / p99.9 ms | added p99 ms |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
start_peers "$first_workers"
start_palisade "$first_workers"
for shape in get post; do
  [[ -n ${peak[$shape]:-} ]] || continue
  rate=$(awk -v p="${peak[$shape]}" 'BEGIN { printf "%d", p / 2 }')
  extra=()
  path=/
  if [[ $shape == post ]]; then
    extra=(--method POST --body-file "$work/form.txt" --header 'Content-Type: application/x-www-form-urlencoded')
    path=/submit
  fi
  # Rounds alternate direct and via Palisade; each figure is the median over rounds.
  declare -A res=()
  for round in $(seq "$latency_rounds"); do
    for target in direct palisade; do
      port=$app_port; [[ $target == palisade ]] && port=$pal_port
      res[$target]+="$("$load_bin" --target "127.0.0.1:$port" --path "$path" --rate "$rate" \
        --connections "$latency_connections" --duration-seconds "$latency_duration" \
        --header "User-Agent: $ua" "${extra[@]}" | awk '/^RESULT/')"$'\n'
    done
  done
  # median TARGET KEY: the median over rounds of KEY in TARGET's RESULT lines.
  median() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<"${res[$1]}" | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
  printf '| %s | %s | %s | %s / %s / %s | %s / %s / %s | %s |\n' "$shape" "${peak[$shape]}" "$rate" \
    "$(median direct p50_ms)" "$(median direct p99_ms)" "$(median direct p999_ms)" \
    "$(median palisade p50_ms)" "$(median palisade p99_ms)" "$(median palisade p999_ms)" \
    "$(awk -v a="$(median palisade p99_ms)" -v b="$(median direct p99_ms)" 'BEGIN { printf "%.3f", a - b }')"
  unset res
done
stop_palisade

# Memory: RSS after start (full embedded signature set) and under many
# concurrent keep-alive connections.
if (( rss_connections > 0 )); then
  rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
  hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
  start_palisade 2
  echo
  echo "## memory"
  echo
  echo "RSS after start: $(( $(rss_kib "$pal_pid") / 1024 )) MiB"
  wrk -t2 -c"$rss_connections" -d"${duration}s" -H "User-Agent: $ua" "http://127.0.0.1:$pal_port/" >"$work/wrk-rss.out" 2>&1 &
  wrk_pid=$!
  peak_rss=0
  while kill -0 "$wrk_pid" 2>/dev/null; do
    now=$(rss_kib "$pal_pid"); (( now > peak_rss )) && peak_rss=$now
    sleep 0.5
  done
  wait "$wrk_pid" || true
  echo "RSS under $rss_connections keep-alive connections: peak $(( peak_rss / 1024 )) MiB (VmHWM $(( $(hwm_kib "$pal_pid") / 1024 )) MiB), $(awk '/Requests\/sec:/ {print $2}' "$work/wrk-rss.out") req/s"
fi
