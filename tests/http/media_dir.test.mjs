// media_dir.test.mjs — files of images and documents in a folder instead of the site's file
// (`foison serve --media-dir DIR`): each stored file is DIR/ab/abcd… named by its SHA-256 and
// holding exactly the bytes served; its row in the site's file has no data; the same upload
// twice is one set of files; a file already in the site's file (the demo's pictures) is still
// served; a server started without the folder says the folder's files are missing (404) and
// does not crash; a folder that is not one is refused at start-up.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, apiJson, sampleInnovation, request, freePort, loginOk, postForm, BIN } from './harness.mjs';

let srv, tmp, dir;

function multipart(fields, file) {
    const b = `----foison${crypto.randomBytes(8).toString('hex')}`;
    const parts = fields.map(([k, v]) =>
        Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
    parts.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n`
        + `Content-Type: ${file.type}\r\n\r\n`), file.data, Buffer.from(`\r\n--${b}--\r\n`));
    return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${b}` };
}

async function upload(slug, data, name = 'photo.jpg', type = 'image/jpeg', alt = 'Une photo') {
    const mp = multipart(alt ? [['alt', alt]] : [['role', 'document']], { name, type, data });
    const r = await request(srv.base, `/api/v1/entries/${slug}/media`, {
        method: 'POST', body: mp.body,
        headers: { 'content-type': mp.type, authorization: `Bearer ${srv.users.a.token}` },
    });
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

async function getBytes(base, url) {
    const r = await fetch(new URL(new URL(url, base).pathname, base));
    return { status: r.status, buf: Buffer.from(await r.arrayBuffer()), type: r.headers.get('content-type') };
}

function sqlite(db, sql) {
    const r = spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
}

function filesUnder(d) {
    const out = [];
    for (const sub of fs.readdirSync(d))
        for (const f of fs.readdirSync(path.join(d, sub)))
            out.push(path.join(sub, f));
    return out.sort();
}

before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'foison-mediadir-'));
    dir = path.join(tmp, 'medias');
    fs.mkdirSync(dir);
    srv = await startServer({ serveArgs: ['--media-dir', dir] });
});

after(async () => {
    await srv?.stop();
    if (tmp && !process.env.FOISON_KEEP_TMP)
        fs.rmSync(tmp, { recursive: true, force: true });
});

test('uploads go to the folder, one file per hash, with the bytes served; rows hold no data', async () => {
    const jpg = path.join(tmp, 'a.jpg');
    let r = spawnSync('vips', ['gaussnoise', jpg, '700', '500', '--mean', '128', '--sigma', '40']);
    assert.equal(r.status, 0, String(r.stderr));
    const data = fs.readFileSync(jpg);
    const slug = await newEntry('Photos rangées dans un dossier');
    const m = await upload(slug, data);
    assert.equal(m.srcset.length, 4, 'WebP and JPEG at 320 and 640');
    const files = filesUnder(dir);
    assert.equal(files.length, 4, `one file per size and type: ${files}`);
    for (const s of m.srcset) {
        const hash = new URL(s.url, srv.base).pathname.match(/^\/media\/([0-9a-f]{64})\./)[1];
        const onDisk = fs.readFileSync(path.join(dir, hash.slice(0, 2), hash));
        assert.equal(crypto.createHash('sha256').update(onDisk).digest('hex'), hash, 'named by its hash');
        const got = await getBytes(srv.base, s.url);
        assert.equal(got.status, 200);
        assert.equal(got.type, s.type);
        assert.ok(got.buf.equals(onDisk), 'the folder holds the bytes served');
        assert.equal(sqlite(srv.db, `SELECT data IS NULL FROM blobs WHERE hash = '${hash}'`), '1',
            'the site file keeps the row, not the bytes');
    }
    // Nothing half-written lies around: no temporary file left.
    assert.ok(!filesUnder(dir).some((f) => path.basename(f).startsWith('.')), 'no temporary file');

    // The same bytes on another entry: no new file.
    const other = await newEntry('La même photo ailleurs');
    const again = await upload(other, data);
    assert.deepEqual(again.srcset.map((s) => s.url), m.srcset.map((s) => s.url));
    assert.equal(filesUnder(dir).length, 4, 'stored once');

    // A document too, kept as it is.
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n');
    const d = await upload(slug, pdf, 'charte.pdf', 'application/pdf', null);
    const got = await getBytes(srv.base, d.url);
    assert.equal(got.status, 200);
    assert.ok(got.buf.equals(pdf));
    assert.equal(filesUnder(dir).length, 5);
});

test('the demo\'s pictures, in the site\'s file, are still served beside the folder\'s', async () => {
    const list = await apiJson(srv.base, '/api/v1/entries?kind=innovation&page=2');
    const img = list.json.entries.flatMap((e) => e.media).find((x) => x.type === 'image');
    assert.ok(img, 'a demo record with a picture');
    const hash = new URL(img.url, srv.base).pathname.match(/^\/media\/([0-9a-f]{64})\./)[1];
    assert.equal(sqlite(srv.db, `SELECT data IS NOT NULL FROM blobs WHERE hash = '${hash}'`), '1',
        'made by the demo, in the site file');
    const got = await getBytes(srv.base, img.url);
    assert.equal(got.status, 200);
    assert.equal(crypto.createHash('sha256').update(got.buf).digest('hex'), hash);
});

test('deleted files are forgotten after their days: bytes another entry holds stay, the rest go from the folder and the file', async () => {
    const client = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    const jpg = path.join(tmp, 'b.jpg');
    const made = spawnSync('vips', ['gaussnoise', jpg, '520', '400', '--mean', '100', '--sigma', '30']);
    assert.equal(made.status, 0, String(made.stderr));
    const data = fs.readFileSync(jpg);
    const one = await newEntry('Photo partagée, une');
    const two = await newEntry('Photo partagée, deux');
    const m1 = await upload(one, data);
    const m2 = await upload(two, data);
    const hashes = m1.srcset.map((s) => new URL(s.url, srv.base).pathname.match(/([0-9a-f]{64})\./)[1]);
    const onDisk = () => hashes.filter((h) => fs.existsSync(path.join(dir, h.slice(0, 2), h))).length;
    const inFile = () => Number(sqlite(srv.db, `SELECT count(*) FROM blobs WHERE hash IN (${hashes.map((h) => `'${h}'`).join(',')})`));
    assert.equal(onDisk(), hashes.length);
    const remove = async (slug, id) => {
        const del = await postForm(srv.base, `/innovations/${slug}/medias/${id}`,
            { csrf: client.csrf, action: 'delete' }, { cookies: client.jar });
        assert.equal(del.status, 303, del.text.slice(0, 300));
    };
    const later = new Date(Date.now() + 8 * 86400 * 1000).toISOString().slice(0, 16);
    const chores = () => {
        const r = spawnSync(BIN, ['chores', srv.db, '--at', later, '--media-dir', dir], { encoding: 'utf8', timeout: 60000 });
        assert.equal(r.status, 0, r.stderr);
    };
    await remove(one, m1.id);
    chores();
    assert.equal(onDisk(), hashes.length, 'the other entry still shows them');
    assert.equal((await getBytes(srv.base, m2.srcset[0].url)).status, 200);
    await remove(two, m2.id);
    // Within the days kept, nothing goes.
    const soon = spawnSync(BIN, ['chores', srv.db, '--media-dir', dir], { encoding: 'utf8', timeout: 60000 });
    assert.equal(soon.status, 0, soon.stderr);
    assert.equal(onDisk(), hashes.length, 'kept for a few days');
    chores();
    assert.equal(onDisk(), 0, 'gone from the folder');
    assert.equal(inFile(), 0, 'gone from the site file');
    assert.equal(Number(sqlite(srv.db, `SELECT count(*) FROM media_files WHERE hash = '${hashes[0]}'`)), 0);
    // The same bytes sent again are made anew.
    const again = await upload(one, data);
    assert.equal((await getBytes(srv.base, again.srcset[0].url)).status, 200);
    assert.equal(onDisk(), hashes.length);
});

test('started without the folder, its files are missing (404), the rest is served; a bad folder is refused', async () => {
    const inFolder = sqlite(srv.db, "SELECT hash, mime FROM blobs WHERE data IS NULL LIMIT 1").split('|');
    const inFile = sqlite(srv.db, "SELECT hash, mime FROM blobs WHERE data IS NOT NULL AND mime = 'image/webp' LIMIT 1").split('|');
    assert.equal(inFolder.length, 2, 'a blob in the folder');
    assert.equal(inFile.length, 2, 'a blob in the file');
    const copy = path.join(tmp, 'copie.db');
    sqlite(srv.db, `.backup '${copy}'`);
    const port = await freePort();
    const proc = spawn(BIN, ['serve', copy, '--listen', `127.0.0.1:${port}`, '--threads', '1', '--quiet'],
        { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise((resolve) => proc.on('exit', resolve));
    const base = `http://127.0.0.1:${port}`;
    try {
        for (let i = 0; i < 100; i++) {
            try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not yet */ }
            await new Promise((r) => setTimeout(r, 100));
        }
        const ext = (mime) => (mime === 'image/webp' ? 'webp' : mime === 'image/jpeg' ? 'jpg' : 'pdf');
        const missing = await getBytes(base, `/media/${inFolder[0]}.${ext(inFolder[1])}`);
        assert.equal(missing.status, 404, 'a folder file without the folder');
        const kept = await getBytes(base, `/media/${inFile[0]}.webp`);
        assert.equal(kept.status, 200, 'a file of the site file');
        assert.equal((await fetch(`${base}/healthz`)).status, 200, 'the server still answers');
    } finally {
        proc.kill('SIGTERM');
        await exited;
    }
    assert.match(stderr, /absent du dossier des médias \(serve sans --media-dir\)/);
    assert.doesNotMatch(stderr, /AddressSanitizer|runtime error/);

    const notDir = path.join(tmp, 'un-fichier');
    fs.writeFileSync(notDir, 'x');
    for (const d of [notDir, path.join(tmp, 'nexiste-pas')]) {
        const r = spawnSync(BIN, ['serve', copy, '--listen', `127.0.0.1:${await freePort()}`, '--media-dir', d],
            { encoding: 'utf8', timeout: 20000 });
        assert.equal(r.status, 2, `${d}: refused at start-up`);
        assert.match(r.stderr, /dossier des médias inutilisable/);
    }
});
