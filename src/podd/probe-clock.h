/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "prioq.h"

/* Every probe's next tick under one sd-event timer. With a timer per probe, sd-event dispatches one per
 * loop iteration and re-arms its timerfd after each: 200 pods' probes cost ~130 timerfd_settime() calls a
 * second, each ~70 µs on a paravirtualised VM (bench/probes.py, perf). Here ticks land on a common grid
 * (PROBE_CLOCK_GRID_USEC), all that are due fire in one dispatch, and the timer is set once per grid
 * step at most. A tick fires at most one grid step after its due time, never before it. */
#define PROBE_CLOCK_GRID_USEC (50 * USEC_PER_MSEC)

typedef struct ProbeClock ProbeClock;
typedef struct ProbeClockEntry ProbeClockEntry;

/* Called when e is due (taken out of the clock first; the callback schedules the next tick itself). due:
 * the time it was scheduled for, CLOCK_MONOTONIC. */
typedef void (*probe_clock_fire_t)(ProbeClockEntry *e, uint64_t due);

struct ProbeClockEntry {
        PrioqItem item;
        probe_clock_fire_t fire;
};

#define PROBE_CLOCK_ENTRY_INIT(f) ((ProbeClockEntry) { .item = PRIOQ_ITEM_INIT, .fire = (f) })

int probe_clock_new(sd_event *e, ProbeClock **ret);
/* Entries still scheduled are only forgotten (they belong to their owners). */
ProbeClock *probe_clock_free(ProbeClock *c);
/* (Re)schedules e for due (CLOCK_MONOTONIC µs). -ENOMEM, or an error arming the timer. */
int probe_clock_schedule(ProbeClock *c, ProbeClockEntry *e, uint64_t due);
/* NULL-safe for c; nothing happens if e is not scheduled. */
void probe_clock_cancel(ProbeClock *c, ProbeClockEntry *e);
static inline bool probe_clock_scheduled(const ProbeClockEntry *e) {
        return e->item.idx != PRIOQ_NONE;
}
