/* chores.h — the site's timed work, run about once a minute by the server's worker (and on
 * demand by `foison chores`): what no request triggers, such as the reminders of loans the day
 * before their pick-up and return, the seats of guests who never confirmed given to the next
 * person waiting, or the cached pages made stale by a new day. Each chore does its own transactions
 * and is safe to run twice. */
#ifndef FOISON_CHORES_H
#define FOISON_CHORES_H

struct store;

/* Runs every chore as of now (seconds since the epoch); *done (may be NULL) receives how many
 * things were done (mails queued, seats given). 0, or -1 when one failed (the others ran). */
int chores_run(struct store *s, long long now, int *done);

#endif
