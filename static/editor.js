// editor.js — the entry forms' editor (web/entry_form.c), all of it progressive enhancement: the
// form works as it is without this script.
// - A Markdown toolbar over each Markdown textarea (bold, italic, heading, list, link, image,
//   quote), made of real buttons inside a <markdown-toolbar> (@github/markdown-toolbar-element,
//   served from its npm package as markdown-toolbar.js), with Ctrl/Cmd+B, +I and +K.
// - An "Aperçu" toggle per textarea: the text as the record page would show it, rendered by the
//   server (POST /api/v1/preview with the form's CSRF token), in a live region.
// - Drafts that survive a closed tab: the form's fields kept in localStorage under the form's
//   address and base revision, offered back when the page is opened again with another text,
//   forgotten after a save (on the page after it, which carries data-draft-saved, or when the
//   record's revision has moved since the text was sent).
// - After a failed submit the error summary has the focus (autofocus, here made sure), and its
//   links put the focus in the input itself.
(function () {
    'use strict';

    const PREFIX = 'foison-brouillon:';
    const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août',
        'septembre', 'octobre', 'novembre', 'décembre'];

    // ---- storage (localStorage may be missing, full or refused: then no drafts) ----
    function store() {
        try {
            return window.localStorage;
        } catch (e) {
            return null;
        }
    }
    function readDraft(key) {
        const s = store();
        try {
            const d = s && JSON.parse(s.getItem(key) || 'null');
            return d && typeof d === 'object' && d.fields ? d : null;
        } catch (e) {
            return null;
        }
    }
    function writeDraft(key, d) {
        const s = store();
        try {
            if (s)
                s.setItem(key, JSON.stringify(d));
        } catch (e) { /* full or refused: the form still works */ }
    }
    function removeDraft(key) {
        const s = store();
        try {
            if (s)
                s.removeItem(key);
        } catch (e) { /* nothing to do */ }
    }
    function draftKeys(prefix) {
        const s = store();
        const out = [];
        try {
            for (let i = 0; s && i < s.length; i++) {
                const k = s.key(i);
                if (k && k.startsWith(prefix))
                    out.push(k);
            }
        } catch (e) { /* none */ }
        return out;
    }

    // The page after a save: the draft that was sent is saved now.
    if (document.querySelector('.flash[data-draft-saved]')) {
        for (const k of draftKeys(PREFIX)) {
            const d = readDraft(k);
            if (d && d.sent)
                removeDraft(k);
        }
    }

    const form = document.querySelector('form.entry-form[data-draft]');
    if (!form)
        return;

    // ---- the error summary ----
    const summary = document.querySelector('.error-summary');
    if (summary) {
        if (document.activeElement === document.body || !document.activeElement)
            summary.focus();
        summary.addEventListener('click', (e) => {
            const a = e.target.closest('a[href^="#"]');
            if (!a)
                return;
            const target = document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)));
            if (!target || !/^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))
                return;
            e.preventDefault();
            if (target.closest('.md-editor'))
                showEditor(target);
            // The label or legend in view with the input: a person sees what the input is for.
            const field = target.closest('.field');
            (field || target).scrollIntoView({ block: 'start' });
            target.focus({ preventScroll: true });
        });
    }

    // ---- the toolbar and the preview ----
    const BUTTONS = [
        { style: 'bold', text: 'G', name: 'Gras', key: 'b', cls: 'md-bold' },
        { style: 'italic', text: 'I', name: 'Italique', key: 'i', cls: 'md-italic' },
        { style: 'header-3', text: 'Titre', name: 'Titre' },
        { style: 'unordered-list', text: 'Liste', name: 'Liste à puces' },
        { style: 'link', text: 'Lien', name: 'Lien', key: 'k' },
        { style: 'image', text: 'Image', name: 'Image' },
        { style: 'quote', text: 'Citation', name: 'Citation' },
    ];
    const csrfInput = form.querySelector('input[name="csrf"]');
    const previewUrl = form.dataset.preview;

    function labelOf(textarea) {
        const l = document.querySelector(`label[for="${CSS.escape(textarea.id)}"]`);
        return l ? l.textContent.replace(/\*/g, '').trim() : textarea.name;
    }

    function showEditor(textarea) {
        const ed = textarea.closest('.md-editor');
        if (!ed || !ed.classList.contains('previewing'))
            return;
        ed.classList.remove('previewing');
        ed.querySelector('.md-toggle').setAttribute('aria-pressed', 'false');
        ed.querySelector('markdown-toolbar').hidden = false;
        textarea.hidden = false;
        ed.querySelector('.md-live').hidden = true;
    }

    async function showPreview(textarea, live) {
        live.replaceChildren();
        const status = document.createElement('p');
        status.className = 'md-status';
        status.textContent = 'Aperçu en cours…';
        live.append(status);
        let message = null;
        try {
            const r = await fetch(previewUrl, {
                method: 'POST',
                credentials: 'same-origin',
                headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfInput ? csrfInput.value : '' },
                body: JSON.stringify({ markdown: textarea.value }),
            });
            const body = await r.json().catch(() => null);
            if (r.ok && body && typeof body.html === 'string') {
                if (!body.html) {
                    status.textContent = 'Rien à prévisualiser\u202f: le champ est vide.';
                    return;
                }
                // The server's own safe rendering, as the record page shows it.
                const div = document.createElement('div');
                div.className = 'md-preview-body';
                div.innerHTML = body.html;
                status.textContent = `Aperçu de «\u202f${labelOf(textarea)}\u202f»\u202f:`;
                status.className = 'md-status visually-hidden';
                live.append(div);
                return;
            }
            message = body && body.error ? body.error.message
                : body && body.errors && body.errors[0] ? body.errors[0].message : `erreur ${r.status}`;
        } catch (e) {
            message = 'le serveur ne répond pas (connexion perdue\u202f?)';
        }
        status.textContent = `L'aperçu n'a pas pu être affiché\u202f: ${message}.`;
        status.className = 'md-status error';
    }

    function enhance(textarea, n) {
        const ed = document.createElement('div');
        ed.className = 'md-editor';
        const bar = document.createElement('div');
        bar.className = 'md-bar';
        const tb = document.createElement('markdown-toolbar');
        tb.setAttribute('for', textarea.id);
        tb.setAttribute('aria-label', `Mise en forme\u202f: ${labelOf(textarea)}`);
        tb.setAttribute('aria-controls', textarea.id);
        const byKey = {};
        for (const b of BUTTONS) {
            const btn = document.createElement('button');
            btn.type = 'button';
            btn.className = `secondary md-button${b.cls ? ` ${b.cls}` : ''}`;
            btn.dataset.mdButton = b.style;
            btn.tabIndex = -1; // the toolbar is one Tab stop, its arrows move inside
            btn.textContent = b.text;
            if (b.text !== b.name)
                btn.setAttribute('aria-label', b.name);
            if (b.key) {
                btn.title = `${b.name} (Ctrl+${b.key.toUpperCase()})`;
                btn.setAttribute('aria-keyshortcuts', `Control+${b.key.toUpperCase()} Meta+${b.key.toUpperCase()}`);
                byKey[b.key] = btn;
            } else {
                btn.title = b.name;
            }
            tb.append(btn);
        }
        const toggle = document.createElement('button');
        toggle.type = 'button';
        toggle.className = 'secondary md-toggle';
        toggle.textContent = 'Aperçu';
        toggle.setAttribute('aria-pressed', 'false');
        const live = document.createElement('div');
        live.className = 'md-live';
        live.id = `apercu-direct-${n}`;
        live.setAttribute('aria-live', 'polite');
        live.hidden = true;
        toggle.setAttribute('aria-controls', live.id);
        bar.append(tb, toggle);
        textarea.before(ed);
        ed.append(bar, textarea, live);

        toggle.addEventListener('click', () => {
            if (ed.classList.contains('previewing')) {
                showEditor(textarea);
                textarea.focus();
                return;
            }
            ed.classList.add('previewing');
            toggle.setAttribute('aria-pressed', 'true');
            tb.hidden = true;
            textarea.hidden = true;
            live.hidden = false;
            showPreview(textarea, live);
        });
        textarea.addEventListener('keydown', (e) => {
            if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey)
                return;
            const btn = byKey[e.key.toLowerCase()];
            if (!btn)
                return;
            e.preventDefault();
            btn.click();
        });
    }

    if (previewUrl && window.customElements) {
        // The toolbar's module defines <markdown-toolbar>; without it (npm ci not run) the
        // textareas stay as they are.
        customElements.whenDefined('markdown-toolbar').then(() => {
            form.querySelectorAll('textarea.markdown').forEach((t, i) => enhance(t, i));
        });
    }

    // ---- drafts ----
    const base = form.dataset.base || '0';
    const urlPrefix = `${PREFIX}${form.dataset.draft}@`;
    const key = urlPrefix + base;

    function controls() {
        return Array.from(form.elements).filter((el) => el.name && !el.disabled
            && !/^(hidden|submit|button|reset|file|password|image)$/.test(el.type)
            && el.name !== 'contact_url' && el.name !== 'csrf');
    }
    function controlKey(el) {
        return el.type === 'checkbox' || el.type === 'radio' ? `${el.name}=${el.value}` : el.name;
    }
    function snapshot() {
        const out = {};
        for (const el of controls())
            out[controlKey(el)] = el.type === 'checkbox' || el.type === 'radio' ? (el.checked ? '1' : '') : el.value;
        return out;
    }
    function same(a, b) {
        const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
        for (const k of keys)
            if ((a[k] || '') !== (b[k] || ''))
                return false;
        return true;
    }
    function restore(fields) {
        let first = null;
        for (const el of controls()) {
            const k = controlKey(el);
            if (!(k in fields))
                continue;
            const v = fields[k];
            if (el.type === 'checkbox' || el.type === 'radio') {
                if (el.checked === (v === '1'))
                    continue;
                el.checked = v === '1';
            } else {
                if (el.value === v)
                    continue;
                el.value = v;
            }
            first = first || el;
            el.dispatchEvent(new Event('input', { bubbles: true }));
            el.dispatchEvent(new Event('change', { bubbles: true }));
        }
        return first;
    }

    const initial = snapshot();
    let offered = null; // the draft offered back, until the person decides

    let sending = false; // the text is on its way: the page leaving must not mark it unsent

    function save() {
        if (sending)
            return;
        const now = snapshot();
        if (offered && same(now, initial))
            return; // the offer holds the stored draft until it is answered
        if (same(now, initial) && !form.hasAttribute('data-posted')) {
            removeDraft(key);
            return;
        }
        writeDraft(key, { saved: Date.now(), base, sent: 0, fields: now });
    }

    function when(t) {
        const d = new Date(t);
        const min = String(d.getMinutes()).padStart(2, '0');
        return `${d.getDate()}${d.getDate() === 1 ? 'er' : ''} ${MONTHS[d.getMonth()]} ${d.getFullYear()} à ${d.getHours()} h ${min}`;
    }

    function offer(d, k) {
        offered = d;
        const box = document.createElement('div');
        box.className = 'draft-offer notice';
        box.setAttribute('role', 'region');
        box.setAttribute('aria-labelledby', 'brouillon-texte');
        const p = document.createElement('p');
        p.id = 'brouillon-texte';
        p.textContent = `Vous aviez un texte non enregistré du ${when(d.saved)}, le reprendre\u202f?`;
        box.append(p);
        if (d.base !== base) {
            const note = document.createElement('p');
            note.className = 'help';
            note.textContent = 'La fiche a été modifiée depuis\u202f: en enregistrant, vous verrez les deux versions côte à côte.';
            box.append(note);
        }
        const actions = document.createElement('p');
        const take = document.createElement('button');
        take.type = 'button';
        take.textContent = 'Le reprendre';
        const drop = document.createElement('button');
        drop.type = 'button';
        drop.className = 'secondary';
        drop.textContent = 'L\u2019écarter';
        actions.append(take, ' ', drop);
        box.append(actions);
        form.before(box);
        take.addEventListener('click', () => {
            offered = null;
            const changed = restore(d.fields);
            if (d.base !== base) {
                // Sent on the revision it was written on: the server shows the conflict.
                const b = form.querySelector('input[name="base_revision"]');
                if (b)
                    b.value = d.base;
            }
            if (k !== key)
                removeDraft(k);
            box.remove();
            save();
            const target = changed || controls()[0];
            if (target) {
                showEditor(target);
                target.focus();
            }
        });
        drop.addEventListener('click', () => {
            offered = null;
            removeDraft(k);
            box.remove();
            save();
            const target = controls()[0];
            if (target)
                target.focus();
        });
    }

    if (form.hasAttribute('data-posted')) {
        // Sent back (errors, conflict, preview): this page holds the text, still unsaved.
        for (const k of draftKeys(urlPrefix))
            if (k !== key)
                removeDraft(k);
        writeDraft(key, { saved: Date.now(), base, sent: 0, fields: initial });
    } else {
        let best = null;
        for (const k of draftKeys(urlPrefix)) {
            const d = readDraft(k);
            if (!d || (d.sent && d.base !== base) || same(d.fields, initial)) {
                // Sent and the revision moved since: saved. Or nothing new in it.
                removeDraft(k);
                continue;
            }
            if (!best || d.saved > best.d.saved)
                best = { d, k };
        }
        if (best)
            offer(best.d, best.k);
    }

    let timer = 0;
    const later = () => {
        clearTimeout(timer);
        timer = setTimeout(save, 400);
    };
    form.addEventListener('input', later);
    form.addEventListener('change', later);
    window.addEventListener('pageshow', (e) => {
        if (e.persisted)
            sending = false; // back from the page after the submit: this text is the page's again
    });
    window.addEventListener('pagehide', () => {
        clearTimeout(timer);
        save();
    });
    form.addEventListener('submit', (e) => {
        clearTimeout(timer);
        if (e.submitter && e.submitter.name === 'preview')
            return save();
        // Kept until the server says it is saved: a failed request leaves it to offer again.
        sending = true;
        writeDraft(key, { saved: Date.now(), base: form.querySelector('input[name="base_revision"]')?.value || base,
            sent: Date.now(), fields: snapshot() });
    });
})();
