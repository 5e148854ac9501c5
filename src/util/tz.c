/* tz.c — civil-date arithmetic (Howard Hinnant's days-from-civil) and the EU summer-time rule
 * behind tz.h; no libc time zone function is called. */
#include "util/tz.h"
#include <stdio.h>

#define TZ_DAY 86400LL
#define TZ_WINTER 3600
#define TZ_SUMMER 7200
/* About ±31 million years: keeps every sum below in range and years in an int. */
#define TZ_LIMIT 1000000000000000LL

static bool tz_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int tz_month_days(int y, int mo)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return mo == 2 && tz_leap(y) ? 29 : days[mo - 1];
}

bool tz_date_valid(int y, int mo, int d)
{
    return y >= 1 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= tz_month_days(y, mo);
}

long long tz_days_from_civil(int y, int mo, int d)
{
    /* Years start in March so that the leap day ends them; eras are 400-year cycles. */
    long long yy = (long long)y - (mo <= 2);
    long long era = (yy >= 0 ? yy : yy - 399) / 400;
    long long yoe = yy - era * 400;
    long long doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse of tz_days_from_civil(). */
static void tz_civil_from_days(long long z, int *y, int *mo, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *mo = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*mo <= 2));
}

/* ISO weekday (1 = Monday) of a day count; 1970-01-01 was a Thursday. */
static int tz_weekday(long long days)
{
    long long r = (days + 3) % 7;
    return (int)(r < 0 ? r + 7 : r) + 1;
}

/* The instant 01:00 UTC of the last Sunday of month mo. */
static long long tz_last_sunday_1h(int y, int mo)
{
    long long last = tz_days_from_civil(y, mo, tz_month_days(y, mo));
    last -= tz_weekday(last) % 7;
    return last * TZ_DAY + 3600;
}

static long long tz_floor_div(long long a, long long b)
{
    long long q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int tz_paris_offset(long long utc)
{
    int y, mo, d;
    tz_civil_from_days(tz_floor_div(utc, TZ_DAY), &y, &mo, &d);
    /* Both changes happen at 01:00 UTC, far from New Year, so the UTC year is the local one. */
    bool summer = utc >= tz_last_sunday_1h(y, 3) && utc < tz_last_sunday_1h(y, 10);
    return summer ? TZ_SUMMER : TZ_WINTER;
}

int tz_paris_to_utc(int y, int mo, int d, int h, int mi, long long *utc)
{
    if (!tz_date_valid(y, mo, d) || h < 0 || h > 23 || mi < 0 || mi > 59)
        return TZ_INVALID;
    long long wall = tz_days_from_civil(y, mo, d) * TZ_DAY + h * 3600LL + mi * 60LL;
    /* Summer first: in the autumn overlap both readings hold and the summer one comes first.
     * In the spring gap neither holds. */
    if (tz_paris_offset(wall - TZ_SUMMER) == TZ_SUMMER) {
        *utc = wall - TZ_SUMMER;
        return TZ_OK;
    }
    if (tz_paris_offset(wall - TZ_WINTER) == TZ_WINTER) {
        *utc = wall - TZ_WINTER;
        return TZ_OK;
    }
    return TZ_GAP;
}

void tz_paris_from_utc(long long utc, struct tz_local *out)
{
    if (utc > TZ_LIMIT)
        utc = TZ_LIMIT;
    if (utc < -TZ_LIMIT)
        utc = -TZ_LIMIT;
    long long wall = utc + tz_paris_offset(utc);
    long long days = tz_floor_div(wall, TZ_DAY);
    long long secs = wall - days * TZ_DAY;
    tz_civil_from_days(days, &out->year, &out->month, &out->day);
    out->hour = (int)(secs / 3600);
    out->minute = (int)(secs % 3600 / 60);
    out->weekday = tz_weekday(days);
}

/* Reads exactly n ASCII digits at *p and advances; -1 when one is missing. */
static int tz_read_digits(const char **p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    return v;
}

/* Consumes the byte c at *p; false when another byte is there. */
static bool tz_expect(const char **p, char c)
{
    if (**p != c)
        return false;
    (*p)++;
    return true;
}

int tz_parse_local(const char *s, long long *utc)
{
    if (!s)
        return TZ_INVALID;
    const char *p = s;
    int y = tz_read_digits(&p, 4);
    if (y < 0 || !tz_expect(&p, '-'))
        return TZ_INVALID;
    int mo = tz_read_digits(&p, 2);
    if (mo < 0 || !tz_expect(&p, '-'))
        return TZ_INVALID;
    int d = tz_read_digits(&p, 2);
    if (d < 0 || (!tz_expect(&p, 'T') && !tz_expect(&p, ' ')))
        return TZ_INVALID;
    int h = tz_read_digits(&p, 2);
    if (h < 0 || !tz_expect(&p, ':'))
        return TZ_INVALID;
    int mi = tz_read_digits(&p, 2);
    if (mi < 0 || *p)
        return TZ_INVALID;
    return tz_paris_to_utc(y, mo, d, h, mi, utc);
}

void tz_format_local(long long utc, char out[TZ_LOCAL_LEN])
{
    struct tz_local t;
    tz_paris_from_utc(utc, &t);
    if (t.year < 1 || t.year > 9999) {
        out[0] = '\0';
        return;
    }
    snprintf(out, TZ_LOCAL_LEN, "%04d-%02d-%02dT%02d:%02d", t.year, t.month, t.day, t.hour,
             t.minute);
}

int tz_format_french(long long utc, char *out, size_t n)
{
    static const char *const days[7] = {"lundi",    "mardi",  "mercredi", "jeudi",
                                        "vendredi", "samedi", "dimanche"};
    static const char *const months[12] = {"janvier",   "février", "mars",     "avril",
                                           "mai",       "juin",    "juillet",  "août",
                                           "septembre", "octobre", "novembre", "décembre"};
    struct tz_local t;
    tz_paris_from_utc(utc, &t);
    if (n == 0)
        return TZ_INVALID;
    out[0] = '\0';
    if (t.year < 1 || t.year > 9999)
        return TZ_INVALID;
    char minutes[8] = "";
    if (t.minute)
        snprintf(minutes, sizeof minutes, " %02d", t.minute);
    int w = snprintf(out, n, "%s %d%s %s %d à %d h%s", days[t.weekday - 1], t.day,
                     t.day == 1 ? "er" : "", months[t.month - 1], t.year, t.hour, minutes);
    if (w < 0 || (size_t)w >= n) {
        out[0] = '\0';
        return TZ_INVALID;
    }
    return TZ_OK;
}
