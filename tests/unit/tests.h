/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A tiny test runner in the shape of systemd's tests.h: TEST(name) registers a function, the generated
 * main runs them all (or those named on the command line) and exits 0, 1 on a failure, or 77 when every
 * test skipped. Assertions print the expression and the values, then abort the current test. */

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

typedef struct TestCase {
        const char *name;
        void (*func)(void);
} TestCase;

#define TESTS_MAX 512
extern TestCase tests_registry[TESTS_MAX];
extern size_t tests_n;
extern jmp_buf tests_jmp;
extern int tests_failed_current;

#define TEST(n)                                                                              \
        static void test_##n(void);                                                         \
        __attribute__((constructor)) static void test_register_##n(void) {                  \
                if (tests_n < TESTS_MAX)                                                    \
                        tests_registry[tests_n++] = (TestCase) { #n, test_##n };            \
        }                                                                                   \
        static void test_##n(void)

#define TEST_FAIL(...)                                                                       \
        do {                                                                                \
                fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                             \
                fprintf(stderr, __VA_ARGS__);                                               \
                fputc('\n', stderr);                                                        \
                tests_failed_current = 1;                                                   \
                longjmp(tests_jmp, 1);                                                      \
        } while (0)

#define ASSERT_TRUE(expr)                                                                    \
        do {                                                                                \
                if (!(expr))                                                                \
                        TEST_FAIL("assertion failed: %s", #expr);                           \
        } while (0)
#define ASSERT_FALSE(expr) ASSERT_TRUE(!(expr))
#define ASSERT_NULL(expr) ASSERT_TRUE((expr) == NULL)
#define ASSERT_NOT_NULL(expr) ASSERT_TRUE((expr) != NULL)

#define ASSERT_OK(expr)                                                                      \
        do {                                                                                \
                long long _r = (long long) (expr);                                          \
                if (_r < 0)                                                                 \
                        TEST_FAIL("%s failed: %lld (%s)", #expr, _r, strerror((int) -_r));  \
        } while (0)

#define ASSERT_ERROR(expr, err)                                                              \
        do {                                                                                \
                long long _r = (long long) (expr);                                          \
                if (_r != -(long long) (err))                                               \
                        TEST_FAIL("%s: expected -%s, got %lld", #expr, #err, _r);           \
        } while (0)

#define ASSERT_EQ(a, b)                                                                      \
        do {                                                                                \
                long long _a = (long long) (a), _b = (long long) (b);                       \
                if (_a != _b)                                                               \
                        TEST_FAIL("%s == %s: %lld != %lld", #a, #b, _a, _b);                \
        } while (0)

#define ASSERT_STREQ(a, b)                                                                   \
        do {                                                                                \
                const char *_a = (a), *_b = (b);                                            \
                if (!_a || !_b || strcmp(_a, _b) != 0)                                      \
                        TEST_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b, _a ? _a : "(null)",  \
                                  _b ? _b : "(null)");                                      \
        } while (0)

/* Reads a whole file relative to the source tree's tests/ dir (TESTS_DIR is set by meson). Caller frees.
 * Returns NULL and fails the test if it cannot. */
char *test_read_file(const char *relpath, size_t *ret_len);
/* The absolute path of a file under tests/. Static buffer. */
const char *test_path(const char *relpath);
