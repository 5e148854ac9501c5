/* search_cache.c — the process's copy in memory of search_docs (see search_cache.h): loading it,
 * applying the rows changed since, interning terms, and the lock that lets searches of every
 * thread read it while one refresh at a time writes it. */
#include "store/search_cache.h"
#include "util/hash.h"
#include "util/mem.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct search_cache sc_cache;
static pthread_rwlock_t sc_lock = PTHREAD_RWLOCK_INITIALIZER;
static unsigned long long sc_versions; /* under sc_lock's write lock */
/* Made under sc_post_lock by any reader (readers of one version share it: the version only
 * changes under the write lock, when no reader holds the copy). */
static struct sc_postings sc_post;
static pthread_mutex_t sc_post_lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t sc_hash_text(const char *s)
{
    return (uint32_t)hash_fnv64(s, strlen(s));
}

int search_cache_term(const struct search_cache *c, const char *text)
{
    if (!c->hash_cap)
        return -1;
    uint32_t mask = (uint32_t)c->hash_cap - 1;
    for (uint32_t i = sc_hash_text(text) & mask;; i = (i + 1) & mask) {
        uint32_t v = c->hash[i];
        if (!v)
            return -1;
        if (strcmp(c->term_text[v - 1], text) == 0)
            return (int)(v - 1);
    }
}

static void sc_hash_insert(struct search_cache *c, int id)
{
    uint32_t mask = (uint32_t)c->hash_cap - 1;
    uint32_t i = sc_hash_text(c->term_text[id]) & mask;
    while (c->hash[i])
        i = (i + 1) & mask;
    c->hash[i] = (uint32_t)id + 1;
}

static int sc_param(struct search_cache *c, const char *p, size_t n)
{
    for (int i = 0; i < c->nparams; i++)
        if (strlen(c->params[i]) == n && memcmp(c->params[i], p, n) == 0)
            return i;
    c->params = xrealloc(c->params, sizeof *c->params * (size_t)(c->nparams + 1));
    c->params[c->nparams] = xstrndup(p, n);
    return c->nparams++;
}

/* The id of term text, interned when new; -1 for a text that is not "param=value". */
static int sc_intern(struct search_cache *c, const char *text, size_t n)
{
    const char *eq = memchr(text, '=', n);
    if (!eq || eq == text)
        return -1;
    char *t = xstrndup(text, n);
    int id = search_cache_term(c, t);
    if (id >= 0) {
        free(t);
        return id;
    }
    if ((c->nterm_ids + 1) * 2 > c->hash_cap) {
        int cap = c->hash_cap ? c->hash_cap * 2 : 1024;
        free(c->hash);
        c->hash = xcalloc((size_t)cap, sizeof *c->hash);
        c->hash_cap = cap;
        for (int i = 0; i < c->nterm_ids; i++)
            sc_hash_insert(c, i);
    }
    if (c->nterm_ids == c->term_ids_cap) {
        c->term_ids_cap = c->term_ids_cap ? c->term_ids_cap * 2 : 256;
        c->term_text = xrealloc(c->term_text, sizeof *c->term_text * (size_t)c->term_ids_cap);
        c->term_param = xrealloc(c->term_param, sizeof *c->term_param * (size_t)c->term_ids_cap);
    }
    id = c->nterm_ids++;
    c->term_text[id] = t;
    c->term_param[id] = sc_param(c, text, (size_t)(eq - text));
    sc_hash_insert(c, id);
    return id;
}

static void sc_reset(struct search_cache *c)
{
    free(c->docs);
    free(c->scoring);
    free(c->terms);
    for (int i = 0; i < c->nterm_ids; i++)
        free(c->term_text[i]);
    free(c->term_text);
    free(c->term_param);
    free(c->hash);
    for (int i = 0; i < c->nparams; i++)
        free(c->params[i]);
    free(c->params);
    free(c->path);
    free(c->epoch);
    memset(c, 0, sizeof *c);
    c->version = ++sc_versions;
}

/* Applies one row of search_docs: the doc's terms (lines "param=value") replace its old ones,
 * whose room counts as dead until the next full load. */
static void sc_apply(struct search_cache *c, long long id, const char *terms, long long updated,
                     bool listed, int title_words)
{
    if (id <= 0 || id > 0x7fffffffLL)
        return;
    c->version = ++sc_versions;
    if (id >= c->ndocs) {
        long long n = c->ndocs ? c->ndocs : 1024;
        while (n <= id)
            n *= 2;
        c->docs = xrealloc(c->docs, sizeof *c->docs * (size_t)n);
        memset(c->docs + c->ndocs, 0, sizeof *c->docs * (size_t)(n - c->ndocs));
        c->scoring = xrealloc(c->scoring, (size_t)n);
        memset(c->scoring + c->ndocs, 0, (size_t)(n - c->ndocs));
        c->ndocs = n;
    }
    struct sc_doc *d = &c->docs[id];
    if (d->listed) {
        c->listed_docs--;
        c->title_words_sum -= d->title_words;
    }
    c->terms_dead += d->nterms;
    d->nterms = 0;
    d->term_off = (uint32_t)c->nterms;
    d->listed = listed;
    d->updated = updated;
    d->title_words = (uint8_t)(title_words < 0 ? 0 : title_words > 255 ? 255 : title_words);
    c->scoring[id] = (uint8_t)(listed ? 1 + (d->title_words < 254 ? d->title_words : 254) : 0);
    if (!listed)
        return;
    c->listed_docs++;
    c->title_words_sum += d->title_words;
    for (const char *p = terms; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        int t = n ? sc_intern(c, p, n) : -1;
        /* A term twice (two fields of one commune) counts the doc once, as the postings do. */
        for (int i = 0; t >= 0 && i < d->nterms; i++)
            if (c->terms[d->term_off + i] == (uint32_t)t)
                t = -1;
        if (t >= 0 && d->nterms < UINT16_MAX) {
            if (c->nterms == c->terms_cap) {
                c->terms_cap = c->terms_cap ? c->terms_cap * 2 : 4096;
                c->terms = xrealloc(c->terms, sizeof *c->terms * c->terms_cap);
            }
            c->terms[c->nterms++] = (uint32_t)t;
            d->nterms++;
        }
        p += n + (nl ? 1 : 0);
    }
}

static char *sc_epoch(struct store *s)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT value FROM settings WHERE key = 'search_epoch'");
    if (!st)
        return NULL;
    char *e = xstrdup(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)
                          ? (const char *)sqlite3_column_text(st, 0)
                          : "");
    store_done(st);
    return e;
}

static int sc_max_seq(struct store *s, long long *seq)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT coalesce(max(seq), 0) FROM search_docs");
    if (!st)
        return STORE_ERR;
    int rc = sqlite3_step(st);
    *seq = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    store_done(st);
    if (rc != SQLITE_ROW) {
        store_log_error(s, "search_cache max seq");
        return STORE_ERR;
    }
    return STORE_OK;
}

/* Reads the rows of search_docs above c->seq into c. */
static int sc_load(struct store *s, struct search_cache *c)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT entry_id, terms, updated, listed, seq, title_words"
                                     " FROM search_docs"
                                     " WHERE seq > ?1 ORDER BY seq");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, c->seq);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *terms = (const char *)sqlite3_column_text(st, 1);
        sc_apply(c, sqlite3_column_int64(st, 0), terms ? terms : "", sqlite3_column_int64(st, 2),
                 sqlite3_column_int(st, 3) != 0, sqlite3_column_int(st, 5));
        c->seq = sqlite3_column_int64(st, 4);
    }
    store_done(st);
    if (rc != SQLITE_DONE) {
        store_log_error(s, "search_cache load");
        return STORE_ERR;
    }
    return STORE_OK;
}

/* Whether c answers a search of file path at (epoch, seq): the same file and rebuild, and
 * every row of that snapshot applied. A copy ahead of the snapshot (a search whose read
 * transaction began before another connection's commit that a search has applied since) is
 * current too: a newer copy never lists what its snapshot hides (a tombstone is a row like
 * any other), and what it lists that the older snapshot does not yet is public; the hits are
 * read again in the searcher's snapshot anyway. Loading it all again at the older snapshot
 * under the write lock, as a seq gone back once did, stalled every search of the process
 * after any edit that raced one. */
static bool sc_current(const struct search_cache *c, const char *path, const char *epoch,
                       long long seq)
{
    return c->path && strcmp(c->path, path) == 0 && c->epoch && strcmp(c->epoch, epoch) == 0 &&
           c->seq >= seq;
}

const struct search_cache *search_cache_acquire(struct store *s)
{
    long long seq;
    return search_cache_acquire_at(s, &seq);
}

const struct search_cache *search_cache_acquire_at(struct store *s, long long *snapshot)
{
    const char *path = sqlite3_db_filename(s->db, "main");
    path = path ? path : "";
    long long seq;
    char *epoch = sc_epoch(s);
    if (!epoch || sc_max_seq(s, &seq) != STORE_OK) {
        free(epoch);
        return NULL;
    }
    *snapshot = seq;
    pthread_rwlock_rdlock(&sc_lock);
    if (sc_current(&sc_cache, path, epoch, seq)) {
        free(epoch);
        return &sc_cache;
    }
    pthread_rwlock_unlock(&sc_lock);
    pthread_rwlock_wrlock(&sc_lock);
    struct search_cache *c = &sc_cache;
    int rc = STORE_OK;
    /* Another file, or the same rebuilt (a new epoch): from scratch. So too when replaced
     * terms take more room than the live ones. (A seq behind the copy's is an older snapshot
     * of the same file, see sc_current: another thread may have brought the copy ahead of it
     * while this one waited for the lock.) */
    if (!c->path || strcmp(c->path, path) != 0 || !c->epoch || strcmp(c->epoch, epoch) != 0 ||
        (c->terms_dead > 65536 && c->terms_dead > c->nterms / 2)) {
        sc_reset(c);
        c->path = xstrdup(path);
        c->epoch = xstrdup(epoch);
    }
    if (c->seq < seq)
        rc = sc_load(s, c);
    free(epoch);
    if (rc != STORE_OK) {
        sc_reset(c); /* half applied: the next search loads it all again */
        pthread_rwlock_unlock(&sc_lock);
        return NULL;
    }
    /* A writer's lock cannot become a reader's: readers wait for this short gap. */
    pthread_rwlock_unlock(&sc_lock);
    pthread_rwlock_rdlock(&sc_lock);
    return &sc_cache;
}

static void sc_postings_free(struct sc_postings *px)
{
    for (int t = 0; t < px->nterm_ids; t++) {
        free(px->bits[t]);
        free(px->ids[t]);
    }
    free(px->bits);
    free(px->ids);
    free(px->nids);
    memset(px, 0, sizeof *px);
}

static void sc_postings_make(struct sc_postings *px, const struct search_cache *c)
{
    sc_postings_free(px);
    int nt = c->nterm_ids;
    px->nterm_ids = nt;
    px->nwords = (c->ndocs + 63) / 64;
    px->bits = xcalloc((size_t)(nt ? nt : 1), sizeof *px->bits);
    px->ids = xcalloc((size_t)(nt ? nt : 1), sizeof *px->ids);
    px->nids = xcalloc((size_t)(nt ? nt : 1), sizeof *px->nids);
    for (long long id = 1; id < c->ndocs; id++)
        if (c->docs[id].listed)
            for (int i = 0; i < c->docs[id].nterms; i++)
                px->nids[c->terms[c->docs[id].term_off + i]]++;
    /* A bitmap when it takes no more room than the ids (a term of one doc in 32 or more). */
    for (int t = 0; t < nt; t++) {
        if (px->nids[t] >= 2 * px->nwords && px->nids[t] > 0)
            px->bits[t] = xcalloc((size_t)px->nwords, sizeof **px->bits);
        else if (px->nids[t] > 0)
            px->ids[t] = xcalloc((size_t)px->nids[t], sizeof **px->ids);
        px->nids[t] = 0;
    }
    for (long long id = 1; id < c->ndocs; id++) {
        if (!c->docs[id].listed)
            continue;
        for (int i = 0; i < c->docs[id].nterms; i++) {
            uint32_t t = c->terms[c->docs[id].term_off + i];
            if (px->bits[t])
                px->bits[t][id >> 6] |= 1ull << (id & 63);
            else
                px->ids[t][px->nids[t]] = (uint32_t)id;
            px->nids[t]++;
        }
    }
    px->version = c->version;
}

const struct sc_postings *search_cache_postings(const struct search_cache *c)
{
    pthread_mutex_lock(&sc_post_lock);
    if (sc_post.version != c->version || sc_post.nterm_ids != c->nterm_ids)
        sc_postings_make(&sc_post, c);
    pthread_mutex_unlock(&sc_post_lock);
    return &sc_post;
}

void search_cache_release(const struct search_cache *c)
{
    (void)c;
    pthread_rwlock_unlock(&sc_lock);
}
