/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

typedef struct YNode YNode;

/* One finding about a manifest: FILE:LINE:COL: FIELD.PATH: message. Validation reports every finding, so
 * they are collected in a list instead of returned one at a time. */
typedef enum DiagLevel {
        DIAG_ERROR,
        DIAG_WARNING,
} DiagLevel;

typedef struct Diag {
        DiagLevel level;
        unsigned line, column; /* 1-based; 0 when unknown */
        char *path;            /* "spec.containers[1].name", or NULL for a document-level finding */
        char *message;
} Diag;

typedef struct Diags {
        Diag *items;
        size_t n, allocated;
        size_t n_errors;
        bool oom; /* an add failed: the list is incomplete, callers must treat it as -ENOMEM */
} Diags;

/* Adds a finding at an explicit position. Never fails visibly: OOM sets d->oom. */
void diag_add(Diags *d, DiagLevel level, unsigned line, unsigned column, const char *path, const char *fmt, ...)
        _printf_(6, 7);
/* Adds a finding located at node (its start mark); node may be NULL (position 0:0). */
void diag_node(Diags *d, DiagLevel level, const YNode *node, const char *path, const char *fmt, ...)
        _printf_(5, 6);
/* Adds a finding about field `key` of the mapping `map`: located at that key's value when the manifest has
 * it, else at the mapping itself (a defaulted or missing field). `path` is the field's full path. */
void diag_field(Diags *d, DiagLevel level, const YNode *map, const char *key, const char *path, const char *fmt, ...)
        _printf_(6, 7);

size_t diags_errors(const Diags *d) _pure_;
/* Stable sort by line, column, then insertion order, so output reads top to bottom. */
void diags_sort(Diags *d);
/* Formats "FILE:LINE:COL: PATH: message" (warnings get "warning: " before the path). */
char *diag_format(const Diag *diag, const char *file);
void diags_done(Diags *d);
