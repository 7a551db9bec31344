/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "tests.h"
#include "yaml-emit.h"

static char *emit(const char *json, bool yaml) {
        _cleanup_(ystream_freep) YStream *s = NULL;
        StrBuf b = {};
        Diags d = {};

        if (ystream_parse(json, strlen(json), &YLIMITS_DEFAULT, &s, &d) < 0) {
                diags_done(&d);
                return NULL;
        }
        diags_done(&d);
        if (yaml)
                ynode_emit_yaml(s->documents[0].root, &b);
        else
                ynode_emit_json(s->documents[0].root, &b);
        return strbuf_steal(&b);
}

TEST(yaml_documents) {
        static const struct {
                const char *json, *yaml;
        } cases[] = {
                { "{\"kind\":\"Pod\",\"apiVersion\":\"v1\"}", "apiVersion: v1\nkind: Pod\n" },
                { "{\"metadata\":{\"name\":\"web\",\"labels\":{\"app\":\"web\"}}}",
                  "metadata:\n  labels:\n    app: web\n  name: web\n" },
                { "{\"spec\":{\"containers\":[{\"name\":\"a\",\"command\":[\"sleep\",\"10\"],\"ports\":[{\"containerPort\":80}]}]}}",
                  "spec:\n  containers:\n  - command:\n    - sleep\n    - \"10\"\n    name: a\n    ports:\n    - containerPort: 80\n" },
                { "{\"a\":{},\"b\":[],\"c\":null,\"d\":true,\"e\":1.5,\"f\":\"\"}",
                  "a: {}\nb: []\nc: null\nd: true\ne: 1.5\nf: \"\"\n" },
                { "[[1,2],[\"x\"]]", "- - 1\n  - 2\n- - x\n" },
                { "[{\"a\":1,\"b\":{\"c\":2}}]", "- a: 1\n  b:\n    c: 2\n" },
                { "{\"s\":\"line1\\nline2\"}", "s: |-\n  line1\n  line2\n" },
                { "{\"m\":{\"s\":\"a\\n\\nb\\n\"}}", "m:\n  s: |\n    a\n\n    b\n" },
                { "{\"q\":[\"true\",\"yes\",\"null\",\"~\",\"0x1F\",\"1e3\",\"-1\",\".5\",\"1:20\"]}",
                  "q:\n- \"true\"\n- \"yes\"\n- \"null\"\n- \"~\"\n- \"0x1F\"\n- \"1e3\"\n- \"-1\"\n- \".5\"\n- \"1:20\"\n" },
                { "{\"q\":[\"*\",\"a: b\",\"it's\",\" lead\",\"x #y\",\"-\",\"{x}\",\"@at\",\"-rf\",\"a:b\",\"http://x/y\"]}",
                  "q:\n- '*'\n- 'a: b'\n- it's\n- ' lead'\n- 'x #y'\n- '-'\n- '{x}'\n- '@at'\n- -rf\n- a:b\n- http://x/y\n" },
                { "{\"t\":\"tab\\there\"}", "t: \"tab\\there\"\n" },
                { "\"scalar\"", "scalar\n" },
                { "{}", "{}\n" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(freep) char *out = emit(cases[i].json, true);

                fprintf(stderr, "case %zu\n", i);
                ASSERT_STREQ(out, cases[i].yaml);
        }
}

TEST(yaml_round_trip) {
        /* what the emitter writes must load back as the same tree (compared through the JSON writer) */
        static const char *const docs[] = {
                "{\"a\":[\"true\",\"*\",\"a: b\",\"x\\ny\",\"\",\"it's\",\"-1\",\"é\"],\"b\":{\"c\":[{\"d\":[]}]}}",
                "{\"apiVersion\":\"v1\",\"items\":[{\"metadata\":{\"annotations\":{\"podctl.io/source\":\"/etc/pods/a.yaml\"}}}]}",
        };

        for (size_t i = 0; i < ELEMENTSOF(docs); i++) {
                _cleanup_(freep) char *yaml = emit(docs[i], true);
                _cleanup_(freep) char *json1 = emit(docs[i], false);
                _cleanup_(freep) char *json2 = NULL;

                ASSERT_NOT_NULL(yaml);
                json2 = emit(yaml, false);
                ASSERT_STREQ(json2, json1);
        }
}

TEST(json_indent) {
        _cleanup_(freep) char *out = emit("{\"a\":1,\"b\":[true,null,\"x\\\"y\"],\"c\":{},\"d\":[],\"e\":{\"f\":-2.5}}", false);

        ASSERT_STREQ(out, "{\n    \"a\": 1,\n    \"b\": [\n        true,\n        null,\n        \"x\\\"y\"\n    ],\n"
                          "    \"c\": {},\n    \"d\": [],\n    \"e\": {\n        \"f\": -2.5\n    }\n}\n");
}

TEST(needs_quotes) {
        ASSERT_TRUE(yaml_string_needs_quotes(""));
        ASSERT_TRUE(yaml_string_needs_quotes("on"));
        ASSERT_TRUE(yaml_string_needs_quotes("123"));
        ASSERT_TRUE(yaml_string_needs_quotes("!tag"));
        ASSERT_TRUE(yaml_string_needs_quotes("2026-11-24T03:04:05Z"));
        ASSERT_TRUE(yaml_string_needs_quotes("2026-1-2"));
        ASSERT_FALSE(yaml_string_needs_quotes("2026-web"));
        ASSERT_FALSE(yaml_string_needs_quotes("nginx:1.25"));
        ASSERT_FALSE(yaml_string_needs_quotes("v1"));
        ASSERT_FALSE(yaml_string_needs_quotes("1.2.3-rc1"));
}
