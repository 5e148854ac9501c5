"""bench/search_base.py SITE SCRATCH REQUESTS MAX_SECONDS — the baseline of bench/search.sh: SQLite's plain
`unicode61 remove_diacritics 2` tokenizer on the texts our index holds.

Copies search_fts_content's columns (c0..c3: title, lead, body, tags; a plain table, readable
without our tokenizer) into a new FTS5 table of the same shape (the same four columns and
prefix='3'; only the tokenizer differs) in the SCRATCH file, in one transaction: its build rate
and its size. Then the text categories of bench/search_queries.py as plain MATCH, each request
the top 20 by bm25 (ORDER BY rank) and the count(*), REQUESTS per category cycling over its
queries (fewer past MAX_SECONDS, one pass at least), in process (no HTTP, no JSON, no facets, no snippets: the bare engine). The facet
category has no plain-FTS5 equivalent and is left out. JSON on stdout. Standard library only.
"""

import json
import os
import sqlite3
import sys
import time

import search_queries as sq


def main():
    site, scratch, requests, max_s = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    if os.path.exists(scratch):
        os.remove(scratch)
    src = sqlite3.connect(f"file:{site}?mode=ro", uri=True)
    page_size = src.execute("PRAGMA page_size").fetchone()[0]
    src.close()
    db = sqlite3.connect(scratch, isolation_level=None)
    db.execute(f"PRAGMA page_size = {int(page_size)}")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("ATTACH ? AS src", (f"file:{site}?mode=ro",))
    db.execute("CREATE VIRTUAL TABLE base USING fts5(title, lead, body, tags, "
               "tokenize = 'unicode61 remove_diacritics 2', prefix = '3')")
    s = time.perf_counter()
    db.execute("BEGIN")
    n = db.execute("INSERT INTO base(rowid, title, lead, body, tags) "
                   "SELECT id, c0, c1, c2, c3 FROM src.search_fts_content").rowcount
    db.execute("COMMIT")
    build_s = time.perf_counter() - s
    db.execute("DETACH src")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    try:
        size = db.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'base%'").fetchone()[0]
    except sqlite3.OperationalError:  # an SQLite without dbstat: the file holds only this table
        size = db.execute("PRAGMA page_count").fetchone()[0] * page_size
    top = "SELECT rowid, bm25(base) FROM base WHERE base MATCH ? ORDER BY rank LIMIT 20"
    count = "SELECT count(*) FROM base WHERE base MATCH ?"
    for _, _, qs in sq.CATEGORIES:  # a pass unmeasured, for the pages of the file
        for q, _ in qs:
            db.execute(top, (sq.fts5_match(q),)).fetchall()
    categories, everything, per_query = {}, [], []
    for key, label, qs in sq.CATEGORIES:
        if key == "facets":
            continue
        walls = {q: [] for q, _ in qs}
        totals = {}
        start = time.perf_counter()
        for i in range(requests):
            if i >= len(qs) and time.perf_counter() - start > max_s:
                break
            q = qs[i % len(qs)][0]
            m = sq.fts5_match(q)
            s = time.perf_counter()
            db.execute(top, (m,)).fetchall()
            totals[q] = db.execute(count, (m,)).fetchone()[0]
            walls[q].append(time.perf_counter() - s)
        cat = [w for q in walls for w in walls[q]]
        out = sq.summary_ms(cat)
        out["label"] = label
        categories[key] = out
        everything += cat
        for q, _ in qs:
            per_query.append(dict(sq.summary_ms(walls[q]), category=key, q=q, match=sq.fts5_match(q),
                                  total=totals.get(q)))
    db.close()
    print(json.dumps({"tokenizer": "unicode61 remove_diacritics 2", "entries": n,
                      "build_seconds": build_s, "per_second": n / build_s if build_s else 0,
                      "fts_bytes": size, "requests_per_category": requests,
                      "categories": categories, "overall": sq.summary_ms(everything),
                      "queries": per_query}))


if __name__ == "__main__":
    main()
