/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "podctl.h"
#include "string-util.h"
#include "strv.h"

static int input_add_one(Inputs *in, const char *path) {
        _cleanup_(freep) char *p = NULL, *d = NULL;

        p = strdup(path);
        d = strdup(streq(path, "-") ? "<stdin>" : path);
        if (!p || !d)
                return -ENOMEM;
        if (!GREEDY_REALLOC(in->items, in->allocated, in->n + 1))
                return -ENOMEM;
        in->items[in->n++] = (InputFile) { .path = TAKE_PTR(p), .display = TAKE_PTR(d) };
        return 0;
}

static bool is_manifest_name(const char *name) {
        /* Dot files are editor backups and the like, never manifests. */
        if (name[0] == '.')
                return false;
        return endswith(name, ".yaml") || endswith(name, ".yml") || endswith(name, ".json");
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void closedirp(DIR **d) {
        if (*d)
                (void) closedir(*d);
}

static int inputs_add_dir(Inputs *in, const char *dir) {
        _cleanup_(closedirp) DIR *d = NULL;
        _cleanup_strv_free_ char **names = NULL;
        size_t n = 0;
        int r;

        d = opendir(dir);
        if (!d) {
                r = -errno;
                fprintf(stderr, "podctl: %s: %s\n", dir, strerror(-r));
                return r;
        }

        for (;;) {
                struct dirent *de;
                struct stat st;

                errno = 0;
                de = readdir(d);
                if (!de) {
                        if (errno != 0) {
                                r = -errno;
                                fprintf(stderr, "podctl: %s: %s\n", dir, strerror(-r));
                                return r;
                        }
                        break;
                }
                if (!is_manifest_name(de->d_name))
                        continue;
                /* Only regular files (or symlinks to them): a directory named x.yaml is not a manifest. */
                if (fstatat(dirfd(d), de->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
                        continue;
                r = strv_extend(&names, de->d_name);
                if (r < 0)
                        return r;
                n++;
        }

        if (n == 0) {
                fprintf(stderr, "podctl: %s: no *.yaml, *.yml or *.json files in directory\n", dir);
                return -ENOENT;
        }

        qsort(names, n, sizeof(char *), cmp_str);

        STRV_FOREACH(name, names) {
                _cleanup_(freep) char *p = NULL;

                p = endswith(dir, "/") ? asprintf_safe("%s%s", dir, *name) : asprintf_safe("%s/%s", dir, *name);
                if (!p)
                        return -ENOMEM;
                r = input_add_one(in, p);
                if (r < 0)
                        return r;
        }
        return 0;
}

int inputs_add(Inputs *in, const char *arg) {
        struct stat st;
        int r;

        if (streq(arg, "-"))
                return input_add_one(in, arg);

        if (stat(arg, &st) < 0) {
                r = -errno;
                fprintf(stderr, "podctl: %s: %s\n", arg, strerror(-r));
                return r;
        }
        if (S_ISDIR(st.st_mode))
                return inputs_add_dir(in, arg);
        return input_add_one(in, arg);
}

static int read_fd_bounded(int fd, const char *display, char **ret, size_t *ret_size) {
        _cleanup_(freep) char *buf = NULL;
        size_t len = 0, allocated = 0;

        for (;;) {
                ssize_t k;

                /* One byte beyond the limit is enough to know the input is too large. */
                if (!GREEDY_REALLOC(buf, allocated, MIN(len + 65536, (size_t) INPUT_MAX_BYTES + 2)))
                        return -ENOMEM;
                k = read(fd, buf + len, allocated - len - 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        int r = -errno;
                        fprintf(stderr, "podctl: %s: %s\n", display, strerror(-r));
                        return r;
                }
                if (k == 0)
                        break;
                len += (size_t) k;
                if (len > INPUT_MAX_BYTES) {
                        fprintf(stderr, "podctl: %s: input is larger than the limit of %u bytes (10 MiB)\n",
                                display, INPUT_MAX_BYTES);
                        return -EFBIG;
                }
        }

        if (!buf) {
                buf = malloc(1);
                if (!buf)
                        return -ENOMEM;
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_size = len;
        return 0;
}

int input_file_read(InputFile *f) {
        _cleanup_(closep) int fd = -EBADF;
        struct stat st;
        int r;

        if (streq(f->path, "-"))
                return read_fd_bounded(STDIN_FILENO, f->display, &f->data, &f->size);

        fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                r = -errno;
                fprintf(stderr, "podctl: %s: %s\n", f->display, strerror(-r));
                return r;
        }
        if (fstat(fd, &st) < 0) {
                r = -errno;
                fprintf(stderr, "podctl: %s: %s\n", f->display, strerror(-r));
                return r;
        }
        if (S_ISDIR(st.st_mode)) {
                fprintf(stderr, "podctl: %s: %s\n", f->display, strerror(EISDIR));
                return -EISDIR;
        }
        /* Refuse before reading: a huge file must not be loaded into memory only to be rejected. */
        if (S_ISREG(st.st_mode) && (uint64_t) st.st_size > INPUT_MAX_BYTES) {
                fprintf(stderr, "podctl: %s: file is larger than the limit of %u bytes (10 MiB)\n",
                        f->display, INPUT_MAX_BYTES);
                return -EFBIG;
        }
        return read_fd_bounded(fd, f->display, &f->data, &f->size);
}

void inputs_done(Inputs *in) {
        for (size_t i = 0; i < in->n; i++) {
                free(in->items[i].path);
                free(in->items[i].display);
                free(in->items[i].data);
        }
        free(in->items);
        *in = (Inputs) {};
}
