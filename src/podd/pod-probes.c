/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "manager.h"
#include "pod-probes.h"
#include "probe-clock.h"
#include "probe-target.h"
#include "prober.h"
#include "string-util.h"

/* Where a probe goes when it names no host: the pod IP, which is the host's while pods share its network. */
#define PROBE_DEFAULT_HOST "127.0.0.1"

typedef struct ContainerProbe {
        PodProbes *owner;
        size_t container;
        ProbeKind kind;
        const Probe *spec;
        ProbeWorker worker;
        ProbeTarget target;
        ProbeClockEntry tick; /* scheduled while the probe runs */
        ProbeAttempt *attempt;
        uint64_t attempt_instance;
} ContainerProbe;

struct PodProbes {
        PodRun *pod;
        ContainerProbe *probes;
        size_t n_probes;
};

static void on_probe_tick(ProbeClockEntry *e, uint64_t due);

static const Probe *container_probe(const Container *c, ProbeKind k) {
        switch (k) {
        case PROBE_STARTUP:
                return c->startup_probe;
        case PROBE_LIVENESS:
                return c->liveness_probe;
        case PROBE_READINESS:
                return c->readiness_probe;
        default:
                return NULL;
        }
}

static void container_probe_stop(ContainerProbe *cp) {
        probe_clock_cancel(cp->owner->pod->manager->probe_clock, &cp->tick);
        cp->attempt = probe_attempt_cancel(cp->attempt);
}

PodProbes *pod_probes_free(PodProbes *pp) {
        if (!pp)
                return NULL;
        for (size_t i = 0; i < pp->n_probes; i++) {
                container_probe_stop(&pp->probes[i]);
                probe_target_done(&pp->probes[i].target);
        }
        free(pp->probes);
        free(pp);
        return NULL;
}

int pod_probes_new(PodRun *p, PodProbes **ret) {
        PodProbes *pp = calloc(1, sizeof(PodProbes));
        if (!pp)
                return -ENOMEM;
        pp->pod = p;
        pp->probes = calloc(p->n_containers * _PROBE_KIND_MAX, sizeof(ContainerProbe));
        if (!pp->probes && p->n_containers > 0) {
                free(pp);
                return -ENOMEM;
        }
        for (size_t i = 0; i < p->n_containers; i++) {
                const Container *c = pod_container_at(p->pod, i);
                for (ProbeKind k = 0; k < _PROBE_KIND_MAX; k++) {
                        const Probe *spec = container_probe(c, k);
                        if (!spec)
                                continue;
                        ContainerProbe *cp = &pp->probes[pp->n_probes++];
                        *cp = (ContainerProbe) { .owner = pp, .container = i, .kind = k, .spec = spec,
                                                 .tick = PROBE_CLOCK_ENTRY_INIT(on_probe_tick) };
                        probe_worker_init(&cp->worker, k);
                        if (probe_target_build(p->pod, c, spec, PROBE_DEFAULT_HOST, &cp->target) < 0) {
                                pod_probes_free(pp);
                                return -ENOMEM;
                        }
                }
        }
        *ret = pp;
        return 0;
}

/* The container's process runs: the unit is up, or being stopped (preStop, the stop signal's wait) while
 * its main process is still there — readiness goes on until the container is gone (§4.3.4). */
static bool unit_running(const UnitSnapshot *u) {
        if (!u->exists || u->main_pid == 0)
                return false;
        if (streq_ptr(u->active_state, "active"))
                return streq_ptr(u->sub_state, "running");
        return streq_ptr(u->active_state, "deactivating");
}

static ContainerProbe *find_probe(PodProbes *pp, size_t i, ProbeKind k) {
        for (size_t j = 0; j < pp->n_probes; j++)
                if (pp->probes[j].container == i && pp->probes[j].kind == k)
                        return &pp->probes[j];
        return NULL;
}

bool pod_probes_starting(const PodProbes *pp, size_t i) {
        const ContainerProbe *cp = pp ? find_probe((PodProbes *) pp, i, PROBE_STARTUP) : NULL;
        return cp && cp->worker.result != PROBE_RESULT_SUCCESS;
}

/* The container as the worker sees it now. The instance is the main process's start time: it changes with
 * every new process, which is what the kubelet's "new container ID" means here. */
static ProbeTick probe_tick_now(const ContainerProbe *cp) {
        const PodRun *p = cp->owner->pod;
        const ContainerRuntime *rt = &p->rt[cp->container];
        bool running = unit_running(&rt->unit);
        uint64_t now = clock_usec(CLOCK_REALTIME);

        return (ProbeTick) {
                .running = running,
                .started = !pod_probes_starting(cp->owner, cp->container),
                .deleting = p->deletion_usec > 0,
                .instance = running ? rt->unit.exec_main_start_usec : 0,
                .since_start_usec = running && now > rt->unit.exec_main_start_usec
                                            ? now - rt->unit.exec_main_start_usec : 0,
        };
}

/* Copies the workers' results where the status is computed from. Returns whether a result changed. */
static bool sync_results(PodProbes *pp, size_t i) {
        ContainerRuntime *rt = &pp->pod->rt[i];
        bool changed = false;

        for (size_t j = 0; j < pp->n_probes; j++) {
                const ContainerProbe *cp = &pp->probes[j];
                if (cp->container != i)
                        continue;
                ProbeStatus *ps = &rt->probes[cp->kind];
                changed = changed || ps->result != cp->worker.result;
                ps->configured = true;
                ps->result = cp->worker.result;
        }
        return changed;
}

/* Keeps the attempt for `podctl describe`; the status is not announced for it (only results are). */
static void note_attempt(ContainerProbe *cp, const ProbeReport *report) {
        ProbeStatus *ps = &cp->owner->pod->rt[cp->container].probes[cp->kind];

        ps->last_outcome = report->outcome;
        ps->last_usec = clock_usec(CLOCK_REALTIME);
        free(ps->last_message);
        ps->last_message = report->outcome != PROBE_OUTCOME_SUCCESS ? strdup(report->output ?: "") : NULL;
}

static void probe_event(ContainerProbe *cp, const char *type, const char *reason, const char *what,
                        const char *detail) {
        PodRun *p = cp->owner->pod;
        pod_run_event(p, pod_container_at(p->pod, cp->container), type, reason, "%s probe %s: %s",
                      probe_kind_to_string(cp->kind), what, detail ?: "");
}

static void on_attempt_done(const ProbeReport *report, void *userdata) {
        ContainerProbe *cp = userdata;
        PodProbes *pp = cp->owner;
        PodRun *p = pp->pod;
        const Container *c = pod_container_at(p->pod, cp->container);

        cp->attempt = NULL;
        note_attempt(cp, report);
        ProbeVerdict v = probe_worker_record(&cp->worker, cp->spec, cp->attempt_instance, report->outcome);

        /* The kubelet's events for each attempt (k8s-semantics.md §4.2, §4.4); repeats aggregate. */
        if (report->outcome == PROBE_OUTCOME_FAILURE)
                probe_event(cp, "Warning", "Unhealthy", "failed", report->output);
        else if (report->outcome == PROBE_OUTCOME_ERROR)
                probe_event(cp, "Warning", "Unhealthy", "errored and resulted in unknown state", report->output);
        else if (report->warning)
                probe_event(cp, "Warning", "ProbeWarning", "warning", report->warning);

        if (v == PROBE_VERDICT_KILL) {
                int64_t grace = cp->spec->termination_grace_period_seconds.set
                                        ? cp->spec->termination_grace_period_seconds.value
                                        : p->pod->spec.termination_grace_period_seconds.value;
                /* The kubelet's words (k8s-semantics.md §3.1): no promise of a restart under Never. */
                pod_run_event(p, c, "Normal", "Killing", "Container %s failed %s probe%s", c->name,
                              cp->kind == PROBE_STARTUP ? "startup" : "liveness",
                              streq_ptr(p->pod->spec.restart_policy, "Never") ? "" : ", will be restarted");
                int r = pod_run_kill_container(p, cp->container, grace);
                if (r < 0)
                        log_message(LOG_ERR, "Failed to kill container %s of pod %s: %s", c->name, p->key,
                                    strerror(-r));
        }
        if (sync_results(pp, cp->container))
                pod_run_probes_changed(p, cp->container);
}

static void on_probe_tick(ProbeClockEntry *e, uint64_t due_usec) {
        ContainerProbe *cp = container_of(e, ContainerProbe, tick);
        PodRun *p = cp->owner->pod;
        uint64_t period = (uint64_t) MAX(cp->spec->period_seconds.value, 1) * USEC_PER_SEC;
        uint64_t next = due_usec + period, now = clock_usec(CLOCK_MONOTONIC);
        bool changed = false;
        int r;

        /* Next tick one period after this one was due, so ticks do not drift with the loop's load; ticks
         * missed while the loop stalled are dropped, as a Go ticker drops them. */
        if (next <= now)
                next = now + period;
        r = probe_clock_schedule(p->manager->probe_clock, &cp->tick, next);
        if (r < 0)
                log_message(LOG_ERR, "Failed to schedule a probe of pod %s: %s", p->key, strerror(-r));

        ProbeTick t = probe_tick_now(cp);
        bool due = probe_worker_tick(&cp->worker, cp->spec, &t, &changed);
        if (changed && sync_results(cp->owner, cp->container))
                pod_run_probes_changed(p, cp->container);
        if (!due || cp->attempt)
                return; /* the kubelet waits for an attempt before the next; so does podd */

        cp->attempt_instance = t.instance;
        r = prober_start(p->manager->prober, &cp->target, (pid_t) p->rt[cp->container].unit.main_pid,
                         on_attempt_done, cp, &cp->attempt);
        if (r < 0)
                log_message(LOG_WARNING, "Failed to run the %s probe of %s in pod %s: %s",
                            probe_kind_to_string(cp->kind), pod_container_at(p->pod, cp->container)->name,
                            p->key, strerror(-r));
}

static void container_probe_update(ContainerProbe *cp) {
        PodRun *p = cp->owner->pod;
        ProbeTick t = probe_tick_now(cp);
        bool changed = false;
        int r;

        /* Apply a new instance or the deletion at once: no stale answer may count for the new instance. */
        (void) probe_worker_tick(&cp->worker, cp->spec, &t, &changed);
        if (cp->attempt && cp->attempt_instance != t.instance)
                cp->attempt = probe_attempt_cancel(cp->attempt);

        bool wanted = t.running && !cp->worker.stopped;
        if (!wanted) {
                container_probe_stop(cp);
                return;
        }
        if (probe_clock_scheduled(&cp->tick))
                return;
        /* The first tick once initialDelaySeconds have passed since the process started, then every
         * period. */
        uint64_t delay = (uint64_t) MAX(cp->spec->initial_delay_seconds.value, 0) * USEC_PER_SEC;
        uint64_t wait = t.since_start_usec < delay ? delay - t.since_start_usec : 0;
        r = probe_clock_schedule(p->manager->probe_clock, &cp->tick, clock_usec(CLOCK_MONOTONIC) + wait);
        if (r < 0)
                log_message(LOG_ERR, "Failed to schedule a probe of pod %s: %s", p->key, strerror(-r));
}

void pod_probes_update(PodProbes *pp, size_t i) {
        if (!pp)
                return;
        for (size_t j = 0; j < pp->n_probes; j++)
                if (pp->probes[j].container == i)
                        container_probe_update(&pp->probes[j]);
        (void) sync_results(pp, i);
}
