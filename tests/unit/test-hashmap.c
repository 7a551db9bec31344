/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "hashmap.h"
#include "tests.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(Hashmap *, hashmap_free);

TEST(empty) {
        _cleanup_(hashmap_freep) Hashmap *h = hashmap_new();
        ASSERT_NOT_NULL(h);
        ASSERT_EQ(hashmap_size(h), 0);
        ASSERT_NULL(hashmap_get(h, "a"));
        ASSERT_NULL(hashmap_remove(h, "a"));
        size_t state = 0;
        ASSERT_FALSE(hashmap_iterate(h, &state, NULL, NULL));

        /* NULL maps behave as empty ones. */
        ASSERT_EQ(hashmap_size(NULL), 0);
        ASSERT_NULL(hashmap_get(NULL, "a"));
        ASSERT_NULL(hashmap_remove(NULL, "a"));
        state = 0;
        ASSERT_FALSE(hashmap_iterate(NULL, &state, NULL, NULL));
        ASSERT_NULL(hashmap_free(NULL));
}

TEST(put_get_remove) {
        static const struct {
                const char *key;
                int value;
        } table[] = {
                { "default/web", 1 },
                { "default/db", 2 },
                { "", 3 },                  /* the empty key is a key */
                { "kube-system/dns", 4 },
                { "default/web2", 5 },
                { "ünïcode/pød", 6 },
        };
        int values[ELEMENTSOF(table)];
        _cleanup_(hashmap_freep) Hashmap *h = hashmap_new();
        ASSERT_NOT_NULL(h);

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                values[i] = table[i].value;
                ASSERT_OK(hashmap_put(h, table[i].key, &values[i]));
                ASSERT_EQ(hashmap_size(h), i + 1);
        }
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                int *v = hashmap_get(h, table[i].key);
                ASSERT_NOT_NULL(v);
                ASSERT_EQ(*v, table[i].value);
                /* Keys compare by content, not by pointer. */
                char copy[64];
                (void) snprintf(copy, sizeof copy, "%s", table[i].key);
                ASSERT_TRUE(hashmap_get(h, copy) == v);
                ASSERT_ERROR(hashmap_put(h, copy, v), EEXIST);
        }
        ASSERT_NULL(hashmap_get(h, "default/we"));
        ASSERT_NULL(hashmap_get(h, "default/web "));

        ASSERT_TRUE(hashmap_remove(h, "default/db") == &values[1]);
        ASSERT_NULL(hashmap_get(h, "default/db"));
        ASSERT_NULL(hashmap_remove(h, "default/db"));
        ASSERT_EQ(hashmap_size(h), ELEMENTSOF(table) - 1);
        /* Entries probed past the removed one stay reachable. */
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (i != 1)
                        ASSERT_TRUE(hashmap_get(h, table[i].key) == &values[i]);

        /* A removed key can come back. */
        ASSERT_OK(hashmap_put(h, "default/db", &values[0]));
        ASSERT_TRUE(hashmap_get(h, "default/db") == &values[0]);
        ASSERT_EQ(hashmap_size(h), ELEMENTSOF(table));
}

#define N_MANY 5000

TEST(many_with_churn) {
        static char keys[N_MANY][16];
        _cleanup_(hashmap_freep) Hashmap *h = hashmap_new();
        ASSERT_NOT_NULL(h);

        for (size_t i = 0; i < N_MANY; i++) {
                (void) snprintf(keys[i], sizeof keys[i], "pod-%zu", i);
                ASSERT_OK(hashmap_put(h, keys[i], keys[i]));
        }
        ASSERT_EQ(hashmap_size(h), N_MANY);
        /* Remove every odd one, then re-add and remove repeatedly: tombstones must not fill the table
         * (a put would loop forever or a get would miss). */
        for (size_t i = 1; i < N_MANY; i += 2)
                ASSERT_TRUE(hashmap_remove(h, keys[i]) == keys[i]);
        for (unsigned round = 0; round < 5; round++)
                for (size_t i = 1; i < N_MANY; i += 2) {
                        ASSERT_OK(hashmap_put(h, keys[i], keys[i]));
                        ASSERT_TRUE(hashmap_remove(h, keys[i]) == keys[i]);
                }
        ASSERT_EQ(hashmap_size(h), N_MANY / 2);
        for (size_t i = 0; i < N_MANY; i++)
                ASSERT_TRUE(hashmap_get(h, keys[i]) == (i % 2 == 0 ? keys[i] : NULL));
}

TEST(iterate) {
        static const char *const keys[] = { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j" };
        _cleanup_(hashmap_freep) Hashmap *h = hashmap_new();
        ASSERT_NOT_NULL(h);
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                ASSERT_OK(hashmap_put(h, keys[i], (void *) keys[i]));

        /* Every entry exactly once, with its own value. */
        unsigned seen = 0;
        size_t state = 0;
        const char *k;
        void *v;
        while (hashmap_iterate(h, &state, &k, &v)) {
                ASSERT_TRUE(k == v);
                unsigned bit = 1u << (k[0] - 'a');
                ASSERT_FALSE(seen & bit);
                seen |= bit;
        }
        ASSERT_EQ(seen, (1u << ELEMENTSOF(keys)) - 1);
        /* The end stays the end. */
        ASSERT_FALSE(hashmap_iterate(h, &state, &k, &v));

        /* Removing the current entry while iterating visits every other entry still. */
        seen = 0;
        state = 0;
        while (hashmap_iterate(h, &state, &k, NULL)) {
                seen |= 1u << (k[0] - 'a');
                if ((k[0] - 'a') % 3 == 0)
                        ASSERT_TRUE(hashmap_remove(h, k) == k);
        }
        ASSERT_EQ(seen, (1u << ELEMENTSOF(keys)) - 1);
        ASSERT_EQ(hashmap_size(h), 6); /* a, d, g, j gone */
        ASSERT_NULL(hashmap_get(h, "d"));
        ASSERT_NOT_NULL(hashmap_get(h, "e"));
}

TEST(steal_first) {
        _cleanup_(hashmap_freep) Hashmap *h = hashmap_new();
        static const char *const keys[] = { "a", "b", "c" };
        int values[ELEMENTSOF(keys)], seen = 0;
        ASSERT_NOT_NULL(h);
        ASSERT_NULL(hashmap_steal_first(h));
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                values[i] = 1 << i;
                ASSERT_OK(hashmap_put(h, keys[i], &values[i]));
        }
        /* Every value comes out once, then the map is empty. */
        int *v;
        while ((v = hashmap_steal_first(h)))
                seen |= *v;
        ASSERT_EQ(seen, 7);
        ASSERT_EQ(hashmap_size(h), 0);
        ASSERT_NULL(hashmap_steal_first(NULL));
}
