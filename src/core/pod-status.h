/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"
#include "pod-model.h"
#include "probe-worker.h"

/* Kubernetes pod status (k8s-semantics.md §5.1–§5.3) derived from what systemd says about each container's
 * unit plus what podd itself knows (it has not started a container yet, an image is not supported, a
 * restart of an init container is scheduled). Pure: snapshots in, status out; podd fills the snapshots
 * from unit properties (never by polling) and re-derives the status on every change. Times are realtime
 * microseconds (CLOCK_REALTIME, systemd's *Timestamp properties); 0 = never. */

/* The properties of one container service, as systemd reports them (org.freedesktop.systemd1.Unit and
 * .Service). Strings are systemd's words, e.g. active_state "activating" with sub_state "start-post"
 * while postStart runs. */
typedef struct UnitSnapshot {
        bool exists;          /* systemd knows the unit (LoadState loaded) */
        char *active_state;   /* "active", "activating", "deactivating", "inactive", "failed" */
        char *sub_state;      /* "start", "start-post", "running", "exited", "auto-restart", "stop", "stop-sigterm", "dead", "failed", … */
        char *result;         /* "success", "exit-code", "signal", "core-dump", "oom-kill", "timeout", … */
        int32_t exec_main_code;   /* si_code of the last main process exit: CLD_EXITED, CLD_KILLED, CLD_DUMPED; 0 none */
        int32_t exec_main_status; /* exit status, or the signal number */
        uint64_t exec_main_start_usec;
        uint64_t exec_main_exit_usec;
        uint64_t active_enter_usec;
        uint64_t inactive_enter_usec;
        uint32_t n_restarts;      /* NRestarts: restarts systemd made through Restart= */
        uint64_t restart_usec;    /* RestartUSec, to tell when an auto-restart happens */
        char *invocation_id;      /* InvocationID, hex */
        uint32_t main_pid;        /* MainPID: exec probes run in this process's context; 0 none */
} UnitSnapshot;

/* One probe of a container as podd's worker sees it: its stored result and its last attempt. Shown by
 * `podctl describe`; in the pod's JSON under the container status's "podctl.io/probes" (docs/API.md). */
typedef struct ProbeStatus {
        bool configured;
        ProbeResult result;        /* Unknown (zero) until the worker stores one */
        ProbeOutcome last_outcome;
        uint64_t last_usec;        /* when the last attempt ended; 0 = no attempt yet */
        char *last_message;        /* its failure or error text, NULL after a success */
} ProbeStatus;

/* What podd knows beyond systemd. */
typedef enum ContainerGate {
        CONTAINER_GATE_NONE,              /* podd started (or adopted) the unit: systemd's snapshot tells */
        CONTAINER_GATE_NOT_STARTED,       /* waiting its turn: an earlier init container or sidecar is not done */
        CONTAINER_GATE_IMAGE_UNSUPPORTED, /* names an image: not started until image support lands */
        CONTAINER_GATE_START_FAILED,      /* StartTransientUnit failed: message says why */
        CONTAINER_GATE_BACKOFF,           /* podd holds a restart until next_start_usec (init containers) */
        _CONTAINER_GATE_MAX,
        _CONTAINER_GATE_INVALID = -EINVAL,
} ContainerGate;

typedef enum ContainerStateKind {
        CONTAINER_STATE_NONE, /* no state yet: "{}" in JSON (lastState of a first instance) */
        CONTAINER_STATE_WAITING,
        CONTAINER_STATE_RUNNING,
        CONTAINER_STATE_TERMINATED,
        _CONTAINER_STATE_KIND_MAX,
        _CONTAINER_STATE_KIND_INVALID = -EINVAL,
} ContainerStateKind;

typedef struct ContainerState {
        ContainerStateKind kind;
        char *reason;  /* waiting: ContainerCreating, PodInitializing, CrashLoopBackOff, …; terminated: Completed, Error, OOMKilled, … */
        char *message;
        int32_t exit_code; /* terminated: exit status, or 128 + signal */
        int32_t signal;    /* terminated by a signal: its number, else 0 */
        uint64_t started_at;
        uint64_t finished_at;
} ContainerState;

typedef struct ContainerRuntime {
        UnitSnapshot unit;
        ContainerGate gate;
        char *gate_message;       /* START_FAILED: the error; IMAGE_UNSUPPORTED: optional detail */
        uint64_t next_start_usec; /* BACKOFF: when podd starts it again */
        uint32_t podd_restarts;   /* restarts podd made itself (init container retries), added to NRestarts */
        ContainerState last_termination; /* the previous instance, recorded by podd when it saw it end */
        /* The last start attempt failed after the process ran (postStart failed: "PostStartHookError",
         * with the hook's error as message). Shown as the waiting reason while systemd holds the restart,
         * as the kubelet shows its start error until the next attempt; podd clears it once the container
         * runs again. */
        char *start_error_reason;
        char *start_error_message;
        /* podd's probe workers, by ProbeKind: a container with a startup probe is started once it
         * succeeded; one with a readiness probe is ready while it succeeds. */
        ProbeStatus probes[_PROBE_KIND_MAX];
} ContainerRuntime;

typedef enum PodPhase {
        POD_PHASE_PENDING,
        POD_PHASE_RUNNING,
        POD_PHASE_SUCCEEDED,
        POD_PHASE_FAILED,
        POD_PHASE_UNKNOWN,
        _POD_PHASE_MAX,
        _POD_PHASE_INVALID = -EINVAL,
} PodPhase;

typedef enum PodConditionType {
        POD_CONDITION_POD_SCHEDULED,
        POD_CONDITION_INITIALIZED,
        POD_CONDITION_CONTAINERS_READY,
        POD_CONDITION_READY,
        _POD_CONDITION_TYPE_MAX,
        _POD_CONDITION_TYPE_INVALID = -EINVAL,
} PodConditionType;

typedef struct PodCondition {
        bool status;
        char *reason;
        char *message;
        uint64_t last_transition_usec; /* kept from the previous status while `status` does not flip */
} PodCondition;

typedef struct ContainerStatus {
        const Container *spec;
        char *unit_name;
        bool ready;
        bool started;
        uint32_t restart_count;
        ContainerState state;
        ContainerState last_state;
        ProbeStatus probes[_PROBE_KIND_MAX];
} ContainerStatus;

typedef struct PodStatus {
        PodPhase phase;
        char *reason;  /* e.g. DeadlineExceeded */
        char *message;
        PodCondition conditions[_POD_CONDITION_TYPE_MAX];
        uint64_t start_time_usec;
        ContainerStatus *statuses; /* one per container in pod_container_at() order */
        size_t n_statuses;
} PodStatus;

/* Inputs about the pod as a whole. */
typedef struct PodRuntime {
        uint64_t now_usec;
        uint64_t start_time_usec;    /* when podd began starting the pod */
        bool deleting;               /* deletionTimestamp is set */
        const PodStatus *previous;   /* for lastTransitionTime and terminal-phase stickiness; may be NULL */
} PodRuntime;

/* Derives the status. rt has one entry per container in pod_container_at() order; unit_names likewise
 * (copied into the statuses). -ENOMEM only. */
int pod_status_compute(
                const Pod *pod,
                const ContainerRuntime *rt,
                char *const *unit_names,
                const PodRuntime *prt,
                PodStatus *ret);
void pod_status_done(PodStatus *s);
void container_runtime_done(ContainerRuntime *rt);
void unit_snapshot_done(UnitSnapshot *u);
void container_state_done(ContainerState *s);
void probe_status_done(ProbeStatus *s);
int container_state_copy(const ContainerState *from, ContainerState *to);

/* The terminated state systemd's snapshot describes (exit code, signal, reason Completed/Error/OOMKilled,
 * times), for podd to keep as last_termination when it sees an instance end. */
int container_state_from_exit(const UnitSnapshot *u, ContainerState *ret);

const char *pod_phase_to_string(PodPhase p) _pure_;
PodPhase pod_phase_from_string(const char *s) _pure_;
const char *pod_condition_type_to_string(PodConditionType t) _pure_;
const char *container_gate_to_string(ContainerGate g) _pure_;

/* The pod as kubectl's JSON (docs/API.md): metadata from pod and the extra fields below, spec from the
 * manifest's own spec node (as written), status from st. Caller frees. */
typedef struct PodMetaExtra {
        const char *uid;
        uint64_t creation_usec;
        uint64_t deletion_usec;           /* 0 = not deleting */
        int64_t deletion_grace_seconds;   /* with deletion_usec */
        const char *source_file;          /* podctl.io/source annotation */
} PodMetaExtra;
char *pod_to_json(const Pod *pod, const PodMetaExtra *meta, const PodStatus *st);
/* RFC 3339 UTC with seconds into buf (≥ 21 bytes); "" for 0. */
const char *format_rfc3339(uint64_t usec, char buf[static 32]);
