/* s3.h — the object store (S3-compatible: MinIO, Garage, Scaleway, OVH, AWS) that blobs may live
 * in instead of the site's file: one object per blob, BUCKET[/PREFIX]/ab/abcd… named by its hash,
 * the same layout as the folder of --media-dir. Used by store/media_store.c alone. */
#ifndef FOISON_S3_H
#define FOISON_S3_H
#include "util/arena.h"
#include <stdbool.h>
#include <stddef.h>

/* Checks url (http[s]://host[:port]/bucket[/prefix]) and reads the keys from the environment
 * (FOISON_S3_ACCESS_KEY, FOISON_S3_SECRET_KEY, FOISON_S3_REGION, default us-east-1), then
 * starts libcurl. Called once at start-up, before any thread; -1 with a French reason in err. */
int s3_configure(const char *url, char *err, size_t errlen);
/* Whether s3_configure succeeded: blobs without data in the site's file are in the bucket. */
bool s3_configured(void);
/* PUT of len bytes at the object of hash; -1 with the reason in err. */
int s3_put_object(const char *hash, const char *mime, const void *data, size_t len, char *err,
                  size_t errlen);
/* GET of the object of hash, which must hold size bytes, into the arena; -1 with the reason. */
int s3_get_object(struct arena *a, const char *hash, long long size, const unsigned char **data,
                  size_t *len, char *err, size_t errlen);
/* DELETE of the object of hash (already gone is done too); -1 with the reason. */
int s3_delete_object(const char *hash, char *err, size_t errlen);
#endif
