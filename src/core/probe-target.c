/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <strings.h>

#include "env-expand.h"
#include "probe-target.h"
#include "strbuf.h"
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

static int set_error(char **ret_error, const char *fmt, ...) _printf_(2, 3);
static int set_error(char **ret_error, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *s = vasprintf_safe(fmt, ap);
        va_end(ap);
        if (!s)
                return -ENOMEM;
        free(*ret_error);
        *ret_error = s;
        return -EINVAL;
}

/* Go's strconv.Atoi error for s, as the kubelet passes it on. */
static int atoi_error(const char *s, const char *why, char **ret_error) {
        _cleanup_free_ char *q = cquote(s, 0);
        if (!q)
                return -ENOMEM;
        return set_error(ret_error, "strconv.Atoi: parsing %s: %s", q, why);
}

int probe_resolve_port(const Container *c, const IntOrString *port, uint16_t *ret, char **ret_error) {
        int64_t v;

        assert(port);
        assert(ret);
        assert(ret_error);

        if (!port->set)
                return set_error(ret_error, "intOrString had no kind: %s", "{}");

        if (!port->is_string)
                v = port->int_value;
        else {
                const char *name = port->str_value ?: "";
                bool found = false;

                /* Only the same container's ports are searched (findPortByName). */
                for (size_t i = 0; c && i < c->n_ports; i++)
                        if (streq_ptr(c->ports[i].name, name)) {
                                v = c->ports[i].container_port.set ? c->ports[i].container_port.value : 0;
                                found = true;
                                break;
                        }
                if (!found) {
                        /* "Last ditch effort": Go's Atoi also takes a leading '+'. */
                        const char *digits = name[0] == '+' && name[1] != '-' ? name + 1 : name;
                        int r = safe_atoi64(digits, &v);
                        if (r == -ERANGE || (r >= 0 && (v > INT32_MAX || v < INT32_MIN)))
                                /* Go's int is 64 bits wide, but no port fits beyond int32 anyway. */
                                return r == -ERANGE ? atoi_error(name, "value out of range", ret_error)
                                                    : set_error(ret_error, "invalid port number: %" PRId64, v);
                        if (r < 0)
                                return atoi_error(name, "invalid syntax", ret_error);
                }
        }

        if (v <= 0 || v >= 65536)
                return set_error(ret_error, "invalid port number: %" PRId64, v);
        *ret = (uint16_t) v;
        return 0;
}

/* ---- httpGet ---- */

/* Go's url.Parse of the path keeps "?query" and escapes what a request line cannot carry; this escapes the
 * bytes libcurl would reject (controls, space, non-ASCII) and keeps the rest as written. */
static void append_path(StrBuf *b, const char *path) {
        if (path[0] != '/')
                strbuf_append_char(b, '/');
        for (const unsigned char *p = (const unsigned char *) path; *p; p++)
                if (*p <= 0x20 || *p >= 0x7F)
                        strbuf_printf(b, "%%%02X", *p);
                else
                        strbuf_append_char(b, (char) *p);
}

static char *format_url(const char *scheme, const char *host, uint16_t port, const char *path) {
        StrBuf b = {};

        for (const char *p = scheme; *p; p++)
                strbuf_append_char(&b, (char) (*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p));
        strbuf_append(&b, "://");
        /* net.JoinHostPort: a host with a colon is an IPv6 literal and gets brackets. */
        if (strchr(host, ':'))
                strbuf_printf(&b, "[%s]:%u", host, port);
        else
                strbuf_printf(&b, "%s:%u", host, port);
        append_path(&b, isempty(path) ? "/" : path);
        return strbuf_steal(&b);
}

static int push_header(char ***l, const char *name, const char *value, bool remove_if_empty) {
        char *line;

        if (!isempty(value))
                line = asprintf_safe("%s: %s", name, value);
        else
                line = asprintf_safe("%s%c", name, remove_if_empty ? ':' : ';');
        if (!line)
                return -ENOMEM;
        return strv_push(l, line);
}

/* newProbeRequest + Go's request writer: every httpHeaders entry is added; Host and User-Agent are
 * single-valued (the first one counts, an empty User-Agent sends none); Accept defaults to the catch-all and
 * an empty first Accept removes every Accept. */
static int build_headers(const HTTPGetAction *g, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const HTTPHeader *accept = NULL, *user_agent = NULL, *host = NULL;
        int r;

        for (size_t i = 0; i < g->n_http_headers; i++) {
                const HTTPHeader *h = &g->http_headers[i];
                const char *name = h->name ?: "";

                if (isempty(name))
                        continue;
                if (strcasecmp(name, "Accept") == 0) {
                        if (!accept)
                                accept = h;
                        if (isempty(accept->value))
                                continue;
                } else if (strcasecmp(name, "User-Agent") == 0) {
                        if (!user_agent)
                                user_agent = h;
                        continue;
                } else if (strcasecmp(name, "Host") == 0) {
                        if (!host)
                                host = h;
                        continue;
                }
                r = push_header(&l, name, h->value, false);
                if (r < 0)
                        return r;
        }

        if (host && !isempty(host->value)) {
                r = push_header(&l, "Host", host->value, false);
                if (r < 0)
                        return r;
        }
        r = push_header(&l, "User-Agent", user_agent ? user_agent->value : PROBE_USER_AGENT, true);
        if (r < 0)
                return r;
        if (!accept)
                r = push_header(&l, "Accept", "*/*", true);
        else if (isempty(accept->value))
                r = push_header(&l, "Accept", NULL, true);
        if (r < 0)
                return r;

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
                        r = set_error(&t.error, "exec: no command given");
                        if (r == -ENOMEM)
                                return r;
                }
        } else if (h->http_get) {
                const HTTPGetAction *g = h->http_get;

                t.kind = HANDLER_HTTP_GET;
                r = probe_resolve_port(c, &g->port, &t.port, &t.error);
                if (r == -ENOMEM)
                        return r;
                t.host = strdup(!isempty(g->host) ? g->host : default_host);
                if (!t.host)
                        return -ENOMEM;
                if (!t.error) {
                        t.url = format_url(g->scheme ?: "HTTP", t.host, t.port, g->path);
                        if (!t.url)
                                return -ENOMEM;
                        r = build_headers(g, &t.headers);
                        if (r < 0)
                                return r;
                }
        } else if (h->tcp_socket) {
                t.kind = HANDLER_TCP_SOCKET;
                r = probe_resolve_port(c, &h->tcp_socket->port, &t.port, &t.error);
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
                        r = set_error(&t.error, "invalid port number: %" PRId64, g->port.set ? g->port.value : 0);
                        if (r == -ENOMEM)
                                return r;
                } else
                        t.port = (uint16_t) g->port.value;
                t.host = strdup(default_host);
                t.service = strdup(g->service ?: "");
                if (!t.host || !t.service)
                        return -ENOMEM;
        } else {
                /* Validation rejects a probe without exactly one handler; say so rather than crash. */
                r = set_error(&t.error, "missing probe handler for %s:%s",
                              pod && pod->metadata.name ? pod->metadata.name : "", c->name ?: "");
                if (r == -ENOMEM)
                        return r;
        }

        *ret = t;
        t = (ProbeTarget) {};
        return 0;
}
