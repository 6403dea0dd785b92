/* fuzz_gap.c - libFuzzer target for the gap tracker ([1l]) against the
 * slow reference of tests/ref_gap.h.
 *
 * Input layout: 3 header bytes, then 4-byte operations.
 *   [0]    window: 8 + [0] (entries)
 *   [1]    window_ms: 0 when [1] is 0, else [1] * 20
 *   [2]    slots: 1 + [2] % 8
 *   op[0]  bits 0-2: which URL (spellings of the same log, logs whose
 *          normalised URLs share the first CS_GAP_URL_MAX bytes);
 *          bits 3-4: 0-1 add, 2 poll, 3 add after CS_GAP_IDLE_MS;
 *          bits 5-7: time step (x 7 ms, x 600 when 7)
 *   op[1..2] the index, 0..65535 (mod 60000: the reference's span) above
 *          the URL's base (2^63 for the long ones, else 0)
 *   op[3]  bits 1-2: repeat the add this many times (0-3)
 * Checks (abort on failure): every cs_gap_add() result, every declared
 * gap (log, first, count, flags) and the counters equal the reference's,
 * after the operations and after cs_gap_flush(); cs_gap_poll() returns
 * a time after now or UINT64_MAX.
 * Build: -I<repo root>.
 */
#ifndef CERTSTREAM_NO_TLS
#define CERTSTREAM_NO_TLS
#endif
#define CERTSTREAM_IMPLEMENTATION
#include "certstream.h" /* build with -I<repo root> */
#define FZ_NAME "fuzz_gap"
#include "fuzz.h"
#include "../tests/ref_gap.h"

#include <stdio.h>
#include <string.h>

#define FZ_EV 4096

static struct {
    char url[CS_GAP_URL_MAX];
    size_t url_len;
    uint64_t first, count;
    unsigned flags;
} fz_ev[FZ_EV];
static size_t fz_nev;

static void
fz_on_gap(void *ctx, const cs_gap_event *e)
{
    (void)ctx;
    if (fz_nev == FZ_EV)
        return;
    memcpy(fz_ev[fz_nev].url, e->url, e->url_len);
    fz_ev[fz_nev].url_len = e->url_len;
    fz_ev[fz_nev].first = e->first;
    fz_ev[fz_nev].count = e->count;
    fz_ev[fz_nev].flags = e->flags;
    fz_nev++;
}

#define FZ_LONG "https://long.example/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const char *const fz_urls[8] = {
    "https://ct.example/log/", "HTTP://CT.EXAMPLE/log", "ct.example/log//",
    "https://ct.example/Log", "x", FZ_LONG "/1", FZ_LONG "/2",
    "ws:/odd:/"};

static unsigned char fz_mem[8 * 2048 + 64];
static ref_gap fz_ref;

static void
fz_compare(const cs_gap *g, const char *when)
{
    size_t k;

    if (fz_nev != fz_ref.nev)
        fz_fail("%s: %zu gaps, the reference %zu", when, fz_nev,
                fz_ref.nev);
    for (k = 0; k < fz_nev; k++)
        if (fz_ev[k].first != fz_ref.ev[k].first
            || fz_ev[k].count != fz_ref.ev[k].count
            || fz_ev[k].flags != fz_ref.ev[k].flags
            || fz_ev[k].url_len != fz_ref.ev[k].url_len
            || memcmp(fz_ev[k].url, fz_ref.ev[k].url, fz_ev[k].url_len))
            fz_fail("%s: gap %zu: %llu+%llu flags %u, the reference "
                    "%llu+%llu flags %u", when, k,
                    (unsigned long long)fz_ev[k].first,
                    (unsigned long long)fz_ev[k].count, fz_ev[k].flags,
                    (unsigned long long)fz_ref.ev[k].first,
                    (unsigned long long)fz_ref.ev[k].count,
                    fz_ref.ev[k].flags);
    if (memcmp(cs_gap_stats(g), &fz_ref.c, sizeof fz_ref.c) != 0)
        fz_fail("%s: counters differ (gaps %llu/%llu, dups %llu/%llu)",
                when, (unsigned long long)cs_gap_stats(g)->gaps,
                (unsigned long long)fz_ref.c.gaps,
                (unsigned long long)cs_gap_stats(g)->duplicates,
                (unsigned long long)fz_ref.c.duplicates);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cs_gap g;
    uint32_t window, window_ms;
    size_t slots, at;
    uint64_t now = 0;

    if (size < 3)
        return 0;
    window = 8u + data[0];
    window_ms = data[1] == 0 ? 0 : (uint32_t)data[1] * 20u;
    slots = 1 + data[2] % 8;
    fz_nev = 0;
    if (cs_gap_init(&g, fz_mem + 1, cs_gap_size(slots, window), window,
                    window_ms, fz_on_gap, NULL) != 0 || g.slots != slots)
        fz_fail("init: %zu slots", g.slots);
    ref_init(&fz_ref, slots, window, window_ms);
    for (at = 3; at + 4 <= size; at += 4) {
        const uint8_t *op = data + at;
        const char *u = fz_urls[op[0] & 7];
        unsigned kind = (unsigned)(op[0] >> 3) & 3, step = op[0] >> 5;
        uint64_t idx = (uint64_t)(op[1] | op[2] << 8) % 60000;
        int rep = (op[3] >> 1) % 4, r;

        now += step == 7 ? 600u * 7 : step * 7u;
        if (kind == 3)
            now += CS_GAP_IDLE_MS;
        if ((op[0] & 7) == 5 || (op[0] & 7) == 6)
            idx += (uint64_t)1 << 63;
        if (kind == 2) {
            uint64_t t = cs_gap_poll(&g, now);
            ref_poll(&fz_ref, now);
            if (t <= now)
                fz_fail("poll at %llu asks again at %llu",
                        (unsigned long long)now, (unsigned long long)t);
            continue;
        }
        do {
            r = cs_gap_add(&g, u, strlen(u), idx, now);
            if (r != ref_add(&fz_ref, u, strlen(u), idx, now))
                fz_fail("add %s %llu at %llu: %d, the reference differs",
                        u, (unsigned long long)idx,
                        (unsigned long long)now, r);
        } while (rep-- > 0);
    }
    fz_compare(&g, "stream");
    cs_gap_flush(&g);
    ref_flush(&fz_ref);
    fz_compare(&g, "flush");
    if (fz_verbose())
        fprintf(stderr, "fuzz_gap: %zu gaps\n", fz_nev);
    return 0;
}
