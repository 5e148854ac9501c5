/* settings.h — the site's settings as a table: every key the operator may set, with its French
 * label and help, its section, its default, how it is validated, and whether the server reads
 * it only at start-up. `foison config` (cli/config.c) and the admin page /admin/reglages
 * (web/admin.c) both read this table, so they accept the same values with the same reasons. */
#ifndef FOISON_SETTINGS_H
#define FOISON_SETTINGS_H
#include "core/visibility.h"
#include <stdbool.h>
#include <stddef.h>

struct arena;
struct store;

enum setting_type {
    SETTING_NAME,     /* one line of 1 to 80 characters */
    SETTING_BASE_URL, /* scheme://host[:port] or empty */
    SETTING_LICENSE,  /* a licence of the innovation kind */
    SETTING_SYNC,     /* FULL or NORMAL */
    SETTING_PROXIES,  /* addresses or networks (parsed by http/, see settings_check) */
    SETTING_INT,      /* an integer from 0 to 100000 */
    SETTING_DOMAINS,  /* domain names separated by commas or spaces */
    SETTING_SMTP_URL, /* smtp://… or smtps://… or empty */
    SETTING_SECRET,   /* a line of at most 500 bytes, never shown back on a page */
    SETTING_LINE500,  /* a line of at most 500 bytes */
    SETTING_ONOFF,    /* on or off */
    SETTING_SIGNUP,   /* open or closed */
    SETTING_FROM,     /* an e-mail address or "Name <address>", or empty */
    SETTING_MARKDOWN, /* a page text: lines allowed, 20,000 characters */
    SETTING_TILES,    /* https://host[:port]/…{z}…{x}…{y}… (see settings_tiles_origin) */
    SETTING_CREDIT,   /* one line of 1 to 200 characters */
    SETTING_LATLON,   /* "lat,lon" in decimal degrees (see settings_parse_latlon) */
    SETTING_ZOOM,     /* a map zoom level, an integer from 1 to 18 */
    SETTING_BOUNDS,   /* "W,S,E,N" in decimal degrees, W < E and S < N */
};

enum setting_section {
    SECTION_SITE,
    SECTION_TRUST,
    SECTION_LIMITS,
    SECTION_SMTP,
    SECTION_PROXIES,
    SECTION_TEXTS,
    SECTION_MAP,
    SECTION_COUNT,
};

struct setting {
    const char *name;  /* the key in the settings table and on the command line */
    const char *label; /* French, for the page */
    const char *help;  /* French, one or two sentences */
    enum setting_type type;
    enum setting_section section;
    const char *fallback; /* the value in effect when the key has none */
    bool restart;         /* read once when `foison serve` starts: a change needs a restart */
};

extern const struct setting settings_table[];
extern const size_t settings_count;
/* The French title of a section. */
const char *settings_section_title(enum setting_section s);

/* The setting of key, NULL when it is not one the operator may set. */
const struct setting *settings_find(const char *key);

/* The one check core/ cannot make itself: the list of trusted proxies is parsed by http/, which
 * core/ must not include; the callers (cli/, web/) pass http_proxies_parse in this shape. 0 when
 * text is a valid list, else -1 with a French reason in why. */
typedef int (*settings_proxies_check)(const char *text, char *why, size_t whylen);

/* NULL when value is acceptable for st, else the French reason (lowercase, for "KEY : reason";
 * a static string, or one in why for the proxies). */
const char *settings_check(const struct setting *st, const char *value,
                           settings_proxies_check proxies, char *why, size_t whylen);
/* scheme://host[:port] with no path, query, fragment or user: permanent links append paths to
 * it, and forms compare it to Origin. */
bool settings_base_url_valid(const char *url);
/* The origin ("https://host[:port]") of a tile address that settings_check accepts, into origin
 * (size n); false, origin "", for any other text. The map pages allow images from that origin
 * alone: their Content-Security-Policy writes it as it is. */
bool settings_tiles_origin(const char *url, char *origin, size_t n);

/* The map's frame as the settings write it: "lat,lon" (map_center) and "W,S,E,N" (map_bounds),
 * plain decimals with a dot ("-4.48", never "1e3", "+4" or spaces), latitudes from -90 to 90,
 * longitudes from -180 to 180, W < E and S < N. True when s is one, with the numbers out. */
bool settings_parse_latlon(const char *s, double *lat, double *lon);
bool settings_parse_bounds(const char *s, double *w, double *south, double *e, double *n);
/* A decimal number in degrees: an optional minus, 1 to 3 digits, then optionally a decimal
 * separator (a dot, or also a comma when comma is true, as people write in French) and 1 to 10
 * digits; the n bytes of s and nothing else. */
bool settings_parse_degrees(const char *s, size_t n, bool comma, double *out);

/* The value in effect for st: the stored one, or its fallback. In a (a copy). NULL on a storage
 * error. */
const char *settings_value(struct store *s, struct arena *a, const struct setting *st);

enum settings_status {
    SETTINGS_OK = 0,
    SETTINGS_ERR = -1,       /* storage failure, logged */
    SETTINGS_FORBIDDEN = -2, /* only admins change settings */
    SETTINGS_INVALID = -3,   /* a value failed settings_check: nothing written */
};

/* Writes n values (keys[i] ← values[i], every key known, every value already checked again
 * here) in one transaction, with one row in the moderation log naming the keys that changed
 * (action "settings", never the values: a password has no place in a log). Values equal to the
 * ones in effect are not written. *changed receives how many were. */
int settings_save(struct store *s, struct arena *a, const struct viewer *v, size_t n,
                  const char *const *keys, const char *const *values,
                  settings_proxies_check proxies, long long now, int *changed);

#endif
