// login-pow.js — solves the proof of work of a form (the login form's before it is sent; the
// history gate's as soon as its page opens). Past the limit
// of failed logins for an account, a browser the account does not know must find a number N such
// that SHA-256(challenge ":" N) starts with B zero bits (B is the challenge's first field); the
// server checks it once (src/core/login_guard.c). SHA-256 is written here (FIPS 180-4) because
// crypto.subtle is missing on plain-http sites and costs a promise per hash.
'use strict';
(function () {
    const form = document.querySelector('form[data-pow]');
    if (!form)
        return;
    const K = new Uint32Array([
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]);
    const W = new Uint32Array(64);

    // The first 32 bits of SHA-256(bytes) (all the check needs for B <= 32).
    function sha256First32(bytes) {
        const n = bytes.length;
        const blocks = ((n + 9 + 63) >> 6);
        const m = new Uint8Array(blocks * 64);
        m.set(bytes);
        m[n] = 0x80;
        const bits = n * 8;
        m[m.length - 4] = (bits >>> 24) & 0xff;
        m[m.length - 3] = (bits >>> 16) & 0xff;
        m[m.length - 2] = (bits >>> 8) & 0xff;
        m[m.length - 1] = bits & 0xff;
        let h0 = 0x6a09e667, h1 = 0xbb67ae85, h2 = 0x3c6ef372, h3 = 0xa54ff53a;
        let h4 = 0x510e527f, h5 = 0x9b05688c, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
        for (let off = 0; off < m.length; off += 64) {
            for (let i = 0; i < 16; i++)
                W[i] = (m[off + 4 * i] << 24) | (m[off + 4 * i + 1] << 16) |
                       (m[off + 4 * i + 2] << 8) | m[off + 4 * i + 3];
            for (let i = 16; i < 64; i++) {
                const x = W[i - 15], y = W[i - 2];
                const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
                const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
                W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
            }
            let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
            for (let i = 0; i < 64; i++) {
                const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
                const ch = (e & f) ^ (~e & g);
                const t1 = (h + S1 + ch + K[i] + W[i]) | 0;
                const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
                const maj = (a & b) ^ (a & c) ^ (b & c);
                const t2 = (S0 + maj) | 0;
                h = g; g = f; f = e; e = (d + t1) | 0;
                d = c; c = b; b = a; a = (t1 + t2) | 0;
            }
            h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
            h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
        }
        return h0 >>> 0;
    }

    const status = document.getElementById('pow-status');
    const challenge = form.elements.pow_challenge.value;
    const bits = parseInt(challenge.split('.')[0], 10);
    if (!(bits > 0 && bits <= 32))
        return;
    const mask = bits === 32 ? 0xffffffff : ((0xffffffff << (32 - bits)) >>> 0);
    const prefix = new TextEncoder().encode(challenge + ':');
    // data-pow="auto" (the gate before a record's history, web/robots.c): solved as soon as the
    // page opens, then sent; otherwise (login) when the visitor sends the form.
    const auto = form.dataset.pow === 'auto';
    let solving = false;
    if (status)
        status.textContent = 'JavaScript est actif\u202f: la vérification se fera à l\u2019envoi du formulaire.';
    function solve() {
        solving = true;
        if (status)
            status.textContent = 'Vérification de sécurité en cours…';
        let n = 0;
        // Slices of work keep the page responsive and the status readable.
        function slice() {
            const end = n + 20000;
            for (; n < end; n++) {
                const digits = new TextEncoder().encode(String(n));
                const bytes = new Uint8Array(prefix.length + digits.length);
                bytes.set(prefix);
                bytes.set(digits, prefix.length);
                if (((sha256First32(bytes) & mask) >>> 0) === 0) {
                    form.elements.pow_answer.value = String(n);
                    if (status)
                        status.textContent = auto ? 'Vérification faite\u202f: chargement de la page…'
                                                  : 'Vérification faite\u202f: connexion…';
                    form.submit();
                    return;
                }
            }
            setTimeout(slice, 0);
        }
        slice();
    }
    form.addEventListener('submit', (ev) => {
        if (form.elements.pow_answer.value)
            return;
        ev.preventDefault();
        if (!solving)
            solve();
    });
    if (auto)
        solve();
})();
