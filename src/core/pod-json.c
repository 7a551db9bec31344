/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "json-writer.h"
#include "pod-status.h"
#include "strbuf.h"
#include "string-util.h"

/* The Pod as `kubectl get pod -o json` prints it (docs/API.md). kubectl decodes into maps before printing,
 * so every object's keys come out sorted; they are written in that order here too. The spec is the
 * manifest's own text, in its own order. */

#define SOURCE_ANNOTATION "podctl.io/source"

const char *format_rfc3339(uint64_t usec, char buf[static 32]) {
        struct tm tm;
        time_t t;

        buf[0] = '\0';
        if (usec == 0)
                return buf;
        t = (time_t) (usec / USEC_PER_SEC);
        if (!gmtime_r(&t, &tm))
                return buf;
        if (strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                buf[0] = '\0';
        return buf;
}

static void append_key(StrBuf *b, bool *first, const char *key) {
        if (!*first)
                strbuf_append_char(b, ',');
        *first = false;
        json_append_string(b, key);
        strbuf_append_char(b, ':');
}

/* metav1.Time: a zero time is null. */
static void append_time(StrBuf *b, uint64_t usec) {
        char buf[32];

        if (usec == 0 || isempty(format_rfc3339(usec, buf)))
                strbuf_append(b, "null");
        else
                json_append_string(b, buf);
}

static int key_value_cmp(const void *a, const void *b) {
        const KeyValue *x = *(const KeyValue *const *) a, *y = *(const KeyValue *const *) b;
        return strcmp(x->key, y->key);
}

/* A string map as a Go map marshals: keys sorted. extra_key/extra_value (the source annotation) is added,
 * replacing an entry of the same key. */
static int append_str_map(StrBuf *b, const StrMap *m, const char *extra_key, const char *extra_value) {
        _cleanup_(freep) const KeyValue **items = calloc(m->n + 1, sizeof(KeyValue *));
        KeyValue extra = { .key = (char *) extra_key, .value = (char *) extra_value };
        size_t n = 0;
        bool first = true;

        if (!items)
                return -ENOMEM;
        for (size_t i = 0; i < m->n; i++)
                if (!extra_key || !streq_ptr(m->items[i].key, extra_key))
                        items[n++] = &m->items[i];
        if (extra_key)
                items[n++] = &extra;
        qsort(items, n, sizeof(KeyValue *), key_value_cmp);

        strbuf_append_char(b, '{');
        for (size_t i = 0; i < n; i++) {
                append_key(b, &first, items[i]->key);
                json_append_string(b, items[i]->value ?: "");
        }
        strbuf_append_char(b, '}');
        return 0;
}

static int append_metadata(StrBuf *b, const Pod *pod, const PodMetaExtra *meta) {
        const ObjectMeta *m = &pod->metadata;
        const char *source = meta ? meta->source_file : NULL;
        bool first = true;
        int r;

        strbuf_append_char(b, '{');
        if (m->annotations.n > 0 || source) {
                append_key(b, &first, "annotations");
                r = append_str_map(b, &m->annotations, source ? SOURCE_ANNOTATION : NULL, source);
                if (r < 0)
                        return r;
        }
        append_key(b, &first, "creationTimestamp");
        append_time(b, meta ? meta->creation_usec : 0);
        if (meta && meta->deletion_usec > 0) {
                append_key(b, &first, "deletionGracePeriodSeconds");
                strbuf_printf(b, "%" PRId64, meta->deletion_grace_seconds);
                append_key(b, &first, "deletionTimestamp");
                append_time(b, meta->deletion_usec);
        }
        if (m->finalizers && m->finalizers[0]) {
                append_key(b, &first, "finalizers");
                strbuf_append_char(b, '[');
                for (size_t i = 0; m->finalizers[i]; i++) {
                        if (i > 0)
                                strbuf_append_char(b, ',');
                        json_append_string(b, m->finalizers[i]);
                }
                strbuf_append_char(b, ']');
        }
        if (m->generate_name) {
                append_key(b, &first, "generateName");
                json_append_string(b, m->generate_name);
        }
        if (m->labels.n > 0) {
                append_key(b, &first, "labels");
                r = append_str_map(b, &m->labels, NULL, NULL);
                if (r < 0)
                        return r;
        }
        append_key(b, &first, "name");
        json_append_string(b, m->name ?: "");
        append_key(b, &first, "namespace");
        json_append_string(b, m->namespace ?: "default");
        const char *uid = meta && meta->uid ? meta->uid : m->uid;
        if (uid) {
                append_key(b, &first, "uid");
                json_append_string(b, uid);
        }
        strbuf_append_char(b, '}');
        return 0;
}

static void append_state(StrBuf *b, const ContainerState *s) {
        bool first = true;

        switch (s->kind) {
        case CONTAINER_STATE_WAITING:
                strbuf_append(b, "{\"waiting\":{");
                if (!isempty(s->message)) {
                        append_key(b, &first, "message");
                        json_append_string(b, s->message);
                }
                if (!isempty(s->reason)) {
                        append_key(b, &first, "reason");
                        json_append_string(b, s->reason);
                }
                strbuf_append(b, "}}");
                return;
        case CONTAINER_STATE_RUNNING:
                strbuf_append(b, "{\"running\":{\"startedAt\":");
                append_time(b, s->started_at);
                strbuf_append(b, "}}");
                return;
        case CONTAINER_STATE_TERMINATED:
                strbuf_append(b, "{\"terminated\":{");
                append_key(b, &first, "exitCode");
                strbuf_printf(b, "%" PRId32, s->exit_code);
                append_key(b, &first, "finishedAt");
                append_time(b, s->finished_at);
                if (!isempty(s->message)) {
                        append_key(b, &first, "message");
                        json_append_string(b, s->message);
                }
                if (!isempty(s->reason)) {
                        append_key(b, &first, "reason");
                        json_append_string(b, s->reason);
                }
                if (s->signal != 0) {
                        append_key(b, &first, "signal");
                        strbuf_printf(b, "%" PRId32, s->signal);
                }
                append_key(b, &first, "startedAt");
                append_time(b, s->started_at);
                strbuf_append(b, "}}");
                return;
        default:
                strbuf_append(b, "{}");
                return;
        }
}

/* podctl's own addition to a container status: what its probes last said. Kubernetes keeps that in the
 * kubelet only; a key under podctl.io/ cannot be mistaken for one of its fields. */
static void append_probe_statuses(StrBuf *b, bool *first_key, const ContainerStatus *cs) {
        bool first = true;

        for (ProbeKind k = 0; k < _PROBE_KIND_MAX; k++) {
                const ProbeStatus *ps = &cs->probes[k];
                bool f = true;
                if (!ps->configured)
                        continue;
                if (first) {
                        append_key(b, first_key, "podctl.io/probes");
                        strbuf_append_char(b, '{');
                }
                append_key(b, &first, probe_kind_to_string(k));
                strbuf_append_char(b, '{');
                append_key(b, &f, "result");
                json_append_string(b, probe_result_to_string(ps->result));
                if (ps->last_usec > 0) {
                        append_key(b, &f, "lastProbeTime");
                        append_time(b, ps->last_usec);
                        append_key(b, &f, "lastOutcome");
                        json_append_string(b, probe_outcome_to_string(ps->last_outcome));
                }
                if (ps->last_message) {
                        append_key(b, &f, "message");
                        json_append_string(b, ps->last_message);
                }
                strbuf_append_char(b, '}');
        }
        if (!first)
                strbuf_append_char(b, '}');
}

static void append_container_status(StrBuf *b, const ContainerStatus *cs) {
        bool first = true;

        strbuf_append_char(b, '{');
        if (cs->unit_name) {
                _cleanup_(freep) char *id = asprintf_safe("systemd://%s", cs->unit_name);
                append_key(b, &first, "containerID");
                if (id)
                        json_append_string(b, id);
                else
                        b->oom = true;
        }
        append_key(b, &first, "image");
        json_append_string(b, cs->spec && cs->spec->image ? cs->spec->image : "");
        append_key(b, &first, "imageID");
        json_append_string(b, "");
        append_key(b, &first, "lastState");
        append_state(b, &cs->last_state);
        append_key(b, &first, "name");
        json_append_string(b, cs->spec && cs->spec->name ? cs->spec->name : "");
        append_probe_statuses(b, &first, cs);
        append_key(b, &first, "ready");
        strbuf_append(b, cs->ready ? "true" : "false");
        append_key(b, &first, "restartCount");
        strbuf_printf(b, "%" PRIu32, cs->restart_count);
        append_key(b, &first, "started");
        strbuf_append(b, cs->started ? "true" : "false");
        append_key(b, &first, "state");
        append_state(b, &cs->state);
        strbuf_append_char(b, '}');
}

static void append_container_statuses(StrBuf *b, const PodStatus *st, bool init) {
        bool first = true;

        strbuf_append_char(b, '[');
        for (size_t i = 0; i < st->n_statuses; i++) {
                const ContainerStatus *cs = &st->statuses[i];
                if (!cs->spec || (cs->spec->role != CONTAINER_APP) != init)
                        continue;
                if (!first)
                        strbuf_append_char(b, ',');
                first = false;
                append_container_status(b, cs);
        }
        strbuf_append_char(b, ']');
}

static void append_condition(StrBuf *b, const PodCondition *c, PodConditionType t) {
        bool first = true;

        strbuf_append_char(b, '{');
        append_key(b, &first, "lastProbeTime");
        strbuf_append(b, "null");
        append_key(b, &first, "lastTransitionTime");
        append_time(b, c->last_transition_usec);
        if (!isempty(c->message)) {
                append_key(b, &first, "message");
                json_append_string(b, c->message);
        }
        if (!isempty(c->reason)) {
                append_key(b, &first, "reason");
                json_append_string(b, c->reason);
        }
        append_key(b, &first, "status");
        json_append_string(b, c->status ? "True" : "False");
        append_key(b, &first, "type");
        json_append_string(b, pod_condition_type_to_string(t));
        strbuf_append_char(b, '}');
}

static void append_status(StrBuf *b, const PodStatus *st) {
        /* The kubelet's order: Initialized, Ready, ContainersReady, then PodScheduled. */
        static const PodConditionType order[] = {
                POD_CONDITION_INITIALIZED,
                POD_CONDITION_READY,
                POD_CONDITION_CONTAINERS_READY,
                POD_CONDITION_POD_SCHEDULED,
        };
        bool first = true, has_init = false, has_app = false;

        if (!st) {
                strbuf_append(b, "{}");
                return;
        }
        for (size_t i = 0; i < st->n_statuses; i++) {
                if (!st->statuses[i].spec)
                        continue;
                if (st->statuses[i].spec->role == CONTAINER_APP)
                        has_app = true;
                else
                        has_init = true;
        }

        strbuf_append_char(b, '{');
        append_key(b, &first, "conditions");
        strbuf_append_char(b, '[');
        for (size_t i = 0; i < ELEMENTSOF(order); i++) {
                if (i > 0)
                        strbuf_append_char(b, ',');
                append_condition(b, &st->conditions[order[i]], order[i]);
        }
        strbuf_append_char(b, ']');
        if (has_app) {
                append_key(b, &first, "containerStatuses");
                append_container_statuses(b, st, false);
        }
        if (has_init) {
                append_key(b, &first, "initContainerStatuses");
                append_container_statuses(b, st, true);
        }
        if (!isempty(st->message)) {
                append_key(b, &first, "message");
                json_append_string(b, st->message);
        }
        append_key(b, &first, "phase");
        json_append_string(b, pod_phase_to_string(st->phase) ?: "Unknown");
        if (!isempty(st->reason)) {
                append_key(b, &first, "reason");
                json_append_string(b, st->reason);
        }
        if (st->start_time_usec > 0) {
                append_key(b, &first, "startTime");
                append_time(b, st->start_time_usec);
        }
        strbuf_append_char(b, '}');
}

char *pod_to_json(const Pod *pod, const PodMetaExtra *meta, const PodStatus *st) {
        StrBuf b = {};
        int r;

        assert(pod);

        strbuf_append(&b, "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":");
        r = append_metadata(&b, pod, meta);
        if (r < 0) {
                strbuf_done(&b);
                return NULL;
        }
        strbuf_append(&b, ",\"spec\":");
        if (pod->spec.src)
                ynode_to_json(pod->spec.src, &b);
        else
                strbuf_append(&b, "{}");
        strbuf_append(&b, ",\"status\":");
        append_status(&b, st);
        strbuf_append_char(&b, '}');
        return strbuf_steal(&b);
}
