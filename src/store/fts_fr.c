/* fts_fr.c — the "foison_fr" FTS5 tokenizer (see fts_fr.h for what it emits and why): a
 * lenient UTF-8 reader, the character classes of words, case and diacritic folding tables for
 * Latin, the French elisions and stop words, and the calls into Snowball's French stemmer. */
#include "store/fts_fr.h"

#include <libstemmer.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/hash.h"
#include "util/mem.h"
#include "util/utf8.h"

/* The stems of the words an instance indexed last, by word as written (lower case): a text
 * repeats its words, and a site its vocabulary, so that stemming (a fifth of indexing) is mostly
 * looked up. Direct-mapped: a word takes the slot of its hash. */
#define FR_STEM_CACHE 1024

struct fr_stem_slot {
    unsigned char nlow, n1, n2; /* nlow 0: empty */
    char low[FTS_FR_MAX_TOKEN], s1[FTS_FR_MAX_TOKEN], s2[FTS_FR_MAX_TOKEN];
};

/* The words a document's tokenization meets, handed to a callback of this thread as well
 * (store_fts_capture): the search's vocabulary is gathered while FTS5 indexes, rather than by
 * tokenizing every text a second time (an eighth of a rebuild). */
static __thread int (*fr_capture_cb)(void *ctx, const char *word, int nword);
static __thread void *fr_capture_ctx;

struct fts_fr {
    struct sb_stemmer *stemmer; /* one per instance: Snowball keeps state in it */
    struct fr_stem_slot *stems; /* FR_STEM_CACHE slots, made when a document is indexed */
};

/* A recording (store_fts_record): its text and its events, each a header (struct fr_event)
 * followed by its bytes. */
struct fts_fr_tokens {
    const char *text;
    int n;
    struct buf ev;
};

enum { FR_EV_TOKEN, FR_EV_CAPTURE };

struct fr_event {
    unsigned char kind, flags, n;
    int start, end;
};

struct fts_fr_recorder {
    struct fts_fr tk;
};

/* The recordings this thread's tokenizer takes documents' tokens from (store_fts_replay). */
static __thread struct fts_fr_tokens *const *fr_replay_list;
static __thread int fr_replay_n;

/* ---- UTF-8 ---- */

/* The code point at s[i..n) and its length in *len; -1 with *len = 1 for a byte that does not
 * start a well-formed sequence (overlong, surrogate, truncated, above U+10FFFF), which the
 * tokenizer then treats as a separator. */
static long fr_decode(const unsigned char *s, int n, int i, int *len)
{
    unsigned c = s[i];
    *len = 1;
    if (c < 0x80)
        return c;
    int need;
    unsigned long cp, min;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1, cp = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2, cp = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3, cp = c & 0x07, min = 0x10000;
    } else {
        return -1;
    }
    for (int k = 1; k <= need; k++) {
        if (i + k >= n || (s[i + k] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return -1;
    *len = need + 1;
    return (long)cp;
}

/* The length of the longest prefix of s[0..n) of at most max bytes that ends on a character. */
static int fr_cut(const char *s, int n, int max)
{
    if (n <= max)
        return n;
    int k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

/* ---- character classes ---- */

enum fr_class {
    FR_SEP,    /* between words */
    FR_WORD,   /* a letter or digit */
    FR_MARK,   /* a combining mark: part of the word before it, dropped by folding */
    FR_SOFT,   /* U+00AD soft hyphen: invisible, ignored inside a word */
    FR_APOS,   /* ' ’ ʼ: an elision or a word joined by it (aujourd'hui) */
    FR_HYPHEN, /* - ‐ ‑ and the middle dot of inclusive writing: parts of a compound */
};

/* Letters and digits of every script count as word characters, except the punctuation and
 * symbol blocks listed: a list of what is not a letter stays short, and a word in a script we
 * do not fold is still found by its exact form. */
static enum fr_class fr_classify(long cp)
{
    if (cp < 0)
        return FR_SEP;
    if (cp < 0x80) {
        if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
            return FR_WORD;
        return cp == '\'' ? FR_APOS : cp == '-' ? FR_HYPHEN : FR_SEP;
    }
    if (cp < 0x100) {
        if (cp == 0xAD)
            return FR_SOFT;
        if (cp == 0xB7)
            return FR_HYPHEN;
        if (cp == 0xAA || cp == 0xB5 || cp == 0xBA)
            return FR_WORD;
        return cp >= 0xC0 && cp != 0xD7 && cp != 0xF7 ? FR_WORD : FR_SEP;
    }
    if (cp == 0x2019 || cp == 0x02BC)
        return FR_APOS;
    if (cp == 0x2010 || cp == 0x2011)
        return FR_HYPHEN;
    if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
        (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
        (cp >= 0xFE20 && cp <= 0xFE2F))
        return FR_MARK;
    if ((cp >= 0x2000 && cp <= 0x2BFF) || /* punctuation, symbols, arrows, math, shapes */
        (cp >= 0x2E00 && cp <= 0x2E7F) || /* supplemental punctuation */
        (cp >= 0x3000 && cp <= 0x303F) || /* CJK punctuation */
        (cp >= 0xD800 && cp <= 0xF8FF) || /* private use */
        (cp >= 0xFE00 && cp <= 0xFE1F) || /* variation selectors, vertical forms */
        (cp >= 0xFE30 && cp <= 0xFE6F) || /* compatibility and small forms */
        (cp >= 0xFF00 && cp <= 0xFF0F) || /* fullwidth punctuation */
        (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
        (cp >= 0xFF5B && cp <= 0xFF65) || (cp >= 0xFFF0 && cp <= 0xFFFF) ||
        (cp >= 0x1F000 && cp <= 0x1FBFF) || /* emoji and pictographs */
        (cp >= 0xE0000) || cp == 0x037E || cp == 0x0387 || cp == 0x0589 || cp == 0x05BE)
        return FR_SEP;
    return FR_WORD;
}

/* ---- folding ---- */

/* The lower case of cp, for the scripts a site of Brittany may meet; others are kept. */
static unsigned long fr_lower(unsigned long cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    if (cp < 0x100)
        return cp >= 0xC0 && cp <= 0xDE && cp != 0xD7 ? cp + 32 : cp;
    if (cp < 0x180) {
        if (cp == 0x130)
            return 'i';
        if (cp == 0x178)
            return 0xFF;
        if ((cp < 0x138 || (cp >= 0x14A && cp < 0x178)) && cp % 2 == 0)
            return cp + 1;
        if (((cp >= 0x139 && cp < 0x149) || (cp >= 0x179 && cp < 0x17F)) && cp % 2 == 1)
            return cp + 1;
        return cp;
    }
    if (cp >= 0x386 && cp <= 0x3A9) { /* Greek */
        if (cp >= 0x391 && cp != 0x3A2)
            return cp + 32;
        if (cp == 0x386)
            return 0x3AC;
        if (cp >= 0x388 && cp <= 0x38A)
            return cp + 37;
        if (cp == 0x38C)
            return 0x3CC;
        if (cp == 0x38E || cp == 0x38F)
            return cp + 63;
        return cp;
    }
    if (cp == 0x3C2) /* final sigma folds to sigma */
        return 0x3C3;
    if (cp >= 0x400 && cp <= 0x52F) { /* Cyrillic */
        if (cp < 0x410)
            return cp + 80;
        if (cp < 0x430)
            return cp + 32;
        if (((cp >= 0x460 && cp < 0x482) || (cp >= 0x48A && cp < 0x4C0) || cp >= 0x4D0) &&
            cp % 2 == 0)
            return cp + 1;
        return cp;
    }
    if (cp >= 0x531 && cp <= 0x556) /* Armenian */
        return cp + 48;
    if (cp >= 0x1E00 && cp <= 0x1EFF && (cp < 0x1E96 || cp >= 0x1EA0) && cp % 2 == 0)
        return cp + 1;                /* Latin Extended Additional (Welsh, Vietnamese) */
    if (cp >= 0xFF21 && cp <= 0xFF3A) /* fullwidth Latin */
        return cp + 32;
    return cp;
}

/* The letters without diacritics of U+00C0..U+017F, both cases: '*' not a letter, digits for
 * the letters that fold to two (FR_PAIRS). Written from the Unicode names (LATIN CAPITAL
 * LETTER A WITH GRAVE → a), never generated at run time. */
static const char fr_latin[] = "aaaaaa3ceeeeiiiidnooooo*ouuuuy45"  /* C0..DF */
                               "aaaaaa3ceeeeiiiidnooooo*ouuuuy4y"  /* E0..FF */
                               "aaaaaaccccccccddddeeeeeeeeeegggg"  /* 100..11F */
                               "gggghhhhiiiiiiiiii11jjkkklllllll"  /* 120..13F */
                               "lllnnnnnnnnnoooooo22rrrrrrssssss"  /* 140..15F */
                               "ssttttttuuuuuuuuuuuuwwyyyzzzzzzs"; /* 160..17F */
static const char *const fr_pairs[] = {"ij", "oe", "ae", "th", "ss"};
_Static_assert(sizeof fr_latin == 0x17F - 0xC0 + 2, "one letter per code point");

/* Appends the folded form of s[0..n) (lower case, valid UTF-8) to out, which has room for n
 * bytes: no folding makes a word longer (every two-letter fold replaces two bytes). Returns the
 * new length. */
static int fr_fold(const char *s, int n, char *out)
{
    int o = 0, len;
    for (int i = 0; i < n; i += len) {
        long cp = fr_decode((const unsigned char *)s, n, i, &len);
        if (cp >= 0xC0 && cp <= 0x17F) {
            char c = fr_latin[cp - 0xC0];
            if (c >= '1' && c <= '5') {
                memcpy(out + o, fr_pairs[c - '1'], 2);
                o += 2;
            } else if (c != '*') {
                out[o++] = c;
            } else {
                memcpy(out + o, s + i, (size_t)len);
                o += len;
            }
        } else if (fr_classify(cp) == FR_MARK) {
            continue;
        } else {
            memcpy(out + o, s + i, (size_t)len);
            o += len;
        }
    }
    return o;
}

/* A decomposed accent after a lower-case letter, composed again so that the stemmer sees the
 * word as typed on a French keyboard; 0 when the pair is not French. */
static unsigned long fr_compose(char base, long mark)
{
    static const struct {
        char base;
        unsigned short mark, composed;
    } tab[] = {
        {'a', 0x300, 0xE0}, {'e', 0x300, 0xE8}, {'u', 0x300, 0xF9}, {'e', 0x301, 0xE9},
        {'a', 0x302, 0xE2}, {'e', 0x302, 0xEA}, {'i', 0x302, 0xEE}, {'o', 0x302, 0xF4},
        {'u', 0x302, 0xFB}, {'e', 0x308, 0xEB}, {'i', 0x308, 0xEF}, {'u', 0x308, 0xFC},
        {'y', 0x308, 0xFF}, {'c', 0x327, 0xE7},
    };
    for (size_t k = 0; k < sizeof tab / sizeof tab[0]; k++)
        if (tab[k].base == base && tab[k].mark == mark)
            return tab[k].composed;
    return 0;
}

/* ---- words ---- */

struct fr_word {
    char low[FTS_FR_MAX_TOKEN]; /* lower case, accents kept, at most FTS_FR_MAX_TOKEN bytes */
    int nlow;
    bool digit; /* has a digit: a number or code, not stemmed */
    bool cut;   /* longer than FTS_FR_MAX_TOKEN: not stemmed either */
    int start, end;
};

static void fr_word_add(struct fr_word *w, long cp)
{
    if (cp >= '0' && cp <= '9')
        w->digit = true;
    char enc[4];
    int len;
    if (fr_classify(cp) == FR_MARK && w->nlow > 0) {
        unsigned long c = fr_compose(w->low[w->nlow - 1], cp);
        if (c) {
            len = (int)utf8_encode(c, enc);
            if (w->nlow - 1 + len <= FTS_FR_MAX_TOKEN) {
                memcpy(w->low + w->nlow - 1, enc, (size_t)len);
                w->nlow += len - 1;
            } else {
                w->cut = true;
            }
            return;
        }
    }
    len = (int)utf8_encode(fr_lower((unsigned long)cp), enc);
    if (w->nlow + len > FTS_FR_MAX_TOKEN) {
        w->cut = true;
        return;
    }
    memcpy(w->low + w->nlow, enc, (size_t)len);
    w->nlow += len;
}

/* Appends part to a compound's joined form, cut at a character when it is full. */
static void fr_word_join(struct fr_word *joined, const struct fr_word *part)
{
    int room = FTS_FR_MAX_TOKEN - joined->nlow;
    int len = fr_cut(part->low, part->nlow, room);
    memcpy(joined->low + joined->nlow, part->low, (size_t)len);
    joined->nlow += len;
    joined->cut |= part->cut || len < part->nlow;
}

/* Stop words, folded, sorted for bsearch: the articles, pronouns, prepositions and
 * conjunctions that every French text repeats. Kept short on purpose: "est" and "car" also
 * mean things. */
static const char *const fr_stop[] = {
    "a",    "ai",  "au",   "aux",  "avec", "c",     "ce",   "ces",   "cet",  "cette", "d",
    "dans", "de",  "des",  "donc", "dont", "du",    "elle", "elles", "en",   "est",   "et",
    "il",   "ils", "j",    "je",   "l",    "la",    "le",   "les",   "leur", "leurs", "lui",
    "m",    "ma",  "mais", "me",   "mes",  "mon",   "n",    "ne",    "ni",   "nos",   "notre",
    "nous", "on",  "ou",   "par",  "pas",  "plus",  "pour", "qu",    "que",  "qui",   "quoi",
    "s",    "sa",  "se",   "ses",  "son",  "sont",  "sur",  "t",     "ta",   "te",    "tes",
    "ton",  "tu",  "un",   "une",  "vos",  "votre", "vous", "y",
};

/* Elided words, folded: what comes before the apostrophe of l'atelier, qu'il, jusqu'au. */
static const char *const fr_elisions[] = {
    "c", "d", "j", "jusqu", "l", "lorsqu", "m", "n", "puisqu", "qu", "quoiqu", "s", "t",
};

static int fr_cmp(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

/* The longest word of fr_stop and fr_elisions: most words of a text are longer, and are told
 * apart without a search. */
#define FR_LIST_MAX_LEN 6

static bool fr_in(const char *const *list, size_t n, const char *s, int len)
{
    char key[16];
    if (len <= 0 || len > FR_LIST_MAX_LEN)
        return false;
    memcpy(key, s, (size_t)len);
    key[len] = '\0';
    return bsearch(key, list, n, sizeof list[0], fr_cmp) != NULL;
}

static bool fr_is_elision(const struct fr_word *w)
{
    char f[FTS_FR_MAX_TOKEN];
    int n = fr_fold(w->low, w->nlow, f);
    return fr_in(fr_elisions, sizeof fr_elisions / sizeof fr_elisions[0], f, n);
}

/* ---- one xTokenize call ---- */

/* FR_AUX: a document's text tokenized again by highlight() and snippet(), which take the
 * matches' positions from the index and only need each word's position and offsets: no stem. */
enum fr_mode { FR_DOCUMENT, FR_QUERY, FR_PREFIX, FR_WORDS, FR_AUX };

struct fr_run {
    struct fts_fr *tk;
    void *ctx;
    int (*xToken)(void *, int, const char *, int, int, int);
    enum fr_mode mode;
    int last_word_end; /* FR_PREFIX: where the text's last word ends */
    bool emitted;      /* a token went out: FTS5 refuses COLOCATED on the first one */
};

static int fr_emit(struct fr_run *r, int tflags, const char *s, int n, int start, int end)
{
    if (!r->emitted)
        tflags &= ~FTS5_TOKEN_COLOCATED;
    r->emitted = true;
    return r->xToken(r->ctx, tflags, s, n, start, end);
}

/* The Snowball stem of s[0..n), cut to FTS_FR_MAX_TOKEN bytes and folded (the stemmer keeps
 * the accents it was given), in out. Returns its length, -1 when the stemmer ran out of memory. */
static int fr_stem(struct fts_fr *tk, const char *s, int n, char *out)
{
    const sb_symbol *st = sb_stemmer_stem(tk->stemmer, (const sb_symbol *)s, n);
    if (!st)
        return -1;
    int len = fr_cut((const char *)st, sb_stemmer_length(tk->stemmer), FTS_FR_MAX_TOKEN);
    return fr_fold((const char *)st, len, out);
}

/* The length of s without its plural s: four letters or more, not "ss". */
static int fr_plural_base(const char *s, int n)
{
    return n >= 4 && s[n - 1] == 's' && s[n - 2] != 's' ? n - 1 : n;
}

/* The two stems of word w (full: its folded form): s2 of the folded word, s1 of the word as
 * written then folded (s2 again when the word has no accent). */
static int fr_stems(struct fr_run *r, const struct fr_word *w, const char *full, int nfull,
                    char *s1, int *n1, char *s2, int *n2)
{
    struct fts_fr *tk = r->tk;
    struct fr_stem_slot *slot = NULL;
    if (r->mode == FR_DOCUMENT && !tk->stems)
        tk->stems = calloc(FR_STEM_CACHE, sizeof *tk->stems); /* NULL: no cache, same stems */
    if (tk->stems && w->nlow > 0 && w->nlow <= FTS_FR_MAX_TOKEN) {
        slot = &tk->stems[hash_fnv64(w->low, (size_t)w->nlow) % FR_STEM_CACHE];
        if (slot->nlow == w->nlow && memcmp(slot->low, w->low, (size_t)w->nlow) == 0) {
            memcpy(s1, slot->s1, *n1 = slot->n1);
            memcpy(s2, slot->s2, *n2 = slot->n2);
            return SQLITE_OK;
        }
    }
    /* Snowball's French leaves the plural s after some endings (vélos, studios): a final s
     * is dropped before stemming, so that the plural and the singular meet. */
    if ((*n2 = fr_stem(tk, full, fr_plural_base(full, nfull), s2)) < 0)
        return SQLITE_NOMEM;
    if (nfull != w->nlow || memcmp(full, w->low, (size_t)nfull) != 0) {
        if ((*n1 = fr_stem(tk, w->low, fr_plural_base(w->low, w->nlow), s1)) < 0)
            return SQLITE_NOMEM;
    } else {
        memcpy(s1, s2, (size_t)(*n1 = *n2));
    }
    if (slot) {
        slot->nlow = (unsigned char)w->nlow;
        memcpy(slot->low, w->low, (size_t)w->nlow);
        memcpy(slot->s1, s1, slot->n1 = (unsigned char)*n1);
        memcpy(slot->s2, s2, slot->n2 = (unsigned char)*n2);
    }
    return SQLITE_OK;
}

/* Emits the tokens of one word (see fts_fr.h). colocated: all of them go with the previous
 * token (a compound's joined form). *out is set when a token went out. */
static int fr_emit_word(struct fr_run *r, const struct fr_word *w, bool colocated, bool *out)
{
    char full[FTS_FR_MAX_TOKEN], s1[FTS_FR_MAX_TOKEN], s2[FTS_FR_MAX_TOKEN];
    int nfull = fr_fold(w->low, w->nlow, full);
    int flag = colocated ? FTS5_TOKEN_COLOCATED : 0, rc;
    *out = false;
    if (nfull == 0)
        return SQLITE_OK;
    bool prefix = r->mode == FR_PREFIX && w->end >= r->last_word_end;
    if (prefix) {
        *out = true;
        return fr_emit(r, flag, full, nfull, w->start, w->end);
    }
    if (fr_in(fr_stop, sizeof fr_stop / sizeof fr_stop[0], full, nfull))
        return SQLITE_OK;
    *out = true;
    if (r->mode == FR_WORDS || r->mode == FR_AUX)
        return fr_emit(r, flag, full, nfull, w->start, w->end);
    if (r->mode == FR_DOCUMENT && fr_capture_cb && !w->digit &&
        (rc = fr_capture_cb(fr_capture_ctx, full, nfull)) != SQLITE_OK)
        return rc;
    if (w->digit || w->cut)
        return fr_emit(r, flag, full, nfull, w->start, w->end);
    int n1, n2;
    if (fr_stems(r, w, full, nfull, s1, &n1, s2, &n2) != SQLITE_OK)
        return SQLITE_NOMEM;
    if ((rc = fr_emit(r, flag, s2, n2, w->start, w->end)) != SQLITE_OK)
        return rc;
    if ((n1 != n2 || memcmp(s1, s2, (size_t)n1) != 0) &&
        (rc = fr_emit(r, FTS5_TOKEN_COLOCATED, s1, n1, w->start, w->end)) != SQLITE_OK)
        return rc;
    if (r->mode != FR_DOCUMENT)
        return SQLITE_OK;
    if ((nfull != n2 || memcmp(full, s2, (size_t)n2) != 0) &&
        (nfull != n1 || memcmp(full, s1, (size_t)n1) != 0))
        return fr_emit(r, FTS5_TOKEN_COLOCATED, full, nfull, w->start, w->end);
    return SQLITE_OK;
}

/* The class of the character at i (FR_SEP past the end), its length in *len. */
static enum fr_class fr_peek(const char *text, int n, int i, int *len)
{
    *len = 0;
    if (i >= n)
        return FR_SEP;
    return fr_classify(fr_decode((const unsigned char *)text, n, i, len));
}

/* Reads the letters, digits and marks from i into w; returns where they end. */
static int fr_scan_run(const char *text, int n, int i, struct fr_word *w)
{
    int len;
    while (i < n) {
        long cp = fr_decode((const unsigned char *)text, n, i, &len);
        enum fr_class c = fr_classify(cp);
        if (c != FR_WORD && c != FR_MARK && c != FR_SOFT)
            break;
        if (c != FR_SOFT)
            fr_word_add(w, cp);
        i += len;
    }
    w->end = i;
    return i;
}

/* True when the character at i is c and a word character follows it. */
static bool fr_between(const char *text, int n, int i, enum fr_class c, int *len)
{
    int l2;
    return fr_peek(text, n, i, len) == c && fr_peek(text, n, i + *len, &l2) == FR_WORD;
}

/* A compound from i (a word character): its parts, each possibly elided or joined by an
 * apostrophe, then its joined form (documents only). Returns where it ends, or -1 with *rc set
 * when xToken or the stemmer failed. */
static int fr_compound(struct fr_run *r, const char *text, int n, int i, int *rc)
{
    struct fr_word part, joined = {.start = i};
    int nparts = 0, len;
    bool any = false, out;
    for (;;) {
        memset(&part, 0, sizeof part);
        part.start = i;
        i = fr_scan_run(text, n, i, &part);
        while (fr_between(text, n, i, FR_APOS, &len)) {
            if (fr_is_elision(&part)) {
                memset(&part, 0, sizeof part);
                part.start = i + len;
                if (nparts == 0)
                    joined.start = part.start;
            }
            i = fr_scan_run(text, n, i + len, &part);
        }
        nparts++;
        fr_word_join(&joined, &part);
        joined.digit |= part.digit;
        joined.end = part.end;
        if ((*rc = fr_emit_word(r, &part, false, &out)) != SQLITE_OK)
            return -1;
        any |= out;
        if (!fr_between(text, n, i, FR_HYPHEN, &len))
            break;
        i += len;
    }
    if (nparts >= 2 && r->mode == FR_DOCUMENT) {
        if ((*rc = fr_emit_word(r, &joined, any, &out)) != SQLITE_OK)
            return -1;
    }
    return i;
}

static int fr_run_text(struct fr_run *rp, const char *text, int n);
static int fr_replay_run(const struct fts_fr_tokens *t, void *ctx,
                         int (*xToken)(void *, int, const char *, int, int, int));
static const struct fts_fr_tokens *fr_replay_find(const char *text, int n);

static int fr_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int n,
                       int (*xToken)(void *, int, const char *, int, int, int))
{
    struct fr_run r = {.tk = (struct fts_fr *)t, .ctx = ctx, .xToken = xToken};
    if ((flags & FTS5_TOKENIZE_QUERY) && (flags & FTS5_TOKENIZE_PREFIX))
        r.mode = FR_PREFIX;
    else if (flags & FTS5_TOKENIZE_QUERY)
        r.mode = FR_QUERY;
    else
        r.mode = flags & FTS5_TOKENIZE_AUX ? FR_AUX : FR_DOCUMENT;
    const struct fts_fr_tokens *rec = r.mode == FR_DOCUMENT ? fr_replay_find(text, n) : NULL;
    if (rec)
        return fr_replay_run(rec, ctx, xToken);
    return fr_run_text(&r, text, n);
}

static int fr_run_text(struct fr_run *rp, const char *text, int n)
{
    struct fr_run r = *rp;
    if (!text || n <= 0)
        return SQLITE_OK;
    int i = 0, len, rc = SQLITE_OK;
    if (r.mode == FR_PREFIX) {
        r.last_word_end = n + 1;
        for (int k = 0; k < n; k += len) {
            enum fr_class c = fr_peek(text, n, k, &len);
            if (c == FR_WORD || c == FR_MARK || c == FR_SOFT)
                r.last_word_end = k + len;
        }
    }
    while (i < n) {
        if (fr_peek(text, n, i, &len) != FR_WORD) {
            i += len;
            continue;
        }
        if ((i = fr_compound(&r, text, n, i, &rc)) < 0)
            return rc;
    }
    return SQLITE_OK;
}

static int fr_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
    (void)ctx;
    (void)argv;
    *out = NULL;
    if (argc > 0) /* no options yet: a typo in a table's definition must not pass silently */
        return SQLITE_ERROR;
    struct fts_fr *tk = xcalloc(1, sizeof *tk);
    if (!(tk->stemmer = sb_stemmer_new("french", "UTF_8"))) {
        free(tk);
        return SQLITE_NOMEM;
    }
    *out = (Fts5Tokenizer *)tk;
    return SQLITE_OK;
}

struct fr_count {
    int ntokens, last_chars;
};

static int fr_count_token(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
    (void)start, (void)end;
    struct fr_count *c = ctx;
    if (tflags & FTS5_TOKEN_COLOCATED)
        return SQLITE_OK;
    c->ntokens++;
    c->last_chars = 0;
    for (int i = 0; i < ntok; i++)
        c->last_chars += ((unsigned char)tok[i] & 0xC0) != 0x80;
    return SQLITE_OK;
}

static void fr_delete(Fts5Tokenizer *t)
{
    struct fts_fr *tk = (struct fts_fr *)t;
    if (!tk)
        return;
    sb_stemmer_delete(tk->stemmer);
    free(tk->stems);
    free(tk);
}

int store_fts_words(const char *text, int n,
                    int (*cb)(void *ctx, int tflags, const char *word, int nword, int start,
                              int end),
                    void *ctx)
{
    struct fts_fr tk = {.stemmer = NULL}; /* FR_WORDS never stems */
    struct fr_run r = {.tk = &tk, .ctx = ctx, .xToken = cb, .mode = FR_WORDS};
    return fr_run_text(&r, text, n);
}

int store_fts_query_tokens(const char *text, int n, bool prefix, int *ntokens, int *last_chars)
{
    struct fts_fr *tk;
    struct fr_count c = {0, 0};
    *ntokens = 0;
    if (last_chars)
        *last_chars = 0;
    if (fr_create(NULL, NULL, 0, (Fts5Tokenizer **)&tk) != SQLITE_OK)
        return SQLITE_NOMEM;
    int rc = fr_tokenize((Fts5Tokenizer *)tk, &c,
                         FTS5_TOKENIZE_QUERY | (prefix ? FTS5_TOKENIZE_PREFIX : 0), text, n,
                         fr_count_token);
    fr_delete((Fts5Tokenizer *)tk);
    *ntokens = c.ntokens;
    if (last_chars)
        *last_chars = c.last_chars;
    return rc;
}

int store_fts_query_each(const char *text, int n,
                         int (*cb)(void *ctx, int tflags, const char *tok, int ntok, int start,
                                   int end),
                         void *ctx)
{
    struct fts_fr *tk;
    if (fr_create(NULL, NULL, 0, (Fts5Tokenizer **)&tk) != SQLITE_OK)
        return SQLITE_NOMEM;
    int rc = fr_tokenize((Fts5Tokenizer *)tk, ctx, FTS5_TOKENIZE_QUERY, text, n, cb);
    fr_delete((Fts5Tokenizer *)tk);
    return rc;
}

void store_fts_capture(int (*cb)(void *ctx, const char *word, int nword), void *ctx)
{
    fr_capture_cb = cb;
    fr_capture_ctx = ctx;
}

/* ---- tokens made ahead ---- */

static void fr_event_put(struct buf *b, int kind, int flags, const char *w, int n, int start,
                         int end)
{
    struct fr_event e = {(unsigned char)kind, (unsigned char)flags, (unsigned char)n, start, end};
    buf_append(b, &e, sizeof e);
    buf_append(b, w, (size_t)n);
}

static int fr_record_token(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
    if (ntok > FTS_FR_MAX_TOKEN || tflags > 0xFF)
        return SQLITE_ERROR; /* the tokenizer never makes one: a bug */
    fr_event_put(ctx, FR_EV_TOKEN, tflags, tok, ntok, start, end);
    return SQLITE_OK;
}

static int fr_record_capture(void *ctx, const char *word, int nword)
{
    if (nword > FTS_FR_MAX_TOKEN)
        return SQLITE_ERROR;
    fr_event_put(ctx, FR_EV_CAPTURE, 0, word, nword, 0, 0);
    return SQLITE_OK;
}

struct fts_fr_recorder *store_fts_recorder_new(void)
{
    struct fts_fr_recorder *rec = xcalloc(1, sizeof *rec);
    if (!(rec->tk.stemmer = sb_stemmer_new("french", "UTF_8"))) {
        free(rec);
        return NULL;
    }
    return rec;
}

void store_fts_recorder_free(struct fts_fr_recorder *rec)
{
    if (!rec)
        return;
    sb_stemmer_delete(rec->tk.stemmer);
    free(rec->tk.stems);
    free(rec);
}

struct fts_fr_tokens *store_fts_record(struct fts_fr_recorder *rec, const char *text, int n)
{
    if (!text || n <= 0)
        return NULL;
    struct fts_fr_tokens *t = xcalloc(1, sizeof *t);
    t->text = text;
    t->n = n;
    buf_init(&t->ev);
    struct fr_run r = {
        .tk = &rec->tk, .ctx = &t->ev, .xToken = fr_record_token, .mode = FR_DOCUMENT};
    /* The capture hook is this thread's: the recorder's thread writes no index itself. */
    int (*cb)(void *, const char *, int) = fr_capture_cb;
    void *cbctx = fr_capture_ctx;
    store_fts_capture(fr_record_capture, &t->ev);
    int rc = fr_run_text(&r, text, n);
    store_fts_capture(cb, cbctx);
    if (rc != SQLITE_OK) {
        store_fts_tokens_free(t);
        return NULL;
    }
    return t;
}

void store_fts_tokens_free(struct fts_fr_tokens *t)
{
    if (!t)
        return;
    buf_free(&t->ev);
    free(t);
}

void store_fts_replay(struct fts_fr_tokens *const *t, int n)
{
    fr_replay_list = n > 0 ? t : NULL;
    fr_replay_n = n > 0 ? n : 0;
}

static const struct fts_fr_tokens *fr_replay_find(const char *text, int n)
{
    for (int i = 0; i < fr_replay_n; i++) {
        const struct fts_fr_tokens *t = fr_replay_list[i];
        if (t && t->n == n && memcmp(t->text, text, (size_t)n) == 0)
            return t;
    }
    return NULL;
}

/* Hands FTS5 (and the capture hook) what the recording holds, as fr_run_text would have. */
static int fr_replay_run(const struct fts_fr_tokens *t, void *ctx,
                         int (*xToken)(void *, int, const char *, int, int, int))
{
    const char *p = t->ev.data, *end = p + t->ev.len;
    while (p < end) {
        struct fr_event e;
        memcpy(&e, p, sizeof e);
        const char *w = p + sizeof e;
        p = w + e.n;
        int rc = e.kind == FR_EV_TOKEN ? xToken(ctx, e.flags, w, e.n, e.start, e.end)
                 : fr_capture_cb       ? fr_capture_cb(fr_capture_ctx, w, e.n)
                                       : SQLITE_OK;
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

fts5_api *store_fts_api(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        return NULL; /* no fts5() function: the library was built without FTS5 */
    if (sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        api = NULL;
    sqlite3_finalize(st);
    return api && api->iVersion >= 2 ? api : NULL;
}

int store_fts_register(sqlite3 *db)
{
    static fts5_tokenizer tokenizer = {fr_create, fr_delete, fr_tokenize};
    fts5_api *api = store_fts_api(db);
    if (!api)
        return SQLITE_ERROR;
    return api->xCreateTokenizer(api, FTS_FR_TOKENIZER, NULL, &tokenizer, NULL);
}
