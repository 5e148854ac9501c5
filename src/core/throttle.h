/* throttle.h — counting failed attempts (logins) per key over a time window, in memory, so
 * that password guessing stays slow. Shared by all threads. */
#ifndef FOISON_THROTTLE_H
#define FOISON_THROTTLE_H

#define THROTTLE_WINDOW_SECONDS (15 * 60)

/* Seconds until key may try again (0: now) given at most max failures per window. */
long throttle_wait(const char *key, int max, long long now);
/* Records one failure of key at time now. */
void throttle_fail(const char *key, long long now);
/* Forgets key's failures (after a success). */
void throttle_clear(const char *key);

#endif
