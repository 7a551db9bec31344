/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <syslog.h>

#include "macro.h"

/* podd logs to stderr with a "<N>" priority prefix, which systemd turns into the journal record's
 * PRIORITY (SyslogLevelPrefix=, on by default); run by hand, the prefix stays readable. %m works. */
void log_message(int priority, const char *fmt, ...) _printf_(2, 3);
