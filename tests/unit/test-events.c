/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "events.h"
#include "string-util.h"
#include "tests.h"
#include "yaml-tree.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(EventLog *, event_log_free);

static const char *const reasons[] = {
        "Scheduled", "Pulled", "Created", "Started", "Killing", "Preempting", "BackOff", "Failed",
        "FailedPostStartHook", "FailedPreStopHook", "Unhealthy", "ProbeWarning", "ExceededGracePeriod",
        "DeadlineExceeded", "FailedValidation", "Conflict", "ImagesNotSupported", "FailedMount",
        "LifecycleHTTPFallback",
};

/* 2026-11-24T03:04:05Z */
#define T0 UINT64_C(1795489445000000)

static EventInfo info(const char *pod, const char *container, const char *reason, const char *message,
                      uint64_t usec) {
        return (EventInfo) {
                .namespace = "default", .pod = pod, .pod_uid = "uid-1", .container = container,
                .type = streq(reason, "BackOff") || streq(reason, "Unhealthy") ? "Warning" : "Normal",
                .reason = reason, .message = message, .usec = usec,
        };
}

/* The parsed items of event_log_to_json(), checked against the List envelope. */
typedef struct Parsed {
        YStream *stream;
        const YNode *items;
} Parsed;

static Parsed parse_list(const EventLog *l, const char *ns, const char *pod) {
        Parsed p = {};
        Diags diags = {};
        char *json = event_log_to_json(l, ns, pod);
        if (!json)
                TEST_FAIL("event_log_to_json failed");
        int r = ystream_parse(json, strlen(json), &YLIMITS_DEFAULT, &p.stream, &diags);
        diags_done(&diags);
        if (r < 0) {
                fprintf(stderr, "%s\n", json);
                free(json);
                TEST_FAIL("not JSON");
        }
        free(json);
        const YNode *root = p.stream->documents[0].root;
        ASSERT_STREQ(ynode_get(root, "apiVersion")->value, "v1");
        ASSERT_STREQ(ynode_get(root, "kind")->value, "List");
        p.items = ynode_get(root, "items");
        ASSERT_NOT_NULL(p.items);
        ASSERT_EQ(p.items->type, YNODE_SEQUENCE);
        return p;
}

static const char *str_at(const YNode *n, const char *a, const char *b) {
        n = ynode_get(n, a);
        if (n && b)
                n = ynode_get(n, b);
        return n && n->type == YNODE_SCALAR ? n->value : NULL;
}

TEST(reason_table) {
        for (size_t i = 0; i < ELEMENTSOF(reasons); i++) {
                const char *id = event_reason_message_id(reasons[i]);
                ASSERT_NOT_NULL(id);
                ASSERT_EQ(strlen(id), 32);
                ASSERT_EQ(strspn(id, "0123456789abcdef"), 32);
                for (size_t j = 0; j < i; j++)
                        ASSERT_FALSE(streq(id, event_reason_message_id(reasons[j])));
        }
        ASSERT_NULL(event_reason_message_id("NoSuchReason"));
        ASSERT_NULL(event_reason_message_id("started"));
        ASSERT_NULL(event_reason_message_id(""));
        ASSERT_NULL(event_reason_message_id(NULL));
}

TEST(catalog_has_every_reason) {
        char *catalog = test_read_file("../units/podctl.catalog", NULL);
        size_t n_entries = 0;

        for (size_t i = 0; i < ELEMENTSOF(reasons); i++) {
                char header[64];
                (void) snprintf(header, sizeof header, "\n-- %s\n", event_reason_message_id(reasons[i]));
                if (!strstr(catalog, header)) {
                        free(catalog);
                        TEST_FAIL("no catalog entry for %s", reasons[i]);
                }
        }
        /* …and nothing else: every entry is one of ours, with the fields journalctl -x shows. */
        for (const char *p = catalog; (p = strstr(p, "\n-- ")); p++) {
                char id[33] = "";
                (void) sscanf(p, "\n-- %32s", id);
                bool known = false;
                for (size_t i = 0; i < ELEMENTSOF(reasons); i++)
                        known = known || streq(id, event_reason_message_id(reasons[i]));
                const char *end = strstr(p + 1, "\n-- ") ?: p + strlen(p);
                bool fields = true;
                static const char *const want[] = { "\nSubject: ", "\nDefined-By: podctl\n", "\nSupport: ",
                                                    "\nDocumentation: man:podctl(1)\n", "@POD_NAME@" };
                for (size_t k = 0; k < ELEMENTSOF(want); k++) {
                        const char *f = strstr(p, want[k]);
                        fields = fields && f && f < end;
                }
                if (!known || !fields) {
                        free(catalog);
                        TEST_FAIL("catalog entry %s: %s", id, known ? "fields missing" : "unknown id");
                }
                n_entries++;
        }
        free(catalog);
        ASSERT_EQ(n_entries, ELEMENTSOF(reasons));
}

TEST(ring_drops_oldest) {
        _cleanup_(event_log_freep) EventLog *l = NULL;
        ASSERT_ERROR(event_log_new(0, NULL, NULL, &l), EINVAL);
        ASSERT_OK(event_log_new(3, NULL, NULL, &l));

        static const char *const pods[] = { "p0", "p1", "p2", "p3", "p4" };
        for (size_t i = 0; i < ELEMENTSOF(pods); i++) {
                EventInfo e = info(pods[i], NULL, "Scheduled", "Successfully assigned", T0 + i);
                ASSERT_OK(event_log_add(l, &e, false));
        }
        Parsed p = parse_list(l, NULL, NULL);
        ASSERT_EQ(p.items->n_items, 3);
        for (size_t i = 0; i < 3; i++)
                ASSERT_STREQ(str_at(p.items->items[i], "involvedObject", "name"), pods[i + 2]);
        ystream_free(p.stream);
}

TEST(aggregation) {
        _cleanup_(event_log_freep) EventLog *l = NULL;
        ASSERT_OK(event_log_new(10, NULL, NULL, &l));

        static const struct {
                const char *pod, *container, *reason, *message;
                uint64_t usec;
        } adds[] = {
                { "web", "app", "BackOff", "Back-off restarting failed container app in pod web_default(uid-1)", T0 },
                { "web", "app", "Started", "Started container app", T0 + 1000000 },
                /* the same as the first: counted, not added */
                { "web", "app", "BackOff", "Back-off restarting failed container app in pod web_default(uid-1)", T0 + 10000000 },
                /* another container, another message, a pod-level event: new entries */
                { "web", "side", "BackOff", "Back-off restarting failed container app in pod web_default(uid-1)", T0 + 11000000 },
                { "web", "app", "BackOff", "Back-off restarting failed container app in pod web_default(uid-2)", T0 + 12000000 },
                { "web", NULL, "BackOff", "Back-off restarting failed container app in pod web_default(uid-1)", T0 + 13000000 },
                /* the first again */
                { "web", "app", "BackOff", "Back-off restarting failed container app in pod web_default(uid-1)", T0 + 20000000 },
        };
        for (size_t i = 0; i < ELEMENTSOF(adds); i++) {
                EventInfo e = info(adds[i].pod, adds[i].container, adds[i].reason, adds[i].message, adds[i].usec);
                ASSERT_OK(event_log_add(l, &e, false));
        }

        /* Oldest first by lastTimestamp: the repeated event moved to the end. */
        static const struct {
                const char *reason, *field_path, *count, *first, *last;
        } expected[] = {
                { "Started", "spec.containers{app}", "1", "2026-11-24T03:04:06Z", "2026-11-24T03:04:06Z" },
                { "BackOff", "spec.containers{side}", "1", "2026-11-24T03:04:16Z", "2026-11-24T03:04:16Z" },
                { "BackOff", "spec.containers{app}", "1", "2026-11-24T03:04:17Z", "2026-11-24T03:04:17Z" },
                { "BackOff", NULL, "1", "2026-11-24T03:04:18Z", "2026-11-24T03:04:18Z" },
                { "BackOff", "spec.containers{app}", "3", "2026-11-24T03:04:05Z", "2026-11-24T03:04:25Z" },
        };
        Parsed p = parse_list(l, "default", "web");
        ASSERT_EQ(p.items->n_items, ELEMENTSOF(expected));
        for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
                const YNode *e = p.items->items[i];
                ASSERT_STREQ(str_at(e, "reason", NULL), expected[i].reason);
                const char *fp = str_at(e, "involvedObject", "fieldPath");
                ASSERT_TRUE(streq_ptr(fp, expected[i].field_path));
                ASSERT_STREQ(str_at(e, "count", NULL), expected[i].count);
                ASSERT_EQ(ynode_get(e, "count")->kind, YSCALAR_INT);
                ASSERT_STREQ(str_at(e, "firstTimestamp", NULL), expected[i].first);
                ASSERT_STREQ(str_at(e, "lastTimestamp", NULL), expected[i].last);
        }
        ystream_free(p.stream);
}

TEST(json_shape) {
        _cleanup_(event_log_freep) EventLog *l = NULL;
        ASSERT_OK(event_log_new(10, NULL, NULL, &l));
        EventInfo e = {
                .namespace = "kube-system", .pod = "dns", .pod_uid = "0b3c", .container = "app",
                .type = "Warning", .reason = "FailedPostStartHook",
                .message = "PostStartHook failed: \"quoted\"\\ and\nnewline \x01 ünï", .usec = T0,
        };
        ASSERT_OK(event_log_add(l, &e, false));
        Parsed p = parse_list(l, "kube-system", NULL);
        ASSERT_EQ(p.items->n_items, 1);
        const YNode *n = p.items->items[0];
        static const struct {
                const char *a, *b, *value;
        } fields[] = {
                { "apiVersion", NULL, "v1" },
                { "kind", NULL, "Event" },
                { "metadata", "namespace", "kube-system" },
                { "involvedObject", "kind", "Pod" },
                { "involvedObject", "namespace", "kube-system" },
                { "involvedObject", "name", "dns" },
                { "involvedObject", "uid", "0b3c" },
                { "involvedObject", "fieldPath", "spec.containers{app}" },
                { "reason", NULL, "FailedPostStartHook" },
                { "message", NULL, "PostStartHook failed: \"quoted\"\\ and\nnewline \x01 ünï" },
                { "type", NULL, "Warning" },
                { "count", NULL, "1" },
                { "firstTimestamp", NULL, "2026-11-24T03:04:05Z" },
                { "lastTimestamp", NULL, "2026-11-24T03:04:05Z" },
                { "source", "component", "podd" },
        };
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                const char *v = str_at(n, fields[i].a, fields[i].b);
                if (!streq_ptr(v, fields[i].value))
                        TEST_FAIL("%s.%s: \"%s\" != \"%s\"", fields[i].a, fields[i].b ?: "", v ?: "(null)",
                                  fields[i].value);
        }
        /* metadata.name is <pod>.<hex>, as the kubelet's. */
        const char *name = str_at(n, "metadata", "name");
        ASSERT_TRUE(startswith(name, "dns."));
        ASSERT_TRUE(strlen(name) > 4 && strspn(name + 4, "0123456789abcdef") == strlen(name + 4));
        ystream_free(p.stream);

        /* An empty selection is an empty list. */
        p = parse_list(l, "default", NULL);
        ASSERT_EQ(p.items->n_items, 0);
        ystream_free(p.stream);
}

TEST(names_unique) {
        _cleanup_(event_log_freep) EventLog *l = NULL;
        ASSERT_OK(event_log_new(10, NULL, NULL, &l));
        /* Three events in the same microsecond. */
        static const char *const msgs[] = { "Created container a", "Created container b", "Created container c" };
        for (size_t i = 0; i < ELEMENTSOF(msgs); i++) {
                EventInfo e = info("web", NULL, "Created", msgs[i], T0);
                ASSERT_OK(event_log_add(l, &e, false));
        }
        Parsed p = parse_list(l, "", "");
        ASSERT_EQ(p.items->n_items, 3);
        for (size_t i = 0; i < 3; i++)
                for (size_t j = 0; j < i; j++)
                        ASSERT_FALSE(streq(str_at(p.items->items[i], "metadata", "name"),
                                           str_at(p.items->items[j], "metadata", "name")));
        ystream_free(p.stream);
}

TEST(filter_and_forget) {
        _cleanup_(event_log_freep) EventLog *l = NULL;
        ASSERT_OK(event_log_new(10, NULL, NULL, &l));
        static const struct {
                const char *ns, *pod;
        } objs[] = { { "default", "web" }, { "default", "db" }, { "other", "web" }, { "default", "web" } };
        for (size_t i = 0; i < ELEMENTSOF(objs); i++) {
                EventInfo e = info(objs[i].pod, NULL, "Scheduled", i == 3 ? "again" : "first", T0 + i);
                e.namespace = objs[i].ns;
                ASSERT_OK(event_log_add(l, &e, false));
        }
        static const struct {
                const char *ns, *pod;
                size_t n;
        } queries[] = {
                { NULL, NULL, 4 }, { "", "", 4 }, { "default", NULL, 3 }, { "default", "web", 2 },
                { NULL, "web", 3 }, { "other", "db", 0 }, { "nope", NULL, 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(queries); i++) {
                Parsed p = parse_list(l, queries[i].ns, queries[i].pod);
                size_t got = p.items->n_items;
                ystream_free(p.stream);
                if (got != queries[i].n)
                        TEST_FAIL("query %zu: %zu events, expected %zu", i, got, queries[i].n);
        }

        event_log_forget_pod(l, "default", "web");
        Parsed p = parse_list(l, NULL, NULL);
        ASSERT_EQ(p.items->n_items, 2);
        ASSERT_STREQ(str_at(p.items->items[0], "involvedObject", "name"), "db");
        ASSERT_STREQ(str_at(p.items->items[1], "metadata", "namespace"), "other");
        ystream_free(p.stream);

        /* Forgotten means forgotten: the same event again starts at count 1. */
        EventInfo e = info("web", NULL, "Scheduled", "first", T0 + 10);
        ASSERT_OK(event_log_add(l, &e, false));
        p = parse_list(l, "default", "web");
        ASSERT_EQ(p.items->n_items, 1);
        ASSERT_STREQ(str_at(p.items->items[0], "count", NULL), "1");
        ystream_free(p.stream);
}

typedef struct Seen {
        unsigned calls;
        char last[4096];
} Seen;

static void on_added(EventLog *l, const char *json, void *userdata) {
        Seen *s = userdata;
        s->calls++;
        (void) snprintf(s->last, sizeof s->last, "%s", json);
}

TEST(callback_and_invalid) {
        _cleanup_(event_log_freep) EventLog *l = NULL;
        Seen seen = {};
        ASSERT_OK(event_log_new(10, on_added, &seen, &l));

        EventInfo e = info("web", "app", "Killing", "Stopping container app", T0);
        ASSERT_OK(event_log_add(l, &e, false));
        ASSERT_EQ(seen.calls, 1);
        ASSERT_TRUE(startswith(seen.last, "{\"apiVersion\":\"v1\",\"kind\":\"Event\","));
        ASSERT_NOT_NULL(strstr(seen.last, "\"count\":1,"));
        /* An aggregated repeat is news too: the updated event. */
        ASSERT_OK(event_log_add(l, &e, false));
        ASSERT_EQ(seen.calls, 2);
        ASSERT_NOT_NULL(strstr(seen.last, "\"count\":2,"));

        /* usec 0 means now. */
        EventInfo now = info("web", NULL, "Scheduled", "now", 0);
        ASSERT_OK(event_log_add(l, &now, false));
        ASSERT_NULL(strstr(seen.last, "1970-"));

        static const struct {
                const char *ns, *pod, *type, *reason, *message;
        } bad[] = {
                { NULL, "web", "Normal", "Started", "m" },
                { "default", "", "Normal", "Started", "m" },
                { "default", "web", "Info", "Started", "m" },
                { "default", "web", NULL, "Started", "m" },
                { "default", "web", "Normal", NULL, "m" },
                { "default", "web", "Normal", "Started", NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                EventInfo b = { .namespace = bad[i].ns, .pod = bad[i].pod, .type = bad[i].type,
                                .reason = bad[i].reason, .message = bad[i].message };
                ASSERT_ERROR(event_log_add(l, &b, false), EINVAL);
        }
        ASSERT_EQ(seen.calls, 3);
}
