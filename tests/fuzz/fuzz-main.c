/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs a fuzz target over files and directories named on the command line, without libFuzzer. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "macro.h"

static int run_file(const char *path) {
        FILE *f = fopen(path, "re");
        if (!f) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -errno;
        }
        char *buf = NULL;
        size_t len = 0, allocated = 0;
        for (;;) {
                if (!GREEDY_REALLOC(buf, allocated, len + 65536)) {
                        fclose(f);
                        free(buf);
                        return -ENOMEM;
                }
                size_t n = fread(buf + len, 1, 65536, f);
                len += n;
                if (n < 65536)
                        break;
        }
        bool err = ferror(f);
        fclose(f);
        if (err) {
                free(buf);
                fprintf(stderr, "%s: read error\n", path);
                return -EIO;
        }
        (void) LLVMFuzzerTestOneInput((const uint8_t *) buf, len);
        free(buf);
        return 0;
}

static int compare(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int run_path(const char *path, size_t *count) {
        struct stat st;
        if (stat(path, &st) < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -errno;
        }
        if (!S_ISDIR(st.st_mode)) {
                (*count)++;
                return run_file(path);
        }
        struct dirent **entries;
        int n = scandir(path, &entries, NULL, NULL);
        if (n < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -errno;
        }
        qsort(entries, (size_t) n, sizeof(entries[0]), compare);
        int r = 0;
        for (int i = 0; i < n; i++) {
                if (entries[i]->d_name[0] != '.' && r >= 0) {
                        char sub[4096];
                        (void) snprintf(sub, sizeof sub, "%s/%s", path, entries[i]->d_name);
                        r = run_path(sub, count);
                }
                free(entries[i]);
        }
        free(entries);
        return r;
}

int main(int argc, char *argv[]) {
        size_t count = 0;
        for (int i = 1; i < argc; i++)
                if (run_path(argv[i], &count) < 0)
                        return EXIT_FAILURE;
        printf("%zu inputs ran without a crash\n", count);
        return count > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
