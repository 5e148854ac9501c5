/* cohort_store.h — the rows of applications to a training's session: the applicant (an account,
 * or none for the participants the operator enters), the actor and the project they carry, the
 * message to the organisers, the name they agreed to show, and the organisers' decisions. Who
 * may read or change which row is core/cohort.c's decision. */
#ifndef FOISON_COHORT_STORE_H
#define FOISON_COHORT_STORE_H
#include "store/store.h"

struct arena;

struct application_row {
    long long id, cohort_id, user_id, actor_id, project_id; /* 0: none */
    const char *project_text, *message, *public_name, *state;
    long long created, decided_at;
    const char *user_name, *user_email; /* the account's, "" when none */
};

/* A new application in state (pending, or accepted for the operator's participants);
 * STORE_CONFLICT when user_id has an open one (pending, waiting, accepted) for cohort_id. Ids
 * of 0 are stored as none. */
int store_application_insert(struct store *s, long long cohort_id, long long user_id,
                             long long actor_id, long long project_id, const char *project_text,
                             const char *message, const char *public_name, const char *state,
                             long long now, long long *id);
int store_application_get(struct store *s, struct arena *a, long long id,
                          struct application_row *out);
/* Moves application id from state from to state to; STORE_NOTFOUND when it is not in from. */
int store_application_set_state(struct store *s, long long id, const char *from, const char *to,
                                long long user_id, long long now);
/* The applications of cohort_id in state (NULL: any), oldest first, at most max. */
int store_applications_of(struct store *s, struct arena *a, long long cohort_id, const char *state,
                          int max, struct application_row **out, int *n);
/* The open application (pending, waiting or accepted) of user_id to cohort_id, or
 * STORE_NOTFOUND. */
int store_application_open(struct store *s, struct arena *a, long long cohort_id, long long user_id,
                           struct application_row *out);
/* How many applications of cohort_id are in state, or STORE_ERR. */
int store_applications_count(struct store *s, long long cohort_id, const char *state);

#endif
