/* accompany.c — the page of an invitation to take over a record written with or for an actor
 * (core/accompany.h): what the record is and who wrote it, signing in (the link kept through
 * the login), and taking it over. */
#include "core/accompany.h"
#include "util/arena.h"
#include "web/app.h"
#include "web/pages.h"
#include <string.h>
#include <time.h>

/* The token of the address or the form ("" when absent or too long to be one). */
static const char *accompany_token_param(struct request *req)
{
    const char *t = http_query(req, "jeton");
    if (!t)
        t = http_form(req, "jeton");
    return t && strlen(t) <= ACCOUNT_TOKEN_LEN ? t : "";
}

/* An invitation that cannot serve, said plainly; the record's link only for whoever may see
 * it anyway. */
static void accompany_refused(struct request *req, int rc, const struct accompany_ticket *t)
{
    const char *title, *text;
    int status = 410;
    if (rc == ACCOMPANY_USED) {
        title = "Invitation déjà utilisée";
        text = "Cette fiche a déjà été reprise grâce à ce lien, qui ne sert qu'une fois. Si "
               "c'était vous, connectez-vous : vous la retrouverez parmi les vôtres. Sinon, "
               "demandez à la personne qui vous a invité·e.";
        status = 409;
    } else if (rc == ACCOMPANY_EXPIRED) {
        title = "Invitation expirée";
        text =
            arena_printf(req->arena,
                         "Ce lien n'est valable que %d jours, et ce délai est passé. Demandez "
                         "une nouvelle invitation à %s.",
                         ACCOMPANY_INVITE_DAYS, t->mediator ? t->mediator : "qui vous a invité·e");
    } else if (rc == ACCOMPANY_GONE) {
        title = "Fiche supprimée";
        text = "La fiche de cette invitation a été supprimée : il n'y a plus rien à reprendre.";
    } else {
        title = "Invitation inconnue";
        text = "Ce lien ne correspond à aucune invitation. Vérifiez que l'adresse est complète "
               "(copiez-la depuis le message reçu), ou demandez une nouvelle invitation.";
        status = 404;
    }
    struct tv *ctx = app_context(req, title);
    tv_set_str(ctx, "heading", title);
    tv_set_str(ctx, "text", text);
    if (rc == ACCOMPANY_USED && t->entry_slug) {
        tv_set_strf(ctx, "link", "/%s/%s", t->entry_kind->segment, t->entry_slug);
        tv_set_str(ctx, "link_label", "Voir la fiche");
    } else {
        tv_set_str(ctx, "link", "/");
        tv_set_str(ctx, "link_label", "Revenir à l'accueil");
    }
    req->status = status;
    req->cache = HTTP_CACHE_NONE;
    app_render(req, "account_message", ctx);
}

static void accompany_page(struct request *req, const char *token, const struct accompany_ticket *t)
{
    struct tv *ctx = app_context(req, "Reprendre une fiche");
    req->cache = HTTP_CACHE_NONE;
    app_need_csrf(req, ctx);
    tv_set_str(ctx, "jeton", token);
    tv_set_str(ctx, "mediator", t->mediator);
    tv_set_str(ctx, "actor_title", t->actor_title);
    if (t->actor_slug)
        tv_set_strf(ctx, "actor_url", "/acteurs/%s", t->actor_slug);
    if (t->entry_slug) {
        tv_set_str(ctx, "entry_title", t->entry_title);
        tv_set_strf(ctx, "entry_url", "/%s/%s", t->entry_kind->segment, t->entry_slug);
        tv_set_str(ctx, "entry_kind", t->entry_kind->label);
    }
    tv_set_str(ctx, "expires", app_date(req, t->expires));
    if (req->logged_in)
        tv_set_str(ctx, "user_name", req->user->name);
    else
        /* The login brings the visitor back here, the token kept (encoded as a parameter). */
        tv_set_strf(ctx, "login_url", "/login?next=%%2Faccompagnement%%3Fjeton%%3D%s", token);
    app_render(req, "accompany", ctx);
}

/* GET /accompagnement?jeton=T — the invitation: the record (as this visitor may see it), who
 * wrote it for which actor, and signing in or taking it over. Opening it changes nothing. */
void page_accompany(struct request *req)
{
    struct store *s = app_store(req);
    if (!s) {
        app_error(req, 503, false);
        return;
    }
    const char *token = accompany_token_param(req);
    struct viewer v = app_viewer(req);
    struct accompany_ticket t;
    int rc = accompany_ticket(s, req->arena, &v, token, (long long)time(NULL), &t);
    if (rc == ACCOMPANY_ERR) {
        app_error(req, 500, false);
        return;
    }
    if (rc != ACCOMPANY_OK) {
        accompany_refused(req, rc, &t);
        return;
    }
    accompany_page(req, token, &t);
}

/* POST /accompagnement — jeton, csrf (signed in): takes the record over. */
void page_accompany_take(struct request *req)
{
    if (!req->logged_in) {
        const char *token = accompany_token_param(req);
        http_redirect(req, 303,
                      arena_printf(req->arena, "/login?next=%%2Faccompagnement%%3Fjeton%%3D%s",
                                   account_token_shape(token) ? token : ""));
        return;
    }
    if (!app_check_csrf(req))
        return;
    struct store *s = app_store(req);
    struct viewer v = app_viewer(req);
    struct accompany_ticket t;
    int rc =
        s ? accompany_take(s, req->arena, &v, accompany_token_param(req), (long long)time(NULL), &t)
          : ACCOMPANY_ERR;
    if (rc == ACCOMPANY_ERR) {
        app_error(req, 503, false);
        return;
    }
    if (rc == ACCOMPANY_FORBIDDEN) {
        app_error(req, 403, false);
        return;
    }
    if (rc != ACCOMPANY_OK) {
        accompany_refused(req, rc, &t);
        return;
    }
    app_flash(req, "accompany_taken");
    if (t.entry_slug)
        http_redirect(req, 303,
                      arena_printf(req->arena, "/%s/%s", t.entry_kind->segment, t.entry_slug));
    else
        http_redirect(req, 303, "/compte");
}
