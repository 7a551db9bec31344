/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"
#include "strbuf.h"

/* Column alignment as Go's text/tabwriter does it, which is what kubectl prints with: text is collected
 * with '\t' ending each cell and '\n' ending each line; the text after a line's last tab is not a cell and
 * takes no part in alignment. A column block is a run of consecutive lines that have a cell in that column;
 * its width is the widest cell (in code points) plus padding, at least minwidth. Pure. */

typedef struct TabWriter {
        StrBuf text;        /* pending, unaligned */
        size_t minwidth;
        size_t padding;
        bool remember;      /* keep the widest width seen per column across flushes (kubectl -w) */
        size_t *widths;     /* remembered widths, per column */
        size_t n_widths;
} TabWriter;

/* kubectl get: minwidth 6, padding 3; kubectl describe: minwidth 0, padding 2. */
#define TABWRITER_GET ((TabWriter) { .minwidth = 6, .padding = 3, .remember = true })
#define TABWRITER_DESCRIBE ((TabWriter) { .minwidth = 0, .padding = 2 })

void tw_printf(TabWriter *tw, const char *fmt, ...) _printf_(2, 3);
void tw_append(TabWriter *tw, const char *s);
/* Aligns everything pending and returns it (caller frees), or NULL on OOM. Pending text is emptied. */
char *tw_flush(TabWriter *tw);
void tw_done(TabWriter *tw);
