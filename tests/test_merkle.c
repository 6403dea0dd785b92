/* test_merkle.c - unit tests of the Merkle layer (section [1k]): the edge
 * (compact range), tree hashes of runs, RFC 9162 consistency and inclusion
 * proofs, and the static-ct-api tile verifier, all against a naive
 * recursive reference written from RFC 6962 2.1 (MTH, PATH, PROOF).
 *
 * Real data comes from ../shared/ct (CS_CT_DATA overrides the folder): the
 * navigli2025h2 data tiles' leaf hashes must equal its level-0 hash tiles,
 * and those tiles must verify up to the root of the tree they make; tests
 * that need the folder print "skip: ..." when it is absent. Tiles are fed
 * whole, 1 byte at a time and split at random offsets, with identical
 * results; every bit flip and truncation of a proof or tile is rejected. */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "test.h"
#define UTIL_RNG_SEED 0x2545f4914f6cdd1du
#include "util.h"

#include <stdlib.h>
#include <string.h>

static int test_skipped;

#if CS_HAS_CT

#include "ref_merkle.h"

static ref_h32 g_leaves[70000];

static void
make_leaves(size_t n, unsigned seed)
{
    size_t i;
    unsigned char b[8];

    for (i = 0; i < n; i++) {
        b[0] = (unsigned char)seed;
        b[1] = (unsigned char)(i >> 24);
        b[2] = (unsigned char)(i >> 16);
        b[3] = (unsigned char)(i >> 8);
        b[4] = (unsigned char)i;
        cs_ct_leaf_hash(b, 5, g_leaves[i]);
    }
}

/* ---- hashes and the edge ---- */

static void
test_node_and_empty(void)
{
    unsigned char a[32], b[32], r[32], e[32];
    /* SHA-256 of nothing */
    static const unsigned char empty[4] = {0xe3, 0xb0, 0xc4, 0x42};

    cs_merkle_empty_root(e);
    CHECK(memcmp(e, empty, 4) == 0);
    memset(a, 1, 32);
    memset(b, 2, 32);
    ref_node(a, b, r);
    cs_merkle_node(a, b, a); /* out aliases l */
    CHECK(memcmp(a, r, 32) == 0);
}

static void
test_edge_sizes(void)
{
    cs_merkle_edge e;
    unsigned char got[32], want[32];
    size_t n;

    make_leaves(1001, 1);
    cs_merkle_edge_init(&e);
    for (n = 0; n <= 1000; n++) {
        cs_merkle_edge_root(&e, got);
        ref_mth(g_leaves, n, want);
        CHECKF(memcmp(got, want, 32) == 0, "size %zu", n);
        cs_merkle_root(&g_leaves[0][0], n, got);
        CHECKF(memcmp(got, want, 32) == 0, "run of %zu", n);
        CHECK(e.size == n);
        CHECK(cs_merkle_edge_push(&e, g_leaves[n]) == 0);
    }
}

static void
test_edge_subtrees(void)
{
    cs_merkle_edge e;
    unsigned char sub[32], got[32], want[32];

    make_leaves(1000, 2);
    /* 512 + 256 + 4 leaves as three subtrees, then 3 leaves */
    cs_merkle_edge_init(&e);
    ref_mth(g_leaves, 512, sub);
    CHECK(cs_merkle_edge_push_subtree(&e, sub, 9) == 0);
    ref_mth(g_leaves + 512, 256, sub);
    CHECK(cs_merkle_edge_push_subtree(&e, sub, 8) == 0);
    ref_mth(g_leaves + 768, 4, sub);
    CHECK(cs_merkle_edge_push_subtree(&e, sub, 2) == 0);
    CHECK(cs_merkle_edge_push_subtree(&e, sub, 3) == CS_E_MERKLE_ALIGN);
    CHECK(e.size == 772);
    CHECK(cs_merkle_edge_push(&e, g_leaves[772]) == 0);
    CHECK(cs_merkle_edge_push(&e, g_leaves[773]) == 0);
    CHECK(cs_merkle_edge_push(&e, g_leaves[774]) == 0);
    cs_merkle_edge_root(&e, got);
    ref_mth(g_leaves, 775, want);
    CHECK(memcmp(got, want, 32) == 0);
    CHECK(cs_merkle_edge_push_subtree(&e, sub, 64) == CS_E_MERKLE_RANGE);
    e.size = UINT64_MAX;
    CHECK(cs_merkle_edge_push(&e, sub) == CS_E_MERKLE_RANGE);
    e.size = (uint64_t)1 << 63;
    CHECK(cs_merkle_edge_push_subtree(&e, sub, 63) == CS_E_MERKLE_RANGE);
}

/* ---- proofs ---- */

static ref_h32 g_proof[80];

/* Every bit flip (all bits for n <= 16, else one random bit per hash and
 * per root) and every truncation or extension must be rejected. */
static void
test_consistency(void)
{
    unsigned char r1[32], r2[32], x[32];
    cs_merkle_edge e;
    size_t m, n, c, i, bit;
    int r;

    make_leaves(64, 3);
    for (n = 1; n <= 64; n++) {
        ref_mth(g_leaves, n, r2);
        for (m = 0; m <= n; m++) {
            ref_mth(g_leaves, m, r1);
            c = m == 0 ? 0 : ref_subproof(m, g_leaves, n, 1, g_proof, 0);
            r = cs_merkle_verify_consistency(m, n, r1, r2, &g_proof[0][0], c,
                                             &e);
            CHECKF(r == 0, "m %zu n %zu: %d", m, n, r);
            if (r == 0 && m < n) {
                /* the old edge, grown with the new leaves, makes new root */
                CHECK(e.size == m);
                cs_merkle_edge_root(&e, x);
                CHECK(memcmp(x, r1, 32) == 0);
                for (i = m; i < n; i++)
                    cs_merkle_edge_push(&e, g_leaves[i]);
                cs_merkle_edge_root(&e, x);
                CHECKF(memcmp(x, r2, 32) == 0, "edge m %zu n %zu", m, n);
            }
            if (m == 0)
                continue;
            for (i = 0; i < c; i++) {
                for (bit = 0; bit < 256; bit++) {
                    size_t b = n <= 16 ? bit : (size_t)(rnd() % 256);
                    g_proof[i][b / 8] ^= (unsigned char)(1u << (b % 8));
                    r = cs_merkle_verify_consistency(m, n, r1, r2,
                                                     &g_proof[0][0], c, NULL);
                    g_proof[i][b / 8] ^= (unsigned char)(1u << (b % 8));
                    CHECKF(r == CS_E_MERKLE_PROOF, "flip m %zu n %zu", m, n);
                    if (n > 16)
                        break;
                }
            }
            r1[rnd() % 32] ^= 1;
            CHECK(cs_merkle_verify_consistency(m, n, r1, r2, &g_proof[0][0],
                                               c, NULL) != 0);
            ref_mth(g_leaves, m, r1);
            r2[rnd() % 32] ^= 0x80;
            CHECK(cs_merkle_verify_consistency(m, n, r1, r2, &g_proof[0][0],
                                               c, NULL) != 0);
            ref_mth(g_leaves, n, r2);
            if (c > 0) {
                CHECK(cs_merkle_verify_consistency(m, n, r1, r2,
                          &g_proof[0][0], c - 1, NULL) == CS_E_MERKLE_PROOF);
                CHECK(cs_merkle_verify_consistency(m, n, r1, r2,
                          &g_proof[1][0], c - 1, NULL) == CS_E_MERKLE_PROOF);
            }
            memcpy(g_proof[c], r1, 32);
            CHECK(cs_merkle_verify_consistency(m, n, r1, r2, &g_proof[0][0],
                                               c + 1, NULL) != 0);
        }
    }
    CHECK(cs_merkle_verify_consistency(5, 4, r1, r2, NULL, 0, NULL)
          == CS_E_MERKLE_RANGE);
}

static void
test_inclusion(void)
{
    unsigned char root[32];
    size_t i, n, c, j, bit;
    int r;

    make_leaves(64, 4);
    for (n = 1; n <= 64; n++) {
        ref_mth(g_leaves, n, root);
        for (i = 0; i < n; i++) {
            c = ref_path(i, g_leaves, n, g_proof, 0);
            r = cs_merkle_verify_inclusion(i, n, g_leaves[i], root,
                                           &g_proof[0][0], c);
            CHECKF(r == 0, "i %zu n %zu", i, n);
            for (j = 0; j < c; j++) {
                for (bit = 0; bit < 256; bit++) {
                    size_t b = n <= 16 ? bit : (size_t)(rnd() % 256);
                    g_proof[j][b / 8] ^= (unsigned char)(1u << (b % 8));
                    r = cs_merkle_verify_inclusion(i, n, g_leaves[i], root,
                                                   &g_proof[0][0], c);
                    g_proof[j][b / 8] ^= (unsigned char)(1u << (b % 8));
                    CHECKF(r == CS_E_MERKLE_PROOF, "flip i %zu n %zu", i, n);
                    if (n > 16)
                        break;
                }
            }
            if (c > 0)
                CHECK(cs_merkle_verify_inclusion(i, n, g_leaves[i], root,
                          &g_proof[0][0], c - 1) == CS_E_MERKLE_PROOF);
            memcpy(g_proof[c], root, 32);
            CHECK(cs_merkle_verify_inclusion(i, n, g_leaves[i], root,
                      &g_proof[0][0], c + 1) == CS_E_MERKLE_PROOF);
            CHECK(cs_merkle_verify_inclusion(i, n, g_leaves[(i + 1) % n],
                      root, &g_proof[0][0], c) != 0 || n == 1);
            if (i + 1 < n)
                CHECK(cs_merkle_verify_inclusion(i + 1, n, g_leaves[i],
                          root, &g_proof[0][0], c) != 0);
        }
    }
    CHECK(cs_merkle_verify_inclusion(3, 3, root, root, NULL, 0)
          == CS_E_MERKLE_RANGE);
}

/* ---- tiles: a reference log built from g_leaves ---- */

static ref_h32 *g_lev[3];         /* full nodes at heights 0, 8, 16 */
static size_t g_lev_n[3];
static size_t g_size;
static unsigned char g_root[32];

static void
build_tree(size_t n)
{
    size_t h, i, l;
    ref_h32 *cur, *nx;
    size_t cn;

    g_size = n;
    ref_mth(g_leaves, n, g_root);
    for (l = 0; l < 3; l++) {
        free(g_lev[l]);
        g_lev[l] = NULL;
    }
    cur = (ref_h32 *)malloc((n ? n : 1) * 32);
    memcpy(cur, g_leaves, n * 32);
    cn = n;
    for (h = 0; h <= 16; h++) {
        if (h % 8 == 0) {
            g_lev[h / 8] = (ref_h32 *)malloc((cn ? cn : 1) * 32);
            memcpy(g_lev[h / 8], cur, cn * 32);
            g_lev_n[h / 8] = cn;
        }
        nx = (ref_h32 *)malloc((cn / 2 ? cn / 2 : 1) * 32);
        for (i = 0; i + 1 < cn; i += 2)
            ref_node(cur[i], cur[i + 1], nx[i / 2]);
        free(cur);
        cur = nx;
        cn /= 2;
    }
    free(cur);
}

static int g_fetches;

/* tile/L/index[.p/width] of the reference log into out; its length. */
static size_t
serve(int level, uint64_t index, unsigned width, unsigned char *out)
{
    size_t first = (size_t)index * 256;

    g_fetches++;
    if (level < 0 || level > 2 || first + width > g_lev_n[level])
        return (size_t)-1;
    memcpy(out, g_lev[level][first], (size_t)width * 32);
    return (size_t)width * 32;
}

static unsigned char g_tile[8192];
static unsigned char g_keep[8192];

/* Verify level-0 tile k with v; mode 0 whole, 1 byte-wise, 2 random
 * splits; corrupt >= 0 flips bit `corrupt` of the tile fetched at step
 * corrupt_at (cut truncates it by one byte). Keeps the level-0 tile k. */
static int
verify_tile(cs_merkle_tiles *v, uint64_t k, int mode, int corrupt_at,
            long corrupt, int cut)
{
    int r, level = 0, step = 0;
    uint64_t index = 0;
    unsigned width = 0;
    size_t len, off, n;

    r = cs_merkle_tiles_start(v, k);
    if (r != 0)
        return r;
    while ((r = cs_merkle_tiles_next(v, &level, &index, &width)) == 1) {
        len = serve(level, index, width, g_tile);
        if (len == (size_t)-1)
            return -9999;
        if (step == corrupt_at) {
            if (cut)
                len--;
            else
                g_tile[(size_t)corrupt / 8 % len]
                    ^= (unsigned char)(1u << (corrupt % 8));
        }
        if (level == 0 && index == k)
            memcpy(g_keep, g_tile, len);
        for (off = 0; off < len; off += n) {
            n = mode == 0 ? len - off
                : mode == 1 ? 1 : 1 + (size_t)(rnd() % 97);
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

static cs_merkle_tiles g_v, g_v2;

static void
test_tiles_sizes(void)
{
    static const size_t sizes[] = {1, 2, 255, 256, 257, 300, 511, 512,
                                   513, 1000, 65535, 65536, 65537, 65792,
                                   66051, 69999};
    size_t si, n;
    uint64_t k, tiles;
    int r, mode;

    make_leaves(70000, 5);
    for (si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        n = sizes[si];
        build_tree(n);
        tiles = (n + 255) / 256;
        cs_merkle_tiles_init(&g_v2, n, g_root); /* one, reused for all k */
        for (k = 0; k < tiles; k++) {
            unsigned w = (unsigned)((k + 1) * 256 <= n ? 256 : n % 256);
            mode = (int)(k % 3);
            cs_merkle_tiles_init(&g_v, n, g_root); /* fresh each time */
            r = verify_tile(&g_v, k, mode, -1, 0, 0);
            CHECKF(r == 0, "size %zu tile %llu: %d", n,
                   (unsigned long long)k, r);
            CHECK(memcmp(g_keep, g_leaves[k * 256], (size_t)w * 32) == 0);
            g_fetches = 0;
            r = verify_tile(&g_v2, k, mode, -1, 0, 0);
            CHECKF(r == 0, "reused, size %zu tile %llu", n,
                   (unsigned long long)k);
            /* after the first, a full tile under a verified level-1 tile
             * costs exactly its own level-0 tile */
            if ((k & 255) != 0 && w == 256 && (k >> 8) == ((n >> 8) >> 8))
                CHECKF(g_fetches == 1, "size %zu tile %llu: %d fetches", n,
                       (unsigned long long)k, g_fetches);
        }
        CHECK(cs_merkle_tiles_start(&g_v, tiles) == CS_E_MERKLE_RANGE);
    }
}

static void
test_tiles_lies(void)
{
    static const size_t sizes[] = {300, 512, 66051};
    size_t si, n;
    uint64_t k, tiles;
    int r, step, cut;

    make_leaves(70000, 6);
    for (si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        n = sizes[si];
        build_tree(n);
        tiles = (n + 255) / 256;
        for (k = 0; k < tiles; k += (tiles > 8 ? 37 : 1)) {
            for (step = 0; step < 4; step++) {
                for (cut = 0; cut < 2; cut++) {
                    cs_merkle_tiles_init(&g_v, n, g_root);
                    r = verify_tile(&g_v, k, 2, step, (long)(rnd() % 65536),
                                    cut);
                    /* a plan shorter than step tiles verifies untouched */
                    CHECKF(r == (cut ? CS_E_MERKLE_TILE_SIZE
                                     : CS_E_MERKLE_TILE)
                           || (r == 0 && step >= 2),
                           "size %zu tile %llu step %d cut %d: %d", n,
                           (unsigned long long)k, step, cut, r);
                }
            }
        }
        /* the wrong root, the wrong size */
        g_root[0] ^= 1;
        cs_merkle_tiles_init(&g_v, n, g_root);
        CHECK(verify_tile(&g_v, 0, 0, -1, 0, 0) == CS_E_MERKLE_TILE);
        g_root[0] ^= 1;
        cs_merkle_tiles_init(&g_v, n - 1, g_root);
        r = verify_tile(&g_v, 0, 0, -1, 0, 0);
        CHECK(r == CS_E_MERKLE_TILE || r == -9999);
    }
    /* a tile that is too long, and feeding with nothing asked */
    build_tree(512);
    cs_merkle_tiles_init(&g_v, 512, g_root);
    CHECK(cs_merkle_tiles_start(&g_v, 0) == 0);
    memset(g_tile, 0, sizeof g_tile);
    CHECK(cs_merkle_tiles_feed(&g_v, g_tile, 8192) == CS_E_MERKLE_TILE_SIZE);
    cs_merkle_tiles_init(&g_v, 512, g_root);
    CHECK(cs_merkle_tiles_feed(&g_v, g_tile, 1) == CS_E_MERKLE_STATE);
}

/* A verifier moved to newer checkpoints keeps what did not change:
 * growing within one level-2 tile, a full tile under the new head costs
 * the changed edge tiles (levels 0 and 1) and its own; lies still fail. */
static void
test_tiles_advance(void)
{
    static const size_t sizes[] = {65800, 65801, 66051, 66560, 69000};
    size_t si, n;
    int r;
    uint64_t k;

    make_leaves(70000, 7);
    build_tree(sizes[0]);
    cs_merkle_tiles_init(&g_v, sizes[0], g_root);
    CHECK(verify_tile(&g_v, 1, 0, -1, 0, 0) == 0);
    for (si = 1; si < sizeof sizes / sizeof sizes[0]; si++) {
        n = sizes[si];
        build_tree(n);
        k = n / 256 - 1;              /* the newest full tile */
        g_root[3] ^= 4;               /* a forked head first */
        cs_merkle_tiles_advance(&g_v, n, g_root);
        CHECK(verify_tile(&g_v, k, 2, -1, 0, 0) == CS_E_MERKLE_TILE);
        g_root[3] ^= 4;
        cs_merkle_tiles_advance(&g_v, n, g_root);  /* nothing kept: */
        g_fetches = 0;                             /* the lie was last */
        r = verify_tile(&g_v, k, 1, -1, 0, 0);
        CHECKF(r == 0, "size %zu: %d", n, r);
        CHECK(memcmp(g_keep, g_leaves[k * 256], 8192) == 0);
        /* now from a verified edge: the level-2 tile is not asked */
        build_tree(n + 7);
        g_fetches = 0;
        cs_merkle_tiles_advance(&g_v, n + 7, g_root);
        r = verify_tile(&g_v, k, 2, -1, 0, 0);
        CHECKF(r == 0 && g_fetches == 3, "size %zu: %d, %d fetches", n + 7,
               r, g_fetches);
        CHECK(memcmp(g_keep, g_leaves[k * 256], 8192) == 0);
        /* and a lie in a changed tile is still caught */
        build_tree(n + 9);
        cs_merkle_tiles_advance(&g_v, n + 9, g_root);
        CHECK(verify_tile(&g_v, k, 0, 0, 77, 0) == CS_E_MERKLE_TILE);
        cs_merkle_tiles_advance(&g_v, n, g_root); /* smaller: drops */
        CHECK(g_v.prev_ok == 0);
        build_tree(n);
        cs_merkle_tiles_init(&g_v, n, g_root);
        CHECK(verify_tile(&g_v, k, 0, -1, 0, 0) == 0);
    }
}

/* ---- real tiles ---- */

static unsigned char g_entry[CS_CT_MAX_ENTRY];

static void
test_real_tiles(void)
{
    static const char *data[2] = {"navigli2025h2/tile/data/000",
                                  "navigli2025h2/tile/data/001"};
    static const char *hashes[2] = {"navigli2025h2/tile/0/000",
                                    "navigli2025h2/tile/0/001"};
    unsigned char *d, *h;
    size_t dl, hl, off, used;
    cs_ct_tile t;
    int f, r, n_ok = 0;
    long cnt;
    size_t sizes[3] = {300, 511, 512}, si;
    uint64_t k;

    for (f = 0; f < 2; f++) {
        d = load(data[f], &dl);
        h = load(hashes[f], &hl);
        if (d == NULL || h == NULL) {
            printf("skip: %s (no %s/%s)\n", test_cur, data_dir(),
                   d == NULL ? data[f] : hashes[f]);
            test_skipped++;
            free(d);
            free(h);
            return;
        }
        CHECK(hl == 8192);
        cs_ct_tile_init(&t, g_entry, sizeof g_entry);
        off = 0;
        cnt = 0;
        while (off < dl) {
            r = cs_ct_tile_feed(&t, d + off, dl - off, &used);
            off += used;
            if (r == CS_CT_ENTRY || r == CS_E_CT_ENTRY_TOO_BIG) {
                const cs_ct_entry *e = cs_ct_tile_entry(&t);
                CHECKF(cnt < 256 && memcmp(e->leaf_hash, h + 32 * cnt, 32)
                       == 0, "tile %d entry %ld", f, cnt);
                cnt++;
            } else if (r != 0) {
                CHECK(0);
                break;
            }
        }
        CHECK(cs_ct_tile_end(&t) == 256 && cnt == 256);
        memcpy(g_leaves[256 * f], h, 8192);
        n_ok++;
        free(d);
        free(h);
    }
    /* The real level-0 tiles verify up to the root of the trees of 300,
     * 511 and 512 of these leaves (the reference computes the roots). */
    for (si = 0; si < 3; si++) {
        build_tree(sizes[si]);
        for (k = 0; k < 2; k++) {
            cs_merkle_tiles_init(&g_v, sizes[si], g_root);
            CHECK(verify_tile(&g_v, k, (int)k + 1, -1, 0, 0) == 0);
            CHECK(memcmp(g_keep, g_leaves[256 * k], 32) == 0);
        }
    }
    CHECK(n_ok == 2);
}

#else

/* Without CT the layer is gone; SHA-256, which it builds on, stays. */
static void
test_sha256_stays(void)
{
    unsigned char e[32];
    cs_sha256("", 0, e);
    CHECK(e[0] == 0xe3 && e[31] == 0x55);
}

#endif /* CS_HAS_CT */

int
main(void)
{
#if CS_HAS_CT
    TEST(test_node_and_empty);
    TEST(test_edge_sizes);
    TEST(test_edge_subtrees);
    TEST(test_consistency);
    TEST(test_inclusion);
    TEST(test_tiles_sizes);
    TEST(test_tiles_lies);
    TEST(test_tiles_advance);
    TEST(test_real_tiles);
#else
    TEST(test_sha256_stays);
    printf("skip: the Merkle layer (CERTSTREAM_NO_CT)\n");
    test_skipped++;
#endif
    printf("%d passed, %d failed, %d skipped\n", test_passed, test_failed,
           test_skipped);
    return test_failed != 0;
}
