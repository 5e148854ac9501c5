/* outbox.c — composing, queueing and delivering the site's mail (see outbox.h). */
#include "core/outbox.h"
#include "core/account.h"
#include "store/outbox_store.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/utf8.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Printable ASCII without the characters RFC 5322 gives a meaning to in a header. */
static bool outbox_plain_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e || *s == '=' || *s == '?')
            return false;
    return true;
}

char *outbox_header_encode(struct arena *a, const char *text)
{
    if (outbox_plain_ascii(text))
        return arena_strdup(a, text);
    /* Encoded words of at most 75 characters ("=?UTF-8?B?" + 60 base64 + "?="): 45 bytes of
     * text each, never cut inside a UTF-8 character, folded onto continuation lines. */
    struct buf b = BUF_INIT;
    size_t n = strlen(text), i = 0;
    while (i < n) {
        size_t take = n - i < 45 ? n - i : 45;
        while (take > 0 && i + take < n && ((unsigned char)text[i + take] & 0xc0) == 0x80)
            take--;
        char enc[64];
        sodium_bin2base64(enc, sizeof enc, (const unsigned char *)text + i, take,
                          sodium_base64_VARIANT_ORIGINAL);
        buf_printf(&b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", enc);
        i += take;
    }
    char *out = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return out;
}

/* Bytes in base64, in lines of 76 characters. */
static void outbox_base64_bytes(struct buf *b, const char *data, size_t n)
{
    for (size_t i = 0; i < n; i += 57) {
        size_t take = n - i < 57 ? n - i : 57;
        char line[80];
        sodium_bin2base64(line, sizeof line, (const unsigned char *)data + i, take,
                          sodium_base64_VARIANT_ORIGINAL);
        buf_puts(b, line);
        buf_puts(b, "\r\n");
    }
}

/* A body in base64, in lines of 76 characters. */
static void outbox_base64_body(struct buf *b, const char *text)
{
    outbox_base64_bytes(b, text, strlen(text));
}

/* Is an attachment's name or type safe inside a header's quoted parameter: printable ASCII
 * without quotes, backslashes or line breaks, and not empty? */
static bool outbox_param_safe(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e || *s == '"' || *s == '\\')
            return false;
    return true;
}

/* The text with every line ending as CRLF, as SMTP wants. */
static char *outbox_crlf(struct arena *a, const char *text)
{
    struct buf b = BUF_INIT;
    for (const char *p = text; *p; p++) {
        if (*p == '\r')
            continue;
        if (*p == '\n')
            buf_putc(&b, '\r');
        buf_putc(&b, *p);
    }
    char *out = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return out;
}

char *outbox_compose(struct arena *a, const char *from, const struct outbox_mail *m,
                     const char *message_id, long long now)
{
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    char date[64];
    /* RFC 5322 wants English day and month names whatever the locale. */
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    snprintf(date, sizeof date, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
             tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    unsigned char raw[12];
    randombytes_buf(raw, sizeof raw);
    char boundary[25];
    sodium_bin2hex(boundary, sizeof boundary, raw, sizeof raw);
    struct buf b = BUF_INIT;
    /* A display name may be French ("Réseau des médiathèques <…>"): encoded like the subject. */
    const char *lt = strchr(from, '<');
    if (lt && lt > from) {
        size_t nl = (size_t)(lt - from);
        while (nl && from[nl - 1] == ' ')
            nl--;
        buf_printf(&b, "From: %s %s\r\n", outbox_header_encode(a, arena_strndup(a, from, nl)), lt);
    } else {
        buf_printf(&b, "From: %s\r\n", from);
    }
    buf_printf(&b, "To: <%s>\r\n", m->to);
    if (m->reply_to)
        buf_printf(&b, "Reply-To: <%s>\r\n", m->reply_to);
    buf_printf(&b, "Subject: %s\r\n", outbox_header_encode(a, m->subject));
    buf_printf(&b, "Date: %s\r\n", date);
    buf_printf(&b, "Message-ID: <%s>\r\n", message_id);
    buf_puts(&b, "MIME-Version: 1.0\r\n");
    buf_puts(&b, "Auto-Submitted: auto-generated\r\n");
    /* With files: a multipart/mixed whose first part is the bodies (the alternative, or the
     * plain text alone), then each file. */
    bool mixed = m->nattachments > 0 && m->attachments;
    if (mixed) {
        buf_printf(&b, "Content-Type: multipart/mixed; boundary=\"foison-mixed-%s\"\r\n\r\n",
                   boundary);
        buf_printf(&b, "--foison-mixed-%s\r\n", boundary);
    }
    if (m->html) {
        buf_printf(&b, "Content-Type: multipart/alternative; boundary=\"foison-%s\"\r\n\r\n",
                   boundary);
        buf_printf(&b, "--foison-%s\r\n", boundary);
    }
    buf_puts(&b, "Content-Type: text/plain; charset=utf-8\r\n"
                 "Content-Transfer-Encoding: base64\r\n\r\n");
    outbox_base64_body(&b, outbox_crlf(a, m->text));
    if (m->html) {
        buf_printf(&b, "--foison-%s\r\n", boundary);
        buf_puts(&b, "Content-Type: text/html; charset=utf-8\r\n"
                     "Content-Transfer-Encoding: base64\r\n\r\n");
        outbox_base64_body(&b, outbox_crlf(a, m->html));
        buf_printf(&b, "--foison-%s--\r\n", boundary);
    }
    for (int i = 0; mixed && i < m->nattachments; i++) {
        const struct outbox_attachment *f = &m->attachments[i];
        buf_printf(&b, "--foison-mixed-%s\r\n", boundary);
        buf_printf(&b,
                   "Content-Type: %s; name=\"%s\"\r\n"
                   "Content-Disposition: attachment; filename=\"%s\"\r\n"
                   "Content-Transfer-Encoding: base64\r\n\r\n",
                   f->content_type, f->name, f->name);
        outbox_base64_bytes(&b, f->data, f->len);
    }
    if (mixed)
        buf_printf(&b, "--foison-mixed-%s--\r\n", boundary);
    char *out = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return out;
}

/* The host part of the site's base URL (for Message-ID and the default sender). */
static char *outbox_host(struct store *s, struct arena *a)
{
    char *url = store_setting_get(s, "base_url");
    const char *p = url && strstr(url, "://") ? strstr(url, "://") + 3 : NULL;
    size_t n = p ? strcspn(p, ":/") : 0;
    char *host = arena_strndup(a, n ? p : "foison.invalid", n ? n : strlen("foison.invalid"));
    free(url);
    return host;
}

int outbox_queue(struct store *s, struct arena *a, const struct outbox_mail *m, long long now)
{
    if (!m->to || !account_email_valid(m->to) ||
        (m->reply_to && !account_email_valid(m->reply_to)) || !m->subject ||
        strpbrk(m->subject, "\r\n") || !m->text || !utf8_valid(m->subject, strlen(m->subject)) ||
        !utf8_valid(m->text, strlen(m->text)) ||
        (m->html && !utf8_valid(m->html, strlen(m->html))) || m->nattachments < 0 ||
        m->nattachments > OUTBOX_MAX_ATTACHMENTS || (m->nattachments && !m->attachments))
        return -1;
    /* Names and types go inside headers: what the program chose, checked all the same. The
     * type may carry parameters ("text/calendar; method=PUBLISH"), never a quote. */
    for (int i = 0; i < m->nattachments; i++)
        if (!outbox_param_safe(m->attachments[i].name) ||
            !outbox_param_safe(m->attachments[i].content_type) || !m->attachments[i].data)
            return -1;
    const char *host = outbox_host(s, a);
    char *from = store_setting_get(s, "mail_from");
    const char *sender = from && *from ? arena_strdup(a, from)
                                       : arena_printf(a, "foison <ne-pas-repondre@%s>", host);
    free(from);
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    const char *message_id = arena_printf(a, "%s@%s", hex, host);
    const char *message = outbox_compose(a, sender, m, message_id, now);
    if (strlen(message) > OUTBOX_MAX_BYTES)
        return -1;
    return store_outbox_insert(s, now, m->to, message_id, message) == STORE_OK ? 0 : -1;
}

/* The envelope sender: the address inside the From header ("Name <a@b>" or "a@b"). */
static const char *outbox_envelope(struct arena *a, const char *message)
{
    const char *from = strncmp(message, "From: ", 6) == 0 ? message + 6 : "";
    size_t line = strcspn(from, "\r\n");
    const char *lt = memchr(from, '<', line),
               *gt = lt ? memchr(lt, '>', line - (size_t)(lt - from)) : NULL;
    if (lt && gt)
        return arena_strndup(a, lt + 1, (size_t)(gt - lt - 1));
    return arena_strndup(a, from, line);
}

int outbox_deliver(struct store *s, struct arena *a, long long now, int max, outbox_sender send,
                   void *ctx, int *sent)
{
    struct outbox_row *rows;
    int n;
    *sent = 0;
    if (store_outbox_due(s, a, now, max, &rows, &n) != STORE_OK)
        return -1;
    for (int i = 0; i < n; i++) {
        /* Claimed for five minutes: another process skips it; a crash during the delivery
         * leaves it to be tried again then. */
        int rc = store_outbox_claim(s, rows[i].id, now, now + 300);
        if (rc == STORE_NOTFOUND)
            continue;
        if (rc != STORE_OK)
            return -1;
        char err[512] = "";
        const char *from = outbox_envelope(a, rows[i].message);
        char name[80];
        snprintf(name, sizeof name, "%lld-%.40s", rows[i].id, rows[i].message_id);
        for (char *p = name; *p; p++)
            if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789.-@", *p))
                *p = '-';
        if (send(ctx, from, rows[i].recipient, name, rows[i].message, strlen(rows[i].message), err,
                 sizeof err) == 0) {
            if (store_outbox_done(s, rows[i].id, now) != STORE_OK)
                return -1;
            (*sent)++;
            continue;
        }
        int tries = rows[i].tries + 1;
        long long wait = 60LL << (tries - 1 < 9 ? tries - 1 : 9);
        if (wait > 6 * 3600)
            wait = 6 * 3600;
        fprintf(stderr, "foison: courriel %lld à %s : échec %d/%d (%s)\n", rows[i].id,
                rows[i].recipient, tries, OUTBOX_MAX_TRIES, err);
        if (store_outbox_failed(s, rows[i].id, tries, now + wait, err, tries >= OUTBOX_MAX_TRIES) !=
            STORE_OK)
            return -1;
    }
    return 0;
}
