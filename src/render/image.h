/* image.h — what an uploaded file is, read from its content (never from its name or declared
 * type), and images made anew by libvips: decoded by the one loader their content names, turned
 * upright, their metadata dropped (a phone's GPS position first of all), re-encoded as WebP and
 * JPEG at the widths of a srcset. An upload is never served as it came. */
#ifndef FOISON_IMAGE_H
#define FOISON_IMAGE_H
#include <stdbool.h>
#include <stddef.h>

struct arena;

enum file_class {
    FILE_UNKNOWN = 0,
    FILE_IMAGE,    /* JPEG, PNG, WebP, HEIF/HEIC: re-encoded */
    FILE_DOCUMENT, /* PDF, OpenDocument, Office Open XML: kept as they are, served as downloads */
    FILE_REFUSED,  /* a type refused on purpose (SVG, HTML, scripts…): see file_type.reason */
};

struct file_type {
    enum file_class cls;
    const char *mime;   /* what the content is: "image/jpeg", "application/pdf"… */
    const char *ext;    /* the extension it is served under: "jpg", "pdf", "odt"… */
    const char *label;  /* in French for people: "image JPEG", "document PDF"… */
    const char *reason; /* FILE_REFUSED and FILE_UNKNOWN: why, in French */
};

/* What data is, by its first bytes and, for ZIP-based documents, its central directory. */
struct file_type file_sniff(const unsigned char *data, size_t len);

#define IMAGE_MAX_PIXELS (50 * 1000 * 1000) /* width × height an image may declare */
#define IMAGE_MAX_SIDE 20000                /* pixels of its longer side */
#define IMAGE_MAX_VARIANTS 8

struct image_variant {
    int width, height;
    const char *mime;    /* "image/webp" or "image/jpeg" */
    const char *ext;     /* "webp" or "jpg" */
    unsigned char *data; /* in the arena */
    size_t len;
};

struct image_made {
    int width, height; /* of the image upright, as uploaded */
    int nvariants;
    struct image_variant v[IMAGE_MAX_VARIANTS]; /* widths ascending, WebP then JPEG at each */
};

enum image_status {
    IMAGE_OK = 0,
    IMAGE_CORRUPT = -1, /* could not be decoded: truncated, damaged, not what it claims */
    IMAGE_TOO_BIG = -2, /* declares more pixels than IMAGE_MAX_PIXELS or IMAGE_MAX_SIDE */
    IMAGE_ERR = -3,     /* libvips failed otherwise (memory…): logged */
};

/* Once per process before any image (libvips started, its loaders narrowed to the four this
 * module uses, its cache off, one thread per operation); true when images can be made. */
bool image_init(void);
/* The dimensions data declares, upright (EXIF orientation applied), read from its header only:
 * nothing is decoded. */
enum image_status image_probe(const unsigned char *data, size_t len, int *width, int *height);
/* The variants of an image checked by file_sniff as FILE_IMAGE: at 320, 640, 1024 and 1600
 * pixels wide (those not wider than the image; the image's own width when it is narrower than
 * 320), each in WebP and in JPEG (on white where it was transparent), upright, sRGB, with no
 * metadata. Their bytes are in a. The dimensions are probed first: an image over the limits is
 * refused before it is decoded. */
enum image_status image_make(struct arena *a, const unsigned char *data, size_t len,
                             struct image_made *out);

#endif
