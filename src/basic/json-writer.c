/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "json-writer.h"
#include "string-util.h"

/* Length of the UTF-8 sequence starting at s (at most n bytes available), or 0 when it is not a valid one.
 * Invalid bytes become U+FFFD, as Go's encoding/json does, so the output is always valid JSON even when a
 * message came from somewhere that does not promise UTF-8 (an errno string, a unit property). */
static size_t utf8_sequence_length(const unsigned char *s, size_t n) {
        size_t len;

        if (s[0] < 0x80)
                return 1;
        if ((s[0] & 0xE0) == 0xC0)
                len = 2;
        else if ((s[0] & 0xF0) == 0xE0)
                len = 3;
        else if ((s[0] & 0xF8) == 0xF0)
                len = 4;
        else
                return 0;
        if (len > n || !utf8_is_valid_n((const char *) s, len))
                return 0;
        return len;
}

void json_append_string(StrBuf *b, const char *s) {
        if (!s) {
                strbuf_append(b, "null");
                return;
        }

        const unsigned char *p = (const unsigned char *) s;
        size_t n = strlen(s);

        strbuf_append_char(b, '"');
        while (n > 0) {
                /* Copy the longest run that needs no escaping in one go. */
                size_t run = 0;
                while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
                        run++;
                if (run > 0) {
                        strbuf_append_n(b, (const char *) p, run);
                        p += run;
                        n -= run;
                        continue;
                }

                unsigned char c = *p;
                switch (c) {
                case '"':
                        strbuf_append(b, "\\\"");
                        break;
                case '\\':
                        strbuf_append(b, "\\\\");
                        break;
                case '\n':
                        strbuf_append(b, "\\n");
                        break;
                case '\r':
                        strbuf_append(b, "\\r");
                        break;
                case '\t':
                        strbuf_append(b, "\\t");
                        break;
                default:
                        if (c < 0x20) {
                                strbuf_printf(b, "\\u%04x", c);
                                break;
                        }
                        size_t len = utf8_sequence_length(p, n);
                        if (len == 0) {
                                strbuf_append(b, "\\ufffd");
                                break;
                        }
                        /* U+2028 and U+2029 are valid JSON but end lines in JavaScript; Go escapes them. */
                        if (len == 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9))
                                strbuf_printf(b, "\\u%04x", p[2] == 0xA8 ? 0x2028u : 0x2029u);
                        else
                                strbuf_append_n(b, (const char *) p, len);
                        p += len;
                        n -= len;
                        continue;
                }
                p++;
                n--;
        }
        strbuf_append_char(b, '"');
}
