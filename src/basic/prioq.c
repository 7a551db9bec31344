/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>

#include "prioq.h"

static void place(Prioq *q, size_t i, PrioqSlot slot) {
        q->slots[i] = slot;
        slot.item->idx = i;
}

static void sift_up(Prioq *q, size_t i) {
        PrioqSlot slot = q->slots[i];

        while (i > 0) {
                size_t parent = (i - 1) / 2;
                if (q->slots[parent].key <= slot.key)
                        break;
                place(q, i, q->slots[parent]);
                i = parent;
        }
        place(q, i, slot);
}

static void sift_down(Prioq *q, size_t i) {
        PrioqSlot slot = q->slots[i];

        for (;;) {
                size_t child = 2 * i + 1;
                if (child >= q->n)
                        break;
                if (child + 1 < q->n && q->slots[child + 1].key < q->slots[child].key)
                        child++;
                if (slot.key <= q->slots[child].key)
                        break;
                place(q, i, q->slots[child]);
                i = child;
        }
        place(q, i, slot);
}

int prioq_put(Prioq *q, PrioqItem *item, uint64_t key) {
        if (item->idx != PRIOQ_NONE) {
                uint64_t old = item->key;
                item->key = q->slots[item->idx].key = key;
                if (key < old)
                        sift_up(q, item->idx);
                else
                        sift_down(q, item->idx);
                return 0;
        }
        if (q->n == q->allocated) {
                size_t m = q->allocated ? q->allocated * 2 : 16;
                PrioqSlot *slots = reallocarray(q->slots, m, sizeof(PrioqSlot));
                if (!slots)
                        return -ENOMEM;
                q->slots = slots;
                q->allocated = m;
        }
        item->key = key;
        place(q, q->n++, (PrioqSlot) { .key = key, .item = item });
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
        PrioqItem *moved = q->slots[q->n].item;
        place(q, i, q->slots[q->n]);
        sift_up(q, i);
        sift_down(q, moved->idx);
}

PrioqItem *prioq_peek(const Prioq *q) {
        return q->n > 0 ? q->slots[0].item : NULL;
}

PrioqItem *prioq_pop(Prioq *q) {
        PrioqItem *top = prioq_peek(q);

        if (top)
                prioq_remove(q, top);
        return top;
}

void prioq_done(Prioq *q) {
        for (size_t i = 0; i < q->n; i++)
                q->slots[i].item->idx = PRIOQ_NONE;
        free(q->slots);
        *q = (Prioq) {};
}
