/* app.h — the application as pages see it: immutable configuration shared by every thread
 * (templates, territory, static assets), the page layout, and helpers common to all pages. */
#ifndef FOISON_APP_H
#define FOISON_APP_H
#include "core/account.h"
#include "core/visibility.h"
#include "http/http.h"
#include "render/tmpl.h"
#include <jansson.h>

struct territory;
struct store;
struct field_errors;

struct static_asset {
    char *name;          /* "style.css" */
    char *url;           /* "/static/style.3f2a9c1d.css" */
    char *fingerprinted; /* "style.3f2a9c1d.css" */
    char *data;
    size_t len;
    const char *content_type;
    /* Built at start-up, compressed once: under its plain name the asset revalidates, under
     * its fingerprinted name it is immutable. */
    struct http_shared *plain, *immutable;
};

struct app_live;

struct app {
    struct tmpl_set *tmpl;
    /* The settings part is replaced while serving when an admin changes it (app_refresh): read
     * the pointer (an atomic load) and use what it points at for the request; an old one stays
     * alive until app_free. */
    struct territory *_Atomic territory;
    struct static_asset *assets;
    size_t nassets;
    bool secure; /* base URL is https at start-up (requests: req->secure, kept current) */
    const struct http_proxies *_Atomic proxies; /* the trusted_proxies setting, parsed */
    struct app_live *live;                      /* what app_refresh changes, and its lock */
};

/* Loads templates, static files and the territory. NULL with a message on stderr on failure. */
struct app *app_load(struct store *s, const char *datadir);
void app_free(struct app *app);
/* For a site that set no base URL: permanent links and the Origin check use url (where the
 * server listens), and cookies get Secure when it is https. */
void app_follow_listen(struct app *app, const char *url);

/* When the site's generation moved since the settings were last read, reads those the server
 * keeps in memory (names, base URL, licence, trusted proxies) and puts the new ones in place,
 * so that a change made by `foison config` or /admin/reglages applies without a restart. Called
 * once per request, before the handler; costs a comparison when nothing was written. */
void app_refresh(struct request *req);
/* When a request last came with X-Forwarded-For while no proxy is trusted (0: never since the
 * server started): the security audit's sign of a reverse proxy nobody declared. */
long long app_xff_ignored_since(const struct app *app);

/* Serves the site with the routes of web/routes.c until SIGINT/SIGTERM (http_serve()). */
int app_serve(const struct app *app, const struct server_options *opt);
/* Writes the error page of status (or its JSON under /api/ or when api) into req. */
void app_error(struct request *req, int status, bool api);

/* The current thread's site connection (opened on first use). */
struct store *app_store(struct request *req);
/* The site's generation (entry_generation), read once per request: page caches compare
 * against it. 0 when the site file cannot be read (then nothing cached is served). */
unsigned long app_generation(struct request *req);
/* Who is asking, for every read of core/ (the public when nobody is signed in). */
struct viewer app_viewer(const struct request *req);
/* A template context pre-filled with the layout's values (site, user, CSRF, stylesheet, a
 * default meta description, "nav" naming the navigation link of this page). */
struct tv *app_context(struct request *req, const char *title);
/* Sets the page's meta description ("description") from text: spaces collapsed, cut at a word
 * to APP_DESCRIPTION_MAX characters with "…". The template escapes it. */
#define APP_DESCRIPTION_MAX 160
void app_describe(struct request *req, struct tv *ctx, const char *text);
/* Leaves a message for the next page this visitor sees (after a redirect): one of the codes
 * of app.c's flash table. */
void app_flash(struct request *req, const char *code);
/* The CSRF token as a page prints it: masked by a pad (pad, then token XOR pad, in hex), so that
 * a compressed page never carries the same secret bytes beside bytes an attacker chose (BREACH).
 * app_check_csrf() unmasks it. */
const char *app_csrf_field(struct request *req);
/* Puts a CSRF token in ctx for a page with a form (creating an anonymous one if needed). */
void app_need_csrf(struct request *req, struct tv *ctx);
/* Renders template name with ctx into the response as an HTML page. */
void app_render(struct request *req, const char *name, struct tv *ctx);
/* JSON response; takes ownership of body (decref'd here). */
void app_json(struct request *req, int status, json_t *body);
/* Responds 422 with {"errors": [{"field","message"}]}. */
void app_json_errors(struct request *req, const struct field_errors *errs);
/* The checked POST: CSRF token matches and no foreign Origin. On failure answers 403. */
bool app_check_csrf(struct request *req);
/* Whether sent (a masked token as app_csrf_field() prints it, or NULL) is this visitor's CSRF
 * token and no foreign Origin came with it; answers nothing (scripts send it in a header). */
bool app_csrf_valid(struct request *req, const char *sent);
/* Logged in, or redirected to the login page (returns false). */
bool app_require_login(struct request *req);
/* A decimal integer parameter in [1, max], or 0 when absent, malformed or out of range. */
int app_int_param(const char *s, int max);
/* "22 novembre 2026" in French, into the arena. */
const char *app_date(struct request *req, long long t);
const char *app_datetime(struct request *req, long long t);
/* Absolute URL for path under the site's base URL. */
const char *app_url(struct request *req, const char *path);
const struct static_asset *app_asset(const struct app *app, const char *file);

/* The route table (web/routes.c). */
extern const struct route app_routes[];
extern const size_t app_nroutes;

#endif
