/* kinds.c — the schemas of the kinds of entries: innovations, actors, places, networks,
 * articles, events, trainings and their sessions, shared resources. Everything a kind is — its
 * fields, facets, cards, relations and their labels on both sides, sections, order, rules between
 * fields — is said here and nowhere else. */
#include "core/schema.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const struct field_option licenses[] = {
    {"CC-BY-SA-4.0", "Creative Commons Attribution – Partage dans les mêmes conditions 4.0"},
    {"CC-BY-4.0", "Creative Commons Attribution 4.0"},
    {"CC0-1.0", "CC0 1.0 (domaine public)"},
    {NULL, NULL},
};

/* The fields every kind shares, written once. */
#define FIELD_TITLE(lbl)                                                                           \
    {                                                                                              \
        .name = "title", .type = FT_TEXT, .label = lbl, .section = "main", .required = true,       \
        .max_len = 120, .search = SEARCH_IN_TITLE                                                  \
    }
#define FIELD_SUMMARY(lbl, hlp)                                                                    \
    {                                                                                              \
        .name = "summary", .type = FT_TEXT, .label = lbl, .section = "main", .required = true,     \
        .max_len = 300, .help = hlp, .search = SEARCH_IN_LEAD                                      \
    }
#define FIELD_MARKDOWN(nm, lbl, sec, hlp, max)                                                     \
    {                                                                                              \
        .name = nm, .type = FT_MARKDOWN, .label = lbl, .section = sec, .max_len = max,             \
        .help = hlp, .search = SEARCH_IN_BODY                                                      \
    }
#define FIELD_THEMES(req)                                                                          \
    {                                                                                              \
        .name = "themes", .type = FT_TAGS, .label = "Thèmes", .section = "main", .required = req,  \
        .min_items = 1, .max_items = 5, .source = FS_THEMES, .facet = true, .param = "theme",      \
        .card = true                                                                               \
    }
#define FIELD_WEBSITE                                                                              \
    {                                                                                              \
        .name = "website", .type = FT_URL, .label = "Site web", .section = "main", .max_len = 500  \
    }
#define FIELD_CONTACT(sec)                                                                          \
    {                                                                                               \
        .name = "contact_email", .type = FT_EMAIL, .label = "Adresse de contact", .section = sec,   \
        .max_len = 254, .private = true,                                                            \
        .help =                                                                                     \
            "Jamais affichée : les visiteurs vous écrivent par le formulaire de contact de la " \
            "fiche, qui vous transmet leur message."                                                \
    }
#define FIELD_LICENSE                                                                              \
    {                                                                                              \
        .name = "license", .type = FT_ENUM, .label = "Licence", .section = "meta",                 \
        .required = true, .options = licenses, .source = FS_LICENSES,                              \
        .default_value = "CC-BY-SA-4.0"                                                            \
    }
#define FIELD_RELATION(nm, lbl, kinds, inverse, hlp)                                               \
    {                                                                                              \
        .name = nm, .type = FT_RELATION, .label = lbl, .section = "links", .max_items = 50,        \
        .relation_kinds = kinds, .inverse_label = inverse, .help = hlp                             \
    }
/* Where an entry is: the places whose point the map shows it at when it has none. */
#define FIELD_LOCATED_AT(lbl, inverse, hlp)                                                        \
    {                                                                                              \
        .name = "located_at", .type = FT_RELATION, .label = lbl, .section = "links",               \
        .max_items = 50, .relation_kinds = "place", .inverse_label = inverse, .help = hlp,         \
        .locates = true                                                                            \
    }
#define SECTION_MAIN                                                                               \
    {                                                                                              \
        .name = "main", .title = "L'essentiel", .record = true                                     \
    }
#define SECTION_LINKS                                                                              \
    {                                                                                              \
        .name = "links", .title = "Liens avec le réseau",                                          \
        .help = "Les autres fiches du site auxquelles celle-ci est liée, par leur adresse (ex. "  \
                "doc-at-brest), séparées par des virgules ; avec JavaScript, tapez quelques "  \
                "lettres de leur nom pour les choisir.",                                           \
        .record = false                                                                            \
    }
#define SECTION_META                                                                               \
    {                                                                                              \
        .name = "meta", .title = "Droits de réutilisation", .record = false                        \
    }

/* ---- innovation ---------------------------------------------------------------------- */

static const struct field_option innovation_status[] = {
    {"idee", "Idée"}, {"en-cours", "En cours"}, {"en-pause", "En pause"}, {"terminee", "Terminée"},
    {NULL, NULL},
};

static const struct field_def innovation_fields[] = {
    FIELD_TITLE("Titre"),
    FIELD_SUMMARY("Résumé",
                  "En une ou deux phrases : ce que c'est, pour qui (300 caractères au plus)."),
    {.name = "description",
     .type = FT_MARKDOWN,
     .search = SEARCH_IN_BODY,
     .label = "Description",
     .section = "main",
     .required = true,
     .max_len = 20000,
     .help = "Markdown : **gras**, *italique*, listes, liens [texte](https://…)."},
    FIELD_THEMES(true),
    {.name = "commune",
     .type = FT_COMMUNE,
     .label = "Commune",
     .section = "main",
     .required = true,
     .facet = true,
     .card = true},
    {.name = "point",
     .type = FT_POINT,
     .label = "Position sur la carte",
     .section = "main",
     .help = "Facultatif : latitude et longitude en degrés décimaux (ex. latitude 48,39 ; "
             "longitude -4,49)."},
    {.name = "holders",
     .type = FT_TEXT,
     .search = SEARCH_IN_LEAD,
     .label = "Porteurs du projet",
     .section = "main",
     .max_len = 500,
     .help = "Associations, services, personnes qui portent l'initiative."},
    FIELD_WEBSITE,
    {.name = "start_year",
     .type = FT_YEAR,
     .year = true,
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
     .facet = true,
     .card = true},
    FIELD_MARKDOWN("how_it_works", "Comment ça marche", "source",
                   "L'organisation, les étapes, qui fait quoi.", 10000),
    FIELD_MARKDOWN("needs", "De quoi a-t-on besoin", "source",
                   "Les personnes, l'argent, les outils, les lieux.", 10000),
    FIELD_MARKDOWN("how_to_reproduce", "Comment le reproduire", "source",
                   "Les conseils pour qui veut lancer la même chose ailleurs.", 10000),
    FIELD_MARKDOWN("strengths", "Points forts", "source", NULL, 10000),
    FIELD_MARKDOWN("difficulties", "Difficultés", "source", NULL, 10000),
    FIELD_MARKDOWN("contacts", "Contacts", "source", NULL, 2000),
    FIELD_RELATION("carried_by", "Portée par", "actor", "Porte",
                   "Les acteurs (associations, services, personnes) qui portent l'initiative."),
    FIELD_LOCATED_AT("Se trouve à", "Accueille", NULL),
    {.name = "inspired_by",
     .type = FT_RELATION,
     .label = "S'inspire de",
     .section = "links",
     .max_items = 50,
     .relation_kinds = "innovation",
     .inverse_label = "A inspiré",
     .lineage = true,
     .help = "Les innovations reprises ou adaptées ici : la filiation des réutilisations."},
    FIELD_LICENSE,
};

static const struct section_def innovation_sections[] = {
    SECTION_MAIN,
    {.name = "source",
     .title = "Le code source de l'innovation",
     .help = "Ce qu'il faut savoir pour reproduire l'initiative ailleurs : tout est facultatif, "
             "chaque rubrique peut être complétée plus tard, par vous ou par d'autres.",
     .empty = "Comment ça marche, de quoi a-t-on besoin, comment le reproduire : ces rubriques "
              "sont encore vides.",
     .record = true},
    SECTION_LINKS,
    SECTION_META,
};

/* ---- actor --------------------------------------------------------------------------- */

static const struct field_option actor_types[] = {
    {"association", "Association"},
    {"collectivite", "Collectivité (commune, intercommunalité…)"},
    {"service-public", "Service public"},
    {"etablissement", "Établissement (école, bibliothèque, centre social…)"},
    {"entreprise", "Entreprise, coopérative"},
    {"collectif", "Collectif"},
    {"groupe-informel", "Groupe informel"},
    {"personne", "Personne"},
    {NULL, NULL},
};

static const struct field_def actor_fields[] = {
    FIELD_TITLE("Nom"),
    FIELD_SUMMARY("Présentation courte", "Qui vous êtes, ce que vous faites (300 caractères au "
                                         "plus)."),
    FIELD_MARKDOWN("description", "Présentation", "main", NULL, 20000),
    {.name = "actor_type",
     .type = FT_ENUM,
     .label = "Type d'acteur",
     .section = "main",
     .options = actor_types,
     .facet = true,
     .card = true},
    {.name = "commune",
     .type = FT_COMMUNE,
     .label = "Commune",
     .section = "main",
     .facet = true,
     .card = true},
    FIELD_THEMES(false),
    FIELD_WEBSITE,
    {.name = "logo",
     .type = FT_IMAGE_URL,
     .label = "Logo ou image (adresse web)",
     .section = "main",
     .max_len = 500,
     .help = "L'adresse https d'une image déjà publiée en ligne, sous une licence libre."},
    FIELD_CONTACT("main"),
    {.name = "advises_on",
     .type = FT_TAGS,
     .label = "Peut conseiller sur",
     .section = "advice",
     .max_items = 5,
     .source = FS_THEMES,
     .facet = true,
     .param = "conseil"},
    FIELD_MARKDOWN("advice", "Savoir-faire partagé", "advice",
                   "Ce que vous pouvez transmettre à d'autres porteurs de projets : méthodes, "
                   "outils, expériences.",
                   5000),
    {.name = "member_of",
     .type = FT_RELATION,
     .label = "Membre de",
     .section = "links",
     .max_items = 50,
     .relation_kinds = "network",
     .inverse_label = "Membres",
     .managed = true},
    FIELD_LICENSE,
};

static const struct section_def actor_sections[] = {
    SECTION_MAIN,
    {.name = "advice",
     .title = "Conseil et savoir-faire",
     .help = "Acteurs-ressources : ce que vous acceptez de partager avec d'autres porteurs de "
             "projets du territoire.",
     .record = true},
    SECTION_LINKS,
    SECTION_META,
};

/* ---- place --------------------------------------------------------------------------- */

static const struct field_option place_types[] = {
    {"papi", "Point d'accès public à internet (PAPI)"},
    {"cybercommune", "Cybercommune"},
    {"epn", "Espace public numérique"},
    {"mediatheque", "Médiathèque, bibliothèque"},
    {"tiers-lieu", "Tiers-lieu"},
    {"fablab", "Fablab"},
    {"mjc", "MJC, maison de quartier"},
    {"centre-social", "Centre social"},
    {"espace-associatif", "Maison des associations"},
    {"autre", "Autre lieu"},
    {NULL, NULL},
};

static const struct field_option place_equipment[] = {
    {"acces-internet", "Accès à internet"},
    {"wifi", "Wi-Fi"},
    {"ordinateurs", "Ordinateurs en libre accès"},
    {"impression", "Impression"},
    {"numerisation", "Numérisation"},
    {"visioconference", "Visioconférence"},
    {"materiel-video", "Matériel vidéo"},
    {"fablab", "Machines de fabrication"},
    {"pret-materiel", "Prêt de matériel"},
    {NULL, NULL},
};

static const struct field_option place_access[] = {
    {"oui", "Accessible aux personnes à mobilité réduite"},
    {"partiel", "Accessible en partie"},
    {"non", "Non accessible"},
    {NULL, NULL},
};

/* The nine services of the national schema of "lieux de médiation numérique", in its order: the
 * labels are the schema's values, word for word (core/mednum.c exports them as they are). */
static const struct field_option place_mednum_services[] = {
    {"materiel-solidaire", "Acquisition de matériel informatique à prix solidaire"},
    {"demarches", "Aide aux démarches administratives"},
    {"outils-quotidien", "Maîtrise des outils numériques du quotidien"},
    {"insertion-pro", "Insertion professionnelle via le numérique"},
    {"usage-securise", "Utilisation sécurisée du numérique"},
    {"parentalite", "Parentalité et éducation avec le numérique"},
    {"loisirs-creations", "Loisirs et créations numériques"},
    {"comprendre-numerique", "Compréhension du monde numérique"},
    {"acces-internet", "Accès internet et matériel informatique"},
    {NULL, NULL},
};

static const struct field_def place_fields[] = {
    FIELD_TITLE("Nom du lieu"),
    FIELD_SUMMARY("Présentation courte", "Ce qu'on y trouve, pour qui (300 caractères au plus)."),
    FIELD_MARKDOWN("description", "Présentation", "main", NULL, 20000),
    {.name = "place_type",
     .type = FT_ENUM,
     .label = "Type de lieu",
     .section = "main",
     .options = place_types,
     .facet = true,
     .card = true},
    {.name = "address",
     .type = FT_ADDRESS,
     .label = "Adresse",
     .section = "main",
     .max_len = 200,
     .facet = true,
     .param = "commune",
     .card = true},
    {.name = "point",
     .type = FT_POINT,
     .label = "Position sur la carte",
     .section = "main",
     .help = "Latitude et longitude en degrés décimaux (ex. latitude 48,39 ; longitude -4,49)."},
    FIELD_WEBSITE,
    FIELD_THEMES(false),
    {.name = "image",
     .type = FT_IMAGE_URL,
     .label = "Photo (adresse web)",
     .section = "main",
     .max_len = 500,
     .help = "L'adresse https d'une photo déjà publiée en ligne, sous une licence libre."},
    {.name = "opening_hours",
     .type = FT_HOURS,
     .label = "Horaires d'ouverture",
     .section = "visit",
     .help = "Pour chaque jour : les heures d'ouverture (ex. « 9h-12h, 14h-18h »), vide si le "
             "lieu est fermé."},
    {.name = "equipment",
     .type = FT_TAGS,
     .label = "Équipements",
     .section = "visit",
     .max_items = 9,
     .options = place_equipment,
     .facet = true,
     .param = "equipement"},
    FIELD_MARKDOWN("services", "Services et accompagnement", "visit",
                   "Ateliers, aide aux démarches, prêt de matériel…", 5000),
    {.name = "accessible",
     .type = FT_ENUM,
     .label = "Accessibilité (PMR)",
     .section = "visit",
     .options = place_access,
     .facet = true,
     .param = "accessibilite"},
    {.name = "phone", .type = FT_PHONE, .label = "Téléphone", .section = "visit", .max_len = 30},
    FIELD_CONTACT("visit"),
    {.name = "mednum_services",
     .type = FT_TAGS,
     .label = "Services de médiation numérique",
     .section = "mediation",
     .max_items = 9,
     .options = place_mednum_services,
     .facet = true,
     .param = "service",
     .help = "Ceux que le lieu propose parmi les neuf du référentiel national : l'export vers la "
             "cartographie nationale les reprend tels quels."},
    {.name = "siret",
     .type = FT_TEXT,
     .label = "SIRET de la structure",
     .section = "mediation",
     .max_len = 20,
     .format = FF_SIRET,
     .help = "Les 14 chiffres de l'établissement qui tient le lieu : l'identifiant que la "
             "cartographie nationale demande."},
    FIELD_LICENSE,
};

static const struct section_def place_sections[] = {
    SECTION_MAIN,
    {.name = "visit", .title = "Venir sur place", .record = true},
    {.name = "mediation",
     .title = "Médiation numérique",
     .help = "Ce que demande la cartographie nationale des lieux de médiation numérique, qui peut "
             "reprendre les lieux du site : tout est facultatif.",
     .record = true},
    SECTION_LINKS,
    SECTION_META,
};

static const struct field_rule place_rules[] = {
    {RULE_ANY_OF, "address", "point",
     "Adresse : indiquez au moins la commune du lieu, ou sa position sur la carte"},
};

/* ---- network ------------------------------------------------------------------------- */

static const struct field_def network_fields[] = {
    FIELD_TITLE("Nom du réseau"),
    FIELD_SUMMARY("Présentation courte", "Ce qui rassemble ses membres (300 caractères au plus)."),
    FIELD_MARKDOWN("description", "Objet du réseau", "main", NULL, 20000),
    FIELD_THEMES(false),
    {.name = "commune",
     .type = FT_COMMUNE,
     .label = "Commune",
     .section = "main",
     .facet = true,
     .card = true},
    {.name = "member_count",
     .type = FT_INTEGER,
     .label = "Nombre de membres (environ)",
     .section = "main",
     .min = 0,
     .max = 1000000},
    FIELD_WEBSITE,
    FIELD_CONTACT("main"),
    FIELD_MARKDOWN("charter", "Charte", "join",
                   "La charte ou les principes que les membres "
                   "partagent.",
                   20000),
    FIELD_MARKDOWN("how_to_join", "Comment rejoindre le réseau", "join", NULL, 5000),
    FIELD_RELATION("animated_by", "Animé par", "actor", "Anime", NULL),
    FIELD_LOCATED_AT("Se trouve à", "Accueille", NULL),
    FIELD_LICENSE,
};

static const struct section_def network_sections[] = {
    SECTION_MAIN,
    {.name = "join", .title = "Charte et adhésion", .record = true},
    SECTION_LINKS,
    SECTION_META,
};

/* ---- article ------------------------------------------------------------------------- */

static const struct field_def article_fields[] = {
    FIELD_TITLE("Titre"),
    FIELD_SUMMARY("Chapô", "L'essentiel de l'article en une ou deux phrases (300 caractères au "
                           "plus)."),
    {.name = "published",
     .type = FT_DATE,
     .label = "Date de publication",
     .section = "main",
     .card = true},
    {.name = "byline",
     .type = FT_TEXT,
     .search = SEARCH_IN_BODY,
     .label = "Signature",
     .section = "main",
     .max_len = 200,
     .help = "Comme l'article doit être signé, si ses auteurs ne sont pas des acteurs du site."},
    FIELD_MARKDOWN("body", "Texte", "main", NULL, 50000),
    FIELD_THEMES(false),
    {.name = "source_url",
     .type = FT_URL,
     .label = "Publié d'abord sur",
     .section = "main",
     .max_len = 500},
    FIELD_RELATION("written_by", "Écrit par", "actor", "A écrit", NULL),
    FIELD_RELATION("about", "Parle de", NULL, "Cité dans", NULL),
    FIELD_LICENSE,
};

static const struct section_def article_sections[] = {
    SECTION_MAIN,
    SECTION_LINKS,
    SECTION_META,
};

/* ---- event --------------------------------------------------------------------------- */

static const struct field_option event_types[] = {
    {"atelier", "Atelier"},
    {"formation", "Séance de formation"},
    {"conference", "Conférence, table ronde"},
    {"rencontre", "Rencontre, réunion"},
    {"portes-ouvertes", "Portes ouvertes"},
    {"fete", "Fête, festival"},
    {"autre", "Autre"},
    {NULL, NULL},
};

static const struct field_option event_prices[] = {
    {"gratuit", "Gratuit"},
    {"payant", "Payant"},
    {NULL, NULL},
};

static const struct field_option event_registration[] = {
    {"aucune", "Sans inscription"},
    {"site", "Inscription sur ce site"},
    {"externe", "Inscription ailleurs (lien ci-dessous)"},
    {NULL, NULL},
};

static const struct field_def event_fields[] = {
    FIELD_TITLE("Titre"),
    FIELD_SUMMARY("Résumé", "Ce qui s'y passe, pour qui (300 caractères au plus)."),
    {.name = "event_type",
     .type = FT_ENUM,
     .label = "Type d'événement",
     .section = "main",
     .options = event_types,
     .default_value = "atelier",
     .facet = true,
     .param = "type",
     .card = true},
    {.name = "start",
     .type = FT_DATETIME,
     .label = "Début",
     .section = "when",
     .required = true,
     .card = true,
     .help = "Date et heure de Brest (ex. 2027-01-12 18:00)."},
    {.name = "end",
     .type = FT_DATETIME,
     .label = "Fin",
     .section = "when",
     .required = true,
     .card = true},
    {.name = "recurrence",
     .type = FT_RECURRENCE,
     .label = "Répétition",
     .section = "when",
     .max_len = 200,
     .help = "Pour un événement qui revient (chaque mardi, le premier samedi du mois…) : la "
             "série finit à une date ou après un nombre de fois."},
    {.name = "exceptions",
     .type = FT_DATES,
     .label = "Dates annulées de la série",
     .section = "when",
     .max_items = 100,
     .help = "Les jours où l'événement n'a pas lieu, au format AAAA-MM-JJ, séparés par des "
             "virgules."},
    FIELD_MARKDOWN("description", "Description", "main", NULL, 20000),
    FIELD_THEMES(false),
    {.name = "audience",
     .type = FT_TEXT,
     .search = SEARCH_IN_BODY,
     .label = "Public",
     .section = "main",
     .max_len = 200,
     .help = "Pour qui : tout public, professionnels, familles…"},
    {.name = "located_at",
     .type = FT_RELATION,
     .label = "Lieu",
     .section = "where",
     .max_items = 1,
     .relation_kinds = "place",
     .locates = true,
     .inverse_label = "Événements",
     .help = "Un lieu du site, par son adresse (ex. mediatheque-de-plouzane)."},
    {.name = "address",
     .type = FT_ADDRESS,
     .label = "Adresse",
     .section = "where",
     .max_len = 200,
     .facet = true,
     .param = "commune",
     .card = true,
     .help = "La commune au moins, pour que l'événement soit trouvé par commune."},
    {.name = "online_url",
     .type = FT_URL,
     .label = "En ligne : le lien",
     .section = "where",
     .max_len = 500},
    {.name = "organised_by",
     .type = FT_RELATION,
     .label = "Organisé par",
     .section = "where",
     .max_items = 10,
     .relation_kinds = "actor",
     .inverse_label = "Organise"},
    {.name = "price",
     .type = FT_ENUM,
     .label = "Tarif",
     .section = "practical",
     .options = event_prices,
     .default_value = "gratuit",
     .facet = true,
     .param = "tarif",
     .card = true},
    {.name = "price_detail",
     .type = FT_TEXT,
     .search = SEARCH_IN_BODY,
     .label = "Détail du tarif",
     .section = "practical",
     .max_len = 200},
    {.name = "accessible",
     .type = FT_ENUM,
     .label = "Accessibilité (PMR)",
     .section = "practical",
     .options = place_access,
     .facet = true,
     .param = "accessibilite"},
    {.name = "registration",
     .type = FT_ENUM,
     .label = "Inscription",
     .section = "practical",
     .options = event_registration,
     .default_value = "aucune"},
    {.name = "capacity",
     .type = FT_INTEGER,
     .label = "Nombre de places",
     .section = "practical",
     .min = 1,
     .max = 100000,
     .seats = true,
     .help = "Au-delà, les inscrits passent sur liste d'attente ; vide : sans limite."},
    {.name = "registration_url",
     .type = FT_URL,
     .label = "Lien d'inscription (ailleurs)",
     .section = "practical",
     .max_len = 500},
    FIELD_CONTACT("practical"),
    {.name = "cohort",
     .type = FT_RELATION,
     .label = "Rencontre de la session",
     .section = "links",
     .max_items = 1,
     .relation_kinds = "cohort",
     .inverse_label = "Rencontres"},
    {.name = "series",
     .type = FT_RELATION,
     .label = "Change une date de la série",
     .section = "links",
     .max_items = 1,
     .relation_kinds = "event",
     .inverse_label = "Dates changées",
     .help = "Pour une date d'une série qui change (d'horaire, de lieu) : la série, et ci-dessous "
             "la date de départ de la séance qu'elle remplace."},
    {.name = "replaces", .type = FT_DATETIME, .label = "Remplace la séance du", .section = "links"},
    FIELD_LICENSE,
};

static const struct section_def event_sections[] = {
    SECTION_MAIN,
    /* On the record, the dates are the agenda's block (web/agenda.c: the series in French, its
     * next dates, cancelled and changed ones), not these fields again. */
    {.name = "when", .title = "Quand", .record = false},
    {.name = "where", .title = "Où, avec qui", .record = true},
    {.name = "practical", .title = "Infos pratiques", .record = true},
    SECTION_LINKS,
    SECTION_META,
};

static const struct field_rule event_rules[] = {
    {RULE_AFTER, "start", "end", "Fin : la fin doit venir après le début"},
};

/* ---- training ------------------------------------------------------------------------ */

static const struct field_option training_formats[] = {
    {"distance", "À distance"},
    {"presentiel", "En présentiel"},
    {"hybride", "À distance et en rencontres"},
    {NULL, NULL},
};

static const struct field_def training_fields[] = {
    FIELD_TITLE("Nom de la formation"),
    FIELD_SUMMARY("Résumé", "Ce qu'on y apprend, pour qui (300 caractères au plus)."),
    FIELD_MARKDOWN("description", "Description", "main", NULL, 20000),
    FIELD_MARKDOWN("objectives", "Objectifs", "main", "Ce que les participants sauront faire.",
                   10000),
    {.name = "format",
     .type = FT_ENUM,
     .label = "Format",
     .section = "main",
     .options = training_formats,
     .facet = true,
     .card = true},
    {.name = "duration",
     .type = FT_TEXT,
     .search = SEARCH_IN_BODY,
     .label = "Durée",
     .section = "main",
     .max_len = 200,
     .card = true,
     .help = "Ex. « 100 heures sur 13 semaines »."},
    {.name = "audience",
     .type = FT_TEXT,
     .label = "Public",
     .section = "main",
     .max_len = 300,
     .search = SEARCH_IN_BODY},
    FIELD_THEMES(false),
    {.name = "organised_by",
     .type = FT_RELATION,
     .label = "Organisée par",
     .section = "links",
     .max_items = 10,
     .relation_kinds = "actor",
     .inverse_label = "Organise la formation"},
    {.name = "materials_license",
     .type = FT_ENUM,
     .label = "Licence des supports de formation",
     .section = "main",
     .options = licenses},
    FIELD_WEBSITE,
    FIELD_CONTACT("main"),
    FIELD_LICENSE,
};

static const struct section_def training_sections[] = {
    SECTION_MAIN,
    SECTION_LINKS,
    SECTION_META,
};

/* ---- cohort (a session of a training) --------------------------------------------------- */

static const struct field_option cohort_applications[] = {
    {"fermees", "Candidatures fermées"},
    {"ouvertes", "Candidatures ouvertes"},
    {NULL, NULL},
};

static const struct field_def cohort_fields[] = {
    FIELD_TITLE("Nom de la session"),
    FIELD_SUMMARY("Résumé", "Ex. « Treize semaines, de mars à juin, trois regroupements »."),
    {.name = "training",
     .type = FT_RELATION,
     .label = "Formation",
     .section = "main",
     .required = true,
     .min_items = 1,
     .max_items = 1,
     .relation_kinds = "training",
     .inverse_label = "Sessions",
     .help = "La formation dont c'est une session, par son adresse (ex. animacoop)."},
    {.name = "starts",
     .type = FT_DATE,
     .label = "Début",
     .section = "main",
     .required = true,
     .card = true},
    {.name = "ends", .type = FT_DATE, .label = "Fin", .section = "main", .card = true},
    FIELD_MARKDOWN("description", "Déroulé", "main", NULL, 20000),
    {.name = "applications",
     .type = FT_ENUM,
     .label = "Candidatures",
     .section = "main",
     .options = cohort_applications,
     .default_value = "fermees",
     .card = true},
    {.name = "capacity",
     .type = FT_INTEGER,
     .label = "Nombre de places",
     .section = "main",
     .min = 1,
     .max = 1000},
    {.name = "located_at",
     .type = FT_RELATION,
     .label = "Lieu des regroupements",
     .section = "links",
     .max_items = 5,
     .relation_kinds = "place",
     .locates = true,
     .inverse_label = "Accueille les sessions"},
    FIELD_LICENSE,
};

static const struct section_def cohort_sections[] = {
    SECTION_MAIN,
    SECTION_LINKS,
    SECTION_META,
};

static const struct field_rule cohort_rules[] = {
    {RULE_AFTER, "starts", "ends", "Fin : la fin de la session doit venir après son début"},
};

/* ---- resource ------------------------------------------------------------------------ */

static const struct field_option resource_types[] = {
    {"equipment", "Matériel à emprunter"},
    {"material", "Support pédagogique"},
    {NULL, NULL},
};

static const struct field_def resource_fields[] = {
    FIELD_TITLE("Nom"),
    FIELD_SUMMARY("Résumé", "Ce que c'est, à quoi ça sert (300 caractères au plus)."),
    {.name = "resource_type",
     .type = FT_ENUM,
     .label = "Type de ressource",
     .section = "main",
     .required = true,
     .options = resource_types,
     .default_value = "equipment",
     .facet = true,
     .param = "type",
     .card = true},
    FIELD_MARKDOWN("description", "Description", "main", NULL, 20000),
    FIELD_THEMES(false),
    {.name = "owned_by",
     .type = FT_RELATION,
     .label = "Proposé par",
     .section = "main",
     .max_items = 5,
     .relation_kinds = "actor",
     .inverse_label = "Partage",
     .help = "L'acteur qui prête le matériel ou a écrit le support."},
    {.name = "located_at",
     .type = FT_RELATION,
     .label = "À retirer à",
     .section = "loan",
     .max_items = 1,
     .relation_kinds = "place",
     .locates = true,
     .inverse_label = "Matériel à emprunter"},
    FIELD_MARKDOWN("conditions", "Conditions de prêt", "loan",
                   "Qui peut emprunter, pour combien de temps, comment le rendre.", 5000),
    {.name = "deposit",
     .type = FT_TEXT,
     .label = "Caution",
     .section = "loan",
     .max_len = 200,
     .help = "Ex. « chèque de 300 € non encaissé »."},
    {.name = "link",
     .type = FT_URL,
     .label = "Lien vers le support",
     .section = "material",
     .max_len = 500},
    FIELD_MARKDOWN("content", "Contenu du support", "material", NULL, 50000),
    {.name = "for_training",
     .type = FT_RELATION,
     .label = "Support de la formation",
     .section = "links",
     .max_items = 10,
     .relation_kinds = "training",
     .inverse_label = "Supports pédagogiques"},
    FIELD_CONTACT("loan"),
    FIELD_LICENSE,
};

static const struct section_def resource_sections[] = {
    SECTION_MAIN,
    {.name = "loan",
     .title = "Emprunter ce matériel",
     .help = "Pour le matériel qui se prête.",
     .record = true},
    {.name = "material",
     .title = "Le support",
     .help = "Pour un support pédagogique : son lien ou son texte, sous licence libre.",
     .record = true},
    SECTION_LINKS,
    SECTION_META,
};

#define KIND_FIELDS(f) .fields = f, .nfields = NELEMS(f)
#define KIND_SECTIONS(s) .sections = s, .nsections = NELEMS(s)

static const struct kind_def kinds[] = {
    {.name = "innovation",
     .segment = "innovations",
     .list_path = "/innovations",
     .label = "innovation",
     .label_plural = "innovations",
     .nav_label = "Innovations",
     .list_title = "Les innovations",
     .a_label = "une innovation",
     .blurb = "ce qu'elles font, qui les porte, comment les reproduire",
     .title_field = "title",
     .summary_field = "summary",
     .order = ORDER_UPDATED,
     KIND_FIELDS(innovation_fields),
     KIND_SECTIONS(innovation_sections)},
    {.name = "actor",
     .segment = "acteurs",
     .list_path = "/acteurs",
     .label = "acteur",
     .label_plural = "acteurs",
     .nav_label = "Acteurs",
     .list_title = "Les acteurs",
     .a_label = "un acteur",
     .blurb = "associations, collectivités, services publics et collectifs, ce qu'ils portent et "
              "ce sur quoi ils peuvent conseiller",
     .title_field = "title",
     .summary_field = "summary",
     .order = ORDER_TITLE,
     KIND_FIELDS(actor_fields),
     KIND_SECTIONS(actor_sections)},
    {.name = "place",
     .segment = "lieux",
     .list_path = "/lieux",
     .label = "lieu",
     .label_plural = "lieux",
     .nav_label = "Lieux",
     .list_title = "Les lieux",
     .a_label = "un lieu",
     .blurb = "points d'accès public à internet, médiathèques, tiers-lieux : leurs horaires, "
              "leurs équipements et ce qui s'y passe",
     .title_field = "title",
     .summary_field = "summary",
     .order = ORDER_TITLE,
     KIND_FIELDS(place_fields),
     KIND_SECTIONS(place_sections),
     .rules = place_rules,
     .nrules = NELEMS(place_rules)},
    {.name = "network",
     .segment = "reseaux",
     .list_path = "/reseaux",
     .label = "réseau",
     .label_plural = "réseaux",
     .nav_label = "Réseaux",
     .list_title = "Les réseaux",
     .a_label = "un réseau",
     .blurb = "ce qui les rassemble, leur charte, leurs membres et comment les rejoindre",
     .title_field = "title",
     .summary_field = "summary",
     .order = ORDER_TITLE,
     KIND_FIELDS(network_fields),
     KIND_SECTIONS(network_sections)},
    {.name = "article",
     .segment = "articles",
     .label = "article",
     .label_plural = "articles",
     .nav_label = "Articles",
     .list_title = "Les articles",
     .a_label = "un article",
     .blurb = "des articles signés, en publication ouverte, sur les initiatives du territoire",
     .title_field = "title",
     .summary_field = "summary",
     .order = ORDER_FIELD_DESC,
     .order_field = "published",
     .list_path = "/articles",
     KIND_FIELDS(article_fields),
     KIND_SECTIONS(article_sections)},
    {.name = "event",
     .segment = "evenements",
     .label = "événement",
     .label_plural = "événements",
     .nav_label = "Agenda",
     .list_title = "L'agenda",
     .a_label = "un événement",
     .blurb = "ateliers, formations, conférences et rencontres du territoire, avec inscription",
     .title_field = "title",
     .summary_field = "summary",
     .order = ORDER_FIELD_DESC,
     .order_field = "start",
     .list_path = "/agenda",
     .when = {.start = "start",
              .end = "end",
              .recurrence = "recurrence",
              .exceptions = "exceptions",
              .series = "series",
              .replaces = "replaces"},
     KIND_FIELDS(event_fields),
     KIND_SECTIONS(event_sections),
     .rules = event_rules,
     .nrules = NELEMS(event_rules)},
    {.name = "training",
     .segment = "formations",
     .label = "formation",
     .label_plural = "formations",
     .nav_label = "Formations",
     .list_title = "Les formations",
     .a_label = "une formation",
     .blurb = "cycles de formation, leurs sessions, leurs participants et les projets qu'ils "
              "portent",
     .title_field = "title",
     .summary_field = "summary",
     .order = ORDER_TITLE,
     .list_path = "/formations",
     KIND_FIELDS(training_fields),
     KIND_SECTIONS(training_sections)},
    {.name = "cohort",
     .segment = "sessions",
     .label = "session",
     .label_plural = "sessions",
     .nav_label = "Sessions",
     .list_title = "Les sessions de formation",
     .a_label = "une session",
     .blurb = "les sessions des formations, leurs participants et leurs projets",
     .title_field = "title",
     .summary_field = "summary",
     .order = ORDER_FIELD_DESC,
     .order_field = "starts",
     .list_path = "/sessions",
     .nav_hidden = true,
     KIND_FIELDS(cohort_fields),
     KIND_SECTIONS(cohort_sections),
     .rules = cohort_rules,
     .nrules = NELEMS(cohort_rules)},
    {.name = "resource",
     .segment = "ressources",
     .label = "ressource",
     .label_plural = "ressources",
     .nav_label = "Ressources",
     .list_title = "Les ressources partagées",
     .a_label = "une ressource",
     .blurb = "matériel à emprunter et supports pédagogiques sous licence libre",
     .title_field = "title",
     .summary_field = "summary",
     .order = ORDER_TITLE,
     .list_path = "/ressources",
     KIND_FIELDS(resource_fields),
     KIND_SECTIONS(resource_sections)},
};

const struct kind_def *kind_at(size_t i)
{
    return i < NELEMS(kinds) ? &kinds[i] : NULL;
}

size_t kind_count(void)
{
    return NELEMS(kinds);
}

const struct kind_def *kind_find(const char *name)
{
    for (size_t i = 0; name && i < NELEMS(kinds); i++)
        if (strcmp(kinds[i].name, name) == 0)
            return &kinds[i];
    return NULL;
}

const struct kind_def *kind_find_segment(const char *segment)
{
    for (size_t i = 0; segment && i < NELEMS(kinds); i++)
        if (strcmp(kinds[i].segment, segment) == 0)
            return &kinds[i];
    return NULL;
}

const struct field_def *kind_field(const struct kind_def *k, const char *name)
{
    for (size_t i = 0; name && i < k->nfields; i++)
        if (strcmp(k->fields[i].name, name) == 0)
            return &k->fields[i];
    return NULL;
}

const struct section_def *kind_section(const struct kind_def *k, const char *name)
{
    for (size_t i = 0; name && i < k->nsections; i++)
        if (strcmp(k->sections[i].name, name) == 0)
            return &k->sections[i];
    return NULL;
}

const char *field_param(const struct field_def *f)
{
    return f->param ? f->param : f->name;
}

const struct field_def *kind_facet_by_param(const struct kind_def *k, const char *param)
{
    for (size_t i = 0; param && i < k->nfields; i++)
        if (k->fields[i].facet && strcmp(field_param(&k->fields[i]), param) == 0)
            return &k->fields[i];
    return NULL;
}

bool field_relation_allows(const struct field_def *f, const char *kind)
{
    if (f->type != FT_RELATION || !kind)
        return false;
    if (!f->relation_kinds)
        return true;
    size_t n = strlen(kind);
    for (const char *p = f->relation_kinds; *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, kind, n) == 0)
            return true;
        p += len;
        if (*p == ',')
            p++;
    }
    return false;
}

const char *field_option_label(const struct field_def *f, const char *id)
{
    for (const struct field_option *o = f->options; o && o->id; o++)
        if (strcmp(o->id, id) == 0)
            return o->label;
    return NULL;
}

const char *kind_list_path(const struct kind_def *k)
{
    return k->list_path;
}

const char *field_type_name(enum field_type t)
{
    static const char *const names[FT_COUNT] = {
        "text",  "markdown", "url",       "email",      "date",     "year",    "commune",
        "point", "enum",     "tags",      "relation",   "datetime", "integer", "address",
        "phone", "hours",    "image_url", "recurrence", "dates",
    };
    return (unsigned)t < FT_COUNT ? names[t] : "text";
}

const char *kind_fingerprint(void)
{
    /* Built once: the schemas are constants of the program. Races between threads write the
     * same text; the first one kept wins. */
    static char text[16384];
    static bool made;
    if (made)
        return text;
    size_t len = 0;
    /* Bump the leading number when the derived data changes shape (a new table, a new way of
     * computing a term) without any schema changing. */
    len += (size_t)snprintf(text + len, sizeof text - len, "3");
    for (size_t i = 0; i < NELEMS(kinds) && len < sizeof text; i++) {
        const struct kind_def *k = &kinds[i];
        len += (size_t)snprintf(
            text + len, sizeof text - len, "|%s:%d:%s:%s/%s/%s", k->name, k->order,
            k->order_field ? k->order_field : "", k->when.start ? k->when.start : "",
            k->when.recurrence ? k->when.recurrence : "", k->when.series ? k->when.series : "");
        for (size_t f = 0; f < k->nfields && len < sizeof text; f++) {
            const struct field_def *fd = &k->fields[f];
            /* The fields that place an entry on the map (core/geo.c) too. */
            bool place = fd->type == FT_POINT || fd->type == FT_COMMUNE || fd->type == FT_ADDRESS ||
                         fd->locates;
            if (fd->facet || fd->card || fd->type == FT_RELATION || fd->search || fd->year || place)
                len += (size_t)snprintf(text + len, sizeof text - len, ",%s%s%s%s+s%d%s%s",
                                        fd->name, fd->facet ? "+f" : "", fd->card ? "+c" : "",
                                        fd->type == FT_RELATION ? "+r" : "", (int)fd->search,
                                        fd->year ? "+y" : "",
                                        !place                 ? ""
                                        : fd->type == FT_POINT ? "+p"
                                        : fd->locates          ? "+l"
                                                               : "+m");
        }
    }
    made = true;
    return text;
}
