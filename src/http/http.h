/* http.h — the request and response as handlers see them, the route table's shape, and the
 * server entry point. libmicrohttpd stays behind this header. */
#ifndef FOISON_HTTP_H
#define FOISON_HTTP_H
#include "core/account.h"
#include "util/buf.h"
#include <stdbool.h>
#include <stddef.h>

struct arena;
struct MHD_Connection;
struct MHD_Response;
struct app;

#define HTTP_MAX_PARAMS 256
#define HTTP_MAX_HEADERS 12

struct kv {
    const char *key, *value;
};

struct kvlist {
    struct kv *items;
    int n, cap;
};

enum http_cache {
    HTTP_CACHE_PAGE,      /* ETag + revalidate; private when the visitor is logged in */
    HTTP_CACHE_NONE,      /* no-store: forms, personal pages */
    HTTP_CACHE_IMMUTABLE, /* fingerprinted assets */
};

struct request {
    struct arena *arena;
    struct MHD_Connection *conn;
    const struct app *app;
    const char *method; /* "GET" for HEAD too; see head */
    bool head;
    const char *path;
    const char *params[4]; /* path captures of the route, in order */
    struct kvlist query, form;
    struct buf body;
    bool body_too_large;
    /* who is asking */
    bool logged_in;
    struct user user;
    const char *session_token;
    const char *csrf;   /* the session's CSRF token, or the anonymous cookie's */
    bool set_anon_csrf; /* a new anonymous CSRF cookie must be sent */
    const char *flash;  /* a message left by the previous action (after a redirect), or NULL */
    /* The page cache's key of this anonymous page, or NULL: a cached page may depend on its key
     * only, so the page uses it instead of the raw path and query (the login link's `next`). */
    const char *page_key;
    /* the answer */
    int status;
    const char *content_type;
    struct buf out;
    enum http_cache cache;
    const char *header_names[HTTP_MAX_HEADERS];
    const char *header_values[HTTP_MAX_HEADERS];
    int nheaders;
    struct MHD_Response *prepared;  /* an already built response, destroyed after queueing… */
    void (*prepared_release)(void); /* …unless it is shared: then this is called instead */
};

typedef void (*http_handler)(struct request *req);

enum route_flags {
    ROUTE_API = 1, /* errors answered in JSON */
};

struct route {
    const char *method;
    const char *pattern; /* "/innovations/{slug}/edit"; {kind} {slug} {file} {any} captures */
    http_handler handler;
    int flags;
};

const char *http_query(const struct request *req, const char *key);
const char *http_form(const struct request *req, const char *key);
const char *http_header(const struct request *req, const char *name);
const char *http_cookie(const struct request *req, const char *name);
void http_add_header(struct request *req, const char *name, const char *value);
/* Parses application/x-www-form-urlencoded text into list (values decoded, in the arena).
 * Returns -1 on malformed input (bad escapes, invalid UTF-8, too many pairs). */
int http_parse_urlencoded(struct arena *a, const char *s, size_t n, struct kvlist *list);
void http_redirect(struct request *req, int status, const char *location);
/* Sets a cookie with HttpOnly, SameSite=Lax, Path=/ and Secure when the site is https. */
void http_set_cookie(struct request *req, const char *name, const char *value, long max_age);
/* True for a state-changing request that comes from another origin (Origin header). */
bool http_cross_origin(const struct request *req);
/* The peer's IP address as text, in the arena ("?" when unknown). */
const char *http_client_ip(const struct request *req);

struct server_options {
    const char *listen_host;
    unsigned short port;
    unsigned threads;
    size_t max_body;
    unsigned timeout_seconds;         /* idle time of a connection */
    unsigned request_timeout_seconds; /* a whole request, from its first line to its answer */
    unsigned max_connections;         /* in all; past it new connections are refused */
    unsigned max_per_ip;              /* from one address at once */
    bool quiet;                       /* no access log */
};

/* Serves until SIGINT/SIGTERM. 0 on a clean stop. */
int http_serve(const struct app *app, const struct route *routes, size_t nroutes,
               const struct server_options *opt);

#endif
