/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Names of podd's D-Bus API, shared by podd and podctl. See docs/API.md. */
#define PODD_BUS_NAME "io.podctl.pod1"
#define PODD_BUS_PATH "/io/podctl/pod1"
#define PODD_BUS_MANAGER_INTERFACE "io.podctl.pod1.Manager"

#define PODD_ERROR_NO_SUCH_POD "io.podctl.pod1.NoSuchPod"
#define PODD_ERROR_INVALID_SPEC "io.podctl.pod1.InvalidSpec"
#define PODD_ERROR_CONFLICT "io.podctl.pod1.Conflict"
