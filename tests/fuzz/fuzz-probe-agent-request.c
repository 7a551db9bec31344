/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pod-probe-agent decodes every record podd sends it: no input may crash the decoder, and what it accepts
 * must survive a round trip through podd's encoder. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "probe-agent-proto.h"

static size_t count(const char **v) {
        size_t n = 0;
        while (v[n])
                n++;
        return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        ProbeAgentRequest head, head2;
        const char **candidates, **argv, **candidates2, **argv2;

        if (size > sizeof(ProbeAgentRequest) + PROBE_AGENT_REQUEST_MAX)
                return 0;
        /* The decoder's contract: room for size + 2 pointers. */
        const char **vec = calloc(size + 2, sizeof(char *)), **vec2 = calloc(size + 2, sizeof(char *));
        char *buf = malloc(size + 1), *out = malloc(size + 1);
        if (!vec || !vec2 || !buf || !out)
                abort();
        memcpy(buf, data, size);

        if (probe_agent_request_decode(buf, size, &head, vec, &candidates, &argv) >= 0 &&
            head.type == PROBE_AGENT_RUN) {
                size_t n;
                if (count(candidates) != head.n_candidates || count(argv) == 0)
                        abort();
                if (probe_agent_request_encode(out, size + 1, head.id, head.timeout_usec, (char *const *) candidates,
                                               (char *const *) argv, &n) < 0 || n != size)
                        abort();
                if (probe_agent_request_decode(out, n, &head2, vec2, &candidates2, &argv2) < 0 ||
                    head2.id != head.id || count(candidates2) != count(candidates) || count(argv2) != count(argv))
                        abort();
                for (size_t i = 0; argv[i]; i++)
                        if (strcmp(argv[i], argv2[i]) != 0)
                                abort();
        }
        free(vec);
        free(vec2);
        free(buf);
        free(out);
        return 0;
}
