/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>
#include <string.h>

#include "pod-defaults.h"
#include "string-util.h"

/* Kubernetes' SetDefaults_* for a v1 Pod (k8s-semantics.md §7.1), applied in place before validation, so
 * that the validator and the unit planner see exactly the object the API server would have stored.
 *
 * Objects created here get the src of the mapping they were defaulted into: a finding about a defaulted
 * field (say, an emptyDir added to a volume with no source) then still points at the manifest's line. */

/* Sets *s to a copy of value when it is absent or empty: Go's string defaulting tests `== ""`. */
static int default_str(char **s, const char *value) {
        char *t;

        if (!isempty(*s))
                return 0;

        t = strdup(value);
        if (!t)
                return -ENOMEM;
        free(*s);
        *s = t;
        return 0;
}

static void default_int(OptInt *o, int64_t value) {
        if (!o->set) {
                o->set = true;
                o->value = value;
        }
}

/* A probe's numbers: 0 means "use the default" in Kubernetes (§4.1), so zero and absent are treated alike. */
static void default_int_nonzero(OptInt *o, int64_t value) {
        if (!o->set || o->value == 0) {
                o->set = true;
                o->value = value;
        }
}

/* imagePullPolicy follows the tag: Always for `:latest` or for a reference with neither tag nor digest
 * (which means latest), IfNotPresent otherwise. A tag is the part after the last ':' that comes after the
 * last '/', so "registry:5000/app" has no tag. */
static const char *pull_policy_for_image(const char *image) {
        const char *at, *slash, *colon;
        size_t len;

        at = strchr(image, '@');
        len = at ? (size_t) (at - image) : strlen(image);

        slash = NULL;
        colon = NULL;
        for (size_t i = 0; i < len; i++) {
                if (image[i] == '/')
                        slash = image + i;
                else if (image[i] == ':')
                        colon = image + i;
        }
        if (colon && slash && colon < slash)
                colon = NULL;

        if (!colon)
                return at ? "IfNotPresent" : "Always";
        if ((size_t) (image + len - (colon + 1)) == strlen("latest") && strneq(colon + 1, "latest", 6))
                return "Always";
        return "IfNotPresent";
}

static int defaults_http_get(HTTPGetAction *h) {
        int r;

        if (!h)
                return 0;
        r = default_str(&h->path, "/");
        if (r < 0)
                return r;
        return default_str(&h->scheme, "HTTP");
}

static int defaults_handler(Handler *h) {
        int r;

        if (!h)
                return 0;
        r = defaults_http_get(h->http_get);
        if (r < 0)
                return r;
        if (h->grpc && !h->grpc->service) {
                h->grpc->service = strdup("");
                if (!h->grpc->service)
                        return -ENOMEM;
        }
        return 0;
}

static int defaults_probe(Probe *p) {
        if (!p)
                return 0;

        default_int_nonzero(&p->timeout_seconds, 1);
        default_int_nonzero(&p->period_seconds, 10);
        default_int_nonzero(&p->success_threshold, 1);
        default_int_nonzero(&p->failure_threshold, 3);
        return defaults_handler(&p->handler);
}

static int defaults_field_ref(ObjectFieldSelector *f) {
        if (!f)
                return 0;
        return default_str(&f->api_version, "v1");
}

static void round_resource_list(ResourceList *l) {
        for (size_t i = 0; i < l->n; i++)
                quantity_round_up_milli(&l->items[i].quantity);
}

static const ResourceQuantity *resource_list_find(const ResourceList *l, const char *name) {
        for (size_t i = 0; i < l->n; i++)
                if (streq_ptr(l->items[i].name, name))
                        return l->items + i;
        return NULL;
}

/* A limit without a request means request == limit for a Pod (SetDefaults_Pod). The copied request points
 * at the limit's value node: that is where the number came from. */
static int defaults_resources(ResourceRequirements *res) {
        ResourceList *req;
        size_t n_missing = 0;

        if (!res)
                return 0;

        req = &res->requests;
        for (size_t i = 0; i < res->limits.n; i++)
                if (res->limits.items[i].name && !resource_list_find(req, res->limits.items[i].name))
                        n_missing++;

        if (n_missing > 0) {
                ResourceQuantity *items;

                if (req->n > SIZE_MAX / sizeof(ResourceQuantity) - n_missing)
                        return -ENOMEM;
                items = realloc(req->items, (req->n + n_missing) * sizeof(ResourceQuantity));
                if (!items)
                        return -ENOMEM;
                req->items = items;

                for (size_t i = 0; i < res->limits.n; i++) {
                        const ResourceQuantity *lim = res->limits.items + i;
                        char *name;

                        if (!lim->name || resource_list_find(req, lim->name))
                                continue;

                        name = strdup(lim->name);
                        if (!name)
                                return -ENOMEM;
                        req->items[req->n++] = (ResourceQuantity) {
                                .name = name,
                                .quantity = lim->quantity,
                                .src = lim->src,
                        };
                }
                if (!req->src)
                        req->src = res->src;
        }

        round_resource_list(&res->limits);
        round_resource_list(req);
        return 0;
}

static int defaults_container(Container *c, bool host_network) {
        int r;

        if (!isempty(c->image)) {
                r = default_str(&c->image_pull_policy, pull_policy_for_image(c->image));
                if (r < 0)
                        return r;
        }

        r = default_str(&c->termination_message_path, "/dev/termination-log");
        if (r < 0)
                return r;
        r = default_str(&c->termination_message_policy, "File");
        if (r < 0)
                return r;

        for (size_t i = 0; i < c->n_ports; i++) {
                ContainerPort *port = c->ports + i;

                r = default_str(&port->protocol, "TCP");
                if (r < 0)
                        return r;

                /* With the host's network a port is the host's port: hostPort follows containerPort. */
                if (host_network && port->container_port.set &&
                    (!port->host_port.set || port->host_port.value == 0)) {
                        port->host_port.set = true;
                        port->host_port.value = port->container_port.value;
                }
        }

        for (size_t i = 0; i < c->n_env; i++) {
                EnvVarSource *vf = c->env[i].value_from;

                if (!vf)
                        continue;
                r = defaults_field_ref(vf->field_ref);
                if (r < 0)
                        return r;
        }

        r = defaults_resources(c->resources);
        if (r < 0)
                return r;

        Probe *probes[] = { c->liveness_probe, c->readiness_probe, c->startup_probe };
        for (size_t i = 0; i < ELEMENTSOF(probes); i++) {
                r = defaults_probe(probes[i]);
                if (r < 0)
                        return r;
        }

        if (c->lifecycle) {
                r = defaults_handler(c->lifecycle->post_start);
                if (r < 0)
                        return r;
                r = defaults_handler(c->lifecycle->pre_stop);
                if (r < 0)
                        return r;
        }

        return 0;
}

static void default_mode(OptInt *mode) {
        default_int(mode, 0644);
}

static int defaults_downward_api(DownwardAPIVolumeSource *d, bool set_mode) {
        int r;

        if (!d)
                return 0;
        if (set_mode)
                default_mode(&d->default_mode);
        for (size_t i = 0; i < d->n_items; i++) {
                r = defaults_field_ref(d->items[i].field_ref);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int defaults_volume(Volume *v) {
        int r;

        /* A volume with no source at all is an emptyDir (SetDefaults_Volume). A volume whose only source is
         * one podctl cannot provide still has n_sources > 0, so it is not silently turned into one. */
        if (v->n_sources == 0 && !v->empty_dir && !v->host_path && !v->config_map && !v->secret &&
            !v->downward_api && !v->projected) {
                v->empty_dir = calloc(1, sizeof(EmptyDirVolumeSource));
                if (!v->empty_dir)
                        return -ENOMEM;
                v->empty_dir->src = v->src;
                v->n_sources = 1;
        }

        if (v->host_path && !v->host_path->type) {
                v->host_path->type = strdup("");
                if (!v->host_path->type)
                        return -ENOMEM;
        }
        if (v->config_map)
                default_mode(&v->config_map->default_mode);
        if (v->secret)
                default_mode(&v->secret->default_mode);
        r = defaults_downward_api(v->downward_api, true);
        if (r < 0)
                return r;

        if (v->projected) {
                default_mode(&v->projected->default_mode);
                for (size_t i = 0; i < v->projected->n_sources; i++) {
                        VolumeProjection *s = v->projected->sources + i;

                        /* Items inside a projection take the projected volume's defaultMode: no own default. */
                        r = defaults_downward_api(s->downward_api, false);
                        if (r < 0)
                                return r;
                        if (s->service_account_token)
                                default_int(&s->service_account_token->expiration_seconds, 3600);
                }
        }

        return 0;
}

int pod_apply_defaults(Pod *p, Diags *diags) {
        PodSpec *spec;
        bool host_network;
        int r;

        assert(p);
        assert(diags);

        r = default_str(&p->metadata.namespace, "default");
        if (r < 0)
                return r;

        spec = &p->spec;
        r = default_str(&spec->restart_policy, "Always");
        if (r < 0)
                return r;

        if (!spec->termination_grace_period_seconds.set)
                default_int(&spec->termination_grace_period_seconds, 30);
        else if (spec->termination_grace_period_seconds.value < 0) {
                /* Not an error in Kubernetes: the API accepts it, warns, and stores 1 (§7.5). */
                diag_field(diags, DIAG_WARNING, spec->src, "terminationGracePeriodSeconds",
                           "spec.terminationGracePeriodSeconds",
                           "must be >= 0; negative values are invalid and will be treated as 1");
                spec->termination_grace_period_seconds.value = 1;
        }

        r = default_str(&spec->dns_policy, "ClusterFirst");
        if (r < 0)
                return r;
        r = default_str(&spec->scheduler_name, "default-scheduler");
        if (r < 0)
                return r;
        if (!spec->enable_service_links.set)
                spec->enable_service_links = (OptBool) { .set = true, .value = true };

        if (!spec->security_context) {
                spec->security_context = calloc(1, sizeof(PodSecurityContext));
                if (!spec->security_context)
                        return -ENOMEM;
                spec->security_context->src = spec->src;
        }

        host_network = spec->host_network.set && spec->host_network.value;
        for (size_t i = 0; i < spec->n_init_containers; i++) {
                r = defaults_container(spec->init_containers + i, host_network);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < spec->n_containers; i++) {
                r = defaults_container(spec->containers + i, host_network);
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < spec->n_volumes; i++) {
                r = defaults_volume(spec->volumes + i);
                if (r < 0)
                        return r;
        }

        return diags->oom ? -ENOMEM : 0;
}
