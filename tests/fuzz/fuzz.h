/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Every fuzz target implements libFuzzer's entry point. With -Dfuzzer=true it links against libFuzzer;
 * otherwise fuzz-main.c drives it over the seed corpus, so every seed and every crash reproducer ever
 * found runs as an ordinary test. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
