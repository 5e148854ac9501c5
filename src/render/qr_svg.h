/* qr_svg.h — a QR code drawn on the server as an inline SVG (libqrencode makes the symbol): the
 * printed sheets of workshop links carry one per link, readable by any phone's camera, with no
 * script and no image file. */
#ifndef FOISON_QR_SVG_H
#define FOISON_QR_SVG_H
#include <stddef.h>

#define QR_SVG_QUIET 4       /* modules of light margin around the symbol (ISO/IEC 18004) */
#define QR_SVG_TEXT_MAX 1024 /* bytes of text a code may carry here */

/* The QR code of text (8-bit mode, error correction level M, the smallest version that holds it)
 * as one <svg> element with its xmlns (so it also stands alone as an .svg file): a white square
 * of the symbol's width plus the quiet zone on each side (viewBox in modules: width 4 × version
 * + 17 + 2 × QR_SVG_QUIET), and one black <path> of the dark modules, a rectangle per run of
 * them in a row. role="img" with aria-label label (escaped; NULL: "Code QR") and the same
 * <title>; shape-rendering="crispEdges"; no style attribute (the CSP forbids them). The caller
 * sizes it (class qr).
 *
 * Returns the malloc'd NUL-terminated SVG (the caller frees it), its length into *len and the
 * symbol's version (1..40) into *version (either may be NULL); NULL when text is NULL, empty,
 * longer than QR_SVG_TEXT_MAX or cannot be encoded. Aborts only on out-of-memory. */
char *qr_svg(const char *text, const char *label, size_t *len, int *version);

#endif
