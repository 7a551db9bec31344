/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "strbuf.h"

/* Appends s as a JSON string literal (quotes, escapes for '"', '\\', control characters as \uXXXX; UTF-8
 * passes through). NULL is written as null. */
void json_append_string(StrBuf *b, const char *s);
