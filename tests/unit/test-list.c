/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "list.h"
#include "tests.h"

/* An item in two lists at once: plain prev/next and a prefixed pair, as the prober's attempts are. */
typedef struct Item {
        int id;
        struct Item *prev, *next;
        struct Item *b_prev, *b_next;
} Item;

typedef struct List {
        Item *head, *tail;
} List;

/* The ids from head to tail, and the same backwards, as digits. */
static void assert_order(const List *l, const char *expected) {
        char fwd[16] = "", back[16] = "";
        size_t n = 0, m = 0;

        for (Item *i = l->head; i; i = i->next)
                fwd[n++] = (char) ('0' + i->id);
        for (Item *i = l->tail; i; i = i->prev)
                back[m++] = (char) ('0' + i->id);
        ASSERT_STREQ(fwd, expected);
        ASSERT_EQ(n, m);
        for (size_t k = 0; k < n; k++)
                ASSERT_EQ(back[k], fwd[n - 1 - k]);
}

TEST(append_and_remove) {
        Item it[4] = { { .id = 0 }, { .id = 1 }, { .id = 2 }, { .id = 3 } };
        List l = {};

        for (int k = 0; k < 4; k++)
                LIST_APPEND(, l.head, l.tail, &it[k]);
        assert_order(&l, "0123");
        LIST_REMOVE(, l.head, l.tail, &it[2]); /* middle */
        ASSERT_NULL(it[2].prev);
        ASSERT_NULL(it[2].next);
        assert_order(&l, "013");
        LIST_REMOVE(, l.head, l.tail, &it[0]); /* head */
        assert_order(&l, "13");
        LIST_REMOVE(, l.head, l.tail, &it[3]); /* tail */
        assert_order(&l, "1");
        LIST_REMOVE(, l.head, l.tail, &it[1]); /* the last one */
        ASSERT_NULL(l.head);
        ASSERT_NULL(l.tail);
        LIST_APPEND(, l.head, l.tail, &it[2]); /* an emptied list takes items again */
        assert_order(&l, "2");
}

TEST(prefixed_fields_are_a_list_of_their_own) {
        Item it[3] = { { .id = 0 }, { .id = 1 }, { .id = 2 } };
        List plain = {}, b = {};

        for (int k = 0; k < 3; k++) {
                LIST_APPEND(, plain.head, plain.tail, &it[k]);
                LIST_APPEND(b_, b.head, b.tail, &it[2 - k]);
        }
        LIST_REMOVE(b_, b.head, b.tail, &it[1]);
        assert_order(&plain, "012");
        ASSERT_TRUE(b.head == &it[2] && b.tail == &it[0]);
        ASSERT_TRUE(it[2].b_next == &it[0] && it[0].b_prev == &it[2]);
        ASSERT_NULL(it[1].b_prev);
        ASSERT_NULL(it[1].b_next);
}
