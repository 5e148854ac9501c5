/* qr_svg.c — QR codes as inline SVG (see qr_svg.h). */
#include "render/qr_svg.h"
#include "util/buf.h"
#include <errno.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

char *qr_svg(const char *text, const char *label, size_t *len, int *version)
{
    if (!text || !*text || strlen(text) > QR_SVG_TEXT_MAX)
        return NULL;
    QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!qr) {
        if (errno == ENOMEM)
            abort(); /* as every allocation of the server: never limp on */
        return NULL;
    }
    int w = qr->width, side = w + 2 * QR_SVG_QUIET;
    if (!label || !*label)
        label = "Code QR";
    struct buf b = BUF_INIT;
    buf_printf(&b,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" viewBox=\"0 0 %d %d\""
               " role=\"img\" aria-label=\"",
               side, side);
    buf_put_html(&b, label, strlen(label));
    buf_puts(&b, "\" shape-rendering=\"crispEdges\"><title>");
    buf_put_html(&b, label, strlen(label));
    buf_printf(&b,
               "</title><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
               side, side);
    for (int y = 0; y < w; y++) {
        const unsigned char *row = qr->data + (size_t)y * (size_t)w;
        for (int x = 0; x < w;) {
            if (!(row[x] & 1)) {
                x++;
                continue;
            }
            int start = x;
            while (x < w && (row[x] & 1))
                x++;
            buf_printf(&b, "M%d %dh%dv1h-%dz", start + QR_SVG_QUIET, y + QR_SVG_QUIET, x - start,
                       x - start);
        }
    }
    buf_puts(&b, "\"/></svg>");
    if (version)
        *version = qr->version;
    QRcode_free(qr);
    return buf_detach(&b, len);
}
