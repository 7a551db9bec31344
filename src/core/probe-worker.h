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
