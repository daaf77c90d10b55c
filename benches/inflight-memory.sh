#!/usr/bin/env bash
# Memory per request in flight in the Palisade proxy, against the policy's
# inspection cap (`engine.limits.max_inspected_body_bytes`). Issue 9's target:
# <= 1.5x the cap per request.
#
#   benches/inflight-memory.sh
#   LOW=16 HIGH=64 CAPS="262144 1048576" benches/inflight-memory.sh
#
# For each cap and body kind (a benign JSON document and a benign urlencoded
# form, both larger than the cap), connections each send a POST head and the
# first cap - 1 KiB bytes of the body, then stop: in the default `buffer`
# mode the proxy is holding and has inspected nearly a full cap of every
# such request (the most any request in flight holds) and waits for the
# rest. The proxy's resident memory (VmRSS, /proc/PID/status) is sampled,
# once it has read everything sent, with LOW such requests in flight and
# again with HIGH; per request = the difference / (HIGH - LOW). The slope,
# not RSS / requests: the allocator keeps pages from start-up (the signature
# compile) resident and hands them out again, which a single reading would
# count as free. The upstream is never reached (the bodies are unfinished);
# nothing leaves 127.0.0.1.
#
# Env: LOW (16), HIGH (64), CAPS ("262144 1048576"), PALISADE_BIN
#      (default: target/release/palisade, built first), PAL_PORT (18095).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${PALISADE_BIN:-$root/target/release/palisade}
low=${LOW:-16}
high=${HIGH:-64}
caps=${CAPS:-262144 1048576}
port=${PAL_PORT:-18095}
command -v python3 >/dev/null || { echo "missing python3" >&2; exit 1; }
# Built every time unless PALISADE_BIN names one (cargo does nothing when it
# is current): a binary left from an earlier commit would be measured instead.
if [[ -z ${PALISADE_BIN:-} ]]; then
  (cd "$root" && cargo build --release -p palisade-server)
fi
work=$(mktemp -d /tmp/palisade-inflight.XXXXXX)
pal_pid=
cleanup() {
  [[ -n $pal_pid ]] && kill "$pal_pid" 2>/dev/null && wait "$pal_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "# in-flight memory: $bin, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| cap | body | RSS idle | RSS with $low in flight | RSS with $high in flight | per request | per request / cap |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: |"
for cap in $caps; do
  cat > "$work/policy.toml" <<TOML
[engine]
mode = "block"
[engine.limits]
max_inspected_body_bytes = $cap
max_args_count = 100000
TOML
  cat > "$work/palisade.toml" <<TOML
[proxy]
listen = "127.0.0.1:$port"
upstreams = ["http://127.0.0.1:9"]
worker_threads = 1
policy = "$work/policy.toml"
[proxy.audit]
path = "$work/audit.log"
TOML
  for kind in json form; do
      "$bin" proxy --config "$work/palisade.toml" >"$work/palisade.out" 2>&1 &
      pal_pid=$!
      python3 - "$pal_pid" "$port" "$cap" "$low" "$high" "$kind" <<'PY'
import random, socket, sys, time

pid, port, cap, low, high, kind = (int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]),
                                   int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])

def rss_kib():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0

deadline = time.time() + 10
while True:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        break
    except OSError:
        if time.time() > deadline:
            sys.exit("palisade did not start")
        time.sleep(0.05)

rng = random.Random(9)
words = ["garden", "kettle", "blue", "jacket", "river", "window", "coffee", "spring", "delivery", "order"]
size = cap + (64 << 10)
if kind == "json":
    parts, n = [], 0
    while sum(map(len, parts)) < size:
        parts.append('{"id":%d,"name":"%s %s","note":"%s","tags":["%s","%s"],"qty":%d}' % (
            n, rng.choice(words).title(), rng.choice(words).title(),
            " ".join(rng.choice(words) for _ in range(12)), rng.choice(words), rng.choice(words), rng.randint(1, 9)))
        n += 1
    body = ("[" + ",".join(parts) + "]").encode()
    ctype = "application/json"
else:
    parts, n = [], 0
    while sum(map(len, parts)) < size:
        parts.append("f%d=%s" % (n, "+".join(rng.choice(words) for _ in range(8))))
        n += 1
    body = "&".join(parts).encode()
    ctype = "application/x-www-form-urlencoded"
head = (f"POST /orders HTTP/1.1\r\nHost: shop.example\r\nContent-Type: {ctype}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n").encode()
sent = cap - 1024

def settle():
    """RSS once the proxy has read and inspected everything sent (stable for 1 s)."""
    last, stable, started = -1, 0, time.time()
    while stable < 5 and time.time() - started < 30:
        time.sleep(0.2)
        now = rss_kib()
        stable = stable + 1 if now == last else 0
        last = now
    return rss_kib()

def load(n):
    out = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(head)
        s.sendall(body[:sent])
        out.append(s)
    return out

time.sleep(0.5)
idle = rss_kib()
socks = load(low)
at_low = settle()
socks += load(high - low)
at_high = settle()
for s in socks:
    s.close()
per = (at_high - at_low) * 1024 / (high - low)
print(f"| {cap // 1024} KiB | {kind} | {idle / 1024:.1f} MiB | {at_low / 1024:.1f} MiB | {at_high / 1024:.1f} MiB "
      f"| {per / 1024:.0f} KiB | {per / cap:.2f}x |")
PY
      kill "$pal_pid" 2>/dev/null || true
      wait "$pal_pid" 2>/dev/null || true
      pal_pid=
  done
done
