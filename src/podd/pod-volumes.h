/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "unit-plan.h"

/* The host side of a pod's volumes, done before its containers start and undone when the pod is gone:
 * emptyDir directories (mode 0777 like the kubelet's, so any runAsUser can write), hostPath type checks
 * and DirectoryOrCreate/FileOrCreate, the files of downwardAPI volumes, subPath directories inside
 * emptyDirs. configMap and secret volumes need objects podctl cannot hold yet: a non-optional one is an
 * error, an optional one an empty directory. Paths come from unit_plan_volume_source(), the rule the plan
 * mounts with. */

/* On failure returns -EINVAL (or an errno) with *ret_error saying why, in the kubelet's words where it
 * has some (`hostPath type check failed: /x is not a directory`, `configmap "x" not found`). */
int pod_volumes_prepare(const Pod *pod, const PlanContext *ctx, char **ret_error);
/* Removes the pod's own data (state_dir/UID and runtime_dir/UID), never a hostPath. */
int pod_volumes_remove(const Pod *pod, const PlanContext *ctx);
