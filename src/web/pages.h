/* pages.h — the page handlers the route table points at; each file of web/ owns a family. */
#ifndef FOISON_PAGES_H
#define FOISON_PAGES_H
#include "http/http.h"
#include "render/tmpl.h"
#include <jansson.h>

/* home.c */
void page_home(struct request *req);
void page_healthz(struct request *req);
void page_static(struct request *req);
void page_favicon(struct request *req);
/* site.c */
void page_robots(struct request *req);
void page_site_text(struct request *req);
/* entries.c */
struct entry;
struct store;
/* The visible entry of /{kind}/{slug}; otherwise answers 404/500, or 301 to the entry's new
 * slug followed by suffix, and returns false. */
bool page_entry_load(struct request *req, struct store *s, struct entry *e, const char *suffix);
void page_entry_list(struct request *req);
void page_entry_show(struct request *req);
struct field_errors;
/* The record page of the route's {kind}/{slug} again, answering 422 with errs beside the form
 * that was posted (the join request). */
void page_entry_show_errors(struct request *req, const struct field_errors *errs);
/* The "join" block of a record others join (web/membership.c); false on a storage failure. */
struct related_group;
bool page_membership_context(struct request *req, struct store *s, struct tv *ctx,
                             const struct entry *e, const struct related_group *groups, int ngroups,
                             const struct field_errors *errs);
void page_membership_ask(struct request *req);
/* What an entry's kind adds to its record page, into ctx, each nothing for other kinds; false
 * on a storage failure. vals are the members of the revision shown (entry_view_members).
 * agenda.c: an event's dates, its series, its .ics */
struct json_span;
bool page_event_context(struct request *req, struct store *s, struct tv *ctx, const struct entry *e,
                        const struct json_span *vals);
void page_agenda(struct request *req);
void page_agenda_ics(struct request *req);
void page_event_ics(struct request *req);
/* attendance.c: an event's seats and registration form */
bool page_attendance_context(struct request *req, struct store *s, struct tv *ctx,
                             const struct entry *e, const struct json_span *vals,
                             const struct field_errors *errs);
void page_attendance_form(struct request *req);
void page_attendance_register(struct request *req);
void page_attendance_confirm_form(struct request *req);
void page_attendance_confirm(struct request *req);
void page_attendance_cancel_form(struct request *req);
void page_attendance_cancel_link(struct request *req);
void page_attendance_cancel(struct request *req);
void page_attendance_list(struct request *req);
void page_attendance_csv(struct request *req);
void page_attendance_close(struct request *req);
void page_attendance_write(struct request *req);
void api_attendance_register(struct request *req);
void api_attendance_list(struct request *req);
void api_attendance_cancel(struct request *req);
/* cohorts.c: a training's sessions and their projects, a session's participants and the
 * application form */
bool page_cohort_context(struct request *req, struct store *s, struct tv *ctx,
                         const struct entry *e, const struct json_span *vals,
                         const struct field_errors *errs);
/* cohorts.c: the posts that apply, withdraw and decide, the organisers' page of applications,
 * and the participants a session's API JSON adds (b holds the record's object; nothing for
 * other kinds; false on a storage failure) */
struct viewer;
void page_cohort_apply(struct request *req);
void page_cohort_decide(struct request *req);
void page_cohort_applications(struct request *req);
bool page_cohort_api(struct request *req, struct buf *b, const struct entry *e,
                     const struct viewer *v);
/* loans.c: equipment's calendar and loan request form */
bool page_loan_context(struct request *req, struct store *s, struct tv *ctx, const struct entry *e,
                       const struct json_span *vals, const struct field_errors *errs);
/* loans.c: the posts that ask for, decide and cancel a loan, the owners' history, and the
 * site as loan mails name it (also for api_loans.c) */
struct loan_env;
struct loan_env page_loan_env(struct request *req);
void page_loan_request(struct request *req);
void page_loan_decide(struct request *req);
void page_loan_history(struct request *req);
/* api_loans.c */
void api_loan_busy(struct request *req);
void api_loan_create(struct request *req);
void api_loan_decide(struct request *req);
void page_membership_decide(struct request *req);
void page_membership_remove(struct request *req);
void page_entry_new(struct request *req);
void page_entry_create(struct request *req);
void page_entry_edit(struct request *req);
void page_entry_update(struct request *req);
void page_entry_feature(struct request *req);
/* propose.c: the guided path to propose a record, and its drafts */
void page_propose_start(struct request *req);
void page_propose_first(struct request *req);
void page_propose_begin(struct request *req);
void page_propose_step(struct request *req);
void page_propose_photo(struct request *req);
void page_propose_save(struct request *req);
void page_propose_submit(struct request *req);
void page_propose_delete(struct request *req);
/* The signed-in visitor's drafts into ctx ("drafts", "has_drafts", and the CSRF token their
 * delete buttons need), for the account page and the start page. */
void page_propose_drafts(struct request *req, struct tv *ctx);
/* history.c */
void page_entry_history(struct request *req);
void page_entry_diff(struct request *req);
void page_entry_revert(struct request *req);
struct kind_def;
/* The word-level changes from one revision's fields to another's into ctx: a "fields" list
 * (label, name, changed, chunks of eq/del/ins text; only the changed fields with changed_only),
 * "changed" and "changed_text". */
void page_diff_fields(struct request *req, struct tv *ctx, const struct kind_def *k, json_t *from,
                      json_t *to, bool changed_only);
/* moderation.c */
void page_moderation(struct request *req);
void page_moderation_decide(struct request *req);
void page_moderation_account(struct request *req);
void page_moderation_log(struct request *req);
void api_moderation_pending(struct request *req);
void api_moderation_decide(struct request *req);
/* report.c */
/* The report form of a record (or, for a visitor, the line asking to log in) as the "report"
 * object of a page's ctx: templates/report_form.html prints it. */
void page_report_form_values(struct request *req, struct tv *ctx, const struct entry *e);
void page_report_form(struct request *req);
void page_report_create(struct request *req);
void page_reports(struct request *req);
void page_report_decide(struct request *req);
void api_report_create(struct request *req);
void api_reports(struct request *req);
/* contact.c */
/* The "Contacter" block of a record's page as the "contact" object of ctx (nothing when the
 * record takes no message): templates/contact.html prints it. */
void page_contact_values(struct request *req, struct tv *ctx, const struct entry *e);
void page_contact_form(struct request *req);
void page_contact_send(struct request *req);
/* admin.c */
void page_admin_settings(struct request *req);
void page_admin_settings_save(struct request *req);
void page_admin_audit(struct request *req);
void page_admin_communes(struct request *req);
void page_admin_communes_place(struct request *req);
/* robots.c */
/* True when this visitor may see a page robots make expensive (signed in, proved to be a person,
 * or the gate is off); otherwise answers with the gate page and returns false. */
bool page_robot_gate(struct request *req);
void page_robot_prove(struct request *req);
/* login.c */
void page_login_form(struct request *req);
void page_login(struct request *req);
void page_logout(struct request *req);
/* account.c */
void page_signup_form(struct request *req);
void page_signup(struct request *req);
void page_confirm_form(struct request *req);
void page_confirm(struct request *req);
void page_forgot_form(struct request *req);
void page_forgot(struct request *req);
void page_reset_form(struct request *req);
void page_reset(struct request *req);
void page_account(struct request *req);
void page_account_profile(struct request *req);
void page_account_password(struct request *req);
void page_account_email(struct request *req);
void page_account_email_form(struct request *req);
void page_account_email_confirm(struct request *req);
void page_account_logout_all(struct request *req);
void page_account_delete(struct request *req);
void page_account_export(struct request *req);
/* api.c */
void api_entries_list(struct request *req);
void api_entry_get(struct request *req);
void api_entry_revisions(struct request *req);
void api_entry_related(struct request *req);
void api_suggest(struct request *req);
/* preview.c */
void api_preview(struct request *req);
/* The most characters a Markdown field of any kind takes: what a preview renders at most. */
size_t preview_markdown_max(void);
/* search.c */
void page_search(struct request *req);
void api_search(struct request *req);
void api_search_suggest(struct request *req);
/* Whether key is one of the search's filters (kind, theme, commune, year, status, a facet of a
 * kind's schema); when it is, its value, checked as /api/v1/search checks it, is added to
 * filters (*n of them, at most SEARCH_MAX_FILTERS) or its reason to errs ("": no filter). */
struct search_filter;
bool page_search_filter(const char *key, const char *value, struct search_filter *filters, int *n,
                        struct field_errors *errs);
/* The search's limit per address (rate_searches a minute), counted for this request: when it is
 * over, answers req with the API's 429 and returns true. */
bool page_search_throttled(struct request *req);
/* Counts n more searches against that limit (an answer that cost as much), never refusing:
 * the next request waits instead. */
void page_search_charge(struct request *req, int n);
/* geo.c */
void api_geo(struct request *req);
void api_geo_compact(struct request *req);
/* What the map's filters share with the search (web/map.c): the French label of a filter
 * parameter ("Thème"), of one of its values (a theme's, a commune's name…); and the searches'
 * limit per address: 0, or the seconds to wait (req is then 429 with Retry-After). */
const char *search_filter_label(const char *param);
const char *search_filter_value_label(struct request *req, const char *param, const char *value);
long search_rate_wait(struct request *req);

/* map.c */
void page_map(struct request *req);
void page_map_embed(struct request *req);
/* What a page with a map (the map pages, the entry form's location picker) shares: the tiles
 * and their credit into ctx (map_tiles, map_attribution), and the page's CSP allowing images
 * from the tile server alone (any_ancestor: any site may frame the page, as http_set_csp); the
 * first view (map_center, map_zoom, map_bounds: see map.c). */
void map_tiles_context(struct request *req, struct tv *ctx, bool any_ancestor);
void map_view_settings(struct request *req, struct tv *ctx);
void api_entry_create(struct request *req);
void api_entry_update(struct request *req);
/* accompany.c */
void page_accompany(struct request *req);
void page_accompany_take(struct request *req);

/* workshop.c */
void page_workshop_home(struct request *req);
void page_workshop_create(struct request *req);
void page_workshop_batch(struct request *req);
void page_workshop_revoke(struct request *req);
void page_workshop_decide(struct request *req);
void page_workshop_join_form(struct request *req);
void page_workshop_join(struct request *req);
/* export.c */
void api_export_places(struct request *req);

/* Images and documents (web/media.c). */
void page_media_file(struct request *req);
void api_media_upload(struct request *req);
void page_media_form(struct request *req);
void page_media_upload(struct request *req);
void page_media_change(struct request *req);
void page_media_decide(struct request *req);
struct media;
struct kind_def;
/* Appends m as the API shows a medium. */
void media_json_write(struct request *req, struct buf *b, const struct media *m);
/* Adds "media" (those v sees) to the entry object just written to b. */
bool page_media_api(struct request *req, struct buf *b, long long entry_id, const struct viewer *v);
/* Adds "media" (the list given) to the entry object just written to b. */
void page_media_api_list(struct request *req, struct buf *b, const struct media *list, int n);
/* The template values of m (for a display about display_width pixels wide, sizes its sizes). */
void page_media_values(struct request *req, struct tv *o, const struct media *m,
                       const struct kind_def *k, int display_width, const char *sizes);
/* The record page's media: media_main, gallery, documents, has_media. */
bool page_media_context(struct request *req, struct store *s, struct tv *ctx,
                        const struct entry *e);
/* The moderation queue's pending media (media_pending, has_media_pending). */
bool page_media_moderation(struct request *req, struct tv *ctx, const struct viewer *v);

#endif
