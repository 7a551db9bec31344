/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "manifest.h"
#include "pod-decode.h"
#include "pod-defaults.h"
#include "tests.h"
#include "yaml-tree.h"

/* Decodes one Pod from YAML text (the decoder is the normal way a Pod is built) and applies the defaults.
 * The stream owns the nodes the Pod points at, so both are handed back. */
static Pod *load_defaulted(const char *yaml, YStream **ret_stream, Diags *d) {
        YStream *s = NULL;
        Pod *pod = NULL;

        if (ystream_parse(yaml, strlen(yaml), &YLIMITS_DEFAULT, &s, d) < 0)
                return NULL;
        if (pod_decode(s->documents[0].root, FIELD_VALIDATION_STRICT, &pod, d) < 0) {
                pod_free(pod);
                ystream_free(s);
                return NULL;
        }
        if (pod_apply_defaults(pod, d) < 0) {
                pod_free(pod);
                ystream_free(s);
                return NULL;
        }
        *ret_stream = s;
        return pod;
}

#define POD_HEAD "apiVersion: v1\nkind: Pod\nmetadata:\n  name: demo\nspec:\n"

TEST(image_pull_policy_follows_tag) {
        static const struct {
                const char *image, *expect;
        } table[] = {
                { "nginx", "Always" },
                { "nginx:latest", "Always" },
                { "nginx:1.27", "IfNotPresent" },
                { "registry:5000/app", "Always" },
                { "registry:5000/app:v1", "IfNotPresent" },
                { "registry:5000/app:latest", "Always" },
                { "app@sha256:0123456789abcdef", "IfNotPresent" },
                { "app:latest@sha256:0123456789abcdef", "Always" },
                { "app:latestx", "IfNotPresent" },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                char yaml[512];
                Diags d = {};
                YStream *s = NULL;
                Pod *p;

                snprintf(yaml, sizeof yaml, POD_HEAD "  containers:\n  - name: a\n    image: \"%s\"\n", table[i].image);
                p = load_defaulted(yaml, &s, &d);
                ASSERT_NOT_NULL(p);
                if (!streq_ptr(p->spec.containers[0].image_pull_policy, table[i].expect))
                        TEST_FAIL("%s: got %s, expected %s", table[i].image,
                                  p->spec.containers[0].image_pull_policy ?: "(null)", table[i].expect);
                pod_free(p);
                ystream_free(s);
                diags_done(&d);
        }
}

TEST(explicit_values_are_kept) {
        Diags d = {};
        YStream *s = NULL;
        Pod *p = load_defaulted(POD_HEAD
                                "  restartPolicy: Never\n"
                                "  terminationGracePeriodSeconds: 0\n"
                                "  dnsPolicy: Default\n"
                                "  enableServiceLinks: false\n"
                                "  containers:\n"
                                "  - name: a\n"
                                "    image: nginx\n"
                                "    imagePullPolicy: Never\n"
                                "    terminationMessagePolicy: FallbackToLogsOnError\n",
                                &s, &d);

        ASSERT_NOT_NULL(p);
        ASSERT_STREQ(p->spec.restart_policy, "Never");
        ASSERT_TRUE(p->spec.termination_grace_period_seconds.set);
        ASSERT_EQ(p->spec.termination_grace_period_seconds.value, 0);
        ASSERT_STREQ(p->spec.dns_policy, "Default");
        ASSERT_FALSE(p->spec.enable_service_links.value);
        ASSERT_STREQ(p->spec.containers[0].image_pull_policy, "Never");
        ASSERT_STREQ(p->spec.containers[0].termination_message_policy, "FallbackToLogsOnError");
        ASSERT_EQ(d.n, 0);
        pod_free(p);
        ystream_free(s);
        diags_done(&d);
}

TEST(pod_level_defaults) {
        Diags d = {};
        YStream *s = NULL;
        Pod *p = load_defaulted(POD_HEAD "  containers:\n  - name: a\n    command: [/bin/true]\n", &s, &d);

        ASSERT_NOT_NULL(p);
        ASSERT_STREQ(p->metadata.namespace, "default");
        ASSERT_STREQ(p->spec.restart_policy, "Always");
        ASSERT_TRUE(p->spec.termination_grace_period_seconds.set);
        ASSERT_EQ(p->spec.termination_grace_period_seconds.value, 30);
        ASSERT_STREQ(p->spec.dns_policy, "ClusterFirst");
        ASSERT_STREQ(p->spec.scheduler_name, "default-scheduler");
        ASSERT_TRUE(p->spec.enable_service_links.set && p->spec.enable_service_links.value);
        ASSERT_NOT_NULL(p->spec.security_context);
        ASSERT_TRUE(p->spec.security_context->src == p->spec.src);

        /* No image: no pull policy to default, the rest as usual. */
        ASSERT_NULL(p->spec.containers[0].image_pull_policy);
        ASSERT_STREQ(p->spec.containers[0].termination_message_path, "/dev/termination-log");
        ASSERT_STREQ(p->spec.containers[0].termination_message_policy, "File");
        ASSERT_EQ(d.n, 0);
        pod_free(p);
        ystream_free(s);
        diags_done(&d);
}

TEST(negative_grace_becomes_one_with_warning) {
        Diags d = {};
        YStream *s = NULL;
        Pod *p = load_defaulted(POD_HEAD "  terminationGracePeriodSeconds: -7\n  containers:\n  - name: a\n"
                                         "    image: nginx\n",
                                &s, &d);
        char *line;

        ASSERT_NOT_NULL(p);
        ASSERT_EQ(p->spec.termination_grace_period_seconds.value, 1);
        ASSERT_EQ(d.n, 1);
        ASSERT_EQ(diags_errors(&d), 0);
        line = diag_format(&d.items[0], "p.yaml");
        ASSERT_STREQ(line, "p.yaml:6:34: warning: spec.terminationGracePeriodSeconds: must be >= 0; negative "
                           "values are invalid and will be treated as 1");
        free(line);
        pod_free(p);
        ystream_free(s);
        diags_done(&d);
}

TEST(container_parts) {
        Diags d = {};
        YStream *s = NULL;
        Pod *p = load_defaulted(POD_HEAD
                                "  hostNetwork: true\n"
                                "  initContainers:\n"
                                "  - name: init\n"
                                "    image: busybox\n"
                                "    ports:\n"
                                "    - containerPort: 53\n"
                                "      protocol: UDP\n"
                                "  containers:\n"
                                "  - name: a\n"
                                "    image: nginx\n"
                                "    ports:\n"
                                "    - containerPort: 80\n"
                                "    - containerPort: 81\n"
                                "      hostPort: 81\n"
                                "    env:\n"
                                "    - name: POD\n"
                                "      valueFrom:\n"
                                "        fieldRef:\n"
                                "          fieldPath: metadata.name\n"
                                "    livenessProbe:\n"
                                "      httpGet:\n"
                                "        port: 80\n"
                                "      timeoutSeconds: 0\n"
                                "      periodSeconds: 5\n"
                                "    readinessProbe:\n"
                                "      grpc:\n"
                                "        port: 9000\n"
                                "    lifecycle:\n"
                                "      preStop:\n"
                                "        httpGet:\n"
                                "          port: 80\n"
                                "          path: /quit\n",
                                &s, &d);
        const Container *c, *init;
        const Probe *lp;

        ASSERT_NOT_NULL(p);
        init = p->spec.init_containers;
        c = p->spec.containers;

        ASSERT_STREQ(init->ports[0].protocol, "UDP");
        ASSERT_TRUE(init->ports[0].host_port.set);
        ASSERT_EQ(init->ports[0].host_port.value, 53);
        ASSERT_STREQ(c->ports[0].protocol, "TCP");
        ASSERT_EQ(c->ports[0].host_port.value, 80);
        ASSERT_EQ(c->ports[1].host_port.value, 81);

        ASSERT_STREQ(c->env[0].value_from->field_ref->api_version, "v1");

        lp = c->liveness_probe;
        ASSERT_STREQ(lp->handler.http_get->path, "/");
        ASSERT_STREQ(lp->handler.http_get->scheme, "HTTP");
        ASSERT_EQ(lp->timeout_seconds.value, 1);
        ASSERT_EQ(lp->period_seconds.value, 5);
        ASSERT_EQ(lp->success_threshold.value, 1);
        ASSERT_EQ(lp->failure_threshold.value, 3);
        ASSERT_FALSE(lp->initial_delay_seconds.set);
        ASSERT_FALSE(lp->termination_grace_period_seconds.set);

        ASSERT_STREQ(c->readiness_probe->handler.grpc->service, "");
        ASSERT_EQ(c->readiness_probe->period_seconds.value, 10);

        ASSERT_STREQ(c->lifecycle->pre_stop->http_get->path, "/quit");
        ASSERT_STREQ(c->lifecycle->pre_stop->http_get->scheme, "HTTP");
        ASSERT_EQ(d.n, 0);
        pod_free(p);
        ystream_free(s);
        diags_done(&d);
}

TEST(volumes) {
        Diags d = {};
        YStream *s = NULL;
        Pod *p = load_defaulted(POD_HEAD
                                "  containers:\n"
                                "  - name: a\n"
                                "    image: nginx\n"
                                "  volumes:\n"
                                "  - name: scratch\n"
                                "  - name: cfg\n"
                                "    configMap:\n"
                                "      name: cfg\n"
                                "  - name: creds\n"
                                "    secret:\n"
                                "      secretName: creds\n"
                                "      defaultMode: 0400\n"
                                "  - name: host\n"
                                "    hostPath:\n"
                                "      path: /srv\n"
                                "  - name: info\n"
                                "    downwardAPI:\n"
                                "      items:\n"
                                "      - path: labels\n"
                                "        fieldRef:\n"
                                "          fieldPath: metadata.labels\n"
                                "  - name: all\n"
                                "    projected:\n"
                                "      sources:\n"
                                "      - serviceAccountToken:\n"
                                "          path: token\n",
                                &s, &d);
        const Volume *v;

        ASSERT_NOT_NULL(p);
        ASSERT_EQ(p->spec.n_volumes, 6);
        v = p->spec.volumes;

        /* No source: an emptyDir that points back at the volume for diagnostics. */
        ASSERT_NOT_NULL(v[0].empty_dir);
        ASSERT_TRUE(v[0].empty_dir->src == v[0].src);
        ASSERT_NOT_NULL(v[0].src);
        ASSERT_EQ(v[0].n_sources, 1);

        ASSERT_EQ(v[1].config_map->default_mode.value, 0644);
        ASSERT_EQ(v[2].secret->default_mode.value, 0400);
        ASSERT_STREQ(v[3].host_path->type, "");
        ASSERT_EQ(v[4].downward_api->default_mode.value, 0644);
        ASSERT_STREQ(v[4].downward_api->items[0].field_ref->api_version, "v1");
        ASSERT_EQ(v[5].projected->default_mode.value, 0644);
        ASSERT_EQ(v[5].projected->sources[0].service_account_token->expiration_seconds.value, 3600);
        ASSERT_NULL(v[0].config_map);
        ASSERT_EQ(d.n, 0);
        pod_free(p);
        ystream_free(s);
        diags_done(&d);
}

TEST(resources) {
        Diags d = {};
        YStream *s = NULL;
        Pod *p = load_defaulted(POD_HEAD
                                "  containers:\n"
                                "  - name: a\n"
                                "    image: nginx\n"
                                "    resources:\n"
                                "      limits:\n"
                                "        cpu: 100n\n"
                                "        memory: 64Mi\n"
                                "      requests:\n"
                                "        memory: 32Mi\n",
                                &s, &d);
        const ResourceRequirements *r;
        char *t;

        ASSERT_NOT_NULL(p);
        r = p->spec.containers[0].resources;
        ASSERT_EQ(r->limits.n, 2);
        ASSERT_EQ(r->requests.n, 2);

        /* The explicit request stays, the missing one is copied from the limit, both rounded up to milli. */
        ASSERT_STREQ(r->requests.items[0].name, "memory");
        t = quantity_format(&r->requests.items[0].quantity);
        ASSERT_STREQ(t, "32Mi");
        free(t);
        ASSERT_STREQ(r->requests.items[1].name, "cpu");
        t = quantity_format(&r->requests.items[1].quantity);
        ASSERT_STREQ(t, "1m");
        free(t);
        ASSERT_TRUE(r->requests.items[1].src == r->limits.items[0].src);
        t = quantity_format(&r->limits.items[0].quantity);
        ASSERT_STREQ(t, "1m");
        free(t);
        pod_free(p);
        ystream_free(s);
        diags_done(&d);
}

/* A Pod built by hand, with no source nodes at all, must default without touching a NULL src. */
TEST(hand_built_pod) {
        Pod *p = calloc(1, sizeof(Pod));
        Diags d = {};

        ASSERT_NOT_NULL(p);
        p->spec.termination_grace_period_seconds = (OptInt) { .set = true, .value = -1 };
        p->spec.containers = calloc(1, sizeof(Container));
        ASSERT_NOT_NULL(p->spec.containers);
        p->spec.n_containers = 1;
        p->spec.containers[0].image = strdup("example.com/app:latest");
        p->spec.volumes = calloc(1, sizeof(Volume));
        ASSERT_NOT_NULL(p->spec.volumes);
        p->spec.n_volumes = 1;

        ASSERT_OK(pod_apply_defaults(p, &d));
        ASSERT_STREQ(p->spec.containers[0].image_pull_policy, "Always");
        ASSERT_EQ(p->spec.termination_grace_period_seconds.value, 1);
        ASSERT_NOT_NULL(p->spec.volumes[0].empty_dir);
        ASSERT_NULL(p->spec.volumes[0].empty_dir->src);
        ASSERT_EQ(d.n, 1);
        ASSERT_EQ(d.items[0].line, 0);

        /* Defaulting twice changes nothing more. */
        ASSERT_OK(pod_apply_defaults(p, &d));
        ASSERT_EQ(d.n, 1);
        ASSERT_EQ(p->spec.termination_grace_period_seconds.value, 1);
        pod_free(p);
        diags_done(&d);
}
