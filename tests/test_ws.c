/* test_ws.c - unit tests of the websocket frame layer (cs_ws_*), cs_sha1
 * and cs_base64.
 *
 * Every stream of server frames goes through check_vec(), which decodes
 * it whole, 1 byte at a time, split at every offset into two chunks, and
 * in random chunks of random sizes, each by two callers: one that
 * resubmits the unconsumed rest at once, and one that handles a single
 * event per arrival and resubmits the rest together with the next chunk.
 * The event sequences must be identical (event type, the payload of each
 * message concatenated, control payloads, close status, error code and
 * offset) and equal to the expected one. Each call gets an exact-size
 * heap copy of its bytes, so a sanitizer build sees any read past them.
 * Every call is also checked against the contract: *used <= len, all of
 * it consumed when 0 is returned, cs_ws_offset() equal to the bytes
 * consumed so far, a CS_WS_DATA slice inside the bytes given, control
 * payloads <= 125 bytes, errors sticky.
 *
 * Where an error happens: fed 1 byte at a time, the call that returns it
 * must be the one given the byte that shows it (for bad UTF-8 the first
 * byte that cannot start or continue a sequence, for a bad header within
 * the header, for a message over the limit the last length byte).
 * cs_ws_offset() then counts the bytes before that byte, or those and
 * that byte; the contract does not say which, so the first such error
 * fixes the convention and every later one must follow it. */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "test.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* ==== helpers ============================================================ */

static void
hex(char *out, const unsigned char *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = 0;
}

/* Printable ASCII (valid UTF-8), different for each seed. */
static void
fill(unsigned char *o, size_t n, unsigned seed)
{
    size_t i;
    for (i = 0; i < n; i++)
        o[i] = (unsigned char)(' ' + (i * 7 + seed * 13 + i / 95) % 95);
}

/* ==== SHA-1 and base64 =================================================== */

static int
sha1_is(const void *p, size_t n, const char *want)
{
    unsigned char d[20];
    char h[41];
    unsigned char *c = (unsigned char *)xmalloc(n);

    memcpy(c, p, n);            /* exact size: an overread shows */
    cs_sha1(c, n, d);
    free(c);
    hex(h, d, 20);
    if (strcmp(h, want) == 0)
        return 1;
    fprintf(stderr, "  sha1 of %lu bytes: %s, want %s\n", (unsigned long)n,
            h, want);
    return 0;
}

static void
test_sha1(void)
{
    unsigned char *m = (unsigned char *)xmalloc(1000000);
    unsigned char p[300], d[20];
    unsigned char *cat = (unsigned char *)xmalloc(201 * 20);
    size_t i;
    char h[41];

    /* FIPS 180-2 appendix A and the usual extras */
    CHECK(sha1_is("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709"));
    CHECK(sha1_is("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d"));
    CHECK(sha1_is("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                  56, "84983e441c3bd26ebaae4aa1f95129e5e54670f1"));
    memset(m, 'a', 1000000);
    CHECK(sha1_is(m, 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"));
    free(m);
    /* every length 0..200 (all the padding cases around 55/56/64 bytes):
     * the SHA-1 of the 201 digests, computed with Python's hashlib */
    for (i = 0; i < sizeof p; i++)
        p[i] = (unsigned char)((i * 7 + 3) & 0xff);
    for (i = 0; i <= 200; i++) {
        unsigned char *c = (unsigned char *)xmalloc(i);
        memcpy(c, p, i);
        cs_sha1(c, i, cat + 20 * i);
        free(c);
    }
    cs_sha1(cat, 201 * 20, d);
    hex(h, d, 20);
    CHECKF(strcmp(h, "02d79069dc73ad0af03448abfaffbb710334f1e9") == 0,
           "digest of the digests of lengths 0..200: %s", h);
    free(cat);
}

#if CS_HAS_TLS
/* cs_sha1 (SHA-NI where the CPU and compiler allow, else BearSSL's)
 * against BearSSL's portable br_sha1, fed in random pieces: random bytes
 * of every length 0..300 at every alignment 0..15 (the padding cases and
 * unaligned loads), exact-size copies so that an overread shows. */
static void
test_sha1_vs_bearssl(void)
{
    unsigned char src[300], a[20], b[20];
    size_t n, al, i, bad = 0;

    for (n = 0; n <= sizeof src; n++) {
        for (i = 0; i < n; i++)
            src[i] = (unsigned char)rnd();
        for (al = 0; al < 16; al++) {
            unsigned char *c = (unsigned char *)xmalloc(al + n);
            br_sha1_context bc;
            size_t at = 0;
            memcpy(c + al, src, n);
            cs_sha1(c + al, n, a);
            br_sha1_init(&bc);
            while (at < n) {
                size_t k = 1 + rnd_below(n - at);
                br_sha1_update(&bc, c + al + at, k);
                at += k;
            }
            br_sha1_out(&bc, b);
            free(c);
            if (memcmp(a, b, 20) != 0 && bad++ < 5)
                fprintf(stderr, "  sha1: %lu bytes at alignment %lu differ\n",
                        (unsigned long)n, (unsigned long)al);
        }
    }
    CHECKF(bad == 0, "%lu of 301 x 16 digests differ from br_sha1",
           (unsigned long)bad);
}
#endif

static int
b64_is(const void *p, size_t n, const char *want)
{
    size_t cap = 4 * ((n + 2) / 3) + 1, r;
    char *out = (char *)xmalloc(cap);   /* exactly the size it needs */
    unsigned char *c = (unsigned char *)xmalloc(n);
    int ok;

    memcpy(c, p, n);
    memset(out, '#', cap);
    r = cs_base64(c, n, out);
    ok = r == strlen(want) && memcmp(out, want, r + 1) == 0;
    if (!ok)
        fprintf(stderr, "  base64 of %lu bytes: returned %lu, \"%.*s\", "
                "want \"%s\"\n", (unsigned long)n, (unsigned long)r,
                (int)(r < cap ? r : cap - 1), out, want);
    free(c);
    free(out);
    return ok;
}

static void
test_base64(void)
{
    unsigned char all[256], p[300], d[20];
    char *cat = (char *)xmalloc(8000);
    size_t i, at = 0;
    char h[41];

    /* RFC 4648 section 10 */
    CHECK(b64_is("", 0, ""));
    CHECK(b64_is("f", 1, "Zg=="));
    CHECK(b64_is("fo", 2, "Zm8="));
    CHECK(b64_is("foo", 3, "Zm9v"));
    CHECK(b64_is("foob", 4, "Zm9vYg=="));
    CHECK(b64_is("fooba", 5, "Zm9vYmE="));
    CHECK(b64_is("foobar", 6, "Zm9vYmFy"));
    /* every byte value: '+', '/' and the high bits */
    for (i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    CHECK(b64_is(all, 256,
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v"
        "MDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5f"
        "YGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6P"
        "kJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/"
        "wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v"
        "8PHy8/T19vf4+fr7/P3+/w=="));
    CHECK(b64_is("\xff\xff\xfe", 3, "///+"));
    CHECK(b64_is("\xfb\xff", 2, "+/8="));
    /* lengths 0..100, each into an exact-size buffer: the SHA-1 of the
     * concatenation, computed with Python's base64 and hashlib */
    for (i = 0; i < sizeof p; i++)
        p[i] = (unsigned char)((i * 7 + 3) & 0xff);
    for (i = 0; i <= 100; i++) {
        size_t cap = 4 * ((i + 2) / 3) + 1, r;
        char *out = (char *)xmalloc(cap);
        r = cs_base64(p, i, out);
        CHECKF(r == cap - 1 && out[r] == 0, "length %lu: returned %lu",
               (unsigned long)i, (unsigned long)r);
        if (r == cap - 1 && at + r <= 8000) {
            memcpy(cat + at, out, r);
            at += r;
        }
        free(out);
    }
    CHECK(at == 6868);
    cs_sha1(cat, at, d);
    hex(h, d, 20);
    CHECKF(strcmp(h, "4822e5e7e07d27f1aa45c8ec3e2f4b2cb57cc473") == 0,
           "base64 of lengths 0..100: %s", h);
    free(cat);
}

/* RFC 6455 section 1.3: the server's accept for the sample key. */
static void
test_accept_example(void)
{
    static const char key[] = "dGhlIHNhbXBsZSBub25jZQ==";
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    char in[80], out[29];
    unsigned char d[20];
    size_t n;

    memcpy(in, key, 24);
    memcpy(in + 24, guid, 36);
    cs_sha1(in, 60, d);
    n = cs_base64(d, 20, out);
    CHECK(n == 28);
    CHECKF(strcmp(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0, "%s", out);
    /* and the key is base64 of the 16-byte nonce */
    n = cs_base64("the sample nonce", 16, out);
    CHECK(n == 24 && strcmp(out, key) == 0);
}

/* ==== events of a run ==================================================== */

enum { EV_ERR = -1 };

typedef struct ev {
    int type;               /* CS_WS_END/_PING/_PONG/_CLOSE, or EV_ERR */
    int op;                 /* END: cs_ws_opcode() */
    int status;             /* CLOSE: cs_ws_close_status() */
    int err;                /* ERR: the code */
    uint64_t off;           /* ERR: cs_ws_offset() */
    uint64_t reach;         /* ERR: where the failing call's bytes ended */
    uint64_t reach_lo, reach_hi;    /* expected ERR: where it may */
    int conv;               /* expected ERR: shown by one byte, whose
                               offset follows the convention */
    size_t at, len;         /* END: the message, in the run's store */
    size_t ctl_len;
    unsigned char ctl[128]; /* PING/PONG/CLOSE: the payload */
} ev;

#define MAX_EV 512
#define STORE_MAX (160 * 1024)

/* What one decoding of a vector produced. CS_WS_DATA slices are
 * concatenated per message and recorded at CS_WS_END; a message that
 * never ended (an error, the end of the input) is dropped. */
typedef struct run {
    int n;
    ev e[MAX_EV];
    size_t used;                /* bytes in store */
    unsigned char store[STORE_MAX];
    int open, open_op;          /* a message has delivered slices */
    size_t open_at;
    int done;                   /* an error ended it */
    uint64_t consumed;          /* the sum of *used */
    int idle;                   /* events in a row that consumed nothing */
    const char *bad;            /* the first contract violation seen */
    long calls, data_events;
} run;

static cs_ws g_ws;
static run g_exp, g_ref, g_cur;
static const unsigned char g_dummy[1] = { 0x81 };

static void
run_begin(run *r, uint64_t max)
{
    r->n = 0;
    r->used = 0;
    r->open = 0;
    r->open_op = 0;
    r->open_at = 0;
    r->done = 0;
    r->consumed = 0;
    r->idle = 0;
    r->bad = NULL;
    r->calls = 0;
    r->data_events = 0;
    cs_ws_init(&g_ws, max);
}

static void
violation(run *r, const char *what)
{
    if (r->bad == NULL)
        r->bad = what;
}

static ev *
new_ev(run *r, int type)
{
    ev *e;
    if (r->n >= MAX_EV) {
        violation(r, "too many events for the test");
        r->done = 1;
        return NULL;
    }
    e = &r->e[r->n++];
    memset(e, 0, offsetof(ev, ctl));
    e->type = type;
    return e;
}

/* Record what the call just returned. d[0..n): the bytes it was given. */
static void
record(run *r, int rc, const unsigned char *d, size_t n, size_t used,
       uint64_t base)
{
    const unsigned char *p;
    size_t len = 0;
    ev *e;

    if (rc < 0) {
        if (r->open)            /* the unfinished message is dropped */
            r->used = r->open_at;
        r->open = 0;
        r->done = 1;
        e = new_ev(r, EV_ERR);
        if (e != NULL) {
            e->err = rc;
            e->off = cs_ws_offset(&g_ws);
            e->reach = base + n;
        }
        return;
    }
    switch (rc) {
    case 0:
        return;
    case CS_WS_DATA:
        r->data_events++;
        p = cs_ws_payload(&g_ws, &len);
        if (len > 0 && (p == NULL || (uintptr_t)p < (uintptr_t)d
                        || (uintptr_t)p + len > (uintptr_t)d + used)) {
            violation(r, "a CS_WS_DATA slice outside the bytes consumed");
            return;
        }
        if (cs_ws_opcode(&g_ws) != CS_WS_OP_TEXT
                && cs_ws_opcode(&g_ws) != CS_WS_OP_BINARY)
            violation(r, "cs_ws_opcode() not TEXT or BINARY at CS_WS_DATA");
        if (!r->open) {
            r->open = 1;
            r->open_at = r->used;
            r->open_op = cs_ws_opcode(&g_ws);
        } else if (r->open_op != cs_ws_opcode(&g_ws)) {
            violation(r, "cs_ws_opcode() changed inside a message");
        }
        if (r->used + len > STORE_MAX) {
            violation(r, "payload too big for the test");
            return;
        }
        if (len > 0)
            memcpy(r->store + r->used, p, len);
        r->used += len;
        return;
    case CS_WS_END:
        e = new_ev(r, CS_WS_END);
        if (e == NULL)
            return;
        e->op = cs_ws_opcode(&g_ws);
        if (r->open && r->open_op != e->op)
            violation(r, "cs_ws_opcode() at CS_WS_END differs from its "
                      "slices");
        e->at = r->open ? r->open_at : r->used;
        e->len = r->used - e->at;
        r->open = 0;
        return;
    case CS_WS_PING:
    case CS_WS_PONG:
    case CS_WS_CLOSE:
        e = new_ev(r, rc);
        if (e == NULL)
            return;
        p = cs_ws_payload(&g_ws, &len);
        if (len > 125 || (len > 0 && p == NULL)) {
            violation(r, "a control payload over 125 bytes (or NULL)");
            return;
        }
        e->ctl_len = len;
        if (len > 0)
            memcpy(e->ctl, p, len);
        if (rc == CS_WS_CLOSE)
            e->status = cs_ws_close_status(&g_ws);
        return;
    default:
        violation(r, "an unknown return value");
        r->done = 1;
        return;
    }
}

/* One cs_ws_feed() on an exact-size heap copy of g_vec[base..base+n). */
static unsigned char g_vec[160 * 1024];
static size_t g_n;

static int
call(run *r, uint64_t base, size_t n, size_t *used)
{
    unsigned char *c = NULL;
    const unsigned char *d = g_dummy;   /* len 0: never read */
    int rc;

    if (n > 0) {
        c = (unsigned char *)xmalloc(n);
        memcpy(c, g_vec + base, n);
        d = c;
    }
    *used = (size_t)-1;
    rc = cs_ws_feed(&g_ws, d, n, used);
    r->calls++;
    if (*used > n) {
        violation(r, "*used > len");
        *used = rc == 0 ? n : 0;
    }
    if (rc == 0 && *used != n)
        violation(r, "returned 0 (need more) with bytes left");
    r->consumed += *used;
    if (cs_ws_offset(&g_ws) != r->consumed)
        violation(r, "cs_ws_offset() is not the count of bytes consumed");
    if (rc > 0 && *used == 0) {
        if (++r->idle > 2) {
            violation(r, "events without progress");
            rc = -1000;
        }
    } else {
        r->idle = 0;
    }
    record(r, rc, d, n, *used, base);
    free(c);
    return rc;
}

/* Decode g_vec cut at cuts[0..ncut) (ascending, inside 1..g_n-1).
 * lazy 0: after each event the rest is resubmitted at once; lazy 1: one
 * call per arriving chunk, the rest is resubmitted with the next one. */
static void
run_cuts(run *r, const size_t *cuts, size_t ncut, int lazy, uint64_t max)
{
    size_t i, pos = 0, used;
    int rc;

    run_begin(r, max);
    for (i = 0; i <= ncut && !r->done; i++) {
        size_t end = i < ncut ? cuts[i] : g_n;
        if (lazy) {
            rc = call(r, pos, end - pos, &used);
            pos += used;
            continue;
        }
        while (!r->done) {
            rc = call(r, pos, end - pos, &used);
            pos += used;
            if (rc == 0)
                break;
        }
    }
    while (lazy && !r->done) {      /* drain */
        rc = call(r, pos, g_n - pos, &used);
        pos += used;
        if (rc == 0)
            break;
    }
    if (r->open)                    /* unfinished at the end: dropped */
        r->used = r->open_at;
    r->open = 0;
    if (r->done && r->n > 0 && r->e[r->n - 1].type == EV_ERR) {
        /* errors are sticky: more bytes, and no bytes, give it again */
        int err = r->e[r->n - 1].err;
        uint64_t off = cs_ws_offset(&g_ws);
        used = 0;
        if (cs_ws_feed(&g_ws, g_vec, g_n, &used) != err
                || cs_ws_feed(&g_ws, g_dummy, 0, &used) != err)
            violation(r, "an error that is not sticky");
        if (cs_ws_offset(&g_ws) != off)
            violation(r, "cs_ws_offset() moved after the error");
    }
}

/* ==== expected events ==================================================== */

static uint64_t g_max;          /* max_message for the vector */

static void
begin(uint64_t max)
{
    g_n = 0;
    run_begin(&g_exp, 0);
    g_max = max;
}

static void
put(const void *p, size_t n)
{
    if (g_n + n > sizeof g_vec) {
        fprintf(stderr, "vector too big\n");
        exit(2);
    }
    if (n > 0)
        memcpy(g_vec + g_n, p, n);
    g_n += n;
}

static void
put1(unsigned b)
{
    unsigned char c = (unsigned char)b;
    put(&c, 1);
}

/* A server frame header: b0 = FIN | RSV | opcode; the length in the form
 * given (0: 7-bit, 2: 16-bit, 8: 64-bit); not masked. */
static void
head(unsigned b0, int form, uint64_t len)
{
    int i;

    put1(b0);
    if (form == 0) {
        put1((unsigned)len);
    } else if (form == 2) {
        put1(126);
        put1((unsigned)(len >> 8) & 0xffu);
        put1((unsigned)len & 0xffu);
    } else {
        put1(127);
        for (i = 7; i >= 0; i--)
            put1((unsigned)(len >> (8 * i)) & 0xffu);
    }
}

static int
form_of(uint64_t n)
{
    return n < 126 ? 0 : n < 65536 ? 2 : 8;
}

/* A frame with its length in the shortest form. */
static void
frame(int fin, int op, const void *p, size_t n)
{
    head((fin ? 0x80u : 0u) | (unsigned)op, form_of(n), n);
    put(p, n);
}

#define FR(fin, op, s) frame(fin, op, s, sizeof s - 1)

/* A close frame: status (-1: none), then the reason. */
static void
close_fr(int status, const void *reason, size_t n)
{
    unsigned char p[300];
    size_t len = 0;

    if (status >= 0) {
        p[0] = (unsigned char)((unsigned)status >> 8);
        p[1] = (unsigned char)((unsigned)status & 0xffu);
        len = 2;
    }
    memcpy(p + len, reason, n);
    frame(1, CS_WS_OP_CLOSE, p, len + n);
}

static void
x_msg(int op, const void *p, size_t n)
{
    ev *e = new_ev(&g_exp, CS_WS_END);
    e->op = op;
    e->at = g_exp.used;
    e->len = n;
    memcpy(g_exp.store + g_exp.used, p, n);
    g_exp.used += n;
}

#define X_MSG(op, s) x_msg(op, s, sizeof s - 1)

static void
x_ctl(int type, const void *p, size_t n)
{
    ev *e = new_ev(&g_exp, type);
    e->ctl_len = n;
    memcpy(e->ctl, p, n);
}

static void
x_close(int status, const void *p, size_t n)
{
    x_ctl(CS_WS_CLOSE, p, n);
    g_exp.e[g_exp.n - 1].status = status;
}

/* The error, to be returned by the call that is given the byte at vector
 * offset reach-1 when fed 1 byte at a time, for some reach in lo..hi. */
static void
x_err(int code, uint64_t lo, uint64_t hi)
{
    ev *e = new_ev(&g_exp, EV_ERR);
    e->err = code;
    e->reach_lo = lo;
    e->reach_hi = hi;
}

/* The error shown by the byte at vector offset k: fed 1 byte at a time,
 * the call given that byte returns it, at the conventional offset. */
static void
x_bad(int code, uint64_t k)
{
    x_err(code, k + 1, k + 1);
    g_exp.e[g_exp.n - 1].conv = 1;
}

/* ==== the comparisons ==================================================== */

static const char *
ev_name(int type)
{
    switch (type) {
    case EV_ERR: return "ERROR";
    case CS_WS_END: return "END";
    case CS_WS_PING: return "PING";
    case CS_WS_PONG: return "PONG";
    case CS_WS_CLOSE: return "CLOSE";
    default: return "?";
    }
}

static void
dump(const char *label, const run *r)
{
    int i;
    fprintf(stderr, "    %s:", label);
    for (i = 0; i < r->n; i++) {
        const ev *e = &r->e[i];
        if (e->type == EV_ERR)
            fprintf(stderr, " ERROR(%s off %llu reach %llu)",
                    cs_errname(e->err), (unsigned long long)e->off,
                    (unsigned long long)e->reach);
        else if (e->type == CS_WS_END)
            fprintf(stderr, " END(op %d, %lu bytes)", e->op,
                    (unsigned long)e->len);
        else if (e->type == CS_WS_CLOSE)
            fprintf(stderr, " CLOSE(%d, %lu bytes)", e->status,
                    (unsigned long)e->ctl_len);
        else
            fprintf(stderr, " %s(%lu bytes)", ev_name(e->type),
                    (unsigned long)e->ctl_len);
    }
    fprintf(stderr, "\n");
}

/* NULL when a and b are the same sequence, else what differs. */
static const char *
diff_runs(const run *a, const run *b, int with_off)
{
    int i;

    for (i = 0; i < a->n && i < b->n; i++) {
        const ev *x = &a->e[i], *y = &b->e[i];
        if (x->type != y->type)
            return "an event type";
        if (x->type == EV_ERR) {
            if (x->err != y->err)
                return "the error code";
            if (with_off && x->off != y->off)
                return "the error offset";
        } else if (x->type == CS_WS_END) {
            if (x->op != y->op)
                return "a message opcode";
            if (x->len != y->len
                    || memcmp(a->store + x->at, b->store + y->at, x->len))
                return "a message payload";
        } else {
            if (x->ctl_len != y->ctl_len
                    || memcmp(x->ctl, y->ctl, x->ctl_len))
                return "a control payload";
            if (x->type == CS_WS_CLOSE && x->status != y->status)
                return "a close status";
        }
    }
    return a->n != b->n ? "the number of events" : NULL;
}

static int g_conv = -1;                 /* the offset convention */
static const char *g_conv_from;
static long g_runs;

static int
same(const char *name, const char *how)
{
    const char *d;

    g_runs++;
    if (g_cur.bad != NULL) {
        CHECKF(0, "%s: %s when %s", name, g_cur.bad, how);
        return 0;
    }
    d = diff_runs(&g_ref, &g_cur, 1);
    if (d == NULL)
        return 1;
    CHECKF(0, "%s: %s differs when %s", name, d, how);
    dump("whole", &g_ref);
    dump(how, &g_cur);
    return 0;
}

/* The error of the 1-byte run: returned by the right call, at the
 * offset that follows the convention. */
static int
check_reach(const char *name)
{
    const ev *x, *e;
    uint64_t d;

    if (g_exp.n == 0 || g_exp.e[g_exp.n - 1].type != EV_ERR)
        return 1;
    x = &g_exp.e[g_exp.n - 1];
    e = &g_cur.e[g_cur.n - 1];
    if (e->reach < x->reach_lo || e->reach > x->reach_hi) {
        CHECKF(0, "%s: fed 1 byte at a time, %s came after byte %llu, "
               "expected after byte %llu..%llu", name, cs_errname(e->err),
               (unsigned long long)e->reach, (unsigned long long)x->reach_lo,
               (unsigned long long)x->reach_hi);
        return 0;
    }
    if (!x->conv)
        return 1;
    d = e->off + 1 - e->reach;          /* 0: before the byte, 1: after */
    if (g_conv < 0) {
        g_conv = (int)d;
        g_conv_from = name;
        printf("error offsets count %s the byte that shows the error "
               "(from \"%s\")\n", d ? "up to and including" : "up to, "
               "not including", name);
    } else if (d != (uint64_t)g_conv) {
        CHECKF(0, "%s: %s at offset %llu, byte %llu shows it: not the "
               "convention of \"%s\"", name, cs_errname(e->err),
               (unsigned long long)e->off, (unsigned long long)e->reach - 1,
               g_conv_from);
        return 0;
    }
    return 1;
}

static size_t g_cuts[sizeof g_vec];

/* Decode the vector in every way; each run must equal the expected. */
static void
check_vec(const char *name)
{
    const char *d;
    size_t k, i;
    int lazy;

    run_cuts(&g_ref, g_cuts, 0, 0, g_max);
    g_runs++;
    if (g_ref.bad != NULL) {
        CHECKF(0, "%s: %s when fed whole", name, g_ref.bad);
        return;
    }
    d = diff_runs(&g_exp, &g_ref, 0);
    if (d != NULL) {
        CHECKF(0, "%s: %s differs from the expected", name, d);
        dump("expected", &g_exp);
        dump("whole", &g_ref);
        return;
    }
    /* 1 byte at a time, by both callers */
    for (lazy = 0; lazy < 2; lazy++) {
        for (k = 1; k < g_n; k++)
            g_cuts[k - 1] = k;
        run_cuts(&g_cur, g_cuts, g_n > 0 ? g_n - 1 : 0, lazy, g_max);
        /* (a lazy caller gives an error at FIN only with more bytes) */
        if (!same(name, lazy ? "fed 1 byte at a time, lazily"
                  : "fed 1 byte at a time") || (!lazy && !check_reach(name)))
            return;
    }
    /* split at every offset, by both callers */
    for (lazy = 0; lazy < 2; lazy++)
        for (k = 1; k < g_n; k++) {
            char how[80];
            g_cuts[0] = k;
            run_cuts(&g_cur, g_cuts, 1, lazy, g_max);
            sprintf(how, "split at %lu%s", (unsigned long)k,
                    lazy ? ", lazily" : "");
            if (!same(name, how))
                return;
        }
    /* random chunks: small ones, then any size */
    for (i = 0; i < 24 && g_n > 2; i++) {
        size_t at = 0, nc = 0, lim = i < 12 ? 1 + rnd_below(9) : g_n;
        char how[80];
        while (1) {
            at += 1 + rnd_below(lim);
            if (at >= g_n)
                break;
            g_cuts[nc++] = at;
        }
        lazy = (int)(i & 1);
        run_cuts(&g_cur, g_cuts, nc, lazy, g_max);
        sprintf(how, "in %lu random chunks%s", (unsigned long)nc + 1,
                lazy ? ", lazily" : "");
        if (!same(name, how))
            return;
    }
}

/* ==== frames: events ===================================================== */

static unsigned char g_pay[70000];

static void
test_event_kinds(void)
{
    begin(0);
    FR(1, CS_WS_OP_TEXT, "hello");
    X_MSG(CS_WS_OP_TEXT, "hello");
    FR(1, CS_WS_OP_BINARY, "\x00\xff\x80");
    X_MSG(CS_WS_OP_BINARY, "\x00\xff\x80");
    FR(1, CS_WS_OP_PING, "ping!");
    x_ctl(CS_WS_PING, "ping!", 5);
    FR(1, CS_WS_OP_PONG, "pong");
    x_ctl(CS_WS_PONG, "pong", 4);
    FR(1, CS_WS_OP_PING, "");
    x_ctl(CS_WS_PING, "", 0);
    FR(1, CS_WS_OP_PONG, "");
    x_ctl(CS_WS_PONG, "", 0);
    FR(1, CS_WS_OP_TEXT, "");                   /* empty messages */
    X_MSG(CS_WS_OP_TEXT, "");
    FR(1, CS_WS_OP_BINARY, "");
    X_MSG(CS_WS_OP_BINARY, "");
    FR(1, CS_WS_OP_TEXT, "{\"a\":1}");
    X_MSG(CS_WS_OP_TEXT, "{\"a\":1}");
    close_fr(1000, "bye", 3);
    x_close(1000, "bye", 3);
    check_vec("every event kind");
    /* DATA slices were delivered for the non-empty messages */
    CHECK(g_ref.data_events >= 3);

    begin(0);
    head(0x88, 0, 0);                           /* empty close */
    x_close(1005, "", 0);
    check_vec("empty close: status 1005");

    begin(0);
    FR(1, CS_WS_OP_PING, "\x00\x01\x02");
    x_ctl(CS_WS_PING, "\x00\x01\x02", 3);
    fill(g_pay, 125, 1);
    frame(1, CS_WS_OP_PING, g_pay, 125);        /* the largest ping */
    x_ctl(CS_WS_PING, g_pay, 125);
    frame(1, CS_WS_OP_PONG, g_pay, 125);
    x_ctl(CS_WS_PONG, g_pay, 125);
    close_fr(1001, g_pay, 123);                 /* the largest close */
    x_close(1001, g_pay, 123);
    check_vec("control frames of 125 bytes");
}

static void
test_lengths(void)
{
    static const size_t sizes[] = { 125, 126, 127, 300, 65535 };
    size_t i;

    begin(0);
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int op = i & 1 ? CS_WS_OP_BINARY : CS_WS_OP_TEXT;
        fill(g_pay, sizes[i], (unsigned)i);
        frame(1, op, g_pay, sizes[i]);
        x_msg(op, g_pay, sizes[i]);
    }
    check_vec("7-bit and 16-bit lengths: 125, 126, 127, 300, 65535");
    CHECK(g_n == 2 + 4 + 4 + 4 + 4 + 125 + 126 + 127 + 300 + 65535);

    begin(0);
    fill(g_pay, 65536, 5);
    frame(1, CS_WS_OP_BINARY, g_pay, 65536);    /* 64-bit length */
    x_msg(CS_WS_OP_BINARY, g_pay, 65536);
    FR(1, CS_WS_OP_TEXT, "after");
    X_MSG(CS_WS_OP_TEXT, "after");
    check_vec("64-bit length: 65536");
    CHECK(g_vec[1] == 127 && g_n == 10 + 65536 + 7);

    begin(0);
    fill(g_pay, 70000, 7);
    frame(0, CS_WS_OP_TEXT, g_pay, 70000);      /* 64-bit fragment */
    frame(1, CS_WS_OP_CONT, g_pay, 200);        /* 16-bit */
    x_msg(CS_WS_OP_TEXT, g_pay, 70000);
    memcpy(g_exp.store + g_exp.used, g_pay, 200);   /* the same message */
    g_exp.used += 200;
    g_exp.e[g_exp.n - 1].len += 200;
    check_vec("text: 64-bit fragment, 16-bit continuation");
}

static void
test_fragments(void)
{
    static const char text[] =
        "The quick brown fox jumps over the lazy dog; "
        "Falsches \xc3\x9c" "ben von Xylophonmusik qu\xc3\xa4lt jeden "
        "gr\xc3\xb6\xc3\x9f" "eren Zwerg \xe2\x82\xac \xf0\x9f\x98\x80.";
    size_t n = sizeof text - 1, at = 0, step = 0;
    int first = 1;

    begin(0);
    FR(0, CS_WS_OP_TEXT, "Hel");
    FR(1, CS_WS_OP_PING, "p1");
    x_ctl(CS_WS_PING, "p1", 2);
    FR(0, CS_WS_OP_CONT, "lo, ");
    FR(1, CS_WS_OP_PONG, "");
    x_ctl(CS_WS_PONG, "", 0);
    FR(0, CS_WS_OP_CONT, " wor");
    FR(1, CS_WS_OP_PING, "");
    x_ctl(CS_WS_PING, "", 0);
    FR(1, CS_WS_OP_CONT, "ld");
    X_MSG(CS_WS_OP_TEXT, "Hello,  world");
    check_vec("text in fragments with pings and pongs between");

    /* many fragments of 0..7 bytes, cut inside UTF-8 characters too,
     * with a ping or pong after every third */
    begin(0);
    while (at < n) {
        size_t k = step % 8 < n - at ? step % 8 : n - at;
        frame(at + k == n, first ? CS_WS_OP_TEXT : CS_WS_OP_CONT,
              text + at, k);
        first = 0;
        at += k;
        if (step % 3 == 2 && at < n) {
            frame(1, step & 1 ? CS_WS_OP_PING : CS_WS_OP_PONG, "x", 1);
            x_ctl(step & 1 ? CS_WS_PING : CS_WS_PONG, "x", 1);
        }
        step++;
    }
    x_msg(CS_WS_OP_TEXT, text, n);
    FR(1, CS_WS_OP_TEXT, "next");
    X_MSG(CS_WS_OP_TEXT, "next");
    check_vec("text in many fragments of 0..7 bytes");

    begin(0);
    FR(0, CS_WS_OP_TEXT, "");
    FR(0, CS_WS_OP_CONT, "");
    FR(1, CS_WS_OP_CONT, "");
    X_MSG(CS_WS_OP_TEXT, "");
    FR(0, CS_WS_OP_BINARY, "");
    FR(0, CS_WS_OP_CONT, "\x01");
    FR(0, CS_WS_OP_CONT, "");
    FR(1, CS_WS_OP_CONT, "\x02\x03");
    X_MSG(CS_WS_OP_BINARY, "\x01\x02\x03");
    FR(0, CS_WS_OP_TEXT, "ab");
    FR(1, CS_WS_OP_CONT, "");
    X_MSG(CS_WS_OP_TEXT, "ab");
    check_vec("empty fragments, an empty fragmented message");

    /* the opcode of each message is its own */
    begin(0);
    FR(0, CS_WS_OP_BINARY, "\xff");
    FR(1, CS_WS_OP_CONT, "\xfe");
    X_MSG(CS_WS_OP_BINARY, "\xff\xfe");
    FR(0, CS_WS_OP_TEXT, "t");
    FR(1, CS_WS_OP_CONT, "u");
    X_MSG(CS_WS_OP_TEXT, "tu");
    FR(1, CS_WS_OP_BINARY, "b");
    X_MSG(CS_WS_OP_BINARY, "b");
    check_vec("binary, text, binary messages");

    /* a close between fragments ends the stream; the message never ends */
    begin(0);
    FR(0, CS_WS_OP_TEXT, "ab");
    close_fr(1000, "", 0);
    x_close(1000, "", 0);
    check_vec("close inside a fragmented message");
}

/* ==== frames: header errors ============================================== */

/* A good message first, so that each error comes at a non-zero offset;
 * returns where the bad frame starts. */
static uint64_t
prefix(void)
{
    FR(1, CS_WS_OP_TEXT, "ok");
    X_MSG(CS_WS_OP_TEXT, "ok");
    return g_n;
}

static void
test_header_errors(void)
{
    static const unsigned rsv[] = { 0x40, 0x20, 0x10 };
    static const unsigned ops[] = { 3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF };
    static const uint64_t nonmin16[] = { 0, 1, 125 };
    static const uint64_t nonmin64[] = { 0, 125, 126, 65535 };
    char name[100];
    uint64_t at;
    size_t i;

    for (i = 0; i < 3; i++) {
        begin(0);
        at = prefix();
        head(0x81 | rsv[i], 0, 1);
        put1('x');
        x_err(CS_E_WS_RSV, at + 1, at + 2);
        sprintf(name, "RSV bit 0x%02x on text", rsv[i]);
        check_vec(name);

        begin(0);
        at = prefix();
        head(0x89 | rsv[i], 0, 0);
        x_err(CS_E_WS_RSV, at + 1, at + 2);
        sprintf(name, "RSV bit 0x%02x on ping", rsv[i]);
        check_vec(name);
    }
    for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        begin(0);
        at = prefix();
        head(0x80 | ops[i], 0, 0);
        x_err(CS_E_WS_OPCODE, at + 1, at + 2);
        sprintf(name, "reserved opcode 0x%X", ops[i]);
        check_vec(name);
    }

    begin(0);
    at = prefix();
    put("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);
    x_err(CS_E_WS_MASKED, at + 2, at + 6);
    check_vec("masked text frame (RFC 6455 5.7)");

    begin(0);
    at = prefix();
    put("\x89\x80\x01\x02\x03\x04", 6);
    x_err(CS_E_WS_MASKED, at + 2, at + 6);
    check_vec("masked empty ping");

    /* control frames over 125 bytes */
    fill(g_pay, 300, 3);
    begin(0);
    at = prefix();
    head(0x89, 2, 126);
    put(g_pay, 126);
    x_err(CS_E_WS_CTL_LEN, at + 2, at + 4);
    check_vec("ping of 126 bytes");
    begin(0);
    at = prefix();
    head(0x8A, 2, 300);
    put(g_pay, 300);
    x_err(CS_E_WS_CTL_LEN, at + 2, at + 4);
    check_vec("pong of 300 bytes");
    begin(0);
    at = prefix();
    head(0x88, 2, 126);
    put("\x03\xe8", 2);
    put(g_pay, 124);
    x_err(CS_E_WS_CTL_LEN, at + 2, at + 4);
    check_vec("close of 126 bytes");

    /* fragmented control frames */
    begin(0);
    at = prefix();
    FR(0, CS_WS_OP_PING, "p");
    x_err(CS_E_WS_CTL_FRAG, at + 1, at + 2);
    check_vec("ping with FIN clear");
    begin(0);
    at = prefix();
    FR(0, CS_WS_OP_PONG, "");
    x_err(CS_E_WS_CTL_FRAG, at + 1, at + 2);
    check_vec("pong with FIN clear");
    begin(0);
    at = prefix();
    FR(0, CS_WS_OP_CLOSE, "\x03\xe8");
    x_err(CS_E_WS_CTL_FRAG, at + 1, at + 2);
    check_vec("close with FIN clear");
    begin(0);
    FR(0, CS_WS_OP_TEXT, "a");
    at = g_n;
    FR(0, CS_WS_OP_PING, "");
    x_err(CS_E_WS_CTL_FRAG, at + 1, at + 2);
    check_vec("ping with FIN clear inside a message");

    /* continuation with no message open */
    begin(0);
    FR(1, CS_WS_OP_CONT, "a");
    x_err(CS_E_WS_CONT, 1, 2);
    check_vec("continuation first");
    begin(0);
    FR(0, CS_WS_OP_CONT, "");
    x_err(CS_E_WS_CONT, 1, 2);
    check_vec("continuation first, FIN clear");
    begin(0);
    at = prefix();
    FR(1, CS_WS_OP_CONT, "b");
    x_err(CS_E_WS_CONT, at + 1, at + 2);
    check_vec("continuation after a complete message");
    begin(0);
    FR(0, CS_WS_OP_TEXT, "a");
    FR(1, CS_WS_OP_CONT, "b");
    X_MSG(CS_WS_OP_TEXT, "ab");
    at = g_n;
    FR(1, CS_WS_OP_CONT, "c");
    x_err(CS_E_WS_CONT, at + 1, at + 2);
    check_vec("continuation after a fragmented message ended");

    /* a new message inside a fragmented one */
    begin(0);
    FR(0, CS_WS_OP_TEXT, "a");
    at = g_n;
    FR(1, CS_WS_OP_TEXT, "b");
    x_err(CS_E_WS_NESTED, at + 1, at + 2);
    check_vec("text inside a fragmented text");
    begin(0);
    FR(0, CS_WS_OP_TEXT, "a");
    FR(1, CS_WS_OP_PING, "");
    x_ctl(CS_WS_PING, "", 0);
    at = g_n;
    FR(0, CS_WS_OP_BINARY, "b");
    x_err(CS_E_WS_NESTED, at + 1, at + 2);
    check_vec("binary inside a fragmented text, after a ping");
    begin(0);
    FR(0, CS_WS_OP_BINARY, "a");
    at = g_n;
    FR(0, CS_WS_OP_TEXT, "b");
    x_err(CS_E_WS_NESTED, at + 1, at + 2);
    check_vec("text inside a fragmented binary");

    /* 64-bit length with the top bit set */
    begin(0);
    at = prefix();
    head(0x82, 8, (uint64_t)1 << 63);
    x_err(CS_E_WS_LEN64, at + 3, at + 10);
    check_vec("64-bit length 2^63");
    begin(0);
    at = prefix();
    head(0x81, 8, ~(uint64_t)0);
    x_err(CS_E_WS_LEN64, at + 3, at + 10);
    check_vec("64-bit length 2^64-1");

    /* lengths not in their shortest form */
    for (i = 0; i < sizeof nonmin16 / sizeof nonmin16[0]; i++) {
        begin(0);
        at = prefix();
        head(0x81, 2, nonmin16[i]);
        put(g_pay, (size_t)nonmin16[i]);
        x_err(CS_E_WS_LEN_MINIMAL, at + 4, at + 4);
        sprintf(name, "%lu in the 16-bit form", (unsigned long)nonmin16[i]);
        check_vec(name);
    }
    for (i = 0; i < sizeof nonmin64 / sizeof nonmin64[0]; i++) {
        begin(0);
        at = prefix();
        head(0x82, 8, nonmin64[i]);
        put(g_pay, nonmin64[i] < 300 ? (size_t)nonmin64[i] : 300);
        x_err(CS_E_WS_LEN_MINIMAL, at + 10, at + 10);
        sprintf(name, "%lu in the 64-bit form", (unsigned long)nonmin64[i]);
        check_vec(name);
    }
}

/* ==== frames: the message size limit ==================================== */

static void
test_too_big(void)
{
    uint64_t at;

    fill(g_pay, 400, 9);
    begin(100);
    frame(1, CS_WS_OP_TEXT, g_pay, 100);
    x_msg(CS_WS_OP_TEXT, g_pay, 100);
    frame(1, CS_WS_OP_BINARY, g_pay, 100);
    x_msg(CS_WS_OP_BINARY, g_pay, 100);
    frame(0, CS_WS_OP_TEXT, g_pay, 60);         /* 60 + ping + 40 */
    fill(g_pay + 100, 100, 4);
    frame(1, CS_WS_OP_PING, g_pay + 100, 100);
    x_ctl(CS_WS_PING, g_pay + 100, 100);
    frame(1, CS_WS_OP_CONT, g_pay + 60, 40);
    x_msg(CS_WS_OP_TEXT, g_pay, 100);
    check_vec("limit 100: messages of 100, pings not counted");

    /* over the limit: known from the header, before any payload */
    begin(100);
    at = prefix();
    head(0x81, 0, 101);
    x_err(CS_E_WS_TOO_BIG, at + 2, at + 2);
    check_vec("limit 100: a 101-byte text frame header");
    begin(100);
    at = prefix();
    frame(1, CS_WS_OP_BINARY, g_pay, 101);
    x_err(CS_E_WS_TOO_BIG, at + 2, at + 2);
    check_vec("limit 100: a 101-byte binary frame");
    begin(100);
    at = prefix();
    frame(1, CS_WS_OP_TEXT, g_pay, 300);
    x_err(CS_E_WS_TOO_BIG, at + 4, at + 4);
    check_vec("limit 100: a 300-byte frame (16-bit length)");
    begin(100);
    frame(0, CS_WS_OP_TEXT, g_pay, 60);
    frame(1, CS_WS_OP_PING, "", 0);
    x_ctl(CS_WS_PING, "", 0);
    at = g_n;
    frame(1, CS_WS_OP_CONT, g_pay + 60, 41);
    x_err(CS_E_WS_TOO_BIG, at + 2, at + 2);
    check_vec("limit 100: fragments of 60 and 41");
    begin(100);
    frame(0, CS_WS_OP_BINARY, g_pay, 50);
    frame(0, CS_WS_OP_CONT, g_pay, 0);
    frame(0, CS_WS_OP_CONT, g_pay, 50);
    at = g_n;
    head(0x00, 0, 1);
    x_err(CS_E_WS_TOO_BIG, at + 2, at + 2);
    check_vec("limit 100: fragments of 50, 0, 50 and 1");
}

/* Max 0 is CS_WS_MAX_MESSAGE; a big limit lets big headers through. */
static void
test_default_limit(void)
{
    unsigned char b[200];
    size_t used, at, got = 0;
    int rc;

    begin(0);
    head(0x82, 8, CS_WS_MAX_MESSAGE + 1);
    x_err(CS_E_WS_TOO_BIG, 10, 10);
    check_vec("default limit: CS_WS_MAX_MESSAGE + 1");

    begin(0);
    head(0x82, 8, CS_WS_MAX_MESSAGE);
    fill(g_pay, 100, 1);
    put(g_pay, 100);
    check_vec("default limit: CS_WS_MAX_MESSAGE, partly sent");

    /* the slices of that message come as DATA events */
    memcpy(b, g_vec, g_n);
    cs_ws_init(&g_ws, 0);
    for (at = 0; at < g_n; at += used) {
        size_t len = 0;
        const unsigned char *p;
        rc = cs_ws_feed(&g_ws, b + at, g_n - at, &used);
        if (rc == 0)
            break;
        CHECK(rc == CS_WS_DATA);
        if (rc != CS_WS_DATA)
            break;
        p = cs_ws_payload(&g_ws, &len);
        CHECK(memcmp(p, g_pay + got, len) == 0);
        got += len;
    }
    CHECK(got == 100);
    CHECK(cs_ws_opcode(&g_ws) == CS_WS_OP_BINARY);

    begin((uint64_t)1 << 41);
    head(0x82, 8, (uint64_t)1 << 40);
    put(g_pay, 10);
    check_vec("limit 2^41: a 2^40-byte frame header");
    begin((uint64_t)1 << 41);
    head(0x82, 8, ((uint64_t)1 << 41) + 1);
    x_err(CS_E_WS_TOO_BIG, 10, 10);
    check_vec("limit 2^41: a (2^41+1)-byte frame header");
}

/* ==== frames: close ====================================================== */

static void
test_close(void)
{
    static const int good[] = { 1000, 1001, 1002, 1003, 1007, 1008, 1009,
                                1010, 1011, 1012, 1013, 1014, 3000, 3001,
                                3999, 4000, 4321, 4999 };
    static const int bad[] = { 0, 1, 999, 1004, 1005, 1006, 1015, 1016,
                               1100, 2000, 2999, 5000, 6000, 65535 };
    char name[100];
    uint64_t at;
    size_t i;

    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        begin(0);
        close_fr(good[i], "", 0);
        x_close(good[i], "", 0);
        sprintf(name, "close %d", good[i]);
        check_vec(name);
        begin(0);
        prefix();
        close_fr(good[i], "r\xc3\xa9son", 7);
        x_close(good[i], "r\xc3\xa9son", 7);
        sprintf(name, "close %d with a reason", good[i]);
        check_vec(name);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        begin(0);
        at = prefix();
        close_fr(bad[i], "x", 1);
        x_err(CS_E_WS_CLOSE_STATUS, at + 4, at + 5);
        sprintf(name, "close %d", bad[i]);
        check_vec(name);
    }

    begin(0);
    at = prefix();
    head(0x88, 0, 1);
    put1(0x03);
    x_err(CS_E_WS_CLOSE_LEN, at + 2, at + 3);
    check_vec("close with a 1-byte payload");

    /* the reason must be UTF-8 */
    begin(0);
    at = prefix();
    close_fr(1000, "a\xff", 2);
    x_err(CS_E_WS_CLOSE_UTF8, at + 6, at + 6);
    check_vec("close reason with 0xFF");
    begin(0);
    at = prefix();
    close_fr(1000, "ab\xe2\x82", 4);
    x_err(CS_E_WS_CLOSE_UTF8, at + 8, at + 8);
    check_vec("close reason truncated inside a character");
    begin(0);
    at = prefix();
    close_fr(1001, "\xc0\x80", 2);
    x_err(CS_E_WS_CLOSE_UTF8, at + 5, at + 6);
    check_vec("close reason with an overlong NUL");
    begin(0);
    at = prefix();
    close_fr(1001, "\xed\xa0\x80", 3);
    x_err(CS_E_WS_CLOSE_UTF8, at + 6, at + 7);
    check_vec("close reason with a surrogate");
    begin(0);
    close_fr(1000, "\xf0\x9f\x98\x80 \x00 \xf4\x8f\xbf\xbf", 11);
    x_close(1000, "\xf0\x9f\x98\x80 \x00 \xf4\x8f\xbf\xbf", 11);
    check_vec("close reason: 4-byte characters and U+0000");
    /* the reason has its own validator: an open text message's state
     * does not leak into it */
    begin(0);
    FR(0, CS_WS_OP_TEXT, "\xe2\x82");
    close_fr(1000, "\xac", 1);
    x_err(CS_E_WS_CLOSE_UTF8, 9, 9);
    check_vec("close reason continuing a text message's character");
    begin(0);
    FR(0, CS_WS_OP_TEXT, "\xe2");
    close_fr(1000, "ok", 2);
    x_close(1000, "ok", 2);
    check_vec("close inside a text message with a character open");

    /* nothing may follow a close */
    begin(0);
    close_fr(1000, "", 0);
    x_close(1000, "", 0);
    FR(1, CS_WS_OP_TEXT, "late");
    x_bad(CS_E_WS_AFTER_CLOSE, 4);
    check_vec("a text frame after close");
    begin(0);
    prefix();
    head(0x88, 0, 0);
    x_close(1005, "", 0);
    at = g_n;
    put1(0x00);
    x_bad(CS_E_WS_AFTER_CLOSE, at);
    check_vec("one zero byte after an empty close");
    begin(0);
    close_fr(1001, "bye", 3);
    x_close(1001, "bye", 3);
    FR(1, CS_WS_OP_PING, "");
    x_bad(CS_E_WS_AFTER_CLOSE, 7);
    check_vec("a ping after close");
}

/* ==== frames: UTF-8 ====================================================== */

typedef struct bad_utf8 {
    const char *s;
    size_t n;
    size_t bad;                 /* the first byte that cannot be valid */
    const char *what;
} bad_utf8;

#define BAD(s, at, what) { s, sizeof s - 1, at, what }

static const bad_utf8 g_bad[] = {
    BAD("\xc0\x80", 0, "overlong NUL C0 80"),
    BAD("\xc1\xbf", 0, "overlong C1 BF"),
    BAD("\xe0\x80\x80", 1, "overlong E0 80 80"),
    BAD("\xe0\x9f\xbf", 1, "overlong E0 9F BF"),
    BAD("\xf0\x80\x80\x80", 1, "overlong F0 80 80 80"),
    BAD("\xf0\x8f\xbf\xbf", 1, "overlong F0 8F BF BF"),
    BAD("\xed\xa0\x80", 1, "surrogate ED A0 80"),
    BAD("\xed\xbf\xbf", 1, "surrogate ED BF BF"),
    BAD("\xf4\x90\x80\x80", 1, "U+110000 F4 90 80 80"),
    BAD("\xf5\x80\x80\x80", 0, "F5"),
    BAD("\xf7\xbf\xbf\xbf", 0, "F7"),
    BAD("\xf8\x88\x80\x80\x80", 0, "F8"),
    BAD("\xfc\x84\x80\x80\x80\x80", 0, "FC"),
    BAD("\xfe", 0, "FE"),
    BAD("\xff", 0, "FF"),
    BAD("\x80", 0, "lone continuation 80"),
    BAD("\xbf", 0, "lone continuation BF"),
    BAD("\xc3\x41", 1, "C3 then ASCII"),
    BAD("\xe2\x82\x41", 2, "E2 82 then ASCII"),
    BAD("\xf0\x9f\x98\xc3\xa9", 3, "F0 9F 98 then a new character"),
    BAD("\xc3\xa9\xa9", 2, "one continuation too many"),
};

static void
test_utf8_valid(void)
{
    static const char *edges[] = {
        "\x7f", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf",
        "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80",
        "\xf4\x8f\xbf\xbf"
    };
    static const char smile[] = "\xf0\x9f\x98\x80";
    char name[100];
    size_t i, k;

    begin(0);
    for (i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        frame(1, CS_WS_OP_TEXT, edges[i], strlen(edges[i]));
        x_msg(CS_WS_OP_TEXT, edges[i], strlen(edges[i]));
    }
    FR(1, CS_WS_OP_TEXT, "a\x00" "b");
    X_MSG(CS_WS_OP_TEXT, "a\x00" "b");
    FR(1, CS_WS_OP_TEXT, "\x00");
    X_MSG(CS_WS_OP_TEXT, "\x00");
    check_vec("UTF-8 edges, U+0000");

    /* a 4-byte character split 1/3, 2/2, 3/1 across frames */
    for (k = 1; k < 4; k++) {
        begin(0);
        frame(0, CS_WS_OP_TEXT, smile, k);
        frame(1, CS_WS_OP_CONT, smile + k, 4 - k);
        x_msg(CS_WS_OP_TEXT, smile, 4);
        sprintf(name, "U+1F600 split %lu/%lu across frames",
                (unsigned long)k, (unsigned long)(4 - k));
        check_vec(name);
    }
    /* 1/1/1/1 with empty frames and control frames between: the pings
     * carry bytes that would break the character if they were fed to the
     * text's validator */
    begin(0);
    frame(0, CS_WS_OP_TEXT, "a", 1);
    for (k = 0; k < 4; k++) {
        frame(0, CS_WS_OP_CONT, smile + k, 1);
        frame(0, CS_WS_OP_CONT, "", 0);
        FR(1, CS_WS_OP_PING, "\xff");
        x_ctl(CS_WS_PING, "\xff", 1);
        FR(1, CS_WS_OP_PONG, "A");
        x_ctl(CS_WS_PONG, "A", 1);
    }
    FR(1, CS_WS_OP_CONT, "z");
    X_MSG(CS_WS_OP_TEXT, "a\xf0\x9f\x98\x80z");
    check_vec("U+1F600 in 4 frames, pings between");

    /* binary messages and control payloads are not UTF-8 */
    begin(0);
    FR(1, CS_WS_OP_BINARY, "\xff\xfe\xc0\x80\xed\xa0\x80\xf4\x90\x80\x80\xe2");
    X_MSG(CS_WS_OP_BINARY, "\xff\xfe\xc0\x80\xed\xa0\x80\xf4\x90\x80\x80\xe2");
    FR(0, CS_WS_OP_BINARY, "\xe2");
    FR(1, CS_WS_OP_CONT, "\x41");
    X_MSG(CS_WS_OP_BINARY, "\xe2\x41");
    FR(1, CS_WS_OP_TEXT, "fresh");              /* a new text validator */
    X_MSG(CS_WS_OP_TEXT, "fresh");
    FR(1, CS_WS_OP_PING, "\xff\xc0\x80");
    x_ctl(CS_WS_PING, "\xff\xc0\x80", 3);
    FR(1, CS_WS_OP_PONG, "\xed\xa0\x80\xe2");
    x_ctl(CS_WS_PONG, "\xed\xa0\x80\xe2", 4);
    check_vec("binary, ping and pong payloads are not UTF-8 checked");
}

static void
test_utf8_invalid(void)
{
    char name[120];
    uint64_t at;
    size_t i;

    /* fails at the first byte that cannot be valid */
    for (i = 0; i < sizeof g_bad / sizeof g_bad[0]; i++) {
        const bad_utf8 *b = &g_bad[i];
        unsigned char p[40];
        memcpy(p, "ok ", 3);
        memcpy(p + 3, b->s, b->n);
        memcpy(p + 3 + b->n, " and more text", 14);
        begin(0);
        at = prefix();
        frame(1, CS_WS_OP_TEXT, p, 3 + b->n + 14);
        x_bad(CS_E_WS_UTF8, at + 2 + 3 + b->bad);
        sprintf(name, "text with %s", b->what);
        check_vec(name);
        /* the same, the bad sequence starting in a fragment */
        begin(0);
        frame(0, CS_WS_OP_TEXT, "ok ", 3);
        frame(0, CS_WS_OP_CONT, b->s, 1);
        at = g_n;
        frame(1, CS_WS_OP_CONT, b->s + 1, b->n - 1);
        /* the first byte is at 7, the others at 10.. */
        x_bad(CS_E_WS_UTF8, b->bad == 0 ? 7 : at + 2 + b->bad - 1);
        sprintf(name, "text with %s across fragments", b->what);
        check_vec(name);
    }

    /* a character still open at FIN: fails at the end of that frame */
    begin(0);
    at = prefix();
    FR(1, CS_WS_OP_TEXT, "ab\xe2\x82");
    x_err(CS_E_WS_UTF8, at + 6, at + 6);
    FR(1, CS_WS_OP_TEXT, "next");
    check_vec("text ending inside a character");
    begin(0);
    FR(1, CS_WS_OP_TEXT, "\xc3");
    x_err(CS_E_WS_UTF8, 3, 3);
    check_vec("text of one lead byte");
    begin(0);
    FR(0, CS_WS_OP_TEXT, "\xf0\x9f\x98");
    FR(1, CS_WS_OP_PING, "");
    x_ctl(CS_WS_PING, "", 0);
    FR(1, CS_WS_OP_CONT, "");
    x_err(CS_E_WS_UTF8, 9, 9);
    check_vec("fragmented text ending inside a character");
}

/* Fail fast: the error comes with the bad byte, before the rest of the
 * frame's payload is given, and the slice holding it is not delivered. */
static void
test_utf8_fail_fast(void)
{
    static const char abc[] = "abcdefgh";
    unsigned char f[66];
    size_t i, used, got = 0, len;
    const unsigned char *p;
    int rc = 0;

    f[0] = 0x81;
    f[1] = 64;
    memcpy(f + 2, "abcdefgh", 8);
    f[10] = 0xff;                               /* byte 10 */
    memset(f + 11, 'x', 55);

    cs_ws_init(&g_ws, 0);
    for (i = 0; i < sizeof f; i++) {
        int spin = 0;
        do {
            rc = cs_ws_feed(&g_ws, f + i, 1, &used);
            if (rc == CS_WS_DATA) {
                p = cs_ws_payload(&g_ws, &len);
                if (got + len <= 8 && memcmp(p, &abc[got], len) == 0)
                    got += len;
                else
                    got = 99;
            }
        } while (rc > 0 && used == 0 && ++spin < 5);
        if (rc < 0)
            break;
    }
    CHECKF(rc == CS_E_WS_UTF8 && i == 10, "%s at byte %lu", cs_errname(rc),
           (unsigned long)i);
    CHECK(got == 8);
    CHECK(cs_ws_offset(&g_ws) == 10 || cs_ws_offset(&g_ws) == 11);

    /* given the bytes up to the bad one only: the error, no slice */
    cs_ws_init(&g_ws, 0);
    rc = cs_ws_feed(&g_ws, f, 11, &used);
    CHECKF(rc == CS_E_WS_UTF8, "%s", cs_errname(rc));
    /* and whole */
    cs_ws_init(&g_ws, 0);
    rc = cs_ws_feed(&g_ws, f, sizeof f, &used);
    CHECKF(rc == CS_E_WS_UTF8, "%s", cs_errname(rc));
    CHECK(cs_ws_offset(&g_ws) == 10 || cs_ws_offset(&g_ws) == 11);
}

/* ==== frames: sticky errors and reuse ==================================== */

static void
test_sticky(void)
{
    static const unsigned char good[] = { 0x81, 0x02, 'h', 'i' };
    static const unsigned char rsv[] = { 0xC1, 0x00 };
    size_t used, len;
    uint64_t off;
    int i;

    cs_ws_init(&g_ws, 0);
    CHECK(cs_ws_feed(&g_ws, rsv, 2, &used) == CS_E_WS_RSV);
    off = cs_ws_offset(&g_ws);
    for (i = 0; i < 3; i++) {
        CHECK(cs_ws_feed(&g_ws, good, 4, &used) == CS_E_WS_RSV);
        CHECK(cs_ws_feed(&g_ws, good, 0, &used) == CS_E_WS_RSV);
    }
    CHECK(cs_ws_offset(&g_ws) == off);
    /* cs_ws_init() starts over */
    cs_ws_init(&g_ws, 0);
    CHECK(cs_ws_offset(&g_ws) == 0);
    CHECK(cs_ws_feed(&g_ws, good, 4, &used) == CS_WS_DATA);
    CHECK(used == 4);
    CHECK(memcmp(cs_ws_payload(&g_ws, &len), "hi", 2) == 0 && len == 2);
    CHECK(cs_ws_feed(&g_ws, good + 4, 0, &used) == CS_WS_END);
    CHECK(cs_ws_opcode(&g_ws) == CS_WS_OP_TEXT);
    CHECK(cs_ws_offset(&g_ws) == 4);
    /* after a close and the error that follows it */
    cs_ws_init(&g_ws, 0);
    CHECK(cs_ws_feed(&g_ws, (const unsigned char *)"\x88\x00", 2, &used)
          == CS_WS_CLOSE);
    CHECK(cs_ws_close_status(&g_ws) == 1005);
    CHECK(cs_ws_feed(&g_ws, good, 0, &used) == 0);
    CHECK(cs_ws_feed(&g_ws, good, 4, &used) == CS_E_WS_AFTER_CLOSE);
    CHECK(cs_ws_feed(&g_ws, good, 4, &used) == CS_E_WS_AFTER_CLOSE);
    cs_ws_init(&g_ws, 0);
    CHECK(cs_ws_feed(&g_ws, good, 4, &used) == CS_WS_DATA);
}

/* ==== status codes ======================================================= */

static void
test_status_valid(void)
{
    int s, bad = 0;

    for (s = -70000; s <= 70000; s++) {
        int want = (s >= 1000 && s <= 1003) || (s >= 1007 && s <= 1014)
                   || (s >= 3000 && s <= 4999);
        if (cs_ws_status_valid(s) != want && bad++ < 5)
            CHECKF(0, "cs_ws_status_valid(%d) = %d", s,
                   cs_ws_status_valid(s));
    }
}

static void
test_fail_status(void)
{
    static const int proto[] = {
        CS_E_WS_RSV, CS_E_WS_OPCODE, CS_E_WS_MASKED, CS_E_WS_CTL_LEN,
        CS_E_WS_CTL_FRAG, CS_E_WS_CONT, CS_E_WS_NESTED, CS_E_WS_LEN64,
        CS_E_WS_LEN_MINIMAL, CS_E_WS_CLOSE_LEN, CS_E_WS_CLOSE_STATUS
    };
    size_t i;

    CHECK(cs_ws_fail_status(CS_E_WS_UTF8) == 1007);
    CHECK(cs_ws_fail_status(CS_E_WS_CLOSE_UTF8) == 1007);
    CHECK(cs_ws_fail_status(CS_E_WS_TOO_BIG) == 1009);
    for (i = 0; i < sizeof proto / sizeof proto[0]; i++)
        CHECKF(cs_ws_fail_status(proto[i]) == 1002, "%s: %d",
               cs_errname(proto[i]), cs_ws_fail_status(proto[i]));
    CHECK(cs_ws_fail_status(CS_E_JSON_SYNTAX) == 1011);
    CHECK(cs_ws_fail_status(CS_E_BUFFER) == 1011);
    CHECK(cs_ws_fail_status(CS_E_IO) == 1011);
}

/* ==== encoding client frames ============================================= */

/* The frame as RFC 6455 5.2 lays it out, built here byte by byte. */
static size_t
ref_frame(unsigned char *o, int op, const unsigned char *p, size_t n,
          const unsigned char key[4])
{
    size_t h = 0, i;

    o[h++] = (unsigned char)(0x80 | op);
    if (n < 126) {
        o[h++] = (unsigned char)(0x80 | n);
    } else if (n < 65536) {
        o[h++] = 0x80 | 126;
        o[h++] = (unsigned char)(n >> 8);
        o[h++] = (unsigned char)(n & 0xff);
    } else {
        o[h++] = 0x80 | 127;
        for (i = 0; i < 8; i++)
            o[h++] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
    }
    memcpy(o + h, key, 4);
    h += 4;
    for (i = 0; i < n; i++)
        o[h + i] = (unsigned char)(p[i] ^ key[i % 4]);
    return h + n;
}

#define OUT_MAX (70200 + 14)
#define FENCE 64
static unsigned char g_out[OUT_MAX + FENCE], g_want[OUT_MAX];

/* out[cap..cap+FENCE) untouched? */
static int
fence_ok(size_t cap)
{
    size_t i;
    for (i = cap; i < cap + FENCE; i++)
        if (g_out[i] != 0xA5)
            return 0;
    return 1;
}

static void
test_frame(void)
{
    static const unsigned char rfc_key[4] = { 0x37, 0xfa, 0x21, 0x3d };
    static const unsigned char hello[] = { 0x81, 0x85, 0x37, 0xfa, 0x21,
                                           0x3d, 0x7f, 0x9f, 0x4d, 0x51,
                                           0x58 };
    static const unsigned char keys[3][4] = {
        { 0x37, 0xfa, 0x21, 0x3d }, { 0, 0, 0, 0 }, { 0xff, 0x01, 0x80, 0x7f }
    };
    static const size_t sizes[] = { 0, 1, 3, 4, 5, 125, 126, 127, 300,
                                    65535, 65536, 70000 };
    static const int ops[] = { CS_WS_OP_TEXT, CS_WS_OP_BINARY };
    static const int ctl[] = { CS_WS_OP_PING, CS_WS_OP_PONG, CS_WS_OP_CLOSE };
    size_t i, k, o, n, want, cap;

    /* RFC 6455 5.7: a masked "Hello"; and the masked pong of it */
    memset(g_out, 0xA5, sizeof g_out);
    n = cs_ws_frame(g_out, OUT_MAX, CS_WS_OP_TEXT, "Hello", 5, rfc_key);
    CHECK(n == 11 && memcmp(g_out, hello, 11) == 0);
    n = cs_ws_frame(g_out, OUT_MAX, CS_WS_OP_PONG, "Hello", 5, rfc_key);
    CHECK(n == 11 && g_out[0] == 0x8a && memcmp(g_out + 1, hello + 1, 10)
          == 0);
    CHECK(fence_ok(11));

    fill(g_pay, 70000, 2);
    for (k = 0; k < 3; k++)
        for (o = 0; o < 2; o++)
            for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
                want = ref_frame(g_want, ops[o], g_pay, sizes[i], keys[k]);
                memset(g_out, 0xA5, want + FENCE);
                n = cs_ws_frame(g_out, want, ops[o], g_pay, sizes[i],
                                keys[k]);
                CHECKF(n == want && memcmp(g_out, g_want, want) == 0
                       && fence_ok(want), "opcode %d, %lu bytes, key %lu: "
                       "%lu bytes, want %lu", ops[o],
                       (unsigned long)sizes[i], (unsigned long)k,
                       (unsigned long)n, (unsigned long)want);
                /* one byte short: 0, and nothing written past cap */
                memset(g_out, 0xA5, want + FENCE);
                CHECK(cs_ws_frame(g_out, want - 1, ops[o], g_pay, sizes[i],
                                  keys[k]) == 0);
                CHECK(fence_ok(want - 1));
            }
    /* the length forms: the exact header bytes */
    n = cs_ws_frame(g_out, OUT_MAX, CS_WS_OP_BINARY, g_pay, 256, keys[1]);
    CHECK(n == 8 + 256 && memcmp(g_out, "\x82\xfe\x01\x00\0\0\0\0", 8) == 0);
    n = cs_ws_frame(g_out, OUT_MAX, CS_WS_OP_BINARY, g_pay, 65536, keys[1]);
    CHECK(n == 14 + 65536 && memcmp(g_out, "\x82\xff\0\0\0\0\0\x01\0\0"
                                    "\0\0\0\0", 14) == 0);
    n = cs_ws_frame(g_out, OUT_MAX, CS_WS_OP_TEXT, g_pay, 125, keys[1]);
    CHECK(n == 6 + 125 && g_out[1] == 0xfd);
    /* every cap below the size of a small frame */
    want = ref_frame(g_want, CS_WS_OP_TEXT, g_pay, 5, keys[2]);
    for (cap = 0; cap < want; cap++) {
        memset(g_out, 0xA5, sizeof g_out);
        CHECKF(cs_ws_frame(g_out, cap, CS_WS_OP_TEXT, g_pay, 5, keys[2])
               == 0 && fence_ok(cap), "cap %lu", (unsigned long)cap);
    }
    /* control frames: up to 125 bytes */
    for (o = 0; o < 3; o++) {
        for (i = 0; i <= 125; i += 25) {
            want = ref_frame(g_want, ctl[o], g_pay, i, keys[0]);
            n = cs_ws_frame(g_out, OUT_MAX, ctl[o], g_pay, i, keys[0]);
            CHECKF(n == want && memcmp(g_out, g_want, n) == 0,
                   "opcode %d, %lu bytes", ctl[o], (unsigned long)i);
        }
        CHECKF(cs_ws_frame(g_out, OUT_MAX, ctl[o], g_pay, 126, keys[0]) == 0,
               "opcode %d, 126 bytes", ctl[o]);
        CHECK(cs_ws_frame(g_out, OUT_MAX, ctl[o], g_pay, 65536, keys[0])
              == 0);
    }
}

/* The reason cut to at most 123 bytes, at a character boundary. */
static size_t
ref_cut(const unsigned char *r, size_t n)
{
    size_t m = 123;
    if (n <= 123)
        return n;
    while (m > 0 && (r[m] & 0xC0) == 0x80)
        m--;
    return m;
}

static void
test_close_frame(void)
{
    static const unsigned char key[4] = { 0x12, 0x34, 0x56, 0x78 };
    static const int good[] = { 1000, 1001, 1002, 1003, 1007, 1011, 1012,
                                1013, 1014, 3000, 4000, 4999 };
    static const int bad[] = { -1, 1, 999, 1004, 1005, 1006, 1015, 5000,
                               65535, 66536 };
    static const struct { size_t ascii; const char *tail; size_t keep; }
    cuts[] = {
        { 123, "", 123 }, { 124, "", 123 }, { 200, "", 123 },
        { 122, "\xe2\x82\xac", 122 }, { 121, "\xe2\x82\xac", 121 },
        { 120, "\xe2\x82\xac", 123 }, { 121, "\xf0\x9f\x98\x80", 121 },
        { 120, "\xf0\x9f\x98\x80", 120 }, { 119, "\xf0\x9f\x98\x80", 123 },
        { 122, "\xc3\xa9", 122 }, { 121, "\xc3\xa9", 123 },
    };
    unsigned char pl[300], reason[300];
    size_t i, n, want, m;

    /* 1000 and no reason: FIN|close, 0x80|2, key, 03 E8 masked */
    memset(g_out, 0xA5, sizeof g_out);
    n = cs_ws_close_frame(g_out, OUT_MAX, 1000, "", 0, key);
    CHECK(n == 8 && memcmp(g_out, "\x88\x82\x12\x34\x56\x78", 6) == 0
          && g_out[6] == (0x03 ^ 0x12) && g_out[7] == (0xe8 ^ 0x34));
    CHECK(fence_ok(8));
    /* status 0: an empty close */
    n = cs_ws_close_frame(g_out, OUT_MAX, 0, NULL, 0, key);
    CHECK(n == 6 && memcmp(g_out, "\x88\x80\x12\x34\x56\x78", 6) == 0);
    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        pl[0] = (unsigned char)(good[i] >> 8);
        pl[1] = (unsigned char)(good[i] & 0xff);
        memcpy(pl + 2, "going away", 10);
        want = ref_frame(g_want, CS_WS_OP_CLOSE, pl, 12, key);
        n = cs_ws_close_frame(g_out, OUT_MAX, good[i], "going away", 10,
                              key);
        CHECKF(n == want && memcmp(g_out, g_want, n) == 0, "status %d",
               good[i]);
        /* too small a buffer */
        memset(g_out, 0xA5, sizeof g_out);
        CHECK(cs_ws_close_frame(g_out, want - 1, good[i], "going away", 10,
                                key) == 0 && fence_ok(want - 1));
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECKF(cs_ws_close_frame(g_out, OUT_MAX, bad[i], "x", 1, key) == 0,
               "status %d", bad[i]);
    /* long reasons: cut to 123 bytes at a character boundary */
    for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        size_t tl = strlen(cuts[i].tail), rn = cuts[i].ascii + tl;
        memset(reason, 'r', cuts[i].ascii);
        memcpy(reason + cuts[i].ascii, cuts[i].tail, tl);
        m = ref_cut(reason, rn);
        CHECK(m == cuts[i].keep);       /* the reference itself */
        pl[0] = 0x03;
        pl[1] = 0xe9;
        memcpy(pl + 2, reason, m);
        want = ref_frame(g_want, CS_WS_OP_CLOSE, pl, 2 + m, key);
        n = cs_ws_close_frame(g_out, OUT_MAX, 1001, (const char *)reason, rn,
                              key);
        CHECKF(n == want && memcmp(g_out, g_want, n) == 0,
               "reason of %lu bytes: frame of %lu bytes, want %lu",
               (unsigned long)rn, (unsigned long)n, (unsigned long)want);
    }
    /* 41 euro signs fit exactly; 42 are cut to 41 */
    for (i = 0; i < 42; i++)
        memcpy(reason + 3 * i, "\xe2\x82\xac", 3);
    n = cs_ws_close_frame(g_out, OUT_MAX, 1000, (const char *)reason, 126,
                          key);
    CHECK(n == 2 + 4 + 125 && g_out[1] == (0x80 | 125));
    n = cs_ws_close_frame(g_out, OUT_MAX, 1000, (const char *)reason, 123,
                          key);
    CHECK(n == 2 + 4 + 125);
}

/* ==== round trip ========================================================= */

/* A client frame as a server would send it: mask bit clear, no key,
 * payload unmasked. */
static size_t
unmask(unsigned char *o, const unsigned char *f, size_t n)
{
    size_t h = 2, i, k;

    if ((f[1] & 0x7f) == 126)
        h = 4;
    else if ((f[1] & 0x7f) == 127)
        h = 10;
    memcpy(o, f, h);
    o[1] &= 0x7f;
    for (i = h + 4, k = 0; i < n; i++, k++)
        o[h + k] = (unsigned char)(f[i] ^ f[h + (k % 4)]);
    return n - 4;
}

static void
test_round_trip(void)
{
    static const unsigned char key[4] = { 0xa1, 0xb2, 0xc3, 0xd4 };
    static const char text[] = "Gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac \xf0\x9f"
                               "\x98\x80";
    size_t n;

    fill(g_pay, 70000, 8);
    begin(0);
    n = cs_ws_frame(g_out, OUT_MAX, CS_WS_OP_TEXT, text, sizeof text - 1,
                    key);
    g_n += unmask(g_vec + g_n, g_out, n);
    X_MSG(CS_WS_OP_TEXT, text);
    n = cs_ws_frame(g_out, OUT_MAX, CS_WS_OP_BINARY, g_pay, 300, key);
    g_n += unmask(g_vec + g_n, g_out, n);
    x_msg(CS_WS_OP_BINARY, g_pay, 300);
    n = cs_ws_frame(g_out, OUT_MAX, CS_WS_OP_PING, "ping", 4, key);
    g_n += unmask(g_vec + g_n, g_out, n);
    x_ctl(CS_WS_PING, "ping", 4);
    n = cs_ws_frame(g_out, OUT_MAX, CS_WS_OP_PONG, "", 0, key);
    g_n += unmask(g_vec + g_n, g_out, n);
    x_ctl(CS_WS_PONG, "", 0);
    n = cs_ws_frame(g_out, OUT_MAX, CS_WS_OP_BINARY, g_pay, 65536, key);
    g_n += unmask(g_vec + g_n, g_out, n);
    x_msg(CS_WS_OP_BINARY, g_pay, 65536);
    n = cs_ws_close_frame(g_out, OUT_MAX, 4000, text, sizeof text - 1, key);
    g_n += unmask(g_vec + g_n, g_out, n);
    x_close(4000, text, sizeof text - 1);
    check_vec("client frames, unmasked, decoded");

    begin(0);
    n = cs_ws_close_frame(g_out, OUT_MAX, 0, NULL, 0, key);
    g_n += unmask(g_vec + g_n, g_out, n);
    x_close(1005, "", 0);
    check_vec("an empty close, unmasked, decoded");
}

int
main(void)
{
    TEST(test_sha1);
#if CS_HAS_TLS
    TEST(test_sha1_vs_bearssl);
#endif
    TEST(test_base64);
    TEST(test_accept_example);
    TEST(test_event_kinds);
    TEST(test_lengths);
    TEST(test_fragments);
    TEST(test_header_errors);
    TEST(test_too_big);
    TEST(test_default_limit);
    TEST(test_close);
    TEST(test_utf8_valid);
    TEST(test_utf8_invalid);
    TEST(test_utf8_fail_fast);
    TEST(test_sticky);
    TEST(test_status_valid);
    TEST(test_fail_status);
    TEST(test_frame);
    TEST(test_close_frame);
    TEST(test_round_trip);
    printf("%ld runs compared with their reference\n", g_runs);
    return TEST_SUMMARY();
}
