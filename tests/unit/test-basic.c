/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "strbuf.h"
#include "string-util.h"
#include "strv.h"
#include "tests.h"

TEST(strv) {
        _cleanup_strv_free_ char **l = NULL;
        ASSERT_EQ(strv_length(l), 0);
        ASSERT_FALSE(strv_contains(l, "a"));

        ASSERT_OK(strv_extend(&l, "a"));
        ASSERT_OK(strv_extend(&l, "b"));
        ASSERT_OK(strv_push(&l, strdup("c")));
        ASSERT_EQ(strv_length(l), 3);
        ASSERT_STREQ(l[0], "a");
        ASSERT_STREQ(l[1], "b");
        ASSERT_STREQ(l[2], "c");
        ASSERT_NULL(l[3]);
        ASSERT_TRUE(strv_contains(l, "b"));
        ASSERT_FALSE(strv_contains(l, "d"));
        ASSERT_FALSE(strv_contains(l, ""));

        _cleanup_strv_free_ char **c = strv_copy(l);
        ASSERT_NOT_NULL(c);
        ASSERT_EQ(strv_length(c), 3);
        for (size_t i = 0; i < 3; i++) {
                ASSERT_STREQ(c[i], l[i]);
                ASSERT_TRUE(c[i] != l[i]); /* deep copy */
        }

        _cleanup_strv_free_ char **e = strv_copy(NULL);
        ASSERT_NOT_NULL(e);
        ASSERT_EQ(strv_length(e), 0);

        size_t n = 0;
        STRV_FOREACH(s, l)
                n++;
        ASSERT_EQ(n, 3);
        STRV_FOREACH(s, (char **) NULL)
                TEST_FAIL("iterated over NULL");

        ASSERT_NULL(strv_free(NULL));
}

TEST(strbuf) {
        StrBuf b = {};
        char *s = strbuf_steal(&b);
        ASSERT_STREQ(s, ""); /* nothing appended is the empty string, not NULL */
        free(s);

        strbuf_append(&b, "abc");
        strbuf_append_n(&b, "defgh", 2);
        strbuf_append_char(&b, '!');
        strbuf_printf(&b, "%d-%s", 42, "x");
        strbuf_append(&b, "");
        ASSERT_EQ(b.len, strlen("abcde!42-x"));
        s = strbuf_steal(&b);
        ASSERT_STREQ(s, "abcde!42-x");
        free(s);
        ASSERT_NULL(b.buf);
        ASSERT_EQ(b.len, 0);

        /* growth across many appends, and an empty printf */
        for (int i = 0; i < 1000; i++)
                strbuf_printf(&b, "%s", i % 2 ? "ab" : "");
        ASSERT_EQ(b.len, 1000);
        strbuf_done(&b);
        ASSERT_NULL(b.buf);

        /* once out of memory, later appends are no-ops and steal reports it */
        strbuf_append(&b, "abc");
        b.oom = true;
        strbuf_append(&b, "def");
        strbuf_printf(&b, "%s", "ghi");
        ASSERT_EQ(b.len, 3);
        ASSERT_NULL(strbuf_steal(&b));
        ASSERT_NULL(b.buf);
        ASSERT_FALSE(b.oom);

        /* a long formatted string */
        char big[5000];
        memset(big, 'q', sizeof big - 1);
        big[sizeof big - 1] = 0;
        strbuf_printf(&b, "<%s>", big);
        s = strbuf_steal(&b);
        ASSERT_EQ(strlen(s), sizeof big + 1);
        ASSERT_TRUE(s[0] == '<' && s[sizeof big] == '>');
        free(s);
}

TEST(startswith_endswith) {
        static const struct {
                const char *s, *affix;
                bool starts, ends;
        } cases[] = {
                { "foobar", "foo", true, false },
                { "foobar", "bar", false, true },
                { "foobar", "", true, true },
                { "", "", true, true },
                { "", "a", false, false },
                { "foo", "foobar", false, false },
                { "foobar", "foobar", true, true },
                { "aaa", "aa", true, true },
                { "Foo", "foo", false, false },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                ASSERT_EQ(startswith(cases[i].s, cases[i].affix), cases[i].starts);
                ASSERT_EQ(endswith(cases[i].s, cases[i].affix), cases[i].ends);
        }
}

TEST(utf8) {
        static const struct {
                const char *s;
                size_t n; /* 0: strlen */
                bool valid;
        } cases[] = {
                { "", 0, true },
                { "plain ascii", 0, true },
                { "\xc3\xa9", 0, true },                  /* é */
                { "\xe2\x82\xac", 0, true },              /* € */
                { "\xf0\x9f\x98\x80", 0, true },          /* U+1F600 */
                { "\xc2\x80", 0, true },                  /* U+0080, smallest 2-byte */
                { "\xdf\xbf", 0, true },                  /* U+07FF */
                { "\xe0\xa0\x80", 0, true },              /* U+0800, smallest 3-byte */
                { "\xef\xbf\xbf", 0, true },              /* U+FFFF */
                { "\xf0\x90\x80\x80", 0, true },          /* U+10000, smallest 4-byte */
                { "\xf4\x8f\xbf\xbf", 0, true },          /* U+10FFFF, the last code point */
                { "\xed\x9f\xbf", 0, true },              /* U+D7FF, just below the surrogates */
                { "\xee\x80\x80", 0, true },              /* U+E000, just above them */
                { "a\0b", 3, true },                      /* NUL is a valid code point */
                /* overlongs */
                { "\xc0\x80", 0, false },
                { "\xc1\xbf", 0, false },
                { "\xe0\x80\x80", 0, false },
                { "\xe0\x9f\xbf", 0, false },
                { "\xf0\x80\x80\x80", 0, false },
                { "\xf0\x8f\xbf\xbf", 0, false },
                /* surrogates */
                { "\xed\xa0\x80", 0, false },             /* U+D800 */
                { "\xed\xbf\xbf", 0, false },             /* U+DFFF */
                { "\xed\xa0\xbd\xed\xb8\x80", 0, false }, /* CESU-8 pair */
                /* past Unicode */
                { "\xf4\x90\x80\x80", 0, false },
                { "\xf5\x80\x80\x80", 0, false },
                { "\xf8\x88\x80\x80\x80", 0, false },
                { "\xfe", 0, false },
                { "\xff", 0, false },
                /* stray continuation bytes and bad continuations */
                { "\x80", 0, false },
                { "a\xbf", 0, false },
                { "\xc3\x28", 0, false },
                { "\xe2\x28\xa1", 0, false },
                { "\xf0\x9f\x98\x28", 0, false },
                /* truncated sequences, also where n cuts a valid one */
                { "\xc3", 0, false },
                { "\xe2\x82", 0, false },
                { "\xf0\x9f\x98", 0, false },
                { "\xc3\xa9", 1, false },
                { "\xe2\x82\xac", 2, false },
                { "\xf0\x9f\x98\x80", 3, false },
                { "ab\xc3\xa9", 2, true },                /* n stops before the sequence */
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                size_t n = cases[i].n ? cases[i].n : strlen(cases[i].s);
                fprintf(stderr, "  case %zu\n", i);
                ASSERT_EQ(utf8_is_valid_n(cases[i].s, n), cases[i].valid);
        }
}

TEST(safe_atoi64) {
        static const struct {
                const char *s;
                int r;
                int64_t v;
        } cases[] = {
                { "0", 0, 0 },
                { "-0", 0, 0 },
                { "1", 0, 1 },
                { "-1", 0, -1 },
                { "007", 0, 7 },
                { "9223372036854775807", 0, INT64_MAX },
                { "-9223372036854775808", 0, INT64_MIN },
                { "-9223372036854775807", 0, -INT64_MAX },
                { "00000000000000000000000000009223372036854775807", 0, INT64_MAX },
                { "9223372036854775808", -ERANGE, 0 },
                { "-9223372036854775809", -ERANGE, 0 },
                { "18446744073709551615", -ERANGE, 0 },
                { "18446744073709551616", -ERANGE, 0 },
                { "-18446744073709551616", -ERANGE, 0 },
                { "99999999999999999999999", -ERANGE, 0 },
                { "", -EINVAL, 0 },
                { "-", -EINVAL, 0 },
                { "+1", -EINVAL, 0 },
                { " 1", -EINVAL, 0 },
                { "1 ", -EINVAL, 0 },
                { "1a", -EINVAL, 0 },
                { "0x10", -EINVAL, 0 },
                { "--1", -EINVAL, 0 },
                { "1-", -EINVAL, 0 },
                { "1.0", -EINVAL, 0 },
                { "1e3", -EINVAL, 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                int64_t v = 12345;
                fprintf(stderr, "  \"%s\"\n", cases[i].s);
                int r = safe_atoi64(cases[i].s, &v);
                ASSERT_EQ(r, cases[i].r);
                ASSERT_EQ(v, r == 0 ? cases[i].v : 12345); /* untouched on failure */
        }
}

TEST(unit_file_quote) {
        static const struct {
                const char *s;
                bool escape_dollar;
                const char *expected;
        } cases[] = {
                { "", false, "\"\"" },
                { "plain", false, "\"plain\"" },
                { "with space", false, "\"with space\"" },
                { "say \"hi\"", false, "\"say \\\"hi\\\"\"" },
                { "back\\slash", false, "\"back\\\\slash\"" },
                { "a\nb\tc", false, "\"a\\nb\\tc\"" },
                { "100%", false, "\"100%%\"" },
                { "%n%%", false, "\"%%n%%%%\"" },
                { "$HOME", false, "\"$HOME\"" },
                { "$HOME", true, "\"$$HOME\"" },
                { "$$", true, "\"$$$$\"" },
                { "\x01\x1f\x7f", false, "\"\\x01\\x1f\\x7f\"" },
                { "\r", false, "\"\\r\"" },
                { "'single'", false, "\"'single'\"" },
                { ";", false, "\";\"" },
                { "caf\xc3\xa9", false, "\"caf\xc3\xa9\"" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(freep) char *q = unit_file_quote(cases[i].s, cases[i].escape_dollar);
                ASSERT_STREQ(q, cases[i].expected);
        }
}

TEST(strdup_or_null_and_asprintf) {
        ASSERT_NULL(strdup_or_null(NULL));
        _cleanup_(freep) char *a = strdup_or_null("x");
        ASSERT_STREQ(a, "x");
        _cleanup_(freep) char *b = asprintf_safe("%s=%d", "k", -3);
        ASSERT_STREQ(b, "k=-3");
        ASSERT_TRUE(streq_ptr(NULL, NULL));
        ASSERT_FALSE(streq_ptr("a", NULL));
        ASSERT_TRUE(streq_ptr("a", "a"));
        ASSERT_TRUE(isempty(NULL));
        ASSERT_TRUE(isempty(""));
        ASSERT_FALSE(isempty(" "));
}

TEST(greedy_realloc) {
        int *a = NULL;
        size_t allocated = 0;
        ASSERT_TRUE(GREEDY_REALLOC(a, allocated, 1));
        ASSERT_TRUE(allocated >= 4);
        size_t before = allocated;
        ASSERT_TRUE(GREEDY_REALLOC(a, allocated, 2));
        ASSERT_EQ(allocated, before); /* already enough: no change */
        ASSERT_TRUE(GREEDY_REALLOC(a, allocated, 100));
        ASSERT_TRUE(allocated >= 100);
        a[99] = 7;
        ASSERT_FALSE(GREEDY_REALLOC(a, allocated, SIZE_MAX / 2)); /* n × size overflows */
        ASSERT_EQ(a[99], 7);
        free(a);
}
