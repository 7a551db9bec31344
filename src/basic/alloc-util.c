/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "macro.h"

bool greedy_realloc(void **p, size_t *allocated, size_t need, size_t size) {
        if (need <= *allocated)
                return true;
        size_t n = MAX(need, *allocated * 2);
        if (n < 4)
                n = 4;
        if (n > SIZE_MAX / size)
                return false;
        void *q = realloc(*p, n * size);
        if (!q)
                return false;
        *p = q;
        *allocated = n;
        return true;
}
