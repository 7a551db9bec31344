/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/* The messages of grpc.health.v1.Health/Check in gRPC's length-prefixed framing (one byte "compressed",
 * four bytes big-endian length, then the protobuf bytes). Pure: bytes in, values out, robust against any
 * input (unknown fields skipped, truncated or malformed frames rejected). */

typedef enum GrpcServingStatus {
        GRPC_SERVING_STATUS_UNKNOWN = 0,
        GRPC_SERVING_STATUS_SERVING = 1,
        GRPC_SERVING_STATUS_NOT_SERVING = 2,
        GRPC_SERVING_STATUS_SERVICE_UNKNOWN = 3,
} GrpcServingStatus;

/* The header of a gRPC message frame. */
#define GRPC_FRAME_HEADER_SIZE 5

/* Frames HealthCheckRequest{service}. -ENOMEM; -E2BIG for a service that no frame can carry. */
int grpc_health_request_encode(const char *service, uint8_t **ret, size_t *ret_size);
/* The inverse, for tests and the fuzzer: *ret_service is NUL-terminated (a NUL inside is -EBADMSG). */
int grpc_health_request_decode(const uint8_t *buf, size_t size, char **ret_service);

/* Decodes a whole response body: exactly one uncompressed frame holding HealthCheckResponse. *ret_status
 * is the status as sent (proto3 enums are open: any int32, absent = UNKNOWN). -ENODATA: empty body;
 * -EBADMSG: truncated or malformed frame, or bytes after it; -EPROTONOSUPPORT: a compressed frame (we never
 * offer an encoding). */
int grpc_health_response_decode(const uint8_t *buf, size_t size, int32_t *ret_status);
/* Frames HealthCheckResponse{status} (for tests and the fuzzer). */
int grpc_health_response_encode(int32_t status, uint8_t **ret, size_t *ret_size);

/* The enum's name as Go's generated String() gives it: "SERVING", …, or the number for an unknown value.
 * Writes into buf (at least 12 bytes) and returns it. */
const char *grpc_serving_status_to_string(int32_t status, char buf[static 12]);
