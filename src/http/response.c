/* response.c — answers as libmicrohttpd sends them: the security, cache and Vary headers, the
 * ETag and 304, compression of uncached bodies once the coding is known, and shared responses
 * (built once, one variant per content coding, sent to many requests). */
#include "http/internal.h"
#include "util/arena.h"
#include "util/hash.h"
#include "util/mem.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define HTTP_CSP_START "default-src 'self'; script-src 'self'; style-src 'self'; "
#define HTTP_CSP_END "object-src 'none'; base-uri 'self'; form-action 'self'; "
#define HTTP_CSP                                                                                   \
    HTTP_CSP_START "img-src 'self' https: data:; " HTTP_CSP_END "frame-ancestors 'none'"

struct http_shared {
    struct MHD_Response *resp[COMPRESS_COUNT]; /* identity always; the others when smaller */
    /* COMPRESS_BIT of the encoded ones present. Read without the lock (atomically, acquire):
     * a bit is set (release) once its response is complete. */
    unsigned mask;
    /* Of a big answer (COMPRESS_DYNAMIC): the encodings not made yet, each made when a request
     * first asks for it, under lock (the bit is cleared when made, or when it was not smaller). */
    unsigned lazy;
    pthread_mutex_t lock;
    bool has_lock;
    enum http_cache cache;
    /* The bodies, owned by resp[] (freed with their last reference inside libmicrohttpd). */
    char *data[COMPRESS_COUNT];
    size_t len[COMPRESS_COUNT];
    char etag[COMPRESS_COUNT][COMPRESS_ETAG_SIZE];
    const char *content_type; /* static text, as given */
    bool open;                /* see http_add_standard_headers() */
    /* Its holders: the one who made it, and the requests sending it (http_shared_hold()). */
    unsigned refs;
};

/* "https://" then a host of letters, digits, dots and dashes, and an optional port: nothing
 * that could end the directive or add a source. */
static bool http_origin_valid(const char *o)
{
    if (!o || strncmp(o, "https://", 8) != 0 || strlen(o) > 260)
        return false;
    const char *p = o + 8;
    size_t host = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
    if (host == 0 || p[0] == '.' || p[0] == '-' || p[host - 1] == '.' || p[host - 1] == '-')
        return false;
    for (size_t i = 1; i < host; i++)
        if (p[i] == '.' && (p[i - 1] == '.' || p[i - 1] == '-' || p[i + 1] == '-'))
            return false; /* an empty label, or one that starts or ends with a hyphen */
    p += host;
    if (*p == ':') {
        size_t port = strspn(p + 1, "0123456789");
        if (port == 0 || port > 5)
            return false;
        p += 1 + port;
    }
    return *p == '\0';
}

void http_set_csp(struct request *req, const char *img_origin, bool any_ancestor)
{
    bool img = http_origin_valid(img_origin);
    req->csp = arena_printf(
        req->arena, HTTP_CSP_START "img-src 'self' data:%s%s; " HTTP_CSP_END "frame-ancestors %s",
        img ? " " : "", img ? img_origin : "", any_ancestor ? "*" : "'none'");
    req->frameable = any_ancestor;
}

/* csp NULL: the default policy. */
/* open: an answer any site's scripts may read (Access-Control-Allow-Origin: *). Safe because
 * browsers send no cookie with such a read and refuse a credentialed one the answer to, and a
 * token (Authorization) needs a preflight that is never granted: another site only ever reads
 * what an anonymous visitor would. */
static void http_add_standard_headers(struct MHD_Response *resp, const char *csp, bool frameable,
                                      bool open)
{
    if (open)
        MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
    MHD_add_response_header(resp, "Content-Security-Policy", csp ? csp : HTTP_CSP);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "strict-origin-when-cross-origin");
    if (!frameable)
        MHD_add_response_header(resp, "X-Frame-Options", "DENY");
}

static const char *http_cache_control(enum http_cache cache, bool logged_in)
{
    switch (cache) {
    case HTTP_CACHE_IMMUTABLE:
        return "public, max-age=31536000, immutable";
    case HTTP_CACHE_PAGE:
        return logged_in ? "private, no-cache" : "public, no-cache";
    case HTTP_CACHE_NONE:
        break;
    }
    return "no-store";
}

/* Vary: Cookie on pages (who is logged in changes them), Accept-Encoding on every body that may
 * be sent compressed, in one header; fingerprinted assets only vary by encoding. */
static const char *http_vary(const char *content_type, enum http_cache cache)
{
    bool enc = compress_type_compressible(content_type);
    if (cache == HTTP_CACHE_IMMUTABLE)
        return enc ? "Accept-Encoding" : NULL;
    return enc ? "Cookie, Accept-Encoding" : "Cookie";
}

static struct MHD_Response *http_response_new(const char *content_type, enum http_cache cache,
                                              bool logged_in, char *body, size_t len,
                                              enum MHD_ResponseMemoryMode mode, const char *etag,
                                              enum compress_encoding enc, const char *csp,
                                              bool frameable, bool open)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
    if (!resp)
        return NULL;
    /* A raster image opened on its own is shown by the browser in a page of its own making,
     * which styles the image inline: that page has nothing else to protect. */
    if (!csp && content_type && strncmp(content_type, "image/", 6) == 0 &&
        strncmp(content_type, "image/svg", 9) != 0)
        csp = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
              "frame-ancestors 'none'";
    http_add_standard_headers(resp, csp, frameable, open);
    MHD_add_response_header(resp, "Content-Type",
                            content_type ? content_type : "text/html; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", http_cache_control(cache, logged_in));
    if (etag)
        MHD_add_response_header(resp, "ETag", etag);
    const char *vary = http_vary(content_type, cache);
    if (vary)
        MHD_add_response_header(resp, "Vary", vary);
    if (compress_token(enc))
        MHD_add_response_header(resp, "Content-Encoding", compress_token(enc));
    return resp;
}

struct MHD_Response *http_response_build(const struct request *req, char *body, size_t len,
                                         enum MHD_ResponseMemoryMode mode, const char *etag,
                                         enum compress_encoding enc)
{
    struct MHD_Response *resp =
        http_response_new(req->content_type, req->cache, req->logged_in, body, len, mode, etag, enc,
                          req->csp, req->frameable, req->open_read);
    if (resp)
        for (int i = 0; i < req->nheaders; i++)
            MHD_add_response_header(resp, req->header_names[i], req->header_values[i]);
    return resp;
}

/* A 304 repeats the headers that matter for caching (RFC 9110 §15.4.5). */
static enum MHD_Result http_queue_not_modified(struct request *req, const char *etag,
                                               const char *cache_control, const char *vary)
{
    req->status = 304;
    struct MHD_Response *nm = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    if (!nm)
        return MHD_NO;
    MHD_add_response_header(nm, "ETag", etag);
    MHD_add_response_header(nm, "Cache-Control", cache_control);
    if (req->open_read)
        MHD_add_response_header(nm, "Access-Control-Allow-Origin", "*");
    if (vary)
        MHD_add_response_header(nm, "Vary", vary);
    enum MHD_Result ret = MHD_queue_response(req->conn, 304, nm);
    MHD_destroy_response(nm);
    return ret;
}

/* Makes the lazy encoding e of s (once, whichever request asks first; the others wait for it):
 * e when it is there, identity when it is not smaller or cannot be made. */
static enum compress_encoding http_shared_make(struct http_shared *s, enum compress_encoding e)
{
    pthread_mutex_lock(&s->lock);
    unsigned bit = COMPRESS_BIT(e);
    if (!(__atomic_load_n(&s->mask, __ATOMIC_ACQUIRE) & bit) && (s->lazy & bit)) {
        size_t zlen;
        char *z = compress_encode(e, COMPRESS_DYNAMIC, s->data[COMPRESS_IDENTITY],
                                  s->len[COMPRESS_IDENTITY], &zlen);
        struct MHD_Response *r =
            z ? http_response_new(s->content_type, s->cache, false, z, zlen, MHD_RESPMEM_MUST_FREE,
                                  s->etag[e], e, NULL, false, s->open)
              : NULL;
        if (z && !r)
            free(z);
        if (r) {
            s->data[e] = z;
            s->len[e] = zlen;
            s->resp[e] = r;
            __atomic_or_fetch(&s->mask, bit, __ATOMIC_RELEASE);
        }
        __atomic_and_fetch(&s->lazy, ~bit, __ATOMIC_RELEASE);
    }
    bool made = __atomic_load_n(&s->mask, __ATOMIC_ACQUIRE) & bit;
    pthread_mutex_unlock(&s->lock);
    return made ? e : COMPRESS_IDENTITY;
}

void http_shared_drop(struct request *req)
{
    if (req->shared && req->shared_held)
        http_shared_free(req->shared);
    req->shared = NULL;
    req->shared_held = false;
}

static enum MHD_Result http_queue_shared(struct request *req)
{
    struct http_shared *s = req->shared;
    unsigned ready = __atomic_load_n(&s->mask, __ATOMIC_ACQUIRE);
    enum compress_encoding enc = compress_choose(
        http_header(req, "Accept-Encoding"), ready | __atomic_load_n(&s->lazy, __ATOMIC_ACQUIRE));
    enum MHD_Result ret;
    /* A client holding the variant is answered before a lazy one is made. */
    if (http_etag_match(http_header(req, "If-None-Match"), s->etag[enc])) {
        struct MHD_Response *resp = s->resp[COMPRESS_IDENTITY];
        ret = http_queue_not_modified(req, s->etag[enc],
                                      MHD_get_response_header(resp, "Cache-Control"),
                                      MHD_get_response_header(resp, "Vary"));
    } else {
        if (enc != COMPRESS_IDENTITY && !(ready & COMPRESS_BIT(enc)))
            enc = http_shared_make(s, enc);
        ret = MHD_queue_response(req->conn, (unsigned)req->status, s->resp[enc]);
    }
    http_shared_drop(req);
    return ret;
}

struct http_stream {
    http_stream_next next;
    void (*done)(void *state);
    void *state;
    struct buf piece; /* the piece being sent */
    size_t sent;      /* bytes of piece already given to libmicrohttpd */
    bool last;        /* next said piece is the last */
};

void http_stream_send(struct request *req, http_stream_next next, void (*done)(void *state),
                      void *state)
{
    if (req->stream)
        http_stream_free(req->stream);
    struct http_stream *st = xcalloc(1, sizeof(*st));
    st->next = next;
    st->done = done;
    st->state = state;
    req->stream = st;
    buf_reset(&req->out);
}

ssize_t http_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct http_stream *st = cls;
    while (st->sent == st->piece.len) {
        if (st->last)
            return MHD_CONTENT_READER_END_OF_STREAM;
        buf_reset(&st->piece);
        st->sent = 0;
        int rc = st->next(st->state, &st->piece);
        if (rc < 0)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        st->last = rc == 0;
    }
    size_t n = st->piece.len - st->sent;
    if (n > max)
        n = max;
    memcpy(buf, st->piece.data + st->sent, n);
    st->sent += n;
    return (ssize_t)n;
}

void http_stream_free(void *cls)
{
    struct http_stream *st = cls;
    if (!st)
        return;
    if (st->done)
        st->done(st->state);
    buf_free(&st->piece);
    free(st);
}

static enum MHD_Result http_queue_stream(struct request *req)
{
    struct http_stream *st = req->stream;
    req->stream = NULL;
    struct MHD_Response *resp = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, 32 * 1024, http_stream_read, st, http_stream_free);
    if (!resp) {
        http_stream_free(st);
        return MHD_NO;
    }
    http_add_standard_headers(resp, req->csp, req->frameable, req->open_read);
    MHD_add_response_header(resp, "Content-Type",
                            req->content_type ? req->content_type : "text/html; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", http_cache_control(req->cache, req->logged_in));
    MHD_add_response_header(resp, "Vary", "Cookie");
    for (int i = 0; i < req->nheaders; i++)
        MHD_add_response_header(resp, req->header_names[i], req->header_values[i]);
    enum MHD_Result ret = MHD_queue_response(req->conn, (unsigned)req->status, resp);
    MHD_destroy_response(resp); /* frees the stream once libmicrohttpd is done with it */
    return ret;
}

/* The coding an uncached body of req would be sent in (http_queue's choice, before knowing
 * whether the encoder makes it smaller). */
static enum compress_encoding http_dynamic_encoding(const struct request *req, size_t len)
{
    if (len >= COMPRESS_MIN_DYNAMIC && compress_type_compressible(req->content_type))
        return compress_choose(http_header(req, "Accept-Encoding"), COMPRESS_ALL);
    return COMPRESS_IDENTITY;
}

bool http_fresh(struct request *req, const char *etag)
{
    const char *inm = http_header(req, "If-None-Match");
    req->etag = etag;
    if (!inm || req->cache == HTTP_CACHE_NONE)
        return false;
    /* The variant this request would get if the body is large enough to be worth encoding;
     * identity when it was not (a small body, or one the encoder did not shrink). */
    enum compress_encoding enc =
        compress_type_compressible(req->content_type)
            ? compress_choose(http_header(req, "Accept-Encoding"), COMPRESS_ALL)
            : COMPRESS_IDENTITY;
    char variant[COMPRESS_ETAG_SIZE];
    compress_etag(etag, enc, variant);
    const char *held = http_etag_match(inm, variant) ? variant
                       : http_etag_match(inm, etag)  ? etag
                                                     : NULL;
    if (!held)
        return false;
    req->etag = arena_strdup(req->arena, held);
    req->status = 304;
    return true;
}

enum MHD_Result http_queue(struct request *req)
{
    if (req->stream)
        return http_queue_stream(req);
    if (req->shared)
        return http_queue_shared(req);
    if (req->status == 304 && req->etag) /* http_fresh */
        return http_queue_not_modified(req, req->etag,
                                       http_cache_control(req->cache, req->logged_in),
                                       http_vary(req->content_type, req->cache));
    char etag[COMPRESS_ETAG_SIZE] = {0};
    bool cacheable = req->status == 200 && req->cache != HTTP_CACHE_NONE;
    /* Uncached bodies are compressed here, once the encoding is known, so that a 304 costs no
     * compression; the ETag names the encoding ("hash-gz"). */
    enum compress_encoding enc = http_dynamic_encoding(req, req->out.len);
    char plain[COMPRESS_ETAG_SIZE] = {0};
    if (cacheable) {
        if (req->etag && strlen(req->etag) < sizeof plain)
            memcpy(plain, req->etag, strlen(req->etag) + 1);
        else
            hash_etag(buf_cstr(&req->out), req->out.len, plain);
        compress_etag(plain, enc, etag);
        if (http_etag_match(http_header(req, "If-None-Match"), etag))
            return http_queue_not_modified(req, etag,
                                           http_cache_control(req->cache, req->logged_in),
                                           http_vary(req->content_type, req->cache));
    }
    size_t len;
    char *body = buf_detach(&req->out, &len);
    if (enc != COMPRESS_IDENTITY) {
        size_t zlen;
        char *z = compress_encode(enc, COMPRESS_DYNAMIC, body, len, &zlen);
        if (z) {
            free(body);
            body = z;
            len = zlen;
        } else { /* not smaller: sent as it is, under the plain ETag */
            enc = COMPRESS_IDENTITY;
            if (cacheable)
                memcpy(etag, plain, sizeof etag);
        }
    }
    struct MHD_Response *resp =
        http_response_build(req, body, len, MHD_RESPMEM_MUST_FREE, cacheable ? etag : NULL, enc);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    enum MHD_Result ret = MHD_queue_response(req->conn, (unsigned)req->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Makes s's responses from its bodies; on failure every response made is destroyed. */
static bool http_shared_respond(struct http_shared *s, enum http_cache cache,
                                enum MHD_ResponseMemoryMode mode)
{
    for (int e = 0; e < COMPRESS_COUNT; e++) {
        if (!s->data[e])
            continue;
        s->resp[e] = http_response_new(s->content_type, cache, false, s->data[e], s->len[e], mode,
                                       s->etag[e], (enum compress_encoding)e, NULL, false, s->open);
        if (!s->resp[e]) {
            for (int f = 0; f < e; f++) {
                if (s->resp[f])
                    MHD_destroy_response(s->resp[f]); /* frees data[f] when it owned it */
                s->resp[f] = NULL;
                if (mode == MHD_RESPMEM_MUST_FREE)
                    s->data[f] = NULL;
            }
            return false;
        }
    }
    return true;
}

struct http_shared *http_shared_new(const char *content_type, enum http_cache cache,
                                    const void *body, size_t len, enum compress_effort effort)
{
    return http_shared_new_etag(content_type, cache, body, len, effort, NULL, false);
}

struct http_shared *http_shared_new_etag(const char *content_type, enum http_cache cache,
                                         const void *body, size_t len, enum compress_effort effort,
                                         const char *etag, bool open)
{
    struct http_shared *s = xcalloc(1, sizeof(*s));
    s->refs = 1;
    s->content_type = content_type;
    s->open = open;
    s->cache = cache;
    /* Compressed before anything is shared (the caller builds this outside its locks), but for
     * a big answer: each coding when first asked for (tens of megabytes take a second each,
     * and a client usually wants one of them). */
    struct compress_variants v = {{NULL}, {0}};
    if (effort == COMPRESS_DYNAMIC && compress_type_compressible(content_type))
        s->lazy = COMPRESS_ALL;
    else
        compress_variants_build(&v, content_type, effort, body, len);
    s->data[COMPRESS_IDENTITY] = xmalloc(len ? len : 1);
    memcpy(s->data[COMPRESS_IDENTITY], body, len);
    s->len[COMPRESS_IDENTITY] = len;
    char plain[COMPRESS_ETAG_SIZE];
    if (etag && strlen(etag) < sizeof plain)
        memcpy(plain, etag, strlen(etag) + 1);
    else
        hash_etag(body, len, plain);
    for (int e = 0; e < COMPRESS_COUNT; e++) {
        if (e != COMPRESS_IDENTITY) {
            s->data[e] = v.data[e];
            s->len[e] = v.len[e];
        }
        if (s->data[e] || (s->lazy & COMPRESS_BIT(e)))
            compress_etag(plain, (enum compress_encoding)e, s->etag[e]);
        if (s->data[e] && e != COMPRESS_IDENTITY)
            s->mask |= COMPRESS_BIT(e);
    }
    if (!http_shared_respond(s, cache, MHD_RESPMEM_MUST_FREE)) {
        for (int e = 0; e < COMPRESS_COUNT; e++)
            free(s->data[e]);
        free(s);
        return NULL;
    }
    if (s->lazy)
        s->has_lock = pthread_mutex_init(&s->lock, NULL) == 0;
    if (s->lazy && !s->has_lock)
        s->lazy = 0; /* sent as it is */
    return s;
}

struct http_shared *http_shared_variant(const struct http_shared *base, enum http_cache cache)
{
    struct http_shared *s = xcalloc(1, sizeof(*s));
    s->refs = 1;
    s->mask = __atomic_load_n(&base->mask, __ATOMIC_ACQUIRE); /* the codings made so far */
    for (int e = 0; e < COMPRESS_COUNT; e++)
        if (e == COMPRESS_IDENTITY || (s->mask & COMPRESS_BIT(e))) {
            s->data[e] = base->data[e];
            s->len[e] = base->len[e];
        }
    memcpy(s->etag, base->etag, sizeof s->etag);
    s->cache = cache;
    s->content_type = base->content_type;
    s->open = base->open;
    if (!http_shared_respond(s, cache, MHD_RESPMEM_PERSISTENT)) {
        free(s);
        return NULL;
    }
    return s;
}

struct http_shared *http_shared_hold(struct http_shared *s)
{
    __atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
    return s;
}

void http_shared_free(struct http_shared *s)
{
    if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    for (int e = 0; e < COMPRESS_COUNT; e++)
        if (s->resp[e])
            MHD_destroy_response(s->resp[e]);
    if (s->has_lock)
        pthread_mutex_destroy(&s->lock);
    free(s);
}

void http_shared_send(struct request *req, struct http_shared *s, bool held)
{
    http_shared_drop(req);
    req->shared = s;
    req->shared_held = held;
    req->status = 200;
}

size_t http_shared_size(const struct http_shared *s, enum compress_encoding e)
{
    bool there =
        e == COMPRESS_IDENTITY || (__atomic_load_n(&s->mask, __ATOMIC_ACQUIRE) & COMPRESS_BIT(e));
    return there && s->data[e] ? s->len[e] : 0;
}
