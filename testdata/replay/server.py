#!/usr/bin/env python3
"""Tiny HTTP/1.1 test server for testdata/replay/record.sh.

GET/HEAD: 200 for /, /search, /a, /b, /pipe/*, 404 for anything else.
POST: reads the body (Content-Length or chunked) and answers 201.
Every response carries Content-Length so keep-alive and pipelining work.
"""
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

KNOWN = ("/", "/search", "/a", "/b", "/pipe/")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _known(self):
        path = self.path.split("?", 1)[0]
        return path in KNOWN or path.startswith("/pipe/")

    def do_GET(self):
        if self._known():
            self._answer(200, b"ok " + self.path.encode("latin-1") + b"\n")
        else:
            self._answer(404, b"not found\n")

    def do_HEAD(self):
        self.do_GET()

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def do_POST(self):
        body = self._read_body()
        self._answer(201, b"created %d bytes\n" % len(body))


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
