/* entry_view.c — schema-driven display and form values of entries. */
#include "web/entry_view.h"
#include "core/territory.h"
#include "util/arena.h"
#include "web/app.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *view_number(struct request *req, json_t *v)
{
    if (json_is_integer(v))
        return arena_printf(req->arena, "%lld", (long long)json_integer_value(v));
    if (json_is_real(v)) {
        /* Six decimals (what validation keeps, about 0.1 m), trailing zeros dropped, so that
         * showing and saving a value again never changes it. */
        char *s = arena_printf(req->arena, "%.6f", json_real_value(v));
        char *end = s + strlen(s) - 1;
        while (end > s && *end == '0')
            *end-- = '\0';
        if (*end == '.')
            *end = '\0';
        return s;
    }
    if (json_is_string(v))
        return json_string_value(v);
    return "";
}

/* A number as French writes it, with a decimal comma. */
static const char *view_decimal_comma(struct request *req, json_t *v)
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

const char *entry_view_plain(struct request *req, const struct field_def *f, json_t *v)
{
    if (!v || json_is_null(v))
        return "";
    switch (f->type) {
    case FT_TAGS: {
        struct buf b = BUF_INIT;
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            if (i)
                buf_puts(&b, ", ");
            buf_puts(&b, view_option_label(req, f,
                                           json_string_value(item) ? json_string_value(item) : ""));
        }
        const char *s = arena_strdup(req->arena, buf_cstr(&b));
        buf_free(&b);
        return s;
    }
    case FT_ENUM:
        return json_string_value(v) ? view_option_label(req, f, json_string_value(v)) : "";
    case FT_COMMUNE: {
        const struct commune *c = territory_commune(req->app->territory, json_string_value(v));
        return c ? c->name : (json_string_value(v) ? json_string_value(v) : "");
    }
    case FT_POINT:
        if (json_is_object(v))
            return arena_printf(req->arena, "%s\u202f; %s",
                                view_decimal_comma(req, json_object_get(v, "lat")),
                                view_decimal_comma(req, json_object_get(v, "lon")));
        return "";
    case FT_YEAR:
        return view_number(req, v);
    default:
        return json_string_value(v) ? json_string_value(v) : "";
    }
}

void entry_view_fields(struct request *req, struct tv *ctx, const struct kind_def *k,
                       json_t *fields, json_t *rendered)
{
    struct tv *f = tv_set_obj(ctx, "f");
    struct tv *meta = tv_set_list(ctx, "meta");
    /* The record's summary is what search engines show under its title. */
    const char *summary = json_string_value(json_object_get(fields, k->summary_field));
    if (summary && *summary)
        app_describe(req, ctx, summary);
    struct tv *sections = tv_set_list(ctx, "sections");
    const struct territory *t = req->app->territory;
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *fd = &k->fields[i];
        json_t *v = json_object_get(fields, fd->name);
        const char *plain = entry_view_plain(req, fd, v);
        if (fd->type == FT_MARKDOWN) {
            const char *html = json_string_value(json_object_get(rendered, fd->name));
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
            size_t j;
            json_t *item;
            json_array_foreach(v, j, item)
            {
                struct tv *tag = tv_push_obj(tags);
                tv_set_str(tag, "label", view_option_label(req, fd, json_string_value(item)));
                tv_set_strf(tag, "href", "/%s?theme=%s", k->segment, json_string_value(item));
            }
        } else if (fd->type == FT_POINT && json_is_object(v)) {
            tv_set_str(m, "text", arena_printf(req->arena, "%s (voir sur OpenStreetMap)", plain));
            tv_set_strf(m, "href", "https://www.openstreetmap.org/?mlat=%s&mlon=%s#map=15/%s/%s",
                        view_number(req, json_object_get(v, "lat")),
                        view_number(req, json_object_get(v, "lon")),
                        view_number(req, json_object_get(v, "lat")),
                        view_number(req, json_object_get(v, "lon")));
        } else if (fd->type == FT_COMMUNE) {
            const struct commune *c = territory_commune(t, json_string_value(v));
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
    if (json_is_number(v))
        return view_number(req, v);
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
    for (int i = 0; i < n; i++) {
        struct tv *o = tv_push_obj(list);
        json_t *fields = items[i].fields;
        tv_set_str(o, "title", json_string_value(json_object_get(fields, k->title_field)));
        tv_set_str(o, "summary", json_string_value(json_object_get(fields, k->summary_field)));
        tv_set_strf(o, "url", "/%s/%s", k->segment, items[i].slug);
        tv_set_str(o, "updated", app_date(req, items[i].updated));
        /* Only the values the record has: a card without themes has no "themes" at all, as
         * the card of a kind without that field will (the template must not find another). */
        for (size_t f = 0; f < k->nfields; f++) {
            const struct field_def *fd = &k->fields[f];
            if (fd->type != FT_COMMUNE && fd->type != FT_TAGS && fd->type != FT_ENUM)
                continue;
            const char *plain = entry_view_plain(req, fd, json_object_get(fields, fd->name));
            if (*plain)
                tv_set_str(o, fd->name, plain);
        }
    }
}
