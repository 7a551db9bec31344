/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The hook helper's command line parser on arbitrary argv (NUL-separated words). */
#include <stdlib.h>

#include "fuzz.h"
#include "hook-args.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > 65536)
                return 0;
        char **argv = NULL;
        if (strv_extend(&argv, "pod-hook") < 0)
                return 0;
        size_t start = 0;
        for (size_t i = 0; i <= size; i++)
                if (i == size || data[i] == 0) {
                        char *w = strndup((const char *) data + start, i - start);
                        if (!w || strv_push(&argv, w) < 0) {
                                strv_free(argv);
                                return 0;
                        }
                        start = i + 1;
                }
        HookSpec spec = {};
        char *error = NULL;
        if (hook_args_parse((int) strv_length(argv), argv, &spec, &error) >= 0)
                hook_spec_done(&spec);
        free(error);
        strv_free(argv);
        return 0;
}
