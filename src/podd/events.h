/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* Kubernetes events (Scheduled, Pulled, Created, Started, Killing, BackOff, Failed, FailedPostStartHook,
 * …): each goes to the journal as a structured record (MESSAGE_ID per reason, documented in the journal
 * catalog units/podctl.catalog; REASON=, TYPE=, POD_NAMESPACE=, POD_NAME=, POD_UID=, CONTAINER_NAME=) and
 * into a bounded in-memory ring that `podctl describe` and `podctl get events` read. Repeats aggregate
 * like the kubelet's event correlator: same object, reason, type and message → count + 1 and a new
 * lastTimestamp instead of a new entry. */

typedef struct EventLog EventLog;

typedef struct EventInfo {
        const char *namespace;
        const char *pod;
        const char *pod_uid;
        const char *container; /* NULL for a pod-level event */
        const char *type;      /* "Normal" or "Warning" */
        const char *reason;
        const char *message;
        uint64_t usec;         /* realtime; 0 = now */
} EventInfo;

/* on_added gets the JSON of the new or updated event (for the EventAdded signal). */
typedef void (*EventAddedCallback)(EventLog *l, const char *json, void *userdata);

#define EVENT_LOG_DEFAULT_CAPACITY 4096
int event_log_new(size_t capacity, EventAddedCallback on_added, void *userdata, EventLog **ret);
EventLog *event_log_free(EventLog *l);
/* Records and logs one event. write_journal false: ring only (tests without a journal). */
int event_log_add(EventLog *l, const EventInfo *info, bool write_journal);
/* {"apiVersion":"v1","kind":"List","items":[…]} of the events of ns/pod (NULL or "" = all), oldest first. */
char *event_log_to_json(const EventLog *l, const char *ns, const char *pod);
/* Drops the events of one pod (it was deleted). */
void event_log_forget_pod(EventLog *l, const char *ns, const char *pod);
/* The MESSAGE_ID (32 hex digits) of a reason, or NULL for an unknown reason. */
const char *event_reason_message_id(const char *reason) _pure_;
