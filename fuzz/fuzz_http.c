/* fuzz_http.c - libFuzzer target for the HTTP/1.1 response parser
 * (cs_http_*).
 *
 * Input layout: 3 control bytes, then the response (at most 64 KiB).
 *   [0]    chunking, as in fuzz_json.c. Bits 0-1: 0 one feed, 1 fixed
 *          chunks of ((byte >> 2) + 1) bytes, 2 one byte at a time,
 *          3 pseudo-random split points (some feeds empty).
 *   [1]    bit 0: CS_HTTP_FIELDS; bit 1: CS_HTTP_NO_BODY; bit 2: the link
 *          ends after the input (cs_http_eof()); bit 3: the first "@BIG@"
 *          becomes [2] * 97 bytes of '7' (long lines, big chunk sizes and
 *          lengths without a long input).
 *   [2]    the size for flag 8, and the seed for the random splits.
 *
 * Checks; any failure prints what differed and calls abort():
 *   1. The response fed whole (one call per event) against the chosen
 *      chunks: the same events in the same order (body slices joined),
 *      the same fields, result, total *used and accessors at the end.
 *   2. Per call: *used <= len; 0 ("need more") used everything; a body
 *      slice is non-empty and lies inside the bytes this call consumed;
 *      the result is 0, an event or a CS_E_HTTP_* code; errors and
 *      CS_HTTP_DONE are sticky and use nothing.
 *   3. The head: CS_HTTP_HEAD comes once, after the status event when
 *      fields are reported; a Content-Length body is exactly that long.
 * Build: -I<repo root>.
 */
#ifndef CERTSTREAM_NO_TLS
#define CERTSTREAM_NO_TLS
#endif
#define CERTSTREAM_IMPLEMENTATION
#include "certstream.h" /* build with -I<repo root> */
#define FZ_NAME "fuzz_http"
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_HDR 3
#define FZ_MAX_IN ((size_t)1 << 16)
#define FZ_MAX_BIG (FZ_MAX_IN + 255 * 97)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What one run saw. */
typedef struct fz_run {
    unsigned char tr[1 << 16];     /* events and fields */
    size_t trn;
    unsigned char body[FZ_MAX_BIG];
    size_t bn;
    size_t used;
    int res;
    int heads;
} fz_run;

static fz_run g_whole, g_cut;

static void
fz_put(fz_run *r, const void *p, size_t n)
{
    if (n > sizeof r->tr - r->trn)
        n = sizeof r->tr - r->trn;
    memcpy(r->tr + r->trn, p, n);
    r->trn += n;
}

static void
fz_event(fz_run *r, const cs_http *h, int e, const unsigned char *in,
         size_t used)
{
    const char *nm, *v;
    size_t nl, vl, bl;
    const unsigned char *bp;
    unsigned char t = (unsigned char)e;

    fz_put(r, &t, 1);
    switch (e) {
    case CS_HTTP_STATUS:
        if (r->heads != 0 || r->trn != 1)
            fz_fail("status event not first");
        break;
    case CS_HTTP_FIELD:
        t = (unsigned char)cs_http_field(h, &nm, &nl, &v, &vl);
        fz_put(r, &t, 1);
        fz_put(r, nm, nl);
        fz_put(r, ":", 1);
        fz_put(r, v, vl);
        break;
    case CS_HTTP_HEAD:
        if (r->heads++ != 0)
            fz_fail("two heads");
        break;
    case CS_HTTP_BODY:
        bp = cs_http_body(h, &bl);
        if (bl == 0 || bp < in || bp + bl > in + used)
            fz_fail("body slice of %zu bytes outside the input", bl);
        memcpy(r->body + r->bn, bp, bl);
        r->bn += bl;
        r->trn--;                   /* slices are joined: not an event */
        break;
    default:
        break;
    }
}

/* Feed in[0..n) in the chunks of mode (0: whole). */
static void
fz_drive(fz_run *r, unsigned flags, int eof, const unsigned char *in,
         size_t n, int mode, size_t fixed, uint32_t seed)
{
    cs_http h;
    size_t at = 0;
    int res = 0;

    memset(r, 0, offsetof(fz_run, body));
    r->bn = r->used = 0;
    r->heads = 0;
    cs_http_init(&h, flags);
    for (;;) {
        size_t len = n - at, used = (size_t)-1;
        unsigned char *c;

        if (mode == 1)
            len = len < fixed ? len : fixed;
        else if (mode == 2)
            len = len < 1 ? len : 1;
        else if (mode == 3)
            len = len == 0 ? 0 : fz_rand(&seed) % (len + 1);
        c = (unsigned char *)malloc(len + 1);
        if (c == NULL)
            abort();
        memcpy(c, in + at, len);
        res = cs_http_feed(&h, c, len, &used);
        if (used > len || (res == 0 && used != len))
            fz_fail("used %zu of %zu, result %d", used, len, res);
        if (res < 0 && (res < -119 || res > -100))
            fz_fail("result %d is not an HTTP error", res);
        if (res > CS_HTTP_DONE)
            fz_fail("result %d", res);
        if (res > 0)
            fz_event(r, &h, res, c, used);
        free(c);
        at += used;
        if (res < 0 || res == CS_HTTP_DONE || (res == 0 && at == n))
            break;
    }
    if (res < 0 || res == CS_HTTP_DONE) {
        size_t used = 5;
        int again = cs_http_feed(&h, in, n, &used);
        if (again != res || used != 0)
            fz_fail("not sticky: %d then %d (used %zu)", res, again, used);
    }
    if (res == 0 && eof)
        res = cs_http_eof(&h);
    if (res == CS_HTTP_DONE && cs_http_framing(&h) == CS_HTTP_LENGTH
        && (uint64_t)r->bn != cs_http_content_length(&h))
        fz_fail("body of %zu bytes, Content-Length %llu", r->bn,
                (unsigned long long)cs_http_content_length(&h));
    r->res = res;
    r->used = at;
    {
        char tail[1200];
        int k = snprintf(tail, sizeof tail, "|%d|%d|%d|%d|%ld|%s",
                         cs_http_status(&h), cs_http_framing(&h),
                         cs_http_keep_alive(&h), cs_http_encoding(&h),
                         cs_http_retry_after(&h, 1000000000),
                         cs_http_location(&h));
        fz_put(r, tail, (size_t)k < sizeof tail ? (size_t)k : sizeof tail);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned char buf[FZ_MAX_BIG];
    unsigned flags, ctl;
    size_t n, fixed, k;
    int mode, eof;
    const unsigned char *big;

    if (size < FZ_HDR || size - FZ_HDR > FZ_MAX_IN)
        return 0;
    ctl = data[1];
    flags = ctl & 3u;
    eof = (ctl >> 2) & 1;
    mode = data[0] & 3;
    fixed = (size_t)(data[0] >> 2) + 1;
    n = size - FZ_HDR;
    memcpy(buf, data + FZ_HDR, n);
    big = NULL;
    for (k = 0; (ctl & 8) && k + 5 <= n && big == NULL; k++)
        if (memcmp(buf + k, "@BIG@", 5) == 0)
            big = buf + k;
    if (big != NULL) {
        size_t at = (size_t)(big - buf);
        k = (size_t)data[2] * 97;
        memmove(buf + at + k, buf + at + 5, n - at - 5);
        memset(buf + at, '7', k);
        n = n - 5 + k;
    }
    fz_drive(&g_whole, flags, eof, buf, n, 0, 0, 0);
    fz_drive(&g_cut, flags, eof, buf, n, mode, fixed,
             0x9e3779b9u ^ data[2]);
    if (g_whole.res != g_cut.res || g_whole.used != g_cut.used
        || g_whole.trn != g_cut.trn
        || memcmp(g_whole.tr, g_cut.tr, g_whole.trn) != 0
        || g_whole.bn != g_cut.bn
        || memcmp(g_whole.body, g_cut.body, g_whole.bn) != 0)
        fz_fail("chunked (mode %d) differs from whole: result %d vs %d, "
                "used %zu vs %zu, body %zu vs %zu", mode, g_cut.res,
                g_whole.res, g_cut.used, g_whole.used, g_cut.bn,
                g_whole.bn);
    if (fz_verbose())
        fprintf(stderr, "fuzz_http: %zu bytes, mode %d, result %d (%s), "
                "used %zu, body %zu\n", n, mode, g_whole.res,
                cs_errname(g_whole.res), g_whole.used, g_whole.bn);
    return 0;
}
