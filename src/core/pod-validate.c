/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pod-validate.h"
#include "strbuf.h"
#include "string-util.h"
#include "strv.h"

/* Kubernetes' ValidatePodCreate on a defaulted Pod (k8s-semantics.md §7.2–7.5), the API's warnings (§7.7)
 * and podctl's own findings. The wording is apimachinery's field.Error text, so a message reads the same as
 * `kubectl apply` would print it: "Required value", "Invalid value: \"x\": detail", "Unsupported value:
 * \"x\": supported values: \"a\", \"b\"", "Duplicate value: \"x\"", "Forbidden: detail", "Not found: \"x\"".
 *
 * Every check runs; nothing stops at the first finding. Each finding is placed at the value it is about
 * (diag_field), or at the enclosing mapping when the value is missing or was defaulted.
 *
 * Environment variable names follow the *relaxed* rule (any printable ASCII but '='): the
 * RelaxedEnvironmentVariableValidation gate is on by default in current releases, and a manifest that a
 * current API server accepts must load here too. */

typedef struct Validator {
        const Pod *pod;
        Diags *diags;
        bool warned_no_image; /* the host-root-filesystem warning is said once per pod, not per container */
} Validator;

/* ---- message texts, from apimachinery's util/validation (facts, reworded nowhere) ---- */

#define DNS1123_LABEL_FMT "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
#define DNS1123_SUBDOMAIN_FMT DNS1123_LABEL_FMT "(\\." DNS1123_LABEL_FMT ")*"
#define LABEL_KEY_FMT "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"

#define MSG_DNS1123_LABEL                                                                                   \
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "  \
        "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "     \
        "validation is '" DNS1123_LABEL_FMT "')"
#define MSG_DNS1123_SUBDOMAIN                                                                               \
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "  \
        "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "       \
        "validation is '" DNS1123_SUBDOMAIN_FMT "')"
#define MSG_LABEL_KEY_NAME                                                                                  \
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "        \
        "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation "  \
        "is '" LABEL_KEY_FMT "')"
#define MSG_LABEL_VALUE                                                                                     \
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "   \
        "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "      \
        "'12345', regex used for validation is '(" LABEL_KEY_FMT ")?')"
#define MSG_CONFIG_KEY                                                                                      \
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  "  \
        "or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
#define MSG_HTTP_HEADER                                                                                     \
        "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex " \
        "used for validation is '[-A-Za-z0-9]+')"
#define MSG_RELAXED_ENV "a valid environment variable name must consist only of printable ASCII characters other than '='"
#define MSG_PORT_RANGE "must be between 1 and 65535, inclusive"
#define MSG_NEGATIVE "must be greater than or equal to 0"
#define MSG_FILE_MODE "must be a number between 0 and 0777 (octal), both inclusive"
#define MSG_INIT_FORBIDDEN "may not be set for init containers without restartPolicy=Always"

/* A short list of messages, as apimachinery's Is*() functions return. All entries are literals. */
typedef struct Msgs {
        const char *m[6];
        size_t n;
} Msgs;

static void msgs_add(Msgs *l, const char *m) {
        if (l->n < ELEMENTSOF(l->m))
                l->m[l->n++] = m;
}

/* ---- reporting ---- */

static void oom(Validator *v) {
        v->diags->oom = true;
}

static char *pathf(Validator *v, const char *fmt, ...) _printf_(2, 3);
static char *pathf(Validator *v, const char *fmt, ...) {
        va_list ap;
        char *s;

        va_start(ap, fmt);
        s = vasprintf_safe(fmt, ap);
        va_end(ap);
        if (!s)
                oom(v);
        return s;
}

static void report(Validator *v, DiagLevel level, const YNode *map, const char *key, const char *path,
                   const char *fmt, ...) _printf_(6, 7);
static void report(Validator *v, DiagLevel level, const YNode *map, const char *key, const char *path,
                   const char *fmt, ...) {
        _cleanup_(freep) char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        msg = vasprintf_safe(fmt, ap);
        va_end(ap);
        if (!msg)
                return oom(v);

        if (key)
                diag_field(v->diags, level, map, key, path, "%s", msg);
        else
                diag_node(v->diags, level, map, path, "%s", msg);
}

/* Go's %q for the strings we print: the loader guarantees UTF-8, and Go prints printable non-ASCII runes
 * as they are, so cquote() without unit-file flags is exactly it. */
static char *go_quote(const char *s) {
        return cquote(s ?: "", 0);
}

static void err_required(Validator *v, const YNode *map, const char *key, const char *path, const char *detail) {
        if (detail)
                report(v, DIAG_ERROR, map, key, path, "Required value: %s", detail);
        else
                report(v, DIAG_ERROR, map, key, path, "Required value");
}

static void err_forbidden(Validator *v, const YNode *map, const char *key, const char *path, const char *detail) {
        report(v, DIAG_ERROR, map, key, path, "Forbidden: %s", detail);
}

static void err_invalid_str(Validator *v, const YNode *map, const char *key, const char *path, const char *value,
                            const char *detail) {
        _cleanup_(freep) char *q = go_quote(value);
        if (!q)
                return oom(v);
        report(v, DIAG_ERROR, map, key, path, "Invalid value: %s: %s", q, detail);
}

static void err_invalid_int(Validator *v, const YNode *map, const char *key, const char *path, int64_t value,
                            const char *detail) {
        report(v, DIAG_ERROR, map, key, path, "Invalid value: %" PRIi64 ": %s", value, detail);
}

static void err_invalid_each(Validator *v, const YNode *map, const char *key, const char *path, const char *value,
                             const Msgs *msgs) {
        for (size_t i = 0; i < msgs->n; i++)
                err_invalid_str(v, map, key, path, value, msgs->m[i]);
}

static void err_duplicate(Validator *v, const YNode *map, const char *key, const char *path, const char *value) {
        _cleanup_(freep) char *q = go_quote(value);
        if (!q)
                return oom(v);
        report(v, DIAG_ERROR, map, key, path, "Duplicate value: %s", q);
}

static void err_not_found(Validator *v, const YNode *map, const char *key, const char *path, const char *value) {
        _cleanup_(freep) char *q = go_quote(value);
        if (!q)
                return oom(v);
        report(v, DIAG_ERROR, map, key, path, "Not found: %s", q);
}

/* supported: NULL-terminated, in the order Kubernetes prints them (mostly sorted). */
static void err_unsupported(Validator *v, const YNode *map, const char *key, const char *path, const char *value,
                            const char *const *supported) {
        _cleanup_(freep) char *q = go_quote(value), *list = NULL;
        StrBuf b = {};

        if (!q)
                return oom(v);
        for (size_t i = 0; supported[i]; i++) {
                _cleanup_(freep) char *s = go_quote(supported[i]);
                if (!s)
                        b.oom = true;
                strbuf_printf(&b, "%s%s", i > 0 ? ", " : "", s ?: "");
        }
        list = strbuf_steal(&b);
        if (!list)
                return oom(v);
        report(v, DIAG_ERROR, map, key, path, "Unsupported value: %s: supported values: %s", q, list);
}

static bool str_in(const char *s, const char *const *set) {
        for (size_t i = 0; set[i]; i++)
                if (streq_ptr(s, set[i]))
                        return true;
        return false;
}

/* Duplicate detection in O(n log n): a manifest may hold hundreds of thousands of entries (the loader
 * allows 10 MiB), so pairwise scans would turn a hostile file into minutes of CPU. */
typedef struct KeyIndex {
        const char *key;
        size_t index;
} KeyIndex;

static int key_index_compare(const void *a, const void *b) {
        const KeyIndex *x = a, *y = b;
        int c = strcmp(x->key, y->key);

        if (c != 0)
                return c;
        return x->index < y->index ? -1 : x->index > y->index;
}

/* Returns dup[i] = whether keys[i] equals an earlier key (NULL keys never do); caller frees. NULL on OOM
 * (recorded in the diags). */
static bool *find_duplicates(Validator *v, const char *const *keys, size_t n) {
        _cleanup_(freep) KeyIndex *ki = NULL;
        bool *dup;
        size_t m = 0;

        dup = calloc(MAX(n, 1u), sizeof(bool));
        ki = calloc(MAX(n, 1u), sizeof(KeyIndex));
        if (!dup || !ki) {
                free(dup);
                oom(v);
                return NULL;
        }
        for (size_t i = 0; i < n; i++)
                if (keys[i])
                        ki[m++] = (KeyIndex) { keys[i], i };
        qsort(ki, m, sizeof(KeyIndex), key_index_compare);
        for (size_t i = 1; i < m; i++)
                if (streq(ki[i].key, ki[i - 1].key))
                        dup[ki[i].index] = true;
        return dup;
}

/* Checks an enumerated string field: Required when empty, Unsupported when not in the set. */
static void check_enum(Validator *v, const YNode *map, const char *key, const char *path, const char *value,
                       const char *const *supported) {
        if (isempty(value))
                err_required(v, map, key, path, NULL);
        else if (!str_in(value, supported))
                err_unsupported(v, map, key, path, value, supported);
}

/* ---- name grammars (apimachinery util/validation) ---- */

static bool is_lower_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c) {
        return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool match_dns_label_n(const char *s, size_t n) {
        if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!is_lower_alnum(s[i]) && s[i] != '-')
                        return false;
        return true;
}

static bool match_dns_subdomain(const char *s) {
        const char *p = s;

        for (;;) {
                const char *dot = strchr(p, '.');
                size_t n = dot ? (size_t) (dot - p) : strlen(p);

                if (!match_dns_label_n(p, n))
                        return false;
                if (!dot)
                        return true;
                p = dot + 1;
        }
}

/* `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]` */
static bool match_label_name_n(const char *s, size_t n) {
        if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!is_alnum(s[i]) && !strchr("-_.", s[i]))
                        return false;
        return true;
}

static void dns1123_label_msgs(const char *s, Msgs *out) {
        size_t n = strlen(s);

        if (n > 63)
                msgs_add(out, "must be no more than 63 characters");
        if (!match_dns_label_n(s, n))
                msgs_add(out, match_dns_subdomain(s) ? "must not contain dots" : MSG_DNS1123_LABEL);
}

static void dns1123_subdomain_msgs(const char *s, Msgs *out) {
        if (strlen(s) > 253)
                msgs_add(out, "must be no more than 253 characters");
        if (!match_dns_subdomain(s))
                msgs_add(out, MSG_DNS1123_SUBDOMAIN);
}

/* content.IsLabelKey (alias IsQualifiedName). */
static void label_key_msgs(const char *s, Msgs *out) {
        const char *slash = strchr(s, '/'), *name = s;

        if (slash && strchr(slash + 1, '/')) {
                msgs_add(out, "a valid label key " MSG_LABEL_KEY_NAME
                              " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return;
        }
        if (slash) {
                _cleanup_(freep) char *prefix = strndup(s, (size_t) (slash - s));

                if (!prefix || slash == s)
                        msgs_add(out, "prefix part must be non-empty");
                else {
                        if (strlen(prefix) > 253)
                                msgs_add(out, "prefix part must be no more than 253 characters");
                        if (!match_dns_subdomain(prefix))
                                msgs_add(out, "prefix part " MSG_DNS1123_SUBDOMAIN);
                }
                name = slash + 1;
        }

        if (*name == 0)
                msgs_add(out, "name part must be non-empty");
        else if (strlen(name) > 63)
                msgs_add(out, "name part must be no more than 63 characters");
        if (!match_label_name_n(name, strlen(name)))
                msgs_add(out, "name part " MSG_LABEL_KEY_NAME);
}

static void label_value_msgs(const char *s, Msgs *out) {
        size_t n = strlen(s);

        if (n > 63)
                msgs_add(out, "must be no more than 63 characters");
        if (n > 0 && !match_label_name_n(s, n))
                msgs_add(out, MSG_LABEL_VALUE);
}

/* IsValidPortName: an IANA service name. */
static void port_name_msgs(const char *s, Msgs *out) {
        size_t n = strlen(s);
        bool charset = n > 0, letter = false;

        for (size_t i = 0; i < n; i++) {
                if (!is_lower_alnum(s[i]) && s[i] != '-')
                        charset = false;
                if (s[i] >= 'a' && s[i] <= 'z')
                        letter = true;
        }
        if (n > 15)
                msgs_add(out, "must be no more than 15 characters");
        if (!charset)
                msgs_add(out, "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        if (!letter)
                msgs_add(out, "must contain at least one letter (a-z)");
        if (strstr(s, "--"))
                msgs_add(out, "must not contain consecutive hyphens");
        if (n > 0 && (s[0] == '-' || s[n - 1] == '-'))
                msgs_add(out, "must not begin or end with a hyphen");
}

static void relaxed_env_name_msgs(const char *s, Msgs *out) {
        if (!*s)
                msgs_add(out, "environment variable name must be non-empty");
        for (const char *p = s; *p; p++)
                if ((unsigned char) *p < 0x20 || (unsigned char) *p >= 0x7f || *p == '=') {
                        msgs_add(out, MSG_RELAXED_ENV);
                        break;
                }
}

static void config_key_msgs(const char *s, Msgs *out) {
        size_t n = strlen(s);
        bool ok = n > 0;

        for (size_t i = 0; i < n; i++)
                if (!is_alnum(s[i]) && !strchr("-._", s[i]))
                        ok = false;
        if (n > 253)
                msgs_add(out, "must be no more than 253 characters");
        if (!ok)
                msgs_add(out, MSG_CONFIG_KEY);
        if (streq(s, "."))
                msgs_add(out, "must not be '.'");
        else if (streq(s, ".."))
                msgs_add(out, "must not be '..'");
        else if (startswith(s, ".."))
                msgs_add(out, "must not start with '..'");
}

static void check_dns_label(Validator *v, const YNode *map, const char *key, const char *path, const char *value) {
        Msgs m = {};

        dns1123_label_msgs(value, &m);
        err_invalid_each(v, map, key, path, value, &m);
}

static void check_dns_subdomain(Validator *v, const YNode *map, const char *key, const char *path,
                                const char *value) {
        Msgs m = {};

        dns1123_subdomain_msgs(value, &m);
        err_invalid_each(v, map, key, path, value, &m);
}

static bool path_has_backsteps(const char *p) {
        for (const char *s = p;;) {
                const char *slash = strchr(s, '/');
                size_t n = slash ? (size_t) (slash - s) : strlen(s);

                if (n == 2 && strneq(s, "..", 2))
                        return true;
                if (!slash)
                        return false;
                s = slash + 1;
        }
}

/* validateLocalDescendingPath: relative, no ".." element. */
static void check_local_descending_path(Validator *v, const YNode *map, const char *key, const char *path,
                                        const char *value) {
        if (value[0] == '/')
                err_invalid_str(v, map, key, path, value, "must be a relative path");
        if (path_has_backsteps(value))
                err_invalid_str(v, map, key, path, value, "must not contain '..'");
}

/* validateLocalNonReservedPath: also no leading "..name", which would clash with the atomic writer's
 * "..data" links in configMap/secret volumes. */
static void check_local_non_reserved_path(Validator *v, const YNode *map, const char *key, const char *path,
                                          const char *value) {
        const char *slash;
        size_t n;

        check_local_descending_path(v, map, key, path, value);
        slash = strchr(value, '/');
        n = slash ? (size_t) (slash - value) : strlen(value);
        if (n > 2 && strneq(value, "..", 2))
                err_invalid_str(v, map, key, path, value, "must not start with '..'");
}

static void check_file_mode(Validator *v, const YNode *map, const char *key, const char *path, const OptInt *mode) {
        if (mode->set && (mode->value < 0 || mode->value > 0777))
                err_invalid_int(v, map, key, path, mode->value, MSG_FILE_MODE);
}

static void check_nonnegative(Validator *v, const YNode *map, const char *key, const char *path, const OptInt *o) {
        if (o->set && o->value < 0)
                err_invalid_int(v, map, key, path, o->value, MSG_NEGATIVE);
}

/* ---- metadata ---- */

static void validate_metadata(Validator *v) {
        const ObjectMeta *m = &v->pod->metadata;
        const YNode *src = m->src ?: v->pod->src;
        size_t annotations_size = 0;

        if (isempty(m->name) && isempty(m->generate_name))
                err_required(v, src, "name", "metadata.name", "name or generateName is required");

        if (!isempty(m->generate_name)) {
                /* The server appends random characters, so a trailing '-' is fine: check it masked. */
                _cleanup_(freep) char *masked = strdup(m->generate_name);
                Msgs msgs = {};
                size_t n;

                if (!masked)
                        return oom(v);
                n = strlen(masked);
                if (masked[n - 1] == '-')
                        masked[n - 1] = 'a';
                dns1123_subdomain_msgs(masked, &msgs);
                err_invalid_each(v, src, "generateName", "metadata.generateName", m->generate_name, &msgs);
        }
        if (!isempty(m->name))
                check_dns_subdomain(v, src, "name", "metadata.name", m->name);

        if (m->namespace)
                check_dns_label(v, src, "namespace", "metadata.namespace", m->namespace);

        for (size_t i = 0; i < m->labels.n; i++) {
                const KeyValue *kv = m->labels.items + i;
                const YNode *at = kv->src ?: m->labels.src ?: src;
                Msgs key_msgs = {}, value_msgs = {};

                label_key_msgs(kv->key ?: "", &key_msgs);
                err_invalid_each(v, at, NULL, "metadata.labels", kv->key ?: "", &key_msgs);
                label_value_msgs(kv->value ?: "", &value_msgs);
                err_invalid_each(v, at, NULL, "metadata.labels", kv->value ?: "", &value_msgs);
        }

        for (size_t i = 0; i < m->annotations.n; i++) {
                const KeyValue *kv = m->annotations.items + i;
                _cleanup_(freep) char *lower = strdup(kv->key ?: "");
                Msgs msgs = {};

                if (!lower)
                        return oom(v);
                for (char *p = lower; *p; p++)
                        if (*p >= 'A' && *p <= 'Z')
                                *p = (char) (*p - 'A' + 'a');
                label_key_msgs(lower, &msgs);
                for (size_t j = 0; j < msgs.n; j++)
                        err_invalid_str(v, kv->src ?: m->annotations.src ?: src, NULL, "metadata.annotations",
                                        kv->key ?: "", msgs.m[j]);
                annotations_size += strlen(kv->key ?: "") + strlen(kv->value ?: "");
        }
        if (annotations_size > 262144)
                report(v, DIAG_ERROR, m->annotations.src ?: src, NULL, "metadata.annotations",
                       "Too long: must have at most 262144 bytes");
}

/* ---- volumes ---- */

static const char *const host_path_types[] = {
        "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket", NULL,
};

static void validate_key_to_paths(Validator *v, const KeyToPath *items, size_t n, const char *base) {
        for (size_t i = 0; i < n; i++) {
                const KeyToPath *it = items + i;
                _cleanup_(freep) char *p = pathf(v, "%s.items[%zu]", base, i), *pk = NULL, *pp = NULL,
                                      *pm = NULL;

                if (!p)
                        return;
                pk = pathf(v, "%s.key", p);
                pp = pathf(v, "%s.path", p);
                pm = pathf(v, "%s.mode", p);

                if (isempty(it->key))
                        err_required(v, it->src, "key", pk, NULL);
                if (isempty(it->path))
                        err_required(v, it->src, "path", pp, NULL);
                else
                        check_local_non_reserved_path(v, it->src, "path", pp, it->path);
                check_file_mode(v, it->src, "mode", pm, &it->mode);
        }
}

static const char *const volume_field_paths[] = {
        "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid", NULL,
};
static const char *const env_field_paths[] = {
        "metadata.name",  "metadata.namespace", "metadata.uid",  "spec.nodeName", "spec.serviceAccountName",
        "status.hostIP", "status.hostIPs",     "status.podIP", "status.podIPs", NULL,
};

/* `metadata.labels['key']` / `metadata.annotations['key']`: the subscripted forms. Returns the key (caller
 * frees) or NULL when fp is not subscripted. */
static char *field_path_subscript(const char *fp) {
        const char *open = strchr(fp, '[');
        size_t n;

        if (!open || !(startswith(fp, "metadata.labels[") || startswith(fp, "metadata.annotations[")))
                return NULL;
        n = strlen(open);
        if (n < 4 || open[1] != '\'' || open[n - 1] != ']' || open[n - 2] != '\'')
                return NULL;
        return strndup(open + 2, n - 4);
}

static void validate_field_ref(Validator *v, const ObjectFieldSelector *f, const char *base,
                               const char *const *allowed) {
        _cleanup_(freep) char *pa = pathf(v, "%s.apiVersion", base), *pf = pathf(v, "%s.fieldPath", base),
                              *sub = NULL;

        if (isempty(f->api_version)) {
                err_required(v, f->src, "apiVersion", pa, NULL);
                return;
        }
        if (isempty(f->field_path)) {
                err_required(v, f->src, "fieldPath", pf, NULL);
                return;
        }
        if (!streq(f->api_version, "v1")) {
                _cleanup_(freep) char *d = pathf(v, "error converting fieldPath: unsupported pod version: %s",
                                                 f->api_version);
                if (d)
                        err_invalid_str(v, f->src, "fieldPath", pf, f->field_path, d);
                return;
        }

        sub = field_path_subscript(f->field_path);
        if (sub) {
                Msgs msgs = {};

                label_key_msgs(sub, &msgs);
                for (size_t i = 0; i < msgs.n; i++)
                        err_invalid_str(v, f->src, "fieldPath", pf, sub, msgs.m[i]);
                return;
        }
        if (!str_in(f->field_path, allowed))
                err_unsupported(v, f->src, "fieldPath", pf, f->field_path, allowed);
}

static const char *const resource_field_paths[] = {
        "limits.cpu",   "limits.ephemeral-storage",   "limits.memory",
        "requests.cpu", "requests.ephemeral-storage", "requests.memory",
        NULL,
};

static void validate_resource_field_ref(Validator *v, const ResourceFieldSelector *f, const char *base,
                                        bool volume) {
        _cleanup_(freep) char *pc = pathf(v, "%s.containerName", base), *pr = pathf(v, "%s.resource", base),
                              *pd = pathf(v, "%s.divisor", base);

        if (volume && isempty(f->container_name))
                err_required(v, f->src, "containerName", pc, NULL);

        if (isempty(f->resource)) {
                err_required(v, f->src, "resource", pr, NULL);
                return;
        }
        if (!str_in(f->resource, resource_field_paths) && !startswith(f->resource, "limits.hugepages-") &&
            !startswith(f->resource, "requests.hugepages-")) {
                err_unsupported(v, f->src, "resource", pr, f->resource, resource_field_paths);
                return;
        }

        if (f->has_divisor && strstr(f->resource, ".cpu")) {
                int64_t milli = quantity_milli_ceil(&f->divisor);

                if (!quantity_is_integer(&f->divisor) ? milli != 1 : milli != 1000)
                        err_invalid_str(v, f->src, "divisor", pd, f->resource,
                                        "only divisor's values 1m and 1 are supported with the cpu resource");
        }
}

static void validate_downward_api_items(Validator *v, const DownwardAPIVolumeSource *d, const char *base) {
        for (size_t i = 0; i < d->n_items; i++) {
                const DownwardAPIVolumeFile *f = d->items + i;
                _cleanup_(freep) char *p = pathf(v, "%s.items[%zu]", base, i), *pp = NULL, *pm = NULL, *pf = NULL,
                                      *pr = NULL;

                if (!p)
                        return;
                pp = pathf(v, "%s.path", p);
                pm = pathf(v, "%s.mode", p);
                pf = pathf(v, "%s.fieldRef", p);
                pr = pathf(v, "%s.resourceFieldRef", p);

                if (isempty(f->path))
                        err_required(v, f->src, "path", pp, NULL);
                else
                        check_local_non_reserved_path(v, f->src, "path", pp, f->path);

                if (f->field_ref) {
                        validate_field_ref(v, f->field_ref, pf, volume_field_paths);
                        if (f->resource_field_ref)
                                err_invalid_str(v, f->src, NULL, p, "resource",
                                                "fieldRef and resourceFieldRef can not be specified simultaneously");
                } else if (f->resource_field_ref)
                        validate_resource_field_ref(v, f->resource_field_ref, pr, true);
                else
                        err_required(v, f->src, NULL, p, "one of fieldRef and resourceFieldRef is required");

                check_file_mode(v, f->src, "mode", pm, &f->mode);
        }
}

static void validate_configmap_like(Validator *v, const ConfigMapVolumeSource *c, const char *base,
                                    const char *name_key, bool projected) {
        _cleanup_(freep) char *pn = pathf(v, "%s.%s", base, name_key), *pm = pathf(v, "%s.defaultMode", base);

        if (isempty(c->name))
                err_required(v, c->src, name_key, pn, NULL);
        else
                check_dns_subdomain(v, c->src, name_key, pn, c->name);
        if (!projected)
                check_file_mode(v, c->src, "defaultMode", pm, &c->default_mode);
        validate_key_to_paths(v, c->items, c->n_items, base);
}

static void validate_projected(Validator *v, const ProjectedVolumeSource *pv, const char *base) {
        _cleanup_(freep) char *pm = pathf(v, "%s.defaultMode", base);

        check_file_mode(v, pv->src, "defaultMode", pm, &pv->default_mode);

        for (size_t i = 0; i < pv->n_sources; i++) {
                const VolumeProjection *s = pv->sources + i;
                _cleanup_(freep) char *p = pathf(v, "%s.sources[%zu]", base, i), *pc = NULL, *ps = NULL,
                                      *pd = NULL, *pt = NULL;
                unsigned n = 0;

                if (!p)
                        return;
                pc = pathf(v, "%s.configMap", p);
                ps = pathf(v, "%s.secret", p);
                pd = pathf(v, "%s.downwardAPI", p);
                pt = pathf(v, "%s.serviceAccountToken", p);

                if (s->secret) {
                        n++;
                        validate_configmap_like(v, s->secret, ps, "name", true);
                }
                if (s->config_map) {
                        n++;
                        validate_configmap_like(v, s->config_map, pc, "name", true);
                }
                if (s->downward_api) {
                        n++;
                        validate_downward_api_items(v, s->downward_api, pd);
                }
                if (s->service_account_token) {
                        const ServiceAccountTokenProjection *t = s->service_account_token;
                        _cleanup_(freep) char *ptp = pathf(v, "%s.path", pt),
                                              *pte = pathf(v, "%s.expirationSeconds", pt);

                        n++;
                        if (isempty(t->path))
                                err_required(v, t->src, "path", ptp, NULL);
                        else
                                check_local_non_reserved_path(v, t->src, "path", ptp, t->path);
                        if (t->expiration_seconds.set && t->expiration_seconds.value < 600)
                                err_invalid_int(v, t->src, "expirationSeconds", pte, t->expiration_seconds.value,
                                                "may not specify a duration less than 10 minutes");
                        else if (t->expiration_seconds.set && t->expiration_seconds.value > (INT64_C(1) << 32))
                                err_invalid_int(v, t->src, "expirationSeconds", pte, t->expiration_seconds.value,
                                                "may not specify a duration larger than 2^32 seconds");
                }
                if (n > 1)
                        err_forbidden(v, s->src, NULL, p, "may not specify more than 1 volume type per source");
        }
}

static void validate_volume(Validator *v, const Volume *vol, size_t idx) {
        _cleanup_(freep) char *p = pathf(v, "spec.volumes[%zu]", idx);
        const char *first = NULL;
        struct {
                const char *key;
                bool set;
        } sources[] = {
                { "emptyDir", vol->empty_dir },   { "hostPath", vol->host_path },
                { "secret", vol->secret },        { "downwardAPI", vol->downward_api },
                { "configMap", vol->config_map }, { "projected", vol->projected },
        };

        if (!p)
                return;

        /* Kubernetes checks the types in this order and names each one after the first. */
        for (size_t i = 0; i < ELEMENTSOF(sources); i++) {
                _cleanup_(freep) char *ps = NULL;

                if (!sources[i].set)
                        continue;
                if (!first) {
                        first = sources[i].key;
                        continue;
                }
                ps = pathf(v, "%s.%s", p, sources[i].key);
                err_forbidden(v, vol->src, sources[i].key, ps, "may not specify more than 1 volume type");
        }
        /* A source podctl cannot provide was already reported by the decoder; only a volume with nothing
         * at all is ours to report (and defaulting turns that into an emptyDir). */
        if (!first && vol->n_sources == 0)
                err_required(v, vol->src, NULL, p, "must specify a volume type");

        if (vol->empty_dir && vol->empty_dir->has_size_limit && quantity_is_negative(&vol->empty_dir->size_limit)) {
                _cleanup_(freep) char *ps = pathf(v, "%s.emptyDir.sizeLimit", p);
                err_forbidden(v, vol->empty_dir->src, "sizeLimit", ps,
                              "SizeLimit field must be a valid resource quantity");
        }

        if (vol->host_path) {
                const HostPathVolumeSource *h = vol->host_path;
                _cleanup_(freep) char *pp = pathf(v, "%s.hostPath.path", p), *pt = pathf(v, "%s.hostPath.type", p);

                if (isempty(h->path))
                        err_required(v, h->src, "path", pp, NULL);
                else if (path_has_backsteps(h->path))
                        err_invalid_str(v, h->src, "path", pp, h->path, "must not contain '..'");
                if (h->type && !str_in(h->type, host_path_types))
                        err_unsupported(v, h->src, "type", pt, h->type, host_path_types);
        }

        if (vol->secret) {
                _cleanup_(freep) char *ps = pathf(v, "%s.secret", p);
                if (ps)
                        validate_configmap_like(v, vol->secret, ps, "secretName", false);
        }
        if (vol->config_map) {
                _cleanup_(freep) char *pc = pathf(v, "%s.configMap", p);
                if (pc)
                        validate_configmap_like(v, vol->config_map, pc, "name", false);
        }
        if (vol->downward_api) {
                _cleanup_(freep) char *pd = pathf(v, "%s.downwardAPI", p), *pm = NULL;

                if (pd) {
                        pm = pathf(v, "%s.defaultMode", pd);
                        check_file_mode(v, vol->downward_api->src, "defaultMode", pm, &vol->downward_api->default_mode);
                        validate_downward_api_items(v, vol->downward_api, pd);
                }
        }
        if (vol->projected) {
                _cleanup_(freep) char *pp = pathf(v, "%s.projected", p);
                if (pp)
                        validate_projected(v, vol->projected, pp);
        }
}

static void validate_volumes(Validator *v) {
        const PodSpec *s = &v->pod->spec;
        _cleanup_(freep) const char **names = calloc(MAX(s->n_volumes, 1u), sizeof(char *));
        _cleanup_(freep) bool *dup = NULL;

        if (!names)
                return oom(v);
        for (size_t i = 0; i < s->n_volumes; i++)
                names[i] = isempty(s->volumes[i].name) ? NULL : s->volumes[i].name;
        dup = find_duplicates(v, names, s->n_volumes);
        if (!dup)
                return;

        for (size_t i = 0; i < s->n_volumes; i++) {
                const Volume *vol = s->volumes + i;
                _cleanup_(freep) char *pn = pathf(v, "spec.volumes[%zu].name", i);

                if (isempty(vol->name))
                        err_required(v, vol->src, "name", pn, NULL);
                else {
                        check_dns_label(v, vol->src, "name", pn, vol->name);
                        if (dup[i])
                                err_duplicate(v, vol->src, "name", pn, vol->name);
                }
                validate_volume(v, vol, i);
        }
}

static bool pod_has_volume(const Pod *pod, const char *name) {
        for (size_t i = 0; i < pod->spec.n_volumes; i++)
                if (streq_ptr(pod->spec.volumes[i].name, name))
                        return true;
        return false;
}

/* ---- handlers, probes, lifecycle ---- */

static void validate_port_num_or_name(Validator *v, const YNode *map, const char *path, const IntOrString *port) {
        if (!port->set) {
                err_invalid_int(v, map, "port", path, 0, MSG_PORT_RANGE);
                return;
        }
        if (port->is_string) {
                Msgs msgs = {};

                port_name_msgs(port->str_value ?: "", &msgs);
                err_invalid_each(v, map, "port", path, port->str_value ?: "", &msgs);
        } else if (port->int_value < 1 || port->int_value > 65535)
                err_invalid_int(v, map, "port", path, port->int_value, MSG_PORT_RANGE);
}

static const char *const http_schemes[] = { "HTTP", "HTTPS", NULL };

static void validate_http_get(Validator *v, const HTTPGetAction *h, const char *base) {
        _cleanup_(freep) char *pp = pathf(v, "%s.path", base), *ppo = pathf(v, "%s.port", base),
                              *ps = pathf(v, "%s.scheme", base), *ph = pathf(v, "%s.httpHeaders", base);

        if (isempty(h->path))
                err_required(v, h->src, "path", pp, NULL);
        validate_port_num_or_name(v, h->src, ppo, &h->port);
        if (!str_in(h->scheme, http_schemes))
                err_unsupported(v, h->src, "scheme", ps, h->scheme ?: "", http_schemes);

        for (size_t i = 0; i < h->n_http_headers; i++) {
                const HTTPHeader *hd = h->http_headers + i;
                const char *name = hd->name ?: "";
                bool ok = *name != 0;

                for (const char *c = name; *c; c++)
                        if (!is_alnum(*c) && *c != '-')
                                ok = false;
                if (!ok)
                        err_invalid_str(v, hd->src ?: h->src, hd->src ? "name" : "httpHeaders", ph, name,
                                        MSG_HTTP_HEADER);
        }
}

typedef enum HandlerUse {
        USE_PROBE,
        USE_POST_START,
        USE_PRE_STOP,
} HandlerUse;

static void validate_handler(Validator *v, const Handler *h, const YNode *fallback, const char *base,
                             HandlerUse use) {
        const YNode *src = h->src ?: fallback;
        const char *first = NULL;
        struct {
                const char *key;
                bool set;
        } kinds[] = {
                { "exec", h->exec },
                { "httpGet", h->http_get },
                { "tcpSocket", h->tcp_socket },
                { use == USE_PROBE ? "grpc" : "sleep", use == USE_PROBE ? !!h->grpc : !!h->sleep },
        };

        for (size_t i = 0; i < ELEMENTSOF(kinds); i++) {
                _cleanup_(freep) char *pk = NULL;

                if (!kinds[i].set)
                        continue;
                pk = pathf(v, "%s.%s", base, kinds[i].key);
                if (first) {
                        err_forbidden(v, src, kinds[i].key, pk, "may not specify more than 1 handler type");
                        continue;
                }
                first = kinds[i].key;

                if (streq(first, "exec")) {
                        _cleanup_(freep) char *pc = pathf(v, "%s.command", pk);
                        if (strv_length(h->exec->command) == 0)
                                err_required(v, h->exec->src, "command", pc, NULL);
                } else if (streq(first, "httpGet"))
                        validate_http_get(v, h->http_get, pk);
                else if (streq(first, "tcpSocket")) {
                        _cleanup_(freep) char *pp = pathf(v, "%s.port", pk);
                        validate_port_num_or_name(v, h->tcp_socket->src, pp, &h->tcp_socket->port);
                        /* Accepted by the API for compatibility, but the kubelet has no runner for it in
                         * hooks: it fails every time (§1.1). */
                        if (use != USE_PROBE)
                                report(v, DIAG_WARNING, src, "tcpSocket", pk,
                                       "tcpSocket is not supported as a lifecycle handler and always fails in "
                                       "Kubernetes (%s)",
                                       use == USE_POST_START ? "the container is killed after every start" :
                                                               "the hook fails and termination proceeds");
                } else if (streq(first, "grpc")) {
                        _cleanup_(freep) char *pp = pathf(v, "%s.port", pk);
                        const OptInt *port = &h->grpc->port;

                        if (!port->set || port->value < 1 || port->value > 65535)
                                err_invalid_int(v, h->grpc->src, "port", pp, port->set ? port->value : 0,
                                                MSG_PORT_RANGE);
                } else if (streq(first, "sleep")) {
                        int64_t grace = v->pod->spec.termination_grace_period_seconds.value;
                        int64_t secs = h->sleep->seconds.set ? h->sleep->seconds.value : 0;

                        if (v->pod->spec.termination_grace_period_seconds.set && (secs < 0 || secs > grace)) {
                                _cleanup_(freep) char *d = pathf(
                                        v,
                                        "must be non-negative and less than or equal to terminationGracePeriodSeconds (%" PRIi64 ")",
                                        grace);
                                if (d)
                                        err_invalid_int(v, h->sleep->src, "seconds", pk, secs, d);
                        }
                }
        }

        if (!first)
                err_required(v, src, NULL, base, "must specify a handler type");
}

typedef enum ProbeKind {
        PROBE_LIVENESS,
        PROBE_READINESS,
        PROBE_STARTUP,
} ProbeKind;

static void validate_probe(Validator *v, const Probe *p, const char *base, ProbeKind kind) {
        static const struct {
                const char *key;
                size_t offset;
        } numbers[] = {
                { "initialDelaySeconds", offsetof(Probe, initial_delay_seconds) },
                { "timeoutSeconds", offsetof(Probe, timeout_seconds) },
                { "periodSeconds", offsetof(Probe, period_seconds) },
                { "successThreshold", offsetof(Probe, success_threshold) },
                { "failureThreshold", offsetof(Probe, failure_threshold) },
        };
        _cleanup_(freep) char *pt = pathf(v, "%s.terminationGracePeriodSeconds", base),
                              *pst = pathf(v, "%s.successThreshold", base);

        validate_handler(v, &p->handler, p->src, base, USE_PROBE);

        for (size_t i = 0; i < ELEMENTSOF(numbers); i++) {
                _cleanup_(freep) char *pn = pathf(v, "%s.%s", base, numbers[i].key);
                check_nonnegative(v, p->src, numbers[i].key, pn,
                                  (const OptInt *) ((const uint8_t *) p + numbers[i].offset));
        }

        if (p->termination_grace_period_seconds.set && p->termination_grace_period_seconds.value <= 0)
                err_invalid_int(v, p->src, "terminationGracePeriodSeconds", pt,
                                p->termination_grace_period_seconds.value, "must be greater than 0");

        if (kind != PROBE_READINESS && p->success_threshold.set && p->success_threshold.value != 1)
                err_invalid_int(v, p->src, "successThreshold", pst, p->success_threshold.value, "must be 1");
        if (kind == PROBE_READINESS && p->termination_grace_period_seconds.set)
                err_invalid_int(v, p->src, "terminationGracePeriodSeconds", pt,
                                p->termination_grace_period_seconds.value, "must not be set for readinessProbes");
}

/* ---- containers ---- */

static const char *const pull_policies[] = { "Always", "IfNotPresent", "Never", NULL };
static const char *const message_policies[] = { "FallbackToLogsOnError", "File", NULL };
static const char *const port_protocols[] = { "SCTP", "TCP", "UDP", NULL };
static const char *const mount_propagations[] = { "Bidirectional", "HostToContainer", "None", NULL };

static void validate_ports(Validator *v, const Container *c, const char *base) {
        bool host_network = v->pod->spec.host_network.set && v->pod->spec.host_network.value;
        _cleanup_(freep) const char **names = calloc(MAX(c->n_ports, 1u), sizeof(char *));
        _cleanup_(freep) bool *dup = NULL;

        if (!names)
                return oom(v);
        for (size_t i = 0; i < c->n_ports; i++)
                names[i] = isempty(c->ports[i].name) ? NULL : c->ports[i].name;
        dup = find_duplicates(v, names, c->n_ports);
        if (!dup)
                return;

        for (size_t i = 0; i < c->n_ports; i++) {
                const ContainerPort *port = c->ports + i;
                _cleanup_(freep) char *p = pathf(v, "%s.ports[%zu]", base, i), *pn = NULL, *pc = NULL, *ph = NULL,
                                      *pp = NULL;

                if (!p)
                        return;
                pn = pathf(v, "%s.name", p);
                pc = pathf(v, "%s.containerPort", p);
                ph = pathf(v, "%s.hostPort", p);
                pp = pathf(v, "%s.protocol", p);

                if (!isempty(port->name)) {
                        Msgs msgs = {};

                        port_name_msgs(port->name, &msgs);
                        err_invalid_each(v, port->src, "name", pn, port->name, &msgs);
                        if (dup[i])
                                err_duplicate(v, port->src, "name", pn, port->name);
                }

                if (!port->container_port.set || port->container_port.value == 0)
                        err_required(v, port->src, "containerPort", pc, NULL);
                else if (port->container_port.value < 1 || port->container_port.value > 65535)
                        err_invalid_int(v, port->src, "containerPort", pc, port->container_port.value,
                                        MSG_PORT_RANGE);

                if (port->host_port.set && port->host_port.value != 0 &&
                    (port->host_port.value < 1 || port->host_port.value > 65535))
                        err_invalid_int(v, port->src, "hostPort", ph, port->host_port.value, MSG_PORT_RANGE);

                check_enum(v, port->src, "protocol", pp, port->protocol, port_protocols);

                if (host_network && port->container_port.set &&
                    (port->host_port.set ? port->host_port.value : 0) != port->container_port.value)
                        err_invalid_int(v, port->src, "containerPort", pc, port->container_port.value,
                                        "must match `hostPort` when `hostNetwork` is true");

                if (!isempty(port->host_ip) && (!port->host_port.set || port->host_port.value == 0))
                        report(v, DIAG_WARNING, port->src, "hostIP", p, "hostIP set without hostPort");
        }
}

static void validate_env(Validator *v, const Container *c, const char *base) {
        _cleanup_(freep) const char **names = calloc(MAX(c->n_env, 1u), sizeof(char *));
        _cleanup_(freep) bool *dup = NULL;

        if (!names)
                return oom(v);
        for (size_t i = 0; i < c->n_env; i++)
                names[i] = c->env[i].name;
        dup = find_duplicates(v, names, c->n_env);
        if (!dup)
                return;

        for (size_t i = 0; i < c->n_env; i++) {
                const EnvVar *e = c->env + i;
                _cleanup_(freep) char *p = pathf(v, "%s.env[%zu]", base, i), *pn = NULL, *pv = NULL;

                if (!p)
                        return;
                pn = pathf(v, "%s.name", p);
                pv = pathf(v, "%s.valueFrom", p);

                if (isempty(e->name))
                        err_required(v, e->src, "name", pn, NULL);
                else {
                        Msgs msgs = {};

                        relaxed_env_name_msgs(e->name, &msgs);
                        err_invalid_each(v, e->src, "name", pn, e->name, &msgs);
                }

                if (e->value_from) {
                        const EnvVarSource *vf = e->value_from;
                        unsigned n = !!vf->field_ref + !!vf->resource_field_ref + !!vf->config_map_key_ref +
                                     !!vf->secret_key_ref;

                        if (n == 0)
                                err_invalid_str(v, e->src, "valueFrom", pv, "",
                                                "must specify one of: `fieldRef`, `resourceFieldRef`, "
                                                "`configMapKeyRef` or `secretKeyRef`");
                        else if (n > 1)
                                err_invalid_str(v, e->src, "valueFrom", pv, "",
                                                "may not have more than one field specified at a time");
                        if (n > 0 && !isempty(e->value))
                                err_invalid_str(v, e->src, "valueFrom", pv, "",
                                                "may not be specified when `value` is not empty");

                        if (vf->field_ref) {
                                _cleanup_(freep) char *pf = pathf(v, "%s.fieldRef", pv);
                                if (pf)
                                        validate_field_ref(v, vf->field_ref, pf, env_field_paths);
                        }
                        if (vf->resource_field_ref) {
                                _cleanup_(freep) char *pr = pathf(v, "%s.resourceFieldRef", pv);
                                if (pr)
                                        validate_resource_field_ref(v, vf->resource_field_ref, pr, false);
                        }
                        const KeySelector *sels[] = { vf->config_map_key_ref, vf->secret_key_ref };
                        const char *sel_keys[] = { "configMapKeyRef", "secretKeyRef" };
                        for (size_t k = 0; k < ELEMENTSOF(sels); k++) {
                                const KeySelector *ks = sels[k];
                                _cleanup_(freep) char *pk = NULL, *pkn = NULL, *pkk = NULL;

                                if (!ks)
                                        continue;
                                pk = pathf(v, "%s.%s", pv, sel_keys[k]);
                                pkn = pathf(v, "%s.name", pk);
                                pkk = pathf(v, "%s.key", pk);
                                if (isempty(ks->name))
                                        err_required(v, ks->src, "name", pkn, NULL);
                                else
                                        check_dns_subdomain(v, ks->src, "name", pkn, ks->name);
                                if (isempty(ks->key))
                                        err_required(v, ks->src, "key", pkk, NULL);
                                else {
                                        Msgs msgs = {};

                                        config_key_msgs(ks->key, &msgs);
                                        err_invalid_each(v, ks->src, "key", pkk, ks->key, &msgs);
                                }
                        }
                }

                /* API warning (§7.7): a later entry that replaces an earlier one without referring to it. */
                if (dup[i]) {
                        _cleanup_(freep) char *ref = NULL, *q = NULL;

                        ref = pathf(v, "$(%s)", e->name);
                        q = go_quote(e->name);
                        if (!ref || !q)
                                return oom(v);
                        if (e->value_from || !e->value || streq(e->value, ref) || !strstr(e->value, ref))
                                report(v, DIAG_WARNING, e->src, "name", p,
                                       "hides previous definition of %s, which may be dropped when using apply", q);
                }
        }

        for (size_t i = 0; i < c->n_env_from; i++) {
                const EnvFromSource *ef = c->env_from + i;
                _cleanup_(freep) char *p = pathf(v, "%s.envFrom[%zu]", base, i), *pp = NULL;
                const LocalObjectRef *refs[] = { ef->config_map_ref, ef->secret_ref };
                const char *ref_keys[] = { "configMapRef", "secretRef" };
                unsigned n = 0;

                if (!p)
                        return;
                pp = pathf(v, "%s.prefix", p);
                if (!isempty(ef->prefix)) {
                        Msgs msgs = {};

                        relaxed_env_name_msgs(ef->prefix, &msgs);
                        err_invalid_each(v, ef->src, "prefix", pp, ef->prefix, &msgs);
                }
                for (size_t k = 0; k < ELEMENTSOF(refs); k++) {
                        _cleanup_(freep) char *pn = NULL;

                        if (!refs[k])
                                continue;
                        n++;
                        pn = pathf(v, "%s.%s.name", p, ref_keys[k]);
                        if (isempty(refs[k]->name))
                                err_required(v, refs[k]->src, "name", pn, NULL);
                        else
                                check_dns_subdomain(v, refs[k]->src, "name", pn, refs[k]->name);
                }
                if (n == 0)
                        err_invalid_str(v, ef->src, NULL, p, "", "must specify one of: `configMapRef` or `secretRef`");
                else if (n > 1)
                        err_invalid_str(v, ef->src, NULL, p, "", "may not have more than one field specified at a time");
        }
}

static void validate_volume_mounts(Validator *v, const Container *c, const char *base) {
        _cleanup_(freep) const char **paths = calloc(MAX(c->n_volume_mounts, 1u), sizeof(char *));
        _cleanup_(freep) bool *dup = NULL;

        if (!paths)
                return oom(v);
        for (size_t i = 0; i < c->n_volume_mounts; i++)
                paths[i] = isempty(c->volume_mounts[i].mount_path) ? NULL : c->volume_mounts[i].mount_path;
        dup = find_duplicates(v, paths, c->n_volume_mounts);
        if (!dup)
                return;

        for (size_t i = 0; i < c->n_volume_mounts; i++) {
                const VolumeMount *m = c->volume_mounts + i;
                _cleanup_(freep) char *p = pathf(v, "%s.volumeMounts[%zu]", base, i), *pn = NULL, *pm = NULL,
                                      *ps = NULL, *pe = NULL, *pr = NULL;

                if (!p)
                        return;
                pn = pathf(v, "%s.name", p);
                pm = pathf(v, "%s.mountPath", p);
                ps = pathf(v, "%s.subPath", p);
                pe = pathf(v, "%s.subPathExpr", p);
                pr = pathf(v, "%s.mountPropagation", p);

                if (isempty(m->name))
                        err_required(v, m->src, "name", pn, NULL);
                else if (!pod_has_volume(v->pod, m->name))
                        err_not_found(v, m->src, "name", pn, m->name);

                if (isempty(m->mount_path))
                        err_required(v, m->src, "mountPath", pm, NULL);
                else if (dup[i])
                        err_invalid_str(v, m->src, "mountPath", pm, m->mount_path, "must be unique");

                if (!isempty(m->sub_path))
                        check_local_descending_path(v, m->src, "subPath", ps, m->sub_path);
                if (!isempty(m->sub_path_expr)) {
                        if (!isempty(m->sub_path))
                                err_invalid_str(v, m->src, "subPathExpr", pe, m->sub_path_expr,
                                                "subPathExpr and subPath are mutually exclusive");
                        check_local_descending_path(v, m->src, "subPathExpr", pe, m->sub_path_expr);
                }

                if (m->mount_propagation) {
                        bool privileged = c->security_context && c->security_context->privileged.set &&
                                          c->security_context->privileged.value;

                        if (!str_in(m->mount_propagation, mount_propagations))
                                err_unsupported(v, m->src, "mountPropagation", pr, m->mount_propagation,
                                                mount_propagations);
                        else if (streq(m->mount_propagation, "Bidirectional") && !privileged)
                                err_forbidden(v, m->src, "mountPropagation", pr,
                                              "Bidirectional mount propagation is available only to privileged "
                                              "containers");
                }
        }
}

static bool is_hugepages(const char *name) {
        return startswith(name, "hugepages-");
}

static bool is_standard_container_resource(const char *name) {
        return streq(name, "cpu") || streq(name, "memory") || streq(name, "ephemeral-storage") ||
               is_hugepages(name);
}

/* Extended resources: fully qualified names outside the kubernetes.io domains, not "requests."-prefixed. */
static bool is_extended_resource(const char *name) {
        const char *slash = strchr(name, '/');
        size_t n;

        if (!slash || startswith(name, "requests."))
                return false;
        n = (size_t) (slash - name);
        if (n == strlen("kubernetes.io") && strneq(name, "kubernetes.io", n))
                return false;
        if (n > strlen(".kubernetes.io") && strneq(slash - strlen(".kubernetes.io"), ".kubernetes.io", 14))
                return false;
        return true;
}

static void validate_resource_list(Validator *v, const ResourceList *l, const char *base, bool *ret_hugepages,
                                   bool *ret_cpu_mem) {
        for (size_t i = 0; i < l->n; i++) {
                const ResourceQuantity *q = l->items + i;
                const char *name = q->name ?: "";
                _cleanup_(freep) char *p = pathf(v, "%s[%s]", base, name), *text = NULL;
                Msgs msgs = {};

                if (!p)
                        return;

                label_key_msgs(name, &msgs);
                err_invalid_each(v, q->src, NULL, p, name, &msgs);
                if (msgs.n == 0) {
                        if (!strchr(name, '/') && !is_standard_container_resource(name))
                                err_invalid_str(v, q->src, NULL, p, name, "must be a standard resource for containers");
                        else if (strchr(name, '/') && !is_extended_resource(name))
                                err_invalid_str(v, q->src, NULL, p, name,
                                                "doesn't follow extended resource name standard");
                }

                text = quantity_format(&q->quantity);
                if (!text)
                        return oom(v);
                if (quantity_is_negative(&q->quantity))
                        err_invalid_str(v, q->src, NULL, p, text, MSG_NEGATIVE);
                else if (is_extended_resource(name) && !quantity_is_integer(&q->quantity))
                        report(v, DIAG_ERROR, q->src, NULL, p, "Invalid value: %s: must be an integer", text);

                if ((streq(name, "memory") || streq(name, "ephemeral-storage")) &&
                    !quantity_is_integer(&q->quantity)) {
                        _cleanup_(freep) char *qt = go_quote(text);
                        if (!qt)
                                return oom(v);
                        report(v, DIAG_WARNING, q->src, NULL, p, "fractional byte value %s is invalid, must be an integer",
                               qt);
                }

                if (is_hugepages(name))
                        *ret_hugepages = true;
                if (streq(name, "cpu") || streq(name, "memory"))
                        *ret_cpu_mem = true;
        }
}

static void validate_resources(Validator *v, const ResourceRequirements *res, const char *base) {
        _cleanup_(freep) char *pl = pathf(v, "%s.limits", base), *pr = pathf(v, "%s.requests", base);
        bool hugepages = false, cpu_mem = false;

        if (!pl || !pr)
                return;

        validate_resource_list(v, &res->limits, pl, &hugepages, &cpu_mem);
        validate_resource_list(v, &res->requests, pr, &hugepages, &cpu_mem);

        for (size_t i = 0; i < res->requests.n; i++) {
                const ResourceQuantity *req = res->requests.items + i;
                const ResourceQuantity *lim = NULL;
                _cleanup_(freep) char *p = NULL, *rt = NULL, *lt = NULL, *q = NULL;

                if (!req->name)
                        continue;
                for (size_t j = 0; j < res->limits.n && !lim; j++)
                        if (streq_ptr(res->limits.items[j].name, req->name))
                                lim = res->limits.items + j;

                p = pathf(v, "%s[%s]", pr, req->name);
                rt = quantity_format(&req->quantity);
                q = go_quote(rt);
                if (!p || !rt || !q)
                        return oom(v);

                /* Non-overcommittable resources (hugepages, extended) need a limit equal to the request.
                 * The defaults copied missing requests from limits, so only explicit ones differ. */
                bool overcommit = is_standard_container_resource(req->name) && !is_hugepages(req->name);
                if (!lim) {
                        if (!overcommit)
                                err_required(v, res->limits.src ?: res->src, NULL, pl,
                                             "Limit must be set for non overcommitable resources");
                        continue;
                }
                lt = quantity_format(&lim->quantity);
                if (!lt)
                        return oom(v);
                if (overcommit && quantity_cmp(&req->quantity, &lim->quantity) > 0)
                        report(v, DIAG_ERROR, req->src, NULL, p,
                               "Invalid value: %s: must be less than or equal to %s limit of %s", q, req->name, lt);
                else if (!overcommit && quantity_cmp(&req->quantity, &lim->quantity) != 0)
                        report(v, DIAG_ERROR, req->src, NULL, p, "Invalid value: %s: must be equal to %s limit of %s",
                               q, req->name, lt);
        }

        if (hugepages && !cpu_mem)
                err_forbidden(v, res->src, NULL, base, "HugePages require cpu or memory");
}

static void validate_container(Validator *v, const Container *c, const char *base, bool init) {
        _cleanup_(freep) char *pi = pathf(v, "%s.image", base), *pc = pathf(v, "%s.command", base),
                              *ppp = pathf(v, "%s.imagePullPolicy", base),
                              *ptp = pathf(v, "%s.terminationMessagePolicy", base),
                              *prp = pathf(v, "%s.restartPolicy", base), *pres = pathf(v, "%s.resources", base);
        bool sidecar = init && streq_ptr(c->restart_policy, "Always");

        /* podctl runs a container without an image on the host's root filesystem, so host programs can be
         * managed before image support lands; Kubernetes itself requires an image. One warning per pod
         * keeps a pod of many such containers readable. */
        if (isempty(c->image)) {
                if (strv_length(c->command) == 0)
                        err_required(v, c->src, "command", pc, "command is required when no image is given");
                if (!v->warned_no_image)
                        report(v, DIAG_WARNING, c->src, "image", pi,
                               "image is required by Kubernetes; podctl runs containers without one on the host's "
                               "root filesystem");
                v->warned_no_image = true;
        } else {
                size_t n = strlen(c->image);
                if (strchr(" \t\n\r\f\v", c->image[0]) || strchr(" \t\n\r\f\v", c->image[n - 1]))
                        err_invalid_str(v, c->src, "image", pi, c->image, "must not have leading or trailing whitespace");
        }

        if (!isempty(c->image) || c->image_pull_policy)
                check_enum(v, c->src, "imagePullPolicy", ppp, c->image_pull_policy, pull_policies);
        check_enum(v, c->src, "terminationMessagePolicy", ptp, c->termination_message_policy, message_policies);

        validate_ports(v, c, base);
        validate_env(v, c, base);
        validate_volume_mounts(v, c, base);
        if (c->resources && pres)
                validate_resources(v, c->resources, pres);

        if (init && !sidecar) {
                static const char *const keys[] = { "lifecycle", "livenessProbe", "readinessProbe", "startupProbe" };
                const void *set[] = { c->lifecycle, c->liveness_probe, c->readiness_probe, c->startup_probe };

                for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                        _cleanup_(freep) char *pk = NULL;

                        if (!set[i])
                                continue;
                        pk = pathf(v, "%s.%s", base, keys[i]);
                        err_forbidden(v, c->src, keys[i], pk, MSG_INIT_FORBIDDEN);
                }
        } else {
                static const char *const keys[] = { "livenessProbe", "readinessProbe", "startupProbe" };
                const Probe *probes[] = { c->liveness_probe, c->readiness_probe, c->startup_probe };

                for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                        _cleanup_(freep) char *pk = NULL;

                        if (!probes[i])
                                continue;
                        pk = pathf(v, "%s.%s", base, keys[i]);
                        if (pk)
                                validate_probe(v, probes[i], pk, (ProbeKind) i);
                }

                if (c->lifecycle) {
                        _cleanup_(freep) char *ps = pathf(v, "%s.lifecycle.postStart", base),
                                              *pe = pathf(v, "%s.lifecycle.preStop", base);

                        if (c->lifecycle->post_start && ps)
                                validate_handler(v, c->lifecycle->post_start, c->lifecycle->src, ps, USE_POST_START);
                        if (c->lifecycle->pre_stop && pe)
                                validate_handler(v, c->lifecycle->pre_stop, c->lifecycle->src, pe, USE_PRE_STOP);
                }
        }

        if (init) {
                static const char *const always[] = { "Always", NULL };
                if (c->restart_policy && !streq(c->restart_policy, "Always"))
                        err_unsupported(v, c->src, "restartPolicy", prp, c->restart_policy, always);
        } else if (c->restart_policy)
                err_forbidden(v, c->src, "restartPolicy", prp, "may not be set for non-init containers");
}

/* A protocol/hostIP/hostPort triple may be claimed once: across all regular containers, and within each
 * init container alone (they run one after another). */
static void check_host_ports_group(Validator *v, const Container *cs, size_t from, size_t to, const char *list) {
        size_t n = 0, k = 0;
        _cleanup_(freep) char **keys = NULL;
        _cleanup_(freep) bool *dup = NULL;

        for (size_t i = from; i < to; i++)
                n += cs[i].n_ports;
        if (n == 0)
                return;
        keys = calloc(n, sizeof(char *));
        if (!keys)
                return oom(v);

        for (size_t i = from; i < to; i++)
                for (size_t j = 0; j < cs[i].n_ports; j++, k++) {
                        const ContainerPort *port = cs[i].ports + j;

                        if (!port->host_port.set || port->host_port.value == 0)
                                continue;
                        keys[k] = pathf(v, "%s/%s/%" PRIi64, port->protocol ?: "", port->host_ip ?: "",
                                        port->host_port.value);
                        if (!keys[k])
                                goto finish;
                }

        dup = find_duplicates(v, (const char *const *) keys, n);
        if (!dup)
                goto finish;

        k = 0;
        for (size_t i = from; i < to; i++)
                for (size_t j = 0; j < cs[i].n_ports; j++, k++) {
                        _cleanup_(freep) char *p = NULL;

                        if (!dup[k])
                                continue;
                        p = pathf(v, "spec.%s[%zu].ports[%zu].hostPort", list, i, j);
                        err_duplicate(v, cs[i].ports[j].src, "hostPort", p, keys[k]);
                }
finish:
        for (size_t i = 0; i < n; i++)
                free(keys[i]);
}

/* A protocol/hostIP/hostPort triple may be claimed once: across all regular containers, and within each
 * init container alone (they run one after another). */
static void check_host_ports(Validator *v, const Container *cs, size_t n, const char *list, bool each_alone) {
        if (!each_alone)
                return check_host_ports_group(v, cs, 0, n, list);
        for (size_t i = 0; i < n; i++)
                check_host_ports_group(v, cs, i, i + 1, list);
}

static void validate_containers(Validator *v) {
        const PodSpec *s = &v->pod->spec;
        size_t total = s->n_init_containers + s->n_containers;
        _cleanup_(freep) const char **names = calloc(MAX(total, 1u), sizeof(char *));
        _cleanup_(freep) bool *dup = NULL;

        if (!names)
                return oom(v);
        /* Unique across initContainers and containers together, in that order. */
        for (size_t i = 0; i < total; i++) {
                const Container *c = i < s->n_init_containers ? s->init_containers + i :
                                                                 s->containers + (i - s->n_init_containers);
                names[i] = isempty(c->name) ? NULL : c->name;
        }
        dup = find_duplicates(v, names, total);
        if (!dup)
                return;

        if (s->n_containers == 0)
                err_required(v, s->src ?: v->pod->src, "containers", "spec.containers", NULL);

        for (int pass = 0; pass < 2; pass++) {
                bool init = pass == 0;
                const Container *cs = init ? s->init_containers : s->containers;
                size_t n = init ? s->n_init_containers : s->n_containers;
                const char *list = init ? "initContainers" : "containers";

                for (size_t i = 0; i < n; i++) {
                        const Container *c = cs + i;
                        _cleanup_(freep) char *base = pathf(v, "spec.%s[%zu]", list, i), *pn = NULL;

                        if (!base)
                                return;
                        pn = pathf(v, "%s.name", base);

                        if (isempty(c->name))
                                err_required(v, c->src, "name", pn, NULL);
                        else {
                                check_dns_label(v, c->src, "name", pn, c->name);
                                if (dup[init ? i : s->n_init_containers + i])
                                        err_duplicate(v, c->src, "name", pn, c->name);
                        }

                        validate_container(v, c, base, init);
                }
                check_host_ports(v, cs, n, list, init);
        }
}

/* API warnings about ports that overlap across all containers (pkg/api/pod/warnings.go). */
static void warn_port_overlaps(Validator *v) {
        const PodSpec *s = &v->pod->spec;
        size_t total = s->n_init_containers + s->n_containers, n_ports = 0;

        /* These are advisory and pairwise; past a size no real pod has, skip them rather than let a
         * hostile manifest cost quadratic time. */
        for (size_t a = 0; a < total; a++)
                n_ports += a < s->n_init_containers ? s->init_containers[a].n_ports :
                                                      s->containers[a - s->n_init_containers].n_ports;
        if (n_ports > 1024)
                return;

        for (size_t a = 0; a < total; a++) {
                const Container *ca = a < s->n_init_containers ? s->init_containers + a :
                                                                  s->containers + (a - s->n_init_containers);
                for (size_t i = 0; i < ca->n_ports; i++) {
                        const ContainerPort *pa = ca->ports + i;
                        bool done = false;

                        /* Compare with every earlier port definition, in visiting order. */
                        for (size_t b = 0; b <= a && !done; b++) {
                                const Container *cb = b < s->n_init_containers ?
                                                              s->init_containers + b :
                                                              s->containers + (b - s->n_init_containers);
                                size_t lim = b == a ? i : cb->n_ports;

                                for (size_t j = 0; j < lim; j++) {
                                        const ContainerPort *pb = cb->ports + j;
                                        int64_t ha = pa->host_port.set ? pa->host_port.value : 0,
                                                hb = pb->host_port.set ? pb->host_port.value : 0;
                                        bool ea = isempty(pa->host_ip), eb = isempty(pb->host_ip);
                                        const char *what;
                                        _cleanup_(freep) char *pthis = NULL, *pother = NULL;

                                        if (!pa->container_port.set || !pb->container_port.set ||
                                            pa->container_port.value != pb->container_port.value ||
                                            !streq_ptr(pa->protocol, pb->protocol))
                                                continue;

                                        if (streq_ptr(pa->host_ip ?: "", pb->host_ip ?: "") && ha == hb)
                                                what = "duplicate";
                                        else if (ha == 0 || hb == 0)
                                                what = "overlapping";
                                        else if (ha == hb && ea != eb)
                                                what = "dangerously ambiguous";
                                        else
                                                continue;

                                        pthis = pathf(v, "spec.%s[%zu].ports[%zu]",
                                                      a < s->n_init_containers ? "initContainers" : "containers",
                                                      a < s->n_init_containers ? a : a - s->n_init_containers, i);
                                        pother = pathf(v, "spec.%s[%zu].ports[%zu]",
                                                       b < s->n_init_containers ? "initContainers" : "containers",
                                                       b < s->n_init_containers ? b : b - s->n_init_containers, j);
                                        if (!pthis || !pother)
                                                return;
                                        report(v, DIAG_WARNING, pa->src, NULL, pthis, "%s port definition with %s",
                                               what, pother);
                                }
                        }
                }
        }
}

/* ---- pod-level ---- */

static const char *const restart_policies[] = { "Always", "OnFailure", "Never", NULL };
static const char *const dns_policies[] = { "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None", NULL };
static const char *const os_names[] = { "linux", "windows", NULL };

static void validate_dns(Validator *v) {
        const PodSpec *s = &v->pod->spec;
        const PodDNSConfig *dc = s->dns_config;
        bool none = streq_ptr(s->dns_policy, "None");
        size_t n_ns, n_search, search_len = 0;

        check_enum(v, s->src, "dnsPolicy", "spec.dnsPolicy", s->dns_policy, dns_policies);

        if (!dc) {
                if (none)
                        err_required(v, s->src, "dnsConfig", "spec.dnsConfig",
                                     "must provide `dnsConfig` when `dnsPolicy` is None");
                return;
        }

        n_ns = strv_length(dc->nameservers);
        n_search = strv_length(dc->searches);
        if (none && n_ns == 0)
                err_required(v, dc->src, "nameservers", "spec.dnsConfig.nameservers",
                             "must provide at least one DNS nameserver when DNSPolicy is None");
        if (n_ns > 3)
                report(v, DIAG_ERROR, dc->src, "nameservers", "spec.dnsConfig.nameservers",
                       "Invalid value: %zu nameservers: must not have more than 3 nameservers", n_ns);
        for (size_t i = 0; i < n_ns; i++) {
                unsigned char buf[16];
                _cleanup_(freep) char *p = pathf(v, "spec.dnsConfig.nameservers[%zu]", i);

                if (inet_pton(AF_INET, dc->nameservers[i], buf) != 1 && inet_pton(AF_INET6, dc->nameservers[i], buf) != 1)
                        err_invalid_str(v, dc->src, "nameservers", p, dc->nameservers[i],
                                        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
        }
        if (n_search > 32)
                report(v, DIAG_ERROR, dc->src, "searches", "spec.dnsConfig.searches",
                       "Invalid value: %zu search paths: must not have more than 32 search paths", n_search);
        for (size_t i = 0; i < n_search; i++) {
                _cleanup_(freep) char *p = pathf(v, "spec.dnsConfig.searches[%zu]", i);
                const char *d = dc->searches[i];
                size_t n = strlen(d);
                _cleanup_(freep) char *trimmed = strndup(d, n > 0 && d[n - 1] == '.' ? n - 1 : n);

                if (!trimmed)
                        return oom(v);
                search_len += n;
                /* A trailing dot (a fully qualified name) is allowed. */
                check_dns_subdomain(v, dc->src, "searches", p, trimmed);
        }
        if (search_len + (n_search > 0 ? n_search - 1 : 0) > 2048)
                report(v, DIAG_ERROR, dc->src, "searches", "spec.dnsConfig.searches",
                       "Invalid value: %zu characters: must not have more than 2048 characters (including spaces) "
                       "in the search list",
                       search_len + n_search - 1);
}

static void validate_spec(Validator *v) {
        const PodSpec *s = &v->pod->spec;
        const YNode *src = s->src ?: v->pod->src;

        check_enum(v, src, "restartPolicy", "spec.restartPolicy", s->restart_policy, restart_policies);
        validate_dns(v);

        if (!s->termination_grace_period_seconds.set)
                err_required(v, src, "terminationGracePeriodSeconds", "spec.terminationGracePeriodSeconds", NULL);

        if (s->active_deadline_seconds.set &&
            (s->active_deadline_seconds.value < 1 || s->active_deadline_seconds.value > INT32_MAX))
                err_invalid_int(v, src, "activeDeadlineSeconds", "spec.activeDeadlineSeconds",
                                s->active_deadline_seconds.value, "must be between 1 and 2147483647, inclusive");

        if (!isempty(s->hostname))
                check_dns_label(v, src, "hostname", "spec.hostname", s->hostname);
        if (!isempty(s->subdomain))
                check_dns_label(v, src, "subdomain", "spec.subdomain", s->subdomain);
        if (!isempty(s->service_account_name))
                check_dns_subdomain(v, src, "serviceAccountName", "spec.serviceAccountName", s->service_account_name);

        if (s->os_name) {
                /* The model keeps only the name; find spec.os in the tree to point at the value. */
                const YNode *os = ynode_get(src, "os") ?: src;

                if (!str_in(s->os_name, os_names))
                        err_unsupported(v, os, "name", "spec.os.name", s->os_name, os_names);
                else if (streq(s->os_name, "windows"))
                        err_forbidden(v, os, "name", "spec.os.name", "podctl runs Linux pods only");
        }

        _cleanup_(freep) const char **ips = calloc(MAX(s->n_host_aliases, 1u), sizeof(char *));
        _cleanup_(freep) bool *dup = NULL;

        if (!ips)
                return oom(v);
        for (size_t i = 0; i < s->n_host_aliases; i++)
                ips[i] = s->host_aliases[i].ip;
        dup = find_duplicates(v, ips, s->n_host_aliases);
        if (!dup)
                return;

        for (size_t i = 0; i < s->n_host_aliases; i++) {
                const HostAlias *h = s->host_aliases + i;
                _cleanup_(freep) char *p = pathf(v, "spec.hostAliases[%zu].ip", i);
                unsigned char buf[16];

                if (isempty(h->ip))
                        err_required(v, h->src, "ip", p, NULL);
                else if (inet_pton(AF_INET, h->ip, buf) != 1 && inet_pton(AF_INET6, h->ip, buf) != 1)
                        err_invalid_str(v, h->src, "ip", p, h->ip,
                                        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
                else if (dup[i]) {
                        _cleanup_(freep) char *q = go_quote(h->ip);
                        if (q)
                                report(v, DIAG_WARNING, h->src, "ip", p, "duplicate ip %s", q);
                }
                STRV_FOREACH(hn, h->hostnames) {
                        _cleanup_(freep) char *ph = pathf(v, "spec.hostAliases[%zu].hostnames", i);
                        check_dns_subdomain(v, h->src, "hostnames", ph, *hn);
                }
        }
}

int pod_validate(const Pod *p, Diags *diags) {
        Validator v = { .pod = p, .diags = diags };
        size_t errors_before;

        assert(p);
        assert(diags);

        errors_before = diags_errors(diags);

        validate_metadata(&v);
        validate_spec(&v);
        validate_volumes(&v);
        validate_containers(&v);
        warn_port_overlaps(&v);

        if (diags->oom)
                return -ENOMEM;
        return diags_errors(diags) > errors_before ? -EINVAL : 0;
}
