/* compress.h — content codings of responses: which ones a client accepts (Accept-Encoding),
 * which content types are worth compressing, gzip (zlib) and brotli encoders, and the encoded
 * variants of one body, built once for cached pages and static assets. */
#ifndef FOISON_COMPRESS_H
#define FOISON_COMPRESS_H
#include <stdbool.h>
#include <stddef.h>

enum compress_encoding {
    COMPRESS_IDENTITY = 0,
    COMPRESS_GZIP = 1,
    COMPRESS_BR = 2,
    COMPRESS_COUNT = 3,
};

/* Bit of an encoding in an "available" mask. */
#define COMPRESS_BIT(e) (1u << (e))
#define COMPRESS_ALL (COMPRESS_BIT(COMPRESS_GZIP) | COMPRESS_BIT(COMPRESS_BR))

/* Effort levels: a response compressed per request must stay cheap; a cached page or a static
 * asset is compressed once, so it gets more effort (a cache fill still takes about 1 ms). */
enum compress_effort {
    COMPRESS_DYNAMIC, /* gzip 5, brotli 4 */
    COMPRESS_CACHED,  /* gzip 9, brotli 9 */
    COMPRESS_STATIC,  /* gzip 9, brotli 11: start-up only */
};

/* Uncached bodies smaller than this go out as they are: the header costs more than it saves. */
#define COMPRESS_MIN_DYNAMIC 1024

/* The encoding to send among those in available (a mask of COMPRESS_BIT; identity is always
 * possible), given the request's Accept-Encoding value (NULL: none sent). Tokens are
 * case-insensitive, "q=0" refuses a coding, "*" stands for the codings not named, "x-gzip" is
 * gzip; the highest q wins and br wins a tie. COMPRESS_IDENTITY when nothing better is accepted
 * (also when identity itself is refused: sending it beats a 406 for a page). */
enum compress_encoding compress_choose(const char *accept_encoding, unsigned available);

/* True for types whose bodies shrink when compressed: text/..., JSON, JavaScript, XML, SVG.
 * Images such as PNG and already compressed types are false. NULL is HTML (the default). */
bool compress_type_compressible(const char *content_type);

/* "gzip", "br", or NULL for identity: the Content-Encoding value. */
const char *compress_token(enum compress_encoding e);

/* Writes in out the ETag of an encoded variant: "\"hash\"" becomes "\"hash-gz\"" or
 * "\"hash-br\"" (identity: a copy). out must hold COMPRESS_ETAG_SIZE bytes. */
#define COMPRESS_ETAG_SIZE 40
void compress_etag(const char *etag, enum compress_encoding e, char out[COMPRESS_ETAG_SIZE]);

/* Encodes in[0..n) with e at the given effort into a new malloc'd buffer (the caller frees it)
 * and sets *out_len. NULL when the encoder fails or the result is not smaller than the input. */
char *compress_encode(enum compress_encoding e, enum compress_effort effort, const void *in,
                      size_t n, size_t *out_len);

/* The encoded variants of one body: data[COMPRESS_GZIP] and data[COMPRESS_BR] are malloc'd (or
 * NULL when not smaller); data[COMPRESS_IDENTITY] is never set. */
struct compress_variants {
    char *data[COMPRESS_COUNT];
    size_t len[COMPRESS_COUNT];
};

/* Fills v with the gzip and brotli variants of in[0..n) when content_type is compressible. */
void compress_variants_build(struct compress_variants *v, const char *content_type,
                             enum compress_effort effort, const void *in, size_t n);
/* The mask of variants present in v. */
unsigned compress_variants_mask(const struct compress_variants *v);
void compress_variants_free(struct compress_variants *v);

#endif
