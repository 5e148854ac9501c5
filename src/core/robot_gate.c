/* robot_gate.c — the signed cookie of a visitor who proved to be a person (see robot_gate.h). */
#include "core/robot_gate.h"
#include "core/login_guard.h"
#include "store/store.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool robot_gate_enabled(struct store *s)
{
    char *v = store_setting_get(s, "robot_restrict");
    bool on = !v || strcmp(v, "off") != 0;
    free(v);
    return on;
}

int robot_gate_cookie(struct store *s, long long now, char out[ROBOT_GATE_COOKIE_MAX + 1])
{
    unsigned char raw[16];
    char nonce[33], text[80], mac[65];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(nonce, sizeof nonce, raw, sizeof raw);
    snprintf(text, sizeof text, "%lld.%s", now + ROBOT_GATE_SECONDS, nonce);
    if (login_guard_sign(s, "human", text, mac) != 0)
        return -1;
    snprintf(out, ROBOT_GATE_COOKIE_MAX + 1, "%s.%s", text, mac);
    return 0;
}

bool robot_gate_cookie_valid(struct store *s, const char *cookie, long long now)
{
    long long expires;
    char nonce[33], mac[65], text[80], want[65];
    int used = 0;
    if (!cookie || strlen(cookie) > ROBOT_GATE_COOKIE_MAX ||
        sscanf(cookie, "%lld.%32[0-9a-f].%64[0-9a-f]%n", &expires, nonce, mac, &used) != 3 ||
        cookie[used] != '\0' || strlen(nonce) != 32 || strlen(mac) != 64 || expires < now ||
        expires > now + ROBOT_GATE_SECONDS)
        return false;
    snprintf(text, sizeof text, "%lld.%s", expires, nonce);
    return login_guard_sign(s, "human", text, want) == 0 && sodium_memcmp(want, mac, 64) == 0;
}
