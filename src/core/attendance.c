/* attendance.c — registrations to events, their waiting list and their mails (see
 * attendance.h). */
#include "core/attendance.h"
#include "core/account.h"
#include "core/entry.h"
#include "core/ical.h"
#include "core/membership.h"
#include "core/outbox.h"
#include "core/territory.h"
#include "core/throttle.h"
#include "core/validate.h"
#include "store/attendance_store.h"
#include "store/entry_store.h"
#include "store/moderation_store.h"
#include "store/store.h"
#include "store/user_store.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/tz.h"
#include "util/utf8.h"
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per client address and per address written to: a table full of held keys lets a new key
 * through (an attacker who fills them has many addresses anyway); per event: held, since that
 * limit is what protects the participants' mailboxes. */
static struct throttle *att_guests_by_ip, *att_mails_by_address, *att_writes_by_entry;
static pthread_once_t att_once = PTHREAD_ONCE_INIT;

static void att_tables_new(void)
{
    att_guests_by_ip = throttle_new(2048, ATTENDANCE_RATE_WINDOW, THROTTLE_OVERFLOW_UNTRACKED);
    att_mails_by_address = throttle_new(2048, ATTENDANCE_RATE_WINDOW, THROTTLE_OVERFLOW_UNTRACKED);
    att_writes_by_entry = throttle_new(1024, ATTENDANCE_WRITE_WINDOW, THROTTLE_OVERFLOW_SHARE);
}

/* ---- the event -------------------------------------------------------------------------- */

/* An event as registrations need it: its published fields, read inside the caller's
 * transaction. */
struct att_event {
    long long id, updated;
    const struct kind_def *k;
    const char *slug, *title;
    json_t *fields; /* released with the arena */
    long long capacity;
    bool on_site;
};

static void att_json_release(void *p)
{
    json_decref(p);
}

static const struct field_def *att_seats_field(const struct kind_def *k)
{
    for (size_t i = 0; k && i < k->nfields; i++)
        if (k->fields[i].seats && k->fields[i].type == FT_INTEGER)
            return &k->fields[i];
    return NULL;
}

long long attendance_capacity(const struct kind_def *k, json_t *fields)
{
    const struct field_def *f = att_seats_field(k);
    json_t *v = f ? json_object_get(fields, f->name) : NULL;
    return json_is_integer(v) && json_integer_value(v) > 0 ? (long long)json_integer_value(v) : -1;
}

bool attendance_on_site(const struct kind_def *k, json_t *fields)
{
    if (!k || !k->when.start)
        return false;
    const char *v = json_string_value(json_object_get(fields, "registration"));
    return v && strcmp(v, "site") == 0;
}

/* ev for the entry of row whose fields are fields, as of updated (its .ics's DTSTAMP). */
static void att_event_fill(struct arena *a, struct att_event *ev, const struct kind_def *k,
                           const struct entry_row *row, json_t *fields, long long updated)
{
    *ev = (struct att_event){
        .id = row->id,
        .updated = updated,
        .k = k,
        .slug = row->slug,
        .title = arena_strdup(a, entry_title(k, fields)),
        .fields = fields,
        .capacity = attendance_capacity(k, fields),
        .on_site = attendance_on_site(k, fields),
    };
}

/* The event entry_id as the public sees it (published, neither deleted nor hidden, a kind in
 * time): ENTRY_NOTFOUND otherwise. */
static int att_event_read(struct store *s, struct arena *a, long long entry_id,
                          struct att_event *ev)
{
    struct entry_row row;
    int rc = store_entry_by_id(s, a, entry_id, &row);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? ENTRY_NOTFOUND : ENTRY_ERR;
    const struct kind_def *k = kind_find(row.kind);
    if (!k || !k->when.start || row.deleted || row.hidden || row.published_rev == 0)
        return ENTRY_NOTFOUND;
    struct revision_row rev;
    if (store_revision_get(s, a, row.id, row.published_rev, &rev) != STORE_OK)
        return ENTRY_ERR;
    json_t *fields = rev.fields ? json_loads(rev.fields, 0, NULL) : NULL;
    if (!fields) {
        fprintf(stderr, "foison: entry %lld: revision %d unreadable\n", row.id, row.published_rev);
        return ENTRY_ERR;
    }
    arena_defer(a, att_json_release, fields);
    att_event_fill(a, ev, k, &row, fields, row.updated);
    return ENTRY_OK;
}

/* The size of the waiting list of an event of that capacity. */
static int att_waiting_max(long long capacity)
{
    long long w = capacity * ATTENDANCE_WAITING_FACTOR;
    return w < ATTENDANCE_WAITING_MIN ? ATTENDANCE_WAITING_MIN : w > 1000000 ? 1000000 : (int)w;
}

/* The environment of a change no request made (a chore, a publication): the links and the
 * site's name from the settings. */
static void att_env_stored(struct store *s, struct arena *a, long long now,
                           struct attendance_env *env)
{
    char *url = store_setting_get(s, "base_url"), *name = store_setting_get(s, "site_name");
    env->base_url = arena_strdup(a, url ? url : "");
    env->site_name = arena_strdup(a, name && *name ? name : "foison");
    env->ip = NULL;
    env->now = now;
    free(url);
    free(name);
}

static const char *att_site(const struct attendance_env *env)
{
    return env->site_name && *env->site_name ? env->site_name : "foison";
}

static const char *att_when(struct arena *a, long long t)
{
    char out[TZ_FRENCH_MAX];
    tz_format_french(t, out, sizeof out);
    return arena_strdup(a, out);
}

/* ---- secrets ---------------------------------------------------------------------------- */

/* The stored form of a link's secret: the hex of its hash. */
static void att_token_hash(const char *token, char out[65])
{
    unsigned char h[32];
    account_hash_token(token, h);
    sodium_bin2hex(out, 65, h, sizeof h);
}

/* ---- mails ------------------------------------------------------------------------------ */

/* A mail built of paragraphs, each a text or a link (label and URL), as text and HTML. */
struct att_mail {
    struct buf text, html;
};

static void att_para(struct att_mail *m, const char *text)
{
    buf_printf(&m->text, "%s\n\n", text);
    buf_puts(&m->html, "<p>");
    buf_put_html(&m->html, text, strlen(text));
    buf_puts(&m->html, "</p>");
}

static void att_link(struct att_mail *m, const char *label, const char *url)
{
    buf_printf(&m->text, "%s\u202f:\n%s\n\n", label, url);
    buf_puts(&m->html, "<p><a href=\"");
    buf_put_html(&m->html, url, strlen(url));
    buf_puts(&m->html, "\">");
    buf_put_html(&m->html, label, strlen(label));
    buf_puts(&m->html, "</a></p>");
}

/* Queues m to `to`, with the occurrence's calendar attached when ev is given. Frees m. A mail
 * with reply_to carries an organiser's words: plain text only (nobody's text is read as HTML). */
static int att_send(struct store *s, struct arena *a, const struct attendance_env *env,
                    const struct att_event *ev, long long occurrence, const char *to,
                    const char *subject, const char *reply_to, struct att_mail *m)
{
    buf_printf(&m->text, "— %s\n", att_site(env));
    buf_puts(&m->html, "<p>— ");
    buf_put_html(&m->html, att_site(env), strlen(att_site(env)));
    buf_puts(&m->html, "</p>");
    struct outbox_attachment ics = {.name = "evenement.ics",
                                    .content_type = "text/calendar; charset=utf-8; method=PUBLISH"};
    struct outbox_mail mail = {
        .to = to,
        .subject = subject,
        .text = arena_strdup(a, buf_cstr(&m->text)),
        .html = reply_to ? NULL : arena_strdup(a, buf_cstr(&m->html)),
        .reply_to = reply_to,
    };
    buf_free(&m->text);
    buf_free(&m->html);
    if (ev && occurrence) {
        ics.data = ical_event_calendar(a, env->base_url ? env->base_url : "", ev->k, ev->slug,
                                       ev->fields, ev->updated, occurrence);
        if (ics.data) {
            ics.len = strlen(ics.data);
            mail.attachments = &ics;
            mail.nattachments = 1;
        }
    }
    return outbox_queue(s, a, &mail, env->now) == 0 ? ENTRY_OK : ENTRY_ERR;
}

static const char *att_event_url(struct arena *a, const struct attendance_env *env,
                                 const struct att_event *ev)
{
    return arena_printf(a, "%s/%s/%s", env->base_url ? env->base_url : "", ev->k->segment,
                        ev->slug);
}

/* The mail of a new registration: its state, the confirmation link for a guest, the
 * cancellation link, the calendar. */
static int att_mail_new(struct store *s, struct arena *a, const struct attendance_env *env,
                        const struct att_event *ev, const struct attendance_item *r,
                        const char *token)
{
    struct att_mail m = {BUF_INIT, BUF_INIT};
    const char *when = att_when(a, r->occurrence);
    att_para(&m, arena_printf(a, "Bonjour %s,", r->name));
    if (strcmp(r->state, "registered") == 0)
        att_para(&m,
                 arena_printf(a,
                              "Votre inscription à «\u202f%s\u202f», %s, est enregistrée\u202f: "
                              "une place vous est réservée.",
                              ev->title, when));
    else
        att_para(&m, arena_printf(a,
                                  "L'événement «\u202f%s\u202f», %s, est complet\u202f: vous êtes "
                                  "sur la liste d'attente, en position %d. Si une place se "
                                  "libère, elle vous sera donnée automatiquement et vous en "
                                  "serez prévenu par courriel.",
                                  ev->title, when, r->position));
    const char *base = env->base_url ? env->base_url : "";
    if (!r->confirmed) {
        att_para(&m, "Confirmez votre inscription dans les 48 heures en suivant le lien "
                     "ci-dessous\u202f: sans confirmation, elle sera annulée et la place rendue.");
        att_link(&m, "Confirmer mon inscription",
                 arena_printf(a, "%s/inscriptions/confirmer?jeton=%s", base, token));
    }
    att_link(&m, "Si vous ne pouvez pas venir, annulez votre inscription",
             arena_printf(a, "%s/inscriptions/annuler?jeton=%s", base, token));
    att_link(&m, "La page de l'événement", att_event_url(a, env, ev));
    att_para(&m, "Le fichier joint (evenement.ics) ajoute la date à votre agenda. Gardez ce "
                 "courriel\u202f: son lien d'annulation est le vôtre, ne le transférez pas.");
    const char *subject = arena_printf(
        a, "[%s] %s\u202f: %s", att_site(env),
        strcmp(r->state, "registered") == 0 ? "Inscription" : "Liste d'attente", ev->title);
    return att_send(s, a, env, ev, r->occurrence, r->email, subject, NULL, &m);
}

/* The mail of a person waiting who got a seat. */
static int att_mail_promoted(struct store *s, struct arena *a, const struct attendance_env *env,
                             const struct att_event *ev, const struct registration_row *r)
{
    struct att_mail m = {BUF_INIT, BUF_INIT};
    att_para(&m, arena_printf(a, "Bonjour %s,", r->name));
    att_para(&m, arena_printf(a,
                              "Une place s'est libérée pour «\u202f%s\u202f», %s\u202f: elle est "
                              "à vous, vous êtes inscrit.",
                              ev->title, att_when(a, r->occurrence)));
    if (!r->confirmed)
        att_para(&m, "N'oubliez pas de confirmer votre inscription par le lien de votre premier "
                     "courriel, dans les 48 heures qui ont suivi votre inscription.");
    att_para(&m, r->user_id ? "Si vous ne pouvez plus venir, annulez depuis la page de "
                              "l'événement (connecté à votre compte) ou par le lien "
                              "d'annulation de votre premier courriel, pour que la place "
                              "revienne à la personne suivante."
                            : "Si vous ne pouvez plus venir, annulez par le lien d'annulation "
                              "de votre premier courriel, pour que la place revienne à la "
                              "personne suivante.");
    att_link(&m, "La page de l'événement", att_event_url(a, env, ev));
    const char *subject =
        arena_printf(a, "[%s] Une place pour vous\u202f: %s", att_site(env), ev->title);
    return att_send(s, a, env, ev, r->occurrence, r->email, subject, NULL, &m);
}

/* The mail of a registration cancelled by the organisers. */
static int att_mail_cancelled(struct store *s, struct arena *a, const struct attendance_env *env,
                              const struct att_event *ev, const struct registration_row *r)
{
    struct att_mail m = {BUF_INIT, BUF_INIT};
    att_para(&m, arena_printf(a, "Bonjour %s,", r->name));
    att_para(&m, arena_printf(a,
                              "Votre inscription à «\u202f%s\u202f», %s, a été annulée par "
                              "l'organisation de l'événement.",
                              ev->title, att_when(a, r->occurrence)));
    att_link(&m, "La page de l'événement", att_event_url(a, env, ev));
    const char *subject =
        arena_printf(a, "[%s] Inscription annulée\u202f: %s", att_site(env), ev->title);
    return att_send(s, a, env, NULL, 0, r->email, subject, NULL, &m);
}

/* The mail of a registration whose date the event no longer has: moved to the event's new
 * date (moved_to), or cancelled with its date. */
static int att_mail_moved(struct store *s, struct arena *a, const struct attendance_env *env,
                          const struct att_event *ev, const struct registration_row *r,
                          long long moved_to)
{
    struct att_mail m = {BUF_INIT, BUF_INIT};
    att_para(&m, arena_printf(a, "Bonjour %s,", r->name));
    if (moved_to)
        att_para(&m, arena_printf(a,
                                  "L'événement «\u202f%s\u202f» change de date\u202f: il "
                                  "n'a plus lieu %s mais %s. Votre inscription suit la nouvelle "
                                  "date (%s). Si vous ne pouvez pas venir, annulez-la par le lien "
                                  "de votre premier courriel, pour que la place revienne à "
                                  "quelqu'un d'autre.",
                                  ev->title, att_when(a, r->occurrence), att_when(a, moved_to),
                                  strcmp(r->state, "registered") == 0 ? "votre place est gardée"
                                                                      : "sur la liste d'attente"));
    else
        att_para(&m, arena_printf(a,
                                  "La séance de «\u202f%s\u202f» prévue %s n'a plus lieu\u202f: "
                                  "votre inscription à cette date est annulée.",
                                  ev->title, att_when(a, r->occurrence)));
    att_link(&m, "La page de l'événement", att_event_url(a, env, ev));
    const char *subject =
        arena_printf(a, "[%s] %s\u202f: %s", att_site(env),
                     moved_to ? "Changement de date" : "Séance annulée", ev->title);
    return att_send(s, a, env, moved_to ? ev : NULL, moved_to, r->email, subject, NULL, &m);
}

/* ---- seats ------------------------------------------------------------------------------ */

static void att_item_of(struct attendance_item *out, const struct registration_row *r)
{
    memset(out, 0, sizeof(*out));
    out->id = r->id;
    out->occurrence = r->occurrence;
    out->user_id = r->user_id;
    out->created = r->created;
    out->name = r->name;
    out->email = r->email;
    out->state = r->state;
    out->confirmed = r->confirmed;
}

static int att_item_position(struct store *s, struct attendance_item *it,
                             const struct registration_row *r)
{
    it->position = 0;
    if (strcmp(r->state, "cancelled") == 0)
        return ENTRY_OK;
    return store_registration_position(s, r, &it->position) == STORE_OK ? ENTRY_OK : ENTRY_ERR;
}

/* Gives the free seats of the occurrence to the people waiting, in order, each told by mail;
 * *promoted (may be NULL) is increased by how many. In the caller's transaction. */
static int att_fill(struct store *s, struct arena *a, const struct attendance_env *env,
                    const struct att_event *ev, long long occurrence, int *promoted)
{
    int registered, waiting;
    if (store_registration_counts(s, ev->id, occurrence, &registered, &waiting) != STORE_OK)
        return ENTRY_ERR;
    int moved = 0;
    while (waiting > 0 && (ev->capacity < 0 || registered < ev->capacity)) {
        struct registration_row r;
        int rc = store_registration_first_waiting(s, a, ev->id, occurrence, &r);
        if (rc == STORE_NOTFOUND)
            break;
        if (rc != STORE_OK || store_registration_promote(s, r.id, env->now) != STORE_OK)
            return ENTRY_ERR;
        if (att_mail_promoted(s, a, env, ev, &r) != ENTRY_OK)
            return ENTRY_ERR;
        registered++;
        waiting--;
        moved++;
    }
    if (moved && store_generation_bump(s) != STORE_OK)
        return ENTRY_ERR;
    if (promoted)
        *promoted += moved;
    return ENTRY_OK;
}

/* Cancels r and gives its seat on: in the caller's transaction. */
static int att_cancel_row(struct store *s, struct arena *a, const struct attendance_env *env,
                          const struct att_event *ev, const struct registration_row *r)
{
    int rc = store_registration_cancel(s, r->id, env->now);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? ENTRY_NOTFOUND : ENTRY_ERR;
    if (store_generation_bump(s) != STORE_OK)
        return ENTRY_ERR;
    if (strcmp(r->state, "registered") == 0 && r->occurrence > env->now)
        return att_fill(s, a, env, ev, r->occurrence, NULL);
    return ENTRY_OK;
}

/* ---- input ------------------------------------------------------------------------------ */

/* Is u at a character that changes how a name reads without being seen (bidi controls,
 * zero-width characters, the BOM)? */
static bool att_invisible(const unsigned char *u)
{
    if (u[0] == 0xE2 && u[1] == 0x80 &&
        ((u[2] >= 0x8B && u[2] <= 0x8F) || (u[2] >= 0xAA && u[2] <= 0xAE)))
        return true;
    if (u[0] == 0xE2 && u[1] == 0x81 && u[2] >= 0xA6 && u[2] <= 0xA9)
        return true;
    return u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF;
}

/* One line of text trimmed of spaces, in a; NULL when empty, longer than max characters, not
 * UTF-8, or holding a control or invisible character. */
static const char *att_line(struct arena *a, const char *in, size_t max)
{
    if (!in)
        return NULL;
    while (*in == ' ')
        in++;
    size_t n = strlen(in);
    while (n > 0 && in[n - 1] == ' ')
        n--;
    if (n == 0 || n > max * 4 || !utf8_valid(in, n) || utf8_count(in, n) > max)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)in[i] < 0x20 || in[i] == 0x7f ||
            att_invisible((const unsigned char *)in + i))
            return NULL;
    return arena_strndup(a, in, n);
}

/* An address as registrations keep it: lower case, so that one person registers once. */
static const char *att_email(struct arena *a, const char *in)
{
    const char *e = att_line(a, in, ATTENDANCE_EMAIL_MAX);
    if (!e || !account_email_valid(e))
        return NULL;
    char *low = arena_strdup(a, e);
    for (char *p = low; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    return low;
}

/* What one registration counted against the limits, to take back when nothing was written. */
struct att_hold {
    struct throttle *t[2];
    char key[2][THROTTLE_ADDRESS_MAX + 300];
    int n;
    long long now;
};

static long att_take(struct att_hold *h, struct throttle *t, const char *key, long max)
{
    if (max <= 0)
        return 0;
    long w = throttle_take(t, key, max > 65535 ? 65535 : (int)max, h->now);
    if (w == THROTTLE_UNTRACKED)
        return 0;
    if (w > 0)
        return w;
    h->t[h->n] = t;
    snprintf(h->key[h->n], sizeof h->key[h->n], "%s", key);
    h->n++;
    return 0;
}

static void att_forgive(struct att_hold *h)
{
    for (int i = 0; i < h->n; i++)
        throttle_forgive(h->t[i], h->key[i], h->now);
    h->n = 0;
}

/* ---- registering ------------------------------------------------------------------------ */

/* The occurrence a registration is for, checked inside the transaction: CONFLICT when it is
 * past (or the event has none to come), INVALID when it is not one of the event's. */
static int att_occurrence(struct store *s, struct arena *a, const struct attendance_env *env,
                          const struct att_event *ev, long long *occurrence,
                          struct field_errors *errs)
{
    if (*occurrence == 0) {
        long long *starts, *ends;
        int n;
        if (store_occurrences_upcoming(s, a, ev->id, env->now, 1, &starts, &ends, &n) != STORE_OK)
            return ENTRY_ERR;
        if (n == 0) {
            validate_error(errs, "occurrence",
                           "Cet événement est passé\u202f: on ne peut plus s'y inscrire.");
            return ENTRY_CONFLICT;
        }
        *occurrence = starts[0];
        return ENTRY_OK;
    }
    long long end;
    int rc = store_occurrence_find(s, ev->id, *occurrence, &end);
    if (rc == STORE_NOTFOUND) {
        validate_error(errs, "occurrence",
                       "Cette date n'est pas une des séances de l'événement\u202f: choisissez-en "
                       "une dans la liste.");
        return ENTRY_INVALID;
    }
    if (rc != STORE_OK)
        return ENTRY_ERR;
    if (*occurrence <= env->now) {
        validate_error(errs, "occurrence",
                       "Cette séance a déjà commencé ou est passée\u202f: on ne peut plus s'y "
                       "inscrire.");
        return ENTRY_CONFLICT;
    }
    return ENTRY_OK;
}

int attendance_register(struct store *s, struct arena *a, const struct attendance_env *env,
                        const struct entry *e, const struct user *who, const char *name,
                        const char *email, long long occurrence, struct field_errors *errs,
                        struct attendance_item *out, long *wait)
{
    memset(out, 0, sizeof(*out));
    *wait = 0;
    if (occurrence < 0) {
        validate_error(errs, "occurrence", "Date de séance invalide.");
        return ENTRY_INVALID;
    }
    if (!who) {
        name = att_line(a, name, ATTENDANCE_NAME_MAX);
        if (!name)
            validate_error(errs, "name",
                           arena_printf(a,
                                        "Indiquez votre nom (%d caractères au plus, sur une "
                                        "ligne), pour la liste des participants.",
                                        ATTENDANCE_NAME_MAX));
        email = att_email(a, email);
        if (!email)
            validate_error(errs, "email",
                           "Indiquez une adresse e-mail valide (ex. prenom.nom@exemple.fr)\u202f: "
                           "le lien de confirmation y sera envoyé.");
        if (errs->n)
            return ENTRY_INVALID;
    }
    /* The limits of guests: per client address, and per address written to. */
    struct att_hold hold = {.now = env->now};
    if (!who && env->ip) {
        pthread_once(&att_once, att_tables_new);
        char address[THROTTLE_ADDRESS_MAX];
        throttle_address(env->ip, address, sizeof address);
        *wait = att_take(
            &hold, att_guests_by_ip, address,
            territory_setting_long(s, "rate_registrations", ATTENDANCE_RATE_GUESTS_DEFAULT));
        if (!*wait)
            *wait = att_take(&hold, att_mails_by_address, email, ATTENDANCE_RATE_MAILS_DEFAULT);
        if (*wait) {
            att_forgive(&hold);
            return ENTRY_RATE_LIMITED;
        }
    }
    if (store_begin(s) != STORE_OK) {
        att_forgive(&hold);
        return ENTRY_ERR;
    }
    struct att_event ev;
    int rc = att_event_read(s, a, e->id, &ev);
    if (rc != ENTRY_OK)
        goto fail;
    if (who) {
        /* The account as the file has it now. */
        struct user_row u;
        int urc = store_user_by_id(s, a, who->id, &u);
        if (urc != STORE_OK || strcmp(u.status, "active") != 0) {
            rc = urc == STORE_ERR ? ENTRY_ERR : ENTRY_FORBIDDEN;
            goto fail;
        }
        name = u.name;
        email = att_email(a, u.email);
        if (!email) {
            rc = ENTRY_ERR;
            goto fail;
        }
    }
    rc = ENTRY_CONFLICT;
    if (!ev.on_site) {
        validate_error(errs, "occurrence",
                       "Cet événement ne prend pas d'inscription sur ce site (voir ses infos "
                       "pratiques).");
        goto fail;
    }
    bool closed;
    if (store_registration_closed(s, ev.id, &closed) != STORE_OK) {
        rc = ENTRY_ERR;
        goto fail;
    }
    if (closed) {
        validate_error(errs, "occurrence",
                       "Les inscriptions à cet événement sont closes par ses organisateurs.");
        goto fail;
    }
    if ((rc = att_occurrence(s, a, env, &ev, &occurrence, errs)) != ENTRY_OK)
        goto fail;
    int registered, waiting;
    if (store_registration_counts(s, ev.id, occurrence, &registered, &waiting) != STORE_OK) {
        rc = ENTRY_ERR;
        goto fail;
    }
    const char *state = "registered";
    if (ev.capacity >= 0 && registered >= ev.capacity) {
        state = "waiting";
        if (waiting >= att_waiting_max(ev.capacity)) {
            validate_error(errs, "occurrence",
                           arena_printf(a,
                                        "Complet\u202f: les %lld places et la liste d'attente "
                                        "(%d personnes) sont prises.",
                                        ev.capacity, att_waiting_max(ev.capacity)));
            rc = ENTRY_CONFLICT;
            goto fail;
        }
    }
    char token[ACCOUNT_TOKEN_LEN + 1], hash[65];
    account_random_token(token);
    att_token_hash(token, hash);
    struct registration_row row = {
        .entry_id = ev.id,
        .occurrence = occurrence,
        .user_id = who ? who->id : 0,
        .name = name,
        .email = email,
        .state = state,
        .confirmed = who != NULL,
        .created = env->now,
    };
    int src = store_registration_insert(s, &row, hash, &row.id);
    if (src == STORE_CONFLICT) {
        validate_error(errs, "email",
                       who ? "Vous êtes déjà inscrit à cette séance (ou sur sa liste d'attente)."
                           : "Cette adresse est déjà inscrite à cette séance (ou sur sa liste "
                             "d'attente)\u202f: voyez le courriel reçu alors.");
        rc = ENTRY_CONFLICT;
        goto fail;
    }
    rc = ENTRY_ERR;
    if (src != STORE_OK)
        goto fail;
    att_item_of(out, &row);
    if (att_item_position(s, out, &row) != ENTRY_OK ||
        att_mail_new(s, a, env, &ev, out, token) != ENTRY_OK ||
        store_generation_bump(s) != STORE_OK || store_commit(s) != STORE_OK)
        goto fail;
    return ENTRY_OK;
fail:
    store_rollback(s);
    att_forgive(&hold);
    return rc;
}

/* ---- links ------------------------------------------------------------------------------ */

/* The registration of a link's secret: ENTRY_NOTFOUND for one of no registration. */
static int att_by_token(struct store *s, struct arena *a, const char *token,
                        struct registration_row *r)
{
    if (!token || !account_token_shape(token))
        return ENTRY_NOTFOUND;
    char hash[65];
    att_token_hash(token, hash);
    int rc = store_registration_by_token(s, a, hash, r);
    return rc == STORE_OK ? ENTRY_OK : rc == STORE_NOTFOUND ? ENTRY_NOTFOUND : ENTRY_ERR;
}

int attendance_link(struct store *s, struct arena *a, const char *token, long long now,
                    struct attendance_item *out, const char **slug, const char **title)
{
    (void)now;
    struct registration_row r;
    int rc = att_by_token(s, a, token, &r);
    if (rc != ENTRY_OK)
        return rc;
    struct att_event ev;
    if ((rc = att_event_read(s, a, r.entry_id, &ev)) != ENTRY_OK)
        return rc;
    att_item_of(out, &r);
    if (att_item_position(s, out, &r) != ENTRY_OK)
        return ENTRY_ERR;
    *slug = ev.slug;
    *title = ev.title;
    return ENTRY_OK;
}

int attendance_confirm(struct store *s, struct arena *a, const struct attendance_env *env,
                       const char *token, struct attendance_item *out)
{
    if (store_begin(s) != STORE_OK)
        return ENTRY_ERR;
    struct registration_row r;
    int rc = att_by_token(s, a, token, &r);
    if (rc == ENTRY_OK && strcmp(r.state, "cancelled") == 0)
        rc = ENTRY_NOTFOUND;
    if (rc == ENTRY_OK && !r.confirmed &&
        (store_registration_confirm(s, r.id) != STORE_OK || store_generation_bump(s) != STORE_OK))
        rc = ENTRY_ERR;
    if (rc == ENTRY_OK) {
        r.confirmed = true;
        att_item_of(out, &r);
        rc = att_item_position(s, out, &r);
    }
    (void)env;
    if (rc != ENTRY_OK || store_commit(s) != STORE_OK) {
        store_rollback(s);
        return rc == ENTRY_OK ? ENTRY_ERR : rc;
    }
    return ENTRY_OK;
}

int attendance_cancel_token(struct store *s, struct arena *a, const struct attendance_env *env,
                            const char *token, struct attendance_item *out)
{
    if (store_begin(s) != STORE_OK)
        return ENTRY_ERR;
    struct registration_row r;
    struct att_event ev;
    int rc = att_by_token(s, a, token, &r);
    if (rc == ENTRY_OK && strcmp(r.state, "cancelled") == 0)
        rc = ENTRY_NOTFOUND;
    if (rc == ENTRY_OK)
        rc = att_event_read(s, a, r.entry_id, &ev);
    if (rc == ENTRY_OK)
        rc = att_cancel_row(s, a, env, &ev, &r);
    if (rc != ENTRY_OK || store_commit(s) != STORE_OK) {
        store_rollback(s);
        return rc == ENTRY_OK ? ENTRY_ERR : rc;
    }
    att_item_of(out, &r);
    out->state = "cancelled";
    return ENTRY_OK;
}

/* ---- organisers ------------------------------------------------------------------------- */

bool attendance_organises(struct store *s, struct arena *a, const struct viewer *v,
                          long long entry_id)
{
    /* The event's own managers (whoever created it) and moderators: not the managers of the
     * actors it names as organisers, since any editor may add an actor of theirs to that
     * field and would then read the participants' names and addresses. */
    (void)a;
    return v && v->user_id > 0 && membership_manages(s, v, entry_id);
}

int attendance_cancel(struct store *s, struct arena *a, const struct attendance_env *env,
                      const struct viewer *v, long long id, struct attendance_item *out)
{
    if (store_begin(s) != STORE_OK)
        return ENTRY_ERR;
    struct registration_row r;
    struct att_event ev;
    int rc = store_registration_get(s, a, id, &r);
    rc = rc == STORE_OK ? ENTRY_OK : rc == STORE_NOTFOUND ? ENTRY_NOTFOUND : ENTRY_ERR;
    if (rc == ENTRY_OK && strcmp(r.state, "cancelled") == 0)
        rc = ENTRY_NOTFOUND;
    bool own = rc == ENTRY_OK && v->user_id > 0 && r.user_id == v->user_id;
    bool organiser = rc == ENTRY_OK && !own && attendance_organises(s, a, v, r.entry_id);
    if (rc == ENTRY_OK && !own && !organiser)
        rc = ENTRY_FORBIDDEN;
    if (rc == ENTRY_OK)
        rc = att_event_read(s, a, r.entry_id, &ev);
    if (rc == ENTRY_OK)
        rc = att_cancel_row(s, a, env, &ev, &r);
    if (rc == ENTRY_OK && organiser && r.occurrence > env->now)
        rc = att_mail_cancelled(s, a, env, &ev, &r);
    if (rc != ENTRY_OK || store_commit(s) != STORE_OK) {
        store_rollback(s);
        return rc == ENTRY_OK ? ENTRY_ERR : rc;
    }
    att_item_of(out, &r);
    out->state = "cancelled";
    return ENTRY_OK;
}

/* The rows into items with their positions (counted along the ordered list). */
static struct attendance_item *att_items(struct arena *a, const struct registration_row *rows,
                                         int n)
{
    struct attendance_item *items = arena_alloc(a, sizeof(*items) * (size_t)(n ? n : 1));
    int pos = 0;
    for (int i = 0; i < n; i++) {
        att_item_of(&items[i], &rows[i]);
        bool same = i > 0 && rows[i].occurrence == rows[i - 1].occurrence &&
                    strcmp(rows[i].state, rows[i - 1].state) == 0;
        pos = same ? pos + 1 : 1;
        items[i].position = pos;
    }
    return items;
}

int attendance_list(struct store *s, struct arena *a, const struct viewer *v, const struct entry *e,
                    long long now, struct attendance_item **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (!attendance_organises(s, a, v, e->id))
        return ENTRY_FORBIDDEN;
    struct registration_row *rows;
    if (store_registrations_list(s, a, e->id, now, 100000, &rows, n) != STORE_OK)
        return ENTRY_ERR;
    *out = att_items(a, rows, *n);
    return ENTRY_OK;
}

int attendance_mine(struct store *s, struct arena *a, long long user_id, const struct entry *e,
                    long long now, struct attendance_item **out, int *n)
{
    struct registration_row *rows;
    *out = NULL;
    *n = 0;
    if (user_id <= 0)
        return ENTRY_OK;
    if (store_registrations_of_user(s, a, e->id, user_id, now, &rows, n) != STORE_OK)
        return ENTRY_ERR;
    struct attendance_item *items = arena_alloc(a, sizeof(*items) * (size_t)(*n ? *n : 1));
    for (int i = 0; i < *n; i++) {
        att_item_of(&items[i], &rows[i]);
        if (att_item_position(s, &items[i], &rows[i]) != ENTRY_OK)
            return ENTRY_ERR;
    }
    *out = items;
    return ENTRY_OK;
}

int attendance_set_closed(struct store *s, struct arena *a, const struct viewer *v,
                          const struct entry *e, bool closed, long long now)
{
    if (!attendance_organises(s, a, v, e->id))
        return ENTRY_FORBIDDEN;
    if (store_begin(s) != STORE_OK)
        return ENTRY_ERR;
    if (store_registration_set_closed(s, e->id, closed, v->user_id, now) != STORE_OK ||
        store_generation_bump(s) != STORE_OK || store_commit(s) != STORE_OK) {
        store_rollback(s);
        return ENTRY_ERR;
    }
    return ENTRY_OK;
}

/* A message's text: UTF-8, line breaks and tabs but no other control character, trimmed, CR LF
 * as LF; NULL when empty or longer than max characters. */
static const char *att_text(struct arena *a, const char *in, size_t max)
{
    if (!in || !utf8_valid(in, strlen(in)))
        return NULL;
    char *out = arena_alloc(a, strlen(in) + 1), *w = out;
    for (const char *p = in; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\r' && p[1] == '\n')
            continue;
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            return NULL;
        *w++ = *p;
    }
    *w = '\0';
    char *start = out;
    while (*start == ' ' || *start == '\n' || *start == '\t')
        start++;
    while (w > start && (w[-1] == ' ' || w[-1] == '\n' || w[-1] == '\t'))
        *--w = '\0';
    return *start && utf8_count(start, strlen(start)) <= max ? start : NULL;
}

int attendance_write(struct store *s, struct arena *a, const struct attendance_env *env,
                     const struct user *sender, const struct entry *e, long long occurrence,
                     const char *subject, const char *text, bool waiting_too,
                     struct field_errors *errs, int *sent, long *wait)
{
    *sent = 0;
    *wait = 0;
    struct viewer v = viewer_of(sender);
    if (!sender || !attendance_organises(s, a, &v, e->id))
        return ENTRY_FORBIDDEN;
    const char *subj = att_line(a, subject, ATTENDANCE_SUBJECT_MAX);
    const char *body = att_text(a, text, ATTENDANCE_TEXT_MAX);
    if (!subj)
        validate_error(errs, "subject",
                       arena_printf(a,
                                    "Indiquez l'objet du message (%d caractères au plus, sur "
                                    "une ligne).",
                                    ATTENDANCE_SUBJECT_MAX));
    if (!body)
        validate_error(errs, "text",
                       arena_printf(a,
                                    "Écrivez le message, en texte simple (%d caractères au "
                                    "plus).",
                                    ATTENDANCE_TEXT_MAX));
    if (errs->n)
        return ENTRY_INVALID;
    pthread_once(&att_once, att_tables_new);
    struct att_hold hold = {.now = env->now};
    char key[32];
    snprintf(key, sizeof key, "#%lld", e->id);
    *wait = att_take(
        &hold, att_writes_by_entry, key,
        territory_setting_long(s, "rate_registration_mails", ATTENDANCE_WRITE_RATE_DEFAULT));
    if (*wait)
        return ENTRY_RATE_LIMITED;
    if (store_begin(s) != STORE_OK) {
        att_forgive(&hold);
        return ENTRY_ERR;
    }
    struct att_event ev;
    struct registration_row *rows;
    int n = 0;
    struct user_row u;
    int rc = att_event_read(s, a, e->id, &ev);
    if (rc == ENTRY_OK && store_user_by_id(s, a, sender->id, &u) != STORE_OK)
        rc = ENTRY_ERR;
    if (rc == ENTRY_OK &&
        store_registrations_list(s, a, e->id, env->now, 100000, &rows, &n) != STORE_OK)
        rc = ENTRY_ERR;
    for (int i = 0; rc == ENTRY_OK && i < n; i++) {
        if (occurrence && rows[i].occurrence != occurrence)
            continue;
        bool waiting = strcmp(rows[i].state, "waiting") == 0;
        if (waiting && !waiting_too)
            continue;
        struct att_mail m = {BUF_INIT, BUF_INIT};
        att_para(&m, arena_printf(a, "Bonjour %s,", rows[i].name));
        att_para(&m, arena_printf(a,
                                  "%s, de l'organisation de «\u202f%s\u202f» (%s), écrit aux "
                                  "%s\u202f:",
                                  u.name, ev.title, att_when(a, rows[i].occurrence),
                                  waiting ? "personnes inscrites et en liste d'attente"
                                          : "personnes inscrites"));
        att_para(&m, body);
        att_para(&m, arena_printf(a,
                                  "Vous recevez ce message parce que vous êtes %s à cet "
                                  "événement sur %s. Pour répondre, répondez à ce courriel.",
                                  waiting ? "sur la liste d'attente" : "inscrit", att_site(env)));
        const char *subj_line = arena_printf(a, "[%s] %s\u202f: %s", att_site(env), ev.title, subj);
        if (att_send(s, a, env, NULL, 0, rows[i].email, subj_line,
                     account_email_valid(u.email) ? u.email : NULL, &m) != ENTRY_OK)
            rc = ENTRY_ERR;
        else
            (*sent)++;
    }
    if (rc != ENTRY_OK || store_commit(s) != STORE_OK) {
        store_rollback(s);
        att_forgive(&hold);
        *sent = 0;
        return rc == ENTRY_OK ? ENTRY_ERR : rc;
    }
    if (*sent == 0)
        att_forgive(&hold);
    return ENTRY_OK;
}

/* ---- what pages and the API show -------------------------------------------------------- */

int attendance_seats(struct store *s, struct arena *a, const struct entry *e, json_t *fields,
                     long long now, int max, struct attendance_seats *out)
{
    memset(out, 0, sizeof(*out));
    out->capacity = attendance_capacity(e->kind, fields);
    out->on_site = attendance_on_site(e->kind, fields);
    if (!out->on_site)
        return ENTRY_OK;
    if (store_registration_closed(s, e->id, &out->closed) != STORE_OK)
        return ENTRY_ERR;
    long long *starts, *ends;
    int n;
    if (store_occurrences_upcoming(s, a, e->id, now, max, &starts, &ends, &n) != STORE_OK)
        return ENTRY_ERR;
    out->occurrences = arena_alloc(a, sizeof(*out->occurrences) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        struct attendance_occurrence *o = &out->occurrences[i];
        o->start = starts[i];
        o->end = ends[i];
        if (store_registration_counts(s, e->id, starts[i], &o->registered, &o->waiting) != STORE_OK)
            return ENTRY_ERR;
        o->seats_left = out->capacity < 0                ? -1
                        : o->registered >= out->capacity ? 0
                                                         : (int)(out->capacity - o->registered);
        o->full = out->capacity >= 0 && o->seats_left == 0 &&
                  o->waiting >= att_waiting_max(out->capacity);
    }
    out->n = n;
    return ENTRY_OK;
}

int attendance_seats_left(struct store *s, const long long *ids, const long long *capacities, int n,
                          long long now, long long *left)
{
    if (n <= 0)
        return ENTRY_OK;
    long long *occ = malloc(sizeof(*occ) * (size_t)n);
    int *reg = malloc(sizeof(*reg) * (size_t)n);
    if (!occ || !reg) {
        free(occ);
        free(reg);
        return ENTRY_ERR;
    }
    int rc = store_seats_next(s, ids, n, now, occ, reg) == STORE_OK ? ENTRY_OK : ENTRY_ERR;
    for (int i = 0; i < n; i++) {
        long long l = capacities[i] - reg[i];
        left[i] = rc != ENTRY_OK || capacities[i] < 0 || !occ[i] ? -1 : l < 0 ? 0 : l;
    }
    free(occ);
    free(reg);
    return rc;
}

/* ---- the save path and publication ------------------------------------------------------ */

int attendance_save_check(struct store *s, struct arena *a, const struct kind_def *k,
                          long long entry_id, json_t *fields, long long now,
                          struct field_errors *errs)
{
    const struct field_def *f = att_seats_field(k);
    long long capacity = attendance_capacity(k, fields);
    if (!f || capacity < 0 || entry_id <= 0)
        return ENTRY_OK;
    int most;
    if (store_registrations_max_upcoming(s, entry_id, now, &most) != STORE_OK)
        return ENTRY_ERR;
    if (most <= capacity)
        return ENTRY_OK;
    validate_error(errs, f->name,
                   arena_printf(a,
                                "%s\u202f: %d %s déjà %s à une même séance à venir\u202f; la "
                                "capacité ne peut pas descendre en dessous (annulez d'abord des "
                                "inscriptions).",
                                f->label, most, most > 1 ? "personnes sont" : "personne est",
                                most > 1 ? "inscrites" : "inscrite"));
    return ENTRY_INVALID;
}

/* Registrations to dates the published revision no longer has (the occurrences are derived
 * just before): an event with one date to come takes them to it, in their order, and a
 * series that lost dates cancels them; each person is told by mail. What a moved registration
 * no longer fits in (the new date's seats) is the waiting list's, filled by the caller. */
static int att_dates_changed(struct store *s, struct arena *a, const struct attendance_env *env,
                             const struct att_event *ev)
{
    struct registration_row *orphans;
    int n;
    long long now = env->now;
    if (store_registrations_orphaned(s, a, ev->id, now, &orphans, &n) != STORE_OK)
        return ENTRY_ERR;
    if (n == 0)
        return ENTRY_OK;
    long long *starts, *ends;
    int nup;
    if (store_occurrences_upcoming(s, a, ev->id, now, 2, &starts, &ends, &nup) != STORE_OK)
        return ENTRY_ERR;
    const struct kind_def *k = ev->k;
    bool single = nup == 1 && !(k->when.recurrence &&
                                json_is_string(json_object_get(ev->fields, k->when.recurrence)));
    for (int i = 0; i < n; i++) {
        const struct registration_row *r = &orphans[i];
        long long to = single ? starts[0] : 0;
        int rc = to ? store_registration_move(s, r->id, to) : STORE_CONFLICT;
        if (rc == STORE_CONFLICT) {
            /* A series' lost date, or the address already holds a seat at the new one. */
            to = 0;
            rc = store_registration_cancel(s, r->id, now);
        }
        if (rc != STORE_OK || att_mail_moved(s, a, env, ev, r, to) != ENTRY_OK)
            return ENTRY_ERR;
    }
    /* Moved registrations keep their states: more registered than seats at the new date go
     * back to waiting, the latest first (their order is their ids). */
    if (single && ev->capacity >= 0 &&
        store_registrations_trim(s, ev->id, starts[0], ev->capacity) != STORE_OK)
        return ENTRY_ERR;
    return store_generation_bump(s) == STORE_OK ? ENTRY_OK : ENTRY_ERR;
}

int attendance_published(struct store *s, struct arena *a, const struct kind_def *k,
                         long long entry_id, json_t *fields, long long now)
{
    if (!att_seats_field(k) || !k->when.start)
        return ENTRY_OK;
    struct entry_row row;
    if (store_entry_by_id(s, a, entry_id, &row) != STORE_OK)
        return ENTRY_ERR;
    struct att_event ev;
    att_event_fill(a, &ev, k, &row, fields, now);
    struct attendance_env env;
    att_env_stored(s, a, now, &env);
    if (att_dates_changed(s, a, &env, &ev) != ENTRY_OK)
        return ENTRY_ERR;
    long long *starts;
    int n;
    if (store_occurrences_waiting(s, a, entry_id, now, &starts, &n) != STORE_OK)
        return ENTRY_ERR;
    for (int i = 0; i < n; i++)
        if (att_fill(s, a, &env, &ev, starts[i], NULL) != ENTRY_OK)
            return ENTRY_ERR;
    return ENTRY_OK;
}

int attendance_expire(struct store *s, struct arena *a, long long now, int *done)
{
    struct registration_row *rows;
    int n;
    if (store_registrations_unconfirmed(s, a, now - ATTENDANCE_CONFIRM_SECONDS, now, 200, &rows,
                                        &n) != STORE_OK)
        return -1;
    struct attendance_env env;
    att_env_stored(s, a, now, &env);
    int failed = 0;
    /* One transaction each: what one expiry frees is given before the next is read. */
    for (int i = 0; i < n; i++) {
        if (store_begin(s) != STORE_OK)
            return -1;
        struct registration_row r;
        struct att_event ev;
        int rc = store_registration_get(s, a, rows[i].id, &r) == STORE_OK ? ENTRY_OK : ENTRY_ERR;
        bool still = rc == ENTRY_OK && !r.confirmed && strcmp(r.state, "cancelled") != 0;
        if (still) {
            rc = att_event_read(s, a, r.entry_id, &ev);
            /* An event no longer public frees the seat without giving it on. */
            if (rc == ENTRY_NOTFOUND)
                rc = store_registration_cancel(s, r.id, now) == STORE_OK ? ENTRY_OK : ENTRY_ERR;
            else if (rc == ENTRY_OK)
                rc = att_cancel_row(s, a, &env, &ev, &r);
        }
        if (rc != ENTRY_OK || store_commit(s) != STORE_OK) {
            store_rollback(s);
            failed = 1;
            continue;
        }
        if (still && done)
            (*done)++;
    }
    return failed ? -1 : 0;
}
