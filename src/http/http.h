/* http.h — the request and response as handlers see them, the route table's shape, responses
 * shared by many requests, and the server entry point with the hooks the application gives it.
 * libmicrohttpd stays behind this header, and http/ includes nothing above util/: what it needs
 * from the application comes as struct http_hooks. */
#ifndef FOISON_HTTP_H
#define FOISON_HTTP_H
#include "http/compress.h"
#include "util/buf.h"
#include <stdbool.h>
#include <stddef.h>

struct arena;
struct MHD_Connection;
struct app;         /* the application's configuration: opaque to http/ */
struct user;        /* the visitor's account: opaque to http/ */
struct http_shared; /* see http_shared_new() */

#define HTTP_MAX_PARAMS 256
#define HTTP_MAX_HEADERS 12

struct kv {
    const char *key, *value;
};

struct kvlist {
    struct kv *items;
    int n, cap;
};

#define HTTP_MAX_FILES 4 /* file parts of one multipart body */

/* A file part of a multipart/form-data body: a span of the request's body. Its file name and
 * type are what the client said, nothing more; filename is "" when none was given (a form sent
 * with no file chosen has such a part, of length 0). */
struct http_file {
    const char *name;         /* the form field */
    const char *filename;     /* last path component, UTF-8, at most 200 bytes */
    const char *content_type; /* as declared, "" when none */
    const unsigned char *data;
    size_t len;
};

enum http_cache {
    HTTP_CACHE_PAGE,      /* ETag + revalidate; private when the visitor is logged in */
    HTTP_CACHE_NONE,      /* no-store: forms, personal pages */
    HTTP_CACHE_IMMUTABLE, /* fingerprinted assets */
};

struct request {
    struct arena *arena;
    struct MHD_Connection *conn;
    const struct app *app; /* http_hooks.app */
    bool secure;           /* http_hooks.secure */
    const char *client_ip; /* see http_client_ip() */
    const char *method;    /* "GET" for HEAD too; see head */
    bool head;
    const char *path;
    const char *params[4]; /* path captures of the route, in order */
    struct kvlist query, form;
    struct http_file files[HTTP_MAX_FILES]; /* of a multipart body; its text parts are in form */
    int nfiles;
    struct buf body;
    bool body_too_large;
    bool query_malformed; /* a parameter was not UTF-8: dropped, and an API route answers 400 */
    const char *query_malformed_key; /* its name ("" when the name itself was not UTF-8) */
    /* who is asking */
    bool logged_in;
    const struct user *user; /* set by the identify hook when logged in */
    const char *session_token;
    const char *csrf;   /* the session's CSRF token, or the anonymous cookie's */
    bool set_anon_csrf; /* a new anonymous CSRF cookie must be sent */
    const char *flash;  /* a message left by the previous action (after a redirect), or NULL */
    /* The page cache's key of this anonymous page, or NULL: a cached page may depend on its key
     * only, so the page uses it instead of the raw path and query (the login link's `next`). */
    const char *page_key;
    /* Kept by the application for the request (web/app_generation()): what it read of the
     * site's state, 0 until read. */
    unsigned long app_generation;
    /* the answer */
    int status;
    const char *content_type;
    struct buf out;
    enum http_cache cache;
    /* The body's ETag (quoted) when the handler knows it from what the body is made of (the
     * site's generation and the query), so that it is never computed by hashing the body; NULL:
     * a hash of the body. See http_fresh(). */
    const char *etag;
    const char *header_names[HTTP_MAX_HEADERS];
    const char *header_values[HTTP_MAX_HEADERS];
    int nheaders;
    struct http_shared *shared; /* see http_shared_send() */
    bool shared_held;           /* a reference of its own on shared, dropped once queued */
    struct http_stream *stream; /* see http_stream_send() */
    /* see http_set_csp(): NULL for the default policy */
    const char *csp;
    bool frameable;
    /* A GET of a ROUTE_API route (set by http_dispatch()): the answer says any site's scripts
     * may read it, so that other sites can republish the network's records from the browser. */
    bool open_read;
};

typedef void (*http_handler)(struct request *req);

enum route_flags {
    ROUTE_API = 1,    /* errors answered in JSON */
    ROUTE_UPLOAD = 2, /* takes a multipart body up to server_options.max_upload */
};

struct route {
    const char *method;
    const char *pattern; /* "/innovations/{slug}/edit"; {kind} {slug} {file} {any} captures */
    http_handler handler;
    int flags;
};

const char *http_query(const struct request *req, const char *key);
const char *http_form(const struct request *req, const char *key);
/* The file part named name of a multipart body, or NULL. */
const struct http_file *http_file(const struct request *req, const char *name);
/* The boundary of a multipart/form-data Content-Type, in the arena; NULL for another type or a
 * boundary RFC 2046 does not allow. */
const char *http_multipart_boundary(struct arena *a, const char *content_type);
/* Parses a multipart/form-data body: text parts into form (UTF-8, as urlencoded fields are),
 * file parts into files (at most maxfiles, spans of body). -1 when the body is malformed, cut
 * before its closing delimiter, or past a limit (parts, header size, text size, files). */
int http_parse_multipart(struct arena *a, const char *boundary, const char *body, size_t n,
                         struct kvlist *form, struct http_file *files, int maxfiles, int *nfiles);
const char *http_header(const struct request *req, const char *name);
const char *http_cookie(const struct request *req, const char *name);
void http_add_header(struct request *req, const char *name, const char *value);
/* This answer's Content-Security-Policy instead of the default one (images from any https
 * origin, never framed): images from this site, data: and img_origin only ("https://host" or
 * "https://host:port"; anything else, or NULL, adds none), and, with any_ancestor, every site may
 * frame the page (frame-ancestors *, no X-Frame-Options). Every other directive is the
 * default's. */
void http_set_csp(struct request *req, const char *img_origin, bool any_ancestor);
/* Parses application/x-www-form-urlencoded text into list (values decoded, in the arena).
 * Returns -1 on malformed input (bad escapes, invalid UTF-8, too many pairs). */
int http_parse_urlencoded(struct arena *a, const char *s, size_t n, struct kvlist *list);
void http_redirect(struct request *req, int status, const char *location);
/* Sets a cookie with HttpOnly, SameSite=Lax, Path=/ and Secure when the site is https. */
void http_set_cookie(struct request *req, const char *name, const char *value, long max_age);
/* True for a state-changing request that comes from another origin (Origin header). */
bool http_cross_origin(const struct request *req);
/* The client's IP address as text ("?" when unknown): the peer's, or, when the peer is a
 * trusted proxy, the address its X-Forwarded-For gives (see http_client_resolve()). */
const char *http_client_ip(const struct request *req);

/* Reverse proxies whose X-Forwarded-For is believed: addresses or networks, IPv4 or IPv6. */
#define HTTP_MAX_PROXIES 16
struct http_proxies {
    int n;
    struct {
        int family; /* AF_INET or AF_INET6 */
        unsigned char addr[16];
        int prefix; /* bits */
    } net[HTTP_MAX_PROXIES];
};
/* Parses "10.0.0.1, 192.168.0.0/16 ::1" (items separated by commas or spaces; empty: none).
 * 0, or -1 with a French reason naming the bad item in err. */
int http_proxies_parse(const char *text, struct http_proxies *out, char *err, size_t errlen);
/* The client's address given the peer's (text) and the request's X-Forwarded-For (or NULL).
 * Only when the peer is in proxies is the header read: from its right end, the first address
 * that is not itself a trusted proxy is the client (the ones to its left could be made up by
 * anybody); a malformed item stops the walk at the hop that added it. In the arena. */
const char *http_client_resolve(struct arena *a, const char *peer, const char *xff,
                                const struct http_proxies *proxies);

struct server_options {
    const char *listen_host;
    unsigned short port;
    unsigned threads;
    size_t max_body;
    size_t max_upload;                /* the body of a ROUTE_UPLOAD route (0: max_body) */
    unsigned timeout_seconds;         /* idle time of a connection */
    unsigned request_timeout_seconds; /* a whole request, from its first line to its answer */
    unsigned max_connections;         /* in all; past it new connections are refused */
    unsigned max_per_ip;              /* from one address at once */
    bool quiet;                       /* no access log */
};

/* Whether the client already holds the answer whose ETag is etag (quoted, as req->etag takes it)
 * in the coding it would be sent in now (req->content_type must be set): then req is answered
 * 304 with that ETag, before anything is built, and true is returned. Otherwise req->etag is set
 * to etag for the answer to come and false is returned. */
bool http_fresh(struct request *req, const char *etag);

/* A response built once and sent to many requests: a cached page, a static asset. It holds the
 * body in identity and in each coding that makes it smaller (compressed here, once, at effort;
 * at COMPRESS_DYNAMIC, the effort of big answers, each coding is made when a request first
 * asks for it), an ETag per coding, and the headers of content_type and cache (always public:
 * a shared response is never personal). The body is copied. NULL when out of memory. */
struct http_shared *http_shared_new(const char *content_type, enum http_cache cache,
                                    const void *body, size_t len, enum compress_effort effort);
/* The same with the ETag given (quoted; NULL: a hash of the body), for answers whose ETag says
 * what they are made of rather than their bytes; open: readable by any site (see
 * request.open_read). */
struct http_shared *http_shared_new_etag(const char *content_type, enum http_cache cache,
                                         const void *body, size_t len, enum compress_effort effort,
                                         const char *etag, bool open);
/* The same bodies as base under another cache policy (a static asset's fingerprinted name and
 * its plain name), without copying or compressing again (the codings base has made so far):
 * it must not outlive base. */
struct http_shared *http_shared_variant(const struct http_shared *base, enum http_cache cache);
/* One more holder of s (a request about to send it, taken under the lock that keeps s alive):
 * it then outlives whoever made it until that holder frees it too. Returns s. */
struct http_shared *http_shared_hold(struct http_shared *s);
/* Drops a holder of s; the last one frees it. Requests still sending it keep their own
 * reference inside libmicrohttpd. */
void http_shared_free(struct http_shared *s);
/* Answers req with s, in the coding its Accept-Encoding prefers (304 when If-None-Match holds
 * that variant's ETag), making that coding first if it is a lazy one. held: req owns a
 * reference (http_shared_hold()), dropped once libmicrohttpd has taken its own, so no lock
 * need be held while a coding is made; otherwise s must outlive the request (a static asset). */
void http_shared_send(struct request *req, struct http_shared *s, bool held);
/* Forgets req's shared answer (an error replacing it, a request ending unanswered). */
void http_shared_drop(struct request *req);
/* Bytes of s's body in coding e, 0 when it has no such variant (yet) (tests, statistics). */
size_t http_shared_size(const struct http_shared *s, enum compress_encoding e);

/* A body made while it is sent, for answers whose size must not depend on what they hold (a
 * calendar of every event): memory stays that of one piece. next(state, out) appends the next
 * piece to out (empty at each call) and returns 1 while more follows, 0 with the last piece
 * (which may be empty), -1 on a failure: the connection is then cut, so that the client sees
 * an incomplete answer rather than a short one passed for whole. next runs after the handler
 * returned, on the same thread, once libmicrohttpd can send more. done(state) is called once
 * (may be NULL), when the answer is over: sent, failed, cut, never started (HEAD) or replaced
 * by an error. The answer has req's status, content type, cache policy and headers, no ETag
 * and no compression, and is sent chunked. */
typedef int (*http_stream_next)(void *state, struct buf *out);
struct http_stream;
void http_stream_send(struct request *req, http_stream_next next, void (*done)(void *state),
                      void *state);

/* What http/ needs from the application, given by it at start-up. */
struct http_hooks {
    const struct app *app; /* handed to every request as req->app */
    bool secure;           /* served over https: cookies get Secure, Origin must say https */
    /* Whose X-Forwarded-For is believed: *proxies is read once per request, so the application
     * may put a new list there while serving (keeping the old one alive). NULL: nobody. */
    const struct http_proxies *_Atomic const *proxies;
    /* True when a {kind} capture of a route is a kind's URL segment (NULL: any segment). */
    bool (*segment_known)(const char *segment);
    /* Identifies the visitor before the handler runs. False when that cannot be done (the site's
     * storage is unreachable): the request is answered 503. NULL: every visitor is anonymous. */
    bool (*identify)(struct request *req);
    /* Writes into req the page or the JSON of an error status (NULL: a line of plain text). */
    void (*error)(struct request *req, int status, bool api);
};

/* Answers req from the first route of routes whose pattern matches its path and whose method is
 * its method: 404 when no pattern matches, 405 with Allow when only other methods do, 413 when the
 * body was too large for a route that exists. */
void http_dispatch(struct request *req, const struct route *routes, size_t nroutes,
                   const struct http_hooks *hooks);

/* Serves until SIGINT/SIGTERM. 0 on a clean stop. */
int http_serve(const struct http_hooks *hooks, const struct route *routes, size_t nroutes,
               const struct server_options *opt);

#endif
