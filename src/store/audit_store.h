/* audit_store.h — what the security self-audit (core/audit.c) reads beyond the settings: the
 * accounts that hold rights over the site. */
#ifndef FOISON_AUDIT_STORE_H
#define FOISON_AUDIT_STORE_H
#include "store/store.h"

struct arena;

struct staff_row {
    long long id;
    const char *role; /* admin or moderator */
    const char *password_hash;
};
/* The active admin and moderator accounts, admins first, at most max. */
int store_staff_list(struct store *s, struct arena *a, int max, struct staff_row **out, int *n);

#endif
