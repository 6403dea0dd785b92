/* ct_follow: follow ONE Certificate Transparency log directly (no
 * CertStream server) and print one line per entry: "index domains...".
 *
 *   build/examples/ct_follow [options] URL
 *     --static         the log is a static-ct-api (tiled) log
 *     --key B64        its key (base64 SPKI DER, as in the log list):
 *                      tree heads are then verified
 *     --origin NAME    the checkpoint origin (static; default: the URL)
 *     --from N         start at entry N (default: new entries only)
 *     -n COUNT         stop after COUNT entries
 *     --until N        stop once every entry before N came (or failed)
 *     --to N           a range: deliver [from, N) and end ("done N")
 *     --ca FILE        trust these CAs (https://); --insecure: none
 *     --batch N        get-entries batch size; --poll MS the head poll
 *     --no-verify      no Merkle proofs (cs_ct_config.verify = 0)
 *     --verified       lines read "index vN domains...", N the entry's
 *                      cs_msg.verified
 *
 * Errors go to stderr ("error INDEX: text"). The model for a firmware
 * build: swap the POSIX transport and the loop for the device's. */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char mem[CS_CT_MEM];
#if CS_HAS_TLS
static unsigned char anchor_mem[256 * 1024];
#endif
static unsigned char key[1024];
static cs_ct_follower follower;
static cs_posix tcp;
static unsigned long long want, got, until;
static int show_verified;

static void
on_event(void *ctx, const cs_event *ev)
{
    size_t i, n;

    (void)ctx;
    if (ev->type == CS_EV_MESSAGE) {
        printf("%llu", (unsigned long long)ev->index);
        if (show_verified)
            printf(" v%d", ev->msg->verified);  /* = entry->verified */
        for (i = 0; i < ev->msg->domain_count; i++)
            printf(" %s", cs_msg_domain(ev->msg, i, &n));
        printf("\n");
        fflush(stdout);
        if ((want > 0 && ++got >= want)
            || (until > 0 && ev->index + 1 >= until))
            cs_ct_stop(&follower);
    } else if (ev->type == CS_EV_CT_ERROR && ev->status == 0) {
        fprintf(stderr, "error %llu: %s\n", (unsigned long long)ev->index,
                cs_strerror(ev->err));
        if (until > 0 && ev->index + 1 >= until)
            cs_ct_stop(&follower);
    } else if (ev->type == CS_EV_CT_ERROR) {
        fprintf(stderr, "head error %llu: %s\n",
                (unsigned long long)ev->index, cs_strerror(ev->err));
    } else if (ev->type == CS_EV_FAILED) {
        fprintf(stderr, "failed: %s (status %d)\n", cs_strerror(ev->err),
                ev->status);
    } else if (ev->type == CS_EV_CT_TREE) {
        fprintf(stderr, "tree %llu\n", (unsigned long long)ev->index);
    } else if (ev->type == CS_EV_RETRY) {
        fprintf(stderr, "retry in %llu ms\n",
                (unsigned long long)ev->delay_ms);
    } else if (ev->type == CS_EV_CONNECTING) {
        fprintf(stderr, "connecting\n");
    } else if (ev->type == CS_EV_REDIRECT) {
        fprintf(stderr, "redirect %d %.*s\n", ev->status, (int)ev->len,
                ev->text);
    } else if (ev->type == CS_EV_CT_DONE) {
        fprintf(stderr, "done %llu\n", (unsigned long long)ev->index);
    } else if (ev->type == CS_EV_WARNING) {
        fprintf(stderr, "warning: %.*s\n", (int)ev->len, ev->text);
    }
}

static void
on_signal(int sig)
{
    (void)sig;
    cs_ct_stop(&follower);
}

int
main(int argc, char **argv)
{
    cs_ct_config cfg;
    cs_transport t;
    cs_ct_follower *list[1];
    int i, r;

    cs_ct_config_init(&cfg);
    cfg.mem = mem;
    cfg.mem_cap = sizeof mem;
    cfg.on_event = on_event;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--static") == 0) {
            cfg.kind = CS_CT_STATIC;
        } else if (strcmp(a, "--no-verify") == 0) {
            cfg.verify = 0;
        } else if (strcmp(a, "--verified") == 0) {
            show_verified = 1;
        } else if (strcmp(a, "--insecure") == 0) {
#if CS_HAS_TLS
            cfg.tls.mode = CS_TLS_INSECURE;
#endif
        } else if (v != NULL && strcmp(a, "--key") == 0) {
            long n = cs_b64_decode(v, strlen(v), key, sizeof key);
            if (n <= 0) {
                fprintf(stderr, "ct_follow: bad --key\n");
                return 2;
            }
            cfg.key = key;
            cfg.key_len = (size_t)n;
            i++;
        } else if (v != NULL && strcmp(a, "--origin") == 0) {
            cfg.origin = v, i++;
        } else if (v != NULL && strcmp(a, "--from") == 0) {
            cfg.from = strtoull(v, NULL, 10), cfg.has_from = 1, i++;
        } else if (v != NULL && strcmp(a, "-n") == 0) {
            want = strtoull(v, NULL, 10), i++;
        } else if (v != NULL && strcmp(a, "--until") == 0) {
            until = strtoull(v, NULL, 10), i++;
        } else if (v != NULL && strcmp(a, "--to") == 0) {
            cfg.to = strtoull(v, NULL, 10), cfg.has_to = 1, i++;
        } else if (v != NULL && strcmp(a, "--batch") == 0) {
            cfg.batch = (uint32_t)strtoul(v, NULL, 10), i++;
        } else if (v != NULL && strcmp(a, "--poll") == 0) {
            cfg.poll_ms = (uint32_t)strtoul(v, NULL, 10), i++;
        } else if (v != NULL && strcmp(a, "--ca") == 0) {
#if CS_HAS_TLS
            cfg.tls.ca_file = v;
            cfg.tls.anchor_mem = anchor_mem;
            cfg.tls.anchor_mem_cap = sizeof anchor_mem;
#endif
            i++;
        } else if (a[0] != '-' && cfg.url == NULL) {
            cfg.url = a;
        } else {
            fprintf(stderr, "usage: ct_follow [--static] [--key B64] "
                    "[--origin O] [--from N] [-n COUNT] [--ca FILE] "
                    "[--until N] [--to N] [--insecure] [--batch N] [--poll MS] URL\n");
            return 2;
        }
    }
#if CS_HAS_TLS
    if (cfg.tls.anchor_mem == NULL) {
        cfg.tls.anchor_mem = anchor_mem;      /* the system bundle */
        cfg.tls.anchor_mem_cap = sizeof anchor_mem;
    }
#endif
    cs_posix_transport(&tcp, &t);
    r = cs_ct_init(&follower, &cfg, &t);
    if (r != 0) {
        fprintf(stderr, "ct_follow: %s\n", cs_strerror(r));
        return 2;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    list[0] = &follower;
    r = cs_ct_run(list, 1, NULL, NULL);
    fprintf(stderr, "ct_follow: %llu entries, %llu bad, next %llu, "
            "%zu bytes per log + %zu of memory\n",
            (unsigned long long)cs_ct_stats_get(&follower)->entries,
            (unsigned long long)cs_ct_stats_get(&follower)->bad_entries,
            (unsigned long long)cs_ct_stats_get(&follower)->next,
            cs_ct_follower_size(), sizeof mem);
    return r == 0 ? 0 : 1;
}
