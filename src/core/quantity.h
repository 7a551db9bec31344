/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* Kubernetes resource.Quantity: `[+-]? number suffix`, suffix one of Ki Mi Gi Ti Pi Ei, n u m "" k M G T
 * P E, or e/E with a signed exponent. The value is kept exactly as sign × mantissa × 10^exp10 (a decimal
 * number: every valid quantity, binary suffixes included, is a finite decimal) plus the format the input
 * used, which decides the canonical text. Magnitudes beyond what int64 can hold in milli-units are kept
 * as "huge" and saturate the accessors. */
typedef enum QuantityFormat {
        QUANTITY_DECIMAL_SI,       /* m, k, M, … and no suffix */
        QUANTITY_BINARY_SI,        /* Ki, Mi, … */
        QUANTITY_DECIMAL_EXPONENT, /* 1e3 */
} QuantityFormat;

typedef struct Quantity {
        bool negative;
        uint64_t mantissa; /* value = mantissa × 10^exp10, normalised so mantissa has no trailing zeros */
        int32_t exp10;
        QuantityFormat format;
        bool huge; /* mantissa overflowed; exact value lost, magnitude > 2^63-1 milli-units */
} Quantity;

/* Parses s; -EINVAL on any grammar error ("1K", "1KB", "1 Gi", ""), -ERANGE beyond Kubernetes' limit
 * (magnitude > 2^63-1 after scaling, as apimachinery's ParseQuantity refuses). */
int quantity_parse(const char *s, Quantity *ret);
/* Kubernetes rounds every Pod resource quantity up to milli precision (100n → 1m): do that. */
void quantity_round_up_milli(Quantity *q);
/* Canonical text as apimachinery's Quantity.String(): "100m", "1536Mi", "1e3", "1k", "0". Caller frees. */
char *quantity_format(const Quantity *q);
/* ceil(value × 1000), saturating at INT64_MAX/INT64_MIN. */
int64_t quantity_milli_ceil(const Quantity *q) _pure_;
/* ceil(value), saturating. */
int64_t quantity_value_ceil(const Quantity *q) _pure_;
/* Whether the value is a whole number. */
bool quantity_is_integer(const Quantity *q) _pure_;
bool quantity_is_negative(const Quantity *q) _pure_;
/* <0, 0, >0 like strcmp, exact. */
int quantity_cmp(const Quantity *a, const Quantity *b) _pure_;
