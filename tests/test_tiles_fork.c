/* test_tiles_fork.c - the static-ct tile verifier ([1k]) against a log
 * that forks: after cs_merkle_tiles_advance() from a verified checkpoint
 * A to a checkpoint B whose tree does not extend A's (old leaves logged
 * differently, or the same size with another root), verifying the tile
 * the follower asks next (A's size / 256) never succeeds, whatever B's
 * tiles say: CS_E_MERKLE_INCONSISTENT when B's tiles prove the fork, or
 * CS_E_MERKLE_TILE when an edge tile that did not change was taken from
 * A's edge (B's root then does not check). A lie in between (a broken
 * tile, then B again) does not make the verifier forget A; an honest B
 * extending A verifies, at the usual cost. Sizes: one level-1 tile,
 * several, and level-2 trees; the fork at the first leaf, in the middle,
 * in A's last tile. Also cs_merkle_verify_consistency()'s old edge when
 * m == n (it was left as it was: a stale edge taken for the old one).
 * A resume from a head known by its root only (cs_merkle_tiles_resume):
 * honest growth proven, a fork or a wrong root named.
 * Runs in about 1 s. */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

#define MAXL 70000
/* a fork: one of the two names, never success */
#define FORKED(r) ((r) == CS_E_MERKLE_INCONSISTENT || (r) == CS_E_MERKLE_TILE)

typedef unsigned char h32[32];

/* a tree's complete nodes: level h (height) at off[h] */
typedef struct tree {
    uint64_t n;
    size_t off[18];
    h32 *node;
    unsigned char root[32];
} tree;

static h32 g_leaf[MAXL], g_fork[MAXL];
static tree g_a, g_b;
static unsigned char g_tile[8192];
static int g_fetches;

static void
build(tree *t, h32 *leaves, uint64_t n)
{
    size_t h, i, at = 0, cnt;

    if (t->node == NULL)
        t->node = (h32 *)malloc(sizeof(h32) * 2 * MAXL);
    t->n = n;
    for (h = 0; h < 18; h++) {
        t->off[h] = at;
        cnt = (size_t)(n >> h);
        for (i = 0; i < cnt; i++) {
            if (h == 0)
                memcpy(t->node[at + i], leaves[i], 32);
            else
                cs_merkle_node(t->node[t->off[h - 1] + 2 * i],
                               t->node[t->off[h - 1] + 2 * i + 1],
                               t->node[at + i]);
        }
        at += cnt;
    }
    cs_merkle_root(&leaves[0][0], (size_t)n, t->root);
}

/* tile (level, index, width) of tree t into g_tile; its length */
static size_t
serve(const tree *t, int level, uint64_t index, unsigned width)
{
    size_t h = 8 * (size_t)level, i;

    g_fetches++;
    for (i = 0; i < width; i++) {
        uint64_t pos = index * 256 + i;
        if (pos >= (t->n >> h))
            return (size_t)-1;        /* not a complete node: never asked */
        memcpy(g_tile + 32 * i, t->node[t->off[h] + pos], 32);
    }
    return (size_t)width * 32;
}

/* Verify tile k serving t's tiles; flip a bit of the tile at step
 * `corrupt` (-1: none). Returns the verifier's result (-9999: a tile
 * that does not exist was asked for). */
static int
verify(cs_merkle_tiles *v, const tree *t, uint64_t k, int corrupt)
{
    int r, level = 0, step = 0;
    uint64_t index = 0;
    unsigned width = 0;
    size_t len;

    r = cs_merkle_tiles_start(v, k);
    if (r != 0)
        return r;
    while ((r = cs_merkle_tiles_next(v, &level, &index, &width)) == 1) {
        len = serve(t, level, index, width);
        if (len == (size_t)-1)
            return -9999;
        if (step++ == corrupt)
            g_tile[len / 2] ^= 0x20;
        if ((r = cs_merkle_tiles_feed(v, g_tile, len)) != 0
            || (r = cs_merkle_tiles_end(v)) != 0)
            return r;
    }
    return r;
}

static cs_merkle_tiles g_v;

static void
leaves(void)
{
    unsigned char b[8];
    size_t i;

    for (i = 0; i < MAXL; i++) {
        memcpy(b, &i, sizeof i < 8 ? sizeof i : 8);
        cs_ct_leaf_hash(b, 8, g_leaf[i]);
    }
}

/* A of size m verified, then B of size n forked at leaf `at`. */
static void
fork_case(uint64_t m, uint64_t n, uint64_t at)
{
    int r;

    memcpy(g_fork, g_leaf, sizeof g_fork);
    g_fork[at][0] ^= 1;
    build(&g_a, g_leaf, m);
    cs_merkle_tiles_init(&g_v, m, g_a.root);
    r = verify(&g_v, &g_a, (m - 1) / 256, -1);
    CHECKF(r == 0, "A %llu: %d", (unsigned long long)m, r);
    build(&g_b, g_fork, n);
    cs_merkle_tiles_advance(&g_v, n, g_b.root);
    if (m / 256 < (n + 255) / 256) {
        r = verify(&g_v, &g_b, m / 256, -1);
        CHECKF(FORKED(r), "%llu -> %llu forked at %llu: %d",
               (unsigned long long)m, (unsigned long long)n,
               (unsigned long long)at, r);
        /* a broken tile first, then B again: still A to be proven */
        r = verify(&g_v, &g_b, m / 256, 1);
        CHECKF(r == CS_E_MERKLE_TILE || r == CS_E_MERKLE_TILE_SIZE
               || r == CS_E_MERKLE_INCONSISTENT, "broken tile: %d", r);
        cs_merkle_tiles_advance(&g_v, n, g_b.root);
        r = verify(&g_v, &g_b, m / 256, -1);
        CHECKF(FORKED(r), "after a lie, %llu -> %llu: "
               "%d", (unsigned long long)m, (unsigned long long)n, r);
        /* nor a bigger fork after it */
        if (n + 300 <= MAXL) {
            build(&g_b, g_fork, n + 300);
            cs_merkle_tiles_advance(&g_v, n + 300, g_b.root);
            r = verify(&g_v, &g_b, m / 256, -1);
            CHECKF(FORKED(r), "then %llu: %d",
                   (unsigned long long)n + 300, r);
        }
    }
    /* the honest tree, after all that: proven, and A is let go */
    build(&g_b, g_leaf, n);
    cs_merkle_tiles_advance(&g_v, n, g_b.root);
    if (m / 256 < (n + 255) / 256) {
        r = verify(&g_v, &g_b, m / 256, -1);
        CHECKF(r == 0, "honest %llu -> %llu: %d", (unsigned long long)m,
               (unsigned long long)n, r);
        CHECK(g_v.cons_need == 0);
    }
}

static void
test_forks(void)
{
    static const uint64_t ms[] = {1, 100, 256, 300, 1000, 65536, 65800,
                                  66051};
    size_t i;
    uint64_t m, n;

    leaves();
    for (i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        m = ms[i];
        n = m + 1 + (m * 7) % 1500;
        fork_case(m, n, 0);
        fork_case(m, n, m - 1);
        if (m > 2000)
            continue;                 /* (big trees cost: the rest small) */
        fork_case(m, n, m / 2);
        if (m % 256 != 0)
            fork_case(m, m + (256 - m % 256), m - 1);  /* to a full tile */
    }
}

/* The same size, another root (a fork a follower's head check catches
 * before; the verifier says so too). */
static void
test_same_size(void)
{
    int r;

    build(&g_a, g_leaf, 1000);
    cs_merkle_tiles_init(&g_v, 1000, g_a.root);
    CHECK(verify(&g_v, &g_a, 3, -1) == 0);
    memcpy(g_fork, g_leaf, sizeof g_fork);
    g_fork[10][5] ^= 1;
    build(&g_b, g_fork, 1000);
    cs_merkle_tiles_advance(&g_v, 1000, g_b.root);
    r = verify(&g_v, &g_b, 3, -1);
    CHECKF(FORKED(r), "same size: %d", r);
}

/* Honest growth: each advance proves itself with the tiles the verifier
 * asks for anyway (no extra fetch) and lets the old edge go. */
static void
test_honest_cost(void)
{
    uint64_t m = 65800, n;
    int r, step;

    build(&g_a, g_leaf, m);
    cs_merkle_tiles_init(&g_v, m, g_a.root);
    CHECK(verify(&g_v, &g_a, m / 256, -1) == 0);
    for (step = 0; step < 6; step++) {
        n = m + 1 + (uint64_t)step * 97;
        build(&g_b, g_leaf, n);
        cs_merkle_tiles_advance(&g_v, n, g_b.root);
        g_fetches = 0;
        r = verify(&g_v, &g_b, m / 256, -1);
        CHECKF(r == 0 && g_v.cons_need == 0, "%llu -> %llu: %d",
               (unsigned long long)m, (unsigned long long)n, r);
        /* at most: the level-2 edge, level-1 edge, level-0 edge, k */
        CHECKF(g_fetches <= 4, "%d fetches", g_fetches);
        m = n;
    }
}

/* Honest growth in random steps, each verification of a random tile
 * (the follower's, the old size's last, or any other): never an error
 * (forks in between, at random leaves, always are);
 * a tile other than the old size's leaves the proof pending, the next
 * advance keeps the older edge, and the follower's tile ends it. */
static void
test_honest_random(void)
{
    uint64_t m = 1, n, k, seed = 12345;
    int step, r;

    build(&g_a, g_leaf, m);
    cs_merkle_tiles_init(&g_v, m, g_a.root);
    CHECK(verify(&g_v, &g_a, 0, -1) == 0);
    for (step = 0; step < 60 && m < MAXL - 3000; step++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        n = m + (seed >> 33) % (step % 7 == 6 ? 2900 : 300);
        /* a fork first, when the last head is the proven one: refused */
        if (step % 4 == 1 && n > m && g_v.cons_need == 0) {
            uint64_t at = (seed >> 24) % m;
            memcpy(g_fork, g_leaf, sizeof g_fork);
            g_fork[at][9] ^= 0x40;
            build(&g_b, g_fork, n);
            cs_merkle_tiles_advance(&g_v, n, g_b.root);
            r = verify(&g_v, &g_b, m / 256, -1);
            CHECKF(FORKED(r), "step %d: %llu -> %llu forked at %llu: %d",
                   step, (unsigned long long)m, (unsigned long long)n,
                   (unsigned long long)at, r);
        }
        build(&g_b, g_leaf, n);
        cs_merkle_tiles_advance(&g_v, n, g_b.root);
        k = (seed >> 20) % 3 == 0 ? (seed >> 40) % ((n + 255) / 256)
                                  : m / 256;
        if (k >= (n + 255) / 256)
            k = (n - 1) / 256;
        r = verify(&g_v, &g_b, k, -1);
        CHECKF(r == 0, "step %d: %llu -> %llu, tile %llu: %d", step,
               (unsigned long long)m, (unsigned long long)n,
               (unsigned long long)k, r);
        if (n == m)
            continue;
        m = n;
        if (step % 13 == 12) {        /* and jump: a big tree */
            m = 65536 + (seed >> 50) % 1000;
            build(&g_a, g_leaf, m);
            cs_merkle_tiles_init(&g_v, m, g_a.root);
            CHECK(verify(&g_v, &g_a, (m - 1) / 256, -1) == 0);
        }
    }
}

/* m == n: the edge is filled when m is a power of two (the root is
 * the edge), else marked unusable; never left stale. */
static void
test_same_size_edge(void)
{
    static const uint64_t ms[] = {1, 2, 64, 256, 3, 100, 1000};
    cs_merkle_edge e;
    unsigned char r[32];
    size_t i;

    for (i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        build(&g_a, g_leaf, ms[i]);
        cs_merkle_edge_init(&e);
        CHECK(cs_merkle_edge_push(&e, g_leaf[7]) == 0);   /* stale */
        CHECK(cs_merkle_verify_consistency(ms[i], ms[i], g_a.root, g_a.root,
                                           NULL, 0, &e) == 0);
        if ((ms[i] & (ms[i] - 1)) == 0) {
            cs_merkle_edge_root(&e, r);
            CHECKF(e.size == ms[i] && memcmp(r, g_a.root, 32) == 0,
                   "m = n = %llu", (unsigned long long)ms[i]);
            CHECK(cs_merkle_edge_push(&e, g_leaf[ms[i]]) == 0);
        } else {
            CHECKF(e.size == UINT64_MAX, "m = n = %llu: size %llu",
                   (unsigned long long)ms[i], (unsigned long long)e.size);
            CHECK(cs_merkle_edge_push(&e, g_leaf[0]) == CS_E_MERKLE_RANGE);
        }
    }
}

/* A trusted head A known by its root only (a saved state's), then B:
 * cs_merkle_tiles_resume() and the tile A's size / 256 prove B extends
 * A, or name the fork (or a wrong saved root): CS_E_MERKLE_INCONSISTENT;
 * a lie in between or another tile first proves nothing; once proven,
 * the verifier goes on (another tile, an advance) as after init. */
static void
resume_case(uint64_t m, uint64_t n, int64_t at)
{
    unsigned char bad[32];
    int r;

    memcpy(g_fork, g_leaf, sizeof g_fork);
    if (at >= 0)
        g_fork[at][3] ^= 8;
    build(&g_a, g_leaf, m);
    build(&g_b, g_fork, n);
    cs_merkle_tiles_resume(&g_v, m, g_a.root, n, g_b.root);
    if (m / 256 > 0) {
        /* another tile: proves A too when it reads all of A's edge (B's
         * right edge tiles are A's), else leaves it to prove */
        r = verify(&g_v, &g_b, 0, -1);
        if (at >= 0 && r == CS_E_MERKLE_INCONSISTENT)
            return;                   /* named already */
        CHECKF(r == 0 && (g_v.prev_by_root ? g_v.cons_need != 0
                          : g_v.cons_need == 0 && at < 0),
               "resume %llu -> %llu, tile 0: %d", (unsigned long long)m,
               (unsigned long long)n, r);
    }
    if (g_v.prev_by_root) {           /* a broken tile: not proven */
        r = verify(&g_v, &g_b, m / 256, 0);
        CHECKF(r != 0 && g_v.prev_by_root, "resume, a lie: %d", r);
    }
    r = verify(&g_v, &g_b, m / 256, -1);
    if (at >= 0) {
        CHECKF(r == CS_E_MERKLE_INCONSISTENT, "resume %llu -> %llu forked "
               "at %lld: %d", (unsigned long long)m, (unsigned long long)n,
               (long long)at, r);
        return;
    }
    CHECKF(r == 0 && g_v.cons_need == 0 && !g_v.prev_by_root,
           "resume %llu -> %llu: %d", (unsigned long long)m,
           (unsigned long long)n, r);
    CHECK(verify(&g_v, &g_b, (n - 1) / 256, -1) == 0);
    if (n + 300 <= MAXL) {            /* and on: an honest advance */
        build(&g_b, g_leaf, n + 300);
        cs_merkle_tiles_advance(&g_v, n + 300, g_b.root);
        CHECK(verify(&g_v, &g_b, n / 256, -1) == 0 && g_v.cons_need == 0);
    }
    /* the honest B against a saved root that is not A's */
    memcpy(bad, g_a.root, 32);
    bad[31] ^= 1;
    build(&g_b, g_leaf, n);
    cs_merkle_tiles_resume(&g_v, m, bad, n, g_b.root);
    r = verify(&g_v, &g_b, m / 256, -1);
    CHECKF(r == CS_E_MERKLE_INCONSISTENT, "resume, wrong root: %d", r);
}

static void
test_resume(void)
{
    static const uint64_t ms[] = {1, 100, 255, 256, 300, 1000, 65800};
    size_t i;
    uint64_t m, n;

    for (i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        m = ms[i];
        n = m + 1 + (m * 7) % 1500;
        resume_case(m, n, -1);
        resume_case(m, n, 0);
        resume_case(m, n, (int64_t)m - 1);
        if (m < 2000) {
            resume_case(m, m + 1, -1);
            resume_case(m, n + 600, (int64_t)m / 2);
        }
    }
}

int
main(void)
{
    TEST(test_forks);
    TEST(test_same_size);
    TEST(test_honest_cost);
    TEST(test_same_size_edge);
    TEST(test_honest_random);
    TEST(test_resume);
    free(g_a.node);
    free(g_b.node);
    return TEST_SUMMARY();
}
