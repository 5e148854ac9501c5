/* loan.c — lending shared equipment: requests, decisions, cancellations, the days held, the
 * mails and the reminders (see loan.h). */
#include "core/loan.h"
#include "core/entry.h"
#include "core/membership.h"
#include "core/outbox.h"
#include "core/throttle.h"
#include "core/validate.h"
#include "store/entry_store.h"
#include "store/loan_store.h"
#include "store/moderation_store.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/tz.h"
#include "util/utf8.h"
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- days ------------------------------------------------------------------------------ */

/* y-m-d of a "YYYY-MM-DD" text, exactly that shape and a real day. */
static bool loan_day_parse(const char *day, int *y, int *m, int *d)
{
    if (!day || strlen(day) != 10 || day[4] != '-' || day[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (day[i] < '0' || day[i] > '9'))
            return false;
    *y = atoi(day);
    *m = atoi(day + 5);
    *d = atoi(day + 8);
    return tz_date_valid(*y, *m, *d);
}

bool loan_day_valid(const char *day)
{
    int y, m, d;
    return loan_day_parse(day, &y, &m, &d);
}

/* "YYYY-MM-DD" of a Paris wall time (years 1..9999, tz.h). */
static void loan_day_write(const struct tz_local *l, char out[11])
{
    unsigned y = (unsigned)l->year % 10000, m = (unsigned)l->month % 100,
             d = (unsigned)l->day % 100;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

/* The day of index days since 1970-01-01 (noon UTC of a day is that day in Paris too). */
static void loan_day_of(long long days, char out[11])
{
    struct tz_local l;
    tz_paris_from_utc(days * 86400 + 43200, &l);
    loan_day_write(&l, out);
}

static long long loan_day_index(const char *day)
{
    int y, m, d;
    return loan_day_parse(day, &y, &m, &d) ? tz_days_from_civil(y, m, d) : 0;
}

void loan_today(long long now, char out[11])
{
    struct tz_local l;
    tz_paris_from_utc(now, &l);
    loan_day_write(&l, out);
}

void loan_day_add(const char *day, int n, char out[11])
{
    loan_day_of(loan_day_index(day) + n, out);
}

const char *loan_day_french(struct arena *a, const char *day)
{
    static const char *const weekdays[] = {"lundi",    "mardi",  "mercredi", "jeudi",
                                           "vendredi", "samedi", "dimanche"};
    static const char *const months[] = {"janvier",   "février", "mars",     "avril",
                                         "mai",       "juin",    "juillet",  "août",
                                         "septembre", "octobre", "novembre", "décembre"};
    int y, m, d;
    if (!loan_day_parse(day, &y, &m, &d))
        return arena_strdup(a, day ? day : "");
    struct tz_local l;
    tz_paris_from_utc(tz_days_from_civil(y, m, d) * 86400 + 43200, &l);
    return arena_printf(a, "%s %d%s %s %d", weekdays[l.weekday - 1], d, d == 1 ? "er" : "",
                        months[m - 1], y);
}

bool loan_check_days(struct arena *a, const char *from, const char *to, long long now,
                     struct field_errors *errs)
{
    char today[11], last[11];
    loan_today(now, today);
    loan_day_add(today, LOAN_AHEAD_DAYS, last);
    int before = errs->n;
    bool from_ok = loan_day_valid(from), to_ok = loan_day_valid(to);
    if (!from_ok)
        validate_error(errs, "from", "Premier jour\u202f: une date est attendue (AAAA-MM-JJ)");
    else if (strcmp(from, today) < 0)
        validate_error(errs, "from", "Premier jour\u202f: il est déjà passé");
    else if (strcmp(from, last) > 0)
        validate_error(errs, "from",
                       arena_printf(a,
                                    "Premier jour\u202f: on emprunte au plus %d jours à "
                                    "l'avance",
                                    LOAN_AHEAD_DAYS));
    if (!to_ok)
        validate_error(errs, "to", "Dernier jour\u202f: une date est attendue (AAAA-MM-JJ)");
    else if (from_ok && strcmp(to, from) < 0)
        validate_error(errs, "to", "Dernier jour\u202f: il doit venir après le premier jour");
    else if (from_ok && loan_day_index(to) - loan_day_index(from) + 1 > LOAN_MAX_DAYS)
        validate_error(
            errs, "to",
            arena_printf(a, "Dernier jour\u202f: un prêt dure %d jours au plus", LOAN_MAX_DAYS));
    else if (strcmp(to, last) > 0)
        validate_error(
            errs, "to",
            arena_printf(a, "Dernier jour\u202f: au plus %d jours à l'avance", LOAN_AHEAD_DAYS));
    return errs->n == before;
}

/* ---- the resource ---------------------------------------------------------------------- */

struct loan_resource {
    const char *slug, *title;
    bool lendable;
};

/* The resource of id as the file has it now, its published title and whether it lends. */
static int loan_resource_read(struct store *s, struct arena *a, long long id,
                              struct loan_resource *out)
{
    struct entry_row row;
    int rc = store_entry_by_id(s, a, id, &row);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? LOAN_NOTFOUND : LOAN_ERR;
    out->slug = row.slug;
    out->title = row.slug;
    out->lendable = false;
    if (row.deleted || row.published_rev == 0 || strcmp(row.kind, "resource") != 0)
        return LOAN_OK;
    struct revision_row rev;
    rc = store_revision_get(s, a, row.id, row.published_rev, &rev);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? LOAN_OK : LOAN_ERR;
    json_t *fields = rev.fields ? json_loads(rev.fields, 0, NULL) : NULL;
    if (!fields)
        return LOAN_ERR;
    const struct kind_def *k = kind_find("resource");
    out->title = arena_strdup(a, entry_title(k, fields));
    const char *type = json_string_value(json_object_get(fields, "resource_type"));
    out->lendable = !row.hidden && type && strcmp(type, "equipment") == 0;
    json_decref(fields);
    return LOAN_OK;
}

bool loan_lendable(struct store *s, struct arena *a, const struct entry *e)
{
    struct loan_resource r;
    return e && e->kind && strcmp(e->kind->name, "resource") == 0 && e->published_rev > 0 &&
           loan_resource_read(s, a, e->id, &r) == LOAN_OK && r.lendable;
}

bool loan_owns(struct store *s, struct arena *a, const struct viewer *v, long long resource_id)
{
    /* The record's own managers (whoever created it) and moderators, not the managers of the
     * actors it names as owners: any editor may add an actor of theirs to that field, and
     * would then decide loans and read the borrowers' names. */
    (void)a;
    return v->user_id > 0 && membership_manages(s, v, resource_id);
}

static void loan_from_row(const struct loan_row *r, struct loan *l, bool with_borrower)
{
    memset(l, 0, sizeof(*l));
    l->id = r->id;
    l->resource_id = r->resource_id;
    l->borrower_id = r->borrower_id;
    snprintf(l->from, sizeof l->from, "%s", r->from_day);
    snprintf(l->to, sizeof l->to, "%s", r->to_day);
    l->state = r->state;
    l->created = r->created;
    l->decided_at = r->decided_at;
    l->message = with_borrower ? r->message : "";
    l->borrower_name = with_borrower ? r->borrower_name : "";
}

/* ---- mails ----------------------------------------------------------------------------- */

static const char *loan_site(const struct loan_env *env)
{
    return env && env->site_name && *env->site_name ? env->site_name : "foison";
}

static const char *loan_url(struct arena *a, const struct loan_env *env, const char *slug,
                            const char *suffix)
{
    return arena_printf(a, "%s/ressources/%s%s", env && env->base_url ? env->base_url : "", slug,
                        suffix);
}

/* Queues one plain-text mail: greeting, body, signature. */
static int loan_mail(struct store *s, struct arena *a, const struct loan_env *env, const char *to,
                     const char *subject, const char *body, long long now)
{
    if (!to || !*to)
        return 0; /* an account gone since: nobody to tell */
    const char *site = loan_site(env);
    struct outbox_mail m = {
        .to = to,
        .subject = arena_printf(a, "[%s] %s", site, subject),
        .text = arena_printf(a, "Bonjour,\n\n%s\n\n— %s\n", body, site),
    };
    return outbox_queue(s, a, &m, now);
}

static int loan_mail_owners(struct store *s, struct arena *a, const struct loan_env *env,
                            long long resource_id, const char *subject, const char *body,
                            long long now)
{
    const char **emails;
    int n;
    if (store_loan_owner_emails(s, a, resource_id, &emails, &n) != STORE_OK)
        return -1;
    for (int i = 0; i < n; i++)
        if (loan_mail(s, a, env, emails[i], subject, body, now) != 0)
            return -1;
    return 0;
}

static const char *loan_days_text(struct arena *a, const char *from, const char *to)
{
    if (strcmp(from, to) == 0)
        return arena_printf(a, "le %s", loan_day_french(a, from));
    return arena_printf(a, "du %s au %s", loan_day_french(a, from), loan_day_french(a, to));
}

/* ---- requests and decisions ------------------------------------------------------------ */

static const char *loan_busy_message =
    "Ces jours sont déjà réservés\u202f: choisissez d'autres dates (le calendrier montre les "
    "jours libres).";

/* Each request mails every owner: beyond LOAN_MAILS_PER_HOUR requests of one account in an
 * hour (in this process), the request is kept and shown to the owners on the record, without
 * a mail, so that no account can fill the owners' mailboxes. */
static struct throttle *loan_mails;
static pthread_once_t loan_mails_once = PTHREAD_ONCE_INIT;

static void loan_mails_new(void)
{
    loan_mails = throttle_new(1024, 3600, THROTTLE_OVERFLOW_SHARE);
}

static bool loan_mail_wanted(long long user_id, long long now)
{
    pthread_once(&loan_mails_once, loan_mails_new);
    if (!loan_mails)
        return true;
    char key[32];
    snprintf(key, sizeof key, "%lld", user_id);
    return throttle_take(loan_mails, key, LOAN_MAILS_PER_HOUR, now) <= 0;
}

int loan_request(struct store *s, struct arena *a, const struct viewer *v, const struct entry *e,
                 const char *from, const char *to, const char *message, const struct loan_env *env,
                 long long now, struct field_errors *errs, long long *id)
{
    if (v->user_id <= 0)
        return LOAN_FORBIDDEN;
    if (!e || !e->kind || strcmp(e->kind->name, "resource") != 0)
        return LOAN_UNLENDABLE;
    bool ok = loan_check_days(a, from, to, now, errs);
    size_t len = message ? strlen(message) : 0;
    if (message && (!utf8_valid(message, len) || utf8_count(message, len) > LOAN_MESSAGE_MAX)) {
        validate_error(errs, "message",
                       arena_printf(a, "Message\u202f: %d caractères au plus, texte valide",
                                    LOAN_MESSAGE_MAX));
        ok = false;
    }
    if (!ok)
        return LOAN_INVALID;
    if (store_begin(s) != STORE_OK)
        return LOAN_ERR;
    struct loan_resource r;
    int rc = loan_resource_read(s, a, e->id, &r);
    if (rc == LOAN_OK && !r.lendable)
        rc = LOAN_UNLENDABLE;
    if (rc == LOAN_OK) {
        int busy = store_loan_overlaps(s, e->id, from, to, 0);
        rc = busy < 0 ? LOAN_ERR : busy ? LOAN_BUSY : LOAN_OK;
    }
    if (rc == LOAN_OK &&
        store_loan_insert(s, e->id, v->user_id, from, to, message, now, id) != STORE_OK)
        rc = LOAN_ERR;
    if (rc == LOAN_OK) {
        struct loan_row row;
        rc = store_loan_get(s, a, *id, &row) == STORE_OK ? LOAN_OK : LOAN_ERR;
        if (rc == LOAN_OK) {
            const char *body = arena_printf(
                a,
                "%s demande à emprunter «\u202f%s\u202f» %s.\n\nSon message\u202f:\n%s\n\n"
                "Acceptez ou refusez la demande sur la fiche (connectez-vous avec un compte qui "
                "gère le matériel)\u202f:\n%s",
                *row.borrower_name ? row.borrower_name : "Une personne", r.title,
                loan_days_text(a, from, to), message && *message ? message : "(aucun)",
                loan_url(a, env, r.slug, "#prets"));
            if ((!env->limited || loan_mail_wanted(v->user_id, now)) &&
                loan_mail_owners(s, a, env, e->id,
                                 arena_printf(a, "Demande de prêt\u202f: %s", r.title), body,
                                 now) != 0)
                rc = LOAN_ERR;
        }
    }
    if (rc != LOAN_OK) {
        store_rollback(s);
        if (rc == LOAN_BUSY)
            validate_error(errs, "from", loan_busy_message);
        return rc;
    }
    return store_commit(s) == STORE_OK ? LOAN_OK : LOAN_ERR;
}

int loan_decide(struct store *s, struct arena *a, const struct viewer *v, long long id, bool accept,
                const struct loan_env *env, long long now, struct loan *out)
{
    if (v->user_id <= 0)
        return LOAN_FORBIDDEN;
    /* One write transaction from the first read: two owners accepting overlapping requests at
     * the same time are serialised here, and the second finds the first's loan. */
    if (store_begin(s) != STORE_OK)
        return LOAN_ERR;
    struct loan_row row;
    struct loan_resource r;
    int rc = store_loan_get(s, a, id, &row);
    rc = rc == STORE_OK ? LOAN_OK : rc == STORE_NOTFOUND ? LOAN_NOTFOUND : LOAN_ERR;
    if (rc == LOAN_OK)
        rc = loan_resource_read(s, a, row.resource_id, &r);
    if (rc == LOAN_OK && !loan_owns(s, a, v, row.resource_id))
        rc = LOAN_FORBIDDEN;
    if (rc == LOAN_OK && strcmp(row.state, "requested") != 0)
        rc = LOAN_STATE;
    /* An answer that comes after the pick-up day would hold days already gone (and no reminder
     * would be sent for them): the same rule as for a request. */
    char today[11];
    loan_today(now, today);
    if (rc == LOAN_OK && accept && strcmp(row.from_day, today) < 0)
        rc = LOAN_STATE;
    if (rc == LOAN_OK && accept && !r.lendable)
        rc = LOAN_UNLENDABLE;
    if (rc == LOAN_OK && accept) {
        int busy = store_loan_overlaps(s, row.resource_id, row.from_day, row.to_day, row.id);
        rc = busy < 0 ? LOAN_ERR : busy ? LOAN_BUSY : LOAN_OK;
    }
    const char *state = accept ? "accepted" : "refused";
    if (rc == LOAN_OK) {
        int sr = store_loan_set_state(s, id, "requested", state, v->user_id, now);
        rc = sr == STORE_OK ? LOAN_OK : sr == STORE_NOTFOUND ? LOAN_STATE : LOAN_ERR;
    }
    /* The public calendar changes with an accepted loan: cached pages must go. */
    if (rc == LOAN_OK && accept && store_generation_bump(s) != STORE_OK)
        rc = LOAN_ERR;
    if (rc == LOAN_OK) {
        const char *days = loan_days_text(a, row.from_day, row.to_day);
        const char *body =
            accept ? arena_printf(a,
                                  "Votre demande d'emprunt de «\u202f%s\u202f» %s est "
                                  "acceptée. Les conditions de prêt et le lieu où le retirer sont "
                                  "sur la fiche\u202f:\n%s\n\nVous recevrez un rappel la veille "
                                  "du retrait et la veille du retour.",
                                  r.title, days, loan_url(a, env, r.slug, ""))
                   : arena_printf(a,
                                  "Votre demande d'emprunt de «\u202f%s\u202f» %s n'a pas pu "
                                  "être acceptée. Vous pouvez demander d'autres dates sur la "
                                  "fiche\u202f:\n%s",
                                  r.title, days, loan_url(a, env, r.slug, ""));
        if (loan_mail(s, a, env, row.borrower_email,
                      arena_printf(a, accept ? "Prêt accepté\u202f: %s" : "Prêt refusé\u202f: %s",
                                   r.title),
                      body, now) != 0)
            rc = LOAN_ERR;
    }
    if (rc != LOAN_OK) {
        store_rollback(s);
        return rc;
    }
    if (store_commit(s) != STORE_OK)
        return LOAN_ERR;
    if (out) {
        row.state = state;
        row.decided_at = now;
        loan_from_row(&row, out, true);
    }
    return LOAN_OK;
}

int loan_cancel(struct store *s, struct arena *a, const struct viewer *v, long long id,
                const struct loan_env *env, long long now)
{
    if (v->user_id <= 0)
        return LOAN_FORBIDDEN;
    if (store_begin(s) != STORE_OK)
        return LOAN_ERR;
    struct loan_row row;
    struct loan_resource r;
    char today[11];
    loan_today(now, today);
    int rc = store_loan_get(s, a, id, &row);
    rc = rc == STORE_OK ? LOAN_OK : rc == STORE_NOTFOUND ? LOAN_NOTFOUND : LOAN_ERR;
    if (rc == LOAN_OK)
        rc = loan_resource_read(s, a, row.resource_id, &r);
    bool borrower = rc == LOAN_OK && row.borrower_id == v->user_id;
    if (rc == LOAN_OK && !borrower && !loan_owns(s, a, v, row.resource_id))
        rc = LOAN_FORBIDDEN;
    bool accepted = rc == LOAN_OK && strcmp(row.state, "accepted") == 0;
    if (rc == LOAN_OK &&
        ((!accepted && strcmp(row.state, "requested") != 0) || strcmp(row.to_day, today) < 0))
        rc = LOAN_STATE;
    if (rc == LOAN_OK) {
        int sr = store_loan_set_state(s, id, row.state, "cancelled", v->user_id, now);
        rc = sr == STORE_OK ? LOAN_OK : sr == STORE_NOTFOUND ? LOAN_STATE : LOAN_ERR;
    }
    if (rc == LOAN_OK && accepted && store_generation_bump(s) != STORE_OK)
        rc = LOAN_ERR;
    if (rc == LOAN_OK) {
        const char *days = loan_days_text(a, row.from_day, row.to_day);
        const char *subject = arena_printf(a, "Prêt annulé\u202f: %s", r.title);
        int mr = borrower
                     ? loan_mail_owners(
                           s, a, env, row.resource_id, subject,
                           arena_printf(a,
                                        "%s annule sa demande d'emprunt de «\u202f%s\u202f» %s. "
                                        "Ces jours sont de nouveau libres.\n%s",
                                        *row.borrower_name ? row.borrower_name : "L'emprunteur",
                                        r.title, days, loan_url(a, env, r.slug, "")),
                           now)
                     : loan_mail(s, a, env, row.borrower_email, subject,
                                 arena_printf(a,
                                              "Le prêt de «\u202f%s\u202f» %s est annulé par "
                                              "les responsables du matériel.\n%s",
                                              r.title, days, loan_url(a, env, r.slug, "")),
                                 now);
        if (mr != 0)
            rc = LOAN_ERR;
    }
    if (rc != LOAN_OK) {
        store_rollback(s);
        return rc;
    }
    return store_commit(s) == STORE_OK ? LOAN_OK : LOAN_ERR;
}

int loan_get(struct store *s, struct arena *a, const struct viewer *v, long long id,
             struct loan *out)
{
    struct loan_row row;
    int rc = store_loan_get(s, a, id, &row);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? LOAN_NOTFOUND : LOAN_ERR;
    if (v->user_id <= 0 || (row.borrower_id != v->user_id && !loan_owns(s, a, v, row.resource_id)))
        return LOAN_FORBIDDEN;
    loan_from_row(&row, out, true);
    return LOAN_OK;
}

/* ---- lists ----------------------------------------------------------------------------- */

static int loan_list(struct store *s, struct arena *a, long long resource_id, const char *state,
                     const char *from, const char *to, bool with_borrower, long long only_user,
                     struct loan **out, int *n)
{
    struct loan_row *rows;
    int nrows;
    *out = NULL;
    *n = 0;
    if (store_loans_of(s, a, resource_id, state, from, to, LOAN_LIST_MAX, &rows, &nrows) !=
        STORE_OK)
        return LOAN_ERR;
    struct loan *l = arena_alloc(a, sizeof(*l) * (size_t)(nrows ? nrows : 1));
    int len = 0;
    for (int i = 0; i < nrows; i++) {
        if (only_user && rows[i].borrower_id != only_user)
            continue;
        if (only_user && strcmp(rows[i].state, "requested") != 0 &&
            strcmp(rows[i].state, "accepted") != 0)
            continue;
        loan_from_row(&rows[i], &l[len++], with_borrower);
    }
    *out = l;
    *n = len;
    return LOAN_OK;
}

int loan_busy(struct store *s, struct arena *a, long long resource_id, const char *from,
              const char *to, struct loan **out, int *n)
{
    return loan_list(s, a, resource_id, "accepted", from, to, false, 0, out, n);
}

int loan_mine(struct store *s, struct arena *a, const struct viewer *v, long long resource_id,
              long long now, struct loan **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (v->user_id <= 0)
        return LOAN_OK;
    char today[11];
    loan_today(now, today);
    return loan_list(s, a, resource_id, NULL, today, NULL, true, v->user_id, out, n);
}

int loan_requests(struct store *s, struct arena *a, const struct viewer *v, long long resource_id,
                  long long now, struct loan **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (!loan_owns(s, a, v, resource_id))
        return LOAN_FORBIDDEN;
    char today[11];
    loan_today(now, today);
    return loan_list(s, a, resource_id, "requested", today, NULL, true, 0, out, n);
}

int loan_history(struct store *s, struct arena *a, const struct viewer *v, long long resource_id,
                 struct loan **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (!loan_owns(s, a, v, resource_id))
        return LOAN_FORBIDDEN;
    struct loan_row *rows;
    int nrows;
    if (store_loans_history(s, a, resource_id, LOAN_LIST_MAX, &rows, &nrows) != STORE_OK)
        return LOAN_ERR;
    struct loan *l = arena_alloc(a, sizeof(*l) * (size_t)(nrows ? nrows : 1));
    for (int i = 0; i < nrows; i++)
        loan_from_row(&rows[i], &l[i], true);
    *out = l;
    *n = nrows;
    return LOAN_OK;
}

/* ---- reminders ------------------------------------------------------------------------- */

/* The setting key as the chore's mails need it ("" when unset), in a. */
static const char *loan_setting(struct store *s, struct arena *a, const char *key)
{
    char *v = store_setting_get(s, key);
    const char *out = arena_strdup(a, v ? v : "");
    free(v);
    return out;
}

/* One reminder of loan row (pickup or return), in its own transaction; *sent is set when a
 * mail was queued. Marked first: a chore running at the same time elsewhere finds it done. */
static int loan_remind(struct store *s, struct arena *a, const struct loan_env *env,
                       const struct loan_row *row, bool pickup, const char *today, long long now,
                       bool *sent)
{
    *sent = false;
    if (store_begin(s) != STORE_OK)
        return -1;
    int rc = store_loan_reminded(s, row->id, pickup);
    if (rc == STORE_NOTFOUND) {
        store_rollback(s);
        return 0;
    }
    struct loan_resource r;
    if (rc == STORE_OK && loan_resource_read(s, a, row->resource_id, &r) != LOAN_OK)
        rc = STORE_ERR;
    if (rc == STORE_OK) {
        const char *day = pickup ? row->from_day : row->to_day;
        const char *when = strcmp(day, today) == 0 ? "aujourd'hui" : "demain";
        const char *body =
            pickup ? arena_printf(a,
                                  "Rappel\u202f: vous retirez «\u202f%s\u202f» %s, %s. Vous "
                                  "l'empruntez jusqu'au %s. Le lieu et les conditions de prêt "
                                  "sont sur la fiche\u202f:\n%s",
                                  r.title, when, loan_day_french(a, day),
                                  loan_day_french(a, row->to_day), loan_url(a, env, r.slug, ""))
                   : arena_printf(a,
                                  "Rappel\u202f: «\u202f%s\u202f» est à rendre %s, %s. Merci de "
                                  "le rapporter complet et en bon état\u202f; les conditions "
                                  "sont sur la fiche\u202f:\n%s",
                                  r.title, when, loan_day_french(a, day),
                                  loan_url(a, env, r.slug, ""));
        const char *subject = arena_printf(
            a, pickup ? "Rappel\u202f: retrait de %s %s" : "Rappel\u202f: retour de %s %s", r.title,
            when);
        /* Queued as of now or earlier: a chore run as of a later time (`foison chores --at`)
         * must not leave its mail waiting for that time. */
        long long real = (long long)time(NULL);
        if (loan_mail(s, a, env, row->borrower_email, subject, body, now < real ? now : real) != 0)
            rc = STORE_ERR;
    }
    if (rc != STORE_OK) {
        store_rollback(s);
        return -1;
    }
    if (store_commit(s) != STORE_OK)
        return -1;
    *sent = *row->borrower_email != '\0';
    return 0;
}

int loan_chore(struct store *s, struct arena *a, long long now, int *done)
{
    struct tz_local l;
    tz_paris_from_utc(now, &l);
    if (l.hour < LOAN_REMIND_HOUR)
        return 0;
    char today[11], tomorrow[11];
    loan_today(now, today);
    loan_day_add(today, 1, tomorrow);
    struct loan_env env = {loan_setting(s, a, "site_name"), loan_setting(s, a, "base_url"), false};
    int rc = 0;
    for (int pickup = 1; pickup >= 0; pickup--) {
        struct loan_row *rows;
        int n;
        if (store_loans_due(s, a, pickup, today, tomorrow, LOAN_LIST_MAX, &rows, &n) != STORE_OK)
            return -1;
        for (int i = 0; i < n; i++) {
            /* The return of a loan not begun yet (a one-day loan tomorrow) waits for its
             * pick-up day: one reminder a day is enough. */
            if (!pickup && strcmp(rows[i].from_day, today) > 0)
                continue;
            bool sent;
            if (loan_remind(s, a, &env, &rows[i], pickup, today, now, &sent) != 0)
                rc = -1;
            else if (sent && done)
                (*done)++;
        }
    }
    return rc;
}
