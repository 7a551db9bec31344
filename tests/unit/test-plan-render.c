/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "manifest.h"
#include "tests.h"
#include "unit-plan.h"

static char *render(const char *yaml, const PlanContext *ctx) {
        Manifest *m = NULL;
        UnitPlan *plan = NULL;
        Diags d = {};

        ASSERT_OK(manifest_load(yaml, strlen(yaml), NULL, &m, &d));
        ASSERT_EQ(m->n_pods, 1);
        ASSERT_OK(unit_plan_build(m->pods[0], ctx, &plan, &d));
        char *s = unit_plan_render(plan);
        ASSERT_NOT_NULL(s);
        unit_plan_free(plan);
        manifest_free(m);
        diags_done(&d);
        return s;
}

TEST(render_full) {
        PlanContext ctx = PLAN_CONTEXT_DEFAULT;
        ctx.pod_uid = "u-1";
        char *s = render("apiVersion: v1\n"
                         "kind: Pod\n"
                         "metadata: {name: web}\n"
                         "spec:\n"
                         "  terminationGracePeriodSeconds: 90\n"
                         "  volumes: [{name: d, hostPath: {path: /srv/d}}]\n"
                         "  containers:\n"
                         "  - name: app\n"
                         "    image: x\n"
                         "    command: [sh, -c, 'echo $HOME 100% \"done\"', ';']\n"
                         "    env: [{name: A, value: 'x y'}, {name: B, value: z}]\n"
                         "    resources: {limits: {cpu: 1500m, memory: 1Gi}}\n"
                         "    securityContext: {privileged: true}\n"
                         "    volumeMounts: [{name: d, mountPath: /data}]\n"
                         "    lifecycle: {stopSignal: SIGINT}\n"
                         "  os: {name: linux}\n",
                         &ctx);
        static const char expected[] =
                "# pod-default.slice\n"
                "[Unit]\n"
                "# from metadata.namespace\n"
                "Description=Pods in namespace default\n"
                "\n"
                "# pod-default-web.slice\n"
                "[Unit]\n"
                "# from metadata.name\n"
                "Description=Pod default/web\n"
                "[Slice]\n"
                "# from spec.containers[*].resources.limits.cpu (pod total, as Kubernetes' pod cgroup)\n"
                "CPUQuota=150%\n"
                "# from spec.containers[*].resources.limits.memory (pod total, as Kubernetes' pod cgroup)\n"
                "MemoryMax=1073741824\n"
                "\n"
                "# pod-default-web-app.service\n"
                "[Unit]\n"
                "# from spec.containers[0].name\n"
                "Description=Pod default/web container app\n"
                "# from podctl default (restarts are never rate-limited, as in Kubernetes)\n"
                "StartLimitIntervalSec=0\n"
                "[Service]\n"
                "# from metadata.name\n"
                "Slice=pod-default-web.slice\n"
                "# from spec.containers\n"
                "Type=exec\n"
                "# from spec.containers[0].command\n"
                "ExecStart=/usr/bin/env -- sh -c \"echo $$HOME 100%% \\\"done\\\"\" \\;\n"
                "# from spec.containers[0].env\n"
                "Environment=\"A=x y\"\n"
                "Environment=B=z\n"
                "# from podctl default (the stop sequence within the grace period)\n"
                "ExecStop=/usr/libexec/podctl/pod-hook --hook=preStop --namespace=default --pod=web "
                "--container=app --grace-seconds=90 --stop-signal=SIGINT none\n"
                "# from spec.containers[0].volumeMounts[0]\n"
                "BindPaths=/srv/d:/data\n"
                "# from spec.restartPolicy\n"
                "Restart=always\n"
                "# from podctl default (Kubernetes back-off: 10 s first delay)\n"
                "RestartSec=10s\n"
                "# from spec.containers[0].lifecycle.stopSignal\n"
                "KillSignal=SIGINT\n"
                "# from spec.terminationGracePeriodSeconds\n"
                "TimeoutStopSec=1min 35s\n"
                "# from spec.containers[0].resources.limits.cpu\n"
                "CPUQuota=150%\n"
                "# from spec.containers[0].resources.requests.cpu\n"
                "CPUWeight=59\n"
                "# from spec.containers[0].resources.limits.memory\n"
                "MemoryMax=1073741824\n"
                "# from spec.containers[0].resources.requests.memory\n"
                "MemoryLow=1073741824\n"
                "# from podctl default (journal fields of the pod and container)\n"
                "LogExtraFields=POD_NAMESPACE=default\n"
                "LogExtraFields=POD_NAME=web\n"
                "LogExtraFields=POD_UID=u-1\n"
                "LogExtraFields=CONTAINER_NAME=app\n"
                "# from podctl default (containers are not rate-limited by journald)\n"
                "LogRateLimitIntervalSec=1s\n"
                "# from podctl default (containers are not rate-limited by journald)\n"
                "LogRateLimitBurst=100000\n";
        if (!streq(s, expected))
                fprintf(stderr, "got:\n%s", s);
        ASSERT_STREQ(s, expected);
        free(s);
}

TEST(render_values) {
        PlanContext ctx = PLAN_CONTEXT_DEFAULT;
        char *s = render("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                         "  - name: c\n    image: x\n    command: [/bin/x]\n"
                         "    resources: {limits: {cpu: 1m}, requests: {cpu: 1m}}\n"
                         "    securityContext: {capabilities: {drop: [ALL], add: [KILL, net_bind_service]}}\n",
                         &ctx);
        ASSERT_NOT_NULL(strstr(s, "\nCPUQuota=0.1%\n"));
        ASSERT_NOT_NULL(strstr(s, "\nCapabilityBoundingSet=CAP_KILL CAP_NET_BIND_SERVICE\n"));
        ASSERT_NOT_NULL(strstr(s, "\nExecStart=/bin/x\n"));
        /* grace 30 s + the 2 s extension + 3 s of margin: the backstop behind pod-hook's stop sequence */
        ASSERT_NOT_NULL(strstr(s, "\nTimeoutStopSec=35s\n"));
        ASSERT_NOT_NULL(strstr(s, " --grace-seconds=30 none\n"));
        ASSERT_NOT_NULL(strstr(s, "\nCPUWeight=1\n"));
        free(s);
}
