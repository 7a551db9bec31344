/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "manifest.h"
#include "pod-decode.h"
#include "pod-defaults.h"
#include "pod-validate.h"
#include "strbuf.h"
#include "tests.h"
#include "yaml-tree.h"

/* Runs decode → defaults → validate on YAML text and returns every finding of the last two stages, sorted,
 * formatted as podctl prints them (file "p.yaml"), one per line. *ret_r gets pod_validate's return. */
static char *check(const char *yaml, int *ret_r) {
        _cleanup_(ystream_freep) YStream *s = NULL;
        _cleanup_(pod_freep) Pod *pod = NULL;
        Diags d = {};
        StrBuf b = {};
        int r;

        r = ystream_parse(yaml, strlen(yaml), &YLIMITS_DEFAULT, &s, &d);
        if (r < 0)
                return NULL;
        r = pod_decode(s->documents[0].root, FIELD_VALIDATION_STRICT, &pod, &d);
        if (r < 0 || d.n > 0) {
                /* The cases here are about validation: a decode finding means the case is wrong. */
                fprintf(stderr, "decode failed: %s\n", d.n > 0 ? d.items[0].message : "");
                diags_done(&d);
                return NULL;
        }
        if (pod_apply_defaults(pod, &d) < 0)
                return NULL;
        *ret_r = pod_validate(pod, &d);

        diags_sort(&d);
        for (size_t i = 0; i < d.n; i++) {
                _cleanup_(freep) char *line = diag_format(&d.items[i], "p.yaml");
                strbuf_printf(&b, "%s\n", line ?: "(oom)");
        }
        diags_done(&d);
        return strbuf_steal(&b) ?: strdup("");
}

#define HEAD "apiVersion: v1\nkind: Pod\nmetadata:\n  name: demo\nspec:\n"
#define APP "  containers:\n  - name: app\n    image: nginx:1.27\n"
#define DNS_LABEL_MSG                                                                                        \
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "   \
        "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "      \
        "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"

TEST(valid_pods_have_no_errors) {
        static const char *const table[] = {
                HEAD APP,
                /* a host program: no image, a command; only podctl's warning */
                HEAD "  containers:\n  - name: app\n    command: [/usr/bin/sleep, infinity]\n",
                /* everything at once, all of it valid */
                HEAD "  terminationGracePeriodSeconds: 20\n"
                     "  hostNetwork: true\n"
                     "  dnsPolicy: None\n"
                     "  dnsConfig:\n"
                     "    nameservers: [192.0.2.53, \"2001:db8::53\"]\n"
                     "    searches: [example.com.]\n"
                     "  os:\n    name: linux\n"
                     "  initContainers:\n"
                     "  - name: setup\n    image: busybox\n    command: [\"true\"]\n"
                     "  - name: proxy\n    image: envoy:v1\n    restartPolicy: Always\n"
                     "    readinessProbe:\n      tcpSocket:\n        port: 9901\n"
                     "    ports:\n    - containerPort: 9901\n      hostPort: 9901\n"
                     "  containers:\n"
                     "  - name: app\n    image: nginx:1.27\n"
                     "    ports:\n    - containerPort: 80\n      name: http\n"
                     "    env:\n    - name: my.var-1\n      value: x\n"
                     "    - name: POD\n      valueFrom:\n        fieldRef:\n          fieldPath: metadata.labels['app']\n"
                     "    - name: CPU\n      valueFrom:\n        resourceFieldRef:\n          resource: limits.cpu\n"
                     "          divisor: 1m\n"
                     "    envFrom:\n    - prefix: CFG_\n      configMapRef:\n        name: settings\n"
                     "    volumeMounts:\n    - name: data\n      mountPath: /data\n      subPathExpr: $(POD)\n"
                     "    - name: cfg\n      mountPath: /etc/app\n      readOnly: true\n"
                     "    resources:\n      limits:\n        cpu: 500m\n        memory: 128Mi\n"
                     "        hugepages-2Mi: 64Mi\n        example.com/gpu: 1\n"
                     "      requests:\n        cpu: 250m\n"
                     "    livenessProbe:\n      httpGet:\n        port: http\n        scheme: HTTPS\n"
                     "      terminationGracePeriodSeconds: 5\n"
                     "    startupProbe:\n      grpc:\n        port: 9000\n      failureThreshold: 30\n"
                     "    lifecycle:\n      postStart:\n        exec:\n          command: [touch, /ready]\n"
                     "      preStop:\n        sleep:\n          seconds: 0\n"
                     "  volumes:\n"
                     "  - name: data\n"
                     "  - name: cfg\n    projected:\n      sources:\n      - configMap:\n          name: settings\n"
                     "          items:\n          - key: a\n            path: conf/a\n            mode: 0400\n"
                     "      - downwardAPI:\n          items:\n          - path: cpu\n            resourceFieldRef:\n"
                     "              containerName: app\n              resource: requests.cpu\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                _cleanup_(freep) char *out = NULL;
                int r = -1;

                out = check(table[i], &r);
                ASSERT_NOT_NULL(out);
                /* only warnings allowed: every line must be one */
                for (const char *l = out; *l; l = strchr(l, '\n') + 1)
                        if (!strstr(l, ": warning: ") || strstr(l, ": warning: ") > strchr(l, '\n'))
                                TEST_FAIL("case %zu: unexpected finding: %.*s", i, (int) (strchr(l, '\n') - l), l);
                ASSERT_EQ(r, 0);
        }
}

TEST(findings) {
        static const struct {
                const char *yaml;
                const char *expect;
        } table[] = {
                /* every error is reported, not just the first */
                { HEAD "  containers:\n  - name: A\n    image: busybox\n  - name: a_b\n    image: busybox\n",
                  "p.yaml:7:11: spec.containers[0].name: Invalid value: \"A\": " DNS_LABEL_MSG "\n"
                  "p.yaml:9:11: spec.containers[1].name: Invalid value: \"a_b\": " DNS_LABEL_MSG "\n" },
                /* too long and badly formed: both messages, as apimachinery returns them */
                { HEAD "  hostname: " "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "\n" APP,
                  "p.yaml:6:13: spec.hostname: Invalid value: "
                  "\"Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": must be no more than 63 characters\n"
                  "p.yaml:6:13: spec.hostname: Invalid value: "
                  "\"Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": " DNS_LABEL_MSG "\n" },
                /* Go's %q escaping in values */
                { HEAD "  containers:\n  - name: app\n    image: \"\\tnginx\\\"\"\n",
                  "p.yaml:8:12: spec.containers[0].image: Invalid value: \"\\tnginx\\\"\": must not have leading "
                  "or trailing whitespace\n" },
                /* names are unique across init and app containers */
                { HEAD "  initContainers:\n  - name: app\n    command: [x]\n" APP,
                  "p.yaml:7:5: warning: spec.initContainers[0].image: image is required by Kubernetes; podctl "
                  "runs containers without one on the host's root filesystem\n"
                  "p.yaml:10:11: spec.containers[0].name: Duplicate value: \"app\"\n" },
                /* generateName may end in '-' */
                { "apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: web-\nspec:\n" APP, "" },
                { "apiVersion: v1\nkind: Pod\nmetadata:\n  namespace: x\nspec:\n" APP,
                  "p.yaml:4:3: metadata.name: Required value: name or generateName is required\n" },
                /* label key prefix rules */
                { "apiVersion: v1\nkind: Pod\nmetadata:\n  name: d\n  labels:\n    /app: x\n    Example.com/a: v\n"
                  "    example.com/b: \"\"\nspec:\n" APP,
                  "p.yaml:6:11: metadata.labels: Invalid value: \"/app\": prefix part must be non-empty\n"
                  "p.yaml:7:20: metadata.labels: Invalid value: \"Example.com/a\": prefix part a lowercase RFC "
                  "1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
                  "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation "
                  "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n" },
                /* annotation keys are checked lower-cased */
                { "apiVersion: v1\nkind: Pod\nmetadata:\n  name: d\n  annotations:\n    Example.COM/Key: x\nspec:\n" APP,
                  "" },
                /* hostPort triples: UDP and TCP do not clash; the same triple in two init containers does
                 * not either (they run one at a time) */
                { HEAD "  initContainers:\n"
                       "  - name: i1\n    image: x\n    ports:\n    - containerPort: 1\n      hostPort: 53\n"
                       "  - name: i2\n    image: x\n    ports:\n    - containerPort: 2\n      hostPort: 53\n"
                       "  containers:\n"
                       "  - name: a\n    image: x\n    ports:\n    - containerPort: 53\n      hostPort: 53\n"
                       "      protocol: UDP\n    - containerPort: 54\n      hostPort: 53\n",
                  "" },
                { HEAD APP "    ports:\n    - containerPort: 80\n      hostIP: 127.0.0.1\n"
                       "    - containerPort: 80\n",
                  "p.yaml:11:15: warning: spec.containers[0].ports[0]: hostIP set without hostPort\n"
                  "p.yaml:12:7: warning: spec.containers[0].ports[1]: overlapping port definition with "
                  "spec.containers[0].ports[0]\n" },
                /* env: a later duplicate that does not refer to the earlier value is an API warning */
                { HEAD APP "    env:\n    - name: A\n      value: x\n    - name: A\n      value: $(A)y\n"
                       "    - name: A\n      value: z\n",
                  "p.yaml:14:13: warning: spec.containers[0].env[2]: hides previous definition of \"A\", which "
                  "may be dropped when using apply\n" },
                { HEAD APP "    env:\n    - name: \"\"\n      value: x\n    - name: \"1 2\"\n",
                  "p.yaml:10:13: spec.containers[0].env[0].name: Required value\n" },
                { HEAD APP "    env:\n    - name: X\n      valueFrom: {}\n",
                  "p.yaml:11:18: spec.containers[0].env[0].valueFrom: Invalid value: \"\": must specify one of: "
                  "`fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`\n" },
                { HEAD APP "    env:\n    - name: X\n      valueFrom:\n        resourceFieldRef:\n"
                       "          resource: limits.cpu\n          divisor: 10m\n",
                  "p.yaml:14:20: spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor: Invalid value: "
                  "\"limits.cpu\": only divisor's values 1m and 1 are supported with the cpu resource\n" },
                { HEAD APP "    envFrom:\n    - prefix: A=\n",
                  "p.yaml:10:7: spec.containers[0].envFrom[0]: Invalid value: \"\": must specify one of: "
                  "`configMapRef` or `secretRef`\n"
                  "p.yaml:10:15: spec.containers[0].envFrom[0].prefix: Invalid value: \"A=\": a valid environment "
                  "variable name must consist only of printable ASCII characters other than '='\n" },
                /* probes: thresholds and handler kinds */
                { HEAD APP "    startupProbe:\n      exec:\n        command: [x]\n      successThreshold: 3\n"
                       "    readinessProbe:\n      exec:\n        command: [x]\n      successThreshold: 3\n",
                  "p.yaml:12:25: spec.containers[0].startupProbe.successThreshold: Invalid value: 3: must be 1\n" },
                { HEAD APP "    livenessProbe:\n      tcpSocket:\n        port: 0\n",
                  "p.yaml:11:15: spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: 0: must be "
                  "between 1 and 65535, inclusive\n" },
                /* sidecars may have probes and hooks; plain init containers may not */
                { HEAD "  initContainers:\n  - name: s\n    image: x\n    restartPolicy: Always\n"
                       "    startupProbe:\n      exec:\n        command: [x]\n"
                       "  - name: i\n    image: x\n    lifecycle:\n      preStop:\n        exec:\n"
                       "          command: [x]\n" APP,
                  "p.yaml:16:7: spec.initContainers[1].lifecycle: Forbidden: may not be set for init containers "
                  "without restartPolicy=Always\n" },
                /* sleep 0 is allowed, up to the grace period */
                { HEAD "  terminationGracePeriodSeconds: 5\n" APP
                       "    lifecycle:\n      postStart:\n        sleep:\n          seconds: 5\n"
                       "      preStop:\n        sleep:\n          seconds: -1\n",
                  "p.yaml:16:20: spec.containers[0].lifecycle.preStop.sleep: Invalid value: -1: must be "
                  "non-negative and less than or equal to terminationGracePeriodSeconds (5)\n" },
                { HEAD APP "    lifecycle:\n      preStop:\n        exec:\n          command: [x]\n"
                       "        httpGet:\n          port: 80\n",
                  "p.yaml:14:11: spec.containers[0].lifecycle.preStop.httpGet: Forbidden: may not specify more "
                  "than 1 handler type\n" },
                /* volumes */
                { HEAD APP "  volumes:\n  - name: v\n    secret:\n      secretName: s\n      items:\n"
                       "      - key: \"\"\n        path: ../x\n        mode: -1\n"
                       "  - name: w\n    downwardAPI:\n      items:\n      - path: ..data\n",
                  "p.yaml:14:14: spec.volumes[0].secret.items[0].key: Required value\n"
                  "p.yaml:15:15: spec.volumes[0].secret.items[0].path: Invalid value: \"../x\": must not contain "
                  "'..'\n"
                  "p.yaml:16:15: spec.volumes[0].secret.items[0].mode: Invalid value: -1: must be a number "
                  "between 0 and 0777 (octal), both inclusive\n"
                  "p.yaml:20:9: spec.volumes[1].downwardAPI.items[0]: Required value: one of fieldRef and "
                  "resourceFieldRef is required\n"
                  "p.yaml:20:15: spec.volumes[1].downwardAPI.items[0].path: Invalid value: \"..data\": must not "
                  "start with '..'\n" },
                { HEAD APP "    volumeMounts:\n    - name: v\n      mountPath: /v\n      mountPropagation: Bidirectional\n"
                       "  volumes:\n  - name: v\n",
                  "p.yaml:12:25: spec.containers[0].volumeMounts[0].mountPropagation: Forbidden: Bidirectional "
                  "mount propagation is available only to privileged containers\n" },
                /* resources */
                { HEAD APP "    resources:\n      limits:\n        example.com/gpu: 500m\n        memory: 1.5\n",
                  "p.yaml:11:26: spec.containers[0].resources.limits[example.com/gpu]: Invalid value: 500m: "
                  "must be an integer\n"
                  "p.yaml:11:26: spec.containers[0].resources.requests[example.com/gpu]: Invalid value: 500m: "
                  "must be an integer\n"
                  "p.yaml:12:17: warning: spec.containers[0].resources.limits[memory]: fractional byte value "
                  "\"1500m\" is invalid, must be an integer\n"
                  "p.yaml:12:17: warning: spec.containers[0].resources.requests[memory]: fractional byte value "
                  "\"1500m\" is invalid, must be an integer\n" },
                { HEAD APP "    resources:\n      limits:\n        example.com/gpu: 2\n      requests:\n"
                       "        example.com/gpu: 1\n",
                  "p.yaml:13:26: spec.containers[0].resources.requests[example.com/gpu]: Invalid value: \"1\": "
                  "must be equal to example.com/gpu limit of 2\n" },
                /* pod level */
                { HEAD "  dnsPolicy: None\n" APP,
                  "p.yaml:6:3: spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None\n" },
                { HEAD "  dnsConfig:\n    nameservers: [1.1.1.1, 2.2.2.2, 3.3.3.3, dns.example]\n" APP,
                  "p.yaml:7:18: spec.dnsConfig.nameservers: Invalid value: 4 nameservers: must not have more than "
                  "3 nameservers\n"
                  "p.yaml:7:18: spec.dnsConfig.nameservers[3]: Invalid value: \"dns.example\": must be a valid IP "
                  "address, (e.g. 10.9.8.7 or 2001:db8::ffff)\n" },
                { HEAD "  os:\n    name: plan9\n" APP,
                  "p.yaml:7:11: spec.os.name: Unsupported value: \"plan9\": supported values: \"linux\", "
                  "\"windows\"\n" },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                _cleanup_(freep) char *out = NULL;
                int r = 1;

                out = check(table[i].yaml, &r);
                if (!out)
                        TEST_FAIL("case %zu: did not decode", i);
                if (!streq(out, table[i].expect))
                        TEST_FAIL("case %zu:\n--- expected\n%s--- got\n%s", i, table[i].expect, out);
                /* the return code says whether any error (not warning) was found */
                ASSERT_EQ(r, strstr(table[i].expect, ": Required value") || strstr(table[i].expect, ": Invalid") ||
                                             strstr(table[i].expect, ": Forbidden") ||
                                             strstr(table[i].expect, ": Unsupported") ||
                                             strstr(table[i].expect, ": Duplicate") ?
                                     -EINVAL :
                                     0);
        }
}
