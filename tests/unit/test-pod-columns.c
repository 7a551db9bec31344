/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "pod-columns.h"
#include "tests.h"

#define SEC INT64_C(1000000)

/* 2026-01-01T01:00:00Z */
#define NOW (UINT64_C(1767229200) * 1000000)

static YStream *parse(const char *json) {
        YStream *s = NULL;
        Diags d = {};

        if (ystream_parse(json, strlen(json), &YLIMITS_DEFAULT, &s, &d) < 0)
                s = NULL;
        diags_done(&d);
        return s;
}

TEST(human_duration) {
        static const struct {
                int64_t usec;
                const char *expected;
        } cases[] = {
                { -3 * SEC, "<invalid>" },
                { -2 * SEC, "<invalid>" },
                { -1 * SEC - SEC / 2, "0s" },
                { -1 * SEC, "0s" },
                { 0, "0s" },
                { 59 * SEC, "59s" },
                { 119 * SEC + SEC / 2, "119s" },
                { 120 * SEC, "2m" },
                { 125 * SEC, "2m5s" },
                { 599 * SEC, "9m59s" },
                { 600 * SEC, "10m" },
                { 659 * SEC, "10m" },
                { (3 * 3600 - 1) * SEC, "179m" },
                { 3 * 3600 * SEC, "3h" },
                { (3 * 3600 + 4 * 60 + 5) * SEC, "3h4m" },
                { (8 * 3600 - 1) * SEC, "7h59m" },
                { 8 * 3600 * SEC, "8h" },
                { (47 * 3600 + 3599) * SEC, "47h" },
                { 48 * 3600 * SEC, "2d" },
                { (3 * 86400 + 4 * 3600) * SEC, "3d4h" },
                { (8 * 86400 - 1) * SEC, "7d23h" },
                { 8 * 86400 * SEC, "8d" },
                { (2 * 365 * 86400 - 1) * SEC, "729d" },
                { 2 * 365 * 86400 * SEC, "2y" },
                { (2 * 365 + 10) * 86400 * SEC, "2y10d" },
                { (8 * 365 - 1) * 86400 * SEC, "7y364d" },
                { 8 * 365 * 86400 * SEC, "8y" },
                { 20 * 365 * 86400 * SEC + 5 * 86400 * SEC, "20y" },
        };
        char buf[HUMAN_DURATION_MAX];

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                ASSERT_STREQ(human_duration(cases[i].usec, buf), cases[i].expected);
}

TEST(timestamps) {
        char buf[TIMESTAMP_NANO_MAX], hd[HUMAN_DURATION_MAX];
        uint64_t t;

        ASSERT_OK(parse_timestamp("2026-01-01T01:00:00Z", &t));
        ASSERT_EQ(t, NOW);
        ASSERT_OK(parse_timestamp("2026-01-01T02:00:00+01:00", &t));
        ASSERT_EQ(t, NOW);
        ASSERT_OK(parse_timestamp("2026-01-01T00:59:59.5Z", &t));
        ASSERT_EQ(t, NOW - SEC / 2);
        ASSERT_OK(parse_timestamp("2026-01-01T01:00:00.123456789Z", &t));
        ASSERT_EQ(t, NOW + 123456);
        ASSERT_ERROR(parse_timestamp("2026-01-01 01:00:00Z", &t), EINVAL);
        ASSERT_ERROR(parse_timestamp("2026-01-01T01:00:00", &t), EINVAL);
        ASSERT_ERROR(parse_timestamp("2026-13-01T01:00:00Z", &t), EINVAL);
        ASSERT_ERROR(parse_timestamp("", &t), EINVAL);
        ASSERT_ERROR(parse_timestamp(NULL, &t), EINVAL);

        ASSERT_STREQ(format_timestamp_nano(NOW, buf), "2026-01-01T01:00:00Z");
        ASSERT_STREQ(format_timestamp_nano(NOW + 120000, buf), "2026-01-01T01:00:00.12Z");
        ASSERT_STREQ(format_timestamp_nano(NOW + 1, buf), "2026-01-01T01:00:00.000001Z");

        ASSERT_STREQ(timestamp_since("2026-01-01T00:55:00Z", NOW, hd), "5m");
        ASSERT_STREQ(timestamp_since(NULL, NOW, hd), "<unknown>");
        ASSERT_STREQ(timestamp_since("yesterday", NOW, hd), "<unknown>");
}

TEST(go_duration) {
        static const struct {
                const char *s;
                int64_t usec; /* -1: invalid */
        } cases[] = {
                { "0", 0 },
                { "10s", 10 * SEC },
                { "1m", 60 * SEC },
                { "1.5h", 5400 * SEC },
                { "2h45m", (2 * 3600 + 45 * 60) * SEC },
                { "300ms", 300000 },
                { "1m30s", 90 * SEC },
                { "1500us", 1500 },
                { "2000ns", 2 },
                { "", -1 },
                { "10", -1 },
                { "s", -1 },
                { "5d", -1 },
                { "-5s", -1 },
                { "5 s", -1 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                uint64_t v = 0;
                int r = parse_go_duration(cases[i].s, &v);

                if (cases[i].usec < 0)
                        ASSERT_ERROR(r, EINVAL);
                else {
                        ASSERT_OK(r);
                        ASSERT_EQ(v, cases[i].usec);
                }
        }
}

/* Pieces to build pod JSON from. */
#define META "\"metadata\":{\"name\":\"web\",\"namespace\":\"default\",\"creationTimestamp\":\"2026-01-01T00:00:00Z\"}"
#define META_DELETING "\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"," \
        "\"creationTimestamp\":\"2026-01-01T00:00:00Z\",\"deletionTimestamp\":\"2026-01-01T01:00:30Z\"}"
#define SPEC1 "\"spec\":{\"containers\":[{\"name\":\"app\"}]}"
#define SPEC2 "\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]}"
#define SPEC_INIT2 "\"spec\":{\"initContainers\":[{\"name\":\"i0\"},{\"name\":\"i1\"}],\"containers\":[{\"name\":\"app\"}]}"
#define SPEC_SIDECAR "\"spec\":{\"initContainers\":[{\"name\":\"side\",\"restartPolicy\":\"Always\"}],\"containers\":[{\"name\":\"app\"}]}"
#define RUNNING(n, ready, restarts) "{\"name\":\"" n "\",\"ready\":" ready ",\"started\":true,\"restartCount\":" restarts \
        ",\"state\":{\"running\":{\"startedAt\":\"2026-01-01T00:00:05Z\"}},\"lastState\":{}}"
#define WAITING(n, reason) "{\"name\":\"" n "\",\"ready\":false,\"restartCount\":0," \
        "\"state\":{\"waiting\":{\"reason\":\"" reason "\"}},\"lastState\":{}}"
#define TERMINATED(n, code, reason) "{\"name\":\"" n "\",\"ready\":false,\"restartCount\":0," \
        "\"state\":{\"terminated\":{\"exitCode\":" code reason ",\"finishedAt\":\"2026-01-01T00:30:00Z\"}},\"lastState\":{}}"
#define REASON(r) ",\"reason\":\"" r "\""
#define COND(t, s) "{\"type\":\"" t "\",\"status\":\"" s "\"}"

TEST(pod_status_cases) {
        static const struct {
                const char *name;
                const char *json;
                const char *ready, *status, *restarts;
        } cases[] = {
                { "running",
                  "{" META "," SPEC1 ",\"status\":{\"phase\":\"Running\",\"containerStatuses\":[" RUNNING("app", "true", "0") "]}}",
                  "1/1", "Running", "0" },
                { "container-creating",
                  "{" META "," SPEC1 ",\"status\":{\"phase\":\"Pending\",\"containerStatuses\":[" WAITING("app", "ContainerCreating") "]}}",
                  "0/1", "ContainerCreating", "0" },
                { "no-status-yet",
                  "{" META "," SPEC1 ",\"status\":{\"phase\":\"Pending\"}}",
                  "0/1", "Pending", "0" },
                { "pod-initializing",
                  "{" META "," SPEC_INIT2 ",\"status\":{\"phase\":\"Pending\",\"conditions\":[" COND("Initialized", "True") "],"
                  "\"initContainerStatuses\":[" TERMINATED("i0", "0", REASON("Completed")) "," TERMINATED("i1", "0", REASON("Completed")) "],"
                  "\"containerStatuses\":[" WAITING("app", "PodInitializing") "]}}",
                  "0/1", "PodInitializing", "0" },
                { "init-0-of-2",
                  "{" META "," SPEC_INIT2 ",\"status\":{\"phase\":\"Pending\",\"initContainerStatuses\":["
                  "{\"name\":\"i0\",\"ready\":false,\"restartCount\":0,\"state\":{\"running\":{}},\"lastState\":{}},"
                  WAITING("i1", "PodInitializing") "],\"containerStatuses\":[" WAITING("app", "PodInitializing") "]}}",
                  "0/1", "Init:0/2", "0" },
                { "init-1-of-2",
                  "{" META "," SPEC_INIT2 ",\"status\":{\"phase\":\"Pending\",\"initContainerStatuses\":["
                  TERMINATED("i0", "0", REASON("Completed")) "," WAITING("i1", "PodInitializing") "],"
                  "\"containerStatuses\":[" WAITING("app", "PodInitializing") "]}}",
                  "0/1", "Init:1/2", "0" },
                { "init-error",
                  "{" META "," SPEC_INIT2 ",\"status\":{\"phase\":\"Failed\",\"initContainerStatuses\":["
                  TERMINATED("i0", "1", REASON("Error")) "," WAITING("i1", "PodInitializing") "],"
                  "\"containerStatuses\":[" WAITING("app", "PodInitializing") "]}}",
                  "0/1", "Init:Error", "0" },
                { "init-exitcode",
                  "{" META "," SPEC_INIT2 ",\"status\":{\"phase\":\"Pending\",\"initContainerStatuses\":["
                  TERMINATED("i0", "3", "") "]}}",
                  "0/1", "Init:ExitCode:3", "0" },
                { "init-signal",
                  "{" META "," SPEC_INIT2 ",\"status\":{\"phase\":\"Pending\",\"initContainerStatuses\":["
                  TERMINATED("i0", "137", ",\"signal\":9") "]}}",
                  "0/1", "Init:Signal:9", "0" },
                { "init-crashloop",
                  "{" META "," SPEC_INIT2 ",\"status\":{\"phase\":\"Pending\",\"initContainerStatuses\":["
                  "{\"name\":\"i0\",\"ready\":false,\"restartCount\":4,\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}},"
                  "\"lastState\":{\"terminated\":{\"exitCode\":1,\"reason\":\"Error\",\"finishedAt\":\"2026-01-01T00:58:00Z\"}}},"
                  WAITING("i1", "PodInitializing") "],\"containerStatuses\":[" WAITING("app", "PodInitializing") "]}}",
                  "0/1", "Init:CrashLoopBackOff", "4 (2m ago)" },
                { "completed",
                  "{" META "," SPEC1 ",\"status\":{\"phase\":\"Succeeded\",\"containerStatuses\":[" TERMINATED("app", "0", REASON("Completed")) "]}}",
                  "0/1", "Completed", "0" },
                { "error",
                  "{" META "," SPEC1 ",\"status\":{\"phase\":\"Failed\",\"containerStatuses\":[" TERMINATED("app", "2", REASON("Error")) "]}}",
                  "0/1", "Error", "0" },
                { "crashloop",
                  "{" META "," SPEC1 ",\"status\":{\"phase\":\"Running\",\"containerStatuses\":["
                  "{\"name\":\"app\",\"ready\":false,\"restartCount\":5,\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}},"
                  "\"lastState\":{\"terminated\":{\"exitCode\":1,\"reason\":\"Error\",\"finishedAt\":\"2026-01-01T00:59:30Z\"}}}]}}",
                  "0/1", "CrashLoopBackOff", "5 (30s ago)" },
                { "oomkilled",
                  "{" META "," SPEC1 ",\"status\":{\"phase\":\"Running\",\"containerStatuses\":[" TERMINATED("app", "137", REASON("OOMKilled")) "]}}",
                  "0/1", "OOMKilled", "0" },
                { "exitcode",
                  "{" META "," SPEC1 ",\"status\":{\"phase\":\"Failed\",\"containerStatuses\":[" TERMINATED("app", "42", "") "]}}",
                  "0/1", "ExitCode:42", "0" },
                { "signal",
                  "{" META "," SPEC1 ",\"status\":{\"phase\":\"Failed\",\"containerStatuses\":[" TERMINATED("app", "143", ",\"signal\":15") "]}}",
                  "0/1", "Signal:15", "0" },
                { "not-ready",
                  /* one container completed, the other still runs but the pod is not Ready */
                  "{" META "," SPEC2 ",\"status\":{\"phase\":\"Running\",\"conditions\":[" COND("Ready", "False") "],"
                  "\"containerStatuses\":[" TERMINATED("a", "0", REASON("Completed")) "," RUNNING("b", "true", "0") "]}}",
                  "1/2", "NotReady", "0" },
                { "completed-but-ready",
                  "{" META "," SPEC2 ",\"status\":{\"phase\":\"Running\",\"conditions\":[" COND("Ready", "True") "],"
                  "\"containerStatuses\":[" TERMINATED("a", "0", REASON("Completed")) "," RUNNING("b", "true", "0") "]}}",
                  "1/2", "Running", "0" },
                { "first-container-decides",
                  "{" META "," SPEC2 ",\"status\":{\"phase\":\"Running\",\"containerStatuses\":["
                  WAITING("a", "CrashLoopBackOff") "," TERMINATED("b", "1", REASON("Error")) "]}}",
                  "0/2", "CrashLoopBackOff", "0" },
                { "terminating",
                  "{" META_DELETING "," SPEC1 ",\"status\":{\"phase\":\"Running\",\"containerStatuses\":[" RUNNING("app", "true", "0") "]}}",
                  "1/1", "Terminating", "0" },
                { "terminating-but-terminal",
                  "{" META_DELETING "," SPEC1 ",\"status\":{\"phase\":\"Succeeded\",\"containerStatuses\":[" TERMINATED("app", "0", REASON("Completed")) "]}}",
                  "0/1", "Completed", "0" },
                { "node-lost",
                  "{" META_DELETING "," SPEC1 ",\"status\":{\"phase\":\"Running\",\"reason\":\"NodeLost\"}}",
                  "0/1", "Unknown", "0" },
                { "status-reason",
                  "{" META "," SPEC1 ",\"status\":{\"phase\":\"Failed\",\"reason\":\"DeadlineExceeded\"}}",
                  "0/1", "DeadlineExceeded", "0" },
                { "scheduling-gated",
                  "{" META "," SPEC1 ",\"status\":{\"phase\":\"Pending\",\"conditions\":["
                  "{\"type\":\"PodScheduled\",\"status\":\"False\",\"reason\":\"SchedulingGated\"}]}}",
                  "0/1", "SchedulingGated", "0" },
                { "sidecar-started",
                  "{" META "," SPEC_SIDECAR ",\"status\":{\"phase\":\"Running\",\"initContainerStatuses\":["
                  "{\"name\":\"side\",\"ready\":true,\"started\":true,\"restartCount\":2,\"state\":{\"running\":{}},"
                  "\"lastState\":{\"terminated\":{\"exitCode\":1,\"finishedAt\":\"2026-01-01T00:50:00Z\"}}}],"
                  "\"containerStatuses\":[" RUNNING("app", "true", "1") "]}}",
                  "2/2", "Running", "3 (10m ago)" },
                { "restarts-summed",
                  "{" META "," SPEC2 ",\"status\":{\"phase\":\"Running\",\"containerStatuses\":["
                  RUNNING("a", "true", "2") ",{\"name\":\"b\",\"ready\":true,\"restartCount\":1,\"state\":{\"running\":{}},"
                  "\"lastState\":{\"terminated\":{\"exitCode\":0,\"finishedAt\":\"2026-01-01T00:15:00Z\"}}}]}}",
                  "2/2", "Running", "3 (45m ago)" },
                { "restarts-without-time",
                  "{" META "," SPEC1 ",\"status\":{\"phase\":\"Running\",\"containerStatuses\":[" RUNNING("app", "false", "7") "]}}",
                  "0/1", "Running", "7" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(ystream_freep) YStream *s = parse(cases[i].json);
                _cleanup_(pod_columns_done) PodColumns c = {};

                fprintf(stderr, "case %s\n", cases[i].name);
                ASSERT_NOT_NULL(s);
                ASSERT_OK(pod_columns(s->documents[0].root, NOW, "host1", &c));
                ASSERT_STREQ(c.ready, cases[i].ready);
                ASSERT_STREQ(c.status, cases[i].status);
                ASSERT_STREQ(c.restarts, cases[i].restarts);
                ASSERT_STREQ(c.name, "web");
                ASSERT_STREQ(c.age, "60m");
        }
}

TEST(pod_wide_columns) {
        _cleanup_(ystream_freep) YStream *s = parse(
                "{\"metadata\":{\"name\":\"x\",\"namespace\":\"prod\",\"creationTimestamp\":\"2026-01-01T00:59:00Z\"},"
                "\"spec\":{\"containers\":[],\"readinessGates\":[{\"conditionType\":\"a\"},{\"conditionType\":\"b\"}]},"
                "\"status\":{\"phase\":\"Pending\",\"podIP\":\"10.0.0.1\",\"conditions\":[" COND("a", "True") "," COND("b", "False") "]}}");
        _cleanup_(ystream_freep) YStream *bare = parse("{\"metadata\":{\"name\":\"y\"},\"spec\":{\"nodeName\":\"n1\"}}");
        _cleanup_(pod_columns_done) PodColumns c = {}, d = {};

        ASSERT_NOT_NULL(s);
        ASSERT_OK(pod_columns(s->documents[0].root, NOW, "host1", &c));
        ASSERT_STREQ(c.namespace, "prod");
        ASSERT_STREQ(c.ip, "10.0.0.1");
        ASSERT_STREQ(c.node, "host1");
        ASSERT_STREQ(c.nominated_node, "<none>");
        ASSERT_STREQ(c.readiness_gates, "1/2");
        ASSERT_STREQ(c.age, "60s");
        ASSERT_STREQ(c.ready, "0/0");

        ASSERT_NOT_NULL(bare);
        ASSERT_OK(pod_columns(bare->documents[0].root, NOW, "host1", &d));
        ASSERT_STREQ(d.ip, "<none>");
        ASSERT_STREQ(d.node, "n1");
        ASSERT_STREQ(d.readiness_gates, "<none>");
        ASSERT_STREQ(d.age, "<unknown>");
        ASSERT_STREQ(d.namespace, "default");
        ASSERT_STREQ(d.status, "");

        ASSERT_ERROR(pod_columns(NULL, NOW, "h", &d), EINVAL);
}

TEST(event_columns) {
        static const struct {
                const char *json;
                const char *last_seen, *object, *age, *message;
        } cases[] = {
                { "{\"metadata\":{\"name\":\"web.1\",\"namespace\":\"default\"},\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"web\"},"
                  "\"reason\":\"Started\",\"message\":\"Started container app\\n\",\"type\":\"Normal\",\"count\":1,"
                  "\"firstTimestamp\":\"2026-01-01T00:58:00Z\",\"lastTimestamp\":\"2026-01-01T00:58:00Z\",\"source\":{\"component\":\"podd\"}}",
                  "2m", "pod/web", "2m", "Started container app" },
                { "{\"metadata\":{\"name\":\"web.2\",\"namespace\":\"default\"},\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"web\"},"
                  "\"reason\":\"BackOff\",\"message\":\"Back-off restarting failed container\",\"type\":\"Warning\",\"count\":3,"
                  "\"firstTimestamp\":\"2026-01-01T00:50:00Z\",\"lastTimestamp\":\"2026-01-01T00:59:30Z\",\"source\":{\"component\":\"podd\"}}",
                  "30s", "pod/web", "30s (x3 over 10m)", "Back-off restarting failed container" },
                { "{\"metadata\":{\"name\":\"n.3\"},\"involvedObject\":{\"kind\":\"Node\"},\"reason\":\"R\",\"type\":\"Normal\","
                  "\"firstTimestamp\":\"2026-01-01T00:00:00Z\"}",
                  "60m", "node", "60m", "" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(ystream_freep) YStream *s = parse(cases[i].json);
                _cleanup_(event_columns_done) EventColumns c = {};

                ASSERT_NOT_NULL(s);
                ASSERT_OK(event_columns(s->documents[0].root, NOW, &c));
                ASSERT_STREQ(c.last_seen, cases[i].last_seen);
                ASSERT_STREQ(c.object, cases[i].object);
                ASSERT_STREQ(c.age, cases[i].age);
                ASSERT_STREQ(c.message, cases[i].message);
        }
}
