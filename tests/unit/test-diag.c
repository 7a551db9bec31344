/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "diag.h"
#include "tests.h"
#include "yaml-tree.h"

TEST(format) {
        static const struct {
                DiagLevel level;
                unsigned line, column;
                const char *path, *file, *message;
                const char *expect;
        } table[] = {
                { DIAG_ERROR, 3, 7, "spec.containers[0].name", "pod.yaml", "Required value",
                  "pod.yaml:3:7: spec.containers[0].name: Required value" },
                { DIAG_WARNING, 12, 1, "spec.hostIP", "pod.yaml", "hostIP without hostPort",
                  "pod.yaml:12:1: warning: spec.hostIP: hostIP without hostPort" },
                { DIAG_ERROR, 2, 4, NULL, "pod.yaml", "mapping values are not allowed in this context",
                  "pod.yaml:2:4: mapping values are not allowed in this context" },
                { DIAG_ERROR, 0, 0, NULL, "big.yaml", "file is larger than 10 MiB",
                  "big.yaml: file is larger than 10 MiB" },
                { DIAG_ERROR, 0, 0, "metadata.name", "p.yaml", "Required value",
                  "p.yaml: metadata.name: Required value" },
                { DIAG_WARNING, 0, 0, NULL, "p.yaml", "deprecated", "p.yaml: warning: deprecated" },
                { DIAG_WARNING, 4, 9, NULL, "-", "w", "-:4:9: warning: w" },
                /* no file name: the position (if any) leads */
                { DIAG_ERROR, 5, 2, "kind", NULL, "Unsupported value", "5:2: kind: Unsupported value" },
                { DIAG_ERROR, 0, 0, "kind", NULL, "Unsupported value", "kind: Unsupported value" },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                Diags d = {};
                diag_add(&d, table[i].level, table[i].line, table[i].column, table[i].path, "%s", table[i].message);
                ASSERT_FALSE(d.oom);
                ASSERT_EQ(d.n, 1);
                ASSERT_EQ(diags_errors(&d), table[i].level == DIAG_ERROR);
                ASSERT_EQ(d.items[0].line, table[i].line);
                ASSERT_EQ(d.items[0].column, table[i].column);
                ASSERT_EQ(!d.items[0].path, !table[i].path);

                char *s = diag_format(&d.items[0], table[i].file);
                ASSERT_STREQ(s, table[i].expect);
                free(s);
                diags_done(&d);
        }
}

TEST(add_formats_and_counts) {
        Diags d = {};

        diag_add(&d, DIAG_ERROR, 1, 2, "a.b", "value %d is %s", 42, "bad");
        diag_add(&d, DIAG_WARNING, 3, 4, NULL, "just %s", "saying");
        diag_add(&d, DIAG_ERROR, 5, 6, "c", "%s", "100% literal"); /* no reformatting of the message */
        ASSERT_EQ(d.n, 3);
        ASSERT_EQ(diags_errors(&d), 2);
        ASSERT_STREQ(d.items[0].message, "value 42 is bad");
        ASSERT_STREQ(d.items[0].path, "a.b");
        ASSERT_EQ(d.items[1].level, DIAG_WARNING);
        ASSERT_NULL(d.items[1].path);
        ASSERT_STREQ(d.items[2].message, "100% literal");

        diags_done(&d);
        ASSERT_EQ(d.n, 0);
        ASSERT_EQ(diags_errors(&d), 0);
        ASSERT_NULL(d.items);
        diags_done(&d); /* idempotent */
        diags_done(NULL);
        ASSERT_EQ(diags_errors(NULL), 0);
}

TEST(sort_is_stable) {
        static const struct {
                unsigned line, column;
                const char *message;
        } input[] = {
                { 5, 1, "e1" }, { 2, 3, "b1" }, { 0, 0, "doc1" }, { 2, 3, "b2" }, { 2, 1, "a1" },
                { 5, 1, "e2" }, { 10, 1, "z" }, { 0, 0, "doc2" }, { 2, 3, "b3" }, { 3, 0, "c" },
        };
        static const char *const expect[] = { "doc1", "doc2", "a1", "b1", "b2", "b3", "c", "e1", "e2", "z" };
        Diags d = {};

        for (size_t i = 0; i < ELEMENTSOF(input); i++)
                diag_add(&d, i % 2 ? DIAG_WARNING : DIAG_ERROR, input[i].line, input[i].column, NULL, "%s",
                         input[i].message);
        diags_sort(&d);
        ASSERT_EQ(d.n, ELEMENTSOF(expect));
        for (size_t i = 0; i < ELEMENTSOF(expect); i++)
                ASSERT_STREQ(d.items[i].message, expect[i]);
        ASSERT_EQ(diags_errors(&d), 5);
        diags_done(&d);

        /* A larger list with many ties exercises every merge width. */
        for (unsigned i = 0; i < 1000; i++)
                diag_add(&d, DIAG_ERROR, (i * 7919u) % 13u, 1, NULL, "%u", i);
        diags_sort(&d);
        for (size_t i = 1; i < d.n; i++) {
                ASSERT_TRUE(d.items[i - 1].line <= d.items[i].line);
                if (d.items[i - 1].line == d.items[i].line)
                        ASSERT_TRUE(atoi(d.items[i - 1].message) < atoi(d.items[i].message));
        }
        diags_done(&d);

        diags_sort(&d); /* empty list */
}

TEST(node_and_field) {
        static const char text[] = "metadata:\n  name: web\n  labels: {app: x}\nspec:\n  containers: []\n";
        _cleanup_(ystream_freep) YStream *s = NULL;
        Diags d = {};

        ASSERT_OK(ystream_parse(text, strlen(text), NULL, &s, &d));
        const YNode *root = s->documents[0].root, *meta = ynode_get(root, "metadata");

        diag_node(&d, DIAG_ERROR, ynode_get(meta, "labels"), "metadata.labels", "bad %s", "labels");
        diag_node(&d, DIAG_WARNING, NULL, NULL, "nowhere");
        /* a present field: located at its value */
        diag_field(&d, DIAG_ERROR, meta, "name", "metadata.name", "Invalid value: %s", "web");
        /* a missing field: located at the mapping that lacks it */
        diag_field(&d, DIAG_ERROR, ynode_get(root, "spec"), "restartPolicy", "spec.restartPolicy", "missing");
        diag_field(&d, DIAG_ERROR, NULL, "x", "x", "no map");
        /* not a mapping: no key lookup, located at the node */
        diag_field(&d, DIAG_ERROR, ynode_get(ynode_get(root, "spec"), "containers"), "name", "c", "seq");

        static const struct {
                unsigned line, column;
                const char *path, *message;
        } expect[] = {
                { 3, 11, "metadata.labels", "bad labels" },
                { 0, 0, NULL, "nowhere" },
                { 2, 9, "metadata.name", "Invalid value: web" },
                { 5, 3, "spec.restartPolicy", "missing" },
                { 0, 0, "x", "no map" },
                { 5, 15, "c", "seq" },
        };
        ASSERT_EQ(d.n, ELEMENTSOF(expect));
        ASSERT_EQ(diags_errors(&d), 5);
        for (size_t i = 0; i < ELEMENTSOF(expect); i++) {
                ASSERT_EQ(d.items[i].line, expect[i].line);
                ASSERT_EQ(d.items[i].column, expect[i].column);
                ASSERT_TRUE(streq_ptr(d.items[i].path, expect[i].path));
                ASSERT_STREQ(d.items[i].message, expect[i].message);
        }
        diags_done(&d);
}

TEST(oom_flag_stops_adding) {
        Diags d = { .oom = true };

        /* Once incomplete, the list stays as it is; the caller reports -ENOMEM. */
        diag_add(&d, DIAG_ERROR, 1, 1, NULL, "x");
        ASSERT_EQ(d.n, 0);
        ASSERT_TRUE(d.oom);
        diags_done(&d);
        ASSERT_FALSE(d.oom);
}
