/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "bus-api.h"
#include "config.h"
#include "log.h"
#include "manager.h"
#include "strbuf.h"
#include "string-util.h"
#include "strv.h"

/* io.podctl.pod1.Manager (docs/API.md). Reads are open to everyone; every mutating method checks that
 * the caller is root before doing any work, on top of the D-Bus policy, so a missing or wrong policy
 * file never opens them up. */

static int check_root(sd_bus_message *m, sd_bus_error *error) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        uid_t euid;
        int r;

        r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_AUGMENT, &creds);
        if (r < 0)
                return r;
        r = sd_bus_creds_get_euid(creds, &euid);
        if (r < 0)
                return r;
        if (euid != 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, "Only root may change pods.");
        return 0;
}

static char *format_findings(Diags *d, const char *file, DiagLevel level, bool skip_unknown_fields) {
        StrBuf b = {};
        diags_sort(d);
        for (size_t i = 0; i < d->n; i++) {
                if (d->items[i].level != level ||
                    (skip_unknown_fields && startswith(d->items[i].message, "unknown field ")))
                        continue;
                _cleanup_(freep) char *s = diag_format(&d->items[i], file);
                if (!s) {
                        strbuf_done(&b);
                        return NULL;
                }
                strbuf_printf(&b, "%s%s", b.len > 0 ? "\n" : "", s);
        }
        return strbuf_steal(&b);
}

/* Unknown fields are findings located at their key: keep every key no such finding points at. */
static bool key_is_known(const YNode *key, void *userdata) {
        const Diags *d = userdata;
        for (size_t i = 0; i < d->n; i++)
                if (d->items[i].line == key->line && d->items[i].column == key->column &&
                    startswith(d->items[i].message, "unknown field "))
                        return false;
        return true;
}

static const char *pod_json_of_desired(const DesiredPod *dp, StrBuf *b) {
        ynode_to_json(dp->pod->src, b);
        return b->buf;
}

static int method_apply(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *source, *content, *validation;
        int dry_run, r;
        _cleanup_(manifest_freep) Manifest *manifest = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(diags_done) Diags diags = {};

        r = sd_bus_message_read(msg, "sssb", &source, &content, &validation, &dry_run);
        if (r < 0)
                return r;
        r = check_root(msg, error);
        if (r != 0)
                return r;

        ManifestOptions opts = MANIFEST_OPTIONS_DEFAULT;
        FieldValidation fv = isempty(validation) ? FIELD_VALIDATION_STRICT : field_validation_from_string(validation);
        if (fv < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown validation \"%s\"", validation);
        /* warn and ignore both load with warnings, so the unknown fields are known and left out of what is
         * stored: /etc/pods is read strictly, and the stored object must run. ignore just does not tell. */
        opts.field_validation = fv == FIELD_VALIDATION_STRICT ? FIELD_VALIDATION_STRICT : FIELD_VALIDATION_WARN;

        r = manifest_load(content, strlen(content), &opts, &manifest, &diags);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                _cleanup_(freep) char *text = format_findings(&diags, source, DIAG_ERROR, false);
                return sd_bus_error_set(error, PODD_ERROR_INVALID_SPEC, text ?: "invalid manifest");
        }
        _cleanup_(freep) char *warnings = format_findings(&diags, source, DIAG_WARNING, fv == FIELD_VALIDATION_IGNORE);

        /* Decide every object's fate before writing anything: one conflict refuses the whole apply. */
        for (size_t i = 0; i < manifest->n_pods; i++) {
                const Pod *pod = manifest->pods[i];
                const DesiredPod *dp = config_dir_find(m->config, pod->metadata.namespace, pod->metadata.name);
                _cleanup_(freep) char *path = config_dir_apply_path(m->config, pod->metadata.namespace,
                                                                    pod->metadata.name);
                if (!path)
                        return -ENOMEM;
                if (!pod->metadata.name)
                        return sd_bus_error_set(error, PODD_ERROR_INVALID_SPEC,
                                                "metadata.name: Required value: podctl apply needs a name "
                                                "(generateName is for create)");
                if (dp && !streq(dp->file, path))
                        return sd_bus_error_setf(error, PODD_ERROR_CONFLICT,
                                                 "pod %s/%s is declared in %s, which podctl apply does not own: "
                                                 "edit that file instead",
                                                 pod->metadata.namespace, pod->metadata.name, dp->file);
        }

        r = sd_bus_message_new_method_return(msg, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(ssss)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < manifest->n_pods; i++) {
                const Pod *pod = manifest->pods[i];
                const DesiredPod *dp = config_dir_find(m->config, pod->metadata.namespace, pod->metadata.name);
                _cleanup_(freep) char *path = config_dir_apply_path(m->config, pod->metadata.namespace,
                                                                    pod->metadata.name);
                StrBuf new_json = {}, old_json = {};
                ynode_to_json_filtered(pod->src, key_is_known, &diags, &new_json);
                const char *action = "created";
                if (dp)
                        action = streq_ptr(pod_json_of_desired(dp, &old_json), new_json.buf) ? "unchanged"
                                                                                              : "configured";
                strbuf_done(&old_json);
                _cleanup_(freep) char *text = strbuf_steal(&new_json);
                if (!text || !path)
                        return -ENOMEM;

                if (!dry_run && !streq(action, "unchanged")) {
                        r = config_dir_write(m->config, path, text, strlen(text));
                        if (r < 0)
                                return sd_bus_error_set_errnof(error, r, "Failed to write %s: %s", path, strerror(-r));
                        log_message(LOG_INFO, "pod/%s %s (%s)", pod->metadata.name, action, path);
                }
                r = sd_bus_message_append(reply, "(ssss)", pod->metadata.namespace, pod->metadata.name, action,
                                          path);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;

        _cleanup_strv_free_ char **w = NULL;
        if (!isempty(warnings)) {
                for (char *s = warnings, *nl; s; s = nl ? nl + 1 : NULL) {
                        nl = strchr(s, '\n');
                        if (nl)
                                *nl = 0;
                        r = strv_extend(&w, s);
                        if (r < 0)
                                return r;
                }
        }
        r = sd_bus_message_append_strv(reply, w);
        if (r < 0)
                return r;
        if (!dry_run)
                manager_schedule_reconcile(m);
        return sd_bus_send(NULL, reply, NULL);
}

static int method_delete(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *ns, *name;
        int64_t grace;
        int force, r;

        r = sd_bus_message_read(msg, "ssxb", &ns, &name, &grace, &force);
        if (r < 0)
                return r;
        r = check_root(msg, error);
        if (r != 0)
                return r;
        if (isempty(ns))
                ns = "default";

        PodRun *p = manager_find_pod(m, ns, name);
        const DesiredPod *dp = config_dir_find(m->config, ns, name);
        if ((!p || p->hidden) && !dp)
                return sd_bus_error_setf(error, PODD_ERROR_NO_SUCH_POD, "pods \"%s\" not found", name);
        if (dp && dp->file_declares_others)
                return sd_bus_error_setf(error, PODD_ERROR_CONFLICT,
                                         "pod %s/%s is declared in %s together with other objects: remove it "
                                         "from that file instead",
                                         ns, name, dp->file);

        /* Terminate first, with this deletion's grace; the file's removal then finds the pod already
         * terminating and leaves it be. */
        if (p) {
                r = pod_run_terminate(p, grace, force);
                if (r < 0)
                        return sd_bus_error_set_errnof(error, r, "Failed to stop pod %s/%s: %s", ns, name, strerror(-r));
        }
        if (dp) {
                r = config_dir_archive(m->config, dp->file);
                if (r < 0)
                        return sd_bus_error_set_errnof(error, r, "Failed to remove %s: %s", dp->file, strerror(-r));
        }
        log_message(LOG_INFO, "pod %s/%s deleted%s", ns, name, force ? " (forced)" : "");
        return sd_bus_reply_method_return(msg, NULL);
}

static int compare_runs(const void *a, const void *b) {
        const PodRun *x = *(PodRun *const *) a, *y = *(PodRun *const *) b;
        return strcmp(x->key, y->key);
}

static int method_list_pods(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *ns;
        int r;

        r = sd_bus_message_read(msg, "s", &ns);
        if (r < 0)
                return r;

        size_t n = 0, state = 0;
        const char *key;
        void *v;
        _cleanup_(freep) PodRun **runs = calloc(hashmap_size(m->pods) + 1, sizeof(PodRun *));
        if (!runs)
                return -ENOMEM;
        while (hashmap_iterate(m->pods, &state, &key, &v)) {
                PodRun *p = v;
                if (!p->hidden && (isempty(ns) || streq(ns, p->namespace)))
                        runs[n++] = p;
        }
        qsort(runs, n, sizeof(PodRun *), compare_runs);

        StrBuf b = {};
        strbuf_append(&b, "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[");
        for (size_t i = 0; i < n; i++) {
                _cleanup_(freep) char *j = pod_run_to_json(runs[i]);
                if (!j) {
                        strbuf_done(&b);
                        return -ENOMEM;
                }
                strbuf_printf(&b, "%s%s", i > 0 ? "," : "", j);
        }
        strbuf_append(&b, "]}");
        _cleanup_(freep) char *text = strbuf_steal(&b);
        if (!text)
                return -ENOMEM;
        return sd_bus_reply_method_return(msg, "s", text);
}

static int method_get_pod(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *ns, *name;
        int r;

        r = sd_bus_message_read(msg, "ss", &ns, &name);
        if (r < 0)
                return r;
        PodRun *p = manager_find_pod(m, isempty(ns) ? "default" : ns, name);
        if (!p || p->hidden)
                return sd_bus_error_setf(error, PODD_ERROR_NO_SUCH_POD, "pods \"%s\" not found", name);
        _cleanup_(freep) char *j = pod_run_to_json(p);
        if (!j)
                return -ENOMEM;
        return sd_bus_reply_method_return(msg, "s", j);
}

static int method_list_events(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *ns, *name;
        int r;

        r = sd_bus_message_read(msg, "ss", &ns, &name);
        if (r < 0)
                return r;
        _cleanup_(freep) char *j = event_log_to_json(m->events, ns, name);
        if (!j)
                return -ENOMEM;
        return sd_bus_reply_method_return(msg, "s", j);
}

static int method_list_config_errors(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        size_t n;
        int r;

        const ConfigError *errs = config_dir_errors(m->config, &n);
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(ss)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = sd_bus_message_append(reply, "(ss)", errs[i].file, errs[i].message);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int property_get_version(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", PROJECT_VERSION);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", property_get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_METHOD_WITH_ARGS("Apply",
                                SD_BUS_ARGS("s", source, "s", content, "s", validation, "b", dry_run),
                                SD_BUS_RESULT("a(ssss)", results, "as", warnings),
                                method_apply, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Delete",
                                SD_BUS_ARGS("s", namespace, "s", name, "x", grace_seconds, "b", force),
                                SD_BUS_NO_RESULT,
                                method_delete, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListPods", SD_BUS_ARGS("s", namespace), SD_BUS_RESULT("s", json),
                                method_list_pods, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetPod", SD_BUS_ARGS("s", namespace, "s", name), SD_BUS_RESULT("s", json),
                                method_get_pod, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListEvents", SD_BUS_ARGS("s", namespace, "s", name), SD_BUS_RESULT("s", json),
                                method_list_events, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListConfigErrors", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(ss)", errors),
                                method_list_config_errors, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("PodChanged", SD_BUS_ARGS("s", namespace, "s", name), 0),
        SD_BUS_SIGNAL_WITH_ARGS("PodRemoved", SD_BUS_ARGS("s", namespace, "s", name), 0),
        SD_BUS_SIGNAL_WITH_ARGS("EventAdded", SD_BUS_ARGS("s", json), 0),
        SD_BUS_VTABLE_END,
};

int manager_bus_register(Manager *m) {
        int r;

        r = sd_bus_add_object_vtable(m->bus, &m->vtable_slot, PODD_BUS_PATH, PODD_BUS_MANAGER_INTERFACE,
                                     manager_vtable, m);
        if (r < 0)
                return r;
        return sd_bus_request_name(m->bus, PODD_BUS_NAME, 0);
}

void manager_emit_pod_changed(Manager *m, PodRun *p) {
        if (!m->vtable_slot)
                return;
        (void) sd_bus_emit_signal(m->bus, PODD_BUS_PATH, PODD_BUS_MANAGER_INTERFACE, "PodChanged", "ss",
                                  p->namespace, p->name);
}

void manager_emit_pod_removed(Manager *m, const char *ns, const char *name) {
        if (!m->vtable_slot)
                return;
        (void) sd_bus_emit_signal(m->bus, PODD_BUS_PATH, PODD_BUS_MANAGER_INTERFACE, "PodRemoved", "ss", ns, name);
}

void manager_emit_event_added(EventLog *l, const char *json, void *userdata) {
        Manager *m = userdata;
        if (!m || !m->vtable_slot)
                return;
        (void) sd_bus_emit_signal(m->bus, PODD_BUS_PATH, PODD_BUS_MANAGER_INTERFACE, "EventAdded", "s", json);
}
