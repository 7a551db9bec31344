/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "macro.h"
#include "pod-model.h"

/* The kubelet's probe worker (k8s-semantics.md §4.3) as a pure state machine: one ProbeWorker per container
 * and probe kind. podd's event loop feeds it ticks and attempt outcomes; it answers what the stored result
 * is and what to do (nothing, record the container as started, kill it). No clocks, no I/O. */

typedef enum ProbeKind {
        PROBE_STARTUP,
        PROBE_LIVENESS,
        PROBE_READINESS,
        _PROBE_KIND_MAX,
        _PROBE_KIND_INVALID = -EINVAL,
} ProbeKind;

/* How one attempt ended. ERROR: the probe could not even be attempted (a port name the container does not
 * declare, …); Kubernetes counts it as neither success nor failure. */
typedef enum ProbeOutcome {
        PROBE_OUTCOME_SUCCESS,
        PROBE_OUTCOME_FAILURE,
        PROBE_OUTCOME_ERROR,
        _PROBE_OUTCOME_MAX,
        _PROBE_OUTCOME_INVALID = -EINVAL,
} ProbeOutcome;

/* The stored result, as the kubelet's results manager keeps it. */
typedef enum ProbeResult {
        PROBE_RESULT_UNKNOWN,
        PROBE_RESULT_SUCCESS,
        PROBE_RESULT_FAILURE,
        _PROBE_RESULT_MAX,
        _PROBE_RESULT_INVALID = -EINVAL,
} ProbeResult;

const char *probe_kind_to_string(ProbeKind k) _pure_;       /* "Startup", "Liveness", "Readiness" */
const char *probe_outcome_to_string(ProbeOutcome o) _pure_; /* "success", "failure", "error" */
const char *probe_result_to_string(ProbeResult r) _pure_;   /* "Unknown", "Success", "Failure" */

typedef struct ProbeWorker {
        ProbeKind kind;
        ProbeResult result;        /* what the kubelet's results manager would hold */
        ProbeOutcome run_outcome;  /* the outcome of the current run of identical attempts */
        unsigned run;              /* its length */
        bool on_hold;              /* a liveness failure or a startup result was recorded: no more attempts
                                    * until a new container instance (kubelet: until a new container ID) */
        bool stopped;              /* the pod is being deleted: liveness and startup stop for good */
        uint64_t instance;         /* the container instance the state belongs to (0 = none yet) */
} ProbeWorker;

/* What the container looks like when a tick comes. */
typedef struct ProbeTick {
        bool running;          /* the container's main process runs (postStart included: it is Running only
                                * after postStart, but the kubelet probes from the start; so does podctl) */
        bool started;          /* startup probe succeeded, or there is none */
        bool deleting;         /* the pod has a deletion timestamp */
        uint64_t instance;     /* identifies the container instance, e.g. its main process's start time */
        uint64_t since_start_usec; /* now − the instance's start */
} ProbeTick;

typedef enum ProbeVerdict {
        PROBE_VERDICT_NONE,    /* nothing changed */
        PROBE_VERDICT_CHANGED, /* the stored result changed: status (started/ready) must be computed again */
        PROBE_VERDICT_KILL,    /* liveness or startup failure recorded: kill the container and restart it per
                                * policy, with the probe's grace (k8s-semantics.md §2.6) */
        _PROBE_VERDICT_MAX,
        _PROBE_VERDICT_INVALID = -EINVAL,
} ProbeVerdict;

/* The result before any attempt: readiness failure, liveness success, startup unknown. */
ProbeResult probe_initial_result(ProbeKind k) _pure_;
void probe_worker_init(ProbeWorker *w, ProbeKind kind);
/* Whether an attempt is due at this tick. Applies a new instance first (state reset, hold lifted), and the
 * deletion rule (liveness and startup become success and stop; readiness goes on); so it may change the
 * result: *ret_changed says so. */
bool probe_worker_tick(ProbeWorker *w, const Probe *p, const ProbeTick *t, bool *ret_changed);
/* Records an attempt's outcome for instance `instance` (an outcome for an older instance is dropped). */
ProbeVerdict probe_worker_record(ProbeWorker *w, const Probe *p, uint64_t instance, ProbeOutcome o);
