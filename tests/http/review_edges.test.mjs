// review_edges.test.mjs — edges found reviewing the CORS, record map and picker changes: an API
// read refused before its handler (a query that is not UTF-8, an unknown /api/ address) is
// still readable by the other site that asked, so it sees the error rather than a CORS failure;
// a coordinate within half a unit of the fifth decimal of zero is written "0", never "-0", on the
// record map's caption and links.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, apiJson, rawRequest, decodeEntities, sampleInnovation } from './harness.mjs';

let srv;
const NNBSP = '\u202f';

before(async () => {
    srv = await startServer({ config: { rate_edits_new: '1000', rate_edits: '1000' } });
});

after(async () => {
    await srv?.stop();
});

test('an API read refused before its handler still carries Access-Control-Allow-Origin: *', async () => {
    const origin = { origin: 'https://autre-site.example' };
    for (const path of ['/api/v1/entries?kind=%FF', '/api/v1/search?q=%C3', '/api/v1/pas-de-route']) {
        const r = await rawRequest(srv.base, path, { headers: origin });
        assert.ok(r.status === 400 || r.status === 404, `${path}: ${r.status}`);
        assert.equal(r.headers['access-control-allow-origin'], '*', `${path} (${r.status})`);
        assert.equal(r.headers['access-control-allow-credentials'], undefined, path);
    }
    // Writes still are not open, refused or not.
    const post = await rawRequest(srv.base, '/api/v1/entries?kind=%FF', { method: 'POST', headers: { ...origin, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(post.headers['access-control-allow-origin'], undefined, `POST (${post.status})`);
});

test('a longitude a hair west of Greenwich: "0" on the record map, never "-0"', async () => {
    const { a } = srv.users;
    const r = await apiJson(srv.base, '/api/v1/entries', { method: 'POST', token: a.token,
        body: { kind: 'innovation', ...sampleInnovation({ title: 'La fiche de Greenwich', point: { lat: 48.4, lon: -0.000001 } }) } });
    assert.equal(r.status, 201, r.text);
    const html = (await request(srv.base, `/innovations/${r.json.slug}`)).text;
    const fig = /<figure class="record-map">([\s\S]*?)<\/figure>/.exec(html);
    assert.ok(fig, 'the map is drawn');
    const caption = decodeEntities(/<figcaption>([\s\S]*?)<\/figcaption>/.exec(fig[1])[1].replace(/<[^>]+>/g, ''));
    assert.ok(caption.includes(`48,4${NNBSP}; 0`), caption);
    assert.doesNotMatch(fig[1], /-0[^.,\d]/, 'no negative zero in the caption or the links');
    assert.ok(fig[1].includes('href="/carte?vue=15/48.4/0"'), fig[1]);
});
