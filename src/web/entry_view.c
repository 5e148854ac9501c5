/* entry_view.c — schema-driven display and form values of entries. */
#include "web/entry_view.h"
#include "core/territory.h"
#include "util/arena.h"
#include "util/json_write.h"
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

static const char *view_number(struct request *req, struct json_span v)
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
    char *s = arena_strdup(req->arena, view_number(req, v));
    for (char *p = s; *p; p++)
        if (*p == '.')
            *p = ',';
    return s;
}

static const char *view_option_label(struct request *req, const struct field_def *f, const char *id)
{
    if (f->source == FS_THEMES) {
        const struct theme *t = territory_theme(req->app->territory, id);
        return t ? t->label : id;
    }
    const char *l = field_option_label(f, id);
    return l ? l : id;
}

/* A member of a point object ({"lat", "lon"}); an empty span when absent. */
static struct json_span view_member(struct json_span obj, const char *name)
{
    struct json_span v = {NULL, 0};
    json_read_get(obj, name, &v);
    return v;
}

const char *entry_view_plain_text(struct request *req, const struct field_def *f,
                                  struct json_span v)
{
    enum json_read_kind kind = json_read_kind(v);
    if (kind == JSON_READ_INVALID || kind == JSON_READ_NULL)
        return "";
    switch (f->type) {
    case FT_TAGS: {
        struct buf b = BUF_INIT;
        struct json_read_iter it;
        struct json_span item;
        bool first = true;
        if (json_read_array(v, &it))
            while (json_read_next_item(&it, &item)) {
                if (!first)
                    buf_puts(&b, ", ");
                first = false;
                const char *id = view_str(req, item);
                buf_puts(&b, view_option_label(req, f, id ? id : ""));
            }
        const char *s = arena_strdup(req->arena, buf_cstr(&b));
        buf_free(&b);
        return s;
    }
    case FT_ENUM: {
        const char *id = view_str(req, v);
        return id ? view_option_label(req, f, id) : "";
    }
    case FT_COMMUNE: {
        const char *id = view_str(req, v);
        const struct commune *c = id ? territory_commune(req->app->territory, id) : NULL;
        return c ? c->name : (id ? id : "");
    }
    case FT_POINT:
        if (kind == JSON_READ_OBJECT)
            return arena_printf(req->arena, "%s\u202f; %s",
                                view_decimal_comma(req, view_member(v, "lat")),
                                view_decimal_comma(req, view_member(v, "lon")));
        return "";
    case FT_YEAR:
        return view_number(req, v);
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

void entry_view_fields(struct request *req, struct tv *ctx, const struct kind_def *k,
                       const struct json_span *vals, struct json_span rendered)
{
    struct tv *f = tv_set_obj(ctx, "f");
    struct tv *meta = tv_set_list(ctx, "meta");
    const struct json_span *html_vals = entry_view_members(req, k, rendered);
    /* The record's summary is what search engines show under its title. */
    for (size_t i = 0; i < k->nfields; i++)
        if (strcmp(k->fields[i].name, k->summary_field) == 0) {
            const char *summary = view_str(req, vals[i]);
            if (summary && *summary)
                app_describe(req, ctx, summary);
        }
    struct tv *sections = tv_set_list(ctx, "sections");
    const struct territory *t = req->app->territory;
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *fd = &k->fields[i];
        struct json_span v = vals[i];
        if (fd->type == FT_MARKDOWN) {
            const char *html = view_str(req, html_vals[i]);
            if (html && *html) {
                tv_set_html(f, fd->name, html); /* produced by the safe Markdown renderer */
                if (strcmp(fd->section, "source") == 0) {
                    struct tv *s = tv_push_obj(sections);
                    tv_set_str(s, "name", fd->name);
                    tv_set_str(s, "label", fd->label);
                    tv_set_html(s, "html", html);
                }
            }
            continue;
        }
        const char *plain = entry_view_plain_text(req, fd, v);
        if (!*plain)
            continue;
        tv_set_str(f, fd->name, plain);
        if (fd->type == FT_TEXT &&
            (strcmp(fd->name, k->title_field) == 0 || strcmp(fd->name, k->summary_field) == 0))
            continue;
        if (strcmp(fd->section, "meta") == 0)
            continue;
        struct tv *m = tv_push_obj(meta);
        tv_set_str(m, "label", fd->label);
        tv_set_str(m, "name", fd->name);
        if (fd->type == FT_URL) {
            tv_set_str(m, "url", plain);
        } else if (fd->type == FT_TAGS) {
            struct tv *tags = tv_set_list(m, "tags");
            struct json_read_iter it;
            struct json_span item;
            if (json_read_array(v, &it))
                while (json_read_next_item(&it, &item)) {
                    const char *id = view_str(req, item);
                    struct tv *tag = tv_push_obj(tags);
                    tv_set_str(tag, "label", view_option_label(req, fd, id ? id : ""));
                    tv_set_strf(tag, "href", "/%s?theme=%s", k->segment, id ? id : "");
                }
        } else if (fd->type == FT_POINT && json_read_kind(v) == JSON_READ_OBJECT) {
            const char *lat = view_number(req, view_member(v, "lat"));
            const char *lon = view_number(req, view_member(v, "lon"));
            tv_set_str(m, "text", arena_printf(req->arena, "%s (voir sur OpenStreetMap)", plain));
            tv_set_strf(m, "href", "https://www.openstreetmap.org/?mlat=%s&mlon=%s#map=15/%s/%s",
                        lat, lon, lat, lon);
        } else if (fd->type == FT_COMMUNE) {
            const char *id = view_str(req, v);
            const struct commune *c = id ? territory_commune(t, id) : NULL;
            tv_set_str(m, "text", plain);
            tv_set_strf(m, "href", "/%s?%s=%s", k->segment, fd->name, c ? c->insee : "");
        } else {
            tv_set_str(m, "text", plain);
        }
    }
}

static const char *view_section_title(const char *section)
{
    if (strcmp(section, "source") == 0)
        return "Le code source de l'innovation";
    if (strcmp(section, "meta") == 0)
        return "Droits de réutilisation";
    return "L'essentiel";
}

static const char *view_section_help(const char *section)
{
    if (strcmp(section, "source") == 0)
        return "Ce qu'il faut savoir pour reproduire l'initiative ailleurs : tout est facultatif, "
               "chaque rubrique peut être complétée plus tard, par vous ou par d'autres.";
    return NULL;
}

/* A raw or stored value as the text an input shows. */
static const char *view_input_text(struct request *req, json_t *v)
{
    if (!v || json_is_null(v))
        return "";
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        return arena_printf(req->arena, "%lld", (long long)json_integer_value(v));
    if (json_is_real(v)) {
        char *s = arena_printf(req->arena, "%.6f", json_real_value(v));
        char *end = s + strlen(s) - 1;
        while (end > s && *end == '0')
            *end-- = '\0';
        if (*end == '.')
            *end = '\0';
        return s;
    }
    return "";
}

static bool view_value_has(json_t *v, const char *id)
{
    if (json_is_string(v))
        return strcmp(json_string_value(v), id) == 0;
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        if (json_is_string(item) && strcmp(json_string_value(item), id) == 0)
            return true;
    }
    return false;
}

void entry_view_form(struct request *req, struct tv *ctx, const struct kind_def *k, json_t *values,
                     const struct field_errors *errs)
{
    struct tv *list = tv_set_list(ctx, "form_fields");
    const struct territory *t = req->app->territory;
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *fd = &k->fields[i];
        json_t *v = json_object_get(values, fd->name);
        struct tv *f = tv_push_obj(list);
        if (i == 0 || strcmp(fd->section, k->fields[i - 1].section) != 0) {
            struct tv *sec = tv_set_obj(f, "section_start");
            tv_set_str(sec, "title", view_section_title(fd->section));
            tv_set_str(sec, "help", view_section_help(fd->section));
        }
        tv_set_str(f, "name", fd->name);
        tv_set_str(f, "label", fd->label);
        tv_set_str(f, "help", fd->help);
        tv_set_bool(f, "required", fd->required);
        if (fd->max_len)
            tv_set_int(f, "max_len", (long long)fd->max_len);
        const char *err = errs ? validate_error_for(errs, fd->name) : NULL;
        tv_set_str(f, "error", err);
        if (fd->help || err)
            tv_set_strf(f, "described", "%s%s%s%s", fd->help ? "help-" : "",
                        fd->help ? fd->name : "", err ? (fd->help ? " error-" : "error-") : "",
                        err ? fd->name : "");
        tv_set_bool(f, arena_printf(req->arena, "is_%s", field_type_name(fd->type)), true);
        switch (fd->type) {
        case FT_POINT:
            if (json_is_object(v)) {
                tv_set_str(f, "lat", view_input_text(req, json_object_get(v, "lat")));
                tv_set_str(f, "lon", view_input_text(req, json_object_get(v, "lon")));
            }
            break;
        case FT_TAGS:
        case FT_ENUM:
        case FT_COMMUNE: {
            struct tv *opts = tv_set_list(f, "options");
            const char *cur = json_is_string(v) ? json_string_value(v) : NULL;
            if (fd->type == FT_ENUM && (!cur || !*cur))
                cur = fd->default_value;
            if (fd->type == FT_COMMUNE) {
                for (size_t c = 0; c < t->ncommunes; c++) {
                    struct tv *o = tv_push_obj(opts);
                    tv_set_str(o, "id", t->communes[c].insee);
                    tv_set_str(o, "label", t->communes[c].name);
                    tv_set_bool(o, "selected", cur && strcmp(cur, t->communes[c].insee) == 0);
                }
            } else if (fd->source == FS_THEMES) {
                for (size_t c = 0; c < t->nthemes; c++) {
                    struct tv *o = tv_push_obj(opts);
                    tv_set_str(o, "id", t->themes[c].id);
                    tv_set_str(o, "label", t->themes[c].label);
                    tv_set_bool(o, "selected", view_value_has(v, t->themes[c].id));
                }
            } else {
                for (const struct field_option *op = fd->options; op && op->id; op++) {
                    struct tv *o = tv_push_obj(opts);
                    tv_set_str(o, "id", op->id);
                    tv_set_str(o, "label", op->label);
                    tv_set_bool(o, "selected",
                                fd->type == FT_ENUM ? (cur && strcmp(cur, op->id) == 0)
                                                    : view_value_has(v, op->id));
                }
            }
            break;
        }
        default:
            tv_set_str(f, "value", view_input_text(req, v));
        }
    }
}

json_t *entry_view_form_input(struct request *req, const struct kind_def *k)
{
    json_t *in = json_object();
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *fd = &k->fields[i];
        if (fd->type == FT_TAGS) {
            json_t *arr = json_array();
            for (int j = 0; j < req->form.n; j++)
                if (strcmp(req->form.items[j].key, fd->name) == 0)
                    json_array_append_new(arr, json_string(req->form.items[j].value));
            json_object_set_new(in, fd->name, arr);
        } else if (fd->type == FT_POINT) {
            const char *lat = http_form(req, arena_printf(req->arena, "%s.lat", fd->name));
            const char *lon = http_form(req, arena_printf(req->arena, "%s.lon", fd->name));
            json_object_set_new(
                in, fd->name,
                json_pack("{s:s, s:s}", "lat", lat ? lat : "", "lon", lon ? lon : ""));
        } else {
            const char *v = http_form(req, fd->name);
            if (v)
                json_object_set_new(in, fd->name, json_string(v));
        }
    }
    return in;
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
    for (int i = 0; i < n; i++) {
        struct tv *o = tv_push_obj(list);
        view_members(k, items[i].values, vals);
        if (title < k->nfields)
            tv_set_str(o, "title", view_str(req, vals[title]));
        if (summary < k->nfields)
            tv_set_str(o, "summary", view_str(req, vals[summary]));
        tv_set_strf(o, "url", "/%s/%s", k->segment, items[i].slug);
        /* Only the values the record has: a card without themes has no "themes" at all, as
         * the card of a kind without that field will (the template must not find another). */
        for (size_t f = 0; f < k->nfields; f++) {
            const struct field_def *fd = &k->fields[f];
            if (fd->type != FT_COMMUNE && fd->type != FT_TAGS && fd->type != FT_ENUM)
                continue;
            const char *plain = entry_view_plain_text(req, fd, vals[f]);
            if (*plain)
                tv_set_str(o, fd->name, plain);
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
    /* The stored text of each value is what jansson wrote for it: copied, not rewritten. */
    struct json_span vals[k->nfields + 1];
    view_members(k, r->fields, vals);
    for (size_t i = 0; i < k->nfields; i++) {
        buf_putc(b, ',');
        json_write_cstr(b, k->fields[i].name);
        buf_putc(b, ':');
        if (vals[i].p)
            buf_append(b, vals[i].p, vals[i].n);
        else
            buf_append(b, "null", 4);
    }
    buf_putc(b, '}');
}
