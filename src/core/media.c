/* media.c — images and documents of entries (see media.h). The slow part of an upload (decoding
 * and encoding) runs before the write transaction; the transaction only checks the uploader's
 * rights again, stores blobs and rows, and moves the site's generation, so that cached pages and
 * cards show the change at once. */
#include "core/media.h"
#include "core/rate.h"
#include "core/schema.h"
#include "core/spam.h"
#include "core/territory.h"
#include "core/validate.h"
#include "render/image.h"
#include "store/entry_store.h"
#include "store/media_store.h"
#include "store/moderation_store.h"
#include "store/user_store.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/utf8.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *media_hash(struct arena *a, const unsigned char *data, size_t len)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    char *hex = arena_alloc(a, sizeof h * 2 + 1);
    sodium_bin2hex(hex, sizeof h * 2 + 1, h, sizeof h);
    return hex;
}

static const char *media_ext(const char *mime)
{
    static const struct {
        const char *mime, *ext;
    } exts[] = {
        {"image/webp", "webp"},
        {"image/jpeg", "jpg"},
        {"application/pdf", "pdf"},
        {"application/vnd.oasis.opendocument.text", "odt"},
        {"application/vnd.oasis.opendocument.presentation", "odp"},
        {"application/vnd.oasis.opendocument.spreadsheet", "ods"},
        {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
        {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"},
        {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
    };
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (strcmp(exts[i].mime, mime) == 0)
            return exts[i].ext;
    return "bin";
}

static bool media_is_image(const char *mime)
{
    return strncmp(mime, "image/", 6) == 0;
}

/* A row and the files made of its source into m. */
static void media_fill_files(struct arena *a, struct media *m, const struct media_file_row *files,
                             int n);
static void media_fill_row(const struct media_row *r, struct media *m);

static int media_fill(struct store *s, struct arena *a, const struct media_row *r, struct media *m)
{
    media_fill_row(r, m);
    struct media_file_row files[MEDIA_FILES_MAX];
    int n;
    if (store_media_files(s, a, r->source, files, MEDIA_FILES_MAX, &n) != STORE_OK)
        return MEDIA_ERR;
    media_fill_files(a, m, files, n);
    return MEDIA_OK;
}

/* m from its row, without its files. */
static void media_fill_row(const struct media_row *r, struct media *m)
{
    memset(m, 0, sizeof *m);
    m->id = r->id;
    m->entry_id = r->entry_id;
    m->type = media_is_image(r->mime) ? "image" : "document";
    m->role = r->role;
    m->state = r->state;
    m->mime = r->mime;
    m->filename = r->filename;
    m->alt = r->alt;
    m->caption = r->caption;
    m->author = r->author;
    m->license = r->license;
    m->width = r->width;
    m->height = r->height;
    m->size = r->size;
    m->uploader_id = r->uploader_id;
    m->created = r->created;
    static const struct {
        const char *mime, *label;
    } labels[] = {{"image/jpeg", "image JPEG"},
                  {"image/png", "image PNG"},
                  {"image/webp", "image WebP"},
                  {"image/heic", "image HEIC"},
                  {"image/avif", "image AVIF"},
                  {"application/pdf", "document PDF"},
                  {"application/vnd.oasis.opendocument.text", "document texte OpenDocument"},
                  {"application/vnd.oasis.opendocument.presentation", "présentation OpenDocument"},
                  {"application/vnd.oasis.opendocument.spreadsheet", "tableur OpenDocument"}};
    m->label = media_is_image(r->mime) ? "image" : "document";
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i].mime, r->mime) == 0)
            m->label = labels[i].label;
    if (strstr(r->mime, "wordprocessingml"))
        m->label = "document Word";
    else if (strstr(r->mime, "presentationml"))
        m->label = "présentation PowerPoint";
    else if (strstr(r->mime, "spreadsheetml"))
        m->label = "tableur Excel";
}

/* m's files from rows already read (the source's, in store_media_files' order). */
static void media_fill_files(struct arena *a, struct media *m, const struct media_file_row *files,
                             int n)
{
    if (n > MEDIA_FILES_MAX)
        n = MEDIA_FILES_MAX;
    for (int i = 0; i < n; i++) {
        m->files[i] = (struct media_file){
            .url = arena_printf(a, "/media/%s.%s", files[i].hash, media_ext(files[i].mime)),
            .mime = files[i].mime,
            .width = files[i].width,
            .height = files[i].height,
            .size = files[i].size,
        };
    }
    m->nfiles = n;
}

const struct media_file *media_best(const struct media *m)
{
    const struct media_file *best = NULL;
    for (int i = 0; i < m->nfiles; i++)
        if (!best || strcmp(m->files[i].mime, "image/webp") != 0)
            best = &m->files[i];
    return best;
}

/* May v see a medium in state by uploader, on an entry in the given state? */
static bool media_visible(const struct viewer *v, const char *state, long long uploader,
                          bool entry_deleted, int entry_hidden, bool entry_published)
{
    if (strcmp(state, "deleted") == 0 || !viewer_sees_entry(v, entry_deleted, entry_hidden))
        return false;
    /* An entry nobody may read yet (its first text pending, or a draft) shows its media only to
     * who sees that text: its uploader and moderators. */
    if (!entry_published && !viewer_moderates(v) && !(v->user_id && v->user_id == uploader))
        return false;
    return viewer_sees(v, state, uploader);
}

/* Checks a text of a medium: valid UTF-8 (the door checked), one line, at most max characters;
 * trimmed copy in a, or NULL with an error. */
static const char *media_text(struct arena *a, const char *field, const char *value, size_t max,
                              bool required, const char *missing, struct field_errors *errs)
{
    if (!value)
        value = "";
    while (*value == ' ' || *value == '\t')
        value++;
    size_t n = strlen(value);
    while (n && (value[n - 1] == ' ' || value[n - 1] == '\t' || value[n - 1] == '\n' ||
                 value[n - 1] == '\r'))
        n--;
    if (!utf8_valid(value, n)) {
        validate_error(errs, field, "Ce texte n’est pas de l’UTF-8 valide.");
        return NULL;
    }
    if (required && n == 0) {
        validate_error(errs, field, missing);
        return NULL;
    }
    if (utf8_count(value, n) > max) {
        validate_error(errs, field,
                       arena_printf(a, "Ce texte est trop long : %zu caractères au plus.", max));
        return NULL;
    }
    char *out = arena_strndup(a, value, n);
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    return out;
}

/* The licence of a medium: one of the kind's licences, the entry's by default. */
static const char *media_license(const struct kind_def *k, const char *given, const char *dflt,
                                 struct field_errors *errs)
{
    const struct field_def *f = k ? kind_field(k, "license") : NULL;
    const char *l = given && *given ? given : dflt;
    if (!l || !*l)
        l = f && f->default_value ? f->default_value : "CC-BY-SA-4.0";
    if (f && !field_option_label(f, l)) {
        validate_error(errs, "license", "Cette licence n’est pas proposée sur le site.");
        return NULL;
    }
    return l;
}

static bool media_role_valid(const char *r)
{
    return strcmp(r, "main") == 0 || strcmp(r, "gallery") == 0 || strcmp(r, "document") == 0;
}

/* The files of an image (or of a document: itself), made once per source: blobs and
 * media_files rows, written in the caller's transaction. made holds what image_make made. */
static int media_store_files(struct store *s, struct arena *a, const char *source,
                             const struct image_made *made, const char *doc_mime,
                             const unsigned char *data, size_t len)
{
    if (!made) {
        struct media_file_row f = {.mime = doc_mime, .hash = source, .size = (long long)len};
        if (store_blob_put(s, source, doc_mime, data, len) != STORE_OK ||
            store_media_file_add(s, source, &f) != STORE_OK)
            return MEDIA_ERR;
        return MEDIA_OK;
    }
    for (int i = 0; i < made->nvariants; i++) {
        const struct image_variant *v = &made->v[i];
        struct media_file_row f = {.mime = v->mime,
                                   .width = v->width,
                                   .height = v->height,
                                   .hash = media_hash(a, v->data, v->len),
                                   .size = (long long)v->len};
        if (store_blob_put(s, f.hash, v->mime, v->data, v->len) != STORE_OK ||
            store_media_file_add(s, source, &f) != STORE_OK)
            return MEDIA_ERR;
    }
    return MEDIA_OK;
}

/* When a main image is published, the entry's other published main image becomes a gallery
 * image: an entry shows one main image. */
static int media_demote_mains(struct store *s, struct arena *a, long long entry_id, long long keep)
{
    struct media_row rows[MEDIA_PER_ENTRY_MAX];
    int n;
    if (store_media_of_entry(s, a, entry_id, rows, MEDIA_PER_ENTRY_MAX, &n) != STORE_OK)
        return MEDIA_ERR;
    for (int i = 0; i < n; i++)
        if (rows[i].id != keep && strcmp(rows[i].role, "main") == 0 &&
            strcmp(rows[i].state, "published") == 0) {
            rows[i].role = "gallery";
            if (store_media_update(s, &rows[i]) != STORE_OK)
                return MEDIA_ERR;
        }
    return MEDIA_OK;
}

/* The texts sent with a file, scored as a revision's texts are (core/spam.c): a caption full of
 * links or selling words is spam like a description would be. */
static const struct field_def media_text_fields[] = {
    {.name = "alt", .type = FT_TEXT},
    {.name = "caption", .type = FT_TEXT},
    {.name = "author", .type = FT_TEXT},
    {.name = "filename", .type = FT_TEXT},
};
static const struct kind_def media_text_kind = {
    .name = "media",
    .fields = media_text_fields,
    .nfields = sizeof media_text_fields / sizeof media_text_fields[0],
};

static void media_spam(struct store *s, struct arena *a, json_t *texts, const struct viewer *who,
                       long long account_age, struct spam_result *out)
{
    char *blocked = store_setting_get(s, "blocked_domains");
    struct spam_input si = {
        .kind = &media_text_kind,
        .fields = texts,
        .role = who->role,
        .account_age = account_age,
        .fill_seconds = -1,
        .blocked_domains = blocked ? arena_strdup(a, blocked) : NULL,
    };
    free(blocked);
    spam_score(a, &si, out);
}

/* The texts of an upload judged: MEDIA_INVALID with the reasons beside the caption above the
 * refuse threshold (nothing is received), MEDIA_ERR, or MEDIA_OK with the score in out. */
static int media_judge_texts(struct store *s, struct arena *a, const struct viewer *who,
                             long long account_age, const char *alt, const char *caption,
                             const char *author, const char *filename, struct field_errors *errs,
                             struct spam_result *out)
{
    json_t *texts =
        json_pack("{s:s, s:s, s:s, s:s}", "alt", alt ? alt : "", "caption", caption ? caption : "",
                  "author", author ? author : "", "filename", filename ? filename : "");
    if (!texts)
        return MEDIA_ERR;
    media_spam(s, a, texts, who, account_age, out);
    json_decref(texts);
    if (out->score < territory_setting_long(s, "spam_refuse", SPAM_REFUSE_DEFAULT))
        return MEDIA_OK;
    struct buf b = BUF_INIT;
    buf_puts(&b, "Ces textes ressemblent à du spam et le fichier n'a pas été reçu");
    for (int i = 0; i < out->nreasons; i++)
        buf_printf(&b, "%s%s", i ? " ; " : "\u202f: ", out->reasons[i]);
    buf_puts(&b, ". Si c'est une erreur, retirez les liens ou le passage en cause.");
    validate_error(errs, "caption", arena_strdup(a, buf_cstr(&b)));
    buf_free(&b);
    return MEDIA_INVALID;
}

/* Whether the files found made of source before the transaction are still there in it: the
 * purge may have forgotten them meanwhile (an upload of long-deleted bytes); the upload then
 * fails and its retry makes them again. */
static bool media_files_kept(struct store *s, struct arena *a, const char *source)
{
    struct media_file_row have[MEDIA_FILES_MAX];
    int n = 0;
    return store_media_files(s, a, source, have, MEDIA_FILES_MAX, &n) == STORE_OK && n > 0;
}

/* An upload checked and made, before its write transaction (media_add, media_draft_put). */
struct media_prepared {
    struct file_type t;
    bool image;
    const char *role, *alt, *caption, *author, *license, *filename, *source;
    int w, h;
    struct viewer who;
    struct rate_hold hold;
    int nhave; /* files already made of source */
    struct image_made made;
    bool made_now;
};

/* Every check of an upload that needs no transaction (type by content, byte and pixel limits,
 * texts, licence), the rate of edits taken, and its files made unless they exist: the part
 * media_add and a draft's photo share. images_only: a document is refused as an unsupported
 * type. On failure nothing is written and the rate taken is given back. */
static int media_prepare(struct store *s, struct arena *a, struct media_upload *in,
                         bool images_only, struct media_prepared *p)
{
    struct field_errors local = {0};
    struct field_errors *errs = in->errs ? in->errs : &local;
    memset(p, 0, sizeof *p);
    if (!in->operator&& in->uploader.user_id <= 0)
        return MEDIA_FORBIDDEN;
    if (!in->data || in->len == 0) {
        validate_error(errs, "file", "Choisissez un fichier à envoyer.");
        return MEDIA_INVALID;
    }
    struct file_type t = file_sniff(in->data, in->len);
    if (images_only && t.cls == FILE_DOCUMENT) {
        validate_error(errs, "file",
                       "Ce fichier est un document, pas une photo : choisissez une image JPEG, "
                       "PNG, WebP ou HEIC.");
        return MEDIA_UNSUPPORTED;
    }
    if (t.cls != FILE_IMAGE && t.cls != FILE_DOCUMENT) {
        validate_error(errs, "file", t.reason);
        return MEDIA_UNSUPPORTED;
    }
    bool image = t.cls == FILE_IMAGE;
    size_t limit = image ? MEDIA_IMAGE_MAX_BYTES : MEDIA_DOCUMENT_MAX_BYTES;
    if (in->len > limit) {
        validate_error(
            errs, "file",
            arena_printf(a, "Ce fichier est trop lourd : %zu Mo au plus.", limit / (1024 * 1024)));
        return MEDIA_TOO_LARGE;
    }
    const char *role = in->role && *in->role ? in->role : NULL;
    if (role && !media_role_valid(role)) {
        validate_error(errs, "role", "Le rôle est « main », « gallery » ou « document ».");
        role = NULL;
    } else if (role && image && strcmp(role, "document") == 0) {
        validate_error(errs, "role", "Une image va en image principale ou dans la galerie.");
    } else if (role && !image && strcmp(role, "document") != 0) {
        validate_error(errs, "role", "Un document n’est pas une image : il va dans les documents.");
    }
    const char *alt = media_text(
        a, "alt", in->alt, MEDIA_ALT_MAX, image,
        "Décrivez l’image en quelques mots pour qui ne la voit pas (texte alternatif).", errs);
    const char *caption =
        media_text(a, "caption", in->caption, MEDIA_CAPTION_MAX, false, NULL, errs);
    const char *author = media_text(a, "author", in->author, MEDIA_AUTHOR_MAX, false, NULL, errs);
    const char *license = media_license(in->kind, in->license, in->entry_license, errs);
    const char *filename = in->filename ? in->filename : "";
    if (!utf8_valid(filename, strlen(filename)) || strlen(filename) > 200)
        filename = "";
    int w = 0, h = 0;
    if (image) {
        enum image_status ps = image_probe(in->data, in->len, &w, &h);
        if (ps == IMAGE_TOO_BIG) {
            validate_error(errs, "file",
                           arena_printf(a,
                                        "Cette image est trop grande (%d × %d pixels) : %d "
                                        "mégapixels et %d pixels de côté au plus.",
                                        w, h, IMAGE_MAX_PIXELS / 1000000, IMAGE_MAX_SIDE));
            return MEDIA_INVALID;
        }
        if (ps != IMAGE_OK) {
            validate_error(errs, "file",
                           "Cette image est endommagée ou incomplète : elle ne peut pas être lue.");
            return MEDIA_INVALID;
        }
    }
    if (errs->n)
        return MEDIA_INVALID;

    /* The rate of edits, before the costly part: an upload counts as an edit. */
    p->who = in->uploader;
    if (!in->operator) {
        long wait = rate_edit_take(s, &p->who, in->client_ip, in->now, &p->hold);
        if (wait > 0) {
            in->retry_after = wait;
            return MEDIA_RATE_LIMITED;
        }
    }
    const char *source = media_hash(a, in->data, in->len);
    struct media_file_row have[MEDIA_FILES_MAX];
    if (store_media_files(s, a, source, have, MEDIA_FILES_MAX, &p->nhave) != STORE_OK) {
        rate_edit_forgive(&p->hold);
        return MEDIA_ERR;
    }
    if (image && p->nhave == 0) {
        enum image_status ms = image_make(a, in->data, in->len, &p->made);
        if (ms != IMAGE_OK) {
            rate_edit_forgive(&p->hold);
            if (ms == IMAGE_ERR)
                return MEDIA_ERR;
            validate_error(errs, "file",
                           ms == IMAGE_TOO_BIG
                               ? "Cette image est trop grande pour être reçue."
                               : "Cette image est endommagée ou incomplète : elle ne peut pas "
                                 "être lue.");
            return MEDIA_INVALID;
        }
        p->made_now = true;
        w = p->made.width;
        h = p->made.height;
    }
    p->t = t;
    p->image = image;
    p->role = role;
    p->alt = alt;
    p->caption = caption;
    p->author = author;
    p->license = license;
    p->filename = filename;
    p->source = source;
    p->w = w;
    p->h = h;
    return MEDIA_OK;
}

/* The uploader's rights as the site file has them now, inside the write transaction (blocked
 * meanwhile: MEDIA_FORBIDDEN); who->role read again. */
static int media_recheck(struct store *s, struct arena *a, struct viewer *who, bool operator,
                         long long now, long long *account_age)
{
    if (account_age)
        *account_age = -1;
    if (who->user_id <= 0)
        return MEDIA_OK;
    struct user_row u;
    int urc = store_user_by_id(s, a, who->user_id, &u);
    if (urc != STORE_OK || strcmp(u.status, "active") != 0)
        return urc == STORE_ERR ? MEDIA_ERR : MEDIA_FORBIDDEN;
    if (!operator)
        who->role = role_from_name(u.role);
    if (account_age)
        *account_age = now - u.created;
    return MEDIA_OK;
}

int media_add(struct store *s, struct arena *a, struct media_upload *in, struct media *out)
{
    struct field_errors local = {0};
    struct field_errors *errs = in->errs ? in->errs : &local;
    struct media_prepared *p = arena_alloc(a, sizeof(*p));
    int prc = media_prepare(s, a, in, false, p);
    if (prc != MEDIA_OK)
        return prc;
    struct rate_hold *hold = &p->hold;
    struct viewer who = p->who;
    const struct file_type t = p->t;
    const bool image = p->image, made_now = p->made_now;
    const char *role = p->role, *source = p->source;
    const int nhave = p->nhave, w = p->w, h = p->h;
    const char *alt = p->alt, *caption = p->caption, *author = p->author, *license = p->license,
               *filename = p->filename;

    if (store_begin(s) != STORE_OK)
        goto fail;
    /* The uploader's rights as the file has them now (blocked meanwhile: nothing). */
    long long account_age;
    int ret = media_recheck(s, a, &who, in->operator, in->now, &account_age);
    if (ret != MEDIA_OK)
        goto rollback;
    ret = MEDIA_ERR;
    struct media_row rows[MEDIA_PER_ENTRY_MAX];
    int nrows;
    if (store_media_of_entry(s, a, in->entry_id, rows, MEDIA_PER_ENTRY_MAX, &nrows) != STORE_OK)
        goto rollback;
    bool has_main = false;
    for (int i = 0; i < nrows; i++) {
        if (strcmp(rows[i].source, source) == 0 && strcmp(rows[i].state, "rejected") != 0) {
            validate_error(errs, "file", "Ce fichier est déjà sur la fiche.");
            ret = MEDIA_INVALID;
            goto rollback;
        }
        if (strcmp(rows[i].role, "main") == 0 && strcmp(rows[i].state, "published") == 0)
            has_main = true;
    }
    if (nrows >= MEDIA_PER_ENTRY_MAX) {
        validate_error(errs, "file",
                       arena_printf(a,
                                    "Cette fiche a déjà %d images et documents : c’est le "
                                    "plus qu’elle peut montrer.",
                                    MEDIA_PER_ENTRY_MAX));
        ret = MEDIA_INVALID;
        goto rollback;
    }
    if (!role)
        role = !image ? "document" : has_main ? "gallery" : "main";
    struct spam_result spam = {0};
    if (!in->operator) {
        ret =
            media_judge_texts(s, a, &who, account_age, alt, caption, author, filename, errs, &spam);
        if (ret != MEDIA_OK)
            goto rollback;
        ret = MEDIA_ERR;
    }
    /* Held like a text: above the hold threshold a file waits for a moderator, whoever sent it. */
    bool publish =
        in->operator||(viewer_publishes(&who) &&
                       spam.score < territory_setting_long(s, "spam_hold", SPAM_HOLD_DEFAULT));
    if ((made_now || !image) && nhave == 0 &&
        media_store_files(s, a, source, made_now ? &p->made : NULL, t.mime, in->data, in->len) !=
            MEDIA_OK)
        goto rollback;
    if (nhave > 0 && !media_files_kept(s, a, source))
        goto rollback;
    struct media_row m = {
        .entry_id = in->entry_id,
        .role = role,
        .state = publish ? "published" : "pending",
        .source = source,
        .mime = t.mime,
        .width = image ? w : 0,
        .height = image ? h : 0,
        .size = (long long)in->len,
        .filename = filename,
        .alt = alt,
        .caption = caption,
        .author = author,
        .license = license,
        .uploader_id = who.user_id,
        .created = in->now,
    };
    if (store_media_insert(s, &m, &m.id) != STORE_OK)
        goto rollback;
    if (publish && strcmp(role, "main") == 0 &&
        media_demote_mains(s, a, in->entry_id, m.id) != MEDIA_OK)
        goto rollback;
    if (store_generation_bump(s) != STORE_OK || store_commit(s) != STORE_OK)
        goto rollback;
    struct media_row back;
    if (store_media_by_id(s, a, m.id, &back) != STORE_OK ||
        media_fill(s, a, &back, out) != MEDIA_OK)
        return MEDIA_ERR;
    return MEDIA_OK;
rollback:
    store_rollback(s);
    if (ret != MEDIA_OK)
        rate_edit_forgive(hold);
    return ret;
fail:
    rate_edit_forgive(hold);
    return MEDIA_ERR;
}

/* ---- the photo of a draft (web/propose.c's photo step, through core/draft.c) ---- */

int media_draft_put(struct store *s, struct arena *a, long long draft_id, struct media_upload *in,
                    struct media *out)
{
    struct media_prepared *p = arena_alloc(a, sizeof(*p));
    in->role = "main";
    int rc = media_prepare(s, a, in, true, p);
    if (rc != MEDIA_OK)
        return rc;
    if (store_begin(s) != STORE_OK) {
        rate_edit_forgive(&p->hold);
        return MEDIA_ERR;
    }
    long long account_age;
    int ret = media_recheck(s, a, &p->who, in->operator, in->now, &account_age);
    if (ret != MEDIA_OK)
        goto rollback;
    /* Judged now, when its author can still change the texts; on submit the photo waits for a
     * moderator or not as the author's role says, like the text it comes with. */
    struct spam_result spam = {0};
    ret = media_judge_texts(s, a, &p->who, account_age, p->alt, p->caption, p->author, p->filename,
                            in->errs ? in->errs : &(struct field_errors){0}, &spam);
    if (ret != MEDIA_OK)
        goto rollback;
    ret = MEDIA_ERR;
    if (p->made_now && p->nhave == 0 &&
        media_store_files(s, a, p->source, &p->made, p->t.mime, in->data, in->len) != MEDIA_OK)
        goto rollback;
    if (p->nhave > 0 && !media_files_kept(s, a, p->source))
        goto rollback;
    struct media_row m = {
        .role = "main",
        .state = "draft",
        .source = p->source,
        .mime = p->t.mime,
        .width = p->w,
        .height = p->h,
        .size = (long long)in->len,
        .filename = p->filename,
        .alt = p->alt,
        .caption = p->caption,
        .author = p->author,
        .created = in->now,
    };
    /* No generation moves: no public page depends on a draft. */
    int prc = store_draft_media_put(s, draft_id, p->who.user_id, &m);
    if (prc != STORE_OK) {
        ret = prc == STORE_NOTFOUND ? MEDIA_NOTFOUND : MEDIA_ERR; /* the draft went meanwhile */
        goto rollback;
    }
    if (store_commit(s) != STORE_OK)
        goto rollback;
    return media_draft_get(s, a, draft_id, out);
rollback:
    store_rollback(s);
    rate_edit_forgive(&p->hold);
    return ret;
}

int media_draft_get(struct store *s, struct arena *a, long long draft_id, struct media *out)
{
    struct media_row r;
    int rc = store_draft_media_get(s, a, draft_id, &r);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? MEDIA_NOTFOUND : MEDIA_ERR;
    return media_fill(s, a, &r, out);
}

int media_draft_texts(struct store *s, struct arena *a, long long draft_id, const struct viewer *v,
                      const char *alt, const char *caption, const char *author,
                      struct field_errors *errs)
{
    struct media_row r;
    int rc = store_draft_media_get(s, a, draft_id, &r);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? MEDIA_NOTFOUND : MEDIA_ERR;
    r.alt = media_text(a, "alt", alt, MEDIA_ALT_MAX, true,
                       "Décrivez l’image en quelques mots pour qui ne la voit pas (texte "
                       "alternatif).",
                       errs);
    r.caption = media_text(a, "caption", caption, MEDIA_CAPTION_MAX, false, NULL, errs);
    r.author = media_text(a, "author", author, MEDIA_AUTHOR_MAX, false, NULL, errs);
    if (errs->n)
        return MEDIA_INVALID;
    /* Texts changed without a new file are judged as those sent with one. */
    struct viewer who = *v;
    long long account_age;
    struct spam_result spam;
    if (store_begin(s) != STORE_OK)
        return MEDIA_ERR;
    rc = media_recheck(s, a, &who, false, (long long)time(NULL), &account_age);
    if (rc == MEDIA_OK)
        rc = media_judge_texts(s, a, &who, account_age, r.alt, r.caption, r.author, r.filename,
                               errs, &spam);
    if (rc == MEDIA_OK) {
        int prc = store_draft_media_put(s, draft_id, who.user_id, &r);
        rc = prc == STORE_OK ? MEDIA_OK : prc == STORE_NOTFOUND ? MEDIA_NOTFOUND : MEDIA_ERR;
    }
    if (rc != MEDIA_OK || store_commit(s) != STORE_OK) {
        store_rollback(s);
        return rc != MEDIA_OK ? rc : MEDIA_ERR;
    }
    return MEDIA_OK;
}

int media_draft_remove(struct store *s, long long draft_id)
{
    return store_draft_media_delete(s, draft_id) == STORE_OK ? MEDIA_OK : MEDIA_ERR;
}

int media_draft_file(struct store *s, struct arena *a, long long draft_id, const char *hash,
                     const char **mime, const unsigned char **data, size_t *len)
{
    struct media_row r;
    int rc = store_draft_media_get(s, a, draft_id, &r);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? MEDIA_NOTFOUND : MEDIA_ERR;
    struct media_file_row files[MEDIA_FILES_MAX];
    int n;
    if (store_media_files(s, a, r.source, files, MEDIA_FILES_MAX, &n) != STORE_OK)
        return MEDIA_ERR;
    /* Only a file made of this draft's photo: never the upload itself, never another file. */
    for (int i = 0; i < n; i++)
        if (strcmp(files[i].hash, hash) == 0) {
            rc = store_blob_get(s, a, hash, mime, data, len);
            return rc == STORE_OK ? MEDIA_OK : rc == STORE_NOTFOUND ? MEDIA_NOTFOUND : MEDIA_ERR;
        }
    return MEDIA_NOTFOUND;
}

int media_draft_attach(struct store *s, struct arena *a, long long draft_id,
                       const struct media_attach *in, struct media *out)
{
    struct media_row r;
    int rc = store_draft_media_get(s, a, draft_id, &r);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? MEDIA_NOTFOUND : MEDIA_ERR;
    struct field_errors errs = {0};
    const char *license = media_license(in->kind, NULL, in->entry_license, &errs);
    if (!license)
        return MEDIA_INVALID;
    if (store_begin(s) != STORE_OK)
        return MEDIA_ERR;
    struct viewer who = in->uploader;
    long long account_age;
    int ret = media_recheck(s, a, &who, false, in->now, &account_age);
    if (ret != MEDIA_OK)
        goto rollback;
    /* Published at once for a trusted uploader and above, pending otherwise, and held above the
     * spam threshold whoever sent it: as any upload (the texts judged again, as they are now). */
    struct spam_result spam;
    ret = media_judge_texts(s, a, &who, account_age, r.alt, r.caption, r.author, r.filename, &errs,
                            &spam);
    if (ret != MEDIA_OK)
        goto rollback;
    ret = MEDIA_ERR;
    bool publish = viewer_publishes(&who) &&
                   spam.score < territory_setting_long(s, "spam_hold", SPAM_HOLD_DEFAULT);
    struct media_row m = r;
    m.entry_id = in->entry_id;
    m.role = "main";
    m.state = publish ? "published" : "pending";
    m.license = license;
    m.uploader_id = who.user_id;
    m.created = in->now;
    if (store_media_insert(s, &m, &m.id) != STORE_OK ||
        (publish && media_demote_mains(s, a, in->entry_id, m.id) != MEDIA_OK) ||
        store_draft_media_delete(s, draft_id) != STORE_OK || store_generation_bump(s) != STORE_OK ||
        store_commit(s) != STORE_OK)
        goto rollback;
    struct media_row back;
    if (store_media_by_id(s, a, m.id, &back) != STORE_OK ||
        media_fill(s, a, &back, out) != MEDIA_OK)
        return MEDIA_ERR;
    return MEDIA_OK;
rollback:
    store_rollback(s);
    return ret;
}

int media_of_entry(struct store *s, struct arena *a, const struct viewer *v, long long entry_id,
                   struct media **out, int *n)
{
    *out = NULL;
    *n = 0;
    struct media_row rows[MEDIA_PER_ENTRY_MAX];
    int nrows;
    if (store_media_of_entry(s, a, entry_id, rows, MEDIA_PER_ENTRY_MAX, &nrows) != STORE_OK)
        return MEDIA_ERR;
    struct media *list = arena_alloc(a, sizeof(*list) * (size_t)(nrows ? nrows : 1));
    for (int i = 0; i < nrows; i++) {
        /* The entry itself was found with v by the caller: its own state is already decided. */
        if (!media_visible(v, rows[i].state, rows[i].uploader_id, false, 0, true))
            continue;
        if (media_fill(s, a, &rows[i], &list[*n]) != MEDIA_OK)
            return MEDIA_ERR;
        (*n)++;
    }
    *out = list;
    return MEDIA_OK;
}

int media_find(struct store *s, struct arena *a, const struct viewer *v, long long id,
               struct media *out)
{
    struct media_row r;
    int rc = store_media_by_id(s, a, id, &r);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? MEDIA_NOTFOUND : MEDIA_ERR;
    if (!media_visible(v, r.state, r.uploader_id, false, 0, true))
        return MEDIA_NOTFOUND;
    return media_fill(s, a, &r, out);
}

int media_mains(struct store *s, struct arena *a, const long long *ids, int n,
                const struct media **out)
{
    for (int i = 0; i < n; i++)
        out[i] = NULL;
    if (n == 0)
        return MEDIA_OK;
    struct buf b = BUF_INIT;
    buf_putc(&b, '[');
    for (int i = 0; i < n; i++)
        buf_printf(&b, "%s%lld", i ? "," : "", ids[i]);
    buf_putc(&b, ']');
    struct media_row *rows = arena_alloc(a, sizeof(*rows) * (size_t)n);
    int nrows;
    int rc = store_media_mains(s, a, buf_cstr(&b), rows, n, &nrows);
    buf_free(&b);
    if (rc != STORE_OK)
        return MEDIA_ERR;
    for (int j = 0; j < nrows; j++)
        for (int i = 0; i < n; i++)
            if (ids[i] == rows[j].entry_id && !out[i]) {
                struct media *m = arena_alloc(a, sizeof(*m));
                if (media_fill(s, a, &rows[j], m) != MEDIA_OK)
                    return MEDIA_ERR;
                out[i] = m;
            }
    return MEDIA_OK;
}

int media_file_get(struct store *s, struct arena *a, const struct viewer *v, const char *hash,
                   const char **mime, const unsigned char **data, size_t *len,
                   const char **filename, bool *public_)
{
    *public_ = false;
    *filename = NULL;
    if (strlen(hash) != 64 || strspn(hash, "0123456789abcdef") != 64)
        return MEDIA_NOTFOUND;
    struct media_holder holders[16];
    int n;
    if (store_media_holders(s, a, hash, holders, 16, &n) != STORE_OK)
        return MEDIA_ERR;
    bool seen = false;
    for (int i = 0; i < n && !*public_; i++) {
        const struct media_holder *h = &holders[i];
        if (media_visible(&viewer_public, h->state, h->uploader_id, h->entry_deleted,
                          h->entry_hidden, h->entry_published)) {
            *public_ = true;
            seen = true;
            *filename = h->filename;
        } else if (!seen && media_visible(v, h->state, h->uploader_id, h->entry_deleted,
                                          h->entry_hidden, h->entry_published)) {
            seen = true;
            *filename = h->filename;
        }
    }
    if (!seen)
        return MEDIA_NOTFOUND;
    int rc = store_blob_get(s, a, hash, mime, data, len);
    return rc == STORE_OK ? MEDIA_OK : rc == STORE_NOTFOUND ? MEDIA_NOTFOUND : MEDIA_ERR;
}

int media_change(struct store *s, struct arena *a, const struct media_change *in)
{
    struct field_errors local = {0};
    struct field_errors *errs = in->errs ? in->errs : &local;
    if (in->by.user_id <= 0)
        return MEDIA_FORBIDDEN;
    struct media_row r;
    int rc = store_media_by_id(s, a, in->id, &r);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? MEDIA_NOTFOUND : MEDIA_ERR;
    if (!media_visible(&in->by, r.state, r.uploader_id, false, 0, true))
        return MEDIA_NOTFOUND;
    /* A pending medium is its uploader's until decided; published ones are everybody's who may
     * edit (wiki-style), as texts are. */
    if (strcmp(r.state, "published") != 0 && !viewer_moderates(&in->by) &&
        in->by.user_id != r.uploader_id)
        return MEDIA_FORBIDDEN;
    bool image = media_is_image(r.mime);
    if (in->alt)
        r.alt = media_text(a, "alt", in->alt, MEDIA_ALT_MAX, image,
                           "Décrivez l’image en quelques mots pour qui ne la voit pas.", errs);
    if (in->caption)
        r.caption = media_text(a, "caption", in->caption, MEDIA_CAPTION_MAX, false, NULL, errs);
    if (in->author)
        r.author = media_text(a, "author", in->author, MEDIA_AUTHOR_MAX, false, NULL, errs);
    if (in->license) {
        /* Like a text's licence, a published medium's changes only by a moderator's hand. */
        if (strcmp(in->license, r.license) != 0 && strcmp(r.state, "published") == 0 &&
            !viewer_moderates(&in->by))
            validate_error(errs, "license",
                           "Seule l’équipe de modération peut changer la licence d’un fichier "
                           "publié.");
        else
            r.license = media_license(in->kind, in->license, r.license, errs);
    }
    bool deleting = false;
    if (in->role) {
        if (strcmp(in->role, "deleted") == 0)
            deleting = true;
        else if (!media_role_valid(in->role) || (image && strcmp(in->role, "document") == 0) ||
                 (!image && strcmp(in->role, "document") != 0))
            validate_error(errs, "role", "Ce rôle ne convient pas à ce fichier.");
        else
            r.role = in->role;
    }
    if (errs->n)
        return MEDIA_INVALID;
    if (store_begin(s) != STORE_OK)
        return MEDIA_ERR;
    if (deleting) {
        r.state = "deleted";
        r.decided_by = in->by.user_id; /* when: what media_purge counts its days from */
        r.decided = in->now;
    }
    if (store_media_update(s, &r) != STORE_OK ||
        (!deleting && strcmp(r.role, "main") == 0 && strcmp(r.state, "published") == 0 &&
         media_demote_mains(s, a, r.entry_id, r.id) != MEDIA_OK) ||
        (deleting &&
         store_modlog_insert(s, in->now, in->by.user_id, "media_delete", r.entry_id, 0,
                             r.uploader_id, arena_printf(a, "media %lld", r.id)) != STORE_OK) ||
        store_generation_bump(s) != STORE_OK || store_commit(s) != STORE_OK) {
        store_rollback(s);
        return MEDIA_ERR;
    }
    return MEDIA_OK;
}

int media_decide(struct store *s, struct arena *a, const struct viewer *moderator, long long id,
                 bool approve, long long now)
{
    if (!viewer_moderates(moderator))
        return MEDIA_FORBIDDEN;
    if (store_begin(s) != STORE_OK)
        return MEDIA_ERR;
    struct media_row r;
    int rc = store_media_by_id(s, a, id, &r);
    int ret = rc == STORE_NOTFOUND ? MEDIA_NOTFOUND : MEDIA_ERR;
    if (rc != STORE_OK || strcmp(r.state, "pending") != 0) {
        if (rc == STORE_OK)
            ret = MEDIA_NOTFOUND;
        store_rollback(s);
        return ret;
    }
    r.state = approve ? "published" : "rejected";
    r.decided_by = moderator->user_id;
    r.decided = now;
    if (store_media_update(s, &r) != STORE_OK ||
        (approve && strcmp(r.role, "main") == 0 &&
         media_demote_mains(s, a, r.entry_id, r.id) != MEDIA_OK) ||
        store_modlog_insert(s, now, moderator->user_id, approve ? "media_approve" : "media_reject",
                            r.entry_id, 0, r.uploader_id,
                            arena_printf(a, "media %lld", r.id)) != STORE_OK ||
        store_generation_bump(s) != STORE_OK || store_commit(s) != STORE_OK) {
        store_rollback(s);
        return MEDIA_ERR;
    }
    return MEDIA_OK;
}

int media_pending(struct store *s, struct arena *a, const struct viewer *v, struct media **out,
                  int max, int *n)
{
    *n = 0;
    *out = NULL;
    if (!viewer_moderates(v))
        return MEDIA_FORBIDDEN;
    struct media_row *rows = arena_alloc(a, sizeof(*rows) * (size_t)(max ? max : 1));
    int nrows;
    if (store_media_pending(s, a, rows, max, &nrows) != STORE_OK)
        return MEDIA_ERR;
    struct media *list = arena_alloc(a, sizeof(*list) * (size_t)(nrows ? nrows : 1));
    for (int i = 0; i < nrows; i++) {
        struct media *m = &list[*n];
        struct entry_row e;
        if (store_entry_by_id(s, a, rows[i].entry_id, &e) != STORE_OK || e.deleted)
            continue;
        if (media_fill(s, a, &rows[i], m) != MEDIA_OK)
            return MEDIA_ERR;
        m->entry_slug = e.slug;
        m->entry_kind = e.kind;
        struct user_row u;
        m->uploader_name =
            rows[i].uploader_id > 0 && store_user_by_id(s, a, rows[i].uploader_id, &u) == STORE_OK
                ? u.name
                : "";
        (*n)++;
    }
    *out = list;
    return MEDIA_OK;
}

int media_purge(struct store *s, long long now, int *purged)
{
    int total = 0, n = 0;
    /* In batches, each its own transaction, so that uploads never wait long behind it. */
    for (int round = 0; round < 16; round++) {
        if (store_media_purge(s, now - MEDIA_PURGE_DAYS * 86400LL, 32, &n) != STORE_OK)
            return -1;
        total += n;
        if (n < 32)
            break;
    }
    if (purged)
        *purged = total;
    return 0;
}

int media_public_of(struct store *s, struct arena *a, const long long *ids, int n,
                    struct media **lists, int *counts)
{
    for (int i = 0; i < n; i++) {
        lists[i] = NULL;
        counts[i] = 0;
    }
    if (n == 0)
        return MEDIA_OK;
    struct buf b = BUF_INIT;
    buf_putc(&b, '[');
    for (int i = 0; i < n; i++)
        buf_printf(&b, "%s%lld", i ? "," : "", ids[i]);
    buf_putc(&b, ']');
    int max = n * MEDIA_PER_ENTRY_MAX, nrows = 0;
    struct media_row *rows = arena_alloc(a, sizeof(*rows) * (size_t)max);
    int rc = store_media_published_of(s, a, buf_cstr(&b), rows, max, &nrows);
    buf_free(&b);
    if (rc != STORE_OK)
        return MEDIA_ERR;
    if (nrows == 0)
        return MEDIA_OK;
    /* Their files in one more query (a source named twice is asked once: JSON ignores it). */
    buf_putc(&b, '[');
    for (int j = 0; j < nrows; j++)
        buf_printf(&b, "%s\"%s\"", j ? "," : "", rows[j].source); /* hex: nothing to escape */
    buf_putc(&b, ']');
    int fmax = nrows * MEDIA_FILES_MAX, nfiles = 0;
    struct media_file_row *files = arena_alloc(a, sizeof(*files) * (size_t)fmax);
    rc = store_media_files_of(s, a, buf_cstr(&b), files, fmax, &nfiles);
    buf_free(&b);
    if (rc != STORE_OK)
        return MEDIA_ERR;
    for (int i = 0; i < n; i++) {
        int k = 0;
        for (int j = 0; j < nrows; j++)
            k += rows[j].entry_id == ids[i];
        if (!k)
            continue;
        lists[i] = arena_alloc(a, sizeof(**lists) * (size_t)k);
        for (int j = 0; j < nrows; j++) {
            if (rows[j].entry_id != ids[i])
                continue;
            struct media *m = &lists[i][counts[i]++];
            media_fill_row(&rows[j], m);
            int first = -1, count = 0;
            for (int f = 0; f < nfiles; f++)
                if (strcmp(files[f].source, rows[j].source) == 0) {
                    if (first < 0)
                        first = f;
                    count++;
                }
            if (first >= 0)
                media_fill_files(a, m, &files[first], count);
        }
    }
    return MEDIA_OK;
}
