/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "diag.h"
#include "pod-model.h"

/* Applies Kubernetes' defaults (k8s-semantics.md §7.1) in place; also rounds resource quantities up to
 * milli precision. A negative terminationGracePeriodSeconds becomes 1 with a warning, as the API does.
 * -ENOMEM only. */
int pod_apply_defaults(Pod *p, Diags *diags);
