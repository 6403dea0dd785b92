/* bench_der.c - [1h] speed on real certificates: what a direct-mode
 * follower does per CT entry after gathering it, on the navigli2025h2
 * data tiles (../shared/ct) held in memory and walked many times.
 *
 * Per entry: cs_cert_parse() of the TBS, or of the pre_certificate too
 * (BENCH_DER_PRE=1: both, as certstream-server-rust parses the precert),
 * then everything a certstream message needs: the aggregated subject and
 * issuer, the subject's attributes, the serial in hex, every SAN entry
 * (IP addresses as text) and all_domains.
 *
 *   bench_der [TILE...]    default: the two navigli tiles
 * Environment: BENCH_DER_SECONDS [2]. Prints ns per entry and entries/s
 * on one core; the bar is >= 100,000 entries/s end to end. */
#define _POSIX_C_SOURCE 200809L
#define CERTSTREAM_NO_TLS
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ENTRIES 4096

static const unsigned char *ent[MAX_ENTRIES];
static size_t ent_len[MAX_ENTRIES];
static int ent_kind[MAX_ENTRIES];
static size_t n_ent;

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t
be(const unsigned char *p, int n)
{
    size_t v = 0;
    while (n-- > 0)
        v = v << 8 | *p++;
    return v;
}

/* the TileLeaf records (static-ct-api): the TBS, and the precert */
static int
add_tile(const unsigned char *d, size_t n, int pre)
{
    size_t i = 0, k;
    unsigned et;

    while (i + 10 <= n && n_ent + 2 <= MAX_ENTRIES) {
        et = (unsigned)be(d + i + 8, 2);
        i += et == 1 ? 42u : 10u;
        k = be(d + i, 3);
        ent[n_ent] = d + i + 3, ent_len[n_ent] = k;
        ent_kind[n_ent++] = et == 1 ? CS_CERT_TBS : CS_CERT_FULL;
        i += 3 + k;
        i += 2 + be(d + i, 2);
        if (et == 1) {
            k = be(d + i, 3);
            if (pre) {
                ent[n_ent] = d + i + 3, ent_len[n_ent] = k;
                ent_kind[n_ent++] = CS_CERT_FULL;
            }
            i += 3 + k;
        }
        i += 2 + be(d + i, 2);
        if (i > n)
            return -1;
    }
    return 0;
}

static size_t sink;

static int
one(const unsigned char *der, size_t len, int kind)
{
    static char text[4096], buf[256];
    cs_cert c;
    cs_name_iter it;
    cs_attr a;
    cs_san_iter si;
    cs_domains_iter di;
    const unsigned char *v;
    size_t n;
    int k;

    if (cs_cert_parse(&c, der, len, kind) != 0)
        return -1;
    cs_name_format(c.subject, c.subject_len, CS_NAME_AGGREGATED, text,
                   sizeof text, &n);
    sink += n;
    cs_name_format(c.issuer, c.issuer_len, CS_NAME_AGGREGATED, text,
                   sizeof text, &n);
    sink += n;
    cs_name_iter_init(&it, c.subject, c.subject_len);
    while (cs_name_next(&it, &a) == 1)
        sink += a.val_len;
    cs_cert_serial_hex(&c, text, sizeof text, &n);
    sink += n;
    cs_san_iter_init(&si, c.san, c.san_len);
    while (cs_san_next(&si, &k, &v, &n) == 1) {
        if (k == CS_GN_IP)
            cs_ip_text(v, n, text, sizeof text, &n);
        sink += n;
    }
    cs_cert_domains_init(&di, &c, buf, sizeof buf);
    while (cs_cert_domains_next(&di, &v, &n) == 1)
        sink += n;
    return 0;
}

int
main(int argc, char **argv)
{
    static const char *dflt[2] = {"../shared/ct/navigli2025h2/tile/data/000",
                                  "../shared/ct/navigli2025h2/tile/data/001"};
    const char *const *files = argc > 1 ? (const char *const *)argv + 1
                                        : dflt;
    int nf = argc > 1 ? argc - 1 : 2, i, pre;
    const char *e = getenv("BENCH_DER_SECONDS");
    double secs = e ? atof(e) : 2.0, t0, t;
    size_t rounds, j, bytes = 0;

    e = getenv("BENCH_DER_PRE");
    pre = e != NULL && *e == '1';
    for (i = 0; i < nf; i++) {
        FILE *f = fopen(files[i], "rb");
        unsigned char *d;
        long n;
        if (f == NULL) {
            printf("bench_der: %s is absent: skipped\n", files[i]);
            return 0;
        }
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        rewind(f);
        d = (unsigned char *)malloc((size_t)n);
        if (d == NULL || fread(d, 1, (size_t)n, f) != (size_t)n
                || add_tile(d, (size_t)n, pre) != 0) {
            fprintf(stderr, "bench_der: %s: not a data tile\n", files[i]);
            return 1;
        }
        fclose(f);
    }
    for (j = 0; j < n_ent; j++) {
        bytes += ent_len[j];
        if (one(ent[j], ent_len[j], ent_kind[j]) != 0) {
            fprintf(stderr, "bench_der: entry %zu does not parse\n", j);
            return 1;
        }
    }
    t0 = now();
    rounds = 0;
    do {
        for (j = 0; j < n_ent; j++)
            one(ent[j], ent_len[j], ent_kind[j]);
        rounds++;
        t = now() - t0;
    } while (t < secs);
    printf("bench_der: %zu certificates (%s, mean %zu bytes) x %zu: "
           "%.0f ns each, %.0f per second per core, %.0f MB/s\n",
           n_ent, pre ? "TBS + pre_certificate" : "TBS", bytes / n_ent,
           rounds, t * 1e9 / (double)(rounds * n_ent),
           (double)(rounds * n_ent) / t,
           (double)(rounds * bytes) / t / 1e6);
    /* cs_cert_parse() alone */
    t0 = now();
    rounds = 0;
    do {
        cs_cert c;
        for (j = 0; j < n_ent; j++)
            sink += (size_t)cs_cert_parse(&c, ent[j], ent_len[j],
                                          ent_kind[j]) + c.san_dns;
        rounds++;
        t = now() - t0;
    } while (t < secs / 2);
    printf("bench_der: cs_cert_parse alone: %.0f ns each\n",
           t * 1e9 / (double)(rounds * n_ent));
    return sink == 0;
}
