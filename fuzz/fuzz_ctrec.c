/* fuzz_ctrec.c - libFuzzer target for the CT record codecs (section [1g]):
 * the base64 decoder, RFC 6962 leaves and extra_data, the static-ct tile
 * parser and the checkpoint parser. One harness, a selector byte.
 *
 * Input layout: 2 control bytes, then the payload (at most 64 KiB).
 *   [0]  bits 0-1 pick the codec: 0 base64, 1 leaf + extra_data, 2 tile,
 *        3 checkpoint; bits 2-7 pick the tile parser's buffer size.
 *   [1]  seeds the chunk sizes of the streamed runs.
 *
 * Checks; any failure prints what went wrong and calls abort():
 *   base64: whole and chunked decoding agree (result and bytes); what
 *     decodes re-encodes (cs_base64) to exactly the input (strict: one
 *     text per value); an error is a named one.
 *   leaf: payload = uint16 leaf length, leaf, extra_data (exact-size
 *     copies). Slices lie inside their input, the leaf hash equals
 *     cs_ct_leaf_hash(), chain items lie inside extra_data, errors are
 *     named.
 *   tile: whole and chunked feeding agree (each entry's result, leaf hash
 *     and slices); a complete entry rebuilt as an RFC 6962 leaf parses to
 *     the same leaf hash (the streaming hash against the one-shot one);
 *     entries over the buffer are skipped by name; cs_ct_tile_end() counts
 *     them all.
 *   checkpoint: parsed with and without a log key; slices lie inside the
 *     text, a signature is chosen only with the key, errors are named.
 * Build: -I<repo root>. No TLS: signatures are parsed, not verified. */
#ifndef CERTSTREAM_NO_TLS
#define CERTSTREAM_NO_TLS
#endif
#define CERTSTREAM_IMPLEMENTATION
#include "certstream.h" /* build with -I<repo root> */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_HDR 2
#define FZ_MAX_IN 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fz_fail(const char *fmt, ...)
{
    va_list ap;

    fputs("fuzz_ctrec: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

static uint32_t fz_seed;

/* The next chunk size, 1..64 or now and then up to 4096. */
static size_t
fz_chunk(void)
{
    fz_seed = fz_seed * 1103515245u + 12345u;
    return (fz_seed >> 16) % 8 == 0 ? 1 + (fz_seed >> 8) % 4096
                                    : 1 + (fz_seed >> 20) % 64;
}

static void
fz_named(int rc, const char *what)
{
    if (rc >= 0)
        return;
    if (cs_errname(rc)[0] == 0 || strcmp(cs_errname(rc), "?") == 0
        || strncmp(cs_errname(rc), "CS_E_", 5) != 0)
        fz_fail("%s: unnamed error %d", what, rc);
}

static void
fz_inside(const void *p, size_t n, const void *base, size_t len,
          const char *what)
{
    const unsigned char *a = (const unsigned char *)p;
    const unsigned char *b = (const unsigned char *)base;
    if (n == 0 && p == NULL)
        return;
    if (a < b || a > b + len || n > (size_t)(b + len - a))
        fz_fail("%s: slice outside its input", what);
}

/* ---- base64 ---- */

static void
fz_b64(const unsigned char *in, size_t len)
{
    unsigned char *out = (unsigned char *)malloc(len + 1);
    unsigned char *out2 = (unsigned char *)malloc(len + 1);
    char *text = (char *)malloc(len + 1);
    char *enc;
    long whole, chunked;
    size_t at = 0;
    cs_b64 b;

    memcpy(text, in, len);
    whole = cs_b64_decode(text, len, out, len);
    fz_named((int)whole, "base64");
    cs_b64_init(&b, out2, len);
    while (at < len) {
        size_t k = fz_chunk();
        if (k > len - at)
            k = len - at;
        cs_b64_feed(&b, text + at, k);
        at += k;
    }
    chunked = cs_b64_end(&b);
    if (chunked != whole)
        fz_fail("base64: whole %ld, chunked %ld", whole, chunked);
    if (whole >= 0) {
        size_t n;
        if (memcmp(out, out2, (size_t)whole) != 0)
            fz_fail("base64: whole and chunked bytes differ");
        enc = (char *)malloc(4 * ((size_t)whole + 2) / 3 + 2);
        n = cs_base64(out, (size_t)whole, enc);
        if (n != len || memcmp(enc, text, len) != 0)
            fz_fail("base64: %zu bytes decoded do not re-encode to the "
                    "input", (size_t)whole);
        free(enc);
    }
    free(out);
    free(out2);
    free(text);
}

/* ---- leaf + extra_data ---- */

static void
fz_leaf(const unsigned char *in, size_t len)
{
    size_t ll, el, i, n;
    unsigned char *leaf, *extra, h[32];
    cs_ct_entry e;
    int rc;

    if (len < 2)
        return;
    ll = (size_t)in[0] << 8 | in[1];
    if (ll > len - 2)
        ll = len - 2;
    el = len - 2 - ll;
    leaf = (unsigned char *)malloc(ll + 1);
    extra = (unsigned char *)malloc(el + 1);
    memcpy(leaf, in + 2, ll);
    memcpy(extra, in + 2 + ll, el);
    rc = cs_ct_leaf_parse(&e, leaf, ll);
    fz_named(rc, "leaf");
    if (rc == 0) {
        fz_inside(e.cert, e.cert_len, leaf, ll, "leaf cert");
        fz_inside(e.ext, e.ext_len, leaf, ll, "leaf ext");
        if (e.issuer_key_hash != NULL)
            fz_inside(e.issuer_key_hash, 32, leaf, ll, "leaf ikh");
        if (e.cert_len == 0 || (e.type != 0 && e.type != 1))
            fz_fail("leaf: cert_len %zu type %d", e.cert_len, e.type);
        cs_ct_leaf_hash(leaf, ll, h);
        if (memcmp(h, e.leaf_hash, 32) != 0)
            fz_fail("leaf: leaf hash");
        rc = cs_ct_extra_parse(&e, extra, el);
        fz_named(rc, "extra_data");
        if (rc == 0) {
            const unsigned char *p;
            fz_inside(e.precert, e.precert_len, extra, el, "precert");
            fz_inside(e.chain, e.chain_len, extra, el, "chain");
            for (i = 0; i < e.chain_count; i++) {
                p = cs_ct_chain_item(&e, i, &n);
                if (p == NULL || n == 0)
                    fz_fail("chain item %zu missing", i);
                fz_inside(p, n, e.chain, e.chain_len, "chain item");
            }
            if (cs_ct_chain_item(&e, i, &n) != NULL)
                fz_fail("chain item past the count");
        }
    }
    free(leaf);
    free(extra);
}

/* ---- tiles ---- */

typedef struct {
    int rc[64];
    unsigned char sum[32];      /* over hashes and slices of each entry */
    size_t n;
    long end;
} fz_tile_log;

static void
fz_tile_entry(fz_tile_log *l, const cs_ct_entry *e, int rc)
{
    cs_sha256_ctx s;

    if (l->n < 64)
        l->rc[l->n] = rc;
    l->n++;
    cs_sha256_init(&s);
    cs_sha256_update(&s, l->sum, 32);
    cs_sha256_update(&s, e->leaf_hash, 32);
    cs_sha256_update(&s, &e->timestamp, sizeof e->timestamp);
    if (rc == CS_CT_ENTRY) {
        unsigned char *r;
        size_t n = 0, i;
        cs_ct_entry back;

        cs_sha256_update(&s, e->cert, e->cert_len);
        cs_sha256_update(&s, e->ext, e->ext_len);
        cs_sha256_update(&s, e->chain, e->chain_len);
        if (e->precert != NULL)
            cs_sha256_update(&s, e->precert, e->precert_len);
        if (e->chain_len != 32 * e->chain_count)
            fz_fail("tile: %zu fingerprint bytes for %zu", e->chain_len,
                    e->chain_count);
        /* the same entry as an RFC 6962 leaf: the same leaf hash */
        r = (unsigned char *)malloc(49 + e->cert_len + e->ext_len);
        r[n++] = 0, r[n++] = 0;
        for (i = 0; i < 8; i++)
            r[n++] = (unsigned char)(e->timestamp >> (56 - 8 * i));
        r[n++] = 0, r[n++] = (unsigned char)e->type;
        if (e->type == CS_CT_PRECERT) {
            memcpy(r + n, e->issuer_key_hash, 32);
            n += 32;
        }
        r[n++] = (unsigned char)(e->cert_len >> 16);
        r[n++] = (unsigned char)(e->cert_len >> 8);
        r[n++] = (unsigned char)e->cert_len;
        memcpy(r + n, e->cert, e->cert_len);
        n += e->cert_len;
        r[n++] = (unsigned char)(e->ext_len >> 8);
        r[n++] = (unsigned char)e->ext_len;
        memcpy(r + n, e->ext, e->ext_len);
        n += e->ext_len;
        if (cs_ct_leaf_parse(&back, r, n) != 0
            || memcmp(back.leaf_hash, e->leaf_hash, 32) != 0
            || back.has_leaf_index != e->has_leaf_index
            || back.leaf_index != e->leaf_index)
            fz_fail("tile: entry %zu differs as an RFC 6962 leaf", l->n);
        free(r);
    }
    cs_sha256_final(&s, l->sum);
}

static void
fz_tile_run(const unsigned char *in, size_t len, size_t cap, int chunked,
            fz_tile_log *l)
{
    unsigned char *buf = (unsigned char *)malloc(cap + 1);
    cs_ct_tile t;
    size_t at = 0;
    int stop = 0;

    memset(l, 0, sizeof *l);
    cs_ct_tile_init(&t, buf, cap);
    while (at < len && !stop) {
        size_t k = chunked ? fz_chunk() : len - at, off = 0;
        unsigned char *piece;
        if (k > len - at)
            k = len - at;
        piece = (unsigned char *)malloc(k);
        memcpy(piece, in + at, k);
        for (;;) {
            size_t used;
            int rc = cs_ct_tile_feed(&t, piece + off, k - off, &used);
            if (used > k - off)
                fz_fail("tile: used %zu of %zu", used, k - off);
            off += used;
            if (rc == CS_CT_ENTRY || rc == CS_E_CT_ENTRY_TOO_BIG) {
                fz_tile_entry(l, cs_ct_tile_entry(&t), rc);
                continue;
            }
            if (rc < 0) {
                fz_named(rc, "tile");
                l->end = rc;
                if (cs_ct_tile_feed(&t, piece, k, &used) != rc)
                    fz_fail("tile: error %d not sticky", rc);
                stop = 1;
                break;
            }
            if (off != k)
                fz_fail("tile: 0 returned with input left");
            break;
        }
        free(piece);
        at += k;
    }
    if (!stop) {
        l->end = cs_ct_tile_end(&t);
        fz_named((int)l->end, "tile end");
        if (l->end >= 0 && (size_t)l->end != l->n)
            fz_fail("tile: end says %ld entries, %zu seen", l->end, l->n);
    }
    free(buf);
}

static void
fz_tile(const unsigned char *in, size_t len, unsigned sel)
{
    static const size_t caps[8] = {0, 1, 47, 100, 300, 1000, 4096, 65536};
    size_t cap = caps[sel % 8] + (sel / 8) * 13;
    fz_tile_log a, b;

    fz_tile_run(in, len, cap, 0, &a);
    fz_tile_run(in, len, cap, 1, &b);
    if (a.n != b.n || a.end != b.end || memcmp(a.sum, b.sum, 32) != 0
        || memcmp(a.rc, b.rc, sizeof a.rc) != 0)
        fz_fail("tile: whole (%zu entries, end %ld) and chunked (%zu, %ld) "
                "differ", a.n, a.end, b.n, b.end);
}

/* ---- checkpoints ---- */

static void
fz_checkpoint(const unsigned char *in, size_t len)
{
    /* a P-256 SubjectPublicKeyInfo made for these seeds (the signed
     * seeds name log.example.org/2026h1 and carry its key ID) */
    static const char key_b64[] =
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWqcCPrHjxP65uSfLj0WEfGdmWwR9"
        "eyBSnLK6bFdkSUkO3MrR5S9dAicYLbJMFCVDaB+yBe99+ogOGWr+pjMdSA==";
    unsigned char spki[128];
    char *text = (char *)malloc(len + 1);
    cs_ct_key key;
    cs_ct_checkpoint c;
    long kl;
    int r1, r2;

    kl = cs_b64_decode(key_b64, sizeof key_b64 - 1, spki, sizeof spki);
    if (kl <= 0 || cs_ct_key_parse(&key, spki, (size_t)kl) != 0)
        fz_fail("checkpoint: the built-in key does not parse");
    memcpy(text, in, len);
    r1 = cs_ct_checkpoint_parse(&c, text, len, NULL);
    fz_named(r1, "checkpoint");
    if (r1 == 0) {
        fz_inside(c.origin, c.origin_len, text, len, "origin");
        if (c.has_sig || c.body_len >= len || c.sig_lines == 0)
            fz_fail("checkpoint: no key, has_sig %d, body %zu of %zu",
                    c.has_sig, c.body_len, len);
    }
    r2 = cs_ct_checkpoint_parse(&c, text, len, &key);
    fz_named(r2, "checkpoint with key");
    if (r2 == 0 && (!c.has_sig || c.sig_len < 4
                    || c.sig_len > sizeof c.sig))
        fz_fail("checkpoint: accepted without a signature");
    /* the key only chooses a line (whose format is then checked): the
     * text parses the same */
    if (r1 != 0 && r2 != r1 && r2 != CS_E_CT_SIG_FORMAT)
        fz_fail("checkpoint: %d without the key, %d with", r1, r2);
    if (r1 == 0 && r2 != 0 && r2 != CS_E_CT_NO_SIGNATURE
        && r2 != CS_E_CT_SIG_FORMAT)
        fz_fail("checkpoint: key made %d", r2);
    free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const unsigned char *in = data + FZ_HDR;
    size_t len;

    if (size < FZ_HDR || size > FZ_HDR + FZ_MAX_IN)
        return 0;
    len = size - FZ_HDR;
    fz_seed = data[1] * 2654435761u + 1;
    switch (data[0] & 3) {
    case 0:
        fz_b64(in, len);
        break;
    case 1:
        fz_leaf(in, len);
        break;
    case 2:
        fz_tile(in, len, (unsigned)data[0] >> 2);
        break;
    default:
        fz_checkpoint(in, len);
        break;
    }
    return 0;
}
