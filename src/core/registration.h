/* registration.h — the life of an account opened by its owner: sign-up with the e-mail address
 * confirmed by a link, "mot de passe oublié", the account page's changes (name and bio,
 * password, e-mail address re-confirmed, logging out everywhere), leaving (the contributions
 * stay under a pseudonym), and the copy of everything the site holds about the person (RGPD).
 *
 * The links sent by mail are 256-bit random tokens, stored hashed, used once, and expire
 * (confirmation and new address 48 hours, reset 1 hour). Sign-up and reset answer the same
 * whether the address has an account or not: what differs is only the mail that address gets.
 * Confirming an account asks for the password chosen at sign-up, so that an account opened by
 * someone else with your address (pre-hijacking) can never be confirmed by you into theirs: you
 * reset the password instead, which takes the account over. */
#ifndef FOISON_REGISTRATION_H
#define FOISON_REGISTRATION_H
#include "core/account.h"
#include "core/validate.h"
#include <jansson.h>

#define REGISTRATION_CONFIRM_SECONDS (48 * 3600)
#define REGISTRATION_RESET_SECONDS 3600
#define REGISTRATION_BIO_MAX 500
#define REGISTRATION_RATE_SIGNUPS 5 /* sign-ups per address per hour (setting rate_signups) */
#define REGISTRATION_RATE_MAILS                                                                    \
    10 /* account mails per address, per account, per hour (rate_mails) */
#define REGISTRATION_DELETED_NAME "ancien contributeur"

/* Who asks, from where, and where links point. */
struct registration_env {
    const char *ip;       /* the client's address (limits) */
    const char *base_url; /* of the links in the mails */
    const char *site_name;
    long long now;
};

enum registration_status {
    REGISTRATION_OK = 0,
    REGISTRATION_INVALID = -1, /* errs says why, per field */
    REGISTRATION_LIMITED = -2, /* too many: *wait seconds */
    REGISTRATION_CLOSED = -3,  /* sign-up is closed on this site */
    REGISTRATION_BADLINK = -4, /* the link is unknown, used or expired */
    REGISTRATION_ERR = -5,     /* storage: not the user's fault */
};

/* The checks of a new account's fields, the same for every way in (sign-up, a workshop's link):
 * name (one line, 80 characters), e-mail address, password (core/password.c's rules). Their
 * cleaned copies into *name_out and *email_out (NULL when refused); REGISTRATION_INVALID with
 * errs per field, or REGISTRATION_OK. */
int registration_check_account(struct arena *a, const char *name, const char *email,
                               const char *password, struct field_errors *errs,
                               const char **name_out, const char **email_out);
/* The trimmed copy of a one-line text of at most max_chars code points (no control or
 * invisible characters), or NULL when it is empty, too long or not text. */
const char *registration_line(struct arena *a, const char *in, size_t max_chars);
/* A new account (pending until confirmed) and its confirmation mail; or, when the address has
 * an account, a mail telling its owner. Fields: name, email, password. */
int registration_signup(struct store *s, struct arena *a, const struct registration_env *env,
                        const char *name, const char *email, const char *password,
                        struct field_errors *errs, long *wait);
/* Is token a live link of purpose ("confirm", "reset", "email")? Its account into u (and, for
 * "email", the new address into *email). Uses nothing. */
int registration_link(struct store *s, struct arena *a, const char *token, const char *purpose,
                      long long now, struct user *u, const char **email);
/* Confirms the account of a confirmation link, given the password chosen at sign-up, and opens
 * a session (token, csrf). */
int registration_confirm(struct store *s, struct arena *a, const struct registration_env *env,
                         const char *link, const char *password, struct field_errors *errs,
                         char token[ACCOUNT_TOKEN_LEN + 1], char csrf[ACCOUNT_TOKEN_LEN + 1]);
/* "Mot de passe oublié": a reset link to the address when it has an account. */
int registration_reset_request(struct store *s, struct arena *a, const struct registration_env *env,
                               const char *email, struct field_errors *errs, long *wait);
/* Sets a new password through a reset link (which also confirms a pending account), ends every
 * session and opens one (token, csrf). */
int registration_reset(struct store *s, struct arena *a, const struct registration_env *env,
                       const char *link, const char *password, struct field_errors *errs,
                       char token[ACCOUNT_TOKEN_LEN + 1], char csrf[ACCOUNT_TOKEN_LEN + 1]);
/* The account page's changes. Each checks its input into errs. */
int registration_profile(struct store *s, struct arena *a, long long user_id, const char *name,
                         const char *bio, struct field_errors *errs);
/* Changes the password (the current one required), ends every session and opens one. */
int registration_password(struct store *s, struct arena *a, long long user_id, const char *current,
                          const char *password, struct field_errors *errs,
                          char token[ACCOUNT_TOKEN_LEN + 1], char csrf[ACCOUNT_TOKEN_LEN + 1]);
/* Sends a link to the new address (the current password required); the address changes when it
 * is followed (registration_email_confirm). */
int registration_email(struct store *s, struct arena *a, const struct registration_env *env,
                       long long user_id, const char *current, const char *email,
                       struct field_errors *errs, long *wait);
int registration_email_confirm(struct store *s, struct arena *a, const struct registration_env *env,
                               const char *link, struct field_errors *errs);
/* Ends every session of the account. */
int registration_logout_all(struct store *s, long long user_id);
/* Deletes the account (the password required): contributions stay, attributed to pseudonym or
 * REGISTRATION_DELETED_NAME; everything personal goes. */
int registration_delete(struct store *s, struct arena *a, long long user_id, const char *password,
                        const char *pseudonym, struct field_errors *errs);
/* Everything the site holds about the account, as a new JSON object (caller decrefs). */
json_t *registration_export(struct store *s, struct arena *a, long long user_id);
/* The account's bio and creation time (for the account page). */
int registration_profile_get(struct store *s, struct arena *a, long long user_id, const char **bio,
                             long long *created, const char **status);

#endif
