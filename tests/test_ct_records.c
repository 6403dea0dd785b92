/* test_ct_records.c - unit tests of the CT record codecs (section [1g]):
 * SHA-256, the strict streaming base64 decoder, RFC 6962 leaves and
 * extra_data, static-ct-api data tiles, log keys, checkpoints and tree
 * head signatures.
 *
 * Real data comes from ../shared/ct (CS_CT_DATA overrides the folder):
 * tests that need it print "skip: ..." and count as skipped when it is
 * absent. Streaming parts are fed whole, 1 byte at a time, split at every
 * offset (small inputs) or at random offsets (tiles), with identical
 * results. Every truncation and many bit flips must give a named error
 * (cs_errname() not empty), never a crash: run it under ASan too. */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "test.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static int test_skipped;

/* ==== helpers ============================================================ */

static void
hex(const char *h, unsigned char *out)
{
    size_t i;
    for (i = 0; h[2 * i] != 0; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (unsigned char)v;
    }
}

/* ==== SHA-256 ============================================================ */

static void
test_sha256(void)
{
    static const char *const msg[3] = {
        "", "abc",
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"};
    static const char *const want[3] = {
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"};
    unsigned char w[32], got[32];
    static unsigned char big[1000000];
    cs_sha256_ctx s;
    size_t i, k;

    for (i = 0; i < 3; i++) {
        size_t n = strlen(msg[i]);
        hex(want[i], w);
        cs_sha256(msg[i], n, got);
        CHECKF(memcmp(got, w, 32) == 0, "vector %zu", i);
        /* split at every offset */
        for (k = 0; k <= n; k++) {
            cs_sha256_init(&s);
            cs_sha256_update(&s, msg[i], k);
            cs_sha256_update(&s, msg[i] + k, n - k);
            cs_sha256_final(&s, got);
            CHECKF(memcmp(got, w, 32) == 0, "vector %zu split %zu", i, k);
        }
    }
    /* FIPS 180-2 appendix B.3: a million 'a', in random pieces */
    memset(big, 'a', sizeof big);
    hex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
        w);
    cs_sha256(big, sizeof big, got);
    CHECK(memcmp(got, w, 32) == 0);
    cs_sha256_init(&s);
    for (i = 0; i < sizeof big; i += k) {
        k = (size_t)(rnd() % 200);
        if (k > sizeof big - i)
            k = sizeof big - i;
        cs_sha256_update(&s, big + i, k);
    }
    cs_sha256_final(&s, got);
    CHECK(memcmp(got, w, 32) == 0);
    /* every length across the padding boundaries, whole vs byte by byte */
    for (k = 0; k < 200; k++) {
        unsigned char a[32];
        cs_sha256(big, k, a);
        cs_sha256_init(&s);
        for (i = 0; i < k; i++)
            cs_sha256_update(&s, big + i, 1);
        cs_sha256_final(&s, got);
        CHECKF(memcmp(got, a, 32) == 0, "length %zu", k);
    }
}

#if CS_HAS_CT

#include "ref_merkle.h"

static int
load_is_there(const char *rel)
{
    size_t n;
    unsigned char *p = load(rel, &n);
    free(p);
    return p != NULL;
}

static void
skip(const char *what)
{
    printf("skip: %s (no %s/%s)\n", test_cur, data_dir(), what);
    test_skipped++;
}

/* The n-th (0-based) JSON string value of "key" in text, as a slice
 * (our test files have no escapes in these values). */
static const char *
json_str(const unsigned char *text, size_t len, const char *key, int nth,
         size_t *out_len)
{
    char pat[64];
    const char *s = (const char *)text, *end = s + len, *p = s;
    size_t pl;

    snprintf(pat, sizeof pat, "\"%s\"", key);
    pl = strlen(pat);
    for (; p + pl < end; p++) {
        const char *q;
        if (memcmp(p, pat, pl) != 0)
            continue;
        q = p + pl;
        while (q < end && (*q == ' ' || *q == ':'))
            q++;
        if (q >= end)
            return NULL;
        if (nth-- > 0)
            continue;
        if (*q == '"') {
            const char *e = memchr(q + 1, '"', (size_t)(end - q - 1));
            if (e == NULL)
                return NULL;
            *out_len = (size_t)(e - q - 1);
            return q + 1;
        }
        /* a number */
        {
            const char *e = q;
            while (e < end && *e >= '0' && *e <= '9')
                e++;
            *out_len = (size_t)(e - q);
            return q;
        }
    }
    return NULL;
}

/* base64 slice -> malloc'd bytes; *n the length (or the error). */
static unsigned char *
unb64(const char *s, size_t len, long *n)
{
    unsigned char *out = (unsigned char *)malloc(len + 1);
    *n = cs_b64_decode(s, len, out, len);
    return out;
}

static int
named(int rc)
{
    return rc < 0 && cs_errname(rc)[0] != 0 && strcmp(cs_errname(rc), "?");
}

/* ==== base64 ============================================================= */

/* Decode text whole, byte by byte and split at every offset: one result. */
static long
b64_all_ways(const char *text, size_t n, unsigned char *out, size_t cap)
{
    unsigned char tmp[256];
    long whole = cs_b64_decode(text, n, out, cap);
    size_t k, i;
    cs_b64 b;

    for (k = 0; k <= n; k++) {
        long r;
        cs_b64_init(&b, tmp, cap < sizeof tmp ? cap : sizeof tmp);
        cs_b64_feed(&b, text, k);
        cs_b64_feed(&b, text + k, n - k);
        r = cs_b64_end(&b);
        CHECKF(r == whole, "split %zu of '%.*s': %ld vs %ld", k, (int)n,
               text, r, whole);
        if (r > 0 && whole > 0)
            CHECK(memcmp(tmp, out, (size_t)r) == 0);
    }
    cs_b64_init(&b, tmp, cap < sizeof tmp ? cap : sizeof tmp);
    for (i = 0; i < n; i++)
        cs_b64_feed(&b, text + i, 1);
    CHECK(cs_b64_end(&b) == whole);
    return whole;
}

static void
test_b64(void)
{
    static const char *const enc[7] = {"",         "Zg==",     "Zm8=",
                                       "Zm9v",     "Zm9vYg==", "Zm9vYmE=",
                                       "Zm9vYmFy"};
    static const struct {
        const char *text;
        int err;
    } bad[] = {
        {"Zg=", CS_E_B64_TRUNCATED},  {"Zg", CS_E_B64_TRUNCATED},
        {"Zh==", CS_E_B64_BITS},      {"Zm9=", CS_E_B64_BITS},
        {"Z===", CS_E_B64_PAD},       {"====", CS_E_B64_PAD},
        {"Zg==Zg==", CS_E_B64_PAD},   {"Zm=v", CS_E_B64_PAD},
        {"Zg===", CS_E_B64_PAD},      {"Zm9v\n", CS_E_B64_SPACE},
        {"Zm 9v", CS_E_B64_SPACE},    {"Zm9v\r\n", CS_E_B64_SPACE},
        {"Zm9v!", CS_E_B64_CHAR},     {"Zm-v", CS_E_B64_CHAR},
        {"Zm_v", CS_E_B64_CHAR},      {"Zg==\n", CS_E_B64_SPACE},
        {"Zg==x", CS_E_B64_PAD},      {"Zm9v\x80", CS_E_B64_CHAR}};
    unsigned char out[64], raw[200];
    char text[300];
    size_t i, k;

    for (i = 0; i < 7; i++) {
        long n = b64_all_ways(enc[i], strlen(enc[i]), out, sizeof out);
        CHECKF(n == (long)i && memcmp(out, "foobar", i) == 0, "%s",
               enc[i]);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long n = b64_all_ways(bad[i].text, strlen(bad[i].text), out,
                              sizeof out);
        CHECKF(n == bad[i].err, "'%s': %ld (%s), want %s", bad[i].text, n,
               cs_errname((int)n), cs_errname(bad[i].err));
    }
    /* the output buffer's limit, exactly */
    CHECK(cs_b64_decode("Zm9vYmFy", 8, out, 6) == 6);
    CHECK(cs_b64_decode("Zm9vYmFy", 8, out, 5) == CS_E_B64_TOO_BIG);
    CHECK(cs_b64_decode("Zm9vYg==", 8, out, 3) == CS_E_B64_TOO_BIG);
    /* round trips through cs_base64() of every length to 200 bytes */
    for (k = 0; k < 200; k++) {
        unsigned char back[200];
        size_t tl;
        for (i = 0; i < k; i++)
            raw[i] = (unsigned char)rnd();
        tl = cs_base64(raw, k, text);
        CHECK(cs_b64_decode(text, tl, back, sizeof back) == (long)k);
        CHECK(memcmp(back, raw, k) == 0);
    }
    /* errors are sticky */
    {
        cs_b64 b;
        cs_b64_init(&b, out, sizeof out);
        CHECK(cs_b64_feed(&b, "Zm!v", 4) == CS_E_B64_CHAR);
        CHECK(cs_b64_feed(&b, "Zm9v", 4) == CS_E_B64_CHAR);
        CHECK(cs_b64_end(&b) == CS_E_B64_CHAR);
    }
}

/* RFC 6962 3.1: the precertificate poison extension's OID,
 * 1.3.6.1.4.1.11129.2.4.3, as DER. */
static int
has_poison(const unsigned char *p, size_t n)
{
    static const unsigned char oid[12] = {0x06, 0x0a, 0x2b, 0x06, 0x01,
                                          0x04, 0x01, 0xd6, 0x79, 0x02,
                                          0x04, 0x03};
    size_t i;
    for (i = 0; i + 12 <= n; i++)
        if (memcmp(p + i, oid, 12) == 0)
            return 1;
    return 0;
}

/* ==== RFC 6962 leaves and extra_data ===================================== */

/* Truncations and bit flips of a leaf or extra_data: named errors. */
static void
mutate_leaf(const unsigned char *leaf, size_t ll, const unsigned char *extra,
            size_t el)
{
    cs_ct_entry e;
    unsigned char *c;
    size_t k, bit;
    int rc;

    for (k = 0; k < ll; k++) {
        c = (unsigned char *)malloc(k + 1);
        memcpy(c, leaf, k);
        rc = cs_ct_leaf_parse(&e, c, k);
        CHECKF(named(rc), "leaf cut at %zu: %d", k, rc);
        free(c);
    }
    CHECK(cs_ct_leaf_parse(&e, leaf, ll) == 0);
    for (k = 0; k < el; k++) {
        c = (unsigned char *)malloc(k + 1);
        memcpy(c, extra, k);
        rc = cs_ct_extra_parse(&e, c, k);
        CHECKF(named(rc), "extra cut at %zu: %d", k, rc);
        free(c);
    }
    /* one more byte at the end */
    c = (unsigned char *)malloc(ll + 1);
    memcpy(c, leaf, ll);
    c[ll] = 0;
    CHECK(cs_ct_leaf_parse(&e, c, ll + 1) == CS_E_CT_TRAILING);
    /* every bit of the header and the length fields, and random ones */
    for (bit = 0; bit < ll * 8; bit += bit < 60 * 8 ? 1 : 1 + rnd() % 97) {
        memcpy(c, leaf, ll);
        c[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        rc = cs_ct_leaf_parse(&e, c, ll);
        CHECKF(rc == 0 || named(rc), "leaf bit %zu: %d", bit, rc);
        if (rc == 0) {
            CHECK(e.cert + e.cert_len <= c + ll);
            CHECK(e.ext + e.ext_len == c + ll);
        }
    }
    free(c);
    CHECK(cs_ct_leaf_parse(&e, leaf, ll) == 0);
    c = (unsigned char *)malloc(el + 1);
    for (bit = 0; bit < el * 8; bit += bit < 16 * 8 ? 1 : 1 + rnd() % 97) {
        cs_ct_entry e2 = e;
        memcpy(c, extra, el);
        c[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        rc = cs_ct_extra_parse(&e2, c, el);
        CHECKF(rc == 0 || named(rc), "extra bit %zu: %d", bit, rc);
        if (rc == 0) {
            size_t i, n;
            for (i = 0; i < e2.chain_count; i++) {
                const unsigned char *p = cs_ct_chain_item(&e2, i, &n);
                CHECK(p != NULL && p + n <= c + el);
            }
        }
    }
    free(c);
}

/* The DER length of the element at p (a SEQUENCE), header included. */
static size_t
der_size(const unsigned char *p)
{
    size_t n = p[1], k, i;
    if (n < 0x80)
        return 2 + n;
    k = n & 0x7f;
    for (n = 0, i = 0; i < k; i++)
        n = n << 8 | p[2 + i];
    return 2 + k + n;
}

static void
check_entries(const char *file, int n, const int *types, const int *chains,
              unsigned char (*hashes)[32])
{
    size_t len, ll, el;
    unsigned char *j = load(file, &len);
    int i;

    if (j == NULL) {
        skip(file);
        return;
    }
    for (i = 0; i < n; i++) {
        const char *ls = json_str(j, len, "leaf_input", i, &ll);
        const char *es = json_str(j, len, "extra_data", i, &el);
        unsigned char *leaf, *extra;
        long ln, en;
        cs_ct_entry e;
        size_t k, m;

        CHECK(ls != NULL && es != NULL);
        if (ls == NULL || es == NULL)
            break;
        leaf = unb64(ls, ll, &ln);
        extra = unb64(es, el, &en);
        CHECKF(ln > 0 && en > 0, "%s %d: %ld %ld", file, i, ln, en);
        CHECK(cs_ct_leaf_parse(&e, leaf, (size_t)ln) == 0);
        CHECK(e.type == types[i]);
        CHECK(e.timestamp > 1300000000000u && e.timestamp < 1500000000000u);
        CHECK(e.ext_len == 0 && !e.has_leaf_index);
        /* the slice is one whole DER element */
        CHECK(e.cert[0] == 0x30 && der_size(e.cert) == e.cert_len);
        CHECK((e.issuer_key_hash != NULL) == (e.type == CS_CT_PRECERT));
        if (hashes != NULL)
            cs_ct_leaf_hash(leaf, (size_t)ln, hashes[i]);
        CHECK(hashes == NULL || memcmp(hashes[i], e.leaf_hash, 32) == 0);
        CHECK(cs_ct_extra_parse(&e, extra, (size_t)en) == 0);
        CHECK(e.chain_kind == CS_CT_CHAIN_DER);
        CHECKF((int)e.chain_count == chains[i], "%s %d: chain %zu", file, i,
               e.chain_count);
        for (k = 0; k < e.chain_count; k++) {
            const unsigned char *c = cs_ct_chain_item(&e, k, &m);
            CHECK(c != NULL && c[0] == 0x30 && der_size(c) == m);
        }
        CHECK(cs_ct_chain_item(&e, e.chain_count, &m) == NULL && m == 0);
        if (e.type == CS_CT_PRECERT) {
            CHECK(e.precert != NULL && e.precert[0] == 0x30
                  && der_size(e.precert) == e.precert_len);
            CHECK(e.precert_len > e.cert_len);
            CHECK(has_poison(e.precert, e.precert_len)
                  && !has_poison(e.cert, e.cert_len));
        } else {
            CHECK(e.precert == NULL && e.precert_len == 0);
        }
        if (i < 2)
            mutate_leaf(leaf, (size_t)ln, extra, (size_t)en);
        free(leaf);
        free(extra);
    }
    free(j);
}

static void
test_leaves(void)
{
    static const int t4[4] = {0, 0, 0, 0}, t2[2] = {1, 0};
    static const int c4[4] = {2, 3, 3, 2}, c2[2] = {3, 2};
    unsigned char h[4][32], root[32], want[32];

    check_entries("rfc6962/get-entries-4.json", 4, t4, c4, h);
    check_entries("rfc6962/get-entries-precert-and-cert.json", 2, t2, c2,
                  NULL);
    /* The tree of those four leaves, as Python's hashlib computes it
     * (get-sth-4's root is not theirs: that tree head is made up). */
    if (load_is_there("rfc6962/get-entries-4.json")) {
        ref_mth(h, 4, root);
        CHECK(cs_b64_decode("A26tmgcaUJpkFXFpkzCS8bJ29cQBEgExKAYFL8hiJ5E=",
                            44, want, 32) == 32);
        CHECK(memcmp(root, want, 32) == 0);
    }
}

/* Hand-made leaves: every error path by name. */
static void
test_leaf_errors(void)
{
    unsigned char l[64];
    cs_ct_entry e;
    size_t n;

    memset(l, 0, sizeof l);
    /* x509 entry: 12 header bytes, a 1-byte "certificate", no ext */
    l[14] = 1, l[15] = 0x30;
    n = 18;
    CHECK(cs_ct_leaf_parse(&e, l, n) == 0 && e.cert_len == 1);
    l[0] = 1;
    CHECK(cs_ct_leaf_parse(&e, l, n) == CS_E_CT_VERSION);
    l[0] = 0, l[1] = 1;
    CHECK(cs_ct_leaf_parse(&e, l, n) == CS_E_CT_VERSION);
    l[1] = 0, l[11] = 2;
    CHECK(cs_ct_leaf_parse(&e, l, n) == CS_E_CT_ENTRY_TYPE);
    l[11] = 0, l[14] = 0;
    CHECK(cs_ct_leaf_parse(&e, l, n) == CS_E_CT_LENGTH);
    l[14] = 1;
    /* extensions: a well-formed leaf_index, then broken ones */
    l[17] = 8, l[18] = 0, l[19] = 0, l[20] = 5, l[25] = 7;
    CHECK(cs_ct_leaf_parse(&e, l, 26) == 0 && e.has_leaf_index
          && e.leaf_index == 7);
    l[20] = 4;
    CHECK(cs_ct_leaf_parse(&e, l, 26) == CS_E_CT_EXTENSIONS);
    l[20] = 9;
    CHECK(cs_ct_leaf_parse(&e, l, 26) == CS_E_CT_EXTENSIONS);
    /* extra_data of an x509 entry: empty chain, then a broken one */
    l[20] = 5;
    CHECK(cs_ct_leaf_parse(&e, l, 26) == 0);
    {
        unsigned char x[16] = {0, 0, 0};
        CHECK(cs_ct_extra_parse(&e, x, 3) == 0 && e.chain_count == 0);
        x[2] = 4, x[5] = 1, x[6] = 0x30;
        CHECK(cs_ct_extra_parse(&e, x, 7) == 0 && e.chain_count == 1);
        x[5] = 2;
        CHECK(cs_ct_extra_parse(&e, x, 7) == CS_E_CT_CHAIN);
        x[5] = 0;
        CHECK(cs_ct_extra_parse(&e, x, 7) == CS_E_CT_CHAIN);
        x[5] = 1;
        CHECK(cs_ct_extra_parse(&e, x, 8) == CS_E_CT_TRAILING);
        e.type = CS_CT_PRECERT;
        memset(x, 0, sizeof x);
        CHECK(cs_ct_extra_parse(&e, x, 6) == CS_E_CT_LENGTH);
    }
}

/* ==== static-ct-api tiles ================================================ */

typedef struct {
    long count, too_big, errs;
    int err;
    unsigned char hash[256][32];
    uint64_t ts[256], index[256];
    int type[256];
    size_t chains[256], cert_len[256], pre_len[256];
    unsigned char sum[32];      /* a hash over every entry's slices */
    long poison_cert, poison_pre;   /* entries whose slice has the OID */
} tile_out;

static void
tile_record(tile_out *o, const cs_ct_entry *e, int rc)
{
    long i = o->count;
    if (i >= 256)
        return;
    memcpy(o->hash[i], e->leaf_hash, 32);
    o->ts[i] = e->timestamp;
    o->type[i] = e->type;
    o->index[i] = e->has_leaf_index ? e->leaf_index : (uint64_t)-1;
    o->chains[i] = e->chain_count;
    if (rc == CS_CT_ENTRY) {
        cs_sha256_ctx s;
        unsigned char d[32];
        cs_sha256_init(&s);
        cs_sha256_update(&s, o->sum, 32);
        cs_sha256_update(&s, e->cert, e->cert_len);
        if (e->precert != NULL)
            cs_sha256_update(&s, e->precert, e->precert_len);
        cs_sha256_update(&s, e->chain, e->chain_len);
        cs_sha256_final(&s, d);
        memcpy(o->sum, d, 32);
        o->cert_len[i] = e->cert_len;
        o->pre_len[i] = e->precert_len;
        o->poison_cert += has_poison(e->cert, e->cert_len);
        if (e->precert != NULL)
            o->poison_pre += has_poison(e->precert, e->precert_len);
    }
    o->count++;
}

/* Parse tile[0..len) in pieces: cuts[] are the piece sizes (0 ends,
 * repeating the last), each piece an exact-size heap copy. */
static void
tile_run(const unsigned char *tile, size_t len, size_t cap, int mode,
         tile_out *o)
{
    cs_ct_tile t;
    unsigned char *buf = (unsigned char *)malloc(cap ? cap : 1);
    size_t at = 0;

    memset(o, 0, sizeof *o);
    cs_ct_tile_init(&t, buf, cap);
    while (at < len && o->err == 0) {
        size_t k = mode == 0 ? len - at
                 : mode == 1 ? 1
                 : 1 + (size_t)(rnd() % (rnd() % 2 ? 7000 : 40));
        unsigned char *piece;
        size_t off = 0;
        if (k > len - at)
            k = len - at;
        piece = (unsigned char *)malloc(k);
        memcpy(piece, tile + at, k);
        while (off < k || o->err == 0) {
            size_t used;
            int rc = cs_ct_tile_feed(&t, piece + off, k - off, &used);
            CHECK(used <= k - off);
            off += used;
            if (rc == CS_CT_ENTRY || rc == CS_E_CT_ENTRY_TOO_BIG) {
                if (rc == CS_E_CT_ENTRY_TOO_BIG)
                    o->too_big++;
                tile_record(o, cs_ct_tile_entry(&t), rc);
                continue;
            }
            if (rc < 0) {
                o->err = rc;
                /* sticky */
                CHECK(cs_ct_tile_feed(&t, piece, k, &used) == rc);
                break;
            }
            CHECK(off == k);
            break;
        }
        free(piece);
        at += k;
    }
    if (o->err == 0) {
        long r = cs_ct_tile_end(&t);
        if (r < 0)
            o->err = (int)r;
        else
            CHECK(r == o->count);
    }
    free(buf);
}

static void
tile_same(const tile_out *a, const tile_out *b, const char *what)
{
    CHECKF(a->count == b->count && a->err == b->err
           && a->too_big == b->too_big
           && memcmp(a->hash, b->hash, sizeof a->hash) == 0
           && memcmp(a->sum, b->sum, 32) == 0
           && memcmp(a->index, b->index, sizeof a->index) == 0,
           "%s: %ld/%ld entries, err %d/%d", what, a->count, b->count,
           a->err, b->err);
}

/* The MerkleTreeLeaf that RFC 6962 would log for a tile entry: parsing
 * it must give the same fields and leaf hash. */
static void
tile_vs_leaf(const cs_ct_entry *e)
{
    unsigned char *l =
        (unsigned char *)malloc(64 + e->cert_len + e->ext_len);
    size_t n = 0, i;
    cs_ct_entry r;

    l[n++] = 0, l[n++] = 0;
    for (i = 0; i < 8; i++)
        l[n++] = (unsigned char)(e->timestamp >> (56 - 8 * i));
    l[n++] = 0, l[n++] = (unsigned char)e->type;
    if (e->type == CS_CT_PRECERT) {
        memcpy(l + n, e->issuer_key_hash, 32);
        n += 32;
    }
    l[n++] = (unsigned char)(e->cert_len >> 16);
    l[n++] = (unsigned char)(e->cert_len >> 8);
    l[n++] = (unsigned char)e->cert_len;
    memcpy(l + n, e->cert, e->cert_len);
    n += e->cert_len;
    l[n++] = (unsigned char)(e->ext_len >> 8);
    l[n++] = (unsigned char)e->ext_len;
    memcpy(l + n, e->ext, e->ext_len);
    n += e->ext_len;
    CHECK(cs_ct_leaf_parse(&r, l, n) == 0);
    CHECK(memcmp(r.leaf_hash, e->leaf_hash, 32) == 0);
    CHECK(r.leaf_index == e->leaf_index && r.timestamp == e->timestamp);
    free(l);
}

static void
test_tiles(void)
{
    static const char *const names[2] = {"000", "001"};
    static tile_out w, o;
    int ti;

    for (ti = 0; ti < 2; ti++) {
        char p[64];
        size_t dl, hl, i, cap;
        unsigned char *d, *h;
        int r;

        snprintf(p, sizeof p, "navigli2025h2/tile/data/%s", names[ti]);
        d = load(p, &dl);
        snprintf(p, sizeof p, "navigli2025h2/tile/0/%s", names[ti]);
        h = load(p, &hl);
        if (d == NULL || h == NULL) {
            skip(p);
            free(d);
            free(h);
            return;
        }
        CHECK(hl == 256 * 32);
        tile_run(d, dl, CS_CT_MAX_ENTRY, 0, &w);
        CHECKF(w.count == 256 && w.err == 0 && w.too_big == 0,
               "tile %s: %ld entries, err %d", names[ti], w.count, w.err);
        for (i = 0; i < 256; i++) {
            CHECKF(memcmp(w.hash[i], h + 32 * i, 32) == 0,
                   "tile %s entry %zu: leaf hash", names[ti], i);
            CHECK(w.type[i] == CS_CT_PRECERT && w.chains[i] == 2);
            CHECK(w.index[i] == (uint64_t)(256 * ti) + i);
            CHECK(w.cert_len[i] > 0 && w.pre_len[i] > w.cert_len[i]);
        }
        CHECK(w.ts[0] >= 1746000000000u && w.ts[255] < 1760000000000u);
        if (ti == 0)
            CHECK(w.ts[0] == 1746292399101u);
        /* the TBS in the leaf lost the poison; the precertificate has it */
        CHECKF(w.poison_cert == 0 && w.poison_pre == 256, "poison %ld %ld",
               w.poison_cert, w.poison_pre);
        /* byte by byte, and in random pieces (several patterns) */
        tile_run(d, dl, CS_CT_MAX_ENTRY, 1, &o);
        tile_same(&o, &w, "1-byte pieces");
        for (r = 0; r < 6; r++) {
            tile_run(d, dl, CS_CT_MAX_ENTRY, 2, &o);
            tile_same(&o, &w, "random pieces");
        }
        /* the TileLeaf is the RFC 6962 leaf plus the rest */
        {
            cs_ct_tile t;
            unsigned char *buf = (unsigned char *)malloc(CS_CT_MAX_ENTRY);
            size_t at = 0, used;
            cs_ct_tile_init(&t, buf, CS_CT_MAX_ENTRY);
            for (i = 0; i < 256; i++) {
                r = cs_ct_tile_feed(&t, d + at, dl - at, &used);
                at += used;
                CHECK(r == CS_CT_ENTRY);
                if (r != CS_CT_ENTRY)
                    break;
                tile_vs_leaf(cs_ct_tile_entry(&t));
            }
            CHECK(at == dl && cs_ct_tile_end(&t) == 256);
            free(buf);
        }
        /* a small buffer: big entries are skipped by name, their leaf
         * hashes still right */
        cap = 1800;
        tile_run(d, dl, cap, 2, &o);
        CHECKF(o.count == 256 && o.err == 0 && o.too_big > 0
               && o.too_big < 256,
               "cap %zu: %ld entries, %ld too big", cap, o.count,
               o.too_big);
        CHECK(memcmp(o.hash, w.hash, sizeof o.hash) == 0);
        tile_run(d, dl, 0, 2, &o);
        CHECK(o.count == 256 && o.too_big == 256);
        CHECK(memcmp(o.hash, w.hash, sizeof o.hash) == 0);
        free(d);
        free(h);
    }
}

/* Cuts and flips of a real tile: named errors, never a crash. */
static void
test_tile_mutations(void)
{
    static tile_out o, w;
    size_t dl, k, first, second;
    unsigned char *d = load("navigli2025h2/tile/data/000", &dl), *c;
    cs_ct_tile t;
    unsigned char *buf;
    int i;

    if (d == NULL) {
        skip("navigli2025h2/tile/data/000");
        return;
    }
    buf = (unsigned char *)malloc(CS_CT_MAX_ENTRY);
    /* where entries end */
    cs_ct_tile_init(&t, buf, CS_CT_MAX_ENTRY);
    cs_ct_tile_feed(&t, d, dl, &first);
    cs_ct_tile_feed(&t, d + first, dl - first, &second);
    second += first;
    /* the first entries cut at every offset; random cuts later */
    for (k = 0; k < dl; k += k < second + 100 ? 1 : 1 + rnd() % 3000) {
        tile_run(d, k, CS_CT_MAX_ENTRY, 0, &o);
        if (k == 0 || k == first || k == second) {
            CHECK(o.err == 0);
        } else if (k < second + 100) {
            CHECKF(o.err == CS_E_CT_TRUNCATED, "cut at %zu: %d", k, o.err);
        } else {
            CHECK(o.err == 0 || o.err == CS_E_CT_TRUNCATED);
        }
    }
    /* a partial tile: the first 10 entries */
    {
        size_t at = 0, used;
        cs_ct_tile_init(&t, buf, CS_CT_MAX_ENTRY);
        for (i = 0; i < 10; i++) {
            cs_ct_tile_feed(&t, d + at, dl - at, &used);
            at += used;
        }
        tile_run(d, at, CS_CT_MAX_ENTRY, 2, &o);
        CHECK(o.count == 10 && o.err == 0);
    }
    /* named errors for bad fields of the first entry */
    c = (unsigned char *)malloc(dl);
    memcpy(c, d, dl);
    c[9] = 2;                                   /* entry_type */
    tile_run(c, dl, CS_CT_MAX_ENTRY, 1, &o);
    CHECK(o.err == CS_E_CT_ENTRY_TYPE && o.count == 0);
    memcpy(c, d, dl);
    c[42] = c[43] = c[44] = 0;                  /* TBS length 0 */
    tile_run(c, dl, CS_CT_MAX_ENTRY, 0, &o);
    CHECK(o.err == CS_E_CT_LENGTH);
    memcpy(c, d, dl);
    c[first - 65] ^= 1;                         /* fingerprints length */
    tile_run(c, dl, CS_CT_MAX_ENTRY, 2, &o);
    CHECKF(o.err == CS_E_CT_FINGERPRINTS, "%d", o.err);
    /* random bit flips: a named error or a parse, the same whole and in
     * pieces */
    for (i = 0; i < 300; i++) {
        size_t bit = (size_t)(rnd() % ((i < 200 ? second : dl) * 8));
        memcpy(c, d, dl);
        c[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        tile_run(c, dl, CS_CT_MAX_ENTRY, 0, &w);
        CHECKF(w.err == 0 || named(w.err), "bit %zu: %d", bit, w.err);
        if (i % 10 == 0) {
            tile_run(c, dl, CS_CT_MAX_ENTRY, 2, &o);
            tile_same(&o, &w, "flipped, random pieces");
        }
    }
    free(c);
    free(buf);
    free(d);
}

/* ==== keys, checkpoints, tree heads ====================================== */

static unsigned char g_spki[1024];
static size_t g_spki_len;

/* The key of log.v3.json (or pilot-key.b64): 0 when loaded. */
static int
load_key(const char *file, cs_ct_key *k)
{
    size_t len, n;
    unsigned char *j = load(file, &len);
    const char *s;
    long r;

    if (j == NULL)
        return -1;
    s = json_str(j, len, "key", 0, &n);
    if (s == NULL) {            /* a bare base64 file */
        s = (const char *)j;
        n = len;
        while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
            n--;
    }
    r = cs_b64_decode(s, n, g_spki, sizeof g_spki);
    free(j);
    CHECK(r > 0);
    if (r <= 0)
        return -1;
    g_spki_len = (size_t)r;
    CHECK(cs_ct_key_parse(k, g_spki, g_spki_len) == 0);
    return 0;
}

static void
test_keys(void)
{
    cs_ct_key k;
    size_t i, len, n;
    unsigned char *j, id[32];
    const char *s;

    if (load_key("skylight/log.v3.json", &k) != 0) {
        skip("skylight/log.v3.json");
        return;
    }
    CHECK(k.type == CS_CT_KEY_EC_P256 && k.q_len == 65 && k.q[0] == 4);
    /* log_id = SHA-256(SPKI), as the log list says */
    j = load("skylight/log.v3.json", &len);
    s = json_str(j, len, "log_id", 0, &n);
    CHECK(s != NULL && cs_b64_decode(s, n, id, 32) == 32);
    CHECK(memcmp(id, k.log_id, 32) == 0);
    free(j);
    /* every cut, and bit flips, of the SPKI: CS_E_CT_KEY or a key */
    for (i = 0; i < g_spki_len; i++) {
        unsigned char *c = (unsigned char *)malloc(i + 1);
        memcpy(c, g_spki, i);
        CHECK(cs_ct_key_parse(&k, c, i) == CS_E_CT_KEY);
        free(c);
    }
    for (i = 0; i < g_spki_len * 8; i++) {
        unsigned char c[128];
        int rc;
        memcpy(c, g_spki, g_spki_len);
        c[i / 8] ^= (unsigned char)(1u << (i % 8));
        rc = cs_ct_key_parse(&k, c, g_spki_len);
        /* only the point's coordinates may change freely */
        CHECKF(rc == CS_E_CT_KEY || (rc == 0 && i / 8 >= 27),
               "bit %zu: %d", i, rc);
    }
}

static char g_cp[8192];

/* Parse and verify the checkpoint text (key: log.v3.json's). */
static int
cp_check(const char *text, size_t n, const cs_ct_key *k, cs_ct_checkpoint *c)
{
    /* an exact-size copy (ASan sees reads past it), kept until the next
     * call because c points into it */
    static char *copy;
    int rc;

    free(copy);
    copy = (char *)malloc(n + 1);
    memcpy(copy, text, n);
    rc = cs_ct_checkpoint_parse(c, copy, n, k);
#if CS_HAS_TLS
    if (rc == 0)
        rc = cs_ct_checkpoint_verify(c, k);
#endif
    return rc;
}

/* text with the first occurrence of a replaced by b */
static size_t
cp_edit(const char *text, size_t n, const char *a, const char *b)
{
    const char *p = strstr(text, a);
    size_t al = strlen(a), bl = strlen(b), at;

    if (p == NULL) {
        CHECKF(0, "'%s' not in the checkpoint", a);
        memcpy(g_cp, text, n);
        return n;
    }
    at = (size_t)(p - text);
    memcpy(g_cp, text, at);
    memcpy(g_cp + at, b, bl);
    memcpy(g_cp + at + bl, p + al, n - at - al);
    g_cp[n - al + bl] = 0;
    return n - al + bl;
}

static void
test_checkpoint(void)
{
    static const char sig_start[] = "\xe2\x80\x94 rome2026h1.example.org ";
    cs_ct_key k;
    cs_ct_checkpoint c;
    size_t len, n, i;
    unsigned char *raw = load("skylight/checkpoint", &len), root[32];
    char *cp, line[300], *sl;
    int rc;

    if (raw == NULL || load_key("skylight/log.v3.json", &k) != 0) {
        skip("skylight/checkpoint");
        free(raw);
        return;
    }
    cp = (char *)malloc(len + 1);
    memcpy(cp, raw, len);
    cp[len] = 0;
    rc = cp_check(cp, len, &k, &c);
    CHECKF(rc == 0, "%s", cs_errname(rc));
    CHECK(c.tree_size == 300 && c.origin_len == 22
          && memcmp(c.origin, "rome2026h1.example.org", 22) == 0);
    CHECK(cs_b64_decode("lCkHUpkmVBEms2r2T1K6Og69+wUuuN3MIEW1/ezu2v0=", 44,
                        root, 32) == 32
          && memcmp(root, c.root, 32) == 0);
    CHECK(c.has_sig && c.timestamp > 1700000000000u && c.sig_lines == 1);
    CHECK(c.body_len == strlen("rome2026h1.example.org\n300\n") + 45);
    /* without a key: parsed, no signature chosen */
    CHECK(cs_ct_checkpoint_parse(&c, cp, len, NULL) == 0 && !c.has_sig);
    /* grease and foreign lines around it are ignored */
    sl = strstr(cp, sig_start);
    CHECK(sl != NULL);
    n = (size_t)(sl - cp);
    memcpy(g_cp, cp, n);
    n += (size_t)sprintf(g_cp + n,
                         "\xe2\x80\x94 grease.invalid AAAAAAAA\n"
                         "%sAAECAwQFBgcI\n"
                         "\xe2\x80\x94 witness.example/w1 "
                         "aGVsbG8gd29ybGQ=\n",
                         sig_start);
    memcpy(g_cp + n, sl, len - (size_t)(sl - cp));
    n += len - (size_t)(sl - cp);
    rc = cp_check(g_cp, n, &k, &c);
    CHECKF(rc == 0 && c.sig_lines == 4, "grease: %s", cs_errname(rc));
#if CS_HAS_TLS
    /* other sizes, roots, timestamps and signatures fail to verify */
    n = cp_edit(cp, len, "\n300\n", "\n301\n");
    CHECK(cp_check(g_cp, n, &k, &c) == CS_E_CT_BAD_SIGNATURE);
    n = cp_edit(cp, len, "lCkH", "lCkI");
    CHECK(cp_check(g_cp, n, &k, &c) == CS_E_CT_BAD_SIGNATURE);
    n = cp_edit(cp, len, "kVB1JgAAAZtx", "kVB1JgAAAZty");
    CHECK(cp_check(g_cp, n, &k, &c) == CS_E_CT_BAD_SIGNATURE);
    n = cp_edit(cp, len, "5H/Z", "5H/a");
    CHECK(cp_check(g_cp, n, &k, &c) == CS_E_CT_BAD_SIGNATURE);
    n = cp_edit(cp, len, "BAMARz", "BAEARz");      /* RSA, P-256 key */
    CHECK(cp_check(g_cp, n, &k, &c) == CS_E_CT_SIG_FORMAT);
#endif
    /* named parse errors */
    n = cp_edit(cp, len, "kVB1", "kVB2");          /* another key ID */
    CHECK(cp_check(g_cp, n, &k, &c) == CS_E_CT_NO_SIGNATURE);
    n = cp_edit(cp, len, "rome2026h1.example.org\n3",
                "rome2026h2.example.org\n3");
    CHECK(cp_check(g_cp, n, &k, &c) == CS_E_CT_NO_SIGNATURE);
    n = cp_edit(cp, len, "\n300\n", "\n0300\n");
    CHECK(cp_check(g_cp, n, &k, &c) == CS_E_CT_NOTE_SIZE);
    n = cp_edit(cp, len, "\n300\n", "\n3x0\n");
    CHECK(cp_check(g_cp, n, &k, &c) == CS_E_CT_NOTE_SIZE);
    n = cp_edit(cp, len, "\n300\n", "\n99999999999999999999\n");
    CHECK(cp_check(g_cp, n, &k, &c) == CS_E_CT_NOTE_SIZE);
    n = cp_edit(cp, len, "\n300\n", "\n18446744073709551615\n");
    CHECK(cp_check(g_cp, n, &k, &c) != CS_E_CT_NOTE_SIZE
          && c.tree_size == UINT64_MAX);
    n = cp_edit(cp, len, "v0=\n", "v0\n");
    CHECK(cp_check(g_cp, n, &k, &c) == CS_E_CT_NOTE_ROOT);
    n = cp_edit(cp, len, "lCkH", "lCkHlCkH");
    CHECK(cp_check(g_cp, n, &k, &c) == CS_E_CT_NOTE_ROOT);
    n = cp_edit(cp, len, "\xe2\x80\x94 ", "- ");
    CHECK(cp_check(g_cp, n, &k, &c) == CS_E_CT_NOTE_SIGLINE);
    n = cp_edit(cp, len, "org kVB1", "org  kVB1");
    CHECK(cp_check(g_cp, n, &k, &c) == CS_E_CT_NOTE_SIGLINE);
    n = cp_edit(cp, len, "kVB1", "kV\tB1");
    CHECK(cp_check(g_cp, n, &k, &c) == CS_E_CT_NOTE_SYNTAX);
    n = cp_edit(cp, len, "=\n\n", "=\n");
    CHECK(named(cp_check(g_cp, n, &k, &c)));
    n = cp_edit(cp, len, "=\n\n", "=\next\xff\n\n");  /* not UTF-8 */
    CHECK(cp_check(g_cp, n, &k, &c) == CS_E_CT_NOTE_SYNTAX);
    n = cp_edit(cp, len, "=\n\n", "=\next \xc3\xa9\n\n");
    CHECK(cp_check(g_cp, n, &k, &c) == 0);
    /* an extension line is allowed (and unsigned) */
    n = cp_edit(cp, len, "=\n\n", "=\nextension\n\n");
    rc = cp_check(g_cp, n, &k, &c);
    CHECK(rc == 0 && c.ext_lines == 1);
    /* too many signature lines */
    n = (size_t)(sl - cp);
    memcpy(g_cp, cp, n);
    for (i = 0; i < CS_CT_NOTE_MAX_LINES; i++)
        n += (size_t)sprintf(g_cp + n, "\xe2\x80\x94 w%zu AAAAAAAA\n", i);
    memcpy(g_cp + n, sl, len - (size_t)(sl - cp));
    n += len - (size_t)(sl - cp);
    CHECK(cp_check(g_cp, n, &k, &c) == CS_E_CT_NOTE_LIMIT);
    /* every cut: a named error (cut after the last '\n' is the text) */
    for (i = 0; i < len; i++) {
        rc = cp_check(cp, i, &k, &c);
        CHECKF(named(rc), "cut at %zu: %d", i, rc);
    }
    /* every bit: a named error (with TLS every one fails to verify) */
    for (i = 0; i < len * 8; i++) {
        memcpy(g_cp, cp, len);
        g_cp[i / 8] ^= (char)(1u << (i % 8));
        rc = cp_check(g_cp, len, &k, &c);
        CHECKF(named(rc) || (!CS_HAS_TLS && rc == 0), "bit %zu: %d", i, rc);
    }
    (void)line;
    free(cp);
    free(raw);
}

/* A checkpoint made for this test with its own P-256 key (Python's
 * cryptography): it needs no ../shared. Grease lines on both sides. */
static void
test_checkpoint_own(void)
{
    static const char key[] =
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWqcCPrHjxP65uSfLj0WEfGdmWwR9"
        "eyBSnLK6bFdkSUkO3MrR5S9dAicYLbJMFCVDaB+yBe99+ogOGWr+pjMdSA==";
    static const char text[] =
        "log.example.org/2026h1\n"
        "1234\n"
        "SBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n"
        "\n"
        "\xe2\x80\x94 grease.invalid yJRKbZ7RMV3id7a+PfcxpyxoCOJ/3SZ6s0/Z"
        "6/ZtCFEpathP6l+Sjg==\n"
        "\xe2\x80\x94 log.example.org/2026h1 coI/MAAAAZtxtEwABAMARzBFAiEA"
        "iEbhls/jAH6jabyRNHrSK+w5qLScJl+ghm1QDiPSxv0CIGKH79zG6Q/f49ZYqkeb"
        "HMoThlpMTnTpwYaJfyubRwCp\n"
        "\xe2\x80\x94 log.example.org/2026h1 73s0xWpWXvnfPgrIu4XM3KUXxWSj"
        "siVgPdXF20HWi7gGrgH4TgSONTAnApuq8PKhJDf/gBuSAfyRK33i9nfHOaI5cr64"
        "4wwUs+c=\n";
    unsigned char spki[128], root[32];
    cs_ct_key k;
    cs_ct_checkpoint c;
    long n = cs_b64_decode(key, sizeof key - 1, spki, sizeof spki);
    int rc;

    CHECK(n == 91 && cs_ct_key_parse(&k, spki, (size_t)n) == 0);
    rc = cs_ct_checkpoint_parse(&c, text, sizeof text - 1, &k);
    CHECKF(rc == 0, "%s", cs_errname(rc));
    cs_sha256("root", 4, root);
    CHECK(c.tree_size == 1234 && memcmp(c.root, root, 32) == 0);
    CHECK(c.has_sig && c.sig_lines == 3 && c.timestamp == 1767139200000u);
#if CS_HAS_TLS
    rc = cs_ct_checkpoint_verify(&c, &k);
    CHECKF(rc == 0, "%s", cs_errname(rc));
    c.tree_size++;
    CHECK(cs_ct_checkpoint_verify(&c, &k) == CS_E_CT_BAD_SIGNATURE);
    c.tree_size--;
    c.timestamp++;
    CHECK(cs_ct_checkpoint_verify(&c, &k) == CS_E_CT_BAD_SIGNATURE);
#endif
}

#if CS_HAS_TLS
static uint64_t
json_u64(const unsigned char *text, size_t len, const char *key)
{
    size_t n, i;
    uint64_t v = 0;
    const char *s = json_str(text, len, key, 0, &n);
    for (i = 0; s != NULL && i < n; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    return v;
}

/* get-sth: the Pilot tree head verifies; get-sth-4 does not. */
static int
sth_check(const char *file, cs_ct_key *k, uint64_t bump)
{
    size_t len, n;
    unsigned char *j = load(file, &len), root[32], sig[512];
    const char *s;
    long sl;
    int rc;

    if (j == NULL)
        return 1;
    s = json_str(j, len, "sha256_root_hash", 0, &n);
    CHECK(s != NULL && cs_b64_decode(s, n, root, 32) == 32);
    s = json_str(j, len, "tree_head_signature", 0, &n);
    sl = s != NULL ? cs_b64_decode(s, n, sig, sizeof sig) : -1;
    CHECK(sl > 0);
    rc = cs_ct_sth_verify(k, json_u64(j, len, "timestamp") + bump,
                          json_u64(j, len, "tree_size"), root, sig,
                          sl > 0 ? (size_t)sl : 0);
    free(j);
    return rc;
}

static void
test_sth(void)
{
    cs_ct_key k;
    int rc;

    if (load_key("rfc6962/pilot-key.b64", &k) != 0) {
        skip("rfc6962/pilot-key.b64");
        return;
    }
    CHECK(k.type == CS_CT_KEY_EC_P256);
    rc = sth_check("rfc6962/get-sth-pilot-2014.json", &k, 0);
    CHECKF(rc == 0, "pilot: %s", cs_errname(rc));
    rc = sth_check("rfc6962/get-sth-pilot-2014.json", &k, 1);
    CHECK(rc == CS_E_CT_BAD_SIGNATURE);
    rc = sth_check("rfc6962/get-sth-4.json", &k, 0);
    CHECKF(rc == CS_E_CT_SIG_FORMAT, "sth-4: %s", cs_errname(rc));
}

/* RSA: Google's log list signature (RSA-4096, PKCS#1 v1.5, SHA-256). */
static void
test_rsa(void)
{
    size_t pl, jl, sl, i, n = 0;
    unsigned char *pem = load("loglist/log_list_pubkey.pem", &pl);
    unsigned char *js = load("loglist/log_list.json", &jl);
    unsigned char *sig = load("loglist/log_list.sig", &sl);
    char b64[1024];
    cs_ct_key k;
    int in = 0;
    long r;

    if (pem == NULL || js == NULL || sig == NULL) {
        skip("loglist/");
        free(pem), free(js), free(sig);
        return;
    }
    /* PEM: the base64 between the armor lines, line breaks removed */
    for (i = 0; i < pl && n < sizeof b64; i++) {
        if (pem[i] == '-') {
            while (i < pl && pem[i] != '\n')
                i++;
            in = !in;
            continue;
        }
        if (in && pem[i] != '\n' && pem[i] != '\r')
            b64[n++] = (char)pem[i];
    }
    r = cs_b64_decode(b64, n, g_spki, sizeof g_spki);
    CHECK(r > 0);
    CHECK(r > 0 && cs_ct_key_parse(&k, g_spki, (size_t)r) == 0);
    CHECK(k.type == CS_CT_KEY_RSA && k.n_len == 512);
    CHECK(cs_ct_verify(&k, js, jl, sig, sl) == 0);
    js[100] ^= 1;
    CHECK(cs_ct_verify(&k, js, jl, sig, sl) == CS_E_CT_BAD_SIGNATURE);
    js[100] ^= 1;
    sig[7] ^= 1;
    CHECK(cs_ct_verify(&k, js, jl, sig, sl) == CS_E_CT_BAD_SIGNATURE);
    free(pem), free(js), free(sig);
}
#endif

#endif /* CS_HAS_CT */

int
main(void)
{
    TEST(test_sha256);
#if CS_HAS_CT
    TEST(test_b64);
    TEST(test_leaves);
    TEST(test_leaf_errors);
    TEST(test_tiles);
    TEST(test_tile_mutations);
    TEST(test_keys);
    TEST(test_checkpoint);
    TEST(test_checkpoint_own);
#if CS_HAS_TLS
    TEST(test_sth);
    TEST(test_rsa);
#endif
#else
    printf("skip: the CT codecs (CERTSTREAM_NO_CT)\n");
    test_skipped++;
#endif
    printf("%d passed, %d failed, %d skipped\n", test_passed, test_failed,
           test_skipped);
    return test_failed != 0;
}
