// media_spam.test.mjs — the texts sent with a file (alternative text, caption, author, file
// name) go through the spam rules of contribution: a blocked domain or a pile of selling words
// and links is refused (422, the reasons beside the caption, nothing stored), a caption over the
// hold threshold waits for a moderator even from a trusted account, an ordinary one is published.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, apiJson, sampleInnovation, request } from './harness.mjs';

let srv, tmp, n = 0;

function jpeg() {
    n++;
    const f = path.join(tmp, `p${n}.jpg`);
    const r = spawnSync('vips', ['gaussnoise', f, String(300 + n), '200', '--mean', '128', '--sigma', '30']);
    assert.equal(r.status, 0, String(r.stderr));
    return fs.readFileSync(f);
}

async function upload(slug, fields, token = srv.users.a.token) {
    const b = `----foison${crypto.randomBytes(8).toString('hex')}`;
    const parts = Object.entries(fields).map(([k, v]) =>
        Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
    parts.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\n`
        + 'Content-Type: image/jpeg\r\n\r\n'), jpeg(), Buffer.from(`\r\n--${b}--\r\n`));
    const r = await request(srv.base, `/api/v1/entries/${slug}/media`, {
        method: 'POST', body: Buffer.concat(parts),
        headers: { 'content-type': `multipart/form-data; boundary=${b}`, authorization: `Bearer ${token}` },
    });
    return { status: r.status, json: JSON.parse(r.text) };
}

async function mediaOf(slug, token) {
    const r = await apiJson(srv.base, `/api/v1/entries/${slug}`, { token });
    assert.equal(r.status, 200);
    return r.json.media;
}

before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'foison-mediaspam-'));
    srv = await startServer({ config: { blocked_domains: 'casino-gagnant.example' } });
});

after(async () => {
    await srv?.stop();
    if (tmp && !process.env.FOISON_KEEP_TMP)
        fs.rmSync(tmp, { recursive: true, force: true });
});

test('a caption linking to a blocked domain is refused, with its reason, and nothing is stored', async () => {
    const r0 = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: srv.users.a.token, body: { kind: 'innovation', ...sampleInnovation({ title: 'Légendes surveillées' }) },
    });
    assert.equal(r0.status, 201, r0.text);
    const slug = r0.json.slug;
    const before = (await mediaOf(slug, srv.users.a.token)).length;
    const r = await upload(slug, { alt: 'Une photo', caption: 'Gagnez sur https://casino-gagnant.example/bonus' });
    assert.equal(r.status, 422);
    const err = r.json.errors.find((f) => f.field === 'caption');
    assert.ok(err, JSON.stringify(r.json));
    assert.match(err.message, /spam/);
    assert.match(err.message, /domaine bloqué/);
    assert.equal((await mediaOf(slug, srv.users.a.token)).length, before, 'nothing stored');

    // An ordinary caption from the same trusted account: published at once.
    const ok = await upload(slug, { alt: 'Des bénévoles réparent un vélo', caption: 'L’atelier du samedi à Brest.' });
    assert.equal(ok.status, 201, JSON.stringify(ok.json));
    assert.equal(ok.json.state, 'published');

    // Ten links for a few words, over the hold threshold: the file waits, even from a trusted
    // account, and the public does not see it; its uploader does.
    const links = Array.from({ length: 10 }, (_, i) => `https://promo${i}.example/achat`).join(' ');
    const held = await upload(slug, { alt: 'Une photo', caption: `Nos photos ${links}` });
    assert.equal(held.status, 201, JSON.stringify(held.json));
    assert.equal(held.json.state, 'pending', 'held for a moderator');
    assert.ok(!(await mediaOf(slug)).some((m) => m.id === held.json.id), 'not shown to the public');
    assert.ok((await mediaOf(slug, srv.users.a.token)).some((m) => m.id === held.json.id), 'shown to its uploader');
});
