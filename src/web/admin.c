/* admin.c — the administrators' pages: the site's settings (/admin/reglages), grouped in
 * sections from the table of core/settings.c, validated field by field and written in one
 * transaction; the security self-audit (/admin/audit, core/audit.c); and the centres of the
 * communes that the packaged data does not place (/admin/communes, core/territory.c). Admins
 * only: a visitor is sent to the login page, any other account gets 403. */
#include "core/audit.h"
#include "core/schema.h"
#include "core/settings.h"
#include "core/territory.h"
#include "util/arena.h"
#include "util/buf.h"
#include "web/app.h"
#include "web/pages.h"
#include <string.h>
#include <time.h>

/* The signed-in admin of a page, or an answer (login, 403) and false. */
static bool admin_page_viewer(struct request *req, struct viewer *v)
{
    if (!app_require_login(req))
        return false;
    *v = app_viewer(req);
    if (v->role >= ROLE_ADMIN)
        return true;
    struct tv *ctx = app_context(req, "Accès réservé");
    tv_set_int(ctx, "status", 403);
    tv_set_str(ctx, "message", "Cette page est réservée aux administrateurs du site.");
    req->cache = HTTP_CACHE_NONE;
    app_render(req, "error", ctx);
    req->status = 403;
    return false;
}

/* http_proxies_parse in the shape core/settings.c asks for (it cannot include http/). */
static int admin_proxies_check(const char *text, char *why, size_t whylen)
{
    struct http_proxies p;
    return http_proxies_parse(text, &p, why, whylen);
}

/* A reason of settings_check as the page shows it: a capital first, a narrow no-break space
 * before the colons (the command line keeps its plain text). */
static const char *admin_reason(struct request *req, const char *why)
{
    struct buf b = BUF_INIT;
    for (const char *p = why; *p; p++) {
        if (p == why && *p >= 'a' && *p <= 'z')
            buf_putc(&b, (char)(*p - 'a' + 'A'));
        else if (*p == ' ' && (p[1] == ':' || p[1] == ';' || p[1] == '!' || p[1] == '?'))
            buf_puts(&b, "\u202f");
        else
            buf_putc(&b, *p);
    }
    const char *out = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    return out;
}

/* The choices of a setting shown as a list, NULL for the others. */
static const struct field_option *admin_choices(const struct setting *st)
{
    static const struct field_option sync[] = {{"FULL", "FULL — sûr en cas de coupure de courant"},
                                               {"NORMAL", "NORMAL — plus rapide, moins sûr"},
                                               {NULL, NULL}};
    static const struct field_option onoff[] = {{"on", "on"}, {"off", "off"}, {NULL, NULL}};
    static const struct field_option signup[] = {{"open", "open — ouverte à tous"},
                                                 {"closed", "closed — comptes créés par l'équipe"},
                                                 {NULL, NULL}};
    switch (st->type) {
    case SETTING_SYNC:
        return sync;
    case SETTING_ONOFF:
        return onoff;
    case SETTING_SIGNUP:
        return signup;
    case SETTING_LICENSE: {
        const struct field_def *f = kind_field(kind_find("innovation"), "license");
        return f ? f->options : NULL;
    }
    default:
        return NULL;
    }
}

/* What the form shows for each setting: values[i] and errors[i] (NULL: none) by table index. */
static void admin_settings_render(struct request *req, const char *const *values,
                                  const char *const *errors, bool has_secret, int nerrors)
{
    struct tv *ctx = app_context(req, "Réglages du site");
    app_need_csrf(req, ctx);
    struct tv *restart = tv_set_list(ctx, "restart");
    for (size_t i = 0; i < settings_count; i++)
        if (settings_table[i].restart)
            tv_set_str(tv_push_obj(restart), "label", settings_table[i].label);
    struct tv *sections = tv_set_list(ctx, "sections");
    struct tv *summary = tv_set_list(ctx, "errors");
    for (int sec = 0; sec < SECTION_COUNT; sec++) {
        struct tv *so = tv_push_obj(sections);
        tv_set_str(so, "title", settings_section_title((enum setting_section)sec));
        tv_set_strf(so, "id", "section-%d", sec);
        struct tv *fields = tv_set_list(so, "fields");
        for (size_t i = 0; i < settings_count; i++) {
            const struct setting *st = &settings_table[i];
            if ((int)st->section != sec)
                continue;
            struct tv *f = tv_push_obj(fields);
            tv_set_str(f, "name", st->name);
            tv_set_str(f, "label", st->label);
            tv_set_str(f, "help", st->help);
            tv_set_bool(f, "restart", st->restart);
            if (errors[i]) {
                tv_set_str(f, "error", errors[i]);
                struct tv *e = tv_push_obj(summary);
                tv_set_str(e, "name", st->name);
                tv_set_str(e, "message",
                           arena_printf(req->arena, "%s\u202f: %s", st->label, errors[i]));
            }
            tv_set_strf(f, "described", "help-%s%s%s", st->name, errors[i] ? " error-" : "",
                        errors[i] ? st->name : "");
            const struct field_option *opts = admin_choices(st);
            if (st->type == SETTING_SECRET) {
                tv_set_bool(f, "is_secret", true);
                tv_set_bool(f, "has_secret", has_secret);
            } else if (st->type == SETTING_MARKDOWN) {
                tv_set_bool(f, "is_markdown", true);
                tv_set_str(f, "value", values[i]);
            } else if (opts) {
                tv_set_bool(f, "is_choice", true);
                struct tv *list = tv_set_list(f, "options");
                bool found = false;
                for (const struct field_option *o = opts; o->id; o++) {
                    struct tv *oo = tv_push_obj(list);
                    tv_set_str(oo, "id", o->id);
                    tv_set_str(oo, "label", o->label);
                    bool sel = strcmp(o->id, values[i]) == 0;
                    found |= sel;
                    tv_set_bool(oo, "selected", sel);
                }
                if (!found) { /* an invalid value sent is shown, with its error */
                    struct tv *oo = tv_push_obj(list);
                    tv_set_str(oo, "id", values[i]);
                    tv_set_str(oo, "label", values[i]);
                    tv_set_bool(oo, "selected", true);
                }
            } else {
                bool number = st->type == SETTING_INT || st->type == SETTING_ZOOM;
                tv_set_bool(f, number ? "is_int" : "is_line", true);
                tv_set_str(f, "value", values[i]);
            }
        }
    }
    tv_set_bool(ctx, "has_errors", nerrors > 0);
    app_render(req, "admin_settings", ctx);
}

/* GET /admin/reglages — every setting with its label, help and the value in effect. */
void page_admin_settings(struct request *req)
{
    struct viewer v;
    if (!admin_page_viewer(req, &v))
        return;
    struct store *s = app_store(req);
    const char **values = arena_alloc(req->arena, sizeof(char *) * settings_count);
    const char **errors = arena_alloc(req->arena, sizeof(char *) * settings_count);
    bool has_secret = false;
    for (size_t i = 0; i < settings_count; i++) {
        values[i] = settings_value(s, req->arena, &settings_table[i]);
        errors[i] = NULL;
        if (!values[i]) {
            app_error(req, 503, false);
            return;
        }
        if (settings_table[i].type == SETTING_SECRET) {
            has_secret = *values[i] != '\0';
            values[i] = ""; /* never sent back to a browser */
        }
    }
    admin_settings_render(req, values, errors, has_secret, 0);
}

/* POST /admin/reglages — one field per setting (a missing one keeps its value; smtp_password
 * empty keeps the password, smtp_password_clear=1 removes it), csrf. Nothing is written unless
 * every field is valid. */
void page_admin_settings_save(struct request *req)
{
    struct viewer v;
    if (!admin_page_viewer(req, &v) || !app_check_csrf(req))
        return;
    struct store *s = app_store(req);
    const char **values = arena_alloc(req->arena, sizeof(char *) * settings_count);
    const char **errors = arena_alloc(req->arena, sizeof(char *) * settings_count);
    const char **keys = arena_alloc(req->arena, sizeof(char *) * settings_count);
    const char **writes = arena_alloc(req->arena, sizeof(char *) * settings_count);
    size_t nwrites = 0;
    int nerrors = 0;
    bool has_secret = false;
    for (size_t i = 0; i < settings_count; i++) {
        const struct setting *st = &settings_table[i];
        const char *sent = http_form(req, st->name);
        errors[i] = NULL;
        if (st->type == SETTING_SECRET) {
            const char *now = settings_value(s, req->arena, st);
            has_secret = now && *now;
            const char *clear = http_form(req, "smtp_password_clear");
            if (clear && strcmp(clear, "1") == 0)
                sent = "";
            else if (!sent || !*sent)
                sent = NULL; /* kept */
            values[i] = "";
        } else {
            values[i] = sent ? sent : settings_value(s, req->arena, st);
            if (!values[i]) {
                app_error(req, 503, false);
                return;
            }
        }
        if (!sent)
            continue;
        char why[200];
        const char *bad = settings_check(st, sent, admin_proxies_check, why, sizeof why);
        if (bad) {
            errors[i] = admin_reason(req, bad);
            nerrors++;
            continue;
        }
        keys[nwrites] = st->name;
        writes[nwrites++] = sent;
    }
    if (nerrors) {
        admin_settings_render(req, values, errors, has_secret, nerrors);
        req->status = 422;
        return;
    }
    int changed;
    int rc = settings_save(s, req->arena, &v, nwrites, keys, writes, admin_proxies_check,
                           (long long)time(NULL), &changed);
    if (rc != SETTINGS_OK) {
        app_error(req, rc == SETTINGS_ERR ? 503 : 400, false);
        return;
    }
    /* In place for this process's next request (the others see the generation move). */
    req->app_generation = 0;
    app_refresh(req);
    app_flash(req, "settings");
    http_redirect(req, 303, "/admin/reglages");
}

/* GET /admin/audit — each check of core/audit.c with its state, what it found and the fix. */
void page_admin_audit(struct request *req)
{
    struct viewer v;
    if (!admin_page_viewer(req, &v))
        return;
    struct audit_seen seen = {.xff_ignored = app_xff_ignored_since(req->app) != 0};
    struct audit_check *checks;
    int n;
    if (audit_run(app_store(req), req->arena, &v, &seen, &checks, &n) != 0) {
        app_error(req, 503, false);
        return;
    }
    struct tv *ctx = app_context(req, "Audit de sécurité");
    struct tv *list = tv_set_list(ctx, "checks");
    int counts[3] = {0, 0, 0};
    for (int i = 0; i < n; i++) {
        struct tv *o = tv_push_obj(list);
        tv_set_str(o, "id", checks[i].id);
        tv_set_str(o, "title", checks[i].title);
        tv_set_str(o, "state", audit_state_label(checks[i].state));
        tv_set_str(o, "state_class",
                   checks[i].state == AUDIT_FIX     ? "fix"
                   : checks[i].state == AUDIT_WATCH ? "watch"
                                                    : "ok");
        tv_set_str(o, "explanation", checks[i].explanation);
        if (*checks[i].fix)
            tv_set_str(o, "fix", checks[i].fix);
        counts[checks[i].state]++;
    }
    tv_set_strf(ctx, "summary",
                "%d point%s à corriger, %d à surveiller, %d en ordre sur %d vérifications.",
                counts[AUDIT_FIX], counts[AUDIT_FIX] > 1 ? "s" : "", counts[AUDIT_WATCH],
                counts[AUDIT_OK], n);
    req->cache = HTTP_CACHE_NONE;
    app_render(req, "admin_audit", ctx);
}

#define ADMIN_COMMUNES_PER_PAGE 100

/* What a commune's form shows when a centre sent for it was refused: what was typed, and why. */
struct admin_place_sent {
    const char *insee, *lat, *lon;
    struct territory_place_errors errs;
};

/* A degree as the form shows it: French decimals, no trailing zeros ("48,3904"). */
static const char *admin_degrees(struct request *req, double v)
{
    char *t = arena_printf(req->arena, "%.6f", v);
    char *dot = strchr(t, '.');
    if (dot) {
        char *end = t + strlen(t);
        while (end > dot + 1 && end[-1] == '0')
            *--end = '\0';
        if (end == dot + 1)
            *dot = '\0';
        else
            *dot = ',';
    }
    return t;
}

static void admin_commune_items(struct request *req, struct tv *list, const struct commune *c,
                                const long *entries, size_t n, const struct admin_place_sent *sent)
{
    for (size_t i = 0; i < n; i++) {
        struct tv *o = tv_push_obj(list);
        tv_set_str(o, "insee", c[i].insee);
        tv_set_str(o, "name", c[i].name);
        if (*c[i].epci_name)
            tv_set_str(o, "epci_name", c[i].epci_name);
        if (entries[i])
            tv_set_strf(o, "entries", "%ld fiche%s", entries[i], entries[i] > 1 ? "s" : "");
        bool mine = sent && strcmp(sent->insee, c[i].insee) == 0;
        if (mine) { /* as typed, beside its errors */
            tv_set_str(o, "lat", sent->lat);
            tv_set_str(o, "lon", sent->lon);
            tv_set_str(o, "lat_error", sent->errs.lat);
            tv_set_str(o, "lon_error", sent->errs.lon);
        } else if (c[i].has_point) {
            tv_set_str(o, "lat", admin_degrees(req, c[i].lat));
            tv_set_str(o, "lon", admin_degrees(req, c[i].lon));
        }
    }
}

/* The page of communes, page `page`, with the form of sent (NULL: none) as it was typed. */
static void admin_communes_render(struct request *req, const struct viewer *v, int page,
                                  const struct admin_place_sent *sent)
{
    struct territory_places p;
    int rc =
        territory_places_read(app_store(req), req->arena, v, (page - 1) * ADMIN_COMMUNES_PER_PAGE,
                              ADMIN_COMMUNES_PER_PAGE, &p);
    if (rc != TERRITORY_OK) {
        app_error(req, rc == TERRITORY_FORBIDDEN ? 403 : 503, false);
        return;
    }
    struct tv *ctx = app_context(req, "Communes sans position");
    app_need_csrf(req, ctx);
    const struct territory *t = req->app->territory;
    if (p.unplaced)
        tv_set_strf(ctx, "summary",
                    "%s compte %ld commune%s. %ld n'%s pas de position dans les données "
                    "publiques (GeoNames)\u202f: leurs fiches sans point restent «\u202fposition "
                    "inconnue\u202f», jamais placées au hasard, tant que vous ne leur avez pas "
                    "donné de centre.",
                    t->territory_name, p.communes, p.communes > 1 ? "s" : "", p.unplaced,
                    p.unplaced > 1 ? "ont" : "a");
    else
        tv_set_strf(ctx, "summary", "%s compte %ld commune%s, et toutes ont une position.",
                    t->territory_name, p.communes, p.communes > 1 ? "s" : "");
    tv_set_int(ctx, "page", page);
    tv_set_bool(ctx, "has_list", p.nlist > 0);
    tv_set_bool(ctx, "has_placed", p.nplaced > 0);
    admin_commune_items(req, tv_set_list(ctx, "list"), p.list, p.list_entries, p.nlist, sent);
    admin_commune_items(req, tv_set_list(ctx, "placed"), p.placed, p.placed_entries, p.nplaced,
                        sent);
    long pages = (p.unplaced + ADMIN_COMMUNES_PER_PAGE - 1) / ADMIN_COMMUNES_PER_PAGE;
    if (pages > 1) {
        tv_set_bool(ctx, "has_pager", true);
        tv_set_strf(ctx, "page_label", "page %d sur %ld", page, pages);
        if (page > 1)
            tv_set_strf(ctx, "prev_url", "/admin/communes?page=%d", page - 1);
        if (page < pages)
            tv_set_strf(ctx, "next_url", "/admin/communes?page=%d", page + 1);
    }
    if (sent) {
        struct tv *errors = tv_set_list(ctx, "errors");
        const char *const why[] = {sent->errs.insee, sent->errs.lat, sent->errs.lon};
        const char *const field[] = {NULL, "lat", "lon"};
        for (int i = 0; i < 3; i++) {
            if (!why[i])
                continue;
            struct tv *e = tv_push_obj(errors);
            tv_set_str(e, "message", why[i]);
            if (field[i])
                tv_set_strf(e, "target", "%s-%s", field[i], sent->insee);
        }
        tv_set_bool(ctx, "has_errors", true);
    }
    req->cache = HTTP_CACHE_NONE;
    app_render(req, "admin_communes", ctx);
}

static int admin_communes_page(const char *param)
{
    int page = app_int_param(param, 100000);
    return page ? page : 1;
}

/* GET /admin/communes[?page=N] — the communes without a centre (100 a page), each with a form
 * for its latitude and longitude, then those whose centre an administrator set. */
void page_admin_communes(struct request *req)
{
    struct viewer v;
    if (!admin_page_viewer(req, &v))
        return;
    admin_communes_render(req, &v, admin_communes_page(http_query(req, "page")), NULL);
}

/* POST /admin/communes — insee, lat, lon (decimal degrees, a comma or a dot), page (the page to
 * show again), csrf. A refused centre shows the page again (422) with what was typed beside the
 * reasons; a centre set moves the site's generation and goes back to the page. */
void page_admin_communes_place(struct request *req)
{
    struct viewer v;
    if (!admin_page_viewer(req, &v) || !app_check_csrf(req))
        return;
    const char *insee = http_form(req, "insee");
    struct admin_place_sent sent = {
        .insee = insee ? insee : "",
        .lat = http_form(req, "lat") ? http_form(req, "lat") : "",
        .lon = http_form(req, "lon") ? http_form(req, "lon") : "",
    };
    int page = admin_communes_page(http_form(req, "page"));
    int rc = territory_place(app_store(req), req->arena, &v, sent.insee, sent.lat, sent.lon,
                             (long long)time(NULL), &sent.errs);
    if (rc == TERRITORY_INVALID) {
        admin_communes_render(req, &v, page, &sent);
        req->status = 422;
        return;
    }
    if (rc != TERRITORY_OK) {
        app_error(req, rc == TERRITORY_FORBIDDEN ? 403 : 503, false);
        return;
    }
    /* In place for this process's next request (the others see the generation move). */
    req->app_generation = 0;
    app_refresh(req);
    app_flash(req, "commune_placed");
    http_redirect(req, 303,
                  page > 1 ? arena_printf(req->arena, "/admin/communes?page=%d", page)
                           : "/admin/communes");
}
