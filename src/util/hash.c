/* hash.c — FNV-1a: cheap, and a collision only costs a wasted 200 instead of a 304. */
#include "util/hash.h"
#include <stdio.h>

unsigned long long hash_fnv64(const void *p, size_t n)
{
    const unsigned char *s = p;
    unsigned long long h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

void hash_etag(const void *p, size_t n, char out[24])
{
    snprintf(out, 24, "\"%016llx\"", hash_fnv64(p, n));
}
