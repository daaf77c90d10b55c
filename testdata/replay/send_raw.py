#!/usr/bin/env python3
"""Raw-socket clients for testdata/replay/record.sh: HTTP/1.1 pipelining
(three requests in one write) and a chunked POST sent chunk by chunk."""
import socket
import sys
import time

port = int(sys.argv[2])


def drain(sock):
    sock.settimeout(2)
    data = b""
    try:
        while True:
            got = sock.recv(65536)
            if not got:
                break
            data += got
    except socket.timeout:
        pass
    return data


if sys.argv[1] == "pipeline":
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(
        b"GET /pipe/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: pipeline\r\n\r\n"
        b"HEAD /pipe/2 HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: pipeline\r\n\r\n"
        b"GET /pipe/3?last=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: pipeline\r\nConnection: close\r\n\r\n"
    )
    drain(s)
    s.close()
elif sys.argv[1] == "chunked":
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(
        b"POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: chunker\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    for piece in (b"a=1&b=", b"<script>alert(2)</script>", b"&c=3"):
        time.sleep(0.05)
        s.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
    time.sleep(0.05)
    s.sendall(b"0\r\n\r\n")
    drain(s)
    s.close()
