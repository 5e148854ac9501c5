#!/usr/bin/env bash
# bench/media.sh — images: the time from upload to ready of 12-megapixel phone photos, and the
# server's memory while BENCH_MEDIA_CONCURRENT of them are uploaded at once. A fresh demo site, a
# server pinned like the main bench (2 threads, so that uploads really run side by side), then
# BENCH_MEDIA_UPLOADS distinct 4000 × 3000 JPEGs made here with libvips (a blurred noise, so they
# weigh what a phone's photos weigh, each with a phone's EXIF: orientation 6 and a GPS position),
# uploaded one after another through POST /api/v1/entries/SLUG/media (201 comes back once every
# srcset file is made and stored: that is "ready"), then BENCH_MEDIA_CONCURRENT at a time, the
# server's VmRSS sampled every 10 ms. Writes MEDIA_OUT (JSON) for bench/report.py.
# Called by bench/run.sh; alone: MEDIA_OUT=/tmp/m.json bench/media.sh
set -euo pipefail
cd "$(dirname "$0")/.."

FOISON=${FOISON:-build/foison}
BENCH_MEDIA_UPLOADS=${BENCH_MEDIA_UPLOADS:-10}
BENCH_MEDIA_CONCURRENT=${BENCH_MEDIA_CONCURRENT:-4}
MEDIA_OUT=${MEDIA_OUT:?MEDIA_OUT: where the JSON goes}
PY=/usr/bin/python3
for v in BENCH_MEDIA_UPLOADS BENCH_MEDIA_CONCURRENT; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "media: $v must be a positive integer" >&2; exit 1; }
done
command -v vips >/dev/null || { echo "media: vips not found: run ./scripts/bootstrap" >&2; exit 1; }
command -v exiftool >/dev/null || { echo "media: exiftool not found: run ./scripts/bootstrap" >&2; exit 1; }
if (($(nproc) >= 2)); then SERVER_CPU=(taskset -c 0); else SERVER_CPU=(); fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/foison-media.XXXXXX")
pid=""
cleanup() {
    [[ -z $pid ]] || kill "$pid" 2>/dev/null || true
    [[ -z $pid ]] || wait "$pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

# The photos: distinct by their noise's seed, the sequential ones and then the concurrent ones.
total=$((BENCH_MEDIA_UPLOADS + 2 * BENCH_MEDIA_CONCURRENT))
for i in $(seq "$total"); do
    for b in 0 1 2; do
        vips gaussnoise "$tmp/n$b.v" 1000 750 --mean 128 --sigma 60 --seed $((i * 3 + b))
    done
    vips bandjoin "$tmp/n0.v $tmp/n1.v $tmp/n2.v" "$tmp/c.v"
    vips resize "$tmp/c.v" "$tmp/r.v" 4 --kernel linear
    vips gaussblur "$tmp/r.v" "$tmp/b.v" 1.5
    vips cast "$tmp/b.v" "$tmp/photo-$i.jpg[Q=90]" uchar
    exiftool -q -overwrite_original -Orientation=6 -n -Make=Fairphone -Model="FP5" \
        -GPSLatitude=48.3904 -GPSLatitudeRef=N -GPSLongitude=4.4861 -GPSLongitudeRef=W \
        "$tmp/photo-$i.jpg"
done
rm -f "$tmp"/*.v

"$FOISON" demo "$tmp/site.db" >/dev/null
echo "bench-media-password-long" | "$FOISON" user add "$tmp/site.db" --email media@example.org \
    --name "Banc des images" --role trusted >/dev/null
token=$("$FOISON" token create "$tmp/site.db" --email media@example.org)
# Uploads count against the edit limit of the account: lifted for the bench.
"$FOISON" config "$tmp/site.db" rate_edits 0 >/dev/null
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${SERVER_CPU[@]}" "$FOISON" serve "$tmp/site.db" --listen "127.0.0.1:$port" --threads 2 \
    --quiet 2>"$tmp/serve.log" &
pid=$!
for i in $(seq 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break
    [[ $i == 100 ]] && { cat "$tmp/serve.log" >&2; echo "media: server did not start" >&2; exit 1; }
    sleep 0.1
done
M_PORT=$port M_TOKEN=$token M_PID=$pid M_DIR=$tmp M_UPLOADS=$BENCH_MEDIA_UPLOADS \
    M_CONCURRENT=$BENCH_MEDIA_CONCURRENT M_OUT=$MEDIA_OUT $PY bench/media_client.py
