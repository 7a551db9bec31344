/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "pod-model.h"

/* How the kubelet builds an httpGet request, for hooks and probes alike (k8s-semantics.md §1.2;
 * pkg/probe/http/request.go → NewRequestForHTTPGetAction, pkg/probe/util.go → ResolveContainerPort). Pure:
 * the prober (podd) and pod-hook do the I/O with libcurl, so headers come out in libcurl's syntax. */

/* The Kubernetes release whose behaviour podctl follows; both default user agents carry it. */
#define KUBE_VERSION "1.33"
#define HTTP_USER_AGENT_PROBE "kube-probe/" KUBE_VERSION
#define HTTP_USER_AGENT_LIFECYCLE "kube-lifecycle/" KUBE_VERSION

/* One httpHeaders entry as written in the manifest (or passed on to pod-hook). */
typedef struct HttpHeaderRef {
        const char *name;
        const char *value;
} HttpHeaderRef;

/* net.JoinHostPort: "host:port", an IPv6 literal (a host with a colon) in brackets. NULL on OOM. */
char *http_host_port(const char *host, uint16_t port);

/* formatURL: scheme (lower-cased) "://" host:port, then path (NULL or empty: "/"; a "/" is inserted when
 * the path lacks one; "?query" kept; bytes a request line cannot carry percent-escaped). NULL on OOM. */
char *http_request_url(const char *scheme, const char *host, uint16_t port, const char *path);

/* newProbeRequest + Go's request writer, as libcurl CURLOPT_HTTPHEADER lines: "Name: value" is sent as
 * is; "Name;" sends a header with an empty value; "Name:" removes one libcurl would add itself. Every entry
 * is added (entries without a name are skipped); Host and User-Agent are single-valued (the first counts;
 * an empty Host leaves the URL's, an empty User-Agent sends none); default_user_agent unless one is given;
 * Accept defaults to the catch-all and an empty first Accept removes every Accept. -ENOMEM only. */
int http_request_headers(const HttpHeaderRef *headers, size_t n, const char *default_user_agent, char ***ret);

/* ResolveContainerPort: a number as is, a name from the container's own ports[].name (c may be NULL: no
 * ports), else the string parsed as a decimal number; 1–65535. -EINVAL with *ret_error set (the kubelet's
 * Go wording) when it does not resolve; -ENOMEM. Used for httpGet and tcpSocket ports. */
int container_port_resolve(const Container *c, const IntOrString *port, uint16_t *ret, char **ret_error);
