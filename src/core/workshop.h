/* workshop.h — public-writing workshops ("ateliers d'écriture publique accompagnée"). A mediator
 * (any account trusted or above) makes a batch of one-time sign-up links for a session; each
 * participant opens one (printed on a sheet as a QR code and in clear) and gets a contributor
 * account at once, without the mail confirmation: the mediator vouches for them. The account
 * remembers its mediator (sponsor) and batch; its edits are held as any newcomer's, and its
 * mediator may approve or reject them through the moderation decision (core/moderation.c).
 *
 * A link is a 130-bit random token of which only the hash is stored: the sheet that shows the
 * tokens is given once, when the batch is made. A link serves once (used up by the statement that
 * checks it), until the batch expires, unless its mediator revokes it first. Joining is limited
 * like sign-up, but so that a room of participants behind one address can join: per client
 * address only in unknown links (30 per hour: someone guessing), per link in tries (10 per
 * quarter of an hour), and by the batch itself (at most WORKSHOP_LINKS_MAX accounts). */
#ifndef FOISON_WORKSHOP_H
#define FOISON_WORKSHOP_H
#include "core/account.h"
#include "core/registration.h"
#include "core/validate.h"
#include "core/visibility.h"

struct arena;
struct store;

#define WORKSHOP_TITLE_MAX 200 /* code points of a batch's title */
#define WORKSHOP_LINKS_MAX 50  /* links in one batch */
#define WORKSHOP_DAYS_MAX 90   /* days a batch may stay valid */
#define WORKSHOP_DAYS_DEFAULT 30
#define WORKSHOP_LIST_MAX 100 /* batches shown to a mediator */
/* A link's token: 26 characters of an alphabet of 32 without look-alikes (no 0, 1, l, o), 130
 * random bits, short enough to type from the printed sheet when no camera reads the code. */
#define WORKSHOP_TOKEN_LEN 26

enum workshop_status {
    WORKSHOP_OK = 0,
    WORKSHOP_INVALID = -1,   /* errs says why, per field */
    WORKSHOP_FORBIDDEN = -2, /* not a mediator, or not this mediator's batch */
    WORKSHOP_NOTFOUND = -3,  /* no such batch, or an unknown link */
    WORKSHOP_USED = -4,      /* the link has already served */
    WORKSHOP_EXPIRED = -5,   /* the batch's validity is over */
    WORKSHOP_REVOKED = -6,   /* the mediator withdrew the link (or is no longer a mediator) */
    WORKSHOP_LIMITED = -7,   /* too many tries: *wait seconds */
    WORKSHOP_ERR = -8,       /* storage: not the user's fault */
};

/* Is token the shape of a link's token (WORKSHOP_TOKEN_LEN characters of the alphabet)? */
bool workshop_token_shape(const char *token);
/* May v make workshops (signed in, trusted or above)? */
bool workshop_mediates(const struct viewer *v);

struct workshop {
    long long id, created, expires;
    const char *title;
    int open, used, revoked;
};

/* A new batch of count links (1..WORKSHOP_LINKS_MAX) valid days (1..WORKSHOP_DAYS_MAX) days,
 * in one transaction. The tokens (WORKSHOP_TOKEN_LEN characters each, in the arena) into
 * *tokens: the only time they exist outside the participants' hands. */
int workshop_create(struct store *s, struct arena *a, const struct viewer *v, const char *title,
                    int count, int days, long long now, struct field_errors *errs,
                    struct workshop *out, const char ***tokens);
/* The batches of v, newest first (at most WORKSHOP_LIST_MAX). */
int workshop_list(struct store *s, struct arena *a, const struct viewer *v, struct workshop **out,
                  int *n);

struct workshop_link {
    long long id, used;
    const char *state; /* open, used, revoked */
    const char *participant;
};
/* One batch of v's and its links (WORKSHOP_NOTFOUND for another mediator's: nobody else learns
 * it exists). */
int workshop_get(struct store *s, struct arena *a, const struct viewer *v, long long id,
                 struct workshop *out, struct workshop_link **links, int *n);
/* Revokes the unused links of v's batch id (link_id 0: all of them); *n receives how many. */
int workshop_revoke(struct store *s, struct arena *a, const struct viewer *v, long long id,
                    long long link_id, long long now, int *n);

/* What a link's page shows before anyone joins. */
struct workshop_ticket {
    const char *title, *mediator;
    long long expires;
};
/* The state of a link: WORKSHOP_OK (open), WORKSHOP_USED, WORKSHOP_EXPIRED, WORKSHOP_REVOKED,
 * WORKSHOP_NOTFOUND (unknown or malformed: counted against the client's address ip),
 * WORKSHOP_LIMITED (that address tried too many unknown links: *wait seconds), WORKSHOP_ERR.
 * Changes nothing stored. */
int workshop_ticket(struct store *s, struct arena *a, const char *token, const char *ip,
                    long long now, struct workshop_ticket *out, long *wait);
/* Opens the participant's account through the link token: the fields checked as at sign-up
 * (registration_check_account), an address that already has an account refused beside the
 * field, the link used up, the account active with its mediator and batch, a mail to the
 * address saying so, and a session (token_out, csrf_out), in one transaction. */
int workshop_join(struct store *s, struct arena *a, const struct registration_env *env,
                  const char *token, const char *name, const char *email, const char *password,
                  struct field_errors *errs, long *wait, char token_out[ACCOUNT_TOKEN_LEN + 1],
                  char csrf_out[ACCOUNT_TOKEN_LEN + 1]);

#endif
