/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>
#include <time.h>

#include "pod-columns.h"
#include "podctl-bus.h"
#include "podctl.h"
#include "string-util.h"
#include "strv.h"

/* How long --wait polls at most when --timeout is not given: the grace period plus this margin. */
#define DELETE_WAIT_MARGIN_USEC (30u * 1000000u)
#define DELETE_POLL_USEC 500000u

typedef struct Target {
        char *namespace, *name;
        bool gone;
} Target;

static void delete_help(void) {
        printf("podctl delete pod|pods NAME… [OPTIONS…]\n"
               "podctl delete -f FILE|DIR|- [OPTIONS…]\n\n"
               "Delete pods as kubectl delete does: their containers get the stop signal, preStop hooks run and\n"
               "systemd kills what is left when the grace period is over. With -f the pods a manifest declares\n"
               "are deleted. Needs podd.\n\n"
               "Options:\n"
               "  -h --help               Show this help\n"
               "  -n --namespace=NS       The namespace of the named pods (default: default)\n"
               "  -f --filename=PATH      Delete the pods a manifest file (or a directory of them, or -) declares\n"
               "     --grace-period=N     Seconds to give the pod; -1 (the default) uses its\n"
               "                          terminationGracePeriodSeconds; 0 means 1 unless --force\n"
               "     --now                Same as --grace-period=1\n"
               "     --force              Remove the pod at once, without waiting for its containers to stop\n"
               "     --wait[=BOOL]        Wait until the pods are gone (default: true)\n"
               "     --timeout=DURATION   How long to wait (e.g. 60s); by default the grace period plus 30s\n\n"
               "--now and --grace-period cannot be combined, nor --force with --grace-period greater than 0.\n"
               "Exit status: 0 success, 1 a pod was not found or could not be deleted, 2 usage error.\n");
}

static int parse_bool_arg(const char *s, bool *ret) {
        static const char *const yes[] = { "true", "1", "t", "T", "TRUE", "True" };
        static const char *const no[] = { "false", "0", "f", "F", "FALSE", "False" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (streq(s, yes[i])) {
                        *ret = true;
                        return 0;
                }
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (streq(s, no[i])) {
                        *ret = false;
                        return 0;
                }
        return -EINVAL;
}

static int on_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Target *targets = userdata;
        const char *ns, *name;

        if (sd_bus_message_read(m, "ss", &ns, &name) < 0)
                return 0;
        for (Target *t = targets; t->name; t++)
                if (streq(t->namespace, ns) && streq(t->name, name))
                        t->gone = true;
        return 0;
}

static bool all_gone(const Target *targets) {
        for (const Target *t = targets; t->name; t++)
                if (!t->gone)
                        return false;
        return true;
}

/* Waits for PodRemoved, and polls GetPod every 0.5 s in case a signal was missed. */
static int wait_gone(sd_bus *bus, Target *targets, uint64_t timeout_usec) {
        uint64_t deadline = clock_usec(CLOCK_MONOTONIC) + timeout_usec, next_poll = 0;
        int r;

        for (;;) {
                uint64_t now;

                r = sd_bus_process(bus, NULL);
                if (r < 0) {
                        fprintf(stderr, "podctl: lost the connection to the bus: %s\n", strerror(-r));
                        return r;
                }
                if (r > 0)
                        continue;

                now = clock_usec(CLOCK_MONOTONIC);
                if (now >= next_poll) {
                        for (Target *t = targets; t->name; t++) {
                                _cleanup_(ystream_freep) YStream *pod = NULL;

                                if (t->gone)
                                        continue;
                                r = podd_get_pod(bus, t->namespace, t->name, &pod);
                                if (r == -ENOENT)
                                        t->gone = true;
                                else if (r < 0)
                                        return r;
                        }
                        next_poll = now + DELETE_POLL_USEC;
                }
                if (all_gone(targets))
                        return 0;
                if (now >= deadline) {
                        for (Target *t = targets; t->name; t++)
                                if (!t->gone)
                                        fprintf(stderr, "error: timed out waiting for the condition on pods/%s\n",
                                                t->name);
                        return -ETIMEDOUT;
                }

                r = sd_bus_wait(bus, MIN(next_poll, deadline) - now);
                if (r < 0 && r != -EINTR) {
                        fprintf(stderr, "podctl: lost the connection to the bus: %s\n", strerror(-r));
                        return r;
                }
        }
}

/* The pods that -f names: what the manifests declare, valid or not (podd decides what it owns). */
static int targets_from_files(Inputs *in, const char *namespace, Target **targets, size_t *n, size_t *allocated) {
        ManifestOptions opts = MANIFEST_OPTIONS_DEFAULT;
        int ret = 0;

        opts.field_validation = FIELD_VALIDATION_IGNORE;
        for (size_t i = 0; i < in->n; i++) {
                _cleanup_(manifest_freep) Manifest *m = NULL;
                Diags d = {};
                int r;

                r = input_file_read(&in->items[i]);
                if (r < 0) {
                        ret = r;
                        continue;
                }
                r = manifest_load(in->items[i].data, in->items[i].size, &opts, &m, &d);
                if (r == -ENOMEM) {
                        diags_done(&d);
                        return log_oom();
                }
                if (!m || m->n_pods < m->n_objects) {
                        /* an object that does not validate cannot be named reliably: say why */
                        (void) print_diags(&d, in->items[i].display);
                        ret = -EINVAL;
                }
                diags_done(&d);
                for (size_t k = 0; m && k < m->n_pods; k++) {
                        const ObjectMeta *meta = &m->pods[k]->metadata;

                        if (!GREEDY_REALLOC(*targets, *allocated, *n + 2))
                                return log_oom();
                        (*targets)[*n] = (Target) {
                                strdup(meta->namespace ?: namespace), strdup(meta->name ?: ""), false };
                        (*targets)[*n + 1] = (Target) {};
                        if (!(*targets)[*n].namespace || !(*targets)[*n].name) {
                                free((*targets)[*n].namespace);
                                free((*targets)[*n].name);
                                (*targets)[*n] = (Target) {};
                                return log_oom();
                        }
                        (*n)++;
                }
        }
        return ret;
}

int verb_delete(int argc, char *argv[]) {
        enum { ARG_GRACE = 0x100, ARG_NOW, ARG_FORCE, ARG_WAIT, ARG_TIMEOUT };
        static const struct option options[] = {
                { "help",         no_argument,       NULL, 'h'         },
                { "namespace",    required_argument, NULL, 'n'         },
                { "filename",     required_argument, NULL, 'f'         },
                { "grace-period", required_argument, NULL, ARG_GRACE   },
                { "now",          no_argument,       NULL, ARG_NOW     },
                { "force",        no_argument,       NULL, ARG_FORCE   },
                { "wait",         optional_argument, NULL, ARG_WAIT    },
                { "timeout",      required_argument, NULL, ARG_TIMEOUT },
                {}
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        _cleanup_(inputs_done) Inputs in = {};
        const char *namespace = "default";
        bool now = false, force = false, wait = true, failed = false, grace_given = false;
        int64_t grace = -1, max_grace = 0;
        uint64_t timeout = 0;
        Target *targets = NULL;
        size_t n = 0, allocated = 0;
        int c, r, ret = EXIT_OK;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":hn:f:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        delete_help();
                        return EXIT_OK;
                case 'n':
                        namespace = optarg;
                        break;
                case 'f':
                        if (inputs_add(&in, optarg) < 0)
                                return EXIT_INVALID;
                        break;
                case ARG_GRACE:
                        if (safe_atoi64(optarg, &grace) < 0) {
                                fprintf(stderr, "error: invalid argument \"%s\" for \"--grace-period\" flag\n", optarg);
                                return EXIT_USAGE;
                        }
                        grace_given = true;
                        break;
                case ARG_NOW:
                        now = true;
                        break;
                case ARG_FORCE:
                        force = true;
                        break;
                case ARG_WAIT:
                        if (optarg && parse_bool_arg(optarg, &wait) < 0) {
                                fprintf(stderr, "error: invalid argument \"%s\" for \"--wait\" flag\n", optarg);
                                return EXIT_USAGE;
                        }
                        if (!optarg)
                                wait = true;
                        break;
                case ARG_TIMEOUT:
                        if (parse_go_duration(optarg, &timeout) < 0) {
                                fprintf(stderr, "error: invalid argument \"%s\" for \"--timeout\" flag\n", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                default:
                        return flag_error("delete", c, argv);
                }

        /* kubectl's DeleteOptions.Complete and Validate, in their order (k8s-semantics.md §2.2). */
        if (now) {
                if (grace_given && grace != -1) {
                        fprintf(stderr, "error: --now and --grace-period cannot be specified together\n");
                        return EXIT_USAGE;
                }
                grace = 1;
        }
        if (grace == 0 && !force)
                grace = 1; /* "0" without --force means the shortest graceful deletion */
        if (force && grace < 0)
                grace = 0;
        if (force && grace > 0) {
                fprintf(stderr, "error: --force and --grace-period greater than 0 cannot be specified together\n");
                return EXIT_USAGE;
        }

        if (in.n > 0) {
                if (optind < argc) {
                        fprintf(stderr, "error: when paths, URLs, or stdin is provided as input, you may "
                                "not specify resource arguments as well\n");
                        return EXIT_USAGE;
                }
                r = targets_from_files(&in, namespace, &targets, &n, &allocated);
                if (r == -ENOMEM)
                        goto finish_fail;
                if (r < 0)
                        failed = true;
        } else {
                if (optind >= argc) {
                        fprintf(stderr, "error: You must provide one or more resources by argument or filename.\n");
                        return EXIT_USAGE;
                }
                if (!streq(argv[optind], "pod") && !streq(argv[optind], "pods") && !streq(argv[optind], "po")) {
                        fprintf(stderr, "error: the server doesn't have a resource type \"%s\"\n", argv[optind]);
                        return EXIT_INVALID;
                }
                if (optind + 1 >= argc) {
                        fprintf(stderr, "error: resource(s) were provided, but no name was specified\n");
                        return EXIT_USAGE;
                }
                targets = calloc((size_t) (argc - optind), sizeof(Target));
                if (!targets)
                        return log_oom(), EXIT_INVALID;
                for (int i = optind + 1; i < argc; i++) {
                        targets[n] = (Target) { strdup(namespace), strdup(argv[i]), false };
                        if (!targets[n].namespace || !targets[n].name) {
                                n++;
                                (void) log_oom();
                                goto finish_fail;
                        }
                        n++;
                }
        }

        if (n == 0)
                goto finish;

        r = podd_connect(&bus);
        if (r < 0)
                goto finish_fail;
        if (wait) {
                /* subscribe before deleting, so a quick removal cannot slip past */
                r = sd_bus_match_signal(bus, &slot, PODD_BUS_NAME, PODD_BUS_PATH, PODD_BUS_MANAGER_INTERFACE,
                                        "PodRemoved", on_removed, targets);
                if (r < 0) {
                        fprintf(stderr, "podctl: cannot watch podd's signals: %s\n", strerror(-r));
                        goto finish_fail;
                }
        }

        if (force)
                fprintf(stderr, "warning: Immediate deletion does not wait for confirmation that the running "
                        "resource has been terminated. The resource may continue to run on the cluster "
                        "indefinitely.\n");

        for (size_t i = 0; i < n; i++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_(ystream_freep) YStream *pod = NULL;

                if (wait && grace < 0) {
                        /* the pod's own grace bounds the wait */
                        if (podd_get_pod(bus, targets[i].namespace, targets[i].name, &pod) >= 0)
                                max_grace = MAX(max_grace, ynode_int(ynode_get(pod->documents[0].root, "spec"),
                                                                     "terminationGracePeriodSeconds", 30));
                } else
                        max_grace = MAX(max_grace, grace);

                r = podd_call(bus, "Delete", &error, NULL, "ssxb", targets[i].namespace, targets[i].name, grace,
                              (int) force);
                if (r == -EHOSTDOWN)
                        goto finish_fail;
                if (r < 0) {
                        podd_log_error(&error, r, targets[i].name);
                        targets[i].gone = true; /* nothing to wait for */
                        failed = true;
                        continue;
                }
                printf("pod \"%s\" %s\n", targets[i].name, force ? "force deleted" : "deleted");
                fflush(stdout);
        }

        if (wait && !all_gone(targets)) {
                if (timeout == 0)
                        timeout = (uint64_t) max_grace * 1000000u + DELETE_WAIT_MARGIN_USEC;
                r = wait_gone(bus, targets, timeout);
                if (r < 0)
                        failed = true;
        }

finish:
        ret = failed ? EXIT_INVALID : EXIT_OK;
        goto out;
finish_fail:
        ret = EXIT_INVALID;
out:
        for (size_t i = 0; i < n; i++) {
                free(targets[i].namespace);
                free(targets[i].name);
        }
        free(targets);
        return ret;
}
