/* bench_words.c — the vocabulary of `foison bench-data` and the fields it builds from it (see
 * bench_words.h). Every text is a combination of the lists below, written for this generator:
 * activities by theme, publics, settings, rhythms, starters, results, needs, names of people and
 * organisations. Grammar is kept simple on purpose: each noun carries its gender and whether it
 * elides its article, commune names get their preposition ("au Conquet", "d'Argol"). */
#include "cli/bench_words.h"
#include "core/entry.h"
#include "core/territory.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/utf8.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(g, list) ((list)[bench_below((g), NELEMS(list))])
#define NNBSP "\u202f" /* before : ; ! ? and inside « » */

/* ---- the generator ------------------------------------------------------------------------ */

/* splitmix64: tiny, fast, and the same sequence on every machine for one seed. */
static uint64_t bench_next(struct bench_gen *g)
{
    uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A number in [0, n): the modulo bias is below 2^-40 for the small n used here. */
static size_t bench_below(struct bench_gen *g, size_t n)
{
    return n ? (size_t)(bench_next(g) % n) : 0;
}

size_t bench_pick(struct bench_gen *g, size_t n)
{
    return bench_below(g, n);
}

static int bench_range(struct bench_gen *g, int lo, int hi)
{
    return lo + (int)bench_below(g, (size_t)(hi - lo + 1));
}

static int bench_chance(struct bench_gen *g, int percent)
{
    return (int)bench_below(g, 100) < percent;
}

static double bench_unit(struct bench_gen *g)
{
    return (double)(bench_next(g) >> 11) * 0x1.0p-53;
}

int bench_gen_init(struct bench_gen *g, const struct territory *t, uint64_t seed, long long now)
{
    memset(g, 0, sizeof(*g));
    if (!t->ncommunes || !t->nthemes)
        return -1;
    g->rng = seed;
    g->t = t;
    g->now = now;
    /* Entries are where people are: weighted by population, with a floor so that the smallest
     * communes still get some. */
    g->weights = xcalloc(t->ncommunes, sizeof(*g->weights));
    double sum = 0;
    for (size_t i = 0; i < t->ncommunes; i++) {
        long pop = t->communes[i].population;
        sum += (double)(pop > 400 ? pop : 400);
        g->weights[i] = sum;
    }
    return 0;
}

void bench_gen_free(struct bench_gen *g)
{
    free(g->weights);
    g->weights = NULL;
}

void bench_pool_add(struct bench_pool *p, long long id, const char *title, int keep_title)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 256;
        p->ids = xrealloc(p->ids, p->cap * sizeof(*p->ids));
        if (keep_title)
            p->titles = xrealloc(p->titles, p->cap * sizeof(*p->titles));
    }
    p->ids[p->n] = id;
    if (keep_title)
        p->titles[p->n] = xstrdup(title);
    p->n++;
}

void bench_pool_free(struct bench_pool *p)
{
    for (size_t i = 0; p->titles && i < p->n; i++)
        free(p->titles[i]);
    free(p->titles);
    free(p->ids);
    memset(p, 0, sizeof(*p));
}

long long bench_when(struct bench_gen *g)
{
    return g->now - 730LL * 86400 - (long long)bench_below(g, 3650ULL * 86400);
}

static const struct commune *bench_commune(struct bench_gen *g)
{
    const struct territory *t = g->t;
    double x = bench_unit(g) * g->weights[t->ncommunes - 1];
    size_t lo = 0, hi = t->ncommunes - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (g->weights[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return &t->communes[lo];
}

/* ---- grammar -------------------------------------------------------------------------------- */

/* A noun phrase and how it takes its article. */
struct noun {
    char gender; /* 'm' or 'f' */
    char elide;  /* 1: l', d' before it */
    const char *text;
};

static const char *noun_def(struct arena *a, const struct noun *n) /* le vélo, l'atelier */
{
    return arena_printf(a, "%s%s", n->elide ? "l'" : n->gender == 'f' ? "la " : "le ", n->text);
}

static const char *noun_indef(struct arena *a, const struct noun *n) /* un atelier */
{
    return arena_printf(a, "%s %s", n->gender == 'f' ? "une" : "un", n->text);
}

static const char *noun_of(struct arena *a, const struct noun *n) /* du vélo, de l'atelier */
{
    return arena_printf(a, "%s%s",
                        n->elide           ? "de l'"
                        : n->gender == 'f' ? "de la "
                                           : "du ",
                        n->text);
}

static bool bench_vowel_start(const char *s)
{
    static const char *const starts[] = {"A", "E", "I", "O", "U", "Y", "É", "Î", "Ô"};
    for (size_t i = 0; i < NELEMS(starts); i++)
        if (strncmp(s, starts[i], strlen(starts[i])) == 0)
            return true;
    return false;
}

/* "à Brest", "au Conquet", "à l'Île-Molène". */
static const char *commune_at(struct arena *a, const char *name)
{
    if (strncmp(name, "Le ", 3) == 0)
        return arena_printf(a, "au %s", name + 3);
    if (strncmp(name, "Les ", 4) == 0)
        return arena_printf(a, "aux %s", name + 4);
    if (strncmp(name, "Île", strlen("Île")) == 0 ||
        strncmp(name, "Hôpital", strlen("Hôpital")) == 0)
        return arena_printf(a, "à l'%s", name);
    return arena_printf(a, "à %s", name);
}

/* "de Brest", "du Conquet", "d'Argol". */
static const char *commune_of(struct arena *a, const char *name)
{
    if (strncmp(name, "Le ", 3) == 0)
        return arena_printf(a, "du %s", name + 3);
    if (strncmp(name, "Les ", 4) == 0)
        return arena_printf(a, "des %s", name + 4);
    if (strncmp(name, "Île", strlen("Île")) == 0 ||
        strncmp(name, "Hôpital", strlen("Hôpital")) == 0)
        return arena_printf(a, "de l'%s", name);
    return arena_printf(a, "%s%s", bench_vowel_start(name) ? "d'" : "de ", name);
}

/* "aux familles", "à tous les publics": the publics are all "les …" or "tous les …". */
static const char *public_to(struct arena *a, const char *public)
{
    if (strncmp(public, "les ", 4) == 0)
        return arena_printf(a, "aux %s", public + 4);
    return arena_printf(a, "à %s", public);
}

/* "d'échanger", "de cultiver". */
static const char *verb_of(struct arena *a, const char *doing)
{
    static const char *const vowels[] = {"a", "e", "i", "o", "u", "é", "è", "ê", "h"};
    for (size_t i = 0; i < NELEMS(vowels); i++)
        if (strncmp(doing, vowels[i], strlen(vowels[i])) == 0)
            return arena_printf(a, "d'%s", doing);
    return arena_printf(a, "de %s", doing);
}

/* The ending that makes a past participle agree with n: "né" or "née". */
static const char *agree(const struct noun *n)
{
    return n->gender == 'f' ? "e" : "";
}

static size_t chars(const char *s)
{
    return utf8_count(s, strlen(s));
}

/* ---- vocabulary ----------------------------------------------------------------------------- */

/* What people do together, by theme (the ids of the default taxonomy: a site whose taxonomy
 * lacks one gets one of its own themes instead). doing: what participants come to do. */
struct activity {
    const char *theme;
    struct noun noun;
    const char *doing;
};

static const struct activity activities[] = {
    {"numerique",
     {'m', 1, "atelier d'initiation à l'informatique"},
     "prendre en main un ordinateur"},
    {"numerique", {'m', 0, "café numérique"}, "échanger sur leurs usages d'internet"},
    {"numerique",
     {'f', 0, "permanence d'aide aux démarches en ligne"},
     "faire leurs démarches administratives sur internet"},
    {"numerique", {'m', 0, "prêt de tablettes"}, "s'équiper sans se ruiner"},
    {"numerique",
     {'m', 1, "atelier de reconditionnement d'ordinateurs"},
     "redonner vie à de vieux ordinateurs"},
    {"numerique", {'f', 0, "carte participative"}, "recenser les lieux utiles de la commune"},
    {"numerique", {'m', 0, "club de programmation"}, "apprendre à programmer en s'amusant"},
    {"numerique", {'f', 0, "formation aux logiciels libres"}, "découvrir des outils libres"},
    {"solidarite", {'m', 0, "réseau d'entraide entre voisins"}, "se rendre de petits services"},
    {"solidarite", {'f', 1, "épicerie solidaire"}, "faire leurs courses à petit prix"},
    {"solidarite", {'m', 0, "repas partagé du dimanche"}, "rompre la solitude autour d'une table"},
    {"solidarite", {'f', 0, "bricothèque"}, "emprunter des outils plutôt que les acheter"},
    {"solidarite", {'m', 0, "vestiaire solidaire"}, "s'habiller à moindre coût"},
    {"solidarite",
     {'m', 1, "accueil des nouveaux arrivants"},
     "découvrir la commune et ses habitants"},
    {"solidarite", {'f', 0, "visite de convivialité"}, "recevoir de la compagnie chez eux"},
    {"ess", {'f', 0, "recyclerie"}, "donner une seconde vie aux objets"},
    {"ess", {'f', 0, "coopérative d'habitants"}, "construire et gérer ensemble leur logement"},
    {"ess", {'m', 0, "marché de producteurs"}, "acheter en direct aux fermes voisines"},
    {"ess", {'f', 0, "monnaie locale complémentaire"}, "faire vivre les commerces du territoire"},
    {"ess", {'m', 0, "groupement d'achats en vrac"}, "acheter ensemble sans emballage"},
    {"ess", {'f', 0, "couveuse d'activités"}, "tester un projet d'entreprise"},
    {"ess", {'f', 0, "conserverie coopérative"}, "transformer les surplus des jardins"},
    {"education-populaire",
     {'f', 1, "université populaire"},
     "suivre des conférences ouvertes à tous"},
    {"education-populaire",
     {'m', 0, "réseau d'échanges de savoirs"},
     "apprendre les uns des autres"},
    {"education-populaire", {'m', 0, "club de débat"}, "discuter de l'actualité"},
    {"education-populaire", {'m', 1, "atelier d'écriture"}, "écrire et partager leurs textes"},
    {"education-populaire", {'f', 1, "aide aux devoirs"}, "réussir leur scolarité"},
    {"education-populaire",
     {'m', 0, "chantier de jeunes"},
     "réaliser un projet utile à la commune"},
    {"transition-ecologique", {'m', 0, "jardin partagé"}, "cultiver ensemble des légumes"},
    {"transition-ecologique",
     {'m', 0, "composteur collectif"},
     "transformer leurs épluchures en compost"},
    {"transition-ecologique",
     {'m', 0, "café réparation"},
     "réparer leurs objets au lieu de les jeter"},
    {"transition-ecologique", {'f', 0, "grainothèque"}, "échanger des graines"},
    {"transition-ecologique",
     {'m', 0, "défi des familles sans déchets"},
     "réduire leurs déchets en famille"},
    {"transition-ecologique", {'m', 0, "nettoyage des grèves"}, "ramasser les déchets du littoral"},
    {"transition-ecologique", {'m', 0, "verger partagé"}, "planter et cueillir des fruits"},
    {"culture", {'f', 0, "chorale intergénérationnelle"}, "chanter ensemble"},
    {"culture", {'m', 0, "festival de quartier"}, "découvrir les artistes d'à côté"},
    {"culture", {'f', 0, "boîte à livres"}, "faire circuler les livres"},
    {"culture", {'m', 0, "ciné-débat"}, "voir un film et en discuter"},
    {"culture", {'f', 0, "troupe de théâtre amateur"}, "monter un spectacle"},
    {"culture", {'m', 0, "cours de breton pour adultes"}, "parler breton au quotidien"},
    {"culture", {'m', 0, "fest-noz des écoles"}, "danser et chanter en breton"},
    {"services-publics",
     {'m', 0, "bus des services publics"},
     "rencontrer les services publics près de chez eux"},
    {"services-publics", {'f', 0, "médiation administrative"}, "comprendre un courrier officiel"},
    {"services-publics",
     {'f', 1, "ouverture des données publiques"},
     "réutiliser les données de la collectivité"},
    {"services-publics",
     {'m', 0, "guichet des aides au logement"},
     "connaître leurs droits en matière de logement"},
    {"participation-citoyenne",
     {'m', 0, "budget participatif"},
     "choisir les projets financés par la commune"},
    {"participation-citoyenne",
     {'m', 0, "conseil municipal des jeunes"},
     "porter leurs idées auprès des élus"},
    {"participation-citoyenne",
     {'m', 1, "atelier de concertation"},
     "imaginer ensemble l'avenir du bourg"},
    {"participation-citoyenne",
     {'f', 0, "balade urbaine"},
     "observer leur quartier et proposer des améliorations"},
    {"participation-citoyenne", {'m', 0, "journal de quartier"}, "raconter la vie du quartier"},
    {"participation-citoyenne", {'f', 0, "radio associative"}, "prendre la parole à l'antenne"},
    {"sante", {'m', 1, "atelier équilibre"}, "prévenir les chutes"},
    {"sante", {'f', 0, "marche santé"}, "bouger ensemble près de chez eux"},
    {"sante", {'m', 0, "groupe de parole des aidants"}, "souffler et partager leur expérience"},
    {"sante", {'f', 0, "permanence d'écoute"}, "trouver une oreille attentive"},
    {"sante", {'m', 1, "atelier cuisine à petit budget"}, "cuisiner équilibré sans trop dépenser"},
    {"documentation", {'f', 0, "bibliothèque de rue"}, "lire en plein air"},
    {"documentation",
     {'m', 0, "fonds documentaire partagé"},
     "mettre en commun les ressources des associations"},
    {"documentation", {'f', 0, "collecte de mémoire"}, "transmettre les souvenirs des anciens"},
    {"documentation", {'m', 0, "wiki des habitants"}, "écrire à plusieurs l'histoire locale"},
    {"documentation", {'f', 0, "veille partagée"}, "suivre l'actualité de leur métier à plusieurs"},
    {"patrimoine", {'f', 0, "restauration des lavoirs"}, "sauvegarder le petit patrimoine"},
    {"patrimoine", {'m', 0, "chantier du vieux gréement"}, "faire revivre un bateau traditionnel"},
    {"patrimoine",
     {'m', 1, "inventaire participatif du patrimoine"},
     "recenser croix, fontaines et calvaires"},
    {"patrimoine",
     {'f', 0, "randonnée des chemins creux"},
     "découvrir l'histoire des sentiers de la commune"},
    {"patrimoine",
     {'f', 0, "numérisation des photos de famille"},
     "préserver les images anciennes"},
    {"mobilite", {'m', 1, "atelier vélo"}, "entretenir et réparer leur vélo"},
    {"mobilite", {'m', 0, "covoiturage solidaire"}, "se déplacer sans voiture"},
    {"mobilite", {'m', 0, "pédibus"}, "aller à l'école à pied en groupe"},
    {"mobilite", {'m', 0, "transport solidaire"}, "se rendre à leurs rendez-vous médicaux"},
    {"mobilite", {'m', 0, "prêt de vélos électriques"}, "essayer le vélo pour aller au travail"},
    {"mobilite", {'m', 1, "autopartage entre voisins"}, "partager une voiture"},
};

static const char *const publics[] = {
    "les habitants du quartier",
    "les personnes âgées",
    "les jeunes de 16 à 25 ans",
    "les familles",
    "les demandeurs d'emploi",
    "les écoliers",
    "les collégiens",
    "les associations locales",
    "les agriculteurs",
    "les personnes en situation de handicap",
    "les nouveaux arrivants",
    "les aidants familiaux",
    "les parents de jeunes enfants",
    "les artisans et commerçants",
    "les bénévoles",
    "les lycéens",
    "les personnes éloignées du numérique",
    "les personnes exilées",
    "les retraités",
    "les étudiants",
    "les habitants des hameaux",
    "tous les publics",
};

static const char *const settings_where[] = {
    "à la médiathèque",           "dans la salle polyvalente", "au centre social",
    "dans une ancienne école",    "sur la place du marché",    "dans le jardin du presbytère",
    "au local de l'association",  "dans un tiers-lieu",        "à la maison de quartier",
    "à la mairie annexe",         "dans la salle du conseil",  "sous la halle",
    "au foyer des jeunes",        "dans l'ancienne gare",      "au bord de l'Élorn",
    "dans les locaux de l'école",
};

static const char *const rhythms[] = {
    "chaque mercredi après-midi",
    "un samedi par mois",
    "deux soirs par semaine",
    "pendant les vacances scolaires",
    "le premier jeudi de chaque mois",
    "toute l'année",
    "au printemps et à l'automne",
    "chaque vendredi soir",
    "le dimanche matin",
    "une semaine sur deux",
    "tous les mardis",
    "les soirs de marché",
};

static const char *const starters[] = {
    "des habitants",
    "un groupe de parents",
    "l'équipe du centre social",
    "des bénévoles",
    "deux retraités passionnés",
    "les animateurs de la médiathèque",
    "la commune",
    "un collectif de jeunes",
    "des agriculteurs du secteur",
    "une enseignante",
    "les élus du conseil municipal des jeunes",
    "une poignée de voisins",
    "l'association des commerçants",
    "des étudiants en stage",
};

/* Per theme: what made people start (after "À {commune}, "), and what they aim for. */
struct theme_words {
    const char *theme;
    const char *problems[3];
    const char *aims[3];
};

static const struct theme_words theme_words[] = {
    {"numerique",
     {"une partie des habitants n'a jamais utilisé d'ordinateur",
      "les démarches administratives se font désormais en ligne, et beaucoup s'y perdent",
      "les ordinateurs finissent trop tôt à la déchetterie"},
     {"que chacun puisse faire seul ses démarches en ligne",
      "rendre les outils numériques moins intimidants",
      "équiper les foyers qui n'ont pas les moyens d'acheter du neuf"}},
    {"solidarite",
     {"beaucoup de personnes âgées vivent seules",
      "les fins de mois sont difficiles pour bien des familles",
      "les nouveaux venus peinent à trouver leur place"},
     {"rompre l'isolement", "que personne ne reste sans solution",
      "tisser des liens entre voisins"}},
    {"ess",
     {"les commerces du bourg ferment les uns après les autres",
      "les objets encore utilisables s'entassent à la déchetterie",
      "les producteurs locaux vendent surtout loin d'ici"},
     {"créer des emplois qui restent sur le territoire", "faire vivre l'économie de proximité",
      "partager les bénéfices entre ceux qui travaillent"}},
    {"education-populaire",
     {"les occasions d'apprendre en dehors de l'école sont rares",
      "les savoir-faire des anciens se perdent", "les jeunes ont peu d'espaces pour débattre"},
     {"que chacun puisse apprendre et transmettre", "développer l'esprit critique",
      "donner à tous l'envie d'apprendre"}},
    {"transition-ecologique",
     {"les poubelles débordent après chaque marché",
      "les terrains en friche se multiplient au cœur du bourg",
      "les habitants veulent agir pour le climat sans savoir par où commencer"},
     {"réduire les déchets", "rapprocher la production de la consommation",
      "économiser l'énergie et les ressources"}},
    {"culture",
     {"il n'y a plus de lieu de spectacle depuis des années",
      "la langue bretonne ne se transmet plus dans les familles",
      "les artistes amateurs manquent de scènes"},
     {"rendre la culture accessible à tous", "faire vivre la langue et les traditions",
      "réunir les générations autour d'un projet commun"}},
    {"services-publics",
     {"les services publics se sont éloignés des communes rurales",
      "les courriers administratifs restent sans réponse faute d'être compris",
      "les données de la collectivité dorment dans des tableurs"},
     {"rapprocher les services publics des habitants",
      "que chacun connaisse et fasse valoir ses droits", "rendre l'action publique plus lisible"}},
    {"participation-citoyenne",
     {"les habitants se sentent peu écoutés", "les réunions publiques n'attirent que les mêmes",
      "les jeunes ne votent plus"},
     {"associer les habitants aux décisions", "donner la parole à ceux qu'on entend peu",
      "faire des projets de la commune l'affaire de tous"}},
    {"sante",
     {"le médecin le plus proche est à vingt kilomètres",
      "les aidants s'épuisent sans trouver de relais", "beaucoup de seniors ont peur de tomber"},
     {"prendre soin de soi et des autres", "prévenir plutôt que guérir",
      "soutenir ceux qui accompagnent un proche"}},
    {"documentation",
     {"les archives des associations se dispersent au fil des déménagements",
      "l'histoire du quartier n'est écrite nulle part",
      "les professionnels de l'information travaillent chacun de leur côté"},
     {"garder une trace de ce qui se fait", "partager les ressources plutôt que les dupliquer",
      "rendre le savoir local accessible en ligne"}},
    {"patrimoine",
     {"les lavoirs et les fontaines disparaissent sous la végétation",
      "le dernier bateau de pêche traditionnel pourrit au fond du port",
      "les chemins anciens ne sont plus entretenus"},
     {"sauvegarder le patrimoine de proximité", "transmettre l'histoire des lieux",
      "faire du patrimoine un lieu de rencontre"}},
    {"mobilite",
     {"sans voiture, on ne va pas bien loin", "le car ne passe que deux fois par jour",
      "les abords des écoles sont encombrés de voitures chaque matin"},
     {"se déplacer autrement", "que personne ne renonce à un rendez-vous faute de transport",
      "rendre les trajets quotidiens plus sûrs"}},
};

static const char *const results[] = {
    "une trentaine de bénévoles se relaient désormais",
    "le projet a essaimé dans deux communes voisines",
    "plusieurs participants sont devenus à leur tour animateurs",
    "la fréquentation a doublé en deux ans",
    "la mairie a prêté un local plus grand",
    "des liens solides se sont créés entre les participants",
    "une charte a été écrite pour accueillir de nouveaux membres",
    "les écoles de la commune se sont jointes au projet",
    "le projet a reçu le soutien de l'appel à projets local",
    "les comptes rendus et les supports sont publiés sous licence libre",
    "d'autres associations empruntent désormais la méthode",
    "un petit noyau fidèle assure la continuité",
};

static const char *const how_items[] = {
    "Un binôme d'animateurs prépare chaque séance",
    "Les inscriptions se font sur place, sans formalité",
    "Une participation libre couvre les frais de matériel",
    "Un tableau partagé recense les disponibilités de chacun",
    "Les participants les plus expérimentés aident les nouveaux",
    "Un bilan est fait chaque trimestre avec les partenaires",
    "La liste de diffusion annonce les rendez-vous",
    "Le matériel est prêté par les membres ou récupéré",
    "Chaque séance commence par un café et un tour de table",
    "Une convention avec la commune fixe l'usage du local",
    "Les décisions se prennent en réunion ouverte à tous",
    "Un carnet de bord garde la trace de ce qui a été fait",
    "Les supports sont rédigés à plusieurs et publiés en ligne",
    "Un référent par commune fait le lien avec les habitants",
};

static const char *const need_items[] = {
    "des **bénévoles** disponibles quelques heures par mois",
    "un **local** accessible et chauffé",
    "un peu de **matériel** : tables, chaises, outillage de base",
    "une **assurance** pour les activités",
    "un **petit budget** pour les fournitures",
    "des **relais** dans les écoles et les associations",
    "un **ordinateur** et une connexion à internet",
    "une **personne ressource** pour coordonner",
    "des **partenaires** pour faire connaître le projet",
    "un **véhicule** pour les déplacements",
    "des **outils libres** pour s'organiser",
};

static const char *const reproduce_items[] = {
    "Réunir quelques personnes motivées et fixer un premier rendez-vous",
    "Trouver un lieu prêté gracieusement",
    "Rédiger une charte courte qui dit l'essentiel",
    "Commencer petit et régulier plutôt que grand et rare",
    "Annoncer les rendez-vous dans le bulletin municipal",
    "Associer la mairie dès le départ",
    "Documenter ce qui marche et le partager",
    "Passer le relais avant de s'épuiser",
    "Prévoir un moment convivial à chaque rencontre",
    "Faire le point après trois mois et ajuster",
};

static const char *const strength_items[] = {
    "La convivialité des rencontres",    "Un projet qui ne coûte presque rien",
    "Des participants de tous les âges", "Une organisation simple et souple",
    "Le soutien de la commune",          "Des savoir-faire qui circulent",
    "Une méthode facile à reproduire",   "Des résultats visibles rapidement",
    "Un ancrage fort dans le quartier",
};

static const char *const difficulty_items[] = {
    "Renouveler l'équipe de bénévoles",
    "Trouver un local stable",
    "Toucher les personnes les plus isolées",
    "Obtenir des financements durables",
    "Concilier les horaires de chacun",
    "Se faire connaître au-delà du bourg",
    "Entretenir le matériel",
    "Garder l'envie après les premiers mois",
};

static const char *const firstnames[] = {
    "Maëlle",  "Yann",  "Gwenaëlle", "Erwan",   "Soazig", "Tangi",  "Morgane", "Loïc",
    "Nolwenn", "Ronan", "Katell",    "Youenn",  "Enora",  "Malo",   "Aziliz",  "Gaël",
    "Rozenn",  "Per",   "Fatima",    "Karim",   "Sophie", "Thomas", "Léa",     "Hugo",
    "Mamadou", "Inès",  "Julien",    "Camille", "Anne",   "Pierre", "Élodie",  "Mathieu",
};

static const char *const surnames[] = {
    "Le Goff",  "Le Roux",   "Quéméner", "Le Bras",   "Guéguen", "Le Saout", "Cloarec",
    "Kervella", "Le Borgne", "Morvan",   "Riou",      "Le Meur", "Jaouen",   "Salaün",
    "Le Hir",   "Caradec",   "Prigent",  "Bescond",   "Martin",  "Diallo",   "Nguyen",
    "Moreau",   "Pellen",    "Floch",    "Kerléguer", "Le Gall", "Bothorel", "Uguen",
};

/* Names for a project, a place or a group: "La Passerelle des voisins". */
static const char *const name_heads[] = {
    "La Ruche",    "Le Fil",     "La Boussole", "La Passerelle", "L'Escale",     "La Fabrique",
    "Le Comptoir", "La Marmite", "Le Relais",   "La Navette",    "Le Carrefour", "L'Établi",
    "La Bricole",  "Le Phare",   "La Vigie",    "Le Sillon",     "La Cale",      "Le Grenier",
    "La Roulotte", "Le Quai",    "La Source",   "Le Goéland",    "La Lande",     "Le Courtil",
};

static const char *const name_tails[] = {
    "des voisins",  "du bourg",       "des possibles", "des savoirs", "des quartiers",
    "du littoral",  "de l'Iroise",    "des Abers",     "du Ponant",   "des communs",
    "des familles", "des bricoleurs", "des habitants", "de la rade",  "des chemins",
    "du Léon",      "de l'Aulne",     "des marées",    "des idées",   "du lundi",
};

static const char *const people[] = {
    "jardiniers", "bricoleurs",  "parents",  "marcheurs", "conteurs",  "cyclistes",
    "voisins",    "couturières", "lecteurs", "choristes", "bénévoles", "réparateurs",
};

static const char *const zones[] = {
    "du Pays de Brest",
    "des Abers",
    "du Léon",
    "du pays d'Iroise",
    "de la rade de Brest",
    "de la presqu'île de Crozon",
    "du pays de Landerneau-Daoulas",
    "de l'Aulne maritime",
    "de Brest métropole",
};

/* pattern with {de} (the commune's "de X"), {nom} (a name), {gens} (people) and {personne}
 * (a person) replaced: the forms of actors and places use the ones they need. */
static const char *bench_fill(struct arena *a, const char *pattern, const char *of_commune,
                              const char *name, const char *crowd, const char *person)
{
    static const char *const keys[] = {"{de}", "{nom}", "{gens}", "{personne}"};
    const char *vals[] = {of_commune, name, crowd, person};
    struct buf b = BUF_INIT;
    for (const char *p = pattern; *p;) {
        size_t k = 0;
        while (k < NELEMS(keys) && strncmp(p, keys[k], strlen(keys[k])) != 0)
            k++;
        if (k < NELEMS(keys)) {
            buf_puts(&b, vals[k]);
            p += strlen(keys[k]);
        } else {
            buf_putc(&b, *p++);
        }
    }
    const char *out = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return out;
}

static const char *bench_name(struct bench_gen *g, struct arena *a)
{
    return arena_printf(a, "%s %s", PICK(g, name_heads), PICK(g, name_tails));
}

static const char *bench_person(struct bench_gen *g, struct arena *a)
{
    return arena_printf(a, "%s %s", PICK(g, firstnames), PICK(g, surnames));
}

/* ---- shared pieces of fields ------------------------------------------------------------------
 */

static const struct activity *bench_activity(struct bench_gen *g)
{
    return &PICK(g, activities);
}

static const struct theme_words *bench_theme_words(const char *theme)
{
    for (size_t i = 0; i < NELEMS(theme_words); i++)
        if (strcmp(theme_words[i].theme, theme) == 0)
            return &theme_words[i];
    return &theme_words[0];
}

/* themes: the activity's own (when the site has it), then up to extra others of the site. */
static json_t *bench_themes(struct bench_gen *g, const char *first, int extra)
{
    const struct territory *t = g->t;
    json_t *out = json_array();
    if (first && territory_theme(t, first))
        json_array_append_new(out, json_string(first));
    else
        json_array_append_new(out, json_string(t->themes[bench_below(g, t->nthemes)].id));
    for (int i = 0; i < extra; i++) {
        const char *id = t->themes[bench_below(g, t->nthemes)].id;
        bool dup = false;
        size_t j;
        json_t *v;
        json_array_foreach(out, j, v) dup |= strcmp(json_string_value(v), id) == 0;
        if (!dup)
            json_array_append_new(out, json_string(id));
    }
    return out;
}

/* A point within about a kilometre of the commune's centre (NULL when it has none). */
static json_t *bench_point(struct bench_gen *g, const struct commune *c)
{
    if (!c->has_point)
        return NULL;
    /* A sum of uniforms: denser near the centre, as houses are. */
    double dlat = (bench_unit(g) + bench_unit(g) + bench_unit(g) - 1.5) * 0.008;
    double dlon = (bench_unit(g) + bench_unit(g) + bench_unit(g) - 1.5) * 0.012;
    return json_pack("{s:f, s:f}", "lat", c->lat + dlat, "lon", c->lon + dlon);
}

/* A Markdown list of n distinct items of list (numbered or not). */
static const char *bench_list(struct bench_gen *g, struct arena *a, const char *const *list,
                              size_t nlist, int n, bool numbered)
{
    struct buf b = BUF_INIT;
    unsigned long long used = 0; /* the lists have fewer than 64 items */
    for (int i = 0; i < n && i < (int)nlist; i++) {
        size_t k = bench_below(g, nlist);
        while (used & (1ULL << k))
            k = (k + 1) % nlist;
        used |= 1ULL << k;
        if (numbered)
            buf_printf(&b, "%s%d. %s.", i ? "\n" : "", i + 1, list[k]);
        else
            buf_printf(&b, "%s- %s.", i ? "\n" : "", list[k]);
    }
    const char *s = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return s;
}

#define BENCH_LIST(g, a, list, n, numbered) bench_list(g, a, list, NELEMS(list), n, numbered)

static int bench_year(long long when)
{
    time_t tt = (time_t)when;
    struct tm tm;
    gmtime_r(&tt, &tm);
    return tm.tm_year + 1900;
}

/* A web address from the first words of title, on example.org: addresses that look real and
 * reach no one. */
static const char *bench_site(struct arena *a, const char *title)
{
    char *slug = entry_slugify(a, title);
    char *cut = slug;
    for (int words = 0; cut && words < 3; words++) {
        cut = strchr(cut, '-');
        if (cut && words < 2)
            cut++;
    }
    if (cut)
        *cut = '\0';
    return arena_printf(a, "https://%s.example.org", *slug ? slug : "projet");
}

/* An id of the pool and, when it keeps titles, that title (NULL for an empty pool). */
static long long bench_ref(struct bench_gen *g, const struct bench_pool *p, const char **title)
{
    if (!p->n) {
        if (title)
            *title = NULL;
        return 0;
    }
    size_t i = bench_below(g, p->n);
    if (title)
        *title = p->titles ? p->titles[i] : NULL;
    return p->ids[i];
}

/* Up to n distinct ids of the pool, and the hub first when there is one. */
static json_t *bench_refs(struct bench_gen *g, const struct bench_pool *p, int n, long long hub)
{
    json_t *out = json_array();
    if (hub)
        json_array_append_new(out, json_integer(hub));
    for (int i = 0; i < n && p->n; i++) {
        long long id = bench_ref(g, p, NULL);
        bool dup = false;
        size_t j;
        json_t *v;
        json_array_foreach(out, j, v) dup |= json_integer_value(v) == id;
        if (!dup)
            json_array_append_new(out, json_integer(id));
    }
    return out;
}

/* Two distinct items of a list. */
static void bench_two(struct bench_gen *g, const char *const *list, size_t n, const char **x,
                      const char **y)
{
    size_t i = bench_below(g, n), j = bench_below(g, n - 1);
    *x = list[i];
    *y = list[j >= i ? j + 1 : j];
}

/* ---- innovations ------------------------------------------------------------------------------
 */

json_t *bench_fields_innovation(struct bench_gen *g, struct arena *a, const struct bench_pools *p,
                                long long when)
{
    const struct activity *act = bench_activity(g);
    const struct noun *noun = &act->noun;
    const struct theme_words *tw = bench_theme_words(act->theme);
    const struct commune *c = bench_commune(g);
    const char *at = commune_at(a, c->name);
    const char *public = PICK(g, publics);
    const char *rhythm = PICK(g, rhythms);
    const char *carrier = NULL; /* "l'association …", as texts name it */
    long long carrier_id = bench_ref(g, &p->actors, &carrier);
    const char *where = PICK(g, settings_where);
    long long place_id = 0;
    if (bench_chance(g, 40)) {
        const char *place_at = NULL;
        place_id = bench_ref(g, &p->places, &place_at);
        where = place_at ? place_at : where;
    }
    int start = bench_year(when) - bench_range(g, 0, 12);
    if (start < 1995)
        start = 1995;

    const char *title = NULL;
    switch (bench_below(g, 4)) {
    case 0:
        title = arena_printf(a, "%s %s", utf8_upper_first(a, noun->text), at);
        break;
    case 1:
        title = arena_printf(a, "%s pour %s", utf8_upper_first(a, noun->text), public);
        break;
    case 2:
        title = arena_printf(a, "%s" NNBSP ": %s %s", bench_name(g, a), noun_indef(a, noun), at);
        break;
    default:
        title = arena_printf(a, "%s %s, %s", utf8_upper_first(a, noun->text), where, c->name);
        break;
    }
    if (chars(title) > 120)
        title = arena_printf(a, "%s %s", utf8_upper_first(a, noun->text), at);

    const char *who = carrier && bench_chance(g, 70) ? carrier : PICK(g, starters);
    const char *summary =
        arena_printf(a, "Porté%s par %s, %s réunit %s %s %s. L'objectif" NNBSP ": %s.", agree(noun),
                     who, noun_def(a, noun), public, rhythm, where, PICK(g, tw->aims));
    if (chars(summary) > 300)
        summary =
            arena_printf(a, "%s réunit %s %s.", utf8_upper_first(a, noun_def(a, noun)), public, at);

    const char *r1, *r2;
    bench_two(g, results, NELEMS(results), &r1, &r2);
    struct buf d = BUF_INIT;
    buf_printf(&d, "%s, %s. C'est de ce constat qu'est né%s %s, lancé%s en %d par %s.\n\n",
               utf8_upper_first(a, at), PICK(g, tw->problems), agree(noun), noun_def(a, noun),
               agree(noun), start, PICK(g, starters));
    buf_printf(&d,
               "%s, %s accueille %s %s. Tous y viennent pour %s, sans inscription, seuls ou "
               "à plusieurs.\n\nDepuis, %s" NNBSP "; %s.",
               utf8_upper_first(a, rhythm), noun_def(a, noun), public, where, act->doing, r1, r2);
    if (bench_chance(g, 50))
        buf_printf(&d, "\n\nLe projet cherche aujourd'hui %s.", PICK(g, need_items));
    const char *description = arena_strdup(a, buf_cstr(&d));
    buf_free(&d);

    static const char *const status[] = {"en-cours", "en-cours", "en-cours", "en-cours",
                                         "terminee", "idee",     "en-pause"};
    json_t *f = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:i}", "title", title, "summary", summary,
                          "description", description, "themes",
                          bench_themes(g, act->theme, bench_range(g, 0, 2)), "commune", c->insee,
                          "status", PICK(g, status), "start_year", start);
    json_t *pt = bench_chance(g, 70) ? bench_point(g, c) : NULL;
    if (pt)
        json_object_set_new(f, "point", pt);
    if (carrier && bench_chance(g, 80))
        json_object_set_new(f, "holders", json_string(utf8_upper_first(a, carrier)));
    if (bench_chance(g, 30))
        json_object_set_new(f, "website", json_string(bench_site(a, title)));
    if (bench_chance(g, 60))
        json_object_set_new(f, "how_it_works",
                            json_string(BENCH_LIST(g, a, how_items, bench_range(g, 2, 4), false)));
    if (bench_chance(g, 50))
        json_object_set_new(f, "needs",
                            json_string(BENCH_LIST(g, a, need_items, bench_range(g, 2, 3), false)));
    if (bench_chance(g, 40))
        json_object_set_new(
            f, "how_to_reproduce",
            json_string(BENCH_LIST(g, a, reproduce_items, bench_range(g, 3, 5), true)));
    if (bench_chance(g, 40))
        json_object_set_new(
            f, "strengths",
            json_string(BENCH_LIST(g, a, strength_items, bench_range(g, 2, 3), false)));
    if (bench_chance(g, 35))
        json_object_set_new(
            f, "difficulties",
            json_string(BENCH_LIST(g, a, difficulty_items, bench_range(g, 1, 3), false)));
    if (bench_chance(g, 25))
        json_object_set_new(
            f, "contacts",
            json_string(arena_printf(a, "%s, coordination du projet.", bench_person(g, a))));

    /* Links: who carries it (and the hub), where it happens, what inspired it. */
    json_t *carried = json_array();
    if (p->hub)
        json_array_append_new(carried, json_integer(p->hub));
    if (carrier_id)
        json_array_append_new(carried, json_integer(carrier_id));
    if (bench_chance(g, 25)) {
        long long other = bench_ref(g, &p->actors, NULL);
        if (other && other != carrier_id)
            json_array_append_new(carried, json_integer(other));
    }
    json_object_set_new(f, "carried_by", carried);
    if (place_id)
        json_object_set_new(f, "located_at", json_pack("[I]", (json_int_t)place_id));
    if (p->innovations.n && bench_chance(g, 10))
        json_object_set_new(f, "inspired_by",
                            bench_refs(g, &p->innovations, bench_range(g, 1, 2), 0));
    return f;
}

/* ---- actors -----------------------------------------------------------------------------------
 */

/* Patterns for bench_fill: the name, the same with its article as a sentence uses it, what it
 * is. */
struct actor_form {
    const char *type; /* actor_type */
    const char *title, *called, *what;
};

static const struct actor_form actor_forms[] = {
    {"association", "Association {nom}", "l'association {nom}", "une association"},
    {"association", "Les Amis {de}", "les Amis {de}", "une association"},
    {"association", "Amicale des {gens} {de}", "l'amicale des {gens} {de}", "une amicale"},
    {"collectivite", "Mairie {de}", "la mairie {de}", "la commune"},
    {"collectivite", "Service jeunesse de la mairie {de}", "le service jeunesse de la mairie {de}",
     "un service municipal"},
    {"service-public", "Centre communal d'action sociale {de}",
     "le centre communal d'action sociale {de}", "un service public"},
    {"service-public", "Point information jeunesse {de}", "le point information jeunesse {de}",
     "un service public"},
    {"etablissement", "École publique {de}", "l'école publique {de}", "une école"},
    {"etablissement", "Centre social {nom}", "le centre social {nom}", "un centre social"},
    {"etablissement", "Collège {personne}", "le collège {personne}", "un collège"},
    {"entreprise", "Coopérative {nom}", "la coopérative {nom}", "une coopérative"},
    {"entreprise", "Atelier {nom}", "l'atelier {nom}", "une petite entreprise"},
    {"collectif", "Collectif {nom}", "le collectif {nom}", "un collectif"},
    {"collectif", "Collectif des {gens} {de}", "le collectif des {gens} {de}", "un collectif"},
    {"groupe-informel", "Les {gens} {de}", "les {gens} {de}", "un groupe d'habitants"},
    {"personne", "{personne}", "{personne}", "une personne engagée"},
};

static const char *const advice_items[] = {
    "Monter un dossier de subvention auprès de la commune",
    "Animer une réunion où chacun prend la parole",
    "Trouver et fidéliser des bénévoles",
    "Choisir une licence libre pour ses documents",
    "Organiser un événement avec peu de moyens",
    "Tenir une comptabilité simple",
    "Travailler avec les écoles",
    "Faire connaître un projet dans la presse locale",
    "Prêter et entretenir du matériel",
    "Accueillir des publics éloignés",
};

json_t *bench_fields_actor(struct bench_gen *g, struct arena *a, const char **called)
{
    const struct actor_form *form = &PICK(g, actor_forms);
    const struct commune *c = bench_commune(g);
    const struct activity *act = bench_activity(g);
    const struct activity *act2 = bench_activity(g);
    const char *of = commune_of(a, c->name), *name = bench_name(g, a), *crowd = PICK(g, people),
               *person = bench_person(g, a);
    const char *title = bench_fill(a, form->title, of, name, crowd, person);
    *called = bench_fill(a, form->called, of, name, crowd, person);
    const char *summary = arena_printf(
        a, "%s %s, qui anime %s et %s pour %s.", utf8_upper_first(a, form->what), of,
        noun_indef(a, &act->noun),
        act2 == act ? "des rencontres régulières" : noun_indef(a, &act2->noun), PICK(g, publics));
    if (chars(summary) > 300)
        summary = arena_printf(a, "%s %s.", utf8_upper_first(a, form->what), of);
    const struct theme_words *tw = bench_theme_words(act->theme);
    const char *description = arena_printf(
        a,
        "%s, %s. Son objectif" NNBSP ": %s.\n\n"
        "Les rendez-vous ont lieu %s %s, avec les associations et les services de la commune, "
        "et les nouvelles personnes y sont toujours bienvenues.",
        utf8_upper_first(a, commune_at(a, c->name)), PICK(g, tw->problems), PICK(g, tw->aims),
        PICK(g, rhythms), PICK(g, settings_where));
    json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:o}", "title", title, "summary", summary,
                          "description", description, "actor_type", form->type, "themes",
                          bench_themes(g, act->theme, bench_range(g, 0, 2)));
    if (bench_chance(g, 85))
        json_object_set_new(f, "commune", json_string(c->insee));
    if (bench_chance(g, 40))
        json_object_set_new(f, "website", json_string(bench_site(a, title)));
    if (bench_chance(g, 30)) {
        json_object_set_new(f, "advises_on", bench_themes(g, act->theme, bench_range(g, 0, 1)));
        json_object_set_new(
            f, "advice", json_string(BENCH_LIST(g, a, advice_items, bench_range(g, 2, 3), false)));
    }
    if (bench_chance(g, 30))
        json_object_set_new(f, "contact_email",
                            json_string(arena_printf(a, "contact-%u@example.org",
                                                     (unsigned)bench_below(g, 1000000))));
    return f;
}

json_t *bench_fields_hub(struct bench_gen *g)
{
    /* The most populous commune: where a network's coordination usually sits. */
    const struct territory *t = g->t;
    const struct commune *c = &t->communes[0];
    for (size_t i = 1; i < t->ncommunes; i++)
        if (t->communes[i].population > c->population)
            c = &t->communes[i];
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:[s]}", "title", "Collectif du banc d'essai", "summary",
        "Un collectif fictif, créé par «" NNBSP "foison bench-data" NNBSP "»" NNBSP ": les fiches "
        "générées le désignent comme porteur, auteur ou animateur, pour mesurer une fiche liée "
        "à des centaines d'autres.",
        "description",
        "Cette fiche n'existe que pour les mesures de performance du site. Elle est liée à "
        "chaque innovation, chaque article et chaque réseau générés en même temps qu'elle.",
        "actor_type", "collectif", "commune", c->insee, "themes", t->themes[0].id);
}

/* ---- places -----------------------------------------------------------------------------------
 */

/* Patterns for bench_fill: the name, "à …" as a sentence says where, the usual equipment. */
struct place_form {
    const char *type;
    const char *title, *at;
    const char *equipment[5];
};

static const struct place_form place_forms[] = {
    {"papi",
     "Point d'accès public à internet {de}",
     "au point d'accès public à internet {de}",
     {"acces-internet", "ordinateurs", "impression"}},
    {"cybercommune",
     "Cybercommune {de}",
     "à la cybercommune {de}",
     {"acces-internet", "wifi", "ordinateurs", "numerisation"}},
    {"epn",
     "Espace public numérique {nom}",
     "à l'espace public numérique {nom}",
     {"acces-internet", "wifi", "ordinateurs", "visioconference"}},
    {"epn",
     "Espace multimédia {de}",
     "à l'espace multimédia {de}",
     {"acces-internet", "ordinateurs", "impression", "numerisation"}},
    {"mediatheque",
     "Médiathèque {de}",
     "à la médiathèque {de}",
     {"wifi", "ordinateurs", "impression"}},
    {"mediatheque",
     "Bibliothèque {personne}",
     "à la bibliothèque {personne}",
     {"wifi", "pret-materiel"}},
    {"tiers-lieu",
     "Tiers-lieu {nom}",
     "au tiers-lieu {nom}",
     {"wifi", "visioconference", "fablab", "pret-materiel"}},
    {"fablab", "Fablab {de}", "au fablab {de}", {"fablab", "ordinateurs", "materiel-video"}},
    {"mjc",
     "Maison des jeunes et de la culture {de}",
     "à la maison des jeunes et de la culture {de}",
     {"wifi", "materiel-video"}},
    {"mjc", "Maison de quartier {nom}", "à la maison de quartier {nom}", {"wifi", "pret-materiel"}},
    {"centre-social",
     "Centre social {nom}",
     "au centre social {nom}",
     {"acces-internet", "ordinateurs", "impression"}},
    {"espace-associatif",
     "Maison des associations {de}",
     "à la maison des associations {de}",
     {"wifi", "visioconference", "impression"}},
    {"autre", "Salle polyvalente {de}", "à la salle polyvalente {de}", {"wifi"}},
    {"autre", "Ancienne gare {de}", "à l'ancienne gare {de}", {"wifi", "pret-materiel"}},
};

static const char *const streets[] = {
    "rue de la Mairie",   "place de l'Église",  "rue des Écoles",     "rue de Brest",
    "allée des Tilleuls", "rue du Port",        "impasse des Ajoncs", "rue de Kernévez",
    "route de la Gare",   "rue des Genêts",     "place du Marché",    "rue du Stade",
    "chemin du Moulin",   "rue de la Fontaine", "quai des Pêcheurs",  "rue des Glycines",
};

static const char *const service_items[] = {
    "Accès libre aux postes pendant les heures d'ouverture",
    "Aide aux démarches administratives sur rendez-vous",
    "Ateliers d'initiation pour les débutants",
    "Prêt de matériel aux associations",
    "Accueil de groupes scolaires",
    "Permanences d'écrivain public",
    "Expositions et rencontres toute l'année",
    "Soirées jeux une fois par mois",
};

/* Opening hours: a few weekly patterns a small public place keeps. */
static json_t *bench_hours(struct bench_gen *g)
{
    switch (bench_below(g, 4)) {
    case 0:
        return json_pack("{s:[[s,s]], s:[[s,s],[s,s]], s:[[s,s]], s:[[s,s]]}", "tu", "14:00",
                         "18:00", "we", "10:00", "12:00", "14:00", "18:00", "fr", "14:00", "19:00",
                         "sa", "10:00", "12:00");
    case 1:
        return json_pack("{s:[[s,s]], s:[[s,s]], s:[[s,s]], s:[[s,s]], s:[[s,s]]}", "mo", "09:00",
                         "17:00", "tu", "09:00", "17:00", "th", "09:00", "17:00", "fr", "09:00",
                         "17:00", "sa", "09:30", "12:30");
    case 2:
        return json_pack("{s:[[s,s]], s:[[s,s]], s:[[s,s]]}", "we", "13:30", "18:30", "fr", "16:00",
                         "19:00", "sa", "10:00", "17:00");
    default:
        return json_pack("{s:[[s,s],[s,s]], s:[[s,s],[s,s]], s:[[s,s]]}", "tu", "09:00", "12:00",
                         "14:00", "17:30", "th", "09:00", "12:00", "14:00", "17:30", "sa", "09:00",
                         "12:00");
    }
}

json_t *bench_fields_place(struct bench_gen *g, struct arena *a, const char **at)
{
    const struct place_form *form = &PICK(g, place_forms);
    const struct commune *c = bench_commune(g);
    const struct activity *act = bench_activity(g);
    const char *of = commune_of(a, c->name), *name = bench_name(g, a), *person = bench_person(g, a);
    const char *title = bench_fill(a, form->title, of, name, "", person);
    *at = bench_fill(a, form->at, of, name, "", person);
    const char *summary = arena_printf(a, "Un lieu %s ouvert %s, qui y viennent pour %s.", of,
                                       public_to(a, PICK(g, publics)), act->doing);
    const char *description = arena_printf(
        a,
        "Le lieu accueille habitants, associations et scolaires. On y trouve notamment %s, %s."
        "\n\nL'équipe propose aussi des rendez-vous ponctuels, selon les envies de ceux qui le "
        "fréquentent.",
        noun_indef(a, &act->noun), PICK(g, rhythms));
    json_t *equipment = json_array();
    for (size_t i = 0; i < NELEMS(form->equipment) && form->equipment[i]; i++)
        if (i == 0 || bench_chance(g, 75))
            json_array_append_new(equipment, json_string(form->equipment[i]));
    static const char *const access[] = {"oui", "oui", "oui", "partiel", "non"};
    json_t *f = json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:o, s:o, s:s, s:o}", "title", title, "summary",
        summary, "description", description, "place_type", form->type, "address", "street",
        arena_printf(a, "%d %s", bench_range(g, 1, 60), PICK(g, streets)), "commune", c->insee,
        "opening_hours", bench_hours(g), "equipment", equipment, "accessible", PICK(g, access),
        "themes", bench_themes(g, act->theme, bench_range(g, 0, 1)));
    json_t *pt = bench_point(g, c);
    if (pt)
        json_object_set_new(f, "point", pt);
    if (bench_chance(g, 60))
        json_object_set_new(
            f, "services",
            json_string(BENCH_LIST(g, a, service_items, bench_range(g, 2, 4), false)));
    /* 02 61 91 xx xx: numbers the French regulator keeps for fiction. */
    if (bench_chance(g, 50))
        json_object_set_new(
            f, "phone",
            json_string(arena_printf(a, "02 61 91 %02u %02u", (unsigned)bench_below(g, 100),
                                     (unsigned)bench_below(g, 100))));
    if (bench_chance(g, 30))
        json_object_set_new(f, "website", json_string(bench_site(a, title)));
    return f;
}

/* ---- networks ---------------------------------------------------------------------------------
 */

static const char *const charter_items[] = {
    "Le réseau est ouvert à toute personne qui partage ses buts",
    "La participation est libre et gratuite",
    "Chaque membre peut proposer une rencontre et l'animer",
    "Ce qui est produit ensemble est partagé sous licence libre",
    "Les décisions se prennent au consensus",
    "On s'entraide plutôt que de se concurrencer",
    "Les rencontres tournent d'une commune à l'autre",
};

json_t *bench_fields_network(struct bench_gen *g, struct arena *a, const struct bench_pools *p)
{
    const struct activity *act = bench_activity(g);
    const char *zone = PICK(g, zones);
    const char *crowd = PICK(g, people);
    const char *title;
    switch (bench_below(g, 3)) {
    case 0:
        title = arena_printf(a, "Réseau des %s %s", crowd, zone);
        break;
    case 1:
        title = arena_printf(a, "Rencontres des %s %s", crowd, zone);
        break;
    default:
        title = arena_printf(a, "Réseau %s", bench_name(g, a));
        break;
    }
    const char *summary = arena_printf(a,
                                       "Un réseau qui relie les %s %s" NNBSP ": échanges de "
                                       "pratiques, entraide et actions communes autour %s.",
                                       crowd, zone, noun_of(a, &act->noun));
    const char *description = arena_printf(
        a,
        "Le réseau est né du besoin de se connaître entre porteurs de projets voisins. Il "
        "réunit ses membres %s, chaque fois dans une commune différente.\n\n"
        "On y partage ses outils, ses réussites et ses difficultés, et l'on y prépare des "
        "actions communes.",
        PICK(g, rhythms));
    json_t *f = json_pack(
        "{s:s, s:s, s:s, s:o, s:i, s:s, s:s}", "title", title, "summary", summary, "description",
        description, "themes", bench_themes(g, act->theme, bench_range(g, 0, 2)), "member_count",
        bench_range(g, 5, 300), "charter",
        BENCH_LIST(g, a, charter_items, bench_range(g, 3, 5), true), "how_to_join",
        "Venez à une rencontre ou écrivez à l'équipe d'animation" NNBSP ": il suffit de se "
        "présenter.");
    if (bench_chance(g, 70))
        json_object_set_new(f, "commune", json_string(bench_commune(g)->insee));
    json_object_set_new(f, "animated_by", bench_refs(g, &p->actors, bench_range(g, 1, 2), p->hub));
    if (p->places.n && bench_chance(g, 50))
        json_object_set_new(f, "located_at", bench_refs(g, &p->places, 1, 0));
    return f;
}

/* ---- articles ---------------------------------------------------------------------------------
 */

static const char *const news[] = {
    "fête ses cinq ans",
    "cherche de nouveaux bénévoles",
    "change de local",
    "fait le plein",
    "passe le relais",
    "essaime dans les communes voisines",
    "tire un premier bilan",
    "ouvre ses portes",
    "reprend après l'été",
    "accueille un nouveau public",
    "prépare sa prochaine saison",
};

static const char *const paragraphs[] = {
    "Ce samedi-là, la salle était pleine. Des habitués, bien sûr, mais aussi beaucoup de "
    "visages nouveaux, venus après avoir lu une affiche chez le boulanger.",
    "Les organisateurs le reconnaissent volontiers" NNBSP ": rien n'était gagné au départ. Il a "
    "fallu trouver un lieu, convaincre les premiers participants, apprendre en marchant.",
    "Ce qui frappe, c'est la diversité des personnes présentes" NNBSP ": des enfants, des "
    "retraités, des parents, des curieux de passage.",
    "Le financement reste fragile. Une subvention de la commune couvre les frais de base, le "
    "reste repose sur la bonne volonté de chacun.",
    "D'autres communes se sont montrées intéressées, et une rencontre est prévue pour leur "
    "présenter la démarche.",
    "Pour les bénévoles, le plus beau reste de voir des participants revenir, puis proposer à "
    "leur tour d'animer une séance.",
    "Tout n'est pas simple" NNBSP ": les horaires ne conviennent pas à tout le monde, et le "
    "local commence à être trop petit.",
    "Les comptes rendus des rencontres sont publiés en ligne, sous licence libre, pour que "
    "d'autres puissent s'en servir.",
};

json_t *bench_fields_article(struct bench_gen *g, struct arena *a, const struct bench_pools *p,
                             long long when)
{
    const struct activity *act = bench_activity(g);
    const struct noun *noun = &act->noun;
    const struct commune *c = bench_commune(g);
    const char *at = utf8_upper_first(a, commune_at(a, c->name));
    const char *title;
    switch (bench_below(g, 3)) {
    case 0:
        title = arena_printf(a, "%s, %s %s", at, noun_def(a, noun), PICK(g, news));
        break;
    case 1:
        title = arena_printf(a, "%s" NNBSP ": ce que %d ans d'expérience nous ont appris",
                             utf8_upper_first(a, noun->text), bench_range(g, 2, 15));
        break;
    default:
        title = arena_printf(a, "Portrait" NNBSP ": %s, bénévole %s", bench_person(g, a),
                             noun_of(a, noun));
        break;
    }
    if (chars(title) > 120)
        title = arena_printf(a, "%s %s", utf8_upper_first(a, noun->text), at);
    const char *summary =
        arena_printf(a, "%s, %s permet %s %s. Reportage auprès de ceux qui %s font vivre.", at,
                     noun_def(a, noun), public_to(a, PICK(g, publics)), verb_of(a, act->doing),
                     noun->gender == 'f' ? "la" : "le");
    if (chars(summary) > 300)
        summary = arena_printf(a, "Reportage %s.", commune_at(a, c->name));
    struct buf b = BUF_INIT;
    unsigned used = 0;
    int n = bench_range(g, 3, 5);
    for (int i = 0; i < n; i++) {
        size_t k = bench_below(g, NELEMS(paragraphs));
        while (used & (1u << k))
            k = (k + 1) % NELEMS(paragraphs);
        used |= 1u << k;
        buf_printf(&b, "%s%s", i ? "\n\n" : "", paragraphs[k]);
    }
    const char *body = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    time_t tt = (time_t)when;
    struct tm tm;
    gmtime_r(&tt, &tm);
    char date[16];
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    json_t *f =
        json_pack("{s:s, s:s, s:s, s:s, s:o}", "title", title, "summary", summary, "body", body,
                  "published", date, "themes", bench_themes(g, act->theme, bench_range(g, 0, 1)));
    if (bench_chance(g, 50))
        json_object_set_new(f, "byline", json_string(bench_person(g, a)));
    json_object_set_new(f, "written_by",
                        bench_refs(g, &p->actors, bench_chance(g, 60) ? 1 : 0, p->hub));
    /* What it is about: innovations mostly, a place now and then. */
    json_t *about = bench_refs(g, &p->innovations, bench_range(g, 1, 3), 0);
    if (p->places.n && bench_chance(g, 20))
        json_array_append_new(about, json_integer(bench_ref(g, &p->places, NULL)));
    json_object_set_new(f, "about", about);
    return f;
}

/* ---- events ----------------------------------------------------------------------------- */

static const char *const event_formats[] = {
    "Atelier", "Initiation", "Rencontre", "Soirée d'échanges", "Découverte", "Permanence",
};
static const char *const event_types[] = {
    "atelier", "atelier", "atelier", "formation", "conference", "rencontre", "portes-ouvertes",
};

json_t *bench_fields_event(struct bench_gen *g, struct arena *a, const struct bench_pools *p,
                           bool recurring)
{
    const struct activity *act = bench_activity(g);
    const struct commune *c = bench_commune(g);
    const char *title = arena_printf(a, "%s %s %s", PICK(g, event_formats), noun_of(a, &act->noun),
                                     commune_at(a, c->name));
    if (chars(title) > 120)
        title = arena_printf(a, "%s %s", PICK(g, event_formats), noun_of(a, &act->noun));
    const char *summary = arena_printf(a,
                                       "Pour %s qui veulent %s" NNBSP ": on vient comme on est, "
                                       "on repart avec des idées et des contacts.",
                                       PICK(g, publics), act->doing);
    if (chars(summary) > 300)
        summary = arena_printf(a, "Un rendez-vous %s.", commune_at(a, c->name));
    /* Within half a year on either side of now, on the half hour between 9 h and 20 h (Paris:
     * the validation reads local "YYYY-MM-DDTHH:MM"). */
    long long day = g->now / 86400 + bench_range(g, -180, 180);
    time_t tt = (time_t)(day * 86400);
    struct tm tm;
    gmtime_r(&tt, &tm);
    int hour = bench_range(g, 9, 20), minute = bench_chance(g, 50) ? 30 : 0;
    int length = bench_range(g, 2, 6) * 30;
    int end_minutes = hour * 60 + minute + length;
    if (end_minutes > 23 * 60 + 30)
        end_minutes = 23 * 60 + 30;
    const char *start = arena_printf(a, "%04d-%02d-%02dT%02d:%02d", tm.tm_year + 1900,
                                     tm.tm_mon + 1, tm.tm_mday, hour, minute);
    const char *end = arena_printf(a, "%04d-%02d-%02dT%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                                   tm.tm_mday, end_minutes / 60, end_minutes % 60);
    json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:{s:s}, s:s}", "title", title, "summary",
                          summary, "event_type", PICK(g, event_types), "start", start, "end", end,
                          "themes", bench_themes(g, act->theme, bench_range(g, 0, 1)), "address",
                          "commune", c->insee, "price", bench_chance(g, 80) ? "gratuit" : "payant");
    if (recurring)
        json_object_set_new(
            f, "recurrence",
            json_string(arena_printf(a, "FREQ=WEEKLY;COUNT=%d", bench_range(g, 4, 20))));
    if (bench_chance(g, 30)) {
        json_object_set_new(f, "registration", json_string("site"));
        json_object_set_new(f, "capacity", json_integer(bench_range(g, 8, 40)));
    }
    if (p->places.n && bench_chance(g, 70))
        json_object_set_new(f, "located_at", bench_refs(g, &p->places, 1, 0));
    if (p->actors.n)
        json_object_set_new(f, "organised_by", bench_refs(g, &p->actors, 1, 0));
    return f;
}
