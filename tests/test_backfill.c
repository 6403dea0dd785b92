/* test_backfill.c - [3c]'s memory of certificates: the set's layout in
 * caller memory, its exact window (the oldest forgotten first, nothing
 * inside the window missed, nothing outside it found), no false drops
 * over a million distinct keys, short probe runs whatever the size (O(1)),
 * the SHA-1 of nothing ignored, and the origins: a backfilled entry the
 * server delivered is dropped, a server message a backfill delivered is
 * dropped, the server's own repeats are not (also through the client's
 * delivery path: the extractor's fingerprint, the tracker, the hook);
 * logs not in the list: probed once per URL (any spelling), the answer
 * remembered (the oldest of CS_BF_PROBED forgotten first), a URL found to
 * be no log given up at once with CS_E_CT_NOT_A_LOG.
 * Prints the cost of the client's hook per server message (not checked:
 * a number to report). */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "test.h"
#include <string.h>
#include <time.h>

#if CS_HAS_CT
static uint64_t rng = 0x9e3779b97f4a7c15u;

/* splitmix64: distinct outputs for distinct states, so the keys of one
 * run never repeat. */
static uint64_t
next64(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* A SHA-1 whose key is k (bits 63..1; the rest random). */
static void
sha_of(unsigned char sha[20], uint64_t k)
{
    uint64_t r = next64();
    int i;

    for (i = 0; i < 8; i++)
        sha[i] = (unsigned char)(k >> (56 - 8 * i));
    for (i = 8; i < 20; i++)
        sha[i] = (unsigned char)(r >> (8 * (i % 8)));
}

static uint64_t mem[(CS_BF_SEEN_SIZE(1 << 17) + 64) / 8];

/* Mean distance of the remembered keys from their home slot, and the
 * number held (every slot checked against the ring). */
static double
mean_probe(const cs__bf_seen *s, size_t *held)
{
    size_t h, n = 0, d = 0;

    for (h = 0; h <= s->mask; h++)
        if (s->slot[h] != 0) {
            n++;
            d += (h - cs__bf_home(s, s->slot[h])) & s->mask;
        }
    *held = n;
    return n ? (double)d / (double)n + 1.0 : 0.0;
}

static void
test_layout(void)
{
    cs__bf_seen s;
    unsigned char *p = (unsigned char *)mem;
    size_t off, n;

    for (off = 0; off < 8; off++) {            /* any alignment */
        CHECK(cs__bf_seen_init(&s, p + off, CS_BF_SEEN_SIZE(1024)) == 1024);
        CHECK((uintptr_t)s.ring % 8 == 0 && s.mask + 1 == 2048);
        CHECK((unsigned char *)(s.ring + 1024)
              <= p + off + CS_BF_SEEN_SIZE(1024));
    }
    CHECK(cs__bf_seen_init(&s, p + 1, CS_BF_SEEN_SIZE(2)) == 2);
    CHECK(cs__bf_seen_init(&s, p + 1, CS_BF_SEEN_SIZE(2) - 1) == 0);
    CHECK(cs__bf_seen_init(&s, p, 0) == 0);
    n = cs__bf_seen_init(&s, p, 24 * 1000);   /* not a power of two */
    CHECKF(n >= 24000 / 32 && n <= 24000 / 18 && 4 * n <= 3 * (s.mask + 1)
           && 8 * n + 8 * (s.mask + 1) <= 24000, "n %zu, slots %zu", n,
           s.mask + 1);
}

/* The window is exact: after key i, keys i-n+1..i are found and i-n is
 * not; the table holds exactly what the ring does. */
static void
test_window(void)
{
    cs__bf_seen s;
    size_t n = cs__bf_seen_init(&s, mem, CS_BF_SEEN_SIZE(256)), i, j, held;
    uint64_t keys[2000];
    int bad = 0;

    CHECK(n == 256);
    for (i = 0; i < 2000; i++)
        keys[i] = next64() & ~(uint64_t)1;
    for (i = 0; i < 2000; i++) {
        bad += cs__bf_seen_find(&s, keys[i]) != NULL;
        cs__bf_seen_add(&s, keys[i] | (i & 1));
        for (j = i + 1 > n ? i + 1 - n : 0; j <= i; j++) {
            uint64_t *e = cs__bf_seen_find(&s, keys[j]);
            bad += e == NULL || (*e & 1) != (j & 1);   /* origin kept */
        }
        if (i >= n)
            bad += cs__bf_seen_find(&s, keys[i - n]) != NULL;
        mean_probe(&s, &held);
        bad += held != (i + 1 < n ? i + 1 : n);
    }
    CHECKF(bad == 0, "%d misses, stale finds or lost slots", bad);
}

/* A million distinct keys through a window of 2^17: none found before it
 * is added (no false drop), every key of the final window found, probe
 * runs as short at 2^17 as at 2^10. */
static void
test_million(void)
{
    static uint64_t keys[1000000];
    cs__bf_seen s;
    size_t n = cs__bf_seen_init(&s, mem, CS_BF_SEEN_SIZE(1 << 17)), i;
    size_t held;
    int falses = 0, misses = 0;
    double big, small;

    CHECK(n == 1 << 17);
    for (i = 0; i < 1000000; i++) {
        keys[i] = next64() & ~(uint64_t)1;
        falses += cs__bf_seen_find(&s, keys[i]) != NULL;
        cs__bf_seen_add(&s, keys[i]);
    }
    for (i = 1000000 - n; i < 1000000; i++)
        misses += cs__bf_seen_find(&s, keys[i]) == NULL;
    misses += cs__bf_seen_find(&s, keys[1000000 - n - 1]) != NULL;
    big = mean_probe(&s, &held);
    CHECKF(falses == 0 && misses == 0 && held == n, "%d false, %d missed, "
           "%zu held", falses, misses, held);
    cs__bf_seen_init(&s, mem, CS_BF_SEEN_SIZE(1 << 10));
    for (i = 0; i < 100000; i++)
        cs__bf_seen_add(&s, keys[i]);
    small = mean_probe(&s, &held);
    CHECKF(big < 2.0 && small < 2.0, "mean probes %.2f (2^17), %.2f "
           "(2^10)", big, small);
}

static struct {
    int n;
    int backfilled;
    int ends, err;             /* CS_EV_BACKFILL: how many, the last err */
} got;

static void
on_ev(void *ctx, const cs_event *e)
{
    (void)ctx;
    if (e->type == CS_EV_MESSAGE) {
        got.n++;
        got.backfilled = e->backfilled;
    } else if (e->type == CS_EV_BACKFILL) {
        got.ends++;
        got.err = e->err;
    }
}

static cs_backfill bf;
static cs_ct_follower bff;
static unsigned char bfmem[CS_CT_MEM_MIN];

/* One follower, our callback, seen[0..cap): cs_backfill_init's result. */
static int
bf_init(void *seen, size_t cap)
{
    cs_backfill_config bc;

    cs_backfill_config_init(&bc);
    bc.slot[0] = &bff;
    bc.mem[0] = bfmem;
    bc.mem_cap = sizeof bfmem;
    bc.slots = 1;
    bc.on_event = on_ev;
    bc.seen = seen;
    bc.seen_cap = cap;
    return cs_backfill_init(&bf, &bc);
}

static void
bf_setup(void *seen, size_t cap)
{
    CHECK(bf_init(seen, cap) == 0);
}

/* What the follower hands the backfill: an entry with this SHA-1. */
static void
backfill_entry(const unsigned char sha[20])
{
    cs_ct_update u;
    cs_msg m;
    cs_event ev;

    memset(&u, 0, sizeof u);
    memcpy(u.sha1, sha, 20);
    cs_msg_reset(&m, NULL, 0);
    m.type = CS_MSG_CERT;
    m.has = CS_F_SHA1;
    memcpy(m.sha1, sha, 20);
    memset(&ev, 0, sizeof ev);
    ev.type = CS_EV_MESSAGE;
    ev.msg = &m;
    ev.entry = &u;
    cs__bf_on_event(&bf, &ev);
}

/* cfg.backfill_msg for a server message with this SHA-1: 1 = dropped. */
static int
server_msg(const cs_config *cc, const unsigned char sha[20])
{
    cs_msg m;

    cs_msg_reset(&m, NULL, 0);
    m.type = CS_MSG_CERT;
    m.has = CS_F_SHA1;
    memcpy(m.sha1, sha, 20);
    return cc->backfill_msg(cc->backfill, &m);
}

static void
test_origins(void)
{
    static const unsigned char empty[20] = {
        0xda, 0x39, 0xa3, 0xee, 0x5e, 0x6b, 0x4b, 0x0d, 0x32, 0x55,
        0xbf, 0xef, 0x95, 0x60, 0x18, 0x90, 0xaf, 0xd8, 0x07, 0x09};
    unsigned char x[20], y[20], z[20];
    const cs_backfill_stats *st = cs_backfill_stats_get(&bf);
    cs_config cc;
    uint64_t k;

    bf_setup(NULL, 0);
    CHECK(st->window == CS_BF_RECENT);
    cs_config_init(&cc);
    CHECK(cc.backfill_msg == NULL);
    cs_backfill_attach(&bf, &cc);
    CHECK(cc.backfill == &bf && cc.backfill_msg != NULL);
    sha_of(x, next64()), sha_of(y, next64()), sha_of(z, next64());
    /* the server's X first (Rust: log B's copy is a hole): the backfill
     * of B does not deliver it; the server's own repeat goes through */
    CHECK(server_msg(&cc, x) == 0);
    backfill_entry(x);
    CHECK(got.n == 0 && st->duplicates == 1 && st->delivered == 0);
    CHECK(server_msg(&cc, x) == 0 && st->server_duplicates == 0);
    /* a backfill delivers Y: every server copy after it is dropped, and
     * another backfill's Y too */
    backfill_entry(y);
    CHECK(got.n == 1 && got.backfilled == 1 && st->delivered == 1);
    CHECK(server_msg(&cc, y) == 1 && server_msg(&cc, y) == 1
          && st->server_duplicates == 2);
    backfill_entry(y);
    CHECK(got.n == 1 && st->duplicates == 2);
    /* the SHA-1 of nothing names no certificate: never remembered */
    CHECK(!cs__bf_key(empty, &k) && cs__bf_key(z, &k));
    CHECK(server_msg(&cc, empty) == 0 && bf.seen.used == 2);
    backfill_entry(empty);
    backfill_entry(empty);
    CHECK(got.n == 3 && st->duplicates == 2 && bf.seen.used == 2);
    CHECK(server_msg(&cc, empty) == 0 && st->server_duplicates == 2);
    /* caller memory: the window it holds; too little is refused */
    bf_setup(mem, CS_BF_SEEN_SIZE(4096));
    CHECK(st->window == 4096 && bf.seen.slot == (uint64_t *)mem);
    CHECK(bf_init(mem, CS_BF_SEEN_SIZE(2) - 8) == CS_E_ARG);
}

/* A gap of [10, 15) in the log whose source.url is src. */
static void
gap_of(const char *src)
{
    char norm[CS_GAP_URL_MAX];
    cs_gap_event g;

    memset(&g, 0, sizeof g);
    g.url = norm;
    g.url_len = cs_gap_url(norm, sizeof norm, src, strlen(src));
    g.source = src;
    g.source_len = strlen(src);
    g.first = 10;
    g.count = 5;
    cs_backfill_gap(&bf, &g, 0);
}

/* What the follower of slot 0, probing src, says (as cs__bf_on_event
 * hears it): its first head as kind (origin o), or no log (kind 0). */
static void
probe_says(const char *src, int kind, const char *o)
{
    cs_event ev;

    memset(&bf.run[0], 0, sizeof bf.run[0]);
    snprintf(bf.run[0].url, sizeof bf.run[0].url, "%s", src);
    bf.run[0].kind = CS_CT_ANY;
    bf.run[0].probe = 1;
    bf.busy[0] = 1;
    memset(&ev, 0, sizeof ev);
    ev.log = &bff;
    bff.cfg.kind = kind != 0 ? kind : CS_CT_RFC6962;
    bff.origin_len = strlen(o);
    memcpy(bff.origin, o, bff.origin_len);
    ev.type = kind != 0 ? CS_EV_CT_TREE : CS_EV_FAILED;
    ev.status = kind != 0 ? 1 : 404;
    ev.err = kind != 0 ? 0 : CS_E_CT_NOT_A_LOG;
    cs__bf_on_event(&bf, &ev);
    bf.busy[0] = 0;
}

static void
test_probed(void)
{
    const cs_backfill_stats *st = cs_backfill_stats_get(&bf);
    cs__bf_job j;
    char u[64];
    int i;

    bf_setup(NULL, 0);
    memset(&got, 0, sizeof got);
    /* not in the list: queued to be probed (kind CS_CT_ANY) */
    gap_of("https://Probe.example/log/");
    CHECK(bf.qlen == 1 && bf.queue[0].kind == CS_CT_ANY && st->no_log == 0);
    CHECK(cs__bf_resolve(&bf, 0, &bf.queue[0]) == 0 && bf.queue[0].probe);
    /* its probe finds no log: the slot's gap ends so, and a later gap of
     * the URL, spelled otherwise, is given up at once, once */
    probe_says("https://Probe.example/log/", 0, "");
    CHECK(bf.run[0].err == CS_E_CT_NOT_A_LOG && !bf.run[0].probe
          && st->failures == 0);
    gap_of("HTTPS://probe.EXAMPLE/log");
    CHECK(bf.qlen == 1 && st->no_log == 1 && got.ends == 1
          && got.err == CS_E_CT_NOT_A_LOG && st->given_up == 5);
    CHECK(cs__bf_resolve(&bf, 0, &bf.queue[0]) == CS_E_CT_NOT_A_LOG);
    /* a static log: its kind and origin for the next gap's follower */
    probe_says("http://mon.s.example/", CS_CT_STATIC, "log.s.example/x");
    memset(&j, 0, sizeof j);
    snprintf(j.url, sizeof j.url, "http://MON.s.example");
    j.kind = CS_CT_ANY;
    CHECK(cs__bf_resolve(&bf, 1, &j) == 0 && !j.probe
          && j.kind == CS_CT_STATIC
          && strcmp(bf.origin[1], "log.s.example/x") == 0);
    /* an answer again replaces its own; the oldest goes first */
    probe_says("http://mon.s.example", CS_CT_RFC6962, "");
    j.kind = CS_CT_ANY;
    CHECK(cs__bf_resolve(&bf, 1, &j) == 0 && j.kind == CS_CT_RFC6962);
    for (i = 0; i < CS_BF_PROBED - 1; i++) {
        snprintf(u, sizeof u, "http://r%d.example/", i);
        probe_says(u, CS_CT_RFC6962, "");
    }
    gap_of("https://probe.example/log/");     /* forgotten: probed again */
    CHECK(bf.qlen == 2 && st->no_log == 1);
    j.kind = CS_CT_ANY;                       /* still remembered */
    CHECK(cs__bf_resolve(&bf, 1, &j) == 0 && j.kind == CS_CT_RFC6962);
}

#if CS_HAS_POSIX
static cs_client cl;
static unsigned char gapmem[1 << 16];

/* A server message through the client's own delivery path (the gap
 * tracker, the watchlist, the backfill's hook, on_event), as if it had
 * just arrived whole. */
static void
client_msg(const char *json)
{
    cs_json_init(&cl.u.json, NULL, 0);
    cs_json_begin(&cl.u.json);
    CHECK(cs_json_feed(&cl.u.json, json, strlen(json)) == 0);
    cl.in_msg = 1;
    cs__message_end(&cl);
}

#define CERT_FP(idx, fpkey, fp) \
    "{\"message_type\":\"certificate_update\",\"data\":{\"cert_index\":" \
    idx ",\"source\":{\"url\":\"https://a.example/\"},\"leaf_cert\":" \
    "{\"all_domains\":[\"x.example\"]" fpkey fp "}}}"

/* The client's path: a server certificate_update with a fingerprint is
 * remembered; its backfilled copy is not delivered; a server copy (sha1
 * in plain hex) of a backfilled certificate is not delivered; messages
 * without a fingerprint, and dns_entries, go through untouched. */
static void
test_client_path(void)
{
    static const unsigned char x[20] = {
        0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x00, 0x11, 0x22, 0x33,
        0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD};
    static const unsigned char y[20] = {
        0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23,
        0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67};
    const cs_backfill_stats *st = cs_backfill_stats_get(&bf);
    cs_posix px;
    cs_transport tr;
    cs_config cc;

    bf_setup(NULL, 0);
    cs_config_init(&cc);
    cc.url = "ws://127.0.0.1:9/";
    cc.on_event = on_ev;
    cc.gap_mem = gapmem;
    cc.gap_size = sizeof gapmem;
    cc.gap_drop_duplicates = 1;
    cs_backfill_attach(&bf, &cc);
    cs_posix_transport(&px, &tr);
    CHECK(cs_client_init(&cl, &cc, &tr) == 0);
    memset(&got, 0, sizeof got);
    client_msg(CERT_FP("1", ",\"fingerprint\":",
                       "\"AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:"
                       "AA:BB:CC:DD\""));
    CHECK(got.n == 1 && got.backfilled == 0 && bf.seen.used == 1);
    backfill_entry(x);                         /* another log's copy */
    CHECK(got.n == 1 && st->duplicates == 1);
    backfill_entry(y);
    CHECK(got.n == 2 && got.backfilled == 1);
    client_msg(CERT_FP("2", ",\"sha1\":",
                       "\"0123456789abcdef0123456789abcdef01234567\""));
    CHECK(got.n == 2 && st->server_duplicates == 1);
    client_msg(CERT_FP("2", "", ""));          /* (log, index) again */
    client_msg(CERT_FP("3", "", ""));          /* no fingerprint */
    client_msg("{\"message_type\":\"dns_entries\",\"data\":[\"y.example\"]}");
    CHECK(got.n == 4 && got.backfilled == 0 && bf.seen.used == 2
          && st->server_duplicates == 1);
    CHECK(cs_client_stats(&cl)->gap_duplicates == 1);
    cs_client_close(&cl);
}

/* The client's cost per server message: the hook with a new certificate
 * each time (find misses, the oldest is forgotten, the new one added),
 * in the command's 2 MiB set once full. Printed, not checked. */
static void
test_cost(void)
{
    static unsigned char shas[1 << 16][20];
    static uint64_t seen[CS_BF_SEEN_SIZE(1 << 17) / 8];
    struct timespec t0, t1;
    cs_config cc;
    size_t i, j;
    int dropped = 0;
    double ns;

    bf_setup(seen, sizeof seen);
    cs_config_init(&cc);
    cs_backfill_attach(&bf, &cc);
    for (i = 0; i < (1u << 16); i++)
        sha_of(shas[i], next64());
    for (i = 0; i < (1u << 17); i++) {         /* fill it */
        unsigned char s[20];
        sha_of(s, next64());
        dropped += server_msg(&cc, s);
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (j = 0; j < 16; j++)
        for (i = 0; i < (1u << 16); i++) {
            shas[i][1] = (unsigned char)j;     /* a new key each pass */
            dropped += server_msg(&cc, shas[i]);
        }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9
          + (double)(t1.tv_nsec - t0.tv_nsec)) / (16.0 * 65536.0);
    CHECK(dropped == 0);
    printf("backfill: %.1f ns per server message (find + forget + add, "
           "window %llu)\n", ns,
           (unsigned long long)cs_backfill_stats_get(&bf)->window);
}
#endif /* CS_HAS_POSIX */
#endif /* CS_HAS_CT */

int
main(void)
{
#if CS_HAS_CT
    TEST(test_layout);
    TEST(test_window);
    TEST(test_million);
    TEST(test_origins);
    TEST(test_probed);
#if CS_HAS_POSIX
    TEST(test_client_path);
    TEST(test_cost);
#endif
#else
    (void)test_cur, (void)test_cur_failed;
    printf("skip: the backfill (CERTSTREAM_NO_CT)\n");
#endif
    return TEST_SUMMARY();
}
