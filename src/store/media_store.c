/* media_store.c — SQL of blobs, media and the files made of uploads (see media_store.h), and
 * the folder blobs may live in instead of the site's file (their row then has no data); the
 * object store (store/s3.c) is the other such place. A process is given one place at most: a
 * row without data means "in the place this process was given". */
#include "store/media_store.h"
#include "store/s3.h"
#include "util/arena.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned media_tmp_seq; /* two threads writing the same blob use two temporary names */
static char *media_dir; /* set once before the threads start; NULL: blobs in the site's file */

int store_media_s3_set(const char *url, char *err, size_t errlen)
{
    if (media_dir) {
        snprintf(err, errlen, "--media-dir et --media-s3 s'excluent : choisir l'un des deux");
        return -1;
    }
    return s3_configure(url, err, errlen);
}

int store_media_dir_set(const char *dir, char *err, size_t errlen)
{
    if (s3_configured()) {
        snprintf(err, errlen, "--media-dir et --media-s3 s'excluent : choisir l'un des deux");
        return -1;
    }
    char *real = dir ? realpath(dir, NULL) : NULL;
    struct stat st;
    if (!real || stat(real, &st) != 0 || !S_ISDIR(st.st_mode) || access(real, W_OK | X_OK) != 0) {
        snprintf(err, errlen, "dossier des médias inutilisable : %s (%s)", dir ? dir : "",
                 real ? "pas un dossier où écrire" : strerror(errno));
        free(real);
        return -1;
    }
    free(media_dir);
    media_dir = real;
    return 0;
}

/* A blob's hash is 64 lowercase hex digits: anything else never becomes a path. */
static bool media_hash_ok(const char *hash)
{
    size_t n = strlen(hash);
    return n == 64 && strspn(hash, "0123456789abcdef") == n;
}

/* Writes data to dir/ab/hash unless it is there: a file of its own, made complete (written,
 * synced) before its name appears, so that a reader never sees half of it. */
static int media_file_write(const char *hash, const void *data, size_t len)
{
    char sub[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX];
    if (snprintf(sub, sizeof sub, "%s/%.2s", media_dir, hash) >= (int)sizeof sub ||
        snprintf(path, sizeof path, "%s/%s", sub, hash) >= (int)sizeof path ||
        snprintf(tmp, sizeof tmp, "%s/.%s.%ld.%u", sub, hash, (long)getpid(),
                 __atomic_fetch_add(&media_tmp_seq, 1u, __ATOMIC_RELAXED)) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (access(path, F_OK) == 0)
        return 0;
    /* Only this account reads them: pending, rejected and draft photos are files too. */
    if (mkdir(sub, 0700) != 0 && errno != EEXIST)
        return -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    const unsigned char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            unlink(tmp);
            return -1;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    /* The new name itself made durable before the row that names it is committed. */
    int dfd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -1;
    int frc = fsync(dfd);
    close(dfd);
    return frc == 0 ? 0 : -1;
}

/* Reads dir/ab/hash, which must hold size bytes, into the arena. */
static int media_file_read(struct arena *a, const char *hash, long long size,
                           const unsigned char **data, size_t *len)
{
    if (!media_dir || !media_hash_ok(hash))
        return -1;
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%.2s/%s", media_dir, hash, hash) >= (int)sizeof path)
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size != size) {
        close(fd);
        return -1;
    }
    size_t n = (size_t)size, got = 0;
    unsigned char *d = arena_alloc(a, n ? n : 1);
    while (got < n) {
        ssize_t r = read(fd, d + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got != n)
        return -1;
    *data = d;
    *len = n;
    return 0;
}

int store_blob_put(struct store *s, const char *hash, const char *mime, const void *data,
                   size_t len)
{
    bool in_folder = media_dir != NULL, in_s3 = s3_configured();
    if (in_s3) {
        if (!media_hash_ok(hash))
            return STORE_ERR;
        /* Stored once: a blob already known (in the bucket or in the file) is not sent again. */
        sqlite3_stmt *st = store_stmt(s, "SELECT 1 FROM blobs WHERE hash = ?1");
        if (!st)
            return STORE_ERR;
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        store_done(st);
        if (rc == SQLITE_ROW)
            return STORE_OK;
        if (rc != SQLITE_DONE) {
            store_log_error(s, "blob_put");
            return STORE_ERR;
        }
        char err[512];
        if (s3_put_object(hash, mime, data, len, err, sizeof err) != 0) {
            fprintf(stderr, "foison: envoi du fichier %s au stockage S3 : %s\n", hash, err);
            return STORE_ERR;
        }
    } else if (in_folder) {
        if (!media_hash_ok(hash))
            return STORE_ERR;
        if (media_file_write(hash, data, len) != 0) {
            fprintf(stderr, "foison: écriture du fichier %s dans %s : %s\n", hash, media_dir,
                    strerror(errno));
            return STORE_ERR;
        }
    }
    sqlite3_stmt *st = store_stmt(s, "INSERT INTO blobs (hash, mime, size, data)"
                                     " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (hash) DO NOTHING");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, mime, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)len);
    if (in_folder || in_s3)
        sqlite3_bind_null(st, 4); /* the bytes are in the folder's file or the bucket */
    else
        sqlite3_bind_blob64(st, 4, data, len, SQLITE_STATIC);
    return store_step_done(s, st, "blob_put");
}

int store_blob_get(struct store *s, struct arena *a, const char *hash, const char **mime,
                   const unsigned char **data, size_t *len)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT mime, data, size FROM blobs WHERE hash = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), ret = STORE_NOTFOUND;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 1) == SQLITE_NULL) {
        /* In the folder or the bucket: a server started without it, a file gone, an object
         * store that does not answer, is a missing file. */
        *mime = store_text(a, st, 0);
        char err[512];
        if (s3_configured()) {
            if (s3_get_object(a, hash, sqlite3_column_int64(st, 2), data, len, err, sizeof err) ==
                0) {
                ret = STORE_OK;
            } else {
                fprintf(stderr, "foison: fichier %s illisible dans le stockage S3 : %s\n", hash,
                        err);
                ret = STORE_NOTFOUND;
            }
        } else if (media_file_read(a, hash, sqlite3_column_int64(st, 2), data, len) == 0) {
            ret = STORE_OK;
        } else {
            fprintf(stderr, "foison: fichier %s absent du dossier des médias (%s)\n", hash,
                    media_dir ? media_dir : "serve sans --media-dir");
            ret = STORE_NOTFOUND;
        }
    } else if (rc == SQLITE_ROW) {
        *mime = store_text(a, st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 1);
        unsigned char *d = arena_alloc(a, n ? n : 1);
        if (n)
            memcpy(d, sqlite3_column_blob(st, 1), n);
        *data = d;
        *len = n;
        ret = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        store_log_error(s, "blob_get");
        ret = STORE_ERR;
    }
    store_done(st);
    return ret;
}

int store_media_files(struct store *s, struct arena *a, const char *source,
                      struct media_file_row *out, int max, int *n)
{
    *n = 0;
    sqlite3_stmt *st = store_stmt(s, "SELECT mime, width, height, hash, size FROM media_files"
                                     " WHERE source = ?1 ORDER BY width, mime DESC");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
        struct media_file_row *f = &out[(*n)++];
        f->mime = store_text(a, st, 0);
        f->width = sqlite3_column_int(st, 1);
        f->height = sqlite3_column_int(st, 2);
        f->hash = store_text(a, st, 3);
        f->size = sqlite3_column_int64(st, 4);
    }
    store_done(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        store_log_error(s, "media_files");
        return STORE_ERR;
    }
    return STORE_OK;
}

int store_media_file_add(struct store *s, const char *source, const struct media_file_row *f)
{
    sqlite3_stmt *st =
        store_stmt(s, "INSERT INTO media_files (source, mime, width, height, hash, size)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, f->mime, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, f->width);
    sqlite3_bind_int(st, 4, f->height);
    sqlite3_bind_text(st, 5, f->hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, f->size);
    return store_step_done(s, st, "media_file_add");
}

#define MEDIA_COLUMNS                                                                              \
    "id, entry_id, role, state, source, mime, width, height, size, filename, alt, caption,"        \
    " author, license, position, uploader_id, created, decided_by, decided"

static void media_read(struct arena *a, sqlite3_stmt *st, struct media_row *m)
{
    m->id = sqlite3_column_int64(st, 0);
    m->entry_id = sqlite3_column_int64(st, 1);
    m->role = store_text(a, st, 2);
    m->state = store_text(a, st, 3);
    m->source = store_text(a, st, 4);
    m->mime = store_text(a, st, 5);
    m->width = sqlite3_column_int(st, 6);
    m->height = sqlite3_column_int(st, 7);
    m->size = sqlite3_column_int64(st, 8);
    m->filename = store_text(a, st, 9);
    m->alt = store_text(a, st, 10);
    m->caption = store_text(a, st, 11);
    m->author = store_text(a, st, 12);
    m->license = store_text(a, st, 13);
    m->position = sqlite3_column_int(st, 14);
    m->uploader_id = sqlite3_column_int64(st, 15);
    m->created = sqlite3_column_int64(st, 16);
    m->decided_by = sqlite3_column_int64(st, 17);
    m->decided = sqlite3_column_int64(st, 18);
}

static int media_read_all(struct store *s, struct arena *a, sqlite3_stmt *st, struct media_row *out,
                          int max, int *n, const char *what)
{
    *n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
        media_read(a, st, &out[(*n)++]);
    store_done(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        store_log_error(s, what);
        return STORE_ERR;
    }
    return STORE_OK;
}

int store_media_insert(struct store *s, const struct media_row *m, long long *id)
{
    sqlite3_stmt *st = store_stmt(
        s, "INSERT INTO media (entry_id, role, state, source, mime, width, height, size,"
           " filename, alt, caption, author, license, position, uploader_id, created)"
           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
           " (SELECT coalesce(max(position), 0) + 1 FROM media WHERE entry_id = ?1), ?14, ?15)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, m->entry_id);
    sqlite3_bind_text(st, 2, m->role, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, m->state, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, m->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, m->mime, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, m->width);
    sqlite3_bind_int(st, 7, m->height);
    sqlite3_bind_int64(st, 8, m->size);
    sqlite3_bind_text(st, 9, m->filename ? m->filename : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, m->alt ? m->alt : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, m->caption ? m->caption : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, m->author ? m->author : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, m->license, -1, SQLITE_STATIC);
    if (m->uploader_id > 0)
        sqlite3_bind_int64(st, 14, m->uploader_id);
    else
        sqlite3_bind_null(st, 14);
    sqlite3_bind_int64(st, 15, m->created);
    int rc = store_step_done(s, st, "media_insert");
    if (rc == STORE_OK)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

int store_media_by_id(struct store *s, struct arena *a, long long id, struct media_row *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " MEDIA_COLUMNS " FROM media WHERE id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    int n, rc = media_read_all(s, a, st, out, 1, &n, "media_by_id");
    return rc != STORE_OK ? rc : n ? STORE_OK : STORE_NOTFOUND;
}

int store_media_of_entry(struct store *s, struct arena *a, long long entry_id,
                         struct media_row *out, int max, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " MEDIA_COLUMNS " FROM media WHERE entry_id = ?1"
                                     " AND state <> 'deleted' ORDER BY position, id");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    return media_read_all(s, a, st, out, max, n, "media_of_entry");
}

int store_media_update(struct store *s, const struct media_row *m)
{
    sqlite3_stmt *st =
        store_stmt(s, "UPDATE media SET role = ?2, state = ?3, alt = ?4, caption = ?5, author = ?6,"
                      " license = ?7, position = ?8, decided_by = ?9, decided = ?10 WHERE id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, m->id);
    sqlite3_bind_text(st, 2, m->role, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, m->state, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, m->alt, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, m->caption, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, m->author, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, m->license, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 8, m->position);
    if (m->decided_by > 0)
        sqlite3_bind_int64(st, 9, m->decided_by);
    else
        sqlite3_bind_null(st, 9);
    if (m->decided > 0)
        sqlite3_bind_int64(st, 10, m->decided);
    else
        sqlite3_bind_null(st, 10);
    return store_step_done(s, st, "media_update");
}

int store_media_mains(struct store *s, struct arena *a, const char *ids_json, struct media_row *out,
                      int max, int *n)
{
    sqlite3_stmt *st = store_stmt(
        s, "SELECT " MEDIA_COLUMNS " FROM media WHERE entry_id IN (SELECT value FROM json_each(?1))"
           " AND role = 'main' AND state = 'published'");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, ids_json, -1, SQLITE_STATIC);
    return media_read_all(s, a, st, out, max, n, "media_mains");
}

int store_media_holders(struct store *s, struct arena *a, const char *hash,
                        struct media_holder *out, int max, int *n)
{
    *n = 0;
    sqlite3_stmt *st =
        store_stmt(s, "SELECT m.state, m.role, m.filename, m.mime, m.uploader_id, e.id, e.deleted,"
                      " e.published_rev IS NOT NULL, e.hidden FROM media_files f"
                      " JOIN media m ON m.source = f.source JOIN entries e ON e.id = m.entry_id"
                      " WHERE f.hash = ?1 ORDER BY m.state = 'published' DESC, m.id LIMIT ?2");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, max);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
        struct media_holder *h = &out[(*n)++];
        h->state = store_text(a, st, 0);
        h->role = store_text(a, st, 1);
        h->filename = store_text(a, st, 2);
        h->mime = store_text(a, st, 3);
        h->uploader_id = sqlite3_column_int64(st, 4);
        h->entry_id = sqlite3_column_int64(st, 5);
        h->entry_deleted = sqlite3_column_int(st, 6) != 0;
        h->entry_published = sqlite3_column_int(st, 7) != 0;
        h->entry_hidden = sqlite3_column_int(st, 8);
    }
    store_done(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        store_log_error(s, "media_holders");
        return STORE_ERR;
    }
    return STORE_OK;
}

int store_media_pending(struct store *s, struct arena *a, struct media_row *out, int max, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " MEDIA_COLUMNS " FROM media WHERE state = 'pending'"
                                     " ORDER BY created, id");
    if (!st)
        return STORE_ERR;
    return media_read_all(s, a, st, out, max, n, "media_pending");
}

int store_draft_media_put(struct store *s, long long draft_id, long long owner_id,
                          const struct media_row *m)
{
    sqlite3_stmt *st = store_stmt(
        s, "INSERT INTO draft_media (draft_id, source, mime, width, height, size, filename, alt,"
           " caption, author, created) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11"
           " FROM drafts WHERE id = ?1 AND user_id = ?12"
           " ON CONFLICT (draft_id) DO UPDATE SET source = excluded.source, mime = excluded.mime,"
           " width = excluded.width, height = excluded.height, size = excluded.size,"
           " filename = excluded.filename, alt = excluded.alt, caption = excluded.caption,"
           " author = excluded.author, created = excluded.created");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, draft_id);
    sqlite3_bind_text(st, 2, m->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, m->mime, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, m->width);
    sqlite3_bind_int(st, 5, m->height);
    sqlite3_bind_int64(st, 6, m->size);
    sqlite3_bind_text(st, 7, m->filename ? m->filename : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, m->alt ? m->alt : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, m->caption ? m->caption : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, m->author ? m->author : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 11, m->created);
    sqlite3_bind_int64(st, 12, owner_id);
    int rc = store_step_done(s, st, "draft_media_put");
    return rc == STORE_OK && sqlite3_changes(s->db) != 1 ? STORE_NOTFOUND : rc;
}

int store_draft_media_get(struct store *s, struct arena *a, long long draft_id,
                          struct media_row *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT source, mime, width, height, size, filename, alt,"
                                     " caption, author, created FROM draft_media"
                                     " WHERE draft_id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, draft_id);
    int rc = sqlite3_step(st), ret = STORE_NOTFOUND;
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        out->role = "main";
        out->state = "draft";
        out->source = store_text(a, st, 0);
        out->mime = store_text(a, st, 1);
        out->width = sqlite3_column_int(st, 2);
        out->height = sqlite3_column_int(st, 3);
        out->size = sqlite3_column_int64(st, 4);
        out->filename = store_text(a, st, 5);
        out->alt = store_text(a, st, 6);
        out->caption = store_text(a, st, 7);
        out->author = store_text(a, st, 8);
        out->created = sqlite3_column_int64(st, 9);
        out->license = "";
        ret = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        store_log_error(s, "draft_media_get");
        ret = STORE_ERR;
    }
    store_done(st);
    return ret;
}

int store_draft_media_delete(struct store *s, long long draft_id)
{
    sqlite3_stmt *st = store_stmt(s, "DELETE FROM draft_media WHERE draft_id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, draft_id);
    return store_step_done(s, st, "draft_media_delete");
}

int store_media_purge(struct store *s, long long before, int max, int *purged)
{
    *purged = 0;
    enum { PURGE_MAX = 64, PURGE_FILES = 16 };
    if (max > PURGE_MAX)
        max = PURGE_MAX;
    char sources[PURGE_MAX][65];
    int n = 0;
    if (store_begin(s) != STORE_OK)
        return STORE_ERR;
    sqlite3_stmt *st = store_stmt(
        s, "SELECT DISTINCT f.source FROM media_files f WHERE NOT EXISTS (SELECT 1 FROM media m"
           " WHERE m.source = f.source AND (m.state IN ('published', 'pending')"
           "   OR coalesce(m.decided, m.created) >= ?1))"
           " AND NOT EXISTS (SELECT 1 FROM draft_media d WHERE d.source = f.source) LIMIT ?2");
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, before);
    sqlite3_bind_int(st, 2, max);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max) {
        const char *src = (const char *)sqlite3_column_text(st, 0);
        if (src && strlen(src) < sizeof sources[0])
            snprintf(sources[n++], sizeof sources[0], "%s", src);
    }
    store_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        goto fail;
    /* The folder's files to remove once the rows are gone for good. */
    char(*unlink_hashes)[65] = calloc((size_t)PURGE_MAX * PURGE_FILES, sizeof *unlink_hashes);
    int nunlink = 0;
    if (!unlink_hashes)
        goto fail;
    for (int i = 0; i < n; i++) {
        char hashes[PURGE_FILES][65];
        int nh = 0;
        bool kept = false; /* a blob of the folder this process cannot reach: keep the upload */
        st = store_stmt(s, "SELECT f.hash, b.data IS NULL FROM media_files f"
                           " JOIN blobs b ON b.hash = f.hash WHERE f.source = ?1");
        if (!st)
            goto fail_free;
        sqlite3_bind_text(st, 1, sources[i], -1, SQLITE_STATIC);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW && nh < PURGE_FILES) {
            const char *h = (const char *)sqlite3_column_text(st, 0);
            if (sqlite3_column_int(st, 1) && !media_dir && !s3_configured())
                kept = true;
            if (h && strlen(h) < sizeof hashes[0])
                snprintf(hashes[nh++], sizeof hashes[0], "%s", h);
        }
        store_done(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            goto fail_free;
        if (kept)
            continue;
        st = store_stmt(s, "DELETE FROM media_files WHERE source = ?1");
        if (!st)
            goto fail_free;
        sqlite3_bind_text(st, 1, sources[i], -1, SQLITE_STATIC);
        if (store_step_done(s, st, "media_purge") != STORE_OK)
            goto fail_free;
        for (int j = 0; j < nh; j++) {
            /* The same bytes may be a file of another upload too (a document is its own file). */
            st = store_stmt(s,
                            "DELETE FROM blobs WHERE hash = ?1 AND NOT EXISTS"
                            " (SELECT 1 FROM media_files WHERE hash = ?1) RETURNING data IS NULL");
            if (!st)
                goto fail_free;
            sqlite3_bind_text(st, 1, hashes[j], -1, SQLITE_STATIC);
            rc = sqlite3_step(st);
            bool in_folder = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
            while (rc == SQLITE_ROW)
                rc = sqlite3_step(st);
            store_done(st);
            if (rc != SQLITE_DONE)
                goto fail_free;
            if (in_folder && nunlink < PURGE_MAX * PURGE_FILES)
                memcpy(unlink_hashes[nunlink++], hashes[j], sizeof hashes[j]);
        }
        (*purged)++;
    }
    if (store_commit(s) != STORE_OK)
        goto fail_free;
    for (int i = 0; i < nunlink; i++) {
        char path[PATH_MAX], err[512];
        if (s3_configured()) {
            /* An object left behind is only space: the rows are gone, nothing names it. */
            if (s3_delete_object(unlink_hashes[i], err, sizeof err) != 0)
                fprintf(stderr, "foison: suppression du fichier %s du stockage S3 : %s\n",
                        unlink_hashes[i], err);
        } else if (media_hash_ok(unlink_hashes[i]) &&
                   snprintf(path, sizeof path, "%s/%.2s/%s", media_dir, unlink_hashes[i],
                            unlink_hashes[i]) < (int)sizeof path)
            unlink(path);
    }
    free(unlink_hashes);
    return STORE_OK;
fail_free:
    free(unlink_hashes);
fail:
    store_log_error(s, "media_purge");
    store_rollback(s);
    *purged = 0;
    return STORE_ERR;
}

int store_media_published_of(struct store *s, struct arena *a, const char *ids_json,
                             struct media_row *out, int max, int *n)
{
    sqlite3_stmt *st = store_stmt(
        s, "SELECT " MEDIA_COLUMNS " FROM media WHERE entry_id IN (SELECT value FROM json_each(?1))"
           " AND state = 'published' ORDER BY entry_id, position, id");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, ids_json, -1, SQLITE_STATIC);
    return media_read_all(s, a, st, out, max, n, "media_published_of");
}

int store_media_files_of(struct store *s, struct arena *a, const char *sources_json,
                         struct media_file_row *out, int max, int *n)
{
    *n = 0;
    sqlite3_stmt *st = store_stmt(
        s, "SELECT mime, width, height, hash, size, source FROM media_files"
           " WHERE source IN (SELECT value FROM json_each(?1)) ORDER BY source, width, mime DESC");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, sources_json, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
        struct media_file_row *f = &out[(*n)++];
        f->mime = store_text(a, st, 0);
        f->width = sqlite3_column_int(st, 1);
        f->height = sqlite3_column_int(st, 2);
        f->hash = store_text(a, st, 3);
        f->size = sqlite3_column_int64(st, 4);
        f->source = store_text(a, st, 5);
    }
    store_done(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        store_log_error(s, "media_files_of");
        return STORE_ERR;
    }
    return STORE_OK;
}
