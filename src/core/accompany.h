/* accompany.h — accompanied writing ("rédaction accompagnée"). A mediator (any account trusted
 * or above: workshop_mediates) writes a record with or for an actor (an entry of kind actor).
 * The record then credits the actor's people (the managers of the actor's entry) or, while it
 * has none, the actor itself as its authors, and the mediator as "rédaction accompagnée par";
 * the revisions still say who typed each one. The mediator may invite a person of the actor by
 * mail: a one-time link (a 256-bit token, only its hash stored, valid ACCOMPANY_INVITE_DAYS)
 * through which that person, signed in, takes the record over: they become a manager of the
 * record and of the actor, and edit it from then on as their own; the mediator keeps the
 * credit. The accompaniment is written by the one save path (entry_save.with), in the
 * transaction of the record's revision: a refused save writes neither. */
#ifndef FOISON_ACCOMPANY_H
#define FOISON_ACCOMPANY_H
#include "core/account.h"
#include "core/entry.h"
#include "core/validate.h"
#include "core/visibility.h"
#include <jansson.h>

struct arena;
struct store;

#define ACCOMPANY_INVITE_DAYS 14
#define ACCOMPANY_INVITES_PER_DAY 20 /* invitations a mediator may send in 24 hours */
#define ACCOMPANY_PEOPLE_MAX 20      /* people of an actor credited on a record */
#define ACCOMPANY_EXPORT_MAX 1000    /* accompaniments in a person's data export */

enum accompany_status {
    ACCOMPANY_OK = 0,
    ACCOMPANY_INVALID = -1, /* errs says why, beside the fields accompany_actor, accompany_email */
    ACCOMPANY_FORBIDDEN = -2, /* not signed in */
    ACCOMPANY_NOTFOUND = -3,  /* an unknown (or malformed) invitation */
    ACCOMPANY_USED = -4,      /* the record was already taken over through it */
    ACCOMPANY_EXPIRED = -5,   /* its validity is over */
    ACCOMPANY_GONE = -6,      /* the record (or its actor) was deleted */
    ACCOMPANY_ERR = -8,       /* storage: not the user's fault */
};

/* May v write with or for an actor (the mediators' rule of core/workshop.c)? */
bool accompany_mediates(const struct viewer *v);

/* May a record of kind k be written with or for an actor? Not an actor's own record: it is the
 * actor, whose people manage it. */
bool accompany_kind(const struct kind_def *k);

/* What a form asked for, checked by accompany_check: write the record with or for actor_id,
 * and invite email (NULL: nobody). The mail's links start with base_url. */
struct accompany_request {
    long long actor_id; /* 0: the form asked for no accompaniment */
    long long mediator_id;
    const char *actor_slug, *actor_title, *mediator_name;
    const char *email;
    const char *entry_title; /* for the mail: the title being saved (the door sets it) */
    const char *base_url, *site_name;
};

/* Checks the form's fieldset "Rédaction accompagnée" for v writing entry_id (0: a new record):
 * actor (a slug, or the address of its page, as the relation inputs take it; "" or NULL: no
 * accompaniment) must name one visible entry of kind actor; email ("" or NULL: no invitation)
 * must be an address and needs an actor; only a mediator may ask, for a record not accompanied
 * yet, within ACCOMPANY_INVITES_PER_DAY invitations. Errors go to errs beside the fields
 * accompany_actor and accompany_email (French), and ACCOMPANY_INVALID; ACCOMPANY_OK fills out
 * (out->actor_id 0 when nothing was asked). Writes nothing. */
int accompany_check(struct store *s, struct arena *a, const struct viewer *v, long long entry_id,
                    const char *actor, const char *email, long long now, struct field_errors *errs,
                    struct accompany_request *out);
/* For entry_save.with: inside the save's write transaction, records the accompaniment of
 * entry_id that arg (a checked struct accompany_request) asks for — the actor checked again,
 * the invitation's token made and its mail queued — at now. A request without an actor writes
 * nothing. ENTRY_OK, ENTRY_INVALID (the actor is gone, or the record got an accompaniment
 * meanwhile: errs), ENTRY_ERR. */
int accompany_write(struct store *s, struct arena *a, long long entry_id, long long now,
                    struct field_errors *errs, void *arg);

/* How a record is credited. */
struct accompany_credit {
    bool accompanied;
    const char *mediator;                 /* the mediator's name */
    const char *actor_slug, *actor_title; /* NULL when the actor is not visible */
    const char **authors;                 /* the names to credit as authors, in order */
    int nauthors;
    long long taken_at; /* 0: not taken over */
};
/* The credit of entry e: for an accompanied record, its actor's people (or the actor itself
 * while it has none) then the other authors of its published revisions, the mediator apart;
 * otherwise (or when nothing better is known) authors as given. In the caller's read. */
int accompany_credit(struct store *s, struct arena *a, const struct entry *e, const char **authors,
                     int nauthors, struct accompany_credit *out);

/* accompany_credit for the n entries ids of a page (their authors[i] of nauthors[i] names),
 * out[i] for ids[i]: one query finds the accompanied ones, and only those cost more. */
int accompany_credits(struct store *s, struct arena *a, const long long *ids, const char ***authors,
                      const int *nauthors, int n, struct accompany_credit *out);

/* The state of an accompaniment as the edit form shows it to a mediator. */
struct accompany_state {
    bool accompanied, invited, taken;
    const char *mediator, *actor_slug, *actor_title, *taken_name;
    long long invite_expires;
};
int accompany_state(struct store *s, struct arena *a, long long entry_id,
                    struct accompany_state *out);

/* What an invitation's page shows. entry_slug and entry_kind only when viewer may see the
 * record (entry_find's rule): a hidden record never shows through an invitation. */
struct accompany_ticket {
    long long entry_id, expires;
    const char *mediator, *actor_slug, *actor_title;
    const struct kind_def *entry_kind;
    const char *entry_slug, *entry_title; /* NULL: not visible to this viewer */
};
/* The state of the invitation token (ACCOMPANY_OK open, ACCOMPANY_USED, ACCOMPANY_EXPIRED,
 * ACCOMPANY_GONE, ACCOMPANY_NOTFOUND, ACCOMPANY_ERR), as v sees it. Changes nothing. */
int accompany_ticket(struct store *s, struct arena *a, const struct viewer *v, const char *token,
                     long long now, struct accompany_ticket *out);
/* v (signed in) takes over the record of token: v manages the record and its actor, the
 * invitation is used up and the address forgotten, in one transaction. */
int accompany_take(struct store *s, struct arena *a, const struct viewer *v, const char *token,
                   long long now, struct accompany_ticket *out);

/* The accompaniments of user_id (as mediator, or taken over) for their data export: a new
 * JSON array, NULL on a storage failure. */
json_t *accompany_export(struct store *s, struct arena *a, long long user_id);

#endif
