/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sha256.h"
#include "string-util.h"
#include "tests.h"

/* FIPS 180-4 / NIST CAVP vectors, and lengths around the padding boundary (55, 56, 63, 64 bytes) checked
 * against sha256sum. */
static const struct {
        const char *input;
        size_t repeat;
        const char *hex;
} vectors[] = {
        { "", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { "abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
        { "a", 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
        { "a", 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
        { "a", 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
        { "a", 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
        { "a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
};

TEST(vectors) {
        for (size_t i = 0; i < ELEMENTSOF(vectors); i++) {
                size_t l = strlen(vectors[i].input);
                char *buf = malloc(l * vectors[i].repeat + 1);
                ASSERT_NOT_NULL(buf);
                for (size_t j = 0; j < vectors[i].repeat; j++)
                        memcpy(buf + j * l, vectors[i].input, l);

                char hex[SHA256_DIGEST_SIZE * 2 + 1];
                sha256_hex(buf, l * vectors[i].repeat, hex);
                if (!streq(hex, vectors[i].hex))
                        free(buf);
                ASSERT_STREQ(hex, vectors[i].hex);

                /* Fed in odd-sized pieces, the digest is the same. */
                static const size_t pieces[] = { 1, 3, 63, 64, 65, 1000 };
                for (size_t p = 0; p < ELEMENTSOF(pieces); p++) {
                        Sha256 c;
                        uint8_t d[SHA256_DIGEST_SIZE], e[SHA256_DIGEST_SIZE];
                        sha256_init(&c);
                        for (size_t off = 0; off < l * vectors[i].repeat; off += pieces[p])
                                sha256_update(&c, buf + off, MIN(pieces[p], l * vectors[i].repeat - off));
                        sha256_final(&c, d);
                        for (size_t k = 0; k < SHA256_DIGEST_SIZE; k++)
                                e[k] = (uint8_t) (unhexchar(vectors[i].hex[2 * k]) << 4 | unhexchar(vectors[i].hex[2 * k + 1]));
                        if (memcmp(d, e, sizeof d) != 0)
                                free(buf);
                        ASSERT_TRUE(memcmp(d, e, sizeof d) == 0);
                }
                free(buf);
        }
}
