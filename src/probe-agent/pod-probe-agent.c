/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pod-probe-agent: runs one container's exec probes inside that container's context.
 *
 * podd starts it like an exec probe (in the container's cgroup, mount namespace, root, working directory,
 * environment, credentials and capabilities) with a SOCK_SEQPACKET socket as descriptor PROBE_AGENT_FD and
 * a pidfd of the container's main process as PROBE_AGENT_PIDFD (or its PID as argv[1]). Once set up it says PROBE_AGENT_READY. For
 * each request it starts the command in a process group of its own, keeps PROBE_AGENT_OUTPUT_MAX bytes of
 * its output, kills the group at the timeout, and answers with how it ended. It exits when podd closes the
 * socket or the container's main process exits, killing what it still runs; a command whose agent dies
 * anyway gets SIGKILL (PR_SET_PDEATHSIG). Everything it starts inherits the context it was started in,
 * unchanged: it never changes its own. See src/core/probe-agent-proto.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe-agent-proto.h"

#define STACK_SIZE (64 * 1024)
#define USEC_PER_SEC UINT64_C(1000000)
/* How long an answer may wait for room in podd's end before it is dropped (podd then gives up on the
 * command past its own deadline): a stalled podd must not stop the agent from enforcing timeouts. */
#define SEND_TIMEOUT_USEC (USEC_PER_SEC / 2)

extern char **environ;

typedef struct Run {
        bool used;
        bool answered; /* timed out or cancelled: only reaped when it exits */
        uint64_t id;
        pid_t pid;
        int pidfd, out_fd;
        uint64_t deadline; /* CLOCK_MONOTONIC µs */
        size_t len;
        bool truncated;
        char out[PROBE_AGENT_OUTPUT_MAX];
} Run;

/* What the child needs between clone() and execve(); it shares the agent's memory (CLONE_VM) and the
 * agent waits (CLONE_VFORK), so a failure is reported through stage/error here. */
typedef struct Spawn {
        int null_fd, out_fd;
        char **candidates, **argv;
        int stage, error;
} Spawn;

static Run runs[PROBE_AGENT_RUNS_MAX];
static int sock = PROBE_AGENT_FD, null_fd = -1;
static void *stack;
static char in[sizeof(ProbeAgentRequest) + PROBE_AGENT_REQUEST_MAX + 1];
static ProbeAgentRequest req;

static uint64_t now_usec(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

static void reply(const Run *r, ProbeAgentResult result, int value, int error) {
        struct {
                ProbeAgentReply head;
                char out[PROBE_AGENT_OUTPUT_MAX];
        } msg = {
                .head = { .id = r->id, .result = result, .value = value, .error = error,
                          .truncated = r->truncated },
        };
        memcpy(msg.out, r->out, r->len);
        /* podd reads as fast as it can; if it is gone, the next poll sees the hang-up. */
        (void) send(sock, &msg, sizeof msg.head + r->len, MSG_NOSIGNAL);
}

/* Answers a request that never became a run. */
static void reply_failed(uint64_t id, int stage, int error) {
        Run failed = { .id = id };
        reply(&failed, PROBE_AGENT_FAILED, stage, error);
}

static void run_close(Run *r) {
        if (r->pidfd >= 0)
                (void) close(r->pidfd);
        if (r->out_fd >= 0)
                (void) close(r->out_fd);
        *r = (Run) { .pidfd = -1, .out_fd = -1 };
}

static void drain(Run *r) {
        char buf[4096];

        for (;;) {
                ssize_t n = read(r->out_fd, buf, sizeof buf);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        if (n == 0 || errno != EAGAIN) {
                                (void) close(r->out_fd);
                                r->out_fd = -1;
                        }
                        return;
                }
                /* Past the cap the output is read and dropped: the command never blocks on a full pipe. */
                size_t k = (size_t) n;
                if (r->len + k > sizeof r->out) {
                        k = sizeof r->out - r->len;
                        r->truncated = true;
                }
                memcpy(r->out + r->len, buf, k);
                r->len += k;
        }
}

static void kill_group(const Run *r) {
        (void) kill(-r->pid, SIGKILL);
        (void) kill(r->pid, SIGKILL);
}

/* The command has exited: whatever it wrote before is in the pipe (a background process may hold the
 * pipe open for longer; its later output is not waited for). */
static void on_exit_of(Run *r) {
        siginfo_t si = {};

        /* P_PIDFD needs Linux 5.4; the PID cannot be reused before this reaps it. */
        if ((waitid(P_PIDFD, (id_t) r->pidfd, &si, WEXITED | WNOHANG) < 0 &&
             (errno != EINVAL || waitid(P_PID, (id_t) r->pid, &si, WEXITED | WNOHANG) < 0)) ||
            si.si_pid == 0)
                return;
        if (!r->answered) {
                if (r->out_fd >= 0)
                        drain(r);
                if (si.si_code == CLD_EXITED)
                        reply(r, PROBE_AGENT_EXITED, si.si_status, 0);
                else
                        reply(r, PROBE_AGENT_SIGNALED, si.si_status, 0);
        }
        run_close(r);
}

static int child(void *userdata) {
        Spawn *s = userdata;
        int last = ENOENT;

        /* Its own process group, so that a timeout kills whatever it started too; and it goes with the
         * agent, should the agent be killed before it could kill the group. */
        if (setpgid(0, 0) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
                s->stage = STAGE_PGID;
                s->error = errno;
                _exit(127);
        }
        if (dup2(s->null_fd, STDIN_FILENO) < 0 || dup2(s->out_fd, STDOUT_FILENO) < 0 ||
            dup2(s->out_fd, STDERR_FILENO) < 0) {
                s->stage = STAGE_STDIO;
                s->error = errno;
                _exit(127);
        }
        /* Like Go's exec.LookPath (runc's): an inaccessible candidate is merely not a match. */
        for (char **p = s->candidates; *p; p++) {
                execve(*p, s->argv, environ);
                if (errno == EACCES)
                        last = EACCES;
                else if (errno != ENOENT && errno != ENOTDIR) {
                        last = errno;
                        break;
                }
        }
        s->stage = STAGE_EXEC;
        s->error = last;
        _exit(127);
}

static void start(char **candidates, char **argv) {
        Run *r = NULL;
        int pipefd[2], pidfd = -1;

        for (size_t i = 0; i < PROBE_AGENT_RUNS_MAX && !r; i++)
                if (!runs[i].used)
                        r = &runs[i];
        if (!r)
                return reply_failed(req.id, STAGE_AGENT, EBUSY);
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return reply_failed(req.id, STAGE_STDIO, errno);
        (void) fcntl(pipefd[0], F_SETFL, O_NONBLOCK);

        Spawn s = { .null_fd = null_fd, .out_fd = pipefd[1], .candidates = candidates, .argv = argv };
        pid_t pid = clone(child, (char *) stack + STACK_SIZE, CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD,
                          &s, &pidfd);
        int clone_errno = errno;
        (void) close(pipefd[1]);
        if (pid < 0) {
                (void) close(pipefd[0]);
                return reply_failed(req.id, STAGE_NONE, clone_errno);
        }
        if (s.stage != STAGE_NONE) {
                /* It has exited already (CLONE_VFORK returns once it has exec'd or died). */
                (void) waitpid(pid, NULL, 0);
                (void) close(pidfd);
                (void) close(pipefd[0]);
                return reply_failed(req.id, s.stage, s.error);
        }
        uint64_t now = now_usec();
        *r = (Run) { .used = true, .id = req.id, .pid = pid, .pidfd = pidfd, .out_fd = pipefd[0],
                     .deadline = req.timeout_usec > UINT64_MAX - now ? UINT64_MAX : now + req.timeout_usec };
}

static void cancel(uint64_t id) {
        for (size_t i = 0; i < PROBE_AGENT_RUNS_MAX; i++)
                if (runs[i].used && !runs[i].answered && runs[i].id == id) {
                        kill_group(&runs[i]);
                        runs[i].answered = true;
                }
}

/* Reads every request that is waiting. Returns false once podd has closed its end. */
static bool read_requests(void) {
        static const char *vec[PROBE_AGENT_REQUEST_MAX + 2]; /* each string is one byte at least */
        const char **candidates, **argv;

        for (;;) {
                ssize_t n = recv(sock, in, sizeof in - 1, MSG_DONTWAIT);
                if (n < 0)
                        return errno == EAGAIN || errno == EINTR;
                if (n == 0)
                        return false;
                if (probe_agent_request_decode(in, (size_t) n, &req, vec, &candidates, &argv) < 0) {
                        if ((size_t) n >= sizeof req)
                                reply_failed(req.id, STAGE_AGENT, EBADMSG);
                        continue;
                }
                if (req.type == PROBE_AGENT_RUN)
                        start((char **) candidates, (char **) argv);
                else
                        cancel(req.id);
        }
}

static void end_all(void) {
        for (size_t i = 0; i < PROBE_AGENT_RUNS_MAX; i++)
                if (runs[i].used)
                        kill_group(&runs[i]);
}

int main(int argc, char **argv) {
        /* The container's main process: the agent goes with it, also where the unit outlives it. A PID
         * instead of the pidfd only where podd has none (under valgrind). */
        int main_pidfd = PROBE_AGENT_PIDFD;
        const struct timeval send_timeout = { .tv_usec = SEND_TIMEOUT_USEC };

        for (size_t i = 0; i < PROBE_AGENT_RUNS_MAX; i++)
                runs[i] = (Run) { .pidfd = -1, .out_fd = -1 };
        if (argc > 1) {
                pid_t pid = (pid_t) strtol(argv[1], NULL, 10);
                main_pidfd = pid > 0 ? (int) syscall(SYS_pidfd_open, pid, 0) : -1;
        }
        if (main_pidfd < 0 || fcntl(sock, F_SETFD, FD_CLOEXEC) < 0 || fcntl(main_pidfd, F_SETFD, FD_CLOEXEC) < 0 ||
            setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout) < 0)
                return 1;
        null_fd = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
        stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (null_fd < 0 || stack == MAP_FAILED)
                return 1;
        Run ready = {};
        reply(&ready, PROBE_AGENT_READY, 0, 0);

        for (;;) {
                struct pollfd pfd[2 + 2 * PROBE_AGENT_RUNS_MAX];
                Run *owner[2 + 2 * PROBE_AGENT_RUNS_MAX] = {};
                size_t n = 0;
                uint64_t now = now_usec(), next = UINT64_MAX;

                pfd[n++] = (struct pollfd) { .fd = sock, .events = POLLIN };
                pfd[n++] = (struct pollfd) { .fd = main_pidfd, .events = POLLIN };
                for (size_t i = 0; i < PROBE_AGENT_RUNS_MAX; i++) {
                        Run *r = &runs[i];
                        if (!r->used)
                                continue;
                        if (!r->answered && now >= r->deadline) {
                                /* The kubelet's timeout: the whole group goes, the answer goes now. */
                                kill_group(r);
                                reply(r, PROBE_AGENT_TIMED_OUT, 0, 0);
                                r->answered = true;
                        }
                        if (!r->answered && r->deadline < next)
                                next = r->deadline;
                        owner[n] = r;
                        pfd[n++] = (struct pollfd) { .fd = r->pidfd, .events = POLLIN };
                        if (r->out_fd >= 0 && !r->answered) {
                                owner[n] = r;
                                pfd[n++] = (struct pollfd) { .fd = r->out_fd, .events = POLLIN };
                        }
                }
                uint64_t wait_ms = next == UINT64_MAX ? 0 : (next - now + 999) / 1000;
                int timeout = next == UINT64_MAX ? -1 : (int) (wait_ms > INT_MAX ? INT_MAX : wait_ms);
                if (poll(pfd, n, timeout) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (pfd[1].revents)
                        break;
                for (size_t i = 2; i < n; i++) {
                        Run *r = owner[i];
                        if (!pfd[i].revents || !r->used)
                                continue;
                        if (pfd[i].fd == r->out_fd)
                                drain(r);
                        else if (pfd[i].fd == r->pidfd)
                                on_exit_of(r);
                }
                if (pfd[0].revents && !read_requests())
                        break;
        }
        end_all();
        return 0;
}
