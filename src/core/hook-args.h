/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"
#include "pod-model.h"

/* How a lifecycle hook travels from the plan to the hook helper: as the helper's command line in
 * ExecStartPost=/ExecStop=. One encoder (used by unit-plan.c) and one parser (used by pod-hook), so the
 * two sides cannot drift. The command line is:
 *
 *   pod-hook --hook=postStart|preStop --namespace=NS --pod=NAME --container=NAME [--pod-uid=UID]
 *            [--grace-seconds=N] [--stop-signal=SIGNAME] [--outlive=CONTAINER]… HANDLER [HANDLER-ARGS]
 *
 *   --outlive= (preStop of a sidecar only, once per container): when the whole pod stops, this sidecar gets
 *   its stop signal only after these containers (every app container and every sidecar declared after it)
 *   have exited, or its budget is used up (k8s-semantics.md §2.5).
 *
 *   HANDLER is one of:
 *     exec -- ARGV…                       argv as written in the manifest, never expanded
 *     http-get --scheme=HTTP|HTTPS --port=N|NAME [--host=H] [--path=P] [--header=NAME:VALUE]…
 *                                         a port name the plan could not resolve from the container's
 *                                         ports stays a name, so the helper fails at run time as the
 *                                         kubelet does
 *     tcp-socket --port=N|NAME [--host=H] (always fails at run time, as in Kubernetes)
 *     sleep SECONDS
 *     none                                preStop only: no handler, the helper only runs the stop
 *                                         sequence within the grace budget
 */

typedef enum HookPoint {
        HOOK_POST_START,
        HOOK_PRE_STOP,
        _HOOK_POINT_MAX,
        _HOOK_POINT_INVALID = -EINVAL,
} HookPoint;

typedef enum HookHandlerKind {
        HOOK_HANDLER_EXEC,
        HOOK_HANDLER_HTTP_GET,
        HOOK_HANDLER_TCP_SOCKET,
        HOOK_HANDLER_SLEEP,
        HOOK_HANDLER_NONE,
        _HOOK_HANDLER_KIND_MAX,
        _HOOK_HANDLER_KIND_INVALID = -EINVAL,
} HookHandlerKind;

typedef struct HookHeader {
        char *name;
        char *value;
} HookHeader;

typedef struct HookSpec {
        HookPoint point;
        char *namespace;
        char *pod;
        char *container;
        char *pod_uid;
        int64_t grace_seconds; /* -1 when not given */
        char *stop_signal;
        char **outlive;       /* preStop of a sidecar: the containers it stops after, in a pod stop */
        HookHandlerKind kind;
        char **exec_argv;     /* exec */
        char *scheme;         /* http-get */
        char *host;           /* http-get, tcp-socket; NULL = default host */
        char *port;           /* http-get, tcp-socket: a number or an unresolved name */
        char *path;           /* http-get */
        HookHeader *headers;
        size_t n_headers;
        int64_t sleep_seconds; /* sleep */
} HookSpec;

const char *hook_point_to_string(HookPoint p) _pure_;   /* "postStart", "preStop" */
HookPoint hook_point_from_string(const char *s) _pure_;
const char *hook_handler_kind_to_string(HookHandlerKind k) _pure_; /* "exec", "http-get", … */
HookHandlerKind hook_handler_kind_from_string(const char *s) _pure_;

/* Builds argv (without the helper's path as argv[0]: the caller prepends it) for handler h of container c.
 * h may be NULL for point == HOOK_PRE_STOP (handler "none"). */
int hook_args_build(
                const Pod *pod,
                const Container *c,
                HookPoint point,
                const Handler *h,
                int64_t grace_seconds,
                char ***ret_argv);
/* Parses argv[1..] (argv[0] is the program). -EINVAL with *ret_error set to a message naming the bad
 * argument. */
int hook_args_parse(int argc, char *const *argv, HookSpec *ret, char **ret_error);
void hook_spec_done(HookSpec *s);
