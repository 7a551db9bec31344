/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "manifest.h"
#include "pod-decode.h"
#include "pod-defaults.h"
#include "pod-validate.h"
#include "string-util.h"

static const char *const field_validation_table[_FIELD_VALIDATION_MAX] = {
        [FIELD_VALIDATION_STRICT] = "strict",
        [FIELD_VALIDATION_WARN] = "warn",
        [FIELD_VALIDATION_IGNORE] = "ignore",
};

const char *field_validation_to_string(FieldValidation v) {
        if (v < 0 || v >= _FIELD_VALIDATION_MAX)
                return NULL;
        return field_validation_table[v];
}

FieldValidation field_validation_from_string(const char *s) {
        if (!s)
                return _FIELD_VALIDATION_INVALID;
        for (FieldValidation v = 0; v < _FIELD_VALIDATION_MAX; v++)
                if (streq(field_validation_table[v], s))
                        return v;
        /* kubectl's --validate=true|false spellings */
        if (streq(s, "true"))
                return FIELD_VALIDATION_STRICT;
        if (streq(s, "false"))
                return FIELD_VALIDATION_IGNORE;
        return _FIELD_VALIDATION_INVALID;
}

Manifest *manifest_free(Manifest *m) {
        if (!m)
                return NULL;
        for (size_t i = 0; i < m->n_pods; i++)
                pod_free(m->pods[i]);
        free(m->pods);
        ystream_free(m->stream);
        free(m);
        return NULL;
}

/* Kinds a Kubernetes user may reasonably hand us. They get "not supported yet" rather than "unknown", so
 * the message tells the truth: the kind is real, podctl does not run it (yet). */
static const char *const known_kinds[] = {
        "ConfigMap", "CronJob", "DaemonSet", "Deployment", "Endpoints", "Ingress", "Job", "LimitRange",
        "Namespace", "NetworkPolicy", "PersistentVolume", "PersistentVolumeClaim", "PodDisruptionBudget",
        "ReplicaSet", "ReplicationController", "ResourceQuota", "Role", "RoleBinding", "Secret", "Service",
        "ServiceAccount", "StatefulSet",
};

static bool kind_is_known(const char *kind) {
        for (size_t i = 0; i < ELEMENTSOF(known_kinds); i++)
                if (streq(known_kinds[i], kind))
                        return true;
        return false;
}

/* A required string field of the object envelope (apiVersion, kind). Returns the value or NULL after
 * reporting why there is none. */
static const char *envelope_string(const YNode *obj, const char *key, Diags *diags) {
        const YNode *v = ynode_get(obj, key);
        if (!v || (v->type == YNODE_SCALAR && v->kind == YSCALAR_NULL)) {
                diag_node(diags, DIAG_ERROR, obj, key,
                          "Required value: every object needs apiVersion and kind (for a pod: apiVersion: v1, kind: Pod)");
                return NULL;
        }
        if (v->type != YNODE_SCALAR || v->kind != YSCALAR_STRING || isempty(v->value)) {
                diag_node(diags, DIAG_ERROR, v, key, "Invalid value: must be a non-empty string, got %s",
                          ynode_type_name(v));
                return NULL;
        }
        return v->value;
}

/* Whether diag `d` lies at or below a path that already has a decode error: validation of a field the
 * decoder could not read only repeats the same problem in other words ("Required value" after "must be a
 * string"), so such findings are dropped. */
static bool path_is_under(const char *path, const char *prefix) {
        if (!path || !prefix)
                return false;
        size_t n = strlen(prefix);
        return strneq(path, prefix, n) && (path[n] == 0 || path[n] == '.' || path[n] == '[');
}

static void drop_findings_below_decode_errors(Diags *diags, size_t decode_start, size_t decode_end) {
        size_t w = decode_end;
        for (size_t r = decode_end; r < diags->n; r++) {
                Diag *d = &diags->items[r];
                bool shadowed = false;
                if (d->level == DIAG_ERROR)
                        for (size_t k = decode_start; k < decode_end && !shadowed; k++)
                                shadowed = diags->items[k].level == DIAG_ERROR &&
                                           path_is_under(d->path, diags->items[k].path);
                if (shadowed) {
                        free(d->path);
                        free(d->message);
                        diags->n_errors--;
                        continue;
                }
                diags->items[w++] = *d;
        }
        diags->n = w;
}

static int pod_load(const YNode *obj, const ManifestOptions *opts, Pod **ret, Diags *diags) {
        _cleanup_(pod_freep) Pod *pod = NULL;
        size_t start = diags->n, errors_before = diags->n_errors;
        int r;

        r = pod_decode(obj, opts->field_validation, &pod, diags);
        if (r == -ENOMEM)
                return r;
        if (!pod)
                return -EINVAL;
        size_t decode_end = diags->n;

        r = pod_apply_defaults(pod, diags);
        if (r < 0)
                return r;
        (void) pod_validate(pod, diags);
        drop_findings_below_decode_errors(diags, start, decode_end);
        if (diags->oom)
                return -ENOMEM;
        if (diags->n_errors > errors_before)
                return -EINVAL;

        *ret = TAKE_PTR(pod);
        return 0;
}

static int manifest_add_pod(Manifest *m, Pod *pod, Diags *diags) {
        /* Two objects naming the same pod in one file would fight over one set of units. */
        for (size_t i = 0; i < m->n_pods; i++) {
                const Pod *o = m->pods[i];
                if (pod->metadata.name && streq_ptr(o->metadata.name, pod->metadata.name) &&
                    streq_ptr(o->metadata.namespace, pod->metadata.namespace)) {
                        diag_field(diags, DIAG_ERROR, pod->metadata.src, "name", "metadata.name",
                                   "Duplicate value: \"%s/%s\": this file already declares that pod (line %u)",
                                   pod->metadata.namespace, pod->metadata.name,
                                   o->metadata.src ? o->metadata.src->line : 0);
                        pod_free(pod);
                        return -EINVAL;
                }
        }
        Pod **p = realloc(m->pods, sizeof(Pod *) * (m->n_pods + 1));
        if (!p) {
                pod_free(pod);
                return -ENOMEM;
        }
        m->pods = p;
        m->pods[m->n_pods++] = pod;
        return 0;
}

static int manifest_load_object(Manifest *m, const YNode *obj, bool in_list, const ManifestOptions *opts, Diags *diags) {
        int r;

        m->n_objects++;
        if (obj->type != YNODE_MAPPING) {
                diag_node(diags, DIAG_ERROR, obj, NULL, "expected an object (a mapping with apiVersion and kind), got %s",
                          ynode_type_name(obj));
                return -EINVAL;
        }

        const char *api_version = envelope_string(obj, "apiVersion", diags);
        const char *kind = envelope_string(obj, "kind", diags);
        if (!api_version || !kind)
                return -EINVAL;

        if (streq(kind, "List") && !in_list) {
                if (!streq(api_version, "v1")) {
                        diag_field(diags, DIAG_ERROR, obj, "apiVersion", "apiVersion",
                                   "Unsupported value: \"%s\": supported values: \"v1\"", api_version);
                        return -EINVAL;
                }
                /* A List carries nothing but items; anything else in it is kubectl output (metadata) or a
                 * mistake worth naming. */
                int ret = 0;
                for (size_t i = 0; i < obj->n_pairs; i++) {
                        const char *k = obj->pairs[i].key->value;
                        if (streq(k, "apiVersion") || streq(k, "kind") || streq(k, "items") || streq(k, "metadata"))
                                continue;
                        if (opts->field_validation == FIELD_VALIDATION_IGNORE)
                                continue;
                        diag_node(diags,
                                  opts->field_validation == FIELD_VALIDATION_STRICT ? DIAG_ERROR : DIAG_WARNING,
                                  obj->pairs[i].key, NULL, "unknown field \"%s\"", k);
                        if (opts->field_validation == FIELD_VALIDATION_STRICT)
                                ret = -EINVAL;
                }
                m->n_objects--; /* the List itself is a container, not an object */
                const YNode *items = ynode_get(obj, "items");
                if (!items || (items->type == YNODE_SCALAR && items->kind == YSCALAR_NULL))
                        return ret;
                if (items->type != YNODE_SEQUENCE) {
                        diag_node(diags, DIAG_ERROR, items, "items", "Invalid value: must be an array, got %s",
                                  ynode_type_name(items));
                        return -EINVAL;
                }
                for (size_t i = 0; i < items->n_items; i++) {
                        r = manifest_load_object(m, items->items[i], true, opts, diags);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0)
                                ret = r;
                }
                return ret;
        }

        if (!streq(kind, "Pod")) {
                const YNode *k = ynode_get(obj, "kind");
                if (streq(kind, "List"))
                        diag_node(diags, DIAG_ERROR, k, "kind", "a List may not contain another List");
                else if (kind_is_known(kind))
                        diag_node(diags, DIAG_ERROR, k, "kind",
                                  "kind %s is not supported yet: podctl runs v1 Pods (and Lists of them)", kind);
                else
                        diag_node(diags, DIAG_ERROR, k, "kind",
                                  "kind %s is not a kind podctl knows: podctl runs v1 Pods (and Lists of them)", kind);
                return -EINVAL;
        }
        if (!streq(api_version, "v1")) {
                diag_field(diags, DIAG_ERROR, obj, "apiVersion", "apiVersion",
                           "Unsupported value: \"%s\": supported values: \"v1\"", api_version);
                return -EINVAL;
        }

        Pod *pod = NULL;
        r = pod_load(obj, opts, &pod, diags);
        if (r < 0)
                return r;
        return manifest_add_pod(m, pod, diags);
}

int manifest_load(const char *buf, size_t len, const ManifestOptions *opts, Manifest **ret, Diags *diags) {
        _cleanup_(manifest_freep) Manifest *m = NULL;
        ManifestOptions defaults = MANIFEST_OPTIONS_DEFAULT;
        int r, ret_r = 0;

        *ret = NULL;
        if (!opts)
                opts = &defaults;

        m = calloc(1, sizeof(Manifest));
        if (!m)
                return -ENOMEM;

        r = ystream_parse(buf, len, &opts->limits, &m->stream, diags);
        if (r < 0)
                return r;

        for (size_t i = 0; i < m->stream->n_documents; i++) {
                const YNode *root = m->stream->documents[i].root;
                if (!root || (root->type == YNODE_SCALAR && root->kind == YSCALAR_NULL))
                        continue; /* an empty document, e.g. a trailing "---" */
                r = manifest_load_object(m, root, false, opts, diags);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        ret_r = r;
        }
        if (diags->oom)
                return -ENOMEM;

        *ret = TAKE_PTR(m);
        return ret_r;
}
