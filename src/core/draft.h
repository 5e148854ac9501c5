/* draft.h — drafts: the answers of a record being proposed through the guided path
 * (web/propose.c), kept between its steps and resumable later. A draft is private to its
 * author: the one visibility rule (viewer_sees with state "draft") gives it to them alone,
 * not to moderators. It is not a revision and no entry exists for it: no slug
 * is taken, no list, count, search row, map point, feed or export can hold it, and nothing is
 * derived from it. It becomes a record only when its author sends it, through the one save
 * path (draft_submit calls validate_entry then entry_save, with every rule those apply:
 * moderation, spam, rate limits, licence), and is deleted then.
 *
 * The answers are kept as the form gave them (strings, lists of strings, objects of strings:
 * what entry_view_form shows back and validate_entry reads), each step checked by
 * validate_entry_fields before it is written, so a draft holds nothing longer than the schema
 * allows. */
#ifndef FOISON_DRAFT_H
#define FOISON_DRAFT_H
#include "core/entry.h"
#include "core/schema.h"
#include "core/visibility.h"
#include <jansson.h>
#include <stddef.h>

struct arena;
struct store;
struct territory;
struct field_errors;

enum draft_status {
    DRAFT_OK = 0,
    DRAFT_ERR = -1,       /* storage failure, logged */
    DRAFT_NOTFOUND = -2,  /* no such draft that this viewer may see */
    DRAFT_FULL = -3,      /* the account holds DRAFT_MAX_PER_ACCOUNT drafts already */
    DRAFT_FORBIDDEN = -4, /* not signed in */
    DRAFT_TOO_BIG = -5,   /* the answers exceed DRAFT_MAX_BYTES */
};

#define DRAFT_MAX_PER_ACCOUNT 20
#define DRAFT_MAX_BYTES (256 * 1024)
#define DRAFT_KEY_LEN 24 /* hex characters of a draft's random name */

struct draft {
    long long id;
    const char *key; /* its address: /proposer/brouillons/KEY */
    long long author_id;
    const struct kind_def *kind;
    int step; /* the step its author last reached (1 …) */
    long long created, updated;
    json_t *answers; /* field name -> raw answer; owned by the arena */
};

/* Whether key has the shape of a draft's name (lowercase hex, DRAFT_KEY_LEN). */
bool draft_key_valid(const char *key);
/* A new draft of kind k for v (an account) with answers (copied) at step. DRAFT_FULL beyond
 * DRAFT_MAX_PER_ACCOUNT, DRAFT_FORBIDDEN for the public. */
int draft_create(struct store *s, struct arena *a, const struct viewer *v, const struct kind_def *k,
                 json_t *answers, int step, long long now, struct draft *out);
/* The draft named key if v may see it (its author); DRAFT_NOTFOUND otherwise, exactly as for a
 * name that does not exist. */
int draft_find(struct store *s, struct arena *a, const struct viewer *v, const char *key,
               struct draft *out);
/* Writes d->answers (changed in place by the caller) and step. */
int draft_write(struct store *s, const struct viewer *v, struct draft *d, int step, long long now);
int draft_delete(struct store *s, const struct viewer *v, const struct draft *d);
/* v's drafts, the latest changed first (at most STORE_DRAFTS_MAX); those of a kind this program
 * no longer has are left out. */
int draft_list(struct store *s, struct arena *a, const struct viewer *v, struct draft **out,
               int *n);
/* The title answered so far ("" when none). */
const char *draft_title(const struct draft *d);

/* The photo of d (web/propose.c's photo step), its author's alone like d: the wrappers of
 * core/media.h's media_draft_* with the one visibility rule (DRAFT_NOTFOUND for anyone else).
 * draft_photo_put takes in as media_add does (in->uploader set here to v) and answers a
 * MEDIA_* status; draft_photo_get MEDIA_NOTFOUND when d has none. */
struct media;
struct media_upload;
int draft_photo_put(struct store *s, struct arena *a, const struct viewer *v, const struct draft *d,
                    struct media_upload *in, struct media *out);
int draft_photo_get(struct store *s, struct arena *a, const struct viewer *v, const struct draft *d,
                    struct media *out);
int draft_photo_texts(struct store *s, struct arena *a, const struct viewer *v,
                      const struct draft *d, const char *alt, const char *caption,
                      const char *author, struct field_errors *errs);
int draft_photo_remove(struct store *s, const struct viewer *v, const struct draft *d);
int draft_photo_file(struct store *s, struct arena *a, const struct viewer *v,
                     const struct draft *d, const char *hash, const char **mime,
                     const unsigned char **data, size_t *len);

/* Sends d: every answer validated (validate_entry: ENTRY_INVALID with the reasons in in->errs),
 * then the one save path, entry_save, with v as author (in gives client_ip, comment, now, errs;
 * its kind, fields, author and timing are set here: the time the draft took is a genuine
 * stamp), and the draft deleted once the record exists — its photo first made the record's main
 * image (media_draft_attach: published or pending as v's uploads are). Returns entry_save's result
 * (ENTRY_OK, ENTRY_INVALID, ENTRY_RATE_LIMITED with saved->retry_after, …); ENTRY_NOTFOUND when v
 * may not see d. */
int draft_submit(struct store *s, struct arena *a, const struct territory *t,
                 const struct viewer *v, const struct draft *d, struct entry_save *in,
                 struct entry_saved *saved);

#endif
