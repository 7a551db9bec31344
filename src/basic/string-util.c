/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "strbuf.h"
#include "string-util.h"

char *strdup_or_null(const char *s) {
        return s ? strdup(s) : NULL;
}

char *vasprintf_safe(const char *fmt, va_list ap) {
        char *s;
        if (vasprintf(&s, fmt, ap) < 0)
                return NULL;
        return s;
}

char *asprintf_safe(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *s = vasprintf_safe(fmt, ap);
        va_end(ap);
        return s;
}

bool startswith(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool endswith(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

bool utf8_is_valid_n(const char *str, size_t n) {
        const unsigned char *s = (const unsigned char *) str;
        size_t i = 0;
        while (i < n) {
                unsigned c = s[i];
                size_t len;
                uint32_t cp;
                if (c < 0x80) {
                        i++;
                        continue;
                } else if ((c & 0xE0) == 0xC0) {
                        len = 2;
                        cp = c & 0x1F;
                } else if ((c & 0xF0) == 0xE0) {
                        len = 3;
                        cp = c & 0x0F;
                } else if ((c & 0xF8) == 0xF0) {
                        len = 4;
                        cp = c & 0x07;
                } else
                        return false;
                if (i + len > n)
                        return false;
                for (size_t k = 1; k < len; k++) {
                        if ((s[i + k] & 0xC0) != 0x80)
                                return false;
                        cp = (cp << 6) | (s[i + k] & 0x3F);
                }
                /* Reject overlong forms, surrogates and values past Unicode. */
                if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
                    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
                        return false;
                i += len;
        }
        return true;
}

int safe_atoi64(const char *s, int64_t *ret) {
        const char *p = s;
        bool neg = false;
        if (*p == '-') {
                neg = true;
                p++;
        }
        if (!*p)
                return -EINVAL;
        uint64_t v = 0;
        for (; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                unsigned d = (unsigned) (*p - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        if (neg) {
                if (v > (uint64_t) INT64_MAX + 1)
                        return -ERANGE;
                *ret = v == (uint64_t) INT64_MAX + 1 ? INT64_MIN : -(int64_t) v;
        } else {
                if (v > (uint64_t) INT64_MAX)
                        return -ERANGE;
                *ret = (int64_t) v;
        }
        return 0;
}

char *cquote(const char *s, CQuoteFlags flags) {
        StrBuf b = {};
        strbuf_append_char(&b, '"');
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                switch (*p) {
                case '"':
                        strbuf_append(&b, "\\\"");
                        break;
                case '\\':
                        strbuf_append(&b, "\\\\");
                        break;
                case '\n':
                        strbuf_append(&b, "\\n");
                        break;
                case '\t':
                        strbuf_append(&b, "\\t");
                        break;
                case '\r':
                        strbuf_append(&b, "\\r");
                        break;
                case '%':
                        strbuf_append(&b, flags & CQUOTE_PERCENT ? "%%" : "%");
                        break;
                case '$':
                        strbuf_append(&b, flags & CQUOTE_DOLLAR ? "$$" : "$");
                        break;
                default:
                        if (*p < 0x20 || *p == 0x7F)
                                strbuf_printf(&b, "\\x%02x", *p);
                        else
                                strbuf_append_char(&b, (char) *p);
                }
        }
        strbuf_append_char(&b, '"');
        return strbuf_steal(&b);
}

int unhexchar(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}
