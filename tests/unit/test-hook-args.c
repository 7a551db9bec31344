/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "hook-args.h"
#include "strv.h"
#include "tests.h"

#define S(s) ((char *) (s))

/* Builds argv for handler h, parses it back and returns the spec. */
static void round_trip(const Pod *pod, const Container *c, HookPoint point, const Handler *h, int64_t grace,
                       HookSpec *ret) {
        char **args = NULL, **argv = NULL;
        char *error = NULL;

        ASSERT_OK(hook_args_build(pod, c, point, h, grace, &args));
        ASSERT_OK(strv_extend(&argv, "pod-hook"));
        STRV_FOREACH(a, args)
                ASSERT_OK(strv_extend(&argv, *a));
        ASSERT_OK(hook_args_parse((int) strv_length(argv), argv, ret, &error));
        ASSERT_NULL(error);
        strv_free(args);
        strv_free(argv);
}

static ContainerPort ports[] = {
        { .name = S("http"), .container_port = { true, 8080 } },
        { .name = S("admin"), .container_port = { true, 9000 } },
};
static Lifecycle lifecycle = { .stop_signal = S("SIGUSR1") };
static Container container = { .name = S("nginx"), .ports = ports, .n_ports = 2, .lifecycle = &lifecycle };
static Pod pod = { .metadata = { .name = S("web"), .namespace = S("prod"), .uid = S("1234-abcd") } };

TEST(hook_args_exec) {
        char *cmd[] = { S("/bin/sh"), S("-c"), S("--not-an-option $(X)"), NULL };
        ExecAction exec = { .command = cmd };
        Handler h = { .exec = &exec };
        HookSpec s;

        round_trip(&pod, &container, HOOK_POST_START, &h, 30, &s);
        ASSERT_EQ(s.point, HOOK_POST_START);
        ASSERT_STREQ(s.namespace, "prod");
        ASSERT_STREQ(s.pod, "web");
        ASSERT_STREQ(s.container, "nginx");
        ASSERT_STREQ(s.pod_uid, "1234-abcd");
        ASSERT_EQ(s.grace_seconds, 30);
        ASSERT_STREQ(s.stop_signal, "SIGUSR1");
        ASSERT_EQ(s.kind, HOOK_HANDLER_EXEC);
        ASSERT_EQ(strv_length(s.exec_argv), 3);
        for (size_t i = 0; i < 3; i++)
                ASSERT_STREQ(s.exec_argv[i], cmd[i]);
        hook_spec_done(&s);
}

TEST(hook_args_exact_argv) {
        char *cmd[] = { S("/bin/true"), NULL };
        ExecAction exec = { .command = cmd };
        Handler h = { .exec = &exec };
        Pod p = { .metadata = { .name = S("web"), .namespace = S("default") } };
        Container c = { .name = S("app") };
        char **args = NULL;

        ASSERT_OK(hook_args_build(&p, &c, HOOK_PRE_STOP, &h, -1, &args));
        const char *expected[] = { "--hook=preStop", "--namespace=default", "--pod=web", "--container=app",
                                   "exec", "--", "/bin/true", NULL };
        ASSERT_EQ(strv_length(args), ELEMENTSOF(expected) - 1);
        for (size_t i = 0; expected[i]; i++)
                ASSERT_STREQ(args[i], expected[i]);
        strv_free(args);
}

TEST(hook_args_http_get) {
        HTTPHeader headers[] = { { .name = S("Host"), .value = S("example.com") },
                                 { .name = S("X-Time"), .value = S("12:30:00") } };
        static const struct {
                IntOrString port;
                const char *expected_port;
        } cases[] = {
                { { .set = true, .int_value = 80 }, "80" },
                { { .set = true, .is_string = true, .str_value = (char *) "http" }, "8080" },  /* resolved */
                { { .set = true, .is_string = true, .str_value = (char *) "admin" }, "9000" },
                { { .set = true, .is_string = true, .str_value = (char *) "metrics" }, "metrics" }, /* stays a name */
                /* The kubelet's last ditch: a decimal string that names no port, '+' and all. */
                { { .set = true, .is_string = true, .str_value = (char *) "8081" }, "8081" },
                { { .set = true, .is_string = true, .str_value = (char *) "+8082" }, "8082" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                HTTPGetAction g = { .path = S("/hook?x=1"), .port = cases[i].port, .host = S("10.0.0.1"),
                                    .scheme = S("HTTPS"), .http_headers = headers, .n_http_headers = 2 };
                Handler h = { .http_get = &g };
                HookSpec s;

                round_trip(&pod, &container, HOOK_PRE_STOP, &h, 5, &s);
                ASSERT_EQ(s.kind, HOOK_HANDLER_HTTP_GET);
                ASSERT_EQ(s.point, HOOK_PRE_STOP);
                ASSERT_STREQ(s.scheme, "HTTPS");
                ASSERT_STREQ(s.port, cases[i].expected_port);
                ASSERT_STREQ(s.host, "10.0.0.1");
                ASSERT_STREQ(s.path, "/hook?x=1");
                ASSERT_EQ(s.n_headers, 2);
                ASSERT_STREQ(s.headers[0].name, "Host");
                ASSERT_STREQ(s.headers[0].value, "example.com");
                ASSERT_STREQ(s.headers[1].name, "X-Time");
                ASSERT_STREQ(s.headers[1].value, "12:30:00");
                hook_spec_done(&s);
        }
}

TEST(hook_args_tcp_sleep_none) {
        TCPSocketAction t = { .port = { .set = true, .is_string = true, .str_value = S("http") } };
        Handler ht = { .tcp_socket = &t };
        SleepAction sl = { .seconds = { true, 7 } };
        Handler hs = { .sleep = &sl };
        Container plain = { .name = S("c") };
        HookSpec s;

        round_trip(&pod, &container, HOOK_POST_START, &ht, -1, &s);
        ASSERT_EQ(s.kind, HOOK_HANDLER_TCP_SOCKET);
        ASSERT_STREQ(s.port, "8080");
        ASSERT_NULL(s.host);
        ASSERT_EQ(s.grace_seconds, -1);
        hook_spec_done(&s);

        round_trip(&pod, &plain, HOOK_PRE_STOP, &hs, 30, &s);
        ASSERT_EQ(s.kind, HOOK_HANDLER_SLEEP);
        ASSERT_EQ(s.sleep_seconds, 7);
        ASSERT_NULL(s.stop_signal);
        hook_spec_done(&s);

        round_trip(&pod, &container, HOOK_PRE_STOP, NULL, 30, &s);
        ASSERT_EQ(s.kind, HOOK_HANDLER_NONE);
        ASSERT_EQ(s.grace_seconds, 30);
        hook_spec_done(&s);

        /* postStart always has a handler. */
        char **args = NULL;
        ASSERT_ERROR(hook_args_build(&pod, &container, HOOK_POST_START, NULL, 30, &args), EINVAL);
}

TEST(hook_args_sidecar_outlives) {
        /* initContainers: init (plain), side1, side2 (sidecars); containers: app1, app2. A sidecar's preStop
         * names every app container and the sidecars declared after it; nobody else gets --outlive=. */
        Container inits[] = {
                { .name = S("init"), .role = CONTAINER_INIT },
                { .name = S("side1"), .role = CONTAINER_SIDECAR },
                { .name = S("side2"), .role = CONTAINER_SIDECAR },
        };
        Container apps[] = { { .name = S("app1"), .role = CONTAINER_APP }, { .name = S("app2"), .role = CONTAINER_APP } };
        Pod p = { .metadata = { .name = S("web"), .namespace = S("default") },
                  .spec = { .init_containers = inits, .n_init_containers = 3, .containers = apps, .n_containers = 2 } };
        static const struct {
                size_t init; /* index into inits, or SIZE_MAX for apps[0] */
                HookPoint point;
                const char *outlive[4];
        } cases[] = {
                { 1, HOOK_PRE_STOP, { "side2", "app1", "app2", NULL } },
                { 2, HOOK_PRE_STOP, { "app1", "app2", NULL } },
                { 1, HOOK_POST_START, { NULL } },
                { 0, HOOK_PRE_STOP, { NULL } },
                { SIZE_MAX, HOOK_PRE_STOP, { NULL } },
        };
        SleepAction sl = { .seconds = { true, 1 } };
        Handler h = { .sleep = &sl };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const Container *c = cases[i].init == SIZE_MAX ? &apps[0] : &inits[cases[i].init];
                HookSpec s;

                round_trip(&p, c, cases[i].point, &h, 30, &s);
                ASSERT_EQ(strv_length(s.outlive), strv_length((char **) cases[i].outlive));
                for (size_t j = 0; cases[i].outlive[j]; j++)
                        ASSERT_STREQ(s.outlive[j], cases[i].outlive[j]);
                hook_spec_done(&s);
        }

        /* preStop without a handler ("none") carries them too: that is every sidecar's ExecStop=. */
        HookSpec s;
        round_trip(&p, &inits[2], HOOK_PRE_STOP, NULL, 30, &s);
        ASSERT_EQ(strv_length(s.outlive), 2);
        hook_spec_done(&s);
}

TEST(hook_args_parse_errors) {
        static const struct {
                const char *argv[12];
                const char *error;
        } cases[] = {
                { { "h", NULL }, "missing --hook=" },
                { { "h", "--hook=start", NULL }, "invalid hook, expected postStart or preStop: --hook=start" },
                { { "h", "--hook=preStop", "--namespace=a", "--pod=b", NULL }, "missing --container=" },
                { { "h", "--hook=preStop", "--namespace=a", "--pod=b", "--container=c", NULL },
                  "missing handler (exec, http-get, tcp-socket, sleep, none)" },
                { { "h", "--hook=preStop", "--namespace=a", "--pod=b", "--container=c", "--bogus=1", NULL },
                  "unknown option: --bogus=1" },
                { { "h", "--hook=preStop", "--namespace=a", "--namespace=x", NULL }, "duplicate option: --namespace=x" },
                { { "h", "--hook=preStop", "--namespace=a", "--pod=b", "--container=c", "--grace-seconds=x", NULL },
                  "invalid number of seconds: --grace-seconds=x" },
                { { "h", "--hook=preStop", "--namespace=a", "--pod=b", "--container=c", "shell", NULL },
                  "unknown handler: shell" },
                { { "h", "--hook=preStop", "--namespace=a", "--pod=b", "--container=c", "exec", "/bin/true", NULL },
                  "exec needs \"--\" before the command" },
                { { "h", "--hook=preStop", "--namespace=a", "--pod=b", "--container=c", "exec", "--", NULL },
                  "exec needs a command after \"--\"" },
                { { "h", "--hook=preStop", "--namespace=a", "--pod=b", "--container=c", "sleep", "-1", NULL },
                  "invalid number of seconds: -1" },
                { { "h", "--hook=preStop", "--namespace=a", "--pod=b", "--container=c", "sleep", "1", "2", NULL },
                  "unexpected argument for sleep: 2" },
                { { "h", "--hook=postStart", "--namespace=a", "--pod=b", "--container=c", "none", NULL },
                  "handler none is only valid for preStop" },
                { { "h", "--hook=preStop", "--namespace=a", "--pod=b", "--container=c", "http-get", "--port=80", NULL },
                  "http-get needs --scheme=" },
                { { "h", "--hook=preStop", "--namespace=a", "--pod=b", "--container=c", "http-get", "--scheme=FTP", NULL },
                  "invalid scheme: --scheme=FTP" },
                { { "h", "--hook=preStop", "--namespace=a", "--pod=b", "--container=c", "tcp-socket", "--port=0", NULL },
                  "port out of range: --port=0" },
                { { "h", "--hook=preStop", "--namespace=a", "--pod=b", "--container=c", "tcp-socket", NULL },
                  "tcp-socket needs --port=" },
                { { "h", "--hook=preStop", "--namespace=a", "--pod=b", "--container=c", "tcp-socket", "--port=1",
                    "--path=/", NULL },
                  "unexpected argument for tcp-socket: --path=/" },
                { { "h", "--hook=preStop", "--namespace=a", "--pod=b", "--container=c", "http-get", "--scheme=HTTP",
                    "--port=1", "--header=novalue", NULL },
                  "invalid header, expected NAME:VALUE: --header=novalue" },
                { { "h", "--hook=preStop", "--namespace=a", "--pod=b", "--container=c", "--outlive=", "none", NULL },
                  "empty container name: --outlive=" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                HookSpec s = {};
                char *error = NULL;
                int argc = 0;
                while (cases[i].argv[argc])
                        argc++;
                ASSERT_ERROR(hook_args_parse(argc, (char *const *) cases[i].argv, &s, &error), EINVAL);
                ASSERT_STREQ(error, cases[i].error);
                free(error);
        }
}

TEST(hook_tables) {
        for (HookPoint p = 0; p < _HOOK_POINT_MAX; p++)
                ASSERT_EQ(hook_point_from_string(hook_point_to_string(p)), p);
        for (HookHandlerKind k = 0; k < _HOOK_HANDLER_KIND_MAX; k++)
                ASSERT_EQ(hook_handler_kind_from_string(hook_handler_kind_to_string(k)), k);
        ASSERT_EQ(hook_point_from_string("poststart"), _HOOK_POINT_INVALID);
        ASSERT_NULL(hook_handler_kind_to_string(_HOOK_HANDLER_KIND_MAX));
}
