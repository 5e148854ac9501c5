/* phone.h — phone numbers as people type them, checked and written one way: French numbers
 * as "02 98 00 00 00", others in international form ("+44 20 7946 0958"), and tel: links.
 * Pure functions, safe from any thread. */
#ifndef FOISON_PHONE_H
#define FOISON_PHONE_H

struct arena;

/* Longest input read, in bytes: a number with generous spacing fits in half of it. */
#define PHONE_INPUT_MAX 40

/* The canonical display form of in, allocated in a:
 *  - French numbers, whether typed "02 98 00 00 00", "02.98.00.00.00", "0298000000",
 *    "+33 2 98 00 00 00", "+33 (0)2 98 00 00 00" or "0033 298 000 000": "02 98 00 00 00";
 *  - other countries' numbers ("+" or "00", then 8 to 15 digits, country code included): "+"
 *    and the digits grouped as typed, separators turned into single spaces ("+44 20 7946
 *    0958"), a "(0)" trunk prefix dropped;
 *  - "" for NULL or blank input (whether a number is required is the caller's concern).
 * Refused, NULL with *err a French message to show after the field's label: letters and other
 * characters, too few or too many digits, a French number not starting with 0, premium rate
 * numbers (08 9x), placeholder-looking ones (06 00 00 00 00, 01 23 45 67 89). */
const char *phone_normalize(struct arena *a, const char *in, char **err);

/* The tel: URI of a canonical number: "tel:+33298000000", "tel:+442079460958"; overseas
 * French numbers get their own country code ("02 62 …" is "tel:+262262…"). NULL when canon is
 * not a canonical number (including ""). */
const char *phone_tel_uri(struct arena *a, const char *canon);

#endif
