/* draft.c — drafts of the guided path (see draft.h): who may read and change one, their
 * number and size, and sending one through the one save path. */
#include "core/draft.h"
#include "core/media.h"
#include "core/validate.h"
#include "store/draft_store.h"
#include "util/arena.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool draft_key_valid(const char *key)
{
    if (!key || strlen(key) != DRAFT_KEY_LEN)
        return false;
    for (const char *p = key; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

static void draft_decref(void *p)
{
    json_decref(p);
}

/* A draft from its row, its answers parsed into the arena; DRAFT_NOTFOUND for a kind this
 * program does not know or a text that is not an object (a file changed by hand). */
static int draft_from_row(struct arena *a, const struct draft_row *r, struct draft *d)
{
    memset(d, 0, sizeof(*d));
    d->kind = kind_find(r->kind);
    json_t *answers = json_loads(r->fields, 0, NULL);
    if (!d->kind || !json_is_object(answers)) {
        json_decref(answers);
        return DRAFT_NOTFOUND;
    }
    arena_defer(a, draft_decref, answers);
    d->id = r->id;
    d->key = r->key;
    d->author_id = r->user_id;
    d->step = r->step > 0 ? r->step : 1;
    d->created = r->created;
    d->updated = r->updated;
    d->answers = answers;
    return DRAFT_OK;
}

/* The answers as stored, NULL when they exceed DRAFT_MAX_BYTES (caller frees). */
static char *draft_text(json_t *answers)
{
    char *text = json_dumps(answers, JSON_COMPACT);
    if (text && strlen(text) > DRAFT_MAX_BYTES) {
        free(text);
        return NULL;
    }
    return text;
}

int draft_create(struct store *s, struct arena *a, const struct viewer *v, const struct kind_def *k,
                 json_t *answers, int step, long long now, struct draft *out)
{
    if (!v || v->user_id <= 0)
        return DRAFT_FORBIDDEN;
    int n = 0;
    if (store_draft_count(s, v->user_id, &n) != STORE_OK)
        return DRAFT_ERR;
    if (n >= DRAFT_MAX_PER_ACCOUNT)
        return DRAFT_FULL;
    char *text = draft_text(answers);
    if (!text)
        return DRAFT_TOO_BIG;
    /* A random name: ids in addresses would tell how many drafts the site holds. */
    char key[DRAFT_KEY_LEN + 1];
    unsigned char raw[DRAFT_KEY_LEN / 2];
    long long id = 0;
    int rc = STORE_CONFLICT;
    for (int tries = 0; tries < 4 && rc == STORE_CONFLICT; tries++) {
        randombytes_buf(raw, sizeof raw);
        sodium_bin2hex(key, sizeof key, raw, sizeof raw);
        rc = store_draft_insert(s, key, v->user_id, k->name, step, text, now, &id);
    }
    free(text);
    if (rc != STORE_OK)
        return DRAFT_ERR;
    memset(out, 0, sizeof(*out));
    out->id = id;
    out->key = arena_strdup(a, key);
    out->author_id = v->user_id;
    out->kind = k;
    out->step = step;
    out->created = out->updated = now;
    out->answers = json_deep_copy(answers);
    arena_defer(a, draft_decref, out->answers);
    return DRAFT_OK;
}

int draft_find(struct store *s, struct arena *a, const struct viewer *v, const char *key,
               struct draft *out)
{
    if (!draft_key_valid(key))
        return DRAFT_NOTFOUND;
    struct draft_row r;
    int rc = store_draft_get(s, a, key, &r);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? DRAFT_NOTFOUND : DRAFT_ERR;
    /* The one rule: a draft is its author's alone. */
    if (!viewer_sees(v, "draft", r.user_id))
        return DRAFT_NOTFOUND;
    return draft_from_row(a, &r, out);
}

int draft_write(struct store *s, const struct viewer *v, struct draft *d, int step, long long now)
{
    if (!viewer_sees(v, "draft", d->author_id))
        return DRAFT_NOTFOUND;
    char *text = draft_text(d->answers);
    if (!text)
        return DRAFT_TOO_BIG;
    int rc = store_draft_update(s, d->id, v->user_id, step, text, now);
    free(text);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? DRAFT_NOTFOUND : DRAFT_ERR;
    d->step = step;
    d->updated = now;
    return DRAFT_OK;
}

int draft_delete(struct store *s, const struct viewer *v, const struct draft *d)
{
    if (!viewer_sees(v, "draft", d->author_id))
        return DRAFT_NOTFOUND;
    int rc = store_draft_delete(s, d->id, v->user_id);
    return rc == STORE_OK ? DRAFT_OK : rc == STORE_NOTFOUND ? DRAFT_NOTFOUND : DRAFT_ERR;
}

int draft_list(struct store *s, struct arena *a, const struct viewer *v, struct draft **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (!v || v->user_id <= 0)
        return DRAFT_OK;
    struct draft_row *rows;
    int nrows;
    if (store_draft_list(s, a, v->user_id, &rows, &nrows) != STORE_OK)
        return DRAFT_ERR;
    struct draft *d = arena_alloc(a, sizeof(*d) * (nrows ? nrows : 1));
    int k = 0;
    for (int i = 0; i < nrows; i++)
        if (viewer_sees(v, "draft", rows[i].user_id) &&
            draft_from_row(a, &rows[i], &d[k]) == DRAFT_OK)
            k++;
    *out = d;
    *n = k;
    return DRAFT_OK;
}

const char *draft_title(const struct draft *d)
{
    const char *t = json_string_value(json_object_get(d->answers, d->kind->title_field));
    return t ? t : "";
}

int draft_submit(struct store *s, struct arena *a, const struct territory *t,
                 const struct viewer *v, const struct draft *d, struct entry_save *in,
                 struct entry_saved *saved)
{
    memset(saved, 0, sizeof(*saved));
    if (!viewer_sees(v, "draft", d->author_id))
        return ENTRY_NOTFOUND;
    struct field_errors local = {0};
    if (!in->errs)
        in->errs = &local;
    json_t *clean = validate_entry(a, d->kind, t, d->answers, false, in->errs);
    if (!clean)
        return ENTRY_INVALID;
    in->kind = d->kind;
    in->slug = NULL;
    in->base_rev = 0;
    in->fields = clean;
    in->author = *v;
    in->operator= false;
    /* The draft says how long its author took: the server kept the time, so it is a genuine
     * stamp (a form sent seconds after it was shown is a robot's sign). */
    in->timed = true;
    in->fill_seconds = in->now > d->created ? (long)(in->now - d->created) : 0;
    in->unstamped = false;
    int rc = entry_save(s, a, in, saved);
    /* The photo becomes the record's main image through the media path (a transaction of its
     * own, after entry_save's): should it fail (logged), the record stands without it. */
    if (rc == ENTRY_OK) {
        struct media_attach at = {
            .entry_id = saved->entry.id,
            .kind = d->kind,
            .entry_license = json_string_value(json_object_get(clean, "license")),
            .uploader = *v,
            .now = in->now,
        };
        struct media m;
        int mrc = media_draft_attach(s, a, d->id, &at, &m);
        if (mrc != MEDIA_OK && mrc != MEDIA_NOTFOUND)
            fprintf(stderr, "foison: draft %lld: its photo could not be attached (%d)\n", d->id,
                    mrc);
    }
    json_decref(clean);
    in->fields = NULL;
    if (in->errs == &local)
        in->errs = NULL;
    /* The record exists: the draft has served. Its deletion is a transaction of its own
     * (entry_save owns its own); should it fail (logged), the author still finds the draft on
     * their account and may delete it. */
    if (rc == ENTRY_OK)
        store_draft_delete(s, d->id, v->user_id);
    return rc;
}

int draft_photo_put(struct store *s, struct arena *a, const struct viewer *v, const struct draft *d,
                    struct media_upload *in, struct media *out)
{
    if (!viewer_sees(v, "draft", d->author_id))
        return MEDIA_NOTFOUND;
    in->uploader = *v;
    in->operator= false;
    return media_draft_put(s, a, d->id, in, out);
}

int draft_photo_get(struct store *s, struct arena *a, const struct viewer *v, const struct draft *d,
                    struct media *out)
{
    if (!d || !viewer_sees(v, "draft", d->author_id))
        return MEDIA_NOTFOUND;
    return media_draft_get(s, a, d->id, out);
}

int draft_photo_texts(struct store *s, struct arena *a, const struct viewer *v,
                      const struct draft *d, const char *alt, const char *caption,
                      const char *author, struct field_errors *errs)
{
    if (!viewer_sees(v, "draft", d->author_id))
        return MEDIA_NOTFOUND;
    return media_draft_texts(s, a, d->id, v, alt, caption, author, errs);
}

int draft_photo_remove(struct store *s, const struct viewer *v, const struct draft *d)
{
    if (!viewer_sees(v, "draft", d->author_id))
        return MEDIA_NOTFOUND;
    return media_draft_remove(s, d->id);
}

int draft_photo_file(struct store *s, struct arena *a, const struct viewer *v,
                     const struct draft *d, const char *hash, const char **mime,
                     const unsigned char **data, size_t *len)
{
    if (!viewer_sees(v, "draft", d->author_id))
        return MEDIA_NOTFOUND;
    return media_draft_file(s, a, d->id, hash, mime, data, len);
}
