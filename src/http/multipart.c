/* multipart.c — multipart/form-data bodies (RFC 7578): the boundary from the Content-Type, the
 * parts, their Content-Disposition names and file names. Text parts join the request's form like
 * urlencoded fields; file parts are kept as spans of the body, never copied. Everything the client
 * says about a file (its name, its type) is only what it says: the content is checked above. A
 * body that stops before its closing delimiter, a part without a name, a header block past its
 * limit or a text part that is not UTF-8 make the whole body refused: nothing of it is used. */
#include "http/internal.h"
#include "util/arena.h"
#include "util/utf8.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MULTIPART_HEADERS_MAX 4096 /* bytes of one part's header block */
#define MULTIPART_PARTS_MAX 64
#define MULTIPART_TEXT_MAX (256 * 1024) /* bytes of one text part */

/* The boundary parameter of a multipart/form-data Content-Type (quoted or not), in the arena;
 * NULL when the type is another or the boundary is missing or not one RFC 2046 allows. */
const char *http_multipart_boundary(struct arena *a, const char *content_type)
{
    if (!content_type || strncasecmp(content_type, "multipart/form-data", 19) != 0)
        return NULL;
    const char *p = content_type + 19;
    while (*p) {
        while (*p == ';' || *p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "boundary=", 9) == 0) {
            p += 9;
            size_t n;
            if (*p == '"') {
                p++;
                const char *end = strchr(p, '"');
                if (!end)
                    return NULL;
                n = (size_t)(end - p);
            } else {
                n = strcspn(p, "; \t");
            }
            if (n < 1 || n > 70)
                return NULL;
            for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)p[i];
                if (c < 0x20 || c > 0x7e)
                    return NULL;
            }
            return arena_strndup(a, p, n);
        }
        p += strcspn(p, ";");
    }
    return NULL;
}

/* The value of parameter key in a Content-Disposition header ("form-data; name=\"x\"; …"), in
 * the arena, backslash escapes undone; NULL when absent. */
static const char *multipart_param(struct arena *a, const char *h, size_t hn, const char *key)
{
    size_t kl = strlen(key);
    size_t i = 0;
    while (i < hn) {
        /* At the start of a parameter: after a ';' and blanks. */
        while (i < hn && h[i] != ';') {
            if (h[i] == '"') { /* skip quoted text, which may hold ';' */
                i++;
                while (i < hn && h[i] != '"') {
                    if (h[i] == '\\')
                        i++;
                    i++;
                }
            }
            i++;
        }
        i++;
        while (i < hn && (h[i] == ' ' || h[i] == '\t'))
            i++;
        if (i + kl + 1 > hn || strncasecmp(h + i, key, kl) != 0 || h[i + kl] != '=')
            continue;
        i += kl + 1;
        struct buf v = BUF_INIT;
        if (i < hn && h[i] == '"') {
            i++;
            while (i < hn && h[i] != '"') {
                if (h[i] == '\\' && i + 1 < hn)
                    i++;
                buf_append(&v, h + i, 1);
                i++;
            }
            if (i >= hn) { /* unterminated */
                buf_free(&v);
                return NULL;
            }
        } else {
            while (i < hn && h[i] != ';' && h[i] != ' ' && h[i] != '\t')
                buf_append(&v, h + i++, 1);
        }
        const char *out = arena_strndup(a, v.data ? v.data : "", v.len);
        buf_free(&v);
        return out;
    }
    return NULL;
}

/* A client's file name as something safe to show and to offer back: the last path component,
 * control characters dropped, at most 200 bytes cut on a character boundary; "" when not UTF-8. */
static const char *multipart_filename(struct arena *a, const char *raw)
{
    const char *base = raw;
    for (const char *p = raw; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    size_t n = strlen(base);
    if (!utf8_valid(base, n))
        return "";
    char *out = arena_alloc(a, n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)base[i];
        if (c < 0x20 || c == 0x7f)
            continue;
        out[j++] = (char)c;
    }
    out[j] = '\0';
    if (j > 200) {
        j = 200;
        while (j > 0 && ((unsigned char)out[j] & 0xc0) == 0x80)
            j--;
        out[j] = '\0';
    }
    return out;
}

/* One part's header block (h, hn bytes, lines ending in CRLF) into its name, file name (NULL
 * for a text part) and declared type; -1 when it has no form-data name. */
static int multipart_headers(struct arena *a, const char *h, size_t hn, const char **name,
                             const char **filename, const char **type)
{
    *name = *filename = NULL;
    *type = "";
    size_t i = 0;
    while (i < hn) {
        const char *eol = memmem(h + i, hn - i, "\r\n", 2);
        size_t len = eol ? (size_t)(eol - (h + i)) : hn - i;
        const char *line = h + i;
        if (len > 20 && strncasecmp(line, "Content-Disposition:", 20) == 0) {
            const char *v = line + 20;
            size_t vn = len - 20;
            while (vn && (*v == ' ' || *v == '\t'))
                v++, vn--;
            if (vn < 9 || strncasecmp(v, "form-data", 9) != 0)
                return -1;
            *name = multipart_param(a, v, vn, "name");
            const char *fn = multipart_param(a, v, vn, "filename");
            if (fn)
                *filename = multipart_filename(a, fn);
        } else if (len > 13 && strncasecmp(line, "Content-Type:", 13) == 0) {
            const char *v = line + 13;
            size_t vn = len - 13;
            while (vn && (*v == ' ' || *v == '\t'))
                v++, vn--;
            if (vn > 200)
                vn = 200;
            *type = arena_strndup(a, v, vn);
        }
        i += len + 2;
    }
    if (!*name || !**name || !utf8_valid(*name, strlen(*name)) || strlen(*name) > 100)
        return -1;
    return 0;
}

int http_parse_multipart(struct arena *a, const char *boundary, const char *body, size_t n,
                         struct kvlist *form, struct http_file *files, int maxfiles, int *nfiles)
{
    *nfiles = 0;
    size_t bl = strlen(boundary);
    /* "\r\n--boundary": the delimiter between parts; the first may come without its CRLF. */
    char *delim = arena_alloc(a, bl + 5);
    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, boundary, bl + 1);
    size_t dl = bl + 4;
    const char *end = body + n;
    const char *p;
    if (n >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0) {
        p = body + dl - 2;
    } else {
        const char *d = memmem(body, n, delim, dl);
        if (!d)
            return -1;
        p = d + dl;
    }
    int parts = 0;
    for (;;) {
        /* After a delimiter: "--" closes the body, CRLF opens a part (blanks may come first). */
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            return 0;
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
            return -1;
        p += 2;
        if (++parts > MULTIPART_PARTS_MAX)
            return -1;
        const char *hend;
        if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
            hend = p; /* no headers at all: refused below for want of a name */
        } else {
            size_t look = (size_t)(end - p);
            if (look > MULTIPART_HEADERS_MAX + 4)
                look = MULTIPART_HEADERS_MAX + 4;
            const char *h = memmem(p, look, "\r\n\r\n", 4);
            if (!h)
                return -1;
            hend = h + 2;
        }
        const char *name, *filename, *type;
        if (multipart_headers(a, p, (size_t)(hend - p), &name, &filename, &type) != 0)
            return -1;
        const char *data = hend + 2;
        if (data > end)
            return -1;
        const char *d = memmem(data, (size_t)(end - data), delim, dl);
        if (!d)
            return -1; /* cut before its closing delimiter */
        size_t len = (size_t)(d - data);
        if (filename) {
            if (*nfiles >= maxfiles)
                return -1;
            files[*nfiles] = (struct http_file){.name = name,
                                                .filename = filename,
                                                .content_type = type,
                                                .data = (const unsigned char *)data,
                                                .len = len};
            (*nfiles)++;
        } else {
            if (len > MULTIPART_TEXT_MAX || !utf8_valid(data, len))
                return -1;
            if (http_kv_add(a, form, name, arena_strndup(a, data, len)) != 0)
                return -1;
        }
        p = d + dl;
    }
}

const struct http_file *http_file(const struct request *req, const char *name)
{
    for (int i = 0; i < req->nfiles; i++)
        if (strcmp(req->files[i].name, name) == 0)
            return &req->files[i];
    return NULL;
}
