/* spam.c — the spam score (see spam.h). Each signal adds points and says why in French; the
 * signals are those open wikis meet: links and link density (newcomers get few, as on
 * Discourse), blocked domains, phone numbers and prices in bulk, commercial and gambling words,
 * the same text from several accounts, text typed implausibly fast, other scripts and languages,
 * a text blanked or mostly removed, insults, gibberish and shouting. Word signals look only at
 * the words a revision adds, so that an edit is not blamed for the record it edits. */
#include "core/spam.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/mem.h"
#include <pthread.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPAM_MAX_WORDS 20000

struct spam_words {
    const char **w; /* lower case, accents folded */
    int n;
};

struct spam_text {
    struct buf all; /* every text field, one per line */
    struct spam_words words;
    int links, phones, prices, letters, upper, foreign_script;
    int emails, emoji, shouts, md_letters, link_spam, discounts, sign_run;
    struct buf folded; /* the words in order, folded, one space apart: for phrases */
    int domains_blocked;
    const char *blocked_example;
};

/* Words that say "advertisement" or worse in open wikis, folded as spam_fold does. */
static const char *const spam_commercial[] = {
    "casino",    "casinos",   "poker",         "viagra",  "cialis",        "pharma",    "pharmacy",
    "pills",     "pilules",   "bitcoin",       "crypto",  "cryptomonnaie", "forex",     "loan",
    "loans",     "discount",  "soldes",        "cheap",   "buy",           "achetez",   "commandez",
    "backlinks", "seo",       "referencement", "escort",  "dating",        "serrurier", "coffre",
    "coffres",   "telegram",  "jackpot",       "betting", "bet",           "winner",    "gagnez",
    "replica",   "followers", "essay",         "mlm",     "guaranteed",    "minceur",   NULL,
};

/* Words of selling (a company's prose disguised as an initiative), counted when several. */
static const char *const spam_selling[] = {
    "ht",
    "ttc",
    "sas",
    "sarl",
    "ltd",
    "franchise",
    "franchises",
    "franchise",
    "courtier",
    "honoraires",
    "devis",
    "promotion",
    "reduction",
    "profitez",
    "tarifs",
    "abonnement",
    "cpf",
    "coach",
    "coaching",
    "pnl",
    "premium",
    "leader",
    "startup",
    "economisez",
    "recrute",
    "livraison",
    "garantie",
    "satisfait",
    "rembourse",
    "certifiee",
    "rge",
    "rentabilite",
    "defiscalisation",
    "customers",
    "award",
    "appelez",
    "contactez",
    "sms",
    "gratuitement",
    "financees",
    "investissement",
    "conseillers",
    "installe",
    "installons",
    "achat",
    "acheter",
    "vendez",
    "offert",
    "offerte",
    "offerts",
    "offertes",
    "showroom",
    "exceptionnel",
    "paiement",
    "demandez",
    "intervenons",
    "equipez-vous",
    "manquez",
    "disponibles",
    "appelez-nous",
    "contactez-nous",
    NULL,
};

static const char *const spam_insults[] = {
    "connard",      "connards",  "connasse",   "salope",  "salopes", "encule",      "encules",
    "enculer",      "merde",     "merdique",   "putain",  "pute",    "putes",       "batard",
    "batards",      "nique",     "niquer",     "fdp",     "ntm",     "abruti",      "abrutis",
    "debile",       "debiles",   "cretin",     "cretins", "idiot",   "idiots",      "imbecile",
    "imbeciles",    "con",       "conne",      "fuck",    "fucking", "shit",        "bitch",
    "asshole",      "moron",     "stupid",     "crap",    "dick",    "bastard",     "loser",
    "losers",       "naze",      "nazes",      "escroc",  "escrocs", "incompetent", "incompetente",
    "incompetents", "bobos",     "pipi",       "caca",    "prout",   "lol",         "mdr",
    "ptdr",         "incapable", "incapables", "boulet",  "boulets", NULL,
};

static const char *const spam_english[] = {
    "the",  "and", "you",  "your", "with",   "for",     "this",     "that",
    "are",  "our", "best", "from", "have",   "will",    "can",      "click",
    "here", "now", "get",  "more", "online", "service", "services", "is",
    "of",   "to",  "in",   "we",   "it",     "at",      NULL,
};

static const char *const spam_french[] = {
    "le",  "la",  "les",  "des",  "une",  "un",   "et",   "est",  "pour", "dans", "avec",
    "qui", "que", "sur",  "par",  "pas",  "plus", "nous", "vous", "du",   "au",   "aux",
    "ce",  "ces", "sont", "leur", "elle", "il",   "en",   "de",   NULL,
};

/* The word lists sorted once (for every thread: pthread_once), so that a word is looked up by
 * bisection: a text of a few hundred words meets each list hundreds of times. */
struct spam_sorted {
    const char *const *list;
    const char **sorted;
    size_t n;
};
static struct spam_sorted spam_lists[] = {
    {spam_commercial, NULL, 0}, {spam_selling, NULL, 0}, {spam_insults, NULL, 0},
    {spam_english, NULL, 0},    {spam_french, NULL, 0},
};
static pthread_once_t spam_lists_once = PTHREAD_ONCE_INIT;

static int spam_str_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static void spam_lists_sort(void)
{
    for (size_t i = 0; i < sizeof spam_lists / sizeof *spam_lists; i++) {
        struct spam_sorted *l = &spam_lists[i];
        while (l->list[l->n])
            l->n++;
        l->sorted = xmalloc(sizeof(*l->sorted) * (l->n + 1));
        memcpy(l->sorted, l->list, sizeof(*l->sorted) * l->n);
        qsort(l->sorted, l->n, sizeof(*l->sorted), spam_str_cmp);
    }
}

static bool spam_in(const char *w, const char *const *list)
{
    pthread_once(&spam_lists_once, spam_lists_sort);
    for (size_t i = 0; i < sizeof spam_lists / sizeof *spam_lists; i++)
        if (spam_lists[i].list == list)
            return bsearch(&w, spam_lists[i].sorted, spam_lists[i].n, sizeof(*spam_lists[i].sorted),
                           spam_str_cmp) != NULL;
    for (size_t i = 0; list[i]; i++)
        if (strcmp(w, list[i]) == 0)
            return true;
    return false;
}

static void spam_reason(struct arena *a, struct spam_result *r, int points, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void spam_reason(struct arena *a, struct spam_result *r, int points, const char *fmt, ...)
{
    r->score += points;
    if (r->nreasons == SPAM_MAX_REASONS)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *text = arena_vprintf(a, fmt, ap);
    va_end(ap);
    r->reasons[r->nreasons++] = arena_printf(a, "%s (+%d)", text, points);
}

/* The next code point of s (advancing *p), 0 at the end; a malformed byte is returned as is. */
static unsigned long spam_next(const unsigned char **p)
{
    const unsigned char *s = *p;
    unsigned long c = s[0];
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (len > 1) {
        c &= 0x3f >> (len - 1);
        for (int i = 1; i < len; i++) {
            if ((s[i] & 0xc0) != 0x80) {
                len = 1;
                c = s[0];
                break;
            }
            c = (c << 6) | (s[i] & 0x3f);
        }
    }
    *p = s + len;
    return c;
}

/* A letter of Latin script folded to lower-case ASCII ('\0' when it is not one). */
static char spam_fold(unsigned long c)
{
    if (c < 0x80)
        return isalnum((int)c) ? (char)tolower((int)c) : '\0';
    static const struct {
        unsigned long from, to;
        char base;
    } ranges[] = {
        {0xc0, 0xc5, 'a'},   {0xe0, 0xe5, 'a'}, {0xc7, 0xc7, 'c'}, {0xe7, 0xe7, 'c'},
        {0xc8, 0xcb, 'e'},   {0xe8, 0xeb, 'e'}, {0xcc, 0xcf, 'i'}, {0xec, 0xef, 'i'},
        {0xd1, 0xd1, 'n'},   {0xf1, 0xf1, 'n'}, {0xd2, 0xd6, 'o'}, {0xf2, 0xf6, 'o'},
        {0xd9, 0xdc, 'u'},   {0xf9, 0xfc, 'u'}, {0xdd, 0xdd, 'y'}, {0xfd, 0xff, 'y'},
        {0x152, 0x153, 'o'},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof *ranges; i++)
        if (c >= ranges[i].from && c <= ranges[i].to)
            return ranges[i].base;
    return '\0';
}

static bool spam_foreign_letter(unsigned long c)
{
    return (c >= 0x370 && c <= 0x3ff) ||   /* Greek */
           (c >= 0x400 && c <= 0x52f) ||   /* Cyrillic */
           (c >= 0x590 && c <= 0x6ff) ||   /* Hebrew, Arabic */
           (c >= 0x900 && c <= 0xdff) ||   /* Indic scripts */
           (c >= 0xe00 && c <= 0xe7f) ||   /* Thai */
           (c >= 0x3040 && c <= 0x30ff) || /* kana */
           (c >= 0x4e00 && c <= 0x9fff) || /* CJK */
           (c >= 0xac00 && c <= 0xd7af);   /* Hangul */
}

/* Words (folded) and letter counts of text into t. */
static void spam_scan_words(struct arena *a, const char *text, struct spam_text *t)
{
    const unsigned char *p = (const unsigned char *)text;
    char word[64];
    size_t wl = 0;
    unsigned long prev = 0;
    int run = 0;
    for (;;) {
        unsigned long c = *p ? spam_next(&p) : 0;
        /* Invisible characters (soft hyphen, zero-width spaces and joiners, word joiner, BOM)
         * split nothing: "ca\u00adsino" is "casino". */
        if (c == 0xad || (c >= 0x200b && c <= 0x200f) || c == 0x2060 || c == 0xfeff)
            continue;
        char f = c ? spam_fold(c) : '\0';
        if (c >= 0x1f300 && c <= 0x1faff)
            t->emoji++;
        if (c == '!' && p[0] == '!' && p[1] == '!')
            t->shouts++;
        /* The longest run of one punctuation sign (not Markdown's rules and underlines). */
        run = c == prev ? run + 1 : 1;
        prev = c;
        if (c && c < 0x80 && strchr(";!?.,:", (int)c) && run > t->sign_run)
            t->sign_run = run;
        if (c && spam_foreign_letter(c)) {
            t->foreign_script++;
            t->letters++;
        } else if (f && !isdigit((unsigned char)f)) {
            t->letters++;
            if (c < 0x80 && isupper((int)c))
                t->upper++;
        }
        /* A hyphen between letters belongs to the word: "pique-nique" is not "nique". */
        if (!f && c == '-' && wl && spam_fold((unsigned char)*p) != '\0')
            f = '-';
        if (f && wl < sizeof word - 1) {
            word[wl++] = f;
            continue;
        }
        if (f) /* a word longer than 63 letters: keep counting it as one */
            continue;
        if (wl && t->words.n < SPAM_MAX_WORDS) {
            word[wl] = '\0';
            t->words.w[t->words.n++] = arena_strdup(a, word);
            buf_putc(&t->folded, ' ');
            buf_append(&t->folded, word, wl);
        }
        wl = 0;
        if (!c)
            break;
    }
}

/* Is the domain of a link in the blocked list (the domain itself or one of its subdomains)? */
static bool spam_domain_blocked(const char *host, size_t n, const char *blocked)
{
    const char *p = blocked;
    while (p && *p) {
        p += strspn(p, " ,;\n\r\t");
        size_t len = strcspn(p, " ,;\n\r\t");
        if (len && len <= n && strncasecmp(host + n - len, p, len) == 0 &&
            (len == n || host[n - len - 1] == '.'))
            return true;
        p += len;
    }
    return false;
}

/* Does a link's address (host and path) hold words of advertisement ("pharma-express",
 * "casino-bonus"): what a link disguised behind honest words gives away. */
static bool spam_link_words(const char *url, size_t n)
{
    char word[32];
    size_t wl = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = i < n ? (char)tolower((unsigned char)url[i]) : '\0';
        if (c >= 'a' && c <= 'z' && wl < sizeof word - 1) {
            word[wl++] = c;
            continue;
        }
        word[wl] = '\0';
        if (wl >= 3 && spam_in(word, spam_commercial))
            return true;
        wl = 0;
    }
    return false;
}

/* Links (http://, https://, www.), checked against the blocked domains. */
static void spam_scan_links(struct arena *a, const char *text, const char *blocked,
                            struct spam_text *t)
{
    for (const char *p = text; *p; p++) {
        const char *host = NULL;
        if (*p != 'h' && *p != 'H' && *p != 'w' && *p != 'W' && *p != '/')
            continue;
        if (strncasecmp(p, "https://", 8) == 0)
            host = p + 8;
        else if (strncasecmp(p, "http://", 7) == 0)
            host = p + 7;
        else if (strncasecmp(p, "http&#58;//", 11) == 0 || strncasecmp(p, "http&colon;//", 13) == 0)
            host = strstr(p, "//") + 2; /* an entity the Markdown renderer decodes into ':' */
        else if (strncasecmp(p, "https&#58;//", 12) == 0 ||
                 strncasecmp(p, "https&colon;//", 14) == 0)
            host = strstr(p, "//") + 2;
        else if (p[0] == '/' && p[1] == '/' && p > text && strchr("(\"'=", p[-1]) &&
                 isalnum((unsigned char)p[2]))
            host = p + 2; /* protocol-relative: "[x](//site.example)" */
        else if (strncasecmp(p, "www.", 4) == 0 && (p == text || !isalnum((unsigned char)p[-1])))
            host = p;
        if (!host)
            continue;
        size_t whole = strcspn(host, ") \t\r\n\"'<>]");
        /* The host is after any "login@" and before the port or the path. */
        const char *at = memchr(host, '@', strcspn(host, "/?#) \t\r\n\"'<>]"));
        if (at && (size_t)(at - host) < whole)
            host = at + 1;
        size_t n = strcspn(host, "/?#:) \t\r\n\"'<>]");
        while (n && host[n - 1] == '.') /* "site.example." is site.example */
            n--;
        t->links++;
        if (spam_link_words(host, whole))
            t->link_spam++;
        if (blocked && n && spam_domain_blocked(host, n, blocked)) {
            t->domains_blocked++;
            if (!t->blocked_example)
                t->blocked_example = arena_strndup(a, host, n);
        }
        p = host + (n ? n - 1 : 0);
    }
}

/* Phone numbers (ten digits in French groupings, or + and eight to fifteen digits) and prices
 * (a number next to €, $, £ or "euros"). */
static void spam_scan_numbers(const char *text, struct spam_text *t)
{
    for (const char *p = text; *p;) {
        if (!isdigit((unsigned char)*p) && *p != '+') {
            p++;
            continue;
        }
        const char *start = p;
        int digits = 0;
        while (*p && (isdigit((unsigned char)*p) || *p == ' ' || *p == '.' || *p == '-' ||
                      (*p == '+' && p == start))) {
            if (isdigit((unsigned char)*p))
                digits++;
            if (*p == ' ' && !isdigit((unsigned char)p[1]))
                break;
            p++;
        }
        if ((digits == 10 && start[0] == '0') || (start[0] == '+' && digits >= 8 && digits <= 15))
            t->phones++;
        const char *after = p;
        while (*after == ' ' || (unsigned char)*after == 0xc2) /* spaces, no-break spaces */
            after++;
        if ((unsigned char)after[0] == 0xa0)
            after++;
        if (digits && digits < 8 &&
            (strncmp(after, "€", 3) == 0 || *after == '$' || strncmp(after, "£", 2) == 0 ||
             strncasecmp(after, "euro", 4) == 0 || strncasecmp(after, "eur ", 4) == 0))
            t->prices++;
        if (p == start)
            p++;
    }
}

/* Discounts: "-20 %" or "-35%", and promotion codes ("code CYBER10", "code « KERHUON »"). */
/* Promotion codes: "code CYBER10", "code « KERHUON »" (capitals and digits), not the codes of
 * administration ("code INSEE 29189", "code postal", "code NAF"). */
static int spam_count_discounts(const char *text)
{
    static const char *const official[] = {"INSEE",  "NAF", "APE",  "SIRET", "SIREN",
                                           "POSTAL", "RNA", "ROME", "CPV",   NULL};
    int n = 0;
    for (const char *p = text; *p; p++) {
        if ((*p != 'c' && *p != 'C') || strncasecmp(p, "code ", 5) != 0 ||
            (p > text && isalpha((unsigned char)p[-1])))
            continue;
        const char *q = p + 5;
        while (*q && !isalnum((unsigned char)*q) && q < p + 12)
            q++;
        int caps = 0, len = 0;
        for (; isalnum((unsigned char)q[len]) && len < 40; len++)
            caps += isupper((unsigned char)q[len]) || isdigit((unsigned char)q[len]);
        bool admin = false;
        for (size_t i = 0; official[i] && !admin; i++)
            admin = (size_t)len == strlen(official[i]) && strncasecmp(q, official[i], len) == 0;
        n += len >= 4 && caps == len && !admin;
    }
    return n;
}

static int spam_count_emails(const char *text)
{
    /* One pass: an '@' between a letter or digit and a domain with a dot before the next
     * space. */
    int n = 0;
    const char *dot_after = NULL; /* the first '.' at or after the current position, cached */
    for (const char *p = text; *p; p++) {
        if (*p != '@' || p == text || !isalnum((unsigned char)p[-1]) ||
            !isalnum((unsigned char)p[1]))
            continue;
        if (!dot_after || dot_after < p)
            dot_after = strchr(p, '.');
        const char *end = p + strcspn(p, " \t\r\n");
        n += dot_after && dot_after < end;
    }
    return n;
}

static int spam_word_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static void spam_text_of(struct arena *a, const struct kind_def *k, json_t *fields,
                         const char *blocked, struct spam_text *t)
{
    memset(t, 0, sizeof(*t));
    t->words.w = arena_alloc(a, sizeof(*t->words.w) * SPAM_MAX_WORDS);
    for (size_t i = 0; fields && i < k->nfields; i++) {
        const struct field_def *f = &k->fields[i];
        const char *v = json_string_value(json_object_get(fields, f->name));
        if (!v || (f->type != FT_TEXT && f->type != FT_MARKDOWN && f->type != FT_URL))
            continue;
        buf_puts(&t->all, v);
        buf_putc(&t->all, '\n');
        if (f->type == FT_MARKDOWN)
            for (const unsigned char *q = (const unsigned char *)v; *q;)
                t->md_letters += spam_fold(spam_next(&q)) != '\0';
    }
    const char *all = buf_cstr(&t->all);
    t->emails = spam_count_emails(all);
    t->discounts = spam_count_discounts(all);
    spam_scan_words(a, all, t);
    /* Sorted once: every word signal below works on sorted lists (phrases use t->folded). */
    qsort(t->words.w, (size_t)t->words.n, sizeof(*t->words.w), spam_word_cmp);
    spam_scan_links(a, all, blocked, t);
    spam_scan_numbers(all, t);
}

/* The words of now that before does not have (as many times as they are added): a multiset
 * difference of the two sorted lists, sorted too. */
static struct spam_words spam_added(struct arena *a, struct spam_words now,
                                    struct spam_words before)
{
    struct spam_words out = {arena_alloc(a, sizeof(*out.w) * (size_t)(now.n + 1)), 0};
    const char *const *x = now.w, *const *y = before.w; /* both sorted (spam_text_of) */
    int i = 0, j = 0;
    while (i < now.n) {
        int c = j < before.n ? strcmp(x[i], y[j]) : -1;
        if (c == 0) {
            i++;
            j++;
        } else if (c < 0) {
            out.w[out.n++] = x[i++];
        } else {
            j++;
        }
    }
    return out;
}

/* Insults that are ordinary words alone ("nul", "cul", "con"): counted as phrases. */
static const char *const spam_insult_phrases[] = {
    " gros nul",      " trop nul",  " est nul",          " site nul",
    " mon cul",       " a la con",  " allez vous faire", " va te faire",
    " ta gueule",     " fermez la", " bande de nazes",   " bande d escrocs",
    " bande de cons", " de merde",  " sale con",         NULL,
};

static int spam_phrase_count(const char *text, const char *phrase)
{
    int n = 0;
    size_t len = strlen(phrase);
    for (const char *p = strstr(text, phrase); p; p = strstr(p + 1, phrase))
        n += p[len] == ' ' || p[len] == '\0';
    return n;
}

static bool spam_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

/* A word no language writes: long without vowels, or with a run of five consonants. */
static bool spam_gibberish_word(const char *w)
{
    size_t n = strlen(w), vowels = 0, run = 0, max_run = 0, digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (isdigit((unsigned char)w[i])) {
            digits++;
            run = 0;
            continue;
        }
        if (spam_vowel(w[i])) {
            vowels++;
            run = 0;
        } else if (++run > max_run) {
            max_run = run;
        }
    }
    if (digits)
        return false;
    return (n >= 5 && vowels == 0) || max_run >= 5 || n > 25;
}

static long spam_total_letters(const struct spam_words *w)
{
    long n = 0;
    for (int i = 0; i < w->n; i++)
        n += (long)strlen(w->w[i]);
    return n;
}

/* Counts of the content words (four letters or more, not common French or English) that come
 * back three times or more: keyword stuffing repeats a few words over and over. */
static int spam_stuffed(struct arena *a, const struct spam_words *w, int *repeated)
{
    const char **x = arena_alloc(a, sizeof(*x) * (size_t)(w->n + 1));
    int n = 0;
    for (int i = 0; i < w->n; i++)
        if (strlen(w->w[i]) >= 4 && !spam_in(w->w[i], spam_french) &&
            !spam_in(w->w[i], spam_english))
            x[n++] = w->w[i]; /* w is sorted, so x is */
    *repeated = 0;
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && strcmp(x[j], x[i]) == 0)
            j++;
        if (j - i >= 3)
            *repeated += j - i;
        i = j;
    }
    return n;
}

static int spam_distinct(const struct spam_words *w)
{
    int d = 0; /* w is sorted */
    for (int i = 0; i < w->n; i++)
        d += i == 0 || strcmp(w->w[i], w->w[i - 1]) != 0;
    return d;
}

/* A word of hexadecimal noise or a run of one letter: what bots and keyboard mashing leave. */
static bool spam_noise_word(const char *w)
{
    size_t n = strlen(w), digits = 0, hex = 0;
    for (size_t i = 0; i < n; i++) {
        digits += isdigit((unsigned char)w[i]) != 0;
        hex += isxdigit((unsigned char)w[i]) != 0;
    }
    return n >= 6 && digits && digits < n && hex == n;
}

void spam_score(struct arena *a, const struct spam_input *in, struct spam_result *out)
{
    memset(out, 0, sizeof(*out));
    struct spam_text now, was;
    spam_text_of(a, in->kind, in->fields, in->blocked_domains, &now);
    spam_text_of(a, in->kind, in->before, in->blocked_domains, &was);
    bool edit = in->before != NULL;
    struct spam_words added = edit ? spam_added(a, now.words, was.words) : now.words;
    struct spam_words removed =
        edit ? spam_added(a, was.words, now.words) : (struct spam_words){NULL, 0};
    bool newcomer = in->role < ROLE_TRUSTED;
#define SPAM_DELTA(field) (now.field - (edit ? was.field : 0))
    int links = SPAM_DELTA(links);
    /* Links: newcomers get two, as Discourse allows new users; everyone gets a density. */
    int allowed = newcomer ? 2 : 8;
    if (links > allowed)
        spam_reason(a, out, (links - allowed) * (newcomer ? 12 : 8),
                    "%d liens ajoutés (%d au plus sans relecture)", links, allowed);
    if (links >= 3 && added.n < links * 15)
        spam_reason(a, out, 25, "beaucoup de liens pour peu de texte (%d liens, %d mots)", links,
                    added.n);
    if (SPAM_DELTA(link_spam) > 0)
        spam_reason(a, out, 60, "lien vers une adresse de publicité");
    if (SPAM_DELTA(domains_blocked) > 0)
        spam_reason(a, out, 100, "lien vers un domaine bloqué (%s)", now.blocked_example);
    int phones = SPAM_DELTA(phones), emails = SPAM_DELTA(emails);
    if (phones >= 3)
        spam_reason(a, out, 10 * (phones - 1), "%d numéros de téléphone ajoutés", phones);
    if (emails >= 3)
        spam_reason(a, out, 10 * (emails - 1), "%d adresses e-mail ajoutées", emails);
    if (SPAM_DELTA(discounts) > 0)
        spam_reason(a, out, 55, "remise ou code de promotion");
    int prices = SPAM_DELTA(prices);
    /* Prices, like links: a few for newcomers, a price list for trusted contributors. */
    int prices_allowed = newcomer ? 2 : 6;
    if (prices > prices_allowed)
        spam_reason(a, out, 8 * prices > 48 ? 48 : 8 * prices, "%d prix ajoutés", prices);
    /* Words of the added text. */
    int commercial = 0, insults = 0, english = 0, french = 0, gibberish = 0, noise = 0;
    const char *commercial_example = NULL, *insult_example = NULL;
    const char **selling = arena_alloc(a, sizeof(*selling) * (size_t)(added.n + 1));
    int nselling = 0;
    for (int i = 0; i < added.n; i++) {
        const char *w = added.w[i];
        if (spam_in(w, spam_commercial)) {
            commercial++;
            commercial_example = commercial_example ? commercial_example : w;
        }
        if (spam_in(w, spam_selling)) {
            bool seen = false;
            for (int j = 0; j < nselling && !seen; j++)
                seen = strcmp(selling[j], w) == 0;
            if (!seen)
                selling[nselling++] = w;
        }
        if (spam_in(w, spam_insults)) {
            insults++;
            insult_example = insult_example ? insult_example : w;
        }
        english += spam_in(w, spam_english);
        french += spam_in(w, spam_french);
        gibberish += spam_gibberish_word(w);
        noise += spam_noise_word(w);
    }
    /* A private messaging app with a number or an address to reach it: how scams start. */
    bool messaging = false;
    for (int i = 0; i < added.n && !messaging; i++)
        messaging = strcmp(added.w[i], "whatsapp") == 0 || strcmp(added.w[i], "telegram") == 0 ||
                    strcmp(added.w[i], "viber") == 0;
    if (messaging && (phones > 0 || emails > 0))
        spam_reason(a, out, newcomer ? 50 : 25, "contact par messagerie privée");
    if (commercial)
        spam_reason(a, out, commercial >= 2 ? 60 : 30,
                    "%d mot%s de publicité ou de jeux d'argent (« %s »…)", commercial,
                    commercial > 1 ? "s" : "", commercial_example);
    /* A trusted contributor describing a shop or its prices is not selling: half the points. */
    int selling_points = 35 + (nselling - 3) * 20 > 75 ? 75 : 35 + (nselling - 3) * 20;
    if (nselling >= 3)
        spam_reason(a, out, newcomer ? selling_points : selling_points / 2,
                    "vocabulaire commercial (« %s », « %s », « %s »…)", selling[0], selling[1],
                    selling[2]);
    for (size_t i = 0; spam_insult_phrases[i]; i++)
        if (spam_phrase_count(buf_cstr(&now.folded), spam_insult_phrases[i]) >
            spam_phrase_count(buf_cstr(&was.folded), spam_insult_phrases[i])) {
            insults++;
            insult_example = insult_example ? insult_example : spam_insult_phrases[i] + 1;
        }
    if (insults)
        spam_reason(a, out, insults >= 2 ? 80 : 50, "%d insulte%s ou grossièreté%s (« %s »…)",
                    insults, insults > 1 ? "s" : "", insults > 1 ? "s" : "", insult_example);
    if (added.n >= 8 && english > 2 * french && english >= 3)
        spam_reason(a, out, 50, "texte ajouté en anglais (%d mots anglais courants, %d français)",
                    english, french);
    int foreign = SPAM_DELTA(foreign_script);
    if (foreign >= 10)
        spam_reason(a, out, 60, "texte dans une autre écriture (%d lettres)", foreign);
    if (added.n >= 2 && (gibberish + noise) * 3 >= added.n)
        spam_reason(a, out, 60, "suite de lettres sans mots (%d mots sur %d)", gibberish + noise,
                    added.n);
    if (added.n >= 8 && spam_distinct(&added) * 3 <= added.n)
        spam_reason(a, out, 50, "les mêmes mots répétés (%d mots, %d différents)", added.n,
                    spam_distinct(&added));
    int repeated;
    int content = spam_stuffed(a, &added, &repeated);
    if (content >= 15 && repeated >= 12 && repeated * 3 >= content)
        spam_reason(a, out, 40, "mots-clés répétés (%d mots sur %d)", repeated, content);
    int letters = SPAM_DELTA(letters);
    if (letters >= 30 && now.upper * 2 > now.letters)
        spam_reason(a, out, 20, "texte en majuscules");
    if (now.sign_run >= 15 && now.sign_run > was.sign_run)
        spam_reason(a, out, 50, "suite de %d signes identiques", now.sign_run);
    if (SPAM_DELTA(shouts) >= 2)
        spam_reason(a, out, 15, "points d'exclamation en rafale");
    if (SPAM_DELTA(emoji) >= 3)
        spam_reason(a, out, 10, "émojis en série");
    /* Blanking: the text of a record removed or replaced. */
    if (edit && was.md_letters >= 100 && now.md_letters * 4 < was.md_letters)
        spam_reason(a, out, 70, "%d %% du texte supprimé",
                    100 - now.md_letters * 100 / was.md_letters);
    else if (edit && was.words.n >= 30 && removed.n * 10 >= was.words.n * 6)
        spam_reason(a, out, 55, "la plus grande partie du texte remplacée (%d mots sur %d)",
                    removed.n, was.words.n);
    /* The same text from several accounts. */
    if (in->repeats > 0)
        spam_reason(a, out, 40 + 10 * (in->repeats > 4 ? 4 : in->repeats - 1),
                    "le même texte a été enregistré par %d autre%s compte%s", in->repeats,
                    in->repeats > 1 ? "s" : "", in->repeats > 1 ? "s" : "");
    /* Typed implausibly fast: a robot posts in seconds, a person takes longer than ten to write
     * even one sentence. */
    long added_letters = spam_total_letters(&added);
    if (in->fill_seconds >= 0 && in->fill_seconds < 10 && (added_letters >= 20 || removed.n >= 20))
        spam_reason(a, out, 50, "formulaire rempli en %ld s", in->fill_seconds);
    else if (in->fill_seconds >= 0 && added_letters > 1500 && in->fill_seconds < 30)
        spam_reason(a, out, 20, "%ld lettres saisies en %ld s", added_letters, in->fill_seconds);
    if (in->unstamped && (added_letters >= 20 || removed.n >= 20))
        spam_reason(a, out, 25, "formulaire envoyé sans son horodatage");
    /* A brand-new account posting links: the usual shape of a spam account. */
    if (newcomer && in->account_age >= 0 && in->account_age < 3600 && links > 0 && out->score > 0)
        spam_reason(a, out, 10, "compte créé il y a moins d'une heure");
#undef SPAM_DELTA
    buf_free(&now.all);
    buf_free(&was.all);
    buf_free(&now.folded);
    buf_free(&was.folded);
}

char *spam_reasons_json(const struct spam_result *r)
{
    json_t *list = json_array();
    for (int i = 0; i < r->nreasons; i++)
        json_array_append_new(list, json_string(r->reasons[i]));
    char *s = json_dumps(list, JSON_COMPACT);
    json_decref(list);
    return s;
}
