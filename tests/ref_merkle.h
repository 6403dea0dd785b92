/* ref_merkle.h - a naive reference for the Merkle layer ([1k]), written
 * from RFC 6962 2.1 as it reads (recursive MTH, PATH and the SUBPROOF of
 * a consistency proof), for tests/test_merkle.c and fuzz/fuzz_merkle.c.
 * Include after certstream.h (it hashes with cs_sha256). All is static
 * inline: a file that uses a part gets no unused-function warning.
 *
 * The leaves are an array of leaf hashes. A file may define
 * REF_MERKLE_CACHED(d, n, out) before the include: an expression that,
 * when it knows MTH(d[0:n]) for n >= 1 (a full subtree it precomputed),
 * writes it to out and is nonzero; else 0. The fuzz target uses it to
 * keep a proof of a 70,000-leaf tree cheap. */
#ifndef CS_REF_MERKLE_H
#define CS_REF_MERKLE_H
#include <stddef.h>
#include <string.h>

#ifndef REF_MERKLE_CACHED
#  define REF_MERKLE_CACHED(d, n, out) 0
#endif

typedef unsigned char ref_h32[32];

/* The largest power of two below n (n >= 2): where RFC 6962 splits. */
static inline size_t
ref_split(size_t n)
{
    size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    return k;
}

/* SHA-256(0x01 || l || r): an interior node, into out. */
static inline void
ref_node(const unsigned char *l, const unsigned char *r, unsigned char *out)
{
    unsigned char b[65];
    b[0] = 1;
    memcpy(b + 1, l, 32);
    memcpy(b + 33, r, 32);
    cs_sha256(b, 65, out);
}

/* MTH(D[0:n]) of leaf hashes d. */
static inline void
ref_mth(ref_h32 *d, size_t n, unsigned char *out)
{
    unsigned char l[32], r[32];
    size_t k;

    if (n == 0) {
        cs_sha256("", 0, out);
        return;
    }
    if (REF_MERKLE_CACHED(d, n, out))
        return;
    if (n == 1) {
        memcpy(out, d[0], 32);
        return;
    }
    k = ref_split(n);
    ref_mth(d, k, l);
    ref_mth(d + k, n - k, r);
    ref_node(l, r, out);
}

/* PATH(m, D[n]) (the inclusion proof of leaf m) appended to out at c;
 * returns the new count. */
static inline size_t
ref_path(size_t m, ref_h32 *d, size_t n, ref_h32 *out, size_t c)
{
    size_t k;

    if (n <= 1)
        return c;
    k = ref_split(n);
    if (m < k) {
        c = ref_path(m, d, k, out, c);
        ref_mth(d + k, n - k, out[c]);
    } else {
        c = ref_path(m - k, d + k, n - k, out, c);
        ref_mth(d, k, out[c]);
    }
    return c + 1;
}

/* SUBPROOF(m, D[n], b) appended to out at c; returns the new count. The
 * consistency proof from m (1 <= m <= n) to n is SUBPROOF(m, D[n], 1). */
static inline size_t
ref_subproof(size_t m, ref_h32 *d, size_t n, int b, ref_h32 *out,
             size_t c)
{
    size_t k;

    if (m == n) {
        if (b)
            return c;
        ref_mth(d, n, out[c]);
        return c + 1;
    }
    k = ref_split(n);
    if (m <= k) {
        c = ref_subproof(m, d, k, b, out, c);
        ref_mth(d + k, n - k, out[c]);
    } else {
        c = ref_subproof(m - k, d + k, n - k, 0, out, c);
        ref_mth(d, k, out[c]);
    }
    return c + 1;
}
#endif
