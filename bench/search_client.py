"""bench/search_client.py PORT PID REQUESTS CLK_TCK URLS_OUT MAX_SECONDS — bench/search.sh's client.

One keep-alive connection, requests one after another, each timed from its send to the end of its
body (time.perf_counter): every figure is a real request's, with no load generator's correction,
and at one connection the server's latency is what is measured, not its queue. For each category
of bench/search_queries.py, REQUESTS requests cycling over its URLs (fewer if they take more than
MAX_SECONDS, one pass at least); the server's CPU per request
from /proc/PID/stat; its VmRSS and VmHWM at start, after the first search (which loads the
process's copy of the facets' terms) and at the end. Writes every URL to URLS_OUT (for wrk's
script) and the JSON on stdout. Standard library only.
"""

import http.client
import json
import os
import sys
import time

import search_queries as sq


def main():
    port, pid, requests, tck, urls_out, max_s = (int(sys.argv[1]), sys.argv[2], int(sys.argv[3]),
                                                 int(sys.argv[4]), sys.argv[5], float(sys.argv[6]))

    def ticks():
        with open(f"/proc/{pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return int(rest[11]) + int(rest[12])

    def status_kb(key):
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        return 0

    c = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def get(path):
        s = time.perf_counter()
        c.request("GET", path)
        r = c.getresponse()
        body = r.read()
        wall = time.perf_counter() - s
        if r.status != 200:
            raise SystemExit(f"search: {path} answered {r.status}: {body[:300]!r}")
        return wall, body

    rss_start, hwm_start = status_kb("VmRSS"), status_kb("VmHWM")
    every = [sq.url(q, f) for _, _, queries in sq.CATEGORIES for q, f in queries]
    with open(urls_out, "w", encoding="utf-8") as f:
        f.write("\n".join(every) + "\n")
    first_ms, _ = get(every[0])
    first = {"url": every[0], "ms": first_ms * 1000, "rss_kb": status_kb("VmRSS")}
    # One pass unmeasured, for the pages of the file the queries read; it gives each query's hits.
    queries = {}
    for u in every:
        _, body = get(u)
        answer = json.loads(body)
        if "results" not in answer or "facets" not in answer:
            raise SystemExit(f"search: {u} answered no results or no facets")
        queries[u] = {"total": answer["total"], "walls": []}
    floor = [get("/healthz")[0] for _ in range(requests)]
    categories, everything = {}, []
    for key, label, qs in sq.CATEGORIES:
        urls = [sq.url(q, f) for q, f in qs]
        walls = []
        t0, start = ticks(), time.perf_counter()
        for i in range(requests):
            if i >= len(urls) and time.perf_counter() - start > max_s:
                break
            u = urls[i % len(urls)]
            wall, _ = get(u)
            walls.append(wall)
            queries[u]["walls"].append(wall)
        cpu = (ticks() - t0) / tck
        out = sq.summary_ms(walls)
        out["label"] = label
        out["cpu_ms"] = cpu / len(walls) * 1000
        categories[key] = out
        everything += walls
    per_query = []
    for key, _, qs in sq.CATEGORIES:
        for q, f in qs:
            u = sq.url(q, f)
            s = sq.summary_ms(queries[u]["walls"])
            per_query.append({"category": key, "q": q, "filters": f, "url": u,
                              "total": queries[u]["total"], "p50_ms": s["p50_ms"],
                              "p99_ms": s["p99_ms"], "max_ms": s["max_ms"], "n": s["n"]})
    print(json.dumps({"requests_per_category": requests, "categories": categories,
                      "overall": sq.summary_ms(everything), "healthz": sq.summary_ms(floor),
                      "first": first, "queries": per_query,
                      "memory": {"rss_start_kb": rss_start, "hwm_start_kb": hwm_start, "rss_kb": status_kb("VmRSS"),
                                 "hwm_kb": status_kb("VmHWM")}}))


if __name__ == "__main__":
    main()
