/* login.c — logging in and out with accounts created by the CLI (self-registration comes with
 * moderation). Sessions are cookies holding a random token; the store keeps only its hash. */
#include "core/account.h"
#include "core/throttle.h"
#include "http/server_internal.h"
#include "util/arena.h"
#include "web/app.h"
#include "web/pages.h"
#include <ctype.h>
#include <string.h>
#include <time.h>

/* Failed logins allowed per window (15 minutes) for one account, and for one address (which
 * may be shared by a whole library or school, hence more). */
#define LOGIN_MAX_PER_EMAIL 5
#define LOGIN_MAX_PER_IP 30

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

static void login_form(struct request *req, const char *email, const char *error)
{
    struct tv *ctx = app_context(req, "Connexion");
    app_need_csrf(req, ctx);
    tv_set_str(ctx, "email", email);
    tv_set_str(ctx, "error", error);
    tv_set_str(ctx, "next", login_next(req));
    app_render(req, "login", ctx);
}

/* GET /login?next=PATH — the form; a visitor already logged in is told so and offered to log
 * out or go on, not shown a second login form. */
void page_login_form(struct request *req)
{
    if (!req->logged_in) {
        login_form(req, "", NULL);
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

static const char *login_email_key(struct request *req, const char *email)
{
    char *k = arena_printf(req->arena, "email:%s", email);
    for (char *p = k; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return k;
}

/* POST /login — email, password, next, csrf. */
void page_login(struct request *req)
{
    if (!app_check_csrf(req))
        return;
    const char *email = http_form(req, "email");
    const char *password = http_form(req, "password");
    if (email && strlen(email) > 254)
        email = NULL;
    long long now = (long long)time(NULL);
    const char *ip_key = arena_printf(req->arena, "ip:%s", http_client_ip(req));
    const char *email_key = login_email_key(req, email ? email : "");
    long wait = throttle_wait(ip_key, LOGIN_MAX_PER_IP, now);
    long wait_email = throttle_wait(email_key, LOGIN_MAX_PER_EMAIL, now);
    if (wait_email > wait)
        wait = wait_email;
    if (wait > 0) {
        login_form(req, email ? email : "",
                   arena_printf(req->arena,
                                "Trop de tentatives de connexion : réessayez dans %ld minute(s).",
                                (wait + 59) / 60));
        req->status = 429;
        http_add_header(req, "Retry-After", arena_printf(req->arena, "%ld", wait));
        return;
    }
    char token[ACCOUNT_TOKEN_LEN + 1], csrf[ACCOUNT_TOKEN_LEN + 1];
    struct user u;
    if (!email || !password ||
        account_login(app_store(req), req->arena, email, password, &u, token, csrf) != 0) {
        throttle_fail(ip_key, now);
        throttle_fail(email_key, now);
        login_form(req, email ? email : "", "Adresse e-mail ou mot de passe incorrect.");
        req->status = 401;
        return;
    }
    throttle_clear(email_key);
    http_set_cookie(req, "foison_session", arena_strdup(req->arena, token),
                    ACCOUNT_SESSION_SECONDS);
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
