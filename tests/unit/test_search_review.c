/* test_search_review.c — the search index's storage (store/search_store.c, store/search_cache.c)
 * on a real site file, where the HTTP tests cannot reach: two connections whose snapshots differ
 * (a search whose read transaction began before another connection's commit must not throw the
 * process's newer copy of search_docs away), and the facet counts of disjunctive filters (two
 * values of one parameter with a filter of another), and the ways of reading the matches (FTS5's
 * rows or foison_scan, or a common query's list ordered by score) and of counting them (one at a
 * time or by bitmaps), which must give one answer, before and after the index changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/search_cache.h"
#include "store/search_impact.h"
#include "store/search_store.h"
#include "store/store.h"
#include "util/arena.h"
#include "site_fixture.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A site file created but not seeded: these tests write the index's tables themselves. */
static int site_setup(void **state)
{
    struct test_site *x = calloc(1, sizeof(*x));
    if (!x)
        return -1;
    *state = x;
    if (test_site_make(x, "srev") != 0)
        return -1;
    char err[512] = "";
    x->s = store_open(x->path, STORE_OPEN_CREATE, err, sizeof err);
    if (!x->s) {
        fprintf(stderr, "site: %s\n", err);
        return -1;
    }
    return 0;
}

/* Puts document id with the given title and terms, in its own transaction. */
static void put_doc(struct store *s, long long id, const char *title, const char *const *terms,
                    int nterms)
{
    struct store_search_doc d = {.id = id, .terms = terms, .nterms = nterms, .updated = id};
    d.text[STORE_SEARCH_TITLE] = title;
    d.text[STORE_SEARCH_LEAD] = "";
    d.text[STORE_SEARCH_BODY] = "";
    d.text[STORE_SEARCH_TAGS] = "";
    assert_int_equal(store_begin(s), STORE_OK);
    assert_int_equal(store_search_put(s, &d), STORE_OK);
    assert_int_equal(store_commit(s), STORE_OK);
}

static long long cache_seq(struct store *s)
{
    const struct search_cache *c = search_cache_acquire(s);
    assert_non_null(c);
    long long seq = c->seq;
    search_cache_release(c);
    return seq;
}

/* A search in a read transaction that began before another connection committed (its snapshot
 * is older than the process's copy) used to take the copy for one of another file, throw it
 * away and load every row again under the write lock: at a million entries, every search of
 * every thread waiting for it, after any edit that raced a search. The newer copy is kept:
 * it never lists what its own snapshot hides, and what it adds is public. */
static void test_older_snapshot_keeps_the_copy(void **state)
{
    struct test_site *x = *state;
    static const char *const t1[] = {"kind=innovation"};
    put_doc(x->s, 1, "Premier jardin", t1, 1);
    char err[512] = "";
    struct store *other = store_open(x->path, STORE_OPEN_EXISTING, err, sizeof err);
    assert_non_null(other);
    /* x->s reads in a snapshot taken now. */
    assert_int_equal(store_read_begin(x->s), STORE_OK);
    long long before = cache_seq(x->s);
    /* Another connection commits and searches: the copy follows its newer snapshot. */
    put_doc(other, 2, "Second jardin", t1, 1);
    long long after = cache_seq(other);
    assert_true(after > before);
    const struct search_cache *c = search_cache_acquire(x->s);
    assert_non_null(c);
    const struct sc_doc *docs = c->docs;
    long long seq = c->seq;
    search_cache_release(c);
    store_read_end(x->s);
    assert_int_equal(seq, after); /* not loaded again at the older snapshot */
    (void)docs;
    /* Later searches in the newer snapshot still see both. */
    struct arena *a = arena_new();
    struct search_filter f = {"kind", "innovation"};
    struct store_search_spec sp = {.filters = &f, .nfilters = 1, .count_only = true};
    struct store_search_out out;
    assert_int_equal(store_search(x->s, a, &sp, &out), STORE_OK);
    assert_int_equal(out.total, 2);
    arena_free(a);
    store_close(other);
}

static int facet_count(const struct store_search_out *o, const char *param, const char *value)
{
    for (int i = 0; i < o->nfacets; i++)
        if (strcmp(o->facets[i].param, param) == 0)
            for (int v = 0; v < o->facets[i].n; v++)
                if (strcmp(o->facets[i].values[v].value, value) == 0)
                    return o->facets[i].values[v].count;
    return 0;
}

/* Two values of one facet are alternatives, a filter of another facet narrows; each facet is
 * counted with the other facets' filters only. */
static void test_disjunctive_facets(void **state)
{
    struct test_site *x = *state;
    static const char *const d1[] = {"kind=a", "theme=x", "year=2020"};
    static const char *const d2[] = {"kind=a", "theme=y", "year=2021"};
    static const char *const d3[] = {"kind=b", "theme=x", "year=2021"};
    static const char *const d4[] = {"kind=b", "theme=z", "year=2020"};
    static const char *const d5[] = {"kind=a", "theme=z", "year=2020"};
    put_doc(x->s, 1, "Atelier un", d1, 3);
    put_doc(x->s, 2, "Atelier deux", d2, 3);
    put_doc(x->s, 3, "Atelier trois", d3, 3);
    put_doc(x->s, 4, "Atelier quatre", d4, 3);
    put_doc(x->s, 5, "Atelier cinq", d5, 3);
    struct arena *a = arena_new();
    struct search_filter f[] = {{"theme", "x"}, {"kind", "a"}, {"theme", "y"}};
    struct store_search_spec sp = {.filters = f, .nfilters = 3, .limit = 10};
    struct store_search_out o;
    assert_int_equal(store_search(x->s, a, &sp, &o), STORE_OK);
    assert_int_equal(o.total, 2); /* 1 and 2 */
    /* kind, counted with theme ∈ {x, y}: 1, 2, 3. */
    assert_int_equal(facet_count(&o, "kind", "a"), 2);
    assert_int_equal(facet_count(&o, "kind", "b"), 1);
    /* theme, counted with kind = a: 1, 2, 5. */
    assert_int_equal(facet_count(&o, "theme", "x"), 1);
    assert_int_equal(facet_count(&o, "theme", "y"), 1);
    assert_int_equal(facet_count(&o, "theme", "z"), 1);
    /* year, counted with every filter: 1, 2. */
    assert_int_equal(facet_count(&o, "year", "2020"), 1);
    assert_int_equal(facet_count(&o, "year", "2021"), 1);
    arena_free(a);
}

/* ---- the ways of reading and counting give one answer ---- */

static unsigned rnd_state = 12345;
static unsigned rnd(unsigned n)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 16) % n;
}

/* A text of n words drawn from a small vocabulary (some words often, some rarely). */
static char *rnd_text(int n)
{
    static const char *const words[] = {"jardin",     "partagé",      "atelier",   "vélo",
                                        "réparation", "bibliothèque", "numérique", "quartier",
                                        "café",       "économie",     "sociale",   "projet",
                                        "projet",     "projet",       "atelier",   "jardin",
                                        "solidaire",  "grainothèque", "brest",     "coopérative"};
    size_t cap = (size_t)n * 16 + 1, len = 0;
    char *t = calloc(1, cap);
    for (int i = 0; i < n; i++) {
        const char *w = words[rnd(sizeof words / sizeof words[0])];
        len += (size_t)snprintf(t + len, cap - len, "%s%s", i ? " " : "", w);
    }
    return t;
}

static void make_corpus(struct store *s, int n)
{
    static const char *const kinds[] = {"kind=a", "kind=b", "kind=c"};
    static const char *const themes[] = {"theme=x", "theme=y", "theme=z", "theme=rare"};
    static const char *const communes[] = {"commune=1", "commune=2", "commune=3"};
    assert_int_equal(store_begin(s), STORE_OK);
    for (int id = 1; id <= n; id++) {
        const char *terms[6];
        int nt = 0;
        char year[24];
        terms[nt++] = kinds[rnd(3)];
        /* theme=rare on one doc in a hundred: counted from ids, the others from bitmaps. */
        terms[nt++] = rnd(100) == 0 ? themes[3] : themes[rnd(3)];
        if (rnd(2))
            terms[nt++] = themes[rnd(3)]; /* sometimes the same theme twice */
        terms[nt++] = communes[rnd(3)];
        snprintf(year, sizeof year, "year=%d", 2010 + (int)rnd(5));
        terms[nt++] = year;
        char *title = rnd_text(1 + (int)rnd(5)), *lead = rnd_text((int)rnd(8)),
             *body = rnd_text((int)rnd(40)), *tags = rnd_text((int)rnd(3));
        struct store_search_doc d = {
            .id = id, .terms = terms, .nterms = nt, .updated = 1000 + (id * 7919) % 5003};
        d.text[STORE_SEARCH_TITLE] = title;
        d.text[STORE_SEARCH_LEAD] = lead;
        d.text[STORE_SEARCH_BODY] = body;
        d.text[STORE_SEARCH_TAGS] = tags;
        assert_int_equal(store_search_put(s, &d), STORE_OK);
        free(title);
        free(lead);
        free(body);
        free(tags);
    }
    /* Some leave the index: never counted, never shown. */
    for (int id = 3; id <= n; id += 37)
        assert_int_equal(store_search_remove(s, id), STORE_OK);
    assert_int_equal(store_commit(s), STORE_OK);
}

/* The entries the hits are read from (a published revision each), written straight. */
static void make_entries(const char *path, int n)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char sql[1024];
    snprintf(
        sql, sizeof sql,
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
        " INSERT INTO entries(id, kind, slug, created, updated, published_rev, latest_rev)"
        " SELECT i, 'innovation', 'e' || i, 1, 1, 1, 1 FROM n;"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
        " INSERT INTO revisions(entry_id, number, created, fields) SELECT i, 1, 1, '{}' FROM n;",
        n, n);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("entries: %s", msg);
    sqlite3_close(db);
}

/* The answer as text: total, every facet value's count (sorted), the hits' ids and scores. */
static char *answer_text(const struct store_search_out *o)
{
    size_t cap = 1 << 16, len = 0;
    char *t = calloc(1, cap);
    len += (size_t)snprintf(t + len, cap - len, "total %d;", o->total);
    char *lines[512];
    int nl = 0;
    for (int i = 0; i < o->nfacets; i++)
        for (int v = 0; v < o->facets[i].n && nl < 512; v++) {
            char b[200];
            snprintf(b, sizeof b, "%s=%s:%d", o->facets[i].param, o->facets[i].values[v].value,
                     o->facets[i].values[v].count);
            lines[nl++] = strdup(b);
        }
    for (int i = 0; i < nl; i++)
        for (int j = i + 1; j < nl; j++)
            if (strcmp(lines[j], lines[i]) < 0) {
                char *x = lines[i];
                lines[i] = lines[j];
                lines[j] = x;
            }
    for (int i = 0; i < nl; i++) {
        len += (size_t)snprintf(t + len, cap - len, "%s;", lines[i]);
        free(lines[i]);
    }
    for (int i = 0; i < o->nhits; i++)
        len += (size_t)snprintf(t + len, cap - len, "%lld@%.9f;", o->hits[i].id, o->hits[i].score);
    return t;
}

static struct search_query one_query(struct arena *a, const char *text)
{
    /* Words, "quoted phrases" and -exclusions, as the parser would give them. */
    struct search_query q = {.clauses = arena_alloc(a, sizeof(struct search_clause) * 8)};
    char *copy = arena_strdup(a, text);
    for (char *w = strtok(copy, " "); w && q.n < 8; w = strtok(NULL, " ")) {
        struct search_clause *c = &q.clauses[q.n++];
        memset(c, 0, sizeof *c);
        c->negated = *w == '-';
        c->or_next = false;
        if (c->negated)
            w++;
        if (*w == '|') { /* "|word": an alternative to the clause before */
            q.clauses[q.n - 2].or_next = true;
            w++;
        }
        c->phrase = strchr(w, '_') != NULL;
        c->words = arena_alloc(a, sizeof(char *) * 4);
        char *save = NULL;
        for (char *p = strtok_r(w, "_", &save); p && c->nwords < 4; p = strtok_r(NULL, "_", &save))
            c->words[c->nwords++] = p;
    }
    return q;
}

static void test_ways_agree(void **state)
{
    struct test_site *x = *state;
    make_corpus(x->s, 6000);
    make_entries(x->path, 6000);
    static const char *const queries[] = {"projet",
                                          "jardin",
                                          "grainothèque",
                                          "jardin partagé",
                                          "économie sociale",
                                          "atelier -projet",
                                          "jardin_partagé",
                                          "vélo |jardin",
                                          "bibliothèque brest café",
                                          "",
                                          "projet atelier numérique"};
    static const struct search_filter filters[][3] = {
        {{NULL, NULL}},
        {{"kind", "a"}},
        {{"theme", "x"}, {"theme", "rare"}, {"commune", "2"}},
        {{"kind", "b"}, {"year", "2012"}, {"nothing", "here"}},
    };
    static const int nfilters[] = {0, 1, 3, 3};
    for (size_t qi = 0; qi < sizeof queries / sizeof queries[0]; qi++)
        for (size_t fi = 0; fi < sizeof nfilters / sizeof nfilters[0]; fi++)
            for (int recent = 0; recent < 2; recent++)
                for (int level = STORE_SEARCH_STRICT; level <= STORE_SEARCH_RELAXED; level++)
                    for (int deep = 0; deep < 2; deep++) {
                        if (!*queries[qi] && nfilters[fi] == 0)
                            continue;
                        char *first = NULL;
                        for (int way = 0; way < 8; way++) {
                            store_search_counting = way & 1 ? SS_COUNT_BITMAPS : SS_COUNT_DOCS;
                            store_search_reading = way & 2 ? SS_READ_SCAN : SS_READ_ROWS;
                            /* The list made by the first of these ways, read by the others. */
                            store_search_impact = way & 4 ? SS_IMPACT_ON : SS_IMPACT_OFF;
                            struct arena *a = arena_new();
                            struct search_query q = one_query(a, queries[qi]);
                            struct store_search_spec sp = {.q = *queries[qi] ? &q : NULL,
                                                           .filters = filters[fi],
                                                           .nfilters = nfilters[fi],
                                                           .recent = recent,
                                                           .level = (enum store_search_level)level,
                                                           /* deep: past the entries with the
                                                            * word in their title */
                                                           .offset = deep ? 1500 : 5,
                                                           .limit = 20};
                            struct store_search_out o;
                            assert_int_equal(store_search(x->s, a, &sp, &o), STORE_OK);
                            char *t = answer_text(&o);
                            assert_true(o.nhits > 0 || o.total <= sp.offset);
                            if (!first) {
                                first = t;
                                if (*queries[qi] && nfilters[fi] == 0)
                                    assert_true(o.total > 0); /* the corpus has every word */
                            } else {
                                if (strcmp(first, t) != 0)
                                    fail_msg("«%s» filters %zu recent %d level %d way %d:\n%s\n%s",
                                             queries[qi], fi, recent, level, way, first, t);
                                free(t);
                            }
                            arena_free(a);
                        }
                        free(first);
                    }
    store_search_counting = 0;
    store_search_reading = 0;
    store_search_impact = 0;
}

/* One search's answer as text, the list ordered by score used or not. */
static char *impact_answer(struct store *s, const char *text, const struct search_filter *f, int nf,
                           int offset, int impact)
{
    store_search_impact = impact;
    struct arena *a = arena_new();
    struct search_query q = one_query(a, text);
    struct store_search_spec sp = {
        .q = &q, .filters = f, .nfilters = nf, .offset = offset, .limit = 20};
    struct store_search_out o;
    assert_int_equal(store_search(s, a, &sp, &o), STORE_OK);
    char *t = answer_text(&o);
    arena_free(a);
    store_search_impact = 0;
    return t;
}

static void assert_impact_agrees(struct store *s, const char *text, const struct search_filter *f,
                                 int nf, int offset)
{
    char *off = impact_answer(s, text, f, nf, offset, SS_IMPACT_OFF);
    char *on = impact_answer(s, text, f, nf, offset, SS_IMPACT_ON);
    if (strcmp(off, on) != 0)
        fail_msg("«%s» offset %d:\n%s\n%s", text, offset, off, on);
    free(off);
    free(on);
}

/* A common word's list is made once and read by the searches after it; any change of the index
 * (a new entry better than every other, one leaving, one edited) makes another: the answers stay
 * those of reading FTS5, by default too (the word in most entries: 6,000 are enough). */
static void test_impact_follows_changes(void **state)
{
    struct test_site *x = *state;
    make_corpus(x->s, 6000);
    make_entries(x->path, 6010);
    struct search_filter kind = {"kind", "a"};
    for (int step = 0; step < 4; step++) {
        assert_impact_agrees(x->s, "projet", NULL, 0, 0);
        assert_impact_agrees(x->s, "projet", &kind, 1, 40);
        assert_impact_agrees(x->s, "projet", NULL, 0, 3000);
        /* The default takes the list for this word: the answer is the same as forced. */
        char *def = impact_answer(x->s, "projet", &kind, 1, 0, 0);
        char *off = impact_answer(x->s, "projet", &kind, 1, 0, SS_IMPACT_OFF);
        assert_string_equal(def, off);
        free(def);
        free(off);
        int nlists = 0;
        assert_true(search_impact_bytes(&nlists) > 0);
        assert_true(nlists >= 1);
        static const char *const terms[] = {"kind=a", "theme=x"};
        if (step == 0) /* the best of all */
            put_doc(x->s, 6001, "projet projet projet", terms, 2);
        else if (step == 1) { /* it leaves */
            assert_int_equal(store_begin(x->s), STORE_OK);
            assert_int_equal(store_search_remove(x->s, 6001), STORE_OK);
            assert_int_equal(store_commit(x->s), STORE_OK);
        } else if (step == 2) /* an entry edited: a shorter title */
            put_doc(x->s, 10, "projet", terms, 2);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_older_snapshot_keeps_the_copy, site_setup,
                                        test_site_teardown),
        cmocka_unit_test_setup_teardown(test_disjunctive_facets, site_setup, test_site_teardown),
        cmocka_unit_test_setup_teardown(test_ways_agree, site_setup, test_site_teardown),
        cmocka_unit_test_setup_teardown(test_impact_follows_changes, site_setup,
                                        test_site_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
