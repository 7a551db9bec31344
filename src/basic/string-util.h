/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdarg.h>

#include "macro.h"

char *strdup_or_null(const char *s); /* NULL in → NULL out */
char *asprintf_safe(const char *fmt, ...) _printf_(1, 2); /* NULL on OOM */
char *vasprintf_safe(const char *fmt, va_list ap) _printf_(1, 0);
bool startswith(const char *s, const char *prefix) _pure_;
bool endswith(const char *s, const char *suffix) _pure_;
/* Validates UTF-8 per RFC 3629 (no overlongs, no surrogates, ≤ U+10FFFF). */
bool utf8_is_valid_n(const char *s, size_t n) _pure_;
/* Parses a decimal int64 with no sign/space surprises: "^-?[0-9]+$", -ERANGE on overflow. */
int safe_atoi64(const char *s, int64_t *ret);
/* Double-quotes s with C escapes for '"', '\\', \n, \t, \r and \xNN for other control bytes; bytes ≥ 0x80
 * pass through (callers hold UTF-8). That is Go's %q for valid UTF-8, and the unit-file syntax once '%'
 * (and, in command lines, '$') are doubled as well. NULL on OOM. */
typedef enum CQuoteFlags {
        CQUOTE_PERCENT = 1 << 0, /* '%' → '%%' (unit-file specifiers) */
        CQUOTE_DOLLAR = 1 << 1,  /* '$' → '$$' (systemd's exec-time variable expansion) */
} CQuoteFlags;
char *cquote(const char *s, CQuoteFlags flags);
static inline char *unit_file_quote(const char *s, bool escape_dollar) {
        return cquote(s, CQUOTE_PERCENT | (escape_dollar ? CQUOTE_DOLLAR : 0));
}
/* The value of a hex digit, or -EINVAL. */
int unhexchar(char c) _pure_;
