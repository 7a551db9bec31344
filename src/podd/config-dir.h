/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-event.h>

#include "diag.h"
#include "manifest.h"

/* /etc/pods: the operator's declared state, one or more objects per file (*.yaml, *.yml, *.json; dot
 * files and anything else ignored). Loading never loses a good state: a file that fails to load or
 * validate keeps contributing the pods of its last good version (nothing running is touched) while its
 * error is reported. Two files declaring the same pod: the one that declared it first keeps it (at start,
 * the first in name order), the other gets a conflict error; nothing flaps.
 *
 * Each desired pod carries a hash of its object (the document's JSON form, so re-indenting a file or
 * reordering keys is not a change) so podd can tell created / changed / unchanged. */

typedef struct ConfigDir ConfigDir;

typedef struct DesiredPod {
        const Pod *pod;        /* owned by the ConfigDir; valid until the next load of that file */
        const char *file;      /* absolute path of the declaring file */
        const char *hash;      /* hex digest of the object */
        bool file_declares_others; /* the file declares other objects too (delete must refuse) */
} DesiredPod;

typedef struct ConfigError {
        char *file;
        char *message; /* formatted finding(s), "FILE:LINE:COL: path: message", one per line */
} ConfigError;

/* dir: normally PODS_CONFIG_DIR (/etc/pods); archive_dir: where removed files are kept (/var/lib/pods/removed). */
int config_dir_new(const char *dir, const char *archive_dir, ConfigDir **ret);
ConfigDir *config_dir_free(ConfigDir *d);

/* Reads every file now. 0 on success, even when some files are invalid (see config_dir_errors). */
int config_dir_load(ConfigDir *d);
/* Watches the directory with inotify (IN_CLOSE_WRITE, IN_MOVED_TO, IN_MOVED_FROM, IN_DELETE, IN_CREATE
 * for the dir itself appearing) and reloads changed files; on_change is called once after each batch of
 * reloads (coalesced with a short defer). */
typedef void (*ConfigChangeCallback)(ConfigDir *d, void *userdata);
int config_dir_watch(ConfigDir *d, sd_event *e, ConfigChangeCallback on_change, void *userdata);

/* The desired pods, sorted by namespace then name. Valid until the next load. */
const DesiredPod *config_dir_pods(const ConfigDir *d, size_t *ret_n);
const DesiredPod *config_dir_find(const ConfigDir *d, const char *ns, const char *name);
const ConfigError *config_dir_errors(const ConfigDir *d, size_t *ret_n);

/* The file `podctl apply` uses for a pod: DIR/<namespace>_<name>.yaml ('_' cannot occur in either name,
 * so the mapping is reversible). Caller frees. */
char *config_dir_apply_path(const ConfigDir *d, const char *ns, const char *name);
/* Writes content atomically (temp file in the same dir, fsync, rename, fsync dir) and reloads it. */
int config_dir_write(ConfigDir *d, const char *path, const char *content, size_t len);
/* Moves path out of the watched dir into the archive (archive_dir/<name>.<unix-time>) and reloads:
 * nothing the operator wrote is lost. */
int config_dir_archive(ConfigDir *d, const char *path);
