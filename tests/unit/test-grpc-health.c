/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "grpc-health.h"
#include "tests.h"

typedef struct RequestCase {
        const char *service;
        const char *frame; /* hex */
} RequestCase;

static size_t unhex(const char *s, uint8_t *out) {
        size_t n = 0;
        for (; s[0] && s[1]; s += 2) {
                unsigned v;
                ASSERT_EQ(sscanf(s, "%2x", &v), 1);
                out[n++] = (uint8_t) v;
        }
        return n;
}

/* The bytes grpc-go puts on the wire for these requests. */
static const RequestCase request_cases[] = {
        { "", "0000000000" },
        { "a", "0000000003" "0a0161" },
        { "grpc.health.v1.Health", "0000000017" "0a15" "677270632e6865616c74682e76312e4865616c7468" },
};

TEST(request_encode) {
        for (size_t i = 0; i < ELEMENTSOF(request_cases); i++) {
                const RequestCase *t = &request_cases[i];
                uint8_t want[256], *got = NULL;
                size_t n = unhex(t->frame, want), got_size = 0;
                char *back = NULL;

                ASSERT_OK(grpc_health_request_encode(t->service, &got, &got_size));
                ASSERT_EQ(got_size, n);
                ASSERT_TRUE(memcmp(got, want, n) == 0);
                ASSERT_OK(grpc_health_request_decode(got, got_size, &back));
                ASSERT_STREQ(back, t->service);
                free(back);
                free(got);
        }
}

TEST(request_long_service) {
        /* 300 bytes need a two-byte length varint. */
        char service[301];
        memset(service, 'x', 300);
        service[300] = '\0';
        uint8_t *f = NULL;
        size_t n = 0;
        char *back = NULL;
        ASSERT_OK(grpc_health_request_encode(service, &f, &n));
        ASSERT_EQ(n, 5u + 1 + 2 + 300);
        ASSERT_EQ(f[5], 0x0a);
        ASSERT_EQ(f[6], 0xac);
        ASSERT_EQ(f[7], 0x02);
        ASSERT_OK(grpc_health_request_decode(f, n, &back));
        ASSERT_STREQ(back, service);
        free(back);
        free(f);
}

typedef struct ResponseCase {
        const char *name;
        const char *frame; /* hex */
        int error;         /* 0 or the expected errno */
        int32_t status;
} ResponseCase;

static const ResponseCase response_cases[] = {
        { "serving", "0000000002" "0801", 0, GRPC_SERVING_STATUS_SERVING },
        { "not serving", "0000000002" "0802", 0, GRPC_SERVING_STATUS_NOT_SERVING },
        { "service unknown", "0000000002" "0803", 0, GRPC_SERVING_STATUS_SERVICE_UNKNOWN },
        { "empty message = UNKNOWN", "0000000000", 0, GRPC_SERVING_STATUS_UNKNOWN },
        { "explicit zero", "0000000002" "0800", 0, GRPC_SERVING_STATUS_UNKNOWN },
        { "unknown enum value", "0000000002" "0807", 0, 7 },
        { "negative enum (10-byte varint)", "000000000b" "08ffffffffffffffffff01", 0, -1 },
        { "last occurrence wins", "0000000004" "08020801", 0, GRPC_SERVING_STATUS_SERVING },
        { "unknown varint field skipped", "0000000005" "10aa010801", 0, GRPC_SERVING_STATUS_SERVING },
        { "unknown string field skipped", "0000000006" "1a0268690801", 0, GRPC_SERVING_STATUS_SERVING },
        { "unknown fixed32 skipped", "0000000007" "1d010203040801", 0, GRPC_SERVING_STATUS_SERVING },
        { "unknown fixed64 skipped", "000000000b" "1901020304050607080801", 0, GRPC_SERVING_STATUS_SERVING },
        { "field 1 with another wire type is unknown", "0000000005" "0a01000802", 0,
          GRPC_SERVING_STATUS_NOT_SERVING },
        { "empty body", "", ENODATA, 0 },
        { "short header", "00000000", EBADMSG, 0 },
        { "truncated message", "0000000003" "0801", EBADMSG, 0 },
        { "trailing bytes", "0000000002" "080100", EBADMSG, 0 },
        { "two frames", "0000000002" "0801" "0000000002" "0801", EBADMSG, 0 },
        { "compressed", "0100000002" "0801", EPROTONOSUPPORT, 0 },
        { "bad compressed flag", "0200000002" "0801", EBADMSG, 0 },
        { "varint cut short", "0000000002" "0880", EBADMSG, 0 },
        { "varint too long", "000000000b" "08ffffffffffffffffff7f", EBADMSG, 0 },
        { "length beyond message", "0000000003" "1a0501", EBADMSG, 0 },
        { "fixed32 cut short", "0000000003" "1d0102", EBADMSG, 0 },
        { "field number 0", "0000000002" "0001", EBADMSG, 0 },
        { "group wire type", "0000000002" "0b0c", EBADMSG, 0 },
        { "huge length", "00ffffffff" "08", EBADMSG, 0 },
};

TEST(response_decode) {
        for (size_t i = 0; i < ELEMENTSOF(response_cases); i++) {
                const ResponseCase *t = &response_cases[i];
                uint8_t buf[256];
                size_t n = unhex(t->frame, buf);
                int32_t status = -12345;
                int r = grpc_health_response_decode(buf, n, &status);

                if (t->error != 0) {
                        if (r != -t->error)
                                TEST_FAIL("%s: expected %d, got %d", t->name, -t->error, r);
                        ASSERT_EQ(status, -12345);
                } else {
                        if (r < 0)
                                TEST_FAIL("%s: failed: %d", t->name, r);
                        if (status != t->status)
                                TEST_FAIL("%s: status %d, expected %d", t->name, status, t->status);
                }
        }
}

TEST(response_roundtrip) {
        static const int32_t values[] = { 0, 1, 2, 3, 127, 128, INT32_MAX, -1, INT32_MIN };
        for (size_t i = 0; i < ELEMENTSOF(values); i++) {
                uint8_t *f = NULL;
                size_t n = 0;
                int32_t status = -99;
                ASSERT_OK(grpc_health_response_encode(values[i], &f, &n));
                ASSERT_OK(grpc_health_response_decode(f, n, &status));
                ASSERT_EQ(status, values[i]);
                free(f);
        }
}

TEST(request_decode_rejects) {
        static const char *const bad[] = {
                "0000000003" "0a0161ff", /* trailing */
                "0000000003" "0a0300",   /* string beyond the message */
                "0000000003" "0a0100",   /* NUL in the service */
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                uint8_t buf[64];
                size_t n = unhex(bad[i], buf);
                char *s = NULL;
                ASSERT_ERROR(grpc_health_request_decode(buf, n, &s), EBADMSG);
                ASSERT_NULL(s);
        }
}

TEST(status_names) {
        static const struct {
                int32_t status;
                const char *name;
        } cases[] = {
                { 0, "UNKNOWN" }, { 1, "SERVING" }, { 2, "NOT_SERVING" }, { 3, "SERVICE_UNKNOWN" },
                { 4, "4" }, { -1, "-1" }, { INT32_MIN, "-2147483648" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char buf[12];
                ASSERT_STREQ(grpc_serving_status_to_string(cases[i].status, buf), cases[i].name);
        }
}
