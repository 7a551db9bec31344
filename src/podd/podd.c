/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/resource.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "log.h"
#include "manager.h"

/* podd: runs the pods declared in /etc/pods as systemd units and serves io.podctl.pod1. The main
 * function only wires the event loop, the bus and the manager together; manager.c holds the logic. */

static void help(void) {
        printf("podd [--help] [--version]\n\n"
               "The podctl daemon: runs the Kubernetes Pods declared in %s as systemd units and serves the\n"
               "io.podctl.pod1 D-Bus API that podctl talks to. Normally started by podd.service.\n\n"
               "Pods keep running when podd stops or crashes; a restarted podd adopts them.\n\n"
               "Options:\n"
               "  -h --help     Show this help\n"
               "     --version  Show the version\n",
               PODS_CONFIG_DIR);
}

static int parse_argv(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",    no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {}
        };
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 'V':
                        printf("podd %s\n", PROJECT_VERSION);
                        return 0;
                default:
                        fprintf(stderr, "podd: unknown flag \"%s\"\n", argv[optind - 1]);
                        return -EINVAL;
                }
        if (optind < argc) {
                fprintf(stderr, "podd: unexpected argument \"%s\"\n", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

static int run(void) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(manager_freep) Manager *m = NULL;
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_message(LOG_ERR, "Failed to block signals: %m"), -errno;

        /* Not sd_event_default(): systemd 252 checks the default loop's thread with a gettid() system call
         * at every iteration, hundreds a second with probes running. */
        r = sd_event_new(&event);
        if (r < 0)
                return log_message(LOG_ERR, "Failed to allocate the event loop: %s", strerror(-r)), r;
        /* SIGTERM (systemctl stop podd) ends podd, never its pods. */
        r = sd_event_add_signal(event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGINT, NULL, NULL);
        if (r < 0)
                return log_message(LOG_ERR, "Failed to watch signals: %s", strerror(-r)), r;
        r = sd_event_set_watchdog(event, true);
        if (r < 0)
                return log_message(LOG_ERR, "Failed to enable the watchdog: %s", strerror(-r)), r;

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return log_message(LOG_ERR, "Failed to connect to the system bus: %s", strerror(-r)), r;
        r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_message(LOG_ERR, "Failed to attach the bus: %s", strerror(-r)), r;
        /* Without its bus podd hears nothing from systemd and answers nobody, while its unit still looks
         * active (so D-Bus activation would not start it either): when the bus goes away (dbus.service
         * restarted), end the loop with a failure, and Restart=on-failure brings podd back to adopt the
         * pods, which never noticed. */
        r = sd_bus_set_exit_on_disconnect(bus, true);
        if (r < 0)
                return log_message(LOG_ERR, "Failed to set up the bus: %s", strerror(-r)), r;

        r = manager_new(event, bus, &m);
        if (r < 0)
                return log_message(LOG_ERR, "Failed to set up: %s", strerror(-r)), r;
        r = manager_bus_register(m);
        if (r < 0)
                return log_message(LOG_ERR, "Failed to serve io.podctl.pod1: %s", strerror(-r)), r;
        r = manager_startup(m);
        if (r < 0)
                return r;

        r = sd_event_loop(event);
        if (r < 0)
                return log_message(LOG_ERR, "Event loop failed: %s", strerror(-r)), r;
        if (r > 0) /* only the bus ends the loop with a non-zero code */
                return log_message(LOG_ERR, "Lost the connection to the system bus: exiting, to be started "
                                            "again (the pods keep running)"), -ECONNRESET;
        (void) sd_notify(false, "STOPPING=1\nSTATUS=Stopped; pods keep running.");
        return 0;
}

/* Every container with exec probes keeps two descriptors open in podd (its probe agent's socket and the
 * agent's pidfd), every probe in flight one more: past a few hundred pods that is more than the soft limit
 * of 1024 a service starts with. The hard limit is the real bound; podd uses no select(). Exec probes get
 * their container's limit back (prober.c). */
static void raise_nofile_limit(void) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
                return;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                log_message(LOG_WARNING, "Cannot raise the limit of open files to %llu: %m",
                            (unsigned long long) rl.rlim_max);
}

/* No fastbins in malloc: libcurl allocates a few blocks of over 1 KiB per transfer (its connection, say),
 * and glibc merges every fastbin into the free lists (malloc_consolidate) before it serves any block that
 * large while fastbins hold something — hundreds of times a second with httpGet probes running, 2–3 % of
 * podd's time. Small blocks still come from the per-thread cache first. */
static void tune_malloc(void) {
        if (mallopt(M_MXFAST, 0) == 0)
                log_message(LOG_WARNING, "Cannot turn off malloc's fastbins");
}

int main(int argc, char *argv[]) {
        raise_nofile_limit();
        tune_malloc();
        int r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        return run() < 0 ? 1 : 0;
}
