/* cohort.h — a training's sessions (kind cohort, whose relation `training` names the training)
 * and their participants: a signed-in person applies to a session whose applications are open
 * ("ouvertes") and which has not ended, with the actor they come for, the project they carry
 * (an innovation's record, or a few words) and a message to the organisers; the organisers (the
 * session's managers, or those of the training and of the actors that organise it) accept, put
 * on the waiting list or refuse, within the session's capacity; the applicant is told by mail at
 * each step and may withdraw.
 *
 * An application is personal data: its message, the applicant's account and address are the
 * organisers' only. What is public of an accepted one is the participant — the actor (as the
 * visitor may see it) or the name they agreed to show — and their project. */
#ifndef FOISON_COHORT_H
#define FOISON_COHORT_H
#include "core/relation.h"
#include "core/visibility.h"
#include <stdbool.h>

struct arena;
struct entry;
struct field_errors;
struct store;

#define COHORT_MESSAGE_MAX 2000 /* characters of the message to the organisers */
#define COHORT_PROJECT_MAX 300  /* characters of a project described in words */
#define COHORT_NAME_MAX 120     /* characters of a participant's public name */
#define COHORT_LIST_MAX 1000    /* applications one read returns at most */

enum cohort_status {
    COHORT_OK = 0,
    COHORT_ERR = -1,       /* storage: a bug or I/O, logged */
    COHORT_NOTFOUND = -2,  /* no such session or application */
    COHORT_INVALID = -3,   /* the input is wrong: errs says why */
    COHORT_FORBIDDEN = -4, /* not signed in, not an organiser, not the applicant */
    COHORT_FULL = -5,      /* accepting would go beyond the session's capacity */
    COHORT_CLOSED = -6,    /* applications closed, or the session is over */
    COHORT_STATE = -7,     /* the application is not in a state that allows it */
};

/* The site as mails name it. */
struct cohort_env {
    const char *site_name;
    const char *base_url; /* no trailing slash; "" gives links as paths */
};

/* A session as its training's page lists it. */
struct cohort_session {
    struct related_entry entry;
    const char *starts, *ends; /* "YYYY-MM-DD"; ends "" when not given */
    bool past;                 /* ended (or, without an end, started) before today */
};

/* An accepted participant, as the public sees it. */
struct cohort_participant {
    long long id;                 /* the application's */
    struct related_entry actor;   /* kind NULL: none, or not visible to the viewer */
    const char *name;             /* the name they agreed to show ("" : none) */
    struct related_entry project; /* kind NULL: none, or not visible to the viewer */
    const char *project_text;     /* the project in words ("" : none) */
};

/* An application, as its organisers (or its applicant) see it. */
struct cohort_application {
    struct cohort_participant p;
    long long user_id;
    const char *applicant, *email; /* the account's name and address ("" : none) */
    const char *message, *state;   /* pending, accepted, waiting, refused, withdrawn */
    long long created, decided_at;
};

/* What an applicant gives: slugs of an actor they manage (optional) and of an innovation, or
 * the project in words (one of the two), the message, and whether their account's name may be
 * shown among the participants. */
struct cohort_apply_in {
    const char *actor, *project, *project_text, *message;
    bool show_name;
};

/* Does v organise the session cohort_id: a manager of its record (whoever created it) or a
 * moderator? Not through its training or the actors named as organisers: those are fields any
 * editor may change. */
bool cohort_organises(struct store *s, struct arena *a, const struct viewer *v,
                      long long cohort_id);
/* Does session e take applications at now: published, applications "ouvertes", not ended? */
bool cohort_open(struct store *s, struct arena *a, const struct entry *e, long long now);
/* v applies to session e. *id receives the application (pending); the applicant is told by
 * mail. COHORT_INVALID (errs: "actor", "project", "project_text", "message", "_" when v has
 * applied already), COHORT_CLOSED, COHORT_FORBIDDEN (anonymous). */
int cohort_apply(struct store *s, struct arena *a, const struct viewer *v, const struct entry *e,
                 const struct cohort_apply_in *in, const struct cohort_env *env, long long now,
                 struct field_errors *errs, long long *id);
/* An organiser of session e moves application id to state ("accepted", "waiting" or
 * "refused"), and the applicant is told by mail. COHORT_FULL when accepting would go beyond
 * the capacity (nothing written), COHORT_STATE when it is in that state already or withdrawn,
 * refused; COHORT_FORBIDDEN, COHORT_NOTFOUND (not an application to e). */
int cohort_decide(struct store *s, struct arena *a, const struct viewer *v, const struct entry *e,
                  long long id, const char *state, const struct cohort_env *env, long long now);
/* The applicant withdraws application id to e (pending, waiting or accepted). */
int cohort_withdraw(struct store *s, struct arena *a, const struct viewer *v, const struct entry *e,
                    long long id, long long now);
/* Every application to e, oldest first, for its organisers (COHORT_FORBIDDEN otherwise). */
int cohort_applications(struct store *s, struct arena *a, const struct viewer *v,
                        const struct entry *e, struct cohort_application **out, int *n);
/* v's open application to e (pending, waiting, accepted) into *out; COHORT_NOTFOUND when none. */
int cohort_mine(struct store *s, struct arena *a, const struct viewer *v, const struct entry *e,
                struct cohort_application *out);
/* The accepted participants of session cohort_id as v may see them, in order of application. */
int cohort_participants(struct store *s, struct arena *a, const struct viewer *v,
                        long long cohort_id, struct cohort_participant **out, int *n);
/* The sessions of training_id that v may see (published, not hidden or deleted), by first day. */
int cohort_sessions(struct store *s, struct arena *a, const struct viewer *v, long long training_id,
                    long long now, struct cohort_session **out, int *n);
/* The session's capacity (0: no limit) and its accepted count now. */
int cohort_seats(struct store *s, struct arena *a, long long cohort_id, int *capacity,
                 int *accepted);

/* For the site's operator (the demo loader, imports): adds an accepted participant to session
 * cohort_id directly, without an account, a mail or a capacity check: the actor actor_id (0:
 * none) or the name shown (NULL or "": none; at most COHORT_NAME_MAX characters), and the
 * project: the innovation project_id (0: none) or project_text. At least a participant (actor
 * or name) and a project are needed (COHORT_INVALID otherwise; COHORT_NOTFOUND for a cohort_id
 * that is no session, an actor_id no actor, a project_id no innovation). Runs in its own write
 * transaction (call it outside one) and bumps the site's generation. *id (may be NULL) receives
 * the application's id. */
int cohort_participant_add(struct store *s, struct arena *a, long long cohort_id,
                           long long actor_id, const char *name, long long project_id,
                           const char *project_text, long long now, long long *id);

#endif
