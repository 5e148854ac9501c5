"""bench/report.py — turns the wrk reports of bench/run.sh into the table and docs/PERFORMANCE.md.

Reads its inputs from the environment set by run.sh (BENCH_*), the wrk outputs
`$BENCH_RESULTS/<target>.<round>.wrk` and the CPU tick deltas `<target>.<round>.cpu`.
Medians over rounds, per column, so one disturbed round does not move the result.
Standard library only: the bench must run on a bare Debian with python3.
"""

import datetime
import json
import os
import re
import statistics
import sys

MARKER = "<!-- notes -->"
TARGETS = [
    ("nginx", "nginx static (same bytes)"),
    ("entry", "foison entry page"),
    ("list", "foison /innovations"),
    ("healthz", "foison /healthz"),
]
TIME_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}
GOAL_RATIO = 1.0
GOAL_P99_MS = 5.0


def env(name):
    return os.environ[name]


def to_ms(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text)
    if not m:
        raise ValueError(f"unknown wrk time {text!r}")
    return float(m.group(1)) * TIME_UNITS[m.group(2)]


def parse_wrk(path):
    """Requests/sec, request count, p50 and p99 in ms, and errors from one wrk --latency report."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()

    def grab(pattern):
        m = re.search(pattern, text, re.M)
        if not m:
            raise ValueError(f"{path}: no match for {pattern!r}:\n{text}")
        return m.group(1)

    errors = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        errors += sum(int(g) for g in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        errors += int(m.group(1))
    return {
        "rps": float(grab(r"^Requests/sec:\s*([0-9.]+)")),
        "requests": int(grab(r"^\s*(\d+) requests in ")),
        "p50": to_ms(grab(r"^\s*50%\s+(\S+)")),
        "p99": to_ms(grab(r"^\s*99%\s+(\S+)")),
        "errors": errors,
    }


def ran():
    """The targets run.sh ran (all of them unless BENCH_TARGETS chose a subset)."""
    return set(os.environ.get("BENCH_RAN", "").split())


def collect_keys(keys):
    """Median req/s, p50, p99 and CPU µs/request over the rounds of each target in keys."""
    results_dir = env("BENCH_RESULTS")
    rounds = int(env("BENCH_ROUNDS"))
    clk_tck = int(env("CLK_TCK"))
    rows = {}
    for key in keys:
        runs = []
        for r in range(1, rounds + 1):
            run = parse_wrk(os.path.join(results_dir, f"{key}.{r}.wrk"))
            with open(os.path.join(results_dir, f"{key}.{r}.cpu"), encoding="utf-8") as f:
                ticks = int(f.read().strip())
            run["cpu_us"] = ticks * 1e6 / clk_tck / run["requests"] if run["requests"] else 0.0
            runs.append(run)
        rows[key] = {
            col: statistics.median(run[col] for run in runs)
            for col in ("rps", "p50", "p99", "cpu_us")
        }
        rows[key]["errors"] = sum(run["errors"] for run in runs)
        rows[key]["rounds"] = [run["rps"] for run in runs]
    return rows


def collect():
    return collect_keys(key for key, _ in TARGETS)


def spread(rows):
    return "; ".join(label + " " + " / ".join(f"{v:.0f}" for v in rows[key]["rounds"])
                     for key, label in TARGETS)


def fmt_ms(v):
    return f"{v:.2f}" if v < 10 else f"{v:.1f}"


def table(rows):
    base = rows["nginx"]["rps"]
    head = ["target", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "ratio to nginx static", "errors"]
    body = []
    for key, label in TARGETS:
        r = rows[key]
        body.append([
            label,
            f"{r['rps']:.0f}",
            fmt_ms(r["p50"]),
            fmt_ms(r["p99"]),
            f"{r['cpu_us']:.1f}",
            f"{r['rps'] / base:.2f}×" if base else "n/a",
            str(r["errors"]),
        ])
    return head, body


def markdown_table(head, body):
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def text_table(head, body):
    widths = [max(len(row[i]) for row in [head] + body) for i in range(len(head))]
    out = []
    for row in [head] + body:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        out.append("  ".join(cells))
    return "\n".join(out)


def goal(rows):
    entry, base = rows["entry"], rows["nginx"]["rps"]
    ratio = entry["rps"] / base if base else 0.0
    met = ratio >= GOAL_RATIO and entry["p99"] < GOAL_P99_MS and entry["errors"] == 0
    conns = env("CONNECTIONS")
    detail = f"entry page at {ratio:.2f}× nginx static, p99 {fmt_ms(entry['p99'])} ms"
    if entry["errors"]:
        detail += f", {entry['errors']} errors"
    verdict = "**met**" if met else "**not met**"
    line = (f"Goal — entry page ≥ {GOAL_RATIO:.1f}× nginx static req/s with p99 < "
            f"{GOAL_P99_MS:.0f} ms at {conns} connections: {verdict} ({detail}).")
    return met, line


# --- the entry page compressed: foison's cached gzip and br against nginx's gzip_static -----------
COMPRESSED = [
    ("nginx_gz", "nginx gzip_static (same gzip bytes)"),
    ("entry_gz", "foison entry page, gzip"),
    ("entry_br", "foison entry page, br"),
]


def collect_compressed():
    return collect_keys(key for key, _ in COMPRESSED)


def compressed_table(crows):
    base = crows["nginx_gz"]["rps"]
    head = ["compressed target", "req/s", "p50 ms", "p99 ms", "CPU µs/req",
            "ratio to nginx gzip_static", "errors"]
    body = [[label, f"{r['rps']:.0f}", fmt_ms(r["p50"]), fmt_ms(r["p99"]), f"{r['cpu_us']:.1f}",
             f"{r['rps'] / base:.2f}×" if base else "n/a", str(r["errors"])]
            for key, label in COMPRESSED for r in [crows[key]]]
    return head, body


def compressed_goal(crows):
    base = crows["nginx_gz"]["rps"]
    parts, met = [], True
    for key in ("entry_gz", "entry_br"):
        r = crows[key]
        ratio = r["rps"] / base if base else 0.0
        met = met and ratio >= GOAL_RATIO and r["errors"] == 0
        parts.append(f"{key.split('_')[1]} at {ratio:.2f}×")
    verdict = "**met**" if met else "**not met**"
    return met, (f"Goal — compressed entry page ≥ {GOAL_RATIO:.1f}× nginx gzip_static req/s: "
                 f"{verdict} ({', '.join(parts)}).")


def compressed_section(crows):
    head, body = compressed_table(crows)
    spread_text = "; ".join(label + " " + " / ".join(f"{v:.0f}" for v in crows[key]["rounds"])
                            for key, label in COMPRESSED)
    return f"""
## Compressed entry page

The same entry page with `Accept-Encoding: gzip` (and `br`): foison answers from its page cache,
where the page was compressed once when it was stored; nginx serves the gzip bytes foison sends,
precompressed in `entry.html.gz`, with `gzip_static on` (nginx-light has no brotli module, so br is
compared with nginx's gzip too). Both gzip bodies are checked to be byte-identical first.

{markdown_table(head, body)}

Req/s of each round: {spread_text}.

{compressed_goal(crows)[1]}
"""


# --- images: a cached WebP against nginx serving the same file; uploads and their memory ---------
IMAGES = [
    ("nginx_image", "nginx static (same WebP file)"),
    ("image", "foison /media/… WebP, from its cache"),
]


def images_section(irows):
    base = irows["nginx_image"]["rps"]
    head = ["image target", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "ratio to nginx static",
            "errors"]
    body = [[label, f"{r['rps']:.0f}", fmt_ms(r["p50"]), fmt_ms(r["p99"]), f"{r['cpu_us']:.1f}",
             f"{r['rps'] / base:.2f}×" if base else "n/a", str(r["errors"])]
            for key, label in IMAGES for r in [irows[key]]]
    ratio = irows["image"]["rps"] / base if base else 0.0
    met = ratio >= GOAL_RATIO and irows["image"]["errors"] == 0
    verdict = "**met**" if met else "**not met**"
    text = f"""
## Images

One picture of the entry page (a srcset file, WebP) as foison serves it from its page cache
(`Cache-Control: immutable`, named by its hash), against nginx serving the same bytes from a file
(checked identical first).

{markdown_table(head, body)}

Goal — cached image ≥ {GOAL_RATIO:.1f}× nginx static req/s: {verdict} ({ratio:.2f}×).
"""
    return met, text + media_section()


def media_section():
    path = os.path.join(env("BENCH_RESULTS"), "media.json")
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as f:
        m = json.load(f)
    extra = (m["rss_peak_kb"] - m["rss_idle_kb"]) / 1024
    rounds = ", ".join(f"{r['wall_s']:.1f} s" for r in m["rounds"])
    met = extra < 128
    body = [["one after another", str(m["uploads"]), f"{m['median_s']:.2f}", f"{m['p95_s']:.2f}",
             f"{m['cpu_s']:.2f}"]]
    mem = [[f"{m['rss_idle_kb'] / 1024:.0f}", f"{m['rss_after_sequential_kb'] / 1024:.0f}",
            f"{m['rss_peak_kb'] / 1024:.0f}", f"{extra:.0f}", f"{m['rss_end_kb'] / 1024:.0f}"]]
    return f"""
Uploads (`bench/media.sh`): a fresh demo site, the server pinned to CPU 0 with 2 threads, then
{m["uploads"]} distinct 4000 × 3000 JPEGs of {m["photo"]["mean_bytes"] / 1e6:.1f} MB on average (a
phone's EXIF: orientation 6, a GPS position) sent to `POST /api/v1/entries/SLUG/media` one after
another; 201 comes back once every srcset file (WebP and JPEG at 320, 640, 1024 and 1600 px) is
made and stored, which is "ready". Then {m["concurrent"]} at a time, twice ({rounds} a round), while
the server's VmRSS is sampled every 10 ms ({m["samples"]} samples).

{markdown_table(["uploads", "n", "median s", "p95 s", "server CPU s/upload"], body)}

{markdown_table(["RSS idle MiB", "after the sequential ones", f"peak, {m['concurrent']} at once",
                 "peak over idle", "at the end"], mem)}

Goal — memory during {m["concurrent"]} uploads at once under 128 MiB over idle:
{"**met**" if met else "**not met**"} (+{extra:.0f} MiB).
"""


# --- uncached paths: the API, and the pages of a logged-in visitor, built for every request ------
HUB_LINKS = os.environ.get("BENCH_HUB_LINKS", "500")
UNCACHED = [
    ("api_list", "API list (20 entries)", 250),
    ("api_entry", "API entry", None),
    ("history", "history page, logged in", 100),
    ("user_entry", "entry page, logged in", 100),
    ("user_list", "/innovations, logged in", 150),
    ("hub_user", f"actor page linked to {HUB_LINKS} entries, logged in", 1000),
    ("hub_related", f"API /related of that actor ({HUB_LINKS} entries)", 1000),
]


def uncached_table(urows):
    head = ["uncached target", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "goal µs/req", "errors"]
    body = [[label, f"{r['rps']:.0f}", fmt_ms(r["p50"]), fmt_ms(r["p99"]), f"{r['cpu_us']:.1f}",
             f"≤ {limit}" if limit else "—", str(r["errors"])]
            for key, label, limit in UNCACHED if key in urows for r in [urows[key]]]
    return head, body


def uncached_goal(urows):
    missed = [f"{label} {urows[key]['cpu_us']:.0f} µs" for key, label, limit in UNCACHED
              if key in urows and limit and (urows[key]["cpu_us"] > limit or urows[key]["errors"])]
    met = not missed
    verdict = "**met**" if met else "**not met**"
    detail = "every one within its goal" if met else "over: " + ", ".join(missed)
    return met, f"Goal — uncached paths within their CPU µs/request: {verdict} ({detail})."


def uncached_section(urows):
    head, body = uncached_table(urows)
    spread_text = "; ".join(label + " " + " / ".join(f"{v:.0f}" for v in urows[key]["rounds"])
                            for key, label, _ in UNCACHED)
    return f"""
## Uncached paths

What no cache answers: the JSON API (`/api/v1/entries?kind=innovation`, 20 entries, and one
entry), and for a visitor logged in (an account made with `foison user add`, its session cookie
from the real login form) the history, record and list pages. The hub actor
(`{env("BENCH_HUB_PATH")}`, made by `foison bench-data --hub`) is pointed to by
{HUB_LINKS} innovations, articles and networks: its page lists every one of them, and so does
`/api/v1/entries/SLUG/related` (the API is never cached). wrk at
{env("UNCACHED_CONNECTIONS")} connections, otherwise as above. CPU µs/req is the figure the
goals are about.

{markdown_table(head, body)}

Req/s of each round: {spread_text}.

{uncached_goal(urows)[1]}
"""


# --- the cached entry page while an actor is written to once a second ----------------------------
WRITES_RATIO = 0.9
WRITES_P99_MS = 5.0


def writes_stats():
    """Writes per run (median over the rounds) and failed writes (summed) of entry_writes."""
    results_dir, rounds = env("BENCH_RESULTS"), int(env("BENCH_ROUNDS"))
    counts, failed, median_ms = [], 0, []
    for r in range(1, rounds + 1):
        path = os.path.join(results_dir, f"entry_writes.{r}.writes")
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            w = json.load(f)
        counts.append(w["writes"])
        failed += w["failed"]
        median_ms.append(w["median_ms"])
    if not counts:
        return None
    return {"writes": statistics.median(counts), "failed": failed,
            "median_ms": statistics.median(median_ms)}


def writes_table(rows):
    base = rows["entry"]
    head = ["target", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "ratio to entry", "errors"]
    body = [[label, f"{r['rps']:.0f}", fmt_ms(r["p50"]), fmt_ms(r["p99"]), f"{r['cpu_us']:.1f}",
             f"{r['rps'] / base['rps']:.2f}×" if base["rps"] else "n/a", str(r["errors"])]
            for key, label in [("entry", "entry page, no writes"),
                               ("entry_writes", "entry page, an actor written once a second")]
            for r in [rows[key]]]
    return head, body


def writes_goal(rows, w):
    entry, wr = rows["entry"], rows["entry_writes"]
    ratio = wr["rps"] / entry["rps"] if entry["rps"] else 0.0
    failed = w["failed"] if w else 0
    met = ratio >= WRITES_RATIO and wr["p99"] < WRITES_P99_MS and wr["errors"] == 0 and not failed
    detail = f"{ratio:.2f}× its req/s without writes, p99 {fmt_ms(wr['p99'])} ms"
    if failed:
        detail += f", {failed} writes failed"
    verdict = "**met**" if met else "**not met**"
    return met, (f"Goal — a write per second to an actor keeps the cached entry page at ≥ "
                 f"{WRITES_RATIO:.1f}× its req/s without writes, p99 < {WRITES_P99_MS:.0f} ms: "
                 f"{verdict} ({detail}).")


def writes_section(rows):
    w = writes_stats()
    head, body = writes_table(rows)
    spread_text = "; ".join(label + " " + " / ".join(f"{v:.0f}" for v in rows[key]["rounds"])
                            for key, label in [("entry", "no writes"),
                                               ("entry_writes", "with writes")])
    writes_text = (f"{w['writes']:.0f} writes per run (median {w['median_ms']:.1f} ms each, "
                   f"{w['failed']} failed)" if w else "no writes recorded")
    return f"""
## Writes and the page cache

The cached anonymous entry page again, while `bench/writes.py` (a `trusted` account's API token)
saves a small change to the hub actor's summary once a second through
`PUT /api/v1/entries/SLUG` with the right `base_revision`, started right before wrk and stopped
right after: {writes_text}. The actor is not on the entry page, yet writes cost something: each
write bumps the site's generation, the one counter every cached page is valid for, so every
cached page (this one included) is rendered again, once, on its next view; and on the single
server thread the save itself (its transaction and its fsyncs) holds up the requests queued
behind it. CPU µs/req counts the writes' own cost too.

{markdown_table(head, body)}

Req/s of each round: {spread_text}.

{writes_goal(rows, w)[1]}
"""


def saves_section():
    path = os.path.join(env("BENCH_RESULTS"), "saves.json")
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as f:
        s = json.load(f)
    body = [[mode, str(r["saves"]), f"{r['median_ms']:.2f}", f"{r['p95_ms']:.2f}",
             f"{r['saves_per_s']:.0f}", f"{r['cpu_us']:.0f}"] for mode, r in s.items()]
    full, normal = s["FULL"], s["NORMAL"]
    return f"""
## Saves

The cost of one acknowledged write (`bench/saves.sh`): a fresh demo site, a server pinned as
above, then {full["saves"]} sequential `PUT /api/v1/entries/SLUG` on one keep-alive connection,
each a new revision of one record (a transaction: validation, the revision, derived data,
commit). Once with `synchronous=FULL` (the default: a save answered 200 survives a power loss),
once with `NORMAL`.

{markdown_table(["synchronous", "saves", "median ms", "p95 ms", "saves/s", "server CPU µs/save"], body)}

FULL costs {full["median_ms"] - normal["median_ms"]:.2f} ms more per save than NORMAL at the
median (the fsyncs of the write-ahead log at each commit), on this machine's disk.
"""


def moderation_section():
    path = os.path.join(env("BENCH_RESULTS"), "moderation.json")
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as f:
        m = json.load(f)
    q, l = m["queue"], m["login"]
    body = [["moderation queue, first page (API, 100 items)", str(q["n"]), f"{q['median_ms']:.1f}",
             f"{q['p95_ms']:.1f}", f"{q['cpu_us'] / 1000:.1f}", "≤ 20 ms"],
            ["login through the form (argon2id)", str(l["n"]), f"{l['median_ms']:.0f}",
             f"{l['p95_ms']:.0f}", f"{l['cpu_us'] / 1000:.0f}", "≤ 150 ms"]]
    queue_ok = q["p95_ms"] <= 20
    login_ok = l["p95_ms"] <= 150
    return f"""
## Moderation and login

`bench/moderation.sh`: a fresh demo site with {m["pending"]:,} pending revisions, a server pinned
as above; sequential reads of the queue's first page through the API, then logins through the
real form (a fresh form each time; the password hash at libsodium's interactive limits).

{markdown_table(["request", "requests", "median ms", "p95 ms", "server CPU ms/request", "goal"], body)}

Goal — the queue with {m["pending"]:,} pending revisions within 20 ms: {"**met**" if queue_ok else "**not met**"} (p95 {q["p95_ms"]:.1f} ms).
Goal — a login within 150 ms: {"**met**" if login_ok else "**not met**"} (p95 {l["p95_ms"]:.0f} ms).
"""


def agenda_section():
    path = os.path.join(env("BENCH_RESULTS"), "agenda.json")
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as f:
        a = json.load(f)
    m, t, feed, r = a["month_all"], a["month_theme"], a["feed"], a["registrations"]
    body = [[f"/agenda, month {a['month']} ({m['occurrences']} dates)", str(m["n"]),
             f"{m['median_ms']:.2f}", f"{m['p95_ms']:.2f}", f"{m['cpu_us'] / 1000:.2f}", "≤ 5 ms"],
            [f"/agenda, month, theme {t['theme']} ({t['occurrences']} dates)", str(t["n"]),
             f"{t['median_ms']:.2f}", f"{t['p95_ms']:.2f}", f"{t['cpu_us'] / 1000:.2f}", "≤ 5 ms"]]
    month_ok = m["p95_ms"] <= 5 and t["p95_ms"] <= 5
    growth = feed["hwm_after_kb"] - feed["hwm_before_kb"]
    feed_kb = feed["bytes"] / 1024
    feed_ok = growth * 4 < feed_kb
    reg_ok = r["per_second"] >= 500 and r["registered"] == r["seats"] and r["in_order"]
    answered = ", ".join(f"{v} {k}" for k, v in sorted(r["answered"].items()))
    return f"""
## The agenda

`bench/agenda.sh`: a fresh demo site with {a["events"]:,} generated events (`foison bench-data
--events`, a tenth of them weekly series of 4 to 20 dates, within half a year of today), a server
pinned as above. The month view is read signed in (built for each request: the public's copy
is cached per generation and per day), sequentially, 100 dates a page.

{markdown_table(["request", "requests", "median ms", "p95 ms", "server CPU ms/request", "goal"], body)}

Goal — the month view within 5 ms: {"**met**" if month_ok else "**not met**"} (p95 {m["p95_ms"]:.2f} ms; with a theme filter {t["p95_ms"]:.2f} ms).

`/agenda.ics`, every event and series: {feed["vevents"]:,} VEVENTs, {feed_kb:,.0f} KiB in
{feed["seconds"] * 1000:.0f} ms; the server's peak resident memory grew by {growth:,} KiB while it
was sent (from {feed["hwm_before_kb"]:,} to {feed["hwm_after_kb"]:,} KiB): streamed in flat memory
{"(**met**: the growth is under a quarter of the feed's size)" if feed_ok else "(**not met**: the growth is a quarter of the feed's size or more)"}.

{r["n"]:,} guest registrations in a row to one event of {r["seats"]} seats (one connection, each a
write transaction at synchronous=FULL with its confirmation mail and .ics queued):
{r["per_second"]:.0f} a second, {r["cpu_us"] / 1000:.2f} ms of server CPU each; answered {answered};
the organisers' list then holds {r["registered"]} registered and {r["waiting"]} waiting, in order
{"yes" if r["in_order"] else "**no**"}.
Goal — at least 500 registrations a second with no overbooking: {"**met**" if reg_ok else "**not met**"}.
"""


# --- search at size: bench/search.sh ------------------------------------------------------------
SEARCH_GOALS_P99_MS = [(100000, 10.0), (1000000, 50.0)]  # (entries at least, p99 below)
SEARCH_GOAL_BUILD = 5000  # entries/s
SEARCH_GOAL_MEMORY_MIB = 256  # the server's resident memory at 1,000,000 entries


def search_section():
    path = os.path.join(env("BENCH_RESULTS"), "search.json")
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as f:
        sizes = json.load(f)["sizes"]
    if not sizes:
        return ""
    mib = 1024 * 1024

    def cat_cells(c):
        return f"{fmt_ms(c['p50_ms'])} / {fmt_ms(c['p99_ms'])}" if c else "—"

    keys = [("one_word", "one word"), ("two_words", "two words"), ("phrase", "a phrase"),
            ("facets", "facet filters")]
    lat_head = ["entries", "engine"] + [f"{label} p50 / p99 ms" for _, label in keys] + [
        "all p50 / p99 ms", "requests", "server CPU ms/req"]
    lat_body = []
    for z in sizes:
        srv, base = z["server"], z["base"]
        cpu = statistics.mean(c["cpu_ms"] for c in srv["categories"].values())
        lat_body.append([f"{z['entries']:,}", "foison, /api/v1/search over HTTP"] +
                        [cat_cells(srv["categories"].get(k)) for k, _ in keys] +
                        [cat_cells(srv["overall"]), str(srv["overall"]["n"]), f"{cpu:.2f}"])
        lat_body.append([f"{z['entries']:,}", "unicode61, in process"] +
                        [cat_cells(base["categories"].get(k)) for k, _ in keys] +
                        [cat_cells(base["overall"]), str(base["overall"]["n"]), "—"])
    build_head = ["entries", "foison build entries/s", "per CPU second", "foison index MiB",
                  "of which texts MiB",
                  "facets and vocabulary MiB", "unicode61 build entries/s", "unicode61 index MiB",
                  "site file MiB"]
    build_body = [[f"{z['entries']:,}", f"{z['build']['per_second']:,}",
                   f"{z['build'].get('cpu_per_second', 0):,.0f}",
                   f"{z['build']['fts_bytes'] / mib:,.1f}",
                   f"{z['build']['content_bytes'] / mib:,.1f}",
                   f"{z['build']['aux_bytes'] / mib:,.1f}",
                   f"{z['base']['per_second']:,.0f}", f"{z['base']['fts_bytes'] / mib:,.1f}",
                   f"{z['site_bytes'] / mib:,.0f}"] for z in sizes]
    mem_head = ["entries", "first search ms", "RSS at start MiB", "VmHWM at start MiB",
                "RSS after the first MiB", "RSS at the end MiB", "VmHWM at the end MiB",
                "/healthz p50 ms"]
    mem_body = [[f"{z['entries']:,}", f"{z['server']['first']['ms']:.0f}",
                 f"{z['server']['memory']['rss_start_kb'] / 1024:.1f}",
                 f"{z['server']['memory'].get('hwm_start_kb', 0) / 1024:.1f}",
                 f"{z['server']['first']['rss_kb'] / 1024:.1f}",
                 f"{z['server']['memory']['rss_kb'] / 1024:.1f}",
                 f"{z['server']['memory']['hwm_kb'] / 1024:.1f}",
                 fmt_ms(z['server']['healthz']['p50_ms'])] for z in sizes]
    wrk_rows = [z for z in sizes if z.get("wrk")]
    wrk_text = ""
    if wrk_rows:
        w0 = wrk_rows[0]["wrk"]
        wrk_head = ["entries", "req/s", "p50 ms", "p99 ms", "errors"]
        wrk_body = [[f"{z['entries']:,}", f"{z['wrk']['rps']:.0f}", fmt_ms(z["wrk"]["p50"]),
                     fmt_ms(z["wrk"]["p99"]), str(z["wrk"]["errors"])] for z in wrk_rows]
        wrk_text = f"""
Throughput: wrk, `-t1 -c{w0["connections"]} --latency`, a Lua script cycling over every URL of
the four categories, against `foison serve --threads {w0["threads"]}` (its default here), neither
pinned (wrk shares the CPUs with the server):

{markdown_table(wrk_head, wrk_body)}
"""
    # The slowest queries of the largest size, by p99.
    big = sizes[-1]
    slow = sorted(big["server"]["queries"], key=lambda q: -q["p99_ms"])[:5]
    slow_text = "; ".join(
        "`" + " ".join([q["q"]] + [f"{k}={v}" for k, v in sorted(q["filters"].items())]) +
        f"` {fmt_ms(q['p99_ms'])} ms ({q['total']:,} hits)" for q in slow)
    goals = []
    for at_least, limit in SEARCH_GOALS_P99_MS:
        z = next((z for z in sizes if z["n"] == at_least), None)
        if z is None:
            goals.append(f"Goal — search p99 < {limit:.0f} ms at {at_least:,} entries: not measured.")
            continue
        p99 = max(c["p99_ms"] for c in z["server"]["categories"].values())
        ok = p99 < limit
        goals.append(f"Goal — search p99 < {limit:.0f} ms at {at_least:,} entries (every "
                     f"category): {'**met**' if ok else '**not met**'} (worst category "
                     f"{fmt_ms(p99)} ms, all together {fmt_ms(z['server']['overall']['p99_ms'])} ms).")
    # A rebuild of a thousand entries is mostly its fixed costs: judged from 100,000 up.
    judged = [z for z in sizes if z["n"] >= 100000] or sizes
    worst = min(judged, key=lambda z: z["build"]["per_second"])
    goals.append(f"Goal — index build ≥ {SEARCH_GOAL_BUILD:,} entries/s: "
                 f"{'**met**' if worst['build']['per_second'] >= SEARCH_GOAL_BUILD else '**not met**'}"
                 f" (slowest {worst['build']['per_second']:,} entries/s at {worst['entries']:,}).")
    z = next((z for z in sizes if z["n"] == 1000000), None)
    if z is None:
        goals.append(f"Goal — server memory < {SEARCH_GOAL_MEMORY_MIB} MiB at 1,000,000 entries: "
                     "not measured.")
    else:
        m = max(z["server"]["memory"]["rss_kb"], z["server"]["memory"]["hwm_kb"]) / 1024
        goals.append(f"Goal — server memory < {SEARCH_GOAL_MEMORY_MIB} MiB at 1,000,000 entries: "
                     f"{'**met**' if m < SEARCH_GOAL_MEMORY_MIB else '**not met**'} "
                     f"(VmHWM {m:,.0f} MiB).")
    n_req = sizes[0]["server"]["requests_per_category"]
    cpus = sizes[0]["build"].get("cpus", "0")
    build_cpus = ("on both CPUs: a helper thread prepares the documents (fields, texts, their "
                  "tokens and stems) while the other writes the index"
                  if cpus == "all" else f"pinned to CPU {cpus}")
    n_base = sizes[0]["base"]["requests_per_category"]
    return f"""
## Search at size

`bench/search.sh`: for each size, a site of `foison demo` plus `foison bench-data --entries`
(generated French texts of five kinds; made once and cached under `build/bench-search/`, each run
on a copy), its search index rebuilt by `foison reindex --search` ({build_cpus}: the rate it
prints), then `foison serve --threads 1` pinned to CPU 0 and a client of ours
(`bench/search_client.py`) on CPU 1: one keep-alive connection, sequential requests, each timed
from its send to the end of its body, {n_req} per category cycling over the fixed queries of
`bench/search_queries.py` (one word, common to rare; two words; a phrase; with kind, theme and
commune filters). Every answer counts the facets (kind, theme, commune, year, status and the
kinds' own). The baseline is SQLite's plain `unicode61 remove_diacritics 2` tokenizer on the very
texts of our index, in a table of the same shape (four columns, `prefix='3'`), queried in
process by `bench/search_base.py` ({n_base} per category: plain MATCH, bm25 `ORDER BY rank
LIMIT 20` and `count(*)`): the bare engine, with no HTTP, JSON, facets, snippets, stemming or
prefix expansion; it has no facet category.

{markdown_table(lat_head, lat_body)}

Index build and size: the rate `foison reindex --search` prints (wall clock), and its entries per
second of its own CPU time (user + system, of all its threads: what the rate would be on one CPU
to itself, the disk and the threads' handing over aside); foison's index: the pages of the FTS5
shadow tables, from `dbstat`, the stored texts included; facets and vocabulary: `search_docs` and `search_words`, apart. The unicode61
build is one `INSERT … SELECT` of the same texts in one transaction:

{markdown_table(build_head, build_body)}

The server (`--threads 1`): the first search loads the process's copy of every document's facet
terms; memory from `/proc/PID/status` after all the queries. `/healthz` on the same connection is
the floor of one request.

{markdown_table(mem_head, mem_body)}
{wrk_text}
Slowest queries at {big["entries"]:,} entries (p99): {slow_text}.

""" + "\n".join(goals) + "\n"


# --- the map at size: bench/map.sh --------------------------------------------------------------
MAP_GOALS_MS = [(10000, 20.0), (100000, 150.0)]  # (points, the GeoJSON's server time below)
MAP_GOAL_RENDER_MS = 1500.0  # the first clustered render in Chromium at 100,000 points


def map_section():
    path = os.path.join(env("BENCH_RESULTS"), "map.json")
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as f:
        out = json.load(f)
    sizes = out["sizes"]
    if not sizes:
        return ""

    def pp(st):
        return f"{fmt_ms(st['p50_ms'])} / {fmt_ms(st['p99_ms'])}" if st else "—"

    head = ["points", "answer", "requests", "server p50 / p99 ms", "client p50 / p99 ms",
            "build CPU p50 ms", "server CPU ms/req", "bytes"]
    body = []
    for z in sizes:
        c, srv, bld = z["client"], z["server"], z["build"]
        pts = f"{c['points']:,}"
        for key, label, cl in [
                ("bbox", "GeoJSON, whole-map bbox, built each time", c["bbox"]["plain"]),
                ("bbox_gzip", "the same, gzip (compressed as sent)", c["bbox"]["gzip"]),
                ("bbox_br", "the same, br (compressed as sent)", c["bbox"]["br"]),
                ("compact_plain", "compact, kept", c["compact"]["plain"]),
                ("compact_gzip", "compact, kept, gzip", c["compact"]["gzip"]),
                ("compact_br", "compact, kept, br", c["compact"]["br"])]:
            b = bld.get(key)
            body.append([pts, label, str(cl["n"]), pp(srv.get(key)), pp(cl),
                         fmt_ms(b["p50_ms"]) if b else "—", f"{cl['cpu_ms']:.1f}",
                         f"{cl['bytes']:,}"])
        f, w = c["compact_first"], c["compact_write"]
        body.append([pts, "compact, first build after the start (gzip, br made)", "1",
                     pp(srv.get("compact_first")), f"{f['ms']:.0f}",
                     fmt_ms(bld["compact_first"]["p50_ms"]) if bld.get("compact_first") else "—",
                     f"{f['cpu_ms']:.0f}", "—"])
        body.append([pts, "compact, built again after a write (gzip, br made)", str(w["n"]),
                     pp(srv.get("compact_write")), pp(w),
                     fmt_ms(bld["compact_write"]["p50_ms"]) if bld.get("compact_write") else "—",
                     f"{w['cpu_ms']:.0f}", "—"])
    goals = []
    for at, limit in MAP_GOALS_MS:
        z = next((z for z in sizes if z["n"] == at), None)
        if z is None:
            goals.append(f"Goal — the GeoJSON of {at:,} points < {limit:.0f} ms: not measured.")
            continue
        st, cpu = z["server"].get("bbox"), z["client"]["bbox"]["plain"]["cpu_ms"]
        ok = cpu < limit
        goals.append(f"Goal — the GeoJSON of {at:,} points (a box holding all "
                     f"{z['client']['points']:,}, built for the request) < {limit:.0f} ms of server "
                     f"time: {'**met**' if ok else '**NOT MET**'} ({cpu:.1f} ms of server CPU a "
                     f"request, its build {fmt_ms(z['build']['bbox']['p50_ms'])} ms of it; from "
                     f"first byte read to last byte sent, median {fmt_ms(st['p50_ms'])} ms, p99 "
                     f"{fmt_ms(st['p99_ms'])} ms).")
    browser_text = ""
    zb = next((z for z in sizes if z.get("browser")), None)
    if zb is None:
        goals.append(f"Goal — the first clustered render < {MAP_GOAL_RENDER_MS:,.0f} ms: not measured.")
    else:
        br = zb["browser"]
        loads = br["loads"]
        keys = [("start", "map.js runs"), ("api_response_end", "answer received"),
                ("data", "map:data (parsed)"), ("read", "map:read"), ("indexed", "map:indexed"),
                ("rendered", "map:rendered"), ("painted", "map:painted"),
                ("listed", "map:listed")]
        lhead = ["load"] + [label + " ms" for _, label in keys] + ["markers", "compact bytes sent"]
        lbody = [[str(i + 1)] + [f"{l[k]:.0f}" if l.get(k) is not None else "—" for k, _ in keys] +
                 [str(l["markers"]), f"{l['api_bytes']:,}" if l.get("api_bytes") else "—"]
                 for i, l in enumerate(loads)]
        painted = statistics.median(l["painted"] for l in loads)
        zm = br["zoom"]
        fr = zm["frames"]
        steps = ", ".join(
            f"{s['dir']} {s['ms']:.0f} ms (draw {s['draw_ms']:.0f} ms"
            + (f", list {s['list_ms']:.0f} ms" if s.get("list_ms") is not None else "")
            + f", {s['markers']} markers)" for s in zm["steps"] if s.get("draw_ms") is not None)
        lists = zm.get("lists") or {"p50_ms": 0, "max_ms": 0}
        browser_text = f"""
`/carte` in Chromium {br["version"]} (headless, software rendering, 1280×900, not pinned), at
{zb["client"]["points"]:,} points: `bench/map_browser.mjs` opens the page in a fresh context
{len(loads)} times (the server's compact answer kept, sent gzip or br as the browser asks) and reads
static/map.js's performance marks, in ms from the navigation's start; map:painted (the frame
after the one that drew the first clusters) is the first clustered render:

{markdown_table(lhead, lbody)}

Zooming, once the list beside the map is sorted: {len(zm["steps"]) // 2} zooms in with the zoom
button then as many out, every frame timed by `requestAnimationFrame` from each click to the frame
after the new view is drawn: {fr["n"]} frames, p50 {fr["p50_ms"]:.1f} ms, p95 {fr["p95_ms"]:.1f} ms,
max {fr["max_ms"]:.1f} ms ({zm["over_50ms"]} over 50 ms); each view drawn (`map:draw`: clusters
read from supercluster, markers replaced) p50 {zm["draws"]["p50_ms"]:.1f} ms, max
{zm["draws"]["max_ms"]:.1f} ms; the list beside it made again (`map:list`) p50
{lists["p50_ms"]:.1f} ms, max {lists["max_ms"]:.1f} ms. Steps: {steps}.
"""
        goals.append(f"Goal — the first clustered render at {zb['client']['points']:,} points "
                     f"< {MAP_GOAL_RENDER_MS:,.0f} ms: "
                     f"{'**met**' if painted < MAP_GOAL_RENDER_MS else '**NOT MET**'} "
                     f"(median of {len(loads)} loads {painted:.0f} ms).")
    entries = "; ".join(f"{z['client']['points']:,} points and {z['client']['unplaced']:,} "
                        f"records at no known position, of {z['entries']:,} entries" for z in sizes)
    n_req = sizes[0]["client"]["bbox"]["plain"]["n"]
    return f"""
## Map at size

`bench/map.sh`: sites with at least {" and ".join(f"{z['n']:,}" for z in sizes)} points on the map ({entries}): the
search's cached sites topped up by `foison bench-data --entries` until `/api/v1/geo/compact` holds
that many points (generated articles have no position; records of a commune without a centre are
"position inconnue"), cached under `build/bench-map/`, each run on a copy with `rate_searches`
lifted. `foison serve --threads 1` pinned to CPU 0 with `FOISON_GEO_TRACE=1`; `bench/map_client.py`
on CPU 1, one keep-alive connection, sequential requests ({n_req} plain boxes; a fifth as many
compressed). Server p50 / p99: the access log's times, from the request's first byte read to
its last byte sent over loopback (for tens of megabytes, as fast as the client reads them);
client: from the send to the end of the body; build CPU: the thread's CPU time to write the answer
(`FOISON_GEO_TRACE`), without compressing or sending it; server CPU: utime + stime of the process
from `/proc` over the series, divided by its requests (the goals are judged on it: everything the
server does for one answer, and nothing of the time it waits for the client). A box is built for
each request and compressed as it is sent (gzip 5, brotli 4); the compact answer (the map page's
one request) is kept per generation, each coding made once, when first asked for (the p99 of the
kept gzip rows is that first request). The first build after the start also reads the site's file
from the disk. Measured {out.get("date", "?")}, load average {out.get("loadavg", "?")} when this
part began.

{markdown_table(head, body)}
{browser_text}
""" + "\n".join(goals) + "\n"


def document(rows, head, body, goal_line, compressed="", uncached="", writes="", images=""):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    secs, rounds, warm = env("BENCH_SECONDS"), env("BENCH_ROUNDS"), env("BENCH_WARMUP")
    conns, wthreads, threads = env("CONNECTIONS"), env("WRK_THREADS"), env("BENCH_THREADS")
    if env("BENCH_PIN") == "1":
        pin_text = ("Everything on 127.0.0.1; the server under test is pinned to CPU 0 and wrk to "
                    "CPU 1 (`taskset`),\n  so the load generator never takes the server's CPU.")
    else:
        pin_text = ("Everything on 127.0.0.1 on the same machine, so wrk competes with the server "
                    "for the CPUs.")
    return f"""# Performance

This part of the file is written by `make bench` (`bench/run.sh`); do not edit it by hand.
Hand-written notes go below the notes marker line, which the bench keeps.

- Date: {now}
- Machine: {env("BENCH_NPROC")} CPUs ({env("BENCH_CPU")}), Linux {env("BENCH_KERNEL")},
  load average {env("BENCH_LOADAVG")} when the bench started
- Versions: {env("BENCH_NGINX_VERSION")}, {env("BENCH_WRK_VERSION")},
  foison commit {env("BENCH_COMMIT")}

## Method

- A fresh demo site (`foison demo`), with {env("BENCH_HUB_ENTRIES")} more entries from
  `foison bench-data --hub` (dated before the demo's, so the lists' first pages are the demo's),
  served by `foison serve --threads {threads}`, access log to
  `{env("BENCH_FOISON_LOG")}`. Its entry page `{env("BENCH_ENTRY_PATH")}`
  ({env("BENCH_ENTRY_BYTES")} bytes) is fetched once and served as a static file by nginx with
  `worker_processes {threads}`, `sendfile`, `tcp_nopush`, `open_file_cache`, no access log and long
  keep-alive (`bench/nginx.conf.in`). Both bodies are checked to be byte-identical first.
- {pin_text}
  `wrk -t{wthreads} -c{conns} -d{secs}s --latency`, after a {warm} s warm-up per target; {rounds} round(s),
  each round running every target one after the other, so drift in machine load affects
  all of them alike. Every figure is the median over the rounds.
- CPU µs/req: utime+stime of the server (nginx master and workers; the single foison process)
  from `/proc/PID/stat` before and after each run, divided by the requests wrk counted.
- Ratio: the target's req/s divided by nginx's. Errors: wrk socket errors plus non-2xx/3xx
  answers, summed over the rounds.

## Results

{markdown_table(head, body)}

Req/s of each round, to judge the noise: {spread(rows)}.

{goal_line}
{compressed}{images}{uncached}{writes}{saves_section()}{moderation_section()}{agenda_section()}{search_section()}{map_section()}"""


def write_doc(path, generated):
    notes = f"{MARKER}\n\n## Notes\n\n"
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            old = f.read()
        m = re.search(r"^" + re.escape(MARKER) + r"[ \t]*$", old, re.M)
        if m:
            notes = old[m.start():]
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(generated.rstrip("\n") + "\n\n" + notes)
    os.replace(tmp, path)


WRITES = [("entry_writes", "entry page, an actor written once a second")]


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--parse-wrk":
        # For bench/search.sh: one wrk report as JSON.
        print(json.dumps(parse_wrk(sys.argv[2])))
        return 0
    done = ran()
    every = [k for k, _ in TARGETS + COMPRESSED + IMAGES] + [k for k, _, _ in UNCACHED] + [k for k, _ in WRITES]
    if not done >= set(every):
        # A subset (BENCH_TARGETS): the figures of what ran, no document, no goal.
        rows = collect_keys(key for key in every if key in done)
        head = ["target", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "errors"]
        body = [[key, f"{r['rps']:.0f}", fmt_ms(r["p50"]), fmt_ms(r["p99"]),
                 f"{r['cpu_us']:.1f}", str(r["errors"])] for key, r in rows.items()]
        print()
        print(text_table(head, body))
        w = writes_stats()
        if w:
            print()
            print(f"entry_writes: {w['writes']:.0f} writes per run (median {w['median_ms']:.1f} ms "
                  f"each), {w['failed']} failed")
        if "entry" in rows and "entry_writes" in rows:
            print(writes_goal(rows, w)[1].replace("**", ""))
        return 0
    rows = collect()
    head, body = table(rows)
    met, goal_line = goal(rows)
    print()
    print(text_table(head, body))
    print()
    print(goal_line.replace("**", ""))
    crows = collect_compressed()
    chead, cbody = compressed_table(crows)
    cmet, cgoal = compressed_goal(crows)
    print()
    print(text_table(chead, cbody))
    print()
    print(cgoal.replace("**", ""))
    urows = collect_keys(key for key, _, _ in UNCACHED)
    uhead, ubody = uncached_table(urows)
    umet, ugoal = uncached_goal(urows)
    print()
    print(text_table(uhead, ubody))
    print()
    print(ugoal.replace("**", ""))
    wrows = dict(rows, **collect_keys(key for key, _ in WRITES))
    whead, wbody = writes_table(wrows)
    wmet, wgoal = writes_goal(wrows, writes_stats())
    print()
    print(text_table(whead, wbody))
    print()
    print(wgoal.replace("**", ""))
    irows = collect_keys(key for key, _ in IMAGES)
    imet, itext = images_section(irows)
    for line in itext.splitlines():
        if line.startswith("Goal — "):
            print(line.replace("**", ""))
    met = met and cmet and umet and wmet and imet
    # The map's goals, as the document gives them (not counted in BENCH_REQUIRE_GOAL, as the
    # search's are not).
    for line in map_section().splitlines():
        if line.startswith("Goal — "):
            print(line.replace("**", ""))
    doc = env("BENCH_DOC")
    if doc != "-":
        write_doc(doc, document(rows, head, body, goal_line, compressed_section(crows),
                                uncached_section(urows), writes_section(wrows), itext))
        print(f"bench: wrote {doc}")
    if env("BENCH_REQUIRE_GOAL") == "1" and not met:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
