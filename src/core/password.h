/* password.h — what makes a password acceptable: at least PASSWORD_MIN characters (ASVS 2.1.1),
 * at most PASSWORD_MAX_BYTES, and not one that people commonly choose, checked against the list
 * of common and breached passwords that the set-up installs from npm (@zxcvbn-ts/
 * language-common's passwords.json, ranked by frequency in real leaks). */
#ifndef FOISON_PASSWORD_H
#define FOISON_PASSWORD_H
#include <stdbool.h>

#define PASSWORD_MIN 12         /* characters */
#define PASSWORD_MAX_BYTES 1024 /* a longer one only costs the hashing */
#define PASSWORD_LIST_RELATIVE "node_modules/@zxcvbn-ts/language-common/src/passwords.json"

/* Loads the list of common passwords from datadir/PASSWORD_LIST_RELATIVE once per process
 * (later calls do nothing). Returns how many were loaded, or -1 when the file is missing or
 * unreadable (the length rule still applies; the caller says so). Thread-safe. */
long password_list_load(const char *datadir);
/* How many common passwords are known (0 before a load, or when it failed). */
long password_list_size(void);
/* NULL when password is acceptable for the account of email and name (either may be NULL),
 * else the French reason, for the user. */
const char *password_problem(const char *password, const char *email, const char *name);

#endif
