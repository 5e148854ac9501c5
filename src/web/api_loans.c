/* api_loans.c — the JSON API of loans of equipment: the days taken (public), a request by a
 * bearer token's account, an owner's acceptance or refusal, a cancellation. 409 when accepting
 * (or asking for) days that overlap an accepted loan, 422 with per-field errors for bad days.
 * Who borrows is never in a public answer. */
#include "core/account.h"
#include "core/entry.h"
#include "core/loan.h"
#include "core/validate.h"
#include "util/arena.h"
#include "web/app.h"
#include "web/pages.h"
#include <string.h>
#include <strings.h>
#include <time.h>

static void api_loan_error(struct request *req, int status, const char *message)
{
    req->cache = HTTP_CACHE_NONE;
    app_json(req, status,
             json_pack("{s:{s:i, s:s}}", "error", "status", status, "message", message));
}

/* The bearer token's account (able to write), or a 401 answer. */
static bool api_loan_auth(struct request *req, struct user *u)
{
    const char *h = http_header(req, "Authorization");
    req->cache = HTTP_CACHE_NONE;
    if (h && strncasecmp(h, "Bearer ", 7) == 0 && app_store(req) &&
        account_token_user(app_store(req), req->arena, h + 7, u) == 0 && account_can_edit(u))
        return true;
    http_add_header(req, "WWW-Authenticate", "Bearer realm=\"foison\"");
    api_loan_error(req, 401, "jeton d'API manquant ou invalide (en-tête Authorization: Bearer …)");
    return false;
}

/* The equipment {slug} as v sees it; otherwise answers (404, or 422 saying what it is not). */
static bool api_loan_resource(struct request *req, const struct viewer *v, struct entry *e)
{
    struct store *s = app_store(req);
    const char *moved = NULL;
    int rc = s ? entry_find(s, req->arena, v, req->params[0], e, &moved) : ENTRY_ERR;
    if (rc == ENTRY_MOVED)
        rc = entry_find(s, req->arena, v, moved, e, NULL);
    if (rc != ENTRY_OK) {
        api_loan_error(req, rc == ENTRY_ERR ? 500 : 404,
                       rc == ENTRY_ERR ? "erreur interne" : "fiche introuvable");
        return false;
    }
    if (!loan_lendable(s, req->arena, e)) {
        struct field_errors errs = {0};
        validate_error(&errs, "_",
                       strcmp(e->kind->name, "resource") == 0
                           ? "cette ressource ne se prête pas : seul le matériel publié "
                             "(resource_type \"equipment\") s'emprunte, pas un support "
                             "pédagogique"
                           : "cette fiche n'est pas du matériel à emprunter (seules les "
                             "ressources de type \"equipment\" se prêtent)");
        app_json_errors(req, &errs);
        return false;
    }
    return true;
}

static json_t *api_loan_json(const struct loan *l)
{
    return json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)l->id, "state", l->state, "from",
                     l->from, "to", l->to);
}

/* GET /api/v1/entries/{slug}/loans — {"busy": [{"from","to"}]}: the accepted loans from today
 * on, without their borrowers. */
void api_loan_busy(struct request *req)
{
    struct entry e;
    if (!api_loan_resource(req, &viewer_public, &e))
        return;
    char today[11], last[11];
    loan_today((long long)time(NULL), today);
    loan_day_add(today, LOAN_AHEAD_DAYS + LOAN_MAX_DAYS, last);
    struct loan *l;
    int n;
    if (loan_busy(app_store(req), req->arena, e.id, today, last, &l, &n) != LOAN_OK) {
        api_loan_error(req, 500, "erreur interne");
        return;
    }
    json_t *list = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:s, s:s}", "from", l[i].from, "to", l[i].to));
    app_json(req, 200, json_pack("{s:o}", "busy", list));
}

/* POST /api/v1/entries/{slug}/loans — {"from","to"[,"message"]} → 201 {"id","state"}. */
void api_loan_create(struct request *req)
{
    struct user u;
    if (!api_loan_auth(req, &u))
        return;
    struct viewer v = viewer_of(&u);
    struct entry e;
    if (!api_loan_resource(req, &v, &e))
        return;
    json_error_t jerr;
    json_t *body = req->body.len
                       ? json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, &jerr)
                       : NULL;
    if (!json_is_object(body)) {
        json_decref(body);
        api_loan_error(req, 400, "un objet JSON est attendu : {\"from\", \"to\", \"message\"}");
        return;
    }
    struct field_errors errs = {0};
    const char *key;
    json_t *val;
    json_object_foreach(body, key, val)
    {
        bool known =
            strcmp(key, "from") == 0 || strcmp(key, "to") == 0 || strcmp(key, "message") == 0;
        if (!known)
            validate_error(&errs, arena_strdup(req->arena, key), "champ inconnu");
        else if (!json_is_string(val) && !(json_is_null(val) && strcmp(key, "message") == 0))
            validate_error(&errs, arena_strdup(req->arena, key), "une chaîne est attendue");
    }
    const char *from = json_string_value(json_object_get(body, "from"));
    const char *to = json_string_value(json_object_get(body, "to"));
    const char *message = json_string_value(json_object_get(body, "message"));
    from = from ? arena_strdup(req->arena, from) : NULL;
    to = to ? arena_strdup(req->arena, to) : NULL;
    message = message && *message ? arena_strdup(req->arena, message) : NULL;
    json_decref(body);
    if (errs.n) {
        app_json_errors(req, &errs);
        return;
    }
    struct loan_env env = page_loan_env(req);
    long long id;
    int rc = loan_request(app_store(req), req->arena, &v, &e, from, to, message, &env,
                          (long long)time(NULL), &errs, &id);
    if (rc == LOAN_INVALID || rc == LOAN_UNLENDABLE) {
        if (!errs.n)
            validate_error(&errs, "_", "cette fiche n'est pas du matériel à emprunter");
        app_json_errors(req, &errs);
        return;
    }
    if (rc == LOAN_BUSY) {
        api_loan_error(req, 409, "ces jours chevauchent un prêt déjà accepté");
        return;
    }
    if (rc != LOAN_OK) {
        api_loan_error(req, rc == LOAN_FORBIDDEN ? 403 : 500,
                       rc == LOAN_FORBIDDEN ? "action refusée" : "erreur interne");
        return;
    }
    http_add_header(req, "Location", arena_printf(req->arena, "/api/v1/loans/%lld", id));
    app_json(req, 201,
             json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "state", "requested", "from",
                       from, "to", to));
}

/* POST /api/v1/loans/{id}/accept|refuse (an owner) and /cancel (the borrower or an owner) →
 * 200 {"id","state","from","to"}; 409 on overlapping days or a loan already decided. */
void api_loan_decide(struct request *req)
{
    struct user u;
    if (!api_loan_auth(req, &u))
        return;
    struct viewer v = viewer_of(&u);
    struct store *s = app_store(req);
    long long id = app_int_param(req->params[0], 1000000000);
    size_t len = strlen(req->path);
    bool accept = len > 7 && strcmp(req->path + len - 7, "/accept") == 0;
    bool cancel = len > 7 && strcmp(req->path + len - 7, "/cancel") == 0;
    struct loan_env env = page_loan_env(req);
    long long now = (long long)time(NULL);
    struct loan l;
    int rc = id ? loan_get(s, req->arena, &v, id, &l) : LOAN_NOTFOUND;
    if (rc == LOAN_OK)
        rc = cancel ? loan_cancel(s, req->arena, &v, id, &env, now)
                    : loan_decide(s, req->arena, &v, id, accept, &env, now, NULL);
    if (rc == LOAN_OK)
        rc = loan_get(s, req->arena, &v, id, &l);
    switch (rc) {
    case LOAN_OK:
        req->cache = HTTP_CACHE_NONE;
        app_json(req, 200, api_loan_json(&l));
        return;
    case LOAN_BUSY:
        api_loan_error(req, 409, "ces jours chevauchent un prêt déjà accepté");
        return;
    case LOAN_STATE:
        api_loan_error(req, 409,
                       cancel ? "ce prêt ne peut plus être annulé (refusé, annulé ou passé)"
                              : "cette demande a déjà reçu une réponse, ou son premier jour "
                                "est passé");
        return;
    case LOAN_UNLENDABLE:
        api_loan_error(req, 409, "cette ressource ne se prête plus");
        return;
    case LOAN_FORBIDDEN:
        api_loan_error(req, 403,
                       cancel ? "seuls l'emprunteur et les responsables du matériel annulent un "
                                "prêt"
                              : "seuls les responsables du matériel décident des prêts");
        return;
    case LOAN_NOTFOUND:
        api_loan_error(req, 404, "prêt introuvable");
        return;
    default:
        api_loan_error(req, 500, "erreur interne");
    }
}
