/* store.h — the SQLite storage of a site: opening, migrations, the per-thread connection and
 * its statement cache. The only layer that writes SQL; it never writes HTML. */
#ifndef FOISON_STORE_H
#define FOISON_STORE_H
#include <sqlite3.h>
#include <stddef.h>
#include <stdbool.h>

#define STORE_SCHEMA_VERSION 18
#define STORE_APPLICATION_ID 0x466f6973 /* "Fois" */

enum store_status {
    STORE_OK = 0,
    STORE_ERR = -1,      /* a bug or I/O failure: logged */
    STORE_NOTFOUND = -2, /* no such row */
    STORE_CONFLICT = -3, /* a uniqueness or revision race lost */
};

struct store_memo;
struct arena;

struct store {
    sqlite3 *db;
    /* The statement cache: grows as statements are first used, so it can never be full. */
    const char **stmt_sql;
    sqlite3_stmt **stmt;
    int nstmt, stmt_cap;
    /* Answers of costly aggregate reads (facet counts), each kept with the stamp of the file it
     * was read from (store_stamp) and used again only while the stamp is the same. */
    struct store_memo *memo;
    int nmemo, memo_next;
    /* The site's generation as last read, and the shared counter's value then (see
     * store_generation in moderation_store.c): read again only when the counter moved. */
    long long gen_cached;
    unsigned long long gen_seen;
    bool gen_dirty; /* this transaction bumped the generation: tell the other processes */
    /* Hashes of the words this connection put in the search vocabulary (search_store.c). */
    unsigned long long *words_seen;
    int words_n, words_cap;
    struct search_bulk *search_bulk; /* a rebuild of the index in progress */
};

/* A counter in memory shared by every process serving the file (SITE.db-gen, mapped), moved by
 * each write that changes the site's generation, before and after its commit: reading it costs
 * nothing, so a request reads the generation from the file only when some process wrote. NULL
 * when the file cannot be mapped (every request then reads the file). */
volatile unsigned long long *store_gen_counter(void);
void store_gen_signal(void);

enum store_open_mode {
    STORE_OPEN_EXISTING, /* the file must exist and be a foison site */
    STORE_OPEN_CREATE,   /* the file must not exist; a new site is created */
};

/* Opens (or creates) the site at path and applies pending migrations. On failure returns NULL
 * and writes a French message for the user into err (size errlen). */
struct store *store_open(const char *path, enum store_open_mode mode, char *err, size_t errlen);
void store_close(struct store *s);
/* The SQL of migration version (1 to STORE_SCHEMA_VERSION), NULL otherwise: for tests that
 * build the site of an older version and open it. */
const char *store_migration(int version);

/* The statement for this constant SQL text, prepared once per connection and reset for reuse.
 * sql must be a string literal (the cache is keyed by its address). */
sqlite3_stmt *store_stmt(struct store *s, const char *sql);
/* Done with a statement from store_stmt(): resets it and clears its bindings. */
void store_done(sqlite3_stmt *st);

/* A value that changes whenever the site file may have changed: a commit by any connection, of
 * this process or another (SQLite's data_version), or a change made through this one. STORE_ERR
 * (never a valid stamp) when it cannot be read. */
long long store_stamp(struct store *s);
/* Frees what the connection memorised (store_close does it). */
void store_memo_free(struct store *s);

/* A read transaction: every read until store_read_end sees one snapshot of the file, and pays
 * SQLite's locking once instead of once per statement. Not for writes (store_begin). */
int store_read_begin(struct store *s);
void store_read_end(struct store *s);

int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

/* The durability of writes: "FULL" (the default: a write acknowledged survives a power loss)
 * or "NORMAL" (survives a crash of foison, may lose the last writes on a power loss), read from
 * the setting "synchronous" when a connection opens. */
#define STORE_SYNC_SETTING "synchronous"
bool store_sync_valid(const char *mode);

/* Settings (key/value strings). store_setting_get returns a malloc'd copy or NULL. */
char *store_setting_get(struct store *s, const char *key);
int store_setting_set(struct store *s, const char *key, const char *value);
/* Sets key only when it has no value yet (the first writer wins). */
int store_setting_add(struct store *s, const char *key, const char *value);

/* Runs PRAGMA integrity_check and foreign_key_check; prints problems on stderr. 0 when clean. */
int store_check_sqlite(struct store *s);

/* Column i of the current row as a copy in a ("" for NULL). */
const char *store_text(struct arena *a, sqlite3_stmt *st, int i);
/* Steps a statement that returns no row and resets it: STORE_OK, STORE_CONFLICT on a
 * constraint, or STORE_ERR (logged with the label what). */
int store_step_done(struct store *s, sqlite3_stmt *st, const char *what);

/* Logs the SQLite error of the connection with a context label. */
void store_log_error(struct store *s, const char *what);

/* Per-thread connections for the server: store_thread_setup(path) once, then store_thread()
 * returns this thread's connection, opened on first use and kept until the thread ends. */
void store_thread_setup(const char *path);
struct store *store_thread(void);

#endif
