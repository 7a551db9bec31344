/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <systemd/sd-journal.h>
#include <time.h>

#include "journal-util.h"
#include "hook-watch.h"
#include "log.h"
#include "string-util.h"

struct HookWatch {
        sd_journal *journal;
        sd_event_source *source;
        HookFailureCallback cb;
        void *userdata;
};

/* Copies FIELD's value of the current entry into buf; NULL when absent. */
static int on_journal(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        HookWatch *w = userdata;
        int r;

        r = sd_journal_process(w->journal);
        if (r < 0) {
                log_message(LOG_WARNING, "Failed to follow the journal for hook reports: %s", strerror(-r));
                return 0;
        }
        while ((r = sd_journal_next(w->journal)) > 0) {
                char ns[256], pod[256], uid[64], container[256], reason[64], detail[1024];
                HookFailure f = {
                        .namespace = journal_field(w->journal, "POD_NAMESPACE", ns, sizeof ns),
                        .pod = journal_field(w->journal, "POD_NAME", pod, sizeof pod),
                        .pod_uid = journal_field(w->journal, "POD_UID", uid, sizeof uid),
                        .container = journal_field(w->journal, "CONTAINER_NAME", container, sizeof container),
                        .reason = journal_field(w->journal, "REASON", reason, sizeof reason),
                        .detail = journal_field(w->journal, "MESSAGE", detail, sizeof detail) ?: "",
                };
                (void) sd_journal_get_realtime_usec(w->journal, &f.usec);
                if (f.namespace && f.pod && f.container && f.reason)
                        w->cb(&f, w->userdata);
        }
        if (r < 0)
                log_message(LOG_WARNING, "Failed to read the journal: %s", strerror(-r));
        return 0;
}

int hook_watch_new(sd_event *event, HookFailureCallback cb, void *userdata, HookWatch **ret) {
        HookWatch *w = calloc(1, sizeof(HookWatch));
        int r;

        if (!w)
                return -ENOMEM;
        w->cb = cb;
        w->userdata = userdata;

        r = sd_journal_open(&w->journal, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (r >= 0)
                r = sd_journal_add_match(w->journal, "REASON=FailedPostStartHook", 0);
        if (r >= 0)
                r = sd_journal_add_match(w->journal, "REASON=FailedPreStopHook", 0);
        if (r >= 0)
                r = sd_journal_add_match(w->journal, "REASON=LifecycleHTTPFallback", 0);
        /* AND a HOOK= field: pod-hook's records only, never podd's own events with the same REASON=. */
        if (r >= 0)
                r = sd_journal_add_conjunction(w->journal);
        if (r >= 0)
                r = sd_journal_add_match(w->journal, "HOOK=postStart", 0);
        if (r >= 0)
                r = sd_journal_add_match(w->journal, "HOOK=preStop", 0);
        /* From now on. Not seek_tail() + previous(): with no matching entry in the journal yet, previous()
         * leaves the position at the tail, and next() then missed the records that came later (seen on
         * systemd 252 with a fresh journal). A realtime position works with or without earlier matches. */
        if (r >= 0) {
                struct timespec ts;
                (void) clock_gettime(CLOCK_REALTIME, &ts);
                r = sd_journal_seek_realtime_usec(w->journal,
                                                  (uint64_t) ts.tv_sec * UINT64_C(1000000) + (uint64_t) ts.tv_nsec / 1000);
        }
        if (r >= 0) {
                int fd = sd_journal_get_fd(w->journal);
                r = fd < 0 ? fd : sd_event_add_io(event, &w->source, fd, (uint32_t) sd_journal_get_events(w->journal),
                                                  on_journal, w);
        }
        if (r < 0) {
                hook_watch_free(w);
                return r;
        }
        *ret = w;
        return 0;
}

HookWatch *hook_watch_free(HookWatch *w) {
        if (!w)
                return NULL;
        sd_event_source_disable_unref(w->source);
        sd_journal_close(w->journal);
        free(w);
        return NULL;
}
