/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <strings.h>

#include "env-expand.h"
#include "probe-target.h"
#include "string-util.h"
#include "strv.h"

void probe_target_done(ProbeTarget *t) {
        if (!t)
                return;
        free(t->url);
        strv_free(t->headers);
        free(t->host);
        free(t->service);
        strv_free(t->argv);
        free(t->error);
        *t = (ProbeTarget) { .kind = _HANDLER_KIND_INVALID };
}

/* ---- httpGet ---- */

/* Go's hasToken(): whether the comma-separated list v names token, in any case. */
static bool has_token(const char *v, const char *token) {
        size_t n = strlen(token);

        for (const char *p = v;; p++) {
                p += strspn(p, " \t");
                if (strncasecmp(p, token, n) == 0 && strchr(" \t,", p[n]))
                        return true;
                p = strchr(p, ',');
                if (!p)
                        return false;
        }
}

static int build_headers(const HTTPGetAction *g, char ***ret) {
        _cleanup_free_ HttpHeaderRef *refs = NULL;
        _cleanup_strv_free_ char **l = NULL;
        const char *connection = NULL;
        int r;

        if (g->n_http_headers > 0) {
                refs = calloc(g->n_http_headers, sizeof(HttpHeaderRef));
                if (!refs)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < g->n_http_headers; i++) {
                refs[i] = (HttpHeaderRef) { g->http_headers[i].name, g->http_headers[i].value };
                const HTTPHeader *h = &g->http_headers[i];
                if (!connection && h->name && strcasecmp(h->name, "Connection") == 0)
                        connection = h->value ?: "";
        }
        r = http_request_headers(refs, g->n_http_headers, PROBE_USER_AGENT, &l);
        if (r < 0)
                return r;
        /* The kubelet's probe transport disables keep-alives, and Go's transport then asks the server to
         * close the connection, unless the request already does. */
        if (!connection || !has_token(connection, "close"))
                if (strv_extend(&l, "Connection: close") < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

/* ---- exec ---- */

/* v1EnvVarsToMap: every env entry by name, the last one winning; an entry with valueFrom has an empty
 * Value there, so $(NAME) of such an entry becomes "" — only literal values ever reach the command. */
static const char *lookup_literal_env(const char *name, void *userdata) {
        const Container *c = userdata;
        for (size_t i = c->n_env; i > 0; i--) {
                const EnvVar *e = &c->env[i - 1];
                if (streq_ptr(e->name, name))
                        return e->value ?: "";
        }
        return NULL;
}

static int build_argv(const Container *c, char *const *command, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        STRV_FOREACH(w, command) {
                char *s = env_expand(*w, lookup_literal_env, (void *) c);
                if (!s)
                        return -ENOMEM;
                r = strv_push(&l, s);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int probe_target_build(
                const Pod *pod,
                const Container *c,
                const Probe *probe,
                const char *default_host,
                ProbeTarget *ret) {

        _cleanup_(probe_target_done) ProbeTarget t = { .kind = _HANDLER_KIND_INVALID };
        const Handler *h;
        int r;

        assert(c);
        assert(probe);
        assert(default_host);
        assert(ret);

        h = &probe->handler;
        /* timeoutSeconds: defaulted to 1, and the kubelet's minimum is one second as well. */
        t.timeout_usec = (uint64_t) (probe->timeout_seconds.set && probe->timeout_seconds.value > 0 ?
                                                     probe->timeout_seconds.value : 1) * UINT64_C(1000000);

        if (h->exec) {
                t.kind = HANDLER_EXEC;
                r = build_argv(c, h->exec->command, &t.argv);
                if (r < 0)
                        return r;
                if (strv_length(t.argv) == 0) {
                        t.error = strdup("exec: no command given");
                        if (!t.error)
                                return -ENOMEM;
                }
        } else if (h->http_get) {
                const HTTPGetAction *g = h->http_get;

                t.kind = HANDLER_HTTP_GET;
                r = container_port_resolve(c, &g->port, &t.port, &t.error);
                if (r == -ENOMEM)
                        return r;
                t.host = strdup(!isempty(g->host) ? g->host : default_host);
                if (!t.host)
                        return -ENOMEM;
                if (!t.error) {
                        t.url = http_request_url(g->scheme ?: "HTTP", t.host, t.port, g->path);
                        if (!t.url)
                                return -ENOMEM;
                        r = build_headers(g, &t.headers);
                        if (r < 0)
                                return r;
                }
        } else if (h->tcp_socket) {
                t.kind = HANDLER_TCP_SOCKET;
                r = container_port_resolve(c, &h->tcp_socket->port, &t.port, &t.error);
                if (r == -ENOMEM)
                        return r;
                t.host = strdup(!isempty(h->tcp_socket->host) ? h->tcp_socket->host : default_host);
                if (!t.host)
                        return -ENOMEM;
        } else if (h->grpc) {
                const GRPCAction *g = h->grpc;

                t.kind = HANDLER_GRPC;
                /* Validation allows numbers only; the kubelet dials the pod IP, never a host of the probe. */
                if (!g->port.set || g->port.value <= 0 || g->port.value >= 65536) {
                        t.error = asprintf_safe("invalid port number: %" PRId64,
                                                g->port.set ? g->port.value : 0);
                        if (!t.error)
                                return -ENOMEM;
                } else
                        t.port = (uint16_t) g->port.value;
                t.host = strdup(default_host);
                t.service = strdup(g->service ?: "");
                if (!t.host || !t.service)
                        return -ENOMEM;
        } else {
                /* Validation rejects a probe without exactly one handler; say so rather than crash. */
                t.error = asprintf_safe("missing probe handler for %s:%s",
                                        pod && pod->metadata.name ? pod->metadata.name : "", c->name ?: "");
                if (!t.error)
                        return -ENOMEM;
        }

        *ret = t;
        t = (ProbeTarget) {};
        return 0;
}
