/* test_report.c — readers' reports (core/report.c) over a real site file: the input rules
 * (reasons a closed list, details limited text), one open report per account and entry, the
 * hiding at report_hide distinct accounts read by the one visibility rule (entry page, lists,
 * counts, the save path) while moderators still read the entry, the moderators' decisions
 * (dismiss shows it again, uphold withdraws it for good) and who may take them, and the daily
 * budget of rate_reports with the wait it gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/account.h"
#include "core/entry.h"
#include "core/report.h"
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

struct site {
    struct test_site site; /* first: test_site_teardown frees the whole */
    struct viewer r[3], mod;
};

static int site_setup(void **state)
{
    if (test_site_setup(state, sizeof(struct site), "report") != 0)
        return -1;
    struct site *x = *state;
    static const char *const emails[] = {"r1@example.org", "r2@example.org", "r3@example.org"};
    for (int i = 0; i < 3; i++)
        x->r[i] = (struct viewer){test_site_account(&x->site, emails[i], "Lecteur", "contributor"),
                                  ROLE_CONTRIBUTOR};
    x->mod = (struct viewer){test_site_account(&x->site, "mod@example.org", "Lecteur", "moderator"),
                             ROLE_MODERATOR};
    return 0;
}

/* A published entry (saved by the operator). */
static struct entry published(struct site *x, const char *title)
{
    return test_site_save(&x->site, "innovation",
                          json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "title", title, "summary",
                                    "Un résumé.", "description", "Un **atelier** de quartier.",
                                    "themes", "numerique", "commune", "29019", "license",
                                    "CC-BY-SA-4.0"),
                          viewer_operator, NOW);
}

static int file(struct site *x, const struct viewer *v, const struct entry *e, long long now,
                struct report_filed *out)
{
    return report_file(x->site.s, x->site.a, v, e, "spam", "", now, out);
}

static int public_total(struct site *x)
{
    struct entry_item *items;
    int n, total, entries, communes, contributors;
    assert_int_equal(entry_list(x->site.s, x->site.a, kind_find("innovation"), NULL, 0, 1, 20,
                                &items, &n, &total),
                     ENTRY_OK);
    assert_int_equal(
        entry_counts(x->site.s, kind_find("innovation"), &entries, &communes, &contributors),
        ENTRY_OK);
    assert_int_equal(entries, total);
    return total;
}

static void test_check_input(void **state)
{
    struct site *x = *state;
    struct field_errors errs = {0};
    assert_null(report_check(x->site.a, NULL, NULL, &errs));
    assert_string_equal(errs.e[0].field, "reason");
    errs.n = 0;
    assert_null(report_check(x->site.a, "pub", "x", &errs));
    assert_string_equal(errs.e[0].field, "reason");
    errs.n = 0;
    for (int i = 0; i < report_nreasons; i++)
        if (strcmp(report_reasons[i].code, "autre") != 0)
            assert_string_equal(report_check(x->site.a, report_reasons[i].code, NULL, &errs), "");
    assert_int_equal(errs.n, 0);
    /* "Autre" says what: details required. */
    assert_null(report_check(x->site.a, "autre", " \r\n ", &errs));
    assert_string_equal(errs.e[0].field, "comment");
    errs.n = 0;
    assert_string_equal(report_check(x->site.a, "autre", "  Deux\r\nlignes.\n", &errs),
                        "Deux\nlignes.");
    /* 1000 characters (2000 bytes of é) pass, 1001 do not. */
    char big[2 * REPORT_COMMENT_MAX + 3];
    for (int i = 0; i <= REPORT_COMMENT_MAX; i++)
        memcpy(big + 2 * i, "é", 2);
    big[2 * REPORT_COMMENT_MAX] = '\0';
    assert_non_null(report_check(x->site.a, "spam", big, &errs));
    memcpy(big + 2 * REPORT_COMMENT_MAX, "é", 2);
    big[2 * REPORT_COMMENT_MAX + 2] = '\0';
    assert_null(report_check(x->site.a, "spam", big, &errs));
    assert_non_null(strstr(errs.e[0].message, "1001"));
    errs.n = 0;
    /* Not text: invalid UTF-8, control characters, marks that reorder what a moderator reads. */
    static const char *const bad[] = {"\xc3\x28", "a\x07z", "a\x7fz", "a\xe2\x80\xaez",
                                      "a\xe2\x81\xa6z"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        errs.n = 0;
        assert_null(report_check(x->site.a, "spam", bad[i], &errs));
        assert_string_equal(errs.e[0].field, "comment");
    }
}

/* Three distinct accounts hide an entry from everyone but moderators; keeping it shows it. */
static void test_hide_dismiss(void **state)
{
    struct site *x = *state;
    struct entry e = published(x, "Atelier signalé");
    int total = public_total(x);
    struct report_filed out;
    assert_int_equal(file(x, &viewer_public, &e, NOW, &out), REPORT_FORBIDDEN);
    assert_int_equal(file(x, &x->r[0], &e, NOW, &out), REPORT_OK);
    assert_int_equal(out.reporters, 1);
    assert_int_equal(file(x, &x->r[0], &e, NOW, &out), REPORT_DUPLICATE);
    assert_int_equal(file(x, &x->r[1], &e, NOW, &out), REPORT_OK);
    assert_false(out.hidden);
    unsigned long gen = entry_generation(x->site.s);
    assert_int_equal(file(x, &x->r[2], &e, NOW, &out), REPORT_OK);
    assert_true(out.hidden);
    assert_int_equal(out.reporters, 3);
    assert_true(entry_generation(x->site.s) > gen);
    struct entry seen;
    assert_int_equal(entry_find(x->site.s, x->site.a, &viewer_public, e.slug, &seen, NULL),
                     ENTRY_NOTFOUND);
    assert_int_equal(entry_find(x->site.s, x->site.a, &x->r[0], e.slug, &seen, NULL),
                     ENTRY_NOTFOUND);
    assert_int_equal(entry_find(x->site.s, x->site.a, &x->mod, e.slug, &seen, NULL), ENTRY_OK);
    assert_int_equal(seen.hidden, 1);
    assert_int_equal(public_total(x), total - 1);
    /* Nobody may report what they cannot see. */
    struct report_group *g;
    int n;
    assert_int_equal(report_open(x->site.s, x->site.a, &x->r[0], &g, &n), REPORT_FORBIDDEN);
    assert_int_equal(report_open(x->site.s, x->site.a, &x->mod, &g, &n), REPORT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(g[0].nitems, 3);
    assert_string_equal(g[0].title, "Atelier signalé");
    assert_string_equal(g[0].items[0].reason_label, "Spam ou publicité");
    assert_int_equal(report_dismiss(x->site.s, x->site.a, &x->r[0], e.id, "", NOW),
                     REPORT_FORBIDDEN);
    assert_int_equal(report_dismiss(x->site.s, x->site.a, &x->mod, e.id, "", NOW + 10), REPORT_OK);
    assert_int_equal(report_dismiss(x->site.s, x->site.a, &x->mod, e.id, "", NOW + 10),
                     REPORT_NOTFOUND);
    assert_int_equal(entry_find(x->site.s, x->site.a, &viewer_public, e.slug, &seen, NULL),
                     ENTRY_OK);
    assert_int_equal(public_total(x), total);
    assert_int_equal(report_open(x->site.s, x->site.a, &x->mod, &g, &n), REPORT_OK);
    assert_int_equal(n, 0);
    /* After a decision the same account may report again. */
    assert_int_equal(file(x, &x->r[0], &e, NOW + 20, &out), REPORT_OK);
}

/* report_hide is a setting (0: never); upholding withdraws the entry for good. */
static void test_setting_uphold(void **state)
{
    struct site *x = *state;
    struct entry e = published(x, "Atelier jamais masqué");
    struct report_filed out;
    assert_int_equal(store_setting_set(x->site.s, "report_hide", "0"), STORE_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(file(x, &x->r[i], &e, NOW, &out), REPORT_OK);
    assert_false(out.hidden);
    struct entry seen;
    assert_int_equal(entry_find(x->site.s, x->site.a, &viewer_public, e.slug, &seen, NULL),
                     ENTRY_OK);
    assert_int_equal(store_setting_set(x->site.s, "report_hide", "1"), STORE_OK);
    struct entry f = published(x, "Atelier retiré");
    assert_int_equal(file(x, &x->r[0], &f, NOW, &out), REPORT_OK);
    assert_true(out.hidden);
    assert_int_equal(report_uphold(x->site.s, x->site.a, &x->mod, f.id, "Publicité", NOW),
                     REPORT_OK);
    assert_int_equal(entry_find(x->site.s, x->site.a, &viewer_public, f.slug, &seen, NULL),
                     ENTRY_NOTFOUND);
    assert_int_equal(entry_find(x->site.s, x->site.a, &x->mod, f.slug, &seen, NULL), ENTRY_OK);
    assert_int_equal(seen.hidden, 2);
    /* The save path refuses an edit by anyone who may not see it. */
    json_t *fields = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "title", "Atelier retiré",
                               "summary", "Autre.", "description", "Texte.", "themes", "numerique",
                               "commune", "29019", "license", "CC-BY-SA-4.0");
    struct entry_save in = {.kind = kind_find("innovation"),
                            .slug = f.slug,
                            .base_rev = 1,
                            .fields = fields,
                            .author = x->r[1],
                            .comment = "",
                            .now = NOW};
    struct entry_saved saved;
    assert_int_equal(entry_save(x->site.s, x->site.a, &in, &saved), ENTRY_NOTFOUND);
    json_decref(fields);
}

/* rate_reports per account and day, counted from the table: the wait is until the oldest
 * report of the day leaves the window. */
static void test_daily_budget(void **state)
{
    struct site *x = *state;
    assert_int_equal(store_setting_set(x->site.s, "rate_reports", "2"), STORE_OK);
    assert_int_equal(store_setting_set(x->site.s, "report_hide", "0"), STORE_OK);
    struct entry e[4] = {published(x, "Budget un"), published(x, "Budget deux"),
                         published(x, "Budget trois"), published(x, "Budget quatre")};
    struct report_filed out;
    assert_int_equal(file(x, &x->r[0], &e[0], NOW, &out), REPORT_OK);
    assert_int_equal(file(x, &x->r[0], &e[1], NOW + 100, &out), REPORT_OK);
    assert_int_equal(file(x, &x->r[0], &e[2], NOW + 200, &out), REPORT_RATE_LIMITED);
    assert_int_equal(out.retry_after, REPORT_WINDOW - 200);
    assert_int_equal(file(x, &x->r[1], &e[2], NOW + 200, &out), REPORT_OK);
    assert_int_equal(file(x, &x->r[0], &e[2], NOW + REPORT_WINDOW - 1, &out), REPORT_RATE_LIMITED);
    assert_int_equal(out.retry_after, 1);
    assert_int_equal(file(x, &x->r[0], &e[2], NOW + REPORT_WINDOW, &out), REPORT_OK);
    assert_int_equal(store_setting_set(x->site.s, "rate_reports", "0"), STORE_OK);
    assert_int_equal(file(x, &x->r[0], &e[3], NOW + REPORT_WINDOW, &out), REPORT_OK);
}

int main(void)
{
    if (account_init() != 0)
        return 1;
#define S(f) cmocka_unit_test_setup_teardown(f, site_setup, test_site_teardown)
    const struct CMUnitTest tests[] = {
        S(test_check_input),
        S(test_hide_dismiss),
        S(test_setting_uphold),
        S(test_daily_budget),
    };
#undef S
    return cmocka_run_group_tests(tests, NULL, NULL);
}
