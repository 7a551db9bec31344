/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Drives src/podd/systemd-client.c against a real systemd (run it inside a private sandbox, see DESIGN.md
 * "Testing against a real systemd"). Not part of the build; build by hand:
 *
 *   B=build-ic; cc -std=gnu11 -D_GNU_SOURCE -O1 -g -I$B -Isrc/basic -Isrc/core -Isrc/shared -Isrc/podd \
 *      tests/manual/systemd-client-demo.c src/podd/systemd-client.c \
 *      $B/src/shared/libpodctl-shared.a $B/src/core/libpodctl-core.a $B/src/basic/libpodctl-basic.a \
 *      -lsystemd -lyaml -o systemd-client-demo
 *
 *   systemd-client-demo pod FILE.yaml   start the pod's plan, watch it reach running, stop it
 *   systemd-client-demo many N          start N sleep services in one slice at once, then stop them
 *   add --private to talk to /run/systemd/private instead of the system bus. */
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mount.h>
#include <time.h>

#include "log.h"
#include "manifest.h"
#include "string-util.h"
#include "strv.h"
#include "systemd-client.h"

static bool arg_verbose;

void log_message(int priority, const char *fmt, ...) {
        va_list ap;

        if (priority >= LOG_DEBUG && !arg_verbose)
                return;
        va_start(ap, fmt);
        fprintf(stderr, "<%d>", priority);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
}

static uint64_t now_usec(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

typedef struct Demo {
        sd_event *event;
        SystemdClient *client;
        bool many;
        size_t n_units, n_started, n_start_failed, n_running, n_stopped, n_gone, n_inactive;
        size_t max_queued, max_in_flight, max_jobs;
        char **running_seen; /* many: units seen active/running */
        char **services;
        const char *slice;
        uint64_t t0;
        int phase; /* 0 starting, 1 stopping */
        bool verbose_units;
} Demo;

static void track_stats(Demo *d) {
        size_t q, f, j;
        systemd_client_stats(d->client, &q, &f, &j);
        d->max_queued = MAX(d->max_queued, q);
        d->max_in_flight = MAX(d->max_in_flight, f);
        d->max_jobs = MAX(d->max_jobs, j);
}

static void stop_all(Demo *d);

static void maybe_next(Demo *d) {
        if (d->phase == 0 && d->n_started + d->n_start_failed == d->n_units && d->n_running == strv_length(d->services)) {
                printf("== all %zu jobs done (%zu failed), %zu services seen active/running after %.3f s "
                       "(max queued %zu, max in flight %zu, max jobs %zu)\n",
                       d->n_units, d->n_start_failed, d->n_running, (now_usec() - d->t0) / 1e6, d->max_queued,
                       d->max_in_flight, d->max_jobs);
                fflush(stdout);
                stop_all(d);
        } else if (d->phase == 1 && d->n_stopped == d->n_units && d->n_inactive == strv_length(d->services)) {
                printf("== all %zu units stopped, %zu services seen inactive (%zu gone) after %.3f s "
                       "(max queued %zu, max in flight %zu, max jobs %zu)\n",
                       d->n_units, d->n_inactive, d->n_gone, (now_usec() - d->t0) / 1e6, d->max_queued,
                       d->max_in_flight, d->max_jobs);
                fflush(stdout);
                (void) sd_event_exit(d->event, 0);
        }
}

static void on_unit(SystemdClient *c, const char *unit, const UnitSnapshot *s, void *userdata) {
        Demo *d = userdata;

        track_stats(d);
        if (d->verbose_units)
                printf("unit %s: exists=%d %s/%s result=%s code=%d status=%d restarts=%u invocation=%s "
                       "active_enter=%" PRIu64 " inactive_enter=%" PRIu64 " main_start=%" PRIu64 "\n",
                       unit, s->exists, s->active_state ?: "-", s->sub_state ?: "-", s->result ?: "-",
                       s->exec_main_code, s->exec_main_status, s->n_restarts, s->invocation_id ?: "-",
                       s->active_enter_usec, s->inactive_enter_usec, s->exec_main_start_usec);
        if (!strv_contains(d->services, unit))
                return;
        if (d->phase == 0 && s->exists && streq_ptr(s->active_state, "active") &&
            streq_ptr(s->sub_state, "running") && !strv_contains(d->running_seen, unit)) {
                if (strv_extend(&d->running_seen, unit) < 0)
                        abort();
                d->n_running++;
        }
        if (d->phase == 1 && (!s->exists || streq_ptr(s->active_state, "inactive"))) {
                if (strv_contains(d->running_seen, unit)) {
                        /* reuse running_seen as the "not yet inactive" set */
                        char **l = d->running_seen;
                        size_t j = 0;
                        for (size_t i = 0; l[i]; i++)
                                if (streq(l[i], unit))
                                        free(l[i]);
                                else
                                        l[j++] = l[i];
                        l[j] = NULL;
                        d->n_inactive++;
                }
                if (!s->exists)
                        d->n_gone++;
        }
        maybe_next(d);
}

static void on_started(SystemdClient *c, const char *unit, int r, const char *result, const sd_bus_error *error,
                       void *userdata) {
        Demo *d = userdata;

        track_stats(d);
        if (r < 0 || !streq(result, "done")) {
                d->n_start_failed++;
                printf("start %s FAILED: r=%d result=%s error=%s\n", unit, r, result ?: "-",
                       error && error->message ? error->message : "-");
        } else
                d->n_started++;
        if (!d->many || r < 0)
                printf("job start %s: r=%d result=%s\n", unit, r, result ?: "-");
        maybe_next(d);
}

static void on_stopped(SystemdClient *c, const char *unit, int r, const char *result, const sd_bus_error *error,
                       void *userdata) {
        Demo *d = userdata;

        track_stats(d);
        if (!d->many || r < 0 || !streq(result, "done"))
                printf("job stop %s: r=%d result=%s error=%s\n", unit, r, result ?: "-",
                       error && error->message ? error->message : "-");
        d->n_stopped++;
        maybe_next(d);
}

static void stop_all(Demo *d) {
        int r;

        d->phase = 1;
        d->t0 = now_usec();
        STRV_FOREACH(s, d->services) {
                r = systemd_client_stop_unit(d->client, *s, on_stopped, d);
                if (r < 0)
                        abort();
        }
        /* The slice(s) last: the stop jobs of their services are queued first. */
        d->n_units = strv_length(d->services) + (d->slice ? 1 : 0);
        if (d->slice) {
                r = systemd_client_stop_unit(d->client, d->slice, on_stopped, d);
                if (r < 0)
                        abort();
        }
}

static void on_enumerated(SystemdClient *c, const char *unit, int r, const char *result, const sd_bus_error *error,
                          void *userdata) {
        printf("enumerate: r=%d %s\n", r, result ?: "-");
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        Demo *d = userdata;
        size_t q, f, j;

        systemd_client_stats(d->client, &q, &f, &j);
        printf("TIMEOUT in phase %d: started %zu failed %zu running %zu stopped %zu inactive %zu; "
               "queued %zu in flight %zu jobs %zu\n", d->phase, d->n_started, d->n_start_failed, d->n_running,
               d->n_stopped, d->n_inactive, q, f, j);
        return sd_event_exit(d->event, 1);
}

static UnitProp prop_str(const char *name, const char *v) {
        return (UnitProp) { .name = name, .type = UNIT_PROP_STRING, .str = (char *) v };
}

int main(int argc, char *argv[]) {
        _cleanup_(unit_plan_freep) UnitPlan *plan = NULL;
        _cleanup_(manifest_freep) Manifest *mf = NULL;
        _cleanup_strv_free_ char **names = NULL;
        sd_bus *bus = NULL;
        Demo d = {};
        bool private = false;
        int r;

        for (int i = 1; i < argc; i++)
                if (streq(argv[i], "--private"))
                        private = true;
                else if (streq(argv[i], "-v"))
                        arg_verbose = true;
        if (argc < 3) {
                fprintf(stderr, "usage: %s pod FILE | many N [--private] [-v]\n", argv[0]);
                return 2;
        }

        r = sd_event_default(&d.event);
        if (r < 0)
                return 1;
        if (private) {
                r = sd_bus_new(&bus);
                if (r >= 0)
                        r = sd_bus_set_address(bus, "unix:path=/run/systemd/private");
                if (r >= 0)
                        r = sd_bus_start(bus);
        } else
                r = sd_bus_open_system(&bus);
        if (r < 0) {
                fprintf(stderr, "cannot connect: %s\n", strerror(-r));
                return 1;
        }
        r = sd_bus_attach_event(bus, d.event, 0);
        if (r < 0)
                return 1;
        r = systemd_client_new(bus, d.event, on_unit, &d, &d.client);
        if (r < 0)
                return 1;
        r = systemd_client_start(d.client);
        if (r < 0) {
                fprintf(stderr, "start: %s\n", strerror(-r));
                return 1;
        }

        sd_event_source *timer = NULL;
        r = sd_event_add_time_relative(d.event, &timer, CLOCK_MONOTONIC, 300 * UINT64_C(1000000), 0, on_timeout, &d);
        if (r < 0)
                return 1;

        if (streq(argv[1], "pod")) {
                Diags diags = {};
                size_t len = 0;
                char *text = NULL;
                FILE *f = fopen(argv[2], "re");
                if (!f || getdelim(&text, &len, '\0', f) < 0)
                        return 1;
                fclose(f);
                r = manifest_load(text, strlen(text), NULL, &mf, &diags);
                free(text);
                if (r < 0 || mf->n_pods != 1)
                        return 1;
                PlanContext ctx = PLAN_CONTEXT_DEFAULT;
                ctx.pod_uid = "11111111-2222-3333-4444-555555555555";
                r = unit_plan_build(mf->pods[0], &ctx, &plan, &diags);
                diags_done(&diags);
                if (r < 0)
                        return 1;
                d.verbose_units = true;
                for (size_t i = 0; i < plan->n_units; i++) {
                        if (plan->units[i].kind == UNIT_SERVICE && strv_extend(&d.services, plan->units[i].name) < 0)
                                return 1;
                        r = systemd_client_start_unit(d.client, &plan->units[i], on_started, &d);
                        if (r < 0) {
                                fprintf(stderr, "start %s: %s\n", plan->units[i].name, strerror(-r));
                                return 1;
                        }
                }
                /* podd's adopt path at the same time: whatever pod-* exists now gets a snapshot. */
                r = systemd_client_enumerate(d.client, on_enumerated, &d);
                if (r < 0)
                        return 1;
                d.n_units = plan->n_units;
                /* Stop only the services and the pod slice; the namespace slice may be shared. */
                d.slice = plan->units[1].name;
        } else if (streq(argv[1], "many")) {
                int n = atoi(argv[2]);
                static char *sleep_argv[] = { (char *) "/bin/sleep", (char *) "600", NULL };
                UnitProp slice_props[] = { prop_str("Description", "bench slice") };
                PlannedUnit slice = { .name = (char *) "pod-bench.slice", .kind = UNIT_SLICE,
                                      .props = slice_props, .n_props = 1 };

                d.many = true;
                d.slice = slice.name;
                r = systemd_client_start_unit(d.client, &slice, on_started, &d);
                if (r < 0)
                        return 1;
                for (int i = 0; i < n; i++) {
                        char *name = asprintf_safe("pod-bench-s%d.service", i);
                        if (!name || strv_push(&d.services, name) < 0)
                                return 1;
                        UnitProp props[] = {
                                prop_str("Description", "bench"),
                                prop_str("Slice", "pod-bench.slice"),
                                prop_str("CollectMode", "inactive-or-failed"),
                                { .name = "ExecStart", .type = UNIT_PROP_EXEC,
                                  .exec = { .path = (char *) "/bin/sleep", .argv = sleep_argv } },
                        };
                        PlannedUnit u = { .name = name, .kind = UNIT_SERVICE, .props = props,
                                          .n_props = ELEMENTSOF(props) };
                        r = systemd_client_start_unit(d.client, &u, on_started, &d);
                        if (r < 0)
                                return 1;
                }
                d.n_units = (size_t) n + 1;
        } else
                return 2;

        d.t0 = now_usec();
        r = sd_event_loop(d.event);
        printf("version %u, loop exit %d\n", systemd_client_version(d.client), r);

        timer = sd_event_source_unref(timer);
        d.client = systemd_client_free(d.client);
        strv_free(d.services);
        strv_free(d.running_seen);
        sd_bus_flush_close_unref(bus);
        sd_event_unref(d.event);
        return r == 0 ? 0 : 1;
}
