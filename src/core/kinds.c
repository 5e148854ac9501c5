/* kinds.c — the schemas of the kinds of entries. Only "innovation" for now; actors, places,
 * networks, events, trainings and resources will be described here the same way. */
#include "core/schema.h"
#include <string.h>

static const struct field_option innovation_status[] = {
    {"idee", "Idée"}, {"en-cours", "En cours"}, {"en-pause", "En pause"}, {"terminee", "Terminée"},
    {NULL, NULL},
};

static const struct field_option licenses[] = {
    {"CC-BY-SA-4.0", "Creative Commons Attribution – Partage dans les mêmes conditions 4.0"},
    {"CC-BY-4.0", "Creative Commons Attribution 4.0"},
    {"CC0-1.0", "CC0 1.0 (domaine public)"},
    {NULL, NULL},
};

static const struct field_def innovation_fields[] = {
    {.name = "title",
     .type = FT_TEXT,
     .label = "Titre",
     .section = "main",
     .required = true,
     .max_len = 120},
    {.name = "summary",
     .type = FT_TEXT,
     .label = "Résumé",
     .section = "main",
     .required = true,
     .max_len = 300,
     .help = "En une ou deux phrases : ce que c'est, pour qui (300 caractères au plus)."},
    {.name = "description",
     .type = FT_MARKDOWN,
     .label = "Description",
     .section = "main",
     .required = true,
     .max_len = 20000,
     .help = "Markdown : **gras**, *italique*, listes, liens [texte](https://…)."},
    {.name = "themes",
     .type = FT_TAGS,
     .label = "Thèmes",
     .section = "main",
     .required = true,
     .min_items = 1,
     .max_items = 5,
     .source = FS_THEMES,
     .facet = true},
    {.name = "commune",
     .type = FT_COMMUNE,
     .label = "Commune",
     .section = "main",
     .required = true,
     .facet = true},
    {.name = "point",
     .type = FT_POINT,
     .label = "Position sur la carte",
     .section = "main",
     .help = "Facultatif : latitude et longitude en degrés décimaux (ex. latitude 48,39 ; "
             "longitude -4,49)."},
    {.name = "holders",
     .type = FT_TEXT,
     .label = "Porteurs du projet",
     .section = "main",
     .max_len = 500,
     .help = "Associations, services, personnes qui portent l'initiative."},
    {.name = "website", .type = FT_URL, .label = "Site web", .section = "main", .max_len = 500},
    {.name = "start_year",
     .type = FT_YEAR,
     .label = "Année de démarrage",
     .section = "main",
     .min = 1900,
     .max = 2100},
    {.name = "status",
     .type = FT_ENUM,
     .label = "État",
     .section = "main",
     .required = true,
     .options = innovation_status,
     .default_value = "en-cours",
     .facet = true},
    {.name = "how_it_works",
     .type = FT_MARKDOWN,
     .label = "Comment ça marche",
     .section = "source",
     .max_len = 10000,
     .help = "L'organisation, les étapes, qui fait quoi."},
    {.name = "needs",
     .type = FT_MARKDOWN,
     .label = "De quoi a-t-on besoin",
     .section = "source",
     .max_len = 10000,
     .help = "Les personnes, l'argent, les outils, les lieux."},
    {.name = "how_to_reproduce",
     .type = FT_MARKDOWN,
     .label = "Comment le reproduire",
     .section = "source",
     .max_len = 10000,
     .help = "Les conseils pour qui veut lancer la même chose ailleurs."},
    {.name = "strengths",
     .type = FT_MARKDOWN,
     .label = "Points forts",
     .section = "source",
     .max_len = 10000},
    {.name = "difficulties",
     .type = FT_MARKDOWN,
     .label = "Difficultés",
     .section = "source",
     .max_len = 10000},
    {.name = "contacts",
     .type = FT_MARKDOWN,
     .label = "Contacts",
     .section = "source",
     .max_len = 2000},
    {.name = "license",
     .type = FT_ENUM,
     .label = "Licence",
     .section = "meta",
     .required = true,
     .options = licenses,
     .source = FS_LICENSES,
     .default_value = "CC-BY-SA-4.0"},
};

static const struct kind_def kinds[] = {
    {.name = "innovation",
     .segment = "innovations",
     .label = "innovation",
     .label_plural = "innovations",
     .title_field = "title",
     .summary_field = "summary",
     .fields = innovation_fields,
     .nfields = sizeof(innovation_fields) / sizeof(innovation_fields[0])},
};

const struct kind_def *kind_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kinds[i].name, name) == 0)
            return &kinds[i];
    return NULL;
}

const struct kind_def *kind_find_segment(const char *segment)
{
    for (size_t i = 0; segment && i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kinds[i].segment, segment) == 0)
            return &kinds[i];
    return NULL;
}

const struct field_def *kind_field(const struct kind_def *k, const char *name)
{
    for (size_t i = 0; i < k->nfields; i++)
        if (strcmp(k->fields[i].name, name) == 0)
            return &k->fields[i];
    return NULL;
}

const char *field_option_label(const struct field_def *f, const char *id)
{
    for (const struct field_option *o = f->options; o && o->id; o++)
        if (strcmp(o->id, id) == 0)
            return o->label;
    return NULL;
}

const char *field_type_name(enum field_type t)
{
    static const char *const names[] = {"text",    "markdown", "url",  "email", "date",    "year",
                                        "commune", "point",    "enum", "tags",  "relation"};
    return names[t];
}
