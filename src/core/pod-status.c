/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>

#include "pod-status.h"
#include "strbuf.h"
#include "string-util.h"

/* si_code values of a child's exit (waitid(2)); systemd reports them as ExecMainCode. */
#ifndef CLD_EXITED
#  define CLD_EXITED 1
#  define CLD_KILLED 2
#  define CLD_DUMPED 3
#endif

/* containerd reports a process that could not be started as StartError with exit code 128 (§5.2). */
#define START_ERROR_EXIT_CODE 128
/* Kubernetes' code for a container whose fate is unknown: as if SIGKILLed. */
#define STATUS_UNKNOWN_EXIT_CODE 137
/* The kubelet's first crash-loop back-off delay (§3.2), for when nothing better is known. */
#define BACKOFF_DEFAULT_USEC (10 * USEC_PER_SEC)

#define IMAGES_NOT_SUPPORTED_MESSAGE                                                                    \
        "podctl does not run container images yet: remove \"image\" to run the command on the host's "  \
        "root filesystem"
#define DEADLINE_MESSAGE "Pod was active on the node longer than the specified deadline"
#define UNKNOWN_TERMINATED_MESSAGE "The container could not be located when the pod was terminated"
#define UNKNOWN_VANISHED_MESSAGE \
        "The container could not be located when the pod was deleted.  The container used to be Running"

/* ---- string tables ---- */

static const char *const pod_phase_table[_POD_PHASE_MAX] = {
        [POD_PHASE_PENDING] = "Pending",
        [POD_PHASE_RUNNING] = "Running",
        [POD_PHASE_SUCCEEDED] = "Succeeded",
        [POD_PHASE_FAILED] = "Failed",
        [POD_PHASE_UNKNOWN] = "Unknown",
};

const char *pod_phase_to_string(PodPhase p) {
        if (p < 0 || p >= _POD_PHASE_MAX)
                return NULL;
        return pod_phase_table[p];
}

PodPhase pod_phase_from_string(const char *s) {
        if (!s)
                return _POD_PHASE_INVALID;
        for (PodPhase p = 0; p < _POD_PHASE_MAX; p++)
                if (streq(pod_phase_table[p], s))
                        return p;
        return _POD_PHASE_INVALID;
}

static const char *const pod_condition_type_table[_POD_CONDITION_TYPE_MAX] = {
        [POD_CONDITION_POD_SCHEDULED] = "PodScheduled",
        [POD_CONDITION_INITIALIZED] = "Initialized",
        [POD_CONDITION_CONTAINERS_READY] = "ContainersReady",
        [POD_CONDITION_READY] = "Ready",
};

const char *pod_condition_type_to_string(PodConditionType t) {
        if (t < 0 || t >= _POD_CONDITION_TYPE_MAX)
                return NULL;
        return pod_condition_type_table[t];
}

static const char *const container_gate_table[_CONTAINER_GATE_MAX] = {
        [CONTAINER_GATE_NONE] = "none",
        [CONTAINER_GATE_NOT_STARTED] = "not-started",
        [CONTAINER_GATE_IMAGE_UNSUPPORTED] = "image-unsupported",
        [CONTAINER_GATE_START_FAILED] = "start-failed",
        [CONTAINER_GATE_BACKOFF] = "backoff",
};

const char *container_gate_to_string(ContainerGate g) {
        if (g < 0 || g >= _CONTAINER_GATE_MAX)
                return NULL;
        return container_gate_table[g];
}

/* systemd's own exit statuses (systemd.exec(5), "Process Exit Codes"): the service's process exited with
 * one of these before it could exec the command. Kubernetes calls that StartError. 223 and 234 are
 * reserved (once tcpwrap and kdbus). */
typedef struct SystemdExitStatus {
        int status;
        const char *name;
        const char *what;
} SystemdExitStatus;

static const SystemdExitStatus systemd_exit_statuses[] = {
        { 200, "CHDIR", "failed to change to the working directory" },
        { 201, "NICE", "failed to set the scheduling priority" },
        { 202, "FDS", "failed to set up file descriptors" },
        { 203, "EXEC", "failed to execute command" },
        { 204, "MEMORY", "out of memory while starting" },
        { 205, "LIMITS", "failed to set resource limits" },
        { 206, "OOM_ADJUST", "failed to adjust the OOM score" },
        { 207, "SIGNAL_MASK", "failed to set the signal mask" },
        { 208, "STDIN", "failed to set up standard input" },
        { 209, "STDOUT", "failed to set up standard output" },
        { 210, "CHROOT", "failed to change the root directory" },
        { 211, "IOPRIO", "failed to set the IO scheduling priority" },
        { 212, "TIMERSLACK", "failed to set the timer slack" },
        { 213, "SECUREBITS", "failed to set the secure bits" },
        { 214, "SETSCHEDULER", "failed to set the CPU scheduling policy" },
        { 215, "CPUAFFINITY", "failed to set the CPU affinity" },
        { 216, "GROUP", "failed to set the group" },
        { 217, "USER", "failed to set the user" },
        { 218, "CAPABILITIES", "failed to set the capabilities" },
        { 219, "CGROUP", "failed to set up the control group" },
        { 220, "SETSID", "failed to create a new session" },
        { 221, "CONFIRM", "execution was not confirmed" },
        { 222, "STDERR", "failed to set up standard error" },
        { 224, "PAM", "failed to set up the PAM session" },
        { 225, "NETWORK", "failed to set up the network namespace" },
        { 226, "NAMESPACE", "failed to set up the mount namespace" },
        { 227, "NO_NEW_PRIVILEGES", "failed to disable new privileges" },
        { 228, "SECCOMP", "failed to apply the seccomp filter" },
        { 229, "SELINUX_CONTEXT", "failed to set the SELinux context" },
        { 230, "PERSONALITY", "failed to set the execution domain" },
        { 231, "APPARMOR", "failed to apply the AppArmor profile" },
        { 232, "ADDRESS_FAMILIES", "failed to restrict the address families" },
        { 233, "RUNTIME_DIRECTORY", "failed to set up the runtime directory" },
        { 235, "CHOWN", "failed to change the ownership of sockets" },
        { 236, "SMACK_PROCESS_LABEL", "failed to set the SMACK label" },
        { 237, "KEYRING", "failed to set up the kernel keyring" },
        { 238, "STATE_DIRECTORY", "failed to set up the state directory" },
        { 239, "CACHE_DIRECTORY", "failed to set up the cache directory" },
        { 240, "LOGS_DIRECTORY", "failed to set up the logs directory" },
        { 241, "CONFIGURATION_DIRECTORY", "failed to set up the configuration directory" },
        { 242, "NUMA_POLICY", "failed to set the NUMA policy" },
        { 243, "CREDENTIALS", "failed to set up the credentials" },
        { 245, "BPF", "failed to set up the BPF programs" },
};

static const SystemdExitStatus *systemd_exit_status_find(int status) {
        for (size_t i = 0; i < ELEMENTSOF(systemd_exit_statuses); i++)
                if (systemd_exit_statuses[i].status == status)
                        return &systemd_exit_statuses[i];
        return NULL;
}

/* ---- destructors and copies ---- */

void container_state_done(ContainerState *s) {
        if (!s)
                return;
        free(s->reason);
        free(s->message);
        *s = (ContainerState) {};
}

int container_state_copy(const ContainerState *from, ContainerState *to) {
        ContainerState c = *from;

        c.reason = strdup_or_null(from->reason);
        c.message = strdup_or_null(from->message);
        if ((from->reason && !c.reason) || (from->message && !c.message)) {
                container_state_done(&c);
                return -ENOMEM;
        }
        *to = c;
        return 0;
}

void unit_snapshot_done(UnitSnapshot *u) {
        if (!u)
                return;
        free(u->active_state);
        free(u->sub_state);
        free(u->result);
        free(u->invocation_id);
        *u = (UnitSnapshot) {};
}

void probe_status_done(ProbeStatus *s) {
        if (!s)
                return;
        free(s->last_message);
        *s = (ProbeStatus) {};
}

void container_runtime_done(ContainerRuntime *rt) {
        if (!rt)
                return;
        unit_snapshot_done(&rt->unit);
        free(rt->gate_message);
        free(rt->start_error_reason);
        free(rt->start_error_message);
        container_state_done(&rt->last_termination);
        for (size_t k = 0; k < _PROBE_KIND_MAX; k++)
                probe_status_done(&rt->probes[k]);
        *rt = (ContainerRuntime) {};
}

void pod_status_done(PodStatus *s) {
        if (!s)
                return;
        free(s->reason);
        free(s->message);
        for (size_t i = 0; i < _POD_CONDITION_TYPE_MAX; i++) {
                free(s->conditions[i].reason);
                free(s->conditions[i].message);
        }
        for (size_t i = 0; i < s->n_statuses; i++) {
                free(s->statuses[i].unit_name);
                container_state_done(&s->statuses[i].state);
                container_state_done(&s->statuses[i].last_state);
                for (size_t k = 0; k < _PROBE_KIND_MAX; k++)
                        probe_status_done(&s->statuses[i].probes[k]);
        }
        free(s->statuses);
        *s = (PodStatus) {};
}

/* ---- one container's state ---- */

static int state_set(ContainerState *s, ContainerStateKind kind, const char *reason, const char *message) {
        ContainerState n = { .kind = kind };

        n.reason = strdup_or_null(reason);
        n.message = strdup_or_null(message);
        if ((reason && !n.reason) || (message && !n.message)) {
                container_state_done(&n);
                return -ENOMEM;
        }
        container_state_done(s);
        *s = n;
        return 0;
}

/* Before a container's first start the kubelet says ContainerCreating, or PodInitializing when the pod has
 * init containers (for the init containers themselves too). */
static int state_set_default_waiting(ContainerState *s, const Pod *pod) {
        return state_set(s, CONTAINER_STATE_WAITING,
                         pod->spec.n_init_containers > 0 ? "PodInitializing" : "ContainerCreating", NULL);
}

static bool unit_result_is_success(const UnitSnapshot *u) {
        return isempty(u->result) || streq(u->result, "success");
}

int container_state_from_exit(const UnitSnapshot *u, ContainerState *ret) {
        ContainerState s = { .kind = CONTAINER_STATE_TERMINATED };
        const char *reason;
        _cleanup_(freep) char *message = NULL;

        assert(u);
        assert(ret);

        s.started_at = u->exec_main_start_usec;
        s.finished_at = u->exec_main_exit_usec ?: u->inactive_enter_usec;

        switch (u->exec_main_code) {
        case CLD_EXITED: {
                const SystemdExitStatus *e = systemd_exit_status_find(u->exec_main_status);
                if (e) {
                        /* systemd's child failed setting up the process: the command never ran. A
                         * command may exit with 203 itself, but nothing tells the two apart. */
                        message = asprintf_safe("%s (systemd exit status %d/%s)",
                                                e->what, e->status, e->name);
                        if (!message)
                                return -ENOMEM;
                        reason = "StartError";
                        s.exit_code = START_ERROR_EXIT_CODE;
                } else {
                        s.exit_code = u->exec_main_status;
                        reason = s.exit_code == 0 ? "Completed" : "Error";
                }
                break;
        }
        case CLD_KILLED:
        case CLD_DUMPED:
                s.signal = u->exec_main_status;
                s.exit_code = 128 + u->exec_main_status;
                reason = "Error";
                break;
        default:
                /* No main process ever exited. If the unit failed anyway, systemd gave up before forking
                 * (resources, a start condition, …): nothing ran, which is a start error. */
                if (unit_result_is_success(u)) {
                        *ret = (ContainerState) {};
                        return 0;
                }
                message = asprintf_safe("systemd could not start the unit (result \"%s\")", u->result);
                if (!message)
                        return -ENOMEM;
                reason = "StartError";
                s.exit_code = START_ERROR_EXIT_CODE;
                break;
        }

        /* The OOM killer's work shows in the unit's result, whatever the exit code says. */
        if (streq_ptr(u->result, "oom-kill") && !streq(reason, "StartError"))
                reason = "OOMKilled";

        s.reason = strdup(reason);
        if (!s.reason)
                return -ENOMEM;
        s.message = TAKE_PTR(message);
        *ret = s;
        return 0;
}

static int state_set_from_exit(ContainerState *s, const UnitSnapshot *u) {
        ContainerState n;
        int r;

        r = container_state_from_exit(u, &n);
        if (r < 0)
                return r;
        container_state_done(s);
        *s = n;
        return 0;
}

static bool same_instance(const ContainerState *a, const ContainerState *b) {
        return a->kind == CONTAINER_STATE_TERMINATED && b->kind == CONTAINER_STATE_TERMINATED &&
                a->started_at == b->started_at && a->finished_at == b->finished_at &&
                a->exit_code == b->exit_code;
}

/* Go's time.Duration.String() of usec, which is how the kubelet prints a back-off window. */
static void format_go_duration(uint64_t usec, char buf[static 64]) {
        if (usec == 0) {
                strcpy(buf, "0s");
                return;
        }
        if (usec < 1000) {
                (void) snprintf(buf, 64, "%" PRIu64 "µs", usec);
                return;
        }
        if (usec < USEC_PER_SEC) {
                char frac[8];
                (void) snprintf(frac, sizeof(frac), ".%03" PRIu64, usec % 1000);
                for (size_t n = strlen(frac); n > 0 && (frac[n - 1] == '0' || frac[n - 1] == '.'); n--)
                        frac[n - 1] = '\0';
                (void) snprintf(buf, 64, "%" PRIu64 "%sms", usec / 1000, frac);
                return;
        }

        uint64_t secs = usec / USEC_PER_SEC;
        char frac[16] = "";
        if (usec % USEC_PER_SEC != 0) {
                (void) snprintf(frac, sizeof(frac), ".%06" PRIu64, usec % USEC_PER_SEC);
                for (size_t n = strlen(frac); n > 0 && frac[n - 1] == '0'; n--)
                        frac[n - 1] = '\0';
        }
        if (secs >= 3600)
                (void) snprintf(buf, 64, "%" PRIu64 "h%" PRIu64 "m%" PRIu64 "%ss",
                                secs / 3600, secs / 60 % 60, secs % 60, frac);
        else if (secs >= 60)
                (void) snprintf(buf, 64, "%" PRIu64 "m%" PRIu64 "%ss", secs / 60, secs % 60, frac);
        else
                (void) snprintf(buf, 64, "%" PRIu64 "%ss", secs, frac);
}

static int state_set_crash_loop(
                ContainerState *s, const Pod *pod, const Container *c, uint64_t window_usec) {
        _cleanup_(freep) char *message = NULL;
        char window[64];

        /* The kubelet's windows are whole seconds; systemd's (RestartSteps= interpolation, or a window
         * measured between two timestamps) are not, and "19.743504s" would only be noise. */
        if (window_usec >= USEC_PER_SEC)
                window_usec = (window_usec + USEC_PER_SEC / 2) / USEC_PER_SEC * USEC_PER_SEC;
        format_go_duration(window_usec, window);

        message = asprintf_safe("back-off %s restarting failed container=%s pod=%s_%s(%s)", window, c->name,
                                pod->metadata.name ?: "", pod->metadata.namespace ?: "default",
                                pod->metadata.uid ?: "");
        if (!message)
                return -ENOMEM;
        return state_set(s, CONTAINER_STATE_WAITING, "CrashLoopBackOff", message);
}

/* The back-off window podd's own hold stands for: from the end of the last instance to the next start. */
static uint64_t gate_backoff_window(const ContainerRuntime *rt, const ContainerState *last) {
        uint64_t finished = last->kind == CONTAINER_STATE_TERMINATED ? last->finished_at : 0;

        if (finished == 0)
                finished = rt->unit.exec_main_exit_usec ?: rt->unit.inactive_enter_usec;
        if (finished > 0 && rt->next_start_usec > finished)
                return rt->next_start_usec - finished;
        return rt->unit.restart_usec ?: BACKOFF_DEFAULT_USEC;
}

static bool unit_main_exited(const UnitSnapshot *u) {
        return u->exec_main_code == CLD_EXITED || u->exec_main_code == CLD_KILLED ||
                u->exec_main_code == CLD_DUMPED;
}

static int derive_state(
                const Pod *pod,
                const Container *c,
                const ContainerRuntime *rt,
                bool was_running,
                ContainerState *state,
                ContainerState *last) {

        const UnitSnapshot *u = &rt->unit;
        int r;

        /* lastState is the previous instance, as podd recorded it; the cases below refine it. */
        if (rt->last_termination.kind == CONTAINER_STATE_TERMINATED) {
                r = container_state_copy(&rt->last_termination, last);
                if (r < 0)
                        return r;
        }

        switch (rt->gate) {
        case CONTAINER_GATE_NOT_STARTED:
                return state_set_default_waiting(state, pod);

        case CONTAINER_GATE_IMAGE_UNSUPPORTED: {
                _cleanup_(freep) char *message = NULL;
                if (!isempty(rt->gate_message)) {
                        message = asprintf_safe("%s (%s)", IMAGES_NOT_SUPPORTED_MESSAGE, rt->gate_message);
                        if (!message)
                                return -ENOMEM;
                }
                return state_set(state, CONTAINER_STATE_WAITING, "ImagesNotSupported",
                                 message ?: IMAGES_NOT_SUPPORTED_MESSAGE);
        }

        case CONTAINER_GATE_START_FAILED:
                return state_set(state, CONTAINER_STATE_WAITING, "RunContainerError",
                                 isempty(rt->gate_message) ? "failed to start the container's unit"
                                                           : rt->gate_message);

        case CONTAINER_GATE_BACKOFF:
                if (last->kind != CONTAINER_STATE_TERMINATED && u->exists) {
                        r = state_set_from_exit(last, u);
                        if (r < 0)
                                return r;
                }
                return state_set_crash_loop(state, pod, c, gate_backoff_window(rt, last));

        default:
                break;
        }

        if (!u->exists) {
                /* A transient unit that stopped cleanly is unloaded by systemd: what podd recorded of its
                 * end is all there is, and it is the current state, not a previous one. */
                if (last->kind == CONTAINER_STATE_TERMINATED) {
                        container_state_done(state);
                        *state = *last;
                        *last = (ContainerState) {};
                        return 0;
                }
                if (was_running) {
                        r = state_set(state, CONTAINER_STATE_TERMINATED, "ContainerStatusUnknown",
                                      UNKNOWN_VANISHED_MESSAGE);
                        if (r < 0)
                                return r;
                        state->exit_code = STATUS_UNKNOWN_EXIT_CODE;
                        return 0;
                }
                /* podd asked for the unit and systemd has not loaded it yet. */
                return state_set_default_waiting(state, pod);
        }

        const char *active = u->active_state ?: "", *sub = u->sub_state ?: "";

        if (startswith(sub, "auto-restart")) {
                /* systemd holds the restart for RestartUSec: that is the crash-loop back-off, and the
                 * snapshot still describes the instance that ended. */
                if (unit_main_exited(u) || !unit_result_is_success(u)) {
                        container_state_done(last);
                        r = state_set_from_exit(last, u);
                        if (r < 0)
                                return r;
                }
                if (rt->start_error_reason)
                        return state_set(state, CONTAINER_STATE_WAITING, rt->start_error_reason,
                                         rt->start_error_message);
                return state_set_crash_loop(state, pod, c, u->restart_usec);
        }

        if (unit_main_exited(u))
                /* The main process ended: that decides, whatever systemd's state says. systemd sends the
                 * service's properties (the exit) before the unit's (the state), so a command that ended
                 * at once shows while the unit still says "activating"; a container waiting there, with its
                 * own exit as a previous instance, would make a Never pod Failed (and final). */
                r = state_set_from_exit(state, u);
        else if (streq(active, "active")) {
                if (streq(sub, "exited"))
                        r = state_set_from_exit(state, u);
                else {
                        r = state_set(state, CONTAINER_STATE_RUNNING, NULL, NULL);
                        state->started_at = u->exec_main_start_usec ?: u->active_enter_usec;
                }
        } else if (streq(active, "activating")) {
                /* A oneshot unit (init container) runs its command while "activating/start"; any other
                 * container is not Running before systemd calls it active, which is after postStart
                 * (ExecStartPost=) finished (§1.3). */
                if (c->role == CONTAINER_INIT && streq(sub, "start") && u->exec_main_start_usec > 0) {
                        r = state_set(state, CONTAINER_STATE_RUNNING, NULL, NULL);
                        state->started_at = u->exec_main_start_usec;
                } else
                        r = state_set_default_waiting(state, pod);
        } else if (streq(active, "deactivating") || streq(active, "reloading")) {
                if (u->active_enter_usec < u->exec_main_start_usec && c->role != CONTAINER_INIT)
                        /* Stopped before it ever became active (a failed postStart): never Running. */
                        r = state_set_default_waiting(state, pod);
                else {
                        /* Still running while preStop and the stop signal take their time, as in
                         * Kubernetes until the process is gone. */
                        r = state_set(state, CONTAINER_STATE_RUNNING, NULL, NULL);
                        state->started_at = u->exec_main_start_usec ?: u->active_enter_usec;
                }
        } else {
                /* inactive, failed, maintenance */
                if (u->exec_main_start_usec == 0 && unit_result_is_success(u))
                        r = state_set_default_waiting(state, pod); /* loaded, never started */
                else {
                        r = state_set_from_exit(state, u);
                        if (r >= 0 && state->kind == CONTAINER_STATE_NONE)
                                r = state_set_default_waiting(state, pod);
                }
        }
        if (r < 0)
                return r;

        /* podd may have recorded the instance that is now the current state: it is not a previous one. */
        if (same_instance(state, last))
                container_state_done(last);
        return 0;
}

/* ---- the pod ---- */

static bool container_is_live(const ContainerRuntime *rt) {
        const UnitSnapshot *u = &rt->unit;

        if (rt->gate != CONTAINER_GATE_NONE || !u->exists)
                return false;
        if (streq_ptr(u->active_state, "activating") || streq_ptr(u->active_state, "deactivating") ||
            streq_ptr(u->active_state, "reloading"))
                return true;
        /* "active/exited" is a finished oneshot (init container): done, not live. */
        return streq_ptr(u->active_state, "active") && !streq_ptr(u->sub_state, "exited");
}

static bool status_ever_started(const ContainerStatus *cs) {
        return cs->state.kind == CONTAINER_STATE_RUNNING || cs->state.kind == CONTAINER_STATE_TERMINATED ||
                cs->last_state.kind == CONTAINER_STATE_TERMINATED || cs->restart_count > 0;
}

static bool any_regular_container_started(const PodStatus *s) {
        for (size_t i = 0; i < s->n_statuses; i++)
                if (s->statuses[i].spec->role == CONTAINER_APP && status_ever_started(&s->statuses[i]))
                        return true;
        return false;
}

static int set_status_unknown(ContainerStatus *cs) {
        int r;

        r = state_set(&cs->state, CONTAINER_STATE_TERMINATED, "ContainerStatusUnknown",
                      UNKNOWN_TERMINATED_MESSAGE);
        if (r < 0)
                return r;
        cs->state.exit_code = STATUS_UNKNOWN_EXIT_CODE;
        return 0;
}

/* The kubelet's TerminatePod: once a terminating pod has no container left, a container that is not
 * terminated cannot have succeeded, so it is reported as terminated with an unknown status (exit 137).
 * Init containers at the end that never started stay waiting. */
static int apply_terminated_defaults(PodStatus *s) {
        size_t init_suffix = s->n_statuses; /* first init container of the never-started tail */
        int r;

        for (size_t i = 0; i < s->n_statuses; i++) {
                const ContainerStatus *cs = &s->statuses[i];
                if (cs->spec->role == CONTAINER_APP)
                        continue;
                if (status_ever_started(cs))
                        init_suffix = s->n_statuses;
                else if (init_suffix == s->n_statuses)
                        init_suffix = i;
        }

        for (size_t i = 0; i < s->n_statuses; i++) {
                ContainerStatus *cs = &s->statuses[i];
                if (cs->state.kind == CONTAINER_STATE_TERMINATED)
                        continue;
                if (cs->spec->role != CONTAINER_APP && i >= init_suffix)
                        continue;
                r = set_status_unknown(cs);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool phase_is_terminal(PodPhase p) {
        return p == POD_PHASE_SUCCEEDED || p == POD_PHASE_FAILED;
}

/* k8s-semantics.md §5.1 (getPhase). */
static PodPhase compute_phase(const Pod *pod, const PodStatus *s, bool terminal) {
        unsigned pending_init = 0, failed_init = 0, pending_sidecar = 0;
        unsigned unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
        const char *policy = pod->spec.restart_policy ?: "Always";

        for (size_t i = 0; i < s->n_statuses; i++) {
                const ContainerStatus *cs = &s->statuses[i];
                bool had_termination = cs->last_state.kind == CONTAINER_STATE_TERMINATED;

                switch (cs->spec->role) {
                case CONTAINER_INIT:
                        switch (cs->state.kind) {
                        case CONTAINER_STATE_TERMINATED:
                                if (cs->state.exit_code != 0)
                                        failed_init++;
                                break;
                        case CONTAINER_STATE_WAITING:
                                if (!had_termination)
                                        pending_init++;
                                else if (cs->last_state.exit_code != 0)
                                        failed_init++;
                                break;
                        default: /* running, or no status */
                                pending_init++;
                                break;
                        }
                        break;

                case CONTAINER_SIDECAR:
                        switch (cs->state.kind) {
                        case CONTAINER_STATE_RUNNING:
                                if (!cs->started)
                                        pending_sidecar++;
                                running++;
                                break;
                        case CONTAINER_STATE_WAITING:
                                if (!had_termination) {
                                        pending_sidecar++;
                                        waiting++;
                                }
                                break;
                        case CONTAINER_STATE_TERMINATED:
                                break; /* a terminated sidecar never decides the phase */
                        default:
                                pending_sidecar++;
                                unknown++;
                                break;
                        }
                        break;

                default:
                        switch (cs->state.kind) {
                        case CONTAINER_STATE_RUNNING:
                                running++;
                                break;
                        case CONTAINER_STATE_TERMINATED:
                                stopped++;
                                if (cs->state.exit_code == 0)
                                        succeeded++;
                                break;
                        case CONTAINER_STATE_WAITING:
                                if (had_termination)
                                        stopped++;
                                else
                                        waiting++;
                                break;
                        default:
                                unknown++;
                                break;
                        }
                        break;
                }
        }

        if (failed_init > 0 && streq(policy, "Never"))
                return POD_PHASE_FAILED;
        if (pending_init > 0 || (pending_sidecar > 0 && !any_regular_container_started(s)) || waiting > 0)
                return POD_PHASE_PENDING;
        if (running > 0 && unknown == 0)
                return POD_PHASE_RUNNING;
        if (running == 0 && stopped > 0 && unknown == 0) {
                if (terminal)
                        return stopped == succeeded ? POD_PHASE_SUCCEEDED : POD_PHASE_FAILED;
                if (streq(policy, "Always"))
                        return POD_PHASE_RUNNING;
                if (stopped == succeeded)
                        return POD_PHASE_SUCCEEDED;
                if (streq(policy, "Never"))
                        return POD_PHASE_FAILED;
                return POD_PHASE_RUNNING;
        }
        return POD_PHASE_PENDING;
}

/* Go prints a []string as "[a b]". */
static void append_name_list(StrBuf *b, const char *what, char **names, size_t n) {
        if (n == 0)
                return;
        if (b->len > 0)
                strbuf_append(b, ", ");
        strbuf_printf(b, "containers with %s status: [", what);
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        strbuf_append_char(b, ' ');
                strbuf_append(b, names[i]);
        }
        strbuf_append_char(b, ']');
}

static int condition_set(PodCondition *c, bool status, const char *reason, const char *message) {
        char *r = NULL, *m = NULL;

        r = strdup_or_null(reason);
        m = strdup_or_null(message);
        if ((reason && !r) || (message && !m)) {
                free(r);
                free(m);
                return -ENOMEM;
        }
        free(c->reason);
        free(c->message);
        c->status = status;
        c->reason = r;
        c->message = m;
        return 0;
}

/* Builds "containers with unknown status: [..], containers with <what> status: [..]" or NULL if both lists
 * are empty. -ENOMEM on OOM. */
static int name_lists_message(
                char **unknown, size_t n_unknown, const char *what, char **names, size_t n, char **ret) {
        StrBuf b = {};

        append_name_list(&b, "unknown", unknown, n_unknown);
        append_name_list(&b, what, names, n);
        if (b.len == 0 && !b.oom) {
                *ret = NULL;
                return 0;
        }
        *ret = strbuf_steal(&b);
        return *ret ? 0 : -ENOMEM;
}

static bool init_succeeded(const ContainerStatus *cs) {
        return cs->state.kind == CONTAINER_STATE_TERMINATED && cs->state.exit_code == 0;
}

/* §5.3, GeneratePodInitializedCondition. */
static int condition_initialized(const PodStatus *s, PodPhase phase, PodCondition *c) {
        _cleanup_(freep) char **unknown = calloc(s->n_statuses + 1, sizeof(char *));
        _cleanup_(freep) char **incomplete = calloc(s->n_statuses + 1, sizeof(char *));
        _cleanup_(freep) char *message = NULL;
        size_t n_unknown = 0, n_incomplete = 0;
        int r;

        if (!unknown || !incomplete)
                return -ENOMEM;

        for (size_t i = 0; i < s->n_statuses; i++) {
                const ContainerStatus *cs = &s->statuses[i];
                if (cs->spec->role == CONTAINER_APP)
                        continue;
                if (cs->state.kind == CONTAINER_STATE_NONE)
                        unknown[n_unknown++] = cs->spec->name;
                else if (cs->spec->role == CONTAINER_SIDECAR ? !cs->started : !init_succeeded(cs))
                        incomplete[n_incomplete++] = cs->spec->name;
        }

        if (phase == POD_PHASE_SUCCEEDED && n_unknown == 0)
                return condition_set(c, true, "PodCompleted", NULL);
        /* Once a regular container started, the pod was initialized, even while a sidecar restarts. */
        if (any_regular_container_started(s))
                return condition_set(c, true, NULL, NULL);

        r = name_lists_message(unknown, n_unknown, "incomplete", incomplete, n_incomplete, &message);
        if (r < 0)
                return r;
        if (message)
                return condition_set(c, false, "ContainersNotInitialized", message);
        return condition_set(c, true, NULL, NULL);
}

/* §5.3, GenerateContainersReadyCondition. */
static int condition_containers_ready(const PodStatus *s, PodPhase phase, PodCondition *c) {
        _cleanup_(freep) char **unknown = calloc(s->n_statuses + 1, sizeof(char *));
        _cleanup_(freep) char **unready = calloc(s->n_statuses + 1, sizeof(char *));
        _cleanup_(freep) char *message = NULL;
        size_t n_unknown = 0, n_unready = 0;
        int r;

        if (!unknown || !unready)
                return -ENOMEM;

        /* Sidecars first, then regular containers: the kubelet walks them in that order. */
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < s->n_statuses; i++) {
                        const ContainerStatus *cs = &s->statuses[i];
                        if (cs->spec->role != (pass == 0 ? CONTAINER_SIDECAR : CONTAINER_APP))
                                continue;
                        if (cs->state.kind == CONTAINER_STATE_NONE)
                                unknown[n_unknown++] = cs->spec->name;
                        else if (!cs->ready)
                                unready[n_unready++] = cs->spec->name;
                }

        if (phase == POD_PHASE_SUCCEEDED && n_unknown == 0)
                return condition_set(c, false, "PodCompleted", NULL);
        /* Containers of a failed pod may still be terminating: never ready. */
        if (phase == POD_PHASE_FAILED)
                return condition_set(c, false, "PodFailed", NULL);

        r = name_lists_message(unknown, n_unknown, "unready", unready, n_unready, &message);
        if (r < 0)
                return r;
        if (message)
                return condition_set(c, false, "ContainersNotReady", message);
        return condition_set(c, true, NULL, NULL);
}

static int compute_conditions(PodStatus *s, const PodStatus *previous, uint64_t now) {
        int r;

        r = condition_set(&s->conditions[POD_CONDITION_POD_SCHEDULED], true, NULL, NULL);
        if (r < 0)
                return r;
        r = condition_initialized(s, s->phase, &s->conditions[POD_CONDITION_INITIALIZED]);
        if (r < 0)
                return r;
        r = condition_containers_ready(s, s->phase, &s->conditions[POD_CONDITION_CONTAINERS_READY]);
        if (r < 0)
                return r;
        /* No readinessGates in the model: Ready is ContainersReady, reason and message included. */
        const PodCondition *cr = &s->conditions[POD_CONDITION_CONTAINERS_READY];
        r = condition_set(&s->conditions[POD_CONDITION_READY], cr->status, cr->reason, cr->message);
        if (r < 0)
                return r;

        /* lastTransitionTime moves only when the status flips (the status manager's rule). */
        for (PodConditionType t = 0; t < _POD_CONDITION_TYPE_MAX; t++) {
                PodCondition *c = &s->conditions[t];
                if (previous && previous->conditions[t].status == c->status &&
                    previous->conditions[t].last_transition_usec > 0)
                        c->last_transition_usec = previous->conditions[t].last_transition_usec;
                else
                        c->last_transition_usec = now;
        }
        return 0;
}

static const ContainerStatus *previous_status(const PodStatus *previous, const char *unit_name) {
        if (!previous || !unit_name)
                return NULL;
        for (size_t i = 0; i < previous->n_statuses; i++)
                if (streq_ptr(previous->statuses[i].unit_name, unit_name))
                        return &previous->statuses[i];
        return NULL;
}

static bool deadline_exceeded(const Pod *pod, uint64_t start_usec, uint64_t now_usec) {
        const OptInt *d = &pod->spec.active_deadline_seconds;

        if (!d->set || d->value < 0 || start_usec == 0 || now_usec < start_usec)
                return false;
        /* The kubelet compares with ">=": a pod is out of time at the deadline itself. */
        return now_usec - start_usec >= (uint64_t) d->value * USEC_PER_SEC;
}

int pod_status_compute(
                const Pod *pod,
                const ContainerRuntime *rt,
                char *const *unit_names,
                const PodRuntime *prt,
                PodStatus *ret) {

        static const ContainerRuntime no_runtime = {};
        _cleanup_(pod_status_done) PodStatus s = {};
        const PodStatus *previous = prt ? prt->previous : NULL;
        uint64_t now = prt ? prt->now_usec : 0;
        size_t n = pod_n_containers(pod);
        int r;

        assert(pod);
        assert(ret);

        s.statuses = calloc(n ?: 1, sizeof(ContainerStatus));
        if (!s.statuses)
                return -ENOMEM;
        s.n_statuses = n;

        for (size_t i = 0; i < n; i++) {
                ContainerStatus *cs = &s.statuses[i];
                const ContainerRuntime *r_i = rt ? &rt[i] : &no_runtime;

                cs->spec = pod_container_at(pod, i);
                if (unit_names && unit_names[i]) {
                        cs->unit_name = strdup(unit_names[i]);
                        if (!cs->unit_name)
                                return -ENOMEM;
                }
                cs->restart_count = r_i->unit.n_restarts + r_i->podd_restarts;

                const ContainerStatus *prev_cs = previous_status(previous, cs->unit_name);
                bool was_running = prev_cs && prev_cs->state.kind == CONTAINER_STATE_RUNNING;
                r = derive_state(pod, cs->spec, r_i, was_running, &cs->state, &cs->last_state);
                if (r < 0)
                        return r;
                /* The kubelet's "started": running, and the startup probe (if any) succeeded. */
                cs->started = cs->state.kind == CONTAINER_STATE_RUNNING &&
                        (!cs->spec->startup_probe || r_i->probes[PROBE_STARTUP].result == PROBE_RESULT_SUCCESS);
                for (size_t k = 0; k < _PROBE_KIND_MAX; k++) {
                        cs->probes[k] = r_i->probes[k];
                        cs->probes[k].last_message = strdup_or_null(r_i->probes[k].last_message);
                        if (r_i->probes[k].last_message && !cs->probes[k].last_message)
                                return -ENOMEM;
                }
        }

        /* podctl's rule for the kubelet's "pod is terminal": a pod being deleted whose containers have all
         * stopped. The kubelet exempts static pods (a TODO upstream); podctl does not, or a deleted pod
         * would keep its last phase forever. */
        bool terminal = false;
        if (prt && prt->deleting) {
                terminal = true;
                for (size_t i = 0; i < n; i++)
                        if (container_is_live(rt ? &rt[i] : &no_runtime))
                                terminal = false;
        }
        if (terminal) {
                r = apply_terminated_defaults(&s);
                if (r < 0)
                        return r;
        }

        s.phase = compute_phase(pod, &s, terminal);
        if (terminal && !phase_is_terminal(s.phase))
                s.phase = POD_PHASE_FAILED;

        s.start_time_usec = prt && prt->start_time_usec > 0 ? prt->start_time_usec
                                                             : previous ? previous->start_time_usec : 0;

        const char *reason = NULL, *message = NULL;
        if (previous && phase_is_terminal(previous->phase)) {
                /* A terminal phase is final, with the reason it came with. */
                s.phase = previous->phase;
                reason = previous->reason;
                message = previous->message;
        } else if (!phase_is_terminal(s.phase) && deadline_exceeded(pod, s.start_time_usec, now)) {
                s.phase = POD_PHASE_FAILED;
                reason = "DeadlineExceeded";
                message = DEADLINE_MESSAGE;
        }
        s.reason = strdup_or_null(reason);
        s.message = strdup_or_null(message);
        if ((reason && !s.reason) || (message && !s.message))
                return -ENOMEM;

        for (size_t i = 0; i < n; i++) {
                ContainerStatus *cs = &s.statuses[i];
                if (cs->spec->role == CONTAINER_INIT)
                        cs->ready = init_succeeded(cs);
                else {
                        /* Ready: started, and the readiness probe (if any) succeeds. A terminal pod has no
                         * ready container. */
                        const ContainerRuntime *r_i = rt ? &rt[i] : &no_runtime;
                        cs->ready = cs->state.kind == CONTAINER_STATE_RUNNING && cs->started &&
                                (!cs->spec->readiness_probe || r_i->probes[PROBE_READINESS].result == PROBE_RESULT_SUCCESS) &&
                                !phase_is_terminal(s.phase);
                }
        }

        r = compute_conditions(&s, previous, now);
        if (r < 0)
                return r;

        *ret = s;
        s = (PodStatus) {};
        return 0;
}
