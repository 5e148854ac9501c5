/* test_search_review.c — the search index's storage (store/search_store.c, store/search_cache.c)
 * on a real site file, where the HTTP tests cannot reach: two connections whose snapshots differ
 * (a search whose read transaction began before another connection's commit must not throw the
 * process's newer copy of search_docs away), and the facet counts of disjunctive filters (two
 * values of one parameter with a filter of another). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/search_cache.h"
#include "store/search_store.h"
#include "store/store.h"
#include "util/arena.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct site {
    char dir[64], path[128];
    struct store *s;
};

static int site_setup(void **state)
{
    struct site *x = calloc(1, sizeof(*x));
    snprintf(x->dir, sizeof x->dir, "/tmp/foison-srev-XXXXXX");
    if (!mkdtemp(x->dir))
        return -1;
    snprintf(x->path, sizeof x->path, "%s/site.foison", x->dir);
    char err[512] = "";
    x->s = store_open(x->path, STORE_OPEN_CREATE, err, sizeof err);
    if (!x->s) {
        fprintf(stderr, "site: %s\n", err);
        return -1;
    }
    *state = x;
    return 0;
}

static int site_teardown(void **state)
{
    struct site *x = *state;
    store_close(x->s);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", x->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", x->dir);
    free(x);
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
    struct site *x = *state;
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
    struct site *x = *state;
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_older_snapshot_keeps_the_copy, site_setup,
                                        site_teardown),
        cmocka_unit_test_setup_teardown(test_disjunctive_facets, site_setup, site_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
