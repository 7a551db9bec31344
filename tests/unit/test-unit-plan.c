/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "manifest.h"
#include "strv.h"
#include "tests.h"
#include "unit-plan.h"

static const char pod_yaml[] =
        "apiVersion: v1\n"
        "kind: Pod\n"
        "metadata:\n"
        "  name: web\n"
        "  namespace: shop\n"
        "  annotations:\n"
        "    podctl.io/pids-limit: \"512\"\n"
        "spec:\n"
        "  restartPolicy: OnFailure\n"
        "  terminationGracePeriodSeconds: 20\n"
        "  securityContext:\n"
        "    runAsUser: 1000\n"
        "    fsGroup: 2000\n"
        "  volumes:\n"
        "  - name: data\n"
        "    emptyDir: {}\n"
        "  - name: conf\n"
        "    configMap:\n"
        "      name: cfg\n"
        "  initContainers:\n"
        "  - name: setup\n"
        "    image: busybox\n"
        "    command: [\"/bin/setup\"]\n"
        "    resources:\n"
        "      limits: {cpu: 100m, memory: 64Mi}\n"
        "  - name: proxy\n"
        "    image: envoy\n"
        "    restartPolicy: Always\n"
        "    command: [\"envoy\", \"-c\", \"$(CONF)\"]\n"
        "    env:\n"
        "    - {name: CONF, value: /etc/envoy.yaml}\n"
        "    resources:\n"
        "      limits: {cpu: 200m, memory: 32Mi}\n"
        "  containers:\n"
        "  - name: app\n"
        "    image: nginx\n"
        "    command: [\"/usr/sbin/nginx\"]\n"
        "    args: [\"-g\", \"$(MODE) on $(POD_NAME) $(UNKNOWN) $$(X)\"]\n"
        "    workingDir: /srv\n"
        "    ports:\n"
        "    - {name: http, containerPort: 8080}\n"
        "    env:\n"
        "    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}\n"
        "    - {name: MODE, value: \"daemon-$(POD_NAME)\"}\n"
        "    - {name: IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}\n"
        "    resources:\n"
        "      limits: {cpu: 500m, memory: 128Mi}\n"
        "      requests: {cpu: 250m, memory: 64Mi}\n"
        "    securityContext:\n"
        "      allowPrivilegeEscalation: false\n"
        "      readOnlyRootFilesystem: true\n"
        "      capabilities:\n"
        "        drop: [NET_RAW]\n"
        "        add: [NET_ADMIN]\n"
        "    lifecycle:\n"
        "      stopSignal: SIGQUIT\n"
        "      postStart:\n"
        "        httpGet: {port: http, path: /ready}\n"
        "      preStop:\n"
        "        exec: {command: [\"/bin/drain\"]}\n"
        "    volumeMounts:\n"
        "    - {name: data, mountPath: /var/data, subPath: cache}\n"
        "    - {name: conf, mountPath: /etc/app}\n"
        "  os:\n"
        "    name: linux\n";

static UnitPlan *plan_from(const char *yaml, const PlanContext *ctx, Diags *diags, int expect) {
        Manifest *m = NULL;
        UnitPlan *plan = NULL;
        Diags load = {};

        ASSERT_OK(manifest_load(yaml, strlen(yaml), NULL, &m, &load));
        if (load.n > 0)
                fprintf(stderr, "load: %s: %s\n", load.items[0].path ?: "", load.items[0].message);
        ASSERT_EQ(load.n_errors, 0);
        ASSERT_EQ(m->n_pods, 1);
        ASSERT_EQ(unit_plan_build(m->pods[0], ctx, &plan, diags), expect);
        diags_done(&load);
        manifest_free(m);
        return plan;
}

static const UnitProp *get(const UnitPlan *plan, const char *unit, const char *prop) {
        const PlannedUnit *u = unit_plan_find(plan, unit);
        if (!u)
                TEST_FAIL("no unit %s", unit);
        return planned_unit_get(u, prop);
}

static void assert_strv(char **l, const char *const *expected) {
        size_t n = 0;
        while (expected[n])
                n++;
        ASSERT_EQ(strv_length(l), n);
        for (size_t i = 0; i < n; i++)
                ASSERT_STREQ(l[i], expected[i]);
}

TEST(plan_units_and_order) {
        PlanContext ctx = PLAN_CONTEXT_DEFAULT;
        ctx.pod_uid = "u-1";
        UnitPlan *plan = plan_from(pod_yaml, &ctx, NULL, 0);

        static const char *const names[] = {
                "pod-shop.slice", "pod-shop-web.slice", "pod-shop-web-setup.service",
                "pod-shop-web-proxy.service", "pod-shop-web-app.service",
        };
        ASSERT_EQ(plan->n_units, ELEMENTSOF(names));
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                ASSERT_STREQ(plan->units[i].name, names[i]);
        ASSERT_EQ(plan->units[1].kind, UNIT_SLICE);
        ASSERT_EQ(plan->units[2].role, CONTAINER_INIT);
        ASSERT_EQ(plan->units[3].role, CONTAINER_SIDECAR);
        ASSERT_EQ(plan->units[4].role, CONTAINER_APP);
        ASSERT_STREQ(plan->units[4].container_name, "app");

        /* Pod slice: Kubernetes' pod limits: max(apps + sidecars, init + earlier sidecars). */
        const UnitProp *p = get(plan, "pod-shop-web.slice", "CPUQuotaPerSecUSec");
        ASSERT_NOT_NULL(p);
        ASSERT_EQ(p->u64, 700000);
        p = get(plan, "pod-shop-web.slice", "MemoryMax");
        ASSERT_EQ(p->u64, 160u << 20);
        ASSERT_EQ(get(plan, "pod-shop-web.slice", "TasksMax")->u64, 512);

        /* Types and restart rules per role. */
        ASSERT_STREQ(get(plan, "pod-shop-web-setup.service", "Type")->str, "oneshot");
        ASSERT_TRUE(get(plan, "pod-shop-web-setup.service", "RemainAfterExit")->b);
        ASSERT_STREQ(get(plan, "pod-shop-web-setup.service", "Restart")->str, "on-failure");
        ASSERT_STREQ(get(plan, "pod-shop-web-proxy.service", "Type")->str, "exec");
        ASSERT_STREQ(get(plan, "pod-shop-web-proxy.service", "Restart")->str, "always");
        ASSERT_STREQ(get(plan, "pod-shop-web-app.service", "Restart")->str, "on-failure");
        ASSERT_EQ(get(plan, "pod-shop-web-app.service", "RestartUSec")->u64, 10000000);
        ASSERT_NULL(get(plan, "pod-shop-web-app.service", "RestartSteps")); /* systemd 252 */

        /* No ordering between the containers: podd starts them in order, and systemd must run every
         * ExecStop= at once (k8s-semantics.md §2.5); the sidecar's pod-hook waits for the app instead. */
        for (size_t i = 2; i < ELEMENTSOF(names); i++)
                ASSERT_NULL(get(plan, names[i], "After"));
        p = get(plan, "pod-shop-web-proxy.service", "ExecStop");
        ASSERT_NOT_NULL(p);
        ASSERT_TRUE(strv_contains(p->exec.argv, "--outlive=app"));
        p = get(plan, "pod-shop-web-app.service", "ExecStop");
        STRV_FOREACH(a, p->exec.argv)
                ASSERT_FALSE(strncmp(*a, "--outlive=", 10) == 0);
        unit_plan_free(plan);
}

TEST(plan_app_service) {
        PlanContext ctx = PLAN_CONTEXT_DEFAULT;
        ctx.pod_uid = "u-1";
        UnitPlan *plan = plan_from(pod_yaml, &ctx, NULL, 0);
        const char *app = "pod-shop-web-app.service";
        const UnitProp *p;

        p = get(plan, app, "ExecStart");
        ASSERT_EQ(p->type, UNIT_PROP_EXEC);
        ASSERT_STREQ(p->exec.path, "/usr/sbin/nginx");
        assert_strv(p->exec.argv,
                    (const char *const[]) { "/usr/sbin/nginx", "-g", "daemon-web on web $(UNKNOWN) $(X)", NULL });
        ASSERT_STREQ(p->origin, "spec.containers[0].command, args");

        /* A bare command name goes through env(1). */
        p = get(plan, "pod-shop-web-proxy.service", "ExecStart");
        ASSERT_STREQ(p->exec.path, "/usr/bin/env");
        assert_strv(p->exec.argv,
                    (const char *const[]) { "/usr/bin/env", "--", "envoy", "-c", "/etc/envoy.yaml", NULL });

        p = get(plan, app, "Environment");
        assert_strv(p->strv, (const char *const[]) { "POD_NAME=web", "MODE=daemon-web", NULL });
        ASSERT_STREQ(p->origin, "spec.containers[0].env");

        p = get(plan, app, "ExecStartPost");
        ASSERT_STREQ(p->exec.path, POD_HOOK_DEFAULT_PATH);
        assert_strv(p->exec.argv,
                    (const char *const[]) { POD_HOOK_DEFAULT_PATH, "--hook=postStart", "--namespace=shop", "--pod=web",
                                            "--container=app", "--grace-seconds=20", "--stop-signal=SIGQUIT",
                                            "http-get", "--scheme=HTTP", "--port=8080", "--path=/ready", NULL });
        ASSERT_STREQ(p->origin, "spec.containers[0].lifecycle.postStart");
        p = get(plan, app, "ExecStop");
        ASSERT_STREQ(p->exec.argv[strv_length(p->exec.argv) - 1], "/bin/drain");

        ASSERT_STREQ(get(plan, app, "WorkingDirectory")->str, "/srv");
        ASSERT_EQ(get(plan, app, "KillSignal")->i32, 3);
        ASSERT_EQ(get(plan, app, "TimeoutStopUSec")->u64, 25000000);
        ASSERT_STREQ(get(plan, app, "TimeoutStopUSec")->origin, "spec.terminationGracePeriodSeconds");

        p = get(plan, app, "CPUQuotaPerSecUSec");
        ASSERT_EQ(p->u64, 500000);
        ASSERT_STREQ(p->origin, "spec.containers[0].resources.limits.cpu");
        ASSERT_EQ(get(plan, app, "CPUWeight")->u64, 1 + ((256 - 2) * 9999) / 262142);
        ASSERT_EQ(get(plan, app, "MemoryMax")->u64, 128u << 20);
        ASSERT_EQ(get(plan, app, "MemoryLow")->u64, 64u << 20);
        ASSERT_EQ(get(plan, app, "TasksMax")->u64, 512);

        ASSERT_STREQ(get(plan, app, "User")->str, "1000");
        ASSERT_STREQ(get(plan, app, "User")->origin, "spec.securityContext.runAsUser");
        ASSERT_NULL(get(plan, app, "Group"));
        assert_strv(get(plan, app, "SupplementaryGroups")->strv, (const char *const[]) { "2000", NULL });
        ASSERT_TRUE(get(plan, app, "NoNewPrivileges")->b);
        assert_strv(get(plan, app, "ReadOnlyPaths")->strv, (const char *const[]) { "/", NULL });
        /* containerd default − NET_RAW + NET_ADMIN */
        uint64_t caps = get(plan, app, "CapabilityBoundingSet")->u64;
        ASSERT_TRUE(caps & (UINT64_C(1) << 12));  /* NET_ADMIN */
        ASSERT_FALSE(caps & (UINT64_C(1) << 13)); /* NET_RAW */
        ASSERT_TRUE(caps & (UINT64_C(1) << 0));   /* CHOWN */
        ASSERT_FALSE(caps & (UINT64_C(1) << 21)); /* SYS_ADMIN */

        p = get(plan, app, "BindPaths");
        ASSERT_EQ(p->n_binds, 1);
        ASSERT_STREQ(p->binds[0].source, "/var/lib/pods/u-1/volumes/data/cache");
        ASSERT_STREQ(p->binds[0].destination, "/var/data");
        ASSERT_STREQ(p->origin, "spec.containers[0].volumeMounts[0]");
        p = get(plan, app, "BindReadOnlyPaths");
        ASSERT_STREQ(p->binds[0].source, "/run/pods/u-1/volumes/conf");
        ASSERT_STREQ(p->binds[0].destination, "/etc/app");

        assert_strv(get(plan, app, "LogExtraFields")->strv,
                    (const char *const[]) { "POD_NAMESPACE=shop", "POD_NAME=web", "POD_UID=u-1",
                                            "CONTAINER_NAME=app", NULL });
        ASSERT_EQ(get(plan, app, "LogRateLimitIntervalUSec")->u64, 1000000);
        ASSERT_EQ(get(plan, app, "StartLimitIntervalUSec")->u64, 0);
        ASSERT_STREQ(get(plan, app, "Slice")->str, "pod-shop-web.slice");
        ASSERT_STREQ(get(plan, app, "Description")->str, "Pod shop/web container app");

        /* Every property has an origin, and its signature. */
        for (size_t i = 0; i < plan->n_units; i++)
                for (size_t j = 0; j < plan->units[i].n_props; j++) {
                        ASSERT_NOT_NULL(plan->units[i].props[j].origin);
                        ASSERT_NOT_NULL(unit_prop_signature(plan->units[i].props[j].type));
                }
        unit_plan_free(plan);
}

TEST(plan_restart_backoff_254) {
        PlanContext ctx = PLAN_CONTEXT_DEFAULT;
        ctx.systemd_version = 254;
        UnitPlan *plan = plan_from(pod_yaml, &ctx, NULL, 0);
        ASSERT_EQ(get(plan, "pod-shop-web-app.service", "RestartSteps")->u64, 5);
        ASSERT_EQ(get(plan, "pod-shop-web-app.service", "RestartMaxDelayUSec")->u64, 300000000);
        /* no UID known: the journal field is left out, volumes get the placeholder */
        ASSERT_EQ(strv_length(get(plan, "pod-shop-web-app.service", "LogExtraFields")->strv), 3);
        ASSERT_STREQ(get(plan, "pod-shop-web-app.service", "BindPaths")->binds[0].source,
                     "/var/lib/pods/<pod-uid>/volumes/data/cache");
        unit_plan_free(plan);
}

TEST(plan_cpu_weight) {
        static const struct {
                const char *cpu;
                uint64_t weight;
        } cases[] = {
                { "1m", 1 }, { "100m", 4 }, { "1", 39 }, { "1000", 10000 }, { "256", 10000 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char yaml[512];
                (void) snprintf(yaml, sizeof yaml,
                                "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                                "  - name: c\n    image: x\n    command: [/bin/x]\n"
                                "    resources: {requests: {cpu: \"%s\"}}\n", cases[i].cpu);
                UnitPlan *plan = plan_from(yaml, NULL, NULL, 0);
                ASSERT_EQ(get(plan, "pod-default-p-c.service", "CPUWeight")->u64, cases[i].weight);
                unit_plan_free(plan);
        }
}

TEST(plan_errors) {
        static const struct {
                const char *container; /* YAML of spec.containers[0] after "- name: c\n" */
                const char *path;
                const char *message;
        } cases[] = {
                { "    image: nginx\n", "spec.containers[0].image", "image entrypoints are not supported yet: set command" },
                { "    image: x\n    command: [/bin/x]\n    env:\n    - {name: my.var, value: a}\n",
                  "spec.containers[0].env[0].name",
                  "systemd cannot pass environment variable names outside [A-Za-z_][A-Za-z0-9_]*" },
                { "    image: x\n    command: [/bin/x]\n    resources: {limits: {cpu: \"0\"}}\n",
                  "spec.containers[0].resources.limits.cpu",
                  "a CPU limit of 0 cannot be expressed as systemd's CPUQuota=" },
                { "    image: x\n    command: [/bin/x]\n    securityContext: {runAsNonRoot: true}\n",
                  "spec.containers[0].securityContext.runAsNonRoot",
                  "needs runAsUser: without an image there is no image user, and the host's root filesystem runs as root" },
                { "    image: x\n    command: [/bin/x]\n    securityContext: {capabilities: {add: [BOGUS]}}\n",
                  "spec.containers[0].securityContext.capabilities.add[0]", "unknown capability \"BOGUS\"" },
                { "    image: x\n    command: [\"a=b\"]\n", "spec.containers[0].command[0]",
                  "must be an absolute path or a program name without '='" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char yaml[1024];
                Diags d = {};
                (void) snprintf(yaml, sizeof yaml,
                                "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n%s",
                                cases[i].container);
                UnitPlan *plan = plan_from(yaml, NULL, &d, -EINVAL);
                ASSERT_NULL(plan);
                ASSERT_EQ(d.n_errors, 1);
                ASSERT_STREQ(d.items[0].path, cases[i].path);
                ASSERT_STREQ(d.items[0].message, cases[i].message);
                diags_done(&d);
        }
}
