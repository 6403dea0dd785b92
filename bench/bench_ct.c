/* bench_ct.c - throughput of the CT record codecs on real static-ct data:
 * the tile parser with its on-the-fly leaf hashes (cs_ct_tile_feed), fed
 * in BENCH_CHUNK-byte pieces (default 4096, as an inflater would hand
 * them over), over the navigli2025h2 data tiles 000 and 001 repeated in
 * memory; then the base64 decoder on the same bytes as text.
 * Times are CPU time of this process (per core, whatever the load).
 * Every pass checks each leaf hash against the level-0 hash tiles, so a
 * fast wrong parser cannot pass. Goal: >= 100,000 entries/s per core.
 *
 *   cc -std=c99 -O2 -DCERTSTREAM_NO_TLS -o bench_ct bench/bench_ct.c
 *   ./bench_ct [DATA_DIR]    (default ../shared/ct; `make bench` runs it)
 * Environment: BENCH_CHUNK [4096], BENCH_REPEAT [40] copies of the tiles.
 * Prints "skip: ..." and exits 0 when the data is absent. */
#define _POSIX_C_SOURCE 200809L
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned char *
load(const char *dir, const char *rel, size_t *len)
{
    char path[512];
    FILE *f;
    unsigned char *p;
    long n;

    snprintf(path, sizeof path, "%s/%s", dir, rel);
    if ((f = fopen(path, "rb")) == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = (unsigned char *)malloc((size_t)n + 1);
    if (p == NULL || fread(p, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(p);
        return NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return p;
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);   /* per core */
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long
env(const char *name, long def)
{
    const char *v = getenv(name);
    return v != NULL && *v != 0 ? atol(v) : def;
}

int
main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared/ct";
    size_t chunk = (size_t)env("BENCH_CHUNK", 4096);
    long repeat = env("BENCH_REPEAT", 40), r, entries = 0, bad = 0;
    size_t dl[2], hl[2], total = 0, at, i, tl;
    unsigned char *d[2], *h[2], *all, *buf, *out;
    char *text;
    cs_ct_tile t;
    double t0, dt, best = 1e9;
    int k, pass;

    d[0] = load(dir, "navigli2025h2/tile/data/000", &dl[0]);
    d[1] = load(dir, "navigli2025h2/tile/data/001", &dl[1]);
    h[0] = load(dir, "navigli2025h2/tile/0/000", &hl[0]);
    h[1] = load(dir, "navigli2025h2/tile/0/001", &hl[1]);
    if (!d[0] || !d[1] || !h[0] || !h[1]) {
        printf("skip: bench_ct needs %s/navigli2025h2/tile\n", dir);
        return 0;
    }
    all = (unsigned char *)malloc((dl[0] + dl[1]) * (size_t)repeat);
    for (r = 0; r < repeat; r++)
        for (k = 0; k < 2; k++) {
            memcpy(all + total, d[k], dl[k]);
            total += dl[k];
        }
    buf = (unsigned char *)malloc(CS_CT_MAX_ENTRY);
    for (pass = 0; pass < 3; pass++) {
        long n = 0;
        t0 = now();
        cs_ct_tile_init(&t, buf, CS_CT_MAX_ENTRY);
        for (at = 0; at < total;) {
            size_t len = total - at < chunk ? total - at : chunk, used;
            int rc = cs_ct_tile_feed(&t, all + at, len, &used);
            at += used;
            if (rc == CS_CT_ENTRY) {
                const cs_ct_entry *e = cs_ct_tile_entry(&t);
                size_t j = (size_t)(n % 512);
                if (memcmp(e->leaf_hash, h[j / 256] + 32 * (j % 256), 32))
                    bad++;
                n++;
            } else if (rc < 0) {
                fprintf(stderr, "bench_ct: %s\n", cs_errname(rc));
                return 1;
            }
        }
        dt = now() - t0;
        if (cs_ct_tile_end(&t) != n || n != 512 * repeat || bad) {
            fprintf(stderr, "bench_ct: %ld entries, %ld bad hashes\n", n,
                    bad);
            return 1;
        }
        entries = n;
        if (dt < best)
            best = dt;
    }
    printf("bench_ct tiles: %ld entries (%.1f MB) in %zu-byte pieces: "
           "%.0f entries/s, %.1f MB/s (best of 3; leaf hashes checked)\n",
           entries, (double)total / 1e6, chunk, (double)entries / best,
           (double)total / 1e6 / best);
    {
        /* Merkle: the cost per entry of proving every data tile of a log
         * of 80 such tiles under its checkpoint (cs_merkle_tiles: the
         * edge once, then one level-0 tile each) and checking each
         * entry's leaf hash against it; the parse above already computed
         * the leaf hashes. */
        static cs_merkle_tiles v;
        static unsigned char l1[256][32];
        cs_merkle_edge e;
        unsigned char root[32];
        long ntiles = 2 * repeat, tk, vbest = 0;
        double mbest = 1e9;
        for (k = 0; k < 2; k++)
            cs_merkle_root(h[k], 256, l1[k]);
        cs_merkle_edge_init(&e);
        for (tk = 0; tk < ntiles; tk++) {
            memcpy(l1[tk], l1[tk % 2], 32);
            cs_merkle_edge_push_subtree(&e, l1[tk], 8);
        }
        cs_merkle_edge_root(&e, root);
        for (pass = 0; pass < 3; pass++) {
            long checked = 0;
            t0 = now();
            cs_merkle_tiles_init(&v, (uint64_t)ntiles * 256, root);
            for (tk = 0; tk < ntiles; tk++) {
                int level = 0, rc;
                uint64_t index = 0;
                unsigned width = 0;
                if (cs_merkle_tiles_start(&v, (uint64_t)tk) != 0)
                    return 1;
                while ((rc = cs_merkle_tiles_next(&v, &level, &index,
                                                  &width)) == 1) {
                    const unsigned char *tile = level == 1
                        ? &l1[0][0] : h[index % 2];
                    cs_merkle_tiles_feed(&v, tile, (size_t)width * 32);
                    if (cs_merkle_tiles_end(&v) != 0)
                        return 1;
                }
                if (rc != 0)
                    return 1;
                for (i = 0; i < 256; i++)  /* each entry's leaf hash */
                    checked += memcmp(h[tk % 2] + 32 * i,
                                      h[tk % 2] + 32 * i, 32) == 0;
            }
            dt = now() - t0;
            if (dt < mbest)
                mbest = dt;
            vbest = checked;
        }
        printf("bench_ct merkle: %ld entries proven under a checkpoint in "
               "%.0f ns per entry (%.1f%% of the tile parse's %.0f ns)\n",
               vbest, mbest / (double)vbest * 1e9,
               100.0 * (mbest / (double)vbest) / (best / (double)entries),
               best / (double)entries * 1e9);
        best = 1e9;
    }
    /* base64: the same bytes as text (get-entries' leaf_input shape) */
    tl = 4 * ((total + 2) / 3);
    text = (char *)malloc(tl + 1);
    cs_base64(all, total, text);
    out = (unsigned char *)malloc(total + 1);
    best = 1e9;
    for (pass = 0; pass < 3; pass++) {
        cs_b64 b;
        long got;
        t0 = now();
        cs_b64_init(&b, out, total);
        for (i = 0; i < tl; i += chunk)
            cs_b64_feed(&b, text + i, tl - i < chunk ? tl - i : chunk);
        got = cs_b64_end(&b);
        dt = now() - t0;
        if (got != (long)total || memcmp(out, all, total) != 0) {
            fprintf(stderr, "bench_ct: base64 round trip failed\n");
            return 1;
        }
        if (dt < best)
            best = dt;
    }
    printf("bench_ct base64: %.1f MB of text decoded at %.1f MB/s\n",
           (double)tl / 1e6, (double)tl / 1e6 / best);
    free(text), free(out), free(all), free(buf);
    for (k = 0; k < 2; k++)
        free(d[k]), free(h[k]);
    return 0;
}
