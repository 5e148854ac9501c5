/* search_store.c — the SQLite answer to core/search.h (see search_store.h): writing documents
 * into the FTS5 table and search_docs, turning a parsed query into an FTS5 expression made of
 * quoted strings only (nothing typed is ever FTS5 syntax), our ranking function, the pass over
 * the matches that filters, counts facets and keeps the best ones, snippets, the vocabulary of
 * typo corrections and the titles of the header box's suggestions. */
#include "store/search_store.h"
#include "store/fts_fr.h"
#include "store/search_cache.h"
#include "store/search_impact.h"
#include "util/hash.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/mem.h"
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The weight of each column in the ranking: a word in the title says more about the entry than
 * the same word deep in its text. */
static const double ss_column_weight[STORE_SEARCH_COLUMNS] = {8.0, 3.0, 1.0, 1.5};
#define SS_K1 1.2                                  /* BM25's saturation of repeated words */
#define SS_TITLE_B 0.75                            /* BM25's length normalisation, for titles */
#define SS_CACHE_POINTER "foison_search_cache"     /* the type of the copy passed to foison_rank */
#define SS_COLLECT_POINTER "foison_search_collect" /* foison_scan's output */
#define SS_PREFIX_WEIGHT 0.35  /* a word found only by its beginning ("biblioth…") */
#define SS_EXPAND_MIN_CHARS 7  /* words this long are also looked for by their beginning */
#define SS_PREFIX_MIN_CHARS 3  /* characters of the token a prefix query expands */
#define SS_MAX_PHRASES 64      /* FTS5 phrases of one expression, expansions included */
#define SS_MAX_MATCHES 2000000 /* matches read from FTS5 for one query */
#define SS_WORD_MIN_CHARS 3    /* shorter words do not enter the correction vocabulary */

/* ---- writing ---- */

/* A rebuild of the whole index writes its search_docs rows and words in batches: any statement
 * that needs a statement journal (an INSERT OR REPLACE, an INSERT OR IGNORE) opens a savepoint
 * on every virtual table of the transaction, and FTS5 then writes out the terms it was
 * gathering in memory. Written one entry at a time, that was a third of a rebuild's time. */
#define SS_BULK_BATCH 4096

struct ss_bulk_doc {
    long long id, updated, seq;
    char *terms;
    int title_words;
};

struct ss_bulk_word {
    char *word, *shown;
};

struct search_bulk {
    struct ss_bulk_doc *docs;
    int ndocs;
    struct ss_bulk_word *words;
    int nwords, words_cap;
    long long seq;     /* the last seq given */
    int secure_delete; /* the connection's setting before the rebuild (ss_secure_delete) */
};

static int ss_bulk_flush(struct store *s);

/* SQLite as Debian builds it (SQLITE_SECURE_DELETE) writes zeros over every page a statement
 * frees: dropping the old index and FTS5's merges, each freeing the segments it replaced, had
 * it write the whole index's size again in zeros (to the WAL, then the file: a tenth of a
 * rebuild at a million entries). The index holds nothing that the file does not keep in its
 * revisions (none is ever deleted), so its rebuild has SQLite zero only what it writes anyway
 * ("fast", 2) and gives the setting back after. Returns the setting before (0, 1 or 2), -1 on an
 * error (the setting then unknown: left as it is). */
static int ss_secure_delete_cb(void *ctx, int n, char **v, char **names)
{
    (void)names;
    if (n == 1 && v[0])
        *(int *)ctx = atoi(v[0]);
    return 0;
}

static int ss_secure_delete(struct store *s, int mode)
{
    int was = -1, now = -1;
    char sql[40];
    snprintf(sql, sizeof sql, "PRAGMA secure_delete = %d", mode);
    if (sqlite3_exec(s->db, "PRAGMA secure_delete", ss_secure_delete_cb, &was, NULL) != SQLITE_OK ||
        was < 0 || sqlite3_exec(s->db, sql, ss_secure_delete_cb, &now, NULL) != SQLITE_OK ||
        now != mode)
        return -1;
    return was;
}

static void ss_secure_delete_back(struct store *s, int was)
{
    if (was >= 0 && ss_secure_delete(s, was) < 0)
        fprintf(stderr, "foison: sqlite: secure_delete not set back to %d\n", was);
}

static int ss_seq_next(struct store *s, long long *seq)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT coalesce(max(seq), 0) + 1 FROM search_docs");
    if (!st)
        return STORE_ERR;
    int rc = sqlite3_step(st);
    *seq = sqlite3_column_int64(st, 0);
    store_done(st);
    if (rc != SQLITE_ROW) {
        store_log_error(s, "search seq");
        return STORE_ERR;
    }
    return STORE_OK;
}

static int ss_fts_delete(struct store *s, long long id)
{
    sqlite3_stmt *st = store_stmt(s, "DELETE FROM search_fts WHERE rowid = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    return store_step_done(s, st, "search_fts delete");
}

/* A text without the two bytes snippets mark matches with (validation lets no control
 * character in, this is a second lock). */
static const char *ss_clean(struct arena *a, const char *t)
{
    if (!strchr(t, SEARCH_MARK_OPEN) && !strchr(t, SEARCH_MARK_CLOSE))
        return t;
    char *c = arena_strdup(a, t);
    for (char *p = c; *p; p++)
        if (*p == SEARCH_MARK_OPEN || *p == SEARCH_MARK_CLOSE)
            *p = ' ';
    return c;
}

/* The vocabulary: each folded word of the texts indexed (at least SS_WORD_MIN_CHARS
 * characters, no digit). Words already seen by this connection are not written again. */
static bool ss_seen_word(struct store *s, const char *w, int n)
{
    /* A set of hashes of the words this connection wrote: a false hit only leaves a word out
     * of the suggestions. */
    unsigned long long h = hash_fnv64(w, (size_t)n) | 1;
    if (s->words_cap == 0) {
        s->words_cap = 1 << 14;
        s->words_seen = xcalloc((size_t)s->words_cap, sizeof *s->words_seen);
    }
    if ((s->words_n + 1) * 2 > s->words_cap) {
        if (s->words_cap >= (1 << 22))
            return false; /* full: written again, INSERT OR IGNORE keeps it right */
        unsigned long long *old = s->words_seen;
        int oldcap = s->words_cap;
        s->words_cap *= 2;
        s->words_seen = xcalloc((size_t)s->words_cap, sizeof *s->words_seen);
        for (int i = 0; i < oldcap; i++)
            if (old[i]) {
                unsigned j = (unsigned)(old[i] & (unsigned)(s->words_cap - 1));
                while (s->words_seen[j])
                    j = (j + 1) & (unsigned)(s->words_cap - 1);
                s->words_seen[j] = old[i];
            }
        free(old);
    }
    unsigned mask = (unsigned)s->words_cap - 1;
    for (unsigned j = (unsigned)(h & mask);; j = (j + 1) & mask) {
        if (s->words_seen[j] == h)
            return true;
        if (!s->words_seen[j]) {
            s->words_seen[j] = h;
            s->words_n++;
            return false;
        }
    }
}

/* Lower-cases the letters of French (A-Z, À-Þ) of s[0..n). */
static void ss_lower_in_place(char *s, int n)
{
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            s[i] = (char)(c + 32);
        else if (c == 0xC3 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
                 (unsigned char)s[i + 1] <= 0x9E && (unsigned char)s[i + 1] != 0x97)
            s[i + 1] = (char)((unsigned char)s[i + 1] + 32), i++;
    }
}

static const char *ss_lower(struct arena *a, const char *s, int n)
{
    char *out = arena_alloc(a, (size_t)n + 1);
    memcpy(out, s, (size_t)n);
    out[n] = '\0';
    ss_lower_in_place(out, n);
    return out;
}

/* The words of a document as FTS5 indexes it (store_fts_capture): kept in a list, written to
 * search_words once the document's INSERT is done (no statement may run on the connection
 * while FTS5 is in the middle of one). */
struct ss_capture {
    struct store *s;
    struct ss_bulk_word *words;
    int n, cap;
};

static int ss_capture_cb(void *ctx, const char *w, int n)
{
    struct ss_capture *cp = ctx;
    int chars = 0;
    for (int i = 0; i < n; i++)
        chars += ((unsigned char)w[i] & 0xC0) != 0x80;
    if (chars < SS_WORD_MIN_CHARS || ss_seen_word(cp->s, w, n))
        return SQLITE_OK;
    if (cp->n == cp->cap) {
        cp->cap = cp->cap ? cp->cap * 2 : 256;
        cp->words = xrealloc(cp->words, sizeof *cp->words * (size_t)cp->cap);
    }
    /* The vocabulary's "shown" is the folded word: a correction is shown as a listed entry
     * writes it when it is offered (ss_word_shown). */
    char *word = xstrndup(w, (size_t)n);
    cp->words[cp->n++] = (struct ss_bulk_word){word, xstrdup(word)};
    return SQLITE_OK;
}

static int ss_words_write(struct store *s, struct ss_bulk_word *words, int n)
{
    int rc = STORE_OK;
    for (int i = 0; i < n; i++) {
        sqlite3_stmt *st =
            rc == STORE_OK
                ? store_stmt(s, "INSERT OR IGNORE INTO search_words(word, shown) VALUES (?1, ?2)")
                : NULL;
        if (st) {
            sqlite3_bind_text(st, 1, words[i].word, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, words[i].shown, -1, SQLITE_STATIC);
            rc = store_step_done(s, st, "search_words");
        } else {
            rc = STORE_ERR;
        }
        free(words[i].word);
        free(words[i].shown);
    }
    return rc;
}

static int ss_word_count_cb(void *ctx, int tflags, const char *w, int n, int start, int end)
{
    (void)w, (void)n, (void)start, (void)end;
    if (!(tflags & FTS5_TOKEN_COLOCATED))
        ++*(int *)ctx;
    return SQLITE_OK;
}

/* The words of a text that the index keeps (stop words left out). */
static int ss_count_words(const char *text)
{
    int n = 0;
    if (text && store_fts_words(text, (int)strlen(text), ss_word_count_cb, &n) != SQLITE_OK)
        n = 0;
    return n;
}

int store_search_put(struct store *s, const struct store_search_doc *d)
{
    struct arena *a = arena_new();
    struct buf terms = BUF_INIT;
    for (int i = 0; i < d->nterms; i++) {
        if (strchr(d->terms[i], '\n'))
            continue;
        buf_puts(&terms, d->terms[i]);
        buf_putc(&terms, '\n');
    }
    buf_putc(&terms, '\0');
    long long seq;
    int title_words = ss_count_words(d->text[STORE_SEARCH_TITLE]);
    struct search_bulk *bulk = s->search_bulk;
    int rc = STORE_OK;
    if (bulk)
        seq = ++bulk->seq; /* a fresh index: nothing to delete */
    else if ((rc = ss_seq_next(s, &seq)) == STORE_OK)
        rc = ss_fts_delete(s, d->id);
    sqlite3_stmt *st = rc == STORE_OK ? store_stmt(s, "INSERT INTO search_fts(rowid, title, lead,"
                                                      " body, tags) VALUES (?1, ?2, ?3, ?4, ?5)")
                                      : NULL;
    /* In a rebuild the words go straight to the batch's list. */
    struct ss_capture cp = {.s = s};
    if (bulk) {
        cp.words = bulk->words;
        cp.n = bulk->nwords;
        cp.cap = bulk->words_cap;
    }
    if (st) {
        /* The texts outlive the step (store_done clears the bindings): SQLite need not copy. */
        sqlite3_bind_int64(st, 1, d->id);
        for (int c = 0; c < STORE_SEARCH_COLUMNS; c++)
            sqlite3_bind_text(st, c + 2, ss_clean(a, d->text[c] ? d->text[c] : ""), -1,
                              SQLITE_STATIC);
        store_fts_capture(ss_capture_cb, &cp);
        rc = store_step_done(s, st, "search_fts insert");
        store_fts_capture(NULL, NULL);
    } else {
        rc = STORE_ERR;
    }
    if (bulk) {
        bulk->words = cp.words;
        bulk->nwords = cp.n;
        bulk->words_cap = cp.cap;
    }
    if (bulk && rc == STORE_OK) {
        bulk->docs[bulk->ndocs++] =
            (struct ss_bulk_doc){d->id, d->updated, seq, xstrdup(terms.data), title_words};
        if (rc == STORE_OK && bulk->ndocs == SS_BULK_BATCH)
            rc = ss_bulk_flush(s);
        buf_free(&terms);
        arena_free(a);
        return rc;
    }
    st = rc == STORE_OK ? store_stmt(s, "INSERT OR REPLACE INTO search_docs(entry_id, terms,"
                                        " updated, listed, seq, title_words)"
                                        " VALUES (?1, ?2, ?3, 1, ?4, ?5)")
                        : NULL;
    if (st) {
        sqlite3_bind_int64(st, 1, d->id);
        sqlite3_bind_text(st, 2, terms.data, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, d->updated);
        sqlite3_bind_int64(st, 4, seq);
        sqlite3_bind_int(st, 5, title_words);
        rc = store_step_done(s, st, "search_docs put");
    } else {
        rc = STORE_ERR;
    }
    if (!bulk) {
        int wrc = ss_words_write(s, cp.words, rc == STORE_OK ? cp.n : 0);
        for (int i = rc == STORE_OK ? cp.n : 0; i < cp.n; i++) {
            free(cp.words[i].word);
            free(cp.words[i].shown);
        }
        free(cp.words);
        if (rc == STORE_OK)
            rc = wrc;
    }
    buf_free(&terms);
    arena_free(a);
    return rc;
}

static int ss_bulk_flush(struct store *s)
{
    struct search_bulk *b = s->search_bulk;
    int rc = STORE_OK;
    for (int i = 0; i < b->ndocs; i++) {
        sqlite3_stmt *st = rc == STORE_OK ? store_stmt(s, "INSERT OR REPLACE INTO search_docs("
                                                          "entry_id, terms, updated, listed, seq,"
                                                          " title_words)"
                                                          " VALUES (?1, ?2, ?3, 1, ?4, ?5)")
                                          : NULL;
        if (st) {
            sqlite3_bind_int64(st, 1, b->docs[i].id);
            sqlite3_bind_text(st, 2, b->docs[i].terms, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, b->docs[i].updated);
            sqlite3_bind_int64(st, 4, b->docs[i].seq);
            sqlite3_bind_int(st, 5, b->docs[i].title_words);
            rc = store_step_done(s, st, "search_docs bulk");
        } else {
            rc = STORE_ERR;
        }
        free(b->docs[i].terms);
    }
    b->ndocs = 0;
    int wrc = ss_words_write(s, b->words, b->nwords);
    if (rc == STORE_OK)
        rc = wrc;
    b->nwords = 0;
    return rc;
}

int store_search_bulk_begin(struct store *s)
{
    if (s->search_bulk)
        return STORE_ERR;
    long long seq;
    if (ss_seq_next(s, &seq) != STORE_OK)
        return STORE_ERR;
    struct search_bulk *b = xcalloc(1, sizeof *b);
    b->docs = xcalloc(SS_BULK_BATCH, sizeof *b->docs);
    b->seq = seq - 1;
    b->secure_delete = ss_secure_delete(s, 2);
    s->search_bulk = b;
    return STORE_OK;
}

void store_search_bulk_discard(struct store *s)
{
    struct search_bulk *b = s->search_bulk;
    if (!b)
        return;
    for (int i = 0; i < b->ndocs; i++)
        free(b->docs[i].terms);
    for (int i = 0; i < b->nwords; i++) {
        free(b->words[i].word);
        free(b->words[i].shown);
    }
    ss_secure_delete_back(s, b->secure_delete);
    free(b->docs);
    free(b->words);
    free(b);
    s->search_bulk = NULL;
}

int store_search_optimize(struct store *s)
{
    char *msg = NULL;
    int was = ss_secure_delete(s, 2);
    int rc = sqlite3_exec(s->db, "INSERT INTO search_fts(search_fts) VALUES('optimize')", NULL,
                          NULL, &msg);
    ss_secure_delete_back(s, was);
    if (rc != SQLITE_OK) {
        fprintf(stderr, "foison: sqlite: search optimize: %s\n", msg ? msg : "?");
        sqlite3_free(msg);
        return STORE_ERR;
    }
    return STORE_OK;
}

int store_search_bulk_end(struct store *s)
{
    struct search_bulk *b = s->search_bulk;
    if (!b)
        return STORE_OK;
    int rc = ss_bulk_flush(s);
    ss_secure_delete_back(s, b->secure_delete);
    free(b->docs);
    free(b->words);
    free(b);
    s->search_bulk = NULL;
    return rc;
}

int store_search_remove(struct store *s, long long id)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT listed FROM search_docs WHERE entry_id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    bool listed = rc == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
    store_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_log_error(s, "search remove");
        return STORE_ERR;
    }
    if (!listed)
        return STORE_OK;
    long long seq;
    if (ss_seq_next(s, &seq) != STORE_OK || ss_fts_delete(s, id) != STORE_OK)
        return STORE_ERR;
    /* A tombstone: the other processes' copies learn that it left. */
    st = store_stmt(s, "UPDATE search_docs SET listed = 0, terms = '', seq = ?2"
                       " WHERE entry_id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, seq);
    return store_step_done(s, st, "search remove");
}

/* The index emptied: its FTS5 tables made again, its other rows deleted. */
static int ss_clear_tables(struct store *s)
{
    /* Made again rather than emptied: FTS5 deletes a row of a table with its content by reading
     * and tokenizing its text again, which took a third of a whole rebuild. */
    char *msg = NULL;
    if (sqlite3_exec(s->db, SEARCH_FTS_DROP SEARCH_FTS_CREATE, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "foison: sqlite: search clear: %s\n", msg ? msg : "?");
        sqlite3_free(msg);
        return STORE_ERR;
    }
    sqlite3_stmt *st;
    if (!(st = store_stmt(s, "DELETE FROM search_docs")) ||
        store_step_done(s, st, "search clear docs") != STORE_OK)
        return STORE_ERR;
    if (!(st = store_stmt(s, "DELETE FROM search_words")) ||
        store_step_done(s, st, "search clear words") != STORE_OK)
        return STORE_ERR;
    return STORE_OK;
}

int store_search_clear(struct store *s)
{
    char epoch[40];
    unsigned char r[12];
    FILE *f = fopen("/dev/urandom", "rb");
    size_t got = f ? fread(r, 1, sizeof r, f) : 0;
    if (f)
        fclose(f);
    if (got != sizeof r)
        return STORE_ERR;
    for (size_t i = 0; i < sizeof r; i++)
        snprintf(epoch + 2 * i, 3, "%02x", r[i]);
    int was = ss_secure_delete(s, 2);
    int rc = ss_clear_tables(s);
    ss_secure_delete_back(s, was);
    if (rc != STORE_OK)
        return STORE_ERR;
    s->words_n = 0;
    if (s->words_seen)
        memset(s->words_seen, 0, sizeof *s->words_seen * (size_t)s->words_cap);
    return store_setting_set(s, "search_epoch", epoch);
}

/* ---- the query as an FTS5 expression ---- */

struct ss_expr {
    struct buf text;
    double weight[SS_MAX_PHRASES]; /* of each phrase, in the order FTS5 numbers them */
    char *phrase[SS_MAX_PHRASES];  /* its text (NULL for a beginning: it takes df before it) */
    bool columns; /* limited to some columns: xQueryPhrase would not see the limit (foison_scan) */
    struct store *s; /* where df is read from */
    int nphrases;
    bool full; /* SS_MAX_PHRASES reached: the rest is left out */
    /* A phrase is a prefix: FTS5 merges the lists of every word starting so each time the
     * expression is matched, even for one rowid (the snippets are read in one pass then). */
    bool has_prefix;
    /* The shape foison_scan evaluates: the group of each phrase (-1: excluded), groups all
     * required (any of them when RELAXED), and every phrase joined by OR, in the same order,
     * which FTS5 numbers the same and matches on a first row as soon as one phrase does. */
    int group[SS_MAX_PHRASES];
    int ngroups, cur_group;
    bool any;
    struct buf scan;
};

/* Appends w as an FTS5 string: in double quotes, a quote doubled. Nothing else of FTS5's
 * syntax can come from the text. */
static void ss_quote(struct buf *b, const char *w, size_t n)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (w[i] == '"')
            buf_putc(b, '"');
        buf_putc(b, w[i]);
    }
    buf_putc(b, '"');
}

static size_t ss_chars(const char *w)
{
    size_t n = 0;
    for (; *w; w++)
        n += ((unsigned char)*w & 0xC0) != 0x80;
    return n;
}

/* The bytes of the first k characters of w. */
static size_t ss_prefix_bytes(const char *w, size_t k)
{
    size_t i = 0;
    for (size_t c = 0; w[i] && c < k; c++) {
        i++;
        while (((unsigned char)w[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

static bool ss_has_tokens(const char *text, size_t n, bool prefix)
{
    int ntok = 0;
    return store_fts_query_tokens(text, (int)n, prefix, &ntok, NULL) == SQLITE_OK && ntok > 0;
}

/* The phrase text of a clause: its words joined by spaces. */
static const char *ss_clause_text(struct arena *a, const struct search_clause *c)
{
    struct buf b = BUF_INIT;
    for (int i = 0; i < c->nwords; i++) {
        if (i)
            buf_putc(&b, ' ');
        buf_puts(&b, c->words[i]);
    }
    buf_putc(&b, '\0');
    const char *t = arena_strdup(a, b.data);
    buf_free(&b);
    return t;
}

/* The document frequency of a phrase: that of its rarest token, as the index's vocabulary
 * has it (a phrase's own frequency would cost a scan of its matches). */
struct ss_df {
    struct store *s;
    long long df;
};

static int ss_df_cb(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
    (void)start, (void)end;
    struct ss_df *d = ctx;
    if (tflags & FTS5_TOKEN_COLOCATED)
        return SQLITE_OK;
    sqlite3_stmt *st = store_stmt(d->s, "SELECT doc FROM search_vocab WHERE term = ?1");
    if (!st)
        return SQLITE_OK;
    sqlite3_bind_text(st, 1, tok, ntok, SQLITE_TRANSIENT);
    long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    store_done(st);
    if (d->df < 0 || n < d->df)
        d->df = n;
    return SQLITE_OK;
}

static long long ss_phrase_df_read(struct store *s, const char *text)
{
    struct ss_df d = {s, -1};
    if (!s || store_fts_query_each(text, (int)strlen(text), ss_df_cb, &d) != SQLITE_OK)
        return -1;
    return d.df;
}

/* FTS5's vocabulary counts a term's entries by reading all of them (5 ms for a word of one
 * entry in six at a million): the counts are kept by phrase text for the process, and read
 * again once the index has changed by a hundredth since. A text may sit in any of SS_DF_WAYS
 * slots from its hash's, the least recently used replaced: with one slot each, two queries of
 * the bench ("jardin partagé", "transition écologique") took each other's and read their
 * counts again at every search, 10 ms each. */
#define SS_DF_SLOTS 512
#define SS_DF_WAYS 4
struct ss_df_slot {
    char *text;
    long long df, seq;
    unsigned long long used;
};
static struct ss_df_slot ss_df_cache[SS_DF_SLOTS];
static unsigned long long ss_df_clock;
static pthread_mutex_t ss_df_lock = PTHREAD_MUTEX_INITIALIZER;

static long long ss_phrase_df(struct store *s, const struct search_cache *c, const char *text)
{
    size_t h = (size_t)(hash_fnv64(text, strlen(text)) % SS_DF_SLOTS);
    long long fresh = c->listed_docs / 100 + 1;
    pthread_mutex_lock(&ss_df_lock);
    struct ss_df_slot *slot = NULL;
    for (size_t i = 0; i < SS_DF_WAYS; i++) {
        struct ss_df_slot *x = &ss_df_cache[(h + i) % SS_DF_SLOTS];
        if (x->text && strcmp(x->text, text) == 0) {
            slot = x;
            break;
        }
        if (!slot || (slot->text && (!x->text || x->used < slot->used)))
            slot = x; /* where it goes when absent: an empty slot, else the oldest */
    }
    if (slot->text && strcmp(slot->text, text) == 0 && c->seq >= slot->seq &&
        c->seq - slot->seq < fresh) {
        long long df = slot->df;
        slot->used = ++ss_df_clock;
        pthread_mutex_unlock(&ss_df_lock);
        return df;
    }
    pthread_mutex_unlock(&ss_df_lock);
    long long df = ss_phrase_df_read(s, text);
    pthread_mutex_lock(&ss_df_lock);
    /* Another thread may have put another text there meanwhile: replaced all the same. */
    free(slot->text);
    slot->text = xstrdup(text);
    slot->df = df;
    slot->seq = c->seq;
    slot->used = ++ss_df_clock;
    pthread_mutex_unlock(&ss_df_lock);
    return df;
}

static void ss_phrase(struct ss_expr *e, const char *text, size_t n, bool prefix, double w)
{
    /* A beginning ("biblioth*") takes the frequency of the word it comes from (set by the
     * caller): its own would be a sum over the vocabulary. */
    e->phrase[e->nphrases] = prefix ? NULL : xstrndup(text, n);
    if (e->nphrases)
        buf_puts(&e->scan, " OR ");
    ss_quote(&e->text, text, n);
    ss_quote(&e->scan, text, n);
    if (prefix) {
        buf_puts(&e->text, " *");
        buf_puts(&e->scan, " *");
        e->has_prefix = true;
    }
    e->group[e->nphrases] = e->cur_group;
    e->weight[e->nphrases++] = w;
}

static void ss_expr_free(struct ss_expr *e)
{
    buf_free(&e->text);
    buf_free(&e->scan);
    for (int p = 0; p < e->nphrases; p++)
        free(e->phrase[p]);
    e->nphrases = 0;
}

/* Whether the clause can be matched: it has a word that is not a stop word. */
static bool ss_clause_usable(struct arena *a, const struct search_clause *c, bool *prefix)
{
    const char *t = ss_clause_text(a, c);
    /* A beginning of three characters is read from FTS5's prefix index; a shorter one would
     * merge the entries of every word of the vocabulary it begins (a good part of it). Counted
     * on the token FTS5 expands, not on what was typed: "l'a" and "x-ab" expand "a" and "ab"
     * (and each snippet matched the expression again: a second a page at 100,000 entries). */
    int ntok = 0, last = 0;
    *prefix = c->prefix && !c->phrase &&
              store_fts_query_tokens(t, (int)strlen(t), true, &ntok, &last) == SQLITE_OK &&
              last >= SS_PREFIX_MIN_CHARS;
    return ss_has_tokens(t, strlen(t), *prefix);
}

/* One clause: its phrase, and for a long word of a NORMAL search, its beginning too. */
static void ss_clause(struct arena *a, struct ss_expr *e, const struct search_clause *c,
                      bool prefix, enum store_search_level level, double weight)
{
    const char *t = ss_clause_text(a, c);
    size_t chars = ss_chars(t);
    bool expand = level >= STORE_SEARCH_NORMAL && !c->phrase && !prefix &&
                  chars >= SS_EXPAND_MIN_CHARS && e->nphrases + 2 <= SS_MAX_PHRASES;
    /* "bibliothèque" → also "biblioth*": the words of the same family that the stemmer keeps
     * apart (bibliothécaire), at a lower weight. Only when the beginning kept is one long
     * word: "abc-e-fgh" cut to "abc-e" would expand "e". */
    size_t keep = chars - 4 > 5 ? chars - 4 : 5;
    int ntok = 0, last = 0;
    if (expand)
        expand = store_fts_query_tokens(t, (int)ss_prefix_bytes(t, keep), true, &ntok, &last) ==
                     SQLITE_OK &&
                 last >= 5;
    if (!expand) {
        ss_phrase(e, t, strlen(t), prefix, weight);
        return;
    }
    buf_putc(&e->text, '(');
    ss_phrase(e, t, strlen(t), false, weight);
    buf_puts(&e->text, " OR ");
    ss_phrase(e, t, ss_prefix_bytes(t, keep), true, weight * SS_PREFIX_WEIGHT);
    buf_putc(&e->text, ')');
}

/* The FTS5 expression of q at level into e; false when nothing of q can match (stop words
 * alone, exclusions alone). */
static bool ss_expr_build(struct store *s, struct arena *a, const struct search_query *q,
                          enum store_search_level level, struct ss_expr *e)
{
    buf_init(&e->text);
    buf_init(&e->scan);
    e->nphrases = 0;
    e->any = level == STORE_SEARCH_RELAXED;
    e->s = s;
    e->columns = false;
    e->has_prefix = false;
    bool *usable = arena_alloc(a, sizeof *usable * (size_t)(q->n ? q->n : 1));
    bool *prefix = arena_alloc(a, sizeof *prefix * (size_t)(q->n ? q->n : 1));
    for (int i = 0; i < q->n; i++)
        usable[i] = ss_clause_usable(a, &q->clauses[i], &prefix[i]);
    /* The positive part: groups of alternatives, all of them (any of them when RELAXED). */
    int groups = 0;
    buf_putc(&e->text, '(');
    for (int i = 0; i < q->n;) {
        int j = i;
        while (j + 1 < q->n && q->clauses[j].or_next && !q->clauses[j].negated &&
               !q->clauses[j + 1].negated)
            j++;
        if (q->clauses[i].negated) {
            i = j + 1;
            continue;
        }
        int in_group = 0;
        for (int k = i; k <= j; k++) {
            if (!usable[k] || e->nphrases + 2 > SS_MAX_PHRASES)
                continue;
            if (in_group == 0 && groups > 0)
                buf_puts(&e->text, level == STORE_SEARCH_RELAXED ? " OR " : " AND ");
            e->cur_group = groups;
            buf_puts(&e->text, in_group == 0 ? "(" : " OR ");
            ss_clause(a, e, &q->clauses[k], prefix[k], level, 1.0);
            in_group++;
        }
        if (in_group) {
            buf_putc(&e->text, ')');
            groups++;
        }
        i = j + 1;
    }
    buf_putc(&e->text, ')');
    e->ngroups = groups;
    if (groups == 0) {
        ss_expr_free(e);
        return false;
    }
    e->cur_group = -1;
    int negs = 0;
    for (int i = 0; i < q->n; i++) {
        if (!q->clauses[i].negated || !usable[i] || e->nphrases + 1 > SS_MAX_PHRASES)
            continue;
        buf_puts(&e->text, negs ? " OR " : " NOT (");
        const char *t = ss_clause_text(a, &q->clauses[i]);
        ss_phrase(e, t, strlen(t), false, 0.0);
        negs++;
    }
    if (negs)
        buf_putc(&e->text, ')');
    buf_putc(&e->text, '\0');
    buf_putc(&e->scan, '\0');
    return true;
}

/* ---- ranking: foison_rank and foison_scan ---- */

/* BM25 without the length normalisation of the text (which costs FTS5 a lookup of each match's
 * sizes: a twentieth of the time of bm25() over the same matches), the title's from the copy
 * in memory, with a weight per column and per phrase; the phrase's weight carries its inverse
 * document frequency, from the vocabulary (ss_matches). */

/* Each column's weight times BM25's saturation of a count, by count, and for the title by its
 * length too: made once a query, so that scoring a match divides nothing (the divisions were
 * a third of the time of a common word's query). */
#define SS_TF_TABLE 16
#define SS_NORM_POINTER "foison_search_norm"
struct ss_norm {
    double title[256][SS_TF_TABLE]; /* by the title's words (sc_doc.title_words), by count */
    double col[STORE_SEARCH_COLUMNS][SS_TF_TABLE];
    double avg_title; /* words; 0 when unknown */
};

static double ss_saturation(const struct ss_norm *n, int k, int tf, int title_words)
{
    double k1 = SS_K1;
    /* BM25's length normalisation for the title alone, whose length the copy in memory has:
     * "MJC de l'Harteloire" is more about the MJC than a title of ten words that names it. */
    if (k == STORE_SEARCH_TITLE && title_words >= 0 && n->avg_title > 0)
        k1 = SS_K1 * (1.0 - SS_TITLE_B + SS_TITLE_B * (double)title_words / n->avg_title);
    return ss_column_weight[k] * tf * (SS_K1 + 1) / (tf + k1);
}

static void ss_norm_init(struct ss_norm *n, const struct search_cache *c)
{
    n->avg_title = c && c->listed_docs > 0 && c->title_words_sum > 0
                       ? (double)c->title_words_sum / (double)c->listed_docs
                       : 0;
    for (int tw = 0; tw < 256; tw++)
        for (int tf = 0; tf < SS_TF_TABLE; tf++)
            n->title[tw][tf] = ss_saturation(n, STORE_SEARCH_TITLE, tf, tw);
    for (int k = 0; k < STORE_SEARCH_COLUMNS; k++)
        for (int tf = 0; tf < SS_TF_TABLE; tf++)
            n->col[k][tf] = ss_saturation(n, k, tf, -1);
}

/* The score of the current row: for each phrase, BM25's saturation of its count in each column,
 * weighted by column and by phrase (w, nw: the phrases' weights, 1 when absent). */
static double ss_score(const Fts5ExtensionApi *api, Fts5Context *ctx, int np, const double *w,
                       int nw, const struct ss_norm *n, const struct search_cache *c)
{
    sqlite3_int64 id = api->xRowid(ctx);
    int tw = c && id > 0 && id < c->ndocs && c->scoring[id] ? c->scoring[id] - 1 : -1;
    double score = 0;
    for (int p = 0; p < np; p++) {
        double pw = p < nw && w ? w[p] : 1.0;
        if (pw <= 0)
            continue;
        int tf[STORE_SEARCH_COLUMNS] = {0};
        Fts5PhraseIter it;
        int col, off;
        if (api->xPhraseFirst(ctx, p, &it, &col, &off) != SQLITE_OK)
            continue;
        for (; col >= 0; api->xPhraseNext(ctx, &it, &col, &off))
            if (col < STORE_SEARCH_COLUMNS)
                tf[col]++;
        double ps = 0;
        for (int k = 0; k < STORE_SEARCH_COLUMNS; k++) {
            if (!tf[k])
                continue;
            if (tf[k] >= SS_TF_TABLE || (k == STORE_SEARCH_TITLE && tw < 0))
                ps += ss_saturation(n, k, tf[k], tw);
            else
                ps += k == STORE_SEARCH_TITLE ? n->title[tw][tf[k]] : n->col[k][tf[k]];
        }
        score += pw * ps;
    }
    return score;
}

/* foison_rank(search_fts, weights, cache, norm): the score of the row. */
static void ss_rank(const Fts5ExtensionApi *api, Fts5Context *ctx, sqlite3_context *pc, int nv,
                    sqlite3_value **v)
{
    const struct ss_norm *n = nv >= 3 ? sqlite3_value_pointer(v[2], SS_NORM_POINTER) : NULL;
    if (!n) {
        sqlite3_result_error(pc, "foison_rank: weights, cache and norm", -1);
        return;
    }
    int np = api->xPhraseCount(ctx);
    if (np > SS_MAX_PHRASES)
        np = SS_MAX_PHRASES;
    const double *w = sqlite3_value_blob(v[0]);
    int nw = sqlite3_value_bytes(v[0]) / (int)sizeof(double);
    const struct search_cache *c = sqlite3_value_pointer(v[1], SS_CACHE_POINTER);
    sqlite3_result_double(pc, ss_score(api, ctx, np, w, nw, n, c));
}

/* foison_scan(search_fts, plan): the whole expression evaluated in one call from its first row,
 * each phrase's matches read through xQueryPhrase and the lists joined here, instead of one
 * row of SQL a match (a row of SQL and of foison_rank cost twice a phrase's match read this
 * way, and FTS5's AND reads each list whole anyway). The score is a sum over the phrases, so
 * summing each phrase's part where the lists meet gives what foison_rank gives the row. The
 * rarest group is read first; the others are read against its matches only, scored only
 * there, and stopped past its last one. */
#define SS_PLAN_POINTER "foison_search_plan"
struct ss_plan {
    const struct ss_expr *e;
    const double *w; /* of each phrase, idf included */
    const long long *df;
    const struct ss_norm *norm;
    const struct search_cache *c;
    bool scored; /* false: ids alone (sorted by date) */
    /* The filters (see ss_pass): a match failing one is counted in the facets but never shown,
     * so it is not scored (most of the matches of a common word with a filter or two). */
    const signed char *set_of;
    int nfs;
    struct ss_match *m; /* the result, ascending ids */
    int n;
    bool full;     /* SS_MAX_MATCHES reached */
    bool unsorted; /* FTS5 gave a phrase's matches out of order: the caller reads them by SQL */
};

/* Whether the doc of id is listed and passes every filter of the plan. */
static bool ss_plan_shown(const struct ss_plan *pl, long long id)
{
    const struct search_cache *c = pl->c;
    if (!c || id <= 0 || id >= c->ndocs || !c->scoring[id])
        return false;
    if (!pl->nfs)
        return true;
    const struct sc_doc *d = &c->docs[id];
    unsigned mask = 0;
    for (int i = 0; i < d->nterms; i++) {
        int k = pl->set_of[c->terms[d->term_off + i]];
        if (k >= 0)
            mask |= 1u << k;
    }
    return mask == (1u << pl->nfs) - 1;
}

/* One phrase's read: its matches among cand (all of them when cand is NULL). */
struct ss_read {
    const struct ss_plan *pl;
    double w;
    bool scored;
    const struct ss_match *cand;
    int ncand, at;
    struct ss_match *m;
    int n, cap;
    long long last;
    bool full, unsorted;
};

static int ss_read_cb(const Fts5ExtensionApi *api, Fts5Context *ctx, void *arg)
{
    struct ss_read *r = arg;
    long long id = api->xRowid(ctx);
    if (id <= r->last) {
        r->unsorted = true;
        return SQLITE_DONE;
    }
    r->last = id;
    if (r->cand) {
        while (r->at < r->ncand && r->cand[r->at].id < id)
            r->at++;
        if (r->at == r->ncand)
            return SQLITE_DONE; /* past the last candidate */
        if (r->cand[r->at].id != id)
            return SQLITE_OK;
    }
    if (r->n == SS_MAX_MATCHES) {
        r->full = true;
        return SQLITE_DONE;
    }
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 4096;
        r->m = xrealloc(r->m, sizeof *r->m * (size_t)r->cap);
    }
    double score = 0;
    if (r->scored && ss_plan_shown(r->pl, id))
        score = ss_score(api, ctx, 1, &r->w, 1, r->pl->norm, r->pl->c);
    r->m[r->n++] = (struct ss_match){id, score};
    return SQLITE_OK;
}

static int ss_read_phrase(const Fts5ExtensionApi *api, Fts5Context *ctx, struct ss_plan *pl,
                          int phrase, bool scored, const struct ss_match *cand, int ncand,
                          struct ss_match **m, int *n)
{
    struct ss_read r = {.pl = pl,
                        .w = pl->w[phrase],
                        .scored = scored && pl->scored,
                        .cand = cand,
                        .ncand = ncand,
                        .last = LLONG_MIN};
    int rc = cand && ncand == 0 ? SQLITE_OK : api->xQueryPhrase(ctx, phrase, &r, ss_read_cb);
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    pl->full |= r.full;
    pl->unsorted |= r.unsorted;
    *m = r.m;
    *n = r.n;
    return rc;
}

/* x and y (ascending ids) into one list, the scores of an id in both summed; both freed. */
static struct ss_match *ss_union(struct ss_match *x, int nx, struct ss_match *y, int ny, int *n)
{
    if (!nx || !ny) {
        free(nx ? y : x);
        *n = nx ? nx : ny;
        return nx ? x : y;
    }
    struct ss_match *u = xrealloc(NULL, sizeof *u * (size_t)(nx + ny));
    int i = 0, j = 0, k = 0;
    while (i < nx || j < ny) {
        if (j == ny || (i < nx && x[i].id < y[j].id))
            u[k++] = x[i++];
        else if (i == nx || y[j].id < x[i].id)
            u[k++] = y[j++];
        else {
            u[k] = x[i++];
            u[k++].score += y[j++].score;
        }
    }
    free(x);
    free(y);
    *n = k;
    return u;
}

/* The ids of x also in y (a subset of x: y was read against it), scores summed, in place. */
static int ss_meet(struct ss_match *x, int nx, const struct ss_match *y, int ny)
{
    int i = 0, k = 0;
    for (int j = 0; j < ny; j++) {
        while (i < nx && x[i].id < y[j].id)
            i++;
        if (i == nx)
            break;
        if (x[i].id == y[j].id) {
            x[k] = x[i++];
            x[k++].score += y[j].score;
        }
    }
    return k;
}

/* The ids of x not in y, in place. */
static int ss_without(struct ss_match *x, int nx, const struct ss_match *y, int ny)
{
    int j = 0, k = 0;
    for (int i = 0; i < nx; i++) {
        while (j < ny && y[j].id < x[i].id)
            j++;
        if (j == ny || y[j].id != x[i].id)
            x[k++] = x[i];
    }
    return k;
}

/* The matches of group g (any of its phrases) among cand (all when NULL). */
static int ss_read_group(const Fts5ExtensionApi *api, Fts5Context *ctx, struct ss_plan *pl, int g,
                         const struct ss_match *cand, int ncand, struct ss_match **m, int *n)
{
    *m = NULL;
    *n = 0;
    for (int p = 0; p < pl->e->nphrases; p++) {
        if (pl->e->group[p] != g)
            continue;
        struct ss_match *pm;
        int pn;
        int rc = ss_read_phrase(api, ctx, pl, p, true, cand, ncand, &pm, &pn);
        *m = ss_union(*m, *n, pm, pn, n);
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

static int ss_plan_run(const Fts5ExtensionApi *api, Fts5Context *ctx, struct ss_plan *pl)
{
    const struct ss_expr *e = pl->e;
    struct ss_match *m = NULL;
    int n = 0, rc = SQLITE_OK;
    if (e->any) {
        for (int g = 0; g < e->ngroups && rc == SQLITE_OK; g++) {
            struct ss_match *gm;
            int gn;
            rc = ss_read_group(api, ctx, pl, g, NULL, 0, &gm, &gn);
            m = ss_union(m, n, gm, gn, &n);
        }
    } else {
        /* The groups by their frequency, the rarest first (a beginning's own is not known:
         * it counts as its word's). */
        int order[SS_MAX_PHRASES];
        long long gdf[SS_MAX_PHRASES];
        for (int g = 0; g < e->ngroups; g++) {
            order[g] = g;
            gdf[g] = 0;
        }
        for (int p = 0; p < e->nphrases; p++)
            if (e->group[p] >= 0)
                gdf[e->group[p]] += pl->df[p] >= 0 ? pl->df[p] : LLONG_MAX / SS_MAX_PHRASES;
        for (int i = 1; i < e->ngroups; i++)
            for (int j = i; j > 0 && gdf[order[j]] < gdf[order[j - 1]]; j--) {
                int t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
        for (int i = 0; i < e->ngroups && rc == SQLITE_OK; i++) {
            struct ss_match *gm;
            int gn;
            rc = ss_read_group(api, ctx, pl, order[i], i ? m : NULL, n, &gm, &gn);
            if (i == 0) {
                m = gm;
                n = gn;
            } else {
                n = ss_meet(m, n, gm, gn);
                free(gm);
            }
            if (n == 0)
                break;
        }
    }
    for (int p = 0; p < e->nphrases && rc == SQLITE_OK && n > 0; p++) {
        if (e->group[p] >= 0)
            continue;
        struct ss_match *xm;
        int xn;
        rc = ss_read_phrase(api, ctx, pl, p, false, m, n, &xm, &xn);
        n = ss_without(m, n, xm, xn);
        free(xm);
    }
    pl->m = m;
    pl->n = n;
    return rc;
}

static void ss_scan(const Fts5ExtensionApi *api, Fts5Context *ctx, sqlite3_context *pc, int nv,
                    sqlite3_value **v)
{
    struct ss_plan *pl = nv >= 1 ? sqlite3_value_pointer(v[0], SS_PLAN_POINTER) : NULL;
    if (!pl || api->xPhraseCount(ctx) != pl->e->nphrases) {
        sqlite3_result_error(pc, "foison_scan: a plan of this expression", -1);
        return;
    }
    int rc = ss_plan_run(api, ctx, pl);
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(pc, rc);
        return;
    }
    sqlite3_result_int(pc, pl->n);
}

/* ---- snippets: foison_snippet(search_fts) ---- */

/* The passage of a match shown under a result: SS_SNIPPET_WORDS words of the text around the
 * matches (of the summary when the text has none, its start when neither has), the matched
 * words between SEARCH_MARK_OPEN and _CLOSE, "…" where the text was cut. FTS5's own snippet()
 * scores every match against every other and tokenizes each column twice: a quarter of a
 * millisecond a result on the generated entries, this about a tenth of it. */
#define SS_SNIPPET_WORDS 28
#define SS_SNIPPET_BEFORE 4 /* words shown before the first match of the passage */
#define SS_SNIPPET_MAX_INST 256

struct ss_snip {
    int first, last; /* token positions of the passage */
    const int *marks;
    int nmarks;
    int pos;                  /* of the next token */
    int start_byte, end_byte; /* of the passage, -1 until known */
    struct buf *out;
    const char *text;
    int copied; /* bytes of text copied so far */
    bool done;
};

static int ss_snip_cb(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
    (void)tok, (void)ntok;
    struct ss_snip *sn = ctx;
    if (tflags & FTS5_TOKEN_COLOCATED)
        return SQLITE_OK;
    int pos = sn->pos++;
    if (pos < sn->first)
        return SQLITE_OK;
    if (pos > sn->last) {
        sn->done = true;
        return SQLITE_DONE;
    }
    if (sn->start_byte < 0) {
        sn->start_byte = pos == 0 ? 0 : start;
        sn->copied = sn->start_byte;
        if (pos > 0)
            buf_puts(sn->out, "…");
    }
    bool marked = false;
    for (int i = 0; i < sn->nmarks && !marked; i++)
        marked = sn->marks[i] == pos;
    if (marked) {
        buf_append(sn->out, sn->text + sn->copied, (size_t)(start - sn->copied));
        buf_putc(sn->out, SEARCH_MARK_OPEN);
        buf_append(sn->out, sn->text + start, (size_t)(end - start));
        buf_putc(sn->out, SEARCH_MARK_CLOSE);
        sn->copied = end;
    }
    sn->end_byte = end;
    return SQLITE_OK;
}

/* The rowids whose snippets one pass over the matches wants (sorted), passed to
 * foison_snippet(search_fts, ids) as a pointer of this type. */
#define SS_SNIPPET_IDS "foison_snippet_ids"
struct ss_snippet_ids {
    const long long *ids;
    int n;
};

static int ss_id_cmp(const void *x, const void *y)
{
    long long a = *(const long long *)x, b = *(const long long *)y;
    return a < b ? -1 : a > b;
}

static void ss_snippet_fn(const Fts5ExtensionApi *api, Fts5Context *ctx, sqlite3_context *pc,
                          int nv, sqlite3_value **v)
{
    const struct ss_snippet_ids *want =
        nv >= 1 ? sqlite3_value_pointer(v[0], SS_SNIPPET_IDS) : NULL;
    if (want) {
        sqlite3_int64 id = api->xRowid(ctx);
        if (!bsearch(&id, want->ids, (size_t)want->n, sizeof *want->ids, ss_id_cmp))
            return; /* NULL: not one of the hits */
    }
    int ninst = 0;
    if (api->xInstCount(ctx, &ninst) != SQLITE_OK)
        ninst = 0;
    /* The matches of the text, else of the summary. */
    int col = STORE_SEARCH_LEAD, offs[SS_SNIPPET_MAX_INST], phr[SS_SNIPPET_MAX_INST], n = 0;
    for (int pass = 0; pass < 2 && n == 0; pass++) {
        int want = pass == 0 ? STORE_SEARCH_BODY : STORE_SEARCH_LEAD;
        for (int i = 0; i < ninst && n < SS_SNIPPET_MAX_INST; i++) {
            int ip, ic, io;
            if (api->xInst(ctx, i, &ip, &ic, &io) == SQLITE_OK && ic == want) {
                offs[n] = io;
                phr[n++] = ip;
            }
        }
        if (n)
            col = want;
    }
    /* The passage with the most different words matched, then the most matches. */
    int best = 0, best_score = -1;
    for (int i = 0; i < n; i++) {
        int lo = offs[i], hi = offs[i] + SS_SNIPPET_WORDS - SS_SNIPPET_BEFORE, score = 0;
        unsigned long long seen = 0;
        for (int j = i; j < n && offs[j] < hi; j++) {
            if (offs[j] < lo)
                continue;
            score += 1;
            if (!(seen & (1ULL << (phr[j] & 63)))) {
                seen |= 1ULL << (phr[j] & 63);
                score += 100;
            }
        }
        if (score > best_score)
            best_score = score, best = i;
    }
    const char *text = NULL;
    int ntext = 0;
    if (api->xColumnText(ctx, col, &text, &ntext) != SQLITE_OK || !text) {
        sqlite3_result_text(pc, "", 0, SQLITE_STATIC);
        return;
    }
    int first = n ? offs[best] - SS_SNIPPET_BEFORE : 0;
    if (first < 0)
        first = 0;
    struct buf out = BUF_INIT;
    struct ss_snip sn = {.first = first,
                         .last = first + SS_SNIPPET_WORDS - 1,
                         .marks = offs + best,
                         .nmarks = n - best,
                         .start_byte = -1,
                         .end_byte = -1,
                         .out = &out,
                         .text = text};
    int rc = api->xTokenize(ctx, text, ntext, &sn, ss_snip_cb);
    if ((rc != SQLITE_OK && rc != SQLITE_DONE) || sn.start_byte < 0) {
        buf_free(&out);
        sqlite3_result_text(pc, "", 0, SQLITE_STATIC);
        return;
    }
    /* What lies between the last mark and the passage's end; "…" when the text goes on (or
     * the whole rest when the passage ends within a few bytes of it). */
    buf_append(&out, text + sn.copied, (size_t)(sn.end_byte - sn.copied));
    if (sn.done)
        buf_puts(&out, "…");
    sqlite3_result_text(pc, out.data ? out.data : "", (int)out.len, SQLITE_TRANSIENT);
    buf_free(&out);
}

int store_search_register(sqlite3 *db)
{
    int rc = store_fts_register(db);
    if (rc != SQLITE_OK)
        return rc;
    fts5_api *api = store_fts_api(db);
    if (!api || api->xCreateFunction(api, "foison_rank", NULL, ss_rank, NULL) != SQLITE_OK ||
        api->xCreateFunction(api, "foison_scan", NULL, ss_scan, NULL) != SQLITE_OK)
        return SQLITE_ERROR;
    return api->xCreateFunction(api, "foison_snippet", NULL, ss_snippet_fn, NULL);
}

/* ---- the pass over the matches ---- */

/* The filters as sets of term ids, by param. */
struct ss_filter_set {
    int param;  /* in the cache's params; -1: a param no document has */
    int *terms; /* term ids of its values that some document has */
    int nterms;
};

static int ss_filters_prepare(struct arena *a, const struct search_cache *c,
                              const struct search_filter *f, int nf, struct ss_filter_set *out)
{
    int n = 0;
    for (int i = 0; i < nf; i++) {
        int k;
        for (k = 0; k < n; k++)
            if (strcmp(out[k].param >= 0 ? c->params[out[k].param] : "", f[i].param) == 0)
                break;
        int p = -1;
        for (int j = 0; j < c->nparams; j++)
            if (strcmp(c->params[j], f[i].param) == 0)
                p = j;
        if (k == n) {
            out[n].param = p;
            out[n].terms = arena_alloc(a, sizeof(int) * (size_t)nf);
            out[n].nterms = 0;
            n++;
        }
        int t = search_cache_term(c, arena_printf(a, "%s=%s", f[i].param, f[i].value));
        if (t >= 0)
            out[k].terms[out[k].nterms++] = t;
    }
    return n;
}

/* Which filter sets doc d fails: their number, and one failed in *which. set_of[t]: the set
 * term t satisfies (-1: none), so that a doc costs one look per term whatever the filters. */
static int ss_doc_fails(const struct search_cache *c, const struct sc_doc *d,
                        const signed char *set_of, int nfs, int *which)
{
    unsigned mask = 0, all = (1u << nfs) - 1;
    for (int i = 0; i < d->nterms; i++) {
        int k = set_of[c->terms[d->term_off + i]];
        if (k >= 0)
            mask |= 1u << k;
    }
    unsigned missing = all & ~mask;
    if (missing)
        *which = __builtin_ctz(missing);
    return __builtin_popcount(missing);
}

/* Keeps the best `keep` matches in a min-heap on (score, id). */
static bool ss_better(const struct ss_match *x, const struct ss_match *y)
{
    return x->score > y->score || (x->score == y->score && x->id > y->id);
}

static void ss_heap_push(struct ss_match *h, int *n, int keep, struct ss_match m)
{
    if (*n < keep) {
        int i = (*n)++;
        h[i] = m;
        while (i > 0 && ss_better(&h[(i - 1) / 2], &h[i])) {
            struct ss_match t = h[i];
            h[i] = h[(i - 1) / 2];
            h[(i - 1) / 2] = t;
            i = (i - 1) / 2;
        }
        return;
    }
    if (!ss_better(&m, &h[0]))
        return;
    h[0] = m;
    for (int i = 0;;) {
        int l = 2 * i + 1, r = l + 1, s = i;
        if (l < *n && ss_better(&h[s], &h[l]))
            s = l;
        if (r < *n && ss_better(&h[s], &h[r]))
            s = r;
        if (s == i)
            break;
        struct ss_match t = h[i];
        h[i] = h[s];
        h[s] = t;
        i = s;
    }
}

static int ss_match_cmp(const void *x, const void *y)
{
    const struct ss_match *a = x, *b = y;
    return ss_better(a, b) ? -1 : ss_better(b, a) ? 1 : 0;
}

struct ss_pass {
    const struct search_cache *c;
    struct ss_filter_set *fs;
    int nfs;
    signed char *set_of; /* by term id: the filter set it satisfies, -1 none */
    int *counts;         /* by term id */
    bool count_facets;
    bool recent;
    struct ss_match *heap;
    int nheap, keep;
    int total;
    long long *ids; /* when collecting: every match passing the filters (room for all) */
};

static void ss_pass_one(struct ss_pass *p, long long id, double score)
{
    const struct search_cache *c = p->c;
    if (id <= 0 || id >= c->ndocs || !c->docs[id].listed)
        return; /* not listed: never counted, never shown */
    const struct sc_doc *d = &c->docs[id];
    int which = -1;
    int fails = p->nfs ? ss_doc_fails(c, d, p->set_of, p->nfs, &which) : 0;
    if (fails > 1)
        return;
    if (p->count_facets)
        for (int i = 0; i < d->nterms; i++) {
            uint32_t t = c->terms[d->term_off + i];
            /* Failing one facet's filter only: counted in that facet (its other values). */
            if (fails == 0 || (p->fs[which].param >= 0 && c->term_param[t] == p->fs[which].param))
                p->counts[t]++;
        }
    if (fails)
        return;
    if (p->ids)
        p->ids[p->total] = id;
    p->total++;
    if (p->keep > 0)
        ss_heap_push(p->heap, &p->nheap, p->keep,
                     (struct ss_match){id, p->recent ? (double)d->updated : score});
}

static void ss_facets_out(struct arena *a, const struct ss_pass *p, struct store_search_out *out)
{
    const struct search_cache *c = p->c;
    int *per = arena_alloc(a, sizeof(int) * (size_t)(c->nparams ? c->nparams : 1));
    memset(per, 0, sizeof(int) * (size_t)(c->nparams ? c->nparams : 1));
    for (int t = 0; t < c->nterm_ids; t++)
        if (p->counts[t])
            per[c->term_param[t]]++;
    out->facets = arena_alloc(a, sizeof *out->facets * (size_t)(c->nparams ? c->nparams : 1));
    out->nfacets = 0;
    for (int k = 0; k < c->nparams; k++) {
        if (!per[k])
            continue;
        struct search_facet *f = &out->facets[out->nfacets++];
        f->param = arena_strdup(a, c->params[k]);
        f->values = arena_alloc(a, sizeof *f->values * (size_t)per[k]);
        f->n = 0;
        size_t plen = strlen(c->params[k]);
        for (int t = 0; t < c->nterm_ids; t++)
            if (p->counts[t] && c->term_param[t] == k)
                f->values[f->n++] = (struct search_facet_value){
                    .value = arena_strdup(a, c->term_text[t] + plen + 1), .count = p->counts[t]};
    }
}

/* ---- the pass by bitmaps ---- */

/* How the facets of a search are counted: 0 by the number of matches, SS_COUNT_DOCS one match
 * at a time, SS_COUNT_BITMAPS by the terms' postings (the unit tests compare the two). */
int store_search_counting = 0;
int store_search_reading = 0;
int store_search_impact = 0;
#define SS_MAX_SETS 16 /* filter sets counted by bitmaps; more go one match at a time */

static int ss_popcount_plain(const uint64_t *x, const uint64_t *y, long long n)
{
    long long k = 0;
    for (long long i = 0; i < n; i++)
        k += __builtin_popcountll(x[i] & y[i]);
    return (int)k;
}

/* The same with the processor's popcnt (x86-64's baseline lacks it: a dozen instructions a
 * word without), chosen at run time. */
#if defined(__x86_64__)
__attribute__((target("popcnt"))) static int ss_popcount_fast(const uint64_t *x, const uint64_t *y,
                                                              long long n)
{
    long long k = 0;
    for (long long i = 0; i < n; i++)
        k += __builtin_popcountll(x[i] & y[i]);
    return (int)k;
}
#endif

static int ss_popcount_and(const uint64_t *x, const uint64_t *y, long long n)
{
#if defined(__x86_64__)
    static int fast = -1;
    if (fast < 0) {
        __builtin_cpu_init();
        fast = __builtin_cpu_supports("popcnt") ? 1 : 0;
    }
    if (fast)
        return ss_popcount_fast(x, y, n);
#endif
    return ss_popcount_plain(x, y, n);
}

static bool ss_bit(const uint64_t *b, long long id)
{
    return (b[id >> 6] >> (id & 63)) & 1;
}

/* The docs of mask that have term t. */
static int ss_term_count(const struct sc_postings *px, int t, const uint64_t *mask)
{
    if (px->bits[t])
        return ss_popcount_and(px->bits[t], mask, px->nwords);
    int k = 0;
    for (int i = 0; i < px->nids[t]; i++)
        k += (int)ss_bit(mask, px->ids[t][i]);
    return k;
}

/* ss_pass_one over every match at once, with the same result: the matches as a bitmap, each
 * filter set as the union of its terms' docs, and each term counted as its docs among the
 * matches that pass every filter (every filter but its own param's, for a filtered param).
 * At a million docs, about a millisecond whatever the number of matches, where one match at
 * a time costs from 14 ns (dense) to 150 ns (scattered: a read from memory) a match. m NULL:
 * every listed doc. */
/* The counts and the total of the pass over the listed matches all (a bitmap of
 * sc_postings' words); returns the bitmap of those passing every filter (the caller frees). */
static uint64_t *ss_pass_masks(struct ss_pass *p, const uint64_t *all)
{
    const struct search_cache *c = p->c;
    const struct sc_postings *px = search_cache_postings(c);
    long long nw = px->nwords;
    /* in[k]: the matches passing filter set k. */
    uint64_t *in[SS_MAX_SETS] = {0};
    for (int k = 0; k < p->nfs; k++) {
        in[k] = xcalloc((size_t)(nw ? nw : 1), sizeof **in);
        for (int j = 0; j < p->fs[k].nterms; j++) {
            int t = p->fs[k].terms[j];
            if (px->bits[t])
                for (long long w = 0; w < nw; w++)
                    in[k][w] |= px->bits[t][w];
            else
                for (int i = 0; i < px->nids[t]; i++)
                    in[k][px->ids[t][i] >> 6] |= 1ull << (px->ids[t][i] & 63);
        }
        for (long long w = 0; w < nw; w++)
            in[k][w] &= all[w];
    }
    uint64_t *pass = xcalloc((size_t)(nw ? nw : 1), sizeof *pass);
    memcpy(pass, all, sizeof *pass * (size_t)nw);
    for (int k = 0; k < p->nfs; k++)
        for (long long w = 0; w < nw; w++)
            pass[w] &= in[k][w];
    if (p->count_facets) {
        /* but[k]: the matches passing every filter set but k. */
        uint64_t *but[SS_MAX_SETS] = {0};
        int *set_of_param = xcalloc((size_t)(c->nparams ? c->nparams : 1), sizeof(int));
        for (int q = 0; q < c->nparams; q++)
            set_of_param[q] = -1;
        for (int k = 0; k < p->nfs; k++) {
            if (p->fs[k].param < 0)
                continue;
            set_of_param[p->fs[k].param] = k;
            but[k] = xcalloc((size_t)(nw ? nw : 1), sizeof **but);
            memcpy(but[k], all, sizeof **but * (size_t)nw);
            for (int j = 0; j < p->nfs; j++)
                if (j != k)
                    for (long long w = 0; w < nw; w++)
                        but[k][w] &= in[j][w];
        }
        for (int t = 0; t < c->nterm_ids && t < px->nterm_ids; t++) {
            int k = c->term_param[t] >= 0 ? set_of_param[c->term_param[t]] : -1;
            p->counts[t] = ss_term_count(px, t, k >= 0 ? but[k] : pass);
        }
        for (int k = 0; k < p->nfs; k++)
            free(but[k]);
        free(set_of_param);
    }
    for (int k = 0; k < p->nfs; k++)
        free(in[k]);
    p->total = ss_popcount_and(pass, pass, nw);
    return pass;
}

static void ss_pass_bitmaps(struct ss_pass *p, const struct ss_match *m, int nm)
{
    const struct search_cache *c = p->c;
    long long nw = (c->ndocs + 63) / 64;
    uint64_t *all = xcalloc((size_t)(nw ? nw : 1), sizeof *all);
    if (m) {
        for (int i = 0; i < nm; i++)
            if (m[i].id > 0 && m[i].id < c->ndocs && c->scoring[m[i].id])
                all[m[i].id >> 6] |= 1ull << (m[i].id & 63);
    } else {
        for (long long id = 1; id < c->ndocs; id++)
            if (c->scoring[id])
                all[id >> 6] |= 1ull << (id & 63);
    }
    uint64_t *pass = ss_pass_masks(p, all);
    if (p->keep > 0) {
        if (m) {
            for (int i = 0; i < nm; i++)
                if (m[i].id > 0 && m[i].id < c->ndocs && ss_bit(pass, m[i].id))
                    ss_heap_push(p->heap, &p->nheap, p->keep,
                                 (struct ss_match){m[i].id, p->recent
                                                                ? (double)c->docs[m[i].id].updated
                                                                : m[i].score});
        } else {
            for (long long id = 1; id < c->ndocs; id++)
                if (ss_bit(pass, id))
                    ss_heap_push(p->heap, &p->nheap, p->keep,
                                 (struct ss_match){id, (double)c->docs[id].updated});
        }
    }
    free(pass);
    free(all);
}

/* Whether the pass over nm matches (-1: every doc) goes by bitmaps. */
static bool ss_pass_by_bitmaps(const struct ss_pass *p, int nm)
{
    if (p->nfs > SS_MAX_SETS)
        return false;
    /* FOISON_SEARCH_COUNTING=docs or bitmaps: one way always (tests and measures). */
    static int forced = -1;
    if (forced < 0) {
        const char *v = getenv("FOISON_SEARCH_COUNTING");
        forced = !v                          ? 0
                 : strcmp(v, "docs") == 0    ? SS_COUNT_DOCS
                 : strcmp(v, "bitmaps") == 0 ? SS_COUNT_BITMAPS
                                             : 0;
    }
    int how = store_search_counting ? store_search_counting : forced;
    if (how)
        return how == SS_COUNT_BITMAPS;
    /* About a nanosecond a word a term, against 14 to 150 ns a match one at a time. */
    long long docs = p->c->ndocs;
    return docs >= 4096 && (nm < 0 || (long long)nm * 32 >= docs);
}

/* FOISON_SEARCH_TRACE=1: where a search's time goes, on the server's standard error (read
 * once; the thread CPU time of each step, the measure docs/PERFORMANCE.md quotes). */
static bool ss_tracing(void)
{
    static int trace = -1;
    if (trace < 0)
        trace = getenv("FOISON_SEARCH_TRACE") != NULL;
    return trace;
}

/* Whether foison_scan beats FTS5's own rows for e. FTS5 joins the lists of an AND by skipping
 * through the longer ones, at about 0.1 µs a match of the shortest plus 0.27 µs a row given;
 * foison_scan reads every list to the end of the shortest, at about 0.06 µs a match read. It
 * pays when the lists have about the same length ("économie sociale", 2 to 1: half the time),
 * not for a rare word with a common one ("bibliothèque brest", 7 to 1: one and a half times
 * the time). Alone, or any of the groups (RELAXED), it always pays. */
#define SS_PLAN_RATIO 2.5
static bool ss_plan_pays(const struct ss_expr *e, const long long *df)
{
    if (e->ngroups <= 1 || e->any)
        return true;
    long long gdf[SS_MAX_PHRASES] = {0};
    for (int p = 0; p < e->nphrases; p++)
        if (e->group[p] >= 0)
            gdf[e->group[p]] += df[p] >= 0 ? df[p] : 0;
    long long min = -1, rest = 0;
    for (int g = 0; g < e->ngroups; g++)
        if (min < 0 || gdf[g] < min)
            min = gdf[g];
    for (int g = 0; g < e->ngroups; g++)
        rest += gdf[g];
    rest -= min;
    return (double)rest <= SS_PLAN_RATIO * (double)min;
}

/* Each phrase's weight times its inverse document frequency into w, the frequencies into df
 * (-1 unknown): a rare word of the query says more than a common one. Alone, a phrase keeps its
 * weight: the order is the same. */
static void ss_weights(struct store *s, const struct ss_expr *e, const struct search_cache *c,
                       double *w, long long *df)
{
    long long last_df = -1;
    for (int p = 0; p < e->nphrases; p++) {
        w[p] = e->weight[p];
        df[p] = -1;
        if (e->nphrases == 1 || !c)
            continue;
        /* A beginning ("biblioth*") takes the frequency of the word it comes from. */
        if (e->phrase[p])
            last_df = df[p] = ss_phrase_df(s, c, e->phrase[p]);
        else
            df[p] = last_df;
        double docs = c->listed_docs > 0 ? (double)c->listed_docs : 1.0;
        double f = df[p] >= 0 ? (double)df[p] : docs / 2;
        double idf = log(1.0 + (docs - f + 0.5) / (f + 0.5));
        w[p] = e->weight[p] * (idf > 0.01 ? idf : 0.01);
    }
}

/* Reads the matches of expr (with their scores unless by date; w and df from ss_weights) into
 * *m, ascending ids. */
static int ss_matches(struct store *s, struct arena *a, const struct ss_expr *e, bool scored,
                      const struct search_cache *c, const signed char *set_of, int nfs,
                      const double *w, const long long *df, struct ss_match **m, int *n)
{
    *m = NULL;
    *n = 0;
    if (ss_tracing())
        for (int p = 0; p < e->nphrases; p++)
            fprintf(stderr, "search phrase %d (group %d): df %lld\n", p, e->group[p], df[p]);
    struct ss_norm *norm = arena_alloc(a, sizeof *norm);
    ss_norm_init(norm, c);
    bool plan = store_search_reading ? store_search_reading == SS_READ_SCAN : ss_plan_pays(e, df);
    if (!e->columns && plan) {
        sqlite3_stmt *st = store_stmt(s, "SELECT foison_scan(search_fts, ?2) FROM search_fts"
                                         " WHERE search_fts MATCH ?1 LIMIT 1");
        if (!st)
            return STORE_ERR;
        struct ss_plan pl = {.e = e,
                             .w = w,
                             .df = df,
                             .norm = norm,
                             .c = c,
                             .scored = scored,
                             .set_of = set_of,
                             .nfs = set_of ? nfs : 0};
        sqlite3_bind_text(st, 1, e->scan.data, -1, SQLITE_STATIC);
        sqlite3_bind_pointer(st, 2, &pl, SS_PLAN_POINTER, NULL);
        int rc = sqlite3_step(st);
        store_done(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            store_log_error(s, "search scan");
            free(pl.m);
            return STORE_ERR;
        }
        if (!pl.unsorted) {
            *m = pl.m;
            *n = pl.n;
            return STORE_OK;
        }
        free(pl.m); /* not seen with SQLite's FTS5; the rows of SQL below are always right */
    }
    sqlite3_stmt *st =
        scored ? store_stmt(s, "SELECT rowid, foison_rank(search_fts, ?2, ?3, ?4)"
                               " FROM search_fts WHERE search_fts MATCH ?1")
               : store_stmt(s, "SELECT rowid, 0 FROM search_fts WHERE search_fts MATCH ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, e->text.data, -1, SQLITE_STATIC);
    if (scored) {
        sqlite3_bind_blob(st, 2, w, (int)(sizeof(double) * (size_t)e->nphrases), SQLITE_TRANSIENT);
        sqlite3_bind_pointer(st, 3, (void *)c, SS_CACHE_POINTER, NULL);
        sqlite3_bind_pointer(st, 4, norm, SS_NORM_POINTER, NULL);
    }
    int cap = 1024, rc;
    *m = xrealloc(NULL, sizeof **m * (size_t)cap);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < SS_MAX_MATCHES) {
        if (*n == cap) {
            cap *= 2;
            *m = xrealloc(*m, sizeof **m * (size_t)cap);
        }
        (*m)[*n].id = sqlite3_column_int64(st, 0);
        (*m)[(*n)++].score = sqlite3_column_double(st, 1);
    }
    store_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_log_error(s, "search match");
        free(*m);
        *m = NULL;
        *n = 0;
        return STORE_ERR;
    }
    return STORE_OK;
}

/* ---- impact-ordered lists (store/search_impact.h) ---- */

/* An expression of more matches than this (and than a part of the listed entries) is answered
 * from its list ordered by score: reading and scoring 640,000 matches of FTS5 cost 38 ms at a
 * million entries, walking the list to a page of hits and counting its bitmap a few. */
#define SS_IMPACT_MIN_DOCS 4096
#define SS_IMPACT_FRACTION 8 /* at least one listed entry in 8 */

/* Whether e's matches are read from (or kept as) a list ordered by score: with its phrases'
 * frequencies df (from ss_weights, read here when it left them unknown), the matches an AND of
 * groups can have at most (the rarest group's, each a sum of its phrases'; any group's when
 * RELAXED). FOISON_SEARCH_IMPACT=off or on: one way always (tests and measures; "on" for every
 * expression but one limited to some columns). */
static bool ss_impact_wanted(struct store *s, const struct ss_expr *e, const struct search_cache *c,
                             long long *df)
{
    static int forced = -1;
    if (forced < 0) {
        const char *v = getenv("FOISON_SEARCH_IMPACT");
        forced = !v                      ? 0
                 : strcmp(v, "off") == 0 ? SS_IMPACT_OFF
                 : strcmp(v, "on") == 0  ? SS_IMPACT_ON
                                         : 0;
    }
    int how = store_search_impact ? store_search_impact : forced;
    if (how == SS_IMPACT_OFF || e->columns)
        return false;
    if (how == SS_IMPACT_ON)
        return true;
    long long last = -1, gdf[SS_MAX_PHRASES] = {0}, est = -1;
    for (int p = 0; p < e->nphrases; p++) {
        if (df[p] < 0 && e->phrase[p])
            df[p] = ss_phrase_df(s, c, e->phrase[p]);
        else if (df[p] < 0)
            df[p] = last; /* a beginning: as its word */
        last = df[p];
        if (e->group[p] >= 0)
            gdf[e->group[p]] += df[p] > 0 ? df[p] : 0;
    }
    for (int g = 0; g < e->ngroups; g++)
        if (e->any)
            est = (est < 0 ? 0 : est) + gdf[g];
        else if (est < 0 || gdf[g] < est)
            est = gdf[g];
    return est >= SS_IMPACT_MIN_DOCS && est * SS_IMPACT_FRACTION >= c->listed_docs;
}

/* What an impact list is kept by: the expression and its phrases' weights (idf included, which
 * follow the index's counts). */
static const void *ss_impact_key(struct arena *a, const struct ss_expr *e, const double *w,
                                 size_t *len)
{
    size_t tn = strlen(e->text.data) + 1, wn = sizeof *w * (size_t)e->nphrases;
    char *k = arena_alloc(a, tn + wn);
    memcpy(k, e->text.data, tn);
    memcpy(k + tn, w, wn);
    *len = tn + wn;
    return k;
}

/* The pass over the matches of list l: as ss_pass_bitmaps, its bitmap for the matches, and the
 * first keep that pass every filter, walking from the best, for the heap (already in its
 * order); or one match at a time when the pass goes so (the same answer). */
static void ss_pass_impact(struct ss_pass *p, const struct search_impact *l)
{
    if (!ss_pass_by_bitmaps(p, l->n)) {
        for (int r = 0, i = 0; r < l->nruns; r++)
            for (; i < l->run_end[r]; i++)
                ss_pass_one(p, l->ids[i], l->run_score[r]);
        return;
    }
    uint64_t *pass = ss_pass_masks(p, l->bits);
    for (int r = 0, i = 0; r < l->nruns && p->nheap < p->keep; r++)
        for (; i < l->run_end[r] && p->nheap < p->keep; i++)
            if (ss_bit(pass, l->ids[i]))
                p->heap[p->nheap++] = (struct ss_match){l->ids[i], l->run_score[r]};
    free(pass);
}

/* The best passage of the entry for expr: from its text, else its summary. */
static const char *ss_snippet(struct store *s, struct arena *a, const struct ss_expr *e,
                              long long id)
{
    if (!e)
        return "";
    sqlite3_stmt *st = store_stmt(s, "SELECT foison_snippet(search_fts) FROM search_fts"
                                     " WHERE search_fts MATCH ?1 AND rowid = ?2");
    if (!st)
        return "";
    sqlite3_bind_text(st, 1, e->text.data, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    const char *out = sqlite3_step(st) == SQLITE_ROW ? store_text(a, st, 0) : "";
    store_done(st);
    return out;
}

/* The snippets of hits[0..n): one match of expr for each, or, when expr has a prefix (whose
 * every match costs a merge of the lists of all the words starting so: a tenth of a second a
 * hit at 100,000 entries), one pass over the matches between the lowest and highest rowid. */
static void ss_snippets(struct store *s, struct arena *a, const struct ss_expr *e,
                        struct search_hit *hits, int n)
{
    for (int i = 0; i < n; i++)
        hits[i].snippet = "";
    if (n == 0)
        return;
    if (!e->has_prefix || n == 1) {
        for (int i = 0; i < n; i++)
            hits[i].snippet = ss_snippet(s, a, e, hits[i].id);
        return;
    }
    long long *ids = arena_alloc(a, sizeof *ids * (size_t)n);
    for (int i = 0; i < n; i++)
        ids[i] = hits[i].id;
    qsort(ids, (size_t)n, sizeof *ids, ss_id_cmp);
    struct ss_snippet_ids want = {ids, n};
    sqlite3_stmt *st = store_stmt(s, "SELECT rowid, foison_snippet(search_fts, ?2) FROM search_fts"
                                     " WHERE search_fts MATCH ?1 AND rowid BETWEEN ?3 AND ?4");
    if (!st)
        return;
    sqlite3_bind_text(st, 1, e->text.data, -1, SQLITE_STATIC);
    sqlite3_bind_pointer(st, 2, &want, SS_SNIPPET_IDS, NULL);
    sqlite3_bind_int64(st, 3, ids[0]);
    sqlite3_bind_int64(st, 4, ids[n - 1]);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 1) == SQLITE_NULL)
            continue;
        long long id = sqlite3_column_int64(st, 0);
        for (int i = 0; i < n; i++)
            if (hits[i].id == id)
                hits[i].snippet = store_text(a, st, 1);
    }
    if (rc != SQLITE_DONE)
        store_log_error(s, "search snippets");
    store_done(st);
}

/* The hit's entry, when it is listed (the index follows the entries' visibility; this says so
 * again at the last step, in the same snapshot). */
static bool ss_hit_read(struct store *s, struct arena *a, long long id, struct search_hit *h)
{
    sqlite3_stmt *st =
        store_stmt(s, "SELECT e.kind, e.slug, e.updated, coalesce(r.card, '{}') FROM entries e"
                      " JOIN revisions r ON r.entry_id = e.id AND r.number = e.published_rev"
                      " WHERE e.id = ?1 AND e.deleted = 0 AND e.hidden = 0");
    if (!st)
        return false;
    sqlite3_bind_int64(st, 1, id);
    bool ok = sqlite3_step(st) == SQLITE_ROW;
    if (ok) {
        h->id = id;
        h->kind = store_text(a, st, 0);
        h->slug = store_text(a, st, 1);
        h->updated = sqlite3_column_int64(st, 2);
        h->card = store_text(a, st, 3);
    }
    store_done(st);
    return ok;
}

static double ss_cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int store_search(struct store *s, struct arena *a, const struct store_search_spec *sp,
                 struct store_search_out *out)
{
    double t0 = ss_cpu(), t1 = 0, t2 = 0, t3 = 0;
    memset(out, 0, sizeof *out);
    struct ss_expr e;
    bool text = sp->q && ss_expr_build(s, a, sp->q, sp->level, &e);
    if (sp->q && !text && sp->q->n > 0) {
        bool positive = false;
        for (int i = 0; i < sp->q->n; i++)
            positive |= !sp->q->clauses[i].negated;
        if (positive)
            return STORE_OK; /* stop words alone: nothing */
    }
    if (!text && sp->nfilters == 0)
        return STORE_OK;
    if (store_read_begin(s) != STORE_OK) {
        if (text)
            ss_expr_free(&e);
        return STORE_ERR;
    }
    struct ss_match *m = NULL;
    int nm = 0, rc = STORE_OK;
    long long snapshot = 0;
    const struct search_cache *c = search_cache_acquire_at(s, &snapshot);
    if (!c) {
        if (text)
            ss_expr_free(&e);
        store_read_end(s);
        return STORE_ERR;
    }
    struct ss_filter_set *fs =
        arena_alloc(a, sizeof *fs * (size_t)(sp->nfilters ? sp->nfilters : 1));
    struct ss_pass p = {
        .c = c,
        .fs = fs,
        .nfs = ss_filters_prepare(a, c, sp->filters, sp->nfilters, fs),
        .count_facets = !sp->count_only && !sp->ids,
        .recent = sp->recent || !text,
        .keep = sp->count_only || sp->ids ? 0 : sp->offset + sp->limit,
    };
    p.counts = p.count_facets ? calloc((size_t)(c->nterm_ids + 1), sizeof *p.counts) : NULL;
    p.set_of = arena_alloc(a, (size_t)(c->nterm_ids + 1));
    memset(p.set_of, -1, (size_t)(c->nterm_ids + 1));
    for (int k = 0; k < p.nfs; k++)
        for (int j = 0; j < fs[k].nterms; j++)
            p.set_of[fs[k].terms[j]] = (signed char)k;
    /* Collecting ids needs no score: the matches are read without ranking. */
    bool scored = !sp->recent && !sp->ids;
    double w[SS_MAX_PHRASES];
    long long df[SS_MAX_PHRASES];
    if (text)
        ss_weights(s, &e, c, w, df);
    /* A common query's list ordered by score: the one kept, else made from all its matches,
     * scored whatever the filters. Only when the copy is this snapshot's (not ahead of it), so
     * that the list holds what FTS5 gives in the snapshot of the copy's version. */
    const struct search_impact *imp = NULL;
    if (text && scored && snapshot == c->seq && store_search_impact != SS_IMPACT_OFF) {
        /* The list kept first: a lone phrase needs no frequency otherwise. */
        size_t klen;
        const void *key = ss_impact_key(a, &e, w, &klen);
        imp = search_impact_get(key, klen, c->version);
        if (!imp && ss_impact_wanted(s, &e, c, df) &&
            (rc = ss_matches(s, a, &e, true, c, NULL, 0, w, df, &m, &nm)) == STORE_OK) {
            imp = search_impact_make(key, klen, c, m, nm);
            free(m);
            m = NULL;
            if (ss_tracing()) {
                int nlists = 0;
                size_t kept = search_impact_bytes(&nlists);
                fprintf(stderr, "search impact list: %d matches, %d scores; %d lists, %zu bytes\n",
                        imp->n, imp->nruns, nlists, kept);
            }
        }
        nm = imp ? imp->n : 0;
    }
    if (rc == STORE_OK && text && !imp)
        rc = ss_matches(s, a, &e, scored, c, p.set_of, p.nfs, w, df, &m, &nm);
    if (rc != STORE_OK) {
        search_cache_release(c);
        free(p.counts);
        ss_expr_free(&e);
        store_read_end(s);
        return STORE_ERR;
    }
    t1 = ss_cpu();
    p.heap = p.keep > 0 ? arena_alloc(a, sizeof *p.heap * (size_t)p.keep) : NULL;
    if (sp->ids) {
        /* Every match (or every document) may pass: room for all of them, ascending as both
         * the matches and the documents are read. */
        long long room = text ? nm : c->ndocs;
        p.ids = arena_alloc(a, sizeof *p.ids * (size_t)(room > 0 ? room : 1));
    }
    if (imp)
        ss_pass_impact(&p, imp);
    else if (!sp->ids && ss_pass_by_bitmaps(&p, text ? nm : -1))
        ss_pass_bitmaps(&p, text ? m : NULL, nm);
    else if (text)
        for (int i = 0; i < nm; i++) {
            /* The docs of a rare word's matches are far apart in the copy: each read would wait
             * for memory (two thirds of the pass at a million) without asking for them ahead. */
            if (i + 16 < nm && m[i + 16].id > 0 && m[i + 16].id < c->ndocs)
                __builtin_prefetch(&c->docs[m[i + 16].id]);
            if (i + 8 < nm && m[i + 8].id > 0 && m[i + 8].id < c->ndocs)
                __builtin_prefetch(&c->terms[c->docs[m[i + 8].id].term_off]);
            ss_pass_one(&p, m[i].id, m[i].score);
        }
    else
        for (long long id = 1; id < c->ndocs; id++)
            ss_pass_one(&p, id, 0);
    free(m);
    bool by_impact = imp != NULL;
    search_impact_release(imp);
    t2 = ss_cpu();
    out->total = p.total;
    out->ids = p.ids;
    if (p.count_facets)
        ss_facets_out(a, &p, out);
    free(p.counts);
    search_cache_release(c);
    if (p.nheap > 1)
        qsort(p.heap, (size_t)p.nheap, sizeof *p.heap, ss_match_cmp);
    out->hits = arena_alloc(a, sizeof *out->hits * (size_t)(p.nheap ? p.nheap : 1));
    for (int i = sp->offset; i < p.nheap; i++) {
        struct search_hit *h = &out->hits[out->nhits];
        memset(h, 0, sizeof *h);
        if (!ss_hit_read(s, a, p.heap[i].id, h))
            continue;
        h->score = text && !sp->recent ? p.heap[i].score : 0;
        h->snippet = "";
        out->nhits++;
    }
    if (text)
        ss_snippets(s, a, &e, out->hits, out->nhits);
    store_read_end(s);
    t3 = ss_cpu();
    if (ss_tracing())
        fprintf(stderr, "search %s: %d matches%s, match %.2f pass %.2f hits %.2f ms\n",
                text ? e.text.data : "-", nm, by_impact ? " (by impact)" : "", t1 - t0, t2 - t1,
                t3 - t2);
    if (text)
        ss_expr_free(&e);
    return rc;
}

int store_search_warm(struct store *s)
{
    if (store_read_begin(s) != STORE_OK)
        return STORE_ERR;
    const struct search_cache *c = search_cache_acquire(s);
    if (c)
        search_cache_release(c);
    store_read_end(s);
    return c ? STORE_OK : STORE_ERR;
}

int store_search_check(struct store *s)
{
    /* The index holds the published, listed entries, each once, and nothing else. */
    static const char *const checks[][2] = {
        {"SELECT count(*) FROM entries e WHERE e.published_rev > 0 AND e.deleted = 0 AND"
         " e.hidden = 0 AND NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.entry_id = e.id"
         " AND d.listed = 1)",
         "fiches visibles absentes de l'index de recherche"},
        {"SELECT count(*) FROM search_docs d WHERE d.listed = 1 AND NOT EXISTS (SELECT 1 FROM"
         " entries e WHERE e.id = d.entry_id AND e.published_rev > 0 AND e.deleted = 0 AND"
         " e.hidden = 0)",
         "fiches cachées, supprimées ou inconnues dans l'index de recherche"},
        {"SELECT abs((SELECT count(*) FROM search_docs WHERE listed = 1) -"
         " (SELECT count(*) FROM search_fts_docsize))",
         "écart entre les fiches de l'index et ses textes"},
    };
    int problems = 0;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db, checks[i][0], -1, &st, NULL) != SQLITE_OK) {
            store_log_error(s, "search check");
            problems++;
            continue;
        }
        long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
        sqlite3_finalize(st);
        if (n != 0) {
            fprintf(stderr,
                    "recherche\u202f: %s (%lld) — «\u202ffoison reindex SITE.db "
                    "--search\u202f» le refait\n",
                    checks[i][1], n);
            problems++;
        }
    }
    return problems;
}

/* ---- corrections ---- */

/* Damerau–Levenshtein distance (adjacent swaps count one) on bytes of folded words, stopping
 * at max + 1. */
static int ss_distance(const char *x, int nx, const char *y, int ny, int max)
{
    if (nx > FTS_FR_MAX_TOKEN || ny > FTS_FR_MAX_TOKEN || abs(nx - ny) > max)
        return max + 1;
    int d[FTS_FR_MAX_TOKEN + 1][FTS_FR_MAX_TOKEN + 1];
    for (int i = 0; i <= nx; i++)
        d[i][0] = i;
    for (int j = 0; j <= ny; j++)
        d[0][j] = j;
    for (int i = 1; i <= nx; i++) {
        int best = max + 1;
        for (int j = 1; j <= ny; j++) {
            int cost = x[i - 1] != y[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
            if (v < best)
                best = v;
        }
        if (best > max)
            return max + 1;
    }
    return d[nx][ny];
}

/* How many listed entries have the word (0 when only the vocabulary remembers it). */
static long long ss_word_docs(struct store *s, const char *w)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT doc FROM search_vocab WHERE term = ?1");
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, w, -1, SQLITE_STATIC);
    long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    store_done(st);
    return n;
}

/* How a word is written in a listed entry now (lower-cased), for the correction shown: the
 * vocabulary keeps the form first written, which may have been an entry since hidden or an
 * older text. The folded word itself when no span of the first entry having it folds to it. */
struct ss_shown {
    const char *word, *text;
    int start, end;
};

static int ss_shown_cb(void *ctx, int tflags, const char *w, int n, int start, int end)
{
    struct ss_shown *sh = ctx;
    (void)tflags;
    if (sh->start < 0 && (int)strlen(sh->word) == n && memcmp(sh->word, w, (size_t)n) == 0) {
        sh->start = start;
        sh->end = end;
        return SQLITE_DONE;
    }
    return SQLITE_OK;
}

static const char *ss_word_shown(struct store *s, struct arena *a, const char *word)
{
    struct buf q = BUF_INIT;
    ss_quote(&q, word, strlen(word));
    buf_putc(&q, '\0');
    sqlite3_stmt *st = store_stmt(s, "SELECT title, lead, body, tags FROM search_fts"
                                     " WHERE search_fts MATCH ?1 LIMIT 1");
    const char *shown = word;
    if (st) {
        sqlite3_bind_text(st, 1, q.data, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < STORE_SEARCH_COLUMNS && shown == word; c++) {
                const char *text = (const char *)sqlite3_column_text(st, c);
                struct ss_shown sh = {word, text, -1, -1};
                if (text)
                    (void)store_fts_words(text, sqlite3_column_bytes(st, c), ss_shown_cb, &sh);
                if (sh.start >= 0)
                    shown = ss_lower(a, text + sh.start, sh.end - sh.start);
            }
        }
        store_done(st);
    }
    buf_free(&q);
    return shown;
}

int store_search_correct(struct store *s, struct arena *a, const char *word, const char **out)
{
    *out = "";
    int n = (int)strlen(word);
    size_t chars = ss_chars(word);
    if (chars < 4 || n > FTS_FR_MAX_TOKEN)
        return STORE_OK;
    if (ss_word_docs(s, word) > 0)
        return STORE_OK; /* a word the index has is not a typo */
    int max = chars < 8 ? 1 : 2;
    /* The candidates share the first letter: typos are rarer there, and the range is an index
     * scan of a sliver of the vocabulary. */
    size_t first = ss_prefix_bytes(word, 1);
    char lo[8], hi[8];
    memcpy(lo, word, first);
    lo[first] = '\0';
    memcpy(hi, word, first);
    hi[first - 1]++;
    hi[first] = '\0';
    sqlite3_stmt *st = store_stmt(s, "SELECT word, shown FROM search_words"
                                     " WHERE word >= ?1 AND word < ?2"
                                     " AND length(word) BETWEEN ?3 AND ?4");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, lo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, hi, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, (int)chars - max);
    sqlite3_bind_int(st, 4, (int)chars + max);
    struct cand {
        const char *word, *shown;
        int dist;
    } best[16];
    int nbest = 0, bestdist = max + 1, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *w = (const char *)sqlite3_column_text(st, 0);
        int nw = sqlite3_column_bytes(st, 0);
        if (!w || (nw == n && memcmp(w, word, (size_t)n) == 0))
            continue;
        int dist = ss_distance(word, n, w, nw, max);
        if (dist > max || dist > bestdist)
            continue;
        if (dist < bestdist)
            nbest = 0, bestdist = dist;
        if (nbest < 16)
            best[nbest++] = (struct cand){arena_strdup(a, w), store_text(a, st, 1), dist};
    }
    store_done(st);
    if (rc != SQLITE_DONE) {
        store_log_error(s, "search correct");
        return STORE_ERR;
    }
    long long top = 0;
    const char *chosen = NULL;
    for (int i = 0; i < nbest; i++) {
        long long docs = ss_word_docs(s, best[i].word);
        if (docs > top) {
            top = docs;
            chosen = best[i].word;
        }
    }
    if (chosen)
        *out = ss_word_shown(s, a, chosen);
    return STORE_OK;
}

/* ---- titles as you type ---- */

int store_search_titles(struct store *s, struct arena *a, const struct search_query *q, int max,
                        struct search_hit **out, int *n)
{
    *out = NULL;
    *n = 0;
    struct ss_expr e;
    if (!ss_expr_build(s, a, q, STORE_SEARCH_STRICT, &e))
        return STORE_OK;
    /* In the title or the summary: "{title lead} : (…)" is ours, not typed. */
    struct buf x = BUF_INIT;
    buf_puts(&x, "{title lead} : ");
    buf_puts(&x, e.text.data);
    buf_putc(&x, '\0');
    struct ss_expr te = e;
    te.text = x;
    te.columns = true;
    if (store_read_begin(s) != STORE_OK) {
        ss_expr_free(&e);
        buf_free(&x);
        return STORE_ERR;
    }
    struct ss_match *m = NULL;
    int nm = 0;
    const struct search_cache *c = search_cache_acquire(s);
    double w[SS_MAX_PHRASES];
    long long df[SS_MAX_PHRASES];
    if (c)
        ss_weights(s, &te, c, w, df);
    int rc = c ? ss_matches(s, a, &te, true, c, NULL, 0, w, df, &m, &nm) : STORE_ERR;
    if (c && rc != STORE_OK) {
        search_cache_release(c);
        c = NULL;
    }
    if (c) {
        struct ss_pass p = {.c = c, .keep = max};
        p.heap = arena_alloc(a, sizeof *p.heap * (size_t)(max > 0 ? max : 1));
        for (int i = 0; i < nm; i++)
            ss_pass_one(&p, m[i].id, m[i].score);
        search_cache_release(c);
        if (p.nheap > 1)
            qsort(p.heap, (size_t)p.nheap, sizeof *p.heap, ss_match_cmp);
        *out = arena_alloc(a, sizeof **out * (size_t)(p.nheap ? p.nheap : 1));
        for (int i = 0; i < p.nheap; i++)
            if (ss_hit_read(s, a, p.heap[i].id, &(*out)[*n]))
                (*out)[(*n)++].score = p.heap[i].score;
    } else {
        rc = STORE_ERR;
    }
    free(m);
    store_read_end(s);
    ss_expr_free(&e);
    buf_free(&x);
    return rc;
}
