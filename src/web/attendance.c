/* attendance.c — the pages of registrations to events: the seats and the registration form on
 * an event's page (templates/event_registration.html), the registration page of guests
 * (/{kind}/{slug}/inscription), the links of the mails (/inscriptions/confirmer and
 * /inscriptions/annuler: GET shows, POST acts), the organisers' page of participants and waiting
 * lists (/{kind}/{slug}/inscriptions, not indexed, private) with its CSV, closing and writing;
 * and the registration API (/api/v1/entries/{slug}/registrations, /api/v1/registrations/{id}).
 * The rules are core/attendance.c's; names and addresses reach only organisers and registrants. */
#include "core/attendance.h"
#include "core/entry.h"
#include "core/territory.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/json_write.h"
#include "util/tz.h"
#include "util/utf8.h"
#include "web/app.h"
#include "web/pages.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static struct attendance_env att_env(struct request *req)
{
    const struct territory *t = req->app->territory;
    return (struct attendance_env){.base_url = t->base_url,
                                   .site_name = t->site_name,
                                   .ip = http_client_ip(req),
                                   .now = (long long)time(NULL)};
}

static const char *att_when(struct request *req, long long t)
{
    char out[TZ_FRENCH_MAX];
    tz_format_french(t, out, sizeof out);
    return arena_strdup(req->arena, out);
}

/* "2030-03-18T10:00:00+01:00": the API's time of an occurrence, in Paris. */
static const char *att_rfc3339(struct request *req, long long t)
{
    struct tz_local l;
    tz_paris_from_utc(t, &l);
    int off = tz_paris_offset(t) / 60;
    return arena_printf(req->arena, "%04d-%02d-%02dT%02d:%02d:00%c%02d:%02d", l.year, l.month,
                        l.day, l.hour, l.minute, off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60);
}

/* An RFC 3339 time ("…Z" or "…+01:00", seconds optional) as seconds since the epoch; false when
 * it is not one. */
static bool att_parse_rfc3339(const char *s, long long *out)
{
    int y, mo, d, h, mi, sec = 0, n = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 || n != 16)
        return false;
    const char *p = s + n;
    if (*p == ':') {
        if (!(p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9'))
            return false;
        sec = (p[1] - '0') * 10 + (p[2] - '0');
        p += 3;
    }
    long off = 0;
    if (*p == 'Z' && !p[1]) {
        off = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh, om;
        if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2 || oh > 23 || om > 59)
            return false;
        off = (oh * 60 + om) * 60L * (*p == '-' ? -1 : 1);
    } else {
        return false;
    }
    if (!tz_date_valid(y, mo, d) || h > 23 || mi > 59 || sec > 59)
        return false;
    *out = tz_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
    return true;
}

/* The published fields of e (NULL when it has none), in the arena. */
static json_t *att_published(struct request *req, struct store *s, const struct entry *e)
{
    struct revision r;
    if (e->published_rev == 0 ||
        entry_revision(s, req->arena, &viewer_public, e, 0, &r) != ENTRY_OK)
        return NULL;
    return r.fields;
}

/* The words of an occurrence's seats, for its page. */
static const char *att_seats_text(struct request *req, const struct attendance_occurrence *o)
{
    if (o->seats_left < 0)
        return "Places sans limite";
    if (o->seats_left > 0)
        return arena_printf(req->arena, "%d place%s restante%s", o->seats_left,
                            o->seats_left > 1 ? "s" : "", o->seats_left > 1 ? "s" : "");
    return o->full ? "Complet" : "Complet, liste d'attente";
}

/* The occurrences as a select's options (value: the start in seconds). */
static void att_occurrence_options(struct request *req, struct tv *list,
                                   const struct attendance_seats *seats, long long chosen)
{
    for (int i = 0; i < seats->n; i++) {
        const struct attendance_occurrence *o = &seats->occurrences[i];
        struct tv *it = tv_push_obj(list);
        tv_set_strf(it, "value", "%lld", o->start);
        tv_set_str(it, "label", att_when(req, o->start));
        tv_set_str(it, "seats", att_seats_text(req, o));
        tv_set_bool(it, "full", o->full);
        tv_set_bool(it, "waiting_list", o->seats_left == 0 && !o->full);
        tv_set_bool(it, "selected", o->start == chosen);
    }
}

static const char *att_state_text(const struct attendance_item *it)
{
    return strcmp(it->state, "registered") == 0 ? "inscrit" : "sur liste d'attente";
}

bool page_attendance_context(struct request *req, struct store *s, struct tv *ctx,
                             const struct entry *e, const struct json_span *vals,
                             const struct field_errors *errs)
{
    (void)vals;
    if (!e->kind->when.start || e->published_rev == 0)
        return true;
    json_t *fields = att_published(req, s, e);
    if (!fields)
        return true;
    long long now = (long long)time(NULL);
    struct attendance_seats seats;
    if (attendance_seats(s, req->arena, e, fields, now, ATTENDANCE_OCCURRENCES_MAX, &seats) !=
        ENTRY_OK)
        return false;
    if (!seats.on_site)
        return true;
    struct tv *o = tv_set_obj(ctx, "attendance");
    tv_set_strf(o, "action", "/%s/%s/inscription", e->kind->segment, e->slug);
    tv_set_bool(o, "closed", seats.closed);
    tv_set_bool(o, "past", seats.n == 0);
    tv_set_bool(o, "open", !seats.closed && seats.n > 0);
    tv_set_bool(o, "several", seats.n > 1);
    if (seats.capacity > 0)
        tv_set_int(o, "capacity", seats.capacity);
    if (seats.n > 0) {
        tv_set_str(o, "next_label", att_when(req, seats.occurrences[0].start));
        tv_set_str(o, "next_seats", att_seats_text(req, &seats.occurrences[0]));
        tv_set_strf(o, "next_value", "%lld", seats.occurrences[0].start);
        tv_set_bool(o, "next_full", seats.occurrences[0].full);
    }
    att_occurrence_options(req, tv_set_list(o, "occurrences"), &seats, 0);
    if (errs) {
        tv_set_str(o, "error", validate_error_for(errs, "occurrence"));
        if (!validate_error_for(errs, "occurrence"))
            tv_set_str(o, "error", validate_error_for(errs, "email"));
    }
    /* What only a signed-in visitor sees (such pages are never cached). */
    if (req->logged_in) {
        struct viewer v = app_viewer(req);
        tv_set_bool(o, "user", true);
        tv_set_str(o, "csrf", app_csrf_field(req));
        struct attendance_item *mine;
        int n;
        if (attendance_mine(s, req->arena, v.user_id, e, now, &mine, &n) != ENTRY_OK)
            return false;
        struct tv *list = tv_set_list(o, "mine");
        for (int i = 0; i < n; i++) {
            struct tv *it = tv_push_obj(list);
            tv_set_str(it, "label", att_when(req, mine[i].occurrence));
            tv_set_str(it, "state", att_state_text(&mine[i]));
            tv_set_bool(it, "waiting", strcmp(mine[i].state, "waiting") == 0);
            tv_set_int(it, "position", mine[i].position);
            tv_set_strf(it, "cancel", "/%s/%s/inscriptions/%lld/annuler", e->kind->segment, e->slug,
                        mine[i].id);
        }
        if (attendance_organises(s, req->arena, &v, e->id))
            tv_set_strf(o, "manage", "/%s/%s/inscriptions", e->kind->segment, e->slug);
    }
    return true;
}

/* ---- the registration page -------------------------------------------------------------- */

static const char *att_echo(const char *s)
{
    return s && utf8_valid(s, strlen(s)) ? s : "";
}

static void att_errors(struct tv *ctx, const struct field_errors *errs)
{
    if (!errs || !errs->n)
        return;
    tv_set_bool(ctx, "has_errors", true);
    tv_set_str(ctx, "title_prefix", "Erreur\u202f:");
    struct tv *list = tv_set_list(ctx, "errors");
    for (int i = 0; i < errs->n; i++) {
        struct tv *o = tv_push_obj(list);
        tv_set_str(o, "field", errs->e[i].field);
        tv_set_str(o, "message", errs->e[i].message);
    }
    tv_set_str(ctx, "error_form", validate_error_for(errs, "_"));
    tv_set_str(ctx, "error_name", validate_error_for(errs, "name"));
    tv_set_str(ctx, "error_email", validate_error_for(errs, "email"));
    tv_set_str(ctx, "error_occurrence", validate_error_for(errs, "occurrence"));
    tv_set_str(ctx, "error_subject", validate_error_for(errs, "subject"));
    tv_set_str(ctx, "error_text", validate_error_for(errs, "text"));
}

/* A page of one message (a title, a text, a link back) with status. */
static void att_message(struct request *req, int status, const char *title, const char *text,
                        const char *back_url, const char *back_label)
{
    struct tv *ctx = app_context(req, title);
    tv_set_str(ctx, "heading", title);
    tv_set_str(ctx, "text", text);
    tv_set_str(ctx, "back_url", back_url);
    tv_set_str(ctx, "back_label", back_label);
    req->cache = HTTP_CACHE_NONE;
    app_render(req, "attendance_message", ctx);
    req->status = status;
}

static const char *att_entry_url(struct request *req, const struct entry *e)
{
    return arena_printf(req->arena, "/%s/%s", e->kind->segment, e->slug);
}

/* The registration form page: GET, and the answer to a refused registration (the input kept,
 * the errors beside their fields, the wait when a limit is reached). */
static void att_form_page(struct request *req, struct store *s, const struct entry *e,
                          const struct field_errors *errs, long wait, int status)
{
    json_t *fields = att_published(req, s, e);
    struct attendance_seats seats = {0};
    if (fields && attendance_seats(s, req->arena, e, fields, (long long)time(NULL),
                                   ATTENDANCE_OCCURRENCES_MAX, &seats) != ENTRY_OK) {
        app_error(req, 500, false);
        return;
    }
    if (!fields || !seats.on_site) {
        app_error(req, 404, false);
        return;
    }
    const char *title = entry_title(e->kind, fields);
    struct tv *ctx =
        app_context(req, arena_printf(req->arena, "S'inscrire à «\u202f%s\u202f»", title));
    app_need_csrf(req, ctx);
    tv_set_str(ctx, "entry_title", title);
    tv_set_str(ctx, "entry_url", att_entry_url(req, e));
    tv_set_strf(ctx, "action", "/%s/%s/inscription", e->kind->segment, e->slug);
    tv_set_int(ctx, "name_max", ATTENDANCE_NAME_MAX);
    tv_set_bool(ctx, "closed", seats.closed);
    tv_set_bool(ctx, "past", seats.n == 0);
    tv_set_bool(ctx, "open", !seats.closed && seats.n > 0);
    tv_set_bool(ctx, "several", seats.n > 1);
    if (seats.n > 0) {
        tv_set_str(ctx, "next_label", att_when(req, seats.occurrences[0].start));
        tv_set_str(ctx, "next_seats", att_seats_text(req, &seats.occurrences[0]));
        tv_set_strf(ctx, "next_value", "%lld", seats.occurrences[0].start);
    }
    const char *chosen = http_form(req, "occurrence");
    att_occurrence_options(req, tv_set_list(ctx, "occurrences"), &seats,
                           chosen ? strtoll(chosen, NULL, 10) : 0);
    if (req->logged_in) {
        tv_set_str(ctx, "account_name", req->user->name);
        tv_set_str(ctx, "account_email", req->user->email);
    } else {
        tv_set_str(ctx, "name", att_echo(http_form(req, "name")));
        tv_set_str(ctx, "email", att_echo(http_form(req, "email")));
        tv_set_strf(ctx, "login_next", "/%s/%s/inscription", e->kind->segment, e->slug);
    }
    att_errors(ctx, errs);
    if (wait > 0) {
        long minutes = (wait + 59) / 60;
        tv_set_str(ctx, "limited",
                   arena_printf(req->arena,
                                "Trop d'inscriptions depuis votre connexion ou vers cette "
                                "adresse en peu de temps\u202f: réessayez dans %ld minute%s.",
                                minutes, minutes > 1 ? "s" : ""));
        http_add_header(req, "Retry-After", arena_printf(req->arena, "%ld", wait));
    }
    req->cache = HTTP_CACHE_NONE;
    app_render(req, "event_register", ctx);
    req->status = status;
}

/* GET /{kind}/{slug}/inscription — the registration form (a guest gives a name and an address;
 * a signed-in visitor confirms with one button). */
void page_attendance_form(struct request *req)
{
    struct store *s = app_store(req);
    struct entry e;
    if (!page_entry_load(req, s, &e, "/inscription"))
        return;
    att_form_page(req, s, &e, NULL, 0, 200);
}

/* POST /{kind}/{slug}/inscription — csrf, occurrence (a start in seconds; absent: the next),
 * and for a guest name, email and site_web (hidden from people, left empty). */
void page_attendance_register(struct request *req)
{
    if (!app_check_csrf(req))
        return;
    struct store *s = app_store(req);
    struct entry e;
    if (!page_entry_load(req, s, &e, "/inscription"))
        return;
    struct field_errors errs = {0};
    const char *occ = http_form(req, "occurrence");
    long long occurrence = 0;
    if (occ && *occ) {
        char *end;
        occurrence = strtoll(occ, &end, 10);
        if (*end || occurrence <= 0)
            occurrence = -1;
    }
    const char *trap = http_form(req, "site_web");
    if (!req->logged_in && trap && *trap) {
        validate_error(&errs, "_",
                       "Ce formulaire a été rempli par un robot\u202f: l'inscription n'a pas été "
                       "enregistrée. Si ce n'est pas le cas, laissez vide le champ «\u202fNe pas "
                       "remplir\u202f» et envoyez-le de nouveau.");
        att_form_page(req, s, &e, &errs, 0, 422);
        return;
    }
    struct attendance_env env = att_env(req);
    struct attendance_item it;
    long wait = 0;
    int rc = attendance_register(s, req->arena, &env, &e, req->logged_in ? req->user : NULL,
                                 http_form(req, "name"), http_form(req, "email"), occurrence, &errs,
                                 &it, &wait);
    switch (rc) {
    case ENTRY_OK:
        break;
    case ENTRY_INVALID:
    case ENTRY_CONFLICT:
        att_form_page(req, s, &e, &errs, 0, 422);
        return;
    case ENTRY_RATE_LIMITED:
        att_form_page(req, s, &e, NULL, wait > 0 ? wait : 1, 429);
        return;
    case ENTRY_NOTFOUND:
        app_error(req, 404, false);
        return;
    case ENTRY_FORBIDDEN:
        att_message(req, 403, "Inscription impossible", "Ce compte ne peut plus s'inscrire.",
                    att_entry_url(req, &e), "Retour à l'événement");
        return;
    default:
        app_error(req, 500, false);
        return;
    }
    if (req->logged_in) {
        http_redirect(req, 303, arena_printf(req->arena, "%s#inscription", att_entry_url(req, &e)));
        return;
    }
    const char *what =
        strcmp(it.state, "registered") == 0
            ? arena_printf(req->arena,
                           "Une place vous est réservée pour la séance du %s. Pour la garder, "
                           "confirmez votre inscription par le lien du courriel envoyé à %s, "
                           "dans les 48 heures.",
                           att_when(req, it.occurrence), it.email)
            : arena_printf(req->arena,
                           "La séance du %s est complète\u202f: vous êtes sur la liste d'attente, "
                           "en position %d. Confirmez votre inscription par le lien du "
                           "courriel envoyé à %s, dans les 48 heures\u202f; si une place se "
                           "libère, elle vous sera donnée et vous en serez prévenu.",
                           att_when(req, it.occurrence), it.position, it.email);
    att_message(req, 200, "Inscription enregistrée", what, att_entry_url(req, &e),
                "Retour à l'événement");
}

/* ---- the links of the mails ------------------------------------------------------------- */

/* GET /inscriptions/confirmer?jeton=… and /inscriptions/annuler?jeton=… — what the link is for,
 * and one button that acts (a mail scanner following the link changes nothing). */
static void att_link_page(struct request *req, bool cancel)
{
    struct store *s = app_store(req);
    const char *token = http_query(req, "jeton");
    struct attendance_item it;
    const char *slug, *title;
    int rc = s ? attendance_link(s, req->arena, token, (long long)time(NULL), &it, &slug, &title)
               : ENTRY_ERR;
    if (rc == ENTRY_ERR) {
        app_error(req, 500, false);
        return;
    }
    if (rc != ENTRY_OK || strcmp(it.state, "cancelled") == 0) {
        att_message(req, 404, "Lien sans effet",
                    "Ce lien ne correspond à aucune inscription en cours\u202f: elle a peut-être "
                    "déjà été annulée, ou n'a pas été confirmée à temps.",
                    "/agenda", "Voir l'agenda");
        return;
    }
    struct tv *ctx =
        app_context(req, cancel ? "Annuler mon inscription" : "Confirmer mon inscription");
    app_need_csrf(req, ctx);
    tv_set_bool(ctx, "cancel", cancel);
    tv_set_str(ctx, "action", cancel ? "/inscriptions/annuler" : "/inscriptions/confirmer");
    tv_set_str(ctx, "jeton", token);
    tv_set_str(ctx, "entry_title", title);
    const struct kind_def *k = kind_find("event");
    tv_set_strf(ctx, "entry_url", "/%s/%s", k ? k->segment : "evenements", slug);
    tv_set_str(ctx, "when", att_when(req, it.occurrence));
    tv_set_str(ctx, "name", it.name);
    tv_set_str(ctx, "state", att_state_text(&it));
    tv_set_bool(ctx, "waiting", strcmp(it.state, "waiting") == 0);
    tv_set_int(ctx, "position", it.position);
    tv_set_bool(ctx, "confirmed", it.confirmed);
    req->cache = HTTP_CACHE_NONE;
    app_render(req, "registration_link", ctx);
}

void page_attendance_confirm_form(struct request *req)
{
    att_link_page(req, false);
}

void page_attendance_cancel_form(struct request *req)
{
    att_link_page(req, true);
}

/* POST /inscriptions/confirmer and /inscriptions/annuler — csrf, jeton. */
static void att_link_act(struct request *req, bool cancel)
{
    if (!app_check_csrf(req))
        return;
    struct store *s = app_store(req);
    struct attendance_env env = att_env(req);
    struct attendance_item it;
    const char *token = http_form(req, "jeton");
    int rc = !s       ? ENTRY_ERR
             : cancel ? attendance_cancel_token(s, req->arena, &env, token, &it)
                      : attendance_confirm(s, req->arena, &env, token, &it);
    if (rc == ENTRY_ERR) {
        app_error(req, 500, false);
        return;
    }
    if (rc != ENTRY_OK) {
        att_message(req, 404, "Lien sans effet",
                    "Ce lien ne correspond à aucune inscription en cours\u202f: elle a peut-être "
                    "déjà été annulée, ou n'a pas été confirmée à temps.",
                    "/agenda", "Voir l'agenda");
        return;
    }
    if (cancel)
        att_message(req, 200, "Inscription annulée",
                    arena_printf(req->arena,
                                 "Votre inscription à la séance du %s est annulée. Merci d'avoir "
                                 "libéré la place\u202f: elle revient à la personne suivante.",
                                 att_when(req, it.occurrence)),
                    "/agenda", "Voir l'agenda");
    else
        att_message(req, 200, "Inscription confirmée",
                    arena_printf(req->arena,
                                 "Votre inscription à la séance du %s est confirmée (%s).",
                                 att_when(req, it.occurrence), att_state_text(&it)),
                    "/agenda", "Voir l'agenda");
}

void page_attendance_confirm(struct request *req)
{
    att_link_act(req, false);
}

void page_attendance_cancel_link(struct request *req)
{
    att_link_act(req, true);
}

/* POST /{kind}/{slug}/inscriptions/{id}/annuler — csrf: the registrant (signed in) or an
 * organiser cancels one registration. */
void page_attendance_cancel(struct request *req)
{
    if (!app_check_csrf(req) || !app_require_login(req))
        return;
    struct store *s = app_store(req);
    struct entry e;
    if (!page_entry_load(req, s, &e, ""))
        return;
    long long id = strtoll(req->params[2], NULL, 10);
    struct viewer v = app_viewer(req);
    struct attendance_env env = att_env(req);
    struct attendance_item it;
    bool organiser = attendance_organises(s, req->arena, &v, e.id);
    int rc = id > 0 ? attendance_cancel(s, req->arena, &env, &v, id, &it) : ENTRY_NOTFOUND;
    if (rc == ENTRY_OK) {
        http_redirect(req, 303,
                      arena_printf(req->arena, "%s%s", att_entry_url(req, &e),
                                   organiser ? "/inscriptions" : "#inscription"));
        return;
    }
    if (rc == ENTRY_FORBIDDEN)
        att_message(req, 403, "Action refusée",
                    "Seuls la personne inscrite et les organisateurs de l'événement peuvent "
                    "annuler cette inscription.",
                    att_entry_url(req, &e), "Retour à l'événement");
    else if (rc == ENTRY_NOTFOUND)
        att_message(req, 404, "Inscription introuvable",
                    "Cette inscription n'existe pas ou est déjà annulée.", att_entry_url(req, &e),
                    "Retour à l'événement");
    else
        app_error(req, 500, false);
}

/* ---- the organisers' pages -------------------------------------------------------------- */

/* The event of the route for one of its organisers; otherwise answers (login, 403, 404) and
 * returns false. */
static bool att_organiser_load(struct request *req, struct store *s, struct entry *e,
                               const char *suffix)
{
    if (!app_require_login(req) || !page_entry_load(req, s, e, suffix))
        return false;
    struct viewer v = app_viewer(req);
    if (!e->kind->when.start || !attendance_organises(s, req->arena, &v, e->id)) {
        att_message(req, 403, "Réservé aux organisateurs",
                    "La liste des participants d'un événement n'est visible que de ses "
                    "organisateurs (les responsables de la fiche ou des structures qui "
                    "l'organisent) et de l'équipe de modération.",
                    att_entry_url(req, e), "Retour à l'événement");
        return false;
    }
    return true;
}

/* GET /{kind}/{slug}/inscriptions — participants and waiting lists per occurrence, closing,
 * writing to participants, the CSV. Not indexed, never cached. */
static void att_manage_page(struct request *req, struct store *s, const struct entry *e,
                            const struct field_errors *errs, const char *notice, int status)
{
    long long now = (long long)time(NULL);
    struct viewer v = app_viewer(req);
    json_t *fields = att_published(req, s, e);
    struct attendance_seats seats = {0};
    struct attendance_item *items;
    int n;
    if ((fields && attendance_seats(s, req->arena, e, fields, now, ATTENDANCE_OCCURRENCES_MAX,
                                    &seats) != ENTRY_OK) ||
        attendance_list(s, req->arena, &v, e, now, &items, &n) != ENTRY_OK) {
        app_error(req, 500, false);
        return;
    }
    const char *title = fields ? entry_title(e->kind, fields) : e->slug;
    struct tv *ctx = app_context(req, arena_printf(req->arena, "Inscriptions\u202f: %s", title));
    app_need_csrf(req, ctx);
    tv_set_str(ctx, "entry_title", title);
    tv_set_str(ctx, "entry_url", att_entry_url(req, e));
    tv_set_strf(ctx, "base", "/%s/%s/inscriptions", e->kind->segment, e->slug);
    tv_set_bool(ctx, "closed", seats.closed);
    tv_set_bool(ctx, "on_site", seats.on_site);
    tv_set_str(ctx, "notice", notice);
    if (seats.capacity > 0)
        tv_set_int(ctx, "capacity", seats.capacity);
    struct tv *occs = tv_set_list(ctx, "occurrences");
    struct tv *cur = NULL, *reg = NULL, *wait = NULL;
    long long at = 0;
    for (int i = 0; i < n; i++) {
        if (!cur || items[i].occurrence != at) {
            at = items[i].occurrence;
            cur = tv_push_obj(occs);
            tv_set_str(cur, "label", att_when(req, at));
            tv_set_strf(cur, "value", "%lld", at);
            reg = tv_set_list(cur, "registered");
            wait = tv_set_list(cur, "waiting");
        }
        bool waiting = strcmp(items[i].state, "waiting") == 0;
        struct tv *it = tv_push_obj(waiting ? wait : reg);
        tv_set_int(it, "position", items[i].position);
        tv_set_str(it, "name", items[i].name);
        tv_set_str(it, "email", items[i].email);
        tv_set_bool(it, "confirmed", items[i].confirmed);
        tv_set_bool(it, "account", items[i].user_id > 0);
        tv_set_str(it, "created", app_datetime(req, items[i].created));
        tv_set_strf(it, "cancel", "/%s/%s/inscriptions/%lld/annuler", e->kind->segment, e->slug,
                    items[i].id);
        tv_set_bool(cur, waiting ? "has_waiting" : "has_registered", true);
    }
    tv_set_bool(ctx, "empty", n == 0);
    att_occurrence_options(req, tv_set_list(ctx, "choices"), &seats, 0);
    tv_set_str(ctx, "subject", att_echo(http_form(req, "subject")));
    tv_set_str(ctx, "text", att_echo(http_form(req, "text")));
    tv_set_int(ctx, "subject_max", ATTENDANCE_SUBJECT_MAX);
    tv_set_int(ctx, "text_max", ATTENDANCE_TEXT_MAX);
    att_errors(ctx, errs);
    req->cache = HTTP_CACHE_NONE;
    app_render(req, "event_registrations", ctx);
    req->status = status;
}

void page_attendance_list(struct request *req)
{
    struct store *s = app_store(req);
    struct entry e;
    if (!att_organiser_load(req, s, &e, "/inscriptions"))
        return;
    att_manage_page(req, s, &e, NULL, NULL, 200);
}

/* One CSV cell: quoted, quotes doubled, and a text a spreadsheet would read as a formula (=, +,
 * -, @, a tab or a carriage return first) made text by a leading apostrophe. */
static void att_csv_cell(struct buf *b, const char *v, bool last)
{
    buf_putc(b, '"');
    if (v && strchr("=+-@\t\r", v[0]) && v[0])
        buf_putc(b, '\'');
    for (const char *p = v ? v : ""; *p; p++) {
        if (*p == '"')
            buf_putc(b, '"');
        buf_putc(b, *p);
    }
    buf_puts(b, last ? "\"\r\n" : "\",");
}

/* GET /{kind}/{slug}/inscriptions.csv — the same lists as a spreadsheet (UTF-8 with BOM). */
void page_attendance_csv(struct request *req)
{
    struct store *s = app_store(req);
    struct entry e;
    if (!att_organiser_load(req, s, &e, "/inscriptions.csv"))
        return;
    struct viewer v = app_viewer(req);
    struct attendance_item *items;
    int n;
    if (attendance_list(s, req->arena, &v, &e, (long long)time(NULL), &items, &n) != ENTRY_OK) {
        app_error(req, 500, false);
        return;
    }
    struct buf b = BUF_INIT;
    buf_puts(&b, "\xEF\xBB\xBF");
    buf_puts(&b, "\"Séance\",\"État\",\"Position\",\"Nom\",\"Courriel\",\"Confirmée\","
                 "\"Inscription le\"\r\n");
    for (int i = 0; i < n; i++) {
        att_csv_cell(&b, att_rfc3339(req, items[i].occurrence), false);
        att_csv_cell(&b, strcmp(items[i].state, "waiting") == 0 ? "liste d'attente" : "inscrit",
                     false);
        att_csv_cell(&b, arena_printf(req->arena, "%d", items[i].position), false);
        att_csv_cell(&b, items[i].name, false);
        att_csv_cell(&b, items[i].email, false);
        att_csv_cell(&b, items[i].confirmed ? "oui" : "non", false);
        att_csv_cell(&b, att_rfc3339(req, items[i].created), true);
    }
    buf_free(&req->out);
    req->out = b;
    req->status = 200;
    req->content_type = "text/csv; charset=utf-8";
    req->cache = HTTP_CACHE_NONE;
    http_add_header(
        req, "Content-Disposition",
        arena_printf(req->arena, "attachment; filename=\"inscriptions-%s.csv\"", e.slug));
    http_add_header(req, "X-Robots-Tag", "noindex");
}

/* POST /{kind}/{slug}/inscriptions/fermer and …/rouvrir — csrf. */
void page_attendance_close(struct request *req)
{
    if (!app_check_csrf(req))
        return;
    struct store *s = app_store(req);
    struct entry e;
    if (!att_organiser_load(req, s, &e, "/inscriptions"))
        return;
    bool close = strstr(req->path, "/fermer") != NULL;
    struct viewer v = app_viewer(req);
    if (attendance_set_closed(s, req->arena, &v, &e, close, (long long)time(NULL)) != ENTRY_OK) {
        app_error(req, 500, false);
        return;
    }
    http_redirect(req, 303, arena_printf(req->arena, "%s/inscriptions", att_entry_url(req, &e)));
}

/* POST /{kind}/{slug}/inscriptions/ecrire — csrf, subject, text, occurrence (a start; empty:
 * every upcoming one), waiting (1: those waiting too). */
void page_attendance_write(struct request *req)
{
    if (!app_check_csrf(req))
        return;
    struct store *s = app_store(req);
    struct entry e;
    if (!att_organiser_load(req, s, &e, "/inscriptions"))
        return;
    struct field_errors errs = {0};
    struct attendance_env env = att_env(req);
    const char *occ = http_form(req, "occurrence");
    const char *waiting = http_form(req, "waiting");
    int sent = 0;
    long wait = 0;
    int rc = attendance_write(s, req->arena, &env, req->user, &e, occ ? strtoll(occ, NULL, 10) : 0,
                              http_form(req, "subject"), http_form(req, "text"),
                              waiting && strcmp(waiting, "1") == 0, &errs, &sent, &wait);
    if (rc == ENTRY_INVALID) {
        att_manage_page(req, s, &e, &errs, NULL, 422);
        return;
    }
    if (rc == ENTRY_RATE_LIMITED) {
        http_add_header(req, "Retry-After", arena_printf(req->arena, "%ld", wait > 0 ? wait : 1));
        att_manage_page(req, s, &e, NULL,
                        "Trop de messages envoyés aux participants de cet événement "
                        "aujourd'hui\u202f: réessayez plus tard.",
                        429);
        return;
    }
    if (rc != ENTRY_OK) {
        app_error(req, rc == ENTRY_FORBIDDEN ? 403 : 500, false);
        return;
    }
    /* The form is emptied: the message is gone. */
    req->form.n = 0;
    att_manage_page(req, s, &e, NULL,
                    sent ? arena_printf(req->arena, "Message envoyé à %d personne%s.", sent,
                                        sent > 1 ? "s" : "")
                         : "Personne à qui écrire pour ces séances.",
                    200);
}

/* ---- the API ---------------------------------------------------------------------------- */

static void att_json_release(void *p)
{
    json_decref(p);
}

static void att_api_error(struct request *req, int status, const char *message)
{
    req->cache = HTTP_CACHE_NONE;
    app_json(req, status,
             json_pack("{s:{s:i, s:s}}", "error", "status", status, "message", message));
}

/* A refusal by the state of the event: 409 with the reasons, field by field. */
static void att_api_conflict(struct request *req, const struct field_errors *errs)
{
    json_t *list = json_array();
    for (int i = 0; i < errs->n; i++)
        json_array_append_new(list, json_pack("{s:s, s:s}", "field", errs->e[i].field, "message",
                                              errs->e[i].message));
    req->cache = HTTP_CACHE_NONE;
    app_json(req, 409,
             json_pack("{s:{s:i, s:s}, s:o}", "error", "status", 409, "message",
                       errs->n ? errs->e[0].message : "inscription refusée", "errors", list));
}

/* The account of the request's bearer token: 1 with *u filled, 0 without the header, -1 when
 * the header is there but holds no valid token (answered 401). */
static int att_api_account(struct request *req, struct user *u)
{
    const char *h = http_header(req, "Authorization");
    if (!h)
        return 0;
    req->cache = HTTP_CACHE_NONE;
    if (strncasecmp(h, "Bearer ", 7) == 0 && app_store(req) &&
        account_token_user(app_store(req), req->arena, h + 7, u) == 0)
        return 1;
    http_add_header(req, "WWW-Authenticate", "Bearer realm=\"foison\"");
    att_api_error(req, 401, "jeton d'API invalide (en-tête Authorization: Bearer …)");
    return -1;
}

/* The event of /api/v1/entries/{slug}/…, as v may see it; otherwise answered. */
static bool att_api_event(struct request *req, const struct viewer *v, struct entry *e)
{
    struct store *s = app_store(req);
    const char *moved = NULL;
    int rc = s ? entry_find(s, req->arena, v, req->params[0], e, &moved) : ENTRY_ERR;
    if (rc == ENTRY_MOVED)
        rc = entry_find(s, req->arena, v, moved, e, NULL);
    if (rc == ENTRY_ERR) {
        att_api_error(req, 500, "erreur interne");
        return false;
    }
    if (rc != ENTRY_OK || !e->kind->when.start) {
        att_api_error(req, 404, "événement introuvable");
        return false;
    }
    return true;
}

static void att_api_item(struct request *req, struct buf *b, const struct attendance_item *it,
                         bool personal)
{
    buf_printf(b, "{\"id\":%lld,\"state\":", it->id);
    json_write_cstr(b, it->state);
    buf_printf(b, ",\"position\":%d,\"confirmed\":%s,\"occurrence\":", it->position,
               it->confirmed ? "true" : "false");
    json_write_cstr(b, att_rfc3339(req, it->occurrence));
    if (personal) {
        buf_puts(b, ",\"name\":");
        json_write_cstr(b, it->name);
        buf_puts(b, ",\"email\":");
        json_write_cstr(b, it->email);
        buf_puts(b, ",\"account\":");
        buf_puts(b, it->user_id > 0 ? "true" : "false");
        buf_puts(b, ",\"created\":");
        json_write_cstr(b, att_rfc3339(req, it->created));
    }
    buf_putc(b, '}');
}

static void att_api_send(struct request *req, int status, struct buf *b)
{
    buf_putc(b, '\n');
    buf_free(&req->out);
    req->out = *b;
    req->status = status;
    req->content_type = "application/json; charset=utf-8";
    req->cache = HTTP_CACHE_NONE;
}

/* POST /api/v1/entries/{slug}/registrations — with a bearer token: the account registers; else
 * {"name","email"} for a guest. Optional "occurrence" (RFC 3339; default the next upcoming). →
 * 201 {"id","state","position","confirmed","occurrence"}; 422 bad input, 409 refused, 429. */
void api_attendance_register(struct request *req)
{
    struct user u;
    int auth = att_api_account(req, &u);
    if (auth < 0)
        return;
    struct viewer v = auth ? viewer_of(&u) : viewer_public;
    struct entry e;
    if (!att_api_event(req, &v, &e))
        return;
    json_error_t jerr;
    json_t *body = req->body.len
                       ? json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, &jerr)
                       : json_object();
    if (!json_is_object(body)) {
        json_decref(body);
        att_api_error(req, 400, "un objet JSON est attendu");
        return;
    }
    arena_defer(req->arena, att_json_release, body);
    struct field_errors errs = {0};
    json_t *jo = json_object_get(body, "occurrence");
    long long occurrence = 0;
    if (jo && !json_is_null(jo) &&
        (!json_is_string(jo) || !att_parse_rfc3339(json_string_value(jo), &occurrence)))
        validate_error(&errs, "occurrence",
                       "occurrence : une date RFC 3339 est attendue (ex. "
                       "2030-03-18T10:00:00+01:00)");
    json_t *jn = json_object_get(body, "name"), *je = json_object_get(body, "email");
    if (!auth && ((jn && !json_is_string(jn)) || (je && !json_is_string(je))))
        validate_error(&errs, "_", "name et email : des chaînes sont attendues");
    if (errs.n) {
        app_json_errors(req, &errs);
        return;
    }
    struct attendance_env env = att_env(req);
    struct attendance_item it;
    long wait = 0;
    int rc = attendance_register(app_store(req), req->arena, &env, &e, auth ? &u : NULL,
                                 json_string_value(jn), json_string_value(je), occurrence, &errs,
                                 &it, &wait);
    switch (rc) {
    case ENTRY_OK: {
        struct buf b = BUF_INIT;
        att_api_item(req, &b, &it, false);
        http_add_header(req, "Location",
                        arena_printf(req->arena, "/api/v1/registrations/%lld", it.id));
        att_api_send(req, 201, &b);
        return;
    }
    case ENTRY_INVALID:
        app_json_errors(req, &errs);
        return;
    case ENTRY_CONFLICT:
        att_api_conflict(req, &errs);
        return;
    case ENTRY_RATE_LIMITED:
        if (wait < 1)
            wait = 1;
        http_add_header(req, "Retry-After", arena_printf(req->arena, "%ld", wait));
        att_api_error(req, 429, "trop d'inscriptions depuis cette adresse : réessayez plus tard");
        return;
    case ENTRY_NOTFOUND:
        att_api_error(req, 404, "événement introuvable");
        return;
    case ENTRY_FORBIDDEN:
        att_api_error(req, 403, "compte inactif");
        return;
    default:
        att_api_error(req, 500, "erreur interne");
        return;
    }
}

/* GET /api/v1/entries/{slug}/registrations — for the event's organisers and moderators: 401
 * without a token, 403 for anyone else. {"registrations": [...]} of the upcoming occurrences. */
void api_attendance_list(struct request *req)
{
    struct user u;
    int auth = att_api_account(req, &u);
    if (auth < 0)
        return;
    if (auth == 0) {
        http_add_header(req, "WWW-Authenticate", "Bearer realm=\"foison\"");
        att_api_error(req, 401, "jeton d'API requis (en-tête Authorization: Bearer …)");
        return;
    }
    struct viewer v = viewer_of(&u);
    struct entry e;
    if (!att_api_event(req, &v, &e))
        return;
    struct attendance_item *items;
    int n;
    int rc = attendance_list(app_store(req), req->arena, &v, &e, (long long)time(NULL), &items, &n);
    if (rc == ENTRY_FORBIDDEN) {
        att_api_error(req, 403, "réservé aux organisateurs de l'événement et aux modérateurs");
        return;
    }
    if (rc != ENTRY_OK) {
        att_api_error(req, 500, "erreur interne");
        return;
    }
    struct buf b = BUF_INIT;
    buf_puts(&b, "{\"registrations\":[");
    for (int i = 0; i < n; i++) {
        if (i)
            buf_putc(&b, ',');
        att_api_item(req, &b, &items[i], true);
    }
    buf_printf(&b, "],\"total\":%d}", n);
    att_api_send(req, 200, &b);
}

/* DELETE /api/v1/registrations/{id}[?token=SECRET] — by the registrant (their bearer token, or
 * a guest the secret of their link) or an organiser → 200 {"id","state":"cancelled"}. */
void api_attendance_cancel(struct request *req)
{
    struct store *s = app_store(req);
    char *end;
    long long id = strtoll(req->params[0], &end, 10);
    if (!s || *end || id <= 0) {
        att_api_error(req, s ? 404 : 503, s ? "inscription introuvable" : "indisponible");
        return;
    }
    struct attendance_env env = att_env(req);
    struct attendance_item it;
    const char *token = http_query(req, "token");
    int rc;
    if (token) {
        /* The secret must be that registration's. */
        struct attendance_item seen;
        const char *slug, *title;
        rc = attendance_link(s, req->arena, token, env.now, &seen, &slug, &title);
        if (rc == ENTRY_OK && seen.id != id)
            rc = ENTRY_FORBIDDEN;
        if (rc == ENTRY_OK)
            rc = attendance_cancel_token(s, req->arena, &env, token, &it);
        if (rc == ENTRY_NOTFOUND)
            rc = ENTRY_FORBIDDEN; /* a wrong secret says nothing of the id */
    } else {
        struct user u;
        int auth = att_api_account(req, &u);
        if (auth < 0)
            return;
        if (auth == 0) {
            http_add_header(req, "WWW-Authenticate", "Bearer realm=\"foison\"");
            att_api_error(req, 401,
                          "jeton d'API requis, ou le secret du lien d'annulation (?token=)");
            return;
        }
        struct viewer v = viewer_of(&u);
        rc = attendance_cancel(s, req->arena, &env, &v, id, &it);
    }
    if (rc == ENTRY_OK) {
        struct buf b = BUF_INIT;
        buf_printf(&b, "{\"id\":%lld,\"state\":\"cancelled\"}", id);
        att_api_send(req, 200, &b);
        return;
    }
    att_api_error(req,
                  rc == ENTRY_FORBIDDEN  ? 403
                  : rc == ENTRY_NOTFOUND ? 404
                                         : 500,
                  rc == ENTRY_FORBIDDEN  ? "réservé à la personne inscrite et aux organisateurs"
                  : rc == ENTRY_NOTFOUND ? "inscription introuvable ou déjà annulée"
                                         : "erreur interne");
}
