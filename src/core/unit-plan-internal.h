/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* Shared by unit-plan.c and plan-render.c only: the tables that turn plan values into the names a person
 * reads in a unit file. */

/* "CHOWN" for 0 (CAP_CHOWN), … ; NULL past the last capability this build knows. */
const char *unit_plan_capability_name(unsigned cap) _pure_;
/* "SIGTERM" for 15, "SIGRTMIN+3" for a real-time signal; NULL when unknown. Writes into buf for the
 * real-time names. */
const char *unit_plan_signal_name(int sig, char buf[static 16]);
/* Kubernetes' requests.cpu (milli-CPUs) → cgroup v1 shares → cgroup v2 CPUWeight=. */
uint64_t unit_plan_cpu_weight(int64_t milli) _pure_;
