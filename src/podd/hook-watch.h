/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-event.h>

/* Hooks run outside podd (pod-hook, as ExecStartPost=/ExecStop= of the container's unit), and pod-hook
 * writes a journal record for each run. podd follows the journal for the ones that make events (REASON=
 * FailedPostStartHook, FailedPreStopHook or LifecycleHTTPFallback, and HOOK= set, which podd's own event
 * records never have) to turn them into events and status, even when they happened while podd was down: it
 * starts at the end of the journal, so only reports from now on count. */

typedef struct HookWatch HookWatch;

typedef struct HookFailure {
        const char *namespace;
        const char *pod;
        const char *pod_uid; /* may be NULL */
        const char *container;
        const char *reason; /* FailedPostStartHook, FailedPreStopHook, LifecycleHTTPFallback */
        const char *detail; /* pod-hook's message: the handler's error, or the fallback's event message */
        uint64_t usec;      /* when pod-hook reported it */
} HookFailure;

typedef void (*HookFailureCallback)(const HookFailure *f, void *userdata);

int hook_watch_new(sd_event *event, HookFailureCallback cb, void *userdata, HookWatch **ret);
HookWatch *hook_watch_free(HookWatch *w);
