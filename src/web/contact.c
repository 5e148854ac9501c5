/* contact.c — the contact form of a record: the "Contacter" block of its page, the form page
 * /{kind}/{slug}/contact (not indexed) and its POST. Which records take messages, the checks
 * and the mail are core/contact.c's; the recipient's address never comes here. */
#include "core/contact.h"
#include "core/entry.h"
#include "core/login_guard.h"
#include "core/territory.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/utf8.h"
#include "web/app.h"
#include "web/entry_view.h"
#include "web/pages.h"
#include <string.h>
#include <time.h>

void page_contact_values(struct request *req, struct tv *ctx, const struct entry *e)
{
    struct store *s = app_store(req);
    if (!s || !contact_field(e->kind) || !contact_open(s, req->arena, e))
        return;
    struct tv *o = tv_set_obj(ctx, "contact");
    tv_set_strf(o, "url", "/%s/%s/contact", e->kind->segment, e->slug);
}

/* What the form sent, shown back only when it is text (the template escapes text; bytes that
 * are not UTF-8 it could not). */
static const char *contact_echo(const char *s)
{
    return s && utf8_valid(s, strlen(s)) ? s : "";
}

/* The form's signed time of first display, kept through a refusal (the time counts from the
 * first display), else a new one. */
static void contact_stamp(struct request *req, struct tv *ctx, long long now)
{
    struct store *s = app_store(req);
    const char *sent = http_form(req, "started");
    if (sent && login_guard_form_age(s, sent, req->csrf, now) >= 0) {
        tv_set_str(ctx, "started", sent);
        return;
    }
    char stamp[LOGIN_FORM_STAMP_MAX + 1];
    if (login_guard_form_stamp(s, now, req->csrf, stamp) == 0)
        tv_set_str(ctx, "started", arena_strdup(req->arena, stamp));
}

/* The form page: GET, and the answer to a refused message (input kept, errors beside their
 * fields, or the wait when a limit is reached). */
static void contact_page(struct request *req, const struct entry *e,
                         const struct field_errors *errs, long wait, int status)
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
    struct tv *ctx = app_context(req, arena_printf(req->arena, "Écrire à «\u202f%s\u202f»", title));
    if ((errs && errs->n) || wait > 0)
        tv_set_str(ctx, "title_prefix", "Erreur\u202f:");
    app_need_csrf(req, ctx);
    contact_stamp(req, ctx, (long long)time(NULL));
    tv_set_str(ctx, "entry_title", title);
    tv_set_strf(ctx, "entry_url", "/%s/%s", e->kind->segment, e->slug);
    tv_set_strf(ctx, "action", "/%s/%s/contact", e->kind->segment, e->slug);
    tv_set_int(ctx, "name_max", CONTACT_NAME_MAX);
    tv_set_int(ctx, "subject_max", CONTACT_SUBJECT_MAX);
    tv_set_int(ctx, "text_max", CONTACT_TEXT_MAX);
    if (req->logged_in) {
        /* The sender's own address, to the sender: where the answer will go. */
        tv_set_str(ctx, "sender_name", req->user->name);
        tv_set_str(ctx, "sender_email", req->user->email);
    } else {
        tv_set_str(ctx, "name", contact_echo(http_form(req, "name")));
        tv_set_str(ctx, "email", contact_echo(http_form(req, "email")));
    }
    tv_set_str(ctx, "subject", contact_echo(http_form(req, "subject")));
    tv_set_str(ctx, "text", contact_echo(http_form(req, "text")));
    if (errs && errs->n) {
        tv_set_bool(ctx, "has_errors", true);
        struct tv *list = tv_set_list(ctx, "errors");
        for (int i = 0; i < errs->n; i++) {
            struct tv *o = tv_push_obj(list);
            tv_set_str(o, "field", errs->e[i].field);
            tv_set_str(o, "message", errs->e[i].message);
        }
        tv_set_str(ctx, "error_form", validate_error_for(errs, "_"));
        tv_set_str(ctx, "error_name", validate_error_for(errs, "name"));
        tv_set_str(ctx, "error_email", validate_error_for(errs, "email"));
        tv_set_str(ctx, "error_subject", validate_error_for(errs, "subject"));
        tv_set_str(ctx, "error_text", validate_error_for(errs, "text"));
    }
    if (wait > 0) {
        long minutes = (wait + 59) / 60;
        tv_set_str(ctx, "limited",
                   arena_printf(req->arena,
                                "Trop de messages envoyés en peu de temps (depuis votre "
                                "connexion, par vous ou vers cette fiche)\u202f: votre message "
                                "n'a pas été transmis. Réessayez dans %ld minute%s.",
                                minutes, minutes > 1 ? "s" : ""));
        http_add_header(req, "Retry-After", arena_printf(req->arena, "%ld", wait));
    }
    app_render(req, "contact_form", ctx);
    req->status = status;
}

/* GET /{kind}/{slug}/contact — the form (anyone; a visitor gives a name and an address). 404
 * for a record that takes no message. */
void page_contact_form(struct request *req)
{
    struct store *s = app_store(req);
    struct entry e;
    if (!page_entry_load(req, s, &e, "/contact"))
        return;
    if (!contact_open(s, req->arena, &e)) {
        app_error(req, 404, false);
        return;
    }
    contact_page(req, &e, NULL, 0, 200);
}

/* POST /{kind}/{slug}/contact — name and email (visitors only), subject, text, csrf, started
 * (the form's stamp), and contact_url (the field hidden from people, left empty). */
void page_contact_send(struct request *req)
{
    if (!app_check_csrf(req))
        return;
    struct store *s = app_store(req);
    struct entry e;
    if (!page_entry_load(req, s, &e, "/contact"))
        return;
    if (!contact_open(s, req->arena, &e)) {
        app_error(req, 404, false);
        return;
    }
    const struct territory *t = req->app->territory;
    long long now = (long long)time(NULL);
    struct contact_message m = {
        .sender = req->logged_in ? req->user : NULL,
        .name = http_form(req, "name"),
        .email = http_form(req, "email"),
        .subject = http_form(req, "subject"),
        .text = http_form(req, "text"),
        .trap = http_form(req, "contact_url"),
        .form_age = login_guard_form_age(s, http_form(req, "started"), req->csrf, now),
        .ip = http_client_ip(req),
        .base_url = t->base_url,
        .site_name = t->site_name,
        .now = now,
    };
    struct field_errors errs = {0};
    long wait = 0;
    int rc = contact_send(s, req->arena, &e, &m, &errs, &wait);
    switch (rc) {
    case CONTACT_OK:
        app_flash(req, "contact_sent");
        http_redirect(req, 303, arena_printf(req->arena, "/%s/%s", e.kind->segment, e.slug));
        return;
    case CONTACT_INVALID:
        contact_page(req, &e, &errs, 0, 422);
        return;
    case CONTACT_LIMITED:
        contact_page(req, &e, NULL, wait > 0 ? wait : 1, 429);
        return;
    case CONTACT_NOTFOUND:
        app_error(req, 404, false);
        return;
    default:
        app_error(req, 500, false);
        return;
    }
}
