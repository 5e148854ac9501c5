/* test_http.c — http/ on its own, linked without web/, core/ or store/ (meson.build links it with
 * http/ and util/ only): URL-encoded parsing, the route matcher and dispatch (404, 405 with
 * Allow, 413, captures checked by shape and by the segment hook), request-line checks (414, 400),
 * If-None-Match, log cleaning, the headers of built responses and shared responses with their
 * per-coding variants. */
#include "http/internal.h"
#include "util/arena.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>

static void test_urlencoded(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kvlist l = {0};
    const char *s = "title=Caf%C3%A9+r%C3%A9paration&empty=&flag&a=1&a=2&&x=%2B%26%3D";
    assert_int_equal(http_parse_urlencoded(a, s, strlen(s), &l), 0);
    assert_int_equal(l.n, 6);
    assert_string_equal(http_kv_get(&l, "title"), "Café réparation");
    assert_string_equal(http_kv_get(&l, "empty"), "");
    assert_string_equal(http_kv_get(&l, "flag"), "");
    assert_string_equal(http_kv_get(&l, "a"), "1"); /* the first of repeated keys */
    assert_string_equal(http_kv_get(&l, "x"), "+&=");
    assert_null(http_kv_get(&l, "missing"));
    /* Bad escapes and invalid UTF-8 refuse the whole body. */
    const char *bad[] = {"a=%", "a=%4", "a=%zz", "a=%C3", "a=%FF%FE", "%C3%28=1", "a=%ED%A0%80"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct kvlist b = {0};
        assert_int_equal(http_parse_urlencoded(a, bad[i], strlen(bad[i]), &b), -1);
    }
    /* A NUL decoded from %00 would cut a value short where C strings see it: refused. */
    struct kvlist z = {0};
    assert_int_equal(http_parse_urlencoded(a, "k=a%00b", 7, &z), -1);
    arena_free(a);
}

static void test_urlencoded_limit(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    char s[HTTP_MAX_PARAMS * 4 + 16] = "";
    size_t n = 0;
    for (int i = 0; i < HTTP_MAX_PARAMS; i++)
        n += (size_t)sprintf(s + n, "k=%d&", i % 10);
    struct kvlist l = {0};
    assert_int_equal(http_parse_urlencoded(a, s, n, &l), 0);
    assert_int_equal(l.n, HTTP_MAX_PARAMS);
    n += (size_t)sprintf(s + n, "one=more");
    struct kvlist m = {0};
    assert_int_equal(http_parse_urlencoded(a, s, n, &m), -1);
    arena_free(a);
}

static bool known_kind(const char *segment)
{
    return strcmp(segment, "innovations") == 0;
}

static void test_route_match(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    const char *p[4] = {0};
    assert_true(http_route_match(a, "/", "/", p, known_kind));
    assert_false(http_route_match(a, "/", "/x", p, known_kind));
    assert_true(http_route_match(a, "/{kind}/{slug}/edit", "/innovations/repair-cafe-2/edit", p,
                                 known_kind));
    assert_string_equal(p[0], "innovations");
    assert_string_equal(p[1], "repair-cafe-2");
    /* The segment hook refuses unknown kinds; without a hook any segment is one. */
    assert_false(http_route_match(a, "/{kind}", "/events", p, known_kind));
    assert_true(http_route_match(a, "/{kind}", "/events", p, NULL));
    /* Slugs: lower-case letters, digits and dashes only. */
    assert_false(http_route_match(a, "/{kind}/{slug}", "/innovations/Caf%C3%A9", p, known_kind));
    assert_false(http_route_match(a, "/{kind}/{slug}", "/innovations/a_b", p, known_kind));
    assert_false(http_route_match(a, "/{kind}/{slug}", "/innovations/", p, known_kind));
    assert_false(http_route_match(a, "/{kind}/{slug}", "/innovations/a/b", p, known_kind));
    /* Files: no way out of the folder. */
    assert_true(http_route_match(a, "/static/{file}", "/static/style.3f2a9c1d.css", p, NULL));
    assert_false(http_route_match(a, "/static/{file}", "/static/..", p, NULL));
    assert_false(http_route_match(a, "/static/{file}", "/static/a..b", p, NULL));
    assert_false(http_route_match(a, "/static/{file}", "/static/%2e%2e", p, NULL));
    /* A literal after a capture ends it within its segment. */
    assert_true(
        http_route_match(a, "/{kind}/{slug}.ics", "/innovations/atelier-2.ics", p, known_kind));
    assert_string_equal(p[1], "atelier-2");
    assert_false(http_route_match(a, "/{kind}/{slug}.ics", "/innovations/.ics", p, known_kind));
    assert_false(http_route_match(a, "/{kind}/{slug}.ics", "/innovations/atelier", p, known_kind));
    assert_false(http_route_match(a, "/{kind}/{slug}.ics", "/innovations/a.b.ics", p, known_kind));
    assert_false(http_route_match(a, "/{kind}/{slug}", "/innovations/atelier.ics", p, known_kind));
    /* A capture is at most 200 bytes. */
    char longp[300] = "/innovations/";
    memset(longp + 13, 'a', 201);
    assert_false(http_route_match(a, "/{kind}/{slug}", longp, p, known_kind));
    longp[13 + 200] = '\0';
    assert_true(http_route_match(a, "/{kind}/{slug}", longp, p, known_kind));
    arena_free(a);
}

static int handled;
static void handler_get(struct request *req)
{
    handled = 1;
    buf_puts(&req->out, "get");
}
static void handler_post(struct request *req)
{
    handled = 2;
    (void)req;
}
static int errors_api;
static void hook_error(struct request *req, int status, bool api)
{
    errors_api = api;
    buf_printf(&req->out, "error %d", status);
}

static const struct route routes[] = {
    {"GET", "/{kind}/{slug}", handler_get, 0},
    {"POST", "/{kind}/{slug}", handler_post, 0},
    {"PUT", "/api/v1/entries/{slug}", handler_post, ROUTE_API},
};

static void dispatch(struct request *req, struct arena *a, const char *method, const char *path)
{
    memset(req, 0, sizeof(*req));
    req->arena = a;
    req->method = method;
    req->path = path;
    req->status = 200;
    handled = 0;
    errors_api = -1;
    const struct http_hooks hooks = {.segment_known = known_kind, .error = hook_error};
    http_dispatch(req, routes, sizeof routes / sizeof *routes, &hooks);
}

static void test_dispatch(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct request req;
    dispatch(&req, a, "GET", "/innovations/repair");
    assert_int_equal(handled, 1);
    assert_int_equal(req.status, 200);
    assert_string_equal(req.params[1], "repair");
    buf_free(&req.out);
    dispatch(&req, a, "POST", "/innovations/repair");
    assert_int_equal(handled, 2);
    dispatch(&req, a, "GET", "/nowhere");
    assert_int_equal(handled, 0);
    assert_int_equal(req.status, 404);
    assert_string_equal(buf_cstr(&req.out), "error 404");
    assert_int_equal(errors_api, 0);
    assert_int_equal(req.cache, HTTP_CACHE_NONE);
    buf_free(&req.out);
    dispatch(&req, a, "DELETE", "/innovations/repair");
    assert_int_equal(req.status, 405);
    assert_int_equal(req.nheaders, 1);
    assert_string_equal(req.header_names[0], "Allow");
    assert_string_equal(req.header_values[0], "GET, HEAD, POST");
    buf_free(&req.out);
    /* Under /api/ errors are asked in JSON. */
    dispatch(&req, a, "GET", "/api/v1/entries/x");
    assert_int_equal(req.status, 405);
    assert_int_equal(errors_api, 1);
    assert_string_equal(req.header_values[0], "PUT");
    buf_free(&req.out);
    /* A body over the limit is refused by a route that exists, before its handler runs. */
    memset(&req, 0, sizeof req);
    req.arena = a;
    req.method = "PUT";
    req.path = "/api/v1/entries/x";
    req.body_too_large = true;
    handled = 0;
    const struct http_hooks hooks = {.error = hook_error};
    http_dispatch(&req, routes, 3, &hooks);
    assert_int_equal(handled, 0);
    assert_int_equal(req.status, 413);
    assert_int_equal(errors_api, 1);
    buf_free(&req.out);
    /* Without an error hook the answer is a plain line. */
    memset(&req, 0, sizeof req);
    req.arena = a;
    req.method = "GET";
    req.path = "/x";
    http_dispatch(&req, routes, 3, NULL);
    assert_int_equal(req.status, 404);
    assert_string_equal(buf_cstr(&req.out), "404\n");
    assert_string_equal(req.content_type, "text/plain; charset=utf-8");
    buf_free(&req.out);
    arena_free(a);
}

static void test_uri_check(void **state)
{
    (void)state;
    long q;
    assert_int_equal(http_uri_check("/innovations?theme=numerique", &q), 0);
    assert_int_equal(q, 12);
    assert_int_equal(http_uri_check("/", &q), 0);
    assert_int_equal(q, -1);
    assert_int_equal(http_uri_check("/api/v1/entries%00/x", &q), 400);
    assert_int_equal(http_uri_check("/a?x=%00", &q), 0); /* in the query: a parameter's business */
    char uri[HTTP_MAX_URI + 2];
    memset(uri, 'a', sizeof uri - 1);
    uri[0] = '/';
    uri[HTTP_MAX_URI] = '\0';
    assert_int_equal(http_uri_check(uri, &q), 0);
    uri[HTTP_MAX_URI] = 'a';
    uri[HTTP_MAX_URI + 1] = '\0';
    assert_int_equal(http_uri_check(uri, &q), 414);
    char many[HTTP_MAX_QUERY_PARAMS * 4 + 8] = "/?";
    size_t n = 2;
    for (int i = 0; i < HTTP_MAX_QUERY_PARAMS; i++)
        n += (size_t)sprintf(many + n, "%sa=", i ? "&" : "");
    assert_int_equal(http_uri_check(many, &q), 0);
    sprintf(many + n, "&b");
    assert_int_equal(http_uri_check(many, &q), 414);
    assert_int_equal(q, 1);
}

static void test_etag_and_log(void **state)
{
    (void)state;
    assert_true(http_etag_match("\"abc\"", "\"abc\""));
    assert_true(http_etag_match("\"x\", \"abc\"", "\"abc\""));
    assert_true(http_etag_match("*", "\"abc\""));
    assert_false(http_etag_match(NULL, "\"abc\""));
    assert_false(http_etag_match("\"abc-gz\"", "\"abc\""));
    assert_false(http_etag_match("\"abc\"", "\"abc-gz\""));
    char out[16];
    http_log_clean(out, sizeof out, "GET\x1b[31m x\ny");
    assert_string_equal(out, "GET?[31m?x?y");
    http_log_clean(out, sizeof out, "/a-very-long-path-indeed");
    assert_int_equal(strlen(out), 15);
    http_log_clean(out, sizeof out, NULL);
    assert_string_equal(out, "");
}

static void test_cookie_flags(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct request req = {.arena = a};
    http_set_cookie(&req, "foison_session", "tok", 3600);
    assert_string_equal(req.header_values[0],
                        "foison_session=tok; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax");
    req.secure = true;
    http_set_cookie(&req, "foison_csrf", "t", 0);
    assert_string_equal(req.header_values[1],
                        "foison_csrf=t; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure");
    /* Extra headers are bounded: past the table, they are dropped, never written outside it. */
    for (int i = 0; i < HTTP_MAX_HEADERS + 5; i++)
        http_add_header(&req, "X", "y");
    assert_int_equal(req.nheaders, HTTP_MAX_HEADERS);
    http_redirect(&req, 303, "/innovations");
    assert_int_equal(req.status, 303);
    assert_int_equal(req.cache, HTTP_CACHE_NONE);
    buf_free(&req.out);
    arena_free(a);
}

static void test_built_headers(void **state)
{
    (void)state;
    struct request req = {.content_type = "application/json", .cache = HTTP_CACHE_PAGE};
    http_add_header(&req, "Location", "/x");
    struct MHD_Response *r =
        http_response_build(&req, "{}", 2, MHD_RESPMEM_PERSISTENT, "\"e\"", COMPRESS_IDENTITY);
    assert_non_null(r);
    assert_string_equal(MHD_get_response_header(r, "Content-Type"), "application/json");
    assert_string_equal(MHD_get_response_header(r, "Cache-Control"), "public, no-cache");
    assert_string_equal(MHD_get_response_header(r, "Vary"), "Cookie, Accept-Encoding");
    assert_string_equal(MHD_get_response_header(r, "ETag"), "\"e\"");
    assert_string_equal(MHD_get_response_header(r, "Location"), "/x");
    assert_string_equal(MHD_get_response_header(r, "X-Content-Type-Options"), "nosniff");
    assert_string_equal(MHD_get_response_header(r, "X-Frame-Options"), "DENY");
    assert_non_null(
        strstr(MHD_get_response_header(r, "Content-Security-Policy"), "frame-ancestors 'none'"));
    assert_null(MHD_get_response_header(r, "Content-Encoding"));
    MHD_destroy_response(r);
    /* Logged in: private; no-store for forms; PNG is never said to vary by encoding. */
    struct request in = {.content_type = "image/png", .cache = HTTP_CACHE_PAGE, .logged_in = true};
    r = http_response_build(&in, "x", 1, MHD_RESPMEM_PERSISTENT, NULL, COMPRESS_GZIP);
    assert_string_equal(MHD_get_response_header(r, "Cache-Control"), "private, no-cache");
    assert_string_equal(MHD_get_response_header(r, "Vary"), "Cookie");
    assert_string_equal(MHD_get_response_header(r, "Content-Encoding"), "gzip");
    assert_null(MHD_get_response_header(r, "ETag"));
    MHD_destroy_response(r);
    in.cache = HTTP_CACHE_NONE;
    r = http_response_build(&in, "x", 1, MHD_RESPMEM_PERSISTENT, NULL, COMPRESS_IDENTITY);
    assert_string_equal(MHD_get_response_header(r, "Cache-Control"), "no-store");
    MHD_destroy_response(r);
}

static void test_shared(void **state)
{
    (void)state;
    /* A page that compresses well: every coding is there, each with its own ETag. */
    char page[8000];
    for (size_t i = 0; i < sizeof page; i++)
        page[i] = "<p>Répar'acteurs à Brest</p>\n"[i % 29];
    struct http_shared *s = http_shared_new("text/html; charset=utf-8", HTTP_CACHE_PAGE, page,
                                            sizeof page, COMPRESS_CACHED);
    assert_non_null(s);
    assert_int_equal(http_shared_size(s, COMPRESS_IDENTITY), sizeof page);
    size_t gz = http_shared_size(s, COMPRESS_GZIP);
    assert_true(gz > 0 && gz < sizeof page / 4);
    assert_true(http_shared_size(s, COMPRESS_BR) > 0);
    /* A variant under another policy shares the bodies without compressing again. */
    struct http_shared *v = http_shared_variant(s, HTTP_CACHE_IMMUTABLE);
    assert_non_null(v);
    assert_int_equal(http_shared_size(v, COMPRESS_GZIP), gz);
    http_shared_free(v);
    http_shared_free(s);
    /* Incompressible bytes (a PNG): identity alone. */
    unsigned char png[512];
    for (size_t i = 0; i < sizeof png; i++)
        png[i] = (unsigned char)(i * 2654435761u >> 13);
    s = http_shared_new("image/png", HTTP_CACHE_IMMUTABLE, png, sizeof png, COMPRESS_STATIC);
    assert_int_equal(http_shared_size(s, COMPRESS_IDENTITY), sizeof png);
    assert_int_equal(http_shared_size(s, COMPRESS_GZIP), 0);
    assert_int_equal(http_shared_size(s, COMPRESS_BR), 0);
    http_shared_free(s);
    /* A big answer (COMPRESS_DYNAMIC, an ETag of its own): no coding made before a request
     * asks for it; its variant under another policy has the identity body alone so far. */
    s = http_shared_new_etag("application/json", HTTP_CACHE_PAGE, page, sizeof page,
                             COMPRESS_DYNAMIC, "\"1f-00000000000000aa\"", false);
    assert_non_null(s);
    assert_int_equal(http_shared_size(s, COMPRESS_IDENTITY), sizeof page);
    assert_int_equal(http_shared_size(s, COMPRESS_GZIP), 0);
    assert_int_equal(http_shared_size(s, COMPRESS_BR), 0);
    v = http_shared_variant(s, HTTP_CACHE_IMMUTABLE);
    assert_int_equal(http_shared_size(v, COMPRESS_IDENTITY), sizeof page);
    assert_int_equal(http_shared_size(v, COMPRESS_BR), 0);
    http_shared_free(v);
    /* A request's hold keeps it whole after its maker lets it go (a slot replaced while the
     * request sends it); the last holder frees it (under ASan, a second free would show). */
    assert_ptr_equal(http_shared_hold(s), s);
    assert_ptr_equal(http_shared_hold(s), s);
    http_shared_free(s);
    http_shared_free(s);
    assert_int_equal(http_shared_size(s, COMPRESS_IDENTITY), sizeof page);
    http_shared_free(s);
    /* An empty body is a body. */
    s = http_shared_new("text/plain", HTTP_CACHE_PAGE, "", 0, COMPRESS_CACHED);
    assert_non_null(s);
    assert_int_equal(http_shared_size(s, COMPRESS_IDENTITY), 0);
    http_shared_free(s);
}

static void test_proxies(void **state)
{
    (void)state;
    struct http_proxies p;
    char err[200];
    assert_int_equal(http_proxies_parse("", &p, err, sizeof err), 0);
    assert_int_equal(p.n, 0);
    assert_int_equal(http_proxies_parse("127.0.0.1, 10.0.0.0/8 fd00::/8,::1", &p, err, sizeof err),
                     0);
    assert_int_equal(p.n, 4);
    assert_int_equal(p.net[1].prefix, 8);
    assert_int_equal(p.net[3].prefix, 128);
    const char *bad[] = {"10.0.0.0/33", "::/129",    "10.0.0.1/",    "10.0.0.1/x",
                         "300.1.1.1",   "localhost", "10.0.0.1/8/8", "1.2.3.4/-1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(http_proxies_parse(bad[i], &p, err, sizeof err), -1);
        assert_non_null(strstr(err, "invalide"));
    }
    char many[400] = "";
    for (int i = 0; i <= HTTP_MAX_PROXIES; i++)
        sprintf(many + strlen(many), "10.0.0.%d ", i);
    assert_int_equal(http_proxies_parse(many, &p, err, sizeof err), -1);
}

static void test_client_resolve(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct http_proxies p;
    char err[200];
    assert_int_equal(http_proxies_parse("127.0.0.1 10.0.0.0/8 fd00::/8", &p, err, sizeof err), 0);
    /* Not from a trusted proxy: the header is anybody's, ignored. */
    assert_string_equal(http_client_resolve(a, "198.51.100.9", "203.0.113.7", &p), "198.51.100.9");
    assert_string_equal(http_client_resolve(a, "127.0.0.1", "203.0.113.7", NULL), "127.0.0.1");
    /* From a trusted proxy: the rightmost address that is not a proxy. */
    assert_string_equal(http_client_resolve(a, "127.0.0.1", "203.0.113.7", &p), "203.0.113.7");
    assert_string_equal(http_client_resolve(a, "127.0.0.1", NULL, &p), "127.0.0.1");
    /* What the client wrote on the left is not believed. */
    assert_string_equal(http_client_resolve(a, "127.0.0.1", "1.2.3.4, 203.0.113.7", &p),
                        "203.0.113.7");
    /* Through two proxies of ours. */
    assert_string_equal(http_client_resolve(a, "127.0.0.1", "1.2.3.4,203.0.113.7 , 10.1.2.3", &p),
                        "203.0.113.7");
    /* Garbage added by a hop stops the walk at the hop that added it. */
    assert_string_equal(http_client_resolve(a, "127.0.0.1", "203.0.113.7, nonsense", &p),
                        "127.0.0.1");
    assert_string_equal(http_client_resolve(a, "127.0.0.1", "203.0.113.7, 10.0.0.2, ", &p),
                        "127.0.0.1");
    assert_string_equal(http_client_resolve(a, "127.0.0.1", "nonsense, 10.0.0.2", &p), "10.0.0.2");
    /* One spelling per address: IPv6 canonical, IPv4 seen through IPv6 is IPv4. */
    assert_string_equal(http_client_resolve(a, "127.0.0.1", "2001:DB8:0:0::1", &p), "2001:db8::1");
    assert_string_equal(http_client_resolve(a, "127.0.0.1", "::ffff:203.0.113.7", &p),
                        "203.0.113.7");
    assert_string_equal(http_client_resolve(a, "fd00::5", "203.0.113.8", &p), "203.0.113.8");
    /* Only proxies all along: the leftmost. */
    assert_string_equal(http_client_resolve(a, "127.0.0.1", "10.9.9.9, 10.0.0.1", &p), "10.9.9.9");
    arena_free(a);
}

/* A streamed body: pieces read in whatever sizes libmicrohttpd asks for, an empty piece
 * skipped, the end said once, done called once; a failure cuts the stream. */
struct stream_state {
    int calls, done, fail_at;
};

static int stream_next(void *state, struct buf *out)
{
    struct stream_state *s = state;
    s->calls++;
    if (s->fail_at && s->calls == s->fail_at)
        return -1;
    if (s->calls == 2)
        return 1; /* an empty piece, more to come */
    buf_printf(out, "piece%d;", s->calls);
    return s->calls < 4 ? 1 : 0;
}

static void stream_done(void *state)
{
    ((struct stream_state *)state)->done++;
}

static void test_stream(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct request req = {.arena = a};
    struct stream_state ss = {0};
    buf_puts(&req.out, "replaced");
    http_stream_send(&req, stream_next, stream_done, &ss);
    assert_non_null(req.stream);
    assert_int_equal(req.out.len, 0);
    char all[64] = {0}, chunk[5];
    size_t len = 0;
    ssize_t n;
    while ((n = http_stream_read(req.stream, len, chunk, sizeof chunk)) > 0) {
        assert_true(n <= (ssize_t)sizeof chunk);
        memcpy(all + len, chunk, (size_t)n);
        len += (size_t)n;
    }
    assert_int_equal(n, MHD_CONTENT_READER_END_OF_STREAM);
    assert_string_equal(all, "piece1;piece3;piece4;");
    assert_int_equal(ss.calls, 4);
    assert_int_equal(http_stream_read(req.stream, len, chunk, sizeof chunk),
                     MHD_CONTENT_READER_END_OF_STREAM);
    assert_int_equal(ss.calls, 4);
    http_stream_free(req.stream);
    assert_int_equal(ss.done, 1);

    /* A failure: the reader says so; an error page replacing a stream frees it. */
    struct stream_state bad = {.fail_at = 3};
    req.stream = NULL;
    http_stream_send(&req, stream_next, stream_done, &bad);
    assert_true(http_stream_read(req.stream, 0, chunk, sizeof chunk) > 0);
    while ((n = http_stream_read(req.stream, 0, chunk, sizeof chunk)) > 0)
        ;
    assert_int_equal(n, MHD_CONTENT_READER_END_WITH_ERROR);
    http_error(&req, 500, false, NULL);
    assert_null(req.stream);
    assert_int_equal(bad.done, 1);
    buf_free(&req.out);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_urlencoded),     cmocka_unit_test(test_urlencoded_limit),
        cmocka_unit_test(test_route_match),    cmocka_unit_test(test_dispatch),
        cmocka_unit_test(test_uri_check),      cmocka_unit_test(test_etag_and_log),
        cmocka_unit_test(test_cookie_flags),   cmocka_unit_test(test_built_headers),
        cmocka_unit_test(test_shared),         cmocka_unit_test(test_proxies),
        cmocka_unit_test(test_client_resolve), cmocka_unit_test(test_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
