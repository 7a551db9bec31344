/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "hashmap.h"

/* Open addressing with linear probing. A removed slot becomes a tombstone so that probe chains stay
 * intact; removal never moves entries, which is what lets an iteration remove the entry it stands on. The
 * table only grows (on put), so an index-based iteration state stays meaningful across removals. */

typedef enum SlotState {
        SLOT_EMPTY,
        SLOT_USED,
        SLOT_DELETED,
} SlotState;

typedef struct Slot {
        const char *key;
        void *value;
        size_t hash;
        SlotState state;
} Slot;

struct Hashmap {
        Slot *slots;
        size_t n_slots;   /* 0 or a power of two */
        size_t n_used;
        size_t n_deleted;
};

/* FNV-1a: keys here are names the operator chose (pods, units, files), not hostile network input. */
static size_t string_hash(const char *s) {
        uint64_t h = UINT64_C(0xcbf29ce484222325);
        for (; *s; s++) {
                h ^= (uint8_t) *s;
                h *= UINT64_C(0x100000001b3);
        }
        /* Fold the high bits in: the table index takes the low bits only. */
        return (size_t) (h ^ (h >> 32));
}

Hashmap *hashmap_new(void) {
        return calloc(1, sizeof(Hashmap));
}

Hashmap *hashmap_free(Hashmap *h) {
        if (!h)
                return NULL;
        free(h->slots);
        free(h);
        return NULL;
}

static Slot *find_slot(const Hashmap *h, const char *key, size_t hash) {
        if (h->n_slots == 0)
                return NULL;
        size_t mask = h->n_slots - 1;
        for (size_t i = hash & mask, n = 0; n < h->n_slots; i = (i + 1) & mask, n++) {
                Slot *s = &h->slots[i];
                if (s->state == SLOT_EMPTY)
                        return NULL;
                if (s->state == SLOT_USED && s->hash == hash && streq(s->key, key))
                        return s;
        }
        return NULL;
}

static void insert_slot(Slot *slots, size_t n_slots, const char *key, void *value, size_t hash) {
        size_t mask = n_slots - 1;
        size_t i = hash & mask;
        while (slots[i].state == SLOT_USED)
                i = (i + 1) & mask;
        slots[i] = (Slot) { .key = key, .value = value, .hash = hash, .state = SLOT_USED };
}

static int resize(Hashmap *h, size_t n_slots) {
        Slot *slots = calloc(n_slots, sizeof(Slot));
        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; i < h->n_slots; i++)
                if (h->slots[i].state == SLOT_USED)
                        insert_slot(slots, n_slots, h->slots[i].key, h->slots[i].value, h->slots[i].hash);
        free(h->slots);
        h->slots = slots;
        h->n_slots = n_slots;
        h->n_deleted = 0;
        return 0;
}

int hashmap_put(Hashmap *h, const char *key, void *value) {
        int r;

        assert(h);
        assert(key);

        size_t hash = string_hash(key);
        if (find_slot(h, key, hash))
                return -EEXIST;

        /* Keep the load (live entries and tombstones) at most 3/4 so probes end at an empty slot soon. */
        if ((h->n_used + h->n_deleted + 1) * 4 > h->n_slots * 3) {
                size_t n = h->n_slots ? h->n_slots : 8;
                while ((h->n_used + 1) * 2 > n) {
                        if (n > SIZE_MAX / 2 / sizeof(Slot))
                                return -ENOMEM;
                        n *= 2;
                }
                r = resize(h, n);
                if (r < 0)
                        return r;
        }

        /* Reuse the first tombstone on the probe path, else the empty slot that ended it. */
        size_t mask = h->n_slots - 1;
        size_t i = hash & mask;
        while (h->slots[i].state == SLOT_USED)
                i = (i + 1) & mask;
        if (h->slots[i].state == SLOT_DELETED)
                h->n_deleted--;
        h->slots[i] = (Slot) { .key = key, .value = value, .hash = hash, .state = SLOT_USED };
        h->n_used++;
        return 0;
}

void *hashmap_get(const Hashmap *h, const char *key) {
        if (!h || !key)
                return NULL;
        Slot *s = find_slot(h, key, string_hash(key));
        return s ? s->value : NULL;
}

void *hashmap_remove(Hashmap *h, const char *key) {
        if (!h || !key)
                return NULL;
        Slot *s = find_slot(h, key, string_hash(key));
        if (!s)
                return NULL;
        void *v = s->value;
        *s = (Slot) { .state = SLOT_DELETED };
        h->n_used--;
        h->n_deleted++;
        return v;
}

size_t hashmap_size(const Hashmap *h) {
        return h ? h->n_used : 0;
}

void *hashmap_steal_first(Hashmap *h) {
        size_t state = 0;
        const char *key;
        void *v;

        if (!hashmap_iterate(h, &state, &key, &v))
                return NULL;
        hashmap_remove(h, key);
        return v;
}

bool hashmap_iterate(const Hashmap *h, size_t *state, const char **ret_key, void **ret_value) {
        assert(state);

        if (!h)
                return false;
        for (; *state < h->n_slots; (*state)++) {
                const Slot *s = &h->slots[*state];
                if (s->state != SLOT_USED)
                        continue;
                if (ret_key)
                        *ret_key = s->key;
                if (ret_value)
                        *ret_value = s->value;
                (*state)++;
                return true;
        }
        return false;
}
