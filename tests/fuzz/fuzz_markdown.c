/* fuzz_markdown.c — fuzz target for markdown_render: whatever the input, the HTML has no script
 * tag, no event-handler attribute and no href/src outside the URL allow-list.
 * Built with -DFOISON_LIBFUZZER it is a libFuzzer target; otherwise its own main runs a bounded,
 * deterministic random campaign (after replaying any corpus files or directories named on the
 * command line) so that the plain test run exercises it too. */
#define _POSIX_C_SOURCE 200809L
#include "render/markdown.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool fz_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* As a browser reads it: character references decoded, blanks and controls dropped, lowercased;
 * then it must have no scheme or an allowed one (images: http(s) only). Stricter than needed. */
static bool fz_url_ok(const char *v, size_t n, bool image)
{
    char clean[64];
    size_t k = 0;
    for (size_t i = 0; i < n && k < sizeof(clean) - 1; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '&') {
            size_t j = i + 1;
            while (j < n && v[j] != ';')
                j++;
            if (i + 1 < n && v[i + 1] == '#') {
                bool hex = i + 2 < n && (v[i + 2] == 'x' || v[i + 2] == 'X');
                unsigned long cp = strtoul(v + i + (hex ? 3 : 2), NULL, hex ? 16 : 10);
                c = cp > 0 && cp < 128 ? (unsigned char)cp : 'X';
            } else if (j - i == 6 && !strncasecmp(v + i, "&colon", 6)) {
                c = ':';
            } else if (j - i == 4 && !strncmp(v + i, "&amp", 4)) {
                c = '&';
            } else {
                c = 'X';
            }
            i = j;
        }
        if (c <= 0x20 || c == 0x7f)
            continue;
        clean[k++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    clean[k] = '\0';
    size_t end = strcspn(clean, ":/?#");
    if (clean[end] != ':')
        return !image;
    if (!strncmp(clean, "http:", 5) || !strncmp(clean, "https:", 6))
        return true;
    return !image && !strncmp(clean, "mailto:", 7);
}

/* Returns why html is unsafe, or NULL. Every '<' must open a tag that cmark wrote, because text
 * '<' is escaped; so scanning tags is scanning everything that can carry attributes. */
static const char *fz_check(const char *html)
{
    for (const char *p = html; (p = strchr(p, '<')) != NULL;) {
        p++;
        if (*p == '!') { /* <!-- raw HTML omitted --> */
            const char *end = strstr(p, "-->");
            if (!end)
                return "unterminated comment";
            p = end + 3;
            continue;
        }
        if (*p == '/')
            p++;
        const char *name = p;
        while (*p && !fz_space(*p) && *p != '>' && *p != '/')
            p++;
        size_t name_len = (size_t)(p - name);
        if (name_len == 6 && !strncasecmp(name, "script", 6))
            return "<script";
        bool is_img = name_len == 3 && !strncasecmp(name, "img", 3);
        bool is_a = name_len == 1 && (*name == 'a' || *name == 'A');
        bool has_rel = false;
        for (;;) {
            while (fz_space(*p) || *p == '/')
                p++;
            if (*p == '>')
                break;
            if (!*p)
                return "unterminated tag";
            const char *an = p;
            while (*p && !fz_space(*p) && *p != '=' && *p != '>' && *p != '/')
                p++;
            size_t an_len = (size_t)(p - an);
            if (an_len >= 2 && !strncasecmp(an, "on", 2))
                return "event attribute";
            const char *val = "";
            size_t val_len = 0;
            if (*p == '=') {
                p++;
                char q = *p;
                if (q == '"' || q == '\'') {
                    val = ++p;
                    while (*p && *p != q)
                        p++;
                    if (!*p)
                        return "unterminated attribute";
                    val_len = (size_t)(p - val);
                    p++;
                } else {
                    val = p;
                    while (*p && !fz_space(*p) && *p != '>')
                        p++;
                    val_len = (size_t)(p - val);
                }
            }
            bool url_attr = (an_len == 4 && !strncasecmp(an, "href", 4)) ||
                            (an_len == 3 && !strncasecmp(an, "src", 3));
            if (url_attr && !fz_url_ok(val, val_len, is_img))
                return "URL outside the allow-list";
            if (an_len == 3 && !strncmp(an, "rel", 3) && val_len == 12 &&
                !strncmp(val, "nofollow ugc", 12))
                has_rel = true;
        }
        if (is_a && name[-1] != '/' && !has_rel)
            return "link without rel";
    }
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *html = markdown_render((const char *)data, size);
    const char *why = fz_check(html);
    if (why) {
        fprintf(stderr, "fuzz_markdown: %s\ninput:\n%.*s\noutput:\n%s\n", why, (int)size,
                (const char *)data, html);
        abort();
    }
    free(html);
    return 0;
}

#ifndef FOISON_LIBFUZZER

static const char *const fz_frags[] = {
    "[",
    "]",
    "(",
    ")",
    "](",
    "![",
    "[x](",
    "<",
    ">",
    "\"",
    "'",
    " ",
    "\n",
    "\n\n",
    "\t",
    "\\",
    "*",
    "**",
    "_",
    "~~",
    "~",
    "`",
    "```",
    "# ",
    "> ",
    "- ",
    "1. ",
    "|",
    "| a | b |\n|---|---|\n",
    "---",
    "&",
    "&#106;",
    "&#x6A;",
    "&#9;",
    "&#x0A;",
    "&colon;",
    "&amp;",
    "&quot;",
    "%0a",
    "%3A",
    "javascript:",
    "JaVaScRiPt:",
    "java\tscript:",
    " javascript:",
    "vbscript:",
    "data:",
    "data:text/html,",
    "file:",
    "http://",
    "https://",
    "https://a.fr",
    "mailto:",
    "a@b.fr",
    "www.",
    "exemple.org",
    "alert(1)",
    "<script>",
    "</script>",
    "<SCRIPT>",
    "<img src=x ",
    " onerror=",
    " onclick=\"",
    "<a href=\"",
    "<iframe ",
    "<svg onload=",
    "<!--",
    "-->",
    "é",
    "€",
    "🦀",
    "\xff",
    "\xc3",
    "x",
    "texte",
    " \"titre\"",
    " 'titre'",
    "[r]",
    "[r]: ",
};

static uint64_t fz_state = 20240601;

static uint32_t fz_rand(void)
{
    fz_state = fz_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(fz_state >> 33);
}

static void fz_put(char *buf, size_t *len, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n < cap) {
        memcpy(buf + *len, s, n);
        *len += n;
    }
}

static const char *fz_frag(void)
{
    return fz_frags[fz_rand() % (sizeof(fz_frags) / sizeof(fz_frags[0]))];
}

/* Half fragment soup, half well-formed links and images around a hostile-looking URL, so the
 * allow-list is hit often. */
static size_t fz_build(char *buf, size_t cap)
{
    size_t len = 0;
    size_t n = 1 + fz_rand() % 40;
    if (fz_rand() % 2) {
        for (size_t i = 0; i < n; i++)
            fz_put(buf, &len, cap, fz_frag());
    } else {
        static const char *const lead[] = {"[", "![", "<", "[r]\n\n[r]: ", "| a |\n|---|\n| ["};
        const char *l = lead[fz_rand() % 5];
        fz_put(buf, &len, cap, l);
        if (l[0] == '[' || l[0] == '!' || l[0] == '|') {
            if (l[0] != '[' || l[1] != 'r')
                fz_put(buf, &len, cap, "txt](");
        }
        for (size_t i = 0; i < n % 6 + 1; i++)
            fz_put(buf, &len, cap, fz_frag());
        fz_put(buf, &len, cap, l[0] == '<' ? ">" : ")");
        fz_put(buf, &len, cap, fz_frag());
    }
    return len;
}

#include <dirent.h>
#include <sys/stat.h>

/* Renders one file (or every regular file of a directory); returns how many were replayed.
 * A missing path is not an error: the corpus is optional. */
static int fz_replay(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d)
            return 0;
        int n = 0;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char full[4096];
            snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
            n += fz_replay(full);
        }
        closedir(d);
        return n;
    }
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    static char data[1 << 20];
    size_t len = fread(data, 1, sizeof(data), f);
    fclose(f);
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    return 1;
}

int main(int argc, char **argv)
{
    enum { FZ_RUNS = 20000 };
    char buf[2048];
    int replayed = 0;
    for (int i = 1; i < argc; i++)
        replayed += fz_replay(argv[i]);
    for (int i = 0; i < FZ_RUNS; i++) {
        size_t len = fz_build(buf, sizeof(buf));
        LLVMFuzzerTestOneInput((const uint8_t *)buf, len); /* aborts on a finding */
    }
    printf("fuzz_markdown: %d passed, 0 failed\n", replayed + FZ_RUNS);
    return 0;
}

#endif
