/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>

#include "podctl-bus.h"
#include "podctl.h"
#include "string-util.h"

typedef enum DryRun {
        DRY_RUN_NONE,
        DRY_RUN_CLIENT,
        DRY_RUN_SERVER,
} DryRun;

static void apply_help(void) {
        printf("podctl apply -f FILE|DIR|- [-f …] [OPTIONS…]\n\n"
               "Create or update the pods the manifests declare, as kubectl apply does. podd validates each file\n"
               "and runs its pods as systemd units; files under /etc/pods are picked up by podd directly.\n"
               "Prints pod/NAME created, configured or unchanged for each pod. Needs podd, except with\n"
               "--dry-run=client.\n\n"
               "Options:\n"
               "  -h --help              Show this help\n"
               "  -f --filename=PATH     A manifest file, a directory (its *.yaml, *.yml, *.json), or - for stdin\n"
               "     --dry-run=MODE      none (the default), client (validate here, change nothing) or server\n"
               "                         (podd validates and reports what it would do, changing nothing)\n"
               "     --validate=MODE     Unknown or duplicate fields: strict (error, the default), warn, ignore;\n"
               "                         true = strict, false = ignore\n\n"
               "Warnings go to standard error as \"Warning: …\".\n"
               "Exit status: 0 success, 1 a manifest was invalid or podd refused it, 2 usage error.\n");
}

static bool apply_client(InputFile *f, const ManifestOptions *opts) {
        _cleanup_(manifest_freep) Manifest *m = NULL;

        if (!manifest_load_reported(f, opts, &m))
                return false;

        for (size_t i = 0; i < m->n_pods; i++)
                printf("pod/%s created (dry run)\n", m->pods[i]->metadata.name ?: "");
        return true;
}

static bool apply_server(sd_bus *bus, InputFile *f, FieldValidation validation, bool dry_run, bool *unreachable) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *ns, *name, *action, *file, *warning;
        int r;

        r = podd_call(bus, "Apply", &error, &reply, "sssb", f->display, f->data,
                      field_validation_to_string(validation), (int) dry_run);
        if (r == -EHOSTDOWN) {
                *unreachable = true;
                return false;
        }
        if (r < 0) {
                podd_log_error(&error, r, NULL);
                return false;
        }

        r = sd_bus_message_enter_container(reply, 'a', "(ssss)");
        if (r < 0)
                goto bad;
        while ((r = sd_bus_message_read(reply, "(ssss)", &ns, &name, &action, &file)) > 0)
                printf("pod/%s %s%s\n", name, action, dry_run ? " (server dry run)" : "");
        if (r < 0)
                goto bad;
        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                goto bad;

        r = sd_bus_message_enter_container(reply, 'a', "s");
        if (r < 0)
                goto bad;
        while ((r = sd_bus_message_read(reply, "s", &warning)) > 0)
                fprintf(stderr, "Warning: %s\n", warning);
        if (r < 0)
                goto bad;
        return true;

bad:
        fprintf(stderr, "podctl: cannot read podd's reply: %s\n", strerror(-r));
        return false;
}

int verb_apply(int argc, char *argv[]) {
        enum { ARG_DRY_RUN = 0x100, ARG_VALIDATE };
        static const struct option options[] = {
                { "help",     no_argument,       NULL, 'h'          },
                { "filename", required_argument, NULL, 'f'          },
                { "dry-run",  optional_argument, NULL, ARG_DRY_RUN  },
                { "validate", optional_argument, NULL, ARG_VALIDATE },
                {}
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        ManifestOptions opts = MANIFEST_OPTIONS_DEFAULT;
        _cleanup_(inputs_done) Inputs in = {};
        DryRun dry_run = DRY_RUN_NONE;
        bool ok = true, any_file = false, unreachable = false;
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":hf:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        apply_help();
                        return EXIT_OK;
                case 'f':
                        any_file = true;
                        if (inputs_add(&in, optarg) < 0)
                                ok = false;
                        break;
                case ARG_DRY_RUN:
                        /* a bare --dry-run is kubectl's deprecated spelling of client */
                        if (!optarg || streq(optarg, "client"))
                                dry_run = DRY_RUN_CLIENT;
                        else if (streq(optarg, "server"))
                                dry_run = DRY_RUN_SERVER;
                        else if (streq(optarg, "none"))
                                dry_run = DRY_RUN_NONE;
                        else {
                                fprintf(stderr, "error: Invalid dry-run value (%s). Must be \"none\", \"server\", "
                                        "or \"client\".\n", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case ARG_VALIDATE:
                        opts.field_validation = optarg ? parse_validate_arg(optarg) : FIELD_VALIDATION_STRICT;
                        if (opts.field_validation < 0) {
                                fprintf(stderr, "podctl apply: invalid --validate value \"%s\": "
                                        "must be strict, warn, ignore, true or false\n", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                default:
                        return flag_error("apply", c, argv);
                }

        if (!any_file) {
                fprintf(stderr, "error: must specify one of -f and -k\n");
                return EXIT_USAGE;
        }
        if (optind < argc) {
                fprintf(stderr, "podctl apply: unexpected argument \"%s\"; files are given with -f\n", argv[optind]);
                return EXIT_USAGE;
        }

        if (dry_run != DRY_RUN_CLIENT && in.n > 0 && podd_connect(&bus) < 0)
                return EXIT_INVALID;

        for (size_t i = 0; i < in.n && !unreachable; i++) {
                InputFile *f = &in.items[i];

                if (input_file_read(f) < 0) {
                        ok = false;
                        continue;
                }
                if (dry_run == DRY_RUN_CLIENT) {
                        if (!apply_client(f, &opts))
                                ok = false;
                } else if (!apply_server(bus, f, opts.field_validation, dry_run == DRY_RUN_SERVER, &unreachable))
                        ok = false;
                fflush(stdout);
        }

        if (fflush(stdout) != 0)
                ok = false;
        return ok ? EXIT_OK : EXIT_INVALID;
}
