/* ical.h — iCalendar (RFC 5545) of events: a VCALENDAR with the Europe/Paris VTIMEZONE, each
 * event a VEVENT with its recurrence (RRULE, EXDATE) and the dates of its series that other
 * events change (RECURRENCE-ID), lines folded at 75 octets, texts escaped. Written from the
 * published fields the schemas describe (kind_def.when); knows nothing of HTTP. */
#ifndef FOISON_ICAL_H
#define FOISON_ICAL_H
#include "core/schema.h"
#include <jansson.h>

struct arena;

/* The calendar of one event whose published fields are fields: the whole series when
 * occurrence is 0, else the one occurrence starting at occurrence (what a registrant's mail
 * carries). base_url (no trailing slash) makes its URL and UID. NULL on failure. */
char *ical_event_calendar(struct arena *a, const char *base_url, const struct kind_def *k,
                          const char *slug, json_t *fields, long long updated,
                          long long occurrence);

#endif
