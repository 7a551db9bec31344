/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "quantity.h"
#include "tests.h"

/* Vectors from apimachinery's quantity_test.go (TestQuantityParse, TestQuantityString,
 * TestQuantityParseEmit) and docs/k8s-semantics.md §7.4, plus our own edge cases. */

typedef struct ParseCase {
        const char *input;
        bool negative;
        uint64_t mantissa;
        int32_t exp10;
        QuantityFormat format;
        const char *canonical;
} ParseCase;

#define DSI QUANTITY_DECIMAL_SI
#define BSI QUANTITY_BINARY_SI
#define DEX QUANTITY_DECIMAL_EXPONENT

static const ParseCase parse_cases[] = {
        /* zeros keep their format but print as "0" */
        { "0",        false, 0, 0, DSI, "0" },
        { "0n",       false, 0, 0, DSI, "0" },
        { "0m",       false, 0, 0, DSI, "0" },
        { "0Ki",      false, 0, 0, BSI, "0" },
        { "0Ti",      false, 0, 0, BSI, "0" },
        { "0T",       false, 0, 0, DSI, "0" },
        { "-0",       false, 0, 0, DSI, "0" },
        { "0e99999",  false, 0, 0, DEX, "0" },
        { "000.000",  false, 0, 0, DSI, "0" },
        /* apimachinery's scanner lets the digits be absent: these are zero there too */
        { "+",        false, 0, 0, DSI, "0" },
        { "-",        false, 0, 0, DSI, "0" },
        { ".",        false, 0, 0, DSI, "0" },
        { "-.",       false, 0, 0, DSI, "0" },
        { "m",        false, 0, 0, DSI, "0" },
        { "Ki",       false, 0, 0, BSI, "0" },
        { "e3",       false, 0, 0, DEX, "0" },
        /* plain numbers */
        { "1",        false, 1, 0, DSI, "1" },
        { "9",        false, 9, 0, DSI, "9" },
        { "+1",       false, 1, 0, DSI, "1" },
        { "-1",       true,  1, 0, DSI, "-1" },
        { "007",      false, 7, 0, DSI, "7" },
        { "1000",     false, 1, 3, DSI, "1k" },
        { "1234",     false, 1234, 0, DSI, "1234" },
        { "1.",       false, 1, 0, DSI, "1" },
        { "1.G",      false, 1, 9, DSI, "1G" },
        /* binary suffixes */
        { "1Ki",      false, 1024, 0, BSI, "1Ki" },
        { "8Ki",      false, 8192, 0, BSI, "8Ki" },
        { "7Mi",      false, 7340032, 0, BSI, "7Mi" },
        { "6Gi",      false, 6442450944, 0, BSI, "6Gi" },
        { "5Ti",      false, 549755813888, 1, BSI, "5Ti" },
        { "4Pi",      false, 4503599627370496, 0, BSI, "4Pi" },
        { "3Ei",      false, 3458764513820540928, 0, BSI, "3Ei" },
        { "1Gi",      false, 1073741824, 0, BSI, "1Gi" },
        { "1024Mi",   false, 1073741824, 0, BSI, "1Gi" },
        { "1.5Gi",    false, 1610612736, 0, BSI, "1536Mi" },
        { "0.5Gi",    false, 536870912, 0, BSI, "512Mi" },
        { "0.5Mi",    false, 524288, 0, BSI, "512Ki" },
        { "0.05Gi",   false, 536870912, -1, BSI, "53687091200m" },
        { "0.025Ti",  false, 274877906944, -1, BSI, "27487790694400m" },
        { "100.035Ki", false, 10243584, -2, BSI, "102435840m" },
        { "1.1Ki",    false, 11264, -1, BSI, "1126400m" },
        { "1.5Ki",    false, 1536, 0, BSI, "1536" },
        { "1000Ki",   false, 1024, 3, BSI, "1000Ki" },
        { "1023Ki",   false, 1047552, 0, BSI, "1023Ki" },
        { "0.5Ki",    false, 512, 0, BSI, "512" },
        { ".001Ki",   false, 1024, -3, BSI, "1024m" },
        { ".000001Ki", false, 1024, -6, DSI, "1024u" },
        { ".000000001Ki", false, 1024, -9, DSI, "1024n" },
        { ".000000000001Ki", false, 2, -9, DSI, "2n" }, /* rounds up, changes format */
        { "0.000000000001Ki", false, 2, -9, DSI, "2n" },
        { "-1.5Gi",   true,  1610612736, 0, BSI, "-1536Mi" },
        { "-0.5Ki",   true,  512, 0, BSI, "-512" },
        /* decimal suffixes */
        { "5n",       false, 5, -9, DSI, "5n" },
        { "4u",       false, 4, -6, DSI, "4u" },
        { "3m",       false, 3, -3, DSI, "3m" },
        { "100m",     false, 1, -1, DSI, "100m" },
        { "1000m",    false, 1, 0, DSI, "1" },
        { "8k",       false, 8, 3, DSI, "8k" },
        { "50k",      false, 5, 4, DSI, "50k" },
        { "7M",       false, 7, 6, DSI, "7M" },
        { "1000M",    false, 1, 9, DSI, "1G" },
        { "6G",       false, 6, 9, DSI, "6G" },
        { "1G",       false, 1, 9, DSI, "1G" },
        { "5T",       false, 5, 12, DSI, "5T" },
        { "40T",      false, 4, 13, DSI, "40T" },
        { "300T",     false, 3, 14, DSI, "300T" },
        { "2P",       false, 2, 15, DSI, "2P" },
        { "1E",       false, 1, 18, DSI, "1E" },
        { "9E",       false, 9, 18, DSI, "9E" },
        /* exponents: the format is kept */
        { "1E-3",     false, 1, -3, DEX, "1e-3" },
        { "1e3",      false, 1, 3, DEX, "1e3" },
        { "1E6",      false, 1, 6, DEX, "1e6" },
        { "1e9",      false, 1, 9, DEX, "1e9" },
        { "1E12",     false, 1, 12, DEX, "1e12" },
        { "1e15",     false, 1, 15, DEX, "1e15" },
        { "1E18",     false, 1, 18, DEX, "1e18" },
        { "1e14",     false, 1, 14, DEX, "100e12" },
        { "1e13",     false, 1, 13, DEX, "10e12" },
        { "1e+3",     false, 1, 3, DEX, "1e3" },
        { "1e003",    false, 1, 3, DEX, "1e3" },
        { "1000e0",   false, 1, 3, DEX, "1e3" },
        { "1.2e3",    false, 12, 2, DEX, "1200" },
        { "1.3E+6",   false, 13, 5, DEX, "1300e3" },
        { "1.40e9",   false, 14, 8, DEX, "1400e6" },
        { "1.53E12",  false, 153, 10, DEX, "1530e9" },
        { "1.6e15",   false, 16, 14, DEX, "1600e12" },
        { "1.7E18",   false, 17, 17, DEX, "1700e15" },
        { "0.5e0",    false, 5, -1, DEX, "500e-3" },
        { "0.5e-1",   false, 5, -2, DEX, "50e-3" },
        { "0.5e-2",   false, 5, -3, DEX, "5e-3" },
        { "80e-3",    false, 8, -2, DEX, "80e-3" },
        { "300e6",    false, 3, 8, DEX, "300e6" },
        { ".001e12",  false, 1, 9, DEX, "1e9" },
        { "1000e-12", false, 1, -9, DEX, "1e-9" },
        /* things that look like floating point */
        { "100.035k", false, 100035, 0, DSI, "100035" },
        { "0.001",    false, 1, -3, DSI, "1m" },
        { "0.0005k",  false, 5, -1, DSI, "500m" },
        { "0.005",    false, 5, -3, DSI, "5m" },
        { "0.05",     false, 5, -2, DSI, "50m" },
        { "0.1",      false, 1, -1, DSI, "100m" },
        { "0.5",      false, 5, -1, DSI, "500m" },
        { "0.00050k", false, 5, -1, DSI, "500m" },
        { "0.50000",  false, 5, -1, DSI, "500m" },
        { ".001",     false, 1, -3, DSI, "1m" },
        { ".0001k",   false, 1, -1, DSI, "100m" },
        { "1.5",      false, 15, -1, DSI, "1500m" },
        { "1.08",     false, 108, -2, DSI, "1080m" },
        { "9.01",     false, 901, -2, DSI, "9010m" },
        { "-9.01",    true,  901, -2, DSI, "-9010m" },
        { "8.1k",     false, 81, 2, DSI, "8100" },
        { "7.123456M", false, 7123456, 0, DSI, "7123456" },
        { "6.987654321G", false, 6987654321, 0, DSI, "6987654321" },
        { "5.444T",   false, 5444, 9, DSI, "5444G" },
        { "40.1T",    false, 401, 11, DSI, "40100G" },
        { "300.2T",   false, 3002, 11, DSI, "300200G" },
        { "2.5P",     false, 25, 14, DSI, "2500T" },
        { "1.01E",    false, 101, 16, DSI, "1010P" },
        { "10.035M",  false, 10035, 3, DSI, "10035k" },
        { "1.2345",   false, 12345, -4, DSI, "1234500u" },
        { "1000u",    false, 1, -3, DSI, "1m" },
        { "1080000000n", false, 108, -2, DSI, "1080m" },
        { "0.001T",   false, 1, 9, DSI, "1G" },
        /* rounding away from zero below 1n */
        { "3.001n",   false, 4, -9, DSI, "4n" },
        { "1.1E-9",   false, 2, -9, DEX, "2e-9" },
        { "0.0000000001", false, 1, -9, DSI, "1n" },
        { "0.0000000005", false, 1, -9, DSI, "1n" },
        { "0.00000000050", false, 1, -9, DSI, "1n" },
        { "0.5e-9",   false, 1, -9, DEX, "1e-9" },
        { "0.9n",     false, 1, -9, DSI, "1n" },
        { "-0.9n",    true,  1, -9, DSI, "-1n" },
        { "0.00000012345", false, 124, -9, DSI, "124n" },
        { "0.00000012354", false, 124, -9, DSI, "124n" },
        { "0.9999999999", false, 1, 0, DSI, "1" },
        { "0.0000000019999", false, 2, -9, DSI, "2n" },
        { "1e-1000000000", false, 1, -9, DEX, "1e-9" },
        { "100n",     false, 1, -7, DSI, "100n" },
        /* the int64 limit */
        { "9223372036854775807", false, INT64_MAX, 0, DSI, "9223372036854775807" },
        { "-9223372036854775807", true, INT64_MAX, 0, DSI, "-9223372036854775807" },
        { "9223372036854775.807k", false, INT64_MAX, 0, DSI, "9223372036854775807" },
        { "7Ei",      false, UINT64_C(8070450532247928832), 0, BSI, "7Ei" },
        { "8191Pi",   false, UINT64_C(9222246136947933184), 0, BSI, "8191Pi" },
        { "9223372036854775807Ki", false, 0, 0, BSI, NULL }, /* -ERANGE, below */
};

TEST(parse_and_format) {
        for (size_t i = 0; i < ELEMENTSOF(parse_cases); i++) {
                const ParseCase *c = &parse_cases[i];
                if (!c->canonical)
                        continue;
                Quantity q;
                fprintf(stderr, "  %s\n", c->input);
                ASSERT_OK(quantity_parse(c->input, &q));
                ASSERT_EQ(q.negative, c->negative);
                ASSERT_TRUE(q.mantissa == c->mantissa);
                ASSERT_EQ(q.exp10, c->exp10);
                ASSERT_EQ(q.format, c->format);
                ASSERT_FALSE(q.huge);
                _cleanup_(freep) char *s = quantity_format(&q);
                ASSERT_STREQ(s, c->canonical);

                /* parse(format(q)) == q, and the canonical text is a fixed point */
                Quantity back;
                ASSERT_OK(quantity_parse(s, &back));
                ASSERT_EQ(quantity_cmp(&q, &back), 0);
                _cleanup_(freep) char *again = quantity_format(&back);
                ASSERT_STREQ(again, s);
        }
}

TEST(parse_invalid) {
        static const char *const invalid[] = {
                "", "1K", "1KB", "1Gb", "1 Gi", " 1", "1 ", "1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu",
                ".5i", "1i", "-3.01i", "-3.01e-", "1e", "1E+", "1e3.5", "1ee3", "1Ee3", "1k3", "1Ki2", "1-",
                "+-1", "--1", "Non-Numeric", "1m ", "1\n", "1,5", "0x10", "1_000", "1e3e", "1kk", "1mm", "1KiB",
                "1e99999999999999999999", "i", "1.5.", "\t1",
        };
        for (size_t i = 0; i < ELEMENTSOF(invalid); i++) {
                Quantity q;
                fprintf(stderr, "  \"%s\"\n", invalid[i]);
                ASSERT_ERROR(quantity_parse(invalid[i], &q), EINVAL);
        }
}

TEST(parse_range) {
        static const char *const too_big[] = {
                "9223372036854775808", "-9223372036854775808", "9223372036854775807.1", "9223372036854775807.0000000001",
                "10E", "9.3E", "8Ei", "9Ei", "9223372036854775807Ki", "1e19", "1e1000000000", "18446744073709551616",
                "99999999999999999999", "8192Pi", "0.0000000000000000000000000000001e50",
        };
        for (size_t i = 0; i < ELEMENTSOF(too_big); i++) {
                Quantity q;
                fprintf(stderr, "  %s\n", too_big[i]);
                ASSERT_ERROR(quantity_parse(too_big[i], &q), ERANGE);
        }
        /* but a long input whose value is small is fine */
        Quantity q;
        ASSERT_OK(quantity_parse("0.00000000000000000000000000000000000000000000000000000001e50", &q));
        _cleanup_(freep) char *s = quantity_format(&q);
        ASSERT_STREQ(s, "1e-6");
}

typedef struct MilliCase {
        const char *input;
        const char *rounded; /* after quantity_round_up_milli */
        int64_t milli;
        int64_t value;
        bool integer;
} MilliCase;

TEST(round_and_accessors) {
        static const MilliCase cases[] = {
                { "100n",      "1m",      1,     1,    false },
                { "1n",        "1m",      1,     1,    false },
                { "1001u",     "2m",      2,     1,    false },
                { "100m",      "100m",    100,   1,    false },
                { "0.1",       "100m",    100,   1,    false },
                { "1.5",       "1500m",   1500,  2,    false },
                { "2",         "2",       2000,  2,    true },
                { "1k",        "1k",      1000000, 1000, true },
                { "1Gi",       "1Gi",     INT64_C(1073741824000), 1073741824, true },
                { "0.000000000001Ki", "1m", 1,   1,    false },
                { "1.0001Ki",  "1024103m", 1024103, 1025, false },
                { "-100n",     "-1m",     -1,    -1,   false },
                { "-1.5",      "-1500m",  -1500, -2,   false },
                { "0",         "0",       0,     0,    true },
                { "9223372036854775807", "9223372036854775807", INT64_MAX, INT64_MAX, true },
                { "-9223372036854775807", "-9223372036854775807", INT64_MIN, -INT64_MAX, true },
                { "9223372036854775.807", "9223372036854775807m", INT64_MAX, 9223372036854776, false },
                { "9223372036854775.808", "9223372036854775808m", INT64_MAX, 9223372036854776, false },
                { "1E",        "1E",      INT64_MAX, INT64_C(1000000000000000000), true },
                { "12345678901.123456789", "12345678901124m", INT64_C(12345678901124), 12345678902, false },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const MilliCase *c = &cases[i];
                Quantity q;
                fprintf(stderr, "  %s\n", c->input);
                ASSERT_OK(quantity_parse(c->input, &q));
                ASSERT_EQ(quantity_milli_ceil(&q), c->milli);
                ASSERT_EQ(quantity_value_ceil(&q), c->value);
                ASSERT_EQ(quantity_is_integer(&q), c->integer);
                quantity_round_up_milli(&q);
                ASSERT_FALSE(q.huge);
                _cleanup_(freep) char *s = quantity_format(&q);
                ASSERT_STREQ(s, c->rounded);
                ASSERT_EQ(quantity_milli_ceil(&q), c->milli);
        }
}

TEST(huge_mantissa) {
        /* 28 significant digits fit the limit but not the uint64 mantissa. */
        Quantity q;
        ASSERT_OK(quantity_parse("1234567890123456789.123456789", &q));
        ASSERT_TRUE(q.huge);
        ASSERT_FALSE(quantity_is_negative(&q));
        ASSERT_EQ(quantity_milli_ceil(&q), INT64_MAX);
        ASSERT_EQ(quantity_value_ceil(&q), INT64_C(1234567890123456790));
        quantity_round_up_milli(&q);
        ASSERT_TRUE(q.huge); /* still more digits than the mantissa holds */

        ASSERT_OK(quantity_parse("-12345678901.1234567891", &q));
        ASSERT_FALSE(q.huge); /* nano rounding brings it to 19 digits */
        ASSERT_TRUE(quantity_is_negative(&q));
        ASSERT_EQ(quantity_milli_ceil(&q), INT64_C(-12345678901124));

        ASSERT_OK(quantity_parse("12345678901234.123456789", &q));
        ASSERT_TRUE(q.huge);
        ASSERT_EQ(quantity_milli_ceil(&q), INT64_C(12345678901234124));
        ASSERT_EQ(quantity_value_ceil(&q), INT64_C(12345678901235));
        quantity_round_up_milli(&q);
        ASSERT_FALSE(q.huge);
        _cleanup_(freep) char *s = quantity_format(&q);
        ASSERT_STREQ(s, "12345678901234124m");
}

typedef struct CmpCase {
        const char *a, *b;
        int expected;
} CmpCase;

TEST(cmp) {
        static const CmpCase cases[] = {
                { "0", "0", 0 },
                { "0", "-0", 0 },
                { "0Ki", "0m", 0 },
                { "100m", "50m", 1 },
                { "50m", "100m", -1 },
                { "10000T", "100Gi", 1 },
                { "1k", "1000", 0 },
                { "1e3", "1k", 0 },
                { "1Ki", "1024", 0 },
                { "1Ki", "1k", 1 },
                { "0.1", "100m", 0 },
                { "9.01", "9.0100", 0 },
                { "9.01", "9.009", 1 },
                { "9.01", "9.011", -1 },
                { "-1", "1", -1 },
                { "-1", "0", -1 },
                { "1n", "0", 1 },
                { "-2", "-1", -1 },
                { "-1.5Gi", "-1536Mi", 0 },
                { "800m", "1", -1 },
                { "800m", "790m", 1 },
                { "9223372036854775807", "9223372036854775806", 1 },
                { "9223372036854775807", "9E", 1 },
                { "1E", "999999999999999999", 1 },
                { "123", "1230m", 1 },
                { "1.23k", "1230", 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Quantity a, b;
                fprintf(stderr, "  %s <=> %s\n", cases[i].a, cases[i].b);
                ASSERT_OK(quantity_parse(cases[i].a, &a));
                ASSERT_OK(quantity_parse(cases[i].b, &b));
                ASSERT_EQ(quantity_cmp(&a, &b), cases[i].expected);
                ASSERT_EQ(quantity_cmp(&b, &a), -cases[i].expected);
                ASSERT_EQ(quantity_cmp(&a, &a), 0);
        }
}

TEST(format_struct) {
        /* TestQuantityString's table, built directly. */
        static const struct {
                Quantity q;
                const char *expected;
        } cases[] = {
                { { .mantissa = 1073741824, .format = BSI }, "1Gi" },
                { { .mantissa = 314572800, .format = BSI }, "300Mi" },
                { { .mantissa = 6144, .format = BSI }, "6Ki" },
                { { .mantissa = 1074815565824, .format = BSI }, "1001Gi" },
                { { .mantissa = 1099511627776, .format = BSI }, "1Ti" },
                { { .mantissa = 5, .format = BSI }, "5" },
                { { .mantissa = 5, .exp10 = -1, .format = BSI }, "500m" },
                { { .mantissa = 1, .exp10 = 9, .format = DSI }, "1G" },
                { { .mantissa = 1, .exp10 = -3, .format = DSI }, "1m" },
                { { .mantissa = 8, .exp10 = -2, .format = DSI }, "80m" },
                { { .mantissa = 108, .exp10 = -2, .format = DSI }, "1080m" },
                { { .mantissa = 3, .exp10 = 8, .format = DSI }, "300M" },
                { { .mantissa = 1, .exp10 = 12, .format = DSI }, "1T" },
                { { .mantissa = 1, .exp10 = 18, .format = DSI }, "1E" },
                { { .mantissa = 1, .exp10 = 21, .format = DSI }, "1e21" },
                { { .mantissa = 5, .exp10 = 21, .format = DSI }, "5e21" },
                { { .mantissa = 1234567, .exp10 = 6, .format = DSI }, "1234567M" },
                { { .mantissa = 1234567, .exp10 = -3, .format = BSI }, "1234567m" },
                { { .mantissa = 3, .exp10 = 3, .format = DSI }, "3k" },
                { { .mantissa = 1025, .format = BSI }, "1025" },
                { { .mantissa = 0, .format = DSI }, "0" },
                { { .mantissa = 0, .format = BSI }, "0" },
                { { .mantissa = 0, .negative = true, .format = DEX }, "0" },
                { { .mantissa = 1, .exp10 = 9, .format = DEX }, "1e9" },
                { { .mantissa = 1, .exp10 = -3, .format = DEX }, "1e-3" },
                { { .mantissa = 1, .exp10 = -9, .format = DEX }, "1e-9" },
                { { .mantissa = 8, .exp10 = -2, .format = DEX }, "80e-3" },
                { { .mantissa = 3, .exp10 = 8, .format = DEX }, "300e6" },
                { { .mantissa = 1, .exp10 = 3, .format = DEX }, "1e3" },
                { { .mantissa = 1, .exp10 = -9, .format = DSI }, "1n" },
                { { .mantissa = 108, .exp10 = -8, .format = DSI }, "1080n" },
                { { .mantissa = 1, .exp10 = -6, .format = DSI }, "1u" },
                { { .mantissa = 108, .exp10 = -5, .format = DSI }, "1080u" },
                { { .mantissa = 901, .exp10 = -2, .negative = true, .format = DSI }, "-9010m" },
                { { .mantissa = 1073741824, .negative = true, .format = BSI }, "-1Gi" },
                { { .mantissa = 1023, .negative = true, .format = BSI }, "-1023" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(freep) char *s = quantity_format(&cases[i].q);
                ASSERT_STREQ(s, cases[i].expected);
        }
}

TEST(round_trip_many) {
        /* parse(format(q)) == q over a spread of mantissas, exponents, signs and formats. */
        static const uint64_t mantissas[] = { 1, 3, 7, 9, 11, 15, 99, 101, 512, 999, 1023, 1024, 1025, 1536,
                                              4095, 12345, 999999, 1048576, 123456789, 9223372036854775807ULL };
        size_t n = 0;
        for (size_t i = 0; i < ELEMENTSOF(mantissas); i++)
                for (int32_t e = -9; e <= 18; e++)
                        for (int f = 0; f < 3; f++)
                                for (int neg = 0; neg < 2; neg++) {
                                        Quantity q = {
                                                .negative = neg,
                                                .mantissa = mantissas[i],
                                                .exp10 = e,
                                                .format = (QuantityFormat) f,
                                        };
                                        while (q.mantissa % 10 == 0) {
                                                q.mantissa /= 10;
                                                q.exp10++;
                                        }
                                        _cleanup_(freep) char *s = quantity_format(&q);
                                        ASSERT_NOT_NULL(s);
                                        Quantity back;
                                        int r = quantity_parse(s, &back);
                                        if (quantity_value_ceil(&q) == INT64_MAX ||
                                            quantity_value_ceil(&q) == INT64_MIN) {
                                                /* past the limit, or right at it */
                                                if (r == -ERANGE)
                                                        continue;
                                        }
                                        if (r < 0)
                                                TEST_FAIL("cannot parse back \"%s\": %d", s, r);
                                        ASSERT_EQ(quantity_cmp(&q, &back), 0);
                                        ASSERT_TRUE(back.mantissa == q.mantissa);
                                        ASSERT_EQ(back.exp10, q.exp10);
                                        ASSERT_EQ(back.negative, q.negative);
                                        /* Binary values that are not a multiple of 1024 print without a suffix
                                         * and come back as decimal SI ("10000" → "10k"), as in apimachinery. */
                                        _cleanup_(freep) char *again = quantity_format(&back);
                                        if (q.format != QUANTITY_BINARY_SI)
                                                ASSERT_STREQ(again, s);
                                        n++;
                                }
        ASSERT_TRUE(n > 2000);
}
