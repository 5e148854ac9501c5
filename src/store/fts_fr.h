/* fts_fr.h — "foison_fr", our French tokenizer for SQLite FTS5: UTF-8 read leniently, case and
 * diacritics folded, elisions dropped, hyphenated words split and joined, French stop words
 * dropped, Snowball's French stemmer (libstemmer) applied, and forms indexed so that a prefix
 * typed as you go matches. Use it with CREATE VIRTUAL TABLE t USING fts5(..., tokenize =
 * 'foison_fr'), on a connection where store_fts_register was called.
 *
 * What one word of a document gives, all at one position (the extra forms are FTS5 colocated
 * tokens, skipped by highlight() and snippet()):
 *   primary: Snowball stem of the folded word ("coopératives" → "cooperatives" → "cooper");
 *            folding first is what makes "activite" find "activité": stemming the accented word
 *            then folding gives another stem for a quarter of the accented words of the seeds
 *            (activité → activ, activite → activit).
 *   accented stem: the stem of the lower-cased accented word, then folded, when it differs
 *            (accompagnée → accompagn, the primary being accompagne): an accented query gets it
 *            too, so "accompagnée" finds "accompagner".
 *   full form: the folded word itself, when it differs from both stems, for prefix queries:
 *            "cooperati*" cannot match the stem "cooper", it matches "cooperatives".
 * A hyphenated word gives its parts, then its joined form colocated with the last part
 * ("tiers-lieu" → tiers, lieu + tierslieu), so phrases keep their positions.
 *
 * Queries (FTS5_TOKENIZE_QUERY): the two stems of each word, no full form, no joined form.
 * Prefix queries (with FTS5_TOKENIZE_PREFIX): the last word of the text is only folded, not
 * stemmed, and kept even when it is a stop word ("de*" while typing "developpement"); the
 * words before it are treated as in a query.
 *
 * Limits: words are cut at FTS_FR_MAX_TOKEN bytes (not stemmed then); diacritics are folded for
 * Latin-1 and Latin Extended-A (and any decomposed text, its combining marks dropped), case for
 * Latin, Greek, Cyrillic and Armenian; scripts written without spaces are not segmented (a run
 * of letters is one token). A prefix of a compound's joined form ("tiersli*") only matches
 * documents that wrote the word joined or hyphenated with the same parts. */
#ifndef FOISON_FTS_FR_H
#define FOISON_FTS_FR_H
#include <sqlite3.h>
#include <stdbool.h>

#define FTS_FR_TOKENIZER "foison_fr"
#define FTS_FR_MAX_TOKEN 64 /* bytes of a token, longer words are cut at a character boundary */

/* Registers the tokenizer "foison_fr" on db (each connection needs it before opening an FTS5
 * table that names it). Each table's tokenizer instance owns its Snowball stemmer, which is not
 * thread-safe: an instance is only used by its connection. Returns SQLITE_OK or an SQLite
 * error code (FTS5 missing from the library: SQLITE_ERROR). */
int store_fts_register(sqlite3 *db);

/* The FTS5 API of db (to find the tokenizer again or add auxiliary functions), NULL when the
 * SQLite library has no FTS5. Owned by SQLite, valid as long as db is open. */
fts5_api *store_fts_api(sqlite3 *db);

/* The words of text as the index sees them before stemming: each word that is not a stop word,
 * folded (lower case, no diacritics, a compound's parts then its joined form colocated), with
 * its byte offsets in text (what the typo suggestions draw their vocabulary from). cb returns
 * SQLITE_OK to go on; its first other code is returned. */
int store_fts_words(const char *text, int n,
                    int (*cb)(void *ctx, int tflags, const char *word, int nword, int start,
                              int end),
                    void *ctx);
/* Until called again with NULL, every word (not a stop word, not a number) that the tokenizer
 * meets in a document on this thread is also given to cb, folded as store_fts_words gives
 * it (compounds: parts and joined form). cb returns SQLITE_OK to go on. */
void store_fts_capture(int (*cb)(void *ctx, const char *word, int nword), void *ctx);
/* The number of positions a query's text gives (0 for stop words alone: FTS5 would match
 * nothing with such a phrase). With prefix, its last word as typed so far. *last_chars (when
 * not NULL): the characters of the last token, the one FTS5 expands with prefix ("l'a" gives
 * "a", 1: its elision dropped). SQLITE_OK or SQLITE_NOMEM. */
int store_fts_query_tokens(const char *text, int n, bool prefix, int *ntokens, int *last_chars);
/* The tokens of a query's text, as FTS5 looks them up (the colocated second stems flagged). */
int store_fts_query_each(const char *text, int n,
                         int (*cb)(void *ctx, int tflags, const char *tok, int ntok, int start,
                                   int end),
                         void *ctx);

/* A document's tokens made ahead, on another thread (a rebuild of the whole index): what the
 * tokenizer would hand FTS5 for that text (its tokens and the words given to store_fts_capture's
 * callback, in order), so that stemming runs beside the thread writing the index.
 * store_fts_recorder_new: one per thread (it owns a stemmer); NULL when out of memory.
 * store_fts_record: the recording of text[0..n), which must stay unchanged while the recording
 * is used (it is compared with the text FTS5 is given); NULL when text is empty or on an
 * error. Each is freed by its _free function. */
struct fts_fr_recorder;
struct fts_fr_tokens;
struct fts_fr_recorder *store_fts_recorder_new(void);
void store_fts_recorder_free(struct fts_fr_recorder *rec);
struct fts_fr_tokens *store_fts_record(struct fts_fr_recorder *rec, const char *text, int n);
void store_fts_tokens_free(struct fts_fr_tokens *t);
/* Until called again with n = 0, a document's text that FTS5 asks this thread's tokenizer for
 * and that is byte for byte the text of one of the n recordings (NULL ones skipped) is given
 * that recording's tokens rather than tokenized again; any other text is tokenized as usual. */
void store_fts_replay(struct fts_fr_tokens *const *t, int n);

#endif
