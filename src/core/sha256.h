/* SHA-256 (FIPS 180-4) of a buffer in memory, as lowercase hex: what an
 * auditor compares with sha256sum(1) to know which file was imported. The
 * privileged binary links no crypto library for this one use. */
#ifndef OBSENV_SHA256_H
#define OBSENV_SHA256_H

#include <stddef.h>

#define SHA256_HEX 64

void sha256_hex(const void *data, size_t len, char out[SHA256_HEX + 1]);

#endif
