// limits.test.mjs — requests built to exhaust the server get a quick answer or a cut connection,
// never a hang: too many query parameters or a huge URL (414), huge headers or cookies (431),
// an endless chunked body (cut soon after the body limit), a request dripping byte by byte (cut at
// the total request time), one address opening too many connections (refused past its share,
// others still served), two different Content-Length headers (400), %00 in a path (400),
// terminal escapes in the method (neutralised in the log), an Origin of the wrong scheme (403),
// and a thread that cannot open the site file (503, the server stays up).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { startServer, loginOk, sampleInnovation, formFields, apiJson } from './harness.mjs';

let srv;

before(async () => {
    srv = await startServer({
        maxBody: 65536,
        serveArgs: ['--request-timeout', '3', '--max-per-ip', '20'],
    });
});

after(async () => {
    await srv?.stop();
});

/* Sends raw bytes and reads until the server closes or `ms` pass. Resolves { text, ms, closed }. */
function raw(bytes, ms = 5000) {
    return new Promise((resolve) => {
        const t0 = Date.now();
        const s = net.connect(srv.port, '127.0.0.1');
        let text = '';
        const done = (closed) => {
            clearTimeout(timer);
            s.destroy();
            resolve({ text, ms: Date.now() - t0, closed });
        };
        const timer = setTimeout(() => done(false), ms);
        s.on('data', (d) => { text += d.toString('latin1'); });
        s.on('error', () => done(true));
        s.on('close', () => done(true));
        s.write(bytes);
    });
}

const status = (text) => Number((/^HTTP\/1\.1 (\d{3})/.exec(text) || [])[1]);

test('too many query parameters, or a huge URL: 414 at once', async () => {
    const q = Array.from({ length: 300 }, (_, i) => `p${i}=v${i}`).join('&');
    for (const target of [`/innovations?${q}`, `/${'a'.repeat(16000)}`, `/x?${'b'.repeat(40000)}`]) {
        const r = await raw(`GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`);
        assert.equal(status(r.text), 414, r.text.slice(0, 80));
        assert.ok(r.ms < 2000, `${r.ms} ms`);
    }
    // The limit is far from what pages use.
    const ok = await raw(`GET /innovations?theme=numerique&page=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.equal(status(ok.text), 200);
});

test('huge headers or 200 cookies: 431 at once', async () => {
    const cookies = Array.from({ length: 200 }, (_, i) => `cookie${i}=value-${i}-abcdefghijklmnopqrstuvwxyz0123456789`).join('; ');
    const headers = Array.from({ length: 800 }, (_, i) => `X-H${i}: v\r\n`).join('');
    for (const h of [`Cookie: ${cookies}\r\n`, headers]) {
        const r = await raw(`GET / HTTP/1.1\r\nHost: x\r\n${h}\r\n`);
        assert.equal(status(r.text), 431, r.text.slice(0, 80));
        assert.ok(r.ms < 2000, `${r.ms} ms`);
    }
});

test('an endless chunked body is cut soon after the body limit', async () => {
    const r = await new Promise((resolve) => {
        const t0 = Date.now();
        const s = net.connect(srv.port, '127.0.0.1');
        const chunk = Buffer.alloc(16384, 'a');
        const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
        let sent = 0, text = '', finished = false;
        const end = (why) => {
            if (finished)
                return;
            finished = true;
            s.destroy();
            resolve({ sent, ms: Date.now() - t0, why, text });
        };
        s.on('data', (d) => { text += d.toString('latin1'); });
        s.on('error', () => end('error'));
        s.on('close', () => end('closed'));
        s.write('POST /login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n'
            + 'Content-Type: application/x-www-form-urlencoded\r\n\r\n');
        const pump = () => {
            // Bounded: 256 MiB or 10 s, whichever first (the defect read 29.6 GB in 15 s).
            while (!finished && sent < 256 * 1024 * 1024 && Date.now() - t0 < 10000) {
                sent += frame.length;
                if (!s.write(frame))
                    return void s.once('drain', pump);
            }
            end('bound');
        };
        pump();
    });
    assert.notEqual(r.why, 'bound', `still reading after ${r.sent} bytes and ${r.ms} ms`);
    // The server reads at most twice the limit; the rest sat in socket buffers.
    assert.ok(r.sent < 64 * 1024 * 1024, `${r.sent} bytes sent`);
});

test('a request dripping byte by byte is cut at the total request time', async () => {
    const r = await new Promise((resolve) => {
        const t0 = Date.now();
        const s = net.connect(srv.port, '127.0.0.1');
        let finished = false;
        const end = (why) => {
            if (finished)
                return;
            finished = true;
            clearInterval(drip);
            s.destroy();
            resolve({ ms: Date.now() - t0, why });
        };
        s.on('error', () => end('error'));
        s.on('close', () => end('closed'));
        s.write('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
        // One byte every 200 ms keeps the idle timeout (30 s) from ever firing.
        const drip = setInterval(() => s.write('a'), 200);
        setTimeout(() => end('bound'), 12000);
    });
    assert.notEqual(r.why, 'bound', 'the dripping request was never cut');
    assert.ok(r.ms >= 2500 && r.ms < 7000, `${r.ms} ms`);
});

test('a request cut by the watchdog is logged without a status it never had', async () => {
    // A body announced and never sent: the watchdog cuts the request before any answer, so its
    // log line says "-" where it said 200.
    const ms = await new Promise((resolve) => {
        const t0 = Date.now();
        const s = net.connect(srv.port, '127.0.0.1');
        const end = () => { s.destroy(); resolve(Date.now() - t0); };
        s.on('error', end);
        s.on('close', end);
        s.write('POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded'
            + '\r\nContent-Length: 1000\r\n\r\n');
        setTimeout(end, 12000);
    });
    assert.ok(ms < 7000, `cut after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 1200)); // the log is flushed every second
    assert.match(srv.stderr(), /POST \/login - \d+us aborted/);
    assert.doesNotMatch(srv.stderr(), /POST \/login 200 \d+us aborted/);
});

test('time a keep-alive connection spent idle is not counted in its next request', async () => {
    // Idle 2.5 s after a first request, then a second one whose headers take 2.5 s: 5 s since
    // the first ended, but the request itself lasts less than the 3 s limit and is answered.
    const texts = await new Promise((resolve, reject) => {
        const s = net.connect(srv.port, '127.0.0.1');
        let text = '';
        s.on('data', (d) => { text += d.toString('latin1'); });
        s.on('error', reject);
        s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
        const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
        (async () => {
            await sleep(2500);
            const first = text;
            s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
            for (let i = 0; i < 10; i++) {
                await sleep(250);
                s.write('X-Slow: a\r\n');
            }
            s.write('Connection: close\r\n\r\n');
            await sleep(1000);
            s.destroy();
            resolve({ first, all: text });
        })().catch(reject);
    });
    assert.equal(status(texts.first), 200);
    const second = texts.all.slice(texts.first.length);
    assert.equal(status(second), 200, 'the second request was cut: ' + JSON.stringify(second));
});

test('Content-Length together with Transfer-Encoding: 400 (no request smuggling)', async () => {
    const r = await raw('POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n'
        + 'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    assert.equal(status(r.text), 400);
    const t = await raw('POST /login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n'
        + 'Content-Length: 4\r\nConnection: close\r\n\r\n0\r\n\r\n');
    assert.equal(status(t.text), 400);
});

test('one address cannot take every connection', async () => {
    const sockets = [];
    try {
        const connected = [];
        for (let i = 0; i < 40; i++) {
            const s = net.connect(srv.port, '127.0.0.1');
            s.on('error', () => {});
            connected.push(new Promise((r) => { s.on('connect', r); s.on('close', r); }));
            sockets.push(s);
        }
        // Every one of the 40 is through the handshake before the probe, so the probe is the
        // 41st in the server's accept queue (a slow ASan build accepts them late, in order).
        await Promise.all(connected);
        await new Promise((r) => setTimeout(r, 500));
        // Past its 20, this address's next connection is closed without being served.
        const r = await raw('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', 2000);
        assert.equal(r.text, '', 'refused past the per-address limit');
        assert.ok(r.closed);
    } finally {
        for (const s of sockets)
            s.destroy();
    }
    await new Promise((r) => setTimeout(r, 300));
    const again = await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(status(again.text), 200, 'served again once the others closed');
});

test('two different Content-Length headers: 400; %00 in a path: 400', async () => {
    const r = await raw('POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef');
    assert.equal(status(r.text), 400);
    for (const p of ['/api/v1/entries%00/x', '/innovations%00', '/%00']) {
        const n = await raw(`GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
        assert.equal(status(n.text), 400, p);
    }
});

test('a method with terminal escapes is neutralised in the access log', async () => {
    await raw('G\x1b[31mET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 2000);
    await new Promise((r) => setTimeout(r, 1500)); // the log is flushed every second
    assert.doesNotMatch(srv.stderr(), /\x1b/);
});

test('an Origin with the right host but the wrong scheme is refused', async () => {
    const alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    const c = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: srv.users.a.token,
        body: { kind: 'innovation', ...sampleInnovation({ title: 'Origine et schéma' }) },
    });
    const fields = { ...formFields(sampleInnovation({ title: 'Origine et schéma', summary: 'Autre.' })),
        base_revision: c.json.revision };
    const host = new URL(srv.base).host;
    const bad = await alice.post(`/innovations/${c.json.slug}/edit`, fields, { headers: { origin: `https://${host}` } });
    assert.equal(bad.status, 403);
    const ok = await alice.post(`/innovations/${c.json.slug}/edit`, fields, { headers: { origin: `http://${host}` } });
    assert.equal(ok.status, 303);
});

test('a thread that cannot open the site file answers 503 and the server stays up', async () => {
    // Threads open the site file on their first request; with 8 threads only the one that
    // answered the start-up health check has it when the file is moved away.
    const other = await startServer({ expected5xx: /^\S+Z \S+ GET \/innovations 503 /, serveArgs: ['--threads', '8'] });
    try {
        fs.renameSync(other.db, `${other.db}.away`);
        const probe = async (cookie) => {
            const res = await fetch(`${other.base}/innovations`, {
                headers: { connection: 'close', ...(cookie ? { cookie } : {}) },
            });
            return { status: res.status, retry: res.headers.get('retry-after'), text: await res.text() };
        };
        const seen = { 200: 0, 503: 0 };
        for (let i = 0; i < 40; i++) {
            // A session cookie used to crash the server here.
            const r = await probe(i % 2 ? `foison_session=${'a'.repeat(64)}` : null);
            assert.ok(r.status === 200 || r.status === 503, `${r.status}`);
            seen[r.status]++;
            if (r.status === 503) {
                assert.ok(Number(r.retry) > 0);
                assert.match(r.text, /indisponible/);
            }
        }
        assert.ok(seen[503] > 0, JSON.stringify(seen));
        fs.renameSync(`${other.db}.away`, other.db);
        for (let i = 0; i < 10; i++)
            assert.equal((await probe(null)).status, 200, 'served again once the file is back');
        assert.match(other.stderr(), /inaccessible depuis ce fil/);
    } finally {
        if (fs.existsSync(`${other.db}.away`))
            fs.renameSync(`${other.db}.away`, other.db);
        await other.stop();
    }
});
