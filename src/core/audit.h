/* audit.h — the security self-audit of a site (in the spirit of Fossil's /secaudit): each risky
 * setting or state found, with a state, a French explanation and how to fix it. Read-only; the
 * page is web/admin.c's, for admins. */
#ifndef FOISON_AUDIT_H
#define FOISON_AUDIT_H
#include "core/visibility.h"
#include <stdbool.h>

struct arena;
struct store;

enum audit_state {
    AUDIT_OK = 0,
    AUDIT_WATCH, /* à surveiller: a choice that may be right, worth knowing */
    AUDIT_FIX,   /* à corriger */
};

struct audit_check {
    const char *id;    /* stable name, for tests and anchors: "base_url", "smtp"… */
    const char *title; /* French */
    enum audit_state state;
    const char *explanation; /* what was found and why it matters */
    const char *fix;         /* how to fix it ("" when ok) */
};

/* What the server saw that the site file does not hold. */
struct audit_seen {
    bool xff_ignored; /* requests came with X-Forwarded-For while no proxy is trusted */
};

#define AUDIT_MAX_CHECKS 32

/* Runs every check; *checks (in a) receives them in display order. Admins only. 0, or -1 on a
 * storage error, -2 when v is not an admin. */
int audit_run(struct store *s, struct arena *a, const struct viewer *v,
              const struct audit_seen *seen, struct audit_check **checks, int *n);
const char *audit_state_label(enum audit_state st);

#endif
