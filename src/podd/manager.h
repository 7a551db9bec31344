/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "config-dir.h"
#include "events.h"
#include "hashmap.h"
#include "hook-watch.h"
#include "pod-probes.h"
#include "pod-status.h"
#include "probe-clock.h"
#include "prober.h"
#include "systemd-client.h"
#include "unit-plan.h"

/* podd's state: the desired pods (/etc/pods, through ConfigDir), the running pods (PodRun, one per pod
 * podd is starting, running or terminating), and the connections to systemd and to clients. Everything
 * runs in one sd-event loop; nothing blocks it. */

typedef struct Manager Manager;
typedef struct PodRun PodRun;

typedef struct PoddRestart {
        sd_event_source *timer;
        uint64_t exit_usec; /* the exit (ExecMainExitTimestamp) the restart is for: one restart per exit */
        /* A RestartUnit podd asked for: counted once the new instance runs, as the kubelet counts at
         * creation, with the NRestarts that systemd's manual start resets to 0. */
        bool counting;
        uint32_t n_restarts_before;
        uint64_t start_usec_before;
} PoddRestart;

typedef enum PodStage {
        POD_STAGE_STARTING,    /* slices and containers are being started, in order */
        POD_STAGE_STARTED,     /* every container was started (or is gated): systemd keeps them running */
        POD_STAGE_BLOCKED,     /* an init container failed with restartPolicy Never, or cannot run: nothing more starts */
        POD_STAGE_TERMINATING, /* being stopped; removed from podd once its slice is stopped */
        _POD_STAGE_MAX,
        _POD_STAGE_INVALID = -EINVAL,
} PodStage;

struct PodRun {
        Manager *manager;
        char *key; /* "namespace/name" */
        char *namespace;
        char *name;
        char *uid;
        char *hash;        /* of the desired object this run was made from */
        char *source_file; /* the manifest file that declares it */
        char *object_json; /* the object, as JSON: what `manifest` was loaded from */
        Manifest *manifest;
        const Pod *pod;    /* manifest->pods[0] */
        UnitPlan *plan;
        char *pod_slice;

        size_t n_containers; /* pod_container_at() order */
        ContainerRuntime *rt;
        char **units;        /* the service of each container */
        uint64_t *backoff_usec; /* podd's own restart back-off window per container (init containers) */
        bool *announced;     /* per container: the "Started"/image events were recorded */
        PodProbes *probes;
        PoddRestart *restarts; /* per container: a restart podd makes itself (see pod_run_restart_later) */

        PodStatus status;
        bool have_status;

        PodStage stage;
        size_t next;          /* the next container to start */
        bool job_in_flight;   /* a start job for the slices or for container `next` is pending */
        sd_event_source *backoff_timer;

        uint64_t creation_usec;
        uint64_t start_usec;
        uint64_t deletion_usec;
        int64_t deletion_grace;
        bool hidden;          /* force-deleted: gone from the API while its units still stop */
};

struct Manager {
        sd_event *event;
        sd_bus *bus;
        SystemdClient *systemd;
        ConfigDir *config;
        EventLog *events;
        HookWatch *hook_watch;  /* hook failures pod-hook reports in the journal */
        Prober *prober;         /* runs probe attempts for every pod's PodProbes */
        ProbeClock *probe_clock; /* every probe's next tick, under one timer */
        Hashmap *pods;          /* key → PodRun */
        Hashmap *adopt_units;   /* while adopting: unit name → UnitSnapshot* */
        bool adopting;
        char *hostname;
        char *state_dir;        /* /run/pods/state: per-pod runtime facts that let a restarted podd adopt */
        sd_event_source *reconcile_event;
        sd_bus_slot *vtable_slot;
};

int manager_new(sd_event *event, sd_bus *bus, Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);
/* Loads /etc/pods, subscribes to systemd, adopts what runs, then reconciles. Returns once the first
 * steps are queued; the rest happens in the event loop. */
int manager_startup(Manager *m);
/* Queues a reconciliation of desired and running pods (coalesced). */
void manager_schedule_reconcile(Manager *m);

PodRun *manager_find_pod(Manager *m, const char *ns, const char *name);
/* Records an event about the pod (c: the container it concerns, or NULL) in the journal and the ring. */
void pod_run_event(PodRun *p, const Container *c, const char *type, const char *reason, const char *fmt, ...)
        _printf_(5, 6);
/* Computes the status again and tells clients (PodChanged). */
void pod_run_changed(PodRun *p);
/* Kills container i through its stop sequence (preStop, signal, grace) with `grace` seconds, and starts
 * it again unless restartPolicy says no: a failed liveness or startup probe (k8s-semantics.md §4.4). */
int pod_run_kill_container(PodRun *p, size_t i, int64_t grace);
/* Container i's probe results changed: the status changes, and a sidecar that was waiting for its startup
 * probe lets the containers after it start. */
void pod_run_probes_changed(PodRun *p, size_t i);
/* Begins graceful termination: grace < 0 uses the pod's own terminationGracePeriodSeconds. */
int pod_run_terminate(PodRun *p, int64_t grace, bool force);
/* The pod's JSON (docs/API.md). Caller frees. */
char *pod_run_to_json(PodRun *p);

/* manager-dbus.c */
int manager_bus_register(Manager *m);
void manager_emit_pod_changed(Manager *m, PodRun *p);
void manager_emit_pod_removed(Manager *m, const char *ns, const char *name);
void manager_emit_event_added(EventLog *l, const char *json, void *userdata);
