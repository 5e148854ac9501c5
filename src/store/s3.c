/* s3.c — blobs as objects of an S3-compatible store (see s3.h): the address and keys given at
 * start-up, and one libcurl handle per call (no handle is shared between threads), signed with
 * AWS Signature V4 by libcurl itself (CURLOPT_AWS_SIGV4), path-style URLs. */
#include "store/s3.h"
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Set once by s3_configure before the threads start, read only afterwards. */
static char s3_base[1024]; /* scheme://host[:port]/bucket[/prefix], no trailing slash */
static char s3_sigv4[96];  /* aws:amz:REGION:s3 */
static char *s3_access, *s3_secret;
static bool s3_on;

/* A bucket's name as S3 allows it: 3 to 63 lowercase letters, digits, dots and hyphens, a letter
 * or digit at both ends. */
static bool s3_bucket_ok(const char *b, size_t n)
{
    if (n < 3 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = b[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && ((c != '.' && c != '-') || i == 0 || i == n - 1))
            return false;
    }
    return true;
}

int s3_configure(const char *url, char *err, size_t errlen)
{
    const char *rest;
    if (!url || (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)) {
        snprintf(err, errlen,
                 "--media-s3 : l'adresse doit commencer par http:// ou https:// "
                 "(https://hôte[:port]/compartiment[/préfixe]) : %s",
                 url ? url : "");
        return -1;
    }
    rest = strstr(url, "://") + 3;
    size_t hostlen = strcspn(rest, "/");
    const char *host = rest, *colon = memchr(host, ':', hostlen);
    size_t namelen = colon ? (size_t)(colon - host) : hostlen;
    bool host_ok =
        namelen > 0 && strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                    "0123456789.-") >= namelen;
    if (host_ok && colon) {
        size_t plen = hostlen - namelen - 1;
        long port = plen > 0 && plen <= 5 && strspn(colon + 1, "0123456789") >= plen
                        ? strtol(colon + 1, NULL, 10)
                        : 0;
        host_ok = port >= 1 && port <= 65535;
    }
    if (memchr(host, '@', hostlen)) {
        snprintf(err, errlen,
                 "--media-s3 : pas de clés dans l'adresse ; elles se donnent par "
                 "FOISON_S3_ACCESS_KEY et FOISON_S3_SECRET_KEY");
        return -1;
    }
    if (!host_ok) {
        snprintf(err, errlen, "--media-s3 : nom d'hôte ou port invalide dans %s", url);
        return -1;
    }
    const char *path = host + hostlen;
    if (*path)
        path++;
    size_t bucketlen = strcspn(path, "/");
    if (bucketlen == 0) {
        snprintf(err, errlen,
                 "--media-s3 : le compartiment (bucket) manque : "
                 "https://hôte[:port]/compartiment[/préfixe]");
        return -1;
    }
    if (!s3_bucket_ok(path, bucketlen)) {
        snprintf(err, errlen,
                 "--media-s3 : nom de compartiment invalide (3 à 63 minuscules, chiffres, points "
                 "ou tirets) : %.*s",
                 (int)bucketlen, path);
        return -1;
    }
    /* The prefix goes into every object's path as it is: only characters that need no
     * escaping, no empty or dot segment (the signature is computed on this very path). */
    const char *prefix = path + bucketlen;
    size_t plen = strlen(prefix);
    while (plen > 0 && prefix[plen - 1] == '/')
        plen--;
    bool prefix_ok = strspn(prefix, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                    "0123456789-_.~/") >= plen;
    for (size_t i = 0; prefix_ok && i < plen; i++)
        if (prefix[i] == '/') {
            size_t seg = strcspn(prefix + i + 1, "/");
            if (i + 1 + seg > plen)
                seg = plen - i - 1;
            if (seg == 0 || (seg == 1 && prefix[i + 1] == '.') ||
                (seg == 2 && strncmp(prefix + i + 1, "..", 2) == 0))
                prefix_ok = false;
        }
    if (!prefix_ok) {
        snprintf(err, errlen,
                 "--media-s3 : préfixe invalide après le compartiment (lettres, chiffres, - _ . ~ "
                 "et / seulement, sans ? ni #) : %s",
                 url);
        return -1;
    }
    size_t baselen = (size_t)(prefix - url) + plen;
    if (baselen >= sizeof s3_base - 80) {
        snprintf(err, errlen, "--media-s3 : adresse trop longue");
        return -1;
    }
    const char *access = getenv("FOISON_S3_ACCESS_KEY"), *secret = getenv("FOISON_S3_SECRET_KEY");
    const char *region = getenv("FOISON_S3_REGION");
    if (!access || !*access || !secret || !*secret) {
        snprintf(err, errlen,
                 "--media-s3 : clés manquantes : FOISON_S3_ACCESS_KEY et FOISON_S3_SECRET_KEY "
                 "doivent être dans l'environnement (jamais sur la ligne de commande)");
        return -1;
    }
    if (!region || !*region)
        region = "us-east-1";
    if (strlen(region) > 40 ||
        strspn(region, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(region)) {
        snprintf(err, errlen,
                 "FOISON_S3_REGION : région invalide (minuscules, chiffres et tirets) : %s",
                 region);
        return -1;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(err, errlen, "--media-s3 : libcurl ne démarre pas");
        return -1;
    }
    free(s3_access);
    free(s3_secret);
    s3_access = strdup(access);
    s3_secret = strdup(secret);
    if (!s3_access || !s3_secret) {
        snprintf(err, errlen, "--media-s3 : mémoire épuisée");
        return -1;
    }
    memcpy(s3_base, url, baselen);
    s3_base[baselen] = '\0';
    snprintf(s3_sigv4, sizeof s3_sigv4, "aws:amz:%s:s3", region);
    s3_on = true;
    return 0;
}

bool s3_configured(void)
{
    return s3_on;
}

/* What a GET brings back: at most want bytes into buf. */
struct s3_sink {
    unsigned char *buf;
    size_t want, got;
    bool over;
};

static size_t s3_write(char *p, size_t size, size_t nmemb, void *userdata)
{
    struct s3_sink *k = userdata;
    size_t n = size * nmemb;
    if (n > k->want - k->got) {
        k->over = true; /* more bytes than the row says: not this blob */
        return 0;
    }
    memcpy(k->buf + k->got, p, n);
    k->got += n;
    return n;
}

/* Discards an answer's body (an error's XML, a DELETE's nothing). */
static size_t s3_discard(char *p, size_t size, size_t nmemb, void *userdata)
{
    (void)p;
    (void)userdata;
    return size * nmemb;
}

/* One request on the object of hash; the answer's status in *status. Payload hash: the SHA-256
 * of body (of nothing for GET and DELETE), signed as x-amz-content-sha256 as S3 wants it. */
static int s3_request(const char *method, const char *hash, const char *mime, const void *body,
                      size_t len, struct s3_sink *sink, long *status, char *err, size_t errlen)
{
    *status = 0;
    if (!s3_on) {
        snprintf(err, errlen, "stockage S3 non configuré");
        return -1;
    }
    if (strlen(hash) != 64 || strspn(hash, "0123456789abcdef") != 64) {
        snprintf(err, errlen, "nom de fichier invalide");
        return -1;
    }
    char url[sizeof s3_base + 80];
    snprintf(url, sizeof url, "%s/%.2s/%s", s3_base, hash, hash);
    unsigned char sum[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(sum, body ? body : (const void *)"", body ? len : 0);
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, sum, sizeof sum);
    char h_sha[128], h_type[160];
    snprintf(h_sha, sizeof h_sha, "x-amz-content-sha256: %s", hex);
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, errlen, "libcurl : initialisation impossible");
        return -1;
    }
    struct curl_slist *hdrs = curl_slist_append(NULL, h_sha), *t;
    /* No "Expect: 100-continue" round trip before a large PUT. */
    if (hdrs && (t = curl_slist_append(hdrs, "Expect:")))
        hdrs = t;
    if (hdrs && mime) {
        snprintf(h_type, sizeof h_type, "Content-Type: %s", mime);
        if ((t = curl_slist_append(hdrs, h_type)))
            hdrs = t;
    }
    char curl_err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, s3_sigv4);
    curl_easy_setopt(c, CURLOPT_USERNAME, s3_access);
    curl_easy_setopt(c, CURLOPT_PASSWORD, s3_secret);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink ? s3_write : s3_discard);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
    if (body) {
        /* The bytes as a body libcurl holds whole (not copied), sent with PUT. */
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    if (strcmp(method, "GET") != 0)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    CURLcode rc = hdrs ? curl_easy_perform(c) : CURLE_OUT_OF_MEMORY;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK && !(sink && sink->over)) {
        snprintf(err, errlen, "%s %s : %s", method, url,
                 *curl_err ? curl_err : curl_easy_strerror(rc));
        return -1;
    }
    return 0;
}

int s3_put_object(const char *hash, const char *mime, const void *data, size_t len, char *err,
                  size_t errlen)
{
    long status;
    if (s3_request("PUT", hash, mime, data, len, NULL, &status, err, errlen) != 0)
        return -1;
    if (status != 200) {
        snprintf(err, errlen, "PUT refusé : HTTP %ld", status);
        return -1;
    }
    return 0;
}

int s3_get_object(struct arena *a, const char *hash, long long size, const unsigned char **data,
                  size_t *len, char *err, size_t errlen)
{
    if (size < 0) {
        snprintf(err, errlen, "taille invalide");
        return -1;
    }
    struct s3_sink k = {.buf = arena_alloc(a, size ? (size_t)size : 1), .want = (size_t)size};
    long status;
    if (s3_request("GET", hash, NULL, NULL, 0, &k, &status, err, errlen) != 0)
        return -1;
    if (status != 200) {
        snprintf(err, errlen, "GET refusé : HTTP %ld", status);
        return -1;
    }
    if (k.over || k.got != k.want) {
        snprintf(err, errlen, "l'objet n'a pas la taille attendue (%lld octets)", size);
        return -1;
    }
    *data = k.buf;
    *len = k.got;
    return 0;
}

int s3_delete_object(const char *hash, char *err, size_t errlen)
{
    long status;
    if (s3_request("DELETE", hash, NULL, NULL, 0, NULL, &status, err, errlen) != 0)
        return -1;
    if (status != 204 && status != 200 && status != 404) {
        snprintf(err, errlen, "DELETE refusé : HTTP %ld", status);
        return -1;
    }
    return 0;
}
