#!/usr/bin/env python3
"""Derives the damaged and rewritten fixtures from loopback.pcap (see README.md).

    loopback.pcap.gz        gzip copy (mtime 0, so the bytes are reproducible)
    loopback-truncated.pcap cut in the middle of the record carrying POST /submit
    loopback-reordered.pcap POST /login's request segment split in four and sent
                            out of order, with a retransmission and an overlapping
                            segment whose bytes differ (an evasion attempt)
    loopback-gap.pcap       the segment carrying POST /upload's second chunk dropped

Written by hand with struct (no scapy). Only the Ethernet/IPv4/TCP layout that
tcpdump -i lo writes is handled. Checksums are left as they were (the reader
does not verify them).
"""
import gzip
import struct

SRC = "loopback.pcap"


def read_pcap(path):
    data = open(path, "rb").read()
    header, pos, records = data[:24], 24, []
    while pos < len(data):
        sec, usec, caplen, origlen = struct.unpack_from("<IIII", data, pos)
        records.append([sec, usec, data[pos + 16 : pos + 16 + caplen], pos])
        pos += 16 + caplen
    return header, records


def write_pcap(path, header, records):
    with open(path, "wb") as f:
        f.write(header)
        for sec, usec, frame, _ in records:
            f.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)))
            f.write(frame)


def tcp_parts(frame):
    """(ip header offset, tcp header offset, payload offset) of an Ethernet/IPv4/TCP frame."""
    ip = 14
    ihl = (frame[ip] & 0x0F) * 4
    tcp = ip + ihl
    data = tcp + (frame[tcp + 12] >> 4) * 4
    return ip, tcp, data


def payload(frame):
    return frame[tcp_parts(frame)[2] :]


def with_payload(frame, seq_delta, new_payload):
    """The same segment with another payload, its sequence number moved by seq_delta."""
    ip, tcp, data = tcp_parts(frame)
    out = bytearray(frame[:data] + new_payload)
    struct.pack_into(">H", out, ip + 2, len(out) - ip)
    (seq,) = struct.unpack_from(">I", out, tcp + 4)
    struct.pack_into(">I", out, tcp + 4, (seq + seq_delta) & 0xFFFFFFFF)
    return bytes(out)


def find(records, needle):
    for i, rec in enumerate(records):
        if needle in payload(rec[2]):
            return i
    raise SystemExit(f"no segment carries {needle!r}")


header, records = read_pcap(SRC)

# gzip copy
with open(SRC, "rb") as f, gzip.GzipFile("loopback.pcap.gz", "wb", mtime=0) as out:
    out.write(f.read())

# truncated: keep the first 20 bytes of the record carrying POST /submit
i = find(records, b"POST /submit")
cut = records[i][3] + 20
with open(SRC, "rb") as f, open("loopback-truncated.pcap", "wb") as out:
    out.write(f.read()[:cut])
print(f"loopback-truncated.pcap: cut at byte {cut}, record starts at byte {records[i][3]}")

# reordered / retransmitted / overlapping
i = find(records, b"POST /login")
sec, usec, frame, _ = records[i]
body = payload(frame)
a, b, c = 40, 90, 150  # split points inside the request
p0, p1, p2, p3 = body[:a], body[a:b], body[b:c], body[c:]
evil = bytes(x ^ 0x20 for x in p2[:10])  # same length, different bytes
segments = [
    with_payload(frame, 0, p0),
    with_payload(frame, b, p2),  # out of order
    with_payload(frame, a, p1),
    with_payload(frame, a, p1),  # retransmission, identical
    with_payload(frame, b, evil + p2[10:] + p3),  # overlaps p2 with different bytes
]
reordered = records[:i] + [[sec, usec + k, s, 0] for k, s in enumerate(segments)] + records[i + 1 :]
write_pcap("loopback-reordered.pcap", header, reordered)
print(f"loopback-reordered.pcap: overlap differs at request byte {b}")

# gap: drop the segment with the second chunk of POST /upload
i = find(records, b"<script>alert(2)</script>")
write_pcap("loopback-gap.pcap", header, records[:i] + records[i + 1 :])
print(f"loopback-gap.pcap: dropped {len(payload(records[i][2]))} bytes")
