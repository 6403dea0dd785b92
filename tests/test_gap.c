/* test_gap.c - the gap tracker ([1l]): reordering inside the window, the
 * entries and time bounds, duplicates, many logs and a full table, URL
 * normalisation, cert_index split across feeds, a property test against
 * tests/ref_gap.h and the invariant that after cs_gap_flush() every index
 * of a log is either delivered once or in exactly one declared gap. */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "test.h"
#include "util.h"
#include "ref_gap.h"

#define MAXEV 4096
static struct {
    char url[CS_GAP_URL_MAX];
    size_t url_len;
    uint64_t first, count;
    unsigned flags;
} evs[MAXEV];
static size_t nev;

static void
on_gap(void *ctx, const cs_gap_event *e)
{
    (void)ctx;
    if (nev == MAXEV)
        return;
    memcpy(evs[nev].url, e->url, e->url_len);
    evs[nev].url_len = e->url_len;
    evs[nev].first = e->first;
    evs[nev].count = e->count;
    evs[nev].flags = e->flags;
    nev++;
}

static unsigned char mem[1 << 20];
static cs_gap g;

static void
setup(size_t logs, uint32_t window, uint32_t window_ms)
{
    nev = 0;
    CHECK(cs_gap_init(&g, mem + 3, cs_gap_size(logs, window), window,
                      window_ms, on_gap, NULL) == 0);
    CHECK(g.slots == logs);
}

#define ADD(u, i, t) cs_gap_add(&g, (u), strlen(u), (i), (t))
#define EV(k, f, c) (nev > (k) && evs[k].first == (f) && evs[k].count == (c))

static void
test_in_order(void)
{
    uint64_t i;

    setup(2, 64, 0);
    for (i = 1000; i < 1300; i++)
        CHECK(ADD("https://ct.example/log/", i, 0) == CS_GAP_NEW);
    cs_gap_flush(&g);
    CHECK(nev == 0);
    CHECK(cs_gap_stats(&g)->arrivals == 300 && cs_gap_stats(&g)->logs == 1);
}

/* Out of order inside the window is not a gap; a hole is declared once
 * an index window above it arrives, whole, as one event. */
static void
test_reorder(void)
{
    uint64_t i;

    setup(1, 16, 0);
    ADD("ct.example/a", 10, 0);
    ADD("ct.example/a", 13, 0);
    ADD("ct.example/a", 12, 0);
    ADD("ct.example/a", 11, 0);
    CHECK(nev == 0 && cs_gap_stats(&g)->reordered == 2);
    /* drop 14..16, then 17.. in order */
    for (i = 17; i < 30; i++)
        ADD("ct.example/a", i, 0);
    CHECK(nev == 0);                /* 14 + 16 > 29: still inside */
    ADD("ct.example/a", 30, 0);     /* 30 - 16 + 1 = 15 > 14: due */
    CHECKF(nev == 1 && EV(0, 14, 3) && evs[0].flags == 0,
           "nev %zu first %llu count %llu", nev,
           (unsigned long long)evs[0].first,
           (unsigned long long)evs[0].count);
    CHECK(memcmp(evs[0].url, "ct.example/a", 12) == 0
          && evs[0].url_len == 12);
    CHECK(ADD("ct.example/a", 15, 0) == CS_GAP_LATE);
    CHECK(ADD("ct.example/a", 15, 0) == CS_GAP_DUPLICATE);
    CHECK(ADD("ct.example/a", 29, 0) == CS_GAP_DUPLICATE);
    CHECK(ADD("ct.example/a", 9, 0) == CS_GAP_OLD);   /* below the first */
    CHECK(cs_gap_stats(&g)->duplicates == 2 && cs_gap_stats(&g)->old == 1
          && cs_gap_stats(&g)->late == 1);
    CHECK(cs_gap_stats(&g)->missing == 3 && cs_gap_stats(&g)->gaps == 1);
}

/* The time bound: a quiet log's hole is declared between window_ms and
 * 1.5 * window_ms after it appeared, with the poll called as it asks. */
static void
test_time(void)
{
    uint64_t t, next;

    setup(1, 4096, 2000);
    ADD("ct/x", 100, 0);
    ADD("ct/x", 102, 10);          /* 101 missing from t = 10 */
    t = 10;
    next = cs_gap_poll(&g, t);
    CHECK(next != UINT64_MAX);
    while (nev == 0 && t < 10000) {
        t = next > t ? next : t + 1;
        next = cs_gap_poll(&g, t);
    }
    CHECKF(nev == 1 && EV(0, 101, 1)
           && evs[0].flags == (CS_GAP_TIMED | CS_GAP_MAYBE_DELIBERATE)
           && t >= 2010 && t <= 10 + 3000, "declared at %llu",
           (unsigned long long)t);
    CHECK(cs_gap_poll(&g, t + 1) == UINT64_MAX);   /* no hole left */
    /* a hole that fills before the bound is no gap */
    ADD("ct/x", 105, t + 1);
    ADD("ct/x", 104, t + 1500);
    ADD("ct/x", 103, t + 1900);
    for (next = t + 1; next < t + 20000; next += 100)
        cs_gap_poll(&g, next);
    CHECK(nev == 1);
}

/* Many logs; a full table; an idle log gives its slot up. */
static void
test_many_logs(void)
{
    char u[64];
    int i;

    setup(4, 32, 0);
    for (i = 0; i < 4; i++) {
        snprintf(u, sizeof u, "https://log%d.example/", i);
        CHECK(ADD(u, 5, 0) == CS_GAP_NEW);
        CHECK(ADD(u, 7, 0) == CS_GAP_NEW);
    }
    CHECK(cs_gap_stats(&g)->logs == 4);
    CHECK(ADD("log9.example", 1, 1000) == CS_GAP_UNTRACKED);
    CHECK(cs_gap_stats(&g)->untracked == 1);
    /* log0 stays busy; the others go quiet; after CS_GAP_IDLE_MS the
     * longest idle (log1: slot order breaks the tie) is evicted */
    ADD("https://log0.example", 8, CS_GAP_IDLE_MS);
    CHECK(ADD("log9.example", 1, CS_GAP_IDLE_MS + 10) == CS_GAP_NEW);
    CHECK(cs_gap_stats(&g)->evicted == 1 && cs_gap_stats(&g)->logs == 4);
    CHECK(nev == 1 && EV(0, 6, 1) && evs[0].flags & CS_GAP_EVICTED
          && memcmp(evs[0].url, "log1.example", 12) == 0);
    /* log0's hole, declared at the flush */
    cs_gap_flush(&g);
    CHECK(nev == 4 && EV(1, 6, 1) && memcmp(evs[1].url, "log0.example", 12) == 0
          && evs[1].flags & CS_GAP_FLUSHED);
}

static void
test_normalise(void)
{
    char o[64];
    size_t n;

    n = cs_gap_url(o, sizeof o, "HTTPS://CT.Example.COM/Log2026/", 31);
    CHECK(n == 22 && memcmp(o, "ct.example.com/Log2026", 22) == 0);
    n = cs_gap_url(o, sizeof o, "ct.example.com/Log2026", 22);
    CHECK(n == 22);
    n = cs_gap_url(o, 4, "http://abcdefgh", 15);
    CHECK(n == 8 && memcmp(o, "abcd", 4) == 0);
    n = cs_gap_url(o, sizeof o, "///", 3);
    CHECK(n == 0);
    setup(2, 16, 0);
    ADD("https://CT.example/x/", 1, 0);
    ADD("http://ct.EXAMPLE/x", 2, 0);
    ADD("ct.example/x//", 3, 0);
    CHECK(cs_gap_stats(&g)->logs == 1);
    ADD("ct.example/X", 3, 0);     /* the path keeps its case */
    CHECK(cs_gap_stats(&g)->logs == 2);
}

/* A huge jump (a skip to the head): one event, in O(window). */
static void
test_jump(void)
{
    setup(1, 64, 0);
    ADD("l", 10, 0);
    ADD("l", 12, 0);
    ADD("l", 5000000000u, 0);
    CHECK(nev == 2 && EV(0, 11, 1) && EV(1, 13, 5000000000u - 13));
    CHECK(evs[1].flags == 0);
    CHECK(ADD("l", 12, 0) == CS_GAP_OLD);
    CHECK(ADD("l", 5000000000u - 1, 0) == CS_GAP_LATE);
}

/* The top of the index space: 2^64 - 1 cannot be tracked (the tracker
 * keeps the highest index + 1): it is `old`, and the log's tracking goes
 * on (it used to wrap: every later index was `old`, holes never said). */
static void
test_top_index(void)
{
    const uint64_t m = UINT64_MAX;

    setup(1, 64, 0);
    CHECK(ADD("l", m - 3, 0) == CS_GAP_NEW);
    CHECK(ADD("l", m, 0) == CS_GAP_OLD);
    CHECK(ADD("l", m, 0) == CS_GAP_OLD);
    CHECK(ADD("l", m - 1, 0) == CS_GAP_NEW);   /* m - 2 missing */
    cs_gap_flush(&g);
    CHECK(nev == 1 && EV(0, m - 2, 1));
    /* a log that starts there, then (a server's restart) lower down */
    setup(1, 64, 0);
    CHECK(ADD("l", m, 0) == CS_GAP_OLD);
    CHECK(ADD("l", 100, 0) == CS_GAP_NEW);
    CHECK(ADD("l", 102, 0) == CS_GAP_NEW);
    CHECK(ADD("l", 100, 0) == CS_GAP_DUPLICATE);
    cs_gap_flush(&g);
    CHECK(nev == 1 && EV(0, 101, 1));
}

/* cert_index split across feeds of the extractor at every offset; the
 * tracker sees the same indices. */
static void
test_split_index(void)
{
    static const char m1[] = "{\"message_type\":\"certificate_update\","
        "\"data\":{\"cert_index\":4294967298,\"source\":{\"url\":"
        "\"https://ct.example/log/\"}}}";
    static unsigned char dom[4096];
    cs_json j;
    size_t cut, n = sizeof m1 - 1;
    int bad = 0;

    for (cut = 0; cut <= n; cut++) {
        const cs_msg *m;
        cs_json_init(&j, dom, sizeof dom);
        cs_json_begin(&j);
        cs_json_feed(&j, m1, cut);
        cs_json_feed(&j, m1 + cut, n - cut);
        if (cs_json_end(&j) != 0) {
            bad++;
            continue;
        }
        m = cs_json_msg(&j);
        setup(1, 16, 0);
        bad += !(m->has & CS_F_CERT_INDEX) || !(m->has & CS_F_SOURCE_URL);
        cs_gap_add(&g, m->source_url.buf, m->source_url.len,
                   m->cert_index - 2, 0);
        cs_gap_add(&g, m->source_url.buf, m->source_url.len,
                   m->cert_index, 0);
        cs_gap_flush(&g);
        bad += !(nev == 1 && evs[0].first == 4294967297u
                 && evs[0].count == 1 && evs[0].url_len == 14);
    }
    CHECKF(bad == 0, "%d splits differ", bad);
}

static void
test_args(void)
{
    static unsigned char small[64];
    cs_gap x;

    CHECK(cs_gap_init(&x, small, sizeof small, 64, 0, NULL, NULL)
          == CS_E_GAP_MEMORY);
    CHECK(cs_gap_init(&x, mem, sizeof mem, 4, 0, NULL, NULL)
          == CS_E_GAP_ARG);
    CHECK(cs_gap_init(&x, mem, sizeof mem, (1u << 24) + 1, 0, NULL, NULL)
          == CS_E_GAP_ARG);
    CHECK(cs_gap_size(10, 64) >= 10 * (64 / 8));
}

/* Random streams, tracker vs reference, and the coverage invariant. */
static unsigned char st[4][REF_SPAN];   /* per log: 1 NEW, 2 in a gap */
static ref_gap ref;

static void
test_property(void)
{
    static const char *urls[] = {"https://a.example/", "a.example",
                                 "b.example/x", "c", "d/", "e"};
    int round, bad = 0, cover_bad = 0;

    for (round = 0; round < 300 && bad == 0; round++) {
        uint32_t win = 8 + (uint32_t)rnd_below(200);
        uint32_t wms = rnd_below(3) == 0 ? 0 : 1 + (uint32_t)rnd_below(5000);
        size_t slots = 1 + rnd_below(4), k, i;
        uint64_t t = 0, base = rnd_below(2) ? 0 : (rnd() >> 2);
        int ops = 50 + (int)rnd_below(2000), op;
        uint64_t pos[6] = {0, 0, 0, 0, 0, 0};

        setup(slots, win, wms);
        ref_init(&ref, slots, win, wms);
        for (op = 0; op < ops && bad == 0; op++) {
            size_t u = rnd_below(6);
            uint64_t idx;
            int a, b;
            t += rnd_below(4) == 0 ? rnd_below(3000) : rnd_below(20);
            if (rnd_below(50) == 0)
                t += CS_GAP_IDLE_MS;
            if (rnd_below(8) == 0) {
                cs_gap_poll(&g, t);
                ref_poll(&ref, t);
                continue;
            }
            /* mostly forward, some reorder, drops, duplicates */
            idx = pos[u] + (rnd_below(4) == 0 ? rnd_below(win * 2) : 1);
            if (rnd_below(6) == 0 && pos[u] > 0)
                idx = pos[u] - rnd_below(pos[u] < win ? pos[u] : win);
            if (idx >= 60000)
                idx = 60000 - 1 - rnd_below(100);
            if (idx > pos[u])
                pos[u] = idx;
            a = cs_gap_add(&g, urls[u], strlen(urls[u]), base + idx, t);
            b = ref_add(&ref, urls[u], strlen(urls[u]), base + idx, t);
            bad += a != b;
        }
        cs_gap_flush(&g);
        ref_flush(&ref);
        bad += nev != ref.nev;
        for (k = 0; k < nev && k < ref.nev && bad == 0; k++)
            bad += evs[k].first != ref.ev[k].first
                || evs[k].count != ref.ev[k].count
                || evs[k].flags != ref.ev[k].flags
                || evs[k].url_len != ref.ev[k].url_len
                || memcmp(evs[k].url, ref.ev[k].url, evs[k].url_len) != 0;
        bad += memcmp(cs_gap_stats(&g), &ref.c, sizeof ref.c) != 0;
        if (bad)
            fprintf(stderr, "round %d: win %u ms %u slots %zu nev %zu/%zu\n",
                    round, win, wms, slots, nev, ref.nev);
        (void)i;
    }
    CHECKF(bad == 0, "%d differences", bad);

    /* coverage: one log, no eviction; every index from the first to the
     * highest is NEW once or in exactly one gap, never both */
    for (round = 0; round < 200; round++) {
        uint32_t win = 8 + (uint32_t)rnd_below(100);
        uint64_t t = 0, top = 0, first = 500, idx;
        int op, r;

        setup(1, win, 1000);
        memset(st[0], 0, REF_SPAN);
        for (op = 0; op < 3000; op++) {
            t += rnd_below(60);
            idx = first + (top > 0 ? top - rnd_below(win * 2) : 0);
            if (rnd_below(3) == 0)
                idx = first + top + rnd_below(win * 3);
            if (idx < first)
                idx = first;
            if (idx - first >= 50000)
                break;
            if (rnd_below(10) == 0)
                cs_gap_poll(&g, t);
            r = ADD("only", idx, t);
            if (op == 0)
                first = idx;
            if (r == CS_GAP_NEW) {
                cover_bad += st[0][idx - first] != 0;
                st[0][idx - first] |= 1;
            }
            if (idx - first + 1 > top)
                top = idx - first + 1;
        }
        cs_gap_flush(&g);
        for (idx = 0; idx < nev; idx++) {
            uint64_t q;
            for (q = evs[idx].first; q < evs[idx].first + evs[idx].count; q++) {
                cover_bad += st[0][q - first] != 0;
                st[0][q - first] |= 2;
            }
        }
        for (idx = 0; idx < top; idx++)
            cover_bad += st[0][idx] == 0;
    }
    CHECKF(cover_bad == 0, "%d coverage errors", cover_bad);
}

#if CS_HAS_CT
/* [3c] without the network: where a gap's log is found, the per-gap cap,
 * a full queue, a log that cannot be found; nothing runs until a step. */
static struct {
    int n, err[8];
    uint64_t first[8];
    int64_t count[8];
} bfev;

static void
on_bf(void *ctx, const cs_event *e)
{
    (void)ctx;
    if (e->type != CS_EV_BACKFILL || bfev.n == 8)
        return;
    bfev.err[bfev.n] = e->err;
    bfev.first[bfev.n] = e->index;
    bfev.count[bfev.n++] = e->detail;
}

static cs_backfill bf;
static cs_ct_follower bff;
static unsigned char bfmem[CS_CT_MEM_MIN];

static void
test_backfill_queue(void)
{
    cs_backfill_config bc;
    cs_ct_log logs[1];
    cs_gap_event ge;
    cs_config cc;
    int i;

    memset(logs, 0, sizeof logs);
    logs[0].kind = CS_CT_STATIC;
    logs[0].url = "https://Tiles.example/2026h1/";
    cs_backfill_config_init(&bc);
    CHECK(cs_backfill_init(&bf, &bc) == CS_E_ARG);     /* no slot */
    bc.slot[0] = &bff;
    bc.mem[0] = bfmem;
    bc.mem_cap = sizeof bfmem;
    bc.slots = 1;
    bc.logs = logs;
    bc.log_count = 1;
    bc.max_entries = 10;
    bc.on_event = on_bf;
    CHECK(cs_backfill_init(&bf, &bc) == 0);
    memset(&ge, 0, sizeof ge);
    ge.url = "tiles.example/2026h1";         /* from the list */
    ge.url_len = strlen(ge.url);
    ge.source = "https://tiles.example/2026h1/";
    ge.source_len = strlen(ge.source);
    ge.first = 100, ge.count = 25;
    cs_backfill_gap(&bf, &ge, 0);
    CHECK(bfev.n == 1 && bfev.err[0] == CS_E_BF_GAVE_UP
          && bfev.first[0] == 110 && bfev.count[0] == 15);
    CHECK(cs_backfill_pending(&bf) == 1);
    CHECK(strcmp(bf.queue[0].url, logs[0].url) == 0
          && bf.queue[0].kind == CS_CT_STATIC && bf.queue[0].count == 10);
    ge.url = "ws.example/x";                 /* not a log's URL */
    ge.url_len = strlen(ge.url);
    ge.source = "wss://ws.example/x";
    ge.source_len = strlen(ge.source);
    cs_backfill_gap(&bf, &ge, 0);
    CHECK(bfev.n == 2 && bfev.err[1] == CS_E_BF_NO_LOG
          && cs_backfill_stats_get(&bf)->no_log == 1);
    ge.source = "http://127.0.0.1:9/";       /* used directly */
    ge.source_len = strlen(ge.source);
    ge.count = 3;
    for (i = 0; i < CS_BF_QUEUE; i++)
        cs_backfill_gap(&bf, &ge, 0);
    CHECK(cs_backfill_pending(&bf) == CS_BF_QUEUE);
    CHECK(bfev.n == 3 && bfev.err[2] == CS_E_BF_GAVE_UP
          && bfev.count[2] == 3);                /* the queue was full */
    CHECK(bf.queue[1].kind == CS_CT_ANY          /* probed */
          && strcmp(bf.queue[1].url, "http://127.0.0.1:9/") == 0);
    CHECK(cs_backfill_stats_get(&bf)->given_up == 15 + 25 + 3);
    cs_config_init(&cc);
    cs_backfill_attach(&bf, &cc);
    CHECK(cc.backfill == &bf && cc.backfill_gap != NULL
          && cc.backfill_step != NULL);
}
#endif

int
main(void)
{
    TEST(test_in_order);
    TEST(test_reorder);
    TEST(test_time);
    TEST(test_many_logs);
    TEST(test_normalise);
    TEST(test_jump);
    TEST(test_top_index);
    TEST(test_split_index);
    TEST(test_args);
    TEST(test_property);
#if CS_HAS_CT
    TEST(test_backfill_queue);
#endif
    return TEST_SUMMARY();
}
