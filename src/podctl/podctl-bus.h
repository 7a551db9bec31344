/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "bus-api.h"
#include "yaml-tree.h"

/* podctl's side of podd's D-Bus API (docs/API.md): synchronous calls on the system bus. Every function
 * here prints its own error (kubectl's words where kubectl has them) and returns a negative errno. */

/* Opens the system bus. When there is none, prints the "cannot reach podd" line. */
int podd_connect(sd_bus **ret);

/* Calls Manager.method. When podd is unreachable (no owner, cannot be activated) prints the "cannot reach
 * podd" line and returns -EHOSTDOWN; other failures are left in *error for the caller to word. */
int podd_call(sd_bus *bus, const char *method, sd_bus_error *error, sd_bus_message **ret_reply,
              const char *types, ...);

/* Prints a failed call the way kubectl prints API errors: NoSuchPod → `Error from server (NotFound):
 * pods "NAME" not found`, Conflict → `Error from server (Conflict): …`, InvalidSpec → the message as
 * is, access denied → `Error from server (Forbidden): …`, anything else → `error: …`. */
void podd_log_error(const sd_bus_error *error, int r, const char *name);

/* Parses the JSON text of a reply ("s") into a tree. */
int podd_read_json(sd_bus_message *reply, YStream **ret);

/* Calls GetPod: *ret gets the tree (its root is the pod), or -ENOENT for NoSuchPod (not printed). */
int podd_get_pod(sd_bus *bus, const char *namespace, const char *name, YStream **ret);

/* Prints Manager.ListConfigErrors as "Warning: FILE: message" lines on stderr ("Warning: FILE:LINE:COL: …"
 * when the message already starts with the file). */
int podd_print_config_errors(sd_bus *bus);
