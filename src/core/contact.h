/* contact.h — writing to the people behind a record without ever seeing their address: a kind
 * whose schema has a private e-mail field (an actor's, a place's, a network's contact_email)
 * offers a contact form once its published revision holds an address; the message is checked
 * here (lengths, plain text, the sender's address, the robot signs, the spam score, the rates)
 * and relayed by mail from the site's address, Reply-To the sender, so that answering goes to
 * the sender directly. The address is read and used here only: nothing of it reaches web/,
 * pages, the API or the logs of a request.
 *
 * Nothing is stored but the mail in the outbox, whose own rule keeps only the headers once it
 * has left (store/outbox_store.c): no copy of the text, no list of who wrote to whom. The
 * sender gets no copy: a copy would be a mail of the site, with a text of anyone's choosing, to
 * an address of anyone's choosing (the sender's address is not verified), which is what an open
 * relay is. */
#ifndef FOISON_CONTACT_H
#define FOISON_CONTACT_H
#include "core/schema.h"
#include <stdbool.h>

struct arena;
struct entry;
struct field_errors;
struct store;
struct user;

#define CONTACT_NAME_MAX 80
#define CONTACT_SUBJECT_MAX 120
#define CONTACT_TEXT_MAX 5000
#define CONTACT_MIN_SECONDS 3 /* a form sent sooner was not written by a person */
/* Messages per hour from one client address (an IPv6 address by its /64) and from one sender
 * (an account, or the address an anonymous sender gives): setting rate_contact. */
#define CONTACT_RATE_SENDER_DEFAULT 5
#define CONTACT_RATE_WINDOW 3600
/* Messages per day to one record, whoever sends them: setting rate_contact_entry. The address
 * of a record is chosen by whoever edits it: this bounds what a record can bring to one
 * mailbox. */
#define CONTACT_RATE_ENTRY_DEFAULT 20
#define CONTACT_RATE_ENTRY_WINDOW 86400

enum contact_status {
    CONTACT_OK = 0,
    CONTACT_INVALID = -1,  /* the message is refused: errs says why, per field ("_": the form) */
    CONTACT_LIMITED = -2,  /* too many messages: *wait seconds */
    CONTACT_NOTFOUND = -3, /* the record takes no message (none published, hidden, no address) */
    CONTACT_ERR = -4,      /* storage: not the sender's fault */
};

struct contact_message {
    const struct user *sender; /* the signed-in account (its name and address), or NULL */
    const char *name, *email;  /* an anonymous sender's (ignored for an account) */
    const char *subject, *text;
    const char *trap;     /* the form's field hidden from people (robots fill it) */
    long form_age;        /* seconds the form was open (login_guard_form_age); -1: no valid stamp */
    const char *ip;       /* the client's address (rates) */
    const char *base_url; /* of the record's permanent link in the mail */
    const char *site_name;
    long long now;
};

/* The private e-mail field of kind k that messages go to (the first), or NULL when the kind
 * takes no message: the schema decides, never the kind's name. */
const struct field_def *contact_field(const struct kind_def *k);
/* Does e take messages: published, not hidden, its published revision holding an address in
 * contact_field? False on a storage error too (logged). */
bool contact_open(struct store *s, struct arena *a, const struct entry *e);
/* Checks m and queues its mail to e's address. CONTACT_INVALID with the reasons in errs (whose
 * messages are in a), CONTACT_LIMITED with *wait, CONTACT_NOTFOUND when e takes no message (any
 * more). Nothing is written unless CONTACT_OK; a message refused as spam still counts against
 * the sender's rate (a robot retrying spends its budget), other refusals do not. */
int contact_send(struct store *s, struct arena *a, const struct entry *e,
                 const struct contact_message *m, struct field_errors *errs, long *wait);

#endif
