#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A TCP listener to run as a pod's container for the tcpSocket probe tests (standard library only).

    python3 tcp_server.py --port 18200 [--record FILE] [--close-file FILE]

Accepts connections and closes them at once. While --close-file exists the listening socket is closed (a
connect is refused); when the file is removed it listens again (checked every 0.1 s). Each accepted
connection is appended to --record as a JSON line {"t", "pid", "event": "accept", "peer"}; the start, each
close and reopen are {"event": "start"|"closed"|"listening"}. Prints "LISTENING" once it first listens.
"""

import argparse
import json
import os
import select
import socket
import sys
import time


def main():
        ap = argparse.ArgumentParser()
        ap.add_argument("--port", type=int, required=True)
        ap.add_argument("--host", default="0.0.0.0")
        ap.add_argument("--record")
        ap.add_argument("--close-file")
        args = ap.parse_args()
        f = open(args.record, "a", buffering=1) if args.record else None

        def rec(**r):
                if f:
                        r.setdefault("t", time.time())
                        r["pid"] = os.getpid()
                        f.write(json.dumps(r, sort_keys=True) + "\n")

        def listen():
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((args.host, args.port))
                s.listen(128)
                return s

        rec(event="start", port=args.port)
        sock = None
        first = True
        while True:
                want_closed = bool(args.close_file) and os.path.exists(args.close_file)
                if want_closed and sock:
                        sock.close()
                        sock = None
                        rec(event="closed")
                elif not want_closed and not sock:
                        sock = listen()
                        rec(event="listening")
                        if first:
                                print("LISTENING", flush=True)
                                first = False
                if not sock:
                        time.sleep(0.1)
                        continue
                ready, _, _ = select.select([sock], [], [], 0.1)
                if ready:
                        try:
                                conn, peer = sock.accept()
                        except OSError:
                                continue
                        rec(event="accept", peer=f"{peer[0]}:{peer[1]}")
                        conn.close()


if __name__ == "__main__":
        sys.exit(main())
