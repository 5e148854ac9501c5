"""bench/writes.py — the background writer of bench/run.sh's entry_writes target.

One `PUT /api/v1/entries/SLUG` a second through the API (a trusted account's token), each a new
revision of the entry: a small change of its summary, on the revision the previous write made
(base_revision). Runs until SIGTERM, then writes its count, failures and wall times as JSON to OUT.
Every write bumps the site's generation, so it is what makes each cached page be rendered again.
Usage: writes.py PORT TOKEN SLUG OUT. Standard library only.
"""

import http.client
import json
import signal
import statistics
import sys
import time


def main():
    port, token, slug, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def call(method, path, body=None):
        headers = {"Authorization": "Bearer " + token}
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body)
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        return r.status, json.loads(data) if data else None

    status, entry = call("GET", f"/api/v1/entries/{slug}")
    if status != 200:
        raise SystemExit(f"writes: GET {slug} answered {status}")
    rev = entry["revision"]
    writes, failed, walls, errors = 0, 0, [], []
    start = time.monotonic()
    while not stop:
        # A text never written before: a save that changes nothing writes nothing.
        summary = ("Un collectif fictif pour les mesures de performance du site "
                   f"(écriture {time.time_ns()}).")
        t0 = time.perf_counter()
        status, r = call("PUT", f"/api/v1/entries/{slug}",
                         {"base_revision": rev, "summary": summary})
        walls.append(time.perf_counter() - t0)
        writes += 1
        if status == 200:
            rev = r["revision"]
        else:
            failed += 1
            errors.append(status)
            status, entry = call("GET", f"/api/v1/entries/{slug}")
            if status == 200:
                rev = entry["revision"]
        while not stop:
            left = start + writes - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(left, 0.05))
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"writes": writes, "failed": failed, "statuses": errors[:10],
                   "median_ms": statistics.median(walls) * 1000 if walls else 0.0,
                   "max_ms": max(walls) * 1000 if walls else 0.0}, f)


if __name__ == "__main__":
    main()
