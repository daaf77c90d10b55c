#!/usr/bin/env bash
# Records the loopback fixtures in this directory (see README.md):
#   loopback.pcap     tcpdump -i lo (Ethernet link type, pcap, microseconds)
#   loopback.pcapng   dumpcap -i lo (pcapng)
#   any-sll2.pcap     tcpdump -i any -y LINUX_SLL2 (Linux cooked v2)
# while curl and send_raw.py send benign and attack requests to server.py.
# Needs root (or capture capabilities), tcpdump, dumpcap, curl, python3.
# Derived files (gzip, truncated, rewritten) are made by make-derived.sh.
set -euo pipefail
cd "$(dirname "$0")"
PORT=${PORT:-18087}
BASE="http://127.0.0.1:$PORT"

python3 server.py "$PORT" &
SERVER=$!
tcpdump -i lo -U -w loopback.pcap "tcp port $PORT" 2>/dev/null &
TCPDUMP=$!
dumpcap -i lo -q -f "tcp port $PORT" -w loopback.pcapng 2>/dev/null &
DUMPCAP=$!
tcpdump -i any -y LINUX_SLL2 -U -w any-sll2.pcap "tcp port $PORT" 2>/dev/null &
ANY=$!
trap 'kill $SERVER $TCPDUMP $DUMPCAP $ANY 2>/dev/null || true' EXIT
sleep 2

C="curl -s -o /dev/null -A replay-fixture"
# 1 benign GET
$C "$BASE/"
# 2 SQL injection in a query parameter
$C -G --data-urlencode "q=1' UNION SELECT password FROM users--" "$BASE/search"
# 3 XSS in a query parameter
$C -G --data-urlencode "q=<script>alert(1)</script>" "$BASE/search"
# 4 path traversal, sent as is (404)
$C --path-as-is "$BASE/../../etc/passwd"
# 5-7 keep-alive: three URLs on one connection (200, 200, 404)
$C -o /dev/null -o /dev/null "$BASE/a" "$BASE/b" "$BASE/missing"
# 8-10 pipelining: three requests in one write (GET, HEAD, GET)
python3 send_raw.py pipeline "$PORT"
# 11 chunked request body from curl
$C -H 'Transfer-Encoding: chunked' --data-binary 'name=chunky&msg=hello+world' "$BASE/submit"
# 12 chunked request body sent in four separate chunks
python3 send_raw.py chunked "$PORT"
# 13 POST form
$C -d 'user=alice&pass=s3cret' "$BASE/login"

sleep 1
kill -INT $TCPDUMP $DUMPCAP $ANY
wait $TCPDUMP $DUMPCAP $ANY 2>/dev/null || true
kill $SERVER
trap - EXIT
ls -l loopback.pcap loopback.pcapng any-sll2.pcap
