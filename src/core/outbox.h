/* outbox.h — the site's mail: composed in French as plain text and HTML (multipart/alternative,
 * UTF-8 bodies, RFC 2047 headers, Message-ID and Date), with files attached when it has some (a
 * multipart/mixed around the bodies: an event's .ics), kept in a persistent queue in the site
 * file (a crash loses no mail), and delivered by a background worker with retries and backoff.
 * Sending never happens during a request: a request only queues, inside its own transaction when
 * it has one, so that a mail goes out exactly when what it announces was committed. */
#ifndef FOISON_OUTBOX_H
#define FOISON_OUTBOX_H
#include <stdbool.h>
#include <stddef.h>

struct arena;
struct store;

#define OUTBOX_MAX_TRIES 10 /* then the mail is given up (and says why in the queue) */
#define OUTBOX_MAX_BYTES 200000

/* A file sent with a mail: its name and type are ASCII chosen by the program ("evenement.ics",
 * "text/calendar; charset=utf-8; method=PUBLISH"), its data text or bytes (sent in base64). */
struct outbox_attachment {
    const char *name;
    const char *content_type;
    const char *data;
    size_t len;
};

#define OUTBOX_MAX_ATTACHMENTS 4

struct outbox_mail {
    const char *to;      /* one address (checked) */
    const char *subject; /* one line of text */
    const char *text;    /* the plain text body */
    const char *html;    /* the HTML body (already escaped where it holds input); NULL: text only */
    const char *reply_to; /* one address answers go to (checked), the address alone; NULL: none */
    const struct outbox_attachment *attachments; /* nattachments of them (NULL: none) */
    int nattachments;
};

/* Composes m and queues it. The sender is the setting mail_from (default "foison
 * <ne-pas-repondre@HOST>", HOST from base_url). 0, or -1 (invalid address, storage). */
int outbox_queue(struct store *s, struct arena *a, const struct outbox_mail *m, long long now);

/* What delivers one message: from, to, a file-safe name for it, the message. 0 or -1 with the
 * reason in err. The worker gives mail/'s mail_send. */
typedef int (*outbox_sender)(void *ctx, const char *from, const char *to, const char *name,
                             const char *message, size_t len, char *err, size_t errlen);

/* Delivers up to max mails that are due, each claimed first (so that two processes never send
 * one twice); a failure is tried again later (1, 2, 4… minutes, at most 6 hours apart) up to
 * OUTBOX_MAX_TRIES. *sent receives how many went out. 0, or -1 on a storage failure. */
int outbox_deliver(struct store *s, struct arena *a, long long now, int max, outbox_sender send,
                   void *ctx, int *sent);

/* The pieces of composing, for tests: an RFC 2047 encoded header value, and a whole message. */
char *outbox_header_encode(struct arena *a, const char *text);
char *outbox_compose(struct arena *a, const char *from, const struct outbox_mail *m,
                     const char *message_id, long long now);

#endif
