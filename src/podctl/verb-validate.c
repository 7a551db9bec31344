/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>

#include "podctl.h"

static void validate_help(void) {
        printf("podctl validate [OPTIONS…] FILE|DIR|-…\n\n"
               "Load every manifest and check it as the Kubernetes API server would (decoding, defaults,\n"
               "validation), without running anything. A DIR contributes its *.yaml, *.yml and *.json files,\n"
               "sorted by name, not recursively; - reads standard input. Files over 10 MiB are refused.\n\n"
               "Every finding is printed to standard error as FILE:LINE:COL: FIELD.PATH: message. Standard\n"
               "output stays empty unless --verbose is given.\n\n"
               "Options:\n"
               "  -h --help                Show this help\n"
               "     --validate=MODE       What unknown or duplicate fields are: strict (error, the default),\n"
               "                           warn (warning), ignore (dropped); true = strict, false = ignore\n"
               "  -v --verbose             Print \"FILE: N pod(s) valid\" for each valid file\n\n"
               "Exit status: 0 when no errors were found (warnings allowed), 1 when any manifest has an error\n"
               "or a file cannot be read, 2 on usage errors.\n");
}

/* Loads one file; returns true when it is valid. */
static bool validate_one(InputFile *f, const ManifestOptions *opts, bool verbose) {
        _cleanup_(manifest_freep) Manifest *m = NULL;
        bool ok;

        if (input_file_read(f) < 0)
                return false;

        ok = manifest_load_reported(f, opts, &m);

        if (ok && verbose)
                printf("%s: %zu pod(s) valid\n", f->display, m ? m->n_pods : 0);
        return ok;
}

int verb_validate(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",     no_argument,       NULL, 'h' },
                { "validate", optional_argument, NULL, 'X' },
                { "verbose",  no_argument,       NULL, 'v' },
                {}
        };
        ManifestOptions opts = MANIFEST_OPTIONS_DEFAULT;
        _cleanup_(inputs_done) Inputs in = {};
        bool verbose = false, ok = true;
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":hv", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        validate_help();
                        return EXIT_OK;
                case 'X':
                        opts.field_validation = optarg ? parse_validate_arg(optarg) : FIELD_VALIDATION_STRICT;
                        if (opts.field_validation < 0) {
                                fprintf(stderr, "podctl validate: invalid --validate value \"%s\": "
                                        "must be strict, warn, ignore, true or false\n", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case 'v':
                        verbose = true;
                        break;
                default:
                        return flag_error("validate", c, argv);
                }

        if (optind >= argc) {
                fprintf(stderr, "podctl validate: missing FILE|DIR|-; see 'podctl validate --help'\n");
                return EXIT_USAGE;
        }

        for (int i = optind; i < argc; i++)
                if (inputs_add(&in, argv[i]) < 0)
                        ok = false;

        for (size_t i = 0; i < in.n; i++)
                if (!validate_one(&in.items[i], &opts, verbose))
                        ok = false;

        if (fflush(stdout) != 0)
                ok = false;
        return ok ? EXIT_OK : EXIT_INVALID;
}
