/* app.c — application set-up (templates, static assets, territory), the layout context, error
 * pages, JSON answers, identification of the visitor and the CSRF check. */
#include "web/app.h"
#include "core/entry.h"
#include "core/schema.h"
#include "core/territory.h"
#include "core/validate.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/hash.h"
#include "util/mem.h"
#include "util/utf8.h"
#include <dirent.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What app_refresh changes while serving. */
struct app_retired {
    void *ptr;
    bool territory; /* a struct territory, else a struct http_proxies */
    struct app_retired *next;
};
struct app_live {
    pthread_mutex_t lock;          /* one refresh at a time */
    _Atomic unsigned long gen;     /* the generation whose settings are in place */
    _Atomic bool secure;           /* the base URL in place is https */
    _Atomic long long xff_ignored; /* see app_xff_ignored_since */
    char *listen_url;              /* what base_url follows when the site sets none */
    struct app_retired *retired;   /* replaced settings, freed by app_free */
};

static struct http_proxies *app_proxies_parse(const char *text);

unsigned long app_generation(struct request *req)
{
    if (!req->app_generation)
        req->app_generation = entry_generation(app_store(req));
    return req->app_generation;
}

struct viewer app_viewer(const struct request *req)
{
    return req->logged_in ? viewer_of(req->user) : viewer_public;
}

struct store *app_store(struct request *req)
{
    (void)req;
    return store_thread();
}

static bool app_kind_segment_known(const char *segment)
{
    return kind_find_segment(segment) != NULL;
}

static const char *app_content_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return "application/octet-stream";
    if (strcmp(dot, ".css") == 0)
        return "text/css; charset=utf-8";
    if (strcmp(dot, ".js") == 0)
        return "text/javascript; charset=utf-8";
    if (strcmp(dot, ".svg") == 0)
        return "image/svg+xml; charset=utf-8";
    if (strcmp(dot, ".png") == 0)
        return "image/png";
    if (strcmp(dot, ".ico") == 0)
        return "image/x-icon";
    if (strcmp(dot, ".txt") == 0)
        return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

/* Front-end libraries served like static/ files, read from the npm packages that
 * package-lock.json pins (no copy of their code in the repository): under their own name, which
 * no file of static/ may take. */
static const struct {
    const char *path; /* under the data folder */
    const char *name; /* as served under /static/ */
} app_npm_assets[] = {
    {"node_modules/leaflet/dist/leaflet.js", "leaflet.js"},
    {"node_modules/leaflet/dist/leaflet.css", "leaflet.css"},
    {"node_modules/supercluster/dist/supercluster.min.js", "supercluster.js"},
    /* the Markdown toolbar of the entry forms (an ES module, static/editor.js drives it) */
    {"node_modules/@github/markdown-toolbar-element/dist/index.js", "markdown-toolbar.js"},
};

/* Reads the file at path and adds it to the assets as name (compressed once here: a request
 * only picks a variant). 0; 1 when the file cannot be read; -1 when out of memory. */
static int app_add_asset(struct app *app, size_t *cap, const char *path, const char *name)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 1;
    struct buf b = BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        buf_free(&b);
        return 1;
    }
    if (app->nassets == *cap) {
        *cap *= 2;
        app->assets = xrealloc(app->assets, *cap * sizeof(*app->assets));
    }
    struct static_asset *as = &app->assets[app->nassets];
    memset(as, 0, sizeof(*as));
    as->content_type = app_content_type(name);
    unsigned long long h = hash_fnv64(b.data, b.len);
    as->plain = http_shared_new(as->content_type, HTTP_CACHE_PAGE, b.data, b.len, COMPRESS_STATIC);
    as->immutable = as->plain ? http_shared_variant(as->plain, HTTP_CACHE_IMMUTABLE) : NULL;
    buf_free(&b);
    if (!as->immutable) {
        http_shared_free(as->plain);
        fprintf(stderr, "foison: %s: mémoire insuffisante\n", path);
        return -1;
    }
    as->name = xstrdup(name);
    const char *dot = strrchr(as->name, '.');
    size_t stem = dot ? (size_t)(dot - as->name) : strlen(as->name);
    char fp[600];
    snprintf(fp, sizeof fp, "%.*s.%08llx%s", (int)stem, as->name, h & 0xffffffffULL,
             dot ? dot : "");
    as->fingerprinted = xstrdup(fp);
    snprintf(fp, sizeof fp, "/static/%s", as->fingerprinted);
    as->url = xstrdup(fp);
    app->nassets++;
    return 0;
}

static int app_load_assets(struct app *app, const char *datadir)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/static", datadir);
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "foison: %s: dossier des fichiers statiques introuvable\n", dir);
        return -1;
    }
    struct dirent *de;
    size_t cap = 16;
    app->assets = xcalloc(cap, sizeof(*app->assets));
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char path[1400];
        if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path)
            continue;
        if (app_add_asset(app, &cap, path, de->d_name) < 0) {
            closedir(d);
            return -1;
        }
    }
    closedir(d);
    /* Without them the map pages show their list only (as without JavaScript): a site served
     * from a checkout where `npm ci` was not run still works. */
    for (size_t i = 0; i < sizeof app_npm_assets / sizeof app_npm_assets[0]; i++) {
        char path[1400];
        snprintf(path, sizeof path, "%s/%s", datadir, app_npm_assets[i].path);
        if (app_asset(app, app_npm_assets[i].name)) {
            fprintf(stderr, "foison: static/%s cache le fichier du paquet npm %s\n",
                    app_npm_assets[i].name, app_npm_assets[i].path);
            continue;
        }
        int rc = app_add_asset(app, &cap, path, app_npm_assets[i].name);
        if (rc < 0)
            return -1;
        if (rc > 0)
            fprintf(stderr, "foison: %s introuvable (lancez npm ci) : %s\n", path,
                    strncmp(app_npm_assets[i].name, "markdown", 8) == 0
                        ? "les formulaires n'auront pas de barre de mise en forme"
                        : "la carte n'aura que sa liste");
    }
    return 0;
}

const struct static_asset *app_asset(const struct app *app, const char *file)
{
    for (size_t i = 0; i < app->nassets; i++)
        if (strcmp(app->assets[i].name, file) == 0 ||
            strcmp(app->assets[i].fingerprinted, file) == 0)
            return &app->assets[i];
    return NULL;
}

struct app *app_load(struct store *s, const char *datadir)
{
    struct app *app = xcalloc(1, sizeof(*app));
    char path[1024];
    char *err = NULL;
    snprintf(path, sizeof path, "%s/templates", datadir);
    app->tmpl = tmpl_set_load(path, &err);
    if (!app->tmpl) {
        fprintf(stderr, "foison: gabarits : %s\n", err ? err : "?");
        free(err);
        goto fail;
    }
    if (app_load_assets(app, datadir) != 0)
        goto fail;
    app->territory = territory_load(s);
    if (!app->territory) {
        fprintf(stderr, "foison: lecture du territoire impossible\n");
        goto fail;
    }
    app->secure = strncmp(app->territory->base_url, "https://", 8) == 0;
    app->live = xcalloc(1, sizeof(*app->live));
    pthread_mutex_init(&app->live->lock, NULL);
    app->live->secure = app->secure;
    app->proxies = app_proxies_parse(app->territory->trusted_proxies);
    if (app->proxies->n)
        fprintf(stderr, "foison: X-Forwarded-For lu des mandataires : %s\n",
                app->territory->trusted_proxies);
    return app;
fail:
    app_free(app);
    return NULL;
}

void app_follow_listen(struct app *app, const char *url)
{
    territory_follow(app->territory, url);
    app->secure = strncmp(app->territory->base_url, "https://", 8) == 0;
    app->live->secure = app->secure;
    free(app->live->listen_url);
    app->live->listen_url = xstrdup(url);
}

/* The setting's text as a list; an invalid one (written before it was checked) trusts no one. */
static struct http_proxies *app_proxies_parse(const char *text)
{
    struct http_proxies *p = xcalloc(1, sizeof(*p));
    char why[200];
    if (http_proxies_parse(text, p, why, sizeof why) != 0) {
        fprintf(stderr, "foison: réglage trusted_proxies ignoré : %s\n", why);
        memset(p, 0, sizeof(*p));
    }
    return p;
}

/* Replaced settings stay alive until the server stops: a request may still be reading them,
 * and they are small (a few strings) and only replaced when an admin changes one. A change of
 * the communes (a centre set, `foison territory`) retires a copy of them too, about 150 bytes a
 * commune: 15 KB for the Pays de Brest, 5 MB for all of France — hundreds of such changes on a
 * very big territory are worth a restart until old copies are freed by age. */
static void app_retire(struct app_live *live, void *old, bool territory)
{
    struct app_retired *r = xcalloc(1, sizeof(*r));
    r->ptr = old;
    r->territory = territory;
    r->next = live->retired;
    live->retired = r;
}

void app_refresh(struct request *req)
{
    const struct app *app = req->app;
    struct app_live *live = app->live;
    if (!live)
        return;
    unsigned long gen = app_generation(req);
    if (gen && gen != live->gen) {
        pthread_mutex_lock(&live->lock);
        if (gen != live->gen) {
            struct territory *old = app->territory;
            struct territory *t = territory_reload(app_store(req), old, live->listen_url);
            if (t) {
                struct app *w = (struct app *)app; /* made by app_load, not const */
                if (strcmp(t->trusted_proxies, old->trusted_proxies) != 0) {
                    struct http_proxies *p = app_proxies_parse(t->trusted_proxies);
                    app_retire(live, (void *)w->proxies, false);
                    w->proxies = p;
                    fprintf(stderr, "foison: mandataires de confiance : %s\n",
                            *t->trusted_proxies ? t->trusted_proxies : "aucun");
                }
                live->secure = strncmp(t->base_url, "https://", 8) == 0;
                w->territory = t;
                app_retire(live, old, true);
            }
            live->gen = gen; /* after the new values: whoever sees it sees them */
        }
        pthread_mutex_unlock(&live->lock);
    }
    req->secure = live->secure;
    if (app->proxies->n == 0 && http_header(req, "X-Forwarded-For"))
        live->xff_ignored = (long long)time(NULL);
}

long long app_xff_ignored_since(const struct app *app)
{
    return app->live ? app->live->xff_ignored : 0;
}

void app_free(struct app *app)
{
    if (!app)
        return;
    tmpl_set_free(app->tmpl);
    if (app->live) {
        for (struct app_retired *r = app->live->retired, *next; r; r = next) {
            next = r->next;
            if (r->territory)
                territory_free(r->ptr);
            else
                free(r->ptr);
            free(r);
        }
        free(app->live->listen_url);
        pthread_mutex_destroy(&app->live->lock);
        free(app->live);
    }
    free((void *)app->proxies);
    territory_free(app->territory);
    for (size_t i = 0; i < app->nassets; i++) {
        free(app->assets[i].name);
        free(app->assets[i].url);
        free(app->assets[i].fingerprinted);
        http_shared_free(app->assets[i].immutable); /* before plain: it borrows its bodies */
        http_shared_free(app->assets[i].plain);
    }
    free(app->assets);
    free(app);
}

/* Messages shown once after an action; the cookie only carries the code. */
static const struct {
    const char *code, *message;
} app_flashes[] = {
    {"created", "La fiche a été créée. Merci pour votre contribution !"},
    {"saved", "Vos modifications ont été enregistrées."},
    {"unchanged", "Rien n'a changé : la fiche était déjà à jour."},
    {"reverted", "La fiche a retrouvé le contenu d'une version antérieure (une nouvelle révision "
                 "a été créée)."},
    {"featured", "La mise à la une a été mise à jour."},
    {"media_added", "Le fichier est ajouté à la fiche."},
    {"media_pending", "Merci ! Le fichier est reçu : il sera visible de tous dès qu'un membre de "
                      "l'équipe de modération l'aura relu."},
    {"media_changed", "Les informations du fichier sont enregistrées."},
    {"media_deleted", "Le fichier est retiré de la fiche."},
    {"pending", "Merci ! Votre texte est enregistré : il sera visible de tous dès qu'un membre de "
                "l'équipe de modération l'aura relu. En attendant, vous seul·e le voyez."},
    {"approved", "La modification est publiée."},
    {"rejected", "La modification est refusée : elle reste invisible du public."},
    {"moderated", "La décision est enregistrée dans le journal de modération."},
    {"settings", "Les réglages sont enregistrés et s'appliquent dès maintenant."},
    {"commune_placed", "Le centre de la commune est enregistré."},
    {"login", "Vous êtes connecté·e."},
    {"logout", "Vous êtes déconnecté·e."},
    {"confirmed", "Bienvenue ! Votre compte est activé et vous êtes connecté·e. Vos premières "
                  "contributions seront relues par l'équipe de modération avant d'être publiées."},
    {"password", "Votre mot de passe est changé. Vos autres sessions ont été fermées."},
    {"profile", "Votre profil est enregistré."},
    {"email_sent", "Un lien de confirmation a été envoyé à la nouvelle adresse : l'adresse "
                   "changera quand vous l'aurez suivi."},
    {"email_changed", "L'adresse de votre compte est changée."},
    {"logout_all", "Toutes vos sessions sont fermées, sur tous vos appareils."},
    {"join_asked", "Votre demande d'adhésion est transmise aux responsables du réseau."},
    {"join_accepted", "L'adhésion est acceptée : la fiche fait maintenant partie des membres."},
    {"join_refused", "La demande d'adhésion est refusée."},
    {"join_removed", "La fiche ne fait plus partie des membres."},
    {"contact_sent", "Votre message a été transmis."},
    {"accompany_taken", "La fiche est à vous : vous pouvez la modifier comme la vôtre, et elle est "
                        "créditée à votre nom."},
    {"workshop_joined", "Bienvenue ! Votre compte est ouvert et vous êtes connecté·e. Vos "
                        "premiers textes seront relus par la personne qui anime l'atelier avant "
                        "d'être publiés."},
    {"workshop_revoked", "Les liens encore libres sont retirés : ils ne permettent plus d'ouvrir "
                         "un compte."},
    {"draft_saved", "Votre brouillon est enregistré : reprenez-le quand vous voulez depuis cette "
                    "page. Vous seul·e le voyez."},
    {"draft_deleted", "Le brouillon est supprimé."},
    {"deleted", "Votre compte est supprimé. Vos contributions restent, sous le nom choisi. Merci "
                "pour elles."},
};

void app_flash(struct request *req, const char *code)
{
    http_set_cookie(req, "foison_flash", code, 60);
}

static const char *app_flash_message(const char *code)
{
    for (size_t i = 0; code && i < sizeof(app_flashes) / sizeof(app_flashes[0]); i++)
        if (strcmp(app_flashes[i].code, code) == 0)
            return app_flashes[i].message;
    return NULL;
}

static bool app_identify(struct request *req)
{
    /* Every handler uses this thread's connection: when it cannot be opened (the site file
     * moved, unreadable, too many open files), none may run. Once opened it is kept, so the
     * handlers' own app_store() calls cannot fail after this. */
    if (!store_thread()) {
        fprintf(stderr, "foison: fichier du site inaccessible depuis ce fil : réponse 503\n");
        return false;
    }
    app_refresh(req);
    req->flash = app_flash_message(http_cookie(req, "foison_flash"));
    const char *token = http_cookie(req, "foison_session");
    struct user *user = arena_alloc(req->arena, sizeof(*user));
    const char *rotated = NULL;
    if (token &&
        account_session(app_store(req), req->arena, token, user, &req->csrf, &rotated) == 0) {
        req->user = user;
        req->logged_in = true;
        req->session_token = rotated ? rotated : token;
        if (rotated)
            http_set_cookie(req, "foison_session", rotated, ACCOUNT_SESSION_SECONDS);
        return true;
    }
    const char *anon = http_cookie(req, "foison_csrf");
    if (anon && strlen(anon) == ACCOUNT_TOKEN_LEN)
        req->csrf = anon;
    return true;
}

static void app_url_encode(struct buf *b, const char *s, bool keep_slash)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~' || (keep_slash && *p == '/'))
            buf_putc(b, (char)*p);
        else
            buf_printf(b, "%%%02X", *p);
    }
}

/* This page's path and query, encoded as the value of the login form's `next` parameter. */
static const char *app_login_next(struct request *req)
{
    struct buf here = BUF_INIT, out = BUF_INIT;
    if (req->page_key) {
        /* A page that may be cached for everyone depends on its cache key only. */
        app_url_encode(&out, req->page_key, false);
        const char *s = arena_strdup(req->arena, buf_cstr(&out));
        buf_free(&out);
        return s;
    }
    app_url_encode(&here, req->path, true);
    for (int i = 0; i < req->query.n; i++) {
        buf_putc(&here, i ? '&' : '?');
        app_url_encode(&here, req->query.items[i].key, false);
        buf_putc(&here, '=');
        app_url_encode(&here, req->query.items[i].value, false);
    }
    app_url_encode(&out, buf_cstr(&here), false);
    const char *s = arena_strdup(req->arena, buf_cstr(&out));
    buf_free(&here);
    buf_free(&out);
    return s;
}

void app_describe(struct request *req, struct tv *ctx, const char *text)
{
    /* Spaces collapsed; at most APP_DESCRIPTION_MAX characters, cut at a word with "…". */
    if (!text)
        text = "";
    size_t len = 0;
    char *d = arena_alloc(req->arena, strlen(text) + sizeof("…"));
    for (const char *p = text; *p; p++) {
        bool space = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';
        if (!space)
            d[len++] = *p;
        else if (len && d[len - 1] != ' ')
            d[len++] = ' ';
    }
    while (len && d[len - 1] == ' ')
        len--;
    if (utf8_count(d, len) > APP_DESCRIPTION_MAX) {
        /* Keep APP_DESCRIPTION_MAX - 1 characters, back to the last space if one is near. */
        size_t end = 0, chars = 0, last_space = 0;
        while (end < len) {
            if (((unsigned char)d[end] & 0xC0) != 0x80 && chars++ == APP_DESCRIPTION_MAX - 1)
                break;
            if (d[end] == ' ')
                last_space = end;
            end++;
        }
        if (last_space > end / 2)
            end = last_space;
        while (end && strchr(" ,;:", d[end - 1]))
            end--;
        memcpy(d + end, "…", sizeof("…") - 1);
        len = end + sizeof("…") - 1;
    }
    d[len] = '\0';
    tv_set_str(ctx, "description", d);
}

/* The key of the navigation link that is this page (aria-current): the path without its first
 * slash, other slashes as '_' ("innovations", "innovations_new", "login"), "home" for "/". */
static void app_nav_current(struct request *req, struct tv *ctx)
{
    size_t n = strlen(req->path);
    if (n == 0 || n > 64)
        return;
    char *key = arena_strdup(req->arena, n == 1 ? "home" : req->path + 1);
    for (char *p = key; *p; p++)
        if (*p == '/')
            *p = '_';
    tv_set_bool(tv_set_obj(ctx, "nav"), key, true);
}

/* The header's link to each kind's directory; the one of the section the page is in carries
 * aria-current: "page" on the directory itself, "true" on a page inside it. */
static void app_nav_kinds(struct request *req, struct tv *ctx)
{
    struct tv *list = tv_set_list(ctx, "kinds_nav");
    for (size_t i = 0; i < kind_count(); i++) {
        const struct kind_def *k = kind_at(i);
        if (k->nav_hidden)
            continue;
        struct tv *o = tv_push_obj(list);
        size_t n = strlen(k->segment), lp = strlen(k->list_path);
        tv_set_str(o, "href", k->list_path);
        tv_set_str(o, "label", k->nav_label);
        if (strncmp(req->path, k->list_path, lp) == 0 &&
            (req->path[lp] == '\0' || req->path[lp] == '.' || req->path[lp] == '/'))
            tv_set_str(o, "current", req->path[lp] == '\0' ? "page" : "true");
        else if (req->path[0] == '/' && strncmp(req->path + 1, k->segment, n) == 0 &&
                 (req->path[n + 1] == '/' || req->path[n + 1] == '.'))
            tv_set_str(o, "current", "true");
    }
}

struct tv *app_context(struct request *req, const char *title)
{
    const struct territory *t = req->app->territory;
    struct tv *ctx = tv_obj(req->arena);
    tv_set_str(ctx, "site_name", t->site_name);
    tv_set_str(ctx, "territory_name", t->territory_name);
    tv_set_str(ctx, "title", title);
    app_describe(req, ctx,
                 arena_printf(req->arena,
                              "%s : les innovations sociales ouvertes du %s — ce qu'elles font, "
                              "qui les porte, comment les reproduire.",
                              t->site_name, t->territory_name));
    app_nav_current(req, ctx);
    app_nav_kinds(req, ctx);
    const struct static_asset *css = app_asset(req->app, "style.css");
    tv_set_str(ctx, "css_url", css ? css->url : "/static/style.css");
    const struct static_asset *icon = app_asset(req->app, "favicon.svg");
    tv_set_str(ctx, "icon_url", icon ? icon->url : "/static/favicon.svg");
    /* The header's search box suggests entries as you type (the box works without it). */
    const struct static_asset *sjs = app_asset(req->app, "search.js");
    tv_set_str(ctx, "search_script_url", sjs ? sjs->url : "/static/search.js");
    if (!req->logged_in)
        tv_set_str(ctx, "login_next", app_login_next(req));
    if (req->logged_in) {
        struct tv *u = tv_set_obj(ctx, "user");
        tv_set_str(u, "name", req->user->name);
        tv_set_str(u, "role", req->user->role);
        tv_set_bool(u, "moderator", account_can_moderate(req->user));
        tv_set_bool(u, "admin", role_from_name(req->user->role) >= ROLE_ADMIN);
        tv_set_bool(u, "mediator", role_from_name(req->user->role) >= ROLE_TRUSTED);
    }
    if (req->csrf)
        tv_set_str(ctx, "csrf", app_csrf_field(req));
    tv_set_str(ctx, "path", req->path);
    if (req->flash) {
        tv_set_str(ctx, "flash", req->flash);
        /* After a save, the editor's script forgets the draft that was sent (static/editor.js). */
        const char *code = http_cookie(req, "foison_flash");
        const struct static_asset *ejs = app_asset(req->app, "editor.js");
        if (ejs && code &&
            (!strcmp(code, "created") || !strcmp(code, "saved") || !strcmp(code, "pending") ||
             !strcmp(code, "unchanged"))) {
            tv_set_bool(ctx, "flash_saved", true);
            tv_set_str(ctx, "editor_script_url", ejs->url);
        }
        http_set_cookie(req, "foison_flash", "", 0); /* shown once */
        req->cache = HTTP_CACHE_NONE;
    }
    return ctx;
}

void app_need_csrf(struct request *req, struct tv *ctx)
{
    if (!req->csrf) {
        /* Forms of anonymous visitors (login) use a double-submit cookie. */
        char *tok = arena_alloc(req->arena, ACCOUNT_TOKEN_LEN + 1);
        account_random_token(tok);
        req->csrf = tok;
        req->set_anon_csrf = true;
        http_set_cookie(req, "foison_csrf", tok, 86400);
    }
    tv_set_str(ctx, "csrf", app_csrf_field(req));
    req->cache = HTTP_CACHE_NONE;
}

/* The pad of a GET answer: a hash of the token, the path, the query and the entry generation.
 * One URL gives the same page while nothing is written (its ETag and 304 hold), and every URL an
 * attacker makes a browser load, or every write of attacker text, gives other bytes. */
static void app_csrf_pad(struct request *req, const unsigned char token[32], unsigned char pad[32])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, token, 32, 32);
    crypto_generichash_update(&st, (const unsigned char *)req->path, strlen(req->path) + 1);
    for (int i = 0; i < req->query.n; i++) {
        const struct kv *q = &req->query.items[i];
        crypto_generichash_update(&st, (const unsigned char *)q->key, strlen(q->key) + 1);
        crypto_generichash_update(&st, (const unsigned char *)q->value, strlen(q->value) + 1);
    }
    unsigned long gen = app_generation(req);
    crypto_generichash_update(&st, (const unsigned char *)&gen, sizeof gen);
    crypto_generichash_final(&st, pad, 32);
}

const char *app_csrf_field(struct request *req)
{
    unsigned char token[32], pad[32], masked[64];
    if (!req->csrf ||
        sodium_hex2bin(token, sizeof token, req->csrf, strlen(req->csrf), NULL, NULL, NULL) != 0)
        return req->csrf;
    /* Answers to a POST may show what was posted: their pad is random. */
    if (strcmp(req->method, "GET") == 0)
        app_csrf_pad(req, token, pad);
    else
        randombytes_buf(pad, sizeof pad);
    for (int i = 0; i < 32; i++) {
        masked[i] = pad[i];
        masked[32 + i] = pad[i] ^ token[i];
    }
    char *hex = arena_alloc(req->arena, 2 * sizeof masked + 1);
    sodium_bin2hex(hex, 2 * sizeof masked + 1, masked, sizeof masked);
    return hex;
}

/* The token a form sent, unmasked into out (ACCOUNT_TOKEN_LEN + 1 bytes); false when malformed. */
static bool app_csrf_unmask(const char *sent, char out[ACCOUNT_TOKEN_LEN + 1])
{
    unsigned char masked[64], token[32];
    if (strlen(sent) != 2 * sizeof masked ||
        sodium_hex2bin(masked, sizeof masked, sent, strlen(sent), NULL, NULL, NULL) != 0)
        return false;
    for (int i = 0; i < 32; i++)
        token[i] = masked[i] ^ masked[32 + i];
    sodium_bin2hex(out, ACCOUNT_TOKEN_LEN + 1, token, sizeof token);
    return true;
}

void app_render(struct request *req, const char *name, struct tv *ctx)
{
    buf_reset(&req->out);
    req->content_type = "text/html; charset=utf-8";
    if (tmpl_render(req->app->tmpl, name, ctx, &req->out) != 0) {
        fprintf(stderr, "foison: gabarit %s introuvable\n", name);
        req->status = 500;
        buf_reset(&req->out);
        buf_puts(&req->out, "<!doctype html><title>Erreur</title><p>Erreur interne.</p>");
    }
}

void app_json(struct request *req, int status, json_t *body)
{
    req->status = status;
    req->content_type = "application/json; charset=utf-8";
    buf_reset(&req->out);
    char *s = json_dumps(body, JSON_COMPACT);
    if (s) {
        buf_puts(&req->out, s);
        free(s);
    }
    buf_putc(&req->out, '\n');
    json_decref(body);
}

void app_json_errors(struct request *req, const struct field_errors *errs)
{
    json_t *list = json_array();
    for (int i = 0; i < errs->n; i++)
        json_array_append_new(list, json_pack("{s:s, s:s}", "field", errs->e[i].field, "message",
                                              errs->e[i].message));
    req->cache = HTTP_CACHE_NONE;
    app_json(req, 422, json_pack("{s:o}", "errors", list));
}

static const char *app_status_message(int status)
{
    switch (status) {
    case 400:
        return "La requête est mal formée.";
    case 401:
        return "Authentification requise.";
    case 403:
        return "Action refusée : le jeton de sécurité du formulaire est absent ou périmé. "
               "Rechargez la page et recommencez.";
    case 404:
        return "Cette page n'existe pas, ou plus.";
    case 405:
        return "Cette méthode n'est pas acceptée à cette adresse.";
    case 409:
        return "Conflit de modification.";
    case 413:
        return "La requête est trop volumineuse.";
    case 414:
        return "L'adresse demandée est trop longue.";
    case 503:
        return "Le service est momentanément indisponible ; réessayez dans quelques instants.";
    default:
        return "Une erreur interne est survenue ; elle a été consignée.";
    }
}

static const char *app_status_title(int status)
{
    switch (status) {
    case 400:
        return "Requête invalide";
    case 401:
        return "Connexion requise";
    case 403:
        return "Action refusée";
    case 404:
        return "Page introuvable";
    case 405:
        return "Méthode non autorisée";
    case 413:
        return "Requête trop volumineuse";
    case 414:
        return "Adresse trop longue";
    case 503:
        return "Service indisponible";
    default:
        return "Erreur interne";
    }
}

void app_error(struct request *req, int status, bool api)
{
    req->status = status;
    req->cache = HTTP_CACHE_NONE;
    if ((api || strncmp(req->path, "/api/", 5) == 0) && status == 400 && req->query_malformed) {
        /* The shape of every validation error of the API: the field and what is wrong. */
        const char *key = req->query_malformed_key ? req->query_malformed_key : "";
        app_json(req, status,
                 json_pack("{s:[{s:s, s:s}]}", "errors", "field", *key ? key : "?", "message",
                           "valeur illisible\u202f: ce n'est pas de l'UTF-8 valide"));
        return;
    }
    if (api || strncmp(req->path, "/api/", 5) == 0) {
        app_json(req, status,
                 json_pack("{s:{s:i, s:s}}", "error", "status", status, "message",
                           app_status_message(status)));
        return;
    }
    struct tv *ctx = app_context(req, app_status_title(status));
    tv_set_int(ctx, "status", status);
    tv_set_str(ctx, "message", app_status_message(status));
    app_render(req, "error", ctx);
    req->status = status;
}

/* The Origin of a form is this server's Host, or the site's public base URL (behind a reverse
 * proxy the two differ). */
static bool app_same_origin(struct request *req)
{
    if (!http_cross_origin(req))
        return true;
    const char *origin = http_header(req, "Origin");
    return origin && strcmp(origin, req->app->territory->base_url) == 0;
}

bool app_csrf_valid(struct request *req, const char *sent)
{
    char token[ACCOUNT_TOKEN_LEN + 1];
    return app_same_origin(req) && req->csrf && sent && app_csrf_unmask(sent, token) &&
           account_token_equal(token, req->csrf);
}

bool app_check_csrf(struct request *req)
{
    if (!app_csrf_valid(req, http_form(req, "csrf"))) {
        app_error(req, 403, false);
        return false;
    }
    return true;
}

static void app_url_encode(struct buf *b, const char *s, bool keep_slash);

int app_int_param(const char *s, int max)
{
    if (!s || !*s || strlen(s) > 9 || strspn(s, "0123456789") != strlen(s))
        return 0;
    int v = atoi(s);
    return v < 1 || v > max ? 0 : v;
}

bool app_require_login(struct request *req)
{
    if (req->logged_in)
        return true;
    struct buf b = BUF_INIT;
    buf_puts(&b, "/login?next=");
    app_url_encode(&b, req->path, true);
    http_redirect(req, 303, arena_strdup(req->arena, buf_cstr(&b)));
    buf_free(&b);
    return false;
}

static const char *const app_months[] = {"janvier",   "février", "mars",     "avril",
                                         "mai",       "juin",    "juillet",  "août",
                                         "septembre", "octobre", "novembre", "décembre"};

const char *app_date(struct request *req, long long t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    return arena_printf(req->arena, "%d%s %s %d", tm.tm_mday, tm.tm_mday == 1 ? "er" : "",
                        app_months[tm.tm_mon], tm.tm_year + 1900);
}

const char *app_datetime(struct request *req, long long t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    return arena_printf(req->arena, "%d%s %s %d à %d h %02d", tm.tm_mday,
                        tm.tm_mday == 1 ? "er" : "", app_months[tm.tm_mon], tm.tm_year + 1900,
                        tm.tm_hour, tm.tm_min);
}

const char *app_url(struct request *req, const char *path)
{
    return arena_printf(req->arena, "%s%s", req->app->territory->base_url, path);
}

int app_serve(const struct app *app, const struct server_options *opt)
{
    const struct http_hooks hooks = {
        .app = app,
        .secure = app->secure,
        .proxies = &app->proxies,
        .segment_known = app_kind_segment_known,
        .identify = app_identify,
        .error = app_error,
    };
    return http_serve(&hooks, app_routes, app_nroutes, opt);
}
