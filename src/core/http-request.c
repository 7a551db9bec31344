/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include "http-request.h"
#include "strbuf.h"
#include "string-util.h"
#include "strv.h"

/* Hands over a freshly formatted message (NULL: OOM) as the error. */
static int set_error(char **ret_error, char *message) {
        if (!message)
                return -ENOMEM;
        free(*ret_error);
        *ret_error = message;
        return -EINVAL;
}

/* Go's strconv.Atoi error for s, as the kubelet passes it on. */
static int atoi_error(const char *s, const char *why, char **ret_error) {
        _cleanup_free_ char *q = cquote(s, 0);
        if (!q)
                return -ENOMEM;
        return set_error(ret_error, asprintf_safe("strconv.Atoi: parsing %s: %s", q, why));
}

int container_port_resolve(const Container *c, const IntOrString *port, uint16_t *ret, char **ret_error) {
        int64_t v;

        assert(port);
        assert(ret);
        assert(ret_error);

        if (!port->set)
                return set_error(ret_error, strdup("intOrString had no kind: {}"));

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
                                                    : set_error(ret_error, asprintf_safe("invalid port number: %" PRId64, v));
                        if (r < 0)
                                return atoi_error(name, "invalid syntax", ret_error);
                }
        }

        if (v <= 0 || v >= 65536)
                return set_error(ret_error, asprintf_safe("invalid port number: %" PRId64, v));
        *ret = (uint16_t) v;
        return 0;
}

char *http_host_port(const char *host, uint16_t port) {
        assert(host);

        /* A host with a colon is an IPv6 literal. */
        if (strchr(host, ':'))
                return asprintf_safe("[%s]:%u", host, port);
        return asprintf_safe("%s:%u", host, port);
}

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

char *http_request_url(const char *scheme, const char *host, uint16_t port, const char *path) {
        _cleanup_free_ char *hp = NULL;
        StrBuf b = {};

        assert(scheme);
        assert(host);

        hp = http_host_port(host, port);
        if (!hp)
                return NULL;
        for (const char *p = scheme; *p; p++)
                strbuf_append_char(&b, (char) (*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p));
        strbuf_append(&b, "://");
        strbuf_append(&b, hp);
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

int http_request_headers(const HttpHeaderRef *headers, size_t n, const char *default_user_agent, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const HttpHeaderRef *accept = NULL, *user_agent = NULL, *host = NULL;
        int r;

        assert(headers || n == 0);
        assert(default_user_agent);
        assert(ret);

        for (size_t i = 0; i < n; i++) {
                const HttpHeaderRef *h = &headers[i];
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
        r = push_header(&l, "User-Agent", user_agent ? user_agent->value : default_user_agent, true);
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
