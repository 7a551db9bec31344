/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>

#include "diag.h"
#include "strbuf.h"
#include "string-util.h"
#include "yaml-tree.h"

static void diag_addv(Diags *d, DiagLevel level, unsigned line, unsigned column, const char *path,
                      const char *fmt, va_list ap) _printf_(6, 0);

static void diag_addv(Diags *d, DiagLevel level, unsigned line, unsigned column, const char *path,
                      const char *fmt, va_list ap) {
        assert(d);
        assert(fmt);

        /* Once an add failed the list is incomplete anyway; callers see d->oom and report -ENOMEM. */
        if (d->oom)
                return;

        _cleanup_(freep) char *message = vasprintf_safe(fmt, ap), *p = NULL;
        if (!message || (path && !(p = strdup(path))) || !GREEDY_REALLOC(d->items, d->allocated, d->n + 1)) {
                d->oom = true;
                return;
        }

        d->items[d->n++] = (Diag) {
                .level = level,
                .line = line,
                .column = column,
                .path = TAKE_PTR(p),
                .message = TAKE_PTR(message),
        };
        if (level == DIAG_ERROR)
                d->n_errors++;
}

void diag_add(Diags *d, DiagLevel level, unsigned line, unsigned column, const char *path, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        diag_addv(d, level, line, column, path, fmt, ap);
        va_end(ap);
}

void diag_node(Diags *d, DiagLevel level, const YNode *node, const char *path, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        diag_addv(d, level, node ? node->line : 0, node ? node->column : 0, path, fmt, ap);
        va_end(ap);
}

void diag_field(Diags *d, DiagLevel level, const YNode *map, const char *key, const char *path, const char *fmt, ...) {
        const YNode *where = NULL;
        va_list ap;

        /* Point at the value the user wrote; a missing (or defaulted) field can only be blamed on the
         * object that lacks it. */
        if (map && key)
                where = ynode_get(map, key);
        if (!where)
                where = map;

        va_start(ap, fmt);
        diag_addv(d, level, where ? where->line : 0, where ? where->column : 0, path, fmt, ap);
        va_end(ap);
}

size_t diags_errors(const Diags *d) {
        return d ? d->n_errors : 0;
}

static int diag_compare(const Diag *a, const Diag *b) {
        if (a->line != b->line)
                return a->line < b->line ? -1 : 1;
        if (a->column != b->column)
                return a->column < b->column ? -1 : 1;
        return 0;
}

void diags_sort(Diags *d) {
        assert(d);

        if (d->n < 2)
                return;

        /* A bottom-up merge sort: stable, so findings at the same position keep the order they were
         * reported in. qsort() makes no stability promise. */
        _cleanup_(freep) Diag *tmp = malloc(d->n * sizeof(Diag));
        if (!tmp) {
                /* Insertion sort needs no memory; slow only for lists nobody would read anyway. */
                for (size_t i = 1; i < d->n; i++) {
                        Diag x = d->items[i];
                        size_t j = i;
                        for (; j > 0 && diag_compare(&d->items[j - 1], &x) > 0; j--)
                                d->items[j] = d->items[j - 1];
                        d->items[j] = x;
                }
                return;
        }

        Diag *src = d->items, *dst = tmp;
        for (size_t width = 1; width < d->n; width *= 2) {
                for (size_t lo = 0; lo < d->n; lo += 2 * width) {
                        size_t mid = MIN(lo + width, d->n), hi = MIN(lo + 2 * width, d->n);
                        size_t i = lo, j = mid, k = lo;

                        while (i < mid && j < hi)
                                dst[k++] = diag_compare(&src[j], &src[i]) < 0 ? src[j++] : src[i++];
                        while (i < mid)
                                dst[k++] = src[i++];
                        while (j < hi)
                                dst[k++] = src[j++];
                }
                Diag *t = src;
                src = dst;
                dst = t;
        }
        if (src != d->items)
                memcpy(d->items, src, d->n * sizeof(Diag));
}

char *diag_format(const Diag *diag, const char *file) {
        StrBuf b = {};

        assert(diag);

        /* FILE:LINE:COL: [warning: ][PATH: ]message. A missing position or file just drops that part, so
         * a document-level finding still reads naturally. */
        if (file) {
                strbuf_append(&b, file);
                if (diag->line > 0)
                        strbuf_printf(&b, ":%u:%u", diag->line, diag->column);
                strbuf_append(&b, ": ");
        } else if (diag->line > 0)
                strbuf_printf(&b, "%u:%u: ", diag->line, diag->column);

        if (diag->level == DIAG_WARNING)
                strbuf_append(&b, "warning: ");
        if (diag->path)
                strbuf_printf(&b, "%s: ", diag->path);
        strbuf_append(&b, diag->message ?: "");

        return strbuf_steal(&b);
}

void diags_done(Diags *d) {
        if (!d)
                return;

        for (size_t i = 0; i < d->n; i++) {
                free(d->items[i].path);
                free(d->items[i].message);
        }
        free(d->items);
        *d = (Diags) {};
}
