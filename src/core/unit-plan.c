/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>

#include "env-expand.h"
#include "hook-args.h"
#include "string-util.h"
#include "strv.h"
#include "unit-name.h"
#include "unit-plan-internal.h"
#include "unit-plan.h"

/* Kubernetes' crash-loop back-off: 10 s first delay, doubling, 300 s cap (k8s-semantics.md §3.2). On
 * systemd >= 254 RestartSteps= interpolates exponentially from RestartSec= to RestartMaxDelaySec=: 5 steps
 * from 10 s to 300 s give 10, 20, 39, 77, 151, 300 s, the closest systemd gets to the doubling. */
#define RESTART_USEC (10 * USEC_PER_SEC)
#define RESTART_MAX_DELAY_USEC (300 * USEC_PER_SEC)
#define RESTART_STEPS 5
#define RESTART_STEPS_MIN_SYSTEMD 254

/* journald rate-limits per unit (10000 lines per 30 s by default) and drops the rest silently. Containers
 * log as much as they like in Kubernetes, so give them a budget no ordinary workload reaches. The interval
 * must be non-zero: 0 means "unset" on systemd 252, not "off". */
#define LOG_RATE_LIMIT_INTERVAL_USEC USEC_PER_SEC
#define LOG_RATE_LIMIT_BURST 100000

/* Kubernetes never lets a container stop in less than 2 s (minimumGracePeriodInSeconds, §2.4), and
 * TimeoutStopSec=0 would mean "no timeout" to systemd. */
#define STOP_TIMEOUT_MIN_SEC 2

/* How a container stops, measured against systemd 252 (DESIGN.md "systemd facts"):
 * - systemd runs ExecStop= under TimeoutStopSec=, then sends KillSignal= per KillMode= and waits
 *   TimeoutStopSec= again before SIGKILL: left to itself it applies the grace twice (grace 3 s, preStop 2 s,
 *   SIGTERM ignored: killed after 5.1 s instead of Kubernetes' 3 s).
 * - So every app container and sidecar gets ExecStop= running pod-hook (handler "none" without a preStop),
 *   which does the kubelet's whole killContainer within ONE budget: preStop with the grace as deadline, the
 *   stop signal to $MAINPID only, the wait for what preStop left (2 s floor, which is also the one-time
 *   extension of a preStop abandoned at the deadline), then SIGKILL to every process of the unit's cgroup.
 *   While ExecStop= runs, systemd only notes the main process's death; when ExecStop= returns, its own
 *   KillSignal= to the cgroup finds nobody and the unit stops at once, with the main process's own exit
 *   status (143, or 137 for the SIGKILL). KillMode= stays control-group: if the helper fails, systemd's
 *   own stop is the fallback.
 * - The budget is the spec's (--grace-seconds=) for `systemctl stop` and host shutdown, with or without
 *   podd; a deletion's own grace reaches the helper through /run/pods/grace/UNIT, written by podd.
 * - TimeoutStopSec= is then only the backstop for a helper that hangs: the longest honest sequence is the
 *   grace plus the 2 s extension, so it is grace + 2 s + this margin (for a deletion grace longer than the
 *   spec's, podd raises it for that stop). */
#define STOP_TIMEOUT_MARGIN_SEC 3

#define PIDS_LIMIT_ANNOTATION "podctl.io/pids-limit"
#define ENV_PATH "/usr/bin/env"
#define POD_UID_PLACEHOLDER "<pod-uid>"

/* ---- plan data ---- */

static void unit_prop_done(UnitProp *p) {
        free(p->str);
        strv_free(p->strv);
        free(p->exec.path);
        strv_free(p->exec.argv);
        for (size_t i = 0; i < p->n_binds; i++) {
                free(p->binds[i].source);
                free(p->binds[i].destination);
        }
        free(p->binds);
        free(p->origin);
}

static void planned_unit_done(PlannedUnit *u) {
        free(u->name);
        free(u->container_name);
        for (size_t i = 0; i < u->n_props; i++)
                unit_prop_done(&u->props[i]);
        free(u->props);
}

UnitPlan *unit_plan_free(UnitPlan *plan) {
        if (!plan)
                return NULL;
        for (size_t i = 0; i < plan->n_units; i++)
                planned_unit_done(&plan->units[i]);
        free(plan->units);
        free(plan);
        return NULL;
}

const PlannedUnit *unit_plan_find(const UnitPlan *plan, const char *name) {
        if (!plan || !name)
                return NULL;
        for (size_t i = 0; i < plan->n_units; i++)
                if (streq(plan->units[i].name, name))
                        return &plan->units[i];
        return NULL;
}

const UnitProp *planned_unit_get(const PlannedUnit *u, const char *prop_name) {
        if (!u || !prop_name)
                return NULL;
        for (size_t i = 0; i < u->n_props; i++)
                if (streq(u->props[i].name, prop_name))
                        return &u->props[i];
        return NULL;
}

static const char *const unit_prop_signature_table[_UNIT_PROP_TYPE_MAX] = {
        [UNIT_PROP_STRING] = "s",
        [UNIT_PROP_BOOL] = "b",
        [UNIT_PROP_U64] = "t",
        [UNIT_PROP_U32] = "u",
        [UNIT_PROP_I32] = "i",
        [UNIT_PROP_USEC] = "t",
        [UNIT_PROP_STRV] = "as",
        [UNIT_PROP_EXEC] = "a(sasb)",
        [UNIT_PROP_BYTES_LIST] = "aay",
        [UNIT_PROP_BIND_PATHS] = "a(ssbt)",
};

const char *unit_prop_signature(UnitPropType t) {
        if (t < 0 || t >= _UNIT_PROP_TYPE_MAX)
                return NULL;
        return unit_prop_signature_table[t];
}

static PlannedUnit *plan_add_unit(UnitPlan *plan, const char *name, UnitKind kind) {
        if (!GREEDY_REALLOC(plan->units, plan->allocated_units, plan->n_units + 1))
                return NULL;
        char *n = strdup(name);
        if (!n)
                return NULL;
        PlannedUnit *u = &plan->units[plan->n_units++];
        *u = (PlannedUnit) { .name = n, .kind = kind, .role = _CONTAINER_ROLE_INVALID };
        return u;
}

/* Appends a property; the caller fills the value. origin is copied. */
static UnitProp *unit_add_prop(PlannedUnit *u, const char *name, UnitPropType type, const char *origin) {
        if (!GREEDY_REALLOC(u->props, u->allocated_props, u->n_props + 1))
                return NULL;
        char *o = strdup(origin);
        if (!o)
                return NULL;
        UnitProp *p = &u->props[u->n_props++];
        *p = (UnitProp) { .name = name, .type = type, .origin = o };
        return p;
}

static int add_string(PlannedUnit *u, const char *name, const char *value, const char *origin) {
        UnitProp *p = unit_add_prop(u, name, UNIT_PROP_STRING, origin);
        if (!p)
                return -ENOMEM;
        p->str = strdup(value);
        return p->str ? 0 : -ENOMEM;
}

static int add_bool(PlannedUnit *u, const char *name, bool value, const char *origin) {
        UnitProp *p = unit_add_prop(u, name, UNIT_PROP_BOOL, origin);
        if (!p)
                return -ENOMEM;
        p->b = value;
        return 0;
}

static int add_number(PlannedUnit *u, const char *name, UnitPropType type, uint64_t value, const char *origin) {
        UnitProp *p = unit_add_prop(u, name, type, origin);
        if (!p)
                return -ENOMEM;
        p->u64 = value;
        return 0;
}

static int add_i32(PlannedUnit *u, const char *name, int32_t value, const char *origin) {
        UnitProp *p = unit_add_prop(u, name, UNIT_PROP_I32, origin);
        if (!p)
                return -ENOMEM;
        p->i32 = value;
        return 0;
}

/* Takes ownership of l, also on failure. */
static int add_strv(PlannedUnit *u, const char *name, UnitPropType type, char **l, const char *origin) {
        UnitProp *p = unit_add_prop(u, name, type, origin);
        if (!p) {
                strv_free(l);
                return -ENOMEM;
        }
        p->strv = l;
        return 0;
}

/* Takes ownership of argv, also on failure. */
static int add_exec(PlannedUnit *u, const char *name, const char *path, char **argv, const char *origin) {
        UnitProp *p = unit_add_prop(u, name, UNIT_PROP_EXEC, origin);
        if (!p) {
                strv_free(argv);
                return -ENOMEM;
        }
        p->exec.argv = argv;
        p->exec.path = strdup(path);
        return p->exec.path ? 0 : -ENOMEM;
}

static int add_bind(PlannedUnit *u, const char *name, const char *source, const char *destination, const char *origin) {
        UnitProp *p = unit_add_prop(u, name, UNIT_PROP_BIND_PATHS, origin);
        if (!p)
                return -ENOMEM;
        p->binds = calloc(1, sizeof(UnitBindPath));
        if (!p->binds)
                return -ENOMEM;
        p->n_binds = 1;
        /* Recursive, like a unit file's BindPaths= default and Kubernetes' rbind of hostPath volumes. */
        p->binds[0] = (UnitBindPath) { .source = strdup(source), .destination = strdup(destination),
                                       .recursive = true };
        return p->binds[0].source && p->binds[0].destination ? 0 : -ENOMEM;
}

/* ---- helpers on the model ---- */

static const Quantity *resource_get(const ResourceList *l, const char *name) {
        for (size_t i = 0; i < l->n; i++)
                if (streq_ptr(l->items[i].name, name))
                        return &l->items[i].quantity;
        return NULL;
}

static const Quantity *container_limit(const Container *c, const char *name) {
        return c->resources ? resource_get(&c->resources->limits, name) : NULL;
}

static const Quantity *container_request(const Container *c, const char *name) {
        return c->resources ? resource_get(&c->resources->requests, name) : NULL;
}

static const char *strmap_get(const StrMap *m, const char *key) {
        for (size_t i = 0; i < m->n; i++)
                if (streq_ptr(m->items[i].key, key))
                        return m->items[i].value;
        return NULL;
}

static int64_t pod_grace_seconds(const Pod *pod) {
        return pod->spec.termination_grace_period_seconds.set ? pod->spec.termination_grace_period_seconds.value : 30;
}

static const char *pod_uid(const Pod *pod, const PlanContext *ctx) {
        return ctx->pod_uid ?: pod->metadata.uid;
}

/* CPU as µs of CPU time per second, memory in bytes: the units of CPUQuotaPerSecUSec= and MemoryMax=.
 * A zero limit is "no limit" to the kubelet (MilliCPUToQuota(0), an unset memory.max), so it counts as
 * not declared. */
static bool limit_value(const Container *c, bool cpu, uint64_t *ret) {
        const Quantity *q = container_limit(c, cpu ? "cpu" : "memory");
        if (!q)
                return false;
        int64_t v = cpu ? quantity_milli_ceil(q) : quantity_value_ceil(q);
        if (v <= 0)
                return false;
        if (cpu)
                *ret = (uint64_t) v > UINT64_MAX / 1000 ? UINT64_MAX : (uint64_t) v * 1000;
        else
                *ret = (uint64_t) v;
        return true;
}

static uint64_t add_sat(uint64_t a, uint64_t b) {
        return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* The pod cgroup's limit as the kubelet computes it (PodLimits in pkg/api/v1/resource): set only when every
 * container declares the limit; the larger of (app containers + sidecars) and, for each init container,
 * itself plus the sidecars started before it. */
static bool pod_limit(const Pod *pod, bool cpu, uint64_t *ret) {
        uint64_t sidecars = 0, init_max = 0, apps = 0, v;

        for (size_t i = 0; i < pod->spec.n_init_containers; i++) {
                const Container *c = &pod->spec.init_containers[i];
                if (!limit_value(c, cpu, &v))
                        return false;
                if (c->role == CONTAINER_SIDECAR) {
                        sidecars = add_sat(sidecars, v);
                        init_max = MAX(init_max, sidecars);
                } else
                        init_max = MAX(init_max, add_sat(v, sidecars));
        }
        for (size_t i = 0; i < pod->spec.n_containers; i++) {
                if (!limit_value(&pod->spec.containers[i], cpu, &v))
                        return false;
                apps = add_sat(apps, v);
        }
        if (pod->spec.n_containers == 0 && pod->spec.n_init_containers == 0)
                return false;

        *ret = MAX(add_sat(apps, sidecars), init_max);
        return true;
}

/* The Linux signal names Kubernetes accepts for lifecycle.stopSignal. */
static const struct {
        const char *name;
        int number;
} signal_table[] = {
        { "SIGABRT", SIGABRT },     { "SIGALRM", SIGALRM },   { "SIGBUS", SIGBUS },       { "SIGCHLD", SIGCHLD },
        { "SIGCLD", SIGCHLD },      { "SIGCONT", SIGCONT },   { "SIGFPE", SIGFPE },       { "SIGHUP", SIGHUP },
        { "SIGILL", SIGILL },       { "SIGINT", SIGINT },     { "SIGIO", SIGIO },         { "SIGIOT", SIGIOT },
        { "SIGKILL", SIGKILL },     { "SIGPIPE", SIGPIPE },   { "SIGPOLL", SIGPOLL },     { "SIGPROF", SIGPROF },
        { "SIGPWR", SIGPWR },       { "SIGQUIT", SIGQUIT },   { "SIGSEGV", SIGSEGV },     { "SIGSTKFLT", SIGSTKFLT },
        { "SIGSTOP", SIGSTOP },     { "SIGSYS", SIGSYS },     { "SIGTERM", SIGTERM },     { "SIGTRAP", SIGTRAP },
        { "SIGTSTP", SIGTSTP },     { "SIGTTIN", SIGTTIN },   { "SIGTTOU", SIGTTOU },     { "SIGURG", SIGURG },
        { "SIGUSR1", SIGUSR1 },     { "SIGUSR2", SIGUSR2 },   { "SIGVTALRM", SIGVTALRM }, { "SIGWINCH", SIGWINCH },
        { "SIGXCPU", SIGXCPU },     { "SIGXFSZ", SIGXFSZ },
};

/* Returns the signal number, or -EINVAL. Also SIGRTMIN, SIGRTMIN+N, SIGRTMAX-N, SIGRTMAX. */
static int signal_from_name(const char *s) {
        int64_t n;

        for (size_t i = 0; i < ELEMENTSOF(signal_table); i++)
                if (streq(signal_table[i].name, s))
                        return signal_table[i].number;

        if (streq(s, "SIGRTMIN"))
                return SIGRTMIN;
        if (streq(s, "SIGRTMAX"))
                return SIGRTMAX;
        if (startswith(s, "SIGRTMIN+") && safe_atoi64(s + 9, &n) >= 0 && n >= 1 && n <= SIGRTMAX - SIGRTMIN)
                return SIGRTMIN + (int) n;
        if (startswith(s, "SIGRTMAX-") && safe_atoi64(s + 9, &n) >= 0 && n >= 1 && n <= SIGRTMAX - SIGRTMIN)
                return SIGRTMAX - (int) n;
        return -EINVAL;
}

const char *unit_plan_signal_name(int sig, char buf[static 16]) {
        for (size_t i = 0; i < ELEMENTSOF(signal_table); i++)
                if (signal_table[i].number == sig)
                        return signal_table[i].name;
        if (sig == SIGRTMIN)
                return "SIGRTMIN";
        if (sig == SIGRTMAX)
                return "SIGRTMAX";
        if (sig > SIGRTMIN && sig < SIGRTMAX) {
                (void) snprintf(buf, 16, "SIGRTMIN+%d", sig - SIGRTMIN);
                return buf;
        }
        return NULL;
}

/* Kubernetes' requests.cpu → cgroup v1 shares (MilliCPUToShares) → cgroup v2 weight, as the kubelet and
 * runc convert it, so a container gets the same share of a contended CPU as on a node. */
uint64_t unit_plan_cpu_weight(int64_t milli) {
        uint64_t shares;

        if (milli <= 0)
                shares = 2;
        else if ((uint64_t) milli > UINT64_MAX / 1024)
                shares = 262144;
        else
                shares = MIN(MAX((uint64_t) milli * 1024 / 1000, UINT64_C(2)), UINT64_C(262144));
        return 1 + ((shares - 2) * 9999) / 262142;
}

/* ---- capabilities ---- */

static const char *const capability_names[] = {
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
        "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK",
        "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN",
        "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE",
        "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
        "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};

/* containerd's default set for a non-privileged container. */
static const char *const capability_default[] = {
        "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID",
        "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
};

#define CAP_MASK_ALL ((UINT64_C(1) << ELEMENTSOF(capability_names)) - 1)

/* Kubernetes writes capabilities without the CAP_ prefix; accept it as well, and any case, as containerd
 * upper-cases them. */
static int capability_from_name(const char *s) {
        if (strncasecmp(s, "CAP_", 4) == 0)
                s += 4;
        for (size_t i = 0; i < ELEMENTSOF(capability_names); i++)
                if (strcasecmp(capability_names[i], s) == 0)
                        return (int) i;
        return -EINVAL;
}

static bool strv_contains_case(char *const *l, const char *s) {
        STRV_FOREACH(i, l)
                if (strcasecmp(*i, s) == 0)
                        return true;
        return false;
}

const char *unit_plan_capability_name(unsigned cap) {
        return cap < ELEMENTSOF(capability_names) ? capability_names[cap] : NULL;
}

/* ---- per-container planning ---- */

typedef struct EnvEntry {
        char *name;
        char *value;
} EnvEntry;

typedef struct Planner {
        const Pod *pod;
        const PlanContext *ctx;
        Diags *diags;
        UnitPlan *plan;
        const char *pod_slice;
        /* the container being planned */
        const Container *c;
        const char *cpath; /* "spec.containers[0]" */
        EnvEntry *env;
        size_t n_env, allocated_env;
} Planner;

static void planner_env_clear(Planner *p) {
        for (size_t i = 0; i < p->n_env; i++) {
                free(p->env[i].name);
                free(p->env[i].value);
        }
        free(p->env);
        p->env = NULL;
        p->n_env = p->allocated_env = 0;
}

static const char *env_lookup(const char *name, void *userdata) {
        Planner *p = userdata;
        for (size_t i = 0; i < p->n_env; i++)
                if (streq(p->env[i].name, name))
                        return p->env[i].value;
        return NULL;
}

/* Sets name to value (taking ownership of value); a repeated name keeps its first position and takes the
 * later value, as the kubelet's map does and as systemd does with repeated Environment= assignments. */
static int env_set(Planner *p, const char *name, char *value) {
        for (size_t i = 0; i < p->n_env; i++)
                if (streq(p->env[i].name, name)) {
                        free(p->env[i].value);
                        p->env[i].value = value;
                        return 0;
                }
        if (!GREEDY_REALLOC(p->env, p->allocated_env, p->n_env + 1)) {
                free(value);
                return -ENOMEM;
        }
        char *n = strdup(name);
        if (!n) {
                free(value);
                return -ENOMEM;
        }
        p->env[p->n_env++] = (EnvEntry) { .name = n, .value = value };
        return 0;
}

/* systemd 252's env_name_is_valid(): a shell identifier. Kubernetes allows any printable name but '='. */
static bool env_name_ok_for_systemd(const char *s) {
        if (isempty(s) || (*s >= '0' && *s <= '9'))
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
                        return false;
        return true;
}

/* The value of a fieldRef that is known when the plan is made, or NULL. "metadata.labels['k']" and
 * "metadata.annotations['k']" give "" for a missing key, as the kubelet does. */
static const char *field_ref_value(const Planner *p, const char *field_path) {
        const Pod *pod = p->pod;

        if (streq(field_path, "metadata.name"))
                return pod->metadata.name ?: "";
        if (streq(field_path, "metadata.namespace"))
                return pod->metadata.namespace ?: "default";
        if (streq(field_path, "metadata.uid"))
                return pod_uid(pod, p->ctx);
        if (streq(field_path, "spec.serviceAccountName"))
                return pod->spec.service_account_name ?: "";

        const StrMap *m = NULL;
        const char *rest = NULL;
        if (startswith(field_path, "metadata.labels['")) {
                m = &pod->metadata.labels;
                rest = field_path + strlen("metadata.labels['");
        } else if (startswith(field_path, "metadata.annotations['")) {
                m = &pod->metadata.annotations;
                rest = field_path + strlen("metadata.annotations['");
        }
        if (m && endswith(rest, "']")) {
                size_t n = strlen(rest) - 2;
                for (size_t i = 0; i < m->n; i++)
                        if (m->items[i].key && strlen(m->items[i].key) == n && strneq(m->items[i].key, rest, n))
                                return m->items[i].value ?: "";
                return "";
        }
        /* spec.nodeName, status.podIP, status.hostIP, …: only known at start. */
        return NULL;
}

static int plan_environment(Planner *p, PlannedUnit *u) {
        const Container *c = p->c;
        _cleanup_strv_free_ char **l = NULL;
        int r;

        for (size_t i = 0; i < c->n_env; i++) {
                const EnvVar *e = &c->env[i];
                _cleanup_free_ char *path = asprintf_safe("%s.env[%zu]", p->cpath, i);
                if (!path)
                        return -ENOMEM;

                if (!env_name_ok_for_systemd(e->name)) {
                        _cleanup_free_ char *npath = asprintf_safe("%s.name", path);
                        if (!npath)
                                return -ENOMEM;
                        diag_field(p->diags, DIAG_ERROR, e->src, "name", npath,
                                   "systemd cannot pass environment variable names outside [A-Za-z_][A-Za-z0-9_]*");
                        continue;
                }

                char *value = NULL;
                if (e->value_from) {
                        const char *v = e->value_from->field_ref && e->value_from->field_ref->field_path
                                                ? field_ref_value(p, e->value_from->field_ref->field_path)
                                                : NULL;
                        /* configMapKeyRef, secretKeyRef, resourceFieldRef and the fieldRefs that only exist
                         * at start (status.podIP, spec.nodeName, …) cannot be known here: podd
                         * materialises them when it starts the container (a later issue). They are left
                         * out of the plan, and $(NAME) references to them stay as written. */
                        if (!v)
                                continue;
                        value = strdup(v);
                } else
                        /* Literal values are expanded from the entries before them, as the kubelet does. */
                        value = env_expand(e->value ?: "", env_lookup, p);
                if (!value)
                        return -ENOMEM;

                if (!utf8_is_valid_n(value, strlen(value))) {
                        free(value);
                        _cleanup_free_ char *vpath = asprintf_safe("%s.value", path);
                        if (!vpath)
                                return -ENOMEM;
                        diag_field(p->diags, DIAG_ERROR, e->src, "value", vpath,
                                   "systemd cannot pass an environment variable value that is not valid UTF-8");
                        continue;
                }

                r = env_set(p, e->name, value);
                if (r < 0)
                        return r;
        }

        /* envFrom (configMapRef/secretRef) is resolved at start as well (a later issue). */

        for (size_t i = 0; i < p->n_env; i++) {
                char *kv = asprintf_safe("%s=%s", p->env[i].name, p->env[i].value);
                if (!kv)
                        return -ENOMEM;
                r = strv_push(&l, kv);
                if (r < 0)
                        return r;
        }
        if (!l)
                return 0;

        _cleanup_free_ char *origin = asprintf_safe("%s.env", p->cpath);
        if (!origin)
                return -ENOMEM;
        return add_strv(u, "Environment", UNIT_PROP_STRV, TAKE_PTR(l), origin);
}

static int plan_exec_start(Planner *p, PlannedUnit *u) {
        const Container *c = p->c;
        _cleanup_strv_free_ char **words = NULL;
        _cleanup_free_ char *origin = NULL;
        int r;

        if (strv_length(c->command) == 0) {
                _cleanup_free_ char *path = asprintf_safe("%s.%s", p->cpath, c->image ? "image" : "command");
                if (!path)
                        return -ENOMEM;
                if (c->image)
                        diag_field(p->diags, DIAG_ERROR, c->src, "image", path,
                                   "image entrypoints are not supported yet: set command");
                else
                        diag_field(p->diags, DIAG_ERROR, c->src, "command", path, "Required value");
                return 0;
        }

        /* command and args get Kubernetes' $(VAR) expansion from the container's environment. */
        STRV_FOREACH(w, c->command) {
                r = strv_push(&words, env_expand(*w, env_lookup, p));
                if (r < 0)
                        return r;
        }
        STRV_FOREACH(w, c->args) {
                r = strv_push(&words, env_expand(*w, env_lookup, p));
                if (r < 0)
                        return r;
        }

        origin = asprintf_safe("%s.%s", p->cpath, c->args ? "command, args" : "command");
        if (!origin)
                return -ENOMEM;

        if (words[0][0] == '/') {
                const char *path = words[0]; /* owned by words, which add_exec() takes */
                return add_exec(u, "ExecStart", path, TAKE_PTR(words), origin);
        }

        /* A bare command name is looked up in $PATH of the container's environment, as the runtime does.
         * systemd wants an absolute path, so env(1) does the lookup: it execvp()s the command in place,
         * so the main PID stays the container's process and argv[0] stays as written. "--" ends env's
         * options; env would still read a first word containing '=' as an assignment. */
        if (isempty(words[0]) || strchr(words[0], '=')) {
                _cleanup_free_ char *path = asprintf_safe("%s.command[0]", p->cpath);
                if (!path)
                        return -ENOMEM;
                diag_field(p->diags, DIAG_ERROR, c->src, "command", path,
                           "must be an absolute path or a program name without '='");
                return 0;
        }

        _cleanup_strv_free_ char **argv = NULL;
        r = strv_extend(&argv, ENV_PATH);
        if (r < 0)
                return r;
        r = strv_extend(&argv, "--");
        if (r < 0)
                return r;
        STRV_FOREACH(w, words) {
                r = strv_extend(&argv, *w);
                if (r < 0)
                        return r;
        }
        return add_exec(u, "ExecStart", ENV_PATH, TAKE_PTR(argv), origin);
}

static int plan_hook(Planner *p, PlannedUnit *u, HookPoint point, const Handler *h, const char *prop,
                     const char *field) {
        _cleanup_strv_free_ char **args = NULL, **argv = NULL;
        int r;

        r = hook_args_build(p->pod, p->c, point, h, pod_grace_seconds(p->pod), &args);
        if (r < 0)
                return r;

        r = strv_extend(&argv, p->ctx->hook_path);
        if (r < 0)
                return r;
        STRV_FOREACH(a, args) {
                r = strv_extend(&argv, *a);
                if (r < 0)
                        return r;
        }

        _cleanup_free_ char *origin = h ? asprintf_safe("%s.lifecycle.%s", p->cpath, field)
                                        : strdup("podctl default (the stop sequence within the grace period)");
        if (!origin)
                return -ENOMEM;
        return add_exec(u, prop, p->ctx->hook_path, TAKE_PTR(argv), origin);
}

static int plan_security(Planner *p, PlannedUnit *u) {
        const Container *c = p->c;
        const SecurityContext *sc = c->security_context;
        const PodSecurityContext *psc = p->pod->spec.security_context;
        _cleanup_free_ char *origin = NULL;
        int r;

        /* runAsUser/runAsGroup/runAsNonRoot: container level wins over pod level. */
        const OptInt *uid = sc && sc->run_as_user.set ? &sc->run_as_user
                            : psc && psc->run_as_user.set ? &psc->run_as_user : NULL;
        const char *uid_origin = sc && sc->run_as_user.set ? "securityContext.runAsUser" : "spec.securityContext.runAsUser";
        const OptInt *gid = sc && sc->run_as_group.set ? &sc->run_as_group
                            : psc && psc->run_as_group.set ? &psc->run_as_group : NULL;
        const char *gid_origin = sc && sc->run_as_group.set ? "securityContext.runAsGroup" : "spec.securityContext.runAsGroup";
        bool non_root_c = sc && sc->run_as_non_root.set;
        const OptBool *non_root = non_root_c ? &sc->run_as_non_root
                                  : psc && psc->run_as_non_root.set ? &psc->run_as_non_root : NULL;

#define FIELD_ORIGIN(container_level, rel)                                                               \
        ((container_level) ? asprintf_safe("%s.%s", p->cpath, (rel)) : strdup((rel)))

        if (non_root && non_root->value && (!uid || uid->value == 0)) {
                _cleanup_free_ char *path = non_root_c ? asprintf_safe("%s.securityContext.runAsNonRoot", p->cpath)
                                                       : strdup("spec.securityContext.runAsNonRoot");
                if (!path)
                        return -ENOMEM;
                diag_field(p->diags, DIAG_ERROR, non_root_c ? sc->src : psc->src, "runAsNonRoot", path,
                           uid ? "runAsUser 0 breaks the non-root policy"
                               : "needs runAsUser: without an image there is no image user, and the host's root filesystem runs as root");
        }

        if (uid) {
                char buf[32];
                (void) snprintf(buf, sizeof buf, "%" PRId64, uid->value);
                origin = FIELD_ORIGIN(sc && sc->run_as_user.set, uid_origin);
                if (!origin)
                        return -ENOMEM;
                r = add_string(u, "User", buf, origin);
                if (r < 0)
                        return r;
                origin = mfree(origin);
        }
        if (gid) {
                char buf[32];
                (void) snprintf(buf, sizeof buf, "%" PRId64, gid->value);
                origin = FIELD_ORIGIN(sc && sc->run_as_group.set, gid_origin);
                if (!origin)
                        return -ENOMEM;
                r = add_string(u, "Group", buf, origin);
                if (r < 0)
                        return r;
                origin = mfree(origin);
        }
#undef FIELD_ORIGIN

        if (psc && (psc->n_supplemental_groups > 0 || psc->fs_group.set)) {
                _cleanup_strv_free_ char **groups = NULL;
                for (size_t i = 0; i < psc->n_supplemental_groups + psc->fs_group.set; i++) {
                        int64_t g = i < psc->n_supplemental_groups ? psc->supplemental_groups[i] : psc->fs_group.value;
                        char buf[32];
                        (void) snprintf(buf, sizeof buf, "%" PRId64, g);
                        if (strv_contains(groups, buf))
                                continue;
                        r = strv_extend(&groups, buf);
                        if (r < 0)
                                return r;
                }
                r = add_strv(u, "SupplementaryGroups", UNIT_PROP_STRV, TAKE_PTR(groups),
                             psc->fs_group.set && psc->n_supplemental_groups == 0 ? "spec.securityContext.fsGroup"
                             : psc->fs_group.set ? "spec.securityContext.supplementalGroups, fsGroup"
                                                 : "spec.securityContext.supplementalGroups");
                if (r < 0)
                        return r;
        }

        if (sc && sc->allow_privilege_escalation.set && !sc->allow_privilege_escalation.value) {
                origin = asprintf_safe("%s.securityContext.allowPrivilegeEscalation", p->cpath);
                if (!origin)
                        return -ENOMEM;
                r = add_bool(u, "NoNewPrivileges", true, origin);
                if (r < 0)
                        return r;
                origin = mfree(origin);
        }

        /* A privileged container keeps every capability: no bounding set at all. Otherwise containerd's
         * default set, then (as containerd orders it) add ALL, drop ALL, the other adds, the other drops. */
        if (!(sc && sc->privileged.set && sc->privileged.value)) {
                uint64_t mask = 0;
                const Capabilities *caps = sc ? sc->capabilities : NULL;

                for (size_t i = 0; i < ELEMENTSOF(capability_default); i++)
                        mask |= UINT64_C(1) << capability_from_name(capability_default[i]);
                if (caps) {
                        if (strv_contains_case(caps->add, "ALL"))
                                mask = CAP_MASK_ALL;
                        if (strv_contains_case(caps->drop, "ALL"))
                                mask = 0;
                        for (int pass = 0; pass < 2; pass++) {
                                char **l = pass == 0 ? caps->add : caps->drop;
                                size_t j = 0;
                                STRV_FOREACH(name, l) {
                                        int cap;
                                        if (strcasecmp(*name, "ALL") == 0) {
                                                j++;
                                                continue;
                                        }
                                        cap = capability_from_name(*name);
                                        if (cap < 0) {
                                                _cleanup_free_ char *path = asprintf_safe(
                                                                "%s.securityContext.capabilities.%s[%zu]", p->cpath,
                                                                pass == 0 ? "add" : "drop", j);
                                                if (!path)
                                                        return -ENOMEM;
                                                diag_field(p->diags, DIAG_ERROR, caps->src, pass == 0 ? "add" : "drop",
                                                           path, "unknown capability \"%s\"", *name);
                                        } else if (pass == 0)
                                                mask |= UINT64_C(1) << cap;
                                        else
                                                mask &= ~(UINT64_C(1) << cap);
                                        j++;
                                }
                        }
                }
                origin = caps ? asprintf_safe("%s.securityContext.capabilities", p->cpath)
                              : strdup("podctl default (containerd's default capabilities)");
                if (!origin)
                        return -ENOMEM;
                r = add_number(u, "CapabilityBoundingSet", UNIT_PROP_U64, mask, origin);
                if (r < 0)
                        return r;
                origin = mfree(origin);
        }

        if (sc && sc->read_only_root_filesystem.set && sc->read_only_root_filesystem.value) {
                _cleanup_strv_free_ char **l = NULL;
                r = strv_extend(&l, "/");
                if (r < 0)
                        return r;
                origin = asprintf_safe("%s.securityContext.readOnlyRootFilesystem", p->cpath);
                if (!origin)
                        return -ENOMEM;
                r = add_strv(u, "ReadOnlyPaths", UNIT_PROP_STRV, TAKE_PTR(l), origin);
                if (r < 0)
                        return r;
        }

        return 0;
}

static const Volume *pod_volume(const Pod *pod, const char *name) {
        for (size_t i = 0; i < pod->spec.n_volumes; i++)
                if (streq_ptr(pod->spec.volumes[i].name, name))
                        return &pod->spec.volumes[i];
        return NULL;
}

/* Where a volume's data lives on the host. podd prepares these directories before it starts the unit:
 * emptyDir below state_dir (medium Memory below runtime_dir, a tmpfs), the files of configMap, secret,
 * downwardAPI and projected volumes below runtime_dir, all keyed by the pod UID like the kubelet's
 * /var/lib/kubelet/pods/UID/volumes, so a replaced pod never sees the old pod's data. Before podd
 * assigned a UID (podctl render of a manifest without metadata.uid) the path carries the placeholder
 * "<pod-uid>": that output is for reading, podd always plans with the UID. */
char *unit_plan_volume_source(const Pod *pod, const PlanContext *ctx, const Volume *v, bool *ret_read_only) {
        const char *uid = pod_uid(pod, ctx) ?: POD_UID_PLACEHOLDER;
        const char *state_dir = ctx->state_dir ?: "/var/lib/pods", *runtime_dir = ctx->runtime_dir ?: "/run/pods";

        *ret_read_only = false;
        if (v->host_path)
                return strdup(v->host_path->path ?: "/");
        if (v->empty_dir)
                return asprintf_safe("%s/%s/volumes/%s",
                                     streq_ptr(v->empty_dir->medium, "Memory") ? runtime_dir : state_dir, uid, v->name);
        /* API data volumes are always mounted read-only by the kubelet. */
        *ret_read_only = true;
        return asprintf_safe("%s/%s/volumes/%s", runtime_dir, uid, v->name);
}

static char *volume_source(const Planner *p, const Volume *v, bool *ret_read_only) {
        return unit_plan_volume_source(p->pod, p->ctx, v, ret_read_only);
}

static int plan_volumes(Planner *p, PlannedUnit *u) {
        const Container *c = p->c;
        int r;

        for (size_t i = 0; i < c->n_volume_mounts; i++) {
                const VolumeMount *m = &c->volume_mounts[i];
                const Volume *v = pod_volume(p->pod, m->name);
                _cleanup_free_ char *source = NULL, *origin = NULL, *sub = NULL;
                bool read_only;

                if (!v || !m->mount_path)
                        continue; /* validation rejects both */

                source = volume_source(p, v, &read_only);
                if (!source)
                        return -ENOMEM;

                if (!isempty(m->sub_path))
                        sub = strdup(m->sub_path);
                else if (!isempty(m->sub_path_expr))
                        sub = env_expand(m->sub_path_expr, env_lookup, p);
                if ((m->sub_path || m->sub_path_expr) && !sub && !isempty(m->sub_path ?: m->sub_path_expr))
                        return -ENOMEM;
                if (sub) {
                        char *s = asprintf_safe("%s/%s", source, sub);
                        if (!s)
                                return -ENOMEM;
                        free(source);
                        source = s;
                }

                origin = asprintf_safe("%s.volumeMounts[%zu]", p->cpath, i);
                if (!origin)
                        return -ENOMEM;
                r = add_bind(u, read_only || (m->read_only.set && m->read_only.value) ? "BindReadOnlyPaths" : "BindPaths",
                             source, m->mount_path, origin);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int plan_resources(Planner *p, PlannedUnit *u, uint64_t tasks_max) {
        const Container *c = p->c;
        const Quantity *q;
        int r;

        if ((q = container_limit(c, "cpu"))) {
                int64_t milli = quantity_milli_ceil(q);
                _cleanup_free_ char *origin = asprintf_safe("%s.resources.limits.cpu", p->cpath);
                if (!origin)
                        return -ENOMEM;
                /* systemd refuses CPUQuota= of 0; its resolution (1/100 of a percent, 100 µs/s) is finer
                 * than Kubernetes' 1m (1000 µs/s), so every other limit fits. */
                if (milli <= 0)
                        diag_field(p->diags, DIAG_ERROR, c->resources->limits.src, "cpu", origin,
                                   "a CPU limit of 0 cannot be expressed as systemd's CPUQuota=");
                else {
                        r = add_number(u, "CPUQuotaPerSecUSec", UNIT_PROP_USEC,
                                       (uint64_t) milli > UINT64_MAX / 1000 ? UINT64_MAX : (uint64_t) milli * 1000,
                                       origin);
                        if (r < 0)
                                return r;
                }
        }
        if ((q = container_request(c, "cpu"))) {
                _cleanup_free_ char *origin = asprintf_safe("%s.resources.requests.cpu", p->cpath);
                if (!origin)
                        return -ENOMEM;
                r = add_number(u, "CPUWeight", UNIT_PROP_U64, unit_plan_cpu_weight(quantity_milli_ceil(q)), origin);
                if (r < 0)
                        return r;
        }
        if ((q = container_limit(c, "memory")) && quantity_value_ceil(q) > 0) {
                _cleanup_free_ char *origin = asprintf_safe("%s.resources.limits.memory", p->cpath);
                if (!origin)
                        return -ENOMEM;
                r = add_number(u, "MemoryMax", UNIT_PROP_U64, (uint64_t) quantity_value_ceil(q), origin);
                if (r < 0)
                        return r;
        }
        if ((q = container_request(c, "memory")) && quantity_value_ceil(q) > 0) {
                _cleanup_free_ char *origin = asprintf_safe("%s.resources.requests.memory", p->cpath);
                if (!origin)
                        return -ENOMEM;
                r = add_number(u, "MemoryLow", UNIT_PROP_U64, (uint64_t) quantity_value_ceil(q), origin);
                if (r < 0)
                        return r;
        }
        if (tasks_max > 0) {
                r = add_number(u, "TasksMax", UNIT_PROP_U64, tasks_max,
                               "metadata.annotations[" PIDS_LIMIT_ANNOTATION "]");
                if (r < 0)
                        return r;
        }
        return 0;
}

static const char *restart_for(const Pod *pod, ContainerRole role) {
        const char *policy = pod->spec.restart_policy ?: "Always";

        switch (role) {
        case CONTAINER_SIDECAR:
                return "always";
        case CONTAINER_INIT:
                /* An init container that exited 0 is done for good; a failed one is retried unless the
                 * pod says Never. oneshot services cannot have Restart=always anyway. */
                return streq(policy, "Never") ? "no" : "on-failure";
        default:
                return streq(policy, "Always") ? "always" : streq(policy, "OnFailure") ? "on-failure" : "no";
        }
}

static int plan_service(Planner *p, PlannedUnit *u, uint64_t tasks_max) {
        const Pod *pod = p->pod;
        const Container *c = p->c;
        _cleanup_free_ char *desc = NULL, *origin = NULL, *path = NULL;
        int r;

        desc = asprintf_safe("Pod %s/%s container %s", pod->metadata.namespace ?: "default", pod->metadata.name,
                             c->name);
        origin = asprintf_safe("%s.name", p->cpath);
        if (!desc || !origin)
                return -ENOMEM;
        r = add_string(u, "Description", desc, origin);
        if (r < 0)
                return r;
        origin = mfree(origin);

        /* No After= between the containers of a pod, on purpose: podd starts them one after the other
         * itself (each start job done, postStart included, before the next), and an ordering dependency
         * would also order their stops, one after the other in reverse, each ExecStop= (preStop) starting
         * only when the units after it are gone, with a fresh budget. Kubernetes starts every preStop at
         * the deletion, within one budget, and a sidecar waits for the containers it must outlive inside
         * that budget (k8s-semantics.md §2.5): pod-hook does that wait (--outlive=), so systemd may run
         * all the ExecStop= at once, also on `systemctl stop` of the pod slice and at shutdown. */
        r = add_number(u, "StartLimitIntervalUSec", UNIT_PROP_USEC, 0,
                       "podctl default (restarts are never rate-limited, as in Kubernetes)");
        if (r < 0)
                return r;

        r = add_string(u, "Slice", p->pod_slice, "metadata.name");
        if (r < 0)
                return r;

        origin = asprintf_safe("%s", c->role == CONTAINER_APP ? "spec.containers" : "spec.initContainers");
        if (!origin)
                return -ENOMEM;
        r = add_string(u, "Type", c->role == CONTAINER_INIT ? "oneshot" : "exec", origin);
        if (r < 0)
                return r;
        if (c->role == CONTAINER_INIT) {
                /* Stays active after a successful run, so podd (also a restarted one) sees it done and
                 * it does not run again. */
                r = add_bool(u, "RemainAfterExit", true, origin);
                if (r < 0)
                        return r;
        } else if (c->role == CONTAINER_APP && !streq_ptr(p->pod->spec.restart_policy, "Always")) {
                /* A container that is not restarted after a clean exit keeps its unit loaded
                 * ("active/exited") instead of letting systemd unload it at once: its exit code and
                 * times stay readable, by podd and after a podd restart, as Kubernetes keeps a
                 * terminated container's status. (A failed unit stays loaded anyway.) */
                r = add_bool(u, "RemainAfterExit", true, "spec.restartPolicy");
                if (r < 0)
                        return r;
        }
        origin = mfree(origin);

        /* The environment first: ExecStart= and subPathExpr expand from it. */
        size_t n_before_env = u->n_props;
        r = plan_environment(p, u);
        if (r < 0)
                return r;
        bool has_env = u->n_props > n_before_env;

        r = plan_exec_start(p, u);
        if (r < 0)
                return r;

        /* Keep Environment= right after ExecStart= in the plan: that is where a reader looks for it. */
        if (has_env && u->n_props > n_before_env + 1) {
                UnitProp env = u->props[n_before_env];
                memmove(&u->props[n_before_env], &u->props[n_before_env + 1],
                        (u->n_props - n_before_env - 1) * sizeof(UnitProp));
                u->props[u->n_props - 1] = env;
        }

        if (c->lifecycle && c->lifecycle->post_start) {
                r = plan_hook(p, u, HOOK_POST_START, c->lifecycle->post_start, "ExecStartPost", "postStart");
                if (r < 0)
                        return r;
        }
        if (c->role != CONTAINER_INIT) {
                /* Always, handler "none" without a preStop: the helper owns the whole stop sequence
                 * (see STOP_TIMEOUT_MARGIN_SEC). Init containers run to completion and have no hooks. */
                r = plan_hook(p, u, HOOK_PRE_STOP, c->lifecycle ? c->lifecycle->pre_stop : NULL, "ExecStop",
                              "preStop");
                if (r < 0)
                        return r;
        }

        if (c->working_dir) {
                origin = asprintf_safe("%s.workingDir", p->cpath);
                if (!origin)
                        return -ENOMEM;
                r = add_string(u, "WorkingDirectory", c->working_dir, origin);
                if (r < 0)
                        return r;
                origin = mfree(origin);
        }

        r = plan_security(p, u);
        if (r < 0)
                return r;
        r = plan_volumes(p, u);
        if (r < 0)
                return r;

        const char *restart = restart_for(pod, c->role);
        if (c->role == CONTAINER_SIDECAR) {
                origin = asprintf_safe("%s.restartPolicy", p->cpath);
                if (!origin)
                        return -ENOMEM;
        }
        r = add_string(u, "Restart", restart, origin ?: "spec.restartPolicy");
        if (r < 0)
                return r;
        origin = mfree(origin);
        if (!streq(restart, "no")) {
                r = add_number(u, "RestartUSec", UNIT_PROP_USEC, RESTART_USEC, "podctl default (Kubernetes back-off: 10 s first delay)");
                if (r < 0)
                        return r;
                if (p->ctx->systemd_version >= RESTART_STEPS_MIN_SYSTEMD) {
                        r = add_number(u, "RestartSteps", UNIT_PROP_U32, RESTART_STEPS,
                                       "podctl default (Kubernetes back-off: doubling)");
                        if (r < 0)
                                return r;
                        r = add_number(u, "RestartMaxDelayUSec", UNIT_PROP_USEC, RESTART_MAX_DELAY_USEC,
                                       "podctl default (Kubernetes back-off: 5 min cap)");
                        if (r < 0)
                                return r;
                }
        }

        if (c->lifecycle && c->lifecycle->stop_signal) {
                path = asprintf_safe("%s.lifecycle.stopSignal", p->cpath);
                if (!path)
                        return -ENOMEM;
                int sig = signal_from_name(c->lifecycle->stop_signal);
                if (sig < 0)
                        diag_field(p->diags, DIAG_ERROR, c->lifecycle->src, "stopSignal", path,
                                   "Unsupported value: \"%s\"", c->lifecycle->stop_signal);
                else {
                        r = add_i32(u, "KillSignal", sig, path);
                        if (r < 0)
                                return r;
                }
        }

        int64_t grace = pod_grace_seconds(pod);
        r = add_number(u, "TimeoutStopUSec", UNIT_PROP_USEC,
                       (uint64_t) (c->role == CONTAINER_INIT ? MAX(grace, (int64_t) STOP_TIMEOUT_MIN_SEC)
                                                             : MAX(grace, (int64_t) 1) + STOP_TIMEOUT_MIN_SEC +
                                                                       STOP_TIMEOUT_MARGIN_SEC) *
                               USEC_PER_SEC,
                       "spec.terminationGracePeriodSeconds");
        if (r < 0)
                return r;

        r = plan_resources(p, u, tasks_max);
        if (r < 0)
                return r;

        _cleanup_strv_free_ char **fields = NULL;
        const char *uid = pod_uid(pod, p->ctx);
        r = strv_push(&fields, asprintf_safe("POD_NAMESPACE=%s", pod->metadata.namespace ?: "default"));
        if (r >= 0)
                r = strv_push(&fields, asprintf_safe("POD_NAME=%s", pod->metadata.name));
        if (r >= 0 && uid)
                r = strv_push(&fields, asprintf_safe("POD_UID=%s", uid));
        if (r >= 0)
                r = strv_push(&fields, asprintf_safe("CONTAINER_NAME=%s", c->name));
        if (r < 0)
                return r;
        r = add_strv(u, "LogExtraFields", UNIT_PROP_BYTES_LIST, TAKE_PTR(fields),
                     "podctl default (journal fields of the pod and container)");
        if (r < 0)
                return r;
        r = add_number(u, "LogRateLimitIntervalUSec", UNIT_PROP_USEC, LOG_RATE_LIMIT_INTERVAL_USEC,
                       "podctl default (containers are not rate-limited by journald)");
        if (r < 0)
                return r;
        r = add_number(u, "LogRateLimitBurst", UNIT_PROP_U32, LOG_RATE_LIMIT_BURST,
                       "podctl default (containers are not rate-limited by journald)");
        if (r < 0)
                return r;

        return 0;
}

static void diag_unit_name(Diags *diags, int r, const YNode *map, const char *key, const char *path) {
        if (r == -ENAMETOOLONG)
                diag_field(diags, DIAG_ERROR, map, key, path,
                           "too long: the systemd unit name would exceed %d bytes", UNIT_NAME_MAX);
        else
                diag_field(diags, DIAG_ERROR, map, key, path, "cannot be turned into a systemd unit name");
}

int unit_plan_build(const Pod *pod, const PlanContext *ctx, UnitPlan **ret, Diags *diags) {
        _cleanup_(unit_plan_freep) UnitPlan *plan = NULL;
        _cleanup_free_ char *ns_slice = NULL, *pod_slice = NULL, *desc = NULL;
        _cleanup_(diags_done) Diags local_diags = {};
        PlanContext context;
        uint64_t tasks_max = 0, v;
        PlannedUnit *u;
        int r;

        assert(pod);
        assert(ret);

        context = ctx ? *ctx : PLAN_CONTEXT_DEFAULT;
        if (!context.hook_path)
                context.hook_path = POD_HOOK_DEFAULT_PATH;
        if (!context.state_dir)
                context.state_dir = "/var/lib/pods";
        if (!context.runtime_dir)
                context.runtime_dir = "/run/pods";
        if (!diags)
                diags = &local_diags;
        size_t errors_before = diags_errors(diags);

        const char *ns = pod->metadata.namespace ?: "default";
        if (!pod->metadata.name)
                return -EINVAL;

        plan = calloc(1, sizeof(UnitPlan));
        if (!plan)
                return -ENOMEM;

        r = unit_name_namespace_slice(ns, &ns_slice);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                diag_unit_name(diags, r, pod->metadata.src, "namespace", "metadata.namespace");
        r = unit_name_pod_slice(ns, pod->metadata.name, &pod_slice);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                diag_unit_name(diags, r, pod->metadata.src, "name", "metadata.name");
        if (!ns_slice || !pod_slice) {
                *ret = NULL;
                return diags->oom ? -ENOMEM : -EINVAL;
        }

        const char *pids = strmap_get(&pod->metadata.annotations, PIDS_LIMIT_ANNOTATION);
        if (pids) {
                int64_t n;
                if (safe_atoi64(pids, &n) < 0 || n <= 0) {
                        const YNode *src = NULL;
                        for (size_t i = 0; i < pod->metadata.annotations.n; i++)
                                if (streq_ptr(pod->metadata.annotations.items[i].key, PIDS_LIMIT_ANNOTATION))
                                        src = pod->metadata.annotations.items[i].src;
                        diag_node(diags, DIAG_ERROR, src, "metadata.annotations[" PIDS_LIMIT_ANNOTATION "]",
                                  "must be a positive integer");
                } else
                        tasks_max = (uint64_t) n;
        }

        /* Namespace slice. */
        u = plan_add_unit(plan, ns_slice, UNIT_SLICE);
        if (!u)
                return -ENOMEM;
        desc = asprintf_safe("Pods in namespace %s", ns);
        if (!desc)
                return -ENOMEM;
        r = add_string(u, "Description", desc, "metadata.namespace");
        if (r < 0)
                return r;
        desc = mfree(desc);

        /* Pod slice, with the pod cgroup's limits. */
        u = plan_add_unit(plan, pod_slice, UNIT_SLICE);
        if (!u)
                return -ENOMEM;
        desc = asprintf_safe("Pod %s/%s", ns, pod->metadata.name);
        if (!desc)
                return -ENOMEM;
        r = add_string(u, "Description", desc, "metadata.name");
        if (r < 0)
                return r;
        if (pod_limit(pod, true, &v)) {
                r = add_number(u, "CPUQuotaPerSecUSec", UNIT_PROP_USEC, v,
                               "spec.containers[*].resources.limits.cpu (pod total, as Kubernetes' pod cgroup)");
                if (r < 0)
                        return r;
        }
        if (pod_limit(pod, false, &v)) {
                r = add_number(u, "MemoryMax", UNIT_PROP_U64, v,
                               "spec.containers[*].resources.limits.memory (pod total, as Kubernetes' pod cgroup)");
                if (r < 0)
                        return r;
        }
        if (tasks_max > 0) {
                r = add_number(u, "TasksMax", UNIT_PROP_U64, tasks_max,
                               "metadata.annotations[" PIDS_LIMIT_ANNOTATION "]");
                if (r < 0)
                        return r;
        }

        /* One service per container, in start order: initContainers[] in declaration order (init
         * containers and sidecars interleaved as written), then containers[]. */
        size_t n_init = pod->spec.n_init_containers, n_all = n_init + pod->spec.n_containers;
        for (size_t i = 0; i < n_all; i++) {
                const Container *c = i < n_init ? &pod->spec.init_containers[i] : &pod->spec.containers[i - n_init];
                _cleanup_free_ char *cpath = NULL, *unit = NULL, *npath = NULL;

                cpath = i < n_init ? asprintf_safe("spec.initContainers[%zu]", i)
                                   : asprintf_safe("spec.containers[%zu]", i - n_init);
                if (!cpath)
                        return -ENOMEM;

                r = unit_name_container_service(ns, pod->metadata.name, c->name ?: "", &unit);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        npath = asprintf_safe("%s.name", cpath);
                        if (!npath)
                                return -ENOMEM;
                        diag_unit_name(diags, r, c->src, "name", npath);
                        continue;
                }

                u = plan_add_unit(plan, unit, UNIT_SERVICE);
                if (!u)
                        return -ENOMEM;
                u->role = i < n_init ? c->role : CONTAINER_APP;
                u->container_name = strdup(c->name ?: "");
                if (!u->container_name)
                        return -ENOMEM;

                Planner p = {
                        .pod = pod,
                        .ctx = &context,
                        .diags = diags,
                        .plan = plan,
                        .pod_slice = pod_slice,
                        .c = c,
                        .cpath = cpath,
                };
                r = plan_service(&p, u, tasks_max);
                planner_env_clear(&p);
                if (r < 0)
                        return r;
        }

        if (diags->oom)
                return -ENOMEM;
        if (diags_errors(diags) > errors_before) {
                *ret = NULL;
                return -EINVAL;
        }

        *ret = TAKE_PTR(plan);
        return 0;
}
