/* report.c — readers' reports ("signaler") and the moderators' page of them: the report form
 * of a record (a partial of its page, and a page of its own for errors), filing a report by form
 * and by the API, the page /moderation/signalements (open reports grouped by record, "Garder la
 * fiche" or "Retirer la fiche" in one click) and its API for tools. The rules (who may report,
 * how often, when a record is hidden) are core/report.c's. */
#include "core/account.h"
#include "core/moderation.h"
#include "core/report.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/utf8.h"
#include "web/app.h"
#include "web/entry_view.h"
#include "web/pages.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The form's values into o ("report" object of a page): the reasons with the one chosen, the
 * details, the errors beside their fields. */
static void report_form_values(struct request *req, struct tv *o, const struct entry *e,
                               const char *reason, const char *comment,
                               const struct field_errors *errs)
{
    tv_set_strf(o, "action", "/%s/%s/signaler", e->kind->segment, e->slug);
    tv_set_bool(o, "signed_in", req->logged_in);
    if (!req->logged_in) {
        tv_set_strf(o, "login_url", "/login?next=/%s/%s/signaler", e->kind->segment, e->slug);
        return;
    }
    tv_set_str(o, "csrf", app_csrf_field(req));
    tv_set_int(o, "comment_max", REPORT_COMMENT_MAX);
    tv_set_str(o, "comment", comment);
    struct tv *list = tv_set_list(o, "reasons");
    for (int i = 0; i < report_nreasons; i++) {
        struct tv *r = tv_push_obj(list);
        tv_set_str(r, "code", report_reasons[i].code);
        tv_set_str(r, "label", report_reasons[i].label);
        tv_set_bool(r, "checked", reason && strcmp(reason, report_reasons[i].code) == 0);
    }
    if (errs && errs->n) {
        tv_set_str(o, "reason_error", validate_error_for(errs, "reason"));
        tv_set_str(o, "comment_error", validate_error_for(errs, "comment"));
    }
    if (e->hidden)
        tv_set_str(o, "hidden_notice",
                   e->hidden == 1
                       ? "Cette fiche est masquée au public : plusieurs comptes l'ont signalée. "
                         "Elle attend la décision de l'équipe de modération (page Signalements)."
                       : "Cette fiche a été retirée par l'équipe de modération : seuls les "
                         "modérateurs la voient.");
}

void page_report_form_values(struct request *req, struct tv *ctx, const struct entry *e)
{
    report_form_values(req, tv_set_obj(ctx, "report"), e, NULL, NULL, NULL);
}

/* The page of the form alone: GET, and the answer to a refused report (input kept). */
static void report_page(struct request *req, const struct entry *e, const char *reason,
                        const char *comment, const struct field_errors *errs, const char *notice,
                        int status)
{
    struct viewer v = app_viewer(req);
    struct revision r;
    const char *title = e->slug;
    if (entry_revision_raw(app_store(req), req->arena, &v, e, 0, &r) == ENTRY_OK) {
        const struct json_span *vals = entry_view_members(req, e->kind, r.raw_fields);
        const char *t = entry_view_member_str(req, e->kind, vals, e->kind->title_field);
        if (t && *t)
            title = t;
    }
    struct tv *ctx = app_context(req, arena_printf(req->arena, "Signaler « %s »", title));
    if (errs && errs->n)
        tv_set_str(ctx, "title_prefix", "Erreur :");
    tv_set_str(ctx, "entry_title", title);
    tv_set_strf(ctx, "entry_url", "/%s/%s", e->kind->segment, e->slug);
    tv_set_str(ctx, "notice", notice);
    app_need_csrf(req, ctx);
    struct tv *o = tv_set_obj(ctx, "report");
    report_form_values(req, o, e, reason, comment, errs);
    tv_set_bool(o, "open", true);
    app_render(req, "report", ctx);
    req->status = status;
}

/* GET /{kind}/{slug}/signaler — the report form of a record (login required). */
void page_report_form(struct request *req)
{
    if (!app_require_login(req))
        return;
    struct entry e;
    if (!page_entry_load(req, app_store(req), &e, "/signaler"))
        return;
    report_page(req, &e, NULL, NULL, NULL, NULL, 200);
}

static const char *report_duplicate_text = "Vous avez déjà signalé cette fiche : l'équipe de "
                                           "modération va l'examiner. Merci.";

static const char *report_wait_text(struct request *req, long wait)
{
    long hours = (wait + 3599) / 3600;
    return arena_printf(req->arena,
                        "Vous avez envoyé beaucoup de signalements aujourd'hui : réessayez dans "
                        "%ld heure%s. Pour une urgence, écrivez à l'équipe de modération.",
                        hours, hours > 1 ? "s" : "");
}

/* POST /{kind}/{slug}/signaler — reason, comment, csrf. */
void page_report_create(struct request *req)
{
    if (!app_require_login(req) || !app_check_csrf(req))
        return;
    struct store *s = app_store(req);
    struct entry e;
    if (!page_entry_load(req, s, &e, "/signaler"))
        return;
    const char *reason = http_form(req, "reason");
    const char *comment = http_form(req, "comment");
    struct field_errors errs = {0};
    const char *kept = report_check(req->arena, reason, comment, &errs);
    if (!kept) {
        /* Invalid UTF-8 is not shown back: the template would have to print bytes it cannot
         * escape as text. */
        bool text = comment && utf8_valid(comment, strlen(comment));
        report_page(req, &e, reason, text ? comment : "", &errs, NULL, 422);
        return;
    }
    struct viewer v = app_viewer(req);
    struct report_filed filed;
    int rc = report_file(s, req->arena, &v, &e, reason, kept, (long long)time(NULL), &filed);
    switch (rc) {
    case REPORT_OK:
        break;
    case REPORT_DUPLICATE:
        report_page(req, &e, reason, comment, NULL, report_duplicate_text, 409);
        return;
    case REPORT_RATE_LIMITED:
        http_add_header(req, "Retry-After", arena_printf(req->arena, "%ld", filed.retry_after));
        report_page(req, &e, reason, comment, NULL, report_wait_text(req, filed.retry_after), 429);
        return;
    case REPORT_NOTFOUND:
        app_error(req, 404, false);
        return;
    case REPORT_FORBIDDEN:
        app_error(req, 403, false);
        return;
    default:
        app_error(req, 500, false);
        return;
    }
    struct tv *ctx = app_context(req, "Merci pour votre signalement");
    tv_set_str(ctx, "message",
               filed.hidden ? "Votre signalement est enregistré. Plusieurs personnes ayant "
                              "signalé cette fiche, elle est masquée au public jusqu'à la "
                              "décision de l'équipe de modération."
                            : "Votre signalement est enregistré : l'équipe de modération va "
                              "examiner la fiche.");
    /* Once hidden the record is no longer this reader's to see. */
    if (!filed.hidden || viewer_moderates(&v))
        tv_set_strf(ctx, "entry_url", "/%s/%s", e.kind->segment, e.slug);
    tv_set_str(ctx, "list_url", e.kind->list_path);
    req->cache = HTTP_CACHE_NONE;
    app_render(req, "report_sent", ctx);
}

/* The signed-in moderator of a page, or an answer (login, 403) and false. */
static bool report_moderator(struct request *req, struct viewer *v)
{
    if (!app_require_login(req))
        return false;
    *v = app_viewer(req);
    if (!viewer_moderates(v)) {
        app_error(req, 403, false);
        return false;
    }
    return true;
}

/* GET /moderation/signalements — open reports grouped by record. */
void page_reports(struct request *req)
{
    struct viewer v;
    if (!report_moderator(req, &v))
        return;
    struct store *s = app_store(req);
    struct report_group *groups;
    int n;
    if (report_open(s, req->arena, &v, &groups, &n) != REPORT_OK) {
        app_error(req, 500, false);
        return;
    }
    struct tv *ctx = app_context(req, "Signalements");
    app_need_csrf(req, ctx);
    const char *csrf = app_csrf_field(req);
    tv_set_str(ctx, "total_text",
               n == 0   ? "Aucune fiche signalée"
               : n == 1 ? "1 fiche signalée"
                        : arena_printf(req->arena, "%d fiches signalées", n));
    struct tv *list = tv_set_list(ctx, "groups");
    for (int i = 0; i < n; i++) {
        struct report_group *g = &groups[i];
        if (!g->kind)
            continue;
        struct tv *o = tv_push_obj(list);
        tv_set_int(o, "id", g->entry_id);
        tv_set_str(o, "title", g->title);
        tv_set_strf(o, "url", "/%s/%s", g->kind->segment, g->slug);
        tv_set_bool(o, "hidden", g->hidden != 0);
        tv_set_str(o, "count_text",
                   g->nitems == 1
                       ? "1 compte l'a signalée"
                       : arena_printf(req->arena, "%d comptes l'ont signalée", g->nitems));
        tv_set_str(o, "csrf", csrf);
        struct tv *items = tv_set_list(o, "items");
        for (int j = 0; j < g->nitems; j++) {
            struct tv *it = tv_push_obj(items);
            tv_set_str(it, "reason", g->items[j].reason_label);
            tv_set_str(it, "comment", g->items[j].comment);
            tv_set_str(it, "reporter", g->items[j].reporter);
            tv_set_str(it, "date", app_datetime(req, g->items[j].created));
        }
    }
    app_render(req, "report_list", ctx);
}

static const char *report_decision_text(int rc)
{
    switch (rc) {
    case REPORT_NOTFOUND:
        return "Cette fiche n'a plus de signalement ouvert (déjà décidé, ou introuvable).";
    case REPORT_FORBIDDEN:
        return "Cette action est réservée à l'équipe de modération.";
    default:
        return "erreur interne";
    }
}

static int report_http_status(int rc)
{
    switch (rc) {
    case REPORT_OK:
        return 200;
    case REPORT_NOTFOUND:
        return 404;
    case REPORT_FORBIDDEN:
        return 403;
    case REPORT_DUPLICATE:
        return 409;
    case REPORT_RATE_LIMITED:
        return 429;
    default:
        return 500;
    }
}

/* POST /moderation/signalements/{id}/garder|retirer — reason (optional), csrf. */
void page_report_decide(struct request *req)
{
    struct viewer v;
    if (!report_moderator(req, &v) || !app_check_csrf(req))
        return;
    long long id = app_int_param(req->params[0], 999999999);
    const char *reason = http_form(req, "reason");
    if (reason && (strlen(reason) > MODERATION_REASON_MAX || !utf8_valid(reason, strlen(reason)))) {
        struct tv *ctx = app_context(req, "Décision impossible");
        tv_set_int(ctx, "status", 422);
        tv_set_str(ctx, "message",
                   arena_printf(req->arena, "Motif : %d caractères au plus, en texte.",
                                MODERATION_REASON_MAX));
        tv_set_str(ctx, "back_url", "/moderation/signalements");
        tv_set_str(ctx, "back_label", "Revenir aux signalements");
        req->cache = HTTP_CACHE_NONE;
        app_render(req, "error", ctx);
        req->status = 422;
        return;
    }
    size_t n = strlen(req->path);
    bool uphold = n >= 8 && strcmp(req->path + n - 8, "/retirer") == 0;
    long long now = (long long)time(NULL);
    struct store *s = app_store(req);
    int rc = !id      ? REPORT_NOTFOUND
             : uphold ? report_uphold(s, req->arena, &v, id, reason ? reason : "", now)
                      : report_dismiss(s, req->arena, &v, id, reason ? reason : "", now);
    if (rc != REPORT_OK) {
        int status = report_http_status(rc);
        struct tv *ctx = app_context(req, "Décision impossible");
        tv_set_int(ctx, "status", status);
        tv_set_str(ctx, "message", report_decision_text(rc));
        tv_set_str(ctx, "back_url", "/moderation/signalements");
        tv_set_str(ctx, "back_label", "Revenir aux signalements");
        req->cache = HTTP_CACHE_NONE;
        app_render(req, "error", ctx);
        req->status = status;
        return;
    }
    app_flash(req, "moderated");
    http_redirect(req, 303, "/moderation/signalements");
}

static void report_api_error(struct request *req, int status, const char *message)
{
    req->cache = HTTP_CACHE_NONE;
    app_json(req, status,
             json_pack("{s:{s:i, s:s}}", "error", "status", status, "message", message));
}

/* The account of the request's bearer token, or an answer (503, 401) and false. */
static bool report_api_user(struct request *req, struct viewer *v)
{
    const char *h = http_header(req, "Authorization");
    struct store *s = app_store(req);
    struct user u;
    if (!s) {
        report_api_error(req, 503, "service momentanément indisponible");
        return false;
    }
    if (!h || strncasecmp(h, "Bearer ", 7) != 0 ||
        account_token_user(s, req->arena, h + 7, &u) != 0) {
        http_add_header(req, "WWW-Authenticate", "Bearer realm=\"foison\"");
        report_api_error(req, 401,
                         "jeton d'API manquant ou invalide (en-tête Authorization: Bearer …)");
        return false;
    }
    struct user *copy = arena_alloc(req->arena, sizeof(*copy));
    *copy = u;
    *v = viewer_of(copy);
    req->cache = HTTP_CACHE_NONE;
    return true;
}

/* A string member of the body: NULL when absent, with an error when it is not a string. */
static const char *report_api_string(struct request *req, json_t *body, const char *key,
                                     const char *label, struct field_errors *errs)
{
    json_t *m = json_object_get(body, key);
    if (!m || json_is_null(m))
        return NULL;
    if (!json_is_string(m)) {
        validate_error(errs, key, arena_printf(req->arena, "%s : une chaîne est attendue", label));
        return NULL;
    }
    return arena_strdup(req->arena, json_string_value(m));
}

/* POST /api/v1/entries/{slug}/reports — {"reason": "spam", "comment": "…"} → 201 */
void api_report_create(struct request *req)
{
    struct viewer v;
    if (!report_api_user(req, &v))
        return;
    struct store *s = app_store(req);
    struct entry e;
    int frc = entry_find(s, req->arena, &v, req->params[0], &e, NULL);
    if (frc != ENTRY_OK) {
        report_api_error(req, frc == ENTRY_ERR ? 500 : 404,
                         frc == ENTRY_ERR ? "erreur interne" : "fiche introuvable");
        return;
    }
    json_error_t jerr;
    json_t *body = req->body.len
                       ? json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, &jerr)
                       : NULL;
    if (!json_is_object(body)) {
        /* jansson also refuses invalid UTF-8 and \u0000 in strings: a malformed body. */
        report_api_error(
            req, 400,
            body || !req->body.len
                ? "un objet JSON est attendu : {\"reason\": …, \"comment\": …}"
                : arena_printf(req->arena, "JSON mal formé (ligne %d) : %s", jerr.line, jerr.text));
        json_decref(body);
        return;
    }
    struct field_errors errs = {0};
    const char *reason = report_api_string(req, body, "reason", "Raison", &errs);
    const char *comment = report_api_string(req, body, "comment", "Précisions", &errs);
    const char *key;
    json_t *val;
    json_object_foreach(body, key, val)
    {
        if (strcmp(key, "reason") != 0 && strcmp(key, "comment") != 0)
            validate_error(&errs, arena_strdup(req->arena, key), "champ inconnu");
    }
    json_decref(body);
    const char *kept = NULL;
    if (!errs.n || !validate_error_for(&errs, "reason"))
        kept = report_check(req->arena, reason, comment, &errs);
    if (errs.n || !kept) {
        app_json_errors(req, &errs);
        return;
    }
    struct report_filed filed;
    int rc = report_file(s, req->arena, &v, &e, reason, kept, (long long)time(NULL), &filed);
    if (rc == REPORT_RATE_LIMITED)
        http_add_header(req, "Retry-After", arena_printf(req->arena, "%ld", filed.retry_after));
    if (rc != REPORT_OK) {
        int status = report_http_status(rc);
        report_api_error(req, status,
                         rc == REPORT_DUPLICATE      ? "vous avez déjà signalé cette fiche"
                         : rc == REPORT_RATE_LIMITED ? "trop de signalements aujourd'hui : "
                                                       "réessayez plus tard (Retry-After)"
                         : rc == REPORT_NOTFOUND     ? "fiche introuvable"
                         : rc == REPORT_FORBIDDEN    ? "compte inactif"
                                                     : "erreur interne");
        return;
    }
    app_json(req, 201,
             json_pack("{s:{s:s, s:s, s:s, s:s}}", "report", "slug", e.slug, "reason", reason,
                       "comment", kept, "state", "open"));
}

/* GET /api/v1/moderation/reports — moderators only: the open reports grouped by record. */
void api_reports(struct request *req)
{
    struct viewer v;
    if (!report_api_user(req, &v))
        return;
    if (!viewer_moderates(&v)) {
        report_api_error(req, 403, report_decision_text(REPORT_FORBIDDEN));
        return;
    }
    struct report_group *groups;
    int n;
    if (report_open(app_store(req), req->arena, &v, &groups, &n) != REPORT_OK) {
        report_api_error(req, 500, "erreur interne");
        return;
    }
    json_t *list = json_array();
    for (int i = 0; i < n; i++) {
        struct report_group *g = &groups[i];
        json_t *items = json_array();
        for (int j = 0; j < g->nitems; j++)
            json_array_append_new(
                items, json_pack("{s:s, s:s, s:s, s:I}", "reason", g->items[j].reason, "comment",
                                 g->items[j].comment, "reporter", g->items[j].reporter, "created",
                                 (json_int_t)g->items[j].created));
        json_array_append_new(list,
                              json_pack("{s:I, s:s, s:s, s:s, s:b, s:i, s:o}", "entry_id",
                                        (json_int_t)g->entry_id, "slug", g->slug, "kind",
                                        g->kind ? g->kind->name : "", "title", g->title, "hidden",
                                        g->hidden != 0, "count", g->nitems, "reports", items));
    }
    app_json(req, 200, json_pack("{s:o}", "entries", list));
}
