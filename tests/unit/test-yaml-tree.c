/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <time.h>

#include "strbuf.h"
#include "tests.h"
#include "yaml-tree.h"

/* Parses text that must load; fails the test with the first diagnostic otherwise. */
static YStream *load_ok(const char *text, size_t len) {
        Diags d = {};
        YStream *s = NULL;
        int r = ystream_parse(text, len, NULL, &s, &d);
        if (r < 0) {
                fprintf(stderr, "unexpected error %d: %u:%u: %s\n", r, d.n > 0 ? d.items[0].line : 0,
                        d.n > 0 ? d.items[0].column : 0, d.n > 0 ? d.items[0].message : "(no diag)");
                diags_done(&d);
                return NULL;
        }
        diags_done(&d);
        return s;
}

/* Parses text that must fail with -EINVAL and exactly one error at line:col with message. */
static bool load_fails(const char *text, size_t len, const YLimits *limits, unsigned line, unsigned col,
                       const char *message) {
        Diags d = {};
        YStream *s = NULL;
        int r = ystream_parse(text, len, limits, &s, &d);
        bool ok = r == -EINVAL && !s && d.n >= 1 && d.n_errors == d.n && d.items[0].line == line &&
                  d.items[0].column == col && d.items[0].path == NULL && streq(d.items[0].message, message);
        if (!ok)
                fprintf(stderr, "got r=%d s=%p n=%zu first=%u:%u \"%s\"; want %u:%u \"%s\"\n", r, (void *) s, d.n,
                        d.n > 0 ? d.items[0].line : 0, d.n > 0 ? d.items[0].column : 0,
                        d.n > 0 ? d.items[0].message : "", line, col, message);
        ystream_free(s);
        diags_done(&d);
        return ok;
}

TEST(scalar_resolution) {
        static const struct {
                const char *text;
                YScalarKind kind;
                int64_t int_value;
                bool bool_value;
        } table[] = {
                /* null */
                { "", YSCALAR_NULL },
                { "~", YSCALAR_NULL },
                { "null", YSCALAR_NULL },
                { "Null", YSCALAR_NULL },
                { "NULL", YSCALAR_NULL },
                { "nULL", YSCALAR_STRING },
                { "'null'", YSCALAR_STRING },
                { "\"~\"", YSCALAR_STRING },
                { "!!str null", YSCALAR_STRING },
                { "!!null ''", YSCALAR_NULL },
                { "!!null ~", YSCALAR_NULL },
                /* booleans: every YAML 1.1 word go-yaml v2 knows */
                { "y", YSCALAR_BOOL, 0, true },
                { "Y", YSCALAR_BOOL, 0, true },
                { "yes", YSCALAR_BOOL, 0, true },
                { "Yes", YSCALAR_BOOL, 0, true },
                { "YES", YSCALAR_BOOL, 0, true },
                { "true", YSCALAR_BOOL, 0, true },
                { "True", YSCALAR_BOOL, 0, true },
                { "TRUE", YSCALAR_BOOL, 0, true },
                { "on", YSCALAR_BOOL, 0, true },
                { "On", YSCALAR_BOOL, 0, true },
                { "ON", YSCALAR_BOOL, 0, true },
                { "n", YSCALAR_BOOL, 0, false },
                { "N", YSCALAR_BOOL, 0, false },
                { "no", YSCALAR_BOOL, 0, false },
                { "No", YSCALAR_BOOL, 0, false },
                { "NO", YSCALAR_BOOL, 0, false },
                { "false", YSCALAR_BOOL, 0, false },
                { "False", YSCALAR_BOOL, 0, false },
                { "FALSE", YSCALAR_BOOL, 0, false },
                { "off", YSCALAR_BOOL, 0, false },
                { "Off", YSCALAR_BOOL, 0, false },
                { "OFF", YSCALAR_BOOL, 0, false },
                { "oN", YSCALAR_STRING },
                { "yEs", YSCALAR_STRING },
                { "tRUE", YSCALAR_STRING },
                { "\"true\"", YSCALAR_STRING },
                { "'no'", YSCALAR_STRING },
                { "!!str yes", YSCALAR_STRING },
                { "!!bool true", YSCALAR_BOOL, 0, true },
                { "!!bool \"off\"", YSCALAR_BOOL, 0, false },
                /* integers */
                { "0", YSCALAR_INT, 0 },
                { "42", YSCALAR_INT, 42 },
                { "+42", YSCALAR_INT, 42 },
                { "-42", YSCALAR_INT, -42 },
                { "1_000_000", YSCALAR_INT, 1000000 },
                { "0x1F", YSCALAR_INT, 31 },
                { "0X1f", YSCALAR_INT, 31 },
                { "-0x10", YSCALAR_INT, -16 },
                { "0o17", YSCALAR_INT, 15 },
                { "017", YSCALAR_INT, 15 },
                { "-017", YSCALAR_INT, -15 },
                { "0b101", YSCALAR_INT, 5 },
                { "-0b11", YSCALAR_INT, -3 },
                { "0b1_0", YSCALAR_INT, 2 },
                { "9223372036854775807", YSCALAR_INT, INT64_MAX },
                { "-9223372036854775808", YSCALAR_INT, INT64_MIN },
                { "9223372036854775808", YSCALAR_FLOAT },
                { "-9223372036854775809", YSCALAR_FLOAT },
                { "0xFFFFFFFFFFFFFFFFFF", YSCALAR_FLOAT },
                { "08", YSCALAR_FLOAT },      /* not octal, but a valid float, as in go-yaml */
                { "0x", YSCALAR_STRING },
                { "0b2", YSCALAR_STRING },
                { "_1", YSCALAR_STRING },     /* go-yaml looks at the first character first */
                { "1:20", YSCALAR_STRING },   /* no sexagesimal in go-yaml v2 */
                { "12e", YSCALAR_STRING },
                { "+", YSCALAR_STRING },
                { "'42'", YSCALAR_STRING },
                { "\"0x1F\"", YSCALAR_STRING },
                { "!!str 42", YSCALAR_STRING },
                { "!!int 42", YSCALAR_INT, 42 },
                { "!!int \"7\"", YSCALAR_INT, 7 },
                /* floats */
                { "1.5", YSCALAR_FLOAT },
                { "-1.5", YSCALAR_FLOAT },
                { "1.", YSCALAR_FLOAT },
                { ".5", YSCALAR_FLOAT },
                { "+.5", YSCALAR_FLOAT },
                { "1e3", YSCALAR_FLOAT },
                { "1E-3", YSCALAR_FLOAT },
                { "6.02e+23", YSCALAR_FLOAT },
                { "1_0.5", YSCALAR_FLOAT },
                { "1e400", YSCALAR_STRING },  /* out of double range: go-yaml keeps the text */
                { ".inf", YSCALAR_FLOAT },
                { ".Inf", YSCALAR_FLOAT },
                { ".INF", YSCALAR_FLOAT },
                { "+.inf", YSCALAR_FLOAT },
                { "-.Inf", YSCALAR_FLOAT },
                { "-.INF", YSCALAR_FLOAT },
                { ".nan", YSCALAR_FLOAT },
                { ".NaN", YSCALAR_FLOAT },
                { ".NAN", YSCALAR_FLOAT },
                { ".Nan", YSCALAR_STRING },
                { ".", YSCALAR_STRING },
                { ".e3", YSCALAR_STRING },
                { "1.2.3", YSCALAR_STRING },
                { "!!float 1", YSCALAR_FLOAT },
                { "!!float '2.5'", YSCALAR_FLOAT },
                /* strings */
                { "hello", YSCALAR_STRING },
                { "1.2.3.4", YSCALAR_STRING },
                { "2001-12-14", YSCALAR_STRING },
                { "<<", YSCALAR_STRING },
                { "! 42", YSCALAR_STRING },
                { "!foo 42", YSCALAR_STRING },
                { "!!binary aGVsbG8=", YSCALAR_STRING },
                { "\"\"", YSCALAR_STRING },
                { "|\n  42\n", YSCALAR_STRING },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                _cleanup_(ystream_freep) YStream *s = NULL;
                char buf[128];
                int k = snprintf(buf, sizeof buf, "v: %s", table[i].text);
                ASSERT_TRUE(k > 0 && (size_t) k < sizeof buf);

                fprintf(stderr, "  %s\n", buf);
                s = load_ok(buf, strlen(buf));
                ASSERT_NOT_NULL(s);
                ASSERT_EQ(s->n_documents, 1);
                const YNode *v = ynode_get(s->documents[0].root, "v");
                ASSERT_NOT_NULL(v);
                ASSERT_EQ(v->type, YNODE_SCALAR);
                ASSERT_EQ(v->kind, table[i].kind);
                if (table[i].kind == YSCALAR_INT)
                        ASSERT_EQ(v->int_value, table[i].int_value);
                if (table[i].kind == YSCALAR_BOOL)
                        ASSERT_EQ(v->bool_value, table[i].bool_value);
        }
}

TEST(scalar_values) {
        static const struct {
                const char *text;
                const char *value;
        } table[] = {
                { "v: plain text", "plain text" },
                { "v: 'it''s'", "it's" },
                { "v: \"a\\tb\\u00e9\"", "a\tb\xc3\xa9" },
                { "v: |\n  line1\n  line2\n", "line1\nline2\n" },
                { "v: >-\n  folded\n  text\n", "folded text" },
                { "v: 1_000", "1_000" }, /* the text stays as written */
                { "v:", "" },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                _cleanup_(ystream_freep) YStream *s = load_ok(table[i].text, strlen(table[i].text));
                ASSERT_NOT_NULL(s);
                const YNode *v = ynode_get(s->documents[0].root, "v");
                ASSERT_NOT_NULL(v);
                ASSERT_STREQ(v->value, table[i].value);
                ASSERT_EQ(v->length, strlen(table[i].value));
        }
}

TEST(explicit_tag_mismatch) {
        static const struct {
                const char *text;
                const char *message;
        } table[] = {
                { "a: !!int foo", "cannot read \"foo\" as !!int" },
                { "a: !!int 1.5", "cannot read \"1.5\" as !!int" },
                { "a: !!bool 1", "cannot read \"1\" as !!bool" },
                { "a: !!null x", "cannot read \"x\" as !!null" },
                { "a: !!float abc", "cannot read \"abc\" as !!float" },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                ASSERT_TRUE(load_fails(table[i].text, strlen(table[i].text), NULL, 1, 4, table[i].message));
}

TEST(documents) {
        static const struct {
                const char *text;
                size_t n_documents;
                const char *first_name; /* value of key "name" in the first non-empty document */
                unsigned empty_mask;    /* bit i set: document i has no root */
        } table[] = {
                { "", 0, NULL, 0 },
                { "# only a comment\n", 0, NULL, 0 },
                { "name: a\n", 1, "a", 0 },
                { "name: a", 1, "a", 0 },                     /* no trailing newline */
                { "\xEF\xBB\xBFname: a\n", 1, "a", 0 },      /* BOM */
                { "name: a\r\nother: b\r\n", 1, "a", 0 },    /* CRLF */
                { "---\nname: a\n", 1, "a", 0 },
                { "---\nname: a\n---\nname: b\n", 2, "a", 0 },
                { "name: a\n---\n", 2, "a", 2 },
                { "---\n---\nname: a\n", 2, "a", 1 },
                { "name: a\n...\n", 1, "a", 0 },
                { "name: a\n...\n---\nname: b\n...\n", 2, "a", 0 },
                { "---\n...\n", 1, NULL, 1 },
                { "--- # comment\n---\nname: x\n", 2, "x", 1 },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                _cleanup_(ystream_freep) YStream *s = load_ok(table[i].text, strlen(table[i].text));
                ASSERT_NOT_NULL(s);
                ASSERT_EQ(s->n_documents, table[i].n_documents);
                const char *first = NULL;
                for (size_t j = 0; j < s->n_documents; j++) {
                        ASSERT_EQ(!s->documents[j].root, !!(table[i].empty_mask & (1u << j)));
                        if (!first && s->documents[j].root) {
                                const YNode *n = ynode_get(s->documents[j].root, "name");
                                ASSERT_NOT_NULL(n);
                                first = n->value;
                        }
                }
                if (table[i].first_name)
                        ASSERT_STREQ(first, table[i].first_name);
                else
                        ASSERT_NULL(first);
        }
}

TEST(document_positions) {
        static const char text[] = "a: 1\n---\nb: 2\n---\n\n  c: 3\n";
        _cleanup_(ystream_freep) YStream *s = load_ok(text, strlen(text));
        ASSERT_NOT_NULL(s);
        ASSERT_EQ(s->n_documents, 3);
        ASSERT_EQ(s->documents[0].line, 1);
        ASSERT_EQ(s->documents[1].line, 2);
        ASSERT_EQ(s->documents[2].line, 4);
        ASSERT_EQ(s->documents[2].root->line, 6);
        ASSERT_EQ(s->documents[2].root->column, 3);
}

TEST(root_scalar_and_explicit_null) {
        _cleanup_(ystream_freep) YStream *a = load_ok("--- ~\n", 6), *b = load_ok("--- ''\n", 7),
                                         *c = load_ok("hello", 5);
        ASSERT_NOT_NULL(a);
        ASSERT_NOT_NULL(a->documents[0].root);
        ASSERT_EQ(a->documents[0].root->kind, YSCALAR_NULL);
        ASSERT_NOT_NULL(b);
        ASSERT_NOT_NULL(b->documents[0].root);
        ASSERT_EQ(b->documents[0].root->kind, YSCALAR_STRING);
        ASSERT_NOT_NULL(c);
        ASSERT_STREQ(c->documents[0].root->value, "hello");
}

/* Where a node starts, in block and flow style (values checked by walking "path" keys). */
TEST(positions) {
        static const struct {
                const char *text;
                const char *key1, *key2; /* key2 may be NULL */
                long index;              /* >= 0: then item of the sequence */
                unsigned line, column;
        } table[] = {
                { "a: 1\n", "a", NULL, -1, 1, 4 },
                { "a:   x\n", "a", NULL, -1, 1, 6 },
                { "a:\n  b: c\n", "a", NULL, -1, 2, 3 },
                { "a:\n  b: c\n", "a", "b", -1, 2, 6 },
                { "a:\n- x\n- y\n", "a", NULL, 1, 3, 3 },
                { "a:\n  - x\n  -   y\n", "a", NULL, 1, 3, 7 },
                { "a: {b: 1, c: 2}\n", "a", NULL, -1, 1, 4 },
                { "a: {b: 1, c: 2}\n", "a", "c", -1, 1, 14 },
                { "a: [x, y, z]\n", "a", NULL, 2, 1, 11 },
                { "{\"a\": {\"b\": [1, 2]}}", "a", "b", 1, 1, 17 },
                { "\xEF\xBB\xBF" "a: 1\n", "a", NULL, -1, 1, 4 },
                { "x: 1\r\na: |\r\n  t\r\n", "a", NULL, -1, 2, 4 },
                { "x: \"\xc3\xa9\xc3\xa9\"\na: 'q'\n", "a", NULL, -1, 2, 4 },
                { "x: \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\n", "x", NULL, -1, 1, 4 },
                { "x: [\xc3\xa9\xc3\xa9, b]\n", "x", NULL, 1, 1, 9 }, /* columns count characters */
                { "a: &anchor\n  k: v\nb: *anchor\n", "b", "k", -1, 2, 6 }, /* an alias is its target */
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                _cleanup_(ystream_freep) YStream *s = load_ok(table[i].text, strlen(table[i].text));
                ASSERT_NOT_NULL(s);
                const YNode *n = ynode_get(s->documents[0].root, table[i].key1);
                if (table[i].key2)
                        n = ynode_get(n, table[i].key2);
                ASSERT_NOT_NULL(n);
                if (table[i].index >= 0) {
                        ASSERT_EQ(n->type, YNODE_SEQUENCE);
                        ASSERT_TRUE((size_t) table[i].index < n->n_items);
                        n = n->items[table[i].index];
                }
                fprintf(stderr, "  case %zu: %u:%u\n", i, n->line, n->column);
                ASSERT_EQ(n->line, table[i].line);
                ASSERT_EQ(n->column, table[i].column);
        }
}

TEST(flow_and_json) {
        static const char *const table[] = {
                "{\"kind\": \"Pod\", \"items\": [1, 2, 3], \"meta\": {\"x\": null}}",
                "{kind: Pod, items: [1, 2, 3], meta: {x: ~}}",
                "{kind: Pod, items: [1, 2, 3,], meta: {x: null,},}",
                "kind: Pod\nitems: [1,\n  2, 3]\nmeta: {\n  x: }\n",
                "{\"kind\":\"Pod\",\"items\":[1,2,3],\"meta\":{\"x\":null}}\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                _cleanup_(ystream_freep) YStream *s = load_ok(table[i], strlen(table[i]));
                ASSERT_NOT_NULL(s);
                const YNode *root = s->documents[0].root;
                ASSERT_EQ(root->type, YNODE_MAPPING);
                ASSERT_EQ(root->n_pairs, 3);
                ASSERT_STREQ(ynode_get(root, "kind")->value, "Pod");
                const YNode *items = ynode_get(root, "items");
                ASSERT_EQ(items->type, YNODE_SEQUENCE);
                ASSERT_EQ(items->n_items, 3);
                ASSERT_EQ(items->items[2]->int_value, 3);
                const YNode *x = ynode_get(ynode_get(root, "meta"), "x");
                ASSERT_NOT_NULL(x);
                ASSERT_EQ(x->kind, YSCALAR_NULL);
                ASSERT_NULL(ynode_get(root, "missing"));
                ASSERT_NULL(ynode_get(items, "kind"));
        }
}

TEST(merge_keys) {
        static const struct {
                const char *text;
                const char *expect; /* "k=v,k=v" of mapping "t" in order */
        } table[] = {
                { "b: &b {x: 1, y: 2}\nt:\n  <<: *b\n  z: 3\n", "x=1,y=2,z=3" },
                { "b: &b {x: 1, y: 2}\nt:\n  y: 9\n  <<: *b\n", "y=9,x=1" },        /* explicit wins */
                { "b: &b {x: 1, y: 2}\nt:\n  <<: *b\n  y: 9\n", "x=1,y=9" },        /* even after */
                { "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nt:\n  <<: [*a, *b]\n", "x=1,y=2" }, /* earlier wins */
                { "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nt:\n  <<: [*b, *a]\n", "x=2,y=2" },
                { "t: {<<: {p: q}, r: s}\n", "p=q,r=s" },
                { "l: &l [{x: 1}, {x: 2, y: 2}]\nt:\n  <<: *l\n", "x=1,y=2" },  /* alias of a sequence */
                { "t:\n  <<: {a: 1}\n  <<: {a: 2, b: 2}\n", "a=1,b=2" },         /* two merges: first wins */
                { "t: {}\n", "" },
                { "t:\n  '<<': {p: q}\n", "<<=" },                                  /* quoted: no merge */
                { "b: &b {x: 1}\nt:\n  !!merge <<: *b\n", "x=1" },
                { "b: &b {x: 1}\nc: &c\n  <<: *b\n  y: 2\nt:\n  <<: *c\n  z: 3\n", "x=1,y=2,z=3" }, /* nested */
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                _cleanup_(ystream_freep) YStream *s = load_ok(table[i].text, strlen(table[i].text));
                ASSERT_NOT_NULL(s);
                const YNode *t = ynode_get(s->documents[0].root, "t");
                ASSERT_NOT_NULL(t);
                ASSERT_EQ(t->type, YNODE_MAPPING);

                StrBuf b = {};
                for (size_t j = 0; j < t->n_pairs; j++)
                        strbuf_printf(&b, "%s%s=%s", j > 0 ? "," : "", t->pairs[j].key->value,
                                      t->pairs[j].value->type == YNODE_SCALAR ? t->pairs[j].value->value : "");
                _cleanup_(freep) char *got = strbuf_steal(&b);
                ASSERT_STREQ(got, table[i].expect);
        }
}

TEST(load_errors) {
        static const struct {
                const char *text;
                unsigned line, column;
                const char *message;
        } table[] = {
                /* duplicate keys: at the second occurrence */
                { "name: a\nx: 1\nname: b\n", 3, 1, "duplicate key \"name\" (first at line 1)" },
                { "a:\n  b: 1\n\n  b: 2\n", 4, 3, "duplicate key \"b\" (first at line 2)" },
                { "{a: 1, a: 2}", 1, 8, "duplicate key \"a\" (first at line 1)" },
                { "\"a\\\"\\n\\x01\": 1\n\"a\\\"\\n\\x01\": 2\n", 2, 1,
                  "duplicate key \"a\\\"\\n\\x01\" (first at line 1)" }, /* escaped in the message */
                { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9\xc3\xa9\xc3\xa9: 1\n"
                  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9\xc3\xa9\xc3\xa9: 2\n", 2, 1,
                  "duplicate key \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9\xc3\xa9...\" "
                  "(first at line 1)" }, /* cut at 64 characters, not bytes */
                { "1: a\n'1': b\n", 2, 1, "duplicate key \"1\" (first at line 1)" }, /* compared as text */
                { "b: &b {x: 1}\nt:\n  <<: *b\n  x: 2\n  x: 3\n", 5, 3, "duplicate key \"x\" (first at line 4)" },
                /* merge values */
                { "t:\n  <<: 1\n", 2, 7, "map merge requires a mapping or a sequence of mappings as the value" },
                { "t:\n  <<: [{a: 1}, 2]\n", 2, 16,
                  "map merge requires a mapping or a sequence of mappings as the value" },
                /* keys */
                { "? [a, b]\n: c\n", 1, 3, "mapping keys must be strings" },
                { "{a: 1}: c\n", 1, 1, "mapping keys must be strings" },
                { "x: &m {a: 1}\n*m : c\n", 2, 1, "mapping keys must be strings" },
                /* aliases */
                { "a: *nope\n", 1, 4, "unknown anchor \"nope\" referenced" },
                { "a: &x [1, *x]\n", 1, 11, "anchor \"x\" value contains itself" },
                { "a: &x 1\n---\nb: *x\n", 3, 4, "unknown anchor \"x\" referenced" }, /* per document */
                /* syntax errors, with libyaml's words */
                { "a: b: c\n", 1, 5, "mapping values are not allowed in this context" },
                { "a:\n  - b\n  c: d\n", 3, 3, "did not find expected '-' indicator (while parsing a block collection at line 2)" },
                { "a: [1, 2\n", 2, 1, "did not find expected ',' or ']' (while parsing a flow sequence at line 1)" },
                { "a: 'x\n", 2, 1, "found unexpected end of stream (while scanning a quoted scalar at line 1)" },
                { "\tx: 1\n", 1, 1, "found character that cannot start any token (while scanning for the next token)" },
                /* text */
                { "a: 1\nb: \"\\0\"\n", 2, 4, "NUL character in a scalar" },
                { "a: \x01\n", 1, 4, "control characters are not allowed" },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                fprintf(stderr, "  case %zu\n", i);
                ASSERT_TRUE(load_fails(table[i].text, strlen(table[i].text), NULL, table[i].line, table[i].column,
                                       table[i].message));
        }
}

TEST(every_duplicate_reported) {
        static const char text[] = "a: 1\nb: 2\na: 3\nb: 4\na: 5\n";
        Diags d = {};
        YStream *s = NULL;

        ASSERT_ERROR(ystream_parse(text, strlen(text), NULL, &s, &d), EINVAL);
        ASSERT_NULL(s);
        ASSERT_EQ(d.n, 3);
        ASSERT_EQ(diags_errors(&d), 3);
        ASSERT_EQ(d.items[0].line, 3);
        ASSERT_EQ(d.items[1].line, 4);
        ASSERT_STREQ(d.items[1].message, "duplicate key \"b\" (first at line 2)");
        ASSERT_EQ(d.items[2].line, 5);
        ASSERT_STREQ(d.items[2].message, "duplicate key \"a\" (first at line 1)");
        diags_done(&d);
}

TEST(invalid_text) {
        static const struct {
                const char *text;
                size_t len;
                unsigned line, column;
                const char *message;
        } table[] = {
                { "a: \xff\n", 6, 1, 4, "invalid UTF-8" },
                { "a: ok\nb: x\xc3\n", 12, 2, 5, "invalid UTF-8" },              /* truncated sequence */
                { "a: \xc3\xa9\xc3\xa9\xc0\x80\n", 10, 1, 6, "invalid UTF-8" }, /* overlong NUL */
                { "a: \xed\xa0\x80\n", 7, 1, 4, "invalid UTF-8" },              /* surrogate */
                { "a: \xf4\x90\x80\x80\n", 8, 1, 4, "invalid UTF-8" },          /* > U+10FFFF */
                { "a: 1\r\nb: 2\r\nc: \xfe\r\n", 17, 3, 4, "invalid UTF-8" },
                { "\xEF\xBB\xBF" "a: \xff", 7, 1, 4, "invalid UTF-8" },
                { "\xff\xfe" "a\0:\0", 6, 1, 1, "invalid UTF-8" },               /* UTF-16 is refused */
                { "a: b\0c\n", 7, 1, 5, "NUL byte in the input" },
                { "# c\n\0", 5, 2, 1, "NUL byte in the input" },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                fprintf(stderr, "  case %zu\n", i);
                ASSERT_TRUE(load_fails(table[i].text, table[i].len, NULL, table[i].line, table[i].column,
                                       table[i].message));
        }
}

TEST(limits) {
        static const struct {
                size_t max_input_bytes;
                const char *message;
        } sizes[] = {
                { 10u * 1024u * 1024u, "file is larger than 10 MiB" },
                { 4096, "file is larger than 4 KiB" },
                { 100, "file is larger than 100 bytes" },
        };

        for (size_t i = 0; i < ELEMENTSOF(sizes); i++) {
                YLimits lim = YLIMITS_DEFAULT;
                lim.max_input_bytes = sizes[i].max_input_bytes;
                size_t len = lim.max_input_bytes + 1;
                _cleanup_(freep) char *big = malloc(len);
                ASSERT_NOT_NULL(big);
                memset(big, '#', len);
                ASSERT_TRUE(load_fails(big, len, &lim, 0, 0, sizes[i].message));

                /* exactly at the limit is fine */
                Diags d = {};
                _cleanup_(ystream_freep) YStream *s = NULL;
                ASSERT_OK(ystream_parse(big, len - 1, &lim, &s, &d));
                ASSERT_EQ(d.n, 0);
        }
}

static char *nested(const char *open, const char *close, unsigned depth) {
        StrBuf b = {};
        for (unsigned i = 0; i < depth; i++)
                strbuf_append(&b, open);
        strbuf_append(&b, "x");
        for (unsigned i = 0; i < depth; i++)
                strbuf_append(&b, close);
        return strbuf_steal(&b);
}

TEST(depth) {
        YLimits lim = YLIMITS_DEFAULT;

        _cleanup_(freep) char *ok = nested("[", "]", 64), *deep = nested("[", "]", 65),
                              *very_deep = nested("[", "]", 100000), *maps = nested("{a: ", "}", 65);
        ASSERT_NOT_NULL(ok);
        ASSERT_NOT_NULL(deep);
        ASSERT_NOT_NULL(very_deep);
        ASSERT_NOT_NULL(maps);

        _cleanup_(ystream_freep) YStream *s = load_ok(ok, strlen(ok));
        ASSERT_NOT_NULL(s);
        ASSERT_TRUE(load_fails(deep, strlen(deep), NULL, 1, 65, "nesting deeper than 64 levels"));
        ASSERT_TRUE(load_fails(very_deep, strlen(very_deep), NULL, 1, 65, "nesting deeper than 64 levels"));
        ASSERT_TRUE(load_fails(maps, strlen(maps), NULL, 1, 4 * 64 + 1, "nesting deeper than 64 levels"));

        /* block style */
        StrBuf b = {};
        for (unsigned i = 0; i < 5; i++) {
                for (unsigned j = 0; j < i; j++)
                        strbuf_append(&b, " ");
                strbuf_append(&b, "k:\n");
        }
        _cleanup_(freep) char *block = strbuf_steal(&b);
        ASSERT_NOT_NULL(block);
        lim.max_depth = 4;
        ASSERT_TRUE(load_fails(block, strlen(block), &lim, 5, 5, "nesting deeper than 4 levels"));
        lim.max_depth = 5;
        Diags d = {};
        _cleanup_(ystream_freep) YStream *s2 = NULL;
        ASSERT_OK(ystream_parse(block, strlen(block), &lim, &s2, &d));
}

TEST(billion_laughs) {
        static const char text[] =
                "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
                "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
                "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
        struct timespec t0, t1;

        ASSERT_OK(clock_gettime(CLOCK_MONOTONIC, &t0));
        /* a = 10 nodes, b = 91, c = 820, d = 7381, e = 66430, f = 597871; with the root and the keys
         * that is 672612 when g starts, so g's first alias of f (line 7, column 8) crosses a million. */
        ASSERT_TRUE(load_fails(text, strlen(text), NULL, 7, 8, "YAML aliases expand to more than 1000000 nodes"));
        ASSERT_OK(clock_gettime(CLOCK_MONOTONIC, &t1));
        double secs = (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
        ASSERT_TRUE(secs < 0.5);

        /* The same with a lower limit, and a legitimate use of aliases below it. */
        YLimits lim = YLIMITS_DEFAULT;
        lim.max_expanded_nodes = 100;
        /* 14 nodes up to b's sequence, then 10 per alias of a: the 9th (column 32) crosses 100. */
        ASSERT_TRUE(load_fails(text, strlen(text), &lim, 2, 32, "YAML aliases expand to more than 100 nodes"));

        static const char fine[] = "a: &a [1, 2, 3]\nb: [*a, *a]\n";
        lim.max_expanded_nodes = 1 + 2 + 4 + 1 + 2 * 4; /* root, keys, a, b, two aliases of a */
        Diags d = {};
        _cleanup_(ystream_freep) YStream *s = NULL;
        ASSERT_OK(ystream_parse(fine, strlen(fine), &lim, &s, &d));
        const YNode *b = ynode_get(s->documents[0].root, "b");
        ASSERT_EQ(b->n_items, 2);
        ASSERT_TRUE(b->items[0] == ynode_get(s->documents[0].root, "a")); /* shared, not copied */
        ystream_free(TAKE_PTR(s));
        lim.max_expanded_nodes--;
        ASSERT_TRUE(load_fails(fine, strlen(fine), &lim, 2, 9, "YAML aliases expand to more than 15 nodes"));
}

TEST(node_count_without_aliases) {
        static const char text[] = "[1, 2, 3, 4, 5]";
        YLimits lim = YLIMITS_DEFAULT;

        lim.max_expanded_nodes = 5;
        ASSERT_TRUE(load_fails(text, strlen(text), &lim, 1, 14, "YAML has more than 5 nodes"));
        lim.max_expanded_nodes = 6;
        Diags d = {};
        _cleanup_(ystream_freep) YStream *s = NULL;
        ASSERT_OK(ystream_parse(text, strlen(text), &lim, &s, &d));
}

TEST(many_small_mappings_after_a_big_one) {
        /* The scratch key table grown for the big mapping must not be wiped for every small one. */
        StrBuf b = {};
        strbuf_append(&b, "big:\n");
        for (unsigned i = 0; i < 30000; i++)
                strbuf_printf(&b, "  k%u: %u\n", i, i);
        strbuf_append(&b, "small:\n");
        for (unsigned i = 0; i < 30000; i++)
                strbuf_printf(&b, "- {a: %u}\n", i);
        _cleanup_(freep) char *text = strbuf_steal(&b);
        ASSERT_NOT_NULL(text);

        struct timespec t0, t1;
        ASSERT_OK(clock_gettime(CLOCK_MONOTONIC, &t0));
        _cleanup_(ystream_freep) YStream *s = load_ok(text, strlen(text));
        ASSERT_OK(clock_gettime(CLOCK_MONOTONIC, &t1));
        ASSERT_NOT_NULL(s);
        ASSERT_EQ(ynode_get(s->documents[0].root, "small")->n_items, 30000);
        double secs = (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
        ASSERT_TRUE(secs < 5.0); /* generous for valgrind; wiping the big table each time costs ~45 GB of memset */
}

TEST(line_breaks) {
        static const struct {
                const char *text;
                unsigned line;
        } table[] = {
                { "a: 1\nb: 2\n", 2 },
                { "a: 1\r\nb: 2\r\n", 2 },
                { "a: 1\r\n\r\nb: 2", 3 },
                { "# x\r\n# y\r\na: 1\r\nb: 2", 4 },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                _cleanup_(ystream_freep) YStream *s = load_ok(table[i].text, strlen(table[i].text));
                ASSERT_NOT_NULL(s);
                const YNode *v = ynode_get(s->documents[0].root, "b");
                ASSERT_NOT_NULL(v);
                ASSERT_EQ(v->line, table[i].line);
                ASSERT_EQ(v->column, 4);
                ASSERT_EQ(v->int_value, 2);
        }
}

TEST(anchor_redefinition) {
        static const char text[] = "a: &x 1\nb: *x\nc: &x 2\nd: *x\n";
        _cleanup_(ystream_freep) YStream *s = load_ok(text, strlen(text));
        ASSERT_NOT_NULL(s);
        ASSERT_EQ(ynode_get(s->documents[0].root, "b")->int_value, 1);
        ASSERT_EQ(ynode_get(s->documents[0].root, "d")->int_value, 2);
}

TEST(type_names) {
        static const struct {
                const char *text;
                const char *name;
        } table[] = {
                { "v: x", "string" },  { "v: 1", "integer" }, { "v: 1.5", "number" }, { "v: true", "boolean" },
                { "v: ~", "null" },    { "v: {}", "object" }, { "v: []", "array" },
        };

        ASSERT_STREQ(ynode_type_name(NULL), "null");
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                _cleanup_(ystream_freep) YStream *s = load_ok(table[i].text, strlen(table[i].text));
                ASSERT_NOT_NULL(s);
                ASSERT_STREQ(ynode_type_name(ynode_get(s->documents[0].root, "v")), table[i].name);
        }
}

TEST(large_mapping) {
        /* Many keys: duplicate detection must not be quadratic, and the last key still dups. */
        StrBuf b = {};
        for (unsigned i = 0; i < 50000; i++)
                strbuf_printf(&b, "key%u: %u\n", i, i);
        strbuf_append(&b, "key777: again\n");
        _cleanup_(freep) char *text = strbuf_steal(&b);
        ASSERT_NOT_NULL(text);
        ASSERT_TRUE(load_fails(text, strlen(text), NULL, 50001, 1, "duplicate key \"key777\" (first at line 778)"));
        text[strlen(text) - strlen("key777: again\n")] = '\0';
        _cleanup_(ystream_freep) YStream *s = load_ok(text, strlen(text));
        ASSERT_NOT_NULL(s);
        ASSERT_EQ(s->documents[0].root->n_pairs, 50000);
        ASSERT_EQ(ynode_get(s->documents[0].root, "key49999")->int_value, 49999);
}
