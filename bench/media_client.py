"""bench/media_client.py — the client side of bench/media.sh: uploads the photos of M_DIR to a
demo innovation through POST /api/v1/entries/SLUG/media, first one after another (wall time to
201 and the server's CPU per upload, from /proc/PID/stat), then M_CONCURRENT at a time in two
rounds while a thread samples the server's VmRSS every 10 ms. Checks each answer (201, six or
more srcset files, the upright size 3000 × 4000) so that a figure never comes from a refusal.
Writes M_OUT (JSON)."""
import http.client
import json
import os
import statistics
import threading
import time
import uuid

port = int(os.environ["M_PORT"])
token = os.environ["M_TOKEN"]
pid = int(os.environ["M_PID"])
folder = os.environ["M_DIR"]
uploads = int(os.environ["M_UPLOADS"])
concurrent = int(os.environ["M_CONCURRENT"])
tck = os.sysconf("SC_CLK_TCK")


def ticks():
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return int(rest[11]) + int(rest[12])


def status_kb(name):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    raise SystemExit(f"no {name} in /proc/{pid}/status")


def get(path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


def upload(slug, path, alt):
    with open(path, "rb") as f:
        data = f.read()
    b = uuid.uuid4().hex
    parts = []
    for name, value in (("alt", alt), ("role", "gallery"), ("author", "Banc d'essai")):
        parts.append(f'--{b}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                     .encode())
    parts.append(f'--{b}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="{os.path.basename(path)}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode())
    body = b"".join(parts) + data + f"\r\n--{b}--\r\n".encode()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    s = time.perf_counter()
    c.request("POST", f"/api/v1/entries/{slug}/media", body=body,
              headers={"Authorization": "Bearer " + token,
                       "Content-Type": f"multipart/form-data; boundary={b}"})
    r = c.getresponse()
    answer = r.read()
    wall = time.perf_counter() - s
    c.close()
    if r.status != 201:
        raise SystemExit(f"upload of {path} answered {r.status}: {answer[:300]!r}")
    m = json.loads(answer)
    if (m["width"], m["height"]) != (3000, 4000) or len(m["srcset"]) < 6:
        raise SystemExit(f"upload of {path}: unexpected answer {m}")
    return wall, len(data)


status, body = get("/api/v1/entries?kind=innovation")
slug = json.loads(body)["entries"][0]["slug"]
photos = sorted((os.path.join(folder, n) for n in os.listdir(folder) if n.startswith("photo-")),
                key=lambda p: int(p.rsplit("-", 1)[1].split(".")[0]))
if len(photos) < uploads + 2 * concurrent:
    raise SystemExit(f"only {len(photos)} photos in {folder}")
# Idle: the server after start-up and a few pages, before any image.
for p in ("/", f"/innovations/{slug}", "/innovations"):
    get(p)
rss_idle = status_kb("VmRSS")

walls, sizes, cpus = [], [], []
for i in range(uploads):
    t0 = ticks()
    wall, size = upload(slug, photos[i], f"Photo de banc d'essai {i}")
    cpus.append((ticks() - t0) / tck)
    walls.append(wall)
    sizes.append(size)
rss_after_sequential = status_kb("VmRSS")

peak = [status_kb("VmRSS")]
done = threading.Event()


def sample():
    while not done.is_set():
        peak.append(status_kb("VmRSS"))
        time.sleep(0.01)


sampler = threading.Thread(target=sample)
sampler.start()
rounds = []
for rnd in range(2):
    batch = photos[uploads + rnd * concurrent: uploads + (rnd + 1) * concurrent]
    results = [None] * len(batch)

    def one(k, path):
        results[k] = upload(slug, path, f"Photo envoyée en même temps {rnd}-{k}")

    threads = [threading.Thread(target=one, args=(k, p)) for k, p in enumerate(batch)]
    s = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if any(r is None for r in results):
        raise SystemExit("a concurrent upload failed")
    rounds.append({"wall_s": time.perf_counter() - s, "each_s": [r[0] for r in results]})
done.set()
sampler.join()
rss_end = status_kb("VmRSS")
walls_sorted = sorted(walls)
out = {
    "uploads": uploads,
    "photo": {"width": 4000, "height": 3000, "mean_bytes": statistics.mean(sizes)},
    "median_s": statistics.median(walls),
    "p95_s": walls_sorted[min(len(walls) - 1, int(round(0.95 * (len(walls) - 1))))],
    "max_s": walls_sorted[-1],
    "cpu_s": statistics.mean(cpus),
    "concurrent": concurrent,
    "rounds": rounds,
    "rss_idle_kb": rss_idle,
    "rss_after_sequential_kb": rss_after_sequential,
    "rss_peak_kb": max(peak),
    "rss_end_kb": rss_end,
    "samples": len(peak),
}
with open(os.environ["M_OUT"], "w") as f:
    json.dump(out, f, indent=1)
print(f"media: {uploads} uploads, median {out['median_s']:.2f} s, p95 {out['p95_s']:.2f} s, "
      f"CPU {out['cpu_s']:.2f} s; RSS idle {rss_idle / 1024:.0f} MiB, peak during "
      f"{concurrent} at once {out['rss_peak_kb'] / 1024:.0f} MiB")
