/* image.c — file types by content, and images re-encoded by libvips (see image.h).
 *
 * Why the loaders are narrowed: libvips can read dozens of formats, some through big libraries
 * (SVG via librsvg, PDF via poppler, Matlab, FITS…) that have no business reading strangers'
 * files here. image_init blocks every loader but the JPEG, PNG, WebP and HEIF ones, and
 * file_sniff has already said which of these the content is; a polyglot (a JPEG with a ZIP or a
 * script after it) is decoded as what its first bytes say and comes out as pixels only. */
#include "render/image.h"
#include "util/arena.h"
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <vips/vips.h>

static bool image_started;

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static const struct file_type type_unknown = {
    FILE_UNKNOWN, NULL, NULL, NULL,
    "Ce type de fichier n’est pas accepté : envoyez une image JPEG, PNG, WebP ou HEIC, ou un "
    "document PDF, OpenDocument (odt, odp, ods) ou Office (docx, pptx, xlsx)."};

/* A ZIP file as a document: OpenDocument (its first entry "mimetype", stored, names the type)
 * or Office Open XML (its central directory holds [Content_Types].xml and the main part). The
 * archive's structure must hold together: every entry inside the file. Nothing is inflated. */
static struct file_type file_sniff_zip(const unsigned char *d, size_t n)
{
    struct file_type zip = type_unknown;
    zip.reason = "Cette archive ZIP n’est pas un document accepté (OpenDocument ou Office).";
    /* OpenDocument: local header at 0, method 0, name "mimetype", the type as its data. */
    if (n > 38 && le16(d + 8) == 0 && le16(d + 26) == 8 && memcmp(d + 30, "mimetype", 8) == 0) {
        size_t extra = le16(d + 28), size = le32(d + 18);
        size_t off = 38 + extra;
        static const struct {
            const char *type, *ext, *label;
        } odf[] = {
            {"application/vnd.oasis.opendocument.text", "odt", "document texte OpenDocument"},
            {"application/vnd.oasis.opendocument.presentation", "odp", "présentation OpenDocument"},
            {"application/vnd.oasis.opendocument.spreadsheet", "ods", "tableur OpenDocument"},
        };
        for (size_t i = 0; i < sizeof odf / sizeof odf[0]; i++) {
            size_t tl = strlen(odf[i].type);
            if (size == tl && off + tl <= n && memcmp(d + off, odf[i].type, tl) == 0)
                return (struct file_type){FILE_DOCUMENT, odf[i].type, odf[i].ext, odf[i].label,
                                          NULL};
        }
        return zip;
    }
    /* The end of central directory record: in the last 22 + 65,535 bytes. */
    if (n < 22)
        return zip;
    size_t min = n > 22 + 65535 ? n - 22 - 65535 : 0;
    size_t eocd = 0;
    bool found = false;
    for (size_t i = n - 22 + 1; i-- > min;)
        if (d[i] == 'P' && d[i + 1] == 'K' && d[i + 2] == 5 && d[i + 3] == 6) {
            eocd = i;
            found = true;
            break;
        }
    if (!found)
        return zip;
    size_t count = le16(d + eocd + 10), cd_size = le32(d + eocd + 12), cd_off = le32(d + eocd + 16);
    if (cd_off > n || cd_size > n - cd_off || count > 20000)
        return zip;
    bool types = false, word = false, ppt = false, xl = false;
    size_t p = cd_off;
    for (size_t i = 0; i < count; i++) {
        if (p + 46 > cd_off + cd_size || memcmp(d + p, "PK\1\2", 4) != 0)
            return zip;
        size_t nl = le16(d + p + 28), el = le16(d + p + 30), cl = le16(d + p + 32);
        if (p + 46 + nl + el + cl > cd_off + cd_size || le32(d + p + 42) >= n)
            return zip;
        const char *name = (const char *)d + p + 46;
#define NAME_IS(lit) (nl == sizeof(lit) - 1 && memcmp(name, lit, nl) == 0)
        types |= NAME_IS("[Content_Types].xml");
        word |= NAME_IS("word/document.xml");
        ppt |= NAME_IS("ppt/presentation.xml");
        xl |= NAME_IS("xl/workbook.xml");
#undef NAME_IS
        p += 46 + nl + el + cl;
    }
    if (types && word)
        return (struct file_type){
            FILE_DOCUMENT,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx",
            "document Word", NULL};
    if (types && ppt)
        return (struct file_type){
            FILE_DOCUMENT,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx",
            "présentation PowerPoint", NULL};
    if (types && xl)
        return (struct file_type){
            FILE_DOCUMENT, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx", "tableur Excel", NULL};
    return zip;
}

struct file_type file_sniff(const unsigned char *d, size_t n)
{
    if (n >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff)
        return (struct file_type){FILE_IMAGE, "image/jpeg", "jpg", "image JPEG", NULL};
    if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
        return (struct file_type){FILE_IMAGE, "image/png", "png", "image PNG", NULL};
    if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
        return (struct file_type){FILE_IMAGE, "image/webp", "webp", "image WebP", NULL};
    if (n >= 12 && memcmp(d + 4, "ftyp", 4) == 0) {
        static const char *const brands[] = {"heic", "heix", "hevc", "hevx", "heim",
                                             "heis", "mif1", "msf1", "avif"};
        for (size_t i = 0; i < sizeof brands / sizeof brands[0]; i++)
            if (memcmp(d + 8, brands[i], 4) == 0)
                return (struct file_type){
                    FILE_IMAGE, memcmp(d + 8, "avif", 4) == 0 ? "image/avif" : "image/heic", "heic",
                    "image HEIC", NULL};
        struct file_type t = type_unknown;
        t.reason = "Les vidéos ne sont pas acceptées : envoyez une image ou un document.";
        return t;
    }
    if (n >= 5 && memcmp(d, "%PDF-", 5) == 0)
        return (struct file_type){FILE_DOCUMENT, "application/pdf", "pdf", "document PDF", NULL};
    if (n >= 4 && memcmp(d, "PK\3\4", 4) == 0)
        return file_sniff_zip(d, n);
    if (n >= 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0)) {
        struct file_type t = type_unknown;
        t.cls = FILE_REFUSED;
        t.reason = "Les images GIF ne sont pas acceptées : envoyez une image JPEG, PNG, WebP ou "
                   "HEIC.";
        return t;
    }
    /* Markup: SVG (which can carry scripts) and anything else that begins like HTML or XML,
     * after an optional byte order mark and blanks. */
    size_t i = 0;
    if (n >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf)
        i = 3;
    while (i < n && i < 4096 && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
        i++;
    if (i < n && d[i] == '<') {
        bool svg = false;
        size_t look = n - i < 4096 ? n - i : 4096;
        for (size_t j = i; j + 4 <= i + look; j++)
            if ((d[j] == '<' || d[j] == ' ') && (d[j + 1] | 0x20) == 's' &&
                (d[j + 2] | 0x20) == 'v' && (d[j + 3] | 0x20) == 'g')
                svg = true;
        struct file_type t = type_unknown;
        t.cls = FILE_REFUSED;
        t.reason = svg ? "Les images SVG ne sont pas acceptées (elles peuvent contenir du code) : "
                         "envoyez une image JPEG, PNG, WebP ou HEIC."
                       : "Les pages HTML et les fichiers XML ne sont pas acceptés.";
        return t;
    }
    return type_unknown;
}

static void image_quiet(const gchar *domain, GLogLevelFlags level, const gchar *message,
                        gpointer data)
{
    (void)domain;
    (void)level;
    (void)message;
    (void)data;
}

bool image_init(void)
{
    if (image_started)
        return true;
    if (VIPS_INIT("foison") != 0) {
        fprintf(stderr, "foison: libvips: %s\n", vips_error_buffer());
        vips_error_clear();
        return false;
    }
    /* libvips warns on stderr about every odd file strangers send; refusing them is what
     * counts, and that is said to the sender. */
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE, image_quiet, NULL);
    /* Nothing kept between operations: every upload is another image, and memory stays flat. */
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_concurrency_set(1);
    vips_block_untrusted_set(TRUE);
    vips_operation_block_set("VipsForeignLoad", TRUE);
    vips_operation_block_set("VipsForeignLoadJpegBuffer", FALSE);
    vips_operation_block_set("VipsForeignLoadPngBuffer", FALSE);
    vips_operation_block_set("VipsForeignLoadWebpBuffer", FALSE);
    vips_operation_block_set("VipsForeignLoadHeifBuffer", FALSE);
    image_started = true;
    return true;
}

static void image_log(const char *what)
{
    fprintf(stderr, "foison: image: %s: %s", what, vips_error_buffer());
    vips_error_clear();
}

static bool image_too_big(long long w, long long h)
{
    return w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE || w * h > IMAGE_MAX_PIXELS;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

enum image_status image_probe(const unsigned char *data, size_t len, int *width, int *height)
{
    if (!image_init())
        return IMAGE_ERR;
    /* A PNG says its size in the first chunk, at a fixed place: the cheapest bomb (a few
     * kilobytes of compressed zeros for billions of pixels) is told from that, before libpng
     * reads anything. */
    if (len >= 24 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0 &&
        memcmp(data + 12, "IHDR", 4) == 0) {
        uint32_t w = be32(data + 16), h = be32(data + 20);
        if (image_too_big(w, h)) {
            *width = w > INT32_MAX ? INT32_MAX : (int)w;
            *height = h > INT32_MAX ? INT32_MAX : (int)h;
            return IMAGE_TOO_BIG;
        }
    }
    /* Only the header is read: a loader opened without access to the pixels. */
    VipsImage *im =
        vips_image_new_from_buffer(data, len, "", "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    if (!im) {
        vips_error_clear();
        return IMAGE_CORRUPT;
    }
    int w = vips_image_get_width(im), h = vips_image_get_height(im);
    int orientation = vips_image_get_orientation(im);
    g_object_unref(im);
    if (w <= 0 || h <= 0)
        return IMAGE_CORRUPT;
    if (orientation >= 5 && orientation <= 8) {
        int t = w;
        w = h;
        h = t;
    }
    *width = w;
    *height = h;
    if (image_too_big(w, h))
        return IMAGE_TOO_BIG;
    return IMAGE_OK;
}

/* Removes the metadata fields of im, an image only this code holds: the variants are saved with
 * "strip", but libvips 8.14 still reads the EXIF block while saving WebP (vips__exif_update) and,
 * on a decoded phone photo, reads it after its blob was freed (AddressSanitizer). Nothing of it
 * is wanted anyway: the orientation is applied and the position must go. */
static void image_drop_fields(VipsImage *im)
{
    gchar **names = vips_image_get_fields(im);
    for (int i = 0; names && names[i]; i++) {
        const char *n = names[i];
        if (strncmp(n, "exif-", 5) == 0 || strcmp(n, "xmp-data") == 0 ||
            strcmp(n, "iptc-data") == 0 || strcmp(n, "icc-profile-data") == 0 ||
            strcmp(n, "orientation") == 0 || strncmp(n, "heif-", 5) == 0)
            vips_image_remove(im, n);
    }
    g_strfreev(names);
}

/* im as 8-bit sRGB, without alpha for JPEG (flattened on white), ready to save. */
static VipsImage *image_for_save(VipsImage *im, bool jpeg)
{
    VipsImage *t = NULL, *u = NULL;
    if (vips_colourspace(im, &t, VIPS_INTERPRETATION_sRGB, NULL) != 0)
        return NULL;
    if (jpeg && vips_image_hasalpha(t)) {
        VipsArrayDouble *white = vips_array_double_newv(3, 255.0, 255.0, 255.0);
        int rc = vips_flatten(t, &u, "background", white, NULL);
        vips_area_unref(VIPS_AREA(white));
        g_object_unref(t);
        if (rc != 0)
            return NULL;
        t = u;
    }
    if (vips_image_get_format(t) != VIPS_FORMAT_UCHAR) {
        if (vips_cast_uchar(t, &u, NULL) != 0) {
            g_object_unref(t);
            return NULL;
        }
        g_object_unref(t);
        t = u;
    }
    return t;
}

/* Drops the EXIF, XMP and ICC chunks of a WebP file in place (and their flags in VP8X), and
 * returns its new length: libvips 8.14 writes a small EXIF block even when told to strip. A file
 * whose chunks do not add up is left as it is (it came from libvips: that would be a bug). */
static size_t webp_drop_metadata(unsigned char *d, size_t n)
{
    if (n < 12 || memcmp(d, "RIFF", 4) != 0 || memcmp(d + 8, "WEBP", 4) != 0)
        return n;
    size_t in = 12, out = 12;
    while (in + 8 <= n) {
        size_t size = le32(d + in + 4), whole = 8 + size + (size & 1);
        if (whole > n - in)
            return n;
        bool drop = memcmp(d + in, "EXIF", 4) == 0 || memcmp(d + in, "XMP ", 4) == 0 ||
                    memcmp(d + in, "ICCP", 4) == 0;
        if (!drop) {
            memmove(d + out, d + in, whole);
            if (memcmp(d + out, "VP8X", 4) == 0 && size >= 1)
                d[out + 8] &= (unsigned char)~(0x20 | 0x08 | 0x04); /* ICC, EXIF, XMP */
            out += whole;
        }
        in += whole;
    }
    if (in != n)
        return n;
    uint32_t riff = (uint32_t)(out - 8);
    for (int i = 0; i < 4; i++)
        d[4 + i] = (unsigned char)(riff >> (8 * i));
    return out;
}

/* Saves im (already at its width) as WebP and JPEG into out's next two variants. */
static enum image_status image_save_pair(struct arena *a, VipsImage *im, struct image_made *out)
{
    for (int jpeg = 0; jpeg <= 1; jpeg++) {
        if (out->nvariants >= IMAGE_MAX_VARIANTS)
            return IMAGE_OK;
        VipsImage *s = image_for_save(im, jpeg);
        if (!s) {
            image_log("colour");
            return IMAGE_ERR;
        }
        void *buf = NULL;
        size_t len = 0;
        int rc =
            jpeg ? vips_jpegsave_buffer(s, &buf, &len, "Q", 82, "strip", TRUE, "optimize_coding",
                                        TRUE, "interlace", TRUE, NULL)
                 : vips_webpsave_buffer(s, &buf, &len, "Q", 78, "strip", TRUE, "effort", 4, NULL);
        struct image_variant *v = &out->v[out->nvariants];
        v->width = vips_image_get_width(s);
        v->height = vips_image_get_height(s);
        g_object_unref(s);
        if (rc != 0) {
            image_log(jpeg ? "jpegsave" : "webpsave");
            return IMAGE_ERR;
        }
        v->mime = jpeg ? "image/jpeg" : "image/webp";
        v->ext = jpeg ? "jpg" : "webp";
        if (!jpeg)
            len = webp_drop_metadata(buf, len);
        v->data = arena_alloc(a, len);
        memcpy(v->data, buf, len);
        v->len = len;
        g_free(buf);
        out->nvariants++;
    }
    return IMAGE_OK;
}

/* Whether a JPEG's main image ends: its segments walked up to the first scan, then its end
 * marker after it (scans cannot hold one: their 0xff bytes are stuffed). libjpeg only warns on
 * a file cut short, reading from memory, and fills the rest in grey. A thumbnail in the EXIF
 * segment has an end marker of its own, before the scan: not counted. */
static bool jpeg_complete(const unsigned char *d, size_t n)
{
    size_t p = 2;
    while (p + 4 <= n) {
        if (d[p] != 0xff)
            return false;
        unsigned char m = d[p + 1];
        if (m == 0xff) { /* fill byte */
            p++;
            continue;
        }
        size_t seg = (size_t)(d[p + 2] << 8 | d[p + 3]);
        if (m == 0xda)
            return p + 2 + seg <= n &&
                   memmem(d + p + 2 + seg, n - p - 2 - seg, "\xff\xd9", 2) != NULL;
        p += 2 + seg;
    }
    return false;
}

/* One image is made at a time in the process: a decoded photo and its sizes take some 30 MiB,
 * and four uploads at once must not take four times that (bench/media.sh measures it). The
 * other requests keep the rest of the machine meanwhile. */
static pthread_mutex_t image_lock = PTHREAD_MUTEX_INITIALIZER;

static enum image_status image_make_locked(struct arena *a, const unsigned char *data, size_t len,
                                           struct image_made *out);

enum image_status image_make(struct arena *a, const unsigned char *data, size_t len,
                             struct image_made *out)
{
    pthread_mutex_lock(&image_lock);
    enum image_status st = image_make_locked(a, data, len, out);
    pthread_mutex_unlock(&image_lock);
    return st;
}

static enum image_status image_make_locked(struct arena *a, const unsigned char *data, size_t len,
                                           struct image_made *out)
{
    memset(out, 0, sizeof *out);
    int w, h;
    enum image_status st = image_probe(data, len, &w, &h);
    if (st != IMAGE_OK)
        return st;
    if (len >= 3 && data[0] == 0xff && data[1] == 0xd8 && !jpeg_complete(data, len))
        return IMAGE_CORRUPT;
    out->width = w;
    out->height = h;
    static const int widths[] = {320, 640, 1024, 1600};
    int largest = w < 320 ? w : 320;
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++)
        if (widths[i] <= w)
            largest = widths[i];
    /* Decoded once, at the largest width (JPEG and HEIF shrink while they load), upright, then
     * held in memory for the smaller ones: the upload is read a single time. fail-on=error: a
     * truncated or damaged file is refused, not served half grey. */
    VipsImage *big = NULL;
    if (vips_thumbnail_buffer((void *)data, len, &big, largest, "height", VIPS_MAX_COORD, "size",
                              VIPS_SIZE_DOWN, "fail_on", VIPS_FAIL_ON_ERROR, NULL) != 0) {
        vips_error_clear();
        return IMAGE_CORRUPT;
    }
    VipsImage *mem = vips_image_copy_memory(big);
    g_object_unref(big);
    if (!mem) {
        vips_error_clear();
        return IMAGE_CORRUPT;
    }
    image_drop_fields(mem);
    for (size_t i = 0; i < sizeof widths / sizeof widths[0] && st == IMAGE_OK; i++) {
        if (widths[i] >= largest)
            break;
        VipsImage *small = NULL;
        if (vips_thumbnail_image(mem, &small, widths[i], "height", VIPS_MAX_COORD, "size",
                                 VIPS_SIZE_DOWN, NULL) != 0) {
            image_log("resize");
            st = IMAGE_ERR;
            break;
        }
        st = image_save_pair(a, small, out);
        g_object_unref(small);
    }
    if (st == IMAGE_OK)
        st = image_save_pair(a, mem, out);
    g_object_unref(mem);
    return st;
}
