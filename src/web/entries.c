/* entries.c — the pages of records: list with filters, the record with its attribution block,
 * creation and editing through the schema-driven form, edit conflicts, featuring. */
#include "core/accompany.h"
#include "core/entry.h"
#include "core/geo.h"
#include "core/membership.h"
#include "core/relation.h"
#include "core/login_guard.h"
#include "core/rate.h"
#include "core/territory.h"
#include "core/validate.h"
#include "render/lineage_svg.h"
#include "util/arena.h"
#include "web/app.h"
#include "web/entry_view.h"
#include "web/fragment_cache.h"
#include "web/page_cache.h"
#include "web/pages.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ENTRIES_PER_PAGE 20

/* A facet value's label for a list page: a theme's, a commune's, an option's; NULL for one
 * the facet does not have. */
static const char *entries_value_label(struct request *req, const struct field_def *f,
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

/* The filters of a list's query: each facet's parameter (theme=…, commune=…), repeated or
 * combined, up to ENTRY_MAX_FILTERS. Unknown values are kept as filters (they list nothing)
 * and flagged; other parameters are ignored. */
struct entries_query {
    struct entry_filter filters[ENTRY_MAX_FILTERS], known[ENTRY_MAX_FILTERS];
    int nfilters, nknown;
    bool unknown, extra; /* a value no facet has; a parameter that is not a filter */
    const char *label;   /* "Numérique, Brest" for the heading; NULL unfiltered */
    const char *keep;    /* "&theme=numerique&commune=29019" for the pager */
};

static void entries_query_read(struct request *req, const struct kind_def *k,
                               struct entries_query *q)
{
    memset(q, 0, sizeof(*q));
    struct buf label = BUF_INIT, keep = BUF_INIT;
    for (int i = 0; i < req->query.n; i++) {
        const char *key = req->query.items[i].key, *value = req->query.items[i].value;
        const struct field_def *f = kind_facet_by_param(k, key);
        if (!f) {
            q->extra |= strcmp(key, "page") != 0;
            continue;
        }
        if (!value || !*value)
            continue;
        if (q->nfilters == ENTRY_MAX_FILTERS) {
            q->unknown = true;
            continue;
        }
        const char *l = entries_value_label(req, f, value);
        q->filters[q->nfilters++] = (struct entry_filter){f->name, value};
        if (l)
            q->known[q->nknown++] = q->filters[q->nfilters - 1];
        q->unknown |= !l;
        buf_printf(&label, "%s%s", label.len ? ", " : "", l ? l : "?");
        /* Only values the site knows go into links: they are ids of [a-z0-9-]. */
        if (l)
            buf_printf(&keep, "&%s=%s", field_param(f), value);
    }
    q->label = q->nfilters && !q->unknown ? arena_strdup(req->arena, buf_cstr(&label)) : NULL;
    q->keep = arena_strdup(req->arena, buf_cstr(&keep));
    buf_free(&label);
    buf_free(&keep);
}

/* What the list page says of itself, for search engines and the reader. */
static const char *entries_about(struct request *req, const struct kind_def *k,
                                 const struct entries_query *q, int total)
{
    const char *where = req->app->territory->territory_name;
    if (q->unknown)
        return arena_printf(req->arena,
                            "Ce filtre ne correspond à aucune valeur connue des %s du %s.",
                            k->label_plural, where);
    if (!q->label)
        return arena_printf(req->arena, "%s du %s (%d)\u202f: %s.", k->list_title, where, total,
                            k->blurb);
    if (total == 0)
        return arena_printf(req->arena,
                            "Aucune fiche %s du %s ne correspond pour l'instant à ce filtre\u202f: "
                            "%s.",
                            k->label, where, q->label);
    return arena_printf(req->arena, "%s du %s — %s (%d)\u202f: %s.", k->list_title, where, q->label,
                        total, k->blurb);
}

/* The filters of the list form: one per facet field of the kind, each value with its count
 * among the entries that have the other filters, and always the values chosen. */
static bool entries_facets(struct request *req, struct store *s, const struct kind_def *k,
                           const struct entries_query *q, struct tv *ctx)
{
    const struct territory *t = req->app->territory;
    struct tv *facets = tv_set_list(ctx, "facets");
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *f = &k->fields[i];
        if (!f->facet)
            continue;
        struct entry_facet_count *counts;
        int ncounts;
        if (entry_facet_counts(s, req->arena, k, f->name, q->known, q->nknown, &counts, &ncounts) !=
            ENTRY_OK)
            return false;
        struct tv *fo = tv_push_obj(facets);
        tv_set_str(fo, "param", field_param(f));
        tv_set_str(fo, "label", f->label);
        tv_set_strf(fo, "id", "filtre-%s", field_param(f));
        tv_set_str(fo, "all",
                   f->type == FT_COMMUNE || f->type == FT_ADDRESS ? "Toutes les communes"
                   : f->source == FS_THEMES                       ? "Tous les thèmes"
                                                                  : "Tous");
        struct tv *opts = tv_set_list(fo, "options");
        /* The values in the order people know them: the site's themes and communes, the
         * schema's options. */
        size_t nvalues = f->type == FT_COMMUNE || f->type == FT_ADDRESS ? t->ncommunes
                         : f->source == FS_THEMES                       ? t->nthemes
                                                                        : 0;
        if (!nvalues)
            for (const struct field_option *o = f->options; o && o->id; o++)
                nvalues++;
        for (size_t v = 0; v < nvalues; v++) {
            const char *id = f->type == FT_COMMUNE || f->type == FT_ADDRESS ? t->communes[v].insee
                             : f->source == FS_THEMES                       ? t->themes[v].id
                                                                            : f->options[v].id;
            int count = entry_facet_count_of(counts, ncounts, id);
            bool selected = false;
            for (int j = 0; j < q->nfilters; j++)
                selected |= strcmp(q->filters[j].facet, f->name) == 0 &&
                            strcmp(q->filters[j].value, id) == 0;
            if (!count && !selected)
                continue;
            struct tv *o = tv_push_obj(opts);
            tv_set_str(o, "id", id);
            tv_set_str(o, "label", entries_value_label(req, f, id));
            tv_set_int(o, "count", count);
            tv_set_bool(o, "selected", selected);
        }
    }
    return true;
}

static void entries_url_encode(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~')
            buf_putc(b, (char)*p);
        else
            buf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
}

/* GET /{kind}?FACET=VALUE…&page=N — the paged list of visible records of a kind, filtered on
 * any of its facets (several combined). Each filter offers only the values that have records
 * with the other filters kept, with their count, and always the value chosen. */
void page_entry_list(struct request *req)
{
    const struct kind_def *k = kind_find_segment(req->params[0]);
    /* A kind listed elsewhere (events: /agenda) sends its segment there, query kept. */
    if (k->list_path[0] == '/' && strcmp(k->list_path + 1, k->segment) != 0) {
        struct buf b = BUF_INIT;
        buf_puts(&b, k->list_path);
        for (int i = 0; i < req->query.n; i++) {
            buf_putc(&b, i ? '&' : '?');
            entries_url_encode(&b, req->query.items[i].key);
            buf_putc(&b, '=');
            entries_url_encode(&b, req->query.items[i].value);
        }
        http_redirect(req, 301, arena_strdup(req->arena, buf_cstr(&b)));
        buf_free(&b);
        return;
    }
    int page = app_int_param(http_query(req, "page"), 100000);
    if (!page)
        page = 1;
    struct entries_query q;
    entries_query_read(req, k, &q);
    struct store *s = app_store(req);
    if (!s) {
        app_error(req, 503, false);
        return;
    }
    unsigned long gen = app_generation(req);
    /* Only real filters are cached: random values must not push pages out. */
    const char *cache_key = NULL;
    if (!req->logged_in && !q.unknown && !q.extra && req->query.n <= 4 && page <= 100)
        cache_key = arena_printf(req->arena, "%s?page=%d%s", req->path, page, q.keep);
    if (cache_key && page_cache_serve(req, cache_key, gen))
        return;
    struct entry_item *items;
    int n, total;
    struct tv *ctx = app_context(
        req, q.label ? arena_printf(req->arena, "%s — %s", k->list_title, q.label) : k->list_title);
    /* The list, its total and the filters' counts from one state of the site. */
    entry_read_begin(s);
    bool read = entry_list(s, req->arena, k, q.filters, q.nfilters, page, ENTRIES_PER_PAGE, &items,
                           &n, &total) == ENTRY_OK &&
                entries_facets(req, s, k, &q, ctx);
    entry_read_end(s);
    if (!read) {
        app_error(req, 500, false);
        return;
    }
    int pages = total ? (total + ENTRIES_PER_PAGE - 1) / ENTRIES_PER_PAGE : 1;
    if (page > pages) {
        app_error(req, 404, false);
        return;
    }
    tv_set_str(ctx, "kind_segment", k->segment);
    tv_set_str(ctx, "list_title", k->list_title);
    tv_set_str(ctx, "a_label", k->a_label);
    /* "Aucune innovation", "Aucun acteur": the article of a_label says which. */
    tv_set_strf(ctx, "none_text", "%s %s ne correspond.",
                strncmp(k->a_label, "une ", 4) == 0 ? "Aucune" : "Aucun", k->label);
    tv_set_str(ctx, "label_plural", k->label_plural);
    tv_set_str(ctx, "filter_label", q.label);
    tv_set_bool(ctx, "filtered", q.nfilters > 0);
    tv_set_bool(ctx, "unknown_filter", q.unknown);
    tv_set_int(ctx, "total", total);
    tv_set_str(ctx, "total_text",
               arena_printf(req->arena, "%d fiche%s", total, total > 1 ? "s" : ""));
    tv_set_int(ctx, "page", page);
    tv_set_int(ctx, "pages", pages);
    tv_set_bool(ctx, "paged", pages > 1);
    app_describe(req, ctx, entries_about(req, k, &q, total));
    entry_view_items(req, tv_set_list(ctx, "items"), k, items, n);
    if (page > 1)
        tv_set_strf(ctx, "prev_url", "%s?page=%d%s", k->list_path, page - 1, q.keep);
    if (page < pages)
        tv_set_strf(ctx, "next_url", "%s?page=%d%s", k->list_path, page + 1, q.keep);
    app_render(req, "entry_list", ctx);
    if (cache_key)
        page_cache_store(req, cache_key, gen);
}

bool page_entry_load(struct request *req, struct store *s, struct entry *e, const char *suffix)
{
    const struct kind_def *k = kind_find_segment(req->params[0]);
    const char *moved = NULL;
    struct viewer v = app_viewer(req);
    int rc = s ? entry_find(s, req->arena, &v, req->params[1], e, &moved) : ENTRY_ERR;
    if (rc == ENTRY_MOVED && strcmp(req->method, "GET") != 0) {
        /* A form posted to the old address (renamed while being edited) is applied to the
         * entry itself: a redirect would turn the POST into a GET and lose the text. */
        rc = entry_find(s, req->arena, &v, moved, e, NULL);
    }
    if (rc == ENTRY_MOVED) {
        http_redirect(req, 301, arena_printf(req->arena, "/%s/%s%s", k->segment, moved, suffix));
        return false;
    }
    if (rc == ENTRY_ERR) {
        app_error(req, 500, false);
        return false;
    }
    if (rc != ENTRY_OK || e->kind != k) {
        app_error(req, 404, false);
        return false;
    }
    return true;
}

static void entries_attribution(struct request *req, struct tv *ctx, const struct entry *e,
                                const struct json_span *vals, const char *title,
                                const char **authors, int n, const struct accompany_credit *c)
{
    struct buf b = BUF_INIT;
    for (int i = 0; i < n; i++) {
        if (i)
            buf_puts(&b, i == n - 1 ? " et " : ", ");
        buf_puts(&b, authors[i]);
    }
    const char *names = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    const char *permalink =
        app_url(req, arena_printf(req->arena, "/%s/%s", e->kind->segment, e->slug));
    const struct field_def *lf = kind_field(e->kind, "license");
    const char *lic = entry_view_member_str(req, e->kind, vals, "license");
    const char *lic_label = lf && lic ? field_option_label(lf, lic) : NULL;
    const char *lic_url = "https://creativecommons.org/licenses/by-sa/4.0/deed.fr";
    if (lic && strcmp(lic, "CC-BY-4.0") == 0)
        lic_url = "https://creativecommons.org/licenses/by/4.0/deed.fr";
    else if (lic && strcmp(lic, "CC0-1.0") == 0)
        lic_url = "https://creativecommons.org/publicdomain/zero/1.0/deed.fr";
    struct tv *at = tv_set_obj(ctx, "attribution");
    tv_set_str(at, "authors", names);
    /* An accompanied record names its mediator beside its authors, here and in the text to
     * paste: a republication carries both. */
    const char *with = "";
    if (c->accompanied) {
        tv_set_str(at, "mediator", c->mediator);
        if (c->actor_slug) {
            tv_set_str(at, "actor_title", c->actor_title);
            tv_set_strf(at, "actor_url", "/acteurs/%s", c->actor_slug);
        }
        with = arena_printf(req->arena, ", rédaction accompagnée par %s", c->mediator);
    }
    tv_set_str(at, "permalink", permalink);
    tv_set_str(at, "license", lic_label ? lic_label : lic);
    tv_set_str(at, "license_url", lic_url);
    tv_set_strf(at, "text", "« %s », fiche de %s, par %s%s — %s — licence %s", title,
                req->app->territory->site_name, names, with, permalink,
                lic_label ? lic_label : (lic ? lic : ""));
}

/* The relation field of a kind that points to its own kind (an innovation's inspired_by): its
 * records show their lineage along it. NULL for kinds without one. */
static const struct field_def *entries_lineage_field(const struct kind_def *k)
{
    for (size_t i = 0; k && i < k->nfields; i++)
        if (k->fields[i].type == FT_RELATION && k->fields[i].lineage)
            return &k->fields[i];
    return NULL;
}

/* The lineage drawn as an SVG made here (render/lineage_svg.c), with its text alternative. */
static void entries_lineage(struct request *req, struct tv *ctx, const struct lineage *l,
                            const char *title)
{
    if (l->n < 2)
        return;
    struct lineage_node *nodes = arena_alloc(req->arena, sizeof(*nodes) * (size_t)l->n);
    struct lineage_edge *edges = arena_alloc(req->arena, sizeof(*edges) * (size_t)(l->m + 1));
    for (int i = 0; i < l->n; i++) {
        nodes[i].title = i == 0 ? title : l->nodes[i].title;
        nodes[i].url = i == 0 ? NULL
                              : arena_printf(req->arena, "/%s/%s", l->nodes[i].kind->segment,
                                             l->nodes[i].slug);
        nodes[i].level = l->levels[i];
    }
    for (int i = 0; i < l->m; i++)
        edges[i] = (struct lineage_edge){l->edges[i][0], l->edges[i][1]};
    size_t len;
    char *svg = lineage_svg(nodes, l->n, edges, l->m, &len);
    if (!svg)
        return;
    tv_set_html(ctx, "lineage_svg", arena_strdup(req->arena, svg)); /* escaped by lineage_svg */
    free(svg);
}

/* Where the map shows a record (geo_each's answer for its id). */
struct entries_position {
    enum geo_precision precision;
    double lat, lon;
};

static int entries_position_of(void *arg, const struct geo_point *p)
{
    struct entries_position *pos = arg;
    pos->precision = p->precision;
    pos->lat = p->lat;
    pos->lon = p->lon;
    return 1;
}

/* The record page; errs (from a form of the page posted, the join request) shown beside it. */
static void entries_show(struct request *req, const struct field_errors *errs)
{
    struct store *s = app_store(req);
    if (!s) {
        app_error(req, 503, false);
        return;
    }
    unsigned long gen = app_generation(req);
    bool plain = req->query.n == 0 && !req->logged_in;
    if (plain && page_cache_serve(req, req->path, gen))
        return;
    struct viewer v = app_viewer(req);
    struct entry e;
    struct revision r;
    const char **authors = NULL;
    int nauthors = 0;
    struct accompany_credit credit = {0};
    /* The entry, its revision and its authors from one state of the site. */
    entry_read_begin(s);
    bool loaded = page_entry_load(req, s, &e, "");
    const char *revq = http_query(req, "rev");
    int rev = app_int_param(revq, 1000000);
    bool found =
        loaded && (!revq || rev) && entry_revision_raw(s, req->arena, &v, &e, rev, &r) == ENTRY_OK;
    /* A signed-in author told that their own text waits for moderation. */
    int edits = 0;
    struct related_group *groups = NULL;
    int ngroups = 0;
    struct lineage lineage = {0};
    struct entries_position position = {GEO_UNPLACED, 0, 0};
    const struct field_def *lineage_field = entries_lineage_field(found ? e.kind : NULL);
    /* The links and the lineage are the same for every visitor who does not moderate: rendered
     * once per generation (web/fragment_cache.c); the groups are still read where the join
     * block needs them (its managers' list of members). */
    const char *links_key = NULL, *links_html = NULL;
    if (found) {
        const struct kind_def *holder;
        if (!viewer_moderates(&v))
            links_key = arena_printf(req->arena, "links:%lld:%d", e.id, r.number);
        links_html = links_key ? fragment_cache_get(req->arena, links_key, gen) : NULL;
        bool need_groups = !links_html || (req->logged_in && membership_field(e.kind, &holder));
        entry_authors(s, req->arena, &e, &authors, &nauthors);
        bool credited =
            accompany_credit(s, req->arena, &e, authors, nauthors, &credit) == ACCOMPANY_OK;
        authors = credit.authors;
        nauthors = credit.nauthors;
        if (req->logged_in && entry_edit_revision(s, req->arena, &v, &e, &edits) != ENTRY_OK)
            edits = 0;
        found =
            credited &&
            (!need_groups ||
             relation_groups(s, req->arena, &v, &e, r.raw_fields, &groups, &ngroups) == ENTRY_OK) &&
            (links_html || !lineage_field ||
             relation_lineage(s, req->arena, &v, &e, lineage_field->name, &lineage) == ENTRY_OK);
        /* The published revision is drawn where the map shows it (its own point, its place's,
         * its commune's centre); another revision keeps its point among its facts. */
        if (found && r.number == e.published_rev && geo_kind_placeable(e.kind)) {
            struct geo_request gr = {.id = e.id};
            found = geo_each(s, req->arena, &gr, entries_position_of, &position) == GEO_OK;
        }
        if (!found) {
            entry_read_end(s);
            app_error(req, 500, false);
            return;
        }
    }
    entry_read_end(s);
    if (!loaded)
        return;
    if (!found) {
        app_error(req, 404, false);
        return;
    }
    const struct json_span *vals = entry_view_members(req, e.kind, r.raw_fields);
    const char *title = entry_view_member_str(req, e.kind, vals, e.kind->title_field);
    if (!title)
        title = "";
    struct tv *ctx = app_context(req, title);
    tv_set_str(ctx, "slug", e.slug);
    tv_set_str(ctx, "kind_segment", e.kind->segment);
    tv_set_str(ctx, "kind_label", e.kind->label);
    tv_set_str(ctx, "kind_name", e.kind->name);
    tv_set_str(ctx, "list_title", e.kind->list_title);
    tv_set_str(ctx, "list_path", e.kind->list_path);
    tv_set_int(ctx, "revision", r.number);
    bool pending = strcmp(r.state, "pending") == 0, rejected = strcmp(r.state, "rejected") == 0;
    tv_set_bool(ctx, "old_revision", r.number != e.published_rev && !pending && !rejected);
    tv_set_bool(ctx, "pending", pending);
    tv_set_bool(ctx, "rejected", rejected);
    tv_set_bool(ctx, "never_published", e.published_rev == 0);
    tv_set_int(ctx, "public_revision", e.published_rev);
    if (edits > e.published_rev && edits != r.number)
        tv_set_int(ctx, "own_pending", edits);
    tv_set_str(ctx, "updated", app_date(req, e.updated));
    tv_set_str(ctx, "created", app_date(req, e.created));
    tv_set_str(ctx, "revision_date", app_datetime(req, r.created));
    tv_set_str(ctx, "revision_author", r.author_name);
    tv_set_bool(ctx, "featured", e.featured);
    if (viewer_moderates(&v) && e.published_rev)
        tv_set_bool(ctx, "can_feature", true);
    entry_view_position(req, ctx, position.precision, position.lat, position.lon);
    entry_view_fields(req, ctx, e.kind, vals, r.raw_rendered);
    if (!links_html) {
        struct tv *lctx = tv_obj(req->arena);
        entry_view_relations(lctx, groups, ngroups);
        if (lineage_field)
            entries_lineage(req, lctx, &lineage, title);
        struct buf b = BUF_INIT;
        if (tmpl_render(req->app->tmpl, "entry_links", lctx, &b) == 0) {
            links_html = arena_strdup(req->arena, buf_cstr(&b));
            if (links_key)
                fragment_cache_put(links_key, gen, links_html);
        }
        buf_free(&b);
    }
    tv_set_html(ctx, "links_html", links_html); /* rendered by the template engine, escaped */
    if (!page_membership_context(req, s, ctx, &e, groups, ngroups, errs)) {
        app_error(req, 500, false);
        return;
    }
    /* A text not yet public has no published authors: its own author signs it. */
    if (nauthors == 0) {
        authors = arena_alloc(req->arena, sizeof(*authors));
        authors[0] = r.author_name;
        nauthors = 1;
    }
    entries_attribution(req, ctx, &e, vals, title, authors, nauthors, &credit);
    page_report_form_values(req, ctx, &e);
    page_contact_values(req, ctx, &e);
    /* What the kinds in time, trainings and resources add to their record (each is nothing
     * for other kinds). */
    if (!page_event_context(req, s, ctx, &e, vals) ||
        !page_attendance_context(req, s, ctx, &e, vals, errs) ||
        !page_cohort_context(req, s, ctx, &e, vals, errs) ||
        !page_loan_context(req, s, ctx, &e, vals, errs) || !page_media_context(req, s, ctx, &e)) {
        app_error(req, 500, false);
        return;
    }
    app_render(req, e.kind->template ? e.kind->template : "entry_show", ctx);
    if (errs)
        req->status = 422;
    else if (plain)
        page_cache_store(req, req->path, gen);
}

/* GET /{kind}/{slug}[?rev=N] — the record (or an older revision of it). */
void page_entry_show(struct request *req)
{
    entries_show(req, NULL);
}

void page_entry_show_errors(struct request *req, const struct field_errors *errs)
{
    entries_show(req, errs);
}

/* The signed time the form was first shown (kept through an error or a conflict, so that the
 * time spent counts from the first display): its age is a spam signal. */
static void entries_form_stamp(struct request *req, struct tv *ctx)
{
    long long now = (long long)time(NULL);
    const char *sent = http_form(req, "started");
    struct store *s = app_store(req);
    if (sent && s && login_guard_form_age(s, sent, req->csrf, now) >= 0) {
        tv_set_str(ctx, "started", sent);
        return;
    }
    char stamp[LOGIN_FORM_STAMP_MAX + 1];
    if (s && login_guard_form_stamp(s, now, req->csrf, stamp) == 0)
        tv_set_str(ctx, "started", arena_strdup(req->arena, stamp));
}

#define ENTRIES_ROBOT                                                                                    \
    "Ce formulaire a été rempli par un robot : rien n'a été enregistré. Si ce n'est pas le cas, " \
    "laissez vide le champ « Ne pas remplir » et enregistrez de nouveau."

/* What the form says of its own filling: the seconds it was open (in->timed when its stamp is
 * genuine) and whether the field hidden from people was filled (robots fill every field). */
static bool entries_form_human(struct request *req, struct entry_save *in)
{
    const char *trap = http_form(req, "contact_url");
    long age = login_guard_form_age(app_store(req), http_form(req, "started"), req->csrf,
                                    (long long)time(NULL));
    in->timed = age >= 0;
    in->fill_seconds = age;
    in->unstamped = age < 0; /* a form that does not say when it was shown is suspect */
    return !trap || !*trap;
}

/* A form refused by the rate of edits (its page already rendered, input kept): 429, and when
 * to come back. */
static void entries_rate_limited(struct request *req, long wait)
{
    req->status = 429;
    http_add_header(req, "Retry-After", arena_printf(req->arena, "%ld", wait > 0 ? wait : 1));
}

/* The fieldset "Rédaction accompagnée" (core/accompany.h) of the form of entry_id (0: a new
 * record): its inputs for a mediator, with what was typed and its errors (also for anyone else
 * who posted them: their refusal shows beside the field); on a record accompanied already, what
 * it is instead. */
static void entries_accompany_form(struct request *req, struct tv *ctx, const struct kind_def *k,
                                   long long entry_id, const struct field_errors *errs)
{
    if (!accompany_kind(k))
        return;
    struct viewer v = app_viewer(req);
    const char *actor = http_form(req, "accompany_actor");
    const char *email = http_form(req, "accompany_email");
    bool posted = (actor && *actor) || (email && *email);
    if (!accompany_mediates(&v) && !posted)
        return;
    struct accompany_state st = {0};
    struct store *s = app_store(req);
    if (entry_id && s && accompany_state(s, req->arena, entry_id, &st) != ACCOMPANY_OK)
        return;
    struct tv *ac = tv_set_obj(ctx, "accompany");
    if (st.accompanied) {
        struct tv *cur = tv_set_obj(ac, "current");
        tv_set_str(cur, "mediator", st.mediator);
        if (st.actor_slug) {
            tv_set_str(cur, "actor_title", st.actor_title);
            tv_set_strf(cur, "actor_url", "/acteurs/%s", st.actor_slug);
        }
        if (st.taken)
            tv_set_str(cur, "taken_name", st.taken_name);
        else if (st.invited)
            tv_set_str(cur, "expires", app_date(req, st.invite_expires));
        if (!posted)
            return;
    }
    struct tv *in = tv_set_obj(ac, "inputs");
    tv_set_str(in, "actor", actor ? actor : "");
    tv_set_str(in, "email", email ? email : "");
    const char *ea = errs ? validate_error_for(errs, "accompany_actor") : NULL;
    const char *ee = errs ? validate_error_for(errs, "accompany_email") : NULL;
    tv_set_str(in, "error_actor", ea);
    tv_set_str(in, "error_email", ee);
    /* The picker of relation fields (static/relation.js) suggests actors through a field that
     * names them: an innovation's carriers. */
    const struct static_asset *js = app_asset(req->app, "relation.js");
    tv_set_str(ctx, "relation_script_url", js ? js->url : "/static/relation.js");
}

static void entries_form_page(struct request *req, const struct kind_def *k, const char *title,
                              const char *action, const char *cancel, int base_rev, json_t *values,
                              const char *comment, const struct field_errors *errs, bool preview,
                              long long entry_id)
{
    struct tv *ctx = app_context(req, title);
    if (preview)
        tv_set_bool(ctx, "previewing", true);
    tv_set_str(ctx, "cancel_url", cancel);
    if (errs && errs->n)
        tv_set_str(ctx, "title_prefix", "Erreur :");
    app_need_csrf(req, ctx);
    entries_form_stamp(req, ctx);
    tv_set_str(ctx, "action", action);
    tv_set_str(ctx, "kind_segment", k->segment);
    tv_set_str(ctx, "kind_name", k->name);
    tv_set_int(ctx, "base_revision", base_rev);
    tv_set_str(ctx, "comment", comment);
    tv_set_str(ctx, "spam_error", errs ? validate_error_for(errs, "spam") : NULL);
    if (errs && errs->n) {
        tv_set_bool(ctx, "has_errors", true);
        struct tv *list = tv_set_list(ctx, "errors");
        for (int i = 0; i < errs->n; i++) {
            struct tv *o = tv_push_obj(list);
            tv_set_str(o, "message", errs->e[i].message);
            tv_set_str(o, "field", errs->e[i].field);
            /* The accompaniment's inputs are no field of the kind: their own ids. */
            const char *f = errs->e[i].field;
            tv_set_str(o, "anchor",
                       strncmp(f, "accompany_", 10) == 0 ? f : entry_view_form_anchor(req, k, f));
        }
        tv_set_str(ctx, "comment_error", validate_error_for(errs, "comment"));
    }
    entry_view_form(req, ctx, k, values, errs);
    entries_accompany_form(req, ctx, k, entry_id, errs);
    app_render(req, "entry_form", ctx);
    if (errs && errs->n)
        req->status = 422;
}

/* "Modifier « TITLE »" with the title of the text this visitor edits: the page keeps the
 * record's name when the form comes back (errors, preview), whatever its title input holds. */
static const char *entries_edit_title(struct request *req, struct store *s, const struct entry *e)
{
    struct viewer v = app_viewer(req);
    struct revision r;
    int number;
    if (entry_edit_revision(s, req->arena, &v, e, &number) == ENTRY_OK &&
        entry_revision(s, req->arena, &v, e, number, &r) == ENTRY_OK)
        return arena_printf(req->arena, "Modifier \u00ab\u202f%s\u202f\u00bb",
                            entry_title(e->kind, r.fields));
    return "Modifier la fiche";
}

/* The posted form shown again with each Markdown text rendered under its field ("Prévisualiser",
 * for browsers without the editor's script): nothing validated beyond the texts, nothing
 * written. Counted as one preview (core/rate.c); past the limit, 429 and the form kept. */
static void entries_preview_page(struct request *req, const struct kind_def *k, const char *title,
                                 const char *action, const char *cancel, int base_rev,
                                 json_t *input, long long entry_id)
{
    struct viewer v = app_viewer(req);
    long wait = rate_preview_take(app_store(req), &v, (long long)time(NULL));
    struct field_errors errs = {0};
    const char *comment = http_form(req, "comment");
    if (wait > 0)
        validate_error(&errs, "spam",
                       arena_printf(req->arena,
                                    "Vous avez demandé beaucoup d'aperçus en peu de temps\u202f: "
                                    "patientez %ld seconde%s (votre texte est conservé).",
                                    wait, wait > 1 ? "s" : ""));
    for (size_t i = 0; i < k->nfields && !wait; i++) {
        const struct field_def *f = &k->fields[i];
        if (f->type == FT_MARKDOWN)
            validate_markdown_text(req->arena, f->name, f->label, f->max_len ? f->max_len : 200,
                                   json_object_get(input, f->name), &errs);
    }
    entries_form_page(req, k, title, action, cancel, base_rev, input, comment ? comment : "", &errs,
                      wait == 0, entry_id);
    if (wait > 0)
        entries_rate_limited(req, wait);
}

/* GET /{kind}/new — an empty form (login required). */
void page_entry_new(struct request *req)
{
    if (!app_require_login(req))
        return;
    const struct kind_def *k = kind_find_segment(req->params[0]);
    json_t *empty = json_pack("{s:s}", "license", req->app->territory->license);
    entries_form_page(req, k, arena_printf(req->arena, "Ajouter %s", k->a_label),
                      arena_printf(req->arena, "/%s/new", k->segment), k->list_path, 0, empty, "",
                      NULL, false, 0);
    json_decref(empty);
}

/* The posted fieldset "Rédaction accompagnée" of the form of entry_id (0: new) checked
 * (accompany_check) into errs; *out ready for accompany_write, with the title of clean (the
 * validated fields, NULL when refused) for its mail. ACCOMPANY_ERR when the site cannot say. */
static int entries_accompany_check(struct request *req, const struct kind_def *k,
                                   long long entry_id, json_t *clean, struct field_errors *errs,
                                   struct accompany_request *out)
{
    struct viewer v = app_viewer(req);
    struct store *s = app_store(req);
    memset(out, 0, sizeof(*out));
    if (!s)
        return ACCOMPANY_ERR;
    if (!accompany_kind(k))
        return ACCOMPANY_OK; /* the form has no such fieldset: what was posted is ignored */
    int rc = accompany_check(s, req->arena, &v, entry_id, http_form(req, "accompany_actor"),
                             http_form(req, "accompany_email"), (long long)time(NULL), errs, out);
    out->base_url = req->app->territory->base_url;
    out->site_name = req->app->territory->site_name;
    out->entry_title = clean ? entry_title(k, clean) : NULL;
    return rc;
}

/* Validates the posted form; NULL with errs filled (and *comment set) on invalid input. */
static json_t *entries_form_validate(struct request *req, const struct kind_def *k, json_t *input,
                                     const char **comment, struct field_errors *errs)
{
    *comment = validate_comment(req->arena, http_form(req, "comment"), errs);
    json_t *clean = validate_entry(req->arena, k, req->app->territory, input, false, errs);
    if (errs->n) {
        json_decref(clean);
        if (!*comment)
            *comment = http_form(req, "comment");
        return NULL;
    }
    return clean;
}

/* POST /{kind}/new — fields…, comment, csrf. */
void page_entry_create(struct request *req)
{
    if (!app_require_login(req) || !app_check_csrf(req))
        return;
    const struct kind_def *k = kind_find_segment(req->params[0]);
    json_t *input = entry_view_form_input(req, k);
    if (http_form(req, "preview")) {
        entries_preview_page(req, k, arena_printf(req->arena, "Ajouter %s", k->a_label),
                             arena_printf(req->arena, "/%s/new", k->segment), k->list_path, 0,
                             input, 0);
        json_decref(input);
        return;
    }
    struct field_errors errs = {0};
    const char *comment;
    json_t *clean = entries_form_validate(req, k, input, &comment, &errs);
    struct accompany_request acc;
    /* The accompaniment checked with the fields: every error shows at once. */
    if (entries_accompany_check(req, k, 0, clean, &errs, &acc) == ACCOMPANY_ERR) {
        json_decref(clean);
        json_decref(input);
        app_error(req, 503, false);
        return;
    }
    if (!clean || errs.n) {
        json_decref(clean);
        entries_form_page(req, k, arena_printf(req->arena, "Ajouter %s", k->a_label),
                          arena_printf(req->arena, "/%s/new", k->segment), k->list_path, 0, input,
                          comment, &errs, false, 0);
        json_decref(input);
        return;
    }
    struct entry_save in = {.kind = k,
                            .fields = clean,
                            .author = app_viewer(req),
                            .comment = *comment ? comment : "Création de la fiche",
                            .now = (long long)time(NULL),
                            .client_ip = http_client_ip(req),
                            .with = acc.actor_id ? accompany_write : NULL,
                            .with_arg = &acc};
    struct entry_saved saved;
    struct store *s = app_store(req);
    struct field_errors trap = {0};
    if (s && !entries_form_human(req, &in)) {
        validate_error(&trap, "spam", ENTRIES_ROBOT);
        entries_form_page(req, k, arena_printf(req->arena, "Ajouter %s", k->a_label),
                          arena_printf(req->arena, "/%s/new", k->segment), k->list_path, 0, input,
                          comment, &trap, false, 0);
        json_decref(clean);
        json_decref(input);
        return;
    }
    in.errs = &trap;
    int rc = s ? entry_save(s, req->arena, &in, &saved) : ENTRY_ERR;
    if (rc == ENTRY_RATE_LIMITED)
        validate_error(&trap, "spam", rate_edit_refusal(req->arena, saved.retry_after));
    if (rc == ENTRY_INVALID || rc == ENTRY_RATE_LIMITED) {
        entries_form_page(req, k, arena_printf(req->arena, "Ajouter %s", k->a_label),
                          arena_printf(req->arena, "/%s/new", k->segment), k->list_path, 0, input,
                          comment, &trap, false, 0);
        if (rc == ENTRY_RATE_LIMITED)
            entries_rate_limited(req, saved.retry_after);
        json_decref(clean);
        json_decref(input);
        return;
    }
    json_decref(clean);
    json_decref(input);
    if (rc != ENTRY_OK) {
        app_error(req, !s ? 503 : rc == ENTRY_FORBIDDEN ? 403 : 500, false);
        return;
    }
    app_flash(req, strcmp(saved.state, "pending") == 0 ? "pending" : "created");
    http_redirect(req, 303, arena_printf(req->arena, "/%s/%s", k->segment, saved.entry.slug));
}

/* GET /{kind}/{slug}/edit — the form with the latest revision (login required). */
void page_entry_edit(struct request *req)
{
    if (!app_require_login(req))
        return;
    struct store *s = app_store(req);
    struct entry e;
    struct revision r;
    if (!page_entry_load(req, s, &e, "/edit"))
        return;
    /* The text this visitor edits: their own pending one if they have one, else the public one. */
    struct viewer v = app_viewer(req);
    int number;
    int rc = entry_edit_revision(s, req->arena, &v, &e, &number);
    if (rc == ENTRY_OK)
        rc = entry_revision(s, req->arena, &v, &e, number, &r);
    if (rc != ENTRY_OK) {
        app_error(req, rc == ENTRY_NOTFOUND ? 404 : 500, false);
        return;
    }
    entries_form_page(req, e.kind,
                      arena_printf(req->arena, "Modifier « %s »", entry_title(e.kind, r.fields)),
                      arena_printf(req->arena, "/%s/%s/edit", e.kind->segment, e.slug),
                      arena_printf(req->arena, "/%s/%s", e.kind->segment, e.slug), number, r.fields,
                      "", NULL, false, e.id);
}

/* The conflict view: the revision saved meanwhile beside the visitor's own input, which the
 * form keeps; the form now builds on the newer revision. */
static void entries_conflict_page(struct request *req, const struct entry *e, json_t *input,
                                  json_t *clean, const char *comment, int base_rev)
{
    struct store *s = app_store(req);
    struct entry cur;
    struct revision latest;
    struct viewer v = app_viewer(req);
    int number = 0;
    if (entry_find(s, req->arena, &v, e->slug, &cur, NULL) != ENTRY_OK ||
        entry_edit_revision(s, req->arena, &v, &cur, &number) != ENTRY_OK ||
        entry_revision(s, req->arena, &v, &cur, number, &latest) != ENTRY_OK) {
        app_error(req, 500, false);
        return;
    }
    struct tv *ctx = app_context(
        req, arena_printf(req->arena, "Modifier « %s »", entry_title(cur.kind, latest.fields)));
    tv_set_str(ctx, "title_prefix", "Conflit :");
    tv_set_strf(ctx, "cancel_url", "/%s/%s", cur.kind->segment, cur.slug);
    app_need_csrf(req, ctx);
    tv_set_str(ctx, "action", arena_printf(req->arena, "/%s/%s/edit", cur.kind->segment, cur.slug));
    tv_set_str(ctx, "kind_segment", cur.kind->segment);
    tv_set_str(ctx, "kind_name", cur.kind->name);
    tv_set_int(ctx, "base_revision", number);
    tv_set_str(ctx, "comment", comment);
    struct tv *conflict = tv_set_obj(ctx, "conflict");
    tv_set_int(conflict, "your_base", base_rev);
    tv_set_int(conflict, "latest", latest.number);
    tv_set_str(conflict, "latest_author", latest.author_name);
    tv_set_str(conflict, "latest_date", app_datetime(req, latest.created));
    tv_set_str(conflict, "latest_comment", latest.comment);
    struct tv *fields = tv_set_list(conflict, "fields");
    for (size_t i = 0; i < cur.kind->nfields; i++) {
        const struct field_def *f = &cur.kind->fields[i];
        /* Never a private value (the form never shows one), nor what editing cannot change. */
        if (f->private || f->managed)
            continue;
        /* Both sides as the record page shows them (relations as their input holds them), so
         * that only real differences show. */
        json_t *t = json_object_get(latest.fields, f->name), *m = json_object_get(clean, f->name);
        const char *theirs = f->type == FT_RELATION ? entry_view_relation_slugs(req, t)
                                                    : entry_view_plain(req, f, t);
        const char *mine = f->type == FT_RELATION ? entry_view_relation_slugs(req, m)
                                                  : entry_view_plain(req, f, m);
        if (strcmp(theirs, mine) == 0)
            continue;
        struct tv *o = tv_push_obj(fields);
        tv_set_str(o, "label", f->label);
        tv_set_str(o, "theirs", theirs);
        tv_set_str(o, "mine", mine);
    }
    entry_view_form(req, ctx, cur.kind, input, NULL);
    entries_accompany_form(req, ctx, cur.kind, cur.id, NULL);
    app_render(req, "entry_form", ctx);
    req->status = 409;
}

/* POST /{kind}/{slug}/edit — fields…, base_revision, comment, csrf. */
void page_entry_update(struct request *req)
{
    if (!app_require_login(req) || !app_check_csrf(req))
        return;
    struct store *s = app_store(req);
    struct entry e;
    if (!page_entry_load(req, s, &e, "/edit"))
        return;
    int base = app_int_param(http_form(req, "base_revision"), 100000000);
    json_t *input = entry_view_form_input(req, e.kind);
    const char *action = arena_printf(req->arena, "/%s/%s/edit", e.kind->segment, e.slug);
    const char *title = entries_edit_title(req, s, &e);
    if (http_form(req, "preview")) {
        entries_preview_page(req, e.kind, title, action,
                             arena_printf(req->arena, "/%s/%s", e.kind->segment, e.slug), base,
                             input, e.id);
        json_decref(input);
        return;
    }
    struct field_errors errs = {0};
    if (!base)
        validate_error(&errs, "base_revision", "Révision de départ manquante");
    const char *comment;
    json_t *clean = entries_form_validate(req, e.kind, input, &comment, &errs);
    struct accompany_request acc;
    if (entries_accompany_check(req, e.kind, e.id, clean, &errs, &acc) == ACCOMPANY_ERR) {
        json_decref(clean);
        json_decref(input);
        app_error(req, 503, false);
        return;
    }
    if (!clean || errs.n) {
        json_decref(clean);
        entries_form_page(req, e.kind, title, action,
                          arena_printf(req->arena, "/%s/%s", e.kind->segment, e.slug), base, input,
                          comment, &errs, false, e.id);
        json_decref(input);
        return;
    }
    struct entry_save in = {.kind = e.kind,
                            .slug = e.slug,
                            .base_rev = base,
                            .fields = clean,
                            .author = app_viewer(req),
                            .comment = comment,
                            .now = (long long)time(NULL),
                            .client_ip = http_client_ip(req),
                            .private_removed = entry_view_form_removed(req, e.kind),
                            .errs = &errs,
                            .with = acc.actor_id ? accompany_write : NULL,
                            .with_arg = &acc};
    struct entry_saved saved;
    int rc = ENTRY_INVALID;
    if (entries_form_human(req, &in))
        rc = entry_save(s, req->arena, &in, &saved);
    else
        validate_error(&errs, "spam", ENTRIES_ROBOT);
    if (rc == ENTRY_RATE_LIMITED)
        validate_error(&errs, "spam", rate_edit_refusal(req->arena, saved.retry_after));
    if (rc == ENTRY_CONFLICT)
        entries_conflict_page(req, &e, input, clean, comment, base);
    else if (rc == ENTRY_INVALID || rc == ENTRY_RATE_LIMITED) {
        entries_form_page(req, e.kind, title, action,
                          arena_printf(req->arena, "/%s/%s", e.kind->segment, e.slug), base, input,
                          comment, &errs, false, e.id);
        if (rc == ENTRY_RATE_LIMITED)
            entries_rate_limited(req, saved.retry_after);
    } else if (rc == ENTRY_NOTFOUND || rc == ENTRY_FORBIDDEN)
        app_error(req, rc == ENTRY_NOTFOUND ? 404 : 403, false);
    else if (rc != ENTRY_OK)
        app_error(req, 500, false);
    else {
        app_flash(req, saved.rev == base                     ? "unchanged"
                       : strcmp(saved.state, "pending") == 0 ? "pending"
                                                             : "saved");
        http_redirect(req, 303,
                      arena_printf(req->arena, "/%s/%s", e.kind->segment, saved.entry.slug));
    }
    json_decref(clean);
    json_decref(input);
}

/* POST /{kind}/{slug}/feature — featured=1|0, csrf (moderators). */
void page_entry_feature(struct request *req)
{
    if (!app_require_login(req) || !app_check_csrf(req))
        return;
    struct viewer v = app_viewer(req);
    if (!viewer_moderates(&v)) {
        app_error(req, 403, false);
        return;
    }
    struct store *s = app_store(req);
    struct entry e;
    if (!page_entry_load(req, s, &e, ""))
        return;
    const char *on = http_form(req, "featured");
    if (entry_set_featured(s, &e, on && strcmp(on, "1") == 0) != ENTRY_OK) {
        app_error(req, 500, false);
        return;
    }
    app_flash(req, "featured");
    http_redirect(req, 303, arena_printf(req->arena, "/%s/%s", e.kind->segment, e.slug));
}
