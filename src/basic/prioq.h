/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/* A binary min-heap of items ordered by a 64-bit key (a due time, say). Items are embedded in their owner's
 * structure and remember their place, so that one can be moved or removed in O(log n) without a search.
 * An item is in at most one queue; PRIOQ_NONE marks one that is in none. */
#define PRIOQ_NONE SIZE_MAX

typedef struct PrioqItem {
        uint64_t key;
        size_t idx; /* its place in the queue, PRIOQ_NONE if it is in none */
} PrioqItem;

/* The array holds each item's key beside its pointer: sifting compares keys without touching the items,
 * which are spread over their owners' memory (a cache miss each, on a loop that runs cold). */
typedef struct PrioqSlot {
        uint64_t key;
        PrioqItem *item;
} PrioqSlot;

typedef struct Prioq {
        PrioqSlot *slots;
        size_t n, allocated;
} Prioq;

#define PRIOQ_ITEM_INIT ((PrioqItem) { .idx = PRIOQ_NONE })

/* Inserts item with key, or moves it there if it is queued already. -ENOMEM only. */
int prioq_put(Prioq *q, PrioqItem *item, uint64_t key);
/* Takes item out; nothing happens if it is not queued. */
void prioq_remove(Prioq *q, PrioqItem *item);
/* The item with the smallest key (the oldest of equal keys is not promised), or NULL. */
PrioqItem *prioq_peek(const Prioq *q) _pure_;
PrioqItem *prioq_pop(Prioq *q);
static inline size_t prioq_size(const Prioq *q) {
        return q->n;
}
/* Frees the array; the items (owned elsewhere) are only marked as queued nowhere. */
void prioq_done(Prioq *q);
