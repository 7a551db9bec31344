/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* Kubernetes' $(VAR) expansion (third_party/forked/golang/expansion): `$(NAME)` is replaced by the value
 * of NAME when `lookup` knows it, else left as written; `$$` becomes `$`; a `$` before anything else is
 * kept. Used for command/args (from the container's env) and env values (from earlier env entries). */
typedef const char *(*EnvLookup)(const char *name, void *userdata);
char *env_expand(const char *s, EnvLookup lookup, void *userdata);
