"""bench/search_queries.py — the fixed queries of bench/search.sh, by category, shared by the
server's client (bench/search_client.py) and the unicode61 baseline (bench/search_base.py).

The words are the generator's own (src/cli/bench_words.c), picked by how many generated entries
hold them (on 5,000 entries): "projet" about 60 %, "numérique" 23 %, "atelier" 16 %,
"bibliothèque" 6 %, "jardin" 5 %, "réparation" 1.7 %, "grainothèque" 1.6 %, "fabrication" 1 %.
Typed as people type them: some with their accents, some without. Facets are always counted by
the API; the facet category also filters by kind, theme and commune (29019: Brest).
"""

import urllib.parse

CATEGORIES = [
    ("one_word", "one word", [
        ("atelier", {}), ("numerique", {}), ("jardin", {}), ("réparation", {}),
        ("bibliothèque", {}), ("grainothèque", {}), ("fabrication", {}), ("projet", {}),
    ]),
    ("two_words", "two words", [
        ("atelier numérique", {}), ("jardin partagé", {}), ("economie sociale", {}),
        ("vélo réparation", {}), ("bibliothèque brest", {}), ("café quartier", {}),
    ]),
    ("phrase", "a phrase", [
        ('"jardin partagé"', {}), ('"transition écologique"', {}), ('"centre social"', {}),
        ('"éducation populaire"', {}), ('"boîte à livres"', {}),
    ]),
    ("facets", "with facet filters", [
        ("atelier", {"kind": "innovation"}),
        ("jardin", {"theme": "transition-ecologique"}),
        ("numérique", {"commune": "29019"}),
        ("réparation", {"kind": "place"}),
        ("projet", {"kind": "innovation", "theme": "ess", "commune": "29019"}),
        ("bibliothèque", {"theme": "documentation", "kind": "actor"}),
    ]),
]


def url(q, filters):
    """The API path of one query."""
    return "/api/v1/search?" + urllib.parse.urlencode([("q", q)] + sorted(filters.items()))


def fts5_match(q):
    """The query as plain FTS5 MATCH text: a phrase kept whole, words each quoted (AND)."""
    if q.startswith('"'):
        return q
    return " ".join('"' + w + '"' for w in q.split())


def percentile(sorted_values, p):
    """The value at fraction p of a sorted list (nearest rank, no interpolation)."""
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(p * (len(sorted_values) - 1) + 0.5))]


def summary_ms(walls):
    """n, p50, p99, best and worst in ms of a list of durations in seconds."""
    w = sorted(walls)
    return {"n": len(w), "p50_ms": percentile(w, 0.50) * 1000, "p99_ms": percentile(w, 0.99) * 1000,
            "best_ms": w[0] * 1000 if w else 0.0, "max_ms": w[-1] * 1000 if w else 0.0}
