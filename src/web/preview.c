/* preview.c — the editor's preview: POST /api/v1/preview renders a Markdown text as a record page
 * would show it once saved (the save path's cleaning, then render/markdown.c's safe mode and URL
 * allow-list), and writes nothing. One door for two callers: a bearer token's account (as the
 * rest of /api/v1), and a signed-in browser whose script (static/editor.js) sends the CSRF token
 * of the form it previews in X-CSRF-Token. Anonymous visitors get nothing: a free renderer
 * would be a free proxy for spam's test runs. */
#include "core/rate.h"
#include "core/validate.h"
#include "render/markdown.h"
#include "util/arena.h"
#include "util/utf8.h"
#include "web/app.h"
#include "web/pages.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

size_t preview_markdown_max(void)
{
    static size_t max; /* the kinds never change while serving */
    if (max)
        return max;
    size_t m = 0;
    for (size_t i = 0; i < kind_count(); i++) {
        const struct kind_def *k = kind_at(i);
        for (size_t j = 0; j < k->nfields; j++)
            if (k->fields[j].type == FT_MARKDOWN && k->fields[j].max_len > m)
                m = k->fields[j].max_len;
    }
    max = m ? m : 50000;
    return max;
}

static void preview_error(struct request *req, int status, const char *message)
{
    req->cache = HTTP_CACHE_NONE;
    app_json(req, status,
             json_pack("{s:{s:i, s:s}}", "error", "status", status, "message", message));
}

/* The account asking, or an answer (401, 403) and false. A request with an Authorization header
 * is judged by its token alone; otherwise the session cookie needs the form's CSRF token. */
static bool preview_who(struct request *req, struct viewer *v)
{
    struct store *s = app_store(req);
    const char *h = http_header(req, "Authorization");
    if (h) {
        struct user *u = arena_alloc(req->arena, sizeof(*u));
        if (strncasecmp(h, "Bearer ", 7) == 0 && s &&
            account_token_user(s, req->arena, h + 7, u) == 0 && account_can_edit(u)) {
            *v = viewer_of(u);
            return true;
        }
    } else if (req->logged_in) {
        if (!app_csrf_valid(req, http_header(req, "X-CSRF-Token"))) {
            preview_error(req, 403,
                          "jeton de sécurité absent ou périmé (en-tête X-CSRF-Token)\u202f: "
                          "rechargez la page");
            return false;
        }
        if (!account_can_edit(req->user)) {
            preview_error(req, 403, "compte inactif");
            return false;
        }
        *v = app_viewer(req);
        return true;
    }
    http_add_header(req, "WWW-Authenticate", "Bearer realm=\"foison\"");
    preview_error(req, 401,
                  "connexion requise (session du site ou en-tête Authorization: Bearer …)");
    return false;
}

static void preview_field_error(struct request *req, int status, const char *message)
{
    req->cache = HTTP_CACHE_NONE;
    app_json(req, status,
             json_pack("{s:[{s:s, s:s}]}", "errors", "field", "markdown", "message", message));
}

/* POST /api/v1/preview — {"markdown": "…"} → 200 {"html": "…"}. 401 anonymous or bad token,
 * 403 without the form's CSRF token, 429 (Retry-After) past rate_previews a minute, 400 when the
 * body is not a JSON object, 413 past the longest Markdown field, 422 for a missing or
 * unreadable "markdown". */
void api_preview(struct request *req)
{
    req->cache = HTTP_CACHE_NONE;
    struct viewer v;
    if (!preview_who(req, &v))
        return;
    long wait = rate_preview_take(app_store(req), &v, (long long)time(NULL));
    if (wait > 0) {
        http_add_header(req, "Retry-After", arena_printf(req->arena, "%ld", wait));
        app_json(req, 429,
                 json_pack("{s:{s:i, s:s, s:i}}", "error", "status", 429, "message",
                           arena_printf(req->arena,
                                        "trop d'aperçus demandés\u202f: réessayez dans %ld "
                                        "seconde%s",
                                        wait, wait > 1 ? "s" : ""),
                           "retry_after", (int)wait));
        return;
    }
    size_t max = preview_markdown_max();
    /* Past six bytes a character (each one escaped as \uXXXX) the text cannot fit: refused
     * before it is parsed. */
    if (req->body.len > 6 * max + 1024) {
        preview_error(
            req, 413,
            arena_printf(req->arena, "texte trop long\u202f: %zu caractères au plus", max));
        return;
    }
    json_error_t jerr;
    json_t *body = req->body.len
                       ? json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, &jerr)
                       : NULL;
    if (!body) {
        enum json_error_code code = req->body.len ? json_error_code(&jerr) : json_error_unknown;
        if (code == json_error_invalid_utf8 || code == json_error_null_character) {
            preview_field_error(req, 422, "texte invalide (UTF-8 ou caractère de contrôle)");
            return;
        }
        preview_error(req, 400,
                      req->body.len ? arena_printf(req->arena, "JSON mal formé (ligne %d) : %s",
                                                   jerr.line, jerr.text)
                                    : "corps JSON attendu : {\"markdown\": \"…\"}");
        return;
    }
    json_t *md = json_object_get(body, "markdown");
    struct field_errors errs = {0};
    const char *text = NULL;
    if (!json_is_object(body))
        preview_error(req, 400, "un objet JSON est attendu : {\"markdown\": \"…\"}");
    else if (!md)
        preview_field_error(req, 422, "markdown : champ requis");
    else if (json_is_string(md) && utf8_count(json_string_value(md), json_string_length(md)) > max)
        preview_error(
            req, 413,
            arena_printf(req->arena, "texte trop long\u202f: %zu caractères au plus", max));
    else if (!(text = validate_markdown_text(req->arena, "markdown", "Texte", max, md, &errs)))
        app_json_errors(req, &errs);
    json_decref(body); /* text is in the arena */
    if (!text)
        return;
    char *html = markdown_render(text, strlen(text));
    app_json(req, 200, json_pack("{s:s}", "html", html));
    free(html);
}
