/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "probe-target.h"
#include "strv.h"
#include "tests.h"

#define STRV_MAKE(...) ((char *[]) { __VA_ARGS__, NULL })
#define STRV_MAKE_EMPTY ((char *[]) { NULL })

static ContainerPort ports[] = {
        { .name = (char *) "http", .container_port = { true, 8080 } },
        { .name = (char *) "grpc", .container_port = { true, 9090 } },
        { .name = (char *) "123", .container_port = { true, 4000 } }, /* a name wins over the number */
};

static EnvVar env[] = {
        { .name = (char *) "A", .value = (char *) "first" },
        { .name = (char *) "B", .value = (char *) "bee" },
        { .name = (char *) "A", .value = (char *) "second" }, /* the last entry wins */
        { .name = (char *) "SECRET", .value = NULL, .value_from = &(EnvVarSource) {} },
        { .name = (char *) "REF", .value = (char *) "$(B)" }, /* values are not expanded again */
};

static Container container = {
        .name = (char *) "app",
        .ports = ports,
        .n_ports = ELEMENTSOF(ports),
        .env = env,
        .n_env = ELEMENTSOF(env),
};

static Pod pod = { .metadata = { .name = (char *) "web", .namespace = (char *) "default" } };

static IntOrString port_int(int64_t v) {
        return (IntOrString) { .set = true, .int_value = v };
}

static IntOrString port_name(const char *s) {
        return (IntOrString) { .set = true, .is_string = true, .str_value = (char *) s };
}

/* Port resolution itself is tested in test-http-request.c (container_port_resolve); here only how a probe
 * target carries its result. */

typedef struct HTTPCase {
        const char *name;
        HTTPGetAction get;
        const char *url;
        const char *headers; /* joined with '|' */
        const char *error;
} HTTPCase;

static char *join(char **l) {
        size_t n = 0;
        STRV_FOREACH(s, l)
                n += strlen(*s) + 1;
        char *r = calloc(1, n + 1), *p = r;
        STRV_FOREACH(s, l)
                p = stpcpy(stpcpy(p, p == r ? "" : "|"), *s);
        return r;
}

#define HEADERS(...) .http_headers = (HTTPHeader[]) { __VA_ARGS__ }, \
                     .n_http_headers = sizeof((HTTPHeader[]) { __VA_ARGS__ }) / sizeof(HTTPHeader)
#define H(n, v) { .name = (char *) (n), .value = (char *) (v) }

TEST(http_get) {
        const HTTPCase cases[] = {
                { "defaults", { .port = port_int(8080), .scheme = (char *) "HTTP", .path = (char *) "/" },
                  "http://127.0.0.1:8080/", "User-Agent: kube-probe/1.33|Accept: */*|Connection: close", NULL },
                { "no path, https", { .port = port_name("http"), .scheme = (char *) "HTTPS" },
                  "https://127.0.0.1:8080/", "User-Agent: kube-probe/1.33|Accept: */*|Connection: close", NULL },
                { "path without slash, query kept",
                  { .port = port_int(80), .path = (char *) "healthz?full=1&x=%20" },
                  "http://127.0.0.1:80/healthz?full=1&x=%20", "User-Agent: kube-probe/1.33|Accept: */*|Connection: close", NULL },
                { "space escaped", { .port = port_int(80), .path = (char *) "/a b" },
                  "http://127.0.0.1:80/a%20b", "User-Agent: kube-probe/1.33|Accept: */*|Connection: close", NULL },
                { "IPv6 host bracketed", { .port = port_int(80), .host = (char *) "::1", .path = (char *) "/h" },
                  "http://[::1]:80/h", "User-Agent: kube-probe/1.33|Accept: */*|Connection: close", NULL },
                { "host name", { .port = port_int(80), .host = (char *) "example.test" },
                  "http://example.test:80/", "User-Agent: kube-probe/1.33|Accept: */*|Connection: close", NULL },
                { "custom headers, repeated names, empty value",
                  { .port = port_int(80), HEADERS(H("X-A", "1"), H("X-A", "2"), H("X-Empty", "")) },
                  "http://127.0.0.1:80/", "X-A: 1|X-A: 2|X-Empty;|User-Agent: kube-probe/1.33|Accept: */*|Connection: close", NULL },
                { "own user agent and accept",
                  { .port = port_int(80), HEADERS(H("user-agent", "me/1"), H("Accept", "text/plain"),
                                                  H("User-Agent", "ignored")) },
                  "http://127.0.0.1:80/", "Accept: text/plain|User-Agent: me/1|Connection: close", NULL },
                { "empty accept removes it", { .port = port_int(80), HEADERS(H("Accept", "")) },
                  "http://127.0.0.1:80/", "User-Agent: kube-probe/1.33|Accept:|Connection: close", NULL },
                { "empty first accept removes every accept",
                  { .port = port_int(80), HEADERS(H("Accept", ""), H("accept", "a/b")) },
                  "http://127.0.0.1:80/", "User-Agent: kube-probe/1.33|Accept:|Connection: close", NULL },
                { "empty user agent sends none", { .port = port_int(80), HEADERS(H("User-Agent", "")) },
                  "http://127.0.0.1:80/", "User-Agent:|Accept: */*|Connection: close", NULL },
                { "host header kept, first only",
                  { .port = port_int(80), HEADERS(H("Host", "svc.example"), H("host", "other")) },
                  "http://127.0.0.1:80/", "Host: svc.example|User-Agent: kube-probe/1.33|Accept: */*|Connection: close", NULL },
                { "own connection header that closes", { .port = port_int(80), HEADERS(H("connection", "Close")) },
                  "http://127.0.0.1:80/", "connection: Close|User-Agent: kube-probe/1.33|Accept: */*", NULL },
                { "own connection header that keeps alive: both, as Go sends them",
                  { .port = port_int(80), HEADERS(H("Connection", "keep-alive, foo")) }, "http://127.0.0.1:80/",
                  "Connection: keep-alive, foo|User-Agent: kube-probe/1.33|Accept: */*|Connection: close", NULL },
                { "unknown port name", { .port = port_name("admin") }, NULL, NULL,
                  "strconv.Atoi: parsing \"admin\": invalid syntax" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const HTTPCase *t = &cases[i];
                Probe probe = { .handler = { .http_get = (HTTPGetAction *) &t->get } };
                ProbeTarget pt = {};

                ASSERT_OK(probe_target_build(&pod, &container, &probe, "127.0.0.1", &pt));
                ASSERT_EQ(pt.kind, HANDLER_HTTP_GET);
                ASSERT_EQ(pt.timeout_usec, 1000000);
                if (t->error) {
                        if (!streq_ptr(pt.error, t->error))
                                TEST_FAIL("%s: error \"%s\"", t->name, pt.error ?: "(null)");
                } else {
                        char *h = join(pt.headers);
                        if (pt.error || !streq_ptr(pt.url, t->url) || !streq_ptr(h, t->headers))
                                TEST_FAIL("%s: url %s headers %s error %s", t->name, pt.url, h,
                                          pt.error ?: "(null)");
                        free(h);
                }
                probe_target_done(&pt);
        }
}

typedef struct ExecCase {
        const char *name;
        char **command;
        const char *argv; /* joined with '|' */
        const char *error;
} ExecCase;

TEST(exec) {
        const ExecCase cases[] = {
                { "plain", STRV_MAKE("cat", "/tmp/healthy"), "cat|/tmp/healthy", NULL },
                { "expanded, last wins, value not re-expanded",
                  STRV_MAKE("echo", "$(A)-$(B)", "$(REF)"), "echo|second-bee|$(B)", NULL },
                { "valueFrom entries expand to nothing", STRV_MAKE("x$(SECRET)y"), "xy", NULL },
                { "unknown kept, $$ escapes", STRV_MAKE("$(NOPE)", "$$(A)", "$HOME"), "$(NOPE)|$(A)|$HOME",
                  NULL },
                { "empty", STRV_MAKE_EMPTY, "", "exec: no command given" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const ExecCase *t = &cases[i];
                ExecAction exec = { .command = t->command };
                Probe probe = { .handler = { .exec = &exec }, .timeout_seconds = { true, 5 } };
                ProbeTarget pt = {};

                ASSERT_OK(probe_target_build(&pod, &container, &probe, "127.0.0.1", &pt));
                ASSERT_EQ(pt.kind, HANDLER_EXEC);
                ASSERT_EQ(pt.timeout_usec, 5000000);
                char *a = join(pt.argv);
                if (!streq_ptr(a, t->argv) || !streq_ptr(pt.error, t->error))
                        TEST_FAIL("%s: argv %s error %s", t->name, a, pt.error ?: "(null)");
                free(a);
                probe_target_done(&pt);
        }
}

TEST(tcp_and_grpc) {
        TCPSocketAction tcp = { .port = port_name("grpc") };
        TCPSocketAction tcp_host = { .port = port_int(22), .host = (char *) "10.0.0.1" };
        TCPSocketAction tcp_bad = { .port = port_name("nope") };
        GRPCAction grpc = { .port = { true, 9090 } };
        GRPCAction grpc_service = { .port = { true, 9091 }, .service = (char *) "liveness" };
        GRPCAction grpc_bad = { .port = { true, 0 } };
        const struct {
                Handler h;
                HandlerKind kind;
                const char *host;
                unsigned port;
                const char *service;
                const char *error;
        } cases[] = {
                { { .tcp_socket = &tcp }, HANDLER_TCP_SOCKET, "127.0.0.1", 9090, NULL, NULL },
                { { .tcp_socket = &tcp_host }, HANDLER_TCP_SOCKET, "10.0.0.1", 22, NULL, NULL },
                { { .tcp_socket = &tcp_bad }, HANDLER_TCP_SOCKET, "127.0.0.1", 0, NULL,
                  "strconv.Atoi: parsing \"nope\": invalid syntax" },
                { { .grpc = &grpc }, HANDLER_GRPC, "192.0.2.7", 9090, "", NULL },
                { { .grpc = &grpc_service }, HANDLER_GRPC, "192.0.2.7", 9091, "liveness", NULL },
                { { .grpc = &grpc_bad }, HANDLER_GRPC, "192.0.2.7", 0, "", "invalid port number: 0" },
                { {}, _HANDLER_KIND_INVALID, NULL, 0, NULL, "missing probe handler for web:app" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Probe probe = { .handler = cases[i].h, .timeout_seconds = { true, 0 } };
                ProbeTarget pt = {};
                const char *host = cases[i].h.grpc ? "192.0.2.7" : "127.0.0.1";

                ASSERT_OK(probe_target_build(&pod, &container, &probe, host, &pt));
                ASSERT_EQ(pt.kind, cases[i].kind);
                ASSERT_EQ(pt.timeout_usec, 1000000); /* 0 → 1 s */
                if (cases[i].host)
                        ASSERT_STREQ(pt.host, cases[i].host);
                ASSERT_EQ(pt.port, cases[i].port);
                if (cases[i].service)
                        ASSERT_STREQ(pt.service, cases[i].service);
                else
                        ASSERT_NULL(pt.service);
                if (cases[i].error)
                        ASSERT_STREQ(pt.error, cases[i].error);
                else
                        ASSERT_NULL(pt.error);
                probe_target_done(&pt);
        }
}
