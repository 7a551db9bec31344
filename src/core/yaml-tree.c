/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdalign.h>
#include <stdio.h>
#include <yaml.h>

#include "strbuf.h"
#include "string-util.h"
#include "yaml-tree.h"

#define TAG_PREFIX "tag:yaml.org,2002:"

/* ---- arena ------------------------------------------------------------------------------------------- */

/* Every node, string and array of one stream comes from here, so freeing a stream is a walk over a few
 * chunks instead of over a DAG whose shared nodes would need reference counts. */
#define ARENA_CHUNK_SIZE (64u * 1024u)
#define ARENA_ALIGN alignof(max_align_t)

typedef struct ArenaChunk {
        struct ArenaChunk *next;
        size_t used, size;
        alignas(max_align_t) unsigned char data[];
} ArenaChunk;

struct YArena {
        ArenaChunk *chunks;
};

static YArena *arena_free(YArena *a) {
        if (!a)
                return NULL;
        while (a->chunks) {
                ArenaChunk *next = a->chunks->next;
                free(a->chunks);
                a->chunks = next;
        }
        free(a);
        return NULL;
}

static void *arena_alloc(YArena *a, size_t size) {
        ArenaChunk *c;

        assert(a);

        if (size > SIZE_MAX - ARENA_ALIGN)
                return NULL;
        size = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
        if (size == 0)
                size = ARENA_ALIGN;

        c = a->chunks;
        if (c && c->size - c->used >= size) {
                void *p = c->data + c->used;
                c->used += size;
                return p;
        }

        /* Big arrays get a chunk of their own, placed behind the current one so its free tail stays in
         * use for the small allocations that follow. */
        size_t csize = size > ARENA_CHUNK_SIZE / 4 ? size : ARENA_CHUNK_SIZE;
        if (csize > SIZE_MAX - sizeof(ArenaChunk))
                return NULL;
        c = malloc(sizeof(ArenaChunk) + csize);
        if (!c)
                return NULL;
        c->size = csize;
        c->used = size;
        if (size > ARENA_CHUNK_SIZE / 4 && a->chunks) {
                c->next = a->chunks->next;
                a->chunks->next = c;
        } else {
                c->next = a->chunks;
                a->chunks = c;
        }
        return c->data;
}

static void *arena_alloc0(YArena *a, size_t size) {
        void *p = arena_alloc(a, size);
        if (p)
                memset(p, 0, size);
        return p;
}

static void *arena_memdup(YArena *a, const void *p, size_t size) {
        void *q = arena_alloc(a, size);
        if (q && size > 0)
                memcpy(q, p, size);
        return q;
}

/* ---- string-keyed hash table, for mapping keys and anchors ------------------------------------------- */

typedef struct StrMapEntry {
        const char *s; /* NULL: free slot */
        size_t len;
        void *data;
} StrMapEntry;

typedef struct StrMap {
        StrMapEntry *slots;
        size_t n, capacity; /* capacity is 0 or a power of two, kept at least twice n */
} StrMap;

static uint64_t str_hash(const char *s, size_t len) {
        /* FNV-1a; the input is bounded by max_input_bytes and keys are compared in full on a hit. */
        uint64_t h = UINT64_C(14695981039346656037);
        for (size_t i = 0; i < len; i++) {
                h ^= (unsigned char) s[i];
                h *= UINT64_C(1099511628211);
        }
        return h;
}

static StrMapEntry *strmap_slot(StrMap *m, const char *s, size_t len) {
        size_t mask = m->capacity - 1;

        for (size_t i = (size_t) str_hash(s, len) & mask;; i = (i + 1) & mask) {
                StrMapEntry *e = m->slots + i;
                if (!e->s || (e->len == len && memcmp(e->s, s, len) == 0))
                        return e;
        }
}

/* Makes room for n entries in total, rehashing what is there. */
static int strmap_reserve(StrMap *m, size_t n) {
        size_t cap = 16;

        if (n > SIZE_MAX / 4)
                return -ENOMEM;
        if (m->capacity >= 2 * n && m->capacity > 0)
                return 0;
        while (cap < 2 * n) {
                if (cap > SIZE_MAX / 2 / sizeof(StrMapEntry))
                        return -ENOMEM;
                cap *= 2;
        }

        StrMapEntry *old = m->slots;
        size_t old_cap = m->capacity;

        m->slots = calloc(cap, sizeof(StrMapEntry));
        if (!m->slots) {
                m->slots = old;
                return -ENOMEM;
        }
        m->capacity = cap;
        for (size_t i = 0; i < old_cap; i++)
                if (old[i].s)
                        *strmap_slot(m, old[i].s, old[i].len) = old[i];
        free(old);
        return 0;
}

static void strmap_done(StrMap *m) {
        free(m->slots);
        *m = (StrMap) {};
}

/* Empties the table for reuse with about `need` entries. A table that grew for one huge mapping is dropped
 * rather than wiped, or every small mapping after it would pay for clearing it. */
static void strmap_clear(StrMap *m, size_t need) {
        if (m->n == 0)
                return;
        if (m->capacity > 64 && m->capacity / 8 > need)
                strmap_done(m);
        else
                memset(m->slots, 0, m->capacity * sizeof(StrMapEntry));
        m->n = 0;
}

/* ---- loader state ------------------------------------------------------------------------------------ */

typedef struct Anchor {
        YNode *node;
        size_t size; /* nodes in the anchored subtree, counting the aliases inside it expanded */
} Anchor;

typedef struct PendingPair {
        YNode *key, *value;
        bool merge; /* the key is a plain `<<` (or tagged !!merge) */
} PendingPair;

/* One open collection. Frames are reused as the depth goes up and down, so their buffers are too. */
typedef struct Frame {
        YNode *node;
        size_t count;
        char *anchor; /* registered when the collection is complete: an alias inside it is an error */

        YNode *key; /* mapping: the key waiting for its value */
        bool key_merge;

        PendingPair *pairs;
        size_t n_pairs, allocated_pairs;
        YNode **items;
        size_t n_items, allocated_items;
} Frame;

typedef struct Loader {
        const YLimits *limits;
        Diags *diags;
        YArena *arena;
        YStream *stream;
        size_t allocated_documents;

        Frame *frames;
        size_t n_frames, allocated_frames;

        StrMap anchors;
        StrMap keys; /* scratch for finishing one mapping */
        PendingPair *merged; /* scratch: a mapping's pairs after merging */
        size_t allocated_merged;

        YNode *root;
        bool root_is_implicit_empty;
        size_t total; /* nodes loaded so far, with every alias expanded */
        bool seen_alias;
} Loader;

static void loader_done(Loader *l) {
        for (size_t i = 0; i < l->allocated_frames; i++) {
                free(l->frames[i].anchor);
                free(l->frames[i].pairs);
                free(l->frames[i].items);
        }
        free(l->frames);
        free(l->merged);
        strmap_done(&l->anchors);
        strmap_done(&l->keys);
}

static unsigned mark_line(const yaml_mark_t *m) {
        return m->line >= UINT_MAX ? UINT_MAX : (unsigned) m->line + 1;
}

static unsigned mark_column(const yaml_mark_t *m) {
        return m->column >= UINT_MAX ? UINT_MAX : (unsigned) m->column + 1;
}

/* ---- scalar resolution ------------------------------------------------------------------------------- */

static bool str_in(const char *s, const char *const *list) {
        for (; *list; list++)
                if (streq(s, *list))
                        return true;
        return false;
}

static const char *const null_words[] = { "", "~", "null", "Null", "NULL", NULL };
static const char *const true_words[] = { "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE",
                                          "on", "On", "ON", NULL };
static const char *const false_words[] = { "n", "N", "no", "No", "NO", "false", "False", "FALSE",
                                           "off", "Off", "OFF", NULL };
static const char *const float_words[] = { ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf",
                                           "+.INF", "-.inf", "-.Inf", "-.INF", NULL };

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* Go's strconv.ParseInt(s, 0, 64) syntax: sign, then 0x/0o/0b prefix, a leading 0 for octal, or decimal.
 * Returns 1 with the value, 0 when the syntax matches but the value does not fit int64, -EINVAL when it is
 * not an integer at all. */
static int parse_int(const char *s, int64_t *ret) {
        bool neg = false;
        unsigned base = 10;
        uint64_t v = 0;
        bool overflow = false;

        if (*s == '+' || *s == '-') {
                neg = *s == '-';
                s++;
        }
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
                base = 16;
                s += 2;
        } else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
                base = 8;
                s += 2;
        } else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
                base = 2;
                s += 2;
        } else if (s[0] == '0' && s[1] != '\0') {
                base = 8;
                s++;
        }
        if (!*s)
                return -EINVAL;
        for (; *s; s++) {
                int d = unhexchar(*s);
                if (d < 0 || (unsigned) d >= base)
                        return -EINVAL;
                if (v > (UINT64_MAX - (unsigned) d) / base)
                        overflow = true;
                else
                        v = v * base + (unsigned) d;
        }
        if (overflow)
                return 0;
        if (neg) {
                if (v > (uint64_t) INT64_MAX + 1)
                        return 0;
                *ret = v == (uint64_t) INT64_MAX + 1 ? INT64_MIN : -(int64_t) v;
        } else {
                if (v > (uint64_t) INT64_MAX)
                        return 0;
                *ret = (int64_t) v;
        }
        return 1;
}

/* go-yaml v2's float syntax: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool is_float_syntax(const char *s) {
        if (*s == '+' || *s == '-')
                s++;
        if (*s == '.') {
                s++;
                if (!is_digit(*s))
                        return false;
                while (is_digit(*s))
                        s++;
        } else {
                if (!is_digit(*s))
                        return false;
                while (is_digit(*s))
                        s++;
                if (*s == '.') {
                        s++;
                        while (is_digit(*s))
                                s++;
                }
        }
        if (*s == 'e' || *s == 'E') {
                s++;
                if (*s == '+' || *s == '-')
                        s++;
                if (!is_digit(*s))
                        return false;
                while (is_digit(*s))
                        s++;
        }
        return *s == '\0';
}

/* Go's ParseFloat fails on values too large for a double, and go-yaml then keeps the text as a string. */
static bool float_in_range(const char *s) {
        errno = 0;
        double d = strtod(s, NULL);
        return !(errno == ERANGE && isinf(d));
}

/* Resolves a plain scalar's text as go-yaml v2 does (the first character picks which rules apply). */
static int resolve_plain(YNode *n) {
        const char *s = n->value;

        n->kind = YSCALAR_STRING;

        if (str_in(s, null_words)) {
                n->kind = YSCALAR_NULL;
                return 0;
        }
        if (str_in(s, true_words) || str_in(s, false_words)) {
                n->kind = YSCALAR_BOOL;
                n->bool_value = str_in(s, true_words);
                return 0;
        }
        if (str_in(s, float_words)) {
                n->kind = YSCALAR_FLOAT;
                return 0;
        }

        if (s[0] == '.') {
                if (is_float_syntax(s) && float_in_range(s))
                        n->kind = YSCALAR_FLOAT;
                return 0;
        }
        if (!is_digit(s[0]) && s[0] != '+' && s[0] != '-')
                return 0;

        /* go-yaml drops every '_' before trying the number syntaxes. */
        _cleanup_(freep) char *plain = malloc(n->length + 1);
        if (!plain)
                return -ENOMEM;
        size_t k = 0;
        for (size_t i = 0; i < n->length; i++)
                if (s[i] != '_')
                        plain[k++] = s[i];
        plain[k] = '\0';

        int64_t v;
        int r = parse_int(plain, &v);
        if (r > 0) {
                n->kind = YSCALAR_INT;
                n->int_value = v;
        } else if (r == 0)
                n->kind = YSCALAR_FLOAT; /* an integer too big for int64 */
        else if (is_float_syntax(plain) && float_in_range(plain))
                n->kind = YSCALAR_FLOAT; /* also "08" and "09", which are no octal */
        return 0;
}

/* ---- building the tree ------------------------------------------------------------------------------- */

/* Scalar text fit for a message: at most 64 characters, quotes, backslashes and control characters
 * escaped, so a hostile key can neither flood the output nor forge lines of it. NULL on OOM. */
static char *message_text(const char *s, size_t len) {
        StrBuf b = {};
        size_t chars = 0;

        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) s[i];

                /* Counting lead bytes only keeps the cut on a character boundary (the text is valid UTF-8). */
                if ((c & 0xC0) != 0x80 && ++chars > 64) {
                        strbuf_append(&b, "...");
                        break;
                }
                if (c == '"' || c == '\\') {
                        strbuf_append_char(&b, '\\');
                        strbuf_append_char(&b, (char) c);
                } else if (c == '\n')
                        strbuf_append(&b, "\\n");
                else if (c == '\t')
                        strbuf_append(&b, "\\t");
                else if (c < 0x20 || c == 0x7F)
                        strbuf_printf(&b, "\\x%02x", c);
                else
                        strbuf_append_char(&b, (char) c);
        }
        if (b.len == 0 && !b.oom)
                return strdup("");
        return strbuf_steal(&b);
}

static int load_error(Loader *l, unsigned line, unsigned column, const char *fmt, ...) _printf_(4, 5);
static int load_error(Loader *l, unsigned line, unsigned column, const char *fmt, ...) {
        _cleanup_(freep) char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        int k = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        diag_add(l->diags, DIAG_ERROR, line, column, NULL, "%s", msg);
        return l->diags->oom ? -ENOMEM : -EINVAL;
}

/* Counts nodes as if every alias were expanded, so a consumer walking the tree (which follows aliases)
 * does bounded work; the arena itself stays small because aliases are shared. */
static int count_nodes(Loader *l, size_t n, const yaml_mark_t *mark) {
        if (n > l->limits->max_expanded_nodes || l->total > l->limits->max_expanded_nodes - n) {
                if (!l->seen_alias)
                        return load_error(l, mark_line(mark), mark_column(mark), "YAML has more than %zu nodes",
                                          l->limits->max_expanded_nodes);
                return load_error(l, mark_line(mark), mark_column(mark), "YAML aliases expand to more than %zu nodes",
                                  l->limits->max_expanded_nodes);
        }
        l->total += n;
        return 0;
}

static int add_child(Loader *l, YNode *node, size_t count, bool merge_key, const yaml_mark_t *mark) {
        if (l->n_frames == 0) {
                l->root = node;
                return 0;
        }

        Frame *f = l->frames + l->n_frames - 1;
        f->count += count; /* cannot overflow: count_nodes() bounds the total */

        if (f->node->type == YNODE_SEQUENCE) {
                if (!GREEDY_REALLOC(f->items, f->allocated_items, f->n_items + 1))
                        return -ENOMEM;
                f->items[f->n_items++] = node;
                return 0;
        }

        if (!f->key) {
                if (node->type != YNODE_SCALAR)
                        return load_error(l, mark_line(mark), mark_column(mark), "mapping keys must be strings");
                f->key = node;
                f->key_merge = merge_key;
                return 0;
        }

        if (!GREEDY_REALLOC(f->pairs, f->allocated_pairs, f->n_pairs + 1))
                return -ENOMEM;
        f->pairs[f->n_pairs++] = (PendingPair) { f->key, node, f->key_merge };
        f->key = NULL;
        f->key_merge = false;
        return 0;
}

static int register_anchor(Loader *l, const char *name, YNode *node, size_t size) {
        Anchor *a;
        int r;

        if (!name)
                return 0;

        r = strmap_reserve(&l->anchors, l->anchors.n + 1);
        if (r < 0)
                return r;

        size_t len = strlen(name);
        StrMapEntry *e = strmap_slot(&l->anchors, name, len);
        if (!e->s) {
                /* The name must outlive the event it came from; the arena keeps it with the tree. */
                char *copy = arena_memdup(l->arena, name, len + 1);
                if (!copy)
                        return -ENOMEM;
                *e = (StrMapEntry) { .s = copy, .len = len };
                l->anchors.n++;
        }

        /* A redefined anchor replaces the old one for the aliases that follow, as YAML says. */
        a = arena_alloc(l->arena, sizeof(Anchor));
        if (!a)
                return -ENOMEM;
        *a = (Anchor) { node, size };
        e->data = a;
        return 0;
}

static YNode *new_node(Loader *l, YNodeType type, const yaml_mark_t *mark) {
        YNode *n = arena_alloc0(l->arena, sizeof(YNode));
        if (!n)
                return NULL;
        n->type = type;
        n->line = mark_line(mark);
        n->column = mark_column(mark);
        return n;
}

static bool tag_is(const char *tag, const char *name) {
        return tag && startswith(tag, TAG_PREFIX) && streq(tag + strlen(TAG_PREFIX), name);
}

static int handle_scalar(Loader *l, const yaml_event_t *e) {
        const yaml_mark_t *mark = &e->start_mark;
        const char *tag = (const char *) e->data.scalar.tag;
        const char *text = (const char *) e->data.scalar.value;
        size_t len = e->data.scalar.length;
        bool plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        bool merge_key = false;
        int r;

        if (memchr(text, '\0', len))
                return load_error(l, mark_line(mark), mark_column(mark), "NUL character in a scalar");

        r = count_nodes(l, 1, mark);
        if (r < 0)
                return r;

        YNode *n = new_node(l, YNODE_SCALAR, mark);
        if (!n)
                return -ENOMEM;
        n->value = arena_alloc(l->arena, len + 1);
        if (!n->value)
                return -ENOMEM;
        memcpy(n->value, text, len);
        n->value[len] = '\0';
        n->length = len;
        n->kind = YSCALAR_STRING;

        if (!tag) {
                /* Untagged: only plain scalars are resolved; quoted ones are strings. */
                if (plain) {
                        r = resolve_plain(n);
                        if (r < 0)
                                return r;
                        merge_key = streq(n->value, "<<");
                }
        } else if (tag_is(tag, "int") || tag_is(tag, "bool") || tag_is(tag, "null") || tag_is(tag, "float")) {
                /* An explicit type tag makes the text be read as that type whatever its style; a mismatch
                 * is an error, as go-yaml reports it. An integer is a fine !!float. */
                const char *want = tag + strlen(TAG_PREFIX);
                YScalarKind k = streq(want, "int") ? YSCALAR_INT :
                                streq(want, "bool") ? YSCALAR_BOOL :
                                streq(want, "null") ? YSCALAR_NULL : YSCALAR_FLOAT;

                r = resolve_plain(n);
                if (r < 0)
                        return r;
                if (k == YSCALAR_FLOAT && n->kind == YSCALAR_INT)
                        n->kind = YSCALAR_FLOAT;
                if (n->kind != k) {
                        _cleanup_(freep) char *t = message_text(n->value, n->length);
                        if (!t)
                                return -ENOMEM;
                        return load_error(l, mark_line(mark), mark_column(mark), "cannot read \"%s\" as !!%s", t,
                                          want);
                }
        } else if (tag_is(tag, "merge"))
                merge_key = true;
        /* Everything else (!!str, !!binary, !!timestamp, "!", local tags) stays a string. */

        if (l->n_frames == 0)
                l->root_is_implicit_empty = plain && !tag && len == 0 && !e->data.scalar.anchor;

        r = register_anchor(l, (const char *) e->data.scalar.anchor, n, 1);
        if (r < 0)
                return r;

        return add_child(l, n, 1, merge_key, mark);
}

static bool anchor_is_open(Loader *l, const char *name) {
        for (size_t i = 0; i < l->n_frames; i++)
                if (l->frames[i].anchor && streq(l->frames[i].anchor, name))
                        return true;
        return false;
}

static int handle_alias(Loader *l, const yaml_event_t *e) {
        const yaml_mark_t *mark = &e->start_mark;
        const char *name = (const char *) e->data.alias.anchor;
        StrMapEntry *s = NULL;
        int r;

        if (l->anchors.capacity > 0) {
                s = strmap_slot(&l->anchors, name, strlen(name));
                if (!s->s)
                        s = NULL;
        }
        if (!s) {
                if (anchor_is_open(l, name))
                        return load_error(l, mark_line(mark), mark_column(mark),
                                          "anchor \"%s\" value contains itself", name);
                return load_error(l, mark_line(mark), mark_column(mark), "unknown anchor \"%s\" referenced", name);
        }

        const Anchor *a = s->data;
        l->seen_alias = true;
        r = count_nodes(l, a->size, mark);
        if (r < 0)
                return r;

        if (l->n_frames == 0)
                l->root_is_implicit_empty = false;

        return add_child(l, a->node, a->size, false, mark);
}

static int push_frame(Loader *l, const yaml_event_t *e, YNodeType type) {
        const yaml_mark_t *mark = &e->start_mark;
        const char *anchor = (const char *) (type == YNODE_MAPPING ? e->data.mapping_start.anchor :
                                                                     e->data.sequence_start.anchor);
        int r;

        if (l->n_frames >= l->limits->max_depth)
                return load_error(l, mark_line(mark), mark_column(mark), "nesting deeper than %u levels",
                                  l->limits->max_depth);

        if (l->n_frames > 0) {
                Frame *parent = l->frames + l->n_frames - 1;
                if (parent->node->type == YNODE_MAPPING && !parent->key)
                        return load_error(l, mark_line(mark), mark_column(mark), "mapping keys must be strings");
        }

        r = count_nodes(l, 1, mark);
        if (r < 0)
                return r;

        YNode *n = new_node(l, type, mark);
        if (!n)
                return -ENOMEM;

        if (l->n_frames >= l->allocated_frames) {
                size_t old = l->allocated_frames;
                if (!GREEDY_REALLOC(l->frames, l->allocated_frames, l->n_frames + 1))
                        return -ENOMEM;
                memset(l->frames + old, 0, (l->allocated_frames - old) * sizeof(Frame));
        }

        Frame *f = l->frames + l->n_frames;
        f->node = n;
        f->count = 1;
        f->key = NULL;
        f->key_merge = false;
        f->n_pairs = f->n_items = 0;
        free(f->anchor);
        f->anchor = NULL;
        if (anchor) {
                f->anchor = strdup(anchor);
                if (!f->anchor)
                        return -ENOMEM;
        }
        l->n_frames++;
        return 0;
}

static int merge_source_error(Loader *l, const YNode *value) {
        return load_error(l, value->line, value->column,
                          "map merge requires a mapping or a sequence of mappings as the value");
}

/* Turns a frame's pairs into the node's final pairs: rejects duplicate keys and applies `<<` merge keys
 * (YAML 1.1: keys written in the mapping win over merged ones, and earlier merged mappings win over later
 * ones). Merged keys go where their `<<` was, so a consumer sees them in a sensible order. */
static int finish_mapping(Loader *l, Frame *f) {
        size_t n_explicit = 0, n_merged = 0;
        bool has_merge = false, duplicate = false;
        int r;

        for (size_t i = 0; i < f->n_pairs; i++) {
                const PendingPair *p = f->pairs + i;
                if (!p->merge) {
                        n_explicit++;
                        continue;
                }
                has_merge = true;
                if (p->value->type == YNODE_MAPPING)
                        n_merged += p->value->n_pairs;
                else if (p->value->type == YNODE_SEQUENCE) {
                        for (size_t j = 0; j < p->value->n_items; j++) {
                                if (p->value->items[j]->type != YNODE_MAPPING)
                                        return merge_source_error(l, p->value->items[j]);
                                n_merged += p->value->items[j]->n_pairs;
                        }
                } else
                        return merge_source_error(l, p->value);
        }

        strmap_clear(&l->keys, n_explicit + n_merged);
        r = strmap_reserve(&l->keys, n_explicit + n_merged);
        if (r < 0)
                return r;

        for (size_t i = 0; i < f->n_pairs; i++) {
                const PendingPair *p = f->pairs + i;
                if (p->merge)
                        continue;
                StrMapEntry *e = strmap_slot(&l->keys, p->key->value, p->key->length);
                if (e->s) {
                        const YNode *first = e->data;
                        _cleanup_(freep) char *t = message_text(p->key->value, p->key->length);
                        if (!t)
                                return -ENOMEM;
                        /* Report every duplicate, as Kubernetes' strict decoding lists them all. */
                        diag_add(l->diags, DIAG_ERROR, p->key->line, p->key->column, NULL,
                                 "duplicate key \"%s\" (first at line %u)", t, first->line);
                        duplicate = true;
                        continue;
                }
                *e = (StrMapEntry) { p->key->value, p->key->length, p->key };
                l->keys.n++;
        }
        if (l->diags->oom)
                return -ENOMEM;
        if (duplicate)
                return -EINVAL;

        size_t n_out = 0;
        const PendingPair *out = f->pairs;
        if (has_merge) {
                if (!GREEDY_REALLOC(l->merged, l->allocated_merged, n_explicit + n_merged))
                        return -ENOMEM;
                for (size_t i = 0; i < f->n_pairs; i++) {
                        const PendingPair *p = f->pairs + i;
                        if (!p->merge) {
                                l->merged[n_out++] = *p;
                                continue;
                        }
                        bool seq = p->value->type == YNODE_SEQUENCE;
                        size_t n_src = seq ? p->value->n_items : 1;
                        for (size_t j = 0; j < n_src; j++) {
                                const YNode *src = seq ? p->value->items[j] : p->value;
                                for (size_t k = 0; k < src->n_pairs; k++) {
                                        YNode *key = src->pairs[k].key;
                                        StrMapEntry *e = strmap_slot(&l->keys, key->value, key->length);
                                        if (e->s)
                                                continue;
                                        *e = (StrMapEntry) { key->value, key->length, key };
                                        l->keys.n++;
                                        l->merged[n_out++] = (PendingPair) { key, src->pairs[k].value, false };
                                }
                        }
                }
                out = l->merged;
        } else
                n_out = f->n_pairs;

        if (n_out > 0) {
                if (n_out > SIZE_MAX / sizeof(YPair))
                        return -ENOMEM;
                YPair *pairs = arena_alloc(l->arena, n_out * sizeof(YPair));
                if (!pairs)
                        return -ENOMEM;
                for (size_t i = 0; i < n_out; i++)
                        pairs[i] = (YPair) { out[i].key, out[i].value };
                f->node->pairs = pairs;
        }
        f->node->n_pairs = n_out;
        return 0;
}

static int pop_frame(Loader *l) {
        int r;

        assert(l->n_frames > 0);
        Frame *f = l->frames + l->n_frames - 1;

        if (f->node->type == YNODE_MAPPING) {
                r = finish_mapping(l, f);
                if (r < 0)
                        return r;
        } else if (f->n_items > 0) {
                if (f->n_items > SIZE_MAX / sizeof(YNode *))
                        return -ENOMEM;
                f->node->items = arena_memdup(l->arena, f->items, f->n_items * sizeof(YNode *));
                if (!f->node->items)
                        return -ENOMEM;
                f->node->n_items = f->n_items;
        }

        r = register_anchor(l, f->anchor, f->node, f->count);
        if (r < 0)
                return r;
        free(f->anchor);
        f->anchor = NULL;

        l->n_frames--;
        yaml_mark_t mark = { .line = f->node->line - 1, .column = f->node->column - 1 };
        return add_child(l, f->node, f->count, false, &mark);
}

static int handle_event(Loader *l, const yaml_event_t *e) {
        YStream *s = l->stream;

        switch (e->type) {

        case YAML_DOCUMENT_START_EVENT:
                if (!GREEDY_REALLOC(s->documents, l->allocated_documents, s->n_documents + 1))
                        return -ENOMEM;
                s->documents[s->n_documents++] = (YDocument) {
                        .line = mark_line(&e->start_mark),
                        .column = mark_column(&e->start_mark),
                };
                /* Anchors are scoped to their document. */
                strmap_clear(&l->anchors, 0);
                l->root = NULL;
                l->root_is_implicit_empty = false;
                return 0;

        case YAML_DOCUMENT_END_EVENT:
                assert(s->n_documents > 0);
                /* A bare `---` yields an empty plain scalar; the contract calls that an empty document. */
                s->documents[s->n_documents - 1].root = l->root_is_implicit_empty ? NULL : l->root;
                return 0;

        case YAML_SCALAR_EVENT:
                return handle_scalar(l, e);

        case YAML_ALIAS_EVENT:
                return handle_alias(l, e);

        case YAML_SEQUENCE_START_EVENT:
                return push_frame(l, e, YNODE_SEQUENCE);

        case YAML_MAPPING_START_EVENT:
                return push_frame(l, e, YNODE_MAPPING);

        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
                return pop_frame(l);

        default:
                return 0;
        }
}

/* ---- checking the raw text --------------------------------------------------------------------------- */

typedef struct TextPos {
        unsigned line, column;
} TextPos;

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, surrogates or values past U+10FFFF),
 * or 0. Stores the code point. */
static size_t utf8_char(const unsigned char *p, size_t n, uint32_t *ret) {
        size_t len;
        uint32_t cp;

        if (p[0] < 0x80) {
                *ret = p[0];
                return 1;
        } else if ((p[0] & 0xE0) == 0xC0) {
                len = 2;
                cp = p[0] & 0x1F;
        } else if ((p[0] & 0xF0) == 0xE0) {
                len = 3;
                cp = p[0] & 0x0F;
        } else if ((p[0] & 0xF8) == 0xF0) {
                len = 4;
                cp = p[0] & 0x07;
        } else
                return 0;
        if (len > n)
                return 0;
        for (size_t k = 1; k < len; k++) {
                if ((p[k] & 0xC0) != 0x80)
                        return 0;
                cp = (cp << 6) | (p[k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
                return 0;
        *ret = cp;
        return len;
}

static size_t skip_bom(const char *buf, size_t len) {
        return len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

/* Walks the text from the start, counting lines and characters the way libyaml's marks do (CR LF, CR, LF,
 * NEL, LS and PS break lines; columns count characters, not bytes). Stops at `stop` or at the first byte
 * that is not valid UTF-8 or is NUL; returns that offset. */
static size_t text_scan(const char *buf, size_t len, size_t stop, TextPos *pos) {
        const unsigned char *p = (const unsigned char *) buf;
        size_t i = skip_bom(buf, len);
        TextPos t = { 1, 1 };

        stop = MIN(stop, len);
        while (i < stop) {
                uint32_t cp;
                size_t n;

                if (p[i] == 0)
                        break;
                n = utf8_char(p + i, len - i, &cp);
                if (n == 0)
                        break;

                if (cp == '\r' && i + 1 < len && p[i + 1] == '\n')
                        n = 2;
                if (cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029) {
                        t.line++;
                        t.column = 1;
                } else
                        t.column++;
                i += n;
        }
        *pos = t;
        return i;
}

static int check_text(Loader *l, const char *buf, size_t len) {
        TextPos pos;

        size_t i = text_scan(buf, len, len, &pos);
        if (i >= len)
                return 0;
        if (buf[i] == '\0')
                return load_error(l, pos.line, pos.column, "NUL byte in the input");
        return load_error(l, pos.line, pos.column, "invalid UTF-8");
}

static int parser_error(Loader *l, const yaml_parser_t *p) {
        unsigned line, column;

        switch (p->error) {
        case YAML_MEMORY_ERROR:
                return -ENOMEM;

        case YAML_READER_ERROR: {
                /* The reader has no mark, only the byte offset of the offending character. */
                TextPos pos;
                (void) text_scan((const char *) p->input.string.start,
                                 (size_t) (p->input.string.end - p->input.string.start), p->problem_offset, &pos);
                line = pos.line;
                column = pos.column;
                break;
        }

        default:
                line = mark_line(&p->problem_mark);
                column = mark_column(&p->problem_mark);
        }

        const char *problem = p->problem ?: "invalid YAML";
        if (p->context && p->context_mark.line != p->problem_mark.line)
                return load_error(l, line, column, "%s (%s at line %u)", problem, p->context,
                                  mark_line(&p->context_mark));
        if (p->context)
                return load_error(l, line, column, "%s (%s)", problem, p->context);
        return load_error(l, line, column, "%s", problem);
}

static char *format_size(size_t n) {
        char *s;
        int k;

        if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
                k = asprintf(&s, "%zu MiB", n / (1024 * 1024));
        else if (n >= 1024 && n % 1024 == 0)
                k = asprintf(&s, "%zu KiB", n / 1024);
        else
                k = asprintf(&s, "%zu bytes", n);
        return k < 0 ? NULL : s;
}

/* ---- public API -------------------------------------------------------------------------------------- */

YStream *ystream_free(YStream *s) {
        if (!s)
                return NULL;
        arena_free(s->arena);
        free(s->documents);
        free(s);
        return NULL;
}

static void yaml_parser_deletep(yaml_parser_t **p) {
        if (*p)
                yaml_parser_delete(*p);
}

int ystream_parse(const char *buf, size_t len, const YLimits *limits, YStream **ret, Diags *diags) {
        static const YLimits default_limits = YLIMITS_DEFAULT;
        yaml_parser_t parser_storage; /* declared first: it must outlive the cleanup of `parser` */
        _cleanup_(ystream_freep) YStream *s = NULL;
        _cleanup_(loader_done) Loader l = {};
        _cleanup_(yaml_parser_deletep) yaml_parser_t *parser = NULL;
        int r;

        assert(buf || len == 0);
        assert(ret);
        assert(diags);

        *ret = NULL;

        l.limits = limits ?: &default_limits;
        l.diags = diags;

        if (len > l.limits->max_input_bytes) {
                _cleanup_(freep) char *size = format_size(l.limits->max_input_bytes);
                if (!size)
                        return -ENOMEM;
                return load_error(&l, 0, 0, "file is larger than %s", size);
        }

        /* libyaml's own reports for these are vague and lack a line; find the first bad byte ourselves. */
        r = check_text(&l, buf, len);
        if (r < 0)
                return r;

        s = calloc(1, sizeof(YStream));
        if (!s)
                return -ENOMEM;
        s->arena = calloc(1, sizeof(YArena));
        if (!s->arena)
                return -ENOMEM;
        l.stream = s;
        l.arena = s->arena;

        if (!yaml_parser_initialize(&parser_storage))
                return -ENOMEM;
        parser = &parser_storage;
        yaml_parser_set_input_string(parser, (const unsigned char *) (buf ?: ""), len);

        for (bool done = false; !done;) {
                yaml_event_t event;

                if (!yaml_parser_parse(parser, &event))
                        return parser_error(&l, parser);

                done = event.type == YAML_STREAM_END_EVENT;
                r = handle_event(&l, &event);
                yaml_event_delete(&event);
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(s);
        return 0;
}

const YNode *ynode_get(const YNode *map, const char *key) {
        if (!map || !key || map->type != YNODE_MAPPING)
                return NULL;

        size_t len = strlen(key);
        for (size_t i = 0; i < map->n_pairs; i++) {
                const YNode *k = map->pairs[i].key;
                if (k->length == len && memcmp(k->value, key, len) == 0)
                        return map->pairs[i].value;
        }
        return NULL;
}

const char *ynode_type_name(const YNode *node) {
        if (!node)
                return "null";

        switch (node->type) {
        case YNODE_MAPPING:
                return "object";
        case YNODE_SEQUENCE:
                return "array";
        case YNODE_SCALAR:
                switch (node->kind) {
                case YSCALAR_NULL:
                        return "null";
                case YSCALAR_BOOL:
                        return "boolean";
                case YSCALAR_INT:
                        return "integer";
                case YSCALAR_FLOAT:
                        return "number";
                case YSCALAR_STRING:
                        return "string";
                }
        }
        return "unknown";
}
