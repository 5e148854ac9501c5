/* agenda_store.h — the occurrences of events, derived from their published revisions, and the
 * occurrences that other events change in a series: what the agenda, the iCalendar feeds and
 * registrations read. */
#ifndef FOISON_AGENDA_STORE_H
#define FOISON_AGENDA_STORE_H
#include "store/store.h"

/* The occurrences of entry_id become starts[i]..ends[i] (none when n is 0). */
int store_occurrences_replace(struct store *s, long long entry_id, const long long *starts,
                              const long long *ends, int n);
/* override_id changes the occurrence of series_id that starts at replaces (series_id 0: it
 * changes none). */
int store_override_set(struct store *s, long long override_id, long long series_id,
                       long long replaces);

#endif
