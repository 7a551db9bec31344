/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>

#include "prioq.h"

static void place(Prioq *q, size_t i, PrioqItem *item) {
        q->items[i] = item;
        item->idx = i;
}

static void sift_up(Prioq *q, size_t i) {
        PrioqItem *item = q->items[i];

        while (i > 0) {
                size_t parent = (i - 1) / 2;
                if (q->items[parent]->key <= item->key)
                        break;
                place(q, i, q->items[parent]);
                i = parent;
        }
        place(q, i, item);
}

static void sift_down(Prioq *q, size_t i) {
        PrioqItem *item = q->items[i];

        for (;;) {
                size_t child = 2 * i + 1;
                if (child >= q->n)
                        break;
                if (child + 1 < q->n && q->items[child + 1]->key < q->items[child]->key)
                        child++;
                if (item->key <= q->items[child]->key)
                        break;
                place(q, i, q->items[child]);
                i = child;
        }
        place(q, i, item);
}

int prioq_put(Prioq *q, PrioqItem *item, uint64_t key) {
        if (item->idx != PRIOQ_NONE) {
                uint64_t old = item->key;
                item->key = key;
                if (key < old)
                        sift_up(q, item->idx);
                else
                        sift_down(q, item->idx);
                return 0;
        }
        if (q->n == q->allocated) {
                size_t m = q->allocated ? q->allocated * 2 : 16;
                PrioqItem **items = reallocarray(q->items, m, sizeof(PrioqItem *));
                if (!items)
                        return -ENOMEM;
                q->items = items;
                q->allocated = m;
        }
        item->key = key;
        place(q, q->n++, item);
        sift_up(q, q->n - 1);
        return 0;
}

void prioq_remove(Prioq *q, PrioqItem *item) {
        size_t i = item->idx;

        if (i == PRIOQ_NONE)
                return;
        item->idx = PRIOQ_NONE;
        if (i == --q->n)
                return;
        /* The last item takes the hole, then finds its place in whichever direction. */
        PrioqItem *moved = q->items[q->n];
        place(q, i, moved);
        sift_up(q, i);
        sift_down(q, moved->idx);
}

PrioqItem *prioq_peek(const Prioq *q) {
        return q->n > 0 ? q->items[0] : NULL;
}

PrioqItem *prioq_pop(Prioq *q) {
        PrioqItem *top = prioq_peek(q);

        if (top)
                prioq_remove(q, top);
        return top;
}

void prioq_done(Prioq *q) {
        for (size_t i = 0; i < q->n; i++)
                q->items[i]->idx = PRIOQ_NONE;
        free(q->items);
        *q = (Prioq) {};
}
