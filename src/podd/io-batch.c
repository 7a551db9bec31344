/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "io-batch.h"
#include "macro.h"

/* Events taken from the private set per dispatch; more wait for the next one (the set stays readable). */
#define EVENTS_MAX 128

struct IOBatchWatch {
        IOBatch *batch;
        int fd;
        bool removed;
        io_batch_handler_t handler;
        void *userdata;
        IOBatchWatch *next_removed;
};

struct IOBatch {
        int epoll_fd;
        sd_event_source *source;
        bool dispatching;
        IOBatchWatch *removed; /* removed during the dispatch: freed at its end */
};

static int on_ready(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        IOBatch *b = userdata;
        struct epoll_event ev[EVENTS_MAX];

        int n = epoll_wait(b->epoll_fd, ev, EVENTS_MAX, 0);
        if (n <= 0)
                return 0; /* EINTR, or nothing after all: the loop asks again */
        b->dispatching = true;
        for (int i = 0; i < n; i++) {
                IOBatchWatch *w = ev[i].data.ptr;
                if (!w->removed)
                        w->handler(w, w->fd, ev[i].events, w->userdata);
        }
        b->dispatching = false;
        while (b->removed) {
                IOBatchWatch *w = b->removed;
                b->removed = w->next_removed;
                free(w);
        }
        return 0;
}

int io_batch_new(sd_event *e, IOBatch **ret) {
        IOBatch *b = calloc(1, sizeof(IOBatch));
        int r;

        if (!b)
                return -ENOMEM;
        b->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (b->epoll_fd < 0) {
                r = -errno;
                free(b);
                return r;
        }
        r = sd_event_add_io(e, &b->source, b->epoll_fd, EPOLLIN, on_ready, b);
        if (r < 0) {
                io_batch_free(b);
                return r;
        }
        *ret = b;
        return 0;
}

IOBatch *io_batch_free(IOBatch *b) {
        if (!b)
                return NULL;
        assert(!b->dispatching);
        sd_event_source_disable_unref(b->source);
        (void) safe_close(b->epoll_fd);
        free(b);
        return NULL;
}

int io_batch_add(IOBatch *b, int fd, uint32_t events, io_batch_handler_t handler, void *userdata,
                 IOBatchWatch **ret) {
        IOBatchWatch *w = malloc(sizeof(IOBatchWatch));

        if (!w)
                return -ENOMEM;
        *w = (IOBatchWatch) { .batch = b, .fd = fd, .handler = handler, .userdata = userdata };
        struct epoll_event ev = { .events = events, .data.ptr = w };
        if (epoll_ctl(b->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
                int r = -errno;
                free(w);
                return r;
        }
        *ret = w;
        return 0;
}

int io_batch_set_events(IOBatchWatch *w, uint32_t events) {
        struct epoll_event ev = { .events = events, .data.ptr = w };
        return epoll_ctl(w->batch->epoll_fd, EPOLL_CTL_MOD, w->fd, &ev) < 0 ? -errno : 0;
}

IOBatchWatch *io_batch_remove(IOBatchWatch *w) {
        if (!w)
                return NULL;
        IOBatch *b = w->batch;
        /* Fails only for a descriptor already closed, which the set has dropped by itself. */
        (void) epoll_ctl(b->epoll_fd, EPOLL_CTL_DEL, w->fd, NULL);
        if (b->dispatching) {
                w->removed = true;
                w->next_removed = b->removed;
                b->removed = w;
        } else
                free(w);
        return NULL;
}
