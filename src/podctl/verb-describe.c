/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "pod-columns.h"
#include "podctl-bus.h"
#include "podctl.h"
#include "string-util.h"
#include "tabwriter.h"

/* kubectl describe pod's layout (staging/src/k8s.io/kubectl/pkg/describe/describe.go → describePod): one
 * tab-aligned text, two spaces per nesting level. */

static void describe_help(void) {
        printf("podctl describe pod NAME [OPTIONS…]\n\n"
               "Show a pod as kubectl describe does: metadata, status, each container with its unit (Container\n"
               "ID), state, last state, probes, environment and mounts, the conditions, volumes and the pod's\n"
               "events. Needs podd.\n\n"
               "Options:\n"
               "  -h --help              Show this help\n"
               "  -n --namespace=NS      The pod's namespace (default: default)\n\n"
               "Exit status: 0 success, 1 no such pod or podd failed, 2 usage error.\n");
}

static size_t n_items(const YNode *n) {
        return n && n->type == YNODE_SEQUENCE ? n->n_items : 0;
}

static size_t n_pairs(const YNode *n) {
        return n && n->type == YNODE_MAPPING ? n->n_pairs : 0;
}

/* A scalar as text, whatever its kind ("" for a collection or nothing). */
static const char *scalar(const YNode *n) {
        return n && n->type == YNODE_SCALAR ? n->value : "";
}

static const char *time_cell(const char *ts, char buf[static TIMESTAMP_NANO_MAX]) {
        uint64_t t;

        if (parse_timestamp(ts, &t) < 0)
                return ts ?: "";
        return format_timestamp_describe(t, buf);
}

static int pair_cmp(const void *a, const void *b) {
        const YPair *x = *(const YPair *const *) a, *y = *(const YPair *const *) b;

        return strcmp(scalar(x->key), scalar(y->key));
}

/* Labels and annotations: "<none>", or one per line, sorted, the first after the title. */
static void multiline_map(TabWriter *tw, const char *title, const YNode *map, const char *sep) {
        const YPair **sorted;
        size_t n = n_pairs(map);

        if (n == 0) {
                tw_printf(tw, "%s\t<none>\n", title);
                return;
        }
        sorted = malloc(n * sizeof(YPair *));
        if (!sorted) {
                tw->text.oom = true;
                return;
        }
        for (size_t i = 0; i < n; i++)
                sorted[i] = &map->pairs[i];
        qsort(sorted, n, sizeof(YPair *), pair_cmp);
        for (size_t i = 0; i < n; i++)
                tw_printf(tw, "%s\t%s%s%s\n", i == 0 ? title : "", scalar(sorted[i]->key), sep,
                          scalar(sorted[i]->value));
        free(sorted);
}

static void describe_state(TabWriter *tw, const char *title, const YNode *state) {
        const YNode *running = ynode_get(state, "running"), *waiting = ynode_get(state, "waiting"),
                    *term = ynode_get(state, "terminated");
        char buf[TIMESTAMP_NANO_MAX];

        if (running) {
                tw_printf(tw, "    %s:\tRunning\n", title);
                tw_printf(tw, "      Started:\t%s\n", time_cell(ynode_str(running, "startedAt"), buf));
        } else if (term) {
                tw_printf(tw, "    %s:\tTerminated\n", title);
                if (!isempty(ynode_str(term, "reason")))
                        tw_printf(tw, "      Reason:\t%s\n", ynode_str(term, "reason"));
                if (!isempty(ynode_str(term, "message")))
                        tw_printf(tw, "      Message:\t%s\n", ynode_str(term, "message"));
                tw_printf(tw, "      Exit Code:\t%" PRIi64 "\n", ynode_int(term, "exitCode", 0));
                if (ynode_int(term, "signal", 0) > 0)
                        tw_printf(tw, "      Signal:\t%" PRIi64 "\n", ynode_int(term, "signal", 0));
                tw_printf(tw, "      Started:\t%s\n", time_cell(ynode_str(term, "startedAt"), buf));
                tw_printf(tw, "      Finished:\t%s\n", time_cell(ynode_str(term, "finishedAt"), buf));
        } else {
                tw_printf(tw, "    %s:\tWaiting\n", title);
                if (!isempty(ynode_str(waiting, "reason")))
                        tw_printf(tw, "      Reason:\t%s\n", ynode_str(waiting, "reason"));
        }
}

/* "delay=0s timeout=1s period=10s #success=1 #failure=3" after the handler, as kubectl's DescribeProbe. */
static void describe_probe(TabWriter *tw, const char *title, const YNode *p) {
        const YNode *h;

        if (!p)
                return;
        tw_printf(tw, "    %s:\t", title);
        if ((h = ynode_get(p, "exec"))) {
                const YNode *cmd = ynode_get(h, "command");

                tw_append(tw, "exec [");
                for (size_t i = 0; i < n_items(cmd); i++)
                        tw_printf(tw, "%s%s", i > 0 ? " " : "", scalar(cmd->items[i]));
                tw_append(tw, "]");
        } else if ((h = ynode_get(p, "httpGet"))) {
                const char *scheme = ynode_str(h, "scheme") ?: "HTTP", *host = ynode_str(h, "host") ?: "";

                tw_append(tw, "http-get ");
                for (const char *s = scheme; *s; s++)
                        tw_printf(tw, "%c", (*s >= 'A' && *s <= 'Z') ? *s - 'A' + 'a' : *s);
                tw_printf(tw, strchr(host, ':') ? "://[%s]:%s%s" : "://%s:%s%s", host,
                          scalar(ynode_get(h, "port")), ynode_str(h, "path") ?: "");
        } else if ((h = ynode_get(p, "tcpSocket")))
                tw_printf(tw, "tcp-socket %s:%s", ynode_str(h, "host") ?: "", scalar(ynode_get(h, "port")));
        else if ((h = ynode_get(p, "grpc")))
                tw_printf(tw, "grpc <pod>:%s %s", scalar(ynode_get(h, "port")), ynode_str(h, "service") ?: "");
        else
                tw_append(tw, "unknown");
        tw_printf(tw, " delay=%" PRIi64 "s timeout=%" PRIi64 "s period=%" PRIi64 "s #success=%" PRIi64
                  " #failure=%" PRIi64 "\n",
                  ynode_int(p, "initialDelaySeconds", 0), ynode_int(p, "timeoutSeconds", 1),
                  ynode_int(p, "periodSeconds", 10), ynode_int(p, "successThreshold", 1),
                  ynode_int(p, "failureThreshold", 3));
}

/* podd's own record of a probe (the container status's "podctl.io/probes"): the stored result and when and
 * how the last attempt ended. kubectl has no such line; it answers "is it healthy right now?". */
static void describe_probe_result(TabWriter *tw, const YNode *probes, const char *kind) {
        const YNode *r = ynode_get(probes, kind);
        char age[HUMAN_DURATION_MAX];

        if (!r)
                return;
        tw_printf(tw, "      Result:	%s", ynode_str(r, "result") ?: "Unknown");
        if (ynode_str(r, "lastProbeTime"))
                tw_printf(tw, " (last attempt: %s, %s ago)", ynode_str(r, "lastOutcome") ?: "",
                          timestamp_since(ynode_str(r, "lastProbeTime"), clock_usec(CLOCK_REALTIME), age));
        if (!isempty(ynode_str(r, "message")))
                tw_printf(tw, ": %s", ynode_str(r, "message"));
        tw_append(tw, "\n");
}

static void describe_list_lines(TabWriter *tw, const char *title, const YNode *seq) {
        if (n_items(seq) == 0)
                return;
        tw_printf(tw, "    %s:\n", title);
        for (size_t i = 0; i < seq->n_items; i++)
                tw_printf(tw, "      %s\n", scalar(seq->items[i]));
}

static void describe_resources(TabWriter *tw, const char *title, const YNode *map) {
        if (n_pairs(map) == 0)
                return;
        tw_printf(tw, "    %s:\n", title);
        for (size_t i = 0; i < map->n_pairs; i++)
                tw_printf(tw, "      %s:\t%s\n", scalar(map->pairs[i].key), scalar(map->pairs[i].value));
}

static void describe_env(TabWriter *tw, const YNode *c) {
        const YNode *env = ynode_get(c, "env"), *env_from = ynode_get(c, "envFrom");

        if (n_items(env) == 0 && n_items(env_from) == 0) {
                tw_append(tw, "    Environment:\t<none>\n");
                return;
        }
        for (size_t i = 0; i < n_items(env_from); i++) {
                const YNode *cm = ynode_get(env_from->items[i], "configMapRef"),
                            *sec = ynode_get(env_from->items[i], "secretRef");

                tw_printf(tw, "    Environment Variables from:\n      %s\t%s\tOptional: %s\n",
                          ynode_str(cm ?: sec, "name") ?: "", cm ? "ConfigMap" : "Secret",
                          ynode_bool(cm ?: sec, "optional") ? "true" : "false");
        }
        if (n_items(env) == 0) {
                tw_append(tw, "    Environment:\t<none>\n");
                return;
        }
        tw_append(tw, "    Environment:\n");
        for (size_t i = 0; i < env->n_items; i++) {
                const YNode *e = env->items[i], *from = ynode_get(e, "valueFrom"), *ref;
                const char *name = ynode_str(e, "name") ?: "";

                if (!from)
                        tw_printf(tw, "      %s:\t%s\n", name, ynode_str(e, "value") ?: "");
                else if ((ref = ynode_get(from, "fieldRef")))
                        tw_printf(tw, "      %s:\t (%s:%s)\n", name, ynode_str(ref, "apiVersion") ?: "v1",
                                  ynode_str(ref, "fieldPath") ?: "");
                else if ((ref = ynode_get(from, "resourceFieldRef")))
                        tw_printf(tw, "      %s:\t%s (%s)\n", name, ynode_str(ref, "containerName") ?: "",
                                  ynode_str(ref, "resource") ?: "");
                else if ((ref = ynode_get(from, "secretKeyRef")))
                        tw_printf(tw, "      %s:\t<set to the key '%s' in secret '%s'>\tOptional: %s\n", name,
                                  ynode_str(ref, "key") ?: "", ynode_str(ref, "name") ?: "",
                                  ynode_bool(ref, "optional") ? "true" : "false");
                else if ((ref = ynode_get(from, "configMapKeyRef")))
                        tw_printf(tw, "      %s:\t<set to the key '%s' of config map '%s'>\tOptional: %s\n", name,
                                  ynode_str(ref, "key") ?: "", ynode_str(ref, "name") ?: "",
                                  ynode_bool(ref, "optional") ? "true" : "false");
                else
                        tw_printf(tw, "      %s:\t\n", name);
        }
}

static int mount_cmp(const void *a, const void *b) {
        return strcmp(ynode_str(*(const YNode *const *) a, "mountPath") ?: "",
                      ynode_str(*(const YNode *const *) b, "mountPath") ?: "");
}

static void describe_mounts(TabWriter *tw, const YNode *c) {
        const YNode *mounts = ynode_get(c, "volumeMounts");
        const YNode **sorted;
        size_t n = n_items(mounts);

        if (n == 0) {
                tw_append(tw, "    Mounts:\t<none>\n");
                return;
        }
        sorted = malloc(n * sizeof(YNode *));
        if (!sorted) {
                tw->text.oom = true;
                return;
        }
        memcpy(sorted, mounts->items, n * sizeof(YNode *));
        qsort(sorted, n, sizeof(YNode *), mount_cmp);
        tw_append(tw, "    Mounts:\n");
        for (size_t i = 0; i < n; i++) {
                const char *sub = ynode_str(sorted[i], "subPath");

                tw_printf(tw, "      %s from %s (%s", ynode_str(sorted[i], "mountPath") ?: "",
                          ynode_str(sorted[i], "name") ?: "", ynode_bool(sorted[i], "readOnly") ? "ro" : "rw");
                if (!isempty(sub))
                        tw_printf(tw, ",path=\"%s\"", sub);
                tw_append(tw, ")\n");
        }
        free(sorted);
}

static const YNode *status_of(const YNode *statuses, const char *name) {
        for (size_t i = 0; i < n_items(statuses); i++)
                if (streq_ptr(ynode_str(statuses->items[i], "name"), name))
                        return statuses->items[i];
        return NULL;
}

static void describe_containers(TabWriter *tw, const char *title, const YNode *containers, const YNode *statuses) {
        tw_printf(tw, "%s:\n", title);
        for (size_t i = 0; i < n_items(containers); i++) {
                const YNode *c = containers->items[i], *ports = ynode_get(c, "ports");
                const char *name = ynode_str(c, "name") ?: "";
                const YNode *st = status_of(statuses, name);

                tw_printf(tw, "  %s:\n", name);
                if (st) {
                        const char *id = ynode_str(st, "containerID") ?: "";

                        /* as kubectl prints it, runtime scheme included: systemd://UNIT names the unit to
                         * hand systemctl and journalctl */
                        tw_printf(tw, "    Container ID:\t%s\n", id);
                }
                tw_printf(tw, "    Image:\t%s\n", ynode_str(c, "image") ?: "");
                if (st)
                        tw_printf(tw, "    Image ID:\t%s\n", ynode_str(st, "imageID") ?: "");

                if (n_items(ports) == 0) {
                        tw_append(tw, "    Port:\t<none>\n    Host Port:\t<none>\n");
                } else {
                        tw_append(tw, ports->n_items == 1 ? "    Port:\t" : "    Ports:\t");
                        for (size_t k = 0; k < ports->n_items; k++)
                                tw_printf(tw, "%s%s/%s", k > 0 ? ", " : "", scalar(ynode_get(ports->items[k], "containerPort")),
                                          ynode_str(ports->items[k], "protocol") ?: "TCP");
                        tw_append(tw, ports->n_items == 1 ? "\n    Host Port:\t" : "\n    Host Ports:\t");
                        for (size_t k = 0; k < ports->n_items; k++)
                                tw_printf(tw, "%s%" PRIi64 "/%s", k > 0 ? ", " : "",
                                          ynode_int(ports->items[k], "hostPort", 0),
                                          ynode_str(ports->items[k], "protocol") ?: "TCP");
                        tw_append(tw, "\n");
                }

                describe_list_lines(tw, "Command", ynode_get(c, "command"));
                describe_list_lines(tw, "Args", ynode_get(c, "args"));
                if (st) {
                        describe_state(tw, "State", ynode_get(st, "state"));
                        if (ynode_path(st, "lastState.terminated"))
                                describe_state(tw, "Last State", ynode_get(st, "lastState"));
                        tw_printf(tw, "    Ready:\t%s\n", ynode_bool(st, "ready") ? "True" : "False");
                        tw_printf(tw, "    Restart Count:\t%" PRIi64 "\n", ynode_int(st, "restartCount", 0));
                }
                describe_resources(tw, "Limits", ynode_path(c, "resources.limits"));
                describe_resources(tw, "Requests", ynode_path(c, "resources.requests"));
                static const char *const probes[][2] = {
                        { "Liveness", "livenessProbe" },
                        { "Readiness", "readinessProbe" },
                        { "Startup", "startupProbe" },
                };
                for (size_t k = 0; k < ELEMENTSOF(probes); k++) {
                        describe_probe(tw, probes[k][0], ynode_get(c, probes[k][1]));
                        describe_probe_result(tw, st ? ynode_get(st, "podctl.io/probes") : NULL, probes[k][0]);
                }
                describe_env(tw, c);
                describe_mounts(tw, c);
        }
}

static void describe_volumes(TabWriter *tw, const YNode *volumes) {
        if (n_items(volumes) == 0) {
                tw_append(tw, "Volumes:\t<none>\n");
                return;
        }
        tw_append(tw, "Volumes:\n");
        for (size_t i = 0; i < volumes->n_items; i++) {
                const YNode *v = volumes->items[i], *s;

                tw_printf(tw, "  %s:\n", ynode_str(v, "name") ?: "");
                if ((s = ynode_get(v, "emptyDir")))
                        tw_printf(tw, "    Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
                                  "    Medium:\t%s\n    SizeLimit:\t%s\n", ynode_str(s, "medium") ?: "",
                                  ynode_get(s, "sizeLimit") ? scalar(ynode_get(s, "sizeLimit")) : "<unset>");
                else if ((s = ynode_get(v, "hostPath")))
                        tw_printf(tw, "    Type:\tHostPath (bare host directory volume)\n    Path:\t%s\n"
                                  "    HostPathType:\t%s\n", ynode_str(s, "path") ?: "", ynode_str(s, "type") ?: "");
                else if ((s = ynode_get(v, "configMap")))
                        tw_printf(tw, "    Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t%s\n"
                                  "    Optional:\t%s\n", ynode_str(s, "name") ?: "",
                                  ynode_bool(s, "optional") ? "true" : "false");
                else if ((s = ynode_get(v, "secret")))
                        tw_printf(tw, "    Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t%s\n"
                                  "    Optional:\t%s\n", ynode_str(s, "secretName") ?: "",
                                  ynode_bool(s, "optional") ? "true" : "false");
                else
                        tw_append(tw, "    Type:\t<unknown>\n");
        }
}

static void describe_events(TabWriter *tw, const YNode *events) {
        if (n_items(events) == 0) {
                tw_append(tw, "Events:\t<none>\n");
                return;
        }
        tw_append(tw, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n  ----\t------\t----\t----\t-------\n");
        for (size_t i = 0; i < events->n_items; i++) {
                _cleanup_(event_columns_done) EventColumns c = {};

                if (event_columns(events->items[i], clock_usec(CLOCK_REALTIME), &c) < 0) {
                        tw->text.oom = true;
                        return;
                }
                tw_printf(tw, "  %s\t%s\t%s\t%s\t%s\n", c.type, c.reason, c.age, c.from, c.message);
        }
}

static int describe_pod(const YNode *pod, const YNode *events, const char *host) {
        const YNode *meta = ynode_get(pod, "metadata"), *spec = ynode_get(pod, "spec"),
                    *status = ynode_get(pod, "status"), *ips = ynode_get(status, "podIPs"), *conds;
        TabWriter tw = TABWRITER_DESCRIBE;
        _cleanup_(freep) char *text = NULL;
        char buf[TIMESTAMP_NANO_MAX], hd[HUMAN_DURATION_MAX];
        const char *node = ynode_str(spec, "nodeName") ?: host, *host_ip = ynode_str(status, "hostIP");

        tw_printf(&tw, "Name:\t%s\n", ynode_str(meta, "name") ?: "");
        tw_printf(&tw, "Namespace:\t%s\n", ynode_str(meta, "namespace") ?: "default");
        if (ynode_get(spec, "priority"))
                tw_printf(&tw, "Priority:\t%" PRIi64 "\n", ynode_int(spec, "priority", 0));
        if (ynode_str(spec, "serviceAccountName"))
                tw_printf(&tw, "Service Account:\t%s\n", ynode_str(spec, "serviceAccountName"));
        if (isempty(node))
                tw_append(&tw, "Node:\t<none>\n");
        else
                tw_printf(&tw, "Node:\t%s%s%s\n", node, isempty(host_ip) ? "" : "/", host_ip ?: "");
        if (ynode_str(status, "startTime"))
                tw_printf(&tw, "Start Time:\t%s\n", time_cell(ynode_str(status, "startTime"), buf));
        multiline_map(&tw, "Labels:", ynode_get(meta, "labels"), "=");
        multiline_map(&tw, "Annotations:", ynode_get(meta, "annotations"), ": ");
        if (ynode_str(meta, "deletionTimestamp")) {
                uint64_t t;

                if (parse_timestamp(ynode_str(meta, "deletionTimestamp"), &t) >= 0)
                        human_duration((int64_t) t - (int64_t) clock_usec(CLOCK_REALTIME), hd);
                else
                        strcpy(hd, "<unknown>");
                tw_printf(&tw, "Status:\tTerminating (lasts %s)\n", hd);
                tw_printf(&tw, "Termination Grace Period:\t%" PRIi64 "s\n",
                          ynode_int(meta, "deletionGracePeriodSeconds", 0));
        } else
                tw_printf(&tw, "Status:\t%s\n", ynode_str(status, "phase") ?: "");
        if (!isempty(ynode_str(status, "reason")))
                tw_printf(&tw, "Reason:\t%s\n", ynode_str(status, "reason"));
        if (!isempty(ynode_str(status, "message")))
                tw_printf(&tw, "Message:\t%s\n", ynode_str(status, "message"));
        tw_printf(&tw, "IP:\t%s\n", ynode_str(status, "podIP") ?: "");
        if (n_items(ips) == 0)
                tw_append(&tw, "IPs:\t<none>\n");
        else {
                tw_append(&tw, "IPs:\n");
                for (size_t i = 0; i < ips->n_items; i++)
                        tw_printf(&tw, "  IP:\t%s\n", ynode_str(ips->items[i], "ip") ?: "");
        }
        if (n_items(ynode_get(spec, "initContainers")) > 0)
                describe_containers(&tw, "Init Containers", ynode_get(spec, "initContainers"),
                                    ynode_get(status, "initContainerStatuses"));
        describe_containers(&tw, "Containers", ynode_get(spec, "containers"), ynode_get(status, "containerStatuses"));

        conds = ynode_get(status, "conditions");
        if (n_items(conds) > 0) {
                tw_append(&tw, "Conditions:\n  Type\tStatus\n");
                for (size_t i = 0; i < conds->n_items; i++)
                        tw_printf(&tw, "  %s \t%s \n", ynode_str(conds->items[i], "type") ?: "",
                                  ynode_str(conds->items[i], "status") ?: "");
        }
        describe_volumes(&tw, ynode_get(spec, "volumes"));
        if (ynode_str(status, "qosClass"))
                tw_printf(&tw, "QoS Class:\t%s\n", ynode_str(status, "qosClass"));
        multiline_map(&tw, "Node-Selectors:", ynode_get(spec, "nodeSelector"), "=");
        if (n_items(ynode_get(spec, "tolerations")) == 0)
                tw_append(&tw, "Tolerations:\t<none>\n");
        describe_events(&tw, events);

        text = tw_flush(&tw);
        tw_done(&tw);
        if (!text)
                return log_oom();
        fputs(text, stdout);
        return 0;
}

int verb_describe(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",      no_argument,       NULL, 'h' },
                { "namespace", required_argument, NULL, 'n' },
                {}
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        const char *namespace = "default";
        char host[256] = "";
        bool failed = false;
        int c, r;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":hn:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        describe_help();
                        return EXIT_OK;
                case 'n':
                        namespace = optarg;
                        break;
                default:
                        return flag_error("describe", c, argv);
                }

        if (optind >= argc) {
                fprintf(stderr, "podctl describe: missing resource type; see 'podctl describe --help'\n");
                return EXIT_USAGE;
        }
        if (!streq(argv[optind], "pod") && !streq(argv[optind], "pods") && !streq(argv[optind], "po")) {
                fprintf(stderr, "error: the server doesn't have a resource type \"%s\"\n", argv[optind]);
                return EXIT_INVALID;
        }
        if (optind + 1 >= argc) {
                fprintf(stderr, "podctl describe: missing pod name; see 'podctl describe --help'\n");
                return EXIT_USAGE;
        }
        if (gethostname(host, sizeof(host) - 1) < 0)
                host[0] = 0;

        r = podd_connect(&bus);
        if (r < 0)
                return EXIT_INVALID;

        for (int i = optind + 1; i < argc; i++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                _cleanup_(ystream_freep) YStream *pod = NULL, *events = NULL;

                r = podd_get_pod(bus, namespace, argv[i], &pod);
                if (r == -ENOENT) {
                        fprintf(stderr, "Error from server (NotFound): pods \"%s\" not found\n", argv[i]);
                        failed = true;
                        continue;
                }
                if (r < 0)
                        return EXIT_INVALID;

                r = podd_call(bus, "ListEvents", &error, &reply, "ss", namespace, argv[i]);
                if (r < 0) {
                        podd_log_error(&error, r, argv[i]);
                        return EXIT_INVALID;
                }
                r = podd_read_json(reply, &events);
                if (r < 0)
                        return EXIT_INVALID;

                if (i > optind + 1)
                        printf("\n\n");
                r = describe_pod(pod->documents[0].root, ynode_get(events->documents[0].root, "items"), host);
                if (r < 0)
                        return EXIT_INVALID;
        }
        return failed ? EXIT_INVALID : EXIT_OK;
}
