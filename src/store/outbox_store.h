/* outbox_store.h — rows of the mail queue: each message whole, its recipient, its tries. */
#ifndef FOISON_OUTBOX_STORE_H
#define FOISON_OUTBOX_STORE_H
#include "store/store.h"
#include <stdbool.h>

struct arena;

struct outbox_row {
    long long id;
    const char *recipient, *message_id, *message;
    int tries;
};

int store_outbox_insert(struct store *s, long long now, const char *recipient,
                        const char *message_id, const char *message);
/* Mails not sent nor given up whose time has come, oldest first, at most max. */
int store_outbox_due(struct store *s, struct arena *a, long long now, int max,
                     struct outbox_row **out, int *n);
/* Takes mail id for delivery until lease (its next try moves there): STORE_NOTFOUND when another
 * process took it first. */
int store_outbox_claim(struct store *s, long long id, long long now, long long lease);
/* A mail sent: its body goes (only its headers stay). */
int store_outbox_done(struct store *s, long long id, long long now);
/* Every mail to an address, or answered to it (Reply-To): an account deleted. */
int store_outbox_forget(struct store *s, const char *recipient);
/* A failed delivery: tried again at next_try, or given up (then its body goes). */
int store_outbox_failed(struct store *s, long long id, int tries, long long next_try,
                        const char *error, bool give_up);

#endif
