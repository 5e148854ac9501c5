/* throttle.h — counting attempts (logins, proof-of-work tokens) per key over a time window, in
 * memory, so that password guessing stays slow. Shared by all threads; every check-and-count is
 * one atomic step, so parallel attempts can never pass more than the limit. */
#ifndef FOISON_THROTTLE_H
#define FOISON_THROTTLE_H

#define THROTTLE_WINDOW_SECONDS (15 * 60)

/* Atomically: when key has fewer than max attempts counted in its window (window seconds, the
 * window starting at its first attempt), counts one more and returns 0; otherwise counts nothing
 * and returns the seconds until key may try again. An attempt counts as a failure until it is
 * forgiven. */
long throttle_take(const char *key, int max, int window, long long now);
/* Seconds until key may try again (0: now) given at most max attempts per window; counts
 * nothing. */
long throttle_wait(const char *key, int max, int window, long long now);
/* Takes back one attempt of key (it succeeded, or failed for a reason that is not the user's). */
void throttle_forgive(const char *key, int window, long long now);
/* Forgets every attempt of key in that window. */
void throttle_clear(const char *key, int window);

#endif
