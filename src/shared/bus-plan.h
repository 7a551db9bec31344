/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "unit-plan.h"

/* The D-Bus back-end of the unit plan: appends the unit's properties to a StartTransientUnit message as
 * the "a(sv)" array (opening and closing it), each from its typed UnitProp. Exec command lines are
 * written with '$' doubled (see the UnitExec comment in unit-plan.h). -EINVAL for a property type the
 * back-end does not know, so a plan can never be half sent. */
int bus_append_unit_plan(sd_bus_message *m, const PlannedUnit *u);
