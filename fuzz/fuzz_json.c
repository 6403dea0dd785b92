/* fuzz_json.c - libFuzzer target for the message extractor (cs_json_*).
 *
 * Input layout: 4 control bytes, then the message (at most 1 MiB).
 *   [0]    chunking. Bits 0-1: 0 one feed, 1 fixed chunks of
 *          ((byte >> 2) + 1) bytes, 2 one byte at a time, 3 pseudo-random
 *          split points (some feeds empty).
 *   [1]    domain storage size, see fz_dom_size(): 0 is NULL/0 (count
 *          only), 1..127 that many bytes, then coarser steps up to 256 KiB.
 *   [2..3] seed for the random splits and the reuse prefixes.
 *
 * Checks; any failure prints what differed and calls abort():
 *   1. cs_json_parse() of the whole message (A) against a fresh extractor
 *      fed in the chosen chunks (B): error code, error offset, has/bad/
 *      trunc, type, cert_index, the bits of seen and timestamp, the three
 *      texts, sha1/sha256 (when present), domain_count/total and every
 *      stored domain must be equal.
 *   2. Reuse: one extractor (C) fed a prefix of the message, then
 *      cs_json_begin() and the message; then a prefix and cs_json_end(),
 *      then the message; then cs_json_parse() again: each equal to A.
 *   3. A against ref_json.h, a slow reference written from the documented
 *      contract (whole-string decoding, strtod() for seen/timestamp).
 *   4. Invariants: feed/end returns agree with cs_json_error(), errors are
 *      sticky, offsets lie in the message, every domain returned by
 *      cs_msg_domain() lies inside the storage (clear of the index),
 *      is NUL-terminated and, like the texts, valid UTF-8.
 * Storage, the message and every chunk fed sit in exact-size malloc()
 * blocks, so ASan sees a read or write just outside any of them.
 * Build: -I<repo root> (or a directory holding a snapshot certstream.h).
 * FZ_NO_REF leaves out check 3; FZ_NO_NULL_FEED leaves out the
 * cs_json_feed(j, NULL, 0) call made for an empty message.
 */
#define CERTSTREAM_IMPLEMENTATION
#include "certstream.h" /* build with -I<repo root> */
#define FZ_NAME "fuzz_json"
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FZ_NO_REF
#include "ref_json.h"
#endif

#define FZ_HDR 4
#define FZ_MAX_MSG ((size_t)1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Control byte [1] to a storage size: dense where truncation happens. */
static size_t
fz_dom_size(unsigned v)
{
    if (v < 128)
        return v;
    if (v < 192)
        return 128 + (size_t)(v - 128) * 32;
    if (v < 255)
        return 4096 + (size_t)(v - 192) * 1024;
    return CS_JSON_DOMAIN_BUF;
}

/* One extractor and its storage. */
typedef struct fz_ex {
    cs_json j;
    unsigned char *dom;
    size_t cap;
} fz_ex;

static void
fz_ex_init(fz_ex *x, size_t cap)
{
    x->cap = cap;
    x->dom = NULL;
    if (cap > 0) {
        x->dom = (unsigned char *)malloc(cap);
        if (x->dom == NULL)
            abort();
        /* stale bytes must never leak into a result */
        memset(x->dom, 0xa5, cap);
    }
    cs_json_init(&x->j, x->dom, cap);
}

/* cs_json_feed() from an exact-size heap copy of the chunk, so that ASan
 * sees any read before its first byte or past its last (a slice of the
 * fuzzer's buffer would have readable neighbours). */
static int
fz_feed_in(cs_json *j, const unsigned char *p, size_t k, unsigned char *buf,
           size_t buf_len)
{
    unsigned char *c = buf;
    int r;

    if (k == 0)
        return cs_json_feed(j, p, 0);
    if (buf_len != k) {
        c = (unsigned char *)malloc(k);
        if (c == NULL)
            abort();
    }
    memcpy(c, p, k);
    r = cs_json_feed(j, c, k);
    memset(c, 0xdb, k); /* the extractor must not keep pointers into it */
    if (c != buf)
        free(c);
    return r;
}

static int
fz_feed(cs_json *j, const unsigned char *p, size_t k)
{
    return fz_feed_in(j, p, k, NULL, 0);
}

/* A feed returned r: 0 while there is no error, else the sticky error. */
static void
fz_check_ret(const cs_json *j, int r, int *first, uint64_t *first_off)
{
    int e = cs_json_error(j);

    if (r != e)
        fz_fail("feed returned %d but cs_json_error() is %d", r, e);
    if (*first != 0 && (e != *first || cs_json_error_offset(j) != *first_off))
        fz_fail("error not sticky: %d@%llu became %d@%llu", *first,
                (unsigned long long)*first_off, e,
                (unsigned long long)cs_json_error_offset(j));
    if (*first == 0 && e != 0) {
        *first = e;
        *first_off = cs_json_error_offset(j);
    }
}

/* Feed p[0..n) in the chunks mode asks for, then end the message.
 * Returns what cs_json_end() returned. */
static int
fz_run(cs_json *j, const unsigned char *p, size_t n, unsigned mode,
       uint32_t seed)
{
    size_t i = 0, fixed = (size_t)(mode >> 2) + 1, blen = 0;
    uint32_t rng = seed | 1u;
    int first = 0, r;
    uint64_t first_off = 0;
    unsigned char *buf = NULL;

    /* fixed-size chunks reuse one exact-size buffer (cheaper than a
     * malloc per byte); a short last chunk gets its own */
    if ((mode & 3) == 1 || (mode & 3) == 2) {
        blen = (mode & 3) == 1 ? fixed : 1;
        buf = (unsigned char *)malloc(blen);
        if (buf == NULL)
            abort();
    }

    if ((mode & 3) == 0) {
        r = fz_feed(j, p, n);
        fz_check_ret(j, r, &first, &first_off);
    }
    while ((mode & 3) != 0 && i < n) {
        size_t k;
        switch (mode & 3) {
        case 1:
            k = fixed;
            break;
        case 2:
            k = 1;
            break;
        default: {
            uint32_t x = fz_rand(&rng);
            /* mostly short chunks, sometimes empty or long ones */
            if ((x & 15) == 0)
                k = 0;
            else if ((x & 15) == 1)
                k = (x >> 8) % 4096;
            else
                k = (x >> 8) % 24;
            break;
        }
        }
        if (k > n - i)
            k = n - i;
        r = fz_feed_in(j, p + i, k, buf, blen);
        fz_check_ret(j, r, &first, &first_off);
        i += k;
    }
    free(buf);
#ifndef FZ_NO_NULL_FEED
    /* The contract allows data == NULL with len == 0; an empty message
     * does it (UBSan: certstream.h must not compute NULL + 0). */
    if (n == 0) {
        r = cs_json_feed(j, NULL, 0);
        fz_check_ret(j, r, &first, &first_off);
    }
#endif
    r = cs_json_end(j);
    if (r != cs_json_error(j))
        fz_fail("cs_json_end() returned %d but cs_json_error() is %d", r,
                cs_json_error(j));
    if (first != 0 && (r != first || cs_json_error_offset(j) != first_off))
        fz_fail("cs_json_end() changed the error %d@%llu to %d@%llu", first,
                (unsigned long long)first_off, r,
                (unsigned long long)cs_json_error_offset(j));
    /* (a second cs_json_end() would end an empty message, not repeat
     * this one: tests/test_json.c checks that) */
    return r;
}

static int
fz_same_text(const cs_text *a, const cs_text *b)
{
    return a->len == b->len && a->len <= CS_JSON_STR_MAX
           && memcmp(a->buf, b->buf, a->len) == 0;
}

static uint64_t
fz_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

/* Two extractors that read the same message must agree on everything. */
static void
fz_same(const cs_json *ja, const cs_json *jb, const char *what)
{
    const cs_msg *a = cs_json_msg(ja), *b = cs_json_msg(jb);
    size_t i;

    if (cs_json_error(ja) != cs_json_error(jb)
            || cs_json_error_offset(ja) != cs_json_error_offset(jb))
        fz_fail("%s: error %s@%llu vs %s@%llu", what,
                cs_errname(cs_json_error(ja)),
                (unsigned long long)cs_json_error_offset(ja),
                cs_errname(cs_json_error(jb)),
                (unsigned long long)cs_json_error_offset(jb));
    if (a->type != b->type || a->has != b->has || a->bad != b->bad
            || a->trunc != b->trunc)
        fz_fail("%s: type/has/bad/trunc %d/%#x/%#x/%#x vs %d/%#x/%#x/%#x",
                what, a->type, a->has, a->bad, a->trunc, b->type, b->has,
                b->bad, b->trunc);
    if (a->cert_index != b->cert_index)
        fz_fail("%s: cert_index %llu vs %llu", what,
                (unsigned long long)a->cert_index,
                (unsigned long long)b->cert_index);
    if (fz_bits(a->seen) != fz_bits(b->seen))
        fz_fail("%s: seen %.17g vs %.17g", what, a->seen, b->seen);
    if (fz_bits(a->timestamp) != fz_bits(b->timestamp))
        fz_fail("%s: timestamp %.17g vs %.17g", what, a->timestamp,
                b->timestamp);
    if (!fz_same_text(&a->type_name, &b->type_name))
        fz_fail("%s: message_type text differs", what);
    if (!fz_same_text(&a->source_url, &b->source_url))
        fz_fail("%s: source.url text differs", what);
    if (!fz_same_text(&a->source_name, &b->source_name))
        fz_fail("%s: source.name text differs", what);
    /* (the digests are only defined with their has bit) */
    if ((a->has & CS_F_SHA1) && memcmp(a->sha1, b->sha1, 20) != 0)
        fz_fail("%s: sha1 differs", what);
    if ((a->has & CS_F_SHA256) && memcmp(a->sha256, b->sha256, 32) != 0)
        fz_fail("%s: sha256 differs", what);
    if (a->domain_count != b->domain_count
            || a->domain_total != b->domain_total)
        fz_fail("%s: domains %zu/%zu vs %zu/%zu", what, a->domain_count,
                a->domain_total, b->domain_count, b->domain_total);
    for (i = 0; i < a->domain_count; i++) {
        size_t la, lb;
        const char *da = cs_msg_domain(a, i, &la);
        const char *db = cs_msg_domain(b, i, &lb);
        if (la != lb || memcmp(da, db, la) != 0)
            fz_fail("%s: domain %zu differs", what, i);
    }
}

/* RFC 3629 UTF-8, as the extractor must produce it. */
static int
fz_utf8_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = s[i++], lo = 0x80, hi = 0xbf;
        int need;
        if (c < 0x80)
            continue;
        if (c >= 0xc2 && c <= 0xdf)
            need = 1;
        else if (c >= 0xe0 && c <= 0xef)
            need = 2;
        else if (c >= 0xf0 && c <= 0xf4)
            need = 3;
        else
            return 0;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
        else if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
        for (; need > 0; need--) {
            if (i >= n || s[i] < lo || s[i] > hi)
                return 0;
            i++;
            lo = 0x80;
            hi = 0xbf;
        }
    }
    return 1;
}

static void
fz_text_sane(const cs_text *t, const char *name)
{
    if (t->len > CS_JSON_STR_MAX || t->buf[t->len] != 0)
        fz_fail("%s: len %zu or missing NUL", name, t->len);
    if (!fz_utf8_ok((const unsigned char *)t->buf, t->len))
        fz_fail("%s: not valid UTF-8", name);
}

/* Invariants of one extractor's result for the message p[0..n). */
static void
fz_sane(const fz_ex *x, const unsigned char *p, size_t n)
{
    const cs_json *j = &x->j;
    const cs_msg *m = cs_json_msg(j);
    int e = cs_json_error(j);
    uint64_t off = cs_json_error_offset(j);
    const unsigned char *lo = x->dom, *idx;
    size_t i, prev_end = 0;

    if (e != 0 && (e < CS_E_JSON_LITERAL || e > CS_E_JSON_SYNTAX))
        fz_fail("error %d is no CS_E_JSON_* code", e);
    if (off > n || (e == 0 && off != 0))
        fz_fail("error offset %llu for a %zu-byte message",
                (unsigned long long)off, n);
    if (e == CS_E_JSON_INCOMPLETE && off != n)
        fz_fail("CS_E_JSON_INCOMPLETE at %llu, not at the end (%zu)",
                (unsigned long long)off, n);
    /* NOT_OBJECT points at the top value (9b2e97a): never whitespace */
    if (e == CS_E_JSON_NOT_OBJECT && (off >= n || p[off] == ' '
            || p[off] == '\t' || p[off] == '\n' || p[off] == '\r'))
        fz_fail("CS_E_JSON_NOT_OBJECT at %llu: not a value's first byte",
                (unsigned long long)off);
    if (e != CS_E_JSON_INCOMPLETE && e != 0 && off >= n)
        fz_fail("error %s at %llu: past the last byte", cs_errname(e),
                (unsigned long long)off);
    if ((m->has | m->bad) & ~0x1ffu || m->trunc & ~0x7fu)
        fz_fail("unknown bits in has/bad/trunc");
    if (m->domain_count > m->domain_total)
        fz_fail("domain_count %zu > domain_total %zu", m->domain_count,
                m->domain_total);
    if (x->cap == 0 && m->domain_count != 0)
        fz_fail("domains stored without storage");
    /* Every stored name: inside the storage, below the index entries,
     * in order, not overlapping, NUL-terminated. */
    if (m->domain_count > x->cap / 5)
        fz_fail("%zu domains cannot fit %zu bytes", m->domain_count, x->cap);
    if (m->domain_count == 0)
        idx = lo;
    else
        idx = lo + x->cap - 4 * m->domain_count;
    for (i = 0; i < m->domain_count; i++) {
        size_t len;
        const unsigned char *d =
            (const unsigned char *)cs_msg_domain(m, i, &len);
        if (d < lo || d >= idx || len >= (size_t)(idx - d)
                || (size_t)(d - lo) < prev_end)
            fz_fail("domain %zu (len %zu) outside the storage", i, len);
        if (d[len] != 0)
            fz_fail("domain %zu not NUL-terminated", i);
        if (e == 0 && !fz_utf8_ok(d, len))
            fz_fail("domain %zu not valid UTF-8", i);
        prev_end = (size_t)(d - lo) + len + 1;
    }
    if (e != 0)
        return;
    /* The rest holds only for a message that ended well. */
    if (((m->trunc & CS_F_DOMAINS) != 0)
            != (m->domain_count < m->domain_total))
        fz_fail("trunc DOMAINS %#x with %zu of %zu domains stored",
                m->trunc, m->domain_count, m->domain_total);
    if (m->has & m->bad & ~CS_F_DOMAINS)
        fz_fail("has %#x and bad %#x overlap", m->has, m->bad);
    if (m->trunc & ~m->has)
        fz_fail("trunc %#x on absent fields (has %#x)", m->trunc, m->has);
    if (m->domain_total != 0 && !(m->has & CS_F_DOMAINS))
        fz_fail("domains without CS_F_DOMAINS");
    if ((m->type == CS_MSG_NONE) != !(m->has & CS_F_TYPE))
        fz_fail("type %d with has %#x", m->type, m->has);
    if (m->has & CS_F_TYPE)
        fz_text_sane(&m->type_name, "message_type");
    if (m->has & CS_F_SOURCE_URL)
        fz_text_sane(&m->source_url, "source.url");
    if (m->has & CS_F_SOURCE_NAME)
        fz_text_sane(&m->source_name, "source.name");
}

#ifndef FZ_NO_REF
static void
fz_ref_text(const cs_text *t, const ref_text *rt, const char *name)
{
    if (t->len != rt->len || memcmp(t->buf, rt->buf, t->len) != 0)
        fz_fail("reference: %s is \"%.*s\" (%zu), expected \"%.*s\" (%zu)",
                name, (int)t->len, t->buf, t->len, (int)rt->len, rt->buf,
                rt->len);
}

/* The extractor's result against the reference model. */
static void
fz_vs_ref(const cs_json *j, const unsigned char *p, size_t n, size_t cap)
{
    const cs_msg *m = cs_json_msg(j);
    ref_json r;
    size_t i;

    ref_parse(&r, p, n, cap);
    if (cs_json_error(j) != r.err
            || cs_json_error_offset(j) != r.err_off)
        fz_fail("reference: error %s@%llu, expected %s@%llu",
                cs_errname(cs_json_error(j)),
                (unsigned long long)cs_json_error_offset(j),
                cs_errname(r.err), (unsigned long long)r.err_off);
    if (r.err != 0) {
        ref_free(&r);
        return;
    }
    if (m->type != r.type || m->has != r.has || m->bad != r.bad
            || m->trunc != r.trunc)
        fz_fail("reference: type/has/bad/trunc %d/%#x/%#x/%#x, expected "
                "%d/%#x/%#x/%#x", m->type, m->has, m->bad, m->trunc, r.type,
                r.has, r.bad, r.trunc);
    if ((m->has & CS_F_CERT_INDEX) && m->cert_index != r.cert_index)
        fz_fail("reference: cert_index %llu, expected %llu",
                (unsigned long long)m->cert_index,
                (unsigned long long)r.cert_index);
    if ((m->has & CS_F_SEEN) && fz_bits(m->seen) != fz_bits(r.seen))
        fz_fail("reference: seen %.17g (%016llx), strtod %.17g (%016llx)",
                m->seen, (unsigned long long)fz_bits(m->seen), r.seen,
                (unsigned long long)fz_bits(r.seen));
    if ((m->has & CS_F_TIMESTAMP)
            && fz_bits(m->timestamp) != fz_bits(r.timestamp))
        fz_fail("reference: timestamp %.17g (%016llx), strtod %.17g "
                "(%016llx)", m->timestamp,
                (unsigned long long)fz_bits(m->timestamp), r.timestamp,
                (unsigned long long)fz_bits(r.timestamp));
    if (m->has & CS_F_TYPE)
        fz_ref_text(&m->type_name, &r.type_name, "message_type");
    if (m->has & CS_F_SOURCE_URL)
        fz_ref_text(&m->source_url, &r.url, "source.url");
    if (m->has & CS_F_SOURCE_NAME)
        fz_ref_text(&m->source_name, &r.name, "source.name");
    if ((m->has & CS_F_SHA1) && memcmp(m->sha1, r.sha1, 20) != 0)
        fz_fail("sha1 differs from the reference");
    if ((m->has & CS_F_SHA256) && memcmp(m->sha256, r.sha256, 32) != 0)
        fz_fail("sha256 differs from the reference");
    if (m->domain_count != r.dcount || m->domain_total != r.dtotal)
        fz_fail("reference: domains %zu/%zu, expected %zu/%zu",
                m->domain_count, m->domain_total, r.dcount, r.dtotal);
    for (i = 0; i < m->domain_count; i++) {
        size_t len, rl;
        const char *d = cs_msg_domain(m, i, &len);
        /* names may hold NULs (\u0000): measure by the next offset */
        rl = (i + 1 < r.dcount ? r.doff[i + 1] : r.dused) - r.doff[i] - 1;
        if (len != rl || memcmp(d, r.dbuf + r.doff[i], len) != 0)
            fz_fail("reference: domain %zu is \"%.*s\", expected \"%.*s\"",
                    i, (int)len, d, (int)rl, r.dbuf + r.doff[i]);
    }
    ref_free(&r);
}
#endif

/* A message to leave an extractor dirty with, chosen by the seed: ends
 * inside a string after a high surrogate, inside a number, a literal,
 * deep nesting, or a complete message with every field set. */
static const char *const fz_dirty[] = {
    "{\"message_type\":\"certificate_update\",\"data\":{\"cert_index\":7,"
    "\"seen\":1.5,\"source\":{\"url\":\"https://x/\",\"name\":\"X\"},"
    "\"leaf_cert\":{\"all_domains\":[\"a.example\",\"b.example\"]}},"
    "\"timestamp\":2.5}",
    "{\"message_type\":\"heart\\ud83d",
    "{\"data\":{\"leaf_cert\":{\"all_domains\":[\"x\\u00",
    "{\"data\":{\"seen\":1.25e",
    "{\"data\":[\"a\",\"b\",tru",
    "[[[[[[[[[[{\"a\":[[[[{",
    "{\"data\":{\"source\":{\"name\":\"\xe2\x82",
    "{\"message_type\":\"x\"} trailing"
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const unsigned char *msg;
    unsigned char *own;
    unsigned mode, other;
    uint32_t seed, rng;
    size_t n, cap, k;
    fz_ex a, b, c;
    const char *dirty;

    if (size < FZ_HDR || size - FZ_HDR > FZ_MAX_MSG)
        return 0;
    mode = data[0];
    cap = fz_dom_size(data[1]);
    seed = ((uint32_t)data[2] << 8 | data[3]) * 2654435761u + 1u;
    n = size - FZ_HDR;
    /* the message alone in an exact-size buffer (see fz_feed) */
    own = (unsigned char *)malloc(n ? n : 1);
    if (own == NULL)
        abort();
    memcpy(own, data + FZ_HDR, n);
    msg = own;

    /* 1. whole vs chunked */
    fz_ex_init(&a, cap);
    fz_ex_init(&b, cap);
    cs_json_parse(&a.j, msg, n);
    fz_sane(&a, msg, n);
    fz_run(&b.j, msg, n, mode, seed);
    fz_sane(&b, msg, n);
    fz_same(&a.j, &b.j, "whole vs chunked");

    /* 2. reuse: abandoned prefix, ended prefix, a dirty message */
    rng = seed | 1u;
    other = (mode & 3) == 2 ? 0u : n < 4096 ? 2u : 1u | (6u << 2);
    fz_ex_init(&c, cap);
    k = n == 0 ? 0 : fz_rand(&rng) % (n + 1);
    fz_feed(&c.j, msg, k);
    cs_json_begin(&c.j);
    fz_run(&c.j, msg, n, other, seed);
    fz_same(&a.j, &c.j, "after cs_json_begin() mid-message");
    k = n == 0 ? 0 : fz_rand(&rng) % (n + 1);
    fz_feed(&c.j, msg, k);
    cs_json_end(&c.j);
    fz_run(&c.j, msg, n, mode, seed ^ 0x5bd1e995u);
    fz_same(&a.j, &c.j, "after an ended prefix");
    /* end() again with nothing fed ends an empty message (9b2e97a) */
    if (cs_json_end(&c.j) != CS_E_JSON_INCOMPLETE
            || cs_json_error_offset(&c.j) != 0 || cs_json_msg(&c.j)->has != 0
            || cs_json_msg(&c.j)->domain_total != 0)
        fz_fail("a second cs_json_end() did not end an empty message");
    dirty = fz_dirty[fz_rand(&rng) % (sizeof fz_dirty / sizeof *fz_dirty)];
    cs_json_parse(&c.j, dirty, strlen(dirty));
    cs_json_feed(&c.j, dirty, strlen(dirty)); /* left open */
    cs_json_parse(&c.j, msg, n);
    fz_sane(&c, msg, n);
    fz_same(&a.j, &c.j, "cs_json_parse() after a dirty message");

#ifndef FZ_NO_REF
    /* 3. the reference model */
    fz_vs_ref(&a.j, msg, n, cap);
#endif

    free(a.dom);
    free(b.dom);
    free(c.dom);
    free(own);
    return 0;
}
