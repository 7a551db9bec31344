#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A small HTTP server for test-prober: listens on 127.0.0.1 (port 0), prints its port, then answers
  /status/N            status N
  /redirect?to=URL     302 to URL (relative or absolute)
  /loop                302 to itself, forever
  /slow/MS             200 after MS milliseconds
  /headers             200, the User-Agent and Accept it got
  /big                 200 with a 50000-byte body
With CERT KEY as arguments it speaks HTTPS.
"""
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        parts = u.path.strip("/").split("/")
        if parts[0] == "status":
            code = int(parts[1])
            self.answer(code, b"status %d" % code)
        elif parts[0] == "redirect":
            self.answer(302, b"moved", [("Location", q["to"][0])])
        elif parts[0] == "loop":
            self.answer(302, b"again", [("Location", "/loop")])
        elif parts[0] == "slow":
            time.sleep(int(parts[1]) / 1000)
            self.answer(200, b"slow")
        elif parts[0] == "headers":
            body = "UA=%s;Accept=%s" % (self.headers.get("User-Agent"), self.headers.get("Accept"))
            self.answer(200, body.encode())
        elif parts[0] == "big":
            self.answer(200, b"x" * 50000)
        else:
            self.answer(404, b"not found")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
if len(sys.argv) == 3:
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[1], sys.argv[2])
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
