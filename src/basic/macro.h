/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _pure_ __attribute__((pure))
#define _warn_unused_result_ __attribute__((warn_unused_result))
#define _export_ __attribute__((visibility("default")))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* The structure of type t whose member m ptr points to. */
#define container_of(ptr, t, m) ((t *) ((char *) (ptr) - offsetof(t, m)))

/* Hand over ownership of a pointer or fd held by a cleanup variable. */
#define TAKE_PTR(p)                                 \
        ({                                          \
                __typeof__(p) _ptr_ = (p);          \
                (p) = NULL;                         \
                _ptr_;                              \
        })
#define TAKE_FD(fd)                                 \
        ({                                          \
                int _fd_ = (fd);                    \
                (fd) = -EBADF;                      \
                _fd_;                               \
        })

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Time spans in microseconds, systemd's unit for timestamps and timeouts. */
#define USEC_PER_SEC UINT64_C(1000000)
#define USEC_PER_MSEC UINT64_C(1000)

/* The clock's time in microseconds: CLOCK_REALTIME for timestamps (systemd's *Timestamp properties),
 * CLOCK_MONOTONIC for intervals, CLOCK_BOOTTIME where a deadline must hold across suspend. */
static inline uint64_t clock_usec(clockid_t clock) {
        struct timespec ts;

        if (clock_gettime(clock, &ts) < 0)
                return 0;
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

#define streq(a, b) (strcmp((a), (b)) == 0)
#define strneq(a, b, n) (strncmp((a), (b), (n)) == 0)

static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return streq(a, b);
}

static inline bool isempty(const char *s) {
        return !s || !*s;
}

static inline void freep(void *p) {
        free(*(void **) p);
}

#define _cleanup_free_ _cleanup_(freep)

/* free() that returns NULL, for `p = mfree(p);` */
static inline void *mfree(void *p) {
        free(p);
        return NULL;
}

static inline void closep(int *fd) {
        if (*fd >= 0)
                (void) close(*fd);
}

/* close() that returns -EBADF, for `fd = safe_close(fd);` */
static inline int safe_close(int fd) {
        if (fd >= 0)
                (void) close(fd);
        return -EBADF;
}

#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)     \
        static inline void func##p(type *p) {       \
                if (*p)                             \
                        func(*p);                   \
        }

/* Growth helper for (array, count, allocated) triples; returns false when out of memory or on overflow. */
bool greedy_realloc(void **p, size_t *allocated, size_t need, size_t size);
#define GREEDY_REALLOC(array, allocated, need)                                                         \
        greedy_realloc((void **) &(array), &(allocated), (need), sizeof((array)[0]))
