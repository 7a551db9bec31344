/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "diag.h"
#include "manifest.h"
#include "pod-model.h"

/* YAML object → Pod, driven by one table row per Kubernetes field. Type mismatches are errors worded as
 * Kubernetes' decoder words them; unknown fields are errors, warnings or dropped per `fv`; fields that are
 * valid Kubernetes but mean nothing on one host (nodeSelector, affinity, tolerations, …) are warnings that
 * say they are ignored; volume sources that cannot exist on one host (persistentVolumeClaim, nfs, …) are
 * errors. Decoding continues past errors to report them all. Returns 0, -EINVAL (errors in diags; *ret
 * is still set, partially filled, so validation can add more findings) or -ENOMEM. */
int pod_decode(const YNode *root, FieldValidation fv, Pod **ret, Diags *diags);
