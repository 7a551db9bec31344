/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "http-request.h"
#include "macro.h"
#include "pod-model.h"

/* What one probe attempt does, worked out from the manifest alone (k8s-semantics.md §1.2, §4.2): the URL
 * and headers of an httpGet, the address of a tcpSocket or grpc probe, the expanded argv of an exec. Pure:
 * podd's prober does the I/O. */

/* The User-Agent the kubelet sends when the probe names none (gRPC probes send it too). */
#define PROBE_USER_AGENT HTTP_USER_AGENT_PROBE

typedef struct ProbeTarget {
        HandlerKind kind;      /* HANDLER_EXEC, HANDLER_HTTP_GET, HANDLER_TCP_SOCKET, HANDLER_GRPC */
        uint64_t timeout_usec; /* timeoutSeconds (0 or absent: 1 s) */
        char *url;             /* http-get: scheme://host:port/path?query (IPv6 bracketed) */
        /* http-get: the request headers in libcurl's CURLOPT_HTTPHEADER syntax, from
         * http_request_headers() with PROBE_USER_AGENT (see http-request.h for the rules). */
        char **headers;
        char *host; /* http-get, tcp-socket, grpc */
        uint16_t port;
        char *service; /* grpc: "" default */
        char **argv;   /* exec: command with $(VAR) expanded from the container's env[] (§4.2) */
        /* Non-NULL: the probe cannot be attempted (e.g. a port name the container does not declare); the
         * attempt is an ERROR with this message, worded as the kubelet's. The other fields may be unset. */
        char *error;
} ProbeTarget;

/* default_host: where the pod IP would be used ("127.0.0.1" while pods share the host network).
 * -ENOMEM only: anything wrong with the probe itself ends up in ret->error. */
int probe_target_build(
                const Pod *pod,
                const Container *c,
                const Probe *probe,
                const char *default_host,
                ProbeTarget *ret);
void probe_target_done(ProbeTarget *t);
