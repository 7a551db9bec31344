/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "json-writer.h"
#include "manifest.h"
#include "pod-status.h"
#include "strbuf.h"
#include "string-util.h"
#include "tests.h"
#include "yaml-tree.h"

#define SEC UINT64_C(1000000)
#define T0 (UINT64_C(1790000000) * SEC) /* 2026-09-21T14:13:20Z */

/* ---- a strict RFC 8259 checker: the YAML loader would also take text that is not JSON ---- */

static const char *json_value(const char *p, unsigned depth);

static const char *json_ws(const char *p) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                p++;
        return p;
}

static const char *json_string(const char *p) {
        if (*p++ != '"')
                return NULL;
        for (;;) {
                unsigned char c = (unsigned char) *p++;
                if (c == '"')
                        return p;
                if (c < 0x20)
                        return NULL;
                if (c == '\\') {
                        c = (unsigned char) *p++;
                        if (c == 'u') {
                                for (int i = 0; i < 4; i++, p++)
                                        if (unhexchar(*p) < 0)
                                                return NULL;
                        } else if (!strchr("\"\\/bfnrt", c) || c == 0)
                                return NULL;
                }
        }
}

static const char *json_number(const char *p) {
        if (*p == '-')
                p++;
        if (*p == '0')
                p++;
        else if (*p >= '1' && *p <= '9')
                while (*p >= '0' && *p <= '9')
                        p++;
        else
                return NULL;
        if (*p == '.') {
                p++;
                if (!(*p >= '0' && *p <= '9'))
                        return NULL;
                while (*p >= '0' && *p <= '9')
                        p++;
        }
        if (*p == 'e' || *p == 'E') {
                p++;
                if (*p == '+' || *p == '-')
                        p++;
                if (!(*p >= '0' && *p <= '9'))
                        return NULL;
                while (*p >= '0' && *p <= '9')
                        p++;
        }
        return p;
}

static const char *json_value(const char *p, unsigned depth) {
        if (depth > 100)
                return NULL;
        p = json_ws(p);
        if (*p == '{' || *p == '[') {
                char close = *p == '{' ? '}' : ']';
                bool object = *p == '{';
                p = json_ws(p + 1);
                if (*p == close)
                        return p + 1;
                for (;;) {
                        if (object) {
                                p = json_string(json_ws(p));
                                if (!p)
                                        return NULL;
                                p = json_ws(p);
                                if (*p++ != ':')
                                        return NULL;
                        }
                        p = json_value(p, depth + 1);
                        if (!p)
                                return NULL;
                        p = json_ws(p);
                        if (*p == close)
                                return p + 1;
                        if (*p++ != ',')
                                return NULL;
                }
        }
        if (*p == '"')
                return json_string(p);
        if (startswith(p, "true"))
                return p + 4;
        if (startswith(p, "false"))
                return p + 5;
        if (startswith(p, "null"))
                return p + 4;
        return json_number(p);
}

static bool json_valid(const char *s) {
        const char *p = json_value(s, 0);
        return p && *json_ws(p) == '\0';
}

/* ---- json_append_string ---- */

TEST(json_append_string_escapes) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { NULL, "null" },
                { "", "\"\"" },
                { "plain text", "\"plain text\"" },
                { "a\"b\\c/d", "\"a\\\"b\\\\c/d\"" },
                { "l1\nl2\tx\r", "\"l1\\nl2\\tx\\r\"" },
                { "\x01\x1f\b\f", "\"\\u0001\\u001f\\u0008\\u000c\"" },
                { "\x7f", "\"\x7f\"" },
                { "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
                { "bad \xff byte", "\"bad \\ufffd byte\"" },
                { "cut \xc3", "\"cut \\ufffd\"" },
                { "overlong \xc0\xaf", "\"overlong \\ufffd\\ufffd\"" },
                { "surrogate \xed\xa0\x80", "\"surrogate \\ufffd\\ufffd\\ufffd\"" },
                { "ls \xe2\x80\xa8 ps \xe2\x80\xa9", "\"ls \\u2028 ps \\u2029\"" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                StrBuf b = {};
                json_append_string(&b, cases[i].in);
                ASSERT_FALSE(b.oom);
                ASSERT_STREQ(b.buf, cases[i].out);
                ASSERT_TRUE(json_valid(b.buf));
                strbuf_done(&b);
        }
}

/* ---- ynode_to_json ---- */

static char *yaml_to_json(const char *yaml) {
        YStream *s = NULL;
        Diags d = {};
        StrBuf b = {};

        ASSERT_OK(ystream_parse(yaml, strlen(yaml), NULL, &s, &d));
        ASSERT_EQ(s->n_documents, 1);
        ynode_to_json(s->documents[0].root, &b);
        ystream_free(s);
        diags_done(&d);
        return strbuf_steal(&b);
}

TEST(ynode_to_json_values) {
        static const struct {
                const char *yaml, *json;
        } cases[] = {
                { "{a: 1, b: [true, null, x], c: 'quoted'}", "{\"a\":1,\"b\":[true,null,\"x\"],\"c\":\"quoted\"}" },
                { "- ~\n- yes\n- Off\n- \"yes\"\n- ''\n", "[null,true,false,\"yes\",\"\"]" },
                { "[0x1F, 0o17, -12, 1_000, +5]", "[31,15,-12,1000,5]" },
                { "[1.5, 1e3, 1_000.5, .5, -0.0, 0.000001, 1.5e-7, 1e21, 123456789.25]",
                  "[1.5,1000,1000.5,0.5,-0,0.000001,1.5e-7,1e+21,123456789.25]" },
                { "[.inf, -.Inf, .nan]", "[\".inf\",\"-.Inf\",\".nan\"]" },
                { "99999999999999999999", "100000000000000000000" },
                { "[!!float 5, !!str 5, 0.1]", "[5,\"5\",0.1]" },
                { "{true: 1, 2: b, null: c}", "{\"true\":1,\"2\":\"b\",\"null\":\"c\"}" },
                { "a: &x {k: [1, 2]}\nb: *x\n", "{\"a\":{\"k\":[1,2]},\"b\":{\"k\":[1,2]}}" },
                { "s: \"tab\\there \\\"q\\\" \\u00e9\"", "{\"s\":\"tab\\there \\\"q\\\" \xc3\xa9\"}" },
                { "{}", "{}" },
                { "[]", "[]" },
                { "text: |\n  line 1\n  line 2\n", "{\"text\":\"line 1\\nline 2\\n\"}" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *j = yaml_to_json(cases[i].yaml);
                ASSERT_NOT_NULL(j);
                fprintf(stderr, "%s → %s\n", cases[i].yaml, j);
                ASSERT_STREQ(j, cases[i].json);
                ASSERT_TRUE(json_valid(j));
                free(j);
        }

        StrBuf b = {};
        ynode_to_json(NULL, &b);
        ASSERT_STREQ(b.buf, "null");
        strbuf_done(&b);
}

/* JSON in, the same JSON out: what podctl relies on when it reads pods back from podd. */
TEST(ynode_to_json_round_trip) {
        const char *json = "{\"a\":[1,2.5,\"x\\ny\",{\"b\":null}],\"c\":false,\"d\":\"\\u0001\"}";
        char *j = yaml_to_json(json);
        ASSERT_STREQ(j, json);
        free(j);
}

/* ---- format_rfc3339 ---- */

TEST(rfc3339) {
        static const struct {
                uint64_t usec;
                const char *text;
        } cases[] = {
                { 0, "" },
                { 1, "1970-01-01T00:00:00Z" },
                { T0, "2026-09-21T14:13:20Z" },
                { T0 + 999999, "2026-09-21T14:13:20Z" },
                { UINT64_C(951782400) * SEC, "2000-02-29T00:00:00Z" },
                { UINT64_C(253402300799) * SEC, "9999-12-31T23:59:59Z" },
        };
        char buf[32];

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                ASSERT_STREQ(format_rfc3339(cases[i].usec, buf), cases[i].text);
                ASSERT_TRUE(buf == format_rfc3339(cases[i].usec, buf));
        }
}

/* ---- pod_to_json ---- */

static const char *const manifest =
        "apiVersion: v1\n"
        "kind: Pod\n"
        "metadata:\n"
        "  name: web\n"
        "  namespace: shop\n"
        "  labels: {zeta: last, app: web}\n"
        "  annotations: {note: \"say \\\"hi\\\"\", podctl.io/source: ignored}\n"
        "  finalizers: [example.com/keep]\n"
        "spec:\n"
        "  restartPolicy: Always\n"
        "  initContainers:\n"
        "  - name: setup\n"
        "    command: [/bin/true]\n"
        "  containers:\n"
        "  - name: app\n"
        "    command: [/bin/sh, -c, 'echo \"$X\"']\n"
        "    env: [{name: X, value: '1'}]\n"
        "  - name: img\n"
        "    image: nginx:1.27\n";

typedef struct Doc {
        YStream *s;
        const YNode *root;
} Doc;

static Doc parse_json(const char *json) {
        Diags d = {};
        Doc doc = {};

        ASSERT_TRUE(json_valid(json));
        ASSERT_OK(ystream_parse(json, strlen(json), NULL, &doc.s, &d));
        diags_done(&d);
        ASSERT_EQ(doc.s->n_documents, 1);
        doc.root = doc.s->documents[0].root;
        return doc;
}

/* Walks "a.b.0.c" through mappings and sequences. */
static const YNode *at(const YNode *n, const char *path) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", path);
        for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && n; k = strtok_r(NULL, ".", &save)) {
                if (n->type == YNODE_SEQUENCE) {
                        size_t i = strtoul(k, NULL, 10);
                        n = i < n->n_items ? n->items[i] : NULL;
                } else
                        n = ynode_get(n, k);
        }
        return n;
}

static const char *str_at(const YNode *n, const char *path) {
        n = at(n, path);
        return n && n->type == YNODE_SCALAR && n->kind == YSCALAR_STRING ? n->value : NULL;
}

static int64_t int_at(const YNode *n, const char *path) {
        n = at(n, path);
        ASSERT_NOT_NULL(n);
        ASSERT_EQ(n->kind, YSCALAR_INT);
        return n->int_value;
}

static int bool_at(const YNode *n, const char *path) {
        n = at(n, path);
        if (!n || n->kind != YSCALAR_BOOL)
                return -1;
        return n->bool_value;
}

TEST(pod_to_json_full) {
        Manifest *m = NULL;
        Diags d = {};
        ContainerRuntime rt[3] = {};
        char *units[] = { (char *) "setup.service", (char *) "app.service", (char *) "img.service", NULL };
        PodStatus st = {};

        ASSERT_OK(manifest_load(manifest, strlen(manifest), NULL, &m, &d));
        diags_done(&d);
        const Pod *pod = m->pods[0];

        rt[0].unit = (UnitSnapshot) { .exists = true, .active_state = strdup("active"), .sub_state = strdup("exited"),
                                      .result = strdup("success"), .exec_main_code = CLD_EXITED,
                                      .exec_main_start_usec = T0, .exec_main_exit_usec = T0 + SEC };
        rt[1].unit = (UnitSnapshot) { .exists = true, .active_state = strdup("activating"),
                                      .sub_state = strdup("auto-restart"), .result = strdup("signal"),
                                      .exec_main_code = CLD_KILLED, .exec_main_status = SIGSEGV,
                                      .exec_main_start_usec = T0 + 2 * SEC, .exec_main_exit_usec = T0 + 3 * SEC,
                                      .n_restarts = 2, .restart_usec = 80 * SEC };
        rt[2].gate = CONTAINER_GATE_IMAGE_UNSUPPORTED;

        PodRuntime prt = { .now_usec = T0 + 4 * SEC, .start_time_usec = T0 - SEC, .deleting = false };
        ASSERT_OK(pod_status_compute(pod, rt, units, &prt, &st));

        PodMetaExtra meta = {
                .uid = "0b5e9c1e-0000-4000-8000-000000000001",
                .creation_usec = T0 - 2 * SEC,
                .deletion_usec = T0 + 30 * SEC,
                .deletion_grace_seconds = 30,
                .source_file = "/etc/pods/web.yaml",
        };
        char *json = pod_to_json(pod, &meta, &st);
        ASSERT_NOT_NULL(json);
        Doc doc = parse_json(json);
        const YNode *r = doc.root;

        ASSERT_STREQ(str_at(r, "apiVersion"), "v1");
        ASSERT_STREQ(str_at(r, "kind"), "Pod");
        ASSERT_STREQ(r->pairs[0].key->value, "apiVersion");
        ASSERT_STREQ(r->pairs[3].key->value, "spec");

        /* metadata */
        ASSERT_STREQ(str_at(r, "metadata.name"), "web");
        ASSERT_STREQ(str_at(r, "metadata.namespace"), "shop");
        ASSERT_STREQ(str_at(r, "metadata.uid"), meta.uid);
        ASSERT_STREQ(str_at(r, "metadata.creationTimestamp"), "2026-09-21T14:13:18Z");
        ASSERT_STREQ(str_at(r, "metadata.deletionTimestamp"), "2026-09-21T14:13:50Z");
        ASSERT_EQ(int_at(r, "metadata.deletionGracePeriodSeconds"), 30);
        ASSERT_STREQ(str_at(r, "metadata.labels.app"), "web");
        ASSERT_STREQ(at(r, "metadata.labels")->pairs[0].key->value, "app"); /* sorted, as Go maps marshal */
        ASSERT_STREQ(str_at(r, "metadata.annotations.note"), "say \"hi\"");
        /* The source annotation replaces one the manifest wrote itself. */
        ASSERT_STREQ(ynode_get(at(r, "metadata.annotations"), "podctl.io/source")->value, "/etc/pods/web.yaml");
        ASSERT_EQ(at(r, "metadata.annotations")->n_pairs, 2);
        ASSERT_STREQ(str_at(r, "metadata.finalizers.0"), "example.com/keep");

        /* spec as written */
        ASSERT_STREQ(str_at(r, "spec.restartPolicy"), "Always");
        ASSERT_STREQ(str_at(r, "spec.containers.0.command.2"), "echo \"$X\"");
        ASSERT_STREQ(str_at(r, "spec.containers.0.env.0.value"), "1");
        ASSERT_STREQ(str_at(r, "spec.containers.1.image"), "nginx:1.27");
        ASSERT_NULL(at(r, "spec.terminationGracePeriodSeconds")); /* not defaulted: as written */

        /* status */
        /* img never started (waiting, no previous run): Pending, whatever app does. */
        ASSERT_STREQ(str_at(r, "status.phase"), "Pending");
        ASSERT_STREQ(str_at(r, "status.startTime"), "2026-09-21T14:13:19Z");
        const YNode *conds = at(r, "status.conditions");
        ASSERT_EQ(conds->n_items, 4);
        static const char *const order[] = { "Initialized", "Ready", "ContainersReady", "PodScheduled" };
        for (size_t i = 0; i < 4; i++) {
                ASSERT_STREQ(str_at(conds->items[i], "type"), order[i]);
                ASSERT_STREQ(str_at(conds->items[i], "lastTransitionTime"), "2026-09-21T14:13:24Z");
                ASSERT_EQ(at(conds->items[i], "lastProbeTime")->kind, YSCALAR_NULL);
        }
        ASSERT_STREQ(str_at(conds->items[0], "status"), "True");
        ASSERT_NULL(at(conds->items[0], "reason"));
        ASSERT_STREQ(str_at(conds->items[1], "status"), "False");
        ASSERT_STREQ(str_at(conds->items[1], "reason"), "ContainersNotReady");
        ASSERT_STREQ(str_at(conds->items[1], "message"), "containers with unready status: [app img]");

        ASSERT_EQ(at(r, "status.initContainerStatuses")->n_items, 1);
        ASSERT_STREQ(str_at(r, "status.initContainerStatuses.0.name"), "setup");
        ASSERT_EQ(bool_at(r, "status.initContainerStatuses.0.ready"), 1);
        ASSERT_EQ(int_at(r, "status.initContainerStatuses.0.state.terminated.exitCode"), 0);
        ASSERT_STREQ(str_at(r, "status.initContainerStatuses.0.state.terminated.reason"), "Completed");
        ASSERT_STREQ(str_at(r, "status.initContainerStatuses.0.state.terminated.startedAt"), "2026-09-21T14:13:20Z");
        ASSERT_STREQ(str_at(r, "status.initContainerStatuses.0.state.terminated.finishedAt"), "2026-09-21T14:13:21Z");
        ASSERT_NULL(at(r, "status.initContainerStatuses.0.state.terminated.signal"));

        ASSERT_EQ(at(r, "status.containerStatuses")->n_items, 2);
        ASSERT_STREQ(str_at(r, "status.containerStatuses.0.name"), "app");
        ASSERT_STREQ(str_at(r, "status.containerStatuses.0.containerID"), "systemd://app.service");
        ASSERT_STREQ(str_at(r, "status.containerStatuses.0.image"), "");
        ASSERT_STREQ(str_at(r, "status.containerStatuses.0.imageID"), "");
        ASSERT_EQ(int_at(r, "status.containerStatuses.0.restartCount"), 2);
        ASSERT_EQ(bool_at(r, "status.containerStatuses.0.ready"), 0);
        ASSERT_EQ(bool_at(r, "status.containerStatuses.0.started"), 0);
        ASSERT_STREQ(str_at(r, "status.containerStatuses.0.state.waiting.reason"), "CrashLoopBackOff");
        ASSERT_STREQ(str_at(r, "status.containerStatuses.0.state.waiting.message"),
                     "back-off 1m20s restarting failed container=app pod=web_shop()");
        ASSERT_EQ(int_at(r, "status.containerStatuses.0.lastState.terminated.exitCode"), 139);
        ASSERT_EQ(int_at(r, "status.containerStatuses.0.lastState.terminated.signal"), SIGSEGV);
        ASSERT_STREQ(str_at(r, "status.containerStatuses.0.lastState.terminated.reason"), "Error");

        ASSERT_STREQ(str_at(r, "status.containerStatuses.1.name"), "img");
        ASSERT_STREQ(str_at(r, "status.containerStatuses.1.image"), "nginx:1.27");
        ASSERT_STREQ(str_at(r, "status.containerStatuses.1.state.waiting.reason"), "ImagesNotSupported");
        ASSERT_NOT_NULL(strstr(str_at(r, "status.containerStatuses.1.state.waiting.message"), "remove \"image\""));
        const YNode *last = at(r, "status.containerStatuses.1.lastState");
        ASSERT_EQ(last->type, YNODE_MAPPING);
        ASSERT_EQ(last->n_pairs, 0);

        ystream_free(doc.s);
        free(json);
        pod_status_done(&st);
        for (size_t i = 0; i < 3; i++)
                container_runtime_done(&rt[i]);
        manifest_free(m);
}

TEST(pod_to_json_minimal) {
        Manifest *m = NULL;
        Diags d = {};
        const char *text = "{apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {containers: [{name: c, command: [x]}]}}";

        ASSERT_OK(manifest_load(text, strlen(text), NULL, &m, &d));
        diags_done(&d);

        /* No extra metadata and no status yet. */
        char *json = pod_to_json(m->pods[0], NULL, NULL);
        ASSERT_NOT_NULL(json);
        Doc doc = parse_json(json);
        ASSERT_EQ(at(doc.root, "metadata.creationTimestamp")->kind, YSCALAR_NULL);
        ASSERT_NULL(at(doc.root, "metadata.deletionTimestamp"));
        ASSERT_NULL(at(doc.root, "metadata.labels"));
        ASSERT_NULL(at(doc.root, "metadata.annotations"));
        ASSERT_NULL(at(doc.root, "metadata.uid"));
        ASSERT_STREQ(str_at(doc.root, "metadata.namespace"), "default");
        ASSERT_EQ(at(doc.root, "status")->n_pairs, 0);
        ASSERT_STREQ(str_at(doc.root, "spec.containers.0.command.0"), "x");
        ystream_free(doc.s);
        free(json);

        /* A terminated state of a pod that ran: Succeeded, reasons on the conditions. */
        ContainerRuntime rt[1] = {};
        rt[0].unit = (UnitSnapshot) { .exists = true, .active_state = strdup("inactive"), .sub_state = strdup("dead"),
                                      .result = strdup("success"), .exec_main_code = CLD_EXITED,
                                      .exec_main_start_usec = T0, .exec_main_exit_usec = T0 + SEC };
        PodRuntime prt = { .now_usec = T0 + 2 * SEC, .deleting = true };
        PodStatus st = {};
        ASSERT_OK(pod_status_compute(m->pods[0], rt, NULL, &prt, &st));
        json = pod_to_json(m->pods[0], &(PodMetaExtra) { .uid = "u" }, &st);
        ASSERT_NOT_NULL(json);
        doc = parse_json(json);
        ASSERT_STREQ(str_at(doc.root, "status.phase"), "Succeeded");
        ASSERT_NULL(at(doc.root, "status.startTime"));
        ASSERT_NULL(at(doc.root, "status.initContainerStatuses"));
        ASSERT_NULL(at(doc.root, "status.containerStatuses.0.containerID"));
        ASSERT_STREQ(str_at(doc.root, "status.conditions.2.reason"), "PodCompleted");
        ASSERT_STREQ(str_at(doc.root, "status.conditions.0.reason"), "PodCompleted");
        ASSERT_EQ(int_at(doc.root, "status.containerStatuses.0.state.terminated.exitCode"), 0);
        ystream_free(doc.s);
        free(json);
        pod_status_done(&st);
        container_runtime_done(&rt[0]);
        manifest_free(m);
}

TEST(pod_to_json_probe_statuses) {
        Manifest *m = NULL;
        Diags d = {};
        const char *text = "{apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {containers: [{name: c, command: [x],"
                           " livenessProbe: {exec: {command: [t]}}, readinessProbe: {tcpSocket: {port: 1}}}]}}";

        ASSERT_OK(manifest_load(text, strlen(text), NULL, &m, &d));
        diags_done(&d);
        ContainerRuntime rt[1] = {};
        rt[0].unit = (UnitSnapshot) { .exists = true, .active_state = strdup("active"), .sub_state = strdup("running"),
                                      .exec_main_start_usec = T0 };
        rt[0].probes[PROBE_LIVENESS] = (ProbeStatus) { .configured = true, .result = PROBE_RESULT_SUCCESS,
                                                       .last_outcome = PROBE_OUTCOME_FAILURE, .last_usec = T0 + SEC,
                                                       .last_message = strdup("exit status 1") };
        rt[0].probes[PROBE_READINESS] = (ProbeStatus) { .configured = true, .result = PROBE_RESULT_FAILURE };
        PodRuntime prt = { .now_usec = T0 + 2 * SEC };
        PodStatus st = {};
        ASSERT_OK(pod_status_compute(m->pods[0], rt, NULL, &prt, &st));
        char *json = pod_to_json(m->pods[0], NULL, &st);
        ASSERT_NOT_NULL(json);
        Doc doc = parse_json(json);
        /* The key has a dot in it: look it up directly, not by path. */
        const YNode *probes = ynode_get(at(doc.root, "status.containerStatuses.0"), "podctl.io/probes");
        ASSERT_NOT_NULL(probes);
        ASSERT_EQ(probes->n_pairs, 2);
        ASSERT_STREQ(str_at(probes, "Liveness.result"), "Success");
        ASSERT_STREQ(str_at(probes, "Liveness.lastOutcome"), "failure");
        ASSERT_STREQ(str_at(probes, "Liveness.lastProbeTime"), "2026-09-21T14:13:21Z");
        ASSERT_STREQ(str_at(probes, "Liveness.message"), "exit status 1");
        ASSERT_STREQ(str_at(probes, "Readiness.result"), "Failure");
        ASSERT_NULL(at(probes, "Readiness.lastProbeTime"));
        ASSERT_STREQ(at(doc.root, "status.containerStatuses.0.ready")->value, "false");
        ystream_free(doc.s);
        free(json);
        pod_status_done(&st);
        container_runtime_done(&rt[0]);
        manifest_free(m);
}
