/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <curl/curl.h>
#include <stdbool.h>

/* libcurl helpers shared by pod-hook (hooks) and podd's prober (probes): both follow an httpGet's redirects
 * by hand, because the kubelet's clients follow only those to the same host name (k8s-semantics.md §1.2). */

/* The host name of url as libcurl parses it (an IPv6 literal in brackets), or NULL when url does not parse
 * or on OOM. Free with free(). */
char *url_host(const char *url);

/* Whether url (a redirect's Location, already resolved against the request URL) names origin_host; the port
 * may differ. False when either is NULL or url does not parse. */
bool url_same_host(const char *origin_host, const char *url);

/* Appends each of lines (a NULL-terminated list, e.g. http_request_headers()' output) to *l. -ENOMEM leaves
 * *l with what was appended so far, for the caller to free with the rest. */
int curl_slist_append_strv(struct curl_slist **l, char *const *lines);
