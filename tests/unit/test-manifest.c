/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "manifest.h"
#include "tests.h"

typedef struct Loaded {
        Manifest *m;
        Diags diags;
        int r;
} Loaded;

static Loaded load_with(const char *text, FieldValidation fv) {
        ManifestOptions opts = MANIFEST_OPTIONS_DEFAULT;
        opts.field_validation = fv;
        Loaded l = {};
        l.r = manifest_load(text, strlen(text), &opts, &l.m, &l.diags);
        diags_sort(&l.diags);
        return l;
}

static Loaded load(const char *text) {
        return load_with(text, FIELD_VALIDATION_STRICT);
}

static void loaded_done(Loaded *l) {
        manifest_free(l->m);
        diags_done(&l->diags);
}

/* The formatted findings, one per line, as podctl prints them. */
static char *findings(const Loaded *l) {
        static char buf[8192];
        buf[0] = 0;
        for (size_t i = 0; i < l->diags.n; i++) {
                char *s = diag_format(&l->diags.items[i], "t.yaml");
                ASSERT_NOT_NULL(s);
                strncat(buf, s, sizeof buf - strlen(buf) - 2);
                strcat(buf, "\n");
                free(s);
        }
        return buf;
}

static const char *const pod_a =
        "apiVersion: v1\n"
        "kind: Pod\n"
        "metadata: {name: a}\n"
        "spec:\n"
        "  containers: [{name: c, command: [/bin/true]}]\n";

TEST(single_pod_gets_defaults) {
        Loaded l = load(pod_a);
        ASSERT_OK(l.r);
        ASSERT_EQ(l.m->n_pods, 1);
        ASSERT_EQ(l.m->n_objects, 1);
        const Pod *p = l.m->pods[0];
        ASSERT_STREQ(p->metadata.name, "a");
        ASSERT_STREQ(p->metadata.namespace, "default");
        ASSERT_STREQ(p->spec.restart_policy, "Always");
        ASSERT_TRUE(p->spec.termination_grace_period_seconds.set);
        ASSERT_EQ(p->spec.termination_grace_period_seconds.value, 30);
        ASSERT_EQ(diags_errors(&l.diags), 0);
        loaded_done(&l);
}

TEST(every_valid_file) {
        static const char *const files[] = {
                "data/valid/flow-style.yaml", "data/valid/json.json",       "data/valid/multi-doc.yaml",
                "data/valid/list.yaml",       "data/valid/anchors.yaml",    "data/valid/crlf-no-newline.yaml",
                "data/valid/bom.yaml",        "data/valid/kubectl-output.yaml", "data/valid/full.yaml",
        };
        static const size_t pods[] = { 1, 1, 2, 2, 1, 1, 1, 1, 1 };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                size_t len;
                char *text = test_read_file(files[i], &len);
                Manifest *m = NULL;
                Diags d = {};
                int r = manifest_load(text, len, NULL, &m, &d);
                if (r < 0 || !m || m->n_pods != pods[i]) {
                        diags_sort(&d);
                        for (size_t k = 0; k < d.n; k++) {
                                char *s = diag_format(&d.items[k], files[i]);
                                fprintf(stderr, "%s\n", s);
                                free(s);
                        }
                        TEST_FAIL("%s: r=%d pods=%zu, expected %zu", files[i], r, m ? m->n_pods : 0, pods[i]);
                }
                ASSERT_EQ(diags_errors(&d), 0);
                manifest_free(m);
                diags_done(&d);
                free(text);
        }
}

TEST(anchored_container_is_shared) {
        char *text = test_read_file("data/valid/anchors.yaml", NULL);
        Loaded l = load(text);
        ASSERT_OK(l.r);
        const Pod *p = l.m->pods[0];
        ASSERT_EQ(p->spec.n_containers, 2);
        ASSERT_STREQ(p->spec.containers[0].name, "first");
        ASSERT_STREQ(p->spec.containers[1].name, "second");
        ASSERT_STREQ(p->spec.containers[1].command[0], "/bin/sleep");
        ASSERT_NOT_NULL(p->spec.containers[1].resources);
        ASSERT_EQ(quantity_milli_ceil(&p->spec.containers[1].resources->limits.items[0].quantity), 100);
        loaded_done(&l);
        free(text);
}

TEST(list_items_and_envelope_errors) {
        /* One valid item, one of an unsupported kind, one without kind: the valid one survives. */
        Loaded l = load("apiVersion: v1\n"
                        "kind: List\n"
                        "items:\n"
                        "- apiVersion: v1\n"
                        "  kind: Pod\n"
                        "  metadata: {name: ok}\n"
                        "  spec: {containers: [{name: c, command: [/bin/true]}]}\n"
                        "- apiVersion: apps/v1\n"
                        "  kind: Deployment\n"
                        "  metadata: {name: d}\n"
                        "- apiVersion: v1\n"
                        "  metadata: {name: nokind}\n");
        ASSERT_ERROR(l.r, EINVAL);
        ASSERT_NOT_NULL(l.m);
        ASSERT_EQ(l.m->n_pods, 1);
        ASSERT_EQ(l.m->n_objects, 3);
        ASSERT_STREQ(l.m->pods[0]->metadata.name, "ok");
        ASSERT_STREQ(findings(&l),
                     "t.yaml:7:23: warning: spec.containers[0].image: image is required by Kubernetes; podctl runs containers without one on the host's root filesystem\n"
                     "t.yaml:9:9: kind: kind Deployment is not supported yet: podctl runs v1 Pods (and Lists of them)\n"
                     "t.yaml:11:3: kind: Required value: every object needs apiVersion and kind (for a pod: apiVersion: v1, kind: Pod)\n");
        loaded_done(&l);
}

TEST(unknown_kind_and_api_version) {
        Loaded l = load("apiVersion: v2\nkind: Pod\nmetadata: {name: x}\n---\napiVersion: v1\nkind: Widget\n");
        ASSERT_ERROR(l.r, EINVAL);
        ASSERT_EQ(l.m->n_pods, 0);
        ASSERT_STREQ(findings(&l),
                     "t.yaml:1:13: apiVersion: Unsupported value: \"v2\": supported values: \"v1\"\n"
                     "t.yaml:6:7: kind: kind Widget is not a kind podctl knows: podctl runs v1 Pods (and Lists of them)\n");
        loaded_done(&l);
}

TEST(non_mapping_document) {
        Loaded l = load("- just\n- a list\n");
        ASSERT_ERROR(l.r, EINVAL);
        ASSERT_STREQ(findings(&l), "t.yaml:1:1: expected an object (a mapping with apiVersion and kind), got array\n");
        loaded_done(&l);
}

TEST(empty_stream_is_no_objects) {
        static const char *const texts[] = { "", "---\n", "# only a comment\n", "---\n...\n---\n", "~\n" };
        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                Loaded l = load(texts[i]);
                ASSERT_OK(l.r);
                ASSERT_EQ(l.m->n_objects, 0);
                ASSERT_EQ(l.diags.n, 0);
                loaded_done(&l);
        }
}

TEST(duplicate_pod_in_one_file) {
        char text[1024];
        snprintf(text, sizeof text, "%s---\n%s", pod_a, pod_a);
        Loaded l = load(text);
        ASSERT_ERROR(l.r, EINVAL);
        ASSERT_EQ(l.m->n_pods, 1);
        ASSERT_STREQ(findings(&l),
                     "t.yaml:5:16: warning: spec.containers[0].image: image is required by Kubernetes; podctl runs containers without one on the host's root filesystem\n"
                     "t.yaml:9:18: metadata.name: Duplicate value: \"default/a\": this file already declares that pod (line 3)\n"
                     "t.yaml:11:16: warning: spec.containers[0].image: image is required by Kubernetes; podctl runs containers without one on the host's root filesystem\n");
        loaded_done(&l);
}

TEST(list_unknown_field_follows_policy) {
        static const char *const text = "apiVersion: v1\nkind: List\nitemz: []\n";
        Loaded l = load_with(text, FIELD_VALIDATION_STRICT);
        ASSERT_ERROR(l.r, EINVAL);
        ASSERT_STREQ(findings(&l), "t.yaml:3:1: unknown field \"itemz\"\n");
        loaded_done(&l);

        l = load_with(text, FIELD_VALIDATION_WARN);
        ASSERT_OK(l.r);
        ASSERT_STREQ(findings(&l), "t.yaml:3:1: warning: unknown field \"itemz\"\n");
        loaded_done(&l);

        l = load_with(text, FIELD_VALIDATION_IGNORE);
        ASSERT_OK(l.r);
        ASSERT_EQ(l.diags.n, 0);
        loaded_done(&l);
}

TEST(yaml_error_gives_no_manifest) {
        Loaded l = load("apiVersion: v1\nkind: Pod\n  bad: indent\n");
        ASSERT_ERROR(l.r, EINVAL);
        ASSERT_NULL(l.m);
        ASSERT_TRUE(diags_errors(&l.diags) > 0);
        ASSERT_TRUE(l.diags.items[0].line == 3);
        loaded_done(&l);
}

TEST(field_validation_strings) {
        ASSERT_EQ(field_validation_from_string("strict"), FIELD_VALIDATION_STRICT);
        ASSERT_EQ(field_validation_from_string("true"), FIELD_VALIDATION_STRICT);
        ASSERT_EQ(field_validation_from_string("warn"), FIELD_VALIDATION_WARN);
        ASSERT_EQ(field_validation_from_string("ignore"), FIELD_VALIDATION_IGNORE);
        ASSERT_EQ(field_validation_from_string("false"), FIELD_VALIDATION_IGNORE);
        ASSERT_EQ(field_validation_from_string("Strict"), _FIELD_VALIDATION_INVALID);
        ASSERT_EQ(field_validation_from_string(NULL), _FIELD_VALIDATION_INVALID);
        for (FieldValidation v = 0; v < _FIELD_VALIDATION_MAX; v++)
                ASSERT_EQ(field_validation_from_string(field_validation_to_string(v)), v);
        ASSERT_NULL(field_validation_to_string(_FIELD_VALIDATION_MAX));
}
