#!/usr/bin/env bash
# bench/search.sh — full-text search at size (issue 9). For each N of BENCH_SEARCH_SIZES:
#  - a site of N entries: `foison demo` plus `foison bench-data --entries N-demo`, generated once
#    and cached under build/bench-search/N-KEY/ (KEY: a hash of the generator's and the schema's
#    sources, so that a change to them makes a new site); each run works on a copy in a temp dir,
#    never on the cache;
#  - the index build: `foison reindex COPY --search` on BENCH_SEARCH_BUILD_CPUS (default "all":
#    both CPUs, nothing else runs then, and the rebuild's helper thread prepares the documents
#    on one while the other writes the index; "0" pins it to the server's CPU, where it runs on
#    one thread as it did before), its rate as it prints it, and the index's size: the pages of
#    the FTS5 shadow tables (dbstat);
#  - the baseline: the same texts (search_fts_content's columns, readable without our tokenizer)
#    in an FTS5 table of SQLite's plain `unicode61 remove_diacritics 2` tokenizer in a scratch
#    file, its build rate and size, and the text queries below as plain MATCH, bm25 ORDER BY rank
#    LIMIT 20 and count(*), in process (bench/search_base.py);
#  - the server: `foison serve --threads 1` pinned like agenda.sh, and a client of our own
#    (bench/search_client.py) on the other CPU, one keep-alive connection, sequential requests
#    cycling over a fixed list of /api/v1/search URLs per category (one word, two words, a phrase,
#    with facet filters), BENCH_SEARCH_REQUESTS each (BENCH_SEARCH_MAX_SECONDS at most): p50, p99, the server's CPU per request, and
#    its VmRSS and VmHWM afterwards; then wrk with a Lua script cycling over every URL at
#    BENCH_SEARCH_WRK_CONNECTIONS connections against a server with its default threads, for the
#    throughput (BENCH_SEARCH_WRK_SECONDS; 0 skips it).
# Writes SEARCH_OUT (JSON) for bench/report.py. Called by bench/run.sh; alone:
# SEARCH_OUT=/tmp/s.json BENCH_SEARCH_SIZES="1000 100000" bench/search.sh
# BENCH_SEARCH_PREPARE=1 only makes the missing cached sites (the million takes about 20 minutes
# of one CPU) and measures nothing: SEARCH_OUT is then not needed.
set -euo pipefail
cd "$(dirname "$0")/.."

FOISON=${FOISON:-build/foison}
BENCH_SEARCH_SIZES=${BENCH_SEARCH_SIZES:-"1000 100000 1000000"}
BENCH_SEARCH_REQUESTS=${BENCH_SEARCH_REQUESTS:-300}
BENCH_SEARCH_BASE_REQUESTS=${BENCH_SEARCH_BASE_REQUESTS:-100}
# A category stops early once it has taken this long (after one pass over its queries), so that
# a slow size cannot hold the bench for hours: its figures then count fewer requests.
BENCH_SEARCH_MAX_SECONDS=${BENCH_SEARCH_MAX_SECONDS:-60}
BENCH_SEARCH_WRK_SECONDS=${BENCH_SEARCH_WRK_SECONDS:-10}
BENCH_SEARCH_WRK_CONNECTIONS=${BENCH_SEARCH_WRK_CONNECTIONS:-4}
BENCH_SEARCH_CACHE=${BENCH_SEARCH_CACHE:-build/bench-search}
BENCH_SEARCH_PREPARE=${BENCH_SEARCH_PREPARE:-0}
BENCH_SEARCH_BUILD_CPUS=${BENCH_SEARCH_BUILD_CPUS:-all}
if [[ $BENCH_SEARCH_PREPARE != 1 ]]; then
    SEARCH_OUT=${SEARCH_OUT:?SEARCH_OUT: where the JSON goes}
fi
PY=/usr/bin/python3
# search_client.py and search_base.py import search_queries.py: no __pycache__ left in bench/.
export PYTHONDONTWRITEBYTECODE=1
die() {
    echo "search: $*" >&2
    exit 1
}
for v in BENCH_SEARCH_REQUESTS BENCH_SEARCH_BASE_REQUESTS BENCH_SEARCH_WRK_CONNECTIONS \
    BENCH_SEARCH_MAX_SECONDS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer"
done
[[ $BENCH_SEARCH_WRK_SECONDS =~ ^[0-9]+$ ]] || die "BENCH_SEARCH_WRK_SECONDS must be an integer"
[[ $BENCH_SEARCH_BUILD_CPUS == all || $BENCH_SEARCH_BUILD_CPUS =~ ^[0-9]+([,-][0-9]+)*$ ]] ||
    die "BENCH_SEARCH_BUILD_CPUS must be 'all' or a CPU list for taskset -c (0, 0,1, 0-1)"
for n in $BENCH_SEARCH_SIZES; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || die "BENCH_SEARCH_SIZES: '$n' is not a positive integer"
done
[[ -x $FOISON ]] || die "$FOISON not found: run 'make build' first"
command -v sqlite3 >/dev/null || die "sqlite3 not found: run ./scripts/bootstrap"
if ((BENCH_SEARCH_WRK_SECONDS > 0)); then
    command -v wrk >/dev/null || die "wrk not found: run ./scripts/bootstrap"
fi
if (($(nproc) >= 2)); then
    SERVER_CPU=(taskset -c 0)
    CLIENT_CPU=(taskset -c 1)
else
    SERVER_CPU=()
    CLIENT_CPU=()
fi
BUILD_CPU=()
[[ $BENCH_SEARCH_BUILD_CPUS == all ]] || BUILD_CPU=(taskset -c "$BENCH_SEARCH_BUILD_CPUS")

# The generated sites depend on the generator, its words, the kinds' schemas and the store's
# tables: a change to any of them makes a new cached site (old ones are left; rm -r the folder).
KEY=$(cat src/cli/bench_data.c src/cli/bench_words.c src/core/kinds.c src/store/db.c | sha256sum |
    cut -c1-16)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/foison-search.XXXXXX")
pid=""
gen_dir=""
stop_server() {
    [[ -z $pid ]] || kill "$pid" 2>/dev/null || true
    [[ -z $pid ]] || wait "$pid" 2>/dev/null || true
    pid=""
}
cleanup() {
    stop_server
    # A generation cut short leaves no half-made site in the cache.
    [[ -z $gen_dir ]] || rm -rf "$gen_dir"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

site_cached() { # site_cached N: the cached site of N entries, made first if missing (its path)
    local n=$1 dir="$BENCH_SEARCH_CACHE/$1-$KEY" demo
    if [[ ! -f $dir/site.db ]]; then
        gen_dir="$dir.tmp.$$"
        rm -rf "$gen_dir"
        mkdir -p "$gen_dir"
        echo "search: generating a site of $n entries into $dir (cached for later runs)" >&2
        "$FOISON" demo "$gen_dir/site.db" >"$gen_dir/demo.log" 2>&1 ||
            { cat "$gen_dir/demo.log" >&2; die "'$FOISON demo' failed"; }
        demo=$(sqlite3 -cmd ".timeout 10000" "$gen_dir/site.db" "SELECT count(*) FROM entries")
        if ((n > demo)); then
            # On a terminal, bench-data's progress bar shows on stderr.
            "$FOISON" bench-data "$gen_dir/site.db" --entries $((n - demo)) >"$gen_dir/bench-data.log" ||
                die "'$FOISON bench-data' failed"
        fi
        mv "$gen_dir" "$dir"
        gen_dir=""
    fi
    echo "$dir"
}

start_server() { # start_server SITE THREADS [CPU...]: sets pid and port
    local site=$1 threads=$2
    shift 2
    port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$@" "$FOISON" serve "$site" --listen "127.0.0.1:$port" --threads "$threads" \
        --max-per-ip 4096 --quiet 2>"$tmp/serve.log" &
    pid=$!
    # A large site may check its derived data at startup: up to ten minutes.
    for _ in $(seq 6000); do
        kill -0 "$pid" 2>/dev/null || { cat "$tmp/serve.log" >&2; die "the server exited at startup"; }
        curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && return 0
        sleep 0.1
    done
    die "the server did not answer /healthz"
}

mkdir -p "$tmp/sizes"
if [[ $BENCH_SEARCH_PREPARE == 1 ]]; then
    for n in $BENCH_SEARCH_SIZES; do
        echo "search: $n entries: $(site_cached "$n")"
    done
    exit 0
fi
for n in $BENCH_SEARCH_SIZES; do
    dir=$(site_cached "$n")
    work="$tmp/$n"
    mkdir -p "$work"
    cp "$dir"/site.db* "$work/"
    site="$work/site.db"
    # The client is one address asking thousands of searches a minute: the site's limit per
    # address (rate_searches) is lifted on the copy.
    "$FOISON" config "$site" rate_searches 0 >/dev/null || die "foison config failed at $n"
    entries=$(sqlite3 -cmd ".timeout 10000" "$site" "SELECT count(*) FROM entries")
    site_bytes=$(stat -c %s "$site")

    # --- the index build -------------------------------------------------------------------
    # Its CPU time too (bash's time: wall, user, system): on a shared machine the wall-clock rate
    # it prints also counts the time it waited for a CPU or the disk.
    if ! (
        TIMEFORMAT='%R %U %S'
        time "${BUILD_CPU[@]}" "$FOISON" reindex "$site" --search >"$work/reindex.log" 2>&1
    ) 2>"$work/reindex.time"; then
        cat "$work/reindex.log" "$work/reindex.time" >&2
        die "'$FOISON reindex --search' failed at $n"
    fi
    echo "search: $n: $(tail -n 1 "$work/reindex.log")"
    # The shadow tables of search_fts, with any index of theirs. search_docs (the facets' terms) and search_words (the typo vocabulary) are
    # the engine's too, counted apart.
    sqlite3 -cmd ".timeout 10000" -separator ' ' "$site" "
        SELECT
          (SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN (SELECT name FROM
             sqlite_schema WHERE tbl_name IN ('search_fts_data', 'search_fts_idx',
             'search_fts_content', 'search_fts_docsize', 'search_fts_config'))),
          (SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = 'search_fts_content'),
          (SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN (SELECT name FROM
             sqlite_schema WHERE tbl_name IN ('search_docs', 'search_words')))" \
        >"$work/size" 2>"$work/size.err" ||
        { cat "$work/size.err" >&2; die "dbstat failed at $n (sqlite3 without dbstat?)"; }
    read -r fts_bytes content_bytes aux_bytes <"$work/size"

    # --- the baseline: SQLite's unicode61 on the same texts ----------------------------------
    "${SERVER_CPU[@]}" $PY bench/search_base.py "$site" "$work/base.db" "$BENCH_SEARCH_BASE_REQUESTS" \
        "$BENCH_SEARCH_MAX_SECONDS" >"$work/base.json" || die "the unicode61 baseline failed at $n"

    # --- the server, one thread, pinned; our sequential client on the other CPU -----------------
    start_server "$site" 1 "${SERVER_CPU[@]}"
    "${CLIENT_CPU[@]}" $PY bench/search_client.py "$port" "$pid" "$BENCH_SEARCH_REQUESTS" \
        "$(getconf CLK_TCK)" "$work/urls" "$BENCH_SEARCH_MAX_SECONDS" >"$work/client.json" || die "the search client failed at $n"
    stop_server

    # --- throughput: wrk over every URL, the server with its default threads -------------------
    wrk_json=null
    if ((BENCH_SEARCH_WRK_SECONDS > 0)); then
        start_server "$site" "$(nproc)"
        $PY - "$work/urls" >"$work/urls.lua" <<'PY'
import json, sys
urls = [line.rstrip("\n") for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
print("local paths = {" + ", ".join(json.dumps(u) for u in urls) + "}")
print("""local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end""")
PY
        # One warm pass loads the server's facet cache before the clock runs.
        curl -fsS -o /dev/null "http://127.0.0.1:$port$(head -n 1 "$work/urls")"
        timeout $((BENCH_SEARCH_WRK_SECONDS + 120)) wrk -t1 -c"$BENCH_SEARCH_WRK_CONNECTIONS" \
            -d"${BENCH_SEARCH_WRK_SECONDS}s" --timeout 30s --latency -s "$work/urls.lua" \
            "http://127.0.0.1:$port" >"$work/wrk.txt" || die "wrk failed at $n"
        wrk_json=$($PY bench/report.py --parse-wrk "$work/wrk.txt")
        stop_server
    fi

    S_N=$n S_ENTRIES=$entries S_SITE_BYTES=$site_bytes S_FTS=$fts_bytes S_CONTENT=$content_bytes \
        S_AUX=$aux_bytes S_WRK=$wrk_json S_WRK_C=$BENCH_SEARCH_WRK_CONNECTIONS S_WORK=$work \
        S_THREADS=$(nproc) S_BUILD_CPUS=$BENCH_SEARCH_BUILD_CPUS $PY - >"$tmp/sizes/$n.json" <<'PY'
import json, os, re
work = os.environ["S_WORK"]
with open(os.path.join(work, "reindex.log"), encoding="utf-8") as f:
    log = f.read()
# "ok : index de recherche refait, N fiches en X s (R fiches/s)"
m = re.search(r"(\d+) fiches en ([0-9.,]+) s \((\d+) fiches/s\)", log)
if not m:
    raise SystemExit(f"search: no rate in reindex's output: {log!r}")
with open(os.path.join(work, "reindex.time"), encoding="utf-8") as f:
    wall, user, system = (float(x.replace(",", ".")) for x in f.read().split()[-3:])
with open(os.path.join(work, "base.json"), encoding="utf-8") as f:
    base = json.load(f)
with open(os.path.join(work, "client.json"), encoding="utf-8") as f:
    client = json.load(f)
wrk = json.loads(os.environ["S_WRK"])
if wrk is not None:
    wrk["connections"] = int(os.environ["S_WRK_C"])
    wrk["threads"] = int(os.environ["S_THREADS"])
print(json.dumps({
    "n": int(os.environ["S_N"]), "entries": int(os.environ["S_ENTRIES"]),
    "site_bytes": int(os.environ["S_SITE_BYTES"]),
    "build": {"entries": int(m.group(1)), "seconds": float(m.group(2).replace(",", ".")),
              "per_second": int(m.group(3)), "wall_s": wall, "cpu_s": user + system,
              "cpu_per_second": int(m.group(1)) / (user + system) if user + system else 0,
              "cpus": os.environ["S_BUILD_CPUS"],
              "fts_bytes": int(os.environ["S_FTS"]),
              "content_bytes": int(os.environ["S_CONTENT"]), "aux_bytes": int(os.environ["S_AUX"])},
    "base": base, "server": client, "wrk": wrk}))
PY
    echo "search: $n: $(cat "$tmp/sizes/$n.json")"
    rm -f "$work"/site.db* "$work/base.db"
done
# shellcheck disable=SC2086 # one argument per size
$PY - "$tmp/sizes" $BENCH_SEARCH_SIZES >"$SEARCH_OUT" <<'PY'
import json, os, sys
print(json.dumps({"sizes": [json.load(open(os.path.join(sys.argv[1], f"{n}.json"), encoding="utf-8"))
                            for n in sys.argv[2:]]}))
PY
