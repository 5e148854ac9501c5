/* api.c — JSON API v1: entries as flat objects (kind, slug, revision, created, updated,
 * authors, then the schema's fields), list, read, revisions, create and update with bearer
 * tokens, conflicts (409) and per-field errors (422). Nothing is written on any error. */
#include "core/accompany.h"
#include "core/attendance.h"
#include "core/entry.h"
#include "core/media.h"
#include "core/relation.h"
#include "core/rate.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/json_write.h"
#include "util/utf8.h"
#include "web/app.h"
#include "web/entry_view.h"
#include "web/pages.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define API_PER_PAGE 20

static const char *api_time(struct request *req, long long t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return arena_strdup(req->arena, buf);
}

static void api_error(struct request *req, int status, const char *message)
{
    req->cache = HTTP_CACHE_NONE;
    app_json(req, status,
             json_pack("{s:{s:i, s:s}}", "error", "status", status, "message", message));
}

/* 429 for a save refused by the rate of edits, with when to come back (header and body). */
static void api_rate_limited(struct request *req, long wait)
{
    if (wait < 1)
        wait = 1;
    http_add_header(req, "Retry-After", arena_printf(req->arena, "%ld", wait));
    req->cache = HTTP_CACHE_NONE;
    app_json(req, 429,
             json_pack("{s:{s:i, s:s, s:i}}", "error", "status", 429, "message",
                       rate_edit_refusal(req->arena, wait), "retry_after", (int)wait));
}

/* ---- seats of events (core/attendance.h): "seats_left" after an event's fields ---- */

/* Does k have seats (an FT_INTEGER field with the seats flag)? */
static const struct field_def *api_seats_field(const struct kind_def *k)
{
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].seats && k->fields[i].type == FT_INTEGER)
            return &k->fields[i];
    return NULL;
}

/* The capacity of a record from its fields text, -1 when it has none or takes no registration
 * on this site (attendance_capacity and attendance_on_site, read from the text in place). */
static long long api_capacity(struct request *req, const struct kind_def *k,
                              struct json_span fields)
{
    const struct json_span *vals = entry_view_members(req, k, fields);
    long long capacity = -1;
    bool on_site = false;
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *f = &k->fields[i];
        if (!vals[i].p)
            continue;
        if (f->seats && f->type == FT_INTEGER)
            capacity = strtoll(arena_strndup(req->arena, vals[i].p, vals[i].n), NULL, 10);
        else if (strcmp(f->name, "registration") == 0)
            on_site = vals[i].n == 6 && memcmp(vals[i].p, "\"site\"", 6) == 0;
    }
    return on_site && k->when.start && capacity > 0 ? capacity : -1;
}

/* Ends the object entry_view_json just wrote in b with "seats_left" (null: unlimited, no
 * registration here or nothing to come). */
static void api_seats_write(struct buf *b, long long left)
{
    if (b->len && b->data[b->len - 1] == '}')
        b->len--;
    if (left >= 0)
        buf_printf(b, ",\"seats_left\":%lld}", left);
    else
        buf_puts(b, ",\"seats_left\":null}");
}

/* Ends the object just written in b with "accompanied_by": the mediator and the actor of an
 * accompanied record (the actor null when it is no longer public), null for any other. */
static void api_accompanied_write(struct buf *b, const struct accompany_credit *c)
{
    if (b->len && b->data[b->len - 1] == '}')
        b->len--;
    if (!c->accompanied) {
        buf_puts(b, ",\"accompanied_by\":null}");
        return;
    }
    buf_puts(b, ",\"accompanied_by\":{\"mediator\":");
    json_write_cstr(b, c->mediator);
    buf_puts(b, ",\"actor\":");
    if (c->actor_slug) {
        buf_puts(b, "{\"slug\":");
        json_write_cstr(b, c->actor_slug);
        buf_puts(b, ",\"name\":");
        json_write_cstr(b, c->actor_title);
        buf_putc(b, '}');
    } else
        buf_puts(b, "null");
    buf_printf(b, ",\"taken_over\":%s}}", c->taken_at ? "true" : "false");
}

/* Appends entry e at revision r (read with entry_revision_raw) to b, with its authors. */
static bool api_entry_write(struct request *req, struct buf *b, const struct entry *e,
                            const struct revision *r, const struct viewer *v)
{
    const char **names = NULL;
    int n = 0;
    struct accompany_credit credit;
    if (entry_authors(app_store(req), req->arena, e, &names, &n) != ENTRY_OK ||
        accompany_credit(app_store(req), req->arena, e, names, n, &credit) != ACCOMPANY_OK)
        return false;
    names = credit.authors;
    n = credit.nauthors;
    struct entry_view_record rec = {
        .kind = e->kind,
        .slug = e->slug,
        .revision = r->number,
        .created = e->created,
        .updated = e->updated,
        .authors = names,
        .nauthors = n,
        .url = app_url(req, arena_printf(req->arena, "/%s/%s", e->kind->segment, e->slug)),
        .fields = r->raw_fields,
        .state = r->state,
    };
    struct related_entry *related;
    rec.nrelated = entry_view_json_related(req, v, e->kind, &r->raw_fields, 1, &related);
    rec.related = related;
    if (rec.nrelated < 0)
        return false;
    entry_view_json(b, &rec);
    if (api_seats_field(e->kind)) {
        long long capacity = api_capacity(req, e->kind, r->raw_fields), left = -1;
        if (attendance_seats_left(app_store(req), &e->id, &capacity, 1, (long long)time(NULL),
                                  &left) != ENTRY_OK)
            return false;
        api_seats_write(b, left);
    }
    api_accompanied_write(b, &credit);
    /* A session's participants, and every record's images and documents. */
    return page_cohort_api(req, b, e, v) && page_media_api(req, b, e->id, v);
}

/* Who asks: the account of a valid bearer token (an author sees their pending texts through the
 * API too), else the public. Answers that depend on it are never shared by caches. */
static struct viewer api_viewer(struct request *req)
{
    const char *h = http_header(req, "Authorization");
    struct user u;
    if (h && strncasecmp(h, "Bearer ", 7) == 0 && app_store(req) &&
        account_token_user(app_store(req), req->arena, h + 7, &u) == 0) {
        req->cache = HTTP_CACHE_NONE;
        struct user *copy = arena_alloc(req->arena, sizeof(*copy));
        *copy = u;
        return viewer_of(copy);
    }
    return viewer_public;
}

/* Answers status with entry e at its revision number rev. */
static void api_entry_answer(struct request *req, int status, const struct entry *e, int rev,
                             const struct viewer *v)
{
    struct revision r;
    struct buf b = BUF_INIT;
    struct store *s = app_store(req);
    entry_read_begin(s); /* the revision and the authors from one state of the site */
    int rc = entry_revision_raw(s, req->arena, v, e, rev, &r);
    bool ok = rc == ENTRY_OK && api_entry_write(req, &b, e, &r, v);
    entry_read_end(s);
    if (!ok) {
        buf_free(&b);
        api_error(req, rc == ENTRY_NOTFOUND ? 404 : 500,
                  rc == ENTRY_NOTFOUND ? "fiche introuvable" : "erreur interne");
        return;
    }
    buf_putc(&b, '\n');
    req->status = status;
    req->content_type = "application/json; charset=utf-8";
    buf_free(&req->out);
    req->out = b;
}

/* The filters of a list query: every facet of k by its parameter (?theme=numerique&commune=…),
 * its values checked; unknown ones are per-field errors. */
static int api_filters(struct request *req, const struct kind_def *k, struct entry_filter *filters,
                       struct field_errors *errs)
{
    int n = 0;
    for (int i = 0; i < req->query.n; i++) {
        const char *key = req->query.items[i].key, *value = req->query.items[i].value;
        if (strcmp(key, "kind") == 0 || strcmp(key, "page") == 0)
            continue;
        const struct field_def *f = kind_facet_by_param(k, key);
        if (f && (!value || !*value))
            continue; /* an empty filter is no filter, as on the list pages */
        if (!f) {
            validate_error(
                errs, "_",
                arena_printf(req->arena, "paramètre inconnu pour ce type de fiche\u202f: %s", key));
            continue;
        }
        if (n == ENTRY_MAX_FILTERS) {
            validate_error(errs, field_param(f), "trop de filtres");
            continue;
        }
        filters[n++] = (struct entry_filter){f->name, value ? value : ""};
    }
    return n;
}

/* "facets": {param: {value: count}} for every facet of k, each counted with the other
 * filters. */
static bool api_facets_write(struct request *req, struct store *s, const struct kind_def *k,
                             const struct entry_filter *filters, int nfilters, struct buf *b)
{
    buf_puts(b, ",\"facets\":{");
    bool first = true;
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *f = &k->fields[i];
        if (!f->facet)
            continue;
        struct entry_facet_count *c;
        int n;
        if (entry_facet_counts(s, req->arena, k, f->name, filters, nfilters, &c, &n) != ENTRY_OK)
            return false;
        if (!first)
            buf_putc(b, ',');
        first = false;
        json_write_cstr(b, field_param(f));
        buf_puts(b, ":{");
        for (int j = 0; j < n; j++) {
            if (j)
                buf_putc(b, ',');
            json_write_cstr(b, c[j].value);
            buf_printf(b, ":%d", c[j].count);
        }
        buf_putc(b, '}');
    }
    buf_putc(b, '}');
    return true;
}

/* GET /api/v1/entries?kind=innovation&FACET=VALUE…&page=N */
void api_entries_list(struct request *req)
{
    const char *kind = http_query(req, "kind");
    const struct kind_def *k = kind_find(kind ? kind : "innovation");
    struct field_errors errs = {0};
    if (!k)
        validate_error(&errs, "kind", "type de fiche inconnu");
    const char *ps = http_query(req, "page");
    int page = 1;
    if (ps) {
        char *end;
        long v = strtol(ps, &end, 10);
        if (!*ps || *end || v < 1 || v > 100000)
            validate_error(&errs, "page", "numéro de page invalide (entier ≥ 1)");
        else
            page = (int)v;
    }
    struct entry_filter filters[ENTRY_MAX_FILTERS];
    int nfilters = k ? api_filters(req, k, filters, &errs) : 0;
    if (errs.n) {
        app_json_errors(req, &errs);
        req->status = 400;
        return;
    }
    struct entry_item *items;
    int n, total;
    struct store *s = app_store(req);
    if (!s) {
        api_error(req, 503, "service momentanément indisponible");
        return;
    }
    struct buf b = BUF_INIT;
    /* The page, its authors, the entries its relations name and the counts, from one state. */
    entry_read_begin(s);
    bool ok = entry_records(s, req->arena, k, filters, nfilters, page, API_PER_PAGE, &items, &n,
                            &total) == ENTRY_OK;
    struct json_span *spans = arena_alloc(req->arena, sizeof(*spans) * (size_t)(n ? n : 1));
    for (int i = 0; ok && i < n; i++)
        spans[i] = items[i].values;
    struct related_entry *related = NULL;
    int nrelated = ok ? entry_view_json_related(req, &viewer_public, k, spans, n, &related) : -1;
    ok = ok && nrelated >= 0;
    /* The seats left of a page of events, in one read. */
    long long *seats = NULL;
    if (ok && api_seats_field(k) && n > 0) {
        long long *ids = arena_alloc(req->arena, sizeof(*ids) * (size_t)n);
        long long *caps = arena_alloc(req->arena, sizeof(*caps) * (size_t)n);
        seats = arena_alloc(req->arena, sizeof(*seats) * (size_t)n);
        for (int i = 0; i < n; i++) {
            ids[i] = items[i].id;
            caps[i] = api_capacity(req, k, items[i].values);
        }
        ok = attendance_seats_left(s, ids, caps, n, (long long)time(NULL), seats) == ENTRY_OK;
    }
    /* Who is credited, and the accompaniment of each, as one record says (few queries). */
    struct accompany_credit *credits =
        arena_alloc(req->arena, sizeof(*credits) * (size_t)(n ? n : 1));
    if (ok) {
        long long *ids = arena_alloc(req->arena, sizeof(*ids) * (size_t)(n ? n : 1));
        const char ***names = arena_alloc(req->arena, sizeof(*names) * (size_t)(n ? n : 1));
        int *counts = arena_alloc(req->arena, sizeof(*counts) * (size_t)(n ? n : 1));
        for (int i = 0; i < n; i++) {
            ids[i] = items[i].id;
            names[i] = items[i].authors;
            counts[i] = items[i].nauthors;
        }
        ok = accompany_credits(s, req->arena, ids, names, counts, n, credits) == ACCOMPANY_OK;
    }
    /* The media of the page, in two queries. */
    struct media **media_lists =
        arena_alloc(req->arena, sizeof(*media_lists) * (size_t)(n ? n : 1));
    int *media_counts = arena_alloc(req->arena, sizeof(*media_counts) * (size_t)(n ? n : 1));
    if (ok) {
        long long *ids = arena_alloc(req->arena, sizeof(*ids) * (size_t)(n ? n : 1));
        for (int i = 0; i < n; i++)
            ids[i] = items[i].id;
        ok = media_public_of(s, req->arena, ids, n, media_lists, media_counts) == MEDIA_OK;
    }
    buf_puts(&b, "{\"entries\":[");
    for (int i = 0; ok && i < n; i++) {
        if (i)
            buf_putc(&b, ',');
        struct entry_view_record rec = {
            .kind = k,
            .slug = items[i].slug,
            .revision = items[i].revision,
            .created = items[i].created,
            .updated = items[i].updated,
            .authors = credits[i].authors,
            .nauthors = credits[i].nauthors,
            .url = app_url(req, arena_printf(req->arena, "/%s/%s", k->segment, items[i].slug)),
            .fields = items[i].values,
            .state = "published", /* lists hold what the public sees */
            .related = related,
            .nrelated = nrelated,
        };
        entry_view_json(&b, &rec);
        if (seats)
            api_seats_write(&b, seats[i]);
        api_accompanied_write(&b, &credits[i]);
        /* Each item says what the entry's own answer says, its media included. */
        page_media_api_list(req, &b, media_lists[i], media_counts[i]);
    }
    int pages = total ? (total + API_PER_PAGE - 1) / API_PER_PAGE : 1;
    if (ok) {
        buf_printf(&b, "],\"page\":%d,\"pages\":%d,\"total\":%d", page, pages, total);
        ok = api_facets_write(req, s, k, filters, nfilters, &b);
        buf_puts(&b, "}\n");
    }
    entry_read_end(s);
    if (!ok) {
        buf_free(&b);
        api_error(req, 500, "erreur interne");
        return;
    }
    req->status = 200;
    req->content_type = "application/json; charset=utf-8";
    buf_free(&req->out);
    req->out = b;
}

static bool api_load(struct request *req, const struct viewer *v, struct entry *e)
{
    const char *moved = NULL;
    struct store *s = app_store(req);
    if (!s) {
        api_error(req, 503, "service momentanément indisponible");
        return false;
    }
    int rc = entry_find(s, req->arena, v, req->params[0], e, &moved);
    if (rc == ENTRY_MOVED) {
        /* 308 keeps the method and body of a PUT; GET keeps the classic 301. */
        http_redirect(req, strcmp(req->method, "GET") == 0 ? 301 : 308,
                      arena_printf(req->arena, "/api/v1/entries/%s%s", moved,
                                   strstr(req->path, "/revisions") ? "/revisions" : ""));
        req->content_type = "application/json; charset=utf-8";
        buf_reset(&req->out);
        buf_printf(&req->out, "{\"moved_to\":\"%s\"}\n", moved);
        return false;
    }
    if (rc != ENTRY_OK) {
        api_error(req, rc == ENTRY_ERR ? 500 : 404,
                  rc == ENTRY_ERR ? "erreur interne" : "fiche introuvable");
        return false;
    }
    return true;
}

/* GET /api/v1/entries/{slug} */
void api_entry_get(struct request *req)
{
    struct entry e;
    struct viewer v = api_viewer(req);
    if (!api_load(req, &v, &e))
        return;
    api_entry_answer(req, 200, &e, 0, &v);
}

/* GET /api/v1/entries/{slug}/revisions */
void api_entry_revisions(struct request *req)
{
    struct entry e;
    struct revision *revs;
    int n;
    struct viewer v = api_viewer(req);
    if (!api_load(req, &v, &e))
        return;
    if (entry_history(app_store(req), req->arena, &v, &e, &revs, &n) != ENTRY_OK) {
        api_error(req, 500, "erreur interne");
        return;
    }
    json_t *list = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = json_pack("{s:i, s:s, s:s, s:s}", "revision", revs[i].number, "author",
                              revs[i].author_name, "created", api_time(req, revs[i].created),
                              "comment", revs[i].comment);
        json_object_set_new(o, "parent",
                            revs[i].parent ? json_integer(revs[i].parent) : json_null());
        json_object_set_new(o, "state", json_string(revs[i].state));
        json_array_append_new(list, o);
    }
    app_json(req, 200, json_pack("{s:o}", "revisions", list));
}

/* The bearer token's user, or a 401 answer. */
static bool api_auth(struct request *req, struct user *u)
{
    const char *h = http_header(req, "Authorization");
    if (h && strncasecmp(h, "Bearer ", 7) == 0 &&
        account_token_user(app_store(req), req->arena, h + 7, u) == 0 && account_can_edit(u))
        return true;
    http_add_header(req, "WWW-Authenticate", "Bearer realm=\"foison\"");
    api_error(req, 401, "jeton d'API manquant ou invalide (en-tête Authorization: Bearer …)");
    return false;
}

/* The request body as a JSON object, or a 400 answer. Caller decrefs. */
static json_t *api_body(struct request *req)
{
    json_error_t jerr;
    json_t *body = req->body.len
                       ? json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, &jerr)
                       : NULL;
    if (!body) {
        api_error(req, 400,
                  req->body.len ? arena_printf(req->arena, "JSON mal formé (ligne %d) : %s",
                                               jerr.line, jerr.text)
                                : "corps JSON attendu");
        return NULL;
    }
    if (!json_is_object(body)) {
        json_decref(body);
        api_error(req, 400, "un objet JSON est attendu");
        return NULL;
    }
    return body;
}

/* Removes the envelope members (kind, comment, base_revision…) from body, leaving fields. */
static const char *api_take_comment(struct request *req, json_t *body, struct field_errors *errs)
{
    json_t *c = json_object_get(body, "comment");
    const char *comment = "";
    if (c && !json_is_string(c))
        validate_error(errs, "comment", "Commentaire : une chaîne est attendue");
    else if (c)
        comment = validate_comment(req->arena, json_string_value(c), errs);
    static const char *const envelope[] = {"kind",    "comment",  "base_revision",
                                           "slug",    "revision", "created",
                                           "updated", "authors",  "url"};
    for (size_t i = 0; i < sizeof(envelope) / sizeof(envelope[0]); i++)
        json_object_del(body, envelope[i]);
    return comment ? comment : "";
}

/* POST /api/v1/entries — {"kind": "innovation", fields…, "comment"} → 201 */
void api_entry_create(struct request *req)
{
    struct user u;
    if (!api_auth(req, &u))
        return;
    json_t *body = api_body(req);
    if (!body)
        return;
    struct field_errors errs = {0};
    json_t *jk = json_object_get(body, "kind");
    const struct kind_def *k = kind_find(json_is_string(jk) ? json_string_value(jk) : "innovation");
    if (!k || (jk && !json_is_string(jk))) {
        validate_error(&errs, "kind", "type de fiche inconnu");
        k = kind_find("innovation");
    }
    const char *comment = api_take_comment(req, body, &errs);
    json_t *clean = validate_entry(req->arena, k, req->app->territory, body, true, &errs);
    json_decref(body);
    if (errs.n) {
        json_decref(clean);
        app_json_errors(req, &errs);
        return;
    }
    struct entry_save in = {.kind = k,
                            .fields = clean,
                            .author = viewer_of(&u),
                            .comment = *comment ? comment : "Création de la fiche",
                            .now = (long long)time(NULL),
                            .client_ip = http_client_ip(req),
                            .strict_managed = true};
    struct entry_saved saved;
    in.errs = &errs;
    int rc = entry_save(app_store(req), req->arena, &in, &saved);
    json_decref(clean);
    if (rc == ENTRY_RATE_LIMITED) {
        api_rate_limited(req, saved.retry_after);
        return;
    }
    if (rc == ENTRY_INVALID) {
        app_json_errors(req, &errs);
        return;
    }
    if (rc != ENTRY_OK) {
        api_error(req, rc == ENTRY_FORBIDDEN ? 403 : 500,
                  rc == ENTRY_FORBIDDEN ? "compte inactif" : "erreur interne");
        return;
    }
    http_add_header(req, "Location",
                    arena_printf(req->arena, "/api/v1/entries/%s", saved.entry.slug));
    req->cache = HTTP_CACHE_NONE;
    api_entry_answer(req, 201, &saved.entry, saved.rev, &in.author);
}

/* PUT /api/v1/entries/{slug} — {"base_revision": N, changed fields…, "comment"} */
void api_entry_update(struct request *req)
{
    struct user u;
    struct entry e;
    struct revision cur;
    if (!api_auth(req, &u))
        return;
    struct viewer v = viewer_of(&u);
    if (!api_load(req, &v, &e))
        return;
    json_t *body = api_body(req);
    if (!body)
        return;
    struct field_errors errs = {0};
    json_t *jb = json_object_get(body, "base_revision");
    int base = 0;
    if (!json_is_integer(jb) || json_integer_value(jb) < 1 || json_integer_value(jb) > 100000000)
        validate_error(&errs, "base_revision",
                       "base_revision : le numéro (entier) de la révision modifiée est requis");
    else
        base = (int)json_integer_value(jb);
    json_t *jk = json_object_get(body, "kind");
    if (jk && (!json_is_string(jk) || strcmp(json_string_value(jk), e.kind->name) != 0))
        validate_error(&errs, "kind", "le type d'une fiche ne change pas");
    const char *comment = api_take_comment(req, body, &errs);
    /* Fields not sent keep the value of the revision this author edits. */
    int edits = 0;
    int erc = entry_edit_revision(app_store(req), req->arena, &v, &e, &edits);
    if (erc == ENTRY_OK)
        erc = entry_revision(app_store(req), req->arena, &v, &e, edits, &cur);
    if (erc != ENTRY_OK) {
        json_decref(body);
        /* Nothing this account may build on (a new entry whose only text was refused). */
        api_error(req, erc == ENTRY_NOTFOUND ? 404 : 500,
                  erc == ENTRY_NOTFOUND ? "aucune version de cette fiche à modifier"
                                        : "erreur interne");
        return;
    }
    json_t *merged = json_deep_copy(cur.fields);
    const char *key;
    json_t *val;
    /* A private field is never given out, so it is never sent back by accident: sent as null
     * or "", it is removed on purpose (otherwise an empty one keeps its value). */
    const char **removed = arena_alloc(req->arena, sizeof(*removed) * (e.kind->nfields + 1));
    size_t nremoved = 0;
    json_object_foreach(body, key, val)
    {
        const struct field_def *f = kind_field(e.kind, key);
        if (!f)
            validate_error(&errs, arena_strdup(req->arena, key), "champ inconnu");
        else if (f->private && nremoved < e.kind->nfields &&
                 (json_is_null(val) || (json_is_string(val) && !*json_string_value(val))))
            removed[nremoved++] = f->name;
        json_object_set(merged, key, val);
    }
    removed[nremoved] = NULL;
    json_decref(body);
    json_t *clean =
        errs.n ? NULL
               : validate_entry(req->arena, e.kind, req->app->territory, merged, true, &errs);
    json_decref(merged);
    if (errs.n) {
        json_decref(clean);
        app_json_errors(req, &errs);
        return;
    }
    struct entry_save in = {.kind = e.kind,
                            .slug = e.slug,
                            .base_rev = base,
                            .fields = clean,
                            .author = v,
                            .comment = comment,
                            .now = (long long)time(NULL),
                            .client_ip = http_client_ip(req),
                            .private_removed = removed,
                            .errs = &errs,
                            .strict_managed = true};
    struct entry_saved saved;
    int rc = entry_save(app_store(req), req->arena, &in, &saved);
    json_decref(clean);
    if (rc == ENTRY_RATE_LIMITED) {
        api_rate_limited(req, saved.retry_after);
        return;
    }
    if (rc == ENTRY_INVALID) {
        app_json_errors(req, &errs);
        return;
    }
    if (rc == ENTRY_CONFLICT) {
        req->cache = HTTP_CACHE_NONE;
        app_json(req, 409,
                 json_pack("{s:{s:i, s:s}, s:i}", "error", "status", 409, "message",
                           "la fiche a été modifiée depuis base_revision : relisez-la et "
                           "réappliquez vos changements",
                           "current_revision", saved.base_rev ? saved.base_rev : edits));
        return;
    }
    if (rc != ENTRY_OK) {
        api_error(req,
                  rc == ENTRY_NOTFOUND    ? 404
                  : rc == ENTRY_FORBIDDEN ? 403
                                          : 500,
                  "échec de l'enregistrement");
        return;
    }
    req->cache = HTTP_CACHE_NONE;
    api_entry_answer(req, 200, &saved.entry, saved.rev, &v);
}

/* GET /api/v1/entries/{slug}/related — both directions of every relation of the entry, as the
 * asker may see them: {"related": [{"field", "direction", "label", "entries": [...]}]}. */
void api_entry_related(struct request *req)
{
    struct entry e;
    struct revision r;
    struct viewer v = api_viewer(req);
    if (!api_load(req, &v, &e))
        return;
    struct store *s = app_store(req);
    struct related_group *g;
    int n = 0;
    entry_read_begin(s);
    bool ok = entry_revision_raw(s, req->arena, &v, &e, 0, &r) == ENTRY_OK &&
              relation_groups(s, req->arena, &v, &e, r.raw_fields, &g, &n) == ENTRY_OK;
    entry_read_end(s);
    if (!ok) {
        api_error(req, 500, "erreur interne");
        return;
    }
    struct buf b = BUF_INIT;
    buf_puts(&b, "{\"related\":[");
    for (int i = 0; i < n; i++) {
        buf_puts(&b, i ? ",{\"field\":" : "{\"field\":");
        json_write_cstr(&b, g[i].field->name);
        buf_printf(&b, ",\"direction\":\"%s\",\"kind\":", g[i].in ? "in" : "out");
        json_write_cstr(&b, g[i].holder->name);
        buf_puts(&b, ",\"label\":");
        json_write_cstr(&b, utf8_lower_first(req->arena, g[i].label));
        buf_puts(&b, ",\"entries\":[");
        for (int j = 0; j < g[i].n; j++) {
            if (j)
                buf_putc(&b, ',');
            entry_view_related_json(&b, &g[i].entries[j]);
        }
        buf_puts(&b, "]}");
    }
    buf_puts(&b, "]}\n");
    req->status = 200;
    req->content_type = "application/json; charset=utf-8";
    buf_free(&req->out);
    req->out = b;
}

/* GET /api/v1/suggest?kind=K&field=F&q=TEXT — the entries a relation field F of kind K may
 * name whose name matches TEXT, for the form's search as you type. */
void api_suggest(struct request *req)
{
    const struct kind_def *k = kind_find(http_query(req, "kind"));
    const struct field_def *f = k ? kind_field(k, http_query(req, "field")) : NULL;
    const char *q = http_query(req, "q");
    struct field_errors errs = {0};
    if (!k)
        validate_error(&errs, "kind", "type de fiche inconnu");
    else if (!f || f->type != FT_RELATION)
        validate_error(&errs, "field", "champ de relation inconnu pour ce type de fiche");
    if (!q || strlen(q) > 100)
        validate_error(&errs, "q", "texte à chercher attendu (100 caractères au plus)");
    if (errs.n) {
        app_json_errors(req, &errs);
        req->status = 400;
        return;
    }
    struct store *s = app_store(req);
    struct related_entry *r;
    int n;
    if (!s || relation_suggest(s, req->arena, f, q, 10, &r, &n) != ENTRY_OK) {
        api_error(req, 500, "erreur interne");
        return;
    }
    struct buf b = BUF_INIT;
    buf_puts(&b, "{\"results\":[");
    for (int i = 0; i < n; i++) {
        if (i)
            buf_putc(&b, ',');
        entry_view_related_json(&b, &r[i]);
    }
    buf_puts(&b, "]}\n");
    req->status = 200;
    req->content_type = "application/json; charset=utf-8";
    buf_free(&req->out);
    req->out = b;
}
