/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>

#include "config.h"
#include "macro.h"

/* The daemon arrives with a later release. Until then podd says so plainly instead of pretending to run:
 * a unit that starts it fails visibly. */

static void help(void) {
        printf("podd [--help] [--version]\n\n"
               "The podctl daemon: runs Kubernetes Pod manifests from %s as systemd units.\n\n"
               "This version of podd is not implemented yet: it only answers --help and --version.\n"
               "'podctl validate' and 'podctl render' work without it.\n\n"
               "Options:\n"
               "  -h --help     Show this help\n"
               "     --version  Show the version\n",
               PODS_CONFIG_DIR);
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",    no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {}
        };
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 'V':
                        printf("podd %s\n", PROJECT_VERSION);
                        return 0;
                default:
                        if (optopt != 0)
                                fprintf(stderr, "podd: unknown flag \"-%c\"\n", optopt);
                        else
                                fprintf(stderr, "podd: unknown flag \"%s\"\n", argv[optind - 1]);
                        return 2;
                }

        if (optind < argc) {
                fprintf(stderr, "podd: unexpected argument \"%s\"\n", argv[optind]);
                return 2;
        }

        /* Tell a Type=notify service manager why we leave, so `systemctl status podd` shows it. */
        (void) sd_notify(false, "STATUS=The pod daemon is not implemented in this version.");
        fprintf(stderr, "podd: the daemon is not implemented in podctl %s; "
                "'podctl validate' and 'podctl render' work without it.\n", PROJECT_VERSION);
        return 1;
}
