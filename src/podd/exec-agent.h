/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "io-batch.h"
#include "probe-agent-proto.h"

/* podd's end of one pod-probe-agent (src/probe-agent/): the socket, the agent's process, and the commands
 * it runs for podd. Reference-counted: the prober's cache entry of the container's process holds one, and
 * so does every attempt in flight, so that an answer always finds its agent. The agent itself ends when
 * the last reference goes (it sees the socket close) or with its container. */
typedef struct ExecAgent ExecAgent;

/* How a command ended (reply->result and the rest), and its output. Called from the loop, once per
 * command that was not cancelled; an agent that goes away answers PROBE_AGENT_FAILED/STAGE_AGENT. */
typedef void (*exec_agent_done_t)(const ProbeAgentReply *reply, const char *output, size_t size, void *userdata);

/* Takes sock (podd's end, non-blocking, watched in batch) and the agent's PID, which the loop reaps; on
 * failure the agent is killed and reaped. */
int exec_agent_new(sd_event *e, IOBatch *batch, int sock, pid_t pid, ExecAgent **ret);
ExecAgent *exec_agent_ref(ExecAgent *a);
ExecAgent *exec_agent_unref(ExecAgent *a);
/* Whether it still takes commands (its socket is open at both ends). */
bool exec_agent_alive(const ExecAgent *a);
/* Whether it has said it is set up (PROBE_AGENT_READY). One that ends before that could not run in its
 * context: the commands it was sent fail with PROBE_AGENT_FAILED/STAGE_AGENT. */
bool exec_agent_ready(const ExecAgent *a);
/* Sends one command: candidates for argv[0] (tried in order), argv, timeout. -E2BIG when it does not fit
 * a request, -EBUSY with too many in flight, -EPIPE when the agent is gone. */
int exec_agent_run(ExecAgent *a, uint64_t id, uint64_t timeout_usec, char *const *candidates, char *const *argv,
                   exec_agent_done_t cb, void *userdata);
/* The command's process group is killed; its callback never comes. Nothing happens for an unknown id. */
void exec_agent_cancel(ExecAgent *a, uint64_t id);
