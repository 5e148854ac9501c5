/* compress.c — gzip (zlib) and brotli encoding of response bodies, the Accept-Encoding parser
 * (RFC 9110 §12.5.3) and the variants of a body kept by the page cache and the static assets.
 * Nothing here knows about requests or libmicrohttpd: callers pass header values and bytes. */
#include "http/compress.h"
#include "util/mem.h"
#include <brotli/encode.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

/* ---- Accept-Encoding ---------------------------------------------------------------------- */

static bool compress_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* A qvalue ("0", "0.5", "1.000") as thousandths, or -1 when malformed. */
static int compress_parse_q(const char *s, size_t n)
{
    if (n == 0 || (s[0] != '0' && s[0] != '1'))
        return -1;
    int q = (s[0] - '0') * 1000;
    if (n == 1)
        return q;
    if (s[1] != '.' || n > 5)
        return -1;
    int scale = 100;
    for (size_t i = 2; i < n; i++, scale /= 10) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        q += (s[i] - '0') * scale;
    }
    return q > 1000 ? -1 : q;
}

/* The q of one element's parameters (text after the coding, up to the next comma): 1000 when
 * there is no q, -1 when it is malformed. */
static int compress_element_q(const char *p, const char *end)
{
    int q = 1000;
    while (p < end) {
        while (p < end && (compress_ows(*p) || *p == ';'))
            p++;
        const char *name = p;
        while (p < end && *p != '=' && *p != ';' && !compress_ows(*p))
            p++;
        size_t nlen = (size_t)(p - name);
        while (p < end && compress_ows(*p))
            p++;
        if (p >= end || *p != '=') {
            if (nlen == 1 && (*name == 'q' || *name == 'Q'))
                return -1; /* "q" without a value */
            continue;
        }
        p++;
        while (p < end && compress_ows(*p))
            p++;
        const char *val = p;
        while (p < end && *p != ';' && !compress_ows(*p))
            p++;
        if (nlen == 1 && (*name == 'q' || *name == 'Q'))
            q = compress_parse_q(val, (size_t)(p - val));
        if (q < 0)
            return -1;
    }
    return q;
}

enum compress_encoding compress_choose(const char *accept_encoding, unsigned available)
{
    if (!accept_encoding)
        return COMPRESS_IDENTITY;
    int q_gzip = -1, q_br = -1, q_star = -1; /* -1: not named */
    const char *p = accept_encoding;
    while (*p) {
        while (compress_ows(*p) || *p == ',')
            p++;
        if (!*p)
            break;
        const char *tok = p;
        while (*p && *p != ',' && *p != ';' && !compress_ows(*p))
            p++;
        size_t tlen = (size_t)(p - tok);
        const char *params = p;
        while (*p && *p != ',')
            p++;
        int q = compress_element_q(params, p);
        if (q < 0)
            continue; /* a malformed element is ignored, as if it had not been sent */
        int *slot = NULL;
        if (tlen == 2 && strncasecmp(tok, "br", 2) == 0)
            slot = &q_br;
        else if ((tlen == 4 && strncasecmp(tok, "gzip", 4) == 0) ||
                 (tlen == 6 && strncasecmp(tok, "x-gzip", 6) == 0))
            slot = &q_gzip;
        else if (tlen == 1 && *tok == '*')
            slot = &q_star;
        if (slot && *slot < 0)
            *slot = q; /* the first mention counts */
    }
    int eff_br = q_br >= 0 ? q_br : q_star > 0 ? q_star : 0;
    int eff_gzip = q_gzip >= 0 ? q_gzip : q_star > 0 ? q_star : 0;
    if (!(available & COMPRESS_BIT(COMPRESS_BR)))
        eff_br = 0;
    if (!(available & COMPRESS_BIT(COMPRESS_GZIP)))
        eff_gzip = 0;
    if (eff_br > 0 && eff_br >= eff_gzip)
        return COMPRESS_BR;
    if (eff_gzip > 0)
        return COMPRESS_GZIP;
    return COMPRESS_IDENTITY;
}

/* ---- types, tokens, ETags ----------------------------------------------------------------- */

bool compress_type_compressible(const char *content_type)
{
    if (!content_type)
        return true; /* responses default to text/html */
    if (strncasecmp(content_type, "text/", 5) == 0)
        return true;
    /* application/json, application/javascript, image/svg+xml, application/xml, …+json */
    static const char *const marks[] = {"json", "javascript", "xml"};
    size_t tlen = strcspn(content_type, ";");
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        size_t ml = strlen(marks[i]);
        for (size_t j = 0; j + ml <= tlen; j++)
            if (strncasecmp(content_type + j, marks[i], ml) == 0)
                return true;
    }
    return false;
}

const char *compress_token(enum compress_encoding e)
{
    switch (e) {
    case COMPRESS_GZIP:
        return "gzip";
    case COMPRESS_BR:
        return "br";
    default:
        return NULL;
    }
}

void compress_etag(const char *etag, enum compress_encoding e, char out[COMPRESS_ETAG_SIZE])
{
    size_t n = strlen(etag);
    const char *suffix = e == COMPRESS_GZIP ? "-gz" : e == COMPRESS_BR ? "-br" : "";
    /* The suffix goes inside the closing quote; a tag too long or not quoted stays as it is. */
    if (!*suffix || n < 2 || etag[n - 1] != '"' || n + 3 >= COMPRESS_ETAG_SIZE) {
        size_t m = n < COMPRESS_ETAG_SIZE - 1 ? n : COMPRESS_ETAG_SIZE - 1;
        memcpy(out, etag, m);
        out[m] = '\0';
        return;
    }
    memcpy(out, etag, n - 1);
    memcpy(out + n - 1, suffix, 3);
    out[n + 2] = '"';
    out[n + 3] = '\0';
}

/* ---- encoders ----------------------------------------------------------------------------- */

static char *compress_gzip(int level, const void *in, size_t n, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    /* windowBits 15 + 16: a gzip header and trailer instead of zlib's. memLevel 8 is zlib's
     * default; 9 buys little for pages of a few KB. */
    if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    uLong bound = deflateBound(&zs, (uLong)n);
    char *out = xmalloc(bound);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)n;
    zs.next_out = (Bytef *)out;
    zs.avail_out = (uInt)bound;
    int rc = deflate(&zs, Z_FINISH);
    size_t len = zs.total_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END || len >= n) {
        free(out);
        return NULL;
    }
    *out_len = len;
    return xrealloc(out, len ? len : 1);
}

static char *compress_brotli(int quality, const void *in, size_t n, size_t *out_len)
{
    /* The smallest window that holds the whole body: less memory and time for small pages. */
    int lgwin = BROTLI_MIN_WINDOW_BITS;
    while (lgwin < BROTLI_MAX_WINDOW_BITS && ((size_t)1 << lgwin) - 16 < n)
        lgwin++;
    size_t cap = BrotliEncoderMaxCompressedSize(n);
    if (cap == 0)
        return NULL;
    char *out = xmalloc(cap);
    size_t len = cap;
    if (!BrotliEncoderCompress(quality, lgwin, BROTLI_MODE_TEXT, n, (const uint8_t *)in, &len,
                               (uint8_t *)out) ||
        len >= n) {
        free(out);
        return NULL;
    }
    *out_len = len;
    return xrealloc(out, len ? len : 1);
}

char *compress_encode(enum compress_encoding e, enum compress_effort effort, const void *in,
                      size_t n, size_t *out_len)
{
    if (n == 0 || n > (size_t)1 << 30)
        return NULL;
    switch (e) {
    case COMPRESS_GZIP:
        return compress_gzip(effort == COMPRESS_DYNAMIC ? 5 : 9, in, n, out_len);
    case COMPRESS_BR:
        return compress_brotli(effort == COMPRESS_DYNAMIC  ? 4
                               : effort == COMPRESS_CACHED ? 9
                                                           : 11,
                               in, n, out_len);
    default:
        return NULL;
    }
}

/* ---- variants ----------------------------------------------------------------------------- */

void compress_variants_build(struct compress_variants *v, const char *content_type,
                             enum compress_effort effort, const void *in, size_t n)
{
    memset(v, 0, sizeof *v);
    if (!compress_type_compressible(content_type))
        return;
    for (int e = COMPRESS_GZIP; e < COMPRESS_COUNT; e++)
        v->data[e] = compress_encode((enum compress_encoding)e, effort, in, n, &v->len[e]);
}

unsigned compress_variants_mask(const struct compress_variants *v)
{
    unsigned mask = 0;
    for (int e = COMPRESS_GZIP; e < COMPRESS_COUNT; e++)
        if (v->data[e])
            mask |= COMPRESS_BIT(e);
    return mask;
}

void compress_variants_free(struct compress_variants *v)
{
    for (int e = 0; e < COMPRESS_COUNT; e++) {
        free(v->data[e]);
        v->data[e] = NULL;
        v->len[e] = 0;
    }
}
