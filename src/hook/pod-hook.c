/* SPDX-License-Identifier: LGPL-2.1-or-later */
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
#include "curl-util.h"
#include "hook-args.h"
#include "http-request.h"
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
 * the spec's budget while podd is down. A later, shorter deletion rewrites that file and brings the
 * deadlines forward while the helper waits (StopClock). A sidecar's helper (--outlive=), when the whole pod
 * stops, waits after its preStop for the app containers and later sidecars to exit, within the same budget,
 * before its stop signal: systemd runs every container's ExecStop= at once (the plan has no After= between
 * them), as the kubelet starts every preStop at once (k8s-semantics.md §2.5).
 *
 * As ExecStartPost= a failed handler makes it run the stop sequence itself (preStop included) before it
 * exits non-zero: systemd does not run ExecStop= after a failed ExecStartPost=, Kubernetes runs preStop.
 *
 * Every run leaves structured journal records (POD_NAMESPACE, POD_NAME, CONTAINER_NAME, HOOK, HANDLER,
 * RESULT, DURATION_USEC, and one record per output line of an exec handler), so
 * `journalctl POD_NAME=web HOOK=preStop` tells a hook's whole story. A failed hook's record carries
 * REASON=FailedPostStartHook or FailedPreStopHook; an HTTPS hook that succeeded over HTTP after the kubelet's
 * fallback leaves one with REASON=LifecycleHTTPFallback (podd makes events of them, hook-watch.c). */

/* podd writes the grace of one deletion here, one file per unit (manager.c has the same path). */
#define PODS_GRACE_DIR "/run/pods/grace"
/* Kubernetes' floor for the stop-signal → SIGKILL window (minimumGracePeriodInSeconds). */
#define STOP_WINDOW_MIN_SEC 2
#define OUTPUT_LINE_MAX 4096

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

/* CLOCK_BOOTTIME: the clock of the grace file's SINCE, which podd writes. */
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
               "An HTTPS request answered in plain HTTP is retried with http and without Authorization,\n"
               "as the kubelet does (journal record REASON=LifecycleHTTPFallback).\n\n"
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

/* The request headers as libcurl lines, by the kubelet's rules (http-request.h). drop_authorization: the
 * HTTP retry of the HTTPS → HTTP fallback leaves out every Authorization header. */
static int build_headers(const HookSpec *s, bool drop_authorization, struct curl_slist **ret) {
        _cleanup_(freep) HttpHeaderRef *refs = NULL;
        _cleanup_strv_free_ char **lines = NULL;
        struct curl_slist *l = NULL;
        size_t n = 0;
        int r;

        if (s->n_headers > 0) {
                refs = calloc(s->n_headers, sizeof(HttpHeaderRef));
                if (!refs)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < s->n_headers; i++) {
                if (drop_authorization && strcasecmp(s->headers[i].name, "Authorization") == 0)
                        continue;
                refs[n++] = (HttpHeaderRef) { s->headers[i].name, s->headers[i].value };
        }
        r = http_request_headers(refs, n, HTTP_USER_AGENT_LIFECYCLE, &lines);
        if (r < 0)
                return r;

        r = curl_slist_append_strv(&l, lines);
        if (r < 0) {
                curl_slist_free_all(l);
                return r;
        }
        *ret = l;
        return 0;
}

static void curl_easy_cleanupp(CURL **c) {
        if (*c)
                curl_easy_cleanup(*c);
}

static void curl_slist_free_allp(struct curl_slist **l) {
        curl_slist_free_all(*l);
}

/* The first TLS record header the server sent: libcurl hands it to its debug callback (as
 * CURLINFO_SSL_DATA_IN, 5 bytes) before OpenSSL judges it. */
typedef struct FirstRecord {
        char header[5];
        bool seen;
} FirstRecord;

static int debug_first_record(CURL *c, curl_infotype type, char *data, size_t size, void *userdata) {
        FirstRecord *f = userdata;

        if (type == CURLINFO_SSL_DATA_IN && !f->seen && size >= sizeof f->header) {
                memcpy(f->header, data, sizeof f->header);
                f->seen = true;
        }
        return 0;
}

/* Whether a failed TLS handshake was answered in plain HTTP: the kubelet's isHTTPResponseError, which is
 * Go's "server gave HTTP response to HTTPS client", raised when the first record header the server sent
 * reads "HTTP/". The same test here. (A server that answers the ClientHello with anything else, say a bare
 * HTML body, does not qualify, in Kubernetes either.) Without a record header seen (a TLS backend of
 * libcurl that does not report them), OpenSSL's words for it are the best left. */
static bool answered_in_http(CURLcode rc, const FirstRecord *f, const char *errbuf) {
        if (rc != CURLE_SSL_CONNECT_ERROR)
                return false;
        if (f->seen)
                return memcmp(f->header, "HTTP/", 5) == 0;
        return strstr(errbuf, "wrong version number");
}

/* GETs url per the kubelet's rules. drop_authorization: the HTTP retry of the HTTPS → HTTP fallback, which
 * leaves out any Authorization header. *ret_http_answer (if not NULL): the HTTPS handshake was answered in
 * plain HTTP. */
static int http_get_perform(const HookSpec *s, const char *url, bool drop_authorization, bool *ret_http_answer) {
        _cleanup_(curl_easy_cleanupp) CURL *c = NULL;
        _cleanup_(curl_slist_free_allp) struct curl_slist *headers = NULL;
        _cleanup_(freep) char *current = NULL, *origin_host = NULL;
        char errbuf[CURL_ERROR_SIZE];
        FirstRecord first = {};

        if (ret_http_answer)
                *ret_http_answer = false;
        current = strdup(url);
        origin_host = url_host(url);
        c = curl_easy_init();
        if (!current || !origin_host || !c || build_headers(s, drop_authorization, &headers) < 0) {
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
            curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_discard) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_first_record) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_DEBUGDATA, &first) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_VERBOSE, 1L) != CURLE_OK) {
                log_hook("HTTP (%s): cannot set up libcurl", url);
                return 1;
        }

        for (unsigned redirects = 0;; redirects++) {
                Body body = {};
                const char *location = NULL;
                long code = 0;
                CURLcode rc;

                errbuf[0] = '\0';
                first = (FirstRecord) {};
                if (curl_easy_setopt(c, CURLOPT_URL, current) != CURLE_OK ||
                    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body) != CURLE_OK) {
                        log_hook("HTTP (%s): cannot set up libcurl", current);
                        return 1;
                }
                rc = curl_easy_perform(c);
                if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && body.capped)) {
                        if (ret_http_answer)
                                *ret_http_answer = answered_in_http(rc, &first, errbuf);
                        log_hook("HTTP (%s) failed - error: %s", current,
                                 errbuf[0] ? errbuf : curl_easy_strerror(rc));
                        return 1;
                }
                if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK)
                        code = 0;

                if (code >= 300 && code < 400 &&
                    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location) {
                        /* A redirect to another host is not followed: the 3xx is the answer. (podd's
                         * prober has its own loop: it follows redirects on a curl multi handle, one step per
                         * finished transfer, where this one blocks in curl_easy_perform().) */
                        if (url_same_host(origin_host, location)) {
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
        _cleanup_(freep) char *url = NULL, *port_error = NULL;
        const char *host;
        uint16_t port;
        int r;

        /* The plan resolved a port name from the container's ports; one left over is not a port there, and
         * fails here as ResolveContainerPort fails in the kubelet (no container: no names to look up). */
        r = container_port_resolve(NULL, &(IntOrString) { .set = true, .is_string = true,
                                                          .str_value = s->port },
                                   &port, &port_error);
        if (r < 0) {
                log_hook("HTTP failed - error: %s", port_error ?: "out of memory");
                return 1;
        }

        if (strcasecmp(s->scheme ?: "HTTP", "http") != 0 && strcasecmp(s->scheme ?: "HTTP", "https") != 0) {
                log_hook("HTTP failed - error: unsupported scheme \"%s\"", s->scheme);
                return 1;
        }

        /* Pods share the host's network until they get their own namespace (a later release), so the
         * pod IP the kubelet would use is reachable as loopback. */
        host = !isempty(s->host) ? s->host : "127.0.0.1";
        url = http_request_url(s->scheme ?: "HTTP", host, port, s->path);
        if (!url) {
                log_hook("out of memory");
                return 1;
        }

        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
                log_hook("cannot initialise libcurl");
                return 1;
        }
        bool http_answer;
        r = http_get_perform(s, url, false, &http_answer);
        if (r != 0 && http_answer) {
                /* The kubelet's fallback (k8s-semantics.md §1.2): an HTTPS hook answered in plain HTTP is
                 * retried with http and without Authorization; a success is a Warning event on the pod. */
                _cleanup_(freep) char *plain = asprintf_safe("http%s", url + strlen("https"));
                _cleanup_(freep) char *hostport = http_host_port(host, port);
                if (!plain || !hostport) {
                        log_hook("out of memory");
                        curl_global_cleanup();
                        return 1;
                }
                log_hook("HTTPS request to lifecycle hook got HTTP response, retrying with HTTP");
                r = http_get_perform(s, plain, true, NULL);
                if (r == 0)
                        journal_record(s, LOG_WARNING, NULL, 0, "LifecycleHTTPFallback",
                                       "request to HTTPS lifecycle hook %s got HTTP response, retry with HTTP succeeded",
                                       hostport);
        }
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

/* The clock of a stop. podd writes "GRACE SINCE" to PODS_GRACE_DIR/UNIT: the deletion's grace in seconds
 * and the CLOCK_BOOTTIME µs of the delete request it counts from; a later, shorter delete rewrites it
 * (temp file + rename). The budget is read once at the start (else the spec's --grace-seconds=); while
 * the helper waits it re-reads the file, and a newer entry can only bring the deadlines forward, never
 * back (Kubernetes: deletionGracePeriodSeconds only ever shrinks; the kubelet drives the termination
 * again with the shorter grace, counted from when it learns of it). */
typedef struct StopClock {
        char *path;          /* NULL: no file to follow (postStart, run by hand) */
        int64_t grace;       /* the budget, seconds */
        uint64_t since;      /* its entry's SINCE, 0 without a file */
        bool shortened;
        int64_t cut_grace;   /* the newest shorter grace… */
        uint64_t cut_since;  /* …and when it was asked for */
        struct timespec mtime;
        ino_t ino;
} StopClock;

static void stop_clock_done(StopClock *k) {
        free(k->path);
}

/* Reads "GRACE [SINCE]". -ENOENT without a file, -EINVAL for a malformed one. */
static int grace_file_read(StopClock *k, int64_t *ret_grace, uint64_t *ret_since) {
        _cleanup_(fclosep) FILE *f = NULL;
        char buf[64] = {};
        struct stat st;
        int64_t g, t = 0;

        f = fopen(k->path, "re");
        if (!f)
                return -errno;
        if (fstat(fileno(f), &st) < 0)
                return -errno;
        k->mtime = st.st_mtim;
        k->ino = st.st_ino;
        if (!fgets(buf, sizeof buf, f))
                return -EINVAL;
        buf[strcspn(buf, "\n")] = '\0';
        char *sp = strchr(buf, ' ');
        if (sp)
                *sp++ = '\0';
        if (safe_atoi64(buf, &g) < 0 || g < 0 || (sp && (safe_atoi64(sp, &t) < 0 || t < 0)))
                return -EINVAL;
        *ret_grace = g;
        *ret_since = (uint64_t) t;
        return 0;
}

/* The grace for this stop: podd's per-deletion file if there is one, else the spec's. */
static void stop_clock_init(StopClock *k, const HookSpec *s) {
        _cleanup_(freep) char *unit = NULL;
        int64_t g;
        uint64_t t;

        *k = (StopClock) { .grace = s->grace_seconds >= 0 ? s->grace_seconds : 30 };
        if (unit_name_container_service(s->namespace, s->pod, s->container, &unit) < 0)
                return;
        k->path = asprintf_safe(PODS_GRACE_DIR "/%s", unit);
        if (!k->path)
                return;
        int r = grace_file_read(k, &g, &t);
        if (r == -EINVAL)
                log_hook("ignoring %s: not \"SECONDS [SINCE]\"", k->path);
        if (r < 0)
                return;
        k->grace = g;
        k->since = t;
}

/* Picks up a newer entry of the grace file: only one asked for after ours, and only ever shorter. */
static void stop_clock_refresh(StopClock *k) {
        struct stat st;
        int64_t g;
        uint64_t t;

        if (!k || !k->path || stat(k->path, &st) < 0)
                return;
        if (st.st_ino == k->ino && st.st_mtim.tv_sec == k->mtime.tv_sec && st.st_mtim.tv_nsec == k->mtime.tv_nsec)
                return;
        if (grace_file_read(k, &g, &t) < 0 || t <= MAX(k->since, k->cut_since))
                return;
        g = MAX(g, (int64_t) 1); /* the kubelet floors a deletion's grace at 1 s */
        if (k->shortened && t + (uint64_t) g * USEC_PER_SEC >= k->cut_since + (uint64_t) k->cut_grace * USEC_PER_SEC)
                return;
        log_hook("grace period shortened to %" PRIi64 " s by a later deletion", g);
        k->shortened = true;
        k->cut_grace = g;
        k->cut_since = t;
}

/* deadline, brought forward by a shortened grace. signal_at: 0 before the stop signal (preStop, the
 * sidecar wait: they end at the new grace's end), else when the signal went out (the SIGKILL comes
 * after the new grace, 2 s floor, and never less than 2 s after the signal). */
static uint64_t stop_clock_limit(const StopClock *k, uint64_t deadline, uint64_t signal_at) {
        if (!k || !k->shortened)
                return deadline;
        if (signal_at == 0)
                return MIN(deadline, k->cut_since + (uint64_t) k->cut_grace * USEC_PER_SEC);
        return MIN(deadline, MAX(k->cut_since + (uint64_t) MAX(k->cut_grace, (int64_t) STOP_WINDOW_MIN_SEC) * USEC_PER_SEC,
                                 signal_at + STOP_WINDOW_MIN_SEC * USEC_PER_SEC));
}

/* How often a wait looks at the grace file and at the cgroups of the containers a sidecar outlives. */
#define STOP_POLL_USEC (50 * UINT64_C(1000))

/* Waits until the process behind pidfd exits (fd < 0: only the deadline) or deadline (CLOCK_BOOTTIME, µs;
 * UINT64_MAX: forever), as shortened by k, passes. true if it exited. */
static bool pidfd_wait(int fd, uint64_t deadline, StopClock *k, uint64_t signal_at) {
        for (;;) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                uint64_t n = clock_usec(CLOCK_BOOTTIME), d;
                int timeout_ms;

                stop_clock_refresh(k);
                d = stop_clock_limit(k, deadline, signal_at);
                if (d == UINT64_MAX)
                        timeout_ms = -1;
                else if (n >= d)
                        return false;
                else
                        timeout_ms = (int) MIN((d - n + 999) / 1000, (uint64_t) INT32_MAX);
                if (k && k->path)
                        timeout_ms = timeout_ms < 0 ? (int) (STOP_POLL_USEC / 1000)
                                                    : MIN(timeout_ms, (int) (STOP_POLL_USEC / 1000));

                int r = poll(&pfd, fd >= 0 ? 1 : 0, timeout_ms);
                if (r > 0)
                        return true;
                if (r < 0 && errno != EINTR)
                        return false;
        }
}

/* Runs the handler in a child, so that it can be abandoned (not waited for) at the deadline, as the kubelet
 * abandons a preStop at the end of the grace budget; the container's final SIGKILL ends it. Returns 0/1 for
 * the handler's result, *ret_done false if the deadline came first. Writes the hook's result record. */
static int run_with_deadline(const HookSpec *s, uint64_t deadline, StopClock *k, bool *ret_done) {
        _cleanup_(closep) int fd = -EBADF;
        uint64_t start = clock_usec(CLOCK_BOOTTIME);
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
        done = fd < 0 || pidfd_wait(fd, deadline, k, 0);
        if (done) {
                while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                        ;
                rc = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
        } else
                rc = 1;
        *ret_done = done;

record:;
        uint64_t took = clock_usec(CLOCK_BOOTTIME) - start;
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

/* /sys/fs/cgroup/… of our own cgroup, which must be the container's unit's (systemd runs ExecStop= and
 * ExecStartPost= there): never a shell's or a service's cgroup that happened to run the helper with
 * $INVOCATION_ID and $MAINPID set. */
static int unit_cgroup_dir(const HookSpec *s, char **ret) {
        _cleanup_(fclosep) FILE *f = fopen("/proc/self/cgroup", "re");
        _cleanup_(freep) char *line = NULL, *unit = NULL;
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
                        const char *base = strrchr(line, '/');
                        if (!base || !streq(base + 1, unit))
                                return -EMEDIUMTYPE;
                        *ret = asprintf_safe("/sys/fs/cgroup%s", line + 3);
                        return *ret ? 0 : -ENOMEM;
                }
        return -ENOENT;
}

/* Whether the pod as a whole is stopping: its slice has a stop job (podd's deletion, `systemctl stop` of
 * the slice, host shutdown) — not when only this container is stopped (a restart, `systemctl stop` of its
 * unit), where the kubelet applies no ordering either. When systemd cannot tell, assume it is. */
static bool pod_stopping(const HookSpec *s) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL, *job = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(freep) char *slice = NULL, *state = NULL, *type = NULL;
        const char *path, *job_path;
        uint32_t id;
        int r;

        r = unit_name_pod_slice(s->namespace, s->pod, &slice);
        if (r >= 0)
                r = sd_bus_open_system(&bus);
        if (r >= 0)
                r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                       "org.freedesktop.systemd1.Manager", "GetUnit", &error, &reply, "s", slice);
        if (r >= 0)
                r = sd_bus_message_read(reply, "o", &path);
        if (r >= 0)
                r = sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path, "org.freedesktop.systemd1.Unit",
                                               "ActiveState", &error, &state);
        if (r >= 0 && streq(state, "deactivating"))
                return true;
        if (r >= 0)
                r = sd_bus_get_property(bus, "org.freedesktop.systemd1", path, "org.freedesktop.systemd1.Unit", "Job",
                                        &error, &job, "(uo)");
        if (r >= 0)
                r = sd_bus_message_read(job, "(uo)", &id, &job_path);
        if (r >= 0 && id == 0)
                return false;
        if (r >= 0)
                r = sd_bus_get_property_string(bus, "org.freedesktop.systemd1", job_path, "org.freedesktop.systemd1.Job",
                                               "JobType", &error, &type);
        if (r >= 0)
                return streq(type, "stop");
        log_hook("cannot tell whether pod %s/%s is stopping (%s), assuming it is", s->namespace, s->pod,
                 error.message ?: strerror(-r));
        return true;
}

/* Whether the container's cgroup, a sibling of ours in the pod slice, still has processes. */
static bool container_running(const char *slice_dir, const HookSpec *s, const char *container) {
        _cleanup_(freep) char *unit = NULL, *path = NULL, *line = NULL;
        _cleanup_(fclosep) FILE *f = NULL;
        size_t size = 0;

        if (unit_name_container_service(s->namespace, s->pod, container, &unit) < 0 ||
            !(path = asprintf_safe("%s/%s/cgroup.events", slice_dir, unit)))
                return false;
        f = fopen(path, "re");
        if (!f)
                return false; /* no cgroup: the unit is gone */
        while (getline(&line, &size, f) > 0)
                if (startswith(line, "populated "))
                        return line[10] == '1';
        return false;
}

/* The kubelet's waitForTurn (k8s-semantics.md §2.5): a sidecar gets its stop signal only once every
 * container it outlives has exited, or when deadline passes. Polls their cgroups' cgroup.events (every
 * STOP_POLL_USEC; "populated 0" or a removed cgroup is an exited container). */
static void wait_outlived(const HookSpec *s, const char *unit_dir, uint64_t deadline, StopClock *k) {
        _cleanup_(freep) char *slice_dir = strdup(unit_dir);
        char *slash = slice_dir ? strrchr(slice_dir, '/') : NULL;

        if (!slash)
                return;
        *slash = '\0';
        for (;;) {
                bool waiting = false;
                STRV_FOREACH(c, s->outlive)
                        if (container_running(slice_dir, s, *c)) {
                                waiting = true;
                                break;
                        }
                if (!waiting)
                        return;
                uint64_t now = clock_usec(CLOCK_BOOTTIME);
                stop_clock_refresh(k);
                uint64_t d = stop_clock_limit(k, deadline, 0);
                if (now >= d) {
                        log_hook("the containers it outlives are still running at the end of its budget");
                        return;
                }
                (void) usleep((useconds_t) MIN(d - now, STOP_POLL_USEC));
        }
}

/* SIGKILL to every process of the unit's cgroup (dir) but ourselves, until none is left: what the runtime
 * does to a container when its stop window ends. */
static int kill_cgroup(const char *dir) {
        _cleanup_(freep) char *procs = asprintf_safe("%s/cgroup.procs", dir);

        if (!procs)
                return -ENOMEM;
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

/* The kubelet's killContainer for one container, within one budget (k8s-semantics.md §2.4): preStop,
 * then for a sidecar in a pod stop the wait for the containers it outlives (§2.5), each consuming the
 * budget; then the stop signal, the 2 s floor, SIGKILL. The grace is floored at 1 for a stop (every
 * deletion has at least 1 s); after a failed postStart it is the spec's as is, and 0 skips preStop, as in
 * Kubernetes (§1.4). A later, shorter deletion brings every deadline forward (StopClock). */
static int stop_sequence(const HookSpec *s, bool after_post_start) {
        _cleanup_(stop_clock_done) StopClock clock = {};
        _cleanup_(freep) char *dir = NULL;
        uint64_t start = clock_usec(CLOCK_BOOTTIME);
        pid_t main_pid = 0;
        int64_t grace, budget, k;
        int sig, r;

        stop_clock_init(&clock, s);
        grace = clock.grace;
        if (!after_post_start)
                grace = MAX(grace, (int64_t) 1);
        if (safe_atoi64(strempty(getenv("MAINPID")), &k) >= 0 && k > 0 && k <= INT32_MAX)
                main_pid = (pid_t) k;
        sig = signal_from_name(s->stop_signal);
        if (sig < 0) {
                log_hook("unknown stop signal %s, using SIGTERM", s->stop_signal);
                sig = SIGTERM;
        }
        r = unit_cgroup_dir(s, &dir);
        if (r < 0)
                log_hook("cannot find the container's cgroup: %s", strerror(-r));

        _cleanup_(closep) int main_fd = main_pid > 0 ? pidfd_open_pid(main_pid) : -EBADF;

        budget = grace;
        if (s->kind != HOOK_HANDLER_NONE && grace > 0) {
                bool done;
                (void) run_with_deadline(s, start + (uint64_t) grace * USEC_PER_SEC, &clock, &done);
                /* The kubelet subtracts the whole seconds the hook took; one abandoned took all. */
                budget = done ? grace - (int64_t) ((clock_usec(CLOCK_BOOTTIME) - start) / USEC_PER_SEC) : 0;
        }
        if (budget > 0 && dir && strv_length(s->outlive) > 0 && !after_post_start && pod_stopping(s)) {
                uint64_t w = clock_usec(CLOCK_BOOTTIME);
                wait_outlived(s, dir, w + (uint64_t) budget * USEC_PER_SEC, &clock);
                budget -= (int64_t) ((clock_usec(CLOCK_BOOTTIME) - w) / USEC_PER_SEC);
        }
        budget = MAX(budget, (int64_t) STOP_WINDOW_MIN_SEC);

        uint64_t signal_at = clock_usec(CLOCK_BOOTTIME);
        uint64_t kill_at = signal_at + (uint64_t) budget * USEC_PER_SEC;
        bool exited = true;
        if (main_fd >= 0) {
                if (syscall(SYS_pidfd_send_signal, main_fd, sig, NULL, 0) < 0 && errno != ESRCH)
                        log_hook("sending %s to %i: %s", sigabbrev_np(sig) ?: "?", (int) main_pid, strerror(errno));
                exited = pidfd_wait(main_fd, kill_at, &clock, signal_at);
        } else if (main_pid > 0 && kill(main_pid, sig) >= 0) {
                /* No pidfd (kernel < 5.3, valgrind): poll by PID. systemd reaps the main process at once,
                 * so a PID reused within one poll interval would be mistaken for it: this path only. */
                for (;;) {
                        stop_clock_refresh(&clock);
                        if (kill(main_pid, 0) < 0 || clock_usec(CLOCK_BOOTTIME) >= stop_clock_limit(&clock, kill_at, signal_at))
                                break;
                        (void) usleep(20 * 1000);
                }
                exited = kill(main_pid, 0) < 0;
        }
        if (!exited)
                log_hook("still running %.1f s after SIG%s: killing", (double) (clock_usec(CLOCK_BOOTTIME) - signal_at) / USEC_PER_SEC,
                         sigabbrev_np(sig) ?: "?");

        r = dir ? kill_cgroup(dir) : -ENOENT;
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
                r = run_with_deadline(&spec, UINT64_MAX, NULL, &done);
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
                return run_with_deadline(&spec, UINT64_MAX, NULL, &done);

        return stop_sequence(&spec, false);
}
