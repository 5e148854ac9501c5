/* mailer.c — the mail worker of `foison serve` (a thread delivering the site's queued mail
 * every few seconds, over SMTP or into the spool folder) and `foison mail`, which queues a test
 * message or delivers the queue now. */
#include "cli/cli.h"
#include "core/chores.h"
#include <stdbool.h>
#include "core/outbox.h"
#include "mail/mail.h"
#include "store/store.h"
#include "util/arena.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct mailer {
    char *site;
    unsigned poll_ms; /* the wait between two rounds that sent nothing */
    struct mail_transport t;
    char *url, *user, *password, *spool;
};

/* The SMTP settings into m (again: the worker reads them before each round, so a change made
 * by `foison config` or /admin/reglages applies without a restart). */
static void mailer_settings(struct mailer *m, struct store *s)
{
    free(m->url);
    free(m->user);
    free(m->password);
    m->url = store_setting_get(s, "smtp_url");
    m->user = store_setting_get(s, "smtp_user");
    m->password = store_setting_get(s, "smtp_password");
    char *tls = store_setting_get(s, "smtp_starttls");
    m->t = (struct mail_transport){
        .url = m->url,
        .starttls = !tls || strcmp(tls, "off") != 0,
        .user = m->user,
        .password = m->password,
        .spool = m->spool,
        .timeout_seconds = 60,
    };
    free(tls);
}

/* The transport the settings describe; the spool beside the site file when no SMTP server. */
static void mailer_load(struct mailer *m, struct store *s, const char *site)
{
    memset(m, 0, sizeof(*m));
    m->site = strdup(site);
    size_t n = strlen(site) + sizeof "-courriels";
    m->spool = malloc(n);
    snprintf(m->spool, n, "%s-courriels", site);
    mailer_settings(m, s);
}

static void mailer_free(struct mailer *m)
{
    free(m->site);
    free(m->url);
    free(m->user);
    free(m->password);
    free(m->spool);
}

static int mailer_send(void *ctx, const char *from, const char *to, const char *name,
                       const char *message, size_t len, char *err, size_t errlen)
{
    const struct mailer *m = ctx;
    return mail_send(&m->t, from, to, name, message, len, err, errlen);
}

/* Delivers what is due from the site file at path; *sent receives how many went out. */
static int mailer_run_once(struct mailer *m, struct store *s, int *sent)
{
    struct arena *a = arena_new();
    int rc = outbox_deliver(s, a, (long long)time(NULL), 20, mailer_send, m, sent);
    arena_free(a);
    return rc;
}

static void *mailer_thread(void *arg)
{
    struct mailer *m = arg;
    char err[512];
    struct store *s = NULL;
    long long chores_at = 0;
    for (;;) {
        if (!s && !(s = store_open(m->site, STORE_OPEN_EXISTING, err, sizeof err)))
            fprintf(stderr, "foison: courriels : %s\n", err);
        int sent = 0;
        if (s)
            mailer_settings(m, s);
        if (s && mailer_run_once(m, s, &sent) != 0) {
            store_close(s); /* opened again on the next round */
            s = NULL;
        }
        /* The timed work, once a minute, on the same connection. */
        long long now = (long long)time(NULL);
        if (s && now - chores_at >= 60) {
            chores_at = now;
            if (chores_run(s, now, NULL) != 0)
                fprintf(stderr, "foison: une tâche planifiée a échoué\n");
        }
        if (sent == 0) {
            struct timespec pause = {.tv_sec = m->poll_ms / 1000,
                                     .tv_nsec = (long)(m->poll_ms % 1000) * 1000000L};
            while (nanosleep(&pause, &pause) != 0 && errno == EINTR)
                ;
        }
    }
    return NULL;
}

int cli_mailer_start(struct store *s, const char *site, unsigned poll_ms)
{
    static struct mailer m;
    if (mail_init() != 0) {
        fprintf(stderr, "foison: courriels : libcurl ne démarre pas\n");
        return -1;
    }
    mailer_load(&m, s, site);
    m.poll_ms = poll_ms;
    if (m.url && *m.url)
        fprintf(stderr, "foison: courriels envoyés par %s%s\n", m.url,
                m.t.starttls && strncmp(m.url, "smtp://", 7) == 0 ? " (STARTTLS exigé)" : "");
    else
        fprintf(stderr,
                "foison: pas de serveur SMTP réglé (foison config SITE smtp_url smtp://…) : "
                "les courriels sont écrits dans %s/\n",
                m.spool);
    pthread_t th;
    if (pthread_create(&th, NULL, mailer_thread, &m) != 0)
        return -1;
    pthread_detach(th);
    return 0;
}

static int mail_usage(FILE *f)
{
    fprintf(f, "usage : foison mail SITE.db --test ADRESSE   met en file un courriel d'essai\n"
               "        foison mail SITE.db --deliver        envoie maintenant ce qui est dû\n"
               "Le serveur (foison serve) envoie la file de lui-même toutes les deux secondes\n"
               "(--mail-poll-ms de foison serve).\n");
    return f == stdout ? 0 : 2;
}

int cli_mail(int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return mail_usage(stdout);
    bool deliver = argc == 3 && strcmp(argv[2], "--deliver") == 0;
    bool test = argc == 4 && strcmp(argv[2], "--test") == 0;
    if (!deliver && !test)
        return mail_usage(stderr);
    char err[512];
    struct store *s = store_open(argv[1], STORE_OPEN_EXISTING, err, sizeof err);
    if (!s) {
        fprintf(stderr, "foison: %s\n", err);
        return 1;
    }
    int rc = 0;
    if (test) {
        struct arena *a = arena_new();
        struct outbox_mail msg = {
            .to = argv[3],
            .subject = "Courriel d'essai de foison — ça marche !",
            .text = "Bonjour,\n\nCe courriel d'essai montre que le site envoie bien ses "
                    "courriels (confirmations d'inscription, mots de passe oubliés…).\n\n"
                    "— foison\n",
            .html = "<p>Bonjour,</p><p>Ce courriel d'essai montre que le site envoie bien ses "
                    "courriels (confirmations d'inscription, mots de passe oubliés…).</p>"
                    "<p>— foison</p>",
        };
        if (outbox_queue(s, a, &msg, (long long)time(NULL)) != 0) {
            fprintf(stderr, "foison: adresse invalide ou file des courriels inaccessible : %s\n",
                    argv[3]);
            rc = 1;
        } else {
            printf("courriel d'essai mis en file pour %s\n", argv[3]);
        }
        arena_free(a);
    } else {
        struct mailer m;
        mailer_load(&m, s, argv[1]);
        if (mail_init() != 0) {
            rc = 1;
        } else {
            int sent = 0, total = 0;
            do {
                if (mailer_run_once(&m, s, &sent) != 0) {
                    rc = 1;
                    break;
                }
                total += sent;
            } while (sent > 0);
            printf("%d courriel%s envoyé%s\n", total, total > 1 ? "s" : "", total > 1 ? "s" : "");
        }
        mailer_free(&m);
    }
    store_close(s);
    return rc;
}
