#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""An HTTP server to run as a pod's container for the probe tests and the probe bench (standard library only).

    python3 http_server.py --port 18100 [--record FILE] [--fail-file FILE] [--ignore-term]

Every path answers 200 ("ok"), but:
  - while --fail-file exists, or after GET /fail (until GET /ok), /healthz answers 500;
  - /status/NNN answers NNN; /p/ANYTHING always answers 200 (the bench's per-pod paths);
  - GET /fail and GET /ok themselves answer 200 and switch the state.
Each request is appended to --record as one JSON line {"t", "pid", "method", "path", "headers", "code"}
(t: time.time() when the request line was read); the server's own start is a line {"t", "pid", "event":
"start", "port"}, SIGTERM (with --ignore-term: ignored) is {"event": "sigterm"}. "LISTENING" is printed to
stdout once the socket listens. Many requests at once are fine: one thread per connection.
"""

import argparse
import http.server
import json
import os
import signal
import socketserver
import sys
import threading
import time


class Recorder:
        def __init__(self, path):
                self.lock = threading.Lock()
                self.f = open(path, "a", buffering=1) if path else None

        def write(self, **rec):
                if not self.f:
                        return
                rec.setdefault("t", time.time())
                rec.setdefault("pid", os.getpid())
                line = json.dumps(rec, sort_keys=True) + "\n"
                with self.lock:
                        self.f.write(line)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True
        request_queue_size = 1024


def make_handler(args, rec, state):
        class Handler(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"

                def do_GET(self):
                        t = time.time()
                        path = self.path.split("?", 1)[0]
                        code = 200
                        if path == "/fail":
                                state["fail"] = True
                        elif path == "/ok":
                                state["fail"] = False
                        elif path.startswith("/status/"):
                                try:
                                        code = int(path[len("/status/"):])
                                except ValueError:
                                        code = 400
                        elif path == "/healthz":
                                failing = state["fail"] or (args.fail_file and os.path.exists(args.fail_file))
                                code = 500 if failing else 200
                        body = b"ok\n" if code < 400 else b"failing\n"
                        rec.write(t=t, method="GET", path=self.path, headers=dict(self.headers.items()), code=code)
                        self.send_response(code)
                        self.send_header("Content-Type", "text/plain")
                        self.send_header("Content-Length", str(len(body)))
                        self.send_header("Connection", "close")
                        self.end_headers()
                        self.wfile.write(body)
                        self.close_connection = True

                def log_message(self, *a):
                        pass

        return Handler


def main():
        ap = argparse.ArgumentParser()
        ap.add_argument("--port", type=int, required=True)
        ap.add_argument("--host", default="0.0.0.0")
        ap.add_argument("--record")
        ap.add_argument("--fail-file")
        ap.add_argument("--ignore-term", action="store_true")
        args = ap.parse_args()

        rec = Recorder(args.record)
        state = {"fail": False}

        def on_term(sig, frame):
                rec.write(event="sigterm")
                if not args.ignore_term:
                        os._exit(0)

        signal.signal(signal.SIGTERM, on_term)
        srv = Server((args.host, args.port), make_handler(args, rec, state))
        rec.write(event="start", port=args.port)
        print("LISTENING", flush=True)
        srv.serve_forever()


if __name__ == "__main__":
        sys.exit(main())
