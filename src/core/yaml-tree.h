/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "diag.h"
#include "macro.h"

/* A YAML stream loaded with libyaml into a tree of nodes that remember where they came from. All nodes live
 * in one arena owned by the YStream; aliases point at the anchored node (the tree is a DAG), which is why
 * expansion is bounded by YLimits.max_expanded_nodes. Pure: parses a buffer, never touches files. */

typedef enum YNodeType {
        YNODE_SCALAR,
        YNODE_MAPPING,
        YNODE_SEQUENCE,
} YNodeType;

/* What a scalar means, resolved as sigs.k8s.io/yaml (YAML 1.1 core rules of go-yaml v2) does: a quoted or
 * !!str-tagged scalar is always a string; plain `~`, `null`, `Null`, `NULL` and empty are null; plain
 * y/Y/yes/Yes/YES/n/N/no/No/NO/true/True/TRUE/false/False/FALSE/on/On/ON/off/Off/OFF are booleans;
 * plain decimal, 0x/0o/0b/leading-0 octal integers with optional sign and `_` separators are ints; plain
 * floats (incl. .inf, .nan) are floats; everything else is a string. */
typedef enum YScalarKind {
        YSCALAR_NULL,
        YSCALAR_BOOL,
        YSCALAR_INT,
        YSCALAR_FLOAT,
        YSCALAR_STRING,
} YScalarKind;

typedef struct YPair {
        struct YNode *key;
        struct YNode *value;
} YPair;

struct YNode {
        YNodeType type;
        unsigned line, column; /* 1-based start of the node */
        /* scalar */
        char *value;      /* NUL-terminated; scalars with an embedded NUL are rejected at load */
        size_t length;
        YScalarKind kind; /* resolved at load */
        bool bool_value;  /* when kind == YSCALAR_BOOL */
        int64_t int_value; /* when kind == YSCALAR_INT; out-of-range plain ints resolve to YSCALAR_FLOAT */
        /* mapping (after `<<` merge keys were applied; keys are unique) */
        YPair *pairs;
        size_t n_pairs;
        /* sequence */
        struct YNode **items;
        size_t n_items;
};

typedef struct YDocument {
        YNode *root; /* NULL for an empty document */
        unsigned line, column; /* where the document starts */
} YDocument;

typedef struct YLimits {
        size_t max_input_bytes;    /* default 10 MiB, as the kubelet's static-pod limit */
        unsigned max_depth;        /* default 64 nested collections */
        size_t max_expanded_nodes; /* default 1,000,000 nodes counting every alias expansion */
} YLimits;

#define YLIMITS_DEFAULT ((YLimits) { 10u * 1024u * 1024u, 64, 1000000 })

typedef struct YArena YArena;

typedef struct YStream {
        YDocument *documents;
        size_t n_documents;
        YArena *arena;
} YStream;

/* Loads every document of buf (BOM, CRLF, missing trailing newline, `---`/`...` all accepted). Errors
 * (syntax, invalid UTF-8, duplicate mapping keys, too large/deep/expanded, NUL in a scalar, undefined
 * aliases) go to diags with their position and a `-EINVAL` return (`-ENOMEM` on OOM); on error *ret is
 * NULL. A duplicate key is an error located at the second occurrence: `duplicate key "name" (first at
 * line 3)`. The path of load errors is NULL. */
int ystream_parse(const char *buf, size_t len, const YLimits *limits, YStream **ret, Diags *diags);
YStream *ystream_free(YStream *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(YStream *, ystream_free);

/* Value of key in a mapping (NULL if absent or map isn't a mapping). */
const YNode *ynode_get(const YNode *map, const char *key) _pure_;
/* A human name of a node's type for error messages: "string", "integer", "boolean", "number", "null",
 * "object", "array" (JSON-ish words, as Kubernetes' decoder uses). */
const char *ynode_type_name(const YNode *node) _pure_;

/* Writes node as JSON: mappings → objects (keys as strings), sequences → arrays, scalars by their
 * resolved kind (strings quoted, ints and floats as numbers — .inf/.nan, which JSON lacks, as strings —,
 * booleans, null). NULL → null. For `podctl get -o json`, which shows the spec as the manifest wrote it. */
typedef struct StrBuf StrBuf;
void ynode_to_json(const YNode *node, StrBuf *b);
/* The same, leaving out every mapping entry whose key `keep` refuses (podd drops the unknown fields of an
 * object applied with --validate=warn|ignore before it stores it). */
typedef bool (*YNodeKeyFilter)(const YNode *key, void *userdata);
void ynode_to_json_filtered(const YNode *node, YNodeKeyFilter keep, void *userdata, StrBuf *b);
