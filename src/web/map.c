/* map.c — the map of the territory: /carte and /embed/carte. The server writes the filters (the
 * search's facets as selects with their counts, and a text), the settings the map needs (tiles,
 * their credit, the first view) as data attributes, the code to embed the map elsewhere, and
 * the records that match as a paged list (core/search: what a browser without JavaScript
 * shows). static/map.js then draws the map from one request to GET /api/v1/geo/compact with the
 * same filters, clusters the points in the browser (supercluster) and keeps the list in step
 * with what the map shows. Both pages allow images from the tile server alone (map_tiles);
 * /embed/carte is the only page other sites may frame. */
#include "core/entry.h"
#include "core/geo.h"
#include "core/schema.h"
#include "core/search.h"
#include "core/settings.h"
#include "core/territory.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/json_read.h"
#include "util/json_write.h"
#include "util/utf8.h"
#include "web/app.h"
#include "web/pages.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAP_MAX_VALUE 100    /* bytes of a filter's value */
#define MAP_MAX_KINDS 32     /* kinds that have a position */
#define MAP_MAX_ZOOM 18      /* the deepest view (static/map.js's too) */
#define MAP_EMBED_HEIGHT 500 /* pixels of the iframe the embedding code proposes */

/* The filters every placed kind shares, in the order of the form; a kind's own facets follow
 * once it is chosen. */
static const char *const map_general[] = {"kind", "theme", "commune", "status"};
#define MAP_NGENERAL (sizeof map_general / sizeof map_general[0])

/* The kinds the map shows are core/geo.c's (a point, a commune, an address or a relation to a
 * place): the list, its filters and GET /api/v1/geo/compact agree on them. */
static bool map_kind_placed(const struct kind_def *k)
{
    return geo_kind_placeable(k);
}

static int map_placed_kinds(const char **names)
{
    int n = 0;
    for (size_t i = 0; i < kind_count() && n < MAP_MAX_KINDS; i++)
        if (map_kind_placed(kind_at(i)))
            names[n++] = kind_at(i)->name;
    return n;
}

static bool map_general_param(const char *param)
{
    for (size_t i = 0; i < MAP_NGENERAL; i++)
        if (strcmp(map_general[i], param) == 0)
            return true;
    return false;
}

/* A parameter the map filters on: the general ones, or a facet of a placed kind. */
static bool map_param_known(const char *param)
{
    if (map_general_param(param))
        return true;
    for (size_t i = 0; i < kind_count(); i++)
        if (map_kind_placed(kind_at(i)) && kind_facet_by_param(kind_at(i), param))
            return true;
    return false;
}

/* The parameters of a map page, read and checked. */
struct map_params {
    const char *q; /* "" when none; cut at SEARCH_MAX_QUERY bytes */
    bool cut;
    struct search_filter filters[SEARCH_MAX_FILTERS]; /* one value per parameter */
    int nfilters;
    const struct kind_def *kind; /* the kind chosen, or NULL */
    int page;
    const char *vue; /* "zoom/lat/lon", checked, or NULL */
};

/* "z/lat/lon" with z an integer from 0 to MAP_MAX_ZOOM, lat and lon decimals in range. */
static bool map_vue_valid(const char *v)
{
    if (strlen(v) > 40 || strspn(v, "0123456789.-/") != strlen(v))
        return false;
    char *end;
    long z = strtol(v, &end, 10);
    if (end == v || *end != '/' || z < 0 || z > MAP_MAX_ZOOM)
        return false;
    const char *p = end + 1;
    double lat = strtod(p, &end);
    if (end == p || *end != '/' || !(lat >= -90 && lat <= 90))
        return false;
    p = end + 1;
    double lon = strtod(p, &end);
    return end != p && *end == '\0' && lon >= -180 && lon <= 180;
}

static void map_params_read(struct request *req, struct map_params *p, struct tv *errors)
{
    memset(p, 0, sizeof *p);
    p->q = "";
    p->page = 1;
    for (int i = 0; i < req->query.n; i++) {
        const char *key = req->query.items[i].key, *value = req->query.items[i].value;
        if (strcmp(key, "q") == 0) {
            if (!*p->q && *value) {
                size_t n = strlen(value);
                p->cut = n > SEARCH_MAX_QUERY;
                p->q = p->cut ? arena_strndup(req->arena, value, SEARCH_MAX_QUERY) : value;
            }
        } else if (strcmp(key, "page") == 0) {
            p->page = app_int_param(value, SEARCH_MAX_PAGE);
            if (!p->page) {
                tv_set_str(tv_push_obj(errors), "message",
                           "Numéro de page inconnu\u202f: voici la première.");
                p->page = 1;
            }
        } else if (strcmp(key, "vue") == 0) {
            if (map_vue_valid(value))
                p->vue = value; /* a bad view is the default view: nothing to say */
        } else if (*value && map_param_known(key)) {
            bool seen = false;
            for (int j = 0; j < p->nfilters; j++)
                seen |= strcmp(p->filters[j].param, key) == 0;
            if (seen || p->nfilters == SEARCH_MAX_FILTERS)
                continue; /* the form sends one value a filter */
            if (strlen(value) > MAP_MAX_VALUE) {
                tv_set_str(tv_push_obj(errors), "message",
                           "Un filtre était trop long (100 caractères au plus)\u202f: il est "
                           "ignoré.");
                continue;
            }
            if (strcmp(key, "kind") == 0) {
                const struct kind_def *k = kind_find(value);
                if (!k || !map_kind_placed(k)) {
                    tv_set_str(tv_push_obj(errors), "message",
                               "Ce type de fiche n'est pas sur la carte\u202f: le filtre est "
                               "ignoré.");
                    continue;
                }
                p->kind = k;
            }
            p->filters[p->nfilters++] = (struct search_filter){key, value};
        }
    }
}

static void map_url_encode(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            *c == '-' || *c == '_' || *c == '.' || *c == '~' || *c == '/')
            buf_putc(b, (char)*c);
        else
            buf_printf(b, "%%%c%c", hex[*c >> 4], hex[*c & 15]);
}

/* The query of these filters ("theme=x&q=y", "" for none), with the view when with_vue, and
 * page when above 1; in the arena. */
static const char *map_query(struct request *req, const struct map_params *p, bool with_vue,
                             int page)
{
    struct buf b = BUF_INIT;
    for (int i = 0; i < p->nfilters; i++) {
        buf_puts(&b, b.len ? "&" : "");
        map_url_encode(&b, p->filters[i].param);
        buf_putc(&b, '=');
        map_url_encode(&b, p->filters[i].value);
    }
    if (*p->q) {
        buf_puts(&b, b.len ? "&q=" : "q=");
        map_url_encode(&b, p->q);
    }
    if (with_vue && p->vue) {
        buf_puts(&b, b.len ? "&vue=" : "vue=");
        map_url_encode(&b, p->vue);
    }
    if (page > 1)
        buf_printf(&b, "%spage=%d", b.len ? "&" : "", page);
    const char *s = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    return s;
}

static const char *map_path_query(struct request *req, const char *path, const char *query)
{
    return *query ? arena_printf(req->arena, "%s?%s", path, query) : path;
}

/* The first view when the address names none: the settings map_center and map_zoom (written by
 * `foison territory`, checked by core/settings.c's parsers), else map_bounds, else the box of the
 * communes that have a centre. Written into the map's data attributes; static/map.js (and the
 * entry form's static/picker.js) read them in that order. */
void map_view_settings(struct request *req, struct tv *ctx)
{
    struct store *s = app_store(req);
    const struct setting *sc = settings_find("map_center"), *sz = settings_find("map_zoom"),
                         *sb = settings_find("map_bounds");
    const char *center = s && sc ? settings_value(s, req->arena, sc) : NULL;
    const char *zoom = s && sz ? settings_value(s, req->arena, sz) : NULL;
    const char *bounds = s && sb ? settings_value(s, req->arena, sb) : NULL;
    char why[8];
    double lat, lon, w, so, e, n;
    /* A value stored behind the checks' back is no view: the next one is used. */
    if (center && zoom && settings_parse_latlon(center, &lat, &lon) &&
        !settings_check(sz, zoom, NULL, why, sizeof why)) {
        tv_set_strf(ctx, "map_center", "%.6f,%.6f", lat, lon);
        tv_set_str(ctx, "map_zoom", zoom);
    }
    if (bounds && settings_parse_bounds(bounds, &w, &so, &e, &n)) {
        tv_set_strf(ctx, "map_bounds", "%.6f,%.6f,%.6f,%.6f", w, so, e, n);
        return;
    }
    const struct territory *t = req->app->territory;
    bool any = false;
    w = 180, so = 90, e = -180, n = -90;
    for (size_t i = 0; i < t->ncommunes; i++) {
        const struct commune *c = &t->communes[i];
        if (!c->has_point)
            continue;
        any = true;
        w = fmin(w, c->lon), e = fmax(e, c->lon);
        so = fmin(so, c->lat), n = fmax(n, c->lat);
    }
    if (any)
        tv_set_strf(ctx, "map_bounds", "%.6f,%.6f,%.6f,%.6f", w, so, e, n);
}

/* The communes' centres as JSON ([[lon, lat, "name"], …]): when no tile loads, the map draws
 * them faintly, so that the points stand over a recognisable territory. */
static const char *map_communes_json(struct request *req)
{
    const struct territory *t = req->app->territory;
    struct buf b = BUF_INIT;
    buf_putc(&b, '[');
    bool first = true;
    for (size_t i = 0; i < t->ncommunes; i++) {
        const struct commune *c = &t->communes[i];
        if (!c->has_point)
            continue;
        buf_printf(&b, "%s[%.5f,%.5f,", first ? "" : ",", c->lon, c->lat);
        json_write_cstr(&b, c->name);
        buf_putc(&b, ']');
        first = false;
    }
    buf_putc(&b, ']');
    const char *s = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    return s;
}

/* The kinds' names for one record ({"actor": "acteur", …}): the compact answer names them in the
 * plural, for a legend. */
static const char *map_kind_labels_json(struct request *req)
{
    struct buf b = BUF_INIT;
    buf_putc(&b, '{');
    for (size_t i = 0; i < kind_count(); i++) {
        const struct kind_def *k = kind_at(i);
        if (!map_kind_placed(k))
            continue;
        buf_puts(&b, b.len > 1 ? "," : "");
        json_write_cstr(&b, k->name);
        buf_putc(&b, ':');
        json_write_cstr(&b, k->label);
    }
    buf_putc(&b, '}');
    const char *s = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    return s;
}

void map_tiles_context(struct request *req, struct tv *ctx, bool any_ancestor)
{
    struct store *s = app_store(req);
    const struct setting *tiles = settings_find("map_tiles");
    const struct setting *credit = settings_find("map_attribution");
    const char *url = s && tiles ? settings_value(s, req->arena, tiles) : NULL;
    char origin[300];
    /* A value stored before it was checked is no tile at all: the map keeps its points. */
    if (url && settings_tiles_origin(url, origin, sizeof origin))
        tv_set_str(ctx, "map_tiles", url);
    else
        origin[0] = '\0';
    if (s && credit)
        tv_set_str(ctx, "map_attribution", settings_value(s, req->arena, credit));
    http_set_csp(req, *origin ? arena_strdup(req->arena, origin) : NULL, any_ancestor);
}

/* Everything static/map.js reads from the page, and the scripts it needs. */
static void map_script_context(struct request *req, struct tv *ctx, const struct map_params *p,
                               bool embed)
{
    map_tiles_context(req, ctx, embed);
    map_view_settings(req, ctx);
    if (p->vue)
        tv_set_str(ctx, "vue", p->vue);
    tv_set_str(ctx, "map_communes", map_communes_json(req));
    tv_set_str(ctx, "map_kind_labels", map_kind_labels_json(req));
    tv_set_str(ctx, "map_api", "/api/v1/geo/compact");
    tv_set_str(ctx, "map_popup_api", "/api/v1/geo");
    tv_set_str(ctx, "map_query", map_query(req, p, false, 0));
    const struct static_asset *css = app_asset(req->app, "leaflet.css");
    const struct static_asset *leaflet = app_asset(req->app, "leaflet.js");
    const struct static_asset *cluster = app_asset(req->app, "supercluster.js");
    const struct static_asset *js = app_asset(req->app, "map.js");
    /* Without the npm packages (npm ci not run), the pages are their list alone. */
    if (css && leaflet && cluster && js) {
        tv_set_str(ctx, "leaflet_css_url", css->url);
        struct tv *scripts = tv_set_list(ctx, "map_scripts");
        tv_set_str(tv_push_obj(scripts), "src", leaflet->url);
        tv_set_str(tv_push_obj(scripts), "src", cluster->url);
        tv_set_str(tv_push_obj(scripts), "src", js->url);
    }
}

/* The summary of a hit's card, for the list. */
static const char *map_hit_summary(struct request *req, const struct search_hit *h)
{
    const struct kind_def *k = kind_find(h->kind);
    struct json_span card, v;
    if (!k || !h->card || !json_read_parse(h->card, strlen(h->card), &card) ||
        !json_read_get(card, k->summary_field, &v) || json_read_kind(v) != JSON_READ_STRING)
        return NULL;
    return json_read_string(req->arena, v);
}

/* One value of a select, to be sorted by its label folded. */
struct map_option {
    const char *value, *label, *key;
    int count;
    bool selected;
};

static int map_option_by_key(const void *a, const void *b)
{
    const struct map_option *x = a, *y = b;
    return strcmp(x->key, y->key);
}

/* The first choice of a select, which filters nothing. */
static const char *map_all_label(const char *param)
{
    static const struct {
        const char *param, *all;
    } alls[] = {{"kind", "Tous les types"},
                {"theme", "Tous les thèmes"},
                {"commune", "Toutes les communes"},
                {"status", "Tous les états"}};
    for (size_t i = 0; i < sizeof alls / sizeof alls[0]; i++)
        if (strcmp(alls[i].param, param) == 0)
            return alls[i].all;
    return "Tous";
}

/* The select of facet f: its values by name (a commune is looked for by its name), the one
 * chosen kept even when nothing has it now. */
static void map_facet_select(struct request *req, struct tv *list, const struct search_facet *f,
                             const struct map_params *p)
{
    const char *chosen = NULL;
    for (int i = 0; i < p->nfilters; i++)
        if (strcmp(p->filters[i].param, f->param) == 0)
            chosen = p->filters[i].value;
    struct map_option *opts = arena_alloc(req->arena, sizeof *opts * (size_t)(f->n + 1));
    int n = 0;
    bool chosen_seen = false;
    for (int v = 0; v < f->n; v++) {
        const char *value = f->values[v].value;
        if (strcmp(f->param, "kind") == 0) {
            const struct kind_def *k = kind_find(value);
            if (!k || !map_kind_placed(k))
                continue;
        }
        struct map_option *o = &opts[n++];
        o->value = value;
        o->label = search_filter_value_label(req, f->param, value);
        o->key = entry_slugify(req->arena, o->label);
        o->count = f->values[v].count;
        o->selected = chosen && strcmp(chosen, value) == 0;
        chosen_seen |= o->selected;
    }
    if (chosen && !chosen_seen) {
        struct map_option *o = &opts[n++];
        *o = (struct map_option){chosen, search_filter_value_label(req, f->param, chosen), "", 0,
                                 true};
        o->key = entry_slugify(req->arena, o->label);
    }
    if (n == 0)
        return;
    qsort(opts, (size_t)n, sizeof *opts, map_option_by_key);
    struct tv *fo = tv_push_obj(list);
    tv_set_str(fo, "param", f->param);
    tv_set_strf(fo, "id", "carte-%s", f->param);
    tv_set_str(fo, "label", search_filter_label(f->param));
    tv_set_str(fo, "all", map_all_label(f->param));
    struct tv *ol = tv_set_list(fo, "options");
    for (int i = 0; i < n; i++) {
        struct tv *o = tv_push_obj(ol);
        tv_set_str(o, "value", opts[i].value);
        tv_set_str(o, "label", opts[i].label);
        tv_set_int(o, "count", opts[i].count);
        tv_set_bool(o, "selected", opts[i].selected);
    }
}

/* The selects in the form's order: kind, theme, commune, status, then the chosen kind's own
 * facets; a facet nobody has is left out. */
static void map_facets(struct request *req, struct tv *ctx, const struct search_result *r,
                       const struct map_params *p)
{
    struct tv *list = tv_set_list(ctx, "facets");
    for (size_t g = 0; g < MAP_NGENERAL; g++)
        for (int i = 0; i < r->nfacets; i++)
            if (strcmp(r->facets[i].param, map_general[g]) == 0)
                map_facet_select(req, list, &r->facets[i], p);
    if (!p->kind)
        return;
    for (int i = 0; i < r->nfacets; i++)
        if (!map_general_param(r->facets[i].param) &&
            kind_facet_by_param(p->kind, r->facets[i].param))
            map_facet_select(req, list, &r->facets[i], p);
}

/* The words of the filters chosen, for the title and the description ("Thème : Numérique"). */
static const char *map_filter_text(struct request *req, const struct map_params *p)
{
    struct buf b = BUF_INIT;
    for (int i = 0; i < p->nfilters; i++)
        buf_printf(&b, "%s%s", i ? ", " : "",
                   search_filter_value_label(req, p->filters[i].param, p->filters[i].value));
    if (*p->q)
        buf_printf(&b, "%s«\u202f%s\u202f»", b.len ? ", " : "", p->q);
    const char *s = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    return s;
}

/* The HTML another site pastes to show this map with these filters and this view. */
static const char *map_embed_code(struct request *req, const struct map_params *p)
{
    const char *src = app_url(req, map_path_query(req, "/embed/carte", map_query(req, p, true, 0)));
    struct buf b = BUF_INIT;
    buf_puts(&b, "<iframe src=\"");
    buf_put_html(&b, src, strlen(src));
    buf_puts(&b, "\" title=\"");
    const char *title =
        arena_printf(req->arena, "Carte des initiatives du %s (%s)",
                     req->app->territory->territory_name, req->app->territory->site_name);
    buf_put_html(&b, title, strlen(title));
    buf_printf(&b, "\" width=\"100%%\" height=\"%d\" style=\"border:0\" loading=\"lazy\"></iframe>",
               MAP_EMBED_HEIGHT);
    const char *s = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    return s;
}

/* GET /carte and /embed/carte — q (words), kind, theme, commune, status and the chosen kind's
 * facets (one value each), page (of the list), vue ("zoom/lat/lon", the map's view). */
static void map_page(struct request *req, bool embed)
{
    struct tv *errors_tmp = tv_list(req->arena);
    struct map_params p;
    map_params_read(req, &p, errors_tmp);
    const char *kinds[MAP_MAX_KINDS];
    int nkinds = map_placed_kinds(kinds);
    long wait = *p.q ? search_rate_wait(req) : 0;
    struct search_result r;
    memset(&r, 0, sizeof r);
    if (!wait) {
        struct search_request sr = {
            .q = p.q,
            .q_len = strlen(p.q),
            .filters = p.filters,
            .nfilters = p.nfilters,
            .sort = SEARCH_SORT_RELEVANCE,
            .page = p.page,
            .kinds = kinds,
            .nkinds = nkinds,
        };
        struct store *s = app_store(req);
        if (!s || search_run(s, req->arena, &sr, &r) != SEARCH_OK) {
            app_error(req, 500, false);
            return;
        }
    }
    const char *filter_text = map_filter_text(req, &p);
    struct tv *ctx = app_context(
        req, *filter_text ? arena_printf(req->arena, "La carte — %s", filter_text) : "La carte");
    tv_set(ctx, "errors", errors_tmp);
    if (wait)
        tv_set_str(tv_push_obj(errors_tmp), "message",
                   arena_printf(req->arena,
                                "Trop de recherches depuis votre adresse en une minute\u202f: "
                                "réessayez dans %ld seconde%s.",
                                wait, wait > 1 ? "s" : ""));
    if (p.cut)
        tv_set_str(tv_push_obj(errors_tmp), "message",
                   "Votre recherche était très longue\u202f: seuls ses 1\u202f000 premiers "
                   "caractères ont été pris en compte.");
    tv_set_str(ctx, "filter_text", filter_text);
    tv_set_str(ctx, "q", p.q);
    tv_set_bool(ctx, "filtered", p.nfilters > 0 || *p.q);
    tv_set_bool(ctx, "embed", embed);
    app_describe(req, ctx,
                 arena_printf(req->arena,
                              "La carte des innovations, acteurs, lieux et événements du %s%s%s.",
                              req->app->territory->territory_name, *filter_text ? " — " : "",
                              filter_text));
    map_script_context(req, ctx, &p, embed);
    map_facets(req, ctx, &r, &p);
    tv_set_str(ctx, "full_url", map_path_query(req, "/carte", map_query(req, &p, true, 0)));
    tv_set_str(ctx, "embed_code", map_embed_code(req, &p));
    tv_set_int(ctx, "total", r.total);
    tv_set_str(ctx, "total_text",
               r.total == 0   ? "Aucune fiche ne correspond"
               : r.total == 1 ? "1 fiche correspond"
                              : arena_printf(req->arena, "%d fiches correspondent", r.total));
    struct tv *items = tv_set_list(ctx, "items");
    for (int i = 0; i < r.nhits; i++) {
        const struct search_hit *h = &r.hits[i];
        const struct kind_def *k = kind_find(h->kind);
        struct tv *o = tv_push_obj(items);
        tv_set_str(o, "title", h->title);
        tv_set_strf(o, "url", "/%s/%s", k ? k->segment : "innovations", h->slug);
        tv_set_str(o, "kind_label", k ? k->label : h->kind);
        tv_set_str(o, "summary", map_hit_summary(req, h));
    }
    tv_set_bool(ctx, "has_items", r.nhits > 0);
    tv_set_int(ctx, "page", r.page);
    tv_set_int(ctx, "pages", r.pages);
    tv_set_bool(ctx, "paged", r.pages > 1);
    const char *path = embed ? "/embed/carte" : "/carte";
    if (r.page > 1)
        tv_set_str(ctx, "prev_url",
                   map_path_query(req, path, map_query(req, &p, true, r.page - 1)));
    if (r.page < r.pages)
        tv_set_str(ctx, "next_url",
                   map_path_query(req, path, map_query(req, &p, true, r.page + 1)));
    app_render(req, embed ? "map_embed" : "map", ctx);
    if (wait)
        req->status = 429;
}

void page_map(struct request *req)
{
    map_page(req, false);
}

void page_map_embed(struct request *req)
{
    map_page(req, true);
}
