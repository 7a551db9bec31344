/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "pod-decode.h"
#include "string-util.h"
#include "strv.h"

/* One table per Kubernetes object type, one row per field (json name as in k8s.io/api core/v1). Every field
 * of the real API is listed: decoded into the model, ignored with a warning (meaningless on one host),
 * dropped silently (server-set metadata) or refused (cannot be honoured here). Only a name that is in no
 * table is an "unknown field".
 *
 * Type rules follow what Kubernetes does with a YAML manifest (converted to JSON, then decoded strictly by
 * encoding/json): a YAML int is never a string (`value: 8080` fails, as it does in Kubernetes), a quoted
 * "8080" is never an int, booleans come only from YAML booleans, int32 fields refuse values outside int32,
 * and null means "absent". A wrongly typed value is reported at the value and left at its zero value, and
 * decoding continues, so one run reports every problem. */

typedef enum FieldKind {
        FIELD_STRING,        /* char * */
        FIELD_STRV,          /* char ** */
        FIELD_INT32,         /* OptInt, value within int32 */
        FIELD_INT64,         /* OptInt */
        FIELD_BOOL,          /* OptBool */
        FIELD_INT_OR_STRING, /* IntOrString, int part within int32 */
        FIELD_STRMAP,        /* StrMap */
        FIELD_RESOURCE_LIST, /* ResourceList */
        FIELD_QUANTITY,      /* Quantity, with a bool "has" flag at aux */
        FIELD_INT64_ARRAY,   /* int64_t *, count (size_t) at aux */
        FIELD_OBJECT,        /* pointer to a struct of `type`, allocated when the key is there */
        FIELD_OBJECT_INLINE, /* struct of `type` embedded at offset */
        FIELD_ARRAY,         /* array of `type`, count (size_t) at aux */
        FIELD_IGNORED,       /* valid Kubernetes, meaningless on one host: warning, nothing stored */
        FIELD_UNSUPPORTED,   /* valid Kubernetes that podctl cannot honour: error */
        FIELD_SILENT,        /* valid Kubernetes, set by a server (metadata.resourceVersion, status…): dropped */
        FIELD_CUSTOM,        /* decoded by `hook` */
} FieldKind;

typedef struct Decoder {
        Diags *diags;
        FieldValidation fv;
        bool oom;
} Decoder;

typedef struct ObjectType ObjectType;
typedef struct Field Field;

/* A custom field decoder; the value is never null (null means absent and is skipped before). */
typedef void (*FieldHook)(Decoder *d, const Field *f, const YNode *value, const char *path, void *obj);
/* Runs after every field of an object was decoded. */
typedef void (*ObjectFinish)(Decoder *d, const YNode *node, const char *path, void *obj);

struct Field {
        const char *name;
        FieldKind kind;
        size_t offset;
        size_t aux;
        const ObjectType *type;
        const char *note; /* IGNORED, UNSUPPORTED: why */
        FieldHook hook;
        bool volume_source; /* a key of VolumeSource: counted in Volume.n_sources */
};

struct ObjectType {
        size_t size;
        bool has_src; /* the struct starts with `const YNode *src` */
        const Field *fields;
        size_t n_fields;
        ObjectFinish finish;
};

#define F_STRING(n, T, m) { .name = n, .kind = FIELD_STRING, .offset = offsetof(T, m) }
#define F_STRV(n, T, m) { .name = n, .kind = FIELD_STRV, .offset = offsetof(T, m) }
#define F_INT32(n, T, m) { .name = n, .kind = FIELD_INT32, .offset = offsetof(T, m) }
#define F_INT64(n, T, m) { .name = n, .kind = FIELD_INT64, .offset = offsetof(T, m) }
#define F_BOOL(n, T, m) { .name = n, .kind = FIELD_BOOL, .offset = offsetof(T, m) }
#define F_INT_OR_STRING(n, T, m) { .name = n, .kind = FIELD_INT_OR_STRING, .offset = offsetof(T, m) }
#define F_STRMAP(n, T, m) { .name = n, .kind = FIELD_STRMAP, .offset = offsetof(T, m) }
#define F_RESOURCE_LIST(n, T, m) { .name = n, .kind = FIELD_RESOURCE_LIST, .offset = offsetof(T, m) }
#define F_QUANTITY(n, T, m, has) \
        { .name = n, .kind = FIELD_QUANTITY, .offset = offsetof(T, m), .aux = offsetof(T, has) }
#define F_INT64_ARRAY(n, T, m, count) \
        { .name = n, .kind = FIELD_INT64_ARRAY, .offset = offsetof(T, m), .aux = offsetof(T, count) }
#define F_OBJECT(n, T, m, t) { .name = n, .kind = FIELD_OBJECT, .offset = offsetof(T, m), .type = &(t) }
#define F_INLINE(n, T, m, t) { .name = n, .kind = FIELD_OBJECT_INLINE, .offset = offsetof(T, m), .type = &(t) }
#define F_ARRAY(n, T, m, count, t) \
        { .name = n, .kind = FIELD_ARRAY, .offset = offsetof(T, m), .aux = offsetof(T, count), .type = &(t) }
#define F_IGNORED(n, why) { .name = n, .kind = FIELD_IGNORED, .note = why }
#define F_UNSUPPORTED(n, why) { .name = n, .kind = FIELD_UNSUPPORTED, .note = why }
#define F_SILENT(n) { .name = n, .kind = FIELD_SILENT }
#define F_CUSTOM(n, h) { .name = n, .kind = FIELD_CUSTOM, .hook = h }

#define OBJECT_TYPE(T, f, fin) { sizeof(T), true, f, ELEMENTSOF(f), fin }

#define SINGLE_HOST "podctl runs pods on a single host"
#define NOT_YET "not supported by podctl yet"

/* ---- helpers ---- */

static bool is_null(const YNode *n) {
        return !n || (n->type == YNODE_SCALAR && n->kind == YSCALAR_NULL);
}

static bool is_string(const YNode *n) {
        return n->type == YNODE_SCALAR && n->kind == YSCALAR_STRING;
}

static char *path_field(Decoder *d, const char *parent, const char *name) {
        char *p = isempty(parent) ? strdup(name) : asprintf_safe("%s.%s", parent, name);
        if (!p)
                d->oom = true;
        return p;
}

static char *path_index(Decoder *d, const char *parent, size_t i) {
        char *p = asprintf_safe("%s[%zu]", parent, i);
        if (!p)
                d->oom = true;
        return p;
}

static char *path_key(Decoder *d, const char *parent, const char *key) {
        char *p = asprintf_safe("%s[%s]", parent, key);
        if (!p)
                d->oom = true;
        return p;
}

static char *dup_or_oom(Decoder *d, const char *s) {
        char *c = strdup(s);
        if (!c)
                d->oom = true;
        return c;
}

/* The one wording of every type mismatch, modelled on field.TypeInvalid and matching manifest.c. */
static void type_error(Decoder *d, const YNode *value, const char *path, const char *expected) {
        diag_node(d->diags, DIAG_ERROR, value, path, "Invalid value: must be %s, got %s", expected,
                  ynode_type_name(value));
}

/* A plain integer too large for int64 resolves as a float in the YAML tree; name it as an overflow rather
 * than as "a number". */
static bool looks_like_integer(const char *s) {
        if (*s == '+' || *s == '-')
                s++;
        if (!*s)
                return false;
        for (; *s; s++)
                if (!(*s >= '0' && *s <= '9') && *s != '_')
                        return false;
        return true;
}

static bool decode_int(Decoder *d, const YNode *value, const char *path, bool int32, int64_t *ret) {
        const char *range = int32 ? "a 32-bit integer" : "a 64-bit integer";

        if (value->type == YNODE_SCALAR && value->kind == YSCALAR_INT) {
                if (int32 && (value->int_value < INT32_MIN || value->int_value > INT32_MAX)) {
                        diag_node(d->diags, DIAG_ERROR, value, path, "Invalid value: must be %s, got %s", range,
                                  value->value);
                        return false;
                }
                *ret = value->int_value;
                return true;
        }
        if (value->type == YNODE_SCALAR && value->kind == YSCALAR_FLOAT && looks_like_integer(value->value)) {
                diag_node(d->diags, DIAG_ERROR, value, path, "Invalid value: must be %s, got %s", range,
                          value->value);
                return false;
        }
        type_error(d, value, path, "an integer");
        return false;
}

/* Kubernetes accepts a quantity as a JSON string or number; anything that does not parse gets
 * apimachinery's ErrFormatWrong text. */
static bool decode_quantity(Decoder *d, const YNode *value, const char *path, Quantity *ret) {
        char buf[32];
        const char *text;
        int r;

        if (value->type != YNODE_SCALAR) {
                type_error(d, value, path, "a quantity");
                return false;
        }
        if (value->kind == YSCALAR_INT) {
                /* The resolved number, not the spelling: 0x10 or 1_000 reach Kubernetes as JSON numbers. */
                (void) snprintf(buf, sizeof buf, "%" PRIi64, value->int_value);
                text = buf;
        } else
                text = value->value;

        r = quantity_parse(text, ret);
        if (r == -ERANGE) {
                diag_node(d->diags, DIAG_ERROR, value, path, "Invalid value: \"%s\": quantity is too large", text);
                return false;
        }
        if (r < 0) {
                diag_node(d->diags, DIAG_ERROR, value, path,
                          "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
                return false;
        }
        return true;
}

static void decode_object(Decoder *d, const ObjectType *t, const YNode *node, const char *path, void *obj);

static void decode_strv(Decoder *d, const YNode *value, const char *path, char ***ret) {
        char **l;

        if (value->type != YNODE_SEQUENCE) {
                type_error(d, value, path, "an array");
                return;
        }

        l = calloc(value->n_items + 1, sizeof(char *));
        if (!l) {
                d->oom = true;
                return;
        }
        strv_free(*ret);
        *ret = l;

        for (size_t i = 0; i < value->n_items; i++) {
                const YNode *item = value->items[i];

                /* A bad or null element keeps its place as "" (Go's zero value), so later indices still
                 * name the manifest's elements. */
                if (!is_null(item) && !is_string(item)) {
                        _cleanup_(freep) char *p = path_index(d, path, i);
                        if (p)
                                type_error(d, item, p, "a string");
                }
                l[i] = dup_or_oom(d, is_string(item) ? item->value : "");
                if (!l[i]) {
                        /* Keep the vector terminated and owned: free the tail we will not fill. */
                        for (size_t k = i + 1; k <= value->n_items; k++)
                                l[k] = NULL;
                        return;
                }
        }
}

static void decode_str_map(Decoder *d, const YNode *value, const char *path, StrMap *m) {
        if (value->type != YNODE_MAPPING) {
                type_error(d, value, path, "an object");
                return;
        }
        m->src = value;
        if (value->n_pairs == 0)
                return;
        m->items = calloc(value->n_pairs, sizeof(KeyValue));
        if (!m->items) {
                d->oom = true;
                return;
        }

        for (size_t i = 0; i < value->n_pairs; i++) {
                const YPair *pair = value->pairs + i;

                if (!is_null(pair->value) && !is_string(pair->value)) {
                        _cleanup_(freep) char *p = path_key(d, path, pair->key->value);
                        if (p)
                                type_error(d, pair->value, p, "a string");
                        continue;
                }
                KeyValue *kv = m->items + m->n;
                kv->key = dup_or_oom(d, pair->key->value);
                kv->value = dup_or_oom(d, is_string(pair->value) ? pair->value->value : "");
                kv->src = pair->value;
                m->n++;
                if (d->oom)
                        return;
        }
}

static void decode_resource_list(Decoder *d, const YNode *value, const char *path, ResourceList *l) {
        if (value->type != YNODE_MAPPING) {
                type_error(d, value, path, "an object");
                return;
        }
        l->src = value;
        if (value->n_pairs == 0)
                return;
        l->items = calloc(value->n_pairs, sizeof(ResourceQuantity));
        if (!l->items) {
                d->oom = true;
                return;
        }

        for (size_t i = 0; i < value->n_pairs; i++) {
                const YPair *pair = value->pairs + i;
                ResourceQuantity *q = l->items + l->n;

                /* null is the zero quantity, as apimachinery's Quantity.UnmarshalJSON reads it. */
                if (!is_null(pair->value)) {
                        _cleanup_(freep) char *p = path_key(d, path, pair->key->value);
                        if (!p)
                                return;
                        if (!decode_quantity(d, pair->value, p, &q->quantity))
                                continue;
                } else
                        q->quantity = (Quantity) {};
                q->name = dup_or_oom(d, pair->key->value);
                if (!q->name)
                        return;
                q->src = pair->value;
                l->n++;
        }
}

static void decode_int64_array(Decoder *d, const YNode *value, const char *path, int64_t **ret, size_t *ret_n) {
        if (value->type != YNODE_SEQUENCE) {
                type_error(d, value, path, "an array");
                return;
        }
        if (value->n_items == 0)
                return;

        int64_t *a = calloc(value->n_items, sizeof(int64_t));
        if (!a) {
                d->oom = true;
                return;
        }
        free(*ret);
        *ret = a;
        *ret_n = value->n_items;

        for (size_t i = 0; i < value->n_items; i++) {
                if (is_null(value->items[i]))
                        continue;
                _cleanup_(freep) char *p = path_index(d, path, i);
                if (!p)
                        return;
                (void) decode_int(d, value->items[i], p, /* int32= */ false, a + i);
        }
}

static void decode_array(Decoder *d, const Field *f, const YNode *value, const char *path, void *obj) {
        void **array = (void **) ((uint8_t *) obj + f->offset);
        size_t *n = (size_t *) ((uint8_t *) obj + f->aux);
        const ObjectType *t = f->type;

        if (value->type != YNODE_SEQUENCE) {
                type_error(d, value, path, "an array");
                return;
        }
        if (value->n_items == 0)
                return;

        uint8_t *a = calloc(value->n_items, t->size);
        if (!a) {
                d->oom = true;
                return;
        }
        /* Handed over before the elements are filled, so a partly decoded array is freed with the pod. */
        *array = a;
        *n = value->n_items;

        for (size_t i = 0; i < value->n_items && !d->oom; i++) {
                const YNode *item = value->items[i];
                void *element = a + i * t->size;

                _cleanup_(freep) char *p = path_index(d, path, i);
                if (!p)
                        return;
                if (item->type == YNODE_MAPPING)
                        decode_object(d, t, item, p, element);
                else {
                        /* null is an empty element, as in Go; anything else is an error. Either way the
                         * element keeps its node so later findings have a position. */
                        if (!is_null(item))
                                type_error(d, item, p, "an object");
                        if (t->has_src)
                                *(const YNode **) element = item;
                }
        }
}

static void decode_field(Decoder *d, const Field *f, const YNode *key, const YNode *value, const char *parent,
                         void *obj) {
        uint8_t *at = (uint8_t *) obj + f->offset;

        switch (f->kind) {
        case FIELD_SILENT:
                return;

        case FIELD_IGNORED:
                /* An empty value asks for nothing, so there is nothing to warn about. */
                if (is_null(value) || (value->type == YNODE_MAPPING && value->n_pairs == 0) ||
                    (value->type == YNODE_SEQUENCE && value->n_items == 0))
                        return;
                diag_node(d->diags, DIAG_WARNING, key, isempty(parent) ? NULL : parent, "%s is ignored: %s", f->name,
                          f->note);
                return;

        case FIELD_UNSUPPORTED:
                if (is_null(value))
                        return;
                diag_node(d->diags, DIAG_ERROR, key, isempty(parent) ? NULL : parent, "Unsupported value: \"%s\": %s",
                          f->name, f->note);
                return;

        default:
                break;
        }

        if (is_null(value))
                return; /* null is absent, as for Go's encoding/json */

        _cleanup_(freep) char *path = path_field(d, parent, f->name);
        if (!path)
                return;

        switch (f->kind) {
        case FIELD_STRING: {
                char **s = (char **) at;
                if (!is_string(value)) {
                        type_error(d, value, path, "a string");
                        return;
                }
                free(*s);
                *s = dup_or_oom(d, value->value);
                return;
        }

        case FIELD_STRV:
                decode_strv(d, value, path, (char ***) at);
                return;

        case FIELD_INT32:
        case FIELD_INT64: {
                OptInt *o = (OptInt *) at;
                int64_t v;
                if (decode_int(d, value, path, f->kind == FIELD_INT32, &v))
                        *o = (OptInt) { true, v };
                return;
        }

        case FIELD_BOOL: {
                OptBool *o = (OptBool *) at;
                if (value->type != YNODE_SCALAR || value->kind != YSCALAR_BOOL) {
                        type_error(d, value, path, "a boolean");
                        return;
                }
                *o = (OptBool) { true, value->bool_value };
                return;
        }

        case FIELD_INT_OR_STRING: {
                IntOrString *o = (IntOrString *) at;
                if (is_string(value)) {
                        char *s = dup_or_oom(d, value->value);
                        if (!s)
                                return;
                        free(o->str_value);
                        *o = (IntOrString) { .set = true, .is_string = true, .str_value = s };
                        return;
                }
                if (value->type != YNODE_SCALAR ||
                    !(value->kind == YSCALAR_INT ||
                      (value->kind == YSCALAR_FLOAT && looks_like_integer(value->value)))) {
                        type_error(d, value, path, "an integer or a string");
                        return;
                }
                int64_t v;
                if (decode_int(d, value, path, /* int32= */ true, &v)) {
                        free(o->str_value);
                        *o = (IntOrString) { .set = true, .int_value = v };
                }
                return;
        }

        case FIELD_STRMAP:
                decode_str_map(d, value, path, (StrMap *) at);
                return;

        case FIELD_RESOURCE_LIST:
                decode_resource_list(d, value, path, (ResourceList *) at);
                return;

        case FIELD_QUANTITY:
                if (decode_quantity(d, value, path, (Quantity *) at))
                        *(bool *) ((uint8_t *) obj + f->aux) = true;
                return;

        case FIELD_INT64_ARRAY:
                decode_int64_array(d, value, path, (int64_t **) at, (size_t *) ((uint8_t *) obj + f->aux));
                return;

        case FIELD_OBJECT: {
                void **p = (void **) at;
                if (value->type != YNODE_MAPPING) {
                        type_error(d, value, path, "an object");
                        return;
                }
                if (!*p) {
                        *p = calloc(1, f->type->size);
                        if (!*p) {
                                d->oom = true;
                                return;
                        }
                }
                decode_object(d, f->type, value, path, *p);
                return;
        }

        case FIELD_OBJECT_INLINE:
                if (value->type != YNODE_MAPPING) {
                        type_error(d, value, path, "an object");
                        return;
                }
                decode_object(d, f->type, value, path, at);
                return;

        case FIELD_ARRAY:
                decode_array(d, f, value, path, obj);
                return;

        case FIELD_CUSTOM:
                f->hook(d, f, value, path, obj);
                return;

        default:
                assert(false);
        }
}

static void unknown_field(Decoder *d, const YNode *key, const char *parent) {
        if (d->fv == FIELD_VALIDATION_IGNORE)
                return;
        /* Located at the key: that is where the typo is. The path is the object that has no such field, as
         * Kubernetes names it in "strict decoding error: unknown field". */
        diag_node(d->diags, d->fv == FIELD_VALIDATION_STRICT ? DIAG_ERROR : DIAG_WARNING, key,
                  isempty(parent) ? NULL : parent, "unknown field \"%s\"", key->value);
}

static const Field *find_field(const ObjectType *t, const char *name) {
        /* Case matters: `ImagePullPolicy` is unknown, as for Kubernetes' strict decoder. */
        for (size_t i = 0; i < t->n_fields; i++)
                if (streq(t->fields[i].name, name))
                        return t->fields + i;
        return NULL;
}

static void decode_object(Decoder *d, const ObjectType *t, const YNode *node, const char *path, void *obj) {
        if (t->has_src)
                *(const YNode **) obj = node;

        for (size_t i = 0; i < node->n_pairs && !d->oom; i++) {
                const YPair *pair = node->pairs + i;
                const Field *f = find_field(t, pair->key->value);

                if (f)
                        decode_field(d, f, pair->key, pair->value, path, obj);
                else
                        unknown_field(d, pair->key, path);
        }

        if (t->finish && !d->oom)
                t->finish(d, node, path, obj);
}

/* The key node of `name` in a mapping, for findings about a field as a whole. */
static const YNode *mapping_key(const YNode *map, const char *name) {
        for (size_t i = 0; i < map->n_pairs; i++)
                if (streq(map->pairs[i].key->value, name))
                        return map->pairs[i].key;
        return NULL;
}

/* ---- tables, leaves first ---- */

static const Field object_field_selector_fields[] = {
        F_STRING("apiVersion", ObjectFieldSelector, api_version),
        F_STRING("fieldPath", ObjectFieldSelector, field_path),
};
static const ObjectType object_field_selector_type =
        OBJECT_TYPE(ObjectFieldSelector, object_field_selector_fields, NULL);

static const Field resource_field_selector_fields[] = {
        F_STRING("containerName", ResourceFieldSelector, container_name),
        F_STRING("resource", ResourceFieldSelector, resource),
        F_QUANTITY("divisor", ResourceFieldSelector, divisor, has_divisor),
};
static const ObjectType resource_field_selector_type =
        OBJECT_TYPE(ResourceFieldSelector, resource_field_selector_fields, NULL);

static const Field key_selector_fields[] = {
        F_STRING("name", KeySelector, name),
        F_STRING("key", KeySelector, key),
        F_BOOL("optional", KeySelector, optional),
};
static const ObjectType key_selector_type = OBJECT_TYPE(KeySelector, key_selector_fields, NULL);

static const Field env_var_source_fields[] = {
        F_OBJECT("fieldRef", EnvVarSource, field_ref, object_field_selector_type),
        F_OBJECT("resourceFieldRef", EnvVarSource, resource_field_ref, resource_field_selector_type),
        F_OBJECT("configMapKeyRef", EnvVarSource, config_map_key_ref, key_selector_type),
        F_OBJECT("secretKeyRef", EnvVarSource, secret_key_ref, key_selector_type),
        F_UNSUPPORTED("fileKeyRef", "environment variables from files are " NOT_YET),
};
static const ObjectType env_var_source_type = OBJECT_TYPE(EnvVarSource, env_var_source_fields, NULL);

static const Field env_var_fields[] = {
        F_STRING("name", EnvVar, name),
        F_STRING("value", EnvVar, value),
        F_OBJECT("valueFrom", EnvVar, value_from, env_var_source_type),
};
static const ObjectType env_var_type = OBJECT_TYPE(EnvVar, env_var_fields, NULL);

static const Field local_object_ref_fields[] = {
        F_STRING("name", LocalObjectRef, name),
        F_BOOL("optional", LocalObjectRef, optional),
};
static const ObjectType local_object_ref_type = OBJECT_TYPE(LocalObjectRef, local_object_ref_fields, NULL);

static const Field env_from_source_fields[] = {
        F_STRING("prefix", EnvFromSource, prefix),
        F_OBJECT("configMapRef", EnvFromSource, config_map_ref, local_object_ref_type),
        F_OBJECT("secretRef", EnvFromSource, secret_ref, local_object_ref_type),
};
static const ObjectType env_from_source_type = OBJECT_TYPE(EnvFromSource, env_from_source_fields, NULL);

static const Field container_port_fields[] = {
        F_STRING("name", ContainerPort, name),
        F_INT32("hostPort", ContainerPort, host_port),
        F_INT32("containerPort", ContainerPort, container_port),
        F_STRING("protocol", ContainerPort, protocol),
        F_STRING("hostIP", ContainerPort, host_ip),
};
static const ObjectType container_port_type = OBJECT_TYPE(ContainerPort, container_port_fields, NULL);

static const Field volume_mount_fields[] = {
        F_STRING("name", VolumeMount, name),
        F_BOOL("readOnly", VolumeMount, read_only),
        F_UNSUPPORTED("recursiveReadOnly", "recursive read-only mounts are " NOT_YET),
        F_STRING("mountPath", VolumeMount, mount_path),
        F_STRING("subPath", VolumeMount, sub_path),
        F_STRING("mountPropagation", VolumeMount, mount_propagation),
        F_STRING("subPathExpr", VolumeMount, sub_path_expr),
        F_UNSUPPORTED("bindMountOptions", "bind mount options are " NOT_YET),
};
static const ObjectType volume_mount_type = OBJECT_TYPE(VolumeMount, volume_mount_fields, NULL);

static const Field resource_requirements_fields[] = {
        F_RESOURCE_LIST("limits", ResourceRequirements, limits),
        F_RESOURCE_LIST("requests", ResourceRequirements, requests),
        F_IGNORED("claims", "dynamic resource claims need a cluster; " SINGLE_HOST),
};
static const ObjectType resource_requirements_type =
        OBJECT_TYPE(ResourceRequirements, resource_requirements_fields, NULL);

/* -- handlers -- */

static const Field exec_action_fields[] = {
        F_STRV("command", ExecAction, command),
};
static const ObjectType exec_action_type = OBJECT_TYPE(ExecAction, exec_action_fields, NULL);

static const Field http_header_fields[] = {
        F_STRING("name", HTTPHeader, name),
        F_STRING("value", HTTPHeader, value),
};
static const ObjectType http_header_type = OBJECT_TYPE(HTTPHeader, http_header_fields, NULL);

static const Field http_get_action_fields[] = {
        F_STRING("path", HTTPGetAction, path),
        F_INT_OR_STRING("port", HTTPGetAction, port),
        F_STRING("host", HTTPGetAction, host),
        F_STRING("scheme", HTTPGetAction, scheme),
        F_ARRAY("httpHeaders", HTTPGetAction, http_headers, n_http_headers, http_header_type),
        F_UNSUPPORTED("protocol", "HTTP/2 probes are " NOT_YET),
};
static const ObjectType http_get_action_type = OBJECT_TYPE(HTTPGetAction, http_get_action_fields, NULL);

static const Field tcp_socket_action_fields[] = {
        F_INT_OR_STRING("port", TCPSocketAction, port),
        F_STRING("host", TCPSocketAction, host),
};
static const ObjectType tcp_socket_action_type = OBJECT_TYPE(TCPSocketAction, tcp_socket_action_fields, NULL);

static const Field grpc_action_fields[] = {
        F_INT32("port", GRPCAction, port),
        F_STRING("service", GRPCAction, service),
        F_UNSUPPORTED("mode", "gRPC probes over TLS are " NOT_YET),
};
static const ObjectType grpc_action_type = OBJECT_TYPE(GRPCAction, grpc_action_fields, NULL);

static const Field sleep_action_fields[] = {
        F_INT64("seconds", SleepAction, seconds),
};
static const ObjectType sleep_action_type = OBJECT_TYPE(SleepAction, sleep_action_fields, NULL);

/* LifecycleHandler: no grpc. */
static const Field lifecycle_handler_fields[] = {
        F_OBJECT("exec", Handler, exec, exec_action_type),
        F_OBJECT("httpGet", Handler, http_get, http_get_action_type),
        F_OBJECT("tcpSocket", Handler, tcp_socket, tcp_socket_action_type),
        F_OBJECT("sleep", Handler, sleep, sleep_action_type),
};
static const ObjectType lifecycle_handler_type = OBJECT_TYPE(Handler, lifecycle_handler_fields, NULL);

static const Field lifecycle_fields[] = {
        F_OBJECT("postStart", Lifecycle, post_start, lifecycle_handler_type),
        F_OBJECT("preStop", Lifecycle, pre_stop, lifecycle_handler_type),
        F_STRING("stopSignal", Lifecycle, stop_signal),
};
static const ObjectType lifecycle_type = OBJECT_TYPE(Lifecycle, lifecycle_fields, NULL);

static void probe_finish(Decoder *d, const YNode *node, const char *path, void *obj) {
        Probe *p = obj;
        /* The ProbeHandler is embedded in Kubernetes' Probe: its keys sit in the probe's own mapping. */
        p->handler.src = node;
}

/* Probe with ProbeHandler inline: no sleep. */
static const Field probe_fields[] = {
        F_OBJECT("exec", Probe, handler.exec, exec_action_type),
        F_OBJECT("httpGet", Probe, handler.http_get, http_get_action_type),
        F_OBJECT("tcpSocket", Probe, handler.tcp_socket, tcp_socket_action_type),
        F_OBJECT("grpc", Probe, handler.grpc, grpc_action_type),
        F_INT32("initialDelaySeconds", Probe, initial_delay_seconds),
        F_INT32("timeoutSeconds", Probe, timeout_seconds),
        F_INT32("periodSeconds", Probe, period_seconds),
        F_INT32("successThreshold", Probe, success_threshold),
        F_INT32("failureThreshold", Probe, failure_threshold),
        F_INT64("terminationGracePeriodSeconds", Probe, termination_grace_period_seconds),
};
static const ObjectType probe_type = OBJECT_TYPE(Probe, probe_fields, probe_finish);

/* -- security -- */

#define LINUX_ONLY "podctl runs Linux containers"
#define NO_APPARMOR "podctl does not apply AppArmor profiles; use seccompProfile"

static const Field capabilities_fields[] = {
        F_STRV("add", Capabilities, add),
        F_STRV("drop", Capabilities, drop),
};
static const ObjectType capabilities_type = OBJECT_TYPE(Capabilities, capabilities_fields, NULL);

static const Field seccomp_profile_fields[] = {
        F_STRING("type", SeccompProfile, type),
        F_STRING("localhostProfile", SeccompProfile, localhost_profile),
};
static const ObjectType seccomp_profile_type = OBJECT_TYPE(SeccompProfile, seccomp_profile_fields, NULL);

static const Field selinux_options_fields[] = {
        F_STRING("user", SELinuxOptions, user),
        F_STRING("role", SELinuxOptions, role),
        F_STRING("type", SELinuxOptions, type),
        F_STRING("level", SELinuxOptions, level),
};
static const ObjectType selinux_options_type = OBJECT_TYPE(SELinuxOptions, selinux_options_fields, NULL);

static const Field security_context_fields[] = {
        F_OBJECT("capabilities", SecurityContext, capabilities, capabilities_type),
        F_BOOL("privileged", SecurityContext, privileged),
        F_OBJECT("seLinuxOptions", SecurityContext, se_linux_options, selinux_options_type),
        F_IGNORED("windowsOptions", LINUX_ONLY),
        F_INT64("runAsUser", SecurityContext, run_as_user),
        F_INT64("runAsGroup", SecurityContext, run_as_group),
        F_BOOL("runAsNonRoot", SecurityContext, run_as_non_root),
        F_BOOL("readOnlyRootFilesystem", SecurityContext, read_only_root_filesystem),
        F_BOOL("allowPrivilegeEscalation", SecurityContext, allow_privilege_escalation),
        F_STRING("procMount", SecurityContext, proc_mount),
        F_OBJECT("seccompProfile", SecurityContext, seccomp_profile, seccomp_profile_type),
        F_IGNORED("appArmorProfile", NO_APPARMOR),
};
static const ObjectType security_context_type = OBJECT_TYPE(SecurityContext, security_context_fields, NULL);

static const Field sysctl_fields[] = {
        F_STRING("name", Sysctl, name),
        F_STRING("value", Sysctl, value),
};
static const ObjectType sysctl_type = OBJECT_TYPE(Sysctl, sysctl_fields, NULL);

static const Field pod_security_context_fields[] = {
        F_OBJECT("seLinuxOptions", PodSecurityContext, se_linux_options, selinux_options_type),
        F_IGNORED("windowsOptions", LINUX_ONLY),
        F_INT64("runAsUser", PodSecurityContext, run_as_user),
        F_INT64("runAsGroup", PodSecurityContext, run_as_group),
        F_BOOL("runAsNonRoot", PodSecurityContext, run_as_non_root),
        F_INT64_ARRAY("supplementalGroups", PodSecurityContext, supplemental_groups, n_supplemental_groups),
        F_UNSUPPORTED("supplementalGroupsPolicy", "supplemental group policies are " NOT_YET),
        F_INT64("fsGroup", PodSecurityContext, fs_group),
        F_ARRAY("sysctls", PodSecurityContext, sysctls, n_sysctls, sysctl_type),
        F_STRING("fsGroupChangePolicy", PodSecurityContext, fs_group_change_policy),
        F_OBJECT("seccompProfile", PodSecurityContext, seccomp_profile, seccomp_profile_type),
        F_IGNORED("appArmorProfile", NO_APPARMOR),
        F_IGNORED("seLinuxChangePolicy", "volumes on one host are relabelled by podctl itself"),
};
static const ObjectType pod_security_context_type =
        OBJECT_TYPE(PodSecurityContext, pod_security_context_fields, NULL);

/* -- containers -- */

static const Field container_fields[] = {
        F_STRING("name", Container, name),
        F_STRING("image", Container, image),
        F_STRV("command", Container, command),
        F_STRV("args", Container, args),
        F_STRING("workingDir", Container, working_dir),
        F_ARRAY("ports", Container, ports, n_ports, container_port_type),
        F_ARRAY("envFrom", Container, env_from, n_env_from, env_from_source_type),
        F_ARRAY("env", Container, env, n_env, env_var_type),
        F_OBJECT("resources", Container, resources, resource_requirements_type),
        F_IGNORED("resizePolicy", "podctl does not resize running containers in place"),
        F_STRING("restartPolicy", Container, restart_policy),
        F_UNSUPPORTED("restartPolicyRules", "per-exit-code restart rules are " NOT_YET),
        F_ARRAY("volumeMounts", Container, volume_mounts, n_volume_mounts, volume_mount_type),
        F_UNSUPPORTED("volumeDevices", "raw block devices are not supported; use a volumeMount"),
        F_OBJECT("livenessProbe", Container, liveness_probe, probe_type),
        F_OBJECT("readinessProbe", Container, readiness_probe, probe_type),
        F_OBJECT("startupProbe", Container, startup_probe, probe_type),
        F_OBJECT("lifecycle", Container, lifecycle, lifecycle_type),
        F_STRING("terminationMessagePath", Container, termination_message_path),
        F_STRING("terminationMessagePolicy", Container, termination_message_policy),
        F_STRING("imagePullPolicy", Container, image_pull_policy),
        F_OBJECT("securityContext", Container, security_context, security_context_type),
        F_BOOL("stdin", Container, stdin_),
        F_BOOL("stdinOnce", Container, stdin_once),
        F_BOOL("tty", Container, tty),
};
static const ObjectType container_type = OBJECT_TYPE(Container, container_fields, NULL);

/* -- volumes -- */

#define USER_FIELDS "file owners in volumes are " NOT_YET

static const Field key_to_path_fields[] = {
        F_STRING("key", KeyToPath, key),
        F_STRING("path", KeyToPath, path),
        F_INT32("mode", KeyToPath, mode),
        F_UNSUPPORTED("user", USER_FIELDS),
};
static const ObjectType key_to_path_type = OBJECT_TYPE(KeyToPath, key_to_path_fields, NULL);

static const Field empty_dir_fields[] = {
        F_STRING("medium", EmptyDirVolumeSource, medium),
        F_QUANTITY("sizeLimit", EmptyDirVolumeSource, size_limit, has_size_limit),
        F_UNSUPPORTED("mode", "emptyDir modes are " NOT_YET),
};
static const ObjectType empty_dir_type = OBJECT_TYPE(EmptyDirVolumeSource, empty_dir_fields, NULL);

static const Field host_path_fields[] = {
        F_STRING("path", HostPathVolumeSource, path),
        F_STRING("type", HostPathVolumeSource, type),
};
static const ObjectType host_path_type = OBJECT_TYPE(HostPathVolumeSource, host_path_fields, NULL);

static const Field config_map_volume_fields[] = {
        F_STRING("name", ConfigMapVolumeSource, name),
        F_ARRAY("items", ConfigMapVolumeSource, items, n_items, key_to_path_type),
        F_INT32("defaultMode", ConfigMapVolumeSource, default_mode),
        F_BOOL("optional", ConfigMapVolumeSource, optional),
        F_UNSUPPORTED("defaultUser", USER_FIELDS),
};
static const ObjectType config_map_volume_type = OBJECT_TYPE(ConfigMapVolumeSource, config_map_volume_fields, NULL);

/* SecretVolumeSource names its secret `secretName`, where a ConfigMap volume says `name`. */
static const Field secret_volume_fields[] = {
        F_STRING("secretName", ConfigMapVolumeSource, name),
        F_ARRAY("items", ConfigMapVolumeSource, items, n_items, key_to_path_type),
        F_INT32("defaultMode", ConfigMapVolumeSource, default_mode),
        F_BOOL("optional", ConfigMapVolumeSource, optional),
        F_UNSUPPORTED("defaultUser", USER_FIELDS),
};
static const ObjectType secret_volume_type = OBJECT_TYPE(ConfigMapVolumeSource, secret_volume_fields, NULL);

/* ConfigMapProjection and SecretProjection: `name`, and no defaultMode (the projected volume has it). */
static const Field projection_fields[] = {
        F_STRING("name", ConfigMapVolumeSource, name),
        F_ARRAY("items", ConfigMapVolumeSource, items, n_items, key_to_path_type),
        F_BOOL("optional", ConfigMapVolumeSource, optional),
};
static const ObjectType projection_type = OBJECT_TYPE(ConfigMapVolumeSource, projection_fields, NULL);

static const Field downward_api_file_fields[] = {
        F_STRING("path", DownwardAPIVolumeFile, path),
        F_OBJECT("fieldRef", DownwardAPIVolumeFile, field_ref, object_field_selector_type),
        F_OBJECT("resourceFieldRef", DownwardAPIVolumeFile, resource_field_ref, resource_field_selector_type),
        F_INT32("mode", DownwardAPIVolumeFile, mode),
        F_UNSUPPORTED("user", USER_FIELDS),
};
static const ObjectType downward_api_file_type = OBJECT_TYPE(DownwardAPIVolumeFile, downward_api_file_fields, NULL);

static const Field downward_api_volume_fields[] = {
        F_ARRAY("items", DownwardAPIVolumeSource, items, n_items, downward_api_file_type),
        F_INT32("defaultMode", DownwardAPIVolumeSource, default_mode),
        F_UNSUPPORTED("defaultUser", USER_FIELDS),
};
static const ObjectType downward_api_volume_type =
        OBJECT_TYPE(DownwardAPIVolumeSource, downward_api_volume_fields, NULL);

static const Field downward_api_projection_fields[] = {
        F_ARRAY("items", DownwardAPIVolumeSource, items, n_items, downward_api_file_type),
};
static const ObjectType downward_api_projection_type =
        OBJECT_TYPE(DownwardAPIVolumeSource, downward_api_projection_fields, NULL);

static const Field service_account_token_fields[] = {
        F_STRING("audience", ServiceAccountTokenProjection, audience),
        F_INT64("expirationSeconds", ServiceAccountTokenProjection, expiration_seconds),
        F_STRING("path", ServiceAccountTokenProjection, path),
        F_UNSUPPORTED("user", USER_FIELDS),
};
static const ObjectType service_account_token_type =
        OBJECT_TYPE(ServiceAccountTokenProjection, service_account_token_fields, NULL);

static const Field volume_projection_fields[] = {
        F_OBJECT("secret", VolumeProjection, secret, projection_type),
        F_OBJECT("downwardAPI", VolumeProjection, downward_api, downward_api_projection_type),
        F_OBJECT("configMap", VolumeProjection, config_map, projection_type),
        F_OBJECT("serviceAccountToken", VolumeProjection, service_account_token, service_account_token_type),
        F_UNSUPPORTED("clusterTrustBundle", "cluster trust bundles need a cluster; " SINGLE_HOST),
        F_UNSUPPORTED("podCertificate", "pod certificates need a cluster; " SINGLE_HOST),
};
static const ObjectType volume_projection_type = OBJECT_TYPE(VolumeProjection, volume_projection_fields, NULL);

static const Field projected_volume_fields[] = {
        F_ARRAY("sources", ProjectedVolumeSource, sources, n_sources, volume_projection_type),
        F_INT32("defaultMode", ProjectedVolumeSource, default_mode),
        F_UNSUPPORTED("defaultUser", USER_FIELDS),
};
static const ObjectType projected_volume_type = OBJECT_TYPE(ProjectedVolumeSource, projected_volume_fields, NULL);

#define VOLUME_UNSUPPORTED \
        "not supported on a single host; supported volume types: emptyDir, hostPath, configMap, secret, " \
        "downwardAPI, projected"
#define F_VOLUME(n, m, t) \
        { .name = n, .kind = FIELD_OBJECT, .offset = offsetof(Volume, m), .type = &(t), .volume_source = true }
#define F_VOLUME_UNSUPPORTED(n) \
        { .name = n, .kind = FIELD_UNSUPPORTED, .note = VOLUME_UNSUPPORTED, .volume_source = true }

static void volume_finish(Decoder *d, const YNode *node, const char *path, void *obj);

static const Field volume_fields[] = {
        F_STRING("name", Volume, name),
        F_VOLUME("hostPath", host_path, host_path_type),
        F_VOLUME("emptyDir", empty_dir, empty_dir_type),
        F_VOLUME_UNSUPPORTED("gcePersistentDisk"),
        F_VOLUME_UNSUPPORTED("awsElasticBlockStore"),
        F_VOLUME_UNSUPPORTED("gitRepo"),
        F_VOLUME("secret", secret, secret_volume_type),
        F_VOLUME_UNSUPPORTED("nfs"),
        F_VOLUME_UNSUPPORTED("iscsi"),
        F_VOLUME_UNSUPPORTED("glusterfs"),
        F_VOLUME_UNSUPPORTED("persistentVolumeClaim"),
        F_VOLUME_UNSUPPORTED("rbd"),
        F_VOLUME_UNSUPPORTED("flexVolume"),
        F_VOLUME_UNSUPPORTED("cinder"),
        F_VOLUME_UNSUPPORTED("cephfs"),
        F_VOLUME_UNSUPPORTED("flocker"),
        F_VOLUME("downwardAPI", downward_api, downward_api_volume_type),
        F_VOLUME_UNSUPPORTED("fc"),
        F_VOLUME_UNSUPPORTED("azureFile"),
        F_VOLUME("configMap", config_map, config_map_volume_type),
        F_VOLUME_UNSUPPORTED("vsphereVolume"),
        F_VOLUME_UNSUPPORTED("quobyte"),
        F_VOLUME_UNSUPPORTED("azureDisk"),
        F_VOLUME_UNSUPPORTED("photonPersistentDisk"),
        F_VOLUME("projected", projected, projected_volume_type),
        F_VOLUME_UNSUPPORTED("portworxVolume"),
        F_VOLUME_UNSUPPORTED("scaleIO"),
        F_VOLUME_UNSUPPORTED("storageos"),
        F_VOLUME_UNSUPPORTED("csi"),
        F_VOLUME_UNSUPPORTED("ephemeral"),
        F_VOLUME_UNSUPPORTED("image"),
};
static const ObjectType volume_type = OBJECT_TYPE(Volume, volume_fields, volume_finish);

static void volume_finish(Decoder *d, const YNode *node, const char *path, void *obj) {
        Volume *v = obj;

        /* Every source key given counts, refused ones too, so "may not specify more than 1 volume type"
         * can still be reported next to the refusal. */
        v->n_sources = 0;
        for (size_t i = 0; i < node->n_pairs; i++) {
                const Field *f = find_field(&volume_type, node->pairs[i].key->value);
                if (f && f->volume_source && !is_null(node->pairs[i].value))
                        v->n_sources++;
        }
}

/* -- pod spec -- */

static const Field dns_option_fields[] = {
        F_STRING("name", PodDNSConfigOption, name),
        F_STRING("value", PodDNSConfigOption, value),
};
static const ObjectType dns_option_type = OBJECT_TYPE(PodDNSConfigOption, dns_option_fields, NULL);

static const Field dns_config_fields[] = {
        F_STRV("nameservers", PodDNSConfig, nameservers),
        F_STRV("searches", PodDNSConfig, searches),
        F_ARRAY("options", PodDNSConfig, options, n_options, dns_option_type),
};
static const ObjectType dns_config_type = OBJECT_TYPE(PodDNSConfig, dns_config_fields, NULL);

static const Field host_alias_fields[] = {
        F_STRING("ip", HostAlias, ip),
        F_STRV("hostnames", HostAlias, hostnames),
};
static const ObjectType host_alias_type = OBJECT_TYPE(HostAlias, host_alias_fields, NULL);

/* PodOS has no struct of its own: its one field lands in PodSpec.os_name. */
static const Field pod_os_fields[] = {
        F_STRING("name", PodSpec, os_name),
};
static const ObjectType pod_os_type = { sizeof(PodSpec), false, pod_os_fields, ELEMENTSOF(pod_os_fields), NULL };

/* spec.serviceAccount is the deprecated spelling of serviceAccountName; Kubernetes uses it when
 * serviceAccountName is empty (kubectl output has both). Type-checked here, applied in pod_spec_finish. */
static void decode_deprecated_service_account(Decoder *d, const Field *f, const YNode *value, const char *path,
                                              void *obj) {
        if (!is_string(value))
                type_error(d, value, path, "a string");
}

static void pod_spec_finish(Decoder *d, const YNode *node, const char *path, void *obj) {
        PodSpec *s = obj;

        for (size_t i = 0; i < s->n_init_containers; i++)
                s->init_containers[i].role = streq_ptr(s->init_containers[i].restart_policy, "Always")
                                                     ? CONTAINER_SIDECAR : CONTAINER_INIT;
        for (size_t i = 0; i < s->n_containers; i++)
                s->containers[i].role = CONTAINER_APP;

        const YNode *sa = ynode_get(node, "serviceAccount");
        if (isempty(s->service_account_name) && sa && is_string(sa) && !isempty(sa->value)) {
                free(s->service_account_name);
                s->service_account_name = dup_or_oom(d, sa->value);
        }

        /* Stored (defaulting fills in "default-scheduler"), but only the default means anything here. */
        if (s->scheduler_name && !streq(s->scheduler_name, "default-scheduler"))
                diag_node(d->diags, DIAG_WARNING, mapping_key(node, "schedulerName"), isempty(path) ? NULL : path,
                          "schedulerName is ignored: " SINGLE_HOST " and schedules nothing");
}

#define F_SPEC_IGNORED(n) F_IGNORED(n, SINGLE_HOST)

static const Field pod_spec_fields[] = {
        F_ARRAY("volumes", PodSpec, volumes, n_volumes, volume_type),
        F_ARRAY("initContainers", PodSpec, init_containers, n_init_containers, container_type),
        F_ARRAY("containers", PodSpec, containers, n_containers, container_type),
        F_UNSUPPORTED("ephemeralContainers", "ephemeral containers cannot be set on create"),
        F_STRING("restartPolicy", PodSpec, restart_policy),
        F_INT64("terminationGracePeriodSeconds", PodSpec, termination_grace_period_seconds),
        F_INT64("activeDeadlineSeconds", PodSpec, active_deadline_seconds),
        F_STRING("dnsPolicy", PodSpec, dns_policy),
        F_SPEC_IGNORED("nodeSelector"),
        F_STRING("serviceAccountName", PodSpec, service_account_name),
        F_CUSTOM("serviceAccount", decode_deprecated_service_account),
        F_BOOL("automountServiceAccountToken", PodSpec, automount_service_account_token),
        F_SPEC_IGNORED("nodeName"),
        F_BOOL("hostNetwork", PodSpec, host_network),
        F_BOOL("hostPID", PodSpec, host_pid),
        F_BOOL("hostIPC", PodSpec, host_ipc),
        F_BOOL("shareProcessNamespace", PodSpec, share_process_namespace),
        F_OBJECT("securityContext", PodSpec, security_context, pod_security_context_type),
        F_IGNORED("imagePullSecrets", "podctl does not pull images from registries yet"),
        F_STRING("hostname", PodSpec, hostname),
        F_STRING("subdomain", PodSpec, subdomain),
        F_SPEC_IGNORED("affinity"),
        F_STRING("schedulerName", PodSpec, scheduler_name),
        F_SPEC_IGNORED("tolerations"),
        F_ARRAY("hostAliases", PodSpec, host_aliases, n_host_aliases, host_alias_type),
        F_SPEC_IGNORED("priorityClassName"),
        F_SPEC_IGNORED("priority"),
        F_OBJECT("dnsConfig", PodSpec, dns_config, dns_config_type),
        F_SPEC_IGNORED("readinessGates"),
        F_IGNORED("runtimeClassName", "podctl has one runtime: systemd services"),
        F_BOOL("enableServiceLinks", PodSpec, enable_service_links),
        F_SPEC_IGNORED("preemptionPolicy"),
        F_SPEC_IGNORED("overhead"),
        F_SPEC_IGNORED("topologySpreadConstraints"),
        F_IGNORED("setHostnameAsFQDN", "pods on a single host have no cluster domain"),
        /* offset 0: pod_os_type's rows are PodSpec offsets */
        { .name = "os", .kind = FIELD_OBJECT_INLINE, .offset = 0, .type = &pod_os_type },
        F_IGNORED("hostUsers", "user namespaces are " NOT_YET),
        F_SPEC_IGNORED("schedulingGates"),
        F_SPEC_IGNORED("resourceClaims"),
        F_UNSUPPORTED("resources", "pod-level resources are " NOT_YET "; set them per container"),
        F_UNSUPPORTED("hostnameOverride", NOT_YET "; use hostname"),
        F_SPEC_IGNORED("schedulingGroup"),
        F_SPEC_IGNORED("evictionResponders"),
};
static const ObjectType pod_spec_type = OBJECT_TYPE(PodSpec, pod_spec_fields, pod_spec_finish);

/* -- pod -- */

/* The rest of ObjectMeta is set by the API server; `kubectl get -o yaml` output pasted back carries it, so
 * it is accepted and dropped without a word. */
static const Field object_meta_fields[] = {
        F_STRING("name", ObjectMeta, name),
        F_STRING("generateName", ObjectMeta, generate_name),
        F_STRING("namespace", ObjectMeta, namespace),
        F_SILENT("selfLink"),
        F_STRING("uid", ObjectMeta, uid),
        F_SILENT("resourceVersion"),
        F_SILENT("generation"),
        F_SILENT("creationTimestamp"),
        F_SILENT("deletionTimestamp"),
        F_SILENT("deletionGracePeriodSeconds"),
        F_STRMAP("labels", ObjectMeta, labels),
        F_STRMAP("annotations", ObjectMeta, annotations),
        F_SILENT("ownerReferences"),
        F_STRV("finalizers", ObjectMeta, finalizers),
        F_SILENT("managedFields"),
};
static const ObjectType object_meta_type = OBJECT_TYPE(ObjectMeta, object_meta_fields, NULL);

static const Field pod_fields[] = {
        F_STRING("apiVersion", Pod, api_version),
        F_STRING("kind", Pod, kind),
        F_INLINE("metadata", Pod, metadata, object_meta_type),
        F_INLINE("spec", Pod, spec, pod_spec_type),
        F_SILENT("status"),
};
static const ObjectType pod_type = OBJECT_TYPE(Pod, pod_fields, NULL);

int pod_decode(const YNode *root, FieldValidation fv, Pod **ret, Diags *diags) {
        _cleanup_(pod_freep) Pod *pod = NULL;
        Decoder d = { .diags = diags, .fv = fv };
        size_t errors_before = diags_errors(diags);

        assert(root);
        assert(ret);
        assert(diags);

        *ret = NULL;

        pod = calloc(1, sizeof(Pod));
        if (!pod)
                return -ENOMEM;

        if (root->type != YNODE_MAPPING)
                type_error(&d, root, NULL, "an object");
        else
                decode_object(&d, &pod_type, root, "", pod);

        if (d.oom || diags->oom)
                return -ENOMEM;

        *ret = TAKE_PTR(pod);
        return diags_errors(diags) > errors_before ? -EINVAL : 0;
}
