/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>
#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#include "journal-util.h"
#include "pod-columns.h"
#include "podctl-bus.h"
#include "podctl.h"
#include "strbuf.h"
#include "string-util.h"
#include "unit-name.h"
#include "strv.h"

typedef struct LogsArgs {
        const char *namespace;
        const char *pod;
        const char *container;
        bool follow;
        int64_t tail; /* -1: all */
        uint64_t since;
        bool timestamps;
        bool previous;
} LogsArgs;

static void logs_help(void) {
        printf("podctl logs POD [OPTIONS…]\n\n"
               "Print what a container of a pod wrote to standard output and standard error, read from the\n"
               "journal (records with POD_NAMESPACE=, POD_NAME= and CONTAINER_NAME=; lifecycle hook output is\n"
               "left out). By default the output of the container's latest run. podd is asked which containers\n"
               "the pod has.\n\n"
               "Options:\n"
               "  -h --help              Show this help\n"
               "  -n --namespace=NS      The pod's namespace (default: default)\n"
               "  -c --container=NAME    The container; needed when the pod has more than one\n"
               "  -f --follow            Keep printing new output until interrupted\n"
               "     --tail=N            Only the last N lines (-1, the default: all)\n"
               "     --since=DURATION    Only output newer than DURATION ago (5s, 2m, 3h)\n"
               "     --timestamps        Prefix each line with its time in RFC 3339 with nanoseconds\n"
               "  -p --previous          The output of the container's previous run\n\n"
               "Exit status: 0 success, 1 no such pod or container, or the journal cannot be read, 2 usage error.\n");
}

static int names_of(const YNode *seq, char ***ret) {
        for (size_t i = 0; seq && seq->type == YNODE_SEQUENCE && i < seq->n_items; i++)
                if (strv_extend(ret, ynode_str(seq->items[i], "name") ?: "") < 0)
                        return -ENOMEM;
        return 0;
}

static char *join_names(char **l) {
        StrBuf b = {};

        strbuf_append_char(&b, '[');
        STRV_FOREACH(s, l) {
                if (s != l)
                        strbuf_append_char(&b, ' ');
                strbuf_append(&b, *s);
        }
        strbuf_append_char(&b, ']');
        return strbuf_steal(&b);
}

/* Picks the container as kubectl does: -c, else the default-container annotation, else the only one. */
static int resolve_container(const LogsArgs *a, const YNode *pod, char **ret) {
        _cleanup_strv_free_ char **regular = NULL, **init = NULL;
        const char *annotated;

        if (names_of(ynode_path(pod, "spec.containers"), &regular) < 0 ||
            names_of(ynode_path(pod, "spec.initContainers"), &init) < 0)
                return log_oom();

        if (a->container) {
                if (!strv_contains(regular, a->container) && !strv_contains(init, a->container)) {
                        fprintf(stderr, "error: container %s is not valid for pod %s\n", a->container, a->pod);
                        return -ENOENT;
                }
                *ret = strdup(a->container);
                return *ret ? 0 : log_oom();
        }

        annotated = ynode_str(ynode_path(pod, "metadata.annotations"), "kubectl.kubernetes.io/default-container");
        if (annotated && strv_contains(regular, annotated)) {
                *ret = strdup(annotated);
                return *ret ? 0 : log_oom();
        }

        if (strv_length(regular) == 1) {
                *ret = strdup(regular[0]);
                return *ret ? 0 : log_oom();
        } else {
                _cleanup_(freep) char *r = join_names(regular), *i = join_names(init);

                if (!r || !i)
                        return log_oom();
                if (strv_length(init) > 0)
                        fprintf(stderr, "error: a container name must be specified for pod %s, choose one of: %s "
                                "or one of the init containers: %s\n", a->pod, r, i);
                else
                        fprintf(stderr, "error: a container name must be specified for pod %s, choose one of: %s\n",
                                a->pod, r);
                return -EINVAL;
        }
}

static bool entry_is_hook(sd_journal *j) {
        const void *data;
        size_t len;

        return sd_journal_get_data(j, "HOOK", &data, &len) >= 0;
}

static int print_entry(sd_journal *j, bool timestamps) {
        const void *data;
        size_t len;
        int r;

        r = sd_journal_get_data(j, "MESSAGE", &data, &len);
        if (r < 0)
                return 0; /* a record without a message prints nothing */
        if (timestamps) {
                char buf[TIMESTAMP_NANO_MAX];
                uint64_t t;

                if (sd_journal_get_realtime_usec(j, &t) >= 0)
                        printf("%s ", format_timestamp_nano(t, buf));
        }
        fwrite((const char *) data + strlen("MESSAGE="), 1, len - strlen("MESSAGE="), stdout);
        fputc('\n', stdout);
        return 0;
}

static int journal_rewind(sd_journal *j, uint64_t since) {
        return since > 0 ? sd_journal_seek_realtime_usec(j, since) : sd_journal_seek_head(j);
}

/* sd_journal_open() quietly leaves out the files it may not read: an unprivileged user would get no output
 * and exit 0, as if the container had printed nothing. Say so instead, as journalctl does. */
static int check_journal_access(void) {
        static const char *const dirs[] = { "/var/log/journal", "/run/log/journal" };
        sd_id128_t machine;
        bool denied = false;

        if (sd_id128_get_machine(&machine) < 0)
                return 0; /* cannot tell: let the journal speak for itself */
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_(freep) char *p = asprintf_safe("%s/" SD_ID128_FORMAT_STR "/system.journal",
                                                         dirs[i], SD_ID128_FORMAT_VAL(machine));

                if (!p)
                        return log_oom();
                if (access(p, R_OK) >= 0)
                        return 0;
                if (errno == EACCES)
                        denied = true;
        }
        if (!denied)
                return 0;
        fprintf(stderr, "podctl: cannot read the system journal, which holds the containers' output: "
                "permission denied. Run podctl logs as root or as a member of the systemd-journal group.\n");
        return -EACCES;
}

static int show_logs(const LogsArgs *a, const char *container) {
        _cleanup_(sd_journal_closep) sd_journal *j = NULL;
        char cur[64] = "", prev[64] = "", inv[64], *target;
        uint64_t n_cur = 0, n_prev = 0, n_target, skip, seen = 0;
        bool have_cur = false, have_prev = false;
        int r;

        r = check_journal_access();
        if (r < 0)
                return r;

        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
        if (r < 0) {
                fprintf(stderr, "podctl: cannot open the journal: %s\n", strerror(-r));
                return r;
        }

        {
                _cleanup_(freep) char *m1 = asprintf_safe("POD_NAMESPACE=%s", a->namespace);
                _cleanup_(freep) char *m2 = asprintf_safe("POD_NAME=%s", a->pod);
                _cleanup_(freep) char *m3 = asprintf_safe("CONTAINER_NAME=%s", container);
                _cleanup_(freep) char *unit = NULL, *m4 = NULL;

                /* Only what the container's own unit logged: podd's event records carry the same
                 * POD_*=/CONTAINER_NAME= fields but come from podd.service. */
                r = unit_name_container_service(a->namespace, a->pod, container, &unit);
                if (r < 0) {
                        fprintf(stderr, "podctl: no unit name for container %s: %s\n", container, strerror(-r));
                        return r;
                }
                m4 = asprintf_safe("_SYSTEMD_UNIT=%s", unit);
                if (!m1 || !m2 || !m3 || !m4)
                        return log_oom();
                r = sd_journal_add_match(j, m1, 0);
                if (r >= 0)
                        r = sd_journal_add_match(j, m2, 0);
                if (r >= 0)
                        r = sd_journal_add_match(j, m3, 0);
                if (r >= 0)
                        r = sd_journal_add_match(j, m4, 0);
                if (r < 0) {
                        fprintf(stderr, "podctl: cannot filter the journal: %s\n", strerror(-r));
                        return r;
                }
        }

        /* Pass 1: which runs (invocations) there are, and how many lines the wanted one has. */
        r = journal_rewind(j, a->since);
        if (r < 0)
                goto fail;
        while ((r = sd_journal_next(j)) > 0) {
                const char *id;

                if (entry_is_hook(j))
                        continue;
                id = journal_field(j, "_SYSTEMD_INVOCATION_ID", inv, sizeof(inv)) ?: "";
                if (!have_cur || !streq(id, cur)) {
                        if (have_cur) {
                                strcpy(prev, cur);
                                n_prev = n_cur;
                                have_prev = true;
                        }
                        snprintf(cur, sizeof(cur), "%s", id);
                        n_cur = 0;
                        have_cur = true;
                }
                n_cur++;
        }
        if (r < 0)
                goto fail;

        if (a->previous && !have_prev) {
                fprintf(stderr, "Error from server (BadRequest): previous terminated container \"%s\" in pod \"%s\" "
                        "not found\n", container, a->pod);
                return -ENOENT;
        }
        target = a->previous ? prev : cur;
        n_target = a->previous ? n_prev : n_cur;
        skip = a->tail >= 0 && (uint64_t) a->tail < n_target ? n_target - (uint64_t) a->tail : 0;

        /* Pass 2: print the wanted run's lines, the last --tail of them. */
        if (have_cur) {
                r = journal_rewind(j, a->since);
                if (r < 0)
                        goto fail;
                while ((r = sd_journal_next(j)) > 0) {
                        const char *id;

                        if (entry_is_hook(j))
                                continue;
                        id = journal_field(j, "_SYSTEMD_INVOCATION_ID", inv, sizeof(inv)) ?: "";
                        if (!streq(id, target))
                                continue;
                        if (seen++ < skip)
                                continue;
                        print_entry(j, a->timestamps);
                }
                if (r < 0)
                        goto fail;
        }
        fflush(stdout);

        /* -f: whatever the container writes from now on, whichever run it comes from. */
        while (a->follow) {
                if (!have_cur) {
                        /* nothing matched yet: start from the end so old records are not replayed */
                        r = sd_journal_seek_tail(j);
                        if (r < 0)
                                goto fail;
                        (void) sd_journal_previous(j);
                        have_cur = true;
                }
                /* Woken by journald's writes (inotify); once a second regardless, so that a wake-up lost
                 * somewhere (a busy journald defers its change notices) delays a line by a second at most
                 * instead of until the next write. */
                r = sd_journal_wait(j, USEC_PER_SEC);
                if (r < 0)
                        goto fail;
                while ((r = sd_journal_next(j)) > 0)
                        if (!entry_is_hook(j))
                                print_entry(j, a->timestamps);
                if (r < 0)
                        goto fail;
                fflush(stdout);
        }
        return 0;

fail:
        fprintf(stderr, "podctl: cannot read the journal: %s\n", strerror(-r));
        return r;
}

int verb_logs(int argc, char *argv[]) {
        enum { ARG_TAIL = 0x100, ARG_SINCE, ARG_TIMESTAMPS };
        static const struct option options[] = {
                { "help",       no_argument,       NULL, 'h'            },
                { "namespace",  required_argument, NULL, 'n'            },
                { "container",  required_argument, NULL, 'c'            },
                { "follow",     no_argument,       NULL, 'f'            },
                { "tail",       required_argument, NULL, ARG_TAIL       },
                { "since",      required_argument, NULL, ARG_SINCE      },
                { "timestamps", no_argument,       NULL, ARG_TIMESTAMPS },
                { "previous",   no_argument,       NULL, 'p'            },
                {}
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(ystream_freep) YStream *pod = NULL;
        _cleanup_(freep) char *container = NULL;
        LogsArgs a = { .namespace = "default", .tail = -1 };
        uint64_t since = 0;
        int c, r;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":hn:c:fp", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        logs_help();
                        return EXIT_OK;
                case 'n':
                        a.namespace = optarg;
                        break;
                case 'c':
                        a.container = optarg;
                        break;
                case 'f':
                        a.follow = true;
                        break;
                case ARG_TAIL:
                        if (safe_atoi64(optarg, &a.tail) < 0 || a.tail < -1) {
                                fprintf(stderr, "error: invalid argument \"%s\" for \"--tail\" flag\n", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case ARG_SINCE:
                        if (parse_go_duration(optarg, &since) < 0) {
                                fprintf(stderr, "error: invalid argument \"%s\" for \"--since\" flag\n", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case ARG_TIMESTAMPS:
                        a.timestamps = true;
                        break;
                case 'p':
                        a.previous = true;
                        break;
                default:
                        return flag_error("logs", c, argv);
                }

        if (optind >= argc) {
                fprintf(stderr, "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n");
                return EXIT_USAGE;
        }
        if (optind + 1 < argc) {
                /* kubectl logs POD CONTAINER */
                if (a.container || optind + 2 < argc) {
                        fprintf(stderr, "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n");
                        return EXIT_USAGE;
                }
                a.container = argv[optind + 1];
        }
        a.pod = argv[optind];
        if (startswith(a.pod, "pod/") || startswith(a.pod, "pods/"))
                a.pod = strchr(a.pod, '/') + 1;
        if (a.follow && a.previous) {
                fprintf(stderr, "error: only one of follow (-f) or previous (-p) is allowed\n");
                return EXIT_USAGE;
        }
        if (since > 0) {
                struct timespec ts;

                (void) clock_gettime(CLOCK_REALTIME, &ts);
                a.since = (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
                a.since = a.since > since ? a.since - since : 1;
        }

        r = podd_connect(&bus);
        if (r < 0)
                return EXIT_INVALID;
        r = podd_get_pod(bus, a.namespace, a.pod, &pod);
        if (r == -ENOENT)
                fprintf(stderr, "Error from server (NotFound): pods \"%s\" not found\n", a.pod);
        if (r < 0)
                return EXIT_INVALID;
        bus = sd_bus_flush_close_unref(bus); /* podd is not needed while following */

        r = resolve_container(&a, pod->documents[0].root, &container);
        if (r < 0)
                return EXIT_INVALID;

        return show_logs(&a, container) < 0 ? EXIT_INVALID : EXIT_OK;
}
