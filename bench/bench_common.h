/* bench_common.h - shared harness for the extraction benchmark peers.
 *
 * Every peer (bench_cs.c, bench_simdjson.cpp, bench_yajl.c, bench_memchr.c)
 * includes this once. It loads an NDJSON corpus into one buffer (plus
 * BENCH_PAD zero bytes so simdjson can parse in place), splits it at '\n'
 * into messages (the newline is not part of a message), and runs:
 *
 *   peer FILE [-p PASSES] [-m time|callgrind] [-l LIMIT_BYTES] [-c CHUNK]
 *
 *   time       one untimed check pass (full CHECK line, string hashes),
 *              then PASSES timed passes over all messages; prints
 *              "PASS <seconds>" per pass and "RSS <KiB>".
 *   callgrind  one pass over the first LIMIT bytes (whole messages), with
 *              callgrind collection switched on only around the parse
 *              loop (run under valgrind --collect-atstart=no).
 *
 * The peer supplies bench_pass(): parse every message once and fold the
 * extracted fields into a bench_acc. With full != 0 it also hashes the
 * extracted strings (the check pass); timed passes fold only O(1) per
 * field (counts, lengths, sums, xors) so the checking cost stays out of
 * the measurement. Timed passes must reproduce the check pass's counters;
 * the harness aborts otherwise. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#ifdef BENCH_HAVE_CALLGRIND
#  include <valgrind/callgrind.h>
#else
#  define CALLGRIND_TOGGLE_COLLECT
#endif

#define BENCH_PAD 64

#if defined(__GNUC__)
#  define BENCH_UNUSED __attribute__((unused))
#else
#  define BENCH_UNUSED
#endif

typedef struct bench_msg {
    const char *p;
    size_t n;
    size_t cap;         /* readable bytes from p (incl. padding) */
} bench_msg;

enum { BT_NONE, BT_CERT, BT_HEARTBEAT, BT_DNS, BT_OTHER };

/* What every peer folds in per message. */
typedef struct bench_acc {
    uint64_t msgs, ok, types[5];
    uint64_t doms, dom_bytes, cidx_sum, seen_xor, ts_xor, url_bytes,
        name_bytes;
    /* check pass only */
    uint64_t dom_hash, url_hash, name_hash, type_hash;
} bench_acc;

/* Which run the peer is in (chunk size for certstream.h, else 0). */
static size_t bench_chunk;

/* The peer's per-pass parse loop. */
static void bench_pass(const bench_msg *m, size_t nm, bench_acc *a, int full);
static const char *bench_name(void);

BENCH_UNUSED static uint64_t
bench_fnv(const void *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    uint64_t h = 0xcbf29ce484222325u;
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    return h;
}

/* Order-sensitive fold of one string into a running hash. */
BENCH_UNUSED static void
bench_hash(uint64_t *h, const void *s, size_t n)
{
    *h = (*h * 0x9e3779b97f4a7c15u) ^ bench_fnv(s, n) ^ n;
}

BENCH_UNUSED static uint64_t
bench_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

BENCH_UNUSED static int
bench_type(const char *s, size_t n)
{
    if (n == 18 && memcmp(s, "certificate_update", 18) == 0)
        return BT_CERT;
    if (n == 9 && memcmp(s, "heartbeat", 9) == 0)
        return BT_HEARTBEAT;
    if (n == 11 && memcmp(s, "dns_entries", 11) == 0)
        return BT_DNS;
    return BT_OTHER;
}

BENCH_UNUSED static double
bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

BENCH_UNUSED static void
bench_print_check(const bench_acc *a)
{
    printf("CHECK msgs=%llu ok=%llu cert=%llu hb=%llu dns=%llu other=%llu "
           "none=%llu doms=%llu dom_bytes=%llu cidx_sum=%llu "
           "seen_xor=%016llx ts_xor=%016llx url_bytes=%llu name_bytes=%llu "
           "dom_hash=%016llx url_hash=%016llx name_hash=%016llx "
           "type_hash=%016llx\n",
           (unsigned long long)a->msgs, (unsigned long long)a->ok,
           (unsigned long long)a->types[BT_CERT],
           (unsigned long long)a->types[BT_HEARTBEAT],
           (unsigned long long)a->types[BT_DNS],
           (unsigned long long)a->types[BT_OTHER],
           (unsigned long long)a->types[BT_NONE],
           (unsigned long long)a->doms, (unsigned long long)a->dom_bytes,
           (unsigned long long)a->cidx_sum, (unsigned long long)a->seen_xor,
           (unsigned long long)a->ts_xor, (unsigned long long)a->url_bytes,
           (unsigned long long)a->name_bytes,
           (unsigned long long)a->dom_hash, (unsigned long long)a->url_hash,
           (unsigned long long)a->name_hash,
           (unsigned long long)a->type_hash);
}

/* The counters a timed pass must reproduce. */
BENCH_UNUSED static int
bench_same_light(const bench_acc *x, const bench_acc *y)
{
    return x->msgs == y->msgs && x->ok == y->ok
        && memcmp(x->types, y->types, sizeof x->types) == 0
        && x->doms == y->doms && x->dom_bytes == y->dom_bytes
        && x->cidx_sum == y->cidx_sum && x->seen_xor == y->seen_xor
        && x->ts_xor == y->ts_xor && x->url_bytes == y->url_bytes
        && x->name_bytes == y->name_bytes;
}

static int
bench_main(int argc, char **argv)
{
    const char *path = NULL, *mode = "time";
    int passes = 5, i;
    size_t limit = 0, len = 0, cap = 0, nm = 0, mcap = 0, at;
    char *buf;
    bench_msg *msgs;
    bench_acc ref;
    FILE *f;
    struct rusage ru;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
            passes = atoi(argv[++i]);
        else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc)
            mode = argv[++i];
        else if (strcmp(argv[i], "-l") == 0 && i + 1 < argc)
            limit = (size_t)strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            bench_chunk = (size_t)strtoull(argv[++i], NULL, 10);
        else
            path = argv[i];
    }
    if (path == NULL) {
        fprintf(stderr, "usage: %s FILE [-p PASSES] [-m time|callgrind] "
                        "[-l LIMIT] [-c CHUNK]\n", argv[0]);
        return 2;
    }
    f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return 2;
    }
    /* Load: the file (or its first `limit` bytes) into one padded buffer. */
    cap = 1 << 20;
    buf = (char *)malloc(cap + BENCH_PAD);
    for (;;) {
        size_t want = cap - len, got;
        if (limit > 0 && len + want > limit)
            want = limit - len;
        got = fread(buf + len, 1, want, f);
        len += got;
        if (got < want || (limit > 0 && len >= limit))
            break;
        cap *= 2;
        buf = (char *)realloc(buf, cap + BENCH_PAD);
    }
    fclose(f);
    memset(buf + len, 0, BENCH_PAD);
    /* Split at '\n'; a limited load drops its trailing partial message. */
    msgs = NULL;
    for (at = 0; at < len;) {
        const char *nl = (const char *)memchr(buf + at, '\n', len - at);
        size_t e;
        if (nl == NULL && limit > 0)
            break;
        e = nl ? (size_t)(nl - buf) : len;
        if (e > at) {
            if (nm == mcap) {
                mcap = mcap ? mcap * 2 : 4096;
                msgs = (bench_msg *)realloc(msgs, mcap * sizeof *msgs);
            }
            msgs[nm].p = buf + at;
            msgs[nm].n = e - at;
            msgs[nm].cap = len + BENCH_PAD - at;
            nm++;
        }
        at = e + 1;
    }
    if (limit > 0 && nm > 0)
        len = (size_t)(msgs[nm - 1].p + msgs[nm - 1].n - buf);
    printf("PEER %s\n", bench_name());
    printf("BYTES %llu\nMSGS %llu\n", (unsigned long long)len,
           (unsigned long long)nm);

    if (strcmp(mode, "callgrind") == 0) {
        memset(&ref, 0, sizeof ref);
        CALLGRIND_TOGGLE_COLLECT;
        bench_pass(msgs, nm, &ref, 0);
        CALLGRIND_TOGGLE_COLLECT;
        printf("LIGHT msgs=%llu doms=%llu dom_bytes=%llu\n",
               (unsigned long long)ref.msgs, (unsigned long long)ref.doms,
               (unsigned long long)ref.dom_bytes);
        return 0;
    }
    memset(&ref, 0, sizeof ref);
    bench_pass(msgs, nm, &ref, 1);
    bench_print_check(&ref);
    fflush(stdout);
    for (i = 0; i < passes; i++) {
        bench_acc a;
        double t0, t1;
        memset(&a, 0, sizeof a);
        t0 = bench_now();
        bench_pass(msgs, nm, &a, 0);
        t1 = bench_now();
        if (!bench_same_light(&a, &ref)) {
            fprintf(stderr, "%s: timed pass %d disagrees with the check "
                            "pass\n", bench_name(), i);
            return 1;
        }
        printf("PASS %.6f\n", t1 - t0);
    }
    getrusage(RUSAGE_SELF, &ru);
    printf("RSS %ld\n", ru.ru_maxrss);
    free(msgs);
    free(buf);
    return 0;
}

#endif
