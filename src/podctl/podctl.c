/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>

#include "config.h"
#include "podctl.h"

typedef struct Verb {
        const char *name;
        int (*run)(int argc, char *argv[]);
        const char *summary;
} Verb;

/* validate and render work offline; the others talk to podd over the system bus. */
static const Verb verbs[] = {
        { "validate", verb_validate, "Check manifests the way the Kubernetes API server would" },
        { "render",   verb_render,   "Print the systemd units a Pod manifest becomes" },
        { "apply",    verb_apply,    "Create or update pods from manifests (through podd)" },
        { "get",      verb_get,      "List pods or events" },
        { "describe", verb_describe, "Show a pod in detail, with its events" },
        { "delete",   verb_delete,   "Delete pods, gracefully by default" },
        { "logs",     verb_logs,     "Print a container's output from the journal" },
};

int log_oom(void) {
        fputs("podctl: out of memory\n", stderr);
        return -ENOMEM;
}

FieldValidation parse_validate_arg(const char *s) {
        /* kubectl's --validate is a string flag that also takes the old boolean spellings. */
        if (streq(s, "true"))
                return FIELD_VALIDATION_STRICT;
        if (streq(s, "false"))
                return FIELD_VALIDATION_IGNORE;
        return field_validation_from_string(s);
}

int print_diags(Diags *d, const char *display) {
        diags_sort(d);
        for (size_t i = 0; i < d->n; i++) {
                _cleanup_(freep) char *s = diag_format(&d->items[i], display);
                if (!s)
                        return log_oom();
                fprintf(stderr, "%s\n", s);
        }
        if (d->oom)
                return log_oom();
        return 0;
}

bool manifest_load_reported(const InputFile *f, const ManifestOptions *opts, Manifest **ret) {
        Diags d = {};
        bool ok;
        int r;

        r = manifest_load(f->data, f->size, opts, ret, &d);
        ok = r >= 0 && diags_errors(&d) == 0 && !d.oom;
        if (r == -ENOMEM)
                (void) log_oom();
        if (print_diags(&d, f->display) < 0)
                ok = false;
        diags_done(&d);
        return ok;
}

int flag_error(const char *verb, int c, char *const argv[]) {
        /* getopt's own messages are turned off (opterr = 0) so every usage error reads the same. */
        if (c == ':')
                fprintf(stderr, "podctl %s: flag \"%s\" needs a value\n", verb, argv[optind - 1]);
        else if (optopt != 0)
                fprintf(stderr, "podctl %s: unknown flag \"-%c\"\n", verb, optopt);
        else
                fprintf(stderr, "podctl %s: unknown flag \"%s\"\n", verb, argv[optind - 1]);
        return EXIT_USAGE;
}

static void help(void) {
        printf("podctl [--help] [--version] COMMAND [OPTIONS…] [ARGS…]\n\n"
               "Kubernetes Pod manifests, run by systemd on one host.\n\n"
               "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                printf("  %-10s %s\n", verbs[i].name, verbs[i].summary);
        printf("\nOptions:\n"
               "  -h --help     Show this help\n"
               "     --version  Show the version\n\n"
               "Run 'podctl COMMAND --help' for a command's options. apply, get, describe, delete and logs\n"
               "need the podd daemon (io.podctl.pod1 on the system bus): systemctl start podd.\n\n"
               "Exit status: 0 success, 1 invalid manifest, unreadable file or failed request, 2 usage error.\n");
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",    no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {}
        };
        int c;

        /* '+': stop at the command, its flags belong to it; ':': report missing arguments ourselves. */
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+:h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return EXIT_OK;
                case 'V':
                        printf("podctl %s\n", PROJECT_VERSION);
                        return EXIT_OK;
                default:
                        if (optopt != 0)
                                fprintf(stderr, "podctl: unknown flag \"-%c\"\n", optopt);
                        else
                                fprintf(stderr, "podctl: unknown flag \"%s\"\n", argv[optind - 1]);
                        return EXIT_USAGE;
                }

        if (optind >= argc) {
                fprintf(stderr, "podctl: missing command; see 'podctl --help'\n");
                return EXIT_USAGE;
        }

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(argv[optind], verbs[i].name)) {
                        int verb_argc = argc - optind;
                        char **verb_argv = argv + optind;

                        optind = 0; /* glibc: fully re-initialise getopt for the verb's own flags */
                        return verbs[i].run(verb_argc, verb_argv);
                }

        fprintf(stderr, "podctl: unknown command \"%s\"; see 'podctl --help'\n", argv[optind]);
        return EXIT_USAGE;
}
