/* media.c — the pages and answers of images and documents: the files themselves (/media/HASH.ext,
 * immutable, from the page cache when everybody may see them), the upload through the API
 * (multipart, bearer token or session with its CSRF token), the page of an entry's media (upload
 * form, texts, role, removal), what record pages and cards show, and the media JSON of the API. */
#include "core/entry.h"
#include "core/media.h"
#include "core/rate.h"
#include "core/schema.h"
#include "core/validate.h"
#include "render/image.h"
#include "util/arena.h"
#include "util/json_write.h"
#include "web/app.h"
#include "web/entry_view.h"
#include "web/page_cache.h"
#include "web/pages.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- the files ---- */

/* Who asks for a file: the account of a bearer token (an API client looking at what it just
 * uploaded, still pending), else the session's, else the public. */
static struct viewer media_viewer(struct request *req)
{
    const char *h = http_header(req, "Authorization");
    struct user u;
    if (h && strncasecmp(h, "Bearer ", 7) == 0 &&
        account_token_user(app_store(req), req->arena, h + 7, &u) == 0) {
        struct user *copy = arena_alloc(req->arena, sizeof(*copy));
        *copy = u;
        return viewer_of(copy);
    }
    return app_viewer(req);
}

/* GET /media/{file} — file is HASH.ext: the bytes of a file some visible medium shows. */
void page_media_file(struct request *req)
{
    const char *file = req->params[0];
    const char *dot = strchr(file, '.');
    if (!dot || dot - file != 64) {
        app_error(req, 404, false);
        return;
    }
    struct store *s = app_store(req);
    if (!s) {
        app_error(req, 503, false);
        return;
    }
    unsigned long gen = app_generation(req);
    if (page_cache_serve(req, req->path, gen))
        return;
    char hash[65];
    memcpy(hash, file, 64);
    hash[64] = '\0';
    struct viewer v = media_viewer(req);
    const char *mime, *filename;
    const unsigned char *data;
    size_t len;
    bool pub;
    int rc = media_file_get(s, req->arena, &v, hash, &mime, &data, &len, &filename, &pub);
    if (rc != MEDIA_OK) {
        app_error(req, rc == MEDIA_ERR ? 500 : 404, false);
        return;
    }
    /* The extension says the type; another one names no file. */
    struct file_type t = file_sniff(data, len);
    if (!t.ext || strcmp(dot + 1, t.ext) != 0) {
        app_error(req, 404, false);
        return;
    }
    req->content_type = mime;
    buf_reset(&req->out);
    buf_append(&req->out, data, len);
    req->etag = arena_printf(req->arena, "\"%s\"", hash);
    if (t.cls == FILE_IMAGE) {
        req->cache = pub ? HTTP_CACHE_IMMUTABLE : HTTP_CACHE_NONE;
        if (pub)
            page_cache_store_file(req, req->path, gen);
        return;
    }
    /* A document is a download, never a page of this site: whatever it holds (a PDF's scripts,
     * a polyglot) runs nowhere here. */
    req->cache = pub ? HTTP_CACHE_IMMUTABLE : HTTP_CACHE_NONE;
    const char *name =
        filename && *filename ? filename : arena_printf(req->arena, "document.%s", t.ext);
    struct buf cd = BUF_INIT;
    buf_puts(&cd, "attachment; filename=\"");
    for (const char *p = name; *p; p++)
        buf_putc(&cd, (*p & 0x80) || *p == '"' || *p == '\\' || *p < 0x20 ? '_' : *p);
    buf_puts(&cd, "\"; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            buf_putc(&cd, (char)*p);
        else
            buf_printf(&cd, "%%%02X", *p);
    }
    http_add_header(req, "Content-Disposition", arena_strdup(req->arena, buf_cstr(&cd)));
    buf_free(&cd);
    http_add_header(req, "Content-Security-Policy", "sandbox; default-src 'none'");
}

/* ---- JSON ---- */

void media_json_write(struct request *req, struct buf *b, const struct media *m)
{
    const struct media_file *best = media_best(m);
    buf_printf(b, "{\"id\":%lld,\"type\":", m->id);
    json_write_cstr(b, m->type);
    buf_puts(b, ",\"role\":");
    json_write_cstr(b, m->role);
    buf_puts(b, ",\"state\":");
    json_write_cstr(b, m->state);
    buf_puts(b, ",\"url\":");
    json_write_cstr(b, best ? app_url(req, best->url) : "");
    buf_puts(b, ",\"mime\":");
    json_write_cstr(b, best ? best->mime : m->mime);
    if (strcmp(m->type, "image") == 0) {
        buf_printf(b, ",\"width\":%d,\"height\":%d,\"srcset\":[", m->width, m->height);
        for (int i = 0; i < m->nfiles; i++) {
            buf_puts(b, i ? ",{\"url\":" : "{\"url\":");
            json_write_cstr(b, app_url(req, m->files[i].url));
            buf_printf(b, ",\"width\":%d,\"height\":%d,\"type\":", m->files[i].width,
                       m->files[i].height);
            json_write_cstr(b, m->files[i].mime);
            buf_putc(b, '}');
        }
        buf_putc(b, ']');
    } else {
        buf_puts(b, ",\"width\":null,\"height\":null,\"srcset\":[],\"filename\":");
        json_write_cstr(b, m->filename);
        buf_printf(b, ",\"size\":%lld", best ? best->size : m->size);
    }
    buf_puts(b, ",\"alt\":");
    json_write_cstr(b, m->alt);
    buf_puts(b, ",\"caption\":");
    json_write_cstr(b, m->caption);
    buf_puts(b, ",\"author\":");
    json_write_cstr(b, m->author);
    buf_puts(b, ",\"license\":");
    json_write_cstr(b, m->license);
    buf_putc(b, '}');
}

bool page_media_api(struct request *req, struct buf *b, long long entry_id, const struct viewer *v)
{
    struct media *list;
    int n;
    if (media_of_entry(app_store(req), req->arena, v, entry_id, &list, &n) != MEDIA_OK)
        return false;
    page_media_api_list(req, b, list, n);
    return true;
}

void page_media_api_list(struct request *req, struct buf *b, const struct media *list, int n)
{
    if (b->len && b->data[b->len - 1] == '}')
        b->len--;
    buf_puts(b, ",\"media\":[");
    for (int i = 0; i < n; i++) {
        if (i)
            buf_putc(b, ',');
        media_json_write(req, b, &list[i]);
    }
    buf_puts(b, "]}");
}

/* ---- uploads ---- */

/* The licence of the revision v sees of e (the default of its media), or NULL. */
static const char *media_entry_license(struct request *req, const struct viewer *v,
                                       const struct entry *e)
{
    struct revision r;
    if (entry_revision_raw(app_store(req), req->arena, v, e, 0, &r) != ENTRY_OK)
        return NULL;
    const struct json_span *vals = entry_view_members(req, e->kind, r.raw_fields);
    return entry_view_member_str(req, e->kind, vals, "license");
}

/* The upload of req's multipart body onto e by v: media_add's status, errors in errs. */
static int media_upload_run(struct request *req, const struct viewer *v, const struct entry *e,
                            struct field_errors *errs, struct media *out, long *retry)
{
    const struct http_file *f = http_file(req, "file");
    struct media_upload in = {
        .entry_id = e->id,
        .entry_license = media_entry_license(req, v, e),
        .kind = e->kind,
        .role = http_form(req, "role"),
        .alt = http_form(req, "alt"),
        .caption = http_form(req, "caption"),
        .author = http_form(req, "author"),
        .license = http_form(req, "license"),
        .filename = f ? f->filename : NULL,
        .data = f ? f->data : NULL,
        .len = f ? f->len : 0,
        .uploader = *v,
        .client_ip = http_client_ip(req),
        .now = (long long)time(NULL),
        .errs = errs,
    };
    if (in.role && strcmp(in.role, "auto") == 0)
        in.role = NULL;
    int rc = media_add(app_store(req), req->arena, &in, out);
    *retry = in.retry_after;
    return rc;
}

static void media_api_error(struct request *req, int status, const char *message)
{
    req->cache = HTTP_CACHE_NONE;
    app_json(req, status,
             json_pack("{s:{s:i, s:s}}", "error", "status", status, "message", message));
}

/* POST /api/v1/entries/{slug}/media — multipart: file, alt, caption, author, license, role. */
void api_media_upload(struct request *req)
{
    struct store *s = app_store(req);
    if (!s) {
        media_api_error(req, 503, "service momentanément indisponible");
        return;
    }
    req->cache = HTTP_CACHE_NONE;
    struct viewer v = viewer_public;
    const char *h = http_header(req, "Authorization");
    struct user u;
    if (h && strncasecmp(h, "Bearer ", 7) == 0) {
        if (account_token_user(s, req->arena, h + 7, &u) != 0 || !account_can_edit(&u)) {
            http_add_header(req, "WWW-Authenticate", "Bearer realm=\"foison\"");
            media_api_error(req, 401, "jeton d'API invalide");
            return;
        }
        struct user *copy = arena_alloc(req->arena, sizeof(*copy));
        *copy = u;
        v = viewer_of(copy);
    } else if (req->logged_in) {
        /* A form of the site, with the session: its CSRF token in the body (csrf) like every
         * form's. */
        if (!app_check_csrf(req)) {
            media_api_error(req, 403, "jeton CSRF manquant ou invalide");
            return;
        }
        v = app_viewer(req);
    } else {
        http_add_header(req, "WWW-Authenticate", "Bearer realm=\"foison\"");
        media_api_error(req, 401, "connexion ou jeton d'API nécessaire pour envoyer un fichier");
        return;
    }
    struct entry e;
    const char *moved = NULL;
    int rc = entry_find(s, req->arena, &v, req->params[0], &e, &moved);
    if (rc == ENTRY_MOVED)
        rc = entry_find(s, req->arena, &v, moved, &e, NULL);
    if (rc != ENTRY_OK) {
        media_api_error(req, rc == ENTRY_ERR ? 500 : 404,
                        rc == ENTRY_ERR ? "erreur interne" : "fiche introuvable");
        return;
    }
    struct field_errors errs = {0};
    struct media m;
    long retry = 0;
    rc = media_upload_run(req, &v, &e, &errs, &m, &retry);
    switch (rc) {
    case MEDIA_OK: {
        struct buf b = BUF_INIT;
        media_json_write(req, &b, &m);
        buf_putc(&b, '\n');
        http_add_header(req, "Location", app_url(req, media_best(&m)->url));
        req->status = 201;
        req->content_type = "application/json; charset=utf-8";
        buf_free(&req->out);
        req->out = b;
        return;
    }
    case MEDIA_INVALID:
    case MEDIA_UNSUPPORTED:
    case MEDIA_TOO_LARGE:
        app_json_errors(req, &errs);
        req->status = rc == MEDIA_UNSUPPORTED ? 415 : rc == MEDIA_TOO_LARGE ? 413 : 422;
        return;
    case MEDIA_RATE_LIMITED:
        http_add_header(req, "Retry-After", arena_printf(req->arena, "%ld", retry < 1 ? 1 : retry));
        media_api_error(req, 429, "trop d'envois en peu de temps : réessayez dans un moment");
        return;
    case MEDIA_FORBIDDEN:
        media_api_error(req, 403, "compte inactif");
        return;
    case MEDIA_NOTFOUND:
        media_api_error(req, 404, "fiche introuvable");
        return;
    default:
        media_api_error(req, 500, "erreur interne");
    }
}

/* ---- what pages show ---- */

/* The srcset of one type ("image/webp"…) of m, "" when none. */
static const char *media_srcset(struct request *req, const struct media *m, const char *mime)
{
    struct buf b = BUF_INIT;
    for (int i = 0; i < m->nfiles; i++)
        if (strcmp(m->files[i].mime, mime) == 0)
            buf_printf(&b, "%s%s %dw", b.len ? ", " : "", m->files[i].url, m->files[i].width);
    const char *out = arena_strdup(req->arena, buf_cstr(&b));
    buf_free(&b);
    return out;
}

/* The file of m closest above width in type mime (the largest when none is). */
static const struct media_file *media_at(const struct media *m, const char *mime, int width)
{
    const struct media_file *best = NULL;
    for (int i = 0; i < m->nfiles; i++) {
        if (strcmp(m->files[i].mime, mime) != 0)
            continue;
        best = &m->files[i];
        if (m->files[i].width >= width)
            break;
    }
    return best;
}

/* The licence's short name, from the kind's licence field. */
static const char *media_license_label(const struct kind_def *k, const char *id)
{
    const struct field_def *f = k ? kind_field(k, "license") : NULL;
    const char *l = f ? field_option_label(f, id) : NULL;
    return l ? l : id;
}

/* Template values of one image: src (JPEG), srcset per type, sizes, width and height (the
 * largest file's), alt, caption, credit, and where the largest one is for the lightbox. */
void page_media_values(struct request *req, struct tv *o, const struct media *m,
                       const struct kind_def *k, int display_width, const char *sizes)
{
    tv_set_int(o, "id", m->id);
    tv_set_str(o, "type", m->type);
    tv_set_str(o, "alt", m->alt);
    tv_set_str(o, "caption", m->caption);
    tv_set_str(o, "author", m->author);
    tv_set_str(o, "license", media_license_label(k, m->license));
    tv_set_str(o, "license_id", m->license);
    tv_set_str(o, "role", m->role);
    tv_set_bool(o, "pending", strcmp(m->state, "pending") == 0);
    tv_set_bool(o, "is_main", strcmp(m->role, "main") == 0);
    tv_set_bool(o, "is_image", strcmp(m->type, "image") == 0);
    if (strcmp(m->type, "image") == 0) {
        const struct media_file *jpg = media_at(m, "image/jpeg", display_width);
        const struct media_file *big = media_at(m, "image/jpeg", 100000);
        if (jpg) {
            tv_set_str(o, "src", jpg->url);
            tv_set_int(o, "width", jpg->width);
            tv_set_int(o, "height", jpg->height);
        }
        if (big) {
            tv_set_str(o, "large", big->url);
            tv_set_int(o, "large_width", big->width);
            tv_set_int(o, "large_height", big->height);
        }
        tv_set_str(o, "srcset_webp", media_srcset(req, m, "image/webp"));
        tv_set_str(o, "srcset_jpeg", media_srcset(req, m, "image/jpeg"));
        tv_set_str(o, "sizes", sizes);
    } else {
        const struct media_file *f = media_best(m);
        tv_set_str(o, "url", f ? f->url : "");
        tv_set_str(o, "label", m->label);
        tv_set_str(o, "filename", m->filename);
        tv_set_str(o, "title", *m->alt ? m->alt : m->filename);
        long long size = f ? f->size : m->size;
        if (size >= 1024 * 1024)
            tv_set_strf(o, "size", "%.1f\u202fMo", (double)size / (1024.0 * 1024.0));
        else
            tv_set_strf(o, "size", "%lld\u202fko", (size + 1023) / 1024);
    }
}

bool page_media_context(struct request *req, struct store *s, struct tv *ctx, const struct entry *e)
{
    struct viewer v = app_viewer(req);
    struct media *list;
    int n;
    if (media_of_entry(s, req->arena, &v, e->id, &list, &n) != MEDIA_OK)
        return false;
    /* The lists open their section on their first item and close it on their last. */
    struct tv *gallery = NULL, *documents = NULL, *last_gallery = NULL, *last_document = NULL;
    for (int i = 0; i < n; i++) {
        const struct media *m = &list[i];
        bool image = strcmp(m->type, "image") == 0;
        if (image && strcmp(m->role, "main") == 0 && strcmp(m->state, "published") == 0 &&
            !tv_get(ctx, "media_main")) {
            struct tv *o = tv_set_obj(ctx, "media_main");
            page_media_values(req, o, m, e->kind, 1024, "(min-width: 60em) 48rem, 100vw");
            continue;
        }
        struct tv **listp = image ? &gallery : &documents;
        struct tv **lastp = image ? &last_gallery : &last_document;
        if (!*listp)
            *listp = tv_set_list(ctx, image ? "gallery" : "documents");
        struct tv *o = tv_push_obj(*listp);
        if (!*lastp)
            tv_set_bool(o, "first", true);
        *lastp = o;
        page_media_values(req, o, m, e->kind, image ? 320 : 0,
                          image ? "(min-width: 40em) 15rem, 50vw" : "");
    }
    if (n) {
        const struct static_asset *js = app_asset(req->app, "lightbox.js");
        tv_set_str(ctx, "lightbox_script_url", js ? js->url : "/static/lightbox.js");
    }
    tv_set_bool(last_gallery, "last", true);
    tv_set_bool(last_document, "last", true);
    tv_set_bool(ctx, "has_media", n > 0);
    return true;
}

/* ---- the page of an entry's media ---- */

/* The page /{kind}/{slug}/medias: the media v sees, a form for each (texts, role, removal), and
 * the upload form, with errs and the texts sent kept after a failed upload (the file itself must
 * be chosen again: browsers never let a page fill a file input). */
static void media_page(struct request *req, const struct entry *e, const struct field_errors *errs,
                       long changed_id)
{
    struct store *s = app_store(req);
    struct viewer v = app_viewer(req);
    struct revision r;
    if (entry_revision_raw(s, req->arena, &v, e, 0, &r) != ENTRY_OK) {
        app_error(req, 404, false);
        return;
    }
    const struct json_span *vals = entry_view_members(req, e->kind, r.raw_fields);
    const char *title = entry_view_member_str(req, e->kind, vals, e->kind->title_field);
    struct tv *ctx =
        app_context(req, arena_printf(req->arena, "Images et documents — %s", title ? title : ""));
    app_need_csrf(req, ctx);
    tv_set_str(ctx, "entry_title", title ? title : "");
    tv_set_str(ctx, "entry_url", arena_printf(req->arena, "/%s/%s", e->kind->segment, e->slug));
    tv_set_str(ctx, "action", arena_printf(req->arena, "/%s/%s/medias", e->kind->segment, e->slug));
    tv_set_int(ctx, "alt_max", MEDIA_ALT_MAX);
    tv_set_int(ctx, "caption_max", MEDIA_CAPTION_MAX);
    tv_set_int(ctx, "author_max", MEDIA_AUTHOR_MAX);
    tv_set_int(ctx, "max_mb", MEDIA_IMAGE_MAX_BYTES / (1024 * 1024));
    tv_set_int(ctx, "max_mp", IMAGE_MAX_PIXELS / 1000000);
    tv_set_bool(ctx, "publishes", viewer_publishes(&v));
    struct media *list;
    int n;
    if (media_of_entry(s, req->arena, &v, e->id, &list, &n) != MEDIA_OK) {
        app_error(req, 500, false);
        return;
    }
    const char *entry_license = entry_view_member_str(req, e->kind, vals, "license");
    const struct field_def *lf = kind_field(e->kind, "license");
    struct tv *items = tv_set_list(ctx, "items");
    for (int i = 0; i < n; i++) {
        struct tv *o = tv_push_obj(items);
        page_media_values(req, o, &list[i], e->kind, 320, "10rem");
        tv_set_str(
            o, "action",
            arena_printf(req->arena, "/%s/%s/medias/%lld", e->kind->segment, e->slug, list[i].id));
        tv_set_bool(o, "main_checked", strcmp(list[i].role, "main") == 0);
        tv_set_bool(o, "gallery_checked", strcmp(list[i].role, "gallery") == 0);
        if (changed_id == list[i].id && errs) {
            tv_set_str(o, "error_alt", validate_error_for(errs, "alt"));
            tv_set_str(o, "error_caption", validate_error_for(errs, "caption"));
            tv_set_str(o, "error_author", validate_error_for(errs, "author"));
            tv_set_str(o, "error_license", validate_error_for(errs, "license"));
            tv_set_str(o, "error_role", validate_error_for(errs, "role"));
            /* What was sent is shown again, not what is stored. */
            const char *keys[] = {"alt", "caption", "author"};
            for (int k = 0; k < 3; k++)
                if (http_form(req, keys[k]))
                    tv_set_str(o, keys[k], http_form(req, keys[k]));
        }
        struct tv *opts = tv_set_list(o, "licenses");
        for (size_t j = 0; lf && lf->options && lf->options[j].id; j++) {
            struct tv *op = tv_push_obj(opts);
            tv_set_str(op, "id", lf->options[j].id);
            tv_set_str(op, "label", lf->options[j].label);
            tv_set_bool(op, "selected", strcmp(lf->options[j].id, list[i].license) == 0);
        }
    }
    tv_set_bool(ctx, "has_items", n > 0);
    /* The upload form: what was sent, or the entry's licence. */
    bool failed_upload = errs && changed_id == 0;
    const char *chosen =
        failed_upload && http_form(req, "license") ? http_form(req, "license") : entry_license;
    struct tv *opts = tv_set_list(ctx, "licenses");
    for (size_t j = 0; lf && lf->options && lf->options[j].id; j++) {
        struct tv *op = tv_push_obj(opts);
        tv_set_str(op, "id", lf->options[j].id);
        tv_set_str(op, "label", lf->options[j].label);
        tv_set_bool(op, "selected", chosen && strcmp(lf->options[j].id, chosen) == 0);
    }
    const char *role = failed_upload ? http_form(req, "role") : NULL;
    tv_set_bool(ctx, "role_auto", !role || strcmp(role, "auto") == 0);
    tv_set_bool(ctx, "role_main", role && strcmp(role, "main") == 0);
    tv_set_bool(ctx, "role_gallery", role && strcmp(role, "gallery") == 0);
    if (failed_upload) {
        tv_set_str(ctx, "alt", http_form(req, "alt"));
        tv_set_str(ctx, "caption", http_form(req, "caption"));
        tv_set_str(ctx, "author", http_form(req, "author"));
        tv_set_str(ctx, "error_file", validate_error_for(errs, "file"));
        tv_set_str(ctx, "error_alt", validate_error_for(errs, "alt"));
        tv_set_str(ctx, "error_caption", validate_error_for(errs, "caption"));
        tv_set_str(ctx, "error_author", validate_error_for(errs, "author"));
        tv_set_str(ctx, "error_license", validate_error_for(errs, "license"));
        tv_set_str(ctx, "error_role", validate_error_for(errs, "role"));
        struct tv *el = tv_set_list(ctx, "errors");
        for (int i = 0; i < errs->n; i++) {
            struct tv *o = tv_push_obj(el);
            tv_set_str(o, "field", errs->e[i].field);
            tv_set_str(o, "message", errs->e[i].message);
        }
        tv_set_bool(ctx, "has_errors", errs->n > 0);
    } else if (errs && errs->n) {
        tv_set_str(ctx, "notice_error", errs->e[0].message);
    }
    app_render(req, "media", ctx);
    if (errs && errs->n)
        req->status = 422;
    req->cache = HTTP_CACHE_NONE;
}

/* GET /{kind}/{slug}/medias */
void page_media_form(struct request *req)
{
    if (!app_require_login(req))
        return;
    struct entry e;
    if (!page_entry_load(req, app_store(req), &e, "/medias"))
        return;
    media_page(req, &e, NULL, 0);
}

/* POST /{kind}/{slug}/medias — the upload form (multipart). */
void page_media_upload(struct request *req)
{
    if (!app_require_login(req) || !app_check_csrf(req))
        return;
    struct entry e;
    if (!page_entry_load(req, app_store(req), &e, "/medias"))
        return;
    struct viewer v = app_viewer(req);
    struct field_errors errs = {0};
    struct media m;
    long retry = 0;
    int rc = media_upload_run(req, &v, &e, &errs, &m, &retry);
    if (rc == MEDIA_OK) {
        app_flash(req, strcmp(m.state, "pending") == 0 ? "media_pending" : "media_added");
        http_redirect(req, 303, arena_printf(req->arena, "/%s/%s/medias", e.kind->segment, e.slug));
        return;
    }
    if (rc == MEDIA_RATE_LIMITED)
        validate_error(&errs, "file", rate_edit_refusal(req->arena, retry));
    else if (rc == MEDIA_FORBIDDEN)
        validate_error(&errs, "file", "Votre compte ne peut pas envoyer de fichier.");
    else if (rc == MEDIA_ERR || rc == MEDIA_NOTFOUND) {
        app_error(req, rc == MEDIA_ERR ? 500 : 404, false);
        return;
    }
    media_page(req, &e, &errs, 0);
    if (rc == MEDIA_RATE_LIMITED)
        req->status = 429;
}

/* POST /{kind}/{slug}/medias/{id} — texts, role, or removal ("action=delete"). */
void page_media_change(struct request *req)
{
    if (!app_require_login(req) || !app_check_csrf(req))
        return;
    struct entry e;
    if (!page_entry_load(req, app_store(req), &e, "/medias"))
        return;
    long long id = app_int_param(req->params[2], 1000000000);
    struct viewer v = app_viewer(req);
    struct media m;
    if (!id || media_find(app_store(req), req->arena, &v, id, &m) != MEDIA_OK ||
        m.entry_id != e.id) {
        app_error(req, 404, false);
        return;
    }
    const char *action = http_form(req, "action");
    bool del = action && strcmp(action, "delete") == 0;
    struct field_errors errs = {0};
    struct media_change in = {
        .id = id,
        .role = del ? "deleted" : http_form(req, "role"),
        .alt = del ? NULL : http_form(req, "alt"),
        .caption = del ? NULL : http_form(req, "caption"),
        .author = del ? NULL : http_form(req, "author"),
        .license = del ? NULL : http_form(req, "license"),
        .by = v,
        .kind = e.kind,
        .now = (long long)time(NULL),
        .errs = &errs,
    };
    int rc = media_change(app_store(req), req->arena, &in);
    if (rc == MEDIA_OK) {
        app_flash(req, del ? "media_deleted" : "media_changed");
        http_redirect(req, 303, arena_printf(req->arena, "/%s/%s/medias", e.kind->segment, e.slug));
        return;
    }
    if (rc == MEDIA_FORBIDDEN)
        validate_error(&errs, "_",
                       "Ce fichier attend la relecture : seule la personne qui l’a "
                       "envoyé, ou l’équipe de modération, peut le changer.");
    else if (rc != MEDIA_INVALID) {
        app_error(req, rc == MEDIA_NOTFOUND ? 404 : 500, false);
        return;
    }
    media_page(req, &e, &errs, id);
}

/* ---- moderation ---- */

bool page_media_moderation(struct request *req, struct tv *ctx, const struct viewer *v)
{
    struct media *list;
    int n;
    if (media_pending(app_store(req), req->arena, v, &list, 100, &n) != MEDIA_OK)
        return false;
    const char *csrf = app_csrf_field(req);
    struct tv *items = tv_set_list(ctx, "media_pending");
    for (int i = 0; i < n; i++) {
        const struct kind_def *k = kind_find(list[i].entry_kind);
        if (!k)
            continue;
        struct tv *o = tv_push_obj(items);
        page_media_values(req, o, &list[i], k, 320, "10rem");
        tv_set_str(o, "entry_url",
                   arena_printf(req->arena, "/%s/%s", k->segment, list[i].entry_slug));
        tv_set_str(o, "entry_slug", list[i].entry_slug);
        tv_set_str(o, "uploader", list[i].uploader_name);
        tv_set_str(o, "date", app_datetime(req, list[i].created));
        tv_set_str(o, "csrf", csrf);
    }
    tv_set_bool(ctx, "has_media_pending", n > 0);
    return true;
}

/* POST /moderation/medias/{id}/approve|reject */
void page_media_decide(struct request *req)
{
    if (!app_require_login(req) || !app_check_csrf(req))
        return;
    struct viewer v = app_viewer(req);
    if (!viewer_moderates(&v)) {
        app_error(req, 403, false);
        return;
    }
    long long id = app_int_param(req->params[0], 1000000000);
    size_t pl = strlen(req->path);
    bool approve = pl > 8 && strcmp(req->path + pl - 8, "/approve") == 0;
    int rc = id ? media_decide(app_store(req), req->arena, &v, id, approve, (long long)time(NULL))
                : MEDIA_NOTFOUND;
    if (rc != MEDIA_OK) {
        app_error(req, rc == MEDIA_NOTFOUND ? 404 : rc == MEDIA_FORBIDDEN ? 403 : 500, false);
        return;
    }
    app_flash(req, approve ? "approved" : "rejected");
    http_redirect(req, 303, "/moderation");
}
