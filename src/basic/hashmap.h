/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* A string-keyed hash map (open addressing). Keys are not copied: a value usually owns its key. */
typedef struct Hashmap Hashmap;

Hashmap *hashmap_new(void);
Hashmap *hashmap_free(Hashmap *h); /* frees the table, not keys or values */
int hashmap_put(Hashmap *h, const char *key, void *value); /* -EEXIST if present, -ENOMEM */
void *hashmap_get(const Hashmap *h, const char *key) _pure_;
void *hashmap_remove(Hashmap *h, const char *key);
size_t hashmap_size(const Hashmap *h) _pure_;
/* Takes some entry out and returns its value, NULL when empty: `while ((v = hashmap_steal_first(h)))
 * free_it(v);` empties a map whose values it owns. */
void *hashmap_steal_first(Hashmap *h);
/* Iteration: *state starts at 0; returns false at the end. Removal of the current entry is allowed. */
bool hashmap_iterate(const Hashmap *h, size_t *state, const char **ret_key, void **ret_value);
