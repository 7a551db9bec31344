/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "hook-args.h"
#include "strbuf.h"
#include "string-util.h"
#include "strv.h"
#include "unit-name.h"

/* pod-hook runs one lifecycle hook of one container, and owns the container's stop sequence. systemd starts it
 * as ExecStartPost= (postStart) and ExecStop= (preStop, handler "none" without one) of the container's
 * service, with the service's environment, cgroup and sandbox, so an exec handler runs where the container
 * runs.
 *
 * As ExecStop= it does what the kubelet's killContainer does, within ONE grace budget (k8s-semantics.md
 * §2.4): preStop with the budget as its deadline (abandoned, not waited for, at the deadline), then the
 * stop signal to $MAINPID only, a wait of what preStop left (2 s floor), then SIGKILL to every process of
 * the unit's cgroup. systemd would apply TimeoutStopSec= once to ExecStop= and again to its own stop
 * signal; here systemd's own kill finds an empty cgroup and TimeoutStopSec= is only the backstop for a
 * helper that fails (see unit-plan.c). The budget is the grace podd wrote for this deletion to
 * /run/pods/grace/UNIT, else --grace-seconds (the spec's), so `systemctl stop` and host shutdown keep
 * the spec's budget while podd is down.
 *
 * As ExecStartPost= a failed handler makes it run the stop sequence itself (preStop included) before it
 * exits non-zero: systemd does not run ExecStop= after a failed ExecStartPost=, Kubernetes runs preStop.
 *
 * Every run leaves structured journal records (POD_NAMESPACE, POD_NAME, CONTAINER_NAME, HOOK, HANDLER,
 * RESULT, DURATION_USEC, and one record per output line of an exec handler), so
 * `journalctl POD_NAME=web HOOK=preStop` tells a hook's whole story. A failed hook's record carries
 * REASON=FailedPostStartHook or FailedPreStopHook. */

/* podd writes the grace of one deletion here, one file per unit (manager.c has the same path). */
#define PODS_GRACE_DIR "/run/pods/grace"
/* Kubernetes' floor for the stop-signal → SIGKILL window (minimumGracePeriodInSeconds). */
#define STOP_WINDOW_MIN_SEC 2
#define USEC_PER_SEC UINT64_C(1000000)
#define OUTPUT_LINE_MAX 4096

#define HOOK_USER_AGENT "kube-lifecycle/1.33"
#define HOOK_MAX_REDIRECTS 10
#define HOOK_BODY_MAX 10240

static const HookSpec *log_spec;

static const char *strempty(const char *s) {
        return s ?: "";
}

static void log_hook(const char *fmt, ...) _printf_(1, 2);
static void log_hook(const char *fmt, ...) {
        va_list ap;

        if (log_spec)
                fprintf(stderr, "pod-hook: %s hook of container %s/%s/%s: ",
                        hook_point_to_string(log_spec->point),
                        strempty(log_spec->namespace), strempty(log_spec->pod), strempty(log_spec->container));
        else
                fputs("pod-hook: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

static uint64_t now_usec(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

/* The handler as the pod spec names it. */
static const char *handler_name(HookHandlerKind k) {
        switch (k) {
        case HOOK_HANDLER_EXEC:
                return "exec";
        case HOOK_HANDLER_HTTP_GET:
                return "httpGet";
        case HOOK_HANDLER_TCP_SOCKET:
                return "tcpSocket";
        case HOOK_HANDLER_SLEEP:
                return "sleep";
        default:
                return "none";
        }
}

/* strv_push() with a NULL value would end the list early: a failed allocation must fail. */
static int push_field(char ***l, char *value) {
        if (!value)
                return -ENOMEM;
        return strv_push(l, value);
}

/* One structured journal record about spec's hook. result/reason may be NULL (output lines). */
static void journal_record(const HookSpec *s, int priority, const char *result, uint64_t duration_usec,
                           const char *reason, const char *fmt, ...) _printf_(6, 7);
static void journal_record(const HookSpec *s, int priority, const char *result, uint64_t duration_usec,
                           const char *reason, const char *fmt, ...) {
        _cleanup_strv_free_ char **fields = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        char *msg = vasprintf_safe(fmt, ap);
        va_end(ap);
        r = push_field(&fields, msg ? asprintf_safe("MESSAGE=%s", msg) : NULL);
        free(msg);
        if (r >= 0)
                r = push_field(&fields, asprintf_safe("PRIORITY=%i", priority));
        if (r >= 0)
                r = push_field(&fields, strdup("SYSLOG_IDENTIFIER=pod-hook"));
        if (r >= 0)
                r = push_field(&fields, asprintf_safe("POD_NAMESPACE=%s", strempty(s->namespace)));
        if (r >= 0)
                r = push_field(&fields, asprintf_safe("POD_NAME=%s", strempty(s->pod)));
        if (r >= 0 && s->pod_uid)
                r = push_field(&fields, asprintf_safe("POD_UID=%s", s->pod_uid));
        if (r >= 0)
                r = push_field(&fields, asprintf_safe("CONTAINER_NAME=%s", strempty(s->container)));
        if (r >= 0)
                r = push_field(&fields, asprintf_safe("HOOK=%s", hook_point_to_string(s->point)));
        if (r >= 0)
                r = push_field(&fields, asprintf_safe("HANDLER=%s", handler_name(s->kind)));
        if (r >= 0 && result)
                r = push_field(&fields, asprintf_safe("RESULT=%s", result));
        if (r >= 0 && result)
                r = push_field(&fields, asprintf_safe("DURATION_USEC=%" PRIu64, duration_usec));
        if (r >= 0 && reason)
                r = push_field(&fields, asprintf_safe("REASON=%s", reason));
        if (r < 0)
                return; /* out of memory: the stderr line (if any) is all that is left */

        size_t n = strv_length(fields);
        struct iovec iov[16];
        assert(n <= ELEMENTSOF(iov));
        for (size_t i = 0; i < n; i++)
                iov[i] = (struct iovec) { .iov_base = fields[i], .iov_len = strlen(fields[i]) };
        (void) sd_journal_sendv(iov, (int) n);
}

static void help(void) {
        printf("pod-hook --hook=postStart|preStop --namespace=NS --pod=NAME --container=NAME\n"
               "         [--pod-uid=UID] [--grace-seconds=N] [--stop-signal=SIGNAME] HANDLER [ARGS…]\n\n"
               "Runs one Kubernetes lifecycle hook handler. systemd runs it as ExecStartPost= (postStart)\n"
               "and ExecStop= (preStop) of a container's service; 'podctl render' shows the command lines.\n\n"
               "Handlers:\n"
               "  exec -- ARGV…             run ARGV (searched in PATH, not through a shell); succeeds on exit 0\n"
               "  http-get --scheme=HTTP|HTTPS --port=N [--host=H] [--path=P] [--header=NAME:VALUE]…\n"
               "                            GET the URL; any HTTP response succeeds, only transport errors\n"
               "                            fail; certificates are not verified; same-host redirects, at\n"
               "                            most %d. Without --host the container's own address, which is\n"
               "                            the host's (127.0.0.1) until pods get their own network.\n"
               "  tcp-socket --port=N       always fails, as in Kubernetes\n"
               "  sleep SECONDS             wait, then succeed\n"
               "  none                      do nothing (preStop without a handler)\n\n"
               "As preStop (ExecStop=) it owns the whole stop sequence within one grace budget: the\n"
               "handler with the budget as deadline, the stop signal to $MAINPID, the wait for what is\n"
               "left (at least 2 s), then SIGKILL to every process of the unit's cgroup. The budget is\n"
               "read from " PODS_GRACE_DIR "/UNIT (a deletion's grace, written by podd), else\n"
               "--grace-seconds. With $MAINPID empty (the container exited by itself) nothing runs.\n"
               "As postStart (ExecStartPost=), a failed handler runs that stop sequence before exiting 1.\n\n"
               "Not in this version: the HTTPS to HTTP fallback.\n\n"
               "Exit status: 0 the handler succeeded (preStop: the stop sequence ran), 1 it failed, 2 usage error.\n",
               HOOK_MAX_REDIRECTS);
}

static char *argv_join(char *const *argv) {
        _cleanup_(strbuf_done) StrBuf b = {};

        STRV_FOREACH(a, argv) {
                if (a != argv)
                        strbuf_append_char(&b, ' ');
                strbuf_append(&b, *a);
        }
        return strbuf_steal(&b);
}

static void fclosep(FILE **f) {
        if (*f)
                (void) fclose(*f);
}

static int run_exec(const HookSpec *s) {
        _cleanup_(freep) char *cmd = NULL, *line = NULL;
        _cleanup_(fclosep) FILE *out = NULL;
        size_t line_size = 0;
        int pipefd[2], status;
        pid_t pid;

        if (strv_length(s->exec_argv) == 0) {
                log_hook("exec handler without a command");
                return 1;
        }
        cmd = argv_join(s->exec_argv);
        if (!cmd) {
                log_hook("out of memory");
                return 1;
        }
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
                log_hook("exec %s: pipe: %s", cmd, strerror(errno));
                return 1;
        }

        fflush(NULL);
        pid = fork();
        if (pid < 0) {
                log_hook("exec %s: fork: %s", cmd, strerror(errno));
                (void) close(pipefd[0]);
                (void) close(pipefd[1]);
                return 1;
        }
        if (pid == 0) {
                /* stdout and stderr together, as ExecSync's combined output; the environment (the
                 * container's, set by systemd) is inherited unchanged. */
                if (dup2(pipefd[1], STDOUT_FILENO) < 0 || dup2(pipefd[1], STDERR_FILENO) < 0)
                        _exit(127);
                execvp(s->exec_argv[0], s->exec_argv);
                fprintf(stderr, "exec %s: %s\n", s->exec_argv[0], strerror(errno));
                _exit(127);
        }
        (void) close(pipefd[1]);
        out = fdopen(pipefd[0], "r");
        if (!out) {
                (void) close(pipefd[0]);
                log_hook("exec %s: fdopen: %s", cmd, strerror(errno));
        }

        /* Each output line becomes a journal record with the hook's fields: the kubelet keeps hook output
         * out of events and container logs, and so does this. */
        for (;;) {
                ssize_t n = out ? getline(&line, &line_size, out) : -1;
                if (n < 0)
                        break;
                if (n > 0 && line[n - 1] == '\n')
                        line[--n] = '\0';
                if ((size_t) n > OUTPUT_LINE_MAX)
                        line[OUTPUT_LINE_MAX] = '\0';
                journal_record(s, LOG_INFO, NULL, 0, NULL, "%s", line);
        }

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        log_hook("exec %s: waitpid: %s", cmd, strerror(errno));
                        return 1;
                }

        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                log_hook("exec (%s) succeeded", cmd);
                return 0;
        }
        if (WIFEXITED(status))
                log_hook("exec (%s) failed - error: command '%s' exited with %d", cmd, cmd, WEXITSTATUS(status));
        else if (WIFSIGNALED(status))
                log_hook("exec (%s) failed - error: command '%s' killed by signal %s", cmd, cmd,
                         sigabbrev_np(WTERMSIG(status)) ?: "?");
        else
                log_hook("exec (%s) failed", cmd);
        return 1;
}

static int run_sleep(const HookSpec *s) {
        struct timespec ts = { .tv_sec = (time_t) MAX(s->sleep_seconds, (int64_t) 0) };

        log_hook("sleeping %" PRIi64 " s", s->sleep_seconds);
        while (nanosleep(&ts, &ts) < 0)
                if (errno != EINTR) {
                        log_hook("sleep: %s", strerror(errno));
                        return 1;
                }
        return 0;
}

typedef struct Body {
        size_t total;
        bool capped;
} Body;

static size_t body_discard(char *ptr, size_t size, size_t nmemb, void *userdata) {
        Body *b = userdata;
        size_t n = size * nmemb;

        /* Like the kubelet, read a bounded part of the body and drop it; an endless body must not keep the
         * hook running. Returning short makes curl stop with CURLE_WRITE_ERROR, which is not a failure. */
        b->total += n;
        if (b->total > HOOK_BODY_MAX) {
                b->capped = true;
                return 0;
        }
        return n;
}

static char *url_host(const char *url) {
        CURLU *u = curl_url();
        char *host = NULL, *ret = NULL;

        if (!u)
                return NULL;
        if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
                ret = strdup(host);
                curl_free(host);
        }
        curl_url_cleanup(u);
        return ret;
}

static int build_headers(const HookSpec *s, struct curl_slist **ret) {
        struct curl_slist *l = NULL;
        bool has_accept = false, has_user_agent = false;

        for (size_t i = 0; i < s->n_headers; i++) {
                const HookHeader *h = &s->headers[i];
                _cleanup_(freep) char *line = NULL;
                struct curl_slist *n;

                if (strcasecmp(h->name, "Accept") == 0)
                        has_accept = true;
                if (strcasecmp(h->name, "User-Agent") == 0)
                        has_user_agent = true;

                /* curl drops a header given as "Name:" and sends an empty one for "Name;". Kubernetes
                 * drops only an empty Accept, and sends every other header as written. */
                if (isempty(h->value))
                        line = asprintf_safe("%s%c", h->name, strcasecmp(h->name, "Accept") == 0 ? ':' : ';');
                else
                        line = asprintf_safe("%s: %s", h->name, h->value);
                if (!line)
                        goto oom;
                n = curl_slist_append(l, line);
                if (!n)
                        goto oom;
                l = n;
        }
        if (!has_accept) {
                struct curl_slist *n = curl_slist_append(l, "Accept: */*");
                if (!n)
                        goto oom;
                l = n;
        }
        if (!has_user_agent) {
                struct curl_slist *n = curl_slist_append(l, "User-Agent: " HOOK_USER_AGENT);
                if (!n)
                        goto oom;
                l = n;
        }
        *ret = l;
        return 0;
oom:
        curl_slist_free_all(l);
        return -ENOMEM;
}

static void curl_easy_cleanupp(CURL **c) {
        if (*c)
                curl_easy_cleanup(*c);
}

static void curl_slist_free_allp(struct curl_slist **l) {
        curl_slist_free_all(*l);
}

static int http_get_perform(const HookSpec *s, const char *url) {
        _cleanup_(curl_easy_cleanupp) CURL *c = NULL;
        _cleanup_(curl_slist_free_allp) struct curl_slist *headers = NULL;
        _cleanup_(freep) char *current = NULL, *origin_host = NULL;
        char errbuf[CURL_ERROR_SIZE];

        current = strdup(url);
        origin_host = url_host(url);
        c = curl_easy_init();
        if (!current || !origin_host || !c || build_headers(s, &headers) < 0) {
                log_hook("HTTP (%s): out of memory or invalid URL", url);
                return 1;
        }

        /* As the kubelet's hook client: GET, no timeout, no certificate verification, redirects checked by
         * hand because only those to the same host are followed. */
        if (curl_easy_setopt(c, CURLOPT_HTTPGET, 1L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_discard) != CURLE_OK) {
                log_hook("HTTP (%s): cannot set up libcurl", url);
                return 1;
        }

        for (unsigned redirects = 0;; redirects++) {
                Body body = {};
                const char *location = NULL;
                _cleanup_(freep) char *host = NULL;
                long code = 0;
                CURLcode rc;

                errbuf[0] = '\0';
                if (curl_easy_setopt(c, CURLOPT_URL, current) != CURLE_OK ||
                    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body) != CURLE_OK) {
                        log_hook("HTTP (%s): cannot set up libcurl", current);
                        return 1;
                }
                rc = curl_easy_perform(c);
                if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && body.capped)) {
                        log_hook("HTTP (%s) failed - error: %s", current,
                                 errbuf[0] ? errbuf : curl_easy_strerror(rc));
                        return 1;
                }
                if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK)
                        code = 0;

                if (code >= 300 && code < 400 &&
                    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location) {
                        host = url_host(location);
                        /* A redirect to another host is not followed: the 3xx is the answer. */
                        if (host && strcasecmp(host, origin_host) == 0) {
                                if (redirects + 1 > HOOK_MAX_REDIRECTS) {
                                        log_hook("HTTP (%s) failed - error: stopped after %d redirects", url,
                                                 HOOK_MAX_REDIRECTS);
                                        return 1;
                                }
                                free(current);
                                current = strdup(location);
                                if (!current) {
                                        log_hook("out of memory");
                                        return 1;
                                }
                                continue;
                        }
                }

                /* Any response is a success, 4xx and 5xx included, as in Kubernetes. */
                log_hook("HTTP (%s) answered %ld", current, code);
                return 0;
        }
}

static int run_http_get(const HookSpec *s) {
        _cleanup_(freep) char *url = NULL, *scheme = NULL;
        const char *host, *path;
        int64_t port;
        int r;

        r = safe_atoi64(s->port ?: "", &port);
        if (r < 0 || port < 1 || port > 65535) {
                /* The plan resolves names from the container's ports; one left over has no such port. */
                log_hook("HTTP failed - error: unable to resolve port \"%s\" in the container's ports",
                         strempty(s->port));
                return 1;
        }

        scheme = strdup(s->scheme ?: "HTTP");
        if (!scheme) {
                log_hook("out of memory");
                return 1;
        }
        for (char *p = scheme; *p; p++)
                *p = (char) tolower((unsigned char) *p);
        if (!streq(scheme, "http") && !streq(scheme, "https")) {
                log_hook("HTTP failed - error: unsupported scheme \"%s\"", s->scheme);
                return 1;
        }

        /* Pods share the host's network until they get their own namespace (a later release), so the
         * pod IP the kubelet would use is reachable as loopback. */
        host = !isempty(s->host) ? s->host : "127.0.0.1";
        path = !isempty(s->path) ? s->path : "/";
        url = asprintf_safe("%s://%s%s%s:%" PRIi64 "%s%s", scheme,
                            strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "",
                            port, path[0] == '/' ? "" : "/", path);
        if (!url) {
                log_hook("out of memory");
                return 1;
        }

        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
                log_hook("cannot initialise libcurl");
                return 1;
        }
        r = http_get_perform(s, url);
        curl_global_cleanup();
        return r;
}

static int run_handler(const HookSpec *s) {
        switch (s->kind) {
        case HOOK_HANDLER_EXEC:
                return run_exec(s);
        case HOOK_HANDLER_HTTP_GET:
                return run_http_get(s);
        case HOOK_HANDLER_TCP_SOCKET:
                /* Validation accepts it for compatibility; the kubelet has no runner for it. */
                log_hook("failed - error: invalid handler: tcpSocket is not supported in lifecycle hooks");
                return 1;
        case HOOK_HANDLER_SLEEP:
                return run_sleep(s);
        case HOOK_HANDLER_NONE:
                return 0;
        default:
                log_hook("unknown handler");
                return 1;
        }
}

static int pidfd_open_pid(pid_t pid) {
        return (int) syscall(SYS_pidfd_open, pid, 0);
}

/* Waits until the process behind pidfd exits or deadline (CLOCK_MONOTONIC, µs; UINT64_MAX: forever)
 * passes. true if it exited. */
static bool pidfd_wait(int fd, uint64_t deadline) {
        for (;;) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                uint64_t n = now_usec();
                int timeout_ms;

                if (deadline == UINT64_MAX)
                        timeout_ms = -1;
                else if (n >= deadline)
                        timeout_ms = 0;
                else
                        timeout_ms = (int) MIN((deadline - n + 999) / 1000, (uint64_t) INT32_MAX);

                int r = poll(&pfd, 1, timeout_ms);
                if (r > 0)
                        return true;
                if (r == 0 && timeout_ms >= 0 && now_usec() >= deadline)
                        return false;
                if (r < 0 && errno != EINTR)
                        return false;
        }
}

/* Runs the handler in a child, so that it can be abandoned (not waited for) at the deadline, as the kubelet
 * abandons a preStop at the end of the grace budget; the container's final SIGKILL ends it. Returns 0/1 for
 * the handler's result, *ret_done false if the deadline came first. Writes the hook's result record. */
static int run_with_deadline(const HookSpec *s, uint64_t deadline, bool *ret_done) {
        _cleanup_(closep) int fd = -EBADF;
        uint64_t start = now_usec();
        int status = 0, rc;
        bool done;

        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                log_hook("fork: %s", strerror(errno));
                *ret_done = true;
                rc = 1;
                goto record;
        }
        if (pid == 0)
                _exit(run_handler(s));

        fd = pidfd_open_pid(pid);
        done = fd < 0 || pidfd_wait(fd, deadline);
        if (done) {
                while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                        ;
                rc = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
        } else
                rc = 1;
        *ret_done = done;

record:;
        uint64_t took = now_usec() - start;
        bool post = s->point == HOOK_POST_START;
        if (!*ret_done)
                journal_record(s, LOG_WARNING, "abandoned", took, post ? "FailedPostStartHook" : "FailedPreStopHook",
                               "%s hook still running at the end of the grace period, abandoned",
                               hook_point_to_string(s->point));
        else if (rc == 0)
                journal_record(s, LOG_INFO, "success", took, NULL, "%s hook (%s) succeeded",
                               hook_point_to_string(s->point), handler_name(s->kind));
        else
                journal_record(s, LOG_WARNING, "failure", took, post ? "FailedPostStartHook" : "FailedPreStopHook",
                               "%s", post ? "PostStartHook failed" : "PreStopHook failed");
        return rc;
}

static int signal_from_name(const char *name) {
        if (isempty(name))
                return SIGTERM;
        const char *n = startswith(name, "SIG") ? name + 3 : name;
        for (int i = 1; i < SIGRTMIN; i++) {
                const char *abbrev = sigabbrev_np(i);
                if (abbrev && streq(abbrev, n))
                        return i;
        }
        int64_t k;
        const char *v;
        if (startswith(n, "RTMIN+") && (v = n + 6) && safe_atoi64(v, &k) >= 0 && k >= 0 && k <= SIGRTMAX - SIGRTMIN)
                return SIGRTMIN + (int) k;
        if (startswith(n, "RTMAX-") && (v = n + 6) && safe_atoi64(v, &k) >= 0 && k >= 0 && k <= SIGRTMAX - SIGRTMIN)
                return SIGRTMAX - (int) k;
        return -EINVAL;
}

/* The grace for this stop: podd's per-deletion file if there is one, else the spec's. */
static int64_t stop_grace(const HookSpec *s) {
        _cleanup_(freep) char *unit = NULL, *path = NULL;
        _cleanup_(fclosep) FILE *f = NULL;
        int64_t g;

        if (unit_name_container_service(s->namespace, s->pod, s->container, &unit) >= 0 &&
            (path = asprintf_safe(PODS_GRACE_DIR "/%s", unit)) && (f = fopen(path, "re"))) {
                char buf[32] = {};
                if (fgets(buf, sizeof buf, f)) {
                        buf[strcspn(buf, "\n")] = '\0';
                        if (safe_atoi64(buf, &g) >= 0 && g >= 0)
                                return g;
                }
                log_hook("ignoring %s: not a number of seconds", path);
        }
        return s->grace_seconds >= 0 ? s->grace_seconds : 30;
}

/* SIGKILL to every process of our own cgroup (the unit's: systemd runs ExecStop=/ExecStartPost= there) but
 * ourselves, until none is left: what the runtime does to a container when its stop window ends. */
static int kill_cgroup(const HookSpec *s) {
        _cleanup_(fclosep) FILE *f = fopen("/proc/self/cgroup", "re");
        _cleanup_(freep) char *line = NULL, *procs = NULL, *unit = NULL;
        size_t size = 0;
        int r;

        if (!f)
                return -errno;
        r = unit_name_container_service(s->namespace, s->pod, s->container, &unit);
        if (r < 0)
                return r;
        while (getline(&line, &size, f) > 0)
                if (startswith(line, "0::")) {
                        line[strcspn(line, "\n")] = '\0';
                        /* Only ever the container's own unit: never a shell's or a service's cgroup that
                         * happened to run the helper with $INVOCATION_ID and $MAINPID set. */
                        const char *base = strrchr(line, '/');
                        if (!base || !streq(base + 1, unit))
                                return -EMEDIUMTYPE;
                        procs = asprintf_safe("/sys/fs/cgroup%s/cgroup.procs", line + 3);
                        break;
                }
        if (!procs)
                return -ENOENT;

        for (unsigned attempt = 0; attempt < 1000; attempt++) {
                _cleanup_(fclosep) FILE *p = fopen(procs, "re");
                bool others = false;
                int pid;

                if (!p)
                        return -errno;
                while (fscanf(p, "%d", &pid) == 1)
                        if (pid != getpid()) {
                                others = true;
                                (void) kill(pid, SIGKILL);
                        }
                if (!others)
                        return 0;
                /* Our own abandoned handler is among them: reap it, or it would linger as a zombie. */
                while (waitpid(-1, NULL, WNOHANG) > 0)
                        ;
                (void) usleep(10 * 1000);
        }
        return -EBUSY;
}

/* The kubelet's killContainer for one container, within one budget (k8s-semantics.md §2.4). The grace
 * is floored at 1 for a stop (every deletion has at least 1 s); after a failed postStart it is the spec's
 * as is, and 0 skips preStop, as in Kubernetes (§1.4). */
static int stop_sequence(const HookSpec *s, bool after_post_start) {
        uint64_t start = now_usec();
        pid_t main_pid = 0;
        int64_t grace = stop_grace(s), budget, k;
        int sig, r;

        if (!after_post_start)
                grace = MAX(grace, (int64_t) 1);
        if (safe_atoi64(strempty(getenv("MAINPID")), &k) >= 0 && k > 0 && k <= INT32_MAX)
                main_pid = (pid_t) k;
        sig = signal_from_name(s->stop_signal);
        if (sig < 0) {
                log_hook("unknown stop signal %s, using SIGTERM", s->stop_signal);
                sig = SIGTERM;
        }

        _cleanup_(closep) int main_fd = main_pid > 0 ? pidfd_open_pid(main_pid) : -EBADF;

        budget = grace;
        if (s->kind != HOOK_HANDLER_NONE && grace > 0) {
                bool done;
                (void) run_with_deadline(s, start + (uint64_t) grace * USEC_PER_SEC, &done);
                /* The kubelet subtracts the whole seconds the hook took; one abandoned took all. */
                budget = done ? grace - (int64_t) ((now_usec() - start) / USEC_PER_SEC) : 0;
        }
        budget = MAX(budget, (int64_t) STOP_WINDOW_MIN_SEC);

        uint64_t kill_at = now_usec() + (uint64_t) budget * USEC_PER_SEC;
        bool exited = true;
        if (main_fd >= 0) {
                if (syscall(SYS_pidfd_send_signal, main_fd, sig, NULL, 0) < 0 && errno != ESRCH)
                        log_hook("sending %s to %i: %s", sigabbrev_np(sig) ?: "?", (int) main_pid, strerror(errno));
                exited = pidfd_wait(main_fd, kill_at);
        } else if (main_pid > 0 && kill(main_pid, sig) >= 0) {
                /* No pidfd (kernel < 5.3, valgrind): poll by PID. systemd reaps the main process at once,
                 * so a PID reused within one poll interval would be mistaken for it: this path only. */
                while (kill(main_pid, 0) >= 0 && now_usec() < kill_at)
                        (void) usleep(20 * 1000);
                exited = kill(main_pid, 0) < 0;
        }
        if (!exited)
                log_hook("still running %" PRIi64 " s after SIG%s: killing", budget, sigabbrev_np(sig) ?: "?");

        r = kill_cgroup(s);
        if (r < 0) {
                log_hook("cannot kill the container's processes: %s", strerror(-r));
                return 1; /* systemd's own stop signal and TimeoutStopSec= take over */
        }
        return 0;
}

/* After a failed postStart: the preStop to run is this unit's ExecStop= (the plan always has one), read back
 * from systemd, so the postStart command line need not carry a second handler. */
static int read_stop_spec(const HookSpec *post, HookSpec *ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL, *prop = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_(freep) char *unit = NULL, *err = NULL;
        const char *path, *exe;
        int r;

        r = unit_name_container_service(post->namespace, post->pod, post->container, &unit);
        if (r < 0)
                return r;
        r = sd_bus_open_system(&bus);
        if (r < 0)
                return r;
        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "GetUnit", &error, &reply, "s", unit);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        r = sd_bus_get_property(bus, "org.freedesktop.systemd1", path, "org.freedesktop.systemd1.Service",
                                "ExecStop", &error, &prop, "a(sasbttttuii)");
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(prop, 'a', "(sasbttttuii)");
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(prop, 'r', "sasbttttuii");
        if (r <= 0)
                return r < 0 ? r : -ENOENT;
        r = sd_bus_message_read(prop, "s", &exe);
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(prop, &argv);
        if (r < 0)
                return r;
        r = hook_args_parse((int) strv_length(argv), argv, ret, &err);
        if (r < 0)
                log_hook("ExecStop= of %s is not a pod-hook command line: %s", unit, strempty(err));
        return r;
}

static bool wants_flag(int argc, char *argv[], const char *flag) {
        for (int i = 1; i < argc; i++) {
                if (streq(argv[i], "--"))
                        break;
                if (streq(argv[i], flag))
                        return true;
        }
        return false;
}

int main(int argc, char *argv[]) {
        _cleanup_(hook_spec_done) HookSpec spec = {}, stop = {};
        _cleanup_(freep) char *error = NULL;
        bool by_systemd, done;
        int r;

        if (wants_flag(argc, argv, "--help") || wants_flag(argc, argv, "-h")) {
                help();
                return 0;
        }
        if (wants_flag(argc, argv, "--version")) {
                printf("pod-hook %s\n", PROJECT_VERSION);
                return 0;
        }

        r = hook_args_parse(argc, argv, &spec, &error);
        if (r < 0) {
                if (r == -ENOMEM)
                        fputs("pod-hook: out of memory\n", stderr);
                else
                        fprintf(stderr, "pod-hook: %s\n", error ?: strerror(-r));
                return 2;
        }
        log_spec = &spec;
        /* $INVOCATION_ID tells a run by systemd from one by hand: by hand only the handler runs. */
        by_systemd = getenv("INVOCATION_ID");

        if (spec.point == HOOK_POST_START) {
                r = run_with_deadline(&spec, UINT64_MAX, &done);
                if (r == 0 || !by_systemd)
                        return r;

                /* Kubernetes kills the container through its normal path: preStop, signal, SIGKILL. */
                log_spec = NULL;
                r = read_stop_spec(&spec, &stop);
                if (r < 0) {
                        log_hook("cannot read the preStop of %s/%s/%s, leaving the stop to systemd: %s",
                                 spec.namespace, spec.pod, spec.container, strerror(-r));
                        return 1;
                }
                log_spec = &stop;
                (void) stop_sequence(&stop, true);
                return 1;
        }

        /* systemd runs ExecStop= also after the main process exited with status 0, with $MAINPID unset
         * (empty in the command line). Kubernetes runs preStop only when it stops a running container. */
        if (by_systemd && isempty(getenv("MAINPID"))) {
                journal_record(&spec, LOG_INFO, "skipped", 0, NULL,
                               "preStop skipped: the container is not running");
                return 0;
        }
        if (!by_systemd)
                return run_with_deadline(&spec, UINT64_MAX, &done);

        return stop_sequence(&spec, false);
}
