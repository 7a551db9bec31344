/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "curl-util.h"
#include "exec-agent.h"
#include "grpc-health.h"
#include "hashmap.h"
#include "list.h"
#include "log.h"
#include "prober.h"
#include "strbuf.h"
#include "string-util.h"
#include "strv.h"

/* Go's http.Client gives up when checkRedirect sees this many requests behind it. */
#define HTTP_MAX_REQUESTS 10
/* A health response is a few bytes; anything past this is not one. */
#define GRPC_BODY_MAX 65536
/* The exec child runs on its own stack in podd's memory (CLONE_VM) until execve. */
#define EXEC_STACK_SIZE (64 * 1024)
/* /proc/PID/environ of a container: generous, but bounded. */
#define ENVIRON_MAX (1024 * 1024)
/* Timeouts end within a millisecond (sd-event's default accuracy is 250 ms). */
#define TIMER_ACCURACY_USEC UINT64_C(1000)
/* libcurl's read buffer for httpGet, allocated per transfer: its default 16 KiB is past malloc's fast
 * per-thread cache, and answers to probes are small (a larger body takes a few more reads). */
#define HTTP_READ_BUFFER 1024L
/* Idle libcurl handles kept for reuse. */
#define EASY_POOL_MAX 128
/* How long past a command's timeout podd waits for its agent's answer before it gives up on it. */
#define AGENT_SLACK_USEC (2 * USEC_PER_SEC)
#define IN_SET3(x, a, b, c) ((x) == (a) || (x) == (b) || (x) == (c))
/* The kubelet's (Go's) words, shared by several messages. */
#define GO_CLIENT_TIMEOUT "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
#define GRPC_FAILED "error: health rpc probe failed: rpc error: "
#define GRPC_TIMEOUT "timeout: health rpc did not complete within %s"
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

typedef enum AttemptType {
        ATTEMPT_NONE, /* the result was known at once (target->error, a setup failure) */
        ATTEMPT_HTTP,
        ATTEMPT_GRPC,
        ATTEMPT_TCP,
        ATTEMPT_TCP_CURL, /* tcpSocket to a host name: libcurl resolves it without blocking the loop */
        ATTEMPT_EXEC,
} AttemptType;

/* Keeps the first cap bytes of a stream (NUL-terminated), drops the rest. */
typedef struct Capture {
        char *buf;
        size_t len;
        size_t allocated;
        size_t cap;
        bool truncated;
} Capture;

struct ProbeAttempt {
        Prober *prober;
        ProbeAttempt *prev, *next;
        AttemptType type;
        prober_callback_t cb;
        void *userdata;
        uint64_t timeout_usec;
        bool in_callback;

        /* A result known before any I/O (a connect on loopback, a setup failure), delivered from the
         * prober's one defer source with the others known meanwhile: one loop iteration for them all. */
        bool known;
        unsigned known_round;
        ProbeAttempt *known_prev, *known_next;
        ProbeOutcome outcome;
        char *output;

        char *addr; /* "host:port" (IPv6 bracketed), as Go's dial errors name it */

        /* httpGet, grpc, tcpSocket to a name: libcurl */
        CURL *easy;
        bool in_multi;
        struct curl_slist *headers;
        char *url; /* the current one, after redirects */
        char *origin_host;
        unsigned requests;
        uint64_t deadline; /* CLOCK_MONOTONIC */
        Capture body;
        char errbuf[CURL_ERROR_SIZE];
        uint8_t *request;
        size_t request_size;
        int grpc_status; /* -1: not seen */
        char *grpc_message;

        /* tcpSocket to an address */
        int fd;
        IOBatchWatch *io;
        sd_event_source *timer;

        /* exec */
        pid_t pid;
        bool exited;
        sd_event_source *child;
        int out_fd;
        sd_event_source *out_io;
        char *command; /* argv joined by spaces, for the timeout message */
        char *argv0;
        ExecAgent *agent; /* run by the container's pod-probe-agent, as its command agent_id */
        uint64_t agent_id;
        Capture out;
};

/* What /proc/PID/status says about a process's privileges. Securebits are not in it (podctl's units set
 * no SecureBits=), and a seccomp filter (Seccomp: 2) cannot be copied from another process at all: the
 * kernel offers no way to read a filter back without CAP_SYS_ADMIN and ptrace, and podctl's units set no
 * SystemCallFilter= today. Should they ever, exec probes would run without it. */
typedef struct ProcPrivileges {
        uid_t uid;
        gid_t gid;
        gid_t *groups;
        size_t n_groups;
        uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
        bool no_new_privs;
} ProcPrivileges;

/* What an exec probe takes from the container's main process, read from /proc once per process (PID and
 * start time) rather than at every attempt: its cgroup, namespaces, credentials and capabilities, working
 * directory and environment are those it was started with, which are the container's as configured (CRI
 * runs ExecSync with the container's configuration, not with what its process changed later). */
typedef struct ExecProcess ExecProcess;
struct ExecProcess {
        char key[16];        /* the PID in decimal: its key in the prober's map */
        pid_t pid;
        int pidfd;           /* names this process for good: a reused PID is another pidfd */
        uint64_t start_time; /* without pidfds (valgrind): /proc/PID/stat's start time names it instead */
        uint64_t last_used;  /* CLOCK_MONOTONIC */
        char *cgroup;        /* to join, NULL: podd's own (or none) */
        bool other_mnt, other_root;
        /* Opened once per process, not per attempt (opening and closing them was a third of podd's cost
         * of an exec probe): cgroup.procs of its cgroup, its mount namespace and root; -EBADF when it is
         * podd's own. Closed with the entry, which goes once the process is gone. */
        int cgroup_fd, mnt_fd, root_fd;
        char *cwd;
        struct rlimit nofile; /* the container's limit of open files (podd raises its own) */
        bool have_nofile;
        ExecAgent *agent;    /* the container's pod-probe-agent, started at the first attempt */
        bool agent_failed;   /* it cannot run in this context: attempts start from podd */
        ProcPrivileges priv; /* the container's, cap_amb reduced to what can be raised */
        /* Computed against podd's own privileges: */
        bool set_creds;          /* uid, gid or groups differ */
        uint64_t bounding_drop;  /* in podd's bounding set, not in the container's */
        bool keep_caps;          /* the container's uid is not 0 but it has permitted capabilities */
        bool set_caps;           /* capset() to the container's sets */
        bool clear_ambient;
        bool set_no_new_privs;
        struct __user_cap_header_struct cap_header;
        struct __user_cap_data_struct cap_data[2];
        char *environ_buf;
        char **envp;
        const char *search; /* PATH, inside environ_buf, or NULL */
        char **candidates[3]; /* per command name: the name, then the paths to try */
        unsigned next_candidates;
};

struct Prober {
        sd_event *event;
        CURLM *multi;
        sd_event_source *curl_timer;
        sd_event_source *curl_kick; /* libcurl's "now": a defer source, not a timer */
        sd_event_source *known;     /* delivers the known results, in order */
        ProbeAttempt *known_head, *known_tail;
        unsigned known_round;       /* the dispatch that delivers the results known from now on */
        CURL *idle_easy[EASY_POOL_MAX]; /* handles of finished transfers, reset, for the next ones */
        size_t n_idle_easy;
        ProbeAttempt *attempts;
        void *stack;
        ProcPrivileges own_privileges; /* podd's, read at the first exec attempt */
        char *own_cgroup;
        bool own_read;
        Hashmap *processes;       /* PID → ExecProcess */
        uint64_t processes_swept; /* CLOCK_MONOTONIC: when entries of gone processes were last dropped */
        int null_fd;              /* /dev/null for the probes' stdin, opened at the first exec attempt */
        IOBatch *batch;           /* the sockets of transfers, connects and agents, under one loop source */
        char *agent_path;         /* pod-probe-agent, or NULL: exec probes start from podd itself */
        uint64_t agent_ids;       /* the last id given to a command sent to an agent */
};

/* ---- small helpers ---- */

/* An easy handle is a few kilobytes set up at every curl_easy_init(); reset ones are reused (options
 * cleared; no connection is kept: every transfer forbids reuse). */
static CURL *easy_get(Prober *p) {
        return p->n_idle_easy > 0 ? p->idle_easy[--p->n_idle_easy] : curl_easy_init();
}

static void easy_put(Prober *p, CURL *easy) {
        if (p->n_idle_easy == EASY_POOL_MAX) {
                curl_easy_cleanup(easy);
                return;
        }
        curl_easy_reset(easy);
        p->idle_easy[p->n_idle_easy++] = easy;
}

static void capture_append(Capture *c, const void *data, size_t n) {
        if (n == 0)
                return;
        if (c->len >= c->cap) {
                c->truncated = true;
                return;
        }
        size_t k = MIN(n, c->cap - c->len);
        if (c->len + k + 1 > c->allocated) {
                /* Grown as needed, not the whole cap at once: most outputs are a few bytes, and a
                 * 10 KiB block per attempt kept malloc off its fast per-thread cache. */
                size_t want = MIN(MAX(c->allocated * 2, MAX(c->len + k + 1, (size_t) 256)), c->cap + 1);
                char *buf = realloc(c->buf, want);
                if (!buf) {
                        c->truncated = true;
                        return;
                }
                c->buf = buf;
                c->allocated = want;
        }
        memcpy(c->buf + c->len, data, k);
        c->len += k;
        c->buf[c->len] = '\0';
        if (k < n)
                c->truncated = true;
}

static const char *capture_str(const Capture *c) {
        return c->buf ?: "";
}

/* A timeout as Go's time.Duration prints it ("1s", "1m30s", "1h0m0s"); probe timeouts are whole seconds. */
static void go_duration(uint64_t usec, char buf[static 32]) {
        uint64_t s = usec / USEC_PER_SEC;
        if (s >= 3600)
                (void) snprintf(buf, 32, "%" PRIu64 "h%" PRIu64 "m%" PRIu64 "s",
                                s / 3600, s / 60 % 60, s % 60);
        else if (s >= 60)
                (void) snprintf(buf, 32, "%" PRIu64 "m%" PRIu64 "s", s / 60, s % 60);
        else
                (void) snprintf(buf, 32, "%" PRIu64 "s", s);
}

/* An errno as Go's syscall.Errno prints it: the C text with a lower-case first letter. */
static void go_errno(int err, char buf[static 128]) {
        (void) snprintf(buf, 128, "%s", strerror(err));
        if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
                buf[0] = (char) (buf[0] - 'A' + 'a');
}

static char *format_addr(const char *host, uint16_t port) {
        if (strchr(host, ':'))
                return asprintf_safe("[%s]:%u", host, port);
        return asprintf_safe("%s:%u", host, port);
}

/* ---- attempt lifetime ---- */

static void attempt_unlink(ProbeAttempt *a) {
        Prober *p = a->prober;
        if (a->prev)
                a->prev->next = a->next;
        else if (p->attempts == a)
                p->attempts = a->next;
        if (a->next)
                a->next->prev = a->prev;
        a->prev = a->next = NULL;
}

static void known_unlink(ProbeAttempt *a) {
        Prober *p = a->prober;
        if (!a->known)
                return;
        LIST_REMOVE(known_, p->known_head, p->known_tail, a);
        a->known = false;
}

static int on_orphan_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        /* The loop owned this source since its attempt went away. Ending the floating state drops the
         * loop's reference; sd-event frees the source and reaps the child after this returns. */
        (void) sd_event_source_set_floating(s, false);
        return 0;
}

/* Frees everything of the attempt without calling back. A child still running is killed with its whole
 * process group, and its exit source is handed to the loop so that it is reaped. */
static void attempt_free(ProbeAttempt *a) {
        if (!a)
                return;

        known_unlink(a);

        if (a->easy) {
                if (a->in_multi)
                        (void) curl_multi_remove_handle(a->prober->multi, a->easy);
                easy_put(a->prober, a->easy);
        }
        curl_slist_free_all(a->headers);

        io_batch_remove(a->io);
        sd_event_source_disable_unref(a->timer);
        if (a->fd >= 0)
                (void) close(a->fd);

        if (a->agent) {
                exec_agent_cancel(a->agent, a->agent_id);
                exec_agent_unref(a->agent);
        }
        sd_event_source_disable_unref(a->out_io);
        if (a->out_fd >= 0)
                (void) close(a->out_fd);
        if (a->child) {
                if (!a->exited) {
                        (void) kill(-a->pid, SIGKILL);
                        (void) kill(a->pid, SIGKILL);
                        (void) sd_event_source_set_userdata(a->child, NULL);
                        if (sd_event_source_set_floating(a->child, true) < 0)
                                /* Cannot hand it over: reap it here; SIGKILL makes this short. */
                                (void) waitpid(a->pid, NULL, 0);
                }
                sd_event_source_unref(a->child);
        }

        attempt_unlink(a);
        free(a->output);
        free(a->addr);
        free(a->url);
        free(a->origin_host);
        free(a->body.buf);
        free(a->request);
        free(a->grpc_message);
        free(a->command);
        free(a->argv0);
        free(a->out.buf);
        free(a);
}

static void attempt_finish(ProbeAttempt *a, ProbeOutcome outcome, const char *output, const char *warning) {
        ProbeReport report = {
                .outcome = outcome,
                .output = output ?: "",
                .warning = warning,
        };

        a->in_callback = true;
        a->cb(&report, a->userdata);
        attempt_free(a);
}

static void attempt_finishf(ProbeAttempt *a, ProbeOutcome outcome, const char *fmt, ...) _printf_(3, 4);
static void attempt_finishf(ProbeAttempt *a, ProbeOutcome outcome, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *s = vasprintf_safe(fmt, ap);
        va_end(ap);
        attempt_finish(a, outcome, s ?: "out of memory", NULL);
}

static int on_known(sd_event_source *s, void *userdata) {
        Prober *p = userdata;
        unsigned round = p->known_round++;
        ProbeAttempt *a;

        /* Results that callbacks make known meanwhile wait for the next dispatch: each round ends. A
         * callback may free any attempt, which leaves the list. */
        while ((a = p->known_head) && a->known_round == round) {
                known_unlink(a);
                attempt_finish(a, a->outcome, a->output, NULL);
        }
        if (p->known_head)
                (void) sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        return 0;
}

/* For results known inside prober_start(): the callback must come from the loop. */
static int finish_later(ProbeAttempt *a, ProbeOutcome outcome, const char *fmt, ...) _printf_(3, 4);
static int finish_later(ProbeAttempt *a, ProbeOutcome outcome, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        free(a->output);
        a->output = vasprintf_safe(fmt, ap);
        va_end(ap);
        if (!a->output)
                return -ENOMEM;
        a->outcome = outcome;
        a->type = ATTEMPT_NONE;

        Prober *p = a->prober;
        if (!p->known) {
                int r = sd_event_add_defer(p->event, &p->known, on_known, p);
                if (r < 0)
                        return r;
        } else if (!p->known_head) {
                int r = sd_event_source_set_enabled(p->known, SD_EVENT_ONESHOT);
                if (r < 0)
                        return r;
        }
        a->known = true;
        a->known_round = p->known_round;
        LIST_APPEND(known_, p->known_head, p->known_tail, a);
        return 0;
}

ProbeAttempt *probe_attempt_cancel(ProbeAttempt *a) {
        if (a && !a->in_callback)
                attempt_free(a);
        return NULL;
}

/* ---- libcurl driven by sd-event ---- */

static void process_done(Prober *p);

static void on_curl_io(IOBatchWatch *w, int fd, uint32_t revents, void *userdata) {
        Prober *p = userdata;
        int action = 0, running;

        if (revents & (EPOLLIN | EPOLLHUP))
                action |= CURL_CSELECT_IN;
        if (revents & EPOLLOUT)
                action |= CURL_CSELECT_OUT;
        if (revents & (EPOLLERR | EPOLLHUP))
                action |= CURL_CSELECT_ERR;
        (void) curl_multi_socket_action(p->multi, fd, action, &running);
        process_done(p);
}

static int on_curl_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Prober *p = userdata;
        int running;

        (void) curl_multi_socket_action(p->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        process_done(p);
        return 0;
}

static int on_curl_kick(sd_event_source *s, void *userdata) {
        (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
        return on_curl_timer(s, 0, userdata);
}

static int curl_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userdata, void *socketp) {
        Prober *p = userdata;
        IOBatchWatch *w = socketp;
        uint32_t events;
        int r;

        if (what == CURL_POLL_REMOVE) {
                if (w) {
                        io_batch_remove(w);
                        (void) curl_multi_assign(p->multi, fd, NULL);
                }
                return 0;
        }

        events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
        if (w) {
                r = io_batch_set_events(w, events);
                return r < 0 ? -1 : 0;
        }
        r = io_batch_add(p->batch, fd, events, on_curl_io, p, &w);
        if (r < 0)
                return -1;
        if (curl_multi_assign(p->multi, fd, w) != CURLM_OK) {
                io_batch_remove(w);
                return -1;
        }
        return 0;
}

static int curl_timer_cb(CURLM *multi, long timeout_ms, void *userdata) {
        Prober *p = userdata;
        uint64_t now;
        int r;

        if (timeout_ms <= 0) {
                if (p->curl_timer)
                        (void) sd_event_source_set_enabled(p->curl_timer, SD_EVENT_OFF);
                if (timeout_ms < 0)
                        return 0;
                /* "Call me now", as at every new transfer: the next loop iteration, without setting the
                 * timerfd, and once for all the transfers added meanwhile. */
                if (!p->curl_kick) {
                        r = sd_event_add_defer(p->event, &p->curl_kick, on_curl_kick, p);
                        return r < 0 ? -1 : 0;
                }
                r = sd_event_source_set_enabled(p->curl_kick, SD_EVENT_ONESHOT);
                return r < 0 ? -1 : 0;
        }
        if (sd_event_now(p->event, CLOCK_MONOTONIC, &now) < 0)
                now = clock_usec(CLOCK_MONOTONIC);
        now += (uint64_t) timeout_ms * USEC_PER_MSEC;

        if (!p->curl_timer) {
                /* Accuracy 1 µs: sd-event's default (0) lets a timer slip by up to 250 ms. The timerfd is
                 * only set when this is the earliest timer, which it rarely is (transfer timeouts). */
                r = sd_event_add_time(p->event, &p->curl_timer, CLOCK_MONOTONIC, now, 1, on_curl_timer, p);
                return r < 0 ? -1 : 0;
        }
        r = sd_event_source_set_time(p->curl_timer, now);
        if (r >= 0)
                r = sd_event_source_set_enabled(p->curl_timer, SD_EVENT_ONESHOT);
        return r < 0 ? -1 : 0;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata) {
        ProbeAttempt *a = userdata;
        size_t n = size * nmemb;

        /* Read a bounded part and drop the rest, as the kubelet does: returning short stops the transfer
         * with CURLE_WRITE_ERROR, which the done handler takes as a complete response. */
        capture_append(&a->body, ptr, n);
        return a->body.truncated ? 0 : n;
}

static int easy_setup(ProbeAttempt *a, const char *url, uint64_t timeout_usec) {
        CURL *c = a->easy;
        long ms = (long) MAX(timeout_usec / USEC_PER_MSEC, (uint64_t) 1);

        if (curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_PRIVATE, a) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_NOPROXY, "*") != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_ERRORBUFFER, a->errbuf) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK)
                return -EINVAL;
        a->errbuf[0] = '\0';
        return 0;
}

static int multi_add(ProbeAttempt *a) {
        if (curl_multi_add_handle(a->prober->multi, a->easy) != CURLM_OK)
                return -ENOMEM;
        a->in_multi = true;
        return 0;
}

/* "dial tcp ADDR: connect: connection refused" when libcurl could not connect, else NULL. */
static char *dial_error(ProbeAttempt *a, CURLcode rc) {
        long err = 0;
        char *ip = NULL, ebuf[128];
        long port = 0;
        _cleanup_free_ char *addr = NULL;

        if (rc != CURLE_COULDNT_CONNECT)
                return NULL;
        if (curl_easy_getinfo(a->easy, CURLINFO_OS_ERRNO, &err) != CURLE_OK || err <= 0)
                return NULL;
        if (curl_easy_getinfo(a->easy, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && !isempty(ip) &&
            curl_easy_getinfo(a->easy, CURLINFO_PRIMARY_PORT, &port) == CURLE_OK && port > 0)
                addr = format_addr(ip, (uint16_t) port);
        go_errno((int) err, ebuf);
        return asprintf_safe("dial tcp %s: connect: %s", addr ?: a->addr, ebuf);
}

static const char *curl_error_text(ProbeAttempt *a, CURLcode rc) {
        return a->errbuf[0] ? a->errbuf : curl_easy_strerror(rc);
}

/* ---- httpGet ---- */

static void http_done(ProbeAttempt *a, CURLcode rc) {
        long code = 0;
        int r;

        a->in_multi = false;
        (void) curl_multi_remove_handle(a->prober->multi, a->easy);

        if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && a->body.truncated)) {
                _cleanup_free_ char *dial = NULL;

                /* Go's client errors, which the kubelet passes on as the failure's output; a URL that does
                 * not parse is no attempt at all. */
                if (rc == CURLE_URL_MALFORMAT)
                        return attempt_finishf(a, PROBE_OUTCOME_ERROR, "parse \"%s\": invalid URL", a->url);
                if (rc == CURLE_OPERATION_TIMEDOUT)
                        return attempt_finishf(a, PROBE_OUTCOME_FAILURE, "Get \"%s\": " GO_CLIENT_TIMEOUT,
                                               a->url);
                dial = dial_error(a, rc);
                return attempt_finishf(a, PROBE_OUTCOME_FAILURE, "Get \"%s\": %s", a->url,
                                       dial ?: curl_error_text(a, rc));
        }
        if (curl_easy_getinfo(a->easy, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK)
                code = 0;

        if (code >= 300 && code < 400) {
                const char *location = NULL;

                if (curl_easy_getinfo(a->easy, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location) {
                        /* Only redirects to the same host name are followed (the port may change). This
                         * loop runs on the multi handle; pod-hook's blocking one stays apart (one step per
                         * finished transfer here, curl_easy_perform() there). */
                        /* The host asked for first, parsed only now: few probes are redirected. */
                        if (!a->origin_host)
                                a->origin_host = url_host(a->url);
                        if (!a->origin_host)
                                return attempt_finishf(a, PROBE_OUTCOME_ERROR, "parse \"%s\": invalid URL",
                                                       a->url);
                        if (url_same_host(a->origin_host, location)) {
                                uint64_t now = clock_usec(CLOCK_MONOTONIC);
                                char *next;

                                if (a->requests >= HTTP_MAX_REQUESTS)
                                        return attempt_finishf(a, PROBE_OUTCOME_FAILURE,
                                                               "Get \"%s\": stopped after %d redirects",
                                                               location, HTTP_MAX_REQUESTS);
                                if (now >= a->deadline)
                                        return attempt_finishf(a, PROBE_OUTCOME_FAILURE,
                                                               "Get \"%s\": " GO_CLIENT_TIMEOUT, location);
                                next = strdup(location);
                                if (!next)
                                        return attempt_finish(a, PROBE_OUTCOME_ERROR, "out of memory", NULL);
                                free(a->url);
                                a->url = next;
                                a->requests++;
                                a->body.len = 0;
                                a->body.truncated = false;
                                r = easy_setup(a, a->url, a->deadline - now);
                                if (r >= 0)
                                        r = multi_add(a);
                                if (r < 0)
                                        return attempt_finishf(a, PROBE_OUTCOME_ERROR,
                                                               "cannot follow the redirect to %s", a->url);
                                return;
                        }
                }
        }

        if (code >= 200 && code < 400) {
                _cleanup_free_ char *warning = NULL;

                if (code >= 300) {
                        /* A redirect that was not followed: success, with the kubelet's ProbeWarning. */
                        warning = asprintf_safe("Probe terminated redirects, Response body: %s",
                                                capture_str(&a->body));
                        if (!warning)
                                return attempt_finish(a, PROBE_OUTCOME_ERROR, "out of memory", NULL);
                }
                return attempt_finish(a, PROBE_OUTCOME_SUCCESS, capture_str(&a->body), warning);
        }
        /* Never the body: the kubelet keeps it out of events on purpose (kubernetes#99425). */
        attempt_finishf(a, PROBE_OUTCOME_FAILURE, "HTTP probe failed with statuscode: %ld", code);
}

static int http_start(ProbeAttempt *a, const ProbeTarget *t) {
        int r;

        a->type = ATTEMPT_HTTP;
        a->url = strdup(t->url);
        if (!a->url)
                return -ENOMEM;
        a->body.cap = PROBE_OUTPUT_MAX;
        a->requests = 1;
        r = curl_slist_append_strv(&a->headers, t->headers);
        if (r < 0)
                return r;

        a->easy = easy_get(a->prober);
        if (!a->easy)
                return -ENOMEM;
        r = easy_setup(a, a->url, t->timeout_usec);
        if (r < 0)
                return finish_later(a, PROBE_OUTCOME_ERROR, "cannot set up the HTTP request for %s", t->url);
        /* The request goes out in one write: Nagle's algorithm never holds it, and a setsockopt() per
         * connection is saved. TLS writes several records in a row, which it would delay. */
        if (curl_easy_setopt(a->easy, CURLOPT_TCP_NODELAY, startswith(t->url, "http://") ? 0L : 1L) != CURLE_OK ||
            curl_easy_setopt(a->easy, CURLOPT_BUFFERSIZE, HTTP_READ_BUFFER) != CURLE_OK ||
            curl_easy_setopt(a->easy, CURLOPT_HTTPGET, 1L) != CURLE_OK ||
            curl_easy_setopt(a->easy, CURLOPT_HTTPHEADER, a->headers) != CURLE_OK ||
            curl_easy_setopt(a->easy, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
            curl_easy_setopt(a->easy, CURLOPT_WRITEDATA, a) != CURLE_OK)
                return finish_later(a, PROBE_OUTCOME_ERROR, "cannot set up the HTTP request for %s", t->url);
        return multi_add(a);
}

/* ---- grpc ---- */

static const char *grpc_code_name(long code) {
        static const char *const names[] = {
                "OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound",
                "AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted",
                "OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated",
        };
        if (code >= 0 && (size_t) code < ELEMENTSOF(names))
                return names[code];
        return NULL;
}

/* grpc-go's mapping of an HTTP status without grpc-status to a code. */
static long grpc_code_from_http(long http) {
        switch (http) {
        case 400:
                return 13; /* Internal */
        case 401:
                return 16; /* Unauthenticated */
        case 403:
                return 7; /* PermissionDenied */
        case 404:
                return 12; /* Unimplemented */
        case 429:
        case 502:
        case 503:
        case 504:
                return 14; /* Unavailable */
        default:
                return 2; /* Unknown */
        }
}

static char *percent_decode(const char *s, size_t n) {
        char *r = malloc(n + 1), *o = r;
        if (!r)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                int hi, lo;
                if (s[i] == '%' && i + 2 < n &&
                    (hi = unhexchar(s[i + 1])) >= 0 && (lo = unhexchar(s[i + 2])) >= 0) {
                        *o++ = (char) (hi << 4 | lo);
                        i += 2;
                } else
                        *o++ = s[i];
        }
        *o = '\0';
        return r;
}

/* Headers and trailers both come through here: a trailers-only answer carries grpc-status in the headers. */
static size_t on_grpc_header(char *ptr, size_t size, size_t nmemb, void *userdata) {
        ProbeAttempt *a = userdata;
        size_t n = size * nmemb, len = n;
        const char *colon;

        while (len > 0 && (ptr[len - 1] == '\n' || ptr[len - 1] == '\r'))
                len--;
        colon = memchr(ptr, ':', len);
        if (!colon)
                return n;
        size_t name_len = (size_t) (colon - ptr);
        const char *v = colon + 1;
        while (v < ptr + len && (*v == ' ' || *v == '\t'))
                v++;
        size_t vlen = (size_t) (ptr + len - v);

        if (name_len == 11 && strncasecmp(ptr, "grpc-status", 11) == 0) {
                long code = 0;
                bool ok = vlen > 0 && vlen < 10;
                for (size_t i = 0; ok && i < vlen; i++) {
                        if (v[i] < '0' || v[i] > '9')
                                ok = false;
                        else
                                code = code * 10 + (v[i] - '0');
                }
                a->grpc_status = ok ? (int) code : 2;
        } else if (name_len == 12 && strncasecmp(ptr, "grpc-message", 12) == 0) {
                free(a->grpc_message);
                a->grpc_message = percent_decode(v, vlen);
        }
        return n;
}

static size_t on_grpc_body(char *ptr, size_t size, size_t nmemb, void *userdata) {
        ProbeAttempt *a = userdata;
        size_t n = size * nmemb;
        capture_append(&a->body, ptr, n);
        return a->body.truncated ? 0 : n;
}

static void grpc_done(ProbeAttempt *a, CURLcode rc) {
        char dur[32], sbuf[12];
        long http = 0;
        int32_t status;
        int r;

        a->in_multi = false;
        (void) curl_multi_remove_handle(a->prober->multi, a->easy);
        go_duration(a->timeout_usec, dur);

        /* The kubelet's wording (pkg/probe/grpc): every outcome but SERVING is a failure. */
        if (rc == CURLE_OPERATION_TIMEDOUT)
                return attempt_finishf(a, PROBE_OUTCOME_FAILURE, GRPC_TIMEOUT, dur);
        if (rc == CURLE_WRITE_ERROR && a->body.truncated)
                return attempt_finishf(a, PROBE_OUTCOME_FAILURE,
                                       GRPC_FAILED "code = ResourceExhausted "
                                       "desc = grpc: received message larger than max (%d)", GRPC_BODY_MAX);
        if (rc != CURLE_OK) {
                _cleanup_free_ char *dial = dial_error(a, rc);
                if (dial)
                        return attempt_finishf(a, PROBE_OUTCOME_FAILURE,
                                               "error: failed to connect service at \"%s\": %s",
                                               a->addr, dial);
                return attempt_finishf(a, PROBE_OUTCOME_FAILURE,
                                       GRPC_FAILED "code = Unavailable desc = %s",
                                       curl_error_text(a, rc));
        }

        if (a->grpc_status < 0) {
                if (curl_easy_getinfo(a->easy, CURLINFO_RESPONSE_CODE, &http) != CURLE_OK)
                        http = 0;
                if (http != 200)
                        return attempt_finishf(a, PROBE_OUTCOME_FAILURE,
                                               GRPC_FAILED "code = %s desc = "
                                               "unexpected HTTP status code received from server: %ld",
                                               grpc_code_name(grpc_code_from_http(http)), http);
                return attempt_finishf(a, PROBE_OUTCOME_FAILURE,
                                       GRPC_FAILED "code = Internal desc = "
                                       "server closed the stream without sending trailers");
        }
        if (a->grpc_status == 12)
                return attempt_finishf(a, PROBE_OUTCOME_FAILURE,
                                       "error: this server does not implement the grpc health protocol "
                                       "(grpc.health.v1.Health): %s", (a->grpc_message ?: ""));
        if (a->grpc_status == 4)
                return attempt_finishf(a, PROBE_OUTCOME_FAILURE, GRPC_TIMEOUT, dur);
        if (a->grpc_status != 0) {
                const char *name = grpc_code_name(a->grpc_status);
                char num[32];
                if (!name) {
                        (void) snprintf(num, sizeof num, "Code(%d)", a->grpc_status);
                        name = num;
                }
                return attempt_finishf(a, PROBE_OUTCOME_FAILURE,
                                       GRPC_FAILED "code = %s desc = %s", name,
                                       a->grpc_message ?: "");
        }

        r = grpc_health_response_decode((const uint8_t *) a->body.buf, a->body.len, &status);
        if (r == -ENODATA)
                return attempt_finishf(a, PROBE_OUTCOME_FAILURE,
                                       GRPC_FAILED "code = Internal desc = "
                                       "grpc: the server sent no response message");
        if (r < 0)
                return attempt_finishf(a, PROBE_OUTCOME_FAILURE,
                                       GRPC_FAILED "code = Internal desc = "
                                       "grpc: failed to unmarshal the received message: %s", strerror(-r));
        if (status != GRPC_SERVING_STATUS_SERVING)
                return attempt_finishf(a, PROBE_OUTCOME_FAILURE, "service unhealthy (responded with \"%s\")",
                                       grpc_serving_status_to_string(status, sbuf));
        attempt_finish(a, PROBE_OUTCOME_SUCCESS, "service healthy", NULL);
}

static int grpc_start(ProbeAttempt *a, const ProbeTarget *t) {
        char line[64];
        int r;

        a->type = ATTEMPT_GRPC;
        a->grpc_status = -1;
        a->body.cap = GRPC_BODY_MAX;
        a->url = asprintf_safe("http://%s/grpc.health.v1.Health/Check", a->addr);
        if (!a->url)
                return -ENOMEM;
        r = grpc_health_request_encode(t->service, &a->request, &a->request_size);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return finish_later(a, PROBE_OUTCOME_ERROR, "cannot encode the health check request: %s",
                                    strerror(-r));

        /* grpc-go sends the deadline along; the server may give up at the same time. */
        (void) snprintf(line, sizeof line, "grpc-timeout: %" PRIu64 "m", MAX(t->timeout_usec / USEC_PER_MSEC,
                                                                           (uint64_t) 1));
        const char *const headers[] = {
                "Content-Type: application/grpc", "TE: trailers", "User-Agent: " PROBE_USER_AGENT,
                "Accept:", "Expect:", line,
        };
        for (size_t i = 0; i < ELEMENTSOF(headers); i++) {
                struct curl_slist *n = curl_slist_append(a->headers, headers[i]);
                if (!n)
                        return -ENOMEM;
                a->headers = n;
        }

        a->easy = easy_get(a->prober);
        if (!a->easy)
                return -ENOMEM;
        r = easy_setup(a, a->url, t->timeout_usec);
        if (r < 0 ||
            curl_easy_setopt(a->easy, CURLOPT_HTTP_VERSION,
                             (long) CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE) != CURLE_OK ||
            curl_easy_setopt(a->easy, CURLOPT_POST, 1L) != CURLE_OK ||
            curl_easy_setopt(a->easy, CURLOPT_POSTFIELDS, a->request) != CURLE_OK ||
            curl_easy_setopt(a->easy, CURLOPT_POSTFIELDSIZE, (long) a->request_size) != CURLE_OK ||
            curl_easy_setopt(a->easy, CURLOPT_HTTPHEADER, a->headers) != CURLE_OK ||
            curl_easy_setopt(a->easy, CURLOPT_HEADERFUNCTION, on_grpc_header) != CURLE_OK ||
            curl_easy_setopt(a->easy, CURLOPT_HEADERDATA, a) != CURLE_OK ||
            curl_easy_setopt(a->easy, CURLOPT_WRITEFUNCTION, on_grpc_body) != CURLE_OK ||
            curl_easy_setopt(a->easy, CURLOPT_WRITEDATA, a) != CURLE_OK)
                return finish_later(a, PROBE_OUTCOME_ERROR,
                                    "cannot set up the gRPC request (HTTP/2 support?)");
        return multi_add(a);
}

/* ---- tcpSocket ---- */

static void tcp_curl_done(ProbeAttempt *a, CURLcode rc) {
        a->in_multi = false;
        (void) curl_multi_remove_handle(a->prober->multi, a->easy);
        if (rc == CURLE_OK)
                return attempt_finish(a, PROBE_OUTCOME_SUCCESS, "", NULL);
        if (rc == CURLE_OPERATION_TIMEDOUT)
                return attempt_finishf(a, PROBE_OUTCOME_FAILURE, "dial tcp %s: i/o timeout", a->addr);
        _cleanup_free_ char *dial = dial_error(a, rc);
        if (dial)
                return attempt_finish(a, PROBE_OUTCOME_FAILURE, dial, NULL);
        if (rc == CURLE_COULDNT_RESOLVE_HOST)
                return attempt_finishf(a, PROBE_OUTCOME_FAILURE, "dial tcp: lookup %s: no such host",
                                       a->addr);
        attempt_finishf(a, PROBE_OUTCOME_FAILURE, "dial tcp %s: %s", a->addr, curl_error_text(a, rc));
}

static void on_tcp_io(IOBatchWatch *w, int fd, uint32_t revents, void *userdata) {
        ProbeAttempt *a = userdata;
        int err = 0;
        socklen_t len = sizeof err;
        char ebuf[128];

        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
                err = errno;
        if (err == 0)
                return attempt_finish(a, PROBE_OUTCOME_SUCCESS, "", NULL);
        go_errno(err, ebuf);
        attempt_finishf(a, PROBE_OUTCOME_FAILURE, "dial tcp %s: connect: %s", a->addr, ebuf);
}

static int on_tcp_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        ProbeAttempt *a = userdata;
        attempt_finishf(a, PROBE_OUTCOME_FAILURE, "dial tcp %s: i/o timeout", a->addr);
        return 0;
}

static int tcp_start(ProbeAttempt *a, const ProbeTarget *t) {
        union {
                struct sockaddr sa;
                struct sockaddr_in in;
                struct sockaddr_in6 in6;
        } sa = {};
        socklen_t salen;
        char ebuf[128];
        int r;

        if (inet_pton(AF_INET, t->host, &sa.in.sin_addr) == 1) {
                sa.in.sin_family = AF_INET;
                sa.in.sin_port = htons(t->port);
                salen = sizeof sa.in;
        } else if (inet_pton(AF_INET6, t->host, &sa.in6.sin6_addr) == 1) {
                sa.in6.sin6_family = AF_INET6;
                sa.in6.sin6_port = htons(t->port);
                salen = sizeof sa.in6;
        } else {
                /* A host name: libcurl resolves it asynchronously and only connects. */
                a->type = ATTEMPT_TCP_CURL;
                a->url = asprintf_safe("http://%s/", a->addr);
                a->easy = easy_get(a->prober);
                if (!a->url || !a->easy)
                        return -ENOMEM;
                r = easy_setup(a, a->url, t->timeout_usec);
                if (r < 0 || curl_easy_setopt(a->easy, CURLOPT_CONNECT_ONLY, 1L) != CURLE_OK)
                        return finish_later(a, PROBE_OUTCOME_ERROR, "cannot set up the connection to %s",
                                            a->addr);
                return multi_add(a);
        }

        a->type = ATTEMPT_TCP;
        a->fd = socket(sa.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (a->fd < 0) {
                go_errno(errno, ebuf);
                return finish_later(a, PROBE_OUTCOME_FAILURE, "dial tcp %s: socket: %s", a->addr, ebuf);
        }
        /* On loopback the handshake usually completes while connect() returns (the kernel runs the
         * peer's side on the way out), so a second connect() already knows: EISCONN, or the refusal.
         * Only a handshake still in flight (EALREADY) is waited for in the loop. */
        int step = connect(a->fd, &sa.sa, salen) < 0 ? errno : 0;
        if (step == EINPROGRESS)
                step = connect(a->fd, &sa.sa, salen) < 0 ? errno : 0;
        if (step == 0 || step == EISCONN)
                /* The answer still comes from the loop. */
                return finish_later(a, PROBE_OUTCOME_SUCCESS, "%s", "");
        if (step != EALREADY && step != EINPROGRESS) {
                go_errno(step, ebuf);
                return finish_later(a, PROBE_OUTCOME_FAILURE, "dial tcp %s: connect: %s", a->addr, ebuf);
        }

        r = io_batch_add(a->prober->batch, a->fd, EPOLLOUT, on_tcp_io, a, &a->io);
        if (r < 0)
                return r;
        return sd_event_add_time_relative(a->prober->event, &a->timer, CLOCK_MONOTONIC, t->timeout_usec,
                                          TIMER_ACCURACY_USEC,
                                          on_tcp_timeout, a);
}

/* ---- exec ---- */

/* Everything the child needs, prepared by the parent: between clone() and execve() the child runs in
 * podd's memory and may only make system calls. A failure before execve() is written to err_fd as two ints
 * (stage, errno); a successful execve() closes it (O_CLOEXEC), so the parent reads either those or EOF.
 * A pipe rather than the shared memory, so that it also works where CLONE_VM is emulated by a fork
 * (valgrind). */
typedef struct ExecContext {
        int cgroup_fd, mnt_fd, root_fd, null_fd; /* borrowed */
        int out_fd, err_fd;
        int agent_fd;    /* starting pod-probe-agent: its socket, to become PROBE_AGENT_FD, */
        int agent_pidfd; /* and the container's process, to become PROBE_AGENT_PIDFD */
        ExecProcess *proc; /* the container's context, cached by the prober */
        char **argv;
        char **candidates; /* borrowed from the process's cache */
} ExecContext;

static void exec_context_done(ExecContext *c) {
        /* cgroup_fd, mnt_fd, root_fd and null_fd are borrowed from the cache and the prober. */
        if (c->out_fd >= 0)
                (void) close(c->out_fd);
        if (c->err_fd >= 0)
                (void) close(c->err_fd);
}

/* Puts the agent's two descriptors on their numbers, through copies above them (either may sit on the
 * other's number, the error pipe on one of them). Only the child's descriptor table changes: c and its
 * descriptors are the parent's, shared through CLONE_VM. */
static int child_place_agent_fds(const ExecContext *c, int *err_fd) {
        int sock = fcntl(c->agent_fd, F_DUPFD_CLOEXEC, PROBE_AGENT_PIDFD + 1);
        int pidfd = c->agent_pidfd >= 0 ? fcntl(c->agent_pidfd, F_DUPFD_CLOEXEC, PROBE_AGENT_PIDFD + 1) : -EBADF;
        int err = fcntl(*err_fd, F_DUPFD_CLOEXEC, PROBE_AGENT_PIDFD + 1);

        if (sock < 0 || (c->agent_pidfd >= 0 && pidfd < 0) || err < 0)
                return -1;
        *err_fd = err;
        /* dup2() clears O_CLOEXEC on the new number: these stay open across execve(). Without a pidfd the
         * number stays free, and the agent opens one from the PID it is given. */
        if (dup2(sock, PROBE_AGENT_FD) < 0)
                return -1;
        if (pidfd >= 0 ? dup2(pidfd, PROBE_AGENT_PIDFD) < 0 : close(PROBE_AGENT_PIDFD) < 0 && errno != EBADF)
                return -1;
        return 0;
}

static int exec_child(void *userdata) {
        ExecContext *c = userdata;
        ExecProcess *x = c->proc;
        int last = ENOENT, err_fd = c->err_fd;

#define CHILD_FAIL(s)                                                   \
        do {                                                            \
                int _msg[2] = { (s), errno };                           \
                (void) !write(err_fd, _msg, sizeof _msg);               \
                _exit(127);                                             \
        } while (0)

        /* Its own process group, so that a timeout kills whatever it started too. */
        if (setpgid(0, 0) < 0)
                CHILD_FAIL(STAGE_PGID);
        /* Writing "0" to cgroup.procs moves the writer itself. */
        if (c->cgroup_fd >= 0 && write(c->cgroup_fd, "0", 1) != 1)
                CHILD_FAIL(STAGE_CGROUP);
        if (c->mnt_fd >= 0 && setns(c->mnt_fd, CLONE_NEWNS) < 0)
                CHILD_FAIL(STAGE_MNTNS);
        if (c->root_fd >= 0 && (fchdir(c->root_fd) < 0 || chroot(".") < 0))
                CHILD_FAIL(STAGE_ROOT);
        if (!x->cwd || chdir(x->cwd) < 0)
                (void) chdir("/");
        if (dup2(c->null_fd, STDIN_FILENO) < 0 || dup2(c->out_fd, STDOUT_FILENO) < 0 ||
            dup2(c->out_fd, STDERR_FILENO) < 0)
                CHILD_FAIL(STAGE_STDIO);
        if (c->agent_fd >= 0 && child_place_agent_fds(c, &err_fd) < 0)
                CHILD_FAIL(STAGE_STDIO);
        /* The container's limit of open files (podd raised its own soft limit). Raising a hard limit
         * needs a privilege, so this goes first; without it (an unprivileged podd, valgrind) the
         * container's soft limit under the hard limit there is. */
        if (x->have_nofile && setrlimit(RLIMIT_NOFILE, &x->nofile) < 0) {
                struct rlimit own;
                if (getrlimit(RLIMIT_NOFILE, &own) < 0)
                        CHILD_FAIL(STAGE_RLIMIT);
                own.rlim_cur = MIN(x->nofile.rlim_cur, own.rlim_max);
                if (setrlimit(RLIMIT_NOFILE, &own) < 0)
                        CHILD_FAIL(STAGE_RLIMIT);
        }
        /* The container's privileges, in the order that keeps the right to drop them: the bounding set
         * while podd's CAP_SETPCAP is still effective, then the ids (keeping the permitted set only where
         * the container has one under a non-zero uid), then the container's exact sets, ambient last
         * (it needs them), no_new_privs at the end. Raw system calls: glibc's set*id() would try to
         * signal podd's other threads. */
        for (int cap = 0; cap < 64; cap++)
                if ((x->bounding_drop & (UINT64_C(1) << cap)) &&
                    prctl(PR_CAPBSET_DROP, (unsigned long) cap, 0UL, 0UL, 0UL) < 0)
                        CHILD_FAIL(STAGE_BOUNDING);
        if (x->keep_caps && prctl(PR_SET_KEEPCAPS, 1UL, 0UL, 0UL, 0UL) < 0)
                CHILD_FAIL(STAGE_CREDS);
        if (x->set_creds &&
            (syscall(SYS_setgroups, x->priv.n_groups, x->priv.groups) < 0 ||
             syscall(SYS_setresgid, x->priv.gid, x->priv.gid, x->priv.gid) < 0 ||
             syscall(SYS_setresuid, x->priv.uid, x->priv.uid, x->priv.uid) < 0))
                CHILD_FAIL(STAGE_CREDS);
        if (x->set_caps && syscall(SYS_capset, &x->cap_header, x->cap_data) < 0)
                CHILD_FAIL(STAGE_CAPS);
        if (x->clear_ambient &&
            prctl(PR_CAP_AMBIENT, (unsigned long) PR_CAP_AMBIENT_CLEAR_ALL, 0UL, 0UL, 0UL) < 0)
                CHILD_FAIL(STAGE_AMBIENT);
        for (int cap = 0; cap < 64; cap++)
                if ((x->priv.cap_amb & (UINT64_C(1) << cap)) &&
                    prctl(PR_CAP_AMBIENT, (unsigned long) PR_CAP_AMBIENT_RAISE, (unsigned long) cap, 0UL, 0UL) < 0)
                        CHILD_FAIL(STAGE_AMBIENT);
        if (x->set_no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL) < 0)
                CHILD_FAIL(STAGE_NNP);

        /* podd's handlers and blocked signals are not the probe's. Signals were all blocked by the parent
         * around clone(), so no handler of podd's can run here in between. */
        for (int sig = 1; sig < NSIG; sig++) {
                struct sigaction sa = { .sa_handler = SIG_DFL };
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) sigaction(sig, &sa, NULL);
        }
        sigset_t none;
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);

        for (char **p = c->candidates; *p; p++) {
                execve(*p, c->argv, x->envp);
                if (errno == EACCES)
                        last = EACCES;
                else if (errno != ENOENT && errno != ENOTDIR) {
                        last = errno;
                        break;
                }
        }
        errno = last;
        CHILD_FAIL(STAGE_EXEC);
#undef CHILD_FAIL
}

static int read_proc_file(pid_t pid, const char *name, size_t max, char **ret, size_t *ret_size) {
        char path[64];
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, allocated = 0;
        int fd;

        (void) snprintf(path, sizeof path, "/proc/%d/%s", (int) pid, name);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        for (;;) {
                if (!GREEDY_REALLOC(buf, allocated, len + 4096 + 1)) {
                        (void) close(fd);
                        return -ENOMEM;
                }
                ssize_t n = read(fd, buf + len, allocated - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        int e = errno;
                        (void) close(fd);
                        return -e;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
                if (len > max) {
                        (void) close(fd);
                        return -E2BIG;
                }
        }
        (void) close(fd);
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = len;
        return 0;
}

/* The unified hierarchy's path of pid ("0::/system.slice/x.service"), or NULL without one. */
static int proc_cgroup_path(pid_t pid, char **ret) {
        _cleanup_free_ char *buf = NULL;
        int r;

        r = read_proc_file(pid, "cgroup", 64 * 1024, &buf, NULL);
        if (r < 0)
                return r;
        *ret = NULL;
        for (char *line = buf, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (startswith(line, "0::")) {
                        *ret = strdup(line + 3);
                        return *ret ? 0 : -ENOMEM;
                }
        }
        return 0;
}

static bool same_file(const char *a, const char *b) {
        struct stat sa, sb;
        return stat(a, &sa) >= 0 && stat(b, &sb) >= 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void proc_privileges_done(ProcPrivileges *p) {
        p->groups = mfree(p->groups);
        p->n_groups = 0;
}

/* The second field (effective id) of /proc/PID/status's "Uid:"/"Gid:" lines, "Groups:", the capability
 * sets and NoNewPrivs. A kernel without ambient capabilities (before 4.3) has no CapAmb: none, then. */
static int proc_privileges(pid_t pid, ProcPrivileges *ret) {
        _cleanup_free_ char *buf = NULL;
        _cleanup_free_ gid_t *groups = NULL;
        ProcPrivileges p = {};
        size_t n = 0, allocated = 0;
        unsigned seen = 0;
        int r;

        r = read_proc_file(pid, "status", 64 * 1024, &buf, NULL);
        if (r < 0)
                return r;
        for (char *line = buf, *next; line && *line; line = next) {
                static const struct {
                        const char *prefix;
                        size_t offset;
                } caps[] = {
                        { "CapInh:", offsetof(ProcPrivileges, cap_inh) },
                        { "CapPrm:", offsetof(ProcPrivileges, cap_prm) },
                        { "CapEff:", offsetof(ProcPrivileges, cap_eff) },
                        { "CapBnd:", offsetof(ProcPrivileges, cap_bnd) },
                        { "CapAmb:", offsetof(ProcPrivileges, cap_amb) },
                };
                unsigned long real, eff;
                const char *v;

                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (sscanf(line, "Uid: %lu %lu", &real, &eff) == 2) {
                        p.uid = (uid_t) eff;
                        seen |= 1U << 0;
                } else if (sscanf(line, "Gid: %lu %lu", &real, &eff) == 2) {
                        p.gid = (gid_t) eff;
                        seen |= 1U << 1;
                } else if (startswith(line, "NoNewPrivs:"))
                        p.no_new_privs = strtoul(line + strlen("NoNewPrivs:"), NULL, 10) != 0;
                else if (startswith(line, "Groups:")) {
                        char *q = line + 7, *end;
                        for (;;) {
                                errno = 0;
                                unsigned long g = strtoul(q, &end, 10);
                                if (end == q || errno != 0)
                                        break;
                                if (!GREEDY_REALLOC(groups, allocated, n + 1))
                                        return -ENOMEM;
                                groups[n++] = (gid_t) g;
                                q = end;
                        }
                } else
                        for (size_t i = 0; i < ELEMENTSOF(caps); i++) {
                                if (!startswith(line, caps[i].prefix))
                                        continue;
                                v = line + strlen(caps[i].prefix);
                                char *end;
                                errno = 0;
                                unsigned long long x = strtoull(v, &end, 16);
                                if (errno != 0 || end == v)
                                        return -EBADMSG;
                                *(uint64_t *) ((uint8_t *) &p + caps[i].offset) = (uint64_t) x;
                                seen |= 1U << (2 + i);
                                break;
                        }
        }
        /* Uid, Gid, CapInh, CapPrm, CapEff, CapBnd are required. */
        if ((seen & 0x3f) != 0x3f)
                return -EBADMSG;
        p.groups = TAKE_PTR(groups);
        p.n_groups = n;
        *ret = p;
        return 0;
}

static bool creds_differ(uid_t uid, gid_t gid, const gid_t *groups, size_t n) {
        if (uid != geteuid() || gid != getegid())
                return true;
        int m = getgroups(0, NULL);
        if (m < 0 || (size_t) m != n)
                return true;
        _cleanup_free_ gid_t *own = calloc(MAX(n, (size_t) 1), sizeof(gid_t));
        if (!own || getgroups(m, own) != m)
                return true;
        for (size_t i = 0; i < n; i++) {
                bool found = false;
                for (size_t j = 0; j < n && !found; j++)
                        found = own[j] == groups[i];
                if (!found)
                        return true;
        }
        return false;
}

/* What the child must change to go from podd's privileges (own) to the container's. Never more than podd
 * has: capabilities podd lacks stay lacking (the kernel would refuse them anyway), so the probe has the
 * intersection. */
static int exec_process_privileges(ExecProcess *e, const ProcPrivileges *own) {
        const ProcPrivileges *ctr = &e->priv;
        uint64_t prm, eff, inh;

        e->set_creds = creds_differ(ctr->uid, ctr->gid, ctr->groups, ctr->n_groups);
        e->bounding_drop = own->cap_bnd & ~ctr->cap_bnd;
        prm = ctr->cap_prm & own->cap_prm;
        eff = ctr->cap_eff & prm;
        inh = ctr->cap_inh & (own->cap_inh | own->cap_prm);
        /* setresuid() away from uid 0 empties the permitted set, unless told to keep it. */
        e->keep_caps = e->set_creds && ctr->uid != 0 && prm != 0;
        e->set_caps = e->set_creds || prm != own->cap_prm || eff != own->cap_eff || inh != own->cap_inh;
        e->clear_ambient = (own->cap_amb | ctr->cap_amb) != 0;
        /* Raising an ambient capability needs it permitted and inheritable. */
        e->priv.cap_amb &= prm & inh;
        e->set_no_new_privs = ctr->no_new_privs && !own->no_new_privs;
        if (e->bounding_drop != 0 && !(own->cap_eff & (UINT64_C(1) << CAP_SETPCAP)))
                /* Running a probe with a bounding set the container does not have is no option. */
                return -EPERM;

        e->cap_header = (struct __user_cap_header_struct) { .version = _LINUX_CAPABILITY_VERSION_3 };
        e->cap_data[0] = (struct __user_cap_data_struct) {
                .effective = (uint32_t) eff, .permitted = (uint32_t) prm, .inheritable = (uint32_t) inh,
        };
        e->cap_data[1] = (struct __user_cap_data_struct) {
                .effective = (uint32_t) (eff >> 32), .permitted = (uint32_t) (prm >> 32),
                .inheritable = (uint32_t) (inh >> 32),
        };
        return 0;
}

static void exec_process_close_fds(ExecProcess *e) {
        int *fds[] = { &e->pidfd, &e->cgroup_fd, &e->mnt_fd, &e->root_fd };
        for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                if (*fds[i] >= 0) {
                        (void) close(*fds[i]);
                        *fds[i] = -EBADF;
                }
}

static ExecProcess *exec_process_free(ExecProcess *e) {
        if (!e)
                return NULL;
        exec_process_close_fds(e);
        exec_agent_unref(e->agent);
        free(e->cgroup);
        free(e->cwd);
        proc_privileges_done(&e->priv);
        free(e->environ_buf);
        free(e->envp);
        for (size_t i = 0; i < ELEMENTSOF(e->candidates); i++)
                strv_free(e->candidates[i]);
        free(e);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(ExecProcess *, exec_process_free);

/* The start time (field 22 of /proc/PID/stat): with the PID, it names one process for good. */
static int proc_start_time(pid_t pid, uint64_t *ret) {
        _cleanup_free_ char *buf = NULL;
        unsigned long long t;
        int r;

        r = read_proc_file(pid, "stat", 4096, &buf, NULL);
        if (r < 0)
                return r;
        /* The command name in parentheses may hold anything; the fields follow the last ')'. */
        const char *p = strrchr(buf, ')');
        if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                         &t) != 1)
                return -EBADMSG;
        *ret = (uint64_t) t;
        return 0;
}

/* Whether the process of an entry still runs, as far as the entry can serve it: once its agent is ready,
 * whether the agent runs (it ends with the process); otherwise one system call with a pidfd (signal 0
 * tests without sending), else its start time read again. */
static bool exec_process_alive(const ExecProcess *e) {
        uint64_t t;

        if (exec_agent_ready(e->agent))
                return exec_agent_alive(e->agent);

        if (e->pidfd >= 0)
                return syscall(SYS_pidfd_send_signal, e->pidfd, 0, NULL, 0) >= 0;
        return proc_start_time(e->pid, &t) >= 0 && t == e->start_time;
}

/* Reads the container's context from /proc/PID. -ENOMEM; otherwise 0, with *ret_problem set to what makes
 * the attempt an ERROR, if anything (a problem is not cached: the next attempt reads again). */
#define PROBLEM(...)                                            \
        do {                                                    \
                *ret_problem = asprintf_safe(__VA_ARGS__);      \
                return *ret_problem ? 0 : -ENOMEM;              \
        } while (0)

static int exec_process_read(Prober *p, pid_t pid, ExecProcess **ret, char **ret_problem) {
        _cleanup_(exec_process_freep) ExecProcess *e = NULL;
        _cleanup_free_ char *cg = NULL;
        char path[128], ebuf[128];
        size_t env_size = 0, n_env = 0;
        int r;

        e = calloc(1, sizeof(ExecProcess));
        if (!e)
                return -ENOMEM;
        *e = (ExecProcess) { .pid = pid, .pidfd = -EBADF, .cgroup_fd = -EBADF, .mnt_fd = -EBADF, .root_fd = -EBADF };
        e->pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (e->pidfd < 0) {
                r = errno == ENOSYS ? proc_start_time(pid, &e->start_time) : -errno;
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        go_errno(-r, ebuf);
                        PROBLEM("the container's process %d is gone: %s", (int) pid, ebuf);
                }
        }

        /* cgroup: join the container's, so that the probe counts against its limits and goes with it. */
        r = proc_cgroup_path(pid, &cg);
        if (r == -ENOMEM)
                return -ENOMEM;
        if (r >= 0 && cg && !streq_ptr(cg, p->own_cgroup) && !streq(cg, "/")) {
                e->cgroup = TAKE_PTR(cg);
                _cleanup_free_ char *procs = asprintf_safe("/sys/fs/cgroup%s/cgroup.procs", e->cgroup);
                if (!procs)
                        return -ENOMEM;
                e->cgroup_fd = open(procs, O_WRONLY | O_CLOEXEC | O_NOCTTY);
                if (e->cgroup_fd < 0) {
                        go_errno(errno, ebuf);
                        PROBLEM("cannot join the container's cgroup %s: %s", e->cgroup, ebuf);
                }
        }

        /* Mount namespace and root directory, when they are not podd's. */
        (void) snprintf(path, sizeof path, "/proc/%d/ns/mnt", (int) pid);
        e->other_mnt = !same_file(path, "/proc/self/ns/mnt");
        if (e->other_mnt) {
                e->mnt_fd = open(path, O_RDONLY | O_CLOEXEC);
                if (e->mnt_fd < 0) {
                        go_errno(errno, ebuf);
                        PROBLEM("cannot open the container's mount namespace: %s", ebuf);
                }
        }
        (void) snprintf(path, sizeof path, "/proc/%d/root", (int) pid);
        e->other_root = !same_file(path, "/proc/self/root");
        if (e->other_root) {
                e->root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (e->root_fd < 0) {
                        go_errno(errno, ebuf);
                        PROBLEM("cannot open the container's root directory: %s", ebuf);
                }
        }

        /* Working directory, as seen from the container's root. */
        (void) snprintf(path, sizeof path, "/proc/%d/cwd", (int) pid);
        char link[4096];
        ssize_t n = readlink(path, link, sizeof link - 1);
        if (n > 0) {
                link[n] = '\0';
                e->cwd = strdup(link);
                if (!e->cwd)
                        return -ENOMEM;
        }

        e->have_nofile = prlimit(pid, RLIMIT_NOFILE, NULL, &e->nofile) >= 0;

        /* Credentials and capabilities: only switched when they differ (an unprivileged podd cannot call
         * setgroups()), so that an exec probe in podd's own context needs no privileges. */
        r = proc_privileges(pid, &e->priv);
        if (r == -ENOMEM)
                return -ENOMEM;
        if (r < 0) {
                go_errno(-r, ebuf);
                PROBLEM("cannot read the container's credentials: %s", ebuf);
        }
        r = exec_process_privileges(e, &p->own_privileges);
        if (r < 0) {
                go_errno(-r, ebuf);
                PROBLEM("cannot take the container's capabilities: %s", ebuf);
        }

        /* Environment: the one the container's process was started with. */
        r = read_proc_file(pid, "environ", ENVIRON_MAX, &e->environ_buf, &env_size);
        if (r == -ENOMEM)
                return -ENOMEM;
        if (r < 0) {
                go_errno(-r, ebuf);
                PROBLEM("cannot read the container's environment: %s", ebuf);
        }
        for (size_t i = 0; i < env_size; i++)
                if (e->environ_buf[i] == '\0')
                        n_env++;
        e->envp = calloc(n_env + 2, sizeof(char *));
        if (!e->envp)
                return -ENOMEM;
        n_env = 0;
        for (size_t i = 0; i < env_size; i += strlen(e->environ_buf + i) + 1) {
                char *v = e->environ_buf + i;
                if (*v == '\0')
                        continue;
                e->envp[n_env++] = v;
                if (startswith(v, "PATH="))
                        e->search = v + 5;
        }

        *ret = TAKE_PTR(e);
        return 0;
}

/* Unused this long, a process's entry goes: its container is most likely gone. */
#define EXEC_PROCESS_IDLE_USEC (600 * USEC_PER_SEC)

static void agent_cannot_run(ExecProcess *e, const char *agent_path, const char *why) {
        log_message(LOG_WARNING, "Cannot run %s for the exec probes of process %d, running them from podd: %s",
                    agent_path, (int) e->pid, why);
        e->agent_failed = true;
}

/* Once the agent is ready it holds the context and ends with the process: the descriptors that entered it
 * and named the process are not needed while it runs (four per container, with hundreds of containers);
 * should the agent end, the entry goes and is read again. An agent that ended before it was ready cannot
 * run in this context (it could not even set itself up): the entry, its descriptors still open, goes on
 * with probes started from podd. */
static void exec_process_check_agent(ExecProcess *e, const char *agent_path) {
        if (!e->agent)
                return;
        if (exec_agent_ready(e->agent))
                exec_process_close_fds(e);
        else if (!exec_agent_alive(e->agent)) {
                e->agent = exec_agent_unref(e->agent);
                agent_cannot_run(e, agent_path, "it ended before it was ready");
        }
}

/* How often entries whose process is gone are dropped (and their descriptors closed). */
#define EXEC_PROCESS_SWEEP_USEC (10 * USEC_PER_SEC)

/* The cached context of process pid, read if it is not cached (or the PID is another process now). */
static int exec_process_get(Prober *p, pid_t pid, ExecProcess **ret, char **ret_problem) {
        uint64_t now = clock_usec(CLOCK_MONOTONIC);
        bool sweep = now - p->processes_swept > EXEC_PROCESS_SWEEP_USEC;
        int r;

        if (pid <= 0)
                PROBLEM("the container has no running process");

        if (!p->own_read) {
                /* podd's own privileges and cgroup do not change while it runs. */
                r = proc_privileges(getpid(), &p->own_privileges);
                if (r >= 0)
                        r = proc_cgroup_path(getpid(), &p->own_cgroup);
                if (r < 0)
                        return r;
                p->own_read = true;
        }
        if (sweep)
                p->processes_swept = now;

        /* Entries of gone or idle processes go now and then, so that a gone container's namespace and
         * cgroup are not held open for long. */
        if (sweep) {
                size_t state = 0;
                const char *key;
                void *v;
                while (hashmap_iterate(p->processes, &state, &key, &v)) {
                        ExecProcess *e = v;
                        if (!exec_process_alive(e) || now - e->last_used > EXEC_PROCESS_IDLE_USEC) {
                                hashmap_remove(p->processes, key);
                                exec_process_free(e);
                        }
                }
        }

        /* The entry of pid is checked at every attempt: the PID may name another process by now. */
        char key[16];
        (void) snprintf(key, sizeof key, "%d", (int) pid);
        ExecProcess *found = hashmap_get(p->processes, key);
        if (found)
                exec_process_check_agent(found, p->agent_path);
        if (found && !exec_process_alive(found)) {
                hashmap_remove(p->processes, key);
                found = exec_process_free(found);
        }
        if (!found) {
                r = exec_process_read(p, pid, &found, ret_problem);
                if (r < 0 || *ret_problem)
                        return r;
                (void) snprintf(found->key, sizeof found->key, "%d", (int) pid);
                r = hashmap_put(p->processes, found->key, found);
                if (r < 0) {
                        exec_process_free(found);
                        return r;
                }
        }
        found->last_used = now;
        *ret = found;
        return 0;
}

/* The candidates for argv[0], looked up in the container's PATH (inside its root, by the child), kept with
 * the process for the commands of its probes (at most three). */
static int exec_process_candidates(ExecProcess *e, const char *argv0, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        size_t i;

        for (i = 0; i < ELEMENTSOF(e->candidates); i++)
                if (e->candidates[i] && streq(e->candidates[i][0], argv0)) {
                        *ret = e->candidates[i] + 1;
                        return 0;
                }

        /* The list starts with argv[0] itself, the key. */
        if (strv_extend(&l, argv0) < 0)
                return -ENOMEM;
        if (strchr(argv0, '/')) {
                if (strv_extend(&l, argv0) < 0)
                        return -ENOMEM;
        } else {
                const char *q = e->search ?: DEFAULT_PATH;
                for (;;) {
                        const char *end = strchrnul(q, ':');
                        int len = (int) (end - q);
                        char *cand = len == 0 ? asprintf_safe("./%s", argv0)
                                              : asprintf_safe("%.*s/%s", len, q, argv0);
                        if (!cand || strv_push(&l, cand) < 0)
                                return -ENOMEM;
                        if (*end == '\0')
                                break;
                        q = end + 1;
                }
        }
        i = e->next_candidates++ % ELEMENTSOF(e->candidates);
        strv_free(e->candidates[i]);
        e->candidates[i] = TAKE_PTR(l);
        *ret = e->candidates[i] + 1;
        return 0;
}

/* Per attempt: the descriptors the child needs and the candidates for argv[0]. */
static int exec_context_prepare(ExecContext *c, Prober *p, pid_t pid, char *const *argv, char **ret_problem) {
        ExecProcess *e;
        char ebuf[128];
        int r;

        r = exec_process_get(p, pid, &e, ret_problem);
        if (r < 0 || *ret_problem)
                return r;
        c->proc = e;

        c->cgroup_fd = e->cgroup_fd;
        c->mnt_fd = e->mnt_fd;
        c->root_fd = e->root_fd;

        r = exec_process_candidates(e, argv[0], &c->candidates);
        if (r < 0)
                return r;

        if (p->null_fd < 0) {
                p->null_fd = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
                if (p->null_fd < 0) {
                        go_errno(errno, ebuf);
                        PROBLEM("cannot open /dev/null: %s", ebuf);
                }
        }
        c->null_fd = p->null_fd;
        return 0;
}
#undef PROBLEM

static void exec_drain(ProbeAttempt *a) {
        char buf[4096];

        for (;;) {
                ssize_t n = read(a->out_fd, buf, sizeof buf);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        if (n == 0 || errno != EAGAIN) {
                                /* EOF (or a broken pipe): nothing more to read. */
                                a->out_io = sd_event_source_disable_unref(a->out_io);
                                (void) close(a->out_fd);
                                a->out_fd = -EBADF;
                        }
                        return;
                }
                /* Beyond the cap the output is read and dropped: the probe never blocks on a full pipe. */
                capture_append(&a->out, buf, (size_t) n);
        }
}

static int on_exec_output(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        exec_drain(userdata);
        return 0;
}

static int on_exec_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        ProbeAttempt *a = userdata;

        if (!a)
                return on_orphan_exit(s, si, userdata);

        a->exited = true;
        /* Whatever the command wrote before it exited is in the pipe now; do not wait for an EOF that a
         * background process holding the pipe could delay forever. */
        if (a->out_fd >= 0)
                exec_drain(a);
        if (si->si_code == CLD_EXITED && si->si_status == 0)
                attempt_finish(a, PROBE_OUTCOME_SUCCESS, capture_str(&a->out), NULL);
        else
                attempt_finish(a, PROBE_OUTCOME_FAILURE, capture_str(&a->out), NULL);
        return 0;
}

static int on_exec_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        ProbeAttempt *a = userdata;
        _cleanup_free_ char *q = cquote(a->command, 0);

        /* The kubelet's ExecProbeTimeout wording; attempt_free() kills the whole process group. */
        attempt_finishf(a, PROBE_OUTCOME_FAILURE, "command %s timed out", q ?: a->command);
        return 0;
}

static const char *stage_text(int stage) {
        switch (stage) {
        case STAGE_PGID:
                return "cannot create a process group";
        case STAGE_CGROUP:
                return "cannot join the container's cgroup";
        case STAGE_MNTNS:
                return "cannot enter the container's mount namespace";
        case STAGE_ROOT:
                return "cannot enter the container's root directory";
        case STAGE_STDIO:
                return "cannot set up the output pipe";
        case STAGE_BOUNDING:
                return "cannot drop capabilities from the bounding set";
        case STAGE_CREDS:
                return "cannot take the container's user and groups";
        case STAGE_CAPS:
                return "cannot take the container's capabilities";
        case STAGE_AMBIENT:
                return "cannot take the container's ambient capabilities";
        case STAGE_NNP:
                return "cannot set no_new_privs";
        case STAGE_RLIMIT:
                return "cannot take the container's limit of open files";
        case STAGE_AGENT:
                return "the container's probe agent did not take the command";
        default:
                return "cannot start the command";
        }
}

/* Why a command did not start, in the kubelet's words where it has them. */
static char *exec_failure_text(const char *argv0, int stage, int err) {
        char ebuf[128];

        go_errno(err, ebuf);
        /* Like Go's exec.LookPath (runc's), an inaccessible PATH entry is merely not a match. */
        if (stage == STAGE_EXEC && !strchr(argv0, '/') && IN_SET3(err, ENOENT, EACCES, ENOTDIR))
                return asprintf_safe("exec: \"%s\": executable file not found in $PATH", argv0);
        if (stage == STAGE_EXEC)
                return asprintf_safe("exec: \"%s\": %s", argv0, ebuf);
        return asprintf_safe("%s: %s", stage_text(stage), ebuf);
}

/* Starts c->argv in the container's context as podd's child. -errno for podd's own failures; otherwise 0
 * with *ret_pid set (it has exec'd), or *ret_pid = 0 and ret_msg = { stage, errno } (it did not start and
 * has been reaped). */
static int exec_spawn(Prober *p, ExecContext *c, pid_t *ret_pid, int ret_msg[static 2]) {
        _cleanup_(closep) int err_read = -EBADF, err_write = -EBADF;
        int pipefd[2], msg[2] = { STAGE_NONE, 0 }, r;

        if (!p->stack) {
                void *stack = mmap(NULL, EXEC_STACK_SIZE, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
                if (stack == MAP_FAILED)
                        return -errno;
                p->stack = stack;
        }
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        err_read = pipefd[0];
        err_write = c->err_fd = pipefd[1];

        /* posix_spawn's recipe: the child shares podd's memory and podd waits until it has exec'd or died
         * (CLONE_VFORK), so the cost does not grow with podd's size. All signals stay blocked until the
         * child has reset the handlers. */
        sigset_t all, saved;
        sigfillset(&all);
        r = pthread_sigmask(SIG_SETMASK, &all, &saved);
        if (r != 0)
                return -r;
        pid_t pid = clone(exec_child, (uint8_t *) p->stack + EXEC_STACK_SIZE, CLONE_VM | CLONE_VFORK | SIGCHLD, c);
        int clone_errno = errno;
        (void) pthread_sigmask(SIG_SETMASK, &saved, NULL);
        /* The write end is the child's alone; closed here, the read below sees EOF once it has exec'd. */
        err_write = safe_close(err_write);
        c->err_fd = -EBADF;
        if (pid < 0)
                return -clone_errno;

        /* The child has exec'd or failed by now (CLONE_VFORK): this read returns at once. */
        ssize_t n;
        do
                n = read(err_read, msg, sizeof msg);
        while (n < 0 && errno == EINTR);
        if (n == (ssize_t) sizeof msg && msg[0] != STAGE_NONE) {
                (void) waitpid(pid, NULL, 0);
                ret_msg[0] = msg[0];
                ret_msg[1] = msg[1];
                *ret_pid = 0;
                return 0;
        }
        *ret_pid = pid;
        return 0;
}

static int on_exec_timeout(sd_event_source *s, uint64_t usec, void *userdata);

static void on_agent_done(const ProbeAgentReply *reply, const char *output, size_t size, void *userdata) {
        ProbeAttempt *a = userdata;
        _cleanup_free_ char *text = NULL;

        capture_append(&a->out, output, size);
        switch (reply->result) {
        case PROBE_AGENT_EXITED:
                return attempt_finish(a, reply->value == 0 ? PROBE_OUTCOME_SUCCESS : PROBE_OUTCOME_FAILURE,
                                      capture_str(&a->out), NULL);
        case PROBE_AGENT_SIGNALED:
                return attempt_finish(a, PROBE_OUTCOME_FAILURE, capture_str(&a->out), NULL);
        case PROBE_AGENT_TIMED_OUT:
                (void) on_exec_timeout(NULL, 0, a);
                return;
        default:
                text = exec_failure_text(a->argv0, reply->value, reply->error);
                return attempt_finish(a, PROBE_OUTCOME_ERROR, text ?: "out of memory", NULL);
        }
}

/* Starts the container's pod-probe-agent, in the context an exec probe gets (c's), with one end of a
 * socket pair and the process's pidfd (or PID). e->agent is set, or e->agent_failed when the agent cannot run
 * there (probes then start from podd itself). */
static int agent_spawn(Prober *p, const ExecContext *c, ExecProcess *e) {
        /* Without a pidfd (valgrind does not know pidfd_open()), the agent opens one from the PID. */
        char pid_arg[16], *argv[] = { p->agent_path, e->pidfd < 0 ? pid_arg : NULL, NULL };
        char *candidates[] = { p->agent_path, NULL };
        int sv[2], msg[2];
        pid_t pid;
        int r;

        (void) snprintf(pid_arg, sizeof pid_arg, "%d", (int) e->pid);
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        /* Only podd's end is non-blocking (the flag is per end). */
        if (fcntl(sv[0], F_SETFL, O_NONBLOCK) < 0) {
                r = -errno;
                (void) close(sv[0]);
                (void) close(sv[1]);
                return r;
        }
        ExecContext ac = *c;
        ac.argv = argv;
        ac.candidates = candidates;
        ac.out_fd = c->null_fd;
        ac.agent_fd = sv[1];
        ac.agent_pidfd = e->pidfd;
        r = exec_spawn(p, &ac, &pid, msg);
        (void) close(sv[1]);
        if (r < 0 || pid == 0) {
                (void) close(sv[0]);
                if (r < 0)
                        return r;
                _cleanup_free_ char *text = exec_failure_text(p->agent_path, msg[0], msg[1]);
                agent_cannot_run(e, p->agent_path, text ?: "out of memory");
                return 0;
        }
        /* The entry keeps its descriptors until the agent is ready (exec_process_check_agent). */
        return exec_agent_new(p->event, p->batch, sv[0], pid, &e->agent);
}

/* Hands the attempt to the container's agent, starting one if the entry has none. 1: handed over (or
 * answered: the agent did not take it); 0: run it from podd (no agent can run here); -errno for podd's
 * own failures. An entry whose agent has ended is dropped by exec_process_get(), never reused. */
static int exec_via_agent(ProbeAttempt *a, const ProbeTarget *t, const ExecContext *c) {
        Prober *p = a->prober;
        ExecProcess *e = c->proc;
        int r;

        if (!e->agent) {
                r = agent_spawn(p, c, e);
                if (r < 0 || !e->agent)
                        return r;
        }
        a->agent_id = ++p->agent_ids;
        r = exec_agent_run(e->agent, a->agent_id, t->timeout_usec, c->candidates, t->argv, on_agent_done, a);
        if (r == -EPIPE && !exec_agent_ready(e->agent)) {
                /* It ended before it was set up: the entry still has its descriptors, this attempt and
                 * the next ones run from podd. */
                exec_process_check_agent(e, p->agent_path);
                return 0;
        }
        if (r < 0) {
                /* The entry's descriptors went to the agent: no fallback for this one. */
                char ebuf[128];
                go_errno(-r, ebuf);
                r = finish_later(a, PROBE_OUTCOME_ERROR, "%s: %s", stage_text(STAGE_AGENT), ebuf);
                return r < 0 ? r : 1;
        }
        a->agent = exec_agent_ref(e->agent);
        /* The agent answers at the timeout itself; this only guards against an agent that hangs. */
        r = sd_event_add_time_relative(p->event, &a->timer, CLOCK_MONOTONIC, t->timeout_usec + AGENT_SLACK_USEC,
                                       TIMER_ACCURACY_USEC, on_exec_timeout, a);
        return r < 0 ? r : 1;
}

static int exec_start(ProbeAttempt *a, const ProbeTarget *t, pid_t exec_pid) {
        _cleanup_(exec_context_done) ExecContext c = {
                .cgroup_fd = -EBADF, .mnt_fd = -EBADF, .root_fd = -EBADF,
                .null_fd = -EBADF, .out_fd = -EBADF, .err_fd = -EBADF, .agent_fd = -EBADF, .agent_pidfd = -EBADF,
        };
        int pipefd[2], msg[2], r;
        pid_t pid;

        a->type = ATTEMPT_EXEC;
        a->out.cap = PROBE_OUTPUT_MAX;
        StrBuf b = {};
        STRV_FOREACH(w, t->argv) {
                if (w != t->argv)
                        strbuf_append_char(&b, ' ');
                strbuf_append(&b, *w);
        }
        a->command = strbuf_steal(&b);
        if (!a->command)
                return -ENOMEM;
        if (strv_length(t->argv) == 0)
                return finish_later(a, PROBE_OUTCOME_ERROR, "exec: no command given");
        a->argv0 = strdup(t->argv[0]);
        if (!a->argv0)
                return -ENOMEM;

        _cleanup_free_ char *problem = NULL;
        r = exec_context_prepare(&c, a->prober, exec_pid, t->argv, &problem);
        if (r < 0)
                return r;
        if (problem)
                return finish_later(a, PROBE_OUTCOME_ERROR, "%s", problem);

        if (a->prober->agent_path && !c.proc->agent_failed) {
                r = exec_via_agent(a, t, &c);
                if (r != 0)
                        return r < 0 ? r : 0;
        }

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        a->out_fd = pipefd[0];
        c.out_fd = pipefd[1];
        c.argv = t->argv;
        if (fcntl(a->out_fd, F_SETFL, O_NONBLOCK) < 0)
                return -errno;
        r = exec_spawn(a->prober, &c, &pid, msg);
        if (r < 0)
                return r;
        if (pid == 0) {
                _cleanup_free_ char *text = exec_failure_text(t->argv[0], msg[0], msg[1]);
                return finish_later(a, PROBE_OUTCOME_ERROR, "%s", text ?: "out of memory");
        }

        a->pid = pid;
        r = sd_event_add_child(a->prober->event, &a->child, pid, WEXITED, on_exec_exit, a);
        if (r < 0) {
                (void) kill(-pid, SIGKILL);
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return r;
        }
        r = sd_event_add_io(a->prober->event, &a->out_io, a->out_fd, EPOLLIN, on_exec_output, a);
        if (r < 0)
                return r;
        return sd_event_add_time_relative(a->prober->event, &a->timer, CLOCK_MONOTONIC, t->timeout_usec,
                                          TIMER_ACCURACY_USEC,
                                          on_exec_timeout, a);
}

/* ---- the prober ---- */

static void process_done(Prober *p) {
        CURLMsg *m;
        int left;

        while ((m = curl_multi_info_read(p->multi, &left))) {
                ProbeAttempt *a = NULL;
                CURL *easy = m->easy_handle;
                CURLcode rc = m->data.result;

                if (m->msg != CURLMSG_DONE)
                        continue;
                if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **) &a) != CURLE_OK || !a)
                        continue;
                switch (a->type) {
                case ATTEMPT_HTTP:
                        http_done(a, rc);
                        break;
                case ATTEMPT_GRPC:
                        grpc_done(a, rc);
                        break;
                case ATTEMPT_TCP_CURL:
                        tcp_curl_done(a, rc);
                        break;
                default:
                        break;
                }
        }
}

int prober_new(sd_event *e, const char *agent_path, Prober **ret) {
        Prober *p;
        int r;

        assert(e);
        assert(ret);

        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                return -EIO;
        p = calloc(1, sizeof(Prober));
        if (!p) {
                curl_global_cleanup();
                return -ENOMEM;
        }
        p->event = sd_event_ref(e);
        p->null_fd = -EBADF;
        p->processes = hashmap_new();
        if (!p->processes) {
                prober_free(p);
                return -ENOMEM;
        }
        r = io_batch_new(e, &p->batch);
        if (r < 0) {
                prober_free(p);
                return r;
        }
        if (agent_path) {
                p->agent_path = strdup(agent_path);
                if (!p->agent_path) {
                        prober_free(p);
                        return -ENOMEM;
                }
        }
        p->multi = curl_multi_init();
        if (!p->multi ||
            curl_multi_setopt(p->multi, CURLMOPT_SOCKETFUNCTION, curl_socket_cb) != CURLM_OK ||
            curl_multi_setopt(p->multi, CURLMOPT_SOCKETDATA, p) != CURLM_OK ||
            curl_multi_setopt(p->multi, CURLMOPT_TIMERFUNCTION, curl_timer_cb) != CURLM_OK ||
            curl_multi_setopt(p->multi, CURLMOPT_TIMERDATA, p) != CURLM_OK) {
                prober_free(p);
                return -ENOMEM;
        }
        *ret = p;
        return 0;
}

Prober *prober_free(Prober *p) {
        if (!p)
                return NULL;
        while (p->attempts)
                attempt_free(p->attempts);
        /* Pooled handles first: each still refers to the multi handle's shared state. */
        while (p->n_idle_easy > 0)
                curl_easy_cleanup(p->idle_easy[--p->n_idle_easy]);
        if (p->multi)
                (void) curl_multi_cleanup(p->multi);
        sd_event_source_disable_unref(p->curl_timer);
        sd_event_source_disable_unref(p->curl_kick);
        sd_event_source_disable_unref(p->known);
        if (p->stack)
                (void) munmap(p->stack, EXEC_STACK_SIZE);
        proc_privileges_done(&p->own_privileges);
        free(p->own_cgroup);
        free(p->agent_path);
        ExecProcess *e;
        while ((e = hashmap_steal_first(p->processes)))
                exec_process_free(e);
        hashmap_free(p->processes);
        /* After everything that watched a descriptor in it. */
        io_batch_free(p->batch);
        if (p->null_fd >= 0)
                (void) close(p->null_fd);
        sd_event_unref(p->event);
        free(p);
        curl_global_cleanup();
        return NULL;
}

int prober_start(
                Prober *p,
                const ProbeTarget *t,
                pid_t exec_pid,
                prober_callback_t cb,
                void *userdata,
                ProbeAttempt **ret) {

        ProbeAttempt *a;
        int r;

        assert(p);
        assert(t);
        assert(cb);

        a = calloc(1, sizeof(ProbeAttempt));
        if (!a)
                return -ENOMEM;
        *a = (ProbeAttempt) {
                .prober = p,
                .cb = cb,
                .userdata = userdata,
                .timeout_usec = t->timeout_usec > 0 ? t->timeout_usec : USEC_PER_SEC,
                .fd = -EBADF,
                .out_fd = -EBADF,
                .grpc_status = -1,
        };
        a->next = p->attempts;
        if (a->next)
                a->next->prev = a;
        p->attempts = a;
        a->deadline = clock_usec(CLOCK_MONOTONIC) + a->timeout_usec;

        if (t->error)
                r = finish_later(a, PROBE_OUTCOME_ERROR, "%s", t->error);
        else if (t->kind != HANDLER_EXEC && !t->host)
                r = finish_later(a, PROBE_OUTCOME_ERROR, "probe target without a host");
        else {
                if (t->kind != HANDLER_EXEC) {
                        a->addr = format_addr(t->host, t->port);
                        if (!a->addr) {
                                attempt_free(a);
                                return -ENOMEM;
                        }
                }
                switch (t->kind) {
                case HANDLER_HTTP_GET:
                        r = t->url ? http_start(a, t) : finish_later(a, PROBE_OUTCOME_ERROR, "no URL");
                        break;
                case HANDLER_GRPC:
                        r = grpc_start(a, t);
                        break;
                case HANDLER_TCP_SOCKET:
                        r = tcp_start(a, t);
                        break;
                case HANDLER_EXEC:
                        r = exec_start(a, t, exec_pid);
                        break;
                default:
                        r = finish_later(a, PROBE_OUTCOME_ERROR, "unsupported probe handler");
                }
        }
        if (r < 0) {
                attempt_free(a);
                return r;
        }
        if (ret)
                *ret = a;
        return 0;
}
