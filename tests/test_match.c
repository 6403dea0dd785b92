/* test_match.c - unit tests of the watchlist matcher (cs_match_*): every
 * pattern kind, exclusions, case, IDN and look-alikes, the error codes and
 * limits, sizing, hostile inputs (huge names, deep globs, binary pattern
 * lists, many patterns) with time bounds, and cs_match_msg() over a
 * message split at every byte.
 *
 *   test_match --match-test PATTERNS NAMES [--confusables]
 * compiles the patterns (one a line, as they are) and prints for each name
 * line the matching pattern indexes (or "ERR code index" once if the set
 * does not compile): tests/test_match_ref.py compares that with its own
 * matcher. */
/* The client test runs over a fake ws:// link: no TLS needed. */
#define CERTSTREAM_NO_TLS
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static void *
xmalloc(size_t n)
{
    void *p = malloc(n == 0 ? 1 : n);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

static uint64_t g_rng = 0x9e3779b97f4a7c15u;

static uint64_t
rnd(void)
{
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return g_rng * 0x2545f4914f6cdd1du;
}

static double
secs(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

/* A set compiled into exactly the memory cs_match_size() asks for, at an
 * odd address (the set aligns itself). */
typedef struct set {
    unsigned char *mem;
    cs_match *m;
    size_t size;
} set;

static int
set_make(set *s, const char *const *p, size_t n, unsigned flags)
{
    size_t bad = 99;
    int err = 1;

    s->m = NULL;
    s->mem = NULL;
    if (cs_match_size(p, n, flags, &s->size, &bad) != 0)
        return -1;
    s->mem = (unsigned char *)xmalloc(s->size + 1);
    s->m = cs_match_compile(s->mem + 1, s->size, p, n, flags, &err, &bad);
    CHECK(s->m != NULL && err == 0);
    return s->m != NULL ? 0 : -1;
}

static void
set_free(set *s)
{
    free(s->mem);
}

/* The ids as "a b c" (sorted by the API), or "-" for no match. */
static const char *
ids_of(cs_match *m, const char *name)
{
    static char out[256];
    uint32_t ids[32];
    int n = cs_match_name(m, name, strlen(name), ids, 32), i;
    size_t o = 0;

    if (n == 0)
        return "-";
    for (i = 0; i < n && i < 32; i++)
        o += (size_t)snprintf(out + o, sizeof out - o, "%s%u", i ? " " : "",
                              (unsigned)ids[i]);
    return out;
}

#define EXPECT(m, name, want) \
    CHECKF(strcmp(ids_of(m, name), want) == 0, "%s: got %s, want %s", name, \
           ids_of(m, name), want)

/* ==== pattern kinds ======================================================= */

static void
test_kinds(void)
{
    static const char *const p[] = {
        "paypal",           /* 0 keyword */
        "example.com",      /* 1 name */
        "paypal*.com",      /* 2 glob */
        "*-login.*",        /* 3 glob */
        "co.uk.",           /* 4 name, trailing dot */
        "a?c.org",          /* 5 glob */
        "*",                /* 6 glob without a literal */
    };
    set s;

    if (set_make(&s, p, 7, 0) != 0)
        return;
    CHECK(cs_match_kind(s.m, 0) == CS_MATCH_KEYWORD);
    CHECK(cs_match_kind(s.m, 1) == CS_MATCH_NAME);
    CHECK(cs_match_kind(s.m, 2) == CS_MATCH_GLOB);
    CHECK(cs_match_kind(s.m, 7) == 0);
    EXPECT(s.m, "example.com", "1 6");
    EXPECT(s.m, "a.b.example.com", "1 6");
    EXPECT(s.m, "badexample.com", "6");
    EXPECT(s.m, "example.com.evil.net", "6");
    EXPECT(s.m, "example.co", "6");
    EXPECT(s.m, "secure-paypal.net", "0 6");
    EXPECT(s.m, "paypal-secure.com", "0 2 6");
    EXPECT(s.m, "paypal.com", "0 2 6");
    EXPECT(s.m, "www.paypal.com", "0 6");
    EXPECT(s.m, "bank-login.example.org", "3 6");
    EXPECT(s.m, "x-login.y", "3 6");
    EXPECT(s.m, "bank.co.uk", "4 6");
    EXPECT(s.m, "co.uk", "4 6");
    EXPECT(s.m, "abc.org", "5 6");
    EXPECT(s.m, "a.c.org", "5 6");
    EXPECT(s.m, "ac.org", "6");
    EXPECT(s.m, "", "6");
    set_free(&s);
}

/* The feed's forms of a name: "*." and a trailing dot are dropped once. */
static void
test_name_forms(void)
{
    static const char *const p[] = {"example.com", "*.com", "zz"};
    set s;

    if (set_make(&s, p, 3, 0) != 0)
        return;
    EXPECT(s.m, "*.example.com", "0 1");     /* as "example.com" */
    EXPECT(s.m, "*.a.example.com", "0 1");
    EXPECT(s.m, "example.com.", "0 1");
    EXPECT(s.m, "*.*.example.com", "0 1");   /* one "*." goes */
    EXPECT(s.m, "example.com..", "-");      /* "example.com." */
    EXPECT(s.m, "a..example.com", "0 1");    /* empty labels are bytes */
    EXPECT(s.m, ".example.com", "0 1");
    set_free(&s);
    {
        /* "com." is a name (it has a dot): the TLD and all under it */
        static const char *const t[] = {"com."};
        if (set_make(&s, t, 1, 0) != 0)
            return;
        CHECK(cs_match_kind(s.m, 0) == CS_MATCH_NAME);
        EXPECT(s.m, "a.com", "0");
        EXPECT(s.m, "com", "0");
        EXPECT(s.m, "a.comx", "-");
        EXPECT(s.m, "acom", "-");
        set_free(&s);
    }
}

static void
test_exclusions(void)
{
    static const char *const p[] = {"paypal", "!paypal.com", "!*test*",
                                    "example.org"};
    set s;

    if (set_make(&s, p, 4, 0) != 0)
        return;
    CHECK(cs_match_kind(s.m, 1) == -CS_MATCH_NAME);
    CHECK(cs_match_kind(s.m, 2) == -CS_MATCH_GLOB);
    EXPECT(s.m, "paypal-secure.net", "0");
    EXPECT(s.m, "www.paypal.com", "-");
    EXPECT(s.m, "paypal.com", "-");
    EXPECT(s.m, "paypal.com.evil.net", "0");
    EXPECT(s.m, "paypaltest.net", "-");
    EXPECT(s.m, "test.example.org", "-");
    EXPECT(s.m, "www.example.org", "3");
    set_free(&s);
}

static void
test_case(void)
{
    static const char *const p[] = {"PayPal", "EXAMPLE.com", "*LOGIN*",
                                    "\303\234ber", /* Über */
                                    "\xd0\x91\xd0\x90\xd0\x9d\xd0\x9a"};
                                    /* БАНК */
    set s;

    if (set_make(&s, p, 5, 0) != 0)
        return;
    EXPECT(s.m, "WWW.PAYPAL.COM", "0");
    EXPECT(s.m, "a.Example.COM", "1");
    EXPECT(s.m, "my-Login.net", "2");
    EXPECT(s.m, "\xc3\xbc" "ber.de", "3");          /* über.de */
    EXPECT(s.m, "\xc3\x9c" "BER.de", "3");          /* ÜBER.de */
    EXPECT(s.m, "\xd0\xb1\xd0\xb0\xd0\xbd\xd0\xba.ru", "4"); /* банк.ru */
    /* Not folded: only the listed scripts' two-byte capitals. */
    EXPECT(s.m, "\xc3\xbd" "ber.de", "-");
    set_free(&s);
}

/* ==== IDN and look-alikes ================================================= */

static void
test_idn(void)
{
    static const char *const p[] = {
        "b\303\274cher",                  /* 0 bücher (keyword) */
        "m\xc3\xbcnchen.de",                 /* 1 münchen.de (name) */
        "*\xc3\xa9t\xc3\xa9*",               /* 2 *été* (glob) */
        "xn--bcher-kva",                     /* 3 the ASCII form itself */
        "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80", /* 4 пример */
    };
    set s;

    if (set_make(&s, p, 5, 0) != 0)
        return;
    EXPECT(s.m, "xn--bcher-kva.example", "0 3");
    EXPECT(s.m, "XN--BCHER-KVA.example", "0 3");
    EXPECT(s.m, "www.xn--mnchen-3ya.de", "1");
    EXPECT(s.m, "xn--mnchen-3ya.de.evil", "-");
    EXPECT(s.m, "xn--t-9fab.fr", "2");                /* été */
    EXPECT(s.m, "xn--e1afmkfd.xn--p1ai", "4");        /* пример.рф */
    EXPECT(s.m, "b\xc3\xbc" "cher.de", "0");          /* raw UTF-8 */
    /* Labels that do not decode stay as written. */
    EXPECT(s.m, "xn--bcher-kva!.example", "3");
    EXPECT(s.m, "xn--bcher-kv.example", "-");
    EXPECT(s.m, "axn--bcher-kva.example", "3");
    set_free(&s);
}

static void
test_confusables(void)
{
    static const char *const p[] = {"paypal", "apple.com", "!paypa1"};
    /* раураl: Cyrillic р а у р а, then Latin l */
    static const char cyr[] = "\xd1\x80\xd0\xb0\xd1\x83\xd1\x80\xd0\xb0l.com";
    set s, c;

    if (set_make(&s, p, 3, 0) != 0 || set_make(&c, p, 3,
                                                CS_MATCH_CONFUSABLES) != 0)
        return;
    EXPECT(s.m, cyr, "-");
    EXPECT(c.m, cyr, "0");
    EXPECT(c.m, "xn--al-6kc7dbr.com", "0");           /* its punycode */
    EXPECT(c.m, "\xd0\xa0\xd0\x90\xd0\xa3\xd0\xa0\xd0\x90L.com", "0");
    EXPECT(c.m, "p\xce\xb1yp\xce\xb1l.net", "0");     /* Greek alpha */
    EXPECT(c.m, "p\xc3\xa0yp\xc3\xa1l.net", "0");     /* à, á */
    /* Names are not skeletonized: only keywords. */
    EXPECT(c.m, "\xd0\xb0pple.com", "-");
    EXPECT(c.m, "paypal.com", "0");
    set_free(&s);
    set_free(&c);
}

/* ==== errors, limits, sizing ============================================== */

static void
expect_err(const char *pat, int want)
{
    const char *p[3];
    size_t size = 1, bad = 99;
    int err = 0;
    unsigned char mem[64];

    p[0] = "ok";
    p[1] = pat;
    p[2] = "fine.example";
    CHECKF(cs_match_size(p, 3, 0, &size, &bad) == want && bad == 1
               && size == 0,
           "\"%s\": want %s", pat, cs_errname(want));
    CHECK(cs_match_compile(mem, sizeof mem, p, 3, 0, &err, &bad) == NULL);
    CHECK(err == want && bad == 1);
    CHECK(*cs_strerror(want) != 0);
}

static void
test_errors(void)
{
    char big[CS_MATCH_PATTERN_MAX + 3];
    const char *p[2];
    size_t size, bad;
    unsigned char *mem;
    int err;

    expect_err("", CS_E_MATCH_EMPTY);
    expect_err("!", CS_E_MATCH_EMPTY);
    expect_err("a b", CS_E_MATCH_BYTE);
    expect_err("tab\there", CS_E_MATCH_BYTE);
    expect_err("del\x7f", CS_E_MATCH_BYTE);
    expect_err("bad\xc3", CS_E_MATCH_BYTE);
    expect_err("\xc0\xaf", CS_E_MATCH_BYTE);         /* overlong */
    expect_err("\xed\xa0\x80", CS_E_MATCH_BYTE);     /* surrogate */
    expect_err("\xf4\x90\x80\x80", CS_E_MATCH_BYTE); /* > U+10FFFF */
    expect_err(".example.com", CS_E_MATCH_LABEL);
    expect_err("a..b", CS_E_MATCH_LABEL);
    expect_err(".", CS_E_MATCH_LABEL);
    expect_err("!..", CS_E_MATCH_LABEL);
    memset(big, 'a', sizeof big);
    big[CS_MATCH_PATTERN_MAX + 1] = 0;
    expect_err(big, CS_E_MATCH_TOO_LONG);
    big[0] = '!';
    big[CS_MATCH_PATTERN_MAX + 1] = 0;               /* '!' + 1024 */
    p[0] = big;
    CHECK(cs_match_size(p, 1, 0, &size, &bad) == 0);
    big[CS_MATCH_PATTERN_MAX] = 0;
    p[0] = big + 1;                                  /* 1023 */
    CHECK(cs_match_size(p, 1, 0, &size, &bad) == 0);
    CHECK(cs_match_size(p, (size_t)CS_MATCH_MAX_PATTERNS + 1, 0, &size,
                        &bad) == CS_E_MATCH_TOO_MANY);
    /* Memory: exactly the size works, one byte less does not. */
    p[0] = "paypal";
    p[1] = "*.example.com";
    CHECK(cs_match_size(p, 2, 0, &size, &bad) == 0);
    mem = (unsigned char *)xmalloc(size + 8);
    CHECK(cs_match_compile(mem, size - 1, p, 2, 0, &err, &bad) == NULL
          && err == CS_E_MATCH_MEMORY);
    CHECK(cs_match_compile(mem + 3, size, p, 2, 0, &err, &bad) != NULL
          && err == 0);
    free(mem);
    /* An empty set matches nothing. */
    CHECK(cs_match_size(NULL, 0, 0, &size, &bad) == 0 && size > 0);
    mem = (unsigned char *)xmalloc(size);
    {
        cs_match *m = cs_match_compile(mem, size, NULL, 0, 0, &err, &bad);
        uint32_t id;
        CHECK(m != NULL && cs_match_name(m, "a.b", 3, &id, 1) == 0);
    }
    free(mem);
}

/* Each pattern once, in order, however often it occurs; the count goes
 * on past cap; ids may be NULL. */
static void
test_dedup_cap(void)
{
    static const char *const p[] = {"a", "aa", "a*", "!zz", "aa", "aaa.b"};
    char name[4001];
    uint32_t ids[3];
    set s;

    if (set_make(&s, p, 6, 0) != 0)
        return;
    memset(name, 'a', 4000);
    name[4000] = 0;
    EXPECT(s.m, name, "0 1 2 4");
    CHECK(cs_match_name(s.m, name, 4000, ids, 3) == 4);
    CHECK(cs_match_name(s.m, name, 4000, NULL, 0) == 4);
    EXPECT(s.m, "x.aaa.b", "0 1 4 5");
    EXPECT(s.m, "aaa.b", "0 1 2 4 5");
    EXPECT(s.m, "aazz", "-");
    set_free(&s);
}

/* Hostile names and patterns: huge names, deep globs, many patterns, and
 * random binary lists; everything bounded in time. */
static void
test_hostile(void)
{
    size_t n = 1 << 20, i, size, bad, count = 20000, ok = 0;
    char *name = (char *)xmalloc(n), *glob = (char *)xmalloc(1025);
    const char **pats = (const char **)xmalloc(count * sizeof *pats);
    char *store = (char *)xmalloc(count * 16);
    const char *p[3];
    double t0;
    set s;

    /* A 1 MB name of 'a' with a glob of 341 stars: the star-restart
     * verifier runs once per name. */
    for (i = 0; i < 1023; i++)
        glob[i] = i % 3 == 2 ? 'b' : i % 3 == 1 ? 'a' : '*';
    glob[1023] = 0;
    p[0] = glob;
    p[1] = "aaaa";
    p[2] = "?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*b";
    memset(name, 'a', n);
    if (set_make(&s, p, 3, 0) == 0) {
        uint32_t ids[4];
        t0 = secs();
        CHECK(cs_match_name(s.m, name, 65536, ids, 4) == 1 && ids[0] == 1);
        CHECK(cs_match_name(s.m, name, n, ids, 4) == 1);
        CHECKF(secs() - t0 < 5.0, "deep glob took %.2f s", secs() - t0);
        set_free(&s);
    }
    /* 1,000 nested keywords ("a", "aa", ...) on the same 1 MB name: each
     * output is walked once per name, not at every byte. */
    {
        char *nest = (char *)xmalloc(1000 * 1001);
        const char **np = (const char **)xmalloc(1000 * sizeof *np);
        uint32_t ids[4];
        for (i = 0; i < 1000; i++) {
            memset(nest + i * 1001, 'a', i + 1);
            nest[i * 1001 + i + 1] = 0;
            np[i] = nest + i * 1001;
        }
        if (set_make(&s, np, 1000, 0) == 0) {
            t0 = secs();
            CHECK(cs_match_name(s.m, name, n, ids, 4) == 1000);
            CHECK(ids[0] == 0 && ids[3] == 3);
            CHECKF(secs() - t0 < 1.0, "nested keywords took %.2f s",
                   secs() - t0);
            set_free(&s);
        }
        free(nest);
        free((void *)np);
    }
    /* Random binary pattern lists: an error or a set, never a crash; and
     * 20,000 random short patterns compile and match random names. */
    for (i = 0; i < count; i++) {
        size_t k, len = 1 + rnd() % 14;
        char *q = store + i * 16;
        for (k = 0; k < len; k++)
            q[k] = (char)(rnd() % 4 == 0 ? (int)(1 + rnd() % 255)
                                          : "abc.*?-xn\xc3\xbc"[rnd() % 11]);
        q[len] = 0;
        pats[i] = q;
        if (cs_match_size(pats + i, 1, 0, &size, &bad) == 0)
            pats[ok++] = q;
    }
    CHECK(ok > 1000 && ok < count);
    t0 = secs();
    if (set_make(&s, pats, ok, CS_MATCH_CONFUSABLES) == 0) {
        uint32_t ids[8];
        for (i = 0; i < 20000; i++) {
            size_t k, len = rnd() % 40;
            for (k = 0; k < len; k++)
                name[k] = (char)(rnd() % 8 == 0 ? (int)(rnd() % 256)
                                                : "abc.-xn"[rnd() % 7]);
            (void)cs_match_name(s.m, name, len, ids, 8);
        }
        set_free(&s);
    }
    CHECKF(secs() - t0 < 20.0, "random sets took %.2f s", secs() - t0);
    free(name);
    free(glob);
    free((void *)pats);
    free(store);
}

/* A tight copy answers like the set it came from, after the original's
 * memory is overwritten and freed. */
static void
test_copy(void)
{
    static const char *const p[] = {"paypal", "example.com", "*-login.*",
                                    "!safe.example.com", "b\303\274cher",
                                    "?", "apple", "apples", "ppl"};
    static const char *const names[] = {
        "www.paypal.com", "a.example.com", "safe.example.com", "x-login.y",
        "xn--bcher-kva.de", "q", "apples.net", "none.org", ""};
    char want[9][64];
    unsigned char *mem;
    size_t used, i;
    cs_match *c;
    set s;

    if (set_make(&s, p, 9, CS_MATCH_CONFUSABLES) != 0)
        return;
    used = cs_match_used(s.m);
    CHECKF(used < s.size, "used %zu, size %zu", used, s.size);
    for (i = 0; i < 9; i++)
        snprintf(want[i], sizeof want[i], "%s", ids_of(s.m, names[i]));
    mem = (unsigned char *)xmalloc(used + 3);
    CHECK(cs_match_copy(mem + 3, used - 1, s.m) == NULL);
    c = cs_match_copy(mem + 3, used, s.m);
    CHECK(c != NULL);
    memset(s.mem, 0xa5, s.size + 1);
    set_free(&s);
    if (c != NULL) {
        for (i = 0; i < 9; i++)
            EXPECT(c, names[i], want[i]);
        CHECK(cs_match_used(c) == used);
        CHECK(cs_match_kind(c, 3) == -CS_MATCH_NAME);
    }
    free(mem);
}

/* ==== messages ============================================================ */

/* cs_match_msg() on a certificate message fed whole and split at every
 * offset: the same hits each time. */
static void
test_msg_split(void)
{
    static const char msg[] =
        "{\"message_type\":\"certificate_update\",\"data\":{\"leaf_cert\":"
        "{\"all_domains\":[\"*.example.com\",\"www.paypal-login.net\","
        "\"xn--bcher-kva.de\",\"safe.example.com\",\"other.org\"]}}}";
    static const char *const p[] = {"example.com", "paypal", "*login*",
                                    "!safe.example.com",
                                    "b\303\274cher"};
    static unsigned char dom[4096];
    static cs_json j;
    cs_match_hit hits[16];
    size_t len = sizeof msg - 1, cut, nh, nd;
    set s;
    int same = 1;

    if (set_make(&s, p, 5, 0) != 0)
        return;
    cs_json_init(&j, dom, sizeof dom);
    for (cut = 0; cut <= len; cut++) {
        cs_json_begin(&j);
        cs_json_feed(&j, msg, cut);
        cs_json_feed(&j, msg + cut, len - cut);
        if (cs_json_end(&j) != 0) {
            same = 0;
            continue;
        }
        nd = cs_match_msg(s.m, cs_json_msg(&j), hits, 16, &nh);
        same &= nd == 3 && nh == 4 && hits[0].domain == 0
             && hits[0].pattern == 0 && hits[1].domain == 1
             && hits[1].pattern == 1 && hits[2].domain == 1
             && hits[2].pattern == 2 && hits[3].domain == 2
             && hits[3].pattern == 4;
    }
    CHECK(same);
    set_free(&s);
}

static void
test_msg(void)
{
    static const char msg[] =
        "{\"message_type\":\"dns_entries\",\"data\":[\"a.example.com\","
        "\"b.test\",\"c.example.com\",\"paypal.example.com\"]}";
    static const char *const p[] = {"example.com", "paypal"};
    static unsigned char dom[4096];
    static cs_json j;
    cs_match_hit hits[3];
    size_t nh = 99;
    set s;

    if (set_make(&s, p, 2, 0) != 0)
        return;
    cs_json_init(&j, dom, sizeof dom);
    CHECK(cs_json_parse(&j, msg, sizeof msg - 1) == 0);
    CHECK(cs_match_msg(s.m, cs_json_msg(&j), hits, 3, &nh) == 3);
    CHECK(nh == 3 && hits[0].domain == 0 && hits[1].domain == 2
          && hits[2].domain == 3 && hits[2].pattern == 0);
    CHECK(cs_match_msg(s.m, cs_json_msg(&j), NULL, 0, NULL) == 3);
    set_free(&s);
}

/* ==== the client option =================================================== */

/* A fake server link: it answers the opening handshake, sends scripted
 * text frames and a close, then reports EOF. */
typedef struct fake {
    char req[4096];
    size_t req_len;
    unsigned char out[8192];
    size_t out_len, pos;
    int answered;
} fake;

static const char *const fake_msgs[] = {
    "{\"message_type\":\"certificate_update\",\"data\":{\"leaf_cert\":"
    "{\"all_domains\":[\"a.other.org\",\"login.paypal.example\"]}}}",
    "{\"message_type\":\"certificate_update\",\"data\":{\"leaf_cert\":"
    "{\"all_domains\":[\"nothing.here\"]}}}",
    "{\"message_type\":\"heartbeat\",\"timestamp\":1.5}",
    "{\"message_type\":\"dns_entries\",\"data\":[\"x.example.com\"]}",
    "{\"message_type\":\"dns_entries\",\"data\":[\"safe.example.com\"]}",
};

static void
fake_add(fake *f, const void *p, size_t n)
{
    if (f->out_len + n <= sizeof f->out) {
        memcpy(f->out + f->out_len, p, n);
        f->out_len += n;
    }
}

static void
fake_answer(fake *f)
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    char key[128], acc[64], head[256];
    unsigned char sha[20], h[4];
    const char *k = strstr(f->req, "Sec-WebSocket-Key: ");
    size_t n = 0, i;

    if (k == NULL)
        return;
    k += 19;
    while (k[n] != '\r' && n < 60)
        n++;
    memcpy(key, k, n);
    memcpy(key + n, guid, sizeof guid);
    cs_sha1(key, strlen(key), sha);
    cs_base64(sha, 20, acc);
    n = (size_t)snprintf(head, sizeof head, "HTTP/1.1 101 Switching "
                         "Protocols\r\nUpgrade: websocket\r\nConnection: "
                         "Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", acc);
    fake_add(f, head, n);
    for (i = 0; i < sizeof fake_msgs / sizeof fake_msgs[0]; i++) {
        n = strlen(fake_msgs[i]);
        h[0] = 0x81;
        h[1] = (unsigned char)(n < 126 ? n : 126);
        h[2] = (unsigned char)(n >> 8);
        h[3] = (unsigned char)n;
        fake_add(f, h, n < 126 ? 2 : 4);
        fake_add(f, fake_msgs[i], n);
    }
    fake_add(f, "\x88\x02\x03\xe8", 4);
    f->answered = 1;
}

static int
fake_open(void *ctx, const cs_url *url)
{
    (void)ctx;
    (void)url;
    return 0;
}

static int
fake_read(void *ctx, unsigned char *buf, size_t len)
{
    fake *f = (fake *)ctx;
    size_t n = f->out_len - f->pos;

    if (!f->answered)
        return 0;
    if (n == 0)
        return CS_E_CLOSED;
    n = n < len ? n : len;
    n = n < 7 ? n : 7;                  /* short reads: split messages */
    memcpy(buf, f->out + f->pos, n);
    f->pos += n;
    return (int)n;
}

static int
fake_write(void *ctx, const unsigned char *buf, size_t len)
{
    fake *f = (fake *)ctx;
    size_t n = len < sizeof f->req - 1 - f->req_len
                   ? len : sizeof f->req - 1 - f->req_len;

    memcpy(f->req + f->req_len, buf, n);
    f->req_len += n;
    f->req[f->req_len] = 0;
    if (!f->answered && strstr(f->req, "\r\n\r\n") != NULL)
        fake_answer(f);
    return (int)len;
}

static int
fake_wait(void *ctx, int want, int *fd)
{
    (void)ctx;
    *fd = -1;
    return want;
}

static void
fake_close(void *ctx)
{
    (void)ctx;
}

static char g_events[1024];

static void
on_match_event(void *ctx, const cs_event *e)
{
    size_t o = strlen(g_events), i;

    (void)ctx;
    if (e->type != CS_EV_MESSAGE || e->err != 0)
        return;
    o += (size_t)snprintf(g_events + o, sizeof g_events - o, "[%d",
                          e->msg->type);
    for (i = 0; i < e->hit_count; i++)
        o += (size_t)snprintf(g_events + o, sizeof g_events - o, " %u:%u",
                              (unsigned)e->hits[i].domain,
                              (unsigned)e->hits[i].pattern);
    snprintf(g_events + o, sizeof g_events - o, "]");
}

/* cs_config.match: only matching certificate and dns messages arrive,
 * with their hits; heartbeats pass; the counters count everything. */
static void
test_client_option(void)
{
    static const char *const p[] = {"paypal", "example.com",
                                    "!safe.example.com", "*login*"};
    static cs_client c;
    static unsigned char dom[4096];
    static fake f;
    cs_config cfg;
    cs_transport t;
    cs_wait w;
    uint64_t now = 0;
    int i;
    set s;

    if (set_make(&s, p, 4, 0) != 0)
        return;
    memset(&f, 0, sizeof f);
    g_events[0] = 0;
    t.open = fake_open;
    t.read = fake_read;
    t.write = fake_write;
    t.wait = fake_wait;
    t.close = fake_close;
    t.ctx = &f;
    cs_config_init(&cfg);
    cfg.url = "ws://feed.test/";
    cfg.on_event = on_match_event;
    cfg.dom = dom;
    cfg.dom_cap = sizeof dom;
    cfg.reconnect = 0;
    cfg.match = s.m;
    CHECK(cs_client_init(&c, &cfg, &t) == 0);
    for (i = 0; i < 10000 && cs_client_step(&c, now, &w) == 0; i++)
        now += 5;
    CHECK(cs_client_result(&c) == 0 && f.pos == f.out_len);
    cs_client_close(&c);
    CHECKF(strcmp(g_events, "[1 1:0 1:3][2][3 0:1]") == 0, "events %s",
           g_events);
    CHECK(cs_client_stats(&c)->by_type[CS_MSG_CERT] == 2);
    CHECK(cs_client_stats(&c)->by_type[CS_MSG_DNS] == 2);
    set_free(&s);
}

/* ==== the driver for tests/test_match_ref.py ============================= */

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 16, n = 0, r;
    char *b = (char *)xmalloc(cap + 1);

    if (f == NULL) {
        perror(path);
        exit(2);
    }
    while ((r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            cap *= 2;
            b = (char *)realloc(b, cap + 1);
            if (b == NULL)
                exit(2);
        }
    }
    fclose(f);
    b[n] = 0;
    *len = n;
    return b;
}

/* Split text at '\n' in place: the lines' starts and lengths. */
static size_t
lines(char *text, size_t len, char ***start, size_t **lens)
{
    size_t n = 0, i, a = 0;

    for (i = 0; i < len; i++)
        n += text[i] == '\n';
    *start = (char **)xmalloc((n + 1) * sizeof **start);
    *lens = (size_t *)xmalloc((n + 1) * sizeof **lens);
    n = 0;
    for (i = 0; i < len; i++)
        if (text[i] == '\n') {
            text[i] = 0;
            (*start)[n] = text + a;
            (*lens)[n++] = i - a;
            a = i + 1;
        }
    return n;
}

static int
match_test(const char *pfile, const char *nfile, unsigned flags)
{
    size_t plen, nlen, np, nn, i, size, bad = 0, *pl, *nl;
    char *pt = slurp(pfile, &plen), *nt = slurp(nfile, &nlen), **ps, **ns;
    uint32_t *ids;
    unsigned char *mem;
    cs_match *m;
    int err, k, c;

    np = lines(pt, plen, &ps, &pl);
    nn = lines(nt, nlen, &ns, &nl);
    err = cs_match_size((const char *const *)ps, np, flags, &size, &bad);
    if (err != 0) {
        printf("ERR %d %zu\n", err, bad);
        return 0;
    }
    mem = (unsigned char *)xmalloc(size);
    m = cs_match_compile(mem, size, (const char *const *)ps, np, flags, &err,
                         &bad);
    if (m == NULL) {
        printf("COMPILE %d\n", err);
        return 1;
    }
    ids = (uint32_t *)xmalloc((np + 1) * sizeof *ids);
    for (i = 0; i < nn; i++) {
        c = cs_match_name(m, ns[i], nl[i], ids, np);
        for (k = 0; k < c; k++)
            printf(k ? " %u" : "%u", (unsigned)ids[k]);
        putchar('\n');
    }
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "--match-test") == 0)
        return match_test(argv[2], argv[3],
                          argc > 4 && strcmp(argv[4], "--confusables") == 0
                              ? CS_MATCH_CONFUSABLES
                              : 0);
    TEST(test_kinds);
    TEST(test_name_forms);
    TEST(test_exclusions);
    TEST(test_case);
    TEST(test_idn);
    TEST(test_confusables);
    TEST(test_errors);
    TEST(test_dedup_cap);
    TEST(test_hostile);
    TEST(test_copy);
    TEST(test_msg_split);
    TEST(test_msg);
    TEST(test_client_option);
    return TEST_SUMMARY();
}
