/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>

#include "config-dir.h"
#include "hashmap.h"
#include "sha256.h"
#include "strbuf.h"
#include "string-util.h"
#include "strv.h"

/* The kubelet refuses static pod files above 10 MiB; so does the YAML loader's default limit. */
#define CONFIG_FILE_MAX_BYTES (10u * 1024u * 1024u)
/* Editors and `podctl apply` touch a file with several events in a row: reload once they settle. */
#define CONFIG_COALESCE_USEC (50u * 1000u)
/* When a reload failed for want of memory, try again later rather than spin. */
#define CONFIG_RETRY_USEC (1000u * 1000u)
/* More pending names than this: rescanning the whole directory is cheaper than tracking them. */
#define CONFIG_PENDING_MAX 1024

typedef struct ConfigFile {
        char *name; /* the key in ConfigDir.files */
        char *path;
        Manifest *manifest; /* the last version that loaded without error, or NULL */
        char (*hashes)[SHA256_DIGEST_SIZE * 2 + 1]; /* one per manifest->pods[] */
        char *error;        /* the findings of the current version when it failed, else NULL */
        struct stat stamp;  /* of the version last read, to skip rereading an untouched file */
        bool have_stamp;
} ConfigFile;

/* Who owns a pod name, remembered across loads so that a conflict never moves a pod between files. */
typedef struct Owner {
        char *key; /* "namespace/name" */
        char *file_name;
} Owner;

struct ConfigDir {
        char *dir;
        char *archive_dir;
        Hashmap *files;  /* name → ConfigFile */
        Hashmap *owners; /* "ns/name" → Owner */

        DesiredPod *pods;
        size_t n_pods;
        ConfigError *errors;
        size_t n_errors;

        sd_event *event;
        sd_event_source *io_source;
        sd_event_source *timer_source;
        int inotify_fd;
        int dir_wd, parent_wd;
        char **pending;   /* file names to reload at the next timer */
        bool full_rescan; /* … or everything */
        ConfigChangeCallback on_change;
        void *userdata;
};

static ConfigFile *config_file_free(ConfigFile *f) {
        if (!f)
                return NULL;
        free(f->name);
        free(f->path);
        manifest_free(f->manifest);
        free(f->hashes);
        free(f->error);
        free(f);
        return NULL;
}

static Owner *owner_free(Owner *o) {
        if (!o)
                return NULL;
        free(o->key);
        free(o->file_name);
        free(o);
        return NULL;
}

static void owners_free(Hashmap *h) {
        size_t state = 0;
        void *v;

        while (hashmap_iterate(h, &state, NULL, &v))
                owner_free(v);
        hashmap_free(h);
}

static void errors_free(ConfigError *errors, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(errors[i].file);
                free(errors[i].message);
        }
        free(errors);
}

ConfigDir *config_dir_free(ConfigDir *d) {
        if (!d)
                return NULL;

        sd_event_source_disable_unref(d->timer_source);
        sd_event_source_disable_unref(d->io_source);
        sd_event_unref(d->event);
        if (d->inotify_fd >= 0)
                (void) close(d->inotify_fd);
        strv_free(d->pending);

        size_t state = 0;
        void *v;
        while (hashmap_iterate(d->files, &state, NULL, &v))
                config_file_free(v);
        hashmap_free(d->files);
        owners_free(d->owners);
        free(d->pods);
        errors_free(d->errors, d->n_errors);
        free(d->dir);
        free(d->archive_dir);
        free(d);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(ConfigDir *, config_dir_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(ConfigFile *, config_file_free);

int config_dir_new(const char *dir, const char *archive_dir, ConfigDir **ret) {
        assert(dir);
        assert(archive_dir);
        assert(ret);

        if (dir[0] != '/' || archive_dir[0] != '/')
                return -EINVAL;

        _cleanup_(config_dir_freep) ConfigDir *d = calloc(1, sizeof(ConfigDir));
        if (!d)
                return -ENOMEM;
        d->inotify_fd = -EBADF;
        d->dir_wd = d->parent_wd = -1;

        d->dir = strdup(dir);
        d->archive_dir = strdup(archive_dir);
        d->files = hashmap_new();
        d->owners = hashmap_new();
        if (!d->dir || !d->archive_dir || !d->files || !d->owners)
                return -ENOMEM;
        /* "/etc/pods/" and "/etc/pods" are the same directory; paths are built as DIR/NAME. */
        for (size_t l = strlen(d->dir); l > 1 && d->dir[l - 1] == '/'; l--)
                d->dir[l - 1] = 0;

        *ret = TAKE_PTR(d);
        return 0;
}

/* Manifests only: dot files (our own temp files, editors' swap files) and backups like foo.yaml~ are not. */
static bool config_name_wanted(const char *name) {
        if (isempty(name) || name[0] == '.' || strchr(name, '/'))
                return false;
        return endswith(name, ".yaml") || endswith(name, ".yml") || endswith(name, ".json");
}

/* ---- hashing ---- */

static void hash_bytes(Sha256 *c, char tag, const char *s, size_t len) {
        uint8_t hdr[9] = { (uint8_t) tag };

        /* A tag and a length (or, for collections, an item count; s is NULL then) before every piece keep
         * the encoding unambiguous. */
        for (unsigned i = 0; i < 8; i++)
                hdr[1 + i] = (uint8_t) ((uint64_t) len >> (8 * i));
        sha256_update(c, hdr, sizeof hdr);
        if (s)
                sha256_update(c, s, len);
}

static int pair_cmp(const void *a, const void *b) {
        const YPair *x = *(const YPair *const *) a, *y = *(const YPair *const *) b;
        return strcmp(x->key->value ?: "", y->key->value ?: "");
}

/* Hashes the object as data, not as text: scalars by their resolved meaning, mapping keys in sorted
 * order. So re-indenting, requoting a string, or reordering keys is not a change, while `port: 80` vs
 * `port: "80"` (an int vs a string, which Kubernetes tells apart) is. */
static int hash_node(Sha256 *c, const YNode *n) {
        char buf[32];
        int r;

        if (!n) {
                hash_bytes(c, 'n', NULL, 0);
                return 0;
        }
        switch (n->type) {
        case YNODE_SCALAR:
                switch (n->kind) {
                case YSCALAR_NULL:
                        hash_bytes(c, 'n', NULL, 0);
                        break;
                case YSCALAR_BOOL:
                        hash_bytes(c, 'b', n->bool_value ? "1" : "0", 1);
                        break;
                case YSCALAR_INT:
                        r = snprintf(buf, sizeof buf, "%" PRIi64, n->int_value);
                        hash_bytes(c, 'i', buf, (size_t) r);
                        break;
                case YSCALAR_FLOAT:
                        hash_bytes(c, 'f', n->value, n->length);
                        break;
                case YSCALAR_STRING:
                default:
                        hash_bytes(c, 's', n->value, n->length);
                        break;
                }
                return 0;
        case YNODE_SEQUENCE:
                hash_bytes(c, 'a', NULL, n->n_items);
                for (size_t i = 0; i < n->n_items; i++) {
                        r = hash_node(c, n->items[i]);
                        if (r < 0)
                                return r;
                }
                return 0;
        case YNODE_MAPPING: {
                hash_bytes(c, 'm', NULL, n->n_pairs);
                if (n->n_pairs == 0)
                        return 0;
                _cleanup_(freep) const YPair **sorted = calloc(n->n_pairs, sizeof(YPair *));
                if (!sorted)
                        return -ENOMEM;
                for (size_t i = 0; i < n->n_pairs; i++)
                        sorted[i] = &n->pairs[i];
                qsort(sorted, n->n_pairs, sizeof(YPair *), pair_cmp);
                for (size_t i = 0; i < n->n_pairs; i++) {
                        r = hash_node(c, sorted[i]->key);
                        if (r < 0)
                                return r;
                        r = hash_node(c, sorted[i]->value);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        }
        return -EINVAL;
}

static int hash_object(const YNode *root, char ret[static SHA256_DIGEST_SIZE * 2 + 1]) {
        static const char hex[] = "0123456789abcdef";
        uint8_t digest[SHA256_DIGEST_SIZE];
        Sha256 c;
        int r;

        sha256_init(&c);
        r = hash_node(&c, root);
        if (r < 0)
                return r;
        sha256_final(&c, digest);
        for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
                ret[2 * i] = hex[digest[i] >> 4];
                ret[2 * i + 1] = hex[digest[i] & 15];
        }
        ret[SHA256_DIGEST_SIZE * 2] = 0;
        return 0;
}

/* ---- loading ---- */

static int read_fd_limited(int fd, size_t max, char **ret, size_t *ret_len) {
        _cleanup_(freep) char *buf = NULL;
        size_t len = 0, allocated = 0;

        for (;;) {
                if (!GREEDY_REALLOC(buf, allocated, len + 65536 + 1))
                        return -ENOMEM;
                ssize_t n = read(fd, buf + len, allocated - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
                if (len > max)
                        return -EFBIG;
        }
        buf[len] = 0;
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

static bool stamp_equal(const struct stat *a, const struct stat *b) {
        return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
               a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
               a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static int config_file_set_error(ConfigFile *f, char *message) {
        if (!message)
                return -ENOMEM;
        free(f->error);
        f->error = message;
        return 0;
}

static int format_diags(Diags *diags, const char *path, char **ret) {
        StrBuf b = {};

        /* Errors only: a warning does not stop a file from loading, so it is no reason it did not. */
        diags_sort(diags);
        for (size_t i = 0; i < diags->n; i++) {
                if (diags->items[i].level != DIAG_ERROR)
                        continue;
                _cleanup_(freep) char *line = diag_format(&diags->items[i], path);
                if (!line) {
                        strbuf_done(&b);
                        return -ENOMEM;
                }
                if (b.len > 0)
                        strbuf_append_char(&b, '\n');
                strbuf_append(&b, line);
        }
        if (b.len == 0 && !b.oom) /* -EINVAL with no error should not happen; say something anyway */
                strbuf_printf(&b, "%s: failed to load", path);
        *ret = strbuf_steal(&b);
        return *ret ? 0 : -ENOMEM;
}

/* Parses buf as the new version of f. Success replaces the last good version; failure keeps it and
 * records the findings. Returns 0 or -ENOMEM. */
static int config_file_parse(ConfigFile *f, const char *buf, size_t len) {
        ManifestOptions opts = MANIFEST_OPTIONS_DEFAULT;
        _cleanup_(manifest_freep) Manifest *m = NULL;
        _cleanup_(freep) char (*hashes)[SHA256_DIGEST_SIZE * 2 + 1] = NULL;
        Diags diags = {};
        int r;

        r = manifest_load(buf, len, &opts, &m, &diags);
        if (r == -ENOMEM || diags.oom) {
                diags_done(&diags);
                return -ENOMEM;
        }
        if (r < 0 || diags_errors(&diags) > 0) {
                char *msg = NULL;
                r = format_diags(&diags, f->path, &msg);
                diags_done(&diags);
                if (r < 0)
                        return r;
                return config_file_set_error(f, msg);
        }
        diags_done(&diags);

        if (m->n_pods > 0) {
                hashes = calloc(m->n_pods, sizeof(*hashes));
                if (!hashes)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < m->n_pods; i++) {
                r = hash_object(m->pods[i]->src, hashes[i]);
                if (r < 0)
                        return r;
        }

        manifest_free(f->manifest);
        f->manifest = TAKE_PTR(m);
        free(f->hashes);
        f->hashes = TAKE_PTR(hashes);
        f->error = mfree(f->error);
        return 0;
}

static int config_file_new(ConfigDir *d, const char *name, ConfigFile **ret) {
        _cleanup_(config_file_freep) ConfigFile *f = calloc(1, sizeof(ConfigFile));
        int r;

        if (!f)
                return -ENOMEM;
        f->name = strdup(name);
        f->path = asprintf_safe("%s/%s", d->dir, name);
        if (!f->name || !f->path)
                return -ENOMEM;
        r = hashmap_put(d->files, f->name, f);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(f);
        return 0;
}

static void config_dir_drop_file(ConfigDir *d, const char *name) {
        config_file_free(hashmap_remove(d->files, name));
}

/* (Re)reads one file. Returns 1 when the file's contribution may have changed, 0 when it was untouched, or
 * a negative errno (only -ENOMEM: problems with the file itself are the file's error, not ours). */
static int config_dir_reload_file(ConfigDir *d, const char *name, bool force) {
        _cleanup_(freep) char *path = NULL, *buf = NULL;
        _cleanup_(closep) int fd = -EBADF;
        struct stat st;
        size_t len = 0;
        int r;

        if (!config_name_wanted(name))
                return 0;
        path = asprintf_safe("%s/%s", d->dir, name);
        if (!path)
                return -ENOMEM;

        ConfigFile *f = hashmap_get(d->files, name);

        /* O_NONBLOCK: a FIFO named foo.yaml must not hang the daemon; it is refused below as not regular. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0 && errno == ENOENT) {
                if (!f)
                        return 0;
                config_dir_drop_file(d, name);
                return 1;
        }
        if (fd < 0)
                r = -errno;
        else if (fstat(fd, &st) < 0)
                r = -errno;
        else
                r = 0;

        if (r == 0 && !S_ISREG(st.st_mode)) {
                /* Directories, sockets, devices, FIFOs: not manifests, not ours to complain about. */
                if (!f)
                        return 0;
                config_dir_drop_file(d, name);
                return 1;
        }

        if (!f) {
                int q = config_file_new(d, name, &f);
                if (q < 0)
                        return q;
        }

        if (r < 0) {
                /* Unreadable (permissions, I/O): its last good pods stay, the error is reported. */
                errno = -r;
                f->have_stamp = false;
                r = config_file_set_error(f, asprintf_safe("%s: cannot read: %m", f->path));
                return r < 0 ? r : 1;
        }

        if (!force && f->have_stamp && stamp_equal(&f->stamp, &st))
                return 0;
        f->stamp = st;
        f->have_stamp = true;

        if ((uint64_t) st.st_size > CONFIG_FILE_MAX_BYTES)
                r = -EFBIG;
        else
                r = read_fd_limited(fd, CONFIG_FILE_MAX_BYTES, &buf, &len);
        if (r == -ENOMEM)
                return r;
        if (r == -EFBIG) {
                r = config_file_set_error(f, asprintf_safe("%s: file is larger than 10 MiB, not loaded",
                                                           f->path));
                return r < 0 ? r : 1;
        }
        if (r < 0) {
                errno = -r;
                f->have_stamp = false;
                r = config_file_set_error(f, asprintf_safe("%s: cannot read: %m", f->path));
                return r < 0 ? r : 1;
        }

        r = config_file_parse(f, buf, len);
        return r < 0 ? r : 1;
}

static int config_dir_scan(ConfigDir *d) {
        _cleanup_strv_free_ char **seen = NULL;
        int r;

        DIR *dirp = opendir(d->dir);
        if (!dirp && errno != ENOENT)
                return -errno;
        if (dirp) {
                struct dirent *de;
                for (;;) {
                        errno = 0;
                        de = readdir(dirp);
                        if (!de)
                                break;
                        if (!config_name_wanted(de->d_name))
                                continue;
                        r = strv_extend(&seen, de->d_name);
                        if (r < 0) {
                                closedir(dirp);
                                return r;
                        }
                }
                r = -errno;
                closedir(dirp);
                if (r < 0)
                        return r;
        }

        /* Files we know that are gone: reloading them notices and drops them. */
        size_t state = 0;
        const char *name;
        while (hashmap_iterate(d->files, &state, &name, NULL))
                if (!strv_contains(seen, name)) {
                        r = strv_extend(&seen, name);
                        if (r < 0)
                                return r;
                }

        STRV_FOREACH(s, seen) {
                r = config_dir_reload_file(d, *s, false);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- the desired state ---- */

static int file_name_cmp(const void *a, const void *b) {
        return strcmp((*(ConfigFile *const *) a)->name, (*(ConfigFile *const *) b)->name);
}

static int desired_pod_cmp(const void *a, const void *b) {
        const DesiredPod *x = a, *y = b;
        int c = strcmp(x->pod->metadata.namespace, y->pod->metadata.namespace);
        return c != 0 ? c : strcmp(x->pod->metadata.name, y->pod->metadata.name);
}

static bool pod_named(const Pod *p) {
        return p && p->metadata.name && p->metadata.namespace;
}

typedef struct Claim {
        ConfigFile *file;
        size_t index;
        char *key;
} Claim;

/* Rebuilds pods[] and errors[] from every file's last good version. Owners first keep what they still
 * declare; a pod nobody owns goes to the first file in name order; everyone else gets a conflict error. */
static int config_dir_recompute(ConfigDir *d) {
        _cleanup_(freep) ConfigFile **files = NULL;
        _cleanup_(freep) DesiredPod *pods = NULL;
        _cleanup_(freep) Claim *claims = NULL;
        ConfigError *errors = NULL;
        size_t n_files = hashmap_size(d->files), n_claims = 0, n_pods = 0, n_errors = 0;
        Hashmap *owners = NULL;
        int r;

        if (n_files > 0) {
                files = calloc(n_files, sizeof(ConfigFile *));
                if (!files)
                        return -ENOMEM;
        }
        size_t state = 0, k = 0, total = 0;
        void *v;
        while (hashmap_iterate(d->files, &state, NULL, &v)) {
                files[k++] = v;
                if (((ConfigFile *) v)->manifest)
                        total += ((ConfigFile *) v)->manifest->n_pods;
        }
        if (n_files > 0)
                qsort(files, n_files, sizeof(ConfigFile *), file_name_cmp);

        if (total > 0) {
                claims = calloc(total, sizeof(Claim));
                pods = calloc(total, sizeof(DesiredPod));
                if (!claims || !pods)
                        return -ENOMEM;
        }
        owners = hashmap_new();
        if (!owners)
                return -ENOMEM;

        for (size_t i = 0; i < n_files; i++) {
                Manifest *m = files[i]->manifest;
                for (size_t j = 0; m && j < m->n_pods; j++) {
                        if (!pod_named(m->pods[j]))
                                continue;
                        claims[n_claims] = (Claim) { .file = files[i], .index = j };
                        claims[n_claims].key = asprintf_safe("%s/%s", m->pods[j]->metadata.namespace,
                                                             m->pods[j]->metadata.name);
                        if (!claims[n_claims++].key) {
                                r = -ENOMEM;
                                goto finish;
                        }
                }
        }

        /* Two passes: the previous owner if it still declares the pod, then first come in name order. */
        for (unsigned pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < n_claims; i++) {
                        Claim *c = &claims[i];
                        if (hashmap_get(owners, c->key))
                                continue;
                        if (pass == 0) {
                                Owner *old = hashmap_get(d->owners, c->key);
                                if (!old || !streq(old->file_name, c->file->name))
                                        continue;
                        }
                        Owner *o = calloc(1, sizeof(Owner));
                        if (!o) {
                                r = -ENOMEM;
                                goto finish;
                        }
                        o->key = strdup(c->key);
                        o->file_name = strdup(c->file->name);
                        if (!o->key || !o->file_name) {
                                owner_free(o);
                                r = -ENOMEM;
                                goto finish;
                        }
                        r = hashmap_put(owners, o->key, o);
                        if (r < 0) {
                                owner_free(o);
                                goto finish;
                        }
                        const Manifest *m = c->file->manifest;
                        pods[n_pods++] = (DesiredPod) {
                                .pod = m->pods[c->index],
                                .file = c->file->path,
                                .hash = c->file->hashes[c->index],
                                .file_declares_others = m->n_objects > 1,
                        };
                }
        if (n_pods > 0)
                qsort(pods, n_pods, sizeof(DesiredPod), desired_pod_cmp);

        /* Errors, per file in name order: its load findings, then the pods it lost to another file. */
        if (n_files > 0) {
                errors = calloc(n_files, sizeof(ConfigError));
                if (!errors) {
                        r = -ENOMEM;
                        goto finish;
                }
        }
        for (size_t i = 0; i < n_files; i++) {
                ConfigFile *f = files[i];
                StrBuf b = {};

                if (f->error)
                        strbuf_append(&b, f->error);
                for (size_t j = 0; j < n_claims; j++) {
                        if (claims[j].file != f)
                                continue;
                        Owner *o = hashmap_get(owners, claims[j].key);
                        if (!o || streq(o->file_name, f->name))
                                continue;
                        const Pod *p = f->manifest->pods[claims[j].index];
                        if (b.len > 0)
                                strbuf_append_char(&b, '\n');
                        strbuf_append(&b, f->path);
                        if (p->src)
                                strbuf_printf(&b, ":%u:%u", p->src->line, p->src->column);
                        strbuf_printf(&b, ": pod %s is already declared in %s/%s", claims[j].key, d->dir,
                                      o->file_name);
                }
                if (b.len == 0 && !b.oom)
                        continue;
                char *msg = strbuf_steal(&b);
                char *file = strdup(f->path);
                if (!msg || !file) {
                        free(msg);
                        free(file);
                        r = -ENOMEM;
                        goto finish;
                }
                errors[n_errors++] = (ConfigError) { .file = file, .message = msg };
        }

        owners_free(d->owners);
        d->owners = TAKE_PTR(owners);
        free(d->pods);
        d->pods = TAKE_PTR(pods);
        d->n_pods = n_pods;
        errors_free(d->errors, d->n_errors);
        d->errors = TAKE_PTR(errors);
        d->n_errors = n_errors;
        n_errors = 0;
        r = 0;

finish:
        for (size_t i = 0; i < n_claims; i++)
                free(claims[i].key);
        owners_free(owners);
        errors_free(errors, n_errors);
        return r;
}

int config_dir_load(ConfigDir *d) {
        int r;

        assert(d);

        r = config_dir_scan(d);
        if (r < 0)
                return r;
        return config_dir_recompute(d);
}

const DesiredPod *config_dir_pods(const ConfigDir *d, size_t *ret_n) {
        assert(d);
        if (ret_n)
                *ret_n = d->n_pods;
        return d->pods;
}

const DesiredPod *config_dir_find(const ConfigDir *d, const char *ns, const char *name) {
        assert(d);

        if (!ns || !name)
                return NULL;
        size_t lo = 0, hi = d->n_pods;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const Pod *p = d->pods[mid].pod;
                int c = strcmp(ns, p->metadata.namespace);
                if (c == 0)
                        c = strcmp(name, p->metadata.name);
                if (c == 0)
                        return &d->pods[mid];
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return NULL;
}

const ConfigError *config_dir_errors(const ConfigDir *d, size_t *ret_n) {
        assert(d);
        if (ret_n)
                *ret_n = d->n_errors;
        return d->errors;
}

char *config_dir_apply_path(const ConfigDir *d, const char *ns, const char *name) {
        assert(d);

        /* Names are DNS labels/subdomains: no '_' and no '/', so the file name maps back to one pod. */
        if (isempty(ns) || isempty(name) || strpbrk(ns, "/_") || strpbrk(name, "/_") || ns[0] == '.' ||
            streq(name, "..") || streq(name, "."))
                return NULL;
        return asprintf_safe("%s/%s_%s.yaml", d->dir, ns, name);
}

/* ---- writing ---- */

static int mkdir_p(const char *path, mode_t mode) {
        _cleanup_(freep) char *p = strdup(path);
        if (!p)
                return -ENOMEM;

        for (char *s = p + 1;; s++) {
                if (*s != '/' && *s != 0)
                        continue;
                char c = *s;
                *s = 0;
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return -errno;
                *s = c;
                if (c == 0)
                        break;
        }
        struct stat st;
        if (stat(path, &st) < 0)
                return -errno;
        return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* The file name of path when path lies directly in the watched directory, else NULL. */
static const char *config_dir_child_name(const ConfigDir *d, const char *path) {
        size_t l = strlen(d->dir);
        if (!path || !strneq(path, d->dir, l) || path[l] != '/')
                return NULL;
        const char *name = path + l + 1;
        return config_name_wanted(name) ? name : NULL;
}

static int write_all(int fd, const char *p, size_t len) {
        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

/* Writes content to dir/name through a dot-named temp file in the same dir (the watcher ignores it), so
 * readers see the old file or the new one, never half of one, even after a crash. */
static int write_atomic(const char *dir, const char *name, const char *content, size_t len, mode_t mode) {
        _cleanup_(closep) int dfd = -EBADF, fd = -EBADF;
        _cleanup_(freep) char *tmp = NULL;
        int r;

        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        tmp = asprintf_safe("%s/.%s.XXXXXX", dir, name);
        if (!tmp)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;

        r = write_all(fd, content, len);
        if (r >= 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && renameat(dfd, strrchr(tmp, '/') + 1, dfd, name) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlink(tmp);
                return r;
        }
        /* The rename is durable only once the directory is. */
        if (fsync(dfd) < 0)
                return -errno;
        return 0;
}

int config_dir_write(ConfigDir *d, const char *path, const char *content, size_t len) {
        int r;

        assert(d);
        assert(content || len == 0);

        const char *name = config_dir_child_name(d, path);
        if (!name)
                return -EINVAL;
        if (len > CONFIG_FILE_MAX_BYTES)
                return -EFBIG;

        r = mkdir_p(d->dir, 0755);
        if (r < 0)
                return r;

        /* Keep the mode of a file the operator made (say 0600 for one with secrets); new ones are 0644 as
         * anything else in /etc. */
        mode_t mode = 0644;
        struct stat st;
        if (stat(path, &st) >= 0 && S_ISREG(st.st_mode))
                mode = st.st_mode & 07777;

        r = write_atomic(d->dir, name, content ?: "", len, mode);
        if (r < 0)
                return r;

        r = config_dir_reload_file(d, name, true);
        if (r < 0)
                return r;
        return config_dir_recompute(d);
}

static int copy_file_to(const char *from, const char *dir, const char *name) {
        _cleanup_(closep) int fd = -EBADF;
        _cleanup_(freep) char *buf = NULL;
        struct stat st;
        size_t len;
        int r;

        fd = open(from, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        /* Archive whatever the operator wrote, even a file too big to load: the limit only bounds memory. */
        r = read_fd_limited(fd, SIZE_MAX / 2, &buf, &len);
        if (r < 0)
                return r;
        return write_atomic(dir, name, buf, len, st.st_mode & 07777);
}

int config_dir_archive(ConfigDir *d, const char *path) {
        _cleanup_(freep) char *target = NULL;
        _cleanup_(closep) int sfd = -EBADF, afd = -EBADF;
        int r;

        assert(d);

        const char *name = config_dir_child_name(d, path);
        if (!name)
                return -EINVAL;

        r = mkdir_p(d->archive_dir, 0755);
        if (r < 0)
                return r;
        sfd = open(d->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sfd < 0)
                return -errno;
        afd = open(d->archive_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (afd < 0)
                return -errno;

        /* NAME.UNIXTIME, or NAME.UNIXTIME.N when the same name was archived within the same second: an
         * archived file is never overwritten. */
        long long now = (long long) time(NULL);
        for (unsigned i = 0;; i++) {
                free(target);
                target = i == 0 ? asprintf_safe("%s.%lld", name, now) : asprintf_safe("%s.%lld.%u", name, now, i);
                if (!target)
                        return -ENOMEM;
                if (renameat2(sfd, name, afd, target, RENAME_NOREPLACE) >= 0)
                        break;
                if (errno == EEXIST && i < 1000)
                        continue;
                if (errno != EXDEV && errno != EINVAL)
                        return -errno;
                /* /var on another file system than /etc (or a file system without RENAME_NOREPLACE): copy
                 * durably first, then remove, so a crash in between leaves two copies, never none. */
                if (faccessat(afd, target, F_OK, AT_SYMLINK_NOFOLLOW) >= 0) {
                        if (i < 1000)
                                continue;
                        return -EEXIST;
                }
                r = copy_file_to(path, d->archive_dir, target);
                if (r < 0)
                        return r;
                if (unlinkat(sfd, name, 0) < 0)
                        return -errno;
                break;
        }
        if (fsync(afd) < 0 || fsync(sfd) < 0)
                return -errno;

        r = config_dir_reload_file(d, name, true);
        if (r < 0)
                return r;
        return config_dir_recompute(d);
}

/* ---- watching ---- */

static int config_dir_add_watches(ConfigDir *d) {
        _cleanup_(freep) char *parent = strdup(d->dir);
        if (!parent)
                return -ENOMEM;
        char *slash = strrchr(parent, '/');
        if (slash == parent)
                slash[1] = 0;
        else
                *slash = 0;

        /* The parent tells us when the directory itself appears, vanishes or is replaced. */
        if (d->parent_wd < 0) {
                d->parent_wd = inotify_add_watch(d->inotify_fd, parent,
                                                 IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | IN_ONLYDIR);
                if (d->parent_wd < 0)
                        return -errno;
        }
        d->dir_wd = inotify_add_watch(d->inotify_fd, d->dir,
                                      IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE |
                                      IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR);
        if (d->dir_wd < 0 && errno != ENOENT && errno != ENOTDIR)
                return -errno;
        return 0;
}

static void config_dir_arm(ConfigDir *d, uint64_t usec) {
        int r;

        r = sd_event_source_set_time_relative(d->timer_source, usec);
        if (r >= 0)
                r = sd_event_source_set_enabled(d->timer_source, SD_EVENT_ONESHOT);
        if (r < 0)
                /* Cannot defer: reload now rather than miss the change. */
                d->full_rescan = true;
}

static void config_dir_note(ConfigDir *d, const char *name) {
        if (d->full_rescan || strv_contains(d->pending, name))
                return;
        if (strv_length(d->pending) >= CONFIG_PENDING_MAX || strv_extend(&d->pending, name) < 0) {
                d->pending = strv_free(d->pending);
                d->full_rescan = true;
        }
}

/* A new directory entry is usually a file being written: wait for IN_CLOSE_WRITE instead of reading it
 * half written (an empty file is a valid manifest with no pods!). Only a new name for existing content —
 * a symlink or a hard link — is complete already. */
static bool created_complete(const ConfigDir *d, const char *name) {
        _cleanup_(freep) char *path = asprintf_safe("%s/%s", d->dir, name);
        struct stat st;

        if (!path || lstat(path, &st) < 0)
                return false;
        return S_ISLNK(st.st_mode) || (S_ISREG(st.st_mode) && st.st_nlink > 1);
}

static int on_inotify(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        ConfigDir *d = userdata;
        union {
                struct inotify_event ev;
                uint8_t raw[4096];
        } buf;
        bool any = false;

        for (;;) {
                ssize_t n = read(fd, &buf, sizeof buf);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        break; /* EAGAIN: drained */
                }
                for (uint8_t *p = buf.raw; p < buf.raw + n;) {
                        const struct inotify_event *ev = (const struct inotify_event *) p;
                        p += sizeof(struct inotify_event) + ev->len;
                        const char *name = ev->len > 0 ? ev->name : NULL;

                        if (ev->mask & IN_Q_OVERFLOW) {
                                d->full_rescan = true;
                                any = true;
                                continue;
                        }
                        if (ev->wd == d->parent_wd) {
                                const char *base = strrchr(d->dir, '/') + 1;
                                if (!name || !streq(name, base))
                                        continue;
                                /* The directory appeared, vanished or was swapped: start over. */
                                if (d->dir_wd >= 0 && (ev->mask & (IN_DELETE | IN_MOVED_FROM)))
                                        (void) inotify_rm_watch(fd, d->dir_wd);
                                d->dir_wd = -1;
                                (void) config_dir_add_watches(d);
                                d->full_rescan = true;
                                any = true;
                                continue;
                        }
                        if (ev->wd != d->dir_wd)
                                continue;
                        if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
                                if (ev->mask & IN_IGNORED)
                                        d->dir_wd = -1;
                                d->full_rescan = true;
                                any = true;
                                continue;
                        }
                        if (!name || !config_name_wanted(name))
                                continue;
                        if ((ev->mask & IN_CREATE) && !created_complete(d, name))
                                continue;
                        config_dir_note(d, name);
                        any = true;
                }
        }

        int enabled = SD_EVENT_OFF;
        if (any && sd_event_source_get_enabled(d->timer_source, &enabled) >= 0 && enabled == SD_EVENT_OFF)
                config_dir_arm(d, CONFIG_COALESCE_USEC);
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        ConfigDir *d = userdata;
        bool changed = false;
        int r = 0;

        if (d->full_rescan) {
                d->full_rescan = false;
                d->pending = strv_free(d->pending);
                if (d->dir_wd < 0)
                        (void) config_dir_add_watches(d);
                r = config_dir_scan(d);
                changed = true;
        } else {
                _cleanup_strv_free_ char **names = TAKE_PTR(d->pending);
                STRV_FOREACH(n, names) {
                        r = config_dir_reload_file(d, *n, false);
                        if (r < 0)
                                break;
                        if (r > 0)
                                changed = true;
                }
        }
        if (r >= 0 && changed)
                r = config_dir_recompute(d);
        if (r < 0) {
                /* Out of memory (nothing else fails here): keep the last state and try again shortly.
                 * Returning the error would disable this source for good. */
                d->full_rescan = true;
                config_dir_arm(d, CONFIG_RETRY_USEC);
                return 0;
        }
        if (changed && d->on_change)
                d->on_change(d, d->userdata);
        return 0;
}

int config_dir_watch(ConfigDir *d, sd_event *e, ConfigChangeCallback on_change, void *userdata) {
        int r;

        assert(d);
        assert(e);

        if (d->event)
                return -EBUSY;

        d->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (d->inotify_fd < 0)
                return -errno;
        r = config_dir_add_watches(d);
        if (r < 0)
                goto fail;
        r = sd_event_add_io(e, &d->io_source, d->inotify_fd, EPOLLIN, on_inotify, d);
        if (r < 0)
                goto fail;
        r = sd_event_add_time_relative(e, &d->timer_source, CLOCK_MONOTONIC, CONFIG_COALESCE_USEC, 0, on_timer, d);
        if (r < 0)
                goto fail;
        r = sd_event_source_set_enabled(d->timer_source, SD_EVENT_OFF);
        if (r < 0)
                goto fail;

        d->event = sd_event_ref(e);
        d->on_change = on_change;
        d->userdata = userdata;
        return 0;

fail:
        d->timer_source = sd_event_source_disable_unref(d->timer_source);
        d->io_source = sd_event_source_disable_unref(d->io_source);
        (void) close(TAKE_FD(d->inotify_fd));
        d->dir_wd = d->parent_wd = -1;
        return r;
}
