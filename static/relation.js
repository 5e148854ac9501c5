// relation.js — search as you type for the relation fields of the entry form
// (templates/entry_form.html: input.relation with data-kind and data-field). Without it the
// field is a plain text input of record names separated by commas, checked by the server; with
// it the input becomes a WAI-ARIA combobox: the text after the last comma is looked up in
// /api/v1/suggest (src/web/api.c api_suggest) and the record chosen replaces it by its name in
// the list. The records the list names are shown under the input by title, each with a button
// that takes it out. What the server sends is only ever set as text (textContent), never parsed
// as HTML; no style is set from here (the CSP allows none): classes and the hidden attribute.
'use strict';
(function () {
    const DEBOUNCE_MS = 200;
    const MIN_CHARS = 2;
    const NNBSP = '\u202f';
    const KIND_LABELS = {
        innovation: 'innovation', actor: 'acteur', place: 'lieu', network: 'réseau', article: 'article',
    };
    // Separators as the server reads the list (core/validate.c validate_relation); only commas
    // and semicolons end the text being searched, since a name has spaces.
    const TOKEN_SEP = /[\s,;]+/;
    const SLUG = /^[a-z0-9-]{1,100}$/;

    // slug -> {slug, title, kind} when known, null when no visible record has it; shared by the
    // fields so a record is looked up once.
    const known = new Map();
    const lookups = new Map(); // slug -> Promise of the lookup in flight

    const quoted = (text) => `«${NNBSP}${text}${NNBSP}»`;

    // A token as the server takes it: a whole address of the site by its last segment.
    function tokenSlug(token) {
        return token.startsWith('http') && token.includes('/') ? token.slice(token.lastIndexOf('/') + 1) : token;
    }

    function tokensOf(text) {
        return text.split(TOKEN_SEP).filter(Boolean).map(tokenSlug);
    }

    function validEntry(e) {
        return e && typeof e.slug === 'string' && typeof e.title === 'string' && typeof e.kind === 'string';
    }

    // The record named slug, or null; undefined when the server could not be asked.
    function lookup(slug) {
        if (known.has(slug))
            return Promise.resolve(known.get(slug));
        if (!SLUG.test(slug)) {
            known.set(slug, null);
            return Promise.resolve(null);
        }
        if (!lookups.has(slug)) {
            const p = fetch(`/api/v1/entries/${encodeURIComponent(slug)}`, {
                headers: { Accept: 'application/json' }, credentials: 'same-origin',
            }).then(async (r) => {
                if (r.status === 404) {
                    known.set(slug, null);
                    return null;
                }
                if (!r.ok)
                    return undefined;
                const e = await r.json();
                const entry = validEntry(e) ? { slug: e.slug, title: e.title, kind: e.kind } : null;
                known.set(slug, entry);
                return entry;
            }).catch(() => undefined).finally(() => lookups.delete(slug));
            lookups.set(slug, p);
        }
        return lookups.get(slug);
    }

    function labelText(input) {
        const label = input.id ? document.querySelector(`label[for="${CSS.escape(input.id)}"]`) : null;
        if (!label)
            return input.name;
        const copy = label.cloneNode(true);
        for (const hidden of copy.querySelectorAll('[aria-hidden="true"], .req'))
            hidden.remove();
        return copy.textContent.trim() || input.name;
    }

    function enhance(input) {
        const kind = input.dataset.kind;
        const field = input.dataset.field;
        if (!kind || !field || !input.id)
            return;
        const name = labelText(input);

        const box = document.createElement('div');
        box.className = 'combobox';
        input.parentNode.insertBefore(box, input);
        box.appendChild(input);

        const list = document.createElement('ul');
        list.id = `${input.id}-suggestions`;
        list.className = 'suggestions';
        list.setAttribute('role', 'listbox');
        list.setAttribute('aria-label', `Suggestions${NNBSP}: ${name}`);
        list.hidden = true;
        box.appendChild(list);

        // Polite: the count of suggestions, a record added or taken out. Present from the start
        // so that screen readers watch it before its first message.
        const status = document.createElement('p');
        status.className = 'combobox-status visually-hidden';
        status.setAttribute('role', 'status');
        box.after(status);

        const chosen = document.createElement('ul');
        chosen.className = 'chosen';
        chosen.setAttribute('aria-label', `Fiches choisies${NNBSP}: ${name}`);
        chosen.hidden = true;
        status.after(chosen);

        input.setAttribute('role', 'combobox');
        input.setAttribute('aria-autocomplete', 'list');
        input.setAttribute('aria-expanded', 'false');
        input.setAttribute('aria-controls', list.id);

        let results = [];
        let active = -1;
        let timer = 0;
        let controller = null;

        // The value as the names already in the list and the text being typed after them.
        function parts() {
            const v = input.value;
            const cut = Math.max(v.lastIndexOf(','), v.lastIndexOf(';'));
            return { tokens: tokensOf(v.slice(0, cut + 1)), tail: v.slice(cut + 1) };
        }

        // A message for screen readers; shown too when it says nothing was found.
        function say(text, shown = false) {
            status.textContent = text;
            status.classList.toggle('visually-hidden', !shown);
        }

        function setActive(i) {
            active = i;
            for (const [j, li] of [...list.children].entries())
                li.setAttribute('aria-selected', j === i ? 'true' : 'false');
            if (i >= 0) {
                const li = list.children[i];
                input.setAttribute('aria-activedescendant', li.id);
                li.scrollIntoView({ block: 'nearest' });
            } else {
                input.removeAttribute('aria-activedescendant');
            }
        }

        function open() {
            list.hidden = false;
            input.setAttribute('aria-expanded', 'true');
        }

        function close() {
            list.hidden = true;
            input.setAttribute('aria-expanded', 'false');
            setActive(-1);
        }

        function cancel() {
            clearTimeout(timer);
            if (controller)
                controller.abort();
            controller = null;
        }

        function fillItem(li) {
            const slug = li.dataset.slug;
            const e = known.get(slug);
            const nameEl = li.querySelector('.chosen-name');
            nameEl.replaceChildren();
            if (e) {
                const tag = document.createElement('span');
                tag.className = 'kind-tag';
                tag.textContent = KIND_LABELS[e.kind] || e.kind;
                nameEl.append(e.title, ' ', tag);
            } else {
                nameEl.append(slug);
                if (e === null) {
                    const warn = document.createElement('span');
                    warn.className = 'chosen-warn';
                    warn.textContent = ' (aucune fiche à cette adresse)';
                    nameEl.append(warn);
                }
            }
            li.querySelector('button').setAttribute('aria-label', `Retirer ${e ? e.title : slug}`);
        }

        function chosenItem(slug) {
            const li = document.createElement('li');
            li.dataset.slug = slug;
            const nameEl = document.createElement('span');
            nameEl.className = 'chosen-name';
            const button = document.createElement('button');
            button.type = 'button';
            button.className = 'small secondary';
            button.textContent = 'retirer';
            button.addEventListener('click', () => remove(slug));
            li.append(nameEl, ' ', button);
            fillItem(li);
            if (!known.has(slug))
                lookup(slug).then(() => {
                    if (li.isConnected)
                        fillItem(li);
                });
            return li;
        }

        // The list under the input; withTail counts the text after the last comma too (when
        // the person is not typing in it). Left alone when it names the same records: the blur
        // that a click on a "retirer" button causes must not replace the button being clicked.
        function renderChosen(withTail) {
            const { tokens, tail } = parts();
            const slugs = [...new Set(withTail ? tokens.concat(tokensOf(tail)) : tokens)];
            const shown = [...chosen.children].map((li) => li.dataset.slug);
            if (shown.join(' ') !== slugs.join(' '))
                chosen.replaceChildren(...slugs.map(chosenItem));
            chosen.hidden = slugs.length === 0;
        }

        function choose(e) {
            cancel();
            const { tokens } = parts();
            if (!tokens.includes(e.slug))
                tokens.push(e.slug);
            known.set(e.slug, e);
            input.value = `${tokens.join(', ')}, `;
            input.setSelectionRange(input.value.length, input.value.length);
            results = [];
            close();
            renderChosen(false);
            say(`Fiche ${quoted(e.title)} ajoutée.`);
        }

        function remove(slug) {
            const { tokens, tail } = parts();
            const rest = tokens.filter((t) => t !== slug);
            const tailTokens = tokensOf(tail);
            const keptTail = tailTokens.includes(slug) ? tailTokens.filter((t) => t !== slug).join(', ') : tail.trim();
            input.value = rest.join(', ') + (rest.length && keptTail ? ', ' : '') + keptTail;
            const e = known.get(slug);
            renderChosen(true);
            say(`Fiche ${quoted(e ? e.title : slug)} retirée.`);
            input.focus(); // its button is gone
        }

        function show() {
            const items = results.map((e, i) => {
                const li = document.createElement('li');
                li.id = `${list.id}-${i}`;
                li.setAttribute('role', 'option');
                li.setAttribute('aria-selected', 'false');
                const title = document.createElement('span');
                title.textContent = e.title;
                const tag = document.createElement('span');
                tag.className = 'kind-tag';
                tag.textContent = KIND_LABELS[e.kind] || e.kind;
                li.append(title, ' ', tag);
                li.addEventListener('click', () => choose(e));
                return li;
            });
            list.replaceChildren(...items);
            active = -1;
            if (!items.length) {
                close();
                say('Aucune fiche trouvée', true);
                return;
            }
            open();
            setActive(-1);
            say(items.length === 1 ? '1 suggestion' : `${items.length} suggestions`);
        }

        async function search(q) {
            cancel();
            const mine = new AbortController();
            controller = mine;
            const url = `/api/v1/suggest?${new URLSearchParams({ kind, field, q })}`;
            try {
                const r = await fetch(url, {
                    headers: { Accept: 'application/json' }, credentials: 'same-origin', signal: mine.signal,
                });
                if (!r.ok)
                    throw new Error(`HTTP ${r.status}`);
                const data = await r.json();
                if (controller !== mine)
                    return; // a newer search replaced this one
                controller = null;
                const taken = new Set(parts().tokens);
                results = (Array.isArray(data.results) ? data.results : []).filter(validEntry)
                    .filter((e) => !taken.has(e.slug))
                    .map((e) => ({ slug: e.slug, title: e.title, kind: e.kind }));
                for (const e of results)
                    known.set(e.slug, e);
                show();
            } catch (err) {
                if (err.name === 'AbortError')
                    return;
                controller = null;
                results = [];
                close();
                say(`Suggestions indisponibles${NNBSP}: tapez l'adresse de la fiche.`, true);
            }
        }

        input.addEventListener('input', () => {
            cancel();
            const q = parts().tail.trim();
            if ([...q].length < MIN_CHARS) {
                results = [];
                close();
                say('');
                return;
            }
            timer = setTimeout(() => search(q), DEBOUNCE_MS);
        });

        input.addEventListener('keydown', (ev) => {
            if (ev.isComposing)
                return;
            const n = results.length;
            switch (ev.key) {
            case 'ArrowDown':
                if (!n)
                    return;
                if (list.hidden) {
                    open();
                    if (!ev.altKey)
                        setActive(0);
                } else {
                    setActive((active + 1) % n);
                }
                break;
            case 'ArrowUp':
                if (!n)
                    return;
                if (list.hidden)
                    open();
                setActive(active <= 0 ? n - 1 : active - 1);
                break;
            case 'Enter':
                if (list.hidden || active < 0)
                    return; // the form is sent, as without this script
                choose(results[active]);
                break;
            case 'Escape':
                if (list.hidden)
                    return;
                close();
                break;
            default:
                return;
            }
            ev.preventDefault();
        });

        // Ready to add a name: the list ends with a separator while the input has the focus,
        // and is tidied when it loses it.
        input.addEventListener('focus', () => {
            const v = input.value;
            if (v.trim() && !/[,;]\s*$/.test(v)) {
                input.value = `${v.trimEnd()}, `;
                input.setSelectionRange(input.value.length, input.value.length);
            }
        });
        input.addEventListener('blur', () => {
            cancel();
            close();
            input.value = input.value.replace(/[\s,;]+$/, '');
            renderChosen(true);
        });

        // A click on a suggestion must not take the focus from the input (which closes the list).
        list.addEventListener('mousedown', (ev) => ev.preventDefault());

        renderChosen(true);
    }

    for (const input of document.querySelectorAll('form.entry-form input.relation'))
        enhance(input);
})();
