/* robots.c — the gate before the pages robots make expensive (history, diff): an anonymous
 * visitor without a valid foison_human cookie is shown a small noindex page that earns one (see
 * core/robot_gate.h), then goes on to the page it asked for. The gate page answers 200: it is a
 * page for people (a form with a button), not an error, and robots.txt already asks crawlers to
 * stay off these addresses. */
#include "core/login_guard.h"
#include "core/robot_gate.h"
#include "util/arena.h"
#include "util/buf.h"
#include "web/app.h"
#include "web/pages.h"
#include <string.h>
#include <time.h>

/* Only a local path is gone on to, never another site. */
static const char *robots_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen(next) > 300)
        return "/";
    for (const char *p = next; *p; p++)
        if ((unsigned char)*p < 0x21 || *p == '\\')
            return "/";
    return next;
}

/* This request's path and query, to come back to once the proof is made. */
static const char *robots_here(struct request *req)
{
    struct buf b = BUF_INIT;
    buf_puts(&b, req->path);
    for (int i = 0; i < req->query.n; i++) {
        buf_putc(&b, i ? '&' : '?');
        for (int k = 0; k < 2; k++) {
            const char *s = k ? req->query.items[i].value : req->query.items[i].key;
            for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || strchr("-_.~", *p))
                    buf_putc(&b, (char)*p);
                else
                    buf_printf(&b, "%%%02X", *p);
            }
            if (!k)
                buf_putc(&b, '=');
        }
    }
    const char *out = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    return out;
}

/* The gate page: a challenge for the script, a signed time stamp for the button. */
static void robots_gate_page(struct request *req, struct store *s, const char *next,
                             const char *error)
{
    long long now = (long long)time(NULL);
    char challenge[LOGIN_CHALLENGE_MAX + 1], stamp[LOGIN_FORM_STAMP_MAX + 1];
    if (login_guard_challenge(s, now, challenge) != 0 ||
        login_guard_form_stamp(s, now, challenge, stamp) != 0) {
        app_error(req, 503, false);
        return;
    }
    struct tv *ctx = app_context(req, "Vérification avant l'historique");
    app_need_csrf(req, ctx);
    tv_set_str(ctx, "next", next);
    tv_set_str(ctx, "challenge", challenge);
    tv_set_str(ctx, "stamp", stamp);
    tv_set_int(ctx, "wait", ROBOT_GATE_WAIT);
    tv_set_str(ctx, "error", error);
    const struct static_asset *js = app_asset(req->app, "login-pow.js");
    tv_set_str(ctx, "script_url", js ? js->url : "/static/login-pow.js");
    req->cache = HTTP_CACHE_NONE;
    http_add_header(req, "X-Robots-Tag", "noindex, nofollow");
    app_render(req, "robot_gate", ctx);
}

bool page_robot_gate(struct request *req)
{
    if (req->logged_in)
        return true;
    struct store *s = app_store(req);
    if (!s)
        return true; /* the page answers 503 itself */
    /* The cookie first: a visitor who proved costs one MAC, no read of the settings. */
    if (robot_gate_cookie_valid(s, http_cookie(req, ROBOT_GATE_COOKIE), (long long)time(NULL)) ||
        !robot_gate_enabled(s))
        return true;
    robots_gate_page(req, s, robots_here(req), NULL);
    return false;
}

/* POST /verification — next, csrf, pow_challenge with pow_answer (the script's proof of work)
 * or, without JavaScript, stamp (the page must have been open ROBOT_GATE_WAIT seconds). Sets
 * the foison_human cookie and goes on to next. */
void page_robot_prove(struct request *req)
{
    if (!app_check_csrf(req))
        return;
    struct store *s = app_store(req);
    const char *next = robots_next(http_form(req, "next"));
    const char *challenge = http_form(req, "pow_challenge");
    const char *answer = http_form(req, "pow_answer");
    long long now = (long long)time(NULL);
    bool proved = false;
    const char *error = "La vérification a échoué (page trop ancienne ou modifiée)\u202f: "
                        "recommencez avec ce nouveau formulaire.";
    if (answer && *answer) {
        proved = login_guard_pow_valid(s, challenge, answer, now);
    } else {
        long age = login_guard_form_age(s, http_form(req, "stamp"), challenge, now);
        proved = age >= ROBOT_GATE_WAIT && age <= ROBOT_GATE_STAMP_MAX_AGE;
        if (age >= 0 && age < ROBOT_GATE_WAIT)
            error = "Un instant\u202f: attendez deux secondes, puis appuyez de nouveau sur le "
                    "bouton.";
    }
    char cookie[ROBOT_GATE_COOKIE_MAX + 1];
    if (!proved || robot_gate_cookie(s, now, cookie) != 0) {
        robots_gate_page(req, s, next, error);
        req->status = 403;
        return;
    }
    http_set_cookie(req, ROBOT_GATE_COOKIE, arena_strdup(req->arena, cookie), ROBOT_GATE_SECONDS);
    http_redirect(req, 303, next);
}
