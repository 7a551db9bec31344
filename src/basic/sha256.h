/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* SHA-256 (FIPS 180-4), small and dependency-free: podd hashes manifest objects to tell "changed" from
 * "unchanged", which needs a digest that does not collide by accident, not a crypto library. */

#define SHA256_DIGEST_SIZE 32

typedef struct Sha256 {
        uint32_t state[8];
        uint64_t length; /* bytes hashed so far */
        uint8_t buffer[64];
        size_t buffer_len;
} Sha256;

void sha256_init(Sha256 *c);
void sha256_update(Sha256 *c, const void *data, size_t len);
void sha256_final(Sha256 *c, uint8_t ret[static SHA256_DIGEST_SIZE]);
/* Lower-case hex of the digest of data; ret needs 65 bytes. */
void sha256_hex(const void *data, size_t len, char ret[static SHA256_DIGEST_SIZE * 2 + 1]);
