/* test_rate.c — the limits of edits (core/rate.c) without waiting: each call says what time it
 * is, so the reset after the window is a boundary like any other. Per account and per address
 * for contributors (an IPv6 /64 as one address), per account only from trusted up, moderators
 * included; the settings apply at once and 0 turns a limit off; a forgiven edit frees its place;
 * and the one save path refuses the edit past the limit (ENTRY_RATE_LIMITED, nothing written)
 * and takes it again after Retry-After, the operator never limited. The counters are one table
 * per process: each test uses accounts and addresses of its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/account.h"
#include "core/entry.h"
#include "core/rate.h"
#include "core/territory.h"
#include "core/validate.h"
#include "store/store.h"
#include "util/arena.h"
#include "site_fixture.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW 1700000000LL

static int site_setup(void **state)
{
    return test_site_setup(state, sizeof(struct test_site), "rate");
}

static long take(struct test_site *x, long long id, enum role role, const char *ip, long long now)
{
    struct viewer v = {id, role};
    struct rate_hold h;
    return rate_edit_take(x->s, &v, ip, now, &h);
}

/* Eight edits a minute for a contributor, per account and per address; after the wait it says,
 * one more; after a whole window, eight again. */
static void test_contributor_window_and_reset(void **state)
{
    struct test_site *x = *state;
    for (int i = 0; i < RATE_EDITS_NEW_DEFAULT; i++)
        assert_int_equal(take(x, 101, ROLE_CONTRIBUTOR, "192.0.2.1", NOW + i), 0);
    long wait = take(x, 101, ROLE_CONTRIBUTOR, "192.0.2.1", NOW + 8);
    assert_true(wait > 0 && wait <= RATE_EDIT_WINDOW + RATE_EDIT_WINDOW / THROTTLE_SPLIT);
    /* The account from elsewhere: still its own limit. */
    assert_true(take(x, 101, ROLE_CONTRIBUTOR, "198.51.100.7", NOW + 8) > 0);
    /* Another newcomer from the same address: the address has had its eight. */
    assert_true(take(x, 102, ROLE_CONTRIBUTOR, "192.0.2.1", NOW + 8) > 0);
    assert_int_equal(take(x, 102, ROLE_CONTRIBUTOR, "192.0.2.2", NOW + 8), 0);
    /* Refusals counted nothing: at the time given, the first one passes again. */
    assert_true(take(x, 101, ROLE_CONTRIBUTOR, "192.0.2.1", NOW + 8 + wait - 1) > 0);
    assert_int_equal(take(x, 101, ROLE_CONTRIBUTOR, "192.0.2.1", NOW + 8 + wait), 0);
    /* A whole window later everything is new. */
    long long later = NOW + 8 + wait + RATE_EDIT_WINDOW + RATE_EDIT_WINDOW / THROTTLE_SPLIT;
    for (int i = 0; i < RATE_EDITS_NEW_DEFAULT; i++)
        assert_int_equal(take(x, 101, ROLE_CONTRIBUTOR, "192.0.2.1", later), 0);
    assert_true(take(x, 101, ROLE_CONTRIBUTOR, "192.0.2.1", later) > 0);
}

/* An IPv6 subscriber holds a /64: its addresses count as one; IPv4 mapped is the IPv4 one. */
static void test_ipv6_counts_by_64(void **state)
{
    struct test_site *x = *state;
    char ip[64];
    for (int i = 0; i < RATE_EDITS_NEW_DEFAULT; i++) {
        snprintf(ip, sizeof ip, "2001:db8:1:2::%x", i + 1);
        assert_int_equal(take(x, 200 + i, ROLE_CONTRIBUTOR, ip, NOW), 0);
    }
    assert_true(take(x, 250, ROLE_CONTRIBUTOR, "2001:db8:1:2:ffff::1", NOW) > 0);
    assert_int_equal(take(x, 250, ROLE_CONTRIBUTOR, "2001:db8:1:3::1", NOW), 0);
    char a[THROTTLE_ADDRESS_MAX], b[THROTTLE_ADDRESS_MAX];
    throttle_address("::ffff:203.0.113.5", a, sizeof a);
    throttle_address("203.0.113.5", b, sizeof b);
    assert_string_equal(a, b);
    throttle_address(NULL, a, sizeof a);
    assert_string_equal(a, "?");
}

/* Trusted accounts never share a budget with their address; moderators are limited by
 * rate_edits like them. */
static void test_trusted_per_account_only(void **state)
{
    struct test_site *x = *state;
    for (int i = 0; i < RATE_EDITS_DEFAULT; i++) {
        assert_int_equal(take(x, 301, ROLE_TRUSTED, "192.0.2.30", NOW), 0);
        assert_int_equal(take(x, 302, ROLE_ADMIN, "192.0.2.30", NOW), 0);
    }
    assert_true(take(x, 301, ROLE_TRUSTED, "192.0.2.30", NOW) > 0);
    assert_true(take(x, 302, ROLE_ADMIN, "192.0.2.31", NOW) > 0);
    /* The address was never counted: a newcomer there has all of its eight. */
    for (int i = 0; i < RATE_EDITS_NEW_DEFAULT; i++)
        assert_int_equal(take(x, 303, ROLE_CONTRIBUTOR, "192.0.2.30", NOW), 0);
    assert_int_equal(store_setting_set(x->s, "rate_edits", "3"), STORE_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(take(x, 304, ROLE_MODERATOR, NULL, NOW), 0);
    assert_true(take(x, 304, ROLE_MODERATOR, NULL, NOW) > 0);
}

/* The settings apply at the next edit; 0 is no limit; a forgiven edit gives its place back. */
static void test_settings_and_forgive(void **state)
{
    struct test_site *x = *state;
    assert_int_equal(store_setting_set(x->s, "rate_edits_new", "2"), STORE_OK);
    assert_int_equal(take(x, 401, ROLE_CONTRIBUTOR, "192.0.2.40", NOW), 0);
    struct viewer v = {401, ROLE_CONTRIBUTOR};
    struct rate_hold h;
    assert_int_equal(rate_edit_take(x->s, &v, "192.0.2.40", NOW, &h), 0);
    assert_int_equal(h.n, 2);
    assert_true(take(x, 401, ROLE_CONTRIBUTOR, "192.0.2.40", NOW) > 0);
    rate_edit_forgive(&h);
    assert_int_equal(take(x, 401, ROLE_CONTRIBUTOR, "192.0.2.40", NOW), 0);
    assert_true(take(x, 401, ROLE_CONTRIBUTOR, "192.0.2.40", NOW) > 0);
    assert_int_equal(store_setting_set(x->s, "rate_edits_new", "0"), STORE_OK);
    for (int i = 0; i < 100; i++)
        assert_int_equal(take(x, 401, ROLE_CONTRIBUTOR, "192.0.2.40", NOW), 0);
    /* An unreadable value is the default. */
    assert_int_equal(store_setting_set(x->s, "rate_edits_new", "beaucoup"), STORE_OK);
    for (int i = 0; i < RATE_EDITS_NEW_DEFAULT; i++)
        assert_int_equal(take(x, 402, ROLE_CONTRIBUTOR, NULL, NOW), 0);
    assert_true(take(x, 402, ROLE_CONTRIBUTOR, NULL, NOW) > 0);
}

static json_t *fields(struct test_site *x, const char *title)
{
    return test_site_fields(x, "innovation",
                            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "title", title, "summary",
                                      "Un résumé.", "description", "Un **atelier** de quartier.",
                                      "themes", "numerique", "commune", "29019", "license",
                                      "CC-BY-SA-4.0"));
}

static int save(struct test_site *x, struct viewer author, bool operator, const char * title,
                long long now, struct entry_saved *out)
{
    json_t *f = fields(x, title);
    struct entry_save in = {.kind = kind_find("innovation"),
                            .fields = f,
                            .author = author,
                            .operator= operator,
                            .comment = "test",
                            .now = now,
                            .client_ip = "192.0.2.50"};
    int rc = entry_save(x->s, x->a, &in, out);
    json_decref(f);
    return rc;
}

/* The one save path: past the limit ENTRY_RATE_LIMITED with the wait and nothing written; the
 * operator saving in the account's name is not limited; after the wait the account saves. */
static void test_save_path_limits(void **state)
{
    struct test_site *x = *state;
    long long id = test_site_account(x, "chloe@example.org", "Chloé", "contributor");
    assert_int_equal(store_setting_set(x->s, "rate_edits_new", "2"), STORE_OK);
    struct viewer c = {id, ROLE_CONTRIBUTOR};
    struct entry_saved out;
    assert_int_equal(save(x, c, false, "Premier atelier", NOW, &out), ENTRY_OK);
    assert_string_equal(out.state, "pending");
    assert_int_equal(save(x, c, false, "Deuxième atelier", NOW + 1, &out), ENTRY_OK);
    assert_int_equal(save(x, c, false, "Troisième atelier", NOW + 2, &out), ENTRY_RATE_LIMITED);
    long wait = out.retry_after;
    assert_true(wait > 0 && wait <= RATE_EDIT_WINDOW + RATE_EDIT_WINDOW / THROTTLE_SPLIT);
    assert_int_equal(save(x, c, true, "Atelier importé", NOW + 2, &out), ENTRY_OK);
    assert_int_equal(save(x, c, false, "Troisième atelier", NOW + 2 + wait, &out), ENTRY_OK);
    /* The refused save wrote nothing: the title's address was still free. */
    assert_string_equal(out.entry.slug, "troisieme-atelier");
    assert_int_equal(out.entry.id, 4);
}

int main(void)
{
    if (account_init() != 0)
        return 1;
#define S(f) cmocka_unit_test_setup_teardown(f, site_setup, test_site_teardown)
    const struct CMUnitTest tests[] = {
        S(test_contributor_window_and_reset),
        S(test_ipv6_counts_by_64),
        S(test_trusted_per_account_only),
        S(test_settings_and_forgive),
        S(test_save_path_limits),
    };
#undef S
    return cmocka_run_group_tests(tests, NULL, NULL);
}
