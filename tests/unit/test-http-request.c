/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "http-request.h"
#include "string-util.h"
#include "strv.h"
#include "tests.h"

static ContainerPort ports[] = {
        { .name = (char *) "http", .container_port = { true, 8080 } },
        { .name = (char *) "grpc", .container_port = { true, 9090 } },
        { .name = (char *) "123", .container_port = { true, 4000 } }, /* a name wins over the number */
        { .name = (char *) "unset" },                                 /* no containerPort: 0 */
};

static Container container = {
        .name = (char *) "app",
        .ports = ports,
        .n_ports = ELEMENTSOF(ports),
};

#define port_int(v) ((IntOrString) { .set = true, .int_value = (v) })
#define port_name(s) ((IntOrString) { .set = true, .is_string = true, .str_value = (char *) (s) })

typedef struct PortCase {
        const Container *container;
        IntOrString port;
        int expected; /* the port, or -1 for an error */
        const char *error;
} PortCase;

TEST(container_port_resolve) {
        const PortCase cases[] = {
                { &container, port_int(80), 80, NULL },
                { &container, port_int(65535), 65535, NULL },
                { &container, port_int(0), -1, "invalid port number: 0" },
                { &container, port_int(65536), -1, "invalid port number: 65536" },
                { &container, port_int(-3), -1, "invalid port number: -3" },
                { &container, port_name("http"), 8080, NULL },
                { &container, port_name("grpc"), 9090, NULL },
                { &container, port_name("123"), 4000, NULL },
                { &container, port_name("unset"), -1, "invalid port number: 0" },
                { &container, port_name("8081"), 8081, NULL },
                { &container, port_name("+8082"), 8082, NULL },
                { &container, port_name("+-1"), -1, "strconv.Atoi: parsing \"+-1\": invalid syntax" },
                { &container, port_name("metrics"), -1, "strconv.Atoi: parsing \"metrics\": invalid syntax" },
                { &container, port_name(""), -1, "strconv.Atoi: parsing \"\": invalid syntax" },
                { &container, port_name(NULL), -1, "strconv.Atoi: parsing \"\": invalid syntax" },
                { &container, port_name("70000"), -1, "invalid port number: 70000" },
                { &container, port_name("99999999999999999999"), -1,
                  "strconv.Atoi: parsing \"99999999999999999999\": value out of range" },
                { &container, port_name("HTTP"), -1, "strconv.Atoi: parsing \"HTTP\": invalid syntax" },
                { &container, (IntOrString) {}, -1, "intOrString had no kind: {}" },
                /* pod-hook at run time: no container, so names no longer resolve; numbers still do. */
                { NULL, port_name("http"), -1, "strconv.Atoi: parsing \"http\": invalid syntax" },
                { NULL, port_name("123"), 123, NULL },
                { NULL, port_int(8080), 8080, NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const PortCase *t = &cases[i];
                uint16_t port = 0;
                char *error = NULL;
                int r = container_port_resolve(t->container, &t->port, &port, &error);

                if (t->expected >= 0) {
                        if (r < 0)
                                TEST_FAIL("case %zu: failed: %s", i, error);
                        ASSERT_EQ(port, t->expected);
                        ASSERT_NULL(error);
                } else {
                        ASSERT_ERROR(r, EINVAL);
                        if (!streq_ptr(error, t->error))
                                TEST_FAIL("case %zu: error \"%s\", expected \"%s\"", i, error ?: "(null)", t->error);
                        free(error);
                }
        }
}

typedef struct UrlCase {
        const char *scheme, *host;
        uint16_t port;
        const char *path;
        const char *url;
} UrlCase;

TEST(http_request_url) {
        const UrlCase cases[] = {
                { "HTTP", "127.0.0.1", 8080, "/", "http://127.0.0.1:8080/" },
                { "HTTPS", "127.0.0.1", 443, NULL, "https://127.0.0.1:443/" },
                { "Http", "127.0.0.1", 80, "", "http://127.0.0.1:80/" },
                { "HTTP", "127.0.0.1", 80, "healthz?full=1&x=%20", "http://127.0.0.1:80/healthz?full=1&x=%20" },
                { "HTTP", "127.0.0.1", 80, "/a b", "http://127.0.0.1:80/a%20b" },
                { "HTTP", "127.0.0.1", 80, "/\t\x7f\xc3\xa9", "http://127.0.0.1:80/%09%7F%C3%A9" },
                { "HTTP", "::1", 80, "/h", "http://[::1]:80/h" },
                { "HTTP", "fe80::1%eth0", 1, "/", "http://[fe80::1%eth0]:1/" },
                { "HTTP", "example.test", 65535, "//x", "http://example.test:65535//x" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const UrlCase *t = &cases[i];
                char *url = http_request_url(t->scheme, t->host, t->port, t->path);

                ASSERT_NOT_NULL(url);
                if (!streq(url, t->url))
                        TEST_FAIL("case %zu: \"%s\", expected \"%s\"", i, url, t->url);
                free(url);
        }
}

TEST(http_host_port) {
        const struct {
                const char *host;
                uint16_t port;
                const char *expected;
        } cases[] = {
                { "127.0.0.1", 80, "127.0.0.1:80" },
                { "::1", 8443, "[::1]:8443" },
                { "example.test", 1, "example.test:1" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *s = http_host_port(cases[i].host, cases[i].port);
                ASSERT_NOT_NULL(s);
                ASSERT_STREQ(s, cases[i].expected);
                free(s);
        }
}

#define MAX_HEADERS 4
#define H(n, v) { (n), (v) }

typedef struct HeaderCase {
        const char *name;
        HttpHeaderRef headers[MAX_HEADERS];
        size_t n;
        const char *user_agent;
        const char *expected; /* joined with '|' */
} HeaderCase;

TEST(http_request_headers) {
        const HeaderCase cases[] = {
                { "defaults, probe", {}, 0, HTTP_USER_AGENT_PROBE, "User-Agent: kube-probe/1.33|Accept: */*" },
                { "defaults, hook", {}, 0, HTTP_USER_AGENT_LIFECYCLE,
                  "User-Agent: kube-lifecycle/1.33|Accept: */*" },
                { "repeated names, empty value", { H("X-A", "1"), H("X-A", "2"), H("X-Empty", "") }, 3,
                  HTTP_USER_AGENT_LIFECYCLE, "X-A: 1|X-A: 2|X-Empty;|User-Agent: kube-lifecycle/1.33|Accept: */*" },
                { "NULL value is empty", { H("X-Null", NULL) }, 1, HTTP_USER_AGENT_PROBE,
                  "X-Null;|User-Agent: kube-probe/1.33|Accept: */*" },
                { "nameless entry skipped", { H("", "v"), H(NULL, "w") }, 2, HTTP_USER_AGENT_PROBE,
                  "User-Agent: kube-probe/1.33|Accept: */*" },
                { "own user agent (first) and accept",
                  { H("user-agent", "me/1"), H("Accept", "text/plain"), H("User-Agent", "ignored") }, 3,
                  HTTP_USER_AGENT_PROBE, "Accept: text/plain|User-Agent: me/1" },
                { "repeated accept", { H("Accept", "a/b"), H("accept", "c/d") }, 2, HTTP_USER_AGENT_PROBE,
                  "Accept: a/b|accept: c/d|User-Agent: kube-probe/1.33" },
                { "empty accept removes it", { H("Accept", "") }, 1, HTTP_USER_AGENT_PROBE,
                  "User-Agent: kube-probe/1.33|Accept:" },
                { "empty first accept removes every accept", { H("Accept", ""), H("accept", "a/b") }, 2,
                  HTTP_USER_AGENT_LIFECYCLE, "User-Agent: kube-lifecycle/1.33|Accept:" },
                { "empty user agent sends none", { H("User-Agent", "") }, 1, HTTP_USER_AGENT_LIFECYCLE,
                  "User-Agent:|Accept: */*" },
                { "host header, first only", { H("Host", "svc.example"), H("host", "other") }, 2,
                  HTTP_USER_AGENT_PROBE, "Host: svc.example|User-Agent: kube-probe/1.33|Accept: */*" },
                { "empty host keeps the URL's", { H("Host", ""), H("Host", "late") }, 2, HTTP_USER_AGENT_PROBE,
                  "User-Agent: kube-probe/1.33|Accept: */*" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const HeaderCase *t = &cases[i];
                char **l = NULL;

                ASSERT_OK(http_request_headers(t->headers, t->n, t->user_agent, &l));
                /* The lines in order, each checked against the '|'-separated expectation. */
                const char *e = t->expected;
                size_t k = 0;
                for (; l && l[k]; k++) {
                        size_t n = strcspn(e, "|");
                        if (strlen(l[k]) != n || strncmp(l[k], e, n) != 0)
                                TEST_FAIL("%s: line %zu \"%s\", expected \"%.*s\"", t->name, k, l[k], (int) n, e);
                        e += n + (e[n] == '|');
                }
                if (*e)
                        TEST_FAIL("%s: %zu lines, missing \"%s\"", t->name, k, e);
                strv_free(l);
        }
}

TEST(kube_version) {
        /* One release for both agents. */
        ASSERT_STREQ(HTTP_USER_AGENT_PROBE, "kube-probe/" KUBE_VERSION);
        ASSERT_STREQ(HTTP_USER_AGENT_LIFECYCLE, "kube-lifecycle/" KUBE_VERSION);
}
