/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "json-writer.h"
#include "strbuf.h"
#include "yaml-tree.h"

/* A double as Go's encoding/json writes it (sigs.k8s.io/yaml turns YAML floats into float64 and marshals
 * them): the shortest digits that read back as the same double, in plain notation unless the decimal
 * exponent is below -6 or at least 21, then as d.ddde±x with no leading zero in a negative exponent. */
static void append_double(StrBuf *b, double d) {
        char sci[64];

        /* Shortest round-trip: %.17e always is, shorter ones often are. */
        for (int prec = 0; prec <= 16; prec++) {
                (void) snprintf(sci, sizeof(sci), "%.*e", prec, d);
                if (strtod(sci, NULL) == d)
                        break;
        }

        /* sci is "[-]D[.DDD]e±XX": split it into sign, digits and exponent. */
        const char *p = sci;
        bool negative = *p == '-';
        if (negative)
                p++;
        char digits[32];
        size_t n = 0;
        for (; *p && *p != 'e'; p++)
                if (*p != '.' && n < sizeof(digits) - 1)
                        digits[n++] = *p;
        digits[n] = '\0';
        int exp = *p == 'e' ? atoi(p + 1) : 0;

        /* Trailing zeros of the mantissa carry no information ("1.50e+00" cannot come out of the loop, but
         * "0e+00" and "1e+21" can). */
        while (n > 1 && digits[n - 1] == '0')
                digits[--n] = '\0';

        if (negative)
                strbuf_append_char(b, '-');

        if (exp < -6 || exp >= 21) {
                strbuf_append_char(b, digits[0]);
                if (n > 1) {
                        strbuf_append_char(b, '.');
                        strbuf_append(b, digits + 1);
                }
                strbuf_printf(b, "e%c%s%d", exp < 0 ? '-' : '+', exp < 0 || exp >= 10 ? "" : "0",
                              exp < 0 ? -exp : exp);
                return;
        }

        if (exp < 0) {
                strbuf_append(b, "0.");
                for (int i = -1; i > exp; i--)
                        strbuf_append_char(b, '0');
                strbuf_append(b, digits);
                return;
        }

        /* exp >= 0: the first exp+1 digits are the integer part. */
        size_t int_len = (size_t) exp + 1;
        if (n <= int_len) {
                strbuf_append(b, digits);
                for (size_t i = n; i < int_len; i++)
                        strbuf_append_char(b, '0');
        } else {
                strbuf_append_n(b, digits, int_len);
                strbuf_append_char(b, '.');
                strbuf_append(b, digits + int_len);
        }
}

/* A float scalar's value: go-yaml drops '_' and parses the rest. NaN and infinities, which JSON cannot
 * say, and anything strtod does not take whole (a !!float-tagged 0o17) return false: the caller writes
 * the text as a string then. */
static bool scalar_to_double(const YNode *node, double *ret) {
        char buf[128];
        size_t k = 0;

        if (node->length >= sizeof(buf))
                return false;
        for (size_t i = 0; i < node->length; i++)
                if (node->value[i] != '_')
                        buf[k++] = node->value[i];
        buf[k] = '\0';
        if (k == 0)
                return false;

        char *end = NULL;
        double d = strtod(buf, &end);
        if (!end || *end != '\0' || !isfinite(d))
                return false;
        *ret = d;
        return true;
}

static void scalar_to_json(const YNode *node, StrBuf *b) {
        double d;

        switch (node->kind) {
        case YSCALAR_NULL:
                strbuf_append(b, "null");
                return;
        case YSCALAR_BOOL:
                strbuf_append(b, node->bool_value ? "true" : "false");
                return;
        case YSCALAR_INT:
                strbuf_printf(b, "%" PRId64, node->int_value);
                return;
        case YSCALAR_FLOAT:
                if (scalar_to_double(node, &d)) {
                        append_double(b, d);
                        return;
                }
                break;
        case YSCALAR_STRING:
                break;
        }
        json_append_string(b, node->value);
}

/* JSON keys are strings: a scalar key is written as its text (`true: x` → "true", as sigs.k8s.io/yaml
 * does); a collection as a key, which YAML allows and JSON does not, as the JSON text of that key. */
static void key_to_json(const YNode *key, StrBuf *b) {
        if (!key) {
                json_append_string(b, "");
                return;
        }
        if (key->type == YNODE_SCALAR) {
                json_append_string(b, key->value ?: "");
                return;
        }

        StrBuf k = {};
        ynode_to_json(key, &k);
        if (k.oom)
                b->oom = true;
        json_append_string(b, k.buf ?: "");
        strbuf_done(&k);
}

void ynode_to_json(const YNode *node, StrBuf *b) {
        ynode_to_json_filtered(node, NULL, NULL, b);
}

void ynode_to_json_filtered(const YNode *node, YNodeKeyFilter keep, void *userdata, StrBuf *b) {
        if (!node) {
                strbuf_append(b, "null");
                return;
        }

        /* Depth is bounded by the loader's YLimits.max_depth and aliases cannot form cycles (an alias
         * inside its own anchor is a load error), so plain recursion terminates. */
        switch (node->type) {
        case YNODE_SCALAR:
                scalar_to_json(node, b);
                return;
        case YNODE_MAPPING:
                strbuf_append_char(b, '{');
                for (size_t i = 0, n = 0; i < node->n_pairs; i++) {
                        if (keep && !keep(node->pairs[i].key, userdata))
                                continue;
                        if (n++ > 0)
                                strbuf_append_char(b, ',');
                        key_to_json(node->pairs[i].key, b);
                        strbuf_append_char(b, ':');
                        ynode_to_json_filtered(node->pairs[i].value, keep, userdata, b);
                }
                strbuf_append_char(b, '}');
                return;
        case YNODE_SEQUENCE:
                strbuf_append_char(b, '[');
                for (size_t i = 0; i < node->n_items; i++) {
                        if (i > 0)
                                strbuf_append_char(b, ',');
                        ynode_to_json_filtered(node->items[i], keep, userdata, b);
                }
                strbuf_append_char(b, ']');
                return;
        }
        strbuf_append(b, "null");
}
