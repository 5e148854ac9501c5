/* agenda.h — events in time: the occurrences of each event derived from its published revision
 * (a single date, or a series expanded by core/recur.c with its cancelled days left out and its
 * changed dates taken by other events), and the agenda read from them. Which kinds are in time
 * and by which fields is the schemas' (kind_def.when). */
#ifndef FOISON_AGENDA_H
#define FOISON_AGENDA_H
#include "core/schema.h"
#include <jansson.h>

struct arena;
struct store;

/* Part of the one derived-data step: the occurrences of entry id from its published fields
 * (nothing for a kind not in time). */
int agenda_derive(struct store *s, struct arena *a, const struct kind_def *k, long long id,
                  json_t *fields);

#endif
