/* request.c — the request as handlers read it: query, form and cookies, URL decoding, the route
 * matcher and dispatch, checks of the request line, and helpers that set up common answers
 * (redirects, cookies, errors). Nothing here touches a socket: it is unit-tested on its own. */
#include "http/internal.h"
#include "util/arena.h"
#include "util/utf8.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

const char *http_kv_get(const struct kvlist *l, const char *key)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->items[i].key, key) == 0)
            return l->items[i].value;
    return NULL;
}

int http_kv_add(struct arena *a, struct kvlist *l, const char *k, const char *v)
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

static char *http_urldecode(struct arena *a, const char *s, size_t n, bool *ok)
{
    char *out = arena_alloc(a, n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[j++] = ' ';
        } else if (s[i] == '%') {
            int h, l;
            if (i + 2 >= n || (h = utf8_hex_digit(s[i + 1])) < 0 ||
                (l = utf8_hex_digit(s[i + 2])) < 0) {
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
    const char *secure = req->secure ? "; Secure" : "";
    http_add_header(req, "Set-Cookie",
                    arena_printf(req->arena, "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Lax%s",
                                 name, value, max_age, secure));
}

const char *http_client_ip(const struct request *req)
{
    return req->client_ip ? req->client_ip : "?";
}

/* Parses one address (no prefix) into family and bytes; false when it is none. */
static bool http_addr_parse(const char *text, int *family, unsigned char addr[16])
{
    memset(addr, 0, 16);
    if (inet_pton(AF_INET, text, addr) == 1) {
        *family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, text, addr) == 1) {
        /* An IPv4 address seen through IPv6 (::ffff:a.b.c.d) is that IPv4 address. */
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(addr, mapped, 12) == 0) {
            memmove(addr, addr + 12, 4);
            memset(addr + 4, 0, 12);
            *family = AF_INET;
        } else {
            *family = AF_INET6;
        }
        return true;
    }
    return false;
}

int http_proxies_parse(const char *text, struct http_proxies *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    const char *p = text ? text : "";
    while (*p) {
        while (*p == ',' || *p == ' ')
            p++;
        if (!*p)
            break;
        size_t n = strcspn(p, ", ");
        char item[64];
        if (n >= sizeof item) {
            snprintf(err, errlen, "adresse trop longue : %.20s…", p);
            return -1;
        }
        memcpy(item, p, n);
        item[n] = '\0';
        p += n;
        if (out->n == HTTP_MAX_PROXIES) {
            snprintf(err, errlen, "%d mandataires au plus", HTTP_MAX_PROXIES);
            return -1;
        }
        char *slash = strchr(item, '/');
        long prefix = -1;
        if (slash) {
            char *end;
            *slash = '\0';
            prefix = strtol(slash + 1, &end, 10);
            if (slash[1] < '0' || slash[1] > '9' || *end || prefix < 0 || prefix > 128)
                prefix = -2;
        }
        int fam = AF_INET;
        unsigned char addr[16];
        bool ok = http_addr_parse(item, &fam, addr);
        int max = fam == AF_INET ? 32 : 128;
        if (!ok || prefix == -2 || prefix > max) {
            if (slash)
                *slash = '/';
            snprintf(err, errlen,
                     "adresse ou réseau invalide : %s (ex. 10.0.0.1, 192.168.0.0/16, ::1)", item);
            return -1;
        }
        out->net[out->n].family = fam;
        memcpy(out->net[out->n].addr, addr, 16);
        out->net[out->n].prefix = prefix < 0 ? max : (int)prefix;
        out->n++;
    }
    return 0;
}

static bool http_proxy_trusted(const struct http_proxies *proxies, const char *text)
{
    int fam;
    unsigned char addr[16];
    if (!proxies || !http_addr_parse(text, &fam, addr))
        return false;
    for (int i = 0; i < proxies->n; i++) {
        if (proxies->net[i].family != fam)
            continue;
        int bits = proxies->net[i].prefix, k = 0;
        for (; bits >= 8; bits -= 8, k++)
            if (addr[k] != proxies->net[i].addr[k])
                break;
        if (bits >= 8)
            continue;
        unsigned char mask = (unsigned char)(0xff << (8 - bits));
        if (bits == 0 || (addr[k] & mask) == (proxies->net[i].addr[k] & mask))
            return true;
    }
    return false;
}

const char *http_client_resolve(struct arena *a, const char *peer, const char *xff,
                                const struct http_proxies *proxies)
{
    const char *client = peer;
    if (!xff || !http_proxy_trusted(proxies, peer))
        return arena_strdup(a, client);
    /* From the right: each trusted hop vouches for the one to its left. */
    size_t end = strlen(xff);
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        size_t b = start, e = end;
        while (b < e && (xff[b] == ' ' || xff[b] == '\t'))
            b++;
        while (e > b && (xff[e - 1] == ' ' || xff[e - 1] == '\t'))
            e--;
        char item[64];
        int fam;
        unsigned char addr[16];
        if (e - b == 0 || e - b >= sizeof item)
            break;
        memcpy(item, xff + b, e - b);
        item[e - b] = '\0';
        if (!http_addr_parse(item, &fam, addr))
            break;
        char text[INET6_ADDRSTRLEN];
        inet_ntop(fam, addr, text, sizeof text); /* one spelling per address */
        client = arena_strdup(a, text);
        if (!http_proxy_trusted(proxies, text))
            break;
        end = start > 0 ? start - 1 : 0;
    }
    return client == peer ? arena_strdup(a, peer) : client;
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
    const char *scheme = req->secure ? "https://" : "http://";
    size_t n = strlen(scheme);
    return strncmp(origin, scheme, n) != 0 || strcmp(origin + n, host) != 0;
}

int http_uri_check(const char *uri, long *query_at)
{
    const char *q = strchr(uri, '?');
    *query_at = q ? (long)(q - uri) : -1;
    int params = 0;
    for (const char *p = q; p && *p; p++)
        params += *p == '?' || *p == '&';
    if (strlen(uri) > HTTP_MAX_URI || params > HTTP_MAX_QUERY_PARAMS)
        return 414;
    /* A NUL in the path (%00) would cut it short once decoded: /api/v1/entries%00/x is not
     * /api/v1/entries. */
    for (const char *p = uri; *p && *p != '?'; p++)
        if (p[0] == '%' && p[1] == '0' && p[2] == '0')
            return 400;
    return 0;
}

bool http_route_match(struct arena *a, const char *pattern, const char *path, const char *params[4],
                      bool (*segment_known)(const char *))
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
            /* A literal after the capture within its segment ("{slug}.ics") ends it: the
             * segment must end with that text, which the capture leaves out. */
            size_t lit = strcspn(close + 1, "/{");
            if (lit) {
                if ((size_t)(s - start) <= lit || strncmp(s - lit, close + 1, lit) != 0)
                    return false;
                s -= lit;
            }
            size_t len = (size_t)(s - start);
            if (len == 0 || len > 200 || np >= 4)
                return false;
            const char *cap = arena_strndup(a, start, len);
            if (strncmp(p + 1, "slug", nlen) == 0) {
                for (const char *c = cap; *c; c++)
                    if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
                        return false;
            } else if (strncmp(p + 1, "kind", nlen) == 0) {
                if (segment_known && !segment_known(cap))
                    return false;
            } else if (strncmp(p + 1, "file", nlen) == 0) {
                for (const char *c = cap; *c; c++)
                    if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' ||
                          *c == '.' || *c == '_') ||
                        (c[0] == '.' && c[1] == '.'))
                        return false;
            }
            params[np++] = cap;
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

void http_error(struct request *req, int status, bool api, const struct http_hooks *hooks)
{
    req->status = status;
    buf_reset(&req->out);
    req->cache = HTTP_CACHE_NONE;
    http_shared_drop(req);
    if (req->stream) { /* an error replaces a stream set before it */
        http_stream_free(req->stream);
        req->stream = NULL;
    }
    if (hooks && hooks->error) {
        hooks->error(req, status, api);
        return;
    }
    req->content_type = "text/plain; charset=utf-8";
    buf_printf(&req->out, "%d\n", status);
}

void http_dispatch(struct request *req, const struct route *routes, size_t nroutes,
                   const struct http_hooks *hooks)
{
    bool path_matched = false, api = strncmp(req->path, "/api/", 5) == 0;
    /* Every /api/ route is ROUTE_API: set before the match, so that a read refused here (a
     * query that is not UTF-8, an unknown address) is as readable by the site that asked as
     * the handler's own errors are. */
    req->open_read = api && strcmp(req->method, "GET") == 0;
    const char *allowed[8];
    int nallowed = 0;
    for (size_t i = 0; i < nroutes; i++) {
        const struct route *r = &routes[i];
        if (!http_route_match(req->arena, r->pattern, req->path, req->params,
                              hooks ? hooks->segment_known : NULL))
            continue;
        path_matched = true;
        if (strcmp(r->method, req->method) != 0) {
            if (nallowed < 8)
                allowed[nallowed++] = r->method;
            continue;
        }
        if (req->body_too_large) {
            http_error(req, 413, r->flags & ROUTE_API, hooks);
            return;
        }
        /* A page shows what it understood of its address; an API answering as if a filter
         * that was not UTF-8 had not been given would answer another question. */
        if (req->query_malformed && (r->flags & ROUTE_API)) {
            http_error(req, 400, true, hooks);
            return;
        }
        req->open_read = (r->flags & ROUTE_API) && strcmp(r->method, "GET") == 0;
        r->handler(req);
        return;
    }
    if (!path_matched) {
        http_error(req, 404, api, hooks);
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
    http_error(req, 405, api, hooks);
    http_add_header(req, "Allow", arena_strdup(req->arena, buf_cstr(&allow)));
    buf_free(&allow);
}

bool http_etag_match(const char *inm, const char *etag)
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

void http_log_clean(char *out, size_t size, const char *text)
{
    size_t j = 0;
    for (const unsigned char *p = (const unsigned char *)text; p && *p && j < size - 1; p++)
        out[j++] = (*p < 0x21 || *p == 0x7f) ? '?' : (char)*p;
    out[j] = '\0';
}
