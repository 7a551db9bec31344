/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>

#include "config.h"
#include "podctl.h"
#include "strbuf.h"
#include "unit-plan.h"

static void render_help(void) {
        printf("podctl render [OPTIONS…] FILE|-\n\n"
               "Validate the manifest, then print the systemd units each Pod becomes, in unit-file syntax,\n"
               "each property preceded by the manifest field it comes from. Nothing is started: this is\n"
               "what podd will hand to systemd.\n\n"
               "On any error the findings go to standard error and nothing is printed to standard output.\n\n"
               "Options:\n"
               "  -h --help                Show this help\n"
               "     --validate=MODE       strict (default), warn, ignore, true (= strict), false (= ignore);\n"
               "                           see 'podctl validate --help'\n"
               "     --pod-uid=UID         The pod UID to put in LogExtraFields=POD_UID= (podd assigns one\n"
               "                           when it runs the pod)\n\n"
               "Exit status: 0 success, 1 invalid manifest or unreadable file, 2 usage error.\n");
}

static int oom_exit(void) {
        (void) log_oom();
        return EXIT_INVALID;
}

static int render(InputFile *f, const ManifestOptions *opts, const char *pod_uid) {
        _cleanup_(manifest_freep) Manifest *m = NULL;
        _cleanup_(freep) char *out = NULL;
        _cleanup_(strbuf_done) StrBuf text = {};
        _cleanup_(diags_done) Diags d = {};
        PlanContext ctx = PLAN_CONTEXT_DEFAULT;
        bool failed, load_failed;
        int r;

        if (input_file_read(f) < 0)
                return EXIT_INVALID;

        r = manifest_load(f->data, f->size, opts, &m, &d);
        if (r == -ENOMEM || d.oom)
                return oom_exit();
        load_failed = failed = r < 0 || diags_errors(&d) > 0;

        ctx.hook_path = POD_HOOK_PATH;
        ctx.pod_uid = pod_uid;

        /* Once the manifest is valid, plan every pod even after one failed, so one run reports every
         * problem. Only a fully planned manifest produces output: half a set of units is worse than none. */
        for (size_t i = 0; !load_failed && m && i < m->n_pods; i++) {
                _cleanup_(unit_plan_freep) UnitPlan *plan = NULL;
                _cleanup_(freep) char *s = NULL;

                r = unit_plan_build(m->pods[i], &ctx, &plan, &d);
                if (r == -ENOMEM || d.oom)
                        return oom_exit();
                if (r < 0) {
                        failed = true;
                        continue;
                }
                if (failed)
                        continue;
                s = unit_plan_render(plan);
                if (!s)
                        return oom_exit();
                if (i > 0)
                        strbuf_append_char(&text, '\n');
                strbuf_append(&text, s);
        }

        if (print_diags(&d, f->display) < 0)
                return EXIT_INVALID;
        if (failed)
                return EXIT_INVALID;

        out = strbuf_steal(&text); /* "" for a manifest without pods, NULL only when out of memory */
        if (!out)
                return oom_exit();
        fputs(out, stdout);
        if (fflush(stdout) != 0) {
                fprintf(stderr, "podctl render: writing standard output: %s\n", strerror(errno));
                return EXIT_INVALID;
        }
        return EXIT_OK;
}

int verb_render(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",     no_argument,       NULL, 'h' },
                { "validate", optional_argument, NULL, 'X' },
                { "pod-uid",  required_argument, NULL, 'U' },
                {}
        };
        ManifestOptions opts = MANIFEST_OPTIONS_DEFAULT;
        const char *pod_uid = NULL;
        InputFile f = {};
        struct stat st;
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        render_help();
                        return EXIT_OK;
                case 'X':
                        opts.field_validation = optarg ? parse_validate_arg(optarg) : FIELD_VALIDATION_STRICT;
                        if (opts.field_validation < 0) {
                                fprintf(stderr, "podctl render: invalid --validate value \"%s\": "
                                        "must be strict, warn, ignore, true or false\n", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case 'U':
                        if (isempty(optarg)) {
                                fprintf(stderr, "podctl render: --pod-uid= needs a value\n");
                                return EXIT_USAGE;
                        }
                        pod_uid = optarg;
                        break;
                default:
                        return flag_error("render", c, argv);
                }

        if (argc - optind != 1) {
                fprintf(stderr, "podctl render: expected exactly one FILE or -; see 'podctl render --help'\n");
                return EXIT_USAGE;
        }
        if (!streq(argv[optind], "-") && stat(argv[optind], &st) >= 0 && S_ISDIR(st.st_mode)) {
                fprintf(stderr, "podctl render: %s is a directory; render takes one file\n", argv[optind]);
                return EXIT_USAGE;
        }

        /* The InputFile fields point into argv: nothing to free but the data. */
        f.path = argv[optind];
        f.display = streq(f.path, "-") ? (char *) "<stdin>" : f.path;
        c = render(&f, &opts, pod_uid);
        free(f.data);
        return c;
}
