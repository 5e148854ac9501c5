/* test_fts_fr.c — unit tests for the French FTS5 tokenizer (store/fts_fr): the tokens of each
 * French rule, read through the tokenizer SQLite registered, then real in-memory FTS5 tables
 * (accent-less, prefix and phrase queries, highlight() on the accented original), hostile input
 * (long words, invalid UTF-8), and its speed, logged only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/fts_fr.h"
#include "util/buf.h"
#include "util/utf8.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DOC FTS5_TOKENIZE_DOCUMENT
#define QUERY FTS5_TOKENIZE_QUERY
#define PREFIX (FTS5_TOKENIZE_QUERY | FTS5_TOKENIZE_PREFIX)

struct fixture {
    sqlite3 *db;
    fts5_tokenizer api;
    Fts5Tokenizer *tok;
};

static struct fixture fx;

static int setup(void **state)
{
    (void)state;
    assert_int_equal(sqlite3_open(":memory:", &fx.db), SQLITE_OK);
    assert_int_equal(store_fts_register(fx.db), SQLITE_OK);
    fts5_api *api = store_fts_api(fx.db);
    assert_non_null(api);
    void *ctx = NULL;
    assert_int_equal(api->xFindTokenizer(api, FTS_FR_TOKENIZER, &ctx, &fx.api), SQLITE_OK);
    assert_int_equal(fx.api.xCreate(ctx, NULL, 0, &fx.tok), SQLITE_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fx.api.xDelete(fx.tok);
    sqlite3_close(fx.db);
    return 0;
}

struct collect {
    struct buf out;
    const char *text;
    int n, ntok;
};

/* Records each token as "tok" or "+tok" (colocated) and checks what every token must be:
 * valid UTF-8, 1..FTS_FR_MAX_TOKEN bytes, offsets inside the text on character boundaries. */
static int collect_token(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
    struct collect *c = ctx;
    assert_true(ntok > 0 && ntok <= FTS_FR_MAX_TOKEN);
    assert_true(utf8_valid(tok, (size_t)ntok));
    assert_true(start >= 0 && start < end && end <= c->n);
    assert_true(tflags == 0 || tflags == FTS5_TOKEN_COLOCATED);
    assert_false(c->ntok == 0 && tflags != 0);
    if (c->out.len)
        buf_putc(&c->out, ' ');
    if (tflags)
        buf_putc(&c->out, '+');
    buf_append(&c->out, tok, (size_t)ntok);
    c->ntok++;
    return SQLITE_OK;
}

/* The tokens of text as one string, in a static buffer overwritten by the next call. */
static const char *toks(int flags, const char *text)
{
    static char last[4096];
    struct collect c = {BUF_INIT, text, (int)strlen(text), 0};
    assert_int_equal(fx.api.xTokenize(fx.tok, &c, flags, text, c.n, collect_token), SQLITE_OK);
    snprintf(last, sizeof last, "%s", buf_cstr(&c.out));
    buf_free(&c.out);
    return last;
}

struct span {
    char tok[FTS_FR_MAX_TOKEN + 1];
    int start, end;
};

struct spans {
    struct span s[16];
    int n;
};

static int collect_span(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
    (void)tflags;
    struct spans *sp = ctx;
    if (sp->n < 16) {
        snprintf(sp->s[sp->n].tok, sizeof sp->s[0].tok, "%.*s", ntok, tok);
        sp->s[sp->n].start = start;
        sp->s[sp->n].end = end;
        sp->n++;
    }
    return SQLITE_OK;
}

static void test_french_phrases(void **state)
{
    (void)state;
    assert_string_equal(toks(DOC, "Les bibliothèques coopératives de Plouzané"),
                        "bibliothequ +bibliotheques cooper +cooperatives plouzan +plouzane");
    assert_string_equal(toks(QUERY, "bibliotheque cooperative"), "bibliothequ cooper");
    assert_string_equal(toks(DOC, "coopération entre bibliothécaires"),
                        "cooper +cooperation entre bibliothecair +bibliothecaires");
    assert_string_equal(toks(DOC, "Œuvres ÆSIR Straße"), "oeuvr +oeuvres aesir strass +strasse");
    assert_string_equal(toks(DOC, "ÉTÉ à Noël, garçon"), "ete noel garcon");
}

static void test_folding_tables(void **state)
{
    (void)state;
    assert_string_equal(toks(QUERY, "ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ àâäçéèêëîïôöùûüÿœæ"),
                        toks(QUERY, "AAACEEEEIIOOUUUYOEAE aaaceeeeiioouuuyoeae"));
    /* Other Latin letters and scripts: case folded, Latin diacritics folded. */
    assert_string_equal(toks(QUERY, "ŁÓDŹ Čapek ΑΘΗΝΑ МОСКВА"),
                        toks(QUERY, "lodz capek αθηνα москва"));
    /* Decomposed accents (as macOS writes them) give the same tokens as composed ones. */
    assert_string_equal(toks(DOC, "coope\xcc\x81ratives e\xcc\x81te\xcc\x81"),
                        toks(DOC, "coopératives été"));
}

static void test_elisions(void **state)
{
    (void)state;
    assert_string_equal(toks(DOC, "l'atelier d'écriture"), "ateli +atelier ecritur +ecriture");
    assert_string_equal(toks(DOC, "L’atelier D’écriture"), toks(DOC, "l'atelier d'écriture"));
    assert_string_equal(toks(DOC, "qu'il qu’elle jusqu'au lorsqu’on puisqu'ils"), "");
    assert_string_equal(toks(DOC, "j'aime n'importe s'engager c'était m'a t'es"),
                        toks(DOC, "aime importe engager était a es"));
    /* Not an elision: the apostrophe joins the word. */
    assert_string_equal(toks(DOC, "aujourd'hui"), "aujourdhui");
    assert_string_equal(toks(DOC, "aujourd’hui"), "aujourdhui");
    assert_string_equal(toks(DOC, "prud'hommes"), toks(DOC, "prudhommes"));
    /* A lone apostrophe or quote separates. */
    assert_string_equal(toks(DOC, "' l' ’atelier'"), "ateli +atelier");
    /* The elided word's offsets start after the apostrophe: highlight shows "l'[atelier]". */
    struct spans sp = {.n = 0};
    const char *t = "l’atelier d'écriture";
    assert_int_equal(fx.api.xTokenize(fx.tok, &sp, DOC, t, (int)strlen(t), collect_span),
                     SQLITE_OK);
    assert_int_equal(sp.s[0].start, 4); /* ’ is three bytes */
    assert_int_equal(sp.s[0].end, 11);
    assert_int_equal(sp.s[2].start, 14);
    assert_int_equal(sp.s[2].end, (int)strlen(t));
}

static void test_hyphens(void **state)
{
    (void)state;
    /* A plural s Snowball leaves is dropped before stemming: vélos meets vélo. */
    assert_string_equal(toks(QUERY, "vélos"), toks(QUERY, "vélo"));
    assert_string_equal(toks(QUERY, "velos"), "velo");
    assert_string_equal(toks(DOC, "tiers-lieu"), "ti +tiers lieu +tierslieu");
    assert_string_equal(toks(DOC, "Tiers‐Lieux"), "ti +tiers lieux +tierslieux");
    /* Queries keep the parts only: phrases line up with the document's positions. */
    assert_string_equal(toks(QUERY, "tiers-lieu"), "ti lieu");
    /* Stop words among the parts are dropped but stay in the joined form. */
    assert_string_equal(toks(DOC, "Saint-Pierre-de-Plouguin"),
                        "saint pierr +pierre plouguin +saintpierredeplouguin");
    /* A compound of stop words only still gives its joined form, as a token of its own. */
    assert_string_equal(toks(DOC, "est-ce"), "estce");
    assert_string_equal(toks(DOC, "-- - a- -b"), "b");
    /* Inclusive writing with the middle dot. */
    assert_string_equal(toks(DOC, "animateur·rices"),
                        "anim +animateur ric +rices +animateurric +animateurrices");
    /* The joined form spans the whole compound. */
    struct spans sp = {.n = 0};
    const char *t = "un tiers-lieu";
    assert_int_equal(fx.api.xTokenize(fx.tok, &sp, DOC, t, (int)strlen(t), collect_span),
                     SQLITE_OK);
    assert_int_equal(sp.n, 4); /* tier +tiers lieu +tierslieu */
    assert_string_equal(sp.s[3].tok, "tierslieu");
    assert_int_equal(sp.s[3].start, 3);
    assert_int_equal(sp.s[3].end, (int)strlen(t));
}

static void test_numbers_and_stop_words(void **state)
{
    (void)state;
    assert_string_equal(toks(DOC, "En 2024, 3,5 millions pour le 1er"),
                        "2024 3 5 million +millions 1er");
    assert_string_equal(toks(DOC,
                             "le la les de des du un une et en au aux à pour par sur dans"
                             " avec ce ces qui que quoi dont où est sont il elle ils elles on"
                             " nous vous leur leurs son sa ses se ne pas plus ou mais donc car ni"),
                        "car");
    assert_string_equal(toks(QUERY, "Le la LES"), "");
}

static void test_prefix_queries(void **state)
{
    (void)state;
    /* The last word is only folded: a prefix of any document form matches it. */
    assert_string_equal(toks(PREFIX, "biblioth"), "biblioth");
    assert_string_equal(toks(PREFIX, "Coopérati"), "cooperati");
    /* A stop word being typed is kept when last, dropped before. */
    assert_string_equal(toks(PREFIX, "de"), "de");
    assert_string_equal(toks(PREFIX, "la biblio"), "biblio");
    /* Words before the last one are stemmed as in a query. */
    assert_string_equal(toks(PREFIX, "bibliothèques coop"), "bibliothequ coop");
    assert_string_equal(toks(PREFIX, "l'atel"), "atel");
    assert_string_equal(toks(PREFIX, "tiers-li"), "ti li");
}

static void test_long_tokens(void **state)
{
    (void)state;
    char big[1000];
    memset(big, 'a', 300);
    big[300] = '\0';
    const char *t = toks(DOC, big);
    assert_int_equal(strlen(t), FTS_FR_MAX_TOKEN);
    /* Two-byte letters are cut on a character boundary (collect_token checks the UTF-8). */
    big[0] = 'x';
    for (int i = 1; i < 601; i += 2)
        memcpy(big + i, "é", 2);
    big[601] = '\0';
    t = toks(DOC, big);
    assert_true(strlen(t) <= FTS_FR_MAX_TOKEN);
    assert_true(strncmp(t, "xeeee", 5) == 0);
    /* The long words of a compound: the joined form is cut too. */
    char comp[2100];
    for (int i = 0; i < 20; i++)
        memcpy(comp + i * 100, big, 100), comp[i * 100 + 99] = '-';
    comp[1999] = '\0';
    toks(DOC, comp);
}

/* Every byte sequence is accepted: invalid bytes separate words. */
static void test_invalid_utf8(void **state)
{
    (void)state;
    assert_string_equal(toks(DOC, "caf\xc3"), "caf");
    assert_string_equal(toks(DOC, "\xff\xfe"
                                  "abc\xc0\xaf"
                                  "def\xed\xa0\x80"
                                  "gh\xf4\x90\x80\x80"),
                        "abc def gh");
    assert_string_equal(toks(DOC, "l\xe2\x80"
                                  "atelier"),
                        "ateli +atelier");
    srand(42);
    char text[257];
    for (int round = 0; round < 20000; round++) {
        int n = rand() % 256;
        for (int i = 0; i < n; i++) {
            /* Bytes biased towards UTF-8 lead and continuation bytes, apostrophes, hyphens. */
            static const char pick[] = "a'-\xc3\xa9\xe2\x80\x99\xcc\x81\xf0\x9f\xff\xad\xb7 e";
            text[i] = rand() % 2 ? pick[rand() % (sizeof pick - 1)] : (char)(rand() % 256);
        }
        text[n] = '\0';
        for (int f = 0; f < 3; f++) {
            struct collect c = {BUF_INIT, text, n, 0};
            int flags = f == 0 ? DOC : f == 1 ? QUERY : PREFIX;
            assert_int_equal(fx.api.xTokenize(fx.tok, &c, flags, text, n, collect_token),
                             SQLITE_OK);
            buf_free(&c.out);
        }
    }
    /* An empty text, and a NULL one with no length. */
    struct collect c = {BUF_INIT, "", 0, 0};
    assert_int_equal(fx.api.xTokenize(fx.tok, &c, DOC, NULL, 0, collect_token), SQLITE_OK);
    assert_int_equal(c.ntok, 0);
}

/* ---- through real FTS5 tables ---- */

static void exec(const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(fx.db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", sql, err ? err : "?");
}

/* The rowids matching q in table, in order, as "1 2"; "error" when SQLite refuses q. */
static const char *match(const char *table, const char *q)
{
    static char out[256];
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT rowid FROM %s WHERE %s MATCH ?1 ORDER BY rowid", table,
             table);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(fx.db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC), SQLITE_OK);
    out[0] = '\0';
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        size_t len = strlen(out);
        snprintf(out + len, sizeof out - len, "%s%lld", len ? " " : "",
                 sqlite3_column_int64(st, 0));
    }
    if (rc != SQLITE_DONE)
        snprintf(out, sizeof out, "error");
    sqlite3_finalize(st);
    return out;
}

/* highlight() of the best row for q, with [ ] around the matched words. */
static const char *highlight(const char *table, const char *q)
{
    static char out[512];
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT highlight(%s, 0, '[', ']') FROM %s WHERE %s MATCH ?1 ORDER BY rank LIMIT 1",
             table, table, table);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(fx.db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

static const char *const corpus[] = {
    "Bibliothèques coopératives du Pays de Brest",
    "La coopération entre bibliothécaires de Plouzané",
    "Un tiers-lieu à Landerneau, ouvert aujourd'hui",
    "L’atelier d’écriture des activités numériques",
    "Nous voulons accompagner les jeunes",
    "Une démarche accompagnée par la médiathèque",
};

static void fill(const char *table)
{
    char sql[200];
    snprintf(sql, sizeof sql, "INSERT INTO %s(rowid, body) VALUES (?1, ?2)", table);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(fx.db, sql, -1, &st, NULL), SQLITE_OK);
    for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
        sqlite3_bind_int64(st, 1, (long long)i + 1);
        sqlite3_bind_text(st, 2, corpus[i], -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
}

static void test_fts5_tables(void **state)
{
    (void)state;
    /* t has prefix indexes, u has none (prefix queries scan the terms then): same answers. */
    exec("CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'foison_fr', prefix = '2 3 4')");
    exec("CREATE VIRTUAL TABLE u USING fts5(body, tokenize = 'foison_fr')");
    fill("t");
    fill("u");
    const char *tables[] = {"t", "u"};
    for (int k = 0; k < 2; k++) {
        const char *tb = tables[k];
        assert_string_equal(match(tb, "bibliotheque cooperative"), "1");
        assert_string_equal(match(tb, "BIBLIOTHÈQUE"), "1");
        assert_string_equal(match(tb, "cooperation"), "1 2");
        assert_string_equal(match(tb, "biblio*"), "1 2");
        assert_string_equal(match(tb, "bi*"), "1 2");
        assert_string_equal(match(tb, "bibliothe*"), "1 2");
        assert_string_equal(match(tb, "bibliothequ*"), "1");
        assert_string_equal(match(tb, "cooperati*"), "1 2");
        assert_string_equal(match(tb, "coopérativ*"), "1");
        assert_string_equal(match(tb, "plouzane"), "2");
        assert_string_equal(match(tb, "activite"), "4");
        assert_string_equal(match(tb, "ecriture atelier"), "4");
        assert_string_equal(match(tb, "\"atelier d’écriture\""), "4");
        assert_string_equal(match(tb, "\"l'atelier d'ecriture\""), "4");
        assert_string_equal(match(tb, "\"tiers-lieu\""), "3");
        assert_string_equal(match(tb, "\"tiers lieu\""), "3");
        assert_string_equal(match(tb, "tierslieu"), "3");
        assert_string_equal(match(tb, "\"tiers-lieu à Landerneau\""), "3");
        assert_string_equal(match(tb, "\"tiers-li\"*"), "3");
        assert_string_equal(match(tb, "aujourdhui"), "3");
        assert_string_equal(match(tb, "\"aujourd'hui\""), "3");
        assert_string_equal(match(tb, "aujou*"), "3");
        /* An accented query gets the accented stem too: accompagnée finds accompagner. */
        assert_string_equal(match(tb, "accompagnée"), "5 6");
        assert_string_equal(match(tb, "accompagnee"), "6");
        assert_string_equal(match(tb, "accompagner"), "5 6");
        /* Only stop words: nothing found, no error. */
        assert_string_equal(match(tb, "\"le la les\""), "");
        assert_string_equal(match(tb, "les AND bibliotheque"), "");
        assert_string_equal(match(tb, "\"qu’il\""), "");
        /* Invalid UTF-8 in a query. */
        assert_string_equal(match(tb, "\"biblioth\xe8ques\""), "");
        assert_string_equal(match(tb, "\"\xff\xfe\""), "");
    }
    /* highlight() marks the original, accented words. */
    assert_string_equal(highlight("t", "bibliotheque cooperative"),
                        "[Bibliothèques] [coopératives] du Pays de Brest");
    assert_string_equal(highlight("t", "coopérativ*"),
                        "Bibliothèques [coopératives] du Pays de Brest");
    assert_string_equal(highlight("t", "coopérat*"), highlight("t", "cooperat*"));
    assert_string_equal(highlight("t", "\"l'atelier d'ecriture\""),
                        "L’[atelier d’écriture] des activités numériques");
    assert_string_equal(highlight("t", "\"tiers-lieu\""),
                        "Un [tiers-lieu] à Landerneau, ouvert aujourd'hui");
    assert_string_equal(highlight("t", "aujourdhui"),
                        "Un tiers-lieu à Landerneau, ouvert [aujourd'hui]");
    /* Invalid UTF-8 in a document is indexed around the bad bytes. */
    exec("INSERT INTO t(rowid, body) VALUES (10, CAST(X'43E96CE8627265FF20706F7274' AS TEXT))");
    assert_string_equal(match("t", "port"), "10");
    exec("DROP TABLE t");
    exec("DROP TABLE u");
    /* An unknown option in a table's definition is refused. */
    char *err = NULL;
    assert_int_not_equal(
        sqlite3_exec(fx.db, "CREATE VIRTUAL TABLE v USING fts5(body, tokenize = 'foison_fr x')",
                     NULL, NULL, &err),
        SQLITE_OK);
    sqlite3_free(err);
}

/* ---- speed, logged ---- */

static int count_token(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
    (void)tok, (void)ntok, (void)start, (void)end;
    long *n = ctx;
    n[0]++;
    if (!(tflags & FTS5_TOKEN_COLOCATED))
        n[1]++;
    return SQLITE_OK;
}

/* The words given to store_fts_capture's hook, as "w w w". */
static int capture_word(void *ctx, const char *w, int n)
{
    struct buf *b = ctx;
    if (b->len)
        buf_putc(b, ' ');
    buf_append(b, w, (size_t)n);
    return SQLITE_OK;
}

/* A document's tokens and captured words, as one string ("tokens | words"). */
static const char *doc_and_words(const char *text)
{
    static char last[4096];
    struct buf words = BUF_INIT;
    store_fts_capture(capture_word, &words);
    const char *t = toks(DOC, text);
    store_fts_capture(NULL, NULL);
    snprintf(last, sizeof last, "%s | %s", t, buf_cstr(&words));
    buf_free(&words);
    return last;
}

/* Tokens made ahead (store_fts_record, on another thread in a rebuild) and handed to FTS5 by
 * store_fts_replay: the same tokens and captured words as tokenizing, for exactly that text. */
static void test_replay(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "Les bibliothèques coopératives de Plouzané",
        "l’atelier d'écriture, aujourd'hui, jusqu'au tiers-lieu Saint-Pierre-Quilbignon",
        "Repair café n°3 : 2024, vélos, studios, ÉTÉ à Noël",
        "anticonstitutionnellementanticonstitutionnellementanticonstitutionnellement",
        "coope\xcc\x81ratives \xff\xfe invalide e\xcc\x81te\xcc\x81",
        "a la de des le", /* stop words alone: no token */
    };
    struct fts_fr_recorder *rec = store_fts_recorder_new();
    assert_non_null(rec);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char want[4096];
        snprintf(want, sizeof want, "%s", doc_and_words(texts[i]));
        /* The recorder keeps this thread's own capture hook as it was. */
        struct buf mine = BUF_INIT;
        store_fts_capture(capture_word, &mine);
        struct fts_fr_tokens *t = store_fts_record(rec, texts[i], (int)strlen(texts[i]));
        store_fts_capture(NULL, NULL);
        assert_int_equal(mine.len, 0);
        buf_free(&mine);
        assert_non_null(t);
        struct fts_fr_tokens *list[3] = {NULL, t, NULL};
        store_fts_replay(list, 3);
        /* A copy of the text finds the recording; another text is tokenized as usual. */
        char *copy = strdup(texts[i]);
        assert_string_equal(doc_and_words(copy), want);
        assert_string_equal(doc_and_words("atelier vélo"), "ateli +atelier velo | atelier velo");
        /* Queries are never replayed. */
        assert_string_equal(toks(QUERY, "bibliothèque"), "bibliothequ");
        store_fts_replay(NULL, 0);
        free(copy);
        store_fts_tokens_free(t);
    }
    assert_null(store_fts_record(rec, "", 0));
    /* Through FTS5: a table of four columns written with the recordings holds the same index
     * as one written by tokenizing. */
    exec("CREATE VIRTUAL TABLE r1 USING fts5(a, b, c, d, tokenize = 'foison_fr', prefix = '3')");
    exec("CREATE VIRTUAL TABLE r2 USING fts5(a, b, c, d, tokenize = 'foison_fr', prefix = '3')");
    sqlite3_stmt *st1, *st2;
    assert_int_equal(sqlite3_prepare_v2(fx.db,
                                        "INSERT INTO r1(rowid, a, b, c, d)"
                                        " VALUES (?1, ?2, ?3, ?4, ?5)",
                                        -1, &st1, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(fx.db,
                                        "INSERT INTO r2(rowid, a, b, c, d)"
                                        " VALUES (?1, ?2, ?3, ?4, ?5)",
                                        -1, &st2, NULL),
                     SQLITE_OK);
    size_t nt = sizeof texts / sizeof texts[0];
    for (size_t i = 0; i < nt; i++) {
        struct fts_fr_tokens *t[4];
        for (int c = 0; c < 4; c++) {
            const char *x = texts[(i + (size_t)c) % nt];
            t[c] = store_fts_record(rec, x, (int)strlen(x));
            sqlite3_bind_text(st1, c + 2, x, -1, SQLITE_STATIC);
            sqlite3_bind_text(st2, c + 2, x, -1, SQLITE_STATIC);
        }
        sqlite3_bind_int64(st1, 1, (long long)i + 1);
        sqlite3_bind_int64(st2, 1, (long long)i + 1);
        assert_int_equal(sqlite3_step(st1), SQLITE_DONE);
        store_fts_replay(t, 4);
        assert_int_equal(sqlite3_step(st2), SQLITE_DONE);
        store_fts_replay(NULL, 0);
        sqlite3_reset(st1);
        sqlite3_reset(st2);
        for (int c = 0; c < 4; c++)
            store_fts_tokens_free(t[c]);
    }
    sqlite3_finalize(st1);
    sqlite3_finalize(st2);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(fx.db,
                                        "SELECT (SELECT group_concat(hex(block), ',') FROM"
                                        " (SELECT block FROM r1_data ORDER BY id)) IS"
                                        " (SELECT group_concat(hex(block), ',') FROM"
                                        " (SELECT block FROM r2_data ORDER BY id)),"
                                        " (SELECT count(*) FROM r1_data)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    assert_true(sqlite3_column_int(st, 1) > 1);
    sqlite3_finalize(st);
    assert_string_equal(match("r2", "bibliotheque"), "1 4 5 6");
    store_fts_recorder_free(rec);
}

static void test_speed(void **state)
{
    (void)state;
    static const char *const words[] = {
        "Les",         "bibliothèques", "coopératives", "de",         "Plouzané",  "l'atelier",
        "d'écriture",  "accompagnent",  "un",           "tiers-lieu", "numérique", "où",
        "les",         "habitants",     "partagent",    "savoirs",    "et",        "outils",
        "aujourd'hui", "solidarité",    "économie",     "sociale",    "Brest",     "jeunes",
        "2024",        "associations",  "qu'elles",     "réseau",     "ouvertes",  "à",
    };
    struct buf text = BUF_INIT;
    unsigned seed = 7;
    while (text.len < 4u << 20) {
        seed = seed * 1103515245u + 12345u;
        buf_puts(&text, words[(seed >> 16) % (sizeof words / sizeof words[0])]);
        buf_puts(&text, (seed >> 8) % 11 == 0 ? ". " : " ");
    }
    long n[2] = {0, 0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(fx.api.xTokenize(fx.tok, n, DOC, text.data, (int)text.len, count_token),
                     SQLITE_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("fts_fr speed: %.1f MB in %.3f s: %.1f MB/s, %.2f M tokens/s (%.2f M positions/s, "
           "%ld tokens for %ld positions)\n",
           (double)text.len / 1e6, s, (double)text.len / 1e6 / s, (double)n[0] / 1e6 / s,
           (double)n[1] / 1e6 / s, n[0], n[1]);
    buf_free(&text);
    /* Index building in FTS5, against SQLite's unicode61 on the same documents (30 words). */
    const char *specs[] = {"foison_fr", "unicode61 remove_diacritics 2"};
    for (int k = 0; k < 2; k++) {
        char sql[200];
        snprintf(sql, sizeof sql, "CREATE VIRTUAL TABLE b%d USING fts5(body, tokenize = '%s')", k,
                 specs[k]);
        exec(sql);
        snprintf(sql, sizeof sql, "INSERT INTO b%d(body) VALUES (?1)", k);
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(fx.db, sql, -1, &st, NULL), SQLITE_OK);
        enum { NDOCS = 20000 };
        seed = 7;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        exec("BEGIN");
        for (int d = 0; d < NDOCS; d++) {
            buf_reset(&text);
            for (int w = 0; w < 30; w++) {
                seed = seed * 1103515245u + 12345u;
                buf_puts(&text, words[(seed >> 16) % (sizeof words / sizeof words[0])]);
                buf_putc(&text, ' ');
            }
            sqlite3_bind_text(st, 1, text.data, (int)text.len, SQLITE_STATIC);
            assert_int_equal(sqlite3_step(st), SQLITE_DONE);
            sqlite3_reset(st);
        }
        exec("COMMIT");
        clock_gettime(CLOCK_MONOTONIC, &t1);
        sqlite3_finalize(st);
        s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        snprintf(sql, sizeof sql, "SELECT sum(length(block)) FROM b%d_data", k);
        assert_int_equal(sqlite3_prepare_v2(fx.db, sql, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        printf("fts5 index build, %s: %d documents of 30 words in %.3f s: %.0f documents/s, "
               "index %.1f KiB\n",
               specs[k], NDOCS, s, NDOCS / s, (double)sqlite3_column_int64(st, 0) / 1024);
        sqlite3_finalize(st);
    }
    buf_free(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_french_phrases),
        cmocka_unit_test(test_folding_tables),
        cmocka_unit_test(test_elisions),
        cmocka_unit_test(test_hyphens),
        cmocka_unit_test(test_numbers_and_stop_words),
        cmocka_unit_test(test_prefix_queries),
        cmocka_unit_test(test_long_tokens),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_fts5_tables),
        cmocka_unit_test(test_replay),
        cmocka_unit_test(test_speed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
