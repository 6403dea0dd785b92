/* test_follow.c - the CT log follower ([3b]) against a scripted log in
 * memory (no network): a fake transport that answers each HTTP request
 * from real data of ../shared/ct (RFC 6962 get-entries and the Pilot
 * tree head; the Navigli tiles behind the signed rome2026h1 checkpoint),
 * with faults: short batches, cuts mid-body, 429/503 with Retry-After in
 * both forms, a shrinking tree, a bad signature, a bad entry among good
 * ones, a growing tree, reads of any size. Checks that every entry comes
 * exactly once, in index order, or as a named error. */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "test.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#if CS_HAS_CT

/* ---- the scripted log ---- */

#define MAXE 8
static const char *leaf[MAXE], *extra[MAXE];
static size_t leaf_n[MAXE], extra_n[MAXE], nreal;
static unsigned char *tile0, *tile1, *cp;
static size_t tile0_n, tile1_n, cp_n;

typedef struct srv {
    int kind;                  /* CS_CT_RFC6962 / CS_CT_STATIC */
    char sth[1024];            /* the get-sth body */
    uint64_t size;             /* the entries it serves */
    uint64_t first;            /* index of the first entry (RFC 6962) */
    int cap;                   /* get-entries: most per response */
    int bad_index;             /* -1, or an entry served broken */
    int status, status_count;  /* a status instead of the answer */
    const char *retry_after;
    size_t cut_after;          /* > 0: close after this many body bytes */
    int cut_count;
    size_t chunk;              /* bytes per read */
    int open, closed;          /* the connection */
    char req[4096];
    size_t req_n;
    unsigned char *out;
    size_t out_n, out_off, out_cap;
    int requests, connects;
    uint64_t last_req_ms, now;
    char paths[64][96];
    int redirect, redirect_count; /* a 3xx instead of the answer */
    int redirect_form;         /* 0 absolute, 1 "/path", 2 "segment" */
    char host[300];            /* the host last opened */
} srv;

static srv S;

static void
out_add(const void *p, size_t n)
{
    if (S.out_n + n > S.out_cap) {
        S.out_cap = (S.out_n + n) * 2;
        S.out = (unsigned char *)realloc(S.out, S.out_cap);
    }
    memcpy(S.out + S.out_n, p, n);
    S.out_n += n;
}

static void
respond(int status, const char *extra_head, const void *body, size_t n)
{
    char h[512];
    int k = snprintf(h, sizeof h, "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n"
                     "%s\r\n", status, n, extra_head);
    S.out_n = S.out_off = 0;
    out_add(h, (size_t)k);
    out_add(body, n);
}

static void
serve(const char *path)
{
    static char body[1 << 20];
    size_t o = 0;

    if (S.requests < 64)
        snprintf(S.paths[S.requests], sizeof S.paths[0], "%.90s", path);
    S.requests++;
    S.last_req_ms = S.now;
    if (S.redirect_count > 0) {
        /* to /_moved<path> (another host when absolute), which serves
         * <path>; a segment form to <dir>/_m_<last segment> */
        char h[1200];
        const char *seg = strrchr(path, '/') + 1;
        S.redirect_count--;
        if (S.redirect_form == 0)
            snprintf(h, sizeof h, "Location: http://moved.example:8080"
                     "/_moved%s\r\n", path);
        else if (S.redirect_form == 1)
            snprintf(h, sizeof h, "Location: /_moved%s\r\n", path);
        else
            snprintf(h, sizeof h, "Location: _m_%s\r\n", seg);
        respond(S.redirect, h, "moved\n", 6);
        return;
    }
    if (strncmp(path, "/_moved/", 8) == 0)
        path += 7;
    {
        static char un[1024];
        const char *m = strstr(path, "/_m_");
        if (m != NULL && strlen(path) < sizeof un) {
            snprintf(un, sizeof un, "%.*s/%s", (int)(m - path), path, m + 4);
            path = un;
        }
    }
    if (S.status != 0 && S.status_count > 0
        && strstr(path, S.kind == CS_CT_STATIC ? "tile" : "entries")) {
        char h[128];
        S.status_count--;
        snprintf(h, sizeof h, "Retry-After: %s\r\n", S.retry_after);
        respond(S.status, h, "busy\n", 5);
        return;
    }
    if (strstr(path, "get-sth") != NULL) {
        respond(200, "", S.sth, strlen(S.sth));
    } else if (strstr(path, "get-entries") != NULL) {
        unsigned long long a = 0, b = 0, i;
        const char *q = strstr(path, "start=");
        if (q == NULL || sscanf(q, "start=%llu&end=%llu", &a, &b) != 2) {
            respond(400, "", "bad\n", 4);
            return;
        }
        if (a >= S.first + S.size) {
            respond(400, "", "need tree size\n", 15);
            return;
        }
        if (b >= S.first + S.size)
            b = S.first + S.size - 1;
        if (b - a + 1 > (unsigned long long)S.cap)
            b = a + (unsigned long long)S.cap - 1;
        o += (size_t)sprintf(body + o, "{\"entries\":[");
        for (i = a; i <= b; i++) {
            size_t r = (size_t)(i % nreal);
            if (i > a)
                body[o++] = ',';
            o += (size_t)sprintf(body + o, "{\"leaf_input\":\"");
            if ((int)i == S.bad_index) {
                memcpy(body + o, "AAAA", 4), o += 4;
            } else {
                memcpy(body + o, leaf[r], leaf_n[r]), o += leaf_n[r];
            }
            o += (size_t)sprintf(body + o, "\",\"extra_data\":\"");
            memcpy(body + o, extra[r], extra_n[r]), o += extra_n[r];
            o += (size_t)sprintf(body + o, "\"}");
        }
        o += (size_t)sprintf(body + o, "]}");
        respond(200, "", body, o);
    } else if (strcmp(path, "/checkpoint") == 0) {
        respond(200, "", cp, cp_n);
    } else if (strcmp(path, "/tile/data/000") == 0) {
        respond(200, "", tile0, tile0_n);
        if (S.bad_index >= 0)           /* entry 0's entry_type: 0x41 */
            S.out[S.out_n - tile0_n + 9] ^= 0x40;
    } else if (strncmp(path, "/tile/data/001.p/", 17) == 0) {
        /* the first W entries of tile 001: walk the entries */
        unsigned w = (unsigned)atoi(path + 17), k;
        cs_ct_tile t;
        static unsigned char eb[CS_CT_MAX_ENTRY];
        size_t used, off = 0;
        cs_ct_tile_init(&t, eb, sizeof eb);
        for (k = 0; k < w && off < tile1_n;) {
            int r = cs_ct_tile_feed(&t, tile1 + off, tile1_n - off, &used);
            off += used;
            if (r == CS_CT_ENTRY)
                k++;
            else if (r != 0)
                break;
        }
        respond(200, "", tile1, off);
    } else {
        respond(404, "", "no\n", 3);
    }
    if (S.cut_after > 0 && S.cut_count > 0 && strcmp(path, "/checkpoint")
        && strstr(path, "get-sth") == NULL) {
        S.cut_count--;
        if (S.out_n > S.cut_after + 200)
            S.out_n = S.cut_after + 200;     /* then the link drops */
        S.closed = 1;
    }
}

static int
t_open(void *ctx, const cs_url *u)
{
    (void)ctx;
    snprintf(S.host, sizeof S.host, "%s:%u", u->host, u->port);
    S.open = 1;
    S.closed = 0;
    S.req_n = S.out_n = S.out_off = 0;
    S.connects++;
    return 0;
}

static int
t_write(void *ctx, const unsigned char *buf, size_t len)
{
    char *e;
    (void)ctx;
    if (!S.open)
        return CS_E_CLOSED;
    if (S.req_n + len >= sizeof S.req)
        return CS_E_ARG;
    memcpy(S.req + S.req_n, buf, len);
    S.req_n += len;
    S.req[S.req_n] = 0;
    if ((e = strstr(S.req, "\r\n\r\n")) != NULL) {
        char path[1024];
        if (sscanf(S.req, "GET %1023s HTTP/1.1", path) == 1
            && strstr(S.req, "User-Agent: certstream.h/") != NULL
            && strstr(S.req, "Accept-Encoding: gzip, identity") != NULL)
            serve(path);
        else
            respond(500, "", "?\n", 2);
        S.req_n = 0;
    }
    return (int)len;
}

static int
t_read(void *ctx, unsigned char *buf, size_t len)
{
    size_t n;
    (void)ctx;
    if (!S.open)
        return CS_E_CLOSED;
    if (S.out_off >= S.out_n)
        return S.closed ? CS_E_CLOSED : 0;
    n = S.out_n - S.out_off;
    if (n > len)
        n = len;
    if (n > S.chunk)
        n = S.chunk;
    memcpy(buf, S.out + S.out_off, n);
    S.out_off += n;
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
    S.open = 0;
    S.out_n = S.out_off = 0;
}

static int
t_random(void *ctx, void *buf, size_t len)
{
    (void)ctx;
    memset(buf, 0x5a, len);
    return 0;
}

static int
t_unix(void *ctx, int64_t *s)
{
    (void)ctx;
    *s = 1767225600 + (int64_t)(S.now / 1000);   /* 2026-01-01 */
    return 0;
}

/* ---- what the follower said ---- */

#define MAXGOT 1024
static uint64_t got[MAXGOT];
static int ngot, nerr, nhead_err, ntree, nfailed, in_order;
static int err_code[MAXGOT];
static uint64_t err_index[MAXGOT];
static int last_head_err;
static uint64_t last_retry;
static int ndone, nredirect, last_fail_err, stop_after = -1;
static uint64_t done_index, first_next, tree_status;
static int domains_ok, fp_ok;

static void
on_event(void *ctx, const cs_event *ev)
{
    (void)ctx;
    if (ev->type == CS_EV_MESSAGE) {
        const cs_ct_update *u = ev->entry;
        unsigned char h[32];
        if (ngot > 0 && ev->index <= got[ngot - 1])
            in_order = 0;
        if (ngot < MAXGOT)
            got[ngot++] = ev->index;
        if (cs_ct_stats_get(ev->log)->next != ev->index + 1)
            in_order = 0;             /* the resume point is current */
        if (stop_after >= 0 && ngot >= stop_after)
            cs_ct_stop((cs_ct_follower *)ev->log);
        if (ev->msg->type != CS_MSG_CERT || ev->msg->cert_index != ev->index
            || ev->msg->domain_count == 0 || u == NULL || u->index != ev->index
            || ev->msg->verified != u->verified)
            domains_ok = 0;
        if (u != NULL) {
            cs_sha256(u->der, u->der_len, h);
            if (memcmp(h, u->sha256, 32) != 0 || u->cert == NULL
                || (u->type == CS_CT_PRECERT) != (strcmp(u->update_type,
                                                 "PrecertLogEntry") == 0))
                fp_ok = 0;
        }
    } else if (ev->type == CS_EV_CT_ERROR && ev->status == 0) {
        if (cs_ct_stats_get(ev->log)->next != ev->index + 1)
            in_order = 0;             /* the resume point is current */
        if (nerr < MAXGOT) {
            err_index[nerr] = ev->index;
            err_code[nerr] = ev->err;
        }
        nerr++;
    } else if (ev->type == CS_EV_CT_ERROR) {
        nhead_err++;
        last_head_err = ev->err;
    } else if (ev->type == CS_EV_CT_TREE) {
        ntree++;
        if (ev->status == 1) {        /* following starts: the position */
            tree_status++;
            first_next = cs_ct_stats_get(ev->log)->next;
        }
    } else if (ev->type == CS_EV_CT_DONE) {
        ndone++;
        done_index = ev->index;
    } else if (ev->type == CS_EV_REDIRECT) {
        nredirect++;
    } else if (ev->type == CS_EV_FAILED) {
        nfailed++;
        last_fail_err = ev->err;
    } else if (ev->type == CS_EV_RETRY) {
        last_retry = ev->delay_ms;
    }
}

static cs_ct_follower F;
static unsigned char mem[CS_CT_MEM];
static unsigned char keybuf[256];

static void
reset(int kind)
{
    free(S.out);
    memset(&S, 0, sizeof S);
    S.kind = kind;
    S.cap = 1000;
    S.bad_index = -1;
    S.chunk = 1 << 20;
    ngot = nerr = nhead_err = ntree = nfailed = 0;
    ndone = nredirect = last_fail_err = 0;
    stop_after = -1;
    done_index = first_next = tree_status = 0;
    in_order = domains_ok = fp_ok = 1;
    last_retry = 0;
}

static int start_has_to;
static uint64_t start_to;

static int
start(const char *url, int kind, const char *key_b64, int has_from,
      uint64_t from, uint32_t batch)
{
    cs_ct_config cfg;
    cs_transport t;

    t.open = t_open, t.read = t_read, t.write = t_write, t.wait = t_wait;
    t.close = t_close, t.ctx = NULL;
    cs_ct_config_init(&cfg);
    cfg.url = url;
    cfg.kind = kind;
    cfg.on_event = on_event;
    cfg.random = t_random;
    cfg.unix_time = t_unix;
    cfg.mem = mem;
    cfg.mem_cap = sizeof mem;
    cfg.has_from = has_from;
    cfg.from = from;
    cfg.batch = batch != 0 ? batch : 256;
    cfg.verify = 0;   /* no hash tiles scripted: see test_verify.py */
    cfg.poll_ms = 1000;
    cfg.has_to = start_has_to;
    cfg.to = start_to;
    if (key_b64 != NULL) {
        long n = cs_b64_decode(key_b64, strlen(key_b64), keybuf,
                               sizeof keybuf);
        cfg.key = keybuf;
        cfg.key_len = n > 0 ? (size_t)n : 0;
    }
    return cs_ct_init(&F, &cfg, &t);
}

/* Step the follower on a simulated clock until cond or ms pass. Returns
 * the last cs_ct_step(). */
static int
run_until(uint64_t ms, int (*cond)(void))
{
    uint64_t end = S.now + ms;
    int i, r = 0;

    for (i = 0; i < 200000 && S.now < end; i++) {
        cs_wait w;
        if ((r = cs_ct_step(&F, S.now, &w)) != 0)
            break;
        if (cond != NULL && cond())
            break;
        if (w.deadline_ms > S.now)
            S.now = w.deadline_ms < end ? w.deadline_ms : end;
    }
    return r;
}

static uint64_t want_next;
static int
reached(void)
{
    return cs_ct_stats_get(&F)->next >= want_next
        && F.phase == 0 /* idle */;
}

/* Every index in [a, b) arrived once, in order, or as a named error. */
static int
accounted(uint64_t a, uint64_t b)
{
    uint64_t i;
    int g = 0, e;

    for (i = a; i < b; i++) {
        int found = g < ngot && got[g] == i;
        if (found) {
            g++;
            continue;
        }
        for (e = 0; e < nerr && e < MAXGOT; e++)
            if (err_index[e] == i)
                break;
        if (e == nerr || e == MAXGOT)
            return 0;
    }
    return g == ngot && in_order;
}

/* IMF-fixdate of Unix time s (civil_from_days, H. Hinnant). */
static void
http_date(int64_t s, char out[64])
{
    static const char *wd[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue",
                               "Wed"};
    static const char *mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t z = s / 86400, era, doe, yoe, y, doy, mp, d, m, r = s % 86400;

    z += 719468;
    era = z / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    snprintf(out, 64, "%s, %02d %s %04d %02d:%02d:%02d GMT",
             wd[(s / 86400) % 7], (int)d, mo[m - 1], (int)y, (int)(r / 3600),
             (int)(r / 60 % 60), (int)(r % 60));
}

/* ---- the tests ---- */

static const char pilot_url[] = "http://ct.example/pilot/";
static char pilot_key[256];
static char pilot_sth[512];

static void
set_sth(uint64_t size)
{
    snprintf(S.sth, sizeof S.sth, "{\"tree_size\":%llu,\"timestamp\":1,"
             "\"sha256_root_hash\":\"SxKOxksguvHPyUaKYKXoZHzXl91Q257+JQ0AU"
             "MlFfeo=\",\"tree_head_signature\":\"BAMABAAAAAA=\"}",
             (unsigned long long)size);
}

/* Unverified RFC 6962 log: batches cut short by the log, reads of every
 * size, exactly once in order from 0. */
static void
test_rfc6962_batches(void)
{
    static const size_t chunks[] = { 1, 7, 100, 4096, 1 << 20 };
    size_t c;

    for (c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        reset(CS_CT_RFC6962);
        S.chunk = chunks[c];
        S.size = 40;
        S.cap = 5;
        set_sth(40);
        CHECK(start("http://ct.example/log/", CS_CT_RFC6962, NULL, 1, 0, 16)
              == 0);
        want_next = 40;
        run_until(60000, reached);
        CHECKF(ngot == 40 && accounted(0, 40), "chunk %zu: %d", chunks[c],
               ngot);
        CHECK(domains_ok && fp_ok && nerr == 0 && nfailed == 0);
        CHECK(S.connects == 1);               /* keep-alive */
        CHECK(cs_ct_behind(&F) == 0 && cs_ct_stats_get(&F)->entries == 40);
        CHECK(strstr(S.paths[1], "get-entries?start=0&end=15") != NULL);
        CHECK(strstr(S.paths[2], "start=5&end=20") != NULL);
        cs_ct_close(&F);
    }
}

/* Cut mid-body, 429 (seconds), 503 (date), a bad entry, a growing tree,
 * "start past the tree", a shrinking tree. */
static void
test_rfc6962_faults(void)
{
    uint64_t t0;
    int k;

    reset(CS_CT_RFC6962);
    S.size = 30;
    S.chunk = 333;
    set_sth(30);
    S.cut_after = 2500;
    S.cut_count = 2;
    S.bad_index = 7;
    CHECK(start("http://ct.example/log", CS_CT_RFC6962, NULL, 1, 0, 10)
          == 0);
    want_next = 30;
    run_until(600000, reached);
    CHECKF(accounted(0, 30), "%d got, %d errors", ngot, nerr);
    CHECK(nerr == 1 && err_index[0] == 7);
    CHECK(nfailed == 2 && S.connects == 3);
    /* 429 with Retry-After: 7 (seconds) */
    S.status = 429, S.status_count = 1, S.retry_after = "7";
    S.size = 40;
    set_sth(40);
    t0 = S.now;
    want_next = 40;
    run_until(600000, reached);
    CHECK(accounted(0, 40));
    for (k = 0; k < S.requests && k < 64; k++)
        ;
    CHECKF(S.last_req_ms - t0 >= 7000, "%llu",
           (unsigned long long)(S.last_req_ms - t0));
    /* 503 with an HTTP date 20 s ahead of the (fake) clock */
    {
        static char date[64];
        int64_t s;
        t_unix(NULL, &s);
        http_date(s + 20, date);
        S.status = 503, S.status_count = 1, S.retry_after = date;
    }
    S.size = 50;
    set_sth(50);
    t0 = S.now;
    want_next = 50;
    run_until(600000, reached);
    CHECK(accounted(0, 50));
    CHECKF(last_retry >= 19000 && last_retry <= 21000, "%llu",
           (unsigned long long)last_retry);
    /* the STH says 60, the log's get-entries says not yet: no error */
    set_sth(60);
    S.now += 2000;
    run_until(5000, NULL);
    CHECK(nfailed == 4 && ngot == 49);
    S.size = 60;
    want_next = 60;
    run_until(600000, reached);
    CHECK(accounted(0, 60));
    /* a shrinking tree: an error, nothing delivered again */
    set_sth(20);
    k = ngot;
    run_until(5000, NULL);
    CHECK(nhead_err >= 1 && last_head_err == CS_E_CT_SHRUNK && ngot == k);
    CHECK(cs_ct_stats_get(&F)->tree_size == 60);
    cs_ct_close(&F);
}

/* The real Pilot tree head, signed by Google: verified, then refused
 * with one flipped bit; entries from --from. */
static void
test_rfc6962_signed(void)
{
    reset(CS_CT_RFC6962);
    snprintf(S.sth, sizeof S.sth, "%s", pilot_sth);
    S.first = 0;
    S.size = 3721782;
    CHECK(start(pilot_url, CS_CT_RFC6962, pilot_key, 1, 3721782 - 12, 256)
          == 0);
    want_next = 3721782;
    run_until(60000, reached);
    CHECK(ntree == 1 && nhead_err == 0);
    CHECK(accounted(3721782 - 12, 3721782) && ngot == 12);
    cs_ct_close(&F);
    /* a bad signature: no head taken, nothing delivered */
    reset(CS_CT_RFC6962);
    snprintf(S.sth, sizeof S.sth, "%s", pilot_sth);
    {
        char *p = strstr(S.sth, "\"tree_size\":3721782");
        p[18] = '3';                    /* 3721783: the signature fails */
    }
    S.size = 3721783;
    CHECK(start(pilot_url, CS_CT_RFC6962, pilot_key, 0, 0, 256) == 0);
    run_until(20000, NULL);
#if CS_HAS_TLS
    CHECK(ntree == 0 && ngot == 0 && nhead_err >= 1);
    CHECK(last_head_err == CS_E_CT_BAD_SIGNATURE);
#else
    CHECK(ntree == 1 && nhead_err == 0);     /* unverified: taken */
#endif
    cs_ct_close(&F);
    /* default start: the tree size (new entries only) */
    reset(CS_CT_RFC6962);
    snprintf(S.sth, sizeof S.sth, "%s", pilot_sth);
    S.size = 3721782;
    CHECK(start(pilot_url, CS_CT_RFC6962, pilot_key, 0, 0, 256) == 0);
    run_until(20000, NULL);
    CHECK(ntree == 1 && ngot == 0 && cs_ct_behind(&F) == 0);
    cs_ct_close(&F);
}

/* A static log: the signed rome2026h1 checkpoint (size 300), the Navigli
 * tiles behind it (a full tile, then a partial one), from an index
 * inside the first tile. */
static void
test_static(void)
{
    static const size_t chunks[] = { 1, 1000, 1 << 20 };
    size_t c;
    const char *key = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEPIcer7RB32jt4bTEb"
                      "hgUKLKvOctFD+I2hoDItFxUBlJiGFvftBuRk3fO7e1T7gC2ekyfL7"
                      "XoO2oN/ObcZyc4EA==";

    for (c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        reset(CS_CT_STATIC);
        S.chunk = chunks[c];
        if (c == 1) {
            S.cut_after = 50000;
            S.cut_count = 1;
        }
        CHECK(start("http://rome2026h1.example.org/", CS_CT_STATIC, key, 1,
                    200, 0) == 0);
        want_next = 300;
        run_until(600000, reached);
        CHECKF(ntree == 1 && accounted(200, 300) && ngot == 100,
               "chunk %zu: %d entries %d errors", chunks[c], ngot, nerr);
        CHECK(domains_ok && fp_ok);
        CHECK(strcmp(S.paths[1], "/tile/data/000") == 0);
        CHECK(strcmp(S.paths[c == 1 ? 3 : 2], "/tile/data/001.p/44") == 0);
        cs_ct_close(&F);
    }
    /* a broken entry in the tile: named, the rest of that tile skipped */
    reset(CS_CT_STATIC);
    S.bad_index = 0;
    CHECK(start("http://rome2026h1.example.org/", CS_CT_STATIC, key, 1, 0,
                0) == 0);
    want_next = 300;
    run_until(600000, reached);
    CHECK(nerr == 1 && err_index[0] == 0 && err_code[0] == CS_E_CT_ENTRY_TYPE);
    CHECK(ngot == 44 && got[0] == 256 && in_order);  /* the rest skipped */
    /* the wrong origin: the checkpoint is refused */
    reset(CS_CT_STATIC);
    CHECK(start("http://other.example.org/", CS_CT_STATIC, key, 1, 0, 0)
          == 0);
    run_until(5000, NULL);
    CHECK(ntree == 0 && nhead_err >= 1 && last_head_err == CS_E_CT_ORIGIN);
    cs_ct_close(&F);
}

static int
failed_once(void)
{
    return nfailed > 0;
}

/* CS_CT_ANY, a log of either kind: an RFC 6962 log answers get-sth and is
 * read so (no checkpoint asked for); a static log whose get-sth is no
 * tree head (an empty 200 here) is read from its checkpoint, asked for at
 * once over the same connection, whose origin line names the log (the
 * URL names another host: a monitoring URL), signature checked with the
 * key; a URL with neither (the checkpoint 404): one CS_EV_FAILED
 * (CS_E_CT_NOT_A_LOG, status 404), then get-sth again after the backoff;
 * a kind that is none of the three: CS_E_ARG. */
static void
test_any(void)
{
    const char *key = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEPIcer7RB32jt4bTEb"
                      "hgUKLKvOctFD+I2hoDItFxUBlJiGFvftBuRk3fO7e1T7gC2ekyfL7"
                      "XoO2oN/ObcZyc4EA==";
    int i, cps = 0;

    reset(CS_CT_RFC6962);
    S.size = 40;
    set_sth(40);
    CHECK(start("http://ct.example/log/", CS_CT_ANY, NULL, 1, 0, 16) == 0);
    want_next = 40;
    run_until(60000, reached);
    CHECKF(ngot == 40 && accounted(0, 40) && nfailed == 0, "%d entries, "
           "%d failures", ngot, nfailed);
    CHECK(strstr(S.paths[0], "get-sth") != NULL
          && strstr(S.paths[1], "get-entries") != NULL);
    for (i = 0; i < S.requests && i < 64; i++)
        cps += strstr(S.paths[i], "checkpoint") != NULL;
    CHECK(cps == 0);
    cs_ct_close(&F);

    reset(CS_CT_STATIC);              /* S.sth "": get-sth answers "" */
    CHECK(start("http://mon.example/", CS_CT_ANY, key, 1, 200, 0) == 0);
    want_next = 300;
    run_until(600000, reached);
    CHECKF(ntree == 1 && nhead_err == 0 && nfailed == 0 && ngot == 100
           && accounted(200, 300), "%d heads (%d refused, last %d), %d "
           "entries", ntree, nhead_err, last_head_err, ngot);
    CHECK(strstr(S.paths[0], "/ct/v1/get-sth") != NULL
          && strcmp(S.paths[1], "/checkpoint") == 0
          && strcmp(S.paths[2], "/tile/data/000") == 0);
    CHECK(S.connects == 1 && domains_ok && fp_ok);
    cs_ct_close(&F);

    reset(CS_CT_STATIC);              /* no checkpoint under /sub/ */
    CHECK(start("http://ct.example/sub/", CS_CT_ANY, NULL, 0, 0, 0) == 0);
    run_until(60000, failed_once);
    CHECKF(nfailed == 1 && last_fail_err == CS_E_CT_NOT_A_LOG && ntree == 0
           && S.requests == 2, "%d failures (last %d), %d requests",
           nfailed, last_fail_err, S.requests);
    CHECK(strcmp(S.paths[1], "/sub/checkpoint") == 0);
    run_until(60000, NULL);           /* probed again, and again */
    CHECK(S.requests > 2 && strstr(S.paths[2], "/sub/ct/v1/get-sth")
          != NULL && ntree == 0);
    cs_ct_close(&F);
    CHECK(start("http://ct.example/", CS_CT_ANY + 1, NULL, 0, 0, 0)
          == CS_E_ARG);
}

/* Redirects: 302/307/301/308 to another host (absolute), to an absolute
 * path, to a relative segment; followed for that request only (the next
 * starts at the log's URL again); a loop ends after max_redirects hops,
 * named; a 3xx without Location is a status error. */
static void
test_redirects(void)
{
    static const int codes[] = { 302, 307, 301, 308, 303 };
    int form;

    for (form = 0; form < 3; form++) {
        reset(CS_CT_RFC6962);
        S.size = 40;
        S.cap = 16;
        set_sth(40);
        S.redirect = codes[form];
        S.redirect_form = form;
        S.redirect_count = 1;          /* the get-sth */
        CHECK(start("http://ct.example/log/", CS_CT_RFC6962, NULL, 1, 0, 16)
              == 0);
        want_next = 8;
        run_until(60000, reached);
        S.redirect = codes[form + 2], S.redirect_count = 1;  /* entries */
        want_next = 40;
        run_until(60000, reached);
        CHECKF(ngot == 40 && accounted(0, 40) && nfailed == 0,
               "form %d: %d entries, %d failures", form, ngot, nfailed);
        CHECKF(nredirect == 2 && cs_ct_stats_get(&F)->redirects == 2,
               "form %d: %d", form, nredirect);
        CHECK(strcmp(S.paths[0], "/log/ct/v1/get-sth") == 0);
        CHECK(strstr(S.paths[1], form == 2 ? "/log/ct/v1/_m_get-sth"
                                            : "/_moved/log/ct/v1/get-sth")
              != NULL);
        /* back at the log's own host and path afterwards */
        CHECK(strcmp(S.host, "ct.example:80") == 0);
        CHECK(strncmp(S.paths[S.requests - 1], "/log/ct/v1/", 11) == 0);
        /* same host: the kept-alive connection serves; another host:
         * a connection there and one back, twice */
        CHECKF(S.connects == (form == 0 ? 5 : 1), "form %d: %d connects",
               form, S.connects);
        cs_ct_close(&F);
    }
    /* static: the checkpoint and a tile, relative */
    reset(CS_CT_STATIC);
    S.redirect = 302, S.redirect_form = 2, S.redirect_count = 2;
    CHECK(start("http://rome2026h1.example.org/", CS_CT_STATIC, NULL, 1,
                250, 0) == 0);
    want_next = 300;
    run_until(60000, reached);
    CHECK(ngot == 50 && accounted(250, 300) && nredirect == 2);
    cs_ct_close(&F);
    /* a loop: 5 hops, then CS_E_CT_REDIRECTS, a backoff, no entries */
    reset(CS_CT_RFC6962);
    S.size = 10;
    set_sth(10);
    S.redirect = 302, S.redirect_form = 1, S.redirect_count = 6;
    CHECK(start("http://ct.example/log/", CS_CT_RFC6962, NULL, 1, 0, 16)
          == 0);
    run_until(500, NULL);
    CHECKF(nfailed == 1 && last_fail_err == CS_E_CT_REDIRECTS
           && nredirect == 5 && ngot == 0, "%d %d %d", nfailed,
           last_fail_err, nredirect);
    /* then the log answers: all of it, once */
    want_next = 10;
    run_until(600000, reached);
    CHECK(ngot == 10 && accounted(0, 10));
    cs_ct_close(&F);
    /* a 302 without a Location: a status failure */
    reset(CS_CT_RFC6962);
    S.size = 10;
    set_sth(10);
    S.status = 302, S.status_count = 1, S.retry_after = "1";
    CHECK(start("http://ct.example/log/", CS_CT_RFC6962, NULL, 1, 0, 16)
          == 0);
    want_next = 10;
    run_until(600000, reached);
    CHECK(nfailed == 1 && last_fail_err == CS_E_CT_STATUS && ngot == 10);
    cs_ct_close(&F);
}

/* Run [from, to) against the scripted log; returns cs_ct_step's last. */
static int
run_range(int kind, uint64_t from, uint64_t to, size_t chunk)
{
    const char *url = kind == CS_CT_STATIC ? "http://rome2026h1.example.org/"
                                            : "http://ct.example/log/";
    int r;

    reset(kind);
    S.chunk = chunk;
    if (kind == CS_CT_RFC6962) {
        S.size = 60;
        S.cap = 7;
        set_sth(60);
    }
    start_has_to = 1, start_to = to;
    r = start(url, kind, NULL, 1, from, 16);
    start_has_to = 0, start_to = 0;
    if (r != 0)
        return r;
    return run_until(600000, NULL);
}

/* Ranges: exactly [from, to), then CS_EV_CT_DONE and 2, without waiting
 * for the tree to grow when it covers to; for both protocols, across
 * batches and tiles, at any read size. */
static void
test_range(void)
{
    static const size_t chunks[] = { 1, 333, 1 << 20 };
    size_t c;
    int k;

    for (c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        CHECK(run_range(CS_CT_RFC6962, 5, 23, chunks[c]) == 2);
        CHECKF(ngot == 18 && accounted(5, 23) && ndone == 1
               && done_index == 23, "rfc6962 chunk %zu: %d", chunks[c], ngot);
        CHECKF(S.now < 1000, "waited %llu ms", (unsigned long long)S.now);
        for (k = 1; k < S.requests && k < 64; k++)
            CHECK(strstr(S.paths[k], "&end=23") == NULL
                  && strstr(S.paths[k], "&end=3") == NULL);
        CHECK(!S.open);               /* the connection is closed */
        /* static: from inside tile 0 into the partial tile 1 */
        CHECK(run_range(CS_CT_STATIC, 10, 260, chunks[c]) == 2);
        CHECKF(ngot == 250 && accounted(10, 260) && ndone == 1,
               "static chunk %zu: %d", chunks[c], ngot);
        CHECK(S.requests == 3 && strcmp(S.paths[2], "/tile/data/001.p/44")
              == 0);
        /* inside one full tile: the full tile, a part delivered */
        CHECK(run_range(CS_CT_STATIC, 3, 9, chunks[c]) == 2);
        CHECK(ngot == 6 && accounted(3, 9) && S.requests == 2
              && strcmp(S.paths[1], "/tile/data/000") == 0);
    }
    /* an empty range: done at once, nothing asked */
    CHECK(run_range(CS_CT_RFC6962, 7, 7, 1 << 20) == 2);
    CHECK(ngot == 0 && ndone == 1 && S.requests == 0);
    /* the tree does not cover to yet: wait for it to grow */
    reset(CS_CT_RFC6962);
    S.size = 10;
    set_sth(10);
    start_has_to = 1, start_to = 30;
    CHECK(start("http://ct.example/log/", CS_CT_RFC6962, NULL, 1, 0, 16)
          == 0);
    start_has_to = 0, start_to = 0;
    CHECK(run_until(20000, NULL) == 0);
    CHECK(ngot == 10 && ndone == 0);
    S.size = 40;
    set_sth(40);
    CHECK(run_until(600000, NULL) == 2);
    CHECK(ngot == 30 && accounted(0, 30) && ndone == 1);
    cs_ct_close(&F);
}

/* Resume: stop after k entries, start again from stats.next: every entry
 * once, none skipped, for both protocols (static: mid-tile). The first
 * tree head event says where following starts. */
static void
test_resume(void)
{
    static const int stops[] = { 1, 13, 100, 255, 256, 299 };
    size_t s;

    for (s = 0; s < sizeof stops / sizeof stops[0]; s++) {
        int kind = s % 2 ? CS_CT_STATIC : CS_CT_RFC6962;
        const char *url = kind == CS_CT_STATIC
                        ? "http://rome2026h1.example.org/"
                        : "http://ct.example/log/";
        uint64_t next, first = 0;
        int k;

        reset(kind);
        S.chunk = 97;
        if (kind == CS_CT_RFC6962) {
            S.size = 300;
            S.cap = 11;
            set_sth(300);
        }
        stop_after = stops[s];
        CHECK(start(url, kind, NULL, 1, first, 32) == 0);
        CHECK(run_until(600000, NULL) == 1);
        CHECK(tree_status == 1 && first_next == first);
        next = cs_ct_stats_get(&F)->next;
        CHECKF(ngot == stops[s] && next == (uint64_t)stops[s],
               "stop %d: %d entries, next %llu", stops[s], ngot,
               (unsigned long long)next);
        cs_ct_close(&F);
        /* the second run appends to got[] */
        k = ngot;
        stop_after = -1;
        S.requests = 0;
        CHECK(start(url, kind, NULL, 1, next, 32) == 0);
        want_next = 300;
        run_until(600000, reached);
        CHECK(first_next == next);
        CHECKF(ngot == 300 && accounted(0, 300), "stop %d: %d then %d",
               stops[s], k, ngot - k);
        cs_ct_close(&F);
    }
}

static void
test_config(void)
{
    cs_ct_config cfg;
    cs_transport t;

    t.open = t_open, t.read = t_read, t.write = t_write, t.wait = t_wait;
    t.close = t_close, t.ctx = NULL;
    cs_ct_config_init(&cfg);
    cfg.url = "ws://x/";
    cfg.mem = mem, cfg.mem_cap = sizeof mem, cfg.random = t_random;
    CHECK(cs_ct_init(&F, &cfg, &t) == CS_E_URL);
    cfg.url = "http://x/";
    cfg.mem_cap = CS_CT_MEM_MIN - 1;
    CHECK(cs_ct_init(&F, &cfg, &t) == CS_E_ARG);
    cfg.mem_cap = sizeof mem;
    cfg.key = (const unsigned char *)"nokey", cfg.key_len = 5;
    CHECK(cs_ct_init(&F, &cfg, &t) == CS_E_CT_KEY);
    cfg.key = NULL;
    CHECK(cs_ct_init(&F, &cfg, &t) == 0);
    printf("cs_ct_follower: %zu bytes, + cfg.mem %u (CS_CT_MEM)\n",
           cs_ct_follower_size(), (unsigned)CS_CT_MEM);
}

/* Pull the leaf_input/extra_data strings out of a get-entries file. */
static void
take_entries(const char *json)
{
    const char *p = json;

    while (nreal < MAXE && (p = strstr(p, "\"leaf_input\":\"")) != NULL) {
        const char *x;
        p += 14;
        leaf[nreal] = p;
        leaf_n[nreal] = (size_t)(strchr(p, '"') - p);
        x = strstr(p, "\"extra_data\":\"") + 14;
        extra[nreal] = x;
        extra_n[nreal] = (size_t)(strchr(x, '"') - x);
        nreal++;
    }
}

int
main(void)
{
    size_t n;
    unsigned char *e4, *e2, *sth, *key;

    TEST(test_config);
    e4 = load_str("rfc6962/get-entries-4.json", &n);
    e2 = load_str("rfc6962/get-entries-precert-and-cert.json", &n);
    sth = load_str("rfc6962/get-sth-pilot-2014.json", &n);
    key = load_str("rfc6962/pilot-key.b64", &n);
    tile0 = load_str("navigli2025h2/tile/data/000", &tile0_n);
    tile1 = load_str("navigli2025h2/tile/data/001", &tile1_n);
    cp = load_str("skylight/checkpoint", &cp_n);
    if (e4 == NULL || e2 == NULL || sth == NULL || key == NULL
        || tile0 == NULL || tile1 == NULL || cp == NULL) {
        printf("test_follow: %s absent: the scripted-log tests skip\n",
               data_dir());
        return TEST_SUMMARY();
    }
    take_entries((const char *)e4);
    take_entries((const char *)e2);
    snprintf(pilot_sth, sizeof pilot_sth, "%s", (const char *)sth);
    snprintf(pilot_key, sizeof pilot_key, "%.*s", (int)strcspn(
             (const char *)key, "\r\n"), (const char *)key);
    TEST(test_rfc6962_batches);
    TEST(test_rfc6962_faults);
    TEST(test_rfc6962_signed);
    TEST(test_static);
    TEST(test_any);
    TEST(test_redirects);
    TEST(test_range);
    TEST(test_resume);
    free(S.out);
    free(e4), free(e2), free(sth), free(key), free(tile0), free(tile1);
    free(cp);
    return TEST_SUMMARY();
}

#else
int
main(void)
{
    (void)test_cur, (void)test_cur_failed;
    printf("test_follow: built without CT\n");
    return TEST_SUMMARY();
}
#endif
