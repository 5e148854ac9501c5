// Validates a JSON array of "lieux de médiation numérique" (the national schema, transfer form)
// with the schema's reference library, @gouvfr-anct/lieux-de-mediation-numerique: each lieu goes
// through its parser, fromSchemaLieuDeMediationNumerique (its model constructors throw a
// ModelError naming the field), then back through toSchemaLieuMediationNumerique, which throws
// on an unreadable date_maj and drops whatever the library does not understand. A lieu is valid
// when both pass and the round trip gives back exactly what was sent. Around that, a few checks
// the library leaves to the schema text: required fields present, JSON types, services present
// (the library would otherwise rewrite the lieu as receiving no public), presentation_resume at
// most 280 characters, ids unique in the file. See docs/MEDNUM.md.
//
//   node tests/tools/mednum-validate.mjs FILE.json
//
// Exit 0 and "N lieux valides" when every lieu passes; 1 with a report per failing lieu
// otherwise; 2 when the file cannot be read or is not a JSON array.

import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import {
    ModelError,
    fromSchemaLieuDeMediationNumerique,
    toSchemaLieuMediationNumerique,
} from '@gouvfr-anct/lieux-de-mediation-numerique';

const NNBSP = '\u202F';

// The fields of the library's SchemaLieuMediationNumerique type (its dist/ typings); the first
// seven are its non-optional ones. services is optional in the type but required by the schema.
const required_fields = ['id', 'pivot', 'nom', 'adresse', 'code_postal', 'commune', 'date_maj', 'services'];
const optional_fields = [
    'code_insee', 'complement_adresse', 'latitude', 'longitude', 'typologie', 'structure_parente',
    'telephone', 'courriels', 'site_web', 'presentation_resume', 'presentation_detail',
    'publics_specifiquement_adresses', 'prise_en_charge_specifique', 'frais_a_charge',
    'modalites_acces', 'modalites_accompagnement', 'fiche_acces_libre', 'itinerance',
    'dispositif_programmes_nationaux', 'formations_labels', 'autres_formations_labels',
    'horaires', 'prise_rdv', 'source',
];
const known_fields = new Set([...required_fields, ...optional_fields]);
const number_fields = new Set(['latitude', 'longitude']);
const resume_max = 280;

// ModelError.key names the library's model field; these differ from the schema's column name.
const key_to_field = { voie: 'adresse', typologies: 'typologie' };

function quote(value) {
    return `«${NNBSP}${typeof value === 'string' ? value : JSON.stringify(value)}${NNBSP}»`;
}

// French puts 0 and 1 in the singular.
function count_lieux(n, singular, plural) {
    return n <= 1 ? `${n} lieu ${singular}` : `${n} lieux ${plural}`;
}

// The schema field a ModelError is about. UrlError says only "url": find the field holding it.
function field_of_error(err, lieu) {
    if (err.key === 'url') {
        const hit = ['prise_rdv', 'fiche_acces_libre'].find((f) => lieu[f] != null && err.message.includes(lieu[f]));
        return hit ?? 'url';
    }
    return key_to_field[err.key] ?? err.key;
}

// Returns a Map from field to message, one message per field at most.
function check_shape(lieu) {
    const errors = new Map();
    for (const field of required_fields) {
        if (!(field in lieu)) errors.set(field, 'champ obligatoire absent');
    }
    for (const [field, value] of Object.entries(lieu)) {
        if (!known_fields.has(field)) continue; // reported after the round trip
        if (number_fields.has(field)) {
            if (typeof value !== 'number' || !Number.isFinite(value))
                errors.set(field, `un nombre est attendu, pas ${quote(value)}`);
        } else if (typeof value !== 'string') {
            errors.set(field, `une chaîne est attendue, pas ${quote(value)}`);
        }
    }
    return errors;
}

// Runs the library both ways; returns its errors, or, when it accepts the lieu, the differences
// between what was sent and what the library writes back.
// shape_errors: what check_shape found; the library's word on those fields would repeat it.
function check_with_library(lieu, shape_errors) {
    const shape_failed = shape_errors.size > 0;
    let model;
    try {
        model = fromSchemaLieuDeMediationNumerique(lieu);
    } catch (err) {
        if (err instanceof ModelError) {
            const field = field_of_error(err, lieu);
            return shape_errors.has(field) ? [] : [`${field}${NNBSP}: ${err.message} (bibliothèque, ${err.constructor.name})`];
        }
        // A missing or mistyped field makes the library fail on a JavaScript error; the shape
        // check has already said which field, so its message would only add noise.
        return shape_failed ? [] : [`la bibliothèque échoue${NNBSP}: ${err.constructor.name}${NNBSP}: ${err.message}`];
    }
    let back;
    try {
        back = toSchemaLieuMediationNumerique(model);
    } catch (err) {
        if (err instanceof RangeError && !shape_failed)
            return [`date_maj${NNBSP}: ${quote(lieu.date_maj)} n'est pas une date lisible (bibliothèque, ${err.message})`];
        return shape_failed ? [] : [`la bibliothèque échoue en réécrivant le lieu${NNBSP}: ${err.message}`];
    }
    const errors = [];
    for (const [field, value] of Object.entries(lieu)) {
        if (!(field in back)) {
            errors.push(known_fields.has(field)
                ? `${field}${NNBSP}: ignoré par la bibliothèque (valeur ${quote(value)})`
                : `${field}${NNBSP}: champ inconnu du schéma`);
        } else if (!isDeepStrictEqual(back[field], value)) {
            errors.push(`${field}${NNBSP}: la bibliothèque relit ${quote(value)} en ${quote(back[field])} (forme non canonique)`);
        }
    }
    for (const field of Object.keys(back)) {
        if (!(field in lieu)) errors.push(`${field}${NNBSP}: ajouté par la bibliothèque (${quote(back[field])})`);
    }
    return errors;
}

function check_schema_text(lieu) {
    const errors = [];
    if (typeof lieu.presentation_resume === 'string' && [...lieu.presentation_resume].length > resume_max)
        errors.push(`presentation_resume${NNBSP}: ${[...lieu.presentation_resume].length} caractères, le schéma en permet ${resume_max}`);
    return errors;
}

function validate_lieu(lieu) {
    if (lieu === null || typeof lieu !== 'object' || Array.isArray(lieu))
        return [`un objet JSON est attendu, pas ${quote(lieu)}`];
    const shape = check_shape(lieu);
    const shape_lines = [...shape].map(([field, message]) => `${field}${NNBSP}: ${message}`);
    return [...shape_lines, ...check_with_library(lieu, shape), ...check_schema_text(lieu)];
}

function describe(lieu, index) {
    const parts = [`lieu ${index + 1}`];
    if (lieu && typeof lieu === 'object') {
        if (typeof lieu.id === 'string') parts.push(`id ${quote(lieu.id)}`);
        if (typeof lieu.nom === 'string') parts.push(quote(lieu.nom));
    }
    return parts.join(', ');
}

function main(argv) {
    if (argv.length !== 1) {
        process.stderr.write('usage : node tests/tools/mednum-validate.mjs FICHIER.json\n');
        return 2;
    }
    let lieux;
    try {
        lieux = JSON.parse(readFileSync(argv[0], 'utf8').replace(/^\uFEFF/u, ''));
    } catch (err) {
        process.stderr.write(`${argv[0]}${NNBSP}: illisible${NNBSP}: ${err.message}\n`);
        return 2;
    }
    if (!Array.isArray(lieux)) {
        process.stderr.write(`${argv[0]}${NNBSP}: un tableau JSON de lieux est attendu\n`);
        return 2;
    }

    const first_index_of_id = new Map();
    let failed = 0;
    lieux.forEach((lieu, index) => {
        const errors = validate_lieu(lieu);
        if (lieu && typeof lieu === 'object' && typeof lieu.id === 'string') {
            if (first_index_of_id.has(lieu.id))
                errors.push(`id${NNBSP}: ${quote(lieu.id)} est déjà celui du lieu ${first_index_of_id.get(lieu.id) + 1}`);
            else first_index_of_id.set(lieu.id, index);
        }
        if (errors.length === 0) return;
        failed++;
        process.stdout.write(`${describe(lieu, index)}${NNBSP}:\n${errors.map((e) => `  - ${e}\n`).join('')}`);
    });

    if (failed > 0) {
        process.stdout.write(`${count_lieux(failed, 'en erreur', 'en erreur')} sur ${lieux.length}\n`);
        return 1;
    }
    process.stdout.write(`${count_lieux(lieux.length, 'valide', 'valides')}\n`);
    return 0;
}

process.exitCode = main(process.argv.slice(2));
