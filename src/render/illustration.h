/* illustration.h — pictures the project makes itself, for demonstration records: abstract
 * compositions (a gradient, discs, bands) drawn from a seed, so that the same record always gets
 * the same picture, and nobody mistakes them for photographs of the initiatives. */
#ifndef FOISON_ILLUSTRATION_H
#define FOISON_ILLUSTRATION_H
#include <stddef.h>

struct arena;

/* A width × height PNG (in a) drawn from seed; -1 when libvips cannot encode it. */
int illustration_make(struct arena *a, unsigned long seed, int width, int height,
                      unsigned char **png, size_t *len);

#endif
