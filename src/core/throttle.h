/* throttle.h — counting attempts (logins) per key over a sliding time window, in memory, so
 * that password guessing stays slow; and a set of used one-time values (proofs of work). Each
 * kind of counter (per address, per account, per browser…) has a table of its own, so that a
 * flood of one kind can never crowd out or share counters with another. Shared by all threads;
 * every check-and-count is one atomic step, so parallel attempts never pass the limit.
 *
 * The window slides: a table splits its window into THROTTLE_SPLIT steps and a key is held
 * back while the steps that overlap the last `window` seconds hold max attempts. So no span of
 * `window` seconds ever sees more than max attempts of a key (a fixed window let 2 × max through
 * around its boundary, and the usual weighted estimate still lets nearly 2 × max through when the
 * attempts are spread out); the price is that a key may wait up to one step (window / SPLIT)
 * longer than an exact log would make it.
 *
 * A table has a fixed size (a bucket of THROTTLE_WAYS counters per hashed key, the hash keyed by
 * a secret drawn at start-up so nobody can aim at a bucket). When the bucket of a new key is
 * full, in this order:
 *   1. a counter that no longer holds anything back (nothing in its window) is taken, the oldest;
 *   2. else the counter that holds its key back the least (fewest attempts, below its limit) is
 *      given up: at most max - 1 attempts of one key are forgotten, and forgetting a held key is
 *      never chosen, so to free a key an attacker must first bring every counter of the table
 *      close to its limit (table size × max attempts, which the other limits keep slow);
 *   3. else (every counter holds its key back) the table's overflow rule applies:
 *      THROTTLE_OVERFLOW_SHARE: the key shares its bucket's overflow counter (of this table only):
 *        held back together with the others, never let through — for limits that must hold
 *        whatever happens and have a way around for the owner (the account's);
 *      THROTTLE_OVERFLOW_UNTRACKED: throttle_take says so and the caller decides — for limits
 *        whose failure must not lock legitimate users out (the address's: an attacker who can
 *        fill the table has many addresses anyway; a known browser's: it falls back to being an
 *        unknown one). */
#ifndef FOISON_THROTTLE_H
#define FOISON_THROTTLE_H
#include <stdbool.h>
#include <stddef.h>

#define THROTTLE_WINDOW_SECONDS (15 * 60)
#define THROTTLE_SPLIT 10 /* steps per window */
#define THROTTLE_WAYS 4
#define THROTTLE_UNTRACKED (-1L) /* throttle_take: no counter could be given to the key */

enum throttle_overflow {
    THROTTLE_OVERFLOW_SHARE,
    THROTTLE_OVERFLOW_UNTRACKED,
};

struct throttle;
struct throttle_set;

/* A table of buckets × THROTTLE_WAYS counters over window seconds. Never NULL (aborts on OOM).
 * Tables live as long as the process; tests free them with throttle_free. */
struct throttle *throttle_new(int buckets, int window, enum throttle_overflow overflow);
void throttle_free(struct throttle *t);

/* Atomically: when key has fewer than max attempts in the last window seconds, counts one more
 * and returns 0; otherwise counts nothing and returns the seconds until key may try again (> 0).
 * THROTTLE_UNTRACKED when the table is full of held keys and its overflow rule is UNTRACKED
 * (nothing counted). An attempt counts as a failure until it is forgiven. max ≤ 65535. */
long throttle_take(struct throttle *t, const char *key, int max, long long now);
/* Seconds until key may try again (0: now) given at most max attempts per window; counts
 * nothing. */
long throttle_wait(struct throttle *t, const char *key, int max, long long now);
/* Takes back one attempt of key counted at now (it succeeded, or failed for a reason that is
 * not the user's). */
void throttle_forgive(struct throttle *t, const char *key, long long now);
/* Forgets every attempt of key. */
void throttle_clear(struct throttle *t, const char *key);

/* The key a per-address limit counts for ip (text): an IPv6 address by its /64 (what one
 * subscriber or host gets; one attacker holds 2^64 addresses), an IPv4 one (mapped into IPv6 or
 * not) whole; "?" for NULL. out holds at least THROTTLE_ADDRESS_MAX bytes. (login_guard.c has
 * the same rule of its own, older: it may call this one.) */
#define THROTTLE_ADDRESS_MAX 64
void throttle_address(const char *ip, char *out, size_t size);

/* A set of one-time values, each remembered until its expiry. Never NULL. When a bucket is full
 * of live values, the one expiring first is forgotten (it is the one closest to being refused
 * anyway for its age; see login_guard.c for why replaying it buys little). */
struct throttle_set *throttle_set_new(int buckets);
void throttle_set_free(struct throttle_set *set);
/* Atomically adds key, remembered until expires; false when it was already there (used). */
bool throttle_set_add(struct throttle_set *set, const char *key, long long expires, long long now);

#endif
