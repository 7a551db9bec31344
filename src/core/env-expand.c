/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "env-expand.h"
#include "strbuf.h"

/* The rules of Kubernetes' third_party/forked/golang/expansion Expand(), byte for byte:
 *  - "$$" is one literal '$' (and the second '$' starts nothing);
 *  - "$(" opens a reference that ends at the first ')': the text between is the name, even when empty or
 *    when it contains '$' or '('; a known name is replaced by its value (which is not expanded again), an
 *    unknown one is written back as "$(name)";
 *  - "$(" without any ')' after it is kept as "$(" and scanning goes on right after the '(';
 *  - '$' before any other byte keeps both, and a '$' at the very end is kept. */
char *env_expand(const char *s, EnvLookup lookup, void *userdata) {
        assert(s);
        assert(lookup);

        StrBuf b = {};
        const char *p = s;
        while (*p) {
                const char *dollar = strchr(p, '$');
                if (!dollar || !dollar[1]) {
                        strbuf_append(&b, p);
                        break;
                }
                strbuf_append_n(&b, p, (size_t) (dollar - p));

                if (dollar[1] == '$') {
                        strbuf_append_char(&b, '$');
                        p = dollar + 2;
                        continue;
                }
                if (dollar[1] != '(') {
                        strbuf_append_n(&b, dollar, 2);
                        p = dollar + 2;
                        continue;
                }

                const char *name = dollar + 2;
                const char *close = strchr(name, ')');
                if (!close) {
                        strbuf_append(&b, "$(");
                        p = name;
                        continue;
                }

                char *n = strndup(name, (size_t) (close - name));
                if (!n) {
                        strbuf_done(&b);
                        return NULL;
                }
                const char *value = lookup(n, userdata);
                free(n);
                if (value)
                        strbuf_append(&b, value);
                else
                        strbuf_append_n(&b, dollar, (size_t) (close + 1 - dollar));
                p = close + 1;
        }
        return strbuf_steal(&b);
}
