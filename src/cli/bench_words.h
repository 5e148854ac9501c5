/* bench_words.h — the texts of `foison bench-data`: the fields of generated entries of every
 * kind, built by combining word lists (activities, publics, places, verbs, names…) with a seeded
 * generator, drawn from the communes and themes of the site's territory. Deterministic: the same
 * seed and the same pool of earlier entries give the same fields. */
#ifndef FOISON_BENCH_WORDS_H
#define FOISON_BENCH_WORDS_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct territory;
struct commune;

struct bench_gen {
    uint64_t rng; /* splitmix64 state */
    const struct territory *t;
    double *weights; /* cumulative weight of each commune (its population) */
    long long now;   /* what dates count back from */
};

/* Entries already generated that a new one may point to: ids (relation fields take them) and,
 * for actors and places, how texts name them (see bench_fields_actor and _place). */
struct bench_pool {
    long long *ids;
    char **titles; /* NULL for a pool without titles */
    size_t n, cap;
};

struct bench_pools {
    struct bench_pool actors, places, innovations;
    long long hub; /* the hub actor every generated entry that can points to (0: none) */
};

/* Sets g up for t (which must outlive it) with seed; 0, or -1 for a territory without
 * communes or themes. */
int bench_gen_init(struct bench_gen *g, const struct territory *t, uint64_t seed, long long now);
void bench_gen_free(struct bench_gen *g);
/* Adds an entry to a pool (title copied when the pool keeps titles). */
void bench_pool_add(struct bench_pool *p, long long id, const char *title, int keep_title);
void bench_pool_free(struct bench_pool *p);

/* A number in [0, n) from g's sequence (0 when n is 0). */
size_t bench_pick(struct bench_gen *g, size_t n);
/* A date for a new entry's revision: between two and twelve years before g->now. */
long long bench_when(struct bench_gen *g);

/* The fields of a new entry of each kind, as a form would send them (validate_entry makes them
 * canonical); relation fields hold ids from pools. New references, in no arena. */
json_t *bench_fields_hub(struct bench_gen *g);
/* *called: the actor as a sentence names it ("l'association …"), in a. */
json_t *bench_fields_actor(struct bench_gen *g, struct arena *a, const char **called);
/* *at: where the place is, as a sentence says it ("à la médiathèque de …"), in a. */
json_t *bench_fields_place(struct bench_gen *g, struct arena *a, const char **at);
json_t *bench_fields_innovation(struct bench_gen *g, struct arena *a, const struct bench_pools *p,
                                long long when);
json_t *bench_fields_network(struct bench_gen *g, struct arena *a, const struct bench_pools *p);
json_t *bench_fields_article(struct bench_gen *g, struct arena *a, const struct bench_pools *p,
                             long long when);
/* An event within half a year of g->now, at a place and by an actor of the pools; recurring:
 * weekly on its start's weekday, 4 to 20 times. */
json_t *bench_fields_event(struct bench_gen *g, struct arena *a, const struct bench_pools *p,
                           bool recurring);

#endif
