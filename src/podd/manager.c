/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "manager.h"
#include "pod-state-file.h"
#include "pod-volumes.h"
#include "strbuf.h"
#include "string-util.h"
#include "strv.h"
#include "unit-name.h"

#define PODS_STATE_DIR "/run/pods/state"
/* The grace of one deletion, one file per unit, read by pod-hook's stop sequence (its ExecStop=), which
 * prefers it to the spec's --grace-seconds= (pod-hook.c has the same path). */
#define PODS_GRACE_DIR "/run/pods/grace"
/* unit-plan.c's backstop behind pod-hook: TimeoutStopSec= = grace + 2 s extension + 3 s margin. */
#define STOP_TIMEOUT_EXTRA_SEC 5
#define PODS_ARCHIVE_DIR "/var/lib/pods/removed"

/* Kubernetes' restart back-off (k8s-semantics.md §3.2), for the restarts podd makes itself (init
 * containers): the first restart is immediate, then 10 s doubling up to 5 min. */
#define BACKOFF_INITIAL_USEC (10 * USEC_PER_SEC)
#define BACKOFF_MAX_USEC (300 * USEC_PER_SEC)

static void pod_run_start_next(PodRun *p);

/* ---- events ---- */

void pod_run_event(PodRun *p, const Container *c, const char *type, const char *reason, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        _cleanup_(freep) char *msg = vasprintf_safe(fmt, ap);
        va_end(ap);
        if (!msg)
                return;
        EventInfo e = {
                .namespace = p->namespace,
                .pod = p->name,
                .pod_uid = p->uid,
                .container = c ? c->name : NULL,
                .type = type,
                .reason = reason,
                .message = msg,
        };
        (void) event_log_add(p->manager->events, &e, true);
}

/* A start, stop or restart job that did not end "done": say so in podd's log. */
static void log_job_end(const char *what, const char *unit, int r, const char *result, const sd_bus_error *error) {
        if (r < 0)
                log_message(LOG_WARNING, "%s %s: %s", what, unit,
                            error && error->message ? error->message : strerror(-r));
        else if (!streq_ptr(result, "done"))
                log_message(LOG_WARNING, "%s %s: %s", what, unit, result);
}

/* ---- PodRun lifetime ---- */

static PodRun *pod_run_free(PodRun *p) {
        if (!p)
                return NULL;
        if (p->manager)
                systemd_client_forget(p->manager->systemd, p);
        pod_probes_free(p->probes);
        sd_event_source_disable_unref(p->backoff_timer);
        for (size_t i = 0; p->restarts && i < p->n_containers; i++)
                sd_event_source_disable_unref(p->restarts[i].timer);
        free(p->restarts);
        for (size_t i = 0; i < p->n_containers; i++)
                container_runtime_done(&p->rt[i]);
        free(p->rt);
        strv_free(p->units);
        free(p->backoff_usec);
        free(p->announced);
        pod_status_done(&p->status);
        unit_plan_free(p->plan);
        manifest_free(p->manifest);
        free(p->object_json);
        free(p->source_file);
        free(p->hash);
        free(p->uid);
        free(p->pod_slice);
        free(p->namespace);
        free(p->name);
        free(p->key);
        free(p);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(PodRun *, pod_run_free);

static char *pod_key(const char *ns, const char *name) {
        return asprintf_safe("%s/%s", ns, name);
}

static char *new_uid(void) {
        sd_id128_t id;
        if (sd_id128_randomize(&id) < 0)
                return NULL;
        /* RFC 4122 text form, as Kubernetes prints UIDs */
        return asprintf_safe(SD_ID128_UUID_FORMAT_STR, SD_ID128_FORMAT_VAL(id));
}

static PlanContext pod_run_plan_context(const PodRun *p) {
        PlanContext ctx = PLAN_CONTEXT_DEFAULT;
        ctx.hook_path = POD_HOOK_PATH;
        ctx.pod_uid = p->uid;
        ctx.systemd_version = systemd_client_version(p->manager->systemd);
        return ctx;
}

/* Makes a run from a desired pod: the run owns its own copy of the object (parsed again from its JSON
 * form), so reloading /etc/pods never pulls the model from under a running pod. */
static int pod_run_new(Manager *m, const DesiredPod *dp, const char *uid, PodRun **ret) {
        _cleanup_(pod_run_freep) PodRun *p = NULL;
        StrBuf json = {};
        Diags diags = {};
        int r;

        p = calloc(1, sizeof(PodRun));
        if (!p)
                return -ENOMEM;
        p->manager = m;
        p->deletion_grace = -1;

        ynode_to_json(dp->pod->src, &json);
        p->object_json = strbuf_steal(&json);
        if (!p->object_json)
                return -ENOMEM;
        r = manifest_load(p->object_json, strlen(p->object_json), NULL, &p->manifest, &diags);
        diags_done(&diags);
        if (r < 0 && r != -EINVAL)
                return r;
        if (!p->manifest || p->manifest->n_pods != 1)
                return -EINVAL; /* it validated once as the manifest; its JSON form must as well */
        p->pod = p->manifest->pods[0];

        p->namespace = strdup(p->pod->metadata.namespace);
        p->name = strdup(p->pod->metadata.name);
        p->key = pod_key(p->namespace, p->name);
        p->hash = strdup(dp->hash);
        p->source_file = strdup(dp->file);
        p->uid = uid ? strdup(uid) : new_uid();
        if (!p->namespace || !p->name || !p->key || !p->hash || !p->source_file || !p->uid)
                return -ENOMEM;
        /* The UID is the pod's from now on: status messages and the plan's POD_UID= carry it. */
        free(p->manifest->pods[0]->metadata.uid);
        p->manifest->pods[0]->metadata.uid = strdup(p->uid);
        if (!p->pod->metadata.uid)
                return -ENOMEM;

        PlanContext ctx = pod_run_plan_context(p);
        r = unit_plan_build(p->pod, &ctx, &p->plan, &diags);
        if (r < 0) {
                /* Validation passed but systemd could not take it (a name too long for a unit name, …):
                 * say why in the journal; the pod is not started. */
                for (size_t i = 0; i < diags.n; i++) {
                        _cleanup_(freep) char *s = diag_format(&diags.items[i], dp->file);
                        if (s)
                                log_message(LOG_ERR, "%s", s);
                }
                diags_done(&diags);
                return r;
        }
        diags_done(&diags);

        r = unit_name_pod_slice(p->namespace, p->name, &p->pod_slice);
        if (r < 0)
                return r;

        p->n_containers = pod_n_containers(p->pod);
        p->rt = calloc(p->n_containers, sizeof(ContainerRuntime));
        p->backoff_usec = calloc(p->n_containers, sizeof(uint64_t));
        p->announced = calloc(p->n_containers, sizeof(bool));
        p->units = calloc(p->n_containers + 1, sizeof(char *));
        p->restarts = calloc(MAX(p->n_containers, 1u), sizeof(PoddRestart));
        if (!p->rt || !p->backoff_usec || !p->announced || !p->units || !p->restarts)
                return -ENOMEM;
        for (size_t i = 0; i < p->n_containers; i++) {
                const Container *c = pod_container_at(p->pod, i);
                r = unit_name_container_service(p->namespace, p->name, c->name, &p->units[i]);
                if (r < 0)
                        return r;
                p->rt[i].gate = c->image ? CONTAINER_GATE_IMAGE_UNSUPPORTED : CONTAINER_GATE_NOT_STARTED;
        }
        r = pod_probes_new(p, &p->probes);
        if (r < 0)
                return r;

        p->creation_usec = clock_usec(CLOCK_REALTIME);
        *ret = TAKE_PTR(p);
        return 0;
}

static int pod_run_save(PodRun *p) {
        _cleanup_(freep) char *path = pod_state_file_path(p->manager->state_dir, p->namespace, p->name);
        _cleanup_(freep) uint32_t *restarts = calloc(MAX(p->n_containers, 1u), sizeof(uint32_t));
        if (!path || !restarts)
                return -ENOMEM;
        for (size_t i = 0; i < p->n_containers; i++)
                restarts[i] = p->rt[i].podd_restarts;
        PodStateFile s = {
                .uid = p->uid,
                .hash = p->hash,
                .creation_usec = p->creation_usec,
                .start_usec = p->start_usec,
                .podd_restarts = restarts,
                .n_podd_restarts = p->n_containers,
        };
        int r = pod_state_file_write(path, &s);
        if (r < 0)
                log_message(LOG_WARNING, "Failed to save the state of pod %s: %s", p->key, strerror(-r));
        return r;
}

static void pod_run_forget_state(PodRun *p) {
        _cleanup_(freep) char *path = pod_state_file_path(p->manager->state_dir, p->namespace, p->name);
        if (path && unlink(path) < 0 && errno != ENOENT)
                log_message(LOG_WARNING, "Failed to remove %s: %m", path);
}

static const PlannedUnit *plan_unit(const PodRun *p, const char *name) {
        return unit_plan_find(p->plan, name);
}

static ssize_t pod_run_container_index(const PodRun *p, const char *container) {
        for (size_t i = 0; i < p->n_containers; i++)
                if (streq(pod_container_at(p->pod, i)->name, container))
                        return (ssize_t) i;
        return -1;
}

/* ---- status ---- */

static void pod_run_update_status(PodRun *p) {
        PodStatus st = {};
        PodRuntime prt = {
                .now_usec = clock_usec(CLOCK_REALTIME),
                .start_time_usec = p->start_usec,
                .deleting = p->deletion_usec > 0,
                .previous = p->have_status ? &p->status : NULL,
        };
        if (pod_status_compute(p->pod, p->rt, p->units, &prt, &st) < 0) {
                log_message(LOG_ERR, "Out of memory computing the status of pod %s", p->key);
                return;
        }
        pod_status_done(&p->status);
        p->status = st;
        p->have_status = true;
}

void pod_run_changed(PodRun *p) {
        pod_run_update_status(p);
        if (!p->hidden)
                manager_emit_pod_changed(p->manager, p);
}

char *pod_run_to_json(PodRun *p) {
        /* Computed now, not taken from the last change: probe attempts (podctl.io/probes) and ages move
         * without a PodChanged. */
        pod_run_update_status(p);
        PodMetaExtra meta = {
                .uid = p->uid,
                .creation_usec = p->creation_usec,
                /* Kubernetes' deletionTimestamp is when the pod should be gone: request time + grace. */
                .deletion_usec = p->deletion_usec > 0
                                         ? p->deletion_usec + (uint64_t) MAX(p->deletion_grace, 0) * USEC_PER_SEC
                                         : 0,
                .deletion_grace_seconds = p->deletion_grace,
                .source_file = p->source_file,
        };
        return pod_to_json(p->pod, &meta, &p->status);
}

/* ---- starting ---- */

static bool container_blocks_successors(const Container *c) {
        /* Init containers and sidecars gate everything after them; app containers start one after the
         * other (each one's postStart finishing first, as the kubelet does) but a failing one does not
         * hold the others back. */
        return c->role != CONTAINER_APP;
}

static void on_slices_started(SystemdClient *c, const char *unit, int r, const char *result,
                              const sd_bus_error *error, void *userdata);
static void on_container_started(SystemdClient *c, const char *unit, int r, const char *result,
                                 const sd_bus_error *error, void *userdata);

static void grace_files_remove(PodRun *p);

static void pod_run_start(PodRun *p) {
        grace_files_remove(p); /* left by a podd that died while deleting an earlier pod of this name */
        p->stage = POD_STAGE_STARTING;
        p->start_usec = clock_usec(CLOCK_REALTIME);
        (void) pod_run_save(p);
        pod_run_event(p, NULL, "Normal", "Scheduled", "Successfully assigned %s/%s to %s", p->namespace, p->name,
                  p->manager->hostname);

        /* The volumes' host side first: a container never starts on a missing bind-mount source. */
        PlanContext ctx = pod_run_plan_context(p);
        _cleanup_(freep) char *error = NULL;
        int r = pod_volumes_prepare(p->pod, &ctx, &error);
        if (r < 0) {
                const char *msg = error ?: strerror(-r);
                pod_run_event(p, NULL, "Warning", "FailedMount", "MountVolume.SetUp failed: %s", msg);
                for (size_t i = 0; i < p->n_containers; i++)
                        if (p->rt[i].gate != CONTAINER_GATE_IMAGE_UNSUPPORTED) {
                                p->rt[i].gate = CONTAINER_GATE_START_FAILED;
                                free(p->rt[i].gate_message);
                                p->rt[i].gate_message = strdup(msg);
                        }
                p->stage = POD_STAGE_BLOCKED;
                pod_run_changed(p);
                return;
        }

        /* The namespace slice and the pod slice are the plan's first two units. Starting a slice that
         * already exists completes at once. */
        p->job_in_flight = true;
        r = systemd_client_start_unit(p->manager->systemd, &p->plan->units[0], on_slices_started, p);
        if (r < 0) {
                log_message(LOG_ERR, "Failed to start the slices of pod %s: %s", p->key, strerror(-r));
                p->job_in_flight = false;
        }
        pod_run_changed(p);
}

static void on_slices_started(SystemdClient *c, const char *unit, int r, const char *result,
                              const sd_bus_error *error, void *userdata) {
        PodRun *p = userdata;

        log_job_end("Starting", unit, r, result, error);
        if (streq(unit, p->plan->units[0].name)) {
                /* then the pod slice */
                r = systemd_client_start_unit(p->manager->systemd, &p->plan->units[1], on_slices_started, p);
                if (r >= 0)
                        return;
        }
        p->job_in_flight = false;
        pod_run_start_next(p);
}

static int pod_run_start_container(PodRun *p, size_t i) {
        const PlannedUnit *u = plan_unit(p, p->units[i]);
        const Container *c = pod_container_at(p->pod, i);
        int r;

        if (!u)
                return -ENOENT;
        pod_run_event(p, c, "Normal", "Created", "Created container: %s", c->name);
        p->rt[i].gate = CONTAINER_GATE_NONE;
        p->job_in_flight = true;
        if (p->rt[i].unit.exists)
                /* A failed init container's unit is still loaded: start it again by name. */
                r = systemd_client_restart_unit(p->manager->systemd, p->units[i], on_container_started, p);
        else
                r = systemd_client_start_unit(p->manager->systemd, u, on_container_started, p);
        if (r < 0) {
                p->job_in_flight = false;
                p->rt[i].gate = CONTAINER_GATE_START_FAILED;
                free(p->rt[i].gate_message);
                p->rt[i].gate_message = strdup(strerror(-r));
        }
        return r;
}

static void pod_run_start_next(PodRun *p) {
        if (p->stage != POD_STAGE_STARTING || p->job_in_flight)
                return;

        while (p->next < p->n_containers) {
                size_t i = p->next;
                const Container *c = pod_container_at(p->pod, i);

                if (p->rt[i].gate == CONTAINER_GATE_IMAGE_UNSUPPORTED) {
                        if (!p->announced[i]) {
                                p->announced[i] = true;
                                pod_run_event(p, c, "Warning", "ImagesNotSupported",
                                          "Container %s names image \"%s\": podctl does not run container images yet",
                                          c->name, c->image);
                        }
                        if (container_blocks_successors(c)) {
                                p->stage = POD_STAGE_BLOCKED;
                                pod_run_changed(p);
                                return;
                        }
                        p->next++;
                        continue;
                }
                if (p->rt[i].gate == CONTAINER_GATE_BACKOFF)
                        return; /* the back-off timer resumes */

                if (pod_run_start_container(p, i) >= 0) {
                        pod_run_changed(p);
                        return; /* on_container_started continues */
                }
                pod_run_event(p, c, "Warning", "Failed", "Error: %s", p->rt[i].gate_message ?: "cannot start");
                if (container_blocks_successors(c)) {
                        p->stage = POD_STAGE_BLOCKED;
                        pod_run_changed(p);
                        return;
                }
                p->next++;
        }
        p->stage = POD_STAGE_STARTED;
        pod_run_changed(p);
}

static int on_backoff_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        PodRun *p = userdata;
        size_t i = p->next;

        p->backoff_timer = sd_event_source_disable_unref(p->backoff_timer);
        if (p->stage != POD_STAGE_STARTING || i >= p->n_containers)
                return 0;
        p->rt[i].gate = CONTAINER_GATE_NOT_STARTED;
        p->rt[i].podd_restarts++;
        (void) pod_run_save(p);
        pod_run_start_next(p);
        return 0;
}

/* An init container failed: retry it with Kubernetes' back-off, unless the pod's restartPolicy is
 * Never, which fails the pod (k8s-semantics.md §3.4). */
static void pod_run_init_failed(PodRun *p, size_t i) {
        const Container *c = pod_container_at(p->pod, i);

        if (streq_ptr(p->pod->spec.restart_policy, "Never")) {
                p->stage = POD_STAGE_BLOCKED;
                pod_run_changed(p);
                return;
        }
        uint64_t delay = p->backoff_usec[i];
        p->backoff_usec[i] = delay == 0 ? BACKOFF_INITIAL_USEC : MIN(2 * delay, BACKOFF_MAX_USEC);
        if (delay > 0)
                pod_run_event(p, c, "Warning", "BackOff", "Back-off restarting failed container %s in pod %s_%s(%s)",
                          c->name, p->name, p->namespace, p->uid);
        p->rt[i].gate = CONTAINER_GATE_BACKOFF;
        p->rt[i].next_start_usec = clock_usec(CLOCK_REALTIME) + delay;
        int r = sd_event_add_time_relative(p->manager->event, &p->backoff_timer, CLOCK_MONOTONIC, delay, 0,
                                           on_backoff_timer, p);
        if (r < 0)
                log_message(LOG_ERR, "Failed to arm the back-off timer of pod %s: %s", p->key, strerror(-r));
        pod_run_changed(p);
}

static void on_container_started(SystemdClient *c, const char *unit, int r, const char *result,
                                 const sd_bus_error *error, void *userdata) {
        PodRun *p = userdata;
        size_t i = p->next;

        p->job_in_flight = false;
        if (i >= p->n_containers || !streq(unit, p->units[i]) || p->stage != POD_STAGE_STARTING)
                return;
        const Container *ct = pod_container_at(p->pod, i);

        if (r < 0) {
                /* systemd refused the unit itself: nothing will start it later. */
                p->rt[i].gate = CONTAINER_GATE_START_FAILED;
                free(p->rt[i].gate_message);
                p->rt[i].gate_message = strdup(error && error->message ? error->message : strerror(-r));
                pod_run_event(p, ct, "Warning", "Failed", "Error: %s", p->rt[i].gate_message ?: "cannot start");
                if (container_blocks_successors(ct)) {
                        p->stage = POD_STAGE_BLOCKED;
                        pod_run_changed(p);
                        return;
                }
                p->next++;
                pod_run_start_next(p);
                return;
        }

        (void) systemd_client_refresh(p->manager->systemd, unit);
        if (streq(result, "done")) {
                if (ct->role == CONTAINER_INIT)
                        p->backoff_usec[i] = 0;
                else
                        pod_run_event(p, ct, "Normal", "Started", "Started container %s", ct->name);
                /* Kubernetes starts what follows a sidecar once the sidecar is started: its startup probe
                 * succeeded. pod_run_probes_changed resumes. */
                if (ct->role == CONTAINER_SIDECAR && pod_probes_starting(p->probes, i))
                        return;
                p->next++;
                pod_run_start_next(p);
                return;
        }

        /* "failed": the command did not run, exited non-zero (an init container), or postStart failed.
         * App containers and sidecars are restarted by systemd's Restart=; init containers by podd. */
        if (ct->role == CONTAINER_INIT) {
                pod_run_init_failed(p, i);
                return;
        }
        pod_run_event(p, ct, "Warning", "Failed", "Error: container %s did not start (%s)", ct->name, result);
        if (ct->role == CONTAINER_SIDECAR) {
                /* A sidecar must be running before later init containers start; systemd restarts it.
                 * on_unit() resumes the sequence once it runs. */
                return;
        }
        p->next++;
        pod_run_start_next(p);
}

/* ---- unit state ---- */

typedef struct AdoptedUnit {
        char *unit;
        UnitSnapshot snap;
} AdoptedUnit;

static AdoptedUnit *adopted_unit_free(AdoptedUnit *a) {
        if (!a)
                return NULL;
        unit_snapshot_done(&a->snap);
        free(a->unit);
        free(a);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(AdoptedUnit *, adopted_unit_free);

static int snapshot_copy(const UnitSnapshot *from, UnitSnapshot *to) {
        *to = (UnitSnapshot) {
                .exists = from->exists,
                .active_state = strdup_or_null(from->active_state),
                .sub_state = strdup_or_null(from->sub_state),
                .result = strdup_or_null(from->result),
                .exec_main_code = from->exec_main_code,
                .exec_main_status = from->exec_main_status,
                .exec_main_start_usec = from->exec_main_start_usec,
                .exec_main_exit_usec = from->exec_main_exit_usec,
                .active_enter_usec = from->active_enter_usec,
                .inactive_enter_usec = from->inactive_enter_usec,
                .n_restarts = from->n_restarts,
                .restart_usec = from->restart_usec,
                .invocation_id = strdup_or_null(from->invocation_id),
                .main_pid = from->main_pid,
        };
        if ((from->active_state && !to->active_state) || (from->sub_state && !to->sub_state) ||
            (from->result && !to->result) || (from->invocation_id && !to->invocation_id)) {
                unit_snapshot_done(to);
                return -ENOMEM;
        }
        return 0;
}

static bool snapshot_running(const UnitSnapshot *u) {
        return u->exists && streq_ptr(u->active_state, "active") && streq_ptr(u->sub_state, "running");
}

static void on_restarted(SystemdClient *c, const char *unit, int r, const char *result,
                         const sd_bus_error *error, void *userdata) {
        log_job_end("Restarting", unit, r, result, error);
}

/* Starts container i again through RestartUnit; pod_run_count_restart counts it when it happened. */
static int pod_run_restart_container(PodRun *p, size_t i, SystemdJobCallback cb) {
        p->restarts[i].counting = true;
        p->restarts[i].n_restarts_before = p->rt[i].unit.n_restarts;
        p->restarts[i].start_usec_before = p->rt[i].unit.exec_main_start_usec;
        return systemd_client_restart_unit(p->manager->systemd, p->units[i], cb, p);
}

/* A restart podd asked for shows in the count once the new instance started (a new main process start
 * time), not while the old one still runs its preStop. A start asked for by a client makes systemd count
 * NRestarts from 0 again: what it had counted moves into podd's own count. */
static void pod_run_count_restart(PodRun *p, size_t i, const UnitSnapshot *snap) {
        PoddRestart *pr = &p->restarts[i];

        if (!pr->counting || snap->exec_main_start_usec == 0 || snap->exec_main_start_usec == pr->start_usec_before)
                return;
        pr->counting = false;
        p->rt[i].podd_restarts += 1 + (snap->n_restarts < pr->n_restarts_before ? pr->n_restarts_before : 0);
        (void) pod_run_save(p);
}

static int on_restart_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        PodRun *p = userdata;

        for (size_t i = 0; i < p->n_containers; i++) {
                if (p->restarts[i].timer != s)
                        continue;
                p->restarts[i].timer = sd_event_source_disable_unref(p->restarts[i].timer);
                if (p->stage == POD_STAGE_TERMINATING || p->rt[i].gate != CONTAINER_GATE_BACKOFF)
                        return 0;
                p->rt[i].gate = CONTAINER_GATE_NONE;
                int r = pod_run_restart_container(p, i, on_restarted);
                if (r < 0)
                        log_message(LOG_ERR, "Failed to restart %s: %s", p->units[i], strerror(-r));
                pod_run_changed(p);
                return 0;
        }
        return 0;
}

/* systemd 252 takes a main process killed by SIGHUP, SIGINT, SIGTERM or SIGPIPE as a clean end, so
 * Restart=on-failure leaves it, and RemainAfterExit= (kept so the exit stays readable) shows it as
 * active/exited. Kubernetes sees exit 128+signal, a failure that OnFailure restarts: podd does, after the
 * unit's own RestartSec, shown as CrashLoopBackOff meanwhile as systemd's restarts are. */
static void pod_run_restart_later(PodRun *p, size_t i) {
        ContainerRuntime *rt = &p->rt[i];
        uint64_t delay = rt->unit.restart_usec;
        int r;

        rt->gate = CONTAINER_GATE_BACKOFF;
        rt->next_start_usec = clock_usec(CLOCK_REALTIME) + delay;
        p->restarts[i].exit_usec = rt->unit.exec_main_exit_usec;
        p->restarts[i].timer = sd_event_source_disable_unref(p->restarts[i].timer);
        r = sd_event_add_time_relative(p->manager->event, &p->restarts[i].timer, CLOCK_MONOTONIC, delay, 0,
                                       on_restart_timer, p);
        if (r < 0) {
                log_message(LOG_ERR, "Failed to arm the restart timer of %s: %s", p->units[i], strerror(-r));
                return;
        }
        const Container *c = pod_container_at(p->pod, i);
        pod_run_event(p, c, "Warning", "BackOff", "Back-off restarting failed container %s in pod %s_%s(%s)",
                      c->name, p->name, p->namespace, p->uid);
}

/* The properties arrive in more than one signal (.Unit's states, .Service's exit): decide on the merged
 * snapshot, once per exit. */
static bool ended_clean_by_signal(const PodRun *p, size_t i, const UnitSnapshot *snap) {
        return snap->exec_main_exit_usec != p->restarts[i].exit_usec &&
                pod_container_at(p->pod, i)->role == CONTAINER_APP &&
                streq_ptr(p->pod->spec.restart_policy, "OnFailure") && p->stage != POD_STAGE_TERMINATING &&
                snap->exists && streq_ptr(snap->active_state, "active") && streq_ptr(snap->sub_state, "exited") &&
                snap->exec_main_code == CLD_KILLED;
}

static void pod_run_apply_snapshot(PodRun *p, size_t i, const UnitSnapshot *snap) {
        ContainerRuntime *rt = &p->rt[i];
        const Container *c = pod_container_at(p->pod, i);

        /* An instance ended (its exit time moved): keep it as lastState, as the kubelet keeps the previous
         * container's termination. */
        if (snap->exists && snap->exec_main_exit_usec > 0 &&
            snap->exec_main_exit_usec != rt->unit.exec_main_exit_usec && snap->exec_main_code > 0) {
                ContainerState st = {};
                if (container_state_from_exit(snap, &st) >= 0) {
                        container_state_done(&rt->last_termination);
                        rt->last_termination = st;
                }
        }
        bool was_backoff = streq_ptr(rt->unit.sub_state, "auto-restart");
        bool is_backoff = streq_ptr(snap->sub_state, "auto-restart");
        if (is_backoff && !was_backoff)
                pod_run_event(p, c, "Warning", "BackOff", "Back-off restarting failed container %s in pod %s_%s(%s)",
                          c->name, p->name, p->namespace, p->uid);

        pod_run_count_restart(p, i, snap);

        UnitSnapshot copy;
        if (snapshot_copy(snap, &copy) < 0) {
                log_message(LOG_ERR, "Out of memory recording the state of %s", p->units[i]);
                return;
        }
        unit_snapshot_done(&rt->unit);
        rt->unit = copy;
        if (snapshot_running(&rt->unit) && rt->start_error_reason) {
                rt->start_error_reason = mfree(rt->start_error_reason);
                rt->start_error_message = mfree(rt->start_error_message);
        }

        pod_probes_update(p->probes, i);
        if (ended_clean_by_signal(p, i, &rt->unit))
                pod_run_restart_later(p, i);

        /* A sidecar that failed its first start holds the sequence until systemd got it running (and its
         * startup probe, if any, succeeded: pod_run_probes_changed). */
        if (p->stage == POD_STAGE_STARTING && !p->job_in_flight && p->next == i && c->role == CONTAINER_SIDECAR &&
            snapshot_running(snap) && !pod_probes_starting(p->probes, i)) {
                pod_run_event(p, c, "Normal", "Started", "Started container %s", c->name);
                p->next++;
                pod_run_start_next(p);
        }
}

static void manager_on_unit(SystemdClient *c, const char *unit, const UnitSnapshot *snap, void *userdata) {
        Manager *m = userdata;
        _cleanup_(freep) char *ns = NULL, *pod = NULL, *container = NULL;

        if (unit_name_parse(unit, &ns, &pod, &container) < 0 || !container)
                return;

        if (m->adopting) {
                /* Remember it until the desired pods are matched with what runs; the entry owns
                 * the key the map points at. */
                _cleanup_(adopted_unit_freep) AdoptedUnit *a = calloc(1, sizeof(AdoptedUnit));
                if (!a || !(a->unit = strdup(unit)) || snapshot_copy(snap, &a->snap) < 0)
                        return;
                adopted_unit_free(hashmap_remove(m->adopt_units, unit));
                if (hashmap_put(m->adopt_units, a->unit, a) >= 0)
                        TAKE_PTR(a);
                return;
        }

        PodRun *p = manager_find_pod(m, ns, pod);
        if (!p)
                return;
        ssize_t i = pod_run_container_index(p, container);
        if (i < 0)
                return;
        pod_run_apply_snapshot(p, (size_t) i, snap);
        pod_run_changed(p);
}

/* ---- hook failures (reported by pod-hook through the journal) ---- */

static void manager_on_hook_failure(const HookFailure *f, void *userdata) {
        Manager *m = userdata;
        bool post_start = streq(f->reason, "FailedPostStartHook");

        if (streq(f->reason, "LifecycleHTTPFallback")) {
                /* A hook that succeeded over HTTP after its HTTPS request got an HTTP answer: the kubelet
                 * records it on the pod, in pod-hook's words (k8s-semantics.md §1.2). */
                EventInfo e = { .namespace = f->namespace, .pod = f->pod, .pod_uid = f->pod_uid, .type = "Warning",
                                .reason = f->reason, .message = f->detail, .usec = f->usec };
                (void) event_log_add(m->events, &e, true);
                return;
        }
        if (!post_start && !streq(f->reason, "FailedPreStopHook"))
                return;
        /* The record names the pod itself: a preStop usually fails while its pod stops, and the pod may be
         * gone from podd by the time the journal is read. The kubelet's words (k8s-semantics.md §1.3,
         * §1.4); the hook's output stays out of events. */
        EventInfo e = {
                .namespace = f->namespace,
                .pod = f->pod,
                .pod_uid = f->pod_uid,
                .container = f->container,
                .type = "Warning",
                .reason = f->reason,
                .message = post_start ? "PostStartHook failed" : "PreStopHook failed",
                .usec = f->usec,
        };
        (void) event_log_add(m->events, &e, true);
        if (!post_start)
                return;

        /* pod-hook already ran preStop and killed the container; the kubelet calls that a Killing. */
        e.type = "Normal";
        e.reason = "Killing";
        e.message = "FailedPostStartHook";
        (void) event_log_add(m->events, &e, true);

        PodRun *p = manager_find_pod(m, f->namespace, f->pod);
        ssize_t i = p ? pod_run_container_index(p, f->container) : -1;
        if (i < 0)
                return;
        ContainerRuntime *rt = &p->rt[i];
        free(rt->start_error_reason);
        free(rt->start_error_message);
        rt->start_error_reason = strdup("PostStartHookError");
        rt->start_error_message = strdup(f->detail);
        pod_run_changed(p);
}

/* ---- terminating ---- */

static void on_pod_stopped(SystemdClient *c, const char *unit, int r, const char *result,
                           const sd_bus_error *error, void *userdata) {
        PodRun *p = userdata;
        Manager *m = p->manager;

        log_job_end("Stopping", unit, r, result, error);

        for (size_t i = 0; i < p->n_containers; i++)
                (void) systemd_client_reset_failed(m->systemd, p->units[i]);
        pod_run_forget_state(p);
        grace_files_remove(p);
        PlanContext ctx = pod_run_plan_context(p);
        if (pod_volumes_remove(p->pod, &ctx) < 0)
                log_message(LOG_WARNING, "Failed to remove the volumes of pod %s", p->key);
        /* Its events stay (the ring is bounded): as in Kubernetes, `get events` still shows how a deleted
         * pod ended, e.g. a FailedPreStopHook reported while it stopped. */
        if (!p->hidden)
                manager_emit_pod_removed(m, p->namespace, p->name);
        PodRun *q = hashmap_remove(m->pods, p->key);
        assert(q == p);
        pod_run_free(p);
        /* A changed manifest waits for the old pod to be gone before its new version starts. */
        manager_schedule_reconcile(m);
}

/* Hands this deletion's grace to the units' stop sequence: "GRACE SINCE", SINCE the CLOCK_BOOTTIME µs of
 * the request it counts from (pod-hook.c reads it; a newer entry can only shorten a stop under way).
 * Written whole (temp file, rename): the helper may read it at any moment. */
static int grace_file_write(const char *unit, int64_t grace, uint64_t since) {
        _cleanup_(freep) char *path = asprintf_safe(PODS_GRACE_DIR "/%s", unit);
        _cleanup_(freep) char *tmp = asprintf_safe(PODS_GRACE_DIR "/.#%s", unit);
        if (!path || !tmp)
                return -ENOMEM;
        if (mkdir(PODS_GRACE_DIR, 0755) < 0 && errno != EEXIST)
                return -errno;
        FILE *f = fopen(tmp, "we");
        if (!f)
                return -errno;
        fprintf(f, "%" PRIi64 " %" PRIu64 "\n", grace, since);
        if (fclose(f) != 0 || rename(tmp, path) < 0) {
                int r = -errno;
                (void) unlink(tmp);
                return r;
        }
        return 0;
}

/* Gives container i's next stop `grace` seconds: pod-hook reads the grace file; a grace longer than the
 * spec's also needs a longer backstop, for this stop only (a runtime property). */
static int container_set_grace(PodRun *p, size_t i, int64_t grace) {
        int64_t spec_grace = p->pod->spec.termination_grace_period_seconds.value;
        int r;

        r = grace_file_write(p->units[i], grace, clock_usec(CLOCK_BOOTTIME));
        if (r < 0)
                return r;
        if (grace > spec_grace)
                return systemd_client_set_stop_timeout(p->manager->systemd, p->units[i],
                                                       (uint64_t) (MAX(grace, 1) + STOP_TIMEOUT_EXTRA_SEC) * USEC_PER_SEC);
        return 0;
}

static void grace_file_remove(const char *unit) {
        _cleanup_(freep) char *path = asprintf_safe(PODS_GRACE_DIR "/%s", unit);
        if (path && unlink(path) < 0 && errno != ENOENT)
                log_message(LOG_WARNING, "Failed to remove %s: %m", path);
}

static void grace_files_remove(PodRun *p) {
        for (size_t i = 0; i < p->n_containers; i++)
                grace_file_remove(p->units[i]);
}

void pod_run_probes_changed(PodRun *p, size_t i) {
        const Container *c = pod_container_at(p->pod, i);

        if (p->stage == POD_STAGE_STARTING && !p->job_in_flight && p->next == i && c->role == CONTAINER_SIDECAR &&
            snapshot_running(&p->rt[i].unit) && !pod_probes_starting(p->probes, i)) {
                p->next++;
                pod_run_start_next(p);
        }
        pod_run_changed(p);
}

static void on_container_killed(SystemdClient *c, const char *unit, int r, const char *result,
                                const sd_bus_error *error, void *userdata) {
        PodRun *p = userdata;

        log_job_end("Restarting", unit, r, result, error);
        /* The grace was for this kill only; a deletion since then wrote its own. */
        if (p->stage != POD_STAGE_TERMINATING)
                grace_file_remove(unit);
}

int pod_run_kill_container(PodRun *p, size_t i, int64_t grace) {
        Manager *m = p->manager;
        int r;

        if (p->stage == POD_STAGE_TERMINATING)
                return 0; /* the deletion's stop sequence is already on its way */
        r = container_set_grace(p, i, grace);
        if (r < 0)
                log_message(LOG_WARNING, "Failed to set the grace period of %s: %s", p->units[i], strerror(-r));
        if (streq_ptr(p->pod->spec.restart_policy, "Never"))
                return systemd_client_stop_unit(m->systemd, p->units[i], on_container_killed, p);

        return pod_run_restart_container(p, i, on_container_killed);
}

/* A second deletion of a terminating pod may only shorten its grace (k8s-semantics.md §2.1 step 6, §2.3):
 * deletionTimestamp moves back by the difference, never into the past (then it is now, and a graceful
 * request becomes 1 s). The containers' stop sequences pick up the rewritten grace files at once. */
static int pod_run_shorten_grace(PodRun *p, int64_t grace) {
        if (grace < 0 || p->deletion_grace <= 0 || grace >= p->deletion_grace)
                return 0;

        uint64_t now = clock_usec(CLOCK_REALTIME), ts = p->deletion_usec + (uint64_t) grace * USEC_PER_SEC;
        if (ts < now) {
                if (grace > 0)
                        grace = 1;
                p->deletion_usec = now - (uint64_t) grace * USEC_PER_SEC;
        }
        p->deletion_grace = grace;

        uint64_t since = clock_usec(CLOCK_BOOTTIME);
        for (size_t i = 0; i < p->n_containers; i++) {
                int r = grace_file_write(p->units[i], grace, since);
                if (r < 0)
                        log_message(LOG_WARNING, "Failed to write the grace period of %s: %s", p->units[i],
                                    strerror(-r));
        }
        log_message(LOG_INFO, "pod %s: grace period shortened to %" PRIi64 " s", p->key, grace);
        pod_run_changed(p);
        return 0;
}

int pod_run_terminate(PodRun *p, int64_t grace, bool force) {
        Manager *m = p->manager;
        int r;

        if (force)
                p->hidden = true;
        if (p->stage == POD_STAGE_TERMINATING)
                return pod_run_shorten_grace(p, force ? 0 : grace);

        int64_t spec_grace = p->pod->spec.termination_grace_period_seconds.value;
        p->deletion_grace = grace >= 0 ? grace : spec_grace;
        p->deletion_usec = clock_usec(CLOCK_REALTIME);
        uint64_t since = clock_usec(CLOCK_BOOTTIME);
        p->stage = POD_STAGE_TERMINATING;
        p->backoff_timer = sd_event_source_disable_unref(p->backoff_timer);
        for (size_t i = 0; i < p->n_containers; i++)
                p->restarts[i].timer = sd_event_source_disable_unref(p->restarts[i].timer);
        for (size_t i = 0; i < p->n_containers; i++)
                pod_probes_update(p->probes, i); /* liveness and startup stop now; readiness goes on */

        for (size_t i = 0; i < p->n_containers; i++) {
                const Container *c = pod_container_at(p->pod, i);
                if (!snapshot_running(&p->rt[i].unit) && !streq_ptr(p->rt[i].unit.active_state, "activating"))
                        continue;
                pod_run_event(p, c, "Normal", "Killing", "Stopping container %s", c->name);
                /* This deletion's grace (delete --grace-period, else the spec's) reaches pod-hook, which
                 * runs the stop sequence within it. One longer than the spec's also needs a longer
                 * backstop, for this stop only (runtime property). */
                r = grace_file_write(p->units[i], p->deletion_grace, since);
                if (r < 0)
                        log_message(LOG_WARNING, "Failed to write the grace period of %s: %s", p->units[i],
                                    strerror(-r));
                if (p->deletion_grace > spec_grace) {
                        r = systemd_client_set_stop_timeout(
                                        m->systemd, p->units[i],
                                        (uint64_t) (MAX(p->deletion_grace, 1) + STOP_TIMEOUT_EXTRA_SEC) * USEC_PER_SEC);
                        if (r < 0)
                                log_message(LOG_WARNING, "Failed to set the grace period of %s: %s", p->units[i],
                                            strerror(-r));
                }
        }
        pod_run_changed(p);
        if (p->hidden)
                manager_emit_pod_removed(m, p->namespace, p->name);

        /* Stopping the pod slice stops every container in it, in the reverse of their After= order: app
         * containers first, then sidecars, last declared first (k8s-semantics.md §2.5). */
        r = systemd_client_stop_unit(m->systemd, p->pod_slice, on_pod_stopped, p);
        if (r < 0)
                return log_message(LOG_ERR, "Failed to stop pod %s: %s", p->key, strerror(-r)), r;
        return 0;
}

/* ---- reconciling desired and running pods ---- */

PodRun *manager_find_pod(Manager *m, const char *ns, const char *name) {
        _cleanup_(freep) char *key = pod_key(ns, name);
        return key ? hashmap_get(m->pods, key) : NULL;
}

static int manager_add_run(Manager *m, const DesiredPod *dp, const PodStateFile *state, PodRun **ret) {
        _cleanup_(pod_run_freep) PodRun *p = NULL;
        int r;

        r = pod_run_new(m, dp, state ? state->uid : NULL, &p);
        if (r < 0)
                return r;
        if (state) {
                p->creation_usec = state->creation_usec;
                p->start_usec = state->start_usec;
                for (size_t i = 0; i < MIN(state->n_podd_restarts, p->n_containers); i++)
                        p->rt[i].podd_restarts = state->podd_restarts[i];
        }
        r = hashmap_put(m->pods, p->key, p);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(p);
        return 0;
}

static void manager_reconcile(Manager *m) {
        size_t n;
        const DesiredPod *desired = config_dir_pods(m->config, &n);
        int r;

        /* New and changed pods. */
        for (size_t i = 0; i < n; i++) {
                const DesiredPod *dp = &desired[i];
                PodRun *p = manager_find_pod(m, dp->pod->metadata.namespace, dp->pod->metadata.name);
                if (p) {
                        if (p->stage != POD_STAGE_TERMINATING && !streq(p->hash, dp->hash)) {
                                /* Like a static pod: any edit is a new pod; the old one is fully
                                 * terminated first (k8s-semantics.md §3.6). */
                                log_message(LOG_INFO, "Pod %s changed in %s: replacing it", p->key, dp->file);
                                (void) pod_run_terminate(p, -1, false);
                        } else if (!streq(p->source_file, dp->file)) {
                                free(p->source_file);
                                p->source_file = strdup(dp->file);
                        }
                        continue;
                }
                r = manager_add_run(m, dp, NULL, &p);
                if (r < 0) {
                        log_message(LOG_ERR, "Cannot run pod %s/%s from %s: %s", dp->pod->metadata.namespace,
                                    dp->pod->metadata.name, dp->file, strerror(-r));
                        continue;
                }
                pod_run_start(p);
        }

        /* Pods whose manifest is gone. */
        size_t state = 0;
        const char *key;
        void *v;
        while (hashmap_iterate(m->pods, &state, &key, &v)) {
                PodRun *p = v;
                if (p->stage == POD_STAGE_TERMINATING)
                        continue;
                if (!config_dir_find(m->config, p->namespace, p->name)) {
                        log_message(LOG_INFO, "Pod %s is no longer declared: deleting it", p->key);
                        (void) pod_run_terminate(p, -1, false);
                }
        }
}

static int on_reconcile(sd_event_source *s, void *userdata) {
        Manager *m = userdata;
        m->reconcile_event = sd_event_source_disable_unref(m->reconcile_event);
        if (!m->adopting)
                manager_reconcile(m);
        return 0;
}

void manager_schedule_reconcile(Manager *m) {
        if (m->reconcile_event)
                return;
        int r = sd_event_add_defer(m->event, &m->reconcile_event, on_reconcile, m);
        if (r < 0)
                log_message(LOG_ERR, "Failed to schedule a reconciliation: %s", strerror(-r));
}

static void on_config_change(ConfigDir *d, void *userdata) {
        Manager *m = userdata;
        size_t n;
        const ConfigError *errs = config_dir_errors(d, &n);
        for (size_t i = 0; i < n; i++)
                log_message(LOG_WARNING, "%s", errs[i].message);
        manager_schedule_reconcile(m);
}

/* ---- adoption ---- */

/* podd (re)started while systemd still runs pods: take them over with their UIDs and restart counts,
 * without touching a single container. */
static void manager_adopt(Manager *m) {
        size_t n;
        const DesiredPod *desired = config_dir_pods(m->config, &n);

        for (size_t i = 0; i < n; i++) {
                const DesiredPod *dp = &desired[i];
                const char *ns = dp->pod->metadata.namespace, *name = dp->pod->metadata.name;
                _cleanup_(freep) char *path = pod_state_file_path(m->state_dir, ns, name);
                _cleanup_(pod_state_file_done) PodStateFile state = {};
                PodRun *p = NULL;

                if (!path || pod_state_file_read(path, &state) < 0)
                        continue; /* never ran on this boot: reconcile starts it */

                bool any = false;
                int r = manager_add_run(m, dp, &state, &p);
                if (r < 0) {
                        log_message(LOG_ERR, "Cannot adopt pod %s/%s: %s", ns, name, strerror(-r));
                        continue;
                }
                free(p->hash);
                p->hash = strdup(state.hash); /* the version that runs; reconcile replaces it if it differs */
                p->next = 0;
                for (size_t k = 0; k < p->n_containers; k++) {
                        AdoptedUnit *a = hashmap_get(m->adopt_units, p->units[k]);
                        if (!a || !a->snap.exists)
                                continue;
                        const UnitSnapshot *snap = &a->snap;
                        any = true;
                        p->rt[k].gate = CONTAINER_GATE_NONE;
                        pod_run_apply_snapshot(p, k, snap);
                        p->announced[k] = true;
                }
                if (!any) {
                        /* state without units: systemd lost them (stopped by hand): start afresh */
                        hashmap_remove(m->pods, p->key);
                        pod_run_free(p);
                        continue;
                }
                /* Continue the start sequence where the previous podd left it. */
                p->stage = POD_STAGE_STARTING;
                while (p->next < p->n_containers && p->rt[p->next].gate == CONTAINER_GATE_NONE)
                        p->next++;
                log_message(LOG_INFO, "Adopted pod %s (uid %s)", p->key, p->uid);
                pod_run_start_next(p);
        }

        /* Units of pods nobody declares any more (a file removed while podd was down): stop them. */
        size_t state = 0;
        const char *unit;
        void *v;
        while (hashmap_iterate(m->adopt_units, &state, &unit, &v)) {
                _cleanup_(freep) char *ns = NULL, *pod = NULL, *container = NULL;
                if (unit_name_parse(unit, &ns, &pod, &container) < 0 || manager_find_pod(m, ns, pod))
                        continue;
                if (config_dir_find(m->config, ns, pod))
                        continue; /* declared, but its state is gone: reconcile restarts it */
                _cleanup_(freep) char *slice = NULL;
                if (unit_name_pod_slice(ns, pod, &slice) >= 0) {
                        log_message(LOG_INFO, "Stopping %s: its pod is no longer declared", slice);
                        (void) systemd_client_stop_unit(m->systemd, slice, NULL, NULL);
                }
        }
}

static void manager_free_adopt_units(Manager *m) {
        void *v;
        while ((v = hashmap_steal_first(m->adopt_units)))
                adopted_unit_free(v);
}

static void on_enumerated(SystemdClient *c, const char *unit, int r, const char *result,
                          const sd_bus_error *error, void *userdata) {
        Manager *m = userdata;

        if (r < 0)
                log_message(LOG_ERR, "Failed to list running pods, starting from the manifests only: %s",
                            error && error->message ? error->message : strerror(-r));
        manager_adopt(m);
        manager_free_adopt_units(m);
        m->adopting = false;
        manager_reconcile(m);
        (void) sd_notify(false, "READY=1\nSTATUS=Running pods from " PODS_CONFIG_DIR);
}

int manager_startup(Manager *m) {
        int r;

        /* Watch before the first read, so an edit made in between is not missed. */
        r = config_dir_watch(m->config, m->event, on_config_change, m);
        if (r < 0)
                return log_message(LOG_ERR, "Failed to watch %s: %s", PODS_CONFIG_DIR, strerror(-r)), r;
        r = config_dir_load(m->config);
        if (r < 0)
                return log_message(LOG_ERR, "Failed to read %s: %s", PODS_CONFIG_DIR, strerror(-r)), r;
        on_config_change(m->config, m);

        r = systemd_client_start(m->systemd);
        if (r < 0)
                return log_message(LOG_ERR, "Failed to subscribe to systemd: %s", strerror(-r)), r;

        m->adopting = true;
        r = systemd_client_enumerate(m->systemd, on_enumerated, m);
        if (r < 0)
                return log_message(LOG_ERR, "Failed to list units: %s", strerror(-r)), r;
        return 0;
}

/* ---- construction ---- */

int manager_new(sd_event *event, sd_bus *bus, Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        char host[256];
        int r;

        m = calloc(1, sizeof(Manager));
        if (!m)
                return -ENOMEM;
        m->event = sd_event_ref(event);
        m->bus = sd_bus_ref(bus);
        m->pods = hashmap_new();
        m->adopt_units = hashmap_new();
        m->state_dir = strdup(PODS_STATE_DIR);
        if (gethostname(host, sizeof host) < 0)
                strcpy(host, "localhost");
        host[sizeof host - 1] = 0;
        m->hostname = strdup(host);
        if (!m->pods || !m->adopt_units || !m->state_dir || !m->hostname)
                return -ENOMEM;

        r = config_dir_new(PODS_CONFIG_DIR, PODS_ARCHIVE_DIR, &m->config);
        if (r < 0)
                return r;
        r = event_log_new(EVENT_LOG_DEFAULT_CAPACITY, manager_emit_event_added, m, &m->events);
        if (r < 0)
                return r;
        r = systemd_client_new(bus, event, manager_on_unit, m, &m->systemd);
        if (r < 0)
                return r;
        r = prober_new(event, POD_PROBE_AGENT_PATH, &m->prober);
        if (r < 0)
                return r;
        r = probe_clock_new(event, &m->probe_clock);
        if (r < 0)
                return r;
        r = hook_watch_new(event, manager_on_hook_failure, m, &m->hook_watch);
        if (r < 0)
                /* Pods still run; only hook failures go unreported as events. */
                log_message(LOG_WARNING, "Cannot follow the journal for hook failures: %s", strerror(-r));

        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        /* Pods keep running: podd's end is not theirs. Only podd's memory of them goes. */
        PodRun *p;
        while ((p = hashmap_steal_first(m->pods)))
                pod_run_free(p);
        hashmap_free(m->pods);
        prober_free(m->prober);
        probe_clock_free(m->probe_clock);
        if (m->adopt_units)
                manager_free_adopt_units(m);
        hashmap_free(m->adopt_units);
        sd_event_source_disable_unref(m->reconcile_event);
        sd_bus_slot_unref(m->vtable_slot);
        hook_watch_free(m->hook_watch);
        systemd_client_free(m->systemd);
        event_log_free(m->events);
        config_dir_free(m->config);
        free(m->state_dir);
        free(m->hostname);
        sd_bus_unref(m->bus);
        sd_event_unref(m->event);
        free(m);
        return NULL;
}
