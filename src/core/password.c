/* password.c — the password rules and the list of common passwords, sorted once in memory and
 * searched by bisection. */
#include "core/password.h"
#include "util/utf8.h"
#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char **password_list;
static long password_count;
static long password_loaded = -1;
static pthread_mutex_t password_lock = PTHREAD_MUTEX_INITIALIZER;

static int password_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

long password_list_load(const char *datadir)
{
    pthread_mutex_lock(&password_lock);
    if (password_list) {
        pthread_mutex_unlock(&password_lock);
        return password_count;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", datadir, PASSWORD_LIST_RELATIVE);
    json_t *list = json_load_file(path, 0, NULL);
    long n = json_is_array(list) ? (long)json_array_size(list) : -1;
    if (n > 0) {
        char **words = calloc((size_t)n, sizeof *words);
        long k = 0;
        for (long i = 0; words && i < n; i++) {
            const char *w = json_string_value(json_array_get(list, (size_t)i));
            if (!w || !*w)
                continue;
            /* Compared in lower case: "Password" is as common as "password". */
            char *c = strdup(w);
            if (!c)
                break;
            for (char *p = c; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            words[k++] = c;
        }
        if (words) {
            qsort(words, (size_t)k, sizeof *words, password_cmp);
            password_list = words;
            password_count = k;
            password_loaded = k;
        }
    }
    json_decref(list);
    long ret = password_list ? password_count : -1;
    pthread_mutex_unlock(&password_lock);
    return ret;
}

long password_list_size(void)
{
    pthread_mutex_lock(&password_lock);
    long n = password_loaded > 0 ? password_loaded : 0;
    pthread_mutex_unlock(&password_lock);
    return n;
}

static bool password_listed(const char *lower)
{
    pthread_mutex_lock(&password_lock);
    bool found = password_list && bsearch(&lower, password_list, (size_t)password_count,
                                          sizeof *password_list, password_cmp) != NULL;
    pthread_mutex_unlock(&password_lock);
    return found;
}

/* True when lower, with the digits and symbols at its end taken off, is a listed password: the
 * most common way of lengthening one ("motdepasse2026!", "dragon123456"). */
static bool password_listed_padded(char *lower)
{
    size_t n = strlen(lower);
    while (n > 0 && (isdigit((unsigned char)lower[n - 1]) || ispunct((unsigned char)lower[n - 1])))
        n--;
    size_t start = 0;
    while (start < n &&
           (isdigit((unsigned char)lower[start]) || ispunct((unsigned char)lower[start])))
        start++;
    if (n - start < 4)
        return false;
    char save = lower[n];
    lower[n] = '\0';
    bool found = password_listed(lower + start);
    lower[n] = save;
    return found;
}

static bool password_same_text(const char *lower, const char *other)
{
    if (!other || strlen(other) < 4)
        return false;
    char buf[256];
    size_t n = strlen(other);
    if (n >= sizeof buf)
        return false;
    for (size_t i = 0; i <= n; i++)
        buf[i] = (char)tolower((unsigned char)other[i]);
    return strstr(lower, buf) != NULL && strlen(lower) < n + 6;
}

const char *password_problem(const char *password, const char *email, const char *name)
{
    size_t n = password ? strlen(password) : 0;
    if (n > PASSWORD_MAX_BYTES || !utf8_valid(password, n))
        return "le mot de passe est trop long (1 024 octets au plus) ou contient des caractères "
               "invalides";
    if (n == 0 || utf8_count(password, n) < PASSWORD_MIN)
        return "le mot de passe doit compter au moins 12 caractères (une phrase courte est "
               "plus facile à retenir, ex. « vélo rouge sous la pluie »)";
    char *lower = malloc(n + 1);
    if (!lower)
        return "mémoire insuffisante";
    for (size_t i = 0; i <= n; i++)
        lower[i] = (char)tolower((unsigned char)password[i]);
    int distinct = 0;
    bool seen[256] = {false};
    for (size_t i = 0; i < n; i++)
        if (!seen[(unsigned char)lower[i]]) {
            seen[(unsigned char)lower[i]] = true;
            distinct++;
        }
    char local[256] = "";
    const char *at = email ? strchr(email, '@') : NULL;
    if (at && (size_t)(at - email) < sizeof local) {
        memcpy(local, email, (size_t)(at - email));
        local[at - email] = '\0';
    }
    const char *why = NULL;
    if (distinct < 4)
        why = "ce mot de passe répète trop peu de caractères différents : il se devine vite";
    else if (password_listed(lower) || password_listed_padded(lower))
        why = "ce mot de passe fait partie des plus courants (listes de mots de passe divulgués) "
              ": choisissez-en un autre";
    else if (password_same_text(lower, local) || password_same_text(lower, email) ||
             password_same_text(lower, name))
        why = "le mot de passe ne doit pas reprendre votre nom ou votre adresse e-mail";
    free(lower);
    return why;
}
