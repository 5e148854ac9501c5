/* site_fixture.h — the site the unit tests run on, shared so that each test file keeps only what
 * is its own: a fresh site file in a temporary directory of its own (/tmp/foison-NAME-XXXXXX),
 * created, seeded with data/communes.tsv and its territory loaded, then closed and removed with
 * everything in it; and the helpers those tests used to repeat: a number read with SQL, a user
 * or an account, an entry's fields validated and an entry saved by the operator. A test file's
 * own struct puts struct test_site first, so that test_site_setup and test_site_teardown serve
 * as its cmocka fixtures. Header only (static inline): meson makes a program of each
 * tests/unit/test_*.c, and this file is none of them. */
#ifndef FOISON_SITE_FIXTURE_H
#define FOISON_SITE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/account.h"
#include "core/entry.h"
#include "core/territory.h"
#include "core/validate.h"
#include "store/store.h"
#include "store/user_store.h"
#include "util/arena.h"
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The password of the accounts test_site_account makes. */
#define TEST_SITE_PASSWORD "un mot de passe solide"

struct test_site {
    char dir[64], path[128]; /* the temporary directory, and the site file in it */
    struct store *s;
    struct territory *t;
    struct arena *a;
};

/* Makes x's temporary directory /tmp/foison-NAME-XXXXXX, names the site file in it and gives x
 * an arena; opens nothing. 0, or -1. */
static inline int test_site_make(struct test_site *x, const char *name)
{
    int n = snprintf(x->dir, sizeof x->dir, "/tmp/foison-%s-XXXXXX", name);
    if (n < 0 || (size_t)n >= sizeof x->dir || !mkdtemp(x->dir))
        return -1;
    n = snprintf(x->path, sizeof x->path, "%s/site.foison", x->dir);
    if (n < 0 || (size_t)n >= sizeof x->path)
        return -1;
    x->a = arena_new();
    return 0;
}

/* test_site_make, then the site file created, seeded with data/communes.tsv (base URL http://x)
 * and its territory loaded. 0, or -1 with the reason on stderr. */
static inline int test_site_open(struct test_site *x, const char *name)
{
    if (test_site_make(x, name) != 0)
        return -1;
    char err[512] = "";
    x->s = store_open(x->path, STORE_OPEN_CREATE, err, sizeof err);
    if (!x->s || territory_seed(x->s, "data/communes.tsv", "http://x", err, sizeof err) != 0) {
        fprintf(stderr, "site: %s\n", err);
        return -1;
    }
    x->t = territory_load(x->s);
    return x->t ? 0 : -1;
}

/* Frees what x holds (any of it may be NULL: a test may close the store itself) and removes its
 * directory with everything in it. */
static inline void test_site_close(struct test_site *x)
{
    territory_free(x->t);
    store_close(x->s);
    arena_free(x->a);
    x->t = NULL;
    x->s = NULL;
    x->a = NULL;
    char cmd[200];
    int n = snprintf(cmd, sizeof cmd, "rm -rf '%s'", x->dir);
    if (n < 0 || (size_t)n >= sizeof cmd || system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", x->dir);
}

/* A cmocka setup's work: *state becomes a zeroed object of size bytes (the test file's struct,
 * struct test_site first) whose site test_site_open made. 0, or -1. */
static inline int test_site_setup(void **state, size_t size, const char *name)
{
    assert_true(size >= sizeof(struct test_site));
    struct test_site *x = calloc(1, size);
    if (!x)
        return -1;
    *state = x;
    return test_site_open(x, name);
}

/* The cmocka teardown of test_site_setup (or of any *state that a struct test_site begins). */
static inline int test_site_teardown(void **state)
{
    struct test_site *x = *state;
    test_site_close(x);
    free(x);
    return 0;
}

/* The first column of the first row that sql reads on x's connection: a count(*), a PRAGMA, an
 * id. Fails the test when sql does not read a row. */
static inline long long test_site_count(struct test_site *x, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(x->s->db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* A user written straight into the users table (password hash "x": no one signs in as it),
 * created at now; its id. */
static inline long long test_site_user(struct test_site *x, const char *email, const char *name,
                                       const char *role, long long now)
{
    long long id = 0;
    assert_int_equal(store_user_insert(x->s, email, name, role, "x", now, &id), STORE_OK);
    return id;
}

/* An account made as an administrator makes one (account_create, TEST_SITE_PASSWORD); its id.
 * account_init() must have been called. */
static inline long long test_site_account(struct test_site *x, const char *email, const char *name,
                                          const char *role)
{
    char err[256] = "";
    long long id = 0;
    if (account_create(x->s, email, name, role, TEST_SITE_PASSWORD, err, sizeof err) != 0)
        fail_msg("account %s: %s", email, err);
    assert_int_equal(account_id_by_email(x->s, x->a, email, &id), 0);
    return id;
}

/* The fields of an entry of kind validated from in, which this takes (json_pack or json_loads
 * can be passed straight in: NULL fails like a refusal); fails the test with the first error
 * when they are refused. The caller json_decref()s them. */
static inline json_t *test_site_fields(struct test_site *x, const char *kind, json_t *in)
{
    struct field_errors errs = {0};
    json_t *f = validate_entry(x->a, kind_find(kind), x->t, in, false, &errs);
    json_decref(in);
    if (!f)
        fail_msg("%s: %s: %s", kind, errs.n ? errs.e[0].field : "?",
                 errs.n ? errs.e[0].message : "?");
    return f;
}

/* An entry of kind saved from in (taken, as by test_site_fields) by the operator in author's
 * name (who then manages it) at now; fails the test unless it is saved. */
static inline struct entry test_site_save(struct test_site *x, const char *kind, json_t *in,
                                          struct viewer author, long long now)
{
    json_t *f = test_site_fields(x, kind, in);
    struct entry_save sv = {.kind = kind_find(kind),
                            .fields = f,
                            .author = author,
                            .operator= true,
                            .comment = "test",
                            .now = now};
    struct entry_saved out;
    assert_int_equal(entry_save(x->s, x->a, &sv, &out), ENTRY_OK);
    json_decref(f);
    return out.entry;
}

/* A contributor as the rights see one. */
static inline struct viewer test_site_contributor(long long id)
{
    return (struct viewer){id, ROLE_CONTRIBUTOR};
}

#endif
