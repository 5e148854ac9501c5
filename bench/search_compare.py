"""bench/search_compare.py PORT_A PORT_B — two servers of one site file, byte for byte.

Asks both for every query of bench/search_queries.py (pages 1, 2, 7, 50 and past the last) and
a few more (other filters, exclusion, OR, sorted by date, a plural) and says which answers differ:
run one server with FOISON_SEARCH_IMPACT=off (or FOISON_SEARCH_COUNTING=docs) and one without, on
the same copy of a bench site (rate_searches 0), started one after the other (the first start
writes the derived data). The servers' own addresses in the answers' URLs are left out of the
comparison. Exit status 1 when any differs. Standard library only.
"""

import http.client
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import search_queries as sq  # noqa: E402

EXTRA = [
    ("projet", {"kind": "actor"}), ("projet", {"theme": "ess"}),
    ("projet", {"commune": "29019", "page": "3"}),
    ("projet", {"kind": "innovation", "theme": "ess", "commune": "29019", "page": "49"}),
    ("numérique", {"kind": "place", "theme": "numerique"}), ("atelier", {"commune": "29075"}),
    ("projet numérique", {}), ("projet -atelier", {}), ("projet OR atelier", {}),
    ("projet", {"sort": "recent"}), ('"centre social"', {"page": "4"}), ("commune", {}),
    ("projets", {}), ("économie sociale", {"kind": "innovation"}),
]


def main():
    ports = [int(sys.argv[1]), int(sys.argv[2])]
    conns = [http.client.HTTPConnection("127.0.0.1", p, timeout=600) for p in ports]

    def get(i, u):
        conns[i].request("GET", u)
        r = conns[i].getresponse()
        return r.status, r.read().replace(b"127.0.0.1:%d" % ports[i], b"HOST")

    urls = []
    for _, _, qs in sq.CATEGORIES:
        for q, f in qs:
            for page in (None, 2, 7, 50, 60):
                urls.append(sq.url(q, dict(f, page=str(page)) if page else f))
    urls += [sq.url(q, f) for q, f in EXTRA]
    bad = 0
    for u in urls:
        (sa, ba), (sb, bb) = get(0, u), get(1, u)
        if sa != sb or ba != bb:
            bad += 1
            at = next((k for k in range(min(len(ba), len(bb))) if ba[k] != bb[k]), min(len(ba), len(bb)))
            print(f"differ: {u} ({sa} {len(ba)} bytes, {sb} {len(bb)} bytes) at byte {at}:\n"
                  f"  {ba[max(0, at - 60):at + 60]!r}\n  {bb[max(0, at - 60):at + 60]!r}")
    print(f"{len(urls)} answers compared, {bad} differ")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
