/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pod-decode.h"
#include "tests.h"

typedef struct Decoded {
        YStream *stream;
        Pod *pod;
        Diags diags;
        int r;
} Decoded;

static Decoded decode_with(const char *text, FieldValidation fv) {
        YLimits limits = YLIMITS_DEFAULT;
        Decoded d = {};

        if (ystream_parse(text, strlen(text), &limits, &d.stream, &d.diags) < 0 || d.stream->n_documents < 1)
                TEST_FAIL("test manifest does not parse:\n%s", text);
        d.r = pod_decode(d.stream->documents[0].root, fv, &d.pod, &d.diags);
        diags_sort(&d.diags);
        return d;
}

static Decoded decode(const char *text) {
        return decode_with(text, FIELD_VALIDATION_STRICT);
}

static void decoded_done(Decoded *d) {
        pod_free(d->pod);
        ystream_free(d->stream);
        diags_done(&d->diags);
}

/* The findings as "LINE:COL: [warning: ][PATH: ]message" lines. */
static const char *findings(const Decoded *d) {
        static char buf[8192];
        buf[0] = 0;
        for (size_t i = 0; i < d->diags.n; i++) {
                char *s = diag_format(&d->diags.items[i], NULL);
                ASSERT_NOT_NULL(s);
                strncat(buf, s, sizeof buf - strlen(buf) - 2);
                strcat(buf, "\n");
                free(s);
        }
        return buf;
}

#define POD_HEAD "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"

TEST(block_style_pod) {
        Decoded d = decode(
                "apiVersion: v1\n"
                "kind: Pod\n"
                "metadata:\n"
                "  name: web\n"
                "  namespace: shop\n"
                "  uid: 1234\n" /* a plain int: uid is a string */
                "  labels:\n"
                "    app: web\n"
                "    tier: \"1\"\n"
                "  annotations: {podctl.io/note: hi}\n"
                "  finalizers: [podctl.io/keep]\n"
                "  resourceVersion: \"42\"\n"
                "  creationTimestamp: 2026-01-01T00:00:00Z\n"
                "spec:\n"
                "  restartPolicy: OnFailure\n"
                "  terminationGracePeriodSeconds: 45\n"
                "  hostNetwork: true\n"
                "  os: {name: linux}\n"
                "  serviceAccount: robot\n"
                "  securityContext: {runAsUser: 1000, supplementalGroups: [4, 44], sysctls: [{name: a.b, value: \"1\"}]}\n"
                "  dnsConfig: {nameservers: [1.1.1.1], options: [{name: ndots, value: \"2\"}]}\n"
                "  hostAliases: [{ip: 10.0.0.1, hostnames: [db]}]\n"
                "  volumes:\n"
                "  - name: data\n"
                "    hostPath: {path: /srv, type: Directory}\n"
                "  - name: tmp\n"
                "    emptyDir: {medium: Memory, sizeLimit: 64Mi}\n"
                "  - name: cfg\n"
                "    secret: {secretName: s, defaultMode: 0400, items: [{key: k, path: p, mode: 0600}]}\n"
                "  - name: proj\n"
                "    projected:\n"
                "      sources:\n"
                "      - configMap: {name: cm, optional: true}\n"
                "      - serviceAccountToken: {path: token, expirationSeconds: 3600}\n"
                "      - downwardAPI: {items: [{path: name, fieldRef: {fieldPath: metadata.name}}]}\n"
                "  initContainers:\n"
                "  - name: init\n"
                "    image: busybox\n"
                "  - name: sidecar\n"
                "    image: busybox\n"
                "    restartPolicy: Always\n"
                "  containers:\n"
                "  - name: app\n"
                "    image: nginx:1.27\n"
                "    imagePullPolicy: IfNotPresent\n"
                "    command: [/bin/sh, -c]\n"
                "    args: [\"exec nginx\"]\n"
                "    env:\n"
                "    - {name: A, value: \"1\"}\n"
                "    - name: B\n"
                "      valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}\n"
                "    envFrom: [{prefix: X_, configMapRef: {name: cm}}]\n"
                "    ports:\n"
                "    - {name: http, containerPort: 8080, protocol: TCP, hostPort: 80}\n"
                "    resources:\n"
                "      limits: {cpu: 500m, memory: 1Gi}\n"
                "      requests: {cpu: 1, memory: 0.5}\n"
                "    volumeMounts: [{name: data, mountPath: /data, readOnly: true}]\n"
                "    livenessProbe:\n"
                "      httpGet: {path: /healthz, port: http, httpHeaders: [{name: X, value: v}]}\n"
                "      periodSeconds: 5\n"
                "      terminationGracePeriodSeconds: 10\n"
                "    readinessProbe: {tcpSocket: {port: 8080}}\n"
                "    startupProbe: {grpc: {port: 9000, service: s}, failureThreshold: 30}\n"
                "    lifecycle:\n"
                "      postStart: {exec: {command: [/bin/true]}}\n"
                "      preStop: {sleep: {seconds: 5}}\n"
                "      stopSignal: SIGQUIT\n"
                "    securityContext:\n"
                "      capabilities: {drop: [ALL]}\n"
                "      allowPrivilegeEscalation: false\n"
                "      seccompProfile: {type: RuntimeDefault}\n"
                "    tty: true\n"
                "status: {phase: Running}\n");
        ASSERT_STREQ(findings(&d), "6:8: metadata.uid: Invalid value: must be a string, got integer\n");
        ASSERT_ERROR(d.r, EINVAL);
        const Pod *p = d.pod;
        ASSERT_NOT_NULL(p);
        ASSERT_STREQ(p->api_version, "v1");
        ASSERT_STREQ(p->kind, "Pod");
        ASSERT_EQ(p->src->line, 1);
        ASSERT_STREQ(p->metadata.name, "web");
        ASSERT_STREQ(p->metadata.namespace, "shop");
        ASSERT_NULL(p->metadata.uid);
        ASSERT_EQ(p->metadata.labels.n, 2);
        ASSERT_STREQ(p->metadata.labels.items[1].key, "tier");
        ASSERT_STREQ(p->metadata.labels.items[1].value, "1");
        ASSERT_EQ(p->metadata.labels.items[1].src->line, 9);
        ASSERT_STREQ(p->metadata.annotations.items[0].key, "podctl.io/note");
        ASSERT_STREQ(p->metadata.finalizers[0], "podctl.io/keep");
        ASSERT_NULL(p->metadata.finalizers[1]);

        const PodSpec *s = &p->spec;
        ASSERT_EQ(s->src->line, 15);
        ASSERT_STREQ(s->restart_policy, "OnFailure");
        ASSERT_TRUE(s->termination_grace_period_seconds.set);
        ASSERT_EQ(s->termination_grace_period_seconds.value, 45);
        ASSERT_FALSE(s->active_deadline_seconds.set);
        ASSERT_TRUE(s->host_network.set && s->host_network.value);
        ASSERT_FALSE(s->host_pid.set);
        ASSERT_STREQ(s->os_name, "linux");
        ASSERT_STREQ(s->service_account_name, "robot");
        ASSERT_EQ(s->security_context->run_as_user.value, 1000);
        ASSERT_EQ(s->security_context->n_supplemental_groups, 2);
        ASSERT_EQ(s->security_context->supplemental_groups[1], 44);
        ASSERT_STREQ(s->security_context->sysctls[0].value, "1");
        ASSERT_STREQ(s->dns_config->nameservers[0], "1.1.1.1");
        ASSERT_STREQ(s->dns_config->options[0].value, "2");
        ASSERT_STREQ(s->host_aliases[0].hostnames[0], "db");

        ASSERT_EQ(s->n_volumes, 4);
        ASSERT_STREQ(s->volumes[0].host_path->type, "Directory");
        ASSERT_EQ(s->volumes[0].n_sources, 1);
        ASSERT_STREQ(s->volumes[1].empty_dir->medium, "Memory");
        ASSERT_TRUE(s->volumes[1].empty_dir->has_size_limit);
        ASSERT_EQ(quantity_value_ceil(&s->volumes[1].empty_dir->size_limit), 64 * 1024 * 1024);
        ASSERT_STREQ(s->volumes[2].secret->name, "s");
        ASSERT_EQ(s->volumes[2].secret->default_mode.value, 0400);
        ASSERT_EQ(s->volumes[2].secret->items[0].mode.value, 0600);
        const ProjectedVolumeSource *pr = s->volumes[3].projected;
        ASSERT_EQ(pr->n_sources, 3);
        ASSERT_STREQ(pr->sources[0].config_map->name, "cm");
        ASSERT_TRUE(pr->sources[0].config_map->optional.value);
        ASSERT_EQ(pr->sources[1].service_account_token->expiration_seconds.value, 3600);
        ASSERT_STREQ(pr->sources[2].downward_api->items[0].field_ref->field_path, "metadata.name");

        ASSERT_EQ(s->n_init_containers, 2);
        ASSERT_EQ(s->init_containers[0].role, CONTAINER_INIT);
        ASSERT_EQ(s->init_containers[1].role, CONTAINER_SIDECAR);
        ASSERT_EQ(s->n_containers, 1);
        const Container *c = &s->containers[0];
        ASSERT_EQ(c->role, CONTAINER_APP);
        ASSERT_EQ(c->src->line, 43);
        ASSERT_STREQ(c->image, "nginx:1.27");
        ASSERT_STREQ(c->image_pull_policy, "IfNotPresent");
        ASSERT_STREQ(c->command[1], "-c");
        ASSERT_STREQ(c->args[0], "exec nginx");
        ASSERT_EQ(c->n_env, 2);
        ASSERT_STREQ(c->env[0].value, "1");
        ASSERT_NULL(c->env[1].value);
        ASSERT_STREQ(c->env[1].value_from->resource_field_ref->resource, "limits.cpu");
        ASSERT_TRUE(c->env[1].value_from->resource_field_ref->has_divisor);
        ASSERT_EQ(quantity_milli_ceil(&c->env[1].value_from->resource_field_ref->divisor), 1);
        ASSERT_STREQ(c->env_from[0].prefix, "X_");
        ASSERT_STREQ(c->env_from[0].config_map_ref->name, "cm");
        ASSERT_EQ(c->ports[0].container_port.value, 8080);
        ASSERT_EQ(c->ports[0].host_port.value, 80);
        ASSERT_EQ(c->resources->limits.n, 2);
        ASSERT_STREQ(c->resources->limits.items[0].name, "cpu");
        ASSERT_EQ(quantity_milli_ceil(&c->resources->limits.items[0].quantity), 500);
        ASSERT_EQ(quantity_milli_ceil(&c->resources->requests.items[0].quantity), 1000);
        ASSERT_EQ(quantity_milli_ceil(&c->resources->requests.items[1].quantity), 500);
        ASSERT_TRUE(c->volume_mounts[0].read_only.value);
        ASSERT_STREQ(c->liveness_probe->handler.http_get->path, "/healthz");
        ASSERT_TRUE(c->liveness_probe->handler.http_get->port.is_string);
        ASSERT_STREQ(c->liveness_probe->handler.http_get->port.str_value, "http");
        ASSERT_STREQ(c->liveness_probe->handler.http_get->http_headers[0].value, "v");
        ASSERT_TRUE(c->liveness_probe->handler.src == c->liveness_probe->src);
        ASSERT_EQ(c->liveness_probe->period_seconds.value, 5);
        ASSERT_EQ(c->liveness_probe->termination_grace_period_seconds.value, 10);
        ASSERT_FALSE(c->readiness_probe->handler.tcp_socket->port.is_string);
        ASSERT_EQ(c->readiness_probe->handler.tcp_socket->port.int_value, 8080);
        ASSERT_EQ(c->startup_probe->handler.grpc->port.value, 9000);
        ASSERT_EQ(c->startup_probe->failure_threshold.value, 30);
        HandlerKind k;
        ASSERT_EQ(handler_count(&c->startup_probe->handler, &k), 1);
        ASSERT_EQ(k, HANDLER_GRPC);
        ASSERT_STREQ(c->lifecycle->post_start->exec->command[0], "/bin/true");
        ASSERT_EQ(c->lifecycle->pre_stop->sleep->seconds.value, 5);
        ASSERT_EQ(handler_count(c->lifecycle->pre_stop, &k), 1);
        ASSERT_EQ(k, HANDLER_SLEEP);
        ASSERT_STREQ(c->lifecycle->stop_signal, "SIGQUIT");
        ASSERT_STREQ(c->security_context->capabilities->drop[0], "ALL");
        ASSERT_FALSE(c->security_context->allow_privilege_escalation.value);
        ASSERT_TRUE(c->security_context->allow_privilege_escalation.set);
        ASSERT_STREQ(c->security_context->seccomp_profile->type, "RuntimeDefault");
        ASSERT_TRUE(c->tty.value);

        /* The model helpers over the decoded pod. */
        ASSERT_EQ(pod_n_containers(p), 3);
        ASSERT_TRUE(pod_container_at(p, 1) == &s->init_containers[1]);
        ASSERT_TRUE(pod_container_at(p, 2) == &s->containers[0]);
        ASSERT_NULL(pod_container_at(p, 3));
        char *path = pod_container_path(p, pod_container_at(p, 1));
        ASSERT_STREQ(path, "spec.initContainers[1]");
        free(path);
        path = pod_container_path(p, pod_container_at(p, 2));
        ASSERT_STREQ(path, "spec.containers[0]");
        free(path);
        decoded_done(&d);
}

TEST(flow_style_pod) {
        Decoded d = decode("{apiVersion: v1, kind: Pod, metadata: {name: f, labels: {a: b}},\n"
                           " spec: {containers: [{name: c, image: i, ports: [{containerPort: 80}]}],\n"
                           "        initContainers: [{name: s, image: i, restartPolicy: Always}]}}\n");
        ASSERT_OK(d.r);
        ASSERT_EQ(d.diags.n, 0);
        ASSERT_STREQ(d.pod->metadata.labels.items[0].value, "b");
        ASSERT_EQ(d.pod->spec.containers[0].ports[0].container_port.value, 80);
        ASSERT_EQ(d.pod->spec.containers[0].ports[0].container_port.set, true);
        ASSERT_FALSE(d.pod->spec.containers[0].ports[0].host_port.set);
        ASSERT_EQ(d.pod->spec.containers[0].src->line, 2);
        ASSERT_EQ(d.pod->spec.containers[0].src->column, 22);
        ASSERT_EQ(d.pod->spec.init_containers[0].role, CONTAINER_SIDECAR);
        decoded_done(&d);
}

/* One bad value per case: the exact finding, located at the value. */
TEST(type_errors) {
        static const struct {
                const char *spec;
                const char *expected;
        } cases[] = {
                { "  containers: [{name: 1}]\n", "5:23: spec.containers[0].name: Invalid value: must be a string, got integer\n" },
                { "  containers: [{name: c, env: [{name: PORT, value: 8080}]}]\n",
                  "5:52: spec.containers[0].env[0].value: Invalid value: must be a string, got integer\n" },
                { "  containers: [{name: c, image: yes}]\n",
                  "5:33: spec.containers[0].image: Invalid value: must be a string, got boolean\n" },
                { "  containers: [{name: c, ports: [{containerPort: \"8080\"}]}]\n",
                  "5:50: spec.containers[0].ports[0].containerPort: Invalid value: must be an integer, got string\n" },
                { "  containers: [{name: c, ports: [{containerPort: 80.5}]}]\n",
                  "5:50: spec.containers[0].ports[0].containerPort: Invalid value: must be an integer, got number\n" },
                { "  containers: [{name: c, ports: [{containerPort: 2147483648}]}]\n",
                  "5:50: spec.containers[0].ports[0].containerPort: Invalid value: must be a 32-bit integer, got 2147483648\n" },
                { "  containers: [{name: c, ports: [{containerPort: -2147483649}]}]\n",
                  "5:50: spec.containers[0].ports[0].containerPort: Invalid value: must be a 32-bit integer, got -2147483649\n" },
                { "  activeDeadlineSeconds: 99999999999999999999\n",
                  "5:26: spec.activeDeadlineSeconds: Invalid value: must be a 64-bit integer, got 99999999999999999999\n" },
                { "  hostNetwork: \"true\"\n", "5:16: spec.hostNetwork: Invalid value: must be a boolean, got string\n" },
                /* YAML 1.1 booleans, as sigs.k8s.io/yaml resolves them: `value: on` is not a string */
                { "  containers: [{name: c, env: [{name: A, value: on}]}]\n",
                  "5:49: spec.containers[0].env[0].value: Invalid value: must be a string, got boolean\n" },
                { "  hostPID: 1\n", "5:12: spec.hostPID: Invalid value: must be a boolean, got integer\n" },
                { "  containers: {name: c}\n", "5:15: spec.containers: Invalid value: must be an array, got object\n" },
                { "  containers: [c]\n", "5:16: spec.containers[0]: Invalid value: must be an object, got string\n" },
                { "  containers: [{name: c, command: /bin/true}]\n",
                  "5:35: spec.containers[0].command: Invalid value: must be an array, got string\n" },
                { "  containers: [{name: c, command: [/bin/sleep, 10]}]\n",
                  "5:48: spec.containers[0].command[1]: Invalid value: must be a string, got integer\n" },
                { "  securityContext: []\n", "5:20: spec.securityContext: Invalid value: must be an object, got array\n" },
                { "  securityContext: {supplementalGroups: [1, x]}\n",
                  "5:45: spec.securityContext.supplementalGroups[1]: Invalid value: must be an integer, got string\n" },
                { "  containers: [{name: c, livenessProbe: {tcpSocket: {port: true}}}]\n",
                  "5:60: spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: must be an integer or a string, got boolean\n" },
                { "  containers: [{name: c, livenessProbe: {tcpSocket: {port: 1.5}}}]\n",
                  "5:60: spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: must be an integer or a string, got number\n" },
                { "  containers: [{name: c, readinessProbe: {httpGet: {port: 4294967296}}}]\n",
                  "5:59: spec.containers[0].readinessProbe.httpGet.port: Invalid value: must be a 32-bit integer, got 4294967296\n" },
                { "  containers: [{name: c, resources: {limits: {memory: 1KB}}}]\n",
                  "5:55: spec.containers[0].resources.limits[memory]: quantities must match the regular expression "
                  "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'\n" },
                { "  containers: [{name: c, resources: {limits: {cpu: [1]}}}]\n",
                  "5:52: spec.containers[0].resources.limits[cpu]: Invalid value: must be a quantity, got array\n" },
                { "  volumes: [{name: v, emptyDir: {sizeLimit: 1 Gi}}]\n",
                  "5:45: spec.volumes[0].emptyDir.sizeLimit: quantities must match the regular expression "
                  "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'\n" },
                { "  volumes: [{name: v, hostPath: {path: 7}}]\n",
                  "5:40: spec.volumes[0].hostPath.path: Invalid value: must be a string, got integer\n" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char text[1024];
                snprintf(text, sizeof text, POD_HEAD "spec:\n%s", cases[i].spec);
                Decoded d = decode(text);
                if (!streq(findings(&d), cases[i].expected))
                        TEST_FAIL("case %zu: got\n%sexpected\n%s", i, findings(&d), cases[i].expected);
                ASSERT_ERROR(d.r, EINVAL);
                ASSERT_NOT_NULL(d.pod); /* partially filled, for validation */
                decoded_done(&d);
        }
}

TEST(labels_must_be_strings) {
        Decoded d = decode("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {a: 1, b: x, c: null}\n");
        ASSERT_ERROR(d.r, EINVAL);
        ASSERT_STREQ(findings(&d), "5:15: metadata.labels[a]: Invalid value: must be a string, got integer\n");
        ASSERT_EQ(d.pod->metadata.labels.n, 2);
        ASSERT_STREQ(d.pod->metadata.labels.items[0].key, "b");
        ASSERT_STREQ(d.pod->metadata.labels.items[1].value, "");
        decoded_done(&d);
}

TEST(null_is_absent) {
        Decoded d = decode(POD_HEAD "spec:\n"
                                    "  restartPolicy: ~\n"
                                    "  securityContext: null\n"
                                    "  nodeSelector: null\n"
                                    "  containers: [{name: c, image: null, ports: ~, command: [a, null]}, null]\n");
        ASSERT_OK(d.r);
        ASSERT_EQ(d.diags.n, 0);
        ASSERT_NULL(d.pod->spec.restart_policy);
        ASSERT_NULL(d.pod->spec.security_context);
        ASSERT_NULL(d.pod->spec.containers[0].image);
        ASSERT_EQ(d.pod->spec.containers[0].n_ports, 0);
        ASSERT_STREQ(d.pod->spec.containers[0].command[1], "");
        /* A null element is an empty container that still has a position. */
        ASSERT_EQ(d.pod->spec.n_containers, 2);
        ASSERT_NULL(d.pod->spec.containers[1].name);
        ASSERT_EQ(d.pod->spec.containers[1].src->line, 8);
        ASSERT_EQ(d.pod->spec.containers[1].role, CONTAINER_APP);
        decoded_done(&d);
}

TEST(int_or_string_ports) {
        Decoded d = decode(POD_HEAD "spec:\n  containers:\n  - name: c\n"
                                    "    livenessProbe: {httpGet: {port: 8080}}\n"
                                    "    readinessProbe: {httpGet: {port: \"8080\"}}\n"
                                    "    startupProbe: {tcpSocket: {port: metrics}}\n"
                                    "    lifecycle: {preStop: {httpGet: {port: 0x1F90}}}\n");
        ASSERT_OK(d.r);
        const Container *c = &d.pod->spec.containers[0];
        const IntOrString *a = &c->liveness_probe->handler.http_get->port;
        ASSERT_TRUE(a->set && !a->is_string && a->int_value == 8080 && !a->str_value);
        /* Quoted stays a string, as intstr does: validation decides whether "8080" is a valid port name. */
        const IntOrString *b = &c->readiness_probe->handler.http_get->port;
        ASSERT_TRUE(b->set && b->is_string);
        ASSERT_STREQ(b->str_value, "8080");
        ASSERT_STREQ(c->startup_probe->handler.tcp_socket->port.str_value, "metrics");
        ASSERT_EQ(c->lifecycle->pre_stop->http_get->port.int_value, 8080);
        decoded_done(&d);
}

TEST(int32_bounds_accepted) {
        Decoded d = decode(POD_HEAD "spec:\n  containers:\n  - name: c\n"
                                    "    ports: [{containerPort: 2147483647, hostPort: -2147483648}]\n"
                                    "  activeDeadlineSeconds: 9223372036854775807\n");
        ASSERT_OK(d.r);
        ASSERT_EQ(d.pod->spec.containers[0].ports[0].container_port.value, INT32_MAX);
        ASSERT_EQ(d.pod->spec.containers[0].ports[0].host_port.value, INT32_MIN);
        ASSERT_EQ(d.pod->spec.active_deadline_seconds.value, INT64_MAX);
        decoded_done(&d);
}

TEST(unknown_fields_follow_policy) {
        static const char *const text = POD_HEAD "spec:\n"
                                                 "  containers:\n"
                                                 "  - name: c\n"
                                                 "    imagePullPolic: Always\n"
                                                 "    ImagePullPolicy: Always\n"
                                                 "  restartpolicy: Never\n"
                                                 "extra: 1\n";
        static const struct {
                FieldValidation fv;
                int r;
                const char *expected;
        } cases[] = {
                { FIELD_VALIDATION_STRICT, -EINVAL,
                  "7:5: spec.containers[0]: unknown field \"imagePullPolic\"\n"
                  "8:5: spec.containers[0]: unknown field \"ImagePullPolicy\"\n"
                  "9:3: spec: unknown field \"restartpolicy\"\n"
                  "10:1: unknown field \"extra\"\n" },
                { FIELD_VALIDATION_WARN, 0,
                  "7:5: warning: spec.containers[0]: unknown field \"imagePullPolic\"\n"
                  "8:5: warning: spec.containers[0]: unknown field \"ImagePullPolicy\"\n"
                  "9:3: warning: spec: unknown field \"restartpolicy\"\n"
                  "10:1: warning: unknown field \"extra\"\n" },
                { FIELD_VALIDATION_IGNORE, 0, "" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Decoded d = decode_with(text, cases[i].fv);
                ASSERT_EQ(d.r, cases[i].r);
                ASSERT_STREQ(findings(&d), cases[i].expected);
                ASSERT_NULL(d.pod->spec.containers[0].image_pull_policy);
                ASSERT_NULL(d.pod->spec.restart_policy);
                decoded_done(&d);
        }
}

TEST(ignored_fields_warn) {
        Decoded d = decode(POD_HEAD "spec:\n"
                                    "  nodeSelector: {disk: ssd}\n"
                                    "  nodeName: worker-1\n"
                                    "  tolerations: []\n" /* empty: asks for nothing, no warning */
                                    "  priority: 0\n"
                                    "  schedulerName: default-scheduler\n"
                                    "  imagePullSecrets: [{name: regcred}]\n"
                                    "  containers:\n"
                                    "  - name: c\n"
                                    "    resizePolicy: [{resourceName: cpu, restartPolicy: NotRequired}]\n"
                                    "    securityContext: {windowsOptions: {runAsUserName: x}}\n");
        ASSERT_OK(d.r);
        ASSERT_STREQ(findings(&d),
                     "5:3: warning: spec: nodeSelector is ignored: podctl runs pods on a single host\n"
                     "6:3: warning: spec: nodeName is ignored: podctl runs pods on a single host\n"
                     "8:3: warning: spec: priority is ignored: podctl runs pods on a single host\n"
                     "10:3: warning: spec: imagePullSecrets is ignored: podctl does not pull images from registries yet\n"
                     "13:5: warning: spec.containers[0]: resizePolicy is ignored: podctl does not resize running containers in place\n"
                     "14:23: warning: spec.containers[0].securityContext: windowsOptions is ignored: podctl runs Linux containers\n");
        ASSERT_STREQ(d.pod->spec.scheduler_name, "default-scheduler");
        decoded_done(&d);

        d = decode(POD_HEAD "spec:\n  schedulerName: my-scheduler\n");
        ASSERT_OK(d.r);
        ASSERT_STREQ(findings(&d),
                     "5:3: warning: spec: schedulerName is ignored: podctl runs pods on a single host and schedules nothing\n");
        ASSERT_STREQ(d.pod->spec.scheduler_name, "my-scheduler");
        decoded_done(&d);
}

TEST(server_set_fields_are_silent) {
        Decoded d = decode("apiVersion: v1\nkind: Pod\n"
                           "metadata:\n"
                           "  name: p\n"
                           "  generation: 3\n"
                           "  ownerReferences: [{kind: ReplicaSet, name: rs}]\n"
                           "  managedFields: [{manager: kubectl}]\n"
                           "  selfLink: /api/v1/x\n"
                           "  deletionTimestamp: null\n"
                           "spec:\n"
                           "  serviceAccount: default\n"
                           "  serviceAccountName: other\n"
                           "status: {phase: Running, podIP: 10.0.0.1}\n");
        ASSERT_OK(d.r);
        ASSERT_EQ(d.diags.n, 0);
        ASSERT_STREQ(d.pod->spec.service_account_name, "other");
        decoded_done(&d);
}

TEST(unsupported_fields_are_errors) {
        Decoded d = decode(POD_HEAD "spec:\n"
                                    "  volumes:\n"
                                    "  - name: claim\n"
                                    "    persistentVolumeClaim: {claimName: data}\n"
                                    "  - name: two\n"
                                    "    nfs: {server: s, path: /}\n"
                                    "    emptyDir: {}\n"
                                    "  containers:\n"
                                    "  - name: c\n"
                                    "    volumeDevices: [{name: d, devicePath: /dev/xvda}]\n"
                                    "  ephemeralContainers: [{name: debug}]\n");
        ASSERT_ERROR(d.r, EINVAL);
        ASSERT_STREQ(findings(&d),
                     "7:5: spec.volumes[0]: Unsupported value: \"persistentVolumeClaim\": not supported on a single host; "
                     "supported volume types: emptyDir, hostPath, configMap, secret, downwardAPI, projected\n"
                     "9:5: spec.volumes[1]: Unsupported value: \"nfs\": not supported on a single host; "
                     "supported volume types: emptyDir, hostPath, configMap, secret, downwardAPI, projected\n"
                     "13:5: spec.containers[0]: Unsupported value: \"volumeDevices\": raw block devices are not supported; use a volumeMount\n"
                     "14:3: spec: Unsupported value: \"ephemeralContainers\": ephemeral containers cannot be set on create\n");
        ASSERT_STREQ(d.pod->spec.volumes[0].name, "claim");
        ASSERT_EQ(d.pod->spec.volumes[0].n_sources, 1);
        ASSERT_EQ(d.pod->spec.volumes[1].n_sources, 2);
        ASSERT_NOT_NULL(d.pod->spec.volumes[1].empty_dir);
        decoded_done(&d);
}

TEST(errors_accumulate) {
        /* Every problem is reported and decoding goes on around them. */
        Decoded d = decode(POD_HEAD "spec:\n"
                                    "  containers:\n"
                                    "  - {name: a, image: 1}\n"
                                    "  - {name: b, tty: yes, stdin: 1, ports: [{containerPort: x}, {containerPort: 81}]}\n"
                                    "  restartPolicy: Never\n");
        ASSERT_ERROR(d.r, EINVAL);
        ASSERT_STREQ(findings(&d),
                     "6:22: spec.containers[0].image: Invalid value: must be a string, got integer\n"
                     "7:32: spec.containers[1].stdin: Invalid value: must be a boolean, got integer\n"
                     "7:59: spec.containers[1].ports[0].containerPort: Invalid value: must be an integer, got string\n");
        ASSERT_EQ(d.diags.n_errors, 3);
        ASSERT_STREQ(d.pod->spec.containers[1].name, "b");
        ASSERT_TRUE(d.pod->spec.containers[1].tty.value);
        ASSERT_FALSE(d.pod->spec.containers[1].ports[0].container_port.set);
        ASSERT_EQ(d.pod->spec.containers[1].ports[1].container_port.value, 81);
        ASSERT_STREQ(d.pod->spec.restart_policy, "Never");
        decoded_done(&d);
}

TEST(root_not_a_mapping) {
        Decoded d = decode("[1, 2]\n");
        ASSERT_ERROR(d.r, EINVAL);
        ASSERT_STREQ(findings(&d), "1:1: Invalid value: must be an object, got array\n");
        ASSERT_NOT_NULL(d.pod);
        decoded_done(&d);
}

TEST(anchors_share_nodes) {
        Decoded d = decode(POD_HEAD "spec:\n"
                                    "  containers:\n"
                                    "  - &c {name: a, image: i, env: [{name: X, value: \"1\"}]}\n"
                                    "  - <<: *c\n"
                                    "    name: b\n");
        ASSERT_OK(d.r);
        ASSERT_STREQ(d.pod->spec.containers[1].name, "b");
        ASSERT_STREQ(d.pod->spec.containers[1].image, "i");
        ASSERT_STREQ(d.pod->spec.containers[1].env[0].value, "1");
        decoded_done(&d);
}

TEST(string_tables) {
        ASSERT_STREQ(container_role_to_string(CONTAINER_SIDECAR), "sidecar");
        ASSERT_STREQ(container_role_to_string(CONTAINER_APP), "app");
        ASSERT_NULL(container_role_to_string(_CONTAINER_ROLE_MAX));
        ASSERT_STREQ(handler_kind_to_string(HANDLER_HTTP_GET), "httpGet");
        ASSERT_STREQ(handler_kind_to_string(HANDLER_TCP_SOCKET), "tcpSocket");
        ASSERT_NULL(handler_kind_to_string(_HANDLER_KIND_INVALID));

        HandlerKind k = HANDLER_EXEC;
        ASSERT_EQ(handler_count(NULL, &k), 0);
        ASSERT_EQ(k, _HANDLER_KIND_INVALID);
        ASSERT_NULL(pod_free(NULL));
        ASSERT_EQ(pod_n_containers(NULL), 0);
        ASSERT_NULL(pod_container_at(NULL, 0));
}

TEST(handlers_keep_every_kind) {
        /* Validation wants to name every handler given, so the decoder keeps them all. */
        Decoded d = decode(POD_HEAD "spec:\n  containers:\n  - name: c\n"
                                    "    livenessProbe: {exec: {command: [x]}, tcpSocket: {port: 1}, grpc: {port: 2}}\n"
                                    "    lifecycle: {postStart: {sleep: {seconds: 1}, httpGet: {port: 3}}}\n"
                                    "    readinessProbe: {sleep: {seconds: 1}}\n");
        ASSERT_ERROR(d.r, EINVAL);
        /* sleep is a lifecycle handler only: in a probe it is an unknown field, as in Kubernetes */
        ASSERT_STREQ(findings(&d), "9:22: spec.containers[0].readinessProbe: unknown field \"sleep\"\n");
        const Container *c = &d.pod->spec.containers[0];
        HandlerKind k;
        ASSERT_EQ(handler_count(&c->liveness_probe->handler, &k), 3);
        ASSERT_EQ(k, HANDLER_EXEC);
        ASSERT_EQ(handler_count(c->lifecycle->post_start, &k), 2);
        ASSERT_EQ(k, HANDLER_HTTP_GET);
        ASSERT_EQ(handler_count(&c->readiness_probe->handler, NULL), 0);
        decoded_done(&d);
}
