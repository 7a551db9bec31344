/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>

#include "tabwriter.h"

typedef struct Cell {
        const char *text;
        size_t size;  /* bytes */
        size_t width; /* code points */
} Cell;

typedef struct Line {
        Cell *cells;
        size_t n_cells;
} Line;

typedef struct Layout {
        TabWriter *tw;
        Line *lines;
        size_t n_lines;
        size_t widths[64]; /* the widths of the enclosing column blocks, a stack */
        size_t n_widths;
        StrBuf out;
} Layout;

void tw_append(TabWriter *tw, const char *s) {
        strbuf_append(&tw->text, s);
}

void tw_printf(TabWriter *tw, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        strbuf_vprintf(&tw->text, fmt, ap);
        va_end(ap);
}

static size_t utf8_width(const char *s, size_t n) {
        size_t w = 0;

        /* Go's tabwriter counts runes: every byte that does not continue a sequence starts one. */
        for (size_t i = 0; i < n; i++)
                if (((unsigned char) s[i] & 0xC0) != 0x80)
                        w++;
        return w;
}

static void pad(StrBuf *b, size_t n) {
        for (size_t i = 0; i < n; i++)
                strbuf_append_char(b, ' ');
}

static void write_lines(Layout *l, size_t line0, size_t line1) {
        for (size_t i = line0; i < line1; i++) {
                const Line *line = &l->lines[i];

                for (size_t j = 0; j < line->n_cells; j++) {
                        const Cell *c = &line->cells[j];

                        strbuf_append_n(&l->out, c->text, c->size);
                        if (j < l->n_widths && l->widths[j] > c->width)
                                pad(&l->out, l->widths[j] - c->width);
                }
                strbuf_append_char(&l->out, '\n');
        }
}

static size_t remembered(const TabWriter *tw, size_t column) {
        return tw->remember && column < tw->n_widths ? tw->widths[column] : 0;
}

static void remember_width(TabWriter *tw, size_t column, size_t width) {
        if (!tw->remember)
                return;
        if (column >= tw->n_widths) {
                size_t *w = realloc(tw->widths, (column + 1) * sizeof(size_t));
                if (!w)
                        return; /* only the -w alignment of later rows suffers */
                for (size_t k = tw->n_widths; k <= column; k++)
                        w[k] = 0;
                tw->widths = w;
                tw->n_widths = column + 1;
        }
        tw->widths[column] = MAX(tw->widths[column], width);
}

/* Go's Writer.format: find each block of lines that have a cell in the current column, size it, recurse
 * into the next column within the block. */
static void format_block(Layout *l, size_t line0, size_t line1) {
        size_t column = l->n_widths;

        for (size_t this = line0; this < line1; this++) {
                size_t width;

                if (column + 1 >= l->lines[this].n_cells)
                        continue;
                write_lines(l, line0, this);
                line0 = this;

                width = l->tw->minwidth;
                for (; this < line1; this++) {
                        const Line *line = &l->lines[this];

                        if (column + 1 >= line->n_cells)
                                break;
                        width = MAX(width, line->cells[column].width + l->tw->padding);
                }
                width = MAX(width, remembered(l->tw, column));
                remember_width(l->tw, column, width);

                if (l->n_widths >= ELEMENTSOF(l->widths)) { /* absurdly many columns: stop aligning */
                        write_lines(l, line0, this);
                } else {
                        l->widths[l->n_widths++] = width;
                        format_block(l, line0, this);
                        l->n_widths--;
                }
                line0 = this; /* the line that ended the block has no cell here: skipping it is right */
        }
        write_lines(l, line0, line1);
}

char *tw_flush(TabWriter *tw) {
        _cleanup_(freep) char *text = strbuf_steal(&tw->text);
        Layout l = { .tw = tw };
        size_t n_alloc = 0;
        char *p;

        if (!text)
                return tw->text.oom ? NULL : strdup("");
        if (!*text)
                return TAKE_PTR(text);

        /* Split into lines of cells; a final line without '\n' still counts as a line. */
        p = text;
        while (*p) {
                Line line = {};
                size_t cells_alloc = 0;
                char *eol = strchrnul(p, '\n');

                for (;;) {
                        char *end = memchr(p, '\t', (size_t) (eol - p));
                        char *stop = end ?: eol;

                        if (!GREEDY_REALLOC(line.cells, cells_alloc, line.n_cells + 1))
                                goto oom_line;
                        line.cells[line.n_cells++] = (Cell) { p, (size_t) (stop - p),
                                                              utf8_width(p, (size_t) (stop - p)) };
                        if (!end)
                                break;
                        p = end + 1;
                }
                if (!GREEDY_REALLOC(l.lines, n_alloc, l.n_lines + 1)) {
                oom_line:
                        free(line.cells);
                        goto oom;
                }
                l.lines[l.n_lines++] = line;
                p = *eol ? eol + 1 : eol;
        }

        format_block(&l, 0, l.n_lines);
        for (size_t i = 0; i < l.n_lines; i++)
                free(l.lines[i].cells);
        free(l.lines);
        return strbuf_steal(&l.out);

oom:
        for (size_t i = 0; i < l.n_lines; i++)
                free(l.lines[i].cells);
        free(l.lines);
        return NULL;
}

void tw_done(TabWriter *tw) {
        strbuf_done(&tw->text);
        free(tw->widths);
        tw->widths = NULL;
        tw->n_widths = 0;
}
