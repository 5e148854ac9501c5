/* internal.h — what the files of http/ share with each other and with its unit tests, and
 * nothing else includes (scripts/check-layers enforces it): libmicrohttpd's types appear here,
 * never in http.h. */
#ifndef FOISON_HTTP_INTERNAL_H
#define FOISON_HTTP_INTERNAL_H
#include "http/compress.h"
#include "http/http.h"
#include <microhttpd.h>
#include <stdbool.h>

/* A request whose URI (path and query, as sent) is longer, or whose query has more parameters,
 * is answered 414 at once: libmicrohttpd would otherwise fill its pool with the parameters and
 * have no room left to answer at all. No page of the site needs more than a handful. */
#define HTTP_MAX_URI 4096
#define HTTP_MAX_QUERY_PARAMS 64

/* request.c */
const char *http_kv_get(const struct kvlist *l, const char *key);
/* Appends a pair (strings kept as given). -1 past HTTP_MAX_PARAMS. */
int http_kv_add(struct arena *a, struct kvlist *l, const char *key, const char *value);
/* Does path match pattern? Captures go to params[0..3], in the arena; {kind} captures are
 * checked with segment_known (NULL: any), {slug} and {file} by their shape. */
bool http_route_match(struct arena *a, const char *pattern, const char *path, const char *params[4],
                      bool (*segment_known)(const char *));
/* The status a request line's URI is refused with before anything else is read: 414 when too
 * long or with too many parameters, 400 for an encoded NUL in the path; 0 when acceptable.
 * *query_at is set to the offset of the '?' (or -1). */
int http_uri_check(const char *uri, long *query_at);
/* Does an If-None-Match value hold etag (or "*")? */
bool http_etag_match(const char *if_none_match, const char *etag);
/* text cut to size-1 bytes with control bytes (terminal escapes) and spaces replaced by '?', so
 * that a log line stays one line of fields. */
void http_log_clean(char *out, size_t size, const char *text);
/* Sets req up as the answer for an error status, through the application's error hook. */
void http_error(struct request *req, int status, bool api, const struct http_hooks *hooks);

/* response.c */
/* Builds a response from req's content type, cache policy and extra headers; a body in coding
 * enc gets Content-Encoding. */
struct MHD_Response *http_response_build(const struct request *req, char *body, size_t len,
                                         enum MHD_ResponseMemoryMode mode, const char *etag,
                                         enum compress_encoding enc);
/* Queues req's answer on its connection: its shared response, or its body (compressed when
 * worth it and accepted; 304 when its ETag is held by the client). */
enum MHD_Result http_queue(struct request *req);

/* The stream of http_stream_send as libmicrohttpd reads it: http_stream_read fills up to max
 * bytes of buf (what MHD_ContentReaderCallback returns), http_stream_free calls done and
 * frees it. */
ssize_t http_stream_read(void *cls, uint64_t pos, char *buf, size_t max);
void http_stream_free(void *cls);

#endif
