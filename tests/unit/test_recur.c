/* test_recur.c — unit tests for recurrence rules (core/recur): checking and normalising,
 * expansion in Paris wall time across both changes of summer time, the spring gap, UNTIL as a
 * date or a UTC time, COUNT, exceptions, the bound on occurrences, rules refused, the French
 * description, the form's simple series both ways and the rule as iCalendar writes it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/recur.h"
#include "util/arena.h"
#include "util/tz.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

static struct arena *A;

static int setup(void **state)
{
    (void)state;
    A = arena_new();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(A);
    return 0;
}

static long long paris(int y, int mo, int d, int h, int mi)
{
    long long u = 0;
    assert_int_equal(tz_paris_to_utc(y, mo, d, h, mi, &u), TZ_OK);
    return u;
}

static const char *local(long long utc)
{
    char *s = arena_alloc(A, TZ_LOCAL_LEN);
    tz_format_local(utc, s);
    return s;
}

static void test_check_normalises(void **state)
{
    (void)state;
    const char *n = NULL;
    assert_null(recur_check(A, "rrule:freq=weekly;byday=tu;count=10", &n));
    assert_string_equal(n, "FREQ=WEEKLY;COUNT=10;BYDAY=TU");
    assert_null(recur_check(A, "  FREQ=MONTHLY;BYDAY=1SA;UNTIL=20271231  ", &n));
    assert_string_equal(n, "FREQ=MONTHLY;UNTIL=20271231;BYDAY=1SA");
    assert_null(recur_check(A, "FREQ=DAILY;UNTIL=20270301T170000Z", &n));
    assert_string_equal(n, "FREQ=DAILY;UNTIL=20270301T170000Z");
    assert_null(recur_check(A, "FREQ=YEARLY;COUNT=3", &n));
}

static void test_check_refuses(void **state)
{
    (void)state;
    const char *n;
    const char *why = recur_check(A, "FREQ=WEEKLY;BYDAY=TU", &n);
    assert_non_null(why);
    assert_non_null(strstr(why, "doit finir"));
    assert_non_null(recur_check(A, "FREQ=WEEKLY;COUNT=0", &n));
    assert_non_null(recur_check(A, "FREQ=HOURLY;COUNT=3", &n));
    assert_non_null(recur_check(A, "FREQ=MINUTELY;COUNT=3", &n));
    assert_non_null(recur_check(A, "FREQ=SECONDLY;COUNT=3", &n));
    assert_non_null(recur_check(A, "FREQ=DAILY;BYHOUR=9,10;COUNT=3", &n));
    assert_non_null(recur_check(A, "garbage", &n));
    assert_non_null(recur_check(A, "COUNT=3", &n));
    assert_non_null(recur_check(A, "FREQ=WEEKLY;FOO=BAR;COUNT=2", &n));
    assert_non_null(recur_check(A, "FREQ=WEEKLY;COUNT=abc", &n));
    assert_non_null(recur_check(A, "FREQ=WEEKLY;COUNT=2;UNTIL=20270101", &n));
    assert_non_null(recur_check(A, "FREQ=WEEKLY;COUNT=2\n<script>", &n));
    assert_non_null(recur_check(A, "", &n));
    char longrule[400];
    snprintf(longrule, sizeof longrule, "FREQ=WEEKLY;COUNT=2;BYDAY=%0300d", 0);
    assert_non_null(recur_check(A, longrule, &n));
}

/* Every Tuesday at 18:00 from January to May 2027: the March change keeps 18:00. */
static void test_weekly_across_march(void **state)
{
    (void)state;
    long long out[40];
    long long start = paris(2027, 1, 5, 18, 0);
    int n = recur_expand("FREQ=WEEKLY;BYDAY=TU;UNTIL=20270427", start, NULL, 0, out, 40);
    assert_int_equal(n, 17);
    assert_int_equal(out[0], start);
    for (int i = 0; i < n; i++) {
        struct tz_local l;
        tz_paris_from_utc(out[i], &l);
        assert_int_equal(l.hour, 18);
        assert_int_equal(l.minute, 0);
        assert_int_equal(l.weekday, 2);
    }
    assert_string_equal(local(out[16]), "2027-04-27T18:00");
    /* 2027-03-23 at UTC+1, 2027-03-30 at UTC+2: a week minus an hour apart. */
    assert_int_equal(out[12] - out[11], 7 * 86400 - 3600);
}

/* The first Saturday of each month across the October change. */
static void test_monthly_first_saturday(void **state)
{
    (void)state;
    long long out[10];
    long long start = paris(2027, 9, 4, 10, 0);
    int n = recur_expand("FREQ=MONTHLY;BYDAY=1SA;COUNT=4", start, NULL, 0, out, 10);
    assert_int_equal(n, 4);
    assert_string_equal(local(out[0]), "2027-09-04T10:00");
    assert_string_equal(local(out[1]), "2027-10-02T10:00");
    assert_string_equal(local(out[2]), "2027-11-06T10:00");
    assert_string_equal(local(out[3]), "2027-12-04T10:00");
    assert_int_equal(tz_paris_offset(out[1]), 7200);
    assert_int_equal(tz_paris_offset(out[2]), 3600);
}

static void test_until_utc_and_date(void **state)
{
    (void)state;
    long long out[10];
    long long start = paris(2027, 1, 5, 18, 0);
    /* An UTC UNTIL equal to the last start is inclusive; one a minute before is not. */
    assert_int_equal(recur_expand("FREQ=WEEKLY;UNTIL=20270119T170000Z", start, NULL, 0, out, 10),
                     3);
    assert_int_equal(recur_expand("FREQ=WEEKLY;UNTIL=20270119T165900Z", start, NULL, 0, out, 10),
                     2);
    assert_int_equal(recur_expand("FREQ=WEEKLY;UNTIL=20270119", start, NULL, 0, out, 10), 3);
    assert_int_equal(recur_expand("FREQ=DAILY;COUNT=1", start, NULL, 0, out, 10), 1);
    assert_int_equal(out[0], start);
}

static void test_exceptions(void **state)
{
    (void)state;
    long long out[10];
    long long start = paris(2027, 1, 5, 18, 0);
    const char *ex[] = {"2027-01-12", "2027-01-26", "2030-01-01"};
    int n = recur_expand("FREQ=WEEKLY;COUNT=5", start, ex, 3, out, 10);
    /* COUNT counts the rule's dates; the cancelled days are left out afterwards (RFC 5545). */
    assert_int_equal(n, 3);
    assert_string_equal(local(out[0]), "2027-01-05T18:00");
    assert_string_equal(local(out[1]), "2027-01-19T18:00");
    assert_string_equal(local(out[2]), "2027-02-02T18:00");
}

/* A weekly series at 02:30 on Sundays meets the hour skipped on 2027-03-28. */
static void test_spring_gap(void **state)
{
    (void)state;
    long long out[4];
    long long start = paris(2027, 3, 21, 2, 30);
    int n = recur_expand("FREQ=WEEKLY;COUNT=3", start, NULL, 0, out, 4);
    assert_int_equal(n, 3);
    assert_string_equal(local(out[1]), "2027-03-28T03:30");
    assert_string_equal(local(out[2]), "2027-04-04T02:30");
}

static void test_bound(void **state)
{
    (void)state;
    long long start = paris(2027, 1, 5, 18, 0);
    clock_t c0 = clock();
    assert_int_equal(recur_expand("FREQ=DAILY;COUNT=1000000", start, NULL, 0, NULL, 0),
                     RECUR_MAX_OCCURRENCES + 1);
    assert_true((double)(clock() - c0) / CLOCKS_PER_SEC < 1.0);
    assert_int_equal(recur_expand("FREQ=DAILY;COUNT=500", start, NULL, 0, NULL, 0), 500);
    assert_int_equal(recur_expand("FREQ=DAILY;COUNT=501", start, NULL, 0, NULL, 0), 501);
    assert_int_equal(recur_expand("FREQ=DAILY;UNTIL=20300101", start, NULL, 0, NULL, 0),
                     RECUR_MAX_OCCURRENCES + 1);
    /* A few a year, but ending beyond the horizon: too long as well. */
    assert_int_equal(recur_expand("FREQ=YEARLY;COUNT=100", start, NULL, 0, NULL, 0),
                     RECUR_MAX_OCCURRENCES + 1);
    assert_int_equal(recur_expand("FREQ=YEARLY;COUNT=10", start, NULL, 0, NULL, 0), 10);
    /* Only max are written, the count goes on. */
    long long out[3];
    assert_int_equal(recur_expand("FREQ=DAILY;COUNT=10", start, NULL, 0, out, 3), 10);
}

static void test_invalid_and_unsynced(void **state)
{
    (void)state;
    long long out[2];
    long long tuesday = paris(2027, 1, 5, 18, 0);
    assert_int_equal(recur_expand("FREQ=WEEKLY", tuesday, NULL, 0, out, 2), RECUR_INVALID);
    assert_int_equal(recur_expand("nonsense", tuesday, NULL, 0, out, 2), RECUR_INVALID);
    assert_int_equal(recur_expand("FREQ=MONTHLY;BYDAY=1SA;COUNT=3", tuesday, NULL, 0, out, 2),
                     RECUR_UNSYNCED);
    assert_int_equal(
        recur_expand("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=5", tuesday, NULL, 0, out, 2) < 0,
        1);
    assert_int_equal(recur_expand(NULL, tuesday, NULL, 0, out, 2), 1);
    assert_int_equal(out[0], tuesday);
    assert_int_equal(recur_expand("", tuesday, NULL, 0, out, 2), 1);
}

static void test_describe(void **state)
{
    (void)state;
    long long tuesday = paris(2027, 1, 5, 18, 0);
    long long saturday = paris(2027, 2, 6, 10, 0);
    assert_string_equal(recur_describe(A, "FREQ=WEEKLY;UNTIL=20270630", tuesday),
                        "chaque mardi, jusqu'au 30 juin 2027");
    assert_string_equal(recur_describe(A, "FREQ=WEEKLY;INTERVAL=2;COUNT=6", tuesday),
                        "un mardi sur deux, 6 fois");
    assert_string_equal(recur_describe(A, "FREQ=MONTHLY;BYDAY=1SA;COUNT=10", saturday),
                        "le 1er samedi de chaque mois, 10 fois");
    assert_string_equal(recur_describe(A, "FREQ=MONTHLY;BYDAY=-1FR;COUNT=2", saturday),
                        "le dernier vendredi de chaque mois, 2 fois");
    assert_string_equal(recur_describe(A, "FREQ=MONTHLY;COUNT=3", tuesday),
                        "le 5 de chaque mois, 3 fois");
    assert_string_equal(recur_describe(A, "FREQ=DAILY;COUNT=1", tuesday), "chaque jour, une fois");
    assert_string_equal(recur_describe(A, "FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20270701", tuesday),
                        "chaque lundi, mercredi et vendredi, jusqu'au 1er juillet 2027");
    assert_string_equal(recur_describe(A, "FREQ=YEARLY;COUNT=3", tuesday),
                        "chaque année, le 5 janvier, 3 fois");
    assert_non_null(
        strstr(recur_describe(A, "FREQ=YEARLY;BYWEEKNO=2;COUNT=3", tuesday), "selon la règle"));
}

static void test_simple_round_trip(void **state)
{
    (void)state;
    long long saturday = paris(2027, 2, 6, 10, 0); /* the 1st Saturday */
    long long last = paris(2027, 1, 29, 10, 0);    /* a fifth Friday: the last */
    struct recur_simple s = {.preset = RECUR_MONTHLY_WEEKDAY, .count = 5};
    assert_string_equal(recur_simple_rule(A, &s, saturday), "FREQ=MONTHLY;BYDAY=1SA;COUNT=5");
    assert_string_equal(recur_simple_rule(A, &s, last), "FREQ=MONTHLY;BYDAY=-1FR;COUNT=5");
    s = (struct recur_simple){.preset = RECUR_BIWEEKLY, .until = "2027-06-30"};
    assert_string_equal(recur_simple_rule(A, &s, saturday),
                        "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270630");
    s = (struct recur_simple){.preset = RECUR_NONE};
    assert_string_equal(recur_simple_rule(A, &s, saturday), "");
    s = (struct recur_simple){.preset = RECUR_CUSTOM};
    assert_null(recur_simple_rule(A, &s, saturday));

    struct recur_simple r;
    recur_simple_read("FREQ=MONTHLY;COUNT=5;BYDAY=1SA", saturday, &r);
    assert_int_equal(r.preset, RECUR_MONTHLY_WEEKDAY);
    assert_int_equal(r.count, 5);
    recur_simple_read("FREQ=WEEKLY;UNTIL=20270630;INTERVAL=2", saturday, &r);
    assert_int_equal(r.preset, RECUR_BIWEEKLY);
    assert_string_equal(r.until, "2027-06-30");
    recur_simple_read("FREQ=DAILY;COUNT=3", saturday, &r);
    assert_int_equal(r.preset, RECUR_DAILY);
    recur_simple_read("FREQ=MONTHLY;UNTIL=20271231", saturday, &r);
    assert_int_equal(r.preset, RECUR_MONTHLY_DAY);
    recur_simple_read("FREQ=WEEKLY;UNTIL=20271231T230000Z", saturday, &r);
    assert_int_equal(r.preset, RECUR_CUSTOM);
    recur_simple_read("FREQ=WEEKLY;BYDAY=MO,TU;COUNT=4", saturday, &r);
    assert_int_equal(r.preset, RECUR_CUSTOM);
    recur_simple_read("", saturday, &r);
    assert_int_equal(r.preset, RECUR_NONE);
}

static void test_ical_rule(void **state)
{
    (void)state;
    /* The end of 2027-06-30 in Paris (summer): 21:59:59 UTC. */
    assert_string_equal(recur_ical_rule(A, "FREQ=WEEKLY;UNTIL=20270630"),
                        "FREQ=WEEKLY;UNTIL=20270630T215959Z");
    assert_string_equal(recur_ical_rule(A, "FREQ=WEEKLY;UNTIL=20271231"),
                        "FREQ=WEEKLY;UNTIL=20271231T225959Z");
    assert_string_equal(recur_ical_rule(A, "FREQ=WEEKLY;COUNT=3;BYDAY=TU"),
                        "FREQ=WEEKLY;COUNT=3;BYDAY=TU");
    assert_null(recur_ical_rule(A, "nonsense"));
}

/* Values a period never has are refused before libical searches them for seconds; the rules
 * near them that do happen stay accepted. */
static void test_never_refused_fast(void **state)
{
    (void)state;
    static const char *const never[] = {
        "FREQ=MONTHLY;BYDAY=6MO;COUNT=3",
        "FREQ=YEARLY;BYMONTH=3;BYDAY=-6FR;COUNT=3",
        "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,6,9,11;COUNT=3",
        "FREQ=YEARLY;BYMONTHDAY=30;BYMONTH=2;COUNT=3",
    };
    /* Outside the subset taken (positions in a set, weekdays crossed with days of the month,
     * days of the year, week numbers): refused before libical sees them. */
    static const char *const unsupported[] = {
        "FREQ=MONTHLY;BYDAY=MO;BYMONTHDAY=1,2,3,4,5,6,7;BYSETPOS=8;COUNT=3",
        "FREQ=MONTHLY;BYDAY=MO;BYMONTHDAY=1,2,3,4,5,6,7;BYSETPOS=2;COUNT=3",
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6;COUNT=3",
        "FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=8;COUNT=3",
        "FREQ=YEARLY;BYDAY=-5MO;BYMONTHDAY=28;BYMONTH=2;COUNT=3",
        "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13;COUNT=3",
        "FREQ=YEARLY;BYYEARDAY=366;COUNT=3",
        "FREQ=YEARLY;BYWEEKNO=53;COUNT=3",
    };
    const char *n = NULL;
    for (size_t i = 0; i < sizeof never / sizeof *never; i++) {
        clock_t t0 = clock();
        const char *why = recur_check(A, never[i], &n);
        assert_non_null(why);
        assert_non_null(strstr(why, "impossible"));
        assert_int_equal(recur_expand(never[i], paris(2027, 1, 4, 18, 0), NULL, 0, NULL, 0),
                         RECUR_INVALID);
        assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 0.2);
    }
    for (size_t i = 0; i < sizeof unsupported / sizeof *unsupported; i++) {
        clock_t t0 = clock();
        assert_non_null(recur_check(A, unsupported[i], &n));
        assert_int_equal(recur_expand(unsupported[i], paris(2027, 1, 4, 18, 0), NULL, 0, NULL, 0),
                         RECUR_INVALID);
        assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 0.05);
    }
    assert_null(recur_check(A, "FREQ=MONTHLY;BYDAY=5MO;COUNT=3", &n));
    assert_null(recur_check(A, "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=1,4;COUNT=3", &n));
    assert_null(recur_check(A, "FREQ=YEARLY;BYMONTHDAY=29;BYMONTH=2;COUNT=3", &n));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_check_normalises),     T(test_check_refuses),
        T(test_weekly_across_march),  T(test_monthly_first_saturday),
        T(test_until_utc_and_date),   T(test_exceptions),
        T(test_spring_gap),           T(test_bound),
        T(test_invalid_and_unsynced), T(test_describe),
        T(test_simple_round_trip),    T(test_ical_rule),
        T(test_never_refused_fast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
