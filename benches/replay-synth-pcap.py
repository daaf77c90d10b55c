#!/usr/bin/env python3
"""Writes a large benign pcap for the replay throughput bench.

Usage: replay-synth-pcap.py OUT.pcap SIZE_MB

The requests are the benign corpus (testdata/benign/*.jsonl), sent over
keep-alive TCP connections (16 requests each, segments of at most 1448
bytes, closed with FINs) from 1,000 clients to one server, each answered
with a short 200 (no body for HEAD).
Ethernet / IPv4 / TCP, pcap with microsecond timestamps; checksums are left
zero (replay does not verify them, as captures with offloading carry none).
Deterministic: the same size gives the same file.
"""
import glob
import json
import os
import math
import random
import struct
import sys

MSS = 1448
PER_CONNECTION = 16
CLIENTS = 1000
STEP_US = 200  # 5,000 requests per second of capture time

def corpus(root):
    out = []
    for path in sorted(glob.glob(os.path.join(root, "testdata", "benign", "*.jsonl"))):
        with open(path, encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                body = d.get("body", "").encode()
                head = [f"{d['method']} {d['uri']} HTTP/1.1"]
                for name, value in d["headers"]:
                    if name.lower() in ("content-length", "transfer-encoding", "connection"):
                        continue
                    head.append(f"{name}: {value}")
                if body:
                    head.append(f"Content-Length: {len(body)}")
                out.append(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    if not out:
        sys.exit("no benign requests found under testdata/benign")
    return out

def main():
    out_path, size_mb = sys.argv[1], int(sys.argv[2])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    requests = corpus(root)
    profile = os.environ.get("RESPONSE_PROFILE", "tiny")
    if profile not in ("tiny", "web"):
        sys.exit("RESPONSE_PROFILE must be tiny or web")
    rng = random.Random(0x5EED)
    bodies = {}

    def make_response(head_only):
        # tiny: a 2-byte body (API-like, the worst case for pcap MB/s).
        # web: body sizes drawn from a log-normal with median 8 KB and mean
        # about 32 KB, the HTTP Archive's page weight divided by requests
        # per page; capped at 1 MB.
        if profile == "tiny":
            size = 2
        else:
            size = min(int(rng.lognormvariate(math.log(8000), 1.66)), 1_000_000)
        body = bodies.get(size)
        if body is None:
            body = (b"<p>lorem ipsum dolor sit amet</p>\n" * (size // 34 + 1))[:size]
            bodies[size] = body
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % size
        return head if head_only else head + body
    target = size_mb * 1_000_000
    eth = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00"
    server = bytes([10, 9, 9, 9])
    t = 1_700_000_000 * 1_000_000
    written = 0
    buf = []
    buffered = 0
    with open(out_path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        written += 24

        def packet(src, sport, dst, dport, seq, ack, payload, flags=0x18):
            nonlocal written, buffered
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + len(payload), 0, 0x4000, 64, 6, 0, src, dst)
            tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 0x50, flags, 65535, 0, 0)
            frame_len = 14 + 40 + len(payload)
            rec = struct.pack("<IIII", t // 1_000_000, t % 1_000_000, frame_len, frame_len)
            buf.append(rec + eth + ip + tcp + payload)
            n = 16 + frame_len
            written += n
            buffered += n
            if buffered > 4_000_000:
                f.write(b"".join(buf))
                buf.clear()
                buffered = 0

        i = 0
        conn = 0
        while written < target:
            client = bytes([10, 0, (conn % CLIENTS) // 250, 1 + (conn % CLIENTS) % 250])
            port = 1024 + (conn // CLIENTS) % 60000
            cseq, sseq = 1000, 500000
            for _ in range(PER_CONNECTION):
                req = requests[i % len(requests)]
                i += 1
                for off in range(0, len(req), MSS):
                    seg = req[off:off + MSS]
                    packet(client, port, server, 80, cseq, sseq, seg)
                    cseq += len(seg)
                t += STEP_US // 2
                # A HEAD response announces the length but carries no body.
                answer = make_response(req.startswith(b"HEAD "))
                for off in range(0, len(answer), MSS):
                    seg = answer[off:off + MSS]
                    packet(server, 80, client, port, sseq, cseq, seg)
                    sseq += len(seg)
                t += STEP_US // 2
            # Both sides close (FIN|ACK), as a finished keep-alive connection does.
            packet(client, port, server, 80, cseq, sseq, b"", 0x11)
            packet(server, 80, client, port, sseq, cseq + 1, b"", 0x11)
            conn += 1
        f.write(b"".join(buf))
    print(f"{out_path}: {written} bytes, {i} requests on {conn} connections")

if __name__ == "__main__":
    main()
