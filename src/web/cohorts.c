/* cohorts.c — the pages of a training's sessions: on a training's record its sessions, coming
 * then past, with the projects their participants carried; on a session's record its
 * participants, the application form and the applicant's own application; the organisers'
 * private page of applications (/{kind}/{slug}/candidatures) and the posts that apply,
 * withdraw and decide; the participants in the session's API JSON. The rules are
 * core/cohort.c's. */
#include "core/cohort.h"
#include "core/entry.h"
#include "core/loan.h"
#include "core/territory.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/json_write.h"
#include "web/app.h"
#include "web/entry_view.h"
#include "web/pages.h"
#include <string.h>
#include <time.h>

static struct cohort_env cohorts_env(struct request *req)
{
    return (struct cohort_env){req->app->territory->site_name, req->app->territory->base_url};
}

static const char *cohorts_state_label(const char *state)
{
    return strcmp(state, "pending") == 0     ? "en attente de réponse"
           : strcmp(state, "accepted") == 0  ? "acceptée"
           : strcmp(state, "waiting") == 0   ? "sur liste d'attente"
           : strcmp(state, "refused") == 0   ? "non retenue"
           : strcmp(state, "withdrawn") == 0 ? "retirée"
                                             : state;
}

static const char *cohorts_notice(const char *code)
{
    static const struct {
        const char *code, *text;
    } notices[] = {
        {"envoyee", "Votre candidature est envoyée aux organisateurs\u202f: un courriel vous le "
                    "confirme, et vous recevrez leur réponse de la même façon."},
        {"retiree", "Votre candidature est retirée."},
        {"decidee", "La décision est enregistrée et la personne prévenue par courriel."},
    };
    for (size_t i = 0; code && i < sizeof notices / sizeof notices[0]; i++)
        if (strcmp(notices[i].code, code) == 0)
            return notices[i].text;
    return NULL;
}

static const char *cohorts_dates(struct request *req, const char *starts, const char *ends)
{
    if (!*starts)
        return "";
    if (!*ends || strcmp(starts, ends) == 0)
        return arena_printf(req->arena, "le %s", loan_day_french(req->arena, starts));
    return arena_printf(req->arena, "du %s au %s", loan_day_french(req->arena, starts),
                        loan_day_french(req->arena, ends));
}

/* One participant (or application) into o: who (an actor's link, or a name) and the project. */
static void cohorts_participant(struct tv *o, const struct cohort_participant *p)
{
    if (p->actor.kind) {
        tv_set_str(o, "actor", p->actor.title);
        tv_set_strf(o, "actor_url", "/%s/%s", p->actor.kind->segment, p->actor.slug);
    } else if (*p->name) {
        tv_set_str(o, "name", p->name);
    }
    if (p->project.kind) {
        tv_set_str(o, "project", p->project.title);
        tv_set_strf(o, "project_url", "/%s/%s", p->project.kind->segment, p->project.slug);
    } else if (*p->project_text) {
        tv_set_str(o, "project_text", p->project_text);
    }
}

/* A training's sessions, coming (soonest first) then past (latest first), each with the
 * projects its participants carried. */
static bool cohorts_training(struct request *req, struct store *s, struct tv *ctx,
                             const struct entry *e)
{
    struct viewer v = app_viewer(req);
    struct cohort_session *ss;
    int n;
    if (cohort_sessions(s, req->arena, &v, e->id, (long long)time(NULL), &ss, &n) != COHORT_OK)
        return false;
    if (n == 0)
        return true;
    struct tv *o = tv_set_obj(ctx, "sessions");
    struct tv *coming = tv_set_list(o, "coming"), *past = tv_set_list(o, "past");
    for (int pass = 0; pass < 2; pass++)
        for (int j = 0; j < n; j++) {
            int i = pass ? n - 1 - j : j;
            if (ss[i].past != (pass == 1))
                continue;
            struct tv *x = tv_push_obj(pass ? past : coming);
            tv_set_str(x, "title", ss[i].entry.title);
            tv_set_strf(x, "url", "/%s/%s", ss[i].entry.kind->segment, ss[i].entry.slug);
            tv_set_str(x, "dates", cohorts_dates(req, ss[i].starts, ss[i].ends));
            struct cohort_participant *p;
            int np;
            if (cohort_participants(s, req->arena, &v, ss[i].entry.id, &p, &np) != COHORT_OK)
                return false;
            struct tv *pl = tv_set_list(x, "projects");
            for (int k = 0; k < np; k++)
                if (p[k].project.kind || *p[k].project_text)
                    cohorts_participant(tv_push_obj(pl), &p[k]);
            tv_set_bool(x, "has_projects", tv_list_len(pl) > 0);
            tv_set_bool(o, pass ? "has_past" : "has_coming", true);
        }
    return true;
}

/* A session's participants, the application form or the visitor's application, and the
 * organisers' link. */
static bool cohorts_session(struct request *req, struct store *s, struct tv *ctx,
                            const struct entry *e, const struct field_errors *errs)
{
    struct viewer v = app_viewer(req);
    long long now = (long long)time(NULL);
    struct tv *o = tv_set_obj(ctx, "cohort");
    tv_set_str(o, "kind_segment", e->kind->segment);
    tv_set_str(o, "slug", e->slug);
    tv_set_str(o, "notice", cohorts_notice(http_query(req, "candidature")));
    struct cohort_participant *p;
    int np;
    if (cohort_participants(s, req->arena, &v, e->id, &p, &np) != COHORT_OK)
        return false;
    struct tv *pl = tv_set_list(o, "participants");
    for (int i = 0; i < np; i++)
        cohorts_participant(tv_push_obj(pl), &p[i]);
    tv_set_bool(o, "has_participants", np > 0);
    tv_set_int(o, "count", np);
    int capacity = 0, accepted = 0;
    if (cohort_seats(s, req->arena, e->id, &capacity, &accepted) != COHORT_OK)
        return false;
    if (capacity)
        tv_set_int(o, "capacity", capacity);
    bool open = cohort_open(s, req->arena, e, now);
    tv_set_bool(o, "open", open);
    if (!req->logged_in)
        return true;
    tv_set_bool(o, "user", true);
    tv_set_str(o, "csrf", app_csrf_field(req));
    struct cohort_application mine;
    int rc = cohort_mine(s, req->arena, &v, e, &mine);
    if (rc == COHORT_ERR)
        return false;
    if (rc == COHORT_OK) {
        struct tv *m = tv_set_obj(o, "mine");
        tv_set_int(m, "id", mine.p.id);
        tv_set_str(m, "state", cohorts_state_label(mine.state));
        tv_set_str(m, "date", app_date(req, mine.created));
    } else if (open) {
        tv_set_bool(o, "can_apply", true);
    }
    if (errs && http_form(req, "cohort_form")) {
        static const char *const names[] = {"actor", "project", "project_text", "message"};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            tv_set_str(o, names[i], http_form(req, names[i]));
            tv_set_str(o, arena_printf(req->arena, "%s_error", names[i]),
                       validate_error_for(errs, names[i]));
        }
        tv_set_bool(o, "show_name", http_form(req, "show_name") != NULL);
        tv_set_str(o, "form_error", validate_error_for(errs, "_"));
        tv_set_bool(o, "has_errors", true);
    }
    if (cohort_organises(s, req->arena, &v, e->id)) {
        tv_set_bool(o, "organiser", true);
        tv_set_int(o, "accepted", accepted);
    }
    return true;
}

bool page_cohort_context(struct request *req, struct store *s, struct tv *ctx,
                         const struct entry *e, const struct json_span *vals,
                         const struct field_errors *errs)
{
    (void)vals;
    if (!e->published_rev || e->hidden)
        return true;
    if (strcmp(e->kind->name, "training") == 0)
        return cohorts_training(req, s, ctx, e);
    if (strcmp(e->kind->name, "cohort") == 0)
        return cohorts_session(req, s, ctx, e, errs);
    return true;
}

bool page_cohort_api(struct request *req, struct buf *b, const struct entry *e,
                     const struct viewer *v)
{
    if (strcmp(e->kind->name, "cohort") != 0)
        return true;
    struct cohort_participant *p;
    int n;
    if (cohort_participants(app_store(req), req->arena, v, e->id, &p, &n) != COHORT_OK)
        return false;
    /* The record's object is open again for one more member. */
    if (b->len && b->data[b->len - 1] == '}')
        b->len--;
    buf_puts(b, ",\"participants\":[");
    for (int i = 0; i < n; i++) {
        buf_puts(b, i ? ",{\"actor\":" : "{\"actor\":");
        if (p[i].actor.kind)
            entry_view_related_json(b, &p[i].actor);
        else
            buf_puts(b, "null");
        buf_puts(b, ",\"name\":");
        if (!p[i].actor.kind && *p[i].name)
            json_write_cstr(b, p[i].name);
        else
            buf_puts(b, "null");
        buf_puts(b, ",\"project\":");
        if (p[i].project.kind)
            entry_view_related_json(b, &p[i].project);
        else
            buf_puts(b, "null");
        buf_puts(b, ",\"project_text\":");
        if (*p[i].project_text)
            json_write_cstr(b, p[i].project_text);
        else
            buf_puts(b, "null");
        buf_putc(b, '}');
    }
    buf_puts(b, "]}");
    return true;
}

/* The session of the route's {kind}/{slug} for the posts below; false when answered. */
static bool cohorts_load(struct request *req, struct store *s, struct entry *e, bool post)
{
    if (!app_require_login(req) || (post && !app_check_csrf(req)) ||
        !page_entry_load(req, s, e, post ? "" : "/candidatures"))
        return false;
    if (strcmp(e->kind->name, "cohort") != 0) {
        app_error(req, 404, false);
        return false;
    }
    return true;
}

static void cohorts_done(struct request *req, const struct entry *e, const char *code, bool to_list)
{
    http_redirect(req, 303,
                  to_list ? arena_printf(req->arena, "/%s/%s/candidatures?candidature=%s",
                                         e->kind->segment, e->slug, code)
                          : arena_printf(req->arena, "/%s/%s?candidature=%s#candidater",
                                         e->kind->segment, e->slug, code));
}

/* POST /{kind}/{slug}/candidature — actor (slug), project (slug) or project_text, message,
 * show_name: an application to the session. */
void page_cohort_apply(struct request *req)
{
    struct store *s = app_store(req);
    struct entry e;
    if (!cohorts_load(req, s, &e, true))
        return;
    struct viewer v = app_viewer(req);
    struct cohort_env env = cohorts_env(req);
    struct cohort_apply_in in = {
        .actor = http_form(req, "actor"),
        .project = http_form(req, "project"),
        .project_text = http_form(req, "project_text"),
        .message = http_form(req, "message"),
        .show_name = http_form(req, "show_name") != NULL,
    };
    struct field_errors errs = {0};
    long long id;
    int rc = cohort_apply(s, req->arena, &v, &e, &in, &env, (long long)time(NULL), &errs, &id);
    if (rc == COHORT_OK) {
        cohorts_done(req, &e, "envoyee", false);
        return;
    }
    if (rc == COHORT_CLOSED)
        validate_error(&errs, "_",
                       "Les candidatures à cette session sont fermées, ou la session est "
                       "terminée.");
    if (rc == COHORT_INVALID || rc == COHORT_CLOSED) {
        page_entry_show_errors(req, &errs);
        if (rc == COHORT_CLOSED)
            req->status = 409;
        return;
    }
    app_error(req, rc == COHORT_FORBIDDEN ? 403 : 500, false);
}

/* POST /{kind}/{slug}/candidatures/{id}/retirer (the applicant) and …/accepter, …/attente,
 * …/refuser (an organiser). */
void page_cohort_decide(struct request *req)
{
    struct store *s = app_store(req);
    struct entry e;
    if (!cohorts_load(req, s, &e, true))
        return;
    long long id = app_int_param(req->params[2], 1000000000);
    const char *action = strrchr(req->path, '/');
    action = action ? action + 1 : "";
    struct viewer v = app_viewer(req);
    struct cohort_env env = cohorts_env(req);
    long long now = (long long)time(NULL);
    bool withdraw = strcmp(action, "retirer") == 0;
    const char *state = strcmp(action, "accepter") == 0  ? "accepted"
                        : strcmp(action, "attente") == 0 ? "waiting"
                                                         : "refused";
    int rc = !id        ? COHORT_NOTFOUND
             : withdraw ? cohort_withdraw(s, req->arena, &v, &e, id, now)
                        : cohort_decide(s, req->arena, &v, &e, id, state, &env, now);
    if (rc == COHORT_OK) {
        cohorts_done(req, &e, withdraw ? "retiree" : "decidee", !withdraw);
        return;
    }
    if (rc == COHORT_FULL || rc == COHORT_STATE) {
        struct tv *ctx = app_context(req, "Décision impossible");
        tv_set_str(ctx, "title", "Décision impossible");
        tv_set_str(ctx, "message",
                   rc == COHORT_FULL
                       ? "La session est complète\u202f: toutes ses places sont prises. Mettez la "
                         "candidature sur liste d'attente, ou augmentez le nombre de places de la "
                         "session."
                       : "Cette candidature est déjà dans cet état, ou elle a été retirée\u202f: "
                         "rien n'a changé.");
        tv_set_strf(ctx, "back_url", "/%s/%s/candidatures", e.kind->segment, e.slug);
        req->cache = HTTP_CACHE_NONE;
        app_render(req, "cohort_message", ctx);
        req->status = 409;
        return;
    }
    app_error(req, rc == COHORT_FORBIDDEN ? 403 : rc == COHORT_NOTFOUND ? 404 : 500, false);
}

/* GET /{kind}/{slug}/candidatures — every application to the session, for its organisers. */
void page_cohort_applications(struct request *req)
{
    struct store *s = app_store(req);
    struct entry e;
    if (!cohorts_load(req, s, &e, false))
        return;
    struct viewer v = app_viewer(req);
    struct cohort_application *l;
    int n;
    int rc = cohort_applications(s, req->arena, &v, &e, &l, &n);
    if (rc != COHORT_OK) {
        app_error(req, rc == COHORT_FORBIDDEN ? 403 : 500, false);
        return;
    }
    struct revision r;
    const char *title = e.slug;
    if (entry_revision(s, req->arena, &viewer_public, &e, 0, &r) == ENTRY_OK)
        title = entry_title(e.kind, r.fields);
    struct tv *ctx =
        app_context(req, arena_printf(req->arena, "Candidatures à «\u202f%s\u202f»", title));
    req->cache = HTTP_CACHE_NONE;
    tv_set_str(ctx, "title", title);
    tv_set_strf(ctx, "url", "/%s/%s", e.kind->segment, e.slug);
    tv_set_str(ctx, "kind_segment", e.kind->segment);
    tv_set_str(ctx, "slug", e.slug);
    tv_set_str(ctx, "csrf", app_csrf_field(req));
    tv_set_str(ctx, "notice", cohorts_notice(http_query(req, "candidature")));
    int capacity = 0, accepted = 0;
    if (cohort_seats(s, req->arena, e.id, &capacity, &accepted) != COHORT_OK) {
        app_error(req, 500, false);
        return;
    }
    tv_set_int(ctx, "accepted", accepted);
    if (capacity)
        tv_set_int(ctx, "capacity", capacity);
    struct tv *list = tv_set_list(ctx, "applications");
    for (int i = 0; i < n; i++) {
        struct tv *x = tv_push_obj(list);
        cohorts_participant(x, &l[i].p);
        tv_set_int(x, "id", l[i].p.id);
        tv_set_str(x, "applicant", *l[i].applicant ? l[i].applicant : "(saisi par le site)");
        tv_set_str(x, "email", l[i].email);
        tv_set_str(x, "message", l[i].message);
        tv_set_str(x, "state", cohorts_state_label(l[i].state));
        tv_set_str(x, "state_class", l[i].state);
        tv_set_str(x, "date", app_date(req, l[i].created));
        bool open = strcmp(l[i].state, "pending") == 0 || strcmp(l[i].state, "waiting") == 0 ||
                    strcmp(l[i].state, "accepted") == 0;
        tv_set_bool(x, "can_accept", open && strcmp(l[i].state, "accepted") != 0);
        tv_set_bool(x, "can_wait", open && strcmp(l[i].state, "waiting") != 0);
        tv_set_bool(x, "can_refuse", open);
    }
    tv_set_bool(ctx, "has_applications", n > 0);
    app_render(req, "cohort_applications", ctx);
}
