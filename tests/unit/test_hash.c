/* test_hash.c — unit tests for the ETag hash (util/hash): the same bytes always give the same
 * value whatever their address, and every length and every single bit changes it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/hash.h"
#include <stdlib.h>
#include <string.h>

static void test_hash_words(void **state)
{
    (void)state;
    unsigned char data[300];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 7 + 3);
    /* Alignment does not matter: the bytes alone decide. */
    unsigned char *shifted = malloc(sizeof data + 8);
    for (int off = 0; off < 8; off++) {
        memcpy(shifted + off, data, sizeof data);
        assert_true(hash_words64(shifted + off, sizeof data) == hash_words64(data, sizeof data));
    }
    free(shifted);
    /* Every length from 0 to 300 gives a different value (the lengths of the tail too). */
    unsigned long long seen[301];
    for (size_t n = 0; n <= sizeof data; n++) {
        seen[n] = hash_words64(data, n);
        for (size_t m = 0; m < n; m++)
            assert_true(seen[m] != seen[n]);
    }
    /* Zeros of different lengths differ (the length is part of the hash). */
    unsigned char zeros[64] = {0};
    assert_true(hash_words64(zeros, 31) != hash_words64(zeros, 32));
    assert_true(hash_words64(zeros, 32) != hash_words64(zeros, 33));
    /* Flipping any one bit changes the value, in the body and in the tail. */
    unsigned long long base = hash_words64(data, 100);
    for (size_t i = 0; i < 100; i++)
        for (int bit = 0; bit < 8; bit++) {
            data[i] ^= (unsigned char)(1u << bit);
            assert_true(hash_words64(data, 100) != base);
            data[i] ^= (unsigned char)(1u << bit);
        }
    char etag[24];
    hash_etag("abc", 3, etag);
    assert_int_equal(strlen(etag), 18);
    assert_true(etag[0] == '"' && etag[17] == '"');
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_hash_words)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
