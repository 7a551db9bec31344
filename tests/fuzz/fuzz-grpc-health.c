/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The grpc.health.v1 codec reads bytes from any server: it must never crash, and whatever it accepts must
 * survive a round trip through the encoder. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "grpc-health.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t *f = NULL;
        size_t n = 0;
        int32_t status, status2;
        char *service = NULL, *service2 = NULL;
        char buf[12];

        if (grpc_health_response_decode(data, size, &status) >= 0) {
                if (!grpc_serving_status_to_string(status, buf))
                        abort();
                if (grpc_health_response_encode(status, &f, &n) >= 0) {
                        if (grpc_health_response_decode(f, n, &status2) < 0 || status2 != status)
                                abort();
                        free(f);
                }
        }

        if (grpc_health_request_decode(data, size, &service) >= 0) {
                if (grpc_health_request_encode(service, &f, &n) >= 0) {
                        if (grpc_health_request_decode(f, n, &service2) < 0 || strcmp(service, service2) != 0)
                                abort();
                        free(service2);
                        free(f);
                }
                free(service);
        }
        return 0;
}
