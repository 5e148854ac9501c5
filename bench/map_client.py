"""bench/map_client.py PORT PID TOKEN REQUESTS WRITES MAX_SECONDS — bench/map.sh's client.

One keep-alive connection, requests one after another, each timed from its send to the end of its
body (time.perf_counter), against a server that has just started (nothing of the map is cached):
 - compact_first: GET /api/v1/geo/compact, the first: built, compressed once (gzip and br) and
   kept, as after a restart (asked with Accept-Encoding: gzip, br, as a browser does);
 - bbox: GET /api/v1/geo?bbox=… of a box holding every point (from the compact answer), built for
   each request: REQUESTS of them plain, then a few with gzip and with br (compressed as they are
   sent);
 - compact: the kept answer, REQUESTS each plain, gzip and br;
 - compact_write: WRITES times, a PUT of one entry's summary through the API (a trusted account's
   token: published at once, the site's generation moves) then the compact answer, built again;
 - healthz: the floor of one request on the same connection.
A kind of request stops early once it has taken MAX_SECONDS (two requests at least). The server's
CPU per request from /proc/PID/stat. Prints JSON on stdout, with "sequence": the label of every
request to /api/v1/geo… in the order sent, for map.sh to pair with the server's access log and
its FOISON_GEO_TRACE lines. Standard library only.
"""

import http.client
import json
import os
import statistics
import sys
import time


def summary_ms(walls):
    s = sorted(walls)
    if not s:
        return {"n": 0}

    def pct(p):
        return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] * 1000

    return {"n": len(s), "p50_ms": statistics.median(s) * 1000, "p99_ms": pct(99),
            "min_ms": s[0] * 1000, "max_ms": s[-1] * 1000}


def main():
    port, pid, token = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    requests, writes, max_s = int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
    tck = os.sysconf("SC_CLK_TCK")

    def ticks():
        with open(f"/proc/{pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return int(rest[11]) + int(rest[12])

    c = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    sequence = []

    def call(method, path, headers=None, body=None, label=None):
        s = time.perf_counter()
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        wall = time.perf_counter() - s
        if r.status != 200:
            raise SystemExit(f"map: {method} {path} answered {r.status}: {data[:300]!r}")
        if label:
            sequence.append(label)
        return wall, data, r.getheader("Content-Encoding") or ""

    def series(label, path, enc, n):
        headers = {"Accept-Encoding": enc} if enc else {}
        walls, size = [], 0
        t0, start = ticks(), time.perf_counter()
        for i in range(n):
            if i >= 2 and time.perf_counter() - start > max_s:
                break
            wall, data, got = call("GET", path, headers, label=label)
            if (got or "identity") != (enc or "identity"):
                raise SystemExit(f"map: {path} with Accept-Encoding {enc!r} came as {got!r}")
            walls.append(wall)
            size = len(data)
        out = summary_ms(walls)
        out["bytes"] = size
        out["cpu_ms"] = (ticks() - t0) / tck / len(walls) * 1000
        return out

    browser = {"Accept-Encoding": "gzip, deflate, br"}
    t0 = ticks()
    wall, data, enc = call("GET", "/api/v1/geo/compact", browser, label="compact_first")
    first = {"ms": wall * 1000, "cpu_ms": (ticks() - t0) / tck * 1000, "encoding": enc}
    _, plain, _ = call("GET", "/api/v1/geo/compact", label="compact_plain_check")
    body = json.loads(plain)
    points = body["points"]
    if not points:
        raise SystemExit("map: the compact answer has no point")
    lons = [p[1] for p in points]
    lats = [p[2] for p in points]
    # Outwards to the next 0.01 degree: every point inside, whatever the rounding.
    w, s_, e, n = (int(min(lons) * 100 - 1) / 100, int(min(lats) * 100 - 1) / 100,
                   int(max(lons) * 100 + 1) / 100, int(max(lats) * 100 + 1) / 100)
    bbox = f"{w:.2f},{s_:.2f},{e:.2f},{n:.2f}"
    bbox_path = f"/api/v1/geo?bbox={bbox}"
    _, data, _ = call("GET", bbox_path, label="bbox_check")
    features = len(json.loads(data)["features"])
    if features != len(points):
        raise SystemExit(f"map: the box {bbox} holds {features} features, the map {len(points)}")

    out = {"points": len(points), "unplaced": len(body.get("unplaced", [])), "bbox": bbox,
           "compact_first": first}
    few = max(2, requests // 5)
    out["bbox"] = {"plain": series("bbox", bbox_path, "", requests),
                   "gzip": series("bbox_gzip", bbox_path, "gzip", few),
                   "br": series("bbox_br", bbox_path, "br", few), "box": bbox}
    out["compact"] = {enc or "plain": series("compact_" + (enc or "plain"), "/api/v1/geo/compact",
                                             enc, requests) for enc in ("", "gzip", "br")}

    # A write, then the compact answer built again for the new generation.
    auth = {"Authorization": "Bearer " + token}
    _, data, _ = call("GET", "/api/v1/entries?kind=innovation", auth)
    slug = json.loads(data)["entries"][0]["slug"]
    _, data, _ = call("GET", f"/api/v1/entries/{slug}", auth)
    rev = json.loads(data)["revision"]
    walls, cpus = [], []
    for i in range(writes):
        summary = f"Une fiche modifiée par le banc d'essai de la carte (écriture {time.time_ns()})."
        _, data, _ = call("PUT", f"/api/v1/entries/{slug}",
                          dict(auth, **{"Content-Type": "application/json"}),
                          json.dumps({"base_revision": rev, "summary": summary}))
        rev = json.loads(data)["revision"]
        t0 = ticks()
        wall, _, _ = call("GET", "/api/v1/geo/compact", browser, label="compact_write")
        walls.append(wall)
        cpus.append((ticks() - t0) / tck * 1000)
    out["compact_write"] = dict(summary_ms(walls), cpu_ms=statistics.mean(cpus) if cpus else 0)
    out["healthz"] = summary_ms([call("GET", "/healthz")[0] for _ in range(max(requests, 20))])
    out["sequence"] = sequence
    print(json.dumps(out))


if __name__ == "__main__":
    main()
