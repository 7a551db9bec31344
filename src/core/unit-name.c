/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "strbuf.h"
#include "string-util.h"
#include "unit-name.h"

#define LETTERS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGITS "0123456789"
/* What systemd keeps as is in an escaped name; '-' is not in it, it stands for '/'. */
#define ESCAPE_KEEP DIGITS LETTERS ":_."
/* What a unit name may contain before its type suffix (systemd's VALID_CHARS plus '@'). */
#define UNIT_NAME_CHARS DIGITS LETTERS ":-_.\\@"

#define POD_PREFIX "pod"

static bool char_in(char c, const char *set) {
        return c != 0 && strchr(set, c);
}

char *unit_name_escape(const char *s) {
        assert(s);

        StrBuf b = {};
        for (const char *p = s; *p; p++) {
                if (*p == '/')
                        strbuf_append_char(&b, '-');
                else if ((p == s && *p == '.') || !char_in(*p, ESCAPE_KEEP))
                        strbuf_printf(&b, "\\x%02x", (unsigned char) *p);
                else
                        strbuf_append_char(&b, *p);
        }
        return strbuf_steal(&b);
}

/* As `systemd-escape --unescape`: '-' is '/', "\xNN" is a byte, any other backslash is an error. A "\x00"
 * is refused too, since the result is a C string. */
int unit_name_unescape(const char *s, char **ret) {
        assert(s);
        assert(ret);

        StrBuf b = {};
        for (const char *p = s; *p; p++) {
                if (*p == '-')
                        strbuf_append_char(&b, '/');
                else if (*p == '\\') {
                        int hi, lo;
                        if (p[1] != 'x' || (hi = unhexchar(p[2])) < 0 || (lo = unhexchar(p[3])) < 0 ||
                            (hi == 0 && lo == 0)) {
                                strbuf_done(&b);
                                return -EINVAL;
                        }
                        strbuf_append_char(&b, (char) (hi << 4 | lo));
                        p += 3;
                } else
                        strbuf_append_char(&b, *p);
        }
        char *r = strbuf_steal(&b);
        if (!r)
                return -ENOMEM;
        *ret = r;
        return 0;
}

/* Each part must be non-empty and free of '/': the escaped form then has no '-', which is what keeps the
 * '-'-joined name unambiguous and the slice nesting intact. */
static int escape_part(const char *part, char **ret) {
        if (isempty(part) || strchr(part, '/'))
                return -EINVAL;
        char *e = unit_name_escape(part);
        if (!e)
                return -ENOMEM;
        *ret = e;
        return 0;
}

static int build_name(const char *const parts[], size_t n_parts, const char *suffix, char **ret) {
        assert(ret);

        StrBuf b = {};
        strbuf_append(&b, POD_PREFIX);
        for (size_t i = 0; i < n_parts; i++) {
                _cleanup_(freep) char *e = NULL;
                int r = escape_part(parts[i], &e);
                if (r < 0) {
                        strbuf_done(&b);
                        return r;
                }
                strbuf_append_char(&b, '-');
                strbuf_append(&b, e);
        }
        strbuf_append(&b, suffix);
        _cleanup_(freep) char *name = strbuf_steal(&b);
        if (!name)
                return -ENOMEM;
        if (strlen(name) > UNIT_NAME_MAX)
                return -ENAMETOOLONG;
        assert(unit_name_is_valid(name));
        *ret = TAKE_PTR(name);
        return 0;
}

int unit_name_namespace_slice(const char *ns, char **ret) {
        const char *const parts[] = { ns };
        return build_name(parts, ELEMENTSOF(parts), ".slice", ret);
}

int unit_name_pod_slice(const char *ns, const char *pod, char **ret) {
        const char *const parts[] = { ns, pod };
        return build_name(parts, ELEMENTSOF(parts), ".slice", ret);
}

int unit_name_container_service(const char *ns, const char *pod, const char *container, char **ret) {
        const char *const parts[] = { ns, pod, container };
        return build_name(parts, ELEMENTSOF(parts), ".service", ret);
}

/* Unescapes one '-'-separated part and checks that escaping it again gives exactly the same text, so that
 * only names we could have produced are accepted ("\x41" for 'A', an unescaped leading '.', … are not). */
static int parse_part(const char *start, size_t len, char **ret) {
        if (len == 0)
                return -EINVAL;
        _cleanup_(freep) char *escaped = strndup(start, len);
        if (!escaped)
                return -ENOMEM;
        _cleanup_(freep) char *raw = NULL;
        int r = unit_name_unescape(escaped, &raw);
        if (r < 0)
                return r;
        _cleanup_(freep) char *again = unit_name_escape(raw);
        if (!again)
                return -ENOMEM;
        if (!streq(again, escaped))
                return -EINVAL;
        *ret = TAKE_PTR(raw);
        return 0;
}

int unit_name_parse(const char *unit, char **ret_ns, char **ret_pod, char **ret_container) {
        assert(unit);

        if (!unit_name_is_valid(unit))
                return -EINVAL;

        size_t n_max;
        const char *body_end;
        if (endswith(unit, ".slice")) {
                n_max = 2;
                body_end = unit + strlen(unit) - strlen(".slice");
        } else if (endswith(unit, ".service")) {
                n_max = 3;
                body_end = unit + strlen(unit) - strlen(".service");
        } else
                return -EINVAL;

        if (!startswith(unit, POD_PREFIX))
                return -EINVAL;
        const char *p = unit + strlen(POD_PREFIX);

        char *parts[3] = {};
        size_t n = 0;
        int r = 0;
        while (p < body_end) {
                if (*p != '-' || n >= n_max) {
                        r = -EINVAL;
                        break;
                }
                p++;
                const char *e = memchr(p, '-', (size_t) (body_end - p));
                if (!e)
                        e = body_end;
                r = parse_part(p, (size_t) (e - p), &parts[n]);
                if (r < 0)
                        break;
                n++;
                p = e;
        }
        /* A service always names all three parts; a slice names at most two ("pod.slice" names none). */
        if (r >= 0 && n_max == 3 && n != 3)
                r = -EINVAL;
        if (r < 0) {
                for (size_t i = 0; i < ELEMENTSOF(parts); i++)
                        free(parts[i]);
                return r;
        }

        char **rets[] = { ret_ns, ret_pod, ret_container };
        for (size_t i = 0; i < ELEMENTSOF(parts); i++) {
                if (rets[i])
                        *rets[i] = parts[i];
                else
                        free(parts[i]);
        }
        return 0;
}

/* systemd's unit_name_is_valid(n, UNIT_NAME_ANY): a known type suffix after the last '.', a non-empty
 * prefix, only VALID_CHARS and '@' before it, and an '@' (if any) not first. Further '@' may follow the
 * first one, as part of the instance, exactly as systemd allows. */
bool unit_name_is_valid(const char *name) {
        static const char *const types[] = {
                "service", "mount", "swap", "socket", "target", "device", "automount", "timer", "path", "slice",
                "scope",
        };

        if (isempty(name) || strlen(name) > UNIT_NAME_MAX)
                return false;

        const char *dot = strrchr(name, '.');
        if (!dot || dot == name)
                return false;

        bool known = false;
        for (size_t i = 0; i < ELEMENTSOF(types); i++)
                if (streq(dot + 1, types[i]))
                        known = true;
        if (!known)
                return false;

        for (const char *p = name; p < dot; p++)
                if (!char_in(*p, UNIT_NAME_CHARS))
                        return false;

        return name[0] != '@';
}
