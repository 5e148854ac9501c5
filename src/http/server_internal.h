/* server_internal.h — what the HTTP glue needs from the application above it, given as plain
 * functions so that http/ never includes web/ headers; and helpers shared with the page cache. */
#ifndef FOISON_SERVER_INTERNAL_H
#define FOISON_SERVER_INTERNAL_H
#include "http/compress.h"
#include "http/http.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdbool.h>

/* Implemented by web/app.c. */
bool app_secure(const struct app *app);
bool app_kind_segment_known(const char *segment);
/* Fills req->logged_in/user/csrf from the session cookie. False when the site's storage cannot
 * be reached by this thread (the reason is logged): the request is then answered 503. */
bool app_identify(struct request *req);
/* Writes the error page (or JSON error) for status into req. */
void app_error(struct request *req, int status, bool api);

const char *http_kv_get(const struct kvlist *l, const char *key);
void http_add_standard_headers(struct MHD_Response *resp);
/* Builds a response from req's content type, cache policy and extra headers. */
struct MHD_Response *http_build_response(struct request *req, char *body, size_t len,
                                         enum MHD_ResponseMemoryMode mode, const char *etag);
/* The same for a body already encoded with enc (adds Content-Encoding unless identity). */
struct MHD_Response *http_build_encoded_response(struct request *req, char *body, size_t len,
                                                 enum MHD_ResponseMemoryMode mode, const char *etag,
                                                 enum compress_encoding enc);

#endif
