/* fuzz_jtok.c - libFuzzer target for the JSON tokenizer (cs_jtok_*).
 *
 * Input layout: 2 control bytes, then the JSON text (at most 1 MiB).
 *   [0]    chunking, as in fuzz_json.c. Bits 0-1: 0 one feed, 1 fixed
 *          chunks of ((byte >> 2) + 1) bytes, 2 one byte at a time,
 *          3 pseudo-random split points (some feeds empty).
 *   [1]    seed for the random splits.
 *
 * Checks; any failure prints what differed and calls abort():
 *   1. The text fed whole (A: one feed loop, resubmitting the rest after
 *      every token) against a fresh tokenizer fed in the chosen chunks
 *      (B): the same tokens and depths, keys (and their cut flag), string
 *      values (pieces joined), number texts and cs_jtok_u64() results,
 *      the same end (CS_JT_DONE, or the same error at the same offset).
 *   2. The verdict against the extractor's on the same bytes
 *      (cs_json_parse: 0 or CS_E_JSON_NOT_OBJECT is valid JSON): both
 *      accept or both reject; when both reject, the same code at the same
 *      offset. (Both nest to 64 by default; a text that hits either
 *      limit is not compared.)
 *   3. Invariants of every call: *used <= len; a return of 0 used the
 *      whole input; a CS_JT_STR piece is non-empty, whole UTF-8
 *      characters, and lies inside the bytes consumed by that call or
 *      the tokenizer's buffer; depths match the tokens; keys NUL-ended;
 *      errors sticky; no endless run of calls that consume nothing.
 * Every chunk fed sits in an exact-size malloc() block (ASan catches a
 * read just outside) and is overwritten after use.
 * Build: -I<repo root>.
 */
#ifndef CERTSTREAM_NO_TLS
#define CERTSTREAM_NO_TLS
#endif
#define CERTSTREAM_IMPLEMENTATION
#include "certstream.h" /* build with -I<repo root> */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_HDR 2
#define FZ_MAX_IN ((size_t)1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz_out {
    unsigned char *p;
    size_t len, cap;
} fz_out;

static void
fz_put(fz_out *o, const void *s, size_t n)
{
    if (o->len + n > o->cap) {
        o->cap = (o->len + n) * 2 + 64;
        o->p = (unsigned char *)realloc(o->p, o->cap);
        if (o->p == NULL)
            abort();
    }
    if (n > 0)
        memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void
fz_fail(const char *what)
{
    fprintf(stderr, "fuzz_jtok: %s\n", what);
    abort();
}

/* The state of one run: the token record and the open string. */
typedef struct fz_run {
    cs_jtok t;
    fz_out rec, str;
    int depth, in_str, end;
    uint64_t end_off;
} fz_run;

/* Record token r; check the invariants (chunk: the bytes of this call). */
static void
fz_token(fz_run *z, int r, const unsigned char *c, size_t used)
{
    unsigned char hd[2];
    size_t n;
    int d = cs_jtok_depth(&z->t);

    if (z->in_str && r != CS_JT_STR && r != CS_JT_STR_END)
        fz_fail("a token inside a string");
    hd[0] = (unsigned char)r;
    hd[1] = (unsigned char)d;
    switch (r) {
    case CS_JT_OBJ: case CS_JT_ARR:
        if (d != z->depth++)
            fz_fail("depth of an opener");
        break;
    case CS_JT_OBJ_END: case CS_JT_ARR_END:
        if (d != --z->depth)
            fz_fail("depth of a closer");
        break;
    case CS_JT_KEY: {
        int tr;
        const char *k = cs_jtok_key(&z->t, &n, &tr);
        if (d != z->depth || n > CS_JTOK_KEY_MAX || k[n] != '\0')
            fz_fail("key");
        fz_put(&z->rec, hd, 2);
        fz_put(&z->rec, &n, sizeof n);
        fz_put(&z->rec, k, n);
        fz_put(&z->rec, &tr, sizeof tr);
        return;
    }
    case CS_JT_STR: {
        const unsigned char *pc = cs_jtok_piece(&z->t, &n);
        cs__utf8 u = {0, 0x80, 0xbf};
        if (n == 0 || cs__utf8_scan(&u, pc, n) != n || u.need != 0)
            fz_fail("piece not whole UTF-8");
        if (!((pc >= c && pc + n <= c + used)
              || (pc >= z->t.buf && pc + n <= z->t.buf + CS_JTOK_BUF)))
            fz_fail("piece outside the input and the buffer");
        if (d != z->depth)
            fz_fail("depth of a piece");
        z->in_str = 1;
        fz_put(&z->str, pc, n);
        return;
    }
    case CS_JT_STR_END:
        if (d != z->depth)
            fz_fail("depth of a string");
        fz_put(&z->rec, hd, 2);
        fz_put(&z->rec, &z->str.len, sizeof z->str.len);
        fz_put(&z->rec, z->str.p, z->str.len);
        z->str.len = 0;
        z->in_str = 0;
        return;
    case CS_JT_NUM: {
        uint64_t v = 0;
        int ur = cs_jtok_u64(&z->t, &v);
        const char *s = cs_jtok_num(&z->t, &n);
        if (d != z->depth || (n <= CS_JTOK_NUM_MAX && strlen(s) != n))
            fz_fail("number");
        fz_put(&z->rec, hd, 2);
        fz_put(&z->rec, s, strlen(s));
        fz_put(&z->rec, &ur, sizeof ur);
        fz_put(&z->rec, &v, sizeof v);
        return;
    }
    case CS_JT_TRUE: case CS_JT_FALSE: case CS_JT_NULL:
        if (d != z->depth)
            fz_fail("depth of a literal");
        break;
    default:
        fz_fail("unknown token");
    }
    fz_put(&z->rec, hd, 2);
}

/* Feed one chunk (copied to an exact-size block), all of it unless an
 * error stops the run. */
static void
fz_feed(fz_run *z, const unsigned char *s, size_t len)
{
    unsigned char *c;
    size_t at = 0, stuck = 0;

    if (z->end != 0)
        return;
    c = (unsigned char *)malloc(len ? len : 1);
    if (len > 0)
        memcpy(c, s, len);
    do {
        size_t used = (size_t)-1;
        int r = cs_jtok_feed(&z->t, c + at, len - at, &used);
        if (used > len - at || (r == 0 && used != len - at))
            fz_fail("*used");
        at += used;
        if (r < 0) {
            size_t u2 = 7;
            if (cs_jtok_feed(&z->t, c, len, &u2) != r || u2 != 0
                || cs_jtok_end(&z->t) != r)
                fz_fail("error not sticky");
            z->end = r;
            z->end_off = cs_jtok_offset(&z->t);
            break;
        }
        if (r > 0)
            fz_token(z, r, c + at - used, used);
        stuck = used == 0 ? stuck + 1 : 0;
        if (stuck > 2)
            fz_fail("no progress");
    } while (at < len);
    memset(c, 0xAA, len);
    free(c);
}

static void
fz_finish(fz_run *z)
{
    int r;
    if (z->end != 0)
        return;
    r = cs_jtok_end(&z->t);
    if (r == CS_JT_NUM) {
        fz_token(z, r, NULL, 0);
        r = cs_jtok_end(&z->t);
    }
    if (r != CS_JT_DONE && r >= 0)
        fz_fail("end");
    if (r == CS_JT_DONE && (z->depth != 0 || cs_jtok_end(&z->t) != r))
        fz_fail("done");
    z->end = r;
    z->end_off = cs_jtok_offset(&z->t);
}

static void
fz_init(fz_run *z)
{
    memset(z, 0x5c, sizeof *z);
    cs_jtok_init(&z->t);
    memset(&z->rec, 0, sizeof z->rec);
    memset(&z->str, 0, sizeof z->str);
    z->depth = z->in_str = z->end = 0;
    z->end_off = 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fz_run a, b;
    static cs_json j;
    const unsigned char *in;
    size_t len, pos = 0;
    unsigned mode, seed;
    int xr;

    if (size < FZ_HDR || size - FZ_HDR > FZ_MAX_IN)
        return 0;
    mode = data[0];
    seed = data[1] * 2654435761u + 1;
    in = data + FZ_HDR;
    len = size - FZ_HDR;

    /* A: whole */
    fz_init(&a);
    fz_feed(&a, in, len);
    fz_finish(&a);
    /* B: in chunks */
    fz_init(&b);
    while (pos < len && b.end == 0) {
        size_t n;
        switch (mode & 3) {
        case 0: n = len - pos; break;
        case 1: n = (mode >> 2) + 1; break;
        case 2: n = 1; break;
        default:
            seed = seed * 1103515245u + 12345u;
            n = (seed >> 16) % 64;
            break;
        }
        if (n > len - pos)
            n = len - pos;
        fz_feed(&b, in + pos, n);
        pos += n;
    }
    fz_finish(&b);
    if (a.end != b.end || a.end_off != b.end_off || a.rec.len != b.rec.len
        || (a.rec.len > 0 && memcmp(a.rec.p, b.rec.p, a.rec.len) != 0)) {
        fprintf(stderr, "whole: end %d @%lu, %lu record bytes; chunked: "
                "end %d @%lu, %lu\n", a.end, (unsigned long)a.end_off,
                (unsigned long)a.rec.len, b.end, (unsigned long)b.end_off,
                (unsigned long)b.rec.len);
        fz_fail("whole and chunked runs differ");
    }

    /* the extractor's verdict */
    cs_json_init(&j, NULL, 0);
    xr = cs_json_parse(&j, in, len);
    if (xr != CS_E_JSON_DEPTH && a.end != CS_E_JSON_DEPTH) {
        int xok = xr == 0 || xr == CS_E_JSON_NOT_OBJECT;
        if (xok != (a.end == CS_JT_DONE)) {
            fprintf(stderr, "extractor %d @%lu, tokenizer %d @%lu\n", xr,
                    (unsigned long)cs_json_error_offset(&j), a.end,
                    (unsigned long)a.end_off);
            fz_fail("verdicts differ");
        }
        if (!xok && (xr != a.end || cs_json_error_offset(&j) != a.end_off)) {
            fprintf(stderr, "extractor %d @%lu, tokenizer %d @%lu\n", xr,
                    (unsigned long)cs_json_error_offset(&j), a.end,
                    (unsigned long)a.end_off);
#ifndef FZ_LAX_ERRORS
            fz_fail("errors differ");
#endif
        }
    }
    free(a.rec.p);
    free(a.str.p);
    free(b.rec.p);
    free(b.str.p);
    return 0;
}
