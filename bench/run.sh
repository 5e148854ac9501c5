#!/usr/bin/env bash
# bench/run.sh — `make bench`: foison's speed against nginx serving the same page as a static file.
# Starts a fresh demo site and a tuned nginx on 127.0.0.1, runs wrk against each target in
# interleaved rounds (so drift in machine load hits every target alike), measures the server's CPU
# time per request from /proc, and rewrites the part of docs/PERFORMANCE.md above `<!-- notes -->`.
# Knobs: BENCH_SECONDS (10), BENCH_ROUNDS (3), BENCH_WARMUP seconds per target (2),
# BENCH_THREADS (nproc), BENCH_FOISON_LOG (/dev/null: where foison's access log goes),
# BENCH_DOC (docs/PERFORMANCE.md; "-" to skip writing it), BENCH_REQUIRE_GOAL=1 to fail when
# the goal is missed, FOISON (build/foison), BENCH_PIN (1 when there are 2+ CPUs: servers on
# CPU 0, wrk on CPU 1, so that the load generator does not take the server's CPU; 0: shared).
# The entry page is also measured compressed (gzip and br) against nginx's gzip_static serving
# foison's own gzip bytes. Uncached paths (the API list and entry, and for a logged-in account the
# history, record and list pages) are measured at BENCH_UNCACHED_CONNECTIONS (16) connections.
# The demo site gets BENCH_HUB_ENTRIES (625) more entries from `foison bench-data --hub`, 500 of
# which point to one actor (the hub): its page logged in and its /related answer are uncached
# targets too. entry_writes is the cached entry page again while bench/writes.py writes to the hub
# once a second through the API, to compare with the entry target.
# Search (bench/search.sh): BENCH_SEARCH_SIZES ("1000 100000 1000000"); the generated sites are
# cached under build/bench-search/ (the first million takes about 20 minutes to make).
# Images: the cached WebP of the entry page's picture against nginx serving the same file
# (targets image, nginx_image); bench/media.sh: upload-to-ready of 12-megapixel phone photos
# (BENCH_MEDIA_UPLOADS, 10) and the memory during BENCH_MEDIA_CONCURRENT (4) uploads at once.
# The map (bench/map.sh): BENCH_MAP_SIZES ("10000 100000" points), the GeoJSON of a box holding
# every point and the compact answer, then /carte in chromium at BENCH_MAP_BROWSER_SIZE (100000;
# 0 skips it); its sites start from the search's and are cached under build/bench-map/.
# BENCH_TARGETS: a space-separated subset of the targets to run (default: all; the document is
# then not written), e.g. BENCH_TARGETS="api_list user_list" for a quick look at one path.
set -euo pipefail
cd "$(dirname "$0")/.."

FOISON=${FOISON:-build/foison}
BENCH_SECONDS=${BENCH_SECONDS:-10}
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_WARMUP=${BENCH_WARMUP:-2}
NPROC=$(nproc 2>/dev/null || echo 1)
if ((NPROC >= 2)); then BENCH_PIN=${BENCH_PIN:-1}; else BENCH_PIN=0; fi
if [[ $BENCH_PIN == 1 ]]; then
    # One CPU for the server under test, the other for wrk.
    BENCH_THREADS=${BENCH_THREADS:-1}
    SERVER_CPU=(taskset -c 0)
    WRK_CPU=(taskset -c 1)
else
    BENCH_THREADS=${BENCH_THREADS:-$NPROC}
    SERVER_CPU=()
    WRK_CPU=()
fi
BENCH_FOISON_LOG=${BENCH_FOISON_LOG:-/dev/null}
BENCH_DOC=${BENCH_DOC:-docs/PERFORMANCE.md}
BENCH_REQUIRE_GOAL=${BENCH_REQUIRE_GOAL:-0}
BENCH_TARGETS=${BENCH_TARGETS:-}
CONNECTIONS=64
UNCACHED_CONNECTIONS=${BENCH_UNCACHED_CONNECTIONS:-16}
# 625 entries are 438 innovations, 75 actors, 50 places, 12 networks and 50 articles: the 500
# innovations, networks and articles all point to the hub.
BENCH_HUB_ENTRIES=${BENCH_HUB_ENTRIES:-625}
if [[ $BENCH_PIN == 1 ]]; then WRK_THREADS=1; else WRK_THREADS=2; fi
PY=/usr/bin/python3

die() {
    echo "bench: $*" >&2
    exit 1
}

for v in BENCH_SECONDS BENCH_ROUNDS BENCH_THREADS UNCACHED_CONNECTIONS BENCH_HUB_ENTRIES; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer (got '${!v}')"
done
[[ $BENCH_WARMUP =~ ^[0-9]+$ ]] || die "BENCH_WARMUP must be an integer (got '$BENCH_WARMUP')"
[[ -x $FOISON ]] || die "$FOISON not found: run 'make build' first"
command -v wrk >/dev/null || die "wrk not found: run ./scripts/bootstrap"
command -v curl >/dev/null || die "curl not found: run ./scripts/bootstrap"
[[ -x $PY ]] || die "$PY not found"
NGINX=$(command -v nginx || true)
[[ -n $NGINX ]] || NGINX=/usr/sbin/nginx
[[ -x $NGINX ]] || die "nginx not found: run ./scripts/bootstrap"
CLK_TCK=$(getconf CLK_TCK)

# Read before anything starts: a loaded machine makes every figure noisier.
BENCH_LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/foison-bench.XXXXXX")
# nginx workers run as nobody when the bench is started by root: they must be able to read www/.
chmod 755 "$tmp"
foison_pid=""
nginx_pid=""
nginx_pids=""
wrk_pid=""
writer_pid=""

stop_pid() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
    local pid
    trap - EXIT INT TERM
    [[ -n $wrk_pid ]] && stop_pid "$wrk_pid"
    [[ -n $writer_pid ]] && stop_pid "$writer_pid"
    [[ -n $foison_pid ]] && stop_pid "$foison_pid"
    [[ -n $nginx_pid ]] && stop_pid "$nginx_pid"
    # Workers outlive a master killed with SIGKILL: stop any that are left.
    for pid in $nginx_pids; do
        if [[ $pid != "$nginx_pid" ]]; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Two free ports: bind to port 0 and let the kernel choose.
read -r foison_port nginx_port < <($PY -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
foison_url="http://127.0.0.1:$foison_port"
nginx_url="http://127.0.0.1:$nginx_port"

fetch() { # fetch URL [curl args...]: body on stdout, fails on HTTP errors, never waits long
    local url=$1
    shift
    curl -fsS --max-time 10 "$@" "$url"
}

# --- compressed entry page ---------------------------------------------------------------------
# foison's cached entry page in gzip and br, against nginx serving the very gzip bytes foison sends
# from a precompressed entry.html.gz (`gzip_static on`, in www/gz/ so that the plain nginx target
# keeps its own location). Debian's nginx-light has no brotli module: br is compared with nginx's
# gzip as well, the best nginx can do here.
compressed_files() { # writes www/gz/entry.html{,.gz} from foison's answers, before nginx starts
    mkdir -p "$tmp/www/gz"
    cp "$tmp/www/entry.html" "$tmp/www/gz/entry.html"
    fetch "$foison_url$entry_path" -H 'Accept-Encoding: gzip' -o "$tmp/www/gz/entry.html.gz"
    chmod 644 "$tmp/www/gz/entry.html" "$tmp/www/gz/entry.html.gz"
    gzip -dc "$tmp/www/gz/entry.html.gz" | cmp -s - "$tmp/www/entry.html" ||
        die "foison's gzip entry page does not decode to its plain page"
}

compressed_targets_add() { # checks both servers send the same gzip bytes; adds the targets
    local h='Accept-Encoding: gzip' t
    fetch "$nginx_url/gz/entry.html" -H "$h" -D "$tmp/check-nginx-gz.h" -o "$tmp/check-nginx-gz"
    grep -qi '^content-encoding: gzip' "$tmp/check-nginx-gz.h" ||
        die "nginx does not serve entry.html.gz (gzip_static missing?)"
    cmp -s "$tmp/check-nginx-gz" "$tmp/www/gz/entry.html.gz" || die "nginx and foison gzip bodies differ"
    fetch "$foison_url$entry_path" -H 'Accept-Encoding: br' -D "$tmp/check-br.h" -o /dev/null
    grep -qi '^content-encoding: br' "$tmp/check-br.h" || die "foison does not answer br"
    echo "bench: compressed entry page: gzip $(wc -c <"$tmp/www/gz/entry.html.gz") bytes (same from nginx)"
    targets+=(nginx_gz entry_gz entry_br)
    url[nginx_gz]="$nginx_url/gz/entry.html"
    url[entry_gz]="$foison_url$entry_path"
    url[entry_br]="$foison_url$entry_path"
    pids[nginx_gz]="$nginx_pids"
    for t in entry_gz entry_br; do pids[$t]="$foison_pid"; done
    for t in nginx_gz entry_gz; do hdr[$t]="$h"; done
    hdr[entry_br]='Accept-Encoding: br'
}

# --- foison -----------------------------------------------------------------------------------
echo "bench: demo site in $tmp, foison on :$foison_port with $BENCH_THREADS threads"
"$FOISON" demo "$tmp/site.db" >"$tmp/demo.log" 2>&1 ||
    { cat "$tmp/demo.log" >&2; die "'$FOISON demo' failed"; }
# A larger site, with one actor linked to hundreds of entries. The generated entries are dated
# before the demo's, so the lists' first pages and the entry page chosen below stay the demo's.
"$FOISON" bench-data "$tmp/site.db" --entries "$BENCH_HUB_ENTRIES" --hub >"$tmp/bench-data.log" 2>&1 ||
    { cat "$tmp/bench-data.log" >&2; die "'$FOISON bench-data' failed"; }
hub=$(sed -n 's/^hub: //p' "$tmp/bench-data.log")
[[ -n $hub ]] || die "'$FOISON bench-data --hub' named no hub"
echo "bench: $(head -n 1 "$tmp/bench-data.log")"
# The account whose session the logged-in targets use.
bench_email=bench@example.org
bench_password="bench: un mot de passe assez long"
printf '%s\n' "$bench_password" |
    "$FOISON" user add "$tmp/site.db" --email "$bench_email" --name "Banc d'essai" \
        --role contributor >"$tmp/user.log" 2>&1 ||
    { cat "$tmp/user.log" >&2; die "'$FOISON user add' failed"; }
# The account of the writes of entry_writes: trusted, so that its edits are published at once
# (one a second is within the default rate_edits of 90 a minute).
printf '%s\n' "$bench_password" |
    "$FOISON" user add "$tmp/site.db" --email writer@example.org --name "Écritures du banc" \
        --role trusted >"$tmp/writer.log" 2>&1 ||
    { cat "$tmp/writer.log" >&2; die "'$FOISON user add' (writer) failed"; }
writer_token=$("$FOISON" token create "$tmp/site.db" --email writer@example.org)
# wrk's connections all come from one address: the per-address limit is lifted for the bench.
"${SERVER_CPU[@]}" "$FOISON" serve "$tmp/site.db" --listen "127.0.0.1:$foison_port" --threads "$BENCH_THREADS" \
    --max-per-ip 4096 >/dev/null 2>>"$BENCH_FOISON_LOG" &
foison_pid=$!
for i in $(seq 100); do
    kill -0 "$foison_pid" 2>/dev/null ||
        die "foison exited at startup (rerun with BENCH_FOISON_LOG=/tmp/foison.log to see why)"
    fetch "$foison_url/healthz" -o /dev/null 2>/dev/null && break
    [[ $i == 100 ]] && die "foison did not answer /healthz within 10 s"
    sleep 0.1
done

slug=$(fetch "$foison_url/api/v1/entries?kind=innovation" 2>/dev/null | $PY -c '
import json, sys
try:
    print(json.load(sys.stdin)["entries"][0]["slug"])
except Exception:
    pass' || true)
if [[ -z $slug ]]; then
    slug=$(fetch "$foison_url/innovations" | grep -o 'href="/innovations/[^"/?#]*"' | head -n 1 |
        sed 's|^href="/innovations/||; s|"$||' || true)
fi
[[ -n $slug ]] || die "no innovation found in the demo site"
entry_path="/innovations/$slug"

mkdir -p "$tmp/www" "$tmp/tmp"
fetch "$foison_url$entry_path" -o "$tmp/www/entry.html"
chmod 644 "$tmp/www/entry.html"
[[ -s $tmp/www/entry.html ]] || die "empty entry page at $entry_path"
compressed_files
# An image of that page as foison serves it from its cache (immutable, by its hash), for nginx to
# serve the same bytes from a file.
image_path=$(grep -o '/media/[0-9a-f]*\.webp' "$tmp/www/entry.html" | head -n 1 || true)
[[ -n $image_path ]] || die "no WebP image on $entry_path (the demo's illustrations?)"
fetch "$foison_url$image_path" -o "$tmp/www/image.webp"
chmod 644 "$tmp/www/image.webp"
echo "bench: image $image_path ($(wc -c <"$tmp/www/image.webp") bytes)"
echo "bench: entry page $entry_path ($(wc -c <"$tmp/www/entry.html") bytes)"

# A session for the logged-in targets, through the real login form (its csrf field and cookie).
jar="$tmp/cookies"
fetch "$foison_url/login" -c "$jar" -o "$tmp/login.html"
csrf=$(grep -o 'name="csrf" value="[^"]*"' "$tmp/login.html" | head -n 1 | sed 's/.*value="//; s/"$//')
[[ -n $csrf ]] || die "no csrf field on /login"
code=$(curl -sS --max-time 10 -b "$jar" -c "$jar" -o /dev/null -w '%{http_code}' \
    --data-urlencode "email=$bench_email" --data-urlencode "password=$bench_password" \
    --data-urlencode "csrf=$csrf" --data-urlencode "next=/" "$foison_url/login")
[[ $code == 303 ]] || die "login of the bench account answered $code, not 303"
session=$(awk '$6 == "foison_session" { print $7 }' "$jar")
[[ -n $session ]] || die "login set no foison_session cookie"
session_hdr="Cookie: foison_session=$session"
fetch "$foison_url$entry_path" -H "$session_hdr" | grep -q 'action="/logout"' ||
    die "the session cookie does not log in (no logout form on $entry_path)"

# --- nginx ------------------------------------------------------------------------------------
sed -e "s|@WORKERS@|$BENCH_THREADS|g" -e "s|@PREFIX@|$tmp|g" -e "s|@PORT@|$nginx_port|g" \
    bench/nginx.conf.in >"$tmp/nginx.conf"
"${SERVER_CPU[@]}" "$NGINX" -p "$tmp/" -c "$tmp/nginx.conf" -e "$tmp/nginx-error.log" >"$tmp/nginx.out" 2>&1 &
nginx_pid=$!
for i in $(seq 100); do
    if ! kill -0 "$nginx_pid" 2>/dev/null; then
        cat "$tmp/nginx.out" "$tmp/nginx-error.log" >&2 2>/dev/null || true
        die "nginx exited at startup"
    fi
    workers=$(pgrep -P "$nginx_pid" | tr '\n' ' ' || true)
    if [[ $(wc -w <<<"$workers") -ge $BENCH_THREADS ]] &&
        fetch "$nginx_url/entry.html" -o /dev/null 2>/dev/null; then
        break
    fi
    [[ $i == 100 ]] && die "nginx did not start within 10 s"
    sleep 0.1
done
nginx_pids="$nginx_pid $workers"

# Both servers must send the same bytes, or the comparison means nothing.
fetch "$nginx_url/entry.html" -o "$tmp/check-nginx.html"
fetch "$foison_url$entry_path" -o "$tmp/check-foison.html"
cmp -s "$tmp/www/entry.html" "$tmp/check-foison.html" ||
    die "foison sent different bytes for $entry_path on two requests (page not deterministic)"
cmp -s "$tmp/check-nginx.html" "$tmp/check-foison.html" ||
    die "nginx and foison bodies differ"
echo "bench: nginx ($BENCH_THREADS workers) on :$nginx_port serves identical bytes"

# --- measurements -----------------------------------------------------------------------------
cpu_ticks() { # cpu_ticks PID...: utime+stime in clock ticks, summed over the processes
    local total=0 pid line rest f
    for pid in "$@"; do
        read -r line <"/proc/$pid/stat" || return 1
        rest=${line##*) } # the command name may hold spaces; the fields after it do not
        read -r -a f <<<"$rest"
        total=$((total + f[11] + f[12])) # fields 14 and 15: utime, stime
    done
    echo "$total"
}

targets=(nginx entry list healthz)
declare -A url pids
url[nginx]="$nginx_url/entry.html"
url[entry]="$foison_url$entry_path"
url[list]="$foison_url/innovations"
url[healthz]="$foison_url/healthz"
pids[nginx]="$nginx_pids"
pids[entry]="$foison_pid"
pids[list]="$foison_pid"
pids[healthz]="$foison_pid"
declare -A hdr conns
compressed_targets_add
fetch "$nginx_url/image.webp" -D "$tmp/check-nginx-image.h" -o "$tmp/check-nginx-image"
cmp -s "$tmp/check-nginx-image" "$tmp/www/image.webp" || die "nginx and foison image bytes differ"
grep -qi '^content-type: image/webp' "$tmp/check-nginx-image.h" || die "nginx's image is not image/webp"
targets+=(nginx_image image)
url[nginx_image]="$nginx_url/image.webp"
url[image]="$foison_url$image_path"
pids[nginx_image]="$nginx_pids"
pids[image]="$foison_pid"

# Uncached paths: every API request, and every page a logged-in visitor sees, is built anew.
uncached_targets_add() {
    local t
    targets+=(api_list api_entry history user_entry user_list hub_user hub_related)
    url[api_list]="$foison_url/api/v1/entries?kind=innovation"
    url[api_entry]="$foison_url/api/v1/entries/$slug"
    url[history]="$foison_url$entry_path/history"
    url[user_entry]="$foison_url$entry_path"
    url[user_list]="$foison_url/innovations"
    url[hub_user]="$foison_url/acteurs/$hub"
    url[hub_related]="$foison_url/api/v1/entries/$hub/related"
    for t in api_list api_entry history user_entry user_list hub_user hub_related; do
        pids[$t]="$foison_pid"
        conns[$t]=$UNCACHED_CONNECTIONS
    done
    for t in history user_entry user_list hub_user; do hdr[$t]="$session_hdr"; done
    # The history is measured logged in: the page itself, never the gate that anonymous visitors
    # pass first (web/robots.c), whose cost is not the history's.
    fetch "${url[history]}" -H "$session_hdr" | grep -q '<table class="history"' ||
        die "the history target does not answer the history page"
    fetch "${url[api_list]}" | $PY -c '
import json, sys
n = len(json.load(sys.stdin)["entries"])
if n != 20:
    sys.exit(f"bench: the API list has {n} entries, not 20")' || die "unexpected API list"
    # The hub's page and /related list every entry that points to it.
    hub_links=$(fetch "${url[hub_related]}" | $PY -c '
import json, sys
print(sum(len(g["entries"]) for g in json.load(sys.stdin)["related"] if g["direction"] == "in"))')
    [[ $hub_links == 500 || $BENCH_HUB_ENTRIES != 625 ]] ||
        die "the hub has $hub_links linked entries, not 500"
    # Into a file: grep -q stops reading at its match, and curl then fails writing the rest.
    fetch "${url[hub_user]}" -H "$session_hdr" -o "$tmp/check-hub.html"
    grep -q 'action="/logout"' "$tmp/check-hub.html" || die "the hub's page does not answer logged in"
    echo "bench: hub actor /acteurs/$hub, $hub_links entries linked to it"
}
uncached_targets_add

# The cached entry page while an actor is written to once a second (run_wrk starts the writer).
targets+=(entry_writes)
url[entry_writes]="$foison_url$entry_path"
pids[entry_writes]="$foison_pid"

if [[ -n $BENCH_TARGETS ]]; then
    for t in $BENCH_TARGETS; do
        [[ -n ${url[$t]:-} ]] || die "BENCH_TARGETS: unknown target '$t' (known: ${targets[*]})"
    done
    read -r -a targets <<<"$BENCH_TARGETS"
    BENCH_DOC=-
fi

alive() {
    local pid
    for pid in $nginx_pids $foison_pid; do
        kill -0 "$pid" 2>/dev/null || die "server process $pid died during the bench"
    done
}

run_wrk() { # run_wrk SECONDS URL [TARGET [WRITES_OUT]]: wrk's report on stdout (TARGET: its
    # header, connections; entry_writes: the writer runs alongside, its figures in WRITES_OUT)
    local c=$CONNECTIONS extra=() rc=0
    if [[ -n ${3:-} ]]; then
        c=${conns[$3]:-$CONNECTIONS}
        [[ -z ${hdr[$3]:-} ]] || extra=(-H "${hdr[$3]}")
    fi
    if [[ ${3:-} == entry_writes ]]; then
        # On wrk's CPU: the writes' cost on the server is what is measured, not the client's.
        "${WRK_CPU[@]}" $PY bench/writes.py "$foison_port" "$writer_token" "$hub" \
            "${4:-$tmp/writes.warmup}" &
        writer_pid=$!
    fi
    # In the background so that a signal runs the trap now rather than after wrk ends.
    timeout $(($1 + 60)) "${WRK_CPU[@]}" wrk -t"$WRK_THREADS" -c"$c" -d"$1s" --latency \
        "${extra[@]}" "$2" &
    wrk_pid=$!
    wait "$wrk_pid" || rc=$?
    wrk_pid=""
    if [[ -n $writer_pid ]]; then
        kill -TERM "$writer_pid" 2>/dev/null || true
        wait "$writer_pid" || die "the writer of entry_writes failed"
        writer_pid=""
    fi
    return "$rc"
}

res="$tmp/results"
mkdir -p "$res"
if ((BENCH_WARMUP > 0)); then
    echo "bench: warm-up ${BENCH_WARMUP}s per target"
    for t in "${targets[@]}"; do
        run_wrk "$BENCH_WARMUP" "${url[$t]}" "$t" >/dev/null
    done
fi
for round in $(seq "$BENCH_ROUNDS"); do
    for t in "${targets[@]}"; do
        # shellcheck disable=SC2086 # pid lists split on purpose
        before=$(cpu_ticks ${pids[$t]})
        run_wrk "$BENCH_SECONDS" "${url[$t]}" "$t" "$res/$t.$round.writes" >"$res/$t.$round.wrk"
        # shellcheck disable=SC2086
        after=$(cpu_ticks ${pids[$t]})
        echo $((after - before)) >"$res/$t.$round.cpu"
        alive
        printf 'bench: round %d/%d %-10s %s\n' "$round" "$BENCH_ROUNDS" "$t" \
            "$(grep -o 'Requests/sec: *[0-9.]*' "$res/$t.$round.wrk" || echo '?')"
    done
done

# --- saves: the cost of an acknowledged write, synchronous FULL and NORMAL ------------------------
if [[ -z $BENCH_TARGETS ]]; then
    FOISON=$FOISON SAVES_OUT="$res/saves.json" bench/saves.sh
    # --- moderation: the queue with 10,000 pending revisions, and a login ---------------------
    FOISON=$FOISON MODERATION_OUT="$res/moderation.json" bench/moderation.sh
    # --- the agenda: 10,000 events, the month view, the feed, 1,000 registrations -------------
    FOISON=$FOISON AGENDA_OUT="$res/agenda.json" bench/agenda.sh
    # --- search at 1,000, 100,000 and 1,000,000 entries (BENCH_SEARCH_SIZES) ------------------
    FOISON=$FOISON SEARCH_OUT="$res/search.json" bench/search.sh
    # --- the map at 10,000 and 100,000 points, and /carte in chromium -------------------------
    FOISON=$FOISON MAP_OUT="$res/map.json" bench/map.sh
    # --- images: upload-to-ready of 12-megapixel photos, memory during 4 uploads at once -------
    FOISON=$FOISON MEDIA_OUT="$res/media.json" bench/media.sh
fi

# --- report -----------------------------------------------------------------------------------
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "none")
if [[ $commit != none ]] &&
    [[ -n $(git status --porcelain --untracked-files=no -- . ":!$BENCH_DOC" 2>/dev/null) ]]; then
    commit="$commit (with uncommitted changes)"
fi
BENCH_RESULTS=$res
BENCH_ENTRY_PATH=$entry_path
BENCH_ENTRY_BYTES=$(wc -c <"$tmp/www/entry.html")
BENCH_NPROC=$(nproc)
BENCH_KERNEL=$(uname -r)
BENCH_CPU=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
BENCH_NGINX_VERSION=$("$NGINX" -v 2>&1 | head -n 1 | sed 's/^nginx version: //' || true)
# wrk -v prints its version then the usage, and exits non-zero.
BENCH_WRK_VERSION=$({ wrk -v 2>&1 || true; } | head -n 1 | sed 's/ *Copyright.*//; s/[[:space:]]*$//')
BENCH_COMMIT=$commit
export BENCH_RESULTS BENCH_ROUNDS BENCH_SECONDS BENCH_WARMUP BENCH_THREADS BENCH_DOC
export BENCH_REQUIRE_GOAL BENCH_FOISON_LOG CLK_TCK CONNECTIONS WRK_THREADS BENCH_ENTRY_PATH
export BENCH_ENTRY_BYTES BENCH_NPROC BENCH_KERNEL BENCH_CPU BENCH_NGINX_VERSION
export BENCH_WRK_VERSION BENCH_COMMIT BENCH_LOADAVG BENCH_PIN UNCACHED_CONNECTIONS
BENCH_HUB_LINKS=$hub_links
BENCH_HUB_PATH="/acteurs/$hub"
export BENCH_HUB_ENTRIES BENCH_HUB_LINKS BENCH_HUB_PATH
BENCH_RAN="${targets[*]}"
export BENCH_RAN
$PY bench/report.py
