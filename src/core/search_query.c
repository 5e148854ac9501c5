/* search_query.c — the query language of search (core/search.h): a query as a person types it
 * parsed into clauses (words, "phrases", -exclusions, OR alternatives), the canonical text a
 * query is written back as, and whether it has anything to look for. Nothing typed is ever
 * syntax for an engine: the engine only sees the clauses.
 *
 * The rules, beyond those search.h states:
 * - Separators: invalid UTF-8 bytes, NUL and every control character (C0, DEL, C1), Unicode
 *   spaces (U+0020, U+00A0, U+1680, U+2000-U+200A, U+202F, U+205F, U+3000), line and paragraph
 *   separators, and the invisible characters a paste brings along (U+200B, U+200E, U+200F,
 *   U+202A-U+202E, U+2060, U+2066-U+2069, U+FEFF). Soft hyphens and joiners stay in words.
 * - Quotes are " « » “ ”: outside a phrase any of them opens one; inside, it is closed by the
 *   opener's partner or by the opener itself (« », » «, “ ”, ” ” and " " all work); any other
 *   quote inside is a separator, so a word never holds a quote.
 * - "|" is always an operator, never part of a word. OR and OU are operators as whole words,
 *   outside phrases only; a doubled one counts once ("a OR OR b" is "a OR b").
 * - Leading dashes are stripped from every word, in phrases too: a word never starts with "-",
 *   so written back it cannot read as an exclusion.
 * - A phrase of one word is a plain word (phrase is false, nwords >= 2 for a phrase).
 * - As you type, only a plain word that is not negated becomes a prefix: an exclusion being
 *   typed excludes whole words only, rather than hiding everything starting so.
 * - The query kept is the one whose canonical text fits in SEARCH_MAX_QUERY bytes (the text
 *   can be longer than what was typed: "a|b" is written "a OR b"), trailing words dropped: so
 *   parsing search_query_text's output always gives the same query back. */
#include "core/search.h"
#include "util/arena.h"
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define QP_INVALID 0xFFFFFFFFu /* the code point of a byte that starts no valid character */

enum qp_class {
    QP_SEP,   /* between words */
    QP_QUOTE, /* opens or closes a phrase */
    QP_BAR,   /* "|": OR */
    QP_WORD,  /* part of a word */
};

/* Decodes the character at s[0..n) (n >= 1) into *cp, strictly (no overlong form, no
 * surrogate, nothing past U+10FFFF); returns its length. A byte that starts no valid character
 * is one character of its own, QP_INVALID, so that the reader always moves on. */
static size_t qp_decode(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    size_t len;
    unsigned v, min;
    *cp = QP_INVALID;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        v = c & 0x1f;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        v = c & 0x0f;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        return 1;
    }
    if (len > n)
        return 1;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 1;
        v = (v << 6) | (s[k] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 1;
    *cp = v;
    return len;
}

static enum qp_class qp_classify(unsigned cp)
{
    if (cp == QP_INVALID || cp <= 0x20 || (cp >= 0x7f && cp <= 0xa0))
        return QP_SEP; /* C0, space, DEL, C1, no-break space */
    if (cp == '"' || cp == 0xab || cp == 0xbb || cp == 0x201c || cp == 0x201d)
        return QP_QUOTE;
    if (cp == '|')
        return QP_BAR;
    if (cp < 0x1680)
        return QP_WORD;
    if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200b) || cp == 0x200e || cp == 0x200f ||
        (cp >= 0x2028 && cp <= 0x202f) || cp == 0x205f || cp == 0x2060 ||
        (cp >= 0x2066 && cp <= 0x2069) || cp == 0x3000 || cp == 0xfeff)
        return QP_SEP;
    return QP_WORD;
}

/* Whether quote cp closes a phrase opened by quote opener. */
static bool qp_closes(unsigned opener, unsigned cp)
{
    if (cp == opener)
        return true;
    switch (opener) {
    case 0xab:
        return cp == 0xbb;
    case 0xbb:
        return cp == 0xab;
    case 0x201c:
        return cp == 0x201d;
    case 0x201d:
        return cp == 0x201c;
    default:
        return false;
    }
}

/* A plain word that would read as an operator: written back in quotes. */
static bool qp_is_operator_word(const char *w)
{
    return strcmp(w, "OR") == 0 || strcmp(w, "OU") == 0;
}

struct qp {
    struct arena *a;
    const unsigned char *s;
    size_t end; /* bytes read: the query cut on a character boundary */
    struct search_query *q;
    /* Where the last word of each clause ended in s: the last clause is a prefix only when its
     * word runs to the end of what was typed. */
    size_t word_end[SEARCH_MAX_CLAUSES];
    bool or_pending; /* an OR seen since the last clause */
    bool full;       /* SEARCH_MAX_CLAUSES reached: the rest is ignored */
};

/* The character at i (< p->end), its class in *cls; returns its length. */
static size_t qp_char_at(const struct qp *p, size_t i, unsigned *cp, enum qp_class *cls)
{
    size_t l = qp_decode(p->s + i, p->end - i, cp);
    *cls = qp_classify(*cp);
    return l;
}

/* Where the run of word characters starting at i ends. */
static size_t qp_run_end(const struct qp *p, size_t i)
{
    while (i < p->end) {
        unsigned cp;
        enum qp_class cls;
        size_t l = qp_char_at(p, i, &cp, &cls);
        if (cls != QP_WORD)
            break;
        i += l;
    }
    return i;
}

/* The word s[0..n) (valid UTF-8: a run of word characters) cut at SEARCH_MAX_WORD bytes on a
 * character boundary, in the arena. */
static const char *qp_word(struct arena *a, const unsigned char *s, size_t n)
{
    size_t k = 0;
    while (k < n) {
        unsigned cp;
        size_t l = qp_decode(s + k, n - k, &cp);
        if (k + l > SEARCH_MAX_WORD)
            break;
        k += l;
    }
    return arena_strndup(a, (const char *)s, k);
}

/* Appends a clause of words[0..nw) (nw >= 1), joined to the previous one when an OR came
 * between them and neither side is negated; the OR is used up either way. */
static void qp_emit(struct qp *p, const char *const *words, int nw, bool negated, size_t word_end)
{
    struct search_query *q = p->q;
    if (q->n == SEARCH_MAX_CLAUSES) {
        p->full = true;
        return;
    }
    if (p->or_pending && q->n > 0 && !q->clauses[q->n - 1].negated && !negated)
        q->clauses[q->n - 1].or_next = true;
    p->or_pending = false;
    struct search_clause *c = &q->clauses[q->n];
    const char **w = arena_alloc(p->a, (size_t)nw * sizeof *w);
    for (int i = 0; i < nw; i++)
        w[i] = words[i];
    c->words = w;
    c->nwords = nw;
    c->phrase = nw > 1;
    c->negated = negated;
    p->word_end[q->n] = word_end;
    q->n++;
}

/* Reads a phrase from i (just past its opening quote) to its closing quote or the end of the
 * text; returns where reading goes on. */
static size_t qp_phrase(struct qp *p, size_t i, unsigned opener, bool negated)
{
    const char *words[SEARCH_MAX_PHRASE];
    int nw = 0;
    size_t last_end = 0;
    while (i < p->end) {
        unsigned cp;
        enum qp_class cls;
        size_t l = qp_char_at(p, i, &cp, &cls);
        if (cls == QP_QUOTE && qp_closes(opener, cp)) {
            i += l;
            break;
        }
        if (cls != QP_WORD) {
            i += l;
            continue;
        }
        size_t e = qp_run_end(p, i);
        while (i < e && p->s[i] == '-')
            i++;
        if (i < e && nw < SEARCH_MAX_PHRASE) {
            words[nw++] = qp_word(p->a, p->s + i, e - i);
            last_end = e;
        }
        i = e;
    }
    if (nw > 0) /* empty quotes give nothing */
        qp_emit(p, words, nw, negated, last_end);
    return i;
}

/* Reads the run of word characters [i, e): a word, an exclusion, an operator, or the dashes
 * that negate the phrase right after them; returns where reading goes on. */
static size_t qp_run(struct qp *p, size_t i, size_t e)
{
    size_t w = i;
    while (w < e && p->s[w] == '-')
        w++;
    bool negated = w > i;
    if (w == e) {
        unsigned cp;
        enum qp_class cls;
        if (e < p->end) {
            size_t l = qp_char_at(p, e, &cp, &cls);
            if (cls == QP_QUOTE)
                return qp_phrase(p, e + l, cp, true);
        }
        return e; /* a lone "-": nothing */
    }
    if (!negated && e - w == 2 &&
        (memcmp(p->s + w, "OR", 2) == 0 || memcmp(p->s + w, "OU", 2) == 0)) {
        p->or_pending = true;
        return e;
    }
    const char *word = qp_word(p->a, p->s + w, e - w);
    qp_emit(p, &word, 1, negated, e);
    return e;
}

/* The bytes clause c takes in the canonical text; 0 for a clause without words. */
static size_t qp_clause_len(const struct search_clause *c)
{
    if (c->nwords < 1)
        return 0;
    size_t n = c->negated ? 1 : 0;
    for (int i = 0; i < c->nwords; i++)
        n += strlen(c->words[i]) + (i > 0);
    if (c->phrase || (c->nwords == 1 && qp_is_operator_word(c->words[0])))
        n += 2;
    return n;
}

static size_t qp_text_len(const struct search_query *q)
{
    size_t n = 0;
    bool first = true, or_before = false;
    for (int i = 0; i < q->n; i++) {
        size_t l = qp_clause_len(&q->clauses[i]);
        if (l == 0)
            continue;
        if (!first)
            n += or_before ? 4 : 1;
        n += l;
        first = false;
        or_before = q->clauses[i].or_next;
    }
    return n;
}

/* Drops trailing words until the canonical text fits in SEARCH_MAX_QUERY bytes. */
static void qp_fit(struct search_query *q)
{
    while (q->n > 0 && qp_text_len(q) > SEARCH_MAX_QUERY) {
        struct search_clause *c = &q->clauses[q->n - 1];
        if (c->phrase && c->nwords > 1) {
            c->nwords--;
            c->phrase = c->nwords > 1;
        } else {
            q->n--;
        }
        if (q->n > 0)
            q->clauses[q->n - 1].or_next = false;
    }
}

void search_query_parse(struct arena *a, const char *text, size_t len, bool as_you_type,
                        struct search_query *q)
{
    q->clauses = arena_alloc(a, SEARCH_MAX_CLAUSES * sizeof *q->clauses);
    q->n = 0;
    if (!text)
        len = 0;
    struct qp p = {.a = a, .s = (const unsigned char *)text, .q = q};
    /* The cut: the last character read ends within SEARCH_MAX_QUERY bytes. */
    size_t limit = len < SEARCH_MAX_QUERY ? len : SEARCH_MAX_QUERY;
    while (p.end < limit) {
        unsigned cp;
        size_t l = qp_decode(p.s + p.end, len - p.end, &cp);
        if (p.end + l > limit)
            break;
        p.end += l;
    }
    size_t i = 0;
    while (i < p.end && !p.full) {
        unsigned cp;
        enum qp_class cls;
        size_t l = qp_char_at(&p, i, &cp, &cls);
        if (cls == QP_SEP) {
            i += l;
        } else if (cls == QP_BAR) {
            p.or_pending = true;
            i += l;
        } else if (cls == QP_QUOTE) {
            i = qp_phrase(&p, i + l, cp, false);
        } else {
            i = qp_run(&p, i, qp_run_end(&p, i));
        }
    }
    /* An OR left pending has nothing on its right: dropped. */
    if (as_you_type && q->n > 0) {
        struct search_clause *c = &q->clauses[q->n - 1];
        c->prefix = !c->phrase && !c->negated && p.word_end[q->n - 1] == p.end;
    }
    qp_fit(q);
}

const char *search_query_text(struct arena *a, const struct search_query *q)
{
    if (!q || q->n <= 0)
        return arena_strdup(a, "");
    size_t n = qp_text_len(q);
    char *out = arena_alloc(a, n + 1);
    char *o = out;
    bool first = true, or_before = false;
    for (int i = 0; i < q->n; i++) {
        const struct search_clause *c = &q->clauses[i];
        if (c->nwords < 1)
            continue;
        if (!first) {
            size_t l = or_before ? 4 : 1;
            memcpy(o, or_before ? " OR " : " ", l);
            o += l;
        }
        first = false;
        or_before = c->or_next;
        bool quoted = c->phrase || (c->nwords == 1 && qp_is_operator_word(c->words[0]));
        if (c->negated)
            *o++ = '-';
        if (quoted)
            *o++ = '"';
        for (int k = 0; k < c->nwords; k++) {
            size_t l = strlen(c->words[k]);
            if (k > 0)
                *o++ = ' ';
            memcpy(o, c->words[k], l);
            o += l;
        }
        if (quoted)
            *o++ = '"';
    }
    *o = '\0';
    return out;
}

bool search_query_positive(const struct search_query *q)
{
    if (!q)
        return false;
    for (int i = 0; i < q->n; i++)
        if (!q->clauses[i].negated && q->clauses[i].nwords > 0)
            return true;
    return false;
}
