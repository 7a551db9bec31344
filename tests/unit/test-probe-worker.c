/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "probe-worker.h"
#include "tests.h"

#define SEC UINT64_C(1000000)

static Probe probe(int64_t delay, int64_t success, int64_t failure) {
        return (Probe) {
                .initial_delay_seconds = { .set = true, .value = delay },
                .success_threshold = { .set = true, .value = success },
                .failure_threshold = { .set = true, .value = failure },
        };
}

static const ProbeTick running = { .running = true, .started = true, .instance = 1, .since_start_usec = 100 * SEC };

/* Feeds outcomes one tick each and checks the verdict and the stored result after each. */
typedef struct Step {
        ProbeOutcome outcome;
        ProbeVerdict verdict;
        ProbeResult result;
} Step;

static void run_steps(ProbeKind kind, const Probe *p, const ProbeTick *t, const Step *steps, size_t n) {
        ProbeWorker w;
        probe_worker_init(&w, kind);
        for (size_t i = 0; i < n; i++) {
                bool changed;
                ASSERT_TRUE(probe_worker_tick(&w, p, t, &changed));
                ASSERT_EQ(probe_worker_record(&w, p, t->instance, steps[i].outcome), steps[i].verdict);
                ASSERT_EQ(w.result, steps[i].result);
        }
}

TEST(initial_results) {
        ASSERT_EQ(probe_initial_result(PROBE_READINESS), PROBE_RESULT_FAILURE);
        ASSERT_EQ(probe_initial_result(PROBE_LIVENESS), PROBE_RESULT_SUCCESS);
        ASSERT_EQ(probe_initial_result(PROBE_STARTUP), PROBE_RESULT_UNKNOWN);
        ASSERT_STREQ(probe_kind_to_string(PROBE_LIVENESS), "Liveness");
        ASSERT_STREQ(probe_result_to_string(PROBE_RESULT_FAILURE), "Failure");
        ASSERT_STREQ(probe_outcome_to_string(PROBE_OUTCOME_ERROR), "error");
        ASSERT_NULL(probe_kind_to_string(_PROBE_KIND_MAX));
}

TEST(liveness_failure_threshold_counts_consecutive_failures) {
        Probe p = probe(0, 1, 3);
        static const Step steps[] = {
                { PROBE_OUTCOME_FAILURE, PROBE_VERDICT_NONE, PROBE_RESULT_SUCCESS },
                { PROBE_OUTCOME_FAILURE, PROBE_VERDICT_NONE, PROBE_RESULT_SUCCESS },
                { PROBE_OUTCOME_SUCCESS, PROBE_VERDICT_NONE, PROBE_RESULT_SUCCESS }, /* breaks the run */
                { PROBE_OUTCOME_FAILURE, PROBE_VERDICT_NONE, PROBE_RESULT_SUCCESS },
                { PROBE_OUTCOME_ERROR, PROBE_VERDICT_NONE, PROBE_RESULT_SUCCESS },   /* counts as nothing */
                { PROBE_OUTCOME_FAILURE, PROBE_VERDICT_NONE, PROBE_RESULT_SUCCESS },
                { PROBE_OUTCOME_FAILURE, PROBE_VERDICT_KILL, PROBE_RESULT_FAILURE },
        };
        run_steps(PROBE_LIVENESS, &p, &running, steps, ELEMENTSOF(steps));
}

TEST(readiness_success_threshold_and_flip_back) {
        Probe p = probe(0, 2, 2);
        static const Step steps[] = {
                { PROBE_OUTCOME_SUCCESS, PROBE_VERDICT_NONE, PROBE_RESULT_FAILURE },
                { PROBE_OUTCOME_SUCCESS, PROBE_VERDICT_CHANGED, PROBE_RESULT_SUCCESS },
                { PROBE_OUTCOME_SUCCESS, PROBE_VERDICT_NONE, PROBE_RESULT_SUCCESS },
                { PROBE_OUTCOME_FAILURE, PROBE_VERDICT_NONE, PROBE_RESULT_SUCCESS },
                { PROBE_OUTCOME_FAILURE, PROBE_VERDICT_CHANGED, PROBE_RESULT_FAILURE }, /* never a kill */
                { PROBE_OUTCOME_FAILURE, PROBE_VERDICT_NONE, PROBE_RESULT_FAILURE },
                { PROBE_OUTCOME_SUCCESS, PROBE_VERDICT_NONE, PROBE_RESULT_FAILURE },
                { PROBE_OUTCOME_SUCCESS, PROBE_VERDICT_CHANGED, PROBE_RESULT_SUCCESS },
        };
        run_steps(PROBE_READINESS, &p, &running, steps, ELEMENTSOF(steps));
}

TEST(startup_success_then_holds) {
        Probe p = probe(0, 1, 3);
        ProbeTick t = running;
        ProbeWorker w;
        bool changed;

        t.started = false;
        probe_worker_init(&w, PROBE_STARTUP);
        ASSERT_TRUE(probe_worker_tick(&w, &p, &t, &changed));
        ASSERT_EQ(probe_worker_record(&w, &p, t.instance, PROBE_OUTCOME_FAILURE), PROBE_VERDICT_NONE);
        ASSERT_TRUE(probe_worker_tick(&w, &p, &t, &changed));
        ASSERT_EQ(probe_worker_record(&w, &p, t.instance, PROBE_OUTCOME_SUCCESS), PROBE_VERDICT_CHANGED);
        ASSERT_EQ(w.result, PROBE_RESULT_SUCCESS);
        /* Started: the startup probe stops running. */
        t.started = true;
        ASSERT_FALSE(probe_worker_tick(&w, &p, &t, &changed));
        ASSERT_FALSE(changed);
}

TEST(startup_failure_kills_and_new_instance_resets) {
        Probe p = probe(0, 1, 2);
        ProbeTick t = running;
        ProbeWorker w;
        bool changed;

        t.started = false;
        probe_worker_init(&w, PROBE_STARTUP);
        ASSERT_TRUE(probe_worker_tick(&w, &p, &t, &changed));
        ASSERT_EQ(probe_worker_record(&w, &p, 1, PROBE_OUTCOME_FAILURE), PROBE_VERDICT_NONE);
        ASSERT_EQ(probe_worker_record(&w, &p, 1, PROBE_OUTCOME_FAILURE), PROBE_VERDICT_KILL);
        ASSERT_TRUE(w.on_hold);
        ASSERT_FALSE(probe_worker_tick(&w, &p, &t, &changed)); /* dying container: no more attempts */
        /* A late answer for the killed instance is dropped. */
        ASSERT_EQ(probe_worker_record(&w, &p, 1, PROBE_OUTCOME_FAILURE), PROBE_VERDICT_NONE);

        t.instance = 2;
        ASSERT_TRUE(probe_worker_tick(&w, &p, &t, &changed));
        ASSERT_TRUE(changed); /* Failure → Unknown */
        ASSERT_EQ(w.result, PROBE_RESULT_UNKNOWN);
        ASSERT_FALSE(w.on_hold);
        ASSERT_EQ(probe_worker_record(&w, &p, 1, PROBE_OUTCOME_SUCCESS), PROBE_VERDICT_NONE); /* stale */
        ASSERT_EQ(probe_worker_record(&w, &p, 2, PROBE_OUTCOME_SUCCESS), PROBE_VERDICT_CHANGED);
}

TEST(gating) {
        Probe p = probe(5, 1, 3);
        ProbeWorker live, ready, startup;
        ProbeTick t = { .running = true, .started = false, .instance = 7, .since_start_usec = 10 * SEC };
        bool changed;

        probe_worker_init(&live, PROBE_LIVENESS);
        probe_worker_init(&ready, PROBE_READINESS);
        probe_worker_init(&startup, PROBE_STARTUP);
        /* Not started: only the startup probe runs. */
        ASSERT_FALSE(probe_worker_tick(&live, &p, &t, &changed));
        ASSERT_FALSE(probe_worker_tick(&ready, &p, &t, &changed));
        ASSERT_TRUE(probe_worker_tick(&startup, &p, &t, &changed));
        /* initialDelaySeconds counts from the start. */
        t.started = true;
        t.since_start_usec = 4 * SEC;
        ASSERT_FALSE(probe_worker_tick(&live, &p, &t, &changed));
        t.since_start_usec = 5 * SEC;
        ASSERT_TRUE(probe_worker_tick(&live, &p, &t, &changed));
        /* Not running, or no instance: nothing. */
        t.running = false;
        ASSERT_FALSE(probe_worker_tick(&ready, &p, &t, &changed));
        t.running = true;
        t.instance = 0;
        ASSERT_FALSE(probe_worker_tick(&ready, &p, &t, &changed));
}

TEST(deletion_stops_liveness_and_startup_but_not_readiness) {
        Probe p = probe(0, 1, 1);
        ProbeWorker live, ready;
        ProbeTick t = running;
        bool changed;

        probe_worker_init(&live, PROBE_LIVENESS);
        probe_worker_init(&ready, PROBE_READINESS);
        ASSERT_TRUE(probe_worker_tick(&live, &p, &t, &changed));
        t.deleting = true;
        ASSERT_FALSE(probe_worker_tick(&live, &p, &t, &changed));
        ASSERT_EQ(live.result, PROBE_RESULT_SUCCESS);
        /* An answer that arrives after the deletion never kills. */
        ASSERT_EQ(probe_worker_record(&live, &p, t.instance, PROBE_OUTCOME_FAILURE), PROBE_VERDICT_NONE);
        ASSERT_TRUE(probe_worker_tick(&ready, &p, &t, &changed));
        ASSERT_EQ(probe_worker_record(&ready, &p, t.instance, PROBE_OUTCOME_SUCCESS), PROBE_VERDICT_CHANGED);
        ASSERT_EQ(probe_worker_record(&ready, &p, t.instance, PROBE_OUTCOME_FAILURE), PROBE_VERDICT_CHANGED);
}

TEST(defaults_when_unset) {
        Probe p = {}; /* thresholds default to success 1, failure 3 */
        static const Step steps[] = {
                { PROBE_OUTCOME_FAILURE, PROBE_VERDICT_NONE, PROBE_RESULT_SUCCESS },
                { PROBE_OUTCOME_FAILURE, PROBE_VERDICT_NONE, PROBE_RESULT_SUCCESS },
                { PROBE_OUTCOME_FAILURE, PROBE_VERDICT_KILL, PROBE_RESULT_FAILURE },
        };
        run_steps(PROBE_LIVENESS, &p, &running, steps, ELEMENTSOF(steps));
}
