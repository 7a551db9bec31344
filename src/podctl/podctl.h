/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"
#include "manifest.h"

/* Exit codes shared by every verb. */
enum {
        EXIT_OK = 0,
        EXIT_INVALID = 1, /* a manifest failed to load, validate or plan, or a file could not be read */
        EXIT_USAGE = 2,   /* bad command line */
};

/* The largest file podctl reads, as the kubelet's static-pod limit; the core enforces the same bound. */
#define INPUT_MAX_BYTES (10u * 1024u * 1024u)

typedef struct InputFile {
        char *path;    /* what to open; "-" is stdin */
        char *display; /* the name diagnostics use: the path as given, "<stdin>" for "-" */
        char *data;    /* NUL-terminated after input_file_read() */
        size_t size;
} InputFile;

typedef struct Inputs {
        InputFile *items;
        size_t n, allocated;
} Inputs;

/* Adds the files named by arg: a file, "-", or a directory (its *.yaml, *.yml and *.json, sorted by name,
 * not recursive). Problems are logged to stderr; returns -ENOENT/-ENOTDIR/… or -ENOMEM. */
int inputs_add(Inputs *in, const char *arg);
/* Reads f->path into f->data, refusing files over INPUT_MAX_BYTES before reading them whole. Logs. */
int input_file_read(InputFile *f);
void inputs_done(Inputs *in);

/* Parses a --validate= value as kubectl does: strict|warn|ignore, true (= strict), false (= ignore). */
FieldValidation parse_validate_arg(const char *s);

/* Prints diags sorted, each as FILE:LINE:COL: …, to stderr. Returns -ENOMEM if the list is incomplete. */
int print_diags(Diags *d, const char *display);
/* Loads f (already read), prints every finding to stderr, and says whether it is valid (no error, no OOM).
 * *ret gets the manifest, also when it is not valid (it may be NULL then). */
bool manifest_load_reported(const InputFile *f, const ManifestOptions *opts, Manifest **ret);

int log_oom(void);
/* Prints the usage error for getopt's return c ('?' or ':') and returns EXIT_USAGE. */
int flag_error(const char *verb, int c, char *const argv[]);

int verb_validate(int argc, char *argv[]);
int verb_render(int argc, char *argv[]);
/* The verbs that talk to podd over the system bus (src/podctl/podctl-bus.h). */
int verb_apply(int argc, char *argv[]);
int verb_get(int argc, char *argv[]);
int verb_describe(int argc, char *argv[]);
int verb_delete(int argc, char *argv[]);
int verb_logs(int argc, char *argv[]);
