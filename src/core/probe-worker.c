/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "probe-worker.h"

static const char *const probe_kind_table[_PROBE_KIND_MAX] = {
        [PROBE_STARTUP] = "Startup",
        [PROBE_LIVENESS] = "Liveness",
        [PROBE_READINESS] = "Readiness",
};

const char *probe_kind_to_string(ProbeKind k) {
        if (k < 0 || k >= _PROBE_KIND_MAX)
                return NULL;
        return probe_kind_table[k];
}

static const char *const probe_outcome_table[_PROBE_OUTCOME_MAX] = {
        [PROBE_OUTCOME_SUCCESS] = "success",
        [PROBE_OUTCOME_FAILURE] = "failure",
        [PROBE_OUTCOME_ERROR] = "error",
};

const char *probe_outcome_to_string(ProbeOutcome o) {
        if (o < 0 || o >= _PROBE_OUTCOME_MAX)
                return NULL;
        return probe_outcome_table[o];
}

static const char *const probe_result_table[_PROBE_RESULT_MAX] = {
        [PROBE_RESULT_UNKNOWN] = "Unknown",
        [PROBE_RESULT_SUCCESS] = "Success",
        [PROBE_RESULT_FAILURE] = "Failure",
};

const char *probe_result_to_string(ProbeResult r) {
        if (r < 0 || r >= _PROBE_RESULT_MAX)
                return NULL;
        return probe_result_table[r];
}

ProbeResult probe_initial_result(ProbeKind k) {
        switch (k) {
        case PROBE_READINESS:
                return PROBE_RESULT_FAILURE; /* not ready until a probe says so */
        case PROBE_LIVENESS:
                return PROBE_RESULT_SUCCESS; /* alive until a probe says otherwise */
        default:
                return PROBE_RESULT_UNKNOWN;
        }
}

void probe_worker_init(ProbeWorker *w, ProbeKind kind) {
        *w = (ProbeWorker) {
                .kind = kind,
                .result = probe_initial_result(kind),
        };
}

/* Defaulting fills these in; a probe built by hand without them gets the same values. */
static int64_t threshold(OptInt v, int64_t dflt) {
        return v.set && v.value > 0 ? v.value : dflt;
}

bool probe_worker_tick(ProbeWorker *w, const Probe *p, const ProbeTick *t, bool *ret_changed) {
        ProbeResult before = w->result;

        if (t->instance != w->instance) {
                /* A new container: what was learned about the previous one does not apply to it. */
                ProbeKind kind = w->kind;
                bool stopped = w->stopped;
                probe_worker_init(w, kind);
                w->stopped = stopped;
                w->instance = t->instance;
        }

        if (t->deleting && w->kind != PROBE_READINESS) {
                /* A pod being deleted is not restarted: liveness and startup report success and stop, so
                 * nothing kills a container that is already on its way out. Readiness goes on. */
                w->stopped = true;
                w->result = PROBE_RESULT_SUCCESS;
        }

        if (ret_changed)
                *ret_changed = w->result != before;

        if (w->stopped || w->on_hold || !t->running || t->instance == 0)
                return false;
        if (w->kind == PROBE_STARTUP ? t->started : !t->started)
                return false; /* startup runs until the container is started; the others only after */
        if (t->since_start_usec < (uint64_t) MAX(p->initial_delay_seconds.value, 0) * USEC_PER_SEC)
                return false;
        return true;
}

ProbeVerdict probe_worker_record(ProbeWorker *w, const Probe *p, uint64_t instance, ProbeOutcome o) {
        if (instance != w->instance || w->on_hold || w->stopped)
                return PROBE_VERDICT_NONE; /* a late answer about a container that is gone or dying */
        if (o == PROBE_OUTCOME_ERROR)
                return PROBE_VERDICT_NONE; /* could not be attempted: neither success nor failure */

        if (w->run > 0 && w->run_outcome == o)
                w->run++;
        else {
                w->run_outcome = o;
                w->run = 1;
        }
        if (o == PROBE_OUTCOME_FAILURE && w->run < threshold(p->failure_threshold, 3))
                return PROBE_VERDICT_NONE;
        if (o == PROBE_OUTCOME_SUCCESS && w->run < threshold(p->success_threshold, 1))
                return PROBE_VERDICT_NONE;

        ProbeResult result = o == PROBE_OUTCOME_SUCCESS ? PROBE_RESULT_SUCCESS : PROBE_RESULT_FAILURE;
        bool changed = result != w->result;
        w->result = result;

        if (w->kind == PROBE_STARTUP || (w->kind == PROBE_LIVENESS && result == PROBE_RESULT_FAILURE)) {
                /* The container is started, or about to be killed: no more attempts on this instance. */
                w->on_hold = true;
                w->run = 0;
        }
        if (w->kind != PROBE_READINESS && result == PROBE_RESULT_FAILURE)
                return PROBE_VERDICT_KILL;
        return changed ? PROBE_VERDICT_CHANGED : PROBE_VERDICT_NONE;
}
