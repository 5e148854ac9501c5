/* cohort.c — applications to a training's sessions, their decisions, the participants and the
 * sessions of a training (see cohort.h). */
#include "core/cohort.h"
#include "core/entry.h"
#include "core/membership.h"
#include "core/outbox.h"
#include "core/validate.h"
#include "store/cohort_store.h"
#include "store/entry_store.h"
#include "store/moderation_store.h"
#include "store/relation_store.h"
#include "store/user_store.h"
#include "util/arena.h"
#include "util/tz.h"
#include "util/utf8.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A session as the file has it now: its published fields that matter here. */
struct cohort_info {
    const char *slug, *title;
    long long training_id;
    char starts[11], ends[11]; /* "" when absent */
    bool open;                 /* applications "ouvertes" */
    int capacity;              /* 0: no limit */
    bool visible;              /* published, neither hidden nor deleted */
};

static void cohort_day(json_t *fields, const char *name, char out[11])
{
    const char *v = json_string_value(json_object_get(fields, name));
    snprintf(out, 11, "%s", v && strlen(v) == 10 ? v : "");
}

static int cohort_info_read(struct store *s, struct arena *a, long long id, struct cohort_info *out)
{
    memset(out, 0, sizeof(*out));
    struct entry_row row;
    int rc = store_entry_by_id(s, a, id, &row);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? COHORT_NOTFOUND : COHORT_ERR;
    if (strcmp(row.kind, "cohort") != 0)
        return COHORT_NOTFOUND;
    out->slug = out->title = row.slug;
    if (row.deleted || row.published_rev == 0)
        return COHORT_OK;
    struct revision_row rev;
    rc = store_revision_get(s, a, row.id, row.published_rev, &rev);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? COHORT_OK : COHORT_ERR;
    json_t *fields = rev.fields ? json_loads(rev.fields, 0, NULL) : NULL;
    if (!fields)
        return COHORT_ERR;
    out->visible = !row.hidden;
    out->title = arena_strdup(a, entry_title(kind_find("cohort"), fields));
    out->training_id = json_integer_value(json_array_get(json_object_get(fields, "training"), 0));
    cohort_day(fields, "starts", out->starts);
    cohort_day(fields, "ends", out->ends);
    const char *apps = json_string_value(json_object_get(fields, "applications"));
    out->open = apps && strcmp(apps, "ouvertes") == 0;
    json_int_t cap = json_integer_value(json_object_get(fields, "capacity"));
    out->capacity = cap > 0 && cap <= 100000 ? (int)cap : 0;
    json_decref(fields);
    return COHORT_OK;
}

static void cohort_today(long long now, char out[11])
{
    struct tz_local l;
    tz_paris_from_utc(now, &l);
    char buf[32];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", l.year, l.month, l.day);
    memcpy(out, buf, 10);
    out[10] = '\0';
}

/* Has the session ended before today (or, without an end, started before it)? */
static bool cohort_over(const char *starts, const char *ends, const char *today)
{
    const char *last = *ends ? ends : starts;
    return *last && strcmp(last, today) < 0;
}

bool cohort_organises(struct store *s, struct arena *a, const struct viewer *v, long long cohort_id)
{
    /* The session's own managers (whoever created it) and moderators only: its training and
     * that training's organisers are fields any editor may change, and following them would
     * let an editor read the applicants' messages by pointing the session to a training of
     * theirs. */
    (void)a;
    return v->user_id > 0 && membership_manages(s, v, cohort_id);
}

bool cohort_open(struct store *s, struct arena *a, const struct entry *e, long long now)
{
    struct cohort_info info;
    char today[11];
    cohort_today(now, today);
    return e && e->kind && strcmp(e->kind->name, "cohort") == 0 &&
           cohort_info_read(s, a, e->id, &info) == COHORT_OK && info.visible && info.open &&
           !cohort_over(info.starts, info.ends, today);
}

int cohort_seats(struct store *s, struct arena *a, long long cohort_id, int *capacity,
                 int *accepted)
{
    struct cohort_info info;
    int rc = cohort_info_read(s, a, cohort_id, &info);
    if (rc != COHORT_OK)
        return rc;
    *capacity = info.capacity;
    *accepted = store_applications_count(s, cohort_id, "accepted");
    return *accepted < 0 ? COHORT_ERR : COHORT_OK;
}

/* ---- mails ----------------------------------------------------------------------------- */

static int cohort_mail(struct store *s, struct arena *a, const struct cohort_env *env,
                       const char *to, const char *subject, const char *body, long long now)
{
    if (!to || !*to)
        return 0;
    const char *site = env && env->site_name && *env->site_name ? env->site_name : "foison";
    struct outbox_mail m = {
        .to = to,
        .subject = arena_printf(a, "[%s] %s", site, subject),
        .text = arena_printf(a, "Bonjour,\n\n%s\n\n— %s\n", body, site),
    };
    return outbox_queue(s, a, &m, now);
}

static const char *cohort_url(struct arena *a, const struct cohort_env *env, const char *slug)
{
    return arena_printf(a, "%s/sessions/%s", env && env->base_url ? env->base_url : "", slug);
}

/* The mail of each step to the applicant. */
static int cohort_mail_step(struct store *s, struct arena *a, const struct cohort_env *env,
                            const char *to, const struct cohort_info *info, const char *state,
                            long long now)
{
    const char *url = cohort_url(a, env, info->slug);
    const char *subject, *body;
    if (strcmp(state, "pending") == 0) {
        subject = arena_printf(a, "Candidature reçue\u202f: %s", info->title);
        body = arena_printf(a,
                            "Votre candidature à la session «\u202f%s\u202f» est bien reçue. "
                            "Les organisateurs l'examinent et vous répondront par courriel.\n\n"
                            "Vous pouvez la retirer depuis la page de la session\u202f:\n%s",
                            info->title, url);
    } else if (strcmp(state, "accepted") == 0) {
        subject = arena_printf(a, "Candidature acceptée\u202f: %s", info->title);
        body = arena_printf(a,
                            "Bonne nouvelle\u202f: votre candidature à la session «\u202f%s\u202f» "
                            "est acceptée. Vous figurez désormais parmi ses participants, avec "
                            "votre projet.\n%s",
                            info->title, url);
    } else if (strcmp(state, "waiting") == 0) {
        subject = arena_printf(a, "Liste d'attente\u202f: %s", info->title);
        body = arena_printf(a,
                            "Votre candidature à la session «\u202f%s\u202f» est sur la liste "
                            "d'attente\u202f: les organisateurs vous écriront si une place se "
                            "libère.\n%s",
                            info->title, url);
    } else {
        subject = arena_printf(a, "Candidature non retenue\u202f: %s", info->title);
        body = arena_printf(a,
                            "Votre candidature à la session «\u202f%s\u202f» n'a pas été "
                            "retenue. D'autres sessions de la formation viendront\u202f: "
                            "voyez la page de la session.\n%s",
                            info->title, url);
    }
    return cohort_mail(s, a, env, to, subject, body, now);
}

/* ---- applying and deciding ------------------------------------------------------------- */

static bool cohort_text_ok(const char *t, size_t max)
{
    size_t len = t ? strlen(t) : 0;
    return !t || (utf8_valid(t, len) && utf8_count(t, len) <= max);
}

/* Does t hold no line break or other control character? */
static bool cohort_one_line(const char *t)
{
    for (const unsigned char *p = (const unsigned char *)t; p && *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

int cohort_apply(struct store *s, struct arena *a, const struct viewer *v, const struct entry *e,
                 const struct cohort_apply_in *in, const struct cohort_env *env, long long now,
                 struct field_errors *errs, long long *id)
{
    if (v->user_id <= 0)
        return COHORT_FORBIDDEN;
    if (!e || !e->kind || strcmp(e->kind->name, "cohort") != 0)
        return COHORT_NOTFOUND;
    if (!cohort_open(s, a, e, now))
        return COHORT_CLOSED;
    long long actor_id = 0, project_id = 0;
    const char *actor = in->actor && *in->actor ? in->actor : NULL;
    const char *project = in->project && *in->project ? in->project : NULL;
    const char *text = in->project_text && *in->project_text ? in->project_text : NULL;
    const char *message = in->message && *in->message ? in->message : NULL;
    if (actor) {
        struct entry ae;
        if (entry_find(s, a, v, actor, &ae, NULL) != ENTRY_OK ||
            strcmp(ae.kind->name, "actor") != 0)
            validate_error(errs, "actor",
                           "Structure\u202f: aucune fiche d'acteur à cette adresse (ex. "
                           "association-xyz)");
        else if (!membership_manages(s, v, ae.id))
            validate_error(errs, "actor",
                           "Structure\u202f: vous ne gérez pas cette fiche d'acteur (vous gérez "
                           "celles que vous avez créées)");
        else
            actor_id = ae.id;
    }
    if (project) {
        struct entry pe;
        if (entry_find(s, a, v, project, &pe, NULL) != ENTRY_OK ||
            strcmp(pe.kind->name, "innovation") != 0)
            validate_error(errs, "project",
                           "Projet\u202f: aucune fiche d'innovation à cette adresse (ou "
                           "décrivez le projet en quelques mots)");
        else
            project_id = pe.id;
    }
    if (text && (!cohort_text_ok(text, COHORT_PROJECT_MAX) || !cohort_one_line(text)))
        validate_error(errs, "project_text",
                       arena_printf(a, "Projet\u202f: %d caractères au plus, sur une ligne",
                                    COHORT_PROJECT_MAX));
    if (!project && !text)
        validate_error(errs, "project_text",
                       "Projet\u202f: donnez l'adresse de sa fiche ou décrivez-le en quelques "
                       "mots");
    if (!cohort_text_ok(message, COHORT_MESSAGE_MAX))
        validate_error(errs, "message",
                       arena_printf(a, "Message\u202f: %d caractères au plus, texte valide",
                                    COHORT_MESSAGE_MAX));
    if (errs->n)
        return COHORT_INVALID;
    if (store_begin(s) != STORE_OK)
        return COHORT_ERR;
    /* The account's name and address as the file has them now. */
    struct user_row u;
    struct cohort_info info;
    int rc = store_user_by_id(s, a, v->user_id, &u) == STORE_OK &&
                     cohort_info_read(s, a, e->id, &info) == COHORT_OK
                 ? COHORT_OK
                 : COHORT_ERR;
    long long app_id = 0;
    /* Checked again inside the transaction: the session may have closed, ended or gone since
     * the check above. */
    char today[11];
    cohort_today(now, today);
    if (rc == COHORT_OK &&
        (!info.visible || !info.open || cohort_over(info.starts, info.ends, today)))
        rc = COHORT_CLOSED;
    if (rc == COHORT_OK) {
        /* The name shown is the account's, only when its owner agreed. */
        int ir = store_application_insert(s, e->id, v->user_id, actor_id, project_id,
                                          project ? "" : text, message, in->show_name ? u.name : "",
                                          "pending", now, &app_id);
        if (ir == STORE_CONFLICT) {
            validate_error(errs, "_",
                           "Vous avez déjà candidaté à cette session\u202f: votre candidature "
                           "attend une réponse, ou elle est acceptée.");
            rc = COHORT_INVALID;
        } else if (ir != STORE_OK) {
            rc = COHORT_ERR;
        }
    }
    if (rc == COHORT_OK && cohort_mail_step(s, a, env, u.email, &info, "pending", now) != 0)
        rc = COHORT_ERR;
    if (rc != COHORT_OK) {
        store_rollback(s);
        return rc;
    }
    if (store_commit(s) != STORE_OK)
        return COHORT_ERR;
    *id = app_id;
    return COHORT_OK;
}

static bool cohort_state_open(const char *state)
{
    return strcmp(state, "pending") == 0 || strcmp(state, "waiting") == 0 ||
           strcmp(state, "accepted") == 0;
}

int cohort_decide(struct store *s, struct arena *a, const struct viewer *v, const struct entry *e,
                  long long id, const char *state, const struct cohort_env *env, long long now)
{
    if (!state || (strcmp(state, "accepted") != 0 && strcmp(state, "waiting") != 0 &&
                   strcmp(state, "refused") != 0))
        return COHORT_INVALID;
    if (v->user_id <= 0)
        return COHORT_FORBIDDEN;
    /* The capacity is checked and the decision written in one write transaction: two
     * organisers accepting the last seat at once are serialised here. */
    if (store_begin(s) != STORE_OK)
        return COHORT_ERR;
    struct application_row row;
    struct cohort_info info;
    int rc = store_application_get(s, a, id, &row);
    rc = rc == STORE_OK ? COHORT_OK : rc == STORE_NOTFOUND ? COHORT_NOTFOUND : COHORT_ERR;
    if (rc == COHORT_OK && row.cohort_id != e->id)
        rc = COHORT_NOTFOUND;
    if (rc == COHORT_OK)
        rc = cohort_info_read(s, a, e->id, &info);
    if (rc == COHORT_OK && !cohort_organises(s, a, v, e->id))
        rc = COHORT_FORBIDDEN;
    if (rc == COHORT_OK && (!cohort_state_open(row.state) || strcmp(row.state, state) == 0))
        rc = COHORT_STATE;
    if (rc == COHORT_OK && strcmp(state, "accepted") == 0 && info.capacity > 0) {
        int n = store_applications_count(s, e->id, "accepted");
        rc = n < 0 ? COHORT_ERR : n >= info.capacity ? COHORT_FULL : COHORT_OK;
    }
    if (rc == COHORT_OK) {
        int sr = store_application_set_state(s, id, row.state, state, v->user_id, now);
        rc = sr == STORE_OK ? COHORT_OK : sr == STORE_NOTFOUND ? COHORT_STATE : COHORT_ERR;
    }
    /* The participants are public: the session's cached page must go. */
    bool public_change = strcmp(state, "accepted") == 0 || strcmp(row.state, "accepted") == 0;
    if (rc == COHORT_OK && public_change && store_generation_bump(s) != STORE_OK)
        rc = COHORT_ERR;
    if (rc == COHORT_OK && cohort_mail_step(s, a, env, row.user_email, &info, state, now) != 0)
        rc = COHORT_ERR;
    if (rc != COHORT_OK) {
        store_rollback(s);
        return rc;
    }
    return store_commit(s) == STORE_OK ? COHORT_OK : COHORT_ERR;
}

int cohort_withdraw(struct store *s, struct arena *a, const struct viewer *v, const struct entry *e,
                    long long id, long long now)
{
    if (v->user_id <= 0)
        return COHORT_FORBIDDEN;
    if (store_begin(s) != STORE_OK)
        return COHORT_ERR;
    struct application_row row;
    int rc = store_application_get(s, a, id, &row);
    rc = rc == STORE_OK ? COHORT_OK : rc == STORE_NOTFOUND ? COHORT_NOTFOUND : COHORT_ERR;
    if (rc == COHORT_OK && row.cohort_id != e->id)
        rc = COHORT_NOTFOUND;
    if (rc == COHORT_OK && row.user_id != v->user_id)
        rc = COHORT_FORBIDDEN;
    if (rc == COHORT_OK && !cohort_state_open(row.state))
        rc = COHORT_STATE;
    if (rc == COHORT_OK) {
        int sr = store_application_set_state(s, id, row.state, "withdrawn", v->user_id, now);
        rc = sr == STORE_OK ? COHORT_OK : sr == STORE_NOTFOUND ? COHORT_STATE : COHORT_ERR;
    }
    if (rc == COHORT_OK && strcmp(row.state, "accepted") == 0 &&
        store_generation_bump(s) != STORE_OK)
        rc = COHORT_ERR;
    if (rc != COHORT_OK) {
        store_rollback(s);
        return rc;
    }
    return store_commit(s) == STORE_OK ? COHORT_OK : COHORT_ERR;
}

/* ---- reading --------------------------------------------------------------------------- */

/* The entry id as v may see it (kind NULL when none or not visible). */
static int cohort_brief(struct store *s, struct arena *a, const struct viewer *v, long long id,
                        struct related_entry *out)
{
    memset(out, 0, sizeof(*out));
    if (id <= 0)
        return COHORT_OK;
    return relation_briefs(s, a, v, &id, 1, out) == ENTRY_OK ? COHORT_OK : COHORT_ERR;
}

static int cohort_participant_of(struct store *s, struct arena *a, const struct viewer *v,
                                 const struct application_row *r, struct cohort_participant *p)
{
    p->id = r->id;
    p->name = r->public_name;
    p->project_text = r->project_text;
    if (cohort_brief(s, a, v, r->actor_id, &p->actor) != COHORT_OK ||
        cohort_brief(s, a, v, r->project_id, &p->project) != COHORT_OK)
        return COHORT_ERR;
    return COHORT_OK;
}

static void cohort_application_of(const struct application_row *r, struct cohort_application *o)
{
    o->user_id = r->user_id;
    o->applicant = r->user_name;
    o->email = r->user_email;
    o->message = r->message;
    o->state = r->state;
    o->created = r->created;
    o->decided_at = r->decided_at;
}

int cohort_applications(struct store *s, struct arena *a, const struct viewer *v,
                        const struct entry *e, struct cohort_application **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (!cohort_organises(s, a, v, e->id))
        return COHORT_FORBIDDEN;
    struct application_row *rows;
    int nrows;
    if (store_applications_of(s, a, e->id, NULL, COHORT_LIST_MAX, &rows, &nrows) != STORE_OK)
        return COHORT_ERR;
    struct cohort_application *l = arena_alloc(a, sizeof(*l) * (size_t)(nrows ? nrows : 1));
    for (int i = 0; i < nrows; i++) {
        if (cohort_participant_of(s, a, v, &rows[i], &l[i].p) != COHORT_OK)
            return COHORT_ERR;
        cohort_application_of(&rows[i], &l[i]);
    }
    *out = l;
    *n = nrows;
    return COHORT_OK;
}

int cohort_mine(struct store *s, struct arena *a, const struct viewer *v, const struct entry *e,
                struct cohort_application *out)
{
    if (v->user_id <= 0)
        return COHORT_NOTFOUND;
    struct application_row row;
    int rc = store_application_open(s, a, e->id, v->user_id, &row);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? COHORT_NOTFOUND : COHORT_ERR;
    if (cohort_participant_of(s, a, v, &row, &out->p) != COHORT_OK)
        return COHORT_ERR;
    cohort_application_of(&row, out);
    return COHORT_OK;
}

int cohort_participants(struct store *s, struct arena *a, const struct viewer *v,
                        long long cohort_id, struct cohort_participant **out, int *n)
{
    struct application_row *rows;
    int nrows;
    *out = NULL;
    *n = 0;
    if (store_applications_of(s, a, cohort_id, "accepted", COHORT_LIST_MAX, &rows, &nrows) !=
        STORE_OK)
        return COHORT_ERR;
    struct cohort_participant *p = arena_alloc(a, sizeof(*p) * (size_t)(nrows ? nrows : 1));
    for (int i = 0; i < nrows; i++)
        if (cohort_participant_of(s, a, v, &rows[i], &p[i]) != COHORT_OK)
            return COHORT_ERR;
    *out = p;
    *n = nrows;
    return COHORT_OK;
}

static int cohort_session_cmp(const void *x, const void *y)
{
    const struct cohort_session *a = x, *b = y;
    int c = strcmp(a->starts, b->starts);
    return c ? c : strcmp(a->entry.slug, b->entry.slug);
}

int cohort_sessions(struct store *s, struct arena *a, const struct viewer *v, long long training_id,
                    long long now, struct cohort_session **out, int *n)
{
    struct entry_brief_row *rows;
    int nrows;
    *out = NULL;
    *n = 0;
    if (store_relations_in(s, a, training_id, "training", &rows, &nrows) != STORE_OK)
        return COHORT_ERR;
    char today[11];
    cohort_today(now, today);
    const struct kind_def *k = kind_find("cohort");
    struct cohort_session *l = arena_alloc(a, sizeof(*l) * (size_t)(nrows ? nrows : 1));
    int len = 0;
    for (int i = 0; i < nrows; i++) {
        /* The visibility rule: a session pending, hidden or deleted never shows. */
        if (!rows[i].card || strcmp(rows[i].kind, "cohort") != 0 ||
            !viewer_sees_entry(v, rows[i].deleted, rows[i].hidden))
            continue;
        json_t *card = json_loadb(rows[i].card, rows[i].card_len, 0, NULL);
        if (!card)
            continue;
        struct cohort_session *c = &l[len++];
        c->entry = (struct related_entry){rows[i].id, k, rows[i].slug,
                                          arena_strdup(a, entry_title(k, card))};
        char d[11];
        cohort_day(card, "starts", d);
        c->starts = arena_strdup(a, d);
        cohort_day(card, "ends", d);
        c->ends = arena_strdup(a, d);
        c->past = cohort_over(c->starts, c->ends, today);
        json_decref(card);
    }
    qsort(l, (size_t)len, sizeof(*l), cohort_session_cmp);
    *out = l;
    *n = len;
    return COHORT_OK;
}

int cohort_participant_add(struct store *s, struct arena *a, long long cohort_id,
                           long long actor_id, const char *name, long long project_id,
                           const char *project_text, long long now, long long *id)
{
    name = name && *name ? name : NULL;
    project_text = project_text && *project_text ? project_text : NULL;
    if ((!actor_id && !name) || (!project_id && !project_text) ||
        !cohort_text_ok(name, COHORT_NAME_MAX) || !cohort_one_line(name) ||
        !cohort_text_ok(project_text, COHORT_PROJECT_MAX) || !cohort_one_line(project_text))
        return COHORT_INVALID;
    if (store_begin(s) != STORE_OK)
        return COHORT_ERR;
    struct entry_row row;
    int rc = store_entry_by_id(s, a, cohort_id, &row);
    rc = rc == STORE_OK         ? (strcmp(row.kind, "cohort") == 0 ? COHORT_OK : COHORT_NOTFOUND)
         : rc == STORE_NOTFOUND ? COHORT_NOTFOUND
                                : COHORT_ERR;
    if (rc == COHORT_OK && actor_id) {
        int r = store_entry_by_id(s, a, actor_id, &row);
        rc = r == STORE_OK         ? (strcmp(row.kind, "actor") == 0 ? COHORT_OK : COHORT_NOTFOUND)
             : r == STORE_NOTFOUND ? COHORT_NOTFOUND
                                   : COHORT_ERR;
    }
    if (rc == COHORT_OK && project_id) {
        int r = store_entry_by_id(s, a, project_id, &row);
        rc = r == STORE_OK ? (strcmp(row.kind, "innovation") == 0 ? COHORT_OK : COHORT_NOTFOUND)
             : r == STORE_NOTFOUND ? COHORT_NOTFOUND
                                   : COHORT_ERR;
    }
    long long app_id = 0;
    if (rc == COHORT_OK &&
        store_application_insert(s, cohort_id, 0, actor_id, project_id,
                                 project_id ? "" : project_text, "", name ? name : "", "accepted",
                                 now, &app_id) != STORE_OK)
        rc = COHORT_ERR;
    if (rc == COHORT_OK && store_generation_bump(s) != STORE_OK)
        rc = COHORT_ERR;
    if (rc != COHORT_OK) {
        store_rollback(s);
        return rc;
    }
    if (store_commit(s) != STORE_OK)
        return COHORT_ERR;
    if (id)
        *id = app_id;
    return COHORT_OK;
}
