/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

void log_message(int priority, const char *fmt, ...) {
        va_list ap;
        int saved = errno;

        flockfile(stderr);
        fprintf(stderr, "<%d>", priority & LOG_PRIMASK);
        va_start(ap, fmt);
        errno = saved; /* for %m */
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        funlockfile(stderr);
        errno = saved;
}
