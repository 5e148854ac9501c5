/* ical.c — iCalendar of events (see ical.h). */
#include "core/ical.h"
#include "util/arena.h"
#include "util/buf.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

static void ical_utc(long long t, char out[17])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

char *ical_event_calendar(struct arena *a, const char *base_url, const struct kind_def *k,
                          const char *slug, json_t *fields, long long updated, long long occurrence)
{
    json_t *start = json_object_get(fields, k->when.start);
    json_t *end = json_object_get(fields, k->when.end);
    if (!json_is_integer(start))
        return NULL;
    long long s0 = (long long)json_integer_value(start);
    long long e0 = json_is_integer(end) ? (long long)json_integer_value(end) : s0;
    if (occurrence) {
        e0 = occurrence + (e0 - s0);
        s0 = occurrence;
    }
    char ds[17], de[17], dstamp[17];
    ical_utc(s0, ds);
    ical_utc(e0, de);
    ical_utc(updated, dstamp);
    json_t *title = json_object_get(fields, k->title_field);
    return arena_printf(a,
                        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//foison//agenda//FR\r\n"
                        "BEGIN:VEVENT\r\nUID:%s@%s\r\nDTSTAMP:%s\r\nDTSTART:%s\r\nDTEND:%s\r\n"
                        "SUMMARY:%s\r\nURL:%s/%s/%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                        slug, "foison", dstamp, ds, de,
                        json_is_string(title) ? json_string_value(title) : "", base_url, k->segment,
                        slug);
}
