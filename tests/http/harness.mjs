// harness.mjs — starts a real `foison serve` on 127.0.0.1 for the HTTP tests (fresh demo site in a
// temp dir, copied from a template made once per binary; four accounts with API tokens), and the
// small HTTP helpers the tests share: a cookie jar, form posts with repeated keys, CSRF
// extraction, raw requests through node:http.
// stop() fails when the server did not exit cleanly or printed a sanitizer report, so the same
// tests catch ASan/UBSan findings when FOISON_BIN points to the sanitizer build.
// Run from the repo root: `node --test tests/http/` (FOISON_BIN=build-asan/foison for the sanitizer
// build; FOISON_KEEP_TMP=1 keeps the temp site directories for a post-mortem).
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';

export const BIN = path.resolve(process.env.FOISON_BIN || 'build/foison');
export const DEMO_PASSWORD = 'foison-demo-brest';
const SANITIZER_MARKS = ['AddressSanitizer', 'LeakSanitizer', 'runtime error:'];

const demoJson = JSON.parse(fs.readFileSync(path.resolve('data/demo/innovations.json'), 'utf8'));
export const DEMO_ADMIN = { email: demoJson.authors[0].email, name: demoJson.authors[0].name };

function sanitizerFindings(text) {
    return SANITIZER_MARKS.filter((m) => text.includes(m));
}

/* Runs a CLI command to completion; throws with its output when it fails. */
function runCli(args, input) {
    const r = spawnSync(BIN, args, { input, encoding: 'utf8', timeout: 60000 });
    if (r.error)
        throw r.error;
    if (r.status !== 0)
        throw new Error(`foison ${args.join(' ')} → exit ${r.status}\n${r.stdout}\n${r.stderr}`);
    return r;
}

/* A port free on 127.0.0.1 (bound to 0, the kernel chooses). */
export async function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.unref();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* a and b write wiki-style (trusted: published at once); c is a newcomer whose edits wait for
 * moderation; m moderates. */
const TEST_USERS = {
    a: { email: 'alice.http@test.foison', name: 'Alice Testeuse', password: 'alice-password-1', role: 'trusted' },
    b: { email: 'bruno.http@test.foison', name: 'Bruno Testeur', password: 'bruno-password-2', role: 'trusted' },
    c: { email: 'chloe.http@test.foison', name: 'Chloé Nouvelle', password: 'chloe-password-3', role: 'contributor' },
    m: { email: 'marc.http@test.foison', name: 'Marc Modérateur', password: 'marc-password-4', role: 'moderator' },
};

/* The template every server's site is copied from: `foison demo` then the four accounts (a
 * password hash each) and their API tokens cost ~3 s (~6 s under ASan) and every test file starts
 * at least one server, so they are made once per binary and kept in the temp dir, under a key of
 * what they are made from (the binary, the data files, the accounts), for TEMPLATE_MAX_AGE_MS at
 * most (the demo's dates are relative to when it was made). The CLI runs that made it are checked
 * for sanitizer reports like any other: a report fails every server started from it. Made in a
 * folder of its own then renamed into place, so that two test files starting together never see
 * half a template (the later rename loses and uses the first). */
const TEMPLATE_MAX_AGE_MS = 60 * 60 * 1000;

function templateKey() {
    const h = crypto.createHash('sha256');
    const stamp = (f) => {
        const st = fs.statSync(f, { throwIfNoEntry: false });
        h.update(`${f} ${st ? `${st.size} ${st.mtimeMs} ${st.ino}` : '-'}\n`);
    };
    stamp(BIN);
    for (const f of ['data/communes.tsv', 'data/demo/innovations.json', 'data/demo/network.json',
                     'node_modules/@zxcvbn-ts/language-common/src/passwords.json'])
        stamp(path.resolve(f));
    h.update(JSON.stringify(TEST_USERS));
    h.update(process.env.FOISON_DATADIR || '');
    h.update(process.env.FOISON_BASE_URL || '');
    return h.digest('hex').slice(0, 24);
}

function siteTemplate() {
    const root = os.tmpdir();
    const now = Date.now();
    const final = path.join(root, `foison-http-template-${templateKey()}`);
    // Old templates (other binaries, earlier runs, this one if it got too old) go.
    for (const name of fs.readdirSync(root)) {
        if (!name.startsWith('foison-http-template-') && !name.startsWith('foison-http-making-'))
            continue;
        const p = path.join(root, name);
        const st = fs.statSync(p, { throwIfNoEntry: false });
        if (st && now - st.mtimeMs > TEMPLATE_MAX_AGE_MS)
            fs.rmSync(p, { recursive: true, force: true });
    }
    if (fs.existsSync(path.join(final, 'users.json')))
        return final;
    const work = fs.mkdtempSync(path.join(root, 'foison-http-making-'));
    try {
        const db = path.join(work, 'site.db');
        const reports = [];
        const cli = (args, input) => {
            const r = runCli(args, input);
            for (const m of sanitizerFindings(r.stderr))
                reports.push(`foison ${args[0]}: ${m}\n${r.stderr}`);
            return r;
        };
        cli(['demo', db]);
        const users = structuredClone(TEST_USERS);
        for (const u of Object.values(users)) {
            cli(['user', 'add', db, '--email', u.email, '--name', u.name, '--role', u.role],
                `${u.password}\n`);
            u.token = cli(['token', 'create', db, '--email', u.email]).stdout.trim();
            assert.match(u.token, /^[0-9a-f]{64}$/, 'token create prints a 64-hex token');
        }
        assert.deepEqual(reports, [], `sanitizer report from the CLI:\n${reports.join('\n')}`);
        fs.writeFileSync(path.join(work, 'users.json'), JSON.stringify(users));
        try {
            fs.renameSync(work, final);
        } catch (e) {
            if (!['ENOTEMPTY', 'EEXIST'].includes(e.code))
                throw e;
            fs.rmSync(work, { recursive: true, force: true }); // another test file was first
        }
    } catch (e) {
        fs.rmSync(work, { recursive: true, force: true });
        throw e;
    }
    return final;
}

/* Copies the template's site (the SQLite file and its -gen counter) to db; returns the users
 * (TEST_USERS with their tokens). */
function siteFromTemplate(db) {
    const t = siteTemplate();
    for (const name of fs.readdirSync(t))
        if (name.startsWith('site.db'))
            fs.copyFileSync(path.join(t, name), db + name.slice('site.db'.length));
    return JSON.parse(fs.readFileSync(path.join(t, 'users.json'), 'utf8'));
}

/* Starts a server on a fresh demo site. Returns { base, port, dir, db, users: {a, b}, admin,
 * stderr(), login(email, password), stop() }. */
export async function startServer(opts = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foison-http-'));
    try {
        return await startIn(dir, opts);
    } catch (e) {
        if (!process.env.FOISON_KEEP_TMP)
            fs.rmSync(dir, { recursive: true, force: true });
        throw e;
    }
}

async function startIn(dir, { maxBody, timeout, expected5xx, serveArgs = [], baseUrl, config = {} } = {}) {
    const db = path.join(dir, 'site.db');
    const cliErrors = [];
    const cli = (args, input) => {
        const r = runCli(args, input);
        for (const m of sanitizerFindings(r.stderr))
            cliErrors.push(`foison ${args[0]}: ${m}\n${r.stderr}`);
        return r;
    };
    // The demo site with the test accounts, copied from a template made once per binary.
    const users = siteFromTemplate(db);
    if (baseUrl)
        cli(['config', db, 'base_url', baseUrl]);
    for (const [k, v] of Object.entries(config)) {
        const r = cli(['config', db, k, v]);
        assert.equal(r.status, 0, `foison config ${k} ${v}: ${r.stderr}`);
    }

    let proc, port, stderr = '', exited = null;
    for (let attempt = 0; attempt < 3; attempt++) {
        port = await freePort();
        // The mail worker looks at its queue every 100 ms (2 s by default): tests wait for mails.
        const args = ['serve', db, '--listen', `127.0.0.1:${port}`, '--threads', '2',
                      '--mail-poll-ms', '100'];
        if (maxBody)
            args.push('--max-body', String(maxBody));
        if (timeout)
            args.push('--timeout', String(timeout));
        args.push(...serveArgs);
        stderr = '';
        exited = null;
        proc = spawn(BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
        proc.stderr.setEncoding('utf8');
        proc.stderr.on('data', (d) => { stderr += d; });
        const exitPromise = new Promise((resolve) => proc.on('exit', (code, signal) => {
            exited = { code, signal };
            resolve(exited);
        }));
        proc.exitPromise = exitPromise;
        const base = `http://127.0.0.1:${port}`;
        const deadline = Date.now() + 10000;
        let up = false;
        while (Date.now() < deadline && !exited) {
            try {
                const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) });
                if (r.status === 200 && (await r.text()).trim() === 'ok') {
                    up = true;
                    break;
                }
            } catch { /* not listening yet */ }
            await sleep(50);
        }
        if (up)
            break;
        if (!exited) {
            proc.kill('SIGKILL');
            await exitPromise;
            throw new Error(`foison serve did not answer /healthz within 10 s\n${stderr}`);
        }
        if (!/occupé/.test(stderr) || attempt === 2)
            throw new Error(`foison serve exited early (${JSON.stringify(exited)})\n${stderr}`);
    }
    const base = `http://127.0.0.1:${port}`;
    const server = {
        base, port, dir, db, users, maxBody,
        admin: { ...DEMO_ADMIN, password: DEMO_PASSWORD },
        stderr: () => stderr,
        login: (email, password) => login(base, email, password),
        /* The foison_human cookie (as a Cookie header value) of an anonymous visitor who solved
         * the gate before history and diff pages, earned once per server by really solving it. */
        async human() {
            if (!this.humanCookie) {
                const list = await request(base, '/api/v1/entries?kind=innovation');
                const slug = list.json().entries[0].slug;
                const jar = await proveHuman(base, `/innovations/${slug}/history`);
                this.humanCookie = `foison_human=${jar.get('foison_human')}`;
            }
            return this.humanCookie;
        },
        async stop() {
            if (!exited) {
                proc.kill('SIGTERM');
                const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
                await proc.exitPromise;
                clearTimeout(timer);
            }
            try {
                checkExit();
            } finally {
                if (!process.env.FOISON_KEEP_TMP)
                    fs.rmSync(dir, { recursive: true, force: true });
            }
        },
    };
    function checkExit() {
        const found = sanitizerFindings(stderr);
        assert.deepEqual(found, [], `sanitizer report in the server's stderr:\n${stderr}`);
        assert.deepEqual(cliErrors, [], `sanitizer report from the CLI:\n${cliErrors.join('\n')}`);
        // No request of any test may have ended in a server error (access log: … PATH STATUS Nus).
        // A test that provokes one on purpose names it with the expected5xx option (a RegExp).
        const errors5xx = stderr.split('\n').filter((l) => /^\S+Z \S+ [A-Z]+ .* 5\d\d \d+us/.test(l))
            .filter((l) => !(expected5xx && expected5xx.test(l)));
        assert.deepEqual(errors5xx, [], 'requests answered with 5xx (see the access log)');
        assert.deepEqual(exited, { code: 0, signal: null },
                         `server exit after SIGTERM\n${stderr.slice(-4000)}`);
    }
    return server;
}

/* ---- cookies ---- */

export class CookieJar {
    constructor(init = {}) {
        this.map = new Map(Object.entries(init));
    }
    /* Stores the Set-Cookie headers of a fetch Response or a node:http IncomingMessage. */
    update(res) {
        const list = typeof res.headers?.getSetCookie === 'function'
            ? res.headers.getSetCookie()
            : [].concat(res.headers?.['set-cookie'] || []);
        for (const line of list) {
            const [pair, ...attrs] = line.split(';');
            const eq = pair.indexOf('=');
            const name = pair.slice(0, eq).trim();
            const value = pair.slice(eq + 1).trim();
            const maxAge = attrs.map((a) => a.trim()).find((a) => /^max-age=/i.test(a));
            if (value === '' || (maxAge && Number(maxAge.split('=')[1]) <= 0))
                this.map.delete(name);
            else
                this.map.set(name, value);
        }
    }
    get(name) {
        return this.map.get(name);
    }
    set(name, value) {
        this.map.set(name, value);
    }
    clone() {
        return new CookieJar(Object.fromEntries(this.map));
    }
    header() {
        return [...this.map].map(([k, v]) => `${k}=${v}`).join('; ');
    }
}

function cookieHeader(cookies) {
    if (!cookies)
        return null;
    if (cookies instanceof CookieJar)
        return cookies.header() || null;
    if (typeof cookies === 'string')
        return cookies;
    return Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join('; ');
}

/* ---- requests ---- */

/* fetch with redirect: 'manual'; updates the jar; returns { status, headers, text, json(), res }. */
export async function request(base, p, { method = 'GET', headers = {}, body, cookies } = {}) {
    const h = { ...headers };
    const c = cookieHeader(cookies);
    if (c)
        h.cookie = c;
    const res = await fetch(base + p, { method, headers: h, body, redirect: 'manual' });
    if (cookies instanceof CookieJar)
        cookies.update(res);
    const text = method === 'HEAD' ? '' : await res.text();
    return {
        status: res.status,
        headers: res.headers,
        text,
        res,
        json() { return JSON.parse(text); },
    };
}

/* Form fields as application/x-www-form-urlencoded: an object (array values repeat the key) or
 * a list of [key, value] pairs. */
export function encodeForm(fields) {
    const sp = new URLSearchParams();
    const pairs = Array.isArray(fields) ? fields : Object.entries(fields);
    for (const [k, v] of pairs) {
        if (v === undefined || v === null)
            continue;
        if (Array.isArray(v))
            for (const x of v) sp.append(k, String(x));
        else
            sp.append(k, String(v));
    }
    return sp.toString();
}

/* POSTs a form (fields as in encodeForm, or raw: an already encoded body string/Buffer). */
export async function postForm(base, p, fields, { cookies, headers = {}, raw } = {}) {
    return request(base, p, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: raw !== undefined ? raw : encodeForm(fields),
        cookies,
    });
}

/* The value of the first hidden csrf input of a page. */
export function getCsrf(html) {
    const m = /<input[^>]*name="csrf"[^>]*value="([^"]*)"/.exec(html) ||
              /<input[^>]*value="([^"]*)"[^>]*name="csrf"/.exec(html);
    return m ? m[1] : null;
}

/* A page's csrf field is pad (32 bytes) then token XOR pad, in hex: the token it carries. */
export function unmaskCsrf(field) {
    assert.match(field, /^[0-9a-f]{128}$/, 'a masked csrf field');
    const b = Buffer.from(field, 'hex');
    const t = Buffer.alloc(32);
    for (let i = 0; i < 32; i++)
        t[i] = b[i] ^ b[32 + i];
    return t.toString('hex');
}

/* The value attribute of <input name=NAME> (HTML-decoded), or null. */
export function inputValue(html, name) {
    const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const m = new RegExp(`<input[^>]*name="${esc}"[^>]*value="([^"]*)"`).exec(html);
    return m ? decodeEntities(m[1]) : null;
}

/* The content of <textarea name=NAME> (HTML-decoded), or null. */
export function textareaValue(html, name) {
    const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const m = new RegExp(`<textarea[^>]*name="${esc}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html);
    return m ? decodeEntities(m[1]) : null;
}

export function decodeEntities(s) {
    return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);?/gi, (all, e) => {
        if (e[0] === '#')
            return String.fromCodePoint(e[1] === 'x' || e[1] === 'X'
                ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
        const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", colon: ':', tab: '\t',
                        newline: '\n', nbsp: '\u00a0' };
        return named[e.toLowerCase()] ?? all;
    });
}

/* A logged-in (or anonymous) visitor: its own cookie jar and the CSRF token of its session. */
export class Client {
    constructor(base, jar = new CookieJar()) {
        this.base = base;
        this.jar = jar;
        this.csrf = null;
    }
    get(p, opts = {}) {
        return request(this.base, p, { ...opts, cookies: this.jar });
    }
    /* POSTs fields, adding the session's csrf unless fields already has one or csrf: false. */
    async post(p, fields, { csrf = true, headers, raw } = {}) {
        let f = fields;
        if (csrf && raw === undefined) {
            const has = Array.isArray(f) ? f.some(([k]) => k === 'csrf') : 'csrf' in f;
            if (!has) {
                if (!this.csrf)
                    await this.refreshCsrf();
                f = Array.isArray(f) ? [...f, ['csrf', this.csrf]] : { ...f, csrf: this.csrf };
            }
        }
        return postForm(this.base, p, f, { cookies: this.jar, headers, raw });
    }
    async refreshCsrf(p = '/') {
        const r = await this.get(p);
        this.csrf = getCsrf(r.text);
        return this.csrf;
    }
}

/* Logs in through the real form: GET /login (csrf input + foison_csrf cookie), POST /login.
 * Returns { client, res } where res is the POST's answer (303 on success). */
export async function login(base, email, password, headers) {
    const client = new Client(base);
    const page = await client.get('/login', { headers });
    assert.equal(page.status, 200, 'GET /login');
    const csrf = getCsrf(page.text);
    assert.ok(csrf, 'login page has a csrf input');
    assert.equal(unmaskCsrf(csrf), client.jar.get('foison_csrf'),
        'the csrf input, unmasked, is the foison_csrf cookie');
    const res = await client.post('/login', { email, password, next: '/', csrf }, { headers });
    if (res.status === 303) {
        assert.ok(client.jar.get('foison_session'), 'login sets foison_session');
        await client.refreshCsrf('/');
    }
    return { client, res };
}

/* Logs in and asserts it worked; returns the Client. */
export async function loginOk(base, email, password) {
    const { client, res } = await login(base, email, password);
    assert.equal(res.status, 303, `login of ${email} → 303 (got ${res.status})`);
    assert.ok(client.csrf, 'a logged-in page carries the session csrf');
    return client;
}

/* ---- raw node:http ---- */

/* One request through node:http (for HEAD, agents, oversized or chunked bodies). Resolves
 * { status, headers, body (string), raw (the bytes as sent: Buffer), socket, reusedSocket }; a
 * reset after the answer started still resolves. */
export function rawRequest(base, p, { method = 'GET', headers = {}, body, agent, chunks } = {}) {
    const u = new URL(base + p);
    return new Promise((resolve, reject) => {
        const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search,
                                   method, headers, agent: agent ?? false });
        let socket = null;
        req.on('socket', (s) => { socket = s; });
        req.on('response', (res) => {
            const parts = [];
            res.on('data', (d) => parts.push(d));
            res.on('end', () => resolve({ status: res.statusCode, headers: res.headers,
                                          body: Buffer.concat(parts).toString('utf8'),
                                          raw: Buffer.concat(parts),
                                          socket, reusedSocket: req.reusedSocket }));
            res.on('error', reject);
        });
        req.on('error', (e) => {
            // The server may answer before reading a whole oversized body and close; the answer
            // event has fired by then, so only a real failure gets here.
            reject(e);
        });
        if (chunks) {
            for (const c of chunks)
                req.write(c);
            req.end();
        } else {
            req.end(body);
        }
    });
}

/* ---- page scraping ---- */

/* The cards (<li class="card">) of a list page: { url, title, commune, themes, status }. */
export function parseCards(html) {
    const cards = [];
    const re = /<li class="card">([\s\S]*?)<\/li>/g;
    let m;
    while ((m = re.exec(html))) {
        const c = m[1];
        const link = /<h3><a href="([^"]*)">([\s\S]*?)<\/a><\/h3>/.exec(c);
        const meta = /<p class="meta">([\s\S]*?)<\/p>/.exec(c)?.[1] ?? '';
        const spans = [...meta.matchAll(/<span(?: class="([^"]*)")?>([\s\S]*?)<\/span>/g)];
        // The commune span is marked by its class (or, in older templates, a pin).
        const isCommune = (s) => s[1] === 'commune' || (!s[1] && s[2].startsWith('📍'));
        const commune = spans.find(isCommune);
        const themes = spans.find((s) => (!s[1] || s[1] === 'themes') && !isCommune(s));
        const status = spans.find((s) => s[1] === 'status');
        cards.push({
            url: link && decodeEntities(link[1]),
            title: link && decodeEntities(link[2]),
            commune: commune ? decodeEntities(commune[2].replace('📍', '').trim()) : null,
            themes: themes ? decodeEntities(themes[2]).split(', ') : [],
            status: status ? decodeEntities(status[2]) : null,
        });
    }
    return cards;
}

/* A valid innovation (form or API field names); override with extra. */
/* Each sample has a text of its own (a numbered last line): the same text saved by several
 * accounts on several records is a spam signal. */
let sampleSeq = 0;
export function sampleInnovation(extra = {}) {
    sampleSeq++;
    return {
        title: 'Atelier de réparation de vélos à Plouarzel',
        summary: 'Un atelier associatif où chacun apprend à réparer son vélo avec des bénévoles.',
        description: 'Chaque samedi matin, des bénévoles accueillent les habitants pour réparer '
            + `ensemble leurs vélos.\n\nLes pièces viennent de vélos donnés (fiche d'essai ${sampleSeq}).`,
        themes: ['mobilite', 'transition-ecologique'],
        commune: '29177',
        status: 'en-cours',
        license: 'CC-BY-SA-4.0',
        ...extra,
    };
}

/* The same as form fields (point → point.lat/point.lon). */
export function formFields(inn) {
    const out = { ...inn };
    if (inn.point) {
        out['point.lat'] = inn.point.lat;
        out['point.lon'] = inn.point.lon;
    }
    delete out.point;
    return out;
}

/* API helpers */
export async function apiJson(base, p, { method = 'GET', token, body, headers = {} } = {}) {
    const h = { ...headers };
    if (token)
        h.authorization = `Bearer ${token}`;
    if (body !== undefined && !('content-type' in h))
        h['content-type'] = 'application/json';
    const r = await request(base, p, {
        method, headers: h, body: body === undefined ? undefined
            : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });
    let json = null;
    try { json = JSON.parse(r.text); } catch { /* left null; tests assert on it */ }
    return { ...r, json };
}

export async function apiTotal(base) {
    const r = await apiJson(base, '/api/v1/entries?kind=innovation');
    assert.equal(r.status, 200);
    return r.json.total;
}

/* ---- the gate before history and diff (web/robots.c) ---- */

/* The answer to a proof-of-work challenge "BITS.EXPIRES.NONCE.MAC": the first N such that
 * SHA-256(challenge ":" N) starts with BITS zero bits, as static/login-pow.js finds it. */
export function solvePow(challenge) {
    const bits = parseInt(challenge.split('.')[0], 10);
    assert.ok(bits > 0 && bits <= 32, `challenge bits: ${challenge}`);
    for (let n = 0; ; n++) {
        const h = crypto.createHash('sha256').update(`${challenge}:${n}`).digest();
        if ((h.readUInt32BE(0) >>> (32 - bits)) === 0)
            return String(n);
    }
}

/* Gets the gate page of p (a history or diff page) as an anonymous visitor, solves its proof
 * of work and posts it; returns the CookieJar holding foison_human. */
export async function proveHuman(base, p, jar = new CookieJar()) {
    const gate = await request(base, p, { cookies: jar });
    assert.equal(gate.status, 200, `gate of ${p}`);
    const challenge = inputValue(gate.text, 'pow_challenge');
    assert.ok(challenge, `${p} shows the gate (a proof-of-work challenge)`);
    const r = await postForm(base, '/verification', {
        csrf: getCsrf(gate.text), next: inputValue(gate.text, 'next'),
        stamp: inputValue(gate.text, 'stamp'), pow_challenge: challenge,
        pow_answer: solvePow(challenge),
    }, { cookies: jar });
    assert.equal(r.status, 303, `the solved gate of ${p} → 303 (got ${r.status})`);
    assert.ok(jar.get('foison_human'), 'the solved gate sets foison_human');
    return jar;
}
