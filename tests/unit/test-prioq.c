/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>

#include "prioq.h"
#include "tests.h"

typedef struct Entry {
        PrioqItem item;
        int id;
} Entry;

/* Pops everything and checks the keys come out in order and the count is right. */
static void assert_drains_in_order(Prioq *q, size_t expected) {
        uint64_t last = 0;
        size_t n = 0;
        PrioqItem *it;

        while ((it = prioq_pop(q))) {
                ASSERT_TRUE(it->key >= last);
                ASSERT_EQ(it->idx, PRIOQ_NONE);
                last = it->key;
                n++;
        }
        ASSERT_EQ(n, expected);
        ASSERT_EQ(prioq_size(q), 0);
}

TEST(empty) {
        Prioq q = {};
        ASSERT_NULL(prioq_peek(&q));
        ASSERT_NULL(prioq_pop(&q));
        Entry e = { .item = PRIOQ_ITEM_INIT };
        prioq_remove(&q, &e.item); /* not queued: nothing happens */
        ASSERT_EQ(prioq_size(&q), 0);
        prioq_done(&q);
}

TEST(order_and_moves) {
        Prioq q = {};
        Entry e[6];
        const uint64_t keys[] = { 50, 10, 40, 30, 20, 10 };

        for (size_t i = 0; i < ELEMENTSOF(e); i++) {
                e[i] = (Entry) { .item = PRIOQ_ITEM_INIT, .id = (int) i };
                ASSERT_OK(prioq_put(&q, &e[i].item, keys[i]));
        }
        ASSERT_EQ(prioq_size(&q), 6);
        ASSERT_EQ(prioq_peek(&q)->key, 10);

        /* Moving a queued item re-places it rather than adding it twice. */
        ASSERT_OK(prioq_put(&q, &e[0].item, 5));
        ASSERT_EQ(prioq_size(&q), 6);
        ASSERT_TRUE(prioq_peek(&q) == &e[0].item);
        ASSERT_OK(prioq_put(&q, &e[0].item, 60));
        ASSERT_EQ(prioq_peek(&q)->key, 10);

        /* Removing from the middle keeps the heap a heap. */
        prioq_remove(&q, &e[2].item);
        ASSERT_EQ(e[2].item.idx, PRIOQ_NONE);
        prioq_remove(&q, &e[2].item);
        ASSERT_EQ(prioq_size(&q), 5);
        assert_drains_in_order(&q, 5);
        prioq_done(&q);
}

/* Random puts, moves and removals against a plain array as the model. */
TEST(random_against_model) {
        enum { N = 300, STEPS = 20000 };
        Prioq q = {};
        Entry *e = calloc(N, sizeof(Entry));
        bool queued[N] = {};
        ASSERT_NOT_NULL(e);
        srand(42);

        for (int i = 0; i < N; i++)
                e[i] = (Entry) { .item = PRIOQ_ITEM_INIT, .id = i };
        for (int step = 0; step < STEPS; step++) {
                int i = rand() % N, op = rand() % 4;
                if (op < 2) {
                        ASSERT_OK(prioq_put(&q, &e[i].item, (uint64_t) (rand() % 1000)));
                        queued[i] = true;
                } else if (op == 2) {
                        prioq_remove(&q, &e[i].item);
                        queued[i] = false;
                } else if (prioq_size(&q) > 0) {
                        /* The top is the smallest key among the queued ones. */
                        uint64_t min = UINT64_MAX;
                        for (int j = 0; j < N; j++)
                                if (queued[j] && e[j].item.key < min)
                                        min = e[j].item.key;
                        PrioqItem *top = prioq_pop(&q);
                        ASSERT_EQ(top->key, min);
                        queued[((Entry *) top)->id] = false;
                }
                size_t n = 0;
                for (int j = 0; j < N; j++)
                        n += queued[j];
                ASSERT_EQ(prioq_size(&q), n);
        }
        size_t left = prioq_size(&q);
        assert_drains_in_order(&q, left);
        prioq_done(&q);
        free(e);
}

TEST(done_unmarks) {
        Prioq q = {};
        Entry a = { .item = PRIOQ_ITEM_INIT }, b = { .item = PRIOQ_ITEM_INIT };
        ASSERT_OK(prioq_put(&q, &a.item, 1));
        ASSERT_OK(prioq_put(&q, &b.item, 2));
        prioq_done(&q);
        ASSERT_EQ(a.item.idx, PRIOQ_NONE);
        ASSERT_EQ(b.item.idx, PRIOQ_NONE);
        ASSERT_NULL(prioq_peek(&q));
}
