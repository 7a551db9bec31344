/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "podctl.h"

int verb_logs(int argc, char *argv[]) {
        return EXIT_USAGE;
}
