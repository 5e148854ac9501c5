/* search.c — the search's doors: the page /recherche (the text, the facets as links that add or
 * take away a filter, sorting, pages, the spelling suggestion), GET /api/v1/search in the
 * shape the API documents, and GET /api/v1/search/suggest for the header box's suggestions as
 * you type (static/search.js). What the search finds is core/search.c's; this file reads the
 * parameters, names the facets and their values in French, and writes snippets as HTML. */
#include "core/schema.h"
#include "core/search.h"
#include "core/territory.h"
#include "core/throttle.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/json_write.h"
#include "util/utf8.h"
#include "web/app.h"
#include "web/pages.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEARCH_MAX_VALUE 100    /* bytes of a filter's value */
#define SEARCH_RATE_DEFAULT 600 /* searches a minute from one address (setting rate_searches) */

/* A search costs tens of milliseconds at a million entries: one address may not take the
 * server's threads for itself. Counted per address over a minute, in memory. */
static struct throttle *search_by_ip, *suggest_by_ip;
static pthread_once_t search_throttle_once = PTHREAD_ONCE_INIT;

static void search_throttle_init(void)
{
    search_by_ip = throttle_new(4096, 60, THROTTLE_OVERFLOW_UNTRACKED);
    suggest_by_ip = throttle_new(4096, 60, THROTTLE_OVERFLOW_UNTRACKED);
}

/* 0, or the seconds this address must wait (the answer is then 429, Retry-After set). */
static long search_limited(struct request *req, bool suggest)
{
    struct store *s = app_store(req);
    long max = s ? territory_setting_long(s, "rate_searches", SEARCH_RATE_DEFAULT) : 0;
    if (max <= 0)
        return 0;
    max = suggest ? 2 * max : max;
    pthread_once(&search_throttle_once, search_throttle_init);
    char key[THROTTLE_ADDRESS_MAX];
    throttle_address(http_client_ip(req), key, sizeof key);
    long wait = throttle_take(suggest ? suggest_by_ip : search_by_ip, key,
                              max > 65535 ? 65535 : (int)max, (long long)time(NULL));
    if (wait <= 0)
        return 0;
    req->status = 429;
    http_add_header(req, "Retry-After", arena_printf(req->arena, "%ld", wait));
    return wait;
}

long search_rate_wait(struct request *req)
{
    return search_limited(req, false);
}

/* The API's 429: a JSON error naming q. */
static void search_api_limited(struct request *req, long wait)
{
    struct field_errors errs = {0};
    validate_error(&errs, "q",
                   arena_printf(req->arena,
                                "trop de recherches depuis cette adresse\u202f: réessayez dans "
                                "%ld seconde%s",
                                wait, wait > 1 ? "s" : ""));
    app_json_errors(req, &errs);
    req->status = 429;
}

/* The facet field of some kind whose parameter is param (the first kind that has one). */
static const struct field_def *search_param_field(const char *param)
{
    for (size_t i = 0; i < kind_count(); i++) {
        const struct field_def *f = kind_facet_by_param(kind_at(i), param);
        if (f)
            return f;
    }
    return NULL;
}

static bool search_param_known(const char *param)
{
    return strcmp(param, "kind") == 0 || strcmp(param, "year") == 0 ||
           strcmp(param, "commune") == 0 || search_param_field(param) != NULL;
}

const char *search_filter_label(const char *param)
{
    if (strcmp(param, "kind") == 0)
        return "Type de fiche";
    if (strcmp(param, "theme") == 0)
        return "Thème";
    if (strcmp(param, "commune") == 0)
        return "Commune";
    if (strcmp(param, "year") == 0)
        return "Année";
    if (strcmp(param, "status") == 0)
        return "État";
    const struct field_def *f = search_param_field(param);
    return f ? f->label : param;
}

const char *search_filter_value_label(struct request *req, const char *param, const char *value)
{
    const struct territory *t = req->app->territory;
    if (strcmp(param, "kind") == 0) {
        const struct kind_def *k = kind_find(value);
        return k ? utf8_upper_first(req->arena, k->label_plural) : value;
    }
    if (strcmp(param, "commune") == 0) {
        const struct commune *c = territory_commune(t, value);
        return c ? c->name : value;
    }
    if (strcmp(param, "theme") == 0) {
        const struct theme *th = territory_theme(t, value);
        return th ? th->label : value;
    }
    for (size_t i = 0; i < kind_count(); i++) {
        const struct field_def *f = kind_facet_by_param(kind_at(i), param);
        const char *l = f ? field_option_label(f, value) : NULL;
        if (l)
            return l;
    }
    return value;
}

bool page_search_filter(const char *key, const char *value, struct search_filter *filters, int *n,
                        struct field_errors *errs)
{
    if (!search_param_known(key))
        return false;
    if (!*value)
        return true; /* "Tous": no filter */
    if (strlen(value) > SEARCH_MAX_VALUE)
        validate_error(errs, key, "valeur trop longue (100 caractères au plus)");
    else if (strcmp(key, "kind") == 0 && !kind_find(value))
        validate_error(errs, "kind", "type de fiche inconnu");
    else if (*n == SEARCH_MAX_FILTERS)
        validate_error(errs, key, "trop de filtres (8 au plus)");
    else
        filters[(*n)++] = (struct search_filter){key, value};
    return true;
}

bool page_search_throttled(struct request *req)
{
    long wait = search_limited(req, false);
    if (wait)
        search_api_limited(req, wait);
    return wait != 0;
}

void page_search_charge(struct request *req, int n)
{
    struct store *s = app_store(req);
    long max = s ? territory_setting_long(s, "rate_searches", SEARCH_RATE_DEFAULT) : 0;
    if (max <= 0 || n <= 0)
        return;
    pthread_once(&search_throttle_once, search_throttle_init);
    char key[THROTTLE_ADDRESS_MAX];
    throttle_address(http_client_ip(req), key, sizeof key);
    long long now = (long long)time(NULL);
    for (int i = 0; i < n; i++)
        (void)throttle_take(search_by_ip, key, max > 65535 ? 65535 : (int)max, now);
}

/* The parameters of a search, read and checked. */
struct search_params {
    const char *q;
    size_t q_len;
    bool cut; /* q was longer than SEARCH_MAX_QUERY bytes */
    struct search_filter filters[SEARCH_MAX_FILTERS];
    int nfilters;
    enum search_sort sort;
    int page;
};

static void search_params_read(struct request *req, struct search_params *p,
                               struct field_errors *errs)
{
    memset(p, 0, sizeof *p);
    p->page = 1;
    for (int i = 0; i < req->query.n; i++) {
        const char *key = req->query.items[i].key, *value = req->query.items[i].value;
        if (strcmp(key, "q") == 0) {
            if (!p->q) {
                p->q = value;
                p->q_len = strlen(value);
            }
        } else if (strcmp(key, "page") == 0) {
            p->page = app_int_param(value, 100000);
            if (!p->page) {
                validate_error(errs, "page", "numéro de page attendu (1 ou plus)");
                p->page = 1;
            }
        } else if (strcmp(key, "sort") == 0 || strcmp(key, "tri") == 0) {
            if (strcmp(value, "recent") == 0 || strcmp(value, "date") == 0)
                p->sort = SEARCH_SORT_RECENT;
            else if (strcmp(value, "relevance") != 0 && strcmp(value, "pertinence") != 0)
                validate_error(errs, "sort", "tri inconnu (relevance ou recent)");
        } else {
            page_search_filter(key, value, p->filters, &p->nfilters, errs);
        }
    }
    if (p->q && p->q_len > SEARCH_MAX_QUERY)
        p->cut = true;
}

static bool search_filter_on(const struct search_params *p, const char *param, const char *value)
{
    for (int i = 0; i < p->nfilters; i++)
        if (strcmp(p->filters[i].param, param) == 0 && strcmp(p->filters[i].value, value) == 0)
            return true;
    return false;
}

static void search_url_encode(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            *c == '-' || *c == '_' || *c == '.' || *c == '~')
            buf_putc(b, (char)*c);
        else
            buf_printf(b, "%%%c%c", hex[*c >> 4], hex[*c & 15]);
}

/* The address of this search with the filter (param, value) toggled (NULL: none), another
 * sort or page (0: the first, left out). */
static const char *search_url(struct request *req, const struct search_params *p, const char *q,
                              const char *param, const char *value, enum search_sort sort, int page)
{
    struct buf b = BUF_INIT;
    buf_puts(&b, "/recherche?q=");
    search_url_encode(&b, q ? q : "");
    for (int i = 0; i < p->nfilters; i++) {
        if (param && strcmp(p->filters[i].param, param) == 0 &&
            strcmp(p->filters[i].value, value) == 0)
            continue;
        buf_putc(&b, '&');
        search_url_encode(&b, p->filters[i].param);
        buf_putc(&b, '=');
        search_url_encode(&b, p->filters[i].value);
    }
    if (param && !search_filter_on(p, param, value)) {
        buf_putc(&b, '&');
        search_url_encode(&b, param);
        buf_putc(&b, '=');
        search_url_encode(&b, value);
    }
    if (sort == SEARCH_SORT_RECENT)
        buf_puts(&b, "&tri=date");
    if (page > 1)
        buf_printf(&b, "&page=%d", page);
    const char *url = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    return url;
}

/* A snippet as HTML: its text escaped, its marks as <mark>. */
static const char *search_snippet_html(struct request *req, const char *snippet)
{
    struct buf b = BUF_INIT;
    bool open = false;
    for (const char *p = snippet;;) {
        size_t n = strcspn(p, "\x01\x02");
        buf_put_html(&b, p, n);
        p += n;
        if (!*p)
            break;
        if (*p == SEARCH_MARK_OPEN && !open)
            buf_puts(&b, "<mark>"), open = true;
        else if (*p == SEARCH_MARK_CLOSE && open)
            buf_puts(&b, "</mark>"), open = false;
        p++;
    }
    if (open)
        buf_puts(&b, "</mark>");
    const char *html = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    return html;
}

static const char *search_hit_path(struct request *req, const struct search_hit *h)
{
    const struct kind_def *k = kind_find(h->kind);
    return arena_printf(req->arena, "/%s/%s", k ? k->segment : "innovations", h->slug);
}

static int search_do(struct request *req, const struct search_params *p, struct search_result *r)
{
    struct store *s = app_store(req);
    struct search_request sr = {
        .q = p->q,
        .q_len = p->q_len > SEARCH_MAX_QUERY ? SEARCH_MAX_QUERY : p->q_len,
        .filters = p->filters,
        .nfilters = p->nfilters,
        .sort = p->sort,
        .page = p->page,
    };
    return s && search_run(s, req->arena, &sr, r) == SEARCH_OK ? 0 : -1;
}

/* The summary of a hit's card, for results found without words. */
static const char *search_card_summary(struct request *req, const struct search_hit *h)
{
    const struct kind_def *k = kind_find(h->kind);
    json_t *card = json_loads(h->card ? h->card : "{}", 0, NULL);
    json_t *v = k && card ? json_object_get(card, k->summary_field) : NULL;
    const char *out = arena_strdup(req->arena, json_is_string(v) ? json_string_value(v) : "");
    json_decref(card);
    return out;
}

void page_search(struct request *req)
{
    struct search_params p;
    struct field_errors errs = {0};
    search_params_read(req, &p, &errs);
    req->cache = HTTP_CACHE_NONE;
    long wait = (p.q && *p.q) || p.nfilters ? search_limited(req, false) : 0;
    if (wait) {
        struct tv *ctx = app_context(req, "Recherche");
        tv_set_str(ctx, "q", p.q ? p.q : "");
        struct tv *errl = tv_set_list(ctx, "errors");
        tv_set_str(tv_push_obj(errl), "message",
                   arena_printf(req->arena,
                                "Trop de recherches depuis votre adresse en une minute\u202f: "
                                "réessayez dans %ld seconde%s.",
                                wait, wait > 1 ? "s" : ""));
        app_render(req, "search", ctx);
        req->status = 429;
        return;
    }
    struct search_result r;
    const char *q = p.q ? arena_strndup(req->arena, p.q,
                                        p.q_len > SEARCH_MAX_QUERY ? SEARCH_MAX_QUERY : p.q_len)
                        : "";
    bool asked = *q || p.nfilters;
    if (asked && search_do(req, &p, &r) != 0) {
        app_error(req, 500, false);
        return;
    }
    struct tv *ctx =
        app_context(req, *q ? arena_printf(req->arena, "Recherche\u202f: %s", q) : "Recherche");
    tv_set_str(ctx, "q", q);
    tv_set_bool(ctx, "cut", p.cut);
    tv_set_bool(ctx, "asked", asked);
    tv_set_bool(ctx, "sort_recent", p.sort == SEARCH_SORT_RECENT);
    struct tv *errl = tv_set_list(ctx, "errors");
    for (int i = 0; i < errs.n; i++)
        tv_set_str(tv_push_obj(errl), "message", errs.e[i].message);
    struct tv *keep = tv_set_list(ctx, "keep");
    for (int i = 0; i < p.nfilters; i++) {
        struct tv *o = tv_push_obj(keep);
        tv_set_str(o, "param", p.filters[i].param);
        tv_set_str(o, "value", p.filters[i].value);
    }
    tv_set_bool(ctx, "has_chosen", p.nfilters > 0);
    struct tv *chosen = tv_set_list(ctx, "chosen");
    for (int i = 0; i < p.nfilters; i++) {
        struct tv *o = tv_push_obj(chosen);
        tv_set_str(o, "label", search_filter_label(p.filters[i].param));
        tv_set_str(o, "value",
                   search_filter_value_label(req, p.filters[i].param, p.filters[i].value));
        tv_set_str(o, "remove_url",
                   search_url(req, &p, q, p.filters[i].param, p.filters[i].value, p.sort, 0));
    }
    app_describe(req, ctx,
                 "Chercher dans les innovations, les acteurs, les lieux, les réseaux, "
                 "les événements, les formations et les ressources du territoire.");
    if (!asked) {
        app_render(req, "search", ctx);
        return;
    }
    tv_set_int(ctx, "total", r.total);
    tv_set_str(ctx, "total_text",
               arena_printf(req->arena, "%d résultat%s", r.total, r.total > 1 ? "s" : ""));
    tv_set_bool(ctx, "relaxed", r.relaxed);
    if (r.suggestion) {
        tv_set_str(ctx, "suggestion", r.suggestion);
        tv_set_str(ctx, "suggestion_url", search_url(req, &p, r.suggestion, NULL, NULL, p.sort, 0));
    }
    tv_set_str(ctx, "relevance_url", search_url(req, &p, q, NULL, NULL, SEARCH_SORT_RELEVANCE, 0));
    tv_set_str(ctx, "recent_url", search_url(req, &p, q, NULL, NULL, SEARCH_SORT_RECENT, 0));
    tv_set_bool(ctx, "has_results", r.nhits > 0);
    struct tv *items = tv_set_list(ctx, "results");
    for (int i = 0; i < r.nhits; i++) {
        const struct search_hit *h = &r.hits[i];
        const struct kind_def *k = kind_find(h->kind);
        struct tv *o = tv_push_obj(items);
        tv_set_str(o, "title", h->title);
        tv_set_str(o, "url", search_hit_path(req, h));
        tv_set_str(o, "kind_label", k ? k->label : h->kind);
        if (h->snippet && *h->snippet)
            tv_set_html(o, "snippet", search_snippet_html(req, h->snippet));
        else
            tv_set_str(o, "summary", search_card_summary(req, h));
        tv_set_str(o, "updated", app_date(req, h->updated));
    }
    struct tv *facets = tv_set_list(ctx, "facets");
    for (int i = 0; i < r.nfacets; i++) {
        const struct search_facet *f = &r.facets[i];
        /* A facet of one kind's schema, shown once that kind is chosen. */
        bool general = strcmp(f->param, "kind") == 0 || strcmp(f->param, "theme") == 0 ||
                       strcmp(f->param, "commune") == 0 || strcmp(f->param, "year") == 0 ||
                       strcmp(f->param, "status") == 0;
        bool kind_chosen = false;
        for (int j = 0; j < p.nfilters; j++)
            kind_chosen |= strcmp(p.filters[j].param, "kind") == 0;
        if (!general && !kind_chosen)
            continue;
        struct tv *fo = tv_push_obj(facets);
        tv_set_str(fo, "label", search_filter_label(f->param));
        tv_set_strf(fo, "id", "facette-%s", f->param);
        struct tv *vals = tv_set_list(fo, "values");
        for (int v = 0; v < f->n; v++) {
            struct tv *vo = tv_push_obj(vals);
            bool on = search_filter_on(&p, f->param, f->values[v].value);
            tv_set_str(vo, "label", search_filter_value_label(req, f->param, f->values[v].value));
            tv_set_int(vo, "count", f->values[v].count);
            tv_set_bool(vo, "on", on);
            tv_set_str(vo, "url", search_url(req, &p, q, f->param, f->values[v].value, p.sort, 0));
        }
    }
    tv_set_bool(ctx, "has_facets", tv_list_len(facets) > 0);
    tv_set_int(ctx, "page", r.page);
    tv_set_int(ctx, "pages", r.pages);
    tv_set_bool(ctx, "paged", r.pages > 1);
    if (r.page > 1)
        tv_set_str(ctx, "prev_url", search_url(req, &p, q, NULL, NULL, p.sort, r.page - 1));
    if (r.page < r.pages)
        tv_set_str(ctx, "next_url", search_url(req, &p, q, NULL, NULL, p.sort, r.page + 1));
    app_render(req, "search", ctx);
}

void api_search(struct request *req)
{
    struct search_params p;
    struct field_errors errs = {0};
    search_params_read(req, &p, &errs);
    if (p.cut)
        validate_error(&errs, "q", "recherche trop longue (1000 octets au plus)");
    if (errs.n) {
        app_json_errors(req, &errs);
        req->status = 400;
        return;
    }
    if (page_search_throttled(req))
        return;
    struct search_result r;
    if (search_do(req, &p, &r) != 0) {
        app_error(req, 500, true);
        return;
    }
    struct buf b = BUF_INIT;
    buf_puts(&b, "{\"results\":[");
    for (int i = 0; i < r.nhits; i++) {
        const struct search_hit *h = &r.hits[i];
        buf_puts(&b, i ? ",{\"slug\":" : "{\"slug\":");
        json_write_cstr(&b, h->slug);
        buf_puts(&b, ",\"kind\":");
        json_write_cstr(&b, h->kind);
        buf_puts(&b, ",\"title\":");
        json_write_cstr(&b, h->title);
        buf_puts(&b, ",\"url\":");
        json_write_cstr(&b, app_url(req, search_hit_path(req, h)));
        buf_puts(&b, ",\"snippet\":");
        json_write_cstr(&b, search_snippet_html(req, h->snippet && *h->snippet
                                                         ? h->snippet
                                                         : search_card_summary(req, h)));
        buf_printf(&b, ",\"score\":%.4f}", h->score);
    }
    buf_printf(&b, "],\"total\":%d,\"page\":%d,\"pages\":%d,\"facets\":{", r.total,
               r.page ? r.page : 1, r.pages);
    static const char *const always[] = {"kind", "theme", "commune", "year", "status"};
    int written = 0;
    for (int a = 0; a < 5; a++) {
        const struct search_facet *f = NULL;
        for (int i = 0; i < r.nfacets; i++)
            if (strcmp(r.facets[i].param, always[a]) == 0)
                f = &r.facets[i];
        buf_puts(&b, written++ ? "," : "");
        json_write_cstr(&b, always[a]);
        buf_puts(&b, ":{");
        for (int v = 0; f && v < f->n; v++) {
            if (v)
                buf_putc(&b, ',');
            json_write_cstr(&b, f->values[v].value);
            buf_printf(&b, ":%d", f->values[v].count);
        }
        buf_putc(&b, '}');
    }
    for (int i = 0; i < r.nfacets; i++) {
        bool general = false;
        for (int a = 0; a < 5; a++)
            general |= strcmp(r.facets[i].param, always[a]) == 0;
        if (general)
            continue;
        buf_putc(&b, ',');
        json_write_cstr(&b, r.facets[i].param);
        buf_puts(&b, ":{");
        for (int v = 0; v < r.facets[i].n; v++) {
            if (v)
                buf_putc(&b, ',');
            json_write_cstr(&b, r.facets[i].values[v].value);
            buf_printf(&b, ":%d", r.facets[i].values[v].count);
        }
        buf_putc(&b, '}');
    }
    buf_puts(&b, "},\"suggestion\":");
    if (r.suggestion)
        json_write_cstr(&b, r.suggestion);
    else
        buf_puts(&b, "null");
    buf_printf(&b, ",\"relaxed\":%s}\n", r.relaxed ? "true" : "false");
    req->status = 200;
    req->content_type = "application/json; charset=utf-8";
    buf_free(&req->out);
    req->out = b;
}

void api_search_suggest(struct request *req)
{
    const char *q = http_query(req, "q");
    struct field_errors errs = {0};
    if (!q || strlen(q) > 200)
        validate_error(&errs, "q", "texte attendu (200 octets au plus)");
    if (errs.n) {
        app_json_errors(req, &errs);
        req->status = 400;
        return;
    }
    long wait = search_limited(req, true);
    if (wait) {
        search_api_limited(req, wait);
        return;
    }
    struct store *s = app_store(req);
    struct search_suggestion *sg;
    int n;
    if (!s ||
        search_suggest(s, req->arena, q, strlen(q), SEARCH_SUGGEST_MAX, &sg, &n) != SEARCH_OK) {
        app_error(req, 500, true);
        return;
    }
    struct buf b = BUF_INIT;
    buf_puts(&b, "{\"results\":[");
    for (int i = 0; i < n; i++) {
        const struct kind_def *k = kind_find(sg[i].kind);
        buf_puts(&b, i ? ",{\"slug\":" : "{\"slug\":");
        json_write_cstr(&b, sg[i].slug);
        buf_puts(&b, ",\"kind\":");
        json_write_cstr(&b, sg[i].kind);
        buf_puts(&b, ",\"kind_label\":");
        json_write_cstr(&b, k ? k->label : sg[i].kind);
        buf_puts(&b, ",\"title\":");
        json_write_cstr(&b, sg[i].title);
        buf_puts(&b, ",\"url\":");
        json_write_cstr(
            &b, arena_printf(req->arena, "/%s/%s", k ? k->segment : "innovations", sg[i].slug));
        buf_putc(&b, '}');
    }
    buf_puts(&b, "]}\n");
    req->status = 200;
    req->content_type = "application/json; charset=utf-8";
    buf_free(&req->out);
    req->out = b;
}
