#!/usr/bin/env bash
# Records the HAR fixtures testdata/replay/har-mixed.har and
# testdata/replay/har-known-good.har with a real HTTP tool: mitmproxy's
# mitmdump (>= 10.1, `--set hardump=FILE`) as a reverse proxy in front of a
# small local HTTP server, with curl as the client. See har-README.md.
#
#   python3 -m venv /tmp/mitm-venv && /tmp/mitm-venv/bin/pip install mitmproxy
#   MITMDUMP=/tmp/mitm-venv/bin/mitmdump testdata/replay/har-record.sh
#
# Only 127.0.0.1 is used. The HAR files are rewritten in place.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mitmdump=${MITMDUMP:-mitmdump}
command -v "$mitmdump" >/dev/null || { echo "har-record.sh: $mitmdump not found (set MITMDUMP)" >&2; exit 1; }
command -v curl >/dev/null || { echo "har-record.sh: curl not found" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The origin: 404 for /missing, 500 for /broken, 200 with a short body otherwise.
cat >"$work/origin.py" <<'EOF'
import http.server, sys
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        status = {"/missing": 404, "/broken": 500}.get(self.path.split("?")[0], 200)
        body = b"ok\n" if status == 200 else b"no\n"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_POST = do_PUT = answer
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
EOF
origin_port=$(free_port)
python3 "$work/origin.py" "$origin_port" &
pids+=($!)

# Runs mitmdump in reverse-proxy mode writing $1 while the function $2 sends traffic.
record() {
    local out=$1 traffic=$2 port
    port=$(free_port)
    "$mitmdump" -q --mode "reverse:http://127.0.0.1:$origin_port" \
        --listen-host 127.0.0.1 -p "$port" --set keep_host_header=true \
        --set hardump="$work/out.har" &
    local pid=$!
    # Wait for the listener without sending a request (it would be recorded).
    python3 -c 'import socket,sys,time
for _ in range(100):
    try: socket.create_connection(("127.0.0.1", int(sys.argv[1]))).close(); break
    except OSError: time.sleep(0.1)' "$port"
    # Clients ask for shop.example (resolved to the proxy) so the Host header is a name.
    resolve="shop.example:$port:127.0.0.1"
    "$traffic" "http://shop.example:$port" "https://shop.example:$port"
    kill -INT "$pid"
    wait "$pid" || true
    # Pretty-printed with sorted keys so diffs stay readable.
    python3 -m json.tool --sort-keys "$work/out.har" >"$out"
    rm -f "$work/out.har"
}

c() { curl -s -o /dev/null --resolve "$resolve" -A 'Mozilla/5.0 (X11; Linux x86_64) replay-fixture' "$@"; }

mixed_traffic() {
    local base=$1 tls=$2
    # Benign browsing, a 404 and a 500.
    c "$base/"
    c "$base/products?id=42&sort=price"
    c -b 'session=abc123; theme=dark' "$base/account"
    c "$base/missing"
    c "$base/broken"
    # Attacks: SQL injection, XSS, path traversal, command injection.
    c "$base/products?id=1%27%20union%20select%20password%20from%20users--"
    c -G --data-urlencode 'sort=<script>alert(document.cookie)</script>' "$base/search"
    c "$base/download?file=..%2F..%2F..%2Fetc%2Fpasswd"
    c -G --data-urlencode 'host=127.0.0.1; cat /etc/shadow' "$base/ping"
    # A form post (benign) and one with an injection in a field.
    c -d 'user=alice&password=correct+horse' "$base/login"
    c -d "user=admin'--&password=x" "$base/login"
    # JSON (benign and an injection in a nested field).
    c -H 'Content-Type: application/json' -d '{"name":"widget","qty":2,"tags":["blue"]}' "$base/api/items"
    c -H 'Content-Type: application/json' -d '{"name":"x","filter":{"where":"1=1 union select password from users"}}' "$base/api/items"
    # A binary upload (bytes that are not UTF-8).
    printf '\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\xfd' >"$work/blob.bin"
    c -H 'Content-Type: application/octet-stream' --data-binary @"$work/blob.bin" "$base/upload"
    # HTTP/2 over TLS (mitmproxy answers TLS on the same port in reverse mode).
    c -k --http2 "$tls/products?id=7"
    c -k --http2 -G --data-urlencode 'q=<svg onload=alert(1)>' "$tls/search"
}

known_good_traffic() {
    local base=$1
    # Everyday traffic of a programming forum: prose that looks like SQL in
    # search, HTML in posts, shell snippets in the docs viewer.
    for q in 'union select committee from the house' 'union select committee members 2024' 'blue shoes'; do
        c -G --data-urlencode "q=$q" "$base/search"
    done
    for body in 'How do I escape <script> tags in templates?' 'Use <script src="app.js"></script> at the end of body'; do
        c --data-urlencode "body=$body" --data-urlencode 'title=question' "$base/forum/post"
    done
    c -G --data-urlencode 'example=cat /etc/passwd | grep root' "$base/docs/linux"
    c -G --data-urlencode 'example=cat /etc/passwd' "$base/docs/linux"
    c "$base/"
    c "$base/forum"
}

record "$here/har-mixed.har" mixed_traffic
record "$here/har-known-good.har" known_good_traffic
echo "wrote $here/har-mixed.har and $here/har-known-good.har"
