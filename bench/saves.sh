#!/usr/bin/env bash
# bench/saves.sh — the cost of one acknowledged save, with synchronous=FULL (the default: a save
# answered 200 survives a power loss) and with NORMAL, on a fresh demo site. Each mode: a server
# pinned like the main bench, BENCH_SAVES sequential PUTs through the API on one keep-alive
# connection (each a new revision, so each a transaction with its fsyncs), wall time per save
# (median, p95) and the server's CPU per save. Writes SAVES_OUT (JSON) for bench/report.py.
# Called by bench/run.sh; alone: SAVES_OUT=/tmp/s.json bench/saves.sh
set -euo pipefail
cd "$(dirname "$0")/.."

FOISON=${FOISON:-build/foison}
BENCH_SAVES=${BENCH_SAVES:-300}
SAVES_OUT=${SAVES_OUT:?SAVES_OUT: where the JSON goes}
PY=/usr/bin/python3
[[ $BENCH_SAVES =~ ^[1-9][0-9]*$ ]] || { echo "saves: BENCH_SAVES must be a positive integer" >&2; exit 1; }
if (($(nproc) >= 2)); then SERVER_CPU=(taskset -c 0); else SERVER_CPU=(); fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/foison-saves.XXXXXX")
pid=""
cleanup() {
    [[ -z $pid ]] || kill "$pid" 2>/dev/null || true
    [[ -z $pid ]] || wait "$pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

# On the same file system as the main bench's site: fsync costs what the disk makes it cost.
"$FOISON" demo "$tmp/site.db" >/dev/null
echo "bench-saves-password" | "$FOISON" user add "$tmp/site.db" --email bench@example.org \
    --name Bench --role trusted >/dev/null
token=$("$FOISON" token create "$tmp/site.db" --email bench@example.org)
# Saves one after the other as fast as they go: far more than a person's 90 a minute, so the
# account's rate limit (rate_edits) is lifted for the bench.
"$FOISON" config "$tmp/site.db" rate_edits 0 >/dev/null
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

echo "{" >"$SAVES_OUT"
first=1
for mode in FULL NORMAL; do
    "$FOISON" config "$tmp/site.db" synchronous "$mode" >/dev/null
    "${SERVER_CPU[@]}" "$FOISON" serve "$tmp/site.db" --listen "127.0.0.1:$port" --threads 1 \
        --quiet 2>"$tmp/serve.log" &
    pid=$!
    for i in $(seq 100); do
        curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break
        [[ $i == 100 ]] && { cat "$tmp/serve.log" >&2; echo "saves: server did not start" >&2; exit 1; }
        sleep 0.1
    done
    [[ $first == 1 ]] || echo "," >>"$SAVES_OUT"
    first=0
    printf '"%s": ' "$mode" >>"$SAVES_OUT"
    SAVES_PORT=$port SAVES_TOKEN=$token SAVES_N=$BENCH_SAVES SAVES_PID=$pid \
        SAVES_TCK=$(getconf CLK_TCK) $PY - >"$tmp/mode.json" <<'PY'
import http.client, json, os, statistics, time
port, token, n, pid = int(os.environ["SAVES_PORT"]), os.environ["SAVES_TOKEN"], int(os.environ["SAVES_N"]), os.environ["SAVES_PID"]
tck = int(os.environ["SAVES_TCK"])
def ticks():
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return int(rest[11]) + int(rest[12])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
def call(method, path, body=None):
    headers = {"Authorization": "Bearer " + token}
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body)
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    return r.status, json.loads(data) if data else None
st, lst = call("GET", "/api/v1/entries?kind=innovation")
assert st == 200, st
slug = lst["entries"][0]["slug"]
st, e = call("GET", f"/api/v1/entries/{slug}")
rev = e["revision"]
walls = []
t0 = ticks()
for i in range(n):
    s = time.perf_counter()
    st, r = call("PUT", f"/api/v1/entries/{slug}", {"base_revision": rev, "summary": f"Résumé mesuré numéro {i} pour le banc d'essai des enregistrements."})
    walls.append(time.perf_counter() - s)
    if st != 200:
        raise SystemExit(f"PUT answered {st}: {r}")
    rev = r["revision"]
cpu = (ticks() - t0) / tck
walls.sort()
print(json.dumps({"saves": n, "median_ms": statistics.median(walls) * 1000,
                  "p95_ms": walls[int(0.95 * (n - 1))] * 1000,
                  "saves_per_s": n / sum(walls), "cpu_us": cpu / n * 1e6}))
PY
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=""
    cat "$tmp/mode.json" >>"$SAVES_OUT"
    echo "bench: saves with synchronous=$mode: $(cat "$tmp/mode.json")"
done
echo "}" >>"$SAVES_OUT"
