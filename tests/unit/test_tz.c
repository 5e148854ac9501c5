/* test_tz.c — unit tests for Europe/Paris time arithmetic (util/tz): both changes of 2025, 2026
 * and 2027, the spring gap and the autumn overlap, round trips over every hour of a year,
 * parsing and formatting; and a cross-check against the system's tzdata where it is installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/tz.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The UTC instant of a UTC civil time, independent of the code under test's offset logic. */
static long long utc_of(int y, int mo, int d, int h, int mi)
{
    return tz_days_from_civil(y, mo, d) * 86400LL + h * 3600LL + mi * 60LL;
}

static long long to_utc_ok(int y, int mo, int d, int h, int mi)
{
    long long u = -1;
    assert_int_equal(tz_paris_to_utc(y, mo, d, h, mi, &u), TZ_OK);
    return u;
}

static void test_days_from_civil(void **state)
{
    (void)state;
    assert_int_equal(tz_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(tz_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(tz_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(tz_days_from_civil(2026, 3, 3) * 86400LL, 1772496000LL);
    assert_true(tz_days_from_civil(1, 1, 1) < 0);
}

static void test_date_valid(void **state)
{
    (void)state;
    assert_true(tz_date_valid(2024, 2, 29));
    assert_true(tz_date_valid(2000, 2, 29));
    assert_false(tz_date_valid(1900, 2, 29));
    assert_false(tz_date_valid(2026, 2, 29));
    assert_false(tz_date_valid(2026, 2, 30));
    assert_false(tz_date_valid(2026, 4, 31));
    assert_true(tz_date_valid(2026, 12, 31));
    assert_false(tz_date_valid(2026, 13, 1));
    assert_false(tz_date_valid(2026, 0, 1));
    assert_false(tz_date_valid(2026, 1, 0));
    assert_false(tz_date_valid(0, 1, 1));
    assert_false(tz_date_valid(10000, 1, 1));
    assert_true(tz_date_valid(9999, 12, 31));
}

/* The changes of one year: spring on day march, autumn on day october, both at 01:00 UTC. */
static void check_year(int y, int march, int october)
{
    long long spring = utc_of(y, 3, march, 1, 0), autumn = utc_of(y, 10, october, 1, 0);
    assert_int_equal(tz_paris_offset(spring - 1), 3600);
    assert_int_equal(tz_paris_offset(spring), 7200);
    assert_int_equal(tz_paris_offset(autumn - 1), 7200);
    assert_int_equal(tz_paris_offset(autumn), 3600);
    assert_int_equal(tz_paris_offset(utc_of(y, 1, 15, 12, 0)), 3600);
    assert_int_equal(tz_paris_offset(utc_of(y, 7, 14, 12, 0)), 7200);
    assert_int_equal(tz_paris_offset(utc_of(y, 12, 31, 23, 59)), 3600);

    /* Spring: 01:59 exists, 02:00..02:59 do not, 03:00 is the change itself. */
    assert_int_equal(to_utc_ok(y, 3, march, 1, 59), spring - 60);
    long long u = 42;
    assert_int_equal(tz_paris_to_utc(y, 3, march, 2, 0, &u), TZ_GAP);
    assert_int_equal(tz_paris_to_utc(y, 3, march, 2, 30, &u), TZ_GAP);
    assert_int_equal(tz_paris_to_utc(y, 3, march, 2, 59, &u), TZ_GAP);
    assert_int_equal(u, 42);
    assert_int_equal(to_utc_ok(y, 3, march, 3, 0), spring);

    /* Autumn: 02:00..02:59 happen twice; the first (summer) one is chosen. */
    assert_int_equal(to_utc_ok(y, 10, october, 1, 59), autumn - 3600 - 60);
    assert_int_equal(to_utc_ok(y, 10, october, 2, 0), autumn - 3600);
    assert_int_equal(to_utc_ok(y, 10, october, 2, 30), autumn - 1800);
    assert_int_equal(to_utc_ok(y, 10, october, 3, 0), autumn + 3600);
    struct tz_local a, b;
    tz_paris_from_utc(autumn - 1800, &a);
    tz_paris_from_utc(autumn + 1800, &b);
    assert_int_equal(a.hour, 2);
    assert_int_equal(a.minute, 30);
    assert_int_equal(b.hour, 2);
    assert_int_equal(b.minute, 30);
    assert_int_equal(a.weekday, 7);
    assert_int_equal(b.day, october);
}

static void test_changes_2025(void **state)
{
    (void)state;
    check_year(2025, 30, 26);
}

static void test_changes_2026(void **state)
{
    (void)state;
    check_year(2026, 29, 25);
    long long u;
    assert_int_equal(tz_parse_local("2026-03-29T02:30", &u), TZ_GAP);
    assert_int_equal(tz_parse_local("2026-10-25T02:30", &u), TZ_OK);
    assert_int_equal(u, utc_of(2026, 10, 25, 0, 30));
}

static void test_changes_2027(void **state)
{
    (void)state;
    check_year(2027, 28, 31);
}

/* Every hour (and half hour) of a year: instant -> wall -> instant is the identity except in
 * the repeated autumn hour, whose second pass reads back as the first one. */
static void test_round_trip_instants(void **state)
{
    (void)state;
    long long start = utc_of(2026, 1, 1, 0, 0), end = utc_of(2027, 1, 1, 0, 0);
    long long second_pass = utc_of(2026, 10, 25, 1, 0);
    int repeated = 0;
    for (long long u = start; u < end; u += 1800) {
        struct tz_local t;
        tz_paris_from_utc(u, &t);
        long long back = to_utc_ok(t.year, t.month, t.day, t.hour, t.minute);
        if (u >= second_pass && u < second_pass + 3600) {
            assert_int_equal(back, u - 3600);
            repeated++;
        } else {
            assert_int_equal(back, u);
        }
    }
    assert_int_equal(repeated, 2);
}

/* Every wall hour of a year: wall -> instant -> wall is the identity except in the gap. */
static void test_round_trip_walls(void **state)
{
    (void)state;
    int gaps = 0;
    for (int mo = 1; mo <= 12; mo++)
        for (int d = 1; tz_date_valid(2027, mo, d); d++)
            for (int h = 0; h < 24; h++) {
                long long u;
                int rc = tz_paris_to_utc(2027, mo, d, h, 15, &u);
                if (rc == TZ_GAP) {
                    assert_true(mo == 3 && d == 28 && h == 2);
                    gaps++;
                    continue;
                }
                assert_int_equal(rc, TZ_OK);
                struct tz_local t;
                tz_paris_from_utc(u, &t);
                assert_int_equal(t.year, 2027);
                assert_int_equal(t.month, mo);
                assert_int_equal(t.day, d);
                assert_int_equal(t.hour, h);
                assert_int_equal(t.minute, 15);
            }
    assert_int_equal(gaps, 1);
}

static void test_weekday(void **state)
{
    (void)state;
    struct tz_local t;
    tz_paris_from_utc(utc_of(2026, 3, 2, 12, 0), &t);
    assert_int_equal(t.weekday, 1);
    tz_paris_from_utc(utc_of(2026, 3, 1, 12, 0), &t);
    assert_int_equal(t.weekday, 7);
    tz_paris_from_utc(utc_of(1970, 1, 1, 0, 0), &t);
    assert_int_equal(t.weekday, 4);
    /* 23:30 UTC on a Sunday is already Monday in Paris. */
    tz_paris_from_utc(utc_of(2026, 3, 1, 23, 30), &t);
    assert_int_equal(t.weekday, 1);
    assert_int_equal(t.day, 2);
    assert_int_equal(t.hour, 0);
    tz_paris_from_utc(utc_of(2026, 12, 31, 23, 30), &t);
    assert_int_equal(t.year, 2027);
    assert_int_equal(t.month, 1);
    assert_int_equal(t.day, 1);
    tz_paris_from_utc(-1, &t);
    assert_int_equal(t.year, 1970);
    assert_int_equal(t.hour, 0);
    assert_int_equal(t.minute, 59);
}

static void test_parse_valid(void **state)
{
    (void)state;
    long long u;
    assert_int_equal(tz_parse_local("2026-03-03T18:30", &u), TZ_OK);
    assert_int_equal(u, utc_of(2026, 3, 3, 17, 30));
    assert_int_equal(tz_parse_local("2026-03-03 18:30", &u), TZ_OK);
    assert_int_equal(u, utc_of(2026, 3, 3, 17, 30));
    assert_int_equal(tz_parse_local("2026-07-14T00:00", &u), TZ_OK);
    assert_int_equal(u, utc_of(2026, 7, 13, 22, 0));
    assert_int_equal(tz_parse_local("2024-02-29T23:59", &u), TZ_OK);
    assert_int_equal(tz_parse_local("0001-01-01T00:00", &u), TZ_OK);
    assert_int_equal(tz_parse_local("9999-12-31T23:59", &u), TZ_OK);
}

static void test_parse_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "2026-02-30T10:00",
        "2026-02-29T10:00",
        "2026-04-31T10:00",
        "2026-13-01T10:00",
        "2026-00-10T10:00",
        "2026-01-00T10:00",
        "0000-01-01T10:00",
        "2026-03-03T24:00",
        "2026-03-03T23:60",
        "2026-03-03T18:30Z",
        "2026-03-03T18:30:00",
        "2026-03-03T18:30 ",
        " 2026-03-03T18:30",
        "2026-03-03t18:30",
        "2026-03-03",
        "2026-3-3T18:30",
        "2026-03-03T8:30",
        "2026/03/03T18:30",
        "2026-03-03T18h30",
        "+026-03-03T18:30",
        "2026-03-03T-1:30",
        "demain soir",
        "2026-03-03T18:3",
        "2026-03-03T18:30\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long long u = 42;
        if (tz_parse_local(bad[i], &u) != TZ_INVALID)
            fail_msg("accepted: \"%s\"", bad[i]);
        assert_int_equal(u, 42);
    }
    long long u;
    assert_int_equal(tz_parse_local(NULL, &u), TZ_INVALID);
    assert_int_equal(tz_paris_to_utc(2026, 3, 3, -1, 0, &u), TZ_INVALID);
    assert_int_equal(tz_paris_to_utc(2026, 3, 3, 12, -1, &u), TZ_INVALID);
}

static void test_format_local(void **state)
{
    (void)state;
    char out[TZ_LOCAL_LEN];
    tz_format_local(utc_of(2026, 3, 3, 17, 30), out);
    assert_string_equal(out, "2026-03-03T18:30");
    tz_format_local(utc_of(2026, 10, 25, 1, 30), out);
    assert_string_equal(out, "2026-10-25T02:30");
    tz_format_local(utc_of(2026, 12, 31, 23, 5), out);
    assert_string_equal(out, "2027-01-01T00:05");
    tz_format_local(utc_of(9999, 12, 31, 23, 30), out);
    assert_string_equal(out, "");
    tz_format_local(9223372036854775807LL, out);
    assert_string_equal(out, "");
    tz_format_local(-9223372036854775807LL - 1, out);
    assert_string_equal(out, "");
    long long u;
    assert_int_equal(tz_parse_local("2026-06-21T21:45", &u), TZ_OK);
    tz_format_local(u, out);
    assert_string_equal(out, "2026-06-21T21:45");
}

static void expect_french(long long utc, const char *want)
{
    char out[TZ_FRENCH_MAX];
    assert_int_equal(tz_format_french(utc, out, sizeof out), TZ_OK);
    assert_string_equal(out, want);
}

static void test_format_french(void **state)
{
    (void)state;
    expect_french(utc_of(2026, 3, 3, 17, 30), "mardi 3 mars 2026 à 18 h 30");
    expect_french(utc_of(2026, 3, 3, 17, 0), "mardi 3 mars 2026 à 18 h");
    expect_french(utc_of(2026, 2, 28, 23, 0), "dimanche 1er mars 2026 à 0 h");
    expect_french(utc_of(2026, 8, 1, 7, 5), "samedi 1er août 2026 à 9 h 05");
    expect_french(utc_of(2026, 12, 31, 22, 59), "jeudi 31 décembre 2026 à 23 h 59");
    expect_french(utc_of(2026, 2, 11, 11, 0), "mercredi 11 février 2026 à 12 h");
    expect_french(utc_of(2026, 9, 30, 8, 0), "mercredi 30 septembre 2026 à 10 h");
    /* The longest: day, month and minutes of the most letters. */
    const char *longest = "mercredi 22 septembre 2027 à 22 h 22";
    expect_french(utc_of(2027, 9, 22, 20, 22), longest);
    assert_true(strlen(longest) + 1 <= TZ_FRENCH_MAX);

    char small[10] = "xxxxxxxxx";
    assert_int_equal(tz_format_french(utc_of(2026, 3, 3, 17, 30), small, sizeof small), TZ_INVALID);
    assert_string_equal(small, "");
    assert_int_equal(tz_format_french(utc_of(2026, 3, 3, 17, 30), small, 0), TZ_INVALID);
    char out[TZ_FRENCH_MAX];
    assert_int_equal(tz_format_french(utc_of(10000, 1, 1, 12, 0), out, sizeof out), TZ_INVALID);
    assert_string_equal(out, "");
}

/* Against the system's tzdata (when installed) for every hour from 1996 to 2037: the process TZ
 * may be touched here, the test being single-threaded. */
static void test_against_tzdata(void **state)
{
    (void)state;
    FILE *f = fopen("/usr/share/zoneinfo/Europe/Paris", "rb");
    if (!f) {
        skip();
        return;
    }
    fclose(f);
    if (setenv("TZ", "Europe/Paris", 1) != 0)
        fail_msg("setenv failed");
    tzset();
    for (long long u = utc_of(1996, 1, 1, 0, 0); u < utc_of(2038, 1, 1, 0, 0); u += 3600) {
        time_t t = (time_t)u;
        struct tm tm;
        assert_non_null(localtime_r(&t, &tm));
        if (tz_paris_offset(u) != tm.tm_gmtoff)
            fail_msg("offset differs at %lld", u);
        struct tz_local l;
        tz_paris_from_utc(u, &l);
        assert_int_equal(l.hour, tm.tm_hour);
        assert_int_equal(l.day, tm.tm_mday);
        assert_int_equal(l.weekday, tm.tm_wday == 0 ? 7 : tm.tm_wday);
    }
    unsetenv("TZ");
    tzset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days_from_civil),  cmocka_unit_test(test_date_valid),
        cmocka_unit_test(test_changes_2025),     cmocka_unit_test(test_changes_2026),
        cmocka_unit_test(test_changes_2027),     cmocka_unit_test(test_round_trip_instants),
        cmocka_unit_test(test_round_trip_walls), cmocka_unit_test(test_weekday),
        cmocka_unit_test(test_parse_valid),      cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_format_local),     cmocka_unit_test(test_format_french),
        cmocka_unit_test(test_against_tzdata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
