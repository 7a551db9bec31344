/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "diag.h"
#include "macro.h"
#include "pod-model.h"

/* The unit plan: what a validated Pod becomes in systemd, as plain data. Two back-ends serialise it: the
 * unit-file text of `podctl render` (plan-render.c) and, in podd, StartTransientUnit messages. Every
 * property carries the D-Bus name and signature systemd's transient-unit API expects, plus the manifest
 * field that produced it, so `render` can say why each line is there.
 *
 * Pure: no I/O. Times are microseconds, like systemd's usec_t. */

typedef enum UnitPropType {
        UNIT_PROP_STRING,    /* "s"  */
        UNIT_PROP_BOOL,      /* "b"  */
        UNIT_PROP_U64,       /* "t"  */
        UNIT_PROP_U32,       /* "u"  */
        UNIT_PROP_I32,       /* "i"  */
        UNIT_PROP_USEC,      /* "t", printed as a time span */
        UNIT_PROP_STRV,      /* "as" */
        UNIT_PROP_EXEC,      /* "a(sasb)": one command: path, argv, ignore-failure */
        UNIT_PROP_BYTES_LIST, /* "aay": LogExtraFields */
        UNIT_PROP_BIND_PATHS, /* "a(ssbt)": BindPaths/BindReadOnlyPaths */
        _UNIT_PROP_TYPE_MAX,
        _UNIT_PROP_TYPE_INVALID = -EINVAL,
} UnitPropType;

/* argv holds the literal words. systemd expands $VAR and ${VAR} in command lines at exec time (and the
 * unit-file syntax adds % specifiers), while Kubernetes passes words untouched: every back-end writes '$'
 * as '$$' (and '%' as '%%' in unit files). The plan never relies on systemd's expansion. */
typedef struct UnitExec {
        char *path;  /* absolute */
        char **argv; /* argv[0] included */
        bool ignore_failure;
} UnitExec;

typedef struct UnitBindPath {
        char *source;
        char *destination;
        bool ignore_enoent;
        bool recursive;
} UnitBindPath;

typedef struct UnitProp {
        const char *name; /* the D-Bus property name: "MemoryMax", "TimeoutStopUSec", "ExecStart" */
        UnitPropType type;
        char *str;        /* STRING */
        bool b;           /* BOOL */
        uint64_t u64;     /* U64, U32, USEC */
        int32_t i32;      /* I32 */
        char **strv;      /* STRV, BYTES_LIST */
        UnitExec exec;    /* EXEC */
        UnitBindPath *binds; /* BIND_PATHS */
        size_t n_binds;
        char *origin;     /* manifest field path that produced it, e.g. "spec.containers[0].resources.limits.memory" */
} UnitProp;

typedef enum UnitKind {
        UNIT_SLICE,
        UNIT_SERVICE,
        _UNIT_KIND_MAX,
        _UNIT_KIND_INVALID = -EINVAL,
} UnitKind;

typedef struct PlannedUnit {
        char *name;    /* "pod-default-web-nginx.service" */
        UnitKind kind;
        ContainerRole role;   /* services only */
        char *container_name; /* services only */
        UnitProp *props;
        size_t n_props;
        size_t allocated_props;
} PlannedUnit;

typedef struct UnitPlan {
        /* In start order: namespace slice, pod slice, then services for init containers (in order),
         * sidecars, app containers. */
        PlannedUnit *units;
        size_t n_units;
        size_t allocated_units;
} UnitPlan;

/* Where the runtime pieces live; the plan embeds these paths in ExecStartPost=/ExecStop=. */
typedef struct PlanContext {
        const char *hook_path; /* the hook helper, e.g. /usr/libexec/podctl/pod-hook */
        const char *pod_uid;   /* for LogExtraFields POD_UID=; may be NULL before podd assigned one */
        const char *state_dir; /* podd's per-pod data root, e.g. /var/lib/pods: emptyDir lives below it */
        const char *runtime_dir; /* e.g. /run/pods: configMap/secret/downwardAPI files are materialised below it */
        unsigned systemd_version; /* the manager's Version: >= 254 gets RestartSteps=/RestartMaxDelaySec= */
} PlanContext;

#define PLAN_CONTEXT_DEFAULT                                                                               \
        ((PlanContext) { .hook_path = POD_HOOK_DEFAULT_PATH, .state_dir = "/var/lib/pods",                  \
                         .runtime_dir = "/run/pods", .systemd_version = 252 })
#define POD_HOOK_DEFAULT_PATH "/usr/libexec/podctl/pod-hook"

/* Builds the plan of a validated, defaulted pod. Problems that only show on the systemd side (a unit name
 * over 255 bytes, an environment variable name systemd cannot pass, a CPU limit below systemd's
 * resolution) are added to diags as errors with their field path and make it return -EINVAL. */
int unit_plan_build(const Pod *pod, const PlanContext *ctx, UnitPlan **ret, Diags *diags);
UnitPlan *unit_plan_free(UnitPlan *plan);
DEFINE_TRIVIAL_CLEANUP_FUNC(UnitPlan *, unit_plan_free);

/* Where volume v of pod lives on the host (the BindPaths= source the plan mounts): hostPath's path; an
 * emptyDir below state_dir/UID/volumes (runtime_dir for medium Memory); API data volumes (configMap,
 * secret, downwardAPI, projected) below runtime_dir/UID/volumes, read-only. podd prepares exactly these
 * before it starts the containers. Caller frees; NULL on OOM. */
char *unit_plan_volume_source(const Pod *pod, const PlanContext *ctx, const Volume *v, bool *ret_read_only);

const PlannedUnit *unit_plan_find(const UnitPlan *plan, const char *name) _pure_;
const UnitProp *planned_unit_get(const PlannedUnit *u, const char *prop_name) _pure_;
const char *unit_prop_signature(UnitPropType t) _pure_;

/* Unit-file text of the whole plan, each unit headed by "# <name>" and each property preceded by a
 * "# from <origin>" comment. Caller frees. */
char *unit_plan_render(const UnitPlan *plan);
