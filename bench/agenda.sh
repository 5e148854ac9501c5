#!/usr/bin/env bash
# bench/agenda.sh — the agenda at size: a fresh demo site with BENCH_EVENTS generated events (a
# tenth of them weekly series) from `foison bench-data --events`, a server pinned like the main
# bench, then
#  - BENCH_AGENDA_READS sequential reads of /agenda's month view for the current month, signed
#    in (so that each one is built, never served from the page cache that the public gets),
#    without and with a theme filter: wall time (median, p95) and the server's CPU per request;
#  - the whole /agenda.ics feed, streamed: its size, its time, and the growth of the server's
#    peak resident memory (VmHWM) while it is sent, against the size of the feed;
#  - BENCH_REGISTRATIONS guest registrations in a row, one connection kept alive, to one event
#    with BENCH_SEATS seats (its waiting list holds the rest): registrations a second, and the
#    organiser's list checked afterwards (exactly BENCH_SEATS registered, the rest waiting, in
#    order). Each registration is a write transaction at the site's durability (FULL) that also
#    queues its confirmation mail with the .ics.
# Writes AGENDA_OUT (JSON) for bench/report.py. Called by bench/run.sh; alone:
# AGENDA_OUT=/tmp/a.json bench/agenda.sh
set -euo pipefail
cd "$(dirname "$0")/.."

FOISON=${FOISON:-build/foison}
BENCH_EVENTS=${BENCH_EVENTS:-10000}
BENCH_AGENDA_READS=${BENCH_AGENDA_READS:-200}
BENCH_REGISTRATIONS=${BENCH_REGISTRATIONS:-1000}
BENCH_SEATS=${BENCH_SEATS:-200}
AGENDA_OUT=${AGENDA_OUT:?AGENDA_OUT: where the JSON goes}
PY=/usr/bin/python3
for v in BENCH_EVENTS BENCH_AGENDA_READS BENCH_REGISTRATIONS BENCH_SEATS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "agenda: $v must be a positive integer" >&2; exit 1; }
done
if (($(nproc) >= 2)); then SERVER_CPU=(taskset -c 0); else SERVER_CPU=(); fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/foison-agenda.XXXXXX")
pid=""
cleanup() {
    [[ -z $pid ]] || kill "$pid" 2>/dev/null || true
    [[ -z $pid ]] || wait "$pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

"$FOISON" demo "$tmp/site.db" >/dev/null
"$FOISON" bench-data "$tmp/site.db" --events "$BENCH_EVENTS" >"$tmp/bench-data.log" 2>&1 ||
    { cat "$tmp/bench-data.log" >&2; echo "agenda: bench-data failed" >&2; exit 1; }
echo "bench: agenda: $(head -n 1 "$tmp/bench-data.log")"
echo "bench-organiser-password" | "$FOISON" user add "$tmp/site.db" --email org@example.org \
    --name Organisation --role trusted >/dev/null
token=$("$FOISON" token create "$tmp/site.db" --email org@example.org)
# One client address makes every registration: its hourly limit of guests is lifted.
"$FOISON" config "$tmp/site.db" rate_registrations 0 >/dev/null
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${SERVER_CPU[@]}" "$FOISON" serve "$tmp/site.db" --listen "127.0.0.1:$port" --threads 1 \
    --quiet 2>"$tmp/serve.log" &
pid=$!
for i in $(seq 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break
    [[ $i == 100 ]] && { cat "$tmp/serve.log" >&2; echo "agenda: server did not start" >&2; exit 1; }
    sleep 0.1
done
A_PORT=$port A_TOKEN=$token A_PID=$pid A_READS=$BENCH_AGENDA_READS A_EVENTS=$BENCH_EVENTS \
    A_REGS=$BENCH_REGISTRATIONS A_SEATS=$BENCH_SEATS A_TCK=$(getconf CLK_TCK) \
    $PY - >"$AGENDA_OUT" <<'PY'
import datetime, http.client, json, os, re, statistics, time, urllib.parse
port, token, pid = int(os.environ["A_PORT"]), os.environ["A_TOKEN"], os.environ["A_PID"]
reads, tck = int(os.environ["A_READS"]), int(os.environ["A_TCK"])
regs, seats = int(os.environ["A_REGS"]), int(os.environ["A_SEATS"])
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
def summary(walls, cpu):
    walls.sort()
    n = len(walls)
    return {"n": n, "median_ms": statistics.median(walls) * 1000,
            "p95_ms": walls[int(0.95 * (n - 1))] * 1000, "cpu_us": cpu / n * 1e6}
c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
month = datetime.date.today().strftime("%Y-%m")
# A session through the real login form: signed-in pages are never the public's cached copy.
c.request("GET", "/login")
r = c.getresponse()
page = r.read().decode()
cookie = "; ".join(h.split(";", 1)[0] for k, h in r.getheaders() if k.lower() == "set-cookie")
csrf = re.search(r'name="csrf" value="([^"]*)"', page).group(1)
form = urllib.parse.urlencode({"email": "org@example.org", "password": "bench-organiser-password",
                               "csrf": csrf, "next": "/"})
c.request("POST", "/login", body=form, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                "Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"})
r = c.getresponse()
r.read()
session = "; ".join(h.split(";", 1)[0] for k, h in r.getheaders() if k.lower() == "set-cookie")
if r.status != 303 or "foison_session" not in session:
    raise SystemExit(f"login answered {r.status}")
def get(path, headers={}):
    c.request("GET", path, headers=headers)
    r = c.getresponse()
    return r.status, r.read()
def get_signed(path):
    return get(path, {"Cookie": session})
def month_reads(path):
    status, body = get_signed(path)
    if b'action="/logout"' not in body:
        raise SystemExit(f"{path} is not answered signed in")
    cards = body.count(b'event-card')
    if status != 200 or cards == 0:
        raise SystemExit(f"{path} answered {status} with {cards} occurrences")
    walls = []
    t0 = ticks()
    for i in range(reads):
        s = time.perf_counter()
        status, body = get_signed(path)
        walls.append(time.perf_counter() - s)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
    out = summary(walls, (ticks() - t0) / tck)
    out["occurrences"] = cards
    out["bytes"] = len(body)
    return out
month_all = month_reads(f"/agenda?vue=mois&mois={month}")
# A theme every generated event may have.
status, body = get("/api/v1/entries?kind=event")
facets = json.loads(body).get("facets", {}).get("theme", {})
theme = max(facets, key=facets.get) if facets else "numerique"
month_theme = month_reads(f"/agenda?vue=mois&mois={month}&theme={theme}")
month_theme["theme"] = theme
# The feed: the server's peak memory before and after it is sent.
hwm0 = status_kb("VmHWM")
s = time.perf_counter()
status, body = get("/agenda.ics")
feed_s = time.perf_counter() - s
hwm1 = status_kb("VmHWM")
if status != 200 or not body.startswith(b"BEGIN:VCALENDAR"):
    raise SystemExit(f"/agenda.ics answered {status}")
feed = {"bytes": len(body), "vevents": body.count(b"BEGIN:VEVENT"), "seconds": feed_s,
        "hwm_before_kb": hwm0, "hwm_after_kb": hwm1, "rss_kb": status_kb("VmRSS")}
# Registrations: one event with seats, then guests one after another.
start = (datetime.datetime.now() + datetime.timedelta(days=14)).strftime("%Y-%m-%dT18:00")
end = (datetime.datetime.now() + datetime.timedelta(days=14)).strftime("%Y-%m-%dT20:00")
event = {"kind": "event", "title": "Banc d'essai des inscriptions", "summary": "Mille inscrits.",
         "start": start, "end": end, "registration": "site", "capacity": seats,
         "address": {"commune": "29019"}}
auth = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
c.request("POST", "/api/v1/entries", body=json.dumps(event), headers=auth)
r = c.getresponse()
created = json.loads(r.read())
if r.status != 201:
    raise SystemExit(f"event creation answered {r.status}: {created}")
slug = created["slug"]
states = {}
t0 = ticks()
s = time.perf_counter()
for i in range(regs):
    c.request("POST", f"/api/v1/entries/{slug}/registrations",
              body=json.dumps({"name": f"Invité {i}", "email": f"invite{i}@example.org"}),
              headers={"Content-Type": "application/json"})
    r = c.getresponse()
    answer = json.loads(r.read())
    if r.status != 201:
        raise SystemExit(f"registration {i} answered {r.status}: {answer}")
    states[answer["state"]] = states.get(answer["state"], 0) + 1
reg_s = time.perf_counter() - s
reg_cpu = (ticks() - t0) / tck
status, body = get(f"/api/v1/entries/{slug}/registrations", {"Authorization": "Bearer " + token})
listed = json.loads(body)
items = listed.get("registrations", [])
registered = [x for x in items if x.get("state") == "registered"]
waiting = [x for x in items if x.get("state") == "waiting"]
overbooked = len(registered) > seats
in_order = [x["id"] for x in waiting] == sorted(x["id"] for x in waiting)
if status != 200 or overbooked or len(registered) != min(seats, regs) or not in_order:
    raise SystemExit(f"registrations list: {status}, {len(registered)} registered, "
                     f"{len(waiting)} waiting, in order: {in_order}")
print(json.dumps({"events": int(os.environ["A_EVENTS"]), "month": month, "month_all": month_all,
                  "month_theme": month_theme, "feed": feed,
                  "registrations": {"n": regs, "seats": seats, "seconds": reg_s,
                                    "per_second": regs / reg_s, "cpu_us": reg_cpu / regs * 1e6,
                                    "answered": states, "registered": len(registered),
                                    "waiting": len(waiting), "in_order": in_order}}))
PY
echo "bench: agenda: $(cat "$AGENDA_OUT")"
