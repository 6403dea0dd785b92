/* test_inflate.c - the gzip / zlib / DEFLATE decoder (cs_inflate_*) and
 * cs_crc32.
 *
 * Vectors come from tests/vectors/inflate/gen.py, run at test time with
 * /usr/bin/python3: Python's zlib at every level, strategy and window
 * size with raw, zlib and gzip wrappers, plus hand-made blocks for the
 * RFC 1951 edge cases zlib never writes (see gen.py). Every vector is fed
 * whole, 1 byte at a time, and at random splits with random window sizes
 * (which move where the window wraps and slices end); small ones are
 * also split at every offset. Every run must deliver exactly the
 * expected bytes and end with the expected result. Corrupted streams
 * (every truncation, bit flips) must end in a defined error or success,
 * the same for whole and 1-byte feeding, with no endless loop (and no
 * memory error under the sanitizers). */
#define _POSIX_C_SOURCE 200809L
#define CERTSTREAM_NO_TLS
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "test.h"

#if !CS_HAS_CT
int
main(void)
{
    (void)test_cur;
    (void)test_cur_failed;
    puts("SKIP: CERTSTREAM_NO_CT leaves out the gzip decoder");
    return TEST_SUMMARY();
}
#else

#include <stdlib.h>
#include <string.h>

typedef struct vec {
    char name[128];
    int mode;
    char expect[40];
    unsigned char *in, *out;
    size_t in_len, out_len;
} vec;

static vec *g_vecs;
static size_t g_nvec;

/* ---- loading the vectors ---------------------------------------------- */

static int
rd32(FILE *f, size_t *v)
{
    unsigned char b[4];
    if (fread(b, 1, 4, f) != 4)
        return 0;
    *v = (size_t)b[0] | (size_t)b[1] << 8 | (size_t)b[2] << 16
         | (size_t)b[3] << 24;
    return 1;
}

static unsigned char *
rdblob(FILE *f, size_t *n)
{
    unsigned char *p;
    if (!rd32(f, n))
        return NULL;
    p = (unsigned char *)malloc(*n + 1);
    if (p == NULL || fread(p, 1, *n, f) != *n)
        abort();
    p[*n] = 0;
    return p;
}

static int
load_vectors(void)
{
    FILE *f = popen("/usr/bin/python3 tests/vectors/inflate/gen.py", "r");
    size_t cap = 0, n;
    unsigned char *s;

    if (f == NULL)
        return 0;
    while ((s = rdblob(f, &n)) != NULL) {
        vec *v;
        int m;
        unsigned char *e;
        if (g_nvec == cap) {
            cap = cap ? cap * 2 : 256;
            g_vecs = (vec *)realloc(g_vecs, cap * sizeof *g_vecs);
            if (g_vecs == NULL)
                abort();
        }
        v = &g_vecs[g_nvec++];
        snprintf(v->name, sizeof v->name, "%s", (char *)s);
        free(s);
        m = fgetc(f);
        v->mode = m;
        e = rdblob(f, &n);
        snprintf(v->expect, sizeof v->expect, "%s", (char *)e);
        free(e);
        v->in = rdblob(f, &v->in_len);
        v->out = rdblob(f, &v->out_len);
        if (m < 0 || v->in == NULL || v->out == NULL)
            abort();
    }
    return pclose(f) == 0 && g_nvec > 0;
}

/* ---- one decoding run --------------------------------------------------- */

static uint32_t
rnd(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

typedef struct result {
    int err;              /* the final result: 0, or the error */
    size_t n;             /* bytes delivered */
    int differs;          /* they are not a prefix of the vector's output */
    uint64_t hash;        /* FNV-1a of the bytes delivered */
    int ends;             /* CS_INFLATE_END events */
    int bad;              /* a broken invariant (reported already) */
} result;

/* Take delivered bytes: checked against the expected output as they
 * come (nothing is stored: big outputs made ASan runs slow). */
static void
put(result *r, const vec *v, const unsigned char *p, size_t k)
{
    size_t i;

    if (r->n + k > v->out_len || memcmp(p, v->out + r->n, k) != 0)
        r->differs = 1;
    for (i = 0; i < k; i++)
        r->hash = (r->hash ^ p[i]) * 0x100000001b3u;
    r->n += k;
}

/* An exact-size window (ASan sees a write past it), one per size, kept:
 * a fresh one per run was most of the time under ASan. */
static unsigned char *
window(size_t cap)
{
    static unsigned char *w[16];
    static size_t wc[16];
    size_t i;

    for (i = 0; i < 16 && w[i] != NULL; i++)
        if (wc[i] == cap)
            return w[i];
    if (i == 16)
        abort();
    w[i] = (unsigned char *)malloc(cap);
    wc[i] = cap;
    if (w[i] == NULL)
        abort();
    return w[i];
}

/* split: 0 whole, 1 one byte at a time, 2 random pieces (seed), 3 two
 * pieces cut at `at`. The input is copied into exact-size heap blocks
 * per piece so that ASan sees any read beyond a piece. */
static result
run(const vec *v, int split, uint32_t seed, size_t at, size_t wcap,
    uint64_t limit)
{
    static cs_inflate z;
    static unsigned char *one;
    unsigned char *win = window(wcap);
    result r;
    size_t off = 0;
    int idle = 0;

    if (one == NULL && (one = (unsigned char *)malloc(1)) == NULL)
        abort();
    memset(&r, 0, sizeof r);
    r.hash = 0xcbf29ce484222325u;
    memset(&z, 0x5a, sizeof z);
    cs_inflate_init(&z, win, wcap, v->mode);
    if (limit)
        cs_inflate_limit(&z, limit);
    for (;;) {
        size_t len = v->in_len - off, used, k;
        unsigned char *piece;
        int ev;
        if (split == 1 && len > 1)
            len = 1;
        else if (split == 2 && len > 1)
            len = rnd(&seed) % (len < 3000 ? len + 1 : 3000);
        else if (split == 3 && off < at)
            len = at - off;
        /* 1-byte pieces reuse one 1-byte block (malloc per byte is
         * most of the time under ASan) */
        piece = len == 1 ? one : (unsigned char *)malloc(len ? len : 1);
        memcpy(piece, v->in + off, len);
        ev = cs_inflate_feed(&z, len ? piece : NULL, len, &used);
        if (piece != one)
            free(piece);
        if (used > len) {
            fprintf(stderr, "  %s: used %zu of %zu\n", v->name, used, len);
            r.bad = 1;
            break;
        }
        off += used;
        if (ev == CS_INFLATE_DATA) {
            const unsigned char *p = cs_inflate_data(&z, &k);
            if (k == 0 || p < win || p + k > win + wcap) {
                fprintf(stderr, "  %s: slice outside the window\n", v->name);
                r.bad = 1;
                break;
            }
            put(&r, v, p, k);
        } else if (ev == CS_INFLATE_END) {
            r.ends++;
        } else if (ev < 0) {
            size_t u2;
            r.err = ev;
            if (cs_inflate_feed(&z, v->in, v->in_len, &u2) != ev
                || cs_inflate_finish(&z) != ev) {
                fprintf(stderr, "  %s: error not sticky\n", v->name);
                r.bad = 1;
            }
            break;
        } else if (ev != 0) {
            fprintf(stderr, "  %s: unknown event %d\n", v->name, ev);
            r.bad = 1;
            break;
        } else if (used != len) {
            fprintf(stderr, "  %s: 0 with input left\n", v->name);
            r.bad = 1;
            break;
        }
        /* progress: bytes consumed or an event, or an empty feed */
        idle = (used == 0 && ev == 0 && len > 0) ? idle + 1 : 0;
        if (idle > 2) {
            fprintf(stderr, "  %s: no progress\n", v->name);
            r.bad = 1;
            break;
        }
        if (ev == 0 && off == v->in_len) {
            r.err = cs_inflate_finish(&z);
            break;
        }
    }
    return r;
}

static const char *
split_name(int split)
{
    static const char *n[] = { "whole", "1-byte", "random", "cut" };
    return n[split];
}

/* The run's result against the vector's. */
static int
check_run(const vec *v, const result *r, int split, size_t wcap)
{
    const char *got = r->err ? cs_errname(r->err) : "OK";
    int ok = !r->bad && strcmp(got, v->expect) == 0
             && r->n == v->out_len && !r->differs;

    if (!ok)
        fprintf(stderr, "  %s (%s, window %zu): got %s with %zu bytes, "
                "want %s with %zu\n", v->name, split_name(split), wcap, got,
                r->n, v->expect, v->out_len);
    return ok;
}

/* ---- tests ---------------------------------------------------------------- */

static void
test_vectors_split(void)
{
    static const size_t caps[] = { 32768, 32769, 40000, 65536, 100003 };
    size_t i, bad = 0, runs = 0;
    uint32_t seed = 12345;

    for (i = 0; i < g_nvec; i++) {
        const vec *v = &g_vecs[i];
        int split, k;
        for (split = 0; split < 3; split++) {
            int reps = split == 2 ? 3 : 1;
            for (k = 0; k < reps; k++) {
                size_t wcap = split == 0 ? 65536
                              : split == 1 ? 32768
                                           : caps[rnd(&seed) % 5];
                result r = run(v, split, rnd(&seed), 0, wcap, 0);
                runs++;
                if (!check_run(v, &r, split, wcap))
                    bad++;
            }
        }
    }
    printf("vectors: %zu streams, %zu runs\n", g_nvec, runs);
    CHECKF(bad == 0, "%zu runs differ", bad);
}

/* Small streams: cut in two at every offset. */
static void
test_vectors_every_offset(void)
{
    size_t i, at, bad = 0, runs = 0;

    for (i = 0; i < g_nvec; i++) {
        const vec *v = &g_vecs[i];
        if (v->in_len > 1500)
            continue;
        for (at = 0; at <= v->in_len; at++) {
            result r = run(v, 3, 1, at, 32768, 0);
            runs++;
            if (!check_run(v, &r, 3, 32768))
                bad++;
        }
    }
    printf("every offset: %zu runs\n", runs);
    CHECKF(bad == 0, "%zu runs differ", bad);
}

/* Every valid stream, whole (the fast loop runs most), in the least
 * window that decodes any stream and one byte more. */
static void
test_exact_window(void)
{
    size_t i, n = 0, bad = 0, cap;

    for (cap = 32768; cap <= 32769; cap++) {
        for (i = 0; i < g_nvec; i++) {
            const vec *v = &g_vecs[i];
            result r;
            if (strcmp(v->expect, "OK") != 0)
                continue;
            r = run(v, 0, 0, 0, cap, 0);
            n++;
            if (!check_run(v, &r, 0, cap))
                bad++;
        }
    }
    CHECKF(bad == 0, "%zu of %zu runs differ", bad, n);
}

/* Streams made with a small window decode in a window that small. */
static void
test_small_window(void)
{
    size_t i, n = 0, bad = 0;

    for (i = 0; i < g_nvec; i++) {
        const vec *v = &g_vecs[i];
        const char *w = strstr(v->name, "-w");
        size_t wcap;
        result r;
        if (w == NULL || strcmp(v->expect, "OK") != 0)
            continue;
        wcap = (size_t)1 << atoi(w + 2);
        r = run(v, 2, (uint32_t)i + 1, 0, wcap, 0);
        n++;
        if (!check_run(v, &r, 2, wcap))
            bad++;
    }
    CHECK(n > 20);
    CHECKF(bad == 0, "%zu of %zu small-window runs differ", bad, n);
}

static const vec *
find(const char *name)
{
    size_t i;
    for (i = 0; i < g_nvec; i++)
        if (strcmp(g_vecs[i].name, name) == 0)
            return &g_vecs[i];
    fprintf(stderr, "  no vector %s\n", name);
    return NULL;
}

/* The far stream needs more than a 32 KiB window only if zlib reached
 * past it; a 4 KiB window must refuse it with CS_E_GZ_DISTANCE. */
static void
test_window_too_small(void)
{
    const vec *v = find("far/gzip6");
    result r;

    if (v == NULL) {
        CHECK(0);
        return;
    }
    r = run(v, 0, 0, 0, 4096, 0);
    CHECK(r.err == CS_E_GZ_DISTANCE);
    CHECK(r.n < v->out_len && !r.differs);
}

/* The output limit: exactly max bytes, then CS_E_GZ_TOO_BIG; per
 * member. */
static void
test_limit(void)
{
    const vec *v = find("text/gzip6"), *m = find("multi-member");
    uint64_t lim;
    int split;

    if (v == NULL || m == NULL) {
        CHECK(0);
        return;
    }
    for (split = 0; split < 3; split++) {
        for (lim = v->out_len - 2; lim <= v->out_len + 1; lim++) {
            result r = run(v, split, 7, 0, 32768, lim);
            if (lim < v->out_len) {
                CHECK(r.err == CS_E_GZ_TOO_BIG);
                CHECK(r.n == lim && !r.differs);
            } else {
                CHECK(r.err == 0 && r.n == v->out_len);
            }
        }
    }
    {
        /* the members are 13, 0 and 117 KB: 13 bytes per member fails
         * only in the third */
        result r = run(m, 0, 0, 0, 65536, 13);
        CHECK(r.err == CS_E_GZ_TOO_BIG && r.n == 26 && r.ends == 2);
        r = run(m, 0, 0, 0, 65536, m->out_len - 13);
        CHECK(r.err == 0 && r.ends == 3);
    }
}

/* Every truncation of small valid streams: an error (and a prefix of the
 * output), except where a gzip stream ends between members. */
static void
test_truncations(void)
{
    size_t i, cut, n = 0, bad = 0;

    for (i = 0; i < g_nvec; i++) {
        vec t = g_vecs[i];
        if (t.in_len > 1200 || strcmp(t.expect, "OK") != 0)
            continue;
        for (cut = 0; cut < g_vecs[i].in_len; cut++) {
            result r;
            int split;
            t.in_len = cut;
            for (split = 0; split < 2; split++) {
                r = run(&t, split, 1, 0, 32768, 0);
                n++;
                if (r.bad || r.differs
                    || (r.err == 0
                        && (t.mode != CS_INFLATE_GZIP || r.ends == 0))) {
                    fprintf(stderr, "  %s cut at %zu: %s, %zu bytes\n",
                            t.name, cut, cs_errname(r.err), r.n);
                    bad++;
                }
            }
        }
    }
    CHECK(n > 1000);
    CHECKF(bad == 0, "%zu of %zu truncations wrong", bad, n);
}

/* Bit flips: whatever the result, whole and 1-byte feeding agree, and
 * nothing hangs or touches memory it should not. */
static void
test_bit_flips(void)
{
    size_t i, n = 0, bad = 0;
    uint32_t seed = 99;

    for (i = 0; i < g_nvec; i++) {
        vec t = g_vecs[i];
        unsigned char *buf;
        size_t k, flips;
        if (t.in_len > 4000 || t.in_len == 0 || strcmp(t.expect, "OK") != 0)
            continue;
        buf = (unsigned char *)malloc(t.in_len);
        flips = t.in_len * 8 < 400 ? t.in_len * 8 : 400;
        for (k = 0; k < flips; k++) {
            size_t bit = flips == t.in_len * 8 ? k
                                               : rnd(&seed) % (t.in_len * 8);
            result a, b;
            memcpy(buf, g_vecs[i].in, t.in_len);
            buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
            t.in = buf;
            a = run(&t, 0, 1, 0, 32768, 0);
            b = run(&t, rnd(&seed) % 2 ? 1 : 2, rnd(&seed), 0, 40000, 0);
            n++;
            if (a.bad || b.bad || a.err != b.err || a.n != b.n
                || a.hash != b.hash
                || (a.err != 0 && (a.err > -120 || a.err < -139))) {
                fprintf(stderr, "  %s bit %zu: %s/%zu vs %s/%zu\n", t.name,
                        bit, cs_errname(a.err), a.n, cs_errname(b.err), b.n);
                bad++;
            }
        }
        free(buf);
    }
    printf("bit flips: %zu streams decoded twice\n", n);
    CHECK(n > 10000);
    CHECKF(bad == 0, "%zu of %zu flipped streams disagree", bad, n);
}

/* Empty inputs are truncated streams in every format. */
static void
test_empty_input(void)
{
    static unsigned char win[32768];
    cs_inflate z;
    int m;
    size_t used;

    for (m = 0; m <= 2; m++) {
        cs_inflate_init(&z, win, sizeof win, m);
        CHECK(cs_inflate_feed(&z, NULL, 0, &used) == 0 && used == 0);
        CHECK(cs_inflate_finish(&z) == CS_E_GZ_TRUNCATED);
        CHECK(cs_inflate_finish(&z) == CS_E_GZ_TRUNCATED);
    }
}

/* A bitwise CRC-32, for comparison. */
static uint32_t
crc_ref(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    size_t i;
    int k;
    for (i = 0; i < n; i++) {
        c ^= p[i];
        for (k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return ~c;
}

static void
test_crc32(void)
{
    unsigned char buf[1000];
    uint32_t seed = 5;
    size_t i, n;

    CHECK(cs_crc32(0, "123456789", 9) == 0xcbf43926u);
    CHECK(cs_crc32(0, "", 0) == 0);
    for (i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)rnd(&seed);
    for (n = 0; n <= sizeof buf; n += n < 40 ? 1 : 37) {
        size_t cut = n ? rnd(&seed) % n : 0;
        uint32_t whole = cs_crc32(0, buf, n);
        CHECKF(whole == crc_ref(buf, n), "length %zu", n);
        CHECK(cs_crc32(cs_crc32(0, buf, cut), buf + cut, n - cut) == whole);
        CHECK(cs_crc32(0, buf + 1, n ? n - 1 : 0)
              == crc_ref(buf + 1, n ? n - 1 : 0));
    }
}

static void
test_sizes(void)
{
    printf("sizeof(cs_inflate) = %zu\n", sizeof(cs_inflate));
    CHECK(sizeof(cs_inflate) < 8192);
}

int
main(void)
{
#ifdef TEST_INFLATE_QUICK /* tests/test_inflate_small.c: the CRC paths */
    const int quick = 1;
#else
    const int quick = 0;
#endif
    if (!load_vectors()) {
        fprintf(stderr, "test_inflate: tests/vectors/inflate/gen.py failed "
                "(run from the repository root, with /usr/bin/python3)\n");
        return 1;
    }
    TEST(test_sizes);
    TEST(test_crc32);
    TEST(test_empty_input);
    TEST(test_vectors_split);
    TEST(test_exact_window);
    if (!quick) {
        TEST(test_vectors_every_offset);
        TEST(test_small_window);
        TEST(test_window_too_small);
        TEST(test_limit);
        TEST(test_truncations);
        TEST(test_bit_flips);
    }
    return TEST_SUMMARY();
}
#endif /* CS_HAS_CT */
