/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "hook-args.h"
#include "http-request.h"
#include "string-util.h"
#include "strv.h"

static const char *const hook_point_table[_HOOK_POINT_MAX] = {
        [HOOK_POST_START] = "postStart",
        [HOOK_PRE_STOP] = "preStop",
};

static const char *const hook_handler_kind_table[_HOOK_HANDLER_KIND_MAX] = {
        [HOOK_HANDLER_EXEC] = "exec",
        [HOOK_HANDLER_HTTP_GET] = "http-get",
        [HOOK_HANDLER_TCP_SOCKET] = "tcp-socket",
        [HOOK_HANDLER_SLEEP] = "sleep",
        [HOOK_HANDLER_NONE] = "none",
};

const char *hook_point_to_string(HookPoint p) {
        if (p < 0 || p >= _HOOK_POINT_MAX)
                return NULL;
        return hook_point_table[p];
}

HookPoint hook_point_from_string(const char *s) {
        if (!s)
                return _HOOK_POINT_INVALID;
        for (HookPoint p = 0; p < _HOOK_POINT_MAX; p++)
                if (streq(hook_point_table[p], s))
                        return p;
        return _HOOK_POINT_INVALID;
}

const char *hook_handler_kind_to_string(HookHandlerKind k) {
        if (k < 0 || k >= _HOOK_HANDLER_KIND_MAX)
                return NULL;
        return hook_handler_kind_table[k];
}

HookHandlerKind hook_handler_kind_from_string(const char *s) {
        if (!s)
                return _HOOK_HANDLER_KIND_INVALID;
        for (HookHandlerKind k = 0; k < _HOOK_HANDLER_KIND_MAX; k++)
                if (streq(hook_handler_kind_table[k], s))
                        return k;
        return _HOOK_HANDLER_KIND_INVALID;
}

/* ---- build ---- */

static int push_printf(char ***l, const char *fmt, ...) _printf_(2, 3);
static int push_printf(char ***l, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *s = vasprintf_safe(fmt, ap);
        va_end(ap);
        if (!s)
                return -ENOMEM;
        return strv_push(l, s);
}

/* The port as the helper gets it: resolved at plan time as the kubelet resolves it (a number as is, a name
 * from the container's own ports, the only ones it searches, else a decimal string); one that does not
 * resolve is handed on as written, so the helper fails at run time with the kubelet's error, as the
 * kubelet does when it runs the hook. */
static int push_port(char ***l, const Container *c, const IntOrString *port) {
        _cleanup_free_ char *error = NULL;
        uint16_t v;
        int r;

        r = container_port_resolve(c, port, &v, &error);
        if (r == -ENOMEM)
                return r;
        if (r >= 0)
                return push_printf(l, "--port=%u", v);
        if (!port->is_string)
                return push_printf(l, "--port=%" PRId64, port->int_value);
        return push_printf(l, "--port=%s", port->str_value ?: "");
}

int hook_args_build(
                const Pod *pod,
                const Container *c,
                HookPoint point,
                const Handler *h,
                int64_t grace_seconds,
                char ***ret_argv) {

        _cleanup_strv_free_ char **l = NULL;
        int r;

        assert(pod);
        assert(c);
        assert(ret_argv);

        if (!hook_point_to_string(point))
                return -EINVAL;
        if (!h && point != HOOK_PRE_STOP)
                return -EINVAL;

        r = push_printf(&l, "--hook=%s", hook_point_to_string(point));
        if (r < 0)
                return r;
        r = push_printf(&l, "--namespace=%s", pod->metadata.namespace ?: "default");
        if (r < 0)
                return r;
        r = push_printf(&l, "--pod=%s", pod->metadata.name ?: "");
        if (r < 0)
                return r;
        r = push_printf(&l, "--container=%s", c->name ?: "");
        if (r < 0)
                return r;
        if (pod->metadata.uid) {
                r = push_printf(&l, "--pod-uid=%s", pod->metadata.uid);
                if (r < 0)
                        return r;
        }
        if (grace_seconds >= 0) {
                r = push_printf(&l, "--grace-seconds=%" PRId64, grace_seconds);
                if (r < 0)
                        return r;
        }
        if (c->lifecycle && c->lifecycle->stop_signal) {
                r = push_printf(&l, "--stop-signal=%s", c->lifecycle->stop_signal);
                if (r < 0)
                        return r;
        }
        if (point == HOOK_PRE_STOP && c->role == CONTAINER_SIDECAR) {
                /* The kubelet's termination ordering (newTerminationOrdering): a sidecar waits for every
                 * app container and for every sidecar declared after it. Init containers that are not
                 * sidecars have exited before anything else started. */
                bool after = false;
                for (size_t i = 0; i < pod->spec.n_init_containers; i++) {
                        const Container *o = &pod->spec.init_containers[i];
                        if (o == c) {
                                after = true;
                                continue;
                        }
                        if (after && o->role == CONTAINER_SIDECAR) {
                                r = push_printf(&l, "--outlive=%s", o->name ?: "");
                                if (r < 0)
                                        return r;
                        }
                }
                for (size_t i = 0; i < pod->spec.n_containers; i++) {
                        r = push_printf(&l, "--outlive=%s", pod->spec.containers[i].name ?: "");
                        if (r < 0)
                                return r;
                }
        }

        if (!h) {
                r = strv_extend(&l, "none");
                if (r < 0)
                        return r;
        } else if (h->exec) {
                r = strv_extend(&l, "exec");
                if (r < 0)
                        return r;
                /* "--" so that words of the hook's argv that start with "--" are never read as options. */
                r = strv_extend(&l, "--");
                if (r < 0)
                        return r;
                STRV_FOREACH(w, h->exec->command) {
                        r = strv_extend(&l, *w);
                        if (r < 0)
                                return r;
                }
        } else if (h->http_get) {
                const HTTPGetAction *g = h->http_get;

                r = strv_extend(&l, "http-get");
                if (r < 0)
                        return r;
                r = push_printf(&l, "--scheme=%s", g->scheme ?: "HTTP");
                if (r < 0)
                        return r;
                r = push_port(&l, c, &g->port);
                if (r < 0)
                        return r;
                if (g->host) {
                        r = push_printf(&l, "--host=%s", g->host);
                        if (r < 0)
                                return r;
                }
                if (g->path) {
                        r = push_printf(&l, "--path=%s", g->path);
                        if (r < 0)
                                return r;
                }
                for (size_t i = 0; i < g->n_http_headers; i++) {
                        r = push_printf(&l, "--header=%s:%s", g->http_headers[i].name ?: "",
                                        g->http_headers[i].value ?: "");
                        if (r < 0)
                                return r;
                }
        } else if (h->tcp_socket) {
                r = strv_extend(&l, "tcp-socket");
                if (r < 0)
                        return r;
                r = push_port(&l, c, &h->tcp_socket->port);
                if (r < 0)
                        return r;
                if (h->tcp_socket->host) {
                        r = push_printf(&l, "--host=%s", h->tcp_socket->host);
                        if (r < 0)
                                return r;
                }
        } else if (h->sleep) {
                r = strv_extend(&l, "sleep");
                if (r < 0)
                        return r;
                r = push_printf(&l, "%" PRId64, h->sleep->seconds.set ? h->sleep->seconds.value : 0);
                if (r < 0)
                        return r;
        } else
                /* grpc is a probe handler only, and an empty handler is rejected by validation. */
                return -EINVAL;

        if (!l) {
                l = calloc(1, sizeof(char *));
                if (!l)
                        return -ENOMEM;
        }
        *ret_argv = TAKE_PTR(l);
        return 0;
}

/* ---- parse ---- */

void hook_spec_done(HookSpec *s) {
        if (!s)
                return;
        free(s->namespace);
        free(s->pod);
        free(s->container);
        free(s->pod_uid);
        free(s->stop_signal);
        strv_free(s->outlive);
        strv_free(s->exec_argv);
        free(s->scheme);
        free(s->host);
        free(s->port);
        free(s->path);
        for (size_t i = 0; i < s->n_headers; i++) {
                free(s->headers[i].name);
                free(s->headers[i].value);
        }
        free(s->headers);
        *s = (HookSpec) { .grace_seconds = -1 };
}

static int fail(char **ret_error, const char *fmt, ...) _printf_(2, 3);
static int fail(char **ret_error, const char *fmt, ...) {
        if (ret_error) {
                va_list ap;
                va_start(ap, fmt);
                *ret_error = vasprintf_safe(fmt, ap);
                va_end(ap);
                if (!*ret_error)
                        return -ENOMEM;
        }
        return -EINVAL;
}

/* If arg is "--NAME=VALUE", returns VALUE, else NULL. */
static const char *option_value(const char *arg, const char *name) {
        size_t n = strlen(name);
        if (!startswith(arg, "--") || !strneq(arg + 2, name, n) || arg[2 + n] != '=')
                return NULL;
        return arg + 3 + n;
}

/* Stores a string option, refusing a second occurrence (two values for one field would silently lose one). */
static int set_once(char **field, const char *value, const char *arg, char **ret_error) {
        if (*field)
                return fail(ret_error, "duplicate option: %s", arg);
        *field = strdup(value);
        if (!*field)
                return -ENOMEM;
        return 0;
}

static int parse_seconds(const char *value, const char *arg, int64_t *ret, char **ret_error) {
        int64_t v;
        if (safe_atoi64(value, &v) < 0 || v < 0)
                return fail(ret_error, "invalid number of seconds: %s", arg);
        *ret = v;
        return 0;
}

/* A port is a number 1–65535 or a port name; an empty value is never useful. */
static int check_port(const char *value, const char *arg, char **ret_error) {
        if (isempty(value))
                return fail(ret_error, "empty port: %s", arg);
        int64_t v;
        if (safe_atoi64(value, &v) >= 0 && (v < 1 || v > 65535))
                return fail(ret_error, "port out of range: %s", arg);
        return 0;
}

static int parse_handler_options(HookSpec *s, int argc, char *const *argv, int i, char **ret_error) {
        int r;

        for (; i < argc; i++) {
                const char *a = argv[i], *v;

                if (s->kind == HOOK_HANDLER_HTTP_GET && (v = option_value(a, "scheme"))) {
                        if (!streq(v, "HTTP") && !streq(v, "HTTPS"))
                                return fail(ret_error, "invalid scheme: %s", a);
                        r = set_once(&s->scheme, v, a, ret_error);
                } else if (s->kind == HOOK_HANDLER_HTTP_GET && (v = option_value(a, "path")))
                        r = set_once(&s->path, v, a, ret_error);
                else if (s->kind == HOOK_HANDLER_HTTP_GET && (v = option_value(a, "header"))) {
                        const char *colon = strchr(v, ':');
                        if (!colon || colon == v)
                                return fail(ret_error, "invalid header, expected NAME:VALUE: %s", a);
                        HookHeader *n = reallocarray(s->headers, s->n_headers + 1, sizeof(HookHeader));
                        if (!n)
                                return -ENOMEM;
                        s->headers = n;
                        HookHeader *hh = &s->headers[s->n_headers];
                        *hh = (HookHeader) {
                                .name = strndup(v, (size_t) (colon - v)),
                                .value = strdup(colon + 1),
                        };
                        s->n_headers++; /* counted at once, so hook_spec_done() frees a half-made one */
                        if (!hh->name || !hh->value)
                                return -ENOMEM;
                        r = 0;
                } else if ((v = option_value(a, "port"))) {
                        r = check_port(v, a, ret_error);
                        if (r >= 0)
                                r = set_once(&s->port, v, a, ret_error);
                } else if ((v = option_value(a, "host")))
                        r = set_once(&s->host, v, a, ret_error);
                else
                        return fail(ret_error, "unexpected argument for %s: %s",
                                    hook_handler_kind_to_string(s->kind), a);
                if (r < 0)
                        return r;
        }

        if (!s->port)
                return fail(ret_error, "%s needs --port=", hook_handler_kind_to_string(s->kind));
        if (s->kind == HOOK_HANDLER_HTTP_GET && !s->scheme)
                return fail(ret_error, "http-get needs --scheme=");
        return 0;
}

int hook_args_parse(int argc, char *const *argv, HookSpec *ret, char **ret_error) {
        _cleanup_(hook_spec_done) HookSpec s = { .point = _HOOK_POINT_INVALID, .grace_seconds = -1,
                                                  .sleep_seconds = -1, .kind = _HOOK_HANDLER_KIND_INVALID };
        int i, r;

        assert(argc >= 0);
        assert(argv || argc == 0);
        assert(ret);

        if (ret_error)
                *ret_error = NULL;

        /* Common options, up to the handler word. */
        for (i = 1; i < argc; i++) {
                const char *a = argv[i], *v;

                if (!startswith(a, "--"))
                        break;

                if ((v = option_value(a, "hook"))) {
                        if (s.point >= 0)
                                return fail(ret_error, "duplicate option: %s", a);
                        s.point = hook_point_from_string(v);
                        if (s.point < 0)
                                return fail(ret_error, "invalid hook, expected postStart or preStop: %s", a);
                        r = 0;
                } else if ((v = option_value(a, "namespace")))
                        r = set_once(&s.namespace, v, a, ret_error);
                else if ((v = option_value(a, "pod")))
                        r = set_once(&s.pod, v, a, ret_error);
                else if ((v = option_value(a, "container")))
                        r = set_once(&s.container, v, a, ret_error);
                else if ((v = option_value(a, "pod-uid")))
                        r = set_once(&s.pod_uid, v, a, ret_error);
                else if ((v = option_value(a, "stop-signal")))
                        r = set_once(&s.stop_signal, v, a, ret_error);
                else if ((v = option_value(a, "outlive"))) {
                        if (isempty(v))
                                return fail(ret_error, "empty container name: %s", a);
                        r = strv_extend(&s.outlive, v);
                }
                else if ((v = option_value(a, "grace-seconds"))) {
                        if (s.grace_seconds >= 0)
                                return fail(ret_error, "duplicate option: %s", a);
                        r = parse_seconds(v, a, &s.grace_seconds, ret_error);
                } else
                        return fail(ret_error, "unknown option: %s", a);
                if (r < 0)
                        return r;
        }

        if (s.point < 0)
                return fail(ret_error, "missing --hook=");
        if (isempty(s.namespace))
                return fail(ret_error, "missing --namespace=");
        if (isempty(s.pod))
                return fail(ret_error, "missing --pod=");
        if (isempty(s.container))
                return fail(ret_error, "missing --container=");
        if (i >= argc)
                return fail(ret_error, "missing handler (exec, http-get, tcp-socket, sleep, none)");

        s.kind = hook_handler_kind_from_string(argv[i]);
        if (s.kind < 0)
                return fail(ret_error, "unknown handler: %s", argv[i]);
        i++;

        switch (s.kind) {

        case HOOK_HANDLER_EXEC:
                if (i >= argc || !streq(argv[i], "--"))
                        return fail(ret_error, "exec needs \"--\" before the command");
                i++;
                if (i >= argc)
                        return fail(ret_error, "exec needs a command after \"--\"");
                for (; i < argc; i++) {
                        r = strv_extend(&s.exec_argv, argv[i]);
                        if (r < 0)
                                return r;
                }
                break;

        case HOOK_HANDLER_HTTP_GET:
        case HOOK_HANDLER_TCP_SOCKET:
                r = parse_handler_options(&s, argc, argv, i, ret_error);
                if (r < 0)
                        return r;
                break;

        case HOOK_HANDLER_SLEEP:
                if (i >= argc)
                        return fail(ret_error, "sleep needs a number of seconds");
                r = parse_seconds(argv[i], argv[i], &s.sleep_seconds, ret_error);
                if (r < 0)
                        return r;
                if (i + 1 < argc)
                        return fail(ret_error, "unexpected argument for sleep: %s", argv[i + 1]);
                break;

        case HOOK_HANDLER_NONE:
                if (s.point != HOOK_PRE_STOP)
                        return fail(ret_error, "handler none is only valid for preStop");
                if (i < argc)
                        return fail(ret_error, "unexpected argument for none: %s", argv[i]);
                break;

        default:
                assert(false);
                return -EINVAL;
        }

        *ret = s;
        s = (HookSpec) {};
        return 0;
}
