/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "pod-model.h"
#include "string-util.h"
#include "strv.h"

/* Every destructor below accepts NULL and a partially filled object: the decoder stops halfway through an
 * object when it runs out of memory, and a Pod with errors is still handed to validation and then freed. */

static void int_or_string_done(IntOrString *v) {
        free(v->str_value);
        v->str_value = NULL;
}

static void str_map_done(StrMap *m) {
        for (size_t i = 0; i < m->n; i++) {
                free(m->items[i].key);
                free(m->items[i].value);
        }
        free(m->items);
        m->items = NULL;
        m->n = 0;
}

static void resource_list_done(ResourceList *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->items[i].name);
        free(l->items);
        l->items = NULL;
        l->n = 0;
}

static ResourceRequirements *resource_requirements_free(ResourceRequirements *r) {
        if (!r)
                return NULL;
        resource_list_done(&r->limits);
        resource_list_done(&r->requests);
        free(r);
        return NULL;
}

static void object_meta_done(ObjectMeta *m) {
        free(m->name);
        free(m->generate_name);
        free(m->namespace);
        free(m->uid);
        str_map_done(&m->labels);
        str_map_done(&m->annotations);
        strv_free(m->finalizers);
        *m = (ObjectMeta) {};
}

/* ---- handlers ---- */

static ExecAction *exec_action_free(ExecAction *a) {
        if (!a)
                return NULL;
        strv_free(a->command);
        free(a);
        return NULL;
}

static HTTPGetAction *http_get_action_free(HTTPGetAction *a) {
        if (!a)
                return NULL;
        free(a->path);
        int_or_string_done(&a->port);
        free(a->host);
        free(a->scheme);
        for (size_t i = 0; i < a->n_http_headers; i++) {
                free(a->http_headers[i].name);
                free(a->http_headers[i].value);
        }
        free(a->http_headers);
        free(a);
        return NULL;
}

static TCPSocketAction *tcp_socket_action_free(TCPSocketAction *a) {
        if (!a)
                return NULL;
        int_or_string_done(&a->port);
        free(a->host);
        free(a);
        return NULL;
}

static GRPCAction *grpc_action_free(GRPCAction *a) {
        if (!a)
                return NULL;
        free(a->service);
        free(a);
        return NULL;
}

static void handler_done(Handler *h) {
        exec_action_free(h->exec);
        http_get_action_free(h->http_get);
        tcp_socket_action_free(h->tcp_socket);
        grpc_action_free(h->grpc);
        free(h->sleep);
        *h = (Handler) {};
}

static Handler *handler_free(Handler *h) {
        if (!h)
                return NULL;
        handler_done(h);
        free(h);
        return NULL;
}

static Probe *probe_free(Probe *p) {
        if (!p)
                return NULL;
        handler_done(&p->handler);
        free(p);
        return NULL;
}

static Lifecycle *lifecycle_free(Lifecycle *l) {
        if (!l)
                return NULL;
        handler_free(l->post_start);
        handler_free(l->pre_stop);
        free(l->stop_signal);
        free(l);
        return NULL;
}

/* ---- env ---- */

static ObjectFieldSelector *object_field_selector_free(ObjectFieldSelector *s) {
        if (!s)
                return NULL;
        free(s->api_version);
        free(s->field_path);
        free(s);
        return NULL;
}

static ResourceFieldSelector *resource_field_selector_free(ResourceFieldSelector *s) {
        if (!s)
                return NULL;
        free(s->container_name);
        free(s->resource);
        free(s);
        return NULL;
}

static KeySelector *key_selector_free(KeySelector *s) {
        if (!s)
                return NULL;
        free(s->name);
        free(s->key);
        free(s);
        return NULL;
}

static EnvVarSource *env_var_source_free(EnvVarSource *s) {
        if (!s)
                return NULL;
        object_field_selector_free(s->field_ref);
        resource_field_selector_free(s->resource_field_ref);
        key_selector_free(s->config_map_key_ref);
        key_selector_free(s->secret_key_ref);
        free(s);
        return NULL;
}

static LocalObjectRef *local_object_ref_free(LocalObjectRef *r) {
        if (!r)
                return NULL;
        free(r->name);
        free(r);
        return NULL;
}

/* ---- security ---- */

static Capabilities *capabilities_free(Capabilities *c) {
        if (!c)
                return NULL;
        strv_free(c->add);
        strv_free(c->drop);
        free(c);
        return NULL;
}

static SeccompProfile *seccomp_profile_free(SeccompProfile *s) {
        if (!s)
                return NULL;
        free(s->type);
        free(s->localhost_profile);
        free(s);
        return NULL;
}

static SELinuxOptions *selinux_options_free(SELinuxOptions *s) {
        if (!s)
                return NULL;
        free(s->user);
        free(s->role);
        free(s->type);
        free(s->level);
        free(s);
        return NULL;
}

static SecurityContext *security_context_free(SecurityContext *s) {
        if (!s)
                return NULL;
        capabilities_free(s->capabilities);
        seccomp_profile_free(s->seccomp_profile);
        selinux_options_free(s->se_linux_options);
        free(s->proc_mount);
        free(s);
        return NULL;
}

static PodSecurityContext *pod_security_context_free(PodSecurityContext *s) {
        if (!s)
                return NULL;
        free(s->supplemental_groups);
        free(s->fs_group_change_policy);
        seccomp_profile_free(s->seccomp_profile);
        selinux_options_free(s->se_linux_options);
        for (size_t i = 0; i < s->n_sysctls; i++) {
                free(s->sysctls[i].name);
                free(s->sysctls[i].value);
        }
        free(s->sysctls);
        free(s);
        return NULL;
}

/* ---- containers ---- */

static void container_done(Container *c) {
        free(c->name);
        free(c->image);
        free(c->image_pull_policy);
        strv_free(c->command);
        strv_free(c->args);
        free(c->working_dir);

        for (size_t i = 0; i < c->n_ports; i++) {
                free(c->ports[i].name);
                free(c->ports[i].host_ip);
                free(c->ports[i].protocol);
        }
        free(c->ports);

        for (size_t i = 0; i < c->n_env_from; i++) {
                free(c->env_from[i].prefix);
                local_object_ref_free(c->env_from[i].config_map_ref);
                local_object_ref_free(c->env_from[i].secret_ref);
        }
        free(c->env_from);

        for (size_t i = 0; i < c->n_env; i++) {
                free(c->env[i].name);
                free(c->env[i].value);
                env_var_source_free(c->env[i].value_from);
        }
        free(c->env);

        resource_requirements_free(c->resources);

        for (size_t i = 0; i < c->n_volume_mounts; i++) {
                VolumeMount *m = c->volume_mounts + i;
                free(m->name);
                free(m->mount_path);
                free(m->sub_path);
                free(m->sub_path_expr);
                free(m->mount_propagation);
        }
        free(c->volume_mounts);

        probe_free(c->liveness_probe);
        probe_free(c->readiness_probe);
        probe_free(c->startup_probe);
        lifecycle_free(c->lifecycle);
        free(c->termination_message_path);
        free(c->termination_message_policy);
        free(c->restart_policy);
        security_context_free(c->security_context);
        *c = (Container) {};
}

static void containers_free(Container *c, size_t n) {
        for (size_t i = 0; i < n; i++)
                container_done(c + i);
        free(c);
}

/* ---- volumes ---- */

static void key_to_paths_free(KeyToPath *items, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(items[i].key);
                free(items[i].path);
        }
        free(items);
}

static ConfigMapVolumeSource *config_map_volume_source_free(ConfigMapVolumeSource *s) {
        if (!s)
                return NULL;
        free(s->name);
        key_to_paths_free(s->items, s->n_items);
        free(s);
        return NULL;
}

static DownwardAPIVolumeSource *downward_api_volume_source_free(DownwardAPIVolumeSource *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_items; i++) {
                free(s->items[i].path);
                object_field_selector_free(s->items[i].field_ref);
                resource_field_selector_free(s->items[i].resource_field_ref);
        }
        free(s->items);
        free(s);
        return NULL;
}

static ProjectedVolumeSource *projected_volume_source_free(ProjectedVolumeSource *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_sources; i++) {
                VolumeProjection *p = s->sources + i;
                config_map_volume_source_free(p->config_map);
                config_map_volume_source_free(p->secret);
                downward_api_volume_source_free(p->downward_api);
                if (p->service_account_token) {
                        free(p->service_account_token->audience);
                        free(p->service_account_token->path);
                        free(p->service_account_token);
                }
        }
        free(s->sources);
        free(s);
        return NULL;
}

static void volume_done(Volume *v) {
        free(v->name);
        if (v->empty_dir) {
                free(v->empty_dir->medium);
                free(v->empty_dir);
        }
        if (v->host_path) {
                free(v->host_path->path);
                free(v->host_path->type);
                free(v->host_path);
        }
        config_map_volume_source_free(v->config_map);
        config_map_volume_source_free(v->secret);
        downward_api_volume_source_free(v->downward_api);
        projected_volume_source_free(v->projected);
        *v = (Volume) {};
}

/* ---- pod ---- */

static PodDNSConfig *pod_dns_config_free(PodDNSConfig *c) {
        if (!c)
                return NULL;
        strv_free(c->nameservers);
        strv_free(c->searches);
        for (size_t i = 0; i < c->n_options; i++) {
                free(c->options[i].name);
                free(c->options[i].value);
        }
        free(c->options);
        free(c);
        return NULL;
}

static void pod_spec_done(PodSpec *s) {
        containers_free(s->init_containers, s->n_init_containers);
        containers_free(s->containers, s->n_containers);
        for (size_t i = 0; i < s->n_volumes; i++)
                volume_done(s->volumes + i);
        free(s->volumes);
        free(s->restart_policy);
        free(s->dns_policy);
        pod_dns_config_free(s->dns_config);
        free(s->hostname);
        free(s->subdomain);
        for (size_t i = 0; i < s->n_host_aliases; i++) {
                free(s->host_aliases[i].ip);
                strv_free(s->host_aliases[i].hostnames);
        }
        free(s->host_aliases);
        pod_security_context_free(s->security_context);
        free(s->os_name);
        free(s->service_account_name);
        free(s->scheduler_name);
        *s = (PodSpec) {};
}

Pod *pod_free(Pod *p) {
        if (!p)
                return NULL;
        free(p->api_version);
        free(p->kind);
        object_meta_done(&p->metadata);
        pod_spec_done(&p->spec);
        free(p);
        return NULL;
}

size_t pod_n_containers(const Pod *p) {
        if (!p)
                return 0;
        return p->spec.n_init_containers + p->spec.n_containers;
}

Container *pod_container_at(const Pod *p, size_t i) {
        if (!p)
                return NULL;
        if (i < p->spec.n_init_containers)
                return p->spec.init_containers + i;
        i -= p->spec.n_init_containers;
        if (i < p->spec.n_containers)
                return p->spec.containers + i;
        return NULL;
}

char *pod_container_path(const Pod *p, const Container *c) {
        if (!p || !c)
                return NULL;

        /* Compare addresses as integers: relational comparison of pointers into different arrays is
         * undefined in C. */
        uintptr_t a = (uintptr_t) c;
        uintptr_t init = (uintptr_t) p->spec.init_containers, app = (uintptr_t) p->spec.containers;

        if (p->spec.n_init_containers > 0 && a >= init &&
            a < init + p->spec.n_init_containers * sizeof(Container))
                return asprintf_safe("spec.initContainers[%zu]", (size_t) (a - init) / sizeof(Container));
        if (p->spec.n_containers > 0 && a >= app && a < app + p->spec.n_containers * sizeof(Container))
                return asprintf_safe("spec.containers[%zu]", (size_t) (a - app) / sizeof(Container));
        return NULL;
}

static const char *const container_role_table[_CONTAINER_ROLE_MAX] = {
        [CONTAINER_INIT] = "init",
        [CONTAINER_SIDECAR] = "sidecar",
        [CONTAINER_APP] = "app",
};

const char *container_role_to_string(ContainerRole r) {
        if (r < 0 || r >= _CONTAINER_ROLE_MAX)
                return NULL;
        return container_role_table[r];
}

static const char *const handler_kind_table[_HANDLER_KIND_MAX] = {
        [HANDLER_EXEC] = "exec",
        [HANDLER_HTTP_GET] = "httpGet",
        [HANDLER_TCP_SOCKET] = "tcpSocket",
        [HANDLER_GRPC] = "grpc",
        [HANDLER_SLEEP] = "sleep",
};

const char *handler_kind_to_string(HandlerKind k) {
        if (k < 0 || k >= _HANDLER_KIND_MAX)
                return NULL;
        return handler_kind_table[k];
}

unsigned handler_count(const Handler *h, HandlerKind *ret_kind) {
        HandlerKind first = _HANDLER_KIND_INVALID;
        unsigned n = 0;

        if (h) {
                const bool set[_HANDLER_KIND_MAX] = {
                        [HANDLER_EXEC] = h->exec,
                        [HANDLER_HTTP_GET] = h->http_get,
                        [HANDLER_TCP_SOCKET] = h->tcp_socket,
                        [HANDLER_GRPC] = h->grpc,
                        [HANDLER_SLEEP] = h->sleep,
                };

                for (HandlerKind k = 0; k < _HANDLER_KIND_MAX; k++)
                        if (set[k]) {
                                if (n == 0)
                                        first = k;
                                n++;
                        }
        }

        if (ret_kind)
                *ret_kind = first;
        return n;
}
