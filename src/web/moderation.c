/* moderation.c — the moderators' pages and API: the queue of pending revisions with their diff
 * and spam score, approve / reject in one click, actions on an account (block, roll back every
 * edit, trust), and the moderation log. Moderators only: everyone else gets 403. */
#include "core/account.h"
#include "core/moderation.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/utf8.h"
#include "web/app.h"
#include "web/pages.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MODERATION_PER_PAGE 20

static void moderation_refused(struct request *req, int rc);

/* The signed-in moderator of a page, or an answer (login, 403) and false. */
static bool moderation_page_viewer(struct request *req, struct viewer *v)
{
    if (!app_require_login(req))
        return false;
    *v = app_viewer(req);
    if (!viewer_moderates(v)) {
        moderation_refused(req, MODERATION_FORBIDDEN);
        return false;
    }
    return true;
}

/* The reasons of a spam score (a JSON array of strings) as a template list. */
static void moderation_reasons(struct request *req, struct tv *o, const char *reasons)
{
    json_t *list = reasons ? json_loads(reasons, 0, NULL) : NULL;
    struct tv *out = tv_set_list(o, "reasons");
    size_t i;
    json_t *r;
    if (json_is_array(list)) {
        json_array_foreach(list, i, r)
        {
            if (json_is_string(r))
                tv_set_str(tv_push_obj(out), "text",
                           arena_strdup(req->arena, json_string_value(r)));
        }
    }
    tv_set_bool(o, "has_reasons", json_is_array(list) && json_array_size(list) > 0);
    json_decref(list);
}

/* A moderator's reason from the form or the JSON body: NULL (with errs) when too long or not
 * text. */
static const char *moderation_reason_check(struct request *req, const char *reason,
                                           struct field_errors *errs)
{
    if (!reason)
        return "";
    size_t n = strlen(reason);
    if (n > MODERATION_REASON_MAX || !utf8_valid(reason, n)) {
        validate_error(errs, "reason",
                       arena_printf(req->arena, "Motif : %d caractères au plus, en texte",
                                    MODERATION_REASON_MAX));
        return NULL;
    }
    return reason;
}

/* ?page=N of a page, 1 when absent or not a number. */
static int moderation_page_number(struct request *req)
{
    int page = app_int_param(http_query(req, "page"), 100000);
    return page ? page : 1;
}

/* GET /moderation[?page=N] — the queue. */
void page_moderation(struct request *req)
{
    struct viewer v;
    if (!moderation_page_viewer(req, &v))
        return;
    int page = moderation_page_number(req);
    struct moderation_item *items;
    int n, total;
    struct store *s = app_store(req);
    if (!s || moderation_queue(s, req->arena, &v, page, MODERATION_PER_PAGE, &items, &n, &total) !=
                  MODERATION_OK) {
        app_error(req, s ? 500 : 503, false);
        return;
    }
    int pages = total ? (total + MODERATION_PER_PAGE - 1) / MODERATION_PER_PAGE : 1;
    if (page > pages) {
        app_error(req, 404, false);
        return;
    }
    struct tv *ctx = app_context(req, "Modération");
    app_need_csrf(req, ctx);
    const char *csrf = app_csrf_field(req);
    tv_set_int(ctx, "total", total);
    tv_set_str(ctx, "total_text",
               total == 0   ? "Aucune contribution en attente"
               : total == 1 ? "1 contribution en attente"
                            : arena_printf(req->arena, "%d contributions en attente", total));
    tv_set_int(ctx, "page", page);
    tv_set_int(ctx, "pages", pages);
    tv_set_bool(ctx, "paged", pages > 1);
    if (page > 1)
        tv_set_strf(ctx, "prev_url", "/moderation?page=%d", page - 1);
    if (page < pages)
        tv_set_strf(ctx, "next_url", "/moderation?page=%d", page + 1);
    struct tv *list = tv_set_list(ctx, "items");
    for (int i = 0; i < n; i++) {
        struct moderation_item *it = &items[i];
        if (!it->kind)
            continue;
        struct tv *o = tv_push_obj(list);
        tv_set_int(o, "id", it->revision_id);
        tv_set_str(o, "title", *it->title ? it->title : it->slug);
        tv_set_strf(o, "url", "/%s/%s?rev=%d", it->kind->segment, it->slug, it->number);
        tv_set_str(o, "kind_label", it->kind->label);
        tv_set_bool(o, "new_entry", it->new_entry);
        tv_set_int(o, "number", it->number);
        tv_set_str(o, "author", it->author);
        tv_set_int(o, "author_id", it->author_id);
        tv_set_str(o, "date", app_datetime(req, it->created));
        tv_set_int(o, "score", it->score);
        tv_set_bool(o, "stale", it->stale);
        tv_set_str(o, "csrf", csrf);
        moderation_reasons(req, o, it->reasons);
        page_diff_fields(req, o, it->kind, it->parent_fields, it->fields, true);
    }
    if (!page_media_moderation(req, ctx, &v)) {
        app_error(req, 500, false);
        return;
    }
    app_render(req, "moderation", ctx);
}

/* The answer to a decision, as a French message for the page or the API. */
static const char *moderation_message(int rc)
{
    switch (rc) {
    case MODERATION_NOTFOUND:
        return "Cette contribution n'est plus en attente (déjà décidée, ou introuvable).";
    case MODERATION_CONFLICT:
        return "Cette modification a été écrite sur une version de la fiche qui n'est plus celle "
               "que le public voit : l'approuver effacerait ce qui a été publié depuis. "
               "Refusez-la, ou reportez ses changements à la main.";
    case MODERATION_FORBIDDEN:
        return "Cette action est réservée à l'équipe de modération (et, sur un compte de "
               "modérateur, aux administrateurs).";
    default:
        return "erreur interne";
    }
}

static int moderation_http_status(int rc)
{
    switch (rc) {
    case MODERATION_OK:
        return 200;
    case MODERATION_NOTFOUND:
        return 404;
    case MODERATION_CONFLICT:
        return 409;
    case MODERATION_FORBIDDEN:
        return 403;
    default:
        return 500;
    }
}

/* A refused decision as a page: why, and the way back to the queue. */
static void moderation_refused(struct request *req, int rc)
{
    struct tv *ctx = app_context(req, "Décision impossible");
    int status = moderation_http_status(rc);
    tv_set_int(ctx, "status", status);
    tv_set_str(ctx, "message", moderation_message(rc));
    tv_set_str(ctx, "back_url", "/moderation");
    tv_set_str(ctx, "back_label", "Revenir à la file de modération");
    req->cache = HTTP_CACHE_NONE;
    app_render(req, "error", ctx);
    req->status = status;
}

static bool moderation_path_ends(const struct request *req, const char *suffix)
{
    size_t n = strlen(req->path), m = strlen(suffix);
    return n >= m && strcmp(req->path + n - m, suffix) == 0;
}

/* POST /moderation/{id}/approve|reject — reason, csrf. */
void page_moderation_decide(struct request *req)
{
    struct viewer v;
    if (!moderation_page_viewer(req, &v) || !app_check_csrf(req))
        return;
    long long id = app_int_param(req->params[0], 999999999);
    struct field_errors errs = {0};
    const char *reason = moderation_reason_check(req, http_form(req, "reason"), &errs);
    if (!reason) {
        moderation_refused(req, MODERATION_ERR);
        req->status = 422;
        return;
    }
    bool approve = moderation_path_ends(req, "/approve");
    long long now = (long long)time(NULL);
    struct store *s = app_store(req);
    int rc = !id       ? MODERATION_NOTFOUND
             : approve ? moderation_approve(s, req->arena, &v, id, reason, now)
                       : moderation_reject(s, req->arena, &v, id, reason, now);
    if (rc != MODERATION_OK) {
        moderation_refused(req, rc);
        return;
    }
    app_flash(req, approve ? "approved" : "rejected");
    http_redirect(req, 303, "/moderation");
}

/* POST /moderation/accounts/{id}/block|rollback|trust — reason, csrf; or
 * POST /moderation/accounts/by-email — email, action (block|rollback|trust), reason, csrf. */
void page_moderation_account(struct request *req)
{
    struct viewer v;
    if (!moderation_page_viewer(req, &v) || !app_check_csrf(req))
        return;
    struct store *s = app_store(req);
    long long id = 0;
    const char *action = req->path;
    if (moderation_path_ends(req, "/by-email")) {
        /* The form of the queue page that reaches any account, one with no pending edit too. */
        action = http_form(req, "action");
        if (!action || account_id_by_email(s, req->arena, http_form(req, "email"), &id) != 0)
            id = 0;
    } else {
        id = app_int_param(req->params[0], 999999999);
    }
    struct field_errors errs = {0};
    const char *reason = moderation_reason_check(req, http_form(req, "reason"), &errs);
    if (!reason) {
        moderation_refused(req, MODERATION_ERR);
        req->status = 422;
        return;
    }
    long long now = (long long)time(NULL);
    int rc, entries = 0;
    size_t al = action ? strlen(action) : 0;
#define ACTION_IS(x) (al >= strlen(x) && strcmp(action + al - strlen(x), x) == 0)
    if (!id || !action)
        rc = MODERATION_NOTFOUND;
    else if (ACTION_IS("block"))
        rc = moderation_block(s, req->arena, &v, id, reason, now);
    else if (ACTION_IS("rollback"))
        rc = moderation_rollback(s, req->arena, &v, id, reason, now, &entries);
    else if (ACTION_IS("trust"))
        rc = moderation_trust(s, req->arena, &v, id, now);
    else
        rc = MODERATION_NOTFOUND;
#undef ACTION_IS
    if (rc != MODERATION_OK) {
        moderation_refused(req, rc);
        return;
    }
    app_flash(req, "moderated");
    http_redirect(req, 303, "/moderation");
}

static const char *moderation_action_label(const char *action)
{
    static const struct {
        const char *action, *label;
    } labels[] = {
        {"approve", "Approbation"},
        {"reject", "Refus"},
        {"rollback", "Annulation des modifications d'un compte"},
        {"block", "Blocage d'un compte"},
        {"trust", "Confiance accordée"},
        {"report_hide", "Fiche masquée après des signalements"},
        {"report_dismiss", "Signalements écartés : fiche gardée"},
        {"report_uphold", "Signalements retenus : fiche retirée"},
        {"settings", "Réglages du site"},
        {"territory", "Territoire et centres des communes"},
        {"media_approve", "Image ou document approuvé"},
        {"media_reject", "Image ou document refusé"},
        {"media_delete", "Image ou document retiré"},
        {"accompany_take", "Fiche reprise par une personne de l'acteur"},
    };
    for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
        if (strcmp(labels[i].action, action) == 0)
            return labels[i].label;
    return action;
}

/* GET /moderation/log[?page=N] — who decided what, when, why. */
void page_moderation_log(struct request *req)
{
    struct viewer v;
    if (!moderation_page_viewer(req, &v))
        return;
    int page = moderation_page_number(req);
    struct moderation_log_item *items;
    int n;
    struct store *s = app_store(req);
    if (!s || moderation_log(s, req->arena, &v, page, 50, &items, &n) != MODERATION_OK) {
        app_error(req, s ? 500 : 503, false);
        return;
    }
    struct tv *ctx = app_context(req, "Journal de modération");
    struct tv *list = tv_set_list(ctx, "items");
    for (int i = 0; i < n; i++) {
        struct tv *o = tv_push_obj(list);
        const struct kind_def *k = *items[i].kind ? kind_find(items[i].kind) : NULL;
        tv_set_str(o, "date", app_datetime(req, items[i].created));
        tv_set_str(o, "moderator", items[i].moderator);
        tv_set_str(o, "action", moderation_action_label(items[i].action));
        if (k && *items[i].slug) {
            tv_set_str(o, "slug", items[i].slug);
            tv_set_strf(o, "url", "/%s/%s?rev=%d", k->segment, items[i].slug, items[i].revision);
            tv_set_int(o, "revision", items[i].revision);
        }
        tv_set_str(o, "target", items[i].target);
        tv_set_str(o, "reason", items[i].reason);
    }
    tv_set_bool(ctx, "empty", n == 0);
    if (page > 1)
        tv_set_strf(ctx, "prev_url", "/moderation/log?page=%d", page - 1);
    if (n == 50)
        tv_set_strf(ctx, "next_url", "/moderation/log?page=%d", page + 1);
    app_render(req, "moderation_log", ctx);
}

/* The bearer token's moderator for the API, or an answer (401, 403) and false. */
static bool moderation_api_viewer(struct request *req, struct viewer *v)
{
    const char *h = http_header(req, "Authorization");
    struct user u;
    struct store *s = app_store(req);
    if (!s) {
        app_json(req, 503,
                 json_pack("{s:{s:i, s:s}}", "error", "status", 503, "message",
                           "service momentanément indisponible"));
        return false;
    }
    if (!h || strncasecmp(h, "Bearer ", 7) != 0 ||
        account_token_user(s, req->arena, h + 7, &u) != 0) {
        http_add_header(req, "WWW-Authenticate", "Bearer realm=\"foison\"");
        app_json(req, 401,
                 json_pack("{s:{s:i, s:s}}", "error", "status", 401, "message",
                           "jeton d'API manquant ou invalide (en-tête Authorization: Bearer …)"));
        return false;
    }
    struct user *copy = arena_alloc(req->arena, sizeof(*copy));
    *copy = u;
    *v = viewer_of(copy);
    req->cache = HTTP_CACHE_NONE;
    if (!viewer_moderates(v)) {
        app_json(req, 403,
                 json_pack("{s:{s:i, s:s}}", "error", "status", 403, "message",
                           moderation_message(MODERATION_FORBIDDEN)));
        return false;
    }
    return true;
}

/* GET /api/v1/moderation/pending[?page=N] */
void api_moderation_pending(struct request *req)
{
    struct viewer v;
    if (!moderation_api_viewer(req, &v))
        return;
    const char *ps = http_query(req, "page");
    int page = ps ? app_int_param(ps, 100000) : 1;
    if (!page) {
        struct field_errors errs = {0};
        validate_error(&errs, "page", "numéro de page invalide (entier ≥ 1)");
        app_json_errors(req, &errs);
        req->status = 400;
        return;
    }
    struct moderation_item *items;
    int n, total;
    if (moderation_queue(app_store(req), req->arena, &v, page, 100, &items, &n, &total) !=
        MODERATION_OK) {
        app_json(req, 500,
                 json_pack("{s:{s:i, s:s}}", "error", "status", 500, "message", "erreur interne"));
        return;
    }
    json_t *list = json_array();
    for (int i = 0; i < n; i++) {
        json_t *reasons = items[i].reasons ? json_loads(items[i].reasons, 0, NULL) : NULL;
        if (!json_is_array(reasons)) {
            json_decref(reasons);
            reasons = json_array();
        }
        json_array_append_new(
            list, json_pack("{s:I, s:s, s:s, s:s, s:s, s:i, s:o, s:i, s:b}", "revision_id",
                            (json_int_t)items[i].revision_id, "slug", items[i].slug, "kind",
                            items[i].kind ? items[i].kind->name : "", "title", items[i].title,
                            "author", items[i].author, "score", items[i].score, "reasons", reasons,
                            "revision", items[i].number, "new_entry", items[i].new_entry));
    }
    int pages = total ? (total + 99) / 100 : 1;
    app_json(req, 200,
             json_pack("{s:o, s:i, s:i, s:i}", "pending", list, "total", total, "page", page,
                       "pages", pages));
}

/* POST /api/v1/moderation/{id}/approve|reject — optional {"reason": "…"} */
void api_moderation_decide(struct request *req)
{
    struct viewer v;
    if (!moderation_api_viewer(req, &v))
        return;
    long long id = app_int_param(req->params[0], 999999999);
    struct field_errors errs = {0};
    const char *reason = "";
    if (req->body.len) {
        json_t *body = json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, NULL);
        json_t *r = json_object_get(body, "reason");
        if (!json_is_object(body))
            validate_error(&errs, "body", "un objet JSON est attendu");
        else if (r && !json_is_string(r))
            validate_error(&errs, "reason", "Motif : une chaîne est attendue");
        else if (r)
            reason =
                moderation_reason_check(req, arena_strdup(req->arena, json_string_value(r)), &errs);
        json_decref(body);
    }
    if (errs.n) {
        app_json_errors(req, &errs);
        return;
    }
    bool approve = moderation_path_ends(req, "/approve");
    long long now = (long long)time(NULL);
    int rc = !id       ? MODERATION_NOTFOUND
             : approve ? moderation_approve(app_store(req), req->arena, &v, id, reason, now)
                       : moderation_reject(app_store(req), req->arena, &v, id, reason, now);
    if (rc != MODERATION_OK) {
        int status = moderation_http_status(rc);
        app_json(req, status,
                 json_pack("{s:{s:i, s:s}}", "error", "status", status, "message",
                           moderation_message(rc)));
        return;
    }
    app_json(req, 200,
             json_pack("{s:I, s:s}", "revision_id", (json_int_t)id, "state",
                       approve ? "published" : "rejected"));
}
