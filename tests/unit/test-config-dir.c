/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "config-dir.h"
#include "string-util.h"
#include "tests.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(ConfigDir *, config_dir_free);

/* A pod with one container; extra is appended to the container (indented for it). */
#define POD(ns, name, cmd)                                                                                  \
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " name "\n  namespace: " ns "\nspec:\n  containers:\n" \
        "  - name: app\n    command: [/bin/sleep, \"" cmd "\"]\n"

static char root[PATH_MAX], dir[PATH_MAX], archive[PATH_MAX];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path) < 0 ? -1 : 0;
}

static void cleanup_root(void) {
        if (root[0])
                (void) nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        root[0] = 0;
}

/* A fresh root under /var/tmp (not /tmp: a sandboxed systemd may hide it) with root/pods and
 * root/archive paths; pods is created unless told not to. */
static void setup(bool create_dir) {
        cleanup_root();
        (void) snprintf(root, sizeof root, "/var/tmp/test-config-dir.XXXXXX");
        if (!mkdtemp(root))
                TEST_FAIL("mkdtemp: %m");
        (void) snprintf(dir, sizeof dir, "%s/pods", root);
        (void) snprintf(archive, sizeof archive, "%s/var/removed", root);
        if (create_dir && mkdir(dir, 0755) < 0)
                TEST_FAIL("mkdir: %m");
}

static void put(const char *name, const char *content) {
        char path[PATH_MAX * 2];
        (void) snprintf(path, sizeof path, "%s/%s", dir, name);
        FILE *f = fopen(path, "we");
        if (!f)
                TEST_FAIL("fopen %s: %m", path);
        (void) fputs(content, f);
        if (fclose(f) != 0)
                TEST_FAIL("fclose: %m");
}

static void del(const char *name) {
        char path[PATH_MAX * 2];
        (void) snprintf(path, sizeof path, "%s/%s", dir, name);
        if (unlink(path) < 0)
                TEST_FAIL("unlink %s: %m", path);
}

/* Whether the file at path holds exactly text. */
static bool file_is(const char *path, const char *text) {
        static char buf[65536];
        FILE *f = fopen(path, "re");
        if (!f)
                return false;
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        return n == strlen(text) && memcmp(buf, text, n) == 0;
}

/* Two rotating buffers, so one expression may name two files. */
static const char *in_dir(const char *name) {
        static char paths[2][PATH_MAX * 2];
        static unsigned k;
        char *path = paths[k++ % 2];
        (void) snprintf(path, sizeof paths[0], "%s/%s", dir, name);
        return path;
}

/* "ns/name@file-basename" of every desired pod, space separated, to compare whole states at once. */
static char *state(const ConfigDir *d) {
        static char buf[4096];
        size_t n;
        const DesiredPod *p = config_dir_pods(d, &n);
        buf[0] = 0;
        for (size_t i = 0; i < n; i++)
                (void) snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s/%s@%s", i ? " " : "",
                                p[i].pod->metadata.namespace, p[i].pod->metadata.name, strrchr(p[i].file, '/') + 1);
        return buf;
}

static const char *error_of(const ConfigDir *d, const char *name) {
        size_t n;
        const ConfigError *e = config_dir_errors(d, &n);
        for (size_t i = 0; i < n; i++)
                if (streq(e[i].file, in_dir(name)))
                        return e[i].message;
        return NULL;
}

static size_t n_errors(const ConfigDir *d) {
        size_t n;
        (void) config_dir_errors(d, &n);
        return n;
}

static const char *hash_of(const ConfigDir *d, const char *ns, const char *name) {
        const DesiredPod *p = config_dir_find(d, ns, name);
        return p ? p->hash : NULL;
}

TEST(load_filters_and_sorts) {
        _cleanup_(config_dir_freep) ConfigDir *d = NULL;
        setup(true);
        put("b.yml", POD("default", "web", "1") "---\n" POD("kube-system", "dns", "2"));
        put("a.yaml", POD("default", "db", "3"));
        put("c.json", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"cache\"},"
                      "\"spec\":{\"containers\":[{\"name\":\"app\",\"command\":[\"/bin/true\"]}]}}");
        /* Not manifests: hidden, other suffixes, backups, a directory, a FIFO. */
        put(".hidden.yaml", POD("default", "hidden", "1"));
        put("notes.txt", "garbage: [");
        put("web.yaml~", "garbage: [");
        ASSERT_TRUE(mkdir(in_dir("sub.yaml"), 0755) == 0);
        ASSERT_TRUE(mkfifo(in_dir("fifo.yaml"), 0644) == 0);

        ASSERT_OK(config_dir_new(dir, archive, &d));
        ASSERT_OK(config_dir_load(d));
        ASSERT_STREQ(state(d), "default/cache@c.json default/db@a.yaml default/web@b.yml kube-system/dns@b.yml");
        ASSERT_EQ(n_errors(d), 0);

        const DesiredPod *p = config_dir_find(d, "default", "web");
        ASSERT_NOT_NULL(p);
        ASSERT_STREQ(p->file, in_dir("b.yml"));
        ASSERT_TRUE(p->file_declares_others);
        ASSERT_EQ(strlen(p->hash), 64);
        ASSERT_EQ(strspn(p->hash, "0123456789abcdef"), 64);
        ASSERT_FALSE(config_dir_find(d, "default", "db")->file_declares_others);
        ASSERT_NULL(config_dir_find(d, "default", "hidden"));
        ASSERT_NULL(config_dir_find(d, "kube-system", "web"));
        ASSERT_NULL(config_dir_find(d, NULL, "web"));
        /* Different objects, different hashes. */
        ASSERT_FALSE(streq(hash_of(d, "default", "web"), hash_of(d, "kube-system", "dns")));

        /* A missing directory is an empty one. */
        _cleanup_(config_dir_freep) ConfigDir *e = NULL;
        ASSERT_OK(config_dir_new("/var/tmp/no/such/podctl/dir", archive, &e));
        ASSERT_OK(config_dir_load(e));
        ASSERT_STREQ(state(e), "");
        ASSERT_ERROR(config_dir_new("relative", archive, &e), EINVAL);
        cleanup_root();
}

TEST(hash_is_of_data_not_text) {
        static const struct {
                const char *text;
                bool same;
        } cases[] = {
                /* re-indented, flow style, keys reordered, strings requoted: the same object */
                { "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n"
                  "  - name: app\n    command: [/bin/sleep, \"1\"]\n", true },
                { "kind: Pod\napiVersion: \"v1\"\nspec: {containers: [{command: ['/bin/sleep', '1'], name: app}]}\n"
                  "metadata:\n    name: web\n", true },
                { "{\"metadata\":{\"name\":\"web\"},\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"spec\":{\"containers\":"
                  "[{\"name\":\"app\",\"command\":[\"/bin/sleep\",\"1\"]}]}}", true },
                /* changed values: a different object */
                { "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n"
                  "  - name: app\n    command: [/bin/sleep, \"2\"]\n", false },
                { "apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {a: b}}\nspec:\n  containers:\n"
                  "  - name: app\n    command: [/bin/sleep, \"1\"]\n", false },
                /* the same words in another order are another command */
                { "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n"
                  "  - name: app\n    command: [\"1\", /bin/sleep]\n", false },
        };
        _cleanup_(config_dir_freep) ConfigDir *d = NULL;
        char first[65] = "";

        setup(true);
        ASSERT_OK(config_dir_new(dir, archive, &d));
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                ASSERT_OK(config_dir_write(d, in_dir("web.yaml"), cases[i].text, strlen(cases[i].text)));
                ASSERT_EQ(n_errors(d), 0);
                const char *h = hash_of(d, "default", "web");
                ASSERT_NOT_NULL(h);
                if (i == 0)
                        (void) snprintf(first, sizeof first, "%s", h);
                if (cases[i].same != streq(h, first))
                        TEST_FAIL("case %zu: hash %s, first %s, expected %s", i, h, first,
                                  cases[i].same ? "equal" : "different");
        }
        cleanup_root();
}

TEST(invalid_edit_keeps_last_good) {
        _cleanup_(config_dir_freep) ConfigDir *d = NULL;
        setup(true);
        put("web.yaml", POD("default", "web", "1") "---\n" POD("default", "web2", "1"));
        ASSERT_OK(config_dir_new(dir, archive, &d));
        ASSERT_OK(config_dir_load(d));
        ASSERT_STREQ(state(d), "default/web@web.yaml default/web2@web.yaml");
        char good[65];
        (void) snprintf(good, sizeof good, "%s", hash_of(d, "default", "web"));

        static const struct {
                const char *text;
                const char *error; /* a piece of the message */
        } bad[] = {
                { "apiVersion: v1\nkind: Pod\nmetadata: {name: web\n", "web.yaml:" }, /* YAML syntax */
                { POD("default", "web", "2") "    bogus: 1\n", "web.yaml:10:5: spec.containers[0]: unknown field \"bogus\"" }, /* strict */
                { POD("default", "Web_", "2"), "web.yaml:4:" },                       /* validation */
                /* one good, one bad object: the whole file stays at its last good version */
                { POD("default", "web", "2") "---\n" POD("default", "x", "1") "    bogus: 1\n", "web.yaml:" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                put("web.yaml", bad[i].text);
                ASSERT_OK(config_dir_load(d));
                ASSERT_STREQ(state(d), "default/web@web.yaml default/web2@web.yaml");
                ASSERT_STREQ(hash_of(d, "default", "web"), good);
                const char *e = error_of(d, "web.yaml");
                ASSERT_NOT_NULL(e);
                if (!strstr(e, bad[i].error))
                        TEST_FAIL("case %zu: \"%s\" lacks \"%s\"", i, e, bad[i].error);
                ASSERT_TRUE(startswith(e, in_dir("web.yaml")));
        }

        /* Fixed: the new version replaces the old one, the error is gone. */
        put("web.yaml", POD("default", "web", "2"));
        ASSERT_OK(config_dir_load(d));
        ASSERT_STREQ(state(d), "default/web@web.yaml");
        ASSERT_EQ(n_errors(d), 0);
        ASSERT_FALSE(streq(hash_of(d, "default", "web"), good));

        /* A new file that never loaded contributes nothing but its error. */
        put("new.yaml", "kind: [");
        ASSERT_OK(config_dir_load(d));
        ASSERT_STREQ(state(d), "default/web@web.yaml");
        ASSERT_NOT_NULL(error_of(d, "new.yaml"));
        ASSERT_EQ(n_errors(d), 1);

        /* Bigger than 10 MiB: refused unread, the last good version stays. */
        char *big = malloc(10u * 1024u * 1024u + 2);
        ASSERT_NOT_NULL(big);
        memset(big, '#', 10u * 1024u * 1024u + 1);
        big[10u * 1024u * 1024u + 1] = 0;
        put("web.yaml", big);
        free(big);
        ASSERT_OK(config_dir_load(d));
        ASSERT_STREQ(state(d), "default/web@web.yaml");
        ASSERT_NOT_NULL(strstr(error_of(d, "web.yaml"), "larger than 10 MiB"));

        /* Unreadable: same. (root reads anything, so only check when not root.) */
        if (geteuid() != 0) {
                put("web.yaml", POD("default", "web", "3"));
                ASSERT_TRUE(chmod(in_dir("web.yaml"), 0) == 0);
                ASSERT_OK(config_dir_load(d));
                ASSERT_STREQ(state(d), "default/web@web.yaml");
                ASSERT_NOT_NULL(strstr(error_of(d, "web.yaml"), "cannot read"));
        }
        cleanup_root();
}

TEST(conflicts_are_stable) {
        _cleanup_(config_dir_freep) ConfigDir *d = NULL;
        char expected[PATH_MAX * 5];
        setup(true);

        /* At start, name order decides. */
        put("a.yaml", POD("default", "web", "1"));
        put("b.yaml", POD("default", "web", "2") "---\n" POD("default", "other", "2"));
        ASSERT_OK(config_dir_new(dir, archive, &d));
        ASSERT_OK(config_dir_load(d));
        ASSERT_STREQ(state(d), "default/other@b.yaml default/web@a.yaml");
        ASSERT_EQ(n_errors(d), 1);
        (void) snprintf(expected, sizeof expected, "%s:1:1: pod default/web is already declared in %s",
                        in_dir("b.yaml"), in_dir("a.yaml"));
        ASSERT_STREQ(error_of(d, "b.yaml"), expected);

        /* Reloading changes nothing, whatever the edits to the loser. */
        ASSERT_OK(config_dir_load(d));
        put("b.yaml", POD("default", "web", "3") "---\n" POD("default", "other", "2"));
        ASSERT_OK(config_dir_load(d));
        ASSERT_STREQ(state(d), "default/other@b.yaml default/web@a.yaml");

        /* The owner lets go: the other declarer takes over… */
        put("a.yaml", POD("default", "db", "1"));
        ASSERT_OK(config_dir_load(d));
        ASSERT_STREQ(state(d), "default/db@a.yaml default/other@b.yaml default/web@b.yaml");
        ASSERT_EQ(n_errors(d), 0);

        /* …and keeps it when the first file declares it again, although it sorts first. */
        put("a.yaml", POD("default", "db", "1") "---\n" POD("default", "web", "1"));
        ASSERT_OK(config_dir_load(d));
        ASSERT_STREQ(state(d), "default/db@a.yaml default/other@b.yaml default/web@b.yaml");
        (void) snprintf(expected, sizeof expected, "%s:11:1: pod default/web is already declared in %s",
                        in_dir("a.yaml"), in_dir("b.yaml"));
        ASSERT_STREQ(error_of(d, "a.yaml"), expected);
        ASSERT_NULL(error_of(d, "b.yaml"));

        /* A loser with a broken new version: both errors, its last good pods still count. */
        put("a.yaml", "kind: [");
        ASSERT_OK(config_dir_load(d));
        ASSERT_STREQ(state(d), "default/db@a.yaml default/other@b.yaml default/web@b.yaml");
        const char *e = error_of(d, "a.yaml");
        ASSERT_NOT_NULL(e);
        ASSERT_NOT_NULL(strstr(e, "\n"));
        ASSERT_NOT_NULL(strstr(e, "is already declared in"));

        /* The owner is removed: the pod moves to the remaining declarer. */
        put("a.yaml", POD("default", "web", "1"));
        del("b.yaml");
        ASSERT_OK(config_dir_load(d));
        ASSERT_STREQ(state(d), "default/web@a.yaml");
        ASSERT_EQ(n_errors(d), 0);
        cleanup_root();
}

TEST(removal) {
        _cleanup_(config_dir_freep) ConfigDir *d = NULL;
        setup(true);
        put("a.yaml", POD("default", "a", "1"));
        put("b.yaml", "kind: [");
        ASSERT_OK(config_dir_new(dir, archive, &d));
        ASSERT_OK(config_dir_load(d));
        ASSERT_STREQ(state(d), "default/a@a.yaml");
        ASSERT_EQ(n_errors(d), 1);
        del("a.yaml");
        del("b.yaml");
        ASSERT_OK(config_dir_load(d));
        ASSERT_STREQ(state(d), "");
        ASSERT_EQ(n_errors(d), 0);
        /* An emptied file is a file declaring nothing. */
        put("a.yaml", POD("default", "a", "1"));
        ASSERT_OK(config_dir_load(d));
        put("a.yaml", "");
        ASSERT_OK(config_dir_load(d));
        ASSERT_STREQ(state(d), "");
        ASSERT_EQ(n_errors(d), 0);
        cleanup_root();
}

TEST(apply_path) {
        static const struct {
                const char *ns, *name, *file;
        } cases[] = {
                { "default", "web", "default_web.yaml" },
                { "kube-system", "a.b.c", "kube-system_a.b.c.yaml" },
                { "default", "a_b", NULL },
                { "de_fault", "a", NULL },
                { "default", "a/b", NULL },
                { "default", "", NULL },
                { "", "web", NULL },
                { NULL, "web", NULL },
                { "default", "..", NULL },
        };
        _cleanup_(config_dir_freep) ConfigDir *d = NULL;
        ASSERT_OK(config_dir_new("/etc/pods/", "/var/lib/pods/removed", &d));
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *p = config_dir_apply_path(d, cases[i].ns, cases[i].name);
                if (!cases[i].file) {
                        ASSERT_NULL(p);
                        continue;
                }
                char expected[256];
                (void) snprintf(expected, sizeof expected, "/etc/pods/%s", cases[i].file);
                bool ok = p && streq(p, expected);
                if (!ok)
                        TEST_FAIL("case %zu: %s != %s", i, p ?: "(null)", expected);
                free(p);
        }
}

static size_t count_entries(const char *path, const char *prefix) {
        DIR *dp = opendir(path);
        size_t n = 0;
        if (!dp)
                return 0;
        for (struct dirent *de; (de = readdir(dp));)
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..") && startswith(de->d_name, prefix))
                        n++;
        closedir(dp);
        return n;
}

TEST(atomic_write) {
        _cleanup_(config_dir_freep) ConfigDir *d = NULL;
        setup(false); /* the directory is created on the first write */
        ASSERT_OK(config_dir_new(dir, archive, &d));
        ASSERT_OK(config_dir_load(d));

        char *p = config_dir_apply_path(d, "default", "web");
        ASSERT_NOT_NULL(p);
        static const char text[] = POD("default", "web", "1");
        ASSERT_OK(config_dir_write(d, p, text, strlen(text)));
        /* Loaded at once, no reload needed. */
        ASSERT_STREQ(state(d), "default/web@default_web.yaml");

        struct stat st;
        ASSERT_TRUE(stat(p, &st) == 0);
        ASSERT_EQ(st.st_mode & 07777, 0644);
        ASSERT_TRUE(file_is(p, text));
        /* No temp file left behind. */
        ASSERT_EQ(count_entries(dir, "."), 0);
        ASSERT_EQ(count_entries(dir, ""), 1);

        /* An operator's mode survives a rewrite. */
        ASSERT_TRUE(chmod(p, 0600) == 0);
        static const char text2[] = POD("default", "web", "2");
        ASSERT_OK(config_dir_write(d, p, text2, strlen(text2)));
        ASSERT_TRUE(stat(p, &st) == 0);
        ASSERT_EQ(st.st_mode & 07777, 0600);
        ASSERT_EQ((size_t) st.st_size, strlen(text2));
        free(p);

        /* Only files of the directory, only manifest names. */
        ASSERT_ERROR(config_dir_write(d, "/etc/passwd", "x", 1), EINVAL);
        ASSERT_ERROR(config_dir_write(d, in_dir("x.txt"), "x", 1), EINVAL);
        ASSERT_ERROR(config_dir_write(d, in_dir(".x.yaml"), "x", 1), EINVAL);
        ASSERT_ERROR(config_dir_write(d, in_dir("sub/x.yaml"), "x", 1), EINVAL);
        cleanup_root();
}

TEST(archive) {
        _cleanup_(config_dir_freep) ConfigDir *d = NULL;
        static const char text[] = POD("default", "web", "1");
        setup(true);
        put("web.yaml", text);
        put("db.yaml", POD("default", "db", "1"));
        ASSERT_OK(config_dir_new(dir, archive, &d));
        ASSERT_OK(config_dir_load(d));
        ASSERT_STREQ(state(d), "default/db@db.yaml default/web@web.yaml");

        long long before = (long long) time(NULL);
        ASSERT_OK(config_dir_archive(d, in_dir("web.yaml")));
        ASSERT_STREQ(state(d), "default/db@db.yaml");
        ASSERT_TRUE(access(in_dir("web.yaml"), F_OK) < 0 && errno == ENOENT);

        /* archive/web.yaml.<unix time>, with the content as written. */
        ASSERT_EQ(count_entries(archive, "web.yaml."), 1);
        DIR *dp = opendir(archive);
        ASSERT_NOT_NULL(dp);
        char found[256] = "";
        for (struct dirent *de; (de = readdir(dp));)
                if (startswith(de->d_name, "web.yaml."))
                        (void) snprintf(found, sizeof found, "%s", de->d_name);
        closedir(dp);
        int64_t t;
        ASSERT_OK(safe_atoi64(found + strlen("web.yaml."), &t));
        ASSERT_TRUE(t >= before && t <= (long long) time(NULL));
        char path[PATH_MAX * 2];
        (void) snprintf(path, sizeof path, "%s/%s", archive, found);
        ASSERT_TRUE(file_is(path, text));

        /* The same name again (within the second, most likely): never overwrites. */
        put("web.yaml", text);
        ASSERT_OK(config_dir_load(d));
        ASSERT_OK(config_dir_archive(d, in_dir("web.yaml")));
        ASSERT_EQ(count_entries(archive, "web.yaml."), 2);

        ASSERT_ERROR(config_dir_archive(d, in_dir("web.yaml")), ENOENT);
        ASSERT_ERROR(config_dir_archive(d, "/etc/passwd"), EINVAL);
        cleanup_root();
}

/* ---- watching, with a real event loop ---- */

typedef struct Watch {
        unsigned calls;
} Watch;

static void on_change(ConfigDir *d, void *userdata) {
        ((Watch *) userdata)->calls++;
}

static uint64_t now_usec(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* Runs the loop until the callback is called, for at most 5 s; then 150 ms more (three times the
 * coalescing delay) so a second, unwanted callback would show. Returns the number of new calls. */
static unsigned run_until_called(sd_event *e, Watch *w) {
        unsigned start = w->calls;
        uint64_t deadline = now_usec() + 5000000u;
        while (w->calls == start && now_usec() < deadline)
                if (sd_event_run(e, 100000) < 0)
                        TEST_FAIL("sd_event_run failed");
        deadline = now_usec() + 150000u;
        while (now_usec() < deadline)
                if (sd_event_run(e, 10000) < 0)
                        TEST_FAIL("sd_event_run failed");
        return w->calls - start;
}

/* For changes that must not call back: runs the loop for 300 ms (six times the coalescing delay). */
static unsigned run_expecting_none(sd_event *e, Watch *w) {
        unsigned start = w->calls;
        uint64_t deadline = now_usec() + 300000u;
        while (now_usec() < deadline)
                if (sd_event_run(e, 10000) < 0)
                        TEST_FAIL("sd_event_run failed");
        return w->calls - start;
}

TEST(watch) {
        _cleanup_(config_dir_freep) ConfigDir *d = NULL;
        sd_event *e = NULL;
        Watch w = {};

        setup(true);
        ASSERT_OK(sd_event_new(&e));
        ASSERT_OK(config_dir_new(dir, archive, &d));
        ASSERT_OK(config_dir_watch(d, e, on_change, &w));
        ASSERT_ERROR(config_dir_watch(d, e, on_change, &w), EBUSY);
        ASSERT_OK(config_dir_load(d));
        ASSERT_STREQ(state(d), "");

        /* A file written in place. */
        put("a.yaml", POD("default", "a", "1"));
        ASSERT_EQ(run_until_called(e, &w), 1);
        ASSERT_STREQ(state(d), "default/a@a.yaml");

        /* A burst of files: one callback. */
        put("b.yaml", POD("default", "b", "1"));
        put("c.yaml", POD("default", "c", "1"));
        put("d.yaml", POD("default", "d", "1"));
        del("b.yaml");
        ASSERT_EQ(run_until_called(e, &w), 1);
        ASSERT_STREQ(state(d), "default/a@a.yaml default/c@c.yaml default/d@d.yaml");

        /* Renamed in (what editors and `podctl apply` do), renamed out, deleted. */
        put(".tmp", POD("default", "e", "1"));
        ASSERT_TRUE(rename(in_dir(".tmp"), in_dir("e.yaml")) == 0);
        ASSERT_EQ(run_until_called(e, &w), 1);
        ASSERT_STREQ(state(d), "default/a@a.yaml default/c@c.yaml default/d@d.yaml default/e@e.yaml");
        ASSERT_TRUE(rename(in_dir("e.yaml"), in_dir("e.yaml.off")) == 0);
        del("c.yaml");
        ASSERT_EQ(run_until_called(e, &w), 1);
        ASSERT_STREQ(state(d), "default/a@a.yaml default/d@d.yaml");

        /* An invalid edit: a callback (the error is news) and the last good pod stays. */
        put("a.yaml", "kind: [");
        ASSERT_EQ(run_until_called(e, &w), 1);
        ASSERT_STREQ(state(d), "default/a@a.yaml default/d@d.yaml");
        ASSERT_NOT_NULL(error_of(d, "a.yaml"));

        /* Our own atomic write is loaded synchronously; the inotify echo finds nothing new. */
        static const char text[] = POD("default", "f", "1");
        ASSERT_OK(config_dir_write(d, in_dir("f.yaml"), text, strlen(text)));
        ASSERT_STREQ(state(d), "default/a@a.yaml default/d@d.yaml default/f@f.yaml");
        ASSERT_EQ(run_expecting_none(e, &w), 0);

        /* A symlink only ever gets IN_CREATE: it is complete at once, so that is enough. */
        char target[PATH_MAX * 2];
        (void) snprintf(target, sizeof target, "%s/g.yaml", root);
        FILE *f = fopen(target, "we");
        ASSERT_NOT_NULL(f);
        (void) fputs(POD("default", "g", "1"), f);
        ASSERT_TRUE(fclose(f) == 0);
        ASSERT_TRUE(symlink(target, in_dir("g.yaml")) == 0);
        ASSERT_EQ(run_until_called(e, &w), 1);
        ASSERT_STREQ(state(d), "default/a@a.yaml default/d@d.yaml default/f@f.yaml default/g@g.yaml");

        /* Files nobody cares about: no callback. */
        put("notes.txt", "x");
        put(".swp.yaml", "x");
        ASSERT_EQ(run_expecting_none(e, &w), 0);

        d = config_dir_free(d);
        e = sd_event_unref(e);
        cleanup_root();
}

TEST(watch_dir_appears) {
        _cleanup_(config_dir_freep) ConfigDir *d = NULL;
        sd_event *e = NULL;
        Watch w = {};

        setup(false);
        ASSERT_OK(sd_event_new(&e));
        ASSERT_OK(config_dir_new(dir, archive, &d));
        ASSERT_OK(config_dir_watch(d, e, on_change, &w));
        ASSERT_OK(config_dir_load(d));

        ASSERT_TRUE(mkdir(dir, 0755) == 0);
        ASSERT_TRUE(run_until_called(e, &w) >= 1);
        put("a.yaml", POD("default", "a", "1"));
        ASSERT_EQ(run_until_called(e, &w), 1);
        ASSERT_STREQ(state(d), "default/a@a.yaml");

        /* The directory goes (files first, as rm -r does), and comes back. */
        del("a.yaml");
        ASSERT_TRUE(rmdir(dir) == 0);
        ASSERT_TRUE(run_until_called(e, &w) >= 1);
        ASSERT_STREQ(state(d), "");
        ASSERT_TRUE(mkdir(dir, 0755) == 0);
        (void) run_expecting_none(e, &w); /* an empty directory appearing may or may not call back */
        put("b.yaml", POD("default", "b", "1"));
        ASSERT_EQ(run_until_called(e, &w), 1);
        ASSERT_STREQ(state(d), "default/b@b.yaml");

        d = config_dir_free(d);
        e = sd_event_unref(e);
        cleanup_root();
}
