#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A small single-threaded HTTP/1.x responder for bench/probes.py (standard library only): hundreds of
probes a second cost it little, unlike http_server.py's thread per connection, so a slow server does not
pass for a slow prober.

    python3 bench_http_server.py --port 18080 [--record FILE]

Answers 200 "ok" to every request and closes the connection. Each request is appended to --record as a
JSON line {"t", "path"} (t: when its head was complete); prints "LISTENING" once it listens.
"""

import argparse
import json
import selectors
import socket
import sys
import time


def main():
        ap = argparse.ArgumentParser()
        ap.add_argument("--port", type=int, required=True)
        ap.add_argument("--host", default="0.0.0.0")
        ap.add_argument("--record")
        args = ap.parse_args()
        rec = open(args.record, "a", buffering=1 << 16) if args.record else None
        sel = selectors.DefaultSelector()
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lsock.bind((args.host, args.port))
        lsock.listen(1024)
        lsock.setblocking(False)
        sel.register(lsock, selectors.EVENT_READ, None)
        print("LISTENING", flush=True)
        bufs = {}
        last_flush = time.monotonic()
        while True:
                for key, _ in sel.select(timeout=0.5):
                        if key.data is None:
                                while True:
                                        try:
                                                conn, _ = lsock.accept()
                                        except BlockingIOError:
                                                break
                                        conn.setblocking(False)
                                        bufs[conn] = b""
                                        sel.register(conn, selectors.EVENT_READ, "conn")
                                continue
                        conn = key.fileobj
                        try:
                                data = conn.recv(4096)
                        except (BlockingIOError, ConnectionError):
                                data = b""
                        buf = bufs[conn] + data
                        if data and b"\r\n\r\n" not in buf and len(buf) < 65536:
                                bufs[conn] = buf
                                continue
                        if data and rec:
                                parts = buf.split(b"\r\n", 1)[0].split()
                                path = parts[1].decode(errors="replace") if len(parts) > 1 else ""
                                rec.write(json.dumps({"t": time.time(), "path": path}) + "\n")
                        if data:
                                try:
                                        conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                                                  b"Content-Length: 3\r\nConnection: close\r\n\r\nok\n")
                                except OSError:
                                        pass
                        sel.unregister(conn)
                        del bufs[conn]
                        conn.close()
                if rec and time.monotonic() - last_flush > 0.5:
                        rec.flush()
                        last_flush = time.monotonic()


if __name__ == "__main__":
        sys.exit(main())
