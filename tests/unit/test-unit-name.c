/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "string-util.h"
#include "tests.h"
#include "unit-name.h"

typedef struct EscapeCase {
        const char *raw;
        const char *escaped;
} EscapeCase;

/* Expected values are the output of `systemd-escape -- RAW` (systemd 252). */
static const EscapeCase escape_cases[] = {
        { "",            "" },
        { "default",     "default" },
        { "kube-system", "kube\\x2dsystem" },
        { "my-pod.v1",   "my\\x2dpod.v1" },
        { "a/b/c",       "a-b-c" },
        { "/leading",    "-leading" },
        { "/",           "-" },
        { ".hidden",     "\\x2ehidden" },
        { "..a",         "\\x2e.a" },
        { "a.b.",        "a.b." },
        { "tab\tx",      "tab\\x09x" },
        { "line\nnext",  "line\\x0anext" },
        { "\xc3\xbc",    "\\xc3\\xbc" },
        { "caf\xc3\xa9", "caf\\xc3\\xa9" },
        { "x@y",         "x\\x40y" },
        { "100%",        "100\\x25" },
        { "%2f",         "\\x252f" },
        { "a\\b",        "a\\x5cb" },
        { "--",          "\\x2d\\x2d" },
        { "a:b_c",       "a:b_c" },
        { "C-3PO",       "C\\x2d3PO" },
        { "a b",         "a\\x20b" },
        { "$",           "\\x24" },
        { "~",           "\\x7e" },
        { "\x01\x7f\xff", "\\x01\\x7f\\xff" },
        { "abc/def-ghi", "abc-def\\x2dghi" },
};

TEST(escape) {
        for (size_t i = 0; i < ELEMENTSOF(escape_cases); i++) {
                const EscapeCase *c = &escape_cases[i];
                _cleanup_(freep) char *e = unit_name_escape(c->raw);
                ASSERT_STREQ(e, c->escaped);

                _cleanup_(freep) char *u = NULL;
                ASSERT_OK(unit_name_unescape(e, &u));
                ASSERT_STREQ(u, c->raw);
        }
}

TEST(unescape) {
        static const EscapeCase ok[] = {
                /* `systemd-escape -u` accepts upper-case hex and unescaped bytes it would have escaped */
                { "a-b", "a\\x2Db" },
                { "aA", "a\\x41" },
                { "a/b", "a-b" },
                { ".x", ".x" },
                { "a b", "a b" },
        };
        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                _cleanup_(freep) char *u = NULL;
                ASSERT_OK(unit_name_unescape(ok[i].escaped, &u));
                ASSERT_STREQ(u, ok[i].raw);
        }

        static const char *const bad[] = { "a\\x4", "a\\n", "a\\\\", "a\\xZZ", "\\u0041", "\\", "a\\x", "a\\x00b" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *u = NULL;
                ASSERT_ERROR(unit_name_unescape(bad[i], &u), EINVAL);
                ASSERT_NULL(u);
        }
}

TEST(escape_round_trip_all_bytes) {
        char raw[256];
        for (int i = 1; i < 256; i++)
                raw[i - 1] = (char) i;
        raw[255] = 0;
        _cleanup_(freep) char *e = unit_name_escape(raw);
        ASSERT_NOT_NULL(e);
        for (const char *p = e; *p; p++)
                ASSERT_TRUE(strchr("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:_.\\-", *p));
        _cleanup_(freep) char *u = NULL;
        ASSERT_OK(unit_name_unescape(e, &u));
        ASSERT_STREQ(u, raw);
}

typedef struct PodCase {
        const char *ns, *pod, *container;
        const char *ns_slice, *pod_slice, *service;
} PodCase;

TEST(pod_names) {
        static const PodCase cases[] = {
                { "default", "web", "nginx",
                  "pod-default.slice", "pod-default-web.slice", "pod-default-web-nginx.service" },
                { "kube-system", "coredns-5d78c9869d-abcde", "coredns",
                  "pod-kube\\x2dsystem.slice", "pod-kube\\x2dsystem-coredns\\x2d5d78c9869d\\x2dabcde.slice",
                  "pod-kube\\x2dsystem-coredns\\x2d5d78c9869d\\x2dabcde-coredns.service" },
                { "a", "my.pod", "c-1",
                  "pod-a.slice", "pod-a-my.pod.slice", "pod-a-my.pod-c\\x2d1.service" },
                { "x", ".dot", "y",
                  "pod-x.slice", "pod-x-\\x2edot.slice", "pod-x-\\x2edot-y.service" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const PodCase *c = &cases[i];
                _cleanup_(freep) char *a = NULL, *b = NULL, *s = NULL;
                ASSERT_OK(unit_name_namespace_slice(c->ns, &a));
                ASSERT_OK(unit_name_pod_slice(c->ns, c->pod, &b));
                ASSERT_OK(unit_name_container_service(c->ns, c->pod, c->container, &s));
                ASSERT_STREQ(a, c->ns_slice);
                ASSERT_STREQ(b, c->pod_slice);
                ASSERT_STREQ(s, c->service);
                ASSERT_TRUE(unit_name_is_valid(a));
                ASSERT_TRUE(unit_name_is_valid(b));
                ASSERT_TRUE(unit_name_is_valid(s));

                /* parse reverses every one of them */
                _cleanup_(freep) char *ns = NULL, *pod = NULL, *container = NULL;
                ASSERT_OK(unit_name_parse(s, &ns, &pod, &container));
                ASSERT_STREQ(ns, c->ns);
                ASSERT_STREQ(pod, c->pod);
                ASSERT_STREQ(container, c->container);

                _cleanup_(freep) char *ns2 = NULL, *pod2 = NULL, *container2 = NULL;
                ASSERT_OK(unit_name_parse(b, &ns2, &pod2, &container2));
                ASSERT_STREQ(ns2, c->ns);
                ASSERT_STREQ(pod2, c->pod);
                ASSERT_NULL(container2);

                _cleanup_(freep) char *ns3 = NULL, *pod3 = NULL, *container3 = NULL;
                ASSERT_OK(unit_name_parse(a, &ns3, &pod3, &container3));
                ASSERT_STREQ(ns3, c->ns);
                ASSERT_NULL(pod3);
                ASSERT_NULL(container3);

                /* the slice nesting is namespace → pod: the pod slice's parent is the namespace slice */
                size_t la = strlen(a) - strlen(".slice");
                ASSERT_TRUE(strneq(a, b, la) && b[la] == '-');
                size_t lb = strlen(b) - strlen(".slice");
                ASSERT_TRUE(strneq(b, s, lb) && s[lb] == '-');
        }

        /* the top slice, and NULL out-parameters */
        char *ns = (char *) "untouched";
        ASSERT_OK(unit_name_parse("pod.slice", &ns, NULL, NULL));
        ASSERT_NULL(ns);
        ASSERT_OK(unit_name_parse("pod-a-b-c.service", NULL, NULL, NULL));
}

TEST(pod_names_distinct) {
        /* Triples that a naive '-' join would collide. */
        static const char *const triples[][3] = {
                { "a-b", "c", "d" },
                { "a", "b-c", "d" },
                { "a", "b", "c-d" },
                { "a-b-c", "d", "e" },
                { "a", "b", "c" },
                { "a.b", "c", "d" },
                { "a", "b.c", "d" },
                { "ab", "c", "d" },
                { "a", "bc", "d" },
                { "a-", "b", "c" },
                { "-a", "b", "c" },
        };
        char *names[ELEMENTSOF(triples)] = {};
        char *slices[ELEMENTSOF(triples)] = {};
        for (size_t i = 0; i < ELEMENTSOF(triples); i++) {
                ASSERT_OK(unit_name_container_service(triples[i][0], triples[i][1], triples[i][2], &names[i]));
                ASSERT_OK(unit_name_pod_slice(triples[i][0], triples[i][1], &slices[i]));
        }
        for (size_t i = 0; i < ELEMENTSOF(triples); i++)
                for (size_t j = i + 1; j < ELEMENTSOF(triples); j++) {
                        ASSERT_FALSE(streq(names[i], names[j]));
                        if (!streq(triples[i][0], triples[j][0]) || !streq(triples[i][1], triples[j][1]))
                                ASSERT_FALSE(streq(slices[i], slices[j]));
                }
        ASSERT_STREQ(names[0], "pod-a\\x2db-c-d.service");
        ASSERT_STREQ(names[1], "pod-a-b\\x2dc-d.service");
        for (size_t i = 0; i < ELEMENTSOF(triples); i++) {
                free(names[i]);
                free(slices[i]);
        }
}

TEST(pod_names_invalid) {
        char *s = NULL;
        ASSERT_ERROR(unit_name_namespace_slice("", &s), EINVAL);
        ASSERT_ERROR(unit_name_pod_slice("a", "", &s), EINVAL);
        ASSERT_ERROR(unit_name_container_service("a", "b", "", &s), EINVAL);
        ASSERT_ERROR(unit_name_container_service("a", "b/c", "d", &s), EINVAL);
        ASSERT_ERROR(unit_name_pod_slice("a/b", "c", &s), EINVAL);
        ASSERT_NULL(s);

        /* 255 bytes fit, 256 do not: "pod-" + ns + ".slice" */
        char ns[300];
        memset(ns, 'n', sizeof ns);
        ns[255 - strlen("pod-.slice")] = 0;
        ASSERT_OK(unit_name_namespace_slice(ns, &s));
        ASSERT_EQ(strlen(s), 255);
        ASSERT_TRUE(unit_name_is_valid(s));
        free(s);
        s = NULL;
        ns[255 - strlen("pod-.slice")] = 'n';
        ns[256 - strlen("pod-.slice")] = 0;
        ASSERT_ERROR(unit_name_namespace_slice(ns, &s), ENAMETOOLONG);
        /* a 253-character pod name full of '-' escapes far past the limit */
        char pod[254];
        memset(pod, '-', 253);
        pod[253] = 0;
        ASSERT_ERROR(unit_name_pod_slice("default", pod, &s), ENAMETOOLONG);
        ASSERT_NULL(s);
}

TEST(parse_rejects_foreign) {
        static const char *const foreign[] = {
                "", "pod", "pod.service", "pod-a.service", "pod-a-b.service", "pod-a-b-c-d.service",
                "pod-a-b-c.slice", "pod-a-b-c.scope", "pod-.slice", "pod--a.slice", "pod-a-.slice",
                "pod-a--b.slice", "podx-a.slice", "x-a.slice", "system.slice", "user-1000.slice",
                "pod-a\\x41.slice",   /* 'A' needs no escape: not a name we would make */
                "pod-.a.slice",       /* a leading '.' would have been escaped */
                "pod-a\\x2fb.slice",  /* '/' is never in a Kubernetes name */
                "pod-a\\x00.slice", "pod-a\\xzz.slice", "pod-a b.slice", "pod-a@b.slice", "pod-a.mount",
                "pod-a-b-c.service.d",
        };
        for (size_t i = 0; i < ELEMENTSOF(foreign); i++) {
                char *ns = NULL, *pod = NULL, *container = NULL;
                fprintf(stderr, "  %s\n", foreign[i]);
                ASSERT_ERROR(unit_name_parse(foreign[i], &ns, &pod, &container), EINVAL);
                ASSERT_NULL(ns);
                ASSERT_NULL(pod);
                ASSERT_NULL(container);
        }
}

TEST(is_valid) {
        static const struct {
                const char *name;
                bool valid;
        } cases[] = {
                { "foo.service", true },
                { "foo.slice", true },
                { "foo.scope", true },
                { "foo.mount", true },
                { "foo.socket", true },
                { "foo.target", true },
                { "foo.timer", true },
                { "foo.path", true },
                { "foo.swap", true },
                { "foo.device", true },
                { "foo.automount", true },
                { "foo@bar.service", true },
                { "foo@.service", true },          /* a template */
                { "foo@bar@baz.service", true },   /* systemd allows '@' inside the instance */
                { "a\\x2db-c:d_e.f.service", true },
                { "pod.slice", true },
                { "", false },
                { "foo", false },
                { "foo.", false },
                { ".service", false },
                { "foo.bar", false },
                { "foo.Service", false },
                { "@foo.service", false },
                { "@.service", false },
                { "foo bar.service", false },
                { "foo/bar.service", false },
                { "f\xc3\xb6o.service", false },
                { "foo%.service", false },
                { "foo.service.", false },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                fprintf(stderr, "  %s\n", cases[i].name);
                ASSERT_EQ(unit_name_is_valid(cases[i].name), cases[i].valid);
        }

        /* the length limit is 255 bytes */
        char name[300];
        memset(name, 'a', sizeof name);
        strcpy(name + 255 - strlen(".service"), ".service");
        ASSERT_TRUE(unit_name_is_valid(name));
        memset(name, 'a', sizeof name);
        strcpy(name + 256 - strlen(".service"), ".service");
        ASSERT_FALSE(unit_name_is_valid(name));
}
