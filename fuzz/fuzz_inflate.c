/* fuzz_inflate.c - libFuzzer target for the gzip / zlib / DEFLATE decoder
 * (cs_inflate_*).
 *
 * Input layout: 4 control bytes, then the compressed stream (at most
 * 1 MiB).
 *   [0]    chunking, as in fuzz_ws.c. Bits 0-1: 0 one feed, 1 fixed
 *          chunks of ((byte >> 2) + 1) bytes, 2 one byte at a time,
 *          3 pseudo-random split points (some feeds empty).
 *   [1]    bits 0-1: the format (0 raw, 1 zlib, 2 gzip, 3 gzip);
 *          bits 2-3: the chunked run's window (32768, 32769, 40000,
 *          65536 bytes; the whole run always has 65536); bit 4: an output
 *          limit of (byte [2] + 1) * 64 bytes on both runs.
 *   [2..3] seed for the random splits.
 *
 * Checks; any failure prints what differed and calls abort():
 *   1. The stream fed whole (A) against a fresh decoder fed in the chosen
 *      chunks with another window size (B): the same bytes delivered, the
 *      same CS_INFLATE_END count, the same final result (the error, or
 *      cs_inflate_finish()).
 *   2. Invariants of every call: *used <= len; a return of 0 used the
 *      whole input; a CS_INFLATE_DATA slice is non-empty and inside the
 *      window; an error is a CS_E_GZ_* code and sticky (feed and finish
 *      return it again); no endless run of calls that consume nothing;
 *      with a limit, no member delivers more than it.
 *   3. With -DFZ_ZLIB (fuzz/run.sh sets it when zlib.h is installed, and
 *      links -lz): zlib's inflate on the same stream (gzip members one
 *      after another, as gzip -d does): when zlib decodes the whole
 *      input, A must succeed with the same bytes; when zlib fails or
 *      stops short, A must fail; and the bytes both delivered agree.
 *   4. Also with FZ_ZLIB: the stream read as plain data (repeated up to
 *      40 times when the seed says so), compressed by zlib's deflate at
 *      a level, strategy and wrapper from the control bytes, decodes to
 *      itself in the chosen chunks and window.
 * Every chunk fed sits in an exact-size malloc() block (ASan catches a
 * read just outside) and is overwritten after use, so a decoder that kept
 * a pointer into it diverges. The decoder is filled with junk before
 * cs_inflate_init(). Build: -I<repo root>.
 */
#ifndef CERTSTREAM_NO_TLS
#define CERTSTREAM_NO_TLS
#endif
#define CERTSTREAM_IMPLEMENTATION
#include "certstream.h" /* build with -I<repo root> */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef FZ_ZLIB
#include <zlib.h>
#endif

#define FZ_HDR 4
#define FZ_MAX_IN ((size_t)1 << 20)
#define FZ_MAX_OUT ((size_t)16 << 20) /* a bomb stops here (both runs) */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fz_fail(const char *fmt, ...)
{
    va_list ap;

    fputs("fuzz_inflate: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

static uint32_t
fz_rand(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

typedef struct fz_out {
    unsigned char *p;
    size_t n, cap;
    int err;        /* final: 0 or the error */
    int ends;
} fz_out;

static void
fz_put(fz_out *o, const unsigned char *s, size_t k)
{
    if (k == 0)
        return;
    if (o->cap - o->n < k) {
        size_t nc = o->cap ? o->cap : 4096;
        unsigned char *np;
        while (nc - o->n < k)
            nc *= 2;
        np = (unsigned char *)realloc(o->p, nc);
        if (np == NULL)
            abort();
        o->p = np;
        o->cap = nc;
    }
    memcpy(o->p + o->n, s, k);
    o->n += k;
}

/* Decode s[0..n) fed in chunks by mode ctl (see above) with a window of
 * wcap bytes. */
static void
fz_run(fz_out *o, const unsigned char *s, size_t n, int mode, unsigned ctl,
       uint32_t seed, size_t wcap, uint64_t limit)
{
    static cs_inflate z;
    unsigned char *win = (unsigned char *)malloc(wcap);
    size_t off = 0, member = 0;
    int idle = 0;

    memset(o, 0, sizeof *o);
    memset(&z, 0xa5, sizeof z);
    cs_inflate_init(&z, win, wcap, mode);
    if (limit)
        cs_inflate_limit(&z, limit);
    for (;;) {
        size_t len = n - off, used = 0, k;
        unsigned char *c;
        int ev;

        switch (ctl & 3) {
        case 1:
            if (len > (ctl >> 2) + 1)
                len = (ctl >> 2) + 1;
            break;
        case 2:
            if (len > 1)
                len = 1;
            break;
        case 3:
            len = len ? fz_rand(&seed) % (len + 1) : 0;
            break;
        }
        c = (unsigned char *)malloc(len ? len : 1);
        memcpy(c, s + off, len);
        ev = cs_inflate_feed(&z, len ? c : NULL, len, &used);
        memset(c, 0xee, len);
        free(c);
        if (used > len)
            fz_fail("used %zu of %zu", used, len);
        off += used;
        if (ev == CS_INFLATE_DATA) {
            const unsigned char *p = cs_inflate_data(&z, &k);
            if (k == 0 || p < win || k > wcap || p + k > win + wcap)
                fz_fail("slice of %zu bytes outside the window", k);
            fz_put(o, p, k);
            member += k;
            if (limit && member > limit)
                fz_fail("member of %zu bytes over the limit %llu", member,
                        (unsigned long long)limit);
            if (o->n > FZ_MAX_OUT) {
                o->err = 1; /* not an error of the decoder: stop both */
                break;
            }
        } else if (ev == CS_INFLATE_END) {
            o->ends++;
            member = 0;
        } else if (ev < 0) {
            size_t u;
            if (ev > -120 || ev < -139)
                fz_fail("feed returned %d: not a CS_E_GZ_* code", ev);
            if (cs_inflate_feed(&z, s, n, &u) != ev || u != 0
                || cs_inflate_finish(&z) != ev)
                fz_fail("%s is not sticky", cs_errname(ev));
            o->err = ev;
            break;
        } else if (ev != 0) {
            fz_fail("unknown event %d", ev);
        } else if (used != len) {
            fz_fail("0 returned with %zu of %zu bytes used", used, len);
        }
        idle = used == 0 && ev == 0 ? idle + 1 : 0;
        if (idle > 64)
            fz_fail("no progress");
        if (ev == 0 && off == n) {
            o->err = cs_inflate_finish(&z);
            if (o->err != 0 && o->err != CS_E_GZ_TRUNCATED
                && o->err != CS_E_GZ_TRAILING)
                fz_fail("finish returned %s", cs_errname(o->err));
            break;
        }
    }
    free(win);
}

#ifdef FZ_ZLIB
/* Round trip: s[0..n) as plain data, compressed by zlib's deflate (level,
 * strategy and wrapper from opt and seed; the data repeated when the
 * seed says so, for long matches and window wraps), must decode to
 * itself, fed in chunks by ctl with the chosen window. */
static void
fz_roundtrip(const unsigned char *s, size_t n, unsigned ctl, unsigned opt,
             uint32_t seed, size_t wcap)
{
    static const int strat[4] = { Z_DEFAULT_STRATEGY, Z_FILTERED, Z_RLE,
                                  Z_FIXED };
    int mode = (opt & 3) == 3 ? CS_INFLATE_GZIP : (int)(opt & 3);
    int wbits = mode == 0 ? -15 : mode == 1 ? 15 : 31;
    size_t reps = seed & 64 ? 1 + (seed >> 8) % 40 : 1, i, cap;
    unsigned char *plain, *comp;
    z_stream zs;
    fz_out o;

    plain = (unsigned char *)malloc(n * reps + 1);
    for (i = 0; i < reps; i++) {
        memcpy(plain + i * n, s, n);
        if (i > 0 && n > 0)
            plain[i * n + (seed + i) % n] ^= (unsigned char)i; /* variety */
    }
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, (int)(seed % 10), Z_DEFLATED, wbits, 8,
                     strat[seed >> 4 & 3]) != Z_OK)
        abort();
    cap = deflateBound(&zs, (uLong)(n * reps)) + 64;
    comp = (unsigned char *)malloc(cap);
    zs.next_in = plain;
    zs.avail_in = (uInt)(n * reps);
    zs.next_out = comp;
    zs.avail_out = (uInt)cap;
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
        abort();
    fz_run(&o, comp, cap - zs.avail_out, mode, ctl, seed, wcap, 0);
    if (o.err != 0 || o.ends != 1 || o.n != n * reps
        || (o.n > 0 && memcmp(o.p, plain, o.n) != 0))
        fz_fail("round trip of %zu bytes (level %u, mode %d, window %zu): "
                "%s, %zu bytes", n * reps, (unsigned)(seed % 10), mode, wcap,
                cs_errname(o.err), o.n);
    deflateEnd(&zs);
    free(o.p);
    free(comp);
    free(plain);
}

/* zlib's verdict: 1 when the whole input decoded (gzip: any number of
 * members), 0 otherwise; the bytes in o. */
static int
fz_zlib(fz_out *o, const unsigned char *s, size_t n, int mode)
{
    static unsigned char buf[65536];
    z_stream zs;
    int r = Z_OK, ok = 0;
    int wbits = mode == 0 ? -15 : mode == 1 ? 15 : 31;

    memset(o, 0, sizeof *o);
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, wbits) != Z_OK)
        abort();
    zs.next_in = (unsigned char *)(uintptr_t)s;
    zs.avail_in = (uInt)n;
    for (;;) {
        zs.next_out = buf;
        zs.avail_out = sizeof buf;
        r = inflate(&zs, Z_NO_FLUSH);
        fz_put(o, buf, sizeof buf - zs.avail_out);
        if (o->n > FZ_MAX_OUT)
            break;
        if (r == Z_STREAM_END) {
            if (zs.avail_in == 0) {
                ok = 1;
                break;
            }
            if (mode < 2)
                break;          /* trailing data */
            inflateReset(&zs);  /* the next gzip member */
            continue;
        }
        if (r != Z_OK && !(r == Z_BUF_ERROR && zs.avail_out == 0))
            break;              /* an error, or the input ran out */
    }
    inflateEnd(&zs);
    return ok;
}
#endif

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t caps[4] = { 32768, 32769, 40000, 65536 };
    const unsigned char *s = data + FZ_HDR;
    size_t n;
    unsigned ctl, opt;
    uint32_t seed;
    int mode;
    uint64_t limit;
    fz_out a, b;

    if (size < FZ_HDR || size - FZ_HDR > FZ_MAX_IN)
        return 0;
    n = size - FZ_HDR;
    ctl = data[0];
    opt = data[1];
    seed = ((uint32_t)data[2] << 8 | data[3]) + 1;
    mode = (opt & 3) == 3 ? CS_INFLATE_GZIP : (int)(opt & 3);
    limit = opt & 16 ? ((uint64_t)data[2] + 1) * 64 : 0;

    fz_run(&a, s, n, mode, 0, seed, 65536, limit);
    fz_run(&b, s, n, mode, ctl, seed, caps[opt >> 2 & 3], limit);
    if (a.err != b.err || a.ends != b.ends || a.n != b.n
        || (a.n > 0 && memcmp(a.p, b.p, a.n) != 0))
        fz_fail("whole: %s, %d ends, %zu bytes; chunked (ctl %u, window "
                "%zu): %s, %d ends, %zu bytes", cs_errname(a.err), a.ends,
                a.n, ctl, caps[opt >> 2 & 3], cs_errname(b.err), b.ends, b.n);
#ifdef FZ_ZLIB
    fz_roundtrip(s, n, ctl, opt, seed, caps[opt >> 2 & 3]);
    if (limit == 0 && a.err != 1) {
        fz_out r;
        int ok = fz_zlib(&r, s, n, mode);
        size_t k = a.n < r.n ? a.n : r.n;
        if (r.n <= FZ_MAX_OUT) {
            if (ok && (a.err != 0 || a.n != r.n))
                fz_fail("zlib decodes %zu bytes; cs_inflate: %s after %zu",
                        r.n, cs_errname(a.err), a.n);
            if (!ok && a.err == 0)
                fz_fail("zlib fails after %zu bytes; cs_inflate decodes "
                        "%zu", r.n, a.n);
            if (k > 0 && memcmp(a.p, r.p, k) != 0)
                fz_fail("the bytes differ from zlib's");
        }
        free(r.p);
    }
#endif
    free(a.p);
    free(b.p);
    return 0;
}
