/* db.c — opening a site file, the schema and its migrations, the statement cache, settings,
 * and the per-thread connections the server uses. */
#include "store/store.h"
#include "store/search_store.h"
#include "util/arena.h"
#include "util/mem.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Migration N brings the schema from version N-1 to N. Never edit a shipped migration. */
static const char *const store_migrations[] = {
    NULL,
    /* 1: entries, revisions, accounts, territory */
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE COLLATE NOCASE, name TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN ('admin','moderator','contributor')),"
    "  password_hash TEXT NOT NULL, created INTEGER NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','pending','blocked')));"
    "CREATE TABLE sessions ("
    "  token_hash BLOB PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE "
    "CASCADE,"
    "  csrf TEXT NOT NULL, created INTEGER NOT NULL, expires INTEGER NOT NULL);"
    "CREATE INDEX sessions_user ON sessions(user_id);"
    "CREATE TABLE api_tokens ("
    "  token_hash BLOB PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE "
    "CASCADE,"
    "  created INTEGER NOT NULL, last_used INTEGER);"
    "CREATE TABLE communes ("
    "  insee TEXT PRIMARY KEY, name TEXT NOT NULL, lat REAL, lon REAL, epci TEXT, epci_name TEXT,"
    "  population INTEGER);"
    "CREATE TABLE themes (id TEXT PRIMARY KEY, label TEXT NOT NULL, position INTEGER NOT NULL);"
    "CREATE TABLE entries ("
    "  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, slug TEXT NOT NULL UNIQUE,"
    "  created INTEGER NOT NULL, updated INTEGER NOT NULL,"
    "  published_rev INTEGER, latest_rev INTEGER NOT NULL,"
    "  featured INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX entries_kind ON entries(kind, deleted, updated);"
    "CREATE TABLE revisions ("
    "  id INTEGER PRIMARY KEY, entry_id INTEGER NOT NULL REFERENCES entries(id),"
    "  number INTEGER NOT NULL, parent_number INTEGER, author_id INTEGER REFERENCES users(id),"
    "  created INTEGER NOT NULL, comment TEXT NOT NULL DEFAULT '',"
    "  state TEXT NOT NULL DEFAULT 'published' CHECK (state IN ('published','pending','rejected')),"
    "  fields TEXT NOT NULL, rendered TEXT NOT NULL DEFAULT '{}', card TEXT NOT NULL DEFAULT '{}',"
    "  UNIQUE (entry_id, number));"
    "CREATE TABLE old_slugs (slug TEXT PRIMARY KEY, entry_id INTEGER NOT NULL REFERENCES "
    "entries(id));"
    "CREATE TABLE entry_terms ("
    "  entry_id INTEGER NOT NULL REFERENCES entries(id), facet TEXT NOT NULL, value TEXT NOT NULL,"
    "  PRIMARY KEY (facet, value, entry_id)) WITHOUT ROWID;"
    "CREATE INDEX entry_terms_entry ON entry_terms(entry_id);"
    /* Revisions are immutable: the database itself refuses to change their content. */
    "CREATE TRIGGER revisions_immutable BEFORE UPDATE OF entry_id, number, parent_number,"
    "  author_id, created, comment, fields ON revisions"
    "  BEGIN SELECT RAISE(ABORT, 'revisions are immutable'); END;"
    "CREATE TRIGGER revisions_no_delete BEFORE DELETE ON revisions"
    "  BEGIN SELECT RAISE(ABORT, 'revisions are immutable'); END;",
    /* 2: what lists read from revisions, from indexes alone, without visiting the revision rows
     * (SQLite reads a row's columns in order, so the card, stored after the fields and their
     * rendering, costs a walk through kilobytes of overflow pages): the authors of entries (API
     * lists, attribution) in revision order, and the cards of list pages. Indexes, not copies:
     * they can never disagree with the rows. */
    "CREATE INDEX revisions_authors ON revisions(entry_id, number, state, author_id);"
    "CREATE INDEX revisions_cards ON revisions(entry_id, number, card);",
    /* 3: moderation. The 'trusted' role (a CHECK constraint changes only by rebuilding the table,
     * SQLite's documented way, run with foreign keys off: see store_migrate); the spam score of a
     * revision and its reasons; the queue of pending revisions; the moderation log; and the
     * generation of the site, bumped by every write transaction, that page caches of every
     * process compare against. text_hash (of a revision's main text) finds the same text saved by
     * several accounts. */
    "CREATE TABLE users_new ("
    "  id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE COLLATE NOCASE, name TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN ('admin','moderator','trusted','contributor')),"
    "  password_hash TEXT NOT NULL, created INTEGER NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','pending','blocked')));"
    "INSERT INTO users_new (id, email, name, role, password_hash, created, status)"
    "  SELECT id, email, name, role, password_hash, created, status FROM users;"
    "DROP TABLE users;"
    "ALTER TABLE users_new RENAME TO users;"
    "ALTER TABLE revisions ADD COLUMN spam_score INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE revisions ADD COLUMN spam_reasons TEXT NOT NULL DEFAULT '[]';"
    "ALTER TABLE revisions ADD COLUMN text_hash INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX revisions_text ON revisions(text_hash, created);"
    "CREATE INDEX revisions_pending ON revisions(created, id) WHERE state = 'pending';"
    "CREATE INDEX revisions_by_author ON revisions(author_id, entry_id, number);"
    "CREATE TABLE site_state (id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  generation INTEGER NOT NULL);"
    "INSERT INTO site_state (id, generation) VALUES (1, 1);"
    "CREATE TABLE moderation_log ("
    "  id INTEGER PRIMARY KEY, created INTEGER NOT NULL,"
    "  moderator_id INTEGER REFERENCES users(id), action TEXT NOT NULL,"
    "  entry_id INTEGER REFERENCES entries(id), revision_number INTEGER,"
    "  target_user_id INTEGER REFERENCES users(id), reason TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX moderation_log_created ON moderation_log(created);",
    /* 4: the outbox, the persistent queue of the site's mail (core/outbox.c). */
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY, created INTEGER NOT NULL, recipient TEXT NOT NULL,"
    "  message_id TEXT NOT NULL, message TEXT NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','sent','failed')),"
    "  tries INTEGER NOT NULL DEFAULT 0, next_try INTEGER NOT NULL, sent INTEGER,"
    "  last_error TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX outbox_due ON outbox(next_try, id) WHERE state = 'queued';",
    /* 5: a setting changed (a page text, the site's name) changes pages: a new generation, in the
     * same transaction, whoever writes it (the CLI, later the admin pages). */
    "CREATE TRIGGER settings_insert_generation AFTER INSERT ON settings"
    "  BEGIN UPDATE site_state SET generation = generation + 1 WHERE id = 1; END;"
    "CREATE TRIGGER settings_update_generation AFTER UPDATE ON settings"
    "  BEGIN UPDATE site_state SET generation = generation + 1 WHERE id = 1; END;",
    /* 6: accounts anyone can open. A 'deleted' status (the person left; their contributions
     * stay, under the name they chose); a short bio; rights, a counter moved by every change of
     * an account's role or status, copied into each session when it opens, so that a session
     * opened under other rights is rotated (a new token) on its next request; and the one-time
     * links sent by mail (confirm an account, reset a password, confirm a new e-mail address),
     * stored hashed, each used once before it expires. */
    "CREATE TABLE users_new ("
    "  id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE COLLATE NOCASE, name TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN ('admin','moderator','trusted','contributor')),"
    "  password_hash TEXT NOT NULL, created INTEGER NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'active'"
    "    CHECK (status IN ('active','pending','blocked','deleted')),"
    "  bio TEXT NOT NULL DEFAULT '', rights INTEGER NOT NULL DEFAULT 0);"
    "INSERT INTO users_new (id, email, name, role, password_hash, created, status)"
    "  SELECT id, email, name, role, password_hash, created, status FROM users;"
    "DROP TABLE users;"
    "ALTER TABLE users_new RENAME TO users;"
    "ALTER TABLE sessions ADD COLUMN rights INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE account_links ("
    "  token_hash BLOB PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  purpose TEXT NOT NULL CHECK (purpose IN ('confirm','reset','email')),"
    "  email TEXT, created INTEGER NOT NULL, expires INTEGER NOT NULL, used INTEGER);"
    "CREATE INDEX account_links_user ON account_links(user_id, purpose);",
    /* 7: readers' reports. One row per report (who, why, when, and what a moderator decided);
     * an account has at most one open report per entry (the partial unique index), and the
     * reports an account filed in the last day are counted from its own index (rate_reports).
     * entries.hidden is read by the one visibility rule (core/visibility.c): 0 shown, 1 hidden
     * from all but moderators because enough accounts reported it (report_hide), 2 withdrawn by
     * a moderator who upheld the reports. */
    "ALTER TABLE entries ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0"
    "  CHECK (hidden IN (0, 1, 2));"
    "CREATE TABLE reports ("
    "  id INTEGER PRIMARY KEY, entry_id INTEGER NOT NULL REFERENCES entries(id),"
    "  reporter_id INTEGER NOT NULL REFERENCES users(id), reason TEXT NOT NULL,"
    "  comment TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','dismissed','upheld')),"
    "  decided_by INTEGER REFERENCES users(id), decided_at INTEGER);"
    "CREATE UNIQUE INDEX reports_open ON reports(entry_id, reporter_id) WHERE state = 'open';"
    "CREATE INDEX reports_by_reporter ON reports(reporter_id, created);",
    /* 8: the network's kinds. sort_key, derived from the published revision by the kind's
     * order (a folded title, a date), orders directory pages from an index. relations holds
     * the relation fields of each entry's published revision by id, both ways indexed: a
     * rename never breaks a link, and the other side reads its "in" links from relations_to.
     * entry_managers are the accounts that manage an entry beyond wiki editing (a network's
     * members are accepted by its managers); join_requests are the actors' requests to join a
     * network, each decided once. */
    "ALTER TABLE entries ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX entries_sorted ON entries(kind, sort_key);"
    /* Counting a kind's listed entries from the index alone, not from each row. */
    "CREATE INDEX entries_listed ON entries(kind, deleted, hidden, updated, published_rev);"
    "CREATE TABLE relations ("
    "  from_id INTEGER NOT NULL REFERENCES entries(id), field TEXT NOT NULL,"
    "  to_id INTEGER NOT NULL REFERENCES entries(id), position INTEGER NOT NULL,"
    "  PRIMARY KEY (from_id, field, to_id)) WITHOUT ROWID;"
    "CREATE INDEX relations_to ON relations(to_id, field, from_id);"
    "CREATE TABLE entry_managers ("
    "  entry_id INTEGER NOT NULL REFERENCES entries(id),"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, created INTEGER NOT NULL,"
    "  PRIMARY KEY (entry_id, user_id)) WITHOUT ROWID;"
    "CREATE INDEX entry_managers_user ON entry_managers(user_id);"
    "CREATE TABLE join_requests ("
    "  id INTEGER PRIMARY KEY, network_id INTEGER NOT NULL REFERENCES entries(id),"
    "  actor_id INTEGER NOT NULL REFERENCES entries(id),"
    "  requester_id INTEGER NOT NULL REFERENCES users(id), message TEXT NOT NULL DEFAULT '',"
    "  created INTEGER NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','accepted','refused')),"
    "  decided_by INTEGER REFERENCES users(id), decided_at INTEGER);"
    "CREATE UNIQUE INDEX join_requests_open ON join_requests(network_id, actor_id)"
    "  WHERE state = 'open';"
    /* Entries made before managers existed are managed by whoever wrote their first revision. */
    "INSERT OR IGNORE INTO entry_managers(entry_id, user_id, created)"
    "  SELECT r.entry_id, r.author_id, r.created FROM revisions r"
    "  JOIN users u ON u.id = r.author_id WHERE r.number = 1;",
    /* 9: what happens in the network. occurrences are derived from each event's published
     * revision (its start, or its series expanded), indexed by start for the agenda; an event
     * that changes one date of a series says so in occurrence_overrides, and the series' own
     * occurrence at that start is left out of the agenda. registrations hold seats of one
     * occurrence: 'registered' within the capacity, 'waiting' beyond it in the order of id, a
     * guest's unconfirmed until the link of the mail is followed; token is the hash of the
     * secret of the cancellation link. applications are the requests to join a training's
     * session; loans the requests to borrow equipment, an accepted one holding its days. */
    "CREATE TABLE occurrences ("
    "  entry_id INTEGER NOT NULL REFERENCES entries(id), start INTEGER NOT NULL,"
    "  end INTEGER NOT NULL, PRIMARY KEY (entry_id, start)) WITHOUT ROWID;"
    "CREATE INDEX occurrences_start ON occurrences(start, entry_id);"
    "CREATE TABLE occurrence_overrides ("
    "  override_id INTEGER PRIMARY KEY REFERENCES entries(id),"
    "  series_id INTEGER NOT NULL REFERENCES entries(id), replaces INTEGER NOT NULL);"
    "CREATE INDEX occurrence_overrides_series ON occurrence_overrides(series_id, replaces);"
    "CREATE TABLE registrations ("
    "  id INTEGER PRIMARY KEY, entry_id INTEGER NOT NULL REFERENCES entries(id),"
    "  occurrence INTEGER NOT NULL, user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    "  name TEXT NOT NULL, email TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('registered','waiting','cancelled')),"
    "  confirmed INTEGER NOT NULL DEFAULT 0, token TEXT NOT NULL UNIQUE,"
    "  created INTEGER NOT NULL, promoted INTEGER, cancelled INTEGER);"
    "CREATE INDEX registrations_event ON registrations(entry_id, occurrence, state, id);"
    "CREATE UNIQUE INDEX registrations_once ON registrations(entry_id, occurrence, email)"
    "  WHERE state != 'cancelled';"
    "CREATE INDEX registrations_user ON registrations(user_id);"
    "CREATE INDEX registrations_unconfirmed ON registrations(created) WHERE confirmed = 0"
    "  AND state != 'cancelled';"
    "CREATE TABLE registration_closed ("
    "  entry_id INTEGER PRIMARY KEY REFERENCES entries(id),"
    "  closed_by INTEGER REFERENCES users(id), closed_at INTEGER NOT NULL);"
    "CREATE TABLE applications ("
    "  id INTEGER PRIMARY KEY, cohort_id INTEGER NOT NULL REFERENCES entries(id),"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  actor_id INTEGER REFERENCES entries(id), project_id INTEGER REFERENCES entries(id),"
    "  project_text TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '',"
    "  state TEXT NOT NULL DEFAULT 'pending'"
    "  CHECK (state IN ('pending','accepted','waiting','refused','withdrawn')),"
    "  created INTEGER NOT NULL, decided_by INTEGER REFERENCES users(id), decided_at INTEGER);"
    "CREATE INDEX applications_cohort ON applications(cohort_id, state, id);"
    "CREATE UNIQUE INDEX applications_once ON applications(cohort_id, user_id)"
    "  WHERE state IN ('pending','accepted','waiting');"
    "CREATE TABLE loans ("
    "  id INTEGER PRIMARY KEY, resource_id INTEGER NOT NULL REFERENCES entries(id),"
    "  borrower_id INTEGER NOT NULL REFERENCES users(id),"
    "  from_day TEXT NOT NULL, to_day TEXT NOT NULL, message TEXT NOT NULL DEFAULT '',"
    "  state TEXT NOT NULL DEFAULT 'requested'"
    "  CHECK (state IN ('requested','accepted','refused','cancelled')),"
    "  created INTEGER NOT NULL, decided_by INTEGER REFERENCES users(id), decided_at INTEGER,"
    "  reminded_pickup INTEGER NOT NULL DEFAULT 0, reminded_return INTEGER NOT NULL DEFAULT 0,"
    "  CHECK (to_day >= from_day));"
    "CREATE INDEX loans_resource ON loans(resource_id, state, from_day);"
    "CREATE INDEX loans_borrower ON loans(borrower_id, created);"
    "CREATE INDEX loans_due ON loans(state, from_day, to_day);",
    /* 10: a session's participants are not all accounts (the operator enters the past sessions'
     * participants by name), and a participant's name is public only when they agree:
     * applications.user_id may be NULL, and public_name holds the name shown ('' : none). */
    "CREATE TABLE applications_v10 ("
    "  id INTEGER PRIMARY KEY, cohort_id INTEGER NOT NULL REFERENCES entries(id),"
    "  user_id INTEGER REFERENCES users(id),"
    "  actor_id INTEGER REFERENCES entries(id), project_id INTEGER REFERENCES entries(id),"
    "  project_text TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '',"
    "  public_name TEXT NOT NULL DEFAULT '',"
    "  state TEXT NOT NULL DEFAULT 'pending'"
    "  CHECK (state IN ('pending','accepted','waiting','refused','withdrawn')),"
    "  created INTEGER NOT NULL, decided_by INTEGER REFERENCES users(id), decided_at INTEGER);"
    "INSERT INTO applications_v10(id, cohort_id, user_id, actor_id, project_id, project_text,"
    "  message, state, created, decided_by, decided_at)"
    "  SELECT id, cohort_id, user_id, actor_id, project_id, project_text, message, state, created,"
    "  decided_by, decided_at FROM applications;"
    "DROP TABLE applications;"
    "ALTER TABLE applications_v10 RENAME TO applications;"
    "CREATE INDEX applications_cohort ON applications(cohort_id, state, id);"
    "CREATE UNIQUE INDEX applications_once ON applications(cohort_id, user_id)"
    "  WHERE state IN ('pending','accepted','waiting');"
    "CREATE INDEX applications_user ON applications(user_id);",
    /* 11: full-text search (store/search_store.c). The texts of the listed entries in FTS5 with
     * our French tokenizer (rowid: the entry's id); for each entry indexed, its facet terms
     * ("param=value" lines), its date, the words of its title and whether it is listed, each
     * change numbered by seq
     * (the processes' copies in memory read what is above theirs); the vocabulary of typo
     * corrections (folded word, as first written). The derived-data fingerprint changed with
     * this version: the server fills the index when it first opens the site. */
    SEARCH_FTS_CREATE
    "CREATE TABLE search_docs (entry_id INTEGER PRIMARY KEY, terms TEXT NOT NULL,"
    "  updated INTEGER NOT NULL, listed INTEGER NOT NULL, seq INTEGER NOT NULL,"
    "  title_words INTEGER NOT NULL DEFAULT 0);"
    "CREATE UNIQUE INDEX search_docs_seq ON search_docs(seq);"
    "CREATE TABLE search_words (word TEXT PRIMARY KEY, shown TEXT NOT NULL) WITHOUT ROWID;",
    /* 12: map points (store/geo_store.c). For each listed entry of a kind that can be placed,
     * what its published revision says of its position: its own point (NULL when none), its
     * commune, the ids of the places it is at (in order, separated by spaces), whether others
     * may be at it (place), and what a marker shows; an R*Tree over the own points (with the
     * same flag: the entries at a place inside a box are candidates of the box). A place's point
     * and a commune's centre are read with each row, never copied (a change of the communes
     * moves the generation through the setting communes_rev, core/territory.c). The
     * derived-data fingerprint changed with this version: the server fills the table when it
     * first opens the site. (Main had a no-op here until the two branches met: a site made in
     * between, at 13 without these tables, needs them made by hand.) */
    "CREATE TABLE geo_entries (entry_id INTEGER PRIMARY KEY REFERENCES entries(id),"
    "  kind TEXT NOT NULL, lat REAL, lon REAL, commune TEXT, places TEXT,"
    "  place INTEGER NOT NULL DEFAULT 0, title TEXT NOT NULL, summary TEXT NOT NULL);"
    "CREATE INDEX geo_entries_commune ON geo_entries(commune) WHERE lat IS NULL;"
    "CREATE VIRTUAL TABLE geo_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat, +place);",
    /* 13: the territory as configuration (core/territory.c, `foison territory`). Where a
     * commune's centre comes from: 'data' (GeoNames' cities500 from npm, matched by INSEE code),
     * 'admin' (set by an administrator, and kept when the territory is loaded again from the
     * data), NULL while it has none (its records are then "position inconnue", never placed
     * somewhere wrong). */
    "ALTER TABLE communes ADD COLUMN placed TEXT CHECK (placed IN ('data', 'admin'));"
    "UPDATE communes SET placed = 'data' WHERE lat IS NOT NULL AND lon IS NOT NULL;",
    /* 14: images and documents (store/media_store.c). blobs: files named by the SHA-256 of
     * their bytes (the same bytes are stored once), their content in the site file (data) or,
     * with the setting media_folder, in that folder (data NULL). media: what is shown on an
     * entry — its role, its moderation state, the texts people give with it (alternative text,
     * caption, author, licence) — naming what was uploaded by the hash of its bytes (source:
     * never served, never stored); media_files: what was made of a source (for an image, its
     * variants by width and type; for a document, the document itself), so that the same
     * upload is made once. */
    "CREATE TABLE blobs (hash TEXT PRIMARY KEY, mime TEXT NOT NULL, size INTEGER NOT NULL,"
    "  data BLOB);"
    "CREATE TABLE media ("
    "  id INTEGER PRIMARY KEY, entry_id INTEGER NOT NULL REFERENCES entries(id),"
    "  role TEXT NOT NULL CHECK (role IN ('main','gallery','document')),"
    "  state TEXT NOT NULL CHECK (state IN ('published','pending','rejected','deleted')),"
    "  source TEXT NOT NULL, mime TEXT NOT NULL, width INTEGER NOT NULL DEFAULT 0,"
    "  height INTEGER NOT NULL DEFAULT 0, size INTEGER NOT NULL, filename TEXT NOT NULL DEFAULT '',"
    "  alt TEXT NOT NULL DEFAULT '', caption TEXT NOT NULL DEFAULT '',"
    "  author TEXT NOT NULL DEFAULT '', license TEXT NOT NULL, position INTEGER NOT NULL DEFAULT 0,"
    "  uploader_id INTEGER REFERENCES users(id), created INTEGER NOT NULL,"
    "  decided_by INTEGER REFERENCES users(id), decided INTEGER);"
    "CREATE INDEX media_entry ON media(entry_id, position, id);"
    "CREATE INDEX media_source ON media(source);"
    "CREATE INDEX media_pending ON media(created, id) WHERE state = 'pending';"
    "CREATE TABLE media_files (source TEXT NOT NULL, mime TEXT NOT NULL, width INTEGER NOT NULL,"
    "  height INTEGER NOT NULL, hash TEXT NOT NULL, size INTEGER NOT NULL,"
    "  PRIMARY KEY (source, mime, width)) WITHOUT ROWID;"
    "CREATE INDEX media_files_hash ON media_files(hash);",
    /* 15: public-writing workshops (core/workshop.c). A mediator (trusted or above)
     * makes a batch of one-time sign-up links; each link is a 256-bit token stored as its hash
     * only (the sheet that prints them is shown once), open until used, revoked or expired. An
     * account opened through one remembers who vouched for it (sponsor_id) and the batch: its
     * mediator may then decide on its pending edits. */
    "CREATE TABLE workshops ("
    "  id INTEGER PRIMARY KEY, mediator_id INTEGER NOT NULL REFERENCES users(id),"
    "  title TEXT NOT NULL, created INTEGER NOT NULL, expires INTEGER NOT NULL);"
    "CREATE INDEX workshops_mediator ON workshops(mediator_id, created);"
    "CREATE TABLE workshop_links ("
    "  id INTEGER PRIMARY KEY, workshop_id INTEGER NOT NULL REFERENCES workshops(id),"
    "  token_hash BLOB NOT NULL UNIQUE,"
    "  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','used','revoked')),"
    "  used INTEGER, user_id INTEGER REFERENCES users(id) ON DELETE SET NULL);"
    "CREATE INDEX workshop_links_workshop ON workshop_links(workshop_id, id);"
    "ALTER TABLE users ADD COLUMN sponsor_id INTEGER REFERENCES users(id);"
    "ALTER TABLE users ADD COLUMN workshop_id INTEGER REFERENCES workshops(id);"
    "CREATE INDEX users_sponsor ON users(sponsor_id) WHERE sponsor_id IS NOT NULL;",
    /* 16: drafts of the guided path (core/draft.c, store/draft_store.c). The answers
     * of a record being proposed, kept between its steps, seen by their author alone. Not a
     * revision: nothing of an entry exists (no slug taken, no row any door reads) until the
     * author sends it through entry_save. `key` is the random name of its address (ids would
     * tell how many drafts the site holds); a deleted account's drafts go with it. Writing a
     * draft moves no generation: no public page depends on one. */
    "CREATE TABLE drafts (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL, step INTEGER NOT NULL DEFAULT 1, fields TEXT NOT NULL,"
    "  created INTEGER NOT NULL, updated INTEGER NOT NULL);"
    "CREATE INDEX drafts_user ON drafts(user_id, updated);"
    "CREATE TRIGGER drafts_account_deleted AFTER UPDATE OF status ON users"
    "  WHEN NEW.status = 'deleted' BEGIN DELETE FROM drafts WHERE user_id = NEW.id; END;",
    /* 17: accompanied writing (core/accompany.c). A mediator writes a record with or for an
     * actor (an entry of kind actor): one row per record, naming both, so that the record
     * credits the actor's people and the mediator apart from who typed each revision (which
     * the revisions keep). An invitation to a person of the actor is a 256-bit token stored as
     * its hash only, with its address and expiry; taking the record over through it is
     * recorded (taken_by, taken_at) and uses the token up; the address is forgotten then. */
    "CREATE TABLE accompaniments ("
    "  entry_id INTEGER PRIMARY KEY REFERENCES entries(id),"
    "  actor_id INTEGER NOT NULL REFERENCES entries(id),"
    "  mediator_id INTEGER NOT NULL REFERENCES users(id), created INTEGER NOT NULL,"
    "  invite_hash BLOB UNIQUE, invite_email TEXT, invite_expires INTEGER,"
    "  taken_by INTEGER REFERENCES users(id), taken_at INTEGER);"
    "CREATE INDEX accompaniments_actor ON accompaniments(actor_id);"
    "CREATE INDEX accompaniments_mediator ON accompaniments(mediator_id, created);"
    "CREATE INDEX accompaniments_taken ON accompaniments(taken_by) WHERE taken_by IS NOT NULL;",
    /* 18: the photo of a draft (core/media.c media_draft_*, web/propose.c's photo step). A
     * draft is not an entry, so its photo is not a medium yet: the upload is checked and made
     * as media_add does (its variants are blobs and media_files rows of its source, the same
     * bytes made once), and this row keeps its texts with the draft. No media row names the
     * source, so /media/… serves none of its files to anybody (media_file_get finds no holder);
     * the draft's author gets them through the draft's own address. On submit the row becomes
     * the entry's main image (a media row, published or pending as the uploader's role says);
     * it goes with its draft (foreign keys are off in this file: the trigger removes it, also
     * when a deleted account's drafts go). */
    "CREATE TABLE draft_media (draft_id INTEGER PRIMARY KEY REFERENCES drafts(id)"
    "  ON DELETE CASCADE, source TEXT NOT NULL, mime TEXT NOT NULL,"
    "  width INTEGER NOT NULL, height INTEGER NOT NULL, size INTEGER NOT NULL,"
    "  filename TEXT NOT NULL DEFAULT '', alt TEXT NOT NULL, caption TEXT NOT NULL DEFAULT '',"
    "  author TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL);"
    "CREATE TRIGGER draft_media_gone AFTER DELETE ON drafts"
    "  BEGIN DELETE FROM draft_media WHERE draft_id = OLD.id; END;",
};
#define STORE_NMIGRATIONS ((int)(sizeof(store_migrations) / sizeof(store_migrations[0])) - 1)

void store_log_error(struct store *s, const char *what)
{
    fprintf(stderr, "foison: sqlite: %s: %s\n", what, s && s->db ? sqlite3_errmsg(s->db) : "?");
}

static int store_exec(struct store *s, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "foison: sqlite: %s\n", msg ? msg : "?");
        sqlite3_free(msg);
        return STORE_ERR;
    }
    return STORE_OK;
}

static int store_pragma_int(struct store *s, const char *sql)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int store_migrate(struct store *s, char *err, size_t errlen)
{
    int version = store_pragma_int(s, "PRAGMA user_version");
    if (version > STORE_SCHEMA_VERSION) {
        snprintf(err, errlen,
                 "ce site a été créé par une version plus récente de foison (schéma %d, "
                 "ce programme connaît le schéma %d) : mettez foison à jour",
                 version, STORE_SCHEMA_VERSION);
        return STORE_ERR;
    }
    for (int v = version + 1; v <= STORE_NMIGRATIONS; v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v);
        if (store_exec(s, "BEGIN IMMEDIATE") != STORE_OK)
            goto fail;
        if (store_exec(s, store_migrations[v]) != STORE_OK || store_exec(s, pragma) != STORE_OK ||
            store_pragma_int(s, "PRAGMA foreign_key_check") != -1) {
            store_exec(s, "ROLLBACK");
            goto fail;
        }
        if (store_exec(s, "COMMIT") != STORE_OK)
            goto fail;
    }
    return STORE_OK;
fail:
    snprintf(err, errlen, "la mise à jour du schéma du site a échoué : %s", sqlite3_errmsg(s->db));
    return STORE_ERR;
}

const char *store_migration(int version)
{
    return version >= 1 && version <= STORE_NMIGRATIONS ? store_migrations[version] : NULL;
}

bool store_sync_valid(const char *mode)
{
    return mode && (strcmp(mode, "FULL") == 0 || strcmp(mode, "NORMAL") == 0);
}

/* FULL unless the site chose NORMAL: an acknowledged contribution must survive a power loss
 * (in WAL mode NORMAL only loses the last commits on a power cut, never corrupts). */
static int store_sync_apply(struct store *s)
{
    char *mode = store_setting_get(s, STORE_SYNC_SETTING);
    int rc = STORE_OK;
    if (mode && strcmp(mode, "NORMAL") == 0)
        rc = store_exec(s, "PRAGMA synchronous=NORMAL");
    free(mode);
    return rc;
}

static void store_gen_map_open(const char *path);

struct store *store_open(const char *path, enum store_open_mode mode, char *err, size_t errlen)
{
    struct stat stbuf;
    bool exists = stat(path, &stbuf) == 0;
    if (mode == STORE_OPEN_EXISTING && !exists) {
        snprintf(err, errlen, "%s : fichier introuvable (créez un site avec « foison init »)",
                 path);
        return NULL;
    }
    if (mode == STORE_OPEN_CREATE && exists) {
        snprintf(err, errlen, "%s existe déjà : foison ne l'écrase pas", path);
        return NULL;
    }
    if (exists && !S_ISREG(stbuf.st_mode)) {
        snprintf(err, errlen, "%s n'est pas un fichier", path);
        return NULL;
    }
    struct store *s = xcalloc(1, sizeof(*s));
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (mode == STORE_OPEN_CREATE)
        flags |= SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s : ouverture impossible (%s)", path,
                 s->db ? sqlite3_errmsg(s->db) : "mémoire");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 5000);
    if (store_search_register(s->db) != SQLITE_OK) {
        snprintf(err, errlen, "%s : la recherche plein texte (FTS5) manque à SQLite", path);
        goto fail;
    }
    /* A file that is not SQLite fails at the first read; one that is SQLite but not ours has
     * another application_id, or tables and no id at all. */
    int appid = store_pragma_int(s, "PRAGMA application_id");
    if (appid < 0) {
        snprintf(err, errlen, "%s n'est pas un site foison (ce n'est pas une base SQLite)", path);
        goto fail;
    }
    if (mode == STORE_OPEN_EXISTING && appid != STORE_APPLICATION_ID) {
        snprintf(err, errlen, "%s n'est pas un site foison", path);
        goto fail;
    }
    if (mode == STORE_OPEN_CREATE) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA application_id=%d", STORE_APPLICATION_ID);
        if (store_exec(s, pragma) != STORE_OK)
            goto fail_sql;
    }
    /* Migrations run with foreign keys off (a table rebuilt by a migration would otherwise
     * cascade its DROP), and store_migrate checks them before each commit. */
    /* A page cache of 32 MiB per connection (SQLite's default is 2 MiB): the agenda and the
     * lists of a site of tens of thousands of entries read the same pages request after
     * request, and a page not in the cache costs a read() and a copy from the kernel. */
    if (store_exec(s, "PRAGMA journal_mode=WAL") != STORE_OK ||
        store_exec(s, "PRAGMA cache_size=-32768") != STORE_OK ||
        store_exec(s, "PRAGMA synchronous=FULL") != STORE_OK ||
        store_exec(s, "PRAGMA foreign_keys=OFF") != STORE_OK)
        goto fail_sql;
    if (store_migrate(s, err, errlen) != STORE_OK)
        goto fail;
    store_gen_map_open(path);
    if (store_exec(s, "PRAGMA foreign_keys=ON") != STORE_OK)
        goto fail_sql;
    if (store_sync_apply(s) != STORE_OK)
        goto fail_sql;
    return s;
fail_sql:
    snprintf(err, errlen, "%s : %s", path, sqlite3_errmsg(s->db));
fail:
    store_close(s);
    return NULL;
}

long long store_stamp(struct store *s)
{
    sqlite3_stmt *st = store_stmt(s, "PRAGMA data_version");
    if (!st)
        return STORE_ERR;
    long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    store_done(st);
    if (v < 0)
        return STORE_ERR;
    /* data_version fits in 32 bits in practice; this connection's changes take the rest. */
    return (v & 0xffffffffLL) | ((long long)(sqlite3_total_changes64(s->db) & 0x3fffffffLL) << 32);
}

void store_close(struct store *s)
{
    if (!s)
        return;
    store_memo_free(s);
    free(s->words_seen);
    store_search_bulk_discard(s);
    for (int i = 0; i < s->nstmt; i++)
        sqlite3_finalize(s->stmt[i]);
    free(s->stmt);
    free(s->stmt_sql);
    sqlite3_close(s->db);
    free(s);
}

sqlite3_stmt *store_stmt(struct store *s, const char *sql)
{
    for (int i = 0; i < s->nstmt; i++)
        if (s->stmt_sql[i] == sql)
            return s->stmt[i];
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "foison: sqlite prepare: %s\n  in: %s\n", sqlite3_errmsg(s->db), sql);
        return NULL;
    }
    if (s->nstmt == s->stmt_cap) {
        s->stmt_cap = s->stmt_cap ? s->stmt_cap * 2 : 64;
        s->stmt = xrealloc(s->stmt, sizeof(*s->stmt) * (size_t)s->stmt_cap);
        s->stmt_sql = xrealloc(s->stmt_sql, sizeof(*s->stmt_sql) * (size_t)s->stmt_cap);
    }
    s->stmt_sql[s->nstmt] = sql;
    s->stmt[s->nstmt++] = st;
    return st;
}

void store_done(sqlite3_stmt *st)
{
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
}

static int store_step_once(struct store *s, const char *sql)
{
    sqlite3_stmt *st = store_stmt(s, sql);
    if (!st)
        return STORE_ERR;
    int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : STORE_ERR;
    if (rc != STORE_OK)
        store_log_error(s, sql);
    store_done(st);
    return rc;
}

const char *store_text(struct arena *a, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return arena_strdup(a, t ? (const char *)t : "");
}

int store_step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    store_done(st);
    if (rc == SQLITE_CONSTRAINT)
        return STORE_CONFLICT;
    if (rc != SQLITE_DONE) {
        store_log_error(s, what);
        return STORE_ERR;
    }
    return STORE_OK;
}

int store_read_begin(struct store *s)
{
    return sqlite3_get_autocommit(s->db) ? store_step_once(s, "BEGIN DEFERRED") : STORE_OK;
}

void store_read_end(struct store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        store_step_once(s, "COMMIT");
}

int store_begin(struct store *s)
{
    return store_exec(s, "BEGIN IMMEDIATE");
}

static volatile unsigned long long *store_gen_map;

/* Maps SITE.db-gen once per process (the first site opened: a process serves one site). */
static void store_gen_map_open(const char *path)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    if (!store_gen_map) {
        char gen[4096];
        snprintf(gen, sizeof gen, "%s-gen", path);
        int fd = open(gen, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0 && ftruncate(fd, (off_t)sizeof(unsigned long long)) == 0) {
            void *m =
                mmap(NULL, sizeof(unsigned long long), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            if (m != MAP_FAILED)
                store_gen_map = m;
        }
        if (fd >= 0)
            close(fd);
    }
    pthread_mutex_unlock(&lock);
}

volatile unsigned long long *store_gen_counter(void)
{
    return store_gen_map;
}

void store_gen_signal(void)
{
    if (store_gen_map)
        __atomic_add_fetch(store_gen_map, 1, __ATOMIC_SEQ_CST);
}

int store_commit(struct store *s)
{
    int rc = store_exec(s, "COMMIT");
    /* After the commit too: a reader that looked between the first signal and the commit read
     * the old generation, and must look again. */
    if (s->gen_dirty)
        store_gen_signal();
    s->gen_dirty = false;
    return rc;
}

void store_rollback(struct store *s)
{
    s->gen_dirty = false;
    if (!sqlite3_get_autocommit(s->db))
        store_exec(s, "ROLLBACK");
}

char *store_setting_get(struct store *s, const char *key)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT value FROM settings WHERE key = ?1");
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = xstrdup((const char *)sqlite3_column_text(st, 0));
    store_done(st);
    return v;
}

static int store_setting_write(struct store *s, const char *sql, const char *key, const char *value)
{
    sqlite3_stmt *st = store_stmt(s, sql);
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : STORE_ERR;
    if (rc != STORE_OK)
        store_log_error(s, "setting");
    store_done(st);
    /* The triggers of migration 5 moved the generation: the other processes must look again
     * (at once when the write committed on its own, at the commit otherwise). */
    if (rc == STORE_OK && sqlite3_get_autocommit(s->db))
        store_gen_signal();
    else if (rc == STORE_OK)
        s->gen_dirty = true;
    return rc;
}

int store_setting_set(struct store *s, const char *key, const char *value)
{
    return store_setting_write(s,
                               "INSERT INTO settings(key, value) VALUES (?1, ?2)"
                               " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                               key, value);
}

int store_setting_add(struct store *s, const char *key, const char *value)
{
    return store_setting_write(s,
                               "INSERT INTO settings(key, value) VALUES (?1, ?2)"
                               " ON CONFLICT(key) DO NOTHING",
                               key, value);
}

int store_check_sqlite(struct store *s)
{
    int problems = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
        return 1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *msg = (const char *)sqlite3_column_text(st, 0);
        if (strcmp(msg, "ok") != 0) {
            fprintf(stderr, "intégrité SQLite : %s\n", msg);
            problems++;
        }
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK)
        return problems + 1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        fprintf(stderr, "clé étrangère cassée : table %s, ligne %lld\n",
                (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1));
        problems++;
    }
    sqlite3_finalize(st);
    return problems;
}

static const char *store_thread_path;
static pthread_key_t store_thread_key;
static pthread_once_t store_thread_once = PTHREAD_ONCE_INIT;

static void store_thread_destroy(void *p)
{
    store_close(p);
}

static void store_thread_key_init(void)
{
    pthread_key_create(&store_thread_key, store_thread_destroy);
}

void store_thread_setup(const char *path)
{
    store_thread_path = path;
    pthread_once(&store_thread_once, store_thread_key_init);
}

struct store *store_thread(void)
{
    struct store *s = pthread_getspecific(store_thread_key);
    if (s)
        return s;
    char err[512];
    s = store_open(store_thread_path, STORE_OPEN_EXISTING, err, sizeof err);
    if (!s) {
        fprintf(stderr, "foison: %s\n", err);
        return NULL;
    }
    pthread_setspecific(store_thread_key, s);
    return s;
}
