/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "diag.h"
#include "pod-model.h"
#include "yaml-tree.h"

/* The front door of the core: manifest text → validated Pods. Splits the stream into objects (documents,
 * and the items of `kind: List`), dispatches each on apiVersion/kind, decodes, defaults and validates. */

typedef enum FieldValidation {
        FIELD_VALIDATION_STRICT, /* unknown fields are errors (kubectl's default) */
        FIELD_VALIDATION_WARN,   /* … warnings */
        FIELD_VALIDATION_IGNORE, /* … dropped silently */
        _FIELD_VALIDATION_MAX,
        _FIELD_VALIDATION_INVALID = -EINVAL,
} FieldValidation;

typedef struct ManifestOptions {
        FieldValidation field_validation;
        YLimits limits;
} ManifestOptions;

#define MANIFEST_OPTIONS_DEFAULT ((ManifestOptions) { FIELD_VALIDATION_STRICT, YLIMITS_DEFAULT })

typedef struct Manifest {
        YStream *stream; /* owns every YNode the pods point at */
        Pod **pods;      /* only objects that decoded, defaulted and validated with no error */
        size_t n_pods;
        size_t n_objects; /* every object found, valid or not */
} Manifest;

/* Loads buf. Every finding goes to diags (paths are relative to the object: "spec.containers[0].name";
 * objects after the first get no prefix either, their line numbers tell them apart). Returns 0 when every
 * object is valid, -EINVAL when any error was found (valid objects are still in *ret), -ENOMEM. *ret is set
 * on 0 and on -EINVAL, except when the text is not loadable YAML at all: then it is NULL. */
int manifest_load(const char *buf, size_t len, const ManifestOptions *opts, Manifest **ret, Diags *diags);
Manifest *manifest_free(Manifest *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manifest *, manifest_free);

const char *field_validation_to_string(FieldValidation v) _pure_;
FieldValidation field_validation_from_string(const char *s) _pure_;
