/* test_compress.c — content codings: Accept-Encoding parsing (q values, q=0 refuses, "*",
 * identity;q=0, whitespace, case, malformed elements), which types are compressible, the
 * per-encoding ETags, and round trips through zlib's and brotli's own decoders. */
#include "http/compress.h"
#include <brotli/decode.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>

#define ALL COMPRESS_ALL
#define GZ_ONLY COMPRESS_BIT(COMPRESS_GZIP)
#define BR_ONLY COMPRESS_BIT(COMPRESS_BR)

static void test_choose_basics(void **state)
{
    (void)state;
    assert_int_equal(compress_choose(NULL, ALL), COMPRESS_IDENTITY);
    assert_int_equal(compress_choose("", ALL), COMPRESS_IDENTITY);
    assert_int_equal(compress_choose("gzip", ALL), COMPRESS_GZIP);
    assert_int_equal(compress_choose("br", ALL), COMPRESS_BR);
    assert_int_equal(compress_choose("x-gzip", ALL), COMPRESS_GZIP);
    /* What browsers and Node's fetch send: br preferred over gzip. */
    assert_int_equal(compress_choose("gzip, deflate, br", ALL), COMPRESS_BR);
    assert_int_equal(compress_choose("gzip, deflate, br, zstd", ALL), COMPRESS_BR);
    assert_int_equal(compress_choose("deflate", ALL), COMPRESS_IDENTITY);
    assert_int_equal(compress_choose("identity", ALL), COMPRESS_IDENTITY);
    /* Only what is available. */
    assert_int_equal(compress_choose("gzip, br", GZ_ONLY), COMPRESS_GZIP);
    assert_int_equal(compress_choose("gzip, br", BR_ONLY), COMPRESS_BR);
    assert_int_equal(compress_choose("gzip, br", 0), COMPRESS_IDENTITY);
    assert_int_equal(compress_choose("br", GZ_ONLY), COMPRESS_IDENTITY);
    /* Not a substring match. */
    assert_int_equal(compress_choose("gzipx, brotli", ALL), COMPRESS_IDENTITY);
    assert_int_equal(compress_choose("xgzip", ALL), COMPRESS_IDENTITY);
}

static void test_choose_q(void **state)
{
    (void)state;
    assert_int_equal(compress_choose("gzip;q=0", ALL), COMPRESS_IDENTITY);
    assert_int_equal(compress_choose("gzip;q=0.0", ALL), COMPRESS_IDENTITY);
    assert_int_equal(compress_choose("gzip;q=0.000", ALL), COMPRESS_IDENTITY);
    assert_int_equal(compress_choose("gzip;q=0.001", ALL), COMPRESS_GZIP);
    assert_int_equal(compress_choose("br;q=0, gzip", ALL), COMPRESS_GZIP);
    assert_int_equal(compress_choose("br;q=0, gzip;q=0", ALL), COMPRESS_IDENTITY);
    /* The highest q wins, br only on a tie. */
    assert_int_equal(compress_choose("gzip;q=1.0, br;q=0.5", ALL), COMPRESS_GZIP);
    assert_int_equal(compress_choose("gzip;q=0.5, br;q=0.8", ALL), COMPRESS_BR);
    assert_int_equal(compress_choose("gzip;q=0.5, br;q=0.5", ALL), COMPRESS_BR);
    assert_int_equal(compress_choose("br;q=0.999, gzip", ALL), COMPRESS_GZIP);
    assert_int_equal(compress_choose("gzip;q=1, br;q=1.000", ALL), COMPRESS_BR);
    /* A refused preferred coding falls back to the other one when it is available. */
    assert_int_equal(compress_choose("br;q=0.9, gzip;q=0.1", GZ_ONLY), COMPRESS_GZIP);
    /* The first mention counts. */
    assert_int_equal(compress_choose("gzip;q=0, gzip", ALL), COMPRESS_IDENTITY);
}

static void test_choose_star_identity(void **state)
{
    (void)state;
    assert_int_equal(compress_choose("*", ALL), COMPRESS_BR);
    assert_int_equal(compress_choose("*", GZ_ONLY), COMPRESS_GZIP);
    assert_int_equal(compress_choose("*;q=0", ALL), COMPRESS_IDENTITY);
    /* A named coding beats "*", in both directions. */
    assert_int_equal(compress_choose("gzip, *;q=0", ALL), COMPRESS_GZIP);
    assert_int_equal(compress_choose("br;q=0, *", ALL), COMPRESS_GZIP);
    assert_int_equal(compress_choose("*, br;q=0, gzip;q=0", ALL), COMPRESS_IDENTITY);
    assert_int_equal(compress_choose("gzip;q=0.5, *;q=0.8", ALL), COMPRESS_BR);
    /* identity;q=0 refuses identity, not the codings. */
    assert_int_equal(compress_choose("identity;q=0", ALL), COMPRESS_IDENTITY);
    assert_int_equal(compress_choose("gzip, identity;q=0", ALL), COMPRESS_GZIP);
    assert_int_equal(compress_choose("identity;q=0, *", GZ_ONLY), COMPRESS_GZIP);
}

static void test_choose_syntax(void **state)
{
    (void)state;
    /* Whitespace around elements and parameters, and case of tokens and of q. */
    assert_int_equal(compress_choose("  gzip  ,  br ; q=0  ", ALL), COMPRESS_GZIP);
    assert_int_equal(compress_choose("\tGZIP\t", ALL), COMPRESS_GZIP);
    assert_int_equal(compress_choose("Br", ALL), COMPRESS_BR);
    assert_int_equal(compress_choose("gzip;Q=0", ALL), COMPRESS_IDENTITY);
    assert_int_equal(compress_choose("gzip ;q = 0", ALL), COMPRESS_IDENTITY);
    assert_int_equal(compress_choose(",,gzip,,", ALL), COMPRESS_GZIP);
    assert_int_equal(compress_choose("gzip;level=9;q=0", ALL), COMPRESS_IDENTITY);
    assert_int_equal(compress_choose("gzip;q=0;level=9", ALL), COMPRESS_IDENTITY);
    /* Malformed q values: the element is ignored as if it had not been sent. */
    assert_int_equal(compress_choose("gzip;q=2", ALL), COMPRESS_IDENTITY);
    assert_int_equal(compress_choose("gzip;q=1.5", ALL), COMPRESS_IDENTITY);
    assert_int_equal(compress_choose("gzip;q=0.0001", ALL), COMPRESS_IDENTITY);
    assert_int_equal(compress_choose("gzip;q=-1", ALL), COMPRESS_IDENTITY);
    assert_int_equal(compress_choose("gzip;q=", ALL), COMPRESS_IDENTITY);
    assert_int_equal(compress_choose("gzip;q", ALL), COMPRESS_IDENTITY);
    assert_int_equal(compress_choose("gzip;q=abc, br", ALL), COMPRESS_BR);
    assert_int_equal(compress_choose("br;q=x, gzip", ALL), COMPRESS_GZIP);
    assert_int_equal(compress_choose(";;;,=,;q=0", ALL), COMPRESS_IDENTITY);
    /* A long hostile value ends. */
    char big[8192];
    memset(big, ',', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big + 4000, "gzip", 4);
    assert_int_equal(compress_choose(big, ALL), COMPRESS_GZIP);
}

/* Random values made of the grammar's own characters: every one parses to a valid choice, and
 * ASan sees any read past the end. Deterministic seed, bounded loop. */
static void test_choose_random(void **state)
{
    (void)state;
    static const char alphabet[] = ",; \t=q0.15*gzipbrxidentyQ-\"";
    unsigned x = 2024;
    for (int i = 0; i < 200000; i++) {
        char s[40];
        x = x * 1103515245u + 12345u;
        size_t n = (x >> 16) % sizeof s;
        for (size_t j = 0; j < n; j++) {
            x = x * 1103515245u + 12345u;
            s[j] = alphabet[(x >> 16) % (sizeof alphabet - 1)];
        }
        s[n] = '\0';
        char *heap = malloc(n + 1); /* exact size, so that ASan catches a read past the NUL */
        memcpy(heap, s, n + 1);
        enum compress_encoding e = compress_choose(heap, (x >> 8) & 6u);
        assert_true(e == COMPRESS_IDENTITY || e == COMPRESS_GZIP || e == COMPRESS_BR);
        if (e != COMPRESS_IDENTITY)
            assert_true(((x >> 8) & 6u) & COMPRESS_BIT(e));
        free(heap);
    }
}

static void test_types(void **state)
{
    (void)state;
    assert_true(compress_type_compressible(NULL));
    assert_true(compress_type_compressible("text/html; charset=utf-8"));
    assert_true(compress_type_compressible("text/css; charset=utf-8"));
    assert_true(compress_type_compressible("text/javascript; charset=utf-8"));
    assert_true(compress_type_compressible("application/json"));
    assert_true(compress_type_compressible("application/problem+json"));
    assert_true(compress_type_compressible("image/svg+xml; charset=utf-8"));
    assert_true(compress_type_compressible("TEXT/PLAIN"));
    assert_false(compress_type_compressible("image/png"));
    assert_false(compress_type_compressible("image/x-icon"));
    assert_false(compress_type_compressible("application/octet-stream"));
    assert_false(compress_type_compressible("application/gzip"));
    assert_false(compress_type_compressible("image/jpeg; name=json"));
}

static void test_etag(void **state)
{
    (void)state;
    char out[COMPRESS_ETAG_SIZE];
    compress_etag("\"0123456789abcdef\"", COMPRESS_GZIP, out);
    assert_string_equal(out, "\"0123456789abcdef-gz\"");
    compress_etag("\"0123456789abcdef\"", COMPRESS_BR, out);
    assert_string_equal(out, "\"0123456789abcdef-br\"");
    compress_etag("\"0123456789abcdef\"", COMPRESS_IDENTITY, out);
    assert_string_equal(out, "\"0123456789abcdef\"");
    compress_etag("", COMPRESS_BR, out);
    assert_string_equal(out, "");
    assert_string_equal(compress_token(COMPRESS_GZIP), "gzip");
    assert_string_equal(compress_token(COMPRESS_BR), "br");
    assert_null(compress_token(COMPRESS_IDENTITY));
}

/* A page-like body: repetitive HTML with some varying numbers. */
static char *sample(size_t n)
{
    char *s = malloc(n + 1);
    size_t i = 0;
    for (int k = 0; i < n; k++) {
        char line[128];
        int m = snprintf(line, sizeof line,
                         "<li class=\"card\"><h3><a href=\"/innovations/x-%d\">Épicerie %d</a>"
                         "</h3></li>\n",
                         k, k * 7919 % 1000);
        for (int j = 0; j < m && i < n; j++)
            s[i++] = line[j];
    }
    s[n] = '\0';
    return s;
}

static void gunzip_equal(const char *z, size_t zlen, const char *want, size_t n)
{
    assert_true(zlen >= 18);
    assert_int_equal((unsigned char)z[0], 0x1f); /* gzip magic, not a zlib stream */
    assert_int_equal((unsigned char)z[1], 0x8b);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(inflateInit2(&zs, 16 + 15), Z_OK);
    char *out = malloc(n + 16);
    zs.next_in = (Bytef *)z;
    zs.avail_in = (uInt)zlen;
    zs.next_out = (Bytef *)out;
    zs.avail_out = (uInt)(n + 16);
    assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
    assert_int_equal(zs.total_out, n);
    assert_memory_equal(out, want, n);
    inflateEnd(&zs);
    free(out);
}

static void unbrotli_equal(const char *z, size_t zlen, const char *want, size_t n)
{
    size_t outlen = n + 16;
    uint8_t *out = malloc(outlen);
    assert_int_equal(BrotliDecoderDecompress(zlen, (const uint8_t *)z, &outlen, out),
                     BROTLI_DECODER_RESULT_SUCCESS);
    assert_int_equal(outlen, n);
    assert_memory_equal(out, want, n);
    free(out);
}

static void test_round_trips(void **state)
{
    (void)state;
    const size_t sizes[] = {1024, 5000, 16600, 70000, 300000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        char *s = sample(n);
        for (int eff = COMPRESS_DYNAMIC; eff <= COMPRESS_STATIC; eff++) {
            if (eff == COMPRESS_STATIC && n > 100000)
                continue; /* brotli 11 on large bodies takes seconds: start-up assets are small */
            size_t zlen = 0;
            char *z = compress_encode(COMPRESS_GZIP, (enum compress_effort)eff, s, n, &zlen);
            assert_non_null(z);
            assert_true(zlen < n / 2);
            gunzip_equal(z, zlen, s, n);
            free(z);
            z = compress_encode(COMPRESS_BR, (enum compress_effort)eff, s, n, &zlen);
            assert_non_null(z);
            assert_true(zlen < n / 2);
            unbrotli_equal(z, zlen, s, n);
            free(z);
        }
        struct compress_variants v;
        compress_variants_build(&v, "text/html; charset=utf-8", COMPRESS_CACHED, s, n);
        assert_int_equal(compress_variants_mask(&v), COMPRESS_ALL);
        assert_null(v.data[COMPRESS_IDENTITY]);
        gunzip_equal(v.data[COMPRESS_GZIP], v.len[COMPRESS_GZIP], s, n);
        unbrotli_equal(v.data[COMPRESS_BR], v.len[COMPRESS_BR], s, n);
        compress_variants_free(&v);
        assert_int_equal(compress_variants_mask(&v), 0);
        free(s);
    }
}

static void test_not_smaller(void **state)
{
    (void)state;
    /* Random bytes do not shrink: no variant, whatever the type says. */
    unsigned char rnd[4096];
    unsigned x = 12345;
    for (size_t i = 0; i < sizeof rnd; i++) {
        x = x * 1103515245u + 12345u;
        rnd[i] = (unsigned char)(x >> 16);
    }
    size_t zlen = 99;
    assert_null(compress_encode(COMPRESS_GZIP, COMPRESS_STATIC, rnd, sizeof rnd, &zlen));
    assert_null(compress_encode(COMPRESS_BR, COMPRESS_STATIC, rnd, sizeof rnd, &zlen));
    assert_null(compress_encode(COMPRESS_GZIP, COMPRESS_DYNAMIC, "", 0, &zlen));
    assert_null(compress_encode(COMPRESS_IDENTITY, COMPRESS_DYNAMIC, "abc", 3, &zlen));
    /* Two bytes cannot be made smaller with a gzip header. */
    assert_null(compress_encode(COMPRESS_GZIP, COMPRESS_DYNAMIC, "ab", 2, &zlen));
    struct compress_variants v;
    compress_variants_build(&v, "text/plain", COMPRESS_CACHED, rnd, sizeof rnd);
    assert_int_equal(compress_variants_mask(&v), 0);
    compress_variants_free(&v);
    /* A PNG is never compressed, even when it would shrink. */
    char *s = sample(8000);
    compress_variants_build(&v, "image/png", COMPRESS_STATIC, s, 8000);
    assert_int_equal(compress_variants_mask(&v), 0);
    compress_variants_free(&v);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_choose_basics),
        cmocka_unit_test(test_choose_q),
        cmocka_unit_test(test_choose_star_identity),
        cmocka_unit_test(test_choose_syntax),
        cmocka_unit_test(test_choose_random),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_etag),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_not_smaller),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
