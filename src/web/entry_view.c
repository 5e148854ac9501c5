/* entry_view.c — schema-driven display of entries: a record's values, sections and relations
 * for its page, cards for lists, a field's value as plain text for diffs, and the JSON of the
 * API. The form is web/entry_form.c's. */
#include "web/entry_view.h"
#include "core/media.h"
#include "web/pages.h"
#include "core/hours.h"
#include "core/phone.h"
#include "core/recur.h"
#include "core/relation.h"
#include "core/territory.h"
#include "render/geo_svg.h"
#include "util/arena.h"
#include "util/json_write.h"
#include "util/tz.h"
#include "web/app.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The values of the schema's fields in the object text obj, by field index (empty spans for
 * the absent ones), in one pass over its members. */
static void view_members(const struct kind_def *k, struct json_span obj, struct json_span *vals)
{
    for (size_t i = 0; i < k->nfields; i++)
        vals[i] = (struct json_span){NULL, 0};
    struct json_read_iter it;
    struct json_span key, val;
    if (!json_read_object(obj, &it))
        return;
    while (json_read_next_member(&it, &key, &val))
        for (size_t i = 0; i < k->nfields; i++) {
            const char *name = k->fields[i].name;
            if (!vals[i].p && strlen(name) == key.n && memcmp(name, key.p, key.n) == 0) {
                vals[i] = val;
                break;
            }
        }
}

static const char *view_str(struct request *req, struct json_span v)
{
    return json_read_kind(v) == JSON_READ_STRING ? json_read_string(req->arena, v) : NULL;
}

const char *entry_view_number(struct request *req, struct json_span v)
{
    long long i;
    double d;
    if (json_read_int(v, &i))
        return arena_printf(req->arena, "%lld", i);
    if (json_read_double(v, &d)) {
        /* Six decimals (what validation keeps, about 0.1 m), trailing zeros dropped, so that
         * showing and saving a value again never changes it. */
        char *s = arena_printf(req->arena, "%.6f", d);
        char *end = s + strlen(s) - 1;
        while (end > s && *end == '0')
            *end-- = '\0';
        if (*end == '.')
            *end = '\0';
        return s;
    }
    const char *s = view_str(req, v);
    return s ? s : "";
}

/* A number as French writes it, with a decimal comma. */
static const char *view_decimal_comma(struct request *req, struct json_span v)
{
    char *s = arena_strdup(req->arena, entry_view_number(req, v));
    for (char *p = s; *p; p++)
        if (*p == '.')
            *p = ',';
    return s;
}

const char *entry_view_option_label(struct request *req, const struct field_def *f, const char *id)
{
    if (f->source == FS_THEMES) {
        const struct theme *t = territory_theme(req->app->territory, id);
        return t ? t->label : id;
    }
    const char *l = field_option_label(f, id);
    return l ? l : id;
}

/* A member of an object value ({"lat", "lon"}, an address); an empty span when absent. */
static struct json_span view_member(struct json_span obj, const char *name)
{
    struct json_span v = {NULL, 0};
    json_read_get(obj, name, &v);
    return v;
}

static const char *view_commune_name(struct request *req, const char *insee)
{
    const struct commune *c = insee ? territory_commune(req->app->territory, insee) : NULL;
    return c ? c->name : (insee ? insee : "");
}

/* "12 rue de Siam, 29200 Brest" from its parts. */
static const char *view_address(struct request *req, struct json_span v)
{
    const char *street = view_str(req, view_member(v, "street"));
    const char *postcode = view_str(req, view_member(v, "postcode"));
    const char *commune = view_str(req, view_member(v, "commune"));
    const char *town = commune ? view_commune_name(req, commune) : "";
    return arena_printf(req->arena, "%s%s%s%s%s", street ? street : "",
                        street && (postcode || *town) ? ", " : "", postcode ? postcode : "",
                        postcode && *town ? " " : "", town);
}

/* A date "2010-05-03" as French writes it: "3 mai 2010". */
static const char *view_french_date(struct request *req, const char *iso)
{
    static const char *const months[] = {"janvier",   "février", "mars",     "avril",
                                         "mai",       "juin",    "juillet",  "août",
                                         "septembre", "octobre", "novembre", "décembre"};
    int y, m, d;
    if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12)
        return iso ? iso : "";
    return arena_printf(req->arena, "%d%s %s %d", d, d == 1 ? "er" : "", months[m - 1], y);
}

/* A JSON text as jansson holds it, in the arena's lifetime. */
static json_t *view_parse(struct request *req, struct json_span v)
{
    json_t *j = v.p ? json_loadb(v.p, v.n, JSON_DECODE_ANY, NULL) : NULL;
    if (j)
        arena_defer(req->arena, (void (*)(void *))json_decref, j);
    return j;
}

/* The titles of the entries a relation value names, as the viewer may see them. */
static const char *view_relation_titles(struct request *req, struct json_span v)
{
    long long *ids;
    int n = relation_ids(req->arena, v, &ids);
    struct store *s = app_store(req);
    if (!n || !s)
        return "";
    struct related_entry *r = arena_alloc(req->arena, sizeof(*r) * (size_t)n);
    struct viewer viewer = app_viewer(req);
    if (relation_briefs(s, req->arena, &viewer, ids, n, r) != ENTRY_OK)
        return "";
    struct buf b = BUF_INIT;
    for (int i = 0; i < n; i++)
        if (r[i].kind)
            buf_printf(&b, "%s%s", b.len ? ", " : "", r[i].title);
    const char *out = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    return out;
}

static const char *view_list_text(struct request *req, const struct field_def *f,
                                  struct json_span v)
{
    struct buf b = BUF_INIT;
    struct json_read_iter it;
    struct json_span item;
    if (json_read_array(v, &it))
        while (json_read_next_item(&it, &item)) {
            const char *id = view_str(req, item);
            buf_printf(&b, "%s%s", b.len ? ", " : "",
                       entry_view_option_label(req, f, id ? id : ""));
        }
    const char *s = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    return s;
}

const char *entry_view_plain_text(struct request *req, const struct field_def *f,
                                  struct json_span v)
{
    enum json_read_kind kind = json_read_kind(v);
    if (kind == JSON_READ_INVALID || kind == JSON_READ_NULL)
        return "";
    switch (f->type) {
    case FT_TAGS:
        return view_list_text(req, f, v);
    case FT_ENUM: {
        const char *id = view_str(req, v);
        return id && *id ? entry_view_option_label(req, f, id) : "";
    }
    case FT_COMMUNE:
        return view_commune_name(req, view_str(req, v));
    case FT_POINT:
        if (kind == JSON_READ_OBJECT)
            return arena_printf(req->arena, "%s\u202f; %s",
                                view_decimal_comma(req, view_member(v, "lat")),
                                view_decimal_comma(req, view_member(v, "lon")));
        return "";
    case FT_YEAR:
    case FT_INTEGER:
        return entry_view_number(req, v);
    case FT_RELATION:
        return view_relation_titles(req, v);
    case FT_ADDRESS:
        return kind == JSON_READ_OBJECT ? view_address(req, v) : "";
    case FT_DATE:
        return view_french_date(req, view_str(req, v));
    case FT_DATETIME: {
        long long t;
        char out[TZ_FRENCH_MAX];
        if (!json_read_int(v, &t) || tz_format_french(t, out, sizeof out) != TZ_OK)
            return "";
        return arena_strdup(req->arena, out);
    }
    case FT_HOURS: {
        json_t *h = view_parse(req, v);
        char *text = h ? hours_french(req->arena, h) : NULL;
        return text ? text : "";
    }
    case FT_RECURRENCE: {
        /* In French only: the description says everything a rule of the form holds (its
         * rhythm, days, end), so a diff of it shows what changed; a rule it cannot say in
         * words is shown as it is by recur_describe itself. */
        const char *rule = view_str(req, v);
        if (!rule || !*rule)
            return "";
        return recur_describe(req->arena, rule, 0);
    }
    case FT_DATES: {
        struct buf b = BUF_INIT;
        struct json_read_iter it;
        struct json_span item;
        if (json_read_array(v, &it))
            while (json_read_next_item(&it, &item)) {
                const char *d = view_str(req, item);
                if (d)
                    buf_printf(&b, "%s%s", b.len ? ", " : "", view_french_date(req, d));
            }
        const char *out = arena_strdup(req->arena, buf_cstr(&b));
        buf_free(&b);
        return out;
    }
    default: {
        const char *s = view_str(req, v);
        return s ? s : "";
    }
    }
}

const char *entry_view_plain(struct request *req, const struct field_def *f, json_t *v)
{
    if (!v)
        return "";
    /* The rare doors that hold jansson values (diff, conflicts) go through the same text. */
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text)
        return "";
    const char *plain = entry_view_plain_text(req, f, (struct json_span){text, strlen(text)});
    free(text);
    return plain;
}

struct json_span *entry_view_members(struct request *req, const struct kind_def *k,
                                     struct json_span obj)
{
    struct json_span *vals = arena_alloc(req->arena, sizeof(*vals) * (k->nfields + 1));
    view_members(k, obj, vals);
    return vals;
}

const char *entry_view_member_str(struct request *req, const struct kind_def *k,
                                  const struct json_span *vals, const char *name)
{
    for (size_t i = 0; i < k->nfields; i++)
        if (strcmp(k->fields[i].name, name) == 0)
            return view_str(req, vals[i]);
    return NULL;
}

const char *entry_view_title(struct request *req, const struct kind_def *k, struct json_span obj)
{
    struct json_span v;
    const char *t = json_read_get(obj, k->title_field, &v) ? view_str(req, v) : NULL;
    return t ? t : "";
}

/* The link a facet value leads to: the kind's list filtered on it. */
static void view_facet_href(struct request *req, struct tv *o, const struct kind_def *k,
                            const struct field_def *fd, const char *id)
{
    if (fd->facet && id && *id)
        tv_set_strf(o, "href", "%s?%s=%s", k->list_path, field_param(fd), id);
    (void)req;
}

/* The hours of a place as a week: one row per day, closed days said. */
static void view_hours(struct request *req, struct tv *item, struct json_span v)
{
    json_t *h = view_parse(req, v);
    if (!h || hours_is_empty(h))
        return;
    tv_set_bool(item, "has_days", true);
    struct tv *rows = tv_set_list(item, "days");
    for (int d = 0; d < 7; d++) {
        struct tv *r = tv_push_obj(rows);
        char *text = hours_day_text(req->arena, h, d);
        tv_set_str(r, "day", hours_day_name(d));
        tv_set_str(r, "text", text && *text ? text : "fermé");
    }
    tv_set_str(item, "note", json_string_value(json_object_get(h, "note")));
}

/* One field's display item: a label and, by type, a text, a link, tags, a week of hours. */
static struct tv *view_item(struct request *req, struct tv *list, const struct kind_def *k,
                            const struct field_def *fd, struct json_span v, const char *plain)
{
    struct tv *m = tv_push_obj(list);
    tv_set_str(m, "label", fd->label);
    tv_set_str(m, "name", fd->name);
    switch (fd->type) {
    case FT_URL:
        tv_set_str(m, "url", plain);
        break;
    case FT_TAGS: {
        struct tv *tags = tv_set_list(m, "tags");
        struct json_read_iter it;
        struct json_span item;
        if (json_read_array(v, &it))
            while (json_read_next_item(&it, &item)) {
                const char *id = view_str(req, item);
                struct tv *tag = tv_push_obj(tags);
                tv_set_str(tag, "label", entry_view_option_label(req, fd, id ? id : ""));
                view_facet_href(req, tag, k, fd, id);
            }
        break;
    }
    case FT_POINT: {
        const char *lat = entry_view_number(req, view_member(v, "lat"));
        const char *lon = entry_view_number(req, view_member(v, "lon"));
        tv_set_str(m, "text", arena_printf(req->arena, "%s (voir sur OpenStreetMap)", plain));
        tv_set_strf(m, "href", "https://www.openstreetmap.org/?mlat=%s&mlon=%s#map=15/%s/%s", lat,
                    lon, lat, lon);
        break;
    }
    case FT_COMMUNE:
    case FT_ENUM:
        tv_set_str(m, "text", plain);
        view_facet_href(req, m, k, fd, view_str(req, v));
        break;
    case FT_ADDRESS:
        tv_set_str(m, "text", plain);
        view_facet_href(req, m, k, fd, view_str(req, view_member(v, "commune")));
        break;
    case FT_PHONE: {
        tv_set_str(m, "text", plain);
        const char *tel = phone_tel_uri(req->arena, plain);
        if (tel)
            tv_set_str(m, "href", tel);
        break;
    }
    case FT_HOURS:
        view_hours(req, m, v);
        tv_set_str(m, "text", plain);
        break;
    default:
        tv_set_str(m, "text", plain);
    }
    return m;
}

/* A coordinate with five decimals (about a metre), trailing zeros dropped, never "-0"; a decimal
 * comma when comma, else a dot (for URLs). */
static const char *view_coordinate(struct request *req, double v, bool comma)
{
    char *s = arena_printf(req->arena, "%.5f", v);
    char *end = s + strlen(s) - 1;
    while (end > s && *end == '0')
        *end-- = '\0';
    if (*end == '.')
        *end = '\0';
    if (strcmp(s, "-0") == 0) /* a hair below zero, rounded */
        s++;
    for (char *p = s; comma && *p; p++)
        if (*p == '.')
            *p = ',';
    return s;
}

void entry_view_position(struct request *req, struct tv *ctx, enum geo_precision precision,
                         double lat, double lon)
{
    if (precision == GEO_UNPLACED)
        return;
    const struct territory *t = req->app->territory;
    struct geo_svg_town *towns = arena_alloc(req->arena, sizeof(*towns) * (t->ncommunes + 1));
    size_t n = 0;
    for (size_t i = 0; i < t->ncommunes; i++)
        if (t->communes[i].has_point)
            towns[n++] =
                (struct geo_svg_town){t->communes[i].name, t->communes[i].lat, t->communes[i].lon};
    struct geo_svg_map m = {lat, lon, precision == GEO_COMMUNE, towns, n};
    char *svg = geo_svg(&m, NULL);
    if (!svg)
        return; /* a position out of the drawable range: the facts keep the point field */
    struct tv *o = tv_set_obj(ctx, "record_map");
    tv_set_html(o, "svg", arena_strdup(req->arena, svg)); /* escaped by geo_svg */
    free(svg);
    tv_set_strf(o, "coordinates", "%s\u202f; %s", view_coordinate(req, lat, true),
                view_coordinate(req, lon, true));
    tv_set_bool(o, "approximate", precision == GEO_COMMUNE);
    tv_set_bool(o, "at_place", precision == GEO_PLACE);
    const char *la = view_coordinate(req, lat, false), *lo = view_coordinate(req, lon, false);
    int zoom = precision == GEO_COMMUNE ? 13 : 15;
    tv_set_strf(o, "map_url", "/carte?vue=%d/%s/%s", zoom, la, lo);
    tv_set_strf(o, "osm_url", "https://www.openstreetmap.org/?mlat=%s&mlon=%s#map=%d/%s/%s", la, lo,
                zoom, la, lo);
}

static bool view_is_heading_field(const struct kind_def *k, const struct field_def *fd)
{
    return strcmp(fd->name, k->title_field) == 0 || strcmp(fd->name, k->summary_field) == 0;
}

void entry_view_fields(struct request *req, struct tv *ctx, const struct kind_def *k,
                       const struct json_span *vals, struct json_span rendered)
{
    struct tv *f = tv_set_obj(ctx, "f");
    struct tv *meta = tv_set_list(ctx, "meta");
    struct tv *blocks = tv_set_list(ctx, "blocks");
    const struct json_span *html_vals = entry_view_members(req, k, rendered);
    /* The record's summary is what search engines show under its title. */
    for (size_t i = 0; i < k->nfields; i++)
        if (strcmp(k->fields[i].name, k->summary_field) == 0) {
            const char *summary = view_str(req, vals[i]);
            if (summary && *summary)
                app_describe(req, ctx, summary);
        }
    /* Each section of the record after the main one, with its facts and its texts. */
    struct tv *sections = tv_set_list(ctx, "sections");
    struct tv **facts = arena_alloc(req->arena, sizeof(*facts) * (k->nsections + 1));
    struct tv **parts = arena_alloc(req->arena, sizeof(*parts) * (k->nsections + 1));
    bool *filled = arena_alloc(req->arena, sizeof(*filled) * (k->nsections + 1));
    struct tv **secs = arena_alloc(req->arena, sizeof(*secs) * (k->nsections + 1));
    for (size_t s = 0; s < k->nsections; s++) {
        const struct section_def *sd = &k->sections[s];
        if (!sd->record || strcmp(sd->name, "main") == 0)
            continue;
        secs[s] = tv_push_obj(sections);
        tv_set_str(secs[s], "name", sd->name);
        tv_set_str(secs[s], "title", sd->title);
        facts[s] = tv_set_list(secs[s], "facts");
        parts[s] = tv_set_list(secs[s], "parts");
    }
    bool first_block = true;
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *fd = &k->fields[i];
        if (fd->private || fd->type == FT_RELATION)
            continue; /* never shown; relations have their own block (entry_view_relations) */
        size_t s = 0;
        while (s < k->nsections && strcmp(k->sections[s].name, fd->section) != 0)
            s++;
        bool main = s == k->nsections || strcmp(fd->section, "main") == 0;
        if (!main && !k->sections[s].record)
            continue;
        if (fd->type == FT_MARKDOWN) {
            const char *html = view_str(req, html_vals[i]);
            if (!html || !*html)
                continue;
            tv_set_html(f, fd->name, html); /* produced by the safe Markdown renderer */
            struct tv *b = tv_push_obj(main ? blocks : parts[s]);
            tv_set_str(b, "name", fd->name);
            tv_set_str(b, "label", fd->label);
            tv_set_html(b, "html", html);
            /* The main text opens the record without a heading of its own. */
            tv_set_bool(b, "titled", !main || !first_block);
            if (main)
                first_block = false;
            else
                filled[s] = true;
            continue;
        }
        const char *plain = entry_view_plain_text(req, fd, vals[i]);
        if (!*plain)
            continue;
        tv_set_str(f, fd->name, plain);
        if (fd->type == FT_IMAGE_URL) {
            struct tv *img = tv_set_obj(ctx, "image");
            tv_set_str(img, "url", plain);
            tv_set_str(img, "label", fd->label);
            continue;
        }
        if (fd->type == FT_TEXT && view_is_heading_field(k, fd))
            continue;
        if (fd->type == FT_POINT && tv_get(ctx, "record_map"))
            continue; /* drawn by entry_view_position */
        view_item(req, main ? meta : facts[s], k, fd, vals[i], plain);
        if (!main) {
            filled[s] = true;
            tv_set_bool(secs[s], "has_facts", true);
        }
    }
    for (size_t s = 0; s < k->nsections; s++) {
        const struct section_def *sd = &k->sections[s];
        if (!sd->record || strcmp(sd->name, "main") == 0)
            continue;
        tv_set_bool(secs[s], "filled", filled[s]);
        tv_set_str(secs[s], "empty", sd->empty);
        tv_set_bool(secs[s], "shown", filled[s] || sd->empty);
    }
}

void entry_view_relations(struct tv *ctx, const struct related_group *g, int n)
{
    struct tv *list = tv_set_list(ctx, "relations");
    for (int i = 0; i < n; i++) {
        struct tv *o = tv_push_obj(list);
        tv_set_str(o, "label", g[i].label);
        tv_set_str(o, "field", g[i].field->name);
        tv_set_bool(o, "in", g[i].in);
        /* "Porte" on an actor: which kind it carries says the rest. */
        if (g[i].in)
            tv_set_str(o, "kinds", g[i].holder->label_plural);
        struct tv *items = tv_set_list(o, "entries");
        for (int j = 0; j < g[i].n; j++) {
            struct tv *e = tv_push_obj(items);
            tv_set_str(e, "title", g[i].entries[j].title);
            tv_set_strf(e, "url", "/%s/%s", g[i].entries[j].kind->segment, g[i].entries[j].slug);
            tv_set_str(e, "kind", g[i].entries[j].kind->label);
        }
    }
    tv_set_bool(ctx, "has_relations", n > 0);
}

void entry_view_items(struct request *req, struct tv *list, const struct kind_def *k,
                      struct entry_item *items, int n)
{
    struct json_span *vals = arena_alloc(req->arena, sizeof(*vals) * (k->nfields + 1));
    size_t title = k->nfields, summary = k->nfields; /* nfields: the kind has none */
    for (size_t f = 0; f < k->nfields; f++)
        if (strcmp(k->fields[f].name, k->title_field) == 0)
            title = f;
        else if (strcmp(k->fields[f].name, k->summary_field) == 0)
            summary = f;
    /* The cards' main images, in one read for the whole list (none when it cannot be read: a
     * card without its picture is still the card). */
    long long *ids = arena_alloc(req->arena, sizeof(*ids) * (size_t)(n ? n : 1));
    const struct media **mains = arena_alloc(req->arena, sizeof(*mains) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        ids[i] = items[i].id;
    if (media_mains(app_store(req), req->arena, ids, n, mains) != MEDIA_OK)
        for (int i = 0; i < n; i++)
            mains[i] = NULL;
    for (int i = 0; i < n; i++) {
        struct tv *o = tv_push_obj(list);
        if (mains[i])
            page_media_values(req, tv_set_obj(o, "image"), mains[i], k, 640,
                              "(min-width: 40em) 20rem, 100vw");
        view_members(k, items[i].values, vals);
        if (title < k->nfields)
            tv_set_str(o, "title", view_str(req, vals[title]));
        if (summary < k->nfields)
            tv_set_str(o, "summary", view_str(req, vals[summary]));
        tv_set_strf(o, "url", "/%s/%s", k->segment, items[i].slug);
        tv_set_str(o, "kind", k->label);
        /* Only the values the record has, in the schema's order: the card of a kind without
         * some field has nothing for it (the template must not find another). */
        struct tv *facts = tv_set_list(o, "facts");
        for (size_t f = 0; f < k->nfields; f++) {
            const struct field_def *fd = &k->fields[f];
            if (!fd->card || fd->private)
                continue;
            const char *plain =
                fd->type == FT_ADDRESS
                    ? view_commune_name(req, view_str(req, view_member(vals[f], "commune")))
                    : entry_view_plain_text(req, fd, vals[f]);
            if (!*plain)
                continue;
            struct tv *fact = tv_push_obj(facts);
            tv_set_str(fact, "name", fd->name);
            tv_set_str(fact, "text", plain);
            tv_set_bool(o, "has_facts", true);
        }
    }
}

/* An ISO 8601 UTC date, as the API writes them. */
static void view_json_time(struct buf *b, long long t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    char s[32];
    size_t n = strftime(s, sizeof s, "\"%Y-%m-%dT%H:%M:%SZ\"", &tm);
    buf_append(b, s, n);
}

/* An instant as RFC 3339 in Paris time with its offset: "2027-01-12T18:00:00+01:00". */
static void view_json_local_time(struct buf *b, long long t)
{
    struct tz_local l;
    tz_paris_from_utc(t, &l);
    long long sec = t % 60;
    buf_printf(b, "\"%04d-%02d-%02dT%02d:%02d:%02d+%02d:00\"", l.year, l.month, l.day, l.hour,
               l.minute, (int)(sec < 0 ? sec + 60 : sec), tz_paris_offset(t) / 3600);
}

void entry_view_related_json(struct buf *b, const struct related_entry *r)
{
    buf_puts(b, "{\"kind\":");
    json_write_cstr(b, r->kind->name);
    buf_puts(b, ",\"slug\":");
    json_write_cstr(b, r->slug);
    buf_puts(b, ",\"title\":");
    json_write_cstr(b, r->title);
    buf_putc(b, '}');
}

/* A relation value as the API reads it: the entries it names that the viewer may see. */
static void view_json_relation(struct buf *b, struct json_span v, const struct related_entry *known,
                               int nknown)
{
    struct json_read_iter it;
    struct json_span item;
    long long id;
    bool first = true;
    buf_putc(b, '[');
    if (json_read_array(v, &it))
        while (json_read_next_item(&it, &item))
            for (int i = 0; json_read_int(item, &id) && i < nknown; i++)
                if (known[i].id == id) {
                    if (known[i].kind) {
                        if (!first)
                            buf_putc(b, ',');
                        first = false;
                        entry_view_related_json(b, &known[i]);
                    }
                    break;
                }
    buf_putc(b, ']');
}

int entry_view_json_related(struct request *req, const struct viewer *v, const struct kind_def *k,
                            const struct json_span *fields, int n, struct related_entry **out)
{
    int total = 0, cap = 0;
    long long *all = NULL;
    /* Each record's members read once (a lookup per field would walk its long texts again). */
    struct json_span *vals = arena_alloc(req->arena, sizeof(*vals) * (k->nfields + 1));
    for (int r = 0; r < n; r++) {
        view_members(k, fields[r], vals);
        for (size_t i = 0; i < k->nfields; i++) {
            if (k->fields[i].type != FT_RELATION || !vals[i].p)
                continue;
            long long *ids;
            int m = relation_ids(req->arena, vals[i], &ids);
            if (m == 0)
                continue;
            if (total + m > cap) {
                cap = (total + m) * 2;
                long long *grown = arena_alloc(req->arena, sizeof(*grown) * (size_t)cap);
                if (total)
                    memcpy(grown, all, sizeof(*all) * (size_t)total);
                all = grown;
            }
            memcpy(all + total, ids, sizeof(*ids) * (size_t)m);
            total += m;
        }
    }
    *out = arena_alloc(req->arena, sizeof(**out) * (size_t)(total ? total : 1));
    struct store *s = app_store(req);
    if (total && (!s || relation_briefs(s, req->arena, v, all, total, *out) != ENTRY_OK))
        return -1;
    return total;
}

void entry_view_json(struct buf *b, const struct entry_view_record *r)
{
    const struct kind_def *k = r->kind;
    buf_puts(b, "{\"kind\":");
    json_write_cstr(b, k->name);
    buf_puts(b, ",\"slug\":");
    json_write_cstr(b, r->slug);
    buf_printf(b, ",\"revision\":%d,", r->revision);
    if (r->state) {
        buf_puts(b, "\"state\":");
        json_write_cstr(b, r->state);
        buf_putc(b, ',');
    }
    buf_puts(b, "\"created\":");
    view_json_time(b, r->created);
    buf_puts(b, ",\"updated\":");
    view_json_time(b, r->updated);
    buf_puts(b, ",\"authors\":[");
    for (int i = 0; i < r->nauthors; i++) {
        if (i)
            buf_putc(b, ',');
        json_write_cstr(b, r->authors[i]);
    }
    buf_puts(b, "],\"url\":");
    json_write_cstr(b, r->url);
    /* The stored text of each value is what jansson wrote for it: copied, not rewritten;
     * relations become the entries they name, private fields are left out. */
    struct json_span vals[k->nfields + 1];
    view_members(k, r->fields, vals);
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *f = &k->fields[i];
        if (f->private && !r->with_private)
            continue;
        buf_putc(b, ',');
        json_write_cstr(b, f->name);
        buf_putc(b, ':');
        long long t;
        if (f->type == FT_RELATION)
            view_json_relation(b, vals[i], r->related, r->nrelated);
        else if (f->type == FT_DATETIME && json_read_int(vals[i], &t))
            view_json_local_time(b, t);
        else if (vals[i].p)
            buf_append(b, vals[i].p, vals[i].n);
        else
            buf_append(b, "null", 4);
    }
    buf_putc(b, '}');
}
