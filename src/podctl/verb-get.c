/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>
#include <time.h>

#include "label-selector.h"
#include "pod-columns.h"
#include "podctl-bus.h"
#include "podctl.h"
#include "string-util.h"
#include "strv.h"
#include "tabwriter.h"
#include "yaml-emit.h"

typedef enum Output {
        OUTPUT_TABLE,
        OUTPUT_WIDE,
        OUTPUT_YAML,
        OUTPUT_JSON,
        OUTPUT_NAME,
} Output;

typedef struct GetArgs {
        const char *namespace; /* "" with -A */
        bool all_namespaces;
        Output output;
        LabelSelector *selector;
        bool watch;
        bool headers;
        char host[256];
        TabWriter tw;
        bool printed_header;
        size_t n_printed; /* objects printed so far, for the "---" between -w YAML documents */
} GetArgs;

static void get_help(void) {
        printf("podctl get pods [NAME…] [OPTIONS…]\n"
               "podctl get events [OPTIONS…]\n\n"
               "List pods (also: pod, po) or events (also: event, ev) as kubectl get does. Needs podd.\n\n"
               "Options:\n"
               "  -h --help              Show this help\n"
               "  -n --namespace=NS      The namespace (default: default)\n"
               "  -A --all-namespaces    Every namespace; adds a NAMESPACE column\n"
               "  -o --output=FORMAT     wide (adds IP, NODE, NOMINATED NODE, READINESS GATES), yaml, json, name\n"
               "  -l --selector=SEL      Only pods whose labels match: a=b,c!=d,e,!f,g in (x,y),h notin (z)\n"
               "  -w --watch             After listing, print a row again whenever a pod (or event) changes;\n"
               "                         runs until interrupted\n"
               "     --no-headers        Leave out the header line\n\n"
               "Manifest files under /etc/pods that failed to load are reported first, as \"Warning: FILE: …\".\n"
               "Exit status: 0 success, 1 a pod was not found or podd failed, 2 usage error.\n");
}

static bool names_empty(char **names) {
        return !names || !*names;
}

static int flush_table(GetArgs *a) {
        _cleanup_(freep) char *text = tw_flush(&a->tw);

        if (!text)
                return log_oom();
        fputs(text, stdout);
        fflush(stdout);
        return 0;
}

static void pod_header(GetArgs *a) {
        if (!a->headers || a->printed_header)
                return;
        a->printed_header = true;
        if (a->all_namespaces)
                tw_append(&a->tw, "NAMESPACE\t");
        tw_append(&a->tw, "NAME\tREADY\tSTATUS\tRESTARTS\tAGE");
        if (a->output == OUTPUT_WIDE)
                tw_append(&a->tw, "\tIP\tNODE\tNOMINATED NODE\tREADINESS GATES");
        tw_append(&a->tw, "\n");
}

/* Prints one pod in the chosen format (tables are only collected: flush_table prints them). */
static int print_pod(GetArgs *a, const YNode *pod) {
        _cleanup_(pod_columns_done) PodColumns c = {};
        StrBuf b = {};
        _cleanup_(freep) char *text = NULL;
        int r;

        switch (a->output) {
        case OUTPUT_TABLE:
        case OUTPUT_WIDE:
                r = pod_columns(pod, clock_usec(CLOCK_REALTIME), a->host, &c);
                if (r < 0)
                        return r == -ENOMEM ? log_oom() : r;
                pod_header(a);
                if (a->all_namespaces)
                        tw_printf(&a->tw, "%s\t", c.namespace);
                tw_printf(&a->tw, "%s\t%s\t%s\t%s\t%s", c.name, c.ready, c.status, c.restarts, c.age);
                if (a->output == OUTPUT_WIDE)
                        tw_printf(&a->tw, "\t%s\t%s\t%s\t%s", c.ip, c.node, c.nominated_node, c.readiness_gates);
                tw_append(&a->tw, "\n");
                return 0;
        case OUTPUT_NAME:
                printf("pod/%s\n", ynode_str(ynode_get(pod, "metadata"), "name") ?: "");
                return 0;
        case OUTPUT_YAML:
                if (a->n_printed++ > 0)
                        strbuf_append(&b, "---\n");
                ynode_emit_yaml(pod, &b);
                break;
        case OUTPUT_JSON:
                ynode_emit_json(pod, &b);
                break;
        }
        text = strbuf_steal(&b);
        if (!text)
                return log_oom();
        fputs(text, stdout);
        return 0;
}

/* -o json|yaml of several pods: a v1 List, as kubectl prints it. */
static int print_list(GetArgs *a, const YNode *const *items, size_t n) {
        _cleanup_(ystream_freep) YStream *s = NULL;
        _cleanup_(freep) char *json = NULL, *text = NULL;
        StrBuf b = {};
        Diags d = {};
        int r;

        strbuf_append(&b, "{\"apiVersion\":\"v1\",\"items\":[");
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        strbuf_append_char(&b, ',');
                ynode_emit_json(items[i], &b);
        }
        strbuf_append(&b, "],\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"\"}}");
        json = strbuf_steal(&b);
        if (!json)
                return log_oom();

        r = ystream_parse(json, strlen(json), &YLIMITS_DEFAULT, &s, &d);
        diags_done(&d);
        if (r < 0)
                return r == -ENOMEM ? log_oom() : r;
        if (a->output == OUTPUT_YAML)
                ynode_emit_yaml(s->documents[0].root, &b);
        else
                ynode_emit_json(s->documents[0].root, &b);
        text = strbuf_steal(&b);
        if (!text)
                return log_oom();
        fputs(text, stdout);
        return 0;
}

static bool pod_selected(const GetArgs *a, char **names, const YNode *pod) {
        const YNode *meta = ynode_get(pod, "metadata");

        if (!names_empty(names) && !strv_contains(names, ynode_str(meta, "name") ?: ""))
                return false;
        if (!a->all_namespaces && !streq_ptr(ynode_str(meta, "namespace") ?: "default", a->namespace))
                return false;
        return label_selector_match(a->selector, ynode_get(meta, "labels"));
}

/* ---- watch ---- */

typedef struct Change {
        char *namespace, *name;
        bool removed;
} Change;

typedef struct WatchState {
        Change *changes;
        size_t n, allocated;
        char **events; /* EventAdded JSON, for get events -w */
        bool oom;
} WatchState;

static int on_pod_signal(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        WatchState *w = userdata;
        const char *ns, *name;

        if (sd_bus_message_read(m, "ss", &ns, &name) < 0)
                return 0; /* a malformed signal is nothing to show */
        if (!GREEDY_REALLOC(w->changes, w->allocated, w->n + 1)) {
                w->oom = true;
                return 0;
        }
        w->changes[w->n] = (Change) { strdup(ns), strdup(name), streq(sd_bus_message_get_member(m), "PodRemoved") };
        if (!w->changes[w->n].namespace || !w->changes[w->n].name) {
                free(w->changes[w->n].namespace);
                free(w->changes[w->n].name);
                w->oom = true;
                return 0;
        }
        w->n++;
        return 0;
}

static int on_event_signal(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        WatchState *w = userdata;
        const char *json;

        if (sd_bus_message_read(m, "s", &json) < 0)
                return 0;
        if (strv_extend(&w->events, json) < 0)
                w->oom = true;
        return 0;
}

static void watch_state_drain(WatchState *w) {
        for (size_t i = 0; i < w->n; i++) {
                free(w->changes[i].namespace);
                free(w->changes[i].name);
        }
        w->n = 0;
        w->events = strv_free(w->events);
}

static void watch_state_done(WatchState *w) {
        watch_state_drain(w);
        free(w->changes);
}

static int watch_subscribe(sd_bus *bus, WatchState *w, bool events, sd_bus_slot **slots) {
        int r;

        if (events)
                r = sd_bus_match_signal(bus, &slots[0], PODD_BUS_NAME, PODD_BUS_PATH, PODD_BUS_MANAGER_INTERFACE,
                                        "EventAdded", on_event_signal, w);
        else {
                r = sd_bus_match_signal(bus, &slots[0], PODD_BUS_NAME, PODD_BUS_PATH, PODD_BUS_MANAGER_INTERFACE,
                                        "PodChanged", on_pod_signal, w);
                if (r >= 0)
                        r = sd_bus_match_signal(bus, &slots[1], PODD_BUS_NAME, PODD_BUS_PATH,
                                                PODD_BUS_MANAGER_INTERFACE, "PodRemoved", on_pod_signal, w);
        }
        if (r < 0)
                fprintf(stderr, "podctl: cannot watch podd's signals: %s\n", strerror(-r));
        return r;
}

/* Runs the bus until something arrived; returns < 0 when the connection is gone. */
static int watch_wait(sd_bus *bus, WatchState *w) {
        int r;

        for (;;) {
                r = sd_bus_process(bus, NULL);
                if (r < 0) {
                        fprintf(stderr, "podctl: lost the connection to the bus: %s\n", strerror(-r));
                        return r;
                }
                if (w->oom)
                        return log_oom();
                if (r > 0)
                        continue;
                if (w->n > 0 || w->events)
                        return 0;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0 && r != -EINTR) {
                        fprintf(stderr, "podctl: lost the connection to the bus: %s\n", strerror(-r));
                        return r;
                }
        }
}

/* The last row printed for each pod, so a removed pod can be shown once more as kubectl -w does. */
typedef struct Seen {
        char *key; /* "ns/name" */
        YStream *pod;
} Seen;

typedef struct SeenSet {
        Seen *items;
        size_t n, allocated;
} SeenSet;

static void seen_done(SeenSet *s) {
        for (size_t i = 0; i < s->n; i++) {
                free(s->items[i].key);
                ystream_free(s->items[i].pod);
        }
        free(s->items);
}

static Seen *seen_find(SeenSet *s, const char *key) {
        for (size_t i = 0; i < s->n; i++)
                if (streq(s->items[i].key, key))
                        return &s->items[i];
        return NULL;
}

static int seen_put(SeenSet *s, char *key, YStream *pod) {
        Seen *e = seen_find(s, key);

        if (e) {
                free(key);
                ystream_free(e->pod);
                e->pod = pod;
                return 0;
        }
        if (!GREEDY_REALLOC(s->items, s->allocated, s->n + 1)) {
                free(key);
                ystream_free(pod);
                return -ENOMEM;
        }
        s->items[s->n++] = (Seen) { key, pod };
        return 0;
}

/* Remembers a pod printed by the initial listing (a copy: the listing's tree goes away). */
static int seen_put_copy(SeenSet *s, const YNode *pod) {
        const YNode *meta = ynode_get(pod, "metadata");
        _cleanup_(ystream_freep) YStream *copy = NULL;
        _cleanup_(freep) char *json = NULL, *key = NULL;
        StrBuf b = {};
        Diags d = {};
        int r;

        ynode_emit_json(pod, &b);
        json = strbuf_steal(&b);
        key = asprintf_safe("%s/%s", ynode_str(meta, "namespace") ?: "default", ynode_str(meta, "name") ?: "");
        if (!json || !key)
                return -ENOMEM;
        r = ystream_parse(json, strlen(json), &YLIMITS_DEFAULT, &copy, &d);
        diags_done(&d);
        if (r < 0)
                return r;
        return seen_put(s, TAKE_PTR(key), TAKE_PTR(copy));
}

static int watch_pods(sd_bus *bus, GetArgs *a, char **names, const YNode *const *shown, size_t n_shown,
                      WatchState *w) {
        SeenSet seen = {};
        int r = 0;

        for (size_t i = 0; i < n_shown; i++) {
                r = seen_put_copy(&seen, shown[i]);
                if (r < 0) {
                        r = log_oom();
                        goto finish;
                }
        }

        for (;;) {
                r = watch_wait(bus, w);
                if (r < 0)
                        break;

                for (size_t i = 0; i < w->n; i++) {
                        const Change *c = &w->changes[i];
                        _cleanup_(freep) char *key = asprintf_safe("%s/%s", c->namespace, c->name);
                        _cleanup_(ystream_freep) YStream *pod = NULL;
                        Seen *e;

                        if (!key) {
                                r = log_oom();
                                goto finish;
                        }
                        if (c->removed) {
                                e = seen_find(&seen, key);
                                if (e && pod_selected(a, names, e->pod->documents[0].root)) {
                                        r = print_pod(a, e->pod->documents[0].root);
                                        if (r < 0)
                                                goto finish;
                                }
                                continue;
                        }

                        r = podd_get_pod(bus, c->namespace, c->name, &pod);
                        if (r == -ENOENT)
                                continue; /* gone again already */
                        if (r < 0)
                                goto finish;
                        if (!pod_selected(a, names, pod->documents[0].root))
                                continue;
                        r = print_pod(a, pod->documents[0].root);
                        if (r < 0)
                                goto finish;
                        r = seen_put(&seen, TAKE_PTR(key), TAKE_PTR(pod));
                        if (r < 0) {
                                r = log_oom();
                                goto finish;
                        }
                }
                watch_state_drain(w);
                if (a->output == OUTPUT_TABLE || a->output == OUTPUT_WIDE) {
                        r = flush_table(a);
                        if (r < 0)
                                break;
                }
                fflush(stdout);
        }
finish:
        seen_done(&seen);
        return r;
}

/* ---- get pods ---- */

static int get_pods(GetArgs *a, char **names) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(ystream_freep) YStream *list = NULL;
        _cleanup_(freep) const YNode **shown = NULL;
        YStream **got = NULL;
        size_t n_shown = 0, n_got = 0;
        sd_bus_slot *slots[2] = {};
        WatchState w = {};
        bool failed = false;
        int r;

        if (a->all_namespaces && !names_empty(names)) {
                fprintf(stderr, "error: a resource cannot be retrieved by name across all namespaces\n");
                return EXIT_INVALID;
        }

        r = podd_connect(&bus);
        if (r < 0)
                return EXIT_INVALID;
        if (podd_print_config_errors(bus) < 0)
                return EXIT_INVALID;
        if (a->watch && watch_subscribe(bus, &w, false, slots) < 0)
                goto fail;

        if (!names_empty(names)) {
                size_t n = strv_length(names);

                got = calloc(n, sizeof(YStream *));
                shown = calloc(n, sizeof(YNode *));
                if (!got || !shown) {
                        r = log_oom();
                        goto fail;
                }
                for (size_t i = 0; i < n; i++) {
                        r = podd_get_pod(bus, a->namespace, names[i], &got[n_got]);
                        if (r == -ENOENT) {
                                fprintf(stderr, "Error from server (NotFound): pods \"%s\" not found\n", names[i]);
                                failed = true;
                                continue;
                        }
                        if (r < 0)
                                goto fail;
                        if (!label_selector_match(a->selector,
                                                  ynode_path(got[n_got]->documents[0].root, "metadata.labels"))) {
                                n_got++;
                                continue;
                        }
                        shown[n_shown++] = got[n_got++]->documents[0].root;
                }
        } else {
                const YNode *items;

                r = podd_call(bus, "ListPods", &error, &reply, "s", a->namespace);
                if (r < 0) {
                        podd_log_error(&error, r, NULL);
                        goto fail;
                }
                r = podd_read_json(reply, &list);
                if (r < 0)
                        goto fail;
                items = ynode_get(list->documents[0].root, "items");
                if (items && items->type == YNODE_SEQUENCE && items->n_items > 0) {
                        shown = calloc(items->n_items, sizeof(YNode *));
                        if (!shown) {
                                r = log_oom();
                                goto fail;
                        }
                        for (size_t i = 0; i < items->n_items; i++)
                                if (pod_selected(a, NULL, items->items[i]))
                                        shown[n_shown++] = items->items[i];
                }
        }

        if ((a->output == OUTPUT_JSON || a->output == OUTPUT_YAML) && !a->watch &&
            !(strv_length(names) == 1 && n_shown == 1)) {
                if (n_shown > 0 || names_empty(names))
                        r = print_list(a, shown, n_shown);
        } else
                for (size_t i = 0; i < n_shown; i++) {
                        r = print_pod(a, shown[i]);
                        if (r < 0)
                                goto fail;
                }
        if (a->output == OUTPUT_TABLE || a->output == OUTPUT_WIDE) {
                r = flush_table(a);
                if (r < 0)
                        goto fail;
        }
        if (n_shown == 0 && names_empty(names) &&
            (a->output == OUTPUT_TABLE || a->output == OUTPUT_WIDE || a->output == OUTPUT_NAME)) {
                if (a->all_namespaces)
                        fprintf(stderr, "No resources found\n");
                else
                        fprintf(stderr, "No resources found in %s namespace.\n", a->namespace);
        }
        fflush(stdout);

        if (a->watch)
                r = watch_pods(bus, a, names, shown, n_shown, &w);

fail:
        for (size_t i = 0; i < n_got; i++)
                ystream_free(got[i]);
        free(got);
        for (size_t i = 0; i < ELEMENTSOF(slots); i++)
                sd_bus_slot_unref(slots[i]);
        watch_state_done(&w);
        return r < 0 || failed ? EXIT_INVALID : EXIT_OK;
}

/* ---- get events ---- */

static int event_row(GetArgs *a, const YNode *ev) {
        _cleanup_(event_columns_done) EventColumns c = {};
        int r;

        r = event_columns(ev, clock_usec(CLOCK_REALTIME), &c);
        if (r < 0)
                return r == -ENOMEM ? log_oom() : 0;
        if (a->headers && !a->printed_header) {
                a->printed_header = true;
                tw_append(&a->tw, a->all_namespaces ? "NAMESPACE\tLAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n"
                                                    : "LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n");
        }
        if (a->all_namespaces)
                tw_printf(&a->tw, "%s\t", c.namespace);
        tw_printf(&a->tw, "%s\t%s\t%s\t%s\t%s\n", c.last_seen, c.type, c.reason, c.object, c.message);
        return 0;
}

static int get_events(GetArgs *a) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(ystream_freep) YStream *list = NULL;
        sd_bus_slot *slots[2] = {};
        WatchState w = {};
        const YNode *items;
        size_t n = 0;
        int r;

        if (a->output != OUTPUT_TABLE) {
                fprintf(stderr, "podctl get events: only the table output is supported\n");
                return EXIT_USAGE;
        }
        r = podd_connect(&bus);
        if (r < 0)
                return EXIT_INVALID;
        if (a->watch && watch_subscribe(bus, &w, true, slots) < 0)
                goto finish;

        r = podd_call(bus, "ListEvents", &error, &reply, "ss", a->namespace, "");
        if (r < 0) {
                podd_log_error(&error, r, NULL);
                goto finish;
        }
        r = podd_read_json(reply, &list);
        if (r < 0)
                goto finish;
        items = ynode_get(list->documents[0].root, "items");
        for (size_t i = 0; items && items->type == YNODE_SEQUENCE && i < items->n_items; i++) {
                r = event_row(a, items->items[i]);
                if (r < 0)
                        goto finish;
                n++;
        }
        r = flush_table(a);
        if (r < 0)
                goto finish;
        if (n == 0) {
                if (a->all_namespaces)
                        fprintf(stderr, "No resources found\n");
                else
                        fprintf(stderr, "No resources found in %s namespace.\n", a->namespace);
        }

        while (a->watch) {
                r = watch_wait(bus, &w);
                if (r < 0)
                        break;
                STRV_FOREACH(json, w.events) {
                        _cleanup_(ystream_freep) YStream *s = NULL;
                        Diags d = {};
                        const YNode *ev;

                        r = ystream_parse(*json, strlen(*json), &YLIMITS_DEFAULT, &s, &d);
                        diags_done(&d);
                        if (r < 0 || !(ev = s->documents[0].root))
                                continue;
                        if (!a->all_namespaces &&
                            !streq_ptr(ynode_str(ynode_get(ev, "metadata"), "namespace"), a->namespace))
                                continue;
                        r = event_row(a, ev);
                        if (r < 0)
                                goto finish;
                }
                watch_state_drain(&w);
                r = flush_table(a);
                if (r < 0)
                        break;
        }

finish:
        for (size_t i = 0; i < ELEMENTSOF(slots); i++)
                sd_bus_slot_unref(slots[i]);
        watch_state_done(&w);
        return r < 0 ? EXIT_INVALID : EXIT_OK;
}

int verb_get(int argc, char *argv[]) {
        enum { ARG_NO_HEADERS = 0x100 };
        static const struct option options[] = {
                { "help",           no_argument,       NULL, 'h'            },
                { "namespace",      required_argument, NULL, 'n'            },
                { "all-namespaces", no_argument,       NULL, 'A'            },
                { "output",         required_argument, NULL, 'o'            },
                { "selector",       required_argument, NULL, 'l'            },
                { "watch",          no_argument,       NULL, 'w'            },
                { "no-headers",     no_argument,       NULL, ARG_NO_HEADERS },
                {}
        };
        _cleanup_(label_selector_freep) LabelSelector *selector = NULL;
        GetArgs a = { .namespace = "default", .headers = true, .tw = TABWRITER_GET };
        const char *type;
        char **names;
        int c, r;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":hn:Ao:l:w", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        get_help();
                        return EXIT_OK;
                case 'n':
                        a.namespace = optarg;
                        break;
                case 'A':
                        a.all_namespaces = true;
                        break;
                case 'o':
                        if (streq(optarg, "wide"))
                                a.output = OUTPUT_WIDE;
                        else if (streq(optarg, "yaml"))
                                a.output = OUTPUT_YAML;
                        else if (streq(optarg, "json"))
                                a.output = OUTPUT_JSON;
                        else if (streq(optarg, "name"))
                                a.output = OUTPUT_NAME;
                        else {
                                fprintf(stderr, "error: unable to match a printer suitable for the output format "
                                        "\"%s\", allowed formats are: json,name,wide,yaml\n", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case 'l': {
                        _cleanup_(freep) char *err = NULL;

                        selector = label_selector_free(selector);
                        r = label_selector_parse(optarg, &selector, &err);
                        if (r == -ENOMEM)
                                return log_oom(), EXIT_INVALID;
                        if (r < 0) {
                                fprintf(stderr, "error: unable to parse requirement: %s\n", err);
                                return EXIT_USAGE;
                        }
                        break;
                }
                case 'w':
                        a.watch = true;
                        break;
                case ARG_NO_HEADERS:
                        a.headers = false;
                        break;
                default:
                        return flag_error("get", c, argv);
                }

        if (optind >= argc) {
                fprintf(stderr, "podctl get: missing resource type (pods or events); see 'podctl get --help'\n");
                return EXIT_USAGE;
        }
        type = argv[optind];
        names = argv + optind + 1;
        a.selector = selector;
        if (a.all_namespaces)
                a.namespace = "";
        if (gethostname(a.host, sizeof(a.host) - 1) < 0)
                strcpy(a.host, "localhost");

        if (streq(type, "pods") || streq(type, "pod") || streq(type, "po")) {
                r = get_pods(&a, names);
        } else if (streq(type, "events") || streq(type, "event") || streq(type, "ev")) {
                if (*names) {
                        fprintf(stderr, "podctl get events: takes no names\n");
                        r = EXIT_USAGE;
                } else
                        r = get_events(&a);
        } else {
                fprintf(stderr, "error: the server doesn't have a resource type \"%s\"\n", type);
                r = EXIT_INVALID;
        }
        tw_done(&a.tw);
        return r;
}
