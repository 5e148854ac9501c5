/* entry_form.c — the edit form of an entry, from its kind's schema: the inputs of each field
 * type with the values stored or typed and their errors, and the posted form read back as the
 * raw input validation takes (core/validate.c). A kind with a point also gets what the location
 * picker (static/picker.js, on Leaflet) reads: the map's settings and the communes' centres as
 * data attributes of the point's fieldset, the scripts, and a CSP allowing the tile server's
 * images; without JavaScript the latitude and longitude inputs are the whole field. */
#include "core/hours.h"
#include "core/recur.h"
#include "core/territory.h"
#include "core/validate.h"
#include "render/markdown.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/json_write.h"
#include "util/tz.h"
#include "web/app.h"
#include "web/entry_view.h"
#include "web/pages.h"
#include <stdlib.h>
#include <string.h>

static const char *form_section_title(const struct kind_def *k, const char *section)
{
    const struct section_def *sd = kind_section(k, section);
    return sd ? sd->title : "";
}

static const char *form_section_help(const struct kind_def *k, const char *section)
{
    const struct section_def *sd = kind_section(k, section);
    return sd ? sd->help : NULL;
}

/* A raw or stored value as the text an input shows. */
static const char *form_input_text(struct request *req, json_t *v)
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

static bool form_value_has(json_t *v, const char *id)
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

/* A relation's value as the input holds it: the slugs of the entries its ids name (those the
 * visitor may see), or what the visitor typed. */
const char *entry_view_relation_slugs(struct request *req, json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v);
    size_t n = json_array_size(v), i;
    json_t *item;
    long long *ids = arena_alloc(req->arena, sizeof(*ids) * (n ? n : 1));
    struct related_entry *r = arena_alloc(req->arena, sizeof(*r) * (n ? n : 1));
    int nids = 0;
    json_array_foreach(v, i, item)
    {
        if (json_is_integer(item))
            ids[nids++] = (long long)json_integer_value(item);
    }
    struct viewer viewer = app_viewer(req);
    struct store *s = app_store(req);
    if (nids && (!s || relation_briefs(s, req->arena, &viewer, ids, nids, r) != ENTRY_OK))
        nids = 0;
    struct buf b = BUF_INIT;
    int k = 0;
    json_array_foreach(v, i, item)
    {
        const char *slug = json_is_string(item) ? json_string_value(item) : NULL;
        if (json_is_integer(item) && k < nids) {
            slug = r[k].kind ? r[k].slug : NULL;
            k++;
        }
        if (slug)
            buf_printf(&b, "%s%s", b.len ? ", " : "", slug);
    }
    const char *out = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    return out;
}

static void form_options(struct request *req, struct tv *f, const struct field_def *fd, json_t *v)
{
    const struct territory *t = req->app->territory;
    struct tv *opts = tv_set_list(f, "options");
    const char *cur = json_is_string(v) ? json_string_value(v) : NULL;
    if (fd->type == FT_ENUM && (!cur || !*cur))
        cur = fd->default_value;
    if (fd->type == FT_COMMUNE || fd->type == FT_ADDRESS) {
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
            tv_set_bool(o, "selected", form_value_has(v, t->themes[c].id));
        }
    } else {
        for (const struct field_option *op = fd->options; op && op->id; op++) {
            struct tv *o = tv_push_obj(opts);
            tv_set_str(o, "id", op->id);
            tv_set_str(o, "label", op->label);
            tv_set_bool(o, "selected",
                        fd->type == FT_ENUM ? (cur && strcmp(cur, op->id) == 0)
                                            : form_value_has(v, op->id));
        }
    }
}

/* The seven days of an hours field: each one's text as stored (canonical) or as typed. */
static void form_hours(struct request *req, struct tv *f, json_t *v)
{
    struct tv *days = tv_set_list(f, "days");
    bool typed = json_is_object(v) && json_is_string(json_object_get(v, hours_day_key(0)));
    for (int d = 0; d < 7; d++) {
        struct tv *o = tv_push_obj(days);
        json_t *day = json_object_get(v, hours_day_key(d));
        tv_set_str(o, "key", hours_day_key(d));
        tv_set_str(o, "day", hours_day_name(d));
        if (json_is_string(day) || typed)
            tv_set_str(o, "value", form_input_text(req, day));
        else if (json_is_object(v))
            tv_set_str(o, "value", hours_day_text(req->arena, v, d));
    }
    tv_set_str(f, "note", form_input_text(req, json_object_get(v, "note")));
}

/* The start of the kind's series in values (stored seconds or typed local time), 0 if none. */
static long long form_start(const struct kind_def *k, json_t *values)
{
    json_t *v = k->when.start ? json_object_get(values, k->when.start) : NULL;
    long long t = 0;
    if (json_is_integer(v))
        return (long long)json_integer_value(v);
    if (json_is_string(v) && tz_parse_local(json_string_value(v), &t) == TZ_OK)
        return t;
    return 0;
}

static const struct {
    enum recur_preset preset;
    const char *id, *label;
} form_repeats[] = {
    {RECUR_NONE, "", "Ne se répète pas"},
    {RECUR_DAILY, "daily", "Chaque jour"},
    {RECUR_WEEKLY, "weekly", "Chaque semaine, le même jour"},
    {RECUR_BIWEEKLY, "biweekly", "Toutes les deux semaines"},
    {RECUR_MONTHLY_WEEKDAY, "monthly-weekday",
     "Chaque mois, le même jour de la semaine (ex. le 1er samedi)"},
    {RECUR_MONTHLY_DAY, "monthly-day", "Chaque mois, le même jour du mois (ex. le 15)"},
    {RECUR_CUSTOM, "custom", "Autre règle (RFC 5545, ci-dessous)"},
};
#define FORM_NREPEATS (sizeof form_repeats / sizeof *form_repeats)

/* A series as the form offers it: a repetition, an end (a date or a number of times), and the
 * rule itself for the rest; from the parts posted when the form comes back with errors, else
 * from the stored rule read back into those parts. */
static void form_recurrence(struct request *req, struct tv *f, const struct field_def *fd,
                            json_t *v, long long start)
{
    struct recur_simple simple;
    const char *raw = json_is_string(v) ? json_string_value(v) : "";
    const char *posted = http_form(req, arena_printf(req->arena, "%s.repeat", fd->name));
    const char *end = NULL;
    if (posted) {
        memset(&simple, 0, sizeof simple);
        simple.preset = RECUR_CUSTOM;
        for (size_t i = 0; i < FORM_NREPEATS; i++)
            if (strcmp(posted, form_repeats[i].id) == 0)
                simple.preset = form_repeats[i].preset;
        const char *until = http_form(req, arena_printf(req->arena, "%s.until", fd->name));
        const char *count = http_form(req, arena_printf(req->arena, "%s.count", fd->name));
        end = http_form(req, arena_printf(req->arena, "%s.end", fd->name));
        tv_set_str(f, "until", until ? until : "");
        tv_set_str(f, "count", count ? count : "");
        const char *typed = http_form(req, fd->name);
        raw = simple.preset == RECUR_CUSTOM && typed ? typed : raw;
    } else {
        recur_simple_read(raw, start, &simple);
        tv_set_str(f, "until", simple.until);
        if (simple.count)
            tv_set_int(f, "count", simple.count);
        end = simple.count ? "count" : "until";
    }
    struct tv *opts = tv_set_list(f, "repeats");
    for (size_t i = 0; i < FORM_NREPEATS; i++) {
        struct tv *o = tv_push_obj(opts);
        tv_set_str(o, "id", form_repeats[i].id);
        tv_set_str(o, "label", form_repeats[i].label);
        tv_set_bool(o, "selected", form_repeats[i].preset == simple.preset);
    }
    tv_set_bool(f, "end_count", end && strcmp(end, "count") == 0);
    tv_set_bool(f, "end_until", !end || strcmp(end, "count") != 0);
    tv_set_str(f, "value", raw);
    tv_set_bool(f, "custom", simple.preset == RECUR_CUSTOM);
}

/* A list of days as its input holds it: "2027-01-12, 2027-02-09". */
static const char *form_dates_text(struct request *req, json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v);
    struct buf b = BUF_INIT;
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        if (json_is_string(item))
            buf_printf(&b, "%s%s", b.len ? ", " : "", json_string_value(item));
    }
    const char *out = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    return out;
}

static void form_field_value(struct request *req, struct tv *f, const struct field_def *fd,
                             json_t *v)
{
    switch (fd->type) {
    case FT_POINT:
        if (json_is_object(v)) {
            tv_set_str(f, "lat", form_input_text(req, json_object_get(v, "lat")));
            tv_set_str(f, "lon", form_input_text(req, json_object_get(v, "lon")));
        }
        break;
    case FT_TAGS:
    case FT_ENUM:
    case FT_COMMUNE:
        form_options(req, f, fd, v);
        break;
    case FT_ADDRESS:
        tv_set_str(f, "street", form_input_text(req, json_object_get(v, "street")));
        tv_set_str(f, "postcode", form_input_text(req, json_object_get(v, "postcode")));
        form_options(req, f, fd, json_object_get(v, "commune"));
        break;
    case FT_HOURS:
        form_hours(req, f, v);
        break;
    case FT_RELATION:
        tv_set_str(f, "value", entry_view_relation_slugs(req, v));
        tv_set_str(f, "kinds", fd->relation_kinds ? fd->relation_kinds : "");
        break;
    case FT_DATES:
        tv_set_str(f, "value", form_dates_text(req, v));
        break;
    case FT_DATETIME:
        if (json_is_integer(v)) {
            char local[TZ_LOCAL_LEN];
            tz_format_local((long long)json_integer_value(v), local);
            tv_set_str(f, "value", arena_strdup(req->arena, local));
        } else {
            tv_set_str(f, "value", form_input_text(req, v));
        }
        break;
    default:
        /* A private value is never sent back to a browser: the field stays empty, and an empty
         * field keeps the address already given (core/entry.c). */
        tv_set_str(f, "value", fd->private ? "" : form_input_text(req, v));
        /* A form shown again after an error has only the input: it says itself that an
         * address was kept (NAME.kept), and whether its removal was asked (NAME.remove). */
        if (fd->private && ((json_is_string(v) && *json_string_value(v)) ||
                            http_form(req, arena_printf(req->arena, "%s.kept", fd->name)))) {
            tv_set_bool(f, "kept", true);
            const char *rm = http_form(req, arena_printf(req->arena, "%s.remove", fd->name));
            tv_set_bool(f, "remove", rm && strcmp(rm, "1") == 0);
        }
    }
}

/* The centres of the communes that have one, by INSEE code ({"29019":[48.39046,-4.46989], …});
 * a commune absent has no known centre, and choosing it leaves the picker's map where it is. */
static const char *form_commune_centres(struct request *req)
{
    const struct territory *t = req->app->territory;
    struct buf b = BUF_INIT;
    buf_putc(&b, '{');
    for (size_t i = 0; i < t->ncommunes; i++) {
        const struct commune *c = &t->communes[i];
        if (!c->has_point)
            continue;
        buf_puts(&b, b.len > 1 ? "," : "");
        json_write_cstr(&b, c->insee);
        buf_printf(&b, ":[%.5f,%.5f]", c->lat, c->lon);
    }
    buf_putc(&b, '}');
    const char *s = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    return s;
}

/* The id of the select that names the record's commune (a commune field, else an address's
 * commune), which the picker follows; NULL when the kind has none. */
static const char *form_commune_select(struct request *req, const struct kind_def *k)
{
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *fd = &k->fields[i];
        if (fd->managed)
            continue;
        if (fd->type == FT_COMMUNE)
            return fd->name;
        if (fd->type == FT_ADDRESS)
            return arena_printf(req->arena, "%s.commune", fd->name);
    }
    return NULL;
}

/* The location picker of a point field f ("picker": the data attributes of its fieldset), and
 * for the page its scripts, Leaflet's style and the CSP of a page with tiles. Nothing when the
 * npm packages are missing (npm ci not run): the inputs alone work. */
static void form_picker(struct request *req, struct tv *ctx, struct tv *f, const struct kind_def *k,
                        const char *name)
{
    const struct static_asset *css = app_asset(req->app, "leaflet.css");
    const struct static_asset *leaflet = app_asset(req->app, "leaflet.js");
    const struct static_asset *js = app_asset(req->app, "picker.js");
    if (!css || !leaflet || !js)
        return;
    struct tv *p = tv_set_obj(f, "picker");
    tv_set_str(p, "name", name);
    map_tiles_context(req, p, false);
    map_view_settings(req, p);
    tv_set_str(p, "communes", form_commune_centres(req));
    tv_set_str(p, "commune_select", form_commune_select(req, k));
    if (tv_get(ctx, "picker_scripts"))
        return; /* a second point field shares the scripts */
    tv_set_str(ctx, "leaflet_css_url", css->url);
    struct tv *scripts = tv_set_list(ctx, "picker_scripts");
    tv_set_str(tv_push_obj(scripts), "src", leaflet->url);
    tv_set_str(tv_push_obj(scripts), "src", js->url);
}

const char *entry_view_form_anchor(struct request *req, const struct kind_def *k, const char *field)
{
    const struct field_def *fd = kind_field(k, field);
    if (strcmp(field, "comment") == 0)
        return field;
    if (!fd || fd->managed)
        return arena_printf(req->arena, "field-%s", field);
    switch (fd->type) {
    case FT_TAGS: {
        const struct territory *t = req->app->territory;
        const char *first = fd->source == FS_THEMES ? (t->nthemes ? t->themes[0].id : NULL)
                            : fd->options           ? fd->options[0].id
                                                    : NULL;
        return first ? arena_printf(req->arena, "%s-%s", field, first)
                     : arena_printf(req->arena, "field-%s", field);
    }
    case FT_POINT:
        return arena_printf(req->arena, "%s.lat", field);
    case FT_ADDRESS:
        return arena_printf(req->arena, "%s.street", field);
    case FT_HOURS:
        return arena_printf(req->arena, "%s.%s", field, hours_day_key(0));
    case FT_RECURRENCE:
        return arena_printf(req->arena, "%s.repeat", field);
    default:
        return field;
    }
}

/* A Markdown field's text as its record page would show it once saved (the save path's
 * cleaning, then the same safe renderer), for the form's preview without JavaScript. */
static void form_preview(struct request *req, struct tv *f, const struct field_def *fd, json_t *v)
{
    struct field_errors errs = {0};
    const char *text = validate_markdown_text(req->arena, fd->name, fd->label,
                                              fd->max_len ? fd->max_len : 200, v, &errs);
    tv_set_bool(f, "previewing", true);
    if (!text || !*text)
        return;
    char *html = markdown_render(text, strlen(text));
    tv_set_html(f, "preview_html", arena_strdup(req->arena, html));
    free(html);
}

/* The editor's scripts (static/editor.js; the toolbar's module from npm when it is there) and
 * what they read on the form. */
static void form_editor(struct request *req, struct tv *ctx)
{
    const struct static_asset *js = app_asset(req->app, "editor.js");
    const struct static_asset *toolbar = app_asset(req->app, "markdown-toolbar.js");
    if (js)
        tv_set_str(ctx, "editor_script_url", js->url);
    if (toolbar)
        tv_set_str(ctx, "toolbar_script_url", toolbar->url);
    tv_set_str(ctx, "preview_url", "/api/v1/preview");
    /* A form sent back (errors, conflict, preview): its text is still not saved. */
    tv_set_bool(ctx, "posted", strcmp(req->method, "POST") == 0);
}

void entry_view_form(struct request *req, struct tv *ctx, const struct kind_def *k, json_t *values,
                     const struct field_errors *errs)
{
    bool previewing = tv_get(ctx, "previewing") != NULL;
    form_editor(req, ctx);
    struct tv *list = tv_set_list(ctx, "form_fields");
    const char *section = NULL; /* of the field shown before */
    bool has_relation = false;
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *fd = &k->fields[i];
        if (fd->managed)
            continue; /* changed by decisions, not by editing (core/membership.c) */
        has_relation |= fd->type == FT_RELATION;
        json_t *v = json_object_get(values, fd->name);
        struct tv *f = tv_push_obj(list);
        if (!section || strcmp(fd->section, section) != 0) {
            struct tv *sec = tv_set_obj(f, "section_start");
            tv_set_str(sec, "title", form_section_title(k, fd->section));
            tv_set_str(sec, "help", form_section_help(k, fd->section));
        }
        section = fd->section;
        tv_set_str(f, "name", fd->name);
        tv_set_str(f, "label", fd->label);
        tv_set_str(f, "help", fd->help);
        tv_set_bool(f, "required", fd->required);
        if (fd->max_len)
            tv_set_int(f, "max_len", (long long)fd->max_len);
        if (fd->type == FT_INTEGER || fd->type == FT_YEAR) {
            tv_set_int(f, "min", fd->min);
            tv_set_int(f, "max", fd->max);
        }
        const char *err = errs ? validate_error_for(errs, fd->name) : NULL;
        tv_set_str(f, "error", err);
        /* The texts under the input, by their ids: help, error, and the note that a private
         * value is kept. */
        bool kept = fd->private && ((json_is_string(v) && *json_string_value(v)) ||
                                    http_form(req, arena_printf(req->arena, "%s.kept", fd->name)));
        struct buf d = BUF_INIT;
        if (fd->help)
            buf_printf(&d, "help-%s", fd->name);
        if (err)
            buf_printf(&d, "%serror-%s", d.len ? " " : "", fd->name);
        if (kept)
            buf_printf(&d, "%skept-%s", d.len ? " " : "", fd->name);
        if (d.len)
            tv_set_str(f, "described", arena_strdup(req->arena, buf_cstr(&d)));
        buf_free(&d);
        tv_set_bool(f, arena_printf(req->arena, "is_%s", field_type_name(fd->type)), true);
        if (fd->type == FT_RECURRENCE)
            form_recurrence(req, f, fd, v, form_start(k, values));
        else
            form_field_value(req, f, fd, v);
        if (fd->type == FT_POINT)
            form_picker(req, ctx, f, k, fd->name);
        if (fd->type == FT_MARKDOWN && previewing)
            form_preview(req, f, fd, v);
    }
    /* Search as you type for relation fields (static/relation.js); the form works without. */
    if (has_relation) {
        const struct static_asset *js = app_asset(req->app, "relation.js");
        tv_set_str(ctx, "relation_script_url", js ? js->url : "/static/relation.js");
    }
}

/* name.part of the posted form, "" when absent. */
static const char *form_part(struct request *req, const char *name, const char *part)
{
    const char *v = http_form(req, arena_printf(req->arena, "%s.%s", name, part));
    return v ? v : "";
}

const char *const *entry_view_form_removed(struct request *req, const struct kind_def *k)
{
    const char **out = arena_alloc(req->arena, sizeof(*out) * (k->nfields + 1));
    size_t n = 0;
    for (size_t i = 0; i < k->nfields; i++) {
        const char *v = k->fields[i].private ? form_part(req, k->fields[i].name, "remove") : "";
        if (strcmp(v, "1") == 0)
            out[n++] = k->fields[i].name;
    }
    out[n] = NULL;
    return out;
}

/* The rule the posted parts of a series say: a simple one built from the repetition, the end
 * and the start posted beside it, or the rule typed. */
static const char *form_recurrence_rule(struct request *req, const struct kind_def *k,
                                        const struct field_def *fd)
{
    const char *repeat = form_part(req, fd->name, "repeat");
    struct recur_simple simple = {.preset = RECUR_CUSTOM};
    for (size_t i = 0; i < FORM_NREPEATS; i++)
        if (strcmp(repeat, form_repeats[i].id) == 0)
            simple.preset = form_repeats[i].preset;
    if (simple.preset == RECUR_CUSTOM) {
        const char *typed = http_form(req, fd->name);
        return typed ? typed : "";
    }
    const char *end = form_part(req, fd->name, "end");
    if (strcmp(end, "count") == 0) {
        const char *c = form_part(req, fd->name, "count");
        int n = app_int_param(c, 100000);
        /* A count that is none gives a rule without end, refused with its reason. */
        simple.count = n;
    } else {
        const char *u = form_part(req, fd->name, "until");
        if (strlen(u) == 10)
            memcpy(simple.until, u, 11);
    }
    long long start = 0;
    const char *st = k->when.start ? http_form(req, k->when.start) : NULL;
    if (st && tz_parse_local(st, &start) != TZ_OK)
        start = 0;
    const char *rule = recur_simple_rule(req->arena, &simple, start);
    return rule ? rule : "";
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
            json_object_set_new(in, fd->name,
                                json_pack("{s:s, s:s}", "lat", form_part(req, fd->name, "lat"),
                                          "lon", form_part(req, fd->name, "lon")));
        } else if (fd->type == FT_ADDRESS) {
            json_object_set_new(in, fd->name,
                                json_pack("{s:s, s:s, s:s}", "street",
                                          form_part(req, fd->name, "street"), "postcode",
                                          form_part(req, fd->name, "postcode"), "commune",
                                          form_part(req, fd->name, "commune")));
        } else if (fd->type == FT_HOURS) {
            json_t *h = json_object();
            for (int d = 0; d < 7; d++)
                json_object_set_new(h, hours_day_key(d),
                                    json_string(form_part(req, fd->name, hours_day_key(d))));
            json_object_set_new(h, "note", json_string(form_part(req, fd->name, "note")));
            json_object_set_new(in, fd->name, h);
        } else if (fd->type == FT_RECURRENCE &&
                   http_form(req, arena_printf(req->arena, "%s.repeat", fd->name))) {
            json_object_set_new(in, fd->name, json_string(form_recurrence_rule(req, k, fd)));
        } else {
            const char *v = http_form(req, fd->name);
            if (v)
                json_object_set_new(in, fd->name, json_string(v));
        }
    }
    return in;
}
