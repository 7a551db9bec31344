/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>
#include <systemd/sd-event.h>

#include "probe-target.h"
#include "probe-worker.h"

/* Runs probe attempts inside podd's sd-event loop: httpGet and grpc through one libcurl multi handle
 * driven by sd-event, tcpSocket as a non-blocking connect, exec as a child process in the container's
 * context (cgroup, mount namespace, root, environment, credentials, working directory). No threads, and
 * no process but the exec probe's own. */

/* Output and response bodies are kept up to this many bytes, as the kubelet does. */
#define PROBE_OUTPUT_MAX 10240

typedef struct Prober Prober;
typedef struct ProbeAttempt ProbeAttempt;

typedef struct ProbeReport {
        ProbeOutcome outcome;
        /* Failure or error text as the kubelet words it ("HTTP probe failed with statuscode: 500", Go-like
         * dial errors, `command "…" timed out`), or the exec output / response body on success; at most
         * PROBE_OUTPUT_MAX bytes; never NULL. */
        const char *output;
        /* A success with a warning (a final 3xx: the kubelet's ProbeWarning text), else NULL. */
        const char *warning;
} ProbeReport;

/* Called exactly once per attempt that was not cancelled, from the event loop, never from inside
 * prober_start(). The report's strings live until the callback returns; the attempt is freed after it. */
typedef void (*prober_callback_t)(const ProbeReport *r, void *userdata);

/* agent_path: pod-probe-agent, which runs each container's exec probes in its context (one agent per
 * container process); NULL, or an agent that cannot start there: podd starts each exec probe itself. */
int prober_new(sd_event *e, const char *agent_path, Prober **ret);
/* Cancels every attempt still running (no callbacks). Not from inside a callback of its own. */
Prober *prober_free(Prober *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(Prober *, prober_free);

/* Starts one attempt of t (copied: t may be freed on return). exec_pid: the container's main PID; an exec
 * probe runs in that process's context. SIGCHLD must be blocked (as in podd) for exec probes. *ret is
 * optional: without it the attempt cannot be cancelled but still calls back. -ENOMEM and other negative
 * errnos for failures of podd itself; everything about the probe is reported through the callback. */
int prober_start(
                Prober *p,
                const ProbeTarget *t,
                pid_t exec_pid,
                prober_callback_t cb,
                void *userdata,
                ProbeAttempt **ret);
/* The callback is never called; an exec child is killed (its whole process group) and reaped later.
 * NULL-safe; returns NULL. Must not be called for an attempt whose callback already ran. */
ProbeAttempt *probe_attempt_cancel(ProbeAttempt *a);
