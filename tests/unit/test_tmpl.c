/* test_tmpl.c — unit tests of the template engine: escaping, the TV_HTML-only raw rule, sections,
 * look-up rules, partials and their bounds, parse errors, loading from a directory. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "render/tmpl.h"
#include "util/arena.h"
#include "util/buf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture {
    struct arena *a;
    struct tv *ctx;
    struct tmpl_set *set;
    struct buf out;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->a = arena_new();
    f->ctx = tv_obj(f->a);
    f->set = tmpl_set_new();
    buf_init(&f->out);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    buf_free(&f->out);
    tmpl_set_free(f->set);
    arena_free(f->a);
    free(f);
    return 0;
}

static void add(struct fixture *f, const char *name, const char *text)
{
    char *err = NULL;
    int rc = tmpl_set_add(f->set, name, text, strlen(text), &err);
    if (rc != 0)
        fail_msg("parse of %s failed: %s", name, err ? err : "(no message)");
    assert_null(err);
}

/* Parses text as template "t", renders it with f->ctx and returns the output. */
static const char *render(struct fixture *f, const char *text)
{
    add(f, "t", text);
    buf_reset(&f->out);
    assert_int_equal(tmpl_render(f->set, "t", f->ctx, &f->out), 0);
    return buf_cstr(&f->out);
}

/* Expects a parse error whose message mentions want (e.g. "ligne 3"). */
static void expect_parse_error(const char *text, const char *want)
{
    struct tmpl_set *set = tmpl_set_new();
    char *err = NULL;
    assert_int_equal(tmpl_set_add(set, "bad", text, strlen(text), &err), -1);
    assert_non_null(err);
    if (!strstr(err, want))
        fail_msg("error \"%s\" does not mention \"%s\"", err, want);
    free(err);
    assert_false(tmpl_set_has(set, "bad"));
    tmpl_set_free(set);
}

static void test_plain_text(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(render(f, "Bonjour, Brest !"), "Bonjour, Brest !");
    assert_string_equal(render(f, ""), "");
    assert_string_equal(render(f, "a } b { c }} d"), "a } b { c }} d");
}

static void test_escape_each_char(void **state)
{
    struct fixture *f = *state;
    tv_set_str(f->ctx, "amp", "a&b");
    tv_set_str(f->ctx, "lt", "a<b");
    tv_set_str(f->ctx, "gt", "a>b");
    tv_set_str(f->ctx, "dq", "a\"b");
    tv_set_str(f->ctx, "sq", "a'b");
    tv_set_str(f->ctx, "utf", "Plougastel-Daoulas é");
    assert_string_equal(render(f, "{{amp}}|{{lt}}|{{gt}}|{{dq}}|{{sq}}|{{utf}}"),
                        "a&amp;b|a&lt;b|a&gt;b|a&quot;b|a&#39;b|Plougastel-Daoulas é");
    assert_string_equal(render(f, "<a title=\"{{dq}}\">"), "<a title=\"a&quot;b\">");
}

static void test_whitespace_in_tags(void **state)
{
    struct fixture *f = *state;
    tv_set_str(f->ctx, "x", "v");
    tv_set_bool(f->ctx, "b", true);
    assert_string_equal(render(f, "[{{ x }}][{{\tx\n}}][{{{ x }}}][{{& x }}][{{# b }}y{{/ b }}]"),
                        "[v][v][v][v][y]");
}

static void test_raw_only_for_html(void **state)
{
    struct fixture *f = *state;
    tv_set_str(f->ctx, "x", "<script>alert(1)</script>");
    tv_set_html(f->ctx, "h", "<p>Un <em>atelier</em></p>");
    assert_string_equal(render(f, "{{{x}}}"), "&lt;script&gt;alert(1)&lt;/script&gt;");
    assert_string_equal(render(f, "{{&x}}"), "&lt;script&gt;alert(1)&lt;/script&gt;");
    assert_string_equal(render(f, "{{x}}"), "&lt;script&gt;alert(1)&lt;/script&gt;");
    assert_string_equal(render(f, "{{{h}}}"), "<p>Un <em>atelier</em></p>");
    assert_string_equal(render(f, "{{&h}}"), "<p>Un <em>atelier</em></p>");
    /* Even trusted HTML is escaped by the default tag. */
    assert_string_equal(render(f, "{{h}}"), "&lt;p&gt;Un &lt;em&gt;atelier&lt;/em&gt;&lt;/p&gt;");
}

static void test_scalar_types(void **state)
{
    struct fixture *f = *state;
    tv_set_bool(f->ctx, "yes", true);
    tv_set_bool(f->ctx, "no", false);
    tv_set_int(f->ctx, "n", -1234567890123LL);
    tv_set_strf(f->ctx, "fmt", "%d € & %s", 42, "<b>");
    tv_set_str(f->ctx, "null", NULL);
    tv_set(f->ctx, "nullptr", NULL);
    tv_set_obj(f->ctx, "obj");
    tv_set_list(f->ctx, "list");
    assert_string_equal(render(f, "[{{yes}}][{{no}}][{{n}}][{{fmt}}][{{null}}][{{nullptr}}]"
                                  "[{{missing}}][{{obj}}][{{list}}][{{{yes}}}]"),
                        "[true][][-1234567890123][42 € &amp; &lt;b&gt;][][][][][][true]");
    assert_int_equal(tv_type(tv_get(f->ctx, "n")), TV_STR);
    assert_int_equal(tv_type(tv_get(f->ctx, "nullptr")), TV_NULL);
    assert_int_equal(tv_type(tv_get(f->ctx, "obj")), TV_OBJ);
}

static void test_last_set_wins(void **state)
{
    struct fixture *f = *state;
    tv_set_str(f->ctx, "x", "first");
    tv_set_str(f->ctx, "x", "second");
    assert_string_equal(render(f, "{{x}}"), "second");
}

static void test_many_keys_and_items(void **state)
{
    struct fixture *f = *state;
    static char keys[100][8];
    for (int i = 0; i < 100; i++) {
        snprintf(keys[i], sizeof(keys[i]), "k%d", i);
        tv_set_int(f->ctx, keys[i], i * 2);
    }
    struct tv *l = tv_set_list(f->ctx, "l");
    for (int i = 0; i < 1000; i++)
        tv_push(l, tv_str(f->a, "x"));
    assert_int_equal(tv_list_len(l), 1000);
    assert_int_equal(tv_list_len(f->ctx), 0);
    assert_string_equal(render(f, "{{k0}} {{k57}} {{k99}}"), "0 114 198");
    const char *out = render(f, "{{#l}}{{.}}{{/l}}");
    assert_int_equal(strlen(out), 1000);
}

static void test_section_list(void **state)
{
    struct fixture *f = *state;
    struct tv *items = tv_set_list(f->ctx, "items");
    tv_set_str(tv_push_obj(items), "name", "Repair café");
    tv_set_str(tv_push_obj(items), "name", "AMAP <Quimper>");
    struct tv *tags = tv_set_list(f->ctx, "tags");
    tv_push(tags, tv_str(f->a, "éco"));
    tv_push(tags, tv_str(f->a, "a&b"));
    assert_string_equal(render(f, "<ul>{{#items}}<li>{{name}}</li>{{/items}}</ul>"),
                        "<ul><li>Repair café</li><li>AMAP &lt;Quimper&gt;</li></ul>");
    assert_string_equal(render(f, "{{#tags}}[{{.}}]{{/tags}}"), "[éco][a&amp;b]");
}

static void test_section_empty_list(void **state)
{
    struct fixture *f = *state;
    tv_set_list(f->ctx, "items");
    assert_string_equal(render(f, "a{{#items}}X{{/items}}b{{^items}}vide{{/items}}"), "abvide");
}

static void test_section_object(void **state)
{
    struct fixture *f = *state;
    struct tv *author = tv_set_obj(f->ctx, "author");
    tv_set_str(author, "name", "Anne");
    tv_set_str(f->ctx, "site", "Foison");
    struct tv *empty = tv_set_obj(f->ctx, "empty");
    (void)empty;
    /* An object is a scope: the outer "site" is reached with ../ only. */
    assert_string_equal(render(f, "{{#author}}{{name}} sur [{{site}}]{{../site}}{{/author}}"),
                        "Anne sur []Foison");
    assert_string_equal(render(f, "{{#empty}}E{{/empty}}{{^empty}}N{{/empty}}"), "E");
}

static void test_section_bool_and_strings(void **state)
{
    struct fixture *f = *state;
    tv_set_bool(f->ctx, "yes", true);
    tv_set_bool(f->ctx, "no", false);
    tv_set_str(f->ctx, "s", "<x>");
    tv_set_str(f->ctx, "e", "");
    tv_set_html(f->ctx, "h", "<i>h</i>");
    tv_set_html(f->ctx, "he", "");
    tv_set_str(f->ctx, "title", "T");
    assert_string_equal(render(f, "{{#yes}}Y{{title}}{{.}}{{/yes}}{{#no}}N{{/no}}"), "YTtrue");
    assert_string_equal(render(f, "{{#s}}[{{.}}]{{/s}}{{#e}}E{{/e}}"), "[&lt;x&gt;]");
    assert_string_equal(render(f, "{{#h}}{{{.}}}{{/h}}{{#he}}E{{/he}}{{#missing}}M{{/missing}}"),
                        "<i>h</i>");
}

static void test_inverted(void **state)
{
    struct fixture *f = *state;
    tv_set_bool(f->ctx, "yes", true);
    tv_set_bool(f->ctx, "no", false);
    tv_set_str(f->ctx, "e", "");
    struct tv *l = tv_set_list(f->ctx, "l");
    tv_push(l, tv_str(f->a, "x"));
    assert_string_equal(
        render(f, "{{^yes}}1{{/yes}}{{^no}}2{{/no}}{{^e}}3{{/e}}{{^l}}4{{/l}}{{^zz}}5{{/zz}}"),
        "235");
}

static void test_nested_outer_lookup(void **state)
{
    struct fixture *f = *state;
    tv_set_str(f->ctx, "city", "Brest");
    tv_set_str(f->ctx, "name", "outer");
    struct tv *groups = tv_set_list(f->ctx, "groups");
    struct tv *g1 = tv_push_obj(groups);
    tv_set_str(g1, "name", "G1");
    struct tv *m = tv_set_list(g1, "members");
    tv_set_str(tv_push_obj(m), "who", "Lena");
    tv_set_str(tv_push_obj(m), "who", "Yann");
    struct tv *g2 = tv_push_obj(groups);
    tv_set_str(g2, "name", "G2");
    tv_set_list(g2, "members");
    /* Each ../ climbs one scope: member → group → page. */
    assert_string_equal(render(f, "{{#groups}}<{{name}}:{{#members}}{{who}}@{{../name}}/"
                                  "{{../../city}} {{/members}}{{^members}}personne{{/members}}>"
                                  "{{/groups}}{{name}}"),
                        "<G1:Lena@G1/Brest Yann@G1/Brest ><G2:personne>outer");
    /* Without ../ an outer name is not found. */
    assert_string_equal(render(f, "{{#groups}}[{{city}}]{{#members}}[{{name}}]{{/members}}"
                                  "{{/groups}}"),
                        "[][][][]");
}

/* The bug of issue 5: a card without "themes" printed the page's theme filter list, because
 * a missing name fell back to outer contexts. A missing name in a section is missing. */
static void test_missing_name_does_not_borrow(void **state)
{
    struct fixture *f = *state;
    add(f, "card", "<li>{{title}}{{#themes}}<span>{{themes}}</span>{{/themes}}</li>");
    struct tv *themes = tv_set_list(f->ctx, "themes");
    tv_set_str(tv_push_obj(themes), "label", "Mobilité");
    tv_set_str(tv_push_obj(themes), "label", "Culture");
    tv_set_str(f->ctx, "title", "Les innovations");
    struct tv *items = tv_set_list(f->ctx, "items");
    struct tv *with = tv_push_obj(items);
    tv_set_str(with, "title", "A");
    tv_set_str(with, "themes", "Mobilité");
    struct tv *without = tv_push_obj(items);
    tv_set_str(without, "title", "B");
    struct tv *untitled = tv_push_obj(items);
    (void)untitled;
    assert_string_equal(render(f, "{{#items}}{{>card}}{{/items}}"),
                        "<li>A<span>Mobilité</span></li><li>B</li><li></li>");
    /* The same inside an object section, an inverted section and a dotted name. */
    struct tv *o = tv_set_obj(f->ctx, "o");
    tv_set_str(o, "x", "in o");
    assert_string_equal(render(f, "{{#o}}[{{title}}][{{^title}}no title{{/title}}]"
                                  "[{{themes.label}}]{{/o}}"),
                        "[][no title][]");
}

/* Sections on scalars are conditions, not scopes: names inside resolve where the section is. */
static void test_condition_sections_are_transparent(void **state)
{
    struct fixture *f = *state;
    tv_set_str(f->ctx, "page", "P");
    tv_set_bool(f->ctx, "flag", true);
    tv_set_str(f->ctx, "s", "S");
    struct tv *items = tv_set_list(f->ctx, "items");
    struct tv *it = tv_push_obj(items);
    tv_set_str(it, "name", "I");
    tv_set_bool(it, "on", true);
    tv_set_str(it, "label", "L");
    struct tv *sub = tv_set_obj(it, "sub");
    tv_set_str(sub, "z", "Z");
    /* {{.}} is the scalar itself; names are the enclosing scope's. */
    assert_string_equal(render(f, "{{#flag}}{{page}}{{.}}{{#s}}{{.}}{{page}}{{/s}}{{/flag}}"),
                        "PtrueSP");
    /* Inside a list item, flag-sections keep the item as scope; ../ skips them too. */
    assert_string_equal(render(f, "{{#items}}{{#on}}{{name}}{{#label}}{{label}}{{../page}}"
                                  "{{/label}}{{/on}}{{#sub}}{{z}}{{../name}}{{../../page}}"
                                  "{{#z}}{{../name}}{{/z}}{{/sub}}{{/items}}"),
                        "ILPZIPI");
    /* ../. is the outer scope's value itself; climbing past the top finds nothing. */
    struct tv *tags = tv_set_list(f->ctx, "tags");
    tv_push(tags, tv_str(f->a, "a"));
    tv_push(tags, tv_str(f->a, "b"));
    tv_set_str(f->ctx, "sep", ",");
    assert_string_equal(render(f, "{{#tags}}{{.}}{{../sep}}{{/tags}}|{{../page}}|{{../../.}}|"
                                  "{{#../items}}x{{/../items}}{{^../items}}none{{/../items}}"),
                        "a,b,|||none");
    assert_string_equal(render(f, "{{#items}}{{#sub}}{{#../../tags}}{{.}}{{/../../tags}}{{/sub}}"
                                  "{{/items}}"),
                        "ab");
}

/* A partial sees the scope it is called from; ../ climbs from there. */
static void test_partial_outer(void **state)
{
    struct fixture *f = *state;
    add(f, "row", "<{{n}}/{{../kind}}>");
    tv_set_str(f->ctx, "kind", "innovations");
    struct tv *rows = tv_set_list(f->ctx, "rows");
    tv_set_str(tv_push_obj(rows), "n", "1");
    tv_set_str(tv_push_obj(rows), "n", "2");
    assert_string_equal(render(f, "{{#rows}}{{>row}}{{/rows}}{{>row}}"),
                        "<1/innovations><2/innovations></>");
}

static void test_dotted_names(void **state)
{
    struct fixture *f = *state;
    struct tv *a = tv_set_obj(f->ctx, "a");
    struct tv *b = tv_set_obj(a, "b");
    tv_set_str(b, "c", "<deep>");
    tv_set_str(f->ctx, "c", "top");
    struct tv *list = tv_set_list(f->ctx, "l");
    struct tv *item = tv_push_obj(list);
    tv_set_str(item, "x", "inner");
    assert_string_equal(render(f, "{{a.b.c}}|{{a.b.zz}}|{{a.zz.c}}|{{c.d}}|{{#a.b}}{{c}}{{/a.b}}"),
                        "&lt;deep&gt;||||&lt;deep&gt;");
    /* From inside the list item, "a" is outside: reached with ../, then descended. */
    assert_string_equal(render(f, "{{#l}}{{x}}:[{{a.b.c}}]{{../a.b.c}}{{/l}}"),
                        "inner:[]&lt;deep&gt;");
    /* Once "a" is found, a missing "a.c" does not fall back to an outer "c". */
    assert_string_equal(render(f, "[{{a.c}}]"), "[]");
}

static void test_shadowing(void **state)
{
    struct fixture *f = *state;
    tv_set_str(f->ctx, "x", "outer");
    struct tv *o = tv_set_obj(f->ctx, "o");
    tv_set_str(o, "x", "inner");
    struct tv *n = tv_set_obj(f->ctx, "n");
    tv_set(n, "x", NULL);
    assert_string_equal(render(f, "{{#o}}{{x}}{{/o}} {{x}} [{{#n}}{{x}}{{/n}}]"), "inner outer []");
}

static void test_comments(void **state)
{
    struct fixture *f = *state;
    tv_set_str(f->ctx, "x", "v");
    assert_string_equal(render(f, "a{{! un commentaire {{x} }}b{{!\nsur\ndeux lignes}}c{{x}}"),
                        "abcv");
}

static void test_partials(void **state)
{
    struct fixture *f = *state;
    add(f, "card", "<div>{{title}}</div>");
    struct tv *l = tv_set_list(f->ctx, "entries");
    tv_set_str(tv_push_obj(l), "title", "Un");
    tv_set_str(tv_push_obj(l), "title", "D<e>ux");
    tv_set_str(f->ctx, "title", "Page");
    assert_string_equal(render(f, "{{>card}}{{#entries}}{{> card }}{{/entries}}"),
                        "<div>Page</div><div>Un</div><div>D&lt;e&gt;ux</div>");
}

static void test_partial_unknown(void **state)
{
    struct fixture *f = *state;
    add(f, "t", "avant{{>nope}}après");
    buf_puts(&f->out, "kept");
    assert_int_equal(tmpl_render(f->set, "t", f->ctx, &f->out), -1);
    /* A failed render leaves the buffer as it was. */
    assert_string_equal(buf_cstr(&f->out), "kept");
    /* A partial added later is found: partials are looked up at render time. */
    add(f, "nope", "-");
    buf_reset(&f->out);
    assert_int_equal(tmpl_render(f->set, "t", f->ctx, &f->out), 0);
    assert_string_equal(buf_cstr(&f->out), "avant-après");
}

static void test_partial_recursion_bound(void **state)
{
    struct fixture *f = *state;
    /* Unbounded self-recursion fails cleanly. */
    add(f, "loop", "x{{>loop}}");
    buf_puts(&f->out, "kept");
    assert_int_equal(tmpl_render(f->set, "loop", f->ctx, &f->out), -1);
    assert_string_equal(buf_cstr(&f->out), "kept");

    /* Recursion that data bounds (a tree) works up to the depth limit. */
    add(f, "node", "({{name}}{{#kids}}{{>node}}{{/kids}})");
    struct tv *node = f->ctx;
    for (int i = 0; i < TMPL_MAX_PARTIAL_DEPTH - 1; i++) {
        tv_set_int(node, "name", i);
        node = tv_push_obj(tv_set_list(node, "kids"));
    }
    tv_set_str(node, "name", "leaf");
    /* The leaf's kids list is only there to be grown past the limit below. */
    struct tv *leaf_kids = tv_set_list(node, "kids");
    buf_reset(&f->out);
    assert_string_equal(render(f, "{{>node}}"),
                        "(0(1(2(3(4(5(6(7(8(9(10(11(12(13(14(leaf))))))))))))))))");
    /* One level more is too deep. */
    tv_set_list(tv_push_obj(leaf_kids), "kids");
    buf_reset(&f->out);
    assert_int_equal(tmpl_render(f->set, "t", f->ctx, &f->out), -1);
    assert_int_equal(f->out.len, 0);
}

static void test_budget(void **state)
{
    struct fixture *f = *state;
    /* Exponential fan-out through partials: stopped by the visit budget, not by time. */
    add(f, "fan", "{{>fan}}{{>fan}}{{>fan}}{{>fan}}{{>fan}}{{>fan}}{{>fan}}{{>fan}}");
    tmpl_set_budget(f->set, 100000);
    assert_int_equal(tmpl_render(f->set, "fan", f->ctx, &f->out), -1);
    assert_int_equal(f->out.len, 0);
}

static void test_unknown_template(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(tmpl_render(f->set, "absent", f->ctx, &f->out), -1);
    assert_false(tmpl_set_has(f->set, "absent"));
    add(f, "present", "p");
    assert_true(tmpl_set_has(f->set, "present"));
}

static void test_null_context(void **state)
{
    struct fixture *f = *state;
    add(f, "t", "[{{x}}{{#x}}s{{/x}}{{^x}}i{{/x}}{{.}}]");
    assert_int_equal(tmpl_render(f->set, "t", NULL, &f->out), 0);
    assert_string_equal(buf_cstr(&f->out), "[i]");
}

static void test_replace_template(void **state)
{
    struct fixture *f = *state;
    add(f, "t", "one");
    add(f, "t", "two");
    assert_int_equal(tmpl_render(f->set, "t", f->ctx, &f->out), 0);
    assert_string_equal(buf_cstr(&f->out), "two");
}

static void test_many_templates(void **state)
{
    struct fixture *f = *state;
    char name[16], text[16];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof(name), "n%d", i);
        snprintf(text, sizeof(text), "<%d>", i);
        add(f, name, text);
    }
    for (int i = 0; i < 300; i += 37) {
        snprintf(name, sizeof(name), "n%d", i);
        snprintf(text, sizeof(text), "<%d>", i);
        buf_reset(&f->out);
        assert_int_equal(tmpl_render(f->set, name, f->ctx, &f->out), 0);
        assert_string_equal(buf_cstr(&f->out), text);
    }
}

static void test_not_nul_terminated(void **state)
{
    struct fixture *f = *state;
    tv_set_str(f->ctx, "x", "v");
    const char text[] = {'{', '{', 'x', '}', '}', '{', '{'};
    char *err = NULL;
    assert_int_equal(tmpl_set_add(f->set, "t", text, 5, &err), 0);
    assert_int_equal(tmpl_render(f->set, "t", f->ctx, &f->out), 0);
    assert_string_equal(buf_cstr(&f->out), "v");
    assert_int_equal(tmpl_set_add(f->set, "u", text, sizeof(text), &err), -1);
    free(err);
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_parse_error("a\nb\n{{#sec}}\nnever closed\n", "ligne 3");
    expect_parse_error("a\n{{#sec}}\n{{#inner}}\n{{/inner}}\n", "« sec » jamais fermée");
    expect_parse_error("{{#a}}\n\n{{/b}}", "ligne 3");
    expect_parse_error("{{#a}}\n\n{{/b}}", "ouverte ligne 1");
    expect_parse_error("{{#a}}{{#b}}{{/a}}{{/b}}", "ne ferme pas");
    expect_parse_error("x\n{{/a}}", "ligne 2");
    expect_parse_error("line1\nline2 {{name", "ligne 2");
    expect_parse_error("line1\nline2 {{name", "jamais fermée");
    expect_parse_error("{{{name}}", "ligne 1");
    expect_parse_error("1\n2\n3\n{{! comment without end", "ligne 4");
    expect_parse_error("{{! multi\nline }}\n{{}}", "ligne 3");
    expect_parse_error("{{ }}", "sans nom");
    expect_parse_error("{{#}}{{/}}", "sans nom");
    expect_parse_error("{{>}}", "sans nom");
    expect_parse_error("{{a b}}", "nom invalide");
    expect_parse_error("{{a..b}}", "segment vide");
    expect_parse_error("{{.a}}", "segment vide");
    expect_parse_error("{{a.}}", "segment vide");
    expect_parse_error("{{=<% %>=}}", "nom invalide");
    expect_parse_error("{{> a b}}", "partiel invalide");
    expect_parse_error("{{x}}\n{{<script>}}", "ligne 2");
    expect_parse_error("{{..}}", "nom invalide");
    expect_parse_error("{{../}}", "rien après");
    expect_parse_error("{{../../}}", "rien après");
    expect_parse_error("{{.../a}}", "nom invalide");
    expect_parse_error("{{a/../b}}", "nom invalide");
    expect_parse_error("{{../a..b}}", "segment vide");
    expect_parse_error("{{..a}}", "segment vide");
    expect_parse_error("{{#../a}}{{/a}}", "ne ferme pas");
}

static void test_nesting_limit(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    for (int i = 0; i < TMPL_MAX_NESTING; i++)
        buf_puts(&b, "{{#a}}");
    for (int i = 0; i < TMPL_MAX_NESTING; i++)
        buf_puts(&b, "{{/a}}");
    struct tmpl_set *set = tmpl_set_new();
    char *err = NULL;
    assert_int_equal(tmpl_set_add(set, "ok", b.data, b.len, &err), 0);
    buf_reset(&b);
    for (int i = 0; i <= TMPL_MAX_NESTING; i++)
        buf_puts(&b, "{{#a}}");
    for (int i = 0; i <= TMPL_MAX_NESTING; i++)
        buf_puts(&b, "{{/a}}");
    assert_int_equal(tmpl_set_add(set, "deep", b.data, b.len, &err), -1);
    assert_non_null(strstr(err, "imbriquées"));
    free(err);
    tmpl_set_free(set);
    buf_free(&b);
}

static void test_size_limit(void **state)
{
    (void)state;
    size_t n = TMPL_MAX_SIZE + 1;
    char *big = malloc(n);
    memset(big, 'x', n);
    struct tmpl_set *set = tmpl_set_new();
    char *err = NULL;
    assert_int_equal(tmpl_set_add(set, "big", big, n, &err), -1);
    assert_non_null(err);
    free(err);
    assert_int_equal(tmpl_set_add(set, "big", big, n - 1, NULL), 0);
    tmpl_set_free(set);
    free(big);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void remove_file(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    unlink(path);
}

static void test_load_dir(void **state)
{
    struct fixture *f = *state;
    char dir[] = "/tmp/foison_tmpl_XXXXXX";
    assert_non_null(mkdtemp(dir));
    write_file(dir, "entry_show.html", "<h1>{{title}}</h1>{{>footer}}");
    write_file(dir, "footer.html", "<footer>{{site}}</footer>");
    write_file(dir, "notes.txt", "{{#broken");
    write_file(dir, ".html", "{{#broken");
    char sub[600];
    snprintf(sub, sizeof(sub), "%s/sub.html", dir);
    assert_int_equal(mkdir(sub, 0700), 0);

    char *err = NULL;
    struct tmpl_set *set = tmpl_set_load(dir, &err);
    assert_null(err);
    assert_non_null(set);
    assert_true(tmpl_set_has(set, "entry_show"));
    assert_true(tmpl_set_has(set, "footer"));
    assert_false(tmpl_set_has(set, "notes"));
    assert_false(tmpl_set_has(set, "sub"));
    tv_set_str(f->ctx, "title", "Ti<t>re");
    tv_set_str(f->ctx, "site", "Foison");
    assert_int_equal(tmpl_render(set, "entry_show", f->ctx, &f->out), 0);
    assert_string_equal(buf_cstr(&f->out), "<h1>Ti&lt;t&gt;re</h1><footer>Foison</footer>");
    tmpl_set_free(set);

    /* A syntax error in one file fails the whole load, naming the template and line. */
    write_file(dir, "broken.html", "ok\n{{#x}}\n");
    set = tmpl_set_load(dir, &err);
    assert_null(set);
    assert_non_null(err);
    assert_non_null(strstr(err, "broken"));
    assert_non_null(strstr(err, "ligne 2"));
    free(err);

    remove_file(dir, "broken.html");
    remove_file(dir, "entry_show.html");
    remove_file(dir, "footer.html");
    remove_file(dir, "notes.txt");
    remove_file(dir, ".html");
    rmdir(sub);
    rmdir(dir);

    set = tmpl_set_load(dir, &err);
    assert_null(set);
    assert_non_null(err);
    free(err);
}

/* The header promises that bad calls do nothing: asserts are live in the shipped build, so a
 * wrong call must be checked, not asserted (before, tv_set on a list aborted the server). */
static void test_bad_calls_harmless(void **state)
{
    struct fixture *f = *state;
    struct tv *list = tv_set_list(f->ctx, "l");
    struct tv *str = tv_str(f->a, "s");
    struct tv *nul = tv_str(f->a, NULL);

    /* Setting on a NULL, a list, a string or a null value. */
    struct tv *bad[] = {NULL, list, str, nul};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tv_set(bad[i], "k", str);
        tv_set_str(bad[i], "k", "v");
        tv_set_strf(bad[i], "k", "%d", 1);
        tv_set_int(bad[i], "k", 2);
        tv_set_bool(bad[i], "k", true);
        tv_set_html(bad[i], "k", "<b>");
        assert_null(tv_set_obj(bad[i], "k"));
        assert_null(tv_set_list(bad[i], "k"));
        assert_null(tv_get(bad[i], "k"));
    }
    /* A NULL key on a good object. */
    tv_set(f->ctx, NULL, str);
    tv_set_str(f->ctx, NULL, "v");
    tv_set_strf(f->ctx, NULL, "%s", "v");
    assert_null(tv_set_obj(f->ctx, NULL));
    assert_null(tv_set_list(f->ctx, NULL));
    assert_null(tv_get(f->ctx, NULL));
    /* Pushing on a NULL, an object or a string; the list is untouched. */
    tv_push(NULL, str);
    tv_push(f->ctx, str);
    tv_push(str, str);
    assert_null(tv_push_obj(NULL));
    assert_null(tv_push_obj(f->ctx));
    assert_null(tv_push_obj(str));
    assert_int_equal(tv_list_len(list), 0);
    assert_int_equal(tv_list_len(NULL), 0);
    assert_int_equal(tv_list_len(f->ctx), 0);
    /* A NULL arena gives null values, which every call accepts. */
    assert_null(tv_obj(NULL));
    assert_null(tv_list(NULL));
    assert_null(tv_str(NULL, "x"));
    assert_null(tv_html(NULL, "x"));
    assert_null(tv_bool(NULL, true));
    assert_int_equal(tv_type(NULL), TV_NULL);
    /* A chain through a failed call stays harmless. */
    tv_set_str(tv_set_obj(list, "o"), "k", "v");
    tv_set_str(tv_push_obj(f->ctx), "k", "v");

    /* The good object kept only what was set on it properly. */
    tv_set_str(f->ctx, "x", "ok");
    assert_string_equal(render(f, "[{{x}}][{{k}}][{{#l}}i{{/l}}]"), "[ok][][]");

    /* The template set: NULL set, name or output buffer. */
    char *err = NULL;
    assert_int_equal(tmpl_set_add(NULL, "t", "x", 1, &err), -1);
    assert_non_null(err);
    free(err);
    assert_int_equal(tmpl_set_add(f->set, NULL, "x", 1, NULL), -1);
    assert_int_equal(tmpl_set_add(f->set, "nul", NULL, 10, NULL), 0); /* NULL text is empty */
    assert_false(tmpl_set_has(NULL, "t"));
    assert_false(tmpl_set_has(f->set, NULL));
    tmpl_set_budget(NULL, 10);
    assert_int_equal(tmpl_render(NULL, "t", f->ctx, &f->out), -1);
    assert_int_equal(tmpl_render(f->set, NULL, f->ctx, &f->out), -1);
    assert_int_equal(tmpl_render(f->set, "t", f->ctx, NULL), -1);
    assert_null(tmpl_set_load(NULL, &err));
    assert_non_null(err);
    free(err);
    assert_null(tmpl_set_load(NULL, NULL));
    tmpl_set_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plain_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escape_each_char, setup, teardown),
        cmocka_unit_test_setup_teardown(test_whitespace_in_tags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_only_for_html, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scalar_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_last_set_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_keys_and_items, setup, teardown),
        cmocka_unit_test_setup_teardown(test_section_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_section_empty_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_section_object, setup, teardown),
        cmocka_unit_test_setup_teardown(test_section_bool_and_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inverted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_outer_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_name_does_not_borrow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_condition_sections_are_transparent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_outer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dotted_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shadowing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_comments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_unknown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_recursion_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_budget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_template, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_context, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replace_template, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_templates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_nul_terminated, setup, teardown),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test_setup_teardown(test_load_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_calls_harmless, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
