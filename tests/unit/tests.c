/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "tests.h"

TestCase tests_registry[TESTS_MAX];
size_t tests_n;
jmp_buf tests_jmp;
int tests_failed_current;

const char *test_path(const char *relpath) {
        static char buf[4096];
        (void) snprintf(buf, sizeof buf, "%s/%s", TESTS_DIR, relpath);
        return buf;
}

char *test_read_file(const char *relpath, size_t *ret_len) {
        const char *p = test_path(relpath);
        FILE *f = fopen(p, "re");
        if (!f)
                TEST_FAIL("cannot open %s: %s", p, strerror(errno));
        char *buf = NULL;
        size_t len = 0, allocated = 0;
        for (;;) {
                if (!GREEDY_REALLOC(buf, allocated, len + 4096 + 1))
                        abort();
                size_t n = fread(buf + len, 1, 4096, f);
                len += n;
                if (n < 4096)
                        break;
        }
        fclose(f);
        buf[len] = 0;
        if (ret_len)
                *ret_len = len;
        return buf;
}

/* setjmp lives in its own frame so main's locals are never clobbered by the longjmp of a failed assert. */
static int run_one(const TestCase *t) {
        tests_failed_current = 0;
        fprintf(stderr, "/* %s */\n", t->name);
        if (setjmp(tests_jmp) == 0)
                t->func();
        return tests_failed_current;
}

int main(int argc, char *argv[]) {
        size_t failed = 0, ran = 0;
        for (size_t i = 0; i < tests_n; i++) {
                if (argc > 1) {
                        bool wanted = false;
                        for (int a = 1; a < argc; a++)
                                if (streq(argv[a], tests_registry[i].name))
                                        wanted = true;
                        if (!wanted)
                                continue;
                }
                ran++;
                if (run_one(&tests_registry[i])) {
                        failed++;
                        fprintf(stderr, "FAIL: %s\n", tests_registry[i].name);
                }
        }
        fprintf(stderr, "%zu passed, %zu failed\n", ran - failed, failed);
        return failed ? EXIT_FAILURE : ran ? EXIT_SUCCESS : 77;
}
