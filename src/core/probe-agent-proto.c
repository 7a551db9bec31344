/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "probe-agent-proto.h"

int probe_agent_request_encode(void *buf, size_t size, uint64_t id, uint64_t timeout_usec,
                               char *const *candidates, char *const *argv, size_t *ret_size) {
        size_t n = sizeof(ProbeAgentRequest), n_candidates = 0;

        if (!candidates[0] || !argv[0] || size < n)
                return -EINVAL;
        for (int pass = 0; pass < 2; pass++)
                for (char *const *s = pass == 0 ? candidates : argv; *s; s++) {
                        size_t len = strlen(*s) + 1;
                        if (n + len > size || n + len - sizeof(ProbeAgentRequest) > PROBE_AGENT_REQUEST_MAX)
                                return -E2BIG;
                        memcpy((char *) buf + n, *s, len);
                        n += len;
                        n_candidates += pass == 0;
                }
        ProbeAgentRequest head = { .type = PROBE_AGENT_RUN, .n_candidates = (uint32_t) n_candidates,
                                   .id = id, .timeout_usec = timeout_usec };
        memcpy(buf, &head, sizeof head);
        *ret_size = n;
        return 0;
}

int probe_agent_request_decode(const char *buf, size_t size, ProbeAgentRequest *ret_head, const char **vec,
                               const char ***ret_candidates, const char ***ret_argv) {
        ProbeAgentRequest head;
        size_t n = 0;

        if (size < sizeof head)
                return -EBADMSG;
        memcpy(&head, buf, sizeof head);
        *ret_head = head;
        if (head.type == PROBE_AGENT_CANCEL)
                return 0;
        if (head.type != PROBE_AGENT_RUN)
                return -EBADMSG;

        const char *p = buf + sizeof head, *end = buf + size;
        if (p == end || end[-1] != '\0')
                return -EBADMSG;
        while (p < end) {
                vec[n++] = p;
                p += strlen(p) + 1;
        }
        if (head.n_candidates == 0 || head.n_candidates >= n)
                return -EBADMSG;
        /* Candidates, a NULL, then argv, a NULL: argv moves up by one to make room. */
        memmove(vec + head.n_candidates + 1, vec + head.n_candidates, (n - head.n_candidates) * sizeof(char *));
        vec[head.n_candidates] = NULL;
        vec[n + 1] = NULL;
        *ret_candidates = vec;
        *ret_argv = vec + head.n_candidates + 1;
        return 0;
}
