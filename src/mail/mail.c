/* mail.c — delivery of one message over SMTP (libcurl) or into the spool folder. */
#include "mail/mail.h"
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int mail_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

struct mail_reader {
    const char *p;
    size_t left;
};

static size_t mail_read(char *buf, size_t size, size_t n, void *arg)
{
    struct mail_reader *r = arg;
    size_t room = size * n, len = r->left < room ? r->left : room;
    memcpy(buf, r->p, len);
    r->p += len;
    r->left -= len;
    return len;
}

/* An SMTP path needs <>; anything that could end the command is refused before libcurl. */
static bool mail_address_ok(const char *a)
{
    return a && *a && strlen(a) < 255 && !strpbrk(a, "<>\r\n \t,;") && strchr(a, '@');
}

static int mail_send_smtp(const struct mail_transport *t, const char *from, const char *to,
                          const char *message, size_t len, char *err, size_t errlen)
{
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, errlen, "libcurl : initialisation impossible");
        return -1;
    }
    char from_path[300], to_path[300];
    snprintf(from_path, sizeof from_path, "<%s>", from);
    snprintf(to_path, sizeof to_path, "<%s>", to);
    struct curl_slist *rcpt = curl_slist_append(NULL, to_path);
    struct mail_reader r = {message, len};
    char curl_err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, t->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from_path);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, mail_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &r);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, t->timeout_seconds > 0 ? t->timeout_seconds : 60L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
    if (t->starttls && strncmp(t->url, "smtp://", 7) == 0)
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (t->user && *t->user) {
        curl_easy_setopt(c, CURLOPT_USERNAME, t->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, t->password ? t->password : "");
    }
    CURLcode rc = rcpt ? curl_easy_perform(c) : CURLE_OUT_OF_MEMORY;
    if (rc != CURLE_OK)
        snprintf(err, errlen, "SMTP : %s", *curl_err ? curl_err : curl_easy_strerror(rc));
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    return rc == CURLE_OK ? 0 : -1;
}

/* Written to a temporary name then renamed: a reader of the folder never sees half a mail. */
static int mail_send_spool(const char *dir, const char *name, const char *message, size_t len,
                           char *err, size_t errlen)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s : %s", dir, strerror(errno));
        return -1;
    }
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s.eml", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s : %s", tmp, strerror(errno));
        return -1;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, message + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    int ok = done == len && fsync(fd) == 0;
    close(fd);
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s : %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int mail_send(const struct mail_transport *t, const char *from, const char *to, const char *name,
              const char *message, size_t len, char *err, size_t errlen)
{
    if (!mail_address_ok(from) || !mail_address_ok(to)) {
        snprintf(err, errlen, "adresse invalide");
        return -1;
    }
    if (!name || !*name ||
        strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789.-@") != strlen(name)) {
        snprintf(err, errlen, "nom de message invalide");
        return -1;
    }
    if (t->url && *t->url)
        return mail_send_smtp(t, from, to, message, len, err, errlen);
    return mail_send_spool(t->spool, name, message, len, err, errlen);
}
