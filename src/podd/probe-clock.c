/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>

#include "probe-clock.h"

struct ProbeClock {
        sd_event *event;
        sd_event_source *timer;
        Prioq queue;
        uint64_t armed;  /* the time the timer is set for, 0 when it is off */
        bool firing;     /* inside on_timer(): it re-arms once at the end */
};

static uint64_t grid_up(uint64_t t) {
        return (t + PROBE_CLOCK_GRID_USEC - 1) / PROBE_CLOCK_GRID_USEC * PROBE_CLOCK_GRID_USEC;
}

static int arm(ProbeClock *c) {
        PrioqItem *top = prioq_peek(&c->queue);
        int r;

        if (c->firing)
                return 0;
        if (!top) {
                c->armed = 0;
                return sd_event_source_set_enabled(c->timer, SD_EVENT_OFF);
        }
        uint64_t t = grid_up(top->key);
        if (t == c->armed)
                return 0;
        r = sd_event_source_set_time(c->timer, t);
        if (r >= 0)
                r = sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT);
        c->armed = r >= 0 ? t : 0;
        return r;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        ProbeClock *c = userdata;
        PrioqItem *top;
        uint64_t now;

        if (sd_event_now(c->event, CLOCK_MONOTONIC, &now) < 0)
                now = usec;
        c->armed = 0;
        c->firing = true;
        /* A callback schedules its entry's next tick a period later, so this ends; it may also cancel or
         * schedule other entries. */
        while ((top = prioq_peek(&c->queue)) && top->key <= now) {
                ProbeClockEntry *e = (ProbeClockEntry *) top;
                uint64_t due = top->key;
                prioq_remove(&c->queue, top);
                e->fire(e, due);
        }
        c->firing = false;
        return arm(c);
}

int probe_clock_new(sd_event *e, ProbeClock **ret) {
        ProbeClock *c = calloc(1, sizeof(ProbeClock));
        int r;

        if (!c)
                return -ENOMEM;
        c->event = sd_event_ref(e);
        /* Accuracy 1 µs: the grid does the batching; sd-event's own slack would only add lateness. */
        r = sd_event_add_time(e, &c->timer, CLOCK_MONOTONIC, 0, 1, on_timer, c);
        if (r >= 0)
                r = sd_event_source_set_enabled(c->timer, SD_EVENT_OFF);
        if (r < 0) {
                probe_clock_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

ProbeClock *probe_clock_free(ProbeClock *c) {
        if (!c)
                return NULL;
        prioq_done(&c->queue);
        sd_event_source_disable_unref(c->timer);
        sd_event_unref(c->event);
        free(c);
        return NULL;
}

int probe_clock_schedule(ProbeClock *c, ProbeClockEntry *e, uint64_t due) {
        int r = prioq_put(&c->queue, &e->item, due);
        return r < 0 ? r : arm(c);
}

void probe_clock_cancel(ProbeClock *c, ProbeClockEntry *e) {
        if (!c || !probe_clock_scheduled(e))
                return;
        prioq_remove(&c->queue, &e->item);
        /* The timer may stay set for a tick that is gone: it then fires and finds nothing due. */
}
