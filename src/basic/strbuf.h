/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdarg.h>

#include "macro.h"

/* A growing NUL-terminated string. On allocation failure the buffer remembers it (oom = true) and later
 * appends do nothing, so callers build a whole text and check once at the end. */
typedef struct StrBuf {
        char *buf;
        size_t len;
        size_t allocated;
        bool oom;
} StrBuf;

void strbuf_append(StrBuf *b, const char *s);
void strbuf_append_n(StrBuf *b, const char *s, size_t n);
void strbuf_append_char(StrBuf *b, char c);
void strbuf_printf(StrBuf *b, const char *fmt, ...) _printf_(2, 3);
void strbuf_vprintf(StrBuf *b, const char *fmt, va_list ap) _printf_(2, 0);
/* Returns the string (caller frees) or NULL if any append failed; the buffer is emptied either way. */
char *strbuf_steal(StrBuf *b);
void strbuf_done(StrBuf *b);
