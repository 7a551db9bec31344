/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

#include "pod-volumes.h"
#include "strbuf.h"
#include "string-util.h"

static int mkdir_p(const char *path, mode_t mode) {
        _cleanup_(freep) char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
                if (s)
                        *s = 0;
                if (mkdir(p, s ? 0755 : mode) < 0 && errno != EEXIST)
                        return -errno;
                if (!s)
                        break;
                *s = '/';
        }
        /* mkdir() honours the umask: set the mode the kubelet gives emptyDirs explicitly. */
        if (chmod(path, mode) < 0)
                return -errno;
        return 0;
}

static int fail(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);
static int fail(char **ret_error, int r, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        *ret_error = vasprintf_safe(fmt, ap);
        va_end(ap);
        return *ret_error ? r : -ENOMEM;
}

/* hostPath `type` (k8s-semantics.md: DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice,
 * BlockDevice; "" = no check). */
static int prepare_host_path(const HostPathVolumeSource *h, char **ret_error) {
        const char *path = h->path, *type = h->type ?: "";
        struct stat st;

        if (streq(type, "DirectoryOrCreate")) {
                if (mkdir_p(path, 0755) < 0 && (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)))
                        return fail(ret_error, -EINVAL, "hostPath type check failed: %s is not a directory", path);
                return 0;
        }
        if (streq(type, "FileOrCreate")) {
                int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
                if (fd >= 0) {
                        (void) close(fd);
                        return 0;
                }
                if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
                        return fail(ret_error, -EINVAL, "hostPath type check failed: %s is not a file", path);
                return 0;
        }
        if (isempty(type))
                return 0; /* no check, as Kubernetes; systemd reports a missing source at start */
        if (stat(path, &st) < 0)
                return fail(ret_error, -EINVAL, "hostPath type check failed: %s does not exist", path);
        static const struct {
                const char *type;
                mode_t fmt;
                const char *what;
        } checks[] = {
                { "Directory", S_IFDIR, "a directory" },       { "File", S_IFREG, "a file" },
                { "Socket", S_IFSOCK, "a socket file" },       { "CharDevice", S_IFCHR, "a character device" },
                { "BlockDevice", S_IFBLK, "a block device" },
        };
        for (size_t i = 0; i < ELEMENTSOF(checks); i++)
                if (streq(type, checks[i].type)) {
                        if ((st.st_mode & S_IFMT) != checks[i].fmt)
                                return fail(ret_error, -EINVAL, "hostPath type check failed: %s is not %s", path,
                                            checks[i].what);
                        return 0;
                }
        return 0;
}

static const char *label_or_annotation(const StrMap *m, const char *key) {
        for (size_t i = 0; i < m->n; i++)
                if (streq(m->items[i].key, key))
                        return m->items[i].value;
        return NULL;
}

/* A downwardAPI fieldRef's value as the kubelet writes it into a file. */
static char *field_value(const Pod *pod, const char *field) {
        StrBuf b = {};
        const StrMap *map = NULL;

        if (streq(field, "metadata.name"))
                return strdup(pod->metadata.name);
        if (streq(field, "metadata.namespace"))
                return strdup(pod->metadata.namespace);
        if (streq(field, "metadata.uid"))
                return strdup(pod->metadata.uid ?: "");
        if (streq(field, "metadata.labels"))
                map = &pod->metadata.labels;
        else if (streq(field, "metadata.annotations"))
                map = &pod->metadata.annotations;
        if (map) {
                /* key="value" lines, as the kubelet's FormatMap writes them */
                for (size_t i = 0; i < map->n; i++) {
                        _cleanup_(freep) char *q = cquote(map->items[i].value ?: "", 0);
                        if (!q)
                                return NULL;
                        strbuf_printf(&b, "%s=%s\n", map->items[i].key, q);
                }
                return strbuf_steal(&b);
        }
        char key[256];
        if (sscanf(field, "metadata.labels['%255[^']']", key) == 1)
                return strdup(label_or_annotation(&pod->metadata.labels, key) ?: "");
        if (sscanf(field, "metadata.annotations['%255[^']']", key) == 1)
                return strdup(label_or_annotation(&pod->metadata.annotations, key) ?: "");
        return NULL;
}

static int write_file(const char *dir, const char *name, const char *content, mode_t mode) {
        _cleanup_(freep) char *path = asprintf_safe("%s/%s", dir, name);
        if (!path)
                return -ENOMEM;
        char *slash = strrchr(path, '/');
        if (slash && slash > path + strlen(dir)) {
                *slash = 0;
                int r = mkdir_p(path, 0755);
                *slash = '/';
                if (r < 0)
                        return r;
        }
        FILE *f = fopen(path, "we");
        if (!f)
                return -errno;
        fputs(content, f);
        int r = fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
        fclose(f);
        if (r >= 0 && chmod(path, mode) < 0)
                r = -errno;
        return r;
}

static int prepare_downward_api(const Pod *pod, const DownwardAPIVolumeSource *d, const char *dir, char **ret_error) {
        int r = mkdir_p(dir, 0755);
        if (r < 0)
                return fail(ret_error, r, "cannot create %s: %s", dir, strerror(-r));
        for (size_t i = 0; i < d->n_items; i++) {
                const DownwardAPIVolumeFile *item = &d->items[i];
                if (!item->field_ref)
                        return fail(ret_error, -EOPNOTSUPP, "downwardAPI item %s: only fieldRef is supported yet",
                                    item->path);
                _cleanup_(freep) char *v = field_value(pod, item->field_ref->field_path);
                if (!v)
                        return fail(ret_error, -EINVAL, "downwardAPI item %s: unsupported field %s", item->path,
                                    item->field_ref->field_path);
                mode_t mode = (mode_t) (item->mode.set ? item->mode.value
                                                       : d->default_mode.set ? d->default_mode.value : 0644);
                r = write_file(dir, item->path, v, mode & 07777);
                if (r < 0)
                        return fail(ret_error, r, "cannot write %s/%s: %s", dir, item->path, strerror(-r));
        }
        return 0;
}

int pod_volumes_prepare(const Pod *pod, const PlanContext *ctx, char **ret_error) {
        int r;

        *ret_error = NULL;
        for (size_t i = 0; i < pod->spec.n_volumes; i++) {
                const Volume *v = &pod->spec.volumes[i];
                bool ro;
                _cleanup_(freep) char *src = unit_plan_volume_source(pod, ctx, v, &ro);
                if (!src)
                        return -ENOMEM;

                if (v->host_path)
                        r = prepare_host_path(v->host_path, ret_error);
                else if (v->empty_dir) {
                        r = mkdir_p(src, 0777);
                        if (r < 0)
                                r = fail(ret_error, r, "cannot create emptyDir %s: %s", src, strerror(-r));
                } else if (v->downward_api)
                        r = prepare_downward_api(pod, v->downward_api, src, ret_error);
                else if (v->config_map || v->secret) {
                        const ConfigMapVolumeSource *s = v->config_map ?: v->secret;
                        if (s->optional.set && s->optional.value) {
                                r = mkdir_p(src, 0755); /* optional and absent: an empty volume */
                                if (r < 0)
                                        r = fail(ret_error, r, "cannot create %s: %s", src, strerror(-r));
                        } else
                                r = fail(ret_error, -ENOENT, "%s \"%s\" not found (podctl does not hold %ss yet)",
                                         v->config_map ? "configmap" : "secret", s->name ?: "",
                                         v->config_map ? "ConfigMap" : "Secret");
                } else if (v->projected)
                        r = fail(ret_error, -EOPNOTSUPP, "volume %s: projected volumes are not supported yet", v->name);
                else
                        r = 0;
                if (r < 0)
                        return r;
        }

        /* subPath directories inside emptyDirs are made on demand, as the kubelet does. */
        for (size_t i = 0; i < pod_n_containers(pod); i++) {
                const Container *c = pod_container_at(pod, i);
                for (size_t k = 0; k < c->n_volume_mounts; k++) {
                        const VolumeMount *m = &c->volume_mounts[k];
                        const Volume *v = NULL;
                        for (size_t j = 0; j < pod->spec.n_volumes && !v; j++)
                                if (streq_ptr(pod->spec.volumes[j].name, m->name))
                                        v = &pod->spec.volumes[j];
                        if (!v || !v->empty_dir || isempty(m->sub_path))
                                continue;
                        bool ro;
                        _cleanup_(freep) char *src = unit_plan_volume_source(pod, ctx, v, &ro);
                        _cleanup_(freep) char *sub = src ? asprintf_safe("%s/%s", src, m->sub_path) : NULL;
                        if (!sub)
                                return -ENOMEM;
                        r = mkdir_p(sub, 0777);
                        if (r < 0)
                                return fail(ret_error, r, "cannot create subPath %s: %s", sub, strerror(-r));
                }
        }
        return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) (flag == FTW_DP ? rmdir(path) : unlink(path));
        return 0;
}

static void remove_tree(const char *path) {
        /* FTW_PHYS: never follow a symlink a container left in its emptyDir out of the tree. */
        (void) nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

int pod_volumes_remove(const Pod *pod, const PlanContext *ctx) {
        const char *uid = pod->metadata.uid;
        if (isempty(uid) || strchr(uid, '/') || streq(uid, ".") || streq(uid, ".."))
                return -EINVAL;
        const char *dirs[] = { ctx->state_dir ?: "/var/lib/pods", ctx->runtime_dir ?: "/run/pods" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_(freep) char *p = asprintf_safe("%s/%s", dirs[i], uid);
                if (!p)
                        return -ENOMEM;
                remove_tree(p);
        }
        return 0;
}
