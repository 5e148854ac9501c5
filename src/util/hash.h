/* hash.h — the one non-cryptographic hash (FNV-1a, 64 bits), for ETags and fingerprints. */
#ifndef FOISON_HASH_H
#define FOISON_HASH_H
#include <stddef.h>

unsigned long long hash_fnv64(const void *p, size_t n);
/* Writes the quoted ETag of p[0..n) into out (at least 20 bytes). */
void hash_etag(const void *p, size_t n, char out[24]);

#endif
