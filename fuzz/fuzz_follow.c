/* fuzz_follow.c - libFuzzer target for the CT log follower ([3b]): the
 * whole engine (requests, HTTP, gzip, JSON or tiles, tree heads, entry
 * delivery, backoff) over a transport fed by the fuzzer.
 *
 * Input layout: 2 control bytes, then the log's responses (at most 256
 * KiB), one per request, separated by the 4 bytes "@@\n\n"; each request
 * gets the next one, then EOF (what the engine did not read of the last
 * is dropped, so reads of any size see the same bytes). When they run
 * out every request gets EOF.
 *   [0]    bit 0: a static-ct log (else RFC 6962); bit 1: start at entry
 *          [1] (else at the tree size); bits 2-7: the read size in the
 *          chunked run ((byte >> 2) + 1 bytes per read); with bit 1,
 *          bit 2 also makes it a range: [start, start + 16).
 *   [1]    the start index (bit 1 of [0]).
 * Responses may be redirects (3xx with a Location): the engine asks
 * again, and the next response answers.
 *
 * Checks; any failure prints what differed and calls abort():
 *   1. The engine run with whole reads against reads of the chosen size:
 *      the same events (type, error, status, index, and a message's
 *      domains) in the same order.
 *   2. Entries come exactly once, in index order, with no gap except
 *      for an entry named by CS_EV_CT_ERROR or skipped by a broken tile
 *      (a CT error first), never below the start; cert_index = index;
 *      entry and msg are both there; the fingerprints are those of der.
 *   3. It finishes: a bounded number of steps on a simulated clock.
 *   4. A range delivers nothing at or past its end, says CS_EV_CT_DONE
 *      (index = the end) at most once, and only when every entry of it
 *      came or was named; after it, no event.
 * Build: -I<repo root> (no TLS: tree heads are taken unverified).
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
#define FZ_MAX_IN ((size_t)1 << 18)
#define FZ_MAX_EV 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz_ev {
    int type, err, status;
    uint64_t index;
    uint32_t domains;          /* CRC-32 of a message's domains */
} fz_ev;

static const uint8_t *fz_in;
static size_t fz_len, fz_pos;      /* the next response starts at fz_pos */
static const uint8_t *fz_cur;
static size_t fz_cur_len, fz_cur_off, fz_chunk;
static int fz_open, fz_answered;
static fz_ev fz_evs[2][FZ_MAX_EV];
static size_t fz_nev[2];
static int fz_run;
static uint64_t fz_next, fz_start, fz_to;
static int fz_have_start, fz_err_since, fz_has_to, fz_done;

static void
fz_fail(const char *what)
{
    fprintf(stderr, "fuzz_follow: %s\n", what);
    abort();
}

static int
t_open(void *ctx, const cs_url *u)
{
    (void)ctx, (void)u;
    fz_open = 1;
    fz_answered = 0;
    fz_cur = NULL;
    fz_cur_len = fz_cur_off = 0;
    return 0;
}

static int
t_write(void *ctx, const unsigned char *buf, size_t len)
{
    (void)ctx;
    if (!fz_open)
        return CS_E_CLOSED;
    if (len >= 4 && memcmp(buf + len - 4, "\r\n\r\n", 4) == 0) {
        const uint8_t *p = fz_in + fz_pos, *end = fz_in + fz_len, *q;
        fz_answered = 1;
        for (q = p; q + 4 <= end && memcmp(q, "@@\n\n", 4) != 0; q++)
            ;
        if (q + 4 > end)
            q = end;
        fz_cur = p;
        fz_cur_len = (size_t)(q - p);
        fz_cur_off = 0;
        fz_pos = q + 4 <= end ? (size_t)(q + 4 - fz_in) : fz_len;
    }
    return (int)len;
}

static int
t_read(void *ctx, unsigned char *buf, size_t len)
{
    size_t n;
    (void)ctx;
    if (!fz_open)
        return CS_E_CLOSED;
    if (!fz_answered)
        return 0;
    if (fz_cur_off >= fz_cur_len)
        return CS_E_CLOSED;
    n = fz_cur_len - fz_cur_off;
    if (n > len)
        n = len;
    if (n > fz_chunk)
        n = fz_chunk;
    memcpy(buf, fz_cur + fz_cur_off, n);
    fz_cur_off += n;
    return (int)n;
}

static int
t_wait(void *ctx, int want, int *fd)
{
    (void)ctx;
    *fd = -1;
    return want;
}

static void
t_close(void *ctx)
{
    (void)ctx;
    fz_open = 0;
}

static int
t_random(void *ctx, void *buf, size_t len)
{
    (void)ctx;
    memset(buf, 7, len);
    return 0;
}

static int
t_unix(void *ctx, int64_t *s)
{
    (void)ctx;
    *s = 1767225600;
    return 0;
}

static void
on_event(void *ctx, const cs_event *ev)
{
    fz_ev *e;
    (void)ctx;
    if (fz_done)
        fz_fail("an event after CS_EV_CT_DONE");
    if (ev->type == CS_EV_CT_DONE) {
        if (!fz_has_to || ev->index != fz_to)
            fz_fail("CS_EV_CT_DONE without a range, or at another index");
        if (cs_ct_stats_get(ev->log)->next < fz_to)
            fz_fail("CS_EV_CT_DONE before the range's end");
        fz_done = 1;
    }
    if (fz_has_to && (ev->type == CS_EV_MESSAGE
                      || (ev->type == CS_EV_CT_ERROR && ev->status == 0))
        && ev->index >= fz_to)
        fz_fail("an entry at or past the range's end");
    if (fz_nev[fz_run] < FZ_MAX_EV) {
        e = &fz_evs[fz_run][fz_nev[fz_run]++];
        e->type = ev->type;
        e->err = ev->err;
        e->status = ev->status;
        e->index = ev->index;
        e->domains = 0;
        if (ev->type == CS_EV_MESSAGE && ev->msg != NULL) {
            size_t i, n;
            for (i = 0; i < ev->msg->domain_count; i++) {
                const char *d = cs_msg_domain(ev->msg, i, &n);
                e->domains = cs_crc32(e->domains, d, n + 1);
            }
        }
    }
    if (ev->type == CS_EV_CT_ERROR && ev->status == 0) {
        fz_err_since = 1;
        if (fz_have_start && ev->index < fz_start)
            fz_fail("an error for an entry before the start");
    }
    if (ev->type == CS_EV_MESSAGE) {
        const cs_ct_update *u = ev->entry;
        unsigned char h[32];
        if (u == NULL || ev->msg == NULL || u->index != ev->index
            || ev->msg->cert_index != ev->index)
            fz_fail("a message without its entry, or the wrong index");
        if (fz_have_start && ev->index < fz_start)
            fz_fail("an entry before the start");
        if (fz_next != UINT64_MAX && ev->index != fz_next && !fz_err_since)
            fz_fail("an entry out of order, or a gap with no error");
        if (fz_next != UINT64_MAX && ev->index < fz_next)
            fz_fail("an entry again");
        fz_next = ev->index + 1;
        fz_err_since = 0;
        cs_sha256(u->der, u->der_len, h);
        if (memcmp(h, u->sha256, 32) != 0)
            fz_fail("sha256 is not that of der");
    }
}

static unsigned char fz_mem[CS_CT_MEM_MIN];
static cs_ct_follower fz_f;

static void
fz_one(int kind, int has_from, uint64_t from, int has_to, size_t chunk)
{
    cs_ct_config cfg;
    cs_transport t;
    uint64_t now = 0;
    int i;

    fz_pos = FZ_HDR;
    fz_chunk = chunk;
    fz_open = 0;
    fz_nev[fz_run] = 0;
    fz_next = UINT64_MAX;
    fz_err_since = 0;
    fz_done = 0;
    t.open = t_open, t.read = t_read, t.write = t_write, t.wait = t_wait;
    t.close = t_close, t.ctx = NULL;
    cs_ct_config_init(&cfg);
    cfg.url = kind == CS_CT_STATIC ? "http://log.example/"
                                   : "http://log.example/ct/";
    cfg.kind = kind;
    cfg.on_event = on_event;
    cfg.random = t_random;
    cfg.unix_time = t_unix;
    cfg.mem = fz_mem;
    cfg.mem_cap = sizeof fz_mem;
    cfg.has_from = has_from;
    cfg.from = from;
    cfg.batch = 8;
    cfg.has_to = has_to;
    cfg.to = from + 16;
    fz_has_to = has_to;
    fz_to = from + 16;
    cfg.backoff_max_ms = 2000;
    fz_have_start = has_from;
    fz_start = from;
    if (cs_ct_init(&fz_f, &cfg, &t) != 0)
        fz_fail("init");
    for (i = 0; i < 20000; i++) {
        cs_wait w;
        int r = cs_ct_step(&fz_f, now, &w);
        if (r == 2 && !fz_done)
            fz_fail("cs_ct_step() said done, no CS_EV_CT_DONE");
        if (r != 0)
            break;
        if (fz_pos >= fz_len && !fz_open)
            break;                    /* the responses ran out */
        now = w.deadline_ms > now ? w.deadline_ms : now;
    }
    cs_ct_close(&fz_f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t k;
    int kind, has_from, has_to;

    if (size < FZ_HDR || size > FZ_MAX_IN)
        return 0;
    fz_in = data;
    fz_len = size;
    kind = (data[0] & 1) ? CS_CT_STATIC : CS_CT_RFC6962;
    has_from = (data[0] & 2) != 0;
    has_to = has_from && (data[0] & 4) != 0;
    fz_run = 0;
    fz_one(kind, has_from, data[1], has_to, (size_t)1 << 20);
    fz_run = 1;
    fz_one(kind, has_from, data[1], has_to, (size_t)(data[0] >> 2) + 1);
    if (getenv("FZ_DEBUG") != NULL)
        for (k = 0; k < fz_nev[0] || k < fz_nev[1]; k++)
            fprintf(stderr, "%zu: %d %d %d %llu | %d %d %d %llu\n", k,
                    fz_evs[0][k].type, fz_evs[0][k].err, fz_evs[0][k].status,
                    (unsigned long long)fz_evs[0][k].index,
                    fz_evs[1][k].type, fz_evs[1][k].err, fz_evs[1][k].status,
                    (unsigned long long)fz_evs[1][k].index);
    if (fz_nev[0] != fz_nev[1])
        fprintf(stderr, "%zu vs %zu events\n", fz_nev[0], fz_nev[1]), fz_fail("a different number of events when chunked");
    for (k = 0; k < fz_nev[0]; k++)
        if (fz_evs[0][k].type != fz_evs[1][k].type
            || fz_evs[0][k].err != fz_evs[1][k].err
            || fz_evs[0][k].status != fz_evs[1][k].status
            || fz_evs[0][k].index != fz_evs[1][k].index
            || fz_evs[0][k].domains != fz_evs[1][k].domains) {
            fprintf(stderr, "event %zu: type %d/%d err %d/%d index "
                    "%llu/%llu\n", k, fz_evs[0][k].type, fz_evs[1][k].type,
                    fz_evs[0][k].err, fz_evs[1][k].err,
                    (unsigned long long)fz_evs[0][k].index,
                    (unsigned long long)fz_evs[1][k].index);
            fz_fail("different events when chunked");
        }
    return 0;
}
