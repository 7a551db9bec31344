/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"
#include "yaml-tree.h"

/* What kubectl prints about Pods and Events, computed from the API objects as podd returns them (JSON
 * parsed into a YNode tree). Pure: trees and "now" in, strings out. Times are realtime microseconds. */

/* Small accessors over parsed JSON: a string member (NULL when absent or not a string), an integer member
 * (def when absent or not an integer), a boolean member (false unless true), the string a scalar holds. */
const char *ynode_str(const YNode *map, const char *key) _pure_;
int64_t ynode_int(const YNode *map, const char *key, int64_t def) _pure_;
bool ynode_bool(const YNode *map, const char *key) _pure_;
const YNode *ynode_path(const YNode *node, const char *dotted) _pure_; /* "status.containerStatuses" */

/* RFC 3339 ("2026-11-24T03:04:05Z", fractions and ±hh:mm offsets allowed) → µs since the epoch. */
int parse_timestamp(const char *s, uint64_t *ret);
/* µs → RFC 3339 in UTC with nanoseconds, trailing zeros dropped, as Go's time.RFC3339Nano. */
#define TIMESTAMP_NANO_MAX 40
const char *format_timestamp_nano(uint64_t usec, char buf[static TIMESTAMP_NANO_MAX]);
/* µs → "Mon, 02 Jan 2006 15:04:05 +0000" (RFC 1123Z, what kubectl describe prints), in UTC. */
const char *format_timestamp_describe(uint64_t usec, char buf[static TIMESTAMP_NANO_MAX]);

/* apimachinery's HumanDuration: "45s", "2m5s", "15m", "3h4m", "20h", "3d4h", "45d", "2y10d", "9y";
 * "0s" down to −1 s, "<invalid>" below. */
#define HUMAN_DURATION_MAX 32
const char *human_duration(int64_t usec, char buf[static HUMAN_DURATION_MAX]);
/* HumanDuration of now − ts, "<unknown>" when ts is NULL or not a timestamp (kubectl's
 * translateTimestampSince). */
const char *timestamp_since(const char *ts, uint64_t now, char buf[static HUMAN_DURATION_MAX]);

/* A Go duration as --since takes it: "300ms", "1.5h", "2h45m", "10s". → µs; -EINVAL when malformed. */
int parse_go_duration(const char *s, uint64_t *ret);

/* One row of `kubectl get pods` (-o wide adds the last four). */
typedef struct PodColumns {
        char *name;
        char *namespace;
        char *ready;           /* "1/2" */
        char *status;          /* "Running", "Init:0/2", "CrashLoopBackOff", "Terminating", … */
        char *restarts;        /* "0", "3 (5m ago)" */
        char *age;
        char *ip;              /* "<none>" when unset */
        char *node;
        char *nominated_node;
        char *readiness_gates; /* "<none>" or "1/2" */
} PodColumns;

/* Computes the columns of pod as the API server's printPod does (k8s-semantics.md §5.4). node is what to
 * show when spec.nodeName is unset (the host name). Returns -ENOMEM, or -EINVAL when pod is not a mapping. */
int pod_columns(const YNode *pod, uint64_t now, const char *node, PodColumns *ret);
void pod_columns_done(PodColumns *c);

/* One row of `kubectl get events`, and the Age cell of kubectl describe's Events table. */
typedef struct EventColumns {
        char *namespace;
        char *last_seen;
        char *type;
        char *reason;
        char *object;  /* "pod/web" */
        char *message; /* trimmed */
        char *from;    /* source.component */
        char *age;     /* describe: "5m", or "2m (x3 over 10m)" */
} EventColumns;

int event_columns(const YNode *event, uint64_t now, EventColumns *ret);
void event_columns_done(EventColumns *c);
