#!/usr/bin/env bash
# bench/moderation.sh — the moderation queue under load and the cost of a login: a fresh demo
# site with BENCH_PENDING pending revisions (10,000 by default) from newcomers, a server pinned
# like the main bench, then BENCH_QUEUE_READS sequential reads of the queue's first page through
# the API (GET /api/v1/moderation/pending, 100 items with their texts), and BENCH_LOGINS logins
# through the real form (argon2id at libsodium's interactive limits). Wall time (median, p95) and
# the server's CPU per request. Writes MODERATION_OUT (JSON) for bench/report.py.
# Called by bench/run.sh; alone: MODERATION_OUT=/tmp/m.json bench/moderation.sh
set -euo pipefail
cd "$(dirname "$0")/.."

FOISON=${FOISON:-build/foison}
BENCH_PENDING=${BENCH_PENDING:-10000}
BENCH_QUEUE_READS=${BENCH_QUEUE_READS:-100}
BENCH_LOGINS=${BENCH_LOGINS:-20}
MODERATION_OUT=${MODERATION_OUT:?MODERATION_OUT: where the JSON goes}
PY=/usr/bin/python3
for v in BENCH_PENDING BENCH_QUEUE_READS BENCH_LOGINS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "moderation: $v must be a positive integer" >&2; exit 1; }
done
if (($(nproc) >= 2)); then SERVER_CPU=(taskset -c 0); else SERVER_CPU=(); fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/foison-moderation.XXXXXX")
pid=""
cleanup() {
    [[ -z $pid ]] || kill "$pid" 2>/dev/null || true
    [[ -z $pid ]] || wait "$pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

"$FOISON" demo "$tmp/site.db" >/dev/null
echo "bench-moderator-password" | "$FOISON" user add "$tmp/site.db" --email mod@example.org \
    --name Modération --role moderator >/dev/null
echo "bench-newcomer-password" | "$FOISON" user add "$tmp/site.db" --email new@example.org \
    --name Nouveau --role contributor >/dev/null
token=$("$FOISON" token create "$tmp/site.db" --email mod@example.org)
# The pending revisions, as newcomers' edits are stored: copies of each record's text under new
# numbers, spread over the demo's records, written in one transaction.
sqlite3 "$tmp/site.db" "
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $BENCH_PENDING),
e AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS c FROM entries)
INSERT INTO revisions (entry_id, number, parent_number, author_id, created, comment, state,
    fields, rendered, card, spam_score, spam_reasons)
SELECT e.id, 100000 + n.i, r.number, (SELECT id FROM users WHERE email = 'new@example.org'),
    r.created + n.i, 'modification en attente', 'pending',
    json_set(r.fields, '\$.summary', 'Résumé en attente numéro ' || n.i), r.rendered, r.card,
    n.i % 60, '[\"formulaire rempli en 3 s (+50)\"]'
FROM n JOIN e ON e.k = n.i % e.c
JOIN entries x ON x.id = e.id JOIN revisions r ON r.entry_id = e.id AND r.number = x.published_rev;"
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${SERVER_CPU[@]}" "$FOISON" serve "$tmp/site.db" --listen "127.0.0.1:$port" --threads 1 \
    --quiet 2>"$tmp/serve.log" &
pid=$!
for i in $(seq 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break
    [[ $i == 100 ]] && { cat "$tmp/serve.log" >&2; echo "moderation: server did not start" >&2; exit 1; }
    sleep 0.1
done
M_PORT=$port M_TOKEN=$token M_PID=$pid M_READS=$BENCH_QUEUE_READS M_LOGINS=$BENCH_LOGINS \
    M_PENDING=$BENCH_PENDING M_TCK=$(getconf CLK_TCK) $PY - >"$MODERATION_OUT" <<'PY'
import http.client, json, os, re, statistics, time, urllib.parse
port, token, pid = int(os.environ["M_PORT"]), os.environ["M_TOKEN"], os.environ["M_PID"]
reads, logins, tck = int(os.environ["M_READS"]), int(os.environ["M_LOGINS"]), int(os.environ["M_TCK"])
def ticks():
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return int(rest[11]) + int(rest[12])
def summary(walls, cpu):
    walls.sort()
    n = len(walls)
    return {"n": n, "median_ms": statistics.median(walls) * 1000,
            "p95_ms": walls[int(0.95 * (n - 1))] * 1000, "cpu_us": cpu / n * 1e6}
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
walls = []
t0 = ticks()
for i in range(reads):
    s = time.perf_counter()
    c.request("GET", "/api/v1/moderation/pending", headers={"Authorization": "Bearer " + token})
    r = c.getresponse()
    body = json.loads(r.read())
    walls.append(time.perf_counter() - s)
    if r.status != 200 or len(body["pending"]) != 100 or body["total"] != int(os.environ["M_PENDING"]):
        raise SystemExit(f"queue answered {r.status}, {len(body.get('pending', []))} items, total {body.get('total')}")
queue = summary(walls, (ticks() - t0) / tck)
# Logins through the form: each a fresh GET /login (csrf cookie and field), then the POST.
walls = []
cpu = 0
for i in range(logins):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("GET", "/login")
    r = c.getresponse()
    page = r.read().decode()
    cookie = "; ".join(h.split(";", 1)[0] for k, h in r.getheaders() if k.lower() == "set-cookie")
    csrf = re.search(r'name="csrf" value="([^"]*)"', page).group(1)
    form = urllib.parse.urlencode({"email": "mod@example.org", "password": "bench-moderator-password",
                                   "csrf": csrf, "next": "/"})
    t1 = ticks()
    s = time.perf_counter()
    c.request("POST", "/login", body=form, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                    "Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"})
    r = c.getresponse()
    r.read()
    walls.append(time.perf_counter() - s)
    cpu += ticks() - t1
    if r.status != 303:
        raise SystemExit(f"login answered {r.status}")
login = summary(walls, cpu / tck)
print(json.dumps({"pending": int(os.environ["M_PENDING"]), "queue": queue, "login": login}))
PY
echo "bench: moderation: $(cat "$MODERATION_OUT")"
