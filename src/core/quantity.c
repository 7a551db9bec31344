/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "quantity.h"
#include "strbuf.h"

/* Facts from apimachinery (pkg/api/resource: quantity.go ParseQuantity/parseQuantityString/CanonicalizeBytes,
 * suffix.go, amount.go), and where we deliberately differ:
 *
 *  - The scanner is apimachinery's: an optional sign, digits, an optional '.' and digits, then a suffix made
 *    of letters from "eEinumkKMGTP", an optional sign and digits, and nothing else. Digits may be absent on
 *    either side of the point, so "+", "-", ".", "m", "Ki" and "e3" all parse as zero there; we accept them
 *    the same way. Only "" is refused before scanning.
 *  - Suffixes: "" n u m k M G T P E (decimal SI), Ki Mi Gi Ti Pi Ei (binary SI), or e/E followed by an
 *    integer that Go's ParseInt(…, 64) accepts (exponent format). Anything else ("K", "KB", "i", "e") fails.
 *  - Parsing keeps the value exactly down to 10^-9 and rounds anything finer away from zero ("0.9n" → 1n).
 *  - A binary-SI value of magnitude below 1 switches to decimal SI ("0.000000000001Ki" → "2n").
 *  - Limit: apimachinery silently caps binary-SI values at 2^63-1 and keeps decimal ones unbounded (and wraps
 *    exponents to int32). Nothing in a Pod can use a value past int64 (the kubelet's accessors overflow), so
 *    we refuse every magnitude above 2^63-1 with -ERANGE instead of inventing a different value.
 *
 * Internally a value is a decimal digit string plus a power of ten while it is parsed; afterwards it is the
 * Quantity struct: sign × mantissa × 10^exp10, mantissa without trailing zeros. A value within the limit has
 * at most 19 integer and 9 fractional digits; when those 28 digits do not fit the uint64 mantissa, `huge` is
 * set and the mantissa is rounded away from zero to 19 digits. Those values are > 10^10 with a sub-unit part
 * finer than what the Pod path keeps (it rounds to milli, which makes them exact again whenever the result
 * fits), and the accessors stay exact for them (see quantity_round_up_milli()). */

#define INT64_MAX_DIGITS "9223372036854775807"

static const uint64_t pow10_table[] = {
        UINT64_C(1),
        UINT64_C(10),
        UINT64_C(100),
        UINT64_C(1000),
        UINT64_C(10000),
        UINT64_C(100000),
        UINT64_C(1000000),
        UINT64_C(10000000),
        UINT64_C(100000000),
        UINT64_C(1000000000),
        UINT64_C(10000000000),
        UINT64_C(100000000000),
        UINT64_C(1000000000000),
        UINT64_C(10000000000000),
        UINT64_C(100000000000000),
        UINT64_C(1000000000000000),
        UINT64_C(10000000000000000),
        UINT64_C(100000000000000000),
        UINT64_C(1000000000000000000),
        UINT64_C(10000000000000000000),
};

typedef struct SuffixInfo {
        const char *suffix;
        int base; /* 10 or 2 */
        int exponent;
        QuantityFormat format;
} SuffixInfo;

static const SuffixInfo suffix_table[] = {
        { "",   10,  0, QUANTITY_DECIMAL_SI },
        { "n",  10, -9, QUANTITY_DECIMAL_SI },
        { "u",  10, -6, QUANTITY_DECIMAL_SI },
        { "m",  10, -3, QUANTITY_DECIMAL_SI },
        { "k",  10,  3, QUANTITY_DECIMAL_SI },
        { "M",  10,  6, QUANTITY_DECIMAL_SI },
        { "G",  10,  9, QUANTITY_DECIMAL_SI },
        { "T",  10, 12, QUANTITY_DECIMAL_SI },
        { "P",  10, 15, QUANTITY_DECIMAL_SI },
        { "E",  10, 18, QUANTITY_DECIMAL_SI },
        { "Ki",  2, 10, QUANTITY_BINARY_SI },
        { "Mi",  2, 20, QUANTITY_BINARY_SI },
        { "Gi",  2, 30, QUANTITY_BINARY_SI },
        { "Ti",  2, 40, QUANTITY_BINARY_SI },
        { "Pi",  2, 50, QUANTITY_BINARY_SI },
        { "Ei",  2, 60, QUANTITY_BINARY_SI },
};

/* Exponents this far out already decide the result (-ERANGE, or rounding to 1n), and clamping them keeps
 * the exponent arithmetic below far from int64 overflow even with absurdly long digit strings. */
#define EXPONENT_CLAMP (INT64_C(1) << 40)

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* Go's strconv.ParseInt(s, 10, 64): optional sign, at least one digit, must fit int64. */
static int parse_exponent(const char *s, int64_t *ret) {
        bool neg = false;
        if (*s == '+' || *s == '-') {
                neg = *s == '-';
                s++;
        }
        if (!*s)
                return -EINVAL;
        uint64_t v = 0;
        for (; *s; s++) {
                if (!is_digit(*s))
                        return -EINVAL;
                unsigned d = (unsigned) (*s - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -EINVAL;
                v = v * 10 + d;
        }
        if (v > (uint64_t) INT64_MAX + (neg ? 1 : 0))
                return -EINVAL; /* out of int64: apimachinery's ParseInt fails, so the suffix is invalid */
        if (v > (uint64_t) EXPONENT_CLAMP)
                v = (uint64_t) EXPONENT_CLAMP;
        *ret = neg ? -(int64_t) v : (int64_t) v;
        return 0;
}

static int interpret_suffix(const char *s, size_t n, int *ret_base, int64_t *ret_exponent,
                            QuantityFormat *ret_format) {
        for (size_t i = 0; i < ELEMENTSOF(suffix_table); i++)
                if (strlen(suffix_table[i].suffix) == n && strneq(suffix_table[i].suffix, s, n)) {
                        *ret_base = suffix_table[i].base;
                        *ret_exponent = suffix_table[i].exponent;
                        *ret_format = suffix_table[i].format;
                        return 0;
                }

        if (n > 1 && (s[0] == 'e' || s[0] == 'E')) {
                char buf[64];
                if (n >= sizeof buf)
                        return -EINVAL; /* longer than any int64 */
                memcpy(buf, s + 1, n - 1);
                buf[n - 1] = 0;
                int r = parse_exponent(buf, ret_exponent);
                if (r < 0)
                        return r;
                *ret_base = 10;
                *ret_format = QUANTITY_DECIMAL_EXPONENT;
                return 0;
        }
        return -EINVAL;
}

static void quantity_set_zero(Quantity *q, QuantityFormat format) {
        *q = (Quantity) { .format = format };
}

static unsigned count_digits(uint64_t m) {
        unsigned n = 1;
        while (m >= 10) {
                m /= 10;
                n++;
        }
        return n;
}

/* Turns digits d[0..n) (values 0…9, modified in place) × 10^e10 into a Quantity: nano rounding, the int64
 * limit, the mantissa. d must have room for at least one digit. */
static int quantity_from_digits(uint8_t *d, size_t n, int64_t e10, bool negative, QuantityFormat format,
                                Quantity *ret) {
        while (n > 0 && d[0] == 0) {
                d++;
                n--;
        }
        while (n > 0 && d[n - 1] == 0) {
                n--;
                e10++;
        }
        if (n == 0) {
                quantity_set_zero(ret, format);
                return 0;
        }
        /* The value is at least 10^(n+e10-1): anything from 10^19 up is past 2^63-1. */
        if ((int64_t) n + e10 > 19)
                return -ERANGE;

        if (e10 < -9) {
                /* Keep the digits down to 10^-9 and round the rest away from zero; the dropped part is not
                 * zero, as the last digit is not. */
                int64_t keep = (int64_t) n + e10 + 9;
                bool carry_out = false;
                if (keep <= 0) {
                        d[0] = 1;
                        n = 1;
                } else {
                        n = (size_t) keep;
                        carry_out = true;
                        for (size_t i = n; i > 0 && carry_out; i--) {
                                carry_out = d[i - 1] == 9;
                                d[i - 1] = carry_out ? 0 : d[i - 1] + 1;
                        }
                }
                if (carry_out) {
                        /* 99…9 + 1: a one followed by n zeros. */
                        d[0] = 1;
                        e10 = keep - 9;
                        n = 1;
                } else {
                        e10 = -9;
                        while (d[n - 1] == 0) {
                                n--;
                                e10++;
                        }
                }
        }
        if ((int64_t) n + e10 > 19)
                return -ERANGE;
        if ((int64_t) n + e10 == 19) {
                /* Exactly 19 integer digits: compare with 2^63-1 digit by digit. */
                int c = 0;
                for (size_t i = 0; i < 19 && c == 0; i++) {
                        uint8_t digit = i < n ? d[i] : 0;
                        c = (int) digit - (INT64_MAX_DIGITS[i] - '0');
                }
                if (c > 0 || (c == 0 && n > 19))
                        return -ERANGE;
        }

        Quantity q = {
                .negative = negative,
                .format = format,
        };
        uint64_t m = 0;
        size_t i = 0;
        for (; i < n; i++) {
                if (m > (UINT64_MAX - d[i]) / 10)
                        break;
                m = m * 10 + d[i];
        }
        if (i == n) {
                q.mantissa = m;
                q.exp10 = (int32_t) e10;
        } else {
                /* More digits than uint64 holds: keep 19, rounded away from zero (the rest is not zero). */
                m = 0;
                for (size_t k = 0; k < 19; k++)
                        m = m * 10 + d[k];
                m++;
                e10 += (int64_t) n - 19;
                while (m % 10 == 0) {
                        m /= 10;
                        e10++;
                }
                q.mantissa = m;
                q.exp10 = (int32_t) e10;
                q.huge = true;
        }
        *ret = q;
        return 0;
}

/* Multiplies the big-endian decimal digits d[0..n) by 2^10, in place; d[0] must be free for the carry… so
 * callers leave enough leading zeros. */
static void digits_mul_1024(uint8_t *d, size_t n) {
        unsigned carry = 0;
        for (size_t i = n; i > 0; i--) {
                unsigned v = d[i - 1] * 1024u + carry;
                d[i - 1] = (uint8_t) (v % 10);
                carry = v / 10;
        }
        assert(carry == 0);
}

int quantity_parse(const char *s, Quantity *ret) {
        assert(s);
        assert(ret);

        if (!*s)
                return -EINVAL;

        /* Scan as apimachinery's parseQuantityString does. */
        const char *p = s;
        bool negative = false;
        if (*p == '+' || *p == '-') {
                negative = *p == '-';
                p++;
        }
        const char *int_start = p;
        while (is_digit(*p))
                p++;
        const char *int_end = p;
        const char *frac_start = p, *frac_end = p;
        if (*p == '.') {
                p++;
                frac_start = p;
                while (is_digit(*p))
                        p++;
                frac_end = p;
        }
        const char *suffix = p;
        while (*p && strchr("eEinumkKMGTP", *p))
                p++;
        if (*p == '+' || *p == '-')
                p++;
        while (is_digit(*p))
                p++;
        if (*p)
                return -EINVAL;

        int base;
        int64_t exponent;
        QuantityFormat format;
        int r = interpret_suffix(suffix, (size_t) (p - suffix), &base, &exponent, &format);
        if (r < 0)
                return r;

        /* Skip leading zeros so the digit buffer only grows with significant digits. */
        while (int_start < int_end && *int_start == '0')
                int_start++;
        size_t n_int = (size_t) (int_end - int_start), n_frac = (size_t) (frac_end - frac_start);
        size_t n = n_int + n_frac;
        if (n > SIZE_MAX - 32)
                return -ENOMEM;
        /* 19 spare leading digits: room for the product with 2^60 (< 10^19). */
        size_t spare = base == 2 ? 19 : 1;
        _cleanup_(freep) uint8_t *buf = calloc(n + spare, 1);
        if (!buf)
                return -ENOMEM;
        uint8_t *d = buf + spare;
        for (size_t i = 0; i < n_int; i++)
                d[i] = (uint8_t) (int_start[i] - '0');
        for (size_t i = 0; i < n_frac; i++)
                d[n_int + i] = (uint8_t) (frac_start[i] - '0');

        int64_t e10 = -(int64_t) n_frac;
        if (base == 10)
                return quantity_from_digits(buf, n + spare, e10 + exponent, negative, format, ret);

        /* Binary: bail out before multiplying when the decimal part alone is already too large, so the
         * product fits the spare digits. */
        size_t lead = 0;
        while (lead < n && d[lead] == 0)
                lead++;
        if (lead == n) {
                quantity_set_zero(ret, format);
                return 0;
        }
        if ((int64_t) (n - lead) + e10 > 19)
                return -ERANGE;
        for (int64_t k = 0; k < exponent / 10; k++)
                digits_mul_1024(buf, n + spare);

        Quantity q;
        r = quantity_from_digits(buf, n + spare, e10, negative, format, &q);
        if (r < 0)
                return r;
        /* A binary value strictly between -1 and 1 is shown in decimal SI, as apimachinery does. */
        if (q.mantissa != 0 && count_digits(q.mantissa) + (int64_t) q.exp10 <= 0)
                q.format = QUANTITY_DECIMAL_SI;
        *ret = q;
        return 0;
}

void quantity_round_up_milli(Quantity *q) {
        assert(q);

        if (q->mantissa == 0 || q->exp10 >= -3)
                return;
        /* Away from zero, as apimachinery's RoundUp(Milli). A huge value's mantissa was itself rounded away
         * from zero on a grid finer than milli, so rounding it again gives the exact result. */
        int32_t k = -3 - q->exp10;
        uint64_t m;
        if (k >= (int32_t) ELEMENTSOF(pow10_table))
                m = 1;
        else {
                uint64_t p = pow10_table[k];
                m = q->mantissa / p + (q->mantissa % p != 0);
        }
        int32_t e = -3;
        while (m % 10 == 0) {
                m /= 10;
                e++;
        }
        q->mantissa = m;
        q->exp10 = e;
        q->huge = false;
}

static const char *decimal_si_suffix(int32_t exponent) {
        switch (exponent) {
        case -9: return "n";
        case -6: return "u";
        case -3: return "m";
        case 0:  return "";
        case 3:  return "k";
        case 6:  return "M";
        case 9:  return "G";
        case 12: return "T";
        case 15: return "P";
        case 18: return "E";
        default: return NULL;
        }
}

/* The value as a uint64 when it is a whole number that fits. */
static bool quantity_as_uint64(const Quantity *q, uint64_t *ret) {
        if (q->exp10 < 0)
                return false;
        if (q->exp10 >= (int32_t) ELEMENTSOF(pow10_table))
                return false;
        uint64_t p = pow10_table[q->exp10];
        if (q->mantissa > UINT64_MAX / p)
                return false;
        *ret = q->mantissa * p;
        return true;
}

char *quantity_format(const Quantity *q) {
        assert(q);

        if (q->mantissa == 0)
                return strdup("0");

        StrBuf b = {};
        if (q->negative)
                strbuf_append_char(&b, '-');

        QuantityFormat format = q->format;
        uint64_t v;
        if (format == QUANTITY_BINARY_SI) {
                /* Binary only for whole values of at least 1024 in magnitude; the rest in decimal SI. */
                if (!quantity_as_uint64(q, &v) || v < 1024)
                        format = QUANTITY_DECIMAL_SI;
        }

        if (format == QUANTITY_BINARY_SI) {
                static const char *const binary[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei" };
                size_t k = 0;
                while (v % 1024 == 0 && k + 1 < ELEMENTSOF(binary)) {
                        v /= 1024;
                        k++;
                }
                strbuf_printf(&b, "%" PRIu64 "%s", v, binary[k]);
                return strbuf_steal(&b);
        }

        /* Decimal: the largest exponent that is a multiple of 3 and keeps the mantissa whole. */
        int32_t e = q->exp10;
        int zeros = ((e % 3) + 3) % 3;
        e -= zeros;
        strbuf_printf(&b, "%" PRIu64 "%.*s", q->mantissa, zeros, "00");

        const char *suffix = format == QUANTITY_DECIMAL_SI ? decimal_si_suffix(e) : NULL;
        if (suffix)
                strbuf_append(&b, suffix);
        else if (e != 0)
                /* Exponent format, and decimal SI past "E" (apimachinery falls back the same way). */
                strbuf_printf(&b, "e%" PRId32, e);
        return strbuf_steal(&b);
}

/* ceil(|value| × 10^scale) for the magnitude, i.e. rounding away from zero, saturated. */
static int64_t quantity_scaled(const Quantity *q, int32_t scale) {
        if (q->mantissa == 0)
                return 0;

        int64_t e = (int64_t) q->exp10 + scale;
        uint64_t mag;
        bool overflow = false;
        if (e >= 0) {
                if (e >= (int64_t) ELEMENTSOF(pow10_table) || q->mantissa > UINT64_MAX / pow10_table[e])
                        overflow = true;
                else
                        mag = q->mantissa * pow10_table[e];
        } else if (-e >= (int64_t) ELEMENTSOF(pow10_table))
                mag = 1; /* the mantissa is below 10^20, so this is a non-zero fraction of one */
        else {
                uint64_t p = pow10_table[-e];
                mag = q->mantissa / p + (q->mantissa % p != 0);
        }

        if (!q->negative)
                return overflow || mag > (uint64_t) INT64_MAX ? INT64_MAX : (int64_t) mag;
        if (overflow || mag > (uint64_t) INT64_MAX)
                return INT64_MIN;
        return -(int64_t) mag;
}

/* Like apimachinery's MilliValue()/Value() (ScaledValue), a fraction rounds away from zero: for the
 * non-negative values Pods carry that is the ceiling. Unlike them we saturate instead of overflowing. */
int64_t quantity_milli_ceil(const Quantity *q) {
        assert(q);
        return quantity_scaled(q, 3);
}

int64_t quantity_value_ceil(const Quantity *q) {
        assert(q);
        return quantity_scaled(q, 0);
}

bool quantity_is_integer(const Quantity *q) {
        assert(q);
        return q->mantissa == 0 || q->exp10 >= 0;
}

bool quantity_is_negative(const Quantity *q) {
        assert(q);
        return q->negative && q->mantissa != 0;
}

static int sign_of(const Quantity *q) {
        if (q->mantissa == 0)
                return 0;
        return q->negative ? -1 : 1;
}

int quantity_cmp(const Quantity *a, const Quantity *b) {
        assert(a);
        assert(b);

        int sa = sign_of(a), sb = sign_of(b);
        if (sa != sb)
                return sa < sb ? -1 : 1;
        if (sa == 0)
                return 0;

        /* Same sign: compare magnitudes, first by order of magnitude, then digit by digit. */
        int r;
        int64_t oa = (int64_t) count_digits(a->mantissa) + a->exp10;
        int64_t ob = (int64_t) count_digits(b->mantissa) + b->exp10;
        if (oa != ob)
                r = oa < ob ? -1 : 1;
        else {
                char da[21], db[21];
                (void) snprintf(da, sizeof da, "%" PRIu64, a->mantissa);
                (void) snprintf(db, sizeof db, "%" PRIu64, b->mantissa);
                size_t la = strlen(da), lb = strlen(db);
                r = 0;
                for (size_t i = 0; i < MAX(la, lb) && r == 0; i++) {
                        char ca = i < la ? da[i] : '0', cb = i < lb ? db[i] : '0';
                        r = (ca > cb) - (ca < cb);
                }
        }
        return sa > 0 ? r : -r;
}
