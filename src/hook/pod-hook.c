/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <curl/curl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>

#include "config.h"
#include "hook-args.h"
#include "strbuf.h"
#include "string-util.h"
#include "strv.h"

/* pod-hook runs one lifecycle hook handler of one container. systemd starts it as ExecStartPost= (postStart)
 * or ExecStop= (preStop) of the container's service, with the service's environment and sandbox, so an exec
 * handler runs where the container runs. Its stderr goes to the journal with the unit's fields.
 *
 * What this version does not do yet (a later release): own the whole stop sequence within one grace budget
 * (preStop deadline, then the stop signal, the remaining wait, SIGKILL; see docs in DESIGN.md "systemd
 * facts"), the HTTPS → HTTP fallback, and hook events. Until then TimeoutStopSec= bounds preStop and the
 * stop wait separately, and --grace-seconds/--stop-signal are accepted but unused. */

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
               "A preStop run by systemd after the container exited by itself ($MAINPID empty) is skipped:\n"
               "Kubernetes runs preStop only when it stops a running container.\n\n"
               "Not in this version: one grace budget for preStop and the stop signal (--grace-seconds and\n"
               "--stop-signal are accepted but TimeoutStopSec= still applies to each step), the HTTPS to\n"
               "HTTP fallback, and hook events.\n\n"
               "Exit status: 0 the handler succeeded, 1 it failed, 2 usage error.\n",
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

static int run_exec(const HookSpec *s) {
        _cleanup_(freep) char *cmd = NULL;
        int status;
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

        fflush(NULL);
        pid = fork();
        if (pid < 0) {
                log_hook("exec %s: fork: %s", cmd, strerror(errno));
                return 1;
        }
        if (pid == 0) {
                /* The environment (the container's, set by systemd) is inherited unchanged. */
                execvp(s->exec_argv[0], s->exec_argv);
                log_hook("exec %s: %s", s->exec_argv[0], strerror(errno));
                _exit(127);
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
        _cleanup_(hook_spec_done) HookSpec spec = {};
        _cleanup_(freep) char *error = NULL;
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

        /* systemd runs ExecStop= also after the main process exited with status 0, with $MAINPID unset
         * (empty in the command line). Kubernetes runs preStop only when it stops a running container.
         * $INVOCATION_ID tells a run by systemd from one by hand. */
        if (spec.point == HOOK_PRE_STOP && getenv("INVOCATION_ID") && isempty(getenv("MAINPID"))) {
                log_hook("skipped: the container is not running");
                return 0;
        }

        switch (spec.kind) {
        case HOOK_HANDLER_EXEC:
                return run_exec(&spec);
        case HOOK_HANDLER_HTTP_GET:
                return run_http_get(&spec);
        case HOOK_HANDLER_TCP_SOCKET:
                /* Validation accepts it for compatibility; the kubelet has no runner for it. */
                log_hook("failed - error: invalid handler: tcpSocket is not supported in lifecycle hooks");
                return 1;
        case HOOK_HANDLER_SLEEP:
                return run_sleep(&spec);
        case HOOK_HANDLER_NONE:
                return 0;
        default:
                log_hook("unknown handler");
                return 2;
        }
}
