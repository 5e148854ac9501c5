// media_s3.test.mjs — files of images and documents in an S3-compatible object store
// (`foison serve --media-s3 URL`, keys in FOISON_S3_*): a small S3 server written here checks the
// AWS Signature V4 of every request for real (the canonical request recomputed with node:crypto,
// as AWS documents it; 403 when it does not match) and keeps objects in a Map. Each stored file
// is an object BUCKET/PREFIX/ab/abcd… holding exactly the bytes served; its row has no data; the
// same upload twice sends nothing; a wrong secret or a store that is down makes the upload fail
// cleanly with nothing written, and reading a file then is a 404; the purge chore DELETEs the
// objects; a bad address or missing keys stop serve and chores with a French message (exit 2).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startServer, apiJson, sampleInnovation, request, loginOk, postForm, BIN } from './harness.mjs';

const ACCESS = 'FOISONTESTKEY';
const SECRET = 'un-secret/de+test=pour-S3';
const REGION = 'eu-west-3';
const BUCKET = 'foison-medias';
const PREFIX = 'site/un';

const sha256 = (d) => crypto.createHash('sha256').update(d).digest('hex');
const hmac = (k, d) => crypto.createHmac('sha256', k).update(d).digest();

/* The signature of a request as AWS documents it (Signature Version 4, S3): the canonical request
 * (method, URI, query, the headers named in SignedHeaders, their list, the payload's hash), the
 * string to sign with the credential scope, and the key derived from the secret. */
function sigv4({ method, uri, query, headers, signed, payloadHash, amzDate, region, secret }) {
    const canonQuery = query ? query.split('&').map((kv) => {
        const [k, v = ''] = kv.split('=');
        return [k, v];
    }).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1))
        .map(([k, v]) => `${k}=${v}`).join('&') : '';
    const canonHeaders = signed.map((h) => `${h}:${String(headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
    const creq = [method, uri, canonQuery, canonHeaders, signed.join(';'), payloadHash].join('\n');
    const date = amzDate.slice(0, 8);
    const scope = `${date}/${region}/s3/aws4_request`;
    const sts = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(creq)].join('\n');
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), 's3'), 'aws4_request');
    return hmac(key, sts).toString('hex');
}

/* Why a request is refused, or null when its signature is right. */
function checkRequest(req, body, secret) {
    const m = /^AWS4-HMAC-SHA256 Credential=([^/,]+)\/(\d{8})\/([^/,]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/
        .exec(req.headers.authorization || '');
    if (!m)
        return `no SigV4 Authorization: ${req.headers.authorization}`;
    const [, access, date, region, signedList, signature] = m;
    if (access !== ACCESS)
        return 'unknown access key';
    if (region !== REGION)
        return `wrong region ${region}`;
    const amzDate = req.headers['x-amz-date'] || '';
    if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date)
        return `bad x-amz-date ${amzDate}`;
    const when = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8),
        +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
    if (Math.abs(when - Date.now()) > 15 * 60 * 1000)
        return 'request time too skewed';
    const signed = signedList.split(';');
    for (const h of ['host', 'x-amz-date', 'x-amz-content-sha256'])
        if (!signed.includes(h))
            return `${h} not signed`;
    if ([...signed].sort().join(';') !== signedList)
        return 'SignedHeaders not sorted';
    const payloadHash = req.headers['x-amz-content-sha256'];
    if (payloadHash !== sha256(body))
        return `x-amz-content-sha256 ${payloadHash} is not the body's hash`;
    const [uri, query = ''] = req.url.split('?');
    const expected = sigv4({ method: req.method, uri, query, headers: req.headers, signed, payloadHash, amzDate, region, secret });
    const a = Buffer.from(expected), b = Buffer.from(signature);
    return a.length === b.length && crypto.timingSafeEqual(a, b) ? null : 'SignatureDoesNotMatch';
}

/* The fake object store: path-style /BUCKET/KEY, objects in a Map, every request logged. */
function s3Server() {
    const s3 = { objects: new Map(), log: [], secret: SECRET, port: 0, server: null, redirect: false };
    const handle = (req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
            const body = Buffer.concat(chunks);
            const why = checkRequest(req, body, s3.secret);
            const key = req.url.split('?')[0];
            s3.log.push({ method: req.method, key, status: why ? 403 : 0, why, redirect: false });
            const entry = s3.log[s3.log.length - 1];
            if (why) {
                res.writeHead(403, { 'content-type': 'application/xml' });
                res.end(`<?xml version="1.0"?><Error><Code>SignatureDoesNotMatch</Code><Message>${why}</Message></Error>`);
                return;
            }
            if (s3.redirect && req.method === 'GET') {
                entry.status = 307; // a store that sends elsewhere is not followed
                res.writeHead(307, { location: `/ailleurs${key}` }).end();
            } else if (!key.startsWith(`/${BUCKET}/`)) {
                entry.status = 404;
                res.writeHead(404).end('<Error><Code>NoSuchBucket</Code></Error>');
            } else if (req.method === 'PUT') {
                s3.objects.set(key, { data: body, type: req.headers['content-type'] });
                entry.status = 200;
                res.writeHead(200, { etag: `"${crypto.createHash('md5').update(body).digest('hex')}"` }).end();
            } else if (req.method === 'GET') {
                const o = s3.objects.get(key);
                entry.status = o ? 200 : 404;
                if (o)
                    res.writeHead(200, { 'content-type': o.type, 'content-length': o.data.length }).end(o.data);
                else
                    res.writeHead(404, { 'content-type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code></Error>');
            } else if (req.method === 'DELETE') {
                s3.objects.delete(key);
                entry.status = 204;
                res.writeHead(204).end();
            } else {
                entry.status = 405;
                res.writeHead(405).end();
            }
        });
    };
    s3.start = () => new Promise((resolve) => {
        s3.server = http.createServer(handle);
        s3.server.listen(s3.port, '127.0.0.1', () => {
            s3.port = s3.server.address().port;
            resolve();
        });
    });
    s3.stop = () => new Promise((resolve) => {
        s3.server.closeAllConnections();
        s3.server.close(() => resolve());
    });
    return s3;
}

let srv, tmp, s3, url;

function multipart(fields, file) {
    const b = `----foison${crypto.randomBytes(8).toString('hex')}`;
    const parts = fields.map(([k, v]) =>
        Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
    parts.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n`
        + `Content-Type: ${file.type}\r\n\r\n`), file.data, Buffer.from(`\r\n--${b}--\r\n`));
    return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${b}` };
}

async function uploadRaw(slug, data, name = 'photo.jpg', type = 'image/jpeg', alt = 'Une photo') {
    const mp = multipart(alt ? [['alt', alt]] : [['role', 'document']], { name, type, data });
    return request(srv.base, `/api/v1/entries/${slug}/media`, {
        method: 'POST', body: mp.body,
        headers: { 'content-type': mp.type, authorization: `Bearer ${srv.users.a.token}` },
    });
}

async function upload(...args) {
    const r = await uploadRaw(...args);
    assert.equal(r.status, 201, r.text);
    return JSON.parse(r.text);
}

async function newEntry(title) {
    const r = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: srv.users.a.token, body: { kind: 'innovation', ...sampleInnovation({ title }) },
    });
    assert.equal(r.status, 201, r.text);
    return r.json.slug;
}

async function getBytes(u) {
    const r = await fetch(new URL(new URL(u, srv.base).pathname, srv.base));
    return { status: r.status, buf: Buffer.from(await r.arrayBuffer()), type: r.headers.get('content-type') };
}

function runAsync(cmd, args) {
    return new Promise((resolve) => {
        const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '', stderr = '';
        p.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
        p.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
        const timer = setTimeout(() => p.kill('SIGKILL'), 60000);
        p.on('close', (status) => {
            clearTimeout(timer);
            resolve({ status, stdout, stderr });
        });
    });
}

function sqlite(db, sql) {
    const r = spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
}

function photo(name, w, h, mean) {
    const f = path.join(tmp, name);
    const r = spawnSync('vips', ['gaussnoise', f, String(w), String(h), '--mean', String(mean), '--sigma', '35']);
    assert.equal(r.status, 0, String(r.stderr));
    return fs.readFileSync(f);
}

const hashOf = (u) => new URL(u, srv.base).pathname.match(/^\/media\/([0-9a-f]{64})\./)[1];
const keyOf = (hash) => `/${BUCKET}/${PREFIX}/${hash.slice(0, 2)}/${hash}`;
const counts = () => ({
    blobs: Number(sqlite(srv.db, 'SELECT count(*) FROM blobs')),
    media: Number(sqlite(srv.db, 'SELECT count(*) FROM media')),
    files: Number(sqlite(srv.db, 'SELECT count(*) FROM media_files')),
    objects: s3.objects.size,
});

before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'foison-s3-'));
    s3 = s3Server();
    await s3.start();
    url = `http://127.0.0.1:${s3.port}/${BUCKET}/${PREFIX}/`;
    process.env.FOISON_S3_ACCESS_KEY = ACCESS;
    process.env.FOISON_S3_SECRET_KEY = SECRET;
    process.env.FOISON_S3_REGION = REGION;
    srv = await startServer({
        serveArgs: ['--media-s3', url],
        // The uploads made to fail on purpose (wrong secret, store down) answer 5xx.
        expected5xx: /POST \/api\/v1\/entries\/[^ ]+\/media /,
    });
});

after(async () => {
    await srv?.stop();
    await s3?.stop();
    if (tmp && !process.env.FOISON_KEEP_TMP)
        fs.rmSync(tmp, { recursive: true, force: true });
});

test('the fake store\'s verifier gives the signature of AWS\'s documented example', () => {
    // "GET Object" example of the S3 API reference (Signature Version 4, header-based auth).
    const sig = sigv4({
        method: 'GET', uri: '/test.txt', query: '',
        headers: {
            host: 'examplebucket.s3.amazonaws.com', range: 'bytes=0-9',
            'x-amz-content-sha256': sha256(''), 'x-amz-date': '20130524T000000Z',
        },
        signed: ['host', 'range', 'x-amz-content-sha256', 'x-amz-date'],
        payloadHash: sha256(''), amzDate: '20130524T000000Z', region: 'us-east-1',
        secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    });
    assert.equal(sig, 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
});

test('uploads go to the bucket, one object per hash under ab/, with the bytes served; rows hold no data', async () => {
    const data = photo('a.jpg', 700, 500, 128);
    const slug = await newEntry('Photos rangées dans un stockage S3');
    const m = await upload(slug, data);
    assert.equal(m.srcset.length, 4, 'WebP and JPEG at 320 and 640');
    assert.deepEqual(s3.log.filter((l) => l.why), [], 'every request correctly signed');
    assert.equal(s3.log.filter((l) => l.method === 'PUT').length, 4, 'one PUT per file');
    assert.equal(s3.objects.size, 4);
    for (const s of m.srcset) {
        const hash = hashOf(s.url);
        const o = s3.objects.get(keyOf(hash));
        assert.ok(o, `object ${keyOf(hash)} in the bucket`);
        assert.equal(sha256(o.data), hash, 'named by its hash');
        assert.equal(o.type, s.type, 'sent with its type');
        const got = await getBytes(s.url);
        assert.equal(got.status, 200);
        assert.equal(got.type, s.type);
        assert.ok(got.buf.equals(o.data), 'the bucket holds the bytes served');
        assert.equal(sqlite(srv.db, `SELECT data IS NULL FROM blobs WHERE hash = '${hash}'`), '1',
            'the site file keeps the row, not the bytes');
    }
    assert.ok(s3.log.some((l) => l.method === 'GET' && l.status === 200), 'read from the bucket');

    // The same bytes on another entry: nothing sent.
    const puts = s3.log.filter((l) => l.method === 'PUT').length;
    const other = await newEntry('La même photo dans un autre compartiment de fiche');
    const again = await upload(other, data);
    assert.deepEqual(again.srcset.map((s) => s.url), m.srcset.map((s) => s.url));
    assert.equal(s3.log.filter((l) => l.method === 'PUT').length, puts, 'no new PUT');
    assert.equal(s3.objects.size, 4, 'stored once');

    // A document too, kept as it is.
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n');
    const d = await upload(slug, pdf, 'charte.pdf', 'application/pdf', null);
    const got = await getBytes(d.url);
    assert.equal(got.status, 200);
    assert.ok(got.buf.equals(pdf));
    assert.ok(s3.objects.get(keyOf(sha256(pdf))).data.equals(pdf));
    assert.equal(s3.objects.size, 5);
    // The demo's pictures, in the site's file, are still served.
    const list = await apiJson(srv.base, '/api/v1/entries?kind=innovation&page=2');
    const img = list.json.entries.flatMap((e) => e.media).find((x) => x.type === 'image');
    assert.ok(img, 'a demo record with a picture');
    assert.equal((await getBytes(img.url)).status, 200);
});

test('a wrong secret: the upload fails cleanly, nothing is stored, the server answers', async () => {
    const slug = await newEntry('Photo refusée par le stockage');
    const data = photo('b.jpg', 400, 300, 90);
    const before = counts();
    s3.secret = 'pas-le-bon-secret'; // the store no longer recognises the server's key
    try {
        const r = await uploadRaw(slug, data);
        assert.ok(r.status >= 500 && r.status < 600, `${r.status} ${r.text}`);
        assert.match(r.headers.get('content-type') || '', /json/);
        assert.ok(s3.log.some((l) => l.method === 'PUT' && l.status === 403), 'the store refused the PUT');
    } finally {
        s3.secret = SECRET;
    }
    assert.deepEqual(counts(), before, 'no blob, media, file row nor object written');
    assert.equal((await fetch(`${srv.base}/healthz`)).status, 200);
    assert.match(srv.stderr(), /envoi du fichier [0-9a-f]{64} au stockage S3\s:\sPUT refusé\s:\sHTTP 403/);
    // With the right key again, the same photo goes in.
    const m = await upload(slug, data);
    assert.equal((await getBytes(m.srcset[0].url)).status, 200);
});

test('the store down: uploads fail cleanly, its files are missing (404), the server answers', async () => {
    const stored = sqlite(srv.db, "SELECT hash, mime FROM blobs WHERE data IS NULL AND mime = 'image/webp' LIMIT 1").split('|');
    assert.equal(stored.length, 2);
    const slug = await newEntry('Photo sans stockage');
    const data = photo('c.jpg', 420, 320, 70);
    await s3.stop();
    try {
        const before = counts();
        const r = await uploadRaw(slug, data);
        assert.ok(r.status >= 500 && r.status < 600, `${r.status} ${r.text}`);
        assert.deepEqual(counts(), before, 'nothing written');
        const missing = await getBytes(`/media/${stored[0]}.webp`);
        assert.equal(missing.status, 404, 'a file of the store that does not answer');
        assert.equal((await fetch(`${srv.base}/healthz`)).status, 200);
        assert.match(srv.stderr(), /fichier [0-9a-f]{64} illisible dans le stockage S3/);
    } finally {
        await s3.start(); // on the same port
    }
    assert.equal((await getBytes(`/media/${stored[0]}.webp`)).status, 200, 'back when the store is');
});

test('a redirect from the store is not followed: the file is missing', async () => {
    const stored = sqlite(srv.db, "SELECT hash FROM blobs WHERE data IS NULL AND mime = 'image/jpeg' LIMIT 1");
    const mark = s3.log.length;
    s3.redirect = true;
    try {
        assert.equal((await getBytes(`/media/${stored}.jpg`)).status, 404);
    } finally {
        s3.redirect = false;
    }
    assert.deepEqual(s3.log.slice(mark).map((l) => [l.method, l.status]), [['GET', 307]], 'one request, not two');
    assert.equal((await getBytes(`/media/${stored}.jpg`)).status, 200);
});

test('deleted files are forgotten after their days: the purge DELETEs their objects', async () => {
    const client = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    const mark = s3.log.length;
    const data = photo('d.jpg', 520, 400, 100);
    const slug = await newEntry('Photo à oublier du stockage');
    const m = await upload(slug, data);
    const hashes = m.srcset.map((s) => hashOf(s.url));
    assert.ok(hashes.every((h) => s3.objects.has(keyOf(h))));
    const del = await postForm(srv.base, `/innovations/${slug}/medias/${m.id}`,
        { csrf: client.csrf, action: 'delete' }, { cookies: client.jar });
    assert.equal(del.status, 303, del.text.slice(0, 300));
    const later = new Date(Date.now() + 8 * 86400 * 1000).toISOString().slice(0, 16);
    // Not spawnSync: the fake store answers from this very process's event loop.
    const r = await runAsync(BIN, ['chores', srv.db, '--at', later, '--media-s3', url]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /AddressSanitizer|runtime error|LeakSanitizer/);
    const deletes = s3.log.filter((l) => l.method === 'DELETE');
    for (const h of hashes) {
        assert.ok(deletes.some((l) => l.key === keyOf(h) && l.status === 204), `DELETE of ${h}`);
        assert.ok(!s3.objects.has(keyOf(h)), 'gone from the bucket');
    }
    assert.equal(Number(sqlite(srv.db, `SELECT count(*) FROM blobs WHERE hash IN (${hashes.map((h) => `'${h}'`).join(',')})`)), 0,
        'gone from the site file');
    assert.deepEqual(s3.log.slice(mark).filter((l) => l.why), [], 'the chore signs its requests too');
});

test('a bad address, missing keys or both places: serve and chores stop with a French message (exit 2)', () => {
    const env = { ...process.env };
    const run = (args, extra = {}) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 20000, env: { ...env, ...extra } });
    const cases = [
        ['ftp://127.0.0.1/seau', {}, /doit commencer par http:\/\/ ou https:\/\//],
        ['http:///seau', {}, /nom d'hôte ou port invalide/],
        ['http://127.0.0.1:99999/seau', {}, /nom d'hôte ou port invalide/],
        ['http://127.0.0.1:9000', {}, /le compartiment \(bucket\) manque/],
        ['http://127.0.0.1:9000/', {}, /le compartiment \(bucket\) manque/],
        ['http://127.0.0.1:9000/Seau_Majuscule', {}, /nom de compartiment invalide/],
        ['http://cle:secret@127.0.0.1:9000/seau', {}, /pas de clés dans l'adresse/],
        ['http://127.0.0.1:9000/seau/a/../b', {}, /préfixe invalide/],
        [url, { FOISON_S3_ACCESS_KEY: '' }, /clés manquantes/],
        [url, { FOISON_S3_SECRET_KEY: '' }, /clés manquantes/],
        [url, { FOISON_S3_REGION: 'eu west' }, /région invalide/],
    ];
    for (const [u, extra, re] of cases) {
        for (const args of [['serve', srv.db, '--listen', '127.0.0.1:1', '--media-s3', u],
            ['chores', srv.db, '--media-s3', u]]) {
            const r = run(args, extra);
            assert.equal(r.status, 2, `${args[0]} ${u}: ${r.stderr}`);
            assert.match(r.stderr, re, `${args[0]} ${u}`);
            assert.doesNotMatch(r.stderr, /AddressSanitizer|runtime error/);
        }
    }
    for (const args of [['serve', srv.db, '--listen', '127.0.0.1:1', '--media-dir', tmp, '--media-s3', url],
        ['chores', srv.db, '--media-s3', url, '--media-dir', tmp]]) {
        const r = run(args);
        assert.equal(r.status, 2, r.stderr);
        assert.match(r.stderr, /--media-dir et --media-s3 s'excluent/);
    }
    // The secret is never written out.
    assert.doesNotMatch(srv.stderr(), new RegExp(SECRET.replace(/[+/]/g, '\\$&')));
});
