// breach.test.mjs — the CSRF token never appears as the same bytes in two compressed pages that
// differ by what an attacker chose (BREACH): each page carries it masked by a pad that depends on
// the URL and the entry generation (random for POST answers). One URL still gives one page, so
// the ETag and 304 of a logged-in page hold; a masked, tampered or foreign token is refused.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginOk, getCsrf, unmaskCsrf, sampleInnovation, formFields } from './harness.mjs';

let srv, alice;

before(async () => {
    srv = await startServer();
    alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
});

after(async () => {
    await srv?.stop();
});

test('the token is masked differently for each URL an attacker could make a browser load', async () => {
    const fields = [];
    for (const q of ['', '?theme=numerique', '?theme=numerique&x=csrf%3D00', '?page=2']) {
        const r = await alice.get(`/innovations${q}`);
        assert.equal(r.status, 200);
        fields.push(getCsrf(r.text));
    }
    assert.equal(new Set(fields).size, fields.length, 'one mask per URL');
    const tokens = new Set(fields.map(unmaskCsrf));
    assert.equal(tokens.size, 1, 'every field carries the session token');
    for (const f of fields)
        assert.ok(!f.includes([...tokens][0]), 'the raw token is not in the page');
});

test('one URL gives the same page while nothing is written: the ETag and 304 hold', async () => {
    const a = await alice.get('/innovations', { headers: { 'Accept-Encoding': 'gzip' } });
    const b = await alice.get('/innovations', { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(getCsrf(a.text), getCsrf(b.text));
    const etag = a.headers.get('etag');
    assert.ok(etag);
    assert.equal(b.headers.get('etag'), etag);
    const nm = await alice.get('/innovations',
        { headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': etag } });
    assert.equal(nm.status, 304);
    // A write changes the mask: attacker text saved into a page gets new bytes around the token.
    const created = await alice.post('/innovations/new', formFields(sampleInnovation({ title: 'Masque suivant' })));
    assert.equal(created.status, 303);
    const c = await alice.get('/innovations', { headers: { 'Accept-Encoding': 'gzip' } });
    assert.notEqual(getCsrf(c.text), getCsrf(a.text));
    assert.equal(unmaskCsrf(getCsrf(c.text)), unmaskCsrf(getCsrf(a.text)));
});

test('a masked token is accepted; tampered, raw-looking garbage or another session\'s is refused', async () => {
    const page = await alice.get('/innovations/new');
    const field = getCsrf(page.text);
    const ok = await alice.post('/innovations/new', formFields(sampleInnovation({ title: 'Jeton masqué' })),
        { csrf: false });
    assert.equal(ok.status, 403, 'no token at all');
    const good = await alice.post('/innovations/new',
        { ...formFields(sampleInnovation({ title: 'Jeton masqué' })), csrf: field });
    assert.equal(good.status, 303);
    const flip = (field[70] === '0' ? '1' : '0');
    const tampered = field.slice(0, 70) + flip + field.slice(71);
    for (const bad of [tampered, field.slice(0, 127), field + '0', 'z'.repeat(128), '']) {
        const r = await alice.post('/innovations/new',
            { ...formFields(sampleInnovation({ title: 'Jeton refusé' })), csrf: bad });
        assert.equal(r.status, 403, `csrf=${bad.slice(0, 12)}…(${bad.length})`);
    }
    const bruno = await loginOk(srv.base, srv.users.b.email, srv.users.b.password);
    const other = await alice.post('/innovations/new',
        { ...formFields(sampleInnovation({ title: 'Jeton d\'un autre' })), csrf: bruno.csrf });
    assert.equal(other.status, 403);
});

test('the answer to a POST gets a fresh mask each time', async () => {
    const bad = { ...formFields(sampleInnovation({ title: '' })) };
    const a = await alice.post('/innovations/new', bad);
    const b = await alice.post('/innovations/new', bad);
    assert.equal(a.status, 422);
    assert.equal(b.status, 422);
    assert.notEqual(getCsrf(a.text), getCsrf(b.text));
    assert.equal(unmaskCsrf(getCsrf(a.text)), unmaskCsrf(getCsrf(b.text)));
});
