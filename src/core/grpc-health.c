/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grpc-health.h"

/* Protobuf wire types. Groups (3, 4) are long deprecated and never appear in these messages: rejected. */
enum {
        WIRE_VARINT = 0,
        WIRE_FIXED64 = 1,
        WIRE_LEN = 2,
        WIRE_FIXED32 = 5,
};

static int read_varint(const uint8_t *buf, size_t size, size_t *pos, uint64_t *ret) {
        uint64_t v = 0;

        for (unsigned i = 0; i < 10; i++) {
                if (*pos >= size)
                        return -EBADMSG;
                uint8_t b = buf[(*pos)++];
                /* The tenth byte may only carry the top bit of 64. */
                if (i == 9 && b > 1)
                        return -EBADMSG;
                v |= (uint64_t) (b & 0x7F) << (7 * i);
                if (!(b & 0x80)) {
                        *ret = v;
                        return 0;
                }
        }
        return -EBADMSG;
}

static size_t varint_size(uint64_t v) {
        size_t n = 1;
        while (v >= 0x80) {
                v >>= 7;
                n++;
        }
        return n;
}

static size_t write_varint(uint8_t *p, uint64_t v) {
        size_t n = 0;
        while (v >= 0x80) {
                p[n++] = (uint8_t) (v | 0x80);
                v >>= 7;
        }
        p[n++] = (uint8_t) v;
        return n;
}

/* Checks the frame header and returns the message it carries. */
static int unframe(const uint8_t *buf, size_t size, const uint8_t **ret_msg, size_t *ret_len) {
        if (size == 0)
                return -ENODATA;
        if (size < GRPC_FRAME_HEADER_SIZE)
                return -EBADMSG;
        if (buf[0] > 1)
                return -EBADMSG;
        uint32_t len = (uint32_t) buf[1] << 24 | (uint32_t) buf[2] << 16 | (uint32_t) buf[3] << 8 | buf[4];
        if (len > size - GRPC_FRAME_HEADER_SIZE)
                return -EBADMSG; /* truncated */
        if (len < size - GRPC_FRAME_HEADER_SIZE)
                return -EBADMSG; /* a second message, or garbage: a unary call has exactly one */
        if (buf[0] == 1)
                return -EPROTONOSUPPORT;
        *ret_msg = buf + GRPC_FRAME_HEADER_SIZE;
        *ret_len = len;
        return 0;
}

/* Walks the fields of one message, calling back for field 1 (the only one either message has) and
 * skipping all others. */
typedef int (*field1_cb_t)(int wire, uint64_t varint, const uint8_t *data, size_t len, void *userdata);

static int walk_fields(const uint8_t *msg, size_t len, field1_cb_t cb, void *userdata) {
        size_t pos = 0;
        int r;

        while (pos < len) {
                uint64_t key, v = 0;
                const uint8_t *data = NULL;
                size_t dlen = 0;

                r = read_varint(msg, len, &pos, &key);
                if (r < 0)
                        return r;
                uint64_t field = key >> 3;
                int wire = (int) (key & 7);
                if (field == 0 || field > 0x1FFFFFFF)
                        return -EBADMSG;

                switch (wire) {
                case WIRE_VARINT:
                        r = read_varint(msg, len, &pos, &v);
                        if (r < 0)
                                return r;
                        break;
                case WIRE_FIXED64:
                        if (len - pos < 8)
                                return -EBADMSG;
                        pos += 8;
                        break;
                case WIRE_FIXED32:
                        if (len - pos < 4)
                                return -EBADMSG;
                        pos += 4;
                        break;
                case WIRE_LEN:
                        r = read_varint(msg, len, &pos, &v);
                        if (r < 0)
                                return r;
                        if (v > len - pos)
                                return -EBADMSG;
                        data = msg + pos;
                        dlen = (size_t) v;
                        pos += dlen;
                        break;
                default:
                        return -EBADMSG;
                }

                if (field == 1) {
                        r = cb(wire, v, data, dlen, userdata);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int frame_message(const uint8_t *msg, size_t len, uint8_t **ret, size_t *ret_size) {
        if (len > UINT32_MAX)
                return -E2BIG;
        uint8_t *b = malloc(GRPC_FRAME_HEADER_SIZE + len);
        if (!b)
                return -ENOMEM;
        b[0] = 0;
        b[1] = (uint8_t) (len >> 24);
        b[2] = (uint8_t) (len >> 16);
        b[3] = (uint8_t) (len >> 8);
        b[4] = (uint8_t) len;
        if (len > 0)
                memcpy(b + GRPC_FRAME_HEADER_SIZE, msg, len);
        *ret = b;
        *ret_size = GRPC_FRAME_HEADER_SIZE + len;
        return 0;
}

int grpc_health_request_encode(const char *service, uint8_t **ret, size_t *ret_size) {
        assert(ret);
        assert(ret_size);

        size_t n = service ? strlen(service) : 0;
        /* proto3: an empty string is the default and is not sent at all. */
        if (n == 0)
                return frame_message(NULL, 0, ret, ret_size);
        if (n > UINT32_MAX - 16)
                return -E2BIG;

        size_t len = 1 + varint_size(n) + n;
        _cleanup_free_ uint8_t *msg = malloc(len);
        if (!msg)
                return -ENOMEM;
        msg[0] = 1 << 3 | WIRE_LEN;
        size_t p = 1 + write_varint(msg + 1, n);
        memcpy(msg + p, service, n);
        return frame_message(msg, len, ret, ret_size);
}

typedef struct RequestState {
        const uint8_t *data;
        size_t len;
} RequestState;

static int request_field(int wire, uint64_t varint, const uint8_t *data, size_t len, void *userdata) {
        RequestState *s = userdata;
        /* Go's protobuf reads a field with an unexpected wire type as an unknown field. */
        if (wire != WIRE_LEN)
                return 0;
        /* The last occurrence of a scalar field wins. */
        s->data = data;
        s->len = len;
        return 0;
}

int grpc_health_request_decode(const uint8_t *buf, size_t size, char **ret_service) {
        RequestState s = {};
        const uint8_t *msg;
        size_t len;
        int r;

        assert(buf || size == 0);
        assert(ret_service);

        r = unframe(buf, size, &msg, &len);
        if (r < 0)
                return r;
        r = walk_fields(msg, len, request_field, &s);
        if (r < 0)
                return r;
        if (s.len > 0 && memchr(s.data, 0, s.len))
                return -EBADMSG;
        char *service = strndup(s.len > 0 ? (const char *) s.data : "", s.len);
        if (!service)
                return -ENOMEM;
        *ret_service = service;
        return 0;
}

static int response_field(int wire, uint64_t varint, const uint8_t *data, size_t len, void *userdata) {
        int32_t *status = userdata;
        if (wire != WIRE_VARINT)
                return 0;
        /* An enum is an int32 on the wire, sign-extended to 64 bits when negative: keep the low 32. */
        *status = (int32_t) (uint32_t) varint;
        return 0;
}

int grpc_health_response_decode(const uint8_t *buf, size_t size, int32_t *ret_status) {
        int32_t status = GRPC_SERVING_STATUS_UNKNOWN;
        const uint8_t *msg;
        size_t len;
        int r;

        assert(buf || size == 0);
        assert(ret_status);

        r = unframe(buf, size, &msg, &len);
        if (r < 0)
                return r;
        r = walk_fields(msg, len, response_field, &status);
        if (r < 0)
                return r;
        *ret_status = status;
        return 0;
}

int grpc_health_response_encode(int32_t status, uint8_t **ret, size_t *ret_size) {
        uint8_t msg[1 + 10];
        size_t len = 0;

        assert(ret);
        assert(ret_size);

        if (status != 0) {
                msg[0] = 1 << 3 | WIRE_VARINT;
                len = 1 + write_varint(msg + 1, (uint64_t) (int64_t) status);
        }
        return frame_message(msg, len, ret, ret_size);
}

const char *grpc_serving_status_to_string(int32_t status, char buf[static 12]) {
        static const char *const names[] = {
                [GRPC_SERVING_STATUS_UNKNOWN] = "UNKNOWN",
                [GRPC_SERVING_STATUS_SERVING] = "SERVING",
                [GRPC_SERVING_STATUS_NOT_SERVING] = "NOT_SERVING",
                [GRPC_SERVING_STATUS_SERVICE_UNKNOWN] = "SERVICE_UNKNOWN",
        };

        if (status >= 0 && (size_t) status < ELEMENTSOF(names))
                return names[status];
        (void) snprintf(buf, 12, "%" PRId32, status);
        return buf;
}
