#!/usr/bin/env bash
# bench/map.sh — the open map at size (issue 10). For each N of BENCH_MAP_SIZES:
#  - a site with at least N points on the map: the largest site of bench/search.sh's cache of
#    at most N entries (same KEY), else `foison demo`, topped up by `foison bench-data --entries`
#    until GET /api/v1/geo/compact holds N points or more (about 87 % of generated entries are
#    placed: articles have no position, and records of a commune without a centre are "position
#    inconnue"); made once and cached under build/bench-map/N-KEY/, each run on a copy;
#  - `foison serve --threads 1` pinned to CPU 0, FOISON_GEO_TRACE=1 (each built answer's CPU time
#    on its standard error) and its access log (each request's time from its first byte read to
#    its last byte sent), and bench/map_client.py on CPU 1: one keep-alive connection, sequential
#    requests: the compact answer's first build after the start, the GeoJSON of a box holding
#    every point (built for each request: BENCH_MAP_REQUESTS plain, a fifth as many gzip and br),
#    the kept compact answer (plain, gzip, br), and BENCH_MAP_WRITES times a write through the
#    API followed by the compact answer built again; server times from the access log, client
#    times, bytes, the build's CPU from the trace;
#  - at BENCH_MAP_BROWSER_SIZE points (100000; 0 skips it), /carte in Debian's chromium
#    (bench/map_browser.mjs, not pinned: the browser needs both CPUs as a visitor's would have
#    them): BENCH_MAP_LOADS loads for the time to the first clustered render (static/map.js's
#    performance marks), then BENCH_MAP_ZOOMS zooms in and out for the frames' lengths.
# Writes MAP_OUT (JSON) for bench/report.py. Called by bench/run.sh (after bench/search.sh, whose
# cached sites it starts from); alone:
#   MAP_OUT=/tmp/m.json BENCH_MAP_SIZES="10000 100000" bench/map.sh
# BENCH_MAP_PREPARE=1 only makes the missing cached sites and measures nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

FOISON=${FOISON:-build/foison}
BENCH_MAP_SIZES=${BENCH_MAP_SIZES:-"10000 100000"}
BENCH_MAP_REQUESTS=${BENCH_MAP_REQUESTS:-30}
BENCH_MAP_WRITES=${BENCH_MAP_WRITES:-5}
BENCH_MAP_MAX_SECONDS=${BENCH_MAP_MAX_SECONDS:-30}
BENCH_MAP_BROWSER_SIZE=${BENCH_MAP_BROWSER_SIZE:-100000}
BENCH_MAP_LOADS=${BENCH_MAP_LOADS:-3}
BENCH_MAP_ZOOMS=${BENCH_MAP_ZOOMS:-4}
BENCH_MAP_CACHE=${BENCH_MAP_CACHE:-build/bench-map}
BENCH_SEARCH_CACHE=${BENCH_SEARCH_CACHE:-build/bench-search}
BENCH_MAP_PREPARE=${BENCH_MAP_PREPARE:-0}
if [[ $BENCH_MAP_PREPARE != 1 ]]; then
    MAP_OUT=${MAP_OUT:?MAP_OUT: where the JSON goes}
fi
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
die() {
    echo "map: $*" >&2
    exit 1
}
for v in BENCH_MAP_REQUESTS BENCH_MAP_WRITES BENCH_MAP_MAX_SECONDS BENCH_MAP_LOADS \
    BENCH_MAP_ZOOMS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer"
done
[[ $BENCH_MAP_BROWSER_SIZE =~ ^[0-9]+$ ]] || die "BENCH_MAP_BROWSER_SIZE must be an integer"
for n in $BENCH_MAP_SIZES; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || die "BENCH_MAP_SIZES: '$n' is not a positive integer"
done
[[ -x $FOISON ]] || die "$FOISON not found: run 'make build' first"
command -v sqlite3 >/dev/null || die "sqlite3 not found: run ./scripts/bootstrap"
if ((BENCH_MAP_BROWSER_SIZE > 0)) && [[ $BENCH_MAP_PREPARE != 1 ]]; then
    [[ -x /usr/bin/chromium ]] || die "/usr/bin/chromium not found: run ./scripts/bootstrap"
    [[ -d node_modules/playwright-core ]] || die "node_modules/playwright-core missing: npm ci"
fi
if (($(nproc) >= 2)); then
    SERVER_CPU=(taskset -c 0)
    CLIENT_CPU=(taskset -c 1)
else
    SERVER_CPU=()
    CLIENT_CPU=()
fi

# The same key as bench/search.sh's: the generator, its words, the kinds' schemas and the store's
# tables (so that its cached sites can be started from).
KEY=$(cat src/cli/bench_data.c src/cli/bench_words.c src/core/kinds.c src/store/db.c | sha256sum |
    cut -c1-16)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/foison-map.XXXXXX")
pid=""
gen_dir=""
stop_server() {
    [[ -z $pid ]] || kill "$pid" 2>/dev/null || true
    [[ -z $pid ]] || wait "$pid" 2>/dev/null || true
    pid=""
}
cleanup() {
    stop_server
    [[ -z $gen_dir ]] || rm -rf "$gen_dir"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_server() { # start_server SITE LOG [CPU...]: sets pid and port; the access log into LOG
    local site=$1 log=$2
    shift 2
    port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    FOISON_GEO_TRACE=1 "$@" "$FOISON" serve "$site" --listen "127.0.0.1:$port" --threads 1 \
        --max-per-ip 4096 2>"$log" &
    pid=$!
    # A site made by an older program fills its derived data at startup: up to ten minutes.
    for _ in $(seq 6000); do
        kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "the server exited at startup"; }
        curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && return 0
        sleep 0.1
    done
    die "the server did not answer /healthz"
}

count_points() { # count_points SITE: the points of its map, as GET /api/v1/geo/compact gives them
    start_server "$1" "$tmp/count.log"
    curl -fsS --max-time 300 -o "$tmp/count.json" "http://127.0.0.1:$port/api/v1/geo/compact" ||
        die "GET /api/v1/geo/compact failed on $1"
    stop_server
    $PY -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["points"]))' "$tmp/count.json"
}

seed_site() { # seed_site N: the largest search site of at most N entries, or nothing
    local best=0 d m
    for d in "$BENCH_SEARCH_CACHE"/*-"$KEY"; do
        [[ -f $d/site.db ]] || continue
        m=${d##*/}
        m=${m%%-*}
        [[ $m =~ ^[0-9]+$ ]] && ((m <= $1 && m > best)) && best=$m
    done
    ((best > 0)) && echo "$BENCH_SEARCH_CACHE/$best-$KEY/site.db"
    return 0
}

site_cached() { # site_cached N: the cached site with N points or more, made first if missing
    local n=$1 dir="$BENCH_MAP_CACHE/$1-$KEY" seed points add round ratio before
    if [[ ! -f $dir/site.db ]]; then
        gen_dir="$dir.tmp.$$"
        rm -rf "$gen_dir"
        mkdir -p "$gen_dir"
        seed=$(seed_site "$n")
        if [[ -n $seed ]]; then
            echo "map: a site of $n points into $dir, from $seed" >&2
            cp "$seed" "$gen_dir/site.db"
        else
            echo "map: a site of $n points into $dir, from the demo" >&2
            "$FOISON" demo "$gen_dir/site.db" >"$gen_dir/demo.log" 2>&1 ||
                { cat "$gen_dir/demo.log" >&2; die "'$FOISON demo' failed"; }
        fi
        # Generated entries per point: about 1.15 at first, then what the last round gave.
        ratio=1.15
        before=""
        for round in 1 2 3 4 5 6; do
            points=$(count_points "$gen_dir/site.db")
            if [[ -n $before ]] && ((points > before)); then
                ratio=$($PY -c 'import sys; print(int(sys.argv[1]) / int(sys.argv[2]))' "$add" \
                    $((points - before)))
            fi
            ((points >= n)) && break
            # 1 % more than the ratio asks: a second round is then rare.
            add=$($PY -c 'import math, sys; print(max(20, math.ceil((int(sys.argv[1]) - int(sys.argv[2]))
                * float(sys.argv[3]) * 1.01)))' "$n" "$points" "$ratio")
            before=$points
            echo "map: $n: $points points, $add more entries" >&2
            # Another seed each round: the same generator would write the same texts again.
            "$FOISON" bench-data "$gen_dir/site.db" --entries "$add" --seed $((n + round)) \
                >>"$gen_dir/bench-data.log" || die "'$FOISON bench-data' failed"
        done
        ((points >= n)) || die "$n: only $points points after six rounds of bench-data"
        echo "$points" >"$gen_dir/points"
        rm -rf "$gen_dir"/site.db-courriels
        mv "$gen_dir" "$dir"
        gen_dir=""
    fi
    echo "$dir"
}

mkdir -p "$tmp/sizes"
# Read before the measures (the sites may take minutes to make first): this part's own load.
MAP_LOADAVG=""
if [[ $BENCH_MAP_PREPARE == 1 ]]; then
    for n in $BENCH_MAP_SIZES; do
        echo "map: $n points: $(site_cached "$n")"
    done
    exit 0
fi
password="map: un mot de passe assez long"
for n in $BENCH_MAP_SIZES; do
    dir=$(site_cached "$n")
    [[ -n $MAP_LOADAVG ]] || MAP_LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
    work="$tmp/$n"
    mkdir -p "$work"
    cp "$dir/site.db" "$work/"
    site="$work/site.db"
    # One address asking for whole-map boxes (each counts as a search per 5,000 features): the
    # site's limit per address is lifted on the copy.
    "$FOISON" config "$site" rate_searches 0 >/dev/null || die "foison config failed at $n"
    # The writes' account: trusted, so that its edits are published at once.
    printf '%s\n' "$password" | "$FOISON" user add "$site" --email map@example.org \
        --name "Banc de la carte" --role trusted >"$work/user.log" 2>&1 ||
        { cat "$work/user.log" >&2; die "'$FOISON user add' failed at $n"; }
    token=$("$FOISON" token create "$site" --email map@example.org)
    entries=$(sqlite3 -cmd ".timeout 10000" "$site" "SELECT count(*) FROM entries")

    start_server "$site" "$work/serve.log" "${SERVER_CPU[@]}"
    "${CLIENT_CPU[@]}" $PY bench/map_client.py "$port" "$pid" "$token" "$BENCH_MAP_REQUESTS" \
        "$BENCH_MAP_WRITES" "$BENCH_MAP_MAX_SECONDS" >"$work/client.json" ||
        die "the map client failed at $n"
    if ((n == BENCH_MAP_BROWSER_SIZE)); then
        echo "map: $n: /carte in chromium" >&2
        timeout 600 node bench/map_browser.mjs "http://127.0.0.1:$port" "$BENCH_MAP_LOADS" \
            "$BENCH_MAP_ZOOMS" >"$work/browser.json" || die "the browser part failed at $n"
    fi
    stop_server # its access log is flushed as it ends

    M_N=$n M_ENTRIES=$entries M_WORK=$work $PY - >"$tmp/sizes/$n.json" <<'PY'
import json, os, re, statistics
work = os.environ["M_WORK"]
with open(os.path.join(work, "client.json"), encoding="utf-8") as f:
    client = json.load(f)
with open(os.path.join(work, "serve.log"), encoding="utf-8", errors="replace") as f:
    log = f.read().splitlines()
# "… GET /api/v1/geo/compact 200 177765us" and "geo: 86817 features, 49412495 bytes, 192.2 ms"
served = [int(m.group(1)) / 1000 for m in
          (re.search(r" GET /api/v1/geo(?:/compact)? 200 (\d+)us$", l) for l in log) if m]
built_geo = [float(m.group(1)) for m in (re.match(r"geo: \d+ features, \d+ bytes, ([0-9.]+) ms$", l)
                                          for l in log) if m]
built_compact = [float(m.group(1)) for m in
                 (re.match(r"geo compact: \d+ points, \d+ unplaced, \d+ bytes, ([0-9.]+) ms$", l)
                  for l in log) if m]
seq = client.pop("sequence")
if len(served) < len(seq):
    raise SystemExit(f"map: the access log has {len(served)} map requests, the client sent {len(seq)}")
bbox_labels = [s for s in seq if s.startswith("bbox")]
compact_built = [s for s in seq if s in ("compact_first", "compact_write")]
if len(built_geo) < len(bbox_labels) or len(built_compact) < len(compact_built):
    raise SystemExit("map: fewer FOISON_GEO_TRACE lines than answers built")


def stats(values):
    s = sorted(values)
    if not s:
        return None
    return {"n": len(s), "p50_ms": statistics.median(s),
            "p99_ms": s[min(len(s) - 1, int(round(0.99 * (len(s) - 1))))], "max_ms": s[-1]}


server = {}
for label in sorted(set(seq)):
    server[label] = stats([t for t, s in zip(served, seq) if s == label])
build = {}
for label in sorted(set(bbox_labels)):
    build[label] = stats([t for t, s in zip(built_geo, bbox_labels) if s == label])
for label in sorted(set(compact_built)):
    build[label] = stats([t for t, s in zip(built_compact, compact_built) if s == label])
browser = None
path = os.path.join(work, "browser.json")
if os.path.exists(path):
    with open(path, encoding="utf-8") as f:
        browser = json.load(f)
print(json.dumps({"n": int(os.environ["M_N"]), "entries": int(os.environ["M_ENTRIES"]),
                  "client": client, "server": server, "build": build, "browser": browser}))
PY
    echo "map: $n: $(head -c 600 "$tmp/sizes/$n.json")…" >&2
    rm -f "$work"/site.db*
done
# shellcheck disable=SC2086 # one argument per size
M_LOADAVG=$MAP_LOADAVG $PY - "$tmp/sizes" $BENCH_MAP_SIZES >"$MAP_OUT" <<'PY'
import datetime, json, os, sys
print(json.dumps({"sizes": [json.load(open(os.path.join(sys.argv[1], f"{n}.json"), encoding="utf-8"))
                            for n in sys.argv[2:]],
                  "loadavg": os.environ["M_LOADAVG"],
                  "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}))
PY
# The goals, as docs/PERFORMANCE.md will give them.
mkdir -p "$tmp/results"
cp "$MAP_OUT" "$tmp/results/map.json"
BENCH_RESULTS="$tmp/results" $PY -c '
import sys
sys.path.insert(0, "bench")
import report
for line in report.map_section().splitlines():
    if line.startswith("Goal — "):
        print("map: " + line.replace("**", ""))' >&2
