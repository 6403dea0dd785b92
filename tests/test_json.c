/* test_json.c - unit tests of the message extractor (cs_json_*).
 *
 * Every vector goes through check_vec(), which parses it whole and then
 * again fed 1 byte at a time, split at every offset into two chunks, in
 * three chunks, in fixed and random chunk sizes, and after the extractor
 * was left dirty by an earlier message: every result must be identical
 * (error code and offset, has/bad/trunc, type, every field bit for bit,
 * every domain). Each chunk is an exact-size heap copy, so a sanitizer
 * build sees any read past it. The domain storage has guard bytes on
 * both sides, checked after every run.
 *
 * Vectors are written with ' for " and ^ for ' (see q()), so that the
 * JSON stays readable; they are hand-written in the shape each server
 * sends (certstream-ecosystem.md 3.2), not copied from recordings.
 *
 * CS_TEST_SCALE (default 1) scales the mutation and random-split counts. */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "test.h"
#define UTIL_RNG_SEED 0x2545f4914f6cdd1du
#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ==== allocation counting ================================================
 * malloc & co. defined here override libc's for the whole program (glibc
 * exports __libc_malloc & co. to forward to). AddressSanitizer brings its
 * own malloc, so there the check is skipped, visibly. */
#if defined(__SANITIZE_ADDRESS__)
#  define CS_TEST_ASAN 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define CS_TEST_ASAN 1
#  endif
#endif

static long g_allocs;           /* malloc/calloc/realloc/free calls */
static int g_skipped;

#if !defined(CS_TEST_ASAN) && defined(__GLIBC__)
#  define CS_TEST_HOOKS 1
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

void *
malloc(size_t n)
{
    g_allocs++;
    return __libc_malloc(n);
}

void *
calloc(size_t n, size_t m)
{
    g_allocs++;
    return __libc_calloc(n, m);
}

void *
realloc(void *p, size_t n)
{
    g_allocs++;
    return __libc_realloc(p, n);
}

void
free(void *p)
{
    if (p != NULL)
        g_allocs++;
    __libc_free(p);
}
#endif

/* ==== helpers ============================================================ */

static double g_scale = 1.0;

static long
scaled(long n)
{
    double v = (double)n * g_scale;
    return v < 1.0 ? 1 : (long)v;
}

static uint64_t
bits_of(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

/* Vectors are written with ' for " and ^ for '. Returns a copy from a
 * ring of buffers (valid for the next 15 calls). */
#define Q_SLOTS 16
#define Q_MAX (64 * 1024)
static char g_q[Q_SLOTS][Q_MAX];
static int g_qi;

static const char *
q(const char *s)
{
    char *o = g_q[g_qi++ % Q_SLOTS];
    size_t i;

    for (i = 0; s[i] != 0 && i + 1 < Q_MAX; i++)
        o[i] = s[i] == '\'' ? '"' : s[i] == '^' ? '\'' : s[i];
    o[i] = 0;
    return o;
}

/* The same, in place (for messages built with snprintf). */
static size_t
q_inplace(char *s)
{
    size_t i;
    for (i = 0; s[i] != 0; i++)
        if (s[i] == '\'')
            s[i] = '"';
        else if (s[i] == '^')
            s[i] = '\'';
    return i;
}

/* ==== results ============================================================ */

static long g_runs;             /* runs compared with a reference */

#define R_MAXDOM 8192
#define R_DOMBYTES (256 * 1024)

/* Everything a run produced, copied out of the extractor. Fields whose
 * has bit is clear are zeroed: the library leaves them unspecified. */
typedef struct result {
    int rc;                 /* cs_json_end() */
    int err;                /* cs_json_error() */
    uint64_t err_off;
    int feed_ok;            /* every feed returned cs_json_error() */
    int type;
    unsigned has, bad, trunc;
    uint64_t cert_index, seen, timestamp;   /* doubles as bits */
    cs_text type_name, url, name;
    unsigned char sha1[20], sha256[32];
    size_t dcount, dtotal;
    size_t doff[R_MAXDOM + 1];
    char dbuf[R_DOMBYTES];
} result;

static void
copy_text(cs_text *to, const cs_text *from, int present)
{
    memset(to, 0, sizeof *to);
    if (present) {
        to->len = from->len;
        memcpy(to->buf, from->buf, from->len + 1);
    }
}

static void
snapshot(const cs_json *j, int rc, int feed_ok, result *r)
{
    const cs_msg *m = cs_json_msg(j);
    size_t i, at = 0;

    r->rc = rc;
    r->err = cs_json_error(j);
    r->err_off = cs_json_error_offset(j);
    r->feed_ok = feed_ok;
    r->type = m->type;
    r->has = m->has;
    r->bad = m->bad;
    r->trunc = m->trunc;
    r->cert_index = (m->has & CS_F_CERT_INDEX) ? m->cert_index : 0;
    r->seen = (m->has & CS_F_SEEN) ? bits_of(m->seen) : 0;
    r->timestamp = (m->has & CS_F_TIMESTAMP) ? bits_of(m->timestamp) : 0;
    copy_text(&r->type_name, &m->type_name, (m->has & CS_F_TYPE) != 0);
    copy_text(&r->url, &m->source_url, (m->has & CS_F_SOURCE_URL) != 0);
    copy_text(&r->name, &m->source_name, (m->has & CS_F_SOURCE_NAME) != 0);
    memset(r->sha1, 0, sizeof r->sha1);
    memset(r->sha256, 0, sizeof r->sha256);
    if (m->has & CS_F_SHA1)
        memcpy(r->sha1, m->sha1, sizeof r->sha1);
    if (m->has & CS_F_SHA256)
        memcpy(r->sha256, m->sha256, sizeof r->sha256);
    r->dcount = m->domain_count;
    r->dtotal = m->domain_total;
    r->doff[0] = 0;
    for (i = 0; i < m->domain_count && i < R_MAXDOM; i++) {
        size_t n = 0;
        const char *d = cs_msg_domain(m, i, &n);
        if (at + n + 1 > R_DOMBYTES)
            break;
        memcpy(r->dbuf + at, d, n + 1);     /* with its NUL */
        at += n + 1;
        r->doff[i + 1] = at;
    }
}

static size_t
r_dom_len(const result *r, size_t i)
{
    return r->doff[i + 1] - r->doff[i] - 1;
}

static const char *
r_dom(const result *r, size_t i)
{
    return r->dbuf + r->doff[i];
}

static int
text_eq(const cs_text *a, const cs_text *b)
{
    return a->len == b->len && memcmp(a->buf, b->buf, a->len + 1) == 0;
}

/* Identical results? On a difference, say which field and return 0.
 * After an error only the error is compared (the fields are then
 * unspecified). */
static int
same_result(const result *a, const result *b, const char *vec,
            const char *how)
{
    const char *what = NULL;
    size_t i;

    g_runs++;
    if (a->rc != b->rc || a->err != b->err)
        what = "error code";
    else if (a->err_off != b->err_off)
        what = "error offset";
    else if (a->feed_ok != b->feed_ok)
        what = "feed() return values";
    else if (a->rc != 0)
        return 1;
    else if (a->type != b->type)
        what = "type";
    else if (a->has != b->has)
        what = "has";
    else if (a->bad != b->bad)
        what = "bad";
    else if (a->trunc != b->trunc)
        what = "trunc";
    else if (a->cert_index != b->cert_index)
        what = "cert_index";
    else if (a->seen != b->seen)
        what = "seen (bits)";
    else if (a->timestamp != b->timestamp)
        what = "timestamp (bits)";
    else if (!text_eq(&a->type_name, &b->type_name))
        what = "type_name";
    else if (!text_eq(&a->url, &b->url))
        what = "source_url";
    else if (!text_eq(&a->name, &b->name))
        what = "source_name";
    else if (memcmp(a->sha1, b->sha1, sizeof a->sha1) != 0)
        what = "sha1";
    else if (memcmp(a->sha256, b->sha256, sizeof a->sha256) != 0)
        what = "sha256";
    else if (a->dcount != b->dcount)
        what = "domain_count";
    else if (a->dtotal != b->dtotal)
        what = "domain_total";
    for (i = 0; what == NULL && i < a->dcount && i < R_MAXDOM; i++)
        if (a->doff[i + 1] != b->doff[i + 1]
                || memcmp(r_dom(a, i), r_dom(b, i), r_dom_len(a, i) + 1))
            what = "a domain";
    if (what == NULL)
        return 1;
    CHECKF(0, "%s: %s differs when %s (whole: rc %d off %llu; this: rc %d "
           "off %llu)", vec, what, how, a->rc,
           (unsigned long long)a->err_off, b->rc,
           (unsigned long long)b->err_off);
    return 0;
}

/* ==== domain storage with guard bytes ==================================== */

#define GUARD 64
#define STORE_MAX (600 * 1024)
#define GUARD_BYTE 0xa5

static unsigned char g_mem[GUARD + STORE_MAX + GUARD + 16];
static unsigned char *g_store;  /* storage handed to the extractor */
static size_t g_cap;

/* Storage of cap bytes starting `misalign` bytes past an aligned spot,
 * fenced on both sides. */
static void
store_setup(size_t cap, size_t misalign)
{
    if (cap > STORE_MAX)
        cap = STORE_MAX;
    g_store = g_mem + GUARD + misalign;
    g_cap = cap;
    memset(g_mem, GUARD_BYTE, GUARD + misalign);
    memset(g_store, 0x5a, cap);
    memset(g_store + cap, GUARD_BYTE, GUARD);
}

static int
guards_ok(void)
{
    size_t i;
    for (i = 0; g_mem + i < g_store; i++)
        if (g_mem[i] != GUARD_BYTE)
            return 0;
    for (i = 0; i < GUARD; i++)
        if (g_store[g_cap + i] != GUARD_BYTE)
            return 0;
    return 1;
}

/* ==== the runner ========================================================= */

static cs_json g_j, g_j2;

/* One piece, from an exact-size heap copy (an overread shows under
 * ASan); empty pieces are fed as (NULL, 0). Returns 1 when feed()
 * returned the error state, as it must. */
static int
feed_piece(cs_json *j, const unsigned char *p, size_t n)
{
    unsigned char *c = NULL;
    int rc;

    if (n > 0) {
        c = (unsigned char *)xmalloc(n);
        memcpy(c, p, n);
    }
    rc = cs_json_feed(j, c, n);
    free(c);
    return rc == cs_json_error(j);
}

/* How the extractor is left before the vector is fed: fresh; after a
 * good message; after a message that failed mid-string; after a message
 * abandoned half-way and cs_json_begin(). */
enum { DIRTY_FRESH, DIRTY_GOOD, DIRTY_ERROR, DIRTY_ABANDON, DIRTY_MODES };

static const char g_dirty_good[] =
    "{\"message_type\":\"certificate_update\",\"timestamp\":5,\"data\":{"
    "\"cert_index\":7,\"seen\":1.5,\"source\":{\"url\":\"http://u/\",\"name\":"
    "\"n\"},\"leaf_cert\":{\"all_domains\":[\"x.example\",\"y.example\"],"
    "\"fingerprint\":\"01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:4"
    "5:67\",\"sha256\":\"0123456789abcdef0123456789abcdef0123456789abcdef012345"
    "6789abcdef\"}}}";
static const char g_dirty_half[] =
    "{\"timestamp\":1,\"data\":{\"leaf_cert\":{\"sha1\":\"0123456789abcdef0123"
    "456789abcdef01234567\",\"sha256\":\"01:23\",\"all_domains\":[\"d.example\""
    ",\"\\ud83d";
static const char g_dirty_bad[] =
    "{\"message_type\":\"certif\\u00e9\x01\",\"data\":[\"q\"]}";

static void
prep(cs_json *j, int mode)
{
    switch (mode) {
    case DIRTY_FRESH:
        cs_json_init(j, g_store, g_cap);
        break;
    case DIRTY_GOOD:
        cs_json_init(j, g_store, g_cap);
        cs_json_feed(j, g_dirty_good, sizeof g_dirty_good - 1);
        cs_json_end(j);
        break;
    case DIRTY_ERROR:
        cs_json_init(j, g_store, g_cap);
        cs_json_feed(j, g_dirty_bad, sizeof g_dirty_bad - 1);
        cs_json_end(j);
        break;
    default:
        /* abandoned deep inside a domain, after a lone high surrogate
         * half, with a domain stored and a capture going on */
        cs_json_init(j, g_store, g_cap);
        cs_json_feed(j, g_dirty_half, sizeof g_dirty_half - 1);
        cs_json_begin(j);
        break;
    }
}

/* Feed msg[0..len) cut at cuts[0..ncut) (ascending), then end. */
static void
run_cuts(const unsigned char *msg, size_t len, const size_t *cuts,
         int ncut, int mode, result *r)
{
    size_t prev = 0;
    int i, ok = 1, rc, rc2;

    prep(&g_j, mode);
    for (i = 0; i < ncut; i++) {
        ok &= feed_piece(&g_j, msg + prev, cuts[i] - prev);
        prev = cuts[i];
    }
    ok &= feed_piece(&g_j, msg + prev, len - prev);
    rc = cs_json_end(&g_j);
    snapshot(&g_j, rc, ok, r);
    /* end() again, with nothing fed, ends an empty message: it never
     * reports this one a second time */
    rc2 = cs_json_end(&g_j);
    if (rc2 != CS_E_JSON_INCOMPLETE || cs_json_error_offset(&g_j) != 0
            || (cs_json_msg(&g_j)->has != 0))
        r->feed_ok = 0;
}

/* Feed in pieces of `step` bytes (0: random sizes, mostly small). */
static void
run_steps(const unsigned char *msg, size_t len, size_t step, int mode,
          result *r)
{
    size_t off = 0;
    int ok = 1;

    prep(&g_j, mode);
    if (len == 0) /* an empty message is still one feed() */
        ok &= feed_piece(&g_j, msg, 0);
    while (off < len) {
        size_t k = step;
        if (k == 0)
            k = rnd_below(8) == 0 ? 1 + rnd_below(300) : 1 + rnd_below(9);
        if (k > len - off)
            k = len - off;
        ok &= feed_piece(&g_j, msg + off, k);
        off += k;
    }
    snapshot(&g_j, cs_json_end(&g_j), ok, r);
}

/* A corpus of every vector checked so far, for the mutation test. */
#define CORPUS_MAX 600
#define CORPUS_LEN 3000
static unsigned char *g_corpus[CORPUS_MAX];
static size_t g_corpus_len[CORPUS_MAX];
static int g_ncorpus;

static result g_ref, g_cur;

/* The split-invariance check. Leaves the whole-message result in g_ref
 * for the caller's own assertions. Returns 1 if every way of feeding
 * agreed and the guard bytes survived. */
static int
check_vec_cap(const char *name, const void *data, size_t len, size_t cap)
{
    const unsigned char *msg = (const unsigned char *)data;
    size_t cuts[3], i, jx;
    int mode, rc;
    char how[96];
    static const size_t steps[] = {2, 3, 5, 7, 8, 13, 15, 16, 17, 31, 32,
                                   33, 63, 64, 65, 127, 4096};

    store_setup(cap, 0);
    if (g_ncorpus < CORPUS_MAX && len <= CORPUS_LEN) {
        g_corpus[g_ncorpus] = (unsigned char *)xmalloc(len);
        memcpy(g_corpus[g_ncorpus], msg, len);
        g_corpus_len[g_ncorpus++] = len;
    }
    /* the reference: cs_json_parse() on a fresh extractor */
    cs_json_init(&g_j2, g_store, g_cap);
    rc = cs_json_parse(&g_j2, msg, len);
    snapshot(&g_j2, rc, 1, &g_ref);
    if (!guards_ok()) {
        CHECKF(0, "%s: storage guard bytes overwritten", name);
        return 0;
    }
    for (mode = 0; mode < DIRTY_MODES; mode++) {
        sprintf(how, "fed whole after dirty mode %d", mode);
        run_cuts(msg, len, cuts, 0, mode, &g_cur);
        if (!same_result(&g_ref, &g_cur, name, how))
            return 0;
    }
    run_steps(msg, len, 1, DIRTY_GOOD, &g_cur);
    if (!same_result(&g_ref, &g_cur, name, "fed 1 byte at a time"))
        return 0;
    for (i = 0; i <= len; i++) {
        cuts[0] = i;
        run_cuts(msg, len, cuts, 1, (int)(i % DIRTY_MODES), &g_cur);
        sprintf(how, "split in two at %lu", (unsigned long)i);
        if (!same_result(&g_ref, &g_cur, name, how))
            return 0;
    }
    /* three pieces: every pair for short vectors, a sample otherwise */
    if (len <= 90) {
        for (i = 0; i <= len; i++)
            for (jx = i; jx <= len; jx++) {
                cuts[0] = i;
                cuts[1] = jx;
                run_cuts(msg, len, cuts, 2, DIRTY_FRESH, &g_cur);
                sprintf(how, "split in three at %lu, %lu", (unsigned long)i,
                        (unsigned long)jx);
                if (!same_result(&g_ref, &g_cur, name, how))
                    return 0;
            }
    } else {
        long n, k = scaled(150);
        for (n = 0; n < k; n++) {
            size_t a = rnd_below(len + 1), b = rnd_below(len + 1);
            cuts[0] = a < b ? a : b;
            cuts[1] = a < b ? b : a;
            run_cuts(msg, len, cuts, 2, (int)(n % DIRTY_MODES), &g_cur);
            sprintf(how, "split in three at %lu, %lu",
                    (unsigned long)cuts[0], (unsigned long)cuts[1]);
            if (!same_result(&g_ref, &g_cur, name, how))
                return 0;
        }
    }
    for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        run_steps(msg, len, steps[i], (int)(i % DIRTY_MODES), &g_cur);
        sprintf(how, "fed in %lu-byte pieces", (unsigned long)steps[i]);
        if (!same_result(&g_ref, &g_cur, name, how))
            return 0;
    }
    for (i = 0; i < 8; i++) {
        run_steps(msg, len, 0, (int)(i % DIRTY_MODES), &g_cur);
        if (!same_result(&g_ref, &g_cur, name, "fed in random pieces"))
            return 0;
    }
    /* a misaligned storage gives the same result */
    store_setup(cap, 3);
    run_steps(msg, len, 7, DIRTY_FRESH, &g_cur);
    if (!same_result(&g_ref, &g_cur, name, "storage misaligned by 3"))
        return 0;
    if (!guards_ok()) {
        CHECKF(0, "%s: storage guard bytes overwritten", name);
        return 0;
    }
    return 1;
}

#define DEFAULT_CAP (64 * 1024)

static int
check_vec(const char *name, const void *data, size_t len)
{
    return check_vec_cap(name, data, len, DEFAULT_CAP);
}

/* A vector in '-notation, checked; the result is in g_ref. */
static int
check_q(const char *name, const char *qs)
{
    const char *s = q(qs);
    return check_vec(name, s, strlen(s));
}

/* ==== assertions on g_ref ================================================ */

#define R (&g_ref)

/* The domains are exactly the NULL-terminated list given. */
static void
expect_domains(const char *vec, const result *r, ...)
{
    va_list ap;
    const char *d;
    size_t i = 0;

    va_start(ap, r);
    while ((d = va_arg(ap, const char *)) != NULL) {
        size_t n = strlen(d);
        if (i >= r->dcount) {
            CHECKF(0, "%s: domain %lu (%s) missing (count %lu)", vec,
                   (unsigned long)i, d, (unsigned long)r->dcount);
            break;
        }
        CHECKF(r_dom_len(r, i) == n && memcmp(r_dom(r, i), d, n + 1) == 0,
               "%s: domain %lu is \"%s\", want \"%s\"", vec,
               (unsigned long)i, r_dom(r, i), d);
        i++;
    }
    va_end(ap);
    CHECKF(r->dcount == i, "%s: %lu domains, want %lu", vec,
           (unsigned long)r->dcount, (unsigned long)i);
}

static void
expect_text(const char *vec, const char *field, const cs_text *t,
            const char *want, size_t n)
{
    CHECKF(t->len == n && memcmp(t->buf, want, n) == 0 && t->buf[n] == 0,
           "%s: %s is \"%.*s\" (%lu bytes), want \"%.*s\" (%lu bytes)", vec,
           field, (int)t->len, t->buf, (unsigned long)t->len, (int)n, want,
           (unsigned long)n);
}

#define EXPECT_TEXT(vec, field, want) \
    expect_text((vec), #field, &R->field, (want), sizeof(want) - 1)

static void
expect_ok(const char *vec)
{
    CHECKF(R->rc == 0, "%s: rc %d (%s) at %llu", vec, R->rc,
           cs_errname(R->rc), (unsigned long long)R->err_off);
}

#define ALL_CERT_FIELDS \
    (CS_F_TYPE | CS_F_DOMAINS | CS_F_CERT_INDEX | CS_F_SEEN \
     | CS_F_SOURCE_URL | CS_F_SOURCE_NAME)
/* every field under data: the bad bits of a data of the wrong type */
#define DATA_FIELDS \
    (CS_F_DOMAINS | CS_F_CERT_INDEX | CS_F_SEEN | CS_F_SOURCE_URL \
     | CS_F_SOURCE_NAME | CS_F_SHA1 | CS_F_SHA256)
#define LEAF_FIELDS (CS_F_DOMAINS | CS_F_SHA1 | CS_F_SHA256)

/* The digest r holds is the hex (with or without colons) in want. */
static void
expect_digest(const char *vec, const char *field, const unsigned char *d,
              size_t n, const char *want)
{
    unsigned char w[32];
    size_t i = 0, k = 0;

    while (want[k] != 0 && i < n) {
        unsigned v;
        if (want[k] == ':')
            k++;
        if (sscanf(want + k, "%2x", &v) != 1)
            break;
        w[i++] = (unsigned char)v;
        k += 2;
    }
    CHECKF(i == n && memcmp(d, w, n) == 0, "%s: %s differs from %s", vec,
           field, want);
}

/* ==== long base64 bodies ================================================= */

/* n base64 characters (a multiple of 4, '=' padded sometimes), from a
 * seed: stands in for as_der. */
static void
b64(char *out, size_t n, uint64_t seed)
{
    static const char a[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint64_t s = seed * 0x9e3779b97f4a7c15u + 1;
    size_t i;

    for (i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        out[i] = a[s & 63];
    }
    if (n >= 4 && (seed & 1))
        out[n - 1] = '=';
    out[n] = 0;
}

static char g_der1[4096], g_der2[4096], g_der3[4096];
static char g_msg[Q_MAX];

/* ==== server shapes ====================================================== */

/* Elixir (CaliDog/certstream-server): compact, keys sorted at every
 * level, data before message_type, nulls present, no newline. */
static void
test_elixir_lite(void)
{
    static const char v[] =
        "{'data':{'cert_index':591234567,'cert_link':'https://ct.googleapis"
        ".com/logs/us1/argon2025h2/ct/v1/get-entries?start=591234567&end=591"
        "234567','leaf_cert':{'all_domains':['*.shop.example.net','shop.exam"
        "ple.net'],'extensions':{'authorityInfoAccess':'CA Issuers - URI:htt"
        "p://r10.i.lencr.org/\\nOCSP - URI:http://r10.o.lencr.org\\n','autho"
        "rityKeyIdentifier':'keyid:BB:BC:C3:47:A5:E4:BC:A9:C6:C3:A4:72:0C:10"
        ":8D:A2:35:E1:C8:E8\\n','basicConstraints':'CA:FALSE','certificatePo"
        "licies':'Policy: 2.23.140.1.2.1','extendedKeyUsage':'TLS Web server"
        " authentication, TLS Web client authentication','keyUsage':'Digital"
        " Signature, Key Encipherment','subjectAltName':'DNS:*.shop.example."
        "net, DNS:shop.example.net','subjectKeyIdentifier':'1F:0A:77:3C:88:D"
        "2:41:9B:05:6E:AA:13:C4:5D:90:12:EF:34:B6:71'},'fingerprint':'0C:5B:"
        "8E:21:F7:43:9A:D0:66:12:7B:C8:E4:3F:A1:59:02:DD:8B:74','issuer':{'C"
        "':'US','CN':'R10','L':null,'O':'Let^s Encrypt','OU':null,'ST':null,"
        "'aggregated':'/C=US/CN=R10/O=Let^s Encrypt','emailAddress':null},'n"
        "ot_after':1767225599,'not_before':1759449600,'serial_number':'4A3B9"
        "C0D11E2F','signature_algorithm':'sha256, rsa','subject':{'C':null,'"
        "CN':'shop.example.net','L':null,'O':null,'OU':null,'ST':null,'aggre"
        "gated':'/CN=shop.example.net','emailAddress':null}},'seen':17594532"
        "12.418921,'source':{'name':'Google ^Argon2025h2^ log','url':'https:"
        "//ct.googleapis.com/logs/us1/argon2025h2/'},'update_type':'X509LogE"
        "ntry'},'message_type':'certificate_update'}";
    const char *n = "elixir lite";

    check_q(n, v);
    expect_ok(n);
    CHECK(R->type == CS_MSG_CERT);
    CHECK(R->has == (ALL_CERT_FIELDS | CS_F_SHA1) && R->bad == 0
          && R->trunc == 0);
    expect_digest(n, "sha1", R->sha1, 20, "0C:5B:8E:21:F7:43:9A:D0:66:12:7B:C8"
                  ":E4:3F:A1:59:02:DD:8B:74");
    CHECK(R->cert_index == 591234567u);
    CHECK(R->seen == bits_of(1759453212.418921));
    EXPECT_TEXT(n, type_name, "certificate_update");
    EXPECT_TEXT(n, url, "https://ct.googleapis.com/logs/us1/argon2025h2/");
    EXPECT_TEXT(n, name, "Google 'Argon2025h2' log");
    expect_domains(n, R, "*.shop.example.net", "shop.example.net", NULL);
    CHECK(R->dtotal == 2);
}

/* Elixir full stream: leaf as_der and a chain (no all_domains in it). */
static void
test_elixir_full(void)
{
    const char *n = "elixir full";
    size_t len;

    b64(g_der1, 1804, 1);
    b64(g_der2, 1732, 2);
    b64(g_der3, 1300, 3);
    snprintf(g_msg, sizeof g_msg,
        "{'data':{'cert_index':1480,'cert_link':'https://oak.ct.letsencrypt."
        "org/2026h1/ct/v1/get-entries?start=1480&end=1480','chain':[{'as_der"
        "':'%s','extensions':{'basicConstraints':'CA:TRUE','keyUsage':'Digit"
        "al Signature, Certificate Sign, CRL Sign'},'fingerprint':'A0:53:37:"
        "5B:FE:84:E8:B7:48:78:2C:7C:EE:15:82:7A:6A:F5:A4:05','issuer':{'C':'"
        "US','CN':'ISRG Root X1','L':null,'O':'Internet Security Research Gr"
        "oup','OU':null,'ST':null,'aggregated':'/C=US/CN=ISRG Root X1/O=Inte"
        "rnet Security Research Group','emailAddress':null},'not_after':1741"
        "564799,'not_before':1599609600,'serial_number':'912B084ACF0C18A753F"
        "6D62E25A75F5A','signature_algorithm':'sha256, rsa','subject':{'C':'"
        "US','CN':'R10','L':null,'O':'Let^s Encrypt','OU':null,'ST':null,'ag"
        "gregated':'/C=US/CN=R10/O=Let^s Encrypt','emailAddress':null}},{'as"
        "_der':'%s','extensions':{},'fingerprint':'CA:BD:2A:79:A1:07:6A:31:F"
        "2:1D:25:36:35:CB:03:9D:43:29:A5:E8','issuer':{'aggregated':'/CN=ISR"
        "G Root X1'},'not_after':2057283199,'not_before':1433462400,'serial_"
        "number':'8210CFB0D240E3594463E0BB63828B00','signature_algorithm':'s"
        "ha256, rsa','subject':{'aggregated':'/CN=ISRG Root X1'}}],'leaf_cer"
        "t':{'all_domains':['mail.example.org','www.example.org','example.or"
        "g'],'as_der':'%s','extensions':{'subjectAltName':'DNS:example.org, "
        "DNS:mail.example.org, DNS:www.example.org'},'fingerprint':'11:22:33"
        ":44:55:66:77:88:99:00:AA:BB:CC:DD:EE:FF:01:23:45:67','issuer':{'C':"
        "'US','CN':'R10','L':null,'O':'Let^s Encrypt','OU':null,'ST':null,'a"
        "ggregated':'/C=US/CN=R10/O=Let^s Encrypt','emailAddress':null},'not"
        "_after':1775000000,'not_before':1767224000,'serial_number':'3A1','s"
        "ignature_algorithm':'sha256, rsa','subject':{'C':null,'CN':'example"
        ".org','L':null,'O':null,'OU':null,'ST':null,'aggregated':'/CN=examp"
        "le.org','emailAddress':null}},'seen':1767224003.5,'source':{'name':"
        "'Let^s Encrypt ^Oak2026h1^ log','url':'https://oak.ct.letsencrypt.o"
        "rg/2026h1/'},'update_type':'PrecertLogEntry'},'message_type':'certi"
        "ficate_update'}", g_der2, g_der3, g_der1);
    len = q_inplace(g_msg);
    CHECK(len > 5000);
    check_vec(n, g_msg, len);
    expect_ok(n);
    CHECK(R->type == CS_MSG_CERT && R->has == (ALL_CERT_FIELDS | CS_F_SHA1));
    CHECK(R->bad == 0 && R->trunc == 0);
    /* the leaf's fingerprint, not a chain certificate's */
    expect_digest(n, "sha1", R->sha1, 20, "112233445566778899"
                  "00AABBCCDDEEFF01234567");
    CHECK(R->cert_index == 1480 && R->seen == bits_of(1767224003.5));
    EXPECT_TEXT(n, name, "Let's Encrypt 'Oak2026h1' log");
    EXPECT_TEXT(n, url, "https://oak.ct.letsencrypt.org/2026h1/");
    expect_domains(n, R, "mail.example.org", "www.example.org",
                   "example.org", NULL);
}

static void
test_elixir_dns(void)
{
    const char *n = "elixir dns_entries";

    check_q(n, "{'data':['a.example.com','b.example.com','*.c.example.com"
               "'],'message_type':'dns_entries'}");
    expect_ok(n);
    CHECK(R->type == CS_MSG_DNS);
    CHECK(R->has == (CS_F_TYPE | CS_F_DOMAINS) && R->bad == 0);
    expect_domains(n, R, "a.example.com", "b.example.com", "*.c.example.com",
                   NULL);
    EXPECT_TEXT(n, type_name, "dns_entries");
}

/* Go (d-Rickyy-b/certstream-server-go): data first, message_type last,
 * a trailing "\n"; chain entries carry their own "all_domains":[];
 * source has timestamp and type; cert_link "" for tiled logs. */
static void
test_go_full(void)
{
    const char *n = "go full";
    size_t len;

    b64(g_der1, 1600, 4);
    b64(g_der2, 1400, 5);
    snprintf(g_msg, sizeof g_msg,
        "{'data':{'cert_index':4354630040,'cert_link':'','chain':[{'all_doma"
        "ins':[],'as_der':'%s','extensions':{'keyUsage':'Digital Signature, "
        "Certificate Sign, CRL Sign','basicConstraints':'CA:TRUE'},'fingerpr"
        "int':'5A:BC:00:11','sha1':'5ABC0011','sha256':'00FF','not_after':17"
        "72236799,'not_before':1709164800,'serial_number':'00AB','signature_"
        "algorithm':'sha384, rsa','subject':{'C':'US','CN':'E6','L':null,'O'"
        ":'Let^s Encrypt','OU':null,'ST':null,'aggregated':'/C=US/CN=E6/O=Le"
        "t^s Encrypt','email_address':null},'issuer':{'C':'US','CN':'ISRG Ro"
        "ot X1','L':null,'O':'Internet Security Research Group','OU':null,'S"
        "T':null,'aggregated':'/C=US/CN=ISRG Root X1/O=Internet Security Res"
        "earch Group','email_address':null},'is_ca':true}],'leaf_cert':{'all"
        "_domains':['api.example.io','example.io'],'as_der':'%s','extension"
        "s':{'authorityInfoAccess':'URI:http://e6.i.lencr.org/, URI:http://e"
        "6.o.lencr.org','authorityKeyIdentifier':'keyid:93:27:46:98:03:a9:51"
        ":68:8e:98:d6:c4:42:48:db:23:bf:58:94:d2','ctlPoisonByte':true,'subj"
        "ectAltName':'DNS:api.example.io, DNS:example.io'},'fingerprint':'27"
        ":58:3D:01:3D:71:B8:D3:A6:6E:2C:7A:86:3A:E9:1F:DB:F0:1B:5D','sha1':'"
        "27:58:3D:01:3D:71:B8:D3:A6:6E:2C:7A:86:3A:E9:1F:DB:F0:1B:5D','sha25"
        "6':'57:61:38:C0:3C:03:A3:34:6A:0B:32:89:11:1B:74:AB:8A:DF:A5:02:9F:"
        "06:43:E6:F3:0E:69:F3:0E:4E:4E:FC','not_after':1775000000,'not_befo"
        "re':1767224000,'serial_number':'04F2','signature_algorithm':'ecdsa,"
        " sha256','subject':{'C':null,'CN':'example.io','L':null,'O':null,'O"
        "U':null,'ST':null,'aggregated':'/CN=example.io','email_address':nul"
        "l},'issuer':{'C':'US','CN':'E6','L':null,'O':'Let^s Encrypt','OU':n"
        "ull,'ST':null,'aggregated':'/C=US/CN=E6/O=Let^s Encrypt','email_add"
        "ress':null},'is_ca':false},'seen':1767224003.127,'source':{'name':'"
        "Let^s Encrypt ^Willow2026h1^','url':'https://mon.willow.ct.letsencr"
        "ypt.org/2026h1/','timestamp':1767224001512,'type':'tiled'},'update_"
        "type':'PrecertLogEntry'},'message_type':'certificate_update'}\n",
        g_der1, g_der2);
    len = q_inplace(g_msg);
    check_vec(n, g_msg, len);
    expect_ok(n);
    CHECK(R->type == CS_MSG_CERT
          && R->has == (ALL_CERT_FIELDS | CS_F_SHA1 | CS_F_SHA256));
    CHECK(R->bad == 0 && R->trunc == 0);
    expect_digest(n, "sha1", R->sha1, 20, "27583D013D71B8D3A66E2C7A863AE91FD"
                  "BF01B5D");
    expect_digest(n, "sha256", R->sha256, 32, "576138C03C03A3346A0B3289111B7"
                  "4AB8ADFA5029F0643E6F30E69F30E4E4EFC");
    CHECK(R->cert_index == 4354630040u);
    CHECK(R->seen == bits_of(1767224003.127));
    CHECK(R->timestamp == 0); /* source.timestamp is not the heartbeat's */
    EXPECT_TEXT(n, url, "https://mon.willow.ct.letsencrypt.org/2026h1/");
    EXPECT_TEXT(n, name, "Let's Encrypt 'Willow2026h1'");
    expect_domains(n, R, "api.example.io", "example.io", NULL);
}

static void
test_go_lite_and_dns(void)
{
    const char *n = "go lite";

    check_q(n, "{'data':{'cert_index':12,'cert_link':'https://ct.example/ct"
               "/v1/get-entries?start=12&end=12','leaf_cert':{'all_domains':"
               "['go.example'],'extensions':{},'fingerprint':'','sha1':'','s"
               "ha256':'','not_after':2,'not_before':1,'serial_number':'01',"
               "'signature_algorithm':'ecdsa, sha256','subject':{'C':null,'C"
               "N':'go.example','L':null,'O':null,'OU':null,'ST':null,'aggre"
               "gated':'/CN=go.example','email_address':null},'issuer':{'C':"
               "null,'CN':null,'L':null,'O':null,'OU':null,'ST':null,'aggreg"
               "ated':'','email_address':null},'is_ca':false},'seen':1767224"
               "003.1,'source':{'name':'Example log','url':'https://ct.examp"
               "le/','timestamp':1767224001000,'type':'rfc6962'},'update_typ"
               "e':'X509LogEntry'},'message_type':'certificate_update'}\n");
    expect_ok(n);
    CHECK(R->type == CS_MSG_CERT && R->has == ALL_CERT_FIELDS);
    CHECK(R->bad == (CS_F_SHA1 | CS_F_SHA256)); /* "": not a digest */
    CHECK(R->cert_index == 12 && R->seen == bits_of(1767224003.1));
    expect_domains(n, R, "go.example", NULL);
    /* json.Marshal: no newline, HTML-escaped <>& */
    n = "go dns_entries";
    check_q(n, "{'data':['a\\u0026b.example','\\u003cc\\u003e.example'],'m"
               "essage_type':'dns_entries'}");
    expect_ok(n);
    CHECK(R->type == CS_MSG_DNS && R->has == (CS_F_TYPE | CS_F_DOMAINS));
    expect_domains(n, R, "a&b.example", "<c>.example", NULL);
}

/* Rust (reloading01/certstream-server-rust): message_type first, null
 * fields omitted, heartbeat without a timestamp. */
static void
test_rust(void)
{
    const char *n = "rust lite";
    size_t len;

    check_q(n, "{'message_type':'certificate_update','data':{'update_type':"
               "'X509LogEntry','leaf_cert':{'subject':{'CN':'rs.example','ag"
               "gregated':'/CN=rs.example'},'issuer':{'aggregated':''},'seri"
               "al_number':'0A','not_before':1767224000,'not_after':17750000"
               "00,'fingerprint':'00:11','sha1':'0011','sha256':'2233','sign"
               "ature_algorithm':'sha256, rsa','is_ca':false,'all_domains':["
               "'rs.example','www.rs.example'],'extensions':{'extendedKeyUsa"
               "ge':'serverAuth'}},'cert_index':9876543210,'cert_link':'http"
               "s://ct.example/ct/v1/get-entries?start=9876543210&end=987654"
               "3210','seen':1700000000.0,'submission_timestamp':1699999999,"
               "'source':{'name':'Cloudflare ^Nimbus2026^ Log','url':'https:"
               "//ct.cloudflare.com/logs/nimbus2026/'}}}");
    expect_ok(n);
    CHECK(R->type == CS_MSG_CERT && R->has == ALL_CERT_FIELDS);
    CHECK(R->bad == (CS_F_SHA1 | CS_F_SHA256)); /* 2 bytes: not digests */
    CHECK(R->cert_index == 9876543210u && R->seen == bits_of(1700000000.0));
    CHECK(R->timestamp == 0);
    EXPECT_TEXT(n, name, "Cloudflare 'Nimbus2026' Log");
    expect_domains(n, R, "rs.example", "www.rs.example", NULL);

    n = "rust full";
    b64(g_der1, 2400, 6);
    snprintf(g_msg, sizeof g_msg,
        "{'message_type':'certificate_update','data':{'update_type':'Precert"
        "LogEntry','leaf_cert':{'subject':{'CN':'full.example','aggregated':"
        "'/CN=full.example'},'issuer':{'C':'US','O':'Google Trust Services',"
        "'CN':'WR1','aggregated':'/C=US/O=Google Trust Services/CN=WR1'},'se"
        "rial_number':'00FF','not_before':1767224000,'not_after':1775000000,"
        "'fingerprint':'AB','sha1':'AB','sha256':'CD','signature_algorithm':"
        "'sha256, rsa','is_ca':false,'all_domains':['full.example','*.full.e"
        "xample'],'as_der':'%s','extensions':{}},'chain':[{'subject':{'CN':'"
        "WR1','aggregated':'/CN=WR1'},'issuer':{'CN':'GTS Root R1','aggregat"
        "ed':'/CN=GTS Root R1'},'serial_number':'01','not_before':1,'not_aft"
        "er':2,'fingerprint':'','sha1':'','sha256':'','signature_algorithm':"
        "'sha256, rsa','is_ca':true,'all_domains':[],'extensions':{}}],'cert"
        "_index':0,'cert_link':'','seen':1767224003.999,'submission_timestam"
        "p':1767224001,'source':{'name':'Google ^Argon2026h1^','url':'https:"
        "//ct.googleapis.com/logs/us1/argon2026h1/'}}}", g_der1);
    len = q_inplace(g_msg);
    check_vec(n, g_msg, len);
    expect_ok(n);
    CHECK(R->type == CS_MSG_CERT && R->has == ALL_CERT_FIELDS);
    CHECK(R->bad == (CS_F_SHA1 | CS_F_SHA256));
    CHECK(R->cert_index == 0 && R->seen == bits_of(1767224003.999));
    expect_domains(n, R, "full.example", "*.full.example", NULL);

    n = "rust heartbeat";
    check_q(n, "{'message_type':'heartbeat'}");
    expect_ok(n);
    CHECK(R->type == CS_MSG_HEARTBEAT && R->has == CS_F_TYPE);
    CHECK(R->bad == 0 && R->dcount == 0 && R->dtotal == 0);

    n = "rust dns_entries";
    check_q(n, "{'message_type':'dns_entries','data':['x.example','y.examp"
               "le']}");
    expect_ok(n);
    CHECK(R->type == CS_MSG_DNS && R->has == (CS_F_TYPE | CS_F_DOMAINS));
    expect_domains(n, R, "x.example", "y.example", NULL);
}

/* Legacy Python (certstream-server-python): json.dumps with ", " and
 * ": ", ASCII-only output (\uXXXX), float not_before/not_after, chain and
 * as_der always, url without scheme, heartbeat with a timestamp. */
static void
test_python(void)
{
    const char *n = "python full";
    size_t len;

    b64(g_der1, 1900, 7);
    b64(g_der2, 1500, 8);
    snprintf(g_msg, sizeof g_msg,
        "{'message_type': 'certificate_update', 'data': {'update_type': 'Pre"
        "CertEntry', 'leaf_cert': {'subject': {'aggregated': '/CN=b\\u00fcch"
        "er.example', 'C': null, 'ST': null, 'L': null, 'O': null, 'OU': nul"
        "l, 'CN': 'b\\u00fccher.example'}, 'extensions': {'keyUsage': 'Digit"
        "al Signature, Key Encipherment', 'subjectAltName': 'DNS:xn--bcher-k"
        "va.example, DNS:www.xn--bcher-kva.example'}, 'not_before': 15099086"
        "49.0, 'not_after': 1517684649.0, 'serial_number': '0d1e5a', 'finger"
        "print': '4A:51:2E', 'as_der': '%s', 'all_domains': ['xn--bcher-kva."
        "example', 'www.xn--bcher-kva.example']}, 'chain': [{'subject': {'ag"
        "gregated': '/C=GB/CN=COMODO RSA Domain Validation Secure Server CA'"
        ", 'C': 'GB', 'ST': 'Greater Manchester', 'L': 'Salford', 'O': 'COMO"
        "DO CA Limited', 'OU': null, 'CN': 'COMODO RSA Domain Validation Sec"
        "ure Server CA'}, 'extensions': {}, 'not_before': 1392163200.0, 'not"
        "_after': 1865462399.0, 'serial_number': '2b2e6eead975366c148a6edba3"
        "7c8c07', 'fingerprint': '33:9C:DD', 'as_der': '%s'}], 'cert_index':"
        " 27257291, 'seen': 1509912261.6601682, 'source': {'url': 'sabre.ct."
        "comodo.com', 'name': 'Comodo \\u0027Sabre\\u0027 CT log'}}}",
        g_der1, g_der2);
    len = q_inplace(g_msg);
    check_vec(n, g_msg, len);
    expect_ok(n);
    CHECK(R->type == CS_MSG_CERT && R->has == ALL_CERT_FIELDS);
    CHECK(R->bad == CS_F_SHA1); /* '4A:51:2E': too short */
    CHECK(R->cert_index == 27257291 && R->seen == bits_of(1509912261.6601682));
    EXPECT_TEXT(n, url, "sabre.ct.comodo.com");
    EXPECT_TEXT(n, name, "Comodo 'Sabre' CT log");
    expect_domains(n, R, "xn--bcher-kva.example", "www.xn--bcher-kva.example",
                   NULL);

    n = "python heartbeat";
    check_q(n, "{'message_type': 'heartbeat', 'timestamp': 1509912262.2105"
               "618}");
    expect_ok(n);
    CHECK(R->type == CS_MSG_HEARTBEAT);
    CHECK(R->has == (CS_F_TYPE | CS_F_TIMESTAMP) && R->bad == 0);
    CHECK(R->timestamp == bits_of(1509912262.2105618));

    /* pretty-printed (like the README examples): whitespace everywhere */
    n = "pretty";
    check_q(n, "\r\n\t {\n    'message_type' :\t'certificate_update' ,\r\n "
               "   'data' : {\n        'cert_index' : 42 ,\n        'seen' "
               ": 1509912261.5 ,\n        'leaf_cert' : {\n            'all_"
               "domains' : [\n                'p.example' ,\n               "
               " 'q.example'\n            ]\n        } ,\n        'source' :"
               " { 'url' : 'u' , 'name' : 'n' }\n    }\n}\r\n\t ");
    expect_ok(n);
    CHECK(R->type == CS_MSG_CERT && R->has == ALL_CERT_FIELDS);
    CHECK(R->cert_index == 42 && R->seen == bits_of(1509912261.5));
    expect_domains(n, R, "p.example", "q.example", NULL);
}

/* ==== fields ============================================================= */

static void
test_type(void)
{
    static const struct {
        const char *json;
        int type;
        unsigned has, bad;
        const char *name;
        size_t len;
    } t[] = {
        {"{'message_type':'certificate_update'}", CS_MSG_CERT, CS_F_TYPE, 0,
         "certificate_update", 18},
        {"{'message_type':'heartbeat'}", CS_MSG_HEARTBEAT, CS_F_TYPE, 0,
         "heartbeat", 9},
        {"{'message_type':'dns_entries'}", CS_MSG_DNS, CS_F_TYPE, 0,
         "dns_entries", 11},
        {"{'message_type':'status'}", CS_MSG_OTHER, CS_F_TYPE, 0, "status", 6},
        {"{'message_type':''}", CS_MSG_OTHER, CS_F_TYPE, 0, "", 0},
        {"{'message_type':'Heartbeat'}", CS_MSG_OTHER, CS_F_TYPE, 0,
         "Heartbeat", 9},
        {"{'message_type':'heartbeat '}", CS_MSG_OTHER, CS_F_TYPE, 0,
         "heartbeat ", 10},
        {"{'message_type':'heartbea'}", CS_MSG_OTHER, CS_F_TYPE, 0,
         "heartbea", 8},
        {"{'message_type':'certificate_updatE'}", CS_MSG_OTHER, CS_F_TYPE, 0,
         "certificate_updatE", 18},
        {"{'message_type':'heartbeat\\u0000'}", CS_MSG_OTHER, CS_F_TYPE, 0,
         "heartbeat\0", 10},
        {"{'message_type':'\\u0068eartbeat'}", CS_MSG_HEARTBEAT, CS_F_TYPE, 0,
         "heartbeat", 9},
        {"{'message_type':'dns\\u005fentries'}", CS_MSG_DNS, CS_F_TYPE, 0,
         "dns_entries", 11},
        {"{'message_type':'certificate\\/update'}", CS_MSG_OTHER, CS_F_TYPE, 0,
         "certificate/update", 18},
        {"{}", CS_MSG_NONE, 0, 0, "", 0},
        {"{'message_type':null}", CS_MSG_NONE, 0, 0, "", 0},
        {"{'message_type':5}", CS_MSG_NONE, 0, CS_F_TYPE, "", 0},
        {"{'message_type':-1.5e3}", CS_MSG_NONE, 0, CS_F_TYPE, "", 0},
        {"{'message_type':true}", CS_MSG_NONE, 0, CS_F_TYPE, "", 0},
        {"{'message_type':false}", CS_MSG_NONE, 0, CS_F_TYPE, "", 0},
        {"{'message_type':['heartbeat']}", CS_MSG_NONE, 0, CS_F_TYPE, "", 0},
        {"{'message_type':{'heartbeat':1}}", CS_MSG_NONE, 0, CS_F_TYPE, "", 0},
        /* only the top level's message_type counts */
        {"{'data':{'message_type':'heartbeat'}}", CS_MSG_NONE, 0, 0, "", 0},
        {"{'x':{'message_type':'heartbeat'},'y':['message_type','heartbeat']}",
         CS_MSG_NONE, 0, 0, "", 0},
        /* a key that decodes to message_type is message_type */
        {"{'message\\u005ftype':'heartbeat'}", CS_MSG_HEARTBEAT, CS_F_TYPE, 0,
         "heartbeat", 9},
        {"{'\\u006d\\u0065ssage_type':'heartbeat'}", CS_MSG_HEARTBEAT,
         CS_F_TYPE, 0, "heartbeat", 9},
        /* near misses */
        {"{'message_type ':'heartbeat','Message_type':'heartbeat','message_t"
         "ypeX':'heartbeat','message_typ':'heartbeat','message_type\\u0000':"
         "'heartbeat','message_type_and_then_some':'heartbeat'}",
         CS_MSG_NONE, 0, 0, "", 0},
    };
    size_t i;

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        const char *n = t[i].json;
        check_q(n, t[i].json);
        expect_ok(n);
        CHECKF(R->type == t[i].type, "%s: type %d", n, R->type);
        CHECKF(R->has == t[i].has && R->bad == t[i].bad && R->trunc == 0,
               "%s: has %x bad %x trunc %x", n, R->has, R->bad, R->trunc);
        if (t[i].has & CS_F_TYPE)
            expect_text(n, "type_name", &R->type_name, t[i].name, t[i].len);
    }
}

static void
test_cert_index(void)
{
    static const struct {
        const char *v;
        unsigned has, bad;
        uint64_t want;
    } t[] = {
        {"0", CS_F_CERT_INDEX, 0, 0},
        {"1", CS_F_CERT_INDEX, 0, 1},
        {"4294967295", CS_F_CERT_INDEX, 0, 4294967295u},
        {"4294967296", CS_F_CERT_INDEX, 0, 4294967296u},
        {"4354630040", CS_F_CERT_INDEX, 0, 4354630040u},
        {"9999999999999999999", CS_F_CERT_INDEX, 0, 9999999999999999999u},
        {"18446744073709551614", CS_F_CERT_INDEX, 0, 18446744073709551614u},
        {"18446744073709551615", CS_F_CERT_INDEX, 0, 18446744073709551615u},
        {"18446744073709551616", 0, CS_F_CERT_INDEX, 0},
        {"18446744073709551620", 0, CS_F_CERT_INDEX, 0},
        {"27670116110564327424", 0, CS_F_CERT_INDEX, 0}, /* wraps to 2^63 */
        {"36893488147419103232", 0, CS_F_CERT_INDEX, 0}, /* wraps to 0 */
        {"99999999999999999999999", 0, CS_F_CERT_INDEX, 0},
        {"100000000000000000000000000000000000000000000000000", 0,
         CS_F_CERT_INDEX, 0},
        {"-1", 0, CS_F_CERT_INDEX, 0},
        {"-0", 0, CS_F_CERT_INDEX, 0},
        {"1.5", 0, CS_F_CERT_INDEX, 0},
        {"1.0", 0, CS_F_CERT_INDEX, 0},
        {"1e3", 0, CS_F_CERT_INDEX, 0},
        {"1E+0", 0, CS_F_CERT_INDEX, 0},
        {"0.0", 0, CS_F_CERT_INDEX, 0},
        {"'5'", 0, CS_F_CERT_INDEX, 0},
        {"true", 0, CS_F_CERT_INDEX, 0},
        {"[5]", 0, CS_F_CERT_INDEX, 0},
        {"{'v':5}", 0, CS_F_CERT_INDEX, 0},
        {"null", 0, 0, 0},
    };
    char buf[256];
    size_t i;

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        const char *n = buf;
        /* the value last in data, and followed by another member */
        snprintf(buf, sizeof buf, "{'data':{'cert_index':%s}}", t[i].v);
        check_q(n, buf);
        expect_ok(n);
        CHECKF(R->has == t[i].has && R->bad == t[i].bad, "%s: has %x bad %x",
               n, R->has, R->bad);
        CHECKF(R->cert_index == t[i].want, "%s: %llu", n,
               (unsigned long long)R->cert_index);
        snprintf(buf, sizeof buf, "{'data':{'cert_index': %s ,'seen':1}}",
                 t[i].v);
        check_q(n, buf);
        expect_ok(n);
        CHECKF(R->has == (t[i].has | CS_F_SEEN) && R->bad == t[i].bad,
               "%s: has %x bad %x", n, R->has, R->bad);
        CHECK(R->cert_index == t[i].want);
    }
    /* only data.cert_index */
    check_q("cert_index elsewhere", "{'cert_index':5,'data':{'leaf_cert':{'c"
            "ert_index':6},'source':{'cert_index':7},'chain':[{'cert_index':"
            "8}]}}");
    expect_ok("cert_index elsewhere");
    CHECK(R->has == 0 && R->bad == 0);
}

static void
test_seen_timestamp(void)
{
    static const struct {
        const char *v;
        double want;
    } t[] = {
        {"1759453212.418921", 1759453212.418921},
        {"1509912261.6601682", 1509912261.6601682},
        {"1508483726.8601687", 1508483726.8601687},
        {"1700000000.0", 1700000000.0},
        {"1700000000", 1700000000.0},
        {"1767224003.127", 1767224003.127},
        {"1.767224003127e9", 1767224003.127},
        {"1767224003127E-3", 1767224003.127},
        {"0", 0.0},
        {"0.0", 0.0},
        {"-1.5", -1.5},
        {"5e-324", 5e-324},
        {"2.2250738585072011e-308", 2.2250738585072011e-308},
        {"1.7976931348623157e308", 1.7976931348623157e308},
        {"9007199254740993", 9007199254740992.0},
        {"12345678901234567890.123", 12345678901234567890.123},
        {"0.000000000000000000000000000000000001", 1e-36},
        {"1e-400", 0.0},
    };
    char buf[256];
    size_t i;
    double d;

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        const char *n = buf;
        snprintf(buf, sizeof buf, "{'data':{'seen':%s}}", t[i].v);
        check_q(n, buf);
        expect_ok(n);
        CHECKF(R->has == CS_F_SEEN && R->bad == 0, "%s: has %x", n, R->has);
        CHECKF(R->seen == bits_of(t[i].want), "%s: bits %016llx", n,
               (unsigned long long)R->seen);
        snprintf(buf, sizeof buf, "{'message_type':'heartbeat','timestamp':%"
                 "s}", t[i].v);
        check_q(n, buf);
        expect_ok(n);
        CHECKF(R->has == (CS_F_TYPE | CS_F_TIMESTAMP) && R->bad == 0,
               "%s: has %x", n, R->has);
        CHECKF(R->timestamp == bits_of(t[i].want), "%s: bits %016llx", n,
               (unsigned long long)R->timestamp);
    }
    /* -0.0 keeps its sign; 1e400 is infinite */
    check_q("seen -0.0", "{'data':{'seen':-0.0}}");
    CHECK(R->seen == bits_of(-0.0) && R->seen != 0);
    check_q("seen 1e400", "{'data':{'seen':1e400}}");
    memcpy(&d, &R->seen, sizeof d);
    CHECK(R->has == CS_F_SEEN && isinf(d) && d > 0);
    /* wrong types */
    check_q("seen string", "{'data':{'seen':'1.5'}}");
    CHECK(R->has == 0 && R->bad == CS_F_SEEN);
    check_q("seen bool", "{'data':{'seen':true}}");
    CHECK(R->has == 0 && R->bad == CS_F_SEEN);
    check_q("seen null", "{'data':{'seen':null}}");
    CHECK(R->has == 0 && R->bad == 0);
    check_q("timestamp obj", "{'timestamp':{'t':1}}");
    CHECK(R->has == 0 && R->bad == CS_F_TIMESTAMP);
    /* only data.seen and the top-level timestamp */
    check_q("paths", "{'seen':1,'data':{'timestamp':2,'submission_timestamp'"
            ":3,'source':{'timestamp':4,'seen':5},'leaf_cert':{'seen':6},'ch"
            "ain':[{'seen':7}]},'x':{'timestamp':8}}");
    expect_ok("paths");
    CHECK(R->has == 0 && R->bad == 0);
}

/* url and name: escapes, surrogates, NUL, raw UTF-8. */
static void
test_source_text(void)
{
    static const struct {
        const char *json; /* the url value, in '-notation */
        const char *want;
        size_t len;
    } t[] = {
        {"'https:\\/\\/ct.googleapis.com\\/logs\\/argon2026h1\\/'",
         "https://ct.googleapis.com/logs/argon2026h1/", 43},
        {"'ct.googleapis.com/logs/argon2020/'",
         "ct.googleapis.com/logs/argon2020/", 33},
        {"''", "", 0},
        {"'\\\"\\\\\\/\\b\\f\\n\\r\\t'", "\"\\/\b\f\n\r\t", 8},
        {"'\\u0041\\u00e9\\u20ac\\uFFFD\\uffff'",
         "A\xc3\xa9\xe2\x82\xac\xef\xbf\xbd\xef\xbf\xbf", 12},
        {"'\\u0000'", "\0", 1},
        {"'a\\u0000b\\u0000'", "a\0b\0", 4},
        {"'\\ud83d\\ude00'", "\xf0\x9f\x98\x80", 4},
        {"'\\uD83D\\uDE00'", "\xf0\x9f\x98\x80", 4},
        {"'\\ud800\\udc00\\udbff\\udfff'", "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
         8},
        {"'x\\ud834\\udd1ey'", "x\xf0\x9d\x84\x9ey", 6},
        /* lone surrogates become U+FFFD */
        {"'\\ud800'", "\xef\xbf\xbd", 3},
        {"'\\udc00'", "\xef\xbf\xbd", 3},
        {"'\\udfff!'", "\xef\xbf\xbd!", 4},
        {"'a\\ud83db'", "a\xef\xbf\xbd" "b", 5},
        {"'\\ud83d\\u0041'", "\xef\xbf\xbd" "A", 4},
        {"'\\ud83d\\n'", "\xef\xbf\xbd\n", 4},
        {"'\\ud83d\\\\'", "\xef\xbf\xbd\\", 4},
        {"'\\ud83d\\/'", "\xef\xbf\xbd/", 4},
        {"'\\ud83d\\\"'", "\xef\xbf\xbd\"", 4},
        {"'\\ude00\\ud83d'", "\xef\xbf\xbd\xef\xbf\xbd", 6},
        {"'\\ud83d\\ud83d\\ude00'", "\xef\xbf\xbd\xf0\x9f\x98\x80", 7},
        {"'\\ud83d\\ud83d'", "\xef\xbf\xbd\xef\xbf\xbd", 6},
        {"'\\ud83d\\u00e9'", "\xef\xbf\xbd\xc3\xa9", 5},
        {"'\\ud83d\xc3\xa9'", "\xef\xbf\xbd\xc3\xa9", 5},
        {"'\\ud83d\\udbff\\udfff\\udc00'",
         "\xef\xbf\xbd\xf4\x8f\xbf\xbf\xef\xbf\xbd", 10},
        /* raw UTF-8 passes through; DEL is an ordinary character */
        {"'\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f'",
         "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f", 10},
        {"'\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf"
         "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf'",
         "\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf"
         "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 24},
    };
    char buf[512];
    size_t i;

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        const char *n = buf;
        snprintf(buf, sizeof buf, "{'data':{'source':{'url':%s,'name':%s}}}",
                 t[i].json, t[i].json);
        check_q(n, buf);
        expect_ok(n);
        CHECKF(R->has == (CS_F_SOURCE_URL | CS_F_SOURCE_NAME) && R->bad == 0
               && R->trunc == 0, "%s: has %x bad %x trunc %x", n, R->has,
               R->bad, R->trunc);
        expect_text(n, "url", &R->url, t[i].want, t[i].len);
        expect_text(n, "name", &R->name, t[i].want, t[i].len);
        /* the same string as message_type and as a domain */
        snprintf(buf, sizeof buf, "{'message_type':%s,'data':[%s,%s]}",
                 t[i].json, t[i].json, t[i].json);
        check_q(n, buf);
        expect_ok(n);
        expect_text(n, "type_name", &R->type_name, t[i].want, t[i].len);
        CHECKF(R->dcount == 2 && r_dom_len(R, 0) == t[i].len
               && memcmp(r_dom(R, 0), t[i].want, t[i].len) == 0
               && r_dom(R, 0)[t[i].len] == 0, "%s: domain", n);
    }
    /* wrong types, null, absent; only data.source.{url,name} */
    check_q("source wrong", "{'data':{'source':{'url':5,'name':['n']}}}");
    CHECK(R->has == 0 && R->bad == (CS_F_SOURCE_URL | CS_F_SOURCE_NAME));
    check_q("source null", "{'data':{'source':{'url':null,'name':null}}}");
    CHECK(R->has == 0 && R->bad == 0);
    check_q("source str", "{'data':{'source':'https://x/'}}");
    CHECK(R->has == 0 && R->bad == (CS_F_SOURCE_URL | CS_F_SOURCE_NAME));
    check_q("source arr", "{'data':{'source':[{'url':'u','name':'n'}]}}");
    CHECK(R->has == 0 && R->bad == (CS_F_SOURCE_URL | CS_F_SOURCE_NAME));
    check_q("source null2", "{'data':{'source':null}}");
    CHECK(R->has == 0 && R->bad == 0);
    check_q("source only url", "{'data':{'source':{'url':'u'}}}");
    CHECK(R->has == CS_F_SOURCE_URL && R->bad == 0);
    check_q("source paths", "{'url':'a','name':'b','source':{'url':'c'},'dat"
            "a':{'url':'d','name':'e','leaf_cert':{'source':{'url':'f'}},'ch"
            "ain':[{'source':{'url':'g','name':'h'}}],'source':{'x':{'url':'"
            "i'},'normalized_url':'j','operator':{'name':'k'}}}}");
    expect_ok("source paths");
    CHECK(R->has == 0 && R->bad == 0);
}

static void
test_domains(void)
{
    const char *n;

    n = "all_domains";
    check_q(n, "{'data':{'leaf_cert':{'all_domains':['a.example','b.exampl"
               "e']}}}");
    expect_ok(n);
    CHECK(R->has == CS_F_DOMAINS && R->bad == 0 && R->dtotal == 2);
    expect_domains(n, R, "a.example", "b.example", NULL);

    n = "empty all_domains";
    check_q(n, "{'data':{'leaf_cert':{'all_domains':[]}}}");
    expect_ok(n);
    CHECK(R->has == CS_F_DOMAINS && R->bad == 0 && R->trunc == 0);
    CHECK(R->dcount == 0 && R->dtotal == 0);

    n = "empty data array";
    check_q(n, "{'message_type':'dns_entries','data':[ ]}");
    expect_ok(n);
    CHECK(R->type == CS_MSG_DNS && R->has == (CS_F_TYPE | CS_F_DOMAINS));
    CHECK(R->dcount == 0 && R->dtotal == 0);

    n = "empty strings";
    check_q(n, "{'data':['','x','']}");
    expect_ok(n);
    expect_domains(n, R, "", "x", "", NULL);

    /* elements that are not strings are skipped and flagged */
    n = "wrong-type elements";
    check_q(n, "{'data':{'leaf_cert':{'all_domains':[1,'a.example',null,tru"
               "e,false,-2.5e3,{'x':'evil.example'},['evil.example'],'b.exam"
               "ple',[],{}]}}}");
    expect_ok(n);
    CHECK(R->has == CS_F_DOMAINS && R->bad == CS_F_DOMAINS && R->trunc == 0);
    CHECK(R->dtotal == 2);
    expect_domains(n, R, "a.example", "b.example", NULL);
    n = "wrong-type elements (dns)";
    check_q(n, "{'data':[null],'message_type':'dns_entries'}");
    expect_ok(n);
    CHECK(R->has == (CS_F_TYPE | CS_F_DOMAINS) && R->bad == CS_F_DOMAINS);
    CHECK(R->dcount == 0 && R->dtotal == 0);

    /* the list itself of the wrong type */
    check_q("all_domains str", "{'data':{'leaf_cert':{'all_domains':'a.exam"
            "ple'}}}");
    CHECK(R->has == 0 && R->bad == CS_F_DOMAINS && R->dcount == 0);
    check_q("all_domains obj", "{'data':{'leaf_cert':{'all_domains':{'a':'b"
            "'}}}}");
    CHECK(R->has == 0 && R->bad == CS_F_DOMAINS && R->dcount == 0);
    check_q("all_domains null", "{'data':{'leaf_cert':{'all_domains':null}}}");
    CHECK(R->has == 0 && R->bad == 0);
    check_q("leaf_cert arr", "{'data':{'leaf_cert':[{'all_domains':['a']}]}}");
    CHECK(R->has == 0 && R->bad == LEAF_FIELDS && R->dcount == 0);
    check_q("leaf_cert null", "{'data':{'leaf_cert':null}}");
    CHECK(R->has == 0 && R->bad == 0);
    check_q("data str", "{'data':'a.example'}");
    CHECK(R->has == 0 && R->bad == DATA_FIELDS);
    check_q("data num", "{'data':5,'message_type':'dns_entries'}");
    CHECK(R->has == CS_F_TYPE && R->bad == DATA_FIELDS);
    check_q("data null", "{'data':null}");
    CHECK(R->has == 0 && R->bad == 0);
    check_q("data true", "{'data':true}");
    CHECK(R->has == 0 && R->bad == DATA_FIELDS);

    /* other lists named all_domains are not the leaf's */
    n = "all_domains elsewhere";
    check_q(n, "{'all_domains':['r'],'data':{'all_domains':['d'],'chain':[{"
               "'all_domains':['c1']},{'all_domains':['c2'],'leaf_cert':{'al"
               "l_domains':['c3']}}],'leaf_cert':{'all_domains':['leaf.examp"
               "le'],'x':{'all_domains':['x']},'subject':{'all_domains':['s']"
               "}},'extra':{'leaf_cert':{'all_domains':['e']}}},'x':{'data':["
               "'y']}}");
    expect_ok(n);
    CHECK(R->has == CS_F_DOMAINS && R->bad == 0);
    expect_domains(n, R, "leaf.example", NULL);
    n = "chain after leaf";
    check_q(n, "{'data':{'leaf_cert':{'all_domains':['leaf.example']},'chai"
               "n':[{'all_domains':[]},{'all_domains':['chain.example']}]}}");
    expect_ok(n);
    expect_domains(n, R, "leaf.example", NULL);
    /* data as an array holds domains only at its own level */
    n = "nested data array";
    check_q(n, "{'data':['a',['b',['c']],{'leaf_cert':{'all_domains':['d']}"
               "},'e']}");
    expect_ok(n);
    CHECK(R->bad == CS_F_DOMAINS);
    expect_domains(n, R, "a", "e", NULL);

    /* escaped and non-ASCII names */
    n = "escaped domains";
    check_q(n, "{'data':['\\u002a.example.com','b\\u00fccher.example','x\\/y"
               "','\xc3\xa9t\xc3\xa9.example','a\\u0000b']}");
    expect_ok(n);
    CHECK(R->dcount == 5 && R->dtotal == 5);
    if (R->dcount == 5) {
        CHECK(strcmp(r_dom(R, 0), "*.example.com") == 0);
        CHECK(strcmp(r_dom(R, 1), "b\xc3\xbc" "cher.example") == 0);
        CHECK(strcmp(r_dom(R, 2), "x/y") == 0);
        CHECK(strcmp(r_dom(R, 3), "\xc3\xa9t\xc3\xa9.example") == 0);
        CHECK(r_dom_len(R, 4) == 3 && memcmp(r_dom(R, 4), "a\0b", 4) == 0);
    }
}

/* cs_msg_domain() itself: lengths, NUL termination, len may be NULL. */
static void
test_msg_domain_api(void)
{
    static unsigned char store[256];
    static const char v[] = "{\"data\":[\"one\",\"\",\"three\\u0000x\"]}";
    cs_json j;
    const cs_msg *m;
    size_t len = 99;
    const char *d;

    cs_json_init(&j, store, sizeof store);
    CHECK(cs_json_parse(&j, v, sizeof v - 1) == 0);
    m = cs_json_msg(&j);
    CHECK(m->domain_count == 3 && m->domain_total == 3);
    d = cs_msg_domain(m, 0, &len);
    CHECK(len == 3 && strcmp(d, "one") == 0);
    d = cs_msg_domain(m, 1, &len);
    CHECK(len == 0 && d[0] == 0);
    d = cs_msg_domain(m, 2, NULL);
    CHECK(memcmp(d, "three\0x\0", 8) == 0);
    d = cs_msg_domain(m, 2, &len);
    CHECK(len == 7);
    /* the pointers are into the caller's storage */
    CHECK((const unsigned char *)d >= store
          && (const unsigned char *)d < store + sizeof store);
}

/* cs_msg_reset()/cs_msg_add_domain(), the store's writer for producers
 * other than the extractor: at every storage size, the same names give
 * the same stored list, counts and trunc bit as the extractor. */
static void
test_msg_writer(void)
{
    static const char *names[] = {"a.example", "", "www.example.org",
        "0123456789abcdef0123456789abcdef", "x", "*.wild.example.net"};
    static const char v[] = "{\"data\":[\"a.example\",\"\",\"www.example.org\","
        "\"0123456789abcdef0123456789abcdef\",\"x\",\"*.wild.example.net\"]}";
    static unsigned char s1[160], s2[160];
    size_t cap, i, n1, n2;
    cs_json j;
    cs_msg m;

    for (cap = 0; cap <= sizeof s1; cap++) {
        const cs_msg *e;
        size_t stored = 0;

        cs_json_init(&j, cap ? s1 : NULL, cap);
        CHECK(cs_json_parse(&j, v, sizeof v - 1) == 0);
        e = cs_json_msg(&j);
        cs_msg_reset(&m, cap ? s2 : NULL, cap);
        CHECK(m.has == 0 && m.domain_count == 0 && m.domain_total == 0);
        for (i = 0; i < 6; i++) {
            int r = cs_msg_add_domain(&m, names[i], strlen(names[i]));
            CHECK(r == 0 || r == CS_E_BUFFER);
            stored += r == 0;
        }
        CHECKF(m.domain_count == e->domain_count && m.domain_count == stored
               && m.domain_total == 6 && e->domain_total == 6,
               "cap %zu: %zu/%zu", cap, m.domain_count, e->domain_count);
        CHECK((m.trunc & CS_F_DOMAINS) == (e->trunc & CS_F_DOMAINS));
        CHECK((m.trunc & CS_F_DOMAINS) == (stored < 6 ? CS_F_DOMAINS : 0u));
        CHECK(m.has == CS_F_DOMAINS);
        for (i = 0; i < m.domain_count && i < e->domain_count; i++) {
            const char *a = cs_msg_domain(&m, i, &n1);
            const char *b = cs_msg_domain(e, i, &n2);
            CHECK(n1 == n2 && memcmp(a, b, n1 + 1) == 0);
        }
    }
    /* a name longer than the whole store, and one near SIZE_MAX */
    cs_msg_reset(&m, s2, 8);
    CHECK(cs_msg_add_domain(&m, "toolong.example", 15) == CS_E_BUFFER);
    CHECK(cs_msg_add_domain(&m, "x", (size_t)-1) == CS_E_BUFFER);
    CHECK(cs_msg_add_domain(&m, "ab", 2) == 0);
    CHECK(m.domain_count == 1 && m.domain_total == 3);
}

/* Each field: absent, null, wrong type (bad, has clear), right type. */
/* data.leaf_cert.fingerprint / .sha1 / .sha256: both spellings, either
 * case, sha1 before fingerprint, duplicates, wrong shapes and types. */
#define H1 "0123456789abcdef0123456789ABCDEF01234567"
#define C1 "01:23:45:67:89:aB:Cd:eF:01:23:45:67:89:AB:CD:EF:01:23:45:67"
#define H2 "fedcba9876543210FEDCBA9876543210fedcba98"
#define C2 "FE:DC:BA:98:76:54:32:10:FE:DC:BA:98:76:54:32:10:FE:DC:BA:98"
#define H3 "00ff11ee22dd33cc44bb55aa66997788" "8877996600aa55bb44cc33dd22ee11ff"
#define C3 "00:FF:11:EE:22:DD:33:CC:44:BB:55:AA:66:99:77:88:" \
           "88:77:99:66:00:AA:55:BB:44:CC:33:DD:22:EE:11:FF"
#define LEAF(x) "{'data':{'leaf_cert':{" x "}}}"
static void
test_digests(void)
{
    static const struct {
        const char *json;
        unsigned has, bad;       /* CS_F_SHA1 / CS_F_SHA256 bits */
        const char *sha1, *sha256;
    } t[] = {
        {LEAF("'fingerprint':'" C1 "'"), CS_F_SHA1, 0, C1, NULL},
        {LEAF("'fingerprint':'" H1 "'"), CS_F_SHA1, 0, H1, NULL},
        {LEAF("'sha1':'" C2 "'"), CS_F_SHA1, 0, H2, NULL},
        {LEAF("'sha1':'" H2 "'"), CS_F_SHA1, 0, H2, NULL},
        {LEAF("'sha256':'" C3 "'"), CS_F_SHA256, 0, NULL, H3},
        {LEAF("'sha256':'" H3 "'"), CS_F_SHA256, 0, NULL, H3},
        {LEAF("'fingerprint':'" C1 "','sha1':'" C1 "','sha256':'" C3 "'"),
         CS_F_SHA1 | CS_F_SHA256, 0, H1, H3},
        /* sha1 wins over fingerprint, whatever the order */
        {LEAF("'fingerprint':'" C1 "','sha1':'" C2 "'"), CS_F_SHA1, 0, H2,
         NULL},
        {LEAF("'sha1':'" C2 "','fingerprint':'" C1 "'"), CS_F_SHA1, 0, H2,
         NULL},
        /* ... when it is good; else the fingerprint */
        {LEAF("'fingerprint':'" C1 "','sha1':null"), CS_F_SHA1, 0, H1, NULL},
        {LEAF("'sha1':'" H2 "0','fingerprint':'" C1 "'"), CS_F_SHA1, 0, H1,
         NULL},
        {LEAF("'sha1':5,'fingerprint':'" H1 "'"), CS_F_SHA1, 0, H1, NULL},
        {LEAF("'fingerprint':'x','sha1':'" H2 "'"), CS_F_SHA1, 0, H2, NULL},
        {LEAF("'fingerprint':'x'"), 0, CS_F_SHA1, NULL, NULL},
        {LEAF("'fingerprint':'x','sha1':null"), 0, CS_F_SHA1, NULL, NULL},
        {LEAF("'fingerprint':null,'sha1':[]"), 0, CS_F_SHA1, NULL, NULL},
        {LEAF("'fingerprint':null,'sha1':null,'sha256':null"), 0, 0, NULL,
         NULL},
        {LEAF("'sha1':{},'sha256':true"), 0, CS_F_SHA1 | CS_F_SHA256, NULL,
         NULL},
        {LEAF("'sha256':1.5e3"), 0, CS_F_SHA256, NULL, NULL},
        /* shapes */
        {LEAF("'sha1':'" H1 "0'"), 0, CS_F_SHA1, NULL, NULL},
        {LEAF("'sha1':'0123456789abcdef0123456789abcdef0123456'"), 0,
         CS_F_SHA1, NULL, NULL},
        {LEAF("'sha1':'" H3 "'"), 0, CS_F_SHA1, NULL, NULL},
        {LEAF("'sha256':'" H1 "'"), 0, CS_F_SHA256, NULL, NULL},
        {LEAF("'sha256':'" C1 "'"), 0, CS_F_SHA256, NULL, NULL},
        {LEAF("'fingerprint':'" C1 ":'"), 0, CS_F_SHA1, NULL, NULL},
        {LEAF("'fingerprint':':" C1 "'"), 0, CS_F_SHA1, NULL, NULL},
        {LEAF("'fingerprint':'01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:"
              "EF:01:23:4567'"), 0, CS_F_SHA1, NULL, NULL},
        {LEAF("'fingerprint':'01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:"
              "EF:01:23:45::67'"), 0, CS_F_SHA1, NULL, NULL},
        {LEAF("'fingerprint':'01-23-45-67-89-AB-CD-EF-01-23-45-67-89-AB-CD-"
              "EF-01-23-45-67'"), 0, CS_F_SHA1, NULL, NULL},
        {LEAF("'fingerprint':'0:123:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:"
              "EF:01:23:45:67'"), 0, CS_F_SHA1, NULL, NULL},
        {LEAF("'fingerprint':'01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:"
              "EF:01:23:45:6G'"), 0, CS_F_SHA1, NULL, NULL},
        {LEAF("'fingerprint':'01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:"
              "EF:01:23:45: 7'"), 0, CS_F_SHA1, NULL, NULL},
        {LEAF("'sha1':'0123456789abcdef0123456789abcdef012345g7'"), 0,
         CS_F_SHA1, NULL, NULL},
        {LEAF("'sha1':'0123456789abcdef0123456789abcdef012345\\u00e9'"), 0,
         CS_F_SHA1, NULL, NULL},
        {LEAF("'sha1':'0123456789abcdef0123456789abcdef01234\\u00e9'"), 0,
         CS_F_SHA1, NULL, NULL},
        {LEAF("'sha1':'0123456789abcdef0123456789abcdef0123456\\u0000'"), 0,
         CS_F_SHA1, NULL, NULL},
        {LEAF("'sha256':''"), 0, CS_F_SHA256, NULL, NULL},
        {LEAF("'sha256':'" H3 H3 H3 H3 "'"), 0, CS_F_SHA256, NULL, NULL},
        {LEAF("'sha256':'" C3 ":'"), 0, CS_F_SHA256, NULL, NULL},
        /* escapes are decoded first */
        {LEAF("'fingerprint':'\\u0030\\u0031:23:45:67:89:AB:CD:EF:01:23:45:6"
              "7:89:AB:CD:EF:01:23:45:67'"), CS_F_SHA1, 0, C1, NULL},
        {LEAF("'fingerprint':'01\\u003a23\\u003A45:67:89:AB:CD:EF:01:23:45:6"
              "7:89:AB:CD:EF:01:23:45:67'"), CS_F_SHA1, 0, C1, NULL},
        {LEAF("'fingerprint':'01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:"
              "EF:01:23:45\\/67'"), 0, CS_F_SHA1, NULL, NULL},
        {LEAF("'sh\\u0061256':'" H3 "','s\\u0068a1':'" H1 "'"),
         CS_F_SHA1 | CS_F_SHA256, 0, H1, H3},
        /* duplicates: the last of each key wins */
        {LEAF("'sha1':'" H1 "','sha1':'" H2 "'"), CS_F_SHA1, 0, H2, NULL},
        {LEAF("'sha1':'" H1 "','sha1':'" H2 "x'"), 0, CS_F_SHA1, NULL, NULL},
        {LEAF("'sha1':'x','sha1':'" H1 "'"), CS_F_SHA1, 0, H1, NULL},
        {LEAF("'sha256':'" H3 "','sha256':null"), 0, 0, NULL, NULL},
        {LEAF("'sha256':7,'sha256':'" C3 "'"), CS_F_SHA256, 0, NULL, H3},
        {LEAF("'fingerprint':'" C1 "','fingerprint':'" C2 "'"), CS_F_SHA1, 0,
         H2, NULL},
        /* a later leaf_cert or data replaces them all */
        {"{'data':{'leaf_cert':{'sha1':'" H1 "','sha256':'" H3 "'},'leaf_cer"
         "t':{'all_domains':[]}}}", 0, 0, NULL, NULL},
        {"{'data':{'leaf_cert':{'sha1':'" H1 "'},'leaf_cert':'x'}}", 0,
         CS_F_SHA1 | CS_F_SHA256, NULL, NULL},
        {"{'data':{'leaf_cert':{'fingerprint':'" C1 "'}},'data':['a']}", 0,
         0, NULL, NULL},
        {"{'data':{'leaf_cert':{'fingerprint':'" C1 "'}},'data':5}", 0,
         CS_F_SHA1 | CS_F_SHA256, NULL, NULL},
        {"{'data':{'leaf_cert':{'fingerprint':'x'}},'data':{'leaf_cert':{'sh"
         "a256':'" H3 "'}}}", CS_F_SHA256, 0, NULL, H3},
        /* only the leaf's own keys count */
        {"{'sha1':'" H1 "','data':{'sha1':'" H1 "','fingerprint':'" C1 "','c"
         "hain':[{'sha1':'" H1 "','sha256':'" H3 "'}],'leaf_cert':{'x':{'sha"
         "1':'" H1 "'},'chain':[{'fingerprint':'" C1 "'}]}}}", 0, 0, NULL,
         NULL},
        /* pretty-printed */
        {"{ 'data' : { 'leaf_cert' : { 'sha256' : '" C3 "' ,\n 'fingerprin"
         "t'\t:\r'" C1 "' } } }", CS_F_SHA1 | CS_F_SHA256, 0, H1, H3},
    };
    size_t i;

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        const char *n = t[i].json;
        check_q(n, n);
        expect_ok(n);
        CHECKF((R->has & (CS_F_SHA1 | CS_F_SHA256)) == t[i].has
                   && (R->bad & (CS_F_SHA1 | CS_F_SHA256)) == t[i].bad
                   && R->trunc == 0,
               "%s: has %x bad %x (want %x %x)", n, R->has, R->bad, t[i].has,
               t[i].bad);
        if (t[i].sha1 != NULL)
            expect_digest(n, "sha1", R->sha1, 20, t[i].sha1);
        if (t[i].sha256 != NULL)
            expect_digest(n, "sha256", R->sha256, 32, t[i].sha256);
    }
    /* a message whose digests come cut at every byte: check_vec() feeds
     * it split everywhere; the result must hold both */
    check_q("digests cut", LEAF("'fingerprint':'" C2 "','sha1':'" C1 "','s"
            "ha256':'" C3 "','all_domains':['a.example']"));
    CHECK(R->has == (CS_F_SHA1 | CS_F_SHA256 | CS_F_DOMAINS) && R->bad == 0);
    expect_digest("digests cut", "sha1", R->sha1, 20, H1);
    expect_digest("digests cut", "sha256", R->sha256, 32, H3);
}
#undef LEAF

static void
test_presence(void)
{
    static const struct {
        const char *json;
        unsigned has, bad;
    } t[] = {
        {"{}", 0, 0},
        {"{'data':{}}", 0, 0},
        {"{'data':{'leaf_cert':{}}}", 0, 0},
        {"{'data':{'source':{}}}", 0, 0},
        {"{'message_type':null,'timestamp':null,'data':null}", 0, 0},
        {"{'data':{'cert_index':null,'seen':null,'source':null,'leaf_cert'"
         ":null}}", 0, 0},
        {"{'data':{'source':{'url':null,'name':null},'leaf_cert':{'all_dom"
         "ains':null}}}", 0, 0},
        {"{'message_type':1,'timestamp':'1','data':{'cert_index':'1','seen'"
         ":[1],'source':{'url':{},'name':false},'leaf_cert':{'all_domains':"
         "true}}}", 0,
         CS_F_TYPE | CS_F_TIMESTAMP | CS_F_CERT_INDEX | CS_F_SEEN
             | CS_F_SOURCE_URL | CS_F_SOURCE_NAME | CS_F_DOMAINS},
        {"{'message_type':'m','timestamp':1,'data':{'cert_index':1,'seen':1"
         ",'source':{'url':'u','name':'n'},'leaf_cert':{'all_domains':[]}}}",
         CS_F_TYPE | CS_F_TIMESTAMP | CS_F_CERT_INDEX | CS_F_SEEN
             | CS_F_SOURCE_URL | CS_F_SOURCE_NAME | CS_F_DOMAINS, 0},
        {"{'data':{'source':5,'leaf_cert':'x'}}", 0,
         CS_F_SOURCE_URL | CS_F_SOURCE_NAME | LEAF_FIELDS},
        {"{'data':[],'timestamp':-1}", CS_F_DOMAINS | CS_F_TIMESTAMP, 0},
    };
    size_t i;

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        check_q(t[i].json, t[i].json);
        expect_ok(t[i].json);
        CHECKF(R->has == t[i].has && R->bad == t[i].bad && R->trunc == 0,
               "%s: has %x bad %x (want %x %x)", t[i].json, R->has, R->bad,
               t[i].has, t[i].bad);
        CHECK(R->type == ((R->has & CS_F_TYPE) ? CS_MSG_OTHER : CS_MSG_NONE));
    }
}

/* Duplicate keys: the last one wins, field by field; a later data
 * replaces everything under the earlier one. */
static void
test_duplicates(void)
{
    const char *n;

    check_q("dup type", "{'message_type':'heartbeat','message_type':'certif"
            "icate_update'}");
    CHECK(R->type == CS_MSG_CERT && R->has == CS_F_TYPE);
    check_q("dup type null", "{'message_type':'heartbeat','message_type':nu"
            "ll}");
    CHECK(R->type == CS_MSG_NONE && R->has == 0 && R->bad == 0);
    check_q("dup type bad", "{'message_type':'heartbeat','message_type':5}");
    CHECK(R->type == CS_MSG_NONE && R->has == 0 && R->bad == CS_F_TYPE);
    check_q("dup type good", "{'message_type':5,'message_type':'heartbeat'}");
    CHECK(R->type == CS_MSG_HEARTBEAT && R->has == CS_F_TYPE && R->bad == 0);
    check_q("dup timestamp", "{'timestamp':1,'timestamp':2.5}");
    CHECK(R->has == CS_F_TIMESTAMP && R->timestamp == bits_of(2.5));
    check_q("dup timestamp bad", "{'timestamp':1,'timestamp':'2'}");
    CHECK(R->has == 0 && R->bad == CS_F_TIMESTAMP);

    n = "dup cert_index";
    check_q(n, "{'data':{'cert_index':1,'cert_index':'x','cert_index':3}}");
    CHECK(R->has == CS_F_CERT_INDEX && R->bad == 0 && R->cert_index == 3);
    check_q(n, "{'data':{'cert_index':1,'cert_index':-3}}");
    CHECK(R->has == 0 && R->bad == CS_F_CERT_INDEX);
    check_q(n, "{'data':{'cert_index':18446744073709551616,'cert_index':7}}");
    CHECK(R->has == CS_F_CERT_INDEX && R->bad == 0 && R->cert_index == 7);
    check_q("dup seen", "{'data':{'seen':1.25,'seen':null}}");
    CHECK(R->has == 0 && R->bad == 0);

    n = "dup all_domains";
    check_q(n, "{'data':{'leaf_cert':{'all_domains':['a','b',5],'all_domain"
               "s':['c']}}}");
    CHECK(R->has == CS_F_DOMAINS && R->bad == 0 && R->dtotal == 1);
    expect_domains(n, R, "c", NULL);
    check_q(n, "{'data':{'leaf_cert':{'all_domains':['a'],'all_domains':nul"
               "l}}}");
    CHECK(R->has == 0 && R->dcount == 0 && R->dtotal == 0);
    n = "dup leaf_cert";
    check_q(n, "{'data':{'leaf_cert':{'all_domains':['a']},'leaf_cert':{'su"
               "bject':{}}}}");
    CHECK(R->has == 0 && R->bad == 0 && R->dcount == 0 && R->dtotal == 0);
    n = "dup source";
    check_q(n, "{'data':{'source':{'url':'u1','name':'n1'},'source':{'name'"
               ":'n2'}}}");
    CHECK(R->has == CS_F_SOURCE_NAME && R->bad == 0);
    EXPECT_TEXT(n, name, "n2");
    check_q(n, "{'data':{'source':{'url':'u1','url':'u2','url':7}}}");
    CHECK(R->has == 0 && R->bad == CS_F_SOURCE_URL);

    n = "dup data";
    check_q(n, "{'message_type':'certificate_update','data':{'cert_index':5"
               ",'seen':1.5,'source':{'url':'u','name':'n'},'leaf_cert':{'al"
               "l_domains':['old.example']}},'timestamp':3,'data':{'seen':2."
               "5}}");
    expect_ok(n);
    CHECK(R->type == CS_MSG_CERT);
    CHECK(R->has == (CS_F_TYPE | CS_F_SEEN | CS_F_TIMESTAMP) && R->bad == 0);
    CHECK(R->seen == bits_of(2.5) && R->dcount == 0 && R->dtotal == 0);
    n = "dup data: object then array";
    check_q(n, "{'data':{'cert_index':5,'leaf_cert':{'all_domains':['old']}"
               "},'data':['new1','new2'],'message_type':'dns_entries'}");
    CHECK(R->type == CS_MSG_DNS && R->has == (CS_F_TYPE | CS_F_DOMAINS));
    expect_domains(n, R, "new1", "new2", NULL);
    n = "dup data: array then object";
    check_q(n, "{'data':['old1',1],'data':{'leaf_cert':{'all_domains':['new"
               "']},'cert_index':9}}");
    CHECK(R->has == (CS_F_DOMAINS | CS_F_CERT_INDEX) && R->bad == 0);
    expect_domains(n, R, "new", NULL);
    n = "dup data: then wrong type";
    check_q(n, "{'data':['old1'],'data':7}");
    CHECK(R->has == 0 && R->bad == DATA_FIELDS);
    CHECK(R->dcount == 0 && R->dtotal == 0);
    /* a duplicate clears trunc and bad too */
    n = "dup clears trunc";
    {
        static char buf[1024];
        char big[400];
        memset(big, 'u', 300);
        big[300] = 0;
        snprintf(buf, sizeof buf, "{'data':{'source':{'url':'%s','url':'ok'"
                 "},'leaf_cert':{'all_domains':[1,'a'],'all_domains':['b']}}}",
                 big);
        check_q(n, buf);
        expect_ok(n);
        CHECK(R->has == (CS_F_SOURCE_URL | CS_F_DOMAINS) && R->bad == 0
              && R->trunc == 0);
        EXPECT_TEXT(n, url, "ok");
    }
}

/* Keys are compared after decoding; long and odd keys do not match. */
static void
test_keys(void)
{
    const char *n = "escaped keys";

    check_q(n, "{'\\u0064ata':{'cert\\u005findex':77,'leaf\\u005fcert':{'al"
               "l\\u005fdomains':['k.example']},'sou\\u0072ce':{'u\\u0072l':'"
               "U','n\\u0061me':'N'},'se\\u0065n':3},'message_typ\\u0065':'h"
               "eartbeat','\\u0074imestamp':1}");
    expect_ok(n);
    CHECK(R->type == CS_MSG_HEARTBEAT);
    CHECK(R->has == (ALL_CERT_FIELDS | CS_F_TIMESTAMP) && R->bad == 0);
    CHECK(R->cert_index == 77);
    expect_domains(n, R, "k.example", NULL);

    n = "long keys";
    check_q(n, "{'data_and_a_very_long_key_indeed':{'cert_index':1},'a_key_"
               "that_is_much_longer_than_sixteen_bytes':'x','\\u0041\\u0042\\"
               "u0043\\u0044\\u0045\\u0046\\u0047\\u0048\\u0049\\u004a\\u004b"
               "\\u004c\\u004d\\u004e\\u004f\\u0050\\u0051':1,'data':{'cert_"
               "index_but_longer':5,'cert_index':6}}");
    expect_ok(n);
    CHECK(R->has == CS_F_CERT_INDEX && R->cert_index == 6);
    /* keys with every kind of content are fine in skipped objects */
    n = "odd keys";
    check_q(n, "{'':1,' ':2,'\\ud83d\\ude00':3,'\xc3\xa9':4,'\\u0000':5,'"
               "\\\"':6,'data':{'':{'':[]},'leaf_cert':{'':''}}}");
    expect_ok(n);
    CHECK(R->has == 0 && R->bad == 0);
}

/* ==== limits ============================================================= */

/* Text fields longer than CS_JSON_STR_MAX are cut at a UTF-8 boundary. */
static void
test_text_truncation(void)
{
    static const struct {
        const char *unit;   /* repeated (JSON text) */
        size_t ulen;        /* decoded bytes per unit */
        int reps;
        const char *prefix; /* decoded prefix, also in the JSON */
    } t[] = {
        {"a", 1, 255, ""},
        {"a", 1, 256, ""},
        {"a", 1, 300, ""},
        {"a", 1, 254, ""},
        {"\xc3\xa9", 2, 127, "a"},          /* 255: fits */
        {"\xc3\xa9", 2, 128, "a"},          /* 257: cut to 255 */
        {"\xc3\xa9", 2, 200, ""},           /* cut to 254 */
        {"\xe2\x82\xac", 3, 85, ""},        /* 255 exactly */
        {"\xe2\x82\xac", 3, 100, ""},       /* 255 */
        {"\xe2\x82\xac", 3, 100, "a"},      /* 1 + 3*84 = 253 */
        {"\xe2\x82\xac", 3, 100, "ab"},     /* 2 + 3*84 = 254 */
        {"\xf0\x9f\x98\x80", 4, 70, ""},    /* 252 */
        {"\xf0\x9f\x98\x80", 4, 70, "a"},   /* 253 */
        {"\xf0\x9f\x98\x80", 4, 70, "ab"},  /* 254 */
        {"\xf0\x9f\x98\x80", 4, 70, "abc"}, /* 255 */
        {"\\u00e9", 2, 200, "a"},           /* escapes: 255 */
        {"\\u20ac", 3, 100, "a"},
        {"\\ud83d\\ude00", 4, 70, "ab"},
        {"\\ud800", 3, 90, "a"},            /* lone: U+FFFD, 3 bytes */
        {"\\/", 1, 300, ""},
        {"\\u0000", 1, 256, ""},
    };
    static char json[8192], want[1200];
    size_t i;

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t pl = strlen(t[i].prefix), total, keep, jn;
        int k;
        char name[64];
        unsigned bits;

        /* the expected decoded text */
        memcpy(want, t[i].prefix, pl);
        total = pl + t[i].ulen * (size_t)t[i].reps;
        keep = total;
        if (keep > CS_JSON_STR_MAX)
            keep = pl + (CS_JSON_STR_MAX - pl) / t[i].ulen * t[i].ulen;
        jn = (size_t)sprintf(json, "{\"message_type\":\"%s", t[i].prefix);
        for (k = 0; k < t[i].reps; k++)
            jn += (size_t)sprintf(json + jn, "%s", t[i].unit);
        jn += (size_t)sprintf(json + jn, "\",\"data\":{\"source\":{\"url\":\""
                              "%s", t[i].prefix);
        for (k = 0; k < t[i].reps; k++)
            jn += (size_t)sprintf(json + jn, "%s", t[i].unit);
        jn += (size_t)sprintf(json + jn, "\",\"name\":\"%s\"}}}",
                              t[i].prefix);
        sprintf(name, "truncation %lu", (unsigned long)i);
        check_vec(name, json, jn);
        expect_ok(name);
        bits = total > CS_JSON_STR_MAX ? CS_F_TYPE | CS_F_SOURCE_URL : 0;
        CHECKF(R->trunc == bits, "%s: trunc %x", name, R->trunc);
        CHECK(R->has == (CS_F_TYPE | CS_F_SOURCE_URL | CS_F_SOURCE_NAME));
        CHECKF(R->type_name.len == keep && R->url.len == keep,
               "%s: kept %lu, want %lu", name,
               (unsigned long)R->type_name.len, (unsigned long)keep);
        if (R->type_name.len == keep && R->url.len == keep) {
            /* the kept bytes are the decoded prefix, NUL-terminated */
            size_t at = pl, u;
            static char dec[8];
            /* decode one unit by parsing it alone */
            {
                cs_json j1;
                char one[64];
                int m = sprintf(one, "{\"message_type\":\"%s\"}", t[i].unit);
                cs_json_init(&j1, NULL, 0);
                cs_json_parse(&j1, one, (size_t)m);
                memcpy(dec, cs_json_msg(&j1)->type_name.buf, t[i].ulen);
            }
            for (u = 0; at + t[i].ulen <= keep; u++, at += t[i].ulen)
                memcpy(want + at, dec, t[i].ulen);
            CHECKF(memcmp(R->type_name.buf, want, keep) == 0
                   && R->type_name.buf[keep] == 0, "%s: bytes", name);
            CHECKF(memcmp(R->url.buf, want, keep) == 0 && R->url.buf[keep] == 0,
                   "%s: url bytes", name);
        }
        CHECK(R->name.len == pl);
        CHECK(R->type == CS_MSG_OTHER);
    }
}

/* A model of the documented storage layout: a name takes its bytes and a
 * NUL from the front, a 4-byte offset from the back; a name that does
 * not fit is counted, flagged and skipped (later ones may still fit). */
static size_t
model_store(const char *const *doms, size_t nd, size_t cap, size_t *stored)
{
    size_t used = 0, count = 0, i;
    for (i = 0; i < nd; i++) {
        size_t n = strlen(doms[i]);
        if (cap >= used + 4 * (count + 1) && cap - used - 4 * (count + 1) >= n
                + 1) {
            stored[count++] = i;
            used += n + 1;
        }
    }
    return count;
}

/* Small storage: domain_count < domain_total, trunc has CS_F_DOMAINS,
 * no byte written outside the storage, at every capacity; the stored
 * names are exactly those the layout has room for. */
static void
test_domain_storage(void)
{
    static const char *const doms[] = {
        "a.example", "bb.example", "a-much-longer-name.example", "c", "",
        "dd.example", "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.example", "f",
    };
    static const char *const esc[] = {
        /* the same names, spelled with escapes (the slow path) */
        "\\u0061.example", "bb.exampl\\u0065",
        "a-much-longer-name\\u002eexample", "\\u0063", "", "dd.example",
        "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\\u002eexample", "f",
    };
    static char json[2048];
    size_t nd = sizeof doms / sizeof doms[0], cap, need = 0, i, count;
    size_t stored[16];
    int pass;

    for (i = 0; i < nd; i++)
        need += strlen(doms[i]) + 1 + 4;
    for (pass = 0; pass < 2; pass++) {
        const char *const *src = pass == 0 ? doms : esc;
        size_t jn = (size_t)sprintf(json, "{\"data\":{\"leaf_cert\":{\"all_"
                                    "domains\":[");
        for (i = 0; i < nd; i++)
            jn += (size_t)sprintf(json + jn, "%s\"%s\"", i ? "," : "",
                                  src[i]);
        jn += (size_t)sprintf(json + jn, "]}}}");
        for (cap = 0; cap <= need + 6; cap++) {
            char name[64];
            sprintf(name, "storage %lu bytes (%s)", (unsigned long)cap,
                    pass ? "escaped" : "plain");
            if (!check_vec_cap(name, json, jn, cap))
                break;
            count = model_store(doms, nd, cap, stored);
            CHECKF(R->rc == 0 && R->dtotal == nd && R->dcount == count,
                   "%s: count %lu total %lu, model %lu", name,
                   (unsigned long)R->dcount, (unsigned long)R->dtotal,
                   (unsigned long)count);
            CHECKF(R->trunc == (count < nd ? CS_F_DOMAINS : 0u),
                   "%s: trunc %x", name, R->trunc);
            CHECK(R->has == CS_F_DOMAINS && R->bad == 0);
            for (i = 0; i < count && i < R->dcount; i++)
                CHECKF(strcmp(r_dom(R, i), doms[stored[i]]) == 0
                       && r_dom_len(R, i) == strlen(doms[stored[i]]),
                       "%s: domain %lu", name, (unsigned long)i);
        }
    }
    /* NULL storage: count only */
    {
        cs_json j;
        const cs_msg *m;
        const char *v = q("{'data':['a','bb','ccc'],'message_type':'dns_ent"
                          "ries'}");
        cs_json_init(&j, NULL, 0);
        CHECK(cs_json_parse(&j, v, strlen(v)) == 0);
        m = cs_json_msg(&j);
        CHECK(m->domain_count == 0 && m->domain_total == 3);
        CHECK(m->has == (CS_F_TYPE | CS_F_DOMAINS));
        CHECK(m->trunc == CS_F_DOMAINS && m->bad == 0);
        v = q("{'data':[]}");
        CHECK(cs_json_parse(&j, v, strlen(v)) == 0);
        CHECK(m->domain_total == 0 && m->trunc == 0);
        /* byte at a time, escaped: the slow path counts too */
        v = q("{'data':['\\u0061','b\\/c']}");
        for (i = 0; v[i] != 0; i++)
            cs_json_feed(&j, v + i, 1);
        CHECK(cs_json_end(&j) == 0);
        CHECK(m->domain_count == 0 && m->domain_total == 2);
        CHECK(m->trunc == CS_F_DOMAINS);
    }
}

/* Thousands of domains, some with escapes, through a storage too small
 * for all of them, at several odd capacities. */
static void
test_many_domains(void)
{
    static char json[200000];
    static const size_t caps[] = {0, 1, 4, 5, 6, 1000, 4097, 65536, 131071,
                                  600 * 1024};
    size_t jn, i, c, nd = 4000;

    jn = (size_t)sprintf(json, "{\"message_type\":\"dns_entries\",\"data\":[");
    for (i = 0; i < nd; i++)
        jn += (size_t)sprintf(json + jn, "%s\"%s%lu.example.com\"",
                              i ? "," : "", i % 7 == 0 ? "\\u0077ww" : "www",
                              (unsigned long)i);
    jn += (size_t)sprintf(json + jn, "]}");
    for (c = 0; c < sizeof caps / sizeof caps[0]; c++) {
        cs_json j;
        const cs_msg *m;
        size_t expect = 0, used = 0;
        size_t k;
        store_setup(caps[c], c & 3);
        cs_json_init(&j, g_store, g_cap);
        /* in 1000-byte pieces */
        for (k = 0; k < jn; k += 1000)
            cs_json_feed(&j, json + k, jn - k < 1000 ? jn - k : 1000);
        CHECK(cs_json_end(&j) == 0);
        m = cs_json_msg(&j);
        for (i = 0; i < nd; i++) {
            char name[64];
            size_t n = (size_t)sprintf(name, "www%lu.example.com",
                                       (unsigned long)i);
            if (g_cap >= used + 4 * (expect + 1)
                    && g_cap - used - 4 * (expect + 1) >= n + 1) {
                used += n + 1;
                expect++;
            }
        }
        CHECKF(m->domain_total == nd && m->domain_count == expect,
               "cap %lu: %lu stored, model %lu", (unsigned long)caps[c],
               (unsigned long)m->domain_count, (unsigned long)expect);
        CHECK(m->trunc == (expect < nd ? CS_F_DOMAINS : 0u));
        CHECK(guards_ok());
        for (i = 0; i < m->domain_count; i++) {
            char name[64];
            size_t n = (size_t)sprintf(name, "www%lu.example.com",
                                       (unsigned long)i), got;
            const char *d = cs_msg_domain(m, i, &got);
            if (got != n || memcmp(d, name, n + 1) != 0) {
                CHECKF(0, "cap %lu: domain %lu is %s", (unsigned long)caps[c],
                       (unsigned long)i, d);
                break;
            }
        }
    }
}

/* ==== depth ============================================================== */

static char g_deep[300000];

static void
test_depth(void)
{
    size_t n, i;
    char name[64];
    int d;

    /* 64 nested arrays: fine (but not an object) */
    n = 0;
    for (i = 0; i < 64; i++)
        g_deep[n++] = '[';
    for (i = 0; i < 64; i++)
        g_deep[n++] = ']';
    check_vec("64 arrays", g_deep, n);
    CHECK(R->rc == CS_E_JSON_NOT_OBJECT);
    /* 65: too deep, at the 65th '[' */
    n = 0;
    for (i = 0; i < 65; i++)
        g_deep[n++] = '[';
    for (i = 0; i < 65; i++)
        g_deep[n++] = ']';
    check_vec("65 arrays", g_deep, n);
    CHECK(R->rc == CS_E_JSON_DEPTH && R->err_off == 64);
    /* an object holding 63 arrays: depth 64, fine; 64 arrays: too deep */
    for (d = 63; d <= 64; d++) {
        n = (size_t)sprintf(g_deep, "{\"a\":");
        for (i = 0; i < (size_t)d; i++)
            g_deep[n++] = '[';
        for (i = 0; i < (size_t)d; i++)
            g_deep[n++] = ']';
        g_deep[n++] = '}';
        sprintf(name, "object + %d arrays", d);
        check_vec(name, g_deep, n);
        if (d == 63)
            expect_ok(name);
        else
            CHECK(R->rc == CS_E_JSON_DEPTH && R->err_off == 5 + 63);
    }
    /* 63 nested objects and an array: fine; 64 or 65 and an array: not */
    for (d = 63; d <= 65; d++) {
        n = 0;
        for (i = 0; i < (size_t)d; i++)
            n += (size_t)sprintf(g_deep + n, "{\"data\":");
        n += (size_t)sprintf(g_deep + n, "[\"x\"]");
        for (i = 0; i < (size_t)d; i++)
            g_deep[n++] = '}';
        sprintf(name, "%d objects", d);
        check_vec(name, g_deep, n);
        if (d == 63) {
            expect_ok(name);
            CHECK(R->has == 0 && R->dtotal == 0);
            continue;
        }
        /* 64 objects leave no room for the array; 65 fail at the 65th
         * object: both at offset 8 * 64 */
        CHECK(R->rc == CS_E_JSON_DEPTH && R->err_off == 8 * 64);
    }
    /* nested arrays as domain list elements, down to depth 64 */
    n = (size_t)sprintf(g_deep, "{\"data\":{\"leaf_cert\":{\"all_domains\":"
                        "[\"a\",");
    for (i = 0; i < 60; i++)
        g_deep[n++] = '[';
    for (i = 0; i < 60; i++)
        g_deep[n++] = ']';
    n += (size_t)sprintf(g_deep + n, ",\"b\"]}}}");
    check_vec("deep inside all_domains", g_deep, n);
    expect_ok("deep inside all_domains");
    CHECK(R->has == CS_F_DOMAINS && R->bad == CS_F_DOMAINS);
    expect_domains("deep inside all_domains", R, "a", "b", NULL);

    /* random mixes of objects and arrays down to 64, closed correctly
     * (fine) or with one wrong closer (SYNTAX at that byte) */
    for (d = 0; d < 40; d++) {
        char kinds[70];
        int depth = 1 + (int)rnd_below(64), k, wrong = -1;
        size_t at = 0;
        n = 0;
        g_deep[n++] = '{';
        kinds[0] = '}';
        for (k = 1; k < depth; k++) {
            n += (size_t)sprintf(g_deep + n, "%s", kinds[k - 1] == '}'
                                 ? "\"k\":" : "1,");
            if (rnd() & 1) {
                g_deep[n++] = '[';
                kinds[k] = ']';
            } else {
                g_deep[n++] = '{';
                kinds[k] = '}';
            }
        }
        if (d & 1)
            wrong = (int)rnd_below((size_t)depth);
        for (k = depth - 1; k >= 0; k--) {
            char c = kinds[k];
            if (k == wrong) {
                c = c == '}' ? ']' : '}';
                at = n;
            }
            g_deep[n++] = c;
        }
        sprintf(name, "mixed depth %d, wrong closer at level %d", depth,
                wrong);
        check_vec(name, g_deep, n);
        if (wrong < 0)
            expect_ok(name);
        else
            CHECKF(R->rc == CS_E_JSON_SYNTAX && R->err_off == at,
                   "%s: rc %d at %llu, want %lu", name, R->rc,
                   (unsigned long long)R->err_off, (unsigned long)at);
    }

    /* JSONTestSuite-like monsters: no crash, a clean error */
    {
        cs_json j;
        memset(g_deep, '[', 100000);
        cs_json_init(&j, NULL, 0);
        CHECK(cs_json_parse(&j, g_deep, 100000) == CS_E_JSON_DEPTH);
        CHECK(cs_json_error_offset(&j) == 64);
        cs_json_begin(&j);
        for (i = 0; i < 100000; i++)
            cs_json_feed(&j, g_deep + i, 1);
        CHECK(cs_json_end(&j) == CS_E_JSON_DEPTH);
        CHECK(cs_json_error_offset(&j) == 64);
        for (n = 0; n + 5 <= 250000; n += 5)
            memcpy(g_deep + n, "[{\"\":", 5);
        CHECK(cs_json_parse(&j, g_deep, n) == CS_E_JSON_DEPTH);
        /* the 33rd "[{" pair opens level 65 with '[' */
        CHECK(cs_json_error_offset(&j) == 32 * 5);
        memset(g_deep, '{', 100000);
        CHECK(cs_json_parse(&j, g_deep, 100000) == CS_E_JSON_SYNTAX);
        CHECK(cs_json_error_offset(&j) == 1);
    }
}

/* ==== errors ============================================================= */

/* Every error code at its exact byte offset. Generated from a list in
 * '-notation with a marker at the offending byte; the INCOMPLETE offset
 * is the message length. */
static const struct {
    const char *json;
    uint64_t off;
    int err;
} g_errs[] = {
    {"x", 0, CS_E_JSON_SYNTAX},
    {"]", 0, CS_E_JSON_SYNTAX},
    {"}", 0, CS_E_JSON_SYNTAX},
    {",", 0, CS_E_JSON_SYNTAX},
    {":", 0, CS_E_JSON_SYNTAX},
    {"{,}", 1, CS_E_JSON_SYNTAX},
    {"{]", 1, CS_E_JSON_SYNTAX},
    {"{\"a\"}", 4, CS_E_JSON_SYNTAX},
    {"{\"a\" 1}", 5, CS_E_JSON_SYNTAX},
    {"{\"a\":}", 5, CS_E_JSON_SYNTAX},
    {"{\"a\":1,}", 7, CS_E_JSON_SYNTAX},
    {"{\"a\":1]", 6, CS_E_JSON_SYNTAX},
    {"[1}", 2, CS_E_JSON_SYNTAX},
    {"{\"a\":[1,]}", 8, CS_E_JSON_SYNTAX},
    {"{\"a\":[1:2]}", 7, CS_E_JSON_SYNTAX},
    {"{'a':1}", 1, CS_E_JSON_SYNTAX},
    {"{\"a\":.5}", 5, CS_E_JSON_SYNTAX},
    {"{\"a\":+1}", 5, CS_E_JSON_SYNTAX},
    {"{\"a\":0x1}", 6, CS_E_JSON_SYNTAX},
    {"{\"a\":1.5.3}", 8, CS_E_JSON_SYNTAX},
    {"{\"a\":truex}", 9, CS_E_JSON_SYNTAX},
    {"{\"a\":nulll}", 9, CS_E_JSON_SYNTAX},
    {"{\"a\":True}", 5, CS_E_JSON_SYNTAX},
    {"{\"a\":Infinity}", 5, CS_E_JSON_SYNTAX},
    {"{\"a\":NaN}", 5, CS_E_JSON_SYNTAX},
    {"{a:1}", 1, CS_E_JSON_SYNTAX},
    {"{\"a\"=1}", 4, CS_E_JSON_SYNTAX},
    {"{\"a\":1 \"b\":2}", 7, CS_E_JSON_SYNTAX},
    {"{\"a\":1,,}", 7, CS_E_JSON_SYNTAX},
    {"[,1]", 1, CS_E_JSON_SYNTAX},
    {"{\"a\":[,]}", 6, CS_E_JSON_SYNTAX},
    {"\xef" "\xbb" "\xbf" "{}", 0, CS_E_JSON_SYNTAX},
    {"{\"a\":1,\xff" "}", 7, CS_E_JSON_SYNTAX},
    {"{\"a\":\"x\" \"y\"}", 9, CS_E_JSON_SYNTAX},
    {"{\"a\":[1]]}", 8, CS_E_JSON_SYNTAX},
    {"{\"a\":{}]}", 7, CS_E_JSON_SYNTAX},
    {"{\"a\":1/}", 6, CS_E_JSON_SYNTAX},
    {"{\"a\":/*c*/1}", 5, CS_E_JSON_SYNTAX},
    {"{\"message_type\":heartbeat}", 16, CS_E_JSON_SYNTAX},
    {"{\"data\":{\"seen\":.5}}", 16, CS_E_JSON_SYNTAX},
    {"{\"data\":{\"cert_index\":+1}}", 22, CS_E_JSON_SYNTAX},
    {"{\x0c" "\"a\":1}", 1, CS_E_JSON_SYNTAX},
    {"{\x0b" "}", 1, CS_E_JSON_SYNTAX},
    {"{\xc2" "\xa0" "}", 1, CS_E_JSON_SYNTAX},
    {"{\"a\":[1,2],}", 11, CS_E_JSON_SYNTAX},
    {"{\"a\":[}", 6, CS_E_JSON_SYNTAX},
    {"{\"data\":[}", 9, CS_E_JSON_SYNTAX},
    {"{\"data\":[\"a.com\"}}", 16, CS_E_JSON_SYNTAX},
    {"{\"data\":{\"leaf_cert\":{\"all_domains\":[\"a\"}}}",
     40, CS_E_JSON_SYNTAX},
    {"{\"a\":{\"b\":1}]}", 12, CS_E_JSON_SYNTAX},
    {"{}}", 2, CS_E_JSON_TRAILING},
    {"{} {}", 3, CS_E_JSON_TRAILING},
    {"{}\x0a" "x", 3, CS_E_JSON_TRAILING},
    {"{\"a\":1}]", 7, CS_E_JSON_TRAILING},
    {"{}\x0c", 2, CS_E_JSON_TRAILING},
    {"{} 0", 3, CS_E_JSON_TRAILING},
    {"{}\x0d" "\x0a" "\x09" " ,", 6, CS_E_JSON_TRAILING},
    {"[][]", 2, CS_E_JSON_TRAILING},
    {"{\"message_type\":\"heartbeat\"}{\"message_type\":\"heartbeat\"}",
     28, CS_E_JSON_TRAILING},
    {"{}\x0a" "\x0a" "}", 4, CS_E_JSON_TRAILING},
    {"{\"a\":\"\x01" "\"}", 6, CS_E_JSON_CONTROL},
    {"{\"a\":\"x\x1f" "\"}", 7, CS_E_JSON_CONTROL},
    {"{\"a\":\"\x09" "\"}", 6, CS_E_JSON_CONTROL},
    {"{\"a\":\"\x0a" "\"}", 6, CS_E_JSON_CONTROL},
    {"{\"a\":\"\x0d" "\"}", 6, CS_E_JSON_CONTROL},
    {"{\"\x01" "\":1}", 2, CS_E_JSON_CONTROL},
    {"{\"message_type\":\"heart\x1b" "beat\"}", 22, CS_E_JSON_CONTROL},
    {"{\"data\":{\"source\":{\"url\":\"http://\x0a" "\"}}}",
     33, CS_E_JSON_CONTROL},
    {"{\"data\":[\"a.com\",\"b\x02" ".com\"]}", 19, CS_E_JSON_CONTROL},
    {"{\"a\":\"\\x\"}", 7, CS_E_JSON_ESCAPE},
    {"{\"a\":\"\\U0041\"}", 7, CS_E_JSON_ESCAPE},
    {"{\"a\":\"\\'\"}", 7, CS_E_JSON_ESCAPE},
    {"{\"a\":\"\\ug000\"}", 8, CS_E_JSON_ESCAPE},
    {"{\"a\":\"\\u12G4\"}", 10, CS_E_JSON_ESCAPE},
    {"{\"a\":\"\\u123\"\"}", 11, CS_E_JSON_ESCAPE},
    {"{\"a\":\"\\a\"}", 7, CS_E_JSON_ESCAPE},
    {"{\"a\":\"\\0\"}", 7, CS_E_JSON_ESCAPE},
    {"{\"a\":\"\\ \"}", 7, CS_E_JSON_ESCAPE},
    {"{\"a\":\"\\\xc3" "\xa9" "\"}", 7, CS_E_JSON_ESCAPE},
    {"{\"a\":\"\\ud83d\\x\"}", 13, CS_E_JSON_ESCAPE},
    {"{\"a\":\"\\ud83d\\uzzzz\"}", 14, CS_E_JSON_ESCAPE},
    {"{\"\\q\":1}", 3, CS_E_JSON_ESCAPE},
    {"{\"message_type\":\"\\v\"}", 18, CS_E_JSON_ESCAPE},
    {"{\"data\":[\"\\x.com\"]}", 11, CS_E_JSON_ESCAPE},
    {"{\"a\":\"\\u\"}", 8, CS_E_JSON_ESCAPE},
    {"{\"a\":\"\\u00-1\"}", 10, CS_E_JSON_ESCAPE},
    {"{\"a\":\"\x80" "\"}", 6, CS_E_JSON_UTF8},
    {"{\"a\":\"\xbf" "\"}", 6, CS_E_JSON_UTF8},
    {"{\"a\":\"\xc0" "\x80" "\"}", 6, CS_E_JSON_UTF8},
    {"{\"a\":\"\xc1" "\xbf" "\"}", 6, CS_E_JSON_UTF8},
    {"{\"a\":\"\xf5" "\x80" "\x80" "\x80" "\"}", 6, CS_E_JSON_UTF8},
    {"{\"a\":\"\xf8" "\x88" "\x80" "\x80" "\x80" "\"}", 6, CS_E_JSON_UTF8},
    {"{\"a\":\"\xff" "\"}", 6, CS_E_JSON_UTF8},
    {"{\"a\":\"\xfe" "\"}", 6, CS_E_JSON_UTF8},
    {"{\"a\":\"\xe0" "\x80" "\x80" "\"}", 7, CS_E_JSON_UTF8},
    {"{\"a\":\"\xe0" "\x9f" "\xbf" "\"}", 7, CS_E_JSON_UTF8},
    {"{\"a\":\"\xed" "\xa0" "\x80" "\"}", 7, CS_E_JSON_UTF8},
    {"{\"a\":\"\xed" "\xbf" "\xbf" "\"}", 7, CS_E_JSON_UTF8},
    {"{\"a\":\"\xf0" "\x80" "\x80" "\x80" "\"}", 7, CS_E_JSON_UTF8},
    {"{\"a\":\"\xf0" "\x8f" "\xbf" "\xbf" "\"}", 7, CS_E_JSON_UTF8},
    {"{\"a\":\"\xf4" "\x90" "\x80" "\x80" "\"}", 7, CS_E_JSON_UTF8},
    {"{\"a\":\"\xf4" "\xbf" "\xbf" "\xbf" "\"}", 7, CS_E_JSON_UTF8},
    {"{\"a\":\"\xc3" "\"\"}", 7, CS_E_JSON_UTF8},
    {"{\"a\":\"\xe2" "\x82" "\"\"}", 8, CS_E_JSON_UTF8},
    {"{\"a\":\"\xf0" "\x9f" "\x98" "\"\"}", 9, CS_E_JSON_UTF8},
    {"{\"a\":\"\xc3" "(\"}", 7, CS_E_JSON_UTF8},
    {"{\"a\":\"\xe2" "(\xa1" "\"}", 7, CS_E_JSON_UTF8},
    {"{\"a\":\"\xe2" "\x82" "(\"}", 8, CS_E_JSON_UTF8},
    {"{\"a\":\"\xc3" "\xa9" "\xa9" "\"}", 8, CS_E_JSON_UTF8},
    {"{\"\xff" "\":1}", 2, CS_E_JSON_UTF8},
    {"{\"data\":{\"leaf_cert\":{\"all_domains\":[\"a\xff" ".com\"]}}}",
     39, CS_E_JSON_UTF8},
    {"{\"data\":{\"source\":{\"name\":\"\xc0" "\xaf" "\"}}}",
     27, CS_E_JSON_UTF8},
    {"{\"message_type\":\"x\xed" "\xb0" "\x80" "\"}", 19, CS_E_JSON_UTF8},
    {"{\"a\":\"\xf0" "\x9f" "(\x80" "\"}", 8, CS_E_JSON_UTF8},
    {"{\"a\":\"\xf0" "\x9f" "\x98" "\xc3" "\"}", 9, CS_E_JSON_UTF8},
    {"{\"a\":01}", 6, CS_E_JSON_NUMBER},
    {"{\"a\":-01}", 7, CS_E_JSON_NUMBER},
    {"{\"a\":00}", 6, CS_E_JSON_NUMBER},
    {"{\"a\":1.}", 7, CS_E_JSON_NUMBER},
    {"{\"a\":1.e5}", 7, CS_E_JSON_NUMBER},
    {"{\"a\":-}", 6, CS_E_JSON_NUMBER},
    {"{\"a\":-a}", 6, CS_E_JSON_NUMBER},
    {"{\"a\":-.5}", 6, CS_E_JSON_NUMBER},
    {"{\"a\":1e}", 7, CS_E_JSON_NUMBER},
    {"{\"a\":1E}", 7, CS_E_JSON_NUMBER},
    {"{\"a\":1e+}", 8, CS_E_JSON_NUMBER},
    {"{\"a\":1e-}", 8, CS_E_JSON_NUMBER},
    {"{\"a\":1e+-1}", 8, CS_E_JSON_NUMBER},
    {"{\"a\":1ee}", 7, CS_E_JSON_NUMBER},
    {"{\"a\":1.5ex}", 9, CS_E_JSON_NUMBER},
    {"{\"a\":--1}", 6, CS_E_JSON_NUMBER},
    {"{\"a\":[01]}", 7, CS_E_JSON_NUMBER},
    {"01", 1, CS_E_JSON_NUMBER},
    {"-x", 1, CS_E_JSON_NUMBER},
    {"{\"data\":{\"seen\":01}}", 17, CS_E_JSON_NUMBER},
    {"{\"data\":{\"cert_index\":00}}", 23, CS_E_JSON_NUMBER},
    {"{\"data\":{\"seen\":1.}}", 18, CS_E_JSON_NUMBER},
    {"{\"timestamp\":-}", 14, CS_E_JSON_NUMBER},
    {"{\"timestamp\":1509908649.,\"a\":1}", 24, CS_E_JSON_NUMBER},
    {"{\"data\":{\"cert_index\":-x}}", 23, CS_E_JSON_NUMBER},
    {"{\"a\":-Infinity}", 6, CS_E_JSON_NUMBER},
    {"{\"a\":1..5}", 7, CS_E_JSON_NUMBER},
    {"{\"a\":tx}", 6, CS_E_JSON_LITERAL},
    {"{\"a\":tr}", 7, CS_E_JSON_LITERAL},
    {"{\"a\":tru}", 8, CS_E_JSON_LITERAL},
    {"{\"a\":nul}", 8, CS_E_JSON_LITERAL},
    {"{\"a\":fals}", 9, CS_E_JSON_LITERAL},
    {"{\"a\":nNULL}", 6, CS_E_JSON_LITERAL},
    {"{\"a\":tRUE}", 6, CS_E_JSON_LITERAL},
    {"{\"a\":nu1l}", 7, CS_E_JSON_LITERAL},
    {"{\"a\":[tru]}", 9, CS_E_JSON_LITERAL},
    {"{\"message_type\":nul}", 19, CS_E_JSON_LITERAL},
    {"{\"data\":{\"seen\":f0}}", 17, CS_E_JSON_LITERAL},
    {"{\"a\":faLse}", 7, CS_E_JSON_LITERAL},
    {"tx", 1, CS_E_JSON_LITERAL},
    {"", 0, CS_E_JSON_INCOMPLETE},
    {" ", 1, CS_E_JSON_INCOMPLETE},
    {"\x0a" "\x09", 2, CS_E_JSON_INCOMPLETE},
    {"{", 1, CS_E_JSON_INCOMPLETE},
    {"{\"a\"", 4, CS_E_JSON_INCOMPLETE},
    {"{\"a\":", 5, CS_E_JSON_INCOMPLETE},
    {"{\"a\":1", 6, CS_E_JSON_INCOMPLETE},
    {"{\"a\":-", 6, CS_E_JSON_INCOMPLETE},
    {"{\"a\":1.", 7, CS_E_JSON_INCOMPLETE},
    {"{\"a\":1e", 7, CS_E_JSON_INCOMPLETE},
    {"{\"a\":1e+", 8, CS_E_JSON_INCOMPLETE},
    {"{\"a\":\"xx", 8, CS_E_JSON_INCOMPLETE},
    {"{\"a\":\"\\", 7, CS_E_JSON_INCOMPLETE},
    {"{\"a\":\"\\u", 8, CS_E_JSON_INCOMPLETE},
    {"{\"a\":\"\\u12", 10, CS_E_JSON_INCOMPLETE},
    {"{\"a\":\"\\ud83d", 12, CS_E_JSON_INCOMPLETE},
    {"{\"a\":\"\\ud83d\\", 13, CS_E_JSON_INCOMPLETE},
    {"{\"a\":\"\\ud83d\\u", 14, CS_E_JSON_INCOMPLETE},
    {"{\"a\":\"\\ud83d\\ude0", 17, CS_E_JSON_INCOMPLETE},
    {"{\"a\":\"\xe2" "\x82", 8, CS_E_JSON_INCOMPLETE},
    {"{\"a\":t", 6, CS_E_JSON_INCOMPLETE},
    {"{\"a\":tru", 8, CS_E_JSON_INCOMPLETE},
    {"{\"a\":fals", 9, CS_E_JSON_INCOMPLETE},
    {"{\"a\":nul", 8, CS_E_JSON_INCOMPLETE},
    {"{\"a\":[", 6, CS_E_JSON_INCOMPLETE},
    {"{\"a\":[1,", 8, CS_E_JSON_INCOMPLETE},
    {"{\"a\":{", 6, CS_E_JSON_INCOMPLETE},
    {"{\"a\":{\"b\"", 9, CS_E_JSON_INCOMPLETE},
    {"{\"a\":1,", 7, CS_E_JSON_INCOMPLETE},
    {"[", 1, CS_E_JSON_INCOMPLETE},
    {"\"abc", 4, CS_E_JSON_INCOMPLETE},
    {"1.", 2, CS_E_JSON_INCOMPLETE},
    {"-", 1, CS_E_JSON_INCOMPLETE},
    {"1e", 2, CS_E_JSON_INCOMPLETE},
    {"{\"data\":{\"seen\":1509908649.", 27, CS_E_JSON_INCOMPLETE},
    {"{\"data\":{\"cert_index\":12", 24, CS_E_JSON_INCOMPLETE},
    {"{\"data\":{\"seen\":1509908649.5", 28, CS_E_JSON_INCOMPLETE},
    {"{\"message_type\":\"heartbeat\"", 27, CS_E_JSON_INCOMPLETE},
    {"{\"message_type\":\"heartbeat\",", 28, CS_E_JSON_INCOMPLETE},
    {"{\"a\":[[[]]", 10, CS_E_JSON_INCOMPLETE},
    {"{\"a\":{}", 7, CS_E_JSON_INCOMPLETE},
    {"{\"a\":1 ", 7, CS_E_JSON_INCOMPLETE},
    {"tru", 3, CS_E_JSON_INCOMPLETE},
/* 198 vectors */
};

static void
test_errors(void)
{
    size_t i;
    int seen[11] = {0};

    for (i = 0; i < sizeof g_errs / sizeof g_errs[0]; i++) {
        const char *n = g_errs[i].json;
        check_vec(n, n, strlen(n));
        CHECKF(R->rc == g_errs[i].err && R->err == g_errs[i].err
               && R->err_off == g_errs[i].off,
               "\"%s\": %s at %llu, want %s at %llu", n, cs_errname(R->rc),
               (unsigned long long)R->err_off, cs_errname(g_errs[i].err),
               (unsigned long long)g_errs[i].off);
        seen[-80 - g_errs[i].err] = 1;
    }
    /* NOT_OBJECT: valid JSON that is not an object */
    {
        static const char *const t[] = {
            "[]", "\"x\"", "1", "-0.5e3", "true", "false", "null", "0",
            "[{\"message_type\":\"heartbeat\"}]", "\"{}\"", "[1,[2,{}]]",
            "18446744073709551616", "\"\\u0000\"",
        };
        for (i = 0; i < sizeof t / sizeof t[0]; i++) {
            check_vec(t[i], t[i], strlen(t[i]));
            CHECKF(R->rc == CS_E_JSON_NOT_OBJECT && R->err_off == 0,
                   "\"%s\": %s at %llu", t[i], cs_errname(R->rc),
                   (unsigned long long)R->err_off);
        }
        check_vec("ws + []", " \n[]\r\n", 6);
        /* the offset is where the top value starts */
        CHECK(R->rc == CS_E_JSON_NOT_OBJECT && R->err_off == 2);
        seen[1] = 1;
    }
    /* raw NUL bytes: in a string, outside, after the value */
    {
        static const char a[] = "{\"a\":\"x\0\"}", b[] = "{\0}",
                          c[] = "{}\0", d[] = "{\"\0\":1}";
        check_vec("NUL in string", a, sizeof a - 1);
        CHECK(R->rc == CS_E_JSON_CONTROL && R->err_off == 7);
        check_vec("NUL outside", b, sizeof b - 1);
        CHECK(R->rc == CS_E_JSON_SYNTAX && R->err_off == 1);
        check_vec("NUL after", c, sizeof c - 1);
        CHECK(R->rc == CS_E_JSON_TRAILING && R->err_off == 2);
        check_vec("NUL in key", d, sizeof d - 1);
        CHECK(R->rc == CS_E_JSON_CONTROL && R->err_off == 2);
    }
    for (i = 0; i < 10; i++)
        CHECKF(i == 2 || seen[i], "no vector for error %d", -80 - (int)i);
    /* every code has a name and a sentence */
    for (i = 0; i < 10; i++) {
        int e = -80 - (int)i;
        CHECK(strncmp(cs_errname(e), "CS_E_JSON_", 10) == 0);
        CHECK(cs_strerror(e)[0] != 0);
    }
    CHECK(strcmp(cs_errname(CS_E_JSON_UTF8), "CS_E_JSON_UTF8") == 0);
    CHECK(strcmp(cs_errname(0), "CS_OK") == 0);
}

/* Errors are sticky within a message; the next message starts clean. */
static void
test_sticky_and_recovery(void)
{
    static unsigned char store[4096];
    cs_json j;
    const cs_msg *m;
    const char *bad = q("{'message_type':'heartbeat','data':01");
    const char *good = q("{'message_type':'certificate_update','data':{'cer"
                         "t_index':3,'leaf_cert':{'all_domains':['ok.examp"
                         "le']}}}");
    size_t i;

    cs_json_init(&j, store, sizeof store);
    /* a fresh extractor: end with nothing fed */
    CHECK(cs_json_end(&j) == CS_E_JSON_INCOMPLETE);
    CHECK(cs_json_error_offset(&j) == 0);
    /* sticky */
    CHECK(cs_json_feed(&j, bad, strlen(bad)) == CS_E_JSON_NUMBER);
    CHECK(cs_json_error(&j) == CS_E_JSON_NUMBER);
    CHECK(cs_json_error_offset(&j) == strlen(bad) - 1);
    CHECK(cs_json_feed(&j, "}", 1) == CS_E_JSON_NUMBER);
    CHECK(cs_json_feed(&j, NULL, 0) == CS_E_JSON_NUMBER);
    CHECK(cs_json_feed(&j, "\x01\xff", 2) == CS_E_JSON_NUMBER);
    CHECK(cs_json_error_offset(&j) == strlen(bad) - 1);
    CHECK(cs_json_end(&j) == CS_E_JSON_NUMBER);
    CHECK(cs_json_error(&j) == CS_E_JSON_NUMBER);
    /* end() with nothing fed since: an empty message, not this one */
    CHECK(cs_json_end(&j) == CS_E_JSON_INCOMPLETE);
    CHECK(cs_json_error_offset(&j) == 0);
    /* feed after end starts a new message */
    CHECK(cs_json_feed(&j, good, strlen(good)) == 0);
    CHECK(cs_json_error(&j) == 0 && cs_json_error_offset(&j) == 0);
    CHECK(cs_json_end(&j) == 0);
    m = cs_json_msg(&j);
    CHECK(m->type == CS_MSG_CERT && m->cert_index == 3);
    CHECK(m->domain_count == 1 && m->domain_total == 1);
    CHECK(m->has == (CS_F_TYPE | CS_F_CERT_INDEX | CS_F_DOMAINS));
    /* again, with nothing fed: an empty message, never this one twice */
    CHECK(cs_json_end(&j) == CS_E_JSON_INCOMPLETE);
    CHECK(cs_json_msg(&j)->has == 0 && cs_json_msg(&j)->domain_count == 0);
    /* cs_json_begin() abandons a half message */
    CHECK(cs_json_feed(&j, bad, 20) == 0);
    cs_json_begin(&j);
    CHECK(cs_json_feed(&j, good, strlen(good)) == 0);
    CHECK(cs_json_end(&j) == 0 && m->cert_index == 3);
    /* after every error vector, a good message comes out intact */
    for (i = 0; i < sizeof g_errs / sizeof g_errs[0]; i++) {
        const char *e = g_errs[i].json;
        size_t k;
        cs_json_feed(&j, e, strlen(e));
        CHECKF(cs_json_end(&j) == g_errs[i].err, "\"%s\": %s at %llu", e,
               cs_errname(cs_json_error(&j)),
               (unsigned long long)cs_json_error_offset(&j));
        /* the good one in two pieces */
        k = strlen(good) / 2;
        CHECK(cs_json_feed(&j, good, k) == 0);
        CHECK(cs_json_feed(&j, good + k, strlen(good) - k) == 0);
        CHECKF(cs_json_end(&j) == 0 && m->type == CS_MSG_CERT
               && m->cert_index == 3 && m->domain_count == 1
               && strcmp(cs_msg_domain(m, 0, NULL), "ok.example") == 0
               && m->has == (CS_F_TYPE | CS_F_CERT_INDEX | CS_F_DOMAINS)
               && m->bad == 0 && m->trunc == 0,
               "good message after \"%s\"", e);
    }
    /* cs_json_parse() needs no begin or end around it */
    CHECK(cs_json_feed(&j, bad, 10) == 0);
    CHECK(cs_json_parse(&j, good, strlen(good)) == 0 && m->cert_index == 3);
    CHECK(cs_json_parse(&j, bad, strlen(bad)) == CS_E_JSON_NUMBER);
    CHECK(cs_json_parse(&j, good, strlen(good)) == 0 && m->cert_index == 3);
}

/* ==== mutations ========================================================== */

/* Every vector seen so far, mutated at random (bytes that matter to the
 * grammar, inserted, replaced, deleted, spans repeated), must still give
 * the same result however it is fed: mostly errors, at the same offset. */
static void
test_mutations(void)
{
    static const char alpha[] = "{}[]:,\"\\u0123456789abcdefABCDEF.eE+-tfnrl"
                                " \t\n\x01\x7f\x80\xbf\xc3\xe2\xed\xf0\xf4"
                                "\xff/'";
    static unsigned char buf[CORPUS_LEN * 2 + 64];
    long per = scaled(10), total = 0, bad = 0;
    int c;

    for (c = 0; c < g_ncorpus; c++) {
        long m;
        for (m = 0; m < per; m++) {
            size_t len = g_corpus_len[c], edits = 1 + rnd_below(3), e, i;
            size_t cuts[2];
            char name[80];
            int ok = 1;
            memcpy(buf, g_corpus[c], len);
            for (e = 0; e < edits; e++) {
                size_t at = rnd_below(len + 1);
                unsigned char ch = (unsigned char)alpha[rnd_below(
                    sizeof alpha - 1)];
                switch (rnd_below(4)) {
                case 0: /* replace */
                    if (at < len)
                        buf[at] = ch;
                    break;
                case 1: /* insert */
                    memmove(buf + at + 1, buf + at, len - at);
                    buf[at] = ch;
                    len++;
                    break;
                case 2: /* delete */
                    if (at < len) {
                        memmove(buf + at, buf + at + 1, len - at - 1);
                        len--;
                    }
                    break;
                default: { /* repeat a short span */
                    size_t k = 1 + rnd_below(8);
                    if (at + k <= len && len + k <= sizeof buf) {
                        memmove(buf + at + k, buf + at, len - at);
                        len += k;
                    }
                    break;
                }
                }
            }
            sprintf(name, "mutant %ld of corpus vector %d", m, c);
            store_setup(c & 1 ? 48 : DEFAULT_CAP, 0);
            cs_json_init(&g_j2, g_store, g_cap);
            snapshot(&g_j2, cs_json_parse(&g_j2, buf, len), 1, &g_ref);
            run_steps(buf, len, 1, (int)(m % DIRTY_MODES), &g_cur);
            ok &= same_result(&g_ref, &g_cur, name, "fed 1 byte at a time");
            for (i = 0; ok && i < 6; i++) {
                cuts[0] = rnd_below(len + 1);
                run_cuts(buf, len, cuts, 1, (int)(i % DIRTY_MODES), &g_cur);
                ok &= same_result(&g_ref, &g_cur, name, "split in two");
            }
            for (i = 0; ok && i < 2; i++) {
                size_t a = rnd_below(len + 1), b = rnd_below(len + 1);
                cuts[0] = a < b ? a : b;
                cuts[1] = a < b ? b : a;
                run_cuts(buf, len, cuts, 2, DIRTY_ERROR, &g_cur);
                ok &= same_result(&g_ref, &g_cur, name, "split in three");
            }
            if (ok) {
                run_steps(buf, len, 0, DIRTY_GOOD, &g_cur);
                ok &= same_result(&g_ref, &g_cur, name, "random pieces");
            }
            if (!guards_ok()) {
                CHECKF(0, "%s: guard bytes overwritten", name);
                ok = 0;
            }
            total++;
            if (!ok && ++bad >= 5)
                return; /* enough to go on */
        }
    }
    printf("mutations: %ld mutants of %d vectors\n", total, g_ncorpus);
}

/* ==== memory: no allocation, fixed size ================================== */

static char g_b64[65536 + 16];
static unsigned char g_chunk[65536];
static size_t g_chunk_len;
static uint64_t g_emitted;
static cs_json *g_sink;

static void
emit(const char *s, size_t n)
{
    while (n > 0) {
        size_t k = sizeof g_chunk - g_chunk_len;
        if (k > n)
            k = n;
        memcpy(g_chunk + g_chunk_len, s, k);
        g_chunk_len += k;
        s += k;
        n -= k;
        if (g_chunk_len == sizeof g_chunk) {
            cs_json_feed(g_sink, g_chunk, g_chunk_len);
            g_emitted += g_chunk_len;
            g_chunk_len = 0;
        }
    }
}

static void
emit_z(const char *s)
{
    emit(s, strlen(s));
}

static void
emit_flush(void)
{
    cs_json_feed(g_sink, g_chunk, g_chunk_len);
    g_emitted += g_chunk_len;
    g_chunk_len = 0;
}

/* n bytes of base64 with a "\/" escape now and then */
static void
emit_der(size_t n, size_t seed)
{
    size_t done = 0, off = seed % 1000;
    while (done < n) {
        size_t k = n - done < 997 ? n - done : 997;
        emit(g_b64 + off, k);
        emit("\\/", 2);
        done += k + 1;
        off = (off + 4099) % 60000;
    }
}

/* One message of about `mb` MB: ndom domains, nchain chain entries of
 * der_kb KB each, a leaf as_der of leaf_kb KB. Fed in 64 KiB chunks as
 * it is generated. Returns the message length. */
static uint64_t
emit_big(cs_json *j, size_t ndom, size_t nchain, size_t der_kb,
         size_t leaf_kb)
{
    char tmp[128];
    size_t i;

    g_sink = j;
    g_chunk_len = 0;
    g_emitted = 0;
    cs_json_begin(j);
    emit_z("{\"data\":{\"cert_index\":18446744073709551615,\"chain\":[");
    for (i = 0; i < nchain; i++) {
        emit_z(i ? ",{\"as_der\":\"" : "{\"as_der\":\"");
        emit_der(der_kb * 1024, i);
        emit_z("\",\"all_domains\":[\"chain.example\"],\"subject\":{\"CN\":"
               "null,\"aggregated\":\"/CN=x\"}}");
    }
    emit_z("],\"leaf_cert\":{\"all_domains\":[");
    for (i = 0; i < ndom; i++) {
        int n = sprintf(tmp, "%s\"host%lu.%s.example.com\"", i ? "," : "",
                        (unsigned long)i, i % 3 ? "big" : "b\\u0069g");
        emit(tmp, (size_t)n);
    }
    emit_z("],\"as_der\":\"");
    emit_der(leaf_kb * 1024, 77);
    emit_z("\",\"extensions\":{\"subjectAltName\":\"DNS:host0.big.example."
           "com\"}},\"seen\":1767224003.5,\"source\":{\"url\":\"https:\\/\\/"
           "big.example\\/\",\"name\":\"Big \\u0027log\\u0027\"}},\"message_"
           "type\":\"certificate_update\"}\n");
    emit_flush();
    return g_emitted;
}

static int
big_ok(const cs_json *j, size_t ndom)
{
    const cs_msg *m = cs_json_msg(j);
    size_t i, n;
    char want[64];

    if (m->type != CS_MSG_CERT || m->has != ALL_CERT_FIELDS || m->bad != 0
            || m->trunc != 0 || m->domain_count != ndom
            || m->domain_total != ndom
            || m->cert_index != 18446744073709551615u || m->seen != 1767224003.5
            || strcmp(m->source_url.buf, "https://big.example/") != 0
            || strcmp(m->source_name.buf, "Big 'log'") != 0)
        return 0;
    for (i = 0; i < ndom; i++) {
        const char *d = cs_msg_domain(m, i, &n);
        sprintf(want, "host%lu.big.example.com", (unsigned long)i);
        if (strcmp(d, want) != 0 || n != strlen(want))
            return 0;
    }
    return 1;
}

static unsigned char g_names[CS_JSON_DOMAIN_BUF];

static void
test_no_allocation(void)
{
#ifdef CS_TEST_HOOKS
    void *(*volatile mp)(size_t) = malloc;
    void (*volatile fp)(void *) = free;
    long before, after, hooked;
    cs_json j;
    int c, rounds = 0;
    uint64_t len;

    b64(g_b64, 65536, 99);
    /* do the hooks see anything? */
    before = g_allocs;
    fp(mp(16));
    hooked = g_allocs - before;
    if (hooked != 2) {
        printf("zero-allocation check skipped: malloc is not interposed\n");
        g_skipped++;
        return;
    }
    cs_json_init(&j, g_names, sizeof g_names);
    before = g_allocs;
    /* a few hundred messages, whole and in 3-byte pieces */
    for (c = 0; c < g_ncorpus && rounds < 400; c++, rounds++) {
        size_t i;
        cs_json_parse(&j, g_corpus[c], g_corpus_len[c]);
        cs_json_begin(&j);
        for (i = 0; i < g_corpus_len[c]; i += 3)
            cs_json_feed(&j, g_corpus[c] + i, g_corpus_len[c] - i < 3
                         ? g_corpus_len[c] - i : 3);
        cs_json_end(&j);
    }
    /* and a 5 MB one */
    len = emit_big(&j, 3000, 4, 1024, 1024);
    CHECK(cs_json_end(&j) == 0 && big_ok(&j, 3000));
    after = g_allocs;
    CHECKF(after == before, "%ld allocations during %d messages and one of "
           "%llu bytes", after - before, rounds + 1, (unsigned long long)len);
#else
    printf("zero-allocation check skipped under AddressSanitizer (it "
           "replaces malloc)\n");
    g_skipped++;
#endif
}

/* 50 MB in one message, generated as it is fed: the extractor holds only
 * sizeof(cs_json) and the domain storage. */
static void
test_50mb(void)
{
    cs_json j;
    uint64_t len;
    long before = g_allocs;

    b64(g_b64, 65536, 99);
    cs_json_init(&j, g_names, sizeof g_names);
    len = emit_big(&j, 5000, 44, 1024, 6 * 1024);
    CHECKF(len > 50u * 1000 * 1000, "only %llu bytes",
           (unsigned long long)len);
    CHECKF(cs_json_end(&j) == 0, "%s at %llu", cs_errname(cs_json_error(&j)),
           (unsigned long long)cs_json_error_offset(&j));
    CHECK(big_ok(&j, 5000));
#ifdef CS_TEST_HOOKS
    CHECK(g_allocs == before);
#else
    (void)before;
#endif
    printf("50 MB message: %llu bytes, sizeof(cs_json) = %lu\n",
           (unsigned long long)len, (unsigned long)sizeof(cs_json));
    /* the same storage, too small: counted, flagged, fenced */
    store_setup(1000, 1);
    cs_json_init(&j, g_store, g_cap);
    len = emit_big(&j, 5000, 2, 64, 64);
    CHECK(cs_json_end(&j) == 0);
    CHECK(cs_json_msg(&j)->domain_total == 5000);
    CHECK(cs_json_msg(&j)->domain_count < 100);
    CHECK(cs_json_msg(&j)->trunc == CS_F_DOMAINS);
    CHECK(guards_ok());
}

int
main(void)
{
    const char *s = getenv("CS_TEST_SCALE");

    if (s != NULL && atof(s) > 0)
        g_scale = atof(s);
    TEST(test_elixir_lite);
    TEST(test_elixir_full);
    TEST(test_elixir_dns);
    TEST(test_go_full);
    TEST(test_go_lite_and_dns);
    TEST(test_rust);
    TEST(test_python);
    TEST(test_type);
    TEST(test_cert_index);
    TEST(test_seen_timestamp);
    TEST(test_source_text);
    TEST(test_domains);
    TEST(test_msg_domain_api);
    TEST(test_msg_writer);
    TEST(test_digests);
    TEST(test_presence);
    TEST(test_duplicates);
    TEST(test_keys);
    TEST(test_text_truncation);
    TEST(test_domain_storage);
    TEST(test_many_domains);
    TEST(test_depth);
    TEST(test_errors);
    TEST(test_sticky_and_recovery);
    TEST(test_mutations);
    TEST(test_no_allocation);
    TEST(test_50mb);
    printf("%ld runs compared with their reference\n", g_runs);
    fflush(stdout);
    if (g_skipped > 0) {
        printf("%d passed, %d failed, %d skipped\n", test_passed, test_failed,
               g_skipped);
        return test_failed != 0;
    }
    return TEST_SUMMARY();
}
