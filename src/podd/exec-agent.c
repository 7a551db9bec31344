/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec-agent.h"
#include "macro.h"

typedef struct Pending {
        bool used;
        uint64_t id;
        exec_agent_done_t cb;
        void *userdata;
} Pending;

struct ExecAgent {
        unsigned n_ref;
        bool ready;     /* it said PROBE_AGENT_READY */
        bool peer_gone; /* a send found its end closed; the socket's end-of-file fails what is pending */
        int sock;
        pid_t pid;
        IOBatchWatch *io;
        sd_event_source *child;
        Pending pending[PROBE_AGENT_RUNS_MAX];
};

static int on_orphan_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        /* The loop owned this source since its agent went away: dropping the floating state frees it,
         * and sd-event reaps the agent after this returns. */
        (void) sd_event_source_set_floating(s, false);
        return 0;
}

static int on_agent_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        ExecAgent *a = userdata;

        if (!a)
                return on_orphan_exit(s, si, userdata);
        /* Its answers were all sent before it exited; the socket's end-of-file fails what is left. */
        a->child = sd_event_source_unref(a->child);
        return 0;
}

/* Answers every command still in flight as failed: the agent is gone. */
static void fail_pending(ExecAgent *a) {
        for (size_t i = 0; i < PROBE_AGENT_RUNS_MAX; i++) {
                Pending p = a->pending[i];
                if (!p.used)
                        continue;
                a->pending[i] = (Pending) {};
                ProbeAgentReply r = { .id = p.id, .result = PROBE_AGENT_FAILED, .value = STAGE_AGENT,
                                      .error = EPIPE };
                p.cb(&r, "", 0, p.userdata);
        }
}

static void close_socket(ExecAgent *a) {
        a->io = io_batch_remove(a->io);
        if (a->sock >= 0)
                (void) close(a->sock);
        a->sock = -EBADF;
}

static void on_io(IOBatchWatch *w, int fd, uint32_t revents, void *userdata) {
        ExecAgent *a = exec_agent_ref(userdata);
        static union {
                ProbeAgentReply head;
                char buf[sizeof(ProbeAgentReply) + PROBE_AGENT_OUTPUT_MAX + 1];
        } msg;

        /* One answer per dispatch: the socket stays readable while more wait (the batch is level-triggered),
         * which spares the read that would only find none left. A callback may drop references; ours
         * keeps a alive. */
        ssize_t n;
        do
                n = recv(a->sock, msg.buf, sizeof msg.buf - 1, MSG_DONTWAIT);
        while (n < 0 && errno == EINTR);
        if (n < 0 && errno == EAGAIN)
                ; /* woken with nothing to read */
        else if (n <= 0) {
                close_socket(a);
                fail_pending(a);
        } else if ((size_t) n < sizeof msg.head)
                ; /* not a record of ours */
        else if (msg.head.result == PROBE_AGENT_READY)
                a->ready = true;
        else {
                size_t size = (size_t) n - sizeof msg.head;
                msg.buf[n] = '\0';
                for (size_t i = 0; i < PROBE_AGENT_RUNS_MAX; i++) {
                        Pending p = a->pending[i];
                        if (!p.used || p.id != msg.head.id)
                                continue;
                        a->pending[i] = (Pending) {};
                        p.cb(&msg.head, msg.buf + sizeof msg.head, size, p.userdata);
                        break;
                }
        }
        exec_agent_unref(a);
}

int exec_agent_new(sd_event *e, IOBatch *batch, int sock, pid_t pid, ExecAgent **ret) {
        ExecAgent *a = calloc(1, sizeof(ExecAgent));
        int r;

        if (!a) {
                (void) close(sock);
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return -ENOMEM;
        }
        *a = (ExecAgent) { .n_ref = 1, .sock = sock, .pid = pid };
        r = sd_event_add_child(e, &a->child, pid, WEXITED, on_agent_exit, a);
        if (r >= 0)
                r = io_batch_add(batch, sock, EPOLLIN, on_io, a, &a->io);
        if (r < 0) {
                /* With a child source the loop reaps it (exec_agent_unref hands the source over). */
                (void) kill(pid, SIGKILL);
                if (!a->child)
                        (void) waitpid(pid, NULL, 0);
                exec_agent_unref(a);
                return r;
        }
        *ret = a;
        return 0;
}

ExecAgent *exec_agent_ref(ExecAgent *a) {
        if (a)
                a->n_ref++;
        return a;
}

ExecAgent *exec_agent_unref(ExecAgent *a) {
        if (!a || --a->n_ref > 0)
                return NULL;
        /* Closing the socket ends the agent and whatever it still runs. */
        close_socket(a);
        if (a->child) {
                (void) sd_event_source_set_userdata(a->child, NULL);
                if (sd_event_source_set_floating(a->child, true) < 0) {
                        /* Cannot hand it over to the loop: end and reap it here. */
                        (void) kill(a->pid, SIGKILL);
                        (void) waitpid(a->pid, NULL, 0);
                }
                sd_event_source_unref(a->child);
        }
        free(a);
        return NULL;
}

bool exec_agent_alive(const ExecAgent *a) {
        return a && a->sock >= 0 && !a->peer_gone;
}

bool exec_agent_ready(const ExecAgent *a) {
        return a && a->ready;
}

static int send_request(ExecAgent *a, const void *buf, size_t size) {
        if (send(a->sock, buf, size, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
                return 0;
        if (errno == EAGAIN)
                return -EBUSY;
        a->peer_gone = true;
        return -EPIPE;
}

int exec_agent_run(ExecAgent *a, uint64_t id, uint64_t timeout_usec, char *const *candidates, char *const *argv,
                   exec_agent_done_t cb, void *userdata) {
        static union {
                ProbeAgentRequest head;
                char buf[sizeof(ProbeAgentRequest) + PROBE_AGENT_REQUEST_MAX];
        } msg;
        size_t size;
        Pending *slot = NULL;
        int r;

        if (!exec_agent_alive(a))
                return -EPIPE;
        for (size_t i = 0; i < PROBE_AGENT_RUNS_MAX && !slot; i++)
                if (!a->pending[i].used)
                        slot = &a->pending[i];
        if (!slot)
                return -EBUSY;
        r = probe_agent_request_encode(msg.buf, sizeof msg.buf, id, timeout_usec, candidates, argv, &size);
        if (r < 0)
                return r;
        r = send_request(a, msg.buf, size);
        if (r < 0)
                return r;
        *slot = (Pending) { .used = true, .id = id, .cb = cb, .userdata = userdata };
        return 0;
}

void exec_agent_cancel(ExecAgent *a, uint64_t id) {
        for (size_t i = 0; i < PROBE_AGENT_RUNS_MAX; i++)
                if (a->pending[i].used && a->pending[i].id == id) {
                        a->pending[i] = (Pending) {};
                        ProbeAgentRequest req = { .type = PROBE_AGENT_CANCEL, .id = id };
                        if (exec_agent_alive(a))
                                (void) send_request(a, &req, sizeof req);
                        return;
                }
}
