/* media_store.h — SQL of images and documents: content-addressed blobs, the media shown on
 * entries, and the files made of each upload (migration 14). Rows come back whatever their state:
 * core/media.c decides, with the one visibility rule, what a viewer may see. */
#ifndef FOISON_MEDIA_STORE_H
#define FOISON_MEDIA_STORE_H
#include "store/store.h"
#include <stdbool.h>
#include <stddef.h>

struct media_row {
    long long id, entry_id;
    const char *role;   /* main, gallery, document */
    const char *state;  /* published, pending, rejected, deleted */
    const char *source; /* SHA-256 (hex) of the bytes uploaded */
    const char *mime;   /* what the upload was (image/jpeg…, application/pdf…) */
    int width, height;  /* of an image, upright */
    long long size;     /* bytes uploaded */
    const char *filename, *alt, *caption, *author, *license;
    int position;
    long long uploader_id, created, decided_by, decided;
};

struct media_file_row {
    const char *mime;
    int width, height; /* 0 for a document */
    const char *hash;
    long long size;
    const char *source; /* store_media_files_of only */
};

/* Blobs written from now on go to files under dir (dir/ab/abcd…, named by their hash) rather
 * than into the site's file; blobs already in the file stay there, and both kinds are read. NULL
 * (the default): into the file. Called once at start-up, before any thread; -1 with a French
 * reason in err when dir is not a folder this process can write to. */
int store_media_dir_set(const char *dir, char *err, size_t errlen);
/* The same with an S3-compatible object store instead of a folder (store/s3.c): url is
 * http[s]://host[:port]/bucket[/prefix], the keys come from the environment
 * (FOISON_S3_ACCESS_KEY, FOISON_S3_SECRET_KEY, FOISON_S3_REGION). A process has one place at
 * most: -1 when a folder was given too. Called once at start-up, before any thread. */
int store_media_s3_set(const char *url, char *err, size_t errlen);
/* Stores bytes under their hash, once: a second put of the same hash writes nothing. */
int store_blob_put(struct store *s, const char *hash, const char *mime, const void *data,
                   size_t len);
/* The bytes of hash (in a) and their type; STORE_NOTFOUND when none. */
int store_blob_get(struct store *s, struct arena *a, const char *hash, const char **mime,
                   const unsigned char **data, size_t *len);

/* Forgets the bytes nothing holds any more, at most max uploads in one transaction: an upload
 * (a source) whose every media row is deleted or rejected and was decided before `before`, or
 * that no media row nor draft photo names at all (a draft deleted unsent). Its media_files rows
 * go, then each blob no other upload's files use, and its file in the folder after the commit.
 * A blob in a folder this process was not given is left for a process that was. *purged: the
 * uploads forgotten. */
int store_media_purge(struct store *s, long long before, int max, int *purged);
/* The published media of the entries whose ids are in ids_json (a JSON array), by entry, then
 * position: what the public sees of a page of entries, in one query. */
int store_media_published_of(struct store *s, struct arena *a, const char *ids_json,
                             struct media_row *out, int max, int *n);
/* The files made of the sources in sources_json (a JSON array of hashes), by source, then as
 * store_media_files orders them; each row says its source. */
int store_media_files_of(struct store *s, struct arena *a, const char *sources_json,
                         struct media_file_row *out, int max, int *n);
/* What was made of source (variants ascending by width, WebP before JPEG), at most max. */
int store_media_files(struct store *s, struct arena *a, const char *source,
                      struct media_file_row *out, int max, int *n);
int store_media_file_add(struct store *s, const char *source, const struct media_file_row *f);

/* Inserts m (its id ignored) at the end of its entry's media; its id into *id. */
int store_media_insert(struct store *s, const struct media_row *m, long long *id);
int store_media_by_id(struct store *s, struct arena *a, long long id, struct media_row *out);
/* Every medium of entry_id but the deleted ones, by position then id, at most max. */
int store_media_of_entry(struct store *s, struct arena *a, long long entry_id,
                         struct media_row *out, int max, int *n);
/* Writes back the texts, role, state, position and decision of m (by m->id). */
int store_media_update(struct store *s, const struct media_row *m);
/* The published main image of each entry of ids (a JSON array text of ids), at most max rows:
 * for cards. Only media whose state is published; the entries' own visibility is the caller's
 * (the lists give only what the public sees). */
int store_media_mains(struct store *s, struct arena *a, const char *ids_json, struct media_row *out,
                      int max, int *n);

/* Who holds a file: for each medium that shows hash (through what was made of its source), the
 * medium and its entry's state, at most max. */
struct media_holder {
    const char *state, *role, *filename, *mime;
    long long uploader_id, entry_id;
    bool entry_deleted, entry_published;
    int entry_hidden;
};
int store_media_holders(struct store *s, struct arena *a, const char *hash,
                        struct media_holder *out, int max, int *n);
/* The pending media of the whole site, oldest first, at most max. */
int store_media_pending(struct store *s, struct arena *a, struct media_row *out, int max, int *n);

/* The photo of a draft (migration 17): one per draft, kept with it (deleted with it). A
 * media_row without entry, role "main", state "draft", licence "" (the record's applies when
 * it is sent); put replaces the one there. Who may reach a draft is core/draft.c's decision. */
/* Writes the photo of draft draft_id if that draft is still owner_id's (a draft deleted while
 * its photo was made gives its id to the next draft: never to another person's): STORE_NOTFOUND
 * otherwise. */
int store_draft_media_put(struct store *s, long long draft_id, long long owner_id,
                          const struct media_row *m);
int store_draft_media_get(struct store *s, struct arena *a, long long draft_id,
                          struct media_row *out);
int store_draft_media_delete(struct store *s, long long draft_id);

#endif
