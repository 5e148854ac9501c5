/* tz.h — Europe/Paris local time <-> UTC by arithmetic, never through the process TZ: the
 * server is multi-threaded, and setenv("TZ")/tzset()/localtime() share global state.
 *
 * The rule is the EU one, in force in France since 1996: summer time (UTC+2) from the last
 * Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC, UTC+1 otherwise. It is
 * applied to every year, so instants before 1996 follow today's rule, not the history. Years
 * are limited to 1..9999 so that every date prints on four digits. All functions are pure. */
#ifndef FOISON_TZ_H
#define FOISON_TZ_H
#include <stdbool.h>
#include <stddef.h>

enum tz_status {
    TZ_OK = 0,
    TZ_INVALID = -1, /* not a date, not a time, or outside years 1..9999 */
    TZ_GAP = -2,     /* a wall time skipped by the spring change (2026-03-29 02:30) */
};

/* A wall-clock time in Paris. */
struct tz_local {
    int year, month, day; /* month 1..12, day 1..31 */
    int hour, minute;     /* 0..23, 0..59 */
    int weekday;          /* ISO: 1 = Monday .. 7 = Sunday */
};

/* Buffer sizes, terminating NUL included. */
#define TZ_LOCAL_LEN 17  /* "YYYY-MM-DDTHH:MM" */
#define TZ_FRENCH_MAX 48 /* "mercredi 31 décembre 2026 à 23 h 59" with room */

/* True when y-mo-d is a day of the Gregorian calendar, year 1..9999. */
bool tz_date_valid(int y, int mo, int d);
/* Days from 1970-01-01 to y-mo-d (negative before); the date must be valid. */
long long tz_days_from_civil(int y, int mo, int d);

/* Seconds east of UTC in Paris at that instant: 3600 or 7200. */
int tz_paris_offset(long long utc);

/* The instant (seconds since the epoch) of the Paris wall time y-mo-d h:mi. Returns TZ_OK,
 * TZ_INVALID, or TZ_GAP for an hour skipped in spring (*utc untouched on error). A wall time
 * that happens twice in autumn (2026-10-25 02:30) gives its first occurrence, the summer one. */
int tz_paris_to_utc(int y, int mo, int d, int h, int mi, long long *utc);

/* The Paris wall time of an instant. */
void tz_paris_from_utc(long long utc, struct tz_local *out);

/* Parses "YYYY-MM-DDTHH:MM" or "YYYY-MM-DD HH:MM" (what <input type="datetime-local"> sends),
 * exactly: no seconds, no zone, nothing before or after. Same return codes as
 * tz_paris_to_utc(). */
int tz_parse_local(const char *s, long long *utc);

/* Writes the Paris wall time of utc as "YYYY-MM-DDTHH:MM" (the value of a datetime-local
 * input); "" when its year is outside 1..9999. */
void tz_format_local(long long utc, char out[TZ_LOCAL_LEN]);

/* Writes the Paris wall time in French: "mardi 3 mars 2026 à 18 h 30", "à 18 h" on the hour,
 * "1er" for the first of the month. Returns TZ_OK, or TZ_INVALID with out = "" when n is too
 * small (TZ_FRENCH_MAX always fits) or the year is outside 1..9999. */
int tz_format_french(long long utc, char *out, size_t n);

#endif
