/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "pod-status.h"
#include "unit-plan.h"

/* podd's only way to talk to systemd: asynchronous calls to org.freedesktop.systemd1 with bounded
 * concurrency, job tracking and unit-state watching. Never blocks the event loop.
 *
 * Bus limits measured (DESIGN.md): dbus-daemon refuses calls past ~150 in flight from one client, and
 * systemd drops JobRemoved once ~500 jobs are queued. So at most SYSTEMD_CLIENT_MAX_IN_FLIGHT calls are
 * outstanding and at most SYSTEMD_CLIENT_MAX_JOBS start/stop jobs are queued in systemd at once; further
 * operations wait in a FIFO inside the client. A job's completion is reported once, from JobRemoved
 * (subscribed before the first call), or synthesised when the call itself fails. */

#define SYSTEMD_CLIENT_MAX_IN_FLIGHT 32
#define SYSTEMD_CLIENT_MAX_JOBS 64

typedef struct SystemdClient SystemdClient;

/* Completion of a start or stop: r < 0 when the call failed (error->message says why, e.g. systemd
 * rejected a property), else the job's result word: "done", "failed", "canceled", "timeout",
 * "dependency", "skipped". */
typedef void (*SystemdJobCallback)(SystemdClient *c, const char *unit, int r, const char *result,
                                   const sd_bus_error *error, void *userdata);
/* A unit's properties changed (or were read for the first time, or the unit vanished: snap->exists
 * false). Called for every unit whose name starts with "pod-" and ends ".service". */
typedef void (*SystemdUnitCallback)(SystemdClient *c, const char *unit, const UnitSnapshot *snap, void *userdata);

/* bus: a connection to the system bus (or systemd's private socket) attached to event. */
int systemd_client_new(sd_bus *bus, sd_event *event, SystemdUnitCallback on_unit, void *userdata, SystemdClient **ret);
SystemdClient *systemd_client_free(SystemdClient *c);

/* Subscribes (Subscribe + match rules for JobRemoved, UnitRemoved, and PropertiesChanged on unit
 * objects) and reads the Version property. Must be called, and return, before anything else. */
int systemd_client_start(SystemdClient *c);
/* The manager's version number, e.g. 252 (0 until known). */
unsigned systemd_client_version(const SystemdClient *c);

/* Starts one planned unit as a transient unit (StartTransientUnit, mode "fail", properties from the plan
 * via bus_append_unit_plan) and reports the job's end. Slices are started the same way; starting a slice
 * that already exists completes with "done". */
int systemd_client_start_unit(SystemdClient *c, const PlannedUnit *u, SystemdJobCallback cb, void *userdata);
/* StopUnit(name, "replace") and report the job's end. A unit that is not loaded completes with "done". */
int systemd_client_stop_unit(SystemdClient *c, const char *unit, SystemdJobCallback cb, void *userdata);
/* RestartUnit(name, "replace"): starts a loaded unit again (a failed init container) and reports the
 * job's end. */
int systemd_client_restart_unit(SystemdClient *c, const char *unit, SystemdJobCallback cb, void *userdata);
/* SetUnitProperties(name, runtime, TimeoutStopUSec=usec): a per-deletion grace period; fire and forget. */
int systemd_client_set_stop_timeout(SystemdClient *c, const char *unit, uint64_t usec);
/* KillUnit(name, who, signal): immediate, no job. cb gets r and "done". */
int systemd_client_kill_unit(SystemdClient *c, const char *unit, const char *who, int signo,
                             SystemdJobCallback cb, void *userdata);
/* ResetFailedUnit; fire and forget (errors logged at debug). */
int systemd_client_reset_failed(SystemdClient *c, const char *unit);
/* Lists units matching "pod-*" (ListUnitsByPatterns) and calls on_unit for each with a fresh snapshot,
 * then cb(…, unit = NULL, r, "done"). Used at podd start to adopt running pods. */
int systemd_client_enumerate(SystemdClient *c, SystemdJobCallback cb, void *userdata);
/* Reads one unit's properties now and delivers them via on_unit (used after a start job). */
int systemd_client_refresh(SystemdClient *c, const char *unit);
/* Cancels every pending callback whose userdata is `userdata` (the pod went away): they are never called. */
void systemd_client_forget(SystemdClient *c, void *userdata);
/* Operations queued inside the client, calls in flight, jobs in systemd (for tests and bench). */
void systemd_client_stats(const SystemdClient *c, size_t *ret_queued, size_t *ret_in_flight, size_t *ret_jobs);
