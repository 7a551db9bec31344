/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* What podd must remember about a running pod to adopt it after a restart or a crash, when systemd still
 * runs its units but podd's memory is gone: its UID, which version of the manifest it runs, when it was
 * created and started, and the restarts podd made itself. One small "key=value" file per pod under
 * /run/pods/state (on /run: a reboot forgets the pods, and podd recreates them from /etc/pods), written
 * atomically. */
typedef struct PodStateFile {
        char *uid;
        char *hash;
        uint64_t creation_usec;
        uint64_t start_usec;
        uint32_t *podd_restarts; /* per container, pod_container_at() order */
        size_t n_podd_restarts;
} PodStateFile;

char *pod_state_file_path(const char *state_dir, const char *ns, const char *name);
int pod_state_file_write(const char *path, const PodStateFile *s);
/* -ENOENT when there is none; -EINVAL when it is unreadable (treated as none by the caller). */
int pod_state_file_read(const char *path, PodStateFile *ret);
void pod_state_file_done(PodStateFile *s);
