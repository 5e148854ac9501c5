/* workshop.c — the pages of public-writing workshops (core/workshop.c): a mediator's /atelier
 * (their batches of one-time sign-up links, the form that makes one, and their participants'
 * texts waiting for a decision, with the diff and the moderation's approve / reject), the sheet
 * of a new batch to print (a card per link: its QR code, its address in clear, what to do), a
 * batch's links with their use and the revocation of unused ones, and the page a participant
 * opens from a link to join. */
#include "core/moderation.h"
#include "core/territory.h"
#include "core/workshop.h"
#include "render/qr_svg.h"
#include "util/arena.h"
#include "web/app.h"
#include "web/pages.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WORKSHOP_PENDING_PER_PAGE 20

/* The signed-in mediator of a page, or an answer (login, 403) and false. */
static bool workshop_page_viewer(struct request *req, struct viewer *v)
{
    if (!app_require_login(req))
        return false;
    *v = app_viewer(req);
    req->cache = HTTP_CACHE_NONE;
    if (!workshop_mediates(v)) {
        struct tv *ctx = app_context(req, "Réservé aux médiateurs");
        tv_set_int(ctx, "status", 403);
        tv_set_str(ctx, "message",
                   "Les ateliers d'écriture sont animés par des médiateurs : les comptes de "
                   "confiance et l'équipe de modération. Pour en animer un, écrivez à l'équipe "
                   "du site.");
        tv_set_str(ctx, "back_url", "/");
        tv_set_str(ctx, "back_label", "Revenir à l'accueil");
        app_render(req, "error", ctx);
        req->status = 403;
        return false;
    }
    return true;
}

/* Field errors into ctx: "errors" (the summary) and "error_FIELD" beside each field. */
static void workshop_errors(struct request *req, struct tv *ctx, const struct field_errors *errs)
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

static const char *workshop_links_text(struct request *req, int n, const char *one,
                                       const char *many)
{
    return n <= 1 ? arena_printf(req->arena, "%d %s", n, one) /* "0 compte": singular in French */
                  : arena_printf(req->arena, "%d %s", n, many);
}

/* The participants' texts waiting for the mediator, with their diffs and decision forms. */
static int workshop_pending(struct request *req, struct tv *ctx, const struct viewer *v,
                            const char *csrf)
{
    struct moderation_item *items;
    int n, total;
    if (moderation_queue_sponsored(app_store(req), req->arena, v, 1, WORKSHOP_PENDING_PER_PAGE,
                                   &items, &n, &total) != MODERATION_OK)
        return -1;
    tv_set_str(ctx, "pending_text",
               total == 0   ? "Aucun texte de vos participants n'attend de relecture."
               : total == 1 ? "1 texte de vos participants attend votre relecture."
                            : arena_printf(req->arena,
                                           "%d textes de vos participants attendent votre "
                                           "relecture.",
                                           total));
    if (total > n)
        tv_set_strf(ctx, "pending_more",
                    "Les %d plus anciens sont affichés ; les suivants "
                    "viendront une fois ceux-ci décidés.",
                    n);
    struct tv *list = tv_set_list(ctx, "pending");
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
        tv_set_str(o, "date", app_datetime(req, it->created));
        tv_set_bool(o, "stale", it->stale);
        tv_set_str(o, "csrf", csrf);
        page_diff_fields(req, o, it->kind, it->parent_fields, it->fields, true);
    }
    return 0;
}

/* /atelier itself, with the creation form's values and errors. */
static void workshop_home(struct request *req, const struct viewer *v, const char *title,
                          const char *count, const char *days, const struct field_errors *errs)
{
    struct workshop *list;
    int n;
    struct store *s = app_store(req);
    if (!s || workshop_list(s, req->arena, v, &list, &n) != WORKSHOP_OK) {
        app_error(req, s ? 500 : 503, false);
        return;
    }
    struct tv *ctx = app_context(req, "Ateliers d'écriture");
    app_need_csrf(req, ctx);
    const char *csrf = app_csrf_field(req);
    if (workshop_pending(req, ctx, v, csrf) != 0) {
        app_error(req, 500, false);
        return;
    }
    tv_set_str(ctx, "title_value", title);
    tv_set_str(ctx, "count_value", count);
    tv_set_str(ctx, "days_value", days);
    tv_set_int(ctx, "links_max", WORKSHOP_LINKS_MAX);
    tv_set_int(ctx, "days_max", WORKSHOP_DAYS_MAX);
    if (errs)
        workshop_errors(req, ctx, errs);
    long long now = (long long)time(NULL);
    struct tv *out = tv_set_list(ctx, "batches");
    for (int i = 0; i < n; i++) {
        struct tv *o = tv_push_obj(out);
        tv_set_strf(o, "url", "/atelier/lots/%lld", list[i].id);
        tv_set_str(o, "title", list[i].title);
        tv_set_str(o, "created", app_date(req, list[i].created));
        tv_set_str(o, "expires", app_date(req, list[i].expires));
        tv_set_bool(o, "expired", list[i].expires <= now);
        tv_set_str(o, "used_text",
                   workshop_links_text(req, list[i].used, "compte ouvert", "comptes ouverts"));
        tv_set_str(o, "open_text",
                   workshop_links_text(req, list[i].open, "lien libre", "liens libres"));
        if (list[i].revoked)
            tv_set_str(o, "revoked_text",
                       workshop_links_text(req, list[i].revoked, "lien retiré", "liens retirés"));
    }
    tv_set_bool(ctx, "has_batches", n > 0);
    app_render(req, "workshop_home", ctx);
}

/* GET /atelier */
void page_workshop_home(struct request *req)
{
    struct viewer v;
    if (!workshop_page_viewer(req, &v))
        return;
    workshop_home(req, &v, "", "10", arena_printf(req->arena, "%d", WORKSHOP_DAYS_DEFAULT), NULL);
}

/* The sheet of a batch just made: one card per link. */
static void workshop_sheet(struct request *req, const struct workshop *w, const char **tokens,
                           int count)
{
    struct tv *ctx = app_context(req, arena_printf(req->arena, "Feuille des liens — %s", w->title));
    app_need_csrf(req, ctx);
    tv_set_str(ctx, "batch_title", w->title);
    tv_set_str(ctx, "expires", app_date(req, w->expires));
    tv_set_strf(ctx, "batch_url", "/atelier/lots/%lld", w->id);
    tv_set_str(ctx, "count_text", workshop_links_text(req, count, "lien", "liens"));
    struct tv *cards = tv_set_list(ctx, "cards");
    for (int i = 0; i < count; i++) {
        const char *url =
            app_url(req, arena_printf(req->arena, "/atelier/rejoindre?jeton=%s", tokens[i]));
        char *svg = qr_svg(url, arena_printf(req->arena, "Code QR du lien %d sur %d", i + 1, count),
                           NULL, NULL);
        if (!svg) {
            app_error(req, 500, false);
            return;
        }
        struct tv *o = tv_push_obj(cards);
        tv_set_int(o, "number", i + 1);
        tv_set_str(o, "url", url);
        tv_set_html(o, "qr", arena_strdup(req->arena, svg)); /* escaped by qr_svg */
        free(svg);
    }
    req->cache = HTTP_CACHE_NONE; /* the tokens exist nowhere else: never kept by a cache */
    app_render(req, "workshop_sheet", ctx);
}

/* POST /atelier — title, count, days, csrf: makes a batch and answers its sheet (once). */
void page_workshop_create(struct request *req)
{
    struct viewer v;
    if (!workshop_page_viewer(req, &v) || !app_check_csrf(req))
        return;
    const char *title = http_form(req, "title"), *count = http_form(req, "count"),
               *days = http_form(req, "days");
    struct field_errors errs = {0};
    int c = app_int_param(count, WORKSHOP_LINKS_MAX), d = app_int_param(days, WORKSHOP_DAYS_MAX);
    struct workshop w;
    const char **tokens;
    long long now = (long long)time(NULL);
    /* 0 is out of range for both: the domain says so beside the field. */
    int rc = workshop_create(app_store(req), req->arena, &v, title, c, d, now, &errs, &w, &tokens);
    if (rc == WORKSHOP_INVALID) {
        workshop_home(req, &v, title ? title : "", count ? count : "", days ? days : "", &errs);
        req->status = 422;
        return;
    }
    if (rc != WORKSHOP_OK) {
        app_error(req, rc == WORKSHOP_FORBIDDEN ? 403 : 500, false);
        return;
    }
    workshop_sheet(req, &w, tokens, c);
}

static const char *workshop_state_label(const char *state)
{
    return strcmp(state, "used") == 0      ? "utilisé"
           : strcmp(state, "revoked") == 0 ? "retiré"
                                           : "libre";
}

/* GET /atelier/lots/{id} — the links of a batch, their use, the revocation. */
void page_workshop_batch(struct request *req)
{
    struct viewer v;
    if (!workshop_page_viewer(req, &v))
        return;
    long long id = app_int_param(req->params[0], 999999999);
    struct workshop w;
    struct workshop_link *links;
    int n;
    int rc =
        id ? workshop_get(app_store(req), req->arena, &v, id, &w, &links, &n) : WORKSHOP_NOTFOUND;
    if (rc != WORKSHOP_OK) {
        app_error(req, rc == WORKSHOP_NOTFOUND ? 404 : 500, false);
        return;
    }
    struct tv *ctx = app_context(req, w.title);
    app_need_csrf(req, ctx);
    const char *csrf = app_csrf_field(req);
    long long now = (long long)time(NULL);
    tv_set_str(ctx, "batch_title", w.title);
    tv_set_strf(ctx, "revoke_url", "/atelier/lots/%lld/retirer", w.id);
    tv_set_str(ctx, "created", app_date(req, w.created));
    tv_set_str(ctx, "expires", app_date(req, w.expires));
    tv_set_bool(ctx, "expired", w.expires <= now);
    tv_set_bool(ctx, "has_open", w.open > 0 && w.expires > now);
    tv_set_str(ctx, "used_text",
               workshop_links_text(req, w.used, "compte ouvert", "comptes ouverts"));
    tv_set_str(ctx, "open_text", workshop_links_text(req, w.open, "lien libre", "liens libres"));
    tv_set_str(ctx, "csrf_field", csrf);
    struct tv *list = tv_set_list(ctx, "links");
    for (int i = 0; i < n; i++) {
        struct tv *o = tv_push_obj(list);
        tv_set_int(o, "number", i + 1);
        tv_set_int(o, "id", links[i].id);
        tv_set_str(o, "state", workshop_state_label(links[i].state));
        tv_set_bool(o, "open", strcmp(links[i].state, "open") == 0 && w.expires > now);
        if (links[i].used)
            tv_set_str(o, "used", app_datetime(req, links[i].used));
        tv_set_str(o, "participant", links[i].participant);
        tv_set_str(o, "csrf", csrf);
    }
    app_render(req, "workshop_batch", ctx);
}

/* POST /atelier/lots/{id}/retirer — csrf, lien (optional: one link's id; else every unused). */
void page_workshop_revoke(struct request *req)
{
    struct viewer v;
    if (!workshop_page_viewer(req, &v) || !app_check_csrf(req))
        return;
    long long id = app_int_param(req->params[0], 999999999);
    const char *one = http_form(req, "lien");
    long long link = one && *one ? app_int_param(one, 999999999) : 0;
    int n = 0;
    int rc = !id || (one && *one && !link) ? WORKSHOP_NOTFOUND
                                           : workshop_revoke(app_store(req), req->arena, &v, id,
                                                             link, (long long)time(NULL), &n);
    if (rc != WORKSHOP_OK) {
        app_error(req, rc == WORKSHOP_NOTFOUND ? 404 : 500, false);
        return;
    }
    app_flash(req, "workshop_revoked");
    http_redirect(req, 303, arena_printf(req->arena, "/atelier/lots/%lld", id));
}

static bool workshop_path_ends(const struct request *req, const char *suffix)
{
    size_t n = strlen(req->path), m = strlen(suffix);
    return n >= m && strcmp(req->path + n - m, suffix) == 0;
}

/* POST /atelier/contributions/{id}/approuver|refuser — reason, csrf: the moderation's decision,
 * which lets a mediator decide on their own participants' texts only. */
void page_workshop_decide(struct request *req)
{
    struct viewer v;
    if (!workshop_page_viewer(req, &v) || !app_check_csrf(req))
        return;
    long long id = app_int_param(req->params[0], 999999999);
    const char *reason = http_form(req, "reason");
    if (!reason)
        reason = "";
    bool approve = workshop_path_ends(req, "/approuver");
    if (strlen(reason) > MODERATION_REASON_MAX) {
        app_error(req, 422, false);
        return;
    }
    long long now = (long long)time(NULL);
    struct store *s = app_store(req);
    int rc = !id       ? MODERATION_NOTFOUND
             : approve ? moderation_approve(s, req->arena, &v, id, reason, now)
                       : moderation_reject(s, req->arena, &v, id, reason, now);
    if (rc != MODERATION_OK) {
        struct tv *ctx = app_context(req, "Décision impossible");
        int status = rc == MODERATION_NOTFOUND    ? 404
                     : rc == MODERATION_CONFLICT  ? 409
                     : rc == MODERATION_FORBIDDEN ? 403
                                                  : 500;
        tv_set_int(ctx, "status", status);
        tv_set_str(ctx, "message",
                   rc == MODERATION_NOTFOUND
                       ? "Ce texte n'est plus en attente (déjà décidé, ou introuvable)."
                   : rc == MODERATION_CONFLICT
                       ? "Ce texte a été écrit sur une version de la fiche qui n'est plus celle "
                         "que le public voit : refusez-le, ou reportez ses changements à la main."
                   : rc == MODERATION_FORBIDDEN
                       ? "Vous ne pouvez décider que des textes des participants de vos ateliers."
                       : "erreur interne");
        tv_set_str(ctx, "back_url", "/atelier");
        tv_set_str(ctx, "back_label", "Revenir aux ateliers");
        app_render(req, "error", ctx);
        req->status = status;
        return;
    }
    app_flash(req, approve ? "approved" : "rejected");
    http_redirect(req, 303, "/atelier");
}

static const char *workshop_token_param(struct request *req)
{
    const char *t = http_query(req, "jeton");
    if (!t)
        t = http_form(req, "jeton");
    return t && strlen(t) <= WORKSHOP_TOKEN_LEN ? t : "";
}

/* A link that cannot serve, said plainly. */
static void workshop_link_refused(struct request *req, int rc, const struct workshop_ticket *t)
{
    const char *title, *text;
    int status = 410;
    switch (rc) {
    case WORKSHOP_USED:
        title = "Ce lien a déjà servi";
        text = arena_printf(req->arena,
                            "Ce lien de l'atelier « %s » a déjà servi à ouvrir un compte : "
                            "chaque lien ne sert qu'une fois. Si c'est le vôtre, connectez-vous ; "
                            "sinon, demandez un autre lien à %s.",
                            t->title, t->mediator);
        break;
    case WORKSHOP_EXPIRED:
        title = "Ce lien a expiré";
        text = arena_printf(req->arena,
                            "Ce lien de l'atelier « %s » n'est plus valable depuis le %s. "
                            "Demandez un nouveau lien à %s.",
                            t->title, app_date(req, t->expires), t->mediator);
        break;
    case WORKSHOP_REVOKED:
        title = "Ce lien a été retiré";
        text = "Ce lien a été retiré par la personne qui anime l'atelier : il ne permet plus "
               "d'ouvrir un compte. Demandez-lui un nouveau lien.";
        break;
    default:
        title = "Lien inconnu";
        text = "Ce lien ne correspond à aucun atelier. Vérifiez l'adresse (chaque caractère "
               "compte), ou demandez un nouveau lien à la personne qui anime l'atelier.";
        status = 404;
    }
    struct tv *ctx = app_context(req, title);
    app_need_csrf(req, ctx);
    tv_set_str(ctx, "heading", title);
    tv_set_str(ctx, "text", text);
    tv_set_str(ctx, "link", rc == WORKSHOP_USED ? "/login" : "/");
    tv_set_str(ctx, "link_label", rc == WORKSHOP_USED ? "Se connecter" : "Revenir à l'accueil");
    req->status = status;
    req->cache = HTTP_CACHE_NONE;
    app_render(req, "account_message", ctx);
}

/* Too many tries from this address (unknown links): 429 with Retry-After. */
static void workshop_limited(struct request *req, long wait)
{
    long minutes = (wait + 59) / 60;
    struct tv *ctx = app_context(req, "Trop d'essais");
    tv_set_str(ctx, "heading", "Trop d'essais");
    tv_set_str(ctx, "text",
               arena_printf(req->arena,
                            "Trop de liens inconnus ont été essayés depuis votre connexion : "
                            "réessayez dans %ld minute%s, en vérifiant l'adresse.",
                            minutes, minutes > 1 ? "s" : ""));
    tv_set_str(ctx, "link", "/");
    tv_set_str(ctx, "link_label", "Revenir à l'accueil");
    req->cache = HTTP_CACHE_NONE;
    app_render(req, "account_message", ctx);
    req->status = 429;
    http_add_header(req, "Retry-After", arena_printf(req->arena, "%ld", wait > 0 ? wait : 1));
}

static void workshop_join_form(struct request *req, const char *token,
                               const struct workshop_ticket *t, const char *name, const char *email,
                               const struct field_errors *errs, long wait)
{
    struct tv *ctx = app_context(req, "Rejoindre l'atelier");
    app_need_csrf(req, ctx);
    req->cache = HTTP_CACHE_NONE;
    tv_set_str(ctx, "jeton", token);
    tv_set_str(ctx, "batch_title", t->title);
    tv_set_str(ctx, "mediator", t->mediator);
    tv_set_str(ctx, "name", name);
    tv_set_str(ctx, "email", email);
    if (errs)
        workshop_errors(req, ctx, errs);
    if (wait > 0) {
        long minutes = (wait + 59) / 60;
        tv_set_str(ctx, "limited",
                   arena_printf(req->arena, "Trop d'essais : réessayez dans %ld minute%s.", minutes,
                                minutes > 1 ? "s" : ""));
        req->status = 429;
        http_add_header(req, "Retry-After", arena_printf(req->arena, "%ld", wait));
    }
    app_render(req, "workshop_join", ctx);
}

/* GET /atelier/rejoindre?jeton=T — the form to join (opening the link changes nothing). */
void page_workshop_join_form(struct request *req)
{
    const char *token = workshop_token_param(req);
    struct workshop_ticket t;
    struct store *s = app_store(req);
    long wait = 0;
    int rc = s ? workshop_ticket(s, req->arena, token, http_client_ip(req), (long long)time(NULL),
                                 &t, &wait)
               : WORKSHOP_ERR;
    if (rc == WORKSHOP_ERR) {
        app_error(req, 503, false);
        return;
    }
    if (rc == WORKSHOP_LIMITED) {
        workshop_limited(req, wait);
        return;
    }
    if (rc != WORKSHOP_OK) {
        workshop_link_refused(req, rc, &t);
        return;
    }
    workshop_join_form(req, token, &t, "", "", NULL, 0);
}

/* POST /atelier/rejoindre — jeton, name, email, password, csrf. */
void page_workshop_join(struct request *req)
{
    if (!app_check_csrf(req))
        return;
    const char *token = workshop_token_param(req);
    const char *name = http_form(req, "name"), *email = http_form(req, "email");
    const struct territory *terr = req->app->territory;
    struct registration_env env = {
        .ip = http_client_ip(req),
        .base_url = terr->base_url,
        .site_name = terr->site_name,
        .now = (long long)time(NULL),
    };
    struct store *s = app_store(req);
    struct field_errors errs = {0};
    long wait = 0;
    char session[ACCOUNT_TOKEN_LEN + 1], csrf[ACCOUNT_TOKEN_LEN + 1];
    int rc = workshop_join(s, req->arena, &env, token, name, email, http_form(req, "password"),
                           &errs, &wait, session, csrf);
    if (rc == WORKSHOP_OK) {
        if (req->session_token)
            account_logout(s, req->session_token);
        http_set_cookie(req, "foison_session", arena_strdup(req->arena, session),
                        ACCOUNT_SESSION_SECONDS);
        app_flash(req, "workshop_joined");
        http_redirect(req, 303, "/");
        return;
    }
    if (rc == WORKSHOP_ERR) {
        app_error(req, 503, false);
        http_add_header(req, "Retry-After", "10");
        return;
    }
    struct workshop_ticket t;
    long again = 0;
    /* For the page: the link's state now (an unknown one was counted once already). */
    int state = rc == WORKSHOP_NOTFOUND
                    ? WORKSHOP_NOTFOUND
                    : workshop_ticket(s, req->arena, token, env.ip, env.now, &t, &again);
    if (state == WORKSHOP_LIMITED) {
        workshop_limited(req, again);
        return;
    }
    if (state != WORKSHOP_OK) {
        workshop_link_refused(req, state, &t);
        return;
    }
    workshop_join_form(req, token, &t, name ? name : "", email ? email : "",
                       rc == WORKSHOP_INVALID ? &errs : NULL, rc == WORKSHOP_LIMITED ? wait : 0);
    if (rc == WORKSHOP_INVALID)
        req->status = 422;
}
