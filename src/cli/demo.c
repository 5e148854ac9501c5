/* demo.c — `foison demo SITE.db`: a new site filled with the demo territory of
 * data/demo/innovations.json, the network around them (actors, places, networks, articles
 * and the links between all of them) of data/demo/network.json, and what happens in it
 * (trainings and their sessions, events, shared resources) of data/demo/agenda.json. Every
 * revision goes through the same validation and save path as the site's forms and API, with its
 * date set in the past; the dates of events are set around the day the demo is made, so that a
 * fresh demo always has an agenda. */
#include "cli/cli.h"
#include "core/account.h"
#include "core/cohort.h"
#include "core/entry.h"
#include "core/media.h"
#include "core/recur.h"
#include "core/territory.h"
#include "core/validate.h"
#include "render/illustration.h"
#include "render/markdown.h"
#include "store/loan_store.h"
#include "store/moderation_store.h"
#include "store/store.h"
#include "store/user_store.h"
#include "util/arena.h"
#include "util/tz.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Demo accounts share one password, printed by the command: a demo site is for trying out. */
#define DEMO_PASSWORD "foison-demo-brest"
#define DEMO_FEATURED 4

static long long demo_author_id(struct store *s, struct arena *a, const char *email)
{
    struct user_row row;
    return email && store_user_by_email(s, a, email, &row) == STORE_OK ? row.id : 0;
}

/* What the loader knows while it runs: the slug each entry of the files was saved under (the
 * files name entries by a slug of their own), when and by whom it was last written. */
struct demo_state {
    struct store *s;
    struct arena *a;
    struct territory *t;
    long long now;
    struct demo_entry {
        const char *file_slug;
        const struct kind_def *kind;
        const char *slug;
        int rev;
        long long author, last;
        long long start; /* an event's first start (UTC), for the dates that change in a series */
    } * entries;
    int n, cap;
    int revisions;
    int unrepeated; /* series loaded as their first date (recurrence refused) */
    const char *unrepeated_why;
    long long authors[16]; /* the demo accounts, in the file's order */
    int nauthors;
};

static struct demo_entry *demo_find(struct demo_state *d, const char *file_slug)
{
    for (int i = 0; file_slug && i < d->n; i++)
        if (strcmp(d->entries[i].file_slug, file_slug) == 0)
            return &d->entries[i];
    return NULL;
}

/* One revision through validation and the save path, in the name of its author with the
 * operator's rights. */
static int demo_save(struct demo_state *d, const struct kind_def *k, const char *slug, int base,
                     json_t *fields, long long author, const char *comment, long long when,
                     struct entry_saved *saved)
{
    struct field_errors errs = {0};
    json_t *clean = validate_entry(d->a, k, d->t, fields, true, &errs);
    if (!clean) {
        fprintf(stderr, "foison: démo, %s « %s » : %s : %s\n", k->label, slug ? slug : "?",
                errs.e[0].field, errs.e[0].message);
        return -1;
    }
    struct entry_save in = {
        .kind = k,
        .slug = slug,
        .base_rev = base,
        .fields = clean,
        /* The site's operator loads the demo: their rights, not the authors'. */
        .author = {author, ROLE_ADMIN},
        .operator= true,
        .comment = comment,
        .now = when,
        .errs = &errs,
    };
    int rc = entry_save(d->s, d->a, &in, saved);
    json_decref(clean);
    d->revisions += rc == ENTRY_OK;
    if (rc != ENTRY_OK) {
        fprintf(stderr, "foison: démo, %s « %s » : enregistrement impossible%s%s\n", k->label,
                slug ? slug : "?", errs.n ? " : " : "", errs.n ? errs.e[0].message : "");
        return -1;
    }
    return 0;
}

/* The Paris date `days` after today's (in Paris), moved forward to ISO weekday `weekday` when
 * it is 1..7, or to the nth such weekday of its month when nth is 1..5 too. */
static void demo_day(long long now, long long days, int weekday, int nth, struct tz_local *out)
{
    struct tz_local today;
    tz_paris_from_utc(now, &today);
    long long day = tz_days_from_civil(today.year, today.month, today.day) + days;
    /* Noon UTC falls on the same day in Paris, whatever the season. */
    tz_paris_from_utc(day * 86400 + 12 * 3600, out);
    if (weekday < 1 || weekday > 7)
        return;
    if (nth >= 1 && nth <= 5) {
        day = tz_days_from_civil(out->year, out->month, 1);
        tz_paris_from_utc(day * 86400 + 12 * 3600, out);
        day += (weekday - out->weekday + 7) % 7 + (nth - 1) * 7;
    } else
        day += (weekday - out->weekday + 7) % 7;
    tz_paris_from_utc(day * 86400 + 12 * 3600, out);
}

static json_t *demo_date_text(const struct tz_local *day, long long plus_days)
{
    struct tz_local t;
    long long n = tz_days_from_civil(day->year, day->month, day->day) + plus_days;
    tz_paris_from_utc(n * 86400 + 12 * 3600, &t);
    char text[16];
    snprintf(text, sizeof text, "%04d-%02d-%02d", t.year, t.month, t.day);
    return json_string(text);
}

/* The start of the series' date `days` after its first one, at the same Paris wall time. */
static int demo_series_day(long long first, long long days, struct tz_local *day, long long *start)
{
    struct tz_local t;
    tz_paris_from_utc(first, &t);
    long long n = tz_days_from_civil(t.year, t.month, t.day) + days;
    tz_paris_from_utc(n * 86400 + 12 * 3600, day);
    return tz_paris_to_utc(day->year, day->month, day->day, t.hour, t.minute, start);
}

/* An entry's dates said relative to the day the demo is made (the file's "when": days_from_now,
 * and weekday, nth, time, duration_minutes or duration_days, cancelled_after_days), written
 * into the two fields of the kind's rule that one comes after the other: date-times for an
 * event, dates for a session. A date that changes in a series says replaces_after_days instead
 * of days_from_now: the day is the series' date it replaces. */
static int demo_apply_when(struct demo_state *d, const struct kind_def *k, const char *slug,
                           json_t *when, json_t *fields)
{
    json_t *replaces = json_object_get(when, "replaces_after_days");
    struct tz_local day;
    if (json_is_integer(replaces)) {
        json_t *series = k->when.series ? json_object_get(fields, k->when.series) : NULL;
        struct demo_entry *of = demo_find(d, json_string_value(json_array_get(series, 0)));
        long long replaced;
        if (!of || !of->start ||
            demo_series_day(of->start, (long long)json_integer_value(replaces), &day, &replaced) !=
                TZ_OK) {
            fprintf(stderr, "foison: démo, « %s » : pas de série dont changer une date\n", slug);
            return -1;
        }
        json_object_set_new(fields, k->when.replaces, json_integer(replaced));
    }
    const struct field_rule *span = NULL;
    for (size_t i = 0; i < k->nrules && !span; i++)
        if (k->rules[i].type == RULE_AFTER)
            span = &k->rules[i];
    const struct field_def *fa = span ? kind_field(k, span->a) : NULL;
    if (!fa ||
        (!json_is_integer(replaces) && !json_is_integer(json_object_get(when, "days_from_now")))) {
        fprintf(stderr, "foison: démo, « %s » : dates relatives impossibles pour ce type\n", slug);
        return -1;
    }
    if (!json_is_integer(replaces))
        demo_day(d->now, (long long)json_integer_value(json_object_get(when, "days_from_now")),
                 (int)json_integer_value(json_object_get(when, "weekday")),
                 (int)json_integer_value(json_object_get(when, "nth")), &day);
    if (fa->type == FT_DATE) {
        json_object_set_new(fields, span->a, demo_date_text(&day, 0));
        json_t *days = json_object_get(when, "duration_days");
        if (json_is_integer(days))
            json_object_set_new(fields, span->b,
                                demo_date_text(&day, (long long)json_integer_value(days)));
        return 0;
    }
    int h, mi;
    long long start;
    const char *time = json_string_value(json_object_get(when, "time"));
    if (!time || sscanf(time, "%2d:%2d", &h, &mi) != 2 ||
        tz_paris_to_utc(day.year, day.month, day.day, h, mi, &start) != TZ_OK) {
        fprintf(stderr, "foison: démo, « %s » : heure « %s » invalide\n", slug, time ? time : "");
        return -1;
    }
    json_object_set_new(fields, span->a, json_integer(start));
    json_object_set_new(fields, span->b,
                        json_integer(start + 60 * (json_int_t)json_integer_value(
                                                      json_object_get(when, "duration_minutes"))));
    json_t *cancelled = json_object_get(when, "cancelled_after_days");
    if (k->when.exceptions && json_array_size(cancelled)) {
        json_t *days = json_array();
        size_t i;
        json_t *n;
        json_array_foreach(cancelled, i, n)
            json_array_append_new(days, demo_date_text(&day, (long long)json_integer_value(n)));
        json_object_set_new(fields, k->when.exceptions, days);
    }
    return 0;
}

/* The relations written in a revision name entries by their slug in the files: each becomes
 * the slug it was saved under (every entry named is loaded before). */
static int demo_resolve_relations(struct demo_state *d, const struct kind_def *k, const char *slug,
                                  json_t *fields)
{
    for (size_t f = 0; f < k->nfields; f++) {
        if (k->fields[f].type != FT_RELATION)
            continue;
        json_t *list = json_object_get(fields, k->fields[f].name);
        size_t i;
        json_t *to;
        json_array_foreach(list, i, to)
        {
            struct demo_entry *target = demo_find(d, json_string_value(to));
            if (!target) {
                fprintf(stderr, "foison: démo, lien de « %s » vers « %s » : fiche inconnue\n", slug,
                        json_string_value(to) ? json_string_value(to) : "?");
                return -1;
            }
            json_array_set_new(list, i, json_string(target->slug));
        }
    }
    return 0;
}

/* A revision's fields as the save path gets them: relations resolved, relative dates set. Until
 * the site reads recurrence rules (core/recur.c), a series is kept as its first date rather than
 * failing the whole demo. Returns a new reference, or NULL (said on stderr). */
static json_t *demo_fields(struct demo_state *d, const struct kind_def *k, const char *slug,
                           json_t *item, json_t *rev, bool *unrepeated)
{
    json_t *fields = json_deep_copy(json_object_get(rev, "fields"));
    json_t *when = json_object_get(item, "when");
    if (!fields || (when && demo_apply_when(d, k, slug, when, fields) != 0) ||
        demo_resolve_relations(d, k, slug, fields) != 0) {
        json_decref(fields);
        return NULL;
    }
    const char *rule =
        k->when.recurrence ? json_string_value(json_object_get(fields, k->when.recurrence)) : NULL;
    const char *normal = NULL, *why = rule && *rule ? recur_check(d->a, rule, &normal) : NULL;
    if (why) {
        json_object_del(fields, k->when.recurrence);
        if (k->when.exceptions)
            json_object_del(fields, k->when.exceptions);
        d->unrepeated_why = why;
        *unrepeated = true;
    }
    return fields;
}

/* The entries of one kind in a file, each with its revisions. */
static int demo_load_kind(struct demo_state *d, json_t *list, const struct kind_def *k,
                          int featured)
{
    size_t i, j;
    json_t *item, *rev;
    json_array_foreach(list, i, item)
    {
        const char *slug = NULL;
        int base = 0;
        long long first_author = 0, when = 0;
        const char *file_slug = json_string_value(json_object_get(item, "slug"));
        bool unrepeated = false;
        long long first_start = 0;
        json_array_foreach(json_object_get(item, "revisions"), j, rev)
        {
            json_t *fields = demo_fields(d, k, file_slug ? file_slug : "?", item, rev, &unrepeated);
            if (!fields)
                return -1;
            json_t *start = k->when.start ? json_object_get(fields, k->when.start) : NULL;
            if (json_is_integer(start))
                first_start = (long long)json_integer_value(start);
            long long author =
                demo_author_id(d->s, d->a, json_string_value(json_object_get(rev, "author")));
            when = d->now -
                   (long long)json_integer_value(json_object_get(rev, "days_ago")) * 86400 -
                   (long long)(i * 3600);
            struct entry_saved saved;
            int rc = demo_save(d, k, slug, base, fields, author,
                               json_string_value(json_object_get(rev, "comment")), when, &saved);
            json_decref(fields);
            if (rc != 0)
                return -1;
            slug = saved.entry.slug;
            base = saved.rev;
            if (j == 0) {
                first_author = author; /* and its manager: entry_save made it so */
                if ((int)i < featured)
                    entry_set_featured(d->s, &saved.entry, true);
            }
        }
        if (d->n == d->cap) {
            d->cap = d->cap ? d->cap * 2 : 128;
            struct demo_entry *grown = arena_alloc(d->a, sizeof(*grown) * (size_t)d->cap);
            if (d->n)
                memcpy(grown, d->entries, sizeof(*grown) * (size_t)d->n);
            d->entries = grown;
        }
        d->unrepeated += unrepeated;
        d->entries[d->n++] = (struct demo_entry){
            file_slug ? file_slug : slug, k, slug, base, first_author, when, first_start};
    }
    return 0;
}

/* The links between entries, once every entry exists: for each entry, one more revision that
 * sets its relation fields, an hour after its last one. */
static int demo_load_links(struct demo_state *d, json_t *links)
{
    for (int e = 0; e < d->n; e++) {
        struct demo_entry *de = &d->entries[e];
        json_t *set = json_object();
        size_t i, j;
        json_t *link, *to;
        json_array_foreach(links, i, link)
        {
            if (strcmp(json_string_value(json_object_get(link, "from")) ?: "", de->file_slug))
                continue;
            json_t *slugs = json_array();
            json_array_foreach(json_object_get(link, "to"), j, to)
            {
                struct demo_entry *target = demo_find(d, json_string_value(to));
                if (!target) {
                    fprintf(stderr, "foison: démo, lien de « %s » vers « %s » : fiche inconnue\n",
                            de->file_slug, json_string_value(to));
                    json_decref(slugs);
                    json_decref(set);
                    return -1;
                }
                json_array_append_new(slugs, json_string(target->slug));
            }
            json_object_set_new(set, json_string_value(json_object_get(link, "field")) ?: "",
                                slugs);
        }
        if (json_object_size(set) == 0) {
            json_decref(set);
            continue;
        }
        struct entry found;
        struct revision r;
        int rc =
            entry_find(d->s, d->a, &viewer_operator, de->slug, &found, NULL) == ENTRY_OK &&
                    entry_revision(d->s, d->a, &viewer_operator, &found, de->rev, &r) == ENTRY_OK
                ? 0
                : -1;
        json_t *fields = rc == 0 ? json_deep_copy(r.fields) : NULL;
        if (fields)
            json_object_update(fields, set);
        json_decref(set);
        /* Another hand links it to the network: a record is written by several people. */
        long long linker = de->author;
        for (int k = 0; k < d->nauthors; k++)
            if (d->authors[k] == de->author)
                linker = d->authors[(k + 1 + e % 3) % d->nauthors];
        struct entry_saved saved;
        if (!fields || demo_save(d, de->kind, de->slug, de->rev, fields, linker,
                                 "Liens avec le réseau", de->last + 3600, &saved) != 0) {
            json_decref(fields);
            return -1;
        }
        json_decref(fields);
        de->rev = saved.rev;
    }
    return 0;
}

static json_t *demo_read(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/data/demo/%s", dir, name);
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        fprintf(stderr, "foison: %s:%d : %s\n", path, jerr.line, jerr.text);
    return root;
}

/* The kinds of each file, in the order they load: an entry's relations may only name entries
 * of the kinds before it (a session names its training; a meeting, its session). */
static const struct {
    int file; /* 1: network.json, 2: agenda.json */
    const char *key, *kind;
} demo_lists[] = {
    {1, "actors", "actor"},       {1, "places", "place"},       {1, "networks", "network"},
    {1, "articles", "article"},   {2, "trainings", "training"}, {2, "cohorts", "cohort"},
    {2, "resources", "resource"}, {2, "events", "event"},
};

/* The id of an entry of the files, by the files' slug; 0 when unknown. */
static long long demo_entry_id(struct demo_state *d, const char *file_slug)
{
    struct demo_entry *e = demo_find(d, file_slug);
    struct entry_row row;
    return e && store_entry_by_slug(d->s, d->a, e->slug, &row) == STORE_OK ? row.id : 0;
}

/* Each session's participants and the projects they carried, as accepted applications (no
 * mail: the operator writes history). */
static int demo_load_participants(struct demo_state *d, json_t *cohorts)
{
    size_t i, j;
    json_t *item, *p;
    json_array_foreach(cohorts, i, item)
    {
        const char *slug = json_string_value(json_object_get(item, "slug"));
        long long cohort = demo_entry_id(d, slug);
        json_array_foreach(json_object_get(item, "participants"), j, p)
        {
            const char *actor = json_string_value(json_object_get(p, "actor"));
            const char *project = json_string_value(json_object_get(p, "project"));
            long long actor_id = actor ? demo_entry_id(d, actor) : 0;
            long long project_id = project ? demo_entry_id(d, project) : 0;
            if (!cohort || (actor && !actor_id) || (project && !project_id) ||
                cohort_participant_add(d->s, d->a, cohort, actor_id,
                                       json_string_value(json_object_get(p, "name")), project_id,
                                       json_string_value(json_object_get(p, "project_text")),
                                       d->now, NULL) != COHORT_OK) {
                fprintf(stderr, "foison: démo, participant %zu de la session %s refusé\n", j,
                        slug ? slug : "?");
                return -1;
            }
        }
    }
    return 0;
}

/* The Paris day days after the demo's day, "YYYY-MM-DD". */
static const char *demo_day_text(struct demo_state *d, long long days)
{
    struct tz_local l;
    tz_paris_from_utc(d->now + days * 86400, &l);
    return arena_printf(d->a, "%04d-%02d-%02d", l.year, l.month, l.day);
}

/* The loans of each piece of equipment, past and coming, as their owners decided them. */
static int demo_load_loans(struct demo_state *d, json_t *resources)
{
    size_t i, j;
    json_t *item, *l;
    json_array_foreach(resources, i, item)
    {
        const char *slug = json_string_value(json_object_get(item, "slug"));
        struct demo_entry *e = demo_find(d, slug);
        long long resource = demo_entry_id(d, slug);
        json_array_foreach(json_object_get(item, "loans"), j, l)
        {
            long long from = (long long)json_integer_value(json_object_get(l, "from_days"));
            long long to = (long long)json_integer_value(json_object_get(l, "to_days"));
            long long borrower =
                demo_author_id(d->s, d->a, json_string_value(json_object_get(l, "borrower")));
            const char *state = json_string_value(json_object_get(l, "state"));
            /* Asked a week before, decided the day after. */
            long long asked = d->now + (from - 7) * 86400, id;
            if (asked > d->now)
                asked = d->now - 3600;
            bool ok = resource && e && borrower && state && store_begin(d->s) == STORE_OK;
            if (ok) {
                ok = store_loan_insert(d->s, resource, borrower, demo_day_text(d, from),
                                       demo_day_text(d, to), "", asked, &id) == STORE_OK &&
                     (strcmp(state, "requested") == 0 ||
                      store_loan_set_state(d->s, id, "requested", state, e->author,
                                           asked + 86400 < d->now ? asked + 86400 : d->now) ==
                          STORE_OK) &&
                     store_generation_bump(d->s) == STORE_OK;
                if (ok)
                    ok = store_commit(d->s) == STORE_OK;
                else
                    store_rollback(d->s);
            }
            if (!ok) {
                fprintf(stderr, "foison: démo, prêt %zu de %s refusé\n", j, slug ? slug : "?");
                return -1;
            }
        }
    }
    return 0;
}

/* A picture for each demonstration innovation: an abstract
 * illustration the project draws itself (render/illustration.c), said to be one in its
 * alternative text and caption, under CC0, put through the one upload path as the operator. */
static int demo_load_pictures(struct demo_state *d)
{
    int made = 0;
    for (int i = 0; i < d->n; i++) {
        const struct demo_entry *de = &d->entries[i];
        if (strcmp(de->kind->name, "innovation") != 0)
            continue;
        struct entry e;
        if (entry_find(d->s, d->a, &viewer_operator, de->slug, &e, NULL) != ENTRY_OK)
            return -1;
        unsigned long seed = 5381;
        for (const char *c = de->slug; *c; c++)
            seed = seed * 33 + (unsigned char)*c;
        unsigned char *png;
        size_t len;
        if (illustration_make(d->a, seed, 960, 640, &png, &len) != 0)
            return -1;
        struct media_upload up = {
            .entry_id = e.id,
            .kind = de->kind,
            .role = "main",
            .alt = "Illustration abstraite générée par foison (ce n’est pas une photo de "
                   "l’initiative)",
            .caption = "Illustration de démonstration, dessinée par le logiciel foison.",
            .author = "foison (illustration générée)",
            .license = "CC0-1.0",
            .filename = "illustration.png",
            .data = png,
            .len = len,
            .uploader = viewer_operator,
            .operator= true,
            .now = de->last + 60,
        };
        struct media m;
        if (media_add(d->s, d->a, &up, &m) != MEDIA_OK) {
            fprintf(stderr, "foison: démo, illustration de %s refusée\n", de->slug);
            return -1;
        }
        made++;
    }
    printf("démo : %d illustrations générées\n", made);
    return 0;
}

static int demo_load(struct store *s, const char *dir)
{
    json_t *files[3] = {demo_read(dir, "innovations.json"), demo_read(dir, "network.json"),
                        demo_read(dir, "agenda.json")};
    json_t *root = files[0], *links = json_array();
    int rc = -1;
    char err[512];
    struct demo_state d = {.s = s, .a = arena_new(), .now = (long long)time(NULL)};
    if (!files[0] || !files[1] || !files[2])
        goto done;
    d.t = territory_load(s);
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(root, "authors"), i, item)
    {
        if (account_create(s, json_string_value(json_object_get(item, "email")),
                           json_string_value(json_object_get(item, "name")),
                           json_string_value(json_object_get(item, "role")), DEMO_PASSWORD, err,
                           sizeof err) != 0) {
            fprintf(stderr, "foison: auteur de démonstration %zu : %s\n", i, err);
            goto done;
        }
        if (d.nauthors < 16)
            d.authors[d.nauthors++] =
                demo_author_id(s, d.a, json_string_value(json_object_get(item, "email")));
    }
    if (!d.t || demo_load_kind(&d, json_object_get(root, "innovations"), kind_find("innovation"),
                               DEMO_FEATURED) != 0)
        goto done;
    for (size_t f = 0; f < sizeof(demo_lists) / sizeof(demo_lists[0]); f++)
        if (demo_load_kind(&d, json_object_get(files[demo_lists[f].file], demo_lists[f].key),
                           kind_find(demo_lists[f].kind), 0) != 0)
            goto done;
    /* One more revision per linked entry, whichever file its links are in. */
    json_array_extend(links, json_object_get(files[1], "links"));
    json_array_extend(links, json_object_get(files[2], "links"));
    if (demo_load_links(&d, links) != 0 ||
        demo_load_participants(&d, json_object_get(files[2], "cohorts")) != 0 ||
        demo_load_loans(&d, json_object_get(files[2], "resources")) != 0 ||
        demo_load_pictures(&d) != 0)
        goto done;
    bool rebuilt;
    if (entry_derive_check(s, &rebuilt) != ENTRY_OK)
        goto done;
    if (d.unrepeated)
        fprintf(stderr,
                "foison: démo, %d série%s d'événements réduite%s à leur première date : %s\n",
                d.unrepeated, d.unrepeated > 1 ? "s" : "", d.unrepeated > 1 ? "s" : "",
                d.unrepeated_why);
    printf("démo : %d fiches, %d révisions ; comptes de démonstration (mot de passe « %s ») :\n",
           d.n, d.revisions, DEMO_PASSWORD);
    json_array_foreach(json_object_get(root, "authors"), i, item)
        printf("  %s (%s)\n", json_string_value(json_object_get(item, "email")),
               json_string_value(json_object_get(item, "role")));
    rc = 0;
done:
    territory_free(d.t);
    arena_free(d.a);
    for (int f = 0; f < 3; f++)
        json_decref(files[f]);
    json_decref(links);
    return rc;
}

int cli_demo(int argc, char **argv)
{
    if (cli_wants_help(argc, argv) || argc != 2) {
        fprintf(argc == 2 ? stdout : stderr,
                "usage : foison demo SITE.db\n"
                "Crée un nouveau site rempli avec le territoire de démonstration (le Pays de\n"
                "Brest : ses communes, une trentaine d'innovations et leur historique, le réseau\n"
                "qui les porte, son agenda, ses formations et son matériel partagé).\n");
        return cli_wants_help(argc, argv) ? 0 : 2;
    }
    if (cli_account_init() != 0)
        return 1;
    markdown_init();
    if (cli_create_site(argv[1]) != 0)
        return 1;
    char err[512];
    struct store *s = store_open(argv[1], STORE_OPEN_EXISTING, err, sizeof err);
    if (!s) {
        fprintf(stderr, "foison: %s\n", err);
        return 1;
    }
    int rc = demo_load(s, cli_datadir());
    store_close(s);
    if (rc != 0) {
        unlink(argv[1]);
        return 1;
    }
    return 0;
}
