/* fuzz_merkle.c - libFuzzer target for the Merkle layer (section [1k]):
 * consistency and inclusion proofs and the static-ct tile verifier,
 * against the naive reference of tests/ref_merkle.h (RFC 6962 2.1) over
 * a fixed 70,000-leaf log whose full subtrees are precomputed.
 *
 * Input layout (missing bytes read as 0):
 *   [0]     bits 0-2 = 1: a big tree (65,536 + up to 4,095 leaves, level-2
 *           tiles), else 1..1,200 leaves; bits 1-7 seed the split points
 *   [1..2]  the tree size N (mod the range above)
 *   [3..4]  m for the proofs, then the tile k (mod what exists)
 *   [5..6]  a second tile k2, verified with the same verifier (its cache)
 *   [7]     bit 0: the advance path (check 3) instead of check 2; bit 1:
 *           the second checkpoint is a fork; bit 2: the third is honest
 *           again; bit 3: feed at random splits; bit 4: verify tile k2
 *           under the second too; bit 5: a big first tree (65,536 - x)
 *   [8..9]  its first tree size (1..4,096, or 65,536 - 0..4,095)
 *   [10,11] growth to the second and third (0..127, or 37 x 0..127)
 *   [12]    the fork's leaf (near the first tree's end, or anywhere)
 *   [13..]  mutations, 4 bytes each: step, offset (2 bytes), xor; step
 *           0xff cuts the tile at that step by `offset % 32 + 1` bytes.
 *           The same mutations apply to the proof bytes (step = hash).
 *
 * Checks; any failure prints what went wrong and calls abort():
 *   1. The reference consistency proof for (m, N) verifies; mutated, it
 *      verifies only if unchanged; its old edge, grown by the leaves m..N
 *      (one by one when few, else as the largest aligned subtrees), has
 *      the reference root. Same for the inclusion proof of leaf m.
 *   2. The tile verifier, fed whole and fed at random splits, gives the
 *      same result; unmutated, it verifies and the kept level-0 tile is
 *      the reference's; with a mutation applied to a tile it asked for, it
 *      fails (CS_E_MERKLE_TILE or CS_E_MERKLE_TILE_SIZE).
 *   3. cs_merkle_tiles_advance(): see fz_advance(). Honest growth always
 *      verifies; a fork of the proven tree is refused at the old tree's
 *      last tile, after one advance and after two; a mutated tile fails.
 * Speed: the full subtrees are hashed once; nothing per input is linear
 * in N (about 1,000 exec/s of one core with ASan; fuzz/run.sh leaves
 * SHA-256 out of coverage, fuzz/merkle.cov-ignore: it was 2/3 of the
 * time). Before, the edge was grown leaf by leaf up to 70,000 times per
 * input (0.3 s each for a big tree): 18 exec/s.
 * Build: -I<repo root>. */
#ifndef CERTSTREAM_NO_TLS
#define CERTSTREAM_NO_TLS
#endif
#define CERTSTREAM_IMPLEMENTATION
#include "certstream.h" /* build with -I<repo root> */
#define FZ_NAME "fuzz_merkle"
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_LEAVES 70000
#define FZ_H 18

/* g_full[h][i]: the root of leaves [i*2^h, (i+1)*2^h) */
static unsigned char (*g_full[FZ_H])[32];
static size_t g_full_n[FZ_H];

static int fz_cached(unsigned char (*d)[32], size_t n, unsigned char *out);
#define REF_MERKLE_CACHED(d, n, out) fz_cached(d, n, out)
#include "../tests/ref_merkle.h"

/* MTH(d[0:n]) from g_full when d[0:n] is a full subtree of the log. */
static int
fz_cached(ref_h32 *d, size_t n, unsigned char *out)
{
    size_t start = (size_t)(d - g_full[0]), k = 1, h = 0;

    while (k < n) {
        k *= 2;
        h++;
    }
    if (k != n || start % n != 0)
        return 0;
    memcpy(out, g_full[h][start / n], 32);
    return 1;
}

static void
fz_setup(void)
{
    size_t i, h, n = FZ_LEAVES;
    unsigned char b[4];

    if (g_full[0] != NULL)
        return;
    for (h = 0; h < FZ_H; h++) {
        g_full_n[h] = n;
        g_full[h] = (ref_h32 *)malloc((n ? n : 1) * 32);
        for (i = 0; i < n; i++) {
            if (h == 0) {
                b[0] = (unsigned char)(i >> 24);
                b[1] = (unsigned char)(i >> 16);
                b[2] = (unsigned char)(i >> 8);
                b[3] = (unsigned char)i;
                cs_ct_leaf_hash(b, 4, g_full[0][i]);
            } else {
                ref_node(g_full[h - 1][2 * i], g_full[h - 1][2 * i + 1],
                         g_full[h][i]);
            }
        }
        n /= 2;
    }
}

/* A forked log: leaf g_fork (SIZE_MAX: none, the honest log) has another
 * hash; g_fk[h] is the root of its height-h subtree on the fork. */
static size_t g_fork = (size_t)-1;
static ref_h32 g_fk[FZ_H];

static void
fz_set_fork(size_t f)
{
    size_t h, i;

    g_fork = f;
    if (f == (size_t)-1)
        return;
    memcpy(g_fk[0], g_full[0][f], 32);
    g_fk[0][0] ^= 0x80;
    for (h = 1; h < FZ_H && (f >> h) < g_full_n[h]; h++) {
        i = (f >> (h - 1)) ^ 1;
        if (i & 1)
            ref_node(g_fk[h - 1], g_full[h - 1][i], g_fk[h]);
        else
            ref_node(g_full[h - 1][i], g_fk[h - 1], g_fk[h]);
    }
}

/* Node i of height h in the current log (g_fork). */
static const unsigned char *
fz_node(size_t h, size_t i)
{
    if (g_fork != (size_t)-1 && i == g_fork >> h)
        return g_fk[h];
    return g_full[h][i];
}

/* MTH of leaves [start, start+n) of the current log (n >= 1). */
static void
fz_mth(size_t start, size_t n, unsigned char *out)
{
    unsigned char l[32], r[32];
    size_t k, h = 0;

    while (((size_t)1 << h) < n)
        h++;
    if (((size_t)1 << h) == n && start % n == 0) {
        memcpy(out, fz_node(h, start >> h), 32);
        return;
    }
    k = ref_split(n);
    fz_mth(start, k, l);
    fz_mth(start + k, n - k, r);
    ref_node(l, r, out);
}

static const uint8_t *g_mut;
static size_t g_mut_n;

/* Apply the mutations for `step` to buf[0..*len); 1 if any changed it. */
static int
fz_mutate(unsigned step, unsigned char *buf, size_t *len)
{
    size_t i, off;
    int changed = 0;

    for (i = 0; i + 4 <= g_mut_n; i += 4) {
        off = (size_t)g_mut[i + 1] << 8 | g_mut[i + 2];
        if (g_mut[i] == 0xff && step == 0 && *len > 0) {
            size_t cut = off % 32 + 1;
            *len = cut > *len ? 0 : *len - cut;
            changed = 1;
        } else if (g_mut[i] == step && *len > 0 && g_mut[i + 3] != 0) {
            buf[off % *len] ^= g_mut[i + 3];
            changed = 1;   /* two xors may cancel: checked by compare */
        }
    }
    return changed;
}

static ref_h32 g_proof[80], g_orig[80];

static void
fz_proofs(size_t m, size_t n)
{
    unsigned char r1[32], r2[32], x[32];
    cs_merkle_edge e;
    size_t c, i, h, len;
    int r, same;

    ref_mth(g_full[0], m, r1);
    ref_mth(g_full[0], n, r2);
    c = m == 0 ? 0 : ref_subproof(m, g_full[0], n, 1, g_proof, 0);
    r = cs_merkle_verify_consistency(m, n, r1, r2, &g_proof[0][0], c, &e);
    if (r != 0)
        fz_fail("consistency %zu %zu: %d", m, n, r);
    if (m < n) {
        cs_merkle_edge_root(&e, x);
        if (e.size != m || memcmp(x, r1, 32) != 0)
            fz_fail("old edge of %zu", m);
        /* leaf by leaf when few, else the largest aligned subtrees */
        for (i = m; i < n; i += (size_t)1 << h) {
            for (h = 0; n - m > 64 && h + 1 < FZ_H && i % ((size_t)2 << h) == 0
                        && i + ((size_t)2 << h) <= n; h++)
                ;
            if (cs_merkle_edge_push_subtree(&e, g_full[h][i >> h],
                                            (unsigned)h) != 0)
                fz_fail("push subtree %zu/%zu", h, i);
        }
        cs_merkle_edge_root(&e, x);
        if (memcmp(x, r2, 32) != 0)
            fz_fail("grown edge %zu -> %zu", m, n);
    }
    memcpy(g_orig, g_proof, c * 32);
    len = c * 32;
    fz_mutate(0, &g_proof[0][0], &len);
    same = len == c * 32 && memcmp(g_orig, g_proof, len) == 0;
    r = cs_merkle_verify_consistency(m, n, r1, r2, &g_proof[0][0], len / 32,
                                     NULL);
    if ((r == 0) != same && len % 32 == 0)
        fz_fail("mutated consistency %zu %zu: %d", m, n, r);
    if (m < n) {
        c = ref_path(m, g_full[0], n, g_proof, 0);
        if (cs_merkle_verify_inclusion(m, n, g_full[0][m], r2,
                                       &g_proof[0][0], c) != 0)
            fz_fail("inclusion %zu %zu", m, n);
        memcpy(g_orig, g_proof, c * 32);
        len = c * 32;
        fz_mutate(0, &g_proof[0][0], &len);
        same = len == c * 32 && memcmp(g_orig, g_proof, len) == 0;
        r = cs_merkle_verify_inclusion(m, n, g_full[0][m], r2,
                                       &g_proof[0][0], len / 32);
        if ((r == 0) != same && len % 32 == 0)
            fz_fail("mutated inclusion %zu %zu: %d", m, n, r);
    }
}

static unsigned char g_tile[8192], g_keep[8192];

/* Verify tile k; chunked: random splits from *seed. Returns the result;
 * *mutated says whether a tile it fed differed from the reference. */
static int
fz_tile(cs_merkle_tiles *v, uint64_t k, int chunked, uint32_t *seed,
        int *mutated)
{
    int r, level = 0;
    uint64_t index = 0;
    unsigned width = 0, step = 0;
    size_t len, off, n, ref_len;
    unsigned char ref[8192];

    *mutated = 0;
    r = cs_merkle_tiles_start(v, k);
    if (r != 0)
        return r;
    while ((r = cs_merkle_tiles_next(v, &level, &index, &width)) == 1) {
        size_t first = (size_t)index * 256;
        size_t h = (size_t)level * 8;
        if (level > 2 || width == 0 || width > 256
            || first + width > g_full_n[h])
            fz_fail("asked for tile %d/%llu.p/%u", level,
                    (unsigned long long)index, width);
        ref_len = (size_t)width * 32;
        for (off = 0; off < width; off++)
            memcpy(ref + off * 32, fz_node(h, first + off), 32);
        memcpy(g_tile, ref, ref_len);
        len = ref_len;
        fz_mutate(step + 1, g_tile, &len);
        if (step == 0 && g_mut_n >= 4 && g_mut[0] == 0xff)
            len = len >= 1 ? len - 1 : 0;
        if (len != ref_len || memcmp(g_tile, ref, len) != 0)
            *mutated = 1;
        if (level == 0 && index == k)
            memcpy(g_keep, g_tile, len);
        for (off = 0; off < len; off += n) {
            n = chunked ? 1 + fz_rand(seed) % 67 : len - off;
            if (n > len - off)
                n = len - off;
            r = cs_merkle_tiles_feed(v, g_tile + off, n);
            if (r != 0)
                return r;
        }
        r = cs_merkle_tiles_end(v);
        if (r != 0)
            return r;
        step++;
    }
    return r;
}

static cs_merkle_tiles g_v[2];

/* Tree size n grown by byte g: small steps, then strides of 37. */
static size_t
fz_grow(size_t n, uint8_t g)
{
    n += g < 128 ? g : (size_t)(g - 128) * 37;
    return n > FZ_LEAVES ? FZ_LEAVES : n;
}

/* Verify tile k of the current log's tree of size n with v; *mut: a
 * mutation changed a tile it fed. */
static int
fz_check(cs_merkle_tiles *v, uint64_t k, size_t n, int chunked,
         uint32_t *seed, int *mut)
{
    uint64_t tiles = (n + 255) / 256;

    return fz_tile(v, k < tiles ? k : tiles - 1, chunked, seed, mut);
}

/* A fork's refusal: CS_E_MERKLE_INCONSISTENT when the tiles fed show the
 * old edge is not in the tree; CS_E_MERKLE_TILE when the verifier took an
 * unchanged right-edge tile from the kept (honest) edge instead of asking,
 * so the fork's root does not check (e.g. 65,536 -> 68,200, leaf 65,435
 * rewritten: the level-2 tile is not fetched). */
static int
fz_refused(int r)
{
    return r == CS_E_MERKLE_INCONSISTENT || r == CS_E_MERKLE_TILE;
}

/* The advance path: a checkpoint n0 of the honest log, a tile proven
 * under it, then cs_merkle_tiles_advance() to n1 (honest, or a fork at
 * leaf f < n0: a log that rewrote its history) and to n2 (the same log
 * as n1, or honest again). Honest growth must verify; under a fork, the
 * tile n0 / 256 (or the last one) must be refused, also after a second advance; a mutated tile
 * (last step only) must fail. */
static void
fz_advance(const uint8_t *hd, uint64_t k1, uint64_t k2, uint32_t *seed)
{
    static cs_merkle_tiles v;
    unsigned char root[32];
    size_t n0, n1, n2, f, keep_n = g_mut_n;
    int chunked = (hd[7] >> 3) & 1, fork1 = (hd[7] >> 1) & 1;
    int fork2 = fork1 && ((hd[7] >> 2) & 1) == 0, r, mut;
    uint64_t c;

    n0 = ((size_t)hd[8] << 8 | hd[9]) % 4096;
    n0 = (hd[7] & 0x20) != 0 ? 65536 - n0 : 1 + n0;
    n1 = fz_grow(n0, hd[10]);
    n2 = fz_grow(n1, hd[11]);
    f = hd[12] < 192 ? n0 - 1 - hd[12] % n0
                     : (size_t)(hd[12] * 2654435761u) % n0;
    c = n0 / 256;
    g_mut_n = 0;
    fz_set_fork((size_t)-1);
    fz_mth(0, n0, root);
    cs_merkle_tiles_init(&v, n0, root);
    r = fz_check(&v, k1, n0, chunked, seed, &mut);
    if (r != 0)
        fz_fail("advance: tile of %zu: %d", n0, r);

    fz_set_fork(fork1 ? f : (size_t)-1);
    fz_mth(0, n1, root);
    cs_merkle_tiles_advance(&v, n1, root);
    r = (hd[7] & 0x10) == 0 ? 0 : fz_check(&v, k2, n1, chunked, seed, &mut);
    if (!fork1 && r != 0)
        fz_fail("advance %zu -> %zu: tile %llu: %d", n0, n1,
                (unsigned long long)k2, r);
    r = fz_check(&v, c, n1, chunked, seed, &mut);
    if (fork1 ? !fz_refused(r) : r != 0)
        fz_fail("advance %zu -> %zu (fork at %zu: %d): tile %llu: %d", n0,
                n1, f, fork1, (unsigned long long)c, r);

    g_mut_n = keep_n;
    fz_set_fork(fork2 ? f : (size_t)-1);
    fz_mth(0, n2, root);
    cs_merkle_tiles_advance(&v, n2, root);
    r = fz_check(&v, c, n2, chunked, seed, &mut);
    if (mut ? r == 0 : fork2 ? !fz_refused(r) : r != 0)
        fz_fail("advance %zu -> %zu -> %zu (fork at %zu: %d %d, mutated "
                "%d): tile %llu: %d", n0, n1, n2, f, fork1, fork2, mut,
                (unsigned long long)c, r);
    fz_set_fork((size_t)-1);
    if (fz_verbose())
        fprintf(stderr, "advance %zu -> %zu -> %zu fork %zu %d %d: %d\n",
                n0, n1, n2, f, fork1, fork2, r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t hd[13] = {0};
    size_t n, m, i;
    uint64_t k, k2, tiles;
    unsigned char root[32];
    uint32_t seed;
    int pass, r[2][2], mut[2][2];

    fz_setup();
    memcpy(hd, data, size < 13 ? size : 13);
    g_mut = size > 13 ? data + 13 : data;
    g_mut_n = size > 13 ? (size - 13 > 64 ? 64 : size - 13) : 0;
    n = (size_t)hd[1] << 8 | hd[2];
    n = (hd[0] & 7) == 1 ? 65536 + n % 4096 : 1 + n % 1200;
    m = ((size_t)hd[3] << 8 | hd[4]) % (n + 1);
    fz_proofs(m, n);
    ref_mth(g_full[0], n, root);
    tiles = (n + 255) / 256;
    k = (((uint64_t)hd[3] << 8) | hd[4]) % tiles;
    k2 = (((uint64_t)hd[5] << 8) | hd[6]) % tiles;
    seed = (uint32_t)(hd[0] >> 1) * 2654435761u + 1;
    if (hd[7] & 1) {              /* the advance path instead */
        fz_advance(hd, k, k2, &seed);
        return 0;
    }
    for (pass = 0; pass < 2; pass++) {
        seed = (uint32_t)(hd[0] >> 1) * 2654435761u + 1;
        cs_merkle_tiles_init(&g_v[pass], n, root);
        r[pass][0] = fz_tile(&g_v[pass], k, pass, &seed, &mut[pass][0]);
        if (r[pass][0] == 0) {
            size_t w = (k + 1) * 256 <= n ? 256 : n % 256;
            if (mut[pass][0] || memcmp(g_keep, g_full[0][k * 256], w * 32))
                fz_fail("tile %llu of %zu verified changed",
                        (unsigned long long)k, n);
        } else if (!mut[pass][0]) {
            fz_fail("tile %llu of %zu: %d", (unsigned long long)k, n,
                    r[pass][0]);
        }
        r[pass][1] = fz_tile(&g_v[pass], k2, pass, &seed, &mut[pass][1]);
        if ((r[pass][1] == 0) == (mut[pass][1] != 0))
            fz_fail("second tile %llu of %zu: %d", (unsigned long long)k2, n,
                    r[pass][1]);
    }
    for (i = 0; i < 2; i++)
        if (r[0][i] != r[1][i])
            fz_fail("whole %d, chunked %d", r[0][i], r[1][i]);
    if (fz_verbose())
        fprintf(stderr, "n %zu m %zu k %llu k2 %llu: %d %d\n", n, m,
                (unsigned long long)k, (unsigned long long)k2, r[0][0],
                r[0][1]);
    return 0;
}
