/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "strbuf.h"

void strbuf_append_n(StrBuf *b, const char *s, size_t n) {
        if (b->oom)
                return;
        if (b->len + n + 1 < b->len || !GREEDY_REALLOC(b->buf, b->allocated, b->len + n + 1)) {
                b->oom = true;
                return;
        }
        memcpy(b->buf + b->len, s, n);
        b->len += n;
        b->buf[b->len] = 0;
}

void strbuf_append(StrBuf *b, const char *s) {
        strbuf_append_n(b, s, strlen(s));
}

void strbuf_append_char(StrBuf *b, char c) {
        strbuf_append_n(b, &c, 1);
}

void strbuf_vprintf(StrBuf *b, const char *fmt, va_list ap) {
        va_list aq;
        va_copy(aq, ap);
        int n = vsnprintf(NULL, 0, fmt, aq);
        va_end(aq);
        if (n < 0 || b->oom || !GREEDY_REALLOC(b->buf, b->allocated, b->len + (size_t) n + 1)) {
                b->oom = true;
                return;
        }
        (void) vsnprintf(b->buf + b->len, (size_t) n + 1, fmt, ap);
        b->len += (size_t) n;
}

void strbuf_printf(StrBuf *b, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        strbuf_vprintf(b, fmt, ap);
        va_end(ap);
}

char *strbuf_steal(StrBuf *b) {
        char *r = b->oom ? NULL : b->buf;
        if (b->oom)
                free(b->buf);
        else if (!r)
                r = strdup("");
        *b = (StrBuf) {};
        return r;
}

void strbuf_done(StrBuf *b) {
        free(b->buf);
        *b = (StrBuf) {};
}
