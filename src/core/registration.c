/* registration.c — sign-up, confirmation, reset, the account page's changes, leaving, and the
 * export of one's data. Every change is one transaction; the mail it announces is queued in it. */
#include "core/registration.h"
#include "core/outbox.h"
#include "core/password.h"
#include "core/territory.h"
#include "core/throttle.h"
#include "store/moderation_store.h"
#include "store/outbox_store.h"
#include "store/user_store.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/utf8.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static struct throttle *reg_signups_by_ip, *reg_mails_by_ip, *reg_mails_by_account,
    *reg_confirm_by_link, *reg_password_by_account;
static pthread_once_t reg_once = PTHREAD_ONCE_INIT;

static void reg_tables_new(void)
{
    /* Per address: when the table is full of held keys, a new address is let through rather
     * than held with the flood (see throttle.h); per account or link: held. */
    reg_signups_by_ip = throttle_new(2048, 3600, THROTTLE_OVERFLOW_UNTRACKED);
    reg_mails_by_ip = throttle_new(2048, 3600, THROTTLE_OVERFLOW_UNTRACKED);
    reg_mails_by_account = throttle_new(2048, 3600, THROTTLE_OVERFLOW_SHARE);
    reg_confirm_by_link = throttle_new(1024, 900, THROTTLE_OVERFLOW_SHARE);
    reg_password_by_account = throttle_new(1024, 900, THROTTLE_OVERFLOW_SHARE);
}

static void reg_tables(void)
{
    pthread_once(&reg_once, reg_tables_new);
}

/* Is s at a character that changes how text around it reads without being seen: bidi
 * controls (U+202A–U+202E, U+2066–U+2069), zero-width ones (U+200B–U+200F), the BOM? Refused
 * in names, which readers must be able to tell apart. */
static bool reg_invisible(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] == 0xE2 && u[1] == 0x80 &&
        ((u[2] >= 0x8B && u[2] <= 0x8F) || (u[2] >= 0xAA && u[2] <= 0xAE)))
        return true;
    if (u[0] == 0xE2 && u[1] == 0x81 && u[2] >= 0xA6 && u[2] <= 0xA9)
        return true;
    return u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF;
}

/* The trimmed copy of a one-line text, or NULL when it is empty, too long or not text. */
static const char *reg_line(struct arena *a, const char *in, size_t max_chars)
{
    if (!in)
        return NULL;
    while (*in == ' ')
        in++;
    size_t n = strlen(in);
    while (n > 0 && in[n - 1] == ' ')
        n--;
    if (n == 0 || n > max_chars * 4 || !utf8_valid(in, n) || utf8_count(in, n) > max_chars)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)in[i] < 0x20 || in[i] == 0x7f || reg_invisible(in + i))
            return NULL;
    char *out = arena_alloc(a, n + 1);
    memcpy(out, in, n);
    out[n] = '\0';
    return out;
}

static const char *reg_email(struct arena *a, const char *in, struct field_errors *errs,
                             const char *field)
{
    const char *e = reg_line(a, in, 254);
    if (!e || !account_email_valid(e) || strlen(e) > 254) {
        validate_error(errs, field,
                       "Indiquez une adresse e-mail valide (ex. prenom.nom@exemple.fr).");
        return NULL;
    }
    return e;
}

static bool reg_password_ok(struct arena *a, const char *password, const char *email,
                            const char *name, struct field_errors *errs, const char *field)
{
    const char *why = password_problem(password, email, name);
    if (why) /* the reasons begin in lower case and end without a full stop: a sentence here */
        validate_error(errs, field,
                       arena_printf(a, "%c%s.",
                                    why[0] >= 'a' && why[0] <= 'z' ? why[0] - 32 : why[0],
                                    why + 1));
    return !why;
}

const char *registration_line(struct arena *a, const char *in, size_t max_chars)
{
    return reg_line(a, in, max_chars);
}

int registration_check_account(struct arena *a, const char *name, const char *email,
                               const char *password, struct field_errors *errs,
                               const char **name_out, const char **email_out)
{
    const char *n = reg_line(a, name, 80);
    if (!n)
        validate_error(errs, "name",
                       "Indiquez le nom affiché sur vos contributions (80 "
                       "caractères au plus, sur une ligne).");
    const char *e = reg_email(a, email, errs, "email");
    reg_password_ok(a, password, e, n, errs, "password");
    *name_out = n;
    *email_out = e;
    return errs->n ? REGISTRATION_INVALID : REGISTRATION_OK;
}

/* Takes one from each limit; the seconds to wait when one is reached (nothing is taken then from
 * the others that passed: they are forgiven). */
/* k1 is a client address (counted by its /64 for IPv6: throttle_address). */
static long reg_take(struct throttle *t1, const char *k1, int max1, struct throttle *t2,
                     const char *k2, int max2, long long now)
{
    char address[THROTTLE_ADDRESS_MAX];
    throttle_address(k1, address, sizeof address);
    long w = throttle_take(t1, address, max1, now);
    if (w > 0)
        return w;
    if (t2) {
        long w2 = throttle_take(t2, k2, max2, now);
        if (w2 > 0) {
            if (w == 0)
                throttle_forgive(t1, address, now);
            return w2;
        }
    }
    return 0; /* THROTTLE_UNTRACKED included: see reg_tables_new */
}

/* Queues a mail of paragraphs around one link (NULL: none). */
static int reg_mail(struct store *s, struct arena *a, const struct registration_env *env,
                    const char *to, const char *subject, const char *intro, const char *link_label,
                    const char *link, const char *outro)
{
    const char *site = env->site_name && *env->site_name ? env->site_name : "foison";
    struct buf t = BUF_INIT, h = BUF_INIT;
    buf_printf(&t, "Bonjour,\n\n%s\n\n", intro);
    buf_puts(&h, "<p>Bonjour,</p><p>");
    buf_put_html(&h, intro, strlen(intro));
    buf_puts(&h, "</p>");
    if (link) {
        buf_printf(&t, "%s :\n%s\n\n", link_label, link);
        buf_puts(&h, "<p><a href=\"");
        buf_put_html(&h, link, strlen(link));
        buf_puts(&h, "\">");
        buf_put_html(&h, link_label, strlen(link_label));
        buf_puts(&h, "</a></p>");
    }
    if (outro) {
        buf_printf(&t, "%s\n\n", outro);
        buf_puts(&h, "<p>");
        buf_put_html(&h, outro, strlen(outro));
        buf_puts(&h, "</p>");
    }
    buf_printf(&t, "— %s\n", site);
    buf_puts(&h, "<p>— ");
    buf_put_html(&h, site, strlen(site));
    buf_puts(&h, "</p>");
    char *text = arena_strdup(a, t.data), *html = arena_strdup(a, h.data);
    buf_free(&t);
    buf_free(&h);
    struct outbox_mail m = {.to = to, .subject = subject, .text = text, .html = html};
    return outbox_queue(s, a, &m, env->now);
}

/* A new link of purpose for the account, and its URL (path?jeton=TOKEN) into *url. */
static int reg_link_new(struct store *s, struct arena *a, const struct registration_env *env,
                        long long user_id, const char *purpose, const char *email, const char *path,
                        long seconds, const char **url)
{
    char token[ACCOUNT_TOKEN_LEN + 1];
    account_random_token(token);
    unsigned char hash[32];
    account_hash_token(token, hash);
    if (store_link_insert(s, hash, user_id, purpose, email, env->now, env->now + seconds) !=
        STORE_OK)
        return -1;
    *url = arena_printf(a, "%s%s?jeton=%s", env->base_url, path, token);
    return 0;
}

static void reg_user_of(struct user *u, const struct user_row *r)
{
    u->id = r->id;
    u->email = r->email;
    u->name = r->name;
    u->role = r->role;
}

/* Checks an account's current password on the account page, at most 5 tries per 15 minutes:
 * a stolen session must not become a way to guess the password (which would outlive it). */
static int reg_current_password(const struct user_row *row, const char *password,
                                struct field_errors *errs, const char *field, long *wait)
{
    reg_tables();
    char key[32];
    snprintf(key, sizeof key, "#%lld", row->id);
    long long now = (long long)time(NULL);
    long w = throttle_take(reg_password_by_account, key, 5, now);
    if (w > 0) {
        *wait = w;
        validate_error(errs, field,
                       "Trop d'essais du mot de passe : réessayez dans un quart d'heure.");
        return REGISTRATION_LIMITED;
    }
    if (!account_password_verify(row->password_hash, password)) {
        validate_error(errs, field, "Le mot de passe actuel est incorrect.");
        return REGISTRATION_INVALID;
    }
    throttle_forgive(reg_password_by_account, key, now);
    return REGISTRATION_OK;
}

int registration_signup(struct store *s, struct arena *a, const struct registration_env *env,
                        const char *name, const char *email, const char *password,
                        struct field_errors *errs, long *wait)
{
    reg_tables();
    char *open = store_setting_get(s, "signup");
    bool closed = open && strcmp(open, "closed") == 0;
    free(open);
    if (closed)
        return REGISTRATION_CLOSED;
    const char *n, *e;
    if (registration_check_account(a, name, email, password, errs, &n, &e) != REGISTRATION_OK)
        return REGISTRATION_INVALID;
    long signups = territory_setting_long(s, "rate_signups", REGISTRATION_RATE_SIGNUPS);
    long mails = territory_setting_long(s, "rate_mails", REGISTRATION_RATE_MAILS);
    char key[300];
    snprintf(key, sizeof key, "%s", e);
    for (char *p = key; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    /* A limit at 0 is off (the admin's choice, flagged by the audit page). */
    *wait = 0;
    char address[THROTTLE_ADDRESS_MAX];
    throttle_address(env->ip, address, sizeof address);
    long w = signups > 0 ? throttle_take(reg_signups_by_ip, address, (int)signups, env->now) : 0;
    if (w > 0)
        *wait = w;
    if (*wait == 0 && mails > 0)
        *wait = reg_take(reg_mails_by_ip, env->ip, (int)mails, reg_mails_by_account, key,
                         (int)mails, env->now);
    if (*wait > 0)
        return REGISTRATION_LIMITED;
    /* The password is hashed whatever happens next, so that a known address answers in the
     * time an unknown one does. */
    char hash[ACCOUNT_HASH_MAX];
    if (account_password_hash(password, hash) != 0)
        return REGISTRATION_ERR;
    if (store_begin(s) != STORE_OK)
        return REGISTRATION_ERR;
    struct user_row row;
    int rc = store_user_by_email(s, a, e, &row);
    /* An account never confirmed whose link expired long ago is given up: the address is free
     * again (it may have been opened by someone else than its owner). */
    if (rc == STORE_OK && strcmp(row.status, "pending") == 0 &&
        row.created < env->now - REGISTRATION_CONFIRM_SECONDS) {
        int gone = store_user_delete_pending(s, row.id);
        if (gone == STORE_ERR) {
            store_rollback(s);
            return REGISTRATION_ERR;
        }
        if (gone == STORE_OK)
            rc = STORE_NOTFOUND;
    }
    const char *url = NULL;
    int ok = -1;
    if (rc == STORE_NOTFOUND) {
        long long id;
        if (store_user_insert_pending(s, e, n, hash, env->now, &id) == STORE_OK &&
            reg_link_new(s, a, env, id, "confirm", NULL, "/confirmer", REGISTRATION_CONFIRM_SECONDS,
                         &url) == 0)
            ok = reg_mail(s, a, env, e, "Confirmez votre inscription",
                          /* The name is not repeated: whoever signs up could otherwise put any
                           * text of theirs into a mail of the site to any address. */
                          arena_printf(a,
                                       "Un compte vient d'être créé avec cette adresse sur %s. "
                                       "Pour l'activer, ouvrez le lien ci-dessous dans les 48 "
                                       "heures, puis saisissez le mot de passe choisi à "
                                       "l'inscription.",
                                       env->site_name),
                          "Confirmer mon inscription", url,
                          "Si vous n'êtes pas à l'origine de cette inscription, ignorez ce "
                          "message : le compte ne sera pas activé.");
    } else if (rc == STORE_OK && strcmp(row.status, "pending") == 0) {
        if (reg_link_new(s, a, env, row.id, "confirm", NULL, "/confirmer",
                         REGISTRATION_CONFIRM_SECONDS, &url) == 0)
            ok = reg_mail(s, a, env, e, "Confirmez votre inscription",
                          "Une inscription a de nouveau été demandée avec cette adresse, qui "
                          "attend encore sa confirmation. Voici un nouveau lien (48 heures). "
                          "Le mot de passe à saisir est celui de la première inscription ; si "
                          "vous ne le connaissez pas, utilisez « Mot de passe oublié » sur la "
                          "page de connexion : le compte sera alors à vous.",
                          "Confirmer mon inscription", url,
                          "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.");
    } else if (rc == STORE_OK && strcmp(row.status, "active") == 0) {
        ok = reg_mail(s, a, env, e, "Vous avez déjà un compte",
                      "Une inscription a été demandée avec cette adresse, qui a déjà un compte. "
                      "Si c'est vous, connectez-vous, ou demandez un nouveau mot de passe si "
                      "vous l'avez oublié.",
                      "Mot de passe oublié",
                      arena_printf(a, "%s/mot-de-passe-oublie", env->base_url),
                      "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : "
                      "rien n'a changé.");
    } else if (rc == STORE_OK) {
        ok = 0; /* a blocked account: nothing to send, and the same answer */
    }
    if (ok != 0) {
        store_rollback(s);
        return rc == STORE_ERR || ok != 0 ? REGISTRATION_ERR : REGISTRATION_OK;
    }
    return store_commit(s) == STORE_OK ? REGISTRATION_OK : REGISTRATION_ERR;
}

static int reg_link_lookup(struct store *s, struct arena *a, const char *token, const char *purpose,
                           long long now, bool use, struct user_row *row, const char **email)
{
    if (!account_token_shape(token))
        return REGISTRATION_BADLINK;
    unsigned char hash[32];
    account_hash_token(token, hash);
    long long id;
    int rc = store_link_find(s, a, hash, purpose, now, use, &id, email);
    if (rc == STORE_ERR)
        return REGISTRATION_ERR;
    if (rc != STORE_OK)
        return REGISTRATION_BADLINK;
    rc = store_user_by_id(s, a, id, row);
    if (rc == STORE_ERR)
        return REGISTRATION_ERR;
    /* A link of an account that was blocked or deleted since is worth nothing. */
    if (rc != STORE_OK || strcmp(row->status, "blocked") == 0 ||
        strcmp(row->status, "deleted") == 0)
        return REGISTRATION_BADLINK;
    return REGISTRATION_OK;
}

int registration_link(struct store *s, struct arena *a, const char *token, const char *purpose,
                      long long now, struct user *u, const char **email)
{
    struct user_row row;
    int rc = reg_link_lookup(s, a, token, purpose, now, false, &row, email);
    if (rc == REGISTRATION_OK)
        reg_user_of(u, &row);
    return rc;
}

int registration_confirm(struct store *s, struct arena *a, const struct registration_env *env,
                         const char *link, const char *password, struct field_errors *errs,
                         char token[ACCOUNT_TOKEN_LEN + 1], char csrf[ACCOUNT_TOKEN_LEN + 1])
{
    reg_tables();
    struct user_row row;
    int rc = reg_link_lookup(s, a, link, "confirm", env->now, false, &row, NULL);
    if (rc != REGISTRATION_OK)
        return rc;
    /* The token cannot be guessed; its password can be tried only a few times. */
    if (throttle_take(reg_confirm_by_link, link, 5, env->now) > 0) {
        validate_error(errs, "password",
                       "Trop d'essais : réessayez dans un quart d'heure, ou utilisez « Mot de "
                       "passe oublié ».");
        return REGISTRATION_INVALID;
    }
    if (!account_password_verify(row.password_hash, password)) {
        validate_error(errs, "password",
                       "Ce n'est pas le mot de passe choisi à l'inscription. Oublié ? "
                       "Demandez-en un nouveau : le lien reçu activera aussi le compte.");
        return REGISTRATION_INVALID;
    }
    if (store_begin(s) != STORE_OK)
        return REGISTRATION_ERR;
    rc = reg_link_lookup(s, a, link, "confirm", env->now, true, &row, NULL);
    if (rc != REGISTRATION_OK) {
        store_rollback(s);
        return rc;
    }
    if ((strcmp(row.status, "pending") == 0 &&
         store_user_set_status(s, row.id, "active") != STORE_OK) ||
        account_session_open(s, row.id, token, csrf) != 0) {
        store_rollback(s);
        return REGISTRATION_ERR;
    }
    return store_commit(s) == STORE_OK ? REGISTRATION_OK : REGISTRATION_ERR;
}

int registration_reset_request(struct store *s, struct arena *a, const struct registration_env *env,
                               const char *email, struct field_errors *errs, long *wait)
{
    reg_tables();
    const char *e = reg_email(a, email, errs, "email");
    if (!e)
        return REGISTRATION_INVALID;
    long mails = territory_setting_long(s, "rate_mails", REGISTRATION_RATE_MAILS);
    char key[300];
    snprintf(key, sizeof key, "%s", e);
    for (char *p = key; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    *wait = mails > 0 ? reg_take(reg_mails_by_ip, env->ip, (int)mails, reg_mails_by_account, key,
                                 (int)mails, env->now)
                      : 0;
    if (*wait > 0)
        return REGISTRATION_LIMITED;
    if (store_begin(s) != STORE_OK)
        return REGISTRATION_ERR;
    struct user_row row;
    int rc = store_user_by_email(s, a, e, &row);
    int ok = rc == STORE_ERR ? -1 : 0;
    const char *url;
    if (rc == STORE_OK &&
        (strcmp(row.status, "active") == 0 || strcmp(row.status, "pending") == 0)) {
        ok = reg_link_new(s, a, env, row.id, "reset", NULL, "/reinitialiser",
                          REGISTRATION_RESET_SECONDS, &url);
        if (ok == 0)
            ok = reg_mail(s, a, env, row.email, "Choisir un nouveau mot de passe",
                          "Un nouveau mot de passe a été demandé pour votre compte. Ouvrez le "
                          "lien ci-dessous dans l'heure pour le choisir ; il ne sert qu'une fois.",
                          "Choisir un nouveau mot de passe", url,
                          "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : "
                          "votre mot de passe actuel reste valable.");
    }
    if (ok != 0) {
        store_rollback(s);
        return REGISTRATION_ERR;
    }
    return store_commit(s) == STORE_OK ? REGISTRATION_OK : REGISTRATION_ERR;
}

int registration_reset(struct store *s, struct arena *a, const struct registration_env *env,
                       const char *link, const char *password, struct field_errors *errs,
                       char token[ACCOUNT_TOKEN_LEN + 1], char csrf[ACCOUNT_TOKEN_LEN + 1])
{
    struct user_row row;
    int rc = reg_link_lookup(s, a, link, "reset", env->now, false, &row, NULL);
    if (rc != REGISTRATION_OK)
        return rc;
    if (!reg_password_ok(a, password, row.email, row.name, errs, "password"))
        return REGISTRATION_INVALID;
    char hash[ACCOUNT_HASH_MAX];
    if (account_password_hash(password, hash) != 0 || store_begin(s) != STORE_OK)
        return REGISTRATION_ERR;
    rc = reg_link_lookup(s, a, link, "reset", env->now, true, &row, NULL);
    if (rc != REGISTRATION_OK) {
        store_rollback(s);
        return rc;
    }
    /* Following the link proves the address: a pending account is confirmed by it. The old
     * sessions end (someone who knew the old password is logged out). */
    if (store_user_set_password(s, row.id, hash) != STORE_OK ||
        (strcmp(row.status, "pending") == 0 &&
         store_user_set_status(s, row.id, "active") != STORE_OK) ||
        store_user_sessions_delete(s, row.id) != STORE_OK || store_links_delete(s, row.id) ||
        account_session_open(s, row.id, token, csrf) != 0 ||
        reg_mail(s, a, env, row.email, "Votre mot de passe a changé",
                 "Le mot de passe de votre compte vient d'être changé par le lien de "
                 "réinitialisation. Toutes les autres sessions ont été fermées.",
                 NULL, NULL,
                 "Si vous n'êtes pas à l'origine de ce changement, demandez tout de suite un "
                 "nouveau mot de passe et prévenez l'équipe du site.") != 0) {
        store_rollback(s);
        return REGISTRATION_ERR;
    }
    return store_commit(s) == STORE_OK ? REGISTRATION_OK : REGISTRATION_ERR;
}

/* A bio is text on lines: no control character but the line break. */
static bool reg_bio_clean(const char *bio)
{
    for (const char *p = bio ? bio : ""; *p; p++)
        if (((unsigned char)*p < 0x20 && *p != '\n') || *p == 0x7f || reg_invisible(p))
            return false;
    return true;
}

int registration_profile(struct store *s, struct arena *a, long long user_id, const char *name,
                         const char *bio, struct field_errors *errs)
{
    const char *n = reg_line(a, name, 80);
    if (!n)
        validate_error(errs, "name",
                       "Indiquez le nom affiché sur vos contributions (80 "
                       "caractères au plus, sur une ligne).");
    /* Forms send line breaks as CR LF: kept as LF. */
    if (bio) {
        char *b = arena_alloc(a, strlen(bio) + 1), *w = b;
        for (const char *p = bio; *p; p++)
            if (!(p[0] == '\r' && p[1] == '\n'))
                *w++ = *p;
        *w = '\0';
        bio = b;
    }
    size_t bl = bio ? strlen(bio) : 0;
    if (bl > REGISTRATION_BIO_MAX * 4 || !utf8_valid(bio ? bio : "", bl) ||
        utf8_count(bio ? bio : "", bl) > REGISTRATION_BIO_MAX || !reg_bio_clean(bio))
        validate_error(errs, "bio", "La présentation compte 500 caractères au plus.");
    if (errs->n)
        return REGISTRATION_INVALID;
    /* A name is on pages that caches hold: a new generation with it. */
    if (store_begin(s) != STORE_OK)
        return REGISTRATION_ERR;
    if (store_user_set_profile(s, user_id, n, bio ? bio : "") != STORE_OK ||
        store_generation_bump(s) != STORE_OK) {
        store_rollback(s);
        return REGISTRATION_ERR;
    }
    return store_commit(s) == STORE_OK ? REGISTRATION_OK : REGISTRATION_ERR;
}

int registration_password(struct store *s, struct arena *a, long long user_id, const char *current,
                          const char *password, struct field_errors *errs,
                          char token[ACCOUNT_TOKEN_LEN + 1], char csrf[ACCOUNT_TOKEN_LEN + 1])
{
    struct user_row row;
    int rc = store_user_by_id(s, a, user_id, &row);
    if (rc != STORE_OK)
        return REGISTRATION_ERR;
    long wait = 0;
    rc = reg_current_password(&row, current, errs, "current", &wait);
    if (rc != REGISTRATION_OK)
        return rc;
    if (!reg_password_ok(a, password, row.email, row.name, errs, "password"))
        return REGISTRATION_INVALID;
    char hash[ACCOUNT_HASH_MAX];
    if (account_password_hash(password, hash) != 0 || store_begin(s) != STORE_OK)
        return REGISTRATION_ERR;
    /* The links sent before die too: whoever knew the old password may have asked for one (a
     * new address for the account, above all). */
    if (store_user_set_password(s, user_id, hash) != STORE_OK ||
        store_user_sessions_delete(s, user_id) != STORE_OK ||
        store_links_delete(s, user_id) != STORE_OK ||
        account_session_open(s, user_id, token, csrf) != 0) {
        store_rollback(s);
        return REGISTRATION_ERR;
    }
    return store_commit(s) == STORE_OK ? REGISTRATION_OK : REGISTRATION_ERR;
}

int registration_email(struct store *s, struct arena *a, const struct registration_env *env,
                       long long user_id, const char *current, const char *email,
                       struct field_errors *errs, long *wait)
{
    reg_tables();
    struct user_row row;
    if (store_user_by_id(s, a, user_id, &row) != STORE_OK)
        return REGISTRATION_ERR;
    int pc = reg_current_password(&row, current, errs, "email_current", wait);
    if (pc == REGISTRATION_LIMITED)
        return pc;
    const char *e = reg_email(a, email, errs, "new_email");
    if (e && strcasecmp(e, row.email) == 0)
        validate_error(errs, "new_email", "C'est déjà l'adresse de votre compte.");
    if (errs->n)
        return REGISTRATION_INVALID;
    long mails = territory_setting_long(s, "rate_mails", REGISTRATION_RATE_MAILS);
    char key[64];
    snprintf(key, sizeof key, "#%lld", user_id);
    *wait = mails > 0 ? reg_take(reg_mails_by_ip, env->ip, (int)mails, reg_mails_by_account, key,
                                 (int)mails, env->now)
                      : 0;
    if (*wait > 0)
        return REGISTRATION_LIMITED;
    if (store_begin(s) != STORE_OK)
        return REGISTRATION_ERR;
    /* Whether the new address has an account is not told here (it would be a way to probe
     * addresses): the link says so when it is followed, to the owner of that address only. */
    const char *url;
    if (reg_link_new(s, a, env, user_id, "email", e, "/compte/adresse",
                     REGISTRATION_CONFIRM_SECONDS, &url) != 0 ||
        reg_mail(s, a, env, e, "Confirmez votre nouvelle adresse",
                 arena_printf(a,
                              "Un compte de %s demande à utiliser cette adresse. Pour "
                              "confirmer, ouvrez le lien ci-dessous dans les 48 heures.",
                              env->site_name),
                 "Confirmer cette adresse", url,
                 "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.") != 0 ||
        reg_mail(s, a, env, row.email, "Changement d'adresse demandé",
                 arena_printf(a,
                              "Un changement d'adresse vers %s a été demandé pour votre compte. "
                              "Il prendra effet quand le lien envoyé à cette adresse sera suivi.",
                              e),
                 NULL, NULL,
                 "Si vous n'êtes pas à l'origine de cette demande, changez votre mot de passe "
                 "et prévenez l'équipe du site.") != 0) {
        store_rollback(s);
        return REGISTRATION_ERR;
    }
    return store_commit(s) == STORE_OK ? REGISTRATION_OK : REGISTRATION_ERR;
}

int registration_email_confirm(struct store *s, struct arena *a, const struct registration_env *env,
                               const char *link, struct field_errors *errs)
{
    if (store_begin(s) != STORE_OK)
        return REGISTRATION_ERR;
    struct user_row row;
    const char *email = NULL;
    int rc = reg_link_lookup(s, a, link, "email", env->now, true, &row, &email);
    if (rc != REGISTRATION_OK) {
        store_rollback(s);
        return rc;
    }
    const char *old = row.email;
    rc = store_user_set_email(s, row.id, email);
    if (rc == STORE_CONFLICT) {
        store_rollback(s);
        validate_error(errs, "_",
                       "Cette adresse est déjà celle d'un autre compte : elle ne peut "
                       "pas devenir la vôtre.");
        return REGISTRATION_INVALID;
    }
    if (rc != STORE_OK || store_links_delete(s, row.id) != STORE_OK ||
        reg_mail(s, a, env, old, "Votre adresse a changé",
                 arena_printf(a, "L'adresse de votre compte est désormais %s.", email), NULL, NULL,
                 "Si vous n'êtes pas à l'origine de ce changement, prévenez l'équipe du "
                 "site.") != 0) {
        store_rollback(s);
        return REGISTRATION_ERR;
    }
    return store_commit(s) == STORE_OK ? REGISTRATION_OK : REGISTRATION_ERR;
}

int registration_logout_all(struct store *s, long long user_id)
{
    /* Someone else may hold a session: the links that session may have asked for die with it. */
    if (store_begin(s) != STORE_OK)
        return REGISTRATION_ERR;
    if (store_user_sessions_delete(s, user_id) != STORE_OK ||
        store_links_delete(s, user_id) != STORE_OK) {
        store_rollback(s);
        return REGISTRATION_ERR;
    }
    return store_commit(s) == STORE_OK ? REGISTRATION_OK : REGISTRATION_ERR;
}

int registration_delete(struct store *s, struct arena *a, long long user_id, const char *password,
                        const char *pseudonym, struct field_errors *errs)
{
    struct user_row row;
    if (store_user_by_id(s, a, user_id, &row) != STORE_OK)
        return REGISTRATION_ERR;
    long wait = 0;
    if (reg_current_password(&row, password, errs, "delete_password", &wait) ==
        REGISTRATION_LIMITED)
        return REGISTRATION_LIMITED;
    const char *name = REGISTRATION_DELETED_NAME;
    if (pseudonym && *pseudonym) {
        name = reg_line(a, pseudonym, 80);
        if (!name)
            validate_error(errs, "pseudonym",
                           "Le pseudonyme compte 80 caractères au plus, sur "
                           "une ligne.");
    }
    if (errs->n)
        return REGISTRATION_INVALID;
    int n;
    if (store_begin(s) != STORE_OK)
        return REGISTRATION_ERR;
    if (store_user_forget(s, user_id, name) != STORE_OK ||
        store_user_sessions_delete(s, user_id) != STORE_OK ||
        store_tokens_revoke(s, user_id, &n) != STORE_OK || store_links_delete(s, user_id) ||
        store_outbox_forget(s, row.email) != STORE_OK ||
        store_user_forget_activity(s, user_id, (long long)time(NULL)) != STORE_OK ||
        store_generation_bump(s) != STORE_OK) {
        store_rollback(s);
        return REGISTRATION_ERR;
    }
    return store_commit(s) == STORE_OK ? REGISTRATION_OK : REGISTRATION_ERR;
}

/* The private fields of the revisions (contact addresses) are left out of the export, as out of
 * every other door: an edit carries over an address its author never saw (core/entry.c), so
 * downloading one's data would otherwise be a way to read any record's address. */
static void reg_export_private(json_t *out)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(out, "revisions"), i, r)
    {
        const struct kind_def *k = kind_find(json_string_value(json_object_get(r, "kind")));
        json_t *fields = json_object_get(r, "fields");
        for (size_t j = 0; k && json_is_object(fields) && j < k->nfields; j++)
            if (k->fields[j].private)
                json_object_del(fields, k->fields[j].name);
    }
}

json_t *registration_export(struct store *s, struct arena *a, long long user_id)
{
    struct user_row row;
    if (store_read_begin(s) != STORE_OK)
        return NULL;
    json_t *out = NULL;
    if (store_user_by_id(s, a, user_id, &row) == STORE_OK) {
        out = json_pack("{s:{s:I,s:s,s:s,s:s,s:s,s:s,s:I}}", "account", "id", (json_int_t)row.id,
                        "email", row.email, "name", row.name, "bio", row.bio, "role", row.role,
                        "status", row.status, "created", (json_int_t)row.created);
        if (out && store_user_export(s, user_id, row.email, out) != STORE_OK) {
            json_decref(out);
            out = NULL;
        }
        if (out)
            reg_export_private(out);
    }
    store_read_end(s);
    return out;
}

int registration_profile_get(struct store *s, struct arena *a, long long user_id, const char **bio,
                             long long *created, const char **status)
{
    struct user_row row;
    if (store_user_by_id(s, a, user_id, &row) != STORE_OK)
        return REGISTRATION_ERR;
    *bio = row.bio;
    *created = row.created;
    *status = row.status;
    return REGISTRATION_OK;
}
