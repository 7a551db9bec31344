/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <sys/uio.h>
#include <time.h>

#include <systemd/sd-journal.h>

#include "events.h"
#include "hashmap.h"
#include "json-writer.h"
#include "list.h"
#include "strbuf.h"
#include "string-util.h"

/* One MESSAGE_ID per reason, generated once at random and never to be changed: journalctl
 * MESSAGE_ID=… filters and the catalog (units/podctl.catalog) key on them. */
static const struct {
        const char *reason;
        const char *message_id;
} reason_table[] = {
        { "Scheduled",           "360530bd440d4a77947e9d512cc461ac" },
        { "Pulled",              "6c12746fe829438c9423000b70176574" },
        { "Created",             "3db23f37bf3a4bf282c91779bea2c9dd" },
        { "Started",             "4782c984510346b88ac60f1258b080ae" },
        { "Killing",             "79784dd766c44126ab1d6458466f05f8" },
        { "Preempting",          "72e5de781e004c54826c042ed9fcfa58" },
        { "BackOff",             "f5e627f369e5456398349f3180f5e256" },
        { "Failed",              "a3af9f21072f4f4fb45dbcc1002f2f98" },
        { "FailedPostStartHook", "9909647d38ec41629b19b5c9bfeb9922" },
        { "FailedPreStopHook",   "d66bf9a4fef3468199fcc3a8566ba228" },
        { "Unhealthy",           "8727fc3bdb074459a2736972d46bf838" },
        { "ProbeWarning",        "93d14f5ded3148e3bc5654d7622a1103" },
        { "ExceededGracePeriod", "076ade73222f459aa1bd26e61dff5b01" },
        { "DeadlineExceeded",    "d4a27d111098415b852a4d2a4c0ae66b" },
        { "FailedValidation",    "145d1596057a415fa802cd8aeb94b16b" },
        { "Conflict",            "c0fe08db35a94d1c810c9c0b92f45dda" },
        { "ImagesNotSupported",  "b091d973284b40699790d63092ba44fa" },
        { "FailedMount",         "8b4aebc7c21b41adb7dd682ca70f2c46" },
        { "LifecycleHTTPFallback", "3e040cccc5cd43e1b012dc62cd7a5e74" },
};

const char *event_reason_message_id(const char *reason) {
        if (!reason)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(reason_table); i++)
                if (streq(reason_table[i].reason, reason))
                        return reason_table[i].message_id;
        return NULL;
}

typedef struct Event {
        struct Event *prev, *next; /* oldest … newest (by lastTimestamp) */
        char *key;                 /* the aggregation key, also the key in EventLog.by_key */
        char *name;                /* metadata.name: <pod>.<hex id> */
        char *namespace, *pod, *pod_uid, *container, *type, *reason, *message;
        unsigned count;
        uint64_t first_usec, last_usec;
} Event;

struct EventLog {
        Event *oldest, *newest;
        size_t n, capacity;
        Hashmap *by_key;
        uint64_t last_id; /* metadata.name ids only grow, so two events never share a name */
        EventAddedCallback on_added;
        void *userdata;
};

static Event *event_free(Event *e) {
        if (!e)
                return NULL;
        free(e->key);
        free(e->name);
        free(e->namespace);
        free(e->pod);
        free(e->pod_uid);
        free(e->container);
        free(e->type);
        free(e->reason);
        free(e->message);
        free(e);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(Event *, event_free);

static void event_log_unlink(EventLog *l, Event *e) {
        LIST_REMOVE(, l->oldest, l->newest, e);
}

static void event_log_append(EventLog *l, Event *e) {
        LIST_APPEND(, l->oldest, l->newest, e);
}

static void event_log_drop(EventLog *l, Event *e) {
        event_log_unlink(l, e);
        (void) hashmap_remove(l->by_key, e->key);
        l->n--;
        event_free(e);
}

int event_log_new(size_t capacity, EventAddedCallback on_added, void *userdata, EventLog **ret) {
        assert(ret);

        if (capacity == 0)
                return -EINVAL;
        EventLog *l = calloc(1, sizeof(EventLog));
        if (!l)
                return -ENOMEM;
        l->by_key = hashmap_new();
        if (!l->by_key) {
                free(l);
                return -ENOMEM;
        }
        l->capacity = capacity;
        l->on_added = on_added;
        l->userdata = userdata;
        *ret = l;
        return 0;
}

EventLog *event_log_free(EventLog *l) {
        if (!l)
                return NULL;
        while (l->oldest)
                event_log_drop(l, l->oldest);
        hashmap_free(l->by_key);
        free(l);
        return NULL;
}

/* The correlator's identity of an event: everything but the times. Each field is length-prefixed so that
 * no choice of names and messages can make two different events look alike. */
static char *event_key(const EventInfo *i) {
        const char *f[] = { i->namespace, i->pod, i->pod_uid, i->container, i->type, i->reason, i->message };
        StrBuf b = {};

        for (size_t k = 0; k < ELEMENTSOF(f); k++) {
                if (f[k])
                        strbuf_printf(&b, "%zu:%s|", strlen(f[k]), f[k]);
                else
                        strbuf_append(&b, "-|");
        }
        return strbuf_steal(&b);
}

static void append_time(StrBuf *b, uint64_t usec) {
        time_t t = (time_t) (usec / 1000000u);
        struct tm tm;
        char buf[64];

        if (!gmtime_r(&t, &tm) || strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
                strbuf_append(b, "null");
                return;
        }
        json_append_string(b, buf);
}

/* One v1 Event, shaped as `kubectl get event -o json` prints it. */
static void event_to_json(const Event *e, StrBuf *b) {
        strbuf_append(b, "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":");
        json_append_string(b, e->name);
        strbuf_append(b, ",\"namespace\":");
        json_append_string(b, e->namespace);
        strbuf_append(b, ",\"creationTimestamp\":");
        append_time(b, e->first_usec);
        strbuf_append(b, "},\"involvedObject\":{\"kind\":\"Pod\",\"namespace\":");
        json_append_string(b, e->namespace);
        strbuf_append(b, ",\"name\":");
        json_append_string(b, e->pod);
        if (e->pod_uid) {
                strbuf_append(b, ",\"uid\":");
                json_append_string(b, e->pod_uid);
        }
        strbuf_append(b, ",\"apiVersion\":\"v1\"");
        if (e->container) {
                /* What the kubelet puts there for container events (its GenerateContainerRef). */
                _cleanup_(freep) char *fp = asprintf_safe("spec.containers{%s}", e->container);
                if (!fp)
                        b->oom = true;
                strbuf_append(b, ",\"fieldPath\":");
                json_append_string(b, fp);
        }
        strbuf_append(b, "},\"reason\":");
        json_append_string(b, e->reason);
        strbuf_append(b, ",\"message\":");
        json_append_string(b, e->message);
        strbuf_append(b, ",\"source\":{\"component\":\"podd\"},\"firstTimestamp\":");
        append_time(b, e->first_usec);
        strbuf_append(b, ",\"lastTimestamp\":");
        append_time(b, e->last_usec);
        strbuf_printf(b, ",\"count\":%u,\"type\":", e->count);
        json_append_string(b, e->type);
        strbuf_append_char(b, '}');
}

static int journal_add_field(struct iovec *iov, size_t *n, char **owned, const char *field, const char *value) {
        if (!value)
                return 0;
        char *s = asprintf_safe("%s=%s", field, value);
        if (!s)
                return -ENOMEM;
        owned[*n] = s;
        iov[*n] = (struct iovec) { .iov_base = s, .iov_len = strlen(s) };
        (*n)++;
        return 0;
}

/* A structured journal record per occurrence (the ring aggregates, the journal keeps every one). */
static int event_journal(const EventInfo *i) {
        struct iovec iov[11];
        char *owned[11] = {};
        size_t n = 0;
        int r;

        r = journal_add_field(iov, &n, owned, "MESSAGE", i->message);
        if (r >= 0)
                r = journal_add_field(iov, &n, owned, "MESSAGE_ID", event_reason_message_id(i->reason));
        if (r >= 0)
                r = journal_add_field(iov, &n, owned, "PRIORITY", streq(i->type, "Warning") ? "4" : "6");
        if (r >= 0)
                r = journal_add_field(iov, &n, owned, "SYSLOG_IDENTIFIER", "podd");
        if (r >= 0)
                r = journal_add_field(iov, &n, owned, "REASON", i->reason);
        if (r >= 0)
                r = journal_add_field(iov, &n, owned, "TYPE", i->type);
        if (r >= 0)
                r = journal_add_field(iov, &n, owned, "POD_NAMESPACE", i->namespace);
        if (r >= 0)
                r = journal_add_field(iov, &n, owned, "POD_NAME", i->pod);
        if (r >= 0)
                r = journal_add_field(iov, &n, owned, "POD_UID", i->pod_uid);
        if (r >= 0)
                r = journal_add_field(iov, &n, owned, "CONTAINER_NAME", i->container);
        if (r >= 0)
                r = sd_journal_sendv(iov, (int) n);
        for (size_t k = 0; k < n; k++)
                free(owned[k]);
        return r;
}

static int event_new(EventLog *l, const EventInfo *i, char *key, uint64_t usec, Event **ret) {
        _cleanup_(event_freep) Event *e = calloc(1, sizeof(Event));
        if (!e) {
                free(key);
                return -ENOMEM;
        }
        e->key = key;

        /* The kubelet names events <object>.<unix nanoseconds in hex>; bumped past the last id so two
         * events in one microsecond still get two names. */
        uint64_t id = usec * 1000u;
        if (id <= l->last_id)
                id = l->last_id + 1;
        e->name = asprintf_safe("%s.%" PRIx64, i->pod, id);
        e->namespace = strdup(i->namespace);
        e->pod = strdup(i->pod);
        e->pod_uid = strdup_or_null(i->pod_uid);
        e->container = strdup_or_null(i->container);
        e->type = strdup(i->type);
        e->reason = strdup(i->reason);
        e->message = strdup(i->message);
        if (!e->name || !e->namespace || !e->pod || (i->pod_uid && !e->pod_uid) ||
            (i->container && !e->container) || !e->type || !e->reason || !e->message)
                return -ENOMEM;
        e->count = 1;
        e->first_usec = e->last_usec = usec;
        l->last_id = id;
        *ret = TAKE_PTR(e);
        return 0;
}

int event_log_add(EventLog *l, const EventInfo *info, bool write_journal) {
        int r;

        assert(l);
        assert(info);

        if (isempty(info->namespace) || isempty(info->pod) || isempty(info->reason) || !info->message ||
            !info->type || !(streq(info->type, "Normal") || streq(info->type, "Warning")))
                return -EINVAL;

        if (write_journal)
                /* A journal that is not there (early boot, tests) must not lose the event for the ring. */
                (void) event_journal(info);

        uint64_t usec = info->usec > 0 ? info->usec : clock_usec(CLOCK_REALTIME);
        char *key = event_key(info);
        if (!key)
                return -ENOMEM;

        Event *e = hashmap_get(l->by_key, key);
        if (e) {
                /* A repeat: count it and move it to the newest end, as its lastTimestamp now is. */
                free(key);
                e->count++;
                e->last_usec = MAX(e->last_usec, usec);
                event_log_unlink(l, e);
                event_log_append(l, e);
        } else {
                r = event_new(l, info, key, usec, &e);
                if (r < 0)
                        return r;
                r = hashmap_put(l->by_key, e->key, e);
                if (r < 0) {
                        event_free(e);
                        return r;
                }
                event_log_append(l, e);
                l->n++;
                /* Bounded: the oldest goes. */
                while (l->n > l->capacity)
                        event_log_drop(l, l->oldest);
        }

        if (l->on_added) {
                StrBuf b = {};
                event_to_json(e, &b);
                _cleanup_(freep) char *json = strbuf_steal(&b);
                if (!json)
                        return -ENOMEM;
                l->on_added(l, json, l->userdata);
        }
        return 0;
}

static bool event_matches(const Event *e, const char *ns, const char *pod) {
        return (isempty(ns) || streq(e->namespace, ns)) && (isempty(pod) || streq(e->pod, pod));
}

char *event_log_to_json(const EventLog *l, const char *ns, const char *pod) {
        StrBuf b = {};
        bool first = true;

        assert(l);

        strbuf_append(&b, "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[");
        for (const Event *e = l->oldest; e; e = e->next) {
                if (!event_matches(e, ns, pod))
                        continue;
                if (!first)
                        strbuf_append_char(&b, ',');
                first = false;
                event_to_json(e, &b);
        }
        strbuf_append(&b, "]}");
        return strbuf_steal(&b);
}

void event_log_forget_pod(EventLog *l, const char *ns, const char *pod) {
        assert(l);

        if (isempty(ns) || isempty(pod))
                return;
        for (Event *e = l->oldest, *next; e; e = next) {
                next = e->next;
                if (event_matches(e, ns, pod))
                        event_log_drop(l, e);
        }
}
