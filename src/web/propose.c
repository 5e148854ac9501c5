/* propose.c — the guided path to propose a record ("Proposer…", /proposer): a start page
 * offering the kinds that have a path, then one short page per question, each asking some fields
 * of the kind's schema (its inputs, labels, limits and checks are the schema's: entry_view_form,
 * validate_entry_fields), then a preview of the record as its page will show it (entry_view_fields
 * and the record's own partial) and the button that sends it through the one save path
 * (draft_submit → entry_save). The questions, their explanations and examples are the table
 * below, one row per step; a required field of a kind that no row asks gets a step of its own,
 * so a schema that grows never makes a path that cannot be sent. Between steps the answers are a
 * draft (core/draft.h), private to their author: a sign-in is needed first. Every step is a plain
 * form POST with its CSRF token; nothing needs JavaScript. Every path ends with an optional photo
 * step before the preview: the image is checked and made as every upload is, kept with the draft
 * (core/draft.h draft_photo_*: its author alone sees it), and becomes the record's main image
 * when the draft is sent.
 *
 * GET  /proposer                              the start page
 * GET  /proposer/{kind}                       step 1 (sign-in asked first)
 * POST /proposer/{kind}                       step 1 sent: the draft is created
 * GET  /proposer/brouillons/{key}?etape=N     step N of a draft; N = steps + 1: the preview
 * POST /proposer/brouillons/{key}             etape, aller (suivant, precedent, apercu,
 *                                             plus-tard), the step's fields
 *                                             (the photo step: multipart, its file and texts)
 * GET  /proposer/brouillons/{key}/photo/{file} a file made of the draft's photo, its author's
 * POST /proposer/brouillons/{key}/envoyer     the preview's submit
 * POST /proposer/brouillons/{key}/supprimer   deletes the draft */
#include "core/draft.h"
#include "core/media.h"
#include "core/entry.h"
#include "core/rate.h"
#include "core/territory.h"
#include "core/validate.h"
#include "render/image.h"
#include "util/arena.h"
#include "util/buf.h"
#include "web/app.h"
#include "web/entry_view.h"
#include "web/pages.h"
#include <string.h>
#include <time.h>

#define PROPOSE_FIELDS 6 /* fields of one step, the last always NULL */
#define PROPOSE_STEPS 24

/* One step of a kind's path. */
struct propose_question {
    const char *kind;     /* the kind's API id */
    const char *title;    /* its name in the list of steps */
    const char *question; /* the page's heading */
    const char *explain;  /* one line under it */
    const char *example;  /* an answer as someone could give it (NULL: none) */
    const char *fields[PROPOSE_FIELDS];
};

/* The last step of every path, before the preview. */
static const struct propose_question propose_photo_question = {
    .title = "Une photo",
    .question = "Une photo pour illustrer la fiche ?",
    .explain = "Facultatif : une image donne envie de lire la fiche et montre à quoi ressemble "
               "l'initiative. Vous pouvez passer cette étape.",
};

/* Whether q is the photo step (no field of the schema: a file and its texts). */
static bool propose_is_photo(const struct propose_question *q)
{
    return q == &propose_photo_question;
}

/* The paths, kind after kind, in the order of their steps. Innovations follow the territory's
 * own questionnaire ("le code source" of an innovation): what it is and what makes it singular,
 * what it brings and to whom, where it comes from, how it works, what it needs and how it is
 * funded, how others could take it up. */
static const struct propose_question propose_questions[] = {
    {"innovation",
     "Son nom",
     "Comment s'appelle votre innovation ?",
     "Un nom court pour la reconnaître, puis une phrase qui dit ce qu'elle fait et pour qui.",
     "« Répar'Café de Kerourien » — « Des bénévoles aident les habitants à réparer eux-mêmes "
     "leurs objets, un samedi par mois. »",
     {"title", "summary"}},
    {"innovation",
     "Ce qu'elle est",
     "Qu'est-ce que c'est, et qu'a-t-elle de singulier ?",
     "Racontez ce qu'elle fait, ce qui l'a fait naître, et ce qui la distingue de ce qui existait "
     "déjà.",
     "« Un atelier ouvert à tous dans la maison de quartier : on y vient avec un grille-pain ou "
     "un vélo, on repart en sachant le réparer. Personne ne répare à votre place. »",
     {"description"}},
    {"innovation",
     "Ce qu'elle apporte",
     "À qui sert-elle, et que change-t-elle pour eux ?",
     "Les personnes qui en profitent et ce qu'elles y gagnent : du lien, des savoirs, des "
     "économies, de la reconnaissance…",
     "« Des retraités transmettent leur savoir-faire à des jeunes du quartier ; des centaines "
     "d'objets ne partent plus à la déchetterie. »",
     {"strengths"}},
    {"innovation",
     "Son origine",
     "D'où vient-elle ?",
     "Qui l'a lancée et la fait vivre, depuis quand, où elle en est. Le constat ou la rencontre "
     "qui l'a déclenchée se raconte dans la description.",
     "« Portée par l'association des habitants et la maison de quartier, depuis 2019, toujours en "
     "cours. »",
     {"holders", "start_year", "status"}},
    {"innovation",
     "Son fonctionnement",
     "Comment ça marche ?",
     "L'organisation au quotidien : les étapes, qui fait quoi, à quel rythme.",
     "« Six bénévoles, un local prêté par la mairie, une permanence le premier samedi du "
     "mois ; on s'inscrit sur place. »",
     {"how_it_works"}},
    {"innovation",
     "Ses moyens",
     "De quoi a-t-elle besoin pour vivre ?",
     "Les personnes, le matériel, les lieux, et comment elle est financée : subvention, "
     "cotisations, dons, bénévolat…",
     "« Une caisse à outils (300 € au départ), une assurance, une petite subvention de la "
     "ville ; tout le reste est bénévole. »",
     {"needs"}},
    {"innovation",
     "Son code source",
     "Qui pourrait la reprendre, et comment ?",
     "Ce qu'il faut savoir pour lancer la même chose ailleurs, et les écueils à éviter : c'est le "
     "« code source » de l'innovation.",
     "« Commencer avec trois ou quatre bricoleurs, afficher la charte dès le premier atelier, "
     "prévenir les réparateurs du quartier. »",
     {"how_to_reproduce", "difficulties"}},
    {"innovation",
     "Le lieu et les thèmes",
     "Où se passe-t-elle, et de quoi parle-t-elle ?",
     "La commune la place sur la carte ; les thèmes aident à la trouver.",
     "« Brest ; environnement, lien social. »",
     {"commune", "themes"}},
    {"innovation",
     "Contact et licence",
     "Comment en savoir plus, et qui peut reprendre ce texte ?",
     "Un site, les personnes à joindre, et la licence sous laquelle vous publiez la fiche.",
     "« Demander Anne à l'accueil de la maison de quartier, le samedi matin. »",
     {"website", "contacts", "license"}},

    {"actor",
     "Le nom",
     "Comment s'appelle votre structure ?",
     "Le nom sous lequel on vous connaît, puis une phrase pour dire ce que vous faites.",
     "« Maison de quartier de Kerourien » — « Association d'éducation populaire qui anime "
     "le quartier avec ses habitants. »",
     {"title", "summary"}},
    {"actor",
     "Type et commune",
     "Quel acteur êtes-vous, et où ?",
     "Le type et la commune servent de filtres dans la liste des acteurs.",
     "« Association, à Brest. »",
     {"actor_type", "commune"}},
    {"actor",
     "Vos activités",
     "Que faites-vous ?",
     "Vos activités, les personnes avec qui vous travaillez, votre manière de faire.",
     "« Accueil de loisirs, ateliers numériques, jardin partagé, fête de quartier en juin. »",
     {"description"}},
    {"actor",
     "Thèmes et savoir-faire",
     "Sur quoi pouvez-vous aider d'autres porteurs de projets ?",
     "Vos thèmes, et ce que vous acceptez de transmettre : méthodes, outils, expériences.",
     "« Nous pouvons expliquer comment monter un jardin partagé avec un bailleur social. »",
     {"themes", "advises_on", "advice"}},
    {"actor",
     "Contact et licence",
     "Comment vous joindre ?",
     "Votre site, une adresse où recevoir les messages des visiteurs (jamais affichée), et la "
     "licence de la fiche.",
     NULL,
     {"website", "contact_email", "license"}},

    {"place",
     "Le nom",
     "Comment s'appelle ce lieu ?",
     "Son nom, puis une phrase qui dit ce qu'on y trouve et pour qui.",
     "« Médiathèque de Plouzané » — « Livres, jeux, ordinateurs en accès libre et ateliers "
     "numériques pour tous. »",
     {"title", "summary"}},
    {"place",
     "L'adresse",
     "Quel lieu est-ce, et où se trouve-t-il ?",
     "Son type et son adresse (la commune au moins), ou sa position sur la carte.",
     "« Médiathèque, 2 rue de la Mairie, 29280 Plouzané. »",
     {"place_type", "address", "point"}},
    {"place",
     "Ce qu'on y fait",
     "Qu'y trouve-t-on ?",
     "Ce que le lieu propose, et l'aide qu'on peut y recevoir.",
     "« Aide aux démarches en ligne le mardi, atelier photo le samedi. »",
     {"description", "services"}},
    {"place",
     "Les horaires",
     "Quand est-il ouvert ?",
     "Jour par jour, les heures d'ouverture ; laissez vide un jour de fermeture.",
     "« 9h-12h, 14h-18h »",
     {"opening_hours"}},
    {"place",
     "Sur place",
     "Quels équipements, et comment y accéder ?",
     "Ce qui est à disposition, l'accessibilité, un téléphone pour se renseigner.",
     "« Wi-Fi, ordinateurs, impression ; accessible en fauteuil. »",
     {"equipment", "accessible", "phone"}},
    {"place",
     "Contact et licence",
     "Comment joindre le lieu ?",
     "Son site, une adresse où recevoir les messages des visiteurs (jamais affichée), et la "
     "licence de la fiche.",
     NULL,
     {"website", "contact_email", "license"}},

    {"event",
     "L'événement",
     "Quel est votre événement ?",
     "Son titre, une phrase qui dit ce qui s'y passe, et son type.",
     "« Café-réparation de janvier » — « On répare ensemble petits appareils et vélos, "
     "autour d'un café. »",
     {"title", "summary", "event_type"}},
    {"event",
     "La date",
     "Quand a-t-il lieu ?",
     "Le début et la fin, à l'heure de Brest.",
     "« Le 16 janvier 2027, de 14:00 à 17:00. »",
     {"start", "end"}},
    {"event",
     "Le lieu",
     "Où se passe-t-il ?",
     "L'adresse (la commune au moins, pour qu'on le trouve), ou le lien s'il a lieu en ligne.",
     "« Maison de quartier, 5 rue Maurice Ravel, Brest. »",
     {"address", "online_url"}},
    {"event",
     "Le programme",
     "Que va-t-il s'y passer, et pour qui ?",
     "Le déroulé, le public attendu, les thèmes.",
     "« Accueil à 14:00, puis réparations par petits groupes. Tout public, enfants "
     "accompagnés. »",
     {"description", "audience", "themes"}},
    {"event",
     "Tarif et inscription",
     "Combien ça coûte, et faut-il s'inscrire ?",
     "Le tarif, et comment réserver sa place s'il le faut.",
     "« Gratuit, sur inscription, 20 places. »",
     {"price", "price_detail", "registration", "capacity"}},
    {"event",
     "Contact et licence",
     "Qui joindre pour une question ?",
     "Une adresse où recevoir les messages des visiteurs (jamais affichée), et la licence de la "
     "fiche.",
     NULL,
     {"contact_email", "license"}},
};
#define PROPOSE_NQUESTIONS (sizeof propose_questions / sizeof *propose_questions)

/* The kinds the start page offers, in its order, with a sentence each. */
static const struct {
    const char *kind, *pitch;
} propose_kinds[] = {
    {"innovation", "Une initiative qui change quelque chose sur le territoire, racontée pour que "
                   "d'autres puissent la reprendre."},
    {"actor", "Une association, un service, un collectif ou une personne qui agit sur le "
              "territoire."},
    {"place", "Un lieu ouvert au public : médiathèque, espace numérique, tiers-lieu…"},
    {"event", "Un atelier, une rencontre, une formation, à une date donnée."},
};
#define PROPOSE_NKINDS (sizeof propose_kinds / sizeof *propose_kinds)

/* A kind's path: its steps (the preview is step n + 1). */
struct propose_path {
    const struct kind_def *kind;
    const struct propose_question *steps[PROPOSE_STEPS];
    int n;
};

static bool propose_asked(const struct propose_path *p, const char *name)
{
    for (int i = 0; i < p->n; i++)
        for (const char *const *f = p->steps[i]->fields; *f; f++)
            if (strcmp(*f, name) == 0)
                return true;
    return false;
}

/* The path of k from the table, the fields the schema no longer has left out, and a step for
 * each required field no row asks (its label as the question, its help as the explanation).
 * False when k has no row. */
static bool propose_path_of(struct request *req, const struct kind_def *k, struct propose_path *p)
{
    memset(p, 0, sizeof(*p));
    p->kind = k;
    for (size_t i = 0; k && i < PROPOSE_NQUESTIONS && p->n < PROPOSE_STEPS; i++) {
        const struct propose_question *q = &propose_questions[i];
        if (strcmp(q->kind, k->name) != 0)
            continue;
        struct propose_question *copy = arena_alloc(req->arena, sizeof(*copy));
        *copy = *q;
        int nf = 0;
        for (int f = 0; f < PROPOSE_FIELDS - 1 && q->fields[f]; f++) {
            const struct field_def *fd = kind_field(k, q->fields[f]);
            if (fd && !fd->managed)
                copy->fields[nf++] = q->fields[f];
        }
        for (int f = nf; f < PROPOSE_FIELDS; f++)
            copy->fields[f] = NULL;
        if (nf)
            p->steps[p->n++] = copy;
    }
    if (p->n == 0)
        return false;
    for (size_t i = 0; i < k->nfields && p->n < PROPOSE_STEPS; i++) {
        const struct field_def *fd = &k->fields[i];
        if (!fd->required || fd->managed || propose_asked(p, fd->name))
            continue;
        struct propose_question *q = arena_alloc(req->arena, sizeof(*q));
        const struct section_def *sd = kind_section(k, fd->section);
        q->kind = k->name;
        q->title = fd->label;
        q->question = fd->label;
        q->explain = fd->help ? fd->help : sd && sd->help ? sd->help : "";
        q->fields[0] = fd->name;
        p->steps[p->n++] = q;
    }
    if (p->n < PROPOSE_STEPS)
        p->steps[p->n++] = &propose_photo_question;
    return true;
}

/* The step (1 …) that asks field name, 0 when none does. */
static int propose_step_of(const struct propose_path *p, const char *name)
{
    for (int i = 0; i < p->n; i++)
        if (propose_is_photo(p->steps[i]) &&
            (strcmp(name, "file") == 0 || strcmp(name, "alt") == 0 ||
             strcmp(name, "caption") == 0 || strcmp(name, "author") == 0))
            return i + 1;
    for (int i = 0; i < p->n; i++)
        for (const char *const *f = p->steps[i]->fields; *f; f++)
            if (strcmp(*f, name) == 0)
                return i + 1;
    return 0;
}

/* k restricted to the fields of step q, in q's order: what the form helpers of web/ iterate
 * over (entry_view_form, entry_view_form_input, entry_view_form_removed). */
static struct kind_def *propose_step_kind(struct request *req, const struct kind_def *k,
                                          const struct propose_question *q)
{
    struct kind_def *part = arena_alloc(req->arena, sizeof(*part));
    *part = *k;
    struct field_def *fields = arena_alloc(req->arena, sizeof(*fields) * PROPOSE_FIELDS);
    size_t n = 0;
    for (const char *const *f = q->fields; *f; f++)
        fields[n++] = *kind_field(k, *f);
    part->fields = fields;
    part->nfields = n;
    return part;
}

static const char *propose_draft_url(struct request *req, const struct draft *d, int step)
{
    return arena_printf(req->arena, "/proposer/brouillons/%s?etape=%d", d->key, step);
}

static void propose_decref(void *p)
{
    json_decref(p);
}

/* Whether a raw answer says nothing (an empty text, list or object of empty texts). */
static bool propose_blank(json_t *v)
{
    if (!v || json_is_null(v))
        return true;
    if (json_is_string(v))
        return json_string_length(v) == 0;
    if (json_is_array(v))
        return json_array_size(v) == 0;
    if (json_is_object(v)) {
        const char *key;
        json_t *item;
        json_object_foreach(v, key, item)
        {
            if (!propose_blank(item))
                return false;
        }
        return true;
    }
    return false;
}

/* The list of steps and the progress ("Étape 3 sur 10"): steps reached are links. */
static void propose_progress(struct request *req, struct tv *ctx, const struct propose_path *p,
                             const struct draft *d, int current)
{
    int total = p->n + 1;
    tv_set_int(ctx, "step", current);
    tv_set_int(ctx, "total", total);
    struct tv *list = tv_set_list(ctx, "steps");
    for (int i = 1; i <= total; i++) {
        struct tv *o = tv_push_obj(list);
        tv_set_int(o, "number", i);
        tv_set_str(o, "title", i <= p->n ? p->steps[i - 1]->title : "Relecture et envoi");
        tv_set_bool(o, "current", i == current);
        if (i != current && d && i <= (d->step > total ? total : d->step))
            tv_set_str(o, "href", propose_draft_url(req, d, i));
    }
}

static void propose_errors(struct request *req, struct tv *ctx, const struct propose_path *p,
                           const struct draft *d, const struct field_errors *errs, bool links)
{
    if (!errs || !errs->n)
        return;
    tv_set_str(ctx, "title_prefix", "Erreur :");
    tv_set_bool(ctx, "has_errors", true);
    struct tv *list = tv_set_list(ctx, "errors");
    for (int i = 0; i < errs->n; i++) {
        struct tv *o = tv_push_obj(list);
        tv_set_str(o, "message", errs->e[i].message);
        int step = links ? propose_step_of(p, errs->e[i].field) : 0;
        if (links && step && d)
            tv_set_str(o, "href",
                       arena_printf(req->arena, "%s#field-%s", propose_draft_url(req, d, step),
                                    errs->e[i].field));
        else if (!links)
            tv_set_str(o, "href", arena_printf(req->arena, "#field-%s", errs->e[i].field));
    }
}

/* The draft's photo with the addresses of its files under the draft's own (never /media/…,
 * which serves no file of a draft). */
static bool propose_photo_of(struct request *req, const struct draft *d, struct media *m)
{
    struct viewer v = app_viewer(req);
    if (!d || draft_photo_get(app_store(req), req->arena, &v, d, m) != MEDIA_OK)
        return false;
    for (int i = 0; i < m->nfiles; i++) {
        const char *name = strrchr(m->files[i].url, '/');
        m->files[i].url = arena_printf(req->arena, "/proposer/brouillons/%s/photo/%s", d->key,
                                       name ? name + 1 : m->files[i].url);
    }
    return true;
}

/* The licence of the draft's record, by its name. */
static const char *propose_license_label(struct request *req, const struct kind_def *k,
                                         json_t *answers)
{
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].source == FS_LICENSES)
            return entry_view_option_label(
                req, &k->fields[i], json_string_value(json_object_get(answers, k->fields[i].name)));
    return NULL;
}

/* The photo step: the file input and its texts (those posted after an error, else the photo's
 * own), the photo kept if there is one, errs beside their fields. */
static void propose_photo_page(struct request *req, const struct propose_path *p,
                               const struct draft *d, int step, const struct field_errors *errs)
{
    const struct kind_def *k = p->kind;
    const struct propose_question *q = p->steps[step - 1];
    struct tv *ctx = app_context(req, arena_printf(req->arena, "Étape %d sur %d : %s — Proposer %s",
                                                   step, p->n + 1, q->question, k->a_label));
    if (errs && errs->n)
        tv_set_str(ctx, "title_prefix", "Erreur :");
    app_need_csrf(req, ctx);
    tv_set_str(ctx, "a_label", k->a_label);
    tv_set_str(ctx, "question", q->question);
    tv_set_str(ctx, "explain", q->explain);
    tv_set_str(ctx, "action", arena_printf(req->arena, "/proposer/brouillons/%s", d->key));
    tv_set_bool(ctx, "can_preview", d->step > p->n);
    tv_set_str(ctx, "next_label", step == p->n ? "Relire la fiche" : "Suivant");
    tv_set_str(ctx, "full_form_url", arena_printf(req->arena, "/%s/new", k->segment));
    tv_set_str(ctx, "license", propose_license_label(req, k, d->answers));
    tv_set_int(ctx, "max_mb", MEDIA_IMAGE_MAX_BYTES / (1024 * 1024));
    tv_set_int(ctx, "max_mp", IMAGE_MAX_PIXELS / 1000000);
    tv_set_int(ctx, "alt_max", MEDIA_ALT_MAX);
    tv_set_int(ctx, "caption_max", MEDIA_CAPTION_MAX);
    tv_set_int(ctx, "author_max", MEDIA_AUTHOR_MAX);
    struct media m;
    bool has = propose_photo_of(req, d, &m);
    if (has)
        page_media_values(req, tv_set_obj(ctx, "photo"), &m, k, 640, "36rem");
    static const char *const texts[] = {"alt", "caption", "author"};
    for (size_t i = 0; i < 3; i++) {
        const char *posted = http_form(req, texts[i]);
        const char *own = !has ? "" : i == 0 ? m.alt : i == 1 ? m.caption : m.author;
        tv_set_str(ctx, texts[i], errs && errs->n && posted ? posted : own);
    }
    static const char *const fields[] = {"file", "alt", "caption", "author"};
    for (size_t i = 0; i < 4 && errs; i++) {
        const char *msg = validate_error_for(errs, fields[i]);
        if (msg)
            tv_set_str(ctx, arena_printf(req->arena, "error_%s", fields[i]), msg);
    }
    propose_progress(req, ctx, p, d, step);
    propose_errors(req, ctx, p, d, errs, false);
    app_render(req, "propose_photo", ctx);
    if (errs && errs->n && req->status < 400)
        req->status = 422;
}

/* The page of step (1 … p->n) with answers (raw values) and errs (may be NULL). d is NULL
 * before the first step is sent. */
static void propose_step_page(struct request *req, const struct propose_path *p,
                              const struct draft *d, int step, json_t *answers,
                              const struct field_errors *errs)
{
    const struct kind_def *k = p->kind;
    const struct propose_question *q = p->steps[step - 1];
    if (propose_is_photo(q)) {
        propose_photo_page(req, p, d, step, errs);
        return;
    }
    struct tv *ctx = app_context(req, arena_printf(req->arena, "Étape %d sur %d : %s — Proposer %s",
                                                   step, p->n + 1, q->question, k->a_label));
    app_need_csrf(req, ctx);
    tv_set_str(ctx, "a_label", k->a_label);
    tv_set_str(ctx, "kind_name", k->name);
    tv_set_str(ctx, "kind_segment", k->segment);
    tv_set_str(ctx, "question", q->question);
    tv_set_str(ctx, "explain", q->explain);
    tv_set_str(ctx, "example", q->example);
    tv_set_str(ctx, "action",
               d ? arena_printf(req->arena, "/proposer/brouillons/%s", d->key)
                 : arena_printf(req->arena, "/proposer/%s", k->segment));
    tv_set_bool(ctx, "has_prev", step > 1);
    tv_set_bool(ctx, "can_preview", d && d->step > p->n);
    tv_set_str(ctx, "next_label", step == p->n ? "Relire la fiche" : "Suivant");
    tv_set_str(ctx, "full_form_url", arena_printf(req->arena, "/%s/new", k->segment));
    propose_progress(req, ctx, p, d, step);
    propose_errors(req, ctx, p, d, errs, false);
    entry_view_form(req, ctx, propose_step_kind(req, k, q), answers, errs);
    app_render(req, "propose_step", ctx);
    if (errs && errs->n)
        req->status = 422;
}

/* The preview: the record as its page will show it, from the answers that are valid; errs the
 * reasons the whole would be refused (each with a link to the step that asks its field). */
static void propose_preview_page(struct request *req, const struct propose_path *p,
                                 const struct draft *d, const struct field_errors *errs)
{
    const struct kind_def *k = p->kind;
    const struct territory *t = req->app->territory;
    struct field_errors check = {0};
    if (!errs) {
        json_t *all = validate_entry(req->arena, k, t, d->answers, false, &check);
        json_decref(all);
        errs = &check;
    }
    /* What can be shown: every field that is valid on its own (the steps checked them). */
    const char **names = arena_alloc(req->arena, sizeof(*names) * (k->nfields + 1));
    size_t nn = 0;
    for (size_t i = 0; i < k->nfields; i++)
        if (!validate_error_for(errs, k->fields[i].name))
            names[nn++] = k->fields[i].name;
    names[nn] = NULL;
    struct field_errors shown_errs = {0};
    json_t *shown = validate_entry_fields(req->arena, k, t, d->answers, names, false, &shown_errs);
    if (!shown) {
        /* A rule between fields refused their pair: show each field alone. */
        shown = json_object();
        for (size_t i = 0; i < nn; i++) {
            const char *one[2] = {names[i], NULL};
            struct field_errors e1 = {0};
            json_t *v = validate_entry_fields(req->arena, k, t, d->answers, one, false, &e1);
            if (v)
                json_object_update(shown, v);
            json_decref(v);
        }
    }
    arena_defer(req->arena, propose_decref, shown);
    json_t *rendered = entry_render_fields(k, shown);
    char *fields_text = json_dumps(shown, JSON_COMPACT);
    char *rendered_text = rendered ? json_dumps(rendered, JSON_COMPACT) : NULL;
    const char *ft = arena_strdup(req->arena, fields_text ? fields_text : "{}");
    const char *rt = arena_strdup(req->arena, rendered_text ? rendered_text : "{}");
    free(fields_text);
    free(rendered_text);
    json_decref(rendered);
    const char *title = draft_title(d);
    struct tv *ctx =
        app_context(req, arena_printf(req->arena, "Étape %d sur %d : relecture — Proposer %s",
                                      p->n + 1, p->n + 1, k->a_label));
    app_need_csrf(req, ctx);
    tv_set_str(ctx, "a_label", k->a_label);
    tv_set_str(ctx, "kind_name", k->name);
    tv_set_str(ctx, "kind_label", k->label);
    tv_set_str(ctx, "kind_segment", k->segment);
    tv_set_str(ctx, "draft_title", *title ? title : "(sans titre)");
    tv_set_str(ctx, "key", d->key);
    struct viewer v = app_viewer(req);
    tv_set_bool(ctx, "publishes", viewer_publishes(&v));
    const struct field_def *lic = NULL;
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].source == FS_LICENSES)
            lic = &k->fields[i];
    const char *ctx_license = NULL;
    if (lic) {
        ctx_license =
            entry_view_option_label(req, lic, json_string_value(json_object_get(shown, lic->name)));
        tv_set_str(ctx, "license", ctx_license);
    }
    /* The steps, each with its link to change it. */
    struct tv *edits = tv_set_list(ctx, "edit_steps");
    for (int i = 0; i < p->n; i++) {
        struct tv *o = tv_push_obj(edits);
        tv_set_int(o, "number", i + 1);
        tv_set_str(o, "title", p->steps[i]->title);
        tv_set_str(o, "href", propose_draft_url(req, d, i + 1));
    }
    propose_progress(req, ctx, p, d, p->n + 1);
    propose_errors(req, ctx, p, d, errs, true);
    struct json_span fields = {ft, strlen(ft)}, html = {rt, strlen(rt)};
    entry_view_fields(req, ctx, k, entry_view_members(req, k, fields), html);
    /* The photo kept with the draft, from the draft's own address (its author's alone). */
    struct media m;
    if (propose_photo_of(req, d, &m)) {
        struct tv *o = tv_set_obj(ctx, "photo");
        page_media_values(req, o, &m, k, 1024, "(min-width: 60em) 48rem, 100vw");
        tv_set_str(o, "license", ctx_license ? ctx_license : "");
    }
    app_render(req, "propose_preview", ctx);
    if (errs->n)
        req->status = 422;
}

/* The path and the draft of the request (/proposer/brouillons/{key}…), or an answer given
 * (404 for a draft this viewer may not see, exactly as for one that does not exist). */
static bool propose_load(struct request *req, struct draft *d, struct propose_path *p)
{
    struct store *s = app_store(req);
    if (!s) {
        app_error(req, 503, false);
        return false;
    }
    struct viewer v = app_viewer(req);
    int rc = draft_find(s, req->arena, &v, req->params[0], d);
    if (rc != DRAFT_OK) {
        app_error(req, rc == DRAFT_NOTFOUND ? 404 : 500, false);
        return false;
    }
    if (!propose_path_of(req, d->kind, p)) {
        app_error(req, 404, false);
        return false;
    }
    return true;
}

/* GET /proposer — what can be proposed, and the drafts to continue. */
void page_propose_start(struct request *req)
{
    struct tv *ctx = app_context(req, "Proposer une fiche");
    struct tv *list = tv_set_list(ctx, "kinds");
    for (size_t i = 0; i < PROPOSE_NKINDS; i++) {
        const struct kind_def *k = kind_find(propose_kinds[i].kind);
        struct propose_path p;
        if (!propose_path_of(req, k, &p))
            continue;
        struct tv *o = tv_push_obj(list);
        tv_set_str(o, "a_label", k->a_label);
        tv_set_str(o, "href", arena_printf(req->arena, "/proposer/%s", k->segment));
        tv_set_str(o, "pitch", propose_kinds[i].pitch);
        tv_set_int(o, "steps", p.n + 1);
        tv_set_str(o, "full_form_url", arena_printf(req->arena, "/%s/new", k->segment));
    }
    if (req->logged_in)
        page_propose_drafts(req, ctx);
    app_render(req, "propose_start", ctx);
}

/* The first page of a kind's path for a visitor: sign in (or sign up) first. */
static void propose_sign_in(struct request *req, const struct kind_def *k)
{
    struct tv *ctx = app_context(req, arena_printf(req->arena, "Proposer %s", k->a_label));
    tv_set_str(ctx, "a_label", k->a_label);
    tv_set_str(ctx, "path", req->path);
    struct buf b = BUF_INIT;
    buf_printf(&b, "/login?next=%%2Fproposer%%2F%s", k->segment);
    tv_set_str(ctx, "login_url", arena_strdup(req->arena, buf_cstr(&b)));
    buf_free(&b);
    app_render(req, "propose_sign_in", ctx);
}

/* GET /proposer/{kind} — step 1 of the kind's path (a sign-in first). */
void page_propose_first(struct request *req)
{
    const struct kind_def *k = kind_find_segment(req->params[0]);
    struct propose_path p;
    if (!propose_path_of(req, k, &p)) {
        /* A kind without a path: its complete form. */
        http_redirect(req, 303, arena_printf(req->arena, "/%s/new", k->segment));
        return;
    }
    if (!req->logged_in) {
        propose_sign_in(req, k);
        return;
    }
    json_t *answers = json_pack("{s:s}", "license", req->app->territory->license);
    propose_step_page(req, &p, NULL, 1, answers, NULL);
    json_decref(answers);
}

/* Where each button of a step goes. */
enum propose_go { GO_NEXT, GO_PREV, GO_PREVIEW, GO_LATER };

static enum propose_go propose_go_of(struct request *req)
{
    const char *go = http_form(req, "aller");
    if (go && strcmp(go, "precedent") == 0)
        return GO_PREV;
    if (go && strcmp(go, "apercu") == 0)
        return GO_PREVIEW;
    if (go && strcmp(go, "plus-tard") == 0)
        return GO_LATER;
    return GO_NEXT;
}

/* The posted fields of step q merged into answers (raw values, as the form gave them), then
 * the step checked by the one validation path: required fields only when going forward (a
 * draft kept for later or left backwards may be incomplete; the preview says what is missing).
 * False with errs filled; answers then hold the input, for the page shown again. */
static bool propose_take(struct request *req, const struct propose_path *p,
                         const struct propose_question *q, json_t *answers, enum propose_go go,
                         struct field_errors *errs)
{
    const struct kind_def *part = propose_step_kind(req, p->kind, q);
    json_t *input = entry_view_form_input(req, part);
    const char *const *removed = entry_view_form_removed(req, part);
    for (size_t i = 0; i < part->nfields; i++) {
        const struct field_def *fd = &part->fields[i];
        json_t *v = json_object_get(input, fd->name);
        bool remove = false;
        for (const char *const *r = removed; *r; r++)
            remove |= strcmp(*r, fd->name) == 0;
        /* A private value is never sent back to the browser: its empty input keeps it, unless
         * its removal is asked (as in the complete form). */
        if (fd->private && propose_blank(v) && !remove &&
            !propose_blank(json_object_get(answers, fd->name)))
            continue;
        if (v)
            json_object_set(answers, fd->name, v);
        else
            json_object_set_new(answers, fd->name, json_string(""));
    }
    json_decref(input);
    bool forward = go == GO_NEXT || go == GO_PREVIEW;
    json_t *clean = validate_entry_fields(req->arena, p->kind, req->app->territory, answers,
                                          q->fields, forward, errs);
    json_decref(clean);
    return errs->n == 0;
}

/* After a step was written: the next page. */
static void propose_after(struct request *req, const struct propose_path *p, const struct draft *d,
                          int step, enum propose_go go)
{
    if (go == GO_LATER) {
        app_flash(req, "draft_saved");
        http_redirect(req, 303, "/compte#brouillons");
        return;
    }
    int to = go == GO_PREV ? step - 1 : go == GO_PREVIEW ? p->n + 1 : step + 1;
    http_redirect(req, 303, propose_draft_url(req, d, to < 1 ? 1 : to));
}

/* The answer to a draft that could not be written. */
static void propose_write_failed(struct request *req, const struct propose_path *p,
                                 const struct draft *d, int step, json_t *answers, int rc)
{
    if (rc == DRAFT_FULL || rc == DRAFT_TOO_BIG) {
        struct field_errors errs = {0};
        validate_error(
            &errs, propose_is_photo(p->steps[step - 1]) ? "file" : p->steps[step - 1]->fields[0],
            rc == DRAFT_FULL
                ? arena_printf(req->arena,
                               "Vous avez déjà %d brouillons : envoyez-en ou supprimez-en un "
                               "depuis votre compte avant d'en commencer un autre.",
                               DRAFT_MAX_PER_ACCOUNT)
                : "Vos réponses sont trop longues pour être gardées : raccourcissez-les.");
        propose_step_page(req, p, d, step, answers, &errs);
        return;
    }
    app_error(req, rc == DRAFT_NOTFOUND ? 404 : 500, false);
}

/* POST /proposer/{kind} — step 1 sent: csrf, aller, its fields. The draft is made here, so that
 * a visitor who only looks creates nothing. */
void page_propose_begin(struct request *req)
{
    if (!app_require_login(req) || !app_check_csrf(req))
        return;
    const struct kind_def *k = kind_find_segment(req->params[0]);
    struct propose_path p;
    if (!propose_path_of(req, k, &p)) {
        app_error(req, 404, false);
        return;
    }
    struct store *s = app_store(req);
    if (!s) {
        app_error(req, 503, false);
        return;
    }
    json_t *answers = json_pack("{s:s}", "license", req->app->territory->license);
    arena_defer(req->arena, propose_decref, answers);
    enum propose_go go = propose_go_of(req);
    if (go == GO_PREV || go == GO_PREVIEW)
        go = GO_NEXT;
    struct field_errors errs = {0};
    if (!propose_take(req, &p, p.steps[0], answers, go, &errs)) {
        propose_step_page(req, &p, NULL, 1, answers, &errs);
        return;
    }
    struct viewer v = app_viewer(req);
    struct draft d;
    int rc = draft_create(s, req->arena, &v, k, answers, go == GO_LATER ? 1 : 2,
                          (long long)time(NULL), &d);
    if (rc != DRAFT_OK) {
        propose_write_failed(req, &p, NULL, 1, answers, rc);
        return;
    }
    propose_after(req, &p, &d, 1, go);
}

/* GET /proposer/brouillons/{key}?etape=N — a step of a draft, or its preview (N = steps + 1;
 * without N, the step its author last reached). */
void page_propose_step(struct request *req)
{
    if (!app_require_login(req))
        return;
    struct draft d;
    struct propose_path p;
    if (!propose_load(req, &d, &p))
        return;
    int step = app_int_param(http_query(req, "etape"), p.n + 1);
    if (!step)
        step = d.step < 1 ? 1 : d.step > p.n + 1 ? p.n + 1 : d.step;
    if (step == p.n + 1)
        propose_preview_page(req, &p, &d, NULL);
    else
        propose_step_page(req, &p, &d, step, d.answers, NULL);
}

/* The photo step sent (multipart): a new file checked and made as every upload is, or the texts
 * of the photo kept changed, or its removal; no file and no photo: the step is skipped. On an
 * error the step again, its texts kept, nothing stored (413, 415, 422 or 429 as the API says). */
static void propose_photo_save(struct request *req, const struct propose_path *p, struct draft *d,
                               int step, enum propose_go go)
{
    struct store *s = app_store(req);
    struct viewer v = app_viewer(req);
    struct field_errors errs = {0};
    const struct http_file *f = http_file(req, "file");
    const char *alt = http_form(req, "alt"), *caption = http_form(req, "caption"),
               *author = http_form(req, "author"), *remove = http_form(req, "retirer");
    struct media have;
    bool has = draft_photo_get(s, req->arena, &v, d, &have) == MEDIA_OK;
    int rc = MEDIA_OK, status = 422;
    long retry = 0;
    if (f && f->len > 0) {
        struct media_upload in = {
            .kind = p->kind,
            .alt = alt,
            .caption = caption,
            .author = author,
            .filename = f->filename,
            .data = f->data,
            .len = f->len,
            .client_ip = http_client_ip(req),
            .now = (long long)time(NULL),
            .errs = &errs,
        };
        struct media m;
        rc = draft_photo_put(s, req->arena, &v, d, &in, &m);
        retry = in.retry_after;
    } else if (has && remove && *remove) {
        rc = draft_photo_remove(s, &v, d);
    } else if (has) {
        rc = draft_photo_texts(s, req->arena, &v, d, alt, caption, author, &errs);
    }
    switch (rc) {
    case MEDIA_OK:
    case MEDIA_INVALID:
        break;
    case MEDIA_UNSUPPORTED:
        status = 415;
        break;
    case MEDIA_TOO_LARGE:
        status = 413;
        break;
    case MEDIA_RATE_LIMITED:
        validate_error(&errs, "file", rate_edit_refusal(req->arena, retry));
        status = 429;
        http_add_header(req, "Retry-After", arena_printf(req->arena, "%ld", retry > 0 ? retry : 1));
        break;
    case MEDIA_FORBIDDEN:
        validate_error(&errs, "file", "Votre compte ne peut pas envoyer de fichier.");
        status = 403;
        break;
    default:
        app_error(req, rc == MEDIA_NOTFOUND ? 404 : 500, false);
        return;
    }
    if (errs.n) {
        req->status = status;
        propose_photo_page(req, p, d, step, &errs);
        return;
    }
    int reached = go == GO_NEXT ? step + 1 : step;
    rc = draft_write(s, &v, d, reached > d->step ? reached : d->step, (long long)time(NULL));
    if (rc != DRAFT_OK) {
        app_error(req, rc == DRAFT_NOTFOUND ? 404 : 500, false);
        return;
    }
    propose_after(req, p, d, step, go);
}

/* GET /proposer/brouillons/{key}/photo/{file} — file is HASH.ext, one made of the draft's photo:
 * to its author only (404 for anyone else, signed in or not, as for a file that does not exist),
 * never cached by others. */
void page_propose_photo(struct request *req)
{
    struct store *s = app_store(req);
    const char *file = req->params[1];
    const char *dot = file ? strchr(file, '.') : NULL;
    if (!s || !req->logged_in || !dot || dot - file != 64) {
        app_error(req, s ? 404 : 503, false);
        return;
    }
    struct draft d;
    struct propose_path p;
    if (!propose_load(req, &d, &p))
        return;
    char hash[65];
    memcpy(hash, file, 64);
    hash[64] = '\0';
    struct viewer v = app_viewer(req);
    const char *mime = NULL;
    const unsigned char *data = NULL;
    size_t len = 0;
    int rc = draft_photo_file(s, req->arena, &v, &d, hash, &mime, &data, &len);
    const char *ext = strcmp(mime ? mime : "", "image/webp") == 0 ? "webp" : "jpg";
    if (rc != MEDIA_OK || strcmp(dot + 1, ext) != 0) {
        app_error(req, rc == MEDIA_ERR ? 500 : 404, false);
        return;
    }
    req->content_type = mime;
    req->cache = HTTP_CACHE_NONE;
    buf_reset(&req->out);
    buf_append(&req->out, data, len);
}

/* POST /proposer/brouillons/{key} — etape, aller, the step's fields, csrf. */
void page_propose_save(struct request *req)
{
    if (!app_require_login(req) || !app_check_csrf(req))
        return;
    struct draft d;
    struct propose_path p;
    if (!propose_load(req, &d, &p))
        return;
    int step = app_int_param(http_form(req, "etape"), p.n);
    if (!step) {
        app_error(req, 400, false);
        return;
    }
    enum propose_go go = propose_go_of(req);
    if (propose_is_photo(p.steps[step - 1])) {
        propose_photo_save(req, &p, &d, step, go);
        return;
    }
    struct field_errors errs = {0};
    if (!propose_take(req, &p, p.steps[step - 1], d.answers, go, &errs)) {
        propose_step_page(req, &p, &d, step, d.answers, &errs);
        return;
    }
    int reached = go == GO_NEXT ? step + 1 : step;
    struct viewer v = app_viewer(req);
    int rc = draft_write(app_store(req), &v, &d, reached > d.step ? reached : d.step,
                         (long long)time(NULL));
    if (rc != DRAFT_OK) {
        propose_write_failed(req, &p, &d, step, d.answers, rc);
        return;
    }
    propose_after(req, &p, &d, step, go);
}

#define PROPOSE_ROBOT                                                                                \
    "Ce formulaire a été rempli par un robot : rien n'a été envoyé. Si ce n'est pas le cas, " \
    "laissez vide le champ « Ne pas remplir » et envoyez de nouveau."

/* POST /proposer/brouillons/{key}/envoyer — csrf, contact_url (the trap for robots). The one
 * save path decides: published at once for trusted accounts, held for moderation otherwise. */
void page_propose_submit(struct request *req)
{
    if (!app_require_login(req) || !app_check_csrf(req))
        return;
    struct draft d;
    struct propose_path p;
    if (!propose_load(req, &d, &p))
        return;
    struct field_errors errs = {0};
    const char *trap = http_form(req, "contact_url");
    if (trap && *trap) {
        validate_error(&errs, "spam", PROPOSE_ROBOT);
        propose_preview_page(req, &p, &d, &errs);
        return;
    }
    struct viewer v = app_viewer(req);
    struct entry_save in = {.comment = "Création de la fiche (parcours guidé)",
                            .now = (long long)time(NULL),
                            .client_ip = http_client_ip(req),
                            .errs = &errs};
    struct entry_saved saved;
    int rc = draft_submit(app_store(req), req->arena, req->app->territory, &v, &d, &in, &saved);
    if (rc == ENTRY_RATE_LIMITED)
        validate_error(&errs, "spam", rate_edit_refusal(req->arena, saved.retry_after));
    if (rc == ENTRY_INVALID || rc == ENTRY_RATE_LIMITED) {
        propose_preview_page(req, &p, &d, &errs);
        if (rc == ENTRY_RATE_LIMITED) {
            req->status = 429;
            http_add_header(
                req, "Retry-After",
                arena_printf(req->arena, "%ld", saved.retry_after > 0 ? saved.retry_after : 1));
        }
        return;
    }
    if (rc != ENTRY_OK) {
        app_error(req, rc == ENTRY_NOTFOUND ? 404 : rc == ENTRY_FORBIDDEN ? 403 : 500, false);
        return;
    }
    app_flash(req, strcmp(saved.state, "pending") == 0 ? "pending" : "created");
    http_redirect(req, 303, arena_printf(req->arena, "/%s/%s", d.kind->segment, saved.entry.slug));
}

/* POST /proposer/brouillons/{key}/supprimer — csrf. */
void page_propose_delete(struct request *req)
{
    if (!app_require_login(req) || !app_check_csrf(req))
        return;
    struct draft d;
    struct propose_path p;
    if (!propose_load(req, &d, &p))
        return;
    struct viewer v = app_viewer(req);
    int rc = draft_delete(app_store(req), &v, &d);
    if (rc != DRAFT_OK) {
        app_error(req, rc == DRAFT_NOTFOUND ? 404 : 500, false);
        return;
    }
    app_flash(req, "draft_deleted");
    http_redirect(req, 303, "/compte#brouillons");
}

void page_propose_drafts(struct request *req, struct tv *ctx)
{
    struct store *s = app_store(req);
    struct viewer v = app_viewer(req);
    struct draft *drafts;
    int n = 0;
    if (!s || draft_list(s, req->arena, &v, &drafts, &n) != DRAFT_OK)
        return;
    app_need_csrf(req, ctx);
    tv_set_bool(ctx, "has_drafts", n > 0);
    struct tv *list = tv_set_list(ctx, "drafts");
    for (int i = 0; i < n; i++) {
        struct propose_path p;
        if (!propose_path_of(req, drafts[i].kind, &p))
            continue;
        struct tv *o = tv_push_obj(list);
        const char *title = draft_title(&drafts[i]);
        tv_set_str(o, "title", *title ? title : "(sans titre)");
        tv_set_str(o, "a_label", drafts[i].kind->a_label);
        tv_set_str(o, "updated", app_date(req, drafts[i].updated));
        int step = drafts[i].step > p.n + 1 ? p.n + 1 : drafts[i].step;
        tv_set_int(o, "step", step);
        tv_set_int(o, "total", p.n + 1);
        tv_set_str(o, "href", propose_draft_url(req, &drafts[i], step));
        tv_set_str(o, "delete_url",
                   arena_printf(req->arena, "/proposer/brouillons/%s/supprimer", drafts[i].key));
    }
}
