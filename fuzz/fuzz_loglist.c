/* fuzz_loglist.c - libFuzzer target for the log list parser (cs_loglist_*).
 *
 * Input layout: 2 control bytes, then the JSON text (at most 1 MiB).
 *   [0]    chunking: bits 0-1: 0 one feed, 1 fixed chunks of
 *          ((byte >> 2) + 1) bytes, 2 one byte at a time, 3 pseudo-random
 *          split points (some feeds empty).
 *   [1]    seed for the random splits.
 *
 * Checks; any failure prints what differed and calls abort():
 *   1. The text fed whole (A) against a fresh parser fed in the chosen
 *      chunks (B): the same logs, field by field (kind, state, names,
 *      URL, key, mmd, interval), and the same end (count, or the same
 *      error at the same offset).
 *   2. Invariants of every call: *used <= len; 0 used the whole input;
 *      a log is a kept one (kind, state), its URL ends in '/', its
 *      strings fit their buffers, its key fits CS_LOGLIST_KEY_MAX;
 *      errors are sticky; no endless run of calls that consume nothing.
 * Every chunk fed sits in an exact-size malloc() block (ASan catches a
 * read just outside).
 * Build: -I<repo root>.
 */
#ifndef CERTSTREAM_NO_TLS
#define CERTSTREAM_NO_TLS
#endif
#define CERTSTREAM_IMPLEMENTATION
#include "certstream.h" /* build with -I<repo root> */

#define FZ_NAME "fuzz_loglist"
#include "fuzz.h"

#include <string.h>

#define FZ_HDR 2
#define FZ_MAX_IN ((size_t)1 << 20)

typedef struct fz_rec {
    char *p;
    size_t len, cap;
} fz_rec;

static void
fz_put(fz_rec *o, const void *s, size_t n)
{
    if (o->len + n > o->cap) {
        o->cap = (o->len + n) * 2 + 64;
        o->p = (char *)realloc(o->p, o->cap);
        if (o->p == NULL)
            abort();
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

/* Check one yielded log and append it to the record. */
static void
fz_log(fz_rec *o, const cs_ct_log *l)
{
    char num[128];
    size_t n = strlen(l->url);

    if (l->kind != CS_CT_RFC6962 && l->kind != CS_CT_STATIC)
        fz_fail("kind %d", l->kind);
    if (l->state != CS_CT_USABLE && l->state != CS_CT_QUALIFIED
        && l->state != CS_CT_READONLY)
        fz_fail("state %d yielded", l->state);
    if (n == 0 || n > CS_URL_MAX + 1 || l->url[n - 1] != '/')
        fz_fail("URL \"%s\"", l->url);
    if (strlen(l->operator_name) > CS_LOGLIST_STR_MAX
        || strlen(l->description) > CS_URL_MAX + 1)
        fz_fail("a name too long");
    if (l->key_len > CS_LOGLIST_KEY_MAX || (l->key == NULL) != (l->key_len == 0))
        fz_fail("key %zu", l->key_len);
    if (l->start < 0 || l->end < 0)
        fz_fail("a bad date yielded");
    if (l->origin != NULL
        && (l->kind != CS_CT_STATIC || l->origin[0] == '\0'
            || strlen(l->origin) > CS_URL_MAX
            || l->origin[strlen(l->origin) - 1] == '/'))
        fz_fail("origin \"%s\"", l->origin);
    fz_put(o, l->operator_name, strlen(l->operator_name) + 1);
    fz_put(o, l->description, strlen(l->description) + 1);
    fz_put(o, l->url, n + 1);
    if (l->origin != NULL)
        fz_put(o, l->origin, strlen(l->origin) + 1);
    if (l->key_len > 0)
        fz_put(o, l->key, l->key_len);
    snprintf(num, sizeof num, "|%d %d %zu %lu %lld %lld\n", l->kind,
             l->state, l->key_len, (unsigned long)l->mmd,
             (long long)l->start, (long long)l->end);
    fz_put(o, num, strlen(num));
}

/* Feed p[0..n) as one call sequence (resubmitting after each log);
 * returns the last result. */
static int
fz_feed(cs_loglist *l, fz_rec *o, const unsigned char *p, size_t n)
{
    size_t used;
    int r, idle = 0;

    for (;;) {
        r = cs_loglist_feed(l, p, n, &used);
        if (used > n)
            fz_fail("used %zu > %zu", used, n);
        if (r == 0 && used != n)
            fz_fail("0 but %zu of %zu used", used, n);
        p += used, n -= used;
        if (r < 0) {
            int again = cs_loglist_feed(l, p, n, &used);
            if (again != r || used != 0)
                fz_fail("error %d not sticky (%d)", r, again);
            return r;
        }
        if (r != CS_LOGLIST_LOG)
            return r;
        fz_log(o, cs_loglist_log(l));
        idle = used == 0 ? idle + 1 : 0;
        if (idle > 2)
            fz_fail("calls that consume nothing");
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cs_loglist a, b;
    fz_rec ra = {NULL, 0, 0}, rb = {NULL, 0, 0};
    const unsigned char *text;
    size_t len, at = 0;
    uint32_t seed;
    long ea, eb;
    int mode, step, r = 0;

    if (size < FZ_HDR || size - FZ_HDR > FZ_MAX_IN)
        return 0;
    mode = data[0] & 3;
    step = (data[0] >> 2) + 1;
    seed = (uint32_t)data[1] * 2654435761u | 1u;
    text = data + FZ_HDR;
    len = size - FZ_HDR;

    cs_loglist_init(&a);
    fz_feed(&a, &ra, text, len);
    ea = cs_loglist_end(&a);

    cs_loglist_init(&b);
    while (at < len && r >= 0) {
        size_t n = mode == 0 ? len - at : mode == 1 ? (size_t)step
                 : mode == 2 ? 1 : fz_rand(&seed) % 64;
        unsigned char *c;
        if (n > len - at)
            n = len - at;
        c = (unsigned char *)malloc(n > 0 ? n : 1);
        if (c == NULL)
            abort();
        memcpy(c, text + at, n);
        r = fz_feed(&b, &rb, c, n);
        memset(c, 0xa5, n);
        free(c);
        at += n;
    }
    eb = cs_loglist_end(&b);

    if (ea != eb)
        fz_fail("end: whole %ld, chunked %ld", ea, eb);
    if (ea < 0 && cs_loglist_offset(&a) != cs_loglist_offset(&b))
        fz_fail("error offsets %llu vs %llu",
                (unsigned long long)cs_loglist_offset(&a),
                (unsigned long long)cs_loglist_offset(&b));
    if (ra.len != rb.len || (ra.len > 0 && memcmp(ra.p, rb.p, ra.len) != 0))
        fz_fail("the logs differ (whole %zu bytes, chunked %zu)", ra.len,
                rb.len);
    if (fz_verbose())
        fprintf(stderr, "fuzz_loglist: %zu bytes, end %ld\n", len, ea);
    free(ra.p);
    free(rb.p);
    return 0;
}
