/* test_loan.c — lending equipment (core/loan.c) over a real site file: the days a request may
 * ask for, the overlap rules (an accepted loan holds its days, the days beside it are free), who
 * may decide and cancel, the mails each step queues, learning materials that do not lend, the
 * reminders sent once the day before pick-up and return, and 20 threads, each on its own
 * connection, accepting 20 overlapping requests at once: exactly one is accepted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/account.h"
#include "core/entry.h"
#include "core/loan.h"
#include "core/territory.h"
#include "core/validate.h"
#include "store/store.h"
#include "store/user_store.h"
#include "util/arena.h"
#include "util/tz.h"
#include "site_fixture.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long long NOW; /* 2027-01-15 10:00 in Paris */

struct site {
    struct test_site site; /* first: test_site_teardown frees the whole */
    long long owner, borrower, other;
    struct entry kit, guide;
};

static const struct loan_env env = {"Réseau", "https://foison.example", false};

static long long user(struct site *x, const char *email, const char *name)
{
    return test_site_user(&x->site, email, name, "contributor", NOW);
}

/* A resource of type saved by the operator in the name of author (who then manages it). */
static struct entry resource(struct site *x, const char *title, const char *type, long long author)
{
    return test_site_save(&x->site, "resource",
                          json_pack("{s:s, s:s, s:s, s:s}", "title", title, "summary",
                                    "À emprunter.", "resource_type", type, "license",
                                    "CC-BY-SA-4.0"),
                          (struct viewer){author, ROLE_TRUSTED}, NOW);
}

static int site_setup(void **state)
{
    if (test_site_setup(state, sizeof(struct site), "loan") != 0)
        return -1;
    struct site *x = *state;
    x->owner = user(x, "owner@exemple.org", "Centre de ressources");
    x->borrower = user(x, "gwen@exemple.net", "Gwen Emprunteuse");
    x->other = user(x, "yann@exemple.net", "Yann Autre");
    x->kit = resource(x, "Vidéoprojecteur", "equipment", x->owner);
    x->guide = resource(x, "Guide de l'animation", "material", x->owner);
    return 0;
}

static int ask(struct site *x, long long who, const char *from, const char *to, long long *id)
{
    struct field_errors errs = {0};
    struct viewer v = test_site_contributor(who);
    return loan_request(x->site.s, x->site.a, &v, &x->kit, from, to, "Pour la fête du quartier",
                        &env, NOW, &errs, id);
}

static void test_days(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    char d[11];
    loan_today(NOW, d);
    assert_string_equal(d, "2027-01-15");
    loan_day_add("2027-02-27", 2, d);
    assert_string_equal(d, "2027-03-01");
    loan_day_add("2027-01-01", -1, d);
    assert_string_equal(d, "2026-12-31");
    assert_string_equal(loan_day_french(a, "2027-02-01"), "lundi 1er février 2027");
    assert_true(loan_day_valid("2028-02-29"));
    assert_false(loan_day_valid("2027-02-29"));
    assert_false(loan_day_valid("2027-1-05"));
    assert_false(loan_day_valid("2027-01-05T10:00"));
    struct {
        const char *from, *to, *field;
    } bad[] = {
        {"2027-01-14", "2027-01-16", "from"}, /* yesterday */
        {"2027-01-20", "2027-01-19", "to"},   /* ends before it starts */
        {"2027-01-20", "2027-03-21", "to"},   /* 61 days */
        {"2028-01-16", "2028-01-17", "from"}, /* more than a year ahead */
        {"2028-01-05", "2028-01-20", "to"},   /* ends more than a year ahead */
        {"demain", "2027-01-20", "from"},     {"2027-01-20", "", "to"},
        {NULL, "2027-01-20", "from"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct field_errors errs = {0};
        assert_false(loan_check_days(a, bad[i].from, bad[i].to, NOW, &errs));
        assert_non_null(validate_error_for(&errs, bad[i].field));
    }
    struct field_errors errs = {0};
    assert_true(loan_check_days(a, "2027-01-15", "2027-01-15", NOW, &errs));
    assert_true(loan_check_days(a, "2027-01-20", "2027-03-20", NOW, &errs)); /* 60 days */
    assert_int_equal(errs.n, 0);
    arena_free(a);
}

static void test_overlap(void **state)
{
    struct site *x = *state;
    long long first, inside, before, after, edge;
    assert_int_equal(ask(x, x->borrower, "2027-02-10", "2027-02-14", &first), LOAN_OK);
    /* The owner is told. */
    assert_int_equal(
        test_site_count(&x->site,
                        "SELECT count(*) FROM outbox WHERE recipient = 'owner@exemple.org'"),
        1);
    /* Requests may overlap one another until one is accepted. */
    assert_int_equal(ask(x, x->other, "2027-02-12", "2027-02-12", &inside), LOAN_OK);
    assert_int_equal(ask(x, x->other, "2027-02-09", "2027-02-09", &before), LOAN_OK);
    assert_int_equal(ask(x, x->other, "2027-02-15", "2027-02-16", &after), LOAN_OK);
    assert_int_equal(ask(x, x->other, "2027-02-14", "2027-02-20", &edge), LOAN_OK);
    struct viewer owner = test_site_contributor(x->owner),
                  borrower = test_site_contributor(x->borrower),
                  other = test_site_contributor(x->other);
    struct loan l;
    /* Only an owner decides. */
    assert_int_equal(loan_decide(x->site.s, x->site.a, &borrower, first, true, &env, NOW, &l),
                     LOAN_FORBIDDEN);
    assert_int_equal(loan_decide(x->site.s, x->site.a, &viewer_public, first, true, &env, NOW, &l),
                     LOAN_FORBIDDEN);
    assert_int_equal(loan_decide(x->site.s, x->site.a, &owner, first, true, &env, NOW, &l),
                     LOAN_OK);
    assert_string_equal(l.state, "accepted");
    assert_int_equal(
        test_site_count(&x->site,
                        "SELECT count(*) FROM outbox WHERE recipient = 'gwen@exemple.net'"),
        1);
    /* Decided once. */
    assert_int_equal(loan_decide(x->site.s, x->site.a, &owner, first, false, &env, NOW, &l),
                     LOAN_STATE);
    assert_int_equal(loan_decide(x->site.s, x->site.a, &owner, 9999, true, &env, NOW, &l),
                     LOAN_NOTFOUND);
    /* The days it holds refuse other loans, at the request and at the acceptance; the day
     * before and the day after are free. */
    int outbox = test_site_count(&x->site, "SELECT count(*) FROM outbox");
    assert_int_equal(loan_decide(x->site.s, x->site.a, &owner, inside, true, &env, NOW, &l),
                     LOAN_BUSY);
    assert_int_equal(loan_decide(x->site.s, x->site.a, &owner, edge, true, &env, NOW, &l),
                     LOAN_BUSY);
    assert_int_equal(test_site_count(&x->site, "SELECT count(*) FROM outbox"), outbox);
    assert_int_equal(
        test_site_count(&x->site, "SELECT count(*) FROM loans WHERE state = 'requested'"), 4);
    assert_int_equal(loan_decide(x->site.s, x->site.a, &owner, before, true, &env, NOW, &l),
                     LOAN_OK);
    assert_int_equal(loan_decide(x->site.s, x->site.a, &owner, after, true, &env, NOW, &l),
                     LOAN_OK);
    long long id;
    struct field_errors errs = {0};
    int loans = test_site_count(&x->site, "SELECT count(*) FROM loans");
    assert_int_equal(loan_request(x->site.s, x->site.a, &other, &x->kit, "2027-02-01", "2027-02-10",
                                  NULL, &env, NOW, &errs, &id),
                     LOAN_BUSY);
    assert_non_null(validate_error_for(&errs, "from"));
    assert_int_equal(test_site_count(&x->site, "SELECT count(*) FROM loans"), loans);
    /* The calendar's busy days: three accepted loans, no borrower. */
    struct loan *busy;
    int n;
    assert_int_equal(
        loan_busy(x->site.s, x->site.a, x->kit.id, "2027-02-01", "2027-02-28", &busy, &n), LOAN_OK);
    assert_int_equal(n, 3);
    assert_string_equal(busy[0].from, "2027-02-09");
    assert_string_equal(busy[1].borrower_name, "");
    /* The owner sees the requests still open and the whole history; others do not. */
    assert_int_equal(loan_requests(x->site.s, x->site.a, &owner, x->kit.id, NOW, &busy, &n),
                     LOAN_OK);
    assert_int_equal(n, 2);
    assert_int_equal(loan_requests(x->site.s, x->site.a, &other, x->kit.id, NOW, &busy, &n),
                     LOAN_FORBIDDEN);
    assert_int_equal(loan_history(x->site.s, x->site.a, &owner, x->kit.id, &busy, &n), LOAN_OK);
    assert_int_equal(n, 5);
    assert_int_equal(loan_history(x->site.s, x->site.a, &borrower, x->kit.id, &busy, &n),
                     LOAN_FORBIDDEN);
    /* Cancelled by its borrower (not by another), the first loan's days are free again. */
    assert_int_equal(loan_cancel(x->site.s, x->site.a, &other, first, &env, NOW), LOAN_FORBIDDEN);
    assert_int_equal(loan_cancel(x->site.s, x->site.a, &borrower, first, &env, NOW), LOAN_OK);
    assert_int_equal(loan_cancel(x->site.s, x->site.a, &borrower, first, &env, NOW), LOAN_STATE);
    assert_int_equal(loan_decide(x->site.s, x->site.a, &owner, inside, true, &env, NOW, &l),
                     LOAN_OK);
    /* Refused. */
    assert_int_equal(loan_decide(x->site.s, x->site.a, &owner, edge, false, &env, NOW, &l),
                     LOAN_OK);
    assert_string_equal(l.state, "refused");
    assert_int_equal(loan_mine(x->site.s, x->site.a, &other, x->kit.id, NOW, &busy, &n), LOAN_OK);
    assert_int_equal(n, 3); /* before, inside, after: accepted */
}

/* An answer that comes after the pick-up day accepts nothing (refusing still works); and the
 * managers of an actor named in owned_by (a field any editor may change) are not told. */
static void test_late_and_owned_by(void **state)
{
    struct site *x = *state;
    struct viewer owner = test_site_contributor(x->owner), other = test_site_contributor(x->other);
    /* yann manages the guide's record; it is named as an owner of the kit. */
    char sql[200];
    snprintf(sql, sizeof sql,
             "INSERT INTO relations(from_id, field, to_id, position) VALUES (%lld, 'owned_by',"
             " %lld, 0); INSERT INTO entry_managers VALUES (%lld, %lld, 0)",
             x->kit.id, x->guide.id, x->guide.id, x->other);
    assert_int_equal(sqlite3_exec(x->site.s->db, sql, NULL, NULL, NULL), SQLITE_OK);
    long long id;
    assert_int_equal(ask(x, x->borrower, "2027-01-16", "2027-01-17", &id), LOAN_OK);
    assert_int_equal(
        test_site_count(&x->site,
                        "SELECT count(*) FROM outbox WHERE recipient = 'yann@exemple.net'"),
        0);
    assert_int_equal(
        test_site_count(&x->site,
                        "SELECT count(*) FROM outbox WHERE recipient = 'owner@exemple.org'"),
        1);
    struct loan l;
    assert_int_equal(loan_decide(x->site.s, x->site.a, &other, id, true, &env, NOW, &l),
                     LOAN_FORBIDDEN);
    long long late = NOW + 2 * 86400; /* 2027-01-17: the first day has passed */
    assert_int_equal(loan_decide(x->site.s, x->site.a, &owner, id, true, &env, late, &l),
                     LOAN_STATE);
    assert_int_equal(
        test_site_count(&x->site, "SELECT count(*) FROM loans WHERE state = 'requested'"), 1);
    /* On the first day itself it may still be accepted. */
    assert_int_equal(loan_decide(x->site.s, x->site.a, &owner, id, true, &env, NOW + 86400, &l),
                     LOAN_OK);
    assert_int_equal(ask(x, x->borrower, "2027-01-20", "2027-01-20", &id), LOAN_OK);
    assert_int_equal(
        loan_decide(x->site.s, x->site.a, &owner, id, false, &env, NOW + 9 * 86400, &l), LOAN_OK);
}

static void test_refusals(void **state)
{
    struct site *x = *state;
    struct viewer v = test_site_contributor(x->borrower);
    struct field_errors errs = {0};
    long long id;
    assert_int_equal(loan_request(x->site.s, x->site.a, &v, &x->guide, "2027-02-10", "2027-02-11",
                                  NULL, &env, NOW, &errs, &id),
                     LOAN_UNLENDABLE);
    assert_false(loan_lendable(x->site.s, x->site.a, &x->guide));
    assert_true(loan_lendable(x->site.s, x->site.a, &x->kit));
    assert_int_equal(loan_request(x->site.s, x->site.a, &viewer_public, &x->kit, "2027-02-10",
                                  "2027-02-11", NULL, &env, NOW, &errs, &id),
                     LOAN_FORBIDDEN);
    assert_int_equal(loan_request(x->site.s, x->site.a, &v, &x->kit, "2027-01-10", "2027-01-11",
                                  NULL, &env, NOW, &errs, &id),
                     LOAN_INVALID);
    char *longer = calloc(1, LOAN_MESSAGE_MAX + 2);
    memset(longer, 'a', LOAN_MESSAGE_MAX + 1);
    memset(&errs, 0, sizeof errs);
    assert_int_equal(loan_request(x->site.s, x->site.a, &v, &x->kit, "2027-02-10", "2027-02-11",
                                  longer, &env, NOW, &errs, &id),
                     LOAN_INVALID);
    assert_non_null(validate_error_for(&errs, "message"));
    free(longer);
    assert_int_equal(test_site_count(&x->site, "SELECT count(*) FROM loans"), 0);
    assert_int_equal(test_site_count(&x->site, "SELECT count(*) FROM outbox"), 0);
}

static void test_reminders(void **state)
{
    struct site *x = *state;
    long long id, one;
    struct viewer owner = test_site_contributor(x->owner);
    struct loan l;
    assert_int_equal(ask(x, x->borrower, "2027-01-20", "2027-01-24", &id), LOAN_OK);
    assert_int_equal(ask(x, x->borrower, "2027-01-27", "2027-01-27", &one), LOAN_OK);
    assert_int_equal(loan_decide(x->site.s, x->site.a, &owner, id, true, &env, NOW, &l), LOAN_OK);
    assert_int_equal(loan_decide(x->site.s, x->site.a, &owner, one, true, &env, NOW, &l), LOAN_OK);
    const char *gwen = "SELECT count(*) FROM outbox WHERE recipient = 'gwen@exemple.net'";
    int mails = test_site_count(&x->site, gwen);
    long long t;
    int done = 0;
    /* Too early the day before, then the pick-up reminder, once. */
    assert_int_equal(tz_parse_local("2027-01-19T07:30", &t), TZ_OK);
    assert_int_equal(loan_chore(x->site.s, x->site.a, t, &done), 0);
    assert_int_equal(done, 0);
    assert_int_equal(tz_parse_local("2027-01-19T09:00", &t), TZ_OK);
    assert_int_equal(loan_chore(x->site.s, x->site.a, t, &done), 0);
    assert_int_equal(done, 1);
    assert_int_equal(loan_chore(x->site.s, x->site.a, t + 60, &done), 0);
    assert_int_equal(done, 1);
    assert_int_equal(test_site_count(&x->site, gwen), mails + 1);
    /* The return reminder the day before the last day. */
    assert_int_equal(tz_parse_local("2027-01-22T09:00", &t), TZ_OK);
    assert_int_equal(loan_chore(x->site.s, x->site.a, t, &done), 0);
    assert_int_equal(done, 1);
    assert_int_equal(tz_parse_local("2027-01-23T09:00", &t), TZ_OK);
    assert_int_equal(loan_chore(x->site.s, x->site.a, t, &done), 0);
    assert_int_equal(done, 2);
    /* The one-day loan: its pick-up the day before, its return on the day. */
    assert_int_equal(tz_parse_local("2027-01-26T10:00", &t), TZ_OK);
    assert_int_equal(loan_chore(x->site.s, x->site.a, t, &done), 0);
    assert_int_equal(done, 3);
    assert_int_equal(tz_parse_local("2027-01-27T10:00", &t), TZ_OK);
    assert_int_equal(loan_chore(x->site.s, x->site.a, t, &done), 0);
    assert_int_equal(done, 4);
    assert_int_equal(loan_chore(x->site.s, x->site.a, t, &done), 0);
    assert_int_equal(done, 4);
    assert_int_equal(test_site_count(&x->site,
                                     "SELECT count(*) FROM loans WHERE reminded_pickup = 1 AND"
                                     " reminded_return = 1"),
                     2);
}

struct racer {
    const char *path;
    long long id, owner;
    int rc;
    pthread_barrier_t *go;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    char err[256];
    struct store *s = store_open(r->path, STORE_OPEN_EXISTING, err, sizeof err);
    struct arena *a = arena_new();
    struct viewer v = test_site_contributor(r->owner);
    pthread_barrier_wait(r->go);
    r->rc = s ? loan_decide(s, a, &v, r->id, true, &env, NOW, NULL) : LOAN_ERR;
    arena_free(a);
    store_close(s);
    return NULL;
}

static void test_concurrent(void **state)
{
    struct site *x = *state;
    enum { N = 20 };
    struct racer r[N];
    pthread_t th[N];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, N);
    for (int i = 0; i < N; i++) {
        /* Each overlaps every other one on 2027-03-10. */
        char from[11], to[11];
        loan_day_add("2027-03-01", i % 10, from);
        loan_day_add("2027-03-10", i % 7, to);
        r[i] = (struct racer){x->site.path, 0, x->owner, 99, &go};
        assert_int_equal(ask(x, i % 2 ? x->borrower : x->other, from, to, &r[i].id), LOAN_OK);
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
    int ok = 0, busy = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        ok += r[i].rc == LOAN_OK;
        busy += r[i].rc == LOAN_BUSY;
    }
    pthread_barrier_destroy(&go);
    assert_int_equal(ok, 1);
    assert_int_equal(busy, N - 1);
    assert_int_equal(
        test_site_count(&x->site, "SELECT count(*) FROM loans WHERE state = 'accepted'"), 1);
}

int main(void)
{
    if (account_init() != 0 || tz_parse_local("2027-01-15T10:00", &NOW) != TZ_OK)
        return 1;
#define S(f) cmocka_unit_test_setup_teardown(f, site_setup, test_site_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days), S(test_overlap),    S(test_refusals),
        S(test_reminders),           S(test_concurrent), S(test_late_and_owned_by),
    };
#undef S
    return cmocka_run_group_tests(tests, NULL, NULL);
}
