/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "manifest.h"
#include "pod-status.h"
#include "string-util.h"
#include "tests.h"

#define SEC UINT64_C(1000000)
#define T0 (UINT64_C(1790000000) * SEC)

/* ---- manifests ---- */

static const char *const m_app =
        "apiVersion: v1\nkind: Pod\n"
        "metadata: {name: web, uid: uid-1}\n"
        "spec:\n"
        "  containers: [{name: app, command: [/bin/sleep, inf]}]\n";

static const char *const m_app_never =
        "apiVersion: v1\nkind: Pod\n"
        "metadata: {name: web, uid: uid-1}\n"
        "spec:\n"
        "  restartPolicy: Never\n"
        "  containers: [{name: app, command: [/bin/true]}]\n";

static const char *const m_app_onfailure =
        "apiVersion: v1\nkind: Pod\n"
        "metadata: {name: web, uid: uid-1}\n"
        "spec:\n"
        "  restartPolicy: OnFailure\n"
        "  containers: [{name: app, command: [/bin/true]}]\n";

static const char *const m_two =
        "apiVersion: v1\nkind: Pod\n"
        "metadata: {name: web, namespace: prod, uid: uid-2}\n"
        "spec:\n"
        "  restartPolicy: Never\n"
        "  containers:\n"
        "  - {name: a, command: [/bin/true]}\n"
        "  - {name: b, command: [/bin/true]}\n";

static const char *const m_init =
        "apiVersion: v1\nkind: Pod\n"
        "metadata: {name: web, uid: uid-3}\n"
        "spec:\n"
        "  initContainers:\n"
        "  - {name: i1, command: [/bin/true]}\n"
        "  - {name: i2, command: [/bin/true]}\n"
        "  containers: [{name: app, command: [/bin/sleep, inf]}]\n";

static const char *const m_init_never =
        "apiVersion: v1\nkind: Pod\n"
        "metadata: {name: web, uid: uid-3}\n"
        "spec:\n"
        "  restartPolicy: Never\n"
        "  initContainers:\n"
        "  - {name: i1, command: [/bin/true]}\n"
        "  - {name: i2, command: [/bin/true]}\n"
        "  containers: [{name: app, command: [/bin/sleep, inf]}]\n";

static const char *const m_sidecar =
        "apiVersion: v1\nkind: Pod\n"
        "metadata: {name: web, uid: uid-4}\n"
        "spec:\n"
        "  restartPolicy: Never\n"
        "  initContainers:\n"
        "  - {name: i1, command: [/bin/true]}\n"
        "  - {name: side, command: [/bin/sleep, inf], restartPolicy: Always}\n"
        "  containers: [{name: app, command: [/bin/true]}]\n";

static const char *const m_deadline =
        "apiVersion: v1\nkind: Pod\n"
        "metadata: {name: web, uid: uid-5}\n"
        "spec:\n"
        "  activeDeadlineSeconds: 30\n"
        "  containers: [{name: app, command: [/bin/sleep, inf]}]\n";

/* ---- hand-made unit snapshots ---- */

typedef struct Snap {
        ContainerGate gate;
        bool exists;
        const char *active, *sub, *result;
        int32_t code, status;
        uint64_t start, exit, active_enter;
        uint32_t n_restarts, podd_restarts;
        uint64_t restart_usec, next_start;
        const char *gate_message;
        const char *last_reason; /* podd's last_termination, when set */
        int32_t last_exit;
        uint64_t last_start, last_finish;
} Snap;

#define S_NOT_STARTED { .gate = CONTAINER_GATE_NOT_STARTED }
#define S_LOADING { .exists = false }
#define S_START_POST { .exists = true, .active = "activating", .sub = "start-post", .result = "success", .start = T0 }
#define S_RUNNING                                                                                           \
        { .exists = true, .active = "active", .sub = "running", .result = "success", .start = T0,         \
          .active_enter = T0 + 1 }
#define S_STOPPING                                                                                          \
        { .exists = true, .active = "deactivating", .sub = "stop-sigterm", .result = "success", .start = T0, \
          .active_enter = T0 + 1 }
#define S_ONESHOT_RUNNING { .exists = true, .active = "activating", .sub = "start", .result = "success", .start = T0 }
#define S_ONESHOT_DONE                                                                                      \
        { .exists = true, .active = "active", .sub = "exited", .result = "success", .code = CLD_EXITED,   \
          .status = 0, .start = T0, .exit = T0 + SEC }
#define S_EXITED(st)                                                                                        \
        { .exists = true, .active = (st) ? "failed" : "inactive", .sub = (st) ? "failed" : "dead",        \
          .result = (st) ? "exit-code" : "success", .code = CLD_EXITED, .status = (st), .start = T0,      \
          .exit = T0 + 5 * SEC }
#define S_KILLED(sig, res)                                                                                  \
        { .exists = true, .active = "failed", .sub = "failed", .result = (res), .code = CLD_KILLED,       \
          .status = (sig), .start = T0, .exit = T0 + 5 * SEC }
#define S_AUTO_RESTART(st, n)                                                                               \
        { .exists = true, .active = "activating", .sub = "auto-restart", .result = "exit-code",           \
          .code = CLD_EXITED, .status = (st), .start = T0, .exit = T0 + 5 * SEC, .n_restarts = (n),       \
          .restart_usec = 10 * SEC }

typedef struct Fixture {
        Manifest *m;
        const Pod *pod;
        ContainerRuntime rt[8];
        char *units[9];
        size_t n;
} Fixture;

static void fixture_load(Fixture *f, const char *manifest, const Snap *snaps) {
        Diags d = {};
        *f = (Fixture) {};
        ASSERT_OK(manifest_load(manifest, strlen(manifest), NULL, &f->m, &d));
        diags_done(&d);
        ASSERT_EQ(f->m->n_pods, 1);
        f->pod = f->m->pods[0];
        f->n = pod_n_containers(f->pod);
        ASSERT_TRUE(f->n <= 8);
        for (size_t i = 0; i < f->n; i++) {
                const Snap *s = &snaps[i];
                ContainerRuntime *rt = &f->rt[i];
                rt->gate = s->gate;
                rt->gate_message = strdup_or_null(s->gate_message);
                rt->next_start_usec = s->next_start;
                rt->podd_restarts = s->podd_restarts;
                rt->unit = (UnitSnapshot) {
                        .exists = s->exists,
                        .active_state = strdup_or_null(s->active),
                        .sub_state = strdup_or_null(s->sub),
                        .result = strdup_or_null(s->result),
                        .exec_main_code = s->code,
                        .exec_main_status = s->status,
                        .exec_main_start_usec = s->start,
                        .exec_main_exit_usec = s->exit,
                        .active_enter_usec = s->active_enter,
                        .n_restarts = s->n_restarts,
                        .restart_usec = s->restart_usec,
                };
                if (s->last_reason) {
                        rt->last_termination = (ContainerState) {
                                .kind = CONTAINER_STATE_TERMINATED,
                                .reason = strdup(s->last_reason),
                                .exit_code = s->last_exit,
                                .started_at = s->last_start,
                                .finished_at = s->last_finish,
                        };
                }
                f->units[i] = asprintf_safe("%s.service", pod_container_at(f->pod, i)->name);
                ASSERT_NOT_NULL(f->units[i]);
        }
}

static void fixture_done(Fixture *f) {
        for (size_t i = 0; i < f->n; i++) {
                container_runtime_done(&f->rt[i]);
                free(f->units[i]);
        }
        manifest_free(f->m);
        *f = (Fixture) {};
}

static void compute(Fixture *f, uint64_t now, bool deleting, const PodStatus *previous, PodStatus *st) {
        PodRuntime prt = { .now_usec = now, .start_time_usec = T0 - SEC, .deleting = deleting, .previous = previous };
        ASSERT_OK(pod_status_compute(f->pod, f->rt, f->units, &prt, st));
        ASSERT_EQ(st->n_statuses, f->n);
}

/* "waiting:Reason", "running", "terminated:Reason:exit", "none": a state in one comparable word. */
static const char *state_word(const ContainerState *s, char buf[static 128]) {
        switch (s->kind) {
        case CONTAINER_STATE_WAITING:
                snprintf(buf, 128, "waiting:%s", s->reason ?: "");
                break;
        case CONTAINER_STATE_RUNNING:
                snprintf(buf, 128, "running");
                break;
        case CONTAINER_STATE_TERMINATED:
                snprintf(buf, 128, "terminated:%s:%" PRId32, s->reason ?: "", s->exit_code);
                break;
        default:
                snprintf(buf, 128, "none");
        }
        return buf;
}

/* ---- string tables ---- */

TEST(string_tables_round_trip) {
        for (PodPhase p = 0; p < _POD_PHASE_MAX; p++) {
                ASSERT_NOT_NULL(pod_phase_to_string(p));
                ASSERT_EQ(pod_phase_from_string(pod_phase_to_string(p)), p);
        }
        ASSERT_STREQ(pod_phase_to_string(POD_PHASE_SUCCEEDED), "Succeeded");
        ASSERT_NULL(pod_phase_to_string(_POD_PHASE_MAX));
        ASSERT_NULL(pod_phase_to_string(_POD_PHASE_INVALID));
        ASSERT_EQ(pod_phase_from_string("running"), _POD_PHASE_INVALID);
        ASSERT_EQ(pod_phase_from_string(""), _POD_PHASE_INVALID);
        ASSERT_EQ(pod_phase_from_string(NULL), _POD_PHASE_INVALID);

        static const char *const types[] = { "PodScheduled", "Initialized", "ContainersReady", "Ready" };
        for (PodConditionType t = 0; t < _POD_CONDITION_TYPE_MAX; t++)
                ASSERT_STREQ(pod_condition_type_to_string(t), types[t]);
        ASSERT_NULL(pod_condition_type_to_string(_POD_CONDITION_TYPE_MAX));

        for (ContainerGate g = 0; g < _CONTAINER_GATE_MAX; g++) {
                ASSERT_NOT_NULL(container_gate_to_string(g));
                for (ContainerGate h = 0; h < g; h++)
                        ASSERT_FALSE(streq(container_gate_to_string(g), container_gate_to_string(h)));
        }
        ASSERT_NULL(container_gate_to_string(_CONTAINER_GATE_INVALID));
}

/* ---- phases and states, table-driven ---- */

typedef struct PhaseCase {
        const char *name;
        const char *manifest;
        Snap snaps[4];
        bool deleting;
        PodPhase phase;
        const char *states[4];
        const char *last_states[4]; /* NULL = "none" */
        bool ready[4];
} PhaseCase;

static const PhaseCase phase_cases[] = {
        { "not started", m_app, { S_NOT_STARTED }, false, POD_PHASE_PENDING,
          { "waiting:ContainerCreating" }, {}, { false } },
        { "unit not loaded yet", m_app, { S_LOADING }, false, POD_PHASE_PENDING,
          { "waiting:ContainerCreating" }, {}, { false } },
        { "postStart running", m_app, { S_START_POST }, false, POD_PHASE_PENDING,
          { "waiting:ContainerCreating" }, {}, { false } },
        { "running", m_app, { S_RUNNING }, false, POD_PHASE_RUNNING, { "running" }, {}, { true } },
        { "stopping is still running", m_app, { S_STOPPING }, false, POD_PHASE_RUNNING, { "running" }, {}, { true } },
        { "Never, exit 0", m_app_never, { S_EXITED(0) }, false, POD_PHASE_SUCCEEDED,
          { "terminated:Completed:0" }, {}, { false } },
        /* systemd sent the service's properties (the exit, which podd recorded as it came) before the
         * unit's (still "activating/start"): terminated, not waiting after a previous instance (seen as
         * a Never pod's phase Failed for a command that exited 0 at once). */
        { "Never, exit 0 while still activating", m_app_never,
          { { .exists = true, .active = "activating", .sub = "start", .result = "success", .code = CLD_EXITED,
              .status = 0, .start = T0, .exit = T0 + 1, .last_reason = "Completed", .last_exit = 0,
              .last_start = T0, .last_finish = T0 + 1 } },
          false, POD_PHASE_SUCCEEDED, { "terminated:Completed:0" }, {}, { false } },
        { "Never, exit 1", m_app_never, { S_EXITED(1) }, false, POD_PHASE_FAILED,
          { "terminated:Error:1" }, {}, { false } },
        { "OnFailure, exit 1", m_app_onfailure, { S_EXITED(1) }, false, POD_PHASE_RUNNING,
          { "terminated:Error:1" }, {}, { false } },
        { "OnFailure, exit 0", m_app_onfailure, { S_EXITED(0) }, false, POD_PHASE_SUCCEEDED,
          { "terminated:Completed:0" }, {}, { false } },
        { "Always, exit 0", m_app, { S_EXITED(0) }, false, POD_PHASE_RUNNING,
          { "terminated:Completed:0" }, {}, { false } },
        { "Always, crash loop", m_app, { S_AUTO_RESTART(2, 3) }, false, POD_PHASE_RUNNING,
          { "waiting:CrashLoopBackOff" }, { "terminated:Error:2" }, { false } },
        { "OOM killed", m_app_never, { S_KILLED(SIGKILL, "oom-kill") }, false, POD_PHASE_FAILED,
          { "terminated:OOMKilled:137" }, {}, { false } },
        { "killed by SIGTERM", m_app_never, { S_KILLED(SIGTERM, "signal") }, false, POD_PHASE_FAILED,
          { "terminated:Error:143" }, {}, { false } },
        { "exec failed", m_app_never, { S_EXITED(203) }, false, POD_PHASE_FAILED,
          { "terminated:StartError:128" }, {}, { false } },
        { "image unsupported", m_app, { { .gate = CONTAINER_GATE_IMAGE_UNSUPPORTED } }, false, POD_PHASE_PENDING,
          { "waiting:ImagesNotSupported" }, {}, { false } },
        { "start failed", m_app, { { .gate = CONTAINER_GATE_START_FAILED, .gate_message = "Access denied" } },
          false, POD_PHASE_PENDING, { "waiting:RunContainerError" }, {}, { false } },
        { "one running, one waiting", m_two, { S_RUNNING, S_NOT_STARTED }, false, POD_PHASE_PENDING,
          { "running", "waiting:ContainerCreating" }, {}, { true, false } },
        { "one running, one done", m_two, { S_RUNNING, S_EXITED(0) }, false, POD_PHASE_RUNNING,
          { "running", "terminated:Completed:0" }, {}, { true, false } },
        { "Never, one failed", m_two, { S_EXITED(0), S_EXITED(3) }, false, POD_PHASE_FAILED,
          { "terminated:Completed:0", "terminated:Error:3" }, {}, { false, false } },
        { "init container runs", m_init, { S_ONESHOT_RUNNING, S_NOT_STARTED, S_NOT_STARTED }, false,
          POD_PHASE_PENDING, { "running", "waiting:PodInitializing", "waiting:PodInitializing" }, {},
          { false, false, false } },
        { "second init container runs", m_init, { S_ONESHOT_DONE, S_ONESHOT_RUNNING, S_NOT_STARTED }, false,
          POD_PHASE_PENDING, { "terminated:Completed:0", "running", "waiting:PodInitializing" }, {},
          { true, false, false } },
        { "init crash loop, Always", m_init, { S_ONESHOT_DONE, S_AUTO_RESTART(1, 0), S_NOT_STARTED }, false,
          POD_PHASE_PENDING, { "terminated:Completed:0", "waiting:CrashLoopBackOff", "waiting:PodInitializing" },
          { NULL, "terminated:Error:1" }, { true, false, false } },
        { "init failed, Never", m_init_never, { S_ONESHOT_DONE, S_EXITED(1), S_NOT_STARTED }, false,
          POD_PHASE_FAILED, { "terminated:Completed:0", "terminated:Error:1", "waiting:PodInitializing" }, {},
          { true, false, false } },
        { "initialized, app runs", m_init, { S_ONESHOT_DONE, S_ONESHOT_DONE, S_RUNNING }, false,
          POD_PHASE_RUNNING, { "terminated:Completed:0", "terminated:Completed:0", "running" }, {},
          { true, true, true } },
        { "sidecar in postStart", m_sidecar, { S_ONESHOT_DONE, S_START_POST, S_NOT_STARTED }, false,
          POD_PHASE_PENDING, { "terminated:Completed:0", "waiting:PodInitializing", "waiting:PodInitializing" },
          {}, { true, false, false } },
        { "sidecar and app run", m_sidecar, { S_ONESHOT_DONE, S_RUNNING, S_RUNNING }, false, POD_PHASE_RUNNING,
          { "terminated:Completed:0", "running", "running" }, {}, { true, true, true } },
        { "app done, sidecar still runs", m_sidecar, { S_ONESHOT_DONE, S_RUNNING, S_EXITED(0) }, false,
          POD_PHASE_RUNNING, { "terminated:Completed:0", "running", "terminated:Completed:0" }, {},
          { true, true, false } },
        { "app done, sidecar stopped", m_sidecar, { S_ONESHOT_DONE, S_KILLED(SIGTERM, "signal"), S_EXITED(0) },
          false, POD_PHASE_SUCCEEDED, { "terminated:Completed:0", "terminated:Error:143", "terminated:Completed:0" },
          {}, { true, false, false } },
        { "deleting, still running", m_app, { S_STOPPING }, true, POD_PHASE_RUNNING, { "running" }, {}, { true } },
        { "deleting, stopped with 0", m_app, { S_EXITED(0) }, true, POD_PHASE_SUCCEEDED,
          { "terminated:Completed:0" }, {}, { false } },
        { "deleting, stopped with SIGTERM", m_app, { S_KILLED(SIGTERM, "success") }, true, POD_PHASE_FAILED,
          { "terminated:Error:143" }, {}, { false } },
        { "deleting, never started", m_two, { S_EXITED(0), S_NOT_STARTED }, true, POD_PHASE_FAILED,
          { "terminated:Completed:0", "terminated:ContainerStatusUnknown:137" }, {}, { false, false } },
        { "deleting during init", m_init, { S_ONESHOT_DONE, S_EXITED(143), S_NOT_STARTED }, true,
          POD_PHASE_FAILED, { "terminated:Completed:0", "terminated:Error:143",
                              "terminated:ContainerStatusUnknown:137" }, {}, { true, false, false } },
        { "deleting before init ran", m_init, { S_NOT_STARTED, S_NOT_STARTED, S_NOT_STARTED }, true,
          POD_PHASE_FAILED, { "waiting:PodInitializing", "waiting:PodInitializing",
                              "terminated:ContainerStatusUnknown:137" }, {}, { false, false, false } },
};

TEST(phase_and_states) {
        for (size_t k = 0; k < ELEMENTSOF(phase_cases); k++) {
                const PhaseCase *c = &phase_cases[k];
                Fixture f;
                PodStatus st = {};
                char buf[128];

                fprintf(stderr, "case: %s\n", c->name);
                fixture_load(&f, c->manifest, c->snaps);
                compute(&f, T0 + 10 * SEC, c->deleting, NULL, &st);
                ASSERT_STREQ(pod_phase_to_string(st.phase), pod_phase_to_string(c->phase));
                for (size_t i = 0; i < f.n; i++) {
                        ASSERT_STREQ(state_word(&st.statuses[i].state, buf), c->states[i]);
                        ASSERT_STREQ(state_word(&st.statuses[i].last_state, buf), c->last_states[i] ?: "none");
                        ASSERT_EQ(st.statuses[i].ready, c->ready[i]);
                        ASSERT_EQ(st.statuses[i].started, st.statuses[i].state.kind == CONTAINER_STATE_RUNNING);
                        ASSERT_STREQ(st.statuses[i].unit_name, f.units[i]);
                        ASSERT_TRUE(st.statuses[i].spec == pod_container_at(f.pod, i));
                }
                ASSERT_TRUE(st.conditions[POD_CONDITION_POD_SCHEDULED].status);
                pod_status_done(&st);
                fixture_done(&f);
        }
}

/* ---- messages ---- */

TEST(crash_loop_message) {
        static const struct {
                uint64_t restart_usec;
                const char *window;
        } cases[] = {
                { 10 * SEC, "10s" },       { 20 * SEC, "20s" },      { 40 * SEC, "40s" },
                { 80 * SEC, "1m20s" },     { 160 * SEC, "2m40s" },   { 300 * SEC, "5m0s" },
                { 3600 * SEC, "1h0m0s" },  { 3725 * SEC, "1h2m5s" }, { 19743504, "20s" },
                { 60 * SEC, "1m0s" },      { SEC, "1s" },            { 500000, "500ms" },
                { 1500, "1.5ms" },         { 7, "7µs" },             { 0, "0s" },
        };

        for (size_t k = 0; k < ELEMENTSOF(cases); k++) {
                Snap s[1] = { S_AUTO_RESTART(1, 4) };
                Fixture f;
                PodStatus st = {};
                char expected[256];

                s[0].restart_usec = cases[k].restart_usec;
                fixture_load(&f, m_app, s);
                compute(&f, T0 + 10 * SEC, false, NULL, &st);
                snprintf(expected, sizeof expected,
                         "back-off %s restarting failed container=app pod=web_default(uid-1)", cases[k].window);
                ASSERT_STREQ(st.statuses[0].state.reason, "CrashLoopBackOff");
                ASSERT_STREQ(st.statuses[0].state.message, expected);
                ASSERT_EQ(st.statuses[0].restart_count, 4);
                pod_status_done(&st);
                fixture_done(&f);
        }
}

TEST(backoff_gate_window) {
        /* podd holds an init container: the window is from the last end to the next start. */
        Snap s[3] = { S_ONESHOT_DONE, S_EXITED(1), S_NOT_STARTED };
        s[1].gate = CONTAINER_GATE_BACKOFF;
        s[1].next_start = T0 + 5 * SEC + 40 * SEC;
        s[1].podd_restarts = 2;
        s[1].n_restarts = 1;
        Fixture f;
        PodStatus st = {};
        char buf[128];

        fixture_load(&f, m_init, s);
        compute(&f, T0 + 10 * SEC, false, NULL, &st);
        ASSERT_STREQ(st.statuses[1].state.message, "back-off 40s restarting failed container=i2 pod=web_default(uid-3)");
        ASSERT_STREQ(state_word(&st.statuses[1].last_state, buf), "terminated:Error:1");
        ASSERT_EQ(st.statuses[1].restart_count, 3);
        ASSERT_EQ(st.phase, POD_PHASE_PENDING);
        pod_status_done(&st);
        fixture_done(&f);
}

TEST(gate_messages) {
        Snap s[2] = { { .gate = CONTAINER_GATE_IMAGE_UNSUPPORTED },
                      { .gate = CONTAINER_GATE_START_FAILED, .gate_message = "Unit web.service already exists." } };
        Fixture f;
        PodStatus st = {};

        fixture_load(&f, m_two, s);
        compute(&f, T0, false, NULL, &st);
        ASSERT_STREQ(st.statuses[0].state.message,
                     "podctl does not run container images yet: remove \"image\" to run the command on the host's "
                     "root filesystem");
        ASSERT_STREQ(st.statuses[1].state.reason, "RunContainerError");
        ASSERT_STREQ(st.statuses[1].state.message, "Unit web.service already exists.");
        pod_status_done(&st);
        fixture_done(&f);
}

/* ---- terminated states from systemd's exit ---- */

TEST(state_from_exit) {
        static const struct {
                int32_t code, status;
                const char *result;
                const char *reason;
                int32_t exit_code, signal;
                const char *message;
        } cases[] = {
                { CLD_EXITED, 0, "success", "Completed", 0, 0, NULL },
                { CLD_EXITED, 1, "exit-code", "Error", 1, 0, NULL },
                { CLD_EXITED, 255, "exit-code", "Error", 255, 0, NULL },
                { CLD_EXITED, 199, "exit-code", "Error", 199, 0, NULL },
                { CLD_EXITED, 203, "exit-code", "StartError", 128, 0,
                  "failed to execute command (systemd exit status 203/EXEC)" },
                { CLD_EXITED, 200, "exit-code", "StartError", 128, 0,
                  "failed to change to the working directory (systemd exit status 200/CHDIR)" },
                { CLD_EXITED, 217, "exit-code", "StartError", 128, 0,
                  "failed to set the user (systemd exit status 217/USER)" },
                { CLD_EXITED, 223, "exit-code", "Error", 223, 0, NULL },
                { CLD_EXITED, 243, "exit-code", "StartError", 128, 0,
                  "failed to set up the credentials (systemd exit status 243/CREDENTIALS)" },
                { CLD_KILLED, SIGKILL, "signal", "Error", 137, SIGKILL, NULL },
                { CLD_KILLED, SIGTERM, "success", "Error", 143, SIGTERM, NULL },
                { CLD_DUMPED, SIGSEGV, "core-dump", "Error", 139, SIGSEGV, NULL },
                { CLD_KILLED, SIGKILL, "oom-kill", "OOMKilled", 137, SIGKILL, NULL },
                { CLD_EXITED, 1, "oom-kill", "OOMKilled", 1, 0, NULL },
                { 0, 0, "resources", "StartError", 128, 0, "systemd could not start the unit (result \"resources\")" },
        };

        for (size_t k = 0; k < ELEMENTSOF(cases); k++) {
                UnitSnapshot u = {
                        .exists = true,
                        .result = (char *) cases[k].result,
                        .exec_main_code = cases[k].code,
                        .exec_main_status = cases[k].status,
                        .exec_main_start_usec = cases[k].code ? T0 : 0,
                        .exec_main_exit_usec = cases[k].code ? T0 + SEC : 0,
                        .inactive_enter_usec = T0 + 2 * SEC,
                };
                ContainerState s = {};

                ASSERT_OK(container_state_from_exit(&u, &s));
                ASSERT_EQ(s.kind, CONTAINER_STATE_TERMINATED);
                ASSERT_STREQ(s.reason, cases[k].reason);
                ASSERT_EQ(s.exit_code, cases[k].exit_code);
                ASSERT_EQ(s.signal, cases[k].signal);
                if (cases[k].message)
                        ASSERT_STREQ(s.message, cases[k].message);
                else
                        ASSERT_NULL(s.message);
                ASSERT_EQ(s.started_at, u.exec_main_start_usec);
                ASSERT_EQ(s.finished_at, cases[k].code ? T0 + SEC : T0 + 2 * SEC);

                ContainerState copy = {};
                ASSERT_OK(container_state_copy(&s, &copy));
                ASSERT_STREQ(copy.reason, s.reason);
                ASSERT_TRUE(copy.reason != s.reason);
                ASSERT_EQ(copy.exit_code, s.exit_code);
                container_state_done(&copy);
                container_state_done(&s);
                ASSERT_NULL(s.reason);
        }

        /* Every systemd exit status is a start error; the reserved ones are ordinary exit codes. */
        for (int32_t status = 200; status <= 245; status++) {
                UnitSnapshot u = { .exists = true, .result = (char *) "exit-code", .exec_main_code = CLD_EXITED,
                                   .exec_main_status = status, .exec_main_start_usec = T0 };
                ContainerState s = {};
                bool reserved = status == 223 || status == 234 || status == 244;

                ASSERT_OK(container_state_from_exit(&u, &s));
                ASSERT_STREQ(s.reason, reserved ? "Error" : "StartError");
                ASSERT_EQ(s.exit_code, reserved ? status : 128);
                if (!reserved) {
                        char suffix[32];
                        snprintf(suffix, sizeof suffix, "(systemd exit status %d/", status);
                        ASSERT_NOT_NULL(strstr(s.message, suffix));
                }
                container_state_done(&s);
        }

        /* Nothing ever ran and nothing failed: no state. */
        UnitSnapshot idle = { .exists = true, .result = (char *) "success" };
        ContainerState s = { .kind = CONTAINER_STATE_WAITING };
        ASSERT_OK(container_state_from_exit(&idle, &s));
        ASSERT_EQ(s.kind, CONTAINER_STATE_NONE);
}

/* ---- lastState and restarts ---- */

TEST(last_state) {
        Fixture f;
        PodStatus st = {};
        char buf[128];

        /* Running again after a crash: lastState is what podd recorded of the previous instance. */
        Snap s1[1] = { S_RUNNING };
        s1[0].n_restarts = 2;
        s1[0].podd_restarts = 1;
        s1[0].last_reason = "Error";
        s1[0].last_exit = 7;
        s1[0].last_start = T0 - 20 * SEC;
        s1[0].last_finish = T0 - 10 * SEC;
        fixture_load(&f, m_app, s1);
        compute(&f, T0 + SEC, false, NULL, &st);
        ASSERT_STREQ(state_word(&st.statuses[0].state, buf), "running");
        ASSERT_EQ(st.statuses[0].state.started_at, T0);
        ASSERT_STREQ(state_word(&st.statuses[0].last_state, buf), "terminated:Error:7");
        ASSERT_EQ(st.statuses[0].last_state.finished_at, T0 - 10 * SEC);
        ASSERT_EQ(st.statuses[0].restart_count, 3);
        ASSERT_EQ(st.phase, POD_PHASE_RUNNING);
        pod_status_done(&st);
        fixture_done(&f);

        /* podd recorded the instance that is the current state: no lastState. */
        Snap s2[1] = { S_EXITED(4) };
        s2[0].last_reason = "Error";
        s2[0].last_exit = 4;
        s2[0].last_start = T0;
        s2[0].last_finish = T0 + 5 * SEC;
        fixture_load(&f, m_app_never, s2);
        compute(&f, T0 + 6 * SEC, false, NULL, &st);
        ASSERT_STREQ(state_word(&st.statuses[0].state, buf), "terminated:Error:4");
        ASSERT_EQ(st.statuses[0].last_state.kind, CONTAINER_STATE_NONE);
        pod_status_done(&st);
        fixture_done(&f);

        /* systemd unloaded the stopped unit: podd's record is the state. */
        Snap s3[1] = { S_LOADING };
        s3[0].last_reason = "Completed";
        s3[0].last_finish = T0 + 5 * SEC;
        fixture_load(&f, m_app_never, s3);
        compute(&f, T0 + 6 * SEC, false, NULL, &st);
        ASSERT_STREQ(state_word(&st.statuses[0].state, buf), "terminated:Completed:0");
        ASSERT_EQ(st.statuses[0].last_state.kind, CONTAINER_STATE_NONE);
        ASSERT_EQ(st.phase, POD_PHASE_SUCCEEDED);
        pod_status_done(&st);
        fixture_done(&f);

        /* A running container whose unit vanished without a record: status unknown. */
        Snap run[1] = { S_RUNNING }, gone[1] = { S_LOADING };
        PodStatus prev = {};
        fixture_load(&f, m_app_never, run);
        compute(&f, T0 + SEC, false, NULL, &prev);
        fixture_done(&f);
        fixture_load(&f, m_app_never, gone);
        compute(&f, T0 + 2 * SEC, false, &prev, &st);
        ASSERT_STREQ(state_word(&st.statuses[0].state, buf), "terminated:ContainerStatusUnknown:137");
        ASSERT_EQ(st.phase, POD_PHASE_FAILED);
        pod_status_done(&st);
        pod_status_done(&prev);
        fixture_done(&f);
}

/* ---- conditions ---- */

typedef struct CondCase {
        const char *name;
        const char *manifest;
        Snap snaps[4];
        bool deleting;
        /* status, reason, message of Initialized, ContainersReady; Ready copies ContainersReady */
        bool init_status;
        const char *init_reason, *init_message;
        bool ready_status;
        const char *ready_reason, *ready_message;
} CondCase;

static const CondCase cond_cases[] = {
        { "init pending", m_init, { S_ONESHOT_RUNNING, S_NOT_STARTED, S_NOT_STARTED }, false,
          false, "ContainersNotInitialized", "containers with incomplete status: [i1 i2]",
          false, "ContainersNotReady", "containers with unready status: [app]" },
        { "second init pending", m_init, { S_ONESHOT_DONE, S_AUTO_RESTART(1, 1), S_NOT_STARTED }, false,
          false, "ContainersNotInitialized", "containers with incomplete status: [i2]",
          false, "ContainersNotReady", "containers with unready status: [app]" },
        { "initialized", m_init, { S_ONESHOT_DONE, S_ONESHOT_DONE, S_START_POST }, false,
          true, NULL, NULL, false, "ContainersNotReady", "containers with unready status: [app]" },
        { "all ready", m_init, { S_ONESHOT_DONE, S_ONESHOT_DONE, S_RUNNING }, false,
          true, NULL, NULL, true, NULL, NULL },
        { "sidecar not started", m_sidecar, { S_ONESHOT_DONE, S_START_POST, S_NOT_STARTED }, false,
          false, "ContainersNotInitialized", "containers with incomplete status: [side]",
          false, "ContainersNotReady", "containers with unready status: [side app]" },
        { "sidecar restarting after app started", m_sidecar, { S_ONESHOT_DONE, S_AUTO_RESTART(1, 1), S_RUNNING },
          false, true, NULL, NULL, false, "ContainersNotReady", "containers with unready status: [side]" },
        { "two unready", m_two, { S_NOT_STARTED, S_START_POST }, false,
          true, NULL, NULL, false, "ContainersNotReady", "containers with unready status: [a b]" },
        { "succeeded", m_two, { S_EXITED(0), S_EXITED(0) }, false,
          true, "PodCompleted", NULL, false, "PodCompleted", NULL },
        { "failed", m_two, { S_EXITED(0), S_EXITED(1) }, false,
          true, NULL, NULL, false, "PodFailed", NULL },
        { "init failed, Never", m_init_never, { S_EXITED(1), S_NOT_STARTED, S_NOT_STARTED }, false,
          false, "ContainersNotInitialized", "containers with incomplete status: [i1 i2]",
          false, "PodFailed", NULL },
};

TEST(conditions) {
        for (size_t k = 0; k < ELEMENTSOF(cond_cases); k++) {
                const CondCase *c = &cond_cases[k];
                Fixture f;
                PodStatus st = {};

                fprintf(stderr, "case: %s\n", c->name);
                fixture_load(&f, c->manifest, c->snaps);
                compute(&f, T0 + 10 * SEC, c->deleting, NULL, &st);

                const PodCondition *ini = &st.conditions[POD_CONDITION_INITIALIZED],
                                   *cr = &st.conditions[POD_CONDITION_CONTAINERS_READY],
                                   *rd = &st.conditions[POD_CONDITION_READY];
                ASSERT_EQ(ini->status, c->init_status);
                ASSERT_TRUE(streq_ptr(ini->reason, c->init_reason));
                ASSERT_TRUE(streq_ptr(ini->message, c->init_message));
                ASSERT_EQ(cr->status, c->ready_status);
                ASSERT_TRUE(streq_ptr(cr->reason, c->ready_reason));
                ASSERT_TRUE(streq_ptr(cr->message, c->ready_message));
                ASSERT_EQ(rd->status, cr->status);
                ASSERT_TRUE(streq_ptr(rd->reason, cr->reason));
                ASSERT_TRUE(streq_ptr(rd->message, cr->message));
                ASSERT_TRUE(st.conditions[POD_CONDITION_POD_SCHEDULED].status);
                for (PodConditionType t = 0; t < _POD_CONDITION_TYPE_MAX; t++)
                        ASSERT_EQ(st.conditions[t].last_transition_usec, T0 + 10 * SEC);
                pod_status_done(&st);
                fixture_done(&f);
        }
}

TEST(last_transition_time_sticks_until_status_flips) {
        Snap pending[1] = { S_START_POST }, running[1] = { S_RUNNING }, crashed[1] = { S_AUTO_RESTART(1, 1) };
        PodStatus s1 = {}, s2 = {}, s3 = {}, s4 = {};
        Fixture f;

        fixture_load(&f, m_app, pending);
        compute(&f, T0 + 1 * SEC, false, NULL, &s1);
        compute(&f, T0 + 2 * SEC, false, &s1, &s2);
        fixture_done(&f);
        for (PodConditionType t = 0; t < _POD_CONDITION_TYPE_MAX; t++)
                ASSERT_EQ(s2.conditions[t].last_transition_usec, T0 + 1 * SEC);

        fixture_load(&f, m_app, running);
        compute(&f, T0 + 3 * SEC, false, &s2, &s3);
        fixture_done(&f);
        ASSERT_TRUE(s3.conditions[POD_CONDITION_READY].status);
        ASSERT_EQ(s3.conditions[POD_CONDITION_READY].last_transition_usec, T0 + 3 * SEC);
        ASSERT_EQ(s3.conditions[POD_CONDITION_CONTAINERS_READY].last_transition_usec, T0 + 3 * SEC);
        ASSERT_EQ(s3.conditions[POD_CONDITION_INITIALIZED].last_transition_usec, T0 + 1 * SEC);
        ASSERT_EQ(s3.conditions[POD_CONDITION_POD_SCHEDULED].last_transition_usec, T0 + 1 * SEC);
        ASSERT_EQ(s3.start_time_usec, T0 - SEC);

        fixture_load(&f, m_app, crashed);
        compute(&f, T0 + 4 * SEC, false, &s3, &s4);
        fixture_done(&f);
        ASSERT_FALSE(s4.conditions[POD_CONDITION_READY].status);
        ASSERT_EQ(s4.conditions[POD_CONDITION_READY].last_transition_usec, T0 + 4 * SEC);
        ASSERT_EQ(s4.conditions[POD_CONDITION_INITIALIZED].last_transition_usec, T0 + 1 * SEC);
        ASSERT_EQ(s4.phase, POD_PHASE_RUNNING);

        pod_status_done(&s1);
        pod_status_done(&s2);
        pod_status_done(&s3);
        pod_status_done(&s4);
}

/* ---- terminal phases ---- */

TEST(terminal_phase_sticks) {
        Snap done[1] = { S_EXITED(0) }, again[1] = { S_RUNNING };
        PodStatus s1 = {}, s2 = {};
        Fixture f;

        fixture_load(&f, m_app_onfailure, done);
        compute(&f, T0 + SEC, false, NULL, &s1);
        fixture_done(&f);
        ASSERT_EQ(s1.phase, POD_PHASE_SUCCEEDED);

        /* Something started the unit again: the pod stays Succeeded, and nothing is ready. */
        fixture_load(&f, m_app_onfailure, again);
        compute(&f, T0 + 2 * SEC, false, &s1, &s2);
        fixture_done(&f);
        ASSERT_EQ(s2.phase, POD_PHASE_SUCCEEDED);
        ASSERT_STREQ(s2.statuses[0].state.reason ?: "running", "running");
        ASSERT_FALSE(s2.statuses[0].ready);
        ASSERT_FALSE(s2.conditions[POD_CONDITION_READY].status);
        ASSERT_STREQ(s2.conditions[POD_CONDITION_READY].reason, "PodCompleted");
        pod_status_done(&s1);
        pod_status_done(&s2);
}

TEST(active_deadline) {
        Snap running[1] = { S_RUNNING };
        PodStatus s1 = {}, s2 = {}, s3 = {};
        Fixture f;

        fixture_load(&f, m_deadline, running);
        /* start time is T0 - 1 s; the deadline is 30 s. */
        compute(&f, T0 + 28 * SEC, false, NULL, &s1);
        ASSERT_EQ(s1.phase, POD_PHASE_RUNNING);
        ASSERT_NULL(s1.reason);
        compute(&f, T0 + 29 * SEC, false, &s1, &s2);
        ASSERT_EQ(s2.phase, POD_PHASE_FAILED);
        ASSERT_STREQ(s2.reason, "DeadlineExceeded");
        ASSERT_STREQ(s2.message, "Pod was active on the node longer than the specified deadline");
        ASSERT_FALSE(s2.statuses[0].ready);
        ASSERT_STREQ(s2.conditions[POD_CONDITION_READY].reason, "PodFailed");
        fixture_done(&f);

        /* Sticky, with its reason, even once the containers are gone. */
        Snap stopped[1] = { S_KILLED(SIGTERM, "success") };
        fixture_load(&f, m_deadline, stopped);
        compute(&f, T0 + 40 * SEC, true, &s2, &s3);
        ASSERT_EQ(s3.phase, POD_PHASE_FAILED);
        ASSERT_STREQ(s3.reason, "DeadlineExceeded");
        fixture_done(&f);
        pod_status_done(&s1);
        pod_status_done(&s2);
        pod_status_done(&s3);
}

TEST(no_runtime_and_no_unit_names) {
        Diags d = {};
        Manifest *m = NULL;
        PodStatus st = {};

        ASSERT_OK(manifest_load(m_init, strlen(m_init), NULL, &m, &d));
        ASSERT_OK(pod_status_compute(m->pods[0], NULL, NULL, NULL, &st));
        ASSERT_EQ(st.n_statuses, 3);
        ASSERT_EQ(st.phase, POD_PHASE_PENDING);
        for (size_t i = 0; i < 3; i++) {
                ASSERT_NULL(st.statuses[i].unit_name);
                ASSERT_STREQ(st.statuses[i].state.reason, "PodInitializing");
        }
        ASSERT_EQ(st.start_time_usec, 0);
        pod_status_done(&st);
        pod_status_done(&st); /* idempotent */
        manifest_free(m);
        diags_done(&d);
}

/* Probes decide "started" and "ready" (k8s-semantics.md §4.3). */
TEST(probes_gate_started_and_ready) {
        static const char *const m =
                "apiVersion: v1\nkind: Pod\n"
                "metadata: {name: web, uid: uid-1}\n"
                "spec:\n"
                "  containers:\n"
                "  - name: app\n"
                "    command: [/bin/sleep, inf]\n"
                "    startupProbe: {exec: {command: [/bin/true]}}\n"
                "    readinessProbe: {tcpSocket: {port: 80}}\n"
                "  - name: plain\n"
                "    command: [/bin/sleep, inf]\n";
        static const struct {
                ProbeResult startup, readiness;
                bool started, ready, pod_ready;
        } cases[] = {
                { PROBE_RESULT_UNKNOWN, PROBE_RESULT_UNKNOWN, false, false, false },
                { PROBE_RESULT_FAILURE, PROBE_RESULT_SUCCESS, false, false, false }, /* not started: not ready */
                { PROBE_RESULT_SUCCESS, PROBE_RESULT_UNKNOWN, true, false, false },
                { PROBE_RESULT_SUCCESS, PROBE_RESULT_FAILURE, true, false, false },
                { PROBE_RESULT_SUCCESS, PROBE_RESULT_SUCCESS, true, true, true },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Fixture f;
                PodStatus st = {};
                fixture_load(&f, m, (const Snap[]) { S_RUNNING, S_RUNNING });
                f.rt[0].probes[PROBE_STARTUP].result = cases[i].startup;
                f.rt[0].probes[PROBE_READINESS].result = cases[i].readiness;
                compute(&f, T0 + 10 * SEC, false, NULL, &st);
                ASSERT_EQ(st.phase, POD_PHASE_RUNNING);
                ASSERT_EQ(st.statuses[0].started, cases[i].started);
                ASSERT_EQ(st.statuses[0].ready, cases[i].ready);
                /* A container without probes is started and ready once it runs. */
                ASSERT_TRUE(st.statuses[1].started && st.statuses[1].ready);
                ASSERT_EQ(st.conditions[POD_CONDITION_READY].status, cases[i].pod_ready);
                ASSERT_EQ(st.conditions[POD_CONDITION_CONTAINERS_READY].status, cases[i].pod_ready);
                pod_status_done(&st);
                fixture_done(&f);
        }
}
