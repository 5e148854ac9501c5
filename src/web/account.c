/* account.c — the pages of one's own account: sign-up (with its anti-robot checks: honeypot,
 * minimum fill time, a proof of work with a question for browsers without JavaScript),
 * confirmation, "mot de passe oublié" and the reset, the account page (name and bio, password,
 * e-mail address, logging out everywhere), leaving the site, and the download of one's data. */
#include "core/accompany.h"
#include "core/draft.h"
#include "core/login_guard.h"
#include "core/registration.h"
#include "core/territory.h"
#include "util/arena.h"
#include "web/app.h"
#include "web/pages.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SIGNUP_MIN_SECONDS 3 /* a person takes longer than this to fill the form */

static const char *const account_numbers[] = {"zéro", "un",   "deux", "trois", "quatre", "cinq",
                                              "six",  "sept", "huit", "neuf",  "dix"};

static struct registration_env account_env(struct request *req)
{
    const struct territory *t = req->app->territory;
    return (struct registration_env){
        .ip = http_client_ip(req),
        .base_url = t->base_url,
        .site_name = t->site_name,
        .now = (long long)time(NULL),
    };
}

/* Field errors into ctx: "errors" (the summary) and "error_FIELD" beside each field. */
static void account_errors(struct request *req, struct tv *ctx, const struct field_errors *errs)
{
    struct tv *list = tv_set_list(ctx, "errors");
    for (int i = 0; i < errs->n; i++) {
        struct tv *o = tv_push_obj(list);
        tv_set_str(o, "field", errs->e[i].field);
        tv_set_str(o, "message", errs->e[i].message);
        const char *key = arena_printf(req->arena, "error_%s", errs->e[i].field);
        if (!tv_get(ctx, key))
            tv_set_str(ctx, key, errs->e[i].message);
    }
    tv_set_bool(ctx, "has_errors", errs->n > 0);
}

static void account_wait(struct request *req, struct tv *ctx, long wait)
{
    long minutes = (wait + 59) / 60;
    tv_set_str(ctx, "limited",
               arena_printf(req->arena,
                            "Trop de demandes depuis votre connexion : réessayez dans %ld "
                            "minute%s.",
                            minutes, minutes > 1 ? "s" : ""));
    req->status = 429;
    http_add_header(req, "Retry-After", arena_printf(req->arena, "%ld", wait > 0 ? wait : 1));
}

static void account_unavailable(struct request *req)
{
    app_error(req, 503, false);
    http_add_header(req, "Retry-After", "10");
}

static bool account_signup_closed(struct request *req)
{
    char *v = store_setting_get(app_store(req), "signup");
    bool closed = v && strcmp(v, "closed") == 0;
    free(v);
    return closed;
}

/* The sign-up form, with its stamp and its challenge. */
static void account_signup_form(struct request *req, const char *name, const char *email,
                                const struct field_errors *errs, long wait)
{
    struct tv *ctx = app_context(req, "Créer un compte");
    app_need_csrf(req, ctx);
    if (account_signup_closed(req)) {
        tv_set_bool(ctx, "closed", true);
        app_render(req, "signup", ctx);
        return;
    }
    struct store *s = app_store(req);
    long long now = (long long)time(NULL);
    char stamp[LOGIN_FORM_STAMP_MAX + 1], challenge[LOGIN_CHALLENGE_MAX + 1];
    int qa, qb;
    if (login_guard_form_stamp(s, now, req->csrf, stamp) != 0 ||
        login_guard_challenge(s, now, challenge) != 0 ||
        login_guard_question(s, challenge, now, &qa, &qb) != 0) {
        account_unavailable(req);
        return;
    }
    tv_set_str(ctx, "name", name);
    tv_set_str(ctx, "email", email);
    tv_set_str(ctx, "stamp", arena_strdup(req->arena, stamp));
    tv_set_str(ctx, "challenge", arena_strdup(req->arena, challenge));
    tv_set_str(ctx, "question",
               arena_printf(req->arena, "Combien font %s plus %s ?", account_numbers[qa],
                            account_numbers[qb]));
    const struct static_asset *js = app_asset(req->app, "login-pow.js");
    tv_set_str(ctx, "script_url", js ? js->url : "/static/login-pow.js");
    if (errs)
        account_errors(req, ctx, errs);
    if (wait > 0)
        account_wait(req, ctx, wait);
    app_render(req, "signup", ctx);
}

/* GET /inscription */
void page_signup_form(struct request *req)
{
    account_signup_form(req, "", "", NULL, 0);
}

/* A page that only says something (sent, confirmed, bad link), with an optional link. */
static void account_message(struct request *req, int status, const char *title, const char *text,
                            const char *link, const char *link_label)
{
    struct tv *ctx = app_context(req, title);
    app_need_csrf(req, ctx);
    tv_set_str(ctx, "heading", title);
    tv_set_str(ctx, "text", text);
    tv_set_str(ctx, "link", link);
    tv_set_str(ctx, "link_label", link_label);
    req->status = status;
    app_render(req, "account_message", ctx);
}

/* POST /inscription — name, email, password, csrf, stamp, pow_challenge, pow_answer (or
 * human_answer without JavaScript), and the honeypot contact_url. */
void page_signup(struct request *req)
{
    if (!app_check_csrf(req))
        return;
    if (account_signup_closed(req)) {
        account_signup_form(req, "", "", NULL, 0);
        req->status = 403;
        return;
    }
    const char *name = http_form(req, "name"), *email = http_form(req, "email");
    const char *password = http_form(req, "password");
    struct store *s = app_store(req);
    long long now = (long long)time(NULL);
    struct field_errors errs = {0};
    const char *honeypot = http_form(req, "contact_url");
    long age = login_guard_form_age(s, http_form(req, "stamp"), req->csrf, now);
    const char *challenge = http_form(req, "pow_challenge");
    const char *answer = http_form(req, "pow_answer"), *human = http_form(req, "human_answer");
    /* The robot checks come first and say little: a person meets them without noticing. */
    if (honeypot && *honeypot) {
        validate_error(&errs, "_", "Le formulaire n'a pas pu être accepté. Réessayez.");
    } else if (age < 0) {
        validate_error(&errs, "_",
                       "Le formulaire a expiré (ou vient d'un autre navigateur) : vérifiez les "
                       "champs et envoyez-le à nouveau.");
    } else if (age < SIGNUP_MIN_SECONDS) {
        validate_error(&errs, "_",
                       "Le formulaire a été envoyé trop vite pour avoir été rempli par une "
                       "personne : vérifiez les champs et envoyez-le à nouveau.");
    } else if (!(answer && *answer && login_guard_pow_valid(s, challenge, answer, now)) &&
               !(human && *human && login_guard_question_valid(s, challenge, human, now))) {
        validate_error(&errs, "human_answer",
                       answer && *answer ? "La vérification de sécurité a échoué : envoyez le "
                                           "formulaire à nouveau."
                                         : "La réponse à la question de vérification est "
                                           "incorrecte (écrivez le nombre en chiffres).");
    }
    if (errs.n) {
        account_signup_form(req, name ? name : "", email ? email : "", &errs, 0);
        req->status = 422;
        return;
    }
    struct registration_env env = account_env(req);
    long wait = 0;
    int rc = registration_signup(s, req->arena, &env, name, email, password, &errs, &wait);
    if (rc == REGISTRATION_INVALID) {
        account_signup_form(req, name ? name : "", email ? email : "", &errs, 0);
        req->status = 422;
        return;
    }
    if (rc == REGISTRATION_LIMITED) {
        account_signup_form(req, name ? name : "", email ? email : "", NULL, wait);
        return;
    }
    if (rc == REGISTRATION_CLOSED) {
        account_signup_form(req, "", "", NULL, 0);
        req->status = 403;
        return;
    }
    if (rc != REGISTRATION_OK) {
        account_unavailable(req);
        return;
    }
    /* The same page whether or not the address already had an account. */
    account_message(req, 200, "Vérifiez votre messagerie",
                    arena_printf(req->arena,
                                 "Un message vient d'être envoyé à %s. Ouvrez le lien qu'il "
                                 "contient dans les 48 heures pour activer votre compte. Rien "
                                 "reçu ? Regardez dans les indésirables, ou recommencez dans "
                                 "quelques minutes.",
                                 email),
                    "/", "Revenir à l'accueil");
}

static const char *account_link_param(struct request *req)
{
    const char *t = http_query(req, "jeton");
    if (!t)
        t = http_form(req, "jeton");
    return t && strlen(t) <= ACCOUNT_TOKEN_LEN ? t : "";
}

static void account_bad_link(struct request *req, const char *what, const char *again,
                             const char *again_label)
{
    account_message(req, 404, "Lien invalide ou expiré",
                    arena_printf(req->arena,
                                 "Ce lien %s n'est pas ou plus valable : il a peut-être déjà "
                                 "servi, ou il a expiré.",
                                 what),
                    again, again_label);
}

static void account_confirm_form(struct request *req, const char *link, const struct user *u,
                                 const struct field_errors *errs)
{
    struct tv *ctx = app_context(req, "Confirmer mon inscription");
    app_need_csrf(req, ctx);
    tv_set_str(ctx, "jeton", link);
    tv_set_str(ctx, "name", u->name);
    tv_set_str(ctx, "email", u->email);
    if (errs)
        account_errors(req, ctx, errs);
    app_render(req, "signup_confirm", ctx);
}

/* GET /confirmer?jeton=T — a form, not the confirmation itself: mail scanners open links. */
void page_confirm_form(struct request *req)
{
    const char *link = account_link_param(req);
    struct user u;
    int rc = registration_link(app_store(req), req->arena, link, "confirm", (long long)time(NULL),
                               &u, NULL);
    if (rc == REGISTRATION_ERR) {
        account_unavailable(req);
        return;
    }
    if (rc != REGISTRATION_OK) {
        account_bad_link(req, "de confirmation", "/inscription", "Recommencer l'inscription");
        return;
    }
    account_confirm_form(req, link, &u, NULL);
}

static void account_open_session(struct request *req, const char *token)
{
    http_set_cookie(req, "foison_session", arena_strdup(req->arena, token),
                    ACCOUNT_SESSION_SECONDS);
}

/* POST /confirmer — jeton, password, csrf. */
void page_confirm(struct request *req)
{
    if (!app_check_csrf(req))
        return;
    const char *link = account_link_param(req);
    struct registration_env env = account_env(req);
    struct field_errors errs = {0};
    char token[ACCOUNT_TOKEN_LEN + 1], csrf[ACCOUNT_TOKEN_LEN + 1];
    struct store *s = app_store(req);
    int rc = registration_confirm(s, req->arena, &env, link, http_form(req, "password"), &errs,
                                  token, csrf);
    if (rc == REGISTRATION_INVALID) {
        struct user u;
        if (registration_link(s, req->arena, link, "confirm", env.now, &u, NULL) !=
            REGISTRATION_OK) {
            account_bad_link(req, "de confirmation", "/inscription", "Recommencer l'inscription");
            return;
        }
        account_confirm_form(req, link, &u, &errs);
        req->status = 422;
        return;
    }
    if (rc == REGISTRATION_BADLINK) {
        account_bad_link(req, "de confirmation", "/inscription", "Recommencer l'inscription");
        return;
    }
    if (rc != REGISTRATION_OK) {
        account_unavailable(req);
        return;
    }
    if (req->session_token)
        account_logout(s, req->session_token);
    account_open_session(req, token);
    app_flash(req, "confirmed");
    http_redirect(req, 303, "/compte");
}

static void account_forgot_form(struct request *req, const char *email,
                                const struct field_errors *errs)
{
    struct tv *ctx = app_context(req, "Mot de passe oublié");
    app_need_csrf(req, ctx);
    tv_set_str(ctx, "email", email);
    if (errs)
        account_errors(req, ctx, errs);
    app_render(req, "password_forgot", ctx);
}

/* GET /mot-de-passe-oublie */
void page_forgot_form(struct request *req)
{
    account_forgot_form(req, "", NULL);
}

/* POST /mot-de-passe-oublie — email, csrf. */
void page_forgot(struct request *req)
{
    if (!app_check_csrf(req))
        return;
    const char *email = http_form(req, "email");
    struct registration_env env = account_env(req);
    struct field_errors errs = {0};
    long wait = 0;
    int rc = registration_reset_request(app_store(req), req->arena, &env, email, &errs, &wait);
    if (rc == REGISTRATION_INVALID) {
        account_forgot_form(req, email ? email : "", &errs);
        req->status = 422;
        return;
    }
    if (rc == REGISTRATION_LIMITED) {
        struct tv *ctx = app_context(req, "Mot de passe oublié");
        app_need_csrf(req, ctx);
        tv_set_str(ctx, "email", email);
        account_wait(req, ctx, wait);
        app_render(req, "password_forgot", ctx);
        return;
    }
    if (rc != REGISTRATION_OK) {
        account_unavailable(req);
        return;
    }
    account_message(req, 200, "Vérifiez votre messagerie",
                    arena_printf(req->arena,
                                 "Si un compte existe avec l'adresse %s, un message vient de lui "
                                 "être envoyé avec un lien pour choisir un nouveau mot de passe "
                                 "(valable une heure).",
                                 email),
                    "/login", "Revenir à la connexion");
}

static void account_reset_form(struct request *req, const char *link,
                               const struct field_errors *errs)
{
    struct tv *ctx = app_context(req, "Nouveau mot de passe");
    app_need_csrf(req, ctx);
    tv_set_str(ctx, "jeton", link);
    if (errs)
        account_errors(req, ctx, errs);
    app_render(req, "password_reset", ctx);
}

/* GET /reinitialiser?jeton=T */
void page_reset_form(struct request *req)
{
    const char *link = account_link_param(req);
    struct user u;
    int rc = registration_link(app_store(req), req->arena, link, "reset", (long long)time(NULL), &u,
                               NULL);
    if (rc == REGISTRATION_ERR) {
        account_unavailable(req);
        return;
    }
    if (rc != REGISTRATION_OK) {
        account_bad_link(req, "de réinitialisation", "/mot-de-passe-oublie",
                         "Demander un nouveau lien");
        return;
    }
    account_reset_form(req, link, NULL);
}

/* POST /reinitialiser — jeton, password, csrf. */
void page_reset(struct request *req)
{
    if (!app_check_csrf(req))
        return;
    const char *link = account_link_param(req);
    struct registration_env env = account_env(req);
    struct field_errors errs = {0};
    char token[ACCOUNT_TOKEN_LEN + 1], csrf[ACCOUNT_TOKEN_LEN + 1];
    struct store *s = app_store(req);
    int rc = registration_reset(s, req->arena, &env, link, http_form(req, "password"), &errs, token,
                                csrf);
    if (rc == REGISTRATION_INVALID) {
        account_reset_form(req, link, &errs);
        req->status = 422;
        return;
    }
    if (rc == REGISTRATION_BADLINK) {
        account_bad_link(req, "de réinitialisation", "/mot-de-passe-oublie",
                         "Demander un nouveau lien");
        return;
    }
    if (rc != REGISTRATION_OK) {
        account_unavailable(req);
        return;
    }
    account_open_session(req, token);
    app_flash(req, "password");
    http_redirect(req, 303, "/compte");
}

/* The account page, with what the forms sent back when one failed. */
static void account_page_render(struct request *req, const char *name, const char *bio,
                                const char *new_email, const struct field_errors *errs,
                                const char *done)
{
    struct tv *ctx = app_context(req, "Mon compte");
    app_need_csrf(req, ctx);
    const char *stored_bio = "", *status = "";
    long long created = 0;
    if (registration_profile_get(app_store(req), req->arena, req->user->id, &stored_bio, &created,
                                 &status) != REGISTRATION_OK) {
        account_unavailable(req);
        return;
    }
    tv_set_str(ctx, "account_name", name ? name : req->user->name);
    tv_set_str(ctx, "account_bio", bio ? bio : stored_bio);
    tv_set_str(ctx, "account_email", req->user->email);
    tv_set_str(ctx, "new_email", new_email ? new_email : "");
    tv_set_str(ctx, "since", app_date(req, created));
    struct viewer v = app_viewer(req);
    static const char *const role_labels[] = {
        "visiteur",
        "contributeur : vos modifications sont relues avant publication",
        "contributeur de confiance : vos modifications sont publiées aussitôt",
        "modérateur",
        "administrateur",
    };
    tv_set_str(ctx, "role_label", role_labels[v.role]);
    tv_set_str(ctx, "done", done);
    tv_set_str(ctx, "deleted_name", REGISTRATION_DELETED_NAME);
    if (errs)
        account_errors(req, ctx, errs);
    page_propose_drafts(req, ctx); /* "Mes brouillons" (web/propose.c) */
    app_render(req, "account", ctx);
}

/* GET /compte */
void page_account(struct request *req)
{
    if (!app_require_login(req))
        return;
    account_page_render(req, NULL, NULL, NULL, NULL, NULL);
}

static void account_answer(struct request *req, int rc, const char *name, const char *bio,
                           const char *new_email, const struct field_errors *errs,
                           const char *flash)
{
    if (rc == REGISTRATION_INVALID || rc == REGISTRATION_LIMITED) {
        account_page_render(req, name, bio, new_email, errs, NULL);
        req->status = rc == REGISTRATION_LIMITED ? 429 : 422;
        if (rc == REGISTRATION_LIMITED)
            http_add_header(req, "Retry-After", "900");
        return;
    }
    if (rc != REGISTRATION_OK) {
        account_unavailable(req);
        return;
    }
    app_flash(req, flash);
    http_redirect(req, 303, "/compte");
}

/* POST /compte/profil — name, bio, csrf. */
void page_account_profile(struct request *req)
{
    if (!app_require_login(req) || !app_check_csrf(req))
        return;
    const char *name = http_form(req, "name"), *bio = http_form(req, "bio");
    struct field_errors errs = {0};
    int rc = registration_profile(app_store(req), req->arena, req->user->id, name, bio, &errs);
    account_answer(req, rc, name ? name : "", bio ? bio : "", NULL, &errs, "profile");
}

/* POST /compte/mot-de-passe — current, password, csrf. */
void page_account_password(struct request *req)
{
    if (!app_require_login(req) || !app_check_csrf(req))
        return;
    struct field_errors errs = {0};
    char token[ACCOUNT_TOKEN_LEN + 1], csrf[ACCOUNT_TOKEN_LEN + 1];
    int rc =
        registration_password(app_store(req), req->arena, req->user->id, http_form(req, "current"),
                              http_form(req, "password"), &errs, token, csrf);
    if (rc == REGISTRATION_OK)
        account_open_session(req, token);
    account_answer(req, rc, NULL, NULL, NULL, &errs, "password");
}

/* POST /compte/adresse — email_current, new_email, csrf: a link to the new address. */
void page_account_email(struct request *req)
{
    if (!app_require_login(req) || !app_check_csrf(req))
        return;
    struct field_errors errs = {0};
    struct registration_env env = account_env(req);
    const char *email = http_form(req, "new_email");
    long wait = 0;
    int rc = registration_email(app_store(req), req->arena, &env, req->user->id,
                                http_form(req, "email_current"), email, &errs, &wait);
    if (rc == REGISTRATION_LIMITED && errs.n == 0) {
        validate_error(&errs, "new_email",
                       arena_printf(req->arena,
                                    "Trop de messages envoyés : réessayez dans %ld minutes.",
                                    (wait + 59) / 60));
        account_page_render(req, NULL, NULL, email, &errs, NULL);
        req->status = 429;
        http_add_header(req, "Retry-After", arena_printf(req->arena, "%ld", wait > 0 ? wait : 1));
        return;
    }
    account_answer(req, rc, NULL, NULL, email ? email : "", &errs, "email_sent");
}

/* GET /compte/adresse?jeton=T — the button that confirms a new address. */
void page_account_email_form(struct request *req)
{
    const char *link = account_link_param(req);
    struct user u;
    const char *email = NULL;
    int rc = registration_link(app_store(req), req->arena, link, "email", (long long)time(NULL), &u,
                               &email);
    if (rc == REGISTRATION_ERR) {
        account_unavailable(req);
        return;
    }
    if (rc != REGISTRATION_OK) {
        account_bad_link(req, "de confirmation d'adresse", "/compte", "Aller à mon compte");
        return;
    }
    struct tv *ctx = app_context(req, "Confirmer ma nouvelle adresse");
    app_need_csrf(req, ctx);
    tv_set_str(ctx, "jeton", link);
    tv_set_str(ctx, "name", u.name);
    tv_set_str(ctx, "new_email", email);
    app_render(req, "account_email", ctx);
}

/* POST /compte/adresse/confirmer — jeton, csrf. */
void page_account_email_confirm(struct request *req)
{
    if (!app_check_csrf(req))
        return;
    struct registration_env env = account_env(req);
    struct field_errors errs = {0};
    int rc = registration_email_confirm(app_store(req), req->arena, &env, account_link_param(req),
                                        &errs);
    if (rc == REGISTRATION_BADLINK) {
        account_bad_link(req, "de confirmation d'adresse", "/compte", "Aller à mon compte");
        return;
    }
    if (rc == REGISTRATION_INVALID) {
        account_message(req, 409, "Adresse déjà utilisée", errs.e[0].message, "/compte",
                        "Aller à mon compte");
        return;
    }
    if (rc != REGISTRATION_OK) {
        account_unavailable(req);
        return;
    }
    app_flash(req, "email_changed");
    http_redirect(req, 303, req->logged_in ? "/compte" : "/login");
}

/* POST /compte/deconnexion-partout — csrf. */
void page_account_logout_all(struct request *req)
{
    if (!app_require_login(req) || !app_check_csrf(req))
        return;
    if (registration_logout_all(app_store(req), req->user->id) != REGISTRATION_OK) {
        account_unavailable(req);
        return;
    }
    http_set_cookie(req, "foison_session", "", 0);
    app_flash(req, "logout_all");
    http_redirect(req, 303, "/login");
}

/* POST /compte/supprimer — delete_password, pseudonym, csrf. */
void page_account_delete(struct request *req)
{
    if (!app_require_login(req) || !app_check_csrf(req))
        return;
    struct field_errors errs = {0};
    int rc =
        registration_delete(app_store(req), req->arena, req->user->id,
                            http_form(req, "delete_password"), http_form(req, "pseudonym"), &errs);
    if (rc == REGISTRATION_INVALID || rc == REGISTRATION_LIMITED) {
        account_page_render(req, NULL, NULL, NULL, &errs, NULL);
        req->status = rc == REGISTRATION_LIMITED ? 429 : 422;
        if (rc == REGISTRATION_LIMITED)
            http_add_header(req, "Retry-After", "900");
        return;
    }
    if (rc != REGISTRATION_OK) {
        account_unavailable(req);
        return;
    }
    http_set_cookie(req, "foison_session", "", 0);
    app_flash(req, "deleted");
    http_redirect(req, 303, "/");
}

/* GET /compte/donnees.json — everything the site holds about the signed-in person. */
void page_account_export(struct request *req)
{
    if (!app_require_login(req))
        return;
    json_t *data = registration_export(app_store(req), req->arena, req->user->id);
    if (!data) {
        account_unavailable(req);
        return;
    }
    /* The records written with or for an actor as a mediator, and those taken over. */
    json_t *acc = accompany_export(app_store(req), req->arena, req->user->id);
    if (!acc) {
        json_decref(data);
        account_unavailable(req);
        return;
    }
    json_object_set_new(data, "accompaniments", acc);
    /* The drafts of the guided path: private, but theirs, so in their copy too. */
    struct viewer v = app_viewer(req);
    struct draft *drafts;
    int ndrafts;
    if (draft_list(app_store(req), req->arena, &v, &drafts, &ndrafts) != DRAFT_OK) {
        json_decref(data);
        account_unavailable(req);
        return;
    }
    json_t *dl = json_array();
    for (int i = 0; i < ndrafts; i++)
        json_array_append_new(
            dl, json_pack("{s:s, s:s, s:i, s:I, s:I, s:s, s:O?}", "key", drafts[i].key, "kind",
                          drafts[i].kind->name, "step", drafts[i].step, "created",
                          (json_int_t)drafts[i].created, "updated", (json_int_t)drafts[i].updated,
                          "title", draft_title(&drafts[i]), "answers", drafts[i].answers));
    json_object_set_new(data, "drafts", dl);
    json_object_set_new(data, "exported", json_integer((json_int_t)time(NULL)));
    json_object_set_new(data, "site", json_string(req->app->territory->site_name));
    http_add_header(req, "Content-Disposition", "attachment; filename=\"mes-donnees-foison.json\"");
    http_add_header(req, "Cache-Control", "no-store");
    app_json(req, 200, data);
}
