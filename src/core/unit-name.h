/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* systemd's unit-name escaping (systemd-escape, unit_name_escape()): '/' → '-', and every byte outside
 * [A-Za-z0-9:_.] (plus a leading '.') → "\xNN". Reversible, so unit names map back to the Kubernetes
 * names they carry. */
char *unit_name_escape(const char *s);
int unit_name_unescape(const char *s, char **ret); /* -EINVAL on a malformed escape */

/* Unit names for a pod. Kubernetes names are DNS-1123 (no '\\', no '/'); the escaped form of each part
 * has no '-', so '-' can separate parts and the slice nesting stays exactly namespace → pod:
 *   pod.slice                                   (all pods)
 *   pod-<ns>.slice                              (one namespace)
 *   pod-<ns>-<pod>.slice                        (one pod)
 *   pod-<ns>-<pod>-<container>.service          (one container; the service lives in the pod slice)
 * Parts are escaped with unit_name_escape, so "-" in a Kubernetes name becomes "\x2d". Every result is
 * checked against systemd's 255-byte limit: -ENAMETOOLONG if it does not fit. */
int unit_name_namespace_slice(const char *ns, char **ret);
int unit_name_pod_slice(const char *ns, const char *pod, char **ret);
int unit_name_container_service(const char *ns, const char *pod, const char *container, char **ret);
/* Splits a name made by the functions above back into its parts (NULL for absent ones). -EINVAL when it
 * is not one of ours. */
int unit_name_parse(const char *unit, char **ret_ns, char **ret_pod, char **ret_container);
bool unit_name_is_valid(const char *name) _pure_;
#define UNIT_NAME_MAX 255
