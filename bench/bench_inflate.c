/* bench_inflate.c - the gzip decoder (cs_inflate_*) against zlib's
 * inflate on the data a CT log reader decompresses: static-ct-api data
 * tiles (256 entries of DER each, gzipped by Python at level 6) and JSON
 * (the log list). `make bench-inflate` makes the inputs and runs it; it
 * is also the last step of `make bench`.
 *
 *   bench_inflate FILE.gz...    (each a gzip stream)
 *
 * Both decoders stream: certstream.h hands out slices of its window
 * (64 KiB, and 32 KiB, the least that decodes any stream), zlib fills a
 * 64 KiB output buffer; both check the CRC-32 and ISIZE, and the
 * consumer folds every output byte into a sum, so both outputs are read.
 * The input goes in whole and in 4 KiB pieces (socket reads). Each case
 * is timed (process CPU time) over repeated runs for BENCH_INFLATE_MS
 * (default 300) ms, the cases taking turns for BENCH_INFLATE_ROUNDS (5)
 * rounds; the best round is reported, in MB/s of output, and for a data
 * tile also in tiles/s x 256 = entries/s.
 * Built with -DBENCH_ZLIB -lz when zlib.h is installed (bench only). */
#define _POSIX_C_SOURCE 200809L
#define CERTSTREAM_NO_TLS
#define CERTSTREAM_NO_POSIX
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef BENCH_ZLIB
#include <zlib.h>
#endif

static unsigned char g_win[65536];
static cs_inflate g_z;

static double
now_s(void)
{
    struct timespec ts;
    /* CPU time, not wall time: the machine may be shared */
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A cheap fold over every output byte (keeps the consumer honest). */
static uint32_t
fold(uint32_t h, const unsigned char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        h += p[i];
    return h;
}

/* One stream through cs_inflate; returns the output size, or 0 on error. */
static size_t
run_cs(const unsigned char *in, size_t n, size_t wcap, size_t chunk,
       uint32_t *sum)
{
    size_t off = 0, out = 0, used, k;
    int r;

    cs_inflate_init(&g_z, g_win, wcap, CS_INFLATE_GZIP);
    for (;;) {
        size_t len = n - off < chunk ? n - off : chunk;
        r = cs_inflate_feed(&g_z, in + off, len, &used);
        off += used;
        if (r == CS_INFLATE_DATA) {
            const unsigned char *p = cs_inflate_data(&g_z, &k);
            *sum = fold(*sum, p, k);
            out += k;
        } else if (r < 0) {
            fprintf(stderr, "cs_inflate: %s\n", cs_errname(r));
            return 0;
        } else if (r == 0 && off == n) {
            break;
        }
    }
    return cs_inflate_finish(&g_z) == 0 ? out : 0;
}

#ifdef BENCH_ZLIB
static size_t
run_zlib(const unsigned char *in, size_t n, size_t wcap, size_t chunk,
         uint32_t *sum)
{
    static unsigned char obuf[65536];
    z_stream s;
    size_t off = 0, out = 0;
    int r = Z_OK;

    (void)wcap;
    memset(&s, 0, sizeof s);
    if (inflateInit2(&s, 15 + 16) != Z_OK)
        return 0;
    while (r != Z_STREAM_END) {
        size_t len = n - off < chunk ? n - off : chunk;
        s.next_in = (unsigned char *)(uintptr_t)(in + off);
        s.avail_in = (uInt)len;
        do {
            s.next_out = obuf;
            s.avail_out = sizeof obuf;
            r = inflate(&s, Z_NO_FLUSH);
            if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR) {
                inflateEnd(&s);
                return 0;
            }
            *sum = fold(*sum, obuf, sizeof obuf - s.avail_out);
            out += sizeof obuf - s.avail_out;
        } while (s.avail_out == 0 && r != Z_STREAM_END);
        off += len - s.avail_in;
        if (off == n && r != Z_STREAM_END)
            break;
    }
    inflateEnd(&s);
    return r == Z_STREAM_END ? out : 0;
}
#endif

typedef size_t (*runner)(const unsigned char *, size_t, size_t, size_t,
                         uint32_t *);

/* Best MB/s (output) of the rounds; *outn gets the output size. */
static double
bench(runner f, const unsigned char *in, size_t n, size_t wcap,
      size_t chunk, double ms, int rounds, size_t *outn, uint32_t *sum)
{
    double best = 0;
    int r;

    for (r = 0; r < rounds; r++) {
        double t0 = now_s(), t;
        size_t bytes = 0;
        long reps = 0;
        do {
            size_t o = f(in, n, wcap, chunk, sum);
            if (o == 0)
                return -1;
            *outn = o;
            bytes += o;
            reps++;
            t = now_s() - t0;
        } while (t * 1000 < ms);
        if (bytes / t / 1e6 > best)
            best = (double)bytes / t / 1e6;
    }
    return best;
}

int
main(int argc, char **argv)
{
    const char *e = getenv("BENCH_INFLATE_MS");
    double ms = e != NULL ? atof(e) : 300;
    int rounds = getenv("BENCH_INFLATE_ROUNDS") != NULL
                     ? atoi(getenv("BENCH_INFLATE_ROUNDS")) : 5;
    int i, fail = 0;

    printf("%-28s %9s %6s  %-26s %8s %12s\n", "input", "out KB", "ratio",
           "decoder", "MB/s", "entries/s");
    for (i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        unsigned char *in;
        size_t n, outn = 0, j;
        long sz;
        const char *base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1
                                                 : argv[i];
        int tile = strstr(base, "tile") != NULL;
        struct {
            const char *name;
            runner f;
            size_t wcap, chunk;
        } cases[6];
        size_t nc = 0;
        double best[6];
        int r;

        if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) <= 0) {
            fprintf(stderr, "bench_inflate: cannot read %s\n", argv[i]);
            return 1;
        }
        rewind(f);
        n = (size_t)sz;
        in = (unsigned char *)malloc(n);
        if (in == NULL || fread(in, 1, n, f) != n)
            return 1;
        fclose(f);
        cases[nc].name = "certstream.h 64K whole";
        cases[nc].f = run_cs, cases[nc].wcap = 65536, cases[nc++].chunk = n;
        cases[nc].name = "certstream.h 64K 4K-reads";
        cases[nc].f = run_cs, cases[nc].wcap = 65536, cases[nc++].chunk = 4096;
        cases[nc].name = "certstream.h 32K 4K-reads";
        cases[nc].f = run_cs, cases[nc].wcap = 32768, cases[nc++].chunk = 4096;
#ifdef BENCH_ZLIB
        cases[nc].name = "zlib " ZLIB_VERSION " whole";
        cases[nc].f = run_zlib, cases[nc].wcap = 0, cases[nc++].chunk = n;
        cases[nc].name = "zlib " ZLIB_VERSION " 4K-reads";
        cases[nc].f = run_zlib, cases[nc].wcap = 0, cases[nc++].chunk = 4096;
#endif
        for (j = 0; j < nc; j++)
            best[j] = 0;
        for (r = 0; r < rounds; r++) {
            /* the cases take turns, so a change in load hits them all */
            for (j = 0; j < nc; j++) {
                uint32_t sum = 0;
                double mbs = bench(cases[j].f, in, n, cases[j].wcap,
                                   cases[j].chunk, ms, 1, &outn, &sum);
                if (mbs < 0 || best[j] < 0)
                    best[j] = -1;
                else if (mbs > best[j])
                    best[j] = mbs;
            }
        }
        for (j = 0; j < nc; j++) {
            uint32_t sum = 0, ref = 0;
            double mbs = best[j];
            if (mbs < 0) {
                printf("%-28s FAILED (%s)\n", base, cases[j].name);
                fail = 1;
                continue;
            }
            /* every decoder must see the same bytes */
            if (cases[j].f(in, n, cases[j].wcap, cases[j].chunk, &ref) != outn
                || run_cs(in, n, 65536, n, &sum) != outn) {
                printf("%-28s FAILED (output size)\n", base);
                fail = 1;
            }
            sum = 0;
            run_cs(in, n, 65536, n, &sum);
            if (ref != sum) {
                printf("%-28s FAILED (%s: other bytes)\n", base,
                       cases[j].name);
                fail = 1;
            }
            if (tile)
                printf("%-28s %9.1f %6.2f  %-26s %8.0f %12.0f\n", base,
                       (double)outn / 1024, (double)outn / (double)n,
                       cases[j].name, mbs, mbs * 1e6 / (double)outn * 256);
            else
                printf("%-28s %9.1f %6.2f  %-26s %8.0f %12s\n", base,
                       (double)outn / 1024, (double)outn / (double)n,
                       cases[j].name, mbs, "-");
        }
        {
            /* CRC-32 alone over the decoded size, as a share */
            double t0 = now_s(), t;
            uint32_t c = 0;
            long reps = 0;
            do {
                c = cs_crc32(c, in, n);
                reps++;
                t = now_s() - t0;
            } while (t * 1000 < ms);
            printf("%-28s %9s %6s  %-26s %8.0f %12s\n", base, "", "",
                   "cs_crc32 (input bytes)",
                   (double)reps * (double)n / t / 1e6, c == 1 ? "" : "-");
        }
        free(in);
    }
    return fail;
}
