/* recur.c — RFC 5545 recurrence rules through libical, expanded in Paris wall time (see
 * recur.h). libical expands in floating time (no zone): the start's Paris wall time goes in,
 * and each date that comes out is taken back to UTC by util/tz.h, so that the hour stays the
 * same across the changes of summer time. UNTIL is given to libical as a floating Paris time
 * too, since it compares a UTC UNTIL with floating dates as if they were UTC. */
#include "core/recur.h"
#include "util/arena.h"
#include "util/tz.h"
#include <libical/ical.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Occurrences libical may give before counting stops, whatever the exceptions leave out: a
 * bound on the loop that does not depend on the rule. */
#define RECUR_RAW_LIMIT (4 * (RECUR_MAX_OCCURRENCES + 1) + 200)

static const char *const recur_months[] = {"janvier",   "février", "mars",     "avril",
                                           "mai",       "juin",    "juillet",  "août",
                                           "septembre", "octobre", "novembre", "décembre"};
/* libical's weekdays: 1 is Sunday. */
static const char *const recur_days[] = {"",         "dimanche", "lundi",    "mardi",
                                         "mercredi", "jeudi",    "vendredi", "samedi"};
static const char *const recur_day_codes[] = {"", "SU", "MO", "TU", "WE", "TH", "FR", "SA"};

static bool recur_empty(const short *list)
{
    return list[0] == ICAL_RECURRENCE_ARRAY_MAX;
}

/* rule trimmed, without "RRULE:", in upper case, into out (RECUR_RULE_MAX + 1 bytes); false
 * when it is too long or holds a byte no rule has. */
static bool recur_clean(const char *rule, char *out)
{
    while (*rule == ' ' || *rule == '\t' || *rule == '\r' || *rule == '\n')
        rule++;
    if (strncasecmp(rule, "RRULE:", 6) == 0)
        rule += 6;
    size_t n = strlen(rule);
    while (n && (rule[n - 1] == ' ' || rule[n - 1] == '\t' || rule[n - 1] == '\r' ||
                 rule[n - 1] == '\n' || rule[n - 1] == ';'))
        n--;
    if (n > RECUR_RULE_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)rule[i];
        if (!(isalnum(c) || c == '=' || c == ';' || c == ',' || c == '-' || c == '+'))
            return false;
        out[i] = (char)toupper(c);
    }
    out[n] = '\0';
    return n > 0;
}

/* The number of values of a BY* list. */
static int recur_count(const short *list, int size)
{
    int n = 0;
    while (n < size && list[n] != ICAL_RECURRENCE_ARRAY_MAX)
        n++;
    return n;
}

/* Does the rule ask for a value its period never has (a 6th Monday of a month, the 31st of
 * April, the 8th date of a set of 7)? libical 3.0 searches such a rule for seconds before giving
 * up, so it is refused here first. Not every rule that never matches is caught (a BYDAY and a
 * BYMONTHDAY that never meet), only those a count of the values shows. */
static bool recur_never(const struct icalrecurrencetype *r)
{
    static const int month_days[] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int nmonths = recur_count(r->by_month, ICAL_BY_MONTH_SIZE);
    int nmdays = recur_count(r->by_month_day, ICAL_BY_MONTHDAY_SIZE);
    int ndays = recur_count(r->by_day, ICAL_BY_DAY_SIZE);
    int nset = recur_count(r->by_set_pos, ICAL_BY_SETPOS_SIZE);
    bool monthly =
        r->freq == ICAL_MONTHLY_RECURRENCE || (r->freq == ICAL_YEARLY_RECURRENCE && nmonths > 0);
    /* A position in a month is within 5, in a year within 53. */
    for (int i = 0; i < ndays; i++) {
        int pos = icalrecurrencetype_day_position(r->by_day[i]);
        if (pos < -53 || pos > 53 || (monthly && (pos < -5 || pos > 5)))
            return true;
    }
    /* A day of the month some listed month has. */
    if (nmdays > 0) {
        int longest = nmonths ? 0 : 31;
        for (int i = 0; i < nmonths; i++)
            if (r->by_month[i] >= 1 && r->by_month[i] <= 12 && month_days[r->by_month[i]] > longest)
                longest = month_days[r->by_month[i]];
        bool some = false;
        for (int i = 0; i < nmdays; i++)
            if (abs(r->by_month_day[i]) <= longest)
                some = true;
        if (!some)
            return true;
    }
    /* A position in the set of one period within the most that set can hold. */
    if (nset > 0) {
        int most = r->freq == ICAL_DAILY_RECURRENCE    ? 1
                   : r->freq == ICAL_WEEKLY_RECURRENCE ? 7
                   : monthly                           ? 31
                                                       : 366;
        if (monthly && nmdays > 0 && nmdays < most)
            most = nmdays;
        bool positions = false;
        for (int i = 0; i < ndays; i++)
            positions |= icalrecurrencetype_day_position(r->by_day[i]) != 0;
        if (r->freq == ICAL_MONTHLY_RECURRENCE && ndays > 0 && !positions && 5 * ndays < most)
            most = 5 * ndays;
        for (int i = 0; i < nset; i++)
            if (r->by_set_pos[i] == 0 || abs(r->by_set_pos[i]) > most)
                return true;
    }
    return false;
}

/* Parses rule; false (with *why) when it is not one this program takes. */
static bool recur_parse(const char *rule, struct icalrecurrencetype *r, const char **why)
{
    char clean[RECUR_RULE_MAX + 1];
    *why = NULL;
    if (!recur_clean(rule, clean)) {
        *why = "règle illisible (trop longue, ou des caractères qu'une règle n'a pas)";
        return false;
    }
    *r = icalrecurrencetype_from_string(clean);
    if (r->rscale) {
        free(r->rscale); /* libical's own allocation (icalmemory uses malloc) */
        r->rscale = NULL;
        *why = "les calendriers autres que le grégorien (RSCALE) ne sont pas pris en charge";
        return false;
    }
    if (r->freq == ICAL_NO_RECURRENCE) {
        *why = "règle illisible (format RFC 5545 attendu, ex. FREQ=WEEKLY;BYDAY=TU;COUNT=10)";
        return false;
    }
    if (r->freq == ICAL_SECONDLY_RECURRENCE || r->freq == ICAL_MINUTELY_RECURRENCE ||
        r->freq == ICAL_HOURLY_RECURRENCE) {
        *why = "une série revient au plus chaque jour (FREQ=DAILY, WEEKLY, MONTHLY ou YEARLY)";
        return false;
    }
    if (!recur_empty(r->by_hour) || !recur_empty(r->by_minute) || !recur_empty(r->by_second)) {
        *why = "les séances d'une série sont à l'heure du début (BYHOUR, BYMINUTE et BYSECOND "
               "ne sont pas pris en charge)";
        return false;
    }
    /* The parts of RFC 5545 a territory's agenda needs, and no more: the rest (positions in a
     * set, days of the year, week numbers, weekdays crossed with days of the month) serves
     * rare calendars, and libical 3.0 can search such rules for seconds before finding that
     * they never match, holding a server thread meanwhile. */
    if (!recur_empty(r->by_set_pos) || !recur_empty(r->by_year_day) ||
        !recur_empty(r->by_week_no)) {
        *why = "BYSETPOS, BYYEARDAY et BYWEEKNO ne sont pas pris en charge (donnez les jours "
               "par BYDAY, par exemple BYDAY=1SA pour le premier samedi du mois)";
        return false;
    }
    if (!recur_empty(r->by_day) && !recur_empty(r->by_month_day)) {
        *why = "une série se donne par jours de la semaine (BYDAY) ou par jours du mois "
               "(BYMONTHDAY), pas les deux à la fois";
        return false;
    }
    if (r->interval < 1 || r->interval > 366) {
        *why = "intervalle invalide";
        return false;
    }
    if (recur_never(r)) {
        *why =
            "règle impossible\u202f: elle demande une date que la période n'a jamais (un 6e lundi "
            "du mois, un 31 avril, une position au-delà des dates de la période)";
        return false;
    }
    if (r->count <= 0 && icaltime_is_null_time(r->until)) {
        *why = "une série doit finir : donnez une date de fin (UNTIL) ou un nombre de séances "
               "(COUNT), elle ne peut pas se répéter sans fin";
        return false;
    }
    return true;
}

const char *recur_check(struct arena *a, const char *rule, const char **normal)
{
    struct icalrecurrencetype r;
    const char *why;
    *normal = NULL;
    if (!recur_parse(rule ? rule : "", &r, &why))
        return why;
    char *text = icalrecurrencetype_as_string_r(&r);
    if (!text)
        return "règle illisible";
    *normal = arena_strdup(a, text);
    icalmemory_free_buffer(text);
    return NULL;
}

/* A floating icaltime of a Paris wall time (seconds kept). */
static struct icaltimetype recur_floating(long long utc)
{
    struct tz_local l;
    tz_paris_from_utc(utc, &l);
    struct icaltimetype t = icaltime_null_time();
    t.year = l.year;
    t.month = l.month;
    t.day = l.day;
    t.hour = l.hour;
    t.minute = l.minute;
    long long sec = utc % 60;
    t.second = (int)(sec < 0 ? sec + 60 : sec);
    t.is_date = 0;
    t.zone = NULL;
    return t;
}

/* The UTC instant of a floating Paris wall time; a time skipped in spring takes the offset
 * before the change (RFC 5545 §3.3.5). False outside the years tz.h knows. */
static bool recur_to_utc(struct icaltimetype t, long long *utc)
{
    int rc = tz_paris_to_utc(t.year, t.month, t.day, t.hour, t.minute, utc);
    if (rc == TZ_GAP) {
        *utc = tz_days_from_civil(t.year, t.month, t.day) * 86400LL + t.hour * 3600LL +
               t.minute * 60LL - 3600;
        rc = TZ_OK;
    }
    if (rc != TZ_OK)
        return false;
    *utc += t.second;
    return true;
}

/* The rule's UNTIL as a floating Paris time: a date is the end of that day, a UTC time its
 * Paris wall time, a floating one as given. */
static struct icaltimetype recur_until_local(struct icaltimetype u)
{
    if (u.is_date) {
        u.is_date = 0;
        u.hour = 23;
        u.minute = 59;
        u.second = 59;
        u.zone = NULL;
        return u;
    }
    if (icaltime_is_utc(u)) {
        if (!tz_date_valid(u.year, u.month, u.day))
            return u;
        long long t = tz_days_from_civil(u.year, u.month, u.day) * 86400LL + u.hour * 3600LL +
                      u.minute * 60LL + u.second;
        return recur_floating(t);
    }
    u.zone = NULL;
    return u;
}

static bool recur_same_time(struct icaltimetype a, struct icaltimetype b)
{
    return a.year == b.year && a.month == b.month && a.day == b.day && a.hour == b.hour &&
           a.minute == b.minute && a.second == b.second;
}

static bool recur_excluded(struct icaltimetype t, const char *const *days, int n)
{
    char day[16];
    snprintf(day, sizeof day, "%04d-%02d-%02d", t.year, t.month, t.day);
    for (int i = 0; i < n; i++)
        if (days[i] && strcmp(days[i], day) == 0)
            return true;
    return false;
}

int recur_expand(const char *rule, long long start_utc, const char *const *exceptions,
                 int nexceptions, long long *out, int max)
{
    if (!rule || !*rule) {
        if (max > 0)
            out[0] = start_utc;
        return 1;
    }
    struct icalrecurrencetype r;
    const char *why;
    if (!recur_parse(rule, &r, &why))
        return RECUR_INVALID;
    struct icaltimetype start = recur_floating(start_utc);
    /* libical stops at UNTIL by itself; a COUNT, or an UNTIL too far, stops at the horizon. */
    struct icaltimetype horizon = start;
    horizon.year += RECUR_HORIZON_YEARS;
    int count = r.count;
    bool by_horizon = true;
    if (!icaltime_is_null_time(r.until)) {
        struct icaltimetype until = recur_until_local(r.until);
        if (icaltime_compare(until, horizon) <= 0) {
            r.until = until;
            by_horizon = false;
        } else {
            r.until = horizon;
        }
    } else {
        r.until = horizon;
    }
    r.count = 0;
    icalrecur_iterator *it = icalrecur_iterator_new(r, start);
    if (!it)
        return RECUR_INVALID; /* libical found the rule impossible (BYMONTHDAY=30;BYMONTH=2) */
    int n = 0, raw = 0;
    bool ended = false;
    while (n <= RECUR_MAX_OCCURRENCES && raw < RECUR_RAW_LIMIT) {
        if (count > 0 && raw >= count) {
            ended = true;
            break;
        }
        struct icaltimetype t = icalrecur_iterator_next(it);
        if (icaltime_is_null_time(t)) {
            ended = !by_horizon;
            break;
        }
        if (raw++ == 0 && !recur_same_time(t, start)) {
            icalrecur_iterator_free(it);
            return RECUR_UNSYNCED;
        }
        if (recur_excluded(t, exceptions, nexceptions))
            continue;
        long long utc;
        if (!recur_to_utc(t, &utc)) {
            ended = true; /* past year 9999: nothing further can be said */
            break;
        }
        if (n < max)
            out[n] = utc;
        n++;
    }
    icalrecur_iterator_free(it);
    if (raw == 0)
        return RECUR_UNSYNCED; /* not even the start is one of its dates */
    /* Cut by the horizon, not by its own end: too long, whatever its count so far. */
    if (!ended && n <= RECUR_MAX_OCCURRENCES && raw < RECUR_RAW_LIMIT)
        return RECUR_MAX_OCCURRENCES + 1;
    return n;
}

const char *recur_ical_rule(struct arena *a, const char *rule)
{
    struct icalrecurrencetype r;
    const char *why;
    if (!rule || !recur_parse(rule, &r, &why))
        return NULL;
    if (!icaltime_is_null_time(r.until) && !icaltime_is_utc(r.until)) {
        struct icaltimetype u = recur_until_local(r.until);
        long long utc;
        if (!recur_to_utc(u, &utc))
            return NULL;
        time_t tt = (time_t)utc;
        r.until = icaltime_from_timet_with_zone(tt, 0, icaltimezone_get_utc_timezone());
    }
    char *text = icalrecurrencetype_as_string_r(&r);
    if (!text)
        return NULL;
    const char *out = arena_strdup(a, text);
    icalmemory_free_buffer(text);
    return out;
}

/* ---- in French --------------------------------------------------------------------------- */

static const char *recur_french_day(struct arena *a, int y, int m, int d)
{
    if (m < 1 || m > 12)
        return "";
    return arena_printf(a, "%d%s %s %d", d, d == 1 ? "er" : "", recur_months[m - 1], y);
}

/* "deux", "trois"… for the small intervals people say in words. */
static const char *recur_number(struct arena *a, int n)
{
    static const char *const words[] = {"", "un", "deux", "trois", "quatre", "cinq", "six"};
    return n >= 0 && n <= 6 ? words[n] : arena_printf(a, "%d", n);
}

static const char *recur_ordinal(struct arena *a, int pos)
{
    if (pos == 1)
        return "1er";
    if (pos == -1)
        return "dernier";
    if (pos == -2)
        return "avant-dernier";
    if (pos > 0)
        return arena_printf(a, "%de", pos);
    return arena_printf(a, "%de avant le dernier", -pos - 1);
}

/* "lundi", "lundi et jeudi", "lundi, mercredi et vendredi" of a BYDAY without positions;
 * NULL when one has a position. */
static const char *recur_day_list(struct arena *a, const short *by_day)
{
    int n = 0;
    while (n < ICAL_BY_DAY_SIZE && by_day[n] != ICAL_RECURRENCE_ARRAY_MAX)
        n++;
    const char *s = "";
    for (int i = 0; i < n; i++) {
        if (icalrecurrencetype_day_position(by_day[i]) != 0)
            return NULL;
        int dow = icalrecurrencetype_day_day_of_week(by_day[i]);
        if (dow < 1 || dow > 7)
            return NULL;
        s = arena_printf(a, "%s%s%s", s, i == 0 ? "" : i == n - 1 ? " et " : ", ", recur_days[dow]);
    }
    return s;
}

const char *recur_describe(struct arena *a, const char *rule, long long start_utc)
{
    struct icalrecurrencetype r;
    const char *why;
    if (!rule || !*rule)
        return "";
    if (!recur_parse(rule, &r, &why))
        return arena_printf(a, "selon la règle %s", rule);
    struct tz_local st = {0};
    if (start_utc)
        tz_paris_from_utc(start_utc, &st);
    /* libical's weekday of the start: ISO 1 (Monday) .. 7 (Sunday) to 2 .. 1. */
    int start_dow = start_utc ? st.weekday % 7 + 1 : 0;
    bool others = !recur_empty(r.by_year_day) || !recur_empty(r.by_week_no) ||
                  !recur_empty(r.by_set_pos) || !recur_empty(r.by_month);
    int iv = r.interval;
    const char *what = NULL;
    bool days = !recur_empty(r.by_day), mdays = !recur_empty(r.by_month_day);
    switch (r.freq) {
    case ICAL_DAILY_RECURRENCE:
        if (others || mdays)
            break;
        if (days) {
            const char *l = recur_day_list(a, r.by_day);
            if (l && iv == 1)
                what = arena_printf(a, "chaque %s", l);
        } else {
            what =
                iv == 1 ? "chaque jour" : arena_printf(a, "tous les %s jours", recur_number(a, iv));
        }
        break;
    case ICAL_WEEKLY_RECURRENCE: {
        if (others || mdays)
            break;
        const char *l =
            days ? recur_day_list(a, r.by_day) : (start_dow ? recur_days[start_dow] : NULL);
        if (days && !l)
            break;
        if (!l)
            what = iv == 1 ? "chaque semaine"
                           : arena_printf(a, "toutes les %s semaines", recur_number(a, iv));
        else if (iv == 1)
            what = arena_printf(a, "chaque %s", l);
        else if (iv == 2 && !strchr(l, ' '))
            what = arena_printf(a, "un %s sur deux", l);
        else
            what = arena_printf(a, "toutes les %s semaines, le %s", recur_number(a, iv), l);
        break;
    }
    case ICAL_MONTHLY_RECURRENCE: {
        if (others)
            break;
        const char *every =
            iv == 1 ? "de chaque mois" : arena_printf(a, "tous les %s mois", recur_number(a, iv));
        if (days && !mdays && r.by_day[1] == ICAL_RECURRENCE_ARRAY_MAX) {
            int pos = icalrecurrencetype_day_position(r.by_day[0]);
            int dow = icalrecurrencetype_day_day_of_week(r.by_day[0]);
            if (pos != 0 && dow >= 1 && dow <= 7)
                what = arena_printf(a, "le %s %s %s", recur_ordinal(a, pos), recur_days[dow],
                                    iv == 1 ? every : arena_printf(a, "du mois, %s", every));
        } else if (mdays && !days) {
            const char *s = "";
            int n = 0;
            while (n < ICAL_BY_MONTHDAY_SIZE && r.by_month_day[n] != ICAL_RECURRENCE_ARRAY_MAX)
                n++;
            bool ok = true;
            for (int i = 0; i < n; i++) {
                int d = r.by_month_day[i];
                ok &= d > 0;
                s = arena_printf(a, "%s%s%d%s", s,
                                 i == 0       ? ""
                                 : i == n - 1 ? " et "
                                              : ", ",
                                 d, d == 1 ? "er" : "");
            }
            if (ok)
                what = arena_printf(a, "%s %s %s", n > 1 ? "les" : "le", s,
                                    iv == 1 ? every : arena_printf(a, "du mois, %s", every));
        } else if (!days && !mdays) {
            what = start_utc ? arena_printf(a, "le %d%s %s", st.day, st.day == 1 ? "er" : "",
                                            iv == 1 ? every : arena_printf(a, "du mois, %s", every))
                             : (iv == 1 ? "chaque mois" : every);
        }
        break;
    }
    case ICAL_YEARLY_RECURRENCE:
        if (others || days || mdays)
            break;
        what = iv == 1 ? "chaque année" : arena_printf(a, "tous les %s ans", recur_number(a, iv));
        if (start_utc)
            what = arena_printf(a, "%s, le %d%s %s", what, st.day, st.day == 1 ? "er" : "",
                                recur_months[st.month - 1]);
        break;
    default:
        break;
    }
    if (!what) {
        const char *normal = NULL;
        recur_check(a, rule, &normal);
        return arena_printf(a, "selon la règle %s", normal ? normal : rule);
    }
    if (r.count > 0)
        return r.count == 1 ? arena_printf(a, "%s, une fois", what)
                            : arena_printf(a, "%s, %d fois", what, r.count);
    struct icaltimetype u = recur_until_local(r.until);
    return arena_printf(a, "%s, jusqu'au %s", what, recur_french_day(a, u.year, u.month, u.day));
}

/* ---- the simple series of forms ---------------------------------------------------------- */

/* The position of the start's day in its month as BYDAY says it: 1..4, or -1 for a fifth one
 * (the last, so that the series never skips a month). */
static int recur_month_position(int day)
{
    int pos = (day - 1) / 7 + 1;
    return pos == 5 ? -1 : pos;
}

const char *recur_simple_rule(struct arena *a, const struct recur_simple *s, long long start_utc)
{
    const char *base = NULL;
    switch (s->preset) {
    case RECUR_NONE:
        return "";
    case RECUR_CUSTOM:
        return NULL;
    case RECUR_DAILY:
        base = "FREQ=DAILY";
        break;
    case RECUR_WEEKLY:
        base = "FREQ=WEEKLY";
        break;
    case RECUR_BIWEEKLY:
        base = "FREQ=WEEKLY;INTERVAL=2";
        break;
    case RECUR_MONTHLY_DAY:
        base = "FREQ=MONTHLY";
        break;
    case RECUR_MONTHLY_WEEKDAY:
        if (start_utc) {
            struct tz_local l;
            tz_paris_from_utc(start_utc, &l);
            base = arena_printf(a, "FREQ=MONTHLY;BYDAY=%d%s", recur_month_position(l.day),
                                recur_day_codes[l.weekday % 7 + 1]);
        } else {
            base = "FREQ=MONTHLY";
        }
        break;
    }
    int y, m, d;
    if (s->until[0] && sscanf(s->until, "%4d-%2d-%2d", &y, &m, &d) == 3 && tz_date_valid(y, m, d))
        return arena_printf(a, "%s;UNTIL=%04d%02d%02d", base, y, m, d);
    if (s->count > 0)
        return arena_printf(a, "%s;COUNT=%d", base, s->count);
    return base;
}

void recur_simple_read(const char *rule, long long start_utc, struct recur_simple *out)
{
    memset(out, 0, sizeof *out);
    if (!rule || !*rule)
        return;
    out->preset = RECUR_CUSTOM;
    struct icalrecurrencetype r;
    const char *why;
    if (!recur_parse(rule, &r, &why))
        return;
    if (!recur_empty(r.by_month_day) || !recur_empty(r.by_year_day) || !recur_empty(r.by_week_no) ||
        !recur_empty(r.by_month) || !recur_empty(r.by_set_pos) ||
        r.week_start != ICAL_MONDAY_WEEKDAY)
        return;
    if (!icaltime_is_null_time(r.until) && !r.until.is_date)
        return; /* a time of day: kept as typed, the form's dates would change it */
    struct tz_local l = {0};
    if (start_utc)
        tz_paris_from_utc(start_utc, &l);
    int start_dow = start_utc ? l.weekday % 7 + 1 : 0;
    bool days = !recur_empty(r.by_day);
    bool one_day = days && r.by_day[1] == ICAL_RECURRENCE_ARRAY_MAX;
    int pos = one_day ? icalrecurrencetype_day_position(r.by_day[0]) : 0;
    int dow = one_day ? icalrecurrencetype_day_day_of_week(r.by_day[0]) : 0;
    enum recur_preset p = RECUR_CUSTOM;
    if (r.freq == ICAL_DAILY_RECURRENCE && r.interval == 1 && !days)
        p = RECUR_DAILY;
    else if (r.freq == ICAL_WEEKLY_RECURRENCE && (r.interval == 1 || r.interval == 2) &&
             (!days || (one_day && pos == 0 && dow == start_dow)))
        p = r.interval == 1 ? RECUR_WEEKLY : RECUR_BIWEEKLY;
    else if (r.freq == ICAL_MONTHLY_RECURRENCE && r.interval == 1 && !days)
        p = RECUR_MONTHLY_DAY;
    else if (r.freq == ICAL_MONTHLY_RECURRENCE && r.interval == 1 && one_day && start_utc &&
             pos == recur_month_position(l.day) && dow == start_dow)
        p = RECUR_MONTHLY_WEEKDAY;
    if (p == RECUR_CUSTOM)
        return;
    out->preset = p;
    if (r.count > 0) {
        out->count = r.count;
    } else {
        char day[32];
        snprintf(day, sizeof day, "%04d-%02d-%02d", r.until.year, r.until.month, r.until.day);
        if (strlen(day) == 10)
            memcpy(out->until, day, 11);
        else
            out->preset = RECUR_CUSTOM;
    }
}
