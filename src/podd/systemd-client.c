/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "bus-plan.h"
#include "hashmap.h"
#include "list.h"
#include "log.h"
#include "string-util.h"
#include "strv.h"
#include "systemd-client.h"

#ifndef ASSERT_PTR
#define ASSERT_PTR(p)                           \
        ({                                      \
                __typeof__(p) _p_ = (p);        \
                assert(_p_);                    \
                _p_;                            \
        })
#endif

#define SYSTEMD_BUS_NAME "org.freedesktop.systemd1"
#define SYSTEMD_BUS_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_UNIT_PATH_PREFIX "/org/freedesktop/systemd1/unit"
#define SYSTEMD_MANAGER_INTERFACE "org.freedesktop.systemd1.Manager"
#define SYSTEMD_UNIT_INTERFACE "org.freedesktop.systemd1.Unit"
#define SYSTEMD_SERVICE_INTERFACE "org.freedesktop.systemd1.Service"

/* Units podd made are named "pod-…"; their objects' paths start with the escaped prefix ('-' is _2d). */
#define POD_UNIT_PREFIX "pod-"
#define POD_UNIT_PATH_PREFIX SYSTEMD_UNIT_PATH_PREFIX "/pod_2d"

typedef enum OpKind {
        OP_START,         /* StartTransientUnit: a job */
        OP_STOP,          /* StopUnit: a job */
        OP_RESTART,       /* RestartUnit: a job (a failed init container, started again) */
        OP_SET_PROPERTIES, /* SetUnitProperties(runtime): a call */
        OP_KILL,          /* KillUnit: a call */
        OP_RESET_FAILED,  /* ResetFailedUnit: a call, nobody waits */
        OP_LIST,          /* ListUnitsByPatterns, then a read of every pod service */
        OP_READ,          /* GetAll on .Unit (and .Service): one or two calls */
        _OP_KIND_MAX,
        _OP_KIND_INVALID = -EINVAL,
} OpKind;

typedef struct Op Op;
typedef struct UnitWatch UnitWatch;

/* A FIFO / set of ops: every op is on exactly one list at a time. */
typedef struct OpList {
        Op *head, *tail;
        size_t n;
} OpList;

struct Op {
        SystemdClient *client;
        OpList *list;
        Op *prev, *next;

        OpKind kind;
        char *unit;
        const char *method;        /* job and plain calls: the Manager method */
        sd_bus_message *call;      /* built at submit time (the plan may be gone when it is sent) */
        sd_bus_slot *slots[2];     /* pending calls: READ has two */
        unsigned n_pending;
        SystemdJobCallback cb;     /* NULL once forgotten */
        void *userdata;
        bool tolerate_exists;      /* START of a slice: UnitExists means done */
        bool counted_job;          /* sent, so counted in n_jobs until it completes */

        char *job_path;            /* job ops after the reply */

        /* READ */
        UnitWatch *watch;
        int read_error;
        uint64_t generation;       /* of the watch when the read was sent */

        /* LIST: reads still to finish before cb(NULL, …) */
        unsigned n_reads_waiting;
};

/* One per pod unit systemd told us about, until UnitRemoved. The cache is the unit's state as the messages
 * say, applied in the order they arrive: GetAll replies and PropertiesChanged values alike (systemd sends
 * the new value of every property we read with the signal). Only the first look at a unit needs GetAll —
 * and it must not be the only source: with CollectMode=inactive-or-failed a unit that ends is unloaded
 * right away, and a GetAll sent after its last PropertiesChanged finds nothing (measured on 252).
 * Reads are coalesced: one queued or in flight per unit, plus exactly one more when asked again
 * meanwhile. */
struct UnitWatch {
        SystemdClient *client;
        char *unit;
        UnitSnapshot cache;
        bool have_cache;           /* a full read completed since the unit appeared */
        uint64_t generation;       /* bumped by UnitRemoved: a read sent before it is stale */
        Op *read;                  /* queued or in flight */
        bool dirty;                /* changed since `read` was sent: read again */
        Op **waiters;              /* LIST ops waiting for the next read to complete */
        size_t n_waiters, allocated_waiters;
        Op **next_waiters;         /* … for the read after that (they came while a read was in flight) */
        size_t n_next_waiters, allocated_next_waiters;
};

/* A JobRemoved that came before the reply carrying its job path. Kept only while a job call for that unit
 * is in flight; looked up when the reply arrives. */
typedef struct EarlyJob {
        char *path;
        char *unit;
        char *result;
} EarlyJob;

struct SystemdClient {
        sd_bus *bus;
        sd_event *event;
        SystemdUnitCallback on_unit;
        void *userdata;

        sd_bus_slot *match_job_removed, *match_unit_removed, *match_properties, *match_reloading;
        sd_bus_slot *subscribe_slot, *version_slot;
        sd_event_source *dispatch_source;
        bool started;
        bool reloading; /* between the manager's Reloading(true) and Reloading(false) */
        unsigned version;

        OpList job_queue;   /* START/STOP waiting for room */
        OpList call_queue;  /* everything else waiting for room */
        OpList in_flight;   /* calls sent, no reply yet */
        OpList jobs;        /* job path known, waiting for JobRemoved */
        OpList lists;       /* LIST ops whose reads run */
        size_t n_calls;     /* method calls outstanding (READ counts 2) */
        size_t n_jobs;      /* job ops in flight + in jobs */

        Hashmap *watches;          /* unit name → UnitWatch */

        EarlyJob *early;
        size_t n_early, allocated_early;
};

static bool op_kind_is_job(OpKind k) {
        return k == OP_START || k == OP_STOP || k == OP_RESTART;
}

static bool unit_is_pod_service(const char *unit) {
        return startswith(unit, POD_UNIT_PREFIX) && endswith(unit, ".service");
}

/* ---- lists ---- */

static void op_list_append(OpList *l, Op *op) {
        assert(!op->list);
        op->list = l;
        LIST_APPEND(, l->head, l->tail, op);
        l->n++;
}

static void op_unlink(Op *op) {
        OpList *l = op->list;

        if (!l)
                return;
        LIST_REMOVE(, l->head, l->tail, op);
        l->n--;
        op->list = NULL;
}

/* Our own teardown of the snapshot's fields: pod-status.c is not needed to talk to systemd. */
static void snapshot_clear(UnitSnapshot *s) {
        free(s->active_state);
        free(s->sub_state);
        free(s->result);
        free(s->invocation_id);
        *s = (UnitSnapshot) {};
}

static bool waiters_remove(Op **v, size_t *n, Op *op) {
        for (size_t i = 0; i < *n; i++)
                if (v[i] == op) {
                        memmove(v + i, v + i + 1, (*n - i - 1) * sizeof(Op *));
                        (*n)--;
                        return true;
                }
        return false;
}

static Op *op_free(Op *op) {
        if (!op)
                return NULL;

        op_unlink(op);
        for (size_t i = 0; i < ELEMENTSOF(op->slots); i++)
                op->slots[i] = sd_bus_slot_unref(op->slots[i]);
        sd_bus_message_unref(op->call);
        free(op->unit);
        free(op->job_path);
        if (op->watch && op->watch->read == op)
                op->watch->read = NULL;
        if (op->kind == OP_LIST && op->n_reads_waiting > 0)
        {
                UnitWatch *w;
                for (size_t state = 0; hashmap_iterate(op->client->watches, &state, NULL, (void **) &w);) {
                        (void) waiters_remove(w->waiters, &w->n_waiters, op);
                        (void) waiters_remove(w->next_waiters, &w->n_next_waiters, op);
                }
        }
        free(op);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(Op *, op_free);

static int op_new(SystemdClient *c, OpKind kind, const char *unit, SystemdJobCallback cb, void *userdata,
                  Op **ret) {
        _cleanup_(op_freep) Op *op = NULL;

        op = malloc(sizeof(Op));
        if (!op)
                return -ENOMEM;
        *op = (Op) { .client = c, .kind = kind, .cb = cb, .userdata = userdata };
        if (unit) {
                op->unit = strdup(unit);
                if (!op->unit)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(op);
        return 0;
}

static UnitWatch *watch_free(UnitWatch *w) {
        if (!w)
                return NULL;

        (void) hashmap_remove(w->client->watches, w->unit);
        if (w->read)
                w->read->watch = NULL;
        free(w->waiters);
        free(w->next_waiters);
        snapshot_clear(&w->cache);
        free(w->unit);
        free(w);
        return NULL;
}

static UnitWatch *watch_find(SystemdClient *c, const char *unit) {
        return hashmap_get(c->watches, unit);
}

static bool watch_is_idle(const UnitWatch *w) {
        return !w->read && w->n_waiters == 0 && w->n_next_waiters == 0;
}

static UnitWatch *watch_get(SystemdClient *c, const char *unit) {
        UnitWatch *w = watch_find(c, unit);
        if (w)
                return w;

        w = malloc(sizeof(UnitWatch));
        if (!w)
                return NULL;
        *w = (UnitWatch) { .client = c, .unit = strdup(unit) };
        if (!w->unit || hashmap_put(c->watches, w->unit, w) < 0) {
                free(w->unit);
                free(w);
                return NULL;
        }
        return w;
}

static void client_schedule_dispatch(SystemdClient *c) {
        int r;

        r = sd_event_source_set_enabled(c->dispatch_source, SD_EVENT_ONESHOT);
        if (r < 0)
                log_message(LOG_ERR, "Failed to schedule systemd calls: %s", strerror(-r));
}

/* ---- completion ---- */

/* Takes the op off its list, reports it (unless forgotten) and frees it. */
static void op_complete(Op *op, int r, const char *result, const sd_bus_error *error) {
        SystemdClient *c = op->client;

        op_unlink(op);
        if (op->counted_job) {
                assert(c->n_jobs > 0);
                c->n_jobs--;
                op->counted_job = false;
        }
        if (op->cb)
                op->cb(c, op->unit, r, result, error, op->userdata);
        op_free(op);
        client_schedule_dispatch(c);
}

static bool job_call_in_flight(SystemdClient *c, const char *unit) {
        for (Op *op = c->in_flight.head; op; op = op->next)
                if (op_kind_is_job(op->kind) && streq_ptr(op->unit, unit))
                        return true;
        return false;
}

static void early_job_done(EarlyJob *e) {
        free(e->path);
        free(e->unit);
        free(e->result);
}

static void early_remove_at(SystemdClient *c, size_t i) {
        early_job_done(&c->early[i]);
        memmove(c->early + i, c->early + i + 1, (c->n_early - i - 1) * sizeof(EarlyJob));
        c->n_early--;
}

static int early_add(SystemdClient *c, const char *path, const char *unit, const char *result) {
        /* Bounded by the calls in flight; drop the oldest if systemd ever sends more. */
        if (c->n_early >= 2 * SYSTEMD_CLIENT_MAX_IN_FLIGHT)
                early_remove_at(c, 0);
        if (!GREEDY_REALLOC(c->early, c->allocated_early, c->n_early + 1))
                return -ENOMEM;
        EarlyJob e = { .path = strdup(path), .unit = strdup(unit), .result = strdup(result) };
        if (!e.path || !e.unit || !e.result) {
                early_job_done(&e);
                return -ENOMEM;
        }
        c->early[c->n_early++] = e;
        return 0;
}

/* ---- reading unit properties ---- */

typedef enum SnapField {
        SNAP_STRING,
        SNAP_I32,
        SNAP_U32,
        SNAP_U64,
        SNAP_ID128,
        SNAP_LOAD_STATE,
} SnapField;

static const struct {
        const char *name;
        const char *signature;
        SnapField kind;
        size_t offset;
} snapshot_table[] = {
        { "LoadState",              "s",  SNAP_LOAD_STATE, 0 },
        { "ActiveState",            "s",  SNAP_STRING, offsetof(UnitSnapshot, active_state) },
        { "SubState",               "s",  SNAP_STRING, offsetof(UnitSnapshot, sub_state) },
        { "InvocationID",           "ay", SNAP_ID128,  offsetof(UnitSnapshot, invocation_id) },
        { "ActiveEnterTimestamp",   "t",  SNAP_U64,    offsetof(UnitSnapshot, active_enter_usec) },
        { "InactiveEnterTimestamp", "t",  SNAP_U64,    offsetof(UnitSnapshot, inactive_enter_usec) },
        { "Result",                 "s",  SNAP_STRING, offsetof(UnitSnapshot, result) },
        { "ExecMainCode",           "i",  SNAP_I32,    offsetof(UnitSnapshot, exec_main_code) },
        { "ExecMainStatus",         "i",  SNAP_I32,    offsetof(UnitSnapshot, exec_main_status) },
        { "ExecMainStartTimestamp", "t",  SNAP_U64,    offsetof(UnitSnapshot, exec_main_start_usec) },
        { "ExecMainExitTimestamp",  "t",  SNAP_U64,    offsetof(UnitSnapshot, exec_main_exit_usec) },
        { "NRestarts",              "u",  SNAP_U32,    offsetof(UnitSnapshot, n_restarts) },
        { "RestartUSec",            "t",  SNAP_U64,    offsetof(UnitSnapshot, restart_usec) },
        { "MainPID",                "u",  SNAP_U32,    offsetof(UnitSnapshot, main_pid) },
};

static int read_snapshot_field(sd_bus_message *m, SnapField kind, void *field, UnitSnapshot *s) {
        const char *str;
        const void *bytes;
        size_t n;
        int r;

        switch (kind) {
        case SNAP_LOAD_STATE:
                r = sd_bus_message_read(m, "s", &str);
                if (r < 0)
                        return r;
                s->exists = streq(str, "loaded");
                return 0;
        case SNAP_STRING: {
                char **p = field;
                r = sd_bus_message_read(m, "s", &str);
                if (r < 0)
                        return r;
                char *copy = strdup(str);
                if (!copy)
                        return -ENOMEM;
                free(*p);
                *p = copy;
                return 0;
        }
        case SNAP_I32:
                return sd_bus_message_read(m, "i", (int32_t *) field);
        case SNAP_U32:
                return sd_bus_message_read(m, "u", (uint32_t *) field);
        case SNAP_U64:
                return sd_bus_message_read(m, "t", (uint64_t *) field);
        case SNAP_ID128: {
                char **p = field;
                r = sd_bus_message_read_array(m, 'y', &bytes, &n);
                if (r < 0)
                        return r;
                free(*p);
                *p = NULL;
                if (n == 0) /* not running yet */
                        return 0;
                char *hex = malloc(n * 2 + 1);
                if (!hex)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++)
                        (void) snprintf(hex + i * 2, 3, "%02x", ((const uint8_t *) bytes)[i]);
                *p = hex;
                return 0;
        }
        }
        assert(false);
        return -EINVAL;
}

/* Fills the fields of s that reply (a GetAll answer, "a{sv}") has; others are left alone. */
static int snapshot_read_all(sd_bus_message *reply, UnitSnapshot *s) {
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        for (;;) {
                const char *name;
                size_t i;

                r = sd_bus_message_enter_container(reply, 'e', "sv");
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                r = sd_bus_message_read(reply, "s", &name);
                if (r < 0)
                        return r;
                for (i = 0; i < ELEMENTSOF(snapshot_table); i++)
                        if (streq(snapshot_table[i].name, name))
                                break;
                if (i < ELEMENTSOF(snapshot_table)) {
                        r = sd_bus_message_enter_container(reply, 'v', snapshot_table[i].signature);
                        if (r < 0)
                                return r;
                        r = read_snapshot_field(reply, snapshot_table[i].kind,
                                                (uint8_t *) s + snapshot_table[i].offset, s);
                        if (r < 0)
                                return r;
                        r = sd_bus_message_exit_container(reply);
                } else
                        r = sd_bus_message_skip(reply, "v");
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_exit_container(reply);
}

static void list_op_read_done(Op *list_op) {
        assert(list_op->n_reads_waiting > 0);
        if (--list_op->n_reads_waiting == 0)
                op_complete(list_op, 0, "done", NULL);
}

static int watch_request_read(SystemdClient *c, const char *unit, Op *list_op);

static void read_finish(Op *op) {
        SystemdClient *c = op->client;
        UnitWatch *w = op->watch;
        _cleanup_(freep) Op **waiters = NULL;
        size_t n_waiters = 0;
        int r;

        op_unlink(op);
        if (w) {
                bool stale = op->generation != w->generation;

                /* Detach first: the callbacks below may ask for another read of this unit. */
                w->read = NULL;
                op->watch = NULL;
                waiters = TAKE_PTR(w->waiters);
                n_waiters = w->n_waiters;
                w->n_waiters = w->allocated_waiters = 0;

                if (w->dirty) {
                        /* Asked again while this read ran: read once more, for the waiters that came too. */
                        w->dirty = false;
                        w->waiters = TAKE_PTR(w->next_waiters);
                        w->n_waiters = w->n_next_waiters;
                        w->allocated_waiters = w->allocated_next_waiters;
                        w->n_next_waiters = w->allocated_next_waiters = 0;
                        r = watch_request_read(c, w->unit, NULL);
                        if (r < 0)
                                log_message(LOG_ERR, "Failed to queue a read of %s: %s", w->unit,
                                            strerror(-r));
                }

                if (op->read_error < 0)
                        log_message(LOG_DEBUG, "Failed to read the properties of %s: %s", op->unit,
                                    strerror(-op->read_error));
                else if (!stale) {
                        w->have_cache = true;
                        if (c->on_unit)
                                c->on_unit(c, op->unit, &w->cache, c->userdata);
                }

                /* A unit systemd does not know gets no cache: nothing keeps its watch. */
                if (!w->cache.exists && watch_is_idle(w))
                        watch_free(w);
        }
        op_free(op);

        for (size_t i = 0; i < n_waiters; i++)
                list_op_read_done(waiters[i]);
        client_schedule_dispatch(c);
}

static int on_read_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Op *op = ASSERT_PTR(userdata);
        SystemdClient *c = op->client;
        sd_bus_slot *slot = sd_bus_get_current_slot(c->bus);
        const sd_bus_error *e;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(op->slots); i++)
                if (op->slots[i] == slot)
                        op->slots[i] = sd_bus_slot_unref(op->slots[i]);
        assert(c->n_calls > 0 && op->n_pending > 0);
        c->n_calls--;
        op->n_pending--;

        e = sd_bus_message_get_error(reply);
        if (e)
                op->read_error = -sd_bus_error_get_errno(e) ?: -EIO;
        else if (op->read_error >= 0 && op->watch && op->generation == op->watch->generation) {
                /* Straight into the cache: this reply is newer than every signal before it. */
                r = snapshot_read_all(reply, &op->watch->cache);
                if (r < 0)
                        op->read_error = r;
        }

        if (op->n_pending == 0)
                read_finish(op);
        else
                client_schedule_dispatch(c);
        return 0;
}

static int read_send(Op *op) {
        SystemdClient *c = op->client;
        _cleanup_(freep) char *path = NULL;
        int r;

        r = sd_bus_path_encode(SYSTEMD_UNIT_PATH_PREFIX, op->unit, &path);
        if (r < 0)
                return r;

        op->generation = op->watch ? op->watch->generation : 0;
        r = sd_bus_call_method_async(c->bus, &op->slots[0], SYSTEMD_BUS_NAME, path,
                                     "org.freedesktop.DBus.Properties", "GetAll", on_read_reply, op,
                                     "s", SYSTEMD_UNIT_INTERFACE);
        if (r < 0)
                return r;
        op->n_pending++;
        c->n_calls++;

        if (endswith(op->unit, ".service")) {
                r = sd_bus_call_method_async(c->bus, &op->slots[1], SYSTEMD_BUS_NAME, path,
                                             "org.freedesktop.DBus.Properties", "GetAll", on_read_reply, op,
                                             "s", SYSTEMD_SERVICE_INTERFACE);
                if (r < 0) {
                        /* The first call is out: let its reply finish the op, as failed. */
                        op->read_error = r;
                        return 0;
                }
                op->n_pending++;
                c->n_calls++;
        }
        return 0;
}

/* Makes sure a read of unit happens after now. list_op (may be NULL) is told when that read is done. */
static int watch_request_read(SystemdClient *c, const char *unit, Op *list_op) {
        UnitWatch *w;
        int r;

        w = watch_get(c, unit);
        if (!w)
                return -ENOMEM;

        bool in_flight = w->read && w->read->list == &c->in_flight;
        if (list_op) {
                bool ok = in_flight ?
                        GREEDY_REALLOC(w->next_waiters, w->allocated_next_waiters, w->n_next_waiters + 1) :
                        GREEDY_REALLOC(w->waiters, w->allocated_waiters, w->n_waiters + 1);
                if (!ok)
                        goto fail;
        }

        if (!w->read) {
                Op *op;

                r = op_new(c, OP_READ, unit, NULL, NULL, &op);
                if (r < 0)
                        goto fail_r;
                op->watch = w;
                w->read = op;
                op_list_append(&c->call_queue, op);
        } else if (in_flight)
                w->dirty = true;
        /* else: a read is queued and not sent yet, it will see the change */

        if (list_op) {
                if (in_flight)
                        w->next_waiters[w->n_next_waiters++] = list_op;
                else
                        w->waiters[w->n_waiters++] = list_op;
                list_op->n_reads_waiting++;
        }
        client_schedule_dispatch(c);
        return 0;

fail:
        r = -ENOMEM;
fail_r:
        if (!w->have_cache && watch_is_idle(w))
                watch_free(w);
        return r;
}

/* ---- method calls ---- */

static void on_list_reply(Op *op, sd_bus_message *reply) {
        SystemdClient *c = op->client;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "(ssssssouso)");
        if (r < 0)
                goto fail;
        for (;;) {
                const char *name;

                r = sd_bus_message_read(reply, "(ssssssouso)", &name, NULL, NULL, NULL, NULL, NULL, NULL,
                                        NULL, NULL, NULL);
                if (r < 0)
                        goto fail;
                if (r == 0)
                        break;
                if (!unit_is_pod_service(name))
                        continue;
                r = watch_request_read(c, name, op);
                if (r < 0)
                        goto fail;
        }
        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                goto fail;

        if (op->n_reads_waiting == 0)
                op_complete(op, 0, "done", NULL);
        else
                op_list_append(&c->lists, op);
        return;

fail:
        /* Reads already asked for still deliver their snapshots; the caller learns the listing failed. */
        op_complete(op, r, NULL, NULL);
}

static int on_call_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Op *op = ASSERT_PTR(userdata);
        SystemdClient *c = op->client;
        const sd_bus_error *e;
        const char *path;
        int r;

        op->slots[0] = sd_bus_slot_unref(op->slots[0]);
        assert(c->n_calls > 0);
        c->n_calls--;
        op_unlink(op);

        e = sd_bus_message_get_error(reply);
        if (e) {
                if (op->kind == OP_START && op->tolerate_exists &&
                    sd_bus_error_has_name(e, "org.freedesktop.systemd1.UnitExists"))
                        op_complete(op, 0, "done", NULL);
                else if (op->kind == OP_STOP &&
                         sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit"))
                        op_complete(op, 0, "done", NULL);
                else {
                        if (op->kind == OP_RESET_FAILED)
                                log_message(LOG_DEBUG, "Failed to reset %s: %s", op->unit, e->message);
                        op_complete(op, -sd_bus_error_get_errno(e) ?: -EIO, NULL, e);
                }
                goto finish;
        }

        switch (op->kind) {
        case OP_START:
        case OP_STOP:
        case OP_RESTART:
                r = sd_bus_message_read(reply, "o", &path);
                if (r >= 0) {
                        op->job_path = strdup(path);
                        if (!op->job_path)
                                r = -ENOMEM;
                }
                if (r < 0) {
                        op_complete(op, r, NULL, NULL);
                        break;
                }
                /* The job may be over already: its JobRemoved overtook this reply. */
                for (size_t i = 0; i < c->n_early; i++)
                        if (streq(c->early[i].path, path)) {
                                _cleanup_(freep) char *result = TAKE_PTR(c->early[i].result);
                                early_remove_at(c, i);
                                log_message(LOG_DEBUG, "Job %s of %s ended before its reply: %s", path,
                                            op->unit, result);
                                op_complete(op, 0, result, NULL);
                                goto finish;
                        }
                op_list_append(&c->jobs, op);
                break;
        case OP_LIST:
                on_list_reply(op, reply);
                break;
        default:
                op_complete(op, 0, "done", NULL);
        }

finish:
        /* Early JobRemoveds nobody can claim any more (no job call for their unit awaits its reply) go. */
        for (size_t i = c->n_early; i > 0; i--)
                if (!job_call_in_flight(c, c->early[i - 1].unit))
                        early_remove_at(c, i - 1);
        client_schedule_dispatch(c);
        return 0;
}

static int op_send(Op *op) {
        SystemdClient *c = op->client;
        int r;

        op_unlink(op);
        if (op->kind == OP_READ) {
                r = read_send(op);
                if (r < 0)
                        return r;
                op_list_append(&c->in_flight, op);
                return 0;
        }

        r = sd_bus_call_async(c->bus, &op->slots[0], op->call, on_call_reply, op, 0);
        if (r < 0)
                return r;
        op->call = sd_bus_message_unref(op->call);
        c->n_calls++;
        if (op_kind_is_job(op->kind)) {
                c->n_jobs++;
                op->counted_job = true;
        }
        op_list_append(&c->in_flight, op);
        return 0;
}

static size_t op_calls_needed(const Op *op) {
        return op->kind == OP_READ && endswith(op->unit, ".service") ? 2 : 1;
}

static void op_send_or_fail(Op *op) {
        int r;

        r = op_send(op);
        if (r >= 0)
                return;
        if (op->kind == OP_READ) {
                /* Nobody but the watch waits: report nothing, release waiters. */
                log_message(LOG_DEBUG, "Failed to read %s: %s", op->unit, strerror(-r));
                op->read_error = r;
                if (op->n_pending == 0)
                        read_finish(op);
                else
                        op_list_append(&op->client->in_flight, op);
                return;
        }
        op_complete(op, r, NULL, NULL);
}

/* Sends queued ops while there is room, alternating between jobs and other calls so unit reads never
 * wait behind a thousand starts (nor starts behind reads). */
static void client_dispatch(SystemdClient *c) {
        for (;;) {
                bool progress = false;

                if (c->job_queue.head && c->n_calls < SYSTEMD_CLIENT_MAX_IN_FLIGHT &&
                    c->n_jobs < SYSTEMD_CLIENT_MAX_JOBS) {
                        op_send_or_fail(c->job_queue.head);
                        progress = true;
                }
                if (c->call_queue.head &&
                    c->n_calls + op_calls_needed(c->call_queue.head) <= SYSTEMD_CLIENT_MAX_IN_FLIGHT) {
                        op_send_or_fail(c->call_queue.head);
                        progress = true;
                }
                if (!progress)
                        break;
        }
}

static int on_dispatch(sd_event_source *s, void *userdata) {
        client_dispatch(ASSERT_PTR(userdata));
        return 0;
}

static int call_new(SystemdClient *c, const char *method, sd_bus_message **ret) {
        return sd_bus_message_new_method_call(c->bus, ret, SYSTEMD_BUS_NAME, SYSTEMD_BUS_PATH,
                                              SYSTEMD_MANAGER_INTERFACE, method);
}

static int client_submit(SystemdClient *c, Op *op) {
        op_list_append(op_kind_is_job(op->kind) ? &c->job_queue : &c->call_queue, op);
        client_schedule_dispatch(c);
        return 0;
}

/* ---- signals ---- */

static int match_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        SystemdClient *c = ASSERT_PTR(userdata);
        const char *path, *unit, *result;
        uint32_t id;
        int r;

        r = sd_bus_message_read(m, "uoss", &id, &path, &unit, &result);
        if (r < 0) {
                log_message(LOG_DEBUG, "Failed to parse JobRemoved: %s", strerror(-r));
                return 0;
        }

        for (Op *op = c->jobs.head; op; op = op->next)
                if (streq(op->job_path, path)) {
                        op_complete(op, 0, result, NULL);
                        return 0;
                }

        if (job_call_in_flight(c, unit)) {
                r = early_add(c, path, unit, result);
                if (r < 0)
                        log_message(LOG_ERR, "Failed to keep the early end of job %s: %s", path,
                                    strerror(-r));
        }
        return 0;
}

static int match_unit_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        SystemdClient *c = ASSERT_PTR(userdata);
        const char *unit, *path;
        int r;

        r = sd_bus_message_read(m, "so", &unit, &path);
        if (r < 0) {
                log_message(LOG_DEBUG, "Failed to parse UnitRemoved: %s", strerror(-r));
                return 0;
        }
        /* A daemon-reload (or reexec) frees every unit and loads it again: UnitRemoved and UnitNew for
         * each, and no PropertiesChanged after for a unit that kept its state. Those units are read again
         * when the reload is over (match_reloading); only that read may say one is gone. */
        if (!unit_is_pod_service(unit) || c->reloading)
                return 0;

        /* A read sent before this signal describes the unit as it was: it must not overwrite "gone". */
        UnitWatch *w = watch_find(c, unit);
        if (w) {
                w->generation++;
                w->have_cache = false;
                snapshot_clear(&w->cache);
                if (watch_is_idle(w))
                        watch_free(w);
        }

        UnitSnapshot gone = { .exists = false };
        if (c->on_unit)
                c->on_unit(c, unit, &gone, c->userdata);
        return 0;
}

static int match_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        SystemdClient *c = ASSERT_PTR(userdata);
        _cleanup_(freep) char *unit = NULL;
        const char *path, *interface;
        int r;

        path = sd_bus_message_get_path(m);
        if (!path || !startswith(path, POD_UNIT_PATH_PREFIX))
                return 0;
        r = sd_bus_message_read(m, "s", &interface);
        if (r < 0)
                return 0;
        if (!streq(interface, SYSTEMD_UNIT_INTERFACE) && !streq(interface, SYSTEMD_SERVICE_INTERFACE))
                return 0;
        r = sd_bus_path_decode(path, SYSTEMD_UNIT_PATH_PREFIX, &unit);
        if (r <= 0 || !unit_is_pod_service(unit))
                return 0;

        UnitWatch *w = watch_get(c, unit);
        if (!w) {
                log_message(LOG_ERR, "Failed to watch %s: %s", unit, strerror(ENOMEM));
                return 0;
        }
        r = snapshot_read_all(m, &w->cache);
        if (r < 0)
                log_message(LOG_DEBUG, "Failed to parse PropertiesChanged of %s: %s", unit, strerror(-r));
        if (r < 0 || !w->have_cache) {
                /* The first news of this unit: the signal has one interface only, GetAll has the rest. */
                r = watch_request_read(c, unit, NULL);
                if (r < 0)
                        log_message(LOG_ERR, "Failed to queue a read of %s: %s", unit, strerror(-r));
                return 0;
        }
        if (c->on_unit)
                c->on_unit(c, unit, &w->cache, c->userdata);
        return 0;
}

static int match_reloading(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        SystemdClient *c = ASSERT_PTR(userdata);
        _cleanup_(strv_freep) char **units = NULL;
        UnitWatch *w;
        int active, r;

        r = sd_bus_message_read(m, "b", &active);
        if (r < 0) {
                log_message(LOG_DEBUG, "Failed to parse Reloading: %s", strerror(-r));
                return 0;
        }
        c->reloading = active;
        if (active)
                return 0;

        /* Names first: a read that cannot be queued may free its watch, which the iteration holds. */
        for (size_t state = 0; hashmap_iterate(c->watches, &state, NULL, (void **) &w);)
                if (strv_extend(&units, w->unit) < 0) {
                        log_message(LOG_ERR, "Failed to read the pod units again after a reload: %s",
                                    strerror(ENOMEM));
                        return 0;
                }
        STRV_FOREACH(u, units) {
                r = watch_request_read(c, *u, NULL);
                if (r < 0)
                        log_message(LOG_ERR, "Failed to queue a read of %s: %s", *u, strerror(-r));
        }
        return 0;
}

static int on_match_installed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const sd_bus_error *e = sd_bus_message_get_error(m);

        /* Without the match, job ends or unit changes would go unseen: loud. */
        if (e)
                log_message(LOG_ERR, "Failed to add a match for systemd's signals: %s", e->message);
        return 0;
}

static int on_subscribe_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        SystemdClient *c = ASSERT_PTR(userdata);
        const sd_bus_error *e = sd_bus_message_get_error(m);

        c->subscribe_slot = sd_bus_slot_unref(c->subscribe_slot);
        /* A second Subscribe from the same connection is refused as AlreadySubscribed: fine. */
        if (e && !sd_bus_error_has_name(e, "org.freedesktop.systemd1.AlreadySubscribed"))
                log_message(LOG_ERR, "Failed to subscribe to systemd: %s", e->message);
        return 0;
}

/* "252.39-1~deb12u2" → 252; also copes with a leading "systemd ". 0 if there is no number. */
static unsigned parse_version(const char *s) {
        unsigned v = 0;

        if (startswith(s, "systemd "))
                s += strlen("systemd ");
        for (; *s >= '0' && *s <= '9'; s++) {
                if (v > 100000)
                        return 0;
                v = v * 10 + (unsigned) (*s - '0');
        }
        return v;
}

static int on_version_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        SystemdClient *c = ASSERT_PTR(userdata);
        const sd_bus_error *e = sd_bus_message_get_error(m);
        const char *v;
        int r;

        c->version_slot = sd_bus_slot_unref(c->version_slot);
        if (e) {
                log_message(LOG_WARNING, "Failed to read systemd's version: %s", e->message);
                return 0;
        }
        r = sd_bus_message_read(m, "v", "s", &v);
        if (r < 0) {
                log_message(LOG_WARNING, "Failed to parse systemd's version: %s", strerror(-r));
                return 0;
        }
        c->version = parse_version(v);
        log_message(LOG_DEBUG, "systemd version %s (%u)", v, c->version);
        return 0;
}

/* ---- public ---- */

int systemd_client_new(sd_bus *bus, sd_event *event, SystemdUnitCallback on_unit, void *userdata,
                       SystemdClient **ret) {
        SystemdClient *c;
        int r;

        assert(bus);
        assert(event);
        assert(ret);

        c = malloc(sizeof(SystemdClient));
        if (!c)
                return -ENOMEM;
        *c = (SystemdClient) {
                .bus = sd_bus_ref(bus),
                .event = sd_event_ref(event),
                .on_unit = on_unit,
                .userdata = userdata,
        };

        c->watches = hashmap_new();
        if (!c->watches) {
                systemd_client_free(c);
                return -ENOMEM;
        }

        r = sd_event_add_defer(event, &c->dispatch_source, on_dispatch, c);
        if (r < 0) {
                systemd_client_free(c);
                return r;
        }
        r = sd_event_source_set_enabled(c->dispatch_source, SD_EVENT_OFF);
        if (r < 0) {
                systemd_client_free(c);
                return r;
        }
        (void) sd_event_source_set_description(c->dispatch_source, "systemd-client-dispatch");

        *ret = c;
        return 0;
}

static void op_list_free(OpList *l) {
        while (l->head)
                op_free(l->head);
}

SystemdClient *systemd_client_free(SystemdClient *c) {
        if (!c)
                return NULL;

        /* Unref'ing a pending call's slot cancels it: no callback runs after this. */
        op_list_free(&c->job_queue);
        op_list_free(&c->call_queue);
        op_list_free(&c->in_flight);
        op_list_free(&c->jobs);
        op_list_free(&c->lists);
        if (c->watches) {
                UnitWatch *w;
                for (size_t state = 0; hashmap_iterate(c->watches, &state, NULL, (void **) &w);)
                        watch_free(w);
                hashmap_free(c->watches);
        }
        for (size_t i = 0; i < c->n_early; i++)
                early_job_done(&c->early[i]);
        free(c->early);

        sd_bus_slot_unref(c->match_job_removed);
        sd_bus_slot_unref(c->match_unit_removed);
        sd_bus_slot_unref(c->match_properties);
        sd_bus_slot_unref(c->match_reloading);
        sd_bus_slot_unref(c->subscribe_slot);
        sd_bus_slot_unref(c->version_slot);
        sd_event_source_disable_unref(c->dispatch_source);
        sd_event_unref(c->event);
        sd_bus_unref(c->bus);
        free(c);
        return NULL;
}

int systemd_client_start(SystemdClient *c) {
        const char *sender;
        int r;

        assert(c);
        if (c->started)
                return 0;

        /* On systemd's private socket there is no bus daemon and messages carry no sender. */
        sender = sd_bus_is_bus_client(c->bus) ? SYSTEMD_BUS_NAME : NULL;

        /* Matches first, then Subscribe, then any call: the bus keeps one connection's messages in order,
         * so no JobRemoved of a job we start can pass the match. */
        r = sd_bus_match_signal_async(c->bus, &c->match_job_removed, sender, SYSTEMD_BUS_PATH,
                                      SYSTEMD_MANAGER_INTERFACE, "JobRemoved", match_job_removed,
                                      on_match_installed, c);
        if (r < 0)
                return r;
        r = sd_bus_match_signal_async(c->bus, &c->match_unit_removed, sender, SYSTEMD_BUS_PATH,
                                      SYSTEMD_MANAGER_INTERFACE, "UnitRemoved", match_unit_removed,
                                      on_match_installed, c);
        if (r < 0)
                return r;
        r = sd_bus_match_signal_async(c->bus, &c->match_reloading, sender, SYSTEMD_BUS_PATH,
                                      SYSTEMD_MANAGER_INTERFACE, "Reloading", match_reloading,
                                      on_match_installed, c);
        if (r < 0)
                return r;

        _cleanup_(freep) char *rule = asprintf_safe(
                        "type='signal',%s%s%sinterface='org.freedesktop.DBus.Properties',"
                        "member='PropertiesChanged',path_namespace='" SYSTEMD_UNIT_PATH_PREFIX "'",
                        sender ? "sender='" : "", sender ?: "", sender ? "'," : "");
        if (!rule)
                return -ENOMEM;
        r = sd_bus_add_match_async(c->bus, &c->match_properties, rule, match_properties_changed,
                                   on_match_installed, c);
        if (r < 0)
                return r;

        r = sd_bus_call_method_async(c->bus, &c->subscribe_slot, SYSTEMD_BUS_NAME, SYSTEMD_BUS_PATH,
                                     SYSTEMD_MANAGER_INTERFACE, "Subscribe", on_subscribe_reply, c, NULL);
        if (r < 0)
                return r;

        r = sd_bus_call_method_async(c->bus, &c->version_slot, SYSTEMD_BUS_NAME, SYSTEMD_BUS_PATH,
                                     "org.freedesktop.DBus.Properties", "Get", on_version_reply, c,
                                     "ss", SYSTEMD_MANAGER_INTERFACE, "Version");
        if (r < 0)
                return r;

        c->started = true;
        return 0;
}

unsigned systemd_client_version(const SystemdClient *c) {
        return c ? c->version : 0;
}

int systemd_client_start_unit(SystemdClient *c, const PlannedUnit *u, SystemdJobCallback cb,
                              void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(op_freep) Op *op = NULL;
        int r;

        assert(c);
        assert(u);
        if (!c->started)
                return -ENOTCONN;

        r = call_new(c, "StartTransientUnit", &m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ss", u->name, "fail");
        if (r < 0)
                return r;
        r = bus_append_unit_plan(m, u);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "a(sa(sv))", 0);
        if (r < 0)
                return r;

        r = op_new(c, OP_START, u->name, cb, userdata, &op);
        if (r < 0)
                return r;
        op->call = TAKE_PTR(m);
        op->tolerate_exists = u->kind == UNIT_SLICE;
        return client_submit(c, TAKE_PTR(op));
}

static int submit_simple(SystemdClient *c, OpKind kind, const char *unit, SystemdJobCallback cb,
                         void *userdata, sd_bus_message *m) {
        _cleanup_(op_freep) Op *op = NULL;
        int r;

        r = op_new(c, kind, unit, cb, userdata, &op);
        if (r < 0)
                return r;
        op->call = sd_bus_message_ref(m);
        return client_submit(c, TAKE_PTR(op));
}

/* One call to the manager about one unit: method(args…) with `types` as sd_bus_message_append() takes
 * them, queued like every other operation. */
static int submit_unit_call(SystemdClient *c, const char *method, OpKind kind, const char *unit,
                            SystemdJobCallback cb, void *userdata, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;
        int r;

        assert(c);
        assert(unit);
        if (!c->started)
                return -ENOTCONN;

        r = call_new(c, method, &m);
        if (r < 0)
                return r;
        va_start(ap, types);
        r = sd_bus_message_appendv(m, types, ap);
        va_end(ap);
        if (r < 0)
                return r;
        return submit_simple(c, kind, unit, cb, userdata, m);
}

int systemd_client_stop_unit(SystemdClient *c, const char *unit, SystemdJobCallback cb, void *userdata) {
        return submit_unit_call(c, "StopUnit", OP_STOP, unit, cb, userdata, "ss", unit, "replace");
}

int systemd_client_restart_unit(SystemdClient *c, const char *unit, SystemdJobCallback cb, void *userdata) {
        return submit_unit_call(c, "RestartUnit", OP_RESTART, unit, cb, userdata, "ss", unit, "replace");
}

int systemd_client_set_stop_timeout(SystemdClient *c, const char *unit, uint64_t usec) {
        /* runtime=true: the change lives until the unit is gone, never written as a drop-in. */
        return submit_unit_call(c, "SetUnitProperties", OP_SET_PROPERTIES, unit, NULL, NULL, "sba(sv)", unit,
                                1, 1, "TimeoutStopUSec", "t", usec);
}

int systemd_client_kill_unit(SystemdClient *c, const char *unit, const char *who, int signo,
                             SystemdJobCallback cb, void *userdata) {
        return submit_unit_call(c, "KillUnit", OP_KILL, unit, cb, userdata, "ssi", unit, who ?: "all",
                                (int32_t) signo);
}

int systemd_client_reset_failed(SystemdClient *c, const char *unit) {
        return submit_unit_call(c, "ResetFailedUnit", OP_RESET_FAILED, unit, NULL, NULL, "s", unit);
}

int systemd_client_enumerate(SystemdClient *c, SystemdJobCallback cb, void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        assert(c);
        if (!c->started)
                return -ENOTCONN;

        r = call_new(c, "ListUnitsByPatterns", &m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "asas", 0, 1, POD_UNIT_PREFIX "*");
        if (r < 0)
                return r;
        return submit_simple(c, OP_LIST, NULL, cb, userdata, m);
}

int systemd_client_refresh(SystemdClient *c, const char *unit) {
        assert(c);
        assert(unit);
        if (!c->started)
                return -ENOTCONN;

        return watch_request_read(c, unit, NULL);
}

void systemd_client_forget(SystemdClient *c, void *userdata) {
        OpList *lists[] = { &c->job_queue, &c->call_queue, &c->in_flight, &c->jobs, &c->lists };

        assert(c);
        for (size_t i = 0; i < ELEMENTSOF(lists); i++)
                for (Op *op = lists[i]->head; op; op = op->next)
                        if (op->userdata == userdata)
                                op->cb = NULL;
}

void systemd_client_stats(const SystemdClient *c, size_t *ret_queued, size_t *ret_in_flight,
                          size_t *ret_jobs) {
        assert(c);
        if (ret_queued)
                *ret_queued = c->job_queue.n + c->call_queue.n;
        if (ret_in_flight)
                *ret_in_flight = c->n_calls;
        if (ret_jobs)
                *ret_jobs = c->n_jobs;
}
