/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* What podd's prober and pod-probe-agent say to each other. An agent runs in one container's context
 * (podd starts it there once per container process, as a CRI runtime's shim) and runs that container's
 * exec probes: podd's share of an attempt is then two messages instead of a clone() in its own address
 * space, and the context (cgroup, namespaces, credentials, environment) is entered once, not per attempt.
 *
 * Transport: a SOCK_SEQPACKET socket, the agent's descriptor PROBE_AGENT_FD; one message, one record. The
 * container's main process comes as a pidfd, PROBE_AGENT_PIDFD (a PID could name another process by the
 * time the agent looked it up), or where podd has none (valgrind) as a PID in argv[1]: the agent ends with
 * it. Its first record is PROBE_AGENT_READY, once it is set up; an agent that ends before that cannot run
 * in that context, and podd then starts the probes itself. */
#define PROBE_AGENT_FD 3
#define PROBE_AGENT_PIDFD 4
/* A request's strings (candidates for argv[0], then argv) are bounded so that a record always fits. */
#define PROBE_AGENT_REQUEST_MAX (64 * 1024)
/* The output an agent keeps of a command, as the kubelet keeps 10 KiB. */
#define PROBE_AGENT_OUTPUT_MAX 10240
/* Commands one agent runs at once: a container has at most three probes; tests send more. */
#define PROBE_AGENT_RUNS_MAX 32

typedef enum ProbeAgentRequestType {
        PROBE_AGENT_RUN = 1,    /* start the command */
        PROBE_AGENT_CANCEL = 2, /* kill the command's process group; no reply follows */
} ProbeAgentRequestType;

typedef struct ProbeAgentRequest {
        uint32_t type;
        uint32_t n_candidates; /* how many of the strings are paths to try for argv[0]; argv follows */
        uint64_t id;
        uint64_t timeout_usec;
        /* then NUL-terminated strings, up to PROBE_AGENT_REQUEST_MAX bytes */
} ProbeAgentRequest;

typedef enum ProbeAgentResult {
        PROBE_AGENT_EXITED = 1,  /* value: the exit status */
        PROBE_AGENT_SIGNALED,    /* value: the signal */
        PROBE_AGENT_TIMED_OUT,   /* its process group was killed at the timeout */
        PROBE_AGENT_FAILED,      /* it did not start: value is the stage (ExecStage), error the errno */
        PROBE_AGENT_READY,       /* not an answer: the agent's first record (id 0), once it is set up */
} ProbeAgentResult;

typedef struct ProbeAgentReply {
        uint64_t id;
        uint32_t result;
        int32_t value;
        int32_t error;
        uint32_t truncated; /* more output than PROBE_AGENT_OUTPUT_MAX was written */
        /* then the output's bytes */
} ProbeAgentReply;

/* Where starting a command failed, for both podd's own exec children and the agent's. */
typedef enum ExecStage {
        STAGE_NONE,
        STAGE_PGID,
        STAGE_CGROUP,
        STAGE_MNTNS,
        STAGE_ROOT,
        STAGE_STDIO,
        STAGE_BOUNDING,
        STAGE_CREDS,
        STAGE_CAPS,
        STAGE_AMBIENT,
        STAGE_NNP,
        STAGE_EXEC,
        STAGE_RLIMIT,
        STAGE_AGENT, /* the agent was gone or could not take the request */
} ExecStage;

/* The request codec, shared by podd (encode) and the agent (decode); pure, fuzzed
 * (tests/fuzz/fuzz-probe-agent-request.c). */

/* Writes a RUN request for candidates (tried in order for argv[0]) and argv into buf (at most size
 * bytes; sizeof(ProbeAgentRequest) + PROBE_AGENT_REQUEST_MAX always suffices). -E2BIG when the strings
 * exceed PROBE_AGENT_REQUEST_MAX or buf, -EINVAL without a candidate or an argv[0]. */
int probe_agent_request_encode(void *buf, size_t size, uint64_t id, uint64_t timeout_usec,
                               char *const *candidates, char *const *argv, size_t *ret_size);
/* Reads a RUN or CANCEL request of size bytes from buf (left unchanged). For RUN, points vec's entries into
 * buf: candidates, NULL, argv, NULL; vec must have room for size + 2 pointers. -EBADMSG on anything
 * malformed (short, unterminated strings, no candidate, no argv). */
int probe_agent_request_decode(const char *buf, size_t size, ProbeAgentRequest *ret_head, const char **vec,
                               const char ***ret_candidates, const char ***ret_argv);
