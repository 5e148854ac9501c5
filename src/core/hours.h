/* hours.h — structured opening hours of a place: parsed from what people type in a form, from
 * the API's JSON or from OpenStreetMap's opening_hours, and written back as form text, a French
 * summary or opening_hours.
 *
 * Canonical JSON: an object with optional keys "mo" "tu" "we" "th" "fr" "sa" "su" (a missing
 * day is closed), each a non-empty array of at most HOURS_MAX_RANGES ranges ["HH:MM", "HH:MM"],
 * opening before closing, sorted, neither overlapping nor touching ("24:00" closes at midnight;
 * a range cannot run past midnight), and an optional "note" (at most HOURS_NOTE_MAX characters,
 * one line). Keys come in that order. The empty object means no hours are given.
 *
 * Days are numbered 0 = Monday .. 6 = Sunday. Results live in the arena a; json_t results are
 * new references (the caller json_decref()s them). Error messages are French, allocated in a,
 * and name the day ("mardi : …"); the label, when not NULL, comes first ("Horaires, mardi : …").
 * Nothing is shared between calls: every function is safe from any thread. */
#ifndef FOISON_HOURS_H
#define FOISON_HOURS_H
#include <jansson.h>
#include <stdbool.h>

struct arena;

#define HOURS_MAX_RANGES 4
#define HOURS_NOTE_MAX 200
#define HOURS_TEXT_MAX 200 /* bytes of one day's form text */

/* "mo" .. "su", and "lundi" .. "dimanche"; NULL outside 0..6. */
const char *hours_day_key(int day);
const char *hours_day_name(int day);

/* The canonical object from a form: one text per day as typed ("9h-12h, 14h-18h",
 * "9:00–12:30 / 14h à 18h30", "10h-12h et 14h-17h", "de 9 h à midi", "24h/24", "fermé"; empty
 * or NULL is closed) and the note (NULL or empty for none). Ranges typed out of order are
 * sorted and touching ones joined; a bad hour (25h), a closing time not after the opening, an
 * overlap or more than HOURS_MAX_RANGES ranges is an error. NULL with *err on error. */
json_t *hours_from_form(struct arena *a, const char *label, const char *const day_texts[7],
                        const char *note, char **err);

/* The canonical object from an API value: the canonical object itself (ranges may be out of
 * order or written leniently), an object whose days are form texts, a string in OpenStreetMap
 * syntax, or null / "" (no hours). NULL with *err on error. Idempotent on canonical input. */
json_t *hours_validate(struct arena *a, const char *label, json_t *v, char **err);

/* True when canon holds neither hours nor a note (NULL counts as empty). */
bool hours_is_empty(json_t *canon);

/* One day as "9 h – 12 h, 14 h – 18 h 30" (display and form refill; hours_from_form reads it
 * back); "" when closed. On input that is not canonical, every function below returns "". */
char *hours_day_text(struct arena *a, json_t *canon, int day);

/* A French summary grouping the days with the same hours: "du lundi au vendredi : 9 h – 12 h,
 * 14 h – 18 h ; samedi : 10 h – 12 h (fermé les jours fériés)", "tous les jours : 24 h sur 24";
 * closed days are not named; the note alone when there are no hours; "" when empty. */
char *hours_french(struct arena *a, json_t *canon);

/* OpenStreetMap opening_hours: "Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-12:00", days with the
 * same hours grouped ("Mo,We", "Sa,Su", "Mo-Su"), "24/7" for always open, "" when empty. The
 * note has no place in that syntax and is left out. */
char *hours_to_osm(struct arena *a, json_t *canon);

/* Parses the common subset of opening_hours: rules separated by ";", each an optional day
 * selector (Mo, Mo-Fr, Mo,We,Fr, Fr-Mo; none means every day) followed by times
 * ("09:00-12:00,14:00-18:00"), "off" or "closed", or nothing (open all day); "24/7". A later
 * rule replaces what an earlier one said of its days. Anything else (PH, SH, months, weeks,
 * sunrise, comments, "+", past midnight…) is an error naming it. NULL with *err on error. */
json_t *hours_from_osm(struct arena *a, const char *osm, char **err);

#endif
