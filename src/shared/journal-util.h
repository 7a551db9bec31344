/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-journal.h>

/* The value of FIELD in the journal's current entry, copied into buf (cut to size − 1 bytes); NULL when
 * the entry has no such field. */
const char *journal_field(sd_journal *j, const char *field, char *buf, size_t size);
