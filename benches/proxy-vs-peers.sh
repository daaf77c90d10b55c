#!/usr/bin/env bash
# Palisade's proxy side by side with nginx (plain proxy) and nginx + ModSecurity
# v3 + OWASP CRS, in front of the same upstream, driven by wrk.
#
#   benches/proxy-vs-peers.sh                 # 10 s per run, workers 1 then 2
#   DURATION=30 CONNECTIONS=128 benches/proxy-vs-peers.sh
#
# Needs: nginx, libnginx-mod-http-modsecurity, modsecurity-crs, wrk (Debian
# packages; the peer script installs the nginx ones), curl, and a release build
# of palisade (built here if missing). Loopback only; every run is bounded by
# DURATION. Not run in CI.
#
# Shapes: a small benign GET, a GET with 10 query arguments, and a POST with a
# 4 KiB urlencoded form body. Each system gets the same worker count (nginx
# worker_processes vs tokio worker threads), the same wrk duration,
# connections and threads. Prints req/s and p99 per system and the ratios;
# then Palisade's RSS after start and under 1,000 keep-alive connections.
#
# Env: DURATION (s, 10), CONNECTIONS (64), WRK_THREADS (1), WORKERS_LIST ("1 2"),
#      RSS_CONNECTIONS (1000), PALISADE_BIN, PEER_SCRIPT, PARANOIA (1).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
peer=${PEER_SCRIPT:-$root/../shared/peers/modsecurity-nginx.sh}
bin=${PALISADE_BIN:-$root/target/release/palisade}
duration=${DURATION:-10}
connections=${CONNECTIONS:-64}
threads=${WRK_THREADS:-1}
workers_list=${WORKERS_LIST:-1 2}
rss_connections=${RSS_CONNECTIONS:-1000}
paranoia=${PARANOIA:-1}
export APP_PORT=${APP_PORT:-18081} WAF_PORT=${WAF_PORT:-18080} PLAIN_PORT=${PLAIN_PORT:-18082}
pal_port=${PAL_PORT:-18083}

for tool in wrk curl nginx; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y nginx libnginx-mod-http-modsecurity modsecurity-crs wrk curl)" >&2; exit 1; }
done
[[ -f $peer ]] || { echo "peer script not found: $peer (set PEER_SCRIPT)" >&2; exit 1; }
if [[ ! -x $bin ]]; then
  (cd "$root" && cargo build --release -p palisade-server)
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d /tmp/palisade-bench.XXXXXX)
pal_pid=
cleanup() {
  [[ -n $pal_pid ]] && kill "$pal_pid" 2>/dev/null && wait "$pal_pid" 2>/dev/null
  bash "$peer" stop "$work/peer" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# The request shapes.
ua='Mozilla/5.0 (X11; Linux x86_64) bench'
args_path='/search?q=garden+tools&page=2&sort=price&order=asc&lang=en&cat=outdoor&min=10&max=200&brand=acme&ref=home'
form=$(python3 -c 'import sys
words=["alpha","bravo","charlie","delta","echo","foxtrot","golf","hotel"]
out=[];i=0
while len("&".join(out))<4096:
    out.append(f"field{i}="+"+".join(words[j%8] for j in range(i,i+6))); i+=1
s="&".join(out); print(s[:4096].rstrip("&+"), end="")')
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = "$form"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA

start_palisade() {
  local workers=$1
  cat > "$work/palisade.toml" <<TOML
[proxy]
listen = "127.0.0.1:$pal_port"
upstreams = ["http://127.0.0.1:$APP_PORT"]
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

# Latency text (e.g. 1.23ms, 850.00us, 1.01s) to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'
}

# run_wrk SHAPE PORT -> "rps p99_ms non2xx"
run_wrk() {
  local shape=$1 port=$2 out
  local base=(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -H "User-Agent: $ua" -H "Accept: text/html")
  case $shape in
    get) out=$("${base[@]}" "http://127.0.0.1:$port/") ;;
    args) out=$("${base[@]}" "http://127.0.0.1:$port$args_path") ;;
    post) out=$("${base[@]}" -s "$work/post.lua" "http://127.0.0.1:$port/submit") ;;
  esac
  local rps p99 bad
  rps=$(awk '/Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  echo "$rps $(to_ms "${p99:-0}") ${bad:-0}"
}

check_status() {
  local shape=$1 port=$2 code
  case $shape in
    get) code=$(curl -s -o /dev/null -w '%{http_code}' -A "$ua" "http://127.0.0.1:$port/") ;;
    args) code=$(curl -s -o /dev/null -w '%{http_code}' -A "$ua" "http://127.0.0.1:$port$args_path") ;;
    post) code=$(curl -s -o /dev/null -w '%{http_code}' -A "$ua" -H 'Content-Type: application/x-www-form-urlencoded' --data "$form" "http://127.0.0.1:$port/submit") ;;
  esac
  [[ $code == 200 ]] || echo "warning: $shape on port $port answered $code (not 200)" >&2
}

echo "# proxy-vs-peers: wrk -t$threads -c$connections -d${duration}s, paranoia $paranoia, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
if awk '{exit !($1 > 0.5)}' /proc/loadavg; then
  echo "warning: the machine is busy (load $(cut -d' ' -f1 /proc/loadavg)); figures will be noisy" >&2
fi
for workers in $workers_list; do
  WORKERS=$workers bash "$peer" start "$work/peer" "$paranoia" >/dev/null
  start_palisade "$workers"
  echo
  echo "## workers = $workers"
  printf '| shape | nginx req/s | nginx p99 ms | nginx+ModSecurity req/s | p99 ms | Palisade req/s | p99 ms | Palisade/nginx | Palisade/ModSecurity |\n'
  printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
  for shape in get args post; do
    declare -A rps=() p99=()
    for system in plain waf palisade; do
      case $system in plain) port=$PLAIN_PORT ;; waf) port=$WAF_PORT ;; palisade) port=$pal_port ;; esac
      check_status "$shape" "$port"
      read -r r p b < <(run_wrk "$shape" "$port")
      [[ $b != 0 ]] && echo "warning: $system/$shape had $b non-2xx responses" >&2
      rps[$system]=$r p99[$system]=$p
    done
    ratio_plain=$(awk -v a="${rps[palisade]}" -v b="${rps[plain]}" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }')
    ratio_waf=$(awk -v a="${rps[palisade]}" -v b="${rps[waf]}" 'BEGIN { printf "%.1fx", (b > 0 ? a / b : 0) }')
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$shape" \
      "${rps[plain]}" "${p99[plain]}" "${rps[waf]}" "${p99[waf]}" "${rps[palisade]}" "${p99[palisade]}" "$ratio_plain" "$ratio_waf"
    unset rps p99
  done
  stop_palisade
  bash "$peer" stop "$work/peer" >/dev/null
  sleep 0.5
done

# Memory: RSS after start (full embedded signature set) and under many
# concurrent keep-alive connections.
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
WORKERS=2 bash "$peer" start "$work/peer" "$paranoia" >/dev/null
start_palisade 2
echo
echo "## memory"
echo "RSS after start: $(( $(rss_kib "$pal_pid") / 1024 )) MiB"
wrk -t2 -c"$rss_connections" -d"${duration}s" -H "User-Agent: $ua" "http://127.0.0.1:$pal_port/" >"$work/wrk-rss.out" 2>&1 &
wrk_pid=$!
peak=0
while kill -0 "$wrk_pid" 2>/dev/null; do
  now=$(rss_kib "$pal_pid"); (( now > peak )) && peak=$now
  sleep 0.5
done
wait "$wrk_pid" || true
echo "RSS under $rss_connections keep-alive connections: peak $(( peak / 1024 )) MiB (VmHWM $(( $(hwm_kib "$pal_pid") / 1024 )) MiB), $(awk '/Requests\/sec:/ {print $2}' "$work/wrk-rss.out") req/s"
