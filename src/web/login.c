/* login.c — logging in and out with accounts created by the CLI (self-registration comes with
 * moderation). Sessions are cookies holding a random token; the store keeps only its hash. */
#include "core/account.h"
#include "core/login_guard.h"
#include "util/arena.h"
#include "web/app.h"
#include "web/pages.h"
#include <string.h>
#include <time.h>

/* Only local paths are followed after login, never another site. */
static const char *login_next(struct request *req)
{
    const char *next = http_query(req, "next");
    if (!next)
        next = http_form(req, "next");
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen(next) > 300)
        return "/";
    for (const char *p = next; *p; p++)
        if ((unsigned char)*p < 0x21)
            return "/";
    return next;
}

/* The login form; with challenge, the proof of work a new browser must do to try again past
 * the account's limit (done by static/login-pow.js, or the form says how long to wait). */
static void login_form(struct request *req, const char *email, const char *error,
                       const char *challenge, long wait)
{
    struct tv *ctx = app_context(req, "Connexion");
    app_need_csrf(req, ctx);
    tv_set_str(ctx, "email", email);
    tv_set_str(ctx, "error", error);
    tv_set_str(ctx, "next", login_next(req));
    if (challenge) {
        struct tv *pow = tv_set_obj(ctx, "pow");
        tv_set_str(pow, "challenge", challenge);
        const struct static_asset *js = app_asset(req->app, "login-pow.js");
        tv_set_str(pow, "script_url", js ? js->url : "/static/login-pow.js");
        tv_set_strf(pow, "wait_text", "%ld minute%s", (wait + 59) / 60,
                    (wait + 59) / 60 > 1 ? "s" : "");
    }
    app_render(req, "login", ctx);
}

/* GET /login?next=PATH — the form; a visitor already logged in is told so and offered to log
 * out or go on, not shown a second login form. */
void page_login_form(struct request *req)
{
    if (!req->logged_in) {
        login_form(req, "", NULL, NULL, 0);
        return;
    }
    struct tv *ctx = app_context(req, "Connexion");
    app_need_csrf(req, ctx);
    const char *next = login_next(req);
    tv_set_bool(ctx, "already", true);
    tv_set_str(ctx, "next", next);
    tv_set_bool(ctx, "next_home", strcmp(next, "/") == 0);
    app_render(req, "login", ctx);
}

/* POST /login — email, password, next, csrf; pow_challenge and pow_answer when the form carried
 * a proof of work. */
void page_login(struct request *req)
{
    if (!app_check_csrf(req))
        return;
    const char *email = http_form(req, "email");
    const char *password = http_form(req, "password");
    if (email && strlen(email) > 254)
        email = NULL;
    struct store *s = app_store(req);
    struct login_attempt at = {
        .ip = http_client_ip(req),
        .email = email ? email : "",
        .device = http_cookie(req, "foison_device"),
        .challenge = http_form(req, "pow_challenge"),
        .answer = http_form(req, "pow_answer"),
        .now = (long long)time(NULL),
    };
    long wait;
    enum login_guard_verdict v = login_guard_begin(s, &at, &wait);
    if (v != LOGIN_GUARD_GO) {
        char challenge[LOGIN_CHALLENGE_MAX + 1];
        bool prove = v == LOGIN_GUARD_PROVE && login_guard_challenge(s, at.now, challenge) == 0;
        login_form(req, email ? email : "",
                   prove ? "Trop de tentatives de connexion pour ce compte depuis un "
                           "navigateur inconnu. Pour réessayer, votre navigateur fera une courte "
                           "vérification de sécurité (quelques secondes) à l'envoi du formulaire."
                         : arena_printf(req->arena,
                                        "Trop de tentatives de connexion : réessayez dans %ld "
                                        "minute%s.",
                                        (wait + 59) / 60, (wait + 59) / 60 > 1 ? "s" : ""),
                   prove ? challenge : NULL, wait);
        req->status = 429;
        http_add_header(req, "Retry-After", arena_printf(req->arena, "%ld", wait > 0 ? wait : 1));
        return;
    }
    char token[ACCOUNT_TOKEN_LEN + 1], csrf[ACCOUNT_TOKEN_LEN + 1];
    struct user u;
    int rc = email && password ? account_login(s, req->arena, email, password, &u, token, csrf)
                               : ACCOUNT_DENIED;
    /* Only a wrong password counts: a storage failure is ours, and a success is the owner. */
    login_guard_end(&at, rc == ACCOUNT_DENIED);
    if (rc == ACCOUNT_ERR) {
        app_error(req, 503, false);
        http_add_header(req, "Retry-After", "10");
        return;
    }
    if (rc != ACCOUNT_OK) {
        login_form(req, email ? email : "", "Adresse e-mail ou mot de passe incorrect.", NULL, 0);
        req->status = 401;
        return;
    }
    http_set_cookie(req, "foison_session", arena_strdup(req->arena, token),
                    ACCOUNT_SESSION_SECONDS);
    /* This browser is now known for this account (beside the others it knows, and until the
     * password changes): a lockout by someone else spares it. A fresh token each time keeps the
     * accounts in the order of their last login, the oldest falling off. */
    char device[LOGIN_DEVICE_COOKIE_MAX + 1];
    if (login_guard_device(s, email, at.device, device) == 0)
        http_set_cookie(req, "foison_device", arena_strdup(req->arena, device), 365L * 24 * 3600);
    app_flash(req, "login");
    http_redirect(req, 303, login_next(req));
}

/* POST /logout — csrf. */
void page_logout(struct request *req)
{
    if (!app_check_csrf(req))
        return;
    if (req->session_token)
        account_logout(app_store(req), req->session_token);
    http_set_cookie(req, "foison_session", "", 0);
    app_flash(req, "logout");
    http_redirect(req, 303, "/");
}
