/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "strbuf.h"
#include "yaml-tree.h"

/* Writes a parsed JSON/YAML tree the way `kubectl get -o yaml` prints objects (go-yaml v2 through
 * sigs.k8s.io/yaml): mapping keys sorted, two-space indent, sequence items ("- ") at their key's indent,
 * {} and [] for empty collections, strings plain when they read back as the same string and quoted
 * otherwise ("" for empty, "true"/"80"/"null" double-quoted, indicator characters single-quoted),
 * multi-line strings as literal blocks. Pure. */
void ynode_emit_yaml(const YNode *node, StrBuf *b);

/* Writes the tree as JSON indented by four spaces, keys in their order, as `kubectl get -o json`. */
void ynode_emit_json(const YNode *node, StrBuf *b);

/* Whether a string would need quotes as a YAML plain scalar (exposed for tests). */
bool yaml_string_needs_quotes(const char *s) _pure_;
