#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A grpc.health.v1 health server to run as a pod's container for the grpc probe tests (python3-grpcio).

    python3 grpc_health_server.py --port 18300 [--record FILE] [--fail-file FILE] [--service NAME ...]

Implements grpc.health.v1.Health/Check over cleartext HTTP/2 with hand-encoded protobuf (no generated code,
no python3-protobuf needed): the request HealthCheckRequest{string service = 1}, the answer
HealthCheckResponse{ServingStatus status = 1}, SERVING = 1, NOT_SERVING = 2. The service "" and every
--service NAME are known: SERVING, or NOT_SERVING while --fail-file exists. Any other service name gets
the gRPC status NOT_FOUND (5), as grpc's own health servicer answers an unknown service. Each call is
appended to --record as a JSON line {"t", "pid", "service", "status", "metadata"}; prints "LISTENING" once
the port is bound.
"""

import argparse
import json
import os
import sys
import threading
import time
from concurrent import futures

import grpc

SERVING, NOT_SERVING = 1, 2


def read_varint(b, i):
        shift = value = 0
        while True:
                c = b[i]
                i += 1
                value |= (c & 0x7F) << shift
                if not c & 0x80:
                        return value, i
                shift += 7


def decode_service(data):
        """HealthCheckRequest.service (field 1, wire type 2); unknown fields are skipped."""
        i, service = 0, ""
        while i < len(data):
                key, i = read_varint(data, i)
                field, wire = key >> 3, key & 7
                if wire == 0:
                        _, i = read_varint(data, i)
                elif wire == 2:
                        n, i = read_varint(data, i)
                        if field == 1:
                                service = data[i:i + n].decode()
                        i += n
                elif wire == 1:
                        i += 8
                elif wire == 5:
                        i += 4
                else:
                        raise ValueError(f"wire type {wire}")
        return service


def encode_response(status):
        return bytes([0x08, status])  # field 1, varint


def main():
        ap = argparse.ArgumentParser()
        ap.add_argument("--port", type=int, required=True)
        ap.add_argument("--host", default="0.0.0.0")
        ap.add_argument("--record")
        ap.add_argument("--fail-file")
        ap.add_argument("--service", action="append", default=[])
        args = ap.parse_args()
        known = {""} | set(args.service)
        f = open(args.record, "a", buffering=1) if args.record else None
        lock = threading.Lock()

        def rec(**r):
                if f:
                        r.setdefault("t", time.time())
                        r["pid"] = os.getpid()
                        with lock:
                                f.write(json.dumps(r, sort_keys=True) + "\n")

        def check(request, context):
                t = time.time()
                service = decode_service(request)
                md = {k: v for k, v in context.invocation_metadata()}
                if service not in known:
                        rec(t=t, service=service, status="SERVICE_UNKNOWN", metadata=md)
                        context.abort(grpc.StatusCode.NOT_FOUND, "unknown service")
                failing = args.fail_file and os.path.exists(args.fail_file)
                status = NOT_SERVING if failing else SERVING
                rec(t=t, service=service, status="NOT_SERVING" if failing else "SERVING", metadata=md)
                return encode_response(status)

        handler = grpc.method_handlers_generic_handler(
                "grpc.health.v1.Health",
                {"Check": grpc.unary_unary_rpc_method_handler(check, request_deserializer=None,
                                                               response_serializer=None)},
        )
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        server.add_generic_rpc_handlers((handler,))
        if server.add_insecure_port(f"{args.host}:{args.port}") == 0:
                print(f"cannot bind {args.host}:{args.port}", file=sys.stderr)
                return 1
        server.start()
        rec(event="start", port=args.port)
        print("LISTENING", flush=True)
        server.wait_for_termination()
        return 0


if __name__ == "__main__":
        sys.exit(main())
