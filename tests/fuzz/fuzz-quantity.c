/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Quantity parsing and formatting must round-trip: whatever parses, formats to text that parses back to
 * the same value. */
#include <stdlib.h>

#include "fuzz.h"
#include "quantity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > 256)
                return 0;
        char *s = strndup((const char *) data, size);
        if (!s)
                return 0;
        Quantity q, q2;
        if (quantity_parse(s, &q) >= 0 && !q.huge) {
                (void) quantity_milli_ceil(&q);
                (void) quantity_value_ceil(&q);
                char *t = quantity_format(&q);
                if (t) {
                        if (quantity_parse(t, &q2) < 0 || quantity_cmp(&q, &q2) != 0)
                                abort();
                        free(t);
                }
                quantity_round_up_milli(&q);
                free(quantity_format(&q));
        }
        free(s);
        return 0;
}
