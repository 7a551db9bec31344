/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>

#include "pod-state-file.h"
#include "strbuf.h"
#include "string-util.h"

char *pod_state_file_path(const char *state_dir, const char *ns, const char *name) {
        /* '_' occurs in neither a namespace nor a pod name, so the file name maps back uniquely. */
        return asprintf_safe("%s/%s_%s", state_dir, ns, name);
}

static int mkdir_parents(const char *path) {
        _cleanup_(freep) char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = 0;
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        return 0;
}

int pod_state_file_write(const char *path, const PodStateFile *s) {
        StrBuf b = {};
        int r;

        strbuf_printf(&b, "uid=%s\nhash=%s\ncreation=%" PRIu64 "\nstart=%" PRIu64 "\npodd_restarts=", s->uid,
                      s->hash, s->creation_usec, s->start_usec);
        for (size_t i = 0; i < s->n_podd_restarts; i++)
                strbuf_printf(&b, "%s%" PRIu32, i > 0 ? "," : "", s->podd_restarts[i]);
        strbuf_append_char(&b, '\n');
        _cleanup_(freep) char *text = strbuf_steal(&b);
        _cleanup_(freep) char *tmp = asprintf_safe("%s.tmp", path);
        if (!text || !tmp)
                return -ENOMEM;

        r = mkdir_parents(path);
        if (r < 0)
                return r;
        /* temp file + fsync + rename: a crash leaves either the old or the new state, never half of one */
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        size_t len = strlen(text), done = 0;
        while (done < len) {
                ssize_t n = write(fd, text + done, len - done);
                if (n < 0) {
                        r = -errno;
                        (void) close(fd);
                        (void) unlink(tmp);
                        return r;
                }
                done += (size_t) n;
        }
        if (fsync(fd) < 0 || close(fd) < 0) {
                r = -errno;
                (void) unlink(tmp);
                return r;
        }
        if (rename(tmp, path) < 0) {
                r = -errno;
                (void) unlink(tmp);
                return r;
        }
        return 0;
}

static int parse_u64(const char *s, uint64_t *ret) {
        int64_t v;
        int r = safe_atoi64(s, &v);
        if (r < 0)
                return r;
        if (v < 0)
                return -ERANGE;
        *ret = (uint64_t) v;
        return 0;
}

int pod_state_file_read(const char *path, PodStateFile *ret) {
        _cleanup_(pod_state_file_done) PodStateFile s = {};
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        char line[4096];
        size_t allocated = 0;
        int r = 0;
        while (r >= 0 && fgets(line, sizeof line, f)) {
                line[strcspn(line, "\n")] = 0;
                char *eq = strchr(line, '=');
                if (!eq)
                        continue;
                *eq = 0;
                const char *k = line, *v = eq + 1;
                if (streq(k, "uid")) {
                        free(s.uid);
                        s.uid = strdup(v);
                        r = s.uid ? 0 : -ENOMEM;
                } else if (streq(k, "hash")) {
                        free(s.hash);
                        s.hash = strdup(v);
                        r = s.hash ? 0 : -ENOMEM;
                } else if (streq(k, "creation"))
                        r = parse_u64(v, &s.creation_usec);
                else if (streq(k, "start"))
                        r = parse_u64(v, &s.start_usec);
                else if (streq(k, "podd_restarts")) {
                        for (const char *p = v; *p && r >= 0;) {
                                char num[32];
                                size_t n = strcspn(p, ",");
                                if (n == 0 || n >= sizeof num) {
                                        r = -EINVAL;
                                        break;
                                }
                                memcpy(num, p, n);
                                num[n] = 0;
                                uint64_t x;
                                r = parse_u64(num, &x);
                                if (r < 0)
                                        break;
                                if (!GREEDY_REALLOC(s.podd_restarts, allocated, s.n_podd_restarts + 1))
                                        r = -ENOMEM;
                                else
                                        s.podd_restarts[s.n_podd_restarts++] = (uint32_t) MIN(x, UINT32_MAX);
                                p += n;
                                if (*p == ',')
                                        p++;
                        }
                }
        }
        fclose(f);
        if (r < 0)
                return r == -ENOMEM ? r : -EINVAL;
        if (!s.uid || !s.hash)
                return -EINVAL;
        *ret = s;
        s = (PodStateFile) {};
        return 0;
}

void pod_state_file_done(PodStateFile *s) {
        free(s->uid);
        free(s->hash);
        free(s->podd_restarts);
        *s = (PodStateFile) {};
}
