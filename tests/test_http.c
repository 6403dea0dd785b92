/* test_http.c - unit tests of the HTTP/1.1 response parser (cs_http_*).
 *
 * Every response goes through run_all(), which feeds it to a fresh
 * cs_http whole, 1 byte at a time, split at every offset into two
 * chunks, and in random chunks. Each run writes a transcript (every
 * event but the body slices, which are gathered apart, the result, the
 * bytes used, and what the accessors say at the end); all runs must give
 * the same transcript and body, equal to the expected ones. Each call gets
 * an exact-size heap copy of its bytes, so a sanitizer build sees a read
 * past them, and is checked against the contract (*used <= len, all of
 * it used when it returns 0, errors sticky). */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "test.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ==== helpers ============================================================ */

#define NOW ((int64_t)784111777)   /* Sun, 06 Nov 1994 08:49:37 GMT */

typedef struct run {
    char tr[8192];                 /* the transcript */
    size_t trn;
    unsigned char *body;           /* the body slices, joined */
    size_t bn, bcap;
    int contract;                  /* a contract violation seen */
} run;

static void
tr_add(run *r, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(r->tr + r->trn, sizeof r->tr - r->trn, fmt, ap);
    va_end(ap);
    if (n > 0)
        r->trn += (size_t)n < sizeof r->tr - r->trn ? (size_t)n
                                                     : sizeof r->tr - r->trn - 1;
}

static void
body_add(run *r, const unsigned char *p, size_t n)
{
    if (r->bn + n > r->bcap) {
        r->bcap = (r->bn + n) * 2 + 64;
        r->body = (unsigned char *)realloc(r->body, r->bcap);
        if (r->body == NULL)
            exit(2);
    }
    memcpy(r->body + r->bn, p, n);
    r->bn += n;
}

/* Record one event. */
static void
tr_event(run *r, const cs_http *h, int e)
{
    const char *nm, *v;
    size_t nl, vl;
    int cut;

    switch (e) {
    case CS_HTTP_STATUS:
        tr_add(r, "S%d;", cs_http_status(h));
        break;
    case CS_HTTP_FIELD:
        cut = cs_http_field(h, &nm, &nl, &v, &vl);
        tr_add(r, "F%.*s=%.*s%s;", (int)nl, nm, (int)(vl > 40 ? 40 : vl), v,
               cut ? "!" : "");
        break;
    case CS_HTTP_HEAD:
        tr_add(r, "H%d,%llu,%d;", cs_http_framing(h),
               (unsigned long long)cs_http_content_length(h),
               cs_http_encoding(h));
        break;
    case CS_HTTP_BODY: {
        size_t n;
        const unsigned char *p = cs_http_body(h, &n);
        if (n == 0)
            r->contract = 1;       /* a slice is never empty */
        body_add(r, p, n);
        break;
    }
    case CS_HTTP_DONE:
        tr_add(r, "D;");
        break;
    default:
        tr_add(r, "?%d;", e);
        break;
    }
}

/* Feed d[0..n) cut at cuts[0..nc) (increasing, inside (0, n)); eof: then
 * report the end of the link. */
static void
drive(run *r, unsigned flags, const unsigned char *d, size_t n,
      const size_t *cuts, size_t nc, int eof)
{
    cs_http h;
    size_t at = 0, k, total = 0;
    int res = 0, done = 0;

    memset(r, 0, sizeof *r);
    cs_http_init(&h, flags);
    for (k = 0; k <= nc && !done && res >= 0; k++) {
        size_t end = k < nc ? cuts[k] : n;
        size_t len = end - at, off = 0;
        unsigned char *c = (unsigned char *)xmalloc(len);

        memcpy(c, d + at, len);
        for (;;) {
            size_t used = 99999;
            res = cs_http_feed(&h, c + off, len - off, &used);
            if (used > len - off || (res == 0 && used != len - off))
                r->contract = 1;
            if (res == CS_HTTP_BODY) {
                size_t bl;
                const unsigned char *bp = cs_http_body(&h, &bl);
                if (bp < c + off || bp + bl > c + off + used)
                    r->contract = 1;   /* the slice is in this input */
            }
            off += used;
            total += used;
            if (res <= 0)
                break;
            tr_event(r, &h, res);
            if (res == CS_HTTP_DONE) {
                done = 1;
                break;
            }
        }
        free(c);
        at = end;
    }
    if (res < 0) {
        size_t used = 7;
        /* sticky */
        if (cs_http_feed(&h, d, n, &used) != res || used != 0)
            r->contract = 1;
    } else if (eof && !done) {
        res = cs_http_eof(&h);
        if (res == CS_HTTP_DONE)
            tr_add(r, "D;");
    }
    tr_add(r, "R%d,u%zu,k%d,L%s,A%ld", res, total, cs_http_keep_alive(&h),
           cs_http_location(&h), cs_http_retry_after(&h, NOW));
}

/* Run r agrees with the reference run a. */
static int
same(const run *r, const run *a)
{
    return !r->contract && strcmp(r->tr, a->tr) == 0 && r->bn == a->bn
        && (r->bn == 0 || memcmp(r->body, a->body, r->bn) == 0);
}

/* Every way of cutting: the transcripts and bodies must all agree.
 * Returns the whole run's transcript in out (and its body). */
static int
run_all(unsigned flags, const char *s, size_t n, int eof, run *out)
{
    const unsigned char *d = (const unsigned char *)s;
    size_t *cuts = (size_t *)xcalloc((n + 1) * sizeof *cuts);
    size_t i, k;
    run r;
    int ok = 1;

    memset(cuts, 0, (n + 1) * sizeof *cuts); /* gcc: "may be unset" */
    drive(out, flags, d, n, NULL, 0, eof);
    ok &= !out->contract;
    /* one byte at a time */
    for (i = 1; i < n; i++)
        cuts[i - 1] = i;
    drive(&r, flags, d, n, cuts, n > 0 ? n - 1 : 0, eof);
    ok &= same(&r, out);
    if (!ok)
        fprintf(stderr, "  bytewise: %s\n  whole:    %s\n", r.tr, out->tr);
    free(r.body);
    /* two chunks, at every offset (not all for long inputs) */
    for (i = 1; i < n && ok; i += n > 4000 ? 1 + n / 500 : 1) {
        cuts[0] = i;
        drive(&r, flags, d, n, cuts, 1, eof);
        ok &= same(&r, out);
        if (!ok)
            fprintf(stderr, "  split %zu: %s\n", i, r.tr);
        free(r.body);
    }
    /* random chunks */
    for (k = 0; k < 20 && ok && n > 2; k++) {
        size_t nc = 0, at = 0;
        while (1) {
            at += 1 + (size_t)(rnd() % (k < 10 ? 7 : 200));
            if (at >= n)
                break;
            cuts[nc++] = at;
        }
        drive(&r, flags, d, n, cuts, nc, eof);
        ok &= same(&r, out);
        if (!ok)
            fprintf(stderr, "  random: %s\n", r.tr);
        free(r.body);
    }
    free(cuts);
    return ok;
}

/* Check one response: the transcript (and the body, if not NULL). */
static void
expect(unsigned flags, const char *s, int eof, const char *tr,
       const char *body)
{
    run r;
    int ok = run_all(flags, s, strlen(s), eof, &r);

    CHECKF(ok, "split-variant or contract: %s", s);
    CHECKF(strcmp(r.tr, tr) == 0, "\n  input %s\n  got  %s\n  want %s", s,
           r.tr, tr);
    if (body != NULL)
        CHECKF(r.bn == strlen(body)
                   && (r.bn == 0 || memcmp(r.body, body, r.bn) == 0),
               "body of %s: %.*s", s, (int)r.bn, (const char *)r.body);
    free(r.body);
}

/* The result code of a response (any transcript). */
static int
result_of(unsigned flags, const char *s, size_t n, int eof)
{
    run r;
    const char *p;
    int ok = run_all(flags, s, n, eof, &r);

    CHECKF(ok, "split-variant or contract: %.60s", s);
    free(r.body);
    p = strrchr(r.tr, ';');
    p = p != NULL ? p + 1 : r.tr;   /* "R<result>,u..." */
    return atoi(p + 1);
}

/* ==== tests ============================================================== */

/* result_of() for a string literal. */
#define RES(flags, lit, eof) result_of((flags), (lit), sizeof(lit) - 1, (eof))

#define F CS_HTTP_FIELDS

static void
test_basic(void)
{
    expect(0, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 0,
           "H1,5,0;D;R5,u43,k1,L,A-1", "hello");
    expect(F, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  b c \r\n\r\n"
              "helloEXTRA", 0,
           "S200;FContent-Length=5;FX-A=b c;H1,5,0;D;R5,u55,k1,L,A-1",
           "hello");
    /* an empty body, and a status line with no reason */
    expect(0, "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", 0,
           "H1,0,0;D;R5,u35,k1,L,A-1", "");
    expect(0, "HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n", 0,
           "H1,0,0;D;R5,u36,k1,L,A-1", "");
    /* no body: 1xx, 204, 304, and NO_BODY (HEAD, upgrade) */
    expect(0, "HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\nX", 0,
           "H0,18446744073709551615,0;D;R5,u46,k1,L,A-1", "");
    expect(0, "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: x\r\n\r\n",
           0, "H0,18446744073709551615,0;D;R5,u51,k1,L,A-1", "");
    expect(0, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n", 0,
           "H0,18446744073709551615,0;D;R5,u25,k1,L,A-1", "");
    expect(CS_HTTP_NO_BODY,
           "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\nbody", 0,
           "H0,18446744073709551615,0;D;R5,u38,k1,L,A-1", "");
    /* until close: the body ends with the link */
    expect(0, "HTTP/1.1 200 OK\r\n\r\nsome body", 1,
           "H3,18446744073709551615,0;D;R5,u28,k0,L,A-1", "some body");
    expect(0, "HTTP/1.1 200 OK\r\n\r\n", 1,
           "H3,18446744073709551615,0;D;R5,u19,k0,L,A-1", "");
    /* the link ends early */
    expect(0, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", 1,
           "H1,5,0;R-114,u41,k0,L,A-1", "hel");
    expect(0, "HTTP/1.1 200 OK\r\nContent-Le", 1, "R-114,u27,k0,L,A-1",
           "");
    /* bare LF line ends (RFC 9112 2.2) */
    expect(0, "HTTP/1.1 200 OK\nContent-Length: 2\n\nab", 0,
           "H1,2,0;D;R5,u37,k1,L,A-1", "ab");
}

static void
test_chunked(void)
{
    expect(0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
              "5\r\nhello\r\n6;ext=1;b=\"q\"\r\n world\r\n"
              "0\r\nX-T: 1\r\n\r\nNEXT", 0,
           "H2,18446744073709551615,0;D;R5,u93,k1,L,A-1", "hello world");
    /* upper-case hex, leading zeros, bare LF, whitespace before ';' */
    expect(0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
              "000A \t;x\nabcdefghij\n0\n\n", 0,
           "H2,18446744073709551615,0;D;R5,u70,k1,L,A-1", "abcdefghij");
    /* the largest chunk size, 2^63 - 1, then the link ends */
    expect(0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
              "7fffffffffffffff\r\nabc", 1,
           "H2,18446744073709551615,0;R-114,u68,k0,L,A-1", "abc");
    expect(0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
              "8000000000000000\r\nabc", 0,
           "H2,18446744073709551615,0;R-111,u63,k0,L,A-1", "");
    expect(0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
              "fffffffffffffffffff\r\n", 0,
           "H2,18446744073709551615,0;R-111,u63,k0,L,A-1", "");
    /* malformed size lines */
    CHECK(RES(0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                       "\r\n\r\n", 0) == CS_E_HTTP_CHUNK);
    CHECK(RES(0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                       "\r\n-1\r\n", 0) == CS_E_HTTP_CHUNK);
    CHECK(RES(0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                       "\r\n5x\r\n", 0) == CS_E_HTTP_CHUNK);
    CHECK(RES(0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                       "\r\n5\rX", 0) == CS_E_HTTP_CHUNK);
    CHECK(RES(0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                       "\r\n5;\001\r\n", 0) == CS_E_HTTP_CHUNK);
    /* data not followed by CRLF */
    CHECK(RES(0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                       "\r\n1\r\nab\r\n", 0) == CS_E_HTTP_CHUNK_END);
    CHECK(RES(0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                       "\r\n1\r\na\r\r\n", 0) == CS_E_HTTP_CHUNK_END);
    /* a malformed trailer field */
    CHECK(RES(0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                       "\r\n0\r\n bad\r\n\r\n", 0) == CS_E_HTTP_TRAILER);
    /* the link ends inside the trailer */
    CHECK(RES(0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                       "\r\n0\r\nX: 1\r\n", 1) == CS_E_HTTP_TRUNCATED);
}

/* A chunk size line of exactly n bytes (extension padding) before CRLF. */
static void
test_chunk_line_limit(void)
{
    static const char head[] = "HTTP/1.1 200 OK\r\n"
                               "Transfer-Encoding: chunked\r\n\r\n";
    size_t hl = sizeof head - 1, n, i;
    char *s = (char *)xmalloc(hl + CS_HTTP_MAX_CHUNK_LINE + 16);

    for (n = CS_HTTP_MAX_CHUNK_LINE - 3; n <= CS_HTTP_MAX_CHUNK_LINE; n++) {
        /* "1;xxx...\r\n": n bytes counting the CRLF */
        size_t o = hl;
        memcpy(s, head, hl);
        s[o++] = '1';
        s[o++] = ';';
        for (i = 2; i < n - 2; i++)
            s[o++] = 'x';
        s[o++] = '\r';
        s[o++] = '\n';
        memcpy(s + o, "a\r\n0\r\n\r\n", 8);
        o += 8;
        CHECKF(result_of(0, s, o, 0) == CS_HTTP_DONE, "line %zu", n);
        /* one byte more fails */
        memmove(s + hl + 3, s + hl + 2, o - hl - 2);
        s[hl + 2] = 'x';
        CHECKF(result_of(0, s, o + 1, 0)
                   == (n + 1 > CS_HTTP_MAX_CHUNK_LINE ? CS_E_HTTP_CHUNK
                                                       : CS_HTTP_DONE),
               "line %zu", n + 1);
    }
    free(s);
}

static void
test_framing_errors(void)
{
    static const struct {
        const char *fields;
        int want;
    } t[] = {
        {"Content-Length: 5\r\nTransfer-Encoding: chunked", CS_E_HTTP_FRAMING},
        {"Transfer-Encoding: chunked\r\nContent-Length: 5", CS_E_HTTP_FRAMING},
        {"Transfer-Encoding: gzip, chunked", CS_E_HTTP_TRANSFER},
        {"Transfer-Encoding: chunked, chunked", CS_E_HTTP_TRANSFER},
        {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
         CS_E_HTTP_TRANSFER},
        {"Transfer-Encoding: identity", CS_E_HTTP_TRANSFER},
        {"Transfer-Encoding:", CS_E_HTTP_TRANSFER},
        {"Content-Length: 5\r\nContent-Length: 6", CS_E_HTTP_LENGTH},
        {"Content-Length: 5, 6", CS_E_HTTP_LENGTH},
        {"Content-Length: -1", CS_E_HTTP_LENGTH},
        {"Content-Length: +5", CS_E_HTTP_LENGTH},
        {"Content-Length: 0x10", CS_E_HTTP_LENGTH},
        {"Content-Length: 5 5", CS_E_HTTP_LENGTH},
        {"Content-Length:", CS_E_HTTP_LENGTH},
        {"Content-Length: 5,", CS_E_HTTP_LENGTH},
        {"Content-Length: 9223372036854775808", CS_E_HTTP_LENGTH},
        {"Content-Length: 99999999999999999999", CS_E_HTTP_LENGTH},
        {"Content-Length: 18446744073709551616", CS_E_HTTP_LENGTH},
        {"Content-Length: 5\r", CS_E_HTTP_LENGTH},  /* "5\r" before CRLF */
        {"Content-Encoding: br", CS_E_HTTP_CODING},
        {"Content-Encoding: gzip, gzip", CS_E_HTTP_CODING},
        {"Content-Encoding: deflate", CS_E_HTTP_CODING},
        {" Content-Length: 1", CS_E_HTTP_FIELD},   /* obs-fold / space */
        {"X-A: 1\r\n  folded", CS_E_HTTP_FIELD},
        {"X-A : 1", CS_E_HTTP_FIELD},
        {"X-A", CS_E_HTTP_FIELD},
        {": v", CS_E_HTTP_FIELD},
        {"X(A): 1", CS_E_HTTP_FIELD},
    };
    char buf[512];
    size_t i;

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        int n = snprintf(buf, sizeof buf,
                         "HTTP/1.1 200 OK\r\n%s\r\n\r\n0\r\n\r\n", t[i].fields);
        int r = result_of(0, buf, (size_t)n, 0);
        CHECKF(r == t[i].want, "%s: %d, want %d", t[i].fields, r, t[i].want);
        /* in a response with no body the framing fields do not matter */
        if (t[i].want != CS_E_HTTP_FIELD) {
            r = result_of(CS_HTTP_NO_BODY, buf, (size_t)n, 0);
            CHECKF(r == CS_HTTP_DONE, "%s (no body): %d", t[i].fields, r);
        }
    }
    /* accepted: equal repeats, a list of equal values, gzip codings */
    expect(0, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2, 2"
              "\r\n\r\nab", 0, "H1,2,0;D;R5,u62,k1,L,A-1", "ab");
    expect(0, "HTTP/1.1 200 OK\r\nContent-Encoding: identity, x-gzip\r\n"
              "Content-Length: 9223372036854775807\r\n\r\n", 0,
           "H1,9223372036854775807,1;R0,u92,k0,L,A-1", "");
    expect(0, "HTTP/1.1 200 OK\r\ntransfer-encoding:chunked\r\n"
              "content-encoding: GZIP\r\n\r\n0\r\n\r\n", 0,
           "H2,18446744073709551615,1;D;R5,u75,k1,L,A-1", "");
}

static void
test_head_errors(void)
{
    static const struct {
        const char *s;
        int want;
    } t[] = {
        {"HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n", CS_E_HTTP_NUL},
        {"HTTP/1.1 20 OK\r\n\r\n", CS_E_HTTP_STATUS_LINE},
        {"HTTP/1.1 2000 OK\r\n\r\n", CS_E_HTTP_STATUS_LINE},
        {"HTTP/1.1 600 OK\r\n\r\n", CS_E_HTTP_STATUS_LINE},
        {"HTTP/1.1 099 OK\r\n\r\n", CS_E_HTTP_STATUS_LINE},
        {"HTTP/1.1  200 OK\r\n\r\n", CS_E_HTTP_STATUS_LINE},
        {"HTTP/1.1 200OK\r\n\r\n", CS_E_HTTP_STATUS_LINE},
        {"http/1.1 200 OK\r\n\r\n", CS_E_HTTP_STATUS_LINE},
        {"HTTP/11 200 OK\r\n\r\n", CS_E_HTTP_STATUS_LINE},
        {"\r\nHTTP/1.1 200 OK\r\n\r\n", CS_E_HTTP_STATUS_LINE},
        {"HTTP/2.0 200 OK\r\n\r\n", CS_E_HTTP_VERSION},
        {"HTTP/0.9 200 OK\r\n\r\n", CS_E_HTTP_VERSION},
        {"HTTP/1.1 301 Moved\r\nLocation: /a\r\nLocation: /b\r\n\r\n", 0},
    };
    size_t i;

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t n = strlen(t[i].s);
        if (t[i].want == CS_E_HTTP_NUL)
            n = 27;
        CHECKF(result_of(CS_HTTP_FIELDS, t[i].s, n, 0) == t[i].want, "%s",
               t[i].s);
    }
    /* the last Location wins; the head ends, the body runs until close */
    expect(0, "HTTP/1.1 301 Moved\r\nLocation: /a\r\nLocation:  /b?c \r\n\r\n",
           0, "H3,18446744073709551615,0;R0,u54,k0,L/b?c,A-1", "");
    /* HTTP/1.0 and 1.2 are 1.x */
    expect(0, "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 0,
           "H1,0,0;D;R5,u38,k0,L,A-1", "");
    expect(0, "HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n", 0,
           "H1,0,0;D;R5,u38,k1,L,A-1", "");
    /* a bare CR inside a value is kept (and makes a number invalid) */
    expect(F, "HTTP/1.1 200 OK\r\nX: a\rb\r\nContent-Length: 0\r\n\r\n", 0,
           "S200;FX=a\rb;FContent-Length=0;H1,0,0;D;R5,u46,k1,L,A-1", "");
}

static void
test_keep_alive(void)
{
    static const struct {
        const char *s;
        int k;
    } t[] = {
        {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 1},
        {"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
         0},
        {"HTTP/1.1 200 OK\r\nConnection: Keep-Alive, CLOSE\r\n"
         "Content-Length: 0\r\n\r\n", 0},
        {"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 0},
        {"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
         "Content-Length: 0\r\n\r\n", 1},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 1},
        {"HTTP/1.1 204 OK\r\n\r\n", 1},
    };
    size_t i;

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        run r;
        char want[8];
        CHECK(run_all(0, t[i].s, strlen(t[i].s), 0, &r));
        snprintf(want, sizeof want, ",k%d,", t[i].k);
        CHECKF(strstr(r.tr, want) != NULL, "%s: %s", t[i].s, r.tr);
        free(r.body);
    }
    /* a Connection line cut short means close */
    {
        static char s[4096];
        size_t n = (size_t)snprintf(s, sizeof s, "HTTP/1.1 200 OK\r\n"
                                    "Connection: keep-alive, %01500d\r\n"
                                    "Content-Length: 0\r\n\r\n", 0);
        run r;
        CHECK(run_all(0, s, n, 0, &r));
        CHECKF(strstr(r.tr, ",k0,") != NULL, "%s", r.tr);
        free(r.body);
    }
}

static void
test_retry_after(void)
{
    static const struct {
        const char *v;
        long want;
    } t[] = {
        {"120", 120},
        {" 0 ", 0},
        {"1234567890123", 123456789},   /* saturates, as cs_hs did */
        {"Sun, 06 Nov 1994 08:51:37 GMT", 120},
        {"Sunday, 06-Nov-94 08:49:47 GMT", 10},
        {"Sun Nov  6 08:50:37 1994", 60},
        {"Sun Nov 16 08:49:37 1994", 864000},
        {"Sat, 05 Nov 1994 08:49:37 GMT", 0},   /* in the past */
        {"Thu, 01 Jan 2026 00:00:00 GMT", 983113823},
        {"Tue, 29 Feb 2000 00:00:00 GMT", 167670623},
        {"Tue, 30 Feb 2000 00:00:00 GMT", -1},
        {"Mon, 29 Feb 1900 00:00:00 GMT", -1},
        {"Sun, 06 nov 1994 08:51:37 GMT", -1},  /* case-sensitive */
        {"Sun, 06 Nov 1994 08:51:37 UTC", -1},
        {"Xyz, 06 Nov 1994 08:51:37 GMT", -1},
        {"Sun, 06 Nov 1994 24:00:00 GMT", -1},
        {"Sun, 6 Nov 1994 08:51:37 GMT", -1},
        {"Sonntag, 06-Nov-94 08:49:47 GMT", -1},
        {"Sun Nov 6 08:50:37 1994", -1},
        {"-5", -1},
        {"5s", -1},
        {"", -1},
        /* a two-digit year more than 50 years ahead is in the past */
        {"Monday, 06-Nov-44 08:49:37 GMT", 1577923200},
        {"Friday, 06-Nov-45 08:49:37 GMT", 0},
    };
    char buf[256];
    size_t i;

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        run r;
        char want[32];
        int n = snprintf(buf, sizeof buf, "HTTP/1.1 503 Busy\r\nRetry-After:"
                         " %s\r\nContent-Length: 0\r\n\r\n", t[i].v);
        CHECK(run_all(0, buf, (size_t)n, 0, &r));
        snprintf(want, sizeof want, ",A%ld", t[i].want);
        CHECKF(strstr(r.tr, want) != NULL && strlen(strstr(r.tr, want))
                   == strlen(want), "%s: %s", t[i].v, r.tr);
        free(r.body);
    }
}

/* The head limit: a head of exactly CS_HTTP_MAX_HEAD bytes passes, one
 * byte more fails, whether the last line is a field or the empty one. */
static void
test_head_limit(void)
{
    size_t max = CS_HTTP_MAX_HEAD, extra;
    char *s = (char *)xmalloc(max + 64);

    for (extra = 0; extra < 2; extra++) {
        size_t o = 0, pad = max + extra - 17 - 2;
        memcpy(s, "HTTP/1.1 200 OK\r\n", 17);
        o = 17;
        while (pad > 0) {
            size_t k = pad > 1000 ? 1000 : pad;  /* "X: ppp\r\n" */
            if (pad - k < 8 && pad - k > 0)
                k = pad - 8;
            s[o++] = 'X', s[o++] = ':';
            memset(s + o, 'p', k - 4);
            o += k - 4;
            s[o++] = '\r', s[o++] = '\n';
            pad -= k;
        }
        s[o++] = '\r', s[o++] = '\n';
        CHECKF(o == max + extra, "%zu", o);
        CHECK(result_of(CS_HTTP_NO_BODY, s, o, 0)
              == (extra ? CS_E_HTTP_TOO_BIG : CS_HTTP_DONE));
        CHECK(result_of(CS_HTTP_NO_BODY | F, s, o, 0)
              == (extra ? CS_E_HTTP_TOO_BIG : CS_HTTP_DONE));
    }
    /* a head that never ends stops at the limit */
    memset(s, 'a', max + 10);
    memcpy(s, "HTTP/1.1 200 OK\r\nX: ", 20);
    CHECK(result_of(0, s, max + 10, 0) == CS_E_HTTP_TOO_BIG);
    free(s);
}

/* Location: CS_URL_MAX bytes pass, one more fails; a long line of any
 * other field keeps its start (cut). */
static void
test_location_limit(void)
{
    static char s[CS_URL_MAX + 4096];
    size_t n;
    run r;

    n = (size_t)snprintf(s, sizeof s, "HTTP/1.1 302 F\r\nLocation: /%0*d\r\n"
                         "\r\n", CS_URL_MAX - 1, 0);
    CHECK(result_of(CS_HTTP_NO_BODY, s, n, 0) == CS_HTTP_DONE);
    n = (size_t)snprintf(s, sizeof s, "HTTP/1.1 302 F\r\nLocation: /%0*d\r\n"
                         "\r\n", CS_URL_MAX, 0);
    CHECK(result_of(CS_HTTP_NO_BODY, s, n, 0) == CS_E_HTTP_LOCATION);
    n = (size_t)snprintf(s, sizeof s, "HTTP/1.1 302 F\r\nLocation: /%0*d\r\n"
                         "\r\n", CS_URL_MAX + 2000, 0);
    CHECK(result_of(CS_HTTP_NO_BODY, s, n, 0) == CS_E_HTTP_LOCATION);
    n = (size_t)snprintf(s, sizeof s, "HTTP/1.1 200 F\r\nX-Long: %0*d\r\n"
                         "\r\n", CS_URL_MAX + 2000, 0);
    CHECK(run_all(F | CS_HTTP_NO_BODY, s, n, 0, &r));
    CHECKF(strstr(r.tr, "FX-Long=0000000000000000000000000000000000000000!;")
               != NULL, "%s", r.tr);
    free(r.body);
    /* a framing field cut short is an error when a body follows */
    n = (size_t)snprintf(s, sizeof s, "HTTP/1.1 200 F\r\nContent-Length: %0*d"
                         "\r\n\r\n", CS_URL_MAX + 200, 5);
    CHECK(result_of(0, s, n, 0) == CS_E_HTTP_LENGTH);
}

/* Two responses back to back: the first stops at its end. */
static void
test_pipelined(void)
{
    static const char s[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
                            "HTTP/1.1 404 NF\r\nTransfer-Encoding: chunked\r\n"
                            "\r\n2\r\nxy\r\n0\r\n\r\n";
    cs_http h;
    size_t used, at = 0, bl;
    const unsigned char *bp;
    int r;

    cs_http_init(&h, 0);
    CHECK(cs_http_feed(&h, (const unsigned char *)s, sizeof s - 1, &used)
          == CS_HTTP_HEAD);
    at += used;
    CHECK(cs_http_feed(&h, (const unsigned char *)s + at, sizeof s - 1 - at,
                       &used) == CS_HTTP_BODY);
    bp = cs_http_body(&h, &bl);
    CHECK(bl == 3 && memcmp(bp, "abc", 3) == 0 && used == 3);
    at += used;
    CHECK(cs_http_feed(&h, (const unsigned char *)s + at, sizeof s - 1 - at,
                       &used) == CS_HTTP_DONE && used == 0);
    CHECK(cs_http_keep_alive(&h) == 1);
    CHECK(cs_http_feed(&h, (const unsigned char *)s + at, 5, &used)
          == CS_HTTP_DONE && used == 0);
    cs_http_init(&h, 0);
    do {
        r = cs_http_feed(&h, (const unsigned char *)s + at, sizeof s - 1 - at,
                         &used);
        at += used;
    } while (r > 0 && r != CS_HTTP_DONE);
    CHECK(r == CS_HTTP_DONE && at == sizeof s - 1 && cs_http_status(&h) == 404);
    CHECK(cs_http_eof(&h) == CS_HTTP_DONE);
}

/* Random bytes and mutated responses: split-invariant, contract kept. */
static void
test_hostile(void)
{
    static const char *seeds[] = {
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
         "5;a=b\r\nhello\r\n0\r\nT: 1\r\n\r\n"),
        "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nabcd",
        "HTTP/1.0 503 X\r\nRetry-After: Sun, 06 Nov 1994 08:51:37 GMT\r\n\r\n",
    };
    char buf[256];
    size_t k, i;

    for (k = 0; k < 600; k++) {
        const char *sd = seeds[k % 3];
        size_t n = strlen(sd), m;
        run r;
        memcpy(buf, sd, n);
        for (m = 0; m < 1 + k % 4; m++) {
            size_t at = (size_t)(rnd() % n);
            static const char pick[] = "\r\n\0:; 0aF-,";
            buf[at] = (k & 8) ? (char)rnd() : pick[rnd() % (sizeof pick - 1)];
        }
        for (i = 0; i < 2; i++) {
            CHECKF(run_all(i ? F : 0, buf, n, (int)(k & 1), &r), "k %zu", k);
            free(r.body);
        }
    }
}

int
main(void)
{
    TEST(test_basic);
    TEST(test_chunked);
    TEST(test_chunk_line_limit);
    TEST(test_framing_errors);
    TEST(test_head_errors);
    TEST(test_keep_alive);
    TEST(test_retry_after);
    TEST(test_head_limit);
    TEST(test_location_limit);
    TEST(test_pipelined);
    TEST(test_hostile);
    return TEST_SUMMARY();
}
