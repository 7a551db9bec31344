/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>

#include "json-writer.h"
#include "string-util.h"
#include "yaml-emit.h"

static void indent(StrBuf *b, unsigned n) {
        for (unsigned i = 0; i < n; i++)
                strbuf_append_char(b, ' ');
}

/* Plain text that YAML 1.1 (go-yaml v2) resolves to something other than a string. Generous on purpose:
 * anything number-like gets quotes, which never changes what a reader gets back. */
static bool resolves_to_non_string(const char *s) {
        static const char *const words[] = {
                "~", "null", "Null", "NULL",
                "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
                "true", "True", "TRUE", "false", "False", "FALSE",
                "on", "On", "ON", "off", "Off", "OFF",
                ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
                ".nan", ".NaN", ".NAN", "<<",
        };
        bool digit = false;

        for (size_t i = 0; i < ELEMENTSOF(words); i++)
                if (streq(s, words[i]))
                        return true;

        /* YAML 1.1 timestamps ("2026-11-24T03:04:05Z", "2026-1-2"): kubectl quotes creationTimestamp */
        if (strlen(s) >= 8 && isdigit((unsigned char) s[0]) && isdigit((unsigned char) s[1]) &&
            isdigit((unsigned char) s[2]) && isdigit((unsigned char) s[3]) && s[4] == '-' &&
            isdigit((unsigned char) s[5]))
                return true;

        if (!strchr("+-.0123456789", s[0]))
                return false;
        for (const char *p = s; *p; p++) {
                if (isdigit((unsigned char) *p))
                        digit = true;
                else if (!strchr("+-._:eExXoObBabcdefABCDEF", *p))
                        return false;
        }
        return digit;
}

static bool needs_single_quotes(const char *s) {
        size_t n = strlen(s);

        if (n == 0)
                return true;
        if (strchr("-?:,[]{}#&*!|>'\"%@`", s[0]) && !((s[0] == '-' || s[0] == '?' || s[0] == ':') &&
                                                       s[1] && s[1] != ' '))
                return true;
        if (isspace((unsigned char) s[0]) || isspace((unsigned char) s[n - 1]))
                return true;
        if (strstr(s, ": ") || strstr(s, " #") || s[n - 1] == ':')
                return true;
        if (startswith(s, "---") || startswith(s, "..."))
                return true;
        for (const char *p = s; *p; p++)
                if (*p == ',' || *p == '[' || *p == ']' || *p == '{' || *p == '}')
                        return true; /* go-yaml is strict about flow indicators anywhere */
        return false;
}

static bool has_control(const char *s, bool allow_newline) {
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if ((*p < 0x20 && !(allow_newline && *p == '\n')) || *p == 0x7f)
                        return true;
        return false;
}

bool yaml_string_needs_quotes(const char *s) {
        return resolves_to_non_string(s) || needs_single_quotes(s) || has_control(s, false);
}

static void append_double_quoted(StrBuf *b, const char *s) {
        strbuf_append_char(b, '"');
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                switch (*p) {
                case '"':
                        strbuf_append(b, "\\\"");
                        break;
                case '\\':
                        strbuf_append(b, "\\\\");
                        break;
                case '\n':
                        strbuf_append(b, "\\n");
                        break;
                case '\t':
                        strbuf_append(b, "\\t");
                        break;
                case '\r':
                        strbuf_append(b, "\\r");
                        break;
                default:
                        if (*p < 0x20 || *p == 0x7f)
                                strbuf_printf(b, "\\x%02X", *p);
                        else
                                strbuf_append_char(b, (char) *p);
                }
        strbuf_append_char(b, '"');
}

/* A string scalar as a value at column ind (for literal block lines). */
static void append_string(StrBuf *b, const char *s, unsigned ind) {
        size_t n = strlen(s);

        if (n == 0 || resolves_to_non_string(s)) {
                append_double_quoted(b, s);
                return;
        }
        if (strchr(s, '\n') && !has_control(s, true) && !isspace((unsigned char) s[0]) &&
            !(n >= 2 && s[n - 1] == '\n' && s[n - 2] == '\n')) {
                /* literal block: "|" keeps one final newline, "|-" strips it */
                bool final_newline = s[n - 1] == '\n';
                const char *p = s, *end = s + n - (final_newline ? 1 : 0);

                strbuf_append(b, final_newline ? "|" : "|-");
                while (p <= end) {
                        const char *eol = memchr(p, '\n', (size_t) (end - p));
                        size_t len = eol ? (size_t) (eol - p) : (size_t) (end - p);

                        strbuf_append_char(b, '\n');
                        if (len > 0) {
                                indent(b, ind);
                                strbuf_append_n(b, p, len);
                        }
                        if (!eol)
                                break;
                        p = eol + 1;
                }
                return;
        }
        if (has_control(s, false)) {
                append_double_quoted(b, s);
                return;
        }
        if (needs_single_quotes(s)) {
                strbuf_append_char(b, '\'');
                for (const char *p = s; *p; p++) {
                        if (*p == '\'')
                                strbuf_append_char(b, '\'');
                        strbuf_append_char(b, *p);
                }
                strbuf_append_char(b, '\'');
                return;
        }
        strbuf_append(b, s);
}

static void append_scalar(StrBuf *b, const YNode *n, unsigned ind) {
        switch (n->kind) {
        case YSCALAR_NULL:
                strbuf_append(b, "null");
                break;
        case YSCALAR_BOOL:
                strbuf_append(b, n->bool_value ? "true" : "false");
                break;
        case YSCALAR_INT:
        case YSCALAR_FLOAT:
                strbuf_append(b, n->value);
                break;
        default:
                append_string(b, n->value, ind);
        }
}

static int pair_cmp(const void *a, const void *b) {
        const YPair *x = *(const YPair *const *) a, *y = *(const YPair *const *) b;

        return strcmp(x->key->value ?: "", y->key->value ?: "");
}

static bool is_nonempty_collection(const YNode *n) {
        return n && ((n->type == YNODE_MAPPING && n->n_pairs > 0) || (n->type == YNODE_SEQUENCE && n->n_items > 0));
}

static void emit_node(const YNode *n, StrBuf *b, unsigned ind);

/* Emits the value after "key:" or "- ": a scalar or empty collection on the same line, a mapping on the
 * following lines indented by two, a sequence on the following lines at the same indent (for a key). */
static void emit_value(const YNode *v, StrBuf *b, unsigned ind, bool after_key) {
        if (!is_nonempty_collection(v)) {
                strbuf_append_char(b, ' ');
                emit_node(v, b, ind + 2);
                strbuf_append_char(b, '\n');
                return;
        }
        strbuf_append_char(b, '\n');
        if (v->type == YNODE_MAPPING) {
                indent(b, ind + 2);
                emit_node(v, b, ind + 2);
        } else {
                indent(b, after_key ? ind : ind + 2);
                emit_node(v, b, after_key ? ind : ind + 2);
        }
}

/* Emits n with the cursor already at column ind; a collection ends with a newline, a scalar does not. */
static void emit_node(const YNode *n, StrBuf *b, unsigned ind) {
        if (!n) {
                strbuf_append(b, "null");
                return;
        }

        switch (n->type) {
        case YNODE_SCALAR:
                append_scalar(b, n, ind);
                return;

        case YNODE_MAPPING: {
                _cleanup_(freep) const YPair **sorted = NULL;

                if (n->n_pairs == 0) {
                        strbuf_append(b, "{}");
                        return;
                }
                sorted = malloc(n->n_pairs * sizeof(YPair *));
                if (!sorted) {
                        b->oom = true;
                        return;
                }
                for (size_t i = 0; i < n->n_pairs; i++)
                        sorted[i] = &n->pairs[i];
                qsort(sorted, n->n_pairs, sizeof(YPair *), pair_cmp);

                for (size_t i = 0; i < n->n_pairs; i++) {
                        if (i > 0)
                                indent(b, ind);
                        append_string(b, sorted[i]->key->value ?: "", ind);
                        strbuf_append_char(b, ':');
                        emit_value(sorted[i]->value, b, ind, true);
                }
                return;
        }

        case YNODE_SEQUENCE:
                if (n->n_items == 0) {
                        strbuf_append(b, "[]");
                        return;
                }
                for (size_t i = 0; i < n->n_items; i++) {
                        const YNode *item = n->items[i];

                        if (i > 0)
                                indent(b, ind);
                        strbuf_append_char(b, '-');
                        if (is_nonempty_collection(item)) {
                                /* "- key: v" / "- - x": the item continues on the dash's line */
                                strbuf_append_char(b, ' ');
                                emit_node(item, b, ind + 2);
                        } else {
                                strbuf_append_char(b, ' ');
                                emit_node(item, b, ind + 2);
                                strbuf_append_char(b, '\n');
                        }
                }
                return;
        }
}

void ynode_emit_yaml(const YNode *node, StrBuf *b) {
        emit_node(node, b, 0);
        if (!is_nonempty_collection(node))
                strbuf_append_char(b, '\n');
}

static void emit_json(const YNode *n, StrBuf *b, unsigned ind) {
        if (!n) {
                strbuf_append(b, "null");
                return;
        }
        switch (n->type) {
        case YNODE_SCALAR:
                switch (n->kind) {
                case YSCALAR_NULL:
                        strbuf_append(b, "null");
                        break;
                case YSCALAR_BOOL:
                        strbuf_append(b, n->bool_value ? "true" : "false");
                        break;
                case YSCALAR_INT:
                        strbuf_printf(b, "%" PRIi64, n->int_value);
                        break;
                case YSCALAR_FLOAT:
                        /* JSON has no .inf/.nan; the input was JSON, so these are written as read */
                        if (strchr(n->value, 'i') || strchr(n->value, 'n') || strchr(n->value, 'I') ||
                            strchr(n->value, 'N'))
                                json_append_string(b, n->value);
                        else
                                strbuf_append(b, n->value);
                        break;
                default:
                        json_append_string(b, n->value);
                }
                return;
        case YNODE_MAPPING:
                if (n->n_pairs == 0) {
                        strbuf_append(b, "{}");
                        return;
                }
                strbuf_append(b, "{\n");
                for (size_t i = 0; i < n->n_pairs; i++) {
                        indent(b, ind + 4);
                        json_append_string(b, n->pairs[i].key->value ?: "");
                        strbuf_append(b, ": ");
                        emit_json(n->pairs[i].value, b, ind + 4);
                        strbuf_append(b, i + 1 < n->n_pairs ? ",\n" : "\n");
                }
                indent(b, ind);
                strbuf_append_char(b, '}');
                return;
        case YNODE_SEQUENCE:
                if (n->n_items == 0) {
                        strbuf_append(b, "[]");
                        return;
                }
                strbuf_append(b, "[\n");
                for (size_t i = 0; i < n->n_items; i++) {
                        indent(b, ind + 4);
                        emit_json(n->items[i], b, ind + 4);
                        strbuf_append(b, i + 1 < n->n_items ? ",\n" : "\n");
                }
                indent(b, ind);
                strbuf_append_char(b, ']');
                return;
        }
}

void ynode_emit_json(const YNode *node, StrBuf *b) {
        emit_json(node, b, 0);
        strbuf_append_char(b, '\n');
}
