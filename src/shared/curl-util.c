/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "curl-util.h"

char *url_host(const char *url) {
        CURLU *u;
        char *host = NULL, *ret = NULL;

        if (!url)
                return NULL;
        u = curl_url();
        if (!u)
                return NULL;
        if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
                /* strdup: curl_free() and free() need not be the same allocator. */
                ret = strdup(host);
                curl_free(host);
        }
        curl_url_cleanup(u);
        return ret;
}

bool url_same_host(const char *origin_host, const char *url) {
        char *host;
        bool same;

        if (!origin_host)
                return false;
        host = url_host(url);
        /* The kubelet compares req.URL.Hostname() with the first request's; host names are compared here
         * without regard to case, as DNS does. */
        same = host && strcasecmp(host, origin_host) == 0;
        free(host);
        return same;
}

int curl_slist_append_strv(struct curl_slist **l, char *const *lines) {
        for (char *const *line = lines; line && *line; line++) {
                struct curl_slist *n = curl_slist_append(*l, *line);
                if (!n)
                        return -ENOMEM;
                *l = n;
        }
        return 0;
}
