/* diff.h — word-level diff between two revisions of a text field (wiki history view). */
#ifndef FOISON_DIFF_H
#define FOISON_DIFF_H
#include <stddef.h>

struct arena;

enum diff_op { DIFF_EQ, DIFF_DEL, DIFF_INS };

/* One run of tokens; text points into a (EQ, DEL) or b (INS), it is not NUL-terminated. */
struct diff_chunk {
    enum diff_op op;
    const char *text;
    size_t len;
};

/* Past this many token edits the diff gives up and reports the whole changed middle as one
 * deletion plus one insertion, so that a pathological pair of inputs cannot eat the CPU. */
#define DIFF_MAX_EDITS 4000

/* Diffs a and b (UTF-8, NUL-terminated) word by word. Tokens are runs of word bytes (ASCII
 * letters and digits, any byte >= 0x80, with '_', '-' and '\'' allowed between two of them),
 * runs of whitespace, and single punctuation bytes. Adjacent chunks with the same op are merged,
 * between two EQ chunks the deletion always comes before the insertion, and a blank without line
 * break lying between two changes is folded into them (so "chat noir" -> "chien blanc" is one
 * DEL and one INS). Chunks are allocated
 * in the arena; *out is NULL when the result is empty (both inputs empty).
 * Returns the number of chunks. Concatenating EQ+DEL chunks gives a; EQ+INS gives b. */
size_t diff_words(struct arena *ar, const char *a, const char *b, struct diff_chunk **out);

#endif
