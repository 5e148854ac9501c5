/* ical.h — iCalendar (RFC 5545) of events: a VCALENDAR with the Europe/Paris VTIMEZONE, each
 * event a VEVENT with its recurrence (RRULE, EXDATE) and the dates of its series that other
 * events change (RECURRENCE-ID), lines folded at 75 octets, texts escaped. Written from the
 * published fields the schemas describe (kind_def.when); knows nothing of HTTP. A calendar is
 * written piece by piece into a buffer (ical_begin, ical_write_event…, ical_end), so that a
 * feed of every event can be sent as it is made. */
#ifndef FOISON_ICAL_H
#define FOISON_ICAL_H
#include "core/schema.h"
#include <jansson.h>

struct arena;
struct buf;

/* The calendar of one event whose published fields are fields: the whole series when
 * occurrence is 0, else the one occurrence starting at occurrence (what a registrant's mail
 * carries). base_url (no trailing slash) makes its URL and UID. Its LOCATION is its address and
 * online link (without the title of its place, which needs the store: see ical_write_event).
 * NULL on failure. */
char *ical_event_calendar(struct arena *a, const char *base_url, const struct kind_def *k,
                          const char *slug, json_t *fields, long long updated,
                          long long occurrence);

/* VCALENDAR's header and the time zone; name (may be NULL) is the calendar's X-WR-CALNAME. */
void ical_begin(struct buf *b, const char *name);
void ical_end(struct buf *b);

/* One event as a VEVENT. */
struct ical_event {
    const struct kind_def *kind;
    const char *slug;
    json_t *fields;    /* its published fields */
    long long updated; /* DTSTAMP */
    /* The UID's entry: its own slug, or for an event that changes one date of a series the
     * series' slug, with recurrence_id the series' start it replaces (0: none). */
    const char *uid_slug;
    long long recurrence_id;
    const char *location;          /* the caller's text (place, address, link); NULL: none */
    const char *const *categories; /* theme labels */
    int ncategories;
    long long occurrence; /* 0: the series (RRULE, EXDATE); else that one occurrence */
};
/* Appends ev as a VEVENT to b; false (nothing appended) when it has no start. */
bool ical_write_event(struct arena *a, struct buf *b, const char *base_url,
                      const struct ical_event *ev);

/* text escaped as an iCalendar TEXT value (\\ \; \, and new lines as \n), into a. */
const char *ical_escape(struct arena *a, const char *text);
/* Appends "line\r\n" to b, folded at 75 octets on UTF-8 boundaries (continuations begin with a
 * space). */
void ical_line(struct buf *b, const char *line);

#endif
