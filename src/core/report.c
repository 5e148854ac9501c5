/* report.c — readers' reports and moderators' decisions on them (see report.h). */
#include "core/report.h"
#include "core/entry.h"
#include "core/moderation.h"
#include "core/territory.h"
#include "core/validate.h"
#include "store/entry_store.h"
#include "store/moderation_store.h"
#include "store/report_store.h"
#include "store/user_store.h"
#include "util/arena.h"
#include "util/utf8.h"
#include <string.h>

const struct report_reason report_reasons[] = {
    {"spam", "Spam ou publicité"},     {"faux", "Contenu faux ou trompeur"},
    {"injurieux", "Propos injurieux"}, {"donnees-personnelles", "Données personnelles"},
    {"autre", "Autre raison"},
};
const int report_nreasons = (int)(sizeof report_reasons / sizeof *report_reasons);

const char *report_reason_label(const char *code)
{
    for (int i = 0; code && i < report_nreasons; i++)
        if (strcmp(report_reasons[i].code, code) == 0)
            return report_reasons[i].label;
    return NULL;
}

/* Control characters (other than line breaks and tab) and the invisible marks that reorder text
 * (U+202A–U+202E, U+2066–U+2069): a moderator must read what the reader wrote. */
static bool report_text_clean(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t') || *p == 0x7f)
            return false;
        if (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae)
            return false;
        if (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)
            return false;
    }
    return true;
}

/* The comment with \r\n as \n and surrounding whitespace trimmed, in a. */
static char *report_trim(struct arena *a, const char *s)
{
    size_t n = strlen(s), j = 0;
    char *out = arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == '\r' && s[i + 1] == '\n'))
            out[j++] = s[i] == '\r' ? '\n' : s[i];
    out[j] = '\0';
    char *start = out;
    while (*start == ' ' || *start == '\n' || *start == '\t')
        start++;
    while (j > (size_t)(start - out) &&
           (out[j - 1] == ' ' || out[j - 1] == '\n' || out[j - 1] == '\t'))
        out[--j] = '\0';
    return start;
}

const char *report_check(struct arena *a, const char *reason, const char *comment,
                         struct field_errors *errs)
{
    int before = errs->n;
    if (!reason || !*reason)
        validate_error(errs, "reason", "Raison : choisissez-en une dans la liste");
    else if (!report_reason_label(reason))
        validate_error(errs, "reason", "Raison inconnue : choisissez-en une dans la liste");
    const char *kept = "";
    size_t n = comment ? strlen(comment) : 0;
    if (n > 4 * REPORT_COMMENT_MAX || (comment && !utf8_valid(comment, n)) ||
        (comment && !report_text_clean(comment))) {
        validate_error(errs, "comment",
                       arena_printf(a,
                                    "Précisions : texte invalide (caractères de contrôle ou "
                                    "encodage) ou trop long (%d caractères au plus)",
                                    REPORT_COMMENT_MAX));
    } else if (comment) {
        kept = report_trim(a, comment);
        size_t chars = utf8_count(kept, strlen(kept));
        if (chars > REPORT_COMMENT_MAX)
            validate_error(errs, "comment",
                           arena_printf(a,
                                        "Précisions : %d caractères au plus (vous en avez "
                                        "écrit %zu)",
                                        REPORT_COMMENT_MAX, chars));
    }
    if (errs->n == before && reason && strcmp(reason, "autre") == 0 && !*kept)
        validate_error(errs, "comment",
                       "Précisions : dites en quelques mots ce qui ne va pas dans cette fiche");
    return errs->n == before ? kept : NULL;
}

/* Inside the write transaction: may the account still report, and when it has reached its
 * daily limit, in how many seconds a report of its own leaves the window. */
static int report_rate(struct store *s, long long user_id, long long now, long *retry_after)
{
    long limit = territory_setting_long(s, "rate_reports", RATE_REPORTS_DEFAULT);
    if (limit == 0)
        return REPORT_OK;
    long long created;
    int rc = store_report_nth_since(s, user_id, now - REPORT_WINDOW, (int)limit, &created);
    if (rc == STORE_NOTFOUND)
        return REPORT_OK;
    if (rc != STORE_OK)
        return REPORT_ERR;
    long long wait = created + REPORT_WINDOW - now;
    *retry_after = wait > 0 ? (long)wait : 1;
    return REPORT_RATE_LIMITED;
}

int report_file(struct store *s, struct arena *a, const struct viewer *v, const struct entry *e,
                const char *reason, const char *comment, long long now, struct report_filed *out)
{
    memset(out, 0, sizeof(*out));
    if (!v || v->user_id <= 0)
        return REPORT_FORBIDDEN;
    if (!report_reason_label(reason))
        return REPORT_ERR; /* a caller that skipped report_check: a bug */
    if (store_begin(s) != STORE_OK)
        return REPORT_ERR;
    int rc = REPORT_ERR;
    /* The account and the entry as the file has them now: a block, a deletion or a hiding
     * that happened while this report waited for the write lock wins. */
    struct user_row u;
    int urc = store_user_by_id(s, a, v->user_id, &u);
    if (urc != STORE_OK || strcmp(u.status, "active") != 0) {
        rc = urc == STORE_ERR ? REPORT_ERR : REPORT_FORBIDDEN;
        goto rollback;
    }
    struct viewer me = {v->user_id, role_from_name(u.role)};
    struct entry_row row;
    int erc = store_entry_by_id(s, a, e->id, &row);
    if (erc != STORE_OK || !viewer_sees_entry(&me, row.deleted, row.hidden) ||
        row.published_rev == 0) {
        rc = erc == STORE_ERR ? REPORT_ERR : REPORT_NOTFOUND;
        goto rollback;
    }
    rc = report_rate(s, me.user_id, now, &out->retry_after);
    if (rc != REPORT_OK)
        goto rollback;
    rc = REPORT_ERR;
    int irc = store_report_insert(s, row.id, me.user_id, reason, comment, now);
    if (irc != STORE_OK) {
        rc = irc == STORE_CONFLICT ? REPORT_DUPLICATE : REPORT_ERR;
        goto rollback;
    }
    if (store_report_open_count(s, row.id, &out->reporters) != STORE_OK)
        goto rollback;
    long hide = territory_setting_long(s, "report_hide", REPORT_HIDE_DEFAULT);
    if (hide > 0 && out->reporters >= hide && row.hidden == 0) {
        /* What the public sees changes: logged as the system's decision, and a new generation
         * so that no cached page of any process keeps showing the entry. A report that hides
         * nothing changes no page and leaves the caches alone. */
        if (store_entry_set_hidden(s, row.id, 1) != STORE_OK ||
            entry_derive_sync(s, row.id) != ENTRY_OK ||
            store_modlog_insert(s, now, 0, "report_hide", row.id, row.published_rev, 0,
                                arena_printf(a, "signalée par %d comptes", out->reporters)) !=
                STORE_OK ||
            store_generation_bump(s) != STORE_OK)
            goto rollback;
        out->hidden = true;
    }
    if (store_commit(s) != STORE_OK)
        goto rollback;
    return REPORT_OK;
rollback:
    store_rollback(s);
    return rc;
}

int report_open(struct store *s, struct arena *a, const struct viewer *v,
                struct report_group **groups, int *n)
{
    *groups = NULL;
    *n = 0;
    if (!viewer_moderates(v))
        return REPORT_FORBIDDEN;
    struct report_row *rows;
    int nrows;
    if (store_reports_open_list(s, a, STORE_REPORTS_MAX, &rows, &nrows) != STORE_OK)
        return REPORT_ERR;
    struct report_group *g = arena_alloc(a, sizeof(*g) * (size_t)(nrows ? nrows : 1));
    int len = 0;
    /* Rows come grouped by entry: a new group at each change of entry. */
    for (int i = 0; i < nrows; i++) {
        struct report_row *r = &rows[i];
        if (!len || g[len - 1].entry_id != r->entry_id) {
            struct report_group *ng = &g[len++];
            memset(ng, 0, sizeof(*ng));
            ng->entry_id = r->entry_id;
            ng->kind = kind_find(r->kind);
            ng->slug = r->slug;
            ng->hidden = r->hidden;
            ng->published_rev = r->published_rev;
            ng->title = r->slug;
            json_t *card = json_loads(r->card, 0, NULL);
            if (ng->kind && json_is_object(card) && *entry_title(ng->kind, card))
                ng->title = arena_strdup(a, entry_title(ng->kind, card));
            json_decref(card);
            int count = 0;
            for (int j = i; j < nrows && rows[j].entry_id == r->entry_id; j++)
                count++;
            ng->items = arena_alloc(a, sizeof(*ng->items) * (size_t)count);
        }
        struct report_group *cur = &g[len - 1];
        const char *label = report_reason_label(r->reason);
        cur->items[cur->nitems++] = (struct report_item){r->reason, label ? label : r->reason,
                                                         r->comment, r->reporter, r->created};
    }
    *groups = g;
    *n = len;
    return REPORT_OK;
}

/* Closes the open reports of an entry with a moderator's decision, in one transaction with its
 * log row: the entry shown again (dismiss) or withdrawn for good (uphold). */
static int report_decide(struct store *s, struct arena *a, const struct viewer *v,
                         long long entry_id, const char *reason, long long now, bool uphold)
{
    struct viewer me;
    int began = moderation_begin(s, a, v, &me);
    if (began != MODERATION_OK)
        return began == MODERATION_FORBIDDEN ? REPORT_FORBIDDEN : REPORT_ERR;
    struct entry_row row;
    int rc = REPORT_OK, n = 0;
    int erc = store_entry_by_id(s, a, entry_id, &row);
    if (erc != STORE_OK || row.deleted)
        rc = erc == STORE_ERR ? REPORT_ERR : REPORT_NOTFOUND;
    if (rc == REPORT_OK && store_reports_close(s, entry_id, uphold ? "upheld" : "dismissed",
                                               me.user_id, now, &n) != STORE_OK)
        rc = REPORT_ERR;
    if (rc == REPORT_OK && n == 0)
        rc = REPORT_NOTFOUND; /* decided meanwhile by another moderator */
    const char *why =
        reason && *reason ? reason : arena_printf(a, "%d signalement%s", n, n > 1 ? "s" : "");
    if (rc == REPORT_OK &&
        (store_entry_set_hidden(s, entry_id, uphold ? 2 : 0) != STORE_OK ||
         entry_derive_sync(s, entry_id) != ENTRY_OK ||
         store_modlog_insert(s, now, me.user_id, uphold ? "report_uphold" : "report_dismiss",
                             entry_id, row.published_rev, 0, why) != STORE_OK))
        rc = REPORT_ERR;
    int done = moderation_finish(s, rc == REPORT_OK ? MODERATION_OK : MODERATION_ERR);
    if (rc == REPORT_OK && done != MODERATION_OK)
        rc = REPORT_ERR;
    return rc;
}

int report_dismiss(struct store *s, struct arena *a, const struct viewer *v, long long entry_id,
                   const char *reason, long long now)
{
    return report_decide(s, a, v, entry_id, reason, now, false);
}

int report_uphold(struct store *s, struct arena *a, const struct viewer *v, long long entry_id,
                  const char *reason, long long now)
{
    return report_decide(s, a, v, entry_id, reason, now, true);
}
