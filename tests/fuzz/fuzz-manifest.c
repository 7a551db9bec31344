/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The whole pure pipeline on arbitrary text: load, decode, default, validate, plan, render, and format
 * every finding. Nothing may crash, leak or take unbounded time. */
#include "fuzz.h"
#include "manifest.h"
#include "unit-plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(manifest_freep) Manifest *m = NULL;
        Diags diags = {};
        ManifestOptions opts = MANIFEST_OPTIONS_DEFAULT;

        /* Vary the unknown-field policy with the input so all three paths get explored. */
        if (size > 0)
                opts.field_validation = data[size - 1] % _FIELD_VALIDATION_MAX;

        (void) manifest_load((const char *) data, size, &opts, &m, &diags);
        for (size_t i = 0; m && i < m->n_pods; i++) {
                _cleanup_(unit_plan_freep) UnitPlan *plan = NULL;
                PlanContext ctx = PLAN_CONTEXT_DEFAULT;
                ctx.pod_uid = "0b5e1c2e-7d3a-4b1f-9e0a-2f6f0c1d9a11";
                if (unit_plan_build(m->pods[i], &ctx, &plan, &diags) >= 0)
                        free(unit_plan_render(plan));
        }
        diags_sort(&diags);
        for (size_t i = 0; i < diags.n; i++)
                free(diag_format(&diags.items[i], "fuzz.yaml"));
        diags_done(&diags);
        return 0;
}
