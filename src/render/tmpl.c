/* tmpl.c — template values, the template parser (text → node tree, once, at load) and the
 * renderer. Escaping is the default: the only way to emit raw markup is {{{x}}} or {{&x}} on a
 * TV_HTML value, which only the safe Markdown renderer is allowed to create. */
#define _POSIX_C_SOURCE 200809L
#include "render/tmpl.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/mem.h"
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- values */

struct tv_kv {
    const char *key;
    size_t klen;
    struct tv *val;
};

struct tv {
    enum tv_type type;
    bool b;
    struct arena *a; /* objects and lists grow in the arena they were made in */
    union {
        struct {
            const char *s;
            size_t len;
        } str; /* TV_STR, TV_HTML */
        struct {
            struct tv_kv *kv;
            size_t n, cap;
        } obj;
        struct {
            struct tv **items;
            size_t n, cap;
        } list;
    } u;
};

static struct tv *tv_new(struct arena *a, enum tv_type type)
{
    if (!a)
        return NULL; /* a null value: every tv_ call and the renderer accept it */
    struct tv *v = arena_alloc(a, sizeof(*v));
    v->type = type;
    v->a = a;
    return v;
}

struct tv *tv_obj(struct arena *a)
{
    return tv_new(a, TV_OBJ);
}

struct tv *tv_list(struct arena *a)
{
    return tv_new(a, TV_LIST);
}

static struct tv *tv_text(struct arena *a, enum tv_type type, const char *s)
{
    if (!s)
        return tv_new(a, TV_NULL);
    struct tv *v = tv_new(a, type);
    if (!v)
        return NULL;
    v->u.str.s = s;
    v->u.str.len = strlen(s);
    return v;
}

struct tv *tv_str(struct arena *a, const char *s)
{
    return tv_text(a, TV_STR, s);
}

struct tv *tv_html(struct arena *a, const char *html)
{
    return tv_text(a, TV_HTML, html);
}

struct tv *tv_bool(struct arena *a, bool v)
{
    struct tv *t = tv_new(a, TV_BOOL);
    if (t)
        t->b = v;
    return t;
}

enum tv_type tv_type(const struct tv *v)
{
    return v ? v->type : TV_NULL;
}

static struct tv_kv *obj_find(const struct tv *obj, const char *key, size_t klen)
{
    for (size_t i = 0; i < obj->u.obj.n; i++) {
        struct tv_kv *kv = &obj->u.obj.kv[i];
        if (kv->klen == klen && memcmp(kv->key, key, klen) == 0)
            return kv;
    }
    return NULL;
}

/* Every tv_ call checks its object instead of asserting: a page that builds a context wrongly
 * must lose a value, never take the server down (asserts are live in the shipped build). */
void tv_set(struct tv *obj, const char *key, struct tv *val)
{
    if (!obj || obj->type != TV_OBJ || !key)
        return;
    size_t klen = strlen(key);
    struct tv_kv *kv = obj_find(obj, key, klen);
    if (kv) {
        kv->val = val;
        return;
    }
    if (obj->u.obj.n == obj->u.obj.cap) {
        /* The old array stays in the arena: at most as much waste as live data. */
        size_t cap = obj->u.obj.cap ? obj->u.obj.cap * 2 : 8;
        struct tv_kv *kvs = arena_alloc(obj->a, cap * sizeof(*kvs));
        if (obj->u.obj.n)
            memcpy(kvs, obj->u.obj.kv, obj->u.obj.n * sizeof(*kvs));
        obj->u.obj.kv = kvs;
        obj->u.obj.cap = cap;
    }
    obj->u.obj.kv[obj->u.obj.n++] = (struct tv_kv){key, klen, val};
}

void tv_set_str(struct tv *obj, const char *key, const char *s)
{
    if (obj)
        tv_set(obj, key, tv_str(obj->a, s));
}

void tv_set_strf(struct tv *obj, const char *key, const char *fmt, ...)
{
    if (!obj || obj->type != TV_OBJ || !key || !fmt)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *s = arena_vprintf(obj->a, fmt, ap);
    va_end(ap);
    tv_set(obj, key, tv_str(obj->a, s));
}

void tv_set_int(struct tv *obj, const char *key, long long v)
{
    if (!obj)
        return;
    /* Written by hand: pages set dozens of counts, and printf is the costlier part of each. */
    char digits[24], *p = digits + sizeof digits;
    unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
    *--p = '\0';
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    tv_set(obj, key, tv_str(obj->a, arena_strdup(obj->a, p)));
}

void tv_set_bool(struct tv *obj, const char *key, bool v)
{
    if (obj)
        tv_set(obj, key, tv_bool(obj->a, v));
}

void tv_set_html(struct tv *obj, const char *key, const char *html)
{
    if (obj)
        tv_set(obj, key, tv_html(obj->a, html));
}

struct tv *tv_set_obj(struct tv *obj, const char *key)
{
    if (!obj || obj->type != TV_OBJ || !key)
        return NULL;
    struct tv *child = tv_obj(obj->a);
    tv_set(obj, key, child);
    return child;
}

struct tv *tv_set_list(struct tv *obj, const char *key)
{
    if (!obj || obj->type != TV_OBJ || !key)
        return NULL;
    struct tv *child = tv_list(obj->a);
    tv_set(obj, key, child);
    return child;
}

const struct tv *tv_get(const struct tv *obj, const char *key)
{
    if (!obj || obj->type != TV_OBJ || !key)
        return NULL;
    struct tv_kv *kv = obj_find(obj, key, strlen(key));
    return kv ? kv->val : NULL;
}

void tv_push(struct tv *list, struct tv *val)
{
    if (!list || list->type != TV_LIST)
        return;
    if (list->u.list.n == list->u.list.cap) {
        size_t cap = list->u.list.cap ? list->u.list.cap * 2 : 8;
        struct tv **items = arena_alloc(list->a, cap * sizeof(*items));
        if (list->u.list.n)
            memcpy(items, list->u.list.items, list->u.list.n * sizeof(*items));
        list->u.list.items = items;
        list->u.list.cap = cap;
    }
    list->u.list.items[list->u.list.n++] = val;
}

struct tv *tv_push_obj(struct tv *list)
{
    if (!list || list->type != TV_LIST)
        return NULL;
    struct tv *o = tv_obj(list->a);
    tv_push(list, o);
    return o;
}

size_t tv_list_len(const struct tv *list)
{
    return list && list->type == TV_LIST ? list->u.list.n : 0;
}

/* ---------------------------------------------------------------- parsed templates */

enum tnode_kind { TN_TEXT, TN_VAR, TN_RAW, TN_SECTION, TN_INVERTED, TN_PARTIAL };

struct tseg {
    const char *p;
    size_t len;
};

/* A variable name split at parse time: `up` leading "../" (scopes to climb), then segments split
 * at dots; nseg == 0 means "." (the current value, or with up > 0 that outer scope's value). */
struct tname {
    const struct tseg *segs;
    size_t nseg;
    size_t up;
};

struct tnode {
    enum tnode_kind kind;
    struct tnode *next;
    struct tnode *child; /* body of a section */
    const char *text;    /* literal text, or the name as written (sections, partials) */
    size_t len;
    struct tname name; /* TN_VAR, TN_RAW, TN_SECTION, TN_INVERTED */
    uint64_t hash;     /* TN_PARTIAL: hash of the partial's name */
};

struct tmpl {
    char *name;
    uint64_t hash;
    struct arena *a; /* the copy of the text and every node */
    struct tnode *root;
};

struct tmpl_set {
    struct tmpl **slots; /* open addressing, linear probing; cap is a power of two */
    size_t cap, count;
    size_t budget;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static struct tmpl *set_find(const struct tmpl_set *set, const char *name, size_t len,
                             uint64_t hash)
{
    size_t mask = set->cap - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        struct tmpl *t = set->slots[i];
        if (!t)
            return NULL;
        if (t->hash == hash && strlen(t->name) == len && memcmp(t->name, name, len) == 0)
            return t;
    }
}

/* set_put grows the table at half full, so a free slot always exists: an invariant of this file,
 * not something input can reach (hence an assert, not a check). */
static void set_insert_slot(struct tmpl **slots, size_t cap, struct tmpl *t)
{
    assert(cap && (cap & (cap - 1)) == 0);
    size_t mask = cap - 1;
    size_t i = t->hash & mask;
    while (slots[i])
        i = (i + 1) & mask;
    slots[i] = t;
}

static void tmpl_free(struct tmpl *t)
{
    if (!t)
        return;
    arena_free(t->a);
    free(t->name);
    free(t);
}

struct tmpl_set *tmpl_set_new(void)
{
    struct tmpl_set *set = xcalloc(1, sizeof(*set));
    set->cap = 64;
    set->slots = xcalloc(set->cap, sizeof(*set->slots));
    set->budget = TMPL_DEFAULT_BUDGET;
    return set;
}

void tmpl_set_free(struct tmpl_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->cap; i++)
        tmpl_free(set->slots[i]);
    free(set->slots);
    free(set);
}

void tmpl_set_budget(struct tmpl_set *set, size_t max_visits)
{
    if (set)
        set->budget = max_visits;
}

bool tmpl_set_has(const struct tmpl_set *set, const char *name)
{
    if (!set || !name)
        return false;
    size_t len = strlen(name);
    return set_find(set, name, len, hash_bytes(name, len)) != NULL;
}

static void set_put(struct tmpl_set *set, struct tmpl *t)
{
    size_t mask = set->cap - 1;
    for (size_t i = t->hash & mask; set->slots[i]; i = (i + 1) & mask) {
        if (strcmp(set->slots[i]->name, t->name) == 0) {
            tmpl_free(set->slots[i]);
            set->slots[i] = t;
            return;
        }
    }
    if ((set->count + 1) * 2 > set->cap) {
        size_t cap = set->cap * 2;
        struct tmpl **slots = xcalloc(cap, sizeof(*slots));
        for (size_t i = 0; i < set->cap; i++)
            if (set->slots[i])
                set_insert_slot(slots, cap, set->slots[i]);
        free(set->slots);
        set->slots = slots;
        set->cap = cap;
    }
    set_insert_slot(set->slots, set->cap, t);
    set->count++;
}

/* ---------------------------------------------------------------- parser */

struct open_section {
    struct tnode *node; /* NULL for the template's top level */
    struct tnode **tail;
    int line;
};

struct parser {
    const char *tname;
    const char *s; /* the arena copy of the text: nodes point into it */
    size_t len, pos;
    int line;
    struct arena *a;
    char *err;
    struct open_section stack[TMPL_MAX_NESTING + 1];
    size_t depth;
};

__attribute__((format(printf, 3, 4))) static int parse_fail(struct parser *p, int line,
                                                            const char *fmt, ...)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "gabarit « %s », ligne %d : ", p->tname, line);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    p->err = buf_detach(&b, NULL);
    return -1;
}

/* Tag contents quoted in messages are cut short: they may be anything the author typed. */
static int quote_len(size_t n)
{
    return n > 40 ? 40 : (int)n;
}

static size_t find_str(const char *s, size_t len, size_t from, const char *needle, size_t nlen)
{
    while (from + nlen <= len) {
        const char *hit = memchr(s + from, needle[0], len - from - nlen + 1);
        if (!hit)
            break;
        size_t at = (size_t)(hit - s);
        if (memcmp(hit, needle, nlen) == 0)
            return at;
        from = at + 1;
    }
    return SIZE_MAX;
}

static int count_lines(const char *s, size_t n)
{
    int lines = 0;
    const char *end = s + n;
    while ((s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
        lines++;
        s++;
    }
    return lines;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

static void append_node(struct parser *p, struct tnode *n)
{
    assert(p->depth <= TMPL_MAX_NESTING); /* parse_tag refuses deeper sections */
    struct open_section *top = &p->stack[p->depth];
    *top->tail = n;
    top->tail = &n->next;
}

static struct tnode *node_new(struct parser *p, enum tnode_kind kind, const char *text, size_t len)
{
    struct tnode *n = arena_alloc(p->a, sizeof(*n));
    n->kind = kind;
    n->text = text;
    n->len = len;
    return n;
}

/* Any number of "../", then "." or dot-separated segments of [A-Za-z0-9_-]. */
static int parse_name(struct parser *p, int line, const char *s, size_t n, struct tname *out)
{
    const char *whole = s;
    size_t whole_len = n;
    out->segs = NULL;
    out->nseg = 0;
    out->up = 0;
    while (n >= 3 && memcmp(s, "../", 3) == 0) {
        out->up++;
        s += 3;
        n -= 3;
    }
    if (n == 0)
        return parse_fail(p, line, "nom invalide « %.*s » (rien après « ../ »)",
                          quote_len(whole_len), whole);
    if (n == 1 && s[0] == '.')
        return 0;
    size_t nseg = 1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.')
            nseg++;
        else if (!is_name_char(s[i]))
            return parse_fail(p, line, "nom invalide « %.*s » (lettres, chiffres, _ - . et ../)",
                              quote_len(whole_len), whole);
    }
    struct tseg *segs = arena_alloc(p->a, nseg * sizeof(*segs));
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (i == start)
                return parse_fail(p, line, "nom invalide « %.*s » (segment vide)",
                                  quote_len(whole_len), whole);
            segs[k++] = (struct tseg){s + start, i - start};
            start = i + 1;
        }
    }
    out->segs = segs;
    out->nseg = nseg;
    return 0;
}

static int parse_partial_name(struct parser *p, int line, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_name_char(s[i]) && s[i] != '.' && s[i] != '/')
            return parse_fail(p, line, "nom de gabarit partiel invalide « %.*s »", quote_len(n), s);
    return 0;
}

/* One tag whose sigil and trimmed contents are known. */
static int parse_tag(struct parser *p, int line, char sigil, const char *name, size_t n)
{
    if (n == 0)
        return parse_fail(p, line, "balise sans nom");
    struct tnode *node;
    switch (sigil) {
    case '#':
    case '^':
        if (p->depth == TMPL_MAX_NESTING)
            return parse_fail(p, line, "sections imbriquées sur plus de %d niveaux",
                              TMPL_MAX_NESTING);
        node = node_new(p, sigil == '#' ? TN_SECTION : TN_INVERTED, name, n);
        if (parse_name(p, line, name, n, &node->name) < 0)
            return -1;
        append_node(p, node);
        p->depth++;
        p->stack[p->depth] = (struct open_section){node, &node->child, line};
        return 0;
    case '/': {
        if (p->depth == 0)
            return parse_fail(p, line, "fermeture « {{/%.*s}} » sans section ouverte", quote_len(n),
                              name);
        struct open_section *top = &p->stack[p->depth];
        if (top->node->len != n || memcmp(top->node->text, name, n) != 0)
            return parse_fail(
                p, line, "« {{/%.*s}} » ne ferme pas la section « %.*s » ouverte ligne %d",
                quote_len(n), name, quote_len(top->node->len), top->node->text, top->line);
        p->depth--;
        return 0;
    }
    case '>':
        if (parse_partial_name(p, line, name, n) < 0)
            return -1;
        node = node_new(p, TN_PARTIAL, name, n);
        node->hash = hash_bytes(name, n);
        append_node(p, node);
        return 0;
    default: /* 0 (escaped), '{' and '&' (raw) */
        node = node_new(p, sigil ? TN_RAW : TN_VAR, name, n);
        if (parse_name(p, line, name, n, &node->name) < 0)
            return -1;
        append_node(p, node);
        return 0;
    }
}

static int parse_all(struct parser *p)
{
    const char *s = p->s;
    size_t len = p->len;
    while (p->pos < len) {
        size_t open = find_str(s, len, p->pos, "{{", 2);
        size_t text_end = open == SIZE_MAX ? len : open;
        if (text_end > p->pos) {
            append_node(p, node_new(p, TN_TEXT, s + p->pos, text_end - p->pos));
            p->line += count_lines(s + p->pos, text_end - p->pos);
        }
        if (open == SIZE_MAX)
            break;

        int line = p->line;
        size_t q = open + 2;
        char sigil = 0;
        const char *close = "}}";
        if (q < len && s[q] != '\0' && strchr("{&#^/!>", s[q])) {
            sigil = s[q++];
            if (sigil == '{')
                close = "}}}";
        }
        size_t close_len = strlen(close);
        size_t end = find_str(s, len, q, close, close_len);
        if (end == SIZE_MAX)
            return parse_fail(p, line, "balise « {{ » jamais fermée par « %s »", close);
        p->line += count_lines(s + q, end - q);
        p->pos = end + close_len;
        if (sigil == '!')
            continue;
        size_t a = q, b = end;
        while (a < b && is_space(s[a]))
            a++;
        while (b > a && is_space(s[b - 1]))
            b--;
        if (parse_tag(p, line, sigil, s + a, b - a) < 0)
            return -1;
    }
    if (p->depth > 0) {
        struct open_section *top = &p->stack[p->depth];
        return parse_fail(p, top->line, "section « %.*s » jamais fermée", quote_len(top->node->len),
                          top->node->text);
    }
    return 0;
}

int tmpl_set_add(struct tmpl_set *set, const char *name, const char *text, size_t len, char **err)
{
    if (err)
        *err = NULL;
    if (!set || !name) {
        if (err)
            *err = xstrdup("gabarit sans nom ou sans ensemble");
        return -1;
    }
    if (len > TMPL_MAX_SIZE) {
        if (err) {
            struct buf b = BUF_INIT;
            buf_printf(&b, "gabarit « %s » : plus de %d octets", name, TMPL_MAX_SIZE);
            *err = buf_detach(&b, NULL);
        }
        return -1;
    }
    struct tmpl *t = xcalloc(1, sizeof(*t));
    t->name = xstrdup(name);
    t->hash = hash_bytes(name, strlen(name));
    t->a = arena_new();

    struct parser parser = {0}, *p = &parser;
    p->tname = name;
    p->s = arena_strndup(t->a, text ? text : "", text ? len : 0);
    p->len = text ? len : 0;
    p->line = 1;
    p->a = t->a;
    p->stack[0] = (struct open_section){NULL, &t->root, 1};
    int rc = parse_all(p);
    if (rc < 0) {
        if (err)
            *err = p->err;
        else
            free(p->err);
        tmpl_free(t);
    } else {
        set_put(set, t);
    }
    return rc;
}

/* ---------------------------------------------------------------- loading */

static char *load_error(const char *fmt, const char *path, int errnum)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, fmt, path, strerror(errnum));
    return buf_detach(&b, NULL);
}

/* Reads a regular file whole; 1 when it is not a regular file (skipped), -1 on error. */
static int read_template_file(const char *path, struct buf *out, char **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *err = load_error("impossible d'ouvrir « %s » : %s", path, errno);
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        *err = load_error("impossible de lire « %s » : %s", path, errno);
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return 1;
    }
    if (st.st_size > TMPL_MAX_SIZE) {
        struct buf b = BUF_INIT;
        buf_printf(&b, "« %s » : plus de %d octets", path, TMPL_MAX_SIZE);
        *err = buf_detach(&b, NULL);
        close(fd);
        return -1;
    }
    char chunk[8192];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *err = load_error("impossible de lire « %s » : %s", path, errno);
            close(fd);
            return -1;
        }
        if (n == 0)
            break;
        buf_append(out, chunk, (size_t)n);
        if (out->len > TMPL_MAX_SIZE)
            break; /* grew since fstat: tmpl_set_add reports it */
    }
    close(fd);
    return 0;
}

struct tmpl_set *tmpl_set_load(const char *dir, char **err)
{
    char *dummy = NULL;
    if (!err)
        err = &dummy;
    *err = NULL;
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d) {
        *err = load_error("impossible d'ouvrir le dossier « %s » : %s", dir ? dir : "(aucun)",
                          dir ? errno : EINVAL);
        free(dummy);
        return NULL;
    }
    struct tmpl_set *set = tmpl_set_new();
    struct buf path = BUF_INIT, text = BUF_INIT;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n <= 5 || strcmp(e->d_name + n - 5, ".html") != 0 || e->d_name[0] == '.')
            continue;
        buf_reset(&path);
        buf_printf(&path, "%s/%s", dir, e->d_name);
        buf_reset(&text);
        int r = read_template_file(buf_cstr(&path), &text, err);
        if (r < 0) {
            rc = -1;
        } else if (r == 0) {
            char *name = xstrndup(e->d_name, n - 5);
            rc = tmpl_set_add(set, name, buf_cstr(&text), text.len, err);
            free(name);
        }
    }
    closedir(d);
    buf_free(&path);
    buf_free(&text);
    if (rc < 0) {
        tmpl_set_free(set);
        set = NULL;
    }
    free(dummy);
    return set;
}

/* ---------------------------------------------------------------- renderer */

/* The context stack lives on the C stack, one frame per open section. A frame is a scope when it
 * was opened by an object, a list item or the top context: names are looked up in the nearest
 * scope only, never further out (a card without "themes" must not print the page's themes).
 * A section on a true scalar (a flag, a non-empty string) is only a condition: its frame gives
 * "." but names inside it resolve in the enclosing scope. */
struct rframe {
    const struct tv *v;
    const struct rframe *up;
    bool scope;
};

struct rstate {
    const struct tmpl_set *set;
    struct buf *out;
    size_t visits;
    int partial_depth;
};

static const struct rframe *scope_of(const struct rframe *f)
{
    while (f && !f->scope)
        f = f->up;
    return f;
}

static const struct tv *lookup(const struct rframe *f, const struct tname *name)
{
    if (name->nseg == 0 && name->up == 0)
        return f->v;
    /* The nearest scope, then one scope further out per "../"; too many climb to nothing. */
    const struct rframe *s = scope_of(f);
    for (size_t i = 0; i < name->up && s; i++)
        s = scope_of(s->up);
    if (!s)
        return NULL;
    if (name->nseg == 0)
        return s->v;
    if (!s->v || s->v->type != TV_OBJ)
        return NULL;
    const struct tv_kv *kv = obj_find(s->v, name->segs[0].p, name->segs[0].len);
    if (!kv)
        return NULL;
    const struct tv *v = kv->val;
    /* The rest of a dotted name hangs from its first segment. */
    for (size_t i = 1; i < name->nseg; i++) {
        if (!v || v->type != TV_OBJ)
            return NULL;
        kv = obj_find(v, name->segs[i].p, name->segs[i].len);
        if (!kv)
            return NULL;
        v = kv->val;
    }
    return v;
}

static void put_value(struct buf *out, const struct tv *v, bool raw)
{
    if (!v)
        return;
    switch (v->type) {
    case TV_STR:
        buf_put_html(out, v->u.str.s, v->u.str.len);
        break;
    case TV_HTML:
        if (raw)
            buf_append(out, v->u.str.s, v->u.str.len);
        else
            buf_put_html(out, v->u.str.s, v->u.str.len);
        break;
    case TV_BOOL:
        if (v->b)
            buf_puts(out, "true");
        break;
    default:
        break;
    }
}

static bool truthy(const struct tv *v)
{
    if (!v)
        return false;
    switch (v->type) {
    case TV_BOOL:
        return v->b;
    case TV_STR:
    case TV_HTML:
        return v->u.str.len > 0;
    case TV_LIST:
        return v->u.list.n > 0;
    case TV_OBJ:
        return true;
    default:
        return false;
    }
}

static int render_nodes(struct rstate *st, const struct tnode *n, const struct rframe *f)
{
    for (; n; n = n->next) {
        if (++st->visits > st->set->budget)
            return -1;
        switch (n->kind) {
        case TN_TEXT:
            buf_append(st->out, n->text, n->len);
            break;
        case TN_VAR:
        case TN_RAW:
            put_value(st->out, lookup(f, &n->name), n->kind == TN_RAW);
            break;
        case TN_SECTION: {
            const struct tv *v = lookup(f, &n->name);
            if (!truthy(v))
                break;
            if (v->type == TV_LIST) {
                for (size_t i = 0; i < v->u.list.n; i++) {
                    struct rframe inner = {v->u.list.items[i], f, true};
                    if (++st->visits > st->set->budget || render_nodes(st, n->child, &inner) < 0)
                        return -1;
                }
            } else {
                struct rframe inner = {v, f, v->type == TV_OBJ};
                if (render_nodes(st, n->child, &inner) < 0)
                    return -1;
            }
            break;
        }
        case TN_INVERTED:
            if (!truthy(lookup(f, &n->name)) && render_nodes(st, n->child, f) < 0)
                return -1;
            break;
        case TN_PARTIAL: {
            const struct tmpl *t = set_find(st->set, n->text, n->len, n->hash);
            if (!t || st->partial_depth >= TMPL_MAX_PARTIAL_DEPTH)
                return -1;
            st->partial_depth++;
            int rc = render_nodes(st, t->root, f);
            st->partial_depth--;
            if (rc < 0)
                return -1;
            break;
        }
        }
    }
    return 0;
}

int tmpl_render(const struct tmpl_set *set, const char *name, const struct tv *ctx, struct buf *out)
{
    if (!set || !name || !out)
        return -1;
    size_t len = strlen(name);
    const struct tmpl *t = set_find(set, name, len, hash_bytes(name, len));
    if (!t)
        return -1;
    struct rstate st = {set, out, 0, 0};
    struct rframe top = {ctx, NULL, true};
    size_t start = out->len;
    if (render_nodes(&st, t->root, &top) < 0) {
        if (out->data) {
            out->len = start;
            out->data[start] = '\0';
        }
        return -1;
    }
    return 0;
}
