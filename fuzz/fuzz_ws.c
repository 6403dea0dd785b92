/* fuzz_ws.c - libFuzzer target for the websocket frame decoder (cs_ws_*).
 *
 * Input layout: 4 control bytes, then the server's byte stream (at most
 * 1 MiB).
 *   [0]    chunking, as in fuzz_json.c. Bits 0-1: 0 one feed, 1 fixed
 *          chunks of ((byte >> 2) + 1) bytes, 2 one byte at a time,
 *          3 pseudo-random split points (some feeds empty).
 *   [1]    max_message, see fz_max(): 0 passes 0 (the default,
 *          CS_WS_MAX_MESSAGE), 1..239 that many bytes, then larger steps
 *          up to UINT64_MAX.
 *   [2..3] seed for the random splits and the encoder round trip.
 *
 * Checks; any failure prints what differed and calls abort():
 *   1. The stream fed whole (A: one feed loop, resubmitting the rest after
 *      every event) against a fresh decoder fed in the chosen chunks (B):
 *      the same events (data concatenated per message, ping/pong/close
 *      payloads, close status, where control frames fall inside a
 *      message), the same error and cs_ws_offset(). Before an error the
 *      open message's data may differ in length (a failing slice is not
 *      delivered, and slices end where chunks end) but one must be a
 *      prefix of the other.
 *   2. A against a reference decoder written here from the contract and
 *      RFC 6455 (fz_ref_run()): the same completed events; where the stream
 *      breaks a rule, an error from the set of codes that the rule allows
 *      (a frame breaking several rules may report any of them), at the
 *      offset of the byte that caused it (fz_ref_header() and the close
 *      and UTF-8 cases say which byte that is); no error for a valid
 *      stream.
 *   3. Invariants of every call: *used <= len; a return of 0 used the
 *      whole input; a CS_WS_DATA slice lies inside the bytes consumed by
 *      that call; cs_ws_offset() equals the bytes consumed; delivered text
 *      is valid UTF-8 so far (own validator) and complete at CS_WS_END;
 *      no message exceeds max_message; ping/pong payloads <= 125 bytes;
 *      close status valid (cs_ws_status_valid) or 1005 with no reason, the
 *      reason valid UTF-8 of at most 123 bytes; nothing but
 *      CS_E_WS_AFTER_CLOSE after CS_WS_CLOSE; errors sticky (same code and
 *      offset for any later call); no endless run of calls that consume
 *      nothing; cs_ws_fail_status() of each error.
 *   4. Encoder round trip: a payload cut from the input, framed by
 *      cs_ws_frame() (text, binary, ping, pong; sometimes > 64 KiB) and a
 *      close by cs_ws_close_frame() (status and reason from the input):
 *      the exact size (0 when cap is one byte short, or for a control
 *      payload > 125 / a status that cs_ws_status_valid() refuses), FIN,
 *      opcode, mask
 *      bit, shortest length form, the key; unmasked, the frame decodes to
 *      the same payload (text that is not UTF-8: CS_E_WS_UTF8).
 *      cs_ws_status_valid() against its documented ranges.
 * The stream and every chunk fed sit in exact-size malloc() blocks (ASan
 * catches a read just outside); a chunk is overwritten after use, so a
 * decoder that kept a pointer into it diverges. The decoder struct is
 * filled with junk before cs_ws_init().
 * Build: -I<repo root>. FZ_NO_REF leaves out check 2; FZ_LAX_OFFSETS
 * accepts an error offset anywhere from the failing frame's start on (to
 * fuzz past a known offset bug, see tests/regress/ws/).
 */
/* ws:// only: no BearSSL to link (the frames, handshake and URLs are the
 * same code either way) */
#ifndef CERTSTREAM_NO_TLS
#define CERTSTREAM_NO_TLS
#endif
#define CERTSTREAM_IMPLEMENTATION
#include "certstream.h" /* build with -I<repo root> */
#define FZ_NAME "fuzz_ws"
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_HDR 4
#define FZ_MAX_IN ((size_t)1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Control byte [1] to max_message: dense where small messages hit it. */
static uint64_t
fz_max(unsigned v)
{
    static const uint64_t big[16] = {
        240, 256, 1000, 4096, 65535, 65536, 65537, 1u << 20,
        (uint64_t)1 << 31, (uint64_t)1 << 32, ((uint64_t)1 << 32) + 1,
        ((uint64_t)1 << 62), ((uint64_t)1 << 63) - 1, (uint64_t)1 << 63,
        ~(uint64_t)0 - 1, ~(uint64_t)0
    };
    if (v < 240)
        return v;
    return big[v - 240];
}

/* ---- growable byte buffers --------------------------------------------- */

typedef struct fz_buf {
    unsigned char *p;
    size_t n, cap;
} fz_buf;

static void
fz_put(fz_buf *b, const void *s, size_t k)
{
    if (k == 0)
        return;
    if (b->cap - b->n < k) {
        size_t nc = b->cap ? b->cap : 256;
        unsigned char *np;
        while (nc - b->n < k)
            nc *= 2;
        np = (unsigned char *)realloc(b->p, nc);
        if (np == NULL)
            abort();
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, s, k);
    b->n += k;
}

static void
fz_put1(fz_buf *b, unsigned v)
{
    unsigned char c = (unsigned char)v;
    fz_put(b, &c, 1);
}

static void
fz_put64(fz_buf *b, uint64_t v)
{
    unsigned char x[8];
    int i;
    for (i = 0; i < 8; i++)
        x[i] = (unsigned char)(v >> (56 - 8 * i));
    fz_put(b, x, 8);
}

static int
fz_buf_eq(const fz_buf *a, const fz_buf *b)
{
    return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0);
}

/* a is a prefix of b, or b of a */
static int
fz_buf_prefix(const fz_buf *a, const fz_buf *b)
{
    size_t k = a->n < b->n ? a->n : b->n;
    return k == 0 || memcmp(a->p, b->p, k) == 0;
}

/* ---- UTF-8 (RFC 3629), incremental ------------------------------------- */

typedef struct fz_u8 {
    unsigned need, lo, hi;
} fz_u8;

/* Push one byte: 1 when it starts or continues a valid sequence, else 0
 * (the state is then unchanged). */
static int
fz_u8_byte(fz_u8 *u, unsigned c)
{
    if (u->need > 0) {
        if (c < u->lo || c > u->hi)
            return 0;
        u->need--;
        u->lo = 0x80;
        u->hi = 0xbf;
        return 1;
    }
    u->lo = 0x80;
    u->hi = 0xbf;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        u->need = 1;
    else if (c >= 0xe0 && c <= 0xef)
        u->need = 2;
    else if (c >= 0xf0 && c <= 0xf4)
        u->need = 3;
    else
        return 0;
    if (c == 0xe0)
        u->lo = 0xa0;
    else if (c == 0xed)
        u->hi = 0x9f;
    else if (c == 0xf0)
        u->lo = 0x90;
    else if (c == 0xf4)
        u->hi = 0x8f;
    return 1;
}

/* Index of the first byte of s[0..n) that cannot start or continue a
 * sequence, or n. */
static size_t
fz_u8_scan(fz_u8 *u, const unsigned char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!fz_u8_byte(u, s[i]))
            return i;
    return n;
}

static int
fz_utf8_ok(const unsigned char *s, size_t n)
{
    fz_u8 u = {0, 0x80, 0xbf};
    return fz_u8_scan(&u, s, n) == n && u.need == 0;
}

/* The longest prefix of s[0..n) (valid UTF-8) of at most max bytes that
 * ends at a character boundary. */
static size_t
fz_utf8_cut(const unsigned char *s, size_t n, size_t max)
{
    size_t k;
    if (n <= max)
        return n;
    k = max;
    while (k > 0 && (s[k] & 0xc0) == 0x80)
        k--;
    return k;
}

/* RFC 6455 7.4: the close codes that may appear on the wire. */
static int
fz_status_ok(unsigned s)
{
    return (s >= 1000 && s <= 1003) || (s >= 1007 && s <= 1014)
           || (s >= 3000 && s <= 4999);
}

/* ---- the event record --------------------------------------------------- */

/* Completed events, canonical: data slices are concatenated per message
 * (their count depends on the chunking), empty slices vanish.
 *   END:        'E' opcode u64:len data
 *   PING/PONG:  'P'/'O' u64:open u8:len payload  (open: data bytes of the
 *               open message before it)
 *   CLOSE:      'C' u64:open u8:status-hi u8:status-lo u8:len reason
 */
typedef struct fz_rec {
    fz_buf log;
    fz_buf open;      /* data of the open message so far */
    int open_op;      /* its opcode once a slice arrived, else 0 */
    int err;          /* the error, 0 if none */
    uint64_t off;     /* cs_ws_offset() at the error / at the end */
    int closed;       /* CS_WS_CLOSE arrived */
} fz_rec;

static void
fz_rec_free(fz_rec *r)
{
    free(r->log.p);
    free(r->open.p);
}

static const char *
fz_evname(int ev)
{
    switch (ev) {
    case CS_WS_DATA: return "DATA";
    case CS_WS_END: return "END";
    case CS_WS_PING: return "PING";
    case CS_WS_PONG: return "PONG";
    case CS_WS_CLOSE: return "CLOSE";
    default: return ev == 0 ? "0" : cs_errname(ev);
    }
}

/* Print a record's log in readable form (for a failure report). */
static void
fz_dump(const char *name, const fz_buf *log, const fz_buf *open)
{
    size_t i = 0;
    int shown = 0;

    fprintf(stderr, "  %s:", name);
    while (i < log->n && shown < 24) {
        unsigned t = log->p[i];
        uint64_t v = 0;
        size_t k;
        int j;
        for (j = 0; j < 8 && i + 1 + (size_t)j < log->n; j++)
            v = v << 8 | log->p[i + 1 + (size_t)j];
        if (t == 'E') {
            uint64_t len = 0;
            for (j = 0; j < 8; j++)
                len = len << 8 | log->p[i + 2 + (size_t)j];
            fprintf(stderr, " END(op %u, %llu bytes)", log->p[i + 1],
                    (unsigned long long)len);
            i += 10 + (size_t)len;
        } else if (t == 'P' || t == 'O') {
            k = log->p[i + 9];
            fprintf(stderr, " %s(at %llu, %zu bytes)",
                    t == 'P' ? "PING" : "PONG", (unsigned long long)v, k);
            i += 10 + k;
        } else {
            k = log->p[i + 11];
            fprintf(stderr, " CLOSE(at %llu, %u, %zu bytes)",
                    (unsigned long long)v,
                    (unsigned)log->p[i + 9] << 8 | log->p[i + 10], k);
            i += 12 + k;
        }
        shown++;
    }
    if (i < log->n)
        fprintf(stderr, " ...");
    fprintf(stderr, " | open %zu bytes\n", open->n);
}

/* ---- driving the decoder ------------------------------------------------ */

typedef struct fz_run {
    cs_ws ws;
    uint64_t max;         /* the effective limit */
    uint64_t consumed;    /* sum of *used before the error */
    fz_u8 u8;             /* over the delivered text of the open message */
    fz_rec rec;
} fz_run;

static void
fz_run_init(fz_run *r, uint64_t max_message)
{
    memset(r, 0, sizeof *r);
    /* cs_ws_init() must set every field it reads */
    memset(&r->ws, 0xa5, sizeof r->ws);
    cs_ws_init(&r->ws, max_message);
    r->max = max_message ? max_message : CS_WS_MAX_MESSAGE;
    r->u8.lo = 0x80;
    r->u8.hi = 0xbf;
}

/* An error came back: check it and record it. */
static void
fz_on_error(fz_run *r, int ev, size_t len)
{
    uint64_t off = cs_ws_offset(&r->ws);
    int fs;

    if (ev < CS_E_WS_AFTER_CLOSE || ev > CS_E_WS_RSV)
        fz_fail("cs_ws_feed() returned %d (%s): no decoder error", ev,
                cs_errname(ev));
    if (r->rec.closed && ev != CS_E_WS_AFTER_CLOSE)
        fz_fail("%s after CS_WS_CLOSE (expected CS_E_WS_AFTER_CLOSE)",
                cs_errname(ev));
    if (ev == CS_E_WS_AFTER_CLOSE && !r->rec.closed)
        fz_fail("CS_E_WS_AFTER_CLOSE without a close frame");
    /* the error lies in the bytes consumed so far plus this call's */
    if (off < r->consumed || off - r->consumed > len)
        fz_fail("%s at offset %llu: outside this call's bytes "
                "[%llu, %llu]", cs_errname(ev), (unsigned long long)off,
                (unsigned long long)r->consumed,
                (unsigned long long)(r->consumed + len));
    fs = cs_ws_fail_status(ev);
    if (ev == CS_E_WS_UTF8 && fs != 1007)
        fz_fail("cs_ws_fail_status(CS_E_WS_UTF8) = %d, not 1007", fs);
    if (ev == CS_E_WS_TOO_BIG && fs != 1009)
        fz_fail("cs_ws_fail_status(CS_E_WS_TOO_BIG) = %d, not 1009", fs);
    if (fs != 1002 && fs != 1007 && fs != 1009)
        fz_fail("cs_ws_fail_status(%s) = %d", cs_errname(ev), fs);
    r->rec.err = ev;
    r->rec.off = off;
}

/* An event came back from a call given c[0..len) that consumed used. */
static void
fz_on_event(fz_run *r, int ev, const unsigned char *c, size_t len,
            size_t used)
{
    fz_rec *rec = &r->rec;
    const unsigned char *pl;
    size_t plen = (size_t)-1;
    int op, st;

    if (rec->closed)
        fz_fail("event %s after CS_WS_CLOSE", fz_evname(ev));
    switch (ev) {
    case CS_WS_DATA:
        pl = cs_ws_payload(&r->ws, &plen);
        op = cs_ws_opcode(&r->ws);
        if (op != CS_WS_OP_TEXT && op != CS_WS_OP_BINARY)
            fz_fail("DATA with cs_ws_opcode() %d", op);
        if (rec->open_op != 0 && op != rec->open_op)
            fz_fail("DATA opcode changed from %d to %d inside a message",
                    rec->open_op, op);
        rec->open_op = op;
        if (plen > used || (plen > 0 && (pl < c || pl > c + used
                                         || (size_t)(c + used - pl) < plen)))
            fz_fail("DATA slice (%zu bytes at %+ld) outside the %zu bytes "
                    "consumed (of %zu)", plen,
                    plen > 0 ? (long)(pl - c) : 0L, used, len);
        if (plen > 0 && op == CS_WS_OP_TEXT) {
            size_t bad = fz_u8_scan(&r->u8, pl, plen);
            if (bad != plen)
                fz_fail("DATA delivered invalid UTF-8 (slice byte %zu of "
                        "%zu, message byte %zu)", bad, plen,
                        rec->open.n + bad);
        }
        fz_put(&rec->open, pl, plen);
        if (rec->open.n > r->max)
            fz_fail("message data reached %zu bytes, over max_message %llu",
                    rec->open.n, (unsigned long long)r->max);
        break;
    case CS_WS_END:
        op = cs_ws_opcode(&r->ws);
        if (op != CS_WS_OP_TEXT && op != CS_WS_OP_BINARY)
            fz_fail("END with cs_ws_opcode() %d", op);
        if (rec->open_op != 0 && op != rec->open_op)
            fz_fail("END opcode %d, its DATA had %d", op, rec->open_op);
        if (op == CS_WS_OP_TEXT
                && (r->u8.need != 0 || !fz_utf8_ok(rec->open.p, rec->open.n)))
            fz_fail("text message of %zu bytes reached END: not valid "
                    "UTF-8", rec->open.n);
        if (rec->open.n > r->max)
            fz_fail("END of a %zu-byte message, max_message %llu",
                    rec->open.n, (unsigned long long)r->max);
        fz_put1(&rec->log, 'E');
        fz_put1(&rec->log, (unsigned)op);
        fz_put64(&rec->log, rec->open.n);
        fz_put(&rec->log, rec->open.p, rec->open.n);
        rec->open.n = 0;
        rec->open_op = 0;
        r->u8.need = 0;
        break;
    case CS_WS_PING:
    case CS_WS_PONG:
        pl = cs_ws_payload(&r->ws, &plen);
        if (plen > 125 || (plen > 0 && pl == NULL))
            fz_fail("%s payload of %zu bytes", fz_evname(ev), plen);
        fz_put1(&rec->log, ev == CS_WS_PING ? 'P' : 'O');
        fz_put64(&rec->log, rec->open.n);
        fz_put1(&rec->log, (unsigned)plen);
        fz_put(&rec->log, pl, plen);
        break;
    case CS_WS_CLOSE:
        pl = cs_ws_payload(&r->ws, &plen);
        st = cs_ws_close_status(&r->ws);
        if (plen > 123 || (plen > 0 && pl == NULL))
            fz_fail("close reason of %zu bytes", plen);
        if (st == 1005 ? plen != 0 : !cs_ws_status_valid(st))
            fz_fail("close status %d with a %zu-byte reason", st, plen);
        if (!fz_utf8_ok(pl, plen))
            fz_fail("close reason is not valid UTF-8");
        fz_put1(&rec->log, 'C');
        fz_put64(&rec->log, rec->open.n);
        fz_put1(&rec->log, (unsigned)st >> 8);
        fz_put1(&rec->log, (unsigned)st & 0xff);
        fz_put1(&rec->log, (unsigned)plen);
        fz_put(&rec->log, pl, plen);
        rec->closed = 1;
        break;
    default:
        fz_fail("cs_ws_feed() returned %d", ev);
    }
}

/* Feed c[0..len): call cs_ws_feed() on the unconsumed rest until it asks
 * for more (0) or fails. c stays readable for the whole loop. */
static void
fz_feed(fz_run *r, const unsigned char *c, size_t len)
{
    size_t pos = 0;
    int idle = 0;

    for (;;) {
        size_t used = (size_t)0x5a5a5a5a;
        int ev = cs_ws_feed(&r->ws, c + pos, len - pos, &used);

        if (r->rec.err != 0) {
            /* sticky: same code, offset unchanged */
            if (ev != r->rec.err || cs_ws_offset(&r->ws) != r->rec.off)
                fz_fail("error not sticky: %s@%llu became %s@%llu",
                        cs_errname(r->rec.err),
                        (unsigned long long)r->rec.off, fz_evname(ev),
                        (unsigned long long)cs_ws_offset(&r->ws));
            if (used > len - pos)
                fz_fail("*used %zu > len %zu after an error", used,
                        len - pos);
            return;
        }
        if (used > len - pos)
            fz_fail("*used %zu > len %zu (returned %s)", used, len - pos,
                    fz_evname(ev));
        if (ev < 0) {
            fz_on_error(r, ev, len - pos);
            /* one more call on what is left: must repeat the error */
            pos += used;
            continue;
        }
        if (ev == 0 && used != len - pos)
            fz_fail("returned 0 (need more) but used %zu of %zu", used,
                    len - pos);
        if (ev > 0)
            fz_on_event(r, ev, c + pos, len - pos, used);
        pos += used;
        r->consumed += used;
        if (cs_ws_offset(&r->ws) != r->consumed)
            fz_fail("cs_ws_offset() %llu, but %llu bytes consumed",
                    (unsigned long long)cs_ws_offset(&r->ws),
                    (unsigned long long)r->consumed);
        if (ev == 0)
            return;
        /* an event that consumes nothing (END after the last slice) is
         * fine once; a run of them never ends */
        idle = used == 0 ? idle + 1 : 0;
        if (idle > 3)
            fz_fail("%d events in a row consumed nothing (last %s)", idle,
                    fz_evname(ev));
    }
}

/* fz_feed() from an exact-size heap copy of the chunk, overwritten after
 * use: ASan sees reads outside it, a kept pointer sees junk. */
static void
fz_feed_copy(fz_run *r, const unsigned char *p, size_t k)
{
    static unsigned char none[1];
    unsigned char *c;

    if (k == 0) {
        fz_feed(r, none, 0);
        return;
    }
    c = (unsigned char *)malloc(k);
    if (c == NULL)
        abort();
    memcpy(c, p, k);
    fz_feed(r, c, k);
    memset(c, 0xdb, k);
    free(c);
}

/* Feed p[0..n) in the chunks mode asks for. */
static void
fz_chunked(fz_run *r, const unsigned char *p, size_t n, unsigned mode,
           uint32_t seed)
{
    size_t i = 0, fixed = (size_t)(mode >> 2) + 1;
    uint32_t rng = seed | 1u;

    if ((mode & 3) == 0) {
        fz_feed_copy(r, p, n);
        return;
    }
    while (i < n) {
        size_t k;
        switch (mode & 3) {
        case 1:
            k = fixed;
            break;
        case 2:
            k = 1;
            break;
        default: {
            uint32_t x = fz_rand(&rng);
            if ((x & 15) == 0)
                k = 0;
            else if ((x & 15) == 1)
                k = (x >> 8) % 4096;
            else
                k = (x >> 8) % 24;
            break;
        }
        }
        if (k > n - i)
            k = n - i;
        fz_feed_copy(r, p + i, k);
        i += k;
    }
    /* the end: one more empty call drains a pending END */
    fz_feed_copy(r, p + n, 0);
}

static void
fz_fin(fz_run *r)
{
    if (r->rec.err == 0)
        r->rec.off = cs_ws_offset(&r->ws);
}

static void
fz_same(const fz_rec *a, const fz_rec *b, const char *what)
{
    if (a->err != b->err || a->off != b->off) {
        fz_dump("A", &a->log, &a->open);
        fz_dump("B", &b->log, &b->open);
        fz_fail("%s: end %s@%llu vs %s@%llu", what, fz_evname(a->err),
                (unsigned long long)a->off, fz_evname(b->err),
                (unsigned long long)b->off);
    }
    if (!fz_buf_eq(&a->log, &b->log)) {
        fz_dump("A", &a->log, &a->open);
        fz_dump("B", &b->log, &b->open);
        fz_fail("%s: events differ", what);
    }
    if (a->err == 0 ? !fz_buf_eq(&a->open, &b->open)
                    : !fz_buf_prefix(&a->open, &b->open))
        fz_fail("%s: open message data differs (%zu vs %zu bytes)", what,
                a->open.n, b->open.n);
}

/* ---- the reference decoder ---------------------------------------------- */

#ifndef FZ_NO_REF
#define FZ_NCODES 15 /* CS_E_WS_RSV (-60) .. CS_E_WS_AFTER_CLOSE (-74) */
#define FZ_BIT(code) (1u << (-(code) - 60))

#define FZ_NONE (~(uint64_t)0)

typedef struct fz_ref {
    fz_buf log, open;
    unsigned allowed;        /* 0: the stream is valid as far as it goes */
    uint64_t lo[FZ_NCODES];  /* per allowed code: offset range, */
    uint64_t hi[FZ_NCODES];
    uint64_t alt[FZ_NCODES]; /* or this offset (FZ_NONE: none) */
    uint64_t fs;             /* where the failing frame starts */
    int may_pass;            /* the input ends before any decoder must
                                have seen the error */
} fz_ref;

static void
fz_ref_allow(fz_ref *f, unsigned bits, uint64_t lo, uint64_t hi)
{
    int i;
    for (i = 0; i < FZ_NCODES; i++)
        if (bits & (1u << i)) {
            f->allowed |= 1u << i;
            f->lo[i] = lo;
            f->hi[i] = hi;
            f->alt[i] = FZ_NONE;
        }
}

/* The header of the frame at s breaks the rules in h. Each code at its
 * offset (cs_ws_offset() after an error: the byte that caused it, the
 * bytes before it counted): byte 0 for RSV, OPCODE, CONT, NESTED and
 * CTL_FRAG; byte 1 for MASKED and CTL_LEN; the first length byte for
 * LEN64; the last length byte for LEN_MINIMAL (a 64-bit one may be seen
 * at its sixth zero byte already) and for TOO_BIG on the header (any
 * length byte once a lower bound is over: byte 1 for a 7-bit length). */
static void
fz_ref_header(fz_ref *f, unsigned h, uint64_t s, size_t ext)
{
    uint64_t last = s + 1 + ext;

    fz_ref_allow(f, h & (FZ_BIT(CS_E_WS_RSV) | FZ_BIT(CS_E_WS_OPCODE)
                         | FZ_BIT(CS_E_WS_CONT) | FZ_BIT(CS_E_WS_NESTED)
                         | FZ_BIT(CS_E_WS_CTL_FRAG)), s, s);
    fz_ref_allow(f, h & (FZ_BIT(CS_E_WS_MASKED) | FZ_BIT(CS_E_WS_CTL_LEN)),
                 s + 1, s + 1);
    fz_ref_allow(f, h & FZ_BIT(CS_E_WS_LEN64), s + 2, s + 2);
    fz_ref_allow(f, h & FZ_BIT(CS_E_WS_LEN_MINIMAL),
                 ext == 8 ? s + 7 : last, last);
    fz_ref_allow(f, h & FZ_BIT(CS_E_WS_TOO_BIG), ext ? s + 2 : s + 1, last);
}

/* Decode p[0..n) by RFC 6455 as the contract reads, frame by frame. */
static void
fz_ref_run(fz_ref *f, const unsigned char *p, size_t n, uint64_t max)
{
    size_t pos = 0;
    int msg_op = 0, closed = 0;
    uint64_t msg_len = 0;
    fz_u8 u8 = {0, 0x80, 0xbf};

    memset(f, 0, sizeof *f);
    while (pos < n) {
        size_t s = pos, hl, he, avail;
        unsigned b0, b1, op, fin, l7, h = 0;
        int ctl, mask;
        uint64_t len;

        f->fs = s;
        if (closed) {
            fz_ref_allow(f, FZ_BIT(CS_E_WS_AFTER_CLOSE), s, s);
            return;
        }
        b0 = p[s];
        fin = b0 >> 7;
        op = b0 & 15;
        ctl = (op & 8) != 0;
        if (b0 & 0x70)
            h |= FZ_BIT(CS_E_WS_RSV);
        if ((op > 2 && op < 8) || op > 10) {
            h |= FZ_BIT(CS_E_WS_OPCODE);
            if (op < 8 && msg_op != 0) /* data-like: check order free */
                h |= FZ_BIT(CS_E_WS_NESTED);
        }
        if (op == 0 && msg_op == 0)
            h |= FZ_BIT(CS_E_WS_CONT);
        if ((op == 1 || op == 2) && msg_op != 0)
            h |= FZ_BIT(CS_E_WS_NESTED);
        if (ctl && !fin)
            h |= FZ_BIT(CS_E_WS_CTL_FRAG);
        if (n - s < 2) {
            if (h) {
                fz_ref_header(f, h, s, 0);
                f->may_pass = 1;
            }
            return;
        }
        b1 = p[s + 1];
        mask = (b1 & 0x80) != 0;
        l7 = b1 & 127;
        if (mask)
            h |= FZ_BIT(CS_E_WS_MASKED);
        if (ctl && l7 > 125)
            h |= FZ_BIT(CS_E_WS_CTL_LEN);
        hl = 2 + (l7 == 126 ? 2u : l7 == 127 ? 8u : 0u) + (mask ? 4u : 0u);
        if (n - s < hl - (mask ? 4u : 0u)) {
            /* The length itself is cut off. What its first bytes show may
             * be reported at once: the top bit (LEN64), six zero bytes of
             * a 64-bit length (not minimal), a lower bound over the
             * limit. */
            size_t ext = l7 == 126 ? 2 : 8, k = n - s - 2, i;
            uint64_t lb = 0;
            for (i = 0; i < ext; i++)
                lb = lb << 8 | (i < k ? p[s + 2 + i] : 0u);
            if (l7 == 127 && k >= 1 && (p[s + 2] & 0x80))
                h |= FZ_BIT(CS_E_WS_LEN64);
            if (l7 == 127 && k >= 6 && (lb >> 16) == 0)
                h |= FZ_BIT(CS_E_WS_LEN_MINIMAL);
            if (!ctl && l7 >= 126 && lb > max - (msg_op ? msg_len : 0))
                h |= FZ_BIT(CS_E_WS_TOO_BIG);
            if (h) {
                fz_ref_header(f, h, s, ext);
                f->may_pass = 1;
            }
            return;
        }
        if (l7 == 126) {
            len = (uint64_t)p[s + 2] << 8 | p[s + 3];
            if (len < 126)
                h |= FZ_BIT(CS_E_WS_LEN_MINIMAL);
        } else if (l7 == 127) {
            int i;
            len = 0;
            for (i = 0; i < 8; i++)
                len = len << 8 | p[s + 2 + (size_t)i];
            if (len >> 63)
                h |= FZ_BIT(CS_E_WS_LEN64);
            else if (len < 65536)
                h |= FZ_BIT(CS_E_WS_LEN_MINIMAL);
        } else {
            len = l7;
        }
        if (h) {
            /* a length over the limit may be noticed first as well */
            if (!ctl && len > max - (msg_op ? msg_len : 0))
                h |= FZ_BIT(CS_E_WS_TOO_BIG);
            fz_ref_header(f, h, s, l7 == 126 ? 2 : l7 == 127 ? 8 : 0);
            f->may_pass = n < s + hl;
            return;
        }
        he = s + hl; /* no mask: the header is all there */
        avail = (uint64_t)(n - he) < len ? n - he : (size_t)len;
        if (ctl) {
            const unsigned char *q = p + he;
            if (op == CS_WS_OP_CLOSE) {
                /* offsets: the length byte, the lone payload byte or the
                 * frame's end for a 1-byte close; one of the two status
                 * bytes; the first bad byte of the reason, or the end
                 * when the reason stops inside a character */
                unsigned c = 0;
                if (len == 1) {
                    c |= FZ_BIT(CS_E_WS_CLOSE_LEN);
                    fz_ref_allow(f, c, s + 1, he + len);
                }
                if (avail >= 2
                        && !fz_status_ok((unsigned)q[0] << 8 | q[1])) {
                    c |= FZ_BIT(CS_E_WS_CLOSE_STATUS);
                    fz_ref_allow(f, FZ_BIT(CS_E_WS_CLOSE_STATUS), he,
                                 he + 1);
                }
                if (avail > 2) {
                    fz_u8 u = {0, 0x80, 0xbf};
                    size_t bad = fz_u8_scan(&u, q + 2, avail - 2);
                    if (bad != avail - 2 || (avail == len && u.need != 0)) {
                        uint64_t at = he + 2 + bad;
                        c |= FZ_BIT(CS_E_WS_CLOSE_UTF8);
                        fz_ref_allow(f, FZ_BIT(CS_E_WS_CLOSE_UTF8), at, at);
                    }
                }
                if (c) {
                    f->may_pass = avail < len;
                    return;
                }
                if (avail < len)
                    return;
                fz_put1(&f->log, 'C');
                fz_put64(&f->log, f->open.n);
                if (len == 0) {
                    fz_put1(&f->log, 1005 >> 8);
                    fz_put1(&f->log, 1005 & 0xff);
                    fz_put1(&f->log, 0);
                } else {
                    fz_put1(&f->log, q[0]);
                    fz_put1(&f->log, q[1]);
                    fz_put1(&f->log, (unsigned)len - 2);
                    fz_put(&f->log, q + 2, (size_t)len - 2);
                }
                closed = 1;
            } else {
                if (avail < len)
                    return;
                fz_put1(&f->log, op == CS_WS_OP_PING ? 'P' : 'O');
                fz_put64(&f->log, f->open.n);
                fz_put1(&f->log, (unsigned)len);
                fz_put(&f->log, q, (size_t)len);
            }
            pos = he + (size_t)len;
            continue;
        }
        /* a data frame: starts a message (1, 2) or continues one (0) */
        if (op != 0)
            msg_op = (int)op;
        fz_put(&f->open, p + he, avail);
        if (len > max - msg_len) {
            /* over the limit: noticed on the header (at its last length
             * byte), or at the first byte past the limit; text may fail
             * earlier on a bad byte */
            uint64_t room = max - msg_len, must = he + room + 1;
            size_t ext = l7 == 126 ? 2 : l7 == 127 ? 8 : 0;
            fz_ref_header(f, FZ_BIT(CS_E_WS_TOO_BIG), s, ext);
            f->alt[-CS_E_WS_TOO_BIG - 60] = he + room;
            if (msg_op == CS_WS_OP_TEXT) {
                size_t scan = room < avail ? (size_t)room : avail;
                size_t bad = fz_u8_scan(&u8, p + he, scan);
                if (bad < scan) {
                    fz_ref_allow(f, FZ_BIT(CS_E_WS_UTF8), he + bad,
                                 he + bad);
                    if (he + bad + 1 < must)
                        must = he + bad + 1;
                }
            }
            f->may_pass = (uint64_t)n < must;
            return;
        }
        if (msg_op == CS_WS_OP_TEXT) {
            size_t bad = fz_u8_scan(&u8, p + he, avail);
            if (bad < avail) {
                fz_ref_allow(f, FZ_BIT(CS_E_WS_UTF8), he + bad, he + bad);
                return;
            }
        }
        if (avail < len)
            return;
        pos = he + (size_t)len;
        msg_len += len;
        if (!fin)
            continue;
        if (msg_op == CS_WS_OP_TEXT && u8.need != 0) {
            /* the message ends inside a character: at its end */
            fz_ref_allow(f, FZ_BIT(CS_E_WS_UTF8), pos, pos);
            return;
        }
        fz_put1(&f->log, 'E');
        fz_put1(&f->log, (unsigned)msg_op);
        fz_put64(&f->log, f->open.n);
        fz_put(&f->log, f->open.p, f->open.n);
        f->open.n = 0;
        msg_op = 0;
        msg_len = 0;
        u8.need = 0;
    }
}

static void
fz_vs_ref(const fz_rec *a, const unsigned char *p, size_t n, uint64_t max)
{
    fz_ref f;

    fz_ref_run(&f, p, n, max);
    if (!fz_buf_eq(&a->log, &f.log)) {
        fz_dump("decoder", &a->log, &a->open);
        fz_dump("reference", &f.log, &f.open);
        fz_fail("reference: events differ (decoder ended %s@%llu)",
                fz_evname(a->err), (unsigned long long)a->off);
    }
    if (a->err == 0) {
        if (f.allowed != 0 && !f.may_pass) {
            int i;
            fprintf(stderr, "  allowed:");
            for (i = 0; i < FZ_NCODES; i++)
                if (f.allowed & (1u << i))
                    fprintf(stderr, " %s@[%llu,%llu]", cs_errname(-60 - i),
                            (unsigned long long)f.lo[i],
                            (unsigned long long)f.hi[i]);
            fputc('\n', stderr);
            fz_fail("reference: the stream breaks a rule, the decoder "
                    "reported no error (offset %llu of %zu)",
                    (unsigned long long)a->off, n);
        }
        if (a->off != n)
            fz_fail("no error but cs_ws_offset() %llu of %zu bytes",
                    (unsigned long long)a->off, n);
        if (!fz_buf_eq(&a->open, &f.open))
            fz_fail("reference: open message data %zu bytes, expected %zu",
                    a->open.n, f.open.n);
    } else {
        int i = -a->err - 60;
        if (f.allowed == 0)
            fz_fail("reference: a valid stream failed with %s@%llu",
                    cs_errname(a->err), (unsigned long long)a->off);
        if (!(f.allowed & (1u << i))) {
            int k;
            fprintf(stderr, "  allowed:");
            for (k = 0; k < FZ_NCODES; k++)
                if (f.allowed & (1u << k))
                    fprintf(stderr, " %s", cs_errname(-60 - k));
            fputc('\n', stderr);
            fz_fail("reference: error %s@%llu not among the codes this "
                    "frame allows", cs_errname(a->err),
                    (unsigned long long)a->off);
        }
#ifdef FZ_LAX_OFFSETS
        /* anywhere from the failing frame's start (to fuzz past a known
         * offset bug) */
        f.lo[i] = f.fs;
        f.hi[i] = n;
#endif
        if ((a->off < f.lo[i] || a->off > f.hi[i]) && a->off != f.alt[i]) {
            if (f.alt[i] != FZ_NONE)
                fprintf(stderr, "  (or at %llu)\n",
                        (unsigned long long)f.alt[i]);
            fz_fail("reference: %s at offset %llu, expected in [%llu, %llu]"
                    " (the byte that caused it)", cs_errname(a->err),
                    (unsigned long long)a->off, (unsigned long long)f.lo[i],
                    (unsigned long long)f.hi[i]);
        }
        if (!fz_buf_prefix(&a->open, &f.open) || a->open.n > f.open.n)
            fz_fail("reference: open message data is no prefix of the "
                    "payload (%zu vs %zu bytes)", a->open.n, f.open.n);
    }
    free(f.log.p);
    free(f.open.p);
}
#endif

/* ---- encoder round trip ------------------------------------------------- */

/* Decode one whole frame stream with a fresh decoder (no size limit:
 * the round trip's payloads may be over a small CS_WS_MAX_MESSAGE). */
static void
fz_decode(fz_run *r, const unsigned char *p, size_t n)
{
    fz_run_init(r, ~(uint64_t)0);
    fz_feed_copy(r, p, n);
    fz_fin(r);
}

/* Strip the mask of a client frame f[0..n): the server-style frame. */
static unsigned char *
fz_unmask(const unsigned char *f, size_t n, size_t hl, size_t *out_n)
{
    unsigned char *u = (unsigned char *)malloc(n - 4);
    size_t i;

    if (u == NULL)
        abort();
    memcpy(u, f, hl - 4);
    u[1] = (unsigned char)(u[1] & 0x7f);
    for (i = hl; i < n; i++)
        u[i - 4] = (unsigned char)(f[i] ^ f[hl - 4 + ((i - hl) & 3)]);
    *out_n = n - 4;
    return u;
}

/* Check the header of a client frame: FIN, opcode, mask bit, the
 * shortest length form, the key, and the masked payload. Returns the
 * header length (with the key). */
static size_t
fz_check_frame(const unsigned char *f, size_t n, int op,
               const unsigned char *pl, size_t len, const unsigned char *key)
{
    size_t hl, i;
    uint64_t flen;

    if (f[0] != (0x80 | op))
        fz_fail("frame byte 0 is %#x, expected %#x", f[0], 0x80 | op);
    if (!(f[1] & 0x80))
        fz_fail("client frame without the mask bit");
    if (len < 126) {
        hl = 6;
        flen = f[1] & 127u;
    } else if (len < 65536) {
        hl = 8;
        flen = (uint64_t)f[2] << 8 | f[3];
        if ((f[1] & 127) != 126)
            fz_fail("%zu-byte payload: length byte %u", len, f[1] & 127u);
    } else {
        hl = 14;
        flen = 0;
        for (i = 0; i < 8; i++)
            flen = flen << 8 | f[2 + i];
        if ((f[1] & 127) != 127)
            fz_fail("%zu-byte payload: length byte %u", len, f[1] & 127u);
    }
    if (flen != len || n != hl + len)
        fz_fail("frame of %zu bytes says %llu payload bytes, expected %zu",
                n, (unsigned long long)flen, len);
    if (memcmp(f + hl - 4, key, 4) != 0)
        fz_fail("frame mask key is not the key given");
    for (i = 0; i < len; i++)
        if ((f[hl + i] ^ key[i & 3]) != pl[i])
            fz_fail("masked payload byte %zu wrong", i);
    return hl;
}

/* Encode into an exact-size buffer of want bytes and check that one byte
 * less gives 0 (ASan: nothing written outside). want 0: the encoder must
 * refuse even with room to spare (len + 16 bytes). Returns the frame
 * (malloc) or NULL when the encoder returned 0. */
static unsigned char *
fz_encode(int close, int op, int status, const unsigned char *pl, size_t len,
          const unsigned char *key, size_t want, size_t *n)
{
    size_t cap = want ? want : len + 16, got;
    unsigned char *out = (unsigned char *)malloc(cap);

    if (out == NULL)
        abort();
    if (close)
        got = cs_ws_close_frame(out, cap, status, (const char *)pl, len,
                                key);
    else
        got = cs_ws_frame(out, cap, op, pl, len, key);
    if (want > 0) {
        unsigned char *shortb = (unsigned char *)malloc(want - 1 ? want - 1
                                                                 : 1);
        size_t g2;
        if (shortb == NULL)
            abort();
        if (close)
            g2 = cs_ws_close_frame(shortb, want - 1, status,
                                   (const char *)pl, len, key);
        else
            g2 = cs_ws_frame(shortb, want - 1, op, pl, len, key);
        free(shortb);
        if (g2 != 0)
            fz_fail("encoder returned %zu with cap %zu, one short of %zu",
                    g2, want - 1, want);
    }
    *n = got;
    if (got == 0) {
        free(out);
        return NULL;
    }
    return out;
}

static void
fz_expect_log(const fz_run *r, const fz_buf *want, int err, const char *what)
{
    if (r->rec.err != err || !fz_buf_eq(&r->rec.log, want)) {
        fz_dump("decoded", &r->rec.log, &r->rec.open);
        fz_dump("expected", want, &r->rec.open);
        fz_fail("round trip %s: decoded %s, expected %s", what,
                fz_evname(r->rec.err), fz_evname(err));
    }
}

static void
fz_roundtrip(const unsigned char *p, size_t n, uint32_t *rng)
{
    static const int ops[4] = {CS_WS_OP_TEXT, CS_WS_OP_BINARY,
                               CS_WS_OP_PING, CS_WS_OP_PONG};
    static const int statuses[] = {0, 999, 1000, 1001, 1003, 1004, 1005,
                                   1006, 1007, 1011, 1012, 1014, 1015, 1016,
                                   2000, 2999, 3000, 4999, 5000, 65535, -1};
    unsigned char key[4], *pl, *f, *u;
    uint32_t x = fz_rand(rng);
    size_t a, len, fn, un, hl, want, i, rlen;
    int op = ops[x & 3], text_ok, status;
    fz_buf exp = {NULL, 0, 0};
    fz_run r;

    for (i = 0; i < 4; i++)
        key[i] = (unsigned char)(fz_rand(rng) >> 8);
    if ((x >> 2 & 7) == 7) /* sometimes big: 16- and 64-bit lengths */
        len = (x >> 5 & 1) ? 65530 + (x >> 6) % 12 : 120 + (x >> 6) % 70000;
    else
        len = n == 0 ? 0 : (x >> 8) % (n + 1);
    a = n == 0 ? 0 : fz_rand(rng) % n;
    pl = (unsigned char *)malloc(len ? len : 1);
    if (pl == NULL)
        abort();
    for (i = 0; i < len; i++)
        pl[i] = n ? p[(a + i) % n] : (unsigned char)i;
    if (op == CS_WS_OP_TEXT && !fz_utf8_ok(pl, len) && (x >> 7 & 1))
        op = CS_WS_OP_BINARY; /* half the invalid texts go as binary */
    text_ok = fz_utf8_ok(pl, len);

    /* cs_ws_frame */
    want = (len < 126 ? 6 : len < 65536 ? 8 : 14) + len;
    if ((op & 8) && len > 125)
        want = 0;
    f = fz_encode(0, op, 0, pl, len, key, want, &fn);
    if (want == 0) {
        if (f != NULL || fn != 0)
            fz_fail("cs_ws_frame() of a %zu-byte control payload: %zu", len,
                    fn);
    } else {
        if (f == NULL || fn != want)
            fz_fail("cs_ws_frame(op %d, %zu bytes) returned %zu, expected "
                    "%zu", op, len, fn, want);
        hl = fz_check_frame(f, fn, op, pl, len, key);
        u = fz_unmask(f, fn, hl, &un);
        fz_decode(&r, u, un);
        if (op & 8) {
            fz_put1(&exp, op == CS_WS_OP_PING ? 'P' : 'O');
            fz_put64(&exp, 0);
            fz_put1(&exp, (unsigned)len);
            fz_put(&exp, pl, len);
            fz_expect_log(&r, &exp, 0, "ping/pong");
        } else if (op == CS_WS_OP_TEXT && !text_ok) {
            fz_expect_log(&r, &exp, CS_E_WS_UTF8, "invalid text");
        } else {
            fz_put1(&exp, 'E');
            fz_put1(&exp, (unsigned)op);
            fz_put64(&exp, len);
            fz_put(&exp, pl, len);
            fz_expect_log(&r, &exp, 0, "data");
        }
        fz_rec_free(&r.rec);
        free(u);
        free(f);
        exp.n = 0;
    }

    /* cs_ws_close_frame: a reason that is valid UTF-8, cut to 123 */
    x = fz_rand(rng);
    status = (x & 1) ? statuses[(x >> 1) % (sizeof statuses / sizeof
                                            *statuses)]
                     : (int)(x >> 8 & 0xffff);
    rlen = len;
    {
        fz_u8 uu = {0, 0x80, 0xbf};
        rlen = fz_u8_scan(&uu, pl, len);
        while (rlen > 0 && !fz_utf8_ok(pl, rlen))
            rlen--; /* drop an incomplete last character */
        if (rlen > 400)
            rlen = fz_utf8_cut(pl, rlen, 400);
    }
    {
        size_t cut = fz_utf8_cut(pl, rlen, 123);
        /* a status that cs_ws_status_valid() accepts, or 0 */
        int sendable = status == 0
                       || (status > 0 && fz_status_ok((unsigned)status));
        want = sendable ? 6 + (status ? 2 + cut : 0) : 0;
        f = fz_encode(1, 0, status, pl, rlen, key, want, &fn);
        if (!sendable) {
            if (fn != 0)
                fz_fail("cs_ws_close_frame(status %d) returned %zu, expected "
                        "0", status, fn);
        } else {
            unsigned char *cp = (unsigned char *)calloc(want, 1);
            if (cp == NULL)
                abort();
            if (f == NULL || fn != want)
                fz_fail("cs_ws_close_frame(%d, %zu-byte reason) returned %zu,"
                        " expected %zu", status, rlen, fn, want);
            if (status) {
                cp[0] = (unsigned char)(status >> 8);
                cp[1] = (unsigned char)status;
                memcpy(cp + 2, pl, cut);
            }
            hl = fz_check_frame(f, fn, CS_WS_OP_CLOSE, cp,
                                status ? 2 + cut : 0, key);
            u = fz_unmask(f, fn, hl, &un);
            fz_decode(&r, u, un);
            {
                int st = status ? status : 1005;
                fz_put1(&exp, 'C');
                fz_put64(&exp, 0);
                fz_put1(&exp, (unsigned)st >> 8);
                fz_put1(&exp, (unsigned)st & 0xff);
                fz_put1(&exp, status ? (unsigned)cut : 0u);
                if (status)
                    fz_put(&exp, pl, cut);
                fz_expect_log(&r, &exp, 0, "close");
            }
            fz_rec_free(&r.rec);
            free(u);
            free(f);
            free(cp);
        }
    }

    /* cs_ws_status_valid against RFC 6455 7.4 */
    for (i = 0; i < 3; i++) {
        int s = i == 0 ? status : i == 1 ? (int)(x >> 8 & 0x1fff) : -status;
        if (cs_ws_status_valid(s) != (s >= 0 && fz_status_ok((unsigned)s)))
            fz_fail("cs_ws_status_valid(%d) = %d", s, cs_ws_status_valid(s));
    }
    free(exp.p);
    free(pl);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *own;
    unsigned mode;
    uint32_t seed, rng;
    uint64_t maxm;
    size_t n;
    fz_run a, b;

    if (size < FZ_HDR || size - FZ_HDR > FZ_MAX_IN)
        return 0;
    mode = data[0];
    maxm = fz_max(data[1]);
    seed = ((uint32_t)data[2] << 8 | data[3]) * 2654435761u + 1u;
    n = size - FZ_HDR;
    own = (unsigned char *)malloc(n ? n : 1);
    if (own == NULL)
        abort();
    memcpy(own, data + FZ_HDR, n);

    /* 1. whole vs chunked */
    fz_run_init(&a, maxm);
    fz_feed(&a, own, n);
    fz_fin(&a);
    fz_run_init(&b, maxm);
    fz_chunked(&b, own, n, mode, seed);
    fz_fin(&b);
    fz_same(&a.rec, &b.rec, "whole vs chunked");
    /* a decoder that failed stays failed, whatever comes */
    if (a.rec.err != 0) {
        static const unsigned char more[3] = {0x81, 0x01, 'x'};
        fz_feed(&a, more, sizeof more);
        fz_feed(&a, more, 0);
    }

    if (fz_verbose()) {
        fz_dump("events", &a.rec.log, &a.rec.open);
        fprintf(stderr, "  end: %s at %llu of %zu bytes (max %llu)\n",
                fz_evname(a.rec.err), (unsigned long long)a.rec.off, n,
                (unsigned long long)a.max);
    }

#ifndef FZ_NO_REF
    /* 2. the reference */
    fz_vs_ref(&a.rec, own, n, a.max);
#endif

    /* 4. the encoders */
    rng = seed | 1u;
    fz_roundtrip(own, n, &rng);

    fz_rec_free(&a.rec);
    fz_rec_free(&b.rec);
    free(own);
    return 0;
}
