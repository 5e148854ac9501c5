/* ical.c — iCalendar of events (see ical.h). Times are written as Paris wall times with
 * TZID=Europe/Paris (the calendar carries that zone's definition), so that a client shows a
 * weekly 18:00 at 18:00 on both sides of the change of summer time, as the site expands it. */
#include "core/ical.h"
#include "core/recur.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/tz.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

#define ICAL_FOLD 75

void ical_line(struct buf *b, const char *line)
{
    size_t n = strlen(line), col = 0;
    for (size_t i = 0; i < n;) {
        /* The length of the UTF-8 character at i (a continuation byte alone counts as one). */
        unsigned char c = (unsigned char)line[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        if (i + len > n)
            len = n - i;
        if (col + len > ICAL_FOLD) {
            buf_puts(b, "\r\n ");
            col = 1;
        }
        buf_append(b, line + i, len);
        col += len;
        i += len;
    }
    buf_puts(b, "\r\n");
}

const char *ical_escape(struct arena *a, const char *text)
{
    struct buf b = BUF_INIT;
    for (const char *p = text ? text : ""; *p; p++) {
        if (*p == '\\' || *p == ';' || *p == ',')
            buf_putc(&b, '\\'), buf_putc(&b, *p);
        else if (*p == '\n')
            buf_puts(&b, "\\n");
        else if (*p == '\r' || ((unsigned char)*p < 0x20 && *p != '\t'))
            continue; /* control characters have no place in a TEXT value */
        else
            buf_putc(&b, *p);
    }
    const char *out = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return out;
}

static void ical_utc(long long t, char out[17])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* "20270105T180000": the Paris wall time of t. */
static void ical_local(long long t, char out[32])
{
    struct tz_local l;
    tz_paris_from_utc(t, &l);
    long long sec = t % 60;
    snprintf(out, 32, "%04d%02d%02dT%02d%02d%02d", l.year % 10000, l.month % 100, l.day % 100,
             l.hour % 100, l.minute % 100, (int)(sec < 0 ? sec + 60 : sec));
}

void ical_begin(struct buf *b, const char *name)
{
    buf_puts(b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//foison//agenda//FR\r\n"
                "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n");
    if (name) {
        struct arena *a = arena_new();
        ical_line(b, arena_printf(a, "X-WR-CALNAME:%s", ical_escape(a, name)));
        arena_free(a);
    }
    buf_puts(b, "X-WR-TIMEZONE:Europe/Paris\r\n"
                "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\nX-LIC-LOCATION:Europe/Paris\r\n"
                "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
                "DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
                "END:DAYLIGHT\r\n"
                "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n"
                "DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
                "END:STANDARD\r\nEND:VTIMEZONE\r\n");
}

void ical_end(struct buf *b)
{
    buf_puts(b, "END:VCALENDAR\r\n");
}

/* The host of base_url, for UIDs: "https://agenda.example:8080/x" gives "agenda.example". */
static const char *ical_host(struct arena *a, const char *base_url)
{
    const char *p = strstr(base_url ? base_url : "", "://");
    p = p ? p + 3 : (base_url ? base_url : "");
    size_t n = strcspn(p, ":/");
    return n ? arena_strndup(a, p, n) : "foison";
}

static const char *ical_str(json_t *fields, const char *name)
{
    json_t *v = name ? json_object_get(fields, name) : NULL;
    return json_is_string(v) && *json_string_value(v) ? json_string_value(v) : NULL;
}

bool ical_write_event(struct arena *a, struct buf *b, const char *base_url,
                      const struct ical_event *ev)
{
    const struct kind_def *k = ev->kind;
    json_t *f = ev->fields;
    json_t *start = k->when.start ? json_object_get(f, k->when.start) : NULL;
    json_t *end = k->when.end ? json_object_get(f, k->when.end) : NULL;
    if (!json_is_integer(start))
        return false;
    long long s0 = (long long)json_integer_value(start);
    long long e0 = json_is_integer(end) ? (long long)json_integer_value(end) : s0;
    if (e0 < s0)
        e0 = s0;
    if (ev->occurrence) {
        e0 = ev->occurrence + (e0 - s0);
        s0 = ev->occurrence;
    }
    char ds[32], de[32], stamp[17];
    ical_local(s0, ds);
    ical_local(e0, de);
    ical_utc(ev->updated, stamp);
    const char *host = ical_host(a, base_url);
    buf_puts(b, "BEGIN:VEVENT\r\n");
    ical_line(b, arena_printf(a, "UID:%s@%s", ev->uid_slug ? ev->uid_slug : ev->slug, host));
    ical_line(b, arena_printf(a, "DTSTAMP:%s", stamp));
    if (ev->recurrence_id) {
        char rid[32];
        ical_local(ev->recurrence_id, rid);
        ical_line(b, arena_printf(a, "RECURRENCE-ID;TZID=Europe/Paris:%s", rid));
    }
    ical_line(b, arena_printf(a, "DTSTART;TZID=Europe/Paris:%s", ds));
    ical_line(b, arena_printf(a, "DTEND;TZID=Europe/Paris:%s", de));
    const char *rule = ev->occurrence || ev->recurrence_id ? NULL : ical_str(f, k->when.recurrence);
    const char *irule = rule ? recur_ical_rule(a, rule) : NULL;
    if (irule) {
        ical_line(b, arena_printf(a, "RRULE:%s", irule));
        json_t *ex = k->when.exceptions ? json_object_get(f, k->when.exceptions) : NULL;
        struct tz_local l;
        tz_paris_from_utc(s0, &l);
        size_t i;
        json_t *day;
        json_array_foreach(ex, i, day)
        {
            int y, mo, d;
            if (!json_is_string(day) ||
                sscanf(json_string_value(day), "%4d-%2d-%2d", &y, &mo, &d) != 3 ||
                !tz_date_valid(y, mo, d))
                continue;
            long long sec = s0 % 60;
            ical_line(b, arena_printf(a, "EXDATE;TZID=Europe/Paris:%04d%02d%02dT%02d%02d%02d", y,
                                      mo, d, l.hour, l.minute, (int)(sec < 0 ? sec + 60 : sec)));
        }
    }
    const char *title = ical_str(f, k->title_field);
    ical_line(b, arena_printf(a, "SUMMARY:%s", ical_escape(a, title ? title : ev->slug)));
    const char *summary = ical_str(f, k->summary_field);
    if (summary)
        ical_line(b, arena_printf(a, "DESCRIPTION:%s", ical_escape(a, summary)));
    if (ev->location && *ev->location)
        ical_line(b, arena_printf(a, "LOCATION:%s", ical_escape(a, ev->location)));
    if (ev->ncategories > 0) {
        struct buf c = BUF_INIT;
        for (int i = 0; i < ev->ncategories; i++)
            buf_printf(&c, "%s%s", i ? "," : "", ical_escape(a, ev->categories[i]));
        ical_line(b, arena_printf(a, "CATEGORIES:%s", buf_cstr(&c)));
        buf_free(&c);
    }
    ical_line(b, arena_printf(a, "URL:%s/%s/%s", base_url ? base_url : "", k->segment, ev->slug));
    buf_puts(b, "END:VEVENT\r\n");
    return true;
}

/* The address and online link of an event's fields, as a LOCATION without the store. */
static const char *ical_plain_location(struct arena *a, json_t *f)
{
    json_t *addr = json_object_get(f, "address");
    const char *street = ical_str(addr, "street"), *postcode = ical_str(addr, "postcode");
    const char *online = ical_str(f, "online_url");
    const char *s = arena_printf(a, "%s%s%s", street ? street : "", street && postcode ? ", " : "",
                                 postcode ? postcode : "");
    if (online)
        s = *s ? arena_printf(a, "%s — %s", s, online) : online;
    return s;
}

char *ical_event_calendar(struct arena *a, const char *base_url, const struct kind_def *k,
                          const char *slug, json_t *fields, long long updated, long long occurrence)
{
    struct buf b = BUF_INIT;
    ical_begin(&b, NULL);
    struct ical_event ev = {.kind = k,
                            .slug = slug,
                            .fields = fields,
                            .updated = updated,
                            .location = ical_plain_location(a, fields),
                            .occurrence = occurrence};
    if (!ical_write_event(a, &b, base_url, &ev)) {
        buf_free(&b);
        return NULL;
    }
    ical_end(&b);
    char *out = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return out;
}
