/* hash.h — non-cryptographic hashes: FNV-1a (64 bits) for fingerprints, a faster word-at-a-time
 * 64-bit hash for ETags of whole answers. */
#ifndef FOISON_HASH_H
#define FOISON_HASH_H
#include <stddef.h>

unsigned long long hash_fnv64(const void *p, size_t n);
/* Reads p 8 bytes at a time (any alignment); the same bytes always give the same value. */
unsigned long long hash_words64(const void *p, size_t n);
/* Writes the quoted ETag of p[0..n) into out (at least 20 bytes). */
void hash_etag(const void *p, size_t n, char out[24]);

#endif
