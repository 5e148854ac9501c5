/* draft_store.h — rows of drafts (migration 14): the answers of a record being proposed through
 * the guided path, kept between its steps. Who may read or change one is core/draft.c's
 * decision (the one visibility rule); every statement here also names the account, so that a
 * row is never reached through another's. Strings are allocated in the caller's arena. */
#ifndef FOISON_DRAFT_STORE_H
#define FOISON_DRAFT_STORE_H
#include "store/store.h"

struct arena;

struct draft_row {
    long long id, user_id;
    const char *key;    /* the random name in its address */
    const char *kind;   /* the kind's API id */
    int step;           /* the step its author last reached */
    const char *fields; /* JSON object text of the answers */
    long long created, updated;
};

/* STORE_CONFLICT when key is taken (draw another). */
int store_draft_insert(struct store *s, const char *key, long long user_id, const char *kind,
                       int step, const char *fields, long long now, long long *id);
/* The draft of key, STORE_NOTFOUND when there is none. */
int store_draft_get(struct store *s, struct arena *a, const char *key, struct draft_row *out);
/* STORE_NOTFOUND when user_id has no draft id. */
int store_draft_update(struct store *s, long long id, long long user_id, int step,
                       const char *fields, long long now);
int store_draft_delete(struct store *s, long long id, long long user_id);
/* The number of user_id's drafts. */
int store_draft_count(struct store *s, long long user_id, int *n);
#define STORE_DRAFTS_MAX 100
/* user_id's drafts, the latest changed first, at most STORE_DRAFTS_MAX. */
int store_draft_list(struct store *s, struct arena *a, long long user_id, struct draft_row **out,
                     int *n);

#endif
