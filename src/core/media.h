/* media.h — images and documents of entries: uploading (the type told by content, images made
 * anew by render/image, the same bytes made and stored once), the texts that go with each (a
 * required alternative text for an image, a caption, an author, a licence defaulting to the
 * entry's), moderation (an account below trusted uploads as pending, as it writes), and what a
 * viewer may see of them and of their files — through the one visibility rule, for every door
 * (record pages, cards, the API, the files themselves). */
#ifndef FOISON_MEDIA_H
#define FOISON_MEDIA_H
#include "core/visibility.h"
#include <stdbool.h>
#include <stddef.h>

struct arena;
struct entry;
struct field_errors;
struct kind_def;
struct store;

#define MEDIA_ALT_MAX 300     /* characters of an alternative text */
#define MEDIA_CAPTION_MAX 500 /* of a caption */
#define MEDIA_AUTHOR_MAX 200  /* of an author's name */
#define MEDIA_IMAGE_MAX_BYTES (20 * 1024 * 1024)
#define MEDIA_DOCUMENT_MAX_BYTES (20 * 1024 * 1024)
#define MEDIA_PER_ENTRY_MAX 40 /* media shown on one entry (deleted ones not counted) */
#define MEDIA_FILES_MAX 8

enum media_status {
    MEDIA_OK = 0,
    MEDIA_ERR = -1,          /* storage or libvips failure: logged */
    MEDIA_NOTFOUND = -2,     /* no such entry or medium for this viewer */
    MEDIA_INVALID = -3,      /* field errors (a missing alternative text, an image too big…) */
    MEDIA_UNSUPPORTED = -4,  /* a type that is not accepted: see media_upload.errs "file" */
    MEDIA_TOO_LARGE = -5,    /* more bytes than the type allows */
    MEDIA_FORBIDDEN = -6,    /* not signed in, account inactive, or not this viewer's to change */
    MEDIA_RATE_LIMITED = -7, /* too many uploads: see media_upload.retry_after */
};

struct media_file {
    const char *url; /* "/media/HASH.ext", the site's path of the file */
    const char *mime;
    int width, height; /* 0 for a document */
    long long size;
};

struct media {
    long long id, entry_id;
    const char *type;  /* "image" or "document" */
    const char *role;  /* main, gallery, document */
    const char *state; /* published, pending, rejected */
    const char *mime;  /* of what was uploaded */
    const char *label; /* in French: "image JPEG", "document PDF"… */
    const char *filename, *alt, *caption, *author, *license;
    int width, height; /* upright, as uploaded */
    long long size, uploader_id, created;
    struct media_file files[MEDIA_FILES_MAX]; /* images: widths ascending, WebP then JPEG */
    int nfiles;
    const char *entry_slug, *entry_kind; /* media_pending only: where it would be shown */
    const char *uploader_name;           /* media_pending only */
};

/* The largest JPEG of an image (the file any browser shows), or a document's own file. */
const struct media_file *media_best(const struct media *m);

struct media_upload {
    long long entry_id;          /* an entry the uploader sees (the door found it with them) */
    const char *entry_license;   /* the licence of the entry's visible text: the default */
    const struct kind_def *kind; /* its kind: the licences a medium may take are its field's */
    const char *role;            /* main, gallery or document (NULL: main for an image when the
                                    entry has none, gallery otherwise; document for a document) */
    const char *alt, *caption, *author, *license; /* as given (NULL or "": none) */
    const char *filename;                         /* as the client named it */
    const unsigned char *data;
    size_t len;
    struct viewer uploader;
    bool operator;         /* the site's operator (demo): published, not limited */
    const char *client_ip; /* for the rate of edits */
    long long now;
    struct field_errors *errs; /* receives the reasons (fields "file", "alt", "license"…) */
    long retry_after;          /* out: on MEDIA_RATE_LIMITED */
};

/* Checks an upload, makes its files (or finds them made), and shows it on the entry: published
 * at once for a trusted uploader and above, pending otherwise. Nothing is written on failure.
 * A new main image makes the previous one a gallery image when it is published. */
int media_add(struct store *s, struct arena *a, struct media_upload *in, struct media *out);

/* The photo of a draft (core/draft.c decides who reaches a draft; draft_id is one it found).
 * A draft is no entry, so its photo is no medium yet: media_draft_put checks and makes an image
 * exactly as media_add does (type by content — a document is refused —, byte and pixel limits,
 * alternative text required, the rate of edits) and keeps it with the draft, replacing the one
 * there; its files are served by media_draft_file only (no medium names them: /media/… does
 * not). Nothing is written on failure. MEDIA_NOTFOUND when the draft has no photo. */
int media_draft_put(struct store *s, struct arena *a, long long draft_id, struct media_upload *in,
                    struct media *out);
int media_draft_get(struct store *s, struct arena *a, long long draft_id, struct media *out);
/* Changes the texts of the draft's photo by v (its author), checked as on upload, spam rules
 * included. */
int media_draft_texts(struct store *s, struct arena *a, long long draft_id, const struct viewer *v,
                      const char *alt, const char *caption, const char *author,
                      struct field_errors *errs);
int media_draft_remove(struct store *s, long long draft_id);
/* The bytes of one file made of the draft's photo (hash: 64 hex characters). */
int media_draft_file(struct store *s, struct arena *a, long long draft_id, const char *hash,
                     const char **mime, const unsigned char **data, size_t *len);
/* The draft's photo made the main image of the entry its submission created: a medium,
 * published or pending as the uploader's role says now, under the entry's licence; the draft's
 * row goes in the same transaction. */
struct media_attach {
    long long entry_id;
    const struct kind_def *kind;
    const char *entry_license;
    struct viewer uploader;
    long long now;
};
int media_draft_attach(struct store *s, struct arena *a, long long draft_id,
                       const struct media_attach *in, struct media *out);

/* The media of entry_id that v may see (published ones; their own pending ones and, for
 * moderators, every pending one), by position, at most MEDIA_PER_ENTRY_MAX. */
int media_of_entry(struct store *s, struct arena *a, const struct viewer *v, long long entry_id,
                   struct media **out, int *n);
/* One medium by id when v may see it (its entry too: the caller found it with v). */
int media_find(struct store *s, struct arena *a, const struct viewer *v, long long id,
               struct media *out);
/* The published main image of each of ids (entries the caller lists), in ids' order: out[i]
 * NULL when entry ids[i] has none. */
int media_mains(struct store *s, struct arena *a, const long long *ids, int n,
                const struct media **out);

/* What v may get of the file named hash (64 hex characters): its bytes, type, and the file name
 * a document is offered under. public_ says whether everybody may (then it may be cached by
 * anyone); MEDIA_NOTFOUND when v may not see any medium that shows it. */
int media_file_get(struct store *s, struct arena *a, const struct viewer *v, const char *hash,
                   const char **mime, const unsigned char **data, size_t *len,
                   const char **filename, bool *public_);

/* Changes the texts or role of a medium, or removes it (role "deleted"): an account that may
 * edit the entry; texts checked as on upload. */
struct media_change {
    long long id;
    const char *role; /* main, gallery, document, or "deleted"; NULL: unchanged */
    const char *alt, *caption, *author, *license; /* NULL: unchanged */
    struct viewer by;
    const struct kind_def *kind;
    long long now;
    struct field_errors *errs;
};
int media_change(struct store *s, struct arena *a, const struct media_change *in);

/* A moderator's decision on a pending medium: published or rejected, in the moderation log. */
int media_decide(struct store *s, struct arena *a, const struct viewer *moderator, long long id,
                 bool approve, long long now);
/* The pending media of the site, oldest first, for moderators (at most max). */
int media_pending(struct store *s, struct arena *a, const struct viewer *v, struct media **out,
                  int max, int *n);

/* Days a deleted or rejected medium's files are kept: a moderator may still look at what was
 * removed, and a mistaken removal is undone by uploading the same bytes again at no cost. */
#define MEDIA_PURGE_DAYS 7
/* The chore that forgets the bytes of uploads nothing holds any more (store_media_purge): those
 * deleted or rejected over MEDIA_PURGE_DAYS ago, and a draft's photo once its draft is gone. A
 * person who deletes a photo of someone gets it gone from the site's storage, not only hidden.
 * *purged (may be NULL): how many. 0, or -1. */
int media_purge(struct store *s, long long now, int *purged);

/* What the public sees of the media of n entries the public sees (a page of a list): lists[i]
 * and counts[i] for ids[i], in the order media_of_entry gives, in two queries. */
int media_public_of(struct store *s, struct arena *a, const long long *ids, int n,
                    struct media **lists, int *counts);

#endif
