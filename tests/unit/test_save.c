/* test_save.c — the one save path and the storage rules under it: the licence rule checked inside
 * the write transaction for every caller (form, API, revert alike), slugs that never run out,
 * the durability setting of connections, and a statement cache that can never be full. Each test
 * works on a fresh seeded site in its own temporary directory. */
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
#include "util/arena.h"
#include "site_fixture.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int site_setup(void **state)
{
    return test_site_setup(state, sizeof(struct test_site), "save");
}

static json_t *fields(struct test_site *x, const char *title, const char *license)
{
    return test_site_fields(x, "innovation",
                            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "title", title, "summary",
                                      "Un résumé.", "description", "Un **atelier**.", "themes",
                                      "numerique", "commune", "29019", "license", license));
}

static int save(struct test_site *x, const char *slug, int base, json_t *f, bool moderator,
                struct field_errors *errs, struct entry *out, int *rev)
{
    struct entry_save in = {.kind = kind_find("innovation"),
                            .slug = slug,
                            .base_rev = base,
                            .fields = f,
                            .author = {0, moderator ? ROLE_MODERATOR : ROLE_TRUSTED},
                            .comment = "test",
                            .now = 1700000000,
                            .errs = errs};
    struct entry_saved saved;
    int rc = entry_save(x->s, x->a, &in, &saved);
    if (rc == ENTRY_OK) {
        *out = saved.entry;
        *rev = saved.rev;
    }
    return rc;
}

/* The rule is the save path's, whoever calls it: a contributor's save that changes the licence
 * (what a revert to an older revision does) is refused and writes nothing; a moderator's passes;
 * a contributor may still edit everything else. */
static void test_licence_rule_in_save_path(void **state)
{
    struct test_site *x = *state;
    struct entry e;
    int rev;
    struct field_errors errs = {0};
    json_t *v1 = fields(x, "Licences", "CC-BY-SA-4.0");
    assert_int_equal(save(x, NULL, 0, v1, false, &errs, &e, &rev), ENTRY_OK);
    json_t *v2 = fields(x, "Licences", "CC0-1.0");
    assert_int_equal(save(x, e.slug, 1, v2, true, &errs, &e, &rev), ENTRY_OK);
    assert_int_equal(rev, 2);
    /* A contributor "reverting" to revision 1's values. */
    assert_int_equal(save(x, e.slug, 2, v1, false, &errs, &e, &rev), ENTRY_INVALID);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.e[0].field, "license");
    struct entry now;
    assert_int_equal(entry_find(x->s, x->a, &viewer_public, "licences", &now, NULL), ENTRY_OK);
    assert_int_equal(now.latest_rev, 2);
    /* Without an errs list the refusal is the same. */
    assert_int_equal(save(x, e.slug, 2, v1, false, NULL, &e, &rev), ENTRY_INVALID);
    /* Other changes by a contributor pass; the licence stays. */
    json_t *v3 = fields(x, "Licences renommées", "CC0-1.0");
    struct field_errors none = {0};
    assert_int_equal(save(x, "licences", 2, v3, false, &none, &e, &rev), ENTRY_OK);
    assert_int_equal(none.n, 0);
    assert_int_equal(rev, 3);
    /* A moderator may revert the licence. */
    assert_int_equal(save(x, e.slug, 3, v1, true, &none, &e, &rev), ENTRY_OK);
    assert_int_equal(rev, 4);
    json_decref(v1);
    json_decref(v2);
    json_decref(v3);
}

/* Far past the thousand records that used to exhaust a title; the slugs stay short, unique and
 * numbered, and an entry keeps its own numbered slug across edits. */
static void test_slugs_never_run_out(void **state)
{
    struct test_site *x = *state;
    assert_int_equal(store_setting_set(x->s, STORE_SYNC_SETTING, "NORMAL"), STORE_OK);
    assert_int_equal(sqlite3_exec(x->s->db, "PRAGMA synchronous=OFF", NULL, NULL, NULL), 0);
    json_t *f = fields(x, "Repair café", "CC-BY-SA-4.0");
    struct entry e;
    int rev;
    for (int i = 1; i <= 1010; i++) {
        assert_int_equal(save(x, NULL, 0, f, false, NULL, &e, &rev), ENTRY_OK);
        if (i == 1)
            assert_string_equal(e.slug, "repair-cafe");
        else
            assert_string_equal(e.slug, arena_printf(x->a, "repair-cafe-%d", i));
    }
    /* Editing the 500th without changing its title keeps its address. */
    json_t *g = fields(x, "Repair café", "CC-BY-SA-4.0");
    json_object_set_new(g, "summary", json_string("Autre résumé."));
    assert_int_equal(save(x, "repair-cafe-500", 1, g, false, NULL, &e, &rev), ENTRY_OK);
    assert_string_equal(e.slug, "repair-cafe-500");
    /* A record titled like a numbered slug does not block the numbering. */
    json_t *h = fields(x, "Repair café 99999999999999999999", "CC-BY-SA-4.0");
    assert_int_equal(save(x, NULL, 0, h, false, NULL, &e, &rev), ENTRY_OK);
    assert_int_equal(save(x, NULL, 0, f, false, NULL, &e, &rev), ENTRY_OK);
    assert_string_equal(e.slug, "repair-cafe-1011");
    json_decref(f);
    json_decref(g);
    json_decref(h);
}

static int pragma_int(struct store *s, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* FULL (2) unless the site chose NORMAL (1), on every connection opened. */
static void test_synchronous_setting(void **state)
{
    struct test_site *x = *state;
    assert_int_equal(pragma_int(x->s, "PRAGMA synchronous"), 2);
    char err[512];
    assert_int_equal(store_setting_set(x->s, STORE_SYNC_SETTING, "NORMAL"), STORE_OK);
    struct store *s2 = store_open(x->path, STORE_OPEN_EXISTING, err, sizeof err);
    assert_non_null(s2);
    assert_int_equal(pragma_int(s2, "PRAGMA synchronous"), 1);
    store_close(s2);
    assert_int_equal(store_setting_set(x->s, STORE_SYNC_SETTING, "FULL"), STORE_OK);
    s2 = store_open(x->path, STORE_OPEN_EXISTING, err, sizeof err);
    assert_non_null(s2);
    assert_int_equal(pragma_int(s2, "PRAGMA synchronous"), 2);
    store_close(s2);
    assert_true(store_sync_valid("FULL") && store_sync_valid("NORMAL"));
    assert_false(store_sync_valid("OFF") || store_sync_valid("full") || store_sync_valid(NULL));
}

/* Far more statements than the cache first holds: each stays prepared and usable. */
static void test_statement_cache_grows(void **state)
{
    struct test_site *x = *state;
    enum { N = 300 };
    char *sql[N];
    sqlite3_stmt *st[N];
    for (int i = 0; i < N; i++) {
        sql[i] = malloc(40);
        snprintf(sql[i], 40, "SELECT %d", i);
        st[i] = store_stmt(x->s, sql[i]);
        assert_non_null(st[i]);
    }
    for (int i = 0; i < N; i++) {
        assert_ptr_equal(store_stmt(x->s, sql[i]), st[i]);
        assert_int_equal(sqlite3_step(st[i]), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st[i], 0), i);
        store_done(st[i]);
    }
    /* The statements are finalized with the connection; the texts must outlive it. */
    store_close(x->s);
    x->s = NULL;
    for (int i = 0; i < N; i++)
        free(sql[i]);
}

int main(void)
{
    if (account_init() != 0)
        return 1;
#define S(f) cmocka_unit_test_setup_teardown(f, site_setup, test_site_teardown)
    const struct CMUnitTest tests[] = {
        S(test_licence_rule_in_save_path),
        S(test_slugs_never_run_out),
        S(test_synchronous_setting),
        S(test_statement_cache_grows),
    };
#undef S
    return cmocka_run_group_tests(tests, NULL, NULL);
}
