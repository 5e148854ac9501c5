/* user_store.h — rows of users, sessions and API tokens. Secrets arrive here already hashed. */
#ifndef FOISON_USER_STORE_H
#define FOISON_USER_STORE_H
#include "store/store.h"
#include <jansson.h>
#include <stdbool.h>

struct arena;

struct user_row {
    long long id;
    const char *email, *name, *role, *status, *password_hash;
    long long created;
    const char *bio;
    long long rights; /* moved by every change of role or status */
};

int store_user_insert(struct store *s, const char *email, const char *name, const char *role,
                      const char *password_hash, long long now, long long *id);
int store_user_by_email(struct store *s, struct arena *a, const char *email, struct user_row *out);
int store_session_insert(struct store *s, const unsigned char hash[32], long long user_id,
                         const char *csrf, long long now, long long expires);
/* The user of a live session (expires > now) and its CSRF token. */
int store_session_user(struct store *s, struct arena *a, const unsigned char hash[32],
                       long long now, struct user_row *out, const char **csrf,
                       long long *session_rights);
/* Removes sessions expired before now. */
int store_sessions_purge(struct store *s, long long now);
int store_session_delete(struct store *s, const unsigned char hash[32]);
int store_token_insert(struct store *s, const unsigned char hash[32], long long user_id,
                       long long now);
/* Deletes every API token of the user; *n receives how many there were. */
int store_tokens_revoke(struct store *s, long long user_id, int *n);
int store_token_user(struct store *s, struct arena *a, const unsigned char hash[32],
                     struct user_row *out);

int store_user_by_id(struct store *s, struct arena *a, long long id, struct user_row *out);
int store_user_set_role(struct store *s, long long id, const char *role);
/* status: active, pending (e-mail not confirmed) or blocked. Sessions and tokens of an account
 * that is not active stop working at once (their reads require an active account). */
int store_user_set_status(struct store *s, long long id, const char *status);
/* Ends every session of the account. */
int store_user_sessions_delete(struct store *s, long long id);

/* An account that has yet to confirm its e-mail address: a contributor, status pending. */
int store_user_insert_pending(struct store *s, const char *email, const char *name,
                              const char *password_hash, long long now, long long *id);
/* Gives the session old a new token hash, under the account's rights now. */
int store_session_rotate(struct store *s, const unsigned char old[32], const unsigned char hash[32],
                         long long rights);
/* Removes an account that was never confirmed and left no trace (no revision, report or log
 * line); STORE_NOTFOUND otherwise. Its sessions and links go with it (ON DELETE CASCADE). */
int store_user_delete_pending(struct store *s, long long id);
/* One-time links sent by mail (purpose: confirm, reset, email). A new link replaces the user's
 * earlier links of that purpose. */
int store_link_insert(struct store *s, const unsigned char hash[32], long long user_id,
                      const char *purpose, const char *email, long long now, long long expires);
/* The user (and the e-mail the link carries, for purpose email) of a live, unused link; with
 * use, the link is used up in the same statement (it can never serve twice). */
int store_link_find(struct store *s, struct arena *a, const unsigned char hash[32],
                    const char *purpose, long long now, bool use, long long *user_id,
                    const char **email);
int store_links_delete(struct store *s, long long user_id);
int store_user_set_password(struct store *s, long long id, const char *password_hash);
int store_user_set_profile(struct store *s, long long id, const char *name, const char *bio);
/* STORE_CONFLICT when another account has that address. */
int store_user_set_email(struct store *s, long long id, const char *email);
/* The account of a person who left: name (their pseudonym or "ancien contributeur") kept for
 * the attribution of their contributions; e-mail, bio and password gone; status deleted. */
int store_user_forget(struct store *s, long long id, const char *name);
/* What a deleted account leaves of its activity: its registrations to dates to come cancelled,
 * the names and addresses of all its registrations removed, its messages to the organisers of
 * sessions and to the owners of equipment emptied, its name no longer shown among a session's
 * participants, the invitations it sent to take over a record expired and their addresses
 * forgotten. */
int store_user_forget_activity(struct store *s, long long id, long long now);
/* What the site holds about an account, into out: "sessions", "api_tokens", "revisions",
 * "moderation", "reports", "mails", "registrations", "applications", "loans", "workshop" (the
 * workshop the account joined through), "workshops_led" (those it led) (arrays of objects). */
int store_user_export(struct store *s, long long id, const char *email, json_t *out);

#endif
