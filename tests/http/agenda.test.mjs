// agenda.test.mjs — events in time: series created through the API (every Tuesday across the
// March change of summer time, the first Saturday of the month), a cancelled date and a changed
// one; /agenda by week and by month with its filters; the .ics of an event and the /agenda.ics
// feed read by a real parser (tests/tools/ics-check.py: python3-icalendar, dateutil.rrule) whose
// occurrences must be the site's own; events pending, hidden or deleted never listed; the form's
// series without JavaScript; bad input refused with field errors and nothing written.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, apiJson, request, loginOk, getCsrf, inputValue } from './harness.mjs';

let srv, alice, place, actor;

before(async () => {
    srv = await startServer();
    alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    place = await createOk('place', { title: 'Médiathèque des Capucins', summary: 'Un lieu de test.', address: { commune: '29019' } });
    actor = await createOk('actor', { title: 'Collectif Agenda Test', summary: 'Organise des ateliers.' });
});

after(async () => {
    await srv?.stop();
});

const api = (p, opts) => apiJson(srv.base, p, opts);
// The CLI waits for the server's write lock (a busy file would fail the statement silently).
const sqlite = (sql) => {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, sql], { encoding: 'utf8' });
    assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
    return r.stdout.trim();
};

async function create(fields, token = srv.users.a.token) {
    return api('/api/v1/entries', { method: 'POST', token, body: { kind: 'event', ...fields } });
}

async function createOk(kind, fields, token = srv.users.m.token) {
    const r = await api('/api/v1/entries', { method: 'POST', token, body: { kind, ...fields } });
    assert.equal(r.status, 201, `${kind}: ${r.text}`);
    return r.json;
}

/* The parser's view of a calendar: {events: {UID: {summary, occurrences}}}. */
function icsCheck(text) {
    const r = spawnSync('/usr/bin/python3', ['tests/tools/ics-check.py', '-'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, `ics-check: ${r.stderr}\n${text.slice(0, 3000)}`);
    return JSON.parse(r.stdout);
}

/* The occurrences of an agenda page: [{slug, start (UTC ISO)}] in page order. */
function agendaItems(html) {
    const out = [];
    const re = /<time datetime="([^"]+)">[^<]*<\/time>(?:[^<]|<(?!h4))*<h4><a href="\/evenements\/([a-z0-9-]+)">/g;
    for (let m; (m = re.exec(html));)
        out.push({ slug: m[2], start: new Date(m[1]).toISOString().replace('.000Z', 'Z') });
    return out;
}

async function agenda(query, client) {
    const r = client ? await client.get(`/agenda${query}`) : await request(srv.base, `/agenda${query}`);
    assert.equal(r.status, 200, `/agenda${query}`);
    return agendaItems(r.text);
}

const slugsOf = (items) => [...new Set(items.map((i) => i.slug))];

let tuesday, moved, saturday;

test('a weekly series across the March change, a cancelled date and a changed one', async () => {
    let r = await create({
        title: 'Atelier numérique du mardi', summary: 'Chaque mardi, on répare nos ordinateurs.',
        start: '2027-03-02T18:00', end: '2027-03-02T20:00', event_type: 'atelier',
        recurrence: 'rrule:freq=weekly;byday=tu;until=20270413', exceptions: ['2027-03-16'],
        themes: ['numerique'], located_at: [place.slug], organised_by: [actor.slug],
        address: { commune: '29019' }, price: 'gratuit',
    });
    assert.equal(r.status, 201, r.text);
    tuesday = r.json;
    // The API writes RFC 3339 with the Paris offset, the rule as stored.
    assert.equal(tuesday.start, '2027-03-02T18:00:00+01:00');
    assert.equal(tuesday.recurrence, 'FREQ=WEEKLY;UNTIL=20270413;BYDAY=TU');
    r = await create({
        title: 'Atelier du mardi déplacé', summary: 'Ce mardi-là, à la Maison du numérique.',
        start: '2027-03-23T19:00:00+01:00', end: '2027-03-23T21:00', series: [tuesday.slug],
        replaces: '2027-03-23T17:00:00Z', themes: ['numerique'],
    });
    assert.equal(r.status, 201, r.text);
    moved = r.json;
    assert.equal(moved.replaces, '2027-03-23T18:00:00+01:00');
    r = await create({
        title: 'Samedi des familles', summary: 'Le premier samedi du mois.',
        start: '2027-03-06T10:00', end: '2027-03-06T12:00', event_type: 'rencontre',
        recurrence: 'FREQ=MONTHLY;BYDAY=1SA;COUNT=4', themes: ['culture'], price: 'payant',
    });
    assert.equal(r.status, 201, r.text);
    saturday = r.json;
    assert.equal(saturday.end, '2027-03-06T12:00:00+01:00');
    const plain = await api(`/api/v1/entries/${moved.slug}`);
    assert.equal(plain.json.recurrence, null);

    // The month views: 18:00 in Paris on both sides of 28 March, 16 March left out, 23 March
    // at 19:00 as the changed event.
    const march = await agenda('?vue=mois&mois=2027-03');
    const april = await agenda('?vue=mois&mois=2027-04');
    const mine = (items, slugs) => items.filter((i) => slugs.includes(i.slug));
    const series = [tuesday.slug, moved.slug];
    assert.deepEqual(mine([...march, ...april], series), [
        { slug: tuesday.slug, start: '2027-03-02T17:00:00Z' },
        { slug: tuesday.slug, start: '2027-03-09T17:00:00Z' },
        { slug: moved.slug, start: '2027-03-23T18:00:00Z' },
        { slug: tuesday.slug, start: '2027-03-30T16:00:00Z' },
        { slug: tuesday.slug, start: '2027-04-06T16:00:00Z' },
        { slug: tuesday.slug, start: '2027-04-13T16:00:00Z' },
    ]);
    assert.deepEqual(mine([...march, ...april], [saturday.slug]).map((i) => i.start),
                     ['2027-03-06T09:00:00Z', '2027-04-03T08:00:00Z']);
    // In order of start.
    const starts = march.map((i) => i.start);
    assert.deepEqual(starts, [...starts].sort());

    // The week of a Wednesday is the week from its Monday.
    const week = await agenda('?vue=semaine&semaine=2027-03-10');
    assert.deepEqual(mine(week, [...series, saturday.slug]), [{ slug: tuesday.slug, start: '2027-03-09T17:00:00Z' }]);
    const weekPage = await request(srv.base, '/agenda?vue=semaine&semaine=2027-03-10');
    assert.match(weekPage.text, /Semaine du lundi 8 mars 2027/);
    assert.match(weekPage.text, /href="\/agenda\?vue=semaine&amp;semaine=2027-03-01"/);
    assert.match(weekPage.text, /href="\/agenda\?vue=semaine&amp;semaine=2027-03-15"/);
    assert.match(weekPage.text, /<a href="\/agenda\?vue=semaine" aria-current="page">Semaine<\/a>/);
    const monthPage = await request(srv.base, '/agenda?vue=mois&mois=2027-03');
    assert.match(monthPage.text, /Mars 2027/);
    assert.match(monthPage.text, /href="\/agenda\?vue=mois&amp;mois=2027-02"/);
    assert.match(monthPage.text, /href="\/agenda\?vue=mois&amp;mois=2027-04"/);
    assert.match(monthPage.text, /<a href="\/lieux\/[a-z0-9-]+">Médiathèque des Capucins<\/a>/);
    // Past months stay browsable; a date that is none is a 404.
    assert.equal((await request(srv.base, '/agenda?vue=mois&mois=2020-01')).status, 200);
    assert.equal((await request(srv.base, '/agenda?vue=mois&mois=2027-13')).status, 404);
    assert.equal((await request(srv.base, '/agenda?vue=semaine&semaine=2027-02-30')).status, 404);
    // The default view, from today, holds the series (it lies in the future).
    const upcoming = await agenda('');
    assert.ok(upcoming.some((i) => i.slug === tuesday.slug));
});

test('the record of a series: its rule in French, its dates, cancelled and changed', async () => {
    const r = await request(srv.base, `/evenements/${tuesday.slug}`);
    assert.equal(r.status, 200);
    assert.match(r.text, /puis chaque mardi, jusqu&#39;au 13 avril 2027/);
    assert.match(r.text, /<h3>Dates annulées<\/h3>\s*<ul class="cancelled-dates"><li>mardi 16 mars 2027<\/li>/);
    assert.match(r.text, new RegExp(`La séance du mardi 23 mars 2027 est remplacée par <a href="/evenements/${moved.slug}">`));
    assert.match(r.text, new RegExp(`href="/evenements/${tuesday.slug}.ics"[^>]*>Ajouter à mon agenda`));
    const m = await request(srv.base, `/evenements/${moved.slug}`);
    assert.match(m.text, new RegExp(`Cette séance remplace celle du mardi 23 mars 2027 à 18 h de la série <a href="/evenements/${tuesday.slug}">`));
    const s = await request(srv.base, `/evenements/${saturday.slug}`);
    assert.match(s.text, /le 1er samedi de chaque mois, 4 fois/);
});

test('the .ics of a series, read by a real parser, has the site\'s own dates', async () => {
    const r = await request(srv.base, `/evenements/${tuesday.slug}.ics`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/calendar; charset=utf-8');
    assert.match(r.text, /^BEGIN:VCALENDAR\r\n/);
    assert.match(r.text, /\r\nMETHOD:PUBLISH\r\n/);
    assert.match(r.text, /\r\nDTSTART;TZID=Europe\/Paris:20270302T180000\r\n/);
    assert.match(r.text, /\r\nEXDATE;TZID=Europe\/Paris:20270316T180000\r\n/);
    assert.match(r.text, /\r\nRECURRENCE-ID;TZID=Europe\/Paris:20270323T180000\r\n/);
    assert.match(r.text, /\r\nLOCATION:Médiathèque des Capucins\\, /);
    assert.match(r.text, /\r\nCATEGORIES:Numérique\r\n/);
    const cal = icsCheck(r.text);
    const ev = Object.values(cal.events);
    assert.equal(ev.length, 1);
    const site = [...await agenda('?vue=mois&mois=2027-03'), ...await agenda('?vue=mois&mois=2027-04')]
        .filter((i) => i.slug === tuesday.slug || i.slug === moved.slug).map((i) => i.start);
    assert.deepEqual(ev[0].occurrences, site);
    const sat = icsCheck((await request(srv.base, `/evenements/${saturday.slug}.ics`)).text);
    assert.deepEqual(Object.values(sat.events)[0].occurrences,
                     ['2027-03-06T09:00:00Z', '2027-04-03T08:00:00Z', '2027-05-01T08:00:00Z', '2027-06-05T08:00:00Z']);
    // The changed event on its own: the series' instance.
    const one = await request(srv.base, `/evenements/${moved.slug}.ics`);
    assert.match(one.text, new RegExp(`UID:${tuesday.slug}@`));
    assert.equal((await request(srv.base, '/evenements/nothing-here.ics')).status, 404);
    assert.equal((await request(srv.base, `/acteurs/${actor.slug}.ics`)).status, 404);
});

test('/agenda.ics: the whole feed and per theme, place, organiser, read by the parser', async () => {
    const all = await request(srv.base, '/agenda.ics');
    assert.equal(all.status, 200);
    assert.equal(all.headers.get('transfer-encoding'), 'chunked');
    const cal = icsCheck(all.text);
    const uids = Object.keys(cal.events);
    assert.ok(uids.some((u) => u.startsWith(`${tuesday.slug}@`)));
    assert.ok(uids.some((u) => u.startsWith(`${saturday.slug}@`)));
    assert.ok(!uids.some((u) => u.startsWith(`${moved.slug}@`)), 'a changed date goes with its series');
    // The demo's own events are there too: only ours are looked at.
    const ours = (cal) => Object.keys(cal.events).map((u) => u.split('@')[0])
        .filter((s) => [tuesday.slug, saturday.slug, moved.slug].includes(s));
    const byTheme = icsCheck((await request(srv.base, '/agenda.ics?theme=culture')).text);
    assert.deepEqual(ours(byTheme), [saturday.slug]);
    const byPlace = icsCheck((await request(srv.base, `/agenda.ics?lieu=${place.slug}`)).text);
    assert.deepEqual(Object.keys(byPlace.events).map((u) => u.split('@')[0]), [tuesday.slug]);
    const byActor = icsCheck((await request(srv.base, `/agenda.ics?organisateur=${actor.slug}&commune=29019`)).text);
    assert.deepEqual(Object.keys(byActor.events).map((u) => u.split('@')[0]), [tuesday.slug]);
    assert.equal((await request(srv.base, '/agenda.ics?lieu=nowhere')).status, 404);
    const head = await request(srv.base, '/agenda.ics', { method: 'HEAD' });
    assert.equal(head.status, 200);
});

test('the agenda\'s filters, as a GET form', async () => {
    const q = '?vue=mois&mois=2027-03';
    const ourSlugs = () => [tuesday.slug, saturday.slug, moved.slug];
    const slugsOf = (items) => [...new Set(items.map((i) => i.slug))].filter((s) => ourSlugs().includes(s));
    assert.deepEqual(slugsOf(await agenda(`${q}&theme=culture`)), [saturday.slug]);
    assert.deepEqual(slugsOf(await agenda(`${q}&tarif=payant`)), [saturday.slug]);
    assert.deepEqual(slugsOf(await agenda(`${q}&type=rencontre&theme=culture`)), [saturday.slug]);
    assert.deepEqual(slugsOf(await agenda(`${q}&lieu=${place.slug}`)), [tuesday.slug]);
    assert.deepEqual(slugsOf(await agenda(`${q}&organisateur=${actor.slug}`)), [tuesday.slug]);
    assert.deepEqual(slugsOf(await agenda(`${q}&commune=29019&theme=numerique`)).sort(), [tuesday.slug]);
    assert.deepEqual(slugsOf(await agenda(`${q}&type=conference&theme=culture`)), []);
    const page = await request(srv.base, `/agenda${q}&theme=culture`);
    assert.match(page.text, /<form method="get" action="\/agenda"/);
    assert.match(page.text, /<input type="hidden" name="vue" value="mois"><input type="hidden" name="mois" value="2027-03">/);
    assert.match(page.text, /<option value="culture" selected>Culture<\/option>/);
    assert.match(page.text, new RegExp(`<option value="${place.slug}">Médiathèque des Capucins</option>`));
    assert.match(page.text, /href="\/agenda.ics\?theme=culture"/);
    assert.match(page.text, /Les événements à venir|Mars 2027/);
    const unknown = await request(srv.base, `/agenda${q}&theme=nope`);
    assert.match(unknown.text, /Ce filtre ne correspond à aucune valeur connue/);
    assert.deepEqual(agendaItems(unknown.text), []);
    // /evenements is the agenda's, its query kept.
    const r = await request(srv.base, '/evenements?theme=culture&type=atelier');
    assert.equal(r.status, 301);
    assert.equal(r.headers.get('location'), '/agenda?theme=culture&type=atelier');
});

test('pending, hidden and deleted events never appear in the agenda nor in a calendar', async () => {
    const fields = (title) => ({
        title, summary: 'Ne doit pas paraître.', start: '2027-03-03T18:00', end: '2027-03-03T19:00',
        recurrence: 'FREQ=WEEKLY;COUNT=3', themes: ['numerique'],
    });
    const pending = await create(fields('Atelier en attente'), srv.users.c.token);
    assert.equal(pending.status, 201, pending.text);
    assert.equal(pending.json.state, 'pending');
    const hidden = (await create(fields('Atelier retiré'))).json;
    const deleted = (await create(fields('Atelier supprimé'))).json;
    const q = '?vue=mois&mois=2027-03&tarif=gratuit';
    let listed = slugsOf(await agenda(q, alice));
    assert.ok(listed.includes(hidden.slug) && listed.includes(deleted.slug));
    sqlite(`UPDATE entries SET hidden = 1 WHERE slug = '${hidden.slug}'; UPDATE entries SET deleted = 1 WHERE slug = '${deleted.slug}'`);
    const never = [pending.json.slug, hidden.slug, deleted.slug];
    listed = slugsOf(await agenda(`${q}&theme=numerique`, alice));
    assert.ok(listed.includes(tuesday.slug));
    for (const slug of never)
        assert.ok(!listed.includes(slug), `${slug} listed`);
    const feed = icsCheck((await request(srv.base, '/agenda.ics?theme=numerique')).text);
    for (const slug of never) {
        assert.ok(!Object.keys(feed.events).some((u) => u.startsWith(`${slug}@`)), `${slug} in the feed`);
        assert.equal((await request(srv.base, `/evenements/${slug}.ics`)).status, 404, `${slug}.ics`);
    }
    // A hidden changed date gives the series its own date back.
    sqlite(`UPDATE entries SET hidden = 1 WHERE slug = '${moved.slug}'`);
    const back = (await agenda('?vue=mois&mois=2027-03&lieu=' + place.slug, alice)).map((i) => i.start);
    assert.ok(back.includes('2027-03-23T17:00:00Z'));
    sqlite(`UPDATE entries SET hidden = 0 WHERE slug = '${moved.slug}'`);
});

test('bad dates and rules are refused with field errors, nothing written', async () => {
    const count = () => sqlite("SELECT count(*) FROM entries WHERE kind = 'event'");
    const before = count();
    const base = { title: 'Atelier refusé', summary: 'Ne doit pas être enregistré.', start: '2027-01-05T18:00', end: '2027-01-05T20:00' };
    const cases = [
        [{ end: '2027-01-05T17:00' }, 'end', /après le début/],
        [{ recurrence: 'FREQ=WEEKLY;BYDAY=TU' }, 'recurrence', /doit finir/],
        [{ recurrence: 'FREQ=DAILY;COUNT=600' }, 'recurrence', /plus de 500/],
        [{ recurrence: 'FREQ=DAILY;UNTIL=20400101' }, 'recurrence', /plus de 500/],
        [{ recurrence: 'FREQ=SOMETIMES;COUNT=3' }, 'recurrence', /illisible/],
        [{ recurrence: 'FREQ=HOURLY;COUNT=3' }, 'recurrence', /chaque jour/],
        [{ recurrence: 'FREQ=MONTHLY;BYDAY=1SA;COUNT=3' }, 'recurrence', /le début doit être/],
        [{ start: '2027-03-28T02:30' }, 'start', /n'existe pas/],
        [{ start: '2027-01-05T18:00+01' }, 'start', /attendues/],
        [{ exceptions: ['2027-02-30'] }, 'exceptions', /AAAA-MM-JJ/],
    ];
    for (const [extra, field, message] of cases) {
        const r = await create({ ...base, ...extra });
        assert.equal(r.status, 422, `${JSON.stringify(extra)}: ${r.text}`);
        const err = r.json.errors.find((e) => e.field === field);
        assert.ok(err, `${JSON.stringify(extra)}: error on ${field}: ${r.text}`);
        assert.match(err.message, message);
    }
    // An edit that would make the series endless is refused too.
    const put = await api(`/api/v1/entries/${saturday.slug}`, {
        method: 'PUT', token: srv.users.a.token,
        body: { base_revision: saturday.revision, recurrence: 'FREQ=MONTHLY;BYDAY=1SA' },
    });
    assert.equal(put.status, 422, put.text);
    assert.equal(count(), before);
    assert.equal((await api(`/api/v1/entries/${saturday.slug}`)).json.revision, saturday.revision);
});

test('the form: a series chosen without JavaScript, shown again as chosen', async () => {
    const form = await alice.get('/evenements/new');
    assert.equal(form.status, 200);
    assert.match(form.text, /<select id="recurrence.repeat" name="recurrence.repeat">/);
    assert.match(form.text, /<option value="monthly-weekday">Chaque mois, le même jour de la semaine/);
    assert.match(form.text, /<input type="text" id="exceptions" name="exceptions"/);
    const fields = {
        title: 'Permanence du premier samedi', summary: 'Une permanence chaque premier samedi.',
        event_type: 'rencontre', start: '2027-02-06T10:00', end: '2027-02-06T12:00',
        'recurrence.repeat': 'monthly-weekday', 'recurrence.end': 'count', 'recurrence.count': '3',
        recurrence: '', exceptions: '2027-03-06', price: 'gratuit', registration: 'aucune',
        license: 'CC-BY-SA-4.0', started: inputValue(form.text, 'started'),
    };
    // Without an end, the reason is said and the choice kept.
    const bad = await alice.post('/evenements/new', { ...fields, 'recurrence.count': '' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /doit finir/);
    assert.match(bad.text, /<option value="monthly-weekday" selected>/);
    const r = await alice.post('/evenements/new', fields);
    assert.equal(r.status, 303, r.text.slice(0, 2000));
    const slug = r.headers.get('location').split('/').pop().split('?')[0];
    assert.match(r.headers.get('location'), /^\/evenements\//, r.headers.get('location'));
    const ev = await api(`/api/v1/entries/${slug}`, { token: srv.users.a.token });
    assert.equal(ev.status, 200, `${r.headers.get('location')} ${ev.text}`);
    // (held for moderation: a form filled in a few milliseconds is a spam signal)
    assert.equal(ev.json.recurrence, 'FREQ=MONTHLY;COUNT=3;BYDAY=1SA');
    assert.deepEqual(ev.json.exceptions, ['2027-03-06']);
    const edit = await alice.get(`/evenements/${slug}/edit`);
    assert.match(edit.text, /<option value="monthly-weekday" selected>/);
    assert.match(edit.text, /name="recurrence.count" value="3"/);
    assert.match(edit.text, /name="exceptions"[^>]*value="2027-03-06"/);
    const rec = await alice.get(`/evenements/${slug}`);
    assert.match(rec.text, /le 1er samedi de chaque mois, 3 fois/);
    // A rule the selects cannot say is shown as typed.
    const custom = await create({ ...fields, recurrence: 'FREQ=WEEKLY;BYDAY=SA,SU;COUNT=4', 'recurrence.repeat': undefined,
        'recurrence.end': undefined, 'recurrence.count': undefined, started: undefined, title: 'Week-ends du jeu' });
    assert.equal(custom.status, 201, custom.text);
    const cedit = await alice.get(`/evenements/${custom.json.slug}/edit`);
    assert.match(cedit.text, /<option value="custom" selected>/);
    assert.match(cedit.text, /value="FREQ=WEEKLY;COUNT=4;BYDAY=SA,SU"/);
    void getCsrf;
});
