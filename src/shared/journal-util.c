/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "journal-util.h"
#include "macro.h"

const char *journal_field(sd_journal *j, const char *field, char *buf, size_t size) {
        const void *data;
        size_t len, flen = strlen(field);

        if (size == 0 || sd_journal_get_data(j, field, &data, &len) < 0 || len <= flen + 1)
                return NULL;
        len = MIN(len - flen - 1, size - 1);
        memcpy(buf, (const char *) data + flen + 1, len);
        buf[len] = 0;
        return buf;
}
