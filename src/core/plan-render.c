/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>

#include "strbuf.h"
#include "string-util.h"
#include "strv.h"
#include "unit-plan-internal.h"
#include "unit-plan.h"

/* One row per systemd property the plan may hold: the D-Bus name and type (what StartTransientUnit
 * takes, and what unit-plan.c sets), the unit-file key and section, and how a person expects the value
 * written in a unit file. The D-Bus back-end needs only the first two columns, which the plan carries
 * itself; test-plan-render checks every property a plan produces has its row with the same type. */

typedef enum RenderSection {
        SECTION_UNIT,    /* [Unit] */
        SECTION_KIND,    /* [Slice] or [Service], after the unit's kind */
        _SECTION_MAX,
} RenderSection;

typedef enum RenderFormat {
        FORMAT_STRING,    /* specifiers escaped */
        FORMAT_BOOL,      /* yes/no */
        FORMAT_NUMBER,
        FORMAT_TIMESPAN,  /* 30s, 5min, 1min 30s */
        FORMAT_CPU_QUOTA, /* µs per s → percent: 50% */
        FORMAT_SIGNAL,    /* SIGTERM */
        FORMAT_CAPS,      /* CAP_CHOWN CAP_KILL */
        FORMAT_WORDS,     /* space-separated, each word quoted when needed */
        FORMAT_UNITS,     /* space-separated unit names, verbatim: dependency lists keep backslashes, so the
                           * "\x2d" of an escaped name must not be quoted or doubled */
        FORMAT_LINES,     /* one line per entry: Environment=, LogExtraFields= */
        FORMAT_EXEC,      /* command line: '$' → '$$' */
        FORMAT_BINDS,     /* SRC:DST */
} RenderFormat;

typedef struct RenderRow {
        const char *dbus_name;
        const char *key;
        RenderSection section;
        UnitPropType type;
        RenderFormat format;
} RenderRow;

static const RenderRow render_table[] = {
        { "Description",              "Description",              SECTION_UNIT, UNIT_PROP_STRING,     FORMAT_STRING    },
        { "After",                    "After",                    SECTION_UNIT, UNIT_PROP_STRV,       FORMAT_UNITS     },
        { "StartLimitIntervalUSec",   "StartLimitIntervalSec",    SECTION_UNIT, UNIT_PROP_USEC,       FORMAT_TIMESPAN  },
        { "Slice",                    "Slice",                    SECTION_KIND, UNIT_PROP_STRING,     FORMAT_STRING    },
        { "Type",                     "Type",                     SECTION_KIND, UNIT_PROP_STRING,     FORMAT_STRING    },
        { "RemainAfterExit",          "RemainAfterExit",          SECTION_KIND, UNIT_PROP_BOOL,       FORMAT_BOOL      },
        { "ExecStart",                "ExecStart",                SECTION_KIND, UNIT_PROP_EXEC,       FORMAT_EXEC      },
        { "ExecStartPost",            "ExecStartPost",            SECTION_KIND, UNIT_PROP_EXEC,       FORMAT_EXEC      },
        { "ExecStop",                 "ExecStop",                 SECTION_KIND, UNIT_PROP_EXEC,       FORMAT_EXEC      },
        { "Environment",              "Environment",              SECTION_KIND, UNIT_PROP_STRV,       FORMAT_LINES     },
        { "WorkingDirectory",         "WorkingDirectory",         SECTION_KIND, UNIT_PROP_STRING,     FORMAT_STRING    },
        { "User",                     "User",                     SECTION_KIND, UNIT_PROP_STRING,     FORMAT_STRING    },
        { "Group",                    "Group",                    SECTION_KIND, UNIT_PROP_STRING,     FORMAT_STRING    },
        { "SupplementaryGroups",      "SupplementaryGroups",      SECTION_KIND, UNIT_PROP_STRV,       FORMAT_WORDS     },
        { "NoNewPrivileges",          "NoNewPrivileges",          SECTION_KIND, UNIT_PROP_BOOL,       FORMAT_BOOL      },
        { "CapabilityBoundingSet",    "CapabilityBoundingSet",    SECTION_KIND, UNIT_PROP_U64,        FORMAT_CAPS      },
        { "ReadOnlyPaths",            "ReadOnlyPaths",            SECTION_KIND, UNIT_PROP_STRV,       FORMAT_WORDS     },
        { "BindPaths",                "BindPaths",                SECTION_KIND, UNIT_PROP_BIND_PATHS, FORMAT_BINDS     },
        { "BindReadOnlyPaths",        "BindReadOnlyPaths",        SECTION_KIND, UNIT_PROP_BIND_PATHS, FORMAT_BINDS     },
        { "Restart",                  "Restart",                  SECTION_KIND, UNIT_PROP_STRING,     FORMAT_STRING    },
        { "RestartUSec",              "RestartSec",               SECTION_KIND, UNIT_PROP_USEC,       FORMAT_TIMESPAN  },
        { "RestartSteps",             "RestartSteps",             SECTION_KIND, UNIT_PROP_U32,        FORMAT_NUMBER    },
        { "RestartMaxDelayUSec",      "RestartMaxDelaySec",       SECTION_KIND, UNIT_PROP_USEC,       FORMAT_TIMESPAN  },
        { "KillSignal",               "KillSignal",               SECTION_KIND, UNIT_PROP_I32,        FORMAT_SIGNAL    },
        { "TimeoutStopUSec",          "TimeoutStopSec",           SECTION_KIND, UNIT_PROP_USEC,       FORMAT_TIMESPAN  },
        { "CPUQuotaPerSecUSec",       "CPUQuota",                 SECTION_KIND, UNIT_PROP_USEC,       FORMAT_CPU_QUOTA },
        { "CPUWeight",                "CPUWeight",                SECTION_KIND, UNIT_PROP_U64,        FORMAT_NUMBER    },
        { "MemoryMax",                "MemoryMax",                SECTION_KIND, UNIT_PROP_U64,        FORMAT_NUMBER    },
        { "MemoryLow",                "MemoryLow",                SECTION_KIND, UNIT_PROP_U64,        FORMAT_NUMBER    },
        { "TasksMax",                 "TasksMax",                 SECTION_KIND, UNIT_PROP_U64,        FORMAT_NUMBER    },
        { "LogExtraFields",           "LogExtraFields",           SECTION_KIND, UNIT_PROP_BYTES_LIST, FORMAT_LINES     },
        { "LogRateLimitIntervalUSec", "LogRateLimitIntervalSec",  SECTION_KIND, UNIT_PROP_USEC,       FORMAT_TIMESPAN  },
        { "LogRateLimitBurst",        "LogRateLimitBurst",        SECTION_KIND, UNIT_PROP_U32,        FORMAT_NUMBER    },
};

static const RenderRow *render_row(const UnitProp *p) {
        for (size_t i = 0; i < ELEMENTSOF(render_table); i++)
                if (streq(render_table[i].dbus_name, p->name))
                        return render_table[i].type == p->type ? &render_table[i] : NULL;
        return NULL;
}

/* Whether a word must be quoted to survive systemd's word splitting and C unescaping. A lone ";" separates
 * commands in Exec lines; quoting does not help there, systemd documents "\;" for it. */
static bool word_needs_quotes(const char *s) {
        if (isempty(s))
                return true;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p <= ' ' || *p == 0x7F || *p == '"' || *p == '\'' || *p == '\\')
                        return true;
        return false;
}

static void append_word(StrBuf *b, const char *s, bool exec) {
        if (exec && streq(s, ";")) {
                strbuf_append(b, "\\;");
                return;
        }
        if (word_needs_quotes(s)) {
                char *q = unit_file_quote(s, exec);
                if (!q) {
                        b->oom = true;
                        return;
                }
                strbuf_append(b, q);
                free(q);
                return;
        }
        for (const char *p = s; *p; p++) {
                if (*p == '%')
                        strbuf_append(b, "%%");
                else if (*p == '$' && exec)
                        strbuf_append(b, "$$");
                else
                        strbuf_append_char(b, *p);
        }
}

/* Strings that are not split into words (Description=, WorkingDirectory=): only specifiers matter. */
static void append_string(StrBuf *b, const char *s) {
        for (const char *p = s; *p; p++) {
                if (*p == '%')
                        strbuf_append(b, "%%");
                else if (*p == '\n')
                        strbuf_append(b, "\\n"); /* never split a line of the unit file */
                else
                        strbuf_append_char(b, *p);
        }
}

static void append_timespan(StrBuf *b, uint64_t usec) {
        static const struct {
                const char *suffix;
                uint64_t usec;
        } units[] = {
                { "d", UINT64_C(86400000000) }, { "h", UINT64_C(3600000000) }, { "min", UINT64_C(60000000) },
                { "s", UINT64_C(1000000) },     { "ms", UINT64_C(1000) },      { "us", UINT64_C(1) },
        };
        bool first = true;

        if (usec == 0) {
                strbuf_append(b, "0");
                return;
        }
        if (usec == UINT64_MAX) {
                strbuf_append(b, "infinity");
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                if (usec < units[i].usec)
                        continue;
                strbuf_printf(b, "%s%" PRIu64 "%s", first ? "" : " ", usec / units[i].usec, units[i].suffix);
                usec %= units[i].usec;
                first = false;
        }
}

/* CPUQuota= takes a percentage with up to two decimals (permyriad): 10000 µs/s is 1%. */
static void append_cpu_quota(StrBuf *b, uint64_t usec_per_sec) {
        uint64_t whole = usec_per_sec / 10000, hundredths = (usec_per_sec % 10000) / 100;

        if (hundredths == 0)
                strbuf_printf(b, "%" PRIu64 "%%", whole);
        else if (hundredths % 10 == 0)
                strbuf_printf(b, "%" PRIu64 ".%" PRIu64 "%%", whole, hundredths / 10);
        else
                strbuf_printf(b, "%" PRIu64 ".%02" PRIu64 "%%", whole, hundredths);
}

static void append_value(StrBuf *b, const UnitProp *p, const RenderRow *row) {
        switch (row->format) {
        case FORMAT_STRING:
                append_string(b, p->str ?: "");
                break;
        case FORMAT_BOOL:
                strbuf_append(b, p->b ? "yes" : "no");
                break;
        case FORMAT_NUMBER:
                strbuf_printf(b, "%" PRIu64, p->u64);
                break;
        case FORMAT_TIMESPAN:
                append_timespan(b, p->u64);
                break;
        case FORMAT_CPU_QUOTA:
                append_cpu_quota(b, p->u64);
                break;
        case FORMAT_SIGNAL: {
                char buf[16];
                const char *name = unit_plan_signal_name(p->i32, buf);
                if (name)
                        strbuf_append(b, name);
                else
                        strbuf_printf(b, "%" PRIi32, p->i32);
                break;
        }
        case FORMAT_CAPS: {
                bool first = true;
                for (unsigned cap = 0; cap < 64; cap++) {
                        const char *name;
                        if (!(p->u64 & (UINT64_C(1) << cap)) || !(name = unit_plan_capability_name(cap)))
                                continue;
                        strbuf_printf(b, "%sCAP_%s", first ? "" : " ", name);
                        first = false;
                }
                break;
        }
        case FORMAT_WORDS: {
                bool first = true;
                STRV_FOREACH(w, p->strv) {
                        if (!first)
                                strbuf_append_char(b, ' ');
                        append_word(b, *w, false);
                        first = false;
                }
                break;
        }
        case FORMAT_UNITS:
                STRV_FOREACH(w, p->strv)
                        strbuf_printf(b, "%s%s", w == p->strv ? "" : " ", *w);
                break;
        case FORMAT_EXEC:
                if (p->exec.ignore_failure)
                        strbuf_append_char(b, '-');
                /* The first word is the path; when argv[0] differs, '@' says so and argv[0] follows. */
                if (p->exec.argv && p->exec.argv[0] && !streq(p->exec.argv[0], p->exec.path)) {
                        strbuf_append_char(b, '@');
                        append_word(b, p->exec.path, true);
                        strbuf_append_char(b, ' ');
                        append_word(b, p->exec.argv[0], true);
                } else
                        append_word(b, p->exec.path, true);
                for (size_t i = 1; p->exec.argv && p->exec.argv[0] && p->exec.argv[i]; i++) {
                        strbuf_append_char(b, ' ');
                        append_word(b, p->exec.argv[i], true);
                }
                break;
        case FORMAT_BINDS:
                for (size_t i = 0; i < p->n_binds; i++) {
                        if (i > 0)
                                strbuf_append_char(b, ' ');
                        if (p->binds[i].ignore_enoent)
                                strbuf_append_char(b, '-');
                        append_word(b, p->binds[i].source, false);
                        strbuf_append_char(b, ':');
                        append_word(b, p->binds[i].destination, false);
                        if (!p->binds[i].recursive)
                                strbuf_append(b, ":norbind");
                }
                break;
        case FORMAT_LINES:
                assert(false); /* handled by the caller */
                break;
        }
}

static void render_prop(StrBuf *b, const UnitProp *p, const RenderRow *row) {
        strbuf_printf(b, "# from %s\n", p->origin ?: "podctl");

        if (row->format == FORMAT_LINES) {
                STRV_FOREACH(w, p->strv) {
                        strbuf_printf(b, "%s=", row->key);
                        append_word(b, *w, false);
                        strbuf_append_char(b, '\n');
                }
                return;
        }
        strbuf_printf(b, "%s=", row->key);
        append_value(b, p, row);
        strbuf_append_char(b, '\n');
}

char *unit_plan_render(const UnitPlan *plan) {
        StrBuf b = {};

        if (!plan)
                return NULL;

        for (size_t i = 0; i < plan->n_units; i++) {
                const PlannedUnit *u = &plan->units[i];

                if (i > 0)
                        strbuf_append_char(&b, '\n');
                strbuf_printf(&b, "# %s\n", u->name);

                for (RenderSection s = 0; s < _SECTION_MAX; s++) {
                        bool header = false;
                        for (size_t j = 0; j < u->n_props; j++) {
                                const UnitProp *p = &u->props[j];
                                const RenderRow *row = render_row(p);
                                if (!row) {
                                        /* A property without a row is a bug in the plan: never print a
                                         * unit file that silently lacks it. */
                                        strbuf_done(&b);
                                        errno = EINVAL;
                                        return NULL;
                                }
                                if (row->section != s)
                                        continue;
                                if (!header) {
                                        strbuf_printf(&b, "[%s]\n", s == SECTION_UNIT ? "Unit"
                                                                    : u->kind == UNIT_SLICE ? "Slice" : "Service");
                                        header = true;
                                }
                                render_prop(&b, p, row);
                        }
                }
        }

        char *s = strbuf_steal(&b);
        if (!s)
                errno = ENOMEM;
        return s;
}
