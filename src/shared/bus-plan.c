/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/mount.h>

#include "bus-plan.h"
#include "string-util.h"
#include "strv.h"

/* systemd expands $VAR and ${VAR} in every argv word at exec time (and turns "$$" into "$"); Kubernetes
 * passes words untouched. Doubling each '$' makes systemd hand the program exactly the planned word. */
static char *dollar_escape(const char *s) {
        size_t n = 0;

        for (const char *p = s; *p; p++)
                n += *p == '$' ? 2 : 1;

        char *e = malloc(n + 1), *q = e;
        if (!e)
                return NULL;
        for (const char *p = s; *p; p++) {
                if (*p == '$')
                        *q++ = '$';
                *q++ = *p;
        }
        *q = 0;
        return e;
}

static int append_exec(sd_bus_message *m, const UnitExec *e) {
        _cleanup_strv_free_ char **argv = NULL;
        int r;

        STRV_FOREACH(w, e->argv) {
                r = strv_push(&argv, dollar_escape(*w));
                if (r < 0)
                        return r;
        }

        r = sd_bus_message_open_container(m, 'a', "(sasb)");
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'r', "sasb");
        if (r < 0)
                return r;
        /* The path is not expanded by systemd (only argv is), so it goes as it is: a doubled '$' would name
         * a different file. */
        r = sd_bus_message_append(m, "s", e->path);
        if (r < 0)
                return r;
        r = sd_bus_message_append_strv(m, argv);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "b", (int) e->ignore_failure);
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}

static int append_byte_arrays(sd_bus_message *m, char *const *l) {
        int r;

        r = sd_bus_message_open_container(m, 'a', "ay");
        if (r < 0)
                return r;
        STRV_FOREACH(s, l) {
                r = sd_bus_message_append_array(m, 'y', *s, strlen(*s));
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(m);
}

static int append_bind_paths(sd_bus_message *m, const UnitBindPath *binds, size_t n) {
        int r;

        r = sd_bus_message_open_container(m, 'a', "(ssbt)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                /* The last field is mount flags; systemd only looks at MS_REC. */
                r = sd_bus_message_append(m, "(ssbt)", binds[i].source, binds[i].destination,
                                          (int) binds[i].ignore_enoent,
                                          (uint64_t) (binds[i].recursive ? MS_REC : 0));
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(m);
}

static int append_value(sd_bus_message *m, const UnitProp *p) {
        switch (p->type) {
        case UNIT_PROP_STRING:
                return sd_bus_message_append(m, "s", p->str ?: "");
        case UNIT_PROP_BOOL:
                return sd_bus_message_append(m, "b", (int) p->b);
        case UNIT_PROP_U64:
        case UNIT_PROP_USEC:
                return sd_bus_message_append(m, "t", p->u64);
        case UNIT_PROP_U32:
                return sd_bus_message_append(m, "u", (uint32_t) p->u64);
        case UNIT_PROP_I32:
                return sd_bus_message_append(m, "i", p->i32);
        case UNIT_PROP_STRV:
                return sd_bus_message_append_strv(m, p->strv);
        case UNIT_PROP_EXEC:
                return append_exec(m, &p->exec);
        case UNIT_PROP_BYTES_LIST:
                return append_byte_arrays(m, p->strv);
        case UNIT_PROP_BIND_PATHS:
                return append_bind_paths(m, p->binds, p->n_binds);
        default:
                return -EINVAL;
        }
}

/* Whether the back-end can write p whole. Checked for every property before anything is appended. */
static bool unit_prop_is_sendable(const UnitProp *p) {
        if (!p->name || !unit_prop_signature(p->type))
                return false;

        switch (p->type) {
        case UNIT_PROP_U32:
                return p->u64 <= UINT32_MAX;
        case UNIT_PROP_EXEC:
                return p->exec.path && p->exec.argv && p->exec.argv[0];
        case UNIT_PROP_BIND_PATHS:
                if (p->n_binds > 0 && !p->binds)
                        return false;
                for (size_t i = 0; i < p->n_binds; i++)
                        if (!p->binds[i].source || !p->binds[i].destination)
                                return false;
                return true;
        default:
                return true;
        }
}

int bus_append_unit_plan(sd_bus_message *m, const PlannedUnit *u) {
        int r;

        assert(m);
        assert(u);

        /* Check every type before the first byte goes in: a plan is sent whole or not at all. */
        for (size_t i = 0; i < u->n_props; i++)
                if (!unit_prop_is_sendable(&u->props[i]))
                        return -EINVAL;

        r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r < 0)
                return r;

        for (size_t i = 0; i < u->n_props; i++) {
                const UnitProp *p = &u->props[i];

                r = sd_bus_message_open_container(m, 'r', "sv");
                if (r < 0)
                        return r;
                r = sd_bus_message_append(m, "s", p->name);
                if (r < 0)
                        return r;
                r = sd_bus_message_open_container(m, 'v', unit_prop_signature(p->type));
                if (r < 0)
                        return r;
                r = append_value(m, p);
                if (r < 0)
                        return r;
                r = sd_bus_message_close_container(m);
                if (r < 0)
                        return r;
                r = sd_bus_message_close_container(m);
                if (r < 0)
                        return r;
        }

        return sd_bus_message_close_container(m);
}
