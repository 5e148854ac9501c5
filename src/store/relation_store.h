/* relation_store.h — the relations between entries (by id, typed by the field that holds
 * them), the brief rows other entries are shown by, the managers of entries and the requests to
 * join a network. Which of these rows a viewer may see is core's decision (core/relation.c),
 * from the flags returned here. */
#ifndef FOISON_RELATION_STORE_H
#define FOISON_RELATION_STORE_H
#include "store/store.h"
#include <stdbool.h>
#include <stddef.h>

struct arena;

/* An entry as a link to it shows it: its published card (NULL when never published). */
struct entry_brief_row {
    long long id;
    const char *kind, *slug;
    const char *card; /* JSON object text of the published revision's card, or NULL */
    size_t card_len;
    bool deleted;
    int hidden;
    const char *field; /* for relation reads: the field that holds the relation */
};
#define STORE_RELATED_MAX 2000

/* Replaces the relations held by from_id with fields[i] -> to_ids[i]. */
int store_relations_replace(struct store *s, long long from_id, const char *const *fields,
                            const long long *to_ids, int n);
/* The entries whose published revision points to to_id (field set), by field then order of
 * the holder's sort key, at most STORE_RELATED_MAX, into an arena array. With field, only that
 * field's. */
int store_relations_in(struct store *s, struct arena *a, long long to_id, const char *field,
                       struct entry_brief_row **out, int *n);
/* The entries from_id's published revision points to, in the order it lists them. */
int store_relations_out(struct store *s, struct arena *a, long long from_id, const char *field,
                        struct entry_brief_row **out, int *n);
/* The brief rows of ids (out[i] for ids[i]; kind NULL for an id that no entry has). */
int store_entries_brief(struct store *s, struct arena *a, const long long *ids, int n,
                        struct entry_brief_row *out);
/* Entries of the given kinds (comma-separated; NULL any) whose slug or card title contains
 * every word of q (ASCII-folded by the caller into a slug-like text), published and listed,
 * at most limit: for the relation field's suggestions. */
int store_entries_suggest(struct store *s, struct arena *a, const char *kinds, const char *q,
                          int limit, struct entry_brief_row **out, int *n);

int store_manager_add(struct store *s, long long entry_id, long long user_id, long long now);
/* 1 when user_id manages entry_id, 0 when not, STORE_ERR on failure. */
int store_manager_is(struct store *s, long long entry_id, long long user_id);
/* The ids of the entries user_id manages, of kind, into an arena array. */
int store_managed_entries(struct store *s, struct arena *a, long long user_id, const char *kind,
                          long long **ids, int *n);

struct join_request_row {
    long long id, network_id, actor_id, requester_id;
    const char *requester_name, *message, *state;
    long long created;
};
/* STORE_CONFLICT when an open request of that actor to that network exists. */
int store_join_request_insert(struct store *s, long long network_id, long long actor_id,
                              long long requester_id, const char *message, long long now,
                              long long *id);
int store_join_request_get(struct store *s, struct arena *a, long long id,
                           struct join_request_row *out);
/* The open requests to network_id, oldest first. */
int store_join_requests_open(struct store *s, struct arena *a, long long network_id,
                             struct join_request_row **out, int *n);
/* Decides an open request; STORE_NOTFOUND when it is not open any more. */
int store_join_request_decide(struct store *s, long long id, const char *state,
                              long long moderator_id, long long now);

#endif
