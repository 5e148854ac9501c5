/* search.c — the domain's search (see search.h): what of an entry goes into the index and with
 * which facet terms, following the published revision and the entry's visibility; a search's
 * levels (as typed, then with long words' families, then any of the words), its pages and
 * facets in the site's order, and the spelling suggestion. */
#include "core/search.h"
#include "core/entry.h"
#include "core/schema.h"
#include "render/markdown.h"
#include "store/entry_store.h"
#include "store/fts_fr.h"
#include "store/search_store.h"
#include "store/territory_store.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/tz.h"
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEARCH_MAX_TERMS 256
/* Few enough results that a spelling suggestion or a looser match is worth looking for. */
#define SEARCH_FEW 3
/* Any of the words, for a query of at most this many (beyond, an OR of all of them matches
 * most of a large site, each ranked: a query of sixteen typos cost a second and a half at a
 * million entries); and the words corrected in one query. */
#define SEARCH_RELAX_MAX_GROUPS 6
#define SEARCH_CORRECT_MAX 6
/* Fewer than this found as typed: the long words' families are looked for too. */
#define SEARCH_EXPAND_BELOW 20

/* ---- what goes into the index ---- */

struct search_doc_build {
    struct buf col[STORE_SEARCH_COLUMNS];
    const char *terms[SEARCH_MAX_TERMS];
    int nterms;
};

static void search_col_add(struct buf *b, const char *text)
{
    if (!text || !*text)
        return;
    if (b->len)
        buf_puts(b, "\n");
    buf_puts(b, text);
}

static void search_term_add(struct arena *a, struct search_doc_build *d, const char *param,
                            const char *value)
{
    if (d->nterms < SEARCH_MAX_TERMS && value && *value && !strchr(value, '\n'))
        d->terms[d->nterms++] = arena_printf(a, "%s=%s", param, value);
}

/* Where the names of communes and the labels of themes are read: the store, or (s NULL) a
 * copy of both tables made before a rebuild's helper thread starts, which has no connection. */
struct search_labels {
    struct store *s;
    struct commune *communes;
    size_t ncommunes;
    struct theme *themes;
    size_t nthemes;
};

/* The label a facet value is found by in the text ("Numérique" for the theme numerique). */
static const char *search_value_label(const struct search_labels *l, struct arena *a,
                                      const struct field_def *f, const char *value)
{
    if (f->type == FT_COMMUNE) {
        if (l->s)
            return store_commune_name(l->s, a, value);
        for (size_t i = 0; i < l->ncommunes; i++)
            if (strcmp(l->communes[i].insee, value) == 0)
                return l->communes[i].name;
        return NULL;
    }
    if (f->source == FS_THEMES) {
        if (l->s)
            return store_theme_label(l->s, a, value);
        for (size_t i = 0; i < l->nthemes; i++)
            if (strcmp(l->themes[i].id, value) == 0)
                return l->themes[i].label;
        return NULL;
    }
    if (f->options)
        return field_option_label(f, value);
    return NULL;
}

/* A facet field's values as terms (the commune of any address or commune field under
 * "commune") and their labels into the tags column. */
static void search_facet_terms(const struct search_labels *l, struct arena *a,
                               const struct field_def *f, json_t *v, struct search_doc_build *d)
{
    const char *param = f->type == FT_COMMUNE || f->type == FT_ADDRESS ? "commune" : field_param(f);
    const struct field_def *valf = f;
    static const struct field_def commune_field = {.name = "commune", .type = FT_COMMUNE};
    if (f->type == FT_ADDRESS) {
        search_col_add(&d->col[STORE_SEARCH_TAGS], json_string_value(json_object_get(v, "street")));
        v = json_object_get(v, "commune");
        valf = &commune_field;
    }
    size_t i;
    json_t *item;
    if (json_is_string(v)) {
        search_term_add(a, d, param, json_string_value(v));
        search_col_add(&d->col[STORE_SEARCH_TAGS],
                       search_value_label(l, a, valf, json_string_value(v)));
        return;
    }
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item))
            continue;
        search_term_add(a, d, param, json_string_value(item));
        search_col_add(&d->col[STORE_SEARCH_TAGS],
                       search_value_label(l, a, valf, json_string_value(item)));
    }
}

/* The entry's year for the "year" facet: its year field, else its start's, else its
 * creation's. */
static int search_year(const struct kind_def *k, json_t *fields, long long created)
{
    for (size_t i = 0; i < k->nfields; i++) {
        json_t *v = json_object_get(fields, k->fields[i].name);
        if (k->fields[i].year && json_is_integer(v))
            return (int)json_integer_value(v);
    }
    long long when = created;
    json_t *start = k->when.start ? json_object_get(fields, k->when.start) : NULL;
    if (json_is_integer(start))
        when = json_integer_value(start);
    struct tz_local l;
    tz_paris_from_utc(when, &l);
    return l.year;
}

static void search_text_fields(struct arena *a, const struct kind_def *k, json_t *fields,
                               struct search_doc_build *d)
{
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *f = &k->fields[i];
        json_t *v = json_object_get(fields, f->name);
        if (f->private || !f->search || f->search == SEARCH_IN_TAGS || !json_is_string(v))
            continue;
        struct buf *col = &d->col[f->search == SEARCH_IN_TITLE  ? STORE_SEARCH_TITLE
                                  : f->search == SEARCH_IN_LEAD ? STORE_SEARCH_LEAD
                                                                : STORE_SEARCH_BODY];
        if (f->type == FT_MARKDOWN) {
            char *t = markdown_text(json_string_value(v), json_string_length(v));
            search_col_add(col, t);
            free(t);
        } else {
            search_col_add(col, json_string_value(v));
        }
    }
    (void)a;
}

/* The texts (each NUL-terminated) and facet terms of an entry of kind k whose published fields
 * are fields, created at created, into d (its buffers to free: search_doc_free). */
static void search_doc_fill(const struct search_labels *l, struct arena *a,
                            const struct kind_def *k, json_t *fields, long long created,
                            struct search_doc_build *d)
{
    d->nterms = 0;
    for (int c = 0; c < STORE_SEARCH_COLUMNS; c++)
        buf_init(&d->col[c]);
    search_text_fields(a, k, fields, d);
    search_term_add(a, d, "kind", k->name);
    search_term_add(a, d, "year", arena_printf(a, "%d", search_year(k, fields, created)));
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].facet && !k->fields[i].private)
            search_facet_terms(l, a, &k->fields[i], json_object_get(fields, k->fields[i].name), d);
    for (int c = 0; c < STORE_SEARCH_COLUMNS; c++)
        buf_putc(&d->col[c], '\0');
}

static void search_doc_free(struct search_doc_build *d)
{
    for (int c = 0; c < STORE_SEARCH_COLUMNS; c++)
        buf_free(&d->col[c]);
}

static int search_doc_put(struct store *s, const struct search_doc_build *d, long long id,
                          long long updated)
{
    struct store_search_doc doc = {
        .id = id, .terms = d->terms, .nterms = d->nterms, .updated = updated};
    for (int c = 0; c < STORE_SEARCH_COLUMNS; c++)
        doc.text[c] = d->col[c].data;
    return store_search_put(s, &doc) == STORE_OK ? ENTRY_OK : ENTRY_ERR;
}

int search_index_entry(struct store *s, struct arena *a, const struct kind_def *k, long long id,
                       json_t *fields)
{
    struct entry_row e;
    int rc = store_entry_by_id(s, a, id, &e);
    if (rc == STORE_NOTFOUND)
        return ENTRY_OK;
    if (rc != STORE_OK)
        return ENTRY_ERR;
    if (e.deleted || e.hidden || e.published_rev == 0)
        return store_search_remove(s, id) == STORE_OK ? ENTRY_OK : ENTRY_ERR;
    const struct search_labels l = {.s = s};
    struct search_doc_build d;
    search_doc_fill(&l, a, k, fields, e.created, &d);
    rc = search_doc_put(s, &d, id, e.updated);
    search_doc_free(&d);
    return rc;
}

int search_sync_entry(struct store *s, long long id)
{
    struct arena *a = arena_new();
    struct entry_row e;
    int rc = store_entry_by_id(s, a, id, &e);
    if (rc != STORE_OK) {
        arena_free(a);
        return rc == STORE_NOTFOUND ? ENTRY_OK : ENTRY_ERR;
    }
    const struct kind_def *k = kind_find(e.kind);
    struct revision_row r;
    if (!k || e.deleted || e.hidden || e.published_rev == 0) {
        rc = store_search_remove(s, id) == STORE_OK ? ENTRY_OK : ENTRY_ERR;
    } else if (store_revision_get(s, a, id, e.published_rev, &r) != STORE_OK) {
        rc = ENTRY_ERR;
    } else {
        json_t *fields = json_loads(r.fields, 0, NULL);
        rc = fields ? search_index_entry(s, a, k, id, fields) : ENTRY_ERR;
        json_decref(fields);
    }
    arena_free(a);
    return rc;
}

int search_warm(struct store *s)
{
    return store_search_warm(s) == STORE_OK ? SEARCH_OK : SEARCH_ERR;
}

/* ---- rebuilding the whole index ---- */

/* A rebuild reads the published revisions in pages. With two processors or more, a helper
 * thread makes each page's documents ready (the fields parsed, Markdown made text, the texts
 * tokenized and stemmed: a third of a rebuild's work) while this thread writes the page before
 * into the index; SQLite is only ever called from this thread, whose tokenizer then takes the
 * tokens made ahead (store_fts_replay) for exactly the texts they were made from. */
#define SEARCH_PAGE 500
#define SEARCH_PAGES_AHEAD 3

struct search_ready {
    long long id, updated;
    bool indexed; /* false: not searched (a kind this program does not know, deleted, hidden) */
    struct search_doc_build d;
    struct fts_fr_tokens *tokens[STORE_SEARCH_COLUMNS];
};

struct search_page {
    struct arena *a; /* its rows, then its documents' terms */
    struct entry_published_row *rows;
    int n;
    struct search_ready *docs; /* NULL until made ready */
    int rc;                    /* ENTRY_ERR: an entry's fields could not be read */
};

struct search_rebuild {
    struct search_labels labels;
    struct fts_fr_recorder *rec;
    struct search_page pages[SEARCH_PAGES_AHEAD];
    /* Pages given to the helper and made ready by it, counted from 0 (page i is in
     * pages[i % SEARCH_PAGES_AHEAD]); under lock. */
    bool helper;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    long long given, readied;
    bool stop;
};

static void search_page_ready(struct search_rebuild *rb, struct search_page *p)
{
    p->docs = arena_alloc(p->a, sizeof *p->docs * (size_t)(p->n ? p->n : 1));
    memset(p->docs, 0, sizeof *p->docs * (size_t)(p->n ? p->n : 1));
    p->rc = ENTRY_OK;
    for (int i = 0; i < p->n && p->rc == ENTRY_OK; i++) {
        const struct entry_published_row *r = &p->rows[i];
        struct search_ready *doc = &p->docs[i];
        const struct kind_def *k = kind_find(r->kind);
        doc->id = r->id;
        doc->updated = r->updated;
        /* A kind this program does not know is not searched, nor an entry that is not shown
         * (in a fresh index there is nothing of it to remove). */
        if (!k || r->deleted || r->hidden || r->number == 0)
            continue;
        json_t *fields = json_loads(r->fields, 0, NULL);
        if (!fields) {
            p->rc = ENTRY_ERR;
            break;
        }
        search_doc_fill(&rb->labels, p->a, k, fields, r->created, &doc->d);
        json_decref(fields);
        doc->indexed = true;
        for (int c = 0; c < STORE_SEARCH_COLUMNS; c++)
            doc->tokens[c] =
                store_fts_record(rb->rec, doc->d.col[c].data, (int)doc->d.col[c].len - 1);
    }
}

static void search_page_free(struct search_page *p)
{
    for (int i = 0; p->docs && i < p->n; i++) {
        if (!p->docs[i].indexed)
            continue;
        search_doc_free(&p->docs[i].d);
        for (int c = 0; c < STORE_SEARCH_COLUMNS; c++)
            store_fts_tokens_free(p->docs[i].tokens[c]);
    }
    arena_free(p->a);
    memset(p, 0, sizeof *p);
}

static void *search_helper(void *arg)
{
    struct search_rebuild *rb = arg;
    pthread_mutex_lock(&rb->lock);
    for (;;) {
        while (!rb->stop && rb->readied == rb->given)
            pthread_cond_wait(&rb->cond, &rb->lock);
        if (rb->stop)
            break;
        struct search_page *p = &rb->pages[rb->readied % SEARCH_PAGES_AHEAD];
        pthread_mutex_unlock(&rb->lock);
        search_page_ready(rb, p);
        pthread_mutex_lock(&rb->lock);
        rb->readied++;
        pthread_cond_broadcast(&rb->cond);
    }
    pthread_mutex_unlock(&rb->lock);
    return NULL;
}

/* A helper thread only when this process may run on two processors (taskset -c 0 runs the
 * rebuild as before, on one). */
static bool search_helper_wanted(void)
{
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) >= 2;
}

/* Page number i, made ready (by the helper, or here when there is none). */
static struct search_page *search_page_wait(struct search_rebuild *rb, long long i)
{
    struct search_page *p = &rb->pages[i % SEARCH_PAGES_AHEAD];
    if (!rb->helper) {
        search_page_ready(rb, p);
        return p;
    }
    pthread_mutex_lock(&rb->lock);
    while (rb->readied <= i)
        pthread_cond_wait(&rb->cond, &rb->lock);
    pthread_mutex_unlock(&rb->lock);
    return p;
}

static void search_page_give(struct search_rebuild *rb)
{
    if (!rb->helper)
        return;
    pthread_mutex_lock(&rb->lock);
    rb->given++;
    pthread_cond_broadcast(&rb->cond);
    pthread_mutex_unlock(&rb->lock);
}

static int search_page_write(struct store *s, const struct search_page *p)
{
    int rc = p->rc;
    for (int i = 0; rc == ENTRY_OK && i < p->n; i++) {
        const struct search_ready *doc = &p->docs[i];
        if (!doc->indexed)
            continue;
        store_fts_replay(doc->tokens, STORE_SEARCH_COLUMNS);
        rc = search_doc_put(s, &doc->d, doc->id, doc->updated);
        store_fts_replay(NULL, 0);
    }
    return rc;
}

static int search_rebuild_pages(struct store *s, struct search_rebuild *rb,
                                void (*progress)(long long done, void *arg), void *arg)
{
    long long after = 0, done = 0, next = 0; /* next: the pages read */
    bool more = true;
    int rc = ENTRY_OK;
    for (long long i = 0; rc == ENTRY_OK; i++) {
        while (more && next - i < SEARCH_PAGES_AHEAD) {
            struct search_page *p = &rb->pages[next % SEARCH_PAGES_AHEAD];
            p->a = arena_new();
            if (store_entries_published_after(s, p->a, after, SEARCH_PAGE, &p->rows, &p->n) !=
                STORE_OK) {
                rc = ENTRY_ERR;
                more = false;
                break;
            }
            more = p->n == SEARCH_PAGE;
            if (p->n == 0) {
                search_page_free(p);
                break;
            }
            after = p->rows[p->n - 1].id;
            next++;
            search_page_give(rb);
        }
        if (rc != ENTRY_OK || i == next)
            break;
        struct search_page *p = search_page_wait(rb, i);
        rc = search_page_write(s, p);
        done += p->n;
        search_page_free(p);
        if (rc == ENTRY_OK && progress)
            progress(done, arg);
    }
    return rc;
}

static int search_labels_load(struct store *s, struct search_labels *l)
{
    memset(l, 0, sizeof *l);
    return store_communes_load(s, &l->communes, &l->ncommunes) == STORE_OK &&
                   store_themes_load(s, &l->themes, &l->nthemes) == STORE_OK
               ? ENTRY_OK
               : ENTRY_ERR;
}

static void search_labels_free(struct search_labels *l)
{
    for (size_t i = 0; l->communes && i < l->ncommunes; i++) {
        free(l->communes[i].name);
        free(l->communes[i].epci_name);
    }
    for (size_t i = 0; l->themes && i < l->nthemes; i++) {
        free(l->themes[i].id);
        free(l->themes[i].label);
    }
    free(l->communes);
    free(l->themes);
}

int search_reindex(struct store *s, void (*progress)(long long done, void *arg), void *arg)
{
    struct search_rebuild rb = {.helper = false};
    if (search_labels_load(s, &rb.labels) != ENTRY_OK || !(rb.rec = store_fts_recorder_new())) {
        search_labels_free(&rb.labels);
        return ENTRY_ERR;
    }
    int rc = store_search_clear(s) == STORE_OK && store_search_bulk_begin(s) == STORE_OK
                 ? ENTRY_OK
                 : ENTRY_ERR;
    if (rc == ENTRY_OK && search_helper_wanted()) {
        pthread_mutex_init(&rb.lock, NULL);
        pthread_cond_init(&rb.cond, NULL);
        rb.helper = pthread_create(&rb.thread, NULL, search_helper, &rb) == 0;
        if (!rb.helper) {
            pthread_cond_destroy(&rb.cond);
            pthread_mutex_destroy(&rb.lock);
        }
    }
    if (rc == ENTRY_OK)
        rc = search_rebuild_pages(s, &rb, progress, arg);
    if (rb.helper) {
        pthread_mutex_lock(&rb.lock);
        rb.stop = true;
        pthread_cond_broadcast(&rb.cond);
        pthread_mutex_unlock(&rb.lock);
        pthread_join(rb.thread, NULL);
        pthread_cond_destroy(&rb.cond);
        pthread_mutex_destroy(&rb.lock);
    }
    for (int i = 0; i < SEARCH_PAGES_AHEAD; i++)
        if (rb.pages[i].a)
            search_page_free(&rb.pages[i]);
    store_fts_recorder_free(rb.rec);
    search_labels_free(&rb.labels);
    if (rc != ENTRY_OK) {
        store_search_bulk_discard(s);
        return ENTRY_ERR;
    }
    return store_search_bulk_end(s) == STORE_OK && store_search_optimize(s) == STORE_OK ? ENTRY_OK
                                                                                        : ENTRY_ERR;
}

/* ---- searching ---- */

/* The facets in the order the page shows them: kind, theme, commune, year, status, then the
 * others by name; each facet's values the most frequent first, at most
 * SEARCH_FACET_MAX_VALUES (years: the latest first). */
static int search_facet_rank(const char *param)
{
    static const char *const order[] = {"kind", "theme", "commune", "year", "status"};
    for (int i = 0; i < 5; i++)
        if (strcmp(param, order[i]) == 0)
            return i;
    return 5;
}

static int search_facet_cmp(const void *x, const void *y)
{
    const struct search_facet *a = x, *b = y;
    int ra = search_facet_rank(a->param), rb = search_facet_rank(b->param);
    return ra != rb ? ra - rb : strcmp(a->param, b->param);
}

static int search_value_cmp(const void *x, const void *y)
{
    const struct search_facet_value *a = x, *b = y;
    return a->count != b->count ? b->count - a->count : strcmp(a->value, b->value);
}

static int search_year_cmp(const void *x, const void *y)
{
    const struct search_facet_value *a = x, *b = y;
    return strcmp(b->value, a->value);
}

static void search_facets_order(struct search_facet *f, int n)
{
    if (n > 1)
        qsort(f, (size_t)n, sizeof *f, search_facet_cmp);
    for (int i = 0; i < n; i++) {
        if (f[i].n > 1)
            qsort(f[i].values, (size_t)f[i].n, sizeof *f[i].values, search_value_cmp);
        if (f[i].n > SEARCH_FACET_MAX_VALUES)
            f[i].n = SEARCH_FACET_MAX_VALUES;
        if (strcmp(f[i].param, "year") == 0 && f[i].n > 1)
            qsort(f[i].values, (size_t)f[i].n, sizeof *f[i].values, search_year_cmp);
    }
}

/* The title of a hit, from its card. */
static void search_hit_titles(struct search_hit *h, int n, struct arena *a)
{
    for (int i = 0; i < n; i++) {
        const struct kind_def *k = kind_find(h[i].kind);
        json_t *card = json_loads(h[i].card ? h[i].card : "{}", 0, NULL);
        json_t *t = k && card ? json_object_get(card, k->title_field) : NULL;
        h[i].title = arena_strdup(a, json_is_string(t) ? json_string_value(t) : h[i].slug);
        json_decref(card);
    }
}

/* The words of q folded as the index has them: clause i's first word (phrases and prefixes
 * are not corrected: *out[i] NULL). */
struct fold_one {
    char *out;
};

static int search_fold_cb(void *ctx, int tflags, const char *w, int n, int start, int end)
{
    (void)start, (void)end;
    struct fold_one *f = ctx;
    if (!f->out && !(tflags & FTS5_TOKEN_COLOCATED)) {
        f->out = malloc((size_t)n + 1);
        if (!f->out)
            return SQLITE_NOMEM;
        memcpy(f->out, w, (size_t)n);
        f->out[n] = '\0';
    }
    return SQLITE_OK;
}

/* A copy of q with each plain word the vocabulary knows a closer spelling of replaced; NULL
 * when no word was replaced. */
static struct search_query *search_corrected(struct store *s, struct arena *a,
                                             const struct search_query *q)
{
    struct search_query *c = arena_alloc(a, sizeof *c);
    c->n = q->n;
    c->clauses = arena_alloc(a, sizeof *c->clauses * (size_t)(q->n ? q->n : 1));
    bool changed = false;
    int tried = 0;
    for (int i = 0; i < q->n; i++) {
        c->clauses[i] = q->clauses[i];
        const struct search_clause *cl = &q->clauses[i];
        if (cl->phrase || cl->negated || cl->prefix || cl->nwords != 1 ||
            tried++ >= SEARCH_CORRECT_MAX)
            continue;
        struct fold_one f = {NULL};
        if (store_fts_words(cl->words[0], (int)strlen(cl->words[0]), search_fold_cb, &f) !=
                SQLITE_OK ||
            !f.out) {
            free(f.out);
            continue;
        }
        const char *better = "";
        int rc = store_search_correct(s, a, f.out, &better);
        free(f.out);
        if (rc != STORE_OK || !*better)
            continue;
        const char **w = arena_alloc(a, sizeof *w);
        w[0] = better;
        c->clauses[i].words = w;
        changed = true;
    }
    return changed ? c : NULL;
}

/* The levels of a search, shared by search_run and search_ids: *used comes in as the search of
 * the words as typed (*query, parsed from r->q) and leaves as the one whose answer is kept (in
 * *so), *query then the query it reads (its last word taken as a beginning when that found
 * more), *relaxed whether it is "any of the words". positive: *query has a clause that is not
 * negated. */
static int search_levels(struct store *s, struct arena *a, const struct search_request *r,
                         bool positive, struct search_query *query, struct store_search_spec *used,
                         struct store_search_out *so, bool *relaxed)
{
    *relaxed = false;
    if (store_search(s, a, used, so) != STORE_OK)
        return SEARCH_ERR;
    /* Not many found: long words by their beginning too ("bibliothèque" finds the
     * bibliothécaires). Not before: a beginning matches many more entries, each ranked. */
    if (positive && so->total < SEARCH_EXPAND_BELOW) {
        struct store_search_spec ws = *used;
        ws.level = STORE_SEARCH_NORMAL;
        struct store_search_out wide;
        if (store_search(s, a, &ws, &wide) != STORE_OK)
            return SEARCH_ERR;
        if (wide.total > so->total)
            *so = wide, *used = ws;
    }
    /* Few found: the last word may be the beginning of one ("atelier zot" for Zotero), as the
     * header box takes it while typing. */
    if (positive && so->total < SEARCH_FEW) {
        struct search_query pq;
        search_query_parse(a, r->q, r->q_len ? r->q_len : strlen(r->q), true, &pq);
        const struct search_clause *last = pq.n ? &pq.clauses[pq.n - 1] : NULL;
        if (last && last->prefix && strlen(last->words[0]) >= 3) {
            struct store_search_spec ps = *used;
            ps.q = &pq;
            struct store_search_out po;
            if (store_search(s, a, &ps, &po) != STORE_OK)
                return SEARCH_ERR;
            if (po.total > so->total) {
                *so = po;
                *query = pq;
                *used = ps;
                used->q = query;
            }
        }
    }
    /* Nothing with all the words: the entries with some of them. */
    int groups = 0;
    for (int i = 0; i < query->n; i++)
        groups += !query->clauses[i].negated && (i == 0 || !query->clauses[i - 1].or_next);
    if (positive && so->total == 0 && groups > 1 && groups <= SEARCH_RELAX_MAX_GROUPS) {
        struct store_search_spec rs = *used;
        rs.level = STORE_SEARCH_RELAXED;
        struct store_search_out loose;
        if (store_search(s, a, &rs, &loose) != STORE_OK)
            return SEARCH_ERR;
        if (loose.total > 0) {
            *so = loose, *used = rs;
            *relaxed = true;
        }
    }
    return SEARCH_OK;
}

int search_run(struct store *s, struct arena *a, const struct search_request *r,
               struct search_result *out)
{
    memset(out, 0, sizeof *out);
    search_query_parse(a, r->q ? r->q : "", r->q ? (r->q_len ? r->q_len : strlen(r->q)) : 0, false,
                       &out->query);
    int per = r->per_page > 0 && r->per_page <= 100 ? r->per_page : SEARCH_PER_PAGE;
    int page = r->page < 1 ? 1 : r->page > SEARCH_MAX_PAGE ? SEARCH_MAX_PAGE : r->page;
    bool positive = search_query_positive(&out->query);
    if (!positive && out->query.n > 0)
        return SEARCH_OK; /* exclusions alone */
    const struct search_filter *filters = r->filters;
    int nfilters = r->nfilters < SEARCH_MAX_FILTERS ? r->nfilters : SEARCH_MAX_FILTERS;
    bool kind_chosen = false;
    for (int i = 0; i < nfilters; i++)
        kind_chosen |= strcmp(filters[i].param, "kind") == 0;
    /* The kinds kept are the values of one more kind filter (one set of terms in the store):
     * unless a kind is chosen, which the caller checked is one of them. */
    if (r->nkinds > 0 && !kind_chosen) {
        struct search_filter *all = arena_alloc(a, sizeof *all * (size_t)(nfilters + r->nkinds));
        if (nfilters)
            memcpy(all, filters, sizeof *all * (size_t)nfilters);
        for (int i = 0; i < r->nkinds; i++)
            all[nfilters++] = (struct search_filter){"kind", r->kinds[i]};
        filters = all;
    }
    struct store_search_spec sp = {
        .q = positive ? &out->query : NULL,
        .level = STORE_SEARCH_STRICT,
        .filters = filters,
        .nfilters = nfilters,
        .recent = r->sort == SEARCH_SORT_RECENT,
        .offset = (page - 1) * per,
        .limit = per,
    };
    /* used: the search whose answer is kept, so that the last page is read again the same. */
    struct store_search_out so;
    struct store_search_spec used = sp;
    if (search_levels(s, a, r, positive, &out->query, &used, &so, &out->relaxed) != SEARCH_OK)
        return SEARCH_ERR;
    if (positive && so.total < SEARCH_FEW) {
        struct search_query *c = search_corrected(s, a, &out->query);
        if (c) {
            struct store_search_spec cs = used;
            cs.q = c;
            cs.level = STORE_SEARCH_NORMAL;
            cs.count_only = true;
            struct store_search_out co;
            if (store_search(s, a, &cs, &co) != STORE_OK)
                return SEARCH_ERR;
            if (co.total > so.total)
                out->suggestion = search_query_text(a, c);
        }
    }
    /* A page past the last: the last one (the results may have changed since the link). */
    int reachable = so.total < SEARCH_MAX_PAGE * per ? so.total : SEARCH_MAX_PAGE * per;
    out->pages = (reachable + per - 1) / per;
    if (out->pages > 0 && page > out->pages) {
        page = out->pages;
        used.offset = (page - 1) * per;
        if (store_search(s, a, &used, &so) != STORE_OK)
            return SEARCH_ERR;
    }
    out->hits = so.hits;
    out->nhits = so.nhits;
    search_hit_titles(out->hits, out->nhits, a);
    out->total = so.total;
    out->facets = so.facets;
    out->nfacets = so.nfacets;
    search_facets_order(out->facets, out->nfacets);
    out->page = page;
    return SEARCH_OK;
}

static int search_id_cmp(const void *x, const void *y)
{
    long long a = *(const long long *)x, b = *(const long long *)y;
    return a < b ? -1 : a > b;
}

int search_ids(struct store *s, struct arena *a, const struct search_request *r, long long **ids,
               int *n, bool *all)
{
    *ids = NULL;
    *n = 0;
    struct search_query q;
    search_query_parse(a, r->q ? r->q : "", r->q ? (r->q_len ? r->q_len : strlen(r->q)) : 0, false,
                       &q);
    bool positive = search_query_positive(&q);
    int nfilters = r->nfilters < SEARCH_MAX_FILTERS ? r->nfilters : SEARCH_MAX_FILTERS;
    *all = q.n == 0 && nfilters == 0;
    if (*all || (!positive && q.n > 0))
        return SEARCH_OK; /* nothing asked, or exclusions alone */
    struct store_search_spec used = {
        .q = positive ? &q : NULL,
        .level = STORE_SEARCH_STRICT,
        .filters = r->filters,
        .nfilters = nfilters,
        .ids = true,
    };
    struct store_search_out so;
    bool relaxed;
    if (search_levels(s, a, r, positive, &q, &used, &so, &relaxed) != SEARCH_OK)
        return SEARCH_ERR;
    *ids = so.ids;
    *n = so.total;
    for (int i = 1; i < *n; i++)
        if ((*ids)[i - 1] >= (*ids)[i]) {
            qsort(*ids, (size_t)*n, sizeof **ids, search_id_cmp);
            break;
        }
    return SEARCH_OK;
}

int search_suggest(struct store *s, struct arena *a, const char *text, size_t len, int max,
                   struct search_suggestion **out, int *n)
{
    *out = NULL;
    *n = 0;
    struct search_query q;
    search_query_parse(a, text, len, true, &q);
    if (!search_query_positive(&q))
        return SEARCH_OK;
    if (max > SEARCH_SUGGEST_MAX)
        max = SEARCH_SUGGEST_MAX;
    struct search_hit *h;
    int nh;
    if (store_search_titles(s, a, &q, max, &h, &nh) != STORE_OK)
        return SEARCH_ERR;
    search_hit_titles(h, nh, a);
    *out = arena_alloc(a, sizeof **out * (size_t)(nh ? nh : 1));
    for (int i = 0; i < nh; i++)
        (*out)[i] = (struct search_suggestion){h[i].kind, h[i].slug, h[i].title};
    *n = nh;
    return SEARCH_OK;
}
