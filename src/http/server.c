/* server.c — the daemon's life and the request's: libmicrohttpd's callbacks, one arena per
 * request, limits checked before anything is read (URI, Content-Length, body size, total time by
 * a watchdog, connections), the hooks of the application (identify, errors) and the access log. */
#include "http/internal.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/utf8.h"
#include <microhttpd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* Per-connection memory of libmicrohttpd: request line, headers, read buffer, and the answer's
 * headers. It zeroes the whole pool between keep-alive requests, so a larger pool costs on every
 * request; 24 KiB holds headers and cookies well beyond what browsers send, and leaves
 * libmicrohttpd room to answer 414/431 at once to a request line or headers that do not fit (with
 * 16 KiB a 16 KB URL was closed without an answer). */
#define HTTP_CONNECTION_MEMORY (24 * 1024)
/* The read buffer grows by this much at a time, so that when a request line or its headers
 * outgrow the pool there is still room in it to write the 414/431 answer. */
#define HTTP_CONNECTION_INCREMENT 1024

struct http_ctx {
    struct request req;
    struct timespec start;
    bool started; /* the first call of the access handler has set req up */
    bool dispatched;
    bool queued;           /* an answer was queued: the log shows its status, else "-" */
    int refuse;            /* a status decided before the handler ran (414, 400), or 0 */
    size_t body_discarded; /* bytes dropped after the body limit */
    size_t max_body;       /* this request's limit: the route's (see http_body_limit) */
};

/* Every open connection, for the watchdog that enforces the total time of a request: from the
 * moment its request line arrived, and while a connection waits for the next request line, from
 * the end of the previous request (so that a request line dripped byte by byte is cut too). */
struct http_watch {
    int fd;
    long long since; /* monotonic seconds; 0: not watched (between requests, or already cut) */
    struct http_watch *prev, *next;
};

static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct http_watch *watch_head;

static const struct http_hooks *srv_hooks;
static const struct route *srv_routes;
static size_t srv_nroutes;
static const struct server_options *srv_opt;

static enum MHD_Result http_collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *value)
{
    (void)kind;
    struct request *req = cls;
    if (!utf8_valid(key, strlen(key)) || (value && !utf8_valid(value, strlen(value)))) {
        if (!req->query_malformed)
            req->query_malformed_key =
                utf8_valid(key, strlen(key)) ? arena_strdup(req->arena, key) : "";
        req->query_malformed = true;
        return MHD_YES; /* ignored: malformed parameters never reach handlers */
    }
    http_kv_add(req->arena, &req->query, key, value ? value : "");
    return MHD_YES;
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

/* libmicrohttpd 0.9.75 parses the query from just after the '?' it found before the URI callback,
 * as a C string in its own (writable) read buffer: ending the string there leaves the pool free
 * for the 414. Other versions may parse differently, so the buffer is only touched on this one. */
#if MHD_VERSION >= 0x00097500 && MHD_VERSION < 0x00097600
#define HTTP_CUT_REFUSED_QUERY 1
#else
#define HTTP_CUT_REFUSED_QUERY 0
#endif

/* Called by libmicrohttpd with the request line's URI as sent, before it parses the query: the
 * request's context is made here, and a URI too long or with too many parameters is refused. */
static void *http_uri_seen(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    struct http_ctx *ctx = xcalloc(1, sizeof(*ctx));
    clock_gettime(CLOCK_MONOTONIC, &ctx->start);
    /* The request's own time starts now, not when the connection went idle. */
    http_watch_set(conn, (long long)ctx->start.tv_sec);
    if (!uri)
        return ctx;
    long query_at;
    ctx->refuse = http_uri_check(uri, &query_at);
    if (ctx->refuse == 414 && query_at >= 0 && HTTP_CUT_REFUSED_QUERY)
        ((char *)uri)[query_at + 1] = '\0';
    return ctx;
}

struct http_cl_scan {
    const char *first;
    bool differ;
    bool chunked; /* a Transfer-Encoding was sent as well */
};

static enum MHD_Result http_scan_content_length(void *cls, enum MHD_ValueKind kind, const char *key,
                                                const char *value)
{
    (void)kind;
    struct http_cl_scan *sc = cls;
    if (strcasecmp(key, "Transfer-Encoding") == 0)
        sc->chunked = true;
    if (strcasecmp(key, "Content-Length") != 0)
        return MHD_YES;
    if (!sc->first)
        sc->first = value ? value : "";
    else if (strcmp(sc->first, value ? value : "") != 0)
        sc->differ = true;
    return MHD_YES;
}

static enum MHD_Result http_answer(struct http_ctx *ctx)
{
    ctx->queued = true;
    return http_queue(&ctx->req);
}

/* Answers now, before any body is read (libmicrohttpd then closes the connection). */
static enum MHD_Result http_refuse(struct http_ctx *ctx, int status)
{
    struct request *req = &ctx->req;
    ctx->dispatched = true;
    http_error(req, status, strncmp(req->path, "/api/", 5) == 0, srv_hooks);
    return http_answer(ctx);
}

/* Every X-Forwarded-For line in order, joined with commas: a proxy may add its own line after
 * one the client sent, and reading only the first would believe the client. No line is dropped
 * (the headers already fit libmicrohttpd's pool): dropping the last ones would do the same. */
static enum MHD_Result http_collect_xff(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *value)
{
    (void)kind;
    struct buf *b = cls;
    if (value && strcasecmp(key, "X-Forwarded-For") == 0) {
        if (b->len)
            buf_puts(b, ",");
        buf_puts(b, value);
    }
    return MHD_YES;
}

/* The peer's address as text ("?" when unknown), then the client's through trusted proxies. */
static const char *http_client_find(struct request *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char peer[INET6_ADDRSTRLEN] = "?";
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, peer, sizeof peer);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, peer, sizeof peer);
    }
    const struct http_proxies *proxies = srv_hooks->proxies ? *srv_hooks->proxies : NULL;
    if (!proxies || proxies->n == 0)
        return arena_strdup(req->arena, peer);
    struct buf xff = BUF_INIT;
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, http_collect_xff, &xff);
    const char *ip =
        http_client_resolve(req->arena, peer, xff.len ? buf_cstr(&xff) : NULL, proxies);
    buf_free(&xff);
    return ip;
}

static void http_ctx_start(struct http_ctx *ctx, struct MHD_Connection *conn, const char *url,
                           const char *method)
{
    struct request *req = &ctx->req;
    ctx->started = true;
    req->arena = arena_new();
    req->conn = conn;
    req->app = srv_hooks->app;
    req->secure = srv_hooks->secure;
    req->head = strcmp(method, "HEAD") == 0;
    req->method = req->head ? "GET" : arena_strdup(req->arena, method);
    req->path = arena_strdup(req->arena, url);
    req->status = 200;
    req->cache = HTTP_CACHE_PAGE;
    req->client_ip = http_client_find(req);
}

/* The body limit of a request: max_upload for a POST to a ROUTE_UPLOAD route, else max_body.
 * Known from the request line alone, before any of the body is read. */
static size_t http_body_limit(struct request *req)
{
    if (!srv_opt->max_upload || strcmp(req->method, "POST") != 0)
        return srv_opt->max_body;
    /* Every upload needs an account (a session cookie or a bearer token): a body without either
     * is refused at the small limit, before megabytes of it are read and kept. */
    if (!http_header(req, "Authorization") && !http_header(req, "Cookie"))
        return srv_opt->max_body;
    const char *params[4];
    for (size_t i = 0; i < srv_nroutes; i++) {
        const struct route *r = &srv_routes[i];
        if ((r->flags & ROUTE_UPLOAD) && strcmp(r->method, "POST") == 0 &&
            http_route_match(req->arena, r->pattern, req->path, params,
                             srv_hooks ? srv_hooks->segment_known : NULL))
            return srv_opt->max_upload > srv_opt->max_body ? srv_opt->max_upload
                                                           : srv_opt->max_body;
    }
    return srv_opt->max_body;
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
        /* Which length would the next hop believe? Two lengths, or a length with chunks, are
         * how requests are smuggled past a proxy (RFC 9112 §6.3). */
        if (sc.differ || (sc.first && sc.chunked))
            return http_refuse(ctx, 400);
        ctx->max_body = http_body_limit(req);
        unsigned long long declared = sc.first ? strtoull(sc.first, NULL, 10) : 0;
        if (declared > ctx->max_body) {
            /* Refused before reading the body; libmicrohttpd then closes the connection,
             * which is what a client sending too much should get. */
            req->body_too_large = true;
            return http_refuse(ctx, 413);
        }
        /* One allocation for a declared body: an upload of megabytes is not copied as it
         * doubles. */
        if (declared > 65536)
            buf_grow(&req->body, (size_t)declared);
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
        if (req->body_too_large || req->body.len + *upload_data_size > ctx->max_body) {
            req->body_too_large = true;
            ctx->body_discarded += *upload_data_size;
            *upload_data_size = 0;
            if (ctx->body_discarded > ctx->max_body)
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
        http_error(req, 404, false, srv_hooks);
        return http_answer(ctx);
    }
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, http_collect_arg, req);
    if (!req->body_too_large && req->body.len) {
        const char *ct = http_header(req, "Content-Type");
        if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 &&
            http_parse_urlencoded(req->arena, req->body.data, req->body.len, &req->form) != 0) {
            http_error(req, 400, false, srv_hooks);
            return http_answer(ctx);
        }
        const char *boundary = http_multipart_boundary(req->arena, ct);
        if (boundary &&
            http_parse_multipart(req->arena, boundary, req->body.data, req->body.len, &req->form,
                                 req->files, HTTP_MAX_FILES, &req->nfiles) != 0) {
            /* A body cut in the middle, or malformed: none of it is used. */
            req->nfiles = 0;
            http_error(req, 400, strncmp(req->path, "/api/", 5) == 0, srv_hooks);
            return http_answer(ctx);
        }
    }
    if (srv_hooks->identify && !srv_hooks->identify(req)) {
        /* The site cannot be read by this thread: nothing can be answered but that. */
        http_error(req, 503, strncmp(req->path, "/api/", 5) == 0, srv_hooks);
        http_add_header(req, "Retry-After", "10");
        return http_answer(ctx);
    }
    http_dispatch(req, srv_routes, srv_nroutes, srv_hooks);
    return http_answer(ctx);
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
        char path[300], method[24], status[8] = "-";
        http_log_clean(path, sizeof path, ctx->req.path);
        http_log_clean(method, sizeof method, ctx->req.head ? "HEAD" : ctx->req.method);
        /* A request cut before its answer (watchdog, closed by the peer) has no status. */
        if (ctx->queued)
            snprintf(status, sizeof status, "%d", ctx->req.status);
        int n = snprintf(line, sizeof line, "%s %s %s %s %s %ldus%s\n", ts,
                         http_client_ip(&ctx->req), method, path, status, us,
                         toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
        if (n > 0)
            fwrite(line, 1, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1, stderr);
    }
    if (ctx->req.stream) /* set but never queued */
        http_stream_free(ctx->req.stream);
    http_shared_drop(&ctx->req);
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

int http_serve(const struct http_hooks *hooks, const struct route *routes, size_t nroutes,
               const struct server_options *opt)
{
    srv_hooks = hooks;
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
