/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "diag.h"
#include "pod-model.h"

/* Kubernetes' ValidatePodCreate rules (k8s-semantics.md §7.2–7.5) on a defaulted Pod, plus the API's
 * warnings (§7.7) and podctl's own (fields that do nothing on one host). Every finding goes to diags with
 * Kubernetes' wording ("Required value", "Invalid value: …: …", "Duplicate value: …", "Unsupported value:
 * …: supported values: …", "Forbidden: …"). Returns 0 or -EINVAL when any error was found. */
int pod_validate(const Pod *p, Diags *diags);
