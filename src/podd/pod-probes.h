/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "probe-worker.h"

/* A pod's probes, run from podd's event loop (k8s-semantics.md §4): per container and probe kind a timer
 * ticking every periodSeconds, the pure ProbeWorker deciding whether an attempt is due and what its
 * outcome means, podd's Prober making the attempt. The workers' results become the container's "started"
 * and "ready"; a liveness or startup failure kills the container through its stop sequence. */

typedef struct PodRun PodRun;
typedef struct PodProbes PodProbes;

/* Builds the probes of every container of p (no timers yet). -ENOMEM only. */
int pod_probes_new(PodRun *p, PodProbes **ret);
PodProbes *pod_probes_free(PodProbes *pp);
/* Container i's unit state changed (or the pod began terminating): arm, re-arm or stop its probes. */
void pod_probes_update(PodProbes *pp, size_t i);
/* Whether container i has a startup probe that has not yet succeeded on its running instance. */
bool pod_probes_starting(const PodProbes *pp, size_t i);
