/* routes.c — every URL of the site in one table: method, pattern, handler, flags.
 * {kind} matches a kind's URL segment (innovations…), {slug} [a-z0-9-]+, {file} a file name. */
#include "web/app.h"
#include "web/pages.h"

const struct route app_routes[] = {
    {"GET", "/", page_home, 0},
    {"GET", "/healthz", page_healthz, 0},
    {"GET", "/static/{file}", page_static, 0},
    {"GET", "/favicon.ico", page_favicon, 0},
    {"GET", "/robots.txt", page_robots, 0},
    {"GET", "/login", page_login_form, 0},
    {"POST", "/login", page_login, 0},
    {"POST", "/logout", page_logout, 0},
    {"GET", "/moderation", page_moderation, 0},
    {"GET", "/moderation/log", page_moderation_log, 0},
    {"POST", "/moderation/{slug}/approve", page_moderation_decide, 0},
    {"POST", "/moderation/{slug}/reject", page_moderation_decide, 0},
    {"POST", "/moderation/accounts/by-email", page_moderation_account, 0},
    {"POST", "/moderation/accounts/{slug}/block", page_moderation_account, 0},
    {"POST", "/moderation/accounts/{slug}/rollback", page_moderation_account, 0},
    {"POST", "/moderation/accounts/{slug}/trust", page_moderation_account, 0},
    {"GET", "/{kind}", page_entry_list, 0},
    {"GET", "/{kind}/new", page_entry_new, 0},
    {"POST", "/{kind}/new", page_entry_create, 0},
    {"GET", "/{kind}/{slug}", page_entry_show, 0},
    {"GET", "/{kind}/{slug}/edit", page_entry_edit, 0},
    {"POST", "/{kind}/{slug}/edit", page_entry_update, 0},
    {"GET", "/{kind}/{slug}/history", page_entry_history, 0},
    {"GET", "/{kind}/{slug}/diff", page_entry_diff, 0},
    {"POST", "/{kind}/{slug}/revert", page_entry_revert, 0},
    {"POST", "/{kind}/{slug}/feature", page_entry_feature, 0},
    {"GET", "/api/v1/entries", api_entries_list, ROUTE_API},
    {"POST", "/api/v1/entries", api_entry_create, ROUTE_API},
    {"GET", "/api/v1/entries/{slug}", api_entry_get, ROUTE_API},
    {"PUT", "/api/v1/entries/{slug}", api_entry_update, ROUTE_API},
    {"GET", "/api/v1/entries/{slug}/revisions", api_entry_revisions, ROUTE_API},
    {"GET", "/api/v1/moderation/pending", api_moderation_pending, ROUTE_API},
    {"POST", "/api/v1/moderation/{slug}/approve", api_moderation_decide, ROUTE_API},
    {"POST", "/api/v1/moderation/{slug}/reject", api_moderation_decide, ROUTE_API},
};
const size_t app_nroutes = sizeof(app_routes) / sizeof(app_routes[0]);
