/* geo.c — the map's doors. GET /api/v1/geo answers RFC 7946 GeoJSON of the visible entries
 * (a bbox, the search's filters and text, or one id); GET /api/v1/geo/compact the same points,
 * and the entries without a position, in the compact arrays the map page expands (README.md's
 * API table has both contracts). Where each entry is shown is core/geo.c's; this file reads the
 * parameters, writes the JSON straight into a buffer (a hundred thousand features: no tree of
 * objects), and caches: the ETag comes from the site's generation and the query, so a client
 * that holds the answer gets its 304 before anything is read, and answers without a box or an
 * id are kept in the page cache, compressed once, for every visitor (they hold public data
 * only). */
#include "core/geo.h"
#include "core/schema.h"
#include "core/search.h"
#include "core/validate.h"
#include "http/compress.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/json_write.h"
#include "util/utf8.h"
#include "core/media.h"
#include "util/json_write.h"
#include "web/app.h"
#include "web/page_cache.h"
#include "web/pages.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define GEO_FEATURES_A_SEARCH 5000 /* features of a box answer that count as one search */

/* Moved when the answers change shape without the site changing: clients then never keep an
 * answer of an older program under the same generation. */
#define GEO_FORMAT "geo-1"
#define GEO_MAX_KINDS 32
/* A string literal appended without measuring it (a feature has a dozen). */
#define GEO_PUT(b, lit) buf_append((b), (lit), sizeof(lit) - 1)

struct geo_params {
    struct geo_bbox bbox;
    bool has_bbox;
    long long id;
    const char *q;
    size_t q_len;
    struct search_filter filters[SEARCH_MAX_FILTERS];
    int nfilters;
    const char *key; /* the parameters as they change the answer: the cache's key, the ETag's */
    bool bare;       /* no such parameter: the answer every visitor of the map asks for */
};

struct geo_pair {
    const char *key, *value;
};

static int geo_pair_cmp(const void *x, const void *y)
{
    const struct geo_pair *a = x, *b = y;
    int c = strcmp(a->key, b->key);
    return c ? c : strcmp(a->value, b->value);
}

/* Reads and checks the query: bbox and id where allowed, q, and the search's filters (other
 * parameters are ignored, as the search ignores them). */
static void geo_params_read(struct request *req, struct geo_params *p, bool compact,
                            struct field_errors *errs)
{
    memset(p, 0, sizeof *p);
    struct geo_pair *pairs =
        arena_alloc(req->arena, sizeof *pairs * (size_t)(req->query.n ? req->query.n : 1));
    int npairs = 0;
    bool seen_bbox = false, seen_id = false;
    for (int i = 0; i < req->query.n; i++) {
        const char *key = req->query.items[i].key, *value = req->query.items[i].value;
        bool used = true;
        if (strcmp(key, "bbox") == 0) {
            if (compact)
                validate_error(errs, "bbox",
                               "la forme compacte donne toute la carte\u202f: pas de bbox");
            else if (seen_bbox)
                validate_error(errs, "bbox", "une seule bbox");
            else if (*value) {
                const char *why = geo_bbox_parse(value, &p->bbox);
                if (why)
                    validate_error(errs, "bbox", why);
                p->has_bbox = !why;
            }
            seen_bbox = true;
        } else if (strcmp(key, "id") == 0) {
            int id = app_int_param(value, 999999999);
            if (compact)
                validate_error(errs, "id",
                               "la forme compacte donne toute la carte\u202f: pas d'id");
            else if (seen_id || id <= 0)
                validate_error(errs, "id", "un numéro de fiche attendu (1 ou plus)");
            p->id = id > 0 ? id : 0;
            seen_id = true;
        } else if (strcmp(key, "q") == 0) {
            if (p->q)
                continue;
            p->q = value;
            p->q_len = strlen(value);
            if (p->q_len > SEARCH_MAX_QUERY)
                validate_error(errs, "q", "recherche trop longue (1000 octets au plus)");
        } else {
            used = page_search_filter(key, value, p->filters, &p->nfilters, errs);
        }
        if (used && *value)
            pairs[npairs++] = (struct geo_pair){key, value};
    }
    /* The same answer, the same key, whatever the order or repetitions of the parameters: so
     * that the answers kept are not as many as the ways of writing one query. Unit separators:
     * no value can make two queries read as one. */
    if (npairs > 1)
        qsort(pairs, (size_t)npairs, sizeof *pairs, geo_pair_cmp);
    struct buf k = BUF_INIT;
    buf_puts(&k, req->path);
    for (int i = 0; i < npairs; i++) {
        if (i && geo_pair_cmp(&pairs[i], &pairs[i - 1]) == 0)
            continue;
        buf_printf(&k, "\x1f%s\x1e", pairs[i].key);
        buf_puts(&k, pairs[i].value);
    }
    p->bare = npairs == 0;
    p->key = arena_strdup(req->arena, buf_cstr(&k));
    buf_free(&k);
}

/* The ETag of an answer: the site's generation and a hash of the format and the query. */
static const char *geo_etag(struct request *req, unsigned long gen, const char *key)
{
    struct buf b = BUF_INIT;
    buf_puts(&b, GEO_FORMAT FOISON_VERSION "\n");
    buf_puts(&b, key);
    unsigned long long h = hash_fnv64(b.data, b.len);
    buf_free(&b);
    return arena_printf(req->arena, "\"%lx-%016llx\"", gen, h);
}

/* FOISON_GEO_TRACE=1: the thread CPU time of each answer built, on the server's standard error
 * (the measure docs/PERFORMANCE.md quotes). */
static bool geo_tracing(void)
{
    static int trace = -1;
    if (trace < 0)
        trace = getenv("FOISON_GEO_TRACE") != NULL;
    return trace;
}

static double geo_cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* ---- the answer's memory ---- */

/* An answer past GEO_LARGE goes at once into a buffer of at least GEO_BIG_BUFFER: a block that
 * glibc maps apart from its heaps (it does so for every block over 32 MiB), which may then be
 * given advice without touching memory that others share (were it in a heap, the advice would
 * only let that memory take huge pages too). Its pages are only taken as they are written. */
#define GEO_LARGE ((size_t)1 << 20)
#define GEO_BIG_BUFFER ((size_t)48 << 20)
#define GEO_HUGE_PAGE ((uintptr_t)2 << 20)

/* Room for need more bytes in b. A whole-map GeoJSON of 100,000 points is 57 MB written in one
 * go into fresh memory: one page fault every 4 KiB was a fifth of its time, so a large answer's
 * buffer asks for transparent huge pages (one fault every 2 MiB; the advice follows the mapping
 * when realloc moves or grows it). Where the kernel gives none it falls back to small pages:
 * only speed depends on it. */
static void geo_reserve(struct buf *b, size_t need)
{
    if (b->len + need + 1 <= b->cap)
        return;
    bool was_big = b->cap >= GEO_BIG_BUFFER;
    if (!was_big && b->len + need + 1 > GEO_LARGE && need < GEO_BIG_BUFFER - b->len)
        need = GEO_BIG_BUFFER - b->len;
    buf_grow(b, need);
#ifdef MADV_HUGEPAGE
    if (!was_big && b->cap >= GEO_BIG_BUFFER) {
        uintptr_t start = ((uintptr_t)b->data + GEO_HUGE_PAGE - 1) & ~(GEO_HUGE_PAGE - 1);
        uintptr_t end = ((uintptr_t)b->data + b->cap) & ~(GEO_HUGE_PAGE - 1);
        if (end > start)
            (void)madvise((void *)start, end - start, MADV_HUGEPAGE); /* advice: may be refused */
    }
#else
    (void)was_big;
#endif
}

/* ---- writing numbers and strings (printf's %.5f costs a fifth of the answer at 100,000
 * points; a call per piece, with its own check of room, another tenth) ---- */

/* The writers below write at p, where the caller has made room (geo_reserve), and return the
 * end of what they wrote. */
static char *geo_uint_at(char *p, unsigned long long u)
{
    char t[24];
    int i = sizeof t;
    do
        t[--i] = (char)('0' + u % 10);
    while ((u /= 10) && i > 0);
    memcpy(p, t + i, sizeof t - (size_t)i);
    return p + (sizeof t - (size_t)i);
}

/* A coordinate with 5 decimals (about a metre), rounded half away from zero. */
static char *geo_coord_at(char *p, double v)
{
    long long n = llround(v * 1e5);
    char t[32];
    int i = sizeof t;
    unsigned long long u = n < 0 ? (unsigned long long)-n : (unsigned long long)n;
    for (int d = 0; d < 5; d++, u /= 10)
        t[--i] = (char)('0' + u % 10);
    t[--i] = '.';
    do
        t[--i] = (char)('0' + u % 10);
    while ((u /= 10) && i > 1);
    if (n < 0)
        t[--i] = '-';
    memcpy(p, t + i, sizeof t - (size_t)i);
    return p + (sizeof t - (size_t)i);
}

#define GEO_AT(p, lit) (memcpy((p), (lit), sizeof(lit) - 1), (p) + sizeof(lit) - 1)
/* The most a number above writes. */
#define GEO_NUMBER_MAX 24

static void geo_put_uint(struct buf *b, unsigned long long u)
{
    geo_reserve(b, GEO_NUMBER_MAX);
    b->len = (size_t)(geo_uint_at(b->data + b->len, u) - b->data);
    b->data[b->len] = '\0';
}

static void geo_put_coord(struct buf *b, double v)
{
    geo_reserve(b, GEO_NUMBER_MAX);
    b->len = (size_t)(geo_coord_at(b->data + b->len, v) - b->data);
    b->data[b->len] = '\0';
}

/* Whether one of the 8 bytes of w needs an escape in JSON: below 0x20, '"' or '\\' (as
 * util/json_write.c tests them). */
static bool geo_word_special(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
    return (((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((bs - ones) & ~bs)) & high;
}

/* Whether s[0..n) needs no escape at all (nearly every title and summary). */
static bool geo_plain(const char *s, size_t n)
{
    size_t i = 0;
    for (uint64_t w; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        if (geo_word_special(w))
            return false;
    }
    for (; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == '"' || s[i] == '\\')
            return false;
    return true;
}

/* s[0..n) as a JSON string at b's end: copied when it needs no escape, else written by
 * json_write_string (the same bytes either way). */
static void geo_put_string(struct buf *b, const char *s, size_t n)
{
    if (!geo_plain(s, n)) {
        json_write_string(b, s, n);
        return;
    }
    geo_reserve(b, n + 2);
    char *p = b->data + b->len;
    *p++ = '"';
    memcpy(p, s, n);
    p[n] = '"';
    b->len += n + 2;
    b->data[b->len] = '\0';
}

/* ---- the kinds that can be placed, with what every feature of theirs repeats ---- */

struct geo_kind {
    const struct kind_def *k;
    const char *props; /* "kind":…,"kind_label":…,"url":"…/segment/ (no closing quote) */
    size_t props_len;
};

static int geo_kinds(struct request *req, struct geo_kind *out)
{
    int n = 0;
    for (size_t i = 0; i < kind_count() && n < GEO_MAX_KINDS; i++) {
        const struct kind_def *k = kind_at(i);
        if (!geo_kind_placeable(k))
            continue;
        struct buf b = BUF_INIT;
        buf_puts(&b, ",\"kind\":");
        json_write_cstr(&b, k->name);
        buf_puts(&b, ",\"kind_label\":");
        json_write_cstr(&b, k->label);
        buf_puts(&b, ",\"url\":");
        json_write_cstr(&b, app_url(req, arena_printf(req->arena, "/%s/", k->segment)));
        b.data[--b.len] = '\0'; /* the closing quote: the slug follows */
        out[n++] = (struct geo_kind){k, arena_strdup(req->arena, buf_cstr(&b)), b.len};
        buf_free(&b);
    }
    return n;
}

static int geo_kind_index(const struct geo_kind *kinds, int n, const struct kind_def *k)
{
    for (int i = 0; i < n; i++)
        if (kinds[i].k == k)
            return i;
    return -1;
}

/* A slug inside a JSON string: as it is when it has only a slug's characters (always, from the
 * save path), escaped otherwise. */
static void geo_put_slug_tail(struct buf *b, const char *slug)
{
    size_t n = 0;
    while ((slug[n] >= 'a' && slug[n] <= 'z') || (slug[n] >= '0' && slug[n] <= '9') ||
           slug[n] == '-')
        n++;
    if (!slug[n]) {
        buf_append(b, slug, n);
        buf_putc(b, '"');
        return;
    }
    struct buf e = BUF_INIT;
    json_write_cstr(&e, slug);
    buf_append(b, e.data + 1, e.len - 1); /* its opening quote is already written */
    buf_free(&e);
}

/* ---- GeoJSON ---- */

struct geo_out {
    struct buf *b;
    const struct geo_kind *kinds;
    int nkinds;
    long long n;
    bool unplaced; /* an entry without position is written with a null geometry (?id=) */
};

static int geo_feature(void *arg, const struct geo_point *p)
{
    struct geo_out *o = arg;
    int k = geo_kind_index(o->kinds, o->nkinds, p->kind);
    if (k < 0 || (p->precision == GEO_UNPLACED && !o->unplaced))
        return 0;
    struct buf *b = o->b;
    size_t nslug = strlen(p->slug), ntitle = strlen(p->title), nsummary = strlen(p->summary);
    /* Room for the whole feature with its strings as they are, at once (its fixed text and
     * numbers take less than 200 bytes); the strings' writers check again. */
    geo_reserve(b, 200 + o->kinds[k].props_len + 2 * nslug + ntitle + nsummary + 8);
    char *w = b->data + b->len;
    if (o->n++)
        *w++ = ',';
    w = GEO_AT(w, "{\"type\":\"Feature\",\"id\":");
    w = geo_uint_at(w, (unsigned long long)p->id);
    if (p->precision == GEO_UNPLACED) {
        w = GEO_AT(w, ",\"geometry\":null");
    } else {
        w = GEO_AT(w, ",\"geometry\":{\"type\":\"Point\",\"coordinates\":[");
        w = geo_coord_at(w, p->lon);
        *w++ = ',';
        w = geo_coord_at(w, p->lat);
        w = GEO_AT(w, "]}");
    }
    w = GEO_AT(w, ",\"properties\":{\"slug\":");
    b->len = (size_t)(w - b->data);
    geo_put_string(b, p->slug, nslug);
    buf_append(b, o->kinds[k].props, o->kinds[k].props_len);
    geo_put_slug_tail(b, p->slug);
    GEO_PUT(b, ",\"title\":");
    geo_put_string(b, p->title, ntitle);
    GEO_PUT(b, ",\"summary\":");
    geo_put_string(b, p->summary, nsummary);
    const char *prec = geo_precision_name(p->precision);
    geo_reserve(b, 40);
    w = b->data + b->len;
    w = GEO_AT(w, ",\"precision\":");
    if (prec) {
        *w++ = '"';
        size_t np = strlen(prec);
        memcpy(w, prec, np);
        w += np;
        w = GEO_AT(w, "\"}}");
    } else {
        w = GEO_AT(w, "null}}");
    }
    b->len = (size_t)(w - b->data);
    b->data[b->len] = '\0';
    return 0;
}

/* Adds "image" to the properties of the one feature ending b (its "}}" reopened), or nothing
 * when entry id has no published main image. */
static bool geo_image_add(struct request *req, struct buf *b, long long id)
{
    const struct media *m;
    if (media_mains(app_store(req), req->arena, &id, 1, &m) != MEDIA_OK)
        return false;
    if (!m)
        return true;
    const struct media_file *f = NULL;
    for (int i = 0; i < m->nfiles; i++)
        if (strcmp(m->files[i].mime, "image/jpeg") == 0 && (!f || m->files[i].width <= 320))
            f = &m->files[i];
    if (!f || b->len < 2 || memcmp(b->data + b->len - 2, "}}", 2) != 0)
        return true;
    b->len -= 2;
    buf_puts(b, ",\"image\":{\"url\":");
    json_write_cstr(b, f->url);
    buf_printf(b, ",\"width\":%d,\"height\":%d,\"alt\":", f->width, f->height);
    json_write_cstr(b, m->alt);
    buf_puts(b, "}}}");
    return true;
}

/* The cached answer or the 304 for key, when there is one; true when req is answered. */
static bool geo_cached(struct request *req, struct geo_params *p, bool keep)
{
    unsigned long gen = app_generation(req);
    if (http_fresh(req, geo_etag(req, gen, p->key)))
        return true;
    return keep && page_cache_serve(req, p->key, gen);
}

static void geo_answer(struct request *req, struct geo_params *p, struct buf *b, bool keep)
{
    req->status = 200;
    buf_free(&req->out);
    req->out = *b;
    if (keep)
        page_cache_store_public(req, p->key, app_generation(req), p->bare);
}

/* GET /api/v1/geo?bbox=W,S,E,N&kind=&theme=&commune=&q=&id= — a FeatureCollection of the
 * visible entries with a position (inside the box when one is given), each Feature with its
 * entry's id, a Point [lon, lat] and the properties a popup shows; id=N alone gives that entry
 * (a null geometry when it has no position). 400 with per-field errors for a bad bbox, id or
 * filter. */
void api_geo(struct request *req)
{
    struct geo_params p;
    struct field_errors errs = {0};
    geo_params_read(req, &p, false, &errs);
    if (errs.n) {
        app_json_errors(req, &errs);
        req->status = 400;
        return;
    }
    req->content_type = "application/geo+json";
    /* A box or an id is one view among countless: answered, never kept. */
    bool keep = !p.has_bbox && !p.id;
    if (geo_cached(req, &p, keep))
        return;
    /* Built, it costs what a search costs (a pass over every point at most): counted as one. */
    if (page_search_throttled(req))
        return;
    double t0 = geo_cpu_ms();
    struct store *s = app_store(req);
    struct geo_kind kinds[GEO_MAX_KINDS];
    struct buf b = BUF_INIT;
    buf_grow(&b, 64 * 1024);
    buf_puts(&b, "{\"type\":\"FeatureCollection\",\"features\":[");
    struct geo_out o = {
        .b = &b, .kinds = kinds, .nkinds = geo_kinds(req, kinds), .unplaced = p.id > 0};
    struct geo_request gr = {
        .bbox = p.has_bbox ? &p.bbox : NULL,
        .q = p.q,
        .q_len = p.q_len,
        .filters = p.filters,
        .nfilters = p.nfilters,
        .id = p.id,
        .unplaced = p.id > 0,
        .summaries = true,
    };
    if (!s || geo_each(s, req->arena, &gr, geo_feature, &o) != GEO_OK) {
        buf_free(&b);
        req->etag = NULL;
        app_error(req, 500, true);
        return;
    }
    /* One record, for a popup: with its main image (the 320-pixel JPEG) when it has one. */
    if (p.id > 0 && o.n == 1 && b.len > 2 && !geo_image_add(req, &b, p.id)) {
        buf_free(&b);
        req->etag = NULL;
        app_error(req, 500, true);
        return;
    }
    buf_puts(&b, "]}\n");
    if (geo_tracing())
        fprintf(stderr, "geo: %lld features, %zu bytes, %.1f ms\n", o.n, b.len, geo_cpu_ms() - t0);
    /* An answer that is not kept (a box) is built again each time it is asked for: a box
     * holding most of a large map costs as much as many searches, and counts so (one more a
     * GEO_FEATURES_A_SEARCH features; compressing it as it is sent costs about five times its
     * building, GEO_FEATURES_A_SEARCH / 5 then). */
    if (!keep) {
        bool coded =
            compress_choose(http_header(req, "Accept-Encoding"), COMPRESS_ALL) != COMPRESS_IDENTITY;
        long long per = coded ? GEO_FEATURES_A_SEARCH / 5 : GEO_FEATURES_A_SEARCH;
        if (o.n > per)
            page_search_charge(req, (int)(o.n / per));
    }
    geo_answer(req, &p, &b, keep);
}

/* ---- the compact form ---- */

struct geo_compact {
    struct buf *points, *unplaced;
    const struct geo_kind *kinds;
    int nkinds;
    long long npoints, nunplaced;
};

static int geo_compact_one(void *arg, const struct geo_point *p)
{
    struct geo_compact *c = arg;
    int k = geo_kind_index(c->kinds, c->nkinds, p->kind);
    if (k < 0)
        return 0;
    struct buf *b;
    if (p->precision == GEO_UNPLACED) {
        b = c->unplaced;
        if (c->nunplaced++)
            buf_putc(b, ',');
        buf_putc(b, '[');
        geo_put_uint(b, (unsigned long long)p->id);
        buf_putc(b, ',');
        geo_put_uint(b, (unsigned long long)k);
    } else {
        b = c->points;
        if (c->npoints++)
            buf_putc(b, ',');
        buf_putc(b, '[');
        geo_put_uint(b, (unsigned long long)p->id);
        buf_putc(b, ',');
        geo_put_coord(b, p->lon);
        buf_putc(b, ',');
        geo_put_coord(b, p->lat);
        buf_putc(b, ',');
        geo_put_uint(b, (unsigned long long)k);
        buf_putc(b, ',');
        geo_put_uint(b, (unsigned long long)p->precision);
    }
    buf_putc(b, ',');
    geo_put_string(b, p->title, strlen(p->title));
    buf_putc(b, ',');
    geo_put_string(b, p->slug, strlen(p->slug));
    buf_putc(b, ']');
    return 0;
}

/* GET /api/v1/geo/compact?kind=&theme=&commune=&q= — every visible entry of the kinds that can
 * be placed, for the map page: {"generation", "kinds": [{"id","label","path"}], "points":
 * [[id, lon, lat, kind index, precision (0 exact, 1 place, 2 commune), title, slug]],
 * "unplaced": [[id, kind index, title, slug]], "total"}. A record's address is its kind's path
 * followed by its slug. */
void api_geo_compact(struct request *req)
{
    struct geo_params p;
    struct field_errors errs = {0};
    geo_params_read(req, &p, true, &errs);
    if (errs.n) {
        app_json_errors(req, &errs);
        req->status = 400;
        return;
    }
    req->content_type = "application/json; charset=utf-8";
    if (geo_cached(req, &p, true))
        return;
    /* Built, it costs what a search costs (a pass over every point at most): counted as one. */
    if (page_search_throttled(req))
        return;
    double t0 = geo_cpu_ms();
    struct store *s = app_store(req);
    struct geo_kind kinds[GEO_MAX_KINDS];
    struct buf points = BUF_INIT, unplaced = BUF_INIT;
    buf_grow(&points, 64 * 1024);
    struct geo_compact c = {
        .points = &points, .unplaced = &unplaced, .kinds = kinds, .nkinds = geo_kinds(req, kinds)};
    struct geo_request gr = {
        .q = p.q,
        .q_len = p.q_len,
        .filters = p.filters,
        .nfilters = p.nfilters,
        .unplaced = true,
    };
    if (!s || geo_each(s, req->arena, &gr, geo_compact_one, &c) != GEO_OK) {
        buf_free(&points);
        buf_free(&unplaced);
        req->etag = NULL;
        app_error(req, 500, true);
        return;
    }
    struct buf b = BUF_INIT;
    buf_grow(&b, points.len + unplaced.len + 4096);
    buf_printf(&b, "{\"generation\":\"%lu\",\"kinds\":[", app_generation(req));
    for (int i = 0; i < c.nkinds; i++) {
        buf_puts(&b, i ? ",{\"id\":" : "{\"id\":");
        json_write_cstr(&b, kinds[i].k->name);
        buf_puts(&b, ",\"label\":");
        json_write_cstr(&b, utf8_upper_first(req->arena, kinds[i].k->label_plural));
        buf_puts(&b, ",\"path\":");
        json_write_cstr(&b, arena_printf(req->arena, "/%s/", kinds[i].k->segment));
        buf_putc(&b, '}');
    }
    buf_puts(&b, "],\"points\":[");
    buf_append(&b, points.data, points.len);
    buf_puts(&b, "],\"unplaced\":[");
    buf_append(&b, unplaced.data, unplaced.len);
    buf_printf(&b, "],\"total\":%lld}\n", c.npoints + c.nunplaced);
    buf_free(&points);
    buf_free(&unplaced);
    if (geo_tracing())
        fprintf(stderr, "geo compact: %lld points, %lld unplaced, %zu bytes, %.1f ms\n", c.npoints,
                c.nunplaced, b.len, geo_cpu_ms() - t0);
    geo_answer(req, &p, &b, true);
}
