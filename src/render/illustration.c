/* illustration.c — abstract pictures drawn from a seed (see illustration.h). The pixels are
 * computed here, in plain C (no font, no file: nothing differs between machines), and libvips
 * only encodes them. */
#include "render/illustration.h"
#include "render/image.h"
#include "util/arena.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

/* Palettes of the site's own colours and of the Breton coast: background from, to, and three
 * colours of shapes. */
static const unsigned char palettes[][5][3] = {
    {{14, 94, 111}, {38, 156, 150}, {244, 211, 94}, {238, 150, 75}, {250, 240, 202}},
    {{35, 61, 77}, {97, 152, 142}, {254, 127, 45}, {252, 202, 70}, {161, 193, 129}},
    {{61, 52, 139}, {118, 120, 237}, {247, 184, 1}, {241, 135, 1}, {243, 91, 4}},
    {{0, 48, 73}, {0, 119, 182}, {144, 224, 239}, {255, 183, 3}, {251, 133, 0}},
    {{45, 106, 79}, {82, 183, 136}, {216, 243, 220}, {255, 209, 102}, {239, 71, 111}},
    {{91, 33, 182}, {192, 132, 252}, {254, 240, 138}, {52, 211, 153}, {248, 250, 252}},
};

static uint32_t rnd(uint32_t *s)
{
    /* xorshift32: enough to place discs, and the same on every machine. */
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

int illustration_make(struct arena *a, unsigned long seed, int width, int height,
                      unsigned char **png, size_t *len)
{
    if (!image_init() || width <= 0 || height <= 0 || width > 4000 || height > 4000)
        return -1;
    uint32_t st = (uint32_t)(seed * 2654435761u) | 1u;
    const unsigned char(*p)[3] = palettes[seed % (sizeof palettes / sizeof palettes[0])];
    size_t n = (size_t)width * (size_t)height * 3;
    unsigned char *px = malloc(n);
    if (!px)
        return -1;
    /* A diagonal gradient between the palette's two first colours. */
    double angle = (rnd(&st) % 360) * M_PI / 180.0, ca = cos(angle), sa = sin(angle);
    double span = fabs(ca) * width + fabs(sa) * height;
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            double t = ((x - width / 2.0) * ca + (y - height / 2.0) * sa) / span + 0.5;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            unsigned char *q = px + ((size_t)y * width + x) * 3;
            for (int c = 0; c < 3; c++)
                q[c] = (unsigned char)(p[0][c] + (p[1][c] - p[0][c]) * t);
        }
    /* Discs and rings, half transparent, with soft edges. */
    int shapes = 6 + (int)(rnd(&st) % 6);
    for (int k = 0; k < shapes; k++) {
        const unsigned char *col = p[2 + rnd(&st) % 3];
        double cx = rnd(&st) % (unsigned)width, cy = rnd(&st) % (unsigned)height;
        double r = height * (0.06 + (rnd(&st) % 1000) / 1000.0 * 0.3);
        bool ring = rnd(&st) % 3 == 0;
        double alpha = 0.45 + (rnd(&st) % 400) / 1000.0;
        int x0 = (int)fmax(0, cx - r - 2), x1 = (int)fmin(width - 1, cx + r + 2);
        int y0 = (int)fmax(0, cy - r - 2), y1 = (int)fmin(height - 1, cy + r + 2);
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++) {
                double d = hypot(x - cx, y - cy);
                double cover = ring ? 1.0 - fabs(d - r * 0.8) / (r * 0.12) : r - d;
                cover = cover < 0 ? 0 : cover > 1 ? 1 : cover;
                if (cover <= 0)
                    continue;
                unsigned char *q = px + ((size_t)y * width + x) * 3;
                double w = cover * alpha;
                for (int c = 0; c < 3; c++)
                    q[c] = (unsigned char)(q[c] * (1 - w) + col[c] * w);
            }
    }
    /* A few thin bands across, like the lines of a map or a score. */
    int bands = 2 + (int)(rnd(&st) % 3);
    for (int k = 0; k < bands; k++) {
        const unsigned char *col = p[2 + rnd(&st) % 3];
        double y0 = rnd(&st) % (unsigned)height, slope = ((int)(rnd(&st) % 200) - 100) / 400.0;
        double thick = 3 + rnd(&st) % 6;
        for (int x = 0; x < width; x++) {
            double yc = y0 + slope * (x - width / 2.0);
            for (int y = (int)(yc - thick); y <= (int)(yc + thick); y++) {
                if (y < 0 || y >= height)
                    continue;
                double cover = thick - fabs(y - yc);
                cover = cover < 0 ? 0 : cover > 1 ? 1 : cover;
                unsigned char *q = px + ((size_t)y * width + x) * 3;
                for (int c = 0; c < 3; c++)
                    q[c] = (unsigned char)(q[c] * (1 - cover * 0.7) + col[c] * cover * 0.7);
            }
        }
    }
    VipsImage *im = vips_image_new_from_memory(px, n, width, height, 3, VIPS_FORMAT_UCHAR);
    int rc = -1;
    if (im) {
        im->Type = VIPS_INTERPRETATION_sRGB;
        void *buf = NULL;
        size_t blen = 0;
        if (vips_pngsave_buffer(im, &buf, &blen, "compression", 1, NULL) == 0) {
            *png = arena_alloc(a, blen);
            memcpy(*png, buf, blen);
            *len = blen;
            g_free(buf);
            rc = 0;
        }
        g_object_unref(im);
    }
    vips_error_clear();
    free(px);
    return rc;
}
