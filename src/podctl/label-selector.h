/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"
#include "yaml-tree.h"

/* Kubernetes label selectors as `kubectl get -l` takes them: requirements separated by commas, each
 * `key`, `!key`, `key=value`, `key==value`, `key!=value`, `key in (v1,v2)`, `key notin (v1,v2)`. All must
 * hold. `!=` and `notin` also match objects without the key, as in Kubernetes. Pure. */

typedef enum SelectorOp {
        SELECTOR_EXISTS,
        SELECTOR_NOT_EXISTS,
        SELECTOR_EQUALS,
        SELECTOR_NOT_EQUALS,
        SELECTOR_IN,
        SELECTOR_NOT_IN,
        _SELECTOR_OP_MAX,
        _SELECTOR_OP_INVALID = -EINVAL,
} SelectorOp;

typedef struct SelectorRequirement {
        char *key;
        SelectorOp op;
        char **values; /* one for EQUALS/NOT_EQUALS, one or more for IN/NOT_IN, none otherwise */
} SelectorRequirement;

typedef struct LabelSelector {
        SelectorRequirement *items;
        size_t n;
} LabelSelector;

/* Parses s ("" selects everything). On a syntax error returns -EINVAL and, when ret_error is not NULL,
 * a message saying what was found where (caller frees). -ENOMEM on OOM. */
int label_selector_parse(const char *s, LabelSelector **ret, char **ret_error);
LabelSelector *label_selector_free(LabelSelector *sel);
DEFINE_TRIVIAL_CLEANUP_FUNC(LabelSelector *, label_selector_free);

/* Whether a labels mapping (metadata.labels; NULL = no labels) satisfies the selector (NULL = all). */
bool label_selector_match(const LabelSelector *sel, const YNode *labels) _pure_;
