/* contact.c — the contact form's rules, and the mail it relays (see contact.h). */
#include "core/contact.h"
#include "core/account.h"
#include "core/entry.h"
#include "core/outbox.h"
#include "core/spam.h"
#include "core/territory.h"
#include "core/throttle.h"
#include "core/validate.h"
#include "store/entry_store.h"
#include "store/store.h"
#include "store/user_store.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/utf8.h"
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per client address and per sender: a table full of held keys lets a new key through (the other
 * limits still hold, and an attacker who fills it has many addresses anyway); per record: held,
 * since that limit is what protects the recipient. */
static struct throttle *contact_by_ip, *contact_by_sender, *contact_by_entry;
static pthread_once_t contact_once = PTHREAD_ONCE_INIT;

static void contact_tables_new(void)
{
    contact_by_ip = throttle_new(2048, CONTACT_RATE_WINDOW, THROTTLE_OVERFLOW_UNTRACKED);
    contact_by_sender = throttle_new(2048, CONTACT_RATE_WINDOW, THROTTLE_OVERFLOW_UNTRACKED);
    contact_by_entry = throttle_new(1024, CONTACT_RATE_ENTRY_WINDOW, THROTTLE_OVERFLOW_SHARE);
}

const struct field_def *contact_field(const struct kind_def *k)
{
    for (size_t i = 0; k && i < k->nfields; i++)
        if (k->fields[i].private && k->fields[i].type == FT_EMAIL)
            return &k->fields[i];
    return NULL;
}

/* The record as the file has it now: its current slug, the title and the address of its
 * published revision. CONTACT_NOTFOUND when it takes no message. */
static int contact_target(struct store *s, struct arena *a, const struct entry *e,
                          const char **slug, const char **title, const char **address)
{
    const struct field_def *f = contact_field(e->kind);
    if (!f)
        return CONTACT_NOTFOUND;
    struct entry_row row;
    int rc = store_entry_by_id(s, a, e->id, &row);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? CONTACT_NOTFOUND : CONTACT_ERR;
    /* A record hidden after reports or withdrawn relays nothing, even for the moderators who
     * still see it: what was reported may be the address itself. */
    if (row.deleted || row.hidden || row.published_rev == 0 || strcmp(row.kind, e->kind->name) != 0)
        return CONTACT_NOTFOUND;
    struct revision_row rev;
    rc = store_revision_get(s, a, row.id, row.published_rev, &rev);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? CONTACT_NOTFOUND : CONTACT_ERR;
    json_t *fields = rev.fields ? json_loads(rev.fields, 0, NULL) : NULL;
    if (!fields) {
        fprintf(stderr, "foison: entry %lld: revision %d unreadable\n", row.id, row.published_rev);
        return CONTACT_ERR;
    }
    const char *v = json_string_value(json_object_get(fields, f->name));
    rc = v && *v && account_email_valid(v) ? CONTACT_OK : CONTACT_NOTFOUND;
    if (rc == CONTACT_OK) {
        *slug = row.slug;
        *title = arena_strdup(a, entry_title(e->kind, fields));
        *address = arena_strdup(a, v);
    }
    json_decref(fields);
    return rc;
}

bool contact_open(struct store *s, struct arena *a, const struct entry *e)
{
    const char *slug, *title, *address;
    return contact_field(e->kind) && !e->hidden && e->published_rev > 0 &&
           contact_target(s, a, e, &slug, &title, &address) == CONTACT_OK;
}

/* Is s at a character that is not seen but changes how the text around it reads: the bidi
 * controls (U+202A–U+202E, U+2066–U+2069) and, with all, the zero-width ones (U+200B–U+200F)
 * and the BOM. A name or a subject with one could pass for another. */
static bool contact_invisible(const unsigned char *u, bool all)
{
    if (u[0] == 0xE2 && u[1] == 0x80 && u[2] >= 0xAA && u[2] <= 0xAE)
        return true;
    if (u[0] == 0xE2 && u[1] == 0x81 && u[2] >= 0xA6 && u[2] <= 0xA9)
        return true;
    if (!all)
        return false;
    return (u[0] == 0xE2 && u[1] == 0x80 && u[2] >= 0x8B && u[2] <= 0x8F) ||
           (u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF);
}

enum contact_problem { CONTACT_EMPTY, CONTACT_LONG, CONTACT_NOT_TEXT };

/* The text trimmed of spaces (and, with lines, of blank lines around it) and with CR LF as LF, in
 * a; NULL with *why when it is empty, longer than max characters, not UTF-8, or holds a control
 * character (but the line break and the tab, with lines) or an invisible one. */
static const char *contact_clean(struct arena *a, const char *in, size_t max, bool lines,
                                 enum contact_problem *why)
{
    *why = CONTACT_EMPTY;
    if (!in)
        return NULL;
    size_t n = strlen(in);
    *why = CONTACT_NOT_TEXT;
    if (!utf8_valid(in, n))
        return NULL;
    char *out = arena_alloc(a, n + 1), *w = out;
    for (const char *p = in; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\r' && p[1] == '\n' && lines)
            continue;
        if ((c < 0x20 && !(lines && (c == '\n' || c == '\t'))) || c == 0x7f ||
            contact_invisible((const unsigned char *)p, !lines))
            return NULL;
        *w++ = *p;
    }
    *w = '\0';
    char *start = out;
    while (*start == ' ' || (lines && (*start == '\n' || *start == '\t')))
        start++;
    while (w > start && (w[-1] == ' ' || (lines && (w[-1] == '\n' || w[-1] == '\t'))))
        *--w = '\0';
    *why = *start ? CONTACT_LONG : CONTACT_EMPTY;
    if (!*start || utf8_count(start, strlen(start)) > max)
        return NULL;
    return start;
}

/* The message's own checks, each beside its field. */
static void contact_check(struct arena *a, const struct contact_message *m, const char **name,
                          const char **email, const char **subject, const char **text,
                          struct field_errors *errs)
{
    enum contact_problem why;
    if (!m->sender) {
        *name = contact_clean(a, m->name, CONTACT_NAME_MAX, false, &why);
        if (!*name)
            validate_error(errs, "name",
                           arena_printf(a,
                                        "Indiquez votre nom, pour que la personne sache qui lui "
                                        "écrit (%d caractères au plus, sur une ligne).",
                                        CONTACT_NAME_MAX));
        *email = contact_clean(a, m->email, 254, false, &why);
        if (!*email || !account_email_valid(*email))
            validate_error(errs, "email",
                           "Indiquez une adresse e-mail valide (ex. prenom.nom@exemple.fr)\u202f: "
                           "la réponse vous sera envoyée à cette adresse.");
    }
    *subject = contact_clean(a, m->subject, CONTACT_SUBJECT_MAX, false, &why);
    if (!*subject)
        validate_error(errs, "subject",
                       arena_printf(a,
                                    "Indiquez l'objet du message (%d caractères au plus, sur "
                                    "une ligne).",
                                    CONTACT_SUBJECT_MAX));
    *text = contact_clean(a, m->text, CONTACT_TEXT_MAX, true, &why);
    if (!*text)
        validate_error(
            errs, "text",
            why == CONTACT_LONG
                ? arena_printf(a,
                               "Le message compte %d caractères au plus (vous en avez écrit %zu).",
                               CONTACT_TEXT_MAX, utf8_count(m->text, strlen(m->text)))
            : why == CONTACT_NOT_TEXT
                ? "Le message doit être du texte simple, sans caractères de contrôle."
                : "Écrivez votre message.");
    /* The signs of a robot come last and say little: a person never meets them. */
    if (m->trap && *m->trap)
        validate_error(errs, "_",
                       "Ce formulaire a été rempli par un robot\u202f: le message n'a pas été "
                       "transmis. Si ce n'est pas le cas, laissez vide le champ «\u202fNe pas "
                       "remplir\u202f» et envoyez-le de nouveau.");
    else if (m->form_age < 0)
        validate_error(errs, "_",
                       "Le formulaire a expiré (ou vient d'un autre navigateur)\u202f: relisez "
                       "votre message et envoyez-le de nouveau.");
    else if (m->form_age < CONTACT_MIN_SECONDS)
        validate_error(errs, "_",
                       "Le formulaire a été envoyé trop vite pour avoir été rempli par une "
                       "personne\u202f: relisez votre message et envoyez-le de nouveau.");
}

/* What one message counted against the limits, to take back when it is not sent. */
struct contact_hold {
    struct throttle *tables[3];
    char keys[3][300];
    int n;
    long long now;
};

/* Counts one against key in t (max per window; 0: the limit is off). The seconds to wait when
 * the limit is reached (nothing counted then). */
static long contact_take(struct contact_hold *h, struct throttle *t, const char *key, long max)
{
    if (max <= 0)
        return 0;
    long w = throttle_take(t, key, max > 65535 ? 65535 : (int)max, h->now);
    if (w == THROTTLE_UNTRACKED)
        return 0;
    if (w > 0)
        return w;
    h->tables[h->n] = t;
    snprintf(h->keys[h->n], sizeof h->keys[h->n], "%s", key);
    h->n++;
    return 0;
}

static void contact_forgive(struct contact_hold *h)
{
    for (int i = 0; i < h->n; i++)
        throttle_forgive(h->tables[i], h->keys[i], h->now);
    h->n = 0;
}

/* Counts the message against every limit: per client address (but for trusted accounts, which
 * may share one address, a library's, and never share a budget: core/rate.h), per sender, per
 * record. The seconds to wait when one is reached; then nothing stays counted. */
static long contact_rate(struct store *s, const struct contact_message *m, enum role role,
                         const char *sender_key, long long entry_id, struct contact_hold *h)
{
    pthread_once(&contact_once, contact_tables_new);
    long per_sender = territory_setting_long(s, "rate_contact", CONTACT_RATE_SENDER_DEFAULT);
    long per_entry = territory_setting_long(s, "rate_contact_entry", CONTACT_RATE_ENTRY_DEFAULT);
    memset(h, 0, sizeof(*h));
    h->now = m->now;
    char address[THROTTLE_ADDRESS_MAX], entry_key[32];
    throttle_address(m->ip, address, sizeof address);
    snprintf(entry_key, sizeof entry_key, "#%lld", entry_id);
    long w = role < ROLE_TRUSTED ? contact_take(h, contact_by_ip, address, per_sender) : 0;
    if (!w)
        w = contact_take(h, contact_by_sender, sender_key, per_sender);
    if (!w)
        w = contact_take(h, contact_by_entry, entry_key, per_entry);
    if (w)
        contact_forgive(h);
    return w;
}

/* The spam score of the message (name, subject, text) as of a new text by its sender's role. */
static void contact_spam(struct store *s, struct arena *a, const char *name, const char *subject,
                         const char *text, enum role role, long long account_age,
                         struct spam_result *out)
{
    static const struct field_def fields[] = {
        {.name = "name", .type = FT_TEXT},
        {.name = "subject", .type = FT_TEXT},
        {.name = "text", .type = FT_TEXT},
    };
    static const struct kind_def kind = {.name = "contact", .fields = fields, .nfields = 3};
    json_t *values = json_pack("{s:s, s:s, s:s}", "name", name, "subject", subject, "text", text);
    char *blocked = store_setting_get(s, "blocked_domains");
    struct spam_input in = {
        .kind = &kind,
        .fields = values,
        .role = role,
        .account_age = account_age,
        /* The time the form was open has its own rule here (CONTACT_MIN_SECONDS): as a spam
         * signal it would refuse any message sent within ten seconds, since a held message is
         * a refused one. */
        .fill_seconds = -1,
        .blocked_domains = blocked ? arena_strdup(a, blocked) : NULL,
    };
    free(blocked);
    if (values)
        spam_score(a, &in, out);
    else
        memset(out, 0, sizeof(*out));
    json_decref(values);
}

/* Refused as spam: why, and what to do if it is not. */
static void contact_spam_refusal(struct arena *a, const struct spam_result *r, bool anonymous,
                                 struct field_errors *errs)
{
    struct buf b = BUF_INIT;
    buf_puts(&b, "Ce message ressemble à du spam et n'a pas été transmis");
    for (int i = 0; i < r->nreasons; i++)
        buf_printf(&b, "%s%s", i ? "\u202f; " : "\u202f: ", r->reasons[i]);
    buf_puts(&b, anonymous ? ". Reformulez-le (moins de liens, sans publicité), ou connectez-vous "
                             "pour l'envoyer depuis votre compte."
                           : ". Reformulez-le (moins de liens, sans publicité).");
    validate_error(errs, "text", arena_strdup(a, buf_cstr(&b)));
    buf_free(&b);
}

/* The relayed mail: who writes, through which record, how to answer, how to stop. Plain text
 * only: the sender's text is never read as HTML by anyone. */
static char *contact_body(struct arena *a, const char *site, const char *name, const char *email,
                          const char *title, const char *url, const char *subject, const char *text,
                          bool verified)
{
    struct buf b = BUF_INIT;
    buf_printf(&b,
               "Bonjour,\n\n%s <%s> vous écrit par le formulaire de contact de la fiche "
               "«\u202f%s\u202f» sur %s\u202f:\n%s\n\nObjet\u202f: %s\n\n%s\n\n"
               "————————————————\n",
               name, email, title, site, url, subject, text);
    buf_printf(&b,
               "Pour répondre, répondez simplement à ce courriel\u202f: votre réponse ira "
               "directement à %s, sans passer par %s.\n",
               email, site);
    if (verified)
        buf_printf(&b, "Ce message vient d'un compte de %s dont l'adresse a été confirmée.\n",
                   site);
    else
        buf_printf(&b,
                   "%s n'a vérifié ni ce nom ni cette adresse\u202f: méfiez-vous d'une demande "
                   "d'argent, de mot de passe ou de coordonnées bancaires.\n",
                   site);
    buf_printf(&b,
               "\nVous recevez ce message parce que votre adresse est l'adresse de contact de "
               "cette fiche\u202f; %s ne la montre à personne et ne garde pas le texte des "
               "messages qu'il transmet. Pour ne plus en recevoir, retirez l'adresse de contact "
               "de la fiche\u202f: modifiez-la (%s/edit, avec un compte du site) et cochez "
               "«\u202fRetirer l'adresse enregistrée\u202f».\n\n— %s\n",
               site, url, site);
    char *out = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return out;
}

int contact_send(struct store *s, struct arena *a, const struct entry *e,
                 const struct contact_message *m, struct field_errors *errs, long *wait)
{
    *wait = 0;
    if (!contact_field(e->kind))
        return CONTACT_NOTFOUND;
    const char *name = NULL, *email = NULL, *subject, *text;
    enum role role = ROLE_VISITOR;
    long long account_age = -1;
    const char *sender_key = "";
    if (m->sender) {
        /* The account as the file has it now: its name, its confirmed address, its rights. */
        struct user_row u;
        int rc = store_user_by_id(s, a, m->sender->id, &u);
        if (rc == STORE_ERR)
            return CONTACT_ERR;
        if (rc != STORE_OK || strcmp(u.status, "active") != 0) {
            validate_error(errs, "_", "Ce compte ne peut plus écrire depuis le site.");
            return CONTACT_INVALID;
        }
        name = u.name;
        email = u.email;
        role = role_from_name(u.role);
        account_age = m->now - u.created;
        sender_key = arena_printf(a, "#%lld", u.id);
    }
    contact_check(a, m, &name, &email, &subject, &text, errs);
    if (errs->n)
        return CONTACT_INVALID;
    if (!m->sender) {
        char *key = arena_strdup(a, email);
        for (char *p = key; *p; p++)
            *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        sender_key = key;
    }
    struct contact_hold hold;
    *wait = contact_rate(s, m, role, sender_key, e->id, &hold);
    if (*wait > 0)
        return CONTACT_LIMITED;
    /* Above the hold threshold a save waits for a moderator; a message cannot wait (nobody reads
     * it before its recipient), so it is refused there already. A threshold of 0 (every edit
     * reviewed) says nothing about messages: then only the refuse threshold applies. */
    struct spam_result spam;
    contact_spam(s, a, name, subject, text, role, account_age, &spam);
    long hold_at = territory_setting_long(s, "spam_hold", SPAM_HOLD_DEFAULT);
    long refuse_at = territory_setting_long(s, "spam_refuse", SPAM_REFUSE_DEFAULT);
    if (spam.score >= refuse_at || (hold_at > 0 && spam.score >= hold_at)) {
        contact_spam_refusal(a, &spam, !m->sender, errs);
        return CONTACT_INVALID; /* still counted */
    }
    if (store_begin(s) != STORE_OK) {
        contact_forgive(&hold);
        return CONTACT_ERR;
    }
    const char *slug, *title, *address;
    int rc = contact_target(s, a, e, &slug, &title, &address);
    if (rc == CONTACT_OK) {
        const char *site = m->site_name && *m->site_name ? m->site_name : "foison";
        const char *url =
            arena_printf(a, "%s/%s/%s", m->base_url ? m->base_url : "", e->kind->segment, slug);
        struct outbox_mail mail = {
            .to = address,
            .reply_to = email,
            .subject = arena_printf(a, "[%s] Message via la fiche «\u202f%s\u202f»\u202f: %s", site,
                                    title, subject),
            .text =
                contact_body(a, site, name, email, title, url, subject, text, m->sender != NULL),
        };
        rc = outbox_queue(s, a, &mail, m->now) == 0 ? CONTACT_OK : CONTACT_ERR;
    }
    if (rc != CONTACT_OK) {
        store_rollback(s);
        contact_forgive(&hold);
        return rc;
    }
    if (store_commit(s) != STORE_OK) {
        contact_forgive(&hold);
        return CONTACT_ERR;
    }
    return CONTACT_OK;
}
