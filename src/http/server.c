/* server.c — libmicrohttpd glue: one arena per request, body limits, routing, sessions, the
 * response headers (security, caching, ETag/304), the access log, and the daemon's life. */
#include "http/http.h"
#include "http/compress.h"
#include "http/server_internal.h"
#include "util/arena.h"
#include "util/hash.h"
#include "util/mem.h"
#include "util/utf8.h"
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define HTTP_CSP                                                                                   \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "       \
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

/* Per-connection memory of libmicrohttpd: request line, headers, read buffer, and the answer's
 * headers. It zeroes the whole pool between keep-alive requests, so a larger pool costs on every
 * request; 24 KiB holds headers and cookies well beyond what browsers send, and leaves
 * libmicrohttpd room to answer 414/431 at once to a request line or headers that do not fit (with
 * 16 KiB a 16 KB URL was closed without an answer). */
#define HTTP_CONNECTION_MEMORY (24 * 1024)
/* The read buffer grows by this much at a time, so that when a request line or its headers
 * outgrow the pool there is still room in it to write the 414/431 answer. */
#define HTTP_CONNECTION_INCREMENT 1024
/* A request whose URI (path and query, as sent) is longer, or whose query has more parameters,
 * is answered 414 at once: libmicrohttpd would otherwise fill its pool with the parameters and
 * have no room left to answer at all. No page of the site needs more than a handful. */
#define HTTP_MAX_URI 4096
#define HTTP_MAX_QUERY_PARAMS 64

struct http_ctx {
    struct request req;
    struct timespec start;
    bool started; /* the first call of the access handler has set req up */
    bool dispatched;
    int refuse;            /* a status decided before the handler ran (414, 400), or 0 */
    size_t body_discarded; /* bytes dropped after the body limit */
};

/* Every open connection, for the watchdog that enforces the total time of a request: the time
 * since the connection opened or its previous request ended, while a request is in progress. */
struct http_watch {
    int fd;
    long long since; /* monotonic seconds; 0: not watched (between requests, or already cut) */
    struct http_watch *prev, *next;
};

static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct http_watch *watch_head;

static void http_error(struct request *req, int status, bool api);
static enum MHD_Result http_queue(struct http_ctx *ctx);

static const struct app *srv_app;
static const struct route *srv_routes;
static size_t srv_nroutes;
static const struct server_options *srv_opt;

const char *http_kv_get(const struct kvlist *l, const char *key)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->items[i].key, key) == 0)
            return l->items[i].value;
    return NULL;
}

static int http_kv_add(struct arena *a, struct kvlist *l, const char *k, const char *v)
{
    if (l->n >= HTTP_MAX_PARAMS)
        return -1;
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        struct kv *items = arena_alloc(a, sizeof(*items) * (size_t)cap);
        if (l->n)
            memcpy(items, l->items, sizeof(*items) * (size_t)l->n);
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n].key = k;
    l->items[l->n].value = v;
    l->n++;
    return 0;
}

const char *http_query(const struct request *req, const char *key)
{
    return http_kv_get(&req->query, key);
}

const char *http_form(const struct request *req, const char *key)
{
    return http_kv_get(&req->form, key);
}

const char *http_header(const struct request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(const struct request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

void http_add_header(struct request *req, const char *name, const char *value)
{
    if (req->nheaders < HTTP_MAX_HEADERS) {
        req->header_names[req->nheaders] = name;
        req->header_values[req->nheaders] = value;
        req->nheaders++;
    }
}

static int http_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static char *http_urldecode(struct arena *a, const char *s, size_t n, bool *ok)
{
    char *out = arena_alloc(a, n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[j++] = ' ';
        } else if (s[i] == '%') {
            int h, l;
            if (i + 2 >= n || (h = http_hexval(s[i + 1])) < 0 || (l = http_hexval(s[i + 2])) < 0) {
                *ok = false;
                return out;
            }
            out[j++] = (char)(h * 16 + l);
            i += 2;
        } else {
            out[j++] = s[i];
        }
    }
    out[j] = '\0';
    if (!utf8_valid(out, j))
        *ok = false;
    return out;
}

int http_parse_urlencoded(struct arena *a, const char *s, size_t n, struct kvlist *list)
{
    size_t i = 0;
    while (i < n) {
        size_t end = i;
        while (end < n && s[end] != '&')
            end++;
        if (end > i) {
            size_t eq = i;
            while (eq < end && s[eq] != '=')
                eq++;
            bool ok = true;
            char *k = http_urldecode(a, s + i, eq - i, &ok);
            char *v =
                eq < end ? http_urldecode(a, s + eq + 1, end - eq - 1, &ok) : arena_strdup(a, "");
            if (!ok || http_kv_add(a, list, k, v) != 0)
                return -1;
        }
        i = end + 1;
    }
    return 0;
}

void http_redirect(struct request *req, int status, const char *location)
{
    req->status = status;
    req->cache = HTTP_CACHE_NONE;
    http_add_header(req, "Location", location);
    req->content_type = "text/plain; charset=utf-8";
    buf_reset(&req->out);
    buf_puts(&req->out, location);
}

void http_set_cookie(struct request *req, const char *name, const char *value, long max_age)
{
    const char *secure = app_secure(req->app) ? "; Secure" : "";
    http_add_header(req, "Set-Cookie",
                    arena_printf(req->arena, "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Lax%s",
                                 name, value, max_age, secure));
}

const char *http_client_ip(const struct request *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char text[INET6_ADDRSTRLEN] = "?";
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, text, sizeof text);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, text, sizeof text);
    }
    return arena_strdup(req->arena, text);
}

bool http_cross_origin(const struct request *req)
{
    const char *origin = http_header(req, "Origin");
    if (!origin || strcmp(origin, "null") == 0)
        return origin != NULL;
    const char *host = http_header(req, "Host");
    if (!host)
        return true;
    /* Same host, and the scheme the site is served with (https behind a TLS proxy). */
    const char *scheme = app_secure(req->app) ? "https://" : "http://";
    size_t n = strlen(scheme);
    return strncmp(origin, scheme, n) != 0 || strcmp(origin + n, host) != 0;
}

static enum MHD_Result http_collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *value)
{
    (void)kind;
    struct request *req = cls;
    if (!utf8_valid(key, strlen(key)) || (value && !utf8_valid(value, strlen(value))))
        return MHD_YES; /* ignored: malformed parameters never reach handlers */
    http_kv_add(req->arena, &req->query, key, value ? value : "");
    return MHD_YES;
}

/* Does path match pattern? Captures go to req->params. */
static bool http_route_match(struct request *req, const char *pattern, const char *path)
{
    int np = 0;
    const char *p = pattern, *s = path;
    while (*p) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            size_t nlen = (size_t)(close - p - 1);
            const char *start = s;
            while (*s && *s != '/')
                s++;
            size_t len = (size_t)(s - start);
            if (len == 0 || len > 200 || np >= 4)
                return false;
            const char *cap = arena_strndup(req->arena, start, len);
            if (strncmp(p + 1, "slug", nlen) == 0) {
                for (const char *c = cap; *c; c++)
                    if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
                        return false;
            } else if (strncmp(p + 1, "kind", nlen) == 0) {
                if (!app_kind_segment_known(cap))
                    return false;
            } else if (strncmp(p + 1, "file", nlen) == 0) {
                for (const char *c = cap; *c; c++)
                    if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' ||
                          *c == '.' || *c == '_') ||
                        (c[0] == '.' && c[1] == '.'))
                        return false;
            }
            req->params[np++] = cap;
            p = close + 1;
        } else {
            if (*p != *s)
                return false;
            p++;
            s++;
        }
    }
    return *s == '\0';
}

static void http_error(struct request *req, int status, bool api)
{
    req->status = status;
    buf_reset(&req->out);
    req->cache = HTTP_CACHE_NONE;
    app_error(req, status, api);
}

static void http_dispatch(struct request *req)
{
    bool path_matched = false, api = strncmp(req->path, "/api/", 5) == 0;
    const char *allowed[8];
    int nallowed = 0;
    for (size_t i = 0; i < srv_nroutes; i++) {
        const struct route *r = &srv_routes[i];
        if (!http_route_match(req, r->pattern, req->path))
            continue;
        path_matched = true;
        if (strcmp(r->method, req->method) != 0) {
            if (nallowed < 8)
                allowed[nallowed++] = r->method;
            continue;
        }
        if (req->body_too_large) {
            http_error(req, 413, r->flags & ROUTE_API);
            return;
        }
        r->handler(req);
        return;
    }
    if (!path_matched) {
        http_error(req, 404, api);
        return;
    }
    struct buf allow = BUF_INIT;
    for (int i = 0; i < nallowed; i++) {
        if (i)
            buf_puts(&allow, ", ");
        buf_puts(&allow, allowed[i]);
        if (strcmp(allowed[i], "GET") == 0)
            buf_puts(&allow, ", HEAD");
    }
    http_error(req, 405, api);
    http_add_header(req, "Allow", arena_strdup(req->arena, buf_cstr(&allow)));
    buf_free(&allow);
}

static bool http_etag_match(const char *inm, const char *etag)
{
    if (!inm)
        return false;
    if (strcmp(inm, "*") == 0)
        return true;
    size_t el = strlen(etag);
    for (const char *p = inm; (p = strstr(p, etag)); p += el)
        return true;
    return false;
}

void http_add_standard_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Content-Security-Policy", HTTP_CSP);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "strict-origin-when-cross-origin");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
}

/* Vary: Cookie on pages (who is logged in changes them), Accept-Encoding on every body that may
 * be sent compressed, in one header; fingerprinted assets only vary by encoding. */
static const char *http_vary(const struct request *req)
{
    bool enc = compress_type_compressible(req->content_type);
    if (req->cache == HTTP_CACHE_IMMUTABLE)
        return enc ? "Accept-Encoding" : NULL;
    return enc ? "Cookie, Accept-Encoding" : "Cookie";
}

struct MHD_Response *http_build_response(struct request *req, char *body, size_t len,
                                         enum MHD_ResponseMemoryMode mode, const char *etag)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
    if (!resp)
        return NULL;
    http_add_standard_headers(resp);
    MHD_add_response_header(resp, "Content-Type",
                            req->content_type ? req->content_type : "text/html; charset=utf-8");
    switch (req->cache) {
    case HTTP_CACHE_IMMUTABLE:
        MHD_add_response_header(resp, "Cache-Control", "public, max-age=31536000, immutable");
        break;
    case HTTP_CACHE_PAGE:
        MHD_add_response_header(resp, "Cache-Control",
                                req->logged_in ? "private, no-cache" : "public, no-cache");
        break;
    case HTTP_CACHE_NONE:
        MHD_add_response_header(resp, "Cache-Control", "no-store");
        break;
    }
    if (etag)
        MHD_add_response_header(resp, "ETag", etag);
    for (int i = 0; i < req->nheaders; i++)
        MHD_add_response_header(resp, req->header_names[i], req->header_values[i]);
    const char *vary = http_vary(req);
    if (vary)
        MHD_add_response_header(resp, "Vary", vary);
    return resp;
}

struct MHD_Response *http_build_encoded_response(struct request *req, char *body, size_t len,
                                                 enum MHD_ResponseMemoryMode mode, const char *etag,
                                                 enum compress_encoding enc)
{
    struct MHD_Response *resp = http_build_response(req, body, len, mode, etag);
    if (resp && compress_token(enc))
        MHD_add_response_header(resp, "Content-Encoding", compress_token(enc));
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
    if (!cache_control)
        cache_control = req->cache == HTTP_CACHE_IMMUTABLE ? "public, max-age=31536000, immutable"
                        : req->logged_in                   ? "private, no-cache"
                                                           : "public, no-cache";
    MHD_add_response_header(nm, "Cache-Control", cache_control);
    if (vary)
        MHD_add_response_header(nm, "Vary", vary);
    enum MHD_Result ret = MHD_queue_response(req->conn, 304, nm);
    MHD_destroy_response(nm);
    return ret;
}

static enum MHD_Result http_queue(struct http_ctx *ctx)
{
    struct request *req = &ctx->req;
    struct MHD_Response *resp;
    enum MHD_Result ret;
    if (req->prepared) {
        resp = req->prepared;
        const char *etag = MHD_get_response_header(resp, "ETag");
        if (req->status == 200 && etag &&
            http_etag_match(http_header(req, "If-None-Match"), etag)) {
            ret = http_queue_not_modified(req, etag, MHD_get_response_header(resp, "Cache-Control"),
                                          MHD_get_response_header(resp, "Vary"));
        } else {
            ret = MHD_queue_response(req->conn, (unsigned)req->status, resp);
        }
        if (req->prepared_release)
            req->prepared_release();
        else
            MHD_destroy_response(resp);
        req->prepared = NULL;
        return ret;
    }
    char etag[COMPRESS_ETAG_SIZE] = {0};
    bool cacheable = req->status == 200 && req->cache != HTTP_CACHE_NONE;
    /* Uncached bodies are compressed here, once the encoding is known, so that a 304 costs no
     * compression; the ETag names the encoding ("hash-gz"). */
    enum compress_encoding enc = COMPRESS_IDENTITY;
    if (req->out.len >= COMPRESS_MIN_DYNAMIC && compress_type_compressible(req->content_type))
        enc = compress_choose(http_header(req, "Accept-Encoding"), COMPRESS_ALL);
    if (cacheable) {
        char plain[24];
        hash_etag(buf_cstr(&req->out), req->out.len, plain);
        compress_etag(plain, enc, etag);
        if (http_etag_match(http_header(req, "If-None-Match"), etag))
            return http_queue_not_modified(req, etag, NULL, http_vary(req));
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
                hash_etag(body, len, etag);
        }
    }
    resp = http_build_encoded_response(req, body, len, MHD_RESPMEM_MUST_FREE,
                                       cacheable ? etag : NULL, enc);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    ret = MHD_queue_response(req->conn, (unsigned)req->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static long long http_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec;
}

static struct http_watch *http_watch_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void http_watch_set(struct MHD_Connection *conn, long long since)
{
    struct http_watch *w = http_watch_of(conn);
    if (w) {
        pthread_mutex_lock(&watch_lock);
        w->since = since;
        pthread_mutex_unlock(&watch_lock);
    }
}

/* Called by libmicrohttpd with the request line's URI as sent, before it parses the query: the
 * request's context is made here, and a URI too long or with too many parameters is refused. */
static void *http_uri_seen(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    struct http_ctx *ctx = xcalloc(1, sizeof(*ctx));
    clock_gettime(CLOCK_MONOTONIC, &ctx->start);
    if (!uri)
        return ctx;
    size_t len = strlen(uri);
    const char *q = strchr(uri, '?');
    int params = 0;
    for (const char *p = q; p && *p; p++)
        params += *p == '?' || *p == '&';
    if (len > HTTP_MAX_URI || params > HTTP_MAX_QUERY_PARAMS) {
        ctx->refuse = 414;
        /* libmicrohttpd 0.9.75 parses the query from just after the '?' it found before this
         * call, as a C string: ending it there leaves the pool free for the 414. The bytes are
         * its own read buffer, writable (the API only declares them const). */
        if (q)
            ((char *)q)[1] = '\0';
        return ctx;
    }
    /* A NUL in the path (%00) would cut it short once decoded: /api/v1/entries%00/x is not
     * /api/v1/entries. */
    for (const char *p = uri; *p && *p != '?'; p++)
        if (p[0] == '%' && p[1] == '0' && p[2] == '0')
            ctx->refuse = 400;
    (void)conn;
    return ctx;
}

struct http_cl_scan {
    const char *first;
    bool differ;
    int count;
};

static enum MHD_Result http_scan_content_length(void *cls, enum MHD_ValueKind kind, const char *key,
                                                const char *value)
{
    (void)kind;
    struct http_cl_scan *sc = cls;
    if (strcasecmp(key, "Content-Length") != 0)
        return MHD_YES;
    sc->count++;
    if (!sc->first)
        sc->first = value ? value : "";
    else if (strcmp(sc->first, value ? value : "") != 0)
        sc->differ = true;
    return MHD_YES;
}

/* Answers now, before any body is read (libmicrohttpd then closes the connection). */
static enum MHD_Result http_refuse(struct http_ctx *ctx, int status)
{
    struct request *req = &ctx->req;
    ctx->dispatched = true;
    http_error(req, status, strncmp(req->path, "/api/", 5) == 0);
    return http_queue(ctx);
}

static void http_ctx_start(struct http_ctx *ctx, struct MHD_Connection *conn, const char *url,
                           const char *method)
{
    struct request *req = &ctx->req;
    ctx->started = true;
    req->arena = arena_new();
    req->conn = conn;
    req->app = srv_app;
    req->head = strcmp(method, "HEAD") == 0;
    req->method = req->head ? "GET" : arena_strdup(req->arena, method);
    req->path = arena_strdup(req->arena, url);
    req->status = 200;
    req->cache = HTTP_CACHE_PAGE;
}

static enum MHD_Result http_access(void *cls, struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version, const char *upload_data,
                                   size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)version;
    struct http_ctx *ctx = *con_cls;
    if (!ctx) {
        ctx = xcalloc(1, sizeof(*ctx));
        clock_gettime(CLOCK_MONOTONIC, &ctx->start);
        *con_cls = ctx;
    }
    struct request *req = &ctx->req;
    if (!ctx->started) {
        http_ctx_start(ctx, conn, url, method);
        if (ctx->refuse)
            return http_refuse(ctx, ctx->refuse);
        struct http_cl_scan sc = {0};
        MHD_get_connection_values(conn, MHD_HEADER_KIND, http_scan_content_length, &sc);
        if (sc.differ)
            return http_refuse(ctx, 400); /* which one would the next hop believe? */
        if (sc.first && strtoull(sc.first, NULL, 10) > srv_opt->max_body) {
            /* Refused before reading the body; libmicrohttpd then closes the connection,
             * which is what a client sending too much should get. */
            req->body_too_large = true;
            return http_refuse(ctx, 413);
        }
        /* Answering on this first call would make libmicrohttpd close the connection. */
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (ctx->dispatched) { /* answered early: the rest is not ours to read */
            *upload_data_size = 0;
            return MHD_YES;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - ctx->start.tv_sec > (long)srv_opt->request_timeout_seconds) {
            *upload_data_size = 0;
            return http_refuse(ctx, 408);
        }
        /* A body without Content-Length that grows past the limit is read and dropped for a
         * while, then answered 413: answering mid-upload makes the peer see a reset instead of
         * the answer. Past as much again, the connection is cut: an endless body is never read
         * for ever. */
        if (req->body_too_large || req->body.len + *upload_data_size > srv_opt->max_body) {
            req->body_too_large = true;
            ctx->body_discarded += *upload_data_size;
            *upload_data_size = 0;
            if (ctx->body_discarded > srv_opt->max_body)
                return http_refuse(ctx, 413);
            return MHD_YES;
        }
        buf_append(&req->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (ctx->dispatched)
        return MHD_YES;
    ctx->dispatched = true;
    if (!utf8_valid(req->path, strlen(req->path))) {
        http_error(req, 404, false);
        return http_queue(ctx);
    }
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, http_collect_arg, req);
    if (!req->body_too_large && req->body.len) {
        const char *ct = http_header(req, "Content-Type");
        if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 &&
            http_parse_urlencoded(req->arena, req->body.data, req->body.len, &req->form) != 0) {
            http_error(req, 400, false);
            return http_queue(ctx);
        }
    }
    if (!app_identify(req)) {
        /* The site file cannot be read by this thread: nothing can be answered but that. */
        http_error(req, 503, strncmp(req->path, "/api/", 5) == 0);
        http_add_header(req, "Retry-After", "10");
        return http_queue(ctx);
    }
    http_dispatch(req);
    return http_queue(ctx);
}

/* text cut to size with control bytes (terminal escapes) and spaces replaced, so that a log
 * line stays one line of fields. */
static void http_log_clean(char *out, size_t size, const char *text)
{
    size_t j = 0;
    for (const unsigned char *p = (const unsigned char *)text; p && *p && j < size - 1; p++)
        out[j++] = (*p < 0x21 || *p == 0x7f) ? '?' : (char)*p;
    out[j] = '\0';
}

static void http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                           enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    struct http_ctx *ctx = *con_cls;
    if (!ctx)
        return;
    /* The next request on this connection gets its own time. */
    http_watch_set(conn, http_now_seconds());
    if (!ctx->started) { /* ended before its headers were read */
        free(ctx);
        *con_cls = NULL;
        return;
    }
    if (!srv_opt->quiet) {
        struct timespec end;
        clock_gettime(CLOCK_MONOTONIC, &end);
        long us =
            (end.tv_sec - ctx->start.tv_sec) * 1000000L + (end.tv_nsec - ctx->start.tv_nsec) / 1000;
        char line[600];
        /* The timestamp is formatted once a second per thread, not once per request. */
        static __thread time_t ts_second;
        static __thread char ts[32];
        time_t now = time(NULL);
        if (now != ts_second) {
            struct tm tm;
            gmtime_r(&now, &tm);
            strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
            ts_second = now;
        }
        /* The path is cut and non-printable bytes are replaced so a log line stays one line. */
        char path[300], method[24];
        http_log_clean(path, sizeof path, ctx->req.path);
        http_log_clean(method, sizeof method, ctx->req.head ? "HEAD" : ctx->req.method);
        int n =
            snprintf(line, sizeof line, "%s %s %s %d %ldus%s\n", ts, method, path, ctx->req.status,
                     us, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
        if (n > 0)
            fwrite(line, 1, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1, stderr);
    }
    buf_free(&ctx->req.body);
    buf_free(&ctx->req.out);
    arena_free(ctx->req.arena);
    free(ctx);
    *con_cls = NULL;
}

static void http_connection_event(void *cls, struct MHD_Connection *conn, void **socket_context,
                                  enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct http_watch *w = xcalloc(1, sizeof(*w));
        w->fd = ci ? ci->connect_fd : -1;
        w->since = http_now_seconds();
        pthread_mutex_lock(&watch_lock);
        w->next = watch_head;
        if (watch_head)
            watch_head->prev = w;
        watch_head = w;
        pthread_mutex_unlock(&watch_lock);
        *socket_context = w;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
        struct http_watch *w = *socket_context;
        pthread_mutex_lock(&watch_lock);
        if (w->prev)
            w->prev->next = w->next;
        else
            watch_head = w->next;
        if (w->next)
            w->next->prev = w->prev;
        pthread_mutex_unlock(&watch_lock);
        free(w);
        *socket_context = NULL;
    }
}

/* Cuts the connections whose request has lasted longer than the limit (a slow drip of headers or
 * body resets libmicrohttpd's idle timeout at every byte). The socket is shut down under the
 * lock that its close notification takes, so it cannot be another connection's by then;
 * libmicrohttpd then sees the end of the stream and closes the connection in its own thread. */
static void http_watchdog(void)
{
    long long now = http_now_seconds();
    pthread_mutex_lock(&watch_lock);
    for (struct http_watch *w = watch_head; w; w = w->next)
        if (w->since && w->fd >= 0 &&
            now - w->since > (long long)srv_opt->request_timeout_seconds) {
            shutdown(w->fd, SHUT_RDWR);
            w->since = 0;
        }
    pthread_mutex_unlock(&watch_lock);
}

static volatile sig_atomic_t srv_stop;

static void http_on_signal(int sig)
{
    (void)sig;
    srv_stop = 1;
}

int http_serve(const struct app *app, const struct route *routes, size_t nroutes,
               const struct server_options *opt)
{
    srv_app = app;
    srv_routes = routes;
    srv_nroutes = nroutes;
    srv_opt = opt;
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(opt->port);
    if (inet_pton(AF_INET, opt->listen_host, &addr.sin_addr) != 1) {
        fprintf(stderr, "foison: adresse d'écoute invalide : %s\n", opt->listen_host);
        return 1;
    }
    /* The access log is buffered and flushed every second by this thread, so that logging
     * costs no system call per request. */
    setvbuf(stderr, NULL, _IOFBF, 1 << 16);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, opt->port, NULL, NULL,
        http_access, NULL, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)opt->threads, MHD_OPTION_CONNECTION_TIMEOUT, opt->timeout_seconds,
        MHD_OPTION_NOTIFY_COMPLETED, http_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION,
        http_connection_event, NULL, MHD_OPTION_URI_LOG_CALLBACK, http_uri_seen, NULL,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)opt->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)opt->max_per_ip,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)HTTP_CONNECTION_MEMORY, MHD_OPTION_CONNECTION_MEMORY_INCREMENT,
        (size_t)HTTP_CONNECTION_INCREMENT, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "foison: impossible d'écouter sur %s:%u (port occupé ?)\n",
                opt->listen_host, opt->port);
        return 1;
    }
    fprintf(stderr, "foison: http://%s:%u/ (%u threads)\n", opt->listen_host, opt->port,
            opt->threads);
    struct sigaction sa = {0};
    sa.sa_handler = http_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    while (!srv_stop) {
        sleep(1);
        http_watchdog();
        fflush(stderr);
    }
    MHD_stop_daemon(d);
    fprintf(stderr, "foison: arrêt\n");
    fflush(stderr);
    return 0;
}
