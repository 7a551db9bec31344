/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>

/* Many descriptors behind one sd-event source: a private epoll set, itself watched by the loop, whose ready
 * descriptors are all handled in one dispatch. sd-event dispatches one source per loop iteration, and each
 * iteration costs an epoll_wait() that polls every descriptor still ready again; with hundreds of probe
 * sockets and agents answering within the same few milliseconds, that was most of podd's cost of a probe.
 * Level-triggered like sd-event: a descriptor still ready after its handler ran comes again. */
typedef struct IOBatch IOBatch;
typedef struct IOBatchWatch IOBatchWatch;

/* revents as epoll reports them. The handler may add, change and remove any watch, its own included. */
typedef void (*io_batch_handler_t)(IOBatchWatch *w, int fd, uint32_t revents, void *userdata);

int io_batch_new(sd_event *e, IOBatch **ret);
/* Every watch must have been removed. */
IOBatch *io_batch_free(IOBatch *b);

int io_batch_add(IOBatch *b, int fd, uint32_t events, io_batch_handler_t handler, void *userdata,
                 IOBatchWatch **ret);
int io_batch_set_events(IOBatchWatch *w, uint32_t events);
/* Stops watching, before the descriptor is closed; w is freed (at the end of the dispatch, if one runs, so
 * that a handler may remove watches whose events are still to come in it: they are dropped). NULL is fine;
 * returns NULL. */
IOBatchWatch *io_batch_remove(IOBatchWatch *w);
