/* test_image.c — unit tests of render/image: types told by content whatever they claim (images,
 * PDF, OpenDocument and Office archives, SVG and HTML refused, a ZIP that is no document, GIF,
 * random bytes), and images made anew: the srcset widths, upright after an EXIF rotation, no
 * metadata left (EXIF, XMP, ICC), transparency flattened for JPEG, a header declaring 50,000 ×
 * 50,000 pixels refused before any decoding, truncated and damaged files refused, a polyglot
 * decoded as its first bytes say. The inputs are made here by libvips itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "render/image.h"
#include "util/arena.h"
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>
#include <zlib.h>

/* A w × h test picture (a gradient, so that encoders have something to do) saved by saver. */
static unsigned char *make_picture(int w, int h, int bands, const char *format, int orientation,
                                   size_t *len)
{
    VipsImage *xyz = NULL, *im = NULL, *t = NULL;
    assert_int_equal(vips_xyz(&xyz, w, h, NULL), 0);
    /* Two bands x and y: scale them to 0..255 and add bands up to the count wanted. */
    double a[] = {255.0 / w, 255.0 / h}, b[] = {0, 0};
    assert_int_equal(vips_linear(xyz, &t, a, b, 2, NULL), 0);
    g_object_unref(xyz);
    VipsImage *bandsv[4] = {t, t, t, t};
    VipsImage *x = NULL;
    assert_int_equal(vips_extract_band(t, &x, 0, NULL), 0);
    bandsv[0] = x;
    bandsv[1] = x;
    bandsv[2] = x;
    bandsv[3] = x;
    assert_int_equal(vips_bandjoin(bandsv, &im, bands, NULL), 0);
    g_object_unref(x);
    g_object_unref(t);
    VipsImage *u = NULL;
    assert_int_equal(vips_cast_uchar(im, &u, NULL), 0);
    g_object_unref(im);
    u->Type = bands >= 3 ? VIPS_INTERPRETATION_sRGB : VIPS_INTERPRETATION_B_W;
    if (orientation)
        vips_image_set_int(u, VIPS_META_ORIENTATION, orientation);
    /* Metadata a phone would leave: an XMP packet and an EXIF comment. */
    vips_image_set_string(u, "exif-ifd0-ImageDescription", "secret place");
    void *buf = NULL;
    int rc;
    if (strcmp(format, "jpeg") == 0)
        rc = vips_jpegsave_buffer(u, &buf, len, NULL);
    else if (strcmp(format, "png") == 0)
        rc = vips_pngsave_buffer(u, &buf, len, NULL);
    else if (strcmp(format, "webp") == 0)
        rc = vips_webpsave_buffer(u, &buf, len, NULL);
    else
        rc = vips_heifsave_buffer(u, &buf, len, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_HEVC,
                                  NULL);
    g_object_unref(u);
    assert_int_equal(rc, 0);
    return buf;
}

static void test_sniff(void **state)
{
    (void)state;
    struct file_type t;
    t = file_sniff((const unsigned char *)"\xff\xd8\xff\xe0", 4);
    assert_int_equal(t.cls, FILE_IMAGE);
    assert_string_equal(t.mime, "image/jpeg");
    t = file_sniff((const unsigned char *)"\x89PNG\r\n\x1a\n....", 12);
    assert_string_equal(t.mime, "image/png");
    t = file_sniff((const unsigned char *)"RIFF\0\0\0\0WEBPVP8 ", 16);
    assert_string_equal(t.mime, "image/webp");
    t = file_sniff((const unsigned char *)"\0\0\0\x18"
                                          "ftypheic\0\0\0\0",
                   16);
    assert_int_equal(t.cls, FILE_IMAGE);
    assert_string_equal(t.mime, "image/heic");
    t = file_sniff((const unsigned char *)"\0\0\0\x18"
                                          "ftypisom\0\0\0\0",
                   16);
    assert_int_equal(t.cls, FILE_UNKNOWN); /* an MP4 video */
    assert_non_null(t.reason);
    t = file_sniff((const unsigned char *)"%PDF-1.7\n", 9);
    assert_int_equal(t.cls, FILE_DOCUMENT);
    assert_string_equal(t.ext, "pdf");
    /* SVG, however it begins, and HTML: refused, with a reason. */
    const char *svgs[] = {"<svg xmlns='http://www.w3.org/2000/svg'/>",
                          "\xef\xbb\xbf  <?xml version='1.0'?><svg/>",
                          "<!DOCTYPE svg PUBLIC '-//W3C//DTD SVG 1.1//EN' ''><SVG/>"};
    for (size_t i = 0; i < 3; i++) {
        t = file_sniff((const unsigned char *)svgs[i], strlen(svgs[i]));
        assert_int_equal(t.cls, FILE_REFUSED);
        assert_non_null(strstr(t.reason, "SVG"));
    }
    t = file_sniff((const unsigned char *)"<html><script>1</script>", 24);
    assert_int_equal(t.cls, FILE_REFUSED);
    t = file_sniff((const unsigned char *)"GIF89a", 6);
    assert_int_equal(t.cls, FILE_REFUSED);
    t = file_sniff((const unsigned char *)"just some text", 14);
    assert_int_equal(t.cls, FILE_UNKNOWN);
    t = file_sniff((const unsigned char *)"", 0);
    assert_int_equal(t.cls, FILE_UNKNOWN);
}

/* A ZIP archive of the given (name, data) entries, stored, written by hand. */
static unsigned char *make_zip(const char *const *names, const char *const *datas, int n,
                               size_t *len)
{
    unsigned char *z = calloc(1, 65536);
    size_t p = 0, offs[16];
    for (int i = 0; i < n; i++) {
        size_t nl = strlen(names[i]), dl = strlen(datas[i]);
        uint32_t crc = (uint32_t)crc32(0, (const unsigned char *)datas[i], (unsigned)dl);
        offs[i] = p;
        unsigned char h[30] = {'P', 'K', 3, 4, 20, 0};
        memcpy(h + 14, &crc, 4);
        memcpy(h + 18, &dl, 4);
        memcpy(h + 22, &dl, 4);
        memcpy(h + 26, &nl, 2);
        memcpy(z + p, h, 30);
        memcpy(z + p + 30, names[i], nl);
        memcpy(z + p + 30 + nl, datas[i], dl);
        p += 30 + nl + dl;
    }
    size_t cd = p;
    for (int i = 0; i < n; i++) {
        size_t nl = strlen(names[i]), dl = strlen(datas[i]);
        unsigned char c[46] = {'P', 'K', 1, 2, 20, 0, 20, 0};
        memcpy(c + 20, &dl, 4);
        memcpy(c + 24, &dl, 4);
        memcpy(c + 28, &nl, 2);
        uint32_t off = (uint32_t)offs[i];
        memcpy(c + 42, &off, 4);
        memcpy(z + p, c, 46);
        memcpy(z + p + 46, names[i], nl);
        p += 46 + nl;
    }
    unsigned char e[22] = {'P', 'K', 5, 6};
    uint16_t cnt = (uint16_t)n;
    uint32_t size = (uint32_t)(p - cd), o = (uint32_t)cd;
    memcpy(e + 8, &cnt, 2);
    memcpy(e + 10, &cnt, 2);
    memcpy(e + 12, &size, 4);
    memcpy(e + 16, &o, 4);
    memcpy(z + p, e, 22);
    *len = p + 22;
    return z;
}

static void test_sniff_archives(void **state)
{
    (void)state;
    size_t n;
    const char *odt_n[] = {"mimetype", "content.xml"};
    const char *odt_d[] = {"application/vnd.oasis.opendocument.text", "<office/>"};
    unsigned char *z = make_zip(odt_n, odt_d, 2, &n);
    struct file_type t = file_sniff(z, n);
    assert_int_equal(t.cls, FILE_DOCUMENT);
    assert_string_equal(t.ext, "odt");
    free(z);
    const char *odp_d[] = {"application/vnd.oasis.opendocument.presentation", "<office/>"};
    z = make_zip(odt_n, odp_d, 2, &n);
    assert_string_equal(file_sniff(z, n).ext, "odp");
    free(z);
    const char *pptx_n[] = {"[Content_Types].xml", "ppt/presentation.xml"};
    const char *pptx_d[] = {"<Types/>", "<p/>"};
    z = make_zip(pptx_n, pptx_d, 2, &n);
    assert_string_equal(file_sniff(z, n).ext, "pptx");
    /* The same archive with its central directory pointing outside the file: not a document. */
    z[n - 22 + 16] = 0xff;
    z[n - 22 + 17] = 0xff;
    assert_int_equal(file_sniff(z, n).cls, FILE_UNKNOWN);
    free(z);
    /* A ZIP that holds something else (a bomb's shape: one big entry): refused, never
     * inflated. */
    const char *bomb_n[] = {"zeros.bin"};
    const char *bomb_d[] = {"0000000000"};
    z = make_zip(bomb_n, bomb_d, 1, &n);
    t = file_sniff(z, n);
    assert_int_equal(t.cls, FILE_UNKNOWN);
    assert_non_null(strstr(t.reason, "ZIP"));
    /* Cut in the middle: still no document. */
    assert_int_equal(file_sniff(z, n / 2).cls, FILE_UNKNOWN);
    free(z);
}

static bool has_metadata(const unsigned char *data, size_t len)
{
    VipsImage *im = vips_image_new_from_buffer(data, len, "", NULL);
    assert_non_null(im);
    bool found = vips_image_get_typeof(im, VIPS_META_EXIF_NAME) != 0 ||
                 vips_image_get_typeof(im, VIPS_META_XMP_NAME) != 0 ||
                 vips_image_get_typeof(im, VIPS_META_ICC_NAME) != 0;
    g_object_unref(im);
    return found;
}

static void test_make_variants(void **state)
{
    (void)state;
    size_t len;
    /* 2000 × 1500 stored, orientation 6 (turn right): 1500 × 2000 upright. */
    unsigned char *jpg = make_picture(2000, 1500, 3, "jpeg", 6, &len);
    assert_true(has_metadata(jpg, len));
    struct arena *a = arena_new();
    int w, h;
    assert_int_equal(image_probe(jpg, len, &w, &h), IMAGE_OK);
    assert_int_equal(w, 1500);
    assert_int_equal(h, 2000);
    struct image_made m;
    assert_int_equal(image_make(a, jpg, len, &m), IMAGE_OK);
    assert_int_equal(m.width, 1500);
    assert_int_equal(m.nvariants, 6); /* 320, 640, 1024 in WebP and JPEG */
    const int widths[] = {320, 320, 640, 640, 1024, 1024};
    for (int i = 0; i < m.nvariants; i++) {
        assert_int_equal(m.v[i].width, widths[i]);
        /* Upright: taller than wide, in the proportion of the upright picture. */
        int expect_h = (widths[i] * 2000 + 750) / 1500;
        assert_true(abs(m.v[i].height - expect_h) <= 1);
        struct file_type t = file_sniff(m.v[i].data, m.v[i].len);
        assert_string_equal(t.mime, m.v[i].mime);
        assert_string_equal(t.mime, i % 2 ? "image/jpeg" : "image/webp");
        assert_false(has_metadata(m.v[i].data, m.v[i].len));
    }
    g_free(jpg);
    /* A small PNG with transparency: one width, its own. */
    unsigned char *png = make_picture(200, 100, 4, "png", 0, &len);
    assert_int_equal(image_make(a, png, len, &m), IMAGE_OK);
    assert_int_equal(m.nvariants, 2);
    assert_int_equal(m.v[0].width, 200);
    assert_int_equal(m.v[1].height, 100);
    g_free(png);
    /* WebP and HEIC in. */
    unsigned char *webp = make_picture(700, 400, 3, "webp", 0, &len);
    assert_int_equal(image_make(a, webp, len, &m), IMAGE_OK);
    assert_int_equal(m.nvariants, 4);
    assert_int_equal(m.v[3].width, 640);
    g_free(webp);
    unsigned char *heic = make_picture(800, 600, 3, "heif", 0, &len);
    assert_string_equal(file_sniff(heic, len).mime, "image/heic");
    assert_int_equal(image_make(a, heic, len, &m), IMAGE_OK);
    assert_int_equal(m.v[m.nvariants - 1].width, 640);
    g_free(heic);
    arena_free(a);
}

/* A PNG whose header says w × h, with nothing after it but an empty image stream. */
static size_t make_png_header(unsigned char *out, uint32_t w, uint32_t h)
{
    memcpy(out, "\x89PNG\r\n\x1a\n", 8);
    unsigned char ihdr[17] = {'I', 'H', 'D', 'R'};
    for (int i = 0; i < 4; i++) {
        ihdr[4 + i] = (unsigned char)(w >> (24 - 8 * i));
        ihdr[8 + i] = (unsigned char)(h >> (24 - 8 * i));
    }
    ihdr[12] = 8; /* depth */
    ihdr[13] = 2; /* RGB */
    memcpy(out + 8, "\0\0\0\x0d", 4);
    memcpy(out + 12, ihdr, 17);
    uint32_t crc = (uint32_t)crc32(0, ihdr, 17);
    for (int i = 0; i < 4; i++)
        out[29 + i] = (unsigned char)(crc >> (24 - 8 * i));
    memcpy(out + 33, "\0\0\0\0IEND\xae\x42\x60\x82", 12);
    return 45;
}

static void test_refused(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct image_made m;
    unsigned char png[64];
    size_t n = make_png_header(png, 50000, 50000);
    int w, h;
    assert_int_equal(image_probe(png, n, &w, &h), IMAGE_TOO_BIG);
    assert_int_equal(w, 50000);
    assert_int_equal(image_make(a, png, n, &m), IMAGE_TOO_BIG);
    n = make_png_header(png, 30000, 10); /* few pixels, but a side too long */
    assert_int_equal(image_make(a, png, n, &m), IMAGE_TOO_BIG);
    /* A header of a small image with no pixels after it: damaged. */
    n = make_png_header(png, 100, 100);
    assert_int_equal(image_make(a, png, n, &m), IMAGE_CORRUPT);
    /* A JPEG cut in half, and one with its middle overwritten. */
    size_t len;
    unsigned char *jpg = make_picture(800, 600, 3, "jpeg", 0, &len);
    assert_int_equal(image_make(a, jpg, len / 2, &m), IMAGE_CORRUPT);
    assert_int_equal(image_make(a, jpg, 40, &m), IMAGE_CORRUPT);
    /* A polyglot: a JPEG followed by an HTML page. Decoded as the JPEG; what comes out is a new
     * image, without the page. */
    unsigned char *poly = malloc(len + 64);
    memcpy(poly, jpg, len);
    memcpy(poly + len, "<html><script>alert(1)</script></html>", 39);
    assert_int_equal(image_make(a, poly, len + 39, &m), IMAGE_OK);
    for (int i = 0; i < m.nvariants; i++)
        assert_null(memmem(m.v[i].data, m.v[i].len, "<script", 7));
    free(poly);
    g_free(jpg);
    /* Random bytes behind a JPEG signature. */
    unsigned char junk[4096] = {0xff, 0xd8, 0xff, 0xe0};
    for (size_t i = 4; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 2654435761u >> 13);
    assert_int_equal(image_make(a, junk, sizeof junk, &m), IMAGE_CORRUPT);
    arena_free(a);
}

int main(void)
{
    if (!image_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_sniff_archives),
        cmocka_unit_test(test_make_variants),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
