/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* NULL-terminated string vectors, as systemd's strv. */
size_t strv_length(char *const *l) _pure_;
char **strv_free(char **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);
#define _cleanup_strv_free_ _cleanup_(strv_freep)
int strv_push(char ***l, char *value);   /* takes ownership of value, also on failure */
int strv_extend(char ***l, const char *value); /* copies value */
char **strv_copy(char *const *l);
bool strv_contains(char *const *l, const char *s) _pure_;
#define STRV_FOREACH(s, l) for (char *const *s = (l); s && *s; s++)
