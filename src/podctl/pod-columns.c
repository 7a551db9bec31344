/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "pod-columns.h"
#include "string-util.h"


const char *ynode_str(const YNode *map, const char *key) {
        const YNode *n = ynode_get(map, key);

        return n && n->type == YNODE_SCALAR && n->kind == YSCALAR_STRING ? n->value : NULL;
}

int64_t ynode_int(const YNode *map, const char *key, int64_t def) {
        const YNode *n = ynode_get(map, key);

        return n && n->type == YNODE_SCALAR && n->kind == YSCALAR_INT ? n->int_value : def;
}

bool ynode_bool(const YNode *map, const char *key) {
        const YNode *n = ynode_get(map, key);

        return n && n->type == YNODE_SCALAR && n->kind == YSCALAR_BOOL && n->bool_value;
}

const YNode *ynode_path(const YNode *node, const char *dotted) {
        char key[128];

        while (node && *dotted) {
                size_t n = strcspn(dotted, ".");

                if (n >= sizeof(key))
                        return NULL;
                memcpy(key, dotted, n);
                key[n] = 0;
                node = ynode_get(node, key);
                dotted += n;
                if (*dotted == '.')
                        dotted++;
        }
        return node;
}

static size_t ynode_n_items(const YNode *seq) {
        return seq && seq->type == YNODE_SEQUENCE ? seq->n_items : 0;
}

static int parse_digits(const char **p, size_t n, int *ret) {
        int v = 0;

        for (size_t i = 0; i < n; i++, (*p)++) {
                if (!isdigit((unsigned char) **p))
                        return -EINVAL;
                v = v * 10 + (**p - '0');
        }
        *ret = v;
        return 0;
}

int parse_timestamp(const char *s, uint64_t *ret) {
        struct tm tm = {};
        int year, mon, day, hour, min, sec, off = 0;
        int64_t usec_frac = 0, t;
        const char *p = s;

        if (!s)
                return -EINVAL;
        if (parse_digits(&p, 4, &year) < 0 || *p++ != '-' ||
            parse_digits(&p, 2, &mon) < 0 || *p++ != '-' ||
            parse_digits(&p, 2, &day) < 0 || (*p != 'T' && *p != 't') || !*p++ ||
            parse_digits(&p, 2, &hour) < 0 || *p++ != ':' ||
            parse_digits(&p, 2, &min) < 0 || *p++ != ':' ||
            parse_digits(&p, 2, &sec) < 0)
                return -EINVAL;
        if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
                return -EINVAL;

        if (*p == '.') {
                int64_t scale = 100000;

                p++;
                if (!isdigit((unsigned char) *p))
                        return -EINVAL;
                for (; isdigit((unsigned char) *p); p++, scale /= 10)
                        usec_frac += (*p - '0') * scale; /* digits beyond µs add 0 */
        }

        if (*p == 'Z' || *p == 'z')
                p++;
        else if (*p == '+' || *p == '-') {
                int sign = *p++ == '-' ? -1 : 1, oh, om;

                if (parse_digits(&p, 2, &oh) < 0 || *p++ != ':' || parse_digits(&p, 2, &om) < 0 ||
                    oh > 23 || om > 59)
                        return -EINVAL;
                off = sign * (oh * 3600 + om * 60);
        } else
                return -EINVAL;
        if (*p)
                return -EINVAL;

        tm.tm_year = year - 1900;
        tm.tm_mon = mon - 1;
        tm.tm_mday = day;
        tm.tm_hour = hour;
        tm.tm_min = min;
        tm.tm_sec = sec;
        t = (int64_t) timegm(&tm) - off;
        if (t < 0)
                return -ERANGE;
        *ret = (uint64_t) t * USEC_PER_SEC + (uint64_t) usec_frac;
        return 0;
}

const char *format_timestamp_nano(uint64_t usec, char buf[static TIMESTAMP_NANO_MAX]) {
        time_t t = (time_t) (usec / USEC_PER_SEC);
        unsigned nsec = (unsigned) (usec % USEC_PER_SEC) * 1000u;
        struct tm tm;
        size_t n;

        if (!gmtime_r(&t, &tm) || strftime(buf, TIMESTAMP_NANO_MAX, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
                return strcpy(buf, "<invalid>");
        n = strlen(buf);
        if (nsec > 0) {
                n += (size_t) snprintf(buf + n, TIMESTAMP_NANO_MAX - n, ".%09u", nsec);
                while (buf[n - 1] == '0')
                        n--;
        }
        buf[n++] = 'Z';
        buf[n] = 0;
        return buf;
}

const char *format_timestamp_describe(uint64_t usec, char buf[static TIMESTAMP_NANO_MAX]) {
        time_t t = (time_t) (usec / USEC_PER_SEC);
        struct tm tm;

        /* kubectl describe prints times in the local zone, RFC 1123 with a numeric offset. */
        if (!localtime_r(&t, &tm) || strftime(buf, TIMESTAMP_NANO_MAX, "%a, %d %b %Y %H:%M:%S %z", &tm) == 0)
                return strcpy(buf, "<invalid>");
        return buf;
}

const char *human_duration(int64_t usec, char buf[static HUMAN_DURATION_MAX]) {
        /* Go's int(d.Seconds()) truncates toward zero, so −1.9 s still reads as "0s". */
        int64_t seconds = usec / (int64_t) USEC_PER_SEC, minutes, hours, days;

        if (seconds < -1)
                return strcpy(buf, "<invalid>");
        if (seconds < 0)
                return strcpy(buf, "0s");
        if (seconds < 120) {
                snprintf(buf, HUMAN_DURATION_MAX, "%" PRIi64 "s", seconds);
                return buf;
        }
        minutes = seconds / 60;
        if (minutes < 10) {
                if (seconds % 60 == 0)
                        snprintf(buf, HUMAN_DURATION_MAX, "%" PRIi64 "m", minutes);
                else
                        snprintf(buf, HUMAN_DURATION_MAX, "%" PRIi64 "m%" PRIi64 "s", minutes, seconds % 60);
                return buf;
        }
        if (minutes < 3 * 60) {
                snprintf(buf, HUMAN_DURATION_MAX, "%" PRIi64 "m", minutes);
                return buf;
        }
        hours = minutes / 60;
        if (hours < 8) {
                if (minutes % 60 == 0)
                        snprintf(buf, HUMAN_DURATION_MAX, "%" PRIi64 "h", hours);
                else
                        snprintf(buf, HUMAN_DURATION_MAX, "%" PRIi64 "h%" PRIi64 "m", hours, minutes % 60);
                return buf;
        }
        if (hours < 48) {
                snprintf(buf, HUMAN_DURATION_MAX, "%" PRIi64 "h", hours);
                return buf;
        }
        days = hours / 24;
        if (hours < 24 * 8) {
                if (hours % 24 == 0)
                        snprintf(buf, HUMAN_DURATION_MAX, "%" PRIi64 "d", days);
                else
                        snprintf(buf, HUMAN_DURATION_MAX, "%" PRIi64 "d%" PRIi64 "h", days, hours % 24);
                return buf;
        }
        if (hours < 24 * 365 * 2) {
                snprintf(buf, HUMAN_DURATION_MAX, "%" PRIi64 "d", days);
                return buf;
        }
        if (hours < 24 * 365 * 8) {
                if (days % 365 == 0)
                        snprintf(buf, HUMAN_DURATION_MAX, "%" PRIi64 "y", days / 365);
                else
                        snprintf(buf, HUMAN_DURATION_MAX, "%" PRIi64 "y%" PRIi64 "d", days / 365, days % 365);
                return buf;
        }
        snprintf(buf, HUMAN_DURATION_MAX, "%" PRIi64 "y", days / 365);
        return buf;
}

const char *timestamp_since(const char *ts, uint64_t now, char buf[static HUMAN_DURATION_MAX]) {
        uint64_t t;

        if (parse_timestamp(ts, &t) < 0)
                return strcpy(buf, "<unknown>");
        return human_duration((int64_t) now - (int64_t) t, buf);
}

int parse_go_duration(const char *s, uint64_t *ret) {
        static const struct {
                const char *suffix;
                long double usec;
        } units[] = {
                /* longest first, so "ms" is not read as "m" followed by garbage */
                { "ns", 1e-3L }, { "us", 1 }, { "\xc2\xb5s", 1 }, { "\xce\xbcs", 1 }, { "ms", 1e3L },
                { "s", 1e6L }, { "m", 60e6L }, { "h", 3600e6L },
        };
        long double total = 0;

        if (isempty(s))
                return -EINVAL;
        if (streq(s, "0")) {
                *ret = 0;
                return 0;
        }

        while (*s) {
                long double v = 0, scale = 1;
                bool digits = false, matched = false;

                for (; isdigit((unsigned char) *s); s++, digits = true)
                        v = v * 10 + (*s - '0');
                if (*s == '.')
                        for (s++; isdigit((unsigned char) *s); s++, digits = true)
                                v += (*s - '0') * (scale /= 10);
                if (!digits)
                        return -EINVAL;

                for (size_t i = 0; i < ELEMENTSOF(units); i++)
                        if (startswith(s, units[i].suffix) &&
                            /* "m" must not swallow the "m" of "ms" */
                            !(streq(units[i].suffix, "m") && s[1] == 's')) {
                                total += v * units[i].usec;
                                s += strlen(units[i].suffix);
                                matched = true;
                                break;
                        }
                if (!matched)
                        return -EINVAL;
        }
        if (total > (long double) (UINT64_MAX / 2))
                return -ERANGE;
        *ret = (uint64_t) (total + 0.5L); /* 2000 × 1e-3 is not exactly 2 in binary */
        return 0;
}

/* ---- kubectl get pods ---- */

static bool condition_true(const YNode *pod, const char *type) {
        const YNode *conds = ynode_path(pod, "status.conditions");

        for (size_t i = 0; i < ynode_n_items(conds); i++)
                if (streq_ptr(ynode_str(conds->items[i], "type"), type))
                        return streq_ptr(ynode_str(conds->items[i], "status"), "True");
        return false;
}

static bool is_sidecar(const YNode *pod, const char *name) {
        const YNode *inits = ynode_path(pod, "spec.initContainers");

        for (size_t i = 0; i < ynode_n_items(inits); i++)
                if (streq_ptr(ynode_str(inits->items[i], "name"), name))
                        return streq_ptr(ynode_str(inits->items[i], "restartPolicy"), "Always");
        return false;
}

/* Folds a container's lastState.terminated.finishedAt into *latest. */
static void note_last_termination(const YNode *cs, uint64_t *latest) {
        uint64_t t;

        if (parse_timestamp(ynode_str(ynode_path(cs, "lastState.terminated"), "finishedAt"), &t) >= 0 &&
            t > *latest)
                *latest = t;
}

/* "Signal:9" / "ExitCode:1" for a terminated state without a reason. */
static char *terminated_without_reason(const YNode *term, const char *prefix) {
        int64_t sig = ynode_int(term, "signal", 0);

        if (sig != 0)
                return asprintf_safe("%sSignal:%" PRIi64, prefix, sig);
        return asprintf_safe("%sExitCode:%" PRIi64, prefix, ynode_int(term, "exitCode", 0));
}

static int set_reason(char **reason, char *s) {
        if (!s)
                return -ENOMEM;
        free(*reason);
        *reason = s;
        return 0;
}

static int compute_status(const YNode *pod, uint64_t now, PodColumns *c) {
        const YNode *status = ynode_get(pod, "status");
        const YNode *inits = ynode_get(status, "initContainerStatuses");
        const YNode *regular = ynode_get(status, "containerStatuses");
        const char *phase = ynode_str(status, "phase") ?: "";
        const char *status_reason = ynode_str(status, "reason");
        _cleanup_(freep) char *reason = NULL;
        uint64_t last_restart = 0, last_sidecar_restart = 0;
        int64_t restarts = 0, sidecar_restarts = 0;
        size_t total = ynode_n_items(ynode_path(pod, "spec.containers")), ready = 0;
        bool initializing = false;
        char hd[HUMAN_DURATION_MAX];
        const YNode *conds;
        int r;

        reason = strdup(!isempty(status_reason) ? status_reason : phase);
        if (!reason)
                return -ENOMEM;

        conds = ynode_get(status, "conditions");
        for (size_t i = 0; i < ynode_n_items(conds); i++)
                if (streq_ptr(ynode_str(conds->items[i], "type"), "PodScheduled") &&
                    streq_ptr(ynode_str(conds->items[i], "reason"), "SchedulingGated")) {
                        r = set_reason(&reason, strdup("SchedulingGated"));
                        if (r < 0)
                                return r;
                }

        for (size_t i = 0; i < ynode_n_items(ynode_path(pod, "spec.initContainers")); i++)
                if (streq_ptr(ynode_str(ynode_path(pod, "spec.initContainers")->items[i], "restartPolicy"),
                              "Always"))
                        total++;

        for (size_t i = 0; i < ynode_n_items(inits); i++) {
                const YNode *cs = inits->items[i];
                const YNode *term = ynode_path(cs, "state.terminated");
                const char *waiting = ynode_str(ynode_path(cs, "state.waiting"), "reason");
                const char *name = ynode_str(cs, "name");
                bool sidecar = is_sidecar(pod, name);

                restarts += ynode_int(cs, "restartCount", 0);
                note_last_termination(cs, &last_restart);
                if (sidecar) {
                        sidecar_restarts += ynode_int(cs, "restartCount", 0);
                        note_last_termination(cs, &last_sidecar_restart);
                }

                if (term && ynode_int(term, "exitCode", 0) == 0)
                        continue;
                if (sidecar && ynode_bool(cs, "started")) {
                        if (ynode_bool(cs, "ready"))
                                ready++;
                        continue;
                }

                if (term) {
                        const char *tr = ynode_str(term, "reason");

                        r = set_reason(&reason, !isempty(tr) ? asprintf_safe("Init:%s", tr)
                                                             : terminated_without_reason(term, "Init:"));
                } else if (!isempty(waiting) && !streq(waiting, "PodInitializing"))
                        r = set_reason(&reason, asprintf_safe("Init:%s", waiting));
                else
                        r = set_reason(&reason, asprintf_safe("Init:%zu/%zu", i,
                                                              ynode_n_items(ynode_path(pod, "spec.initContainers"))));
                if (r < 0)
                        return r;
                initializing = true;
                break;
        }

        if (!initializing || condition_true(pod, "Initialized")) {
                bool has_running = false;

                restarts = sidecar_restarts;
                last_restart = last_sidecar_restart;
                for (size_t k = ynode_n_items(regular); k > 0; k--) {
                        const YNode *cs = regular->items[k - 1];
                        const YNode *term = ynode_path(cs, "state.terminated");
                        const char *waiting = ynode_str(ynode_path(cs, "state.waiting"), "reason");
                        const char *tr = ynode_str(term, "reason");

                        restarts += ynode_int(cs, "restartCount", 0);
                        note_last_termination(cs, &last_restart);

                        r = 0;
                        if (!isempty(waiting))
                                r = set_reason(&reason, strdup(waiting));
                        else if (term && !isempty(tr))
                                r = set_reason(&reason, strdup(tr));
                        else if (term)
                                r = set_reason(&reason, terminated_without_reason(term, ""));
                        else if (ynode_bool(cs, "ready") && ynode_get(ynode_get(cs, "state"), "running")) {
                                has_running = true;
                                ready++;
                        }
                        if (r < 0)
                                return r;
                }

                if (streq(reason, "Completed") && has_running) {
                        r = set_reason(&reason, strdup(condition_true(pod, "Ready") ? "Running" : "NotReady"));
                        if (r < 0)
                                return r;
                }
        }

        if (ynode_get(ynode_get(pod, "metadata"), "deletionTimestamp")) {
                if (streq_ptr(status_reason, "NodeLost"))
                        r = set_reason(&reason, strdup("Unknown"));
                else if (!streq(phase, "Succeeded") && !streq(phase, "Failed"))
                        r = set_reason(&reason, strdup("Terminating"));
                else
                        r = 0;
                if (r < 0)
                        return r;
        }

        if (restarts != 0 && last_restart != 0)
                c->restarts = asprintf_safe("%" PRIi64 " (%s ago)", restarts,
                                            human_duration((int64_t) now - (int64_t) last_restart, hd));
        else
                c->restarts = asprintf_safe("%" PRIi64, restarts);
        c->ready = asprintf_safe("%zu/%zu", ready, total);
        c->status = TAKE_PTR(reason);
        return c->restarts && c->ready ? 0 : -ENOMEM;
}

static char *strdup_or_none(const char *s) {
        return strdup(!isempty(s) ? s : "<none>");
}

int pod_columns(const YNode *pod, uint64_t now, const char *node, PodColumns *ret) {
        const YNode *meta = ynode_get(pod, "metadata"), *gates, *ips;
        _cleanup_(pod_columns_done) PodColumns c = {};
        char hd[HUMAN_DURATION_MAX];
        const char *ip;
        int r;

        if (!pod || pod->type != YNODE_MAPPING)
                return -EINVAL;

        r = compute_status(pod, now, &c);
        if (r < 0)
                return r;

        ips = ynode_path(pod, "status.podIPs");
        ip = ynode_n_items(ips) > 0 ? ynode_str(ips->items[0], "ip") : NULL;
        if (isempty(ip))
                ip = ynode_str(ynode_get(pod, "status"), "podIP");

        gates = ynode_path(pod, "spec.readinessGates");
        if (ynode_n_items(gates) > 0) {
                size_t n_true = 0;

                for (size_t i = 0; i < gates->n_items; i++)
                        if (condition_true(pod, ynode_str(gates->items[i], "conditionType")))
                                n_true++;
                c.readiness_gates = asprintf_safe("%zu/%zu", n_true, gates->n_items);
        } else
                c.readiness_gates = strdup("<none>");

        c.name = strdup(ynode_str(meta, "name") ?: "");
        c.namespace = strdup(ynode_str(meta, "namespace") ?: "default");
        c.age = strdup(timestamp_since(ynode_str(meta, "creationTimestamp"), now, hd));
        c.ip = strdup_or_none(ip);
        c.node = strdup_or_none(ynode_str(ynode_get(pod, "spec"), "nodeName") ?: node);
        c.nominated_node = strdup_or_none(ynode_str(ynode_get(pod, "status"), "nominatedNodeName"));
        if (!c.name || !c.namespace || !c.age || !c.ip || !c.node || !c.nominated_node || !c.readiness_gates)
                return -ENOMEM;

        *ret = c;
        c = (PodColumns) {};
        return 0;
}

void pod_columns_done(PodColumns *c) {
        free(c->name);
        free(c->namespace);
        free(c->ready);
        free(c->status);
        free(c->restarts);
        free(c->age);
        free(c->ip);
        free(c->node);
        free(c->nominated_node);
        free(c->readiness_gates);
        *c = (PodColumns) {};
}

/* ---- events ---- */

static char *strdup_trimmed(const char *s) {
        const char *e;

        s = s ?: "";
        while (isspace((unsigned char) *s))
                s++;
        e = s + strlen(s);
        while (e > s && isspace((unsigned char) e[-1]))
                e--;
        return strndup(s, (size_t) (e - s));
}

int event_columns(const YNode *ev, uint64_t now, EventColumns *ret) {
        _cleanup_(event_columns_done) EventColumns c = {};
        const YNode *obj = ynode_get(ev, "involvedObject");
        const char *kind = ynode_str(obj, "kind") ?: "", *name = ynode_str(obj, "name");
        const char *first = ynode_str(ev, "firstTimestamp"), *last = ynode_str(ev, "lastTimestamp");
        const char *event_time = ynode_str(ev, "eventTime");
        char first_since[HUMAN_DURATION_MAX], last_since[HUMAN_DURATION_MAX], describe_first[HUMAN_DURATION_MAX];
        _cleanup_(freep) char *lower = strdup(kind);
        int64_t count = ynode_int(ev, "count", 0);
        uint64_t dummy;

        if (!ev || ev->type != YNODE_MAPPING)
                return -EINVAL;
        if (!lower)
                return -ENOMEM;
        for (char *p = lower; *p; p++)
                *p = (char) tolower((unsigned char) *p);

        /* get events: a missing firstTimestamp falls back to eventTime, a missing lastTimestamp to first. */
        timestamp_since(parse_timestamp(first, &dummy) >= 0 ? first : event_time, now, first_since);
        if (parse_timestamp(last, &dummy) >= 0)
                timestamp_since(last, now, last_since);
        else
                strcpy(last_since, first_since);

        /* describe: eventTime first, then firstTimestamp. */
        timestamp_since(parse_timestamp(event_time, &dummy) >= 0 ? event_time : first, now, describe_first);
        if (count > 1)
                c.age = asprintf_safe("%s (x%" PRIi64 " over %s)", last_since, count, describe_first);
        else
                c.age = strdup(describe_first);

        c.namespace = strdup(ynode_str(ynode_get(ev, "metadata"), "namespace") ?: ynode_str(obj, "namespace") ?: "");
        c.last_seen = strdup(last_since);
        c.type = strdup(ynode_str(ev, "type") ?: "");
        c.reason = strdup(ynode_str(ev, "reason") ?: "");
        c.object = !isempty(name) ? asprintf_safe("%s/%s", lower, name) : strdup(lower);
        c.message = strdup_trimmed(ynode_str(ev, "message"));
        c.from = strdup(ynode_str(ynode_get(ev, "source"), "component") ?: ynode_str(ev, "reportingComponent") ?: "");
        if (!c.age || !c.namespace || !c.last_seen || !c.type || !c.reason || !c.object || !c.message || !c.from)
                return -ENOMEM;

        *ret = c;
        c = (EventColumns) {};
        return 0;
}

void event_columns_done(EventColumns *c) {
        free(c->namespace);
        free(c->last_seen);
        free(c->type);
        free(c->reason);
        free(c->object);
        free(c->message);
        free(c->from);
        free(c->age);
        *c = (EventColumns) {};
}
