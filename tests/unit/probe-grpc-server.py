#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A grpc.health.v1 Health server for test-prober, without generated code: the messages are encoded by
hand. Service "" is SERVING, "down" NOT_SERVING, anything else NOT_FOUND (as the standard server answers).
Prints its port, or "SKIP <reason>" when grpcio is missing."""
import sys

try:
    from concurrent import futures

    import grpc
except ImportError as e:
    print("SKIP python3-grpcio is not installed: %s" % e, flush=True)
    sys.exit(0)

STATUSES = {"": 1, "down": 2}


def parse_service(data):
    # HealthCheckRequest{string service = 1}: walk the fields, keep field 1.
    i, service = 0, b""
    while i < len(data):
        key, shift = 0, 0
        while True:
            b = data[i]
            i += 1
            key |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        if key & 7 == 2:
            n, shift = 0, 0
            while True:
                b = data[i]
                i += 1
                n |= (b & 0x7F) << shift
                shift += 7
                if not b & 0x80:
                    break
            if key >> 3 == 1:
                service = data[i:i + n]
            i += n
        else:
            raise ValueError("unexpected wire type")
    return service.decode()


def check(request, context):
    service = parse_service(request)
    if service not in STATUSES:
        context.abort(grpc.StatusCode.NOT_FOUND, "unknown service")
    return bytes([0x08, STATUSES[service]])


handler = grpc.method_handlers_generic_handler(
    "grpc.health.v1.Health", {"Check": grpc.unary_unary_rpc_method_handler(check)})
server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
server.add_generic_rpc_handlers((handler,))
port = server.add_insecure_port("127.0.0.1:0")
server.start()
print(port, flush=True)
server.wait_for_termination()
