/* agenda.c — the pages of events in time: an event's dates on its record (when, its series said
 * in French, the next dates, the cancelled and changed ones, its .ics), the agenda by week, by
 * month or from today with its filters, and the iCalendar of one event and of the agenda's
 * feed (streamed, page by page of events, in flat memory). */
#include "core/agenda.h"
#include "core/entry.h"
#include "core/ical.h"
#include "core/recur.h"
#include "core/relation.h"
#include "core/territory.h"
#include "store/entry_store.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/json_read.h"
#include "util/mem.h"
#include "util/tz.h"
#include "web/app.h"
#include "web/entry_view.h"
#include "web/fragment_cache.h"
#include "web/page_cache.h"
#include "web/pages.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define AGENDA_PER_PAGE 100      /* occurrences on one page of the agenda */
#define AGENDA_NEXT_DATES 12     /* the next dates a record lists */
#define AGENDA_FEED_PAGE 50      /* events read at a time by a feed */
#define AGENDA_TARGETS_MAX 300   /* places or organisers offered in the filters */
#define AGENDA_UPCOMING_DAYS 366 /* how far "from today" looks */

static const char *const agenda_months[] = {"janvier",   "février", "mars",     "avril",
                                            "mai",       "juin",    "juillet",  "août",
                                            "septembre", "octobre", "novembre", "décembre"};
static const char *const agenda_weekdays[] = {"",      "lundi",    "mardi",  "mercredi",
                                              "jeudi", "vendredi", "samedi", "dimanche"};

static const struct kind_def *agenda_kind(void)
{
    for (size_t i = 0; i < kind_count(); i++)
        if (kind_at(i)->when.start && strcmp(kind_at(i)->list_path, "/agenda") == 0)
            return kind_at(i);
    return NULL;
}

/* "18 h", "18 h 30". */
static const char *agenda_hour(struct request *req, const struct tz_local *l)
{
    return l->minute ? arena_printf(req->arena, "%d h %02d", l->hour, l->minute)
                     : arena_printf(req->arena, "%d h", l->hour);
}

/* "mardi 5 janvier 2027". */
static const char *agenda_day(struct request *req, const struct tz_local *l)
{
    return arena_printf(req->arena, "%s %d%s %s %d", agenda_weekdays[l->weekday], l->day,
                        l->day == 1 ? "er" : "", agenda_months[l->month - 1], l->year);
}

/* When an occurrence is, in French: "mardi 5 janvier 2027, de 18 h à 20 h", or with two days. */
static const char *agenda_when(struct request *req, long long start, long long end)
{
    struct tz_local a, b;
    tz_paris_from_utc(start, &a);
    if (end <= start)
        return arena_printf(req->arena, "%s à %s", agenda_day(req, &a), agenda_hour(req, &a));
    tz_paris_from_utc(end, &b);
    if (a.year == b.year && a.month == b.month && a.day == b.day)
        return arena_printf(req->arena, "%s, de %s à %s", agenda_day(req, &a), agenda_hour(req, &a),
                            agenda_hour(req, &b));
    return arena_printf(req->arena, "du %s à %s au %s à %s", agenda_day(req, &a),
                        agenda_hour(req, &a), agenda_day(req, &b), agenda_hour(req, &b));
}

/* An ISO date-time with its offset, for <time datetime>. */
static const char *agenda_iso(struct request *req, long long t)
{
    struct tz_local l;
    tz_paris_from_utc(t, &l);
    int off = tz_paris_offset(t) / 3600;
    return arena_printf(req->arena, "%04d-%02d-%02dT%02d:%02d:00+%02d:00", l.year, l.month, l.day,
                        l.hour, l.minute, off);
}

static const char *agenda_french_date(struct request *req, const char *iso)
{
    int y, m, d;
    if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3 || !tz_date_valid(y, m, d))
        return iso ? iso : "";
    long long days = tz_days_from_civil(y, m, d);
    struct tz_local l = {.year = y, .month = m, .day = d};
    long long r = (days + 3) % 7;
    l.weekday = (int)(r < 0 ? r + 7 : r) + 1;
    return agenda_day(req, &l);
}

static long long agenda_int_of(const struct kind_def *k, const struct json_span *vals,
                               const char *name)
{
    long long v = 0;
    for (size_t i = 0; name && i < k->nfields; i++)
        if (strcmp(k->fields[i].name, name) == 0 && json_read_int(vals[i], &v))
            return v;
    return 0;
}

static struct json_span agenda_member(const struct kind_def *k, const struct json_span *vals,
                                      const char *name)
{
    for (size_t i = 0; name && i < k->nfields; i++)
        if (strcmp(k->fields[i].name, name) == 0)
            return vals[i];
    return (struct json_span){NULL, 0};
}

/* The record's "event" object: when, the series in French, the next dates (a changed one links
 * to the event that changes it), the cancelled days, the dates other events change, the series
 * this one changes a date of, and its .ics. */
bool page_event_context(struct request *req, struct store *s, struct tv *ctx, const struct entry *e,
                        const struct json_span *vals)
{
    const struct kind_def *k = e->kind;
    if (!k->when.start)
        return true;
    long long start = agenda_int_of(k, vals, k->when.start);
    long long end = agenda_int_of(k, vals, k->when.end);
    if (!start)
        return true;
    struct tv *ev = tv_set_obj(ctx, "event");
    tv_set_str(ev, "when", agenda_when(req, start, end));
    tv_set_str(ev, "start_iso", agenda_iso(req, start));
    tv_set_strf(ev, "ics_url", "/%s/%s.ics", k->segment, e->slug);
    const char *rule = entry_view_member_str(req, k, vals, k->when.recurrence);
    bool series = rule && *rule;
    tv_set_bool(ev, "series", series);
    if (series)
        tv_set_str(ev, "rule_text", recur_describe(req->arena, rule, start));
    /* The changed dates first: the next dates name the events that change them. */
    struct agenda_override *ov = NULL;
    int nov = 0;
    if (series && agenda_overrides(s, req->arena, e->id, &ov, &nov) != ENTRY_OK)
        return false;
    if (nov) {
        tv_set_bool(ev, "has_changed", true);
        struct tv *list = tv_set_list(ev, "changed");
        for (int i = 0; i < nov; i++) {
            struct tv *o = tv_push_obj(list);
            struct tz_local l;
            tz_paris_from_utc(ov[i].replaces, &l);
            tv_set_str(o, "date", agenda_day(req, &l));
            tv_set_str(o, "title", ov[i].title);
            tv_set_strf(o, "url", "/%s/%s", k->segment, ov[i].slug);
            if (ov[i].start)
                tv_set_str(o, "when", agenda_when(req, ov[i].start, ov[i].end));
        }
    }
    if (series) {
        struct agenda_occurrence *occ;
        int n;
        long long now = (long long)time(NULL);
        if (agenda_occurrences(s, req->arena, e->id, now - 3600, AGENDA_NEXT_DATES, &occ, &n) !=
            ENTRY_OK)
            return false;
        struct tv *list = tv_set_list(ev, "next");
        for (int i = 0; i < n; i++) {
            struct tv *o = tv_push_obj(list);
            tv_set_str(o, "when", agenda_when(req, occ[i].start, occ[i].end));
            tv_set_str(o, "iso", agenda_iso(req, occ[i].start));
            for (int j = 0; occ[i].replaced_by && j < nov; j++)
                if (ov[j].override_id == occ[i].replaced_by) {
                    tv_set_strf(o, "changed_url", "/%s/%s", k->segment, ov[j].slug);
                    tv_set_str(o, "changed_title", ov[j].title);
                }
        }
        tv_set_bool(ev, "has_next", n > 0);
        struct json_read_iter it;
        struct json_span item;
        struct tv *cancelled = NULL;
        if (json_read_array(agenda_member(k, vals, k->when.exceptions), &it))
            while (json_read_next_item(&it, &item)) {
                const char *d = json_read_string(req->arena, item);
                if (!d)
                    continue;
                if (!cancelled) {
                    cancelled = tv_set_list(ev, "cancelled");
                    tv_set_bool(ev, "has_cancelled", true);
                }
                tv_set_str(tv_push_obj(cancelled), "date", agenda_french_date(req, d));
            }
    }
    /* The series whose date this event changes. */
    long long series_id, replaces;
    if (k->when.series && agenda_override_series(s, e->id, &series_id, &replaces) != ENTRY_OK)
        return false;
    if (k->when.series && series_id) {
        struct related_entry r;
        struct viewer v = app_viewer(req);
        if (relation_briefs(s, req->arena, &v, &series_id, 1, &r) != ENTRY_OK)
            return false;
        if (r.kind) {
            struct tv *o = tv_set_obj(ev, "replaces");
            struct tz_local l;
            tz_paris_from_utc(replaces, &l);
            tv_set_str(
                o, "date",
                arena_printf(req->arena, "%s à %s", agenda_day(req, &l), agenda_hour(req, &l)));
            tv_set_str(o, "title", r.title);
            tv_set_strf(o, "url", "/%s/%s", r.kind->segment, r.slug);
        }
    }
    return true;
}

/* ---- the agenda's query -------------------------------------------------------------------- */

enum agenda_view { VIEW_UPCOMING, VIEW_WEEK, VIEW_MONTH };

struct agenda_params {
    enum agenda_view view;
    int year, month; /* the month shown (VIEW_MONTH) */
    int wy, wm, wd;  /* the Monday of the week shown (VIEW_WEEK) */
    long long from, to;
    int page;
    struct entry_filter terms[ENTRY_MAX_FILTERS];
    int nterms;
    struct agenda_query q;
    const char *keep;        /* the filters as query parameters, "&theme=x&lieu=y" */
    const char *filter_text; /* "Numérique, Brest" */
    bool unknown;            /* a filter naming nothing the site has */
    const char *lieu, *organisateur;
};

/* The label of a facet value, NULL when the site has no such value. */
static const char *agenda_value_label(struct request *req, const struct field_def *f,
                                      const char *value)
{
    const struct territory *t = req->app->territory;
    if (f->type == FT_COMMUNE || f->type == FT_ADDRESS) {
        const struct commune *c = territory_commune(t, value);
        return c ? c->name : NULL;
    }
    if (f->source == FS_THEMES) {
        const struct theme *th = territory_theme(t, value);
        return th ? th->label : NULL;
    }
    return field_option_label(f, value);
}

/* A relation filter's slug as the id of a listed entry of the kinds the field allows; 0 and
 * unknown when it names none. */
static long long agenda_target_id(struct request *req, struct store *s, const struct field_def *f,
                                  const char *slug, const char **title)
{
    struct entry e;
    const char *moved = NULL;
    struct viewer v = viewer_public;
    if (entry_find(s, req->arena, &v, slug, &e, &moved) != ENTRY_OK ||
        !field_relation_allows(f, e.kind->name))
        return 0;
    struct revision r;
    if (entry_revision_raw(s, req->arena, &v, &e, 0, &r) != ENTRY_OK)
        return 0;
    *title = entry_view_title(req, e.kind, r.raw_card);
    return e.id;
}

static bool agenda_is_slug(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 200)
        return false;
    for (const char *c = s; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
            return false;
    return true;
}

/* The filters of the query (facets by their parameters, lieu and organisateur by slug), the
 * same for the page and the feed. False on a storage failure. */
static bool agenda_filters_read(struct request *req, struct store *s, const struct kind_def *k,
                                struct agenda_params *p)
{
    struct buf keep = BUF_INIT, text = BUF_INIT;
    for (int i = 0; i < req->query.n; i++) {
        const char *key = req->query.items[i].key, *value = req->query.items[i].value;
        if (!value || !*value)
            continue;
        const struct field_def *f = kind_facet_by_param(k, key);
        const char *label = NULL;
        if (f) {
            if (p->nterms == ENTRY_MAX_FILTERS || !(label = agenda_value_label(req, f, value))) {
                p->unknown = true;
                continue;
            }
            p->terms[p->nterms++] = (struct entry_filter){f->name, value};
            buf_printf(&keep, "&%s=%s", key, value);
        } else if ((strcmp(key, "lieu") == 0 || strcmp(key, "organisateur") == 0) &&
                   p->q.nrels < AGENDA_MAX_RELS) {
            const char *field = key[0] == 'l' ? "located_at" : "organised_by";
            const struct field_def *rf = kind_field(k, field);
            long long id =
                rf && agenda_is_slug(value) ? agenda_target_id(req, s, rf, value, &label) : 0;
            if (!id) {
                p->unknown = true;
                continue;
            }
            p->q.rels[p->q.nrels].field = field;
            p->q.rels[p->q.nrels].to_id = id;
            p->q.nrels++;
            if (key[0] == 'l')
                p->lieu = value;
            else
                p->organisateur = value;
            buf_printf(&keep, "&%s=%s", key, value);
        } else {
            continue;
        }
        buf_printf(&text, "%s%s", text.len ? ", " : "", label);
    }
    p->keep = arena_strdup(req->arena, buf_cstr(&keep));
    p->filter_text = text.len ? arena_strdup(req->arena, buf_cstr(&text)) : NULL;
    buf_free(&keep);
    buf_free(&text);
    p->q.terms = p->terms;
    p->q.nterms = p->nterms;
    p->q.place_field = kind_field(k, "located_at") ? "located_at" : NULL;
    return true;
}

static long long agenda_midnight(int y, int m, int d)
{
    long long t = 0;
    if (tz_paris_to_utc(y, m, d, 0, 0, &t) != TZ_OK)
        t = tz_days_from_civil(y, m, d) * 86400LL;
    return t;
}

/* The view and its range: ?vue=mois&mois=2026-12, ?vue=semaine&semaine=2026-12-07 (any day of
 * the week), or from today. False for a date that is none. */
static bool agenda_view_read(struct request *req, struct agenda_params *p, long long now)
{
    const char *vue = http_query(req, "vue");
    struct tz_local today;
    tz_paris_from_utc(now, &today);
    char extra;
    if (vue && strcmp(vue, "mois") == 0) {
        const char *m = http_query(req, "mois");
        p->view = VIEW_MONTH;
        p->year = today.year;
        p->month = today.month;
        if (m && *m &&
            (strlen(m) != 7 || sscanf(m, "%4d-%2d%c", &p->year, &p->month, &extra) != 2 ||
             !tz_date_valid(p->year, p->month, 1) || p->year < 1900 || p->year > 2200))
            return false;
        p->from = agenda_midnight(p->year, p->month, 1);
        int ny = p->month == 12 ? p->year + 1 : p->year, nm = p->month == 12 ? 1 : p->month + 1;
        p->to = agenda_midnight(ny, nm, 1);
        return true;
    }
    if (vue && strcmp(vue, "semaine") == 0) {
        const char *w = http_query(req, "semaine");
        int y = today.year, m = today.month, d = today.day;
        if (w && *w &&
            (strlen(w) != 10 || sscanf(w, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 ||
             !tz_date_valid(y, m, d) || y < 1900 || y > 2200))
            return false;
        long long days = tz_days_from_civil(y, m, d);
        long long r = (days + 3) % 7; /* 0 for a Monday */
        days -= r < 0 ? r + 7 : r;
        long long noon = days * 86400LL + 12 * 3600;
        struct tz_local mon;
        tz_paris_from_utc(noon, &mon);
        p->view = VIEW_WEEK;
        p->wy = mon.year;
        p->wm = mon.month;
        p->wd = mon.day;
        p->from = agenda_midnight(mon.year, mon.month, mon.day);
        tz_paris_from_utc(noon + 7 * 86400LL, &mon);
        p->to = agenda_midnight(mon.year, mon.month, mon.day);
        return true;
    }
    if (vue && *vue && strcmp(vue, "a-venir") != 0)
        return false;
    p->view = VIEW_UPCOMING;
    p->from = agenda_midnight(today.year, today.month, today.day);
    p->to = p->from + AGENDA_UPCOMING_DAYS * 86400LL;
    return true;
}

/* The filters' options: facets with the site's values, places and organisers with events. */

/* The places and organisers the filters offer, the same for every viewer until the site
 * changes: read once per generation (a few hundred entries each, about a millisecond of SQL),
 * kept as lines of slug and title (a title holds no control character). */
static bool agenda_targets_cached(struct request *req, struct store *s, const struct kind_def *k,
                                  const char *field, struct agenda_target **out, int *n)
{
    unsigned long gen = app_generation(req);
    const char *key = arena_printf(req->arena, "agenda-targets:%s:%s", k->name, field);
    const char *text = fragment_cache_get(req->arena, key, gen);
    if (text) {
        int count = 0;
        for (const char *p = text; *p; p++)
            count += *p == '\n';
        struct agenda_target *v = arena_alloc(req->arena, sizeof *v * (size_t)(count ? count : 1));
        int len = 0;
        for (char *line = (char *)text; *line && len < count;) {
            char *end = strchr(line, '\n'), *sep = strchr(line, '\x1f');
            if (!end || !sep || sep > end)
                break;
            *sep = *end = '\0';
            v[len].id = 0;
            v[len].slug = line;
            v[len].title = sep + 1;
            len++;
            line = end + 1;
        }
        *out = v;
        *n = len;
        return true;
    }
    if (agenda_targets(s, req->arena, k, field, AGENDA_TARGETS_MAX, out, n) != ENTRY_OK)
        return false;
    struct buf b = BUF_INIT;
    for (int i = 0; i < *n; i++)
        buf_printf(&b, "%s\x1f%s\n", (*out)[i].slug, (*out)[i].title);
    fragment_cache_put(key, gen, buf_cstr(&b));
    buf_free(&b);
    return true;
}

static bool agenda_filter_options(struct request *req, struct store *s, const struct kind_def *k,
                                  const struct agenda_params *p, struct tv *ctx)
{
    const struct territory *t = req->app->territory;
    struct tv *filters = tv_set_list(ctx, "filters");
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *f = &k->fields[i];
        if (!f->facet)
            continue;
        const char *param = field_param(f);
        const char *cur = http_query(req, param);
        struct tv *fo = tv_push_obj(filters);
        tv_set_str(fo, "param", param);
        tv_set_str(fo, "label", f->type == FT_ADDRESS ? "Commune" : f->label);
        tv_set_strf(fo, "id", "filtre-%s", param);
        bool communes = f->type == FT_COMMUNE || f->type == FT_ADDRESS;
        tv_set_str(fo, "all",
                   communes                 ? "Toutes les communes"
                   : f->source == FS_THEMES ? "Tous les thèmes"
                                            : "Tous");
        struct tv *opts = tv_set_list(fo, "options");
        size_t nvalues = communes ? t->ncommunes : f->source == FS_THEMES ? t->nthemes : 0;
        if (!communes && f->source != FS_THEMES)
            for (const struct field_option *o = f->options; o && o->id; o++)
                nvalues++;
        for (size_t v = 0; v < nvalues; v++) {
            const char *id = communes                 ? t->communes[v].insee
                             : f->source == FS_THEMES ? t->themes[v].id
                                                      : f->options[v].id;
            struct tv *o = tv_push_obj(opts);
            tv_set_str(o, "id", id);
            tv_set_str(o, "label", agenda_value_label(req, f, id));
            tv_set_bool(o, "selected", cur && strcmp(cur, id) == 0);
        }
    }
    static const struct {
        const char *param, *field, *label, *all;
    } rels[] = {{"lieu", "located_at", "Lieu", "Tous les lieux"},
                {"organisateur", "organised_by", "Organisateur", "Tous les organisateurs"}};
    for (size_t i = 0; i < sizeof rels / sizeof *rels; i++) {
        if (!kind_field(k, rels[i].field))
            continue;
        struct agenda_target *tg;
        int n;
        if (!agenda_targets_cached(req, s, k, rels[i].field, &tg, &n))
            return false;
        const char *cur = i == 0 ? p->lieu : p->organisateur;
        struct tv *fo = tv_push_obj(filters);
        tv_set_str(fo, "param", rels[i].param);
        tv_set_str(fo, "label", rels[i].label);
        tv_set_strf(fo, "id", "filtre-%s", rels[i].param);
        tv_set_str(fo, "all", rels[i].all);
        struct tv *opts = tv_set_list(fo, "options");
        for (int j = 0; j < n; j++) {
            struct tv *o = tv_push_obj(opts);
            tv_set_str(o, "id", tg[j].slug);
            tv_set_str(o, "label", tg[j].title);
            tv_set_bool(o, "selected", cur && strcmp(cur, tg[j].slug) == 0);
        }
    }
    return true;
}

/* The occurrences as days, each with its cards. */
static void agenda_days(struct request *req, const struct kind_def *k, struct agenda_item *items,
                        int n, struct tv *ctx)
{
    struct tv *days = tv_set_list(ctx, "days");
    struct tv *cur = NULL;
    int cy = 0, cm = 0, cd = 0;
    struct json_span *vals = arena_alloc(req->arena, sizeof(*vals) * (k->nfields + 1));
    for (int i = 0; i < n; i++) {
        struct tz_local l, le;
        tz_paris_from_utc(items[i].start, &l);
        if (!cur || l.year != cy || l.month != cm || l.day != cd) {
            struct tv *d = tv_push_obj(days);
            tv_set_str(d, "label", agenda_day(req, &l));
            tv_set_strf(d, "iso", "%04d-%02d-%02d", l.year, l.month, l.day);
            cur = tv_set_list(d, "items");
            cy = l.year, cm = l.month, cd = l.day;
        }
        struct tv *o = tv_push_obj(cur);
        struct json_span *v = entry_view_members(req, k, items[i].card);
        memcpy(vals, v, sizeof(*vals) * k->nfields);
        tv_set_str(o, "title", entry_view_member_str(req, k, vals, k->title_field));
        tv_set_str(o, "summary", entry_view_member_str(req, k, vals, k->summary_field));
        tv_set_strf(o, "url", "/%s/%s", k->segment, items[i].slug);
        tv_set_str(o, "iso", agenda_iso(req, items[i].start));
        tv_set_str(o, "time", agenda_hour(req, &l));
        if (items[i].end > items[i].start) {
            tz_paris_from_utc(items[i].end, &le);
            bool same = le.year == l.year && le.month == l.month && le.day == l.day;
            tv_set_str(o, "end_time",
                       same ? agenda_hour(req, &le)
                            : arena_printf(req->arena, "%s à %s", agenda_day(req, &le),
                                           agenda_hour(req, &le)));
        }
        if (items[i].place_slug) {
            tv_set_str(o, "place", items[i].place_title);
            tv_set_strf(o, "place_url", "/lieux/%s", items[i].place_slug);
        }
        for (size_t f = 0; f < k->nfields; f++) {
            const struct field_def *fd = &k->fields[f];
            if (!fd->card || fd->type == FT_DATETIME || strcmp(fd->name, k->title_field) == 0 ||
                strcmp(fd->name, k->summary_field) == 0)
                continue;
            const char *plain = entry_view_plain_text(req, fd, vals[f]);
            if (fd->type == FT_ADDRESS) {
                struct json_span c;
                const char *insee =
                    json_read_get(vals[f], "commune", &c) ? json_read_string(req->arena, c) : NULL;
                const struct commune *cm2 =
                    insee ? territory_commune(req->app->territory, insee) : NULL;
                plain = cm2 ? cm2->name : "";
            }
            if (plain && *plain)
                tv_set_str(o, fd->name, plain);
        }
    }
}

static const char *agenda_month_param(int y, int m, struct request *req)
{
    return arena_printf(req->arena, "%04d-%02d", y, m);
}

/* GET /agenda[?vue=mois&mois=AAAA-MM | ?vue=semaine&semaine=AAAA-MM-JJ][&theme=…&commune=…
 * &type=…&tarif=…&accessibilite=…&lieu=SLUG&organisateur=SLUG][&page=N] — the events' dates,
 * from today (the default), by week or by month, past ones kept and browsable, filtered. */
void page_agenda(struct request *req)
{
    const struct kind_def *k = agenda_kind();
    struct store *s = app_store(req);
    if (!k || !s) {
        app_error(req, k ? 503 : 404, false);
        return;
    }
    long long now = (long long)time(NULL);
    struct agenda_params p;
    memset(&p, 0, sizeof p);
    if (!agenda_view_read(req, &p, now)) {
        app_error(req, 404, false);
        return;
    }
    p.page = app_int_param(http_query(req, "page"), 1000);
    if (!p.page)
        p.page = 1;
    unsigned long gen = app_generation(req);
    struct tz_local today;
    tz_paris_from_utc(now, &today);
    /* Cached for the public per generation and per day (the default view starts today). */
    const char *cache_key = NULL;
    if (!req->logged_in && req->query.n <= 8) {
        struct buf q = BUF_INIT;
        for (int i = 0; i < req->query.n; i++)
            buf_printf(&q, "&%s=%s", req->query.items[i].key, req->query.items[i].value);
        cache_key = arena_printf(req->arena, "/agenda?d=%04d-%02d-%02d%s", today.year, today.month,
                                 today.day, buf_cstr(&q));
        buf_free(&q);
        if (page_cache_serve(req, cache_key, gen))
            return;
    }
    entry_read_begin(s);
    bool ok = agenda_filters_read(req, s, k, &p);
    p.q.from = p.from;
    p.q.to = p.to;
    p.q.offset = (p.page - 1) * AGENDA_PER_PAGE;
    p.q.limit = AGENDA_PER_PAGE + 1;
    struct agenda_item *items = NULL;
    int n = 0;
    struct tv *ctx = app_context(req, "L'agenda");
    ok = ok && (p.unknown || agenda_list(s, req->arena, k, &p.q, &items, &n) == ENTRY_OK) &&
         agenda_filter_options(req, s, k, &p, ctx);
    entry_read_end(s);
    if (!ok) {
        app_error(req, 500, false);
        return;
    }
    bool more = n > AGENDA_PER_PAGE;
    if (more)
        n = AGENDA_PER_PAGE;
    tv_set_str(ctx, "kind_segment", k->segment);
    tv_set_str(ctx, "a_label", k->a_label);
    tv_set_bool(ctx, "unknown_filter", p.unknown);
    tv_set_str(ctx, "filter_text", p.filter_text);
    tv_set_bool(ctx, "filtered", p.filter_text || p.unknown);
    const char *keep = p.keep;
    /* The views, the current one marked, each keeping the filters. */
    struct tv *views = tv_set_list(ctx, "views");
    static const char *const view_labels[] = {"À venir", "Semaine", "Mois"};
    const char *view_urls[3] = {
        arena_printf(req->arena, "/agenda%s%s", *keep ? "?" : "", *keep ? keep + 1 : ""),
        arena_printf(req->arena, "/agenda?vue=semaine%s", keep),
        arena_printf(req->arena, "/agenda?vue=mois%s", keep)};
    for (int i = 0; i < 3; i++) {
        struct tv *v = tv_push_obj(views);
        tv_set_str(v, "label", view_labels[i]);
        tv_set_str(v, "url", view_urls[i]);
        tv_set_bool(v, "current", (int)p.view == i);
    }
    const char *heading = "Les événements à venir";
    if (p.view == VIEW_MONTH) {
        heading = arena_printf(req->arena, "%s %d", agenda_months[p.month - 1], p.year);
        heading = arena_printf(req->arena, "%c%s", heading[0] - 32, heading + 1);
        int py = p.month == 1 ? p.year - 1 : p.year, pm = p.month == 1 ? 12 : p.month - 1;
        int ny = p.month == 12 ? p.year + 1 : p.year, nm = p.month == 12 ? 1 : p.month + 1;
        tv_set_strf(ctx, "prev_url", "/agenda?vue=mois&mois=%s%s", agenda_month_param(py, pm, req),
                    keep);
        tv_set_strf(ctx, "prev_label", "%s %d", agenda_months[pm - 1], py);
        tv_set_strf(ctx, "next_url", "/agenda?vue=mois&mois=%s%s", agenda_month_param(ny, nm, req),
                    keep);
        tv_set_strf(ctx, "next_label", "%s %d", agenda_months[nm - 1], ny);
        tv_set_strf(ctx, "self_url", "/agenda?vue=mois&mois=%s%s",
                    agenda_month_param(p.year, p.month, req), keep);
    } else if (p.view == VIEW_WEEK) {
        struct tz_local mon = {.year = p.wy, .month = p.wm, .day = p.wd, .weekday = 1};
        heading = arena_printf(req->arena, "Semaine du %s", agenda_day(req, &mon));
        long long noon = tz_days_from_civil(p.wy, p.wm, p.wd) * 86400LL + 12 * 3600;
        struct tz_local prev, next;
        tz_paris_from_utc(noon - 7 * 86400LL, &prev);
        tz_paris_from_utc(noon + 7 * 86400LL, &next);
        tv_set_strf(ctx, "prev_url", "/agenda?vue=semaine&semaine=%04d-%02d-%02d%s", prev.year,
                    prev.month, prev.day, keep);
        tv_set_str(ctx, "prev_label", "semaine précédente");
        tv_set_strf(ctx, "next_url", "/agenda?vue=semaine&semaine=%04d-%02d-%02d%s", next.year,
                    next.month, next.day, keep);
        tv_set_str(ctx, "next_label", "semaine suivante");
        tv_set_strf(ctx, "self_url", "/agenda?vue=semaine&semaine=%04d-%02d-%02d%s", p.wy, p.wm,
                    p.wd, keep);
    } else {
        /* The past is one click away: the current month, then back month by month. */
        int pm = today.month == 1 ? 12 : today.month - 1;
        int py = today.month == 1 ? today.year - 1 : today.year;
        tv_set_strf(ctx, "past_url", "/agenda?vue=mois&mois=%s%s", agenda_month_param(py, pm, req),
                    keep);
        tv_set_strf(ctx, "past_label", "%s %d", agenda_months[pm - 1], py);
        tv_set_strf(ctx, "self_url", "/agenda?vue=a-venir%s", keep);
    }
    tv_set_str(ctx, "heading", heading);
    if (p.filter_text)
        tv_set_strf(ctx, "title", "L'agenda — %s — %s", heading, p.filter_text);
    else
        tv_set_strf(ctx, "title", "L'agenda — %s", heading);
    app_describe(req, ctx,
                 arena_printf(req->arena, "Agenda des événements du %s\u202f: %s.",
                              req->app->territory->territory_name, heading));
    tv_set_strf(ctx, "ics_url", "/agenda.ics%s%s", *keep ? "?" : "", *keep ? keep + 1 : "");
    /* The fields of the filter form that say the view, kept when filtering. */
    struct tv *hidden = tv_set_list(ctx, "view_fields");
    if (p.view != VIEW_UPCOMING) {
        struct tv *h = tv_push_obj(hidden);
        tv_set_str(h, "name", "vue");
        tv_set_str(h, "value", p.view == VIEW_MONTH ? "mois" : "semaine");
        h = tv_push_obj(hidden);
        tv_set_str(h, "name", p.view == VIEW_MONTH ? "mois" : "semaine");
        tv_set_str(h, "value",
                   p.view == VIEW_MONTH
                       ? agenda_month_param(p.year, p.month, req)
                       : arena_printf(req->arena, "%04d-%02d-%02d", p.wy, p.wm, p.wd));
    }
    agenda_days(req, k, items, n, ctx);
    tv_set_bool(ctx, "empty", n == 0);
    tv_set_strf(ctx, "count_text", "%d date%s%s", n + (p.page - 1) * AGENDA_PER_PAGE,
                n + (p.page - 1) * AGENDA_PER_PAGE > 1 ? "s" : "", more ? " et plus" : "");
    if (more || p.page > 1) {
        const char *base =
            p.view == VIEW_MONTH ? arena_printf(req->arena, "/agenda?vue=mois&mois=%s%s",
                                                agenda_month_param(p.year, p.month, req), keep)
            : p.view == VIEW_WEEK
                ? arena_printf(req->arena, "/agenda?vue=semaine&semaine=%04d-%02d-%02d%s", p.wy,
                               p.wm, p.wd, keep)
                : arena_printf(req->arena, "/agenda?vue=a-venir%s", keep);
        if (more)
            tv_set_strf(ctx, "more_url", "%s&page=%d", base, p.page + 1);
        if (p.page > 1)
            tv_set_strf(ctx, "less_url", "%s&page=%d", base, p.page - 1);
    }
    app_render(req, "agenda", ctx);
    if (cache_key)
        page_cache_store(req, cache_key, gen);
}

/* ---- iCalendar ----------------------------------------------------------------------------- */

/* LOCATION: the place's title, the address, the online link. */
static const char *agenda_location(struct request *req, struct store *s, const struct kind_def *k,
                                   json_t *f)
{
    struct buf b = BUF_INIT;
    json_t *place = json_object_get(f, "located_at");
    if (json_is_array(place) && json_is_integer(json_array_get(place, 0)) && s) {
        long long id = (long long)json_integer_value(json_array_get(place, 0));
        struct related_entry r;
        struct viewer v = viewer_public;
        if (relation_briefs(s, req->arena, &v, &id, 1, &r) == ENTRY_OK && r.kind)
            buf_puts(&b, r.title);
    }
    const struct field_def *af = kind_field(k, "address");
    json_t *addr = json_object_get(f, "address");
    if (af && json_is_object(addr)) {
        char *text = json_dumps(addr, JSON_COMPACT);
        const char *plain =
            text ? entry_view_plain_text(req, af, (struct json_span){text, strlen(text)}) : "";
        free(text);
        if (*plain)
            buf_printf(&b, "%s%s", b.len ? ", " : "", plain);
    }
    json_t *online = json_object_get(f, "online_url");
    if (json_is_string(online) && *json_string_value(online))
        buf_printf(&b, "%s%s", b.len ? " — " : "", json_string_value(online));
    const char *out = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    return out;
}

static void agenda_categories(struct request *req, json_t *f, struct ical_event *ev)
{
    json_t *themes = json_object_get(f, "themes");
    size_t n = json_array_size(themes);
    const char **labels = arena_alloc(req->arena, sizeof(*labels) * (n ? n : 1));
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *id = json_string_value(json_array_get(themes, i));
        const struct theme *t = id ? territory_theme(req->app->territory, id) : NULL;
        if (t)
            labels[k++] = t->label;
    }
    ev->categories = labels;
    ev->ncategories = k;
}

/* One event and, for a series, the events that change its dates (same UID, RECURRENCE-ID).
 * uid_slug/recurrence_id: the series an override belongs to when it is written on its own. */
static bool agenda_ics_event(struct request *req, struct store *s, const struct kind_def *k,
                             long long id, const char *slug, long long updated, json_t *fields,
                             struct buf *b)
{
    const char *base = req->app->territory->base_url;
    struct ical_event ev = {.kind = k, .slug = slug, .fields = fields, .updated = updated};
    ev.location = agenda_location(req, s, k, fields);
    agenda_categories(req, fields, &ev);
    if (!ical_write_event(req->arena, b, base, &ev))
        return true; /* no start: nothing to write */
    json_t *rule = k->when.recurrence ? json_object_get(fields, k->when.recurrence) : NULL;
    if (!json_is_string(rule) || !*json_string_value(rule))
        return true;
    struct agenda_override *ov;
    int n;
    if (agenda_overrides(s, req->arena, id, &ov, &n) != ENTRY_OK)
        return false;
    for (int i = 0; i < n; i++) {
        struct revision_row r;
        if (store_revision_get(s, req->arena, ov[i].override_id, ov[i].revision, &r) != STORE_OK)
            continue;
        json_t *of = json_loads(r.fields, 0, NULL);
        if (!of)
            continue;
        struct ical_event oe = {.kind = k,
                                .slug = ov[i].slug,
                                .fields = of,
                                .updated = r.created,
                                .uid_slug = slug,
                                .recurrence_id = ov[i].replaces};
        oe.location = agenda_location(req, s, k, of);
        agenda_categories(req, of, &oe);
        ical_write_event(req->arena, b, base, &oe);
        json_decref(of);
    }
    return true;
}

static void agenda_ics_headers(struct request *req, const char *filename)
{
    req->content_type = "text/calendar; charset=utf-8";
    http_add_header(req, "Content-Disposition",
                    arena_printf(req->arena, "inline; filename=\"%s\"", filename));
}

/* GET /{kind}/{slug}.ics — the iCalendar of one event: its series with its cancelled and
 * changed dates. */
void page_event_ics(struct request *req)
{
    const struct kind_def *k = kind_find_segment(req->params[0]);
    struct store *s = app_store(req);
    if (!s) {
        app_error(req, 503, false);
        return;
    }
    if (!k || !k->when.start) {
        app_error(req, 404, false);
        return;
    }
    struct entry e;
    struct revision r;
    struct viewer v = viewer_public; /* a calendar is public: the published revision only */
    const char *moved = NULL;
    entry_read_begin(s);
    int rc = entry_find(s, req->arena, &v, req->params[1], &e, &moved);
    if (rc == ENTRY_MOVED) {
        entry_read_end(s);
        http_redirect(req, 301, arena_printf(req->arena, "/%s/%s.ics", k->segment, moved));
        return;
    }
    if (rc != ENTRY_OK || e.kind != k || !e.published_rev ||
        entry_revision(s, req->arena, &v, &e, 0, &r) != ENTRY_OK) {
        entry_read_end(s);
        app_error(req, rc == ENTRY_ERR ? 500 : 404, false);
        return;
    }
    /* An event that changes a date of a listed series is written as that series' instance. */
    long long series_id = 0, replaces = 0;
    struct buf b = BUF_INIT;
    ical_begin(&b, NULL);
    bool ok = agenda_override_series(s, e.id, &series_id, &replaces) == ENTRY_OK;
    if (ok && series_id) {
        struct entry_row sr;
        if (store_entry_by_id(s, req->arena, series_id, &sr) == STORE_OK) {
            struct ical_event ev = {.kind = k,
                                    .slug = e.slug,
                                    .fields = r.fields,
                                    .updated = r.created,
                                    .uid_slug = sr.slug,
                                    .recurrence_id = replaces};
            ev.location = agenda_location(req, s, k, r.fields);
            agenda_categories(req, r.fields, &ev);
            ical_write_event(req->arena, &b, req->app->territory->base_url, &ev);
        }
    } else if (ok) {
        ok = agenda_ics_event(req, s, k, e.id, e.slug, r.created, r.fields, &b);
    }
    entry_read_end(s);
    if (!ok) {
        buf_free(&b);
        app_error(req, 500, false);
        return;
    }
    ical_end(&b);
    buf_reset(&req->out);
    buf_append(&req->out, b.data, b.len);
    buf_free(&b);
    agenda_ics_headers(req, arena_printf(req->arena, "%s.ics", e.slug));
}

/* The state of a feed being sent: its own filters (copied: the request's arena is not read
 * after the handler) and where it is. */
struct agenda_feed {
    struct request req; /* a copy with its own arena, for the helpers that take a request */
    const struct kind_def *kind;
    struct agenda_query q;
    struct entry_filter terms[ENTRY_MAX_FILTERS];
    long long after;
    bool begun;
};

static void agenda_feed_done(void *state)
{
    struct agenda_feed *f = state;
    arena_free(f->req.arena);
    free(f);
}

static int agenda_feed_next(void *state, struct buf *out)
{
    struct agenda_feed *f = state;
    if (!f->begun) {
        f->begun = true;
        ical_begin(out, "Agenda");
        return 1;
    }
    struct store *s = app_store(&f->req);
    if (!s)
        return -1;
    /* Each page in its own arena: memory is one page of events, however many there are. */
    struct arena *saved = f->req.arena;
    struct arena *a = arena_new();
    f->req.arena = a;
    struct agenda_feed_item *items;
    int n;
    int rc = 1;
    entry_read_begin(s);
    if (agenda_feed_page(s, a, f->kind, &f->q, f->after, AGENDA_FEED_PAGE, &items, &n) !=
        ENTRY_OK) {
        rc = -1;
    } else {
        for (int i = 0; rc == 1 && i < n; i++) {
            f->after = items[i].id;
            json_t *fields = json_loads(items[i].fields, 0, NULL);
            if (!fields)
                continue;
            long long series_id = 0, replaces = 0;
            /* A changed date of a listed series is written with its series. */
            if (agenda_override_series(s, items[i].id, &series_id, &replaces) != ENTRY_OK)
                rc = -1;
            else if (!series_id && !agenda_ics_event(&f->req, s, f->kind, items[i].id,
                                                     items[i].slug, items[i].updated, fields, out))
                rc = -1;
            json_decref(fields);
        }
        if (rc == 1 && n < AGENDA_FEED_PAGE) {
            ical_end(out);
            rc = 0;
        }
    }
    entry_read_end(s);
    arena_free(a);
    f->req.arena = saved;
    return rc;
}

/* GET /agenda.ics[?theme=…&commune=…&type=…&tarif=…&lieu=SLUG&organisateur=SLUG] — the feed of
 * every listed event (with the agenda's filters), to subscribe to; streamed. */
void page_agenda_ics(struct request *req)
{
    const struct kind_def *k = agenda_kind();
    struct store *s = app_store(req);
    if (!k || !s) {
        app_error(req, k ? 503 : 404, false);
        return;
    }
    struct agenda_params p;
    memset(&p, 0, sizeof p);
    if (!agenda_filters_read(req, s, k, &p)) {
        app_error(req, 500, false);
        return;
    }
    if (p.unknown) {
        app_error(req, 404, false);
        return;
    }
    struct agenda_feed *f = xcalloc(1, sizeof *f);
    f->req.app = req->app;
    f->req.arena = arena_new();
    f->kind = k;
    f->q = p.q;
    for (int i = 0; i < p.nterms; i++)
        f->terms[i] = (struct entry_filter){arena_strdup(f->req.arena, p.terms[i].facet),
                                            arena_strdup(f->req.arena, p.terms[i].value)};
    f->q.terms = f->terms;
    for (int i = 0; i < p.q.nrels; i++)
        f->q.rels[i].field = arena_strdup(f->req.arena, p.q.rels[i].field);
    f->q.place_field = NULL;
    agenda_ics_headers(req, "agenda.ics");
    req->cache = HTTP_CACHE_NONE;
    http_stream_send(req, agenda_feed_next, agenda_feed_done, f);
}
