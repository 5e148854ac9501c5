/* mail.h — sending a formatted message: over SMTP with libcurl (smtp:// with STARTTLS, or
 * smtps://), or, when no SMTP server is configured, as an .eml file in a spool folder so that a
 * site works with no mail server at all. Knows nothing of the site: core/mail.c formats the
 * messages, queues them in the site file and hands them here one by one. */
#ifndef FOISON_MAIL_H
#define FOISON_MAIL_H
#include <stdbool.h>
#include <stddef.h>

struct mail_transport {
    const char *url; /* smtp://host[:port] or smtps://host[:port]; NULL or "": the spool */
    bool starttls;   /* require STARTTLS on smtp:// (refuse to send in clear) */
    const char *user, *password; /* NULL: no authentication */
    const char *spool;           /* the folder of .eml files when url is empty */
    long timeout_seconds;        /* of one delivery, connection included */
};

/* Must be called once before any other function (libcurl's global initialisation). */
int mail_init(void);
/* Delivers message (RFC 5322 text, CRLF lines) from from to to; name names the spool file
 * (letters, digits, '.', '-', '@' only). 0, or -1 with the reason in err. */
int mail_send(const struct mail_transport *t, const char *from, const char *to, const char *name,
              const char *message, size_t len, char *err, size_t errlen);

#endif
